/* The melody engram (am/engram.h): on synthetic tunes of random ±1 patterns, the signed XOR rule reaches every
 * beat teacher-forced and free-running; the context tells apart tunes that share a phrase and without it the
 * network cannot (the bound it must miss by); feedback alignment and the backprop baseline learn; learnt tunes
 * are more familiar than novel ones; the spiking motif's error teaches the same network as the computed one;
 * the same bits at 1 and 2 threads and under OPENBLAS_CORETYPE=Haswell and unset; every error. */
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../libam/dynamics/engram-internal.h"
#include "am/am.h"
#include "child.h"
#include "tap.h"

extern char **environ;

#define D 24      /* bits per beat */
#define L 12      /* elements per cycle */
#define LAPS 2    /* each tune goes round twice, and back to its first element */
#define T (LAPS * L + 1)
#define NSEQ 4
#define FA_BOUND 3 /* tenths of the sparse tunes' beats feedback alignment gets right */

/* A cyclic tune of L random elements, LAPS times round (T beats); elements [from, from + len) are taken from
 * shared (when not NULL) instead. */
static am_patterns *tune(am_rng *r, const am_patterns *shared, size_t from, size_t len)
{
    am_patterns *cyc = NULL, *p = NULL;
    if (am_patterns_create(&cyc, D, L) || am_patterns_create(&p, D, T))
        abort();
    am_patterns_random(cyc, r);
    int8_t s[D];
    for (size_t i = 0; shared && i < len; i++) {
        am_patterns_get(shared, i, s);
        am_patterns_set(cyc, from + i, s);
    }
    for (size_t t = 0; t < T; t++) {
        am_patterns_get(cyc, t % L, s);
        am_patterns_set(p, t, s);
    }
    am_patterns_free(cyc);
    return p;
}

static void tunes_free(am_patterns **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        am_patterns_free(s[i]);
}

/* Teacher-forced and free-running totals over a set. */
typedef struct {
    size_t beats, tf, fr, first_min;
    uint64_t tf_bits;
} totals;

static totals evaluate(am_engram *g, am_patterns **s, size_t n)
{
    totals t = {.first_min = (size_t)-1};
    for (size_t i = 0; i < n; i++) {
        am_engram_eval ev;
        if (am_engram_evaluate(g, s[i], &ev))
            abort();
        t.beats += ev.beats, t.tf += ev.tf_right, t.fr += ev.fr_right, t.tf_bits += ev.tf_bits_wrong;
        if (ev.fr_first_wrong < t.first_min)
            t.first_min = ev.fr_first_wrong;
    }
    return t;
}

static am_engram *make(am_engram_rule rule, int context, size_t hidden, uint64_t seed, int threads)
{
    am_engram_opts o;
    am_engram_opts_default(&o);
    o.rule = rule, o.context = context, o.hidden = hidden, o.seed = seed, o.threads = threads;
    am_engram *g = NULL;
    if (am_engram_create(&g, D, &o))
        abort();
    return g;
}

#define CS(s) ((const am_patterns *const *)(s))

/* The epochs after which training made no more mistakes (the last epoch with a wrong bit, + 1). */
static size_t settled(const am_engram_counts *c, size_t epochs)
{
    size_t last = 0;
    for (size_t e = 0; e < epochs; e++)
        if (c[e].bits_wrong)
            last = e + 1;
    return last;
}

static const char *rule_name[] = {"signed XOR, fixed expansion", "signed XOR, feedback alignment", "backprop"};

/* Learns the set of NSEQ tunes with no shared phrase: returns the totals after `epochs`. */
static totals learn(am_engram *g, am_patterns **set, size_t n, size_t epochs, am_engram_counts *curve, size_t *when)
{
    if (am_engram_train(g, CS(set), n, epochs, curve))
        abort();
    *when = settled(curve, epochs);
    return evaluate(g, set, n);
}

static void test_learnable(am_patterns **set)
{
    enum { E = 300 };
    static am_engram_counts curve[E];
    size_t when;
    am_engram *g = make(AM_ENGRAM_FIXED, 1, 256, 1, 1);
    am_engram_train(g, CS(set), NSEQ, 2, curve);
    totals p = evaluate(g, set, NSEQ);
    diag("signed XOR, fixed expansion, context, H 256 k 16, after 2 epochs: teacher-forced %zu/%zu beats, free-running %zu/%zu",
         p.tf, p.beats, p.fr, p.beats);
    totals t = learn(g, set, NSEQ, 48, curve + 2, &when);
    ok(curve[0].beats == NSEQ * (T - 1) && curve[0].bits_wrong > 100 && curve[49].bits_wrong == 0,
       "learning curve: %llu wrong bits in epoch 1, none in epoch 50 (settled after %zu)", (unsigned long long)curve[0].bits_wrong,
       when + 2);
    ok(t.tf == t.beats && t.tf_bits == 0, "%s: teacher-forced %zu/%zu beats of %d tunes", rule_name[0], t.tf, t.beats, NSEQ);
    ok(t.fr == t.beats && t.first_min == T, "free-running from the first beat: %zu/%zu beats, no wrong beat", t.fr, t.beats);
    ok(p.tf < p.beats, "after 2 epochs it is not there yet (%zu/%zu)", p.tf, p.beats);
    am_engram_free(g);
    for (int rule = 1; rule <= 2; rule++)
        for (int ctx = 0; ctx <= 1; ctx++) {
            g = make(rule, ctx, 256, 1, 1);
            size_t epochs = rule == AM_ENGRAM_FA ? E : 60;
            t = learn(g, set, NSEQ, epochs, curve, &when);
            ok(t.tf == t.beats && t.fr == t.beats, "%s, context %s: teacher-forced %zu/%zu, free-running %zu/%zu after %zu epochs (settled after %zu)",
               rule_name[rule], ctx ? "on" : "off", t.tf, t.beats, t.fr, t.beats, epochs, when);
            am_engram_free(g);
        }
}

/* Three tunes share a phrase of 6 elements (positions 4 .. 9 of 12), each going on differently after it. */
static void test_shared(am_rng *r)
{
    enum { E = 60, NS = 3, PL = 6 };
    am_patterns *phrase = NULL, *sh[NS];
    am_patterns_create(&phrase, D, PL);
    am_patterns_random(phrase, r);
    for (int i = 0; i < NS; i++)
        sh[i] = tune(r, phrase, 4, PL);
    static am_engram_counts curve[200];
    size_t when;
    am_engram *g = make(AM_ENGRAM_FIXED, 1, 256, 1, 1);
    totals t = learn(g, sh, NS, E, curve, &when);
    ok(t.tf == t.beats && t.fr == t.beats,
       "shared phrase, with context: teacher-forced %zu/%zu, free-running %zu/%zu (settled after %zu epochs)", t.tf, t.beats, t.fr,
       t.beats, when);
    am_engram_free(g);
    g = make(AM_ENGRAM_FIXED, 0, 256, 1, 1);
    t = learn(g, sh, NS, E, curve, &when);
    /* Without a context the beat after the phrase is one prediction from one input: at most one of the three
     * successors is right, on each lap. */
    ok(t.beats - t.tf >= (NS - 1) * LAPS,
       "shared phrase, no context: %zu beats wrong teacher-forced (it must miss >= %d), free-running %zu/%zu", t.beats - t.tf,
       (NS - 1) * LAPS, t.fr, t.beats);
    am_engram_free(g);
    for (int rule = 1; rule <= 2; rule++) {
        g = make(rule, 1, 256, 1, 1);
        t = learn(g, sh, NS, 200, curve, &when);
        diag("shared phrase, with context, %s, 200 epochs: teacher-forced %zu/%zu, free-running %zu/%zu", rule_name[rule], t.tf, t.beats,
             t.fr, t.beats);
        am_engram_free(g);
    }
    tunes_free(sh, NS);
    am_patterns_free(phrase);
}

/* Backprop's gradient against central differences of its cross-entropy, at a beat with a context that is not
 * zero and an output bias that is not the initial one, on every parameter of a small network. */
static void test_gradient(void)
{
    enum { GD = 5, GH = 6 };
    am_engram_opts o;
    am_engram_opts_default(&o);
    o.rule = AM_ENGRAM_BACKPROP, o.hidden = GH;
    am_engram *g = NULL;
    if (am_engram_create(&g, GD, &o))
        abort();
    float x0[GD] = {1, 0, 0, 1, 0}, x1[GD] = {0, 1, 0, 0, 1}, x2[GD] = {0, 0, 1, 1, 0}, y[GD];
    size_t n = am__engram_params(g), worst_k = 0;
    float *grad = malloc(n * sizeof *grad);
    for (size_t i = 0; i < GD; i++)
        *am__engram_param(g, n - GD + i) = 0.2f * (float)i - 0.5f; /* v0 */
    double loss, lp, lm, worst = 0, eps = 1e-2;
    am_engram_reset(g);
    am_engram_predict(g, x0, y); /* the context: the hidden code of beat x0 */
    int rc = am__engram_backprop_grad(g, x1, x2, &loss, grad);
    for (size_t k = 0; !rc && k < n; k++) {
        float *p = am__engram_param(g, k), keep = *p;
        *p = keep + (float)eps;
        rc = am__engram_backprop_grad(g, x1, x2, &lp, NULL);
        *p = keep - (float)eps;
        rc = rc ? rc : am__engram_backprop_grad(g, x1, x2, &lm, NULL);
        *p = keep;
        double num = (lp - lm) / (2 * eps), err = fabs(num - grad[k]) / (1e-2 + fabs(num));
        if (err > worst)
            worst = err, worst_k = k;
    }
    ok(!rc && worst < 1e-2, "backprop's gradient against central differences on all %zu parameters (loss %.3f): worst relative error %.2g at %zu",
       n, loss, worst, worst_k);
    ok(am__engram_backprop_grad(NULL, x1, x2, &loss, grad) == AM_EINVAL, "gradient: NULL network refused");
    free(grad);
    am_engram_free(g);
}

/* Sparse tunes like a melody's one-hot code: SD bits, 3 active (a pitch of 32 and two of 8 for the beat in
 * the bar and the pitch's class): most bits are 0 at every beat. */
enum { SD = 40, SN = 3, ST = 20 };
static am_patterns *sparse_tune(am_rng *r)
{
    am_patterns *p = NULL;
    if (am_patterns_create(&p, SD, ST))
        abort();
    int8_t s[SD];
    for (size_t t = 0; t < ST; t++) {
        uint32_t pitch = (uint32_t)am_rng_below(r, 32);
        for (size_t i = 0; i < SD; i++)
            s[i] = -1;
        s[pitch] = s[32 + t % 4] = s[36 + pitch % 4] = 1;
        am_patterns_set(p, t, s);
    }
    return p;
}

static void test_sparse(am_rng *r)
{
    enum { E = 60, EFA = 300 };
    am_patterns *sp[SN];
    for (int i = 0; i < SN; i++)
        sp[i] = sparse_tune(r);
    static am_engram_counts curve[EFA];
    size_t when;
    am_engram_opts o;
    am_engram_opts_default(&o);
    o.hidden = 256;
    am_engram *g = NULL;
    totals t[3];
    size_t epochs[3] = {E, EFA, E};
    for (int rule = 0; rule <= 2; rule++) {
        o.rule = (am_engram_rule)rule;
        if (am_engram_create(&g, SD, &o))
            abort();
        t[rule] = learn(g, sp, SN, epochs[rule], curve, &when);
        diag("sparse tunes (%d bits, 3 active), %s: teacher-forced %zu/%zu, free-running %zu/%zu after %zu epochs (settled after %zu)",
             SD, rule_name[rule], t[rule].tf, t[rule].beats, t[rule].fr, t[rule].beats, epochs[rule], when);
        am_engram_free(g);
    }
    ok(t[0].tf == t[0].beats, "sparse tunes, signed XOR: teacher-forced %zu/%zu after %d epochs", t[0].tf, t[0].beats, E);
    ok(t[2].tf == t[2].beats && t[2].fr == t[2].beats, "sparse tunes, backprop: teacher-forced %zu/%zu, free-running %zu/%zu after %d epochs",
       t[2].tf, t[2].beats, t[2].fr, t[2].beats, E);
    ok(t[1].tf * 10 >= t[1].beats * FA_BOUND, "sparse tunes, feedback alignment: teacher-forced %zu/%zu >= %d/10 after %d epochs",
       t[1].tf, t[1].beats, FA_BOUND, EFA);
    tunes_free(sp, SN);
}

static void test_familiarity(am_patterns **set, am_rng *r)
{
    am_engram *g = make(AM_ENGRAM_FIXED, 1, 256, 1, 1);
    am_engram_train(g, CS(set), NSEQ, 50, NULL);
    double known_max = -1, novel_min = 2, novel_sum = 0;
    int agree = 1;
    for (int i = 0; i < NSEQ; i++) {
        double f;
        am_engram_eval ev;
        am_engram_familiarity(g, set[i], &f);
        am_engram_evaluate(g, set[i], &ev);
        agree &= f == (double)ev.tf_bits_wrong / (double)(ev.beats * D);
        known_max = f > known_max ? f : known_max;
        am_patterns *nv = tune(r, NULL, 0, 0);
        am_engram_familiarity(g, nv, &f);
        am_engram_evaluate(g, nv, &ev);
        agree &= f == (double)ev.tf_bits_wrong / (double)(ev.beats * D);
        novel_min = f < novel_min ? f : novel_min;
        novel_sum += f;
        am_patterns_free(nv);
    }
    ok(agree, "the familiarity score is the teacher-forced share of wrong bits");
    ok(known_max <= 0.0 && novel_min >= 0.3, "prediction error: learnt tunes at most %.4f (tolerance 0), novel random tunes at least %.4f (mean %.4f; >= 0.3)",
       known_max, novel_min, novel_sum / NSEQ);
    am_patterns *one = NULL;
    am_patterns_create(&one, D, 1);
    double f = -1;
    ok(!am_engram_familiarity(g, one, &f) && f == 0, "a tune of one beat scores 0 (nothing to predict)");
    am_patterns_free(one);
    am_engram_free(g);
}

static int same_tune(const am_patterns *a, const am_patterns *b, size_t count)
{
    for (size_t t = 0; t < count; t++)
        if (am_patterns_hamming(a, t, b, t))
            return 0;
    return 1;
}

static void test_recall(am_patterns **set)
{
    am_engram *g = make(AM_ENGRAM_FIXED, 1, 256, 1, 1);
    /* part-trained (an epoch at a time until a tune's free run is partly right): the recall from one beat is
     * the free run that evaluate counts */
    am_patterns *out = NULL, *copy = NULL;
    am_patterns_create(&out, D, T);
    am_engram_eval ev = {0};
    size_t which = NSEQ, epochs = 0;
    while (which == NSEQ && epochs < 10) {
        am_engram_train(g, CS(set), NSEQ, 1, NULL);
        epochs++;
        for (size_t i = 0; i < NSEQ && which == NSEQ; i++)
            if (!am_engram_evaluate(g, set[i], &ev) && ev.fr_right > 0 && ev.fr_right < ev.beats)
                which = i;
    }
    size_t eq = 0, first = T;
    if (which < NSEQ) {
        am_engram_recall(g, set[which], 1, out);
        for (size_t t = 1; t < T; t++) {
            int same = am_patterns_hamming(out, t, set[which], t) == 0;
            eq += same;
            if (!same && first == T)
                first = t;
        }
    }
    ok(which < NSEQ && eq == ev.fr_right && first == ev.fr_first_wrong && am_patterns_hamming(out, 0, set[which], 0) == 0,
       "recall from the first beat is the free run evaluate scores (after %zu epochs: %zu/%zu beats, first wrong %zu)", epochs, eq,
       ev.beats, first);
    am_engram_train(g, CS(set), NSEQ, 50 - epochs, NULL);
    am_engram_recall(g, set[1], 1, out);
    ok(same_tune(out, set[1], T), "learnt: the whole tune recalled from its first beat");
    am_patterns_clone(&copy, set[2]);
    int8_t s[D];
    for (size_t t = 3; t < T; t++) {
        am_patterns_get(copy, t, s);
        for (int i = 0; i < D; i += 3)
            s[i] = (int8_t)-s[i];
        am_patterns_set(copy, t, s);
    }
    ok(!am_engram_recall(g, copy, 3, copy) && same_tune(copy, set[2], T), "recall in place from a cue of 3 beats restores the rest");
    am_patterns_free(copy);
    am_patterns_free(out);
    am_engram_free(g);
}

/* Two calls of E epochs are one call of 2E; reset and predict repeat. */
static void test_continue(am_patterns **set)
{
    am_engram_counts a[6], b[6];
    am_engram *g = make(AM_ENGRAM_FA, 1, 128, 3, 1), *h = make(AM_ENGRAM_FA, 1, 128, 3, 1);
    am_engram_train(g, CS(set), NSEQ, 3, a);
    am_engram_train(g, CS(set), NSEQ, 3, a + 3);
    am_engram_train(h, CS(set), NSEQ, 6, b);
    ok(!memcmp(a, b, sizeof a), "training continues across calls: 3 + 3 epochs = 6 epochs");
    float x[D], y1[D], y2[D], y3[D];
    for (int i = 0; i < D; i++)
        x[i] = (float)(i % 3 == 0);
    am_engram_reset(g);
    am_engram_predict(g, x, y1);
    am_engram_predict(g, x, y3);
    am_engram_reset(g);
    am_engram_predict(g, x, y2);
    ok(!memcmp(y1, y2, sizeof y1), "after a reset the same beat gives the same prediction");
    size_t w = 99, w2 = 99;
    float y4[D], y5[D], flip[D];
    for (int i = 0; i < D; i++)
        flip[i] = 1 - y1[i];
    am_engram_reset(h);
    am_engram_predict(h, x, y5);
    am_engram_reset(h);
    am_engram_reset(g);
    ok(!am_engram_step_teacher(g, x, y1, y4, &w) && !am_engram_step_teacher(h, x, flip, NULL, &w2) && !memcmp(y4, y1, sizeof y1) &&
           !memcmp(y5, y1, sizeof y1) && w == 0 && w2 == D,
       "step_teacher predicts as predict does and counts the bits wrong against the teacher (0 and %d)", D);
    (void)y3;
    am_engram_free(g);
    am_engram_free(h);
}

/* Everything one network computes: its learning curve, the familiarity of a learnt and a novel tune, a recall.
 * At H = 256 the expansion W u (71,680 multiply-adds) and the weight updates are shared by 2 threads. */
static uint64_t digest(am_engram_rule rule, int threads, am_patterns **set, const am_patterns *novel)
{
    am_engram_counts c[8];
    am_engram *g = make(rule, 1, 256, 5, threads);
    am_engram_train(g, CS(set), NSEQ, 8, c);
    double f[2];
    am_engram_familiarity(g, set[0], f);
    am_engram_familiarity(g, novel, f + 1);
    am_patterns *out = NULL;
    am_patterns_create(&out, D, T);
    am_engram_recall(g, set[3], 2, out);
    uint64_t h = fnv(fnv(fnv(14695981039346656037ull, c, sizeof c), f, sizeof f), out->bits, T * out->words * 8);
    am_patterns_free(out);
    am_engram_free(g);
    return h;
}

static void digests(am_patterns **set, const am_patterns *novel, int threads, uint64_t *h)
{
    for (int rule = 0; rule < 3; rule++)
        h[rule] = digest(rule, threads, set, novel);
}

/* The digests (at 1 thread) of a child run under env (NULL: unset) OPENBLAS_CORETYPE, as text. */
static int child_digests(const char *self, const char *coretype, char *buf, size_t size)
{
    return child_digest(self, "OPENBLAS_CORETYPE", coretype, buf, size);
}

static void test_determinism(am_patterns **set, const am_patterns *novel, const char *self)
{
    uint64_t h1[3], h2[3];
    digests(set, novel, 1, h1);
    digests(set, novel, 2, h2);
    for (int rule = 0; rule < 3; rule++)
        ok(h1[rule] == h2[rule], "%s: the same curve, scores and recall at 1 and 2 threads (%016llx)", rule_name[rule],
           (unsigned long long)h1[rule]);
    char mine[128], a[128], b[128];
    snprintf(mine, sizeof mine, "%016llx %016llx %016llx\n", (unsigned long long)h1[0], (unsigned long long)h1[1],
             (unsigned long long)h1[2]);
    int ra = child_digests(self, "Haswell", a, sizeof a), rb = child_digests(self, NULL, b, sizeof b);
    ok(!ra && !rb && !strcmp(a, mine) && !strcmp(b, mine),
       "the same bits with OPENBLAS_CORETYPE=Haswell and unset (children: %.50s / %.50s)", ra ? "failed" : a, rb ? "failed" : b);
}

/* An error callback that fails on its third call. */
static int failing(const float *x, const float *y, size_t d, float *e, void *ctx)
{
    int *calls = ctx;
    am_signed_xor(x, y, d, e);
    return ++*calls == 3 ? AM_EIO : AM_OK;
}

static void test_motif(am_patterns **set)
{
    enum { E = 12 };
    am_patterns *short_tune = NULL;
    am_patterns_create(&short_tune, D, 7);
    int8_t s[D];
    for (size_t t = 0; t < 7; t++) {
        am_patterns_get(set[0], t, s);
        am_patterns_set(short_tune, t, s);
    }
    am_engram_opts o;
    am_engram_opts_default(&o);
    o.rule = AM_ENGRAM_FA, o.hidden = 64, o.k = 8;
    am_engram_motif m = {.seed = 3};
    am_xor_params_default(&m.params);
    am_engram *a = NULL, *b = NULL;
    am_engram_create(&a, D, &o);
    o.error = am_engram_motif_error, o.error_ctx = &m;
    am_engram_create(&b, D, &o);
    am_engram_counts ca[E], cb[E];
    am_engram_train(a, CS(&short_tune), 1, E, ca);
    int rc = am_engram_train(b, CS(&short_tune), 1, E, cb);
    ok(!rc && !memcmp(ca, cb, sizeof ca) && m.trials == (uint64_t)E * 6 * D,
       "error bits from the spiking motif (%llu trials) teach exactly as e = x - y (epoch 1: %llu wrong bits, epoch %d: %llu)",
       (unsigned long long)m.trials, (unsigned long long)cb[0].bits_wrong, E, (unsigned long long)cb[E - 1].bits_wrong);
    m.params.dt = 0;
    ok(am_engram_train(b, CS(&short_tune), 1, 1, NULL) == AM_EINVAL, "a motif with bad parameters stops training (AM_EINVAL)");
    ok(am_engram_motif_error(NULL, NULL, 0, NULL, NULL) == AM_EINVAL, "the motif callback without its context: AM_EINVAL");
    am_engram_free(b);
    int calls = 0;
    o.error = failing, o.error_ctx = &calls;
    am_engram_create(&b, D, &o);
    ok(am_engram_train(b, CS(&short_tune), 1, 1, NULL) == AM_EIO && calls == 3, "an error callback's status stops training");
    am_engram_free(a);
    am_engram_free(b);
    am_patterns_free(short_tune);
}

static int stop_now(void *ctx)
{
    (void)ctx;
    return 1;
}

static int create_with(size_t d, void (*edit)(am_engram_opts *))
{
    am_engram_opts o;
    am_engram_opts_default(&o);
    edit(&o);
    am_engram *g = NULL;
    int rc = am_engram_create(&g, d, &o);
    int clean = rc ? g == NULL : 1;
    am_engram_free(g);
    return clean ? rc : 12345;
}

static void e_hidden0(am_engram_opts *o) { o->hidden = 0; }
static void e_hidden_big(am_engram_opts *o) { o->hidden = ((size_t)1 << 20) + 1; }
static void e_k0(am_engram_opts *o) { o->k = 0; }
static void e_k_big(am_engram_opts *o) { o->hidden = 32, o->k = 33; }
static void e_k_big_bp(am_engram_opts *o) { o->hidden = 32, o->k = 33, o->rule = AM_ENGRAM_BACKPROP; }
static void e_k_all(am_engram_opts *o) { o->hidden = 32, o->k = 32; }
static void e_rule(am_engram_opts *o) { o->rule = (am_engram_rule)7; }
static void e_context(am_engram_opts *o) { o->context = 2; }
static void e_decay1(am_engram_opts *o) { o->decay = 1; }
static void e_decay_neg(am_engram_opts *o) { o->decay = -0.1; }
static void e_decay_nan(am_engram_opts *o) { o->decay = NAN; }
static void e_gain0(am_engram_opts *o) { o->context_gain = 0; }
static void e_gain_inf(am_engram_opts *o) { o->context_gain = INFINITY; }
static void e_lr0(am_engram_opts *o) { o->lr = 0; }
static void e_lr_nan(am_engram_opts *o) { o->lr = NAN; }
static void e_lrh_neg(am_engram_opts *o) { o->lr_hidden = -1; }
static void e_lrb0(am_engram_opts *o) { o->lr_backprop = 0; }
static void e_none(am_engram_opts *o) { (void)o; }

static void test_errors(am_patterns **set)
{
    static const struct {
        void (*edit)(am_engram_opts *);
        size_t d;
        int want;
        const char *what;
    } cases[] = {
        {e_none, 0, AM_EINVAL, "d = 0"},
        {e_none, 65537, AM_EINVAL, "d > 65536"},
        {e_hidden0, D, AM_EINVAL, "hidden 0"},
        {e_hidden_big, D, AM_EINVAL, "hidden > 2^20"},
        {e_k0, D, AM_EINVAL, "k 0"},
        {e_k_big, D, AM_EINVAL, "k > hidden"},
        {e_k_big_bp, D, AM_OK, "k > hidden under backprop (no kWTA: k unused)"},
        {e_k_all, D, AM_OK, "k = hidden"},
        {e_rule, D, AM_EINVAL, "an unknown rule"},
        {e_context, D, AM_EINVAL, "context 2"},
        {e_decay1, D, AM_EINVAL, "decay 1"},
        {e_decay_neg, D, AM_EINVAL, "decay < 0"},
        {e_decay_nan, D, AM_EINVAL, "decay NaN"},
        {e_gain0, D, AM_EINVAL, "context gain 0"},
        {e_gain_inf, D, AM_EINVAL, "context gain inf"},
        {e_lr0, D, AM_EINVAL, "lr 0"},
        {e_lr_nan, D, AM_EINVAL, "lr NaN"},
        {e_lrh_neg, D, AM_EINVAL, "lr_hidden < 0"},
        {e_lrb0, D, AM_EINVAL, "lr_backprop 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int rc = create_with(cases[i].d, cases[i].edit);
        ok(rc == cases[i].want, "create, %s: %s", cases[i].what, am_strerror(rc));
    }
    am_engram *g = NULL;
    ok(am_engram_create(NULL, D, NULL) == AM_EINVAL, "create without out: AM_EINVAL");
    ok(!am_engram_create(&g, D, NULL) && am_engram_bits(g) == D && am_engram_hidden(g) == 512, "opts NULL: the defaults (H 512)");
    am_engram_free(NULL);
    am_engram_reset(NULL);
    am_engram_set_threads(NULL, 2);
    ok(am_engram_bits(NULL) == 0 && am_engram_hidden(NULL) == 0, "free, reset, set_threads of NULL do nothing; sizes of NULL are 0");
    float x[D] = {0}, y[D];
    ok(am_engram_step_teacher(NULL, x, x, y, NULL) == AM_EINVAL && am_engram_step_teacher(g, NULL, x, y, NULL) == AM_EINVAL &&
           am_engram_step_teacher(g, x, NULL, y, NULL) == AM_EINVAL && !am_engram_step_teacher(g, x, x, NULL, NULL),
       "step_teacher: g, x and next are required; y and wrong may be NULL");
    ok(am_engram_predict(NULL, x, y) == AM_EINVAL && am_engram_predict(g, NULL, y) == AM_EINVAL && am_engram_predict(g, x, NULL) == AM_EINVAL,
       "predict: g, x and y are required");
    am_patterns *odd = NULL, *bad[2] = {set[0], NULL};
    am_patterns_create(&odd, D + 1, 5);
    am_engram_counts c[2] = {{1, 1, 1}, {1, 1, 1}};
    ok(am_engram_train(NULL, CS(set), 1, 1, NULL) == AM_EINVAL && am_engram_train(g, NULL, 1, 1, NULL) == AM_EINVAL &&
           am_engram_train(g, CS(bad), 2, 1, NULL) == AM_EINVAL && am_engram_train(g, CS(&odd), 1, 1, NULL) == AM_ESIZE,
       "train: no network, no tunes, a NULL tune (AM_EINVAL), a tune of another width (AM_ESIZE)");
    ok(!am_engram_train(g, NULL, 0, 2, c) && c[1].beats == 0 && c[1].bits_wrong == 0 && !am_engram_train(g, CS(set), 1, 0, NULL),
       "train on no tunes counts nothing; 0 epochs do nothing");
    am_engram_eval ev;
    double f;
    ok(am_engram_evaluate(g, set[0], NULL) == AM_EINVAL && am_engram_evaluate(g, NULL, &ev) == AM_EINVAL &&
           am_engram_evaluate(NULL, set[0], &ev) == AM_EINVAL && am_engram_evaluate(g, odd, &ev) == AM_ESIZE,
       "evaluate: NULLs (AM_EINVAL), another width (AM_ESIZE)");
    ok(am_engram_familiarity(g, set[0], NULL) == AM_EINVAL && am_engram_familiarity(g, NULL, &f) == AM_EINVAL &&
           am_engram_familiarity(g, odd, &f) == AM_ESIZE,
       "familiarity: NULLs (AM_EINVAL), another width (AM_ESIZE)");
    am_patterns *out = NULL;
    am_patterns_create(&out, D, 4);
    ok(am_engram_recall(g, set[0], 0, out) == AM_EINVAL && am_engram_recall(g, set[0], T + 1, out) == AM_EINVAL &&
           am_engram_recall(g, set[0], 1, NULL) == AM_EINVAL && am_engram_recall(g, set[0], 1, odd) == AM_ESIZE &&
           am_engram_recall(g, odd, 1, out) == AM_ESIZE && !am_engram_recall(g, set[0], T, out),
       "recall: cue 0 or beyond the tune, no output (AM_EINVAL), another width (AM_ESIZE); a cue longer than out is fine");
    am_patterns forged = *set[0];
    forged.words = 2;
    ok(am_engram_evaluate(g, &forged, &ev) == AM_EINVAL && am_engram_recall(g, set[0], 1, &forged) == AM_EINVAL,
       "a pattern set whose words do not match its width is refused (AM_EINVAL)");
    am_cancel hook = {stop_now, NULL};
    const am_cancel *old = am_cancel_swap(&hook);
    ok(am_engram_train(g, CS(set), NSEQ, 1, NULL) == AM_ECANCELED, "train polls the cancel hook (AM_ECANCELED)");
    am_cancel_swap(old);
    am_patterns_free(out);
    am_patterns_free(odd);
    am_engram_free(g);
}

int main(int argc, char **argv)
{
    am_rng r;
    am_rng_init(&r, 7, 0);
    am_patterns *set[NSEQ], *novel;
    for (int i = 0; i < NSEQ; i++)
        set[i] = tune(&r, NULL, 0, 0);
    novel = tune(&r, NULL, 0, 0);
    if (argc > 1 && !strcmp(argv[1], "--digest")) {
        uint64_t h[3];
        digests(set, novel, 1, h);
        printf("%016llx %016llx %016llx\n", (unsigned long long)h[0], (unsigned long long)h[1], (unsigned long long)h[2]);
        tunes_free(set, NSEQ);
        am_patterns_free(novel);
        return 0;
    }
    test_learnable(set);
    test_shared(&r);
    test_gradient();
    test_sparse(&r);
    test_familiarity(set, &r);
    test_recall(set);
    test_continue(set);
    test_determinism(set, novel, "/proc/self/exe");
    test_motif(set);
    test_errors(set);
    tunes_free(set, NSEQ);
    am_patterns_free(novel);
    return done_testing();
}
