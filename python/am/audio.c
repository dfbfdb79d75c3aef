/* audio.c — the audio front-end from Python (am/audio.h): WAV files, resampling, trimming, loudness,
 * spectrograms (am.STFT) and Griffin-Lim. Signals go in as 1-D arrays of finite numbers (float32 in place,
 * anything else converted) and come out as float32 arrays. */
#include "ext.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am/audio.h"

#define WAV_MAX_SAMPLES ((((size_t)1 << 31) - 64) / 2) /* am_wav_write: a 2 GB file of 16-bit samples */
#define RATE_MAX 1000000
#define DEFAULT_BLOCK 256 /* samples per loudness block: one hop of the default spectrogram */

/* A signal argument: a 1-D array of finite numbers, at least one sample. */
static PyObject *signal_in(PyObject *o, int copy, const char *what)
{
    return amx_floats(o, 0, 1, 1, copy, what);
}

/* ------------------------------------------------------------------------------------------------ */
/* WAV files */

static PyObject *am_py_read_wav(PyObject *mod, PyObject *args, PyObject *kw)
{
    static char *names[] = {"path", NULL};
    PyObject *po, *path;
    (void)mod;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:read_wav", names, &po) || amx_path(po, &path))
        return NULL;
    am_audio a;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = am_wav_read(PyBytes_AS_STRING(path), &a);
    Py_END_ALLOW_THREADS
    if (rc) {
        PyObject *r = amx_raise(rc, "read_wav('%s')", PyBytes_AS_STRING(path));
        Py_DECREF(path);
        return r;
    }
    Py_DECREF(path);
    PyObject *x = amx_copy_out(AMX_F32, a.x, (Py_ssize_t)a.n, 0, "read_wav: samples");
    unsigned rate = a.rate;
    am_audio_clear(&a);
    return x ? Py_BuildValue("(NI)", x, rate) : NULL;
}

static PyObject *am_py_write_wav(PyObject *mod, PyObject *args, PyObject *kw)
{
    static char *names[] = {"path", "x", "rate", NULL};
    PyObject *po, *xo, *path;
    amx_int rate = AMX_INT("rate", 1, RATE_MAX, 0);
    (void)mod;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO&:write_wav", names, &po, &xo, amx_int_conv, &rate))
        return NULL;
    PyObject *x = signal_in(xo, 0, "write_wav: x");
    if (!x)
        return NULL;
    size_t n = (size_t)amx_dim(x, 0);
    if (n > WAV_MAX_SAMPLES) {
        Py_DECREF(x);
        return amx_value_error("write_wav: x has %zu samples; a WAV file holds at most %zu (2 GB of 16-bit samples)",
                               n, WAV_MAX_SAMPLES);
    }
    if (amx_path(po, &path)) {
        Py_DECREF(x);
        return NULL;
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = am_wav_write(PyBytes_AS_STRING(path), amx_data(x), n, (unsigned)rate.u);
    Py_END_ALLOW_THREADS
    Py_DECREF(x);
    PyObject *r = rc ? amx_raise(rc, "write_wav('%s')", PyBytes_AS_STRING(path)) : Py_NewRef(Py_None);
    Py_DECREF(path);
    return r;
}

/* ------------------------------------------------------------------------------------------------ */
/* Resampling, trimming, loudness */

static PyObject *am_py_resample(PyObject *mod, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "rate", "to", NULL};
    PyObject *xo;
    amx_int from = AMX_INT("rate", 1, RATE_MAX, 0), to = AMX_INT("to", 1, RATE_MAX, 0);
    (void)mod;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO&O&:resample", names, &xo, amx_int_conv, &from, amx_int_conv, &to))
        return NULL;
    PyObject *x = signal_in(xo, 0, "resample: x");
    if (!x)
        return NULL;
    size_t n = (size_t)amx_dim(x, 0);
    double m = ceil((double)n * (double)to.u / (double)from.u);
    if (amx_fits_memory(m * sizeof(float), "; resample a shorter piece", "resample: %zu samples from %llu to %llu Hz",
                        n, from.u, to.u)) {
        Py_DECREF(x);
        return NULL;
    }
    float *y = NULL;
    size_t ny = 0;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_audio_resample(amx_data(x), n, (unsigned)from.u, (unsigned)to.u, &y, &ny);
    amx_interrupt_end(&it);
    Py_DECREF(x);
    if (rc)
        return amx_raise(rc, "resample: %zu samples from %llu to %llu Hz", n, from.u, to.u);
    PyObject *r = amx_copy_out(AMX_F32, y, (Py_ssize_t)ny, 0, "resample: the result");
    free(y);
    return r;
}

static PyObject *am_py_trim(PyObject *mod, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "rel", "pad", NULL};
    PyObject *xo;
    amx_real rel = {.name = "rel", .lo = 0.0, .hi = 1.0, .open = AMX_OPEN_LO | AMX_OPEN_HI, .v = 0.02};
    amx_int pad = AMX_INT("pad", 0, AMX_SSIZE_MAX, 0);
    (void)mod;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O&O&:trim", names, &xo, amx_real_conv, &rel, amx_int_conv, &pad))
        return NULL;
    PyObject *x = signal_in(xo, 0, "trim: x");
    if (!x)
        return NULL;
    size_t start, len;
    const float *d = amx_data(x);
    am_audio_trim(d, (size_t)amx_dim(x, 0), (float)rel.v, (size_t)pad.u, &start, &len);
    PyObject *r = amx_copy_out(AMX_F32, d + start, (Py_ssize_t)len, 0, "trim: the result");
    Py_DECREF(x);
    return r;
}

static PyObject *am_py_active_level(PyObject *mod, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "block", "range_db", NULL};
    PyObject *xo;
    amx_int block = AMX_INT("block", 1, AMX_SSIZE_MAX, DEFAULT_BLOCK);
    amx_real range = AMX_REAL("range_db", 0.0, 1000.0, AM_AUDIO_ACTIVE_RANGE_DB);
    (void)mod;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O&O&:active_level", names, &xo, amx_int_conv, &block,
                                     amx_real_conv, &range))
        return NULL;
    PyObject *x = signal_in(xo, 0, "active_level: x");
    if (!x)
        return NULL;
    double v = am_audio_active_level(amx_data(x), (size_t)amx_dim(x, 0), (size_t)block.u, range.v);
    Py_DECREF(x);
    return PyFloat_FromDouble(v);
}

static PyObject *am_py_normalize(PyObject *mod, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "level_db", "peak_db", "block", NULL};
    PyObject *xo;
    amx_real level = AMX_REAL("level_db", -1000.0, 0.0, AM_AUDIO_SPEECH_DB);
    amx_real peak = AMX_REAL("peak_db", -1000.0, 0.0, AM_AUDIO_PEAK_DB);
    amx_int block = AMX_INT("block", 1, AMX_SSIZE_MAX, DEFAULT_BLOCK);
    (void)mod;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O&O&O&:normalize", names, &xo, amx_real_conv, &level,
                                     amx_real_conv, &peak, amx_int_conv, &block))
        return NULL;
    PyObject *in = signal_in(xo, 0, "normalize: x");
    if (!in)
        return NULL;
    Py_ssize_t n = amx_dim(in, 0);
    PyObject *y = amx_copy_out(AMX_F32, amx_data(in), n, 0, "normalize: the result");
    Py_DECREF(in);
    if (!y)
        return NULL;
    int rc = am_audio_normalize(amx_data(y), (size_t)n, (size_t)block.u, level.v, peak.v);
    if (rc) {
        Py_DECREF(y);
        return amx_raise(rc, "normalize(level_db=%g, peak_db=%g, block=%llu)", level.v, peak.v, block.u);
    }
    return y;
}

/* ------------------------------------------------------------------------------------------------ */
/* STFT */

typedef struct {
    PyObject_HEAD am_stft *s;
    size_t frames; /* from a settings file (read_settings), else 0 */
} STFTObject;

static PyTypeObject STFTType;

static void STFT_dealloc(STFTObject *self)
{
    am_stft_free(self->s);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

#define STFT_READY(self)                                                                                           \
    do {                                                                                                           \
        if (!(self)->s) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the STFT was not initialised");                                   \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

/* The checks am_stft_create makes, each with a message naming the argument. */
static int stft_config_check(const am_stft_config *c)
{
    if (c->hop > c->nfft)
        return amx_value_error("STFT: hop %zu is longer than nfft %zu (a frame step of at most one frame)", c->hop,
                               c->nfft), -1;
    if (c->mels > c->nfft / 2 + 1)
        return amx_value_error("STFT: mels %zu is more than the %zu linear bins of nfft %zu (at most nfft/2 + 1)",
                               c->mels, c->nfft / 2 + 1, c->nfft), -1;
    if (!(c->fmax > c->fmin) || c->fmax > c->rate / 2.0)
        return amx_value_error("STFT: fmax %g must lie above fmin %g and at most at rate/2 = %g Hz", c->fmax, c->fmin,
                               c->rate / 2.0), -1;
    return 0;
}

static int stft_make(STFTObject *self, const am_stft_config *c)
{
    if (stft_config_check(c))
        return -1;
    int rc = am_stft_create(&self->s, c, AM_FFT_ESTIMATE);
    if (rc)
        return amx_raise(rc, "STFT(rate=%u, nfft=%zu, hop=%zu, mels=%zu)", c->rate, c->nfft, c->hop, c->mels), -1;
    return 0;
}

static int STFT_init(STFTObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"rate", "nfft", "hop", "mels", "fmin", "fmax", "floor_db", NULL};
    am_stft_config c;
    am_stft_config_default(&c);
    amx_int rate = AMX_INT("rate", 1, RATE_MAX, c.rate), nfft = AMX_INT("nfft", 16, (size_t)1 << 20, c.nfft);
    amx_int hop = AMX_INT("hop", 1, (size_t)1 << 20, c.hop), mels = AMX_INT("mels", 0, (size_t)1 << 19, c.mels);
    amx_real fmin = AMX_REAL("fmin", 0.0, RATE_MAX / 2.0, c.fmin), floor = AMX_REAL_ABOVE("floor_db", 0.0, 300.0, c.floor_db);
    amx_real fmax = AMX_REAL_ABOVE("fmax", 0.0, RATE_MAX / 2.0, 0.0);
    PyObject *fmaxo = Py_None;
    if (self->s)
        return amx_value_error("an STFT is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$O&O&O&O&O&OO&:STFT", names, amx_int_conv, &rate, amx_int_conv, &nfft,
                                     amx_int_conv, &hop, amx_int_conv, &mels, amx_real_conv, &fmin, &fmaxo,
                                     amx_real_conv, &floor))
        return -1;
    if (fmaxo != Py_None && amx_real_from(fmaxo, &fmax))
        return -1;
    c.rate = (unsigned)rate.u, c.nfft = (size_t)nfft.u, c.hop = (size_t)hop.u, c.mels = (size_t)mels.u;
    c.fmin = fmin.v, c.fmax = fmaxo == Py_None ? c.rate / 2.0 : fmax.v, c.floor_db = floor.v;
    return stft_make(self, &c);
}

static PyObject *STFT_read_settings(PyObject *cls, PyObject *po)
{
    PyObject *path;
    if (amx_path(po, &path))
        return NULL;
    am_stft_config c;
    size_t frames = 0;
    char why[256] = "";
    int rc = am_stft_settings_read(PyBytes_AS_STRING(path), &c, &frames, why, sizeof why);
    if (rc) {
        PyObject *r = amx_raise(rc, "STFT.read_settings('%s'): %s", PyBytes_AS_STRING(path), why);
        Py_DECREF(path);
        return r;
    }
    Py_DECREF(path);
    STFTObject *o = (STFTObject *)((PyTypeObject *)cls)->tp_alloc((PyTypeObject *)cls, 0);
    if (!o)
        return NULL;
    c.fmax = c.rate / 2.0;
    if (stft_make(o, &c)) {
        Py_DECREF(o);
        return NULL;
    }
    o->frames = frames;
    return (PyObject *)o;
}

/* frames= of an analysis: None covers the signal (n samples), else 1 .. */
static int frames_arg(STFTObject *self, PyObject *o, size_t n, size_t *frames)
{
    const am_stft_config *c = am_stft_config_of(self->s);
    if (!o || o == Py_None) {
        *frames = n <= c->nfft ? 1 : 1 + (n - c->nfft + c->hop - 1) / c->hop;
        return 0;
    }
    amx_int f = AMX_INT("frames", 1, AMX_SSIZE_MAX, 1);
    if (amx_int_from(o, &f))
        return -1;
    *frames = (size_t)f.u;
    return 0;
}

/* magnitude(x, frames) and features(x, frames): frames x cols floats, GIL released. */
static PyObject *stft_analyse(STFTObject *self, PyObject *args, PyObject *kw, int features)
{
    static char *names[] = {"x", "frames", NULL};
    const char *what = features ? "STFT.features" : "STFT.magnitude";
    PyObject *xo, *fo = Py_None;
    STFT_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, features ? "O|O:features" : "O|O:magnitude", names, &xo, &fo))
        return NULL;
    char xname[40];
    snprintf(xname, sizeof xname, "%s: x", what);
    PyObject *x = signal_in(xo, 0, xname);
    if (!x)
        return NULL;
    size_t n = (size_t)amx_dim(x, 0), frames, cols = features ? am_stft_bins(self->s) : am_stft_lbins(self->s);
    am_stft_work *w = NULL;
    PyObject *out = NULL;
    int rc;
    if (frames_arg(self, fo, n, &frames) ||
        amx_fits_memory((double)frames * (double)cols * sizeof(float), "; ask for fewer frames", "%s: %zu frames x %zu bins", what,
                        frames, cols) ||
        !(out = amx_new2(AMX_F32, (Py_ssize_t)frames, (Py_ssize_t)cols, what)))
        goto fail;
    if ((rc = am_stft_work_create(&w, self->s))) {
        amx_raise(rc, "%s: work buffers", what);
        goto fail;
    }
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    rc = features ? am_stft_features(self->s, w, amx_data(x), n, frames, amx_data(out))
                  : am_stft_magnitude(self->s, w, amx_data(x), n, frames, amx_data(out));
    amx_interrupt_end(&it);
    am_stft_work_free(w);
    if (rc) {
        amx_raise(rc, "%s: %zu samples, %zu frames", what, n, frames);
        goto fail;
    }
    Py_DECREF(x);
    return out;
fail:
    Py_XDECREF(out);
    Py_DECREF(x);
    return NULL;
}

static PyObject *STFT_magnitude(STFTObject *self, PyObject *args, PyObject *kw) { return stft_analyse(self, args, kw, 0); }
static PyObject *STFT_features(STFTObject *self, PyObject *args, PyObject *kw) { return stft_analyse(self, args, kw, 1); }

/* A frames x cols input (1-D: one frame). */
static PyObject *frames_in(PyObject *o, size_t cols, const char *what)
{
    return amx_floats(o, cols, 1, 2, 0, what);
}

static PyObject *STFT_features_to_magnitude(STFTObject *self, PyObject *arg)
{
    STFT_READY(self);
    PyObject *feat = frames_in(arg, am_stft_bins(self->s), "STFT.features_to_magnitude: feat");
    if (!feat)
        return NULL;
    Py_ssize_t frames = amx_rows(feat);
    PyObject *out = amx_new2(AMX_F32, frames, (Py_ssize_t)am_stft_lbins(self->s), "STFT.features_to_magnitude");
    int rc = 0;
    if (out) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_stft_features_to_magnitude(self->s, amx_data(feat), (size_t)frames, amx_data(out));
        amx_interrupt_end(&it);
    }
    Py_DECREF(feat);
    if (out && rc) {
        Py_CLEAR(out);
        amx_raise(rc, "STFT.features_to_magnitude: %zd frames", frames);
    }
    return out;
}

/* The memory Griffin-Lim takes for `frames` frames (its spectra, sums and the signal), 0 after a size check
 * failed (MemoryError set). */
static int griffin_lim_fits(STFTObject *self, size_t frames, const char *what)
{
    const am_stft_config *c = am_stft_config_of(self->s);
    double span = (double)(frames - 1) * (double)c->hop + (double)c->nfft;
    double bytes = (double)frames * (double)am_stft_lbins(self->s) * 12.0 + span * 20.0;
    return amx_fits_memory(bytes, "; ask for fewer frames", "%s: %zu frames (%.0f samples)", what, frames, span);
}

static PyObject *STFT_griffin_lim(STFTObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"mag", "iters", "seed", "errors", NULL};
    PyObject *mo;
    amx_int iters = AMX_INT("iters", 0, 1000000, 60), seed = AMX_INT("seed", 0, UINT64_MAX, 0);
    int errors = 0;
    STFT_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$O&O&p:griffin_lim", names, &mo, amx_int_conv, &iters, amx_int_conv,
                                     &seed, &errors))
        return NULL;
    PyObject *mag = frames_in(mo, am_stft_lbins(self->s), "STFT.griffin_lim: mag"), *x = NULL, *err = NULL;
    if (!mag)
        return NULL;
    size_t frames = (size_t)amx_rows(mag), H = am_stft_lbins(self->s);
    const float *m = amx_data(mag);
    if (!frames) {
        Py_DECREF(mag);
        return amx_value_error("STFT.griffin_lim: mag has no frames");
    }
    for (size_t i = 0; i < frames * H; i++)
        if (m[i] < 0.0f) { /* the message before mag (maybe the only copy of m) goes */
            amx_value_error("STFT.griffin_lim: mag[%zu, %zu] = %g is negative (magnitudes are >= 0)", i / H, i % H,
                            (double)m[i]);
            Py_DECREF(mag);
            return NULL;
        }
    int rc = 0;
    if (!griffin_lim_fits(self, frames, "STFT.griffin_lim") &&
        (x = amx_new1(AMX_F32, (Py_ssize_t)am_stft_span(self->s, frames), "STFT.griffin_lim: the signal")) &&
        (err = amx_new1(AMX_F64, (Py_ssize_t)iters.u + 1, "STFT.griffin_lim: the errors"))) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_stft_griffin_lim(self->s, m, frames, (unsigned)iters.u, seed.u, amx_data(x), amx_data(err));
        amx_interrupt_end(&it);
    }
    Py_DECREF(mag);
    if (!err || rc) {
        Py_XDECREF(x);
        Py_XDECREF(err);
        return rc ? amx_raise(rc, "STFT.griffin_lim: %zu frames, %llu iterations", frames, iters.u) : NULL;
    }
    if (errors)
        return Py_BuildValue("(NN)", x, err);
    Py_DECREF(err);
    return x;
}

static PyObject *STFT_features_to_wav(STFTObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"feat", "path", "iters", "seed", NULL};
    PyObject *fo, *po, *path;
    amx_int iters = AMX_INT("iters", 0, 1000000, 60), seed = AMX_INT("seed", 0, UINT64_MAX, 0);
    STFT_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$O&O&:features_to_wav", names, &fo, &po, amx_int_conv, &iters,
                                     amx_int_conv, &seed))
        return NULL;
    PyObject *feat = frames_in(fo, am_stft_bins(self->s), "STFT.features_to_wav: feat");
    if (!feat)
        return NULL;
    size_t frames = (size_t)amx_rows(feat);
    if (!frames) {
        Py_DECREF(feat);
        return amx_value_error("STFT.features_to_wav: feat has no frames");
    }
    if (griffin_lim_fits(self, frames, "STFT.features_to_wav") || amx_path(po, &path)) {
        Py_DECREF(feat);
        return NULL;
    }
    double err = 0.0;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_stft_features_to_wav(self->s, amx_data(feat), frames, (unsigned)iters.u, seed.u,
                                     PyBytes_AS_STRING(path), &err);
    amx_interrupt_end(&it);
    Py_DECREF(feat);
    PyObject *r = rc ? amx_raise(rc, "STFT.features_to_wav('%s')", PyBytes_AS_STRING(path)) : PyFloat_FromDouble(err);
    Py_DECREF(path);
    return r;
}

static PyObject *STFT_span(STFTObject *self, PyObject *arg)
{
    STFT_READY(self);
    amx_int f = AMX_INT("frames", 0, AMX_SSIZE_MAX, 0);
    if (amx_int_from(arg, &f))
        return NULL;
    const am_stft_config *c = am_stft_config_of(self->s);
    if (f.u > 1 && (f.u - 1) > (UINT64_MAX - c->nfft) / c->hop)
        return PyErr_Format(PyExc_OverflowError, "STFT.span: frames %llu: too many", f.u);
    return PyLong_FromUnsignedLongLong(f.u ? (f.u - 1) * c->hop + c->nfft : 0);
}

static PyObject *STFT_repr(STFTObject *self)
{
    if (!self->s)
        return PyUnicode_FromString("am.STFT(<not initialised>)");
    const am_stft_config *c = am_stft_config_of(self->s);
    char fmin[32], fmax[32], floor[32];
    snprintf(fmin, sizeof fmin, "%g", c->fmin);
    snprintf(fmax, sizeof fmax, "%g", c->fmax);
    snprintf(floor, sizeof floor, "%g", c->floor_db);
    return PyUnicode_FromFormat("am.STFT(rate=%u, nfft=%zu, hop=%zu, mels=%zu, fmin=%s, fmax=%s, floor_db=%s)", c->rate,
                                c->nfft, c->hop, c->mels, fmin, fmax, floor);
}

/* Getters: one field each (closure: which). */
enum { G_RATE, G_NFFT, G_HOP, G_MELS, G_FMIN, G_FMAX, G_FLOOR, G_BINS, G_LBINS, G_FRAMES };

static PyObject *STFT_get(STFTObject *self, void *closure)
{
    STFT_READY(self);
    const am_stft_config *c = am_stft_config_of(self->s);
    switch ((int)(intptr_t)closure) {
    case G_RATE: return PyLong_FromUnsignedLong(c->rate);
    case G_NFFT: return PyLong_FromSize_t(c->nfft);
    case G_HOP: return PyLong_FromSize_t(c->hop);
    case G_MELS: return PyLong_FromSize_t(c->mels);
    case G_FMIN: return PyFloat_FromDouble(c->fmin);
    case G_FMAX: return PyFloat_FromDouble(c->fmax);
    case G_FLOOR: return PyFloat_FromDouble(c->floor_db);
    case G_BINS: return PyLong_FromSize_t(am_stft_bins(self->s));
    case G_LBINS: return PyLong_FromSize_t(am_stft_lbins(self->s));
    default: return self->frames ? PyLong_FromSize_t(self->frames) : Py_NewRef(Py_None);
    }
}

#define GET(name, which, doc) {name, (getter)STFT_get, NULL, doc, (void *)(intptr_t)(which)}
static PyGetSetDef STFT_getset[] = {
    GET("rate", G_RATE, "sample rate of the signals (Hz)"),
    GET("nfft", G_NFFT, "frame and FFT length (samples)"),
    GET("hop", G_HOP, "frame step (samples)"),
    GET("mels", G_MELS, "mel bands (0: linear bins)"),
    GET("fmin", G_FMIN, "lowest frequency of the mel bands (Hz)"),
    GET("fmax", G_FMAX, "highest frequency of the mel bands (Hz)"),
    GET("floor_db", G_FLOOR, "dynamic range of the features (dB)"),
    GET("bins", G_BINS, "features per frame: mels, or nfft/2 + 1"),
    GET("lbins", G_LBINS, "linear bins per frame of a magnitude spectrogram: nfft/2 + 1"),
    GET("frames", G_FRAMES, "the frame count of a settings file (STFT.read_settings), else None"),
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef STFT_methods[] = {
    {"magnitude", (PyCFunction)(void (*)(void))STFT_magnitude, METH_VARARGS | METH_KEYWORDS,
     "magnitude(x, frames=None) -> frames x lbins float32: |STFT| of the signal x (1-D, finite) in Hann-windowed\n"
     "frames of nfft samples, hop apart, zero beyond the signal's end. frames=None: as many as cover x.\n\n"
     "    >>> s = am.STFT(mels=0)\n"
     "    >>> s.magnitude(np.sin(2 * np.pi * 1000 * np.arange(16000) / 16000)).argmax(axis=1)[0]   # bin 32"},
    {"features", (PyCFunction)(void (*)(void))STFT_features, METH_VARARGS | METH_KEYWORDS,
     "features(x, frames=None) -> frames x bins float32 in [0, 1]: power per mel band (or linear bin) in dB\n"
     "relative to the loudest of the utterance, floor_db below it mapped to 0, the peak to 1 (what\n"
     "bin/speech-data writes). A silent signal gives zeros.\n\n"
     "    >>> f = am.STFT().features(x)                 # x at 16 kHz: 40 mel bands every 16 ms"},
    {"features_to_magnitude", (PyCFunction)STFT_features_to_magnitude, METH_O,
     "features_to_magnitude(feat) -> frames x lbins float32: linear magnitudes (peak 1) from features\n"
     "(frames x bins, clipped to [0, 1]); mel bands are spread over their bins (an approximation).\n\n"
     "    >>> mag = s.features_to_magnitude(f); mag.shape   # frames x 257\n\n"
     "    >>> mag = s.features_to_magnitude(f); mag.shape   # frames x 257\n\n"
     "    >>> mag = s.features_to_magnitude(f); mag.shape   # frames x 257"},
    {"griffin_lim", (PyCFunction)(void (*)(void))STFT_griffin_lim, METH_VARARGS | METH_KEYWORDS,
     "griffin_lim(mag, *, iters=60, seed=0, errors=False) -> x, or (x, err) with errors=True\n"
     "A signal of span(frames) samples whose STFT magnitude approaches mag (frames x lbins, >= 0) after iters\n"
     "Griffin-Lim iterations from random phases drawn from seed. err: iters + 1 relative spectral errors\n"
     "(before the first iteration and after each).\n\n"
     "    >>> y, err = s.griffin_lim(s.magnitude(x), iters=100, errors=True)   # err[-1] < err[0]"},
    {"features_to_wav", (PyCFunction)(void (*)(void))STFT_features_to_wav, METH_VARARGS | METH_KEYWORDS,
     "features_to_wav(feat, path, *, iters=60, seed=0) -> the final relative spectral error\n"
     "Features heard: magnitudes, Griffin-Lim, brought to the speech level (-24 dBFS active, peak <= -1 dBFS),\n"
     "written as a 16-bit WAV at rate (atomically).\n\n"
     "    >>> s.features_to_wav(s.features(x), 'heard.wav', iters=100)"},
    {"span", (PyCFunction)STFT_span, METH_O, "span(frames) -> samples covered by frames frames: (frames - 1) hop + nfft\n\n"
     "    >>> s.span(10)                                     # 9 * 256 + 512 = 2816\n\n"
     "    >>> s.span(10)                                     # 9 * 256 + 512 = 2816\n\n"
     "    >>> s.span(10)                                     # 9 * 256 + 512 = 2816"},
    {"read_settings", (PyCFunction)STFT_read_settings, METH_O | METH_CLASS,
     "read_settings(path) -> STFT: the spectrogram settings bin/speech-data writes (spectrogram.txt: rate, nfft,\n"
     "hop, mels, frames, floor_db); .frames is the frame count the features there have.\n\n"
     "    >>> with open('spectrogram.txt', 'w') as f:\n"
     "    ...     f.write('rate 16000\\nnfft 512\\nhop 160\\nmels 40\\nframes 30\\nfloor_db 80\\n')\n"
     "    >>> s = am.STFT.read_settings('spectrogram.txt'); f = s.features(x, frames=s.frames)   # 30 x 40"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject STFTType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.STFT",
    .tp_basicsize = sizeof(STFTObject),
    .tp_dealloc = (destructor)STFT_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "STFT(*, rate=16000, nfft=512, hop=256, mels=40, fmin=0, fmax=None, floor_db=80)\n"
              "Spectrograms (am/audio.h) through FFTW: Hann-windowed frames of nfft samples, hop apart, of signals\n"
              "at rate Hz; features in mels triangular HTK mel bands between fmin and fmax (None: rate/2), or the\n"
              "nfft/2 + 1 linear bins with mels=0, over a range of floor_db decibels. Read-only: one STFT serves\n"
              "any number of threads.\n\n"
              "    >>> x = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)   # 1 s of A4 at 16 kHz\n"
              "    >>> s = am.STFT(mels=40)\n"
              "    >>> f = s.features(x)                          # frames x 40 in [0, 1]\n"
              "    >>> y = s.griffin_lim(s.features_to_magnitude(f), iters=60, seed=1)\n"
              "    >>> am.write_wav('y.wav', am.normalize(y), s.rate)",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)STFT_init,
    .tp_repr = (reprfunc)STFT_repr,
    .tp_methods = STFT_methods,
    .tp_getset = STFT_getset,
};

/* ------------------------------------------------------------------------------------------------ */

#define KW (METH_VARARGS | METH_KEYWORDS)
#define FN(f) ((PyCFunction)(void (*)(void))(f))
static PyMethodDef audio_functions[] = {
    {"read_wav", FN(am_py_read_wav), KW,
     "read_wav(path) -> (x, rate): the samples of a RIFF/WAVE file (PCM 8/16/24/32 bit or float 32, channels\n"
     "averaged to mono) as float32 in [-1, 1], and the sample rate.\n\n"
     "    >>> am.write_wav('a.wav', 0.5 * np.sin(2 * np.pi * 440 * np.arange(8000) / 8000), 8000)\n"
     "    >>> x, rate = am.read_wav('a.wav')               # 8000 float32 samples, 8000"},
    {"write_wav", FN(am_py_write_wav), KW,
     "write_wav(path, x, rate): x (1-D, finite) as a 16-bit PCM mono WAV file at rate Hz (1 .. 1000000),\n"
     "samples clipped to [-1, 1]; written to a temporary file renamed on success.\n\n"
     "    >>> t = np.arange(16000) / 16000; am.write_wav('a.wav', 0.5 * np.sin(2 * np.pi * 440 * t), 16000)"},
    {"resample", FN(am_py_resample), KW,
     "resample(x, rate, to) -> float32: x (sampled at rate Hz) at to Hz, by a Hann-windowed sinc (16 zero\n"
     "crossings, cut-off at the lower Nyquist frequency); ceil(len(x) to / rate) samples.\n\n"
     "    >>> x = np.sin(2 * np.pi * 440 * np.arange(44100) / 44100)   # 1 s at 44.1 kHz\n"
     "    >>> y = am.resample(x, 44100, 16000); len(y)       # 16000"},
    {"trim", FN(am_py_trim), KW,
     "trim(x, rel=0.02, pad=0) -> float32: a copy of the span of x whose samples reach rel (0 < rel < 1) times\n"
     "the largest |sample|, widened by pad samples each side (empty for a silent signal).\n\n"
     "    >>> x = np.concatenate([np.zeros(4000), np.sin(np.arange(8000.0)), np.zeros(4000)])\n"
     "    >>> y = am.trim(x, rel=0.02, pad=160); len(y)   # silence cut, 10 ms kept at 16 kHz: about 8320"},
    {"active_level", FN(am_py_active_level), KW,
     "active_level(x, block=256, range_db=40) -> dBFS: the RMS level over the blocks of block samples whose mean\n"
     "square is within range_db of the loudest block's (silence does not lower it); a full-scale square wave\n"
     "is 0 dB, a full-scale sine -3 dB; -inf for silence.\n\n"
     "    >>> am.active_level(np.sin(np.arange(16000.0)))   # about -3.0"},
    {"normalize", FN(am_py_normalize), KW,
     "normalize(x, level_db=-24, peak_db=-1, block=256) -> float32: x scaled to the active level level_db dBFS\n"
     "(see active_level, blocks of block samples), less where its peak would pass peak_db dBFS (both <= 0).\n"
     "A silent signal comes back as it is. x is not changed.\n\n"
     "    >>> x = 0.01 * np.sin(np.arange(16000.0))\n"
     "    >>> y = am.normalize(x); am.active_level(y)      # -24.0"},
    {NULL, NULL, 0, NULL},
};

int amx_init_audio(PyObject *m)
{
    if (PyType_Ready(&STFTType) < 0 || PyModule_AddObjectRef(m, "STFT", (PyObject *)&STFTType) < 0 ||
        PyModule_AddFunctions(m, audio_functions) < 0)
        return -1;
    return 0;
}
