/* Modern continuous Hopfield network: batched softmax retrieval through libam's fixed-order sgemm. */
#include "am/modern.h"

#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "../core/blas_internal.h"
#include "../core/vexp.h"
#include "am/error.h"
#include "../core/cancel_internal.h"
#include "../core/alloc.h"
#include "../core/io.h"
#include "internal.h"
#include "type.h"
#include "../core/gemm.h"
#include "../core/q8.h"
#include "am/blas.h"

#define QBLOCK 256 /* queries per block: bounds the score matrix at QBLOCK x M floats */

struct am_modern {
    size_t d, m, cap;
    double beta;
    float *x;          /* m x d */
    double max_norm2;  /* max_mu |x_mu|^2 */
};

struct am_modern_work {
    size_t d, mcap;
    int nthreads;
    float *a;              /* nthreads x QBLOCK x mcap scores, then weights (transposed: M x nb per block) */
    float *r;              /* nthreads x QBLOCK x d new states */
    float *qt;             /* nthreads x the packed transpose of a block of queries (am__gemm_pack) */
    unsigned char *active; /* nthreads x QBLOCK flags */
    am__gemm_ws ws;        /* nthreads packing buffers of libam's sgemm */
};

void am_modern_opts_default(am_modern_opts *o)
{
    o->max_steps = 100;
    o->eps = 1e-6;
}

int am_modern_create(am_modern **out, size_t d, double beta)
{
    am_modern *m;
    *out = NULL;
    if (d == 0 || d > AM_MAX_UNITS || !(beta > 0.0) || !(beta <= AM_MODERN_MAX_BETA))
        return AM_EINVAL;
    m = calloc(1, sizeof *m);
    if (!m)
        return AM_ENOMEM;
    m->d = d;
    m->beta = beta;
    *out = m;
    return AM_OK;
}

void am_modern_free(am_modern *m)
{
    if (!m)
        return;
    free(m->x);
    free(m);
}

size_t am_modern_dim(const am_modern *m) { return m->d; }
size_t am_modern_count(const am_modern *m) { return m->m; }
double am_modern_beta(const am_modern *m) { return m->beta; }
const float *am_modern_patterns(const am_modern *m) { return m->x; }

int am_modern_set_beta(am_modern *m, double beta)
{
    if (!(beta > 0.0) || !(beta <= AM_MODERN_MAX_BETA))
        return AM_EINVAL;
    m->beta = beta;
    return AM_OK;
}

/* Room for `need` patterns. */
static int grow(am_modern *m, size_t need)
{
    if (need > m->cap) {
        size_t cap = m->cap ? m->cap : 64, bytes;
        float *nx;
        while (cap < need)
            cap *= 2;
        if (am_size_mul3(cap, m->d, sizeof(float), &bytes))
            return AM_EOVERFLOW;
        nx = am__realloc_big(m->x, m->m * m->d * sizeof(float), bytes);
        if (!nx)
            return AM_ENOMEM;
        m->x = nx;
        m->cap = cap;
    }
    return AM_OK;
}

/* Norms of the patterns from m->m to need, which become stored. */
static void admit(am_modern *m, size_t need)
{
    for (size_t mu = m->m; mu < need; mu++) {
        double n2 = 0;
        for (size_t i = 0; i < m->d; i++)
            n2 += (double)m->x[mu * m->d + i] * m->x[mu * m->d + i];
        if (n2 > m->max_norm2)
            m->max_norm2 = n2;
    }
    m->m = need;
}

int am_modern_store(am_modern *m, const float *x, size_t count)
{
    size_t need = m->m + count, total;
    int rc;
    if (count == 0)
        return AM_OK;
    if (need < m->m || need > INT32_MAX || am_size_mul(count, m->d, &total))
        return AM_EOVERFLOW;
    for (size_t k = 0; k < total; k++)
        if (!isfinite(x[k]))
            return AM_EINVAL;
    if ((rc = grow(m, need)))
        return rc;
    memcpy(m->x + m->m * m->d, x, total * sizeof(float));
    admit(m, need);
    return AM_OK;
}

int am_modern_store_patterns(am_modern *m, const am_patterns *pats, float scale)
{
    int rc;
    if (!m || !pats || !isfinite(scale))
        return AM_EINVAL;
    if (pats->n != m->d)
        return AM_ESIZE;
    size_t need = m->m + pats->count;
    if (pats->count == 0)
        return AM_OK;
    if (need < m->m || need > INT32_MAX)
        return AM_EOVERFLOW;
    if ((rc = grow(m, need)))
        return rc;
    float *dst = m->x + m->m * m->d;
    am_patterns_to_float(pats, dst);
    for (size_t k = 0; k < pats->count * m->d; k++)
        dst[k] *= scale;
    admit(m, need);
    return AM_OK;
}

void am_modern_work_free(am_modern_work *w)
{
    if (!w)
        return;
    free(w->a), free(w->r), free(w->qt), free(w->active);
    am__gemm_ws_free(&w->ws);
    free(w);
}

static int work_fit(am_modern_work *w, const am_modern *m)
{
    int nt = omp_get_max_threads();
    if (nt < 1)
        nt = 1;
    if (w->d != m->d || w->nthreads != nt) {
        free(w->r), free(w->qt), free(w->active), free(w->a);
        w->a = NULL;
        w->mcap = 0;
        w->r = am__alloc_big((size_t)nt * QBLOCK * m->d * sizeof(float));
        w->qt = am__alloc_big((size_t)nt * am__gemm_packed_size(QBLOCK, m->d) * sizeof(float));
        w->active = malloc((size_t)nt * QBLOCK);
        w->d = m->d;
        w->nthreads = nt;
        if (!w->r || !w->qt || !w->active || am__gemm_ws_reserve(&w->ws, nt)) {
            w->d = 0;
            return AM_ENOMEM;
        }
    }
    if (w->mcap < m->m || !w->a) {
        size_t cap = m->m < 64 ? 64 : m->m, bytes;
        float *na;
        if (am_size_mul3(cap, (size_t)nt * QBLOCK, sizeof(float), &bytes))
            return AM_EOVERFLOW;
        na = am__alloc_big(bytes); /* scores of the previous size need not be kept */
        if (!na)
            return AM_ENOMEM;
        free(w->a);
        w->a = na;
        w->mcap = cap;
    }
    return AM_OK;
}

int am_modern_work_create(am_modern_work **out, const am_modern *m)
{
    am_modern_work *w = calloc(1, sizeof *w);
    int rc;
    *out = NULL;
    if (!w)
        return AM_ENOMEM;
    if ((rc = work_fit(w, m))) {
        am_modern_work_free(w);
        return rc;
    }
    *out = w;
    return AM_OK;
}

/* The work a batched call uses (the caller's, fitted to m, or a new one the caller frees) and how many of
 * its threads the query blocks get. */
static int work_ready(am_modern_work **w, const am_modern *m, size_t nq, int *team)
{
    int rc = *w ? work_fit(*w, m) : am_modern_work_create(w, m);
    size_t nblocks = (nq + QBLOCK - 1) / QBLOCK;
    if (rc)
        return rc;
    *team = omp_in_parallel() ? 1 : (int)(nblocks < (size_t)(*w)->nthreads ? nblocks : (size_t)(*w)->nthreads);
    return AM_OK;
}

#define XCHUNK 256 /* patterns per product call: a chunk of X, of the scores and the states stay in L2 */

/* The scores as the product writes them, one column per query: each finished tile is scaled by beta, and the
 * largest and smallest score of each column and any NaN are recorded (the same values in any tile order). */
typedef struct score_stats {
    float beta, *mx, *lo;
    int nan;
} score_stats;

__attribute__((target_clones("avx512f", "avx2", "default"))) static void epi_scores(float *c, size_t ldc, size_t i0,
                                                                                    size_t rows, size_t j0,
                                                                                    size_t cols, void *ctx)
{
    score_stats *s = ctx;
    float *restrict mx = s->mx + j0, *restrict lo = s->lo + j0, beta = s->beta;
    int nan = 0;
    (void)i0;
    for (size_t i = 0; i < rows; i++) {
        float *restrict row = c + i * ldc;
        for (size_t j = 0; j < cols; j++) {
            float v = row[j] * beta;
            row[j] = v;
            mx[j] = v > mx[j] ? v : mx[j];
            lo[j] = v < lo[j] ? v : lo[j];
            nan |= v != v;
        }
    }
    s->nan |= nan;
}

/* Softmax numerators of rows [0, rows) of the scores a (one column per query, nb columns) in place,
 * a <- exp(a - mx), added to sum[j] in row order. The division by the sum is applied to the d-dimensional
 * result instead of the M weights, which saves a pass over the largest array. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void softmax_num(float *restrict a, size_t rows,
                                                                                     size_t nb,
                                                                                     const float *restrict mx,
                                                                                     float *restrict sum)
{
    for (size_t mu = 0; mu < rows; mu++) {
        float *restrict row = a + mu * nb;
        for (size_t j = 0; j < nb; j++) {
            float e = am__exp_nonpos(row[j] - mx[j]);
            row[j] = e;
            sum[j] += e;
        }
    }
}

/* The scores a = st->beta X Q^T (M x nb, one column per query) of the nb queries qb (nb x d), and their
 * statistics in st (mx, lo: nb entries). qt: am__gemm_packed_size(nb, d) floats of scratch. */
static void scores(const am_modern *m, const float *qb, size_t nb, float *a, float *qt, score_stats *st)
{
    size_t d = m->d, M = m->m;
    for (size_t b = 0; b < nb; b++)
        st->mx[b] = -INFINITY, st->lo[b] = INFINITY;
    am__gemm_pack(1, nb, d, qb, d, qt, 0, 1);
    for (size_t c0 = 0; c0 < M; c0 += XCHUNK)
        am__sgemm_team_packed(0, 1, 0, M - c0 < XCHUNK ? M - c0 : XCHUNK, nb, d, m->x + c0 * d, d, qt, 0, a + c0 * nb,
                              nb, epi_scores, st);
}

/* One update of the nb queries qb (nb x d) into r (nb x d): scores S^T = beta X Q^T (M x nb, in a), softmax
 * weights, r = softmax(S) X. Every score and every component of r is one fixed-order chain of libam's sgemm
 * (gemm.h), the softmax sums run over the patterns in order: the same bits on any CPU, under any OpenBLAS
 * kernels, at any thread count. Returns 0, or 1 when a score overflowed (r is then not written). */
static int update_block(const am_modern *m, const float *qb, size_t nb, float *a, float *qt, float *r,
                        am__gemm_ws *ws)
{
    size_t d = m->d, M = m->m;
    float mx[QBLOCK], lo[QBLOCK], sums[QBLOCK];
    score_stats st = {(float)m->beta, mx, lo, 0};
    scores(m, qb, nb, a, qt, &st);
    for (size_t b = 0; b < nb; b++)
        sums[b] = 0.0f;
    int bad = st.nan;
    for (size_t b = 0; b < nb; b++)
        bad |= !(mx[b] - lo[b] < INFINITY);
    if (bad)
        return 1;
    /* chunk by chunk: the weights of a chunk are made while the product reads them from cache */
    for (size_t c0 = 0; c0 < M; c0 += XCHUNK) {
        size_t mc = M - c0 < XCHUNK ? M - c0 : XCHUNK;
        softmax_num(a + c0 * nb, mc, nb, mx, sums);
        am__sgemm_team_nowait(0, 1, 1, 0, nb, d, mc, a + c0 * nb, nb, m->x + c0 * d, d, c0 > 0, r, d, ws, NULL, NULL);
    }
    for (size_t b = 0; b < nb; b++) {
        float inv = 1.0f / sums[b]; /* >= 1: the maximum contributes exp(0) */
        for (size_t i = 0; i < d; i++)
            r[b * d + i] *= inv;
    }
    return 0;
}

/* Moves the active queries of a block to their new states r; returns how many converged (|r - q| < eps). */
static size_t settle(float *qb, const float *r, size_t nb, size_t d, unsigned step, double eps, unsigned char *active,
                     am_modern_info *info)
{
    size_t done = 0;
    for (size_t b = 0; b < nb; b++) {
        if (!active[b])
            continue; /* converged rows keep their fixed point */
        double dd = 0.0;
        float *row = qb + b * d;
        const float *nr = r + b * d;
        for (size_t i = 0; i < d; i++) {
            double tt = (double)nr[i] - row[i];
            dd += tt * tt;
        }
        memcpy(row, nr, d * sizeof(float));
        dd = sqrt(dd);
        if (info) {
            info[b].steps = step + 1;
            info[b].delta = dd;
        }
        if (dd < eps) {
            active[b] = 0;
            done++;
            if (info)
                info[b].end = AM_END_FIXED;
        }
    }
    return done;
}

int am_modern_recall(const am_modern *m, float *q, size_t nq, const am_modern_opts *opts, am_modern_work *work,
                     am_modern_info *info)
{
    am_modern_opts dflt;
    am_modern_work *w = work;
    size_t d = m->d, M = m->m;
    int rc;
    if (!opts) {
        am_modern_opts_default(&dflt);
        opts = &dflt;
    }
    if (!(opts->eps >= 0.0) || !isfinite(opts->eps))
        return AM_EINVAL;
    if (M == 0)
        return AM_EEMPTY;
    for (size_t k = 0; k < nq * d; k++)
        if (!isfinite(q[k]))
            return AM_EINVAL;
    /* Query blocks run on libam's threads, each with its own score block. */
    int nt;
    if ((rc = work_ready(&w, m, nq, &nt)))
        return rc;
    size_t nblocks = (nq + QBLOCK - 1) / QBLOCK, qtsize = am__gemm_packed_size(QBLOCK, d);
    int overflow = 0, cancelled = 0;
    const am_cancel *hook = am_cancel_current();
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
    for (size_t blk = 0; blk < nblocks; blk++) {
        int t = omp_get_thread_num();
        size_t q0 = blk * QBLOCK, nb = nq - q0 < QBLOCK ? nq - q0 : QBLOCK, left = nb;
        float *qb = q + q0 * d, *a = w->a + (size_t)t * QBLOCK * w->mcap, *r = w->r + (size_t)t * QBLOCK * d;
        unsigned char *active = w->active + (size_t)t * QBLOCK;
        am__gemm_ws ws = am__gemm_ws_slice(&w->ws, t, 1);
        memset(active, 1, nb);
        if (info)
            for (size_t b = 0; b < nb; b++)
                info[q0 + b] = (am_modern_info){0, 0.0, AM_END_MAXSTEPS};
        for (unsigned step = 0; step < opts->max_steps && left; step++) {
            if (am__cancel_check(hook)) {
#pragma omp atomic write
                cancelled = 1;
                break;
            }
            if (update_block(m, qb, nb, a, w->qt + (size_t)t * qtsize, r, &ws)) {
#pragma omp atomic write
                overflow = 1;
                break;
            }
            left -= settle(qb, r, nb, d, step, opts->eps, active, info ? info + q0 : NULL);
        }
    }
    if (w != work)
        am_modern_work_free(w);
    return overflow ? AM_ENOTFINITE : cancelled ? AM_ECANCELED : AM_OK;
}

/* ---- energies ---- */

/* e^x for x <= 0 in double: x = n ln2 + r, |r| <= ln2/2, e^r by its Taylor polynomial of degree 13 (error
 * within 1 ulp), 2^n from the exponent bits (n rounded by the 1.5 * 2^52 shifter, which leaves it in the low
 * bits of t); 0 below -708 (a term that small is lost in a sum >= 1). The same operations on every path,
 * written so that compilers vectorise it. */
static inline double exp_nonpos_d(double x)
{
    const double log2e = 1.4426950408889634, ln2hi = 0.693147180369123816490, ln2lo = 1.90821492927058770002e-10;
    const double shifter = 6755399441055744.0; /* 1.5 * 2^52 */
    double xc = x >= -708.0 ? x : -708.0;
    double t = xc * log2e + shifter, n = t - shifter;
    double r = xc - n * ln2hi - n * ln2lo;
    double p = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0);
    p = 1.0 / 39916800.0 + r * p, p = 1.0 / 3628800.0 + r * p, p = 1.0 / 362880.0 + r * p;
    p = 1.0 / 40320.0 + r * p, p = 1.0 / 5040.0 + r * p, p = 1.0 / 720.0 + r * p, p = 1.0 / 120.0 + r * p;
    p = 1.0 / 24.0 + r * p, p = 1.0 / 6.0 + r * p, p = 0.5 + r * p, p = 1.0 + r * p, p = 1.0 + r * p;
    uint64_t bits;
    double two_n;
    memcpy(&bits, &t, sizeof bits);
    bits = (bits + 1023) << 52;
    memcpy(&two_n, &bits, sizeof two_n);
    double e = p * two_n;
    return x >= -708.0 ? e : 0.0;
}

#define EGROUP 32 /* states whose energies one pass over the patterns computes */

/* s[mu * EGROUP + g] = x_mu . q_g for the EGROUP states held transposed in qt (qt[i * EGROUP + g], as doubles),
 * each dot product accumulated in double over i = 0, 1, ... from 0. A product of two floats is exact in
 * double, so the fused and the separate multiply-add give the same sums: the same bits on every path. */
__attribute__((target_clones("arch=x86-64-v3", "default"))) static void energy_dots_c(const float *restrict x, size_t M,
                                                                                     size_t d, const double *restrict qt,
                                                                                     double *restrict s)
{
    for (size_t mu = 0; mu < M; mu++) {
        double acc[EGROUP] = {0.0};
        for (size_t i = 0; i < d; i++)
            for (int g = 0; g < EGROUP; g++)
                acc[g] += (double)x[mu * d + i] * qt[i * EGROUP + g];
        memcpy(s + mu * EGROUP, acc, sizeof acc);
    }
}

#if defined(__x86_64__)
/* The same, four patterns at a time in AVX-512 registers (16 accumulators of 8 doubles). */
__attribute__((target("avx512f"))) static void energy_dots_avx512(const float *restrict x, size_t M, size_t d,
                                                                  const double *restrict qt, double *restrict s)
{
    size_t mu = 0;
    for (; mu + 4 <= M; mu += 4) {
        __m512d acc[4][4];
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                acc[r][c] = _mm512_setzero_pd();
        for (size_t i = 0; i < d; i++) {
            const double *qi = qt + i * EGROUP;
            __m512d q0 = _mm512_loadu_pd(qi), q1 = _mm512_loadu_pd(qi + 8), q2 = _mm512_loadu_pd(qi + 16),
                    q3 = _mm512_loadu_pd(qi + 24);
#pragma GCC unroll 4
            for (int r = 0; r < 4; r++) {
                __m512d v = _mm512_set1_pd((double)x[(mu + r) * d + i]);
                acc[r][0] = _mm512_fmadd_pd(v, q0, acc[r][0]);
                acc[r][1] = _mm512_fmadd_pd(v, q1, acc[r][1]);
                acc[r][2] = _mm512_fmadd_pd(v, q2, acc[r][2]);
                acc[r][3] = _mm512_fmadd_pd(v, q3, acc[r][3]);
            }
        }
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                _mm512_storeu_pd(s + (mu + r) * EGROUP + 8 * c, acc[r][c]);
    }
    energy_dots_c(x + mu * d, M - mu, d, qt, s + mu * EGROUP);
}
#endif

static void energy_dots(const float *x, size_t M, size_t d, const double *qt, double *s)
{
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) {
        energy_dots_avx512(x, M, d, qt, s);
        return;
    }
#endif
    energy_dots_c(x, M, d, qt, s);
}

/* s[mu] = x_mu . q for one state q (d doubles), in double as above, eight patterns at a time. */
__attribute__((target_clones("arch=x86-64-v3", "default"))) static void energy_dots1(const float *restrict x, size_t M,
                                                                                    size_t d, const double *restrict q,
                                                                                    double *restrict s)
{
    size_t mu = 0;
    for (; mu + 8 <= M; mu += 8) {
        double acc[8] = {0.0};
        for (size_t i = 0; i < d; i++)
            for (int r = 0; r < 8; r++)
                acc[r] += (double)x[(mu + r) * d + i] * q[i];
        memcpy(s + mu, acc, sizeof acc);
    }
    for (; mu < M; mu++) {
        double acc = 0.0;
        for (size_t i = 0; i < d; i++)
            acc += (double)x[mu * d + i] * q[i];
        s[mu] = acc;
    }
}

/* lse[g] = log sum_mu exp(beta s[mu * G + g]) for g < G (G <= EGROUP), max-shifted, the sum over mu in order
 * (the same sum for any G). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void energy_lse(const double *restrict s, size_t M,
                                                                                    size_t G, double beta,
                                                                                    double *restrict lse)
{
    double mx[EGROUP], acc[EGROUP];
    for (size_t g = 0; g < G; g++)
        mx[g] = -INFINITY, acc[g] = 0.0;
    for (size_t mu = 0; mu < M; mu++)
        for (size_t g = 0; g < G; g++)
            mx[g] = s[mu * G + g] > mx[g] ? s[mu * G + g] : mx[g];
    for (size_t mu = 0; mu < M; mu++)
        for (size_t g = 0; g < G; g++)
            acc[g] += exp_nonpos_d(beta * (s[mu * G + g] - mx[g]));
    for (size_t g = 0; g < G; g++)
        lse[g] = beta * mx[g] + log(acc[g]);
}

/* The energies e[0..nq) of nq <= EGROUP states xi (nq x d), the dot products in double (s: M x EGROUP and
 * qt: d x EGROUP doubles of scratch): one state alone (nq = 1) or a group, the same bits. */
static void energy_group(const am_modern *m, const float *xi, size_t nq, double *s, double *qt, double *e)
{
    size_t d = m->d, M = m->m, G = nq == 1 ? 1 : EGROUP;
    double lse[EGROUP];
    for (size_t i = 0; i < d; i++)
        for (size_t g = 0; g < G; g++)
            qt[i * G + g] = g < nq ? (double)xi[g * d + i] : 0.0;
    if (G == 1)
        energy_dots1(m->x, M, d, qt, s);
    else
        energy_dots(m->x, M, d, qt, s);
    energy_lse(s, M, G, m->beta, lse);
    for (size_t g = 0; g < nq; g++) {
        double sq = 0.0;
        for (size_t i = 0; i < d; i++)
            sq += (double)xi[g * d + i] * xi[g * d + i];
        e[g] = -lse[g] / m->beta + 0.5 * sq + log((double)M) / m->beta + 0.5 * m->max_norm2;
    }
}

/* The energies e[0..nq) of nq states x (nq x d), groups of EGROUP on up to `threads` threads: each energy is
 * computed alone, the same bits at any thread count and batch size. AM_ENOMEM or AM_OK. */
static int energies(const am_modern *m, const float *x, size_t nq, double *e, int threads)
{
    size_t ngroups = (nq + EGROUP - 1) / EGROUP, width = nq == 1 ? 1 : EGROUP, per = (m->m + m->d) * width;
    int fail = 0;
    if (threads < 1 || (size_t)threads > ngroups)
        threads = ngroups ? (int)ngroups : 1;
#pragma omp parallel num_threads(threads)
    {
        double *s = malloc(per * sizeof *s);
        if (!s) {
#pragma omp atomic write
            fail = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t gi = 0; gi < ngroups; gi++) {
            size_t g0 = gi * EGROUP;
            if (s)
                energy_group(m, x + g0 * m->d, nq - g0 < EGROUP ? nq - g0 : EGROUP, s, s + m->m * width, e + g0);
        }
        free(s);
    }
    return fail ? AM_ENOMEM : AM_OK;
}

double am_modern_energy(const am_modern *m, const float *xi)
{
    double e;
    if (m->m == 0 || energies(m, xi, 1, &e, 1))
        return NAN;
    return e;
}

/* delta[mu] for the stored patterns, the dot products by libam's sgemm on all threads (one fixed-order chain
 * each: the same bits on any CPU, kernel set and thread count) in blocks of 256 rows. */
int am_modern_separation(const am_modern *m, double *delta)
{
    size_t M = m->m, d = m->d, blk = 256, bytes;
    am__gemm_ws ws = {0};
    float *g;
    int rc = AM_OK;
    if (M == 0)
        return AM_EEMPTY;
    if (am_size_mul3(blk, M, sizeof(float), &bytes))
        return AM_EOVERFLOW;
    g = malloc(bytes);
    if (!g)
        return AM_ENOMEM;
    for (size_t r0 = 0; r0 < M && !rc; r0 += blk) {
        size_t nb = M - r0 < blk ? M - r0 : blk;
        if ((rc = am__sgemm_threads(omp_in_parallel() ? 1 : 0, 0, 1, nb, M, d, m->x + r0 * d, d, m->x, d, 0, g, M, &ws)))
            break;
        for (size_t b = 0; b < nb; b++) {
            size_t mu = r0 + b;
            double self = 0.0, best = -INFINITY;
            for (size_t i = 0; i < d; i++)
                self += (double)m->x[mu * d + i] * m->x[mu * d + i];
            for (size_t nu = 0; nu < M; nu++)
                if (nu != mu && g[b * M + nu] > best)
                    best = g[b * M + nu];
            delta[mu] = M > 1 ? self - best : INFINITY;
        }
    }
    am__gemm_ws_free(&ws);
    free(g);
    return rc;
}

/* x.y accumulated in double (each product of two floats is exact in double). */
static double dot_exact(const float *x, const float *y, size_t d)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t i = 0;
    for (; i + 4 <= d; i += 4) {
        s0 += (double)x[i] * y[i];
        s1 += (double)x[i + 1] * y[i + 1];
        s2 += (double)x[i + 2] * y[i + 2];
        s3 += (double)x[i + 3] * y[i + 3];
    }
    for (; i < d; i++)
        s0 += (double)x[i] * y[i];
    return (s0 + s1) + (s2 + s3);
}

/* Among the patterns whose upper bound ub[mu] reaches lb (the largest lower bound), the one with the largest
 * exact dot product with q; ties to the lower index. */
static size_t verify(const am_modern *m, const float *q, const float *ub, float lb)
{
    size_t best = 0, d = m->d;
    double bv = -INFINITY;
    for (size_t mu = 0; mu < m->m; mu++)
        if (ub[mu] >= lb) {
            double v = dot_exact(q, m->x + mu * d, d);
            if (v > bv) {
                bv = v;
                best = mu;
            }
        }
    return best;
}

#define Q8_BLOCK (6 * AM__Q8_ROWS) /* queries per block of the integer screen */

/* The integer screen (see ../core/q8.h): scores of 8-bit copies with a per-pair error bound
 * |x.q - a| <= s_q s_mu (l1_q / 2 + l1_mu / 2 + d / 4), widened for the float arithmetic of a and the bound. */
static int nearest_q8(const am_modern *m, const float *q, size_t nq, const size_t *ex, size_t *idx, int nt)
{
    size_t d = m->d, M = m->m;
    am__q8_patterns p;
    int rc = am__q8_patterns_make(&p, m->x, M, d);
    if (rc)
        return rc;
    size_t ldc = p.panels * AM__Q8_PANEL, nblocks = (nq + Q8_BLOCK - 1) / Q8_BLOCK;
    float *half = malloc(M * sizeof *half), *ubs = malloc((size_t)nt * ldc * sizeof *ubs);
    uint32_t *cands = malloc((size_t)nt * M * sizeof *cands);
    /* per thread: the integer scores of a block (Q8_BLOCK x ldc, not QBLOCK x M as a work holds: the memory
     * grows with M alone) and its quantised queries */
    int32_t *cs = am__alloc_big((size_t)nt * Q8_BLOCK * ldc * sizeof *cs);
    uint8_t *qs = malloc((size_t)nt * Q8_BLOCK * p.d4);
    if (!half || !ubs || !cands || !cs || !qs) {
        free(half);
        free(ubs);
        free(cands);
        free(cs);
        free(qs);
        am__q8_patterns_free(&p);
        return AM_ENOMEM;
    }
    for (size_t mu = 0; mu < M; mu++)
        half[mu] = 0.5f * p.l1[mu] + 0.25f * (float)d;
    /* Per thread: the integer scores (Q8_BLOCK x ldc int32) in cs, one query's upper bounds in ubs, the
     * quantised queries in qs. */
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
    for (size_t blk = 0; blk < nblocks; blk++) {
        int t = omp_get_thread_num();
        size_t q0 = blk * Q8_BLOCK, nb = nq - q0 < Q8_BLOCK ? nq - q0 : Q8_BLOCK;
        int32_t *c = cs + (size_t)t * Q8_BLOCK * ldc;
        uint8_t *qq = qs + (size_t)t * Q8_BLOCK * p.d4;
        float sq[Q8_BLOCK], l1q[Q8_BLOCK];
        for (size_t r = 0; r < Q8_BLOCK; r++) {
            if (r < nb)
                am__q8_query(q + (q0 + r) * d, d, p.d4, qq + r * p.d4, &sq[r], &l1q[r]);
            else
                memset(qq + r * p.d4, 128, p.d4); /* padding rows: zero queries, scores unused */
        }
        for (size_t p0 = 0; p0 < p.panels; p0 += 4) {
            size_t p1 = p.panels - p0 < 4 ? p.panels : p0 + 4;
            for (size_t g = 0; g < Q8_BLOCK; g += AM__Q8_ROWS)
                if (g < nb)
                    am__q8_kernel(&p, qq + g * p.d4, p0, p1, c + g * ldc, ldc);
        }
        for (size_t r = 0; r < nb; r++) {
            const float *qr = q + (q0 + r) * d;
            size_t skip = ex ? ex[q0 + r] : SIZE_MAX;
            if (sq[r] == 0.0f) { /* a zero query: every dot product is 0 */
                idx[q0 + r] = skip == 0 ? 1 : 0;
                continue;
            }
            uint32_t *cand = cands + (size_t)t * M;
            size_t nc = am__q8_screen(&p, c + r * ldc, half, sq[r], l1q[r], skip, ubs + (size_t)t * ldc, cand), best = 0;
            double bv = -INFINITY;
            for (size_t j = 0; j < nc; j++) { /* increasing index: ties go to the lower */
                double v = dot_exact(qr, m->x + (size_t)cand[j] * d, d);
                if (v > bv) {
                    bv = v;
                    best = cand[j];
                }
            }
            idx[q0 + r] = best;
        }
    }
    free(half);
    free(ubs);
    free(cands);
    free(cs);
    free(qs);
    am__q8_patterns_free(&p);
    return AM_OK;
}

int am_modern_nearest(const am_modern *m, const float *q, size_t nq, size_t *idx, am_modern_work *work)
{
    return am_modern_nearest_excluding(m, q, nq, NULL, idx, work);
}

int am_modern_nearest_excluding(const am_modern *m, const float *q, size_t nq, const size_t *ex, size_t *idx,
                                am_modern_work *work)
{
    am_modern_work *w = work;
    size_t d = m->d, M = m->m;
    int rc;
    if (!q || (nq && !idx))
        return AM_EINVAL;
    if (M == 0 || (ex && M < 2))
        return AM_EEMPTY;
    for (size_t i = 0; i < nq * d; i++)
        if (!isfinite(q[i]))
            return AM_EINVAL;
    int nt;
    if (nq >= 64 && M >= AM__Q8_PANEL && d <= AM__Q8_MAX_DIM && am__q8_available()) {
        size_t nb8 = (nq + Q8_BLOCK - 1) / Q8_BLOCK, mt = (size_t)(omp_get_max_threads() > 1 ? omp_get_max_threads() : 1);
        return nearest_q8(m, q, nq, ex, idx, omp_in_parallel() ? 1 : (int)(nb8 < mt ? nb8 : mt));
    }
    if ((rc = work_ready(&w, m, nq, &nt)))
        return rc;
    /* BLAS scores a with |x.q - a| <= gamma_d |q| |x| (any summation order, fused or not; gamma_d =
     * d u / (1 - d u)), bounded over the patterns by the largest stored norm; the bound is widened by 1 %
     * and by 4 u |q| |x|, more than the rounding of a + bound and of top - bound in float, so that the
     * pattern with the largest exact dot product always stays a candidate: the answer, decided in double by
     * verify(), cannot depend on the BLAS kernels. */
    size_t nblocks = (nq + QBLOCK - 1) / QBLOCK;
    double u = ldexp(1.0, -24), gam = (double)d * u / (1.0 - (double)d * u), xmax = sqrt(m->max_norm2);
    int blas_threads = am__blas_serial();
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
    for (size_t blk = 0; blk < nblocks; blk++) {
        int t = omp_get_thread_num();
        size_t q0 = blk * QBLOCK, nb = nq - q0 < QBLOCK ? nq - q0 : QBLOCK;
        float *a = w->a + (size_t)t * QBLOCK * w->mcap;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)M, (int)d, 1.0f, q + q0 * d, (int)d, m->x,
                    (int)d, 0.0f, a, (int)M);
        for (size_t b = 0; b < nb; b++) {
            const float *qr = q + (q0 + b) * d;
            float *row = a + b * M, top = -INFINITY;
            double qn = sqrt(dot_exact(qr, qr, d));
            if (ex && ex[q0 + b] < M)
                row[ex[q0 + b]] = -INFINITY; /* neither a candidate nor the best lower bound */
            float bound = (float)((1.01 * gam + 4.0 * u) * qn * xmax) + 1e-30f;
            for (size_t mu = 0; mu < M; mu++)
                top = row[mu] > top ? row[mu] : top;
            for (size_t mu = 0; mu < M; mu++)
                row[mu] += bound;
            idx[q0 + b] = verify(m, qr, row, top - bound);
        }
    }
    am__blas_restore(blas_threads);
    if (w != work)
        am_modern_work_free(w);
    return AM_OK;
}


static const char *const fp_names[] = {"single", "metastable", "global"};
const char *am_fixpoint_name(am_fixpoint_type t) { return (unsigned)t < 3 ? fp_names[t] : "?"; }

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

int am_modern_classify(const am_modern *m, const float *xi, double mass, am_fixpoint *out)
{
    size_t M = m->m, d = m->d;
    double *p, mx = -INFINITY, sum = 0.0, cum = 0.0;
    if (!(mass > 0.0 && mass < 1.0))
        return AM_EINVAL;
    if (M == 0)
        return AM_EEMPTY;
    p = malloc(M * sizeof *p);
    if (!p)
        return AM_ENOMEM;
    for (size_t mu = 0; mu < M; mu++) {
        double dot = 0.0;
        for (size_t i = 0; i < d; i++)
            dot += (double)m->x[mu * d + i] * xi[i];
        p[mu] = m->beta * dot;
        mx = p[mu] > mx ? p[mu] : mx;
    }
    out->top = 0;
    for (size_t mu = 0; mu < M; mu++) {
        p[mu] = exp(p[mu] - mx);
        sum += p[mu];
        if (p[mu] > p[out->top])
            out->top = mu;
    }
    for (size_t mu = 0; mu < M; mu++)
        p[mu] /= sum;
    out->top_p = p[out->top];
    qsort(p, M, sizeof *p, cmp_desc);
    out->carriers = 0;
    while (out->carriers < M && cum < mass)
        cum += p[out->carriers++];
    free(p);
    out->type = out->carriers == 1 ? AM_FP_SINGLE : 2 * out->carriers >= M ? AM_FP_GLOBAL : AM_FP_METASTABLE;
    return AM_OK;
}

double am_modern_theorem5_bound(double beta, size_t npatterns, double max_norm, double delta_i, double r)
{
    if (npatterns < 2)
        return 0.0;
    return 2.0 * (double)(npatterns - 1) * exp(-beta * (delta_i - 2.0 * r * max_norm)) * max_norm;
}

/* Principal branch of Lambert W for z >= 0: w e^w = z, by Halley's iteration. */
static double lambert_w0(double z)
{
    double w = z < 3.0 ? log1p(z) : log(z) - log(log(z));
    for (int k = 0; k < 64; k++) {
        double ew = exp(w), f = w * ew - z;
        double step = f / (ew * (w + 1.0) - (w + 2.0) * f / (2.0 * w + 2.0));
        w -= step;
        if (fabs(step) <= 1e-15 * (1.0 + fabs(w)))
            break;
    }
    return w;
}

int am_modern_theorem3(double beta, double K, double d, double p, double *c, double *capacity)
{
    if (!(beta > 0) || !(K > 0) || !(d >= 2) || !(p > 0 && p <= 1) || !isfinite(beta) || !isfinite(K) || !isfinite(d))
        return AM_EINVAL;
    double a = 2.0 / (d - 1.0) * (1.0 + log(2.0 * beta * K * K * p * (d - 1.0)));
    double b = 2.0 * K * K * beta / 5.0;
    double cc = b / lambert_w0(exp(a + log(b)));
    *c = cc;
    *capacity = sqrt(p) * pow(cc, (d - 1.0) / 4.0);
    return cc >= pow(2.0 / sqrt(p), 4.0 / (d - 1.0)) ? 1 : 0;
}

static const char modern_magic[8] = {'L', 'I', 'B', 'A', 'M', 'M', 'O', 'D'};
#define MODERN_VERSION 1u

int am_modern_save(const am_modern *m, const char *path)
{
    am__file f;
    int rc;
    if (!m || !path)
        return AM_EINVAL;
    rc = am__wopen(&f, path);
    if (rc)
        return rc;
    am__put(&f, modern_magic, 8);
    am__put_u32(&f, MODERN_VERSION);
    am__put_u32(&f, 0x01020304u);
    am__put_f64(&f, m->beta);
    am__put_u64(&f, m->d);
    am__put_u64(&f, m->m);
    am__put_f32s(&f, m->x, m->m * m->d);
    return am__wclose(&f);
}

int am_modern_load(am_modern **out, const char *path)
{
    am__file f;
    uint32_t version;
    uint64_t d, M;
    double beta;
    am_modern *m = NULL;
    float *x = NULL;
    int rc;
    if (!out || !path)
        return AM_EINVAL;
    *out = NULL;
    if ((rc = am__ropen(&f, path, modern_magic, MODERN_VERSION, &version)))
        return rc;
    beta = am__get_f64(&f);
    d = am__get_u64(&f);
    M = am__get_u64(&f);
    if (f.err) {
        rc = f.err;
        goto fail;
    }
    if (d == 0 || !(beta > 0)) {
        rc = AM_EFORMAT;
        goto fail;
    }
    if (d > AM_MAX_UNITS || M > INT32_MAX || !(beta <= AM_MODERN_MAX_BETA)) {
        rc = f.nonfinite ? AM_ENOTFINITE : AM_ERANGE;
        goto fail;
    }
    /* The file must hold the M x d values it declares before anything is allocated. */
    if ((rc = am__need_items(&f, M * d, 4)))
        goto fail;
    x = malloc(M && d ? (size_t)(M * d) * sizeof *x : 1);
    if (!x) {
        rc = AM_ENOMEM;
        goto fail;
    }
    am__get_f32s_finite(&f, x, (size_t)(M * d));
    if ((rc = am__rclose(&f)))
        goto done;
    if ((rc = am_modern_create(&m, (size_t)d, beta)) || (rc = am_modern_store(m, x, (size_t)M))) {
        am_modern_free(m);
        m = NULL;
    }
    goto done;
fail:
    am__rabort(&f);
done:
    free(x);
    *out = rc ? NULL : m;
    return rc;
}

/* ---- the store type (type.h) ---- */

typedef struct modern_params {
    double beta;
} modern_params;

static const am_store_param modern_param_list[] = {
    {"beta", "b", "inverse temperature (0 < b <= 1e30)", "1"},
};

static void t_defaults(void *p) { ((modern_params *)p)->beta = 1.0; }

static int t_set(void *p, const char *name, const char *value, char *why, size_t whysize)
{
    (void)name;
    double b;
    if (am__param_double(value, 0.0, AM_MODERN_MAX_BETA, &b) || !(b > 0))
        return snprintf(why, whysize, "must be a number in (0, %g]", AM_MODERN_MAX_BETA), AM_EINVAL;
    ((modern_params *)p)->beta = b;
    return AM_OK;
}

static void t_get(const void *p, const char *name, char *buf, size_t size)
{
    (void)name;
    snprintf(buf, size, "%.17g", ((const modern_params *)p)->beta);
    double back = strtod(buf, NULL); /* the shortest text that reads back to the same number */
    for (int digits = 6; digits < 17; digits++) {
        char b2[40];
        snprintf(b2, sizeof b2, "%.*g", digits, ((const modern_params *)p)->beta);
        if (strtod(b2, NULL) == back) {
            snprintf(buf, size, "%s", b2);
            break;
        }
    }
}

static void t_label(const void *p, char *buf, size_t size)
{
    snprintf(buf, size, "beta%g", ((const modern_params *)p)->beta);
}

static int t_check(const void *p, size_t n, char *why, size_t whysize)
{
    double b = ((const modern_params *)p)->beta;
    (void)n;
    if (!(b > 0 && b <= AM_MODERN_MAX_BETA))
        return snprintf(why, whysize, "beta must be a number in (0, %g]", AM_MODERN_MAX_BETA), AM_EINVAL;
    return AM_OK;
}

static int t_create(void **model, size_t n, const void *p)
{
    return am_modern_create((am_modern **)model, n, ((const modern_params *)p)->beta);
}
static void t_free(void *model) { am_modern_free(model); }
static void t_config(const void *model, void *p) { ((modern_params *)p)->beta = am_modern_beta(model); }
static size_t t_n(const void *model) { return am_modern_dim(model); }
static size_t t_count(const void *model) { return am_modern_count(model); }
static const am_patterns *t_patterns(const void *model)
{
    (void)model;
    return NULL;
}
static const float *t_patterns_real(const void *model) { return am_modern_patterns(model); }

static int t_add(void *model, const am_patterns *pats, int cyclic)
{
    (void)cyclic;
    return am_modern_store_patterns(model, pats, 1.0f);
}
static int t_add_real(void *model, const float *x, size_t count) { return am_modern_store(model, x, count); }
static double t_energy_real(const void *model, const float *x) { return am_modern_energy(model, x); }

static double t_energy(const void *model, const int8_t *s)
{
    size_t n = am_modern_dim(model);
    float *x = malloc(n * sizeof *x);
    double e;
    if (!x)
        return NAN;
    for (size_t i = 0; i < n; i++)
        x[i] = (float)s[i];
    e = am_modern_energy(model, x);
    free(x);
    return e;
}

static int t_work_create(void **work, const void *model)
{
    return am_modern_work_create((am_modern_work **)work, model);
}
static void t_work_free(void *work) { am_modern_work_free(work); }
static int t_work_fit(void *work, const void *model) { return work_fit(work, model); }

/* Recall in the shared vocabulary: steps, end, final energy, optional trace and monitor. */
static int t_recall_real(const void *model, float *x, const am_recall_opts *opts, void *work, am_recall_info *info)
{
    const am_modern *m = model;
    am_modern_info mi;
    size_t n = am_modern_dim(m);
    int rc;
    if (opts->trace && opts->trace_cap)
        opts->trace[info->trace_len++] = am_modern_energy(m, x);
    if (opts->monitor)
        am__monitor(opts, 0, 0, SIZE_MAX, n, NULL, x, am_modern_energy(m, x));
    /* One update at a time when a trace or a monitor is wanted, else the whole run in one call. */
    int each = opts->trace || opts->monitor;
    am_modern_opts mo = {.max_steps = each ? 1 : opts->max_steps, .eps = opts->tolerance};
    info->end = AM_END_MAXSTEPS;
    while (info->steps < opts->max_steps) {
        if ((rc = am_modern_recall(m, x, 1, &mo, work, &mi)))
            return rc;
        info->steps += mi.steps;
        if (opts->trace && info->trace_len < opts->trace_cap)
            opts->trace[info->trace_len++] = am_modern_energy(m, x);
        if (opts->monitor)
            am__monitor(opts, info->steps, (uint64_t)info->steps * n, SIZE_MAX, n, NULL, x, am_modern_energy(m, x));
        if (mi.end == AM_END_FIXED) {
            info->end = AM_END_FIXED;
            break;
        }
        if (!each)
            break;
    }
    info->energy = am_modern_energy(m, x);
    return AM_OK;
}

static int t_recall(const void *model, int8_t *s, const am_recall_opts *o, am_rng *rng, void *work,
                    am_recall_info *info)
{
    size_t n = am_modern_dim(model);
    float *x = malloc(n * sizeof *x);
    int rc;
    (void)rng;
    if (!x)
        return AM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        x[i] = (float)s[i];
    rc = t_recall_real(model, x, o, work, info);
    if (!rc)
        for (size_t i = 0; i < n; i++)
            s[i] = x[i] > 0 ? 1 : -1;
    free(x);
    return rc;
}

static int t_recall_real_many(const void *model, float *x, size_t nq, const am_recall_opts *o, void *work,
                              am_recall_info *info)
{
    am_modern_opts mo = {.max_steps = o->max_steps, .eps = o->tolerance};
    am_modern_info *mi = NULL;
    int rc;
    if (info && nq && !(mi = malloc(nq * sizeof *mi)))
        return AM_ENOMEM;
    rc = am_modern_recall(model, x, nq, &mo, work, mi);
    for (size_t q = 0; !rc && info && q < nq; q++) {
        info[q].steps = mi[q].steps;
        info[q].end = mi[q].end;
        info[q].energy = NAN;
    }
    if (!rc && info && nq && !o->skip_energy) {
        double *e = malloc(nq * sizeof *e);
        rc = e ? energies(model, x, nq, e, omp_in_parallel() ? 1 : omp_get_max_threads()) : AM_ENOMEM;
        for (size_t q = 0; !rc && q < nq; q++)
            info[q].energy = e[q];
        free(e);
    }
    free(mi);
    return rc;
}

/* Components of stored pattern mu whose sign one update changes. */
static int t_stability(const void *model, size_t first, size_t count, size_t *unstable)
{
    const am_modern *m = model;
    size_t d = am_modern_dim(m), bytes;
    const float *x = am_modern_patterns(m);
    am_modern_opts one = {.max_steps = 1, .eps = 0.0};
    float *y;
    int rc;
    if (am_size_mul3(count, d, sizeof(float), &bytes))
        return AM_EOVERFLOW;
    if (!(y = malloc(bytes)))
        return AM_ENOMEM;
    memcpy(y, x + first * d, count * d * sizeof(float));
    rc = am_modern_recall(m, y, count, &one, NULL, NULL);
    for (size_t k = 0; !rc && k < count; k++) {
        size_t bad = 0;
        for (size_t i = 0; i < d; i++)
            bad += (y[k * d + i] > 0) != (x[(first + k) * d + i] > 0);
        unstable[k] = bad;
    }
    free(y);
    return rc;
}

static int t_nearest(const void *model, const float *cues, size_t nq, size_t *idx)
{
    return am_modern_nearest(model, cues, nq, idx, NULL);
}
static int t_save(const void *model, const char *path) { return am_modern_save(model, path); }
static int t_load(void **model, const char *path) { return am_modern_load((am_modern **)model, path); }

const am_store_type am__store_modern = {
    .name = "modern",
    .summary = "modern continuous Hopfield network (Ramsauer et al.): x <- X softmax(beta X^T x)",
    .magic = {'L', 'I', 'B', 'A', 'M', 'M', 'O', 'D'},
    .id = 2,
    .flags = AM_STORE_REAL,
    .params = modern_param_list,
    .nparams = sizeof modern_param_list / sizeof modern_param_list[0],
    .defaults = t_defaults,
    .set = t_set,
    .get = t_get,
    .label = t_label,
    .check = t_check,
    .create = t_create,
    .free = t_free,
    .config = t_config,
    .n = t_n,
    .count = t_count,
    .patterns = t_patterns,
    .patterns_real = t_patterns_real,
    .add = t_add,
    .add_real = t_add_real,
    .energy = t_energy,
    .energy_real = t_energy_real,
    .work_create = t_work_create,
    .work_free = t_work_free,
    .work_fit = t_work_fit,
    .recall = t_recall,
    .recall_real = t_recall_real,
    .recall_real_many = t_recall_real_many,
    .stability = t_stability,
    .nearest = t_nearest,
    .save = t_save,
    .load = t_load,
};

am_modern *am_store_modern(am_store *s) { return s && s->type == &am__store_modern ? s->model : NULL; }
