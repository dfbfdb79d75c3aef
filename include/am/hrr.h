/* libam — holographic reduced representations (Plate 1995), in single precision, through FFTW.
 *
 * Vectors of dimension D; random vectors have i.i.d. N(0, 1/D) components (length about 1).
 *   bind      a (*) b : circular convolution, (a (*) b)_i = sum_j a_j b_(i-j mod D); commutative.
 *   unbind    a^+ (*) t with a^+ the involution (a^+_i = a_(-i mod D), the approximate inverse: circular
 *             correlation) or the exact inverse (F(a^-1) = 1 / F(a); unstable where |F(a)| is small).
 *   unitary   the projection with |F(x)_f| = 1 for every frequency: for unitary a, a^+ = a^-1, so unbinding
 *             is exact and binding keeps lengths.
 *   bundle    (weighted) sum of rows, optionally normalised to length 1.
 *   permute   out_i = x_perm[i]; shift is the cyclic permutation.
 * Clean-up memory is any libam store over the item vocabulary (am/modern.h by default: am_modern_nearest).
 *
 * Batches. Every operation takes n rows; row r of an argument x starts at x + r * ldx (ldx >= D, or 0 for
 * an argument given as one row and used for every row). Rows are transformed in blocks of a fixed size with
 * FFTW plans made once in am_hrr_create, so the result of a row does not depend on n, on its position or on
 * the thread that computed it.
 *
 * Threads. An am_hrr is read-only after creation: any number of threads may use it at once. A call given a
 * work object (am_hrr_work_create; one per thread, never shared) runs on the calling thread and allocates
 * nothing. A call given work = NULL makes its own per-thread buffers and spreads the rows over the OpenMP
 * threads (omp_set_num_threads); the results are the same bits either way. Plan creation is serialised
 * inside libam (see am/fft.h for the contract with other FFTW users in the same program). */
#ifndef AM_HRR_H
#define AM_HRR_H

#include <stddef.h>
#include <stdint.h>

#include "am/fft.h"
#include "am/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct am_hrr am_hrr;
typedef struct am_hrr_work am_hrr_work;

typedef enum { AM_HRR_INVOLUTION = 0, AM_HRR_EXACT = 1 } am_hrr_inverse;

/* Plans for dimension dim (1 <= dim <= 2^24); planning as in am/fft.h. */
int am_hrr_create(am_hrr **out, size_t dim, am_fft_planning how);
void am_hrr_free(am_hrr *h);
size_t am_hrr_dim(const am_hrr *h);
/* Rows per transform block (what a work object holds). */
size_t am_hrr_block(const am_hrr *h);

int am_hrr_work_create(am_hrr_work **out, const am_hrr *h);
void am_hrr_work_free(am_hrr_work *w);

/* n x dim i.i.d. N(0, 1/dim) values into x (caller-owned, row-major, rows contiguous), from rng. */
void am_hrr_random(am_rng *rng, size_t n, size_t dim, float *x);

/* out = a (*) b for n rows. a, b: in; lda, ldb may be 0 (one row for all); out: n rows, ldo >= dim; out may
 * be a or b (then with the same stride). */
int am_hrr_bind(const am_hrr *h, size_t n, const float *a, size_t lda, const float *b, size_t ldb, float *out,
                size_t ldo, am_hrr_work *w);
/* out = a^+ (*) t (kind AM_HRR_INVOLUTION) or a^-1 (*) t (AM_HRR_EXACT). With AM_HRR_EXACT, a row of a with a
 * zero or vanishing Fourier component (|F|^2 not a normal float) is AM_ENOTFINITE and that row of out is
 * left unspecified. out may alias t. */
int am_hrr_unbind(const am_hrr *h, size_t n, const float *t, size_t ldt, const float *a, size_t lda,
                  am_hrr_inverse kind, float *out, size_t ldo, am_hrr_work *w);
/* out = the unitary projection of x (each Fourier component divided by its magnitude; a zero component
 * becomes 1). out may alias x. */
int am_hrr_unitary(const am_hrr *h, size_t n, const float *x, size_t ldx, float *out, size_t ldo, am_hrr_work *w);
/* out_r = sum_k role_k (*) item_k,r for r < n: K bound pairs summed into each of n traces (roles: K x dim,
 * contiguous; items[k]: n rows with stride ld[k], ld[k] may be 0). The sum is taken in the Fourier domain in
 * the order k = 0 .. K-1 and transformed back once. out must not alias the inputs. */
int am_hrr_encode(const am_hrr *h, size_t n, size_t K, const float *roles, const float *const *items,
                  const size_t *ld, float *out, size_t ldo, am_hrr_work *w);

/* The involution, out_i = x_(-i mod dim) (no FFT; out must not alias x). */
void am_hrr_involution(size_t dim, size_t n, const float *x, size_t ldx, float *out, size_t ldo);
/* out_i = x_perm[i] (perm: a permutation of 0 .. dim-1, caller's to check; out must not alias x). */
void am_hrr_permute(size_t dim, size_t n, const float *x, size_t ldx, const uint32_t *perm, float *out, size_t ldo);
/* Cyclic shift by k (any integer): out_i = x_(i-k mod dim). out must not alias x. */
void am_hrr_shift(size_t dim, size_t n, const float *x, size_t ldx, long k, float *out, size_t ldo);
/* out = sum_r w_r x_r (w NULL: all 1), in double then rounded; normalise != 0 scales out to length 1 (a zero
 * sum stays zero). */
void am_hrr_bundle(size_t dim, size_t n, const float *x, size_t ldx, const float *w, int normalise, float *out);
/* Cosine of a and b (0 if either is zero), in double. */
double am_hrr_cosine(size_t dim, const float *a, const float *b);

#ifdef __cplusplus
}
#endif
#endif
