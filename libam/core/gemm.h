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

/* Packing buffers, one strip of B (at most 256 x 32 floats, in L1) per thread, allocated once. */
typedef struct am__gemm_ws {
    float *b;
    int threads; /* buffers held */
} am__gemm_ws;

void am__gemm_ws_free(am__gemm_ws *ws);

/* Make ws hold the buffers of a team of `threads` (so later calls never allocate). The m, n, k of the
 * products do not matter. */
int am__gemm_ws_reserve(am__gemm_ws *ws, int threads);

/* A view of `count` of ws's buffers starting at `first`, for a sub-team (nothing allocated; do not free). */
am__gemm_ws am__gemm_ws_slice(const am__gemm_ws *ws, int first, int count);

/* An epilogue, applied once to each finished tile of C: rows [i0, i0 + rows) x columns [j0, j0 + cols),
 * starting at c (leading dimension ldc), by the thread that computed it. */
typedef void (*am__gemm_epilogue)(float *c, size_t ldc, size_t i0, size_t rows, size_t j0, size_t cols, void *ctx);

/* C (m x n, row-major, leading dimension ldc) = op(A) op(B), or C += op(A) op(B) when accumulate.
 * op(A) is m x k: A[i*lda + p] (ta = 0) or A[p*lda + i] (ta = 1); op(B) is k x n: B[p*ldb + j] (tb = 0) or
 * B[j*ldb + p] (tb = 1). Returns AM_OK or AM_ENOMEM (ws could not grow). */
int am__sgemm(int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda, const float *B, size_t ldb,
              int accumulate, float *C, size_t ldc, am__gemm_ws *ws);

/* The same product on a team of `threads` OpenMP threads (0: OpenMP's maximum; 1 without OpenMP), the same
 * bits at any count (a product of fewer than 32768 multiply-adds runs on the calling thread alone). ws grows to the team's buffers the first time (AM_ENOMEM when it cannot); reserve them
 * beforehand (am__gemm_ws_reserve) for a call that never allocates. */
int am__sgemm_threads(int threads, int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda,
                      const float *B, size_t ldb, int accumulate, float *C, size_t ldc, am__gemm_ws *ws);
/* The team size am__sgemm_threads uses for `threads`. */
int am__gemm_team_size(int threads);

/* The same product computed by all `nth` threads of an OpenMP team together: call it from every thread of
 * the team with its `tid`. Each thread computes whole column strips of C; it ends with a barrier, after which
 * all of C is done. ws is shared by the team and must hold nth buffers (am__gemm_ws_reserve). epi (may be
 * NULL) is applied to every tile once its last k block is added. */
void am__sgemm_team(int tid, int nth, int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda,
                    const float *B, size_t ldb, int accumulate, float *C, size_t ldc, am__gemm_ws *ws,
                    am__gemm_epilogue epi, void *ctx);
/* The same without the final barrier: each thread returns when its own strips are done (the caller
 * synchronises before anyone reads C). */
void am__sgemm_team_nowait(int tid, int nth, int ta, int tb, size_t m, size_t n, size_t k, const float *A,
                           size_t lda, const float *B, size_t ldb, int accumulate, float *C, size_t ldc,
                           am__gemm_ws *ws, am__gemm_epilogue epi, void *ctx);

/* The same as am__sgemm_team_nowait with tb = 0, reading B where it lies (row stride ldb) instead of packing
 * it: for a B that changes between products and is too large to pack each time (weights). Only a partial
 * last strip of columns is packed, into ws. */
void am__sgemm_team_inplace(int tid, int nth, int ta, size_t m, size_t n, size_t k, const float *A, size_t lda,
                            const float *B, size_t ldb, int accumulate, float *C, size_t ldc, am__gemm_ws *ws,
                            am__gemm_epilogue epi, void *ctx);

/* Pre-packed B, for a matrix that several products read (weights): every strip of op(B) (k x n) for every k
 * block, as the products read them. am__gemm_packed_size floats; am__gemm_pack packs the strips [tid/nth]
 * share (no barrier: the caller synchronises before the products start). */
size_t am__gemm_packed_size(size_t n, size_t k);
void am__gemm_pack(int tb, size_t n, size_t k, const float *B, size_t ldb, float *packed, int tid, int nth);
/* Repack one tile of a matrix W (row-major n x k, leading dimension ldw) after its values changed, rows
 * [i0, i0 + rows) x columns [j0, j0 + cols), into packed, which holds op(B) = W^T as am__gemm_pack with
 * tb = 1 lays it out. The rows must lie in one strip of 32 (i0 % 32 + rows <= 32); a tile that ends W's rows
 * (i0 + rows == n) zeroes the rest of its strip. */
void am__gemm_repack_t(const float *w, size_t ldw, size_t i0, size_t rows, size_t j0, size_t cols, size_t n, size_t k,
                       float *packed);
/* am__sgemm_team_nowait with B already packed (no packing buffer needed). */
void am__sgemm_team_packed(int tid, int nth, int ta, size_t m, size_t n, size_t k, const float *A, size_t lda,
                           const float *packed, int accumulate, float *C, size_t ldc, am__gemm_epilogue epi,
                           void *ctx);

/* Which kernel runs here: "avx512", "avx2" or "scalar". */
const char *am__gemm_kernel(void);
/* Use kernel `name` from now on (tests: every kernel must give the same bits). AM_EUNSUPPORTED when this
 * CPU lacks it. Not thread-safe: call it while no product runs. */
int am__gemm_use(const char *name);

#endif
