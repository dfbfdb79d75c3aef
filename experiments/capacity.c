/* bin/capacity — storage capacity of an associative memory: store P random patterns, cue stored
 * patterns with a fraction of their bits flipped, run the dynamics, score the result. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "am/am.h"

#define MAX_POINTS 4096
#define MAX_RULES 3
#define MAX_CONFIGS 64

static const char description[] =
    "Each trial stores P fresh uniform random +-1 patterns of N units (--patterns: random; or biased:A, each\n"
    "unit +1 with probability A; correlated:Q, a random parent with each unit flipped with probability Q;\n"
    "letters, A, B, C, ... drawn on a sqrt(N) x sqrt(N) grid; checkerboard, cells of 1, 1, 2, 2, ... units in\n"
    "both phases; the last two need a square N >= 49 and are the same every trial) (the stream of trial t at a sweep\n"
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
    "  error_norm           mean |s - xi| with states scaled to unit norm (binary: 2 sqrt(bit_error))\n"
    "  fixed_end cycle_end maxsteps_end   fractions of recalls that ended at a fixed point, in a 2-cycle\n"
    "                       (sync), or at --max-steps (always, for Glauber with T > 0)\n"
    "\n"
    "For the modern model (--beta, --d), patterns are random +-1 vectors scaled to unit norm and cues flip\n"
    "a fraction of their components; overlap is the cosine to the target, recall means the stored pattern\n"
    "nearest to the final state is the target, bits are the signs of the components, and a stored pattern\n"
    "is a fixed point when one update changes none of its signs; rule reads beta<b>.\n"
    "For the dense model, P is the number of stored patterns K and unstable_frac is the per-bit error of\n"
    "Krotov & Hopfield (2016).\n"
    "\n"
    "Examples: capacity --rule hebb,storkey --N 500 --alpha 0.02:0.3:0.02 --trials 10 --out cap.tsv\n"
    "          capacity --model dense --F poly --n 2,3,4 --N 100 --P 10,20,40,80,160 --out dense.tsv\n";

typedef struct cfg {
    am_store_config stores[MAX_CONFIGS];
    char labels[MAX_CONFIGS][32];
    int nrules; /* number of store configurations */
    am_dynamics dyn;
    am_order order;
    am_path path;
    double temperature;
    size_t n;
    size_t ps[MAX_POINTS];
    int npoints;
    int trials;
    double noise;
    size_t cues;
    size_t stab; /* stored patterns whose stability is evaluated (0 = all) */
    int modern;  /* the modern continuous store: stores[] unused, betas[] instead */
    double betas[MAX_CONFIGS];
    double eps;
    double threshold;
    unsigned max_steps;
    uint64_t seed;
    int kind;          /* the stored patterns: PAT_RANDOM, ... */
    double kind_arg;   /* biased: activity; correlated: flip probability */
    size_t side;       /* letters and checkerboards: the grid's side (N = side^2) */
} cfg;

enum { PAT_RANDOM, PAT_LETTERS, PAT_CHECKER, PAT_BIASED, PAT_CORRELATED };

/* The trial's stored patterns (fresh from rng for the random families; letters and checkerboards are the
 * same every trial: pattern mu is letter A + mu, or checkerboard cell 1 + mu/2 with phase mu%2). */
static int fill_patterns(const cfg *c, am_patterns *pats, am_rng *rng)
{
    switch (c->kind) {
    case PAT_BIASED:
        return am_patterns_biased(pats, c->kind_arg, rng);
    case PAT_CORRELATED:
        return am_patterns_correlated(pats, c->kind_arg, NULL, rng);
    case PAT_LETTERS: {
        char text[27];
        for (size_t mu = 0; mu < pats->count; mu++)
            text[mu] = (char)('A' + mu);
        text[pats->count] = 0;
        return am_patterns_letters(pats, c->side, c->side, text);
    }
    case PAT_CHECKER:
        return am_patterns_checkerboards(pats, c->side, c->side);
    default:
        am_patterns_random(pats, rng);
        return AM_OK;
    }
}

typedef struct trial_result {
    double ov_sum, ov_sq, err_sum, steps_sum, enorm_sum;
    size_t recalled, cues, fixed, unstable_bits, ends[3];
    int all_fixed;
} trial_result;

typedef struct job {
    const cfg *c;
    am_store_work **work;    /* one per thread */
    am_modern_work **mwork;  /* one per thread (modern model): reused from trial to trial */
    int8_t **state;          /* one per thread */
    size_t **unstable;       /* one per thread */
} job;

/* Modern store: patterns are random +-1 vectors scaled to unit norm, cues flip a fraction of their
 * components; overlap is the cosine to the target, a cue is recalled when the stored pattern nearest to
 * the final state (largest dot product) is the target, bits are the signs of the components. */
static int run_modern_trial(const cfg *c, size_t ri, size_t p, size_t trial, trial_result *r, am_modern_work **wp)
{
    size_t n = c->n, ncues = c->cues && c->cues < p ? c->cues : p;
    size_t nstab = c->stab && c->stab < p ? c->stab : p;
    float scale = (float)(1.0 / sqrt((double)n));
    am_patterns *pats = NULL;
    am_modern *m = NULL;
    am_rng rng;
    int rc;
    const float *x = NULL;
    float *y = NULL;
    size_t *near = NULL;
    int8_t *s = malloc(n);
    am_modern_info *info = malloc((ncues > nstab ? ncues : nstab) * sizeof *info);
    am_modern_opts o = {.max_steps = c->max_steps, .eps = c->eps};
    am_modern_opts one = {.max_steps = 1, .eps = 0.0};

    am_rng_init(&rng, c->seed, am_rng_stream2(am_rng_stream2(n, p), trial));
    if ((rc = am_patterns_create(&pats, n, p)) || (rc = fill_patterns(c, pats, &rng)))
        goto done;
    y = malloc((ncues > nstab ? ncues : nstab) * n * sizeof *y);
    near = malloc(ncues * sizeof *near);
    if (!s || !info || !y || !near) {
        rc = AM_ENOMEM;
        goto done;
    }
    if ((rc = am_modern_create(&m, n, c->betas[ri])) || (rc = am_modern_store_patterns(m, pats, scale)))
        goto done;
    x = am_modern_patterns(m);
    if (!*wp && (rc = am_modern_work_create(wp, m)))
        goto done;

    /* One update from each stored pattern: a bit is unstable when its sign changes. */
    memcpy(y, x, nstab * n * sizeof *y);
    if ((rc = am_modern_recall(m, y, nstab, &one, *wp, NULL)))
        goto done;
    r->all_fixed = 1;
    for (size_t mu = 0; mu < nstab; mu++) {
        size_t bad = 0;
        for (size_t i = 0; i < n; i++)
            bad += (y[mu * n + i] > 0) != (x[mu * n + i] > 0);
        r->fixed += bad == 0;
        r->unstable_bits += bad;
        if (bad)
            r->all_fixed = 0;
    }

    /* All cues of the trial at once. */
    for (size_t mu = 0; mu < ncues; mu++) {
        am_patterns_get(pats, mu, s);
        am_state_flip_frac(s, n, c->noise, &rng);
        for (size_t i = 0; i < n; i++)
            y[mu * n + i] = scale * s[i];
    }
    if ((rc = am_modern_recall(m, y, ncues, &o, *wp, info)) || (rc = am_modern_nearest(m, y, ncues, near, *wp)))
        goto done;
    for (size_t mu = 0; mu < ncues; mu++) {
        const float *st = y + mu * n, *tg = x + mu * n;
        double dot = 0, n2 = 0, e2 = 0;
        size_t wrong = 0, best = near[mu];
        for (size_t i = 0; i < n; i++) {
            dot += (double)st[i] * tg[i];
            n2 += (double)st[i] * st[i];
            e2 += ((double)st[i] - tg[i]) * ((double)st[i] - tg[i]);
            wrong += (st[i] > 0) != (tg[i] > 0);
        }
        double cosv = n2 > 0 ? dot / sqrt(n2) : 0.0; /* |target| = 1 */
        r->ov_sum += cosv;
        r->ov_sq += cosv * cosv;
        r->err_sum += (double)wrong / (double)n;
        r->enorm_sum += sqrt(e2);
        r->recalled += best == mu;
        r->steps_sum += info[mu].steps;
        r->ends[info[mu].end]++;
    }
    r->cues = ncues;
done:
    am_modern_free(m);
    am_patterns_free(pats);
    free(y), free(near), free(s), free(info);
    return rc;
}

static int run_trial(size_t index, int thread, void *result, void *ctx)
{
    job *j = ctx;
    const cfg *c = j->c;
    size_t trial = index % (size_t)c->trials, point = (index / (size_t)c->trials) % (size_t)c->npoints;
    size_t ri = index / ((size_t)c->trials * (size_t)c->npoints);
    size_t n = c->n, p = c->ps[point], ncues = c->cues && c->cues < p ? c->cues : p;
    trial_result *r = result;
    am_patterns *pats = NULL;
    am_store *h = NULL;
    am_rng rng;
    am_recall_opts o;
    int rc;

    if (c->modern)
        return run_modern_trial(c, ri, p, trial, r, &j->mwork[thread]);
    am_rng_init(&rng, c->seed, am_rng_stream2(am_rng_stream2(n, p), trial));
    if ((rc = am_patterns_create(&pats, n, p)))
        return rc;
    if ((rc = fill_patterns(c, pats, &rng)))
        goto done;
    if ((rc = am_store_create(&h, &c->stores[ri])))
        goto done;
    if (am_store_hopfield(h) && (rc = am_hopfield_set_path(am_store_hopfield(h), c->path)))
        goto done;
    if ((rc = am_store_add(h, pats)))
        goto done;

    size_t *unst = j->unstable[thread], nstab = c->stab && c->stab < p ? c->stab : p;
    if ((rc = am_store_stability_range(h, 0, nstab, unst)))
        goto done;
    r->all_fixed = 1;
    for (size_t mu = 0; mu < nstab; mu++) {
        r->fixed += unst[mu] == 0;
        r->unstable_bits += unst[mu];
        if (unst[mu])
            r->all_fixed = 0;
    }

    am_recall_opts_default(&o);
    o.dynamics = c->dyn;
    o.order = c->order;
    o.temperature = c->temperature;
    o.max_steps = c->max_steps;
    int8_t *s = j->state[thread], *target = s + n;
    for (size_t mu = 0; mu < ncues; mu++) {
        am_recall_info info;
        am_patterns_get(pats, mu, target);
        memcpy(s, target, n);
        am_state_flip_frac(s, n, c->noise, &rng);
        if ((rc = am_store_recall(h, s, &o, &rng, j->work[thread], &info)))
            goto done;
        double m = am_state_overlap(s, target, n);
        r->ov_sum += m;
        r->ov_sq += m * m;
        r->err_sum += (double)am_state_hamming(s, target, n) / (double)n;
        r->enorm_sum += 2.0 * sqrt((double)am_state_hamming(s, target, n) / (double)n);
        r->recalled += m >= c->threshold;
        r->steps_sum += info.steps;
        r->ends[info.end]++;
    }
    r->cues = ncues;
done:
    am_store_free(h);
    am_patterns_free(pats);
    return rc;
}

int main(int argc, char **argv)
{
    const char *model = "hopfield", *rule_s = "hebb", *dyn_s = "async", *alpha_s = "0.02:0.2:0.01", *p_s = NULL;
    const char *order_s = "random", *path_s = "auto", *patterns_s = "random", *f_s = "poly", *deg_s = "3", *beta_s = "16";
    int dim = 0;
    double eps = 1e-6;
    int n = 1000, trials = 5, max_steps = 100;
    uint64_t cues = 0, stab = 0;
    double temp = 0.0, noise = 0.1, threshold = 0.99;
    am_run run = {.program = "capacity",
                  .summary = "Storage capacity and recall of an associative memory versus load.",
                  .description = description,
                  .seed = 1};
    am_opt opts[] = {
        {"model", AM_OPT_STRING, &model, "M", "memory model: hopfield, dense or modern"},
        {"rule", AM_OPT_STRING, &rule_s, "R[,R...]", "learning rules: hebb, storkey, pinv", "hopfield"},
        {"F", AM_OPT_STRING, &f_s, "F[,F...]", "separation functions: poly, rectpoly, exp", "dense"},
        {"n", AM_OPT_STRING, &deg_s, "k[,k...]", "poly/rectpoly degrees", "dense"},
        {"beta", AM_OPT_STRING, &beta_s, "b[,b...]", "inverse temperatures (0 < b <= 1e30)", "modern"},
        {"d", AM_OPT_INT, &dim, "d", "pattern dimension (same as --N)", "modern"},
        {"eps", AM_OPT_DOUBLE, &eps, "e", "stop when an update moves the state less than e", "modern"},
        {"dynamics", AM_OPT_STRING, &dyn_s, "D", "async, sync or glauber", "hopfield,dense"},
        {"T", AM_OPT_DOUBLE, &temp, "t", "Glauber temperature (>= 0; glauber only)", "hopfield,dense"},
        {"order", AM_OPT_STRING, &order_s, "O", "async/Glauber visiting order: random or fixed", "hopfield,dense"},
        {"N", AM_OPT_INT, &n, "n", "units"},
        {"alpha", AM_OPT_STRING, &alpha_s, "a0:a1:step", "loads P/N to sweep (P = round(alpha N))"},
        {"P", AM_OPT_STRING, &p_s, "p1,p2,...", "pattern counts to sweep (instead of --alpha)"},
        {"trials", AM_OPT_INT, &trials, "k", "trials per sweep point"},
        {"noise", AM_OPT_DOUBLE, &noise, "f", "fraction of cue bits flipped"},
        {"cues", AM_OPT_U64, &cues, "c", "cues per trial: patterns 0..c-1 (0 = all P)"},
        {"recall-threshold", AM_OPT_DOUBLE, &threshold, "m", "overlap that counts as recalled"},
        {"stability-patterns", AM_OPT_U64, &stab, "c", "stored patterns checked for stability: 0..c-1 (0 = all)"},
        {"max-steps", AM_OPT_INT, &max_steps, "s", "sweep limit per recall"},
        {"path", AM_OPT_STRING, &path_s, "P", "Hebb recall path: auto, patterns or matrix (same results)", "hopfield"},
        {"patterns", AM_OPT_STRING, &patterns_s, "KIND", "stored patterns: random, letters, checkerboard, biased:A, correlated:Q"},
        {NULL, 0, NULL, NULL, NULL},
    };
    static cfg c;
    char wordbuf[256];
    const char *words[MAX_RULES + 1];
    run.resumable = 1;
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;

    /* Validate everything before any output is written. */
    am_model mdl = AM_MODEL_HOPFIELD;
    c.modern = !strcmp(model, "modern");
    if (!c.modern && am_model_parse(model, &mdl)) {
        am_run_error(&run, "unknown --model '%s' (hopfield, dense or modern)", model);
        return 2;
    }
    {
        char what[64];
        snprintf(what, sizeof what, "--model %s", model);
        if (am_run_check_scope(&run, opts, model, what))
            return 2;
    }
    if (dim) {
        if (!c.modern) {
            am_run_error(&run, "--d applies to --model modern (use --N)");
            return 2;
        }
        n = dim;
    }
    if (n < 1 || n > 1000000) {
        am_run_error(&run, "--N must be between 1 and 1000000");
        return 2;
    }
    if (c.modern) {
        int nb = am_parse_double_list(beta_s, 0.0, AM_MODERN_MAX_BETA, c.betas, MAX_CONFIGS);
        for (int k = 0; k < nb; k++)
            if (!(c.betas[k] > 0))
                nb = -1;
        if (nb < 0) {
            am_run_error(&run, "--beta wants numbers in (0, %g] separated by commas", AM_MODERN_MAX_BETA);
            return 2;
        }
        for (int k = 0; k < nb; k++)
            snprintf(c.labels[c.nrules++], sizeof c.labels[0], "beta%g", c.betas[k]);
        if (!(eps >= 0.0)) {
            am_run_error(&run, "--eps must be >= 0");
            return 2;
        }
    } else if (mdl == AM_MODEL_HOPFIELD) {
        am_rule rl;
        int nw = am_parse_words(rule_s, wordbuf, sizeof wordbuf, words, MAX_RULES);
        if (nw < 0) {
            am_run_error(&run, "--rule wants up to %d of hebb, storkey, pinv separated by commas", MAX_RULES);
            return 2;
        }
        for (int k = 0; k < nw; k++) {
            if (am_rule_parse(words[k], &rl)) {
                am_run_error(&run, "unknown rule '%s' (hebb, storkey or pinv)", words[k]);
                return 2;
            }
            am_store_config_default(&c.stores[c.nrules], mdl, (size_t)n);
            c.stores[c.nrules].rule = rl;
            snprintf(c.labels[c.nrules++], sizeof c.labels[0], "%s", am_rule_name(rl));
        }
    } else {
        const char *fw[4];
        char fbuf[64];
        uint64_t degs[16];
        int nf = am_parse_words(f_s, fbuf, sizeof fbuf, fw, 3);
        int nd = am_parse_u64_list(deg_s, degs, 16);
        if (nf < 0 || nd < 0) {
            am_run_error(&run, "--F wants poly, rectpoly, exp separated by commas, --n degrees 1..1000");
            return 2;
        }
        for (int a = 0; a < nf; a++) {
            am_dense_f ff;
            if (am_dense_f_parse(fw[a], &ff)) {
                am_run_error(&run, "unknown --F '%s' (poly, rectpoly or exp)", fw[a]);
                return 2;
            }
            for (int b = 0; b < (ff == AM_F_EXP ? 1 : nd); b++) {
                if (ff != AM_F_EXP && (degs[b] < 1 || degs[b] > 1000)) {
                    am_run_error(&run, "--n degrees must be between 1 and 1000");
                    return 2;
                }
                am_store_config_default(&c.stores[c.nrules], mdl, (size_t)n);
                c.stores[c.nrules].f = ff;
                c.stores[c.nrules].degree = (int)degs[b];
                if (ff == AM_F_EXP)
                    snprintf(c.labels[c.nrules++], sizeof c.labels[0], "exp");
                else
                    snprintf(c.labels[c.nrules++], sizeof c.labels[0], "%s%d", am_dense_f_name(ff), (int)degs[b]);
            }
        }
    }
    if (am_dynamics_parse(dyn_s, &c.dyn)) {
        am_run_error(&run, "unknown --dynamics '%s' (async, sync or glauber)", dyn_s);
        return 2;
    }
    if (!strcmp(order_s, "random"))
        c.order = AM_ORDER_RANDOM;
    else if (!strcmp(order_s, "fixed"))
        c.order = AM_ORDER_FIXED;
    else {
        am_run_error(&run, "unknown --order '%s' (random or fixed)", order_s);
        return 2;
    }
    if (!strcmp(path_s, "auto"))
        c.path = AM_PATH_AUTO;
    else if (!strcmp(path_s, "patterns"))
        c.path = AM_PATH_PATTERNS;
    else if (!strcmp(path_s, "matrix"))
        c.path = AM_PATH_MATRIX;
    else {
        am_run_error(&run, "unknown --path '%s' (auto, patterns or matrix)", path_s);
        return 2;
    }
    if (c.path == AM_PATH_PATTERNS)
        for (int k = 0; k < c.nrules; k++)
            if (c.stores[k].model != AM_MODEL_HOPFIELD || c.stores[k].rule != AM_RULE_HEBB) {
                am_run_error(&run, "--path patterns applies to the hebb rule only");
                return 2;
            }
    if (temp < 0.0 || (temp > 0.0 && c.dyn != AM_DYN_GLAUBER)) {
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
    c.n = (size_t)n;
    c.trials = trials;
    c.noise = noise;
    c.cues = (size_t)cues;
    c.stab = (size_t)stab;
    c.eps = eps;
    c.threshold = threshold;
    c.max_steps = (unsigned)max_steps;
    c.temperature = temp;
    c.seed = run.seed;
    {
        /* the pattern family, checked against N and every P */
        double a = NAN;
        char *end = NULL;
        size_t side = (size_t)llround(sqrt((double)n)), pmax_k = 0;
        for (int k = 0; k < c.npoints; k++)
            pmax_k = c.ps[k] > pmax_k ? c.ps[k] : pmax_k;
        if (!strcmp(patterns_s, "random"))
            c.kind = PAT_RANDOM;
        else if (!strcmp(patterns_s, "letters") || !strcmp(patterns_s, "checkerboard")) {
            c.kind = patterns_s[0] == 'l' ? PAT_LETTERS : PAT_CHECKER;
            size_t most = c.kind == PAT_LETTERS ? 26 : 2 * side;
            if (side * side != (size_t)n || side < 7 || pmax_k > most) {
                am_run_error(&run, "--patterns %s: --N must be a square of side >= 7 (49, 64, 100, ...) and P <= %zu",
                             patterns_s, c.kind == PAT_LETTERS ? (size_t)26 : (side * side == (size_t)n ? 2 * side : (size_t)0));
                return 2;
            }
            c.side = side;
        } else if (!strncmp(patterns_s, "biased:", 7) || !strncmp(patterns_s, "correlated:", 11)) {
            c.kind = patterns_s[0] == 'b' ? PAT_BIASED : PAT_CORRELATED;
            const char *v = strchr(patterns_s, ':') + 1;
            errno = 0;
            a = strtod(v, &end);
            if (!*v || *end || errno || !(a >= 0 && a <= 1)) {
                am_run_error(&run, "--patterns %s: the value after ':' must be a number in [0, 1]", patterns_s);
                return 2;
            }
            c.kind_arg = a;
        } else {
            am_run_error(&run, "--patterns: '%s' is not random, letters, checkerboard, biased:A or correlated:Q", patterns_s);
            return 2;
        }
    }

    size_t pmax = 0, ntasks = (size_t)c.nrules * (size_t)c.npoints * (size_t)trials;
    for (int k = 0; k < c.npoints; k++)
        pmax = c.ps[k] > pmax ? c.ps[k] : pmax;
    job j = {.c = &c};
    trial_result *res = calloc(ntasks, sizeof *res);
    j.work = calloc((size_t)run.threads, sizeof *j.work);
    j.mwork = calloc((size_t)run.threads, sizeof *j.mwork);
    j.state = calloc((size_t)run.threads, sizeof *j.state);
    j.unstable = calloc((size_t)run.threads, sizeof *j.unstable);
    int status = 1;
    FILE *out = NULL;
    if (!res || !j.work || !j.mwork || !j.state || !j.unstable) {
        am_run_error(&run, "%s", am_strerror(AM_ENOMEM));
        goto done;
    }
    size_t nstab_max = c.stab && c.stab < pmax ? c.stab : pmax;
    for (int t = 0; t < run.threads; t++) {
        am_store *tmp = NULL;
        if (c.modern) {
            if (!(j.state[t] = malloc(2 * c.n)) || !(j.unstable[t] = malloc(nstab_max * sizeof(size_t)))) {
                am_run_error(&run, "%s", am_strerror(AM_ENOMEM));
                goto done;
            }
            continue;
        }
        if ((rc = am_store_create(&tmp, &c.stores[0])) || (rc = am_store_work_create(&j.work[t], tmp)) ||
            !(j.state[t] = malloc(2 * c.n)) || !(j.unstable[t] = malloc(nstab_max * sizeof(size_t)))) {
            am_run_error(&run, "%s", am_strerror(rc ? rc : AM_ENOMEM));
            am_store_free(tmp);
            status = rc == AM_EINVAL ? 2 : 1;
            goto done;
        }
        am_store_free(tmp);
    }

    if (!(out = am_run_open(&run)))
        goto done;
    am_jobs jobs = {.count = ntasks, .result_size = sizeof *res, .fn = run_trial, .ctx = &j};
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
            trial_result tot = {0};
            size_t p = c.ps[pi], allfix = 0;
            for (int t = 0; t < trials; t++) {
                const trial_result *r = &res[((size_t)ri * c.npoints + pi) * trials + t];
                tot.ov_sum += r->ov_sum;
                tot.ov_sq += r->ov_sq;
                tot.err_sum += r->err_sum;
                tot.enorm_sum += r->enorm_sum;
                tot.steps_sum += r->steps_sum;
                tot.recalled += r->recalled;
                tot.cues += r->cues;
                tot.fixed += r->fixed;
                tot.unstable_bits += r->unstable_bits;
                for (int e = 0; e < 3; e++)
                    tot.ends[e] += r->ends[e];
                allfix += r->all_fixed;
            }
            double nc = (double)tot.cues, mean = tot.ov_sum / nc;
            size_t ns = c.stab && c.stab < p ? c.stab : p; /* patterns checked for stability */
            double var = nc > 1 ? (tot.ov_sq - nc * mean * mean) / (nc - 1.0) : 0.0;
            fprintf(out, "%s\t%s\t%s\t%g\t%zu\t%zu\t%.6f\t%d\t%zu\t%g\t%.6f\t%.6f\t%.6f\t%.6f\t%.6f\t%.8f\t%.6f\t%.3f"
                         "\t%.6f\t%.6f\t%.6f\t%.6f\n",
                    c.modern ? "modern" : model, c.labels[ri], am_dynamics_name(c.dyn), c.temperature, c.n, p,
                    (double)p / (double)c.n, trials, tot.cues / (size_t)trials, noise, mean,
                    sqrt(var > 0 ? var : 0), tot.recalled / nc, (double)tot.fixed / ((double)ns * trials),
                    ns == p ? (double)allfix / trials : NAN,
                    (double)tot.unstable_bits / ((double)ns * (double)c.n * trials),
                    tot.err_sum / nc, tot.steps_sum / nc, tot.ends[AM_END_FIXED] / nc, tot.ends[AM_END_CYCLE] / nc,
                    tot.ends[AM_END_MAXSTEPS] / nc, tot.enorm_sum / nc);
        }
    status = am_run_close(&run, out) ? 1 : 0;
done:
    for (int t = 0; t < run.threads; t++) {
        if (j.work)
            am_store_work_free(j.work[t]);
        if (j.mwork)
            am_modern_work_free(j.mwork[t]);
        if (j.state)
            free(j.state[t]);
        if (j.unstable)
            free(j.unstable[t]);
    }
    free(j.work), free(j.mwork), free(j.state), free(j.unstable), free(res);
    return status;
}
