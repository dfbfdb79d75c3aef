/* A reproducible sgemm: each thread takes whole strips of 32 columns of C; a strip of B is packed per k block
 * of KC (32 KB, in L1) and swept by 8 x 32 register tiles down all rows, A read in place; each element's chain
 * is carried through C between k blocks. See gemm.h for the contract. */
#include "gemm.h"

#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"

#ifdef _OPENMP
#include <omp.h>
#endif

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

int am__gemm_ws_reserve(am__gemm_ws *ws, int threads)
{
    if (threads < 1)
        threads = 1;
    if (threads <= ws->threads)
        return AM_OK;
    float *p = NULL;
    if (posix_memalign((void **)&p, 64, (size_t)threads * KC * NR * sizeof(float)))
        return AM_ENOMEM;
    free(ws->b);
    ws->b = p;
    ws->threads = threads;
    return AM_OK;
}

am__gemm_ws am__gemm_ws_slice(const am__gemm_ws *ws, int first, int count)
{
    am__gemm_ws v = {ws->b + (size_t)first * KC * NR, count};
    return v;
}

/* ---- packing ---- */

#if defined(__x86_64__) || defined(__i386__)
/* dst[p * NR + j] = src[j * lds + p] for j < 16, p < 16: a 16 x 16 transpose in registers. */
__attribute__((target("avx512f"))) static void transpose16(const float *src, size_t lds, float *dst)
{
    __m512 r[16], t[16];
    for (int j = 0; j < 16; j++)
        r[j] = _mm512_loadu_ps(src + (size_t)j * lds);
    for (int j = 0; j < 16; j += 2) {
        t[j] = _mm512_unpacklo_ps(r[j], r[j + 1]);
        t[j + 1] = _mm512_unpackhi_ps(r[j], r[j + 1]);
    }
    for (int j = 0; j < 16; j += 4) {
        r[j] = _mm512_shuffle_ps(t[j], t[j + 2], 0x44);
        r[j + 1] = _mm512_shuffle_ps(t[j], t[j + 2], 0xEE);
        r[j + 2] = _mm512_shuffle_ps(t[j + 1], t[j + 3], 0x44);
        r[j + 3] = _mm512_shuffle_ps(t[j + 1], t[j + 3], 0xEE);
    }
    for (int j = 0; j < 16; j += 8)
        for (int q = 0; q < 4; q++) {
            t[j + q] = _mm512_shuffle_f32x4(r[j + q], r[j + q + 4], 0x88);
            t[j + q + 4] = _mm512_shuffle_f32x4(r[j + q], r[j + q + 4], 0xDD);
        }
    for (int q = 0; q < 8; q++) {
        r[q] = _mm512_shuffle_f32x4(t[q], t[q + 8], 0x88);
        r[q + 8] = _mm512_shuffle_f32x4(t[q], t[q + 8], 0xDD);
    }
    /* r[k] now holds column k of the block: row p = k of the packed strip. */
    for (int k = 0; k < 16; k++)
        _mm512_storeu_ps(dst + (size_t)k * NR, r[k]);
}
#endif

static int use_transpose16;

/* Strip s of NR columns of op(B), rows [p0, p0 + kc): for each p, the NR values B(p, s*NR + 0..NR-1), zero
 * beyond n. */
static void pack_strip(int tb, const float *B, size_t ldb, size_t n, size_t s, size_t p0, size_t kc, float *d)
{
    size_t j0 = s * NR, cols = n - j0 < NR ? n - j0 : NR;
    if (!tb) {
        if (cols == NR) {
            /* A constant size: vector moves, not a string instruction. */
            for (size_t p = 0; p < kc; p++)
                memcpy(d + p * NR, B + (p0 + p) * ldb + j0, NR * sizeof(float));
            return;
        }
        for (size_t p = 0; p < kc; p++) {
            const float *src = B + (p0 + p) * ldb + j0;
            for (size_t j = 0; j < NR; j++)
                d[p * NR + j] = j < cols ? src[j] : 0.0f;
        }
        return;
    }
    size_t p = 0;
#if defined(__x86_64__) || defined(__i386__)
    /* Whole 16 x 16 blocks by register transposes (a copy: the values are the same on every path). */
    if (use_transpose16 && cols == NR)
        for (; p + 16 <= kc; p += 16)
            for (size_t jb = 0; jb < NR; jb += 16)
                transpose16(B + (j0 + jb) * ldb + p0 + p, ldb, d + p * NR + jb);
#endif
    for (size_t j = 0; j < NR; j++) {
        if (j < cols) {
            const float *src = B + (j0 + j) * ldb + p0;
            for (size_t q = p; q < kc; q++)
                d[q * NR + j] = src[q];
        } else {
            for (size_t q = p; q < kc; q++)
                d[q * NR + j] = 0.0f;
        }
    }
}

/* ---- register tiles: C[0..mr) x [0..nr) (+)= A rows x b-strip over kc ----
 * A is read where it lies: A(r, p) = a[r * ars + p * aks] (rows beyond mr are never read). */

typedef void (*ukr_fn)(size_t kc, const float *a, size_t ars, size_t aks, const float *b, size_t bs, float *c,
                       size_t ldc, size_t mr, size_t nr, int load);

static void ukr_scalar(size_t kc, const float *a, size_t ars, size_t aks, const float *b, size_t bs, float *c,
                       size_t ldc, size_t mr, size_t nr, int load)
{
    for (size_t i = 0; i < mr; i++)
        for (size_t j = 0; j < nr; j++) {
            float acc = load ? c[i * ldc + j] : 0.0f;
            for (size_t p = 0; p < kc; p++)
                acc = fmaf(a[i * ars + p * aks], b[p * bs + j], acc);
            c[i * ldc + j] = acc;
        }
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2,fma"))) static void ukr_avx2(size_t kc, const float *a, size_t ars, size_t aks,
                                                         const float *b, size_t bs, float *c, size_t ldc, size_t mr,
                                                         size_t nr, int load)
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
                __m256 b0 = _mm256_loadu_ps(bp + p * bs), b1 = _mm256_loadu_ps(bp + p * bs + 8);
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
                                                              const float *b, size_t bs, float *c, size_t ldc,
                                                              size_t mr, size_t nr, int load)
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
#pragma GCC unroll 4
    for (size_t p = 0, off = 0; p < kc; p++, off += aks) {
        __m512 b0 = _mm512_loadu_ps(b + p * bs), b1 = _mm512_loadu_ps(b + p * bs + 16), av;
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
            use_transpose16 = 1;
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

/* The strips [s0, s1) of C: each finished (all k, epilogue) before the next. B is read one of three ways:
 * packed (not NULL): the pre-packed strips (strip s, block p0 at packed + s*NR*k + p0*NR); inplace (tb = 0):
 * full strips straight from B (row stride ldb), a partial last strip packed into pb; otherwise each strip is
 * packed into pb per k block. */
static void strips_of(size_t s0, size_t s1, int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda,
                      const float *B, size_t ldb, const float *packed, int inplace, float *pb, int accumulate, float *C,
                      size_t ldc, am__gemm_epilogue epi, void *ctx)
{
    size_t ars = ta ? 1 : lda, aks = ta ? lda : 1;
    for (size_t s = s0; s < s1 && m; s++) {
        size_t j = s * NR, nr = n - j < NR ? n - j : NR;
        if (!k && !accumulate)
            for (size_t i = 0; i < m; i++)
                memset(C + i * ldc + j, 0, nr * sizeof(float));
        for (size_t p0 = 0; p0 < k; p0 += KC) {
            size_t kc = k - p0 < KC ? k - p0 : KC, bs = NR;
            const float *a = ta ? A + p0 * lda : A + p0, *b;
            if (packed) {
                b = packed + s * NR * k + p0 * NR;
            } else if (inplace && nr == NR) {
                b = B + p0 * ldb + j;
                bs = ldb;
            } else {
                pack_strip(tb, B, ldb, n, s, p0, kc, pb);
                b = pb;
            }
            for (size_t i = 0; i < m; i += MR)
                ukr(kc, a + i * ars, ars, aks, b, bs, C + i * ldc + j, ldc, m - i < MR ? m - i : MR, nr,
                    accumulate || p0 > 0);
        }
        if (epi)
            for (size_t i = 0; i < m; i += MR)
                epi(C + i * ldc + j, ldc, i, m - i < MR ? m - i : MR, j, nr, ctx);
    }
}

void am__sgemm_team_nowait(int tid, int nth, int ta, int tb, size_t m, size_t n, size_t k, const float *A,
                           size_t lda, const float *B, size_t ldb, int accumulate, float *C, size_t ldc,
                           am__gemm_ws *ws, am__gemm_epilogue epi, void *ctx)
{
    pick_kernel();
    size_t strips = (n + NR - 1) / NR, T = (size_t)nth, me = (size_t)tid;
    strips_of(strips * me / T, strips * (me + 1) / T, ta, tb, m, n, k, A, lda, B, ldb, NULL, 0, ws->b + me * KC * NR,
              accumulate, C, ldc, epi, ctx);
}

void am__sgemm_team_inplace(int tid, int nth, int ta, size_t m, size_t n, size_t k, const float *A, size_t lda,
                            const float *B, size_t ldb, int accumulate, float *C, size_t ldc, am__gemm_ws *ws,
                            am__gemm_epilogue epi, void *ctx)
{
    pick_kernel();
    size_t strips = (n + NR - 1) / NR, T = (size_t)nth, me = (size_t)tid;
    strips_of(strips * me / T, strips * (me + 1) / T, ta, 0, m, n, k, A, lda, B, ldb, NULL, 1, ws->b + me * KC * NR,
              accumulate, C, ldc, epi, ctx);
}

void am__sgemm_team_packed(int tid, int nth, int ta, size_t m, size_t n, size_t k, const float *A, size_t lda,
                           const float *packed, int accumulate, float *C, size_t ldc, am__gemm_epilogue epi,
                           void *ctx)
{
    pick_kernel();
    size_t strips = (n + NR - 1) / NR, T = (size_t)nth, me = (size_t)tid;
    strips_of(strips * me / T, strips * (me + 1) / T, ta, 0, m, n, k, A, lda, NULL, 0, packed, 0, NULL, accumulate, C,
              ldc, epi, ctx);
}

size_t am__gemm_packed_size(size_t n, size_t k)
{
    return (n + NR - 1) / NR * NR * k;
}

void am__gemm_pack(int tb, size_t n, size_t k, const float *B, size_t ldb, float *packed, int tid, int nth)
{
    pick_kernel();
    size_t strips = (n + NR - 1) / NR, T = (size_t)nth, me = (size_t)tid;
    for (size_t s = strips * me / T; s < strips * (me + 1) / T; s++)
        for (size_t p0 = 0; p0 < k; p0 += KC)
            pack_strip(tb, B, ldb, n, s, p0, k - p0 < KC ? k - p0 : KC, packed + s * NR * k + p0 * NR);
}

void am__gemm_repack_t(const float *w, size_t ldw, size_t i0, size_t rows, size_t j0, size_t cols, size_t n, size_t k,
                       float *packed)
{
    size_t ii = i0 % NR, c = 0;
    float *d = packed + i0 / NR * NR * k + ii;
    pick_kernel();
#if defined(__x86_64__) || defined(__i386__)
    if (rows == 16 && use_transpose16)
        for (; c + 16 <= cols; c += 16)
            transpose16(w + i0 * ldw + j0 + c, ldw, d + (j0 + c) * NR);
#endif
    for (; c < cols; c++)
        for (size_t r = 0; r < rows; r++)
            d[(j0 + c) * NR + r] = w[(i0 + r) * ldw + j0 + c];
    if (i0 + rows == n)
        for (c = 0; c < cols; c++)
            for (size_t r = ii + rows; r < NR; r++)
                packed[i0 / NR * NR * k + (j0 + c) * NR + r] = 0.0f;
}

void am__sgemm_team(int tid, int nth, int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda,
                    const float *B, size_t ldb, int accumulate, float *C, size_t ldc, am__gemm_ws *ws,
                    am__gemm_epilogue epi, void *ctx)
{
    am__sgemm_team_nowait(tid, nth, ta, tb, m, n, k, A, lda, B, ldb, accumulate, C, ldc, ws, epi, ctx);
    if (nth > 1) {
#pragma omp barrier
    }
}

int am__sgemm(int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda, const float *B, size_t ldb,
              int accumulate, float *C, size_t ldc, am__gemm_ws *ws)
{
    int rc = am__gemm_ws_reserve(ws, 1);
    if (rc)
        return rc;
    am__sgemm_team(0, 1, ta, tb, m, n, k, A, lda, B, ldb, accumulate, C, ldc, ws, NULL, NULL);
    return AM_OK;
}

int am__gemm_team_size(int threads)
{
#ifdef _OPENMP
    if (threads <= 0)
        threads = omp_get_max_threads();
#else
    threads = 1;
#endif
    return threads < 1 ? 1 : threads;
}

int am__sgemm_threads(int threads, int ta, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda,
                      const float *B, size_t ldb, int accumulate, float *C, size_t ldc, am__gemm_ws *ws)
{
    int nt = am__gemm_team_size(threads), rc = am__gemm_ws_reserve(ws, nt);
    if (rc)
        return rc;
    /* a product too small to share costs the team more than it saves: one thread (the same bits) */
    if ((double)m * (double)n * (double)k < 32768.0)
        nt = 1;
    if (nt == 1) {
        am__sgemm_team(0, 1, ta, tb, m, n, k, A, lda, B, ldb, accumulate, C, ldc, ws, NULL, NULL);
        return AM_OK;
    }
#pragma omp parallel num_threads(nt)
    {
#ifdef _OPENMP
        int tid = omp_get_thread_num(), nth = omp_get_num_threads();
#else
        int tid = 0, nth = 1;
#endif
        am__sgemm_team(tid, nth, ta, tb, m, n, k, A, lda, B, ldb, accumulate, C, ldc, ws, NULL, NULL);
    }
    return AM_OK;
}
