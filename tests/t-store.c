/* The shared store API: same verbs for every model, load by magic, configuration errors. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "am/sequence.h"
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

/* The contract of a sequence store: the same verbs, recall = synchronous replay steps. */
static void contract_sequence(const am_store_config *cfg, const am_patterns *x, const char *path)
{
    char desc[128];
    am_store *s = NULL, *t = NULL;
    am_store_config_describe(cfg, desc, sizeof desc);
    ok(am_store_create(&s, cfg) == AM_OK && am_store_add(s, x) == AM_OK && am_store_count(s) == x->count &&
           am_sequence_count(s) == 1 && am_sequence_next(s, 2) == 3 && am_sequence_next(s, x->count - 1) == SIZE_MAX,
       "%s: create, add one open sequence", desc);
    int8_t a[64], b[64], want[64];
    am_patterns_get(x, 2, a);
    memcpy(b, a, 64);
    am_patterns_get(x, 3, want);
    am_recall_opts o;
    am_recall_info info;
    am_recall_opts_default(&o);
    o.max_steps = 1;
    mon_log log = {0};
    o.monitor = on_event;
    o.monitor_ctx = &log;
    ok(am_store_recall(s, a, &o, NULL, NULL, &info) == AM_OK && !memcmp(a, want, 64) && info.steps == 1 &&
           isnan(info.energy) && log.events == 2 && log.first_cue,
       "%s: recall takes one step from element 2 to element 3, the monitor sees the cue and the step", desc);
    am_replay_info ri;
    ok(am_sequence_replay(s, b, 2, 1, NULL, NULL, NULL, NULL, &ri) == AM_OK && !memcmp(a, b, 64) && ri.transitions == 1,
       "%s: the same as one replay step", desc);
    size_t u[6];
    ok(am_store_stability(s, u) == AM_OK && u[2] == 0 && u[5] == 0, "%s: stability: the transition from 2 is exact", desc);
    ok(isnan(am_store_energy(s, a)), "%s: no energy (NaN)", desc);
    /* 1 and 2 threads, after save and load */
    int8_t c1[64], c2[64];
    am_patterns_get(x, 0, c1);
    am_rng r;
    am_rng_init(&r, 3, 0);
    am_state_flip_k(c1, 64, 6, &r);
    memcpy(c2, c1, 64);
    int nt = omp_get_max_threads();
    omp_set_num_threads(1);
    int e1 = am_sequence_replay(s, c1, 0, 8, NULL, NULL, NULL, NULL, NULL);
    omp_set_num_threads(2);
    ok(!e1 && am_store_save(s, path) == AM_OK && am_store_load(&t, path) == AM_OK && am_store_type_of(t) == cfg->type &&
           am_sequence_replay(t, c2, 0, 8, NULL, NULL, NULL, NULL, NULL) == AM_OK && !memcmp(c1, c2, 64),
       "%s: the same replay at 1 thread and, after save and load, at 2", desc);
    omp_set_num_threads(nt);
    am_store_config back;
    char d2[128];
    am_store_config_of(t, &back);
    am_store_config_describe(&back, d2, sizeof d2);
    ok(!strcmp(desc, d2), "%s: a loaded store reports its configuration (%s)", desc, d2);
    am_patterns *wrong = NULL;
    am_patterns_create(&wrong, 65, 1);
    ok(am_store_add(s, wrong) == AM_ESIZE && am_store_add_real(s, NULL, 0) == AM_EUNSUPPORTED, "%s: errors", desc);
    am_patterns_free(wrong);
    am_store_free(t);
    am_store_free(s);
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

    /* Every fixed-point store type of the table at its defaults, and variants that take other code paths. */
    static const char *const variants[][3] = {{"hopfield", "rule", "pinv"}, {"dense", "F", "exp"}, {"modern", "beta", "0.5"}};
    am_store_config cfgs[32];
    int ncfg = 0;
    for (const am_store_type *const *t = am_store_types(); *t; t++)
        if (!(am_store_type_flags(*t) & AM_STORE_SEQUENCE))
            am_store_config_default(&cfgs[ncfg++], *t, 64);
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        am_store_config_init(&cfgs[ncfg], variants[v][0], 64);
        ok(am_store_config_set(&cfgs[ncfg++], variants[v][1], variants[v][2], NULL, 0) == AM_OK, "%s %s=%s",
           variants[v][0], variants[v][1], variants[v][2]);
    }
    for (const am_store_type *const *t = am_store_types(); *t; t++)
        if (am_store_type_flags(*t) & AM_STORE_SEQUENCE) {
            am_store_config sc;
            am_store_config_default(&sc, *t, 64);
            contract_sequence(&sc, x, path);
        }
    for (int k = 0; k < ncfg; k++) {
        char desc[64];
        am_store *s = NULL, *t = NULL;
        am_store_work *w = NULL;
        int rc;
        am_store_config_describe(&cfgs[k], desc, sizeof desc);
        ok(am_store_create(&s, &cfgs[k]) == AM_OK && am_store_add(s, x) == AM_OK && am_store_count(s) == 6 &&
               am_store_n(s) == 64 && am_store_type_of(s) == cfgs[k].type,
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
            int modern = (am_store_type_flags(cfgs[k].type) & AM_STORE_SERIAL) == 0; /* one event per update */
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
        ok(am_store_save(s, path) == AM_OK && am_store_load(&t, path) == AM_OK && am_store_type_of(t) == cfgs[k].type &&
               am_store_energy(t, q) == am_store_energy(s, q),
           "%s: save, load by magic, same energy", desc);
        {
            am_store_config back;
            char d1[128], d2[128];
            am_store_config_of(t, &back);
            am_store_config_describe(&back, d2, sizeof d2);
            am_store_config_describe(&cfgs[k], d1, sizeof d1);
            ok(!strcmp(d1, d2), "%s: a loaded store reports its configuration (%s)", desc, d2);
        }
        /* The same recall at 1 and 2 threads (OpenMP inside the store, OpenBLAS held to one). */
        {
            int8_t a1[64], a2[64];
            am_recall_info i1, i2;
            am_rng r1, r2;
            int nt = omp_get_max_threads();
            am_patterns_get(x, 2, a1);
            am_rng_init(&r1, 5, 0);
            am_state_flip_k(a1, 64, 10, &r1);
            memcpy(a2, a1, 64);
            am_rng_init(&r1, 6, 0), am_rng_init(&r2, 6, 0);
            omp_set_num_threads(1);
            int e1 = am_store_recall(s, a1, NULL, &r1, NULL, &i1);
            omp_set_num_threads(2);
            int e2 = am_store_recall(s, a2, NULL, &r2, NULL, &i2);
            omp_set_num_threads(nt);
            ok(!e1 && !e2 && !memcmp(a1, a2, 64) && i1.steps == i2.steps && i1.flips == i2.flips &&
                   i1.energy == i2.energy,
               "%s: the same recall at 1 and 2 threads", desc);
        }
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
        ok((am_store_add_real(s, r, 1) == AM_EUNSUPPORTED) == !(am_store_type_flags(cfgs[k].type) & AM_STORE_REAL),
           "%s: real patterns are for stores of real vectors only", desc);
        ok((am_store_weights(s, NULL) == AM_EUNSUPPORTED) == (am_store_type_find("hopfield") != cfgs[k].type),
           "%s: a weight matrix when the type has one", desc);
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
    am_store_config ch, cd;
    am_store_config_init(&ch, "hopfield", 64);
    am_store_config_init(&cd, "dense", 64);
    am_store_create(&h, &ch);
    am_store_create(&d, &cd);
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
    am_store_config_init(&c, "modern", 64);
    am_store_config_set(&c, "beta", "0.5", NULL, 0);
    am_store_create(&ms, &c);
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
    char why[128];
    am_store_config_init(&c, "modern", 16);
    ok(am_store_config_set(&c, "beta", "0", why, sizeof why) == AM_EINVAL && strstr(why, "must be"),
       "modern beta 0 is AM_EINVAL (%s)", why);
    ok(am_store_config_set(&c, "rule", "hebb", why, sizeof why) == AM_EUNSUPPORTED && strstr(why, "modern has no"),
       "a parameter of another model: AM_EUNSUPPORTED (%s)", why);
    am_store_config_init(&c, "dense", 64);
    ok(am_store_config_set(&c, "degree", "0", NULL, 0) == AM_EINVAL && am_store_config_set(&c, "degree", "2x", NULL, 0) == AM_EINVAL &&
           am_store_config_set(&c, "degree", "", NULL, 0) == AM_EINVAL,
       "dense degree 0, 2x, empty are AM_EINVAL");
    ok(am_store_config_set(&c, "degree", "5", NULL, 0) == AM_OK && am_store_config_get(&c, "degree", why, sizeof why) == AM_OK &&
           !strcmp(why, "5"),
       "set and get a parameter");
    am_store_config_init(&c, "hopfield", 0);
    ok(am_store_create(&s, &c) == AM_EINVAL, "n = 0 is AM_EINVAL");
    ok(am_store_config_init(&c, "gaussian", 10) == AM_EINVAL && am_store_create(&s, &c) == AM_EINVAL && !s,
       "an unknown model is AM_EINVAL");
    /* The table itself: unique names, magics and ids; lookups; every parameter's default reads back. */
    {
        int good = 1, count = 0;
        for (const am_store_type *const *a = am_store_types(); *a; a++, count++) {
            good &= am_store_type_find(am_store_type_name(*a)) == *a && am_store_type_by_id(am_store_type_id(*a)) == *a;
            size_t np;
            const am_store_param *p = am_store_type_params(*a, &np);
            am_store_config d1, d2;
            am_store_config_default(&d1, *a, 8);
            am_store_config_default(&d2, *a, 8);
            for (size_t k = 0; k < np; k++) {
                char v[64];
                good &= am_store_config_get(&d1, p[k].name, v, sizeof v) == AM_OK;
                if (v[0]) /* "" does not apply with the other values */
                    good &= am_store_config_set(&d2, p[k].name, p[k].dflt, NULL, 0) == AM_OK && !strcmp(v, p[k].dflt);
            }
            good &= !memcmp(d1.params.bytes, d2.params.bytes, sizeof d1.params.bytes) && am_store_config_check(&d1, NULL, 0) == 0;
            for (const am_store_type *const *b = a + 1; *b; b++)
                good &= strcmp(am_store_type_name(*a), am_store_type_name(*b)) && am_store_type_id(*a) != am_store_type_id(*b);
        }
        ok(good && count >= 3 && am_store_type_find("x") == NULL && am_store_type_by_id(999) == NULL,
           "the table of %d store types: unique names and ids, lookups, defaults read back", count);
    }
    FILE *f = fopen(path, "wb");
    fputs("NOTLIBAM-file", f);
    fclose(f);
    ok(am_store_load(&s, path) == AM_EFORMAT, "a foreign file is AM_EFORMAT");
    f = fopen(path, "wb");
    fputs("LIBA", f);
    fclose(f);
    ok(am_store_load(&s, path) == AM_ETRUNC, "a file cut inside the magic is AM_ETRUNC");
    ok(am_store_load(&s, "/nonexistent/x") == AM_ERRNO(ENOENT), "a missing file is ENOENT");
    am_store_free(NULL);
    am_store_work_free(NULL);
    remove(path);
    am_patterns_free(x);
    return done_testing();
}
