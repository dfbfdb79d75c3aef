/* bin/capacity — storage capacity of an associative memory: store P random patterns, cue stored
 * patterns with a fraction of their bits flipped, run the dynamics, score the result. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"
#include "am/capacity.h"

#define MAX_POINTS 4096
#define MAX_CONFIGS 64

static const char description[] =
    "Each trial stores P fresh uniform random +-1 patterns of N units (--patterns: random; or biased:A, each\n"
    "unit +1 with probability A; correlated:Q, a random parent with each unit flipped with probability Q;\n"
    "letters, A, B, C, ... drawn on a sqrt(N) x sqrt(N) grid; checkerboard, cells of 1, 1, 2, 2, ... units in\n"
    "both phases; lshapes, one L shifted across the grid; the last three need a square N >= 49 and are the\n"
    "same every trial) (the stream of trial t at a sweep\n"
    "point depends only on --seed, N, P and t, so every rule sees the same patterns), cues stored patterns\n"
    "0..c-1 (c = --cues, default all P) each with round(noise*N) distinct bits flipped, runs the dynamics\n"
    "and compares the final state s with the cued pattern xi.\n"
    "\n"
    "Columns (one row per rule and sweep point):\n"
    "  model rule dynamics T  the configuration: rule is the learning rule (hopfield) or F and degree\n"
    "                       (dense: poly3, rectpoly4, exp); T is the Glauber temperature\n"
    "  N P alpha            units, stored patterns, load alpha = P/N\n"
    "  trials cues noise    trials at this point, cues per trial, fraction of cue bits flipped\n"
    "  overlap_mean/_sd     mean and sample SD over all cues of the overlap m = (1/N) sum_i s_i xi_i\n"
    "  recall_frac          fraction of cues that end with m >= --recall-threshold\n"
    "  fixed_frac           fraction of stored patterns that are exact fixed points (no unit would flip)\n"
    "  all_fixed_frac       fraction of trials in which every stored pattern is a fixed point (nan when\n"
    "                       --stability-patterns checks only some of them; fixed_frac and unstable_frac\n"
    "                       are then estimated from patterns 0..c-1)\n"
    "  unstable_frac        fraction of the bits of stored patterns that one update would flip (the\n"
    "                       per-bit error of Hopfield 1982)\n"
    "  bit_error            mean fraction of wrong bits at the end of recall, (1 - m)/2\n"
    "  steps_mean           mean sweeps (sync: parallel updates) per recall\n"
    "  fixed_end cycle_end maxsteps_end   fractions of recalls that ended at a fixed point, in a 2-cycle\n"
    "                       (sync), or at --max-steps (always, for Glauber with T > 0)\n"
    "  error_norm           mean |s - xi| with states scaled to unit norm (binary: 2 sqrt(bit_error))\n"
    "\n"
    "For the modern model (--beta, --d), patterns are random +-1 vectors scaled to unit norm and cues flip\n"
    "a fraction of their components; overlap is the cosine to the target, recall means the stored pattern\n"
    "nearest to the final state is the target, bits are the signs of the components, and a stored pattern\n"
    "is a fixed point when one update changes none of its signs; rule reads beta<b>.\n"
    "For the dense model, P is the number of stored patterns K and unstable_frac is the per-bit error of\n"
    "Krotov & Hopfield (2016).\n";

static const char examples[] =
    "capacity --rule hebb,storkey --N 500 --alpha 0.02:0.3:0.02 --trials 10 --out cap.tsv\n"
    "capacity --model dense --F poly --degree 2,3,4 --N 100 --P 10,20,40,80,160 --out dense.tsv\n"
    "capacity --N 100 --P 1,2,3,4,6,8 --patterns letters --trials 1 --out letters.tsv\n"
    "capacity --N 500 --P 10 --dynamics glauber --T 0.5 --max-steps 40 --out glauber.tsv\n"
    "capacity --model modern --d 64 --beta 1,16 --P 100,1000 --cues 20 --out modern.tsv";

typedef struct cfg {
    am_capacity_opts base;   /* everything but the store configuration */
    am_store_config stores[MAX_CONFIGS];
    char labels[MAX_CONFIGS][32];
    int nrules; /* number of store configurations */
    size_t ps[MAX_POINTS];
    int npoints;
    int trials;
} cfg;

typedef struct job {
    const cfg *c;
    am_capacity_work **work; /* one per thread */
} job;

/* The relative work of a task: P patterns of N units, each recall and each stability check O(N P) (the
 * pseudo-inverse rule adds its O(N^3) decomposition). */
static double trial_cost(size_t index, void *ctx)
{
    const job *j = ctx;
    const cfg *c = j->c;
    size_t point = (index / (size_t)c->trials) % (size_t)c->npoints, ri = index / ((size_t)c->trials * (size_t)c->npoints);
    double n = (double)c->base.store.n, p = (double)c->ps[point];
    double cues = c->base.cues && (double)c->base.cues < p ? (double)c->base.cues : p;
    double stab = c->base.stability && (double)c->base.stability < p ? (double)c->base.stability : p;
    double w = n * p * (cues + stab) + n * p;
    char rule[16] = "";
    am_store_config_get(&c->stores[ri], "rule", rule, sizeof rule); /* the learning rules' own costs */
    if (!strcmp(rule, "storkey") || !strcmp(rule, "pinv"))
        w += n * n * (!strcmp(rule, "pinv") ? n : p);
    return w;
}

/* Task index = (configuration, load point, trial), trial fastest. */
static int run_trial(size_t index, int thread, void *result, void *ctx)
{
    job *j = ctx;
    const cfg *c = j->c;
    size_t trial = index % (size_t)c->trials, point = (index / (size_t)c->trials) % (size_t)c->npoints;
    size_t ri = index / ((size_t)c->trials * (size_t)c->npoints);
    am_capacity_opts o = c->base;
    o.store = c->stores[ri];
    return am_capacity_trial_run(&o, c->ps[point], trial, j->work[thread], result);
}

int main(int argc, char **argv)
{
    const char *dyn_s = "async", *alpha_s = "0.02:0.2:0.01", *p_s = NULL;
    const char *order_s = "random", *patterns_s = "random";
    int dim = 0;
    double eps = 1e-6;
    int n = 1000, trials = 5, max_steps = 100;
    uint64_t cues = 0, stab = 0;
    double temp = 0.0, noise = 0.1, threshold = 0.99;
    char serial[256], real[256];
    am_run run = {.program = "capacity",
                  .summary = "Storage capacity and recall of an associative memory versus load.",
                  .description = description,
                  .examples = examples,
                  .seed = 1};
    am_store_opts_scope(AM_STORE_SERIAL, serial, sizeof serial);
    am_store_opts_scope(AM_STORE_REAL, real, sizeof real);
    am_opt opts[64] = {
        {"d", AM_OPT_INT, &dim, "d", "pattern dimension (same as --N; default: --N)", real},
        {"eps", AM_OPT_DOUBLE, &eps, "e", "stop when an update moves the state less than e", real},
        {"dynamics", AM_OPT_STRING, &dyn_s, "D", "async, sync or glauber", serial},
        {"T", AM_OPT_DOUBLE, &temp, "t", "Glauber temperature (>= 0; glauber only)", serial},
        {"order", AM_OPT_STRING, &order_s, "O", "async/Glauber visiting order: random or fixed", serial},
        {"N", AM_OPT_INT, &n, "n", "units"},
        {"alpha", AM_OPT_STRING, &alpha_s, "a0:a1:step", "loads P/N to sweep (P = round(alpha N))"},
        {"P", AM_OPT_STRING, &p_s, "p1,p2,...", "pattern counts to sweep (instead of --alpha)"},
        {"trials", AM_OPT_INT, &trials, "k", "trials per sweep point"},
        {"noise", AM_OPT_DOUBLE, &noise, "f", "fraction of cue bits flipped"},
        {"cues", AM_OPT_U64, &cues, "c", "cues per trial: patterns 0..c-1 (0 = all P)"},
        {"recall-threshold", AM_OPT_DOUBLE, &threshold, "m", "overlap that counts as recalled"},
        {"stability-patterns", AM_OPT_U64, &stab, "c", "stored patterns checked for stability: 0..c-1 (0 = all)"},
        {"max-steps", AM_OPT_INT, &max_steps, "s", "sweep limit per recall"},
        {"patterns", AM_OPT_STRING, &patterns_s, "KIND", "stored patterns: random, letters, checkerboard, lshapes, biased:A, correlated:Q"},
        {NULL, 0, NULL, NULL, NULL},
    };
    static am_store_opts so;
    char why[256];
    static cfg c;
    run.resumable = 1;
    static const char *const defaults[] = {"beta", "16", NULL};
    int rc = am_store_opts_parse(&run, &so, "hopfield", 0, AM_STORE_SEQUENCE, 1, defaults,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */

    /* Validate everything before any output is written. */
    const am_store_type *type = am_store_opts_type(&run, &so, opts, NULL, NULL);
    if (!type)
        return 2;
    if (dim)
        n = dim;
    if (n < 1 || n > 1000000) {
        am_run_error(&run, "--N must be between 1 and 1000000");
        return 2;
    }
    if ((c.nrules = am_store_opts_configs(&run, &so, type, (size_t)n, c.stores, MAX_CONFIGS)) < 0)
        return 2;
    for (int k = 0; k < c.nrules; k++)
        am_store_config_label(&c.stores[k], c.labels[k], sizeof c.labels[k]);
    if (!(eps >= 0.0)) {
        am_run_error(&run, "--eps must be >= 0");
        return 2;
    }
    am_capacity_opts *b = &c.base;
    am_capacity_opts_default(b, type, (size_t)n);
    if (am_dynamics_parse(dyn_s, &b->dynamics)) {
        am_run_error(&run, "unknown --dynamics %s (async, sync or glauber)", AM__QUOTE(dyn_s));
        return 2;
    }
    if (!strcmp(order_s, "random"))
        b->order = AM_ORDER_RANDOM;
    else if (!strcmp(order_s, "fixed"))
        b->order = AM_ORDER_FIXED;
    else {
        am_run_error(&run, "unknown --order %s (random or fixed)", AM__QUOTE(order_s));
        return 2;
    }
    if (temp < 0.0 || (temp > 0.0 && b->dynamics != AM_DYN_GLAUBER)) {
        am_run_error(&run, "--T must be >= 0 and is only used with --dynamics glauber");
        return 2;
    }
    if (trials < 1 || max_steps < 1) {
        am_run_error(&run, "--trials and --max-steps must be at least 1");
        return 2;
    }
    if (!(noise >= 0.0 && noise <= 1.0) || !(threshold >= -1.0 && threshold <= 1.0)) {
        am_run_error(&run, "--noise must be in [0, 1] and --recall-threshold in [-1, 1]");
        return 2;
    }
    if (p_s) {
        uint64_t v[MAX_POINTS];
        c.npoints = am_parse_u64_list(p_s, v, MAX_POINTS);
        if (c.npoints < 0) {
            am_run_error(&run, "--P wants a comma-separated list of at most %d pattern counts", MAX_POINTS);
            return 2;
        }
        for (int k = 0; k < c.npoints; k++) {
            if (v[k] < 1 || v[k] > 10000000) {
                am_run_error(&run, "--P values must be between 1 and 10000000");
                return 2;
            }
            c.ps[k] = (size_t)v[k];
        }
    } else {
        double a[MAX_POINTS];
        c.npoints = am_parse_range(alpha_s, a, MAX_POINTS);
        if (c.npoints < 0) {
            am_run_error(&run, "--alpha wants a0:a1:step with 0 < step and a0 <= a1");
            return 2;
        }
        for (int k = 0; k < c.npoints; k++) {
            double pp = floor(a[k] * n + 0.5);
            if (!(a[k] > 0.0) || pp > 10000000) {
                am_run_error(&run, "--alpha values must be > 0 and give P <= 10000000");
                return 2;
            }
            c.ps[k] = pp < 1 ? 1 : (size_t)pp;
        }
    }
    c.trials = trials;
    b->noise = noise;
    b->cues = (size_t)cues;
    b->stability = (size_t)stab;
    b->eps = eps;
    b->threshold = threshold;
    b->max_steps = (unsigned)max_steps;
    b->temperature = temp;
    b->seed = run.seed;
    if (am_pattern_family_parse(&b->patterns, patterns_s, why, sizeof why)) {
        am_run_error(&run, "--patterns: %s", why);
        return 2;
    }
    size_t pmax = 0, ntasks = (size_t)c.nrules * (size_t)c.npoints * (size_t)trials;
    for (int k = 0; k < c.npoints; k++)
        pmax = c.ps[k] > pmax ? c.ps[k] : pmax;
    for (int k = 0; k < c.nrules; k++) {
        am_capacity_opts o = *b;
        o.store = c.stores[k];
        if (am_capacity_opts_check(&o, pmax, why, sizeof why)) {
            am_run_error(&run, "%s", why);
            return 2;
        }
    }

    job j = {.c = &c};
    am_capacity_trial *res = calloc(ntasks, sizeof *res);
    j.work = calloc((size_t)run.threads, sizeof *j.work);
    int status = 1;
    FILE *out = NULL;
    if (!res || !j.work) {
        am_run_error(&run, "%s", am_strerror(AM_ENOMEM));
        goto done;
    }
    for (int t = 0; t < run.threads; t++)
        if ((rc = am_capacity_work_create(&j.work[t]))) {
            am_run_error(&run, "%s", am_strerror(rc));
            goto done;
        }

    if (!(out = am_run_open(&run)))
        goto done;
    am_jobs jobs = {.count = ntasks, .result_size = sizeof *res, .fn = run_trial, .ctx = &j, .cost = trial_cost};
    size_t failed;
    rc = am_run_jobs(&run, &jobs, res, &failed);
    if (rc) {
        am_run_error(&run, "trial %zu failed: %s", failed, am_strerror(rc));
        am_run_abort(&run, out);
        out = NULL;
        goto done;
    }
    if (!am_run_is_root(&run)) {
        status = am_run_close(&run, out) ? 1 : 0;
        out = NULL;
        goto done;
    }
    fprintf(out, "# cues: patterns 0..c-1 of each trial; noise flips round(noise*N) bits; recall: overlap >= %g\n",
            threshold);
    fprintf(out, "model\trule\tdynamics\tT\tN\tP\talpha\ttrials\tcues\tnoise\toverlap_mean\toverlap_sd\t"
                 "recall_frac\tfixed_frac\tall_fixed_frac\tunstable_frac\tbit_error\tsteps_mean\t"
                 "fixed_end\tcycle_end\tmaxsteps_end\terror_norm\n");
    for (int ri = 0; ri < c.nrules; ri++)
        for (int pi = 0; pi < c.npoints; pi++) {
            am_capacity_trial sum = {0};
            am_capacity_point pt;
            for (int t = 0; t < trials; t++)
                am_capacity_trial_add(&sum, &res[((size_t)ri * c.npoints + pi) * trials + t]);
            am_capacity_summarise(&sum, (size_t)n, c.ps[pi], &pt);
            fprintf(out, "%s\t%s\t%s\t%g\t%zu\t%zu\t%.6f\t%d\t%zu\t%g\t%.6f\t%.6f\t%.6f\t%.6f\t%.6f\t%.8f\t%.6f\t%.3f"
                         "\t%.6f\t%.6f\t%.6f\t%.6f\n",
                    am_store_type_name(type), c.labels[ri], am_dynamics_name(b->dynamics), b->temperature, pt.n, pt.p,
                    pt.alpha, trials, pt.cues, noise, pt.overlap_mean, pt.overlap_sd, pt.recall_frac, pt.fixed_frac,
                    pt.all_fixed_frac, pt.unstable_frac, pt.bit_error, pt.steps_mean, pt.fixed_end, pt.cycle_end,
                    pt.maxsteps_end, pt.error_norm);
        }
    status = am_run_close(&run, out) ? 1 : 0;
done:
    for (int t = 0; j.work && t < run.threads; t++)
        am_capacity_work_free(j.work[t]);
    free(j.work), free(res);
    return status;
}
