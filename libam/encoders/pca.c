/* PCA by the eigen-decomposition of the covariance, which is dim x dim however many rows there are. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "../core/gemm.h"
#include "../core/linalg.h"
#include "am/error.h"
#include "../core/cancel_internal.h"
#include "am/pca.h"

static int pca_alloc(am_pca **out, size_t dim, size_t k)
{
    size_t n;
    if (!dim || !k || k > dim || am_size_mul3(k, dim, sizeof(float), &n))
        return AM_EINVAL;
    am_pca *p = calloc(1, sizeof *p);
    if (!p)
        return AM_ENOMEM;
    p->dim = dim;
    p->k = k;
    p->mean = malloc(dim * sizeof(float));
    p->components = malloc(n);
    p->variance = malloc(k * sizeof(double));
    if (!p->mean || !p->components || !p->variance) {
        am_pca_free(p);
        return AM_ENOMEM;
    }
    *out = p;
    return AM_OK;
}

void am_pca_free(am_pca *p)
{
    if (!p)
        return;
    free(p->mean);
    free(p->components);
    free(p->variance);
    free(p);
}

#define PCA_BLOCK 1024  /* rows between two polls of the cancel hook (means) */
#define PCA_CHUNK 8192 /* most rows per covariance product */

/* mean (dim, out, zeroed by the caller) of the n rows of x. */
static int column_means(const float *x, size_t n, size_t dim, double *mean)
{
    int rc;
    for (size_t i = 0; i < n; i++) {
        if (i % PCA_BLOCK == 0 && (rc = am_cancel_poll()))
            return rc;
        for (size_t j = 0; j < dim; j++)
            mean[j] += x[i * dim + j];
    }
    for (size_t j = 0; j < dim; j++)
        mean[j] /= (double)n;
    return AM_OK;
}

/* cov (dim x dim, out) = the covariance of the rows of x about mean: sums of the centred rows by
 * am__dsyrk_centred (each entry one chain of fused multiply-adds over the rows in order: the same bits at any
 * thread count, on any CPU, under any BLAS), a chunk of rows per call (the cancel hook is polled between
 * them), then divided by n. */
static int covariance(const float *x, size_t n, size_t dim, const double *mean, double *cov)
{
    int rc = AM_OK;
    /* About 2^29 multiply-adds between two polls (30-60 ms), in whole blocks of 256 rows: the sums do not
     * depend on the chunks. */
    size_t chunk = ((size_t)1 << 29) / (dim * dim) / 256 * 256;
    chunk = chunk < 256 ? 256 : chunk > PCA_CHUNK ? PCA_CHUNK : chunk;
    for (size_t i0 = 0; i0 < n && !rc; i0 += chunk) {
        size_t m = n - i0 < chunk ? n - i0 : chunk;
        if (!(rc = am_cancel_poll()))
            rc = am__dsyrk_centred(0, m, dim, x + i0 * dim, dim, mean, i0 > 0, cov, dim);
    }
    for (size_t j = 0; j < dim * dim && !rc; j++)
        cov[j] /= (double)n;
    return rc;
}

int am_pca_fit(am_pca **out, const float *x, size_t n, size_t dim, size_t k)
{
    am_pca *p = NULL;
    double *mean = NULL, *cov = NULL, *w = NULL, *vec = NULL;
    int rc;
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!x || n < 2 || dim > 46000)
        return AM_EINVAL;
    if ((rc = pca_alloc(&p, dim, k)))
        return rc;
    mean = calloc(dim, sizeof *mean);
    cov = malloc(dim * dim * sizeof *cov);
    w = malloc(dim * sizeof *w);
    vec = malloc(k * dim * sizeof *vec);
    if (!mean || !cov || !w || !vec) {
        rc = AM_ENOMEM;
        goto done;
    }
    if ((rc = column_means(x, n, dim, mean)) || (rc = covariance(x, n, dim, mean, cov)))
        goto done;
    p->total = 0;
    for (size_t j = 0; j < dim; j++)
        p->total += cov[j * dim + j];
    /* The fixed-order eigensolver (LAPACK's dsyevd calls BLAS: its last bits follow the kernels). */
    if ((rc = am__dsyev(dim, cov, dim, w, k, vec)))
        goto done;
    for (size_t c = 0; c < k; c++) {
        const double *v = vec + c * dim;
        size_t big = 0;
        for (size_t j = 1; j < dim; j++)
            if (fabs(v[j]) > fabs(v[big]))
                big = j;
        double sign = v[big] < 0 ? -1.0 : 1.0;
        for (size_t j = 0; j < dim; j++)
            p->components[c * dim + j] = (float)(sign * v[j]);
        p->variance[c] = w[c] > 0 ? w[c] : 0.0;
    }
    for (size_t j = 0; j < dim; j++)
        p->mean[j] = (float)mean[j];
    rc = AM_OK;
done:
    free(mean);
    free(cov);
    free(w);
    free(vec);
    if (rc)
        am_pca_free(p);
    else
        *out = p;
    return rc;
}

double am_pca_explained(const am_pca *p, size_t j)
{
    double s = 0;
    if (!p || !(p->total > 0))
        return 0.0;
    for (size_t c = 0; c < j && c < p->k; c++)
        s += p->variance[c];
    return s / p->total;
}

#define PCA_ROWS 1024

int am_pca_encode(const am_pca *p, const float *x, size_t n, float *z)
{
    if (!p || (n && (!x || !z)))
        return AM_EINVAL;
    float *c = malloc(PCA_ROWS * p->dim * sizeof *c);
    am__gemm_ws ws = {0};
    if (!c)
        return AM_ENOMEM;
    int rc = AM_OK;
    for (size_t i0 = 0; i0 < n && !(rc = am_cancel_poll()); i0 += PCA_ROWS) {
        size_t m = n - i0 < PCA_ROWS ? n - i0 : PCA_ROWS;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < p->dim; j++)
                c[i * p->dim + j] = x[(i0 + i) * p->dim + j] - p->mean[j];
        if ((rc = am__sgemm_threads(0, 0, 1, m, p->k, p->dim, c, p->dim, p->components, p->dim, 0, z + i0 * p->k,
                                    p->k, &ws)))
            break;
    }
    am__gemm_ws_free(&ws);
    free(c);
    return rc;
}

int am_pca_decode(const am_pca *p, const float *z, size_t n, float *x)
{
    if (!p || (n && (!x || !z)))
        return AM_EINVAL;
    int rc = AM_OK;
    am__gemm_ws ws = {0};
    for (size_t i0 = 0; i0 < n && !(rc = am_cancel_poll()); i0 += PCA_ROWS) {
        size_t m = n - i0 < PCA_ROWS ? n - i0 : PCA_ROWS;
        for (size_t i = i0; i < i0 + m; i++)
            memcpy(x + i * p->dim, p->mean, p->dim * sizeof(float));
        if ((rc = am__sgemm_threads(0, 0, 0, m, p->dim, p->k, z + i0 * p->k, p->k, p->components, p->dim, 1,
                                    x + i0 * p->dim, p->dim, &ws)))
            break;
    }
    am__gemm_ws_free(&ws);
    return rc;
}

static const char pca_magic[8] = {'L', 'I', 'B', 'A', 'M', 'P', 'C', 'A'};
#define PCA_VERSION 1u

int am_pca_save(const am_pca *p, const char *path)
{
    am__file f;
    int rc;
    if (!p || !path)
        return AM_EINVAL;
    if ((rc = am__wopen(&f, path)))
        return rc;
    am__put(&f, pca_magic, 8);
    am__put_u32(&f, PCA_VERSION);
    am__put_u32(&f, 0x01020304u);
    am__put_u64(&f, p->dim);
    am__put_u64(&f, p->k);
    am__put_f64(&f, p->total);
    for (size_t c = 0; c < p->k; c++)
        am__put_f64(&f, p->variance[c]);
    am__put_f32s(&f, p->mean, p->dim);
    am__put_f32s(&f, p->components, p->k * p->dim);
    return am__wclose(&f);
}

int am_pca_load(am_pca **out, const char *path)
{
    am__file f;
    uint32_t version;
    am_pca *p = NULL;
    int rc;
    if (!out || !path)
        return AM_EINVAL;
    *out = NULL;
    if ((rc = am__ropen(&f, path, pca_magic, PCA_VERSION, &version)))
        return rc;
    uint64_t dim = am__get_u64(&f), k = am__get_u64(&f);
    double total = am__get_f64(&f);
    if (f.err) {
        rc = f.err;
        goto fail;
    }
    if (!dim || !k || k > dim) {
        rc = AM_EFORMAT;
        goto fail;
    }
    if (dim > 46000) {
        rc = AM_ERANGE;
        goto fail;
    }
    if ((rc = am__need(&f, 8 * k + 4 * dim + 4 * k * dim)) || (rc = pca_alloc(&p, (size_t)dim, (size_t)k)))
        goto fail;
    p->total = total;
    for (size_t c = 0; c < k; c++)
        p->variance[c] = am__get_f64(&f);
    am__get_f32s_finite(&f, p->mean, p->dim);
    am__get_f32s_finite(&f, p->components, p->k * p->dim);
    if ((rc = am__rclose(&f))) {
        am_pca_free(p);
        return rc;
    }
    *out = p;
    return AM_OK;
fail:
    am__rabort(&f);
    am_pca_free(p);
    return rc;
}
