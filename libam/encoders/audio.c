/* WAV files, resampling, spectrograms and Griffin-Lim (see am/audio.h). */
#include "am/audio.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/fft.h"
#include "../core/io.h"
#include "../core/quote.h"
#include "am/cancel.h"
#include "am/error.h"
#include "am/rng.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- WAV ---- */

static uint32_t le32(const unsigned char *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

#define WAV_MAX_BYTES ((size_t)1 << 31)

/* Long loops poll the cancel hook (am/cancel.h) every this many output samples (resampling) or frames. */
#define POLL_SAMPLES 4096
#define POLL_FRAMES 64

void am_audio_clear(am_audio *a)
{
    if (!a)
        return;
    free(a->x);
    memset(a, 0, sizeof *a);
}

int am_wav_read(const char *path, am_audio *out)
{
    if (!out)
        return AM_EINVAL;
    memset(out, 0, sizeof *out);
    if (!path)
        return AM_EINVAL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return am__errno_status();
    struct stat st;
    int rc = AM_OK;
    unsigned char *buf = NULL;
    if (fstat(fileno(f), &st) != 0) {
        rc = am__errno_status();
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = AM_ERRNO(S_ISDIR(st.st_mode) ? EISDIR : EINVAL);
        goto done;
    }
    size_t size = (size_t)st.st_size;
    if (size > WAV_MAX_BYTES) {
        rc = AM_ERANGE;
        goto done;
    }
    if (!(buf = malloc(size ? size : 1))) {
        rc = AM_ENOMEM;
        goto done;
    }
    if (fread(buf, 1, size, f) != size) {
        rc = ferror(f) ? am__errno_status() : AM_ETRUNC;
        goto done;
    }
    if (size < 12 || memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WAVE", 4)) {
        rc = size < 12 && size >= 4 && !memcmp(buf, "RIFF", 4) ? AM_ETRUNC : AM_EFORMAT;
        goto done;
    }
    unsigned fmt = 0, channels = 0, bits = 0, rate = 0, block = 0, have_fmt = 0;
    const unsigned char *data = NULL;
    size_t data_len = 0;
    for (size_t off = 12; off + 8 <= size;) {
        uint32_t len = le32(buf + off + 4);
        const unsigned char *body = buf + off + 8;
        size_t avail = size - off - 8;
        if (!memcmp(buf + off, "fmt ", 4)) {
            if (len < 16 || len > avail) {
                rc = len > avail ? AM_ETRUNC : AM_EFORMAT;
                goto done;
            }
            fmt = le16(body);
            channels = le16(body + 2);
            rate = le32(body + 4);
            block = le16(body + 12);
            bits = le16(body + 14);
            if (fmt == 0xFFFE) { /* WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes are the format */
                if (len < 40) {
                    rc = AM_EFORMAT;
                    goto done;
                }
                fmt = le16(body + 24);
            }
            have_fmt = 1;
        } else if (!memcmp(buf + off, "data", 4)) {
            if (len > avail) { /* a writer that never patched the size (streaming) says 0 or too much */
                rc = AM_ETRUNC;
                goto done;
            }
            data = body;
            data_len = len;
            break;
        }
        if (len > avail)
            break;
        off += 8 + (size_t)len + (len & 1);
    }
    if (!have_fmt || !data) {
        rc = have_fmt ? AM_ETRUNC : AM_EFORMAT;
        goto done;
    }
    int pcm = fmt == 1 && (bits == 8 || bits == 16 || bits == 24 || bits == 32), flt = fmt == 3 && bits == 32;
    if ((!pcm && !flt) || channels < 1 || channels > 64 || rate < 1 || rate > 1000000 ||
        block != channels * (bits / 8)) {
        rc = AM_EFORMAT;
        goto done;
    }
    size_t n = data_len / block;
    if (!(out->x = malloc((n ? n : 1) * sizeof(float)))) {
        rc = AM_ENOMEM;
        goto done;
    }
    size_t bps = bits / 8;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (unsigned c = 0; c < channels; c++) {
            const unsigned char *p = data + i * block + c * bps;
            double v;
            if (flt) {
                float fv;
                uint32_t u = le32(p);
                memcpy(&fv, &u, 4);
                if (!isfinite(fv)) {
                    rc = AM_ENOTFINITE;
                    goto done;
                }
                v = fv;
            } else if (bits == 8) {
                v = ((int)p[0] - 128) / 128.0;
            } else if (bits == 16) {
                v = (int16_t)le16(p) / 32768.0;
            } else if (bits == 24) {
                int32_t t = (int32_t)((uint32_t)p[0] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 24) >> 8;
                v = t / 8388608.0;
            } else {
                v = (int32_t)le32(p) / 2147483648.0;
            }
            s += v;
        }
        out->x[i] = (float)(s / channels);
    }
    out->n = n;
    out->rate = rate;
done:
    if (rc)
        am_audio_clear(out);
    free(buf);
    fclose(f);
    return rc;
}

static void put32(unsigned char *p, uint32_t v) { p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24); }
static void put16(unsigned char *p, uint16_t v) { p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8); }

int am_wav_write(const char *path, const float *x, size_t n, unsigned rate)
{
    if (!path || (n && !x) || rate < 1 || rate > 1000000 || n > (WAV_MAX_BYTES - 64) / 2)
        return AM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return AM_ENOTFINITE;
    unsigned char h[44];
    memcpy(h, "RIFF", 4);
    put32(h + 4, (uint32_t)(36 + 2 * n));
    memcpy(h + 8, "WAVEfmt ", 8);
    put32(h + 16, 16);
    put16(h + 20, 1);
    put16(h + 22, 1);
    put32(h + 24, rate);
    put32(h + 28, rate * 2);
    put16(h + 32, 2);
    put16(h + 34, 16);
    memcpy(h + 36, "data", 4);
    put32(h + 40, (uint32_t)(2 * n));
    am__out o;
    int rc = am__out_open(&o, path);
    if (rc)
        return rc;
    fwrite(h, 1, sizeof h, o.f);
    for (size_t i = 0; i < n; i++) {
        float v = x[i] > 1.0f ? 1.0f : x[i] < -1.0f ? -1.0f : x[i];
        long s = lrintf(v * 32767.0f);
        unsigned char b[2];
        put16(b, (uint16_t)(int16_t)s);
        fwrite(b, 1, 2, o.f);
    }
    return am__out_commit(&o);
}

/* ---- resampling and trimming ---- */

int am_audio_resample(const float *x, size_t n, unsigned from, unsigned to, float **out, size_t *nout)
{
    if (!out || !nout || (n && !x) || from < 1 || to < 1 || from > 1000000 || to > 1000000)
        return AM_EINVAL;
    *out = NULL;
    *nout = 0;
    size_t m;
    if (am_size_mul(n, to, &m))
        return AM_EOVERFLOW;
    m = (m + from - 1) / from;
    float *y = malloc((m ? m : 1) * sizeof *y);
    if (!y)
        return AM_ENOMEM;
    if (from == to) {
        if (n)
            memcpy(y, x, n * sizeof *y);
    } else {
        double fc = to < from ? (double)to / from : 1.0, half = 16.0 / fc, step = (double)from / to;
        for (size_t j = 0; j < m; j++) {
            if (j % POLL_SAMPLES == 0 && am_cancel_poll()) {
                free(y);
                return AM_ECANCELED;
            }
            double t = (double)j * step, s = 0.0;
            long lo = (long)ceil(t - half), hi = (long)floor(t + half);
            if (lo < 0)
                lo = 0;
            if (hi > (long)n - 1)
                hi = (long)n - 1;
            for (long i = lo; i <= hi; i++) {
                double u = t - (double)i, arg = M_PI * fc * u;
                double sinc = fabs(arg) < 1e-12 ? 1.0 : sin(arg) / arg;
                double win = 0.5 + 0.5 * cos(M_PI * u / half);
                s += x[i] * fc * sinc * win;
            }
            y[j] = (float)s;
        }
    }
    *out = y;
    *nout = m;
    return AM_OK;
}

void am_audio_trim(const float *x, size_t n, float rel, size_t pad, size_t *start, size_t *len)
{
    float mx = 0.0f;
    for (size_t i = 0; i < n; i++)
        mx = fabsf(x[i]) > mx ? fabsf(x[i]) : mx;
    *start = 0;
    *len = 0;
    if (mx == 0.0f)
        return;
    float th = rel * mx;
    size_t a = 0, b = n;
    while (a < n && fabsf(x[a]) < th)
        a++;
    while (b > a && fabsf(x[b - 1]) < th)
        b--;
    a = a > pad ? a - pad : 0;
    b = n - b > pad ? b + pad : n;
    *start = a;
    *len = b - a;
}

/* ---- loudness ---- */

/* The sum of squares of x[a .. b). */
static double energy(const float *x, size_t a, size_t b)
{
    double e = 0.0;
    for (size_t i = a; i < b; i++)
        e += (double)x[i] * x[i];
    return e;
}

double am_audio_active_level(const float *x, size_t n, size_t block, double range_db)
{
    if (!x || !n || !block || !(range_db >= 0.0))
        return -INFINITY;
    /* Mean squares of whole blocks (a short last block counts as its own). */
    double top = 0.0;
    for (size_t a = 0; a < n; a += block) {
        size_t b = n - a < block ? n : a + block;
        double e = energy(x, a, b) / (double)(b - a);
        top = e > top ? e : top;
    }
    if (!(top > 0.0) || !isfinite(top))
        return top > 0.0 ? INFINITY : -INFINITY;
    double th = top * pow(10.0, -range_db / 10.0), sum = 0.0;
    size_t cnt = 0;
    for (size_t a = 0; a < n; a += block) {
        size_t b = n - a < block ? n : a + block;
        double e = energy(x, a, b);
        if (e / (double)(b - a) >= th)
            sum += e, cnt += b - a;
    }
    return 10.0 * log10(sum / (double)cnt);
}

int am_audio_normalize(float *x, size_t n, size_t block, double level_db, double peak_db)
{
    if ((n && !x) || !block || !isfinite(level_db) || !isfinite(peak_db) || level_db > 0.0 || peak_db > 0.0)
        return AM_EINVAL;
    float pk = 0.0f;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return AM_ENOTFINITE;
        pk = fabsf(x[i]) > pk ? fabsf(x[i]) : pk;
    }
    if (pk == 0.0f)
        return AM_OK;
    double now = am_audio_active_level(x, n, block, AM_AUDIO_ACTIVE_RANGE_DB);
    double g = pow(10.0, (level_db - now) / 20.0), gmax = pow(10.0, peak_db / 20.0) / pk;
    g = g < gmax ? g : gmax;
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(x[i] * g);
    return AM_OK;
}

/* ---- spectrograms ---- */

struct am_stft {
    am_stft_config c;
    size_t h;            /* linear bins */
    float *window;       /* nfft, periodic Hann */
    float *fb;           /* mels x h filterbank (NULL for linear bins) */
    am__rfft plan;       /* one frame */
};

struct am_stft_work {
    size_t nfft, h;
    float *frame;
    fftwf_complex *spec;
};

void am_stft_config_default(am_stft_config *c)
{
    memset(c, 0, sizeof *c);
    c->rate = 16000;
    c->nfft = 512;
    c->hop = 256;
    c->mels = 40;
    c->fmin = 0.0;
    c->fmax = 0.0; /* rate / 2 */
    c->floor_db = 80.0;
}

static double hz_to_mel(double f) { return 2595.0 * log10(1.0 + f / 700.0); }
static double mel_to_hz(double m) { return 700.0 * (pow(10.0, m / 2595.0) - 1.0); }

int am_stft_create(am_stft **out, const am_stft_config *cfg, am_fft_planning how)
{
    if (!out || !cfg)
        return AM_EINVAL;
    *out = NULL;
    am_stft_config c = *cfg;
    if (c.fmax == 0.0)
        c.fmax = c.rate / 2.0;
    if (c.rate < 1 || c.rate > 1000000 || c.nfft < 16 || c.nfft > ((size_t)1 << 20) || c.hop < 1 || c.hop > c.nfft ||
        c.mels > c.nfft / 2 + 1 || !(c.fmin >= 0.0) || !(c.fmax > c.fmin) || c.fmax > c.rate / 2.0 + 1e-9 ||
        !(c.floor_db > 0.0 && c.floor_db <= 300.0))
        return AM_EINVAL;
    am_stft *s = calloc(1, sizeof *s);
    if (!s)
        return AM_ENOMEM;
    s->c = c;
    s->h = c.nfft / 2 + 1;
    s->window = malloc(c.nfft * sizeof *s->window);
    if (c.mels)
        s->fb = calloc(c.mels * s->h, sizeof *s->fb);
    int rc = (!s->window || (c.mels && !s->fb)) ? AM_ENOMEM : am__rfft_init(&s->plan, c.nfft, 1, how);
    if (rc) {
        am_stft_free(s);
        return rc;
    }
    for (size_t i = 0; i < c.nfft; i++)
        s->window[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)c.nfft));
    if (c.mels) {
        double m0 = hz_to_mel(c.fmin), m1 = hz_to_mel(c.fmax), bw = (double)c.rate / (double)c.nfft;
        for (size_t m = 0; m < c.mels; m++) {
            double lo = mel_to_hz(m0 + (m1 - m0) * (double)m / (double)(c.mels + 1));
            double mid = mel_to_hz(m0 + (m1 - m0) * (double)(m + 1) / (double)(c.mels + 1));
            double hi = mel_to_hz(m0 + (m1 - m0) * (double)(m + 2) / (double)(c.mels + 1));
            int any = 0;
            for (size_t k = 0; k < s->h; k++) {
                double f = (double)k * bw, wgt = 0.0;
                if (f > lo && f < mid)
                    wgt = (f - lo) / (mid - lo);
                else if (f >= mid && f < hi)
                    wgt = (hi - f) / (hi - mid);
                s->fb[m * s->h + k] = (float)wgt;
                any |= wgt > 0.0;
            }
            if (!any) { /* a band narrower than a bin: the nearest bin */
                size_t k = (size_t)lrint(mid / bw);
                s->fb[m * s->h + (k < s->h ? k : s->h - 1)] = 1.0f;
            }
        }
    }
    *out = s;
    return AM_OK;
}

void am_stft_free(am_stft *s)
{
    if (!s)
        return;
    am__rfft_destroy(&s->plan);
    free(s->window);
    free(s->fb);
    free(s);
}

const am_stft_config *am_stft_config_of(const am_stft *s) { return &s->c; }
size_t am_stft_bins(const am_stft *s) { return s->c.mels ? s->c.mels : s->h; }
size_t am_stft_lbins(const am_stft *s) { return s->h; }
size_t am_stft_span(const am_stft *s, size_t frames) { return frames ? (frames - 1) * s->c.hop + s->c.nfft : 0; }

int am_stft_work_create(am_stft_work **out, const am_stft *s)
{
    if (!out || !s)
        return AM_EINVAL;
    am_stft_work *w = calloc(1, sizeof *w);
    if (!w)
        return AM_ENOMEM;
    w->nfft = s->c.nfft;
    w->h = s->h;
    w->frame = am__fft_alloc(w->nfft * sizeof(float));
    w->spec = am__fft_alloc(w->h * sizeof(fftwf_complex));
    if (!w->frame || !w->spec) {
        am_stft_work_free(w);
        return AM_ENOMEM;
    }
    *out = w;
    return AM_OK;
}

void am_stft_work_free(am_stft_work *w)
{
    if (!w)
        return;
    am__fft_free(w->frame);
    am__fft_free(w->spec);
    free(w);
}

/* Spectrum of frame f of x (zero beyond n) into w->spec. */
static void frame_spectrum(const am_stft *s, am_stft_work *w, const float *x, size_t n, size_t f)
{
    size_t t0 = f * s->c.hop;
    for (size_t i = 0; i < s->c.nfft; i++)
        w->frame[i] = t0 + i < n ? x[t0 + i] * s->window[i] : 0.0f;
    am__rfft_forward(&s->plan, w->frame, w->spec);
}

int am_stft_magnitude(const am_stft *s, am_stft_work *w, const float *x, size_t n, size_t frames, float *mag)
{
    if (!s || !w || (n && !x) || (frames && !mag) || w->nfft != s->c.nfft)
        return AM_EINVAL;
    for (size_t f = 0; f < frames; f++) {
        if (f % POLL_FRAMES == 0 && am_cancel_poll())
            return AM_ECANCELED;
        frame_spectrum(s, w, x, n, f);
        for (size_t k = 0; k < s->h; k++)
            mag[f * s->h + k] = hypotf(w->spec[k][0], w->spec[k][1]);
    }
    return AM_OK;
}

int am_stft_features(const am_stft *s, am_stft_work *w, const float *x, size_t n, size_t frames, float *out)
{
    if (!s || !w || (n && !x) || (frames && !out) || w->nfft != s->c.nfft)
        return AM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return AM_ENOTFINITE;
    size_t B = am_stft_bins(s);
    double peak = 0.0;
    for (size_t f = 0; f < frames; f++) {
        if (f % POLL_FRAMES == 0 && am_cancel_poll())
            return AM_ECANCELED;
        frame_spectrum(s, w, x, n, f);
        float *o = out + f * B;
        if (s->fb) {
            for (size_t m = 0; m < B; m++) {
                const float *fr = s->fb + m * s->h;
                double p = 0.0;
                for (size_t k = 0; k < s->h; k++)
                    if (fr[k] != 0.0f)
                        p += fr[k] * ((double)w->spec[k][0] * w->spec[k][0] + (double)w->spec[k][1] * w->spec[k][1]);
                o[m] = (float)p;
            }
        } else {
            for (size_t k = 0; k < s->h; k++)
                o[k] = w->spec[k][0] * w->spec[k][0] + w->spec[k][1] * w->spec[k][1];
        }
        for (size_t k = 0; k < B; k++)
            peak = o[k] > peak ? o[k] : peak;
    }
    double fl = s->c.floor_db;
    for (size_t i = 0; i < frames * B; i++) {
        double v = 0.0;
        if (peak > 0.0 && out[i] > 0.0f) {
            v = (10.0 * log10(out[i] / peak) + fl) / fl;
            v = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
        }
        out[i] = (float)v;
    }
    return AM_OK;
}

int am_stft_features_to_magnitude(const am_stft *s, const float *feat, size_t frames, float *mag)
{
    if (!s || (frames && (!feat || !mag)))
        return AM_EINVAL;
    size_t B = am_stft_bins(s), H = s->h;
    double fl = s->c.floor_db;
    for (size_t f = 0; f < frames; f++) {
        const float *in = feat + f * B;
        float *o = mag + f * H;
        if (!s->fb) {
            for (size_t k = 0; k < H; k++) {
                double v = isfinite(in[k]) ? in[k] : 0.0;
                o[k] = v <= 0.0 ? 0.0f : (float)pow(10.0, (fmin(v, 1.0) * fl - fl) / 20.0);
            }
            continue;
        }
        for (size_t k = 0; k < H; k++) {
            double num = 0.0, den = 0.0;
            for (size_t m = 0; m < B; m++) {
                double wgt = s->fb[m * H + k], v = isfinite(in[m]) ? in[m] : 0.0;
                if (wgt == 0.0)
                    continue;
                den += wgt;
                if (v > 0.0)
                    num += wgt * pow(10.0, (fmin(v, 1.0) * fl - fl) / 10.0);
            }
            o[k] = den > 0.0 ? (float)sqrt(num / den) : 0.0f;
        }
    }
    return AM_OK;
}

int am_stft_griffin_lim(const am_stft *s, const float *mag, size_t frames, unsigned iters, uint64_t seed, float *x,
                        double *err)
{
    if (!s || !frames || !mag || !x)
        return AM_EINVAL;
    size_t H = s->h, N = s->c.nfft, hop = s->c.hop, span = am_stft_span(s, frames), tot;
    if (am_size_mul(frames, H, &tot))
        return AM_EOVERFLOW;
    for (size_t i = 0; i < tot; i++)
        if (!isfinite(mag[i]) || mag[i] < 0.0f)
            return AM_ENOTFINITE;
    am_stft_work *w = NULL;
    int rc = am_stft_work_create(&w, s);
    fftwf_complex *Y = am__fft_alloc(tot * sizeof *Y);
    double *acc = malloc(span * sizeof *acc), *wsum = calloc(span, sizeof *wsum);
    float *tmp = am__fft_alloc(N * sizeof *tmp);
    if (rc || !Y || !acc || !wsum || !tmp) {
        rc = rc ? rc : AM_ENOMEM;
        goto done;
    }
    double mnorm = 0.0;
    for (size_t i = 0; i < tot; i++)
        mnorm += (double)mag[i] * mag[i];
    mnorm = sqrt(mnorm);
    for (size_t f = 0; f < frames; f++)
        for (size_t i = 0; i < N; i++)
            wsum[f * hop + i] += (double)s->window[i] * s->window[i];
    /* Where few window weights overlap (the first and last samples, or every frame edge when hop is near
     * nfft) dividing by their tiny sum would blow up whatever the modified spectrum leaves there: below a
     * tenth of the largest sum the division is by that floor instead, which tapers those samples (the same
     * regularised least squares, exact wherever the windows overlap enough). */
    double wfloor = 0.0;
    for (size_t t = 0; t < span; t++)
        wfloor = wsum[t] > wfloor ? wsum[t] : wfloor;
    wfloor *= 0.1;
    /* Start: the target magnitudes with random phases. */
    am_rng rng;
    am_rng_init(&rng, seed, 0x6c);
    for (size_t i = 0; i < tot; i++) {
        double ph = 2.0 * M_PI * am_rng_uniform(&rng);
        Y[i][0] = (float)(mag[i] * cos(ph));
        Y[i][1] = (float)(mag[i] * sin(ph));
    }
    for (unsigned it = 0;; it++) {
        /* x = the least-squares signal of the modified STFT Y: sum of windowed frames / sum of windows^2. */
        memset(acc, 0, span * sizeof *acc);
        for (size_t f = 0; f < frames; f++) {
            if (f % POLL_FRAMES == 0 && (rc = am_cancel_poll()))
                goto done;
            memcpy(w->spec, Y + f * H, H * sizeof *w->spec);
            am__rfft_inverse(&s->plan, w->spec, tmp);
            for (size_t i = 0; i < N; i++)
                acc[f * hop + i] += (double)s->window[i] * tmp[i] / (double)N;
        }
        for (size_t t = 0; t < span; t++)
            x[t] = (float)(acc[t] / (wsum[t] > wfloor ? wsum[t] : wfloor));
        /* Its STFT; the error of its magnitudes; new phases on the target magnitudes. */
        double e2 = 0.0;
        for (size_t f = 0; f < frames; f++) {
            if (f % POLL_FRAMES == 0 && (rc = am_cancel_poll()))
                goto done;
            frame_spectrum(s, w, x, span, f);
            for (size_t k = 0; k < H; k++) {
                float re = w->spec[k][0], im = w->spec[k][1], m = hypotf(re, im), t = mag[f * H + k];
                e2 += ((double)m - t) * ((double)m - t);
                if (m > 0.0f) {
                    Y[f * H + k][0] = t * (re / m);
                    Y[f * H + k][1] = t * (im / m);
                } else {
                    Y[f * H + k][0] = t;
                    Y[f * H + k][1] = 0.0f;
                }
            }
        }
        if (err)
            err[it] = mnorm > 0.0 ? sqrt(e2) / mnorm : 0.0;
        if (it == iters)
            break;
    }
done:
    am_stft_work_free(w);
    am__fft_free(Y);
    am__fft_free(tmp);
    free(acc);
    free(wsum);
    return rc;
}

/* The keys of a settings file, the ranges bin/speech-data writes (hop and mels also checked against nfft once
 * all are read), and whether the value must be a whole number. */
static const struct {
    const char *key;
    double lo, hi;
    int whole;
} setting[6] = {{"rate", 8000, 48000, 1}, {"nfft", 64, 8192, 1}, {"hop", 1, 8192, 1},
                {"mels", 0, 4097, 1},     {"frames", 1, 1024, 1}, {"floor_db", 1e-3, 300, 0}};

/* One "key value" line into v[] (the key's index marked in *seen); else the reason in why. */
static int setting_line(const char *line, size_t len, size_t lineno, double v[6], int *seen, char *why, size_t size)
{
    char q[AM__QUOTE_SIZE], tail;
    double x = 0;
    int k = 6;
    size_t kl = strspn(line, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    int shaped = strlen(line) == len && kl > 0 && (line[kl] == ' ' || line[kl] == '\t');
    while (shaped && --k >= 0 && !(strlen(setting[k].key) == kl && !strncmp(line, setting[k].key, kl)))
        ;
    if (!shaped || (k >= 0 && (sscanf(line + kl, "%lf %c", &x, &tail) != 1 || !isfinite(x)))) {
        am__say(why, size, "line %zu: %s is not 'key value'", lineno, am__quote(q, sizeof q, line, len));
        return AM_EFORMAT;
    }
    if (k < 0)
        return AM_OK; /* another key: skipped */
    if (*seen & (1 << k)) {
        am__say(why, size, "line %zu: %s given twice", lineno, setting[k].key);
        return AM_EFORMAT;
    }
    if (!(x >= setting[k].lo && x <= setting[k].hi) || (setting[k].whole && x != floor(x))) {
        am__say(why, size, "line %zu: %s: want %s %s%g .. %g", lineno, am__quote(q, sizeof q, line, len),
                setting[k].key, setting[k].whole ? "a whole number in " : "", setting[k].lo, setting[k].hi);
        return AM_ERANGE;
    }
    v[k] = x;
    *seen |= 1 << k;
    return AM_OK;
}

int am_stft_settings_read(const char *path, am_stft_config *c, size_t *frames, char *why, size_t size)
{
    if (why && size)
        why[0] = 0;
    if (!path || !c || !frames)
        return AM_EINVAL;
    FILE *f = fopen(path, "r");
    if (!f) {
        int rc = am__errno_status();
        am__say(why, size, "%s", am_strerror(rc));
        return rc;
    }
    char line[256];
    double v[6] = {0};
    size_t len, lineno = 0;
    int seen = 0, rc = AM_OK, got;
    while (!rc && (got = am__read_line(f, line, sizeof line, &len)) >= 0) {
        lineno++;
        if (got > 0) {
            am__say(why, size, "line %zu: longer than %zu bytes", lineno, sizeof line - 1);
            rc = AM_EFORMAT;
        } else if (len && line[0] != '#') {
            rc = setting_line(line, len, lineno, v, &seen, why, size);
        }
    }
    if (!rc && ferror(f))
        am__say(why, size, "%s", am_strerror(rc = am__errno_status()));
    fclose(f);
    if (!rc && seen != 63) {
        am__say(why, size, "needs rate, nfft, hop, mels, frames and floor_db");
        rc = AM_EFORMAT;
    } else if (!rc && (v[2] > v[1] || v[3] > v[1] / 2 + 1)) {
        am__say(why, size, "hop %g or mels %g beyond nfft %g (hop <= nfft, mels <= nfft/2 + 1)", v[2], v[3], v[1]);
        rc = AM_ERANGE;
    }
    if (rc)
        return rc;
    am_stft_config_default(c);
    c->rate = (unsigned)v[0], c->nfft = (size_t)v[1], c->hop = (size_t)v[2], c->mels = (size_t)v[3];
    c->floor_db = v[5];
    *frames = (size_t)v[4];
    return AM_OK;
}

int am_stft_features_to_wav(const am_stft *s, const float *feat, size_t frames, unsigned iters, uint64_t seed,
                            const char *path, double *err)
{
    if (!s || !feat || !path || frames == 0)
        return AM_EINVAL;
    size_t H = am_stft_lbins(s), span = am_stft_span(s, frames);
    float *mag = malloc(frames * H * sizeof *mag), *sig = malloc(span * sizeof *sig);
    double *e = malloc(((size_t)iters + 1) * sizeof *e);
    int rc = mag && sig && e ? AM_OK : AM_ENOMEM;
    if (!rc && !(rc = am_stft_features_to_magnitude(s, feat, frames, mag)) &&
        !(rc = am_stft_griffin_lim(s, mag, frames, iters, seed, sig, e))) {
        const am_stft_config *c = am_stft_config_of(s);
        rc = am_audio_normalize(sig, span, c->hop, AM_AUDIO_SPEECH_DB, AM_AUDIO_PEAK_DB);
        if (!rc)
            rc = am_wav_write(path, sig, span, c->rate);
        if (!rc && err)
            *err = e[iters];
    }
    free(mag);
    free(sig);
    free(e);
    return rc;
}
