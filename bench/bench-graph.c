/* Benchmark W8: motifs and null models at connectome scale.
 *   bench-graph N M [THREADS [ATTEMPTS [CSV]]]
 *     A synthetic FlyWire-sized graph (N nodes, M edges, log-normal propensities with sigma 1.4 (AM_SIGMA), a
 *     share of inhibitory nodes), the XOR, lateral-inhibition and signed XOR counts on THREADS threads, one
 *     null graph by swaps at ATTEMPTS attempts per edge and one by Curveball at AM_NULL_ROUNDS rounds (the
 *     mixing of 100 swap attempts per edge: README), each on one thread. CSV: the graph written for peers.
 *   bench-graph mixing (synthetic N M | EDGES [NEURONS])
 *     Mixing curves: the share of the graph's edges a null graph keeps, overall and at the hubs (the 1 % of
 *     nodes with most outgoing edges), against the work: swap attempts per edge, Curveball rounds.
 *   bench-graph motif EDGES NEURONS CSV
 *     The C. elegans connectome (c302's files) written as CSV for peers, and its XOR count timed (best of
 *     many, one thread). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "am/am.h"
#include "bench.h"

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench-graph: %s: %s\n", what, am_strerror(rc));
    exit(1);
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static am_graph *read_graph(const char *edges, const char *neurons)
{
    am_graph *g = NULL;
    char err[512] = "";
    int rc = neurons ? am_graph_read_c302(&g, edges, neurons, NULL, NULL, err, sizeof err)
                     : am_graph_read_csv(&g, edges, NULL, err, sizeof err);
    if (rc) {
        fprintf(stderr, "bench-graph: %s\n", err[0] ? err : am_strerror(rc));
        exit(1);
    }
    return g;
}

/* The least out-degree (both signs) of the 1 % of nodes with most outgoing edges. */
static size_t hub_degree(const am_graph *g)
{
    size_t n = am_graph_nodes(g), hist[4096] = {0}, want = n / 100 + 1, seen = 0, d = 4095;
    for (size_t u = 0; u < n; u++) {
        size_t k = am_graph_out_degree(g, u, 0);
        hist[k < 4095 ? k : 4095]++;
    }
    for (; d > 0 && (seen += hist[d]) < want; d--)
        ;
    return d ? d : 1;
}

/* The shares of g's edges that r keeps: all, and those leaving nodes of out-degree >= hub. */
static void kept(const am_graph *g, const am_graph *r, size_t hub, double *all, double *hubs)
{
    size_t m = am_graph_edges(g, 0), same = 0, hs = 0, hn = 0;
    for (size_t k = 0; k < m; k++) {
        size_t u, v;
        int sg;
        am_graph_edge(g, k, &u, &v, NULL, &sg);
        int h = am_graph_has_edge(r, u, v, sg);
        same += h;
        if (am_graph_out_degree(g, u, 0) >= hub)
            hn++, hs += h;
    }
    *all = (double)same / (double)m;
    *hubs = hn ? (double)hs / (double)hn : 0;
}

static void mixing_point(const am_graph *g, size_t hub, am_null_sampler s, double work)
{
    am_null_opts o;
    am_null_opts_default(&o);
    o.sampler = s;
    o.rounds = (unsigned)work;
    o.attempts_per_edge = work;
    am_graph *r = NULL;
    double t0 = cpu_now();
    int rc = am_graph_null_graph(g, &o, 101, &r, NULL);
    double t1 = cpu_now();
    if (rc)
        die("am_graph_null_graph", rc);
    double all, hubs;
    kept(g, r, hub, &all, &hubs);
    printf("%s\t%g\t%.5f\t%.5f\t%.3f\n", am_null_sampler_name(s), work, all, hubs, t1 - t0);
    fflush(stdout);
    am_graph_free(r);
}

static int mixing(int argc, char **argv)
{
    am_graph *g = NULL;
    int synth = argc > 4 && !strcmp(argv[2], "synthetic");
    if (synth) {
        int rc = am_graph_synthetic(&g, strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10), 0.2, 1.4, 1);
        if (rc)
            die("am_graph_synthetic", rc);
    } else if (argc > 2)
        g = read_graph(argv[2], argc > 3 ? argv[3] : NULL);
    else
        return 2;
    size_t hub = hub_degree(g);
    /* the swaps to 100 attempts per edge only where that is quick (C. elegans); 32 on the large graph */
    static const double attempts[] = {0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 100};
    static const double rounds[] = {1, 2, 4, 8, 16, 24, 32, 40, 64, 100};
    double amax = am_graph_edges(g, 0) > 1000000 ? 32 : 100;
    printf("# %zu nodes, %zu edges; hubs: out-degree >= %zu; seed 101; seconds: CPU time\n", am_graph_nodes(g),
           am_graph_edges(g, 0), hub);
    printf("sampler\twork\tkept\tkept_hubs\tseconds\n");
    for (size_t i = 0; i < sizeof attempts / sizeof *attempts && attempts[i] <= amax; i++)
        mixing_point(g, hub, AM_NULL_SWAP, attempts[i]);
    for (size_t i = 0; i < sizeof rounds / sizeof *rounds; i++)
        mixing_point(g, hub, AM_NULL_CURVEBALL, rounds[i]);
    am_graph_free(g);
    return 0;
}

static int motif(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    am_graph *g = read_graph(argv[2], argv[3]);
    FILE *f = fopen(argv[4], "w");
    if (!f || am_graph_write_csv(g, f) || fclose(f))
        die(argv[4], AM_EIO);
    double best = 1e30;
    uint64_t x = 0;
    for (int k = 0; k < 50; k++) {
        double t0 = bench_now();
        int rc = am_graph_count(g, AM_MOTIF_XOR, 1, &x);
        double t1 = bench_now();
        if (rc)
            die("am_graph_count", rc);
        best = t1 - t0 < best ? t1 - t0 : best;
    }
    printf("libam: xor %llu in %.6f s (best of 50, one thread)\n", (unsigned long long)x, best);
    am_graph_free(g);
    return 0;
}

/* One null graph of g by opts, timed; its seed 7. */
static double null_once(const am_graph *g, am_null_sampler s, double work, size_t *moved)
{
    am_null_opts o;
    am_null_opts_default(&o);
    o.sampler = s;
    if (s == AM_NULL_SWAP)
        o.attempts_per_edge = work;
    am_graph *r = NULL;
    double t0 = bench_now();
    int rc = am_graph_null_graph(g, &o, 7, &r, moved);
    double t1 = bench_now();
    if (rc)
        die("am_graph_null_graph", rc);
    am_graph_free(r);
    return t1 - t0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "mixing"))
        return mixing(argc, argv) ? (fprintf(stderr, "usage: bench-graph mixing (synthetic N M | EDGES [NEURONS])\n"), 2) : 0;
    if (argc > 1 && !strcmp(argv[1], "motif"))
        return motif(argc, argv) ? (fprintf(stderr, "usage: bench-graph motif EDGES NEURONS CSV\n"), 2) : 0;
    if (argc < 3) {
        fprintf(stderr, "usage: bench-graph N M [THREADS [ATTEMPTS [CSV]]]\n");
        return 2;
    }
    size_t n = strtoul(argv[1], NULL, 10), m = strtoul(argv[2], NULL, 10);
    int threads = argc > 3 ? atoi(argv[3]) : 0;
    double attempts = argc > 4 ? atof(argv[4]) : 10;
    double sigma = getenv("AM_SIGMA") ? atof(getenv("AM_SIGMA")) : 1.4;
    am_graph *g = NULL;
    double t0 = bench_now();
    int rc = am_graph_synthetic(&g, n, m, 0.2, sigma, 1);
    if (rc)
        die("am_graph_synthetic", rc);
    double t1 = bench_now();
    size_t maxo = 0, maxi = 0;
    for (size_t u = 0; u < n; u++) {
        if (am_graph_out_degree(g, u, 0) > maxo)
            maxo = am_graph_out_degree(g, u, 0);
        if (am_graph_in_degree(g, u, 0) > maxi)
            maxi = am_graph_in_degree(g, u, 0);
    }
    printf("graph: %zu nodes, %zu edges (%zu inhibitory), largest out-degree %zu, in-degree %zu; made in %.2f s\n", n,
           am_graph_edges(g, 0), am_graph_edges(g, AM_INH), maxo, maxi, t1 - t0);
    if (argc > 5) {
        FILE *f = fopen(argv[5], "w");
        if (!f || am_graph_write_csv(g, f) || fclose(f))
            die(argv[5], AM_EIO);
    }
    uint64_t x, l;
    t0 = bench_now();
    if ((rc = am_graph_count(g, AM_MOTIF_XOR, threads, &x)))
        die("am_graph_count xor", rc);
    t1 = bench_now();
    if ((rc = am_graph_count(g, AM_MOTIF_LATERAL, threads, &l)))
        die("am_graph_count lateral", rc);
    double t2 = bench_now();
    uint64_t sx;
    if ((rc = am_graph_count(g, AM_MOTIF_SIGNED_XOR, threads, &sx)))
        die("am_graph_count signed-xor", rc);
    double t3 = bench_now();
    printf("xor: %llu instances in %.2f s; lateral: %llu in %.2f s; signed xor: %llu in %.2f s (threads %d)\n",
           (unsigned long long)x, t1 - t0, (unsigned long long)l, t2 - t1, (unsigned long long)sx, t3 - t2, threads);
    size_t acc = 0, traded = 0;
    double ts = null_once(g, AM_NULL_SWAP, attempts, &acc);
    printf("null graph, swaps: %.0f attempts per edge, %zu swaps in %.2f s (%.2f M attempts/s)\n", attempts, acc, ts,
           attempts * (double)am_graph_edges(g, 0) / ts / 1e6);
    double tc = null_once(g, AM_NULL_CURVEBALL, 0, &traded);
    printf("null graph, curveball: %u rounds (the mixing of 100 swap attempts per edge), %zu edges traded in %.2f s "
           "(%.2f M equivalent attempts/s)\n",
           AM_NULL_ROUNDS, traded, tc, 100 * (double)am_graph_edges(g, 0) / tc / 1e6);
    am_graph_free(g);
    return 0;
}
