/* Internal: double-precision linear algebra whose results do not depend on how they are computed.
 *
 * LAPACK's factorisations call BLAS, whose sums depend on the kernel set (OPENBLAS_CORETYPE), the CPU and the
 * thread count, so their last bits differ from machine to machine. These replace them where a result reaches
 * an output (the pseudo-inverse rule, PCA, the latent codes' decoder): plain C in one fixed order of
 * operations, with no reduction split across vector lanes or threads. Vector instructions (target_clones) and
 * threads change only the speed: the same bits on any x86-64 CPU, at any thread count, under any OpenBLAS.
 * All matrices are row-major with a leading dimension (row stride, in elements). */
#ifndef AM_CORE_LINALG_H
#define AM_CORE_LINALG_H

#include <stddef.h>

/* C (p x q, ldc) = A^T B, or C += A^T B when accumulate; A is m x p (lda), B is m x q (ldb), all caller-owned,
 * none aliasing C. Each C[i][j] is ONE chain of fused multiply-adds over the rows r = 0, 1, ..., m-1 in order:
 * c = fma(A[r][i], B[r][j], c), starting from 0 (or C). On a team of `threads` OpenMP threads (0: OpenMP's
 * maximum; one inside a parallel region), the same bits at any count. AM_OK, or AM_ENOMEM (C untouched). */
int am__dgemm_tn(int threads, size_t m, size_t p, size_t q, const double *A, size_t lda, const double *B, size_t ldb,
                 int accumulate, double *C, size_t ldc);

/* C (n x n, ldc) = A^T A, or C += A^T A: the same chains as am__dgemm_tn with B = A, computed for j >= i and
 * mirrored, so C is exactly symmetric (about half the work). A is m x n (lda). AM_OK or AM_ENOMEM. */
int am__dsyrk_tn(int threads, size_t m, size_t n, const double *A, size_t lda, int accumulate, double *C, size_t ldc);

/* am__dsyrk_tn of the centred rows A[r][i] = (double)x[r][i] - mean[i] (x: m x n floats, ldx; mean: n), made
 * as the product reads them (no centred copy): the covariance's sums without an m x n double buffer. */
int am__dsyrk_centred(int threads, size_t m, size_t n, const float *x, size_t ldx, const double *mean, int accumulate,
                      double *C, size_t ldc);

/* Which kernel the products use here: "avx512", "avx2" or "scalar"; am__dgemm_use picks one (tests: every
 * kernel must give the same bits; AM_EUNSUPPORTED when this CPU lacks it; not thread-safe). */
const char *am__dgemm_kernel(void);
int am__dgemm_use(const char *name);

/* Pivoted Cholesky of a symmetric positive semi-definite k x k matrix a (ld k, in: the whole matrix; out: the
 * leading rank x rank lower triangle holds L, with L L^T = a restricted to the pivots perm[0..rank)). The
 * pivot is the largest remaining diagonal entry (ties to the lower index); it stops before the first pivot
 * that is not above tol (NaN included). perm (k, out). Returns the rank. */
size_t am__dchol_pivoted(double *a, size_t k, double tol, size_t *perm);

/* The same factorisation computing only the columns it pivots on, for a large k of low rank (a Gram matrix of
 * more vectors than dimensions): column(ctx, j, out) fills out[0..k) with column j of A; diag (k, in) is A's
 * diagonal. Columns of L are kept whole, in A's row order: L[t * k + i] = L(i, t) (k x rmax, out), so the
 * factor over the pivots is L(perm[a], b). The pivot is the largest remaining diagonal entry, ties to the
 * lower row of A; it stops before the first pivot not above tol, or after rmax. d, col: k doubles of work.
 * Returns the rank. */
size_t am__dchol_pivoted_lazy(size_t k, size_t rmax, void (*column)(void *ctx, size_t j, double *out), void *ctx,
                              const double *diag, double tol, double *L, size_t *perm, double *d, double *col);

/* Solve L X = B in place by forward substitution: L (r x r, ldl, lower triangle read, non-zero diagonal),
 * B (r x n, ldb; rows overwritten by X, row a once rows 0..a-1 are done, each a sum over them in order). */
void am__dtrsm_lower(size_t r, const double *L, size_t ldl, double *B, size_t n, size_t ldb);

/* Solve A X = B for a symmetric positive definite n x n A (lda; only its upper triangle, j >= i, is read;
 * overwritten by the factor) and n x nrhs right-hand sides B (ldb; overwritten by X). AM_ENOTFINITE when an
 * entry read is NaN or infinite, AM_ENUMERIC when A is not positive definite (a pivot is not above 0); B is
 * then unchanged. */
int am__dposv(size_t n, size_t nrhs, double *a, size_t lda, double *b, size_t ldb);

/* Eigenvalues and the leading k eigenvectors of a symmetric n x n matrix a (lda; the whole matrix is read and
 * destroyed): w (n, out) the eigenvalues in descending order; v (k x n, out, may be NULL when k = 0) row c the
 * unit eigenvector of w[c]. Householder tridiagonalisation, then implicit QL with Wilkinson shifts
 * (EISPACK's tql2), the eigenvectors of the tridiagonal matrix turned back through the reflectors.
 * An off-diagonal entry is dropped when below DBL_EPSILON times its diagonal neighbours or the matrix's norm
 * (eigenvalues accurate to about DBL_EPSILON times the norm, as LAPACK's). AM_ENOTFINITE when an entry is
 * NaN or infinite, AM_ENUMERIC when the QL iteration does not converge (30 n sweeps in all), AM_ENOMEM,
 * AM_EINVAL when k > n or n = 0. */
int am__dsyev(size_t n, double *a, size_t lda, double *w, size_t k, double *v);

#endif
