#!/usr/bin/env python3
"""The audio front-end from Python (am/audio.h): WAV files, resampling, trimming, loudness, am.STFT and Griffin-Lim,
on tones made here (no speech needed), with every keyword's effect (EFFECTS, also read by t_keywords.py) and
hostile inputs, each raising with a message that names the argument."""
import atexit
import errno
import math
import os
import shutil
import sys
import tempfile

import numpy as np

import am
from tap import ok, raises

AM_EFORMAT, AM_ERANGE = -5, -14
RATE = 16000


def tone(freq=440.0, seconds=1.0, amp=0.5, rate=RATE):
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def peak_hz(x, rate):
    """The frequency of the strongest component of x (Hz)."""
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.argmax(spec) * rate / len(x)


TONE = tone()
# a tone between silences, in whole blocks of 256 samples: 4096 silent, 8192 of 440 Hz, 4096 silent
PADDED = np.concatenate([np.zeros(4096, np.float32), tone(seconds=8192 / RATE), np.zeros(4096, np.float32)])
# a chirp rising from 200 to 3000 Hz: every spectrogram parameter shows in its features
_t = np.arange(RATE) / RATE
CHIRP = (0.4 * np.sin(2 * np.pi * (200 * _t + 1400 * _t ** 2))).astype(np.float32)
# loud and quiet halves 30 dB apart: active_level's range_db and block decide which blocks count
TWO_LEVELS = np.concatenate([tone(seconds=8192 / RATE), tone(seconds=8192 / RATE, amp=0.5 * 10 ** (-30 / 20))])
# halves 50 dB apart: the quiet one is silence to blocks of 256 samples, not inside one block of all
FAR = np.concatenate([tone(seconds=8192 / RATE), tone(seconds=8192 / RATE, amp=0.5 * 10 ** (-50 / 20))])

tmp = tempfile.mkdtemp(prefix="am-audio-")
atexit.register(shutil.rmtree, tmp, True)


def wav_path(name):
    return os.path.join(tmp, name)


def written(x, rate=RATE, name="w.wav"):
    p = wav_path(name)
    am.write_wav(p, x, rate)
    return am.read_wav(p)


def settings(hop=128, frames=50):
    p = wav_path("spectrogram-%d-%d.txt" % (hop, frames))
    with open(p, "w") as f:
        f.write("# spectrogram settings\nrate 16000\nnfft 512\nhop %d\nmels 40\nframes %d\nfloor_db 80\nwords 3\n"
                % (hop, frames))
    return p


def heard(**kw):
    s = am.STFT()
    p = wav_path("heard.wav")
    e = s.features_to_wav(kw.pop("feat", s.features(CHIRP[:4000])), kw.pop("path", p), **kw)
    return e, am.read_wav(p)[0]


def gl(**kw):
    s = am.STFT(mels=0)
    return s.griffin_lim(kw.pop("mag", s.magnitude(CHIRP[:4000])), **kw)


def stft_features(**kw):
    return am.STFT(**kw).features(CHIRP)


# (function, parameter) -> (base call, call with the parameter changed): each pair must differ
EFFECTS = {
    ("read_wav", "path"): (lambda: am.read_wav(written(TONE, name="a.wav") and wav_path("a.wav"))[1],
                           lambda: am.read_wav(written(TONE, 8000, name="b.wav") and wav_path("b.wav"))[1]),
    ("write_wav", "path"): (lambda: os.path.exists(wav_path("p1.wav")) or am.write_wav(wav_path("p1.wav"), TONE, RATE),
                            lambda: os.path.exists(wav_path("p1.wav"))),
    ("write_wav", "x"): (lambda: written(TONE)[0], lambda: written(-TONE)[0]),
    ("write_wav", "rate"): (lambda: written(TONE)[1], lambda: written(TONE, 22050)[1]),
    ("resample", "x"): (lambda: am.resample(TONE, RATE, 8000), lambda: am.resample(-TONE, RATE, 8000)),
    ("resample", "rate"): (lambda: am.resample(TONE, RATE, 8000), lambda: am.resample(TONE, 32000, 8000)),
    ("resample", "to"): (lambda: am.resample(TONE, RATE, 8000), lambda: am.resample(TONE, RATE, 11025)),
    ("trim", "x"): (lambda: am.trim(PADDED), lambda: am.trim(TONE)),
    ("trim", "rel"): (lambda: am.trim(TWO_LEVELS, rel=0.01), lambda: am.trim(TWO_LEVELS, rel=0.5)),
    ("trim", "pad"): (lambda: am.trim(PADDED), lambda: am.trim(PADDED, pad=100)),
    ("active_level", "x"): (lambda: am.active_level(TONE), lambda: am.active_level(TONE / 2)),
    ("active_level", "block"): (lambda: am.active_level(TWO_LEVELS), lambda: am.active_level(TWO_LEVELS, block=16000)),
    ("active_level", "range_db"): (lambda: am.active_level(TWO_LEVELS),
                                   lambda: am.active_level(TWO_LEVELS, range_db=20)),
    ("normalize", "x"): (lambda: am.normalize(TONE), lambda: am.normalize(CHIRP)),
    ("normalize", "level_db"): (lambda: am.normalize(TONE), lambda: am.normalize(TONE, level_db=-30)),
    ("normalize", "peak_db"): (lambda: am.normalize(TONE, level_db=0), lambda: am.normalize(TONE, level_db=0, peak_db=-6)),
    ("normalize", "block"): (lambda: am.normalize(FAR), lambda: am.normalize(FAR, block=len(FAR))),
    ("STFT", "rate"): (lambda: stft_features(), lambda: stft_features(rate=22050)),
    ("STFT", "nfft"): (lambda: stft_features(), lambda: stft_features(nfft=1024)),
    ("STFT", "hop"): (lambda: stft_features(), lambda: stft_features(hop=160)),
    ("STFT", "mels"): (lambda: stft_features(), lambda: stft_features(mels=20)),
    ("STFT", "fmin"): (lambda: stft_features(), lambda: stft_features(fmin=300)),
    ("STFT", "fmax"): (lambda: stft_features(), lambda: stft_features(fmax=4000)),
    ("STFT", "floor_db"): (lambda: stft_features(), lambda: stft_features(floor_db=40)),
    ("STFT.magnitude", "x"): (lambda: am.STFT().magnitude(TONE), lambda: am.STFT().magnitude(CHIRP)),
    ("STFT.magnitude", "frames"): (lambda: am.STFT().magnitude(TONE), lambda: am.STFT().magnitude(TONE, frames=3)),
    ("STFT.features", "x"): (lambda: am.STFT().features(TONE), lambda: am.STFT().features(CHIRP)),
    ("STFT.features", "frames"): (lambda: am.STFT().features(TONE), lambda: am.STFT().features(TONE, frames=3)),
    ("STFT.features_to_magnitude", "feat"): (lambda: am.STFT().features_to_magnitude(am.STFT().features(TONE)),
                                             lambda: am.STFT().features_to_magnitude(am.STFT().features(CHIRP))),
    ("STFT.griffin_lim", "mag"): (lambda: gl(), lambda: gl(mag=am.STFT(mels=0).magnitude(TONE[:4000]))),
    ("STFT.griffin_lim", "iters"): (lambda: gl(), lambda: gl(iters=5)),
    ("STFT.griffin_lim", "seed"): (lambda: gl(), lambda: gl(seed=2)),
    ("STFT.griffin_lim", "errors"): (lambda: isinstance(gl(), tuple), lambda: isinstance(gl(errors=True), tuple)),
    ("STFT.features_to_wav", "feat"): (lambda: heard(), lambda: heard(feat=am.STFT().features(TONE[:4000]))),
    ("STFT.features_to_wav", "path"): (lambda: (heard(path=wav_path("h1.wav")), os.path.exists(wav_path("h2.wav")))[1],
                                       lambda: (heard(path=wav_path("h2.wav")), os.path.exists(wav_path("h2.wav")))[1]),
    ("STFT.features_to_wav", "iters"): (lambda: heard(), lambda: heard(iters=5)),
    ("STFT.features_to_wav", "seed"): (lambda: heard(), lambda: heard(seed=2)),
    ("STFT.span", "frames"): (lambda: am.STFT().span(1), lambda: am.STFT().span(2)),
    ("STFT.read_settings", "path"): (lambda: am.STFT.read_settings(settings()).hop,
                                     lambda: am.STFT.read_settings(settings(hop=160)).hop),
}


def main():
    # --- WAV -----------------------------------------------------------------------------------------------------
    x, rate = written(TONE)
    ok(rate == RATE and x.dtype == np.float32 and x.shape == TONE.shape, "write_wav/read_wav: rate, dtype, length")
    ok(np.max(np.abs(x - TONE)) <= 1 / 32768 + 1e-7, "16-bit round trip within a step (%.2g)"
       % np.max(np.abs(x - TONE)))
    y, _ = written(np.array([2.0, -3.0, 0.25]))
    ok(np.allclose(y, [1, -1, 0.25], atol=1e-4), "samples beyond [-1, 1] are clipped; a float64 list is taken")
    ok(sorted(os.listdir(tmp)) == ["w.wav"], "no temporary file left beside the WAV")
    raises(am.Error, lambda: am.read_wav(wav_path("missing.wav")), "read_wav of a missing file: am.Error naming it",
           text="missing.wav")
    try:
        am.read_wav(wav_path("missing.wav"))
    except am.Error as e:
        ok(e.errno == errno.ENOENT, "... with errno ENOENT")
    with open(wav_path("not.wav"), "wb") as f:
        f.write(b"RIFX" + bytes(60))
    raises(am.Error, lambda: am.read_wav(wav_path("not.wav")), "a file that is not WAVE: AM_EFORMAT", status=AM_EFORMAT)
    raises(am.Error, lambda: am.read_wav(tmp), "a directory: am.Error", text=tmp)
    raises(ValueError, lambda: am.write_wav(wav_path("n.wav"), [0.0, float("nan")], RATE),
           "write_wav: a NaN sample raises naming x", text="x")
    raises(ValueError, lambda: am.write_wav(wav_path("n.wav"), TONE, 0), "write_wav: rate 0 raises naming rate",
           text="rate")
    raises((ValueError, OverflowError), lambda: am.write_wav(wav_path("n.wav"), TONE, 10 ** 7),
           "write_wav: rate 10**7 raises naming rate", text="rate")
    raises(ValueError, lambda: am.write_wav(wav_path("n.wav"), np.zeros((2, 4)), RATE), "write_wav: 2-D x raises",
           text="x")
    raises(TypeError, lambda: am.write_wav(wav_path("n.wav"), "loud", RATE), "write_wav: a str as x raises", text="x")
    raises(TypeError, lambda: am.write_wav(3, TONE, RATE), "write_wav: an int as path raises")
    raises(am.Error, lambda: am.write_wav(os.path.join(tmp, "no", "dir.wav"), TONE, RATE),
           "write_wav into a missing directory: am.Error naming the path", text="dir.wav")
    ok(not os.path.exists(wav_path("n.wav")), "nothing written by the calls that raised")

    # --- resampling, trimming, loudness -------------------------------------------------------------------------
    y = am.resample(TONE, RATE, 8000)
    ok(y.dtype == np.float32 and len(y) == 8000, "resample 16 kHz -> 8 kHz: ceil(n to / rate) samples")
    ok(abs(peak_hz(y, 8000) - 440) < 2, "... the tone stays at 440 Hz (%.1f)" % peak_hz(y, 8000))
    ok(abs(np.sqrt(np.mean(y[200:-200] ** 2)) - 0.5 / math.sqrt(2)) < 0.01, "... at its level")
    y = am.resample(tone(5000), RATE, 8000)
    ok(np.sqrt(np.mean(y[200:-200] ** 2)) < 0.01, "a 5 kHz tone above the new Nyquist frequency is filtered out")
    ok(len(am.resample(TONE, RATE, 44100)) == 44100 and np.array_equal(am.resample(TONE, RATE, RATE), TONE),
       "upsampling; the same rate gives the signal back")
    raises(ValueError, lambda: am.resample(TONE, 0, 8000), "resample: rate 0 raises naming rate", text="rate")
    raises(ValueError, lambda: am.resample(TONE, RATE, 0), "resample: to 0 raises naming to", text="to")
    raises(ValueError, lambda: am.resample([0.0, float("inf")], RATE, 8000), "resample: inf raises naming x", text="x")

    t = am.trim(PADDED)
    k = int(np.flatnonzero(np.abs(PADDED) >= 0.02 * 0.5)[0])
    ok(abs(len(t) - 8192) <= 4 and np.array_equal(t, PADDED[k:k + len(t)]),
       "trim cuts the silences around a tone (%d of 16384 samples kept)" % len(t))
    ok(len(am.trim(PADDED, pad=100)) == len(t) + 200, "pad widens the span each side")
    ok(len(am.trim(np.zeros(100))) == 0, "a silent signal trims to nothing")
    raises(ValueError, lambda: am.trim(PADDED, rel=0), "trim: rel 0 raises naming rel", text="rel")
    raises(ValueError, lambda: am.trim(PADDED, rel=1), "trim: rel 1 raises naming rel", text="rel")
    raises((ValueError, OverflowError), lambda: am.trim(PADDED, pad=-1), "trim: pad -1 raises naming pad", text="pad")

    ok(abs(am.active_level(np.where(TONE >= 0, 1.0, -1.0))) < 1e-6, "active_level: a full-scale square wave is 0 dB")
    ok(abs(am.active_level(TONE / 0.5) + 3.0103) < 0.01, "a full-scale sine is -3.01 dB (%.3f)"
       % am.active_level(TONE / 0.5))
    ok(abs(am.active_level(PADDED) - am.active_level(TONE)) < 0.05, "silence around a tone does not lower its level")
    ok(am.active_level(np.zeros(10)) == -math.inf, "silence: -inf")
    ok(abs(am.active_level(TWO_LEVELS, range_db=20) - am.active_level(TONE)) < 0.05 and
       am.active_level(TWO_LEVELS, range_db=40) < am.active_level(TONE) - 2,
       "range_db decides whether the quiet half (30 dB down) counts")
    raises(ValueError, lambda: am.active_level(TONE, block=0), "active_level: block 0 raises naming block", text="block")
    raises(ValueError, lambda: am.active_level(TONE, range_db=-1), "active_level: range_db -1 raises", text="range_db")

    before = CHIRP.copy()
    y = am.normalize(CHIRP)
    ok(abs(am.active_level(y) + 24) < 0.01 and np.array_equal(CHIRP, before), "normalize: -24 dBFS; x unchanged")
    y = am.normalize(TONE, level_db=0)
    ok(abs(np.max(np.abs(y)) - 10 ** (-1 / 20)) < 1e-4, "the peak held at peak_db -1 dBFS (%.4f)" % np.max(np.abs(y)))
    ok(np.array_equal(am.normalize(np.zeros(5)), np.zeros(5, np.float32)), "a silent signal comes back as it is")
    raises(ValueError, lambda: am.normalize(TONE, level_db=3), "normalize: level_db > 0 raises naming it",
           text="level_db")
    raises(ValueError, lambda: am.normalize(TONE, peak_db=float("nan")), "normalize: a NaN peak_db raises naming it",
           text="peak_db")
    raises(ValueError, lambda: am.normalize([1.0, float("nan")]), "normalize: a NaN sample raises naming x", text="x")

    # --- STFT ------------------------------------------------------------------------------------------------------
    s = am.STFT()
    ok((s.rate, s.nfft, s.hop, s.mels, s.fmin, s.fmax, s.floor_db, s.bins, s.lbins, s.frames) ==
       (16000, 512, 256, 40, 0.0, 8000.0, 80.0, 40, 257, None), "STFT defaults are am_stft_config_default's: %r" % s)
    m = am.STFT(mels=0).magnitude(tone(1000))
    ok(m.shape == (1 + math.ceil((16000 - 512) / 256), 257) and m.dtype == np.float32,
       "magnitude: frames enough to cover x by default, nfft/2 + 1 bins")
    ok(np.all(np.argmax(m[:-2], axis=1) == 32), "a 1 kHz tone peaks in bin 32 (1000 / (16000 / 512))")
    ok(abs(m[5, 32] - 0.5 * 0.5 * 512 / 2) < 2, "its magnitude: amplitude x window sum / 2 (%.1f)" % m[5, 32])
    m2 = am.STFT(mels=0).magnitude(tone(1000)[:1000], frames=10)
    ok(m2.shape == (10, 257) and not m2[4:].any(), "frames beyond the signal's end are zero")
    f = s.features(CHIRP)
    ok(f.shape == (1 + math.ceil((16000 - 512) / 256), 40) and f.min() >= 0 and f.max() == 1.0, "features: frames x mels in [0, 1], peak 1")
    ok(not s.features(np.zeros(1000)).any(), "a silent signal gives zero features")
    f8 = am.STFT(rate=8000).features(CHIRP)
    ok(f8.shape == f.shape and not np.array_equal(f8, f), "rate moves the mel bands (fmax follows rate/2)")
    lin = am.STFT(mels=0)
    back = lin.features_to_magnitude(lin.features(CHIRP))
    mag = lin.magnitude(CHIRP)
    mag = mag / mag.max()
    keep = mag > 10 ** (-60 / 20)
    ok(back.shape == mag.shape and np.max(np.abs(back[keep] - mag[keep]) / mag[keep]) < 1e-3,
       "features_to_magnitude inverts linear features above the floor (peak 1)")
    ok(s.features_to_magnitude(f).shape == (len(f), 257), "... and spreads mel bands over 257 bins")
    y, err = lin.griffin_lim(lin.magnitude(CHIRP[:8000]), iters=30, seed=1, errors=True)
    ok(len(y) == lin.span(lin.magnitude(CHIRP[:8000]).shape[0]) and len(err) == 31 and err[-1] < 0.5 * err[0],
       "griffin_lim: span(frames) samples; the spectral error falls (%.3f -> %.3f)" % (err[0], err[-1]))
    ok(np.array_equal(lin.griffin_lim(mag[:10], iters=3, seed=4), lin.griffin_lim(mag[:10], iters=3, seed=4)),
       "... the same seed gives the same bits")
    e = s.features_to_wav(f, wav_path("f.wav"), iters=20, seed=1)
    w, r = am.read_wav(wav_path("f.wav"))
    ok(0 < e < 1 and r == 16000 and len(w) == s.span(len(f)) and abs(am.active_level(w, 256) + 24) < 0.2,
       "features_to_wav: a WAV at rate, span(frames) samples, at the speech level (error %.3f)" % e)
    st = am.STFT.read_settings(settings(hop=160, frames=30))
    ok((st.hop, st.frames, st.mels, st.nfft) == (160, 30, 40, 512) and st.features(CHIRP, frames=st.frames).shape ==
       (30, 40), "read_settings: the settings bin/speech-data writes, frames among them")
    with open(wav_path("bad.txt"), "w") as fh:
        fh.write("rate 16000\nnfft 512\nhop 1024\nmels 40\nframes 5\nfloor_db 80\n")
    raises(am.Error, lambda: am.STFT.read_settings(wav_path("bad.txt")), "read_settings: hop beyond nfft is AM_ERANGE",
           status=AM_ERANGE, text="hop")
    with open(wav_path("bad.txt"), "w") as fh:
        fh.write("rate 16000\nnfft\n")
    raises(am.Error, lambda: am.STFT.read_settings(wav_path("bad.txt")), "... a malformed line names it",
           status=AM_EFORMAT, text="line 2")
    for kw, name in [(dict(hop=600), "hop"), (dict(mels=300), "mels"), (dict(fmax=9000), "fmax"),
                     (dict(fmin=5000, fmax=4000), "fmax"), (dict(floor_db=0), "floor_db"), (dict(nfft=8), "nfft"),
                     (dict(rate=0), "rate"), (dict(fmin=-1), "fmin"), (dict(floor_db=float("inf")), "floor_db")]:
        raises(ValueError, lambda: am.STFT(**kw), "STFT(%s) raises naming %s" % (kw, name), text=name)
    raises(TypeError, lambda: am.STFT(512), "STFT's settings are keywords only")
    raises(TypeError, lambda: am.STFT(mels="40"), "STFT(mels='40') raises", text="mels")
    raises((MemoryError, ValueError), lambda: s.magnitude(TONE, frames=2 ** 50),
           "magnitude(frames=2**50): more than the machine's memory, naming frames", text="frames")
    raises(ValueError, lambda: s.features(TONE, frames=0), "features(frames=0) raises naming frames", text="frames")
    raises(ValueError, lambda: s.features(np.array([0.0, np.nan])), "features of a NaN signal raises naming x", text="x")
    raises(ValueError, lambda: s.features(np.zeros((2, 100))), "features of a 2-D x raises naming x", text="x")
    raises(ValueError, lambda: s.features([]), "features of an empty x raises naming x", text="x")
    raises(ValueError, lambda: lin.griffin_lim(-mag[:3]), "griffin_lim of negative magnitudes raises naming mag",
           text="mag")
    # the negative value is read before the converted copy of mag goes (any dtype, any row, any column)
    gs = am.STFT(rate=8000, nfft=256, hop=128, mels=32)
    for dt in (np.float64, np.float32, np.int64):
        for at in ((0, 1), (0, 0), (2, gs.lbins - 1)):
            neg = np.ones((3, gs.lbins), dt)
            neg[at] = -1
            raises(ValueError, lambda: gs.griffin_lim(neg), "griffin_lim of %s with mag%s = -1 names it" % (
                np.dtype(dt).name, list(at)), text="mag[%d, %d] = -1 is negative" % at)
    neg = np.ones((3, gs.lbins)).tolist()
    neg[0][1] = -1
    raises(ValueError, lambda: gs.griffin_lim(neg), "griffin_lim of a list with mag[0][1] = -1 names it",
           text="mag[0, 1] = -1 is negative")
    raises(ValueError, lambda: lin.griffin_lim(mag[:, :100]), "griffin_lim of the wrong bins raises naming mag",
           text="mag")
    raises((ValueError, OverflowError), lambda: lin.griffin_lim(mag[:3], iters=-1), "griffin_lim(iters=-1) raises",
           text="iters")
    raises(ValueError, lambda: s.features_to_magnitude(np.zeros((3, 41))), "features_to_magnitude of 41 bins raises",
           text="feat")
    raises(ValueError, lambda: s.features_to_wav(np.full((3, 40), np.inf), wav_path("i.wav")),
           "features_to_wav of inf raises naming feat", text="feat")
    ok(not os.path.exists(wav_path("i.wav")), "... and writes nothing")
    raises(RuntimeError, lambda: am.STFT.__new__(am.STFT).features(TONE), "an STFT not initialised raises")


if __name__ in ("__main__", "__test__"):
    main()
    if __name__ == "__main__":
        import tap
        sys.exit(tap.done())
