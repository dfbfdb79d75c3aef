/* Spiking networks: the LIF f-I curve against the analytic rate, Poisson input rate, delays deliver on the right
 * step, Brian2's step order, refractory period, connection rules, spikes identical at 1 and 2 threads, errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "tap.h"

typedef struct {
    uint64_t first[8];
    int seen[8];
} firsts;

typedef struct {
    double first, last;
    uint64_t n;
} period;

static void on_period(uint64_t step, double t, const uint32_t *ids, size_t n, void *ctx)
{
    period *p = ctx;
    (void)step;
    (void)ids;
    (void)n;
    if (!p->n)
        p->first = t;
    p->last = t;
    p->n++;
}

static void on_sp(uint64_t step, double t, const uint32_t *ids, size_t n, void *ctx)
{
    firsts *f = ctx;
    (void)t;
    for (size_t k = 0; k < n; k++)
        if (ids[k] < 8 && !f->seen[ids[k]]) {
            f->seen[ids[k]] = 1;
            f->first[ids[k]] = step;
        }
}

/* FNV-1a over the spike stream: (step, neuron) in the order the monitor sees them */
static void on_hash(uint64_t step, double t, const uint32_t *ids, size_t n, void *ctx)
{
    uint64_t *h = ctx;
    (void)t;
    for (size_t k = 0; k < n; k++) {
        uint64_t x[2] = {step, ids[k]};
        const unsigned char *b = (const unsigned char *)x;
        for (size_t j = 0; j < sizeof x; j++)
            *h = (*h ^ b[j]) * 1099511628211ULL;
        h[1]++;
    }
}

/* A conductance network of 140,000 (large enough to be split between 2 threads) whose rows hold several
 * projections with different delays and receptors: E -> all (fixed probability), E -> I (fixed in-degree, 1 ms),
 * I -> all (0.5 ms), Poisson input; the hash and count of its spikes over `steps` at `threads`. */
static void split_net(int threads, uint64_t steps, uint64_t out[2])
{
    enum { NN = 140000, NE = NN * 4 / 5 };
    am_lif_params p;
    am_lif_params_default(&p);
    p.ext_rate = 3000;
    p.ext_weight = 0.3;
    p.v0_mean = -55;
    p.v0_sd = 5;
    am_snn *n = NULL;
    size_t e, i;
    am_snn_create(&n, 0.1, AM_INT_EULER, 11);
    am_snn_add(n, NE, &p, &e);
    am_snn_add(n, NN - NE, &p, &i);
    am_conn ee = {AM_CONN_PROB, 30.0 / NN, 0, 0.4, 0, 0.0, 0}, ei = {AM_CONN_INDEGREE, 0, 8, 0.5, 0, 1.0, 0},
            ii = {AM_CONN_PROB, 15.0 / NN, 0, 4.0, 1, 0.5, 0};
    am_snn_connect(n, e, NE, 0, NN, &ee);
    am_snn_connect(n, e, NE, i, NN - NE, &ei);
    am_snn_connect(n, i, NN - NE, 0, NN, &ii);
    out[0] = 14695981039346656037ULL;
    out[1] = 0;
    am_snn_monitor mon = {.on_spikes = on_hash, .ctx = out};
    am_snn_run(n, steps, &mon, threads);
    am_snn_free(n);
}

static am_lif_params delta_neuron(double drive)
{
    am_lif_params p;
    am_lif_params_default(&p);
    p.syn = AM_SYN_DELTA;
    p.v_rest = 0;
    p.v_reset = 10;
    p.v_thresh = 20;
    p.t_ref = 2;
    p.drive = drive;
    p.v0_mean = 10;
    return p;
}

int main(void)
{
    /* f-I: exact integration matches the analytic rate */
    {
        double worst = 0;
        for (double mu = 21; mu <= 60; mu += 3) {
            am_snn *n = NULL;
            am_lif_params p = delta_neuron(mu);
            am_snn_create(&n, 0.01, AM_INT_EXACT, 1);
            am_snn_add(n, 1, &p, NULL);
            period pe = {0};
            am_snn_monitor mon = {.on_spikes = on_period, .ctx = &pe};
            am_snn_run(n, 200000, &mon, 1); /* 2 s */
            /* the rate from the mean interval (a count over a window is off by up to one spike) */
            double r = pe.n > 1 ? 1000.0 * (double)(pe.n - 1) / (pe.last - pe.first) : 0, want = am_lif_rate(20, 2, 10, 20, mu);
            double err = fabs(r - want) / want;
            worst = err > worst ? err : worst;
            am_snn_free(n);
        }
        ok(worst < 0.002, "f-I curve: within 0.2%% of 1/(t_ref + tau ln((mu - v_r)/(mu - theta))) for mu = 21..60 mV (worst %.4f)", worst);
        am_snn *n = NULL;
        am_lif_params p = delta_neuron(19.9);
        am_snn_create(&n, 0.1, AM_INT_EULER, 1);
        am_snn_add(n, 1, &p, NULL);
        am_snn_run(n, 20000, NULL, 1);
        ok(am_snn_spike_counts(n)[0] == 0 && am_lif_rate(20, 2, 10, 20, 19.9) == 0.0, "below threshold: silent, rate 0");
        am_snn_free(n);
        /* Euler converges to the exact rate as dt shrinks */
        double e1, e2;
        double r1, r2, want = am_lif_rate(20, 2, 10, 20, 30);
        p = delta_neuron(30);
        am_snn_create(&n, 0.1, AM_INT_EULER, 1);
        am_snn_add(n, 1, &p, NULL);
        am_snn_run(n, 100000, NULL, 1);
        r1 = am_snn_spike_counts(n)[0] / 10.0;
        am_snn_free(n);
        am_snn_create(&n, 0.01, AM_INT_EULER, 1);
        am_snn_add(n, 1, &p, NULL);
        am_snn_run(n, 1000000, NULL, 1);
        r2 = am_snn_spike_counts(n)[0] / 10.0;
        am_snn_free(n);
        e1 = fabs(r1 - want);
        e2 = fabs(r2 - want);
        ok(e2 < e1 && e2 < 0.02 * want, "Euler: rate error falls with dt (%.3f Hz at 0.1 ms, %.3f at 0.01)", e1, e2);
    }
    /* Poisson input: events at the set rate */
    {
        am_snn *n = NULL;
        am_lif_params p = delta_neuron(0);
        p.v_thresh = 1e9; /* never fires: v counts the events */
        p.v_reset = 0;
        p.tau_m = 1e12;
        p.ext_rate = 800;
        p.ext_weight = 1;
        p.v0_mean = 0;
        am_snn_create(&n, 0.1, AM_INT_EULER, 3);
        am_snn_add(n, 100, &p, NULL);
        am_snn_run(n, 10000, NULL, 1);
        double tot = 0;
        for (int i = 0; i < 100; i++)
            tot += am_snn_v(n)[i];
        double mean = tot / 100; /* events per neuron in 1 s */
        ok(fabs(mean - 800) < 4 * sqrt(800.0 / 100), "Poisson input: %.1f events per neuron per second (800 set)", mean);
        am_snn_free(n);
    }
    /* Delays: a spike at step t reaches its target at step t + 1 + delay */
    {
        am_snn *n = NULL;
        am_lif_params src = delta_neuron(0), dst = delta_neuron(0);
        src.v0_mean = 25; /* fires at the first step */
        src.t_ref = 1000;
        dst.v0_mean = 15;
        dst.tau_m = 1e12;
        dst.t_ref = 1000;
        am_snn_create(&n, 0.1, AM_INT_EULER, 1);
        size_t s0, d0;
        am_snn_add(n, 1, &src, &s0);
        am_snn_add(n, 4, &dst, &d0);
        int rc = 0;
        double delays[4] = {0, 0.1, 1.0, 2.5};
        for (int k = 0; k < 4; k++) {
            am_conn c = {AM_CONN_PROB, 1.0, 0, 10.0, 0, delays[k], 0};
            rc |= am_snn_connect(n, s0, 1, d0 + (size_t)k, 1, &c);
        }
        firsts f = {0};
        am_snn_monitor mon = {.on_spikes = on_sp, .ctx = &f};
        rc |= am_snn_run(n, 100, &mon, 1);
        ok(rc == 0 && f.seen[0] && f.first[0] == 0, "the source fires at step 0");
        int good = 1;
        for (int k = 0; k < 4; k++)
            good &= f.seen[1 + k] && f.first[1 + k] == 1 + (uint64_t)lround(delays[k] / 0.1);
        ok(good, "delays 0, 0.1, 1, 2.5 ms: targets fire at steps %llu %llu %llu %llu (1 + delay steps)",
           (unsigned long long)f.first[1], (unsigned long long)f.first[2], (unsigned long long)f.first[3],
           (unsigned long long)f.first[4]);
        ok(am_snn_synapses(n) == 4 && am_snn_step_count(n) == 100, "4 synapses, 100 steps");
        am_conn late = {AM_CONN_PROB, 1.0, 0, 1.0, 0, 0, 0};
        ok(am_snn_connect(n, s0, 1, d0, 1, &late) == AM_EINVAL, "no connections after the first run");
        am_snn_free(n);
    }
    /* Refractory period: a neuron driven hard fires every t_ref / dt steps (Brian2's convention) */
    {
        am_snn *n = NULL;
        am_lif_params p = delta_neuron(1e6);
        am_snn_create(&n, 0.1, AM_INT_EULER, 1);
        am_snn_add(n, 1, &p, NULL);
        am_snn_run(n, 2100, NULL, 1);
        ok(am_snn_spike_counts(n)[0] == 105, "t_ref 2 ms at dt 0.1: one spike every 20 steps (%llu in 2100)",
           (unsigned long long)am_snn_spike_counts(n)[0]);
        am_snn_free(n);
    }
    /* Connection rules */
    {
        am_snn *n = NULL;
        am_lif_params p = delta_neuron(0);
        am_snn_create(&n, 0.1, AM_INT_EULER, 5);
        am_snn_add(n, 2000, &p, NULL);
        am_conn c = {AM_CONN_PROB, 0.05, 0, 0.1, 0, 0, 0};
        am_snn_connect(n, 0, 2000, 0, 2000, &c);
        double want = 0.05 * 2000 * 1999;
        ok(fabs((double)am_snn_synapses(n) - want) < 5 * sqrt(want), "fixed probability 0.05: %zu synapses (%.0f expected)",
           am_snn_synapses(n), want);
        am_conn k = {AM_CONN_INDEGREE, 0, 37, 0.1, 1, 0, 0};
        size_t before = am_snn_synapses(n);
        ok(am_snn_connect(n, 0, 2000, 0, 2000, &k) == 0 && am_snn_synapses(n) - before == 37 * 2000, "fixed in-degree 37");
        am_conn bad = k;
        bad.k = 2000;
        ok(am_snn_connect(n, 0, 2000, 0, 2000, &bad) == AM_EINVAL, "in-degree above the pool without autapses: AM_EINVAL");
        bad = c;
        bad.p = 1.5;
        ok(am_snn_connect(n, 0, 2000, 0, 2000, &bad) == AM_EINVAL, "p outside [0, 1]: AM_EINVAL");
        bad = c;
        bad.delay = -1;
        ok(am_snn_connect(n, 0, 2000, 0, 2000, &bad) == AM_EINVAL, "negative delay: AM_EINVAL");
        ok(am_snn_connect(n, 1990, 20, 0, 10, &c) == AM_EINVAL, "a range beyond the neurons: AM_EINVAL");
        am_snn_free(n);
        am_snn_create(&n, 0.1, AM_INT_EULER, 5);
        am_snn_add(n, 100000, &p, NULL);
        am_conn huge = {AM_CONN_PROB, 1.0, 0, 0.1, 0, 0, 1};
        ok(am_snn_connect(n, 0, 100000, 0, 100000, &huge) == AM_EOVERFLOW, "N^2 p synapses that cannot fit: AM_EOVERFLOW");
        am_snn_free(n);
    }
    /* Threads: the same spikes at 1 and 2 threads (a network large enough to be split: 2 x 64k neurons) */
    {
        uint64_t c1 = 0, c2 = 0;
        int same = 1;
        uint64_t *k1 = NULL;
        for (int th = 1; th <= 2; th++) {
            am_snn *n = NULL;
            am_lif_params p = delta_neuron(0);
            p.ext_rate = 20000;
            p.ext_weight = 0.1;
            p.v0_sd = 10;
            p.v0_uniform = 1;
            am_snn_create(&n, 0.1, AM_INT_EXACT, 9);
            size_t e, i;
            enum { NN = 140000 };
            am_snn_add(n, NN * 4 / 5, &p, &e);
            am_snn_add(n, NN / 5, &p, &i);
            am_conn ce = {AM_CONN_INDEGREE, 0, 40, 0.5, 0, 1.5, 0}, ci = {AM_CONN_INDEGREE, 0, 10, -2.5, 1, 1.5, 0};
            am_snn_connect(n, e, NN * 4 / 5, 0, NN, &ce);
            am_snn_connect(n, i, NN / 5, 0, NN, &ci);
            am_snn_run(n, 300, NULL, th);
            const uint64_t *cnt = am_snn_spike_counts(n);
            uint64_t tot = 0;
            for (int j = 0; j < NN; j++)
                tot += cnt[j];
            if (th == 1) {
                c1 = tot;
                k1 = malloc(NN * sizeof *k1);
                memcpy(k1, cnt, NN * sizeof *k1);
            } else {
                c2 = tot;
                same = memcmp(k1, cnt, NN * sizeof *k1) == 0;
            }
            am_snn_free(n);
        }
        free(k1);
        ok(c1 > 1000 && same && c1 == c2, "Brunel-like network of 140,000: identical spikes at 1 and 2 threads (%llu)", (unsigned long long)c1);
    }
    /* Threads: deliveries split by target range give the same spike stream at 1 and 2 threads (conductance
     * synapses, rows of three projections with different delays and receptors) */
    {
        uint64_t h1[2], h2[2];
        split_net(1, 100, h1);
        split_net(2, 100, h2);
        ok(h1[1] > 1000 && h1[0] == h2[0] && h1[1] == h2[1],
           "conductance network of 140,000, three projections: the same spikes at 1 and 2 threads (%llu, hash %016llx)",
           (unsigned long long)h1[1], (unsigned long long)h1[0]);
    }
    /* Errors */
    {
        am_snn *n = NULL;
        ok(am_snn_create(&n, 0, AM_INT_EULER, 1) == AM_EINVAL && !n, "dt = 0: AM_EINVAL");
        ok(am_snn_create(&n, -0.1, AM_INT_EULER, 1) == AM_EINVAL, "dt < 0: AM_EINVAL");
        am_snn_create(&n, 0.1, AM_INT_EULER, 1);
        am_lif_params p;
        am_lif_params_default(&p);
        p.tau_m = 0;
        ok(am_snn_add(n, 10, &p, NULL) == AM_EINVAL, "tau_m = 0: AM_EINVAL");
        am_lif_params_default(&p);
        p.tau_e = -1;
        ok(am_snn_add(n, 10, &p, NULL) == AM_EINVAL, "tau_e < 0: AM_EINVAL");
        am_lif_params_default(&p);
        p.v_thresh = p.v_reset;
        ok(am_snn_add(n, 10, &p, NULL) == AM_EINVAL, "threshold not above reset: AM_EINVAL");
        am_lif_params_default(&p);
        p.drive = NAN;
        ok(am_snn_add(n, 10, &p, NULL) == AM_EINVAL, "NaN drive: AM_EINVAL");
        ok(am_snn_run(n, 10, NULL, 1) == AM_EEMPTY, "running an empty network: AM_EEMPTY");
        am_lif_params_default(&p);
        p.drive = 1e300; /* finite as a double, no float: the neurons integrate in float */
        ok(am_snn_add(n, 10, &p, NULL) == AM_EINVAL, "a drive beyond float range: AM_EINVAL");
        am_lif_params_default(&p);
        am_snn_add(n, 2, &p, NULL);
        am_conn big = {AM_CONN_PROB, 1.0, 0, 1e300, 0, 0, 0};
        ok(am_snn_connect(n, 0, 2, 0, 2, &big) == AM_EINVAL, "a weight beyond float range: AM_EINVAL");
        am_snn_free(n);
        am_snn_free(NULL);
    }
    /* The state before the first run, and the step counter at its end */
    {
        am_snn *n = NULL;
        am_lif_params p;
        am_lif_params_default(&p);
        p.v0_sd = 3;
        am_snn_create(&n, 0.1, AM_INT_EXACT, 1);
        am_snn_add(n, 10, &p, NULL);
        ok(am_snn_v(n) == NULL && am_snn_spike_counts(n) == NULL, "no potentials or counts before the first run (NULL)");
        ok(am_snn_run(n, 0, NULL, 1) == AM_OK && am_snn_v(n) && am_snn_v(n)[0] != am_snn_v(n)[1] &&
               am_snn_spike_counts(n)[0] == 0 && am_snn_step_count(n) == 0,
           "a run of 0 steps draws the initial potentials");
        ok(am_snn_run(n, 5, NULL, 1) == AM_OK && am_snn_step_count(n) == 5, "5 steps");
        /* 5 + (2^64 - 1) wrapped to 4: the run did nothing and the counter went back */
        is_int(am_snn_run(n, UINT64_MAX, NULL, 1), AM_EOVERFLOW, "a run past 2^64 - 1 steps: AM_EOVERFLOW");
        is_int(am_snn_step_count(n), 5, "... and the step counter is unchanged");
        am_snn_free(n);
    }
    return done_testing();
}
