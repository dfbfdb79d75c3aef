/* xor-motif — the excitatory/inhibitory XOR switch of Marco de Lucas, Lloret Iglesias and Peña Fernández (2024)
 * as a spiking circuit (am/spiking.h): its truth table, robustness to background noise, a sweep of the
 * inhibitory hub's time constant and a graded reference. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"

static const char usage_text[] =
    "Usage: xor-motif COMMAND [options]   (xor-motif COMMAND --help for each)\n"
    "  truth    spike counts of every role for each input pair (signal, reference) in {0,1}^2\n"
    "  robust   the share of fully correct truth tables under Poisson background on the inputs, over seeds\n"
    "  tau      the truth table against the inhibitory hub's membrane time constant\n"
    "  graded   the XOR output against a graded reference, with the signal on or off\n"
    "Examples:\n"
    "  xor-motif truth --raster raster.tsv --out truth.tsv\n"
    "  xor-motif robust --values 0,10,20,40 --seeds 200 --out robust.tsv\n";

/* The circuit and its parameters: am/xormotif.h. */
enum { IN1 = AM_XOR_IN1, LAT2 = AM_XOR_LAT2, IN3 = AM_XOR_IN3, LAT4 = AM_XOR_LAT4, XOR5 = AM_XOR_OUT5, HUB6 = AM_XOR_HUB6,
       FPLUS = AM_XOR_FPLUS, FMINUS = AM_XOR_FMINUS, NROLE = AM_XOR_ROLES };

typedef am_xor_params circuit;

typedef struct {
    FILE *f;
    double s1, s3;
} raster;

static void on_spikes(uint64_t step, double t, const uint32_t *ids, size_t count, void *ctx)
{
    (void)step;
    raster *r = ctx;
    for (size_t k = 0; k < count; k++)
        fprintf(r->f, "%g\t%g\t%.1f\t%u\n", r->s1, r->s3, t, ids[k]);
}

/* Spike counts of the eight roles in one trial with inputs s1, s3; every spike to rf when not NULL. */
static int trial(const circuit *c, double s1, double s3, uint64_t seed, uint64_t counts[NROLE], FILE *rf)
{
    raster r = {rf, s1, s3};
    am_snn_monitor mon = {.on_spikes = on_spikes, .ctx = &r};
    return am_xor_trial(c, s1, s3, seed, counts, rf ? &mon : NULL);
}

/* The table is right when XOR5 is active exactly for the pairs (0,1) and (1,0); the signed table when, in
 * addition, F+ is active exactly for (1,0) (signal without reference) and F- exactly for (0,1). */
static int table(const circuit *c, uint64_t seed, uint64_t counts[4][NROLE], int *correct, int *signed_ok, FILE *rf)
{
    int ok = 1, sok = 1, rc = AM_OK;
    uint64_t a = (uint64_t)c->active;
    for (int k = 0; k < 4 && !rc; k++) {
        int s1 = k >> 1, s3 = k & 1;
        rc = trial(c, s1, s3, seed, counts[k], rf);
        ok &= (counts[k][XOR5] >= a) == (s1 != s3);
        sok &= (counts[k][FPLUS] >= a) == (s1 && !s3) && (counts[k][FMINUS] >= a) == (!s1 && s3);
    }
    *correct = ok;
    *signed_ok = ok && sok;
    return rc;
}

#define CIRCUIT_OPTS(c)                                                                                            \
    {"tau-in", AM_OPT_DOUBLE, &(c).tau_in, "MS", "tau_m of the inputs"},                                           \
        {"tau-lat", AM_OPT_DOUBLE, &(c).tau_lat, "MS", "tau_m of the laterals and the XOR output"},                \
        {"tau-hub", AM_OPT_DOUBLE, &(c).tau_hub, "MS", "tau_m of the inhibitory hub"},                             \
        {"tau-syn", AM_OPT_DOUBLE, &(c).tau_syn, "MS", "synaptic time constant"},                                  \
        {"drive", AM_OPT_DOUBLE, &(c).drive, "MV", "input drive per unit of input"},                               \
        {"trial", AM_OPT_DOUBLE, &(c).trial, "MS", "trial length"},                                                \
        {"dt", AM_OPT_DOUBLE, &(c).dt, "MS", "time step"},                                                         \
        {"active", AM_OPT_INT, &(c).active, "K", "spikes for a role to count as active"},                          \
        {"w-f", AM_OPT_DOUBLE, &(c).w_f, "W", "weight of every edge into F+ and F-"}

static int circuit_ok(const am_run *run, const circuit *c)
{
    if (am_xor_params_check(c)) {
        am_run_error(run, "out of range: time constants, --dt (0, 1], --trial (0, 1e6] must be positive, --active >= 1, "
                          "--bg-rate >= 0");
        return -1;
    }
    return 0;
}

static void put_counts(FILE *f, const uint64_t *k)
{
    for (int r = 0; r < NROLE; r++)
        fprintf(f, "\t%llu", (unsigned long long)k[r]);
}

static double signed_error(const circuit *c, const uint64_t *k) { return am_xor_signed_error(c, k); }

typedef struct {
    const circuit *c;
    uint64_t seed;
    uint64_t (*k)[4][NROLE];
    int *correct, *signed_ok;
} seeds_ctx;

static int seed_job(size_t s, int thread, void *vctx)
{
    (void)thread;
    seeds_ctx *x = vctx;
    return table(x->c, am_rng_stream2(x->seed, s), x->k[s], &x->correct[s], &x->signed_ok[s], NULL);
}

static int cmd(int argc, char **argv, const char *which)
{
    static const char truth_desc[] =
        "Columns: signal reference, the spike counts of in1 lat2 in3 lat4 xor5 hub6 fplus fminus in one trial,\n"
        "xor_active (xor5 reached --active spikes), expected (signal XOR reference), and error_hz = rate(F+) -\n"
        "rate(F-), the signed error: > 0 for a signal without reference (potentiate), < 0 for a reference\n"
        "without signal (depress), 0 when they agree. '#' lines say whether the XOR and signed tables are right.\n"
        "--raster FILE: every spike of the four trials (columns signal reference t_ms role, roles 0-7 in the\n"
        "order above).\n";
    static const char robust_desc[] =
        "Poisson background at --bg-rate on both inputs (each event adding --bg-weight to their synaptic current);\n"
        "the truth table repeated over --seeds seeds. Columns: bg_rate_hz seeds correct_share (XOR table right)\n"
        "signed_share (F+ and F- right too), then the mean xor5 count for each input pair.\n";
    static const char tau_desc[] =
        "The truth table for each hub time constant of --values. Columns: tau_hub_ms correct signed_correct\n"
        "xor5_00 xor5_01 xor5_10 xor5_11 hub6_11 lat2_11.\n";
    static const char graded_desc[] =
        "The reference graded from 0 to 1 (--values), the signal off (0) or on (1). Columns as for truth:\n"
        "signal reference, the counts of in1 lat2 in3 lat4 xor5 hub6 fplus fminus, and error_hz.\n";
    static const char *const examples[][2] = {
        {"truth", "xor-motif truth --out truth.tsv\nxor-motif truth --readout inputs --raster raster.tsv --out truth.tsv"},
        {"robust", "xor-motif robust --values 0,10,20,40 --seeds 200 --out robust.tsv\n"
                   "xor-motif robust --bg-weight 84 --values 20 --seeds 200 --out strong.tsv"},
        {"tau", "xor-motif tau --values 1:20:1 --out tau.tsv"},
        {"graded", "xor-motif graded --values 0:1:0.05 --out graded.tsv"},
    };
    const char *ex = am_run_lookup(examples, sizeof examples / sizeof *examples, which);
    am_run run = {.program = "xor-motif", .subcommand = which, .seed = 1, .examples = ex};
    /* without background nothing is random, and only robust runs trials on threads */
    run.no_seed = strcmp(which, "robust") != 0;
    run.no_threads = strcmp(which, "robust") != 0;
    circuit c;
    am_xor_params_default(&c);
    uint64_t seeds = 50;
    const char *values = !strcmp(which, "tau") ? "1:20:1" : !strcmp(which, "graded") ? "0:1:0.05" : !strcmp(which, "robust") ? "0,5,10,20,40" : NULL;
    const char *readout = "laterals", *raster_path = NULL;
    if (!strcmp(which, "robust"))
        c.bg_rate = 20;
    am_opt opts[] = {
        CIRCUIT_OPTS(c),
        {"readout", AM_OPT_STRING, &readout, "laterals|inputs", "second input of F+/F-: 2 and 4, or 1 and 3"},
        {"raster", AM_OPT_OUTPUT, &raster_path, "FILE", "every spike of the four trials", "truth", 0},
        {"bg-rate", AM_OPT_DOUBLE, &c.bg_rate, "HZ", "Poisson background on the inputs", "robust", 0},
        {"bg-weight", AM_OPT_DOUBLE, &c.bg_weight, "W", "weight of each background event", "robust", 0},
        {"seeds", AM_OPT_U64, &seeds, "N", "seeds per point", "robust", 0},
        {"values", AM_OPT_STRING, &values, "LIST|a:b:step", "hub time constants / references / background rates", "tau,graded,robust", 0},
        {NULL, 0, NULL, NULL, NULL},
    };
    run.summary = !strcmp(which, "truth")    ? "The XOR switch's truth table: spike counts of every role and the signed error."
                  : !strcmp(which, "robust") ? "Correct truth tables under Poisson background noise."
                  : !strcmp(which, "tau")    ? "The truth table against the hub's membrane time constant."
                                             : "The XOR output and the signed error against a graded reference.";
    run.description = !strcmp(which, "truth") ? truth_desc : !strcmp(which, "robust") ? robust_desc : !strcmp(which, "tau") ? tau_desc : graded_desc;
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (am_run_check_scope(&run, opts, which, which) || circuit_ok(&run, &c))
        return 2;
    if (!strcmp(readout, "inputs"))
        c.readout_inputs = 1;
    else if (strcmp(readout, "laterals")) {
        am_run_error(&run, "--readout: %s is not laterals or inputs", AM__QUOTE(readout));
        return 2;
    }
    double vals[1024];
    int nv = 0;
    if (values) {
        nv = strchr(values, ':') ? am_parse_range(values, vals, 1024) : am_parse_double_list(values, 0, 1e6, vals, 1024);
        if (nv <= 0) {
            am_run_error(&run, "--values: a list or a0:a1:step of numbers >= 0");
            return 2;
        }
    }
    if (seeds < 1 || seeds > 100000) {
        am_run_error(&run, "--seeds must be in 1 .. 100000");
        return 2;
    }
    FILE *out = am_run_open(&run);
    if (!out)
        return 1;
    uint64_t k[4][NROLE];
    int correct, sok;
    am_run_file rh = {0};
    FILE *rf = NULL;
    uint64_t(*ks)[4][NROLE] = NULL;
    int *cs = NULL, *ss = NULL;
    fprintf(out, "# readouts: F+ <- xor5, %s; F- <- xor5, %s\n", c.readout_inputs ? "in1" : "lat2", c.readout_inputs ? "in3" : "lat4");
    if (!strcmp(which, "truth")) {
        if (raster_path) {
            if (!(rf = am_run_file_open(&run, raster_path, 1, &rh))) {
                am_run_abort(&run, out);
                return 1;
            }
            fprintf(rf, "signal\treference\tt_ms\trole\n");
        }
        fprintf(out, "signal\treference\tin1\tlat2\tin3\tlat4\txor5\thub6\tfplus\tfminus\txor_active\texpected\terror_hz\n");
        if ((rc = table(&c, run.seed, k, &correct, &sok, rf)))
            goto fail;
        for (int p = 0; p < 4; p++) {
            fprintf(out, "%d\t%d", p >> 1, p & 1);
            put_counts(out, k[p]);
            fprintf(out, "\t%d\t%d\t%g\n", k[p][XOR5] >= (uint64_t)c.active, (p >> 1) != (p & 1), signed_error(&c, k[p]));
        }
        fprintf(out, "# truth table %s\n", correct ? "correct: xor5 active exactly when the inputs differ" : "WRONG");
        fprintf(out, "# signed table %s\n", sok ? "correct: F+ only for (1,0), F- only for (0,1)" : "WRONG");
        if (rf && am_run_file_close(&run, &rh, raster_path)) {
            rf = NULL;
            am_run_abort(&run, out);
            return 1;
        }
        rf = NULL;
    } else if (!strcmp(which, "robust")) {
        fprintf(out, "# background: %g per event on in1 and in3\n", c.bg_weight);
        fprintf(out, "bg_rate_hz\tseeds\tcorrect_share\tsigned_share\txor5_00\txor5_01\txor5_10\txor5_11\n");
        ks = calloc(seeds, sizeof *ks);
        cs = calloc(seeds, sizeof *cs);
        ss = calloc(seeds, sizeof *ss);
        if (!ks || !cs || !ss) {
            rc = AM_ENOMEM;
            goto fail;
        }
        for (int v = 0; v < nv; v++) {
            c.bg_rate = vals[v];
            seeds_ctx x = {&c, run.seed, ks, cs, ss};
            if ((rc = am_run_parallel(&run, seeds, seed_job, &x)))
                goto fail;
            size_t good = 0, sgood = 0;
            double mean[4] = {0};
            for (uint64_t s = 0; s < seeds; s++) {
                good += cs[s];
                sgood += ss[s];
                for (int p = 0; p < 4; p++)
                    mean[p] += (double)ks[s][p][XOR5] / (double)seeds;
            }
            fprintf(out, "%g\t%llu\t%.4f\t%.4f\t%.3f\t%.3f\t%.3f\t%.3f\n", vals[v], (unsigned long long)seeds, (double)good / (double)seeds,
                    (double)sgood / (double)seeds, mean[0], mean[1], mean[2], mean[3]);
        }
    } else if (!strcmp(which, "tau")) {
        fprintf(out, "tau_hub_ms\tcorrect\tsigned_correct\txor5_00\txor5_01\txor5_10\txor5_11\thub6_11\tlat2_11\n");
        for (int v = 0; v < nv; v++) {
            if (!(vals[v] > 0))
                continue;
            c.tau_hub = vals[v];
            if ((rc = table(&c, run.seed, k, &correct, &sok, NULL)))
                goto fail;
            fprintf(out, "%g\t%d\t%d\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\n", vals[v], correct, sok, (unsigned long long)k[0][XOR5],
                    (unsigned long long)k[1][XOR5], (unsigned long long)k[2][XOR5], (unsigned long long)k[3][XOR5],
                    (unsigned long long)k[3][HUB6], (unsigned long long)k[3][LAT2]);
        }
    } else {
        fprintf(out, "signal\treference\tin1\tlat2\tin3\tlat4\txor5\thub6\tfplus\tfminus\terror_hz\n");
        for (int s1 = 0; s1 <= 1; s1++)
            for (int v = 0; v < nv; v++) {
                uint64_t one[NROLE];
                if ((rc = trial(&c, s1, vals[v], run.seed, one, NULL)))
                    goto fail;
                fprintf(out, "%d\t%g", s1, vals[v]);
                put_counts(out, one);
                fprintf(out, "\t%g\n", signed_error(&c, one));
            }
    }
    free(ks);
    free(cs);
    free(ss);
    return am_run_close(&run, out) ? 1 : 0;
fail:
    am_run_error(&run, "simulation failed: %s", am_strerror(rc));
    if (rf)
        am_run_file_abort(&rh);
    free(ks);
    free(cs);
    free(ss);
    am_run_abort(&run, out);
    return 1;
}

static int cmd_any(int argc, char **argv) { return cmd(argc, argv, argv[1]); }

int main(int argc, char **argv)
{
    static const am_subcommand cmds[] = {
        {"truth", cmd_any}, {"robust", cmd_any}, {"tau", cmd_any}, {"graded", cmd_any}, {NULL, NULL}};
    return am_run_subcommands(argc, argv, "xor-motif", usage_text, cmds, NULL);
}
