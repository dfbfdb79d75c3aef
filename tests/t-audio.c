/* Sound: WAV round trip and hostile WAV files, resampling a tone, trimming, a pure tone's spectrogram peaks
 * at its bin (linear and mel), features in [0, 1] and back, Griffin-Lim lowers the spectral error
 * monotonically on a fixture, errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "memfile.h"
#include "tap.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static char dir[] = "/tmp/t-audio-XXXXXX";

static const char *path_of(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static void write_bytes(const char *name, const void *b, size_t n)
{
    FILE *f = fopen(path_of(name), "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

static void tone(float *x, size_t n, double hz, unsigned rate, double amp)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(amp * sin(2 * M_PI * hz * (double)i / rate));
}

/* Max |x| over [a, b). */
static float peak_of(const float *x, size_t a, size_t b)
{
    float m = 0.0f;
    for (size_t i = a; i < b; i++)
        m = fabsf(x[i]) > m ? fabsf(x[i]) : m;
    return m;
}

/* Loudness, and sound rebuilt from features as loud as its source, with no click at the edges: a voiced
 * fixture (harmonics of 140 Hz under a syllable envelope) that starts abruptly at its first sample, as a
 * trimmed utterance does, and pads its last frames with silence, as a fixed frame count does. */
static void rebuilt_sound(unsigned rate)
{
    is_near(am_audio_active_level((float[]){1, -1, 1, -1}, 4, 2, 40), 0.0, 1e-12, "a full-scale square wave is 0 dBFS");
    size_t n = 8192, pad = 4096; /* whole blocks of 256 */
    float *x = calloc(n + pad, sizeof *x);
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / rate, env = 0.6 + 0.4 * sin(2 * M_PI * 3 * t), v = 0;
        for (int h = 1; h <= 12; h++)
            v += sin(2 * M_PI * 140 * h * t + h) / h;
        x[i] = (float)(0.2 * env * v);
    }
    double l0 = am_audio_active_level(x, n, 256, 40), lp = am_audio_active_level(x, n + pad, 256, 40);
    is_near(lp, l0, 1e-9, "padding silence leaves the active level alone (%.2f dBFS)", l0);
    ok(am_audio_normalize(x, n + pad, 256, AM_AUDIO_SPEECH_DB, AM_AUDIO_PEAK_DB) == AM_OK, "normalize");
    is_near(am_audio_active_level(x, n + pad, 256, 40), AM_AUDIO_SPEECH_DB, 1e-3, "to the speech level, %.0f dBFS", AM_AUDIO_SPEECH_DB);
    ok(peak_of(x, 0, n + pad) <= pow(10, AM_AUDIO_PEAK_DB / 20) + 1e-6, "its peak within %.0f dBFS", AM_AUDIO_PEAK_DB);
    float loud[4] = {0.5f, -0.5f, 0.01f, 0.0f};
    am_audio_normalize(loud, 4, 2, -3.0, -6.0);
    is_near(peak_of(loud, 0, 4), pow(10, -6.0 / 20), 1e-6, "a peak limit wins over the level");
    loud[1] = NAN;
    is_int(am_audio_normalize(loud, 4, 2, -3.0, -6.0), AM_ENOTFINITE, "a NaN sample: AM_ENOTFINITE");
    is_int(am_audio_normalize(loud, 4, 2, 3.0, -6.0), AM_EINVAL, "a level above full scale: AM_EINVAL");

    am_stft_config c;
    am_stft_config_default(&c);
    am_stft *s = NULL;
    am_stft_work *w = NULL;
    am_stft_create(&s, &c, AM_FFT_ESTIMATE);
    am_stft_work_create(&w, s);
    size_t frames = 48, span = am_stft_span(s, frames), hop = c.hop;
    float *feat = malloc(frames * am_stft_bins(s) * sizeof *feat);
    am_stft_features(s, w, x, n + pad, frames, feat);
    double err = NAN;
    int rc = am_stft_features_to_wav(s, feat, frames, 60, 3, path_of("gl.wav"), &err);
    ok(rc == AM_OK, "features to WAV (spectral error %.3f)", err);
    am_audio a = {0};
    rc = am_wav_read(path_of("gl.wav"), &a);
    ok(rc == AM_OK && a.n == span, "read back: %zu samples", a.n);
    if (a.n == span) {
        double lv = am_audio_active_level(a.x, a.n, hop, 40);
        ok(fabs(lv - AM_AUDIO_SPEECH_DB) < 3.0, "its active level %.1f dBFS is within 3 dB of the source's", lv);
        double body = 0, all = 0;
        for (size_t i = 0; i < a.n; i++)
            all += (double)a.x[i] * a.x[i], body += i >= hop && i < n ? (double)a.x[i] * a.x[i] : 0.0;
        ok(body / all > 0.9, "%.1f%% of its energy is in the body of the utterance", 100 * body / all);
        float edge = fmaxf(peak_of(a.x, 0, hop), peak_of(a.x, a.n - hop, a.n)), mid = peak_of(a.x, hop, a.n - hop);
        ok(edge <= mid, "no edge sample is louder than the body (edge %.3f, body %.3f)", edge, mid);
    }
    am_audio_clear(&a);
    free(x), free(feat);
    am_stft_work_free(w);
    am_stft_free(s);
}

/* The settings file: as speech-data writes it, and every way one can be wrong, with its line named. */
static void settings(void)
{
    static const char good[] = "# the spectrogram settings\nrate 16000\r\nnfft 512\nhop 256\n\nmels 40\nframes 64\n"
                               "floor_db 80\nvoice en\n";
    am_stft_config c;
    size_t frames = 0;
    char why[256];
    ok(am_stft_settings_read(mem_file(0, good, sizeof good - 1), &c, &frames, why, sizeof why) == AM_OK && c.rate == 16000 &&
           c.nfft == 512 && c.hop == 256 && c.mels == 40 && frames == 64 && c.floor_db == 80 && why[0] == 0,
       "settings as speech-data writes them (comments, a blank line, CRLF and another key tolerated)");
    static const struct {
        const char *text;
        int rc;
        const char *has;
    } bad[] = {
        {"rate 16000\nnfft 1048576\nhop 256\nmels 524289\nframes 4\nfloor_db 80\n", AM_ERANGE,
         "line 2: \"nfft 1048576\": want nfft a whole number in 64 .. 8192"},
        {"rate 16000\nnfft 512.5\nhop 256\nmels 40\nframes 64\nfloor_db 80\n", AM_ERANGE, "line 2: \"nfft 512.5\""},
        {"rate 16000\nnfft 512\nhop 256\nmels 40\nframes 64\nfloor_db 80\nnfft 1024\n", AM_EFORMAT, "line 7: nfft given twice"},
        {"rate 16000\nnfft 512\nhop 256\nmels 40\nframes 64\n", AM_EFORMAT, "needs rate, nfft, hop, mels, frames and floor_db"},
        {"rate 16000\nnfft 64\nhop 256\nmels 40\nframes 64\nfloor_db 80\n", AM_ERANGE, "beyond nfft"},
        {"rate 16000\nnfft\x01\x1b[2J 512\n", AM_EFORMAT, "line 2: \"nfft\\x01\\x1b[2J 512\" is not 'key value'"},
        {"rate 16000\nnfft nan\n", AM_EFORMAT, "line 2: \"nfft nan\" is not"},
        {"rate 16000 8000\n", AM_EFORMAT, "line 1: \"rate 16000 8000\" is not"},
        {"rate 16\0000\n", AM_EFORMAT, "line 1: \"rate 16\\x000\" is not"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        size_t n = k == 8 ? 10 : strlen(bad[k].text);
        int rc = am_stft_settings_read(mem_file(0, bad[k].text, n), &c, &frames, why, sizeof why);
        ok(rc == bad[k].rc && strstr(why, bad[k].has), "settings file %zu refused: %s", k, why);
    }
    char longer[400];
    memset(longer, 'x', sizeof longer);
    ok(am_stft_settings_read(mem_file(0, longer, sizeof longer), &c, &frames, why, sizeof why) == AM_EFORMAT &&
           strstr(why, "line 1: longer than"), "a line too long: %s", why);
    ok(am_status_errno(am_stft_settings_read("/nonexistent/spectrogram.txt", &c, &frames, why, sizeof why)) == ENOENT &&
           strstr(why, "No such file"), "a missing file keeps ENOENT: %s", why);
}

int main(void)
{
    settings();
    ok(mkdtemp(dir) != NULL, "temporary directory");
    /* ---- WAV ---- */
    const unsigned rate = 16000;
    size_t n = 8000;
    float *x = malloc(n * sizeof *x);
    tone(x, n, 440.0, rate, 0.5);
    ok(am_wav_write(path_of("a.wav"), x, n, rate) == AM_OK, "write 16-bit WAV");
    am_audio a;
    int rrc = am_wav_read(path_of("a.wav"), &a);
    ok(rrc == AM_OK && a.n == n && a.rate == rate, "read it back: %zu samples at %u Hz", a.n, a.rate);
    double e = 0;
    for (size_t i = 0; i < n; i++)
        e = fmax(e, fabs(a.x[i] - x[i]));
    ok(e <= 1.0 / 32767, "16-bit round trip within one step (max error %.2g)", e);
    am_audio_clear(&a);
    am_audio_clear(&a);
    am_audio_clear(NULL);
    /* Stereo float WAV (format 3), written by hand: channels averaged. */
    unsigned char fw[44 + 16];
    memcpy(fw, "RIFF\x34\0\0\0WAVEfmt \x10\0\0\0\x03\0\x02\0\x80\x3e\0\0\0\xfa\0\0\x08\0\x20\0data\x10\0\0\0", 44);
    float st[4] = {0.5f, -0.5f, 1.0f, 0.0f};
    memcpy(fw + 44, st, 16);
    write_bytes("f.wav", fw, sizeof fw);
    ok(am_wav_read(path_of("f.wav"), &a) == AM_OK && a.n == 2 && a.x[0] == 0.0f && a.x[1] == 0.5f,
       "float stereo WAV averaged to mono");
    am_audio_clear(&a);
    st[1] = NAN;
    memcpy(fw + 44, st, 16);
    write_bytes("nan.wav", fw, sizeof fw);
    is_int(am_wav_read(path_of("nan.wav"), &a), AM_ENOTFINITE, "NaN sample: AM_ENOTFINITE");
    ok(a.x == NULL && a.n == 0, "out zeroed on failure");
    /* Hostile headers. */
    unsigned char big[60];
    memcpy(big, fw, 44);
    big[40] = 0xff, big[41] = 0xff, big[42] = 0xff, big[43] = 0x7f; /* data chunk claims 2 GiB */
    write_bytes("big.wav", big, 44);
    is_int(am_wav_read(path_of("big.wav"), &a), AM_ETRUNC, "a data chunk longer than the file: AM_ETRUNC");
    write_bytes("short.wav", "RIFF\0\0", 6);
    is_int(am_wav_read(path_of("short.wav"), &a), AM_ETRUNC, "a 6-byte RIFF file: AM_ETRUNC");
    write_bytes("text.wav", "hello, this is not a wave file", 30);
    is_int(am_wav_read(path_of("text.wav"), &a), AM_EFORMAT, "not RIFF/WAVE: AM_EFORMAT");
    memcpy(big, fw, 60);
    big[20] = 0x55; /* MP3 in WAVE */
    write_bytes("mp3.wav", big, 60);
    is_int(am_wav_read(path_of("mp3.wav"), &a), AM_EFORMAT, "an encoding other than PCM/float: AM_EFORMAT");
    memcpy(big, fw, 60);
    big[22] = 0; /* zero channels */
    write_bytes("ch0.wav", big, 60);
    is_int(am_wav_read(path_of("ch0.wav"), &a), AM_EFORMAT, "zero channels: AM_EFORMAT");
    write_bytes("nodata.wav", fw, 36);
    is_int(am_wav_read(path_of("nodata.wav"), &a), AM_ETRUNC, "no data chunk: AM_ETRUNC");
    is_int(am_status_errno(am_wav_read(path_of("missing.wav"), &a)), ENOENT, "missing file keeps ENOENT");
    is_int(am_status_errno(am_wav_read(dir, &a)), EISDIR, "a directory: EISDIR");
    x[3] = INFINITY;
    is_int(am_wav_write(path_of("inf.wav"), x, n, rate), AM_ENOTFINITE, "writing an infinite sample: AM_ENOTFINITE");
    ok(access(path_of("inf.wav"), F_OK) != 0, "and nothing written");
    is_int(am_wav_write(path_of("r0.wav"), x, n, 0), AM_EINVAL, "rate 0: AM_EINVAL");
    tone(x, n, 440.0, rate, 0.5);

    /* ---- resampling, trimming ---- */
    float *y = NULL;
    size_t m = 0;
    size_t n22 = 22050;
    float *x22 = malloc(n22 * sizeof *x22);
    tone(x22, n22, 1000.0, 22050, 0.5);
    ok(am_audio_resample(x22, n22, 22050, 16000, &y, &m) == AM_OK && m == 16000, "22050 -> 16000 Hz: %zu samples", m);
    float *ref = malloc(m * sizeof *ref);
    tone(ref, m, 1000.0, 16000, 0.5);
    e = 0;
    for (size_t i = 200; i + 200 < m; i++)
        e = fmax(e, fabs(y[i] - ref[i]));
    ok(e < 2e-3, "a 1 kHz tone survives resampling (max error %.2g away from the ends)", e);
    free(y);
    tone(x22, n22, 9000.0, 22050, 0.5); /* above 8 kHz: must be removed */
    am_audio_resample(x22, n22, 22050, 16000, &y, &m);
    e = 0;
    for (size_t i = 200; i + 200 < m; i++)
        e = fmax(e, fabs(y[i]));
    ok(e < 0.02, "a 9 kHz tone is filtered out going to 16 kHz (max %.3g of 0.5)", e);
    free(y), free(ref), free(x22);
    float sil[100] = {0};
    sil[40] = 0.5f, sil[60] = -0.5f;
    size_t s0, sl;
    am_audio_trim(sil, 100, 0.1f, 5, &s0, &sl);
    ok(s0 == 35 && sl == 31, "trim to the loud span plus padding (start %zu, length %zu)", s0, sl);
    memset(sil, 0, sizeof sil);
    am_audio_trim(sil, 100, 0.1f, 5, &s0, &sl);
    ok(sl == 0, "silence trims to nothing");

    /* ---- spectrograms ---- */
    am_stft_config c;
    am_stft_config_default(&c);
    c.mels = 0;
    am_stft *s = NULL;
    am_stft_work *w = NULL;
    ok(am_stft_create(&s, &c, AM_FFT_ESTIMATE) == AM_OK && am_stft_work_create(&w, s) == AM_OK, "STFT nfft 512 hop 256");
    is_int(am_stft_bins(s), 257, "257 linear bins");
    size_t frames = 20, bin = 40;
    double hz = (double)bin * rate / 512; /* 1250 Hz: exactly bin 40 */
    tone(x, n, hz, rate, 0.5);
    float *mag = malloc(frames * 257 * sizeof *mag), *feat = malloc(frames * 257 * sizeof *feat);
    ok(am_stft_magnitude(s, w, x, n, frames, mag) == AM_OK, "magnitudes");
    int peaks = 1;
    for (size_t f = 0; f < frames; f++) {
        size_t best = 0;
        for (size_t k = 1; k < 257; k++)
            if (mag[f * 257 + k] > mag[f * 257 + best])
                best = k;
        peaks &= best == bin;
    }
    ok(peaks, "a %.0f Hz tone peaks at bin %zu in every frame", hz, bin);
    /* Hann window: the peak bin holds amplitude * nfft / 4. */
    is_near(mag[5 * 257 + bin], 0.5 * 512 / 4, 0.01 * 0.5 * 512 / 4, "peak magnitude amp * nfft / 4");
    ok(am_stft_features(s, w, x, n, frames, feat) == AM_OK, "features");
    float lo = 1, hi = 0;
    for (size_t i = 0; i < frames * 257; i++)
        lo = fminf(lo, feat[i]), hi = fmaxf(hi, feat[i]);
    ok(lo >= 0.0f && hi == 1.0f, "features in [0, 1] with the peak at 1 (%.3f .. %.3f)", lo, hi);
    /* Back to magnitudes: the peak bin is 1, its neighbours' ratios kept above the floor. */
    float *mag2 = malloc(frames * 257 * sizeof *mag2);
    am_stft_features_to_magnitude(s, feat, frames, mag2);
    is_near(mag2[5 * 257 + bin] / mag2[5 * 257 + bin + 1], mag[5 * 257 + bin] / mag[5 * 257 + bin + 1], 1e-3 * mag[5 * 257 + bin] / mag[5 * 257 + bin + 1],
            "features -> magnitudes keeps ratios (linear bins)");
    memset(sil, 0, sizeof sil);
    am_stft_features(s, w, sil, 100, frames, feat);
    hi = 0;
    for (size_t i = 0; i < frames * 257; i++)
        hi = fmaxf(hi, feat[i]);
    ok(hi == 0.0f, "silence gives all-zero features");
    x[7] = NAN;
    is_int(am_stft_features(s, w, x, n, frames, feat), AM_ENOTFINITE, "a NaN sample: AM_ENOTFINITE");
    tone(x, n, hz, rate, 0.5);

    /* Mel bands: the tone's band is the loudest. */
    am_stft_config cm;
    am_stft_config_default(&cm);
    am_stft *sm = NULL;
    am_stft_work *wm = NULL;
    ok(am_stft_create(&sm, &cm, AM_FFT_ESTIMATE) == AM_OK && am_stft_work_create(&wm, sm) == AM_OK &&
           am_stft_bins(sm) == 40, "40 mel bands");
    float *mf = malloc(frames * 40 * sizeof *mf);
    am_stft_features(sm, wm, x, n, frames, mf);
    size_t bm = 0;
    for (size_t k = 1; k < 40; k++)
        if (mf[5 * 40 + k] > mf[5 * 40 + bm])
            bm = k;
    /* The band whose centre is nearest 1250 Hz on the mel scale. */
    double m1 = 2595 * log10(1 + 8000.0 / 700), mt = 2595 * log10(1 + hz / 700);
    size_t want = (size_t)lround(mt / m1 * 41) - 1;
    ok(bm == want || bm + 1 == want || bm == want + 1, "the tone's loudest mel band is %zu (centre nearest: %zu)", bm, want);
    float *mm = malloc(frames * 257 * sizeof *mm);
    am_stft_features_to_magnitude(sm, mf, frames, mm);
    size_t bl = 0;
    for (size_t k = 1; k < 257; k++)
        if (mm[5 * 257 + k] > mm[5 * 257 + bl])
            bl = k;
    ok(labs((long)bl - (long)bin) <= 3, "mel features back to linear magnitudes peak near bin %zu (at %zu)", bin, bl);

    /* ---- Griffin-Lim on a fixture: a chirp plus a tone ---- */
    size_t gf = 30, span = am_stft_span(s, gf);
    float *sig = malloc(span * sizeof *sig), *rec = malloc(span * sizeof *rec), *gm = malloc(gf * 257 * sizeof *gm);
    for (size_t i = 0; i < span; i++) {
        double t = (double)i / rate;
        sig[i] = (float)(0.3 * sin(2 * M_PI * (300 + 2000 * t) * t) + 0.2 * sin(2 * M_PI * 2500 * t));
    }
    am_stft_magnitude(s, w, sig, span, gf, gm);
    unsigned iters = 40;
    double *err = malloc((iters + 1) * sizeof *err);
    ok(am_stft_griffin_lim(s, gm, gf, iters, 1, rec, err) == AM_OK, "Griffin-Lim, %u iterations", iters);
    int mono = 1;
    for (unsigned k = 0; k < iters; k++)
        mono &= err[k + 1] <= err[k] * (1 + 1e-6) + 1e-9;
    ok(mono, "spectral error never increases (%.4f -> %.4f)", err[0], err[iters]);
    ok(err[iters] < 0.5 * err[0], "and at least halves");
    float *rec2 = malloc(span * sizeof *rec2);
    am_stft_griffin_lim(s, gm, gf, iters, 1, rec2, NULL);
    ok(!memcmp(rec, rec2, span * sizeof *rec), "same seed, same signal");
    ok(am_wav_write(path_of("gl.wav"), rec, span, rate) == AM_OK, "the reconstruction can be written as WAV");
    gm[3] = -1.0f;
    is_int(am_stft_griffin_lim(s, gm, gf, iters, 1, rec, err), AM_ENOTFINITE, "a negative magnitude: AM_ENOTFINITE");

    rebuilt_sound(rate);

    /* ---- errors ---- */
    am_stft *bad = (am_stft *)1;
    am_stft_config cb = c;
    cb.hop = 0;
    is_int(am_stft_create(&bad, &cb, AM_FFT_ESTIMATE), AM_EINVAL, "hop 0");
    ok(bad == NULL, "out NULL after failure");
    cb = c;
    cb.mels = 300;
    is_int(am_stft_create(&bad, &cb, AM_FFT_ESTIMATE), AM_EINVAL, "more mel bands than bins");
    cb = c;
    cb.fmax = 9000;
    is_int(am_stft_create(&bad, &cb, AM_FFT_ESTIMATE), AM_EINVAL, "fmax above Nyquist");
    cb = c;
    cb.floor_db = NAN;
    is_int(am_stft_create(&bad, &cb, AM_FFT_ESTIMATE), AM_EINVAL, "NaN floor");
    is_int(am_stft_magnitude(s, wm, x, n, frames, mag), AM_OK, "a work of the same FFT size serves another STFT");
    am_stft_free(NULL);
    am_stft_work_free(NULL);

    const char *names[] = {"a.wav", "f.wav", "nan.wav", "big.wav", "short.wav", "text.wav", "mp3.wav", "ch0.wav",
                           "nodata.wav", "gl.wav"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++)
        unlink(path_of(names[k]));
    rmdir(dir);
    free(x), free(mag), free(feat), free(mag2), free(mf), free(mm), free(sig), free(rec), free(rec2), free(gm), free(err);
    am_stft_work_free(w), am_stft_work_free(wm);
    am_stft_free(s), am_stft_free(sm);
    return done_testing();
}
