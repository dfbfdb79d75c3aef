/* Internal: a single-precision matrix product whose result does not depend on how it is computed.
 *
 * Every element is ONE chain of fused multiply-adds over k in order, c = fma(a_0 b_0, 0), c = fma(a_1 b_1, c),
 * ... (or starting from C when accumulating). Blocking, packing, the thread that computes a tile and the
 * instruction set (AVX-512, AVX2, scalar fmaf) change only the speed: the bits of C are the same at any
 * thread count, on any x86-64 CPU with FMA, and under any OPENBLAS_CORETYPE. libam uses it where results
 * must be reproducible bit for bit (training); OpenBLAS, whose sums depend on a call's shape and kernel
 * set, serves the rest. */
#ifndef AM_CORE_GEMM_H
#define AM_CORE_GEMM_H

#include <stddef.h>

/* The packing buffer of B, grown on first use and reused (no allocation once it is large enough). */
typedef struct am__gemm_ws {
    float *b;
    size_t bcap; /* floats */
} am__gemm_ws;

void am__gemm_ws_free(am__gemm_ws *ws);

/* Make ws hold the packing buffers of products up to m x n x k (so later calls never allocate). */
int am__gemm_ws_reserve(am__gemm_ws *ws, size_t m, size_t n, size_t k);

/* C (m x n, row-major, leading dimension ldc) = op(A) op(B), or C += op(A) op(B) when accumulate.
 * op(A) is m x k: A[i*lda + p] (ta = 0) or A[p*lda + i] (ta = 1); op(B) is k x n: B[p*ldb + j] (tb = 0) or
 * B[j*ldb + p] (tb = 1). Returns AM_OK or AM_ENOMEM (ws could not grow). */
int am__sgemm(int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda, const float *B, size_t ldb,
              int accumulate, float *C, size_t ldc, am__gemm_ws *ws);

/* The same product computed by all `nth` threads of an OpenMP team together (call it from every thread
 * of the team with its `tid`; it contains barriers). ws is shared by the team and must have been reserved
 * for this size beforehand (am__gemm_ws_reserve), since threads cannot allocate it together. */
void am__sgemm_team(int tid, int nth, int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda,
                    const float *B, size_t ldb, int accumulate, float *C, size_t ldc, am__gemm_ws *ws);

/* Which kernel runs here: "avx512", "avx2" or "scalar". */
const char *am__gemm_kernel(void);
/* Use kernel `name` from now on (tests: every kernel must give the same bits). AM_EUNSUPPORTED when this
 * CPU lacks it. Not thread-safe: call it while no product runs. */
int am__gemm_use(const char *name);

#endif
