/* The capacity measurement (am/capacity.h). */
#include "am/capacity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "../core/alloc.h"
#include "../core/io.h"
#include "am/error.h"
#include "../core/cancel_internal.h"

struct am_capacity_work {
    size_t n_cap, p_cap;     /* capacity of state (2 n) and of the per-pattern buffers */
    int8_t *state;           /* 2 n: the recalled state and its target */
    size_t *unstable;        /* p */
    const am_store_type *type; /* of sw */
    am_store_work *sw;       /* reused across trials of one store type */
    float *y;                /* real-valued stores: p x n */
    size_t *near;            /* real-valued stores: p */
    am_recall_info *info;    /* real-valued stores: p */
};

void am_capacity_opts_default(am_capacity_opts *o, const am_store_type *type, size_t n)
{
    memset(o, 0, sizeof *o);
    am_store_config_default(&o->store, type, n);
    o->dynamics = AM_DYN_ASYNC;
    o->order = AM_ORDER_RANDOM;
    o->max_steps = 100;
    o->eps = 1e-6;
    o->patterns.kind = AM_FAMILY_RANDOM;
    o->noise = 0.1;
    o->threshold = 0.99;
    o->seed = 1;
}

int am_capacity_opts_check(const am_capacity_opts *o, size_t p_max, char *err, size_t errsize)
{
    const am_store_config *c = &o->store;
    char why[160];
    if (c->n < 1 || c->n > AM_MAX_UNITS)
        return am__invalid(err, errsize, "n = %zu units is outside 1 .. %zu", c->n, (size_t)AM_MAX_UNITS);
    if (am_store_config_check(c, why, sizeof why))
        return am__invalid(err, errsize, "%s", why);
    if (am_store_type_flags(c->type) & AM_STORE_SEQUENCE)
        return am__invalid(err, errsize, "%s stores sequences: measure it with bin/sequence", am_store_type_name(c->type));
    if ((unsigned)o->dynamics > AM_DYN_GLAUBER || (unsigned)o->order > AM_ORDER_FIXED)
        return am__invalid(err, errsize, "unknown dynamics or order");
    if (!(o->temperature >= 0.0) || (o->temperature > 0.0 && o->dynamics != AM_DYN_GLAUBER))
        return am__invalid(err, errsize, "the temperature must be >= 0 and is used only with Glauber dynamics");
    if (o->max_steps < 1)
        return am__invalid(err, errsize, "the step limit must be at least 1");
    if (!(o->eps >= 0.0))
        return am__invalid(err, errsize, "eps must be >= 0");
    if (!(o->noise >= 0.0 && o->noise <= 1.0))
        return am__invalid(err, errsize, "noise %g is outside [0, 1]", o->noise);
    if (!(o->threshold >= -1.0 && o->threshold <= 1.0))
        return am__invalid(err, errsize, "the recall threshold %g is outside [-1, 1]", o->threshold);
    if (p_max < 1 || p_max > 10000000)
        return am__invalid(err, errsize, "P = %zu is outside 1 .. 10000000", p_max);
    return am_pattern_family_check(&o->patterns, c->n, p_max, err, errsize);
}

void am_capacity_trial_add(am_capacity_trial *s, const am_capacity_trial *t)
{
    s->overlap_sum += t->overlap_sum;
    s->overlap_sq += t->overlap_sq;
    s->bit_error_sum += t->bit_error_sum;
    s->steps_sum += t->steps_sum;
    s->error_norm_sum += t->error_norm_sum;
    s->cues += t->cues;
    s->recalled += t->recalled;
    s->checked += t->checked;
    s->fixed += t->fixed;
    s->unstable_bits += t->unstable_bits;
    for (int e = 0; e < 3; e++)
        s->ends[e] += t->ends[e];
    s->trials += t->trials;
    s->all_fixed += t->all_fixed;
}

void am_capacity_summarise(const am_capacity_trial *t, size_t n, size_t p, am_capacity_point *o)
{
    double nc = (double)t->cues, mean = nc > 0 ? t->overlap_sum / nc : NAN;
    double var = nc > 1 ? (t->overlap_sq - nc * mean * mean) / (nc - 1.0) : 0.0;
    double tr = (double)t->trials;
    memset(o, 0, sizeof *o);
    o->n = n, o->p = p, o->trials = t->trials;
    o->cues = t->trials ? t->cues / t->trials : 0;
    o->alpha = (double)p / (double)n;
    o->overlap_mean = mean;
    o->overlap_sd = sqrt(var > 0 ? var : 0);
    o->recall_frac = t->recalled / nc;
    o->fixed_frac = (double)t->fixed / (double)t->checked;
    o->all_fixed_frac = t->checked == p * t->trials ? (double)t->all_fixed / tr : NAN;
    o->unstable_frac = (double)t->unstable_bits / ((double)t->checked * (double)n);
    o->bit_error = t->bit_error_sum / nc;
    o->steps_mean = t->steps_sum / nc;
    o->fixed_end = t->ends[AM_END_FIXED] / nc;
    o->cycle_end = t->ends[AM_END_CYCLE] / nc;
    o->maxsteps_end = t->ends[AM_END_MAXSTEPS] / nc;
    o->error_norm = t->error_norm_sum / nc;
}

int am_capacity_work_create(am_capacity_work **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? AM_OK : AM_ENOMEM;
}

void am_capacity_work_free(am_capacity_work *w)
{
    if (!w)
        return;
    am_store_work_free(w->sw);
    free(w->state), free(w->unstable), free(w->y), free(w->near), free(w->info);
    free(w);
}

/* Room for n units and p patterns (modern: p x n reals too). */
static int work_reserve(am_capacity_work *w, size_t n, size_t p, int modern)
{
    if (n > w->n_cap) {
        int8_t *s = realloc(w->state, 2 * n);
        if (!s)
            return AM_ENOMEM;
        w->state = s, w->n_cap = n;
        if (w->y) /* the modern rows depend on n as well */
            free(w->y), w->y = NULL, w->p_cap = 0;
    }
    if (p > w->p_cap || (modern && !w->y)) {
        size_t cells, cap = p > w->p_cap ? p : w->p_cap;
        size_t *u = realloc(w->unstable, cap * sizeof *u);
        if (!u)
            return AM_ENOMEM;
        w->unstable = u;
        if (modern) {
            if (am_size_mul3(cap, w->n_cap, sizeof(float), &cells))
                return AM_EOVERFLOW;
            free(w->y), free(w->near), free(w->info);
            w->y = am__alloc_big(cells); /* huge pages: 20 MB at P = 20000 would fault 5000 times */
            w->near = malloc(cap * sizeof *w->near);
            w->info = malloc(cap * sizeof *w->info);
            if (!w->y || !w->near || !w->info) {
                free(w->y), free(w->near), free(w->info);
                w->y = NULL, w->near = NULL, w->info = NULL;
                w->p_cap = 0;
                return AM_ENOMEM;
            }
        }
        w->p_cap = cap;
    }
    return AM_OK;
}

static void trial_rng(const am_capacity_opts *o, size_t p, size_t trial, am_rng *rng)
{
    am_rng_init(rng, o->seed, am_rng_stream2(am_rng_stream2(o->store.n, p), trial));
}

/* The store's workspace, kept across trials of the same type. */
static int work_store(am_capacity_work *w, const am_store *h)
{
    if (w->sw && w->type != am_store_type_of(h))
        am_store_work_free(w->sw), w->sw = NULL;
    if (!w->sw) {
        int rc = am_store_work_create(&w->sw, h);
        if (rc)
            return rc;
        w->type = am_store_type_of(h);
    }
    return AM_OK;
}

/* Stability of the first nstab stored patterns into r. */
static int score_stability(const am_store *h, size_t nstab, am_capacity_work *w, am_capacity_trial *r)
{
    int rc = am_store_stability_range(h, 0, nstab, w->unstable);
    if (rc)
        return rc;
    r->all_fixed = 1;
    r->checked = nstab;
    for (size_t mu = 0; mu < nstab; mu++) {
        r->fixed += w->unstable[mu] == 0;
        r->unstable_bits += w->unstable[mu];
        if (w->unstable[mu])
            r->all_fixed = 0;
    }
    return AM_OK;
}

/* A store of real vectors: the patterns scaled to unit norm, all cues recalled at once; a cue is recalled when
 * the stored pattern nearest its final state is its target. */
static int real_trial(const am_capacity_opts *o, size_t p, size_t trial, am_capacity_work *w, am_capacity_trial *r)
{
    size_t n = o->store.n, ncues = o->cues && o->cues < p ? o->cues : p;
    size_t nstab = o->stability && o->stability < p ? o->stability : p;
    float scale = (float)(1.0 / sqrt((double)n));
    am_patterns *pats = NULL;
    am_store *h = NULL;
    am_rng rng;
    am_recall_opts ro;
    int rc;

    am_recall_opts_default(&ro);
    ro.max_steps = o->max_steps;
    ro.tolerance = o->eps;
    ro.skip_energy = 1; /* not reported: the energies would cost a third of a modern update */
    trial_rng(o, p, trial, &rng);
    if ((rc = work_reserve(w, n, p, 1)) || (rc = am_patterns_create(&pats, n, p)) ||
        (rc = am_pattern_family_fill(&o->patterns, pats, &rng)) || (rc = am_store_create(&h, &o->store)))
        goto done;
    float *y = w->y;
    int8_t *s = w->state;
    am_patterns_to_float(pats, y);
    for (size_t k = 0; k < p * n; k++)
        y[k] *= scale;
    if ((rc = am_store_add_real(h, y, p)) || (rc = work_store(w, h)) || (rc = score_stability(h, nstab, w, r)))
        goto done;

    for (size_t mu = 0; mu < ncues; mu++) {
        am_patterns_get(pats, mu, s);
        am_state_flip_frac(s, n, o->noise, &rng);
        for (size_t i = 0; i < n; i++)
            y[mu * n + i] = scale * s[i];
    }
    if ((rc = am_store_recall_real_many(h, y, ncues, &ro, NULL, w->sw, w->info)) ||
        (rc = am_store_nearest(h, y, ncues, w->near)))
        goto done;
    for (size_t mu = 0; mu < ncues; mu++) {
        const float *st = y + mu * n;
        double dot = 0, n2 = 0, e2 = 0;
        size_t wrong = 0;
        am_patterns_get(pats, mu, s);
        for (size_t i = 0; i < n; i++) {
            float tg = scale * s[i];
            dot += (double)st[i] * tg;
            n2 += (double)st[i] * st[i];
            e2 += ((double)st[i] - tg) * ((double)st[i] - tg);
            wrong += (st[i] > 0) != (tg > 0);
        }
        double cosv = n2 > 0 ? dot / sqrt(n2) : 0.0; /* |target| = 1 */
        r->overlap_sum += cosv;
        r->overlap_sq += cosv * cosv;
        r->bit_error_sum += (double)wrong / (double)n;
        r->error_norm_sum += sqrt(e2);
        r->recalled += w->near[mu] == mu;
        r->steps_sum += w->info[mu].steps;
        r->ends[w->info[mu].end]++;
    }
    r->cues = ncues;
done:
    am_store_free(h);
    am_patterns_free(pats);
    return rc;
}

static int binary_trial(const am_capacity_opts *o, size_t p, size_t trial, am_capacity_work *w, am_capacity_trial *r)
{
    size_t n = o->store.n, ncues = o->cues && o->cues < p ? o->cues : p;
    size_t nstab = o->stability && o->stability < p ? o->stability : p;
    am_patterns *pats = NULL;
    am_store *h = NULL;
    am_rng rng;
    am_recall_opts ro;
    int rc;

    trial_rng(o, p, trial, &rng);
    if ((rc = work_reserve(w, n, p, 0)) || (rc = am_patterns_create(&pats, n, p)) ||
        (rc = am_pattern_family_fill(&o->patterns, pats, &rng)) || (rc = am_store_create(&h, &o->store)))
        goto done;
    if ((rc = am_store_add(h, pats)) || (rc = work_store(w, h)) || (rc = score_stability(h, nstab, w, r)))
        goto done;

    am_recall_opts_default(&ro);
    ro.dynamics = o->dynamics;
    ro.order = o->order;
    ro.temperature = o->temperature;
    ro.max_steps = o->max_steps;
    int8_t *s = w->state, *target = s + n;
    for (size_t mu = 0; mu < ncues; mu++) {
        am_recall_info info;
        am_patterns_get(pats, mu, target);
        memcpy(s, target, n);
        am_state_flip_frac(s, n, o->noise, &rng);
        if ((rc = am_store_recall(h, s, &ro, &rng, w->sw, &info)))
            goto done;
        double m = am_state_overlap(s, target, n), wrong = (double)am_state_hamming(s, target, n) / (double)n;
        r->overlap_sum += m;
        r->overlap_sq += m * m;
        r->bit_error_sum += wrong;
        r->error_norm_sum += 2.0 * sqrt(wrong);
        r->recalled += m >= o->threshold;
        r->steps_sum += info.steps;
        r->ends[info.end]++;
    }
    r->cues = ncues;
done:
    am_store_free(h);
    am_patterns_free(pats);
    return rc;
}

int am_capacity_trial_run(const am_capacity_opts *o, size_t p, size_t trial, am_capacity_work *w,
                          am_capacity_trial *r)
{
    am_capacity_work *own = NULL;
    int rc;
    memset(r, 0, sizeof *r);
    if ((rc = am_capacity_opts_check(o, p, NULL, 0)))
        return rc;
    if (!w) {
        if ((rc = am_capacity_work_create(&own)))
            return rc;
        w = own;
    }
    r->trials = 1;
    rc = am_store_type_flags(o->store.type) & AM_STORE_REAL ? real_trial(o, p, trial, w, r)
                                                            : binary_trial(o, p, trial, w, r);
    am_capacity_work_free(own);
    return rc;
}

int am_capacity_measure(const am_capacity_opts *o, const size_t *ps, size_t npoints, size_t trials, int threads,
                        am_capacity_point *out)
{
    size_t pmax = 0, total;
    int rc = AM_OK;
    for (size_t k = 0; k < npoints; k++)
        pmax = ps[k] > pmax ? ps[k] : pmax;
    if (!npoints || !trials || threads < 0)
        return AM_EINVAL;
    if ((rc = am_capacity_opts_check(o, pmax, NULL, 0)) || (rc = am_size_mul(npoints, trials, &total)))
        return rc;
    for (size_t k = 0; k < npoints; k++)
        if ((rc = am_capacity_opts_check(o, ps[k], NULL, 0)))
            return rc;
    am_capacity_trial *res = calloc(total, sizeof *res);
    if (!res)
        return AM_ENOMEM;
    int nt = threads ? threads : omp_get_max_threads();
    const am_cancel *hook = am_cancel_current();
#pragma omp parallel num_threads(nt)
    {
        AM__CANCEL_ADOPT(hook); /* the trials' recalls poll it too */
        am_capacity_work *w = NULL;
        int my = am_capacity_work_create(&w);
#pragma omp for schedule(dynamic, 1)
        for (size_t k = 0; k < total; k++) {
            if (!my && !(my = am_cancel_poll()))
                my = am_capacity_trial_run(o, ps[k / trials], k % trials, w, &res[k]);
        }
        am_capacity_work_free(w);
        AM__CANCEL_LEAVE();
        if (my) {
#pragma omp critical(am_capacity)
            if (!rc)
                rc = my;
        }
    }
    for (size_t k = 0; !rc && k < npoints; k++) {
        am_capacity_trial sum = {0};
        for (size_t t = 0; t < trials; t++)
            am_capacity_trial_add(&sum, &res[k * trials + t]);
        am_capacity_summarise(&sum, o->store.n, ps[k], &out[k]);
    }
    free(res);
    return rc;
}
