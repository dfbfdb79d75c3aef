/* seq-mixed: MixedNet (Chaudhry et al. 2023, eq. 14): a fast symmetric term holds the current element, a slow
 * asymmetric one on the recent past pushes to the next,
 *     h_i = sum_nu xi_i^nu f(m_i^nu(t)) + lambda sum_mu xi_i^{mu+1} f(mbar_i^mu(t)),
 * nu over every element, mu over those with a successor; m_i^nu = sum_{j != i} xi_j^nu S_j / (N-1) and
 * mbar the same overlap with Sbar(t) = (S(t) + S(t-1) + ... + S(t-tau+1)) / tau, the mean of the last tau
 * states (the paper's Fig. 4 runs: a window of tau, equal weights). f = x^d, or e^{(N-1)(x-1)}. Holds each
 * element about tau steps; tau = 1 is the paper's capacity setting.
 *
 * Everything on one integer axis, tau (N-1) x: the symmetric arguments are y = tau (M - a), a = xi_i^nu S_i,
 * the asymmetric ones y = Mt - xi_i^mu T_i with Mt = sum over the window of the overlaps and T_i = tau Sbar_i
 * (|T_i| <= tau). With g the separation on that axis (am__sep) and E_v, O_v the even and odd parts of g
 * around y with half-width v (seq-dense.c):
 *     sym_i  = sum_nu xi_i^nu E^s_nu - S_i sum_nu O^s_nu                 (E^s, O^s: half-width tau)
 *     asym_i = sum_mu next_i^mu E_v - sgn(T_i) sum_mu next_i^mu xi_i^mu O_v,   v = |T_i|,
 * one product per term and per value of |T_i| present (at most tau/2 + 1), all rows in one pass. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/dense.h"
#include "am/error.h"
#include "seqs.h"

#define TAU_MAX 100
#define LAMBDA_MAX 1e6

typedef struct sm_params {
    int f;         /* 0 poly, 1 exp */
    int degree;    /* poly */
    double lambda; /* weight of the asymmetric term */
    int tau;       /* window of the asymmetric term */
} sm_params;

typedef struct seq_mixed {
    am__seqbase b; /* first */
    sm_params p;
    am__sep sep;
} seq_mixed;

static const char *const sm_f_names[] = {"poly", "exp"};

static int rebuild(void *model)
{
    seq_mixed *mx = model;
    int rc = am__seqrows_build(&mx->b.r, &mx->b.q, AM__ROWS_NXX | AM__ROWS_ALL);
    if (!rc)
        am__sep_init(&mx->sep, mx->p.f, mx->p.degree, (double)mx->p.tau, mx->b.q.pats.count + mx->b.r.k,
                     (double)mx->p.tau * ((double)mx->b.q.pats.n + 1.0));
    mx->b.rows = (size_t)mx->p.tau / 2 + 2;
    return rc;
}

static unsigned memory(const void *model) { return (unsigned)((const seq_mixed *)model)->p.tau - 1; }

/* The overlaps of the current state (m0) and their sum over the window (ms), both count values, and the
 * window's sum T_i of every unit (w->t). */
static void window(const seq_mixed *mx, const int8_t *const *hist, am__seqwork *w, int32_t *m0, int32_t *ms)
{
    const am__seqs *q = &mx->b.q;
    size_t count = q->pats.count, n = q->pats.n;
    int32_t *tmp = ms + count;
    am__seqs_overlaps(q, hist[0], w->pk, m0);
    memcpy(ms, m0, count * sizeof *ms);
    for (size_t i = 0; i < n; i++)
        w->t[i] = hist[0][i];
    for (int r = 1; r < mx->p.tau; r++) {
        am__seqs_overlaps(q, hist[r], w->pk, tmp);
        for (size_t e = 0; e < count; e++)
            ms[e] += tmp[e];
        for (size_t i = 0; i < n; i++)
            w->t[i] += hist[r][i];
    }
}

/* The separation's scale for this state: the largest |y| (poly) or y (exp) of both terms. */
static void scale(const seq_mixed *mx, const int32_t *m0, const int32_t *ms, am__sep *g)
{
    const am__seqrows *r = &mx->b.r;
    int64_t tau = mx->p.tau, top = INT64_MIN;
    for (size_t e = 0; e < r->count; e++) {
        int64_t y = tau * m0[e];
        y = (mx->p.f || y >= 0 ? y : -y) + tau;
        top = y > top ? y : top;
    }
    for (size_t k = 0; k < r->k; k++) {
        int64_t y = ms[r->elem[k]];
        y = (mx->p.f || y >= 0 ? y : -y) + tau;
        top = y > top ? y : top;
    }
    am__sep_state(g, top);
}

static int step(const void *model, const int8_t *const *hist, int8_t *next, void *work)
{
    const seq_mixed *mx = model;
    const am__seqrows *r = &mx->b.r;
    am__seqwork *w = work;
    size_t n = r->n, count = r->count, k = r->k, tau = (size_t)mx->p.tau, rows = 0;
    int32_t *m0 = w->m, *ms = w->m + count;
    int row[TAU_MAX / 2 + 1];
    am__sep g = mx->sep;
    window(mx, hist, w, m0, ms);
    scale(mx, m0, ms, &g);
    for (size_t j = 0; j <= tau / 2; j++)
        row[j] = -1;
    for (size_t i = 0; i < n; i++) /* a row of coefficients for each |T_i| present, in increasing order */
        row[(size_t)abs(w->t[i]) / 2] = 0;
    for (size_t j = 0; j <= tau / 2; j++) {
        if (row[j] < 0)
            continue;
        row[j] = (int)rows;
        for (size_t kk = 0; kk < k; kk++)
            am__sep_parts(&g, ms[r->elem[kk]], (int64_t)(2 * j + tau % 2), &w->c1[rows * k + kk],
                          &w->c2[rows * k + kk]);
        rows++;
    }
    double *es = w->c1 + rows * k, *os = w->c2 + rows * k, osum = 0.0, *hs = w->h1 + rows * n;
    for (size_t e = 0; e < count; e++) {
        am__sep_parts(&g, (int64_t)tau * m0[e], (int64_t)tau, &es[e], &os[e]);
        osum += os[e];
    }
    am__seq_fields(w->h1, w->c1, k, rows, r->nxt, k, n);
    am__seq_fields(w->h2, w->c2, k, rows, r->nxx, k, n);
    am__seq_fields(hs, es, count, 1, r->all, count, n);
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)row[(size_t)abs(w->t[i]) / 2];
        double asym = w->h1[j * n + i] - (w->t[i] < 0 ? -1.0 : 1.0) * w->h2[j * n + i];
        double sym = hs[i] - (double)hist[0][i] * osum;
        next[i] = sym + mx->p.lambda * asym >= 0.0 ? 1 : -1;
    }
    return AM_OK;
}

/* ---- the store type ---- */

static const am_store_param sm_param_list[] = {
    {"F", "F", "separation function of both terms: poly (x^d) or exp (e^{(N-1)(x-1)})", "poly"},
    {"degree", "d", "degree d of f(x) = x^d (poly)", "10"},
    {"lambda", "l", "weight of the asymmetric term (> 1 to move on; 0 < l <= 1e6)", "2.5"},
    {"tau", "t", "states averaged by the asymmetric term: about the steps each element is held (1 to 100)", "5"},
};

static void t_defaults(void *p) { *(sm_params *)p = (sm_params){0, 10, 2.5, 5}; }

static int t_set(void *p, const char *name, const char *value, char *why, size_t whysize)
{
    sm_params *sp = p;
    long v;
    double d;
    int k;
    if (!strcmp(name, "F")) {
        if ((k = am__param_word(value, sm_f_names, 2)) < 0)
            return snprintf(why, whysize, "must be poly or exp"), AM_EINVAL;
        sp->f = k;
    } else if (!strcmp(name, "degree")) {
        if (am__param_int(value, 1, AM_DENSE_MAX_DEGREE, &v))
            return snprintf(why, whysize, "must be an integer from 1 to %d", AM_DENSE_MAX_DEGREE), AM_EINVAL;
        sp->degree = (int)v;
    } else if (!strcmp(name, "lambda")) {
        if (am__param_double(value, 0.0, LAMBDA_MAX, &d) || !(d > 0.0))
            return snprintf(why, whysize, "must be a number in (0, %g]", LAMBDA_MAX), AM_EINVAL;
        sp->lambda = d;
    } else {
        if (am__param_int(value, 1, TAU_MAX, &v))
            return snprintf(why, whysize, "must be an integer from 1 to %d", TAU_MAX), AM_EINVAL;
        sp->tau = (int)v;
    }
    return AM_OK;
}

static void t_get(const void *p, const char *name, char *buf, size_t size)
{
    const sm_params *sp = p;
    if (!strcmp(name, "F"))
        snprintf(buf, size, "%s", sm_f_names[sp->f ? 1 : 0]);
    else if (!strcmp(name, "degree") && sp->f)
        snprintf(buf, size, "%s", ""); /* does not apply */
    else if (!strcmp(name, "degree"))
        snprintf(buf, size, "%d", sp->degree);
    else if (!strcmp(name, "lambda"))
        am__seqs_print_double(buf, size, sp->lambda);
    else
        snprintf(buf, size, "%d", sp->tau);
}

static void t_label(const void *p, char *buf, size_t size)
{
    const sm_params *sp = p;
    if (sp->f)
        snprintf(buf, size, "mixed-exp-tau%d", sp->tau);
    else
        snprintf(buf, size, "mixed-poly%d-tau%d", sp->degree, sp->tau);
}

static int t_check(const void *p, size_t n, char *why, size_t whysize)
{
    const sm_params *sp = p;
    (void)n;
    if (sp->f != 0 && sp->f != 1)
        return snprintf(why, whysize, "F must be poly or exp"), AM_EINVAL;
    if (!sp->f && (sp->degree < 1 || sp->degree > AM_DENSE_MAX_DEGREE))
        return snprintf(why, whysize, "degree must be from 1 to %d", AM_DENSE_MAX_DEGREE), AM_EINVAL;
    if (!(sp->lambda > 0.0 && sp->lambda <= LAMBDA_MAX))
        return snprintf(why, whysize, "lambda must be a number in (0, %g]", LAMBDA_MAX), AM_EINVAL;
    if (sp->tau < 1 || sp->tau > TAU_MAX)
        return snprintf(why, whysize, "tau must be from 1 to %d", TAU_MAX), AM_EINVAL;
    return AM_OK;
}

static int make(void **model, const void *p, am__seqs *q)
{
    sm_params sp = *(const sm_params *)p;
    if (sp.f)
        sp.degree = 10; /* not used by exp: the default, so that the configuration reads back the same */
    return am__seqbase_make(model, sizeof(seq_mixed), offsetof(seq_mixed, p), &sp, sizeof sp, q, rebuild);
}

static int t_create(void **model, size_t n, const void *p)
{
    am__seqs q;
    am__seqs_init(&q, n);
    return make(model, p, &q);
}

static void t_config(const void *model, void *p) { *(sm_params *)p = ((const seq_mixed *)model)->p; }

static int t_add(void *model, const am_patterns *pats, int cyclic)
{
    return am__seqs_add(&((seq_mixed *)model)->b.q, pats, cyclic, rebuild, model);
}

static int t_recall(const void *model, int8_t *s, const am_recall_opts *o, am_rng *rng, void *work,
                    am_recall_info *info)
{
    (void)rng;
    return am__seqs_recall(&am__store_seq_mixed, model, s, o, work, info);
}

static int t_stability(const void *model, size_t first, size_t count, size_t *unstable)
{
    return am__seqs_stability(&am__store_seq_mixed, model, first, count, unstable);
}

static void put_params(am__file *f, const void *model)
{
    const sm_params *sp = &((const seq_mixed *)model)->p;
    am__put_u32(f, (uint32_t)sp->f);
    am__put_u32(f, (uint32_t)sp->degree);
    am__put_f64(f, sp->lambda);
    am__put_u32(f, (uint32_t)sp->tau);
}

static int get_params(am__file *f, void *p)
{
    sm_params *sp = p;
    uint32_t fn = am__get_u32(f), deg = am__get_u32(f);
    double l = am__get_f64(f);
    uint32_t tau = am__get_u32(f);
    if (f->err)
        return f->err;
    if (fn > 1)
        return AM_EFORMAT;
    if ((!fn && (deg < 1 || deg > AM_DENSE_MAX_DEGREE)) || !(l > 0.0 && l <= LAMBDA_MAX) || tau < 1 ||
        tau > TAU_MAX)
        return AM_ERANGE;
    *sp = (sm_params){(int)fn, fn ? 10 : (int)deg, l, (int)tau};
    return AM_OK;
}

static int t_save(const void *model, const char *path)
{
    return am__seqs_save(&am__store_seq_mixed, &((const seq_mixed *)model)->b.q, path, put_params, model);
}

static int t_load(void **model, const char *path)
{
    sm_params p;
    return am__seqs_load(model, &am__store_seq_mixed, path, &p, get_params, make);
}

const am_store_type am__store_seq_mixed = {
    .name = "seq-mixed",
    .summary = "MixedNet: symmetric f(m(t)) holds an element, lambda-weighted asymmetric f(m over the last tau "
               "states) moves on",
    .magic = {'L', 'I', 'B', 'A', 'M', 'S', 'Q', 'M'},
    .id = 5,
    .flags = AM_STORE_SEQUENCE,
    .params = sm_param_list,
    .nparams = sizeof sm_param_list / sizeof sm_param_list[0],
    .defaults = t_defaults,
    .set = t_set,
    .get = t_get,
    .label = t_label,
    .check = t_check,
    .create = t_create,
    .free = am__seqbase_free,
    .config = t_config,
    .n = am__seqbase_n,
    .count = am__seqbase_count,
    .patterns = am__seqbase_patterns,
    .add = t_add,
    .work_create = am__seqbase_work_create,
    .work_free = am__seqwork_free,
    .work_fit = am__seqbase_work_fit,
    .recall = t_recall,
    .stability = t_stability,
    .save = t_save,
    .load = t_load,
    .memory = memory,
    .step = step,
    .step_batch = NULL,
    .sequences = am__seqbase_sequences,
};
