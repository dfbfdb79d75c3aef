/* A reproducible sgemm: B packed in strips of 32 columns, A read in place, an 8 x 32 register tile, k blocked
 * by KC with each element's chain carried through C between blocks. See gemm.h for the contract. */
#include "gemm.h"

#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"

#define MR 8
#define NR 32
#define KC 256

void am__gemm_ws_free(am__gemm_ws *ws)
{
    if (!ws)
        return;
    free(ws->b);
    memset(ws, 0, sizeof *ws);
}

static size_t round_up(size_t x, size_t r)
{
    return (x + r - 1) / r * r;
}

int am__gemm_ws_reserve(am__gemm_ws *ws, size_t m, size_t n, size_t k)
{
    size_t kc = k < KC ? k : KC, nb = round_up(n ? n : 1, NR) * (kc ? kc : 1);
    (void)m;
    if (nb > ws->bcap) {
        float *p = NULL;
        if (posix_memalign((void **)&p, 64, nb * sizeof(float)))
            return AM_ENOMEM;
        free(ws->b);
        ws->b = p;
        ws->bcap = nb;
    }
    return AM_OK;
}

/* ---- packing ---- */

/* Strips of NR columns of op(B), strips [s0, s1), rows [p0, p0 + kc): strip s holds, for each p, the NR
 * values B(p, s*NR + 0..NR-1), zero beyond n. */
static void pack_b(int tb, const float *B, size_t ldb, size_t n, size_t s0, size_t s1, size_t p0, size_t kc,
                   float *dst)
{
    for (size_t s = s0; s < s1; s++) {
        float *d = dst + s * NR * kc;
        size_t j0 = s * NR, cols = n - j0 < NR ? n - j0 : NR;
        if (!tb) {
            for (size_t p = 0; p < kc; p++) {
                const float *src = B + (p0 + p) * ldb + j0;
                memcpy(d + p * NR, src, cols * sizeof(float));
                if (cols < NR)
                    memset(d + p * NR + cols, 0, (NR - cols) * sizeof(float));
            }
        } else {
            for (size_t j = 0; j < NR; j++) {
                if (j < cols) {
                    const float *src = B + (j0 + j) * ldb + p0;
                    for (size_t p = 0; p < kc; p++)
                        d[p * NR + j] = src[p];
                } else {
                    for (size_t p = 0; p < kc; p++)
                        d[p * NR + j] = 0.0f;
                }
            }
        }
    }
}

/* ---- register tiles: C[0..mr) x [0..nr) (+)= A rows x b-strip over kc ----
 * A is read where it lies: A(r, p) = a[r * ars + p * aks] (rows beyond mr are never read). */

typedef void (*ukr_fn)(size_t kc, const float *a, size_t ars, size_t aks, const float *b, float *c, size_t ldc,
                       size_t mr, size_t nr, int load);

static void ukr_scalar(size_t kc, const float *a, size_t ars, size_t aks, const float *b, float *c, size_t ldc,
                       size_t mr, size_t nr, int load)
{
    for (size_t i = 0; i < mr; i++)
        for (size_t j = 0; j < nr; j++) {
            float acc = load ? c[i * ldc + j] : 0.0f;
            for (size_t p = 0; p < kc; p++)
                acc = fmaf(a[i * ars + p * aks], b[p * NR + j], acc);
            c[i * ldc + j] = acc;
        }
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2,fma"))) static void ukr_avx2(size_t kc, const float *a, size_t ars, size_t aks,
                                                         const float *b, float *c, size_t ldc, size_t mr, size_t nr,
                                                         int load)
{
    /* Four 4 x 16 quarters of the 8 x 32 tile, eight ymm accumulators each. */
    float tmp[4][16];
    for (size_t qi = 0; qi < MR; qi += 4) {
        if (qi >= mr)
            break;
        for (size_t qj = 0; qj < NR; qj += 16) {
            if (qj >= nr)
                break;
            size_t rows = mr - qi < 4 ? mr - qi : 4, cols = nr - qj < 16 ? nr - qj : 16;
            __m256 acc[4][2];
            for (int r = 0; r < 4; r++) {
                if (load && (size_t)r < rows) {
                    float *cr = c + (qi + r) * ldc + qj;
                    if (cols == 16) {
                        acc[r][0] = _mm256_loadu_ps(cr);
                        acc[r][1] = _mm256_loadu_ps(cr + 8);
                    } else {
                        memset(tmp[r], 0, sizeof tmp[r]);
                        memcpy(tmp[r], cr, cols * sizeof(float));
                        acc[r][0] = _mm256_loadu_ps(tmp[r]);
                        acc[r][1] = _mm256_loadu_ps(tmp[r] + 8);
                    }
                } else {
                    acc[r][0] = _mm256_setzero_ps();
                    acc[r][1] = _mm256_setzero_ps();
                }
            }
            const float *ar[4], *bp = b + qj;
            for (int r = 0; r < 4; r++)
                ar[r] = a + (qi + ((size_t)r < rows ? (size_t)r : 0)) * ars;
            for (size_t p = 0, off = 0; p < kc; p++, off += aks) {
                __m256 b0 = _mm256_load_ps(bp + p * NR), b1 = _mm256_load_ps(bp + p * NR + 8);
                for (int r = 0; r < 4; r++) {
                    __m256 av = _mm256_broadcast_ss(ar[r] + off);
                    acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
                    acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
                }
            }
            for (size_t r = 0; r < rows; r++) {
                float *cr = c + (qi + r) * ldc + qj;
                if (cols == 16) {
                    _mm256_storeu_ps(cr, acc[r][0]);
                    _mm256_storeu_ps(cr + 8, acc[r][1]);
                } else {
                    _mm256_storeu_ps(tmp[r], acc[r][0]);
                    _mm256_storeu_ps(tmp[r] + 8, acc[r][1]);
                    memcpy(cr, tmp[r], cols * sizeof(float));
                }
            }
        }
    }
}

__attribute__((target("avx512f,fma"))) static void ukr_avx512(size_t kc, const float *a, size_t ars, size_t aks,
                                                              const float *b, float *c, size_t ldc, size_t mr,
                                                              size_t nr, int load)
{
    /* Row pointers; rows past mr repeat row 0 (computed, never stored). */
    const float *a0 = a, *a1 = a + (1 < mr ? 1 : 0) * ars, *a2 = a + (2 < mr ? 2 : 0) * ars,
                *a3 = a + (3 < mr ? 3 : 0) * ars, *a4 = a + (4 < mr ? 4 : 0) * ars, *a5 = a + (5 < mr ? 5 : 0) * ars,
                *a6 = a + (6 < mr ? 6 : 0) * ars, *a7 = a + (7 < mr ? 7 : 0) * ars;
    __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : (__mmask16)0;
    __m512 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
#define LOADROW(r)                                                                                                \
    do {                                                                                                       \
        if (load && (r) < mr) {                                                                                \
            c##r##0 = _mm512_maskz_loadu_ps(m0, c + (r) * ldc);                                                \
            c##r##1 = _mm512_maskz_loadu_ps(m1, c + (r) * ldc + 16);                                           \
        } else {                                                                                               \
            c##r##0 = _mm512_setzero_ps();                                                                     \
            c##r##1 = _mm512_setzero_ps();                                                                     \
        }                                                                                                      \
    } while (0)
    LOADROW(0);
    LOADROW(1);
    LOADROW(2);
    LOADROW(3);
    LOADROW(4);
    LOADROW(5);
    LOADROW(6);
    LOADROW(7);
#undef LOADROW
    for (size_t p = 0, off = 0; p < kc; p++, off += aks) {
        __m512 b0 = _mm512_load_ps(b + p * NR), b1 = _mm512_load_ps(b + p * NR + 16), av;
#define STEP(r)                                                                                                   \
    av = _mm512_set1_ps(a##r[off]);                                                                            \
    c##r##0 = _mm512_fmadd_ps(av, b0, c##r##0);                                                                \
    c##r##1 = _mm512_fmadd_ps(av, b1, c##r##1)
        STEP(0);
        STEP(1);
        STEP(2);
        STEP(3);
        STEP(4);
        STEP(5);
        STEP(6);
        STEP(7);
#undef STEP
    }
#define STOREROW(r)                                                                                               \
    do {                                                                                                       \
        if ((r) < mr) {                                                                                        \
            _mm512_mask_storeu_ps(c + (r) * ldc, m0, c##r##0);                                                 \
            _mm512_mask_storeu_ps(c + (r) * ldc + 16, m1, c##r##1);                                            \
        }                                                                                                      \
    } while (0)
    STOREROW(0);
    STOREROW(1);
    STOREROW(2);
    STOREROW(3);
    STOREROW(4);
    STOREROW(5);
    STOREROW(6);
    STOREROW(7);
#undef STOREROW
}
#endif

static ukr_fn ukr;
static const char *ukr_name = "scalar";

static void pick_kernel(void)
{
    if (ukr)
        return;
    ukr_fn k = ukr_scalar;
    const char *name = "scalar";
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (!getenv("AM_GEMM_SCALAR")) {
        if (__builtin_cpu_supports("avx512f")) {
            k = ukr_avx512;
            name = "avx512";
        } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
            k = ukr_avx2;
            name = "avx2";
        }
    }
#endif
    ukr_name = name;
    __atomic_store_n(&ukr, k, __ATOMIC_RELEASE);
}

const char *am__gemm_kernel(void)
{
    pick_kernel();
    return ukr_name;
}

int am__gemm_use(const char *name)
{
    pick_kernel();
    if (!strcmp(name, "scalar")) {
        ukr = ukr_scalar;
        ukr_name = "scalar";
        return AM_OK;
    }
#if defined(__x86_64__) || defined(__i386__)
    if (!strcmp(name, "avx2") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        ukr = ukr_avx2;
        ukr_name = "avx2";
        return AM_OK;
    }
    if (!strcmp(name, "avx512") && __builtin_cpu_supports("avx512f")) {
        ukr = ukr_avx512;
        ukr_name = "avx512";
        return AM_OK;
    }
#endif
    return AM_EUNSUPPORTED;
}

/* Tiles [t0, t1) of one k block, numbered strip-major (t = strip * mtiles + row tile) so that a thread's
 * consecutive tiles share the strip of B that is in its L1 cache. */
static void tiles(size_t t0, size_t t1, size_t mtiles, size_t m, size_t n, size_t kc, const float *a, size_t ars,
                  size_t aks, const float *pb, float *C, size_t ldc, int load)
{
    for (size_t t = t0; t < t1; t++) {
        size_t s = t / mtiles, r = t % mtiles, i = r * MR, j = s * NR;
        ukr(kc, a + i * ars, ars, aks, pb + s * NR * kc, C + i * ldc + j, ldc, m - i < MR ? m - i : MR,
            n - j < NR ? n - j : NR, load);
    }
}

void am__sgemm_team(int tid, int nth, int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda,
                    const float *B, size_t ldb, int accumulate, float *C, size_t ldc, am__gemm_ws *ws)
{
    pick_kernel();
    size_t mtiles = (m + MR - 1) / MR, strips = (n + NR - 1) / NR, T = (size_t)nth, me = (size_t)tid;
    if (!m || !n)
        return;
    if (!k) {
        if (!accumulate)
            for (size_t i = me; i < m; i += T)
                memset(C + i * ldc, 0, n * sizeof(float));
        return;
    }
    for (size_t p0 = 0; p0 < k; p0 += KC) {
        size_t kc = k - p0 < KC ? k - p0 : KC;
        /* Pack B's strips together, split between the threads; A is read in place. */
        pack_b(tb, B, ldb, n, strips * me / T, strips * (me + 1) / T, p0, kc, ws->b);
        if (nth > 1) {
#pragma omp barrier
        }
        size_t ntiles = mtiles * strips;
        const float *a = ta ? A + p0 * lda : A + p0;
        tiles(ntiles * me / T, ntiles * (me + 1) / T, mtiles, m, n, kc, a, ta ? 1 : lda, ta ? lda : 1, ws->b, C, ldc,
              accumulate || p0 > 0);
        if (nth > 1) {
#pragma omp barrier
        }
    }
}

int am__sgemm(int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda, const float *B, size_t ldb,
              int accumulate, float *C, size_t ldc, am__gemm_ws *ws)
{
    int rc = am__gemm_ws_reserve(ws, m, n, k);
    if (rc)
        return rc;
    am__sgemm_team(0, 1, ta, tb, m, n, k, A, lda, B, ldb, accumulate, C, ldc, ws);
    return AM_OK;
}
