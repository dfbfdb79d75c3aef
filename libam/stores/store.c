/* The shared store API: dispatch to the model modules. */
#include "am/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"

struct am_store {
    am_model model;
    union {
        am_hopfield *h;
        am_dense *d;
    } u;
};

struct am_store_work {
    am_model model;
    union {
        am_hopfield_work *h;
        am_dense_work *d;
    } u;
};

static const char *const model_names[] = {"hopfield", "dense"};

const char *am_model_name(am_model m) { return (unsigned)m < 2 ? model_names[m] : "?"; }

int am_model_parse(const char *s, am_model *out)
{
    for (int k = 0; k < 2; k++)
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
}

void am_store_config_describe(const am_store_config *c, char *buf, size_t size)
{
    switch (c->model) {
    case AM_MODEL_HOPFIELD: snprintf(buf, size, "hopfield rule=%s", am_rule_name(c->rule)); break;
    case AM_MODEL_DENSE:
        if (c->f == AM_F_EXP)
            snprintf(buf, size, "dense F=exp");
        else
            snprintf(buf, size, "dense F=%s n=%d", am_dense_f_name(c->f), c->degree);
        break;
    default: snprintf(buf, size, "?");
    }
}

int am_store_create(am_store **out, const am_store_config *cfg)
{
    am_store *s;
    int rc;
    *out = NULL;
    if (!cfg || (unsigned)cfg->model > AM_MODEL_DENSE)
        return AM_EINVAL;
    s = calloc(1, sizeof *s);
    if (!s)
        return AM_ENOMEM;
    s->model = cfg->model;
    rc = cfg->model == AM_MODEL_HOPFIELD ? am_hopfield_create(&s->u.h, cfg->n, cfg->rule)
                                         : am_dense_create(&s->u.d, cfg->n, cfg->f, cfg->degree);
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
    if (s->model == AM_MODEL_HOPFIELD)
        am_hopfield_free(s->u.h);
    else
        am_dense_free(s->u.d);
    free(s);
}

am_model am_store_model(const am_store *s) { return s->model; }

size_t am_store_n(const am_store *s)
{
    return s->model == AM_MODEL_HOPFIELD ? am_hopfield_n(s->u.h) : am_dense_n(s->u.d);
}

size_t am_store_count(const am_store *s)
{
    return s->model == AM_MODEL_HOPFIELD ? am_hopfield_count(s->u.h) : am_dense_count(s->u.d);
}

const am_patterns *am_store_patterns(const am_store *s)
{
    return s->model == AM_MODEL_HOPFIELD ? am_hopfield_patterns(s->u.h) : am_dense_patterns(s->u.d);
}

int am_store_add(am_store *s, const am_patterns *pats)
{
    return s->model == AM_MODEL_HOPFIELD ? am_hopfield_store(s->u.h, pats) : am_dense_store(s->u.d, pats);
}

double am_store_energy(const am_store *s, const int8_t *state)
{
    return s->model == AM_MODEL_HOPFIELD ? am_hopfield_energy(s->u.h, state) : am_dense_energy(s->u.d, state);
}

int am_store_work_create(am_store_work **out, const am_store *s)
{
    am_store_work *w = calloc(1, sizeof *w);
    int rc;
    *out = NULL;
    if (!w)
        return AM_ENOMEM;
    w->model = s->model;
    rc = s->model == AM_MODEL_HOPFIELD ? am_hopfield_work_create(&w->u.h, s->u.h)
                                       : am_dense_work_create(&w->u.d, s->u.d);
    if (rc) {
        free(w);
        return rc;
    }
    *out = w;
    return AM_OK;
}

void am_store_work_free(am_store_work *w)
{
    if (!w)
        return;
    if (w->model == AM_MODEL_HOPFIELD)
        am_hopfield_work_free(w->u.h);
    else
        am_dense_work_free(w->u.d);
    free(w);
}

int am_store_recall(const am_store *s, int8_t *state, const am_recall_opts *opts, am_rng *rng, am_store_work *work,
                    am_recall_info *info)
{
    if (work && work->model != s->model)
        return AM_EINVAL;
    if (s->model == AM_MODEL_HOPFIELD)
        return am_hopfield_recall(s->u.h, state, opts, rng, work ? work->u.h : NULL, info);
    return am_dense_recall(s->u.d, state, opts, rng, work ? work->u.d : NULL, info);
}

int am_store_stability(const am_store *s, size_t *unstable)
{
    return s->model == AM_MODEL_HOPFIELD ? am_hopfield_stability(s->u.h, unstable)
                                         : am_dense_stability(s->u.d, unstable);
}

int am_store_stability_range(const am_store *s, size_t first, size_t count, size_t *unstable)
{
    size_t total = am_store_count(s), *all;
    int rc;
    if (first > total || count > total - first)
        return AM_EINVAL;
    if (s->model == AM_MODEL_DENSE)
        return am_dense_stability_range(s->u.d, first, count, unstable);
    /* The classical store computes every pattern at once through BLAS; keep the asked range. */
    if (!(all = malloc((total ? total : 1) * sizeof *all)))
        return AM_ENOMEM;
    rc = am_hopfield_stability(s->u.h, all);
    if (!rc)
        memcpy(unstable, all + first, count * sizeof *all);
    free(all);
    return rc;
}

int am_store_save(const am_store *s, const char *path)
{
    return s->model == AM_MODEL_HOPFIELD ? am_hopfield_save(s->u.h, path) : am_dense_save(s->u.d, path);
}

int am_store_load(am_store **out, const char *path)
{
    char magic[8];
    FILE *f = fopen(path, "rb");
    am_store *s;
    int rc;
    size_t got;
    *out = NULL;
    if (!f)
        return AM_EIO;
    got = fread(magic, 1, 8, f);
    fclose(f);
    if (got < 8)
        return got == 0 ? AM_EFORMAT : (memcmp(magic, "LIBAM", got < 5 ? got : 5) ? AM_EFORMAT : AM_ETRUNC);
    s = calloc(1, sizeof *s);
    if (!s)
        return AM_ENOMEM;
    if (!memcmp(magic, "LIBAMHOP", 8)) {
        s->model = AM_MODEL_HOPFIELD;
        rc = am_hopfield_load(&s->u.h, path);
    } else if (!memcmp(magic, "LIBAMDNS", 8)) {
        s->model = AM_MODEL_DENSE;
        rc = am_dense_load(&s->u.d, path);
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
