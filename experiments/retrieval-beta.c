/* bin/retrieval-beta — modern Hopfield retrieval versus inverse temperature beta and number of patterns M:
 * one-step and converged error, the type of fixed point reached, steps, and the Theorem 5 bound of
 * Ramsauer et al. (2020) beside the measured one-step error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"

#define MAX_POINTS 256

static const char description[] =
    "Each trial stores M random +-1 patterns of dimension d scaled to unit norm (|x| = 1, so the Theorem 5\n"
    "constant max|x| is 1), cues patterns 0..c-1 with round(noise*d) components flipped (cue distance\n"
    "r0 = 2 sqrt(flips/d)), and runs the update xi <- X^T softmax(beta X xi) once and to convergence\n"
    "(|dxi| < 1e-6, at most --max-steps). The stream of trial t depends only on --seed, d, M and t, so\n"
    "every beta sees the same patterns and cues. With --clusters k the patterns come in k contiguous\n"
    "blocks, each the children of one random parent (units flipped w.p. --cluster-flip): similar patterns,\n"
    "which is where metastable states appear.\n"
    "\n"
    "Columns (one row per M and beta):\n"
    "  d M beta trials cues noise   the configuration\n"
    "  err1_mean            mean |f(xi) - x_i| after one update from the cue\n"
    "  err_mean             mean |xi* - x_i| at convergence\n"
    "  bound_median         median over cues of the Theorem 5 bound 2 (M-1) exp(-beta (D_i - 2 r)) with D_i\n"
    "                       the separation of x_i and r = max(r0, |xi* - x_i|)\n"
    "  bound_holds          fraction of cues with err1 <= bound\n"
    "  bound_valid          fraction of cues inside the theorem's reach, D_i - 2 r > 0 (elsewhere the bound\n"
    "                       exceeds 2 (M-1) and says nothing)\n"
    "  recall_frac          fraction of cues whose fixed point is nearest to x_i\n"
    "  single_frac metastable_frac global_frac   fixed-point types (softmax mass --mass carried by one\n"
    "                       pattern / by fewer than M/2 / by at least M/2 patterns)\n"
    "  carriers_mean        mean number of patterns carrying that mass\n"
    "  steps_mean           mean updates to convergence\n"
    "  separation_mean      mean separation D_i of the cued patterns\n";

typedef struct cfg {
    size_t d, ms[MAX_POINTS];
    int nm;
    double betas[MAX_POINTS];
    int nb, trials;
    size_t cues;
    double noise, mass, cflip;
    size_t clusters;
    unsigned max_steps;
    uint64_t seed;
} cfg;

/* One trial's result; its Theorem 5 bounds (one per cue) follow it in the same record. */
typedef struct res {
    double err1, err, steps, carriers, sep;
    uint64_t holds, valid, recalled, types[3], cues;
} res;

typedef struct job {
    const cfg *c;
    size_t size; /* bytes of a record: res + cues doubles */
} job;

static double *bounds_of(res *r)
{
    return (double *)(r + 1);
}

static double dist(const float *a, const float *b, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++)
        s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return sqrt(s);
}

/* The relative work of a task: recalls of the cues against M patterns, and the M x M separations. */
static double task_cost(size_t index, void *ctx)
{
    const job *j = ctx;
    const cfg *c = j->c;
    size_t mi = index / ((size_t)c->trials * (size_t)c->nb), M = c->ms[mi], nc = c->cues < M ? c->cues : M;
    return (double)M * (double)c->d * ((double)nc * (c->max_steps < 8 ? c->max_steps : 8) + (double)M);
}

static int run_task(size_t index, int thread, void *result, void *ctx)
{
    job *j = ctx;
    const cfg *c = j->c;
    size_t t = index % (size_t)c->trials, bi = (index / (size_t)c->trials) % (size_t)c->nb;
    size_t mi = index / ((size_t)c->trials * (size_t)c->nb);
    size_t d = c->d, M = c->ms[mi], nc = c->cues < M ? c->cues : M;
    double beta = c->betas[bi];
    res *r = result;
    double *bounds = bounds_of(r);
    am_rng rng;
    am_patterns *pats = NULL;
    am_modern *m = NULL;
    float *x = malloc(M * d * sizeof *x), *q1 = malloc(nc * d * sizeof *q1), *qs = malloc(nc * d * sizeof *qs);
    double *sep = malloc(M * sizeof *sep);
    int8_t *s = malloc(d);
    am_modern_info *info = malloc(nc * sizeof *info);
    am_modern_opts one = {.max_steps = 1, .eps = 0.0}, conv = {.max_steps = c->max_steps, .eps = 1e-6};
    float scale = (float)(1.0 / sqrt((double)d));
    int rc;
    (void)thread;
    r->cues = nc;
    if (!x || !q1 || !qs || !sep || !s || !info) {
        rc = AM_ENOMEM;
        goto done;
    }
    am_rng_init(&rng, c->seed, am_rng_stream2(am_rng_stream2(d, M), t));
    if ((rc = am_patterns_create(&pats, d, M)))
        goto done;
    if (c->clusters) {
        /* Contiguous blocks of patterns, each the children of one random parent. */
        size_t per = (M + c->clusters - 1) / c->clusters;
        for (size_t k0 = 0; k0 < M; k0 += per) {
            am_patterns view = *pats;
            view.bits = pats->bits + k0 * pats->words;
            view.count = M - k0 < per ? M - k0 : per;
            if ((rc = am_patterns_correlated(&view, c->cflip, NULL, &rng)))
                goto done;
        }
    } else {
        am_patterns_random(pats, &rng);
    }
    am_patterns_to_float(pats, x);
    for (size_t k = 0; k < M * d; k++)
        x[k] *= scale;
    if ((rc = am_modern_create(&m, d, beta)) || (rc = am_modern_store(m, x, M)) || (rc = am_modern_separation(m, sep)))
        goto done;
    for (size_t mu = 0; mu < nc; mu++) {
        am_patterns_get(pats, mu, s);
        am_state_flip_frac(s, d, c->noise, &rng);
        for (size_t i = 0; i < d; i++)
            q1[mu * d + i] = scale * s[i];
    }
    memcpy(qs, q1, nc * d * sizeof *qs);
    double r0 = 2.0 * sqrt(floor(c->noise * (double)d + 0.5) / (double)d);
    if ((rc = am_modern_recall(m, q1, nc, &one, NULL, NULL)) || (rc = am_modern_recall(m, qs, nc, &conv, NULL, info)))
        goto done;
    for (size_t mu = 0; mu < nc; mu++) {
        am_fixpoint fp;
        double e1 = dist(q1 + mu * d, x + mu * d, d), e = dist(qs + mu * d, x + mu * d, d);
        double rr = r0 > e ? r0 : e;
        double b = am_modern_theorem5_bound(beta, M, 1.0, sep[mu], rr);
        if ((rc = am_modern_classify(m, qs + mu * d, c->mass, &fp)))
            goto done;
        r->err1 += e1;
        r->err += e;
        bounds[mu] = b;
        r->holds += e1 <= b;
        r->valid += sep[mu] - 2.0 * rr > 0.0;
        r->recalled += fp.top == mu;
        r->types[fp.type]++;
        r->carriers += (double)fp.carriers;
        r->steps += info[mu].steps;
        r->sep += sep[mu];
    }
done:
    am_modern_free(m);
    am_patterns_free(pats);
    free(x), free(q1), free(qs), free(sep), free(s), free(info);
    return rc;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *m_s = "100,1000,10000", *b_s = "0.25,0.5,1,2,4,6,8,10,12,16,24,32,64,128";
    int d = 256, trials = 5, max_steps = 100;
    uint64_t cues = 20;
    double noise = 0.02, mass = 0.9, cflip = 0.1;
    uint64_t clusters = 0;
    am_run run = {.examples = "retrieval-beta --d 256 --M 100,1000,10000 --trials 5 --cues 20 --noise 0.02 --out beta.tsv\nretrieval-beta --d 256 --M 1000 --clusters 10 --cluster-flip 0.1 --out clusters.tsv",
                  .program = "retrieval-beta",
                  .summary = "Modern Hopfield retrieval versus beta and M, beside the Theorem 5 bound.",
                  .description = description,
                  .seed = 1};
    am_opt opts[] = {
        {"d", AM_OPT_INT, &d, "d", "pattern dimension"},
        {"M", AM_OPT_STRING, &m_s, "m1,m2,...", "numbers of stored patterns"},
        {"beta", AM_OPT_STRING, &b_s, "b1,b2,...", "inverse temperatures"},
        {"trials", AM_OPT_INT, &trials, "k", "trials per (M, beta)"},
        {"cues", AM_OPT_U64, &cues, "c", "cues per trial (patterns 0..c-1)"},
        {"noise", AM_OPT_DOUBLE, &noise, "f", "fraction of cue components flipped"},
        {"mass", AM_OPT_DOUBLE, &mass, "p", "softmax mass that defines the carriers of a fixed point"},
        {"max-steps", AM_OPT_INT, &max_steps, "s", "update limit per recall"},
        {"clusters", AM_OPT_U64, &clusters, "k", "0: independent patterns; k: k clusters of correlated patterns"},
        {"cluster-flip", AM_OPT_DOUBLE, &cflip, "q", "each unit differs from the cluster's parent w.p. q", "--clusters"},
        {NULL, 0, NULL, NULL, NULL},
    };
    static cfg c;
    run.resumable = 1;
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (am_run_check_scope(&run, opts, clusters ? "--clusters" : "", "independent patterns (--clusters 0)"))
        return 2;
    uint64_t mv[MAX_POINTS];
    c.nm = am_parse_u64_list(m_s, mv, MAX_POINTS);
    c.nb = am_parse_double_list(b_s, 0.0, AM_MODERN_MAX_BETA, c.betas, MAX_POINTS);
    for (int k = 0; k < c.nb; k++)
        if (!(c.betas[k] > 0))
            c.nb = -1;
    if (c.nm < 0 || c.nb < 0) {
        am_run_error(&run, "--M wants pattern counts and --beta numbers in (0, %g], separated by commas",
                     AM_MODERN_MAX_BETA);
        return 2;
    }
    for (int k = 0; k < c.nm; k++) {
        if (mv[k] < 2 || mv[k] > 1000000) {
            am_run_error(&run, "--M values must be between 2 and 1000000");
            return 2;
        }
        c.ms[k] = (size_t)mv[k];
    }
    if (d < 1 || d > 100000 || trials < 1 || cues < 1 || max_steps < 1 || !(noise >= 0 && noise <= 1) ||
        !(mass > 0 && mass < 1) || !(cflip >= 0 && cflip <= 1)) {
        am_run_error(&run, "need 1 <= d <= 100000, trials, cues, max-steps >= 1, noise in [0, 1], mass in (0, 1)");
        return 2;
    }
    c.d = (size_t)d;
    c.trials = trials;
    c.cues = (size_t)cues;
    c.noise = noise;
    c.mass = mass;
    c.clusters = (size_t)clusters;
    c.cflip = cflip;
    c.max_steps = (unsigned)max_steps;
    c.seed = run.seed;
    size_t ntasks = (size_t)c.nm * c.nb * trials;
    if (c.cues > 100000) {
        am_run_error(&run, "--cues must be at most 100000");
        return 2;
    }
    job j = {.c = &c, .size = sizeof(res) + c.cues * sizeof(double)};
    unsigned char *results = calloc(ntasks, j.size);
    if (!results) {
        am_run_error(&run, "%s", am_strerror(AM_ENOMEM));
        return 1;
    }
    FILE *out = am_run_open(&run);
    if (!out) {
        free(results);
        return 1;
    }
    am_jobs jobs = {.count = ntasks, .result_size = j.size, .fn = run_task, .ctx = &j, .cost = task_cost};
    size_t failed;
    rc = am_run_jobs(&run, &jobs, results, &failed);
    if (rc) {
        am_run_error(&run, "trial %zu failed: %s", failed, am_strerror(rc));
        am_run_abort(&run, out);
        free(results);
        return 1;
    }
    if (!am_run_is_root(&run)) {
        free(results);
        return am_run_close(&run, out) ? 1 : 0;
    }
    fprintf(out, "d\tM\tbeta\ttrials\tcues\tnoise\terr1_mean\terr_mean\tbound_median\tbound_holds\tbound_valid\trecall_frac\t"
                 "single_frac\tmetastable_frac\tglobal_frac\tcarriers_mean\tsteps_mean\tseparation_mean\n");
    for (int mi = 0; mi < c.nm; mi++)
        for (int bi = 0; bi < c.nb; bi++) {
            res tot = {0};
            size_t nc = c.cues < c.ms[mi] ? c.cues : c.ms[mi], k = 0;
            double *all = malloc(nc * (size_t)trials * sizeof *all);
            for (int t = 0; t < trials; t++) {
                res *r = (res *)(results + (((size_t)mi * c.nb + bi) * trials + t) * j.size);
                tot.err1 += r->err1, tot.err += r->err, tot.steps += r->steps, tot.carriers += r->carriers;
                tot.sep += r->sep, tot.holds += r->holds, tot.valid += r->valid, tot.recalled += r->recalled, tot.cues += r->cues;
                for (int e = 0; e < 3; e++)
                    tot.types[e] += r->types[e];
                for (size_t q = 0; q < r->cues; q++)
                    all[k++] = bounds_of(r)[q];
            }
            qsort(all, k, sizeof *all, cmpd);
            double n = (double)tot.cues, med = k % 2 ? all[k / 2] : 0.5 * (all[k / 2 - 1] + all[k / 2]);
            fprintf(out, "%zu\t%zu\t%g\t%d\t%zu\t%g\t%.6g\t%.6g\t%.6g\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.3f\t%.3f\t%.5f\n",
                    c.d, c.ms[mi], c.betas[bi], trials, nc, noise, tot.err1 / n, tot.err / n, med, tot.holds / n, tot.valid / n,
                    tot.recalled / n, tot.types[AM_FP_SINGLE] / n, tot.types[AM_FP_METASTABLE] / n,
                    tot.types[AM_FP_GLOBAL] / n, tot.carriers / n, tot.steps / n, tot.sep / n);
            free(all);
        }
    free(results);
    return am_run_close(&run, out) ? 1 : 0;
}
