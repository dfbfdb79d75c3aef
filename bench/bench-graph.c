/* Benchmark W8: motif counting at connectome scale. A synthetic FlyWire-sized graph (N nodes, M edges,
 * log-normal propensities with sigma 1.4 (AM_SIGMA), a share of inhibitory nodes), then the XOR and lateral-inhibition
 * counts on T threads, and one null graph (rewiring at A attempts per edge). With a peer file argument the
 * graph is also written as CSV for ../shared/bench-style peers to read.
 * Usage: bench-graph N M [THREADS [ATTEMPTS [CSV]]] */
#include <stdio.h>
#include <stdlib.h>

#include "am/am.h"
#include "bench.h"

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench-graph: %s: %s\n", what, am_strerror(rc));
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench-graph N M [THREADS [ATTEMPTS [CSV]]]\n");
        return 2;
    }
    size_t n = strtoul(argv[1], NULL, 10), m = strtoul(argv[2], NULL, 10);
    int threads = argc > 3 ? atoi(argv[3]) : 0;
    double attempts = argc > 4 ? atof(argv[4]) : 10;
    double sigma = getenv("AM_SIGMA") ? atof(getenv("AM_SIGMA")) : 1.4;
    am_graph *g = NULL, *r = NULL;
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
    size_t acc = 0;
    t0 = bench_now();
    if ((rc = am_graph_rewire(g, attempts, 7, &r, &acc)))
        die("am_graph_rewire", rc);
    t1 = bench_now();
    printf("null graph: %.0f attempts per edge, %zu swaps in %.2f s (%.1f M attempts/s)\n", attempts, acc, t1 - t0,
           attempts * (double)am_graph_edges(g, 0) / (t1 - t0) / 1e6);
    am_graph_free(r);
    am_graph_free(g);
    return 0;
}
