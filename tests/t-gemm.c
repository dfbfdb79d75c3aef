/* The reproducible sgemm: every element is one fused multiply-add chain in k order, so the bits of C do not
 * depend on the kernel (AVX-512, AVX2, scalar), on how many threads share the product, or on blocking;
 * and the values agree with a double-precision reference. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "../libam/core/gemm.h"
#include "am/am.h"
#include "tap.h"

static float *rnd(size_t n, am_rng *rng)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = (float)(2.0 * am_rng_uniform(rng) - 1.0);
    return p;
}

/* op(A)(i, p) and op(B)(p, j) of the row-major storage. */
static float opa(int ta, const float *A, size_t lda, size_t i, size_t p) { return ta ? A[p * lda + i] : A[i * lda + p]; }
static float opb(int tb, const float *B, size_t ldb, size_t p, size_t j) { return tb ? B[j * ldb + p] : B[p * ldb + j]; }

/* The chain itself, written out: the definition the kernels must match bit for bit. */
static void chain(int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda, const float *B, size_t ldb,
                  int acc, float *C, size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            float c = acc ? C[i * ldc + j] : 0.0f;
            for (size_t p = 0; p < k; p++)
                c = fmaf(opa(ta, A, lda, i, p), opb(tb, B, ldb, p, j), c);
            C[i * ldc + j] = c;
        }
}

int main(void)
{
    am_rng rng;
    am_rng_init(&rng, 11, 0);
    const char *native = am__gemm_kernel();
    const char *kernels[] = {"avx512", "avx2", "scalar"};
    /* Shapes with every edge: below, at and above the 8 x 32 tile and the k block of 256. */
    const size_t shapes[][3] = {{1, 1, 1}, {8, 32, 256}, {9, 33, 257}, {61, 37, 300}, {128, 256, 784},
                                {3, 70, 5}, {40, 7, 600}, {17, 100, 0}};
    const int nshapes = (int)(sizeof shapes / sizeof *shapes);
    int all_same = 1, ref_ok = 1, team_same = 1, acc_ok = 1, tested = 0, inplace_same = 1, packed_same = 1;
    double worst = 0;
    for (int s = 0; s < nshapes; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                size_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
                size_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
                float *A = rnd((ta ? k : m) * lda, &rng), *B = rnd((tb ? n : k) * ldb, &rng);
                float *C0 = rnd(m * ldc, &rng), *want = malloc(m * ldc * sizeof *want), *C = malloc(m * ldc * sizeof *C);
                for (int acc = 0; acc < 2; acc++) {
                    memcpy(want, C0, m * ldc * sizeof *want);
                    chain(ta, tb, m, n, k, A, lda, B, ldb, acc, want, ldc);
                    for (int q = 0; q < 3; q++) {
                        if (am__gemm_use(kernels[q]) != AM_OK)
                            continue;
                        am__gemm_ws ws = {0};
                        memcpy(C, C0, m * ldc * sizeof *C);
                        am__sgemm(ta, tb, m, n, k, A, lda, B, ldb, acc, C, ldc, &ws);
                        tested++;
                        if (memcmp(C, want, m * ldc * sizeof *C))
                            all_same = 0;
                        /* The same product shared by 2 and 3 threads. */
                        for (int T = 2; T <= 3; T++) {
                            memcpy(C, C0, m * ldc * sizeof *C);
                            am__gemm_ws_reserve(&ws, T);
#pragma omp parallel num_threads(T)
                            am__sgemm_team(omp_get_thread_num(), omp_get_num_threads(), ta, tb, m, n, k, A, lda, B, ldb,
                                           acc, C, ldc, &ws, NULL, NULL);
                            if (memcmp(C, want, m * ldc * sizeof *C))
                                team_same = 0;
                        }
                        /* B read where it lies (tb = 0), by 1 and 2 threads; and B packed beforehand. */
                        for (int T = 1; T <= 2 && !tb; T++) {
                            memcpy(C, C0, m * ldc * sizeof *C);
                            am__gemm_ws_reserve(&ws, T);
#pragma omp parallel num_threads(T)
                            am__sgemm_team_inplace(omp_get_thread_num(), omp_get_num_threads(), ta, m, n, k, A, lda, B,
                                                   ldb, acc, C, ldc, &ws, NULL, NULL);
                            if (memcmp(C, want, m * ldc * sizeof *C))
                                inplace_same = 0;
                        }
                        float *pk = malloc((am__gemm_packed_size(n, k) + 1) * sizeof *pk);
                        am__gemm_pack(tb, n, k, B, ldb, pk, 0, 1);
                        memcpy(C, C0, m * ldc * sizeof *C);
                        am__sgemm_team_packed(0, 1, ta, m, n, k, A, lda, pk, acc, C, ldc, NULL, NULL);
                        if (memcmp(C, want, m * ldc * sizeof *C))
                            packed_same = 0;
                        free(pk);
                        am__gemm_ws_free(&ws);
                    }
                    /* Against double precision, and the padding columns of C untouched. */
                    for (size_t i = 0; i < m; i++) {
                        for (size_t j = 0; j < n; j++) {
                            double r = acc ? C0[i * ldc + j] : 0.0;
                            for (size_t p = 0; p < k; p++)
                                r += (double)opa(ta, A, lda, i, p) * opb(tb, B, ldb, p, j);
                            double e = fabs(r - want[i * ldc + j]);
                            worst = e > worst ? e : worst;
                            if (e > 1e-5 * (double)(k + 1))
                                ref_ok = 0;
                        }
                        if (C[i * ldc + n] != C0[i * ldc + n] || C[i * ldc + n + 1] != C0[i * ldc + n + 1])
                            acc_ok = 0;
                    }
                }
                free(A), free(B), free(C0), free(want), free(C);
            }
    /* Repacking tiles of W (n x k) into its packed W^T after they change: the same bytes as packing anew. The
     * buffer starts as garbage, so every byte, padding included, must come from the repacking. */
    int repack_same = 1;
    const size_t rshapes[][2] = {{784, 256}, {256, 784}, {70, 45}, {9, 33}, {64, 16}};
    for (int s = 0; s < 5; s++)
        for (int tile = 8; tile <= 16; tile += 8) {
            size_t n = rshapes[s][0], k = rshapes[s][1], sz = am__gemm_packed_size(n, k);
            float *w = rnd(n * k, &rng), *pk = rnd(sz, &rng), *fresh = malloc(sz * sizeof *fresh);
            for (size_t i0 = 0; i0 < n; i0 += (size_t)tile) /* every tile changes, in bands of rows */
                for (size_t j0 = 0; j0 < k; j0 += 32) {
                    size_t rows = n - i0 < (size_t)tile ? n - i0 : (size_t)tile, cols = k - j0 < 32 ? k - j0 : 32;
                    for (size_t i = i0; i < i0 + rows; i++)
                        for (size_t j = j0; j < j0 + cols; j++)
                            w[i * k + j] = -w[i * k + j] + 0.25f;
                    am__gemm_repack_t(w, k, i0, rows, j0, cols, n, k, pk);
                }
            am__gemm_pack(1, n, k, w, k, fresh, 0, 1);
            if (memcmp(pk, fresh, sz * sizeof *pk))
                repack_same = 0;
            free(w), free(pk), free(fresh);
        }
    ok(repack_same, "tiles repacked after a change give the bytes of a fresh pack (zero padding included)");
    ok(inplace_same, "B read in place (tb = 0) gives the same bits, at 1 and 2 threads");
    ok(packed_same, "B packed beforehand gives the same bits");
    diag("kernel chosen on this CPU: %s", native);
    am__gemm_use(native);
    ok(tested >= nshapes * 4 * 2, "%d products computed (every available kernel, shape, transpose and mode)", tested);
    ok(all_same, "every kernel gives the bits of the written-out fma chain");
    ok(team_same, "the same bits when 2 or 3 threads share a product");
    ok(ref_ok, "within 1e-5 k of a double-precision reference (worst %.3g)", worst);
    ok(acc_ok, "columns beyond n are never written");
    ok(am__gemm_use("sse9") == AM_EUNSUPPORTED, "an unknown kernel is AM_EUNSUPPORTED");
    return done_testing();
}
