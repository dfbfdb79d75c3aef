/* The shared store API: one table of store types (type.h), and the verbs every store has, dispatched through
 * it. Nothing here knows a model: fallbacks (real views of binary stores, overlaps) use only the table. */
#include "am/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "../core/io.h"
#include "am/error.h"
#include "internal.h"
#include "seqs.h"
#include "type.h"

/* ---- the table ---- */

static const am_store_type *const types[] = {
    &am__store_hopfield,
    &am__store_dense,
    &am__store_modern,
    &am__store_seq_hebb,
    &am__store_seq_dense,
    &am__store_seq_mixed,
    &am__store_seq_pinv,
    &am__store_seq_modern,
    NULL,
};

const am_store_type *const *am_store_types(void) { return types; }

const am_store_type *am_store_type_find(const char *name)
{
    for (size_t k = 0; name && types[k]; k++)
        if (!strcmp(types[k]->name, name))
            return types[k];
    return NULL;
}

const am_store_type *am_store_type_by_id(unsigned id)
{
    for (size_t k = 0; types[k]; k++)
        if (types[k]->id == id)
            return types[k];
    return NULL;
}

const char *am_store_type_name(const am_store_type *t) { return t ? t->name : "?"; }
const char *am_store_type_summary(const am_store_type *t) { return t ? t->summary : "?"; }
unsigned am_store_type_id(const am_store_type *t) { return t->id; }
unsigned am_store_type_flags(const am_store_type *t) { return t->flags; }

const am_store_param *am_store_type_params(const am_store_type *t, size_t *count)
{
    if (count)
        *count = t->nparams;
    return t->params;
}

const char *am_store_type_list(void)
{
    static char buf[512];
    if (!buf[0]) {
        size_t len = 0;
        for (size_t k = 0; types[k]; k++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", k ? ", " : "", types[k]->name);
    }
    return buf;
}

/* ---- parameter parsing for the types ---- */

int am__param_int(const char *value, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = value ? strtol(value, &end, 10) : 0;
    if (!value || !*value || *end || errno || v < lo || v > hi)
        return AM_EINVAL;
    *out = v;
    return AM_OK;
}

int am__param_double(const char *value, double lo, double hi, double *out)
{
    char *end;
    double v = value ? strtod(value, &end) : 0;
    if (!value || !*value || *end || !isfinite(v) || !(v >= lo && v <= hi))
        return AM_EINVAL;
    *out = v;
    return AM_OK;
}

int am__param_word(const char *value, const char *const *names, int count)
{
    for (int k = 0; value && k < count; k++)
        if (!strcmp(value, names[k]))
            return k;
    return -1;
}

/* ---- configuration ---- */

void am_store_config_default(am_store_config *c, const am_store_type *t, size_t n)
{
    memset(c, 0, sizeof *c);
    c->type = t;
    c->n = n;
    if (t)
        t->defaults(c->params.bytes);
}

int am_store_config_init(am_store_config *c, const char *model, size_t n)
{
    const am_store_type *t = am_store_type_find(model);
    am_store_config_default(c, t, n);
    return t ? AM_OK : AM_EINVAL;
}

static const am_store_param *find_param(const am_store_type *t, const char *name)
{
    for (size_t k = 0; t && name && k < t->nparams; k++)
        if (!strcmp(t->params[k].name, name))
            return &t->params[k];
    return NULL;
}

static void why_set(char *why, size_t size, const char *fmt, const char *a, const char *b)
{
    if (why && size)
        snprintf(why, size, fmt, a, b);
}

int am_store_config_set(am_store_config *c, const char *name, const char *value, char *why, size_t whysize)
{
    if (!why)
        whysize = 0;
    if (whysize)
        why[0] = 0;
    if (!c || !c->type || !name || !value)
        return AM_EINVAL;
    if (!find_param(c->type, name)) {
        why_set(why, whysize, "%s has no parameter %s", c->type->name, name);
        return AM_EUNSUPPORTED;
    }
    return c->type->set(c->params.bytes, name, value, why, whysize);
}

int am_store_config_get(const am_store_config *c, const char *name, char *buf, size_t size)
{
    if (!c || !c->type || !buf || !size)
        return AM_EINVAL;
    if (!find_param(c->type, name))
        return AM_EUNSUPPORTED;
    c->type->get(c->params.bytes, name, buf, size);
    return AM_OK;
}

int am_store_config_check(const am_store_config *c, char *why, size_t whysize)
{
    if (!why)
        whysize = 0;
    if (whysize)
        why[0] = 0;
    if (!c || !c->type) {
        why_set(why, whysize, "%s%s", "no store type", "");
        return AM_EINVAL;
    }
    if (c->n == 0 || c->n > AM_MAX_UNITS) {
        if (why && whysize)
            snprintf(why, whysize, "units must be between 1 and %llu", (unsigned long long)AM_MAX_UNITS);
        return AM_EINVAL;
    }
    return c->type->check(c->params.bytes, c->n, why, whysize);
}

void am_store_config_describe(const am_store_config *c, char *buf, size_t size)
{
    size_t len;
    if (!size)
        return;
    if (!c || !c->type) {
        snprintf(buf, size, "?");
        return;
    }
    len = (size_t)snprintf(buf, size, "%s", c->type->name);
    for (size_t k = 0; k < c->type->nparams && len < size; k++) {
        char v[64];
        c->type->get(c->params.bytes, c->type->params[k].name, v, sizeof v);
        if (!v[0])
            continue; /* a parameter that does not apply to the others' values (degree of F=exp) */
        len += (size_t)snprintf(buf + len, size - len, " %s=%s", c->type->params[k].name, v);
    }
}

/* ---- life ---- */

int am_store_create(am_store **out, const am_store_config *cfg)
{
    am_store *s;
    int rc;
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!cfg || am_store_config_check(cfg, NULL, 0))
        return AM_EINVAL;
    if (!(s = calloc(1, sizeof *s)))
        return AM_ENOMEM;
    s->type = cfg->type;
    if ((rc = cfg->type->create(&s->model, cfg->n, cfg->params.bytes))) {
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
    s->type->free(s->model);
    free(s);
}

const am_store_type *am_store_type_of(const am_store *s) { return s->type; }

void am_store_config_of(const am_store *s, am_store_config *c)
{
    am_store_config_default(c, s->type, s->type->n(s->model));
    s->type->config(s->model, c->params.bytes);
}

size_t am_store_n(const am_store *s) { return s->type->n(s->model); }
size_t am_store_count(const am_store *s) { return s->type->count(s->model); }
const am_patterns *am_store_patterns(const am_store *s) { return s->type->patterns(s->model); }
const float *am_store_patterns_real(const am_store *s)
{
    return s->type->patterns_real ? s->type->patterns_real(s->model) : NULL;
}

int am_store_overlaps(const am_store *s, const int8_t *sp, const float *sr, double *m)
{
    if (!s || !m || (!sp) == (!sr))
        return AM_EINVAL;
    size_t n = am_store_n(s), count = am_store_count(s);
    const float *x = s->type->patterns_real ? s->type->patterns_real(s->model) : NULL;
    const am_patterns *p = x ? NULL : s->type->patterns(s->model);
    for (size_t mu = 0; mu < count; mu++) {
        double dot = 0;
        for (size_t i = 0; i < n; i++) {
            double xi = x ? (double)x[mu * n + i] : ((p->bits[mu * p->words + i / 64] >> (i % 64)) & 1 ? 1.0 : -1.0);
            dot += xi * (sp ? (double)sp[i] : (double)sr[i]);
        }
        m[mu] = dot / (double)n;
    }
    return AM_OK;
}

/* ---- learning ---- */

int am_store_add(am_store *s, const am_patterns *pats)
{
    if (!s || !pats)
        return AM_EINVAL;
    if (pats->n != am_store_n(s))
        return AM_ESIZE;
    return s->type->add(s->model, pats, 0);
}

int am_store_add_real(am_store *s, const float *x, size_t count)
{
    if (!s || (!x && count))
        return AM_EINVAL;
    if (!s->type->add_real)
        return AM_EUNSUPPORTED;
    return s->type->add_real(s->model, x, count);
}

/* ---- energy ---- */

double am_store_energy(const am_store *s, const int8_t *state)
{
    if (!s->type->energy)
        return NAN;
    return s->type->energy(s->model, state);
}

double am_store_energy_real(const am_store *s, const float *state)
{
    size_t n = am_store_n(s);
    int8_t *b;
    double e;
    if (s->type->energy_real)
        return s->type->energy_real(s->model, state);
    if (!s->type->energy || !(b = malloc(n)))
        return NAN;
    for (size_t i = 0; i < n; i++)
        b[i] = state[i] > 0 ? 1 : -1;
    e = s->type->energy(s->model, b);
    free(b);
    return e;
}

/* ---- workspaces ---- */

int am_store_work_create(am_store_work **out, const am_store *s)
{
    am_store_work *w = calloc(1, sizeof *w);
    size_t n = am_store_n(s);
    int rc = AM_OK;
    *out = NULL;
    if (!w)
        return AM_ENOMEM;
    w->type = s->type;
    w->n = n;
    if (s->type->work_create)
        rc = s->type->work_create(&w->work, s->model);
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
    if (w->type->work_free)
        w->type->work_free(w->work);
    free(w->bin);
    free(w->real);
    free(w);
}

int am__store_work_fit(const am_store *s, am_store_work *w)
{
    size_t n = am_store_n(s);
    if (w->type != s->type)
        return AM_EINVAL;
    if (w->n != n) {
        int8_t *b = realloc(w->bin, n);
        if (b)
            w->bin = b;
        float *r = realloc(w->real, n * sizeof(float));
        if (r)
            w->real = r;
        if (!b || !r)
            return AM_ENOMEM;
        w->n = n;
    }
    return s->type->work_fit ? s->type->work_fit(w->work, s->model) : AM_OK;
}

/* ---- recall ---- */

int am_store_recall(const am_store *s, int8_t *state, const am_recall_opts *opts, am_rng *rng, am_store_work *work,
                    am_recall_info *info)
{
    am_recall_opts o;
    am_recall_info local;
    am_store_work *w = work;
    int rc;
    if (!s || !state)
        return AM_EINVAL;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (s->type->flags & AM_STORE_SERIAL) {
        if ((rc = am__recall_check(opts, &o, rng, state, am_store_n(s))))
            return rc;
    } else {
        /* dynamics, order and temperature do not apply: the model has one update of its own */
        am_recall_opts sync = opts ? *opts : (am_recall_opts){0};
        if (!opts)
            am_recall_opts_default(&sync);
        sync.dynamics = AM_DYN_SYNC;
        sync.temperature = 0.0;
        if ((rc = am__recall_check(&sync, &o, NULL, state, am_store_n(s))))
            return rc;
    }
    if (w && (rc = am__store_work_fit(s, w)))
        return rc;
    if (!w && (rc = am_store_work_create(&w, s)))
        return rc;
    rc = s->type->recall(s->model, state, &o, rng, w->work, info);
    if (w != work)
        am_store_work_free(w);
    return rc;
}

int am_store_recall_real(const am_store *s, float *state, const am_recall_opts *opts, am_rng *rng,
                         am_store_work *work, am_recall_info *info)
{
    size_t n;
    int8_t *b;
    int rc;
    if (!s || !state)
        return AM_EINVAL;
    n = am_store_n(s);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(state[i]))
            return AM_EINVAL;
    if (s->type->recall_real) {
        am_recall_opts o;
        am_recall_info local;
        am_store_work *w = work;
        if (!opts)
            am_recall_opts_default(&o);
        else
            o = *opts;
        if ((o.trace_cap && !o.trace) || !(o.tolerance >= 0.0))
            return AM_EINVAL;
        if (!info)
            info = &local;
        memset(info, 0, sizeof *info);
        if (w && (rc = am__store_work_fit(s, w)))
            return rc;
        if (!w && (rc = am_store_work_create(&w, s)))
            return rc;
        rc = s->type->recall_real(s->model, state, &o, w->work, info);
        if (w != work)
            am_store_work_free(w);
        return rc;
    }
    if (work && work->type != s->type)
        return AM_EINVAL;
    b = work && work->n >= n ? work->bin : malloc(n);
    if (!b)
        return AM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        b[i] = state[i] > 0 ? 1 : -1;
    rc = am_store_recall(s, b, opts, rng, work, info);
    if (!rc)
        for (size_t i = 0; i < n; i++)
            state[i] = (float)b[i];
    if (!work || b != work->bin)
        free(b);
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
    if (count == 0)
        return AM_OK;
    return s->type->stability(s->model, first, count, unstable);
}

/* ---- files ---- */

int am_store_save(const am_store *s, const char *path)
{
    if (!s || !path)
        return AM_EINVAL;
    return s->type->save(s->model, path);
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
    const am_store_type *t = NULL;
    for (size_t k = 0; types[k] && !t; k++)
        if (!memcmp(magic, types[k]->magic, 8))
            t = types[k];
    if (!t)
        return AM_EFORMAT;
    if (!(s = calloc(1, sizeof *s)))
        return AM_ENOMEM;
    s->type = t;
    if ((rc = t->load(&s->model, path))) {
        free(s);
        return rc;
    }
    *out = s;
    return AM_OK;
}

int am_store_recall_real_many(const am_store *s, float *x, size_t nq, const am_recall_opts *opts, am_rng *rng,
                              am_store_work *work, am_recall_info *info)
{
    am_recall_opts o;
    am_store_work *w = work;
    size_t n, cells;
    int rc;
    if (!s || (!x && nq))
        return AM_EINVAL;
    if (!opts)
        am_recall_opts_default(&o);
    else
        o = *opts;
    if (o.trace || o.trace_cap || o.monitor || !(o.tolerance >= 0.0))
        return AM_EINVAL;
    n = am_store_n(s);
    if (am_size_mul(nq, n, &cells))
        return AM_EOVERFLOW;
    for (size_t k = 0; k < cells; k++)
        if (!isfinite(x[k]))
            return AM_EINVAL;
    if (!s->type->recall_real_many) {
        for (size_t q = 0; q < nq; q++)
            if ((rc = am_store_recall_real(s, x + q * n, &o, rng, work, info ? info + q : NULL)))
                return rc;
        return AM_OK;
    }
    if (info)
        memset(info, 0, nq * sizeof *info);
    if (w && (rc = am__store_work_fit(s, w)))
        return rc;
    if (!w && (rc = am_store_work_create(&w, s)))
        return rc;
    rc = s->type->recall_real_many(s->model, x, nq, &o, w->work, info);
    if (w != work)
        am_store_work_free(w);
    return rc;
}

int am_store_nearest(const am_store *s, const float *cues, size_t nq, size_t *idx)
{
    size_t n, count;
    if (!s || (nq && (!cues || !idx)))
        return AM_EINVAL;
    if (s->type->nearest)
        return s->type->nearest(s->model, cues, nq, idx);
    n = am_store_n(s), count = am_store_count(s);
    if (!count)
        return AM_EEMPTY;
    double *m = malloc(count * sizeof *m);
    if (!m)
        return AM_ENOMEM;
    for (size_t q = 0; q < nq; q++) {
        am_store_overlaps(s, NULL, cues + q * n, m);
        size_t best = 0;
        for (size_t mu = 1; mu < count; mu++)
            best = m[mu] > m[best] ? mu : best;
        idx[q] = best;
    }
    free(m);
    return AM_OK;
}

void am_store_config_label(const am_store_config *c, char *buf, size_t size)
{
    if (!size)
        return;
    if (!c || !c->type)
        snprintf(buf, size, "?");
    else
        c->type->label(c->params.bytes, buf, size);
}

int am_store_weights(const am_store *s, float *w)
{
    if (!s)
        return AM_EINVAL;
    if (!s->type->weights)
        return AM_EUNSUPPORTED; /* also with w NULL: a way to ask */
    return w ? s->type->weights(s->model, w) : AM_EINVAL;
}
