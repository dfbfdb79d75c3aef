/* Clean-up memory over any store (see am/cleanup.h). */
#include "am/cleanup.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"

struct am_cleanup {
    am_store *store;
    am_patterns *signs; /* binary stores: the items' sign patterns */
    size_t n, dim;
};

static void sign_of(const float *x, size_t n, int8_t *s)
{
    for (size_t i = 0; i < n; i++)
        s[i] = x[i] > 0.0f ? 1 : -1; /* as am/store.h takes float states */
}

int am_cleanup_create(am_cleanup **out, const am_store_config *cfg, const float *items, size_t n)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!cfg || !items || n == 0 || cfg->n == 0)
        return AM_EINVAL;
    size_t d = cfg->n;
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(items[i]))
            return AM_EINVAL;
    am_cleanup *c = calloc(1, sizeof *c);
    if (!c)
        return AM_ENOMEM;
    c->n = n;
    c->dim = d;
    int rc = am_store_create(&c->store, cfg);
    if (!rc && (am_store_type_flags(cfg->type) & AM_STORE_REAL)) {
        rc = am_store_add_real(c->store, items, n);
    } else if (!rc) {
        int8_t *s = malloc(d);
        if (!s || (rc = am_patterns_create(&c->signs, d, n)))
            rc = rc ? rc : AM_ENOMEM;
        for (size_t k = 0; !rc && k < n; k++) {
            sign_of(items + k * d, d, s);
            am_patterns_set(c->signs, k, s);
        }
        free(s);
        if (!rc)
            rc = am_store_add(c->store, c->signs);
    }
    if (rc) {
        am_cleanup_free(c);
        return rc;
    }
    *out = c;
    return AM_OK;
}

void am_cleanup_free(am_cleanup *c)
{
    if (!c)
        return;
    am_store_free(c->store);
    am_patterns_free(c->signs);
    free(c);
}

size_t am_cleanup_size(const am_cleanup *c) { return c->n; }
const am_store *am_cleanup_store(const am_cleanup *c) { return c->store; }

int am_cleanup_run(const am_cleanup *c, const float *cues, size_t nq, uint64_t seed, size_t *idx)
{
    if (!c || !cues || (nq && !idx))
        return AM_EINVAL;
    size_t d = c->dim;
    for (size_t i = 0; i < nq * d; i++)
        if (!isfinite(cues[i]))
            return AM_EINVAL;
    if (!c->signs)
        return am_store_nearest(c->store, cues, nq, idx);
    int err = AM_OK;
    size_t words = (d + 63) / 64;
#pragma omp parallel if (nq > 1 && !omp_in_parallel())
    {
        am_store_work *w = NULL;
        int8_t *s = malloc(d);
        uint64_t *packed = malloc(words * sizeof *packed);
        int rc = s && packed ? am_store_work_create(&w, c->store) : AM_ENOMEM;
        am_recall_opts o;
        am_recall_opts_default(&o);
#pragma omp for schedule(dynamic, 16)
        for (size_t k = 0; k < nq; k++) {
            if (rc)
                continue;
            am_rng rng;
            am_rng_init(&rng, seed, k);
            sign_of(cues + k * d, d, s);
            if ((rc = am_store_recall(c->store, s, &o, &rng, w, NULL)))
                continue;
            am_state_pack(s, d, packed);
            size_t best = 0, bh = (size_t)-1;
            for (size_t mu = 0; mu < c->n; mu++) {
                size_t h = am_patterns_hamming_packed(c->signs, mu, packed);
                if (h < bh)
                    bh = h, best = mu;
            }
            idx[k] = best;
        }
        if (rc) {
#pragma omp critical(am_cleanup_err)
            if (!err)
                err = rc;
        }
        am_store_work_free(w);
        free(s);
        free(packed);
    }
    return err;
}
