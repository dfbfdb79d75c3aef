/* bin/familiarity — recognition memory (am/familiarity.h): has this been seen before?
 *   capacity  a fixed-point store of P random patterns: how well the energy (and the best overlap) tells
 *             stored patterns from novel ones (ROC AUC, d'), beside how many stored patterns recall brings
 *             back; the largest P each holds.
 *   images    Fashion-MNIST images seen (stored, fitted) vs unseen images of the same classes and vs images
 *             of held-out classes, scored by a store over binarised pixels or latents and by an encoder's
 *             reconstruction error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"

#define MAX_POINTS 256
#define MAX_CONFIGS 16

static const char usage_text[] =
    "Usage: familiarity COMMAND [options]   (familiarity COMMAND --help for each)\n"
    "  capacity  familiarity (energy, best overlap) vs recall of a fixed-point store against the load P\n"
    "  images    Fashion-MNIST seen vs unseen images and held-out classes: store and reconstruction scores\n"
    "Examples:\n"
    "  familiarity capacity --N 200 --out fam-capacity.tsv\n"
    "  familiarity images --M 500 --out fam-images.tsv\n";

/* ---- shared: one ROC summary as TSV columns ---- */

static void roc_columns(FILE *out, const double *f, size_t nf, const double *n, size_t nn)
{
    am_roc r;
    if (am_roc_compute(f, nf, n, nn, &r))
        fprintf(out, "\tnan\tnan\tnan\tnan");
    else
        fprintf(out, "\t%.6f\t%.4f\t%.4f\t%.6g", r.auc, r.dprime, r.accuracy, r.threshold);
}

/* ---- capacity ---- */

static const char capacity_desc[] =
    "Each trial stores P uniform random +-1 patterns of N units (the stream depends only on --seed, N, P and\n"
    "the trial, so every store configuration sees the same patterns). Familiar cues: stored patterns 0..c-1\n"
    "(c = min(--familiar, P)) with round(--flip N) bits flipped; novel cues: --novel fresh random patterns.\n"
    "Each cue is scored by -E/N (the store's energy per unit, minus) and by its best overlap with a stored\n"
    "pattern (am/familiarity.h); the scores of all trials are pooled into one ROC per score. Recall: the same\n"
    "c stored patterns, each cued with round(--noise N) bits flipped, run to the end (am_store_recall,\n"
    "default dynamics, --max-steps), recalled when the overlap with the pattern is >= --recall-threshold.\n"
    "\n"
    "Columns (one row per store configuration and P):\n"
    "  model rule N P alpha trials familiar novel flip   the configuration (alpha = P/N)\n"
    "  auc_energy dprime_energy acc_energy thr_energy     ROC of the energy score: exact AUC (Mann-Whitney),\n"
    "                                                      d', best accuracy and its threshold\n"
    "  auc_overlap dprime_overlap acc_overlap thr_overlap the same for the best-overlap score\n"
    "  recall_frac     fraction of the noisy cues recalled\n"
    "  fixed_frac      fraction of stored patterns 0..c-1 that are fixed points (am_store_stability)\n"
    "The '#' lines before the header give, per configuration, the largest P of the sweep (in increasing P,\n"
    "before the first failure) with AUC >= --criterion for each score and with recall_frac >= --criterion.\n";

typedef struct cap_cfg {
    am_store_config stores[MAX_CONFIGS];
    char labels[MAX_CONFIGS][32];
    int nconf;
    size_t ps[MAX_POINTS];
    int npoints, trials;
    size_t n, familiar, novel, flip_bits, noise_bits;
    unsigned max_steps;
    double recall_threshold;
    uint64_t seed;
} cap_cfg;

/* A trial's result: cues scored, then recall counts. Sized for --familiar and --novel. */
typedef struct cap_head {
    size_t nf;        /* familiar cues (min(familiar, P)) */
    size_t recalled;  /* of the nf noisy cues */
    size_t fixed;     /* of stored patterns 0..nf-1 */
} cap_head;

static size_t cap_result_size(const cap_cfg *c) { return sizeof(cap_head) + 2 * (c->familiar + c->novel) * sizeof(double); }

/* Job index = (configuration, point, trial), trial fastest. */
static void cap_index(const cap_cfg *c, size_t job, int *ci, int *pi, int *t)
{
    *t = (int)(job % (size_t)c->trials);
    *pi = (int)(job / (size_t)c->trials % (size_t)c->npoints);
    *ci = (int)(job / ((size_t)c->trials * (size_t)c->npoints));
}

static double cap_cost(size_t job, void *ctx)
{
    const cap_cfg *c = ctx;
    int ci, pi, t;
    cap_index(c, job, &ci, &pi, &t);
    double n = (double)c->n, p = (double)c->ps[pi];
    return n * p * (double)(c->familiar + c->novel) / 64 + n * n * p / 8 + n * n * (double)c->familiar * 10;
}

/* Recall of the nf noisy cues and stability of the nf patterns. */
static int cap_recall(const cap_cfg *c, const am_store *s, const am_patterns *p, size_t nf, am_rng *rng, cap_head *h)
{
    size_t n = c->n;
    int8_t *x = malloc(n);
    size_t *unstable = malloc(nf * sizeof *unstable);
    am_store_work *w = NULL;
    am_recall_opts o;
    am_recall_opts_default(&o);
    o.max_steps = c->max_steps;
    int rc = x && unstable ? am_store_work_create(&w, s) : AM_ENOMEM;
    for (size_t k = 0; !rc && k < nf; k++) {
        am_patterns_get(p, k, x);
        am_state_flip_k(x, n, c->noise_bits, rng);
        if ((rc = am_store_recall(s, x, &o, rng, w, NULL)))
            break;
        long dot = 0;
        for (size_t i = 0; i < n; i++)
            dot += x[i] * am_patterns_unit(p, k, i);
        h->recalled += (double)dot / (double)n >= c->recall_threshold;
    }
    if (!rc && !(rc = am_store_stability_range(s, 0, nf, unstable)))
        for (size_t k = 0; k < nf; k++)
            h->fixed += unstable[k] == 0;
    am_store_work_free(w);
    free(x), free(unstable);
    return rc;
}

static int cap_job(size_t job, int thread, void *result, void *ctx)
{
    const cap_cfg *c = ctx;
    int ci, pi, t, rc;
    (void)thread;
    cap_index(c, job, &ci, &pi, &t);
    size_t P = c->ps[pi], n = c->n, nf = P < c->familiar ? P : c->familiar;
    cap_head *h = result;
    double *fs = (double *)(h + 1), *ns = fs + 2 * c->familiar;
    am_patterns *p = NULL, *fam = NULL, *nov = NULL;
    am_store *s = NULL;
    am_rng rng;
    h->nf = nf;
    if ((rc = am_patterns_create(&p, n, P)) || (rc = am_patterns_create(&fam, n, nf)) ||
        (rc = am_patterns_create(&nov, n, c->novel)))
        goto done;
    am_rng_init(&rng, c->seed, am_rng_stream2(P, (uint64_t)t)); /* the same patterns for every configuration */
    am_patterns_random(p, &rng);
    am_patterns_random(nov, &rng);
    int8_t *x = malloc(n);
    if (!x) {
        rc = AM_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < nf; k++) {
        am_patterns_get(p, k, x);
        am_state_flip_k(x, n, c->flip_bits, &rng);
        am_patterns_set(fam, k, x);
    }
    free(x);
    if ((rc = am_store_create(&s, &c->stores[ci])) || (rc = am_store_add(s, p)))
        goto done;
    for (int kind = 0; kind < 2; kind++)
        if ((rc = am_familiarity_store(s, (am_fam_score)kind, fam, fs + (size_t)kind * c->familiar, 1)) ||
            (rc = am_familiarity_store(s, (am_fam_score)kind, nov, ns + (size_t)kind * c->novel, 1)))
            goto done;
    rc = cap_recall(c, s, p, nf, &rng, h);
done:
    am_store_free(s);
    am_patterns_free(p), am_patterns_free(fam), am_patterns_free(nov);
    return rc;
}

/* Pool the scores of kind `kind` over the trials of (ci, pi) into f and nv (room for trials x familiar and
 * trials x novel); the counts out. */
static void cap_pool(const cap_cfg *c, const unsigned char *res, int ci, int pi, int kind, double *f, size_t *nf,
                     double *nv, size_t *nn, size_t *recalled, size_t *fixed)
{
    size_t rs = cap_result_size(c);
    *nf = *nn = *recalled = *fixed = 0;
    for (int t = 0; t < c->trials; t++) {
        const cap_head *h = (const cap_head *)(res + (((size_t)ci * c->npoints + pi) * c->trials + t) * rs);
        const double *fs = (const double *)(h + 1), *ns = fs + 2 * c->familiar;
        memcpy(f + *nf, fs + (size_t)kind * c->familiar, h->nf * sizeof *f);
        memcpy(nv + *nn, ns + (size_t)kind * c->novel, c->novel * sizeof *nv);
        *nf += h->nf, *nn += c->novel, *recalled += h->recalled, *fixed += h->fixed;
    }
}

static int cap_parse(am_run *run, am_store_opts *so, am_opt *opts, cap_cfg *c, int n, const char *ps, int trials,
                     uint64_t fam, uint64_t nov, double flip, double noise, int max_steps, double thr)
{
    const am_store_type *type = am_store_opts_type(run, so, opts, NULL, NULL);
    if (!type)
        return -1;
    if (n < 2 || n > 100000) {
        am_run_error(run, "--N must be between 2 and 100000");
        return -1;
    }
    if ((c->nconf = am_store_opts_configs(run, so, type, (size_t)n, c->stores, MAX_CONFIGS)) < 0)
        return -1;
    uint64_t v[MAX_POINTS];
    c->npoints = am_parse_u64_list(ps, v, MAX_POINTS);
    for (int k = 0; k < c->npoints; k++)
        if (v[k] < 1 || v[k] > 1000000 || (k && v[k] <= v[k - 1]))
            c->npoints = -1;
    if (c->npoints <= 0) {
        am_run_error(run, "--P wants increasing pattern counts in 1..1000000, comma-separated (at most %d)", MAX_POINTS);
        return -1;
    }
    if (trials < 1 || trials > 10000 || fam < 1 || fam > 100000 || nov < 1 || nov > 100000 || max_steps < 1) {
        am_run_error(run, "need 1 <= --trials <= 10000, 1 <= --familiar, --novel <= 100000, --max-steps >= 1");
        return -1;
    }
    if (!(flip >= 0 && flip <= 1) || !(noise >= 0 && noise <= 1) || !(thr >= -1 && thr <= 1)) {
        am_run_error(run, "--flip and --noise must be in [0, 1], --recall-threshold in [-1, 1]");
        return -1;
    }
    for (int k = 0; k < c->npoints; k++)
        c->ps[k] = (size_t)v[k];
    for (int k = 0; k < c->nconf; k++)
        am_store_config_label(&c->stores[k], c->labels[k], sizeof c->labels[k]);
    c->n = (size_t)n, c->trials = trials, c->familiar = (size_t)fam, c->novel = (size_t)nov;
    c->flip_bits = (size_t)floor(flip * n + 0.5), c->noise_bits = (size_t)floor(noise * n + 0.5);
    c->max_steps = (unsigned)max_steps, c->recall_threshold = thr, c->seed = run->seed;
    return 0;
}

/* The summary lines: the largest P before the first failure of each measure. */
static void cap_summary(FILE *out, const cap_cfg *c, int ci, double crit, const double *auc, const double *rec)
{
    const char *what[3] = {"familiarity by energy (AUC)", "familiarity by best overlap (AUC)", "recall (recall_frac)"};
    for (int m = 0; m < 3; m++) {
        int last = -1;
        for (int pi = 0; pi < c->npoints; pi++) {
            double v = m < 2 ? auc[pi * 2 + m] : rec[pi];
            if (!(v >= crit))
                break;
            last = pi;
        }
        fprintf(out, "# capacity %s %s >= %g: ", c->labels[ci], what[m], crit);
        if (last < 0)
            fprintf(out, "below the smallest P (%zu)\n", c->ps[0]);
        else if (last == c->npoints - 1)
            fprintf(out, "P >= %zu (alpha %.4g; holds at the largest P)\n", c->ps[last], (double)c->ps[last] / c->n);
        else
            fprintf(out, "P = %zu (alpha %.4g, P/N^2 %.4g; fails at %zu)\n", c->ps[last], (double)c->ps[last] / c->n,
                    (double)c->ps[last] / ((double)c->n * c->n), c->ps[last + 1]);
    }
}

static int cmd_capacity(int argc, char **argv)
{
    am_run run = {.program = "familiarity", .subcommand = "capacity",
                  .summary = "Familiarity (energy, best overlap) vs recall of a fixed-point store against the load.",
                  .description = capacity_desc, .seed = 1,
                  .examples = "familiarity capacity --N 200 --out fam-capacity.tsv\n"
                              "familiarity capacity --rule hebb,storkey --N 100 --P 5,10,20,50,100,200,500,1000 --out rules.tsv\n"
                              "familiarity capacity --model dense --degree 2,3 --N 100 --P 10,100,1000 --out dense.tsv"};
    int n = 200, trials = 3, max_steps = 100;
    const char *ps = "5,10,15,20,25,30,40,60,100,200,400,800,1600,3200,6400,12800";
    uint64_t fam = 100, nov = 200;
    double flip = 0.0, noise = 0.1, thr = 0.95, crit = 0.95;
    am_opt opts[64] = {
        {"N", AM_OPT_INT, &n, "n", "units"},
        {"P", AM_OPT_STRING, &ps, "p1,p2,...", "stored patterns to sweep (increasing)"},
        {"trials", AM_OPT_INT, &trials, "k", "trials per P"},
        {"familiar", AM_OPT_U64, &fam, "c", "familiar cues per trial: stored patterns 0..c-1"},
        {"novel", AM_OPT_U64, &nov, "c", "novel random cues per trial"},
        {"flip", AM_OPT_DOUBLE, &flip, "f", "fraction of bits flipped in familiar cues"},
        {"noise", AM_OPT_DOUBLE, &noise, "f", "fraction of bits flipped in recall cues"},
        {"recall-threshold", AM_OPT_DOUBLE, &thr, "m", "overlap that counts as recalled"},
        {"max-steps", AM_OPT_INT, &max_steps, "s", "recall step limit"},
        {"criterion", AM_OPT_DOUBLE, &crit, "c", "AUC and recall fraction that count as holding (summary lines)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    static am_store_opts so;
    static cap_cfg c;
    run.resumable = 1;
    static const char *const defaults[] = {"beta", "16", NULL};
    int rc = am_store_opts_parse(&run, &so, "hopfield", 0, AM_STORE_SEQUENCE, 1, defaults,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */
    if (cap_parse(&run, &so, opts, &c, n, ps, trials, fam, nov, flip, noise, max_steps, thr))
        return 2;
    if (!(crit >= 0 && crit <= 1)) {
        am_run_error(&run, "--criterion must be in [0, 1]");
        return 2;
    }
    size_t njobs = (size_t)c.nconf * (size_t)c.npoints * (size_t)c.trials, rs = cap_result_size(&c);
    unsigned char *res = calloc(njobs, rs);
    double *f = malloc((size_t)c.trials * c.familiar * sizeof *f), *nv = malloc((size_t)c.trials * c.novel * sizeof *nv);
    double *auc = malloc((size_t)c.npoints * 2 * sizeof *auc), *rec = malloc((size_t)c.npoints * sizeof *rec);
    int status = 1;
    FILE *out = NULL;
    if (!res || !f || !nv || !auc || !rec) {
        am_run_error(&run, "out of memory (%zu jobs of %zu bytes)", njobs, rs);
        goto done;
    }
    if (!(out = am_run_open(&run)))
        goto done;
    am_jobs jobs = {.count = njobs, .result_size = rs, .fn = cap_job, .ctx = &c, .cost = cap_cost};
    size_t failed;
    if ((rc = am_run_jobs(&run, &jobs, res, &failed))) {
        am_run_error(&run, "trial %zu failed: %s", failed, am_strerror(rc));
        goto done;
    }
    if (am_run_is_root(&run)) {
        fprintf(out, "# familiar: stored patterns with %zu bits flipped; novel: random; recall cues: %zu bits "
                     "flipped, recalled at overlap >= %g\n", c.flip_bits, c.noise_bits, c.recall_threshold);
        /* summary lines first (they are '#' lines), then the table */
        for (int ci = 0; ci < c.nconf; ci++) {
            for (int pi = 0; pi < c.npoints; pi++) {
                size_t nf, nn, recalled, fixed;
                for (int kind = 0; kind < 2; kind++) {
                    cap_pool(&c, res, ci, pi, kind, f, &nf, nv, &nn, &recalled, &fixed);
                    if (am_roc_auc(f, nf, nv, nn, &auc[pi * 2 + kind]))
                        auc[pi * 2 + kind] = NAN;
                }
                rec[pi] = (double)recalled / (double)nf;
            }
            cap_summary(out, &c, ci, crit, auc, rec);
        }
        fprintf(out, "model\trule\tN\tP\talpha\ttrials\tfamiliar\tnovel\tflip\tauc_energy\tdprime_energy\tacc_energy\t"
                     "thr_energy\tauc_overlap\tdprime_overlap\tacc_overlap\tthr_overlap\trecall_frac\tfixed_frac\n");
        for (int ci = 0; ci < c.nconf; ci++)
            for (int pi = 0; pi < c.npoints; pi++) {
                size_t nf = 0, nn = 0, recalled = 0, fixed = 0;
                fprintf(out, "%s\t%s\t%zu\t%zu\t%.6g\t%d\t%zu\t%zu\t%g", am_store_type_name(c.stores[ci].type),
                        c.labels[ci], c.n, c.ps[pi], (double)c.ps[pi] / c.n, c.trials,
                        c.ps[pi] < c.familiar ? c.ps[pi] : c.familiar, c.novel, (double)c.flip_bits / c.n);
                for (int kind = 0; kind < 2; kind++) {
                    cap_pool(&c, res, ci, pi, kind, f, &nf, nv, &nn, &recalled, &fixed);
                    roc_columns(out, f, nf, nv, nn);
                }
                fprintf(out, "\t%.6f\t%.6f\n", (double)recalled / (double)nf, (double)fixed / (double)nf);
            }
    }
    status = am_run_close(&run, out) ? 1 : 0;
    out = NULL;
done:
    if (out)
        am_run_abort(&run, out);
    free(res), free(f), free(nv), free(auc), free(rec);
    return status;
}

/* ---- images ---- */

static const char images_desc[] =
    "Seen images: the first M of a seeded permutation of the training images whose class is not held out\n"
    "(--held-out). Familiar cues: the first --cues seen images. Novel cues: --cues test\n"
    "images of the seen classes (\"unseen\"), and --cues test images of the held-out classes (\"held-out\"),\n"
    "each the first of a seeded permutation. Every cue gets the same Gaussian pixel noise (--noise, sd; 0:\n"
    "the images as they are). Scores (am/familiarity.h):\n"
    "  store-energy, store-overlap over a code: the seen images' codes are stored in a --model store; a cue's\n"
    "      score is -E/n of its code or the best overlap with a stored code. Codes (--codes): pixels (each\n"
    "      pixel above its median over the seen images: +1), latent (the sign code of the encoder's latent,\n"
    "      --bits units through a random projection, am/latent.h; fitted on the seen images)\n"
    "  recon: minus the mean squared reconstruction error per pixel of the encoder: a PCA of --pca-k\n"
    "      components fitted on the seen images, or --encoder FILE (autoencoder train; fitted elsewhere)\n"
    "\n"
    "Columns (one row per M, score and novel set):\n"
    "  M score code bits novel familiar novel_n   the setting (code and bits: '-' for recon)\n"
    "  auc dprime accuracy threshold   ROC of familiar (seen) vs that novel set: exact AUC, d', best accuracy\n"
    "                                  and its threshold\n"
    "  mean_familiar mean_novel        mean scores\n";

typedef struct img_cfg {
    am_store_config store;
    size_t ms[32];
    int nm;
    size_t cues, bits;
    int codes; /* bit 0 pixels, bit 1 latent */
    int held[16];
    int nheld;
} img_cfg;

static double mean_of(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    return s / (double)n;
}

static void img_row(FILE *out, size_t M, const char *score, const char *code, size_t bits, const char *set,
                    const double *f, size_t nf, const double *nv, size_t nn)
{
    if (bits)
        fprintf(out, "%zu\t%s\t%s\t%zu\t%s\t%zu\t%zu", M, score, code, bits, set, nf, nn);
    else
        fprintf(out, "%zu\t%s\t-\t-\t%s\t%zu\t%zu", M, score, set, nf, nn);
    roc_columns(out, f, nf, nv, nn);
    fprintf(out, "\t%.6g\t%.6g\n", mean_of(f, nf), mean_of(nv, nn));
}

/* Codes of rows x (count x dim) as +-1 patterns through code. */
static int to_patterns(const am_code *code, const float *x, size_t count, am_patterns **out)
{
    size_t b = am_code_bits(code);
    int8_t *c = malloc(count * b);
    int rc = c ? am_patterns_create(out, b, count) : AM_ENOMEM;
    if (!rc && !(rc = am_code_encode_int8(code, x, count, c)))
        for (size_t k = 0; k < count; k++)
            am_patterns_set(*out, k, c + k * b);
    free(c);
    return rc;
}

/* The three cue sets (seen, unseen, held-out) in one array: x (3 x cues x dim). Scores for one code into
 * sc (3 x cues per score kind). */
static int img_store_scores(const img_cfg *c, int threads, const am_code *code, const float *seen, size_t M,
                            const float *cues, double *sc)
{
    am_patterns *stored = NULL, *q = NULL;
    am_store *s = NULL;
    am_store_config cfg = c->store;
    cfg.n = am_code_bits(code);
    int rc = to_patterns(code, seen, M, &stored);
    if (!rc && !(rc = to_patterns(code, cues, 3 * c->cues, &q)) && !(rc = am_store_create(&s, &cfg)) &&
        !(rc = am_store_add(s, stored)))
        for (int kind = 0; kind < 2 && !rc; kind++)
            rc = am_familiarity_store(s, (am_fam_score)kind, q, sc + (size_t)kind * 3 * c->cues, threads);
    am_store_free(s);
    am_patterns_free(stored), am_patterns_free(q);
    return rc;
}

/* Indices of the items of ds whose class is (want_held) / is not (!want_held) held out, in a seeded order. */
static size_t img_pick(const img_cfg *c, const am_dataset *ds, int want_held, uint64_t seed, uint64_t stream,
                       uint32_t *idx)
{
    am_rng rng;
    size_t k = 0;
    for (size_t i = 0; i < ds->count; i++) {
        int held = 0;
        for (int h = 0; h < c->nheld; h++)
            held |= ds->labels[i] == c->held[h];
        if (held == want_held)
            idx[k++] = (uint32_t)i;
    }
    am_rng_init(&rng, seed, stream);
    am_rng_shuffle_u32(&rng, idx, k);
    return k;
}

static int img_parse(am_run *run, img_cfg *c, const char *ms, const char *codes, const char *held, int cues, int bits)
{
    uint64_t v[32];
    c->nm = am_parse_u64_list(ms, v, 32);
    for (int k = 0; k < c->nm; k++)
        if (v[k] < 2 || v[k] > 60000)
            c->nm = -1;
    if (c->nm <= 0) {
        am_run_error(run, "--M takes a list of numbers of seen images in 2..60000");
        return -1;
    }
    for (int k = 0; k < c->nm; k++)
        c->ms[k] = (size_t)v[k];
    char buf[64];
    const char *w[4];
    int nw = codes[0] ? am_parse_words(codes, buf, sizeof buf, w, 2) : 0;
    c->codes = 0;
    for (int k = 0; k < nw; k++)
        c->codes |= !strcmp(w[k], "pixels") ? 1 : !strcmp(w[k], "latent") ? 2 : (nw = -1, 0);
    if (nw < 0 || (codes[0] && nw == 0)) {
        am_run_error(run, "--codes takes pixels, latent or both (comma-separated), or '' for none");
        return -1;
    }
    c->nheld = am_parse_u64_list(held, v, 16);
    for (int k = 0; k < c->nheld; k++)
        if (v[k] > 9)
            c->nheld = -1;
    if (c->nheld <= 0) {
        am_run_error(run, "--held-out takes a list of classes 0..9 (at least one)");
        return -1;
    }
    for (int k = 0; k < c->nheld; k++)
        c->held[k] = (int)v[k];
    if (cues < 1 || cues > 10000 || bits < 1 || bits > 16384) {
        am_run_error(run, "need 1 <= --cues <= 10000 and 1 <= --bits <= 16384");
        return -1;
    }
    c->cues = (size_t)cues, c->bits = (size_t)bits;
    return 0;
}

/* Everything one M needs, computed and written as rows. */
typedef struct img_world {
    const img_cfg *c;
    am_run *run;
    const am_dataset *train;
    const char *encoder;
    int pca_k;
    const float *cues;    /* 3 x cues x dim: seen, unseen, held-out */
    const uint32_t *seen; /* seen images (train indices), M max */
} img_world;

static int img_one(const img_world *w, size_t M, FILE *out)
{
    const img_cfg *c = w->c;
    size_t dim = w->train->dim, nc = c->cues, rows = 3 * nc;
    float *xs = malloc(M * dim * sizeof *xs);
    double *sc = malloc(2 * rows * sizeof *sc), *rs = malloc(rows * sizeof *rs);
    am_encoder *enc = NULL;
    am_code *codes[2] = {NULL, NULL};
    float *z = NULL, *zc = NULL;
    int rc = xs && sc && rs ? AM_OK : AM_ENOMEM;
    for (size_t k = 0; !rc && k < M; k++)
        memcpy(xs + k * dim, w->train->x + (size_t)w->seen[k] * dim, dim * sizeof *xs);
    if (!rc && w->encoder)
        rc = am_encoder_load(&enc, w->encoder);
    else if (!rc) {
        am_pca *p = NULL;
        if (!(rc = am_pca_fit(&p, xs, M, dim, (size_t)w->pca_k)))
            rc = am_encoder_from_pca(&enc, p);
    }
    if (!rc)
        rc = am_familiarity_encoder(enc, w->cues, rows, rs);
    const char *set[2] = {"unseen", "held-out"};
    /* latent code: the encoder's latents of the seen images and of the cues */
    for (int b = 0; !rc && b < 2; b++) {
        if (!(c->codes & (1 << b)))
            continue;
        am_code_config cc;
        am_rng crng;
        am_code_config_default(&cc, AM_CODE_SIGN);
        am_rng_init(&crng, w->run->seed, 100 + (uint64_t)b);
        size_t zd = b ? am_encoder_code_dim(enc) : dim;
        cc.bits = b ? c->bits : 0;
        if (b) {
            z = malloc(M * zd * sizeof *z), zc = malloc(rows * zd * sizeof *zc);
            if (!z || !zc) {
                rc = AM_ENOMEM;
                break;
            }
            if ((rc = am_encoder_encode(enc, xs, M, z)) || (rc = am_encoder_encode(enc, w->cues, rows, zc)))
                break;
        }
        if ((rc = am_code_fit(&codes[b], &cc, b ? z : xs, M, zd, &crng)) ||
            (rc = img_store_scores(c, w->run->threads, codes[b], b ? z : xs, M, b ? zc : w->cues, sc)))
            break;
        for (int kind = 0; kind < 2; kind++)
            for (int s = 0; s < 2; s++)
                img_row(out, M, kind ? "store-overlap" : "store-energy", b ? "latent" : "pixels", am_code_bits(codes[b]),
                        set[s], sc + (size_t)kind * rows, nc, sc + (size_t)kind * rows + (size_t)(s + 1) * nc, nc);
    }
    for (int s = 0; !rc && s < 2; s++)
        img_row(out, M, "recon", NULL, 0, set[s], rs, nc, rs + (size_t)(s + 1) * nc, nc);
    if (rc)
        am_run_error(w->run, "M = %zu failed: %s", M, am_strerror(rc));
    am_code_free(codes[0]), am_code_free(codes[1]);
    am_encoder_free(enc);
    free(xs), free(sc), free(rs), free(z), free(zc);
    return rc;
}

static int cmd_images(int argc, char **argv)
{
    am_run run = {.program = "familiarity", .subcommand = "images",
                  .summary = "Seen vs unseen Fashion-MNIST images and held-out classes: store and reconstruction scores.",
                  .description = images_desc, .seed = 1, .no_threads = 0,
                  .examples = "familiarity images --M 500 --out fam-images.tsv\n"
                              "familiarity images --M 100,1000 --codes latent --bits 512 --model dense --out dense.tsv\n"
                              "familiarity images --encoder ae.model --codes latent --out ae.tsv"};
    const char *dir = NULL, *encoder = NULL, *ms = "500", *codes = "pixels,latent", *held = "8,9";
    int pca_k = 32, cues = 500, bits = 256;
    double noise = 0.0;
    am_opt opts[64] = {
        {"data", AM_OPT_STRING, &dir, "DIR", "Fashion-MNIST folder (default: Debian's)"},
        {"encoder", AM_OPT_STRING, &encoder, "FILE", "trained encoder (autoencoder train); default: a PCA fitted on the seen images"},
        {"pca-k", AM_OPT_INT, &pca_k, "K", "PCA components (without --encoder)", "pca"},
        {"M", AM_OPT_STRING, &ms, "LIST", "numbers of seen images"},
        {"cues", AM_OPT_INT, &cues, "C", "cues per set (seen, unseen, held-out)"},
        {"codes", AM_OPT_STRING, &codes, "LIST", "store codes: pixels, latent ('' for none)"},
        {"bits", AM_OPT_INT, &bits, "B", "units of the latent code", "latent"},
        {"held-out", AM_OPT_STRING, &held, "LIST", "classes never seen"},
        {"noise", AM_OPT_DOUBLE, &noise, "S", "sd of Gaussian pixel noise added to every cue (clipped to [0, 1])"},
        {NULL, 0, NULL, NULL, NULL},
    };
    static am_store_opts so;
    static img_cfg c;
    static const char *const defaults[] = {"beta", "16", NULL};
    int rc = am_store_opts_parse(&run, &so, "hopfield", 0, AM_STORE_SEQUENCE, 0, defaults,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */
    if (img_parse(&run, &c, ms, codes, held, cues, bits))
        return 2;
    if (!(noise >= 0 && noise <= 10)) {
        am_run_error(&run, "--noise must be in [0, 10]");
        return 2;
    }
    char active[64], what[160];
    snprintf(active, sizeof active, "%s%s", encoder ? "encoder" : "pca", c.codes & 2 ? ",latent" : "");
    snprintf(what, sizeof what, "this run (%s front-end; codes '%s')", encoder ? "--encoder" : "PCA", codes);
    if (am_run_check_scope(&run, opts, active, what))
        return 2;
    const am_store_type *type = am_store_opts_type(&run, &so, opts, active, what);
    if (!type || am_store_opts_configs(&run, &so, type, 1, &c.store, 1) != 1)
        return 2;
    int store_given = 0;
    for (int k = 0; opts[k].name; k++)
        store_given |= opts[k].given && (!strcmp(opts[k].name, "model") || (opts[k].scope && am_store_type_find(opts[k].scope)));
    for (int k = 0; k < so.nparams; k++)
        store_given |= so.value[k] != NULL;
    if (!c.codes && store_given) {
        am_run_error(&run, "--model applies to the store codes; --codes '' scores by reconstruction only");
        return 2;
    }
    am_dataset *train = am_run_load_data(&run, dir, NULL, NULL, "train");
    am_dataset *test = train ? am_run_load_data(&run, dir, NULL, NULL, "test") : NULL;
    if (!test) {
        am_dataset_free(train);
        return 1;
    }
    int status = 2;
    size_t dim = train->dim, mmax = 0, nc = c.cues;
    uint32_t *seen = malloc(train->count * sizeof *seen), *ti = malloc(test->count * sizeof *ti);
    float *cx = malloc(3 * nc * dim * sizeof *cx);
    FILE *out = NULL;
    if (!seen || !ti || !cx) {
        am_run_error(&run, "out of memory");
        goto done;
    }
    if (!train->labels || !test->labels || test->dim != dim) {
        am_run_error(&run, "the data needs labels and test images of the training images' size");
        goto done;
    }
    for (int k = 0; k < c.nm; k++)
        mmax = c.ms[k] > mmax ? c.ms[k] : mmax;
    if (encoder) {
        am_encoder *e = NULL;
        if ((rc = am_encoder_load(&e, encoder)) || am_encoder_input_dim(e) != dim) {
            am_run_error(&run, "encoder %s: %s", AM__QUOTE(encoder), rc ? am_strerror(rc) : "takes another input size");
            am_encoder_free(e);
            goto done;
        }
        am_encoder_free(e);
    } else if (pca_k < 1 || (size_t)pca_k >= mmax || (size_t)pca_k > dim) {
        am_run_error(&run, "--pca-k must be at least 1 and below the smallest useful M (largest M %zu)", mmax);
        goto done;
    }
    size_t nseen = img_pick(&c, train, 0, run.seed, 1, seen);
    if (mmax > nseen) {
        am_run_error(&run, "--M %zu: only %zu training images of seen classes", mmax, nseen);
        goto done;
    }
    for (int k = 0; k < c.nm; k++)
        if (c.ms[k] < nc || (!encoder && (size_t)pca_k >= c.ms[k])) {
            am_run_error(&run, "every --M must be at least --cues (%zu) and above --pca-k", nc);
            goto done;
        }
    for (int s = 0; s < 2; s++) {
        size_t got = img_pick(&c, test, s, run.seed, 2 + (uint64_t)s, ti);
        if (got < nc) {
            am_run_error(&run, "only %zu test images %s held-out classes (--cues %zu)", got, s ? "of" : "outside", nc);
            goto done;
        }
        for (size_t k = 0; k < nc; k++)
            memcpy(cx + ((size_t)(s + 1) * nc + k) * dim, test->x + (size_t)ti[k] * dim, dim * sizeof *cx);
    }
    for (size_t k = 0; k < nc; k++)
        memcpy(cx + k * dim, train->x + (size_t)seen[k] * dim, dim * sizeof *cx);
    if (noise > 0) {
        am_rng rng;
        am_rng_init(&rng, run.seed, 4);
        for (size_t i = 0; i < 3 * nc * dim; i++) {
            double v = cx[i] + noise * am_rng_normal(&rng);
            cx[i] = (float)(v < 0 ? 0 : v > 1 ? 1 : v);
        }
    }
    if (!(out = am_run_open(&run))) {
        status = 1;
        goto done;
    }
    char desc[200];
    am_store_config_describe(&c.store, desc, sizeof desc);
    fprintf(out, "# store: %s; held-out classes: %s; cues per set: %zu; cue pixel noise sd %g\n", desc, held, nc, noise);
    if (encoder)
        fprintf(out, "# encoder: %s (fitted elsewhere)\n", encoder);
    else
        fprintf(out, "# encoder: pca k=%d fitted on the M seen images\n", pca_k);
    img_world w = {&c, &run, train, encoder, pca_k, cx, seen};
    fprintf(out, "M\tscore\tcode\tbits\tnovel\tfamiliar\tnovel_n\tauc\tdprime\taccuracy\tthreshold\tmean_familiar\t"
                 "mean_novel\n");
    for (int k = 0; k < c.nm; k++)
        if (img_one(&w, c.ms[k], out)) {
            status = 1;
            goto done;
        }
    status = am_run_close(&run, out) ? 1 : 0;
    out = NULL;
done:
    if (out)
        am_run_abort(&run, out);
    free(seen), free(ti), free(cx);
    am_dataset_free(train);
    am_dataset_free(test);
    return status;
}

int main(int argc, char **argv)
{
    static const am_subcommand cmds[] = {{"capacity", cmd_capacity}, {"images", cmd_images}, {NULL, NULL}};
    return am_run_subcommands(argc, argv, "familiarity", usage_text, cmds, NULL);
}
