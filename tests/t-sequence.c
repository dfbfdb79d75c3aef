/* Sequence stores (am/sequence.h): every model against its definition computed by brute force, replay of
 * stored sequences, open and cyclic ends, several sequences, MixedNet's timing, the pseudo-inverse rule on
 * correlated patterns, save/load and hostile files, determinism (threads, step vs batch), the store verbs on
 * sequence stores, errors. */
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "files.h"
#include "tap.h"

/* ---- helpers ---- */

typedef struct model {
    const char *name;      /* store type */
    const char *params[8]; /* name, value pairs, NULL-terminated */
    int f, degree, tau;    /* what the reference computes with */
    double lambda, beta;
} model;

static am_store *make(const model *m, size_t n)
{
    am_store_config c;
    am_store *s = NULL;
    char why[128];
    if (am_store_config_init(&c, m->name, n))
        abort();
    for (int k = 0; m->params[k]; k += 2)
        if (am_store_config_set(&c, m->params[k], m->params[k + 1], why, sizeof why)) {
            fprintf(stderr, "%s %s=%s: %s\n", m->name, m->params[k], m->params[k + 1], why);
            abort();
        }
    if (am_store_create(&s, &c))
        abort();
    return s;
}

static am_patterns *random_set(size_t n, size_t count, am_rng *rng)
{
    am_patterns *x = NULL;
    if (am_patterns_create(&x, n, count))
        abort();
    am_patterns_random(x, rng);
    return x;
}

/* Add the patterns first..first+len-1 of x as one sequence. */
static int add_part(am_store *s, const am_patterns *x, size_t first, size_t len, int cyclic)
{
    am_patterns view = *x;
    view.bits = x->bits + first * x->words;
    view.count = len;
    return am_sequence_add(s, &view, cyclic);
}

/* The elements as int8 rows (count x n) and their successors. */
typedef struct elems {
    size_t n, count;
    int8_t *x;
    size_t *next;
} elems;

static elems elems_of(const am_store *s)
{
    elems e = {am_store_n(s), am_store_count(s), NULL, NULL};
    e.x = malloc(e.count * e.n + 1);
    e.next = malloc((e.count + 1) * sizeof *e.next);
    for (size_t k = 0; k < e.count; k++) {
        am_patterns_get(am_store_patterns(s), k, e.x + k * e.n);
        e.next[k] = am_sequence_next(s, k);
    }
    return e;
}

static void elems_free(elems *e) { free(e->x), free(e->next); }

/* sum_{j != skip} a_j b_j (skip = n: none) */
static long long dot_ex(const int8_t *a, const int8_t *b, size_t n, size_t skip)
{
    long long d = 0;
    for (size_t j = 0; j < n; j++)
        d += j == skip ? 0 : (long long)a[j] * b[j];
    return d;
}

static long double powi(long double x, int d)
{
    long double r = 1;
    for (int k = 0; k < d; k++)
        r *= x;
    return r;
}

/* ---- the definitions, by brute force ----
 * One step from the history hist[0] (now), hist[1], ... into out. Where the field is within rounding of 0 for
 * a model computed in floating point, the unit is marked ambiguous (amb[i] = 1) instead. Exact models (the
 * polynomial ones while their integers fit, seq-hebb) are never ambiguous: their ties (h = 0 -> +1) must come
 * out the same. ties counts fields exactly 0. */
static void ref_hebb(const model *m, const elems *e, const int8_t *s, int8_t *out, long *ties)
{
    for (size_t i = 0; i < e->n; i++) {
        long long a = 0, b = 0;
        for (size_t mu = 0; mu < e->count; mu++) {
            long long ov = dot_ex(e->x + mu * e->n, s, e->n, e->n);
            if (e->next[mu] != SIZE_MAX)
                a += e->x[e->next[mu] * e->n + i] * ov;
            b += e->x[mu * e->n + i] * ov;
        }
        double h = (double)a + m->lambda * (double)b;
        *ties += h == 0.0;
        out[i] = h >= 0.0 ? 1 : -1;
    }
}

static void ref_dense(const model *m, const elems *e, const int8_t *s, int8_t *out, unsigned char *amb, long *ties)
{
    for (size_t i = 0; i < e->n; i++) {
        __int128 hp = 0;
        long double hx = 0, mag = 0;
        for (size_t mu = 0; mu < e->count; mu++) {
            if (e->next[mu] == SIZE_MAX)
                continue;
            long long ov = dot_ex(e->x + mu * e->n, s, e->n, i);
            int nx = e->x[e->next[mu] * e->n + i];
            if (m->f) {
                long double t = expl((long double)ov - (long double)(e->n - 1));
                hx += nx * t, mag += t;
            } else {
                __int128 t = 1;
                for (int k = 0; k < m->degree; k++)
                    t *= ov;
                hp += nx * t;
            }
        }
        if (m->f) {
            amb[i] = fabsl(hx) <= 1e-12L * mag;
            out[i] = hx >= 0 ? 1 : -1;
        } else {
            *ties += hp == 0;
            out[i] = hp >= 0 ? 1 : -1;
        }
    }
}

/* MixedNet: the window is hist[0..tau-1]. Polynomial fields scaled by (tau (N-1))^d: integers. */
static void ref_mixed(const model *m, const elems *e, const int8_t *const *hist, int8_t *out, unsigned char *amb,
                      long *ties)
{
    size_t n = e->n;
    long long *T = malloc(n * sizeof *T);
    for (size_t j = 0; j < n; j++) {
        T[j] = 0;
        for (int r = 0; r < m->tau; r++)
            T[j] += hist[r][j];
    }
    int exact = !m->f && m->degree <= 3;
    for (size_t i = 0; i < n; i++) {
        __int128 sym = 0, asym = 0;
        long double sx = 0, ax = 0, mag = 0;
        for (size_t mu = 0; mu < e->count; mu++) {
            const int8_t *x = e->x + mu * n;
            long long ov = m->tau * dot_ex(x, hist[0], n, i), ovt = 0;
            for (size_t j = 0; j < n; j++)
                ovt += j == i ? 0 : x[j] * T[j];
            long double a = m->f ? expl((long double)ov / m->tau - (long double)(n - 1))
                                 : powi((long double)ov, m->degree);
            if (exact) {
                __int128 t = 1;
                for (int k = 0; k < m->degree; k++)
                    t *= ov;
                sym += x[i] * t;
            }
            sx += x[i] * a, mag += fabsl(a);
            if (e->next[mu] == SIZE_MAX)
                continue;
            int nx = e->x[e->next[mu] * n + i];
            long double b = m->f ? expl((long double)ovt / m->tau - (long double)(n - 1))
                                 : powi((long double)ovt, m->degree);
            if (exact) {
                __int128 t = 1;
                for (int k = 0; k < m->degree; k++)
                    t *= ovt;
                asym += nx * t;
            }
            ax += nx * b, mag += m->lambda * fabsl(b);
        }
        if (exact) {
            double h = (double)sym + m->lambda * (double)asym;
            *ties += h == 0.0;
            out[i] = h >= 0.0 ? 1 : -1;
        } else {
            long double h = sx + m->lambda * ax;
            amb[i] = fabsl(h) <= 1e-12L * mag;
            out[i] = h >= 0 ? 1 : -1;
        }
    }
    free(T);
}

/* C^-1 of the elements with a successor (k x k), by Gauss-Jordan in long double; sel: those elements. */
static long double *ref_cinv(const elems *e, size_t *sel, size_t *kout)
{
    size_t k = 0, n = e->n;
    for (size_t mu = 0; mu < e->count; mu++)
        if (e->next[mu] != SIZE_MAX)
            sel[k++] = mu;
    long double *a = calloc(k * 2 * k + 1, sizeof *a);
    for (size_t r = 0; r < k; r++) {
        for (size_t c = 0; c < k; c++)
            a[r * 2 * k + c] = (long double)dot_ex(e->x + sel[r] * n, e->x + sel[c] * n, n, n) / n;
        a[r * 2 * k + k + r] = 1;
    }
    for (size_t c = 0; c < k; c++) {
        size_t p = c;
        for (size_t r = c + 1; r < k; r++)
            p = fabsl(a[r * 2 * k + c]) > fabsl(a[p * 2 * k + c]) ? r : p;
        for (size_t j = 0; j < 2 * k; j++) {
            long double t = a[c * 2 * k + j];
            a[c * 2 * k + j] = a[p * 2 * k + j];
            a[p * 2 * k + j] = t;
        }
        long double d = a[c * 2 * k + c];
        for (size_t j = 0; j < 2 * k; j++)
            a[c * 2 * k + j] /= d;
        for (size_t r = 0; r < k; r++) {
            long double f = a[r * 2 * k + c];
            for (size_t j = 0; r != c && j < 2 * k; j++)
                a[r * 2 * k + j] -= f * a[c * 2 * k + j];
        }
    }
    *kout = k;
    return a;
}

static void ref_pinv(const elems *e, const int8_t *s, int8_t *out, unsigned char *amb)
{
    size_t n = e->n, k, *sel = malloc((e->count + 1) * sizeof *sel);
    long double *a = ref_cinv(e, sel, &k);
    long double *y = calloc(k + 1, sizeof *y), *ymag = calloc(k + 1, sizeof *ymag);
    for (size_t r = 0; r < k; r++) /* y = C^-1 (X S / N) */
        for (size_t c = 0; c < k; c++) {
            long double t = a[r * 2 * k + k + c] * dot_ex(e->x + sel[c] * n, s, n, n) / n;
            y[r] += t, ymag[r] += fabsl(t);
        }
    for (size_t i = 0; i < n; i++) {
        long double h = 0, mag = 0;
        for (size_t r = 0; r < k; r++)
            h += e->x[e->next[sel[r]] * n + i] * y[r], mag += ymag[r];
        amb[i] = fabsl(h) <= 1e-9L * mag;
        out[i] = h >= 0 ? 1 : -1;
    }
    free(sel), free(a), free(y), free(ymag);
}

static void ref_modern(const model *m, const elems *e, const int8_t *s, int8_t *out, unsigned char *amb)
{
    long long top = LLONG_MIN;
    for (size_t mu = 0; mu < e->count; mu++)
        if (e->next[mu] != SIZE_MAX && dot_ex(e->x + mu * e->n, s, e->n, e->n) > top)
            top = dot_ex(e->x + mu * e->n, s, e->n, e->n);
    for (size_t i = 0; i < e->n; i++) {
        long double h = 0, mag = 0;
        for (size_t mu = 0; mu < e->count; mu++) {
            if (e->next[mu] == SIZE_MAX)
                continue;
            long double p = expl((long double)m->beta * (dot_ex(e->x + mu * e->n, s, e->n, e->n) - top));
            h += e->x[e->next[mu] * e->n + i] * p, mag += p;
        }
        amb[i] = fabsl(h) <= 1e-12L * mag;
        out[i] = h >= 0 ? 1 : -1;
    }
}

static void ref_step(const model *m, const elems *e, const int8_t *const *hist, int8_t *out, unsigned char *amb,
                     long *ties)
{
    memset(amb, 0, e->n);
    if (!strcmp(m->name, "seq-hebb"))
        ref_hebb(m, e, hist[0], out, ties);
    else if (!strcmp(m->name, "seq-dense"))
        ref_dense(m, e, hist[0], out, amb, ties);
    else if (!strcmp(m->name, "seq-mixed"))
        ref_mixed(m, e, hist, out, amb, ties);
    else if (!strcmp(m->name, "seq-pinv"))
        ref_pinv(e, hist[0], out, amb);
    else
        ref_modern(m, e, hist[0], out, amb);
}

/* Units where got differs from the reference, and the ambiguous ones (*amb_count). */
static size_t compare(const model *m, const elems *e, const int8_t *const *hist, const int8_t *got, long *amb_count,
                      long *ties)
{
    int8_t *want = malloc(e->n);
    unsigned char *amb = malloc(e->n);
    size_t bad = 0;
    ref_step(m, e, hist, want, amb, ties);
    for (size_t i = 0; i < e->n; i++) {
        *amb_count += amb[i];
        bad += !amb[i] && want[i] != got[i];
    }
    free(want), free(amb);
    return bad;
}

/* ---- the models under test ---- */

static const model models[] = {
    {"seq-hebb", {NULL}, 0, 1, 1, 0.0, 0},
    {"seq-hebb", {"lambda", "0.5", NULL}, 0, 1, 1, 0.5, 0},
    {"seq-dense", {"degree", "1", NULL}, 0, 1, 1, 0, 0},
    {"seq-dense", {NULL}, 0, 2, 1, 0, 0},
    {"seq-dense", {"degree", "3", NULL}, 0, 3, 1, 0, 0},
    {"seq-dense", {"F", "exp", NULL}, 1, 0, 1, 0, 0},
    {"seq-mixed", {"degree", "2", "tau", "3", "lambda", "1.5", NULL}, 0, 2, 3, 1.5, 0},
    {"seq-mixed", {"tau", "2", NULL}, 0, 10, 2, 2.5, 0},
    {"seq-mixed", {"F", "exp", "tau", "4", "lambda", "2", NULL}, 1, 0, 4, 2.0, 0},
    {"seq-pinv", {NULL}, 0, 1, 1, 0, 0},
    {"seq-modern", {NULL}, 0, 1, 1, 0, 1.0},
    {"seq-modern", {"beta", "0.3", NULL}, 0, 1, 1, 0, 0.3},
};
#define NMODELS (sizeof models / sizeof models[0])

static void describe(const am_store *s, char *buf, size_t size)
{
    am_store_config c;
    am_store_config_of(s, &c);
    am_store_config_describe(&c, buf, size);
}

/* Every step of a replay (trajectories from the stored elements and from random cues) and the batch of
 * steps from every element, against the definition. */
static void test_definitions(am_rng *rng)
{
    long ties_exact = 0;
    for (size_t mi = 0; mi < NMODELS; mi++) {
        const model *m = &models[mi];
        for (size_t n = 12; n <= 13; n++) {
            am_store *s = make(m, n);
            am_patterns *x = random_set(n, 9, rng);
            char d[128];
            add_part(s, x, 0, 5, 1);
            add_part(s, x, 5, 4, 0);
            describe(s, d, sizeof d);
            elems e = elems_of(s);
            size_t bad = 0, units = 0, steps = 6;
            long amb = 0, ties = 0;
            int8_t *traj = malloc((steps + 1) * n), *cue = malloc(n), *next = malloc(e.count * n);
            const int8_t *hist[8];
            for (size_t c = 0; c < e.count + 24; c++) { /* the elements, then random cues */
                if (c < e.count)
                    memcpy(cue, e.x + c * n, n);
                else
                    for (size_t i = 0; i < n; i++)
                        cue[i] = am_rng_uniform(rng) < 0.5 ? 1 : -1;
                am_replay_info info;
                if (am_sequence_replay(s, cue, SIZE_MAX, (unsigned)steps, NULL, NULL, NULL, traj, &info))
                    abort();
                for (size_t t = 1; t <= steps; t++) {
                    for (int r = 0; r < m->tau; r++) /* the cue before the start */
                        hist[r] = traj + ((size_t)r < t ? t - 1 - (size_t)r : 0) * n;
                    bad += compare(m, &e, hist, traj + t * n, &amb, &ties);
                    units += n;
                }
            }
            am_sequence_transitions(s, 0, e.count, NULL, next, NULL, NULL);
            for (size_t k = 0; k < e.count; k++) {
                for (int r = 0; r < m->tau; r++)
                    hist[r] = e.x + k * n;
                bad += compare(m, &e, hist, next + k * n, &amb, &ties);
                units += n;
            }
            ok(bad == 0 && amb * 100 <= (long)units, "%s, N=%zu: %zu units of steps agree with the definition (%ld "
               "within rounding of a tie skipped, %ld exact ties)", d, n, units - (size_t)amb, amb, ties);
            if (bad)
                diag("%zu units differ", bad);
            ties_exact += ties;
            free(traj), free(cue), free(next);
            elems_free(&e);
            am_patterns_free(x);
            am_store_free(s);
        }
    }
    ok(ties_exact > 0, "the exact models met fields of exactly 0 (%ld), decided as +1 like the definition",
       ties_exact);
}

/* Replay of a cyclic sequence of 10 random patterns, N = 200, from 10% noise: every step a transition. */
static void test_replay(am_rng *rng)
{
    static const char *const names[] = {"seq-hebb", "seq-dense", "seq-pinv", "seq-modern"};
    am_patterns *x = random_set(200, 10, rng);
    for (int k = 0; k < 4; k++) {
        model m = {names[k], {NULL}, 0, 0, 0, 0, 0};
        am_store *s = make(&m, 200);
        int8_t cue[200];
        double *ov = malloc(31 * 10 * sizeof *ov);
        am_replay_info info;
        add_part(s, x, 0, 10, 1);
        am_patterns_get(x, 3, cue);
        am_state_flip_k(cue, 200, 20, rng);
        int rc = am_sequence_replay(s, cue, SIZE_MAX, 30, NULL, NULL, ov, NULL, &info);
        ok(rc == AM_OK && info.steps == 30 && info.transitions == 30 && info.wrong == 0 && info.first_fail == -1 &&
               info.final_element == 3 && fabs(ov[0 * 10 + 3] - 0.8) < 1e-12 && ov[30 * 10 + 3] == 1.0 &&
               ov[7 * 10 + 0] == 1.0,
           "%s: 30 exact transitions around a cyclic sequence of 10 from a cue with 10%% of its bits flipped",
           names[k]);
        free(ov);
        am_store_free(s);
    }
    am_patterns_free(x);
}

/* Open and cyclic ends, several sequences, the counting of holds, failures and the end. */
static void test_ends(am_rng *rng)
{
    model m = {"seq-dense", {NULL}, 0, 2, 1, 0, 0};
    am_store *s = make(&m, 200);
    am_patterns *x = random_set(200, 16, rng);
    size_t first, len, nexact;
    int cyc;
    ok(add_part(s, x, 0, 5, 1) == AM_OK && add_part(s, x, 5, 7, 0) == AM_OK && add_part(s, x, 12, 4, 1) == AM_OK &&
           am_sequence_count(s) == 3 && am_store_count(s) == 16,
       "three sequences: cyclic 5, open 7, cyclic 4");
    ok(am_sequence_info(s, 1, &first, &len, &cyc) == AM_OK && first == 5 && len == 7 && !cyc &&
           am_sequence_info(s, 2, &first, &len, &cyc) == AM_OK && first == 12 && len == 4 && cyc &&
           am_sequence_info(s, 3, NULL, NULL, NULL) == AM_EINVAL,
       "am_sequence_info: first element, length, cyclic; k out of range is AM_EINVAL");
    ok(am_sequence_next(s, 4) == 0 && am_sequence_next(s, 10) == 11 && am_sequence_next(s, 11) == SIZE_MAX &&
           am_sequence_next(s, 15) == 12 && am_sequence_next(s, 16) == SIZE_MAX,
       "successors: cyclic wrap, open end SIZE_MAX, out of range SIZE_MAX");
    int8_t st[200], *next = malloc(16 * 200);
    unsigned char ex[16];
    ok(am_sequence_transitions(s, 0, 16, NULL, next, ex, &nexact) == AM_OK && nexact == 16 && ex[11] == 1,
       "transitions from every element exact (the open end counts as exact)");
    am_replay_info info;
    am_patterns_get(x, 5, st);
    ok(am_sequence_replay(s, st, 5, 7, NULL, NULL, NULL, NULL, &info) == AM_OK && info.transitions == 6 &&
           info.wrong == 0 && info.first_fail == -1,
       "open sequence: 6 transitions to its end, the step past the end counts neither way");
    am_patterns_get(x, 5, st);
    int rc = am_sequence_replay(s, st, 5, 40, NULL, NULL, NULL, NULL, &info);
    ok(rc == AM_OK && info.transitions >= 6 && info.wrong == 0 && info.first_fail == -1,
       "past the end of an open sequence no step is a failure (%zu transitions: counted again once the state "
       "lands on an element)", info.transitions);
    am_patterns_get(x, 13, st);
    rc = am_sequence_replay(s, st, SIZE_MAX, 9, NULL, NULL, NULL, NULL, &info);
    ok(rc == AM_OK && info.transitions == 9 && info.final_element == 12 + (1 + 9) % 4,
       "the third sequence replays within itself (from element 13, 9 steps end at %zu)", info.final_element);
    /* start names another element than the cue: the first step is a failure, then the count resumes. */
    am_patterns_get(x, 0, st);
    ok(am_sequence_replay(s, st, 7, 5, NULL, NULL, NULL, NULL, &info) == AM_OK && info.wrong == 1 &&
           info.first_fail == 1 && info.transitions == 4 && info.final_element == 0,
       "a cue of element 0 counted from element 7: step 1 fails (moves to 1), then 4 transitions");
    /* A state that is no element: steps count as failures until an element is reached exactly. */
    am_patterns_get(x, 0, st);
    am_state_flip_k(st, 200, 100, rng);
    for (int i = 0; i < 200; i++)
        st[i] = 1;
    rc = am_sequence_replay(s, st, 0, 3, NULL, NULL, NULL, NULL, &info);
    ok(rc == AM_OK && info.first_fail == 1 && info.wrong + info.transitions == 3,
       "from a state far from every element: step 1 is a failure (%zu wrong, %zu transitions)", info.wrong,
       info.transitions);
    free(next);
    am_patterns_free(x);
    am_store_free(s);
}

/* Dwell: the steps each element is held in a trajectory; 0 when some state is no element. */
static int dwell_ok(const am_store *s, const int8_t *traj, size_t steps, size_t tau, size_t *visits)
{
    elems e = elems_of(s);
    size_t prev = SIZE_MAX, run = 0, n = e.n;
    int good = 1;
    *visits = 0;
    for (size_t t = 0; t <= steps && good; t++) {
        size_t el = SIZE_MAX;
        for (size_t k = 0; k < e.count && el == SIZE_MAX; k++)
            if (!memcmp(e.x + k * n, traj + t * n, n))
                el = k;
        if (el == SIZE_MAX) {
            good = 0;
        } else if (el == prev) {
            run++;
        } else {
            /* every dwell but the first (the cue) and the last (cut off) is tau, and the order is kept */
            if (prev != SIZE_MAX && *visits > 1 && run != tau)
                good = 0;
            if (prev != SIZE_MAX && e.next[prev] != el)
                good = 0;
            prev = el, run = 1;
            (*visits)++;
        }
    }
    elems_free(&e);
    return good;
}

static void test_mixed(am_rng *rng)
{
    model m = {"seq-mixed", {NULL}, 0, 10, 5, 2.5, 0};
    am_store *s = make(&m, 200);
    am_patterns *x = random_set(200, 10, rng);
    add_part(s, x, 0, 10, 1);
    int8_t st[200], *traj = malloc(61 * 200);
    am_replay_info info;
    size_t visits;
    am_patterns_get(x, 0, st);
    int rc = am_sequence_replay(s, st, 0, 60, NULL, NULL, NULL, traj, &info);
    ok(rc == AM_OK && info.wrong == 0 && info.transitions == 12 && dwell_ok(s, traj, 60, 5, &visits) &&
           visits == 13,
       "MixedNet (d=10, lambda=2.5, tau=5): the sequence in order, each element held exactly tau = 5 steps (%zu "
       "transitions in 60 steps)", info.transitions);
    am_patterns_get(x, 0, st);
    am_state_flip_k(st, 200, 20, rng);
    rc = am_sequence_replay(s, st, 0, 60, NULL, NULL, NULL, traj, &info);
    ok(rc == AM_OK && info.wrong == 0 && info.transitions >= 11,
       "MixedNet from 10%% noise: no failure, %zu transitions in 60 steps", info.transitions);
    /* recall on an open sequence: held at its last element, which ends the recall as a fixed point */
    am_store *o = make(&m, 200);
    add_part(o, x, 0, 4, 0);
    am_recall_opts ro;
    am_recall_info ri;
    am_recall_opts_default(&ro);
    ro.max_steps = 100;
    am_patterns_get(x, 0, st);
    int8_t last[200];
    am_patterns_get(x, 3, last);
    rc = am_store_recall(o, st, &ro, NULL, NULL, &ri);
    ok(rc == AM_OK && ri.end == AM_END_FIXED && !memcmp(st, last, 200) && ri.steps < 100 && isnan(ri.energy),
       "MixedNet recall of an open sequence ends held at its last element (fixed after %u steps)", ri.steps);
    free(traj);
    am_store_free(o);
    am_store_free(s);
    am_patterns_free(x);
}

/* Correlated patterns: the pseudo-inverse rule recalls them, the Hebbian one does not. */
static void test_correlated(am_rng *rng)
{
    am_patterns *x = NULL;
    am_patterns_create(&x, 200, 20);
    am_patterns_correlated(x, 0.15, NULL, rng);
    model mp = {"seq-pinv", {NULL}, 0, 0, 0, 0, 0}, mh = {"seq-hebb", {NULL}, 0, 0, 0, 0, 0};
    am_store *p = make(&mp, 200), *h = make(&mh, 200);
    add_part(p, x, 0, 20, 1);
    add_part(h, x, 0, 20, 1);
    size_t np, nh, *un = malloc(20 * sizeof *un);
    int8_t *next = malloc(20 * 200), st[200];
    am_replay_info info;
    am_sequence_transitions(p, 0, 20, NULL, next, NULL, &np);
    am_sequence_transitions(h, 0, 20, NULL, next, NULL, &nh);
    ok(np == 20 && nh == 0, "correlated patterns (flip 0.15 from a parent): seq-pinv %zu/20 exact transitions, "
       "seq-hebb %zu/20", np, nh);
    am_patterns_get(x, 0, st);
    am_state_flip_k(st, 200, 10, rng);
    ok(am_sequence_replay(p, st, 0, 40, NULL, NULL, NULL, NULL, &info) == AM_OK && info.transitions == 40,
       "seq-pinv replays the correlated sequence twice round from 5%% noise");
    ok(am_store_stability(h, un) == AM_OK, "stability on a sequence store");
    am_sequence_transitions(h, 0, 20, NULL, next, NULL, NULL);
    int same = 1;
    for (int k = 0; k < 20; k++) {
        int8_t want[200];
        am_patterns_get(x, (size_t)(k + 1) % 20, want);
        same &= un[k] == am_state_hamming(next + k * 200, want, 200);
    }
    ok(same && un[0] > 0, "stability = the bits of each step that miss the successor (element 0: %zu)", un[0]);
    free(un), free(next);
    am_store_free(p), am_store_free(h);
    am_patterns_free(x);
}

/* ---- files ---- */

static char tmpl[] = "/tmp/t-sequence-XXXXXX";

static void test_files(am_rng *rng)
{
    am_patterns *x = random_set(100, 9, rng);
    static const model saved[] = {
        {"seq-hebb", {"lambda", "0.25", NULL}, 0, 0, 0, 0, 0},
        {"seq-dense", {"degree", "3", NULL}, 0, 0, 0, 0, 0},
        {"seq-dense", {"F", "exp", NULL}, 0, 0, 0, 0, 0},
        {"seq-mixed", {"degree", "3", "lambda", "1.75", "tau", "3", NULL}, 0, 0, 0, 0, 0},
        {"seq-pinv", {NULL}, 0, 0, 0, 0, 0},
        {"seq-modern", {"beta", "0.125", NULL}, 0, 0, 0, 0, 0},
    };
    for (size_t k = 0; k < sizeof saved / sizeof *saved; k++) {
        am_store *s = make(&saved[k], 100), *t = NULL;
        char d1[128], d2[128];
        add_part(s, x, 0, 6, 1);
        add_part(s, x, 6, 3, 0);
        describe(s, d1, sizeof d1);
        int rc = am_store_save(s, tmpl) || am_store_load(&t, tmpl);
        if (rc || !t) {
            ok(0, "%s: save and load", d1);
            am_store_free(s);
            continue;
        }
        describe(t, d2, sizeof d2);
        int8_t a[100], b[100], *ta = malloc(21 * 100), *tb = malloc(21 * 100), *na = malloc(900), *nb = malloc(900);
        am_patterns_get(x, 2, a);
        am_state_flip_k(a, 100, 12, rng);
        memcpy(b, a, 100);
        size_t f1, l1;
        int c1;
        am_sequence_replay(s, a, SIZE_MAX, 20, NULL, NULL, NULL, ta, NULL);
        am_sequence_replay(t, b, SIZE_MAX, 20, NULL, NULL, NULL, tb, NULL);
        am_sequence_transitions(s, 0, 9, NULL, na, NULL, NULL);
        am_sequence_transitions(t, 0, 9, NULL, nb, NULL, NULL);
        ok(!strcmp(d1, d2) && am_store_type_of(t) == am_store_type_of(s) && am_store_count(t) == 9 &&
               am_sequence_count(t) == 2 && am_sequence_info(t, 1, &f1, &l1, &c1) == AM_OK && f1 == 6 && l1 == 3 &&
               !c1 && !memcmp(ta, tb, 2100) && !memcmp(na, nb, 900),
           "%s: save and load keep the configuration, the sequences, and every step", d1);
        free(ta), free(tb), free(na), free(nb);
        am_store_free(s), am_store_free(t);
    }
    am_patterns_free(x);
}

/* Hand-made files: a valid seq-dense header, then the sequence part as given. */
static void dense_file(tfile *t, uint32_t fn, uint32_t deg, uint64_t n, uint64_t count, uint64_t nseq)
{
    tf_head(t, "LIBAMSQD");
    tf_u32(t, fn);
    tf_u32(t, deg);
    tf_u64(t, n);
    tf_u64(t, count);
    tf_u64(t, nseq);
}

static int load_rc(tfile *t)
{
    am_store *s = NULL;
    tf_write(t, tmpl);
    int rc = am_store_load(&s, tmpl);
    am_store_free(s);
    return rc;
}

static void test_loader_errors(am_rng *rng)
{
    tfile t;
    /* a good one: n = 10, two sequences (3 cyclic, 1 open) */
    dense_file(&t, 0, 2, 10, 4, 2);
    tf_u64(&t, 3), tf_u32(&t, 1), tf_u64(&t, 1), tf_u32(&t, 0);
    for (int k = 0; k < 4; k++)
        tf_u64(&t, (uint64_t)k * 77);
    size_t good = t.n;
    ok(load_rc(&t) == AM_OK, "a hand-made seq-dense file loads");
    t.n = good - 3; /* truncated */
    ok(load_rc(&t) == AM_ETRUNC || load_rc(&t) == AM_ECHECKSUM, "truncated: refused");
    dense_file(&t, 0, 2, 10, 4, 2);
    tf_u64(&t, 3), tf_u32(&t, 1), tf_u64(&t, 2), tf_u32(&t, 0); /* lengths sum to 5, not 4 */
    for (int k = 0; k < 4; k++)
        tf_u64(&t, 1);
    ok(load_rc(&t) == AM_EFORMAT, "lengths that do not sum to the count: AM_EFORMAT");
    dense_file(&t, 0, 2, 10, 4, 2);
    tf_u64(&t, 4), tf_u32(&t, 2), tf_u64(&t, 0), tf_u32(&t, 0);
    for (int k = 0; k < 4; k++)
        tf_u64(&t, 1);
    ok(load_rc(&t) == AM_EFORMAT, "a cyclic flag of 2 and a length 0: AM_EFORMAT");
    dense_file(&t, 0, 2, 10, 4, 5);
    ok(load_rc(&t) == AM_EFORMAT, "more sequences than elements: AM_EFORMAT");
    dense_file(&t, 0, 2, 10, (uint64_t)1 << 30, 1);
    tf_u64(&t, (uint64_t)1 << 30), tf_u32(&t, 0);
    ok(load_rc(&t) == AM_ETRUNC, "a count of 2^30 in a short file: AM_ETRUNC before allocating");
    dense_file(&t, 0, 2, 10, 1, (uint64_t)1 << 62);
    ok(load_rc(&t) == AM_EFORMAT, "2^62 sequences: AM_EFORMAT");
    dense_file(&t, 0, 2, (uint64_t)1 << 40, 0, 0);
    ok(load_rc(&t) == AM_ERANGE, "2^40 units: AM_ERANGE");
    dense_file(&t, 0, 2, 0, 0, 0);
    ok(load_rc(&t) == AM_EFORMAT, "0 units: AM_EFORMAT");
    dense_file(&t, 7, 2, 10, 0, 0);
    ok(load_rc(&t) == AM_EFORMAT, "an unknown F: AM_EFORMAT");
    dense_file(&t, 0, 0, 10, 0, 0);
    ok(load_rc(&t) == AM_ERANGE, "degree 0: AM_ERANGE");
    dense_file(&t, 0, 2, 10, 1, 1);
    tf_u64(&t, 1), tf_u32(&t, 0), tf_u64(&t, (uint64_t)1 << 20);
    ok(load_rc(&t) == AM_EFORMAT, "a pattern with bits past its 10 units: AM_EFORMAT");
    dense_file(&t, 0, 2, 10, 0, 0);
    ok(load_rc(&t) == AM_OK, "an empty store loads");
    tf_head(&t, "LIBAMSQH");
    tf_f64(&t, NAN), tf_u64(&t, 10), tf_u64(&t, 0), tf_u64(&t, 0);
    ok(load_rc(&t) == AM_ENOTFINITE, "seq-hebb with lambda NaN: AM_ENOTFINITE");
    tf_head(&t, "LIBAMSQH");
    tf_f64(&t, -1), tf_u64(&t, 10), tf_u64(&t, 0), tf_u64(&t, 0);
    ok(load_rc(&t) == AM_ERANGE, "seq-hebb with lambda -1: AM_ERANGE");
    tf_head(&t, "LIBAMSQM");
    tf_u32(&t, 0), tf_u32(&t, 2), tf_f64(&t, 2.5), tf_u32(&t, 0), tf_u64(&t, 10), tf_u64(&t, 0), tf_u64(&t, 0);
    ok(load_rc(&t) == AM_ERANGE, "seq-mixed with tau 0: AM_ERANGE");
    tf_head(&t, "LIBAMSQM");
    tf_u32(&t, 0), tf_u32(&t, 2), tf_f64(&t, INFINITY), tf_u32(&t, 5), tf_u64(&t, 10), tf_u64(&t, 0), tf_u64(&t, 0);
    ok(load_rc(&t) == AM_ENOTFINITE, "seq-mixed with lambda inf: AM_ENOTFINITE");
    tf_head(&t, "LIBAMSQC");
    tf_f64(&t, 0), tf_u64(&t, 10), tf_u64(&t, 0), tf_u64(&t, 0);
    ok(load_rc(&t) == AM_ERANGE, "seq-modern with beta 0: AM_ERANGE");
    tf_head(&t, "LIBAMSQP");
    tf_u64(&t, 10), tf_u64(&t, 2), tf_u64(&t, 1), tf_u64(&t, 2), tf_u32(&t, 1), tf_u64(&t, 5), tf_u64(&t, 5);
    ok(load_rc(&t) == AM_OK, "seq-pinv with a repeated element loads (C singular: the rule holds for one)");
    /* a damaged byte in a file the library wrote */
    am_store *s = NULL;
    model m = {"seq-mixed", {NULL}, 0, 0, 0, 0, 0};
    s = make(&m, 50);
    am_patterns *x = random_set(50, 3, rng);
    add_part(s, x, 0, 3, 1);
    am_store_save(s, tmpl);
    FILE *f = fopen(tmpl, "r+b");
    fseek(f, 30, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    am_store *u = NULL;
    ok(am_store_load(&u, tmpl) == AM_ECHECKSUM && !u, "a changed byte: AM_ECHECKSUM");
    am_patterns_free(x);
    am_store_free(s);
}

/* ---- determinism ---- */

static void test_determinism(am_rng *rng)
{
    am_patterns *x = random_set(200, 300, rng);
    int max = omp_get_max_threads();
    for (size_t mi = 0; mi < NMODELS; mi++) {
        const model *m = &models[mi];
        am_store *s = make(m, 200);
        char d[128];
        add_part(s, x, 0, 250, 1);
        add_part(s, x, 250, 50, 0);
        describe(s, d, sizeof d);
        size_t bytes = 300 * 200;
        int8_t *a = malloc(bytes), *b = malloc(bytes), *c = malloc(bytes);
        omp_set_num_threads(1);
        am_sequence_transitions(s, 0, 300, NULL, a, NULL, NULL);
        omp_set_num_threads(2);
        am_sequence_transitions(s, 0, 300, NULL, b, NULL, NULL);
        omp_set_num_threads(max);
        for (size_t e = 0; e < 300; e++) { /* one step of a replay: the model's step, not the batch */
            am_patterns_get(x, e, c + e * 200);
            am_sequence_replay(s, c + e * 200, e, 1, NULL, NULL, NULL, NULL, NULL);
        }
        ok(!memcmp(a, b, bytes) && !memcmp(a, c, bytes),
           "%s: steps from 300 elements the same at 1 and 2 threads, and one by one", d);
        free(a), free(b), free(c);
        am_store_free(s);
    }
    am_patterns_free(x);
}

/* ---- the store verbs, the monitor, cancelling, errors ---- */

typedef struct mon {
    unsigned events, last;
    int nan_energy, in_order;
} mon;

static void on_event(const am_recall_event *ev, void *ctx)
{
    mon *m = ctx;
    m->nan_energy &= isnan(ev->energy);
    m->in_order &= ev->sweep == m->events && ev->unit == SIZE_MAX && ev->state;
    m->events++;
}

static int cancel_after(void *ctx) { return --*(int *)ctx < 0; }

static void test_verbs(am_rng *rng)
{
    model m = {"seq-dense", {NULL}, 0, 2, 1, 0, 0};
    am_store *s = make(&m, 120);
    am_patterns *x = random_set(120, 8, rng);
    add_part(s, x, 0, 8, 1);
    int8_t a[120], b[120];
    am_recall_opts o;
    am_recall_info ri;
    am_replay_info pi;
    am_recall_opts_default(&o);
    o.max_steps = 13;
    double trace[20];
    o.trace = trace, o.trace_cap = 20;
    am_patterns_get(x, 2, a);
    am_state_flip_k(a, 120, 10, rng);
    memcpy(b, a, 120);
    /* flips: the units changed in all, cue -> element 3 -> element 4 -> ... */
    int8_t cur[120], nx[120];
    uint64_t want = 0;
    memcpy(cur, a, 120);
    for (unsigned t = 0; t < 13; t++) {
        am_patterns_get(x, (2 + t + 1) % 8, nx);
        want += am_state_hamming(cur, nx, 120);
        memcpy(cur, nx, 120);
    }
    int rc = am_store_recall(s, a, &o, NULL, NULL, &ri);
    ok(rc == AM_OK && ri.steps == 13 && ri.end == AM_END_MAXSTEPS && isnan(ri.energy) && ri.trace_len == 14 &&
           isnan(trace[13]) && ri.flips == want,
       "am_store_recall on a sequence store: 13 synchronous steps, %llu units changed, energy NaN (trace of %u)",
       (unsigned long long)ri.flips, ri.trace_len);
    am_sequence_replay(s, b, SIZE_MAX, 13, NULL, NULL, NULL, NULL, &pi);
    ok(!memcmp(a, b, 120) && !memcmp(a, nx, 120), "recall ends where the replay does: element %d", (2 + 13) % 8);
    o.trace = NULL, o.trace_cap = 0;
    /* the cue as the first row of the trajectory (state == states): row 0 keeps the cue */
    {
        int8_t *tr = malloc(11 * 120), cue0[120], el[120];
        am_patterns_get(x, 2, tr);
        am_state_flip_k(tr, 120, 10, rng);
        memcpy(cue0, tr, 120);
        rc = am_sequence_replay(s, tr, SIZE_MAX, 10, NULL, NULL, NULL, tr, &pi);
        int rows_ok = 1;
        for (unsigned t = 1; t <= 10; t++) {
            am_patterns_get(x, (2 + t) % 8, el);
            rows_ok &= !memcmp(tr + t * 120, el, 120);
        }
        ok(rc == AM_OK && !memcmp(tr, cue0, 120) && rows_ok && pi.transitions == 10,
           "states may begin at state: row 0 keeps the cue, rows 1..10 the steps");
        free(tr);
    }
    /* a fixed point: an open sequence of one element has no successor: every field is 0, every unit +1 */
    am_store *one = make(&m, 120);
    add_part(one, x, 0, 1, 0);
    am_patterns_get(x, 5, a);
    o.max_steps = 50;
    rc = am_store_recall(one, a, &o, NULL, NULL, &ri);
    ok(rc == AM_OK && ri.end == AM_END_FIXED && ri.steps == 2 && a[0] == 1 && a[119] == 1,
       "a step that changes nothing ends a recall as a fixed point (after %u steps)", ri.steps);
    size_t un[8];
    ok(am_store_stability(one, un) == AM_OK && un[0] == 0, "stability of the end of an open sequence is 0");
    /* monitor */
    mon mo = {0, 0, 1, 1};
    am_recall_opts mopt;
    am_recall_opts_default(&mopt);
    mopt.monitor = on_event, mopt.monitor_ctx = &mo;
    am_patterns_get(x, 1, a);
    ok(am_sequence_replay(s, a, SIZE_MAX, 7, &mopt, NULL, NULL, NULL, NULL) == AM_OK && mo.events == 8 &&
           mo.nan_energy && mo.in_order,
       "monitor: the cue and each of 7 steps, in order, energy NaN");
    /* cancel */
    int budget = 4;
    am_cancel hook = {cancel_after, &budget};
    const am_cancel *old = am_cancel_swap(&hook);
    am_patterns_get(x, 1, a);
    rc = am_sequence_replay(s, a, SIZE_MAX, 100, NULL, NULL, NULL, NULL, &pi);
    am_cancel_swap(old);
    am_patterns_get(x, 5, b);
    ok(rc == AM_ECANCELED && pi.steps == 4 && !memcmp(a, b, 120),
       "cancelled replay: AM_ECANCELED after 4 steps, the state where it stopped");
    /* work reuse across stores of a type; a workspace of another type refused */
    am_store_work *w = NULL;
    am_store_work_create(&w, one);
    am_patterns_get(x, 1, a);
    ok(am_sequence_replay(s, a, SIZE_MAX, 3, NULL, w, NULL, NULL, &pi) == AM_OK && pi.transitions == 3,
       "a workspace grows to another store of the type");
    model mh = {"seq-hebb", {NULL}, 0, 0, 0, 0, 0};
    am_store *h = make(&mh, 120);
    add_part(h, x, 0, 3, 1);
    ok(am_sequence_replay(h, a, SIZE_MAX, 3, NULL, w, NULL, NULL, &pi) == AM_EINVAL,
       "a workspace of another type: AM_EINVAL");
    am_store_work_free(w);
    am_store_free(h);
    am_store_free(one);
    am_store_free(s);
    am_patterns_free(x);
}

static void test_errors(am_rng *rng)
{
    am_patterns *x = random_set(64, 4, rng), *y = random_set(65, 2, rng);
    am_store_config c;
    am_store *hop = NULL, *s = NULL;
    char why[128];
    am_store_config_init(&c, "hopfield", 64);
    am_store_create(&hop, &c);
    int8_t st[64], *next = malloc(4 * 64);
    am_replay_info info;
    am_patterns_get(x, 0, st);
    ok(am_sequence_add(hop, x, 1) == AM_EUNSUPPORTED && am_sequence_count(hop) == 0 &&
           am_sequence_replay(hop, st, SIZE_MAX, 2, NULL, NULL, NULL, NULL, &info) == AM_EUNSUPPORTED &&
           am_sequence_transitions(hop, 0, 0, NULL, next, NULL, NULL) == AM_EUNSUPPORTED &&
           am_sequence_info(hop, 0, NULL, NULL, NULL) == AM_EUNSUPPORTED && am_sequence_next(hop, 0) == SIZE_MAX,
       "a hopfield store is not a sequence store: AM_EUNSUPPORTED");
    model m = {"seq-modern", {NULL}, 0, 0, 0, 0, 1};
    s = make(&m, 64);
    ok(am_sequence_replay(s, st, SIZE_MAX, 2, NULL, NULL, NULL, NULL, &info) == AM_EEMPTY &&
           am_store_recall(s, st, NULL, NULL, NULL, NULL) == AM_EEMPTY,
       "replay and recall of an empty sequence store: AM_EEMPTY");
    am_patterns none = *x;
    none.count = 0;
    ok(am_sequence_add(s, y, 0) == AM_ESIZE && am_sequence_add(s, &none, 0) == AM_EINVAL &&
           am_store_add(s, &none) == AM_OK && am_store_count(s) == 0,
       "am_sequence_add: other units AM_ESIZE, no patterns AM_EINVAL (am_store_add of none adds nothing)");
    ok(am_store_add(s, x) == AM_OK && am_sequence_count(s) == 1 && am_sequence_next(s, 3) == SIZE_MAX,
       "am_store_add adds one open sequence");
    st[5] = 0;
    ok(am_sequence_replay(s, st, SIZE_MAX, 2, NULL, NULL, NULL, NULL, &info) == AM_EINVAL,
       "a state with a 0: AM_EINVAL");
    st[5] = 1;
    ok(am_sequence_replay(s, st, 4, 2, NULL, NULL, NULL, NULL, &info) == AM_EINVAL &&
           am_sequence_transitions(s, 2, 3, NULL, next, NULL, NULL) == AM_EINVAL &&
           am_store_stability_range(s, 3, 2, NULL) == AM_EINVAL,
       "start or range past the elements: AM_EINVAL");
    ok(am_store_weights(s, NULL) == AM_EUNSUPPORTED && isnan(am_store_energy(s, st)), "no weights, no energy");
    /* parameters */
    struct {
        const char *model, *name, *value, *why;
        int rc;
    } bad[] = {
        {"seq-hebb", "lambda", "-1", "must be a number from 0 to 1e+06", AM_EINVAL},
        {"seq-hebb", "lambda", "nan", "must be a number from 0 to 1e+06", AM_EINVAL},
        {"seq-dense", "F", "cubic", "must be poly or exp", AM_EINVAL},
        {"seq-dense", "degree", "0", "must be an integer from 1 to 1000", AM_EINVAL},
        {"seq-mixed", "tau", "101", "must be an integer from 1 to 100", AM_EINVAL},
        {"seq-mixed", "lambda", "0", "must be a number in (0, 1e+06]", AM_EINVAL},
        {"seq-modern", "beta", "0", "must be a number in (0, 1e+30]", AM_EINVAL},
        {"seq-pinv", "beta", "1", "seq-pinv has no parameter beta", AM_EUNSUPPORTED},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        am_store_config_init(&c, bad[k].model, 64);
        int rc = am_store_config_set(&c, bad[k].name, bad[k].value, why, sizeof why);
        ok(rc == bad[k].rc && !strcmp(why, bad[k].why), "%s %s=%s: %s (\"%s\")", bad[k].model, bad[k].name,
           bad[k].value, am_strerror(rc), why);
    }
    char buf[64];
    am_store_config_init(&c, "seq-mixed", 64);
    am_store_config_set(&c, "lambda", "0.1", why, sizeof why);
    am_store_config_get(&c, "lambda", buf, sizeof buf);
    am_store_config_describe(&c, why, sizeof why);
    ok(!strcmp(buf, "0.1") && !strcmp(why, "seq-mixed F=poly degree=10 lambda=0.1 tau=5"),
       "parameters read back: %s", why);
    const am_store_type *types[] = {am_store_type_find("seq-hebb"), am_store_type_find("seq-dense"),
                                    am_store_type_find("seq-mixed"), am_store_type_find("seq-pinv"),
                                    am_store_type_find("seq-modern")};
    int ids = 1;
    for (unsigned k = 0; k < 5; k++)
        ids &= types[k] && am_store_type_id(types[k]) == 3 + k && am_store_type_by_id(3 + k) == types[k] &&
               am_store_type_flags(types[k]) == AM_STORE_SEQUENCE;
    ok(ids, "the five sequence types: ids 3..7, flag AM_STORE_SEQUENCE only");
    free(next);
    am_store_free(s), am_store_free(hop);
    am_patterns_free(x), am_patterns_free(y);
}

int main(void)
{
    am_rng rng;
    am_rng_init(&rng, 2206, 0);
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return 1;
    close(fd);
    test_definitions(&rng);
    test_replay(&rng);
    test_ends(&rng);
    test_mixed(&rng);
    test_correlated(&rng);
    test_files(&rng);
    test_loader_errors(&rng);
    test_determinism(&rng);
    test_verbs(&rng);
    test_errors(&rng);
    unlink(tmpl);
    return done_testing();
}
