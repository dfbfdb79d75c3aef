/* xor-motif — the excitatory/inhibitory XOR switch of Marco de Lucas, Lloret Iglesias and Peña Fernández (2024)
 * as a spiking circuit (am/spiking.h): its truth table, robustness to background noise, a sweep of the
 * inhibitory hub's time constant and a graded reference. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"

static const char usage_text[] =
    "Usage: xor-motif COMMAND [options]   (xor-motif COMMAND --help for each)\n"
    "  truth    spike counts of every role for each input pair (signal, reference) in {0,1}^2\n"
    "  robust   the share of fully correct truth tables under Poisson background on the inputs, over seeds\n"
    "  tau      the truth table against the inhibitory hub's membrane time constant\n"
    "  graded   the XOR output against a graded reference, with the signal on or off\n";

/* The circuit: inputs 1 (signal) and 3 (reference), laterals 2 and 4, inhibitory hub 6, XOR output 5.
 * Excitatory 1->2, 1->6, 3->4, 3->6, 2->5, 4->5; inhibitory 6->2, 6->4. Current-based LIF:
 * dv/dt = (E_L - v + I + I_drive)/tau_m, dI/dt = -I/tau_syn, a spike adding its weight to I. */
enum { IN1, LAT2, IN3, LAT4, XOR5, HUB6, NROLE };

typedef struct {
    double tau_in, tau_lat, tau_hub, tau_syn, t_ref_e, t_ref_i, drive, trial, dt;
    double w_in_lat, w_in_hub, w_hub_lat, w_lat_xor, delay, delay_hub;
    double bg_rate, bg_weight;
    int active; /* spikes for a role to count as active */
} circuit;

static void circuit_default(circuit *c)
{
    *c = (circuit){12, 15, 6, 8, 3, 1, 25, 100, 0.1, 84, 28, -84, 84, 1.0, 0.5, 0, 84, 2};
}

/* Spike counts of the six roles in one trial with inputs s1, s3 (drive x s). */
static int trial(const circuit *c, double s1, double s3, uint64_t seed, uint64_t counts[NROLE])
{
    am_snn *n = NULL;
    int rc = am_snn_create(&n, c->dt, AM_INT_EULER, seed);
    size_t id[NROLE];
    const double taum[NROLE] = {c->tau_in, c->tau_lat, c->tau_in, c->tau_lat, c->tau_lat, c->tau_hub};
    for (int r = 0; r < NROLE && !rc; r++) {
        am_lif_params p;
        am_lif_params_default(&p);
        p.syn = AM_SYN_CURRENT;
        p.v_rest = -70;
        p.v_reset = -65;
        p.v_thresh = -50;
        p.v0_mean = -70;
        p.tau_m = taum[r];
        p.tau_e = p.tau_i = c->tau_syn;
        p.t_ref = r == HUB6 ? c->t_ref_i : c->t_ref_e;
        p.drive = r == IN1 ? c->drive * s1 : r == IN3 ? c->drive * s3 : 0.0;
        if ((r == IN1 || r == IN3) && c->bg_rate > 0) {
            p.ext_rate = c->bg_rate;
            p.ext_weight = c->bg_weight;
        }
        rc = am_snn_add(n, 1, &p, &id[r]);
    }
    struct {
        int a, b;
        double w, d;
    } e[] = {{IN1, LAT2, c->w_in_lat, c->delay},   {IN1, HUB6, c->w_in_hub, c->delay},    {IN3, LAT4, c->w_in_lat, c->delay},
             {IN3, HUB6, c->w_in_hub, c->delay},   {LAT2, XOR5, c->w_lat_xor, c->delay}, {LAT4, XOR5, c->w_lat_xor, c->delay},
             {HUB6, LAT2, c->w_hub_lat, c->delay_hub}, {HUB6, LAT4, c->w_hub_lat, c->delay_hub}};
    for (size_t k = 0; k < sizeof e / sizeof e[0] && !rc; k++) {
        am_conn cn = {AM_CONN_PROB, 1.0, 0, e[k].w, e[k].w < 0, e[k].d, 0};
        rc = am_snn_connect(n, id[e[k].a], 1, id[e[k].b], 1, &cn);
    }
    if (!rc)
        rc = am_snn_run(n, (uint64_t)llround(c->trial / c->dt), NULL, 1);
    for (int r = 0; r < NROLE && !rc; r++)
        counts[r] = am_snn_spike_counts(n)[id[r]];
    am_snn_free(n);
    return rc;
}

/* The table is right when XOR5 is active exactly for the pairs (0,1) and (1,0). */
static int table(const circuit *c, uint64_t seed, uint64_t counts[4][NROLE], int *correct)
{
    int ok = 1, rc = AM_OK;
    for (int k = 0; k < 4 && !rc; k++) {
        int s1 = k >> 1, s3 = k & 1;
        rc = trial(c, s1, s3, seed, counts[k]);
        int active = counts[k][XOR5] >= (uint64_t)c->active;
        ok &= active == (s1 != s3);
    }
    *correct = ok;
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
        {"active", AM_OPT_INT, &(c).active, "K", "spikes for a role to count as active"}

static int circuit_ok(const am_run *run, const circuit *c)
{
    if (!(c->tau_in > 0) || !(c->tau_lat > 0) || !(c->tau_hub > 0) || !(c->tau_syn > 0) || !(c->dt > 0) || c->dt > 1 ||
        !(c->trial > 0) || c->trial > 1e6 || !isfinite(c->drive) || c->active < 1 || !(c->bg_rate >= 0) ||
        !isfinite(c->bg_weight)) {
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

static int cmd(int argc, char **argv, const char *which)
{
    static const char truth_desc[] =
        "Columns: signal reference in1 lat2 in3 lat4 xor5 hub6 xor_active expected (spike counts in one trial;\n"
        "xor_active: xor5 reached --active spikes; expected: signal XOR reference). A '#' line says whether the\n"
        "whole table is right.\n";
    static const char robust_desc[] =
        "Poisson background at --bg-rate on both inputs (each event adding --bg-weight to their synaptic current);\n"
        "the truth table repeated over --seeds seeds. Columns: bg_rate_hz seeds correct_share, then the mean xor5\n"
        "count for each input pair.\n";
    static const char tau_desc[] =
        "The truth table for each hub time constant of --values. Columns: tau_hub_ms correct xor5_00 xor5_01 xor5_10\n"
        "xor5_11 hub6_11 lat2_11.\n";
    static const char graded_desc[] =
        "The reference graded from 0 to 1 (--values), the signal off (0) or on (1). Columns: signal reference\n"
        "in3 hub6 lat2 lat4 xor5.\n";
    am_run run = {.program = "xor-motif", .subcommand = which};
    circuit c;
    circuit_default(&c);
    uint64_t seeds = 50;
    const char *values = !strcmp(which, "tau") ? "1:20:1" : !strcmp(which, "graded") ? "0:1:0.05" : !strcmp(which, "robust") ? "0,5,10,20,40" : NULL;
    if (!strcmp(which, "robust"))
        c.bg_rate = 20;
    am_opt opts[] = {
        CIRCUIT_OPTS(c),
        {"bg-rate", AM_OPT_DOUBLE, &c.bg_rate, "HZ", "Poisson background on the inputs", "robust", 0},
        {"bg-weight", AM_OPT_DOUBLE, &c.bg_weight, "W", "weight of each background event", "robust", 0},
        {"seeds", AM_OPT_U64, &seeds, "N", "seeds per point", "robust", 0},
        {"values", AM_OPT_STRING, &values, "LIST|a:b:step", "hub time constants / references / background rates", "tau,graded,robust", 0},
        {NULL, 0, NULL, NULL, NULL},
    };
    run.summary = !strcmp(which, "truth")    ? "The XOR switch's truth table: spike counts of every role."
                  : !strcmp(which, "robust") ? "Correct truth tables under Poisson background noise."
                  : !strcmp(which, "tau")    ? "The truth table against the hub's membrane time constant."
                                             : "The XOR output against a graded reference.";
    run.description = !strcmp(which, "truth") ? truth_desc : !strcmp(which, "robust") ? robust_desc : !strcmp(which, "tau") ? tau_desc : graded_desc;
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (am_run_check_scope(&run, opts, which, which) || circuit_ok(&run, &c))
        return 2;
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
    int correct;
    if (!strcmp(which, "truth")) {
        fprintf(out, "signal\treference\tin1\tlat2\tin3\tlat4\txor5\thub6\txor_active\texpected\n");
        if ((rc = table(&c, run.seed, k, &correct)))
            goto fail;
        for (int p = 0; p < 4; p++) {
            fprintf(out, "%d\t%d", p >> 1, p & 1);
            put_counts(out, k[p]);
            fprintf(out, "\t%d\t%d\n", k[p][XOR5] >= (uint64_t)c.active, (p >> 1) != (p & 1));
        }
        fprintf(out, "# truth table %s\n", correct ? "correct: xor5 active exactly when the inputs differ" : "WRONG");
    } else if (!strcmp(which, "robust")) {
        fprintf(out, "bg_rate_hz\tseeds\tcorrect_share\txor5_00\txor5_01\txor5_10\txor5_11\n");
        for (int v = 0; v < nv; v++) {
            c.bg_rate = vals[v];
            size_t good = 0;
            double mean[4] = {0};
            for (uint64_t s = 0; s < seeds; s++) {
                if ((rc = table(&c, am_rng_stream2(run.seed, s), k, &correct)))
                    goto fail;
                good += correct;
                for (int p = 0; p < 4; p++)
                    mean[p] += (double)k[p][XOR5] / (double)seeds;
            }
            fprintf(out, "%g\t%llu\t%.4f\t%.3f\t%.3f\t%.3f\t%.3f\n", vals[v], (unsigned long long)seeds, (double)good / (double)seeds,
                    mean[0], mean[1], mean[2], mean[3]);
        }
    } else if (!strcmp(which, "tau")) {
        fprintf(out, "tau_hub_ms\tcorrect\txor5_00\txor5_01\txor5_10\txor5_11\thub6_11\tlat2_11\n");
        for (int v = 0; v < nv; v++) {
            if (!(vals[v] > 0))
                continue;
            c.tau_hub = vals[v];
            if ((rc = table(&c, run.seed, k, &correct)))
                goto fail;
            fprintf(out, "%g\t%d\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\n", vals[v], correct, (unsigned long long)k[0][XOR5],
                    (unsigned long long)k[1][XOR5], (unsigned long long)k[2][XOR5], (unsigned long long)k[3][XOR5],
                    (unsigned long long)k[3][HUB6], (unsigned long long)k[3][LAT2]);
        }
    } else {
        fprintf(out, "signal\treference\tin3\thub6\tlat2\tlat4\txor5\n");
        for (int s1 = 0; s1 <= 1; s1++)
            for (int v = 0; v < nv; v++) {
                uint64_t one[NROLE];
                if ((rc = trial(&c, s1, vals[v], run.seed, one)))
                    goto fail;
                fprintf(out, "%d\t%g\t%llu\t%llu\t%llu\t%llu\t%llu\n", s1, vals[v], (unsigned long long)one[IN3],
                        (unsigned long long)one[HUB6], (unsigned long long)one[LAT2], (unsigned long long)one[LAT4],
                        (unsigned long long)one[XOR5]);
            }
    }
    return am_run_close(&run, out) ? 1 : 0;
fail:
    am_run_error(&run, "simulation failed: %s", am_strerror(rc));
    am_run_abort(&run, out);
    return 1;
}

int main(int argc, char **argv)
{
    am_blas_ensure_fast(argv);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("xor-motif (libam %s, commit %s, OpenBLAS %s)\n", am_version(), am_git_commit(), am_blas_corename());
        return 0;
    }
    if (!strcmp(argv[1], "truth") || !strcmp(argv[1], "robust") || !strcmp(argv[1], "tau") || !strcmp(argv[1], "graded"))
        return cmd(argc, argv, argv[1]);
    fprintf(stderr, "xor-motif: unknown command '%s' (truth, robust, tau, graded; try --help)\n", argv[1]);
    return 2;
}
