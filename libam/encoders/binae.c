/* The binary autoencoder trained by the signed XOR error (see am/binae.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/gemm.h"
#include "am/binae.h"
#include "am/error.h"

struct am_binae {
    size_t in, hid, batch;
    am_binae_rule rule;
    int threads;
    float *W, *b, *V, *c, *B; /* W: hid x in, V: in x hid, B: hid x in */
    float *a, *h, *z, *y, *e, *d; /* batch x hid, batch x hid, batch x in, batch x in, batch x in, batch x hid */
    am__gemm_ws ws;
};

/* C (m x n) (+)= op(A) op(B) on the object's threads, the same bits at any count. */
static int gemm(am_binae *ae, int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda, const float *B,
                size_t ldb, int acc, float *C, size_t ldc)
{
    return am__sgemm_threads(ae->threads, ta, tb, m, n, k, A, lda, B, ldb, acc, C, ldc, &ae->ws);
}

void am_binae_free(am_binae *ae)
{
    if (!ae)
        return;
    free(ae->W), free(ae->b), free(ae->V), free(ae->c), free(ae->B);
    free(ae->a), free(ae->h), free(ae->z), free(ae->y), free(ae->e), free(ae->d);
    am__gemm_ws_free(&ae->ws);
    free(ae);
}

int am_binae_create(am_binae **out, size_t in, size_t hid, size_t batch, am_binae_rule rule, am_rng *rng)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!rng || !in || !hid || !batch || in > (1u << 24) || hid > (1u << 24) || batch > (1u << 20) ||
        (rule != AM_BINAE_FA && rule != AM_BINAE_FIXED))
        return AM_EINVAL;
    size_t wh, bh, bi;
    if (am_size_mul(in, hid, &wh) || am_size_mul(batch, hid, &bh) || am_size_mul(batch, in, &bi) || wh > SIZE_MAX / 8 ||
        bh > SIZE_MAX / 8 || bi > SIZE_MAX / 8)
        return AM_EOVERFLOW;
    am_binae *ae = calloc(1, sizeof *ae);
    if (!ae)
        return AM_ENOMEM;
    *ae = (am_binae){.in = in, .hid = hid, .batch = batch, .rule = rule};
    ae->W = malloc(wh * sizeof(float));
    ae->V = malloc(wh * sizeof(float));
    ae->B = malloc(wh * sizeof(float));
    ae->b = calloc(hid, sizeof(float));
    ae->c = calloc(in, sizeof(float));
    ae->a = malloc(bh * sizeof(float));
    ae->h = malloc(bh * sizeof(float));
    ae->d = malloc(bh * sizeof(float));
    ae->z = malloc(bi * sizeof(float));
    ae->y = malloc(bi * sizeof(float));
    ae->e = malloc(bi * sizeof(float));
    if (!ae->W || !ae->V || !ae->B || !ae->b || !ae->c || !ae->a || !ae->h || !ae->d || !ae->z || !ae->y || !ae->e) {
        am_binae_free(ae);
        return AM_ENOMEM;
    }
    double sw = 1.0 / sqrt((double)in), sv = 1.0 / sqrt((double)hid);
    for (size_t k = 0; k < wh; k++)
        ae->W[k] = (float)(sw * am_rng_normal(rng));
    for (size_t k = 0; k < wh; k++)
        ae->V[k] = (float)(sv * am_rng_normal(rng));
    for (size_t k = 0; k < wh; k++)
        ae->B[k] = (float)(sw * am_rng_normal(rng));
    *out = ae;
    return AM_OK;
}

size_t am_binae_inputs(const am_binae *ae) { return ae ? ae->in : 0; }
size_t am_binae_hidden(const am_binae *ae) { return ae ? ae->hid : 0; }
void am_binae_set_threads(am_binae *ae, int threads)
{
    if (ae)
        ae->threads = threads < 0 ? 0 : threads;
}

void am_signed_xor(const float *x, const float *y, size_t n, float *e)
{
    for (size_t i = 0; i < n; i++) {
        int xb = x[i] > 0.5f, yb = y[i] > 0.5f;
        e[i] = (float)((xb && !yb) - (yb && !xb));
    }
}

/* Forward pass of n <= batch rows into ae->a, h, z, y. */
static int forward(am_binae *ae, const float *x, size_t n)
{
    size_t in = ae->in, hid = ae->hid;
    int rc = gemm(ae, 0, 1, n, hid, in, x, in, ae->W, in, 0, ae->a, hid);
    if (rc)
        return rc;
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < hid; j++) {
            float v = ae->a[r * hid + j] + ae->b[j];
            ae->a[r * hid + j] = v;
            ae->h[r * hid + j] = v > 0 ? 1.0f : 0.0f;
        }
    if ((rc = gemm(ae, 0, 1, n, in, hid, ae->h, hid, ae->V, hid, 0, ae->z, in)))
        return rc;
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < in; i++) {
            float v = ae->z[r * in + i] + ae->c[i];
            ae->z[r * in + i] = v;
            ae->y[r * in + i] = v > 0 ? 1.0f : 0.0f;
        }
    return AM_OK;
}

static uint64_t count_wrong(const float *x, const float *y, size_t n)
{
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += (x[i] > 0.5f) != (y[i] > 0.5f);
    return w;
}

int am_binae_reconstruct(am_binae *ae, const float *x, size_t n, float *y, float *h)
{
    if (!ae || (n && (!x || !y)))
        return AM_EINVAL;
    for (size_t r0 = 0; r0 < n; r0 += ae->batch) {
        size_t b = n - r0 < ae->batch ? n - r0 : ae->batch;
        int rc = forward(ae, x + r0 * ae->in, b);
        if (rc)
            return rc;
        memcpy(y + r0 * ae->in, ae->y, b * ae->in * sizeof(float));
        if (h)
            memcpy(h + r0 * ae->hid, ae->h, b * ae->hid * sizeof(float));
    }
    return AM_OK;
}

int am_binae_errors(am_binae *ae, const float *x, size_t n, uint64_t *wrong)
{
    if (!ae || !wrong || (n && !x))
        return AM_EINVAL;
    *wrong = 0;
    for (size_t r0 = 0; r0 < n; r0 += ae->batch) {
        size_t b = n - r0 < ae->batch ? n - r0 : ae->batch;
        int rc = forward(ae, x + r0 * ae->in, b);
        if (rc)
            return rc;
        *wrong += count_wrong(x + r0 * ae->in, ae->y, b * ae->in);
    }
    return AM_OK;
}

int am_binae_step(am_binae *ae, const float *x, size_t n, const float *err, double lr, double lr_enc, uint64_t *wrong)
{
    if (!ae || !x || !n || n > ae->batch || !isfinite(lr) || lr < 0 || !isfinite(lr_enc) || lr_enc < 0)
        return AM_EINVAL;
    size_t in = ae->in, hid = ae->hid;
    int rc = forward(ae, x, n);
    if (rc)
        return rc;
    if (wrong)
        *wrong = count_wrong(x, ae->y, n * in);
    float s = (float)(lr / (double)n);
    if (err)
        for (size_t k = 0; k < n * in; k++)
            ae->e[k] = s * err[k];
    else {
        am_signed_xor(x, ae->y, n * in, ae->e);
        for (size_t k = 0; k < n * in; k++)
            ae->e[k] *= s;
    }
    /* the encoder's feedback first (it reads the error, not V): d = (e B^T) * [|a| < 1] */
    if (ae->rule == AM_BINAE_FA) {
        if ((rc = gemm(ae, 0, 1, n, hid, in, ae->e, in, ae->B, in, 0, ae->d, hid)))
            return rc;
        float q = lr > 0 ? (float)(lr_enc / lr) : 0.0f; /* e carries lr/n; the encoder's steps are lr_enc/n */
        for (size_t k = 0; k < n * hid; k++)
            ae->d[k] = fabsf(ae->a[k]) < 1.0f ? q * ae->d[k] : 0.0f;
    }
    /* decoder: V += e^T h, c += sum of e (rows in order) */
    if ((rc = gemm(ae, 1, 0, in, hid, n, ae->e, in, ae->h, hid, 1, ae->V, hid)))
        return rc;
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < in; i++)
            ae->c[i] += ae->e[r * in + i];
    if (ae->rule == AM_BINAE_FA) {
        if ((rc = gemm(ae, 1, 0, hid, in, n, ae->d, hid, x, in, 1, ae->W, in)))
            return rc;
        for (size_t r = 0; r < n; r++)
            for (size_t j = 0; j < hid; j++)
                ae->b[j] += ae->d[r * hid + j];
    }
    return AM_OK;
}
