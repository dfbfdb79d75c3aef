/* PCA by the eigen-decomposition of the covariance, which is dim x dim however many rows there are. */
#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "../core/blas_internal.h"
#include "../core/lapack.h"
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

#define PCA_BLOCK 512
#define PCA_GROUPS 4 /* partial covariances, summed in a fixed order: the same bits at any thread count */

static int pca_fit_serial(am_pca **out, const float *x, size_t n, size_t dim, size_t k)
{
    am_pca *p = NULL;
    double *mean = NULL, *cov = NULL, *part = NULL, *blk = NULL, *w = NULL;
    const am__lapack *la;
    int rc;
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!x || n < 2 || dim > 46000)
        return AM_EINVAL;
    if (!(la = am__lapack_get()))
        return AM_ERRNO(ELIBACC);
    if ((rc = pca_alloc(&p, dim, k)))
        return rc;
    size_t bn = n < PCA_BLOCK ? n : PCA_BLOCK, nblocks = (n + bn - 1) / bn;
    /* Groups of blocks: block b goes to group b % G; a wide covariance gets one group (memory). */
    size_t G = dim <= 4096 ? PCA_GROUPS : 1, dd = dim * dim;
    if (G > nblocks)
        G = nblocks;
    mean = calloc(dim, sizeof *mean);
    cov = calloc(dd, sizeof *cov);
    part = G > 1 ? calloc((G - 1) * dd, sizeof *part) : NULL;
    blk = malloc(G * bn * dim * sizeof *blk);
    w = malloc(dim * sizeof *w);
    if (!mean || !cov || (G > 1 && !part) || !blk || !w) {
        rc = AM_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (i % PCA_BLOCK == 0 && (rc = am_cancel_poll()))
            goto done;
        for (size_t j = 0; j < dim; j++)
            mean[j] += x[i * dim + j];
    }
    for (size_t j = 0; j < dim; j++)
        mean[j] /= (double)n;
    /* Centred rows in double, a block at a time, accumulated into the upper triangle of the group's partial
     * sum; the groups run on threads, each block in its group in order. */
    int nt = omp_in_parallel() ? 1 : omp_get_max_threads(), cancelled = 0;
    const am_cancel *hook = am_cancel_current();
#pragma omp parallel for num_threads(nt) schedule(static, 1)
    for (size_t g = 0; g < G; g++) {
        double *acc = g ? part + (g - 1) * dd : cov, *bk = blk + g * bn * dim;
        for (size_t b = g; b < nblocks; b += G) {
            if (am__cancel_check(hook)) {
#pragma omp atomic write
                cancelled = 1;
                break;
            }
            size_t i0 = b * bn, m = n - i0 < bn ? n - i0 : bn;
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < dim; j++)
                    bk[i * dim + j] = x[(i0 + i) * dim + j] - mean[j];
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)dim, (int)m, 1.0 / (double)n, bk, (int)dim, 1.0,
                        acc, (int)dim);
        }
    }
    if (cancelled) {
        rc = AM_ECANCELED;
        goto done;
    }
    for (size_t g = 1; g < G; g++)
        for (size_t i = 0; i < dim; i++)
            for (size_t j = i; j < dim; j++)
                cov[i * dim + j] += part[(g - 1) * dd + i * dim + j];
    p->total = 0;
    for (size_t j = 0; j < dim; j++)
        p->total += cov[j * dim + j];
    /* Row-major upper = column-major lower; eigenvectors come back as columns (rows of the row-major). */
    if (la->dsyevd(LAPACK_COL_MAJOR, 'V', 'L', (lapack_int)dim, cov, (lapack_int)dim, w) != 0) {
        rc = AM_ENUMERIC;
        goto done;
    }
    for (size_t c = 0; c < k; c++) {
        size_t src = dim - 1 - c; /* ascending order from LAPACK */
        const double *v = cov + src * dim;
        size_t big = 0;
        for (size_t j = 1; j < dim; j++)
            if (fabs(v[j]) > fabs(v[big]))
                big = j;
        double sign = v[big] < 0 ? -1.0 : 1.0;
        for (size_t j = 0; j < dim; j++)
            p->components[c * dim + j] = (float)(sign * v[j]);
        p->variance[c] = w[src] > 0 ? w[src] : 0.0;
    }
    for (size_t j = 0; j < dim; j++)
        p->mean[j] = (float)mean[j];
    rc = AM_OK;
done:
    free(mean);
    free(cov);
    free(part);
    free(blk);
    free(w);
    if (rc)
        am_pca_free(p);
    else
        *out = p;
    return rc;
}

/* OpenBLAS on one thread for the duration, so no result depends on its thread count. */
int am_pca_fit(am_pca **out, const float *x, size_t n, size_t dim, size_t k)
{
    int blas = am__blas_serial();
    int rc = pca_fit_serial(out, x, n, dim, k);
    am__blas_restore(blas);
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

static int pca_encode_serial(const am_pca *p, const float *x, size_t n, float *z)
{
    if (!p || (n && (!x || !z)))
        return AM_EINVAL;
    float *c = malloc(PCA_ROWS * p->dim * sizeof *c);
    if (!c)
        return AM_ENOMEM;
    int rc = AM_OK;
    for (size_t i0 = 0; i0 < n && !(rc = am_cancel_poll()); i0 += PCA_ROWS) {
        size_t m = n - i0 < PCA_ROWS ? n - i0 : PCA_ROWS;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < p->dim; j++)
                c[i * p->dim + j] = x[(i0 + i) * p->dim + j] - p->mean[j];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)p->k, (int)p->dim, 1.0f, c, (int)p->dim,
                    p->components, (int)p->dim, 0.0f, z + i0 * p->k, (int)p->k);
    }
    free(c);
    return rc;
}

/* OpenBLAS on one thread for the duration, so no result depends on its thread count. */
int am_pca_encode(const am_pca *p, const float *x, size_t n, float *z)
{
    int blas = am__blas_serial();
    int rc = pca_encode_serial(p, x, n, z);
    am__blas_restore(blas);
    return rc;
}

static int pca_decode_serial(const am_pca *p, const float *z, size_t n, float *x)
{
    if (!p || (n && (!x || !z)))
        return AM_EINVAL;
    int rc = AM_OK;
    for (size_t i0 = 0; i0 < n && !(rc = am_cancel_poll()); i0 += PCA_ROWS) {
        size_t m = n - i0 < PCA_ROWS ? n - i0 : PCA_ROWS;
        for (size_t i = i0; i < i0 + m; i++)
            memcpy(x + i * p->dim, p->mean, p->dim * sizeof(float));
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)p->dim, (int)p->k, 1.0f, z + i0 * p->k,
                    (int)p->k, p->components, (int)p->dim, 1.0f, x + i0 * p->dim, (int)p->dim);
    }
    return rc;
}

/* OpenBLAS on one thread for the duration, so no result depends on its thread count. */
int am_pca_decode(const am_pca *p, const float *z, size_t n, float *x)
{
    int blas = am__blas_serial();
    int rc = pca_decode_serial(p, z, n, x);
    am__blas_restore(blas);
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
