#!/usr/bin/env python3
"""TAP tests of the melody, familiarity and engram layers from Python (am.Melody, am.MelodyCode, am.read_abc,
am.read_midi, am.roc, am.familiarity, am.sequence_familiarity, am.Engram): each result against the library's other
verbs or a brute-force computation here."""
import atexit
import os
import shutil
import tempfile

import numpy as np

import am
from tap import ok, raises

tmp = tempfile.mkdtemp(prefix="am-mel-")
atexit.register(shutil.rmtree, tmp, True)
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(root, "data", "tunes", "traditional.abc")
ok(os.path.samefile(am.corpus(), CORPUS), "am.corpus() finds the tree's tune file")
AM_EFORMAT, AM_EEMPTY, AM_EUNSUPPORTED = -5, -11, -12

# --- reading, the Melody object ------------------------------------------------------------------------------
tunes = am.read_abc(CORPUS)
with open(CORPUS, encoding="utf-8") as f:
    text = f.read()
ok(len(tunes) == text.count("\nX:") + text.startswith("X:") and len(tunes) >= 30,
   "read_abc reads every tune of the corpus (%d)" % len(tunes))
tw = tunes[0]
ok(tw.title == "Twinkle, Twinkle, Little Star" and tw.number == 1 and tw.meter == (2, 4) and tw.key == 0 and
   tw.tempo == 100.0 and tw.line >= 1, "the first tune's header fields: %r" % tw)
n = tw.notes
ok(n.shape == (len(tw), 3) and n.dtype == np.int64 and list(n[:4, 0]) == [60, 60, 67, 67] and
   list(n[:4, 1]) == [0, 480, 960, 1440] and (n[:, 2] >= 1).all(), "notes: (pitch, start, length) in ticks")
ok(tw.ticks == int(n[-1, 1] + n[-1, 2]), "ticks: the end of the last note")
ok(tw.names()[:5] == ["C4", "C4", "G4", "G4", "A4"] and am.pitch_name(70) == "A#4" and
   am.pitch_name(70, flats=True) == "Bb4" and am.pitch_name(am.REST) == "z", "pitch names")
# ABC round trip: every tune written as text reads back to the same notes
back = [am.read_abc(text=t.abc())[0] for t in tunes]
ok(all(np.array_equal(a.notes, b.notes) and a.title == b.title and a.meter == b.meter and a.key == b.key and
       a.tempo == b.tempo for a, b in zip(tunes, back)), "every tune -> abc() -> read_abc(text=) is the same melody")
path = os.path.join(tmp, "t.abc")
tw.write_abc(path)
ok(np.array_equal(am.read_abc(path)[0].notes, tw.notes), "write_abc -> read_abc")
raises(am.Error, lambda: am.read_abc(text="X:1\nK:C\nC D E ]]]\n"), "malformed ABC: am.Error naming line and "
       "column", status=AM_EFORMAT, text="<text>:3:")
raises(am.Error, lambda: am.read_abc(text="no tune here"), "a text without X: is am.Error", status=AM_EEMPTY)
raises(am.Error, lambda: am.read_abc(os.path.join(tmp, "none.abc")), "a missing file", text="none.abc")
raises(ValueError, lambda: am.read_abc(path, text="X:1\nK:C\nC\n"), "path and text", text="both")
raises(ValueError, lambda: am.read_abc(), "neither path nor text", text="neither")
# MIDI round trip
mid = os.path.join(tmp, "t.mid")
tw.write_midi(mid, program=40)
m2 = am.read_midi(mid)
sounding = m2.notes[m2.notes[:, 0] >= 0]
ok(np.array_equal(sounding, tw.notes[tw.notes[:, 0] >= 0]) and m2.tempo == tw.tempo and m2.meter == tw.meter,
   "write_midi -> read_midi: the same notes, tempo and meter")
ok(np.array_equal(am.read_midi(mid, track=0, channel=1).notes, m2.notes), "read_midi(track=0, channel=1)")
raises(am.Error, lambda: am.read_midi(mid, channel=10), "no notes on channel 10: am.Error", status=AM_EEMPTY)
with open(os.path.join(tmp, "bad.mid"), "wb") as f:
    f.write(b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x10\x00\x90")
raises(am.Error, lambda: am.read_midi(os.path.join(tmp, "bad.mid")), "a truncated MIDI file names the byte",
       text="byte")
# building a melody from arrays
m = am.Melody([60, 62, am.REST, 64], [0, 480, 960, 1440], [480, 480, 480, 960], title="x", tempo=90, meter=[3, 4],
              key=2, number=7)
ok(len(m) == 4 and m.title == "x" and m.tempo == 90 and m.meter == (3, 4) and m.key == 2 and m.number == 7 and
   m.notes[2, 0] == am.REST, "Melody from arrays")
ok(am.read_abc(text=m.abc())[0].notes[:, 0].tolist() == [60, 62, -1, 64], "... written as ABC and read back")
raises(ValueError, lambda: am.Melody([60, 62], [0, 100], [200, 100]), "overlapping notes: ValueError naming the note",
       text="note 1")
raises(ValueError, lambda: am.Melody([60, 130], [0, 480], [480, 480]), "pitch 130", text="pitch[1] = 130")
raises(ValueError, lambda: am.Melody([60], [0], [0]), "length 0", text="length[0] = 0")
raises(ValueError, lambda: am.Melody([60], [0, 1], [1]), "arrays of different lengths", text="as long")
raises(TypeError, lambda: am.Melody([60.5], [0], [1]), "real pitches: TypeError", text="integers")
raises(ValueError, lambda: am.Melody([60], [0], [1], meter=[3, 5]), "meter 3/5", text="power of 2")
raises(RuntimeError, lambda: am.Melody.__new__(am.Melody).notes, "a Melody before __init__")
# the grid and back
p, o = tw.grid()
ok(p.dtype == np.int32 and o.dtype == np.bool_ and len(p) == tw.ticks // 240 and list(p[:5]) == [60, 60, 60, 60, 67]
   and list(o[:5]) == [True, False, True, False, True], "grid(): pitch and onset per eighth note")
p2, o2 = tw.grid(step=480, steps=100)
ok(len(p2) == 100 and (p2[tw.ticks // 480:] == am.REST).all(), "grid(step=480, steps=100): rests after the end")
ok(all(np.array_equal(am.Melody.from_grid(*t.grid(120), step=120).notes[:, :3][t.notes[:, 0] >= 0],
                      t.notes[t.notes[:, 0] >= 0]) for t in tunes[:5] if (t.notes[:, 1:] % 120 == 0).all()),
   "from_grid(grid()) gives the notes back")
# sound
x = tw.render(rate=8000)
secs = tw.ticks / am.TPQ * 60 / tw.tempo
ok(x.dtype == np.float32 and abs(len(x) - secs * 8000) <= 8000 * 0.1 and np.abs(x).max() <= 1 and
   0.01 < np.sqrt(np.mean(x ** 2)) < 0.2, "render(rate=8000): %d samples for %.1f s, within [-1, 1]" % (len(x), secs))
wav = os.path.join(tmp, "t.wav")
tw.wav(wav, rate=8000)
with open(wav, "rb") as f:
    head = f.read(44)
ok(head[:4] == b"RIFF" and head[8:12] == b"WAVE" and int.from_bytes(head[24:28], "little") == 8000 and
   os.path.getsize(wav) >= 44 + 2 * len(x), "wav(): a WAV file at the rate")

# --- encodings -----------------------------------------------------------------------------------------------
pc, rg, sp = am.MelodyCode(), am.MelodyCode("range"), am.MelodyCode("sparse", n=128, k=8, seed=3)
ok((pc.units, rg.units, sp.units) == (120, 320, 128), "units: 120 (pitch classes), 320 (range), n (sparse)")
ok(am.MelodyCode("range", history=3, context=10).units == 3 * 320 + 10, "history and context add units")
for code in (pc, rg, sp):
    e = code.encode(tw)
    ok(e.shape == (len(p), code.units) and e.dtype == np.int8 and set(np.unique(e)) <= {-1, 1},
       "%s: encode gives one +-1 pattern per step" % code.kind)
    steps = [code.decode_step(r) for r in e]
    pitches = np.array([s[0] for s in steps])
    want = p if code.kind != "pitchclass" else np.where(p >= 0, 60 + p % 12, p)
    ok(np.array_equal(pitches, want) and np.array_equal([s[1] for s in steps], o) and
       all(s[2] == 1.0 for s in steps), "%s: decode_step of each step gives its pitch and onset, overlap 1" % code.kind)
    d = code.decode(e)
    if code.kind != "pitchclass":
        ok(np.array_equal(d.notes, tw.notes), "%s: decode(encode(m)) is m" % code.kind)
ok(not np.array_equal(am.MelodyCode(context=16).encode(tw, tune=0), am.MelodyCode(context=16).encode(tw, tune=1)),
   "tune= picks the context code")
raises(ValueError, lambda: am.MelodyCode("pitchclass", lo=40), "lo on a pitchclass code", text="applies to kind")
raises(ValueError, lambda: am.MelodyCode("sparse", n=8, k=9), "k > n", text="MelodyCode")
raises(ValueError, lambda: am.MelodyCode("organ"), "an unknown kind", text="unknown kind")
raises(ValueError, lambda: pc.decode(np.ones((3, 7))), "states of the wrong width", text="7 units")

# --- a tune recalled from its first bar by a sequence store ------------------------------------------------------
code = am.MelodyCode("pitchclass", history=32, repeat=1)
seqs = [code.encode(t, tune=i) for i, t in enumerate(tunes[:6])]
s = am.Store("seq-modern", n=code.units)
for q in seqs:
    s.add(q)
bar = 4 * am.TPQ * tw.meter[0] // tw.meter[1] // code.step
r = s.replay(seqs[0][bar - 1], len(seqs[0]) - bar, start=bar - 1)
rec = code.decode(np.vstack([seqs[0][:bar - 1], r.states]))
ok(r.first_fail is None and np.array_equal(rec.notes[:, 0], np.where(tw.notes[:, 0] >= 0, 60 + tw.notes[:, 0] % 12,
                                                                        -1)), "Twinkle recalled from its first bar")

# --- familiarity: against brute force -------------------------------------------------------------------------
P = am.patterns("random", 8, 100, rng=1)
h = am.Store("hopfield", n=100)
h.add(P)
cues = np.vstack([P, am.patterns("random", 8, 100, rng=2)])
fe = am.familiarity(h, cues)
ok(np.allclose(fe, [-h.energy(c) / 100 for c in cues], rtol=0, atol=1e-9), "familiarity energy = -E/n")
fo = am.familiarity(h, cues, score="overlap")
ok(np.allclose(fo, [h.overlaps(c).max() for c in cues], rtol=0, atol=1e-12), "familiarity overlap = max overlap")
ok(isinstance(am.familiarity(h, P[0]), float) and am.familiarity(h, P[0]) == fe[0], "one cue: one float")
ok(np.array_equal(am.familiarity(h, cues, threads=1), am.familiarity(h, cues, threads=2)), "threads: the same bits")
sq = am.Store("seq-dense", n=code.units, degree=2)
for q in seqs[:3]:
    sq.add(q)
raises(am.Error, lambda: am.familiarity(sq, seqs[0]), "energy of a sequence store: am.Error", status=AM_EUNSUPPORTED)
raises(am.Error, lambda: am.familiarity(am.Store("hopfield", n=100), P), "an empty store", status=AM_EEMPTY)
raises(TypeError, lambda: am.familiarity("store", P), "store must be an am.Store", text="am.Store")
sf = am.sequence_familiarity(sq, seqs)


def brute_seq(store, q):
    return np.mean([np.mean(store.replay(q[t], 1, start=0).state * q[t + 1]) for t in range(len(q) - 1)])


ok(np.allclose(sf, [brute_seq(sq, q) for q in seqs], atol=1e-12), "sequence_familiarity = the mean one-step overlap "
   "(replay): %s" % np.round(sf, 3))
ok(np.array_equal(sf, am.sequence_familiarity(sq, seqs, threads=2)), "... the same at 2 threads")
raises(ValueError, lambda: am.sequence_familiarity(h, [P]), "sequence_familiarity on a hopfield store",
       text="a hopfield store is not a sequence store")
# ROC against brute force
rs = np.random.default_rng(3)
fam, nov = rs.normal(1, 1, 40).round(1), rs.normal(0, 1, 50).round(1)
auc = np.mean([(a > b) + 0.5 * (a == b) for a in fam for b in nov])
R = am.roc(fam, nov)
ok(abs(R.auc - auc) < 1e-12, "roc: AUC = the Mann-Whitney count (%.4f)" % auc)
acc = lambda t: ((fam >= t).sum() + (nov < t).sum()) / 90  # noqa: E731
best = max(acc(t) for t in np.concatenate([fam, nov, [np.inf]]))
ok(abs(R.accuracy - best) < 1e-12 and acc(R.threshold) == R.accuracy and R.tpr == (fam >= R.threshold).mean() and
   R.fpr == (nov >= R.threshold).mean(), "roc: the threshold of best accuracy, its rates")
dp = (fam.mean() - nov.mean()) / np.sqrt((fam.var() + nov.var()) / 2)
ok(abs(R.dprime - dp) < 1e-9 and R.points == len(set(fam) | set(nov)) + 1, "roc: d' and the number of points")
fpr, tpr, th = am.roc_curve(fam, nov)
ok(len(fpr) == R.points and (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0, 0, 1, 1) and th[0] == np.inf and
   np.all(np.diff(th[1:]) < 0) and np.allclose(tpr[1:], [(fam >= t).mean() for t in th[1:]]) and
   abs(np.trapz(tpr, fpr) - auc) < 1e-12, "roc_curve: from (0,0) to (1,1), the area is the AUC")
raises(ValueError, lambda: am.roc([1, np.nan], [0]), "a NaN score names familiar[1]", text="familiar[1]")
raises(ValueError, lambda: am.roc([], [0]), "an empty set", text="empty")

# --- the engram ----------------------------------------------------------------------------------------------
code = am.MelodyCode("pitchclass", repeat=1)
train = [code.encode(t, tune=i) for i, t in enumerate(tunes[:4])]
g = am.Engram(code.units, hidden=256, seed=2)
curve = g.train(train, epochs=12)
beats = sum(len(q) - 1 for q in train)
ok(curve.shape == (12, 3) and curve.dtype == np.uint64 and (curve[:, 0] == beats).all(),
   "train: one row per epoch, the beats predicted (%d)" % beats)
ok(curve[-1, 2] < curve[0, 2] / 2 and curve[-1, 1] > curve[0, 1], "the wrong bits fall, the right beats rise: %s"
   % curve[[0, -1]].tolist())
g2 = am.Engram(code.units, hidden=256, seed=2)
ok(np.array_equal(g2.train(train, epochs=6), curve[:6]) and np.array_equal(g2.train(train, epochs=6), curve[6:]),
   "deterministic, and two calls of 6 epochs are one of 12")
ok(np.array_equal(am.Engram(code.units, hidden=256, seed=2, threads=2).train(train, 3), curve[:3]),
   "the same curve at 2 threads")
ev = g.evaluate(train[0])
ok(ev.beats == len(train[0]) - 1 and ev.tf_right <= ev.beats and 1 <= ev.fr_first_wrong <= len(train[0]),
   "evaluate: %s" % vars(ev))
novel = [code.encode(t, tune=10 + i) for i, t in enumerate(tunes[10:14])]
fam_e = [-g.familiarity(q) for q in train]
nov_e = [-g.familiarity(q) for q in novel]
ok(am.roc(fam_e, nov_e).auc == 1.0, "the prediction error tells learnt tunes from novel ones (AUC 1)")
ok(abs(g.familiarity(train[0]) - ev.tf_bits_wrong / (ev.beats * code.units)) < 1e-12,
   "familiarity = teacher-forced wrong bits / (beats x bits)")
rc_ = g.recall(train[0], 4)
ok(rc_.shape == train[0].shape and np.array_equal(rc_[:4], train[0][:4]) and
   (rc_[4:] != train[0][4:]).any(axis=1).argmax() + 4 == ev.fr_first_wrong if ev.fr_first_wrong < len(train[0])
   else np.array_equal(rc_, train[0]), "recall(seq, 4): the cue, then the free run evaluate() describes")
ok(g.recall(train[0], 4, length=10).shape == (10, code.units), "recall(length=10)")
g.reset()
a1 = g.predict(train[0][0])
a2 = g.predict(train[0][0])
g.reset()
ok(np.array_equal(g.predict(train[0][0]), a1) and a1.dtype == np.int8 and set(np.unique(a1)) <= {-1, 1},
   "reset(): the same prediction from the start again" + (" (the context had moved it)" if not
                                                          np.array_equal(a1, a2) else ""))
for rule in ("fa", "backprop"):
    c_ = am.Engram(code.units, hidden=128, rule=rule).train(train, 8)
    ok(c_[-1, 2] < c_[0, 2], "rule %s learns: %d -> %d wrong bits" % (rule, c_[0, 2], c_[-1, 2]))
raises(ValueError, lambda: am.Engram(code.units, hidden=8, k=9), "k > hidden", text="k = 9")
raises(ValueError, lambda: am.Engram(code.units, rule="hebb"), "an unknown rule", text="unknown rule")
raises(ValueError, lambda: am.Engram(16, hidden=2 ** 20), "an engram larger than memory", text="hidden")
raises(ValueError, lambda: g.train([]), "no sequences", text="no sequence")
raises(ValueError, lambda: g.train([train[0][:, :5]]), "a tune of the wrong width", text="seqs[0] has 5 units")
raises(ValueError, lambda: g.recall(train[0], len(train[0]) + 1), "cue longer than the tune", text="cue")
raises(RuntimeError, lambda: am.Engram.__new__(am.Engram).reset(), "an Engram before __init__")

if __name__ == "__main__":
    import sys
    import tap
    sys.exit(tap.done())
