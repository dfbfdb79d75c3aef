/* Dense associative memory: agreement with Hebb at n = 2, energy descent, drive = energy difference,
 * no overflow with F = exp, capacity beyond Hebb, stability, save/load, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "../libam/stores/internal.h"
#include "../libam/stores/masked.h"
#include "tap.h"

static am_patterns *random_set(size_t n, size_t k, am_rng *rng)
{
    am_patterns *x = NULL;
    if (am_patterns_create(&x, n, k))
        abort();
    am_patterns_random(x, rng);
    return x;
}

static am_dense *make(size_t n, am_dense_f f, int deg, const am_patterns *x)
{
    am_dense *d = NULL;
    if (am_dense_create(&d, n, f, deg) || am_dense_store(d, x))
        abort();
    return d;
}

/* One recall of a noisy cue of pattern c under the current kernels; returns a digest of the outcome. */
static void recall_once(const am_dense *d, const am_patterns *x, size_t c, am_dynamics dyn, am_order order,
                        uint64_t seed, int8_t *s, am_recall_info *info)
{
    am_recall_opts o;
    am_rng r;
    size_t n = am_dense_n(d);
    am_rng_init(&r, seed, c);
    am_recall_opts_default(&o);
    o.dynamics = dyn;
    o.order = order;
    o.max_steps = 40;
    am_patterns_get(x, c, s);
    am_state_flip_frac(s, n, 0.2, &r);
    am_dense_recall(d, s, &o, &r, NULL, info);
}

/* The exact integer path (and the portable integer kernels) decide every update as the float path does, ties
 * included: the same recalls and stability, for polynomials of low degree, where exact ties are common. */
static void exact_path_agrees(void)
{
    static const am_dynamics dyn[] = {AM_DYN_ASYNC, AM_DYN_SYNC, AM_DYN_GLAUBER};
    int same = 1, cases = 0;
    am_rng rng;
    am_rng_init(&rng, 5, 0);
    for (int f = 0; f < 2; f++)
        for (int deg = 1; deg <= 5; deg++) {
            size_t n = deg % 2 ? 64 : 45, k = deg * 30;
            am_patterns *x = random_set(n, k, &rng);
            am_dense *d = make(n, f ? AM_F_RECTPOLY : AM_F_POLY, deg, x);
            int8_t *s[3] = {malloc(n), malloc(n), malloc(n)};
            size_t *u[3] = {malloc(k * sizeof(size_t)), malloc(k * sizeof(size_t)), malloc(k * sizeof(size_t))};
            for (int v = 0; v < 3; v++) { /* float path; exact path, vector kernels; exact path, portable */
                am__dense_exact(v > 0);
                am__masked_init();
                am__masked_pick(v == 2);
                am_dense_stability(d, u[v]);
            }
            same &= !memcmp(u[0], u[1], k * sizeof(size_t)) && !memcmp(u[0], u[2], k * sizeof(size_t));
            for (int y = 0; y < 3; y++)
                for (size_t c = 0; c < 8; c++) {
                    am_recall_info in[3];
                    for (int v = 0; v < 3; v++) {
                        am__dense_exact(v > 0);
                        am__masked_pick(v == 2);
                        recall_once(d, x, c, dyn[y], c % 2 ? AM_ORDER_FIXED : AM_ORDER_RANDOM, 9, s[v], &in[v]);
                    }
                    for (int v = 1; v < 3; v++)
                        same &= !memcmp(s[0], s[v], n) && in[0].steps == in[v].steps && in[0].flips == in[v].flips &&
                                in[0].end == in[v].end;
                    cases++;
                }
            for (int v = 0; v < 3; v++)
                free(s[v]), free(u[v]);
            am_dense_free(d);
            am_patterns_free(x);
        }
    am__dense_exact(1);
    am__masked_pick(0);
    ok(same, "the exact integer path decides as the float path, ties included (%d recalls, stability)", cases);
}

int main(void)
{
    am_rng rng;
    am_rng_init(&rng, 77, 0);
    size_t n = 120;

    /* n = 2: D_i = 4 N h_i of the Hebb store, so both recall the same way, step for step. */
    am_patterns *x = random_set(n, 25, &rng);
    am_dense *d2 = make(n, AM_F_POLY, 2, x);
    am_hopfield *hb = NULL;
    am_hopfield_create(&hb, n, AM_RULE_HEBB);
    am_hopfield_store(hb, x);
    int same = 1;
    for (int dyn = 0; dyn < 2; dyn++)
        for (int c = 0; c < 20; c++) {
            int8_t a[120], b[120];
            am_recall_opts o;
            am_recall_info ia, ib;
            am_recall_opts_default(&o);
            o.dynamics = dyn ? AM_DYN_SYNC : AM_DYN_ASYNC;
            am_patterns_get(x, (size_t)c, a);
            am_state_flip_frac(a, n, 0.3, &rng);
            memcpy(b, a, n);
            am_rng r1 = rng, r2 = rng;
            am_dense_recall(d2, a, &o, &r1, NULL, &ia);
            am_hopfield_recall(hb, b, &o, &r2, NULL, &ib);
            same &= !memcmp(a, b, n) && ia.steps == ib.steps && ia.end == ib.end;
        }
    ok(same, "dense n=2 recalls exactly as the Hebb store on the same patterns (async and sync)");
    int8_t s[120];
    am_patterns_get(x, 0, s);
    am_state_flip_k(s, n, 17, &rng);
    /* E_Hebb = -(sum m^2 - K N)/(2N), so E_dense(n=2) = -sum m^2 = 2N E_Hebb - K N. */
    is_near(am_dense_energy(d2, s), 2.0 * n * am_hopfield_energy(hb, s) - 25.0 * n, 1e-6,
            "dense n=2 energy = 2N E_Hebb - K N");
    am_hopfield_free(hb);
    am_dense_free(d2);

    /* Energy descent and drive = E(s_i=-1) - E(s_i=+1), for every F. */
    const am_dense_f fs[3] = {AM_F_POLY, AM_F_RECTPOLY, AM_F_EXP};
    for (int k = 0; k < 3; k++) {
        am_dense *d = make(n, fs[k], 3, x);
        double tr[128];
        am_recall_opts o;
        am_recall_info info;
        int mono = 1, drive_ok = 1;
        am_recall_opts_default(&o);
        o.trace = tr;
        o.trace_cap = 128;
        for (int c = 0; c < 10; c++) {
            am_patterns_get(x, (size_t)c, s);
            am_state_flip_frac(s, n, 0.4, &rng);
            for (size_t i = 0; i < n; i += 7) {
                int8_t p[120];
                memcpy(p, s, n);
                p[i] = 1;
                double ep = am_dense_energy(d, p);
                p[i] = -1;
                double em = am_dense_energy(d, p), dr = am_dense_drive(d, s, i);
                drive_ok &= (em > ep && dr > 0) || (em < ep && dr < 0) || (em == ep && dr == 0);
            }
            am_dense_recall(d, s, &o, &rng, NULL, &info);
            for (unsigned t = 1; t < info.trace_len; t++)
                mono &= tr[t] <= tr[t - 1] + 1e-9 * (1 + fabs(tr[t - 1]));
            mono &= info.end == AM_END_FIXED && fabs(info.energy - tr[info.trace_len - 1]) < 1e-9 * (1 + fabs(info.energy));
        }
        ok(mono, "F=%s: energy never rises under async T=0 and recall ends at a fixed point", am_dense_f_name(fs[k]));
        ok(drive_ok, "F=%s: the sign of the drive is the sign of E(s_i=-1) - E(s_i=+1)", am_dense_f_name(fs[k]));
        am_dense_free(d);
    }
    am_patterns_free(x);

    /* Beyond Hebb's capacity: N = 100, K = 200 (alpha = 2) with F = x^3 and e^x. */
    n = 100;
    x = random_set(n, 200, &rng);
    for (int k = 0; k < 3; k += 2) {
        am_dense *d = make(n, fs[k], 3, x);
        int good = 0;
        for (int c = 0; c < 20; c++) {
            int8_t t[100], q[100];
            am_patterns_get(x, (size_t)c, t);
            memcpy(q, t, n);
            am_state_flip_frac(q, n, 0.1, &rng);
            am_dense_recall(d, q, NULL, &rng, NULL, NULL);
            good += !memcmp(q, t, n);
        }
        ok(good >= (k ? 20 : 18), "F=%s stores K=200 patterns in N=100 units: %d/20 cues recalled exactly",
           am_dense_f_name(fs[k]), good);
        size_t *u = malloc(200 * sizeof *u), tot = 0;
        am_dense_stability(d, u);
        for (int mu = 0; mu < 200; mu++)
            tot += u[mu];
        /* Check stability against the drive on pattern 0. */
        int8_t t[100];
        size_t bad0 = 0;
        am_patterns_get(x, 0, t);
        for (size_t i = 0; i < n; i++)
            bad0 += am_dense_drive(d, t, i) * t[i] < 0;
        ok(bad0 == u[0], "F=%s: stability of pattern 0 agrees with the drive (%zu unstable bits; %zu in all)",
           am_dense_f_name(fs[k]), bad0, tot);
        free(u);
        am_dense_free(d);
    }
    am_patterns_free(x);

    /* F = exp at N = 3000: overlaps up to 3000 would overflow e^m; nothing may become inf or nan. */
    n = 3000;
    x = random_set(n, 40, &rng);
    am_dense *de = make(n, AM_F_EXP, 0, x);
    int8_t *big = malloc(n), *tg = malloc(n);
    am_patterns_get(x, 5, tg);
    memcpy(big, tg, n);
    am_state_flip_frac(big, n, 0.3, &rng);
    am_recall_info info;
    double e0 = am_dense_energy(de, big), dr = am_dense_drive(de, big, 0);
    am_dense_recall(de, big, NULL, &rng, NULL, &info);
    ok(isfinite(e0) && isfinite(dr) && isfinite(info.energy) && !memcmp(big, tg, n),
       "F=exp at N=3000: finite energy (%.1f -> %.1f) and drive, exact recall", e0, info.energy);
    is_near(info.energy, -3000.0, 1e-6, "log-form energy at a stored pattern is -N (others negligible)");
    free(big), free(tg);
    am_dense_free(de);
    am_patterns_free(x);

    /* Glauber at high T melts a pattern. */
    n = 200;
    x = random_set(n, 20, &rng);
    am_dense *dg = make(n, AM_F_POLY, 3, x);
    int8_t gs[200], gt[200];
    am_recall_opts o;
    am_recall_opts_default(&o);
    o.dynamics = AM_DYN_GLAUBER;
    o.temperature = 1e9;
    o.max_steps = 10;
    am_patterns_get(x, 0, gt);
    memcpy(gs, gt, n);
    am_dense_recall(dg, gs, &o, &rng, NULL, &info);
    ok(info.end == AM_END_MAXSTEPS && fabs(am_state_overlap(gs, gt, n)) < 0.3,
       "Glauber at very high T melts the pattern (overlap %.2f)", am_state_overlap(gs, gt, n));
    o.temperature = 1.0;
    memcpy(gs, gt, n);
    am_state_flip_frac(gs, n, 0.2, &rng);
    am_dense_recall(dg, gs, &o, &rng, NULL, &info);
    ok(am_state_overlap(gs, gt, n) > 0.99, "Glauber at T=1 recalls (drives are ~ N^3)");

    /* Save / load. */
    char path[] = "/tmp/t-dense-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    am_dense *dl = NULL;
    ok(am_dense_save(dg, path) == AM_OK && am_dense_load(&dl, path) == AM_OK, "save and load");
    ok(dl && am_dense_count(dl) == 20 && am_dense_degree(dl) == 3 && am_dense_function(dl) == AM_F_POLY &&
           am_dense_energy(dl, gs) == am_dense_energy(dg, gs),
       "round trip keeps F, degree, patterns and energies");
    am_dense_free(dl);
    FILE *f = fopen(path, "r+b");
    fseek(f, 40, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    ok(am_dense_load(&dl, path) == AM_ECHECKSUM && !dl, "a damaged file is a checksum error");
    ok(am_hopfield_load((am_hopfield **)&dl, path) == AM_EFORMAT, "a dense file is not a classical store");
    truncate(path, 30);
    ok(am_dense_load(&dl, path) == AM_ETRUNC, "a truncated file is AM_ETRUNC");
    remove(path);

    /* Errors. */
    am_dense *bad = NULL;
    ok(am_dense_create(&bad, 10, AM_F_POLY, 0) == AM_EINVAL && !bad, "degree 0 rejected");
    ok(am_dense_create(&bad, 0, AM_F_EXP, 0) == AM_EINVAL, "n = 0 rejected");
    ok(am_dense_create(&bad, 10, (am_dense_f)5, 2) == AM_EINVAL, "unknown F rejected");
    am_dense_create(&bad, 10, AM_F_EXP, 0);
    int8_t ten[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    ok(am_dense_recall(bad, ten, NULL, &rng, NULL, NULL) == AM_EEMPTY, "recall with no patterns is AM_EEMPTY");
    ok(am_dense_store(bad, x) == AM_ESIZE, "patterns of the wrong size are AM_ESIZE");
    am_dense_f ff;
    ok(am_dense_f_parse("rectpoly", &ff) == AM_OK && ff == AM_F_RECTPOLY && am_dense_f_parse("cubic", &ff) == AM_EINVAL,
       "F names parse");
    am_dense_free(bad);
    am_dense_free(NULL);
    am_dense_work_free(NULL);
    am_dense_free(dg);
    am_patterns_free(x);
    exact_path_agrees();
    return done_testing();
}
