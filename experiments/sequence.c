/* bin/sequence — memory in time: sequence stores (am/sequence.h) measured, replayed and shown.
 *   capacity  transition and sequence capacity against N (the protocol of Chaudhry et al. 2023) or the
 *             exact-transition and replay rates at given loads, theory beside every point
 *   replay    a sequence of letters (or any pattern family) replayed from a cue, frame by frame in the
 *             terminal and as a GIF
 *   moving    clips of Fashion-MNIST sprites moving across a frame, stored and replayed */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "am/am.h"
#include "am/sequence.h"
#include "harness/harness.h"

#define MAX_LIST 256
#define MAX_CONFIGS 32

static const char usage_text[] =
    "Usage: sequence COMMAND [options]   (sequence COMMAND --help for each)\n"
    "  capacity  transition and sequence capacity P_T, P_S against N (start at a multiple of the theory,\n"
    "            shrink by a factor until no transition errs), or the exact-transition and replay rates at\n"
    "            given loads (--P); theory beside every point\n"
    "  replay    a sequence of letters or of any pattern family, replayed from a noisy cue: frame by frame\n"
    "            in the terminal, as a GIF, and every step's overlaps as TSV\n"
    "  moving    clips of Fashion-MNIST sprites moving across a frame, stored as sequences and replayed\n"
    "Examples:\n"
    "  sequence capacity --model seq-dense --degree 1,2 --N 100,200,400 --trials 5 --out cap.tsv\n"
    "  sequence capacity --model seq-dense --degree 2 --N 200 --P 200,400,800,1600 --trials 3 --out load.tsv\n"
    "  sequence replay --letters ABCDEFG --gif abc.gif --out abc.tsv\n"
    "  sequence moving --clips 100 --model seq-dense --F exp --out moving.tsv\n";

/* ---- shared ---- */

/* One random cyclic sequence of P patterns of n units from stream (seed, index), and the store holding it. */
static int make_sequence(const am_store_config *sc, size_t n, size_t p, uint64_t seed, uint64_t index,
                         am_patterns **pats, am_store **s)
{
    am_rng rng;
    am_store_config c = *sc;
    int rc;
    c.n = n;
    *pats = NULL, *s = NULL;
    am_rng_init(&rng, seed, index);
    if ((rc = am_patterns_create(pats, n, p)))
        return rc;
    am_patterns_random(*pats, &rng);
    if ((rc = am_store_create(s, &c)) || (rc = am_sequence_add(*s, *pats, 1))) {
        am_store_free(*s), *s = NULL;
        am_patterns_free(*pats), *pats = NULL;
    }
    return rc;
}

/* The degree of a configuration for the theory (0: the exponential model, -1: no theory). */
static int theory_degree(const am_store_config *c)
{
    char f[16] = "", d[16] = "", l[32] = "";
    if (!am_store_config_get(c, "lambda", l, sizeof l) && atof(l) != 0.0)
        return -1; /* the temporal association network: no closed form here */
    if (am_store_config_get(c, "F", f, sizeof f) || strcmp(am_store_type_name(c->type), "seq-dense"))
        return strcmp(am_store_type_name(c->type), "seq-hebb") ? -1 : 1;
    if (!strcmp(f, "exp"))
        return 0;
    am_store_config_get(c, "degree", d, sizeof d);
    return atoi(d);
}

static double theory_pt(const am_store_config *c, double n)
{
    int d = theory_degree(c);
    return d < 0 ? NAN : d == 0 ? am_theory_seq_exp_transition_capacity(n) : am_theory_seq_poly_transition_capacity(n, d);
}

static double theory_ps(const am_store_config *c, double n)
{
    int d = theory_degree(c);
    return d < 0 ? NAN : d == 0 ? am_theory_seq_exp_sequence_capacity(n) : am_theory_seq_poly_sequence_capacity(n, d);
}

/* ---- capacity ---- */

typedef struct cap_cfg {
    am_store_config stores[MAX_CONFIGS];
    char labels[MAX_CONFIGS][32];
    int nstores;
    size_t ns[MAX_LIST], ps[MAX_LIST];
    int nn, np, trials;
    double noise, start, shrink, pmin_start;
    size_t sequences;
    uint64_t seed;
} cap_cfg;

typedef struct cap_res {
    double transitions_exact, replay_exact; /* fixed loads */
    uint64_t pt, ps, attempts;              /* protocol */
    uint64_t first_fail;                    /* fixed loads: first wrong replay step (P + 1 if none) */
} cap_res;

/* Job index = ((store, N), load or protocol, trial), trial fastest. */
static void cap_index(const cap_cfg *c, size_t job, int *si, int *ni, int *pi, int *tr)
{
    size_t np = c->np ? (size_t)c->np : 1;
    *tr = (int)(job % (size_t)c->trials);
    job /= (size_t)c->trials;
    *pi = (int)(job % np);
    job /= np;
    *ni = (int)(job % (size_t)c->nn);
    *si = (int)(job / (size_t)c->nn);
}

/* Replay from element 0 with round(noise n) bits flipped for P steps: the fraction of steps whose state is
 * the element the step should reach, exactly; first_fail the first step that is not (P + 1: none). */
static int replay_rate(const am_store *s, const am_patterns *pats, size_t n, size_t p, double noise, am_rng *rng,
                       am_store_work *w, double *rate, uint64_t *first_fail)
{
    int8_t *states = malloc((p + 1) * n), *want = malloc(n);
    am_replay_info info;
    int rc = AM_ENOMEM;
    if (states && want) {
        am_patterns_get(pats, 0, states);
        am_state_flip_k(states, n, (size_t)floor(noise * (double)n + 0.5), rng);
        rc = am_sequence_replay(s, states, 0, (unsigned)p, NULL, w, NULL, states, &info);
    }
    size_t good = 0;
    *first_fail = p + 1;
    for (size_t t = 1; !rc && t <= p; t++) {
        am_patterns_get(pats, t % p, want);
        if (!memcmp(states + t * n, want, n))
            good++;
        else if (*first_fail == p + 1)
            *first_fail = t;
    }
    *rate = p ? (double)good / (double)p : 0;
    free(states), free(want);
    return rc;
}

/* Does the store of one cyclic sequence of P patterns from stream `stream` err in no transition (seq = 0), or
 * replay the whole sequence from its first element exactly (seq = 1)? */
static int attempt(const cap_cfg *c, const am_store_config *sc, size_t n, size_t p, uint64_t stream, int seq, int *good)
{
    am_patterns *pats;
    am_store *s;
    size_t nexact = 0;
    int rc = make_sequence(sc, n, p, c->seed, stream, &pats, &s);
    *good = 0;
    if (rc)
        return rc;
    if (!seq) {
        int8_t *next = malloc(p * n);
        rc = next ? am_sequence_transitions(s, 0, p, NULL, next, NULL, &nexact) : AM_ENOMEM;
        *good = !rc && nexact == p;
        free(next);
    } else {
        int8_t *st = malloc(n);
        am_replay_info info;
        if (!st)
            rc = AM_ENOMEM;
        else {
            am_patterns_get(pats, 0, st);
            rc = am_sequence_replay(s, st, 0, (unsigned)p, NULL, NULL, NULL, NULL, &info);
            *good = !rc && info.wrong == 0 && info.transitions == p;
        }
        free(st);
    }
    am_store_free(s);
    am_patterns_free(pats);
    return rc;
}

/* The largest P from the start down by the shrink factor at which one sequence errs in no transition (seq = 0),
 * or at which --sequences independent sequences, each in its own store, all replay whole (seq = 1). */
static int protocol(const cap_cfg *c, const am_store_config *sc, size_t n, size_t start, uint64_t stream, int seq,
                    uint64_t *found, uint64_t *attempts)
{
    size_t p = start, cap = start < 62500 ? 16 * start : 1000000; /* doubling: at most 16 x the start */
    int rc = AM_OK, first = 1;
    *found = 0;
    while (p >= 2 && !rc) {
        int good = 1;
        size_t reps = seq ? c->sequences : 1;
        (*attempts)++;
        for (size_t k = 0; k < reps && good && !rc; k++)
            rc = attempt(c, sc, n, p, seq ? am_rng_stream2(stream, 1 + k) : stream, seq, &good);
        if (!rc && good && first && p < cap) {
            /* the start is already within capacity: double until a load fails, then shrink from there */
            p = 2 * p < cap ? 2 * p : cap;
            continue;
        }
        first = 0;
        if (!rc && good) {
            *found = p;
            break;
        }
        size_t q = (size_t)floor((double)p * c->shrink);
        p = q < p ? q : p - 1;
    }
    return rc;
}

static int cap_job(size_t job, int thread, void *result, void *ctx)
{
    const cap_cfg *c = ctx;
    cap_res *r = result;
    int si, ni, pi, tr;
    (void)thread;
    cap_index(c, job, &si, &ni, &pi, &tr);
    const am_store_config *sc = &c->stores[si];
    size_t n = c->ns[ni];
    uint64_t stream = am_rng_stream2(am_rng_stream2(n, c->np ? c->ps[pi] : 0), (uint64_t)tr);
    if (!c->np) {
        double pt = theory_pt(sc, (double)n), ps = theory_ps(sc, (double)n);
        size_t st = (size_t)ceil(c->start * (isfinite(pt) ? pt : c->pmin_start));
        size_t ss = (size_t)ceil(c->start * (isfinite(ps) ? ps : c->pmin_start));
        int rc = protocol(c, sc, n, st < 2 ? 2 : st, stream, 0, &r->pt, &r->attempts);
        return rc ? rc : protocol(c, sc, n, ss < 2 ? 2 : ss, stream, 1, &r->ps, &r->attempts);
    }
    size_t p = c->ps[pi];
    am_patterns *pats;
    am_store *s;
    am_store_work *w = NULL;
    int8_t *next = malloc(p * n);
    unsigned char *exact = malloc(p);
    size_t nexact = 0;
    am_rng rng;
    int rc = next && exact ? make_sequence(sc, n, p, c->seed, stream, &pats, &s) : AM_ENOMEM;
    if (rc) {
        free(next), free(exact);
        return rc;
    }
    am_rng_init(&rng, c->seed ^ 0x9e3779b97f4a7c15ull, stream);
    if (!(rc = am_store_work_create(&w, s)) && !(rc = am_sequence_transitions(s, 0, p, w, next, exact, &nexact)))
        rc = replay_rate(s, pats, n, p, c->noise, &rng, w, &r->replay_exact, &r->first_fail);
    r->transitions_exact = (double)nexact / (double)p;
    am_store_work_free(w);
    am_store_free(s);
    am_patterns_free(pats);
    free(next), free(exact);
    return rc;
}

static double cap_cost(size_t job, void *ctx)
{
    const cap_cfg *c = ctx;
    int si, ni, pi, tr;
    cap_index(c, job, &si, &ni, &pi, &tr);
    double n = (double)c->ns[ni], p = c->np ? (double)c->ps[pi] : 2 * n;
    return n * p * p;
}

static int parse_sizes(const am_run *run, const char *name, const char *s, size_t lo, size_t hi, size_t *out, int *count)
{
    uint64_t v[MAX_LIST];
    int k = am_parse_u64_list(s, v, MAX_LIST);
    for (int i = 0; i < k; i++)
        if (v[i] < lo || v[i] > hi)
            k = -1;
    if (k < 1) {
        am_run_error(run, "--%s wants a comma-separated list of up to %d numbers in %zu .. %zu", name, MAX_LIST, lo, hi);
        return -1;
    }
    for (int i = 0; i < k; i++)
        out[i] = (size_t)v[i];
    *count = k;
    return 0;
}

static void cap_write(FILE *out, const cap_cfg *c, const cap_res *res)
{
    if (!c->np)
        fprintf(out, "model\tconfig\tN\ttrials\tP_T_mean\tP_T_sd\tP_T_theory\tP_S_mean\tP_S_sd\tP_S_theory\tattempts\n");
    else
        fprintf(out, "model\tconfig\tN\tP\ttrials\tnoise\ttransitions_exact\treplay_exact\tfirst_fail_mean\t"
                     "P_T_theory\tP_S_theory\n");
    size_t np = c->np ? (size_t)c->np : 1, job = 0;
    for (int si = 0; si < c->nstores; si++)
        for (int ni = 0; ni < c->nn; ni++)
            for (size_t pi = 0; pi < np; pi++) {
                double a = 0, a2 = 0, b = 0, b2 = 0, ff = 0;
                uint64_t att = 0;
                for (int t = 0; t < c->trials; t++, job++) {
                    const cap_res *r = &res[job];
                    double x = c->np ? r->transitions_exact : (double)r->pt, y = c->np ? r->replay_exact : (double)r->ps;
                    a += x, a2 += x * x, b += y, b2 += y * y, ff += (double)r->first_fail, att += r->attempts;
                }
                double k = c->trials, ma = a / k, mb = b / k;
                double sa = k > 1 ? sqrt(fmax(0, (a2 - k * ma * ma) / (k - 1))) : 0;
                double sb = k > 1 ? sqrt(fmax(0, (b2 - k * mb * mb) / (k - 1))) : 0;
                double n = (double)c->ns[ni];
                const char *name = am_store_type_name(c->stores[si].type);
                if (!c->np)
                    fprintf(out, "%s\t%s\t%zu\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%llu\n", name, c->labels[si],
                            c->ns[ni], c->trials, ma, sa, theory_pt(&c->stores[si], n), mb, sb,
                            theory_ps(&c->stores[si], n), (unsigned long long)att);
                else
                    fprintf(out, "%s\t%s\t%zu\t%zu\t%d\t%g\t%.6f\t%.6f\t%.2f\t%.2f\t%.2f\n", name, c->labels[si],
                            c->ns[ni], c->ps[pi], c->trials, c->noise, ma, mb, ff / k, theory_pt(&c->stores[si], n),
                            theory_ps(&c->stores[si], n));
            }
}

static int cmd_capacity(int argc, char **argv)
{
    static const char desc[] =
        "Without --P (the protocol of Chaudhry et al. 2023): for each store configuration, N and trial, one\n"
        "cyclic sequence of P random +-1 patterns is stored, P starting at --start times the theory (or at\n"
        "--start times --P-start for models without one) and shrinking by --shrink until every transition is\n"
        "exact (one step from each element lands on its successor exactly): that P is the transition capacity\n"
        "P_T; likewise the sequence capacity P_S, the longest length at which --sequences independent sequences\n"
        "(each its own store) all replay whole and exactly from their first element, as in the paper's App. G.\n"
        "The patterns of a trial are the first P of one stream (seed, N, trial) per sequence. A start already\n"
        "within capacity is doubled until a load fails (up to 16 x the start), then the search shrinks from there.\n"
        "With --P: at each load, the fraction of exact transitions and, from the first element with\n"
        "round(noise N) bits flipped, the fraction of the P replay steps whose state is exactly the element\n"
        "due (the measurements of the numpy peer `make bench` runs beside it, W9).\n"
        "\n"
        "Columns: model config N trials P_T_mean P_T_sd P_T_theory P_S_mean P_S_sd P_S_theory attempts (stores\n"
        "built in the search), or with --P: model config N P trials noise transitions_exact replay_exact\n"
        "first_fail_mean (first wrong replay step, P + 1 when none) P_T_theory P_S_theory. Theory: am/theory.h\n"
        "(nan for models it does not cover).\n";
    const char *n_s = "100,200", *p_s = NULL;
    int trials = 5, sequences = 100;
    double noise = 0.1, start = 2.0, shrink = 0.99, pstart = 0;
    am_run run = {.program = "sequence", .subcommand = "capacity",
                  .summary = "Transition and sequence capacity of sequence stores, theory beside.",
                  .description = desc, .seed = 1, .resumable = 1,
                  .examples = "sequence capacity --model seq-dense --degree 1,2 --N 100,200,400 --trials 5 --out cap.tsv\n"
                              "sequence capacity --model seq-dense --degree 2 --N 200 --P 200,400,800,1600 --trials 3 --out load.tsv"};
    static am_store_opts so;
    am_opt opts[64] = {
        {"N", AM_OPT_STRING, &n_s, "n1,n2,...", "units (2 .. 100000)"},
        {"P", AM_OPT_STRING, &p_s, "p1,p2,...", "fixed loads instead of the capacity search (2 .. 1000000)"},
        {"trials", AM_OPT_INT, &trials, "k", "trials per point"},
        {"noise", AM_OPT_DOUBLE, &noise, "f", "fraction of the replay cue's bits flipped", "--P"},
        {"start", AM_OPT_DOUBLE, &start, "x", "the search starts at x times the theory"},
        {"shrink", AM_OPT_DOUBLE, &shrink, "x", "and shrinks P by this factor (0 < x < 1)"},
        {"P-start", AM_OPT_DOUBLE, &pstart, "p", "the search's start (before --start) for models without theory"},
        {"sequences", AM_OPT_INT, &sequences, "K", "sequences that must all replay whole for P_S (1 .. 10000)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    static cap_cfg c;
    int rc = am_store_opts_parse(&run, &so, "seq-dense", AM_STORE_SEQUENCE, 0, 1, NULL,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */
    const am_store_type *type = am_store_opts_type(&run, &so, opts, p_s ? "--P" : NULL, NULL);
    if (!type)
        return 2;
    if (parse_sizes(&run, "N", n_s, 2, 100000, c.ns, &c.nn) || (p_s && parse_sizes(&run, "P", p_s, 2, 1000000, c.ps, &c.np)))
        return 2;
    if ((c.nstores = am_store_opts_configs(&run, &so, type, c.ns[0], c.stores, MAX_CONFIGS)) < 0 ||
        am_store_opts_stepwise(&run, c.stores, c.nstores))
        return 2;
    if (trials < 1 || trials > 100000 || !(noise >= 0 && noise <= 1) || !(start > 0 && start <= 100) ||
        !(shrink > 0 && shrink < 1) || !(pstart >= 0 && pstart <= 1e6) || sequences < 1 || sequences > 10000) {
        am_run_error(&run, "need 1 <= --trials <= 100000, --noise in [0, 1], 0 < --start <= 100, 0 < --shrink < 1, "
                           "0 <= --P-start <= 1000000, 1 <= --sequences <= 10000");
        return 2;
    }
    for (int k = 0; k < c.nstores; k++) {
        am_store_config_label(&c.stores[k], c.labels[k], sizeof c.labels[k]);
        if (!p_s && !(pstart > 0) && !isfinite(theory_pt(&c.stores[k], 100))) {
            am_run_error(&run, "%s (%s) has no capacity theory to start from: give --P-start (or --P)",
                         am_store_type_name(type), c.labels[k]);
            return 2;
        }
    }
    c.trials = trials, c.noise = noise, c.start = start, c.shrink = shrink, c.pmin_start = pstart, c.seed = run.seed;
    c.sequences = (size_t)sequences;
    size_t count = (size_t)c.nstores * (size_t)c.nn * (size_t)(c.np ? c.np : 1) * (size_t)trials;
    cap_res *res = calloc(count, sizeof *res);
    if (!res) {
        am_run_error(&run, "%s", am_strerror(AM_ENOMEM));
        return 1;
    }
    FILE *out = am_run_open(&run);
    if (!out) {
        free(res);
        return 1;
    }
    am_jobs jobs = {.count = count, .result_size = sizeof(cap_res), .fn = cap_job, .ctx = &c, .cost = cap_cost};
    size_t failed;
    double t0 = am_seconds();
    if ((rc = am_run_jobs(&run, &jobs, res, &failed))) {
        am_run_error(&run, "job %zu failed: %s", failed, am_strerror(rc));
        am_run_abort(&run, out);
        free(res);
        return 1;
    }
    if (am_run_is_root(&run)) {
        cap_write(out, &c, res);
        am_run_time(out, "%.3f s for %zu jobs", am_seconds() - t0, count);
    }
    free(res);
    return am_run_close(&run, out) ? 1 : 0;
}


/* ---- replay ---- */

/* A frame as half-blocks: two rows of units per line of text; the line above names the nearest element. */
static void draw_frame(const int8_t *st, size_t h, size_t w, unsigned step, const char *label, double ov, int live,
                       size_t *lines_up, int delay_ms)
{
    const char *eol = live ? "\033[K\n" : "\n";
    size_t lines = 0;
    if (live && *lines_up)
        printf("\033[%zuA", *lines_up);
    printf("step %-4u nearest %-6s overlap %+.3f%s", step, label, ov, eol);
    lines++;
    for (size_t r = 0; r < h; r += 2, lines++) {
        for (size_t c = 0; c < w; c++) {
            int top = st[r * w + c] > 0, bot = r + 1 < h && st[(r + 1) * w + c] > 0;
            fputs(top && bot ? "\u2588" : top ? "\u2580" : bot ? "\u2584" : " ", stdout);
        }
        printf("|%s", eol);
    }
    if (!live)
        putchar('\n');
    fflush(stdout);
    *lines_up = lines;
    if (live && delay_ms > 0) {
        struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* The element of best overlap in row ov (count values). */
static size_t best_of(const double *ov, size_t count)
{
    size_t b = 0;
    for (size_t e = 1; e < count; e++)
        b = ov[e] > ov[b] ? e : b;
    return b;
}

/* The patterns of a replay: letters of text, or count patterns of a family, on an h x w grid. */
static int replay_patterns(const am_run *run, const char *family, const char *letters, size_t count, size_t h,
                           size_t w, am_patterns **out, char (**labels)[8])
{
    int isl = !strcmp(family, "letters");
    size_t k = isl ? strlen(letters) : count;
    char why[256];
    am_pattern_family f;
    am_rng rng;
    if (!k || k > 1000) {
        am_run_error(run, isl ? "--letters: 1 to 1000 letters A-Z" : "--count must be 1 .. 1000");
        return -1;
    }
    if (!isl && am_pattern_family_parse(&f, family, why, sizeof why)) {
        am_run_error(run, "--patterns: %s", why);
        return -1;
    }
    if (am_patterns_create(out, h * w, k) || !(*labels = calloc(k, sizeof **labels))) {
        am_run_error(run, "%s", am_strerror(AM_ENOMEM));
        return -1;
    }
    am_rng_init(&rng, run->seed, 1);
    int rc = isl ? am_patterns_letters(*out, w, h, letters) : am_pattern_family_fill(&f, *out, &rng);
    if (rc) {
        am_run_error(run, isl ? "--letters %s: letters A-Z on a grid of at least 7x5" : "--patterns %s: %s",
                     isl ? AM__QUOTE(letters) : AM__QUOTE(family), isl ? "" : am_strerror(rc));
        return -1;
    }
    for (size_t e = 0; e < k; e++) {
        if (isl)
            snprintf((*labels)[e], 8, "%c", letters[e]);
        else
            snprintf((*labels)[e], 8, "%zu", e);
    }
    return 0;
}

static int cmd_replay(int argc, char **argv)
{
    static const char desc[] =
        "The patterns (letters drawn on the grid, or a pattern family) are stored as one sequence, cyclic unless\n"
        "--open; element --cue with --flip of its units flipped starts a replay of --steps synchronous steps.\n"
        "Each step is drawn on the terminal (in place when standard output is one), with the element of best\n"
        "overlap; --gif writes the animation. --out writes one row per step: step, the element of best\n"
        "overlap, exact (1 when the state is that element exactly), and the overlap with every element. A '#'\n"
        "line gives the replay's exact transitions (moves from an element exactly to its successor), wrong\n"
        "steps and first wrong step (am_sequence_replay; a delayed model holding an element is neither).\n";
    static const char *const sentinel = "(frames on standard output)";
    const char *letters = "ABCDEFGH", *family = "letters", *size_s = "10x10", *gif = NULL;
    int count = 8, cue = 0, steps = 0, delay = -1, open_seq = 0;
    double flip = 0.2;
    am_run run = {.program = "sequence", .subcommand = "replay", .summary = "Replay a stored sequence from a cue.",
                  .description = desc, .seed = 1, .no_threads = 1, .out = sentinel,
                  .examples = "sequence replay --letters ABCDEFG --gif abc.gif --out abc.tsv\n"
                              "sequence replay --model seq-mixed --tau 3 --letters HOPFIELD --quiet --out mixed.tsv"};
    static am_store_opts so;
    am_opt opts[64] = {
        {"patterns", AM_OPT_STRING, &family, "KIND", "letters, or a family: random, biased:A, correlated:Q, ..."},
        {"letters", AM_OPT_STRING, &letters, "TEXT", "the letters of the sequence (A-Z)", "letters"},
        {"count", AM_OPT_INT, &count, "P", "elements of a family's sequence", "family"},
        {"size", AM_OPT_STRING, &size_s, "HxW", "grid: rows x columns (letters need 7x5 or more)"},
        {"open", AM_OPT_FLAG, &open_seq, NULL, "an open sequence (default: cyclic, the last element followed by the first)"},
        {"cue", AM_OPT_INT, &cue, "K", "the element cued (0 = the first)"},
        {"flip", AM_OPT_DOUBLE, &flip, "F", "fraction of the cue's units flipped"},
        {"steps", AM_OPT_INT, &steps, "S", "synchronous steps (default: twice the sequence's length)"},
        {"delay", AM_OPT_INT, &delay, "MS", "pause between frames on a terminal (default 150; 0 when not a terminal)"},
        {"gif", AM_OPT_OUTPUT, &gif, "FILE", "an animated GIF of the replay (gnuplot; - for standard output)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    /* letters are correlated patterns: the modern store (softmax over the overlaps) replays them from noisy cues
     * where x^d does not, and the pseudo-inverse rule only from cues with few flipped units */
    int rc = am_store_opts_parse(&run, &so, "seq-modern", AM_STORE_SEQUENCE, 0, 0, NULL,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */
    int isl = !strcmp(family, "letters");
    const am_store_type *type = am_store_opts_type(&run, &so, opts, isl ? "letters" : "family", NULL);
    unsigned long h, w;
    if (!type)
        return 2;
    if (am_parse_shape(size_s, &h, &w) || h < 2 || w < 2 || h > 200 || w > 200) {
        am_run_error(&run, "--size: %s is not HxW (rows x columns) with 2 .. 200 each", AM__QUOTE(size_s));
        return 2;
    }
    if (!(flip >= 0 && flip <= 1) || cue < 0 || steps < 0 || steps > 100000 || delay < -1 || delay > 10000) {
        am_run_error(&run, "out of range: --flip [0, 1], --cue >= 0, --steps 0 .. 100000, --delay 0 .. 10000");
        return 2;
    }
    am_patterns *pats = NULL;
    char(*labels)[8] = NULL;
    am_store_config sc;
    am_store *s = NULL;
    if (replay_patterns(&run, family, letters, (size_t)count, h, w, &pats, &labels) ||
        am_store_opts_configs(&run, &so, type, h * w, &sc, 1) != 1) {
        am_patterns_free(pats), free(labels);
        return 2;
    }
    size_t n = h * w, k = pats->count, nsteps = steps ? (size_t)steps : 2 * k;
    if ((size_t)cue >= k) {
        am_run_error(&run, "--cue %d: the sequence has %zu elements (0 .. %zu)", cue, k, k - 1);
        am_patterns_free(pats), free(labels);
        return 2;
    }
    if ((rc = am_store_create(&s, &sc)) || (rc = am_sequence_add(s, pats, !open_seq))) {
        am_run_error(&run, "the store: %s", am_strerror(rc));
        am_store_free(s), am_patterns_free(pats), free(labels);
        return 1;
    }
    int tsv = run.out != sentinel;
    FILE *out = tsv ? am_run_open(&run) : NULL;
    double *ov = malloc((nsteps + 1) * k * sizeof *ov);
    int8_t *states = malloc((nsteps + 1) * n), *want = malloc(n);
    float *img = malloc((nsteps + 1) * n * sizeof *img);
    char **titles = calloc(nsteps + 1, sizeof *titles);
    am_replay_info info;
    am_rng rng;
    rc = 1;
    if (tsv && !out)
        goto done;
    if (!ov || !states || !want || !img || !titles) {
        am_run_error(&run, "%s", am_strerror(AM_ENOMEM));
        goto done;
    }
    am_rng_init(&rng, run.seed, 2);
    am_patterns_get(pats, (size_t)cue, want); /* the cue (in), the last state (out); states keeps them all */
    am_state_flip_k(want, n, (size_t)floor(flip * (double)n + 0.5), &rng);
    int err = am_sequence_replay(s, want, (size_t)cue, (unsigned)nsteps, NULL, NULL, ov, states, &info);
    if (err) {
        am_run_error(&run, "replay: %s", am_strerror(err));
        goto done;
    }
    int live = isatty(1) && !tsv, show = !run.quiet && !(tsv && !strcmp(run.out, "-"));
    size_t lines_up = 0;
    for (size_t t = 0; t <= nsteps; t++) {
        size_t b = best_of(ov + t * k, k);
        if (show)
            draw_frame(states + t * n, h, w, (unsigned)t, labels[b], ov[t * k + b], live, &lines_up,
                       delay >= 0 ? delay : live ? 150 : 0);
        for (size_t i = 0; i < n; i++)
            img[t * n + i] = states[t * n + i] > 0 ? 1.0f : 0.0f;
        if ((titles[t] = malloc(64)))
            snprintf(titles[t], 64, "step %zu: %s (overlap %.2f)", t, labels[b], ov[t * k + b]);
        if (out) {
            am_patterns_get(pats, b, want);
            int exact = !memcmp(states + t * n, want, n);
            if (t == 0) {
                fprintf(out, "# %s; %zu elements of %lux%lu (%s); cue %d with %.0f%% flipped; %zu exact transitions, "
                             "%zu wrong steps, first wrong step %ld\nstep\tnearest\texact",
                        am_store_type_name(type), k, h, w, open_seq ? "open" : "cyclic", cue, 100 * flip,
                        info.transitions, info.wrong, info.first_fail);
                for (size_t e = 0; e < k; e++)
                    fprintf(out, "\toverlap_%s", labels[e]);
                fputc('\n', out);
            }
            fprintf(out, "%zu\t%s\t%d", t, labels[b], exact);
            for (size_t e = 0; e < k; e++)
                fprintf(out, "\t%.4f", ov[t * k + e]);
            fputc('\n', out);
        }
    }
    if (show)
        printf("%zu exact transitions of %zu steps; %s\n", info.transitions, nsteps,
               info.first_fail < 0 ? "no wrong step" : "went wrong");
    if (gif && am_image_gif(&run, gif, img, nsteps + 1, h, w, (const char *const *)titles, 40, NULL))
        goto done;
    rc = 0;
done:
    if (out) {
        if (rc)
            am_run_abort(&run, out);
        else if (am_run_close(&run, out))
            rc = 1;
    }
    for (size_t t = 0; titles && t <= nsteps; t++)
        free(titles[t]);
    free(titles), free(img), free(ov), free(states), free(want), free(labels);
    am_store_free(s);
    am_patterns_free(pats);
    return rc;
}

/* ---- moving sprites ---- */

typedef struct mov_cfg {
    const am_dataset *ds;
    am_store_config stores[MAX_CONFIGS];
    char labels[MAX_CONFIGS][32];
    int nstores;
    size_t clips[MAX_LIST];
    int nc;
    size_t frames, sprite, stride, cues;
    double noise;
    uint64_t seed;
} mov_cfg;

typedef struct mov_res {
    uint64_t whole, frames_right, cues, first_fail_sum;
} mov_res;

/* Clip c: sprite = image idx downscaled to sprite x sprite (mean of each block, +1 above 0.3), moving from the
 * left edge of a 28 x 28 frame to the right, `stride` pixels a frame, at a row and direction drawn from the
 * clip's stream; background -1. frames x 784 values out. */
static void make_clip(const mov_cfg *c, size_t clip, int8_t *out)
{
    am_rng rng;
    am_rng_init(&rng, c->seed, am_rng_stream2(7, clip));
    size_t idx = (size_t)am_rng_below(&rng, c->ds->count), sp = c->sprite, f = 28 / sp;
    size_t row = (size_t)am_rng_below(&rng, 28 - sp + 1);
    int back = am_rng_below(&rng, 2) != 0; /* right to left */
    const float *img = c->ds->x + idx * c->ds->dim;
    int8_t spr[28 * 28];
    for (size_t r = 0; r < sp; r++)
        for (size_t q = 0; q < sp; q++) {
            double m = 0;
            for (size_t a = 0; a < f; a++)
                for (size_t b = 0; b < f; b++)
                    m += img[(r * f + a) * 28 + q * f + b];
            spr[r * sp + q] = m / (double)(f * f) > 0.3 ? 1 : -1;
        }
    for (size_t t = 0; t < c->frames; t++) {
        int8_t *fr = out + t * 784;
        size_t x0 = t * c->stride;
        if (back)
            x0 = 28 - sp - x0;
        memset(fr, -1, 784);
        for (size_t r = 0; r < sp; r++)
            memcpy(fr + (row + r) * 28 + x0, spr + r * sp, sp);
    }
}

/* Job = (store, clip count): store that many clips, replay the first --cues from their first frame. */
static int mov_job(size_t job, int thread, void *result, void *ctx)
{
    const mov_cfg *c = ctx;
    mov_res *r = result;
    size_t si = job / (size_t)c->nc, ncl = c->clips[job % (size_t)c->nc], L = c->frames;
    am_store_config sc = c->stores[si];
    am_store *s = NULL;
    am_patterns *clip = NULL;
    int8_t *fr = malloc(L * 784), *st = malloc(L * 784);
    am_rng rng;
    int rc = fr && st ? am_patterns_create(&clip, 784, L) : AM_ENOMEM;
    (void)thread;
    sc.n = 784;
    if (!rc)
        rc = am_store_create(&s, &sc);
    for (size_t k = 0; !rc && k < ncl; k++) {
        make_clip(c, k, fr);
        for (size_t t = 0; t < L; t++)
            am_patterns_set(clip, t, fr + t * 784);
        rc = am_sequence_add(s, clip, 0);
    }
    am_rng_init(&rng, c->seed, am_rng_stream2(8, job));
    size_t nq = c->cues < ncl ? c->cues : ncl;
    for (size_t k = 0; !rc && k < nq; k++) {
        am_replay_info info;
        make_clip(c, k, fr);
        memcpy(st, fr, 784);
        am_state_flip_k(st, 784, (size_t)floor(c->noise * 784 + 0.5), &rng);
        if ((rc = am_sequence_replay(s, st, k * L, (unsigned)(L - 1), NULL, NULL, NULL, st, &info)))
            break;
        size_t right = 0, first = L;
        for (size_t t = 1; t < L; t++) {
            if (!memcmp(st + t * 784, fr + t * 784, 784))
                right++;
            else if (first == L)
                first = t;
        }
        r->whole += right == L - 1;
        r->frames_right += right;
        r->first_fail_sum += first;
        r->cues++;
    }
    am_store_free(s);
    am_patterns_free(clip);
    free(fr), free(st);
    return rc;
}

static double mov_cost(size_t job, void *ctx)
{
    const mov_cfg *c = ctx;
    double k = (double)c->clips[job % (size_t)c->nc];
    return k * (double)c->frames * (double)(c->cues < k ? c->cues : k);
}

static int cmd_moving(int argc, char **argv)
{
    static const char desc[] =
        "Each clip: a Fashion-MNIST training image (drawn from the clip's stream) shrunk to a sprite (--sprite\n"
        "pixels square, +1 where the block's mean ink exceeds 0.3), moving across a 28 x 28 frame (N = 784)\n"
        "from one side to the other, --stride pixels a frame, for --frames frames, at a random row; background\n"
        "-1. The clips are stored as open sequences in one store per configuration and count; the first --cues\n"
        "clips are replayed from their first frame with --noise of its pixels flipped.\n"
        "Columns: model config clips frames cues whole_clip_frac (clips replayed exactly to the end)\n"
        "frames_right_frac (replayed frames exactly right) first_fail_mean (first wrong frame; frames when none).\n";
    const char *dir = NULL, *clips_s = "10,100,1000";
    int frames = 8, sprite = 14, stride = 2, cues = 100;
    double noise = 0.05;
    am_run run = {.program = "sequence", .subcommand = "moving",
                  .summary = "Fashion-MNIST sprites moving across a frame, stored as sequences and replayed.",
                  .description = desc, .seed = 1, .resumable = 1,
                  .examples = "sequence moving --model seq-dense --F exp --clips 100,1000 --out exp.tsv\n"
                              "sequence moving --model seq-hebb --clips 10,100 --out hebb.tsv"};
    static am_store_opts so;
    am_opt opts[64] = {
        {"data", AM_OPT_STRING, &dir, "DIR", "Fashion-MNIST folder (default: Debian's)"},
        {"clips", AM_OPT_STRING, &clips_s, "c1,c2,...", "numbers of clips stored (1 .. 100000)"},
        {"frames", AM_OPT_INT, &frames, "L", "frames per clip (2 .. 64)"},
        {"sprite", AM_OPT_INT, &sprite, "S", "sprite size in pixels: 7, 14 or 28 / k"},
        {"stride", AM_OPT_INT, &stride, "D", "pixels the sprite moves each frame"},
        {"cues", AM_OPT_INT, &cues, "C", "clips replayed (the first C of those stored)"},
        {"noise", AM_OPT_DOUBLE, &noise, "f", "fraction of the first frame's pixels flipped"},
        {NULL, 0, NULL, NULL, NULL},
    };
    static mov_cfg c;
    int rc = am_store_opts_parse(&run, &so, "seq-dense", AM_STORE_SEQUENCE, 0, 1, NULL,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */
    const am_store_type *type = am_store_opts_type(&run, &so, opts, NULL, NULL);
    if (!type || parse_sizes(&run, "clips", clips_s, 1, 100000, c.clips, &c.nc))
        return 2;
    if (frames < 2 || frames > 64 || sprite < 1 || sprite > 28 || 28 % sprite || stride < 0 ||
        (size_t)stride * (size_t)(frames - 1) + (size_t)sprite > 28 || cues < 1 || !(noise >= 0 && noise <= 1)) {
        am_run_error(&run, "need 2 <= --frames <= 64, --sprite dividing 28, the sprite's path (stride x (frames - 1) "
                           "+ sprite) within 28 pixels, --cues >= 1, --noise in [0, 1]");
        return 2;
    }
    if ((c.nstores = am_store_opts_configs(&run, &so, type, 784, c.stores, MAX_CONFIGS)) < 0 ||
        am_store_opts_stepwise(&run, c.stores, c.nstores))
        return 2;
    for (int k = 0; k < c.nstores; k++)
        am_store_config_label(&c.stores[k], c.labels[k], sizeof c.labels[k]);
    am_dataset *ds = am_run_load_data(&run, dir, NULL, NULL, "train");
    if (!ds)
        return 1;
    if (ds->dim != 784) {
        am_run_error(&run, "the images are not 28 x 28");
        am_dataset_free(ds);
        return 2;
    }
    c.ds = ds, c.frames = (size_t)frames, c.sprite = (size_t)sprite, c.stride = (size_t)stride, c.cues = (size_t)cues;
    c.noise = noise, c.seed = run.seed;
    size_t count = (size_t)c.nstores * (size_t)c.nc;
    mov_res *res = calloc(count, sizeof *res);
    FILE *out = res ? am_run_open(&run) : NULL;
    if (!out) {
        if (!res)
            am_run_error(&run, "%s", am_strerror(AM_ENOMEM));
        free(res), am_dataset_free(ds);
        return 1;
    }
    am_jobs jobs = {.count = count, .result_size = sizeof(mov_res), .fn = mov_job, .ctx = &c, .cost = mov_cost};
    size_t failed;
    if ((rc = am_run_jobs(&run, &jobs, res, &failed))) {
        am_run_error(&run, "job %zu failed: %s", failed, am_strerror(rc));
        am_run_abort(&run, out);
        free(res), am_dataset_free(ds);
        return 1;
    }
    if (am_run_is_root(&run)) {
        fprintf(out, "model\tconfig\tclips\tframes\tcues\twhole_clip_frac\tframes_right_frac\tfirst_fail_mean\n");
        for (size_t j = 0; j < count; j++) {
            const mov_res *r = &res[j];
            double q = r->cues ? (double)r->cues : NAN;
            fprintf(out, "%s\t%s\t%zu\t%zu\t%llu\t%.4f\t%.4f\t%.2f\n", am_store_type_name(type),
                    c.labels[j / (size_t)c.nc], c.clips[j % (size_t)c.nc], c.frames, (unsigned long long)r->cues,
                    (double)r->whole / q, (double)r->frames_right / (q * (double)(c.frames - 1)),
                    (double)r->first_fail_sum / q);
        }
    }
    free(res), am_dataset_free(ds);
    return am_run_close(&run, out) ? 1 : 0;
}

int main(int argc, char **argv)
{
    static const am_subcommand cmds[] = {{"capacity", cmd_capacity}, {"replay", cmd_replay}, {"moving", cmd_moving}, {NULL, NULL}};
    return am_run_subcommands(argc, argv, "sequence", usage_text, cmds, NULL);
}
