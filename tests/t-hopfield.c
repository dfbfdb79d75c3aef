/* Classical Hopfield store: known answers, energy descent, both recall paths, rules, stability,
 * save/load and error paths. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "../libam/stores/internal.h"
#include "files.h"
#include "tap.h"

static am_patterns *random_set(size_t n, size_t p, am_rng *rng)
{
    am_patterns *x = NULL;
    if (am_patterns_create(&x, n, p))
        abort();
    am_patterns_random(x, rng);
    return x;
}

static am_hopfield *make(size_t n, am_rule rule, const am_patterns *x)
{
    am_hopfield *h = NULL;
    if (am_hopfield_create(&h, n, rule) || am_hopfield_store(h, x))
        abort();
    return h;
}

static void known_answers(void)
{
    /* xi1 = (+,-,+,-), xi2 = (+,+,-,-): W = (1/4) sum xi xi^T, zero diagonal. */
    const int8_t a[4] = {1, -1, 1, -1}, b[4] = {1, 1, -1, -1};
    am_patterns *x = NULL;
    am_patterns_create(&x, 4, 2);
    am_patterns_set(x, 0, a);
    am_patterns_set(x, 1, b);
    for (int path = AM_PATH_PATTERNS; path <= AM_PATH_MATRIX; path++) {
        am_hopfield *h = make(4, AM_RULE_HEBB, x);
        float w[16];
        am_hopfield_set_path(h, (am_path)path);
        am_hopfield_weights(h, w);
        const float want[16] = {0, 0, 0, -0.5f, 0, 0, -0.5f, 0, 0, -0.5f, 0, 0, -0.5f, 0, 0, 0};
        int same = 1;
        for (int k = 0; k < 16; k++)
            same &= w[k] == want[k];
        ok(same, "Hebb weights of a 4-unit, 2-pattern store (%s path)", path == AM_PATH_PATTERNS ? "patterns" : "matrix");
        is_near(am_hopfield_energy(h, a), -1.0, 1e-12, "E(xi1) = -1 (%s path)", path == AM_PATH_PATTERNS ? "patterns" : "matrix");
        int8_t s[4] = {1, 1, 1, 1};
        /* E(+,+,+,+) = -1/2 * 2 * (W03 + W12) = 1 */
        is_near(am_hopfield_energy(h, s), 1.0, 1e-12, "E(all +) = 1");
        is_near(am_hopfield_field(h, s, 0), -0.5, 1e-12, "h_0(all +) = -0.5");
        is_near(am_hopfield_delta_energy(h, s, 0), -1.0, 1e-12, "dE of flipping unit 0 = 2 s_0 h_0 = -1");
        am_hopfield_free(h);
    }
    /* Thresholds enter the energy and the fields. */
    am_hopfield *h = make(4, AM_RULE_HEBB, x);
    const float th[4] = {0.25f, 0, 0, 0};
    ok(am_hopfield_set_threshold(h, th) == AM_OK, "set thresholds");
    is_near(am_hopfield_energy(h, a), -1.25, 1e-12, "E includes -theta^T s");
    is_near(am_hopfield_field(h, a, 0), 0.5 + 0.25, 1e-12, "field includes theta");
    const float bad[4] = {0, NAN, 0, 0};
    ok(am_hopfield_set_threshold(h, bad) == AM_EINVAL, "non-finite threshold rejected");
    am_hopfield_free(h);
    am_patterns_free(x);
}

/* E after k sweeps never exceeds E after k-1 sweeps, for the same random order. */
static void energy_descent(am_rule rule, size_t n, size_t p, am_rng *rng)
{
    am_patterns *x = random_set(n, p, rng);
    am_hopfield *h = make(n, rule, x);
    int8_t *cue = malloc(n), *s = malloc(n);
    am_recall_opts o;
    am_recall_info info;
    int mono = 1, checked = 0, dE_ok = 1;
    am_recall_opts_default(&o);
    for (int c = 0; c < 5; c++) {
        for (size_t i = 0; i < n; i++)
            cue[i] = (am_rng_u64(rng) >> 63) ? 1 : -1;
        am_rng start = *rng;
        double prev = am_hopfield_energy(h, cue);
        for (unsigned k = 1; k <= 30; k++) {
            am_rng r = start;
            memcpy(s, cue, n);
            o.max_steps = k;
            am_hopfield_recall(h, s, &o, &r, NULL, &info);
            mono &= info.energy <= prev + 1e-9 * (1 + fabs(prev));
            prev = info.energy;
            checked++;
            if (info.end == AM_END_FIXED)
                break;
        }
        /* Every unit whose field disagrees with it lowers E when flipped, by exactly 2 s_i h_i. */
        for (size_t i = 0; i < n; i++) {
            double f = am_hopfield_field(h, cue, i), e0 = am_hopfield_energy(h, cue);
            if (f * cue[i] < 0) {
                double d = am_hopfield_delta_energy(h, cue, i);
                cue[i] = (int8_t)-cue[i];
                dE_ok &= d < 0 && fabs(am_hopfield_energy(h, cue) - e0 - d) < 1e-6 * (1 + fabs(e0));
                cue[i] = (int8_t)-cue[i];
            }
        }
    }
    ok(mono, "%s, N=%zu, P=%zu: energy never increases under async T=0 (%d prefixes)", am_rule_name(rule), n, p,
       checked);
    ok(dE_ok, "%s: flipping a unit against its field lowers E by 2 s_i h_i", am_rule_name(rule));
    free(cue), free(s);
    am_hopfield_free(h);
    am_patterns_free(x);
}

static void paths_agree(am_rng *rng)
{
    size_t n = 300, p = 40;
    am_patterns *x = random_set(n, p, rng);
    am_hopfield *hp = make(n, AM_RULE_HEBB, x), *hm = make(n, AM_RULE_HEBB, x);
    ok(am_hopfield_set_path(hp, AM_PATH_PATTERNS) == AM_OK && am_hopfield_path(hp) == AM_PATH_PATTERNS,
       "patterns path chosen");
    ok(am_hopfield_set_path(hm, AM_PATH_MATRIX) == AM_OK && am_hopfield_path(hm) == AM_PATH_MATRIX,
       "matrix path chosen");
    int8_t *a = malloc(n), *b = malloc(n);
    const am_dynamics dyn[3] = {AM_DYN_ASYNC, AM_DYN_SYNC, AM_DYN_GLAUBER};
    for (int d = 0; d < 3; d++) {
        int same = 1;
        for (int c = 0; c < 10; c++) {
            am_recall_opts o;
            am_recall_info ia, ib;
            am_recall_opts_default(&o);
            o.dynamics = dyn[d];
            o.temperature = d == 2 ? 0.3 : 0.0;
            o.max_steps = d == 2 ? 5 : 100;
            am_patterns_get(x, (size_t)c, a);
            am_state_flip_frac(a, n, 0.25, rng);
            memcpy(b, a, n);
            am_rng r1 = *rng, r2 = *rng;
            am_hopfield_recall(hp, a, &o, &r1, NULL, &ia);
            am_hopfield_recall(hm, b, &o, &r2, NULL, &ib);
            same &= !memcmp(a, b, n) && ia.steps == ib.steps && ia.flips == ib.flips && ia.end == ib.end &&
                    fabs(ia.energy - ib.energy) < 1e-9 * (1 + fabs(ia.energy));
        }
        ok(same, "patterns and matrix paths give identical recalls (%s)", am_dynamics_name(dyn[d]));
    }
    /* The portable kernels give the vector kernels' numbers (patterns path, every dynamics, odd sizes). */
    {
        size_t n2 = 203, p2 = 77;
        am_patterns *x2 = random_set(n2, p2, rng);
        am_hopfield *h2 = make(n2, AM_RULE_HEBB, x2);
        am_hopfield_set_path(h2, AM_PATH_PATTERNS);
        int8_t *c1 = malloc(n2), *c2 = malloc(n2);
        int same = 1;
        size_t u1[77], u2[77];
        for (int d = 0; d < 3; d++)
            for (int c = 0; c < 6; c++) {
                am_recall_opts o;
                am_recall_info i1, i2;
                am_recall_opts_default(&o);
                o.dynamics = dyn[d];
                o.temperature = d == 2 ? 0.4 : 0.0;
                o.max_steps = d == 2 ? 4 : 60;
                am_patterns_get(x2, (size_t)c, c1);
                am_state_flip_frac(c1, n2, 0.3, rng);
                memcpy(c2, c1, n2);
                am_rng r1 = *rng, r2 = *rng;
                am__hopfield_portable(0);
                am_hopfield_recall(h2, c1, &o, &r1, NULL, &i1);
                am__hopfield_portable(1);
                am_hopfield_recall(h2, c2, &o, &r2, NULL, &i2);
                same &= !memcmp(c1, c2, n2) && i1.steps == i2.steps && i1.flips == i2.flips && i1.end == i2.end;
            }
        am__hopfield_portable(0);
        am_hopfield_stability(h2, u1);
        am__hopfield_portable(1);
        am_hopfield_stability(h2, u2);
        am__hopfield_portable(0);
        ok(same && !memcmp(u1, u2, sizeof u1), "the portable kernels give the vector kernels' recalls and stability");
        free(c1), free(c2);
        am_hopfield_free(h2);
        am_patterns_free(x2);
    }
    size_t *u1 = malloc(p * sizeof *u1), *u2 = malloc(p * sizeof *u2);
    am_hopfield_stability(hp, u1);
    am_hopfield_stability(hm, u2);
    ok(!memcmp(u1, u2, p * sizeof *u1), "stability agrees between paths");
    /* Stability agrees with the definition: units whose field opposes them. */
    int defn = 1;
    for (size_t mu = 0; mu < p; mu++) {
        size_t bad = 0;
        am_patterns_get(x, mu, a);
        for (size_t i = 0; i < n; i++)
            bad += am_hopfield_field(hm, a, i) * a[i] < 0;
        defn &= bad == u1[mu];
    }
    ok(defn, "stability counts the units one update would flip");
    free(u1), free(u2), free(a), free(b);
    am_hopfield_free(hp), am_hopfield_free(hm);
    am_patterns_free(x);
}

static void energy_trace(am_rng *rng)
{
    size_t n = 300;
    am_patterns *x = random_set(n, 60, rng);
    const am_rule rl[2] = {AM_RULE_HEBB, AM_RULE_STORKEY};
    for (int r = 0; r < 2; r++)
        for (int d = 0; d < 2; d++) {
            am_hopfield *h = make(n, rl[r], x);
            int8_t s[300];
            double tr[128];
            am_recall_opts o;
            am_recall_info info;
            am_recall_opts_default(&o);
            o.dynamics = d ? AM_DYN_SYNC : AM_DYN_ASYNC;
            o.trace = tr;
            o.trace_cap = 128;
            am_patterns_get(x, 1, s);
            am_state_flip_frac(s, n, 0.3, rng);
            double e0 = am_hopfield_energy(h, s);
            am_hopfield_recall(h, s, &o, rng, NULL, &info);
            int mono = 1;
            for (unsigned k = 1; k < info.trace_len; k++)
                mono &= d ? 1 : tr[k] <= tr[k - 1] + 1e-9;
            ok(info.trace_len == info.steps + 1 && fabs(tr[0] - e0) < 1e-6 * (1 + fabs(e0)) &&
                   fabs(tr[info.trace_len - 1] - info.energy) < 1e-6 * (1 + fabs(e0)) && mono,
               "%s/%s energy trace: %u entries from E(cue) %.3f to E(end) %.3f%s", am_rule_name(rl[r]),
               d ? "sync" : "async", info.trace_len, tr[0], tr[info.trace_len - 1], d ? "" : ", never rising");
            /* Asking for a trace changes nothing else. */
            int8_t s2[300];
            am_recall_info i2;
            am_recall_opts o2 = o;
            o2.trace = NULL;
            o2.trace_cap = 0;
            am_patterns_get(x, 2, s);
            am_state_flip_frac(s, n, 0.3, rng);
            memcpy(s2, s, n);
            am_rng r1 = *rng, r2 = *rng;
            am_hopfield_recall(h, s, &o, &r1, NULL, &info);
            am_hopfield_recall(h, s2, &o2, &r2, NULL, &i2);
            ok(!memcmp(s, s2, n) && info.steps == i2.steps && info.end == i2.end,
               "%s/%s: recall with and without a trace agree (%u steps, %s)", am_rule_name(rl[r]),
               d ? "sync" : "async", i2.steps, am_end_name(i2.end));
            o.trace_cap = 2;
            am_patterns_get(x, 1, s);
            am_state_flip_frac(s, n, 0.3, rng);
            am_hopfield_recall(h, s, &o, rng, NULL, &info);
            ok(info.trace_len <= 2, "the trace respects its capacity");
            am_hopfield_free(h);
        }
    am_patterns_free(x);
}

static void dynamics_cases(am_rng *rng)
{
    /* One pattern (+,-) gives W01 = -1/2; sync from (+,+) alternates (+,+) <-> (-,-). */
    const int8_t xi[2] = {1, -1};
    am_patterns *x = NULL;
    am_patterns_create(&x, 2, 1);
    am_patterns_set(x, 0, xi);
    am_hopfield *h = make(2, AM_RULE_HEBB, x);
    int8_t s[2] = {1, 1};
    am_recall_opts o;
    am_recall_info info;
    am_recall_opts_default(&o);
    o.dynamics = AM_DYN_SYNC;
    int rc = am_hopfield_recall(h, s, &o, NULL, NULL, &info);
    ok(rc == AM_OK && info.end == AM_END_CYCLE && info.steps == 2,
       "sync dynamics detect a 2-cycle (end %s after %u steps)", am_end_name(info.end), info.steps);
    o.dynamics = AM_DYN_ASYNC;
    o.order = AM_ORDER_FIXED;
    s[0] = s[1] = 1;
    ok(am_hopfield_recall(h, s, &o, NULL, NULL, &info) == AM_OK && info.end == AM_END_FIXED && s[0] == -1 &&
           s[1] == 1,
       "fixed-order async from (+,+) settles at (-,+) without an rng");
    am_hopfield_free(h);
    am_patterns_free(x);

    /* Glauber: at high T the state is noise and the run ends at the step limit; at tiny T it recalls. */
    size_t n = 400;
    x = random_set(n, 10, rng);
    h = make(n, AM_RULE_HEBB, x);
    int8_t *st = malloc(n), *t = malloc(n);
    am_patterns_get(x, 0, t);
    memcpy(st, t, n);
    o.order = AM_ORDER_RANDOM;
    o.dynamics = AM_DYN_GLAUBER;
    o.temperature = 100.0;
    o.max_steps = 20;
    am_hopfield_recall(h, st, &o, rng, NULL, &info);
    ok(info.end == AM_END_MAXSTEPS && info.steps == 20 && fabs(am_state_overlap(st, t, n)) < 0.25,
       "Glauber at T=100 melts the pattern (overlap %.3f) and runs to the step limit",
       am_state_overlap(st, t, n));
    memcpy(st, t, n);
    am_state_flip_frac(st, n, 0.2, rng);
    o.temperature = 0.05;
    am_hopfield_recall(h, st, &o, rng, NULL, &info);
    ok(am_state_overlap(st, t, n) > 0.99, "Glauber at T=0.05 recalls (overlap %.3f)", am_state_overlap(st, t, n));
    /* Thresholds strong enough to win pull every unit to +1. */
    float *th = malloc(n * sizeof *th);
    for (size_t i = 0; i < n; i++)
        th[i] = 100.0f;
    am_hopfield_set_threshold(h, th);
    o.dynamics = AM_DYN_ASYNC;
    am_hopfield_recall(h, st, &o, rng, NULL, &info);
    int allp = 1;
    for (size_t i = 0; i < n; i++)
        allp &= st[i] == 1;
    ok(allp && info.end == AM_END_FIXED, "large thresholds drive every unit to +1");
    free(th), free(st), free(t);
    am_hopfield_free(h);
    am_patterns_free(x);
}

static void rules(am_rng *rng)
{
    /* Pseudo-inverse stores exactly below N: every pattern a fixed point, recalled from 5% noise. */
    size_t n = 100, p = 60;
    am_patterns *x = random_set(n, p, rng);
    am_hopfield *h = make(n, AM_RULE_PINV, x);
    size_t *u = malloc(p * sizeof *u), tot = 0;
    am_hopfield_stability(h, u);
    for (size_t mu = 0; mu < p; mu++)
        tot += u[mu];
    ok(tot == 0, "pinv, N=100, P=60: every stored pattern is a fixed point");
    int8_t *s = malloc(n), *t = malloc(n);
    int all = 1;
    for (size_t mu = 0; mu < p; mu++) {
        am_patterns_get(x, mu, t);
        memcpy(s, t, n);
        am_hopfield_recall(h, s, NULL, rng, NULL, NULL);
        all &= !memcmp(s, t, n);
    }
    ok(all, "pinv: each stored pattern recalls itself");
    /* W is the projector onto span(X) with its diagonal removed: W xi = (1 - diag) xi. */
    float *w = malloc(n * n * sizeof *w);
    am_hopfield_weights(h, w);
    double maxerr = 0;
    am_patterns_get(x, 3, t);
    for (size_t i = 0; i < n; i++) {
        double acc = 0;
        for (size_t j = 0; j < n; j++)
            acc += w[i * n + j] * t[j];
        /* sum_j P_ij xi_j = xi_i, so the zero-diagonal field is xi_i (1 - P_ii) with P_ii in (0, 1). */
        maxerr = fmax(maxerr, acc * t[i] <= 0 || acc * t[i] >= 1 ? 1 : 0);
    }
    ok(maxerr == 0, "pinv: field on a stored pattern is xi_i (1 - P_ii), 0 < 1 - P_ii < 1");
    free(w);
    am_hopfield_free(h);
    am_patterns_free(x);

    /* Projector also for P > N (rank-deficient): W is the identity with zero diagonal, i.e. W = 0. */
    x = random_set(20, 40, rng);
    h = make(20, AM_RULE_PINV, x);
    float w2[400];
    am_hopfield_weights(h, w2);
    double mx = 0;
    for (int k = 0; k < 400; k++)
        mx = fmax(mx, fabs(w2[k]));
    ok(mx < 1e-5, "pinv with P > N projects onto everything: W = I - diag = 0 (max |W| = %.2g)", mx);
    am_hopfield_free(h);
    am_patterns_free(x);

    /* Storkey beats Hebb at N = 200, P = 30 (alpha 0.15): fewer unstable bits, more fixed points. */
    n = 200, p = 30;
    size_t hb = 0, sk = 0, hf = 0, sf = 0;
    free(u);
    u = malloc(p * sizeof *u);
    for (int trial = 0; trial < 5; trial++) {
        x = random_set(n, p, rng);
        am_hopfield *hh = make(n, AM_RULE_HEBB, x), *hs = make(n, AM_RULE_STORKEY, x);
        am_hopfield_stability(hh, u);
        for (size_t mu = 0; mu < p; mu++)
            hb += u[mu], hf += u[mu] == 0;
        am_hopfield_stability(hs, u);
        for (size_t mu = 0; mu < p; mu++)
            sk += u[mu], sf += u[mu] == 0;
        am_hopfield_free(hh), am_hopfield_free(hs);
        am_patterns_free(x);
    }
    diag("N=200 P=30, 5 trials: unstable bits Hebb %zu, Storkey %zu; fixed points Hebb %zu, Storkey %zu", hb, sk,
         hf, sf);
    ok(sk * 5 < hb && sf > hf, "Storkey stores more stably than Hebb at N=200, alpha=0.15");

    /* Storkey's incremental rule gives the same weights stored at once or one at a time. */
    x = random_set(50, 6, rng);
    am_hopfield *h1 = make(50, AM_RULE_STORKEY, x), *h2 = NULL;
    am_hopfield_create(&h2, 50, AM_RULE_STORKEY);
    am_patterns *one = NULL;
    am_patterns_create(&one, 50, 1);
    int8_t v[50];
    for (size_t mu = 0; mu < 6; mu++) {
        am_patterns_get(x, mu, v);
        am_patterns_set(one, 0, v);
        am_hopfield_store(h2, one);
    }
    float wa[2500], wb[2500];
    am_hopfield_weights(h1, wa);
    am_hopfield_weights(h2, wb);
    ok(!memcmp(wa, wb, sizeof wa) && am_hopfield_count(h2) == 6, "Storkey learns incrementally");
    /* One Storkey pattern equals the Hebb weights. */
    am_patterns_get(x, 0, v);
    am_patterns_set(one, 0, v);
    am_hopfield *hs1 = make(50, AM_RULE_STORKEY, one), *hh1 = make(50, AM_RULE_HEBB, one);
    am_hopfield_weights(hs1, wa);
    am_hopfield_weights(hh1, wb);
    double d = 0;
    for (int k = 0; k < 2500; k++)
        d = fmax(d, fabs(wa[k] - wb[k]));
    ok(d < 1e-7, "Storkey on the first pattern equals Hebb");
    am_hopfield_free(hs1), am_hopfield_free(hh1), am_hopfield_free(h1), am_hopfield_free(h2);
    am_patterns_free(one), am_patterns_free(x);
    free(u), free(s), free(t);
}

static long file_size(const char *p)
{
    FILE *f = fopen(p, "rb");
    long n;
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fclose(f);
    return n;
}

static void save_load(am_rng *rng)
{
    char path[] = "/tmp/t-hopfield-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    const am_rule rl[3] = {AM_RULE_HEBB, AM_RULE_STORKEY, AM_RULE_PINV};
    size_t n = 70;
    for (int r = 0; r < 3; r++) {
        am_patterns *x = random_set(n, 9, rng);
        am_hopfield *h = make(n, rl[r], x), *g = NULL;
        float th[70];
        for (size_t i = 0; i < n; i++)
            th[i] = (float)(0.01 * (double)i);
        if (r == 1)
            am_hopfield_set_threshold(h, th);
        ok(am_hopfield_save(h, path) == AM_OK, "save %s", am_rule_name(rl[r]));
        ok(am_hopfield_load(&g, path) == AM_OK && g, "load %s", am_rule_name(rl[r]));
        float wa[4900], wb[4900];
        am_hopfield_weights(h, wa);
        am_hopfield_weights(g, wb);
        int8_t a[70], b[70];
        am_patterns_get(x, 2, a);
        am_state_flip_k(a, n, 7, rng);
        memcpy(b, a, n);
        am_rng r1 = *rng, r2 = *rng;
        am_hopfield_recall(h, a, NULL, &r1, NULL, NULL);
        am_hopfield_recall(g, b, NULL, &r2, NULL, NULL);
        ok(!memcmp(wa, wb, sizeof wa) && am_hopfield_count(g) == 9 && am_hopfield_rule(g) == rl[r] &&
               !memcmp(a, b, n) && am_hopfield_energy(h, a) == am_hopfield_energy(g, a),
           "%s round-trips: weights, patterns, thresholds and recall identical", am_rule_name(rl[r]));
        am_hopfield_free(g);
        am_hopfield_free(h);
        am_patterns_free(x);
    }
    /* Damage the last file (pinv) in several ways. */
    long size = file_size(path);
    FILE *f = fopen(path, "rb");
    unsigned char *buf = malloc((size_t)size);
    if (fread(buf, 1, (size_t)size, f) != (size_t)size)
        abort();
    fclose(f);
    am_hopfield *g = NULL;
    struct {
        const char *what;
        long len;
        long at;
        int want;
    } cases[] = {
        {"truncated in the weights", size - 100, -1, AM_ETRUNC},
        {"truncated in the header", 30, -1, AM_ETRUNC},
        {"cut to the magic", 8, -1, AM_ETRUNC},
        {"a payload byte flipped", size, size / 2, AM_ECHECKSUM},
        {"the magic damaged", size, 0, AM_EFORMAT},
        {"the version damaged", size, 8, AM_EVERSION},
        {"the endianness tag damaged", size, 12, AM_EFORMAT},
        {"the rule damaged", size, 16, AM_EFORMAT},
        {"the unit count damaged", size, 24, AM_ECHECKSUM},
        {"the unit count made larger", size, 25, AM_ETRUNC},
        {"extra bytes appended", size + 3, -1, AM_ECHECKSUM},
        {"empty", 0, -1, AM_EFORMAT},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        f = fopen(path, "wb");
        unsigned char *copy = calloc((size_t)cases[k].len + 1, 1);
        memcpy(copy, buf, (size_t)(cases[k].len < size ? cases[k].len : size));
        if (cases[k].at >= 0)
            copy[cases[k].at] ^= 0x40;
        fwrite(copy, 1, (size_t)cases[k].len, f);
        fclose(f);
        free(copy);
        int rc = am_hopfield_load(&g, path);
        ok(rc == cases[k].want && g == NULL, "load rejects a file with %s: %s", cases[k].what, am_strerror(rc));
    }
    ok(am_hopfield_load(&g, "/nonexistent/dir/x.am") == AM_ERRNO(ENOENT), "load of a missing file is ENOENT");
    free(buf);
    remove(path);
}

static void errors(am_rng *rng)
{
    am_hopfield *h = NULL;
    ok(am_hopfield_create(&h, 0, AM_RULE_HEBB) == AM_EINVAL && !h, "n = 0 rejected");
    ok(am_hopfield_create(&h, 10, (am_rule)7) == AM_EINVAL, "unknown rule rejected");
    ok(am_hopfield_create(&h, AM_MAX_UNITS + 1, AM_RULE_STORKEY) == AM_EINVAL, "N above AM_MAX_UNITS rejected");
    am_hopfield_free(NULL);
    ok(1, "am_hopfield_free(NULL) is a no-op");
    am_hopfield_work_free(NULL);
    am_hopfield_create(&h, 10, AM_RULE_STORKEY);
    am_patterns *x = random_set(11, 2, rng);
    ok(am_hopfield_store(h, x) == AM_ESIZE, "storing patterns of the wrong size is AM_ESIZE");
    ok(am_hopfield_set_path(h, AM_PATH_PATTERNS) == AM_EUNSUPPORTED, "patterns path is Hebb-only");
    int8_t s[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    ok(am_hopfield_recall(h, s, NULL, rng, NULL, NULL) == AM_EINVAL, "a state entry of 0 is rejected");
    s[9] = 1;
    am_recall_opts o;
    am_recall_opts_default(&o);
    ok(am_hopfield_recall(h, s, &o, NULL, NULL, NULL) == AM_EINVAL, "random order without an rng is rejected");
    o.dynamics = AM_DYN_GLAUBER;
    o.temperature = -1;
    ok(am_hopfield_recall(h, s, &o, rng, NULL, NULL) == AM_EINVAL, "negative temperature rejected");
    o.temperature = 0;
    o.dynamics = (am_dynamics)9;
    ok(am_hopfield_recall(h, s, &o, rng, NULL, NULL) == AM_EINVAL, "unknown dynamics rejected");
    am_rule r;
    am_dynamics d;
    ok(am_rule_parse("storkey", &r) == AM_OK && r == AM_RULE_STORKEY && am_rule_parse("oja", &r) == AM_EINVAL,
       "rule names parse");
    ok(am_dynamics_parse("glauber", &d) == AM_OK && d == AM_DYN_GLAUBER && am_dynamics_parse("x", &d) == AM_EINVAL,
       "dynamics names parse");
    /* A workspace made for an empty store grows with the store. */
    am_hopfield *hb = NULL;
    am_hopfield_work *w = NULL;
    am_hopfield_create(&hb, 11, AM_RULE_HEBB);
    ok(am_hopfield_work_create(&w, hb) == AM_OK, "workspace for an empty store");
    am_hopfield_store(hb, x);
    int8_t t[11];
    am_patterns_get(x, 0, t);
    ok(am_hopfield_recall(hb, t, NULL, rng, w, NULL) == AM_OK, "workspace grows after store");
    am_hopfield_work_free(w);
    am_hopfield_free(hb);
    am_hopfield_free(h);
    am_patterns_free(x);
}

/* Forged and damaged files: sizes are checked against the file before anything is allocated, values that
 * must be finite are, and the one-pattern stability asks for O(P N) work, not the P x P Gram matrix. */
static void hostile(am_rng *rng)
{
    const char *path = "/tmp/t-hopfield-hostile.am";
    tfile t;
    am_hopfield *h = NULL;
    tf_head(&t, "LIBAMHOP");
    tf_u32(&t, AM_RULE_HEBB), tf_u32(&t, 0), tf_u64(&t, 2000000000ull), tf_u64(&t, 0);
    tf_write(&t, path);
    is_int(am_hopfield_load(&h, path), AM_ERANGE, "a 44-byte Hebb store declaring 2e9 units: AM_ERANGE");
    /* The largest store, no patterns: what the load allocates is sized by what the file holds. */
    tf_head(&t, "LIBAMHOP");
    tf_u32(&t, AM_RULE_HEBB), tf_u32(&t, 0), tf_u64(&t, AM_MAX_UNITS), tf_u64(&t, 0);
    tf_write(&t, path);
    struct mallinfo2 m0 = mallinfo2();
    int rc = am_hopfield_load(&h, path);
    struct mallinfo2 m1 = mallinfo2();
    double grew = ((double)m1.uordblks + (double)m1.hblkhd - (double)m0.uordblks - (double)m0.hblkhd) / 1e6;
    ok(rc == AM_OK && h && am_hopfield_n(h) == AM_MAX_UNITS, "a 44-byte Hebb store of 2^24 units and no patterns loads");
    ok(grew < 1.0, "and the load holds %.2f MB (it used to hold 201 MB before reading anything)", grew);
    am_hopfield_free(h);
    h = NULL;
    /* An empty store still recalls: fields are 0, so states stay, or follow the thresholds. */
    am_hopfield_create(&h, 70, AM_RULE_HEBB);
    int8_t st[70], want[70];
    float th[70];
    for (int i = 0; i < 70; i++)
        st[i] = want[i] = i % 3 ? 1 : -1, th[i] = i % 2 ? 0.5f : -0.5f;
    for (int d = 0; d < 2; d++) {
        am_recall_opts o;
        am_recall_opts_default(&o);
        o.dynamics = d ? AM_DYN_SYNC : AM_DYN_ASYNC;
        o.order = AM_ORDER_FIXED;
        int8_t s2[70];
        memcpy(s2, st, sizeof s2);
        ok(am_hopfield_recall(h, s2, &o, rng, NULL, NULL) == AM_OK && !memcmp(s2, want, sizeof s2),
           "an empty store keeps the cue (%s)", d ? "sync" : "async");
    }
    am_hopfield_set_threshold(h, th);
    am_recall_opts ot;
    am_recall_opts_default(&ot);
    ot.order = AM_ORDER_FIXED;
    ok(am_hopfield_recall(h, st, &ot, rng, NULL, NULL) == AM_OK && st[0] == -1 && st[1] == 1 && st[2] == -1 && st[3] == 1,
       "and with thresholds every unit takes its threshold's sign");
    is_near(am_hopfield_energy(h, st), -35.0, 1e-9, "energy -sum theta_i s_i = -35");
    am_hopfield_free(h);
    h = NULL;
    tf_head(&t, "LIBAMHOP");
    tf_u32(&t, AM_RULE_STORKEY), tf_u32(&t, 1), tf_u64(&t, 60000), tf_u64(&t, 0);
    tf_write(&t, path);
    is_int(am_hopfield_load(&h, path), AM_ETRUNC, "a Storkey store declaring a 14 GB matrix it lacks: AM_ETRUNC");
    tf_head(&t, "LIBAMHOP");
    tf_u32(&t, AM_RULE_STORKEY), tf_u32(&t, 1), tf_u64(&t, 2), tf_u64(&t, 0);
    tf_f32(&t, 0), tf_f32(&t, NAN), tf_f32(&t, NAN), tf_f32(&t, 0);
    tf_write(&t, path);
    is_int(am_hopfield_load(&h, path), AM_ENOTFINITE, "NaN weights: AM_ENOTFINITE");
    ok(h == NULL, "nothing is returned on failure");
    remove(path);

    /* Stability of a range equals the same slice of the whole (both paths). */
    am_patterns *x;
    am_patterns_create(&x, 120, 30);
    am_patterns_random(x, rng);
    for (int matrix = 0; matrix < 2; matrix++) {
        am_hopfield_create(&h, 120, AM_RULE_HEBB);
        am_hopfield_store(h, x);
        am_hopfield_set_path(h, matrix ? AM_PATH_MATRIX : AM_PATH_PATTERNS);
        size_t all[30], part[7];
        am_hopfield_stability(h, all);
        is_int(am_hopfield_stability_range(h, 11, 7, part), AM_OK, "stability of patterns 11..17 (%s path)",
               matrix ? "matrix" : "patterns");
        ok(!memcmp(part, all + 11, sizeof part), "equals that slice of the whole");
        is_int(am_hopfield_stability_range(h, 25, 6, part), AM_EINVAL, "a range past the end is AM_EINVAL");
        is_int(am_hopfield_stability_range(h, 30, 0, part), AM_OK, "an empty range at the end is fine");
        am_hopfield_free(h);
    }
    am_patterns_free(x);
}

int main(void)
{
    am_rng rng;
    am_rng_init(&rng, 2024, 0);
    hostile(&rng);
    known_answers();
    energy_descent(AM_RULE_HEBB, 200, 30, &rng);
    energy_descent(AM_RULE_HEBB, 200, 150, &rng); /* matrix path */
    energy_descent(AM_RULE_STORKEY, 150, 40, &rng);
    energy_descent(AM_RULE_PINV, 150, 90, &rng);
    paths_agree(&rng);
    energy_trace(&rng);
    dynamics_cases(&rng);
    rules(&rng);
    save_load(&rng);
    errors(&rng);
    return done_testing();
}
