/* Dense associative memory: polynomial, rectified polynomial and exponential separation functions. */
#include "am/dense.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "../core/cancel_internal.h"
#include "../core/io.h"
#include "../core/patterns_internal.h"
#include "internal.h"

struct am_dense {
    size_t n;
    am_dense_f f;
    int deg;
    am_patterns pats; /* pats.bits has room for cap patterns */
    size_t cap;
    int8_t *xt;       /* n x K transposed patterns */
};

/* Per-recall state. With m the overlaps, A_mu = D(m_mu - 1), B_mu = D(m_mu + 1), D(r) = F(r+1) - F(r-1),
 * the drive of unit i satisfies s_i D_i = (S + s_i G_i) / 2 with S = sum (A - B), G_i = sum_mu xi_i^mu C_mu,
 * C = A + B. (Derivation: r_mu = m_mu - xi_i^mu s_i is m - 1 where xi_i^mu = s_i and m + 1 elsewhere.) */
struct am_dense_work {
    size_t n, kcap;
    int32_t *m;
    double *c;
    double S;
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
    *out = d;
    return AM_OK;
}

void am_dense_free(am_dense *d)
{
    if (!d)
        return;
    free(d->pats.bits);
    free(d->xt);
    free(d);
}

size_t am_dense_n(const am_dense *d) { return d->n; }
size_t am_dense_count(const am_dense *d) { return d->pats.count; }
am_dense_f am_dense_function(const am_dense *d) { return d->f; }
int am_dense_degree(const am_dense *d) { return d->deg; }
const am_patterns *am_dense_patterns(const am_dense *d) { return &d->pats; }

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
    rc = am__patterns_transposed(&d->pats, &d->xt);
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

__attribute__((target_clones("avx512f", "avx2", "default"))) static double dot_i8_f64(const int8_t *restrict x,
                                                                                     const double *restrict c,
                                                                                     size_t k)
{
    double acc = 0.0;
    for (size_t mu = 0; mu < k; mu++)
        acc += (double)x[mu] * c[mu];
    return acc;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) static void axpy_i8_i32_d(int32_t *restrict m,
                                                                                      const int8_t *restrict x,
                                                                                      int32_t a, size_t k)
{
    for (size_t mu = 0; mu < k; mu++)
        m[mu] += a * x[mu];
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
    free(w->m), free(w->c), free(w->order), free(w->snew), free(w->pk);
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
        if (!m || !c)
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
    double g = dot_i8_f64(d->xt + i * d->pats.count, w->c, d->pats.count);
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

static int run_serial(const am_dense *d, int8_t *s, const am_recall_opts *o, am_rng *rng, am_dense_work *w,
                      am_recall_info *info)
{
    size_t n = d->n, k = d->pats.count;
    double temp = o->dynamics == AM_DYN_GLAUBER ? o->temperature : 0.0;
    int rc;
    for (size_t i = 0; i < n; i++)
        w->order[i] = (uint32_t)i;
    overlaps(d, s, w);
    refresh(d, w);
    am__trace_push(o, info, energy_from_m(d, w->m));
    info->end = AM_END_MAXSTEPS;
    uint64_t visits = 0;
    if (o->monitor)
        am__monitor(o, 0, 0, SIZE_MAX, n, s, NULL, energy_from_m(d, w->m));
    while (info->steps < o->max_steps) {
        size_t changed = 0;
        if (o->order == AM_ORDER_RANDOM)
            am_rng_shuffle_u32(rng, w->order, n);
        for (size_t t = 0; t < n; t++) {
            if (t % AM__POLL_UNITS == 0 && (rc = am_cancel_poll()))
                return rc;
            size_t i = w->order[t];
            int8_t ns = decide(d, w, i, s[i], temp, rng);
            if (ns != s[i]) {
                s[i] = ns;
                axpy_i8_i32_d(w->m, d->xt + i * k, 2 * ns, k);
                refresh(d, w);
                changed++;
            }
            visits++;
            if (o->monitor && o->monitor_every && visits % o->monitor_every == 0)
                am__monitor(o, info->steps, visits, i, n, s, NULL, energy_from_m(d, w->m));
        }
        info->steps++;
        info->flips += changed;
        if (o->trace)
            am__trace_push(o, info, energy_from_m(d, w->m));
        if (o->monitor)
            am__monitor(o, info->steps, visits, SIZE_MAX, n, s, NULL, energy_from_m(d, w->m));
        if (changed == 0 && temp == 0.0) {
            info->end = AM_END_FIXED;
            break;
        }
    }
    return AM_OK;
}

static int run_sync(const am_dense *d, int8_t *s, const am_recall_opts *o, am_dense_work *w, am_recall_info *info)
{
    size_t n = d->n, words = d->pats.words;
    uint64_t *cur = w->pk, *prev = w->pk + words, *next = w->pk + 2 * words;
    int have_prev = 0, rc = AM_OK;
    info->end = AM_END_MAXSTEPS;
    if (o->monitor)
        am__monitor(o, 0, 0, SIZE_MAX, n, s, NULL, am_dense_energy(d, s));
    while (info->steps < o->max_steps) {
        size_t changed = 0;
        if ((rc = am_cancel_poll()))
            break;
        overlaps(d, s, w); /* packs s into cur */
        refresh(d, w);
        if (info->steps == 0)
            am__trace_push(o, info, energy_from_m(d, w->m));
        for (size_t i = 0; i < n; i++) {
            w->snew[i] = decide(d, w, i, s[i], 0.0, NULL);
            changed += w->snew[i] != s[i];
        }
        info->steps++;
        if (changed == 0) {
            am__trace_push(o, info, energy_from_m(d, w->m));
            if (o->monitor)
                am__monitor(o, info->steps, (uint64_t)info->steps * n, SIZE_MAX, n, s, NULL, am_dense_energy(d, s));
            info->end = AM_END_FIXED;
            break;
        }
        memcpy(s, w->snew, n);
        info->flips += changed;
        am_state_pack(s, n, next);
        int cycle = have_prev && !memcmp(next, prev, words * sizeof(uint64_t));
        memcpy(prev, cur, words * sizeof(uint64_t)); /* cur was packed by overlaps() at the top */
        have_prev = 1;
        if (o->trace) {
            overlaps(d, s, w); /* repacks cur: only after it was saved */
            am__trace_push(o, info, energy_from_m(d, w->m));
        }
        if (o->monitor)
            am__monitor(o, info->steps, (uint64_t)info->steps * n, SIZE_MAX, n, s, NULL, am_dense_energy(d, s));
        if (cycle) {
            info->end = AM_END_CYCLE;
            break;
        }
    }
    overlaps(d, s, w);
    return rc;
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
    if (o.dynamics == AM_DYN_SYNC)
        rc = run_sync(d, s, &o, w, info);
    else
        rc = run_serial(d, s, &o, rng, w, info);
    if (rc) /* cancelled part of the way through a sweep: the overlaps of the state reached */
        overlaps(d, s, w);
    info->energy = energy_from_m(d, w->m);
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
    g = dot_i8_f64(d->xt + i * d->pats.count, w->c, d->pats.count);
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
    s = malloc(d->n);
    if (!s) {
        am_dense_work_free(w);
        return AM_ENOMEM;
    }
    for (size_t nu = first; nu < first + count && !(rc = am_cancel_poll()); nu++) {
        size_t bad = 0;
        am_patterns_get(&d->pats, nu, s);
        overlaps(d, s, w);
        refresh(d, w);
        for (size_t i = 0; i < d->n; i++)
            bad += decide(d, w, i, s[i], 0.0, NULL) != s[i];
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
