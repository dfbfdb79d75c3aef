/* seq-modern: a modern (softmax) sequence store on +-1 states,
 *     S <- sgn( sum_mu xi^{mu+1} softmax_mu(beta xi^mu . S) ),
 * mu over the elements that have a successor. The dot products are the integers M_mu = xi^mu . S (not
 * divided by N, as in the modern store), so with beta = 1 the element nearest the state outweighs one
 * 2 units farther by e^2; the weights are e^{beta (M_mu - max M)} (the softmax's sum, > 0, does not change a
 * sign). One product with the +-1 successor rows (am__seq_fields) for a state or a batch. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "am/modern.h"
#include "seqs.h"

typedef struct sc_params {
    double beta;
} sc_params;

typedef struct seq_modern {
    am__seqbase b; /* first */
    sc_params p;
} seq_modern;

static int rebuild(void *model)
{
    seq_modern *m = model;
    return am__seqrows_build(&m->b.r, &m->b.q, 0);
}

/* The softmax numerators of one state (k values) from its overlaps m with every element. */
static void weights(const seq_modern *sm, const int32_t *m, double *p)
{
    const am__seqrows *r = &sm->b.r;
    int32_t top = INT32_MIN;
    for (size_t k = 0; k < r->k; k++)
        top = m[r->elem[k]] > top ? m[r->elem[k]] : top;
    for (size_t k = 0; k < r->k; k++)
        p[k] = exp(sm->p.beta * (double)(m[r->elem[k]] - top));
}

static void rows(const void *model, am__seqwork *w, const int8_t *states, size_t nb, int8_t *next)
{
    const seq_modern *sm = model;
    const am__seqrows *r = &sm->b.r;
    size_t n = r->n, k = r->k;
    (void)states;
    for (size_t b = 0; b < nb; b++)
        weights(sm, w->m + b * r->count, w->c1 + b * k);
    am__seq_fields(w->h1, w->c1, k, nb, r->nxt, k, n);
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

static const am_store_param sc_param_list[] = {
    {"beta", "b", "inverse temperature on the dot products xi . S (0 < b <= 1e30)", "1"},
};

static void t_defaults(void *p) { ((sc_params *)p)->beta = 1.0; }

static int t_set(void *p, const char *name, const char *value, char *why, size_t whysize)
{
    double b;
    (void)name;
    if (am__param_double(value, 0.0, AM_MODERN_MAX_BETA, &b) || !(b > 0.0))
        return snprintf(why, whysize, "must be a number in (0, %g]", AM_MODERN_MAX_BETA), AM_EINVAL;
    ((sc_params *)p)->beta = b;
    return AM_OK;
}

static void t_get(const void *p, const char *name, char *buf, size_t size)
{
    (void)name;
    am__seqs_print_double(buf, size, ((const sc_params *)p)->beta);
}

static void t_label(const void *p, char *buf, size_t size)
{
    snprintf(buf, size, "beta%g", ((const sc_params *)p)->beta);
}

static int t_check(const void *p, size_t n, char *why, size_t whysize)
{
    double b = ((const sc_params *)p)->beta;
    (void)n;
    if (!(b > 0.0 && b <= AM_MODERN_MAX_BETA))
        return snprintf(why, whysize, "beta must be a number in (0, %g]", AM_MODERN_MAX_BETA), AM_EINVAL;
    return AM_OK;
}

static int make(void **model, const void *p, am__seqs *q)
{
    return am__seqbase_make(model, sizeof(seq_modern), offsetof(seq_modern, p), p, sizeof(sc_params), q, rebuild);
}

static int t_create(void **model, size_t n, const void *p)
{
    am__seqs q;
    am__seqs_init(&q, n);
    return make(model, p, &q);
}

static void t_config(const void *model, void *p) { *(sc_params *)p = ((const seq_modern *)model)->p; }

static int t_add(void *model, const am_patterns *pats, int cyclic)
{
    return am__seqs_add(&((seq_modern *)model)->b.q, pats, cyclic, rebuild, model);
}

static int t_recall(const void *model, int8_t *s, const am_recall_opts *o, am_rng *rng, void *work,
                    am_recall_info *info)
{
    (void)rng;
    return am__seqs_recall(&am__store_seq_modern, model, s, o, work, info);
}

static int t_stability(const void *model, size_t first, size_t count, size_t *unstable)
{
    return am__seqs_stability(&am__store_seq_modern, model, first, count, unstable);
}

static void put_params(am__file *f, const void *model) { am__put_f64(f, ((const seq_modern *)model)->p.beta); }

static int get_params(am__file *f, void *p)
{
    double b = am__get_f64(f);
    if (f->err)
        return f->err;
    if (!(b > 0.0 && b <= AM_MODERN_MAX_BETA))
        return AM_ERANGE;
    ((sc_params *)p)->beta = b;
    return AM_OK;
}

static int t_save(const void *model, const char *path)
{
    return am__seqs_save(&am__store_seq_modern, &((const seq_modern *)model)->b.q, path, put_params, model);
}

static int t_load(void **model, const char *path)
{
    sc_params p;
    return am__seqs_load(model, &am__store_seq_modern, path, &p, get_params, make);
}

const am_store_type am__store_seq_modern = {
    .name = "seq-modern",
    .summary = "modern sequence store: S <- sgn(sum_mu xi^{mu+1} softmax_mu(beta xi^mu . S))",
    .magic = {'L', 'I', 'B', 'A', 'M', 'S', 'Q', 'C'},
    .id = 7,
    .flags = AM_STORE_SEQUENCE,
    .params = sc_param_list,
    .nparams = sizeof sc_param_list / sizeof sc_param_list[0],
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
