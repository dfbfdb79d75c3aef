/* Holographic reduced representations through FFTW (see am/hrr.h). */
#include "am/hrr.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fft.h"
#include "am/error.h"

struct am_hrr {
    size_t d, h, block; /* dimension, d/2 + 1 spectrum length, rows per transform block */
    am__rfft plan;
};

struct am_hrr_work {
    size_t d, h, block;
    float *x;              /* block x d */
    fftwf_complex *X, *Y;  /* block x h each */
    fftwf_complex *S;      /* spectra of broadcast rows: scap x h */
    size_t scap;
};

/* Rows per block: about 64 KiB of reals, at least 1, at most 64, even when above 1. */
static size_t block_rows(size_t d)
{
    size_t b = 16384 / d;
    if (b > 64)
        b = 64;
    if (b > 1)
        b &= ~(size_t)1;
    return b ? b : 1;
}

int am_hrr_create(am_hrr **out, size_t dim, am_fft_planning how)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (dim < 1 || dim > ((size_t)1 << 24))
        return AM_EINVAL;
    am_hrr *h = calloc(1, sizeof *h);
    if (!h)
        return AM_ENOMEM;
    h->d = dim;
    h->h = dim / 2 + 1;
    h->block = block_rows(dim);
    int rc = am__rfft_init(&h->plan, dim, h->block, how);
    if (rc) {
        free(h);
        return rc;
    }
    *out = h;
    return AM_OK;
}

void am_hrr_free(am_hrr *h)
{
    if (!h)
        return;
    am__rfft_destroy(&h->plan);
    free(h);
}

size_t am_hrr_dim(const am_hrr *h) { return h->d; }
size_t am_hrr_block(const am_hrr *h) { return h->block; }

int am_hrr_work_create(am_hrr_work **out, const am_hrr *h)
{
    if (!out || !h)
        return AM_EINVAL;
    *out = NULL;
    am_hrr_work *w = calloc(1, sizeof *w);
    if (!w)
        return AM_ENOMEM;
    w->d = h->d;
    w->h = h->h;
    w->block = h->block;
    w->x = am__fft_alloc(h->block * h->d * sizeof(float));
    w->X = am__fft_alloc(h->block * h->h * sizeof(fftwf_complex));
    w->Y = am__fft_alloc(h->block * h->h * sizeof(fftwf_complex));
    if (!w->x || !w->X || !w->Y) {
        am_hrr_work_free(w);
        return AM_ENOMEM;
    }
    memset(w->x, 0, h->block * h->d * sizeof(float));
    *out = w;
    return AM_OK;
}

void am_hrr_work_free(am_hrr_work *w)
{
    if (!w)
        return;
    am__fft_free(w->x);
    am__fft_free(w->X);
    am__fft_free(w->Y);
    am__fft_free(w->S);
    free(w);
}

void am_hrr_random(am_rng *rng, size_t n, size_t dim, float *x)
{
    double s = 1.0 / sqrt((double)dim);
    for (size_t i = 0; i < n * dim; i++)
        x[i] = (float)(s * am_rng_normal(rng));
}

/* ---- blocks ---- */

/* Rows r0 .. r0+nb-1 of src (stride ld, 0: one row) into w->x; the rest of the block zero. */
static void load(am_hrr_work *w, const float *src, size_t ld, size_t r0, size_t nb)
{
    size_t d = w->d;
    for (size_t r = 0; r < nb; r++)
        memcpy(w->x + r * d, src + (r0 + r) * ld, d * sizeof(float));
    if (nb < w->block)
        memset(w->x + nb * d, 0, (w->block - nb) * d * sizeof(float));
}

static void store(const am_hrr_work *w, float *dst, size_t ld, size_t r0, size_t nb)
{
    for (size_t r = 0; r < nb; r++)
        memcpy(dst + (r0 + r) * ld, w->x + r * w->d, w->d * sizeof(float));
}

/* Spectra of k contiguous rows (stride ld) into w->S (grown as needed). */
static int broadcast_spectra(const am_hrr *h, am_hrr_work *w, const float *rows, size_t ld, size_t k)
{
    if (k > w->scap) {
        fftwf_complex *s = am__fft_alloc(k * h->h * sizeof(fftwf_complex));
        if (!s)
            return AM_ENOMEM;
        am__fft_free(w->S);
        w->S = s;
        w->scap = k;
    }
    for (size_t r0 = 0; r0 < k; r0 += h->block) {
        size_t nb = k - r0 < h->block ? k - r0 : h->block;
        load(w, rows, ld, r0, nb);
        am__rfft_forward(&h->plan, w->x, w->X);
        memcpy(w->S + r0 * h->h, w->X, nb * h->h * sizeof(fftwf_complex));
    }
    return AM_OK;
}

typedef struct op {
    int kind; /* OP_BIND, OP_UNBIND, OP_UNITARY, OP_ENCODE */
    const float *a, *b;
    size_t lda, ldb;
    am_hrr_inverse inv;
    size_t K;
    const float *const *items;
    const size_t *ld;
    const fftwf_complex *bspec; /* spectra of broadcast operands (b, or the K roles), or NULL */
    float *out;
    size_t ldo;
} op;

enum { OP_BIND, OP_UNBIND, OP_UNITARY, OP_ENCODE };

/* One block of rows r0 .. r0+nb-1. Returns AM_ENOTFINITE when an exact inverse does not exist. */
static int do_block(const am_hrr *h, am_hrr_work *w, const op *o, size_t r0, size_t nb)
{
    size_t H = h->h, tot = h->block * H;
    float s = 1.0f / (float)h->d;
    fftwf_complex *X = w->X, *Y = w->Y;
    int rc = AM_OK;
    switch (o->kind) {
    case OP_ENCODE:
        memset(Y, 0, tot * sizeof *Y);
        for (size_t k = 0; k < o->K; k++) {
            load(w, o->items[k], o->ld[k], r0, nb);
            am__rfft_forward(&h->plan, w->x, X);
            const fftwf_complex *R = o->bspec + k * H;
            for (size_t r = 0; r < nb; r++)
                for (size_t f = 0; f < H; f++) {
                    float xr = X[r * H + f][0], xi = X[r * H + f][1];
                    Y[r * H + f][0] += xr * R[f][0] - xi * R[f][1];
                    Y[r * H + f][1] += xr * R[f][1] + xi * R[f][0];
                }
        }
        for (size_t i = 0; i < nb * H; i++) {
            Y[i][0] *= s;
            Y[i][1] *= s;
        }
        am__rfft_inverse(&h->plan, Y, w->x);
        break;
    case OP_UNITARY:
        load(w, o->a, o->lda, r0, nb);
        am__rfft_forward(&h->plan, w->x, X);
        for (size_t i = 0; i < nb * H; i++) {
            float re = X[i][0], im = X[i][1], m = hypotf(re, im);
            if (m > 0.0f) {
                X[i][0] = re / m * s;
                X[i][1] = im / m * s;
            } else {
                X[i][0] = s;
                X[i][1] = 0.0f;
            }
        }
        am__rfft_inverse(&h->plan, X, w->x);
        break;
    default: { /* bind, unbind: X = F(a or t), Y = F(b or a) */
        load(w, o->a, o->lda, r0, nb);
        am__rfft_forward(&h->plan, w->x, X);
        const fftwf_complex *B = o->bspec;
        if (!B) {
            load(w, o->b, o->ldb, r0, nb);
            am__rfft_forward(&h->plan, w->x, Y);
        }
        for (size_t r = 0; r < nb; r++) {
            const fftwf_complex *br = B ? B : Y + r * H;
            fftwf_complex *xr = X + r * H;
            if (o->kind == OP_BIND) {
                for (size_t f = 0; f < H; f++) {
                    float p = xr[f][0], q = xr[f][1], u = br[f][0], v = br[f][1];
                    xr[f][0] = (p * u - q * v) * s;
                    xr[f][1] = (p * v + q * u) * s;
                }
            } else if (o->inv == AM_HRR_INVOLUTION) {
                for (size_t f = 0; f < H; f++) { /* X * conj(A) */
                    float p = xr[f][0], q = xr[f][1], u = br[f][0], v = br[f][1];
                    xr[f][0] = (p * u + q * v) * s;
                    xr[f][1] = (q * u - p * v) * s;
                }
            } else {
                for (size_t f = 0; f < H; f++) { /* X * conj(A) / |A|^2 */
                    float p = xr[f][0], q = xr[f][1], u = br[f][0], v = br[f][1], m2 = u * u + v * v;
                    if (!isnormal(m2) || !isfinite(s / m2)) {
                        rc = AM_ENOTFINITE;
                        m2 = 1.0f;
                    }
                    xr[f][0] = (p * u + q * v) * (s / m2);
                    xr[f][1] = (q * u - p * v) * (s / m2);
                }
            }
        }
        am__rfft_inverse(&h->plan, X, w->x);
    }
    }
    store(w, o->out, o->ldo, r0, nb);
    return rc;
}

/* Run o over n rows: on the caller's work, or on per-thread works made here. Broadcast spectra (bcast rows
 * of bsrc, stride bld) are computed once. */
static int run(const am_hrr *h, size_t n, op *o, am_hrr_work *work, const float *bsrc, size_t bld, size_t bcast)
{
    size_t nblocks = (n + h->block - 1) / h->block;
    int rc = AM_OK;
    if (n == 0)
        return AM_OK;
    if (work) {
        if (work->d != h->d)
            return AM_ESIZE;
        if (bcast) {
            if ((rc = broadcast_spectra(h, work, bsrc, bld, bcast)))
                return rc;
            o->bspec = work->S;
        }
        for (size_t b = 0; b < nblocks; b++) {
            size_t r0 = b * h->block, nb = n - r0 < h->block ? n - r0 : h->block;
            int e = do_block(h, work, o, r0, nb);
            if (e && !rc)
                rc = e;
        }
        return rc;
    }
    int nt = omp_in_parallel() ? 1 : omp_get_max_threads();
    if ((size_t)nt > nblocks)
        nt = (int)nblocks;
    am_hrr_work *w0 = NULL;
    if ((rc = am_hrr_work_create(&w0, h)))
        return rc;
    if (bcast) {
        if ((rc = broadcast_spectra(h, w0, bsrc, bld, bcast))) {
            am_hrr_work_free(w0);
            return rc;
        }
        o->bspec = w0->S;
    }
    int err = AM_OK;
#pragma omp parallel num_threads(nt)
    {
        am_hrr_work *w = NULL;
        int e = omp_get_thread_num() == 0 ? AM_OK : am_hrr_work_create(&w, h);
        if (omp_get_thread_num() == 0)
            w = w0;
        if (e) {
#pragma omp critical(am_hrr_err)
            if (!err)
                err = e;
        }
#pragma omp barrier
        if (!err) {
#pragma omp for schedule(static)
            for (size_t b = 0; b < nblocks; b++) {
                size_t r0 = b * h->block, nb = n - r0 < h->block ? n - r0 : h->block;
                int eb = do_block(h, w, o, r0, nb);
                if (eb) {
#pragma omp critical(am_hrr_err)
                    if (!rc)
                        rc = eb;
                }
            }
        }
        if (w != w0)
            am_hrr_work_free(w);
    }
    am_hrr_work_free(w0);
    return err ? err : rc;
}

static int check_rows(const am_hrr *h, const float *p, size_t ld)
{
    return p && (ld == 0 || ld >= h->d);
}

int am_hrr_bind(const am_hrr *h, size_t n, const float *a, size_t lda, const float *b, size_t ldb, float *out,
                size_t ldo, am_hrr_work *w)
{
    if (!h || !check_rows(h, a, lda) || !check_rows(h, b, ldb) || !out || ldo < h->d)
        return AM_EINVAL;
    /* Binding commutes: a broadcast operand goes second, where its spectrum is computed once. */
    if (lda == 0 && ldb != 0) {
        const float *t = a;
        a = b;
        b = t;
        lda = ldb;
        ldb = 0;
    }
    op o = {.kind = OP_BIND, .a = a, .lda = lda, .b = b, .ldb = ldb, .out = out, .ldo = ldo};
    return run(h, n, &o, w, b, 0, ldb == 0 ? 1 : 0);
}

int am_hrr_unbind(const am_hrr *h, size_t n, const float *t, size_t ldt, const float *a, size_t lda,
                  am_hrr_inverse kind, float *out, size_t ldo, am_hrr_work *w)
{
    if (!h || !check_rows(h, t, ldt) || !check_rows(h, a, lda) || !out || ldo < h->d ||
        (kind != AM_HRR_INVOLUTION && kind != AM_HRR_EXACT))
        return AM_EINVAL;
    op o = {.kind = OP_UNBIND, .a = t, .lda = ldt, .b = a, .ldb = lda, .inv = kind, .out = out, .ldo = ldo};
    return run(h, n, &o, w, a, 0, lda == 0 ? 1 : 0);
}

int am_hrr_unitary(const am_hrr *h, size_t n, const float *x, size_t ldx, float *out, size_t ldo, am_hrr_work *w)
{
    if (!h || !check_rows(h, x, ldx) || !out || ldo < h->d)
        return AM_EINVAL;
    op o = {.kind = OP_UNITARY, .a = x, .lda = ldx, .out = out, .ldo = ldo};
    return run(h, n, &o, w, NULL, 0, 0);
}

int am_hrr_encode(const am_hrr *h, size_t n, size_t K, const float *roles, const float *const *items,
                  const size_t *ld, float *out, size_t ldo, am_hrr_work *w)
{
    if (!h || K == 0 || !roles || !items || !ld || !out || ldo < h->d)
        return AM_EINVAL;
    for (size_t k = 0; k < K; k++)
        if (!check_rows(h, items[k], ld[k]))
            return AM_EINVAL;
    op o = {.kind = OP_ENCODE, .K = K, .items = items, .ld = ld, .out = out, .ldo = ldo};
    return run(h, n, &o, w, roles, h->d, K);
}

/* ---- without transforms ---- */

void am_hrr_involution(size_t dim, size_t n, const float *x, size_t ldx, float *out, size_t ldo)
{
    for (size_t r = 0; r < n; r++) {
        const float *xr = x + r * ldx;
        float *o = out + r * ldo;
        o[0] = xr[0];
        for (size_t i = 1; i < dim; i++)
            o[i] = xr[dim - i];
    }
}

void am_hrr_permute(size_t dim, size_t n, const float *x, size_t ldx, const uint32_t *perm, float *out, size_t ldo)
{
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < dim; i++)
            out[r * ldo + i] = x[r * ldx + perm[i]];
}

void am_hrr_shift(size_t dim, size_t n, const float *x, size_t ldx, long k, float *out, size_t ldo)
{
    if (dim == 0)
        return;
    long m = (long)dim;
    size_t s = (size_t)(((k % m) + m) % m); /* out_i = x_(i - s) */
    for (size_t r = 0; r < n; r++) {
        const float *xr = x + r * ldx;
        float *o = out + r * ldo;
        memcpy(o + s, xr, (dim - s) * sizeof(float));
        memcpy(o, xr + (dim - s), s * sizeof(float));
    }
}

void am_hrr_bundle(size_t dim, size_t n, const float *x, size_t ldx, const float *w, int normalise, float *out)
{
    double ss = 0.0;
    for (size_t i = 0; i < dim; i++) {
        double acc = 0.0;
        for (size_t r = 0; r < n; r++)
            acc += (w ? (double)w[r] : 1.0) * x[r * ldx + i];
        out[i] = (float)acc;
        ss += acc * acc;
    }
    if (normalise && ss > 0.0) {
        double inv = 1.0 / sqrt(ss);
        for (size_t i = 0; i < dim; i++)
            out[i] = (float)(out[i] * inv);
    }
}

double am_hrr_cosine(size_t dim, const float *a, const float *b)
{
    double ab = 0.0, aa = 0.0, bb = 0.0;
    for (size_t i = 0; i < dim; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return aa > 0.0 && bb > 0.0 ? ab / sqrt(aa * bb) : 0.0;
}
