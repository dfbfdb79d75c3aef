/* Dense associative memory: polynomial, rectified polynomial and exponential separation functions. */
#include "am/dense.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "../core/cancel_internal.h"
#include "../core/io.h"
#include "../core/patterns_internal.h"
#include "internal.h"
#include "masked.h"
#include "type.h"

struct am_dense {
    size_t n;
    am_dense_f f;
    int deg;
    am_patterns pats; /* pats.bits has room for cap patterns */
    size_t cap;
    uint64_t *xb;     /* n rows of pw words: bit mu of row i = [xi^mu_i = +1] (masked.h) */
    size_t pw;
    /* The exact integer path (poly, rectpoly), used at T = 0 when its numbers fit: with F(x) = x^n and m the
     * overlap, ctab[m + n] = F(m+2) - F(m-2) and stab[m + n] = 2F(m) - F(m-2) - F(m+2) for m in [-n, n] (n
     * here the unit count), and whether K patterns keep every sum in range. */
    int32_t *ctab;    /* 2n + 1, or NULL: no exact path for this F and n */
    int64_t *stab;    /* 2n + 1 */
    int64_t cmax;     /* max |ctab| */
    int64_t smax;     /* max |stab| */
    int exact;        /* the exact path serves the current K */
    double tie;       /* exact path: |S + s_i G_i| at or below this may be decided otherwise by the float path */
};

/* Per-recall state. With m the overlaps, A_mu = D(m_mu - 1), B_mu = D(m_mu + 1), D(r) = F(r+1) - F(r-1),
 * the drive of unit i satisfies s_i D_i = (S + s_i G_i) / 2 with S = sum (A - B), G_i = sum_mu xi_i^mu C_mu,
 * C = A + B. (Derivation: r_mu = m_mu - xi_i^mu s_i is m - 1 where xi_i^mu = s_i and m + 1 elsewhere.) */
struct am_dense_work {
    size_t n, kcap;
    int32_t *m;
    double *c;
    double S;
    int exact;     /* this recall runs on the exact integers below (T = 0 and the store's exact path) */
    int32_t *ci;   /* exact: C_mu = ctab[m_mu + n] */
    int64_t Si;    /* exact: S = sum stab[m_mu + n] */
    int64_t csum;  /* exact: sum of C */
    int cfresh;    /* exact: c and S (the float path's) are up to date with m */
    double shift;  /* exp: the values are e^{m - shift}; log of the factor dropped from D */
    uint32_t *order;
    int8_t *snew;
    uint64_t *pk;  /* 3 packed states for sync cycle detection */
};

static const char *const f_names[] = {"poly", "rectpoly", "exp"};

const char *am_dense_f_name(am_dense_f f) { return (unsigned)f < 3 ? f_names[f] : "?"; }

int am_dense_f_parse(const char *s, am_dense_f *out)
{
    for (int k = 0; k < 3; k++)
        if (s && !strcmp(s, f_names[k])) {
            *out = (am_dense_f)k;
            return AM_OK;
        }
    return AM_EINVAL;
}

/* F(x) = x^n in integers (rectpoly: 0 for x <= 0); the caller keeps |x|^n below 2^53. */
static int64_t ipow_exact(const am_dense *d, int64_t x)
{
    int64_t r = 1;
    if (d->f == AM_F_RECTPOLY && x <= 0)
        return 0;
    for (int k = 0; k < d->deg; k++)
        r *= x;
    return r;
}

/* The exact path's tables when F is a polynomial and every F(m +- 2), |m| <= n, is an integer below 2^53
 * (ctab, stab stay NULL otherwise, and the float path serves). Nonzero: out of memory. */
static int exact_tables(am_dense *d)
{
    size_t n = d->n;
    if (d->f == AM_F_EXP || n > 65536 || (double)d->deg * log2((double)n + 2.0) > 53.0)
        return 0;
    d->ctab = malloc((2 * n + 1) * sizeof *d->ctab);
    d->stab = malloc((2 * n + 1) * sizeof *d->stab);
    if (!d->ctab || !d->stab)
        return 1;
    int64_t cmax = 0, smax = 0;
    for (size_t k = 0; k <= 2 * n; k++) {
        int64_t m = (int64_t)k - (int64_t)n, fm2 = ipow_exact(d, m - 2), fp2 = ipow_exact(d, m + 2);
        int64_t c = fp2 - fm2;
        if (c > INT32_MAX || c < -INT32_MAX) { /* C does not fit its int32 lanes: the float path */
            free(d->ctab), free(d->stab);
            d->ctab = NULL, d->stab = NULL;
            return 0;
        }
        d->ctab[k] = (int32_t)c;
        d->stab[k] = 2 * ipow_exact(d, m) - fm2 - fp2;
        cmax = c > cmax ? c : -c > cmax ? -c : cmax;
        smax = d->stab[k] > smax ? d->stab[k] : -d->stab[k] > smax ? -d->stab[k] : smax;
    }
    d->cmax = cmax, d->smax = smax;
    return 0;
}

int am_dense_create(am_dense **out, size_t n, am_dense_f f, int degree)
{
    am_dense *d;
    *out = NULL;
    if (n == 0 || n > AM_MAX_UNITS || (unsigned)f > AM_F_EXP || (f != AM_F_EXP && (degree < 1 || degree > AM_DENSE_MAX_DEGREE)))
        return AM_EINVAL;
    d = calloc(1, sizeof *d);
    if (!d)
        return AM_ENOMEM;
    d->n = n;
    d->f = f;
    d->deg = f == AM_F_EXP ? 0 : degree;
    d->pats.n = n;
    d->pats.words = n / 64 + (n % 64 != 0);
    if (exact_tables(d)) {
        am_dense_free(d);
        return AM_ENOMEM;
    }
    *out = d;
    return AM_OK;
}

void am_dense_free(am_dense *d)
{
    if (!d)
        return;
    free(d->pats.bits);
    free(d->ctab), free(d->stab), free(d->xb);
    free(d);
}

size_t am_dense_n(const am_dense *d) { return d->n; }
size_t am_dense_count(const am_dense *d) { return d->pats.count; }
am_dense_f am_dense_function(const am_dense *d) { return d->f; }
int am_dense_degree(const am_dense *d) { return d->deg; }
const am_patterns *am_dense_patterns(const am_dense *d) { return &d->pats; }

/* The exact path decides as the float path does (the results are the float path's, bit for bit) wherever the
 * float path's rounding cannot change the sign of S + s_i G_i: the float values F(x)/N^n of |x| <= N+2 are
 * each within q u of F (q roundings in x/N and ipow, u = 2^-53), C and the terms of S then within (2q+3) u and
 * (4q+8) u of Fm = ((N+2)/N)^n, and K-term sums add at most 1.01 K u times the sum of the terms' magnitudes
 * (2 Fm and 4 Fm), so the float error of S + s_i G_i is below u Fm (K (6q+17) + 7 K^2); in the integers, scaled
 * by N^n, with a factor 4 of margin. At or below it (exact ties, mostly), the float path decides. */
static double tie_bound(const am_dense *d, size_t k)
{
    double u = 0x1p-53, q = 2.0 * ceil(log2((double)d->deg + 1.0)) + 3.0, kk = (double)k;
    return 4.0 * u * pow((double)d->n + 2.0, d->deg) * (kk * (6.0 * q + 17.0) + 7.0 * kk * kk);
}

int am_dense_store(am_dense *d, const am_patterns *pats)
{
    size_t need;
    int rc;
    if (!pats || pats->n != d->n)
        return AM_ESIZE;
    if (pats->count == 0)
        return AM_OK;
    need = d->pats.count + pats->count;
    if (need > (size_t)INT32_MAX)
        return AM_EOVERFLOW;
    if ((rc = am__patterns_append(&d->pats, &d->cap, pats)))
        return rc;
    rc = am__patterns_transposed_bits(&d->pats, &d->xb, &d->pw);
    /* Exact when the sum of K values of C stays in int32 and the sum of K values of stab in int64. */
    d->exact = !rc && d->ctab && (double)need * (double)d->cmax < 2147483647.0 &&
               (double)need * (double)d->smax < 4.6e18;
    if (d->exact)
        d->tie = tie_bound(d, need);
    if (rc)
        d->pats.count = need - pats->count;
    return rc;
}

/* F on the scaled axis: (x/N)^n for the polynomials, e^{x - shift} for exp. */
static inline double ipow(double x, int n)
{
    double r = 1.0;
    while (n) {
        if (n & 1)
            r *= x;
        x *= x;
        n >>= 1;
    }
    return r;
}

static inline double fscaled(const am_dense *d, double x, double shift)
{
    switch (d->f) {
    case AM_F_POLY: return ipow(x / (double)d->n, d->deg);
    case AM_F_RECTPOLY: return x > 0 ? ipow(x / (double)d->n, d->deg) : 0.0;
    default: return exp(x - shift);
    }
}

/* Recompute C and S from the overlaps: O(K). */
static void refresh(const am_dense *d, am_dense_work *w)
{
    size_t k = d->pats.count;
    double S = 0.0;
    if (d->f == AM_F_EXP) {
        int32_t mx = INT32_MIN;
        for (size_t mu = 0; mu < k; mu++)
            mx = w->m[mu] > mx ? w->m[mu] : mx;
        w->shift = (double)mx;
        /* A - B = e^{m-shift} (2 - e^2 - e^-2), C = e^{m-shift} (e^2 - e^-2). */
        const double cab = 2.0 - exp(2.0) - exp(-2.0), cc = exp(2.0) - exp(-2.0);
        for (size_t mu = 0; mu < k; mu++) {
            double e = exp((double)w->m[mu] - w->shift);
            w->c[mu] = cc * e;
            S += cab * e;
        }
    } else {
        for (size_t mu = 0; mu < k; mu++) {
            double m = (double)w->m[mu];
            double fm2 = fscaled(d, m - 2, 0), f0 = fscaled(d, m, 0), fp2 = fscaled(d, m + 2, 0);
            w->c[mu] = fp2 - fm2;
            S += 2.0 * f0 - fm2 - fp2;
        }
    }
    w->S = S;
}

/* The exact path's C, S and sum of C from the overlaps: O(K) table look-ups. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void refresh_exact(const am_dense *d,
                                                                                      am_dense_work *w)
{
    size_t k = d->pats.count;
    const int32_t *ct = d->ctab + d->n, *m = w->m;
    const int64_t *st = d->stab + d->n;
    int32_t *ci = w->ci;
    int64_t S = 0, csum = 0;
    for (size_t mu = 0; mu < k; mu++) {
        ci[mu] = ct[m[mu]];
        csum += ci[mu];
        S += st[m[mu]];
    }
    w->Si = S, w->csum = csum, w->cfresh = 0;
}

static int8_t decide(const am_dense *d, const am_dense_work *w, size_t i, int8_t cur, double temp, am_rng *rng);

static int exact_on = 1; /* am__dense_exact */
void am__dense_exact(int on) { exact_on = on; }

/* The decision at T = 0 on the exact path: 2 s_i D_i = S + s_i G_i with G_i = 2 (sum of C over xi_i^mu = +1) -
 * sum C; near a tie (tie_bound) the float path's own numbers decide, computed from the overlaps. */
static inline int8_t decide_exact(const am_dense *d, am_dense_work *w, size_t i, int8_t cur)
{
    int64_t g = 2 * (int64_t)am__masked_sum(d->xb + i * d->pw, w->ci, d->pats.count) - w->csum;
    int64_t v = w->Si + cur * g;
    if (fabs((double)v) > d->tie)
        return v < 0 ? (int8_t)-cur : cur;
    if (!w->cfresh)
        refresh(d, w), w->cfresh = 1;
    return decide(d, w, i, cur, 0.0, NULL);
}

/* Unit i has changed to ns: m_mu += 2 ns xi_i^mu, then C and S anew (exact path). */
static void flip_exact(const am_dense *d, am_dense_work *w, size_t i, int8_t ns)
{
    am__masked_update(w->m, d->xb + i * d->pw, d->pats.count, 2 * ns);
    refresh_exact(d, w);
}

/* G_i = sum_mu xi_i^mu c_mu from row i of the transposed bits, in the order of mu (the float path). */
static double dot_bits_f64(const uint64_t *bits, const double *c, size_t k)
{
    double acc = 0.0;
    for (size_t mu = 0; mu < k; mu++)
        acc += (bits[mu >> 6] >> (mu & 63)) & 1 ? c[mu] : -c[mu];
    return acc;
}

static void overlaps(const am_dense *d, const int8_t *s, am_dense_work *w)
{
    am_state_pack(s, d->n, w->pk);
    am__patterns_overlaps(&d->pats, w->pk, w->m);
}

static double energy_from_m(const am_dense *d, const int32_t *m)
{
    size_t k = d->pats.count;
    if (d->f == AM_F_EXP) {
        int32_t mx = INT32_MIN;
        double acc = 0.0;
        if (!k)
            return 0.0;
        for (size_t mu = 0; mu < k; mu++)
            mx = m[mu] > mx ? m[mu] : mx;
        for (size_t mu = 0; mu < k; mu++)
            acc += exp((double)(m[mu] - mx));
        return -((double)mx + log(acc));
    }
    double acc = 0.0;
    for (size_t mu = 0; mu < k; mu++)
        acc += (d->f == AM_F_RECTPOLY && m[mu] <= 0) ? 0.0 : ipow((double)m[mu], d->deg);
    return -acc;
}

void am_dense_work_free(am_dense_work *w)
{
    if (!w)
        return;
    free(w->m), free(w->c), free(w->ci), free(w->order), free(w->snew), free(w->pk);
    free(w);
}

static int work_fit(am_dense_work *w, const am_dense *d)
{
    size_t n = d->n, k = d->pats.count;
    if (w->n != n) {
        free(w->order), free(w->snew), free(w->pk);
        w->order = malloc(n * sizeof(uint32_t));
        w->snew = malloc(n);
        w->pk = malloc(3 * d->pats.words * sizeof(uint64_t));
        w->n = n;
        if (!w->order || !w->snew || !w->pk) {
            w->n = 0;
            return AM_ENOMEM;
        }
    }
    if (w->kcap < k || !w->m) {
        size_t cap = k < 16 ? 16 : k;
        int32_t *m = realloc(w->m, cap * sizeof *m);
        if (m)
            w->m = m;
        double *c = realloc(w->c, cap * sizeof *c);
        if (c)
            w->c = c;
        int32_t *ci = realloc(w->ci, cap * sizeof *ci);
        if (ci)
            w->ci = ci;
        if (!m || !c || !ci)
            return AM_ENOMEM;
        w->kcap = cap;
    }
    return AM_OK;
}

int am_dense_work_create(am_dense_work **out, const am_dense *d)
{
    am_dense_work *w = calloc(1, sizeof *w);
    int rc;
    *out = NULL;
    if (!w)
        return AM_ENOMEM;
    if ((rc = work_fit(w, d))) {
        am_dense_work_free(w);
        return rc;
    }
    *out = w;
    return AM_OK;
}

/* New state of unit i from the current C, S: sign of s_i D_i = (S + s_i G_i)/2, or a Glauber draw. */
static inline int8_t decide(const am_dense *d, const am_dense_work *w, size_t i, int8_t cur, double temp,
                            am_rng *rng)
{
    double g = dot_bits_f64(d->xb + i * d->pw, w->c, d->pats.count);
    double sd = 0.5 * (w->S + cur * g); /* s_i D_i, scaled */
    if (temp > 0.0) {
        double dd = cur * sd; /* D_i, scaled by e^{-shift} or N^{-n} */
        if (dd == 0.0)
            return am_rng_uniform(rng) < 0.5 ? 1 : -1;
        double lscale = d->f == AM_F_EXP ? w->shift : d->deg * log((double)d->n);
        double lx = log(fabs(dd)) + lscale - log(temp); /* log |D_i / T| */
        double x = lx > 700.0 ? INFINITY : exp(lx);
        double pplus = 1.0 / (1.0 + exp(dd > 0 ? -x : x));
        return am_rng_uniform(rng) < pplus ? 1 : -1;
    }
    return sd < 0.0 ? (int8_t)-cur : cur;
}

/* ---- the model as the recall engine sees it (engine.c) ---- */

static void op_load(const void *model, void *work, const int8_t *s)
{
    am_dense_work *w = work;
    overlaps(model, s, w);
    if (w->exact)
        refresh_exact(model, w);
    else
        refresh(model, w);
}

static int8_t op_decide(const void *model, void *work, size_t i, int8_t cur, double temp, am_rng *rng)
{
    am_dense_work *w = work;
    return w->exact ? decide_exact(model, w, i, cur) : decide(model, w, i, cur, temp, rng);
}

static void op_flip(const void *model, void *work, const int8_t *s, size_t i, int8_t ns)
{
    const am_dense *d = model;
    am_dense_work *w = work;
    (void)s;
    if (w->exact) {
        flip_exact(d, w, i, ns);
        return;
    }
    am__masked_update(w->m, d->xb + i * d->pw, d->pats.count, 2 * ns);
    refresh(d, w);
}

static double op_energy(const void *model, void *work, const int8_t *s)
{
    (void)s;
    return energy_from_m(model, ((const am_dense_work *)work)->m);
}

/* The T = 0 sweep with decide and flip inlined. */
static size_t op_fast_sweep(const void *model, void *work, int8_t *s, const uint32_t *order, size_t len)
{
    const am_dense *d = model;
    am_dense_work *w = work;
    size_t k = d->pats.count, changed = 0;
    if (w->exact) {
        for (size_t t = 0; t < len; t++) {
            size_t i = order[t];
            int8_t ns = decide_exact(d, w, i, s[i]);
            if (ns != s[i]) {
                s[i] = ns;
                flip_exact(d, w, i, ns);
                changed++;
            }
        }
        return changed;
    }
    for (size_t t = 0; t < len; t++) {
        size_t i = order[t];
        int8_t ns = decide(d, w, i, s[i], 0.0, NULL);
        if (ns != s[i]) {
            s[i] = ns;
            am__masked_update(w->m, d->xb + i * d->pw, k, 2 * ns);
            refresh(d, w);
            changed++;
        }
    }
    return changed;
}

int am_dense_recall(const am_dense *d, int8_t *s, const am_recall_opts *opts, am_rng *rng, am_dense_work *work,
                    am_recall_info *info)
{
    am_recall_opts o;
    am_recall_info local;
    am_dense_work *w = work;
    int rc;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if ((rc = am__recall_check(opts, &o, rng, s, d->n)) != AM_OK)
        return rc;
    if (d->pats.count == 0)
        return AM_EEMPTY;
    if (!w) {
        if ((rc = am_dense_work_create(&w, d)))
            return rc;
    } else if ((rc = work_fit(w, d))) {
        return rc;
    }
    /* The exact integers decide every update at T = 0 (a Glauber draw wants the float drive). */
    w->exact = exact_on && d->exact && (o.dynamics != AM_DYN_GLAUBER || o.temperature == 0.0);
    am__masked_init();
    am__binary b = {d, w, d->n, op_load, op_decide, op_flip, op_energy, op_fast_sweep, w->order, w->snew, w->pk};
    rc = am__recall_binary(&b, s, &o, rng, info);
    if (w != work)
        am_dense_work_free(w);
    return rc;
}

double am_dense_energy(const am_dense *d, const int8_t *s)
{
    am_dense_work *w = NULL;
    double e;
    if (am_dense_work_create(&w, d))
        return NAN;
    overlaps(d, s, w);
    e = energy_from_m(d, w->m);
    am_dense_work_free(w);
    return e;
}

double am_dense_drive(const am_dense *d, const int8_t *s, size_t i)
{
    am_dense_work *w = NULL;
    double g, r;
    if (i >= d->n || am_dense_work_create(&w, d))
        return NAN;
    overlaps(d, s, w);
    refresh(d, w);
    g = dot_bits_f64(d->xb + i * d->pw, w->c, d->pats.count);
    r = 0.5 * (s[i] * w->S + g); /* D_i = s_i (S + s_i G_i) / 2 */
    am_dense_work_free(w);
    return r;
}

int am_dense_stability(const am_dense *d, size_t *unstable)
{
    return am_dense_stability_range(d, 0, d->pats.count, unstable);
}

int am_dense_stability_range(const am_dense *d, size_t first, size_t count, size_t *unstable)
{
    am_dense_work *w = NULL;
    int8_t *s;
    int rc;
    if (first > d->pats.count || count > d->pats.count - first)
        return AM_EINVAL;
    if ((rc = am_dense_work_create(&w, d)))
        return rc;
    w->exact = exact_on && d->exact;
    am__masked_init();
    s = malloc(d->n);
    if (!s) {
        am_dense_work_free(w);
        return AM_ENOMEM;
    }
    for (size_t nu = first; nu < first + count && !(rc = am_cancel_poll()); nu++) {
        size_t bad = 0;
        am_patterns_get(&d->pats, nu, s);
        op_load(d, w, s);
        for (size_t i = 0; i < d->n; i++)
            bad += op_decide(d, w, i, s[i], 0.0, NULL) != s[i];
        unstable[nu - first] = bad;
    }
    free(s);
    am_dense_work_free(w);
    return rc;
}

static const char dense_magic[8] = {'L', 'I', 'B', 'A', 'M', 'D', 'N', 'S'};
#define DENSE_VERSION 1u

int am_dense_save(const am_dense *d, const char *path)
{
    am__file f;
    int rc = am__wopen(&f, path);
    if (rc)
        return rc;
    am__put(&f, dense_magic, 8);
    am__put_u32(&f, DENSE_VERSION);
    am__put_u32(&f, 0x01020304u);
    am__put_u32(&f, (uint32_t)d->f);
    am__put_u32(&f, (uint32_t)d->deg);
    am__put_u64(&f, d->n);
    am__put_u64(&f, d->pats.count);
    am__put_u64s(&f, d->pats.bits, d->pats.count * d->pats.words);
    return am__wclose(&f);
}

int am_dense_load(am_dense **out, const char *path)
{
    am__file f;
    uint32_t version, fn, deg;
    uint64_t n, k;
    size_t words;
    am_dense *d = NULL;
    am_patterns *tmp = NULL;
    int rc;
    *out = NULL;
    if ((rc = am__ropen(&f, path, dense_magic, DENSE_VERSION, &version)))
        return rc;
    fn = am__get_u32(&f);
    deg = am__get_u32(&f);
    n = am__get_u64(&f);
    k = am__get_u64(&f);
    if (f.err) {
        rc = f.err;
        goto fail;
    }
    if (n == 0 || fn > AM_F_EXP) {
        rc = AM_EFORMAT;
        goto fail;
    }
    if (n > AM_MAX_UNITS || k > INT32_MAX || (fn != AM_F_EXP && (deg < 1 || deg > AM_DENSE_MAX_DEGREE))) {
        rc = AM_ERANGE;
        goto fail;
    }
    words = (size_t)(n / 64 + (n % 64 != 0));
    if ((rc = am__need_items(&f, k, (uint64_t)words * 8)))
        goto fail;
    if ((rc = am_dense_create(&d, (size_t)n, (am_dense_f)fn, (int)deg))) {
        rc = AM_EFORMAT;
        goto fail;
    }
    if ((rc = am_patterns_create(&tmp, (size_t)n, (size_t)k)))
        goto fail;
    am__get_u64s(&f, tmp->bits, (size_t)k * words);
    rc = am__rclose(&f);
    if (rc)
        goto fail_closed;
    if (!am__patterns_tails_ok(tmp)) {
        rc = AM_EFORMAT;
        goto fail_closed;
    }
    if ((rc = am_dense_store(d, tmp)))
        goto fail_closed;
    am_patterns_free(tmp);
    *out = d;
    return AM_OK;
fail:
    am__rabort(&f);
fail_closed:
    am_patterns_free(tmp);
    am_dense_free(d);
    return rc;
}

/* ---- the store type (type.h) ---- */

typedef struct dense_params {
    am_dense_f f;
    int degree;
} dense_params;

static const am_store_param dense_param_list[] = {
    {"F", "F", "separation function: poly, rectpoly or exp", "poly"},
    {"degree", "k", "degree n of F(x) = x^n (poly, rectpoly)", "3"},
};

static void t_defaults(void *p) { *(dense_params *)p = (dense_params){AM_F_POLY, 3}; }

static int t_set(void *p, const char *name, const char *value, char *why, size_t whysize)
{
    dense_params *dp = p;
    long v;
    int k;
    if (!strcmp(name, "F")) {
        if ((k = am__param_word(value, f_names, 3)) < 0)
            return snprintf(why, whysize, "must be poly, rectpoly or exp"), AM_EINVAL;
        dp->f = (am_dense_f)k;
    } else {
        if (am__param_int(value, 1, AM_DENSE_MAX_DEGREE, &v))
            return snprintf(why, whysize, "must be an integer from 1 to %d", AM_DENSE_MAX_DEGREE), AM_EINVAL;
        dp->degree = (int)v;
    }
    return AM_OK;
}

static void t_get(const void *p, const char *name, char *buf, size_t size)
{
    const dense_params *dp = p;
    if (!strcmp(name, "F"))
        snprintf(buf, size, "%s", am_dense_f_name(dp->f));
    else if (dp->f == AM_F_EXP)
        snprintf(buf, size, "%s", ""); /* does not apply */
    else
        snprintf(buf, size, "%d", dp->degree);
}

static void t_label(const void *p, char *buf, size_t size)
{
    const dense_params *dp = p;
    if (dp->f == AM_F_EXP)
        snprintf(buf, size, "exp");
    else
        snprintf(buf, size, "%s%d", am_dense_f_name(dp->f), dp->degree);
}

static int t_check(const void *p, size_t n, char *why, size_t whysize)
{
    const dense_params *dp = p;
    (void)n;
    if ((unsigned)dp->f > AM_F_EXP)
        return snprintf(why, whysize, "unknown F"), AM_EINVAL;
    if (dp->f != AM_F_EXP && (dp->degree < 1 || dp->degree > AM_DENSE_MAX_DEGREE))
        return snprintf(why, whysize, "degree must be from 1 to %d", AM_DENSE_MAX_DEGREE), AM_EINVAL;
    return AM_OK;
}

static int t_create(void **model, size_t n, const void *p)
{
    const dense_params *dp = p;
    return am_dense_create((am_dense **)model, n, dp->f, dp->f == AM_F_EXP ? 1 : dp->degree);
}

static void t_free(void *model) { am_dense_free(model); }
static void t_config(const void *model, void *p)
{
    const am_dense *d = model;
    *(dense_params *)p = (dense_params){d->f, d->f == AM_F_EXP ? 3 : d->deg};
}
static size_t t_n(const void *model) { return am_dense_n(model); }
static size_t t_count(const void *model) { return am_dense_count(model); }
static const am_patterns *t_patterns(const void *model) { return am_dense_patterns(model); }
static int t_add(void *model, const am_patterns *pats, int cyclic)
{
    (void)cyclic;
    return am_dense_store(model, pats);
}
static double t_energy(const void *model, const int8_t *s) { return am_dense_energy(model, s); }
static int t_work_create(void **work, const void *model) { return am_dense_work_create((am_dense_work **)work, model); }
static void t_work_free(void *work) { am_dense_work_free(work); }
static int t_work_fit(void *work, const void *model) { return work_fit(work, model); }
static int t_recall(const void *model, int8_t *s, const am_recall_opts *o, am_rng *rng, void *work,
                    am_recall_info *info)
{
    return am_dense_recall(model, s, o, rng, work, info);
}
static int t_stability(const void *model, size_t first, size_t count, size_t *unstable)
{
    return am_dense_stability_range(model, first, count, unstable);
}
static int t_save(const void *model, const char *path) { return am_dense_save(model, path); }
static int t_load(void **model, const char *path) { return am_dense_load((am_dense **)model, path); }

const am_store_type am__store_dense = {
    .name = "dense",
    .summary = "dense associative memory (Krotov-Hopfield): energy -sum_mu F(xi^mu . s), F = x^n or e^x",
    .magic = {'L', 'I', 'B', 'A', 'M', 'D', 'N', 'S'},
    .id = 1,
    .flags = AM_STORE_SERIAL,
    .params = dense_param_list,
    .nparams = sizeof dense_param_list / sizeof dense_param_list[0],
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
    .save = t_save,
    .load = t_load,
};

am_dense *am_store_dense(am_store *s) { return s && s->type == &am__store_dense ? s->model : NULL; }
