/* spiking — spiking networks of LIF neurons with presets: the COBA and CUBA benchmarks as Brian2 runs them,
 * Brunel's (2000) sparse E/I network (model A), and the f-I curve of one neuron beside the analytic rate. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"

static const char usage_text[] =
    "Usage: spiking PRESET [options]   (spiking PRESET --help for each)\n"
    "  coba     Vogels-Abbott benchmark, conductance synapses (4000 LIF, 80 % E, p = 0.02), as Brian2 runs it\n"
    "  cuba     the same network with current synapses (Brian2's CUBA example)\n"
    "  brunel   Brunel (2000) model A: sparse E/I network, delta synapses, delay, Poisson input (g, eta)\n"
    "  fi       the firing rate of one LIF neuron against constant drive, beside the analytic rate\n"
    "  hopfield-ct  a stored pattern recalled by a graded-response Hopfield network in continuous time\n"
    "Examples:\n"
    "  spiking coba --time 1000 --out coba.tsv\n"
    "  spiking brunel --g 5 --eta 2 --out brunel.tsv\n"
    "  spiking fi --out fi.tsv\n"
    "  spiking hopfield-ct --N 200 --P 10 --beta 4 --out ct.tsv\n";

/* ---- statistics gathered while the network runs ---- */

typedef struct {
    size_t n;
    double dt, window;       /* ms */
    uint64_t steps_per_window;
    double *last;            /* last spike time per neuron (ms), -1: none */
    double *isi_s, *isi_ss;  /* sums of ISIs and squares */
    uint32_t *isi_n;
    uint32_t *wcount;        /* spikes in the current window */
    double *fs, *fss;        /* sums over windows of counts and squares */
    uint64_t windows;
    FILE *raster;
    size_t raster_max;
    FILE *rate;              /* population rate in 1 ms bins, streamed (or NULL) */
    size_t bin;              /* the bin being counted */
    double bin_count;
    size_t nbins;
    int failed;
    void *state;             /* the state monitor's output (state_out), or NULL */
} stats_t;

static void on_spikes(uint64_t step, double t, const uint32_t *ids, size_t count, void *ctx)
{
    stats_t *s = ctx;
    (void)step;
    for (size_t k = 0; k < count; k++) {
        uint32_t i = ids[k];
        if (s->last[i] >= 0) {
            double d = t - s->last[i];
            s->isi_s[i] += d;
            s->isi_ss[i] += d * d;
            s->isi_n[i]++;
        }
        s->last[i] = t;
        s->wcount[i]++;
        if (s->raster && i < s->raster_max && fprintf(s->raster, "%.1f\t%u\n", t, i) < 0)
            s->failed = 1;
    }
    size_t b = (size_t)floor(t + 1e-9);
    if (s->rate) {
        for (; s->bin < b && s->bin < s->nbins; s->bin++, s->bin_count = 0) /* the bins before this spike are done */
            if (fprintf(s->rate, "%zu\t%.3f\n", s->bin, s->bin_count / (double)s->n / 1e-3) < 0)
                s->failed = 1;
        s->bin_count += (double)count;
    }
}

/* State monitor: `t_ms neuron v` rows streamed as the run goes. */
typedef struct {
    FILE *f;
    const uint32_t *ids;
    int failed;
} state_out;

static void on_state(uint64_t step, double t, const float *v, size_t count, void *ctx)
{
    stats_t *s = ctx;
    state_out *so = (state_out *)s->state;
    (void)step;
    for (size_t k = 0; k < count; k++)
        if (fprintf(so->f, "%.1f\t%u\t%.4f\n", t, so->ids[k], (double)v[k]) < 0)
            so->failed = 1;
}

static void close_window(stats_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        s->fs[i] += s->wcount[i];
        s->fss[i] += (double)s->wcount[i] * s->wcount[i];
        s->wcount[i] = 0;
    }
    s->windows++;
}

static int stats_init(stats_t *s, size_t n, double dt, double window, double T)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->dt = dt;
    s->window = window;
    s->steps_per_window = (uint64_t)llround(window / dt);
    s->last = malloc(n * sizeof *s->last);
    s->isi_s = calloc(n, sizeof(double));
    s->isi_ss = calloc(n, sizeof(double));
    s->isi_n = calloc(n, sizeof(uint32_t));
    s->wcount = calloc(n, sizeof(uint32_t));
    s->fs = calloc(n, sizeof(double));
    s->fss = calloc(n, sizeof(double));
    s->nbins = (size_t)ceil(T - 1e-9);
    if (!s->last || !s->isi_s || !s->isi_ss || !s->isi_n || !s->wcount || !s->fs || !s->fss)
        return -1;
    for (size_t i = 0; i < n; i++)
        s->last[i] = -1.0;
    return 0;
}

static void stats_free(stats_t *s)
{
    free(s->last);
    free(s->isi_s);
    free(s->isi_ss);
    free(s->isi_n);
    free(s->wcount);
    free(s->fs);
    free(s->fss);
}

/* rate (Hz), mean CV of ISIs (neurons with >= 3 ISIs), mean Fano factor of window counts (neurons that
 * fired) over neurons [a, b). */
static void population(const stats_t *s, const uint64_t *counts, size_t a, size_t b, double T, double *rate, double *cv,
                       double *fano, uint64_t *spikes)
{
    uint64_t tot = 0;
    double cvs = 0, fas = 0;
    size_t ncv = 0, nfa = 0;
    for (size_t i = a; i < b; i++) {
        tot += counts[i];
        if (s->isi_n[i] >= 3) {
            double m = s->isi_s[i] / s->isi_n[i], var = s->isi_ss[i] / s->isi_n[i] - m * m;
            cvs += sqrt(var > 0 ? var : 0) / m;
            ncv++;
        }
        if (s->windows >= 2 && s->fs[i] > 0) {
            double m = s->fs[i] / s->windows, var = s->fss[i] / s->windows - m * m;
            fas += (var > 0 ? var : 0) / m;
            nfa++;
        }
    }
    *rate = (double)tot / (double)(b - a) / (T * 1e-3);
    *cv = ncv ? cvs / ncv : NAN;
    *fano = nfa ? fas / nfa : NAN;
    *spikes = tot;
}

/* ---- the network presets ---- */

typedef struct {
    const char *name;
    size_t first, count;
} pop_info;

static const char net_desc[] =
    "Output: one row per population: population neurons rate_hz cv_isi fano spikes (rate: spikes per neuron\n"
    "per second; cv_isi: the mean over neurons with at least 3 ISIs of std/mean of their ISIs; fano: the mean over\n"
    "neurons that fired of var/mean of their spike counts in windows of --fano-window). '#' lines: synapses,\n"
    "steps; '# time:' the wall time of the simulation alone. --raster FILE streams `t_ms neuron` for the first --raster-neurons\n"
    "neurons; --rate FILE streams the population rate in 1 ms bins (Hz); --state FILE streams `t_ms neuron v_mv` of the\n"
    "--record neurons every --stride steps, as the run goes. plots/spiking.gp draws raster and rate.\n";

static int run_network(int argc, char **argv, const char *preset)
{
    static const char *const examples[][2] = {
        {"coba", "spiking coba --time 1000 --out coba.tsv\nspiking coba --neurons 16000 --indegree 80 --raster raster.tsv --out coba.tsv"},
        {"cuba", "spiking cuba --time 1000 --out cuba.tsv"},
        {"brunel", "spiking brunel --g 5 --eta 2 --time 500 --out brunel.tsv\n"
                   "spiking brunel --g 4.5 --eta 0.9 --raster raster.tsv --out slow-oscillation.tsv"},
    };
    const char *ex = am_run_lookup(examples, sizeof examples / sizeof *examples, preset);
    am_run run = {.program = "spiking", .subcommand = preset, .description = net_desc, .examples = ex,
                  .summary = !strcmp(preset, "coba")   ? "The COBA benchmark (Vogels & Abbott 2005), as Brian2 runs it."
                             : !strcmp(preset, "cuba") ? "The CUBA benchmark: current-based synapses."
                                                       : "Brunel (2000) model A: a sparse E/I network of LIF neurons."};
    double T = 1000.0, dt = 0.1, g = 5.0, eta = 2.0, fano_w = 100.0, delay = 1.5, J = 0.1;
    uint64_t neurons = !strcmp(preset, "brunel") ? 12500 : 4000, indeg = 0, raster_n = 500, stride = 10;
    const char *method = !strcmp(preset, "coba") ? "euler" : "exact", *raster = NULL, *ratef = NULL, *record = NULL,
               *statef = NULL;
    int brunel = !strcmp(preset, "brunel");
    am_opt opts[] = {
        {"time", AM_OPT_DOUBLE, &T, "MS", "biological time simulated (ms)"},
        {"dt", AM_OPT_DOUBLE, &dt, "MS", "time step (ms)"},
        {"method", AM_OPT_STRING, &method, "euler|exact", "integration"},
        {"neurons", AM_OPT_U64, &neurons, "N", "neurons (80 % excitatory); the in-degree stays that of the preset"},
        {"g", AM_OPT_DOUBLE, &g, "G", "relative strength of inhibition", "brunel"},
        {"eta", AM_OPT_DOUBLE, &eta, "ETA", "external rate / threshold rate", "brunel"},
        {"J", AM_OPT_DOUBLE, &J, "MV", "excitatory PSP amplitude", "brunel"},
        {"delay", AM_OPT_DOUBLE, &delay, "MS", "synaptic delay", "brunel"},
        {"indegree", AM_OPT_U64, &indeg, "K", "excitatory in-degree (0: the preset's: 0.02 x 4000 / 0.1 x N_E)"},
        {"fano-window", AM_OPT_DOUBLE, &fano_w, "MS", "window of the Fano factor"},
        {"raster", AM_OPT_OUTPUT, &raster, "FILE", "stream spike times (TSV) of the first --raster-neurons"},
        {"raster-neurons", AM_OPT_U64, &raster_n, "N", "neurons in the raster"},
        {"rate", AM_OPT_OUTPUT, &ratef, "FILE", "population rate in 1 ms bins (TSV)"},
        {"record", AM_OPT_STRING, &record, "I,J,...", "neurons whose potential --state streams"},
        {"stride", AM_OPT_U64, &stride, "K", "steps between recorded potentials"},
        {"state", AM_OPT_OUTPUT, &statef, "FILE", "stream `t_ms neuron v` of the --record neurons (TSV)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (am_run_check_scope(&run, opts, preset, preset))
        return 2;
    uint64_t rec_ids[256];
    int nrec = record ? am_parse_u64_list(record, rec_ids, 256) : 0;
    if (nrec < 0 || (statef && nrec == 0) || (!statef && nrec > 0) || stride == 0) {
        am_run_error(&run, "--state FILE and --record I,J,... (at most 256 neurons) go together; --stride >= 1");
        return 2;
    }
    for (int k = 0; k < nrec; k++)
        if (rec_ids[k] >= neurons) {
            am_run_error(&run, "--record: neuron %llu is beyond the %llu neurons", (unsigned long long)rec_ids[k],
                         (unsigned long long)neurons);
            return 2;
        }
    am_integrator im;
    if (!strcmp(method, "euler"))
        im = AM_INT_EULER;
    else if (!strcmp(method, "exact"))
        im = AM_INT_EXACT;
    else {
        am_run_error(&run, "--method: %s is not euler or exact", AM__QUOTE(method));
        return 2;
    }
    if (!(T > 0) || T > 1e7 || !(dt > 0) || dt > 10 || T / dt > 1e10 || neurons < 10 || neurons > 10000000 ||
        !(fano_w > 0) || !(g >= 0) || !(eta >= 0) || !(delay >= 0) || delay > 1000) {
        am_run_error(&run, "out of range: --time (0, 1e7], --dt (0, 10], --neurons 10..1e7, --fano-window > 0, --g >= 0, "
                           "--eta >= 0, --delay 0..1000");
        return 2;
    }
    size_t NE = (size_t)(neurons * 4 / 5), NI = (size_t)neurons - NE;
    am_lif_params pe, pi;
    am_lif_params_default(&pe);
    am_conn ce = {AM_CONN_PROB, 0.02, 0, 0.0, 0, 0.0, 1}, ci = ce; /* Brian2 connects i -> i too */
    ci.inhibitory = 1;
    if (!strcmp(preset, "coba")) {
        pe.drive = 20.0;
        pe.v0_mean = -55.0;
        pe.v0_sd = 5.0;
        ce.weight = 0.6;
        ci.weight = 6.7;
    } else if (!strcmp(preset, "cuba")) {
        pe.syn = AM_SYN_CURRENT;
        pe.v_rest = -49.0;
        pe.v0_mean = -55.0; /* uniform in [V_r, V_t] */
        pe.v0_sd = 5.0;
        pe.v0_uniform = 1;
        ce.weight = 60 * 0.27 / 10;
        ci.weight = -20 * 4.5 / 10;
    } else {
        /* Brunel model A: theta 20 mV above rest, reset 10, tau 20, t_ref 2, C_E = 0.1 N_E, C_I = 0.1 N_I */
        pe.syn = AM_SYN_DELTA;
        pe.v_rest = 0.0;
        pe.v_reset = 10.0;
        pe.v_thresh = 20.0;
        pe.t_ref = 2.0;
        pe.v0_mean = 10.0; /* uniform in [0, 20] */
        pe.v0_sd = 10.0;
        pe.v0_uniform = 1;
        size_t CE = indeg ? (size_t)indeg : NE / 10;
        double nu_thr = pe.v_thresh / (J * (double)CE * pe.tau_m) * 1000.0; /* Hz */
        pe.ext_rate = eta * nu_thr * (double)CE;                          /* C_E external neurons at eta nu_thr */
        pe.ext_weight = J;
        ce = (am_conn){AM_CONN_INDEGREE, 0, CE, J, 0, delay, 0};
        ci = (am_conn){AM_CONN_INDEGREE, 0, indeg ? (size_t)indeg / 4 : NI / 10, -g * J, 1, delay, 0};
    }
    if (!brunel && (indeg || neurons != 4000)) {
        /* fixed in-degree as N grows: p = K / N with K = 0.02 x 4000 x share */
        double K = indeg ? (double)indeg : 0.02 * 3200;
        ce.p = K / (double)NE;
        ci.p = (indeg ? (double)indeg / 4 : 0.02 * 800) / (double)NI;
        if (ce.p > 1 || ci.p > 1) {
            am_run_error(&run, "--indegree is larger than the populations");
            return 2;
        }
    }
    pi = pe;
    am_snn *net = NULL;
    size_t fe, fi;
    int status = 1;
    stats_t st;
    FILE *out = NULL, *rf = NULL;
    am_run_file rh, rateh, sh;
    memset(&rh, 0, sizeof rh);
    memset(&rateh, 0, sizeof rateh);
    memset(&sh, 0, sizeof sh);
    if (stats_init(&st, (size_t)neurons, dt, fano_w, T)) {
        am_run_error(&run, "out of memory");
        goto done;
    }
    if ((rc = am_snn_create(&net, dt, im, run.seed)) || (rc = am_snn_add(net, NE, &pe, &fe)) ||
        (rc = am_snn_add(net, NI, &pi, &fi)) || (rc = am_snn_connect(net, fe, NE, 0, (size_t)neurons, &ce)) ||
        (rc = am_snn_connect(net, fi, NI, 0, (size_t)neurons, &ci))) {
        am_run_error(&run, "building the network: %s", am_strerror(rc));
        goto done;
    }
    if (!(out = am_run_open(&run)))
        goto done;
    if (raster && !(rf = am_run_file_open(&run, raster, 1, &rh)))
        goto done;
    if (rf)
        fprintf(rf, "t_ms\tneuron\n");
    st.raster = rf;
    st.raster_max = (size_t)raster_n;
    FILE *qf = NULL;
    if (ratef) {
        if (!(qf = am_run_file_open(&run, ratef, 1, &rateh)))
            goto done;
        fprintf(qf, "t_ms\trate_hz\n");
        st.rate = qf;
    }
    am_snn_monitor mon = {.on_spikes = on_spikes, .ctx = &st};
    uint32_t rec32[256];
    state_out so = {0};
    if (nrec) {
        for (int k = 0; k < nrec; k++)
            rec32[k] = (uint32_t)rec_ids[k];
        if (!(so.f = am_run_file_open(&run, statef, 1, &sh)))
            goto done;
        fprintf(so.f, "t_ms\tneuron\tv_mv\n");
        so.ids = rec32;
        st.state = &so;
        mon.record = rec32;
        mon.nrecord = (size_t)nrec;
        mon.stride = (size_t)stride;
        mon.on_state = on_state;
    }
    uint64_t steps = (uint64_t)llround(T / dt), done_steps = 0;
    am_progress pr;
    am_progress_start(&pr, &run, (size_t)steps);
    double t0 = am_seconds();
    while (done_steps < steps) {
        uint64_t k = st.steps_per_window - (done_steps % st.steps_per_window);
        if (k > steps - done_steps)
            k = steps - done_steps;
        if ((rc = am_snn_run(net, k, &mon, run.threads))) {
            am_run_error(&run, "running: %s", am_strerror(rc));
            goto done;
        }
        done_steps += k;
        if (done_steps % st.steps_per_window == 0)
            close_window(&st);
        am_progress_update(&pr, (size_t)done_steps, "%.0f ms", done_steps * dt);
    }
    double wall = am_seconds() - t0;
    am_progress_end(&pr, "%.0f ms simulated", T);
    if (st.failed || so.failed) {
        am_run_error(&run, "writing the %s failed", st.failed ? "raster or rate" : "state");
        goto done;
    }
    fprintf(out, "# %s: %zu neurons (%zu E, %zu I), %zu synapses, dt %g ms, %s, %llu steps\n", preset, (size_t)neurons,
            NE, NI, am_snn_synapses(net), dt, method, (unsigned long long)steps);
    am_run_time(out, "simulation %.3f s wall", wall);
    if (brunel)
        fprintf(out, "# brunel: g %g, eta %g, J %g mV, delay %g ms, C_E %zu, C_I %zu, external %.0f Hz per neuron\n", g,
                eta, J, delay, ce.k, ci.k, pe.ext_rate);
    fprintf(out, "population\tneurons\trate_hz\tcv_isi\tfano\tspikes\n");
    pop_info pops[3] = {{"all", 0, (size_t)neurons}, {"E", fe, NE}, {"I", fi, NI}};
    for (int p = 0; p < 3; p++) {
        double r, cv, fa;
        uint64_t sp;
        population(&st, am_snn_spike_counts(net), pops[p].first, pops[p].first + pops[p].count, T, &r, &cv, &fa, &sp);
        fprintf(out, "%s\t%zu\t%.4f\t%.4f\t%.4f\t%llu\n", pops[p].name, pops[p].count, r, cv, fa, (unsigned long long)sp);
    }
    if (qf) {
        for (; st.bin < st.nbins; st.bin++, st.bin_count = 0) /* the bins after the last spike */
            fprintf(qf, "%zu\t%.3f\n", st.bin, st.bin_count / (double)neurons / 1e-3);
        st.rate = qf = NULL;
        if (am_run_file_close(&run, &rateh, ratef))
            goto done;
    }
    if (rf) {
        rf = NULL;
        st.raster = NULL;
        if (am_run_file_close(&run, &rh, raster))
            goto done;
    }
    if (so.f) {
        so.f = NULL;
        if (am_run_file_close(&run, &sh, statef))
            goto done;
    }
    status = am_run_close(&run, out) ? 1 : 0;
    out = NULL;
done:
    if (rf)
        am_run_file_abort(&rh);
    if (st.rate)
        am_run_file_abort(&rateh);
    if (so.f)
        am_run_file_abort(&sh);
    if (out)
        am_run_abort(&run, out);
    stats_free(&st);
    am_snn_free(net);
    return status;
}

/* ---- fi ---- */

static const char fi_desc[] =
    "One LIF neuron (tau_m, reset, threshold relative to rest, refractory period) under each constant drive mu\n"
    "(mV: the potential it would settle at above rest), simulated for --time, beside the analytic rate\n"
    "1 / (t_ref + tau ln((mu - v_r) / (mu - theta))).\n"
    "Columns: drive_mv rate_hz analytic_hz\n";

static int run_fi(int argc, char **argv)
{
    am_run run = {.examples = "spiking fi --out fi.tsv",
                  .program = "spiking", .subcommand = "fi", .summary = "f-I curve of one LIF neuron against the analytic rate.",
                  .description = fi_desc};
    const char *drives = "0:40:2", *method = "exact";
    double T = 2000.0, dt = 0.1, tau = 20.0, vr = 10.0, th = 20.0, tref = 2.0;
    am_opt opts[] = {
        {"drive", AM_OPT_STRING, &drives, "a:b:step", "drives (mV above rest)"},
        {"time", AM_OPT_DOUBLE, &T, "MS", "simulated time per drive"},
        {"dt", AM_OPT_DOUBLE, &dt, "MS", "time step"},
        {"method", AM_OPT_STRING, &method, "euler|exact", "integration"},
        {"tau", AM_OPT_DOUBLE, &tau, "MS", "membrane time constant"},
        {"reset", AM_OPT_DOUBLE, &vr, "MV", "reset (above rest)"},
        {"threshold", AM_OPT_DOUBLE, &th, "MV", "threshold (above rest)"},
        {"refractory", AM_OPT_DOUBLE, &tref, "MS", "refractory period"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    double mu[1024];
    int nmu = am_parse_range(drives, mu, 1024);
    am_integrator im = !strcmp(method, "euler") ? AM_INT_EULER : AM_INT_EXACT;
    if (strcmp(method, "euler") && strcmp(method, "exact")) {
        am_run_error(&run, "--method: %s is not euler or exact", AM__QUOTE(method));
        return 2;
    }
    if (nmu <= 0 || !(T > 0) || T > 1e7 || !(dt > 0) || dt > 10 || !(tau > 0) || !(th > vr) || tref < 0) {
        am_run_error(&run, nmu <= 0 ? "--drive: a0:a1:step" : "out of range: --time, --dt, --tau > 0, --threshold > --reset, --refractory >= 0");
        return 2;
    }
    FILE *out = am_run_open(&run);
    if (!out)
        return 1;
    fprintf(out, "drive_mv\trate_hz\tanalytic_hz\n");
    for (int k = 0; k < nmu; k++) {
        am_lif_params p;
        am_lif_params_default(&p);
        p.syn = AM_SYN_DELTA;
        p.tau_m = tau;
        p.v_rest = 0;
        p.v_reset = vr;
        p.v_thresh = th;
        p.t_ref = tref;
        p.drive = mu[k];
        p.v0_mean = vr;
        am_snn *net = NULL;
        if ((rc = am_snn_create(&net, dt, im, run.seed)) || (rc = am_snn_add(net, 1, &p, NULL)) ||
            (rc = am_snn_run(net, (uint64_t)llround(T / dt), NULL, 1))) {
            am_run_error(&run, "drive %g: %s", mu[k], am_strerror(rc));
            am_snn_free(net);
            am_run_abort(&run, out);
            return rc == AM_EINVAL ? 2 : 1;
        }
        fprintf(out, "%g\t%.4f\t%.4f\n", mu[k], am_snn_spike_counts(net)[0] / (T * 1e-3), am_lif_rate(tau, tref, vr, th, mu[k]));
        am_snn_free(net);
    }
    return am_run_close(&run, out) ? 1 : 0;
}

/* ---- hopfield-ct ---- */

static const char hct_desc[] =
    "A graded-response Hopfield network (Hopfield 1984; am/graded.h): N units, P random patterns stored by the\n"
    "Hebb rule, tau du/dt = -u + W tanh(beta u); the cue is pattern 0 with a share --noise of its units flipped,\n"
    "u(0) = 0.1 x cue. Columns: t_ms energy overlap (V . xi_0 / N) overlap_max_other, every --stride steps.\n"
    "'#' lines give the final overlap and whether the energy ever rose.\n";

/* The overlap V . xi_mu / N of the output V at u with the cued pattern (mu = 0) into *ov, the largest |overlap|
 * with another into *other (0 when P = 1); v: N floats of scratch. */
static void overlaps(const am_graded *g, const float *u, float *v, const int8_t *xi, size_t N, size_t P, double *ov,
                     double *other)
{
    am_graded_output(g, u, v);
    double best = -2;
    for (size_t mu = 0; mu < P; mu++) {
        double o = 0;
        for (size_t i = 0; i < N; i++)
            o += (double)v[i] * xi[mu * N + i];
        o /= (double)N;
        if (mu == 0)
            *ov = o;
        else
            best = fabs(o) > best ? fabs(o) : best;
    }
    *other = P > 1 ? best : 0.0;
}

static int run_hct(int argc, char **argv)
{
    am_run run = {.examples = "spiking hopfield-ct --N 200 --P 10 --beta 4 --noise 0.2 --out ct.tsv",
                  .program = "spiking", .subcommand = "hopfield-ct",
                  .summary = "A stored pattern recalled in continuous time, with the energy curve.", .description = hct_desc};
    uint64_t N = 200, P = 10, stride = 10;
    double beta = 4.0, tau = 10.0, dt = 0.1, T = 200.0, noise = 0.2;
    const char *method = "rk4";
    am_opt opts[] = {
        {"N", AM_OPT_U64, &N, "N", "units"},
        {"P", AM_OPT_U64, &P, "P", "stored patterns"},
        {"beta", AM_OPT_DOUBLE, &beta, "B", "gain of tanh(beta u)"},
        {"tau", AM_OPT_DOUBLE, &tau, "MS", "time constant"},
        {"dt", AM_OPT_DOUBLE, &dt, "MS", "time step"},
        {"time", AM_OPT_DOUBLE, &T, "MS", "time simulated"},
        {"noise", AM_OPT_DOUBLE, &noise, "F", "share of the cue's units flipped"},
        {"method", AM_OPT_STRING, &method, "euler|rk4", "integrator"},
        {"stride", AM_OPT_U64, &stride, "K", "steps between rows"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    am_ode m = !strcmp(method, "euler") ? AM_ODE_EULER : AM_ODE_RK4;
    if ((strcmp(method, "euler") && strcmp(method, "rk4")) || N < 2 || N > 20000 || P < 1 || P > 100000 || !(beta > 0) ||
        !(tau > 0) || !(dt > 0) || !(T > 0) || T / dt > 1e8 || !(noise >= 0 && noise <= 1) || stride < 1) {
        am_run_error(&run, "out of range: --method euler|rk4, --N 2..20000, --P >= 1, --beta, --tau, --dt, --time > 0, "
                           "--noise 0..1, --stride >= 1");
        return 2;
    }
    am_rng rng;
    am_rng_init(&rng, run.seed, 0);
    am_patterns *pats = NULL;
    am_hopfield *h = NULL;
    am_graded *g = NULL;
    float *w = malloc(N * N * sizeof *w), *u = malloc(N * sizeof *u), *v = malloc(N * sizeof *v);
    int8_t *xi = malloc(N * P), *cue = malloc(N);
    int status = 1;
    FILE *out = NULL;
    if (!w || !u || !v || !xi || !cue || (rc = am_patterns_create(&pats, (size_t)N, (size_t)P)) ||
        (am_patterns_random(pats, &rng), 0) || (rc = am_hopfield_create(&h, (size_t)N, AM_RULE_HEBB)) ||
        (rc = am_hopfield_store(h, pats)) || (rc = am_hopfield_weights(h, w)) ||
        (rc = am_graded_create(&g, (size_t)N, w, NULL, AM_GAIN_TANH, beta, tau))) {
        am_run_error(&run, "setting up: %s", am_strerror(rc ? rc : AM_ENOMEM));
        goto done;
    }
    for (size_t mu = 0; mu < P; mu++)
        am_patterns_get(pats, mu, xi + mu * N);
    memcpy(cue, xi, N);
    size_t flips = (size_t)llround(noise * (double)N);
    uint32_t *perm = malloc(N * sizeof *perm);
    for (size_t i = 0; perm && i < N; i++)
        perm[i] = (uint32_t)i;
    if (perm)
        am_rng_shuffle_u32(&rng, perm, (size_t)N);
    for (size_t k = 0; perm && k < flips; k++)
        cue[perm[k]] = (int8_t)-cue[perm[k]];
    free(perm);
    for (size_t i = 0; i < N; i++)
        u[i] = 0.1f * cue[i];
    if (!(out = am_run_open(&run)))
        goto done;
    fprintf(out, "t_ms\tenergy\toverlap\toverlap_max_other\n");
    uint64_t steps = (uint64_t)llround(T / dt);
    double prev = am_graded_energy(g, u), rise = 0.0, e[257], ov = 0, best = 0;
    for (uint64_t s = 0; s <= steps; s += stride) {
        overlaps(g, u, v, xi, (size_t)N, (size_t)P, &ov, &best);
        double en = am_graded_energy(g, u);
        fprintf(out, "%.3f\t%.6f\t%.5f\t%.5f\n", (double)s * dt, en, ov, best);
        uint64_t k = steps - s < stride ? steps - s : stride;
        for (uint64_t j = 0; j < k;) { /* up to 256 steps a call: the energy after each */
            size_t c = k - j < 256 ? (size_t)(k - j) : 256;
            if ((rc = am_graded_run(g, u, dt, c, m, e))) {
                am_run_error(&run, "integration: %s", am_strerror(rc));
                goto done;
            }
            for (size_t q = 1; q <= c; q++) {
                rise = e[q] - prev > rise ? e[q] - prev : rise;
                prev = e[q];
            }
            j += c;
        }
        if (k == 0)
            break;
    }
    overlaps(g, u, v, xi, (size_t)N, (size_t)P, &ov, &best);
    fprintf(out, "# final overlap %.5f with the cued pattern at t = %.3f ms (largest with another: %.5f): %s\n", ov,
            (double)steps * dt, best, ov > 0.9 ? "recalled" : "not recalled");
    fprintf(out, "# energy rose by at most %.3g between steps (%s)\n", rise, rise <= 1e-9 * (fabs(prev) + 1) ? "rounding only: it never increases" : "IT ROSE");
    status = am_run_close(&run, out) ? 1 : 0;
    out = NULL;
done:
    if (out)
        am_run_abort(&run, out);
    am_graded_free(g);
    am_hopfield_free(h);
    am_patterns_free(pats);
    free(w);
    free(u);
    free(v);
    free(xi);
    free(cue);
    return status;
}

static int run_preset(int argc, char **argv) { return run_network(argc, argv, argv[1]); }

int main(int argc, char **argv)
{
    static const am_subcommand cmds[] = {{"coba", run_preset}, {"cuba", run_preset}, {"brunel", run_preset},
                                         {"fi", run_fi},       {"hopfield-ct", run_hct}, {NULL, NULL}};
    return am_run_subcommands(argc, argv, "spiking", usage_text, cmds, NULL);
}
