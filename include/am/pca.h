/* libam — principal component analysis, the linear autoencoder: encode z = W (x - mean), decode
 * x = Wᵀ z + mean, with W the k leading eigenvectors of the data covariance (accumulated in double precision,
 * decomposed by libam's fixed-order eigensolver: Householder tridiagonalisation and implicit QL). With k = dim
 * the reconstruction is exact up to rounding. Every result has the same bits at any thread count, on any
 * x86-64 CPU and under any OpenBLAS kernel set. */
#ifndef AM_PCA_H
#define AM_PCA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct am_pca {
    size_t dim, k;
    float *mean;        /* dim */
    float *components;  /* k x dim, orthonormal rows, leading first; the largest entry of each is positive */
    double *variance;   /* k eigenvalues (variance along each component), descending */
    double total;       /* total variance (trace of the covariance) */
} am_pca;

/* Fit k components to n rows of x (n x dim, row-major, caller-owned). k must be in [1, dim], n >= 2. The cancel
 * hook (am/cancel.h) is polled between blocks of rows of the covariance, not during the eigen-decomposition.
 * AM_ENUMERIC if the eigensolver does not converge, AM_ENOTFINITE if the covariance is not finite (x holds
 * NaN or infinity). */
int am_pca_fit(am_pca **out, const float *x, size_t n, size_t dim, size_t k);
void am_pca_free(am_pca *p);
/* Fraction of the total variance explained by the first j components (j <= k). */
double am_pca_explained(const am_pca *p, size_t j);
/* z (n x k) from x (n x dim); x (n x dim) from z (n x k). Caller-owned buffers. */
int am_pca_encode(const am_pca *p, const float *x, size_t n, float *z);
int am_pca_decode(const am_pca *p, const float *z, size_t n, float *x);
int am_pca_save(const am_pca *p, const char *path);
int am_pca_load(am_pca **out, const char *path);

#ifdef __cplusplus
}
#endif
#endif
