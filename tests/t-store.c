/* The shared store API: same verbs for every model, load by magic, configuration errors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "tap.h"

typedef struct {
    uint64_t events, last_updates;
    unsigned last_sweep;
    int first_cue, order_ok, never_rises;
    double last_energy;
} mon_log;

static void on_event(const am_recall_event *ev, void *ctx)
{
    mon_log *l = ctx;
    if (!l->events) {
        l->first_cue = ev->sweep == 0 && ev->updates == 0 && ev->unit == SIZE_MAX && ev->n == 64 && (ev->state || ev->x);
        l->order_ok = l->never_rises = 1;
    } else {
        l->order_ok &= ev->sweep >= l->last_sweep && ev->updates >= l->last_updates;
        l->never_rises &= ev->energy <= l->last_energy + 1e-9 * (1 + fabs(l->last_energy));
    }
    l->events++;
    l->last_sweep = ev->sweep;
    l->last_updates = ev->updates;
    l->last_energy = ev->energy;
}

int main(void)
{
    am_rng rng;
    am_rng_init(&rng, 9, 0);
    am_patterns *x = NULL;
    am_patterns_create(&x, 64, 6);
    am_patterns_random(x, &rng);
    char path[] = "/tmp/t-store-XXXXXX";
    int fd = mkstemp(path);
    close(fd);

    am_store_config cfgs[5];
    am_store_config_default(&cfgs[0], AM_MODEL_HOPFIELD, 64);
    am_store_config_default(&cfgs[1], AM_MODEL_HOPFIELD, 64);
    cfgs[1].rule = AM_RULE_PINV;
    am_store_config_default(&cfgs[2], AM_MODEL_DENSE, 64);
    am_store_config_default(&cfgs[3], AM_MODEL_DENSE, 64);
    cfgs[3].f = AM_F_EXP;
    am_store_config_default(&cfgs[4], AM_MODEL_MODERN, 64);
    cfgs[4].beta = 0.5;
    for (int k = 0; k < 5; k++) {
        char desc[64];
        am_store *s = NULL, *t = NULL;
        am_store_work *w = NULL;
        int rc;
        am_store_config_describe(&cfgs[k], desc, sizeof desc);
        ok(am_store_create(&s, &cfgs[k]) == AM_OK && am_store_add(s, x) == AM_OK && am_store_count(s) == 6 &&
               am_store_n(s) == 64 && am_store_model(s) == cfgs[k].model,
           "%s: create and store", desc);
        int8_t q[64], tg[64];
        am_patterns_get(x, 3, tg);
        memcpy(q, tg, 64);
        am_state_flip_k(q, 64, 6, &rng);
        am_recall_info info;
        ok(am_store_work_create(&w, s) == AM_OK && am_store_recall(s, q, NULL, &rng, w, &info) == AM_OK &&
               !memcmp(q, tg, 64) && info.end == AM_END_FIXED,
           "%s: recall from 6 flipped bits", desc);
        /* A monitored recall: the same end state, every event in order, energies that never rise (T = 0). */
        {
            int8_t q2[64], q3[64];
            am_patterns_get(x, 3, q2);
            am_rng r1, r2;
            am_rng_init(&r1, 77, (uint64_t)k);
            am_state_flip_k(q2, 64, 12, &r1);
            memcpy(q3, q2, 64);
            am_rng_init(&r1, 78, 0);
            am_rng_init(&r2, 78, 0);
            mon_log log = {0};
            am_recall_opts mo;
            am_recall_opts_default(&mo);
            mo.monitor = on_event;
            mo.monitor_ctx = &log;
            mo.monitor_every = 1;
            am_recall_info i1, i2;
            int r_on = am_store_recall(s, q2, &mo, &r1, w, &i1), r_off = am_store_recall(s, q3, NULL, &r2, w, &i2);
            int modern = cfgs[k].model == AM_MODEL_MODERN;
            uint64_t want = modern ? 1 + i1.steps : 1 + (uint64_t)i1.steps * 64 + i1.steps;
            ok(!r_on && !r_off && !memcmp(q2, q3, 64) && i1.steps == i2.steps, "%s: a monitored recall ends where an unmonitored one does", desc);
            ok(log.events == want && log.first_cue && log.order_ok, "%s: the monitor sees the cue, every unit update and every sweep (%llu events)",
               desc, (unsigned long long)log.events);
            ok(log.never_rises && fabs(log.last_energy - i1.energy) <= 1e-6 * (1 + fabs(i1.energy)),
               "%s: the energy never rises between events and ends at the recall's energy", desc);
            double m[6];
            int8_t tg3[64];
            am_patterns_get(x, 3, tg3);
            /* the modern store keeps the patterns as given (+-1 floats): the same overlaps in every model */
            int ovl = am_store_overlaps(s, tg3, NULL, m) == AM_OK && fabs(m[3] - 1.0) < 1e-12;
            for (int mu = 0; mu < 6; mu++) {
                int8_t pm[64];
                am_patterns_get(x, (size_t)mu, pm);
                ovl &= fabs(m[mu] - am_state_overlap(pm, tg3, 64)) < 1e-12;
            }
            ok(ovl && am_store_overlaps(s, NULL, NULL, m) == AM_EINVAL, "%s: the overlaps of a state with every stored pattern", desc);
            mo.dynamics = AM_DYN_SYNC;
            mo.monitor_every = 0;
            log = (mon_log){0};
            memcpy(q2, q3, 64);
            am_store_recall(s, q2, &mo, NULL, w, &i1);
            ok(log.events == 1 + i1.steps && log.order_ok, "%s: synchronous steps, one event each (%llu)", desc, (unsigned long long)log.events);
        }
        /* Float weights: the two computations round differently, about 1e-7 relative. */
        is_near(am_store_energy(s, q), info.energy, 1e-6 * (1 + fabs(info.energy)), "%s: energy agrees with recall", desc);
        size_t u[6];
        ok(am_store_stability(s, u) == AM_OK && u[3] == 0, "%s: stability", desc);
        ok(am_store_save(s, path) == AM_OK && am_store_load(&t, path) == AM_OK && am_store_model(t) == cfgs[k].model &&
               am_store_energy(t, q) == am_store_energy(s, q),
           "%s: save, load by magic, same energy", desc);
        ok((am_store_hopfield(s) != NULL) == (cfgs[k].model == AM_MODEL_HOPFIELD) &&
               (am_store_dense(s) != NULL) == (cfgs[k].model == AM_MODEL_DENSE) &&
               (am_store_modern(s) != NULL) == (cfgs[k].model == AM_MODEL_MODERN),
           "%s: the model object is reachable", desc);
        /* Real-valued states: a scaled, noisy copy of pattern 3 recalls it in every model. */
        float r[64];
        for (int i = 0; i < 64; i++)
            r[i] = 0.7f * (float)tg[i] + (float)(0.2 * am_rng_normal(&rng));
        r[5] = -r[5];
        rc = am_store_recall_real(s, r, NULL, &rng, NULL, &info);
        int signs = 1;
        for (int i = 0; i < 64; i++)
            signs &= (r[i] > 0) == (tg[i] > 0);
        ok(rc == AM_OK && signs, "%s: real-valued recall returns the pattern's signs", desc);
        ok((am_store_add_real(s, r, 1) == AM_EUNSUPPORTED) == (cfgs[k].model != AM_MODEL_MODERN),
           "%s: real patterns are for the modern store only", desc);
        am_patterns *wrong = NULL;
        am_patterns_create(&wrong, 65, 1);
        ok(am_store_add(s, wrong) == AM_ESIZE, "%s: patterns of another dimension are AM_ESIZE", desc);
        am_patterns_free(wrong);
        am_store_free(t);
        am_store_work_free(w);
        am_store_free(s);
    }
    /* A workspace belongs to one model. */
    am_store *h = NULL, *d = NULL;
    am_store_work *wh = NULL;
    am_store_create(&h, &cfgs[0]);
    am_store_create(&d, &cfgs[2]);
    am_store_add(h, x);
    am_store_add(d, x);
    am_store_work_create(&wh, h);
    int8_t q[64];
    am_patterns_get(x, 0, q);
    ok(am_store_recall(d, q, NULL, &rng, wh, NULL) == AM_EINVAL, "a hopfield workspace is refused by a dense store");
    am_store_work_free(wh);
    am_store_free(h);
    am_store_free(d);

    am_store *s = NULL;
    am_store_config c;
    /* The modern store's recall reports in the shared vocabulary, with an energy trace. */
    am_store *ms = NULL;
    am_store_create(&ms, &cfgs[4]);
    am_store_add(ms, x);
    double tr[32];
    am_recall_opts o;
    am_recall_info mi;
    am_recall_opts_default(&o);
    o.trace = tr;
    o.trace_cap = 32;
    am_patterns_get(x, 1, q);
    am_state_flip_k(q, 64, 20, &rng);
    int rc2 = am_store_recall(ms, q, &o, &rng, NULL, &mi);
    int mono = 1;
    for (unsigned k = 1; k < mi.trace_len; k++)
        mono &= tr[k] <= tr[k - 1] + 1e-9;
    ok(rc2 == AM_OK && mi.end == AM_END_FIXED && mi.trace_len == mi.steps + 1 && mono &&
           fabs(tr[mi.trace_len - 1] - mi.energy) < 1e-9,
       "modern through the store API: converges in %u steps, energy trace of %u never rising", mi.steps, mi.trace_len);
    am_store_free(ms);

    /* Bad configurations. */
    am_store_config_default(&c, AM_MODEL_MODERN, 16);
    c.beta = 0;
    ok(am_store_create(&s, &c) == AM_EINVAL && !s, "modern beta 0 is AM_EINVAL");
    am_store_config_default(&c, AM_MODEL_DENSE, 64);
    c.degree = 0;
    ok(am_store_create(&s, &c) == AM_EINVAL && !s, "dense degree 0 is AM_EINVAL");
    am_store_config_default(&c, AM_MODEL_HOPFIELD, 0);
    ok(am_store_create(&s, &c) == AM_EINVAL, "n = 0 is AM_EINVAL");
    c.n = 10;
    c.model = (am_model)9;
    ok(am_store_create(&s, &c) == AM_EINVAL, "unknown model is AM_EINVAL");
    FILE *f = fopen(path, "wb");
    fputs("NOTLIBAM-file", f);
    fclose(f);
    ok(am_store_load(&s, path) == AM_EFORMAT, "a foreign file is AM_EFORMAT");
    f = fopen(path, "wb");
    fputs("LIBA", f);
    fclose(f);
    ok(am_store_load(&s, path) == AM_ETRUNC, "a file cut inside the magic is AM_ETRUNC");
    ok(am_store_load(&s, "/nonexistent/x") == AM_ERRNO(ENOENT), "a missing file is ENOENT");
    am_model m;
    ok(am_model_parse("dense", &m) == AM_OK && m == AM_MODEL_DENSE && am_model_parse("x", &m) == AM_EINVAL,
       "model names parse");
    am_store_free(NULL);
    am_store_work_free(NULL);
    remove(path);
    am_patterns_free(x);
    return done_testing();
}
