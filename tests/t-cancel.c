/* The cancel hook (am/cancel.h): installing and nesting hooks per thread, and every long call it reaches, each
 * twice: with a hook that never stops it (the results must be those without a hook, bit for bit, and the call
 * must have polled), and with a hook that stops it after a few polls (AM_ECANCELED, and the state the headers
 * promise). Calls on several threads are checked at 1 and 2 threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "tap.h"

/* A hook that counts its polls (from any thread) and says stop from poll `after` + 1 on (after < 0: never). */
typedef struct counter {
    int polls, after;
} counter;

static int poll_count(void *ctx)
{
    counter *c = ctx;
    int k = __atomic_add_fetch(&c->polls, 1, __ATOMIC_RELAXED);
    return c->after >= 0 && k > c->after;
}

static am_cancel hook_of(counter *c, int after)
{
    c->polls = 0;
    c->after = after;
    return (am_cancel){poll_count, c};
}

/* The hook of this thread, read from another thread. */
static void *other_thread(void *out)
{
    *(const am_cancel **)out = am_cancel_current();
    *((int *)out + 2) = am_cancel_poll();
    return NULL;
}

static void api(void)
{
    counter a, b;
    am_cancel ha = hook_of(&a, -1), hb = hook_of(&b, 0);
    ok(am_cancel_current() == NULL && am_cancel_poll() == AM_OK, "no hook: polls say go on");
    ok(am_cancel_swap(&ha) == NULL && am_cancel_current() == &ha, "a hook installed");
    ok(am_cancel_poll() == AM_OK && a.polls == 1, "... polled once, it says go on");
    ok(am_cancel_swap(&hb) == &ha && am_cancel_poll() == AM_ECANCELED && b.polls == 1, "a nested hook says stop");
    ok(am_cancel_swap(&ha) == &hb && am_cancel_poll() == AM_OK, "the outer one back");
    struct {
        const am_cancel *seen;
        int rc;
    } t = {&ha, -1};
    pthread_t th;
    pthread_create(&th, NULL, other_thread, &t);
    pthread_join(th, NULL);
    ok(t.seen == NULL && t.rc == AM_OK, "hooks are per thread");
    ok(am_cancel_swap(NULL) == &ha && am_cancel_current() == NULL, "removed");
    ok(strcmp(am_strerror(AM_ECANCELED), "cancelled") == 0, "AM_ECANCELED says 'cancelled'");
}

/* ---- recall and stability -------------------------------------------------------------------------------- */

static am_store *make_store(const char *model, size_t n, size_t p, const char *rule)
{
    am_store_config c;
    am_store *s = NULL;
    am_patterns *pats = NULL;
    am_rng rng;
    am_rng_init(&rng, 7, 0);
    am_store_config_init(&c, model, n);
    if (!strcmp(model, "hopfield"))
        am_store_config_set(&c, "rule", rule, NULL, 0);
    if (!strcmp(model, "modern"))
        am_store_config_set(&c, "beta", "0.05", NULL, 0);
    am_store_create(&s, &c);
    am_patterns_create(&pats, n, p);
    am_patterns_random(pats, &rng);
    am_store_add(s, pats);
    am_patterns_free(pats);
    return s;
}

/* A recall from a random cue with options o under hook (NULL: none): status, final state, info. */
static int recall_with(const am_store *s, const am_recall_opts *o, const am_cancel *hook, int8_t *state,
                       am_recall_info *info)
{
    am_rng rng;
    am_rng_init(&rng, 11, 0);
    for (size_t i = 0; i < am_store_n(s); i++)
        state[i] = am_rng_u64(&rng) >> 63 ? 1 : -1;
    const am_cancel *outer = am_cancel_swap(hook);
    int rc = am_store_recall(s, state, o, &rng, NULL, info);
    am_cancel_swap(outer);
    return rc;
}

static void quiet(const am_recall_event *ev, void *ctx)
{
    (void)ev;
    (void)ctx;
}

static void check_recall(const char *what, const am_store *s, const am_recall_opts *o)
{
    size_t n = am_store_n(s);
    int8_t *a = malloc(n), *b = malloc(n);
    am_recall_info ia, ib;
    counter c;
    am_cancel never = hook_of(&c, -1);
    int ra = recall_with(s, o, NULL, a, &ia), rb = recall_with(s, o, &never, b, &ib);
    ok(ra == AM_OK && rb == AM_OK && !memcmp(a, b, n) && ia.steps == ib.steps && ia.flips == ib.flips &&
           ia.energy == ib.energy && ia.end == ib.end && c.polls >= (int)ib.steps,
       "%s: the same recall under a hook that never stops it (%u sweeps, %d polls)", what, ib.steps, c.polls);
    am_cancel stop = hook_of(&c, 1);
    is_int(recall_with(s, o, &stop, b, &ib), AM_ECANCELED, "%s: stopped at the second poll", what);
    free(a);
    free(b);
}

static void check_stability(const char *what, const am_store *s)
{
    size_t p = am_store_count(s), *a = calloc(p, sizeof *a), *b = calloc(p, sizeof *b);
    counter c;
    am_cancel never = hook_of(&c, -1), stop;
    int ra = am_store_stability(s, a);
    const am_cancel *outer = am_cancel_swap(&never);
    int rb = am_store_stability(s, b);
    stop = hook_of(&c, 0);
    am_cancel_swap(&stop);
    int rc = am_store_stability(s, b);
    am_cancel_swap(outer);
    ok(ra == AM_OK && rb == AM_OK && !memcmp(a, b, p * sizeof *a), "%s stability: the same under a hook", what);
    is_int(rc, AM_ECANCELED, "%s stability: cancelled", what);
    free(a);
    free(b);
}

static void recalls(void)
{
    am_recall_opts o;
    am_recall_opts_default(&o);
    am_store *h = make_store("hopfield", 5000, 40, "hebb"); /* patterns path, 2 blocks a sweep */
    check_recall("hopfield, fused sweeps of 5000 units", h, &o);
    /* The fused sweep runs in blocks of the order now: a monitored recall (the general loop, whole sweeps) still
     * reaches the same state. */
    {
        int8_t *a = malloc(5000), *b = malloc(5000);
        am_recall_info ia, ib;
        am_recall_opts m = o;
        m.monitor = quiet;
        recall_with(h, &o, NULL, a, &ia);
        recall_with(h, &m, NULL, b, &ib);
        ok(!memcmp(a, b, 5000) && ia.steps == ib.steps && ia.flips == ib.flips,
           "hopfield: fused sweeps in blocks end where the general loop does (%u sweeps)", ia.steps);
        free(a);
        free(b);
    }
    am_store_free(h);
    h = make_store("hopfield", 300, 30, "hebb");
    o.dynamics = AM_DYN_GLAUBER;
    o.temperature = 0.4;
    o.max_steps = 50;
    check_recall("hopfield, Glauber (the general loop)", h, &o);
    o.dynamics = AM_DYN_SYNC;
    o.temperature = 0;
    check_recall("hopfield, synchronous", h, &o);
    check_stability("hopfield (patterns path)", h);
    am_store_free(h);
    am_recall_opts_default(&o);
    h = make_store("hopfield", 200, 150, "hebb"); /* 2P > n: the matrix path */
    check_recall("hopfield, matrix path", h, &o);
    check_stability("hopfield (matrix path)", h);
    am_store_free(h);
    h = make_store("dense", 300, 60, "hebb");
    check_recall("dense", h, &o);
    o.dynamics = AM_DYN_SYNC;
    check_recall("dense, synchronous", h, &o);
    check_stability("dense", h);
    am_store_free(h);
    am_recall_opts_default(&o);
    h = make_store("modern", 64, 100, "hebb");
    check_recall("modern", h, &o);
    check_stability("modern", h);
    am_store_free(h);
}

/* ---- learning: a cancelled Storkey rule keeps the patterns it learned ---------------------------------------- */

static void storkey(void)
{
    am_patterns *pats = NULL, *three = NULL;
    am_hopfield *h = NULL, *ref = NULL;
    am_rng rng;
    am_rng_init(&rng, 5, 0);
    am_patterns_create(&pats, 100, 6);
    am_patterns_random(pats, &rng);
    am_patterns_create(&three, 100, 3);
    memcpy(three->bits, pats->bits, 3 * pats->words * sizeof(uint64_t));
    am_hopfield_create(&h, 100, AM_RULE_STORKEY);
    am_hopfield_create(&ref, 100, AM_RULE_STORKEY);
    am_hopfield_store(ref, three);
    counter c;
    am_cancel stop = hook_of(&c, 2); /* polls after patterns 0, 1 say go on; the one after 2 says stop */
    const am_cancel *outer = am_cancel_swap(&stop);
    int rc = am_hopfield_store(h, pats);
    am_cancel_swap(outer);
    float *w = malloc(100 * 100 * sizeof *w), *wr = malloc(100 * 100 * sizeof *wr);
    am_hopfield_weights(h, w);
    am_hopfield_weights(ref, wr);
    ok(rc == AM_ECANCELED && am_hopfield_count(h) == 3, "Storkey cancelled after the third pattern keeps three (%zu)",
       am_hopfield_count(h));
    ok(!memcmp(w, wr, 100 * 100 * sizeof *w), "... with the weights of a store that learned just those three");
    ok(am_hopfield_store(h, pats) == AM_OK && am_hopfield_count(h) == 9, "... and it learns on");
    am_hopfield_free(h);
    am_hopfield_create(&h, 100, AM_RULE_STORKEY);
    am_cancel now = hook_of(&c, 0);
    outer = am_cancel_swap(&now);
    rc = am_hopfield_store(h, pats);
    am_cancel_swap(outer);
    ok(rc == AM_ECANCELED && am_hopfield_count(h) == 1, "stopped at once, it still learns the first pattern (%zu)",
       am_hopfield_count(h));
    free(w);
    free(wr);
    am_hopfield_free(h);
    am_hopfield_free(ref);
    am_patterns_free(pats);
    am_patterns_free(three);
}

/* ---- the capacity measurement at 1 and 2 threads ----------------------------------------------------------- */

static void capacity(void)
{
    am_capacity_opts o;
    am_capacity_point a[2], b[2];
    size_t ps[2] = {10, 25};
    am_capacity_opts_default(&o, am_store_type_find("hopfield"), 100);
    for (int threads = 1; threads <= 2; threads++) {
        counter c;
        am_cancel never = hook_of(&c, -1), stop;
        int ra = am_capacity_measure(&o, ps, 2, 4, threads, a);
        const am_cancel *outer = am_cancel_swap(&never);
        int rb = am_capacity_measure(&o, ps, 2, 4, threads, b);
        int polls = c.polls;
        stop = hook_of(&c, 3);
        am_cancel_swap(&stop);
        int rc = am_capacity_measure(&o, ps, 2, 4, threads, b);
        am_cancel_swap(outer);
        ok(ra == AM_OK && rb == AM_OK && !memcmp(a, b, sizeof a) && polls >= 8,
           "capacity at %d thread%s: the same numbers under a hook (%d polls)", threads, threads > 1 ? "s" : "", polls);
        is_int(rc, AM_ECANCELED, "capacity at %d thread%s: cancelled", threads, threads > 1 ? "s" : "");
    }
}

/* ---- autoencoder and PCA ---------------------------------------------------------------------------------------- */

static void autoencoder(void)
{
    am_ae_config cfg;
    am_ae *a = NULL, *b = NULL;
    am_ae_trainer *ta = NULL, *tb = NULL;
    am_dataset *ds = NULL;
    am_rng rng, ra, rb;
    am_ae_train_opts o;
    am_ae_config_parse(&cfg, "16,8,4,8,16", "relu", NULL, "sigmoid", "bce");
    am_rng_init(&rng, 1, 0);
    am_ae_create(&a, &cfg, &rng);
    am_rng_init(&rng, 1, 0);
    am_ae_create(&b, &cfg, &rng);
    am_dataset_create(&ds, 100, 16, 0);
    for (size_t i = 0; i < 100 * 16; i++)
        ds->x[i] = (float)((i * 7919) % 100) / 100.0f;
    am_ae_train_opts_default(&o);
    o.batch = 10;
    am_ae_trainer_create(&ta, a, &o);
    am_ae_trainer_create(&tb, b, &o);
    am_rng_init(&ra, 2, 0);
    am_rng_init(&rb, 2, 0);
    double la = 0, lb = 0;
    counter c;
    am_cancel never = hook_of(&c, -1), stop;
    int r1 = am_ae_train_epoch(ta, ds, &ra, NULL, NULL, &la);
    const am_cancel *outer = am_cancel_swap(&never);
    int r2 = am_ae_train_epoch(tb, ds, &rb, NULL, NULL, &lb);
    int polls = c.polls;
    size_t np;
    float *pa = am_ae_params(a, &np);
    ok(r1 == AM_OK && r2 == AM_OK && la == lb && !memcmp(pa, am_ae_params(b, NULL), np * sizeof *pa) && polls == 10,
       "an epoch under a hook: the same loss and parameters (polled before each of its 10 steps: %d)", polls);
    stop = hook_of(&c, 3);
    am_cancel_swap(&stop);
    size_t before = am_ae_trainer_steps(tb);
    is_int(am_ae_train_epoch(tb, ds, &rb, NULL, NULL, &lb), AM_ECANCELED, "an epoch cancelled at its fourth poll");
    is_int(am_ae_trainer_steps(tb) - before, 3, "... keeps the 3 steps it made");
    float *za = malloc(100 * 4 * sizeof *za), *zb = malloc(100 * 4 * sizeof *zb);
    double ma, mb, ba, bb;
    never = hook_of(&c, -1);
    am_cancel_swap(&never);
    int e1 = am_ae_encode(a, ds->x, 100, za), v1 = am_ae_evaluate(a, ds->x, 100, &ma, &ba);
    am_cancel_swap(NULL);
    int e2 = am_ae_encode(a, ds->x, 100, zb), v2 = am_ae_evaluate(a, ds->x, 100, &mb, &bb);
    ok(!e1 && !e2 && !v1 && !v2 && !memcmp(za, zb, 100 * 4 * sizeof *za) && ma == mb && ba == bb,
       "encode and evaluate: the same under a hook");
    stop = hook_of(&c, 0);
    am_cancel_swap(&stop);
    ok(am_ae_encode(a, ds->x, 100, za) == AM_ECANCELED && am_ae_evaluate(a, ds->x, 100, &ma, &ba) == AM_ECANCELED,
       "encode and evaluate: cancelled");
    am_cancel_swap(outer);
    free(za);
    free(zb);
    am_ae_trainer_free(ta);
    am_ae_trainer_free(tb);
    am_ae_free(a);
    am_ae_free(b);
    am_dataset_free(ds);
}

static void pca(void)
{
    size_t n = 3000, dim = 20;
    float *x = malloc(n * dim * sizeof *x), *za = malloc(n * 3 * sizeof *za), *zb = malloc(n * 3 * sizeof *zb);
    am_rng rng;
    am_rng_init(&rng, 3, 0);
    for (size_t i = 0; i < n * dim; i++)
        x[i] = (float)am_rng_normal(&rng) * (float)(1 + i % dim);
    am_pca *a = NULL, *b = NULL, *c3 = NULL;
    counter c;
    am_cancel never = hook_of(&c, -1), stop;
    int ra = am_pca_fit(&a, x, n, dim, 3);
    const am_cancel *outer = am_cancel_swap(&never);
    int rb = am_pca_fit(&b, x, n, dim, 3);
    ok(!ra && !rb && !memcmp(a->components, b->components, 3 * dim * sizeof(float)) &&
           !memcmp(a->variance, b->variance, 3 * sizeof(double)) && c.polls > 1,
       "PCA under a hook: the same components (%d polls)", c.polls);
    ok(!am_pca_encode(a, x, n, za) && !am_pca_decode(a, za, n, x), "encode and decode under a hook");
    stop = hook_of(&c, 1);
    am_cancel_swap(&stop);
    ok(am_pca_fit(&c3, x, n, dim, 3) == AM_ECANCELED && c3 == NULL, "PCA cancelled: nothing fitted");
    stop = hook_of(&c, 1);
    ok(am_pca_encode(a, x, n, zb) == AM_ECANCELED, "encode of 3000 rows cancelled at its second chunk");
    stop = hook_of(&c, 0);
    ok(am_pca_decode(a, za, n, x) == AM_ECANCELED, "decode cancelled");
    am_cancel_swap(outer);
    am_pca_free(a);
    am_pca_free(b);
    free(x);
    free(za);
    free(zb);
}

/* ---- spiking networks, the graded network, the XOR motif ------------------------------------------------------- */

static am_snn *network(size_t count)
{
    am_snn *n = NULL;
    am_lif_params p;
    am_lif_params_default(&p);
    p.syn = AM_SYN_CURRENT;
    p.drive = 12;
    p.v0_sd = 5;
    p.ext_rate = 100;
    p.ext_weight = 1;
    am_snn_create(&n, 0.1, AM_INT_EXACT, 9);
    am_snn_add(n, count, &p, NULL);
    am_conn c = {AM_CONN_INDEGREE, 0, 10, 0.5, 0, 1.0, 0};
    am_snn_connect(n, 0, count, 0, count, &c);
    return n;
}

static void spiking(void)
{
    for (int threads = 1; threads <= 2; threads++) {
        size_t count = threads == 1 ? 500 : 140000; /* threads are used from 64k neurons each */
        am_snn *a = network(count), *b = network(count), *c2 = network(count);
        counter c;
        am_cancel never = hook_of(&c, -1), stop;
        int ra = am_snn_run(a, 60, NULL, threads);
        const am_cancel *outer = am_cancel_swap(&never);
        int rb = am_snn_run(b, 60, NULL, threads);
        int polls = c.polls;
        stop = hook_of(&c, 7);
        am_cancel_swap(&stop);
        int rc = am_snn_run(c2, 60, NULL, threads);
        uint64_t at = am_snn_step_count(c2);
        am_cancel_swap(outer);
        int rd = am_snn_run(c2, 60 - at, NULL, threads);
        ok(!ra && !rb && polls == 60 && !memcmp(am_snn_spike_counts(a), am_snn_spike_counts(b), count * 8),
           "%zu neurons at %d thread%s: the same spikes under a hook, polled every step", count, threads,
           threads > 1 ? "s" : "");
        ok(rc == AM_ECANCELED && at == 8, "... cancelled after a whole step (step %llu)", (unsigned long long)at);
        ok(!rd && !memcmp(am_snn_spike_counts(a), am_snn_spike_counts(c2), count * 8) &&
               !memcmp(am_snn_v(a), am_snn_v(c2), count * sizeof(float)),
           "... and run on from there, it ends as the run that was never stopped");
        am_snn_free(a);
        am_snn_free(b);
        am_snn_free(c2);
    }
    am_snn *n = NULL, *m = NULL;
    am_lif_params p;
    am_lif_params_default(&p);
    am_snn_create(&n, 0.1, AM_INT_EXACT, 9);
    am_snn_create(&m, 0.1, AM_INT_EXACT, 9);
    am_snn_add(n, 200, &p, NULL);
    am_snn_add(m, 200, &p, NULL);
    am_conn cn = {AM_CONN_PROB, 0.3, 0, 1.0, 1, 0.5, 0};
    counter c;
    am_cancel stop = hook_of(&c, 50);
    const am_cancel *outer = am_cancel_swap(&stop);
    int rc = am_snn_connect(n, 0, 200, 0, 200, &cn);
    am_cancel_swap(outer);
    ok(rc == AM_ECANCELED && am_snn_synapses(n) == 0, "a projection cancelled half way adds no synapse");
    ok(!am_snn_connect(n, 0, 200, 0, 200, &cn) && !am_snn_connect(m, 0, 200, 0, 200, &cn) &&
           am_snn_synapses(n) == am_snn_synapses(m) && am_snn_synapses(n) > 0,
       "... and the same projection then draws what it draws in a fresh network");
    am_snn_free(n);
    am_snn_free(m);
}

/* ---- graphs: motif counts and listings, rewiring, synthetic graphs, the null model ---------------------------- */

static int count_one(const uint32_t *nodes, void *ctx)
{
    (void)nodes;
    ++*(uint64_t *)ctx;
    return 0;
}

static void graphs(void)
{
    am_graph *g = NULL, *r = NULL, *s = NULL;
    ok(!am_graph_synthetic(&g, 3000, 60000, 0.2, 1.0, 5), "a synthetic graph of 60000 edges");
    counter c, d;
    am_cancel never, stop;
    const am_cancel *outer;
    for (int threads = 1; threads <= 2; threads++) {
        uint64_t plain = 0, hooked = 0, cut = 7;
        int ra = am_graph_count(g, AM_MOTIF_XOR, threads, &plain);
        never = hook_of(&c, -1);
        outer = am_cancel_swap(&never);
        int rb = am_graph_count(g, AM_MOTIF_XOR, threads, &hooked);
        stop = hook_of(&d, 5);
        am_cancel_swap(&stop);
        int rc = am_graph_count(g, AM_MOTIF_XOR, threads, &cut);
        am_cancel_swap(outer);
        ok(!ra && !rb && plain == hooked && plain > 0 && c.polls > 100,
           "am_graph_count at %d thread%s: the same count under a hook (%llu), polled per hub (%d)", threads,
           threads > 1 ? "s" : "", (unsigned long long)plain, c.polls);
        ok(rc == AM_ECANCELED && cut == 0, "... cancelled: AM_ECANCELED, no count");
    }
    uint64_t seen = 0;
    stop = hook_of(&d, 5);
    outer = am_cancel_swap(&stop);
    int rc = am_graph_each(g, AM_MOTIF_XOR, count_one, &seen);
    int re = am_graph_rewire(g, 10, 3, &r, NULL);
    stop = hook_of(&d, 0);
    int rs = am_graph_synthetic(&s, 3000, 60000, 0.2, 1.0, 5);
    am_cancel_swap(outer);
    ok(rc == AM_ECANCELED && re == AM_ECANCELED && !r && rs == AM_ECANCELED && !s,
       "am_graph_each, am_graph_rewire (10 attempts per edge) and am_graph_synthetic cancelled: no graph made");
    static const am_motif ms[2] = {AM_MOTIF_XOR, AM_MOTIF_LATERAL};
    uint64_t a[8 * 2], b[8 * 2], x[8 * 2];
    for (int threads = 1; threads <= 2; threads++) {
        int ra = am_graph_null(g, ms, 2, 8, 2, 11, threads, a);
        never = hook_of(&c, -1);
        outer = am_cancel_swap(&never);
        int rb = am_graph_null(g, ms, 2, 8, 2, 11, threads, b);
        stop = hook_of(&d, 20);
        am_cancel_swap(&stop);
        rc = am_graph_null(g, ms, 2, 8, 2, 11, threads, x);
        am_cancel_swap(outer);
        ok(!ra && !rb && !memcmp(a, b, sizeof a) && c.polls > 8 * 100,
           "am_graph_null at %d thread%s: the same counts under a hook, polled inside each graph (%d)", threads,
           threads > 1 ? "s" : "", c.polls);
        ok(rc == AM_ECANCELED, "... cancelled: AM_ECANCELED");
    }
    am_graph_free(g);
}

static void graded(void)
{
    size_t n = 50;
    float *w = calloc(n * n, sizeof *w), *u = malloc(n * sizeof *u), *v = malloc(n * sizeof *v);
    double ea[21], eb[21];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            w[i * n + j] = i == j ? 0.0f : (float)((i + j) % 7) / 7.0f - 0.4f;
    am_graded *g = NULL;
    am_graded_create(&g, n, w, NULL, AM_GAIN_TANH, 2, 1);
    for (size_t i = 0; i < n; i++)
        u[i] = v[i] = 0.01f * (float)(i % 5);
    counter c;
    am_cancel never = hook_of(&c, -1), stop;
    int ra = am_graded_run(g, u, 0.05, 20, AM_ODE_RK4, ea);
    const am_cancel *outer = am_cancel_swap(&never);
    int rb = am_graded_run(g, v, 0.05, 20, AM_ODE_RK4, eb);
    ok(!ra && !rb && !memcmp(u, v, n * sizeof *u) && !memcmp(ea, eb, sizeof ea) && c.polls == 20,
       "graded run under a hook: the same trajectory, polled every step");
    for (size_t i = 0; i < n; i++)
        u[i] = v[i] = 0.01f * (float)(i % 5);
    stop = hook_of(&c, 3);
    am_cancel_swap(&stop);
    int rc = am_graded_run(g, v, 0.05, 20, AM_ODE_RK4, eb);
    am_cancel_swap(outer);
    am_graded_run(g, u, 0.05, 3, AM_ODE_RK4, ea);
    ok(rc == AM_ECANCELED && !memcmp(u, v, n * sizeof *u) && !memcmp(ea, eb, 4 * sizeof *ea),
       "graded run cancelled at its fourth step: u and the energies of the three steps made");
    am_graded_free(g);
    free(w);
    free(u);
    free(v);

    am_xor_params xp;
    uint64_t ka[AM_XOR_ROLES], kb[AM_XOR_ROLES];
    am_xor_params_default(&xp);
    xp.bg_rate = 100;
    int xa = am_xor_trial(&xp, 1, 0, 4, ka, NULL);
    never = hook_of(&c, -1);
    outer = am_cancel_swap(&never);
    int xb = am_xor_trial(&xp, 1, 0, 4, kb, NULL);
    stop = hook_of(&c, 10);
    am_cancel_swap(&stop);
    int xc = am_xor_trial(&xp, 1, 0, 4, kb, NULL);
    am_cancel_swap(outer);
    ok(!xa && !xb && !memcmp(ka, kb, sizeof ka), "an XOR trial under a hook: the same counts");
    is_int(xc, AM_ECANCELED, "an XOR trial cancelled");
}

/* ---- pattern generators that draw unit by unit ------------------------------------------------------------- */

/* fill(p, rng) under a hook that never stops it (the same set as without one, having polled) and one that stops
 * it at its second poll. */
static void check_fill(const char *what, int (*fill)(am_patterns *p, am_rng *rng))
{
    am_patterns *a = NULL, *b = NULL;
    am_patterns_create(&a, 1000, 300);
    am_patterns_create(&b, 1000, 300);
    am_rng ra, rb;
    am_rng_init(&ra, 4, 0);
    am_rng_init(&rb, 4, 0);
    counter c;
    am_cancel never = hook_of(&c, -1), stop;
    int rc = fill(a, &ra);
    const am_cancel *outer = am_cancel_swap(&never);
    rc |= fill(b, &rb);
    ok(!rc && !memcmp(a->bits, b->bits, 300 * a->words * sizeof *a->bits) && c.polls > 1,
       "%s under a hook: the same patterns (%d polls)", what, c.polls);
    stop = hook_of(&c, 1);
    am_cancel_swap(&stop);
    ok(fill(b, &rb) == AM_ECANCELED && c.polls == 2, "%s of 300 x 1000 units cancelled at its second poll", what);
    am_cancel_swap(outer);
    am_patterns_free(a);
    am_patterns_free(b);
}

static int fill_biased(am_patterns *p, am_rng *rng) { return am_patterns_biased(p, 0.3, rng); }
static int fill_correlated(am_patterns *p, am_rng *rng) { return am_patterns_correlated(p, 0.1, NULL, rng); }

static void patterns(void)
{
    check_fill("am_patterns_biased", fill_biased);
    check_fill("am_patterns_correlated", fill_correlated);
}

/* ---- the audio front-end and the spelling encoder ------------------------------------------------------------ */

typedef struct audio_case {
    am_stft *s;
    float *x, *mag;
    size_t n, frames;
    const char **words;
} audio_case;

/* Each call writes `bytes` bytes of results to out. */
static int c_magnitude(audio_case *a, void *out)
{
    am_stft_work *w = NULL;
    int rc = am_stft_work_create(&w, a->s);
    rc = rc ? rc : am_stft_magnitude(a->s, w, a->x, a->n, a->frames, out);
    am_stft_work_free(w);
    return rc;
}
static int c_features(audio_case *a, void *out)
{
    am_stft_work *w = NULL;
    int rc = am_stft_work_create(&w, a->s);
    rc = rc ? rc : am_stft_features(a->s, w, a->x, a->n, a->frames, out);
    am_stft_work_free(w);
    return rc;
}
static int c_griffin_lim(audio_case *a, void *out) { return am_stft_griffin_lim(a->s, a->mag, a->frames, 2, 1, out, NULL); }
static int c_resample(audio_case *a, void *out)
{
    float *y = NULL;
    size_t m = 0;
    int rc = am_audio_resample(a->x, a->n, 16000, 11025, &y, &m);
    if (!rc)
        memcpy(out, y, m * sizeof *y);
    free(y);
    return rc;
}
static int c_encode(audio_case *a, void *out)
{
    am_word_encoder *e = NULL;
    int rc = am_word_encoder_create(&e, 256, 1);
    rc = rc ? rc : am_word_encode_many(e, a->words, 300, out);
    am_word_encoder_free(e);
    return rc;
}

/* fn under a hook that never stops: the result without one, having polled more than once; under one that stops
 * at the second poll: AM_ECANCELED. */
static void check_audio(const char *what, int (*fn)(audio_case *, void *), audio_case *a, size_t bytes)
{
    char *plain = calloc(1, bytes), *hooked = calloc(1, bytes);
    counter c;
    am_cancel never = hook_of(&c, -1), stop;
    int r0 = fn(a, plain);
    const am_cancel *outer = am_cancel_swap(&never);
    int r1 = fn(a, hooked);
    ok(!r0 && !r1 && !memcmp(plain, hooked, bytes) && c.polls > 1, "%s under a hook: the same result (%d polls)", what,
       c.polls);
    stop = hook_of(&c, 1);
    am_cancel_swap(&stop);
    is_int(fn(a, hooked), AM_ECANCELED, "%s cancelled", what);
    am_cancel_swap(outer);
    free(plain);
    free(hooked);
}

static void audio_words(void)
{
    am_stft_config cfg;
    am_stft_config_default(&cfg);
    audio_case a = {.n = 16000 * 3, .frames = 200};
    if (am_stft_create(&a.s, &cfg, AM_FFT_ESTIMATE))
        return (void)ok(0, "am_stft_create");
    size_t H = am_stft_lbins(a.s);
    a.x = malloc(a.n * sizeof *a.x);
    a.mag = malloc(a.frames * H * sizeof *a.mag);
    a.words = malloc(300 * sizeof *a.words);
    static char text[300][8];
    for (size_t i = 0; i < a.n; i++)
        a.x[i] = (float)(0.3 * sin(0.05 * (double)i * (1.0 + (double)i / (double)a.n)));
    for (size_t i = 0; i < 300; i++) {
        snprintf(text[i], sizeof text[i], "w%zu", i);
        a.words[i] = text[i];
    }
    c_magnitude(&a, a.mag);
    check_audio("am_stft_magnitude (200 frames)", c_magnitude, &a, a.frames * H * sizeof(float));
    check_audio("am_stft_features (200 frames)", c_features, &a, a.frames * am_stft_bins(a.s) * sizeof(float));
    check_audio("Griffin-Lim (200 frames, 2 iterations)", c_griffin_lim, &a, am_stft_span(a.s, a.frames) * sizeof(float));
    check_audio("am_audio_resample (48000 samples)", c_resample, &a, (a.n * 11025 / 16000 + 1) * sizeof(float));
    check_audio("am_word_encode_many (300 words)", c_encode, &a, 300 * 256 * sizeof(float));
    am_word_encoder *e = NULL;
    am_lexicon *l = (am_lexicon *)&a;
    counter c;
    am_cancel stop = hook_of(&c, 1);
    am_word_encoder_create(&e, 256, 1);
    const am_cancel *outer = am_cancel_swap(&stop);
    ok(am_lexicon_create(&l, e, a.words, 300) == AM_ECANCELED && l == NULL, "am_lexicon_create cancelled: nothing made");
    am_cancel_swap(outer);
    am_word_encoder_free(e);
    am_stft_free(a.s);
    free(a.x);
    free(a.mag);
    free(a.words);
}

int main(void)
{
    api();
    patterns();
    recalls();
    storkey();
    capacity();
    autoencoder();
    pca();
    spiking();
    graded();
    audio_words();
    graphs();
    return done_testing();
}
