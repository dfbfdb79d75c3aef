/* seq-pinv: the pseudo-inverse sequence rule (Kanter & Sompolinsky; the linear case of Chaudhry et al.'s
 * generalised pseudo-inverse),
 *     J = sum_{mu,nu} xi^{mu+1} (C^-1)_{mu nu} xi^nu^T / N,   C_{mu nu} = xi^mu . xi^nu / N,
 * mu, nu over the elements that have a successor: J xi^nu = xi^{nu+1} exactly for linearly independent
 * elements, however correlated. Fields h = Next^T (C^-1 M), M = X S (integers, by popcount): two products,
 * y = G M with G = C^-1 (k x k) and h from the successor rows.
 *
 * G is computed here, not by LAPACK, so that it has the same bits under any BLAS and thread count: pivoted
 * Cholesky (am__dchol_pivoted: largest remaining diagonal first, ties to the lower index) of C, stopping at
 * pivots below 1e-9 (C's diagonal is 1); G is the inverse over the elements pivoted before that, 0 elsewhere. When C is
 * invertible that is C^-1; when it is singular (more elements than units, or repeated or dependent
 * elements) the rule holds for a maximal independent subset of them. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/linalg.h"
#include "../core/patterns_internal.h"
#include "am/error.h"
#include "seqs.h"

#define PIVOT_TOL 1e-9

typedef struct sp_params {
    int unused; /* no parameters */
} sp_params;

typedef struct seq_pinv {
    am__seqbase b; /* first */
    sp_params p;
    double *g;     /* k x k: C^-1 over the pivoted elements, 0 elsewhere */
} seq_pinv;

/* C (k x k, out) of the elements with a successor. */
static int gram(const am__seqs *q, const am__seqrows *r, double *c)
{
    int32_t *m = malloc((q->pats.count ? q->pats.count : 1) * sizeof *m);
    if (!m)
        return AM_ENOMEM;
    for (size_t a = 0; a < r->k; a++) {
        am__patterns_overlaps(&q->pats, q->pats.bits + r->elem[a] * q->pats.words, m);
        for (size_t b = 0; b < r->k; b++)
            c[a * r->k + b] = (double)m[r->elem[b]] / (double)q->pats.n;
    }
    free(m);
    return AM_OK;
}

/* G (k x k, out) = (L L^T)^-1 on the pivots, 0 elsewhere, from L in a (rank x rank, leading dimension k). */
static int inverse(const double *a, size_t k, size_t rank, const size_t *perm, double *g)
{
    /* L^-1 (lower triangular), by forward substitution per column. */
    double *inv = calloc(rank ? rank * rank : 1, sizeof *inv);
    if (!inv)
        return AM_ENOMEM;
    memset(g, 0, k * k * sizeof *g);
    for (size_t c = 0; c < rank; c++)
        for (size_t i = c; i < rank; i++) {
            double s = i == c ? 1.0 : 0.0;
            for (size_t l = c; l < i; l++)
                s -= a[i * k + l] * inv[l * rank + c];
            inv[i * rank + c] = s / a[i * k + i];
        }
    for (size_t x = 0; x < rank; x++) /* (L^-T L^-1)[x][y] = sum_{i >= max(x,y)} inv[i][x] inv[i][y] */
        for (size_t y = 0; y <= x; y++) {
            double s = 0.0;
            for (size_t i = x; i < rank; i++)
                s += inv[i * rank + x] * inv[i * rank + y];
            g[perm[x] * k + perm[y]] = s;
            g[perm[y] * k + perm[x]] = s;
        }
    free(inv);
    return AM_OK;
}

static int rebuild(void *model)
{
    seq_pinv *sp = model;
    am__seqrows r = {0};
    size_t k, kk, *perm = NULL;
    double *c = NULL, *g = NULL;
    int rc = am__seqrows_build(&r, &sp->b.q, 0);
    if (rc)
        return rc;
    k = r.k;
    if (am_size_mul(k ? k : 1, k ? k : 1, &kk) || kk > SIZE_MAX / sizeof(double)) {
        rc = AM_EOVERFLOW;
        goto done;
    }
    c = malloc(kk * sizeof *c);
    g = malloc(kk * sizeof *g);
    perm = malloc((k ? k : 1) * sizeof *perm);
    if (!c || !g || !perm) {
        rc = AM_ENOMEM;
        goto done;
    }
    if ((rc = gram(&sp->b.q, &r, c)))
        goto done;
    if ((rc = inverse(c, k, am__dchol_pivoted(c, k, PIVOT_TOL, perm), perm, g)))
        goto done;
    am__seqrows_free(&sp->b.r);
    sp->b.r = r;
    memset(&r, 0, sizeof r);
    free(sp->g);
    sp->g = g;
    g = NULL;
done:
    am__seqrows_free(&r);
    free(c), free(g), free(perm);
    return rc;
}

/* Fields h = Next^T (G M): the overlaps with the elements that have a successor as doubles (c1), y = G M
 * (c2), then the successor rows. */
static void rows(const void *model, am__seqwork *w, const int8_t *states, size_t nb, int8_t *next)
{
    const seq_pinv *sp = model;
    const am__seqrows *r = &sp->b.r;
    size_t n = r->n, k = r->k;
    (void)states;
    for (size_t b = 0; b < nb; b++)
        for (size_t kk = 0; kk < k; kk++)
            w->c1[b * k + kk] = (double)w->m[b * r->count + r->elem[kk]];
    am__seq_fields_d(w->c2, w->c1, k, nb, sp->g, k, k);
    am__seq_fields(w->h1, w->c2, k, nb, r->nxt, k, n);
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

static void t_defaults(void *p) { ((sp_params *)p)->unused = 0; }

static int t_set(void *p, const char *name, const char *value, char *why, size_t whysize)
{
    (void)p, (void)name, (void)value;
    snprintf(why, whysize, "seq-pinv has no parameters");
    return AM_EUNSUPPORTED;
}

static void t_get(const void *p, const char *name, char *buf, size_t size)
{
    (void)p, (void)name;
    snprintf(buf, size, "%s", "");
}

static void t_label(const void *p, char *buf, size_t size)
{
    (void)p;
    snprintf(buf, size, "pinv");
}

static int t_check(const void *p, size_t n, char *why, size_t whysize)
{
    (void)p, (void)n, (void)why, (void)whysize;
    return AM_OK;
}

static int make(void **model, const void *p, am__seqs *q)
{
    return am__seqbase_make(model, sizeof(seq_pinv), offsetof(seq_pinv, p), p, sizeof(sp_params), q, rebuild);
}

static int t_create(void **model, size_t n, const void *p)
{
    am__seqs q;
    am__seqs_init(&q, n);
    return make(model, p, &q);
}

static void t_free(void *model)
{
    if (model)
        free(((seq_pinv *)model)->g);
    am__seqbase_free(model);
}

static void t_config(const void *model, void *p) { *(sp_params *)p = ((const seq_pinv *)model)->p; }

static int t_add(void *model, const am_patterns *pats, int cyclic)
{
    return am__seqs_add(&((seq_pinv *)model)->b.q, pats, cyclic, rebuild, model);
}

static int t_recall(const void *model, int8_t *s, const am_recall_opts *o, am_rng *rng, void *work,
                    am_recall_info *info)
{
    (void)rng;
    return am__seqs_recall(&am__store_seq_pinv, model, s, o, work, info);
}

static int t_stability(const void *model, size_t first, size_t count, size_t *unstable)
{
    return am__seqs_stability(&am__store_seq_pinv, model, first, count, unstable);
}

static int t_save(const void *model, const char *path)
{
    return am__seqs_save(&am__store_seq_pinv, &((const seq_pinv *)model)->b.q, path, NULL, model);
}

static int t_load(void **model, const char *path)
{
    sp_params p;
    return am__seqs_load(model, &am__store_seq_pinv, path, &p, NULL, make);
}

const am_store_type am__store_seq_pinv = {
    .name = "seq-pinv",
    .summary = "pseudo-inverse sequence rule: J = sum xi^{mu+1} (C^-1)_{mu nu} xi^nu^T / N, for correlated "
               "patterns",
    .magic = {'L', 'I', 'B', 'A', 'M', 'S', 'Q', 'P'},
    .id = 6,
    .flags = AM_STORE_SEQUENCE,
    .params = NULL,
    .nparams = 0,
    .defaults = t_defaults,
    .set = t_set,
    .get = t_get,
    .label = t_label,
    .check = t_check,
    .create = t_create,
    .free = t_free,
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
