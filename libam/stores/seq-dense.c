/* seq-dense: dense sequence memory (Chaudhry et al. 2023, "DenseNet"),
 *     h_i = sum_mu xi_i^{mu+1} f( sum_{j != i} xi_j^mu S_j / (N - 1) ),  f(x) = x^d or e^{(N-1)(x-1)},
 * the sum over the elements that have a successor.
 *
 * With M_mu = xi^mu . S the overlap excluding unit i is M_mu - a, a = xi_i^mu S_i = +-1, and
 * f's argument scaled by N - 1 splits into even and odd parts: g(M - a) = E_mu - a O_mu with
 * E = (g(M+1) + g(M-1))/2, O = (g(M+1) - g(M-1))/2, so that
 *     h_i = sum_mu next_i^mu E_mu - S_i sum_mu next_i^mu xi_i^mu O_mu:
 * two products with fixed +-1 rows, for one state or a batch (am__seq_fields). The polynomial fields are
 * integers, exact while they fit a double's 53 bits (ties sgn(0) = +1 decided exactly); beyond, and for exp,
 * scaled per state (am__sep). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/dense.h"
#include "am/error.h"
#include "seqs.h"

typedef struct sd_params {
    int f;      /* 0 poly, 1 exp */
    int degree; /* poly */
} sd_params;

typedef struct seq_dense {
    am__seqbase b; /* first */
    sd_params p;
    am__sep sep;   /* the state-independent part */
} seq_dense;

static const char *const sd_f_names[] = {"poly", "exp"};

static int rebuild(void *model)
{
    seq_dense *d = model;
    int rc = am__seqrows_build(&d->b.r, &d->b.q, AM__ROWS_NXX);
    if (!rc)
        am__sep_init(&d->sep, d->p.f, d->p.degree, 1.0, d->b.r.k, (double)d->b.q.pats.n + 1.0);
    if (!rc && d->sep.exact) /* exact integer fields: the batched steps may go through dgemm */
        am__seqrows_doubles(&d->b.r, (size_t)1 << 26); /* 64 MB: rebuilt on every add */
    return rc;
}

/* E and O (k values each) from the overlaps m of one state with every element. */
static void coefficients(const seq_dense *d, const int32_t *m, double *e, double *o)
{
    const am__seqrows *r = &d->b.r;
    am__sep g = d->sep;
    int64_t top = 1;
    for (size_t k = 0; k < r->k; k++) {
        int64_t y = m[r->elem[k]], v = d->p.f ? y + 1 : (y < 0 ? -y : y) + 1;
        top = k == 0 || v > top ? v : top;
    }
    am__sep_state(&g, top);
    for (size_t k = 0; k < r->k; k++)
        am__sep_parts(&g, m[r->elem[k]], 1, &e[k], &o[k]);
}

/* next_i = sgn(h1_i - s_i h2_i), s: the state (in), next may be s. */
static void decide(const double *h1, const double *h2, const int8_t *s, int8_t *next, size_t n)
{
    for (size_t i = 0; i < n; i++)
        next[i] = h1[i] - (double)s[i] * h2[i] >= 0.0 ? 1 : -1;
}

static void rows(const void *model, am__seqwork *w, const int8_t *states, size_t nb, int8_t *next)
{
    const seq_dense *d = model;
    const am__seqrows *r = &d->b.r;
    size_t n = r->n, k = r->k;
    for (size_t b = 0; b < nb; b++)
        coefficients(d, w->m + b * r->count, w->c1 + b * k, w->c2 + b * k);
    if (r->nxt_d && nb >= 4) { /* exact integer fields through dgemm (seqs.h: the same bits in any order) */
        am__seq_fields_exact(w->h1, w->c1, k, nb, r->nxt_d, k, n);
        am__seq_fields_exact(w->h2, w->c2, k, nb, r->nxx_d, k, n);
    } else {
        am__seq_fields(w->h1, w->c1, k, nb, r->nxt, k, n);
        am__seq_fields(w->h2, w->c2, k, nb, r->nxx, k, n);
    }
    for (size_t b = 0; b < nb; b++)
        decide(w->h1 + b * n, w->h2 + b * n, states + b * n, next + b * n, n);
}

static int step(const void *model, const int8_t *const *hist, int8_t *next, void *work)
{
    return am__seqs_step(model, hist[0], next, work, rows);
}

static int step_batch(const void *model, size_t first, size_t count, int8_t *next, void *work)
{
    return am__seqs_step_batch(model, first, count, next, work, rows);
}

/* ---- the store type ---- */

static const am_store_param sd_param_list[] = {
    {"F", "F", "separation function: poly (x^d) or exp (e^{(N-1)(x-1)})", "poly"},
    {"degree", "d", "degree d of f(x) = x^d (poly)", "2"},
};

static void t_defaults(void *p) { *(sd_params *)p = (sd_params){0, 2}; }

static int t_set(void *p, const char *name, const char *value, char *why, size_t whysize)
{
    sd_params *sp = p;
    long v;
    int k;
    if (!strcmp(name, "F")) {
        if ((k = am__param_word(value, sd_f_names, 2)) < 0)
            return snprintf(why, whysize, "must be poly or exp"), AM_EINVAL;
        sp->f = k;
    } else {
        if (am__param_int(value, 1, AM_DENSE_MAX_DEGREE, &v))
            return snprintf(why, whysize, "must be an integer from 1 to %d", AM_DENSE_MAX_DEGREE), AM_EINVAL;
        sp->degree = (int)v;
    }
    return AM_OK;
}

static void t_get(const void *p, const char *name, char *buf, size_t size)
{
    const sd_params *sp = p;
    if (!strcmp(name, "F"))
        snprintf(buf, size, "%s", sd_f_names[sp->f ? 1 : 0]);
    else if (sp->f)
        snprintf(buf, size, "%s", ""); /* does not apply */
    else
        snprintf(buf, size, "%d", sp->degree);
}

static void t_label(const void *p, char *buf, size_t size)
{
    const sd_params *sp = p;
    if (sp->f)
        snprintf(buf, size, "exp");
    else
        snprintf(buf, size, "poly%d", sp->degree);
}

static int t_check(const void *p, size_t n, char *why, size_t whysize)
{
    const sd_params *sp = p;
    (void)n;
    if (sp->f != 0 && sp->f != 1)
        return snprintf(why, whysize, "F must be poly or exp"), AM_EINVAL;
    if (!sp->f && (sp->degree < 1 || sp->degree > AM_DENSE_MAX_DEGREE))
        return snprintf(why, whysize, "degree must be from 1 to %d", AM_DENSE_MAX_DEGREE), AM_EINVAL;
    return AM_OK;
}

/* The model of parameters p holding the sequences q (taken over, also on failure). */
static int make(void **model, const void *p, am__seqs *q)
{
    sd_params sp = *(const sd_params *)p;
    if (sp.f)
        sp.degree = 2; /* not used by exp: the default, so that the configuration reads back the same */
    return am__seqbase_make(model, sizeof(seq_dense), offsetof(seq_dense, p), &sp, sizeof sp, q, rebuild);
}

static int t_create(void **model, size_t n, const void *p)
{
    am__seqs q;
    am__seqs_init(&q, n);
    return make(model, p, &q);
}

static void t_config(const void *model, void *p) { *(sd_params *)p = ((const seq_dense *)model)->p; }

static int t_add(void *model, const am_patterns *pats, int cyclic)
{
    return am__seqs_add(&((seq_dense *)model)->b.q, pats, cyclic, rebuild, model);
}

static int t_recall(const void *model, int8_t *s, const am_recall_opts *o, am_rng *rng, void *work,
                    am_recall_info *info)
{
    (void)rng;
    return am__seqs_recall(&am__store_seq_dense, model, s, o, work, info);
}

static int t_stability(const void *model, size_t first, size_t count, size_t *unstable)
{
    return am__seqs_stability(&am__store_seq_dense, model, first, count, unstable);
}

static void put_params(am__file *f, const void *model)
{
    const seq_dense *d = model;
    am__put_u32(f, (uint32_t)d->p.f);
    am__put_u32(f, (uint32_t)d->p.degree);
}

static int get_params(am__file *f, void *p)
{
    sd_params *sp = p;
    uint32_t fn = am__get_u32(f), deg = am__get_u32(f);
    if (f->err)
        return f->err;
    if (fn > 1)
        return AM_EFORMAT;
    if (!fn && (deg < 1 || deg > AM_DENSE_MAX_DEGREE))
        return AM_ERANGE;
    sp->f = (int)fn;
    sp->degree = fn ? 2 : (int)deg;
    return AM_OK;
}

static int t_save(const void *model, const char *path)
{
    return am__seqs_save(&am__store_seq_dense, &((const seq_dense *)model)->b.q, path, put_params, model);
}

static int t_load(void **model, const char *path)
{
    sd_params p;
    return am__seqs_load(model, &am__store_seq_dense, path, &p, get_params, make);
}

const am_store_type am__store_seq_dense = {
    .name = "seq-dense",
    .summary = "dense sequence memory (DenseNet): h = sum_mu xi^{mu+1} f(m^mu), f = x^d or exp, no self-coupling",
    .magic = {'L', 'I', 'B', 'A', 'M', 'S', 'Q', 'D'},
    .id = 4,
    .flags = AM_STORE_SEQUENCE,
    .params = sd_param_list,
    .nparams = sizeof sd_param_list / sizeof sd_param_list[0],
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
    .memory = am__seqbase_memory,
    .step = step,
    .step_batch = step_batch,
    .sequences = am__seqbase_sequences,
};
