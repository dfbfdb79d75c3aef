/* PCA: exact reconstruction at full rank, orthonormal components, variances, save/load. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "files.h"
#include "tap.h"

int main(void)
{
    const size_t n = 300, d = 12;
    am_rng rng;
    am_rng_init(&rng, 3, 0);
    /* Correlated data: a random mixing of independent sources with scales 1 .. 12 plus an offset. */
    float *x = malloc(n * d * sizeof *x), *z = malloc(n * d * sizeof *z), *y = malloc(n * d * sizeof *y);
    double mix[12][12];
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++)
            mix[a][b] = am_rng_normal(&rng);
    for (size_t i = 0; i < n; i++) {
        double s[12];
        for (size_t a = 0; a < d; a++)
            s[a] = (double)(a + 1) * am_rng_normal(&rng);
        for (size_t b = 0; b < d; b++) {
            double v = 5.0 + (double)b;
            for (size_t a = 0; a < d; a++)
                v += mix[a][b] * s[a];
            x[i * d + b] = (float)v;
        }
    }
    am_pca *p = NULL, *q = NULL;
    is_int(am_pca_fit(&p, x, n, d, 0), AM_EINVAL, "k = 0 rejected");
    is_int(am_pca_fit(&p, x, n, d, d + 1), AM_EINVAL, "k > dim rejected");
    is_int(am_pca_fit(&p, x, 1, d, 2), AM_EINVAL, "one row rejected");
    int rc = am_pca_fit(&p, x, n, d, d);
    is_int(rc, AM_OK, "fit all %zu components", d);
    am_pca_encode(p, x, n, z);
    am_pca_decode(p, z, n, y);
    double err = 0, scale = 0;
    for (size_t i = 0; i < n * d; i++) {
        err = fmax(err, fabs(y[i] - x[i]));
        scale = fmax(scale, fabs(x[i]));
    }
    is_near(err / scale, 0.0, 2e-6, "full rank: decode(encode(x)) = x (relative to max |x|)");
    is_near(am_pca_explained(p, d), 1.0, 1e-9, "full rank explains all the variance");
    double orth = 0;
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++) {
            double s = 0;
            for (size_t j = 0; j < d; j++)
                s += (double)p->components[a * d + j] * p->components[b * d + j];
            orth = fmax(orth, fabs(s - (a == b)));
        }
    is_near(orth, 0.0, 1e-5, "components are orthonormal");
    int desc = 1;
    for (size_t c = 1; c < d; c++)
        desc &= p->variance[c] <= p->variance[c - 1];
    ok(desc, "variances descend");
    /* The variance along each component is the variance of that code coordinate. */
    double worst = 0;
    for (size_t c = 0; c < d; c++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < n; i++)
            m += z[i * d + c];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (z[i * d + c] - m) * (z[i * d + c] - m);
        v /= (double)n;
        worst = fmax(worst, fabs(v - p->variance[c]) / p->variance[0]);
    }
    is_near(worst, 0.0, 1e-5, "eigenvalues = variances of the codes");
    am_pca_free(p);

    /* k < d: the mean squared reconstruction error per row is the variance left out. */
    am_pca_fit(&p, x, n, d, 4);
    am_pca_encode(p, x, n, z);
    am_pca_decode(p, z, n, y);
    double se = 0;
    for (size_t i = 0; i < n * d; i++)
        se += ((double)y[i] - x[i]) * ((double)y[i] - x[i]);
    se /= (double)n;
    is_near(se / p->total, 1.0 - am_pca_explained(p, 4), 1e-5, "k = 4: squared error = unexplained variance (%.3f)",
            1.0 - am_pca_explained(p, 4));

    char path[] = "/tmp/t-pca-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    is_int(am_pca_save(p, path), AM_OK, "save");
    rc = am_pca_load(&q, path);
    ok(rc == AM_OK && q->k == 4 && q->dim == d && !memcmp(q->components, p->components, 4 * d * sizeof(float)) &&
           !memcmp(q->mean, p->mean, d * sizeof(float)) && q->variance[3] == p->variance[3] && q->total == p->total,
       "load: the same model");
    am_pca_free(q);
    FILE *f = fopen(path, "r+b");
    fseek(f, 60, SEEK_SET);
    fputc(0x42, f);
    fclose(f);
    is_int(am_pca_load(&q, path), AM_ECHECKSUM, "a damaged file: AM_ECHECKSUM");
    if (truncate(path, 50) == 0)
        is_int(am_pca_load(&q, path), AM_ETRUNC, "a truncated file: AM_ETRUNC");
    unlink(path);
    /* The fit does not depend on any thread count: OpenMP's or OpenBLAS's. */
    {
        size_t nn = 3000, dd = 40;
        float *big = malloc(nn * dd * sizeof *big);
        am_rng r2;
        am_rng_init(&r2, 5, 0);
        for (size_t i = 0; i < nn * dd; i++)
            big[i] = (float)(am_rng_normal(&r2) * (1.0 + (double)(i % dd)));
        am_pca *p1 = NULL, *p2 = NULL;
        omp_set_num_threads(1);
        am_blas_set_threads(1);
        am_pca_fit(&p1, big, nn, dd, 5);
        omp_set_num_threads(2);
        am_blas_set_threads(2);
        am_pca_fit(&p2, big, nn, dd, 5);
        ok(p1 && p2 && !memcmp(p1->components, p2->components, 5 * dd * sizeof(float)) &&
               !memcmp(p1->variance, p2->variance, 5 * sizeof(double)),
           "the same components and variances with 1 and 2 threads (OpenMP and OpenBLAS)");
        am_blas_set_threads(1);
        am_pca_free(p1);
        am_pca_free(p2);
        free(big);
    }
    /* Forged files. */
    tfile t;
    tf_head(&t, "LIBAMPCA");
    tf_u64(&t, 100000), tf_u64(&t, 1), tf_f64(&t, 1.0);
    tf_write(&t, path);
    is_int(am_pca_load(&q, path), AM_ERANGE, "a PCA over 100000 features: AM_ERANGE");
    tf_head(&t, "LIBAMPCA");
    tf_u64(&t, 2), tf_u64(&t, 1), tf_f64(&t, 1.0), tf_f64(&t, 0.5);
    tf_f32(&t, NAN), tf_f32(&t, 0), tf_f32(&t, 1), tf_f32(&t, 0);
    tf_write(&t, path);
    is_int(am_pca_load(&q, path), AM_ENOTFINITE, "a NaN mean: AM_ENOTFINITE");
    unlink(path);
    am_pca_free(p);
    am_pca_free(NULL);
    free(x);
    free(z);
    free(y);
    return done_testing();
}
