/* The shared store API: dispatch to the model modules. */
#include "am/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "../core/io.h"
#include "internal.h"
#include "am/error.h"

struct am_store {
    am_model model;
    union {
        am_hopfield *h;
        am_dense *d;
        am_modern *m;
    } u;
};

struct am_store_work {
    am_model model;
    size_t n;
    union {
        am_hopfield_work *h;
        am_dense_work *d;
        am_modern_work *m;
    } u;
    int8_t *bin; /* n: binary view of a real state */
    float *real; /* n: real view of a binary state */
};

static const char *const model_names[] = {"hopfield", "dense", "modern"};

const char *am_model_name(am_model m) { return (unsigned)m < 3 ? model_names[m] : "?"; }

int am_model_parse(const char *s, am_model *out)
{
    for (int k = 0; k < 3; k++)
        if (s && !strcmp(s, model_names[k])) {
            *out = (am_model)k;
            return AM_OK;
        }
    return AM_EINVAL;
}

void am_store_config_default(am_store_config *c, am_model model, size_t n)
{
    memset(c, 0, sizeof *c);
    c->model = model;
    c->n = n;
    c->rule = AM_RULE_HEBB;
    c->f = AM_F_POLY;
    c->degree = 3;
    c->beta = 1.0;
}

void am_store_config_describe(const am_store_config *c, char *buf, size_t size)
{
    switch (c->model) {
    case AM_MODEL_HOPFIELD: snprintf(buf, size, "hopfield rule=%s", am_rule_name(c->rule)); break;
    case AM_MODEL_DENSE:
        if (c->f == AM_F_EXP)
            snprintf(buf, size, "dense F=exp");
        else
            snprintf(buf, size, "dense F=%s degree=%d", am_dense_f_name(c->f), c->degree);
        break;
    case AM_MODEL_MODERN: snprintf(buf, size, "modern beta=%g", c->beta); break;
    default: snprintf(buf, size, "?");
    }
}

int am_store_create(am_store **out, const am_store_config *cfg)
{
    am_store *s;
    int rc;
    *out = NULL;
    if (!cfg || (unsigned)cfg->model > AM_MODEL_MODERN)
        return AM_EINVAL;
    s = calloc(1, sizeof *s);
    if (!s)
        return AM_ENOMEM;
    s->model = cfg->model;
    switch (cfg->model) {
    case AM_MODEL_HOPFIELD: rc = am_hopfield_create(&s->u.h, cfg->n, cfg->rule); break;
    case AM_MODEL_DENSE: rc = am_dense_create(&s->u.d, cfg->n, cfg->f, cfg->degree); break;
    default: rc = am_modern_create(&s->u.m, cfg->n, cfg->beta); break;
    }
    if (rc) {
        free(s);
        return rc;
    }
    *out = s;
    return AM_OK;
}

void am_store_free(am_store *s)
{
    if (!s)
        return;
    switch (s->model) {
    case AM_MODEL_HOPFIELD: am_hopfield_free(s->u.h); break;
    case AM_MODEL_DENSE: am_dense_free(s->u.d); break;
    default: am_modern_free(s->u.m); break;
    }
    free(s);
}

am_model am_store_model(const am_store *s) { return s->model; }

size_t am_store_n(const am_store *s)
{
    switch (s->model) {
    case AM_MODEL_HOPFIELD: return am_hopfield_n(s->u.h);
    case AM_MODEL_DENSE: return am_dense_n(s->u.d);
    default: return am_modern_dim(s->u.m);
    }
}

size_t am_store_count(const am_store *s)
{
    switch (s->model) {
    case AM_MODEL_HOPFIELD: return am_hopfield_count(s->u.h);
    case AM_MODEL_DENSE: return am_dense_count(s->u.d);
    default: return am_modern_count(s->u.m);
    }
}

const am_patterns *am_store_patterns(const am_store *s)
{
    switch (s->model) {
    case AM_MODEL_HOPFIELD: return am_hopfield_patterns(s->u.h);
    case AM_MODEL_DENSE: return am_dense_patterns(s->u.d);
    default: return NULL;
    }
}

int am_store_overlaps(const am_store *s, const int8_t *sp, const float *sr, double *m)
{
    if (!s || !m || (!sp) == (!sr))
        return AM_EINVAL;
    size_t n = am_store_n(s), count = am_store_count(s);
    const am_patterns *p = am_store_patterns(s);
    if (p) {
        for (size_t mu = 0; mu < count; mu++) {
            double dot = 0;
            for (size_t i = 0; i < n; i++)
                dot += ((p->bits[mu * p->words + i / 64] >> (i % 64)) & 1 ? 1.0 : -1.0) * (sp ? (double)sp[i] : (double)sr[i]);
            m[mu] = dot / (double)n;
        }
        return AM_OK;
    }
    const float *x = am_modern_patterns(s->u.m);
    for (size_t mu = 0; mu < count; mu++) {
        double dot = 0;
        for (size_t i = 0; i < n; i++)
            dot += (double)x[mu * n + i] * (sp ? (double)sp[i] : (double)sr[i]);
        m[mu] = dot / (double)n;
    }
    return AM_OK;
}

int am_store_add(am_store *s, const am_patterns *pats)
{
    float *x;
    size_t total;
    int rc;
    if (s->model == AM_MODEL_HOPFIELD)
        return am_hopfield_store(s->u.h, pats);
    if (s->model == AM_MODEL_DENSE)
        return am_dense_store(s->u.d, pats);
    if (!pats || pats->n != am_modern_dim(s->u.m))
        return AM_ESIZE;
    if (am_size_mul3(pats->count, pats->n, sizeof(float), &total))
        return AM_EOVERFLOW;
    if (!(x = malloc(total ? total : 1)))
        return AM_ENOMEM;
    am_patterns_to_float(pats, x);
    rc = am_modern_store(s->u.m, x, pats->count);
    free(x);
    return rc;
}

int am_store_add_real(am_store *s, const float *x, size_t count)
{
    if (s->model != AM_MODEL_MODERN)
        return AM_EUNSUPPORTED;
    return am_modern_store(s->u.m, x, count);
}

static double energy_binary_of_real(const am_store *s, const float *state)
{
    size_t n = am_store_n(s);
    int8_t *b = malloc(n);
    double e;
    if (!b)
        return NAN;
    for (size_t i = 0; i < n; i++)
        b[i] = state[i] > 0 ? 1 : -1;
    e = s->model == AM_MODEL_HOPFIELD ? am_hopfield_energy(s->u.h, b) : am_dense_energy(s->u.d, b);
    free(b);
    return e;
}

double am_store_energy(const am_store *s, const int8_t *state)
{
    if (s->model == AM_MODEL_HOPFIELD)
        return am_hopfield_energy(s->u.h, state);
    if (s->model == AM_MODEL_DENSE)
        return am_dense_energy(s->u.d, state);
    size_t n = am_modern_dim(s->u.m);
    float *x = malloc(n * sizeof *x);
    double e;
    if (!x)
        return NAN;
    for (size_t i = 0; i < n; i++)
        x[i] = (float)state[i];
    e = am_modern_energy(s->u.m, x);
    free(x);
    return e;
}

double am_store_energy_real(const am_store *s, const float *state)
{
    return s->model == AM_MODEL_MODERN ? am_modern_energy(s->u.m, state) : energy_binary_of_real(s, state);
}

int am_store_work_create(am_store_work **out, const am_store *s)
{
    am_store_work *w = calloc(1, sizeof *w);
    size_t n = am_store_n(s);
    int rc;
    *out = NULL;
    if (!w)
        return AM_ENOMEM;
    w->model = s->model;
    w->n = n;
    switch (s->model) {
    case AM_MODEL_HOPFIELD: rc = am_hopfield_work_create(&w->u.h, s->u.h); break;
    case AM_MODEL_DENSE: rc = am_dense_work_create(&w->u.d, s->u.d); break;
    default: rc = am_modern_work_create(&w->u.m, s->u.m); break;
    }
    if (!rc && (!(w->bin = malloc(n)) || !(w->real = malloc(n * sizeof(float)))))
        rc = AM_ENOMEM;
    if (rc) {
        am_store_work_free(w);
        return rc;
    }
    *out = w;
    return AM_OK;
}

void am_store_work_free(am_store_work *w)
{
    if (!w)
        return;
    switch (w->model) {
    case AM_MODEL_HOPFIELD: am_hopfield_work_free(w->u.h); break;
    case AM_MODEL_DENSE: am_dense_work_free(w->u.d); break;
    default: am_modern_work_free(w->u.m); break;
    }
    free(w->bin);
    free(w->real);
    free(w);
}

/* The modern store's recall in the shared vocabulary: steps, end, final energy, optional trace. */
static int modern_recall(const am_store *s, float *x, const am_recall_opts *opts, am_store_work *w,
                         am_recall_info *info)
{
    am_recall_opts dflt;
    am_recall_info local;
    am_modern_info mi;
    int rc;
    if (!opts) {
        am_recall_opts_default(&dflt);
        opts = &dflt;
    }
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (opts->trace_cap && !opts->trace)
        return AM_EINVAL;
    if (opts->trace && opts->trace_cap)
        opts->trace[info->trace_len++] = am_modern_energy(s->u.m, x);
    size_t n = am_modern_dim(s->u.m);
    if (opts->monitor)
        am__monitor(opts, 0, 0, SIZE_MAX, n, NULL, x, am_modern_energy(s->u.m, x));
    /* One update at a time when a trace or a monitor is wanted, else the whole run in one call. */
    int each = opts->trace || opts->monitor;
    am_modern_opts mo = {.max_steps = each ? 1 : opts->max_steps, .eps = 1e-6};
    info->end = AM_END_MAXSTEPS;
    while (info->steps < opts->max_steps) {
        if ((rc = am_modern_recall(s->u.m, x, 1, &mo, w ? w->u.m : NULL, &mi)))
            return rc;
        info->steps += mi.steps;
        if (opts->trace && info->trace_len < opts->trace_cap)
            opts->trace[info->trace_len++] = am_modern_energy(s->u.m, x);
        if (opts->monitor)
            am__monitor(opts, info->steps, (uint64_t)info->steps * n, SIZE_MAX, n, NULL, x, am_modern_energy(s->u.m, x));
        if (mi.end == AM_END_FIXED) {
            info->end = AM_END_FIXED;
            break;
        }
        if (!each)
            break;
    }
    info->energy = am_modern_energy(s->u.m, x);
    return AM_OK;
}

int am_store_recall(const am_store *s, int8_t *state, const am_recall_opts *opts, am_rng *rng, am_store_work *work,
                    am_recall_info *info)
{
    if (work && work->model != s->model)
        return AM_EINVAL;
    if (s->model == AM_MODEL_HOPFIELD)
        return am_hopfield_recall(s->u.h, state, opts, rng, work ? work->u.h : NULL, info);
    if (s->model == AM_MODEL_DENSE)
        return am_dense_recall(s->u.d, state, opts, rng, work ? work->u.d : NULL, info);
    size_t n = am_modern_dim(s->u.m);
    float *x = work ? work->real : malloc(n * sizeof *x);
    int rc;
    if (!x)
        return AM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        x[i] = (float)state[i];
    rc = modern_recall(s, x, opts, work, info);
    if (!rc)
        for (size_t i = 0; i < n; i++)
            state[i] = x[i] > 0 ? 1 : -1;
    if (!work)
        free(x);
    return rc;
}

int am_store_recall_real(const am_store *s, float *state, const am_recall_opts *opts, am_rng *rng,
                         am_store_work *work, am_recall_info *info)
{
    size_t n = am_store_n(s);
    int8_t *b;
    int rc;
    if (work && work->model != s->model)
        return AM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(state[i]))
            return AM_EINVAL;
    if (s->model == AM_MODEL_MODERN)
        return modern_recall(s, state, opts, work, info);
    b = work ? work->bin : malloc(n);
    if (!b)
        return AM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        b[i] = state[i] > 0 ? 1 : -1;
    rc = am_store_recall(s, b, opts, rng, work, info);
    if (!rc)
        for (size_t i = 0; i < n; i++)
            state[i] = (float)b[i];
    if (!work)
        free(b);
    return rc;
}

/* Modern: components of stored pattern mu whose sign one update changes. */
static int modern_stability(const am_modern *m, size_t first, size_t count, size_t *unstable)
{
    size_t d = am_modern_dim(m), bytes;
    const float *x = am_modern_patterns(m);
    am_modern_opts one = {.max_steps = 1, .eps = 0.0};
    float *y;
    int rc;
    if (count == 0)
        return AM_OK; /* an empty range, even of an empty store */
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

int am_store_stability(const am_store *s, size_t *unstable)
{
    return am_store_stability_range(s, 0, am_store_count(s), unstable);
}

int am_store_stability_range(const am_store *s, size_t first, size_t count, size_t *unstable)
{
    size_t total = am_store_count(s);
    if (first > total || count > total - first || (count && !unstable))
        return AM_EINVAL;
    if (s->model == AM_MODEL_DENSE)
        return am_dense_stability_range(s->u.d, first, count, unstable);
    if (s->model == AM_MODEL_MODERN)
        return modern_stability(s->u.m, first, count, unstable);
    return am_hopfield_stability_range(s->u.h, first, count, unstable);
}

int am_store_save(const am_store *s, const char *path)
{
    switch (s->model) {
    case AM_MODEL_HOPFIELD: return am_hopfield_save(s->u.h, path);
    case AM_MODEL_DENSE: return am_dense_save(s->u.d, path);
    default: return am_modern_save(s->u.m, path);
    }
}

int am_store_load(am_store **out, const char *path)
{
    char magic[8];
    am_store *s;
    int rc;
    if (!out || !path)
        return AM_EINVAL;
    *out = NULL;
    if ((rc = am__read_magic(path, magic)))
        return rc;
    s = calloc(1, sizeof *s);
    if (!s)
        return AM_ENOMEM;
    if (!memcmp(magic, "LIBAMHOP", 8)) {
        s->model = AM_MODEL_HOPFIELD;
        rc = am_hopfield_load(&s->u.h, path);
    } else if (!memcmp(magic, "LIBAMDNS", 8)) {
        s->model = AM_MODEL_DENSE;
        rc = am_dense_load(&s->u.d, path);
    } else if (!memcmp(magic, "LIBAMMOD", 8)) {
        s->model = AM_MODEL_MODERN;
        rc = am_modern_load(&s->u.m, path);
    } else {
        rc = AM_EFORMAT;
    }
    if (rc) {
        free(s);
        return rc;
    }
    *out = s;
    return AM_OK;
}

am_hopfield *am_store_hopfield(am_store *s) { return s->model == AM_MODEL_HOPFIELD ? s->u.h : NULL; }
am_dense *am_store_dense(am_store *s) { return s->model == AM_MODEL_DENSE ? s->u.d : NULL; }
am_modern *am_store_modern(am_store *s) { return s->model == AM_MODEL_MODERN ? s->u.m : NULL; }
