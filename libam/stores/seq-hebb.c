/* seq-hebb: the asymmetric Hebbian sequence network ("SeqNet"; with lambda > 0 the synchronous temporal
 * association network of Sompolinsky & Kanter),
 *     h = sum_mu xi^{mu+1} (xi^mu . S) / N  +  lambda sum_nu xi^nu (xi^nu . S) / N,
 * mu over the elements that have a successor, nu over every element. No N x N matrix: the overlaps
 * M = xi . S by popcount, then the fields as two products with the +-1 rows (am__seq_fields). Every sum is
 * an integer, exact in a double, so h = A + lambda B has the same bits for a step alone or in a batch. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "seqs.h"

#define LAMBDA_MAX 1e6

typedef struct sh_params {
    double lambda;
} sh_params;

typedef struct seq_hebb {
    am__seqbase b; /* first */
    sh_params p;
} seq_hebb;

static int rebuild(void *model)
{
    seq_hebb *h = model;
    return am__seqrows_build(&h->b.r, &h->b.q, h->p.lambda != 0.0 ? AM__ROWS_ALL : 0);
}

/* The coefficients of one state from its overlaps m with every element: c1 (k: the elements with a
 * successor), c2 (count: every element, when lambda != 0). */
static void coefficients(const seq_hebb *h, const int32_t *m, double *c1, double *c2)
{
    const am__seqrows *r = &h->b.r;
    for (size_t k = 0; k < r->k; k++)
        c1[k] = (double)m[r->elem[k]];
    for (size_t e = 0; h->p.lambda != 0.0 && e < r->count; e++)
        c2[e] = (double)m[e];
}

static void rows(const void *model, am__seqwork *w, const int8_t *states, size_t nb, int8_t *next)
{
    const seq_hebb *h = model;
    const am__seqrows *r = &h->b.r;
    size_t n = r->n, k = r->k, count = r->count;
    (void)states;
    for (size_t b = 0; b < nb; b++)
        coefficients(h, w->m + b * count, w->c1 + b * k, w->c2 + b * count);
    am__seq_fields(w->h1, w->c1, k, nb, r->nxt, k, n);
    if (h->p.lambda != 0.0) {
        am__seq_fields(w->h2, w->c2, count, nb, r->all, count, n);
        for (size_t j = 0; j < nb * n; j++)
            w->h1[j] += h->p.lambda * w->h2[j];
    }
    am__seq_signs(w->h1, next, nb * n);
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

static const am_store_param sh_param_list[] = {
    {"lambda", "l", "weight of the symmetric term sum xi^mu xi^mu^T / N (0: plain SeqNet; 0 <= l <= 1e6)", "0"},
};

static void t_defaults(void *p) { ((sh_params *)p)->lambda = 0.0; }

static int t_set(void *p, const char *name, const char *value, char *why, size_t whysize)
{
    double v;
    (void)name;
    if (am__param_double(value, 0.0, LAMBDA_MAX, &v))
        return snprintf(why, whysize, "must be a number from 0 to %g", LAMBDA_MAX), AM_EINVAL;
    ((sh_params *)p)->lambda = v;
    return AM_OK;
}

static void t_get(const void *p, const char *name, char *buf, size_t size)
{
    (void)name;
    am__seqs_print_double(buf, size, ((const sh_params *)p)->lambda);
}

static void t_label(const void *p, char *buf, size_t size)
{
    double l = ((const sh_params *)p)->lambda;
    if (l == 0.0)
        snprintf(buf, size, "seqnet");
    else
        snprintf(buf, size, "tan%g", l);
}

static int t_check(const void *p, size_t n, char *why, size_t whysize)
{
    double l = ((const sh_params *)p)->lambda;
    (void)n;
    if (!(l >= 0.0 && l <= LAMBDA_MAX))
        return snprintf(why, whysize, "lambda must be a number from 0 to %g", LAMBDA_MAX), AM_EINVAL;
    return AM_OK;
}

static int make(void **model, const void *p, am__seqs *q)
{
    return am__seqbase_make(model, sizeof(seq_hebb), offsetof(seq_hebb, p), p, sizeof(sh_params), q, rebuild);
}

static int t_create(void **model, size_t n, const void *p)
{
    am__seqs q;
    am__seqs_init(&q, n);
    return make(model, p, &q);
}

static void t_config(const void *model, void *p) { *(sh_params *)p = ((const seq_hebb *)model)->p; }

static int t_add(void *model, const am_patterns *pats, int cyclic)
{
    return am__seqs_add(&((seq_hebb *)model)->b.q, pats, cyclic, rebuild, model);
}

static int t_recall(const void *model, int8_t *s, const am_recall_opts *o, am_rng *rng, void *work,
                    am_recall_info *info)
{
    (void)rng;
    return am__seqs_recall(&am__store_seq_hebb, model, s, o, work, info);
}

static int t_stability(const void *model, size_t first, size_t count, size_t *unstable)
{
    return am__seqs_stability(&am__store_seq_hebb, model, first, count, unstable);
}

static void put_params(am__file *f, const void *model) { am__put_f64(f, ((const seq_hebb *)model)->p.lambda); }

static int get_params(am__file *f, void *p)
{
    double l = am__get_f64(f);
    if (f->err)
        return f->err;
    if (!(l >= 0.0 && l <= LAMBDA_MAX))
        return AM_ERANGE;
    ((sh_params *)p)->lambda = l;
    return AM_OK;
}

static int t_save(const void *model, const char *path)
{
    return am__seqs_save(&am__store_seq_hebb, &((const seq_hebb *)model)->b.q, path, put_params, model);
}

static int t_load(void **model, const char *path)
{
    sh_params p;
    return am__seqs_load(model, &am__store_seq_hebb, path, &p, get_params, make);
}

const am_store_type am__store_seq_hebb = {
    .name = "seq-hebb",
    .summary = "asymmetric Hebbian sequence network (SeqNet): J = sum_mu xi^{mu+1} xi^mu^T / N, + lambda symmetric",
    .magic = {'L', 'I', 'B', 'A', 'M', 'S', 'Q', 'H'},
    .id = 3,
    .flags = AM_STORE_SEQUENCE,
    .params = sh_param_list,
    .nparams = sizeof sh_param_list / sizeof sh_param_list[0],
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
