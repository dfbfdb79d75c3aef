/* Classical Hopfield store: learning rules, dynamics on two paths, stability, save/load. */
#include "am/hopfield.h"

#include <cblas.h>
#include <errno.h>
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/blas_internal.h"
#include "../core/cancel_internal.h"
#include "am/error.h"
#include "../core/io.h"
#include "../core/gemm.h"
#include "../core/linalg.h"
#include "../core/patterns_internal.h"
#include "internal.h"
#include "masked.h"
#include "type.h"

struct am_hopfield {
    size_t n;
    am_rule rule;
    am_path want;     /* requested path */
    am_path path;     /* path in force */
    am_patterns pats; /* stored patterns; pats.bits holds room for `cap` patterns */
    size_t cap;
    float *w;         /* n x n raw weights, or NULL while the patterns path serves the Hebb rule */
    double wscale;    /* W = wscale * w; for Hebb w holds the integer sums so both paths agree exactly */
    float *theta;     /* n thresholds, or NULL for zero */
    uint64_t *xb;     /* patterns path: n rows of pw words, bit mu of row i = (xi^mu_i == +1) */
    size_t pw;
    int32_t *xbpop;   /* n: 2 popcount(row i) - P = sum_mu xi^mu_i */
};

struct am_hopfield_work {
    size_t n, pcap;
    int32_t *m;      /* P overlaps */
    int16_t *m16;    /* P overlaps in 16 bits, for the fused sweep while they fit (sweep16_avx512) */
    int64_t msum;    /* patterns path: sum of the overlaps */
    double *h;       /* n raw fields */
    uint32_t *order; /* n visiting order */
    int8_t *snew;    /* n next state (sync) */
    uint64_t *pk;    /* 3 packed states: current, previous, next (sync) */
};

static const char *const rule_names[] = {"hebb", "storkey", "pinv"};
const char *am_rule_name(am_rule r) { return (unsigned)r < 3 ? rule_names[r] : "?"; }

int am_rule_parse(const char *s, am_rule *out)
{
    for (int k = 0; k < 3; k++)
        if (s && !strcmp(s, rule_names[k])) {
            *out = (am_rule)k;
            return AM_OK;
        }
    return AM_EINVAL;
}

int am_hopfield_create(am_hopfield **out, size_t n, am_rule rule)
{
    am_hopfield *h;
    size_t nn;
    *out = NULL;
    if (n == 0 || n > AM_MAX_UNITS || (unsigned)rule > AM_RULE_PINV)
        return AM_EINVAL;
    if (am_size_mul3(n, n, sizeof(float), &nn))
        return AM_EOVERFLOW;
    h = calloc(1, sizeof *h);
    if (!h)
        return AM_ENOMEM;
    h->n = n;
    h->rule = rule;
    h->pats.n = n;
    h->pats.words = n / 64 + (n % 64 != 0);
    h->wscale = rule == AM_RULE_HEBB ? 1.0 / (double)n : 1.0;
    h->want = AM_PATH_AUTO;
    h->path = rule == AM_RULE_HEBB ? AM_PATH_PATTERNS : AM_PATH_MATRIX;
    if (rule != AM_RULE_HEBB) {
        h->w = calloc(n * n, sizeof(float));
        if (!h->w) {
            free(h);
            return AM_ENOMEM;
        }
    }
    *out = h;
    return AM_OK;
}

void am_hopfield_free(am_hopfield *h)
{
    if (!h)
        return;
    free(h->pats.bits);
    free(h->w);
    free(h->theta);
    free(h->xb);
    free(h->xbpop);
    free(h);
}

size_t am_hopfield_n(const am_hopfield *h) { return h->n; }
size_t am_hopfield_count(const am_hopfield *h) { return h->pats.count; }
am_rule am_hopfield_rule(const am_hopfield *h) { return h->rule; }
const am_patterns *am_hopfield_patterns(const am_hopfield *h) { return &h->pats; }
am_path am_hopfield_path(const am_hopfield *h) { return h->path; }

/* The patterns path accumulates h_i in int32: |h_i| <= N P must fit. */
static int patterns_path_fits(size_t n, size_t p)
{
    return p == 0 || n <= (size_t)INT32_MAX / p;
}

static am_path choose_path(const am_hopfield *h)
{
    size_t p = h->pats.count;
    if (h->rule != AM_RULE_HEBB || !patterns_path_fits(h->n, p))
        return AM_PATH_MATRIX;
    if (h->want == AM_PATH_PATTERNS)
        return AM_PATH_PATTERNS;
    if (h->want == AM_PATH_MATRIX || !patterns_path_fits(h->n, p))
        return AM_PATH_MATRIX;
    return 2 * p <= h->n ? AM_PATH_PATTERNS : AM_PATH_MATRIX;
}

/* Hebb raw weights from all stored patterns: w = X^T X - P I (integers, exact in float while P <= 2^24). */
static int hebb_build_matrix(am_hopfield *h)
{
    size_t n = h->n, p = h->pats.count, bytes;
    float *x;
    if (am_size_mul3(n, p ? p : 1, sizeof(float), &bytes))
        return AM_EOVERFLOW;
    if (!h->w && !(h->w = malloc(n * n * sizeof(float))))
        return AM_ENOMEM;
    if (p == 0) {
        memset(h->w, 0, n * n * sizeof(float));
        return AM_OK;
    }
    x = malloc(bytes);
    if (!x)
        return AM_ENOMEM;
    am_patterns_to_float(&h->pats, x);
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)n, (int)p, 1.0f, x, (int)n, 0.0f, h->w, (int)n);
    for (size_t i = 0; i < n; i++) {
        h->w[i * n + i] = 0.0f;
        for (size_t j = i + 1; j < n; j++)
            h->w[j * n + i] = h->w[i * n + j];
    }
    free(x);
    return AM_OK;
}

static void pick_kernels(void);

/* pop[i] = 2 popcount(row i) - P: the sum over patterns of unit i. */
__attribute__((target_clones("popcnt", "default"))) static void row_popcounts(const uint64_t *xb, size_t n, size_t pw,
                                                                             int32_t p, int32_t *pop)
{
    for (size_t i = 0; i < n; i++) {
        size_t c = 0;
        for (size_t k = 0; k < pw; k++)
            c += (size_t)__builtin_popcountll(xb[i * pw + k]);
        pop[i] = 2 * (int32_t)c - p;
    }
}

/* Bring the structures of the chosen path up to date with the stored patterns. */
static int prepare(am_hopfield *h)
{
    pick_kernels();
    am_path p = choose_path(h);
    int rc;
    if (h->rule == AM_RULE_HEBB) {
        if (p == AM_PATH_PATTERNS && h->pats.count == 0) {
            /* No patterns, no weights: nothing to derive (a store of 2^24 units read from a 44-byte file
             * allocates nothing its size names; the fields are 0 and every use below checks the count). */
            free(h->xb);
            free(h->xbpop);
            free(h->w);
            h->xb = NULL;
            h->xbpop = NULL;
            h->w = NULL;
            h->pw = 0;
        } else if (p == AM_PATH_PATTERNS) {
            rc = am__patterns_transposed_bits(&h->pats, &h->xb, &h->pw);
            if (rc)
                return rc;
            int32_t *pop = realloc(h->xbpop, h->n * sizeof *pop);
            if (!pop)
                return AM_ENOMEM;
            h->xbpop = pop;
            row_popcounts(h->xb, h->n, h->pw, (int32_t)h->pats.count, pop);
            free(h->w);
            h->w = NULL;
        } else {
            rc = hebb_build_matrix(h);
            if (rc)
                return rc;
            free(h->xb);
            free(h->xbpop);
            h->xb = NULL;
            h->xbpop = NULL;
        }
    }
    h->path = p;
    return AM_OK;
}

static int hopfield_set_path_serial(am_hopfield *h, am_path path)
{
    if ((unsigned)path > AM_PATH_MATRIX)
        return AM_EINVAL;
    if (path == AM_PATH_PATTERNS && h->rule != AM_RULE_HEBB)
        return AM_EUNSUPPORTED;
    if (path == AM_PATH_PATTERNS && !patterns_path_fits(h->n, h->pats.count))
        return AM_EOVERFLOW;
    h->want = path;
    return prepare(h);
}

/* OpenBLAS on one thread for the duration, so no result depends on its thread count. */
int am_hopfield_set_path(am_hopfield *h, am_path path)
{
    int blas = am__blas_serial();
    int rc = hopfield_set_path_serial(h, path);
    am__blas_restore(blas);
    return rc;
}

/* One row i of the Storkey update: row[j] = grow row[j] + inv (xi_i xi_j - (xi_i hv_j + hv_i xi_j)). The entry
 * (j, i) gets the same two products added in swapped order, so W stays exactly symmetric. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void storkey_row(float *restrict row,
                                                                                     const float *restrict xi,
                                                                                     const float *restrict hv,
                                                                                     float grow, float inv, float xii,
                                                                                     float hvi, size_t n)
{
    for (size_t j = 0; j < n; j++)
        row[j] = grow * row[j] + inv * (xii * xi[j] - (xii * hv[j] + hvi * xi[j]));
}

/* h[j] += s row[j] for s = +-1 (exact products): one step of a field summed over W's rows in order. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void add_row(float *restrict h,
                                                                                 const float *restrict row, float s,
                                                                                 size_t n)
{
    for (size_t j = 0; j < n; j++)
        h[j] += s * row[j];
}

/* One pass over the full symmetric W (n x n): when xi is given (with its field hv = W xi), every row takes the
 * Storkey update and the diagonal stays 0; when nx is given, hn = W nx over the rows as they leave the pass
 * (each h_j one sum over i in order: the same bits on every path). One read and write of W per pattern. */
static void storkey_pass(float *w, size_t n, const float *xi, const float *hv, const float *nx, float *hn)
{
    const float inv = 1.0f / (float)n, grow = 1.0f + 2.0f / (float)n;
    if (nx)
        memset(hn, 0, n * sizeof *hn);
    for (size_t i = 0; i < n; i++) {
        float *row = w + i * n;
        if (xi) {
            storkey_row(row, xi, hv, grow, inv, xi[i], hv[i], n);
            row[i] = 0.0f;
        }
        if (nx)
            add_row(hn, row, nx[i], n);
    }
}

static void unit_floats(const am_patterns *src, size_t mu, float *x)
{
    for (size_t i = 0; i < src->n; i++)
        x[i] = (float)am_patterns_unit(src, mu, i);
}

/* Storkey (1997): for each new pattern xi, with h = W xi and W symmetric with zero diagonal,
 * W_ij <- W_ij + (1/N)(xi_i xi_j - xi_i h_ji - h_ij xi_j), h_ij = h_i - W_ij xi_j, which expands to
 * W <- (1 + 2/N) W + (1/N)(xi xi^T - xi h^T - h xi^T). The field of the next pattern is summed in the same
 * pass over W that updates it. The upper triangle of W is taken as the truth (mirrored first). */
static int storkey_learn(am_hopfield *h, const am_patterns *src, size_t *learned)
{
    size_t n = h->n;
    int rc = AM_OK;
    float *buf = malloc(4 * n * sizeof(float)), *xi = buf, *hv = buf + n, *nx = buf + 2 * n, *hn = buf + 3 * n;
    *learned = 0;
    if (!buf)
        return AM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            h->w[j * n + i] = h->w[i * n + j];
    unit_floats(src, 0, xi);
    storkey_pass(h->w, n, NULL, NULL, xi, hv);
    for (size_t mu = 0; mu < src->count; mu++) {
        int more = mu + 1 < src->count;
        if (more)
            unit_floats(src, mu + 1, nx);
        storkey_pass(h->w, n, xi, hv, more ? nx : NULL, hn);
        float *t = xi;
        xi = nx, nx = t;
        t = hv, hv = hn, hn = t;
        ++*learned;
        if (more && (rc = am_cancel_poll()))
            break; /* the patterns up to mu are learned, and kept (at least one: a call always makes progress) */
    }
    free(buf);
    return rc;
}

/* r x n rows of Q^T = L^-1 X_p^T / sqrt(N): the pivoted patterns perm[0..r) as rows, then the triangular
 * solve with L (r x r, row-major). */
static void pinv_basis(const am_hopfield *h, const double *L, const size_t *perm, size_t r, double *q)
{
    size_t n = h->n;
    double unit = 1.0 / sqrt((double)n);
    for (size_t a = 0; a < r; a++)
        for (size_t i = 0; i < n; i++)
            q[a * n + i] = am_patterns_unit(&h->pats, perm[a], i) > 0 ? unit : -unit;
    am__dtrsm_lower(r, L, r, q, n, n);
}

/* Column j of the Gram matrix X^T X / N of the stored patterns: exact integer overlaps by popcount. */
typedef struct gram_ctx {
    const am_patterns *pats;
    int32_t *m;
} gram_ctx;

static void gram_column(void *ctx, size_t j, double *out)
{
    const gram_ctx *g = ctx;
    am__patterns_overlaps(g->pats, g->pats->bits + j * g->pats->words, g->m);
    for (size_t b = 0; b < g->pats->count; b++)
        out[b] = (double)g->m[b] / (double)g->pats->n;
}

/* Projection onto the span of the stored patterns, W = Q Q^T for an orthonormal basis Q of it, found without
 * LAPACK (whose factorisations' last bits follow the BLAS kernels): pivoted Cholesky C = L L^T of the Gram
 * matrix C = X^T X / N of the P patterns (exact: integer overlaps; only the columns pivoted on are formed, so
 * P >> N costs O(P N^2)), over the patterns whose pivots stay above 1e-9 (C's diagonal is 1: a maximal
 * independent subset, so the rule also holds for P >= N or dependent patterns), Q^T = L^-1 X^T / sqrt(N),
 * and W = (Q^T)^T Q^T by am__dsyrk_tn (W = 0 exactly when they span all N dimensions: the identity less its
 * diagonal). */
static int pinv_learn(am_hopfield *h)
{
    size_t n = h->n, p = h->pats.count, rmax = n < p ? n : p, bytes;
    if (p == 0) {
        memset(h->w, 0, n * n * sizeof(float));
        return AM_OK;
    }
    if (am_size_mul3(p, rmax, sizeof(double), &bytes) || am_size_mul3(n, n > p ? n : p, sizeof(double), &bytes))
        return AM_EOVERFLOW;
    double *L = malloc(p * rmax * sizeof *L), *q = malloc(rmax * n * sizeof *q), *wd = malloc(n * n * sizeof *wd);
    double *lp = malloc(rmax * rmax * sizeof *lp), *one = malloc(3 * p * sizeof *one);
    size_t *perm = malloc(rmax * sizeof *perm);
    gram_ctx g = {&h->pats, malloc(p * sizeof(int32_t))};
    int rc = AM_ENOMEM;
    if (!L || !q || !wd || !lp || !one || !perm || !g.m)
        goto done;
    for (size_t i = 0; i < p; i++)
        one[i] = 1.0;
    size_t r = am__dchol_pivoted_lazy(p, rmax, gram_column, &g, one, 1e-9, L, perm, one + p, one + 2 * p);
    rc = AM_OK;
    if (r == n) {
        memset(h->w, 0, n * n * sizeof(float));
        goto done;
    }
    for (size_t a = 0; a < r; a++) /* the factor over the pivots, in pivot order */
        for (size_t b = 0; b < r; b++)
            lp[a * r + b] = L[b * p + perm[a]];
    pinv_basis(h, lp, perm, r, q);
    if ((rc = am__dsyrk_tn(0, r, n, q, n, 0, wd, n)))
        goto done;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            h->w[i * n + j] = i == j ? 0.0f : (float)wd[i * n + j];
done:
    free(L), free(q), free(wd), free(lp), free(one), free(perm), free(g.m);
    return rc;
}

static int hopfield_store_serial(am_hopfield *h, const am_patterns *pats)
{
    int rc;
    size_t old = h->pats.count, learned = 0;
    if (!pats || pats->n != h->n)
        return AM_ESIZE;
    if (pats->count == 0)
        return AM_OK;
    rc = am__patterns_append(&h->pats, &h->cap, pats);
    if (rc)
        return rc;
    switch (h->rule) {
    case AM_RULE_HEBB: rc = prepare(h); break;
    case AM_RULE_STORKEY: rc = storkey_learn(h, pats, &learned); break;
    case AM_RULE_PINV: rc = pinv_learn(h); break;
    }
    /* On failure the store stays as it was (the weights were not touched), except that a cancelled Storkey
     * rule keeps the patterns it learned. */
    if (rc)
        h->pats.count = old + (rc == AM_ECANCELED ? learned : 0);
    return rc;
}

/* OpenBLAS on one thread for the duration, so no result depends on its thread count. */
int am_hopfield_store(am_hopfield *h, const am_patterns *pats)
{
    int blas = am__blas_serial();
    int rc = hopfield_store_serial(h, pats);
    am__blas_restore(blas);
    return rc;
}

int am_hopfield_set_threshold(am_hopfield *h, const float *theta)
{
    if (!theta) {
        free(h->theta);
        h->theta = NULL;
        return AM_OK;
    }
    for (size_t i = 0; i < h->n; i++)
        if (!isfinite(theta[i]))
            return AM_EINVAL;
    if (!h->theta && !(h->theta = malloc(h->n * sizeof(float))))
        return AM_ENOMEM;
    memcpy(h->theta, theta, h->n * sizeof(float));
    return AM_OK;
}

int am_hopfield_weights(const am_hopfield *h, float *w)
{
    size_t n = h->n;
    if (h->w) {
        for (size_t k = 0; k < n * n; k++)
            w[k] = (float)(h->wscale * h->w[k]);
        return AM_OK;
    }
    /* Patterns path: W_ij = (1/N) sum_mu xi_i xi_j = (1/N) (P - 2 popcount(row i xor row j)). */
    size_t p = h->pats.count;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            long acc = 0;
            if (i != j) {
                size_t d = 0;
                for (size_t k = 0; k < h->pw; k++)
                    d += (size_t)__builtin_popcountll(h->xb[i * h->pw + k] ^ h->xb[j * h->pw + k]);
                acc = (long)p - 2 * (long)d;
            }
            w[i * n + j] = (float)(h->wscale * (double)acc);
        }
    return AM_OK;
}

/* Raw field of unit i (before wscale and theta), excluding the diagonal. */
static double raw_field(const am_hopfield *h, const int8_t *s, size_t i)
{
    size_t n = h->n;
    if (h->w) {
        const float *row = h->w + i * n;
        double acc = 0.0;
        for (size_t j = 0; j < n; j++)
            acc += (double)row[j] * s[j];
        return acc;
    }
    size_t p = h->pats.count;
    long acc = 0;
    for (size_t mu = 0; mu < p; mu++) {
        long m = 0;
        for (size_t j = 0; j < n; j++)
            m += (long)am_patterns_unit(&h->pats, mu, j) * s[j];
        acc += (long)am_patterns_unit(&h->pats, mu, i) * m;
    }
    return (double)(acc - (long)p * s[i]);
}

double am_hopfield_field(const am_hopfield *h, const int8_t *s, size_t i)
{
    return h->wscale * raw_field(h, s, i) + (h->theta ? h->theta[i] : 0.0);
}

double am_hopfield_delta_energy(const am_hopfield *h, const int8_t *s, size_t i)
{
    return 2.0 * s[i] * am_hopfield_field(h, s, i);
}

static double theta_dot(const am_hopfield *h, const int8_t *s)
{
    double t = 0.0;
    if (h->theta)
        for (size_t i = 0; i < h->n; i++)
            t += (double)h->theta[i] * s[i];
    return t;
}

double am_hopfield_energy(const am_hopfield *h, const int8_t *s)
{
    size_t n = h->n, p = h->pats.count;
    double quad = 0.0;
    if (h->w) {
        for (size_t i = 0; i < n; i++) {
            const float *row = h->w + i * n;
            double acc = 0.0;
            for (size_t j = 0; j < n; j++)
                acc += (double)row[j] * s[j];
            quad += acc * s[i];
        }
    } else {
        /* s^T w s = sum_mu m_mu^2 - P N for the raw Hebb sums. */
        uint64_t *pk = malloc(h->pats.words * sizeof *pk);
        if (!pk)
            return NAN;
        am_state_pack(s, n, pk);
        for (size_t mu = 0; mu < p; mu++) {
            double m = (double)n - 2.0 * (double)am_patterns_hamming_packed(&h->pats, mu, pk);
            quad += m * m;
        }
        quad -= (double)p * (double)n;
        free(pk);
    }
    return -0.5 * h->wscale * quad - theta_dot(h, s);
}

/* ---- workspace ---- */

void am_hopfield_work_free(am_hopfield_work *w)
{
    if (!w)
        return;
    free(w->m), free(w->m16), free(w->h), free(w->order), free(w->snew), free(w->pk);
    free(w);
}

static int work_fit(am_hopfield_work *w, size_t n, size_t p, size_t words)
{
    if (w->n != n) {
        free(w->h), free(w->order), free(w->snew), free(w->pk);
        w->h = malloc(n * sizeof(double));
        w->order = malloc(n * sizeof(uint32_t));
        w->snew = malloc(n);
        w->pk = malloc(3 * words * sizeof(uint64_t));
        w->n = n;
        if (!w->h || !w->order || !w->snew || !w->pk) {
            w->n = 0;
            return AM_ENOMEM;
        }
    }
    if (w->pcap < p || !w->m) {
        size_t cap = p < 16 ? 16 : p;
        int32_t *m = realloc(w->m, cap * sizeof(int32_t));
        if (m)
            w->m = m;
        int16_t *m16 = realloc(w->m16, cap * sizeof(int16_t));
        if (m16)
            w->m16 = m16;
        if (!m || !m16)
            return AM_ENOMEM;
        w->pcap = cap;
    }
    return AM_OK;
}

int am_hopfield_work_create(am_hopfield_work **out, const am_hopfield *h)
{
    am_hopfield_work *w = calloc(1, sizeof *w);
    int rc;
    *out = NULL;
    if (!w)
        return AM_ENOMEM;
    rc = work_fit(w, h->n, h->pats.count, h->pats.words);
    if (rc) {
        am_hopfield_work_free(w);
        return rc;
    }
    *out = w;
    return AM_OK;
}

/* ---- kernels ---- */

/* One asynchronous sweep at T = 0 without thresholds on the patterns path, in the given order: each unit
 * takes the sign of its field (a zero field keeps it); m and msum follow every flip. Returns the flips. */
static size_t sweep_any(const uint64_t *xb, size_t pw, const int32_t *pop, int32_t *m, int64_t *msum, int8_t *s,
                        const uint32_t *order, size_t n, size_t p)
{
    size_t changed = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        int64_t raw = 2 * (int64_t)am__masked_sum(xb + i * pw, m, p) - *msum - (int64_t)p * s[i];
        if (raw * s[i] < 0) { /* the sign of the field, ties kept: one branch, rarely taken */
            int8_t ns = (int8_t)-s[i];
            s[i] = ns;
            changed++;
            am__masked_update(m, xb + i * pw, p, 2 * ns);
            *msum += 2 * (int64_t)ns * pop[i];
        }
    }
    return changed;
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx512f"))) static size_t sweep_avx512(const uint64_t *xb, size_t pw, const int32_t *pop,
                                                              int32_t *m, int64_t *msum, int8_t *s,
                                                              const uint32_t *order, size_t n, size_t p)
{
    size_t changed = 0;
    int64_t sum = *msum;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        const uint64_t *bits = xb + i * pw;
        /* A word of bits at a time, four 16-lane masked loads (bits past p are 0: nothing is read there). */
        __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
        for (size_t w = 0; w < pw; w++) {
            uint64_t b = bits[w];
            const int32_t *mm = m + 64 * w;
            a0 = _mm512_add_epi32(a0, _mm512_maskz_loadu_epi32((__mmask16)b, mm));
            a1 = _mm512_add_epi32(a1, _mm512_maskz_loadu_epi32((__mmask16)(b >> 16), mm + 16));
            a0 = _mm512_add_epi32(a0, _mm512_maskz_loadu_epi32((__mmask16)(b >> 32), mm + 32));
            a1 = _mm512_add_epi32(a1, _mm512_maskz_loadu_epi32((__mmask16)(b >> 48), mm + 48));
        }
        int64_t raw = 2 * (int64_t)_mm512_reduce_add_epi32(_mm512_add_epi32(a0, a1)) - sum - (int64_t)p * s[i];
        if (raw * s[i] < 0) { /* the sign of the field, ties kept: one branch, rarely taken */
            int8_t ns = (int8_t)-s[i];
            s[i] = ns;
            changed++;
            am__masked_update(m, bits, p, 2 * ns);
            sum += 2 * (int64_t)ns * pop[i];
        }
    }
    *msum = sum;
    return changed;
}

/* The same sweep on 16-bit overlaps, 32 lanes a load: for |m_mu| <= N with pw N <= 32767, so that no 16-bit
 * lane of the sums overflows (each adds one overlap per word of bits). */
__attribute__((target("avx512f,avx512bw"))) static size_t sweep16_avx512(const uint64_t *xb, size_t pw,
                                                                         const int32_t *pop, int16_t *m,
                                                                         int64_t *msum, int8_t *s,
                                                                         const uint32_t *order, size_t n, size_t p)
{
    size_t changed = 0;
    int64_t sum = *msum;
    const __m512i ones = _mm512_set1_epi16(1);
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        const uint64_t *bits = xb + i * pw;
        __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
        for (size_t w = 0; w < pw; w++) {
            uint64_t b = bits[w];
            a0 = _mm512_add_epi16(a0, _mm512_maskz_loadu_epi16((__mmask32)b, m + 64 * w));
            a1 = _mm512_add_epi16(a1, _mm512_maskz_loadu_epi16((__mmask32)(b >> 32), m + 64 * w + 32));
        }
        __m512i a = _mm512_add_epi32(_mm512_madd_epi16(a0, ones), _mm512_madd_epi16(a1, ones));
        int64_t raw = 2 * (int64_t)_mm512_reduce_add_epi32(a) - sum - (int64_t)p * s[i];
        if (raw * s[i] < 0) { /* the sign of the field, ties kept: one branch, rarely taken */
            int8_t ns = (int8_t)-s[i];
            __m512i vd = _mm512_set1_epi16((int16_t)(2 * ns)), v2d = _mm512_set1_epi16((int16_t)(4 * ns));
            s[i] = ns;
            changed++;
            for (size_t q = 0; q < p; q += 32) {
                __mmask32 mk = (__mmask32)(bits[q >> 6] >> (q & 63));
                __mmask32 valid = p - q >= 32 ? (__mmask32)0xFFFFFFFFu : (__mmask32)((1u << (p - q)) - 1);
                __m512i x = _mm512_sub_epi16(_mm512_maskz_loadu_epi16(valid, m + q), vd);
                _mm512_mask_storeu_epi16(m + q, valid, _mm512_mask_add_epi16(x, mk, x, v2d));
            }
            sum += 2 * (int64_t)ns * pop[i];
        }
    }
    *msum = sum;
    return changed;
}

static int have_avx512bw(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bw");
}
#endif

static size_t (*sweep)(const uint64_t *, size_t, const int32_t *, int32_t *, int64_t *, int8_t *, const uint32_t *,
                       size_t, size_t) = sweep_any;
static int sweep16; /* sweep16_avx512 serves where the overlaps fit */

/* The fused sweep follows the masked kernels' choice (masked.h). */
static void pick_sweep(void)
{
#if defined(__x86_64__) || defined(__i386__)
    if (am__masked_avx512()) {
        sweep = sweep_avx512;
        sweep16 = have_avx512bw();
        return;
    }
#endif
    sweep = sweep_any;
    sweep16 = 0;
}

static void pick_kernels(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    am__masked_init();
    pthread_once(&once, pick_sweep);
}

void am__hopfield_portable(int on)
{
    pick_kernels();
    am__masked_pick(on);
    pick_sweep();
}

/* Raw field of unit i on the patterns path from the overlaps m (and their sum), without the diagonal. */
static inline int64_t pattern_field(const am_hopfield *h, size_t i, const int32_t *m, int64_t msum, int8_t si)
{
    if (!h->pats.count)
        return 0; /* no patterns: no transposed rows either */
    return 2 * (int64_t)am__masked_sum(h->xb + i * h->pw, m, h->pats.count) - msum - (int64_t)h->pats.count * si;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) static void axpy_f32_f64(double *restrict h,
                                                                                      const float *restrict w,
                                                                                      double a, size_t n)
{
    for (size_t j = 0; j < n; j++)
        h[j] += a * (double)w[j];
}

static void overlaps_from_state(const am_hopfield *h, const int8_t *s, am_hopfield_work *w)
{
    am_state_pack(s, h->n, w->pk);
    am__patterns_overlaps(&h->pats, w->pk, w->m);
    int64_t sum = 0;
    for (size_t mu = 0; mu < h->pats.count; mu++)
        sum += w->m[mu];
    w->msum = sum;
}

static void fields_from_state(const am_hopfield *h, const int8_t *s, am_hopfield_work *w)
{
    size_t n = h->n;
    /* h = W s as a sum over W's rows in order (W is symmetric), in double: the same bits on every path, and
     * exact for the Hebb rule's integer weights. */
    memset(w->h, 0, n * sizeof *w->h);
    for (size_t j = 0; j < n; j++)
        axpy_f32_f64(w->h, h->w + j * n, (double)s[j], n);
}

/* New state of one unit from its raw field: deterministic sign with ties kept, or a Glauber draw. */
static inline int8_t decide(const am_hopfield *h, double raw, size_t i, int8_t cur, double beta, am_rng *rng)
{
    double f = h->theta ? h->wscale * raw + h->theta[i] : raw; /* wscale > 0 leaves the sign alone */
    if (beta > 0.0) {
        double x = 2.0 * beta * (h->theta ? f : h->wscale * f);
        double pplus = 1.0 / (1.0 + exp(-x));
        return am_rng_uniform(rng) < pplus ? 1 : -1;
    }
    return f * cur < 0.0 ? (int8_t)-cur : cur; /* the sign of f, ties kept; predictable: flips are rare */
}

/* Energy from the workspace's running quantities: overlaps (patterns path) or fields (matrix path). */
static double current_energy(const am_hopfield *h, const int8_t *s, const am_hopfield_work *w)
{
    size_t n = h->n, p = h->pats.count;
    double quad = 0.0;
    if (h->path == AM_PATH_PATTERNS) {
        for (size_t mu = 0; mu < p; mu++)
            quad += (double)w->m[mu] * w->m[mu];
        quad -= (double)p * (double)n;
    } else {
        for (size_t i = 0; i < n; i++)
            quad += w->h[i] * s[i];
    }
    return -0.5 * h->wscale * quad - theta_dot(h, s);
}

/* ---- the model as the recall engine sees it (engine.c) ---- */

static void op_load(const void *model, void *work, const int8_t *s)
{
    if (((const am_hopfield *)model)->path == AM_PATH_PATTERNS)
        overlaps_from_state(model, s, work);
    else
        fields_from_state(model, s, work);
}

static int8_t op_decide(const void *model, void *work, size_t i, int8_t cur, double temp, am_rng *rng)
{
    const am_hopfield *h = model;
    const am_hopfield_work *w = work;
    double raw = h->path == AM_PATH_PATTERNS ? (double)pattern_field(h, i, w->m, w->msum, cur) : w->h[i];
    return decide(h, raw, i, cur, temp > 0.0 ? 1.0 / temp : 0.0, rng);
}

static void op_flip(const void *model, void *work, const int8_t *s, size_t i, int8_t ns)
{
    const am_hopfield *h = model;
    am_hopfield_work *w = work;
    (void)s;
    if (h->path != AM_PATH_PATTERNS) {
        axpy_f32_f64(w->h, h->w + i * h->n, 2.0 * ns, h->n);
    } else if (h->pats.count) {
        am__masked_update(w->m, h->xb + i * h->pw, h->pats.count, 2 * ns);
        w->msum += 2 * (int64_t)ns * h->xbpop[i];
    }
}

static double op_energy(const void *model, void *work, const int8_t *s) { return current_energy(model, s, work); }

/* The common case in one fused loop: integer fields, integer decisions. */
static size_t op_fast_sweep(const void *model, void *work, int8_t *s, const uint32_t *order, size_t len)
{
    const am_hopfield *h = model;
    am_hopfield_work *w = work;
    size_t p = h->pats.count, changed;
    if (h->path != AM_PATH_PATTERNS || !p || h->theta)
        return SIZE_MAX;
#if defined(__x86_64__) || defined(__i386__)
    if (sweep16 && h->pw * h->n <= 32767) { /* the same integers in half the width */
        for (size_t mu = 0; mu < p; mu++)
            w->m16[mu] = (int16_t)w->m[mu];
        changed = sweep16_avx512(h->xb, h->pw, h->xbpop, w->m16, &w->msum, s, order, len, p);
        for (size_t mu = 0; mu < p; mu++)
            w->m[mu] = w->m16[mu];
        return changed;
    }
#endif
    changed = sweep(h->xb, h->pw, h->xbpop, w->m, &w->msum, s, order, len, p);
    return changed;
}

static int hopfield_recall_serial(const am_hopfield *h, int8_t *s, const am_recall_opts *opts, am_rng *rng,
                                  am_hopfield_work *work, am_recall_info *info)
{
    am_recall_opts o;
    am_recall_info local;
    am_hopfield_work *w = work;
    int rc;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if ((rc = am__recall_check(opts, &o, rng, s, h->n)) != AM_OK)
        return rc;
    if (!w) {
        rc = am_hopfield_work_create(&w, h);
        if (rc)
            return rc;
    } else if ((rc = work_fit(w, h->n, h->pats.count, h->pats.words)) != AM_OK) {
        return rc;
    }
    am__binary b = {h, w, h->n, op_load, op_decide, op_flip, op_energy, op_fast_sweep, w->order, w->snew, w->pk};
    rc = am__recall_binary(&b, s, &o, rng, info);
    if (w != work)
        am_hopfield_work_free(w);
    return rc;
}

/* OpenBLAS on one thread for the duration, so no result depends on its thread count. */
int am_hopfield_recall(const am_hopfield *h, int8_t *s, const am_recall_opts *opts, am_rng *rng,
                       am_hopfield_work *work, am_recall_info *info)
{
    int blas = am__blas_serial();
    int rc = hopfield_recall_serial(h, s, opts, rng, work, info);
    am__blas_restore(blas);
    return rc;
}

/* ---- stability of the stored patterns ---- */

int am_hopfield_stability(const am_hopfield *h, size_t *unstable)
{
    return am_hopfield_stability_range(h, 0, h->pats.count, unstable);
}

static int hopfield_stability_range_serial(const am_hopfield *h, size_t first, size_t count, size_t *unstable)
{
    size_t n = h->n, p = h->pats.count, blk = 256;
    if (first > p || count > p - first || (count && !unstable))
        return AM_EINVAL;
    if (count == 0)
        return AM_OK;
    if (n > INT32_MAX || p > INT32_MAX)
        return AM_EOVERFLOW;
    if (h->path == AM_PATH_PATTERNS) {
        /* Exact integer fields of each asked pattern mu: overlaps g_nu = xi^nu . xi^mu by popcount, then
         * h_i = sum_nu xi^nu_i g_nu - P xi^mu_i through the transposed patterns. O(P N) per pattern, so a
         * few patterns of a large store cost little, and no N x P float copy is made. */
        int32_t *g = malloc(p * sizeof *g);
        int8_t *s = malloc(n);
        if (!g || !s) {
            free(g), free(s);
            return AM_ENOMEM;
        }
        size_t words = h->pats.words;
        int rc = AM_OK;
        for (size_t mu = first; mu < first + count && !(rc = am_cancel_poll()); mu++) {
            am__patterns_overlaps(&h->pats, h->pats.bits + mu * words, g);
            am_patterns_get(&h->pats, mu, s);
            int64_t gsum = 0;
            for (size_t nu = 0; nu < p; nu++)
                gsum += g[nu];
            size_t bad = 0;
            for (size_t i = 0; i < n; i++) {
                int64_t raw = pattern_field(h, i, g, gsum, s[i]);
                double f = h->wscale * (double)raw + (h->theta ? h->theta[i] : 0.0);
                bad += f * s[i] < 0.0;
            }
            unstable[mu - first] = bad;
        }
        free(g), free(s);
        return rc;
    }
    float *x = malloc(blk * n * sizeof(float)), *hb = malloc(blk * n * sizeof(float));
    am__gemm_ws ws = {0};
    if (!x || !hb) {
        free(x), free(hb);
        return AM_ENOMEM;
    }
    int rc = AM_OK;
    for (size_t mu0 = first; mu0 < first + count && !(rc = am_cancel_poll()); mu0 += blk) {
        size_t nb = first + count - mu0 < blk ? first + count - mu0 : blk;
        am_patterns view = h->pats;
        view.bits = h->pats.bits + mu0 * h->pats.words;
        view.count = nb;
        am_patterns_to_float(&view, x);
        /* X W (W symmetric) by libam's fixed-order sgemm: the same bits under any BLAS kernels. */
        if ((rc = am__sgemm(0, 0, nb, n, n, x, n, h->w, n, 0, hb, n, &ws)))
            break;
        for (size_t b = 0; b < nb; b++) {
            const float *xr = x + b * n, *hr = hb + b * n;
            size_t bad = 0;
            for (size_t i = 0; i < n; i++) {
                double f = h->wscale * (double)hr[i] + (h->theta ? h->theta[i] : 0.0);
                bad += f * xr[i] < 0.0;
            }
            unstable[mu0 - first + b] = bad;
        }
    }
    am__gemm_ws_free(&ws);
    free(x), free(hb);
    return rc;
}

/* OpenBLAS on one thread for the duration, so no result depends on its thread count. */
int am_hopfield_stability_range(const am_hopfield *h, size_t first, size_t count, size_t *unstable)
{
    int blas = am__blas_serial();
    int rc = hopfield_stability_range_serial(h, first, count, unstable);
    am__blas_restore(blas);
    return rc;
}

/* ---- save / load ---- */

static const char hop_magic[8] = {'L', 'I', 'B', 'A', 'M', 'H', 'O', 'P'};
#define HOP_VERSION 1u
#define FLAG_W 1u
#define FLAG_THETA 2u

int am_hopfield_save(const am_hopfield *h, const char *path)
{
    am__file f;
    int rc = am__wopen(&f, path);
    uint32_t flags = (h->rule != AM_RULE_HEBB ? FLAG_W : 0) | (h->theta ? FLAG_THETA : 0);
    if (rc)
        return rc;
    am__put(&f, hop_magic, 8);
    am__put_u32(&f, HOP_VERSION);
    am__put_u32(&f, 0x01020304u);
    am__put_u32(&f, (uint32_t)h->rule);
    am__put_u32(&f, flags);
    am__put_u64(&f, h->n);
    am__put_u64(&f, h->pats.count);
    am__put_u64s(&f, h->pats.bits, h->pats.count * h->pats.words);
    if (flags & FLAG_W)
        am__put_f32s(&f, h->w, h->n * h->n);
    if (flags & FLAG_THETA)
        am__put_f32s(&f, h->theta, h->n);
    return am__wclose(&f);
}

static int hopfield_load_serial(am_hopfield **out, const char *path)
{
    am__file f;
    uint32_t version, rule, flags;
    uint64_t n, p;
    size_t words, nbits, need;
    am_hopfield *h = NULL;
    int rc;
    *out = NULL;
    rc = am__ropen(&f, path, hop_magic, HOP_VERSION, &version);
    if (rc)
        return rc;
    rule = am__get_u32(&f);
    flags = am__get_u32(&f);
    n = am__get_u64(&f);
    p = am__get_u64(&f);
    if (f.err) {
        rc = f.err;
        goto fail;
    }
    if (n == 0 || rule > AM_RULE_PINV || (flags & ~(FLAG_W | FLAG_THETA)) ||
        ((flags & FLAG_W) != 0) != (rule != AM_RULE_HEBB)) {
        rc = AM_EFORMAT;
        goto fail;
    }
    if (n > AM_MAX_UNITS || p > INT32_MAX) {
        rc = AM_ERANGE;
        goto fail;
    }
    words = (size_t)(n / 64 + (n % 64 != 0));
    /* Check the whole payload size against the file before allocating anything it names. */
    if (am_size_mul3((size_t)p, words, 8, &nbits) || am_size_mul3((size_t)n, (size_t)n, 4, &need)) {
        rc = AM_EFORMAT;
        goto fail;
    }
    need = (flags & FLAG_W ? need : 0) + (flags & FLAG_THETA ? (size_t)n * 4 : 0);
    if ((rc = am__need(&f, (uint64_t)nbits + need)) != AM_OK) {
        goto fail;
    }
    rc = am_hopfield_create(&h, (size_t)n, (am_rule)rule);
    if (rc)
        goto fail;
    if (p) {
        h->pats.bits = malloc(nbits);
        if (!h->pats.bits) {
            rc = AM_ENOMEM;
            goto fail;
        }
        h->cap = (size_t)p;
        h->pats.count = (size_t)p;
        am__get_u64s(&f, h->pats.bits, (size_t)p * words);
    }
    if (flags & FLAG_W)
        am__get_f32s_finite(&f, h->w, (size_t)(n * n));
    if (flags & FLAG_THETA) {
        h->theta = malloc((size_t)n * sizeof(float));
        if (!h->theta) {
            rc = AM_ENOMEM;
            goto fail;
        }
        am__get_f32s_finite(&f, h->theta, (size_t)n);
    }
    rc = am__rclose(&f);
    if (rc)
        goto fail_closed;
    if (!am__patterns_tails_ok(&h->pats)) {
        rc = AM_EFORMAT;
        goto fail_closed;
    }
    rc = prepare(h);
    if (rc)
        goto fail_closed;
    *out = h;
    return AM_OK;
fail:
    am__rabort(&f);
fail_closed:
    am_hopfield_free(h);
    return rc;
}

/* OpenBLAS on one thread for the duration, so no result depends on its thread count. */
int am_hopfield_load(am_hopfield **out, const char *path)
{
    int blas = am__blas_serial();
    int rc = hopfield_load_serial(out, path);
    am__blas_restore(blas);
    return rc;
}

/* ---- the store type (type.h) ---- */

typedef struct hop_params {
    am_rule rule;
    am_path path;
} hop_params;

static const am_store_param hop_param_list[] = {
    {"rule", "R", "learning rule: hebb, storkey or pinv", "hebb"},
    {"path", "P", "Hebb recall path: auto, patterns or matrix (same results)", "auto"},
};
static const char *const path_names[] = {"auto", "patterns", "matrix"};

static void t_defaults(void *p) { *(hop_params *)p = (hop_params){AM_RULE_HEBB, AM_PATH_AUTO}; }

static int t_set(void *p, const char *name, const char *value, char *why, size_t whysize)
{
    hop_params *hp = p;
    int k;
    if (!strcmp(name, "rule")) {
        if ((k = am__param_word(value, rule_names, 3)) < 0)
            return snprintf(why, whysize, "must be hebb, storkey or pinv"), AM_EINVAL;
        hp->rule = (am_rule)k;
    } else {
        if ((k = am__param_word(value, path_names, 3)) < 0)
            return snprintf(why, whysize, "must be auto, patterns or matrix"), AM_EINVAL;
        hp->path = (am_path)k;
    }
    return AM_OK;
}

static void t_get(const void *p, const char *name, char *buf, size_t size)
{
    const hop_params *hp = p;
    snprintf(buf, size, "%s", !strcmp(name, "rule") ? am_rule_name(hp->rule) : path_names[hp->path]);
}

static void t_label(const void *p, char *buf, size_t size)
{
    snprintf(buf, size, "%s", am_rule_name(((const hop_params *)p)->rule));
}

static int t_check(const void *p, size_t n, char *why, size_t whysize)
{
    const hop_params *hp = p;
    (void)n;
    if ((unsigned)hp->rule > AM_RULE_PINV || (unsigned)hp->path > AM_PATH_MATRIX)
        return snprintf(why, whysize, "unknown rule or path"), AM_EINVAL;
    if (hp->path != AM_PATH_AUTO && hp->rule != AM_RULE_HEBB)
        return snprintf(why, whysize, "path applies to the hebb rule only"), AM_EINVAL;
    return AM_OK;
}

static int t_create(void **model, size_t n, const void *p)
{
    const hop_params *hp = p;
    am_hopfield *h;
    int rc = am_hopfield_create(&h, n, hp->rule);
    if (!rc && hp->path != AM_PATH_AUTO && (rc = am_hopfield_set_path(h, hp->path)))
        am_hopfield_free(h), h = NULL;
    *model = rc ? NULL : h;
    return rc;
}

static void t_free(void *model) { am_hopfield_free(model); }
static void t_config(const void *model, void *p)
{
    const am_hopfield *h = model;
    *(hop_params *)p = (hop_params){h->rule, h->want};
}
static size_t t_n(const void *model) { return am_hopfield_n(model); }
static size_t t_count(const void *model) { return am_hopfield_count(model); }
static const am_patterns *t_patterns(const void *model) { return am_hopfield_patterns(model); }
static int t_add(void *model, const am_patterns *pats, int cyclic)
{
    (void)cyclic;
    return am_hopfield_store(model, pats);
}
static double t_energy(const void *model, const int8_t *s) { return am_hopfield_energy(model, s); }
static int t_work_create(void **work, const void *model)
{
    return am_hopfield_work_create((am_hopfield_work **)work, model);
}
static void t_work_free(void *work) { am_hopfield_work_free(work); }
static int t_work_fit(void *work, const void *model)
{
    const am_hopfield *h = model;
    return work_fit(work, h->n, h->pats.count, h->pats.words);
}
static int t_recall(const void *model, int8_t *s, const am_recall_opts *o, am_rng *rng, void *work,
                    am_recall_info *info)
{
    return am_hopfield_recall(model, s, o, rng, work, info);
}
static int t_stability(const void *model, size_t first, size_t count, size_t *unstable)
{
    return am_hopfield_stability_range(model, first, count, unstable);
}
static int t_weights(const void *model, float *w) { return am_hopfield_weights(model, w); }
static int t_save(const void *model, const char *path) { return am_hopfield_save(model, path); }
static int t_load(void **model, const char *path) { return am_hopfield_load((am_hopfield **)model, path); }

const am_store_type am__store_hopfield = {
    .name = "hopfield",
    .summary = "classical Hopfield network: pairwise weights by the Hebb, Storkey or pseudo-inverse rule",
    .magic = {'L', 'I', 'B', 'A', 'M', 'H', 'O', 'P'},
    .id = 0,
    .flags = AM_STORE_SERIAL,
    .params = hop_param_list,
    .nparams = sizeof hop_param_list / sizeof hop_param_list[0],
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
    .add = t_add,
    .energy = t_energy,
    .work_create = t_work_create,
    .work_free = t_work_free,
    .work_fit = t_work_fit,
    .recall = t_recall,
    .stability = t_stability,
    .weights = t_weights,
    .save = t_save,
    .load = t_load,
};

am_hopfield *am_store_hopfield(am_store *s) { return s && s->type == &am__store_hopfield ? s->model : NULL; }
