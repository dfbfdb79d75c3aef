/* Signed graphs: construction, the XOR / induced XOR / lateral-inhibition counters against brute force on
 * many random graphs and on graphs built with a known number of instances, the null model's invariants,
 * and the CSV and c302 readers (every malformed input a clear error naming its line). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "am/am.h"
#include "tap.h"

/* ---- brute force over all node tuples, from an adjacency matrix ---- */

static int adj[16][16]; /* bit 1: excitatory edge, bit 2: inhibitory edge */
static int nsg[16];     /* node identities */

static void fill_adj(const am_graph *g)
{
    memset(adj, 0, sizeof adj);
    for (size_t u = 0; u < am_graph_nodes(g) && u < 16; u++)
        nsg[u] = am_graph_node_sign(g, u);
    size_t m = am_graph_edges(g, 0);
    for (size_t k = 0; k < m; k++) {
        size_t s, d;
        int sg;
        am_graph_edge(g, k, &s, &d, NULL, &sg);
        adj[s][d] |= sg > 0 ? 1 : 2;
    }
}

static int E(int x, int y) { return adj[x][y] & 1; }
static int I(int x, int y) { return (adj[x][y] & 2) >> 1; }

/* The signed XOR's F+/F- completions of one XOR instance, both orientations, by brute force. */
static uint64_t brute_signed(int N, const int *v6)
{
    uint64_t c = 0;
    int so = nsg[v6[5]];
    if (!so)
        return 0;
    for (int orient = 0; orient < 2; orient++) {
        int a = v6[orient], b = v6[1 - orient], cc = v6[2 + orient], d = v6[3 - orient], o = v6[5];
        for (int p = 0; p < N; p++)
            for (int m = 0; m < N; m++) {
                int in6 = 0;
                for (int k = 0; k < 6; k++)
                    in6 |= p == v6[k] || m == v6[k];
                if (in6 || p == m || nsg[p] != 1 || nsg[m] != -1)
                    continue;
                int op = so > 0 ? E(o, p) : I(o, p), om = so > 0 ? E(o, m) : I(o, m);
                if (op && om && ((E(a, p) && E(b, m)) || (E(cc, p) && E(d, m))))
                    c++;
            }
    }
    return c;
}

static void brute(size_t n, uint64_t out[4])
{
    out[0] = out[1] = out[2] = out[3] = 0;
    int N = (int)n;
    for (int h = 0; h < N; h++)
        for (int c = 0; c < N; c++)
            for (int d = c + 1; d < N; d++) {
                if (c == h || d == h || !I(h, c) || !I(h, d))
                    continue;
                for (int a = 0; a < N; a++) {
                    if (a == h || a == c || a == d || !E(a, c) || !E(a, h))
                        continue;
                    for (int b = 0; b < N; b++) {
                        if (b == h || b == c || b == d || b == a || !E(b, d) || !E(b, h))
                            continue;
                        out[2]++;
                        for (int o = 0; o < N; o++) {
                            if (o == a || o == b || o == c || o == d || o == h || !E(c, o) || !E(d, o))
                                continue;
                            out[0]++;
                            int v[6] = {a, b, c, d, h, o}, edges = 0;
                            for (int x = 0; x < 6; x++)
                                for (int y = 0; y < 6; y++)
                                    if (x != y)
                                        edges += E(v[x], v[y]) + I(v[x], v[y]);
                            out[1] += edges == 8; /* the 8 required edges are there; nothing else */
                            out[3] += brute_signed(N, v);
                        }
                    }
                }
            }
}

static int counter(const uint32_t *v, void *ctx)
{
    (void)v;
    (*(uint64_t *)ctx)++;
    return 0;
}

typedef struct {
    uint32_t v[6];
    int n;
} first;

static int keep_first(const uint32_t *v, void *ctx)
{
    first *f = ctx;
    if (!f->n++)
        memcpy(f->v, v, sizeof f->v);
    return 0;
}

static am_graph *build(size_t n, size_t m, const uint32_t *s, const uint32_t *d, const int8_t *sg)
{
    am_graph *g = NULL;
    int rc = am_graph_from_edges(&g, n, NULL, NULL, m, s, d, NULL, sg);
    if (rc)
        printf("# from_edges: %s\n", am_strerror(rc));
    return g;
}

/* The canonical instance: a=0 b=1 c=2 d=3 h=4 o=5, plus extra o's 6 .. 5+extra. */
static am_graph *xor_graph(int extra, int with_cd)
{
    uint32_t s[64], d[64];
    int8_t sg[64];
    size_t m = 0;
#define EDGE(x, y, z) (s[m] = (x), d[m] = (y), sg[m] = (z), m++)
    EDGE(0, 2, 1), EDGE(0, 4, 1), EDGE(1, 3, 1), EDGE(1, 4, 1), EDGE(4, 2, -1), EDGE(4, 3, -1);
    for (int k = 0; k <= extra; k++)
        EDGE(2, 5 + k, 1), EDGE(3, 5 + k, 1);
    if (with_cd)
        EDGE(2, 3, 1);
#undef EDGE
    return build(6 + (size_t)extra, m, s, d, sg);
}

static void test_small(void)
{
    uint64_t k[3];
    am_graph *g = xor_graph(0, 0);
    ok(g && am_graph_nodes(g) == 6 && am_graph_edges(g, 1) == 6 && am_graph_edges(g, -1) == 2, "the single XOR: 6 nodes, 6 E and 2 I edges");
    int r0 = am_graph_count(g, AM_MOTIF_XOR, 1, &k[0]), r1 = am_graph_count(g, AM_MOTIF_XOR_INDUCED, 1, &k[1]),
        r2 = am_graph_count(g, AM_MOTIF_LATERAL, 1, &k[2]);
    ok(!r0 && !r1 && !r2 && k[0] == 1 && k[1] == 1 && k[2] == 1, "one XOR, one induced XOR, one lateral-inhibition motif");
    first f = {{0}, 0};
    am_graph_each(g, AM_MOTIF_XOR, keep_first, &f);
    ok(f.n == 1 && f.v[0] == 0 && f.v[1] == 1 && f.v[2] == 2 && f.v[3] == 3 && f.v[4] == 4 && f.v[5] == 5,
       "the instance is listed as a b c d h o = 0 1 2 3 4 5");
    ok(am_graph_node_sign(g, 4) == AM_INH && am_graph_node_sign(g, 0) == AM_EXC && am_graph_node_sign(g, 5) == 0,
       "node signs follow their outgoing edges (none: 0)");
    am_graph_free(g);

    for (int extra = 1; extra <= 6; extra += 5) {
        g = xor_graph(extra, 0);
        am_graph_count(g, AM_MOTIF_XOR, 2, &k[0]);
        am_graph_count(g, AM_MOTIF_XOR_INDUCED, 2, &k[1]);
        am_graph_count(g, AM_MOTIF_LATERAL, 2, &k[2]);
        ok(k[0] == (uint64_t)extra + 1 && k[1] == (uint64_t)extra + 1 && k[2] == 1,
           "a graph built with %d outputs has exactly %d XOR instances (%llu), all induced (%llu), 1 lateral", extra + 1,
           extra + 1, (unsigned long long)k[0], (unsigned long long)k[1]);
        am_graph_free(g);
    }
    g = xor_graph(2, 1);
    am_graph_count(g, AM_MOTIF_XOR, 1, &k[0]);
    am_graph_count(g, AM_MOTIF_XOR_INDUCED, 1, &k[1]);
    ok(k[0] == 3 && k[1] == 0, "an extra edge c->d: still 3 XOR instances, none induced");
    am_graph_free(g);

    /* symmetric duplicates: the swap (a,c) <-> (b,d) is one instance; two hubs make two */
    uint32_t s[] = {0, 0, 1, 1, 4, 4, 2, 3, 0, 1, 6, 6};
    uint32_t d[] = {2, 4, 3, 4, 2, 3, 5, 5, 6, 6, 2, 3};
    int8_t sg[] = {1, 1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1};
    g = build(7, 12, s, d, sg);
    am_graph_count(g, AM_MOTIF_XOR, 1, &k[0]);
    ok(k[0] == 2, "two hubs over the same laterals: 2 instances (got %llu)", (unsigned long long)k[0]);
    am_graph_free(g);

    /* the signed XOR: F+ = 6 and F- = 7 read out the XOR (o = 5) and a side each */
    {
        uint32_t ss[16] = {0, 0, 1, 1, 4, 4, 2, 3, 5, 5, 2, 3, 6, 7, 0, 1};
        uint32_t dd[16] = {2, 4, 3, 4, 2, 3, 5, 5, 6, 7, 6, 7, 0, 1, 6, 7};
        int8_t sgn[16] = {1, 1, 1, 1, -1, -1, 1, 1, 1, 1, 1, 1, 1, -1, 1, 1};
        uint64_t c1, c2, c3;
        am_graph *sg1 = build(8, 14, ss, dd, sgn);  /* variant B only */
        am_graph *sg2 = build(8, 16, ss, dd, sgn);  /* variants A and B: still one instance */
        ss[10] = 3, ss[11] = 2;                        /* d->F+, c->F-: the other orientation */
        am_graph *sg3 = build(8, 14, ss, dd, sgn);
        am_graph_count(sg1, AM_MOTIF_SIGNED_XOR, 1, &c1);
        am_graph_count(sg2, AM_MOTIF_SIGNED_XOR, 1, &c2);
        am_graph_count(sg3, AM_MOTIF_SIGNED_XOR, 1, &c3);
        first f8 = {{0}, 0};
        uint32_t got8[8] = {0};
        am_graph_each(sg3, AM_MOTIF_SIGNED_XOR, keep_first, &f8);
        memcpy(got8, f8.v, sizeof f8.v);
        ok(c1 == 1 && c2 == 1 && c3 == 1 && am_motif_size(AM_MOTIF_SIGNED_XOR) == 8,
           "the signed XOR: one instance with variant B, with A and B, and in the other orientation");
        ok(f8.n == 1 && got8[0] == 1 && got8[2] == 3, "the F+ side is listed first (a = 1, c = 3 when d feeds F+)");
        am_graph_free(sg1), am_graph_free(sg2), am_graph_free(sg3);
    }

    /* merging, self-loops, queries */
    uint32_t s2[] = {0, 0, 1, 2, 0};
    uint32_t d2[] = {1, 1, 1, 0, 1};
    int8_t sg2[] = {1, 1, 1, -1, -1};
    float w2[] = {2, 3, 5, 1, 4};
    const char *nm[] = {"A", "B", "C"};
    g = NULL;
    int rc = am_graph_from_edges(&g, 3, nm, NULL, 5, s2, d2, w2, sg2);
    size_t id = 9;
    float w = 0;
    size_t es, ed;
    am_graph_edge(g, 0, &es, &ed, &w, NULL);
    ok(!rc && am_graph_edges(g, 0) == 3 && w == 5.0f && es == 0 && ed == 1, "repeats merge (weights summed), self-loops drop");
    ok(!am_graph_find(g, "C", &id) && id == 2 && am_graph_find(g, "D", &id) == AM_EINVAL, "names are found, unknown ones refused");
    ok(am_graph_has_edge(g, 0, 1, AM_INH) && am_graph_has_edge(g, 0, 1, AM_EXC) && !am_graph_has_edge(g, 1, 0, 0) &&
           am_graph_out_degree(g, 0, 0) == 2 && am_graph_in_degree(g, 1, AM_EXC) == 1,
       "edges of both signs between one pair are kept apart");
    am_graph_free(g);
    const char *dup[] = {"A", "A"};
    uint32_t bad = 5;
    int8_t zero = 0;
    float nan_w = NAN;
    ok(am_graph_from_edges(&g, 2, dup, NULL, 0, NULL, NULL, NULL, NULL) == AM_EINVAL && !g, "repeated names are refused");
    ok(am_graph_from_edges(&g, 2, NULL, NULL, 1, &bad, s2, NULL, NULL) == AM_EINVAL, "a node id out of range is refused");
    ok(am_graph_from_edges(&g, 2, NULL, NULL, 1, s2, d2, NULL, &zero) == AM_EINVAL, "a sign other than +-1 is refused");
    ok(am_graph_from_edges(&g, 2, NULL, NULL, 1, s2, d2, &nan_w, NULL) == AM_ENOTFINITE, "a NaN weight is refused");
    float neg_w = -1, zero_w = 0;
    ok(am_graph_from_edges(&g, 2, NULL, NULL, 1, s2, d2, &neg_w, NULL) == AM_EINVAL && !g &&
       am_graph_from_edges(&g, 2, NULL, NULL, 1, s2, d2, &zero_w, NULL) == AM_EINVAL && !g,
       "a weight <= 0 is refused (as am_graph_read: a synapse count)");
    am_graph_free(NULL);
}

static void test_random(void)
{
    int agree = 1, each_agree = 1, threads_agree = 1, nonzero = 0, signed_nonzero = 0;
    for (int t = 0; t < 60; t++) {
        am_rng r;
        am_rng_init(&r, 77, (uint64_t)t);
        size_t n = 8 + am_rng_below(&r, 5); /* 8 .. 12 */
        double p = 0.02 + (t & 2 ? 0.4 : 0.12) * am_rng_uniform(&r);
        uint32_t s[256], d[256];
        int8_t sg[256];
        size_t m = 0;
        for (size_t x = 0; x < n; x++) {
            int inh = am_rng_uniform(&r) < 0.3;
            for (size_t y = 0; y < n; y++)
                if (x != y && am_rng_uniform(&r) < p && m < 256) {
                    s[m] = (uint32_t)x;
                    d[m] = (uint32_t)y;
                    /* mostly Dale's principle, sometimes a node of both signs */
                    sg[m++] = (int8_t)((am_rng_uniform(&r) < 0.1 ? !inh : inh) ? AM_INH : AM_EXC);
                }
        }
        /* plant one or two XOR motifs on random distinct nodes */
        for (int plant = 0; plant < 1 + (t & 1); plant++) {
            uint32_t v[12];
            for (size_t k = 0; k < n; k++)
                v[k] = (uint32_t)k;
            am_rng_shuffle_u32(&r, v, n);
            /* the XOR's 8 edges, then (in every third graph) F+ = 6 and F- = 7: o->F+, o->F-, c->F+, d->F- and
             * an outgoing edge of each readout's sign */
            static const int pe[14][3] = {{0, 2, 1}, {0, 4, 1}, {1, 3, 1}, {1, 4, 1}, {2, 5, 1}, {3, 5, 1}, {4, 2, -1},
                                          {4, 3, -1}, {5, 6, 1}, {5, 7, 1}, {2, 6, 1}, {3, 7, 1}, {6, 0, 1}, {7, 1, -1}};
            int ne = t % 3 == 0 ? 14 : 8;
            if (ne == 14) /* o and F+ send only excitatory edges, F- only inhibitory ones */
                for (size_t k = 0; k < m; k++)
                    if (s[k] == v[5] || s[k] == v[6] || s[k] == v[7])
                        sg[k] = (int8_t)(s[k] == v[7] ? AM_INH : AM_EXC);
            for (int k = 0; k < ne && m < 256; k++, m++) {
                s[m] = v[pe[k][0]];
                d[m] = v[pe[k][1]];
                sg[m] = (int8_t)pe[k][2];
            }
        }
        am_graph *g = build(n, m, s, d, sg);
        if (!g) {
            agree = 0;
            continue;
        }
        fill_adj(g);
        uint64_t want[4], got[4], got2[4], listed[4] = {0, 0, 0, 0};
        brute(n, want);
        am_motif mm[4] = {AM_MOTIF_XOR, AM_MOTIF_XOR_INDUCED, AM_MOTIF_LATERAL, AM_MOTIF_SIGNED_XOR};
        for (int j = 0; j < 4; j++) {
            am_graph_count(g, mm[j], 1, &got[j]);
            am_graph_count(g, mm[j], 3, &got2[j]);
            am_graph_each(g, mm[j], counter, &listed[j]);
            if (got[j] != want[j]) {
                agree = 0;
                printf("# graph %d (%zu nodes, %zu edges) %s: counted %llu, brute force %llu\n", t, n, m, am_motif_name(mm[j]),
                       (unsigned long long)got[j], (unsigned long long)want[j]);
            }
            each_agree &= listed[j] == want[j];
            threads_agree &= got2[j] == got[j];
        }
        nonzero += want[0] > 0 && want[1] > 0;
        signed_nonzero += want[3] > 0;
        am_graph_free(g);
    }
    ok(agree, "60 random signed graphs: XOR, induced XOR, lateral and signed XOR counts equal brute force over all node tuples");
    ok(each_agree, "listing the instances gives the same numbers");
    ok(threads_agree, "the counts are the same at 1 and 3 threads");
    ok(nonzero >= 3 && signed_nonzero >= 10, "the test graphs hold instances (%d graphs with induced XORs, %d with signed XORs)",
       nonzero, signed_nonzero);
}

/* ---- the null models' contract ---- */

typedef struct {
    int deg, weights; /* every node's in/out-degree per sign; its outgoing weights per sign (sum and sum of squares) */
    size_t loops, multi, both, same, m; /* self-loops; repeated or unordered rows; pairs with edges of both signs
                                           not in g; edges of g kept; edges */
} null_contract;

static null_contract check_null(const am_graph *g, const am_graph *r)
{
    null_contract c = {r != NULL, r != NULL, 0, 0, 0, 0, 0};
    size_t n = am_graph_nodes(g);
    if (!r)
        return c;
    for (size_t u = 0; u < n; u++)
        for (int s = -1; s <= 1; s += 2)
            c.deg &= am_graph_out_degree(g, u, s) == am_graph_out_degree(r, u, s) &&
                     am_graph_in_degree(g, u, s) == am_graph_in_degree(r, u, s);
    double *ws = calloc(4 * (n ? n : 1), sizeof *ws);
    c.m = am_graph_edges(r, 0);
    size_t ps = SIZE_MAX, pd = 0;
    int psg = 0;
    for (size_t k = 0; k < c.m; k++) {
        size_t s, d;
        int sg;
        float w;
        am_graph_edge(r, k, &s, &d, &w, &sg);
        c.loops += s == d;
        c.multi += s == ps && sg == psg && d <= pd;
        c.both += am_graph_has_edge(r, s, d, -sg) && !am_graph_has_edge(g, s, d, -sg);
        c.same += am_graph_has_edge(g, s, d, sg);
        ws[4 * s + 2 * (sg < 0)] += w;
        ws[4 * s + 2 * (sg < 0) + 1] += (double)w * w;
        ps = s, pd = d, psg = sg;
    }
    for (size_t k = 0; k < am_graph_edges(g, 0); k++) {
        size_t s;
        int sg;
        float w;
        am_graph_edge(g, k, &s, NULL, &w, &sg);
        ws[4 * s + 2 * (sg < 0)] -= w;
        ws[4 * s + 2 * (sg < 0) + 1] -= (double)w * w;
    }
    for (size_t k = 0; ws && k < 4 * n; k++)
        c.weights &= ws[k] > -1e-6 && ws[k] < 1e-6;
    c.weights &= ws != NULL;
    free(ws);
    return c;
}

static void test_null(void)
{
    am_graph *g = NULL, *r = NULL, *r2 = NULL;
    int rc = am_graph_synthetic(&g, 400, 4000, 0.25, 1.0, 5);
    ok(!rc && am_graph_nodes(g) == 400 && am_graph_edges(g, 0) == 4000, "a synthetic graph: 400 nodes, 4000 edges");
    size_t acc = 0;
    rc = am_graph_rewire(g, 100, 9, &r, &acc);
    null_contract nc = check_null(g, r);
    ok(!rc && nc.deg, "rewiring keeps every node's in- and out-degree within each sign");
    ok(!nc.loops && !nc.multi && !nc.both && nc.m == 4000, "no self-loops and no merged edges after rewiring (%zu edges)", nc.m);
    ok(nc.weights, "every node keeps its outgoing weights after rewiring");
    ok(acc > 100000 && nc.same < 1000, "swaps happen (%zu accepted), few original edges survive (%zu of 4000)", acc, nc.same);
    size_t m = nc.m;
    rc = am_graph_rewire(g, 100, 9, &r2, NULL);
    int ident = !rc && am_graph_edges(r2, 0) == m;
    for (size_t k = 0; ident && k < m; k++) {
        size_t s1, d1, s2, d2;
        am_graph_edge(r, k, &s1, &d1, NULL, NULL);
        am_graph_edge(r2, k, &s2, &d2, NULL, NULL);
        ident = s1 == s2 && d1 == d2;
    }
    ok(ident, "the same seed rewires the same way");
    am_graph_free(r);
    am_graph_free(r2);
    am_motif mm[2] = {AM_MOTIF_XOR, AM_MOTIF_LATERAL};
    uint64_t c1[12], c2[12];
    int e1 = am_graph_null(g, mm, 2, 6, 20, 3, 1, c1), e2 = am_graph_null(g, mm, 2, 6, 20, 3, 2, c2);
    ok(!e1 && !e2 && !memcmp(c1, c2, sizeof c1), "null counts are identical at 1 and 2 threads");
    uint64_t one[2];
    am_graph_null_one(g, mm, 2, 4, 20, 3, one);
    ok(one[0] == c1[8] && one[1] == c1[9], "null graph k alone gives the k-th row");
    am_graph *s2 = NULL;
    am_graph_synthetic(&s2, 400, 4000, 0.25, 1.0, 5);
    uint64_t a, b;
    am_graph_count(g, AM_MOTIF_XOR, 1, &a);
    am_graph_count(s2, AM_MOTIF_XOR, 1, &b);
    ok(a == b && a > 0, "synthetic graphs are deterministic in the seed and hold XOR motifs (%llu)", (unsigned long long)a);
    /* written as CSV and read back: the same counts of every motif */
    {
        char path[] = "/tmp/t-graph-syn-XXXXXX";
        int fd = mkstemp(path);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        int wrc = f ? am_graph_write_csv(s2, f) : AM_EIO;
        if (f)
            fclose(f);
        am_graph *back = NULL;
        char err[256];
        int same = !wrc && !am_graph_read_csv(&back, path, NULL, err, sizeof err);
        for (int mm2 = 0; same && mm2 < AM_MOTIFS; mm2++) {
            uint64_t x1, x2;
            am_graph_count(s2, (am_motif)mm2, 2, &x1);
            am_graph_count(back, (am_motif)mm2, 2, &x2);
            same = x1 == x2;
        }
        unlink(path);
        ok(same, "a synthetic graph written as CSV and read back has the same counts of every motif");
        am_graph_free(back);
    }
    ok(am_graph_synthetic(&r, 10, 40, 0.2, 1, 1) == AM_EINVAL && !r, "too many edges for the nodes is refused");
    ok(am_graph_rewire(g, -1, 1, &r, NULL) == AM_EINVAL, "a negative number of attempts is refused");
    am_graph_free(s2);
    am_graph_free(g);
}

/* Are a and b the same graph, edge by edge (weights too)? */
static int same_graph(const am_graph *a, const am_graph *b)
{
    if (!a || !b || am_graph_edges(a, 0) != am_graph_edges(b, 0))
        return 0;
    for (size_t k = 0; k < am_graph_edges(a, 0); k++) {
        size_t s1, d1, s2, d2;
        float w1, w2;
        am_graph_edge(a, k, &s1, &d1, &w1, NULL);
        am_graph_edge(b, k, &s2, &d2, &w2, NULL);
        if (s1 != s2 || d1 != d2 || w1 != w2)
            return 0;
    }
    return 1;
}

/* A graph of n nodes where every node's edges have random signs (nodes with edges of both signs; some pairs
 * linked with both signs) and random weights, degrees heavy-tailed enough that long rows meet short ones. */
static am_graph *mixed_graph(size_t n, size_t m, uint64_t seed)
{
    am_rng r;
    am_rng_init(&r, seed, 0);
    uint32_t *src = malloc(m * sizeof *src), *dst = malloc(m * sizeof *dst);
    float *w = malloc(m * sizeof *w);
    int8_t *sg = malloc(m);
    am_graph *g = NULL;
    for (size_t k = 0; src && dst && w && sg && k < m; k++) {
        double x = am_rng_uniform(&r);
        src[k] = (uint32_t)(x * x * x * (double)n); /* low ids have long rows */
        dst[k] = (uint32_t)am_rng_below(&r, n);
        w[k] = (float)(1 + am_rng_below(&r, 9));
        sg[k] = am_rng_uniform(&r) < 0.3 ? AM_INH : AM_EXC;
    }
    if (src && dst && w && sg)
        am_graph_from_edges(&g, n, NULL, NULL, m, src, dst, w, sg);
    free(src);
    free(dst);
    free(w);
    free(sg);
    return g;
}

/* Curveball: the swap model's contract, determinism, the same counts at any thread count, error paths, and
 * uniform sampling where the graphs can be listed. */
static void test_curveball(void)
{
    am_graph *g = NULL, *r = NULL, *r2 = NULL;
    am_graph_synthetic(&g, 400, 4000, 0.25, 1.4, 5);
    am_graph *mx = mixed_graph(300, 3000, 4);
    const am_graph *gs[2] = {g, mx};
    const char *what[2] = {"a synthetic graph (Dale: one sign per node)", "a graph whose nodes have edges of both signs"};
    for (int t = 0; t < 2; t++) {
        size_t traded = 0;
        int rc = am_graph_curveball(gs[t], 30, 9, &r, &traded);
        null_contract nc = check_null(gs[t], r);
        size_t m = am_graph_edges(gs[t], 0);
        ok(!rc && nc.deg && nc.m == m, "curveball keeps every node's in- and out-degree per sign: %s", what[t]);
        ok(!nc.loops && !nc.multi && !nc.both, "... no self-loops, no repeated edges, no new pair with both signs "
           "(%zu, %zu, %zu)", nc.loops, nc.multi, nc.both);
        ok(nc.weights, "... every node keeps its outgoing weights");
        ok(traded > m && nc.same < m / 2, "... edges are traded (%zu), most move (%zu of %zu stay)", traded, nc.same, m);
        rc = am_graph_curveball(gs[t], 30, 9, &r2, NULL);
        ok(!rc && same_graph(r, r2), "... the same seed gives the same graph, weights included");
        am_graph_free(r2);
        am_graph_curveball(gs[t], 30, 10, &r2, NULL);
        ok(r2 && !same_graph(r, r2), "... another seed another graph");
        am_graph_free(r2);
        am_graph_free(r);
        am_graph_curveball(gs[t], 0, 9, &r, &traded);
        ok(same_graph(gs[t], r) && traded == 0, "... 0 rounds: the graph itself");
        am_graph_free(r);
    }
    /* the null model's runs with the default sampler: the same counts at 1 and 2 threads, graph k alone */
    am_motif mm[2] = {AM_MOTIF_XOR, AM_MOTIF_LATERAL};
    uint64_t c1[12], c2[12], one[2], sw[12];
    am_null_opts o;
    am_null_opts_default(&o);
    ok(o.sampler == AM_NULL_CURVEBALL && o.rounds == AM_NULL_ROUNDS && !strcmp(am_null_sampler_name(o.sampler), "curveball"),
       "the default null model: Curveball at %u rounds", AM_NULL_ROUNDS);
    o.rounds = 20;
    int e1 = am_graph_null_counts(g, mm, 2, 6, &o, 3, 1, c1), e2 = am_graph_null_counts(g, mm, 2, 6, &o, 3, 2, c2);
    ok(!e1 && !e2 && !memcmp(c1, c2, sizeof c1), "curveball null counts are identical at 1 and 2 threads");
    am_graph_null_counts_one(g, mm, 2, 4, &o, 3, one);
    ok(one[0] == c1[8] && one[1] == c1[9], "curveball null graph k alone gives the k-th row");
    am_graph_null(g, mm, 2, 6, 20, 3, 1, c2);
    o.sampler = AM_NULL_SWAP;
    o.attempts_per_edge = 20;
    am_graph_null_counts(g, mm, 2, 6, &o, 3, 2, sw);
    ok(!memcmp(c2, sw, sizeof sw) && memcmp(c1, sw, sizeof sw), "am_graph_null is the swap sampler; curveball differs");
    /* error paths */
    ok(am_graph_curveball(g, AM_CURVEBALL_MAX_ROUNDS + 1, 1, &r, NULL) == AM_EINVAL && !r, "too many rounds: AM_EINVAL");
    ok(am_graph_curveball(NULL, 1, 1, &r, NULL) == AM_EINVAL && !r && am_graph_curveball(g, 1, 1, NULL, NULL) == AM_EINVAL,
       "curveball without a graph or an output: AM_EINVAL");
    o.sampler = (am_null_sampler)7;
    ok(am_graph_null_graph(g, &o, 1, &r, NULL) == AM_EINVAL && !r && am_graph_null_counts(g, mm, 2, 2, &o, 1, 1, c1) == AM_EINVAL &&
       !am_null_sampler_name(o.sampler), "an unknown sampler: AM_EINVAL");
    o.sampler = AM_NULL_SWAP;
    o.attempts_per_edge = -1;
    ok(am_graph_null_graph(g, &o, 1, &r, NULL) == AM_EINVAL && !r, "negative swap attempts in the options: AM_EINVAL");
    o.sampler = AM_NULL_CURVEBALL;
    o.rounds = AM_CURVEBALL_MAX_ROUNDS + 1;
    ok(am_graph_null_counts_one(g, mm, 2, 0, &o, 1, one) == AM_EINVAL, "too many rounds in the options: AM_EINVAL");
    am_graph_free(mx);
    am_graph_free(g);

    /* uniform over the graphs it reaches: out- and in-degree 1 at 5 nodes without self-loops are the 44
     * derangements of 5; the swap model reaches the same ones. 4400 chains of 20 rounds, chi-square. */
    uint32_t src[5] = {0, 1, 2, 3, 4}, dst[5] = {1, 2, 3, 4, 0};
    am_graph *d5 = NULL;
    am_graph_from_edges(&d5, 5, NULL, NULL, 5, src, dst, NULL, NULL);
    int hits[3125] = {0}, swh[3125] = {0}; /* by the targets as a base-5 number */
    for (int k = 0; k < 4400; k++) {
        am_graph *x = NULL, *y = NULL;
        am_graph_curveball(d5, 20, (uint64_t)k, &x, NULL);
        am_graph_rewire(d5, 20, (uint64_t)k, &y, NULL);
        int cx = 0, cy = 0;
        for (size_t e = 0; x && y && e < 5; e++) {
            size_t sx, dx, sy, dy;
            am_graph_edge(x, e, &sx, &dx, NULL, NULL);
            am_graph_edge(y, e, &sy, &dy, NULL, NULL);
            cx = cx * 5 + (int)dx;
            cy = cy * 5 + (int)dy;
        }
        hits[cx]++;
        swh[cy]++;
        am_graph_free(x);
        am_graph_free(y);
    }
    int states = 0, agree = 1;
    double chi = 0;
    for (int k = 0; k < 3125; k++) {
        agree &= !hits[k] == !swh[k];
        if (hits[k]) {
            states++;
            chi += (hits[k] - 100.0) * (hits[k] - 100.0) / 100.0;
        }
    }
    /* 43 degrees of freedom: P(chi2 > 80) ~ 5e-4 */
    ok(states == 44 && agree && chi < 80, "curveball samples the 44 derangements of 5 uniformly (chi2 %.1f, 43 dof), the "
       "ones the swaps reach", chi);
    am_graph_free(d5);

    /* a long row and a short one (the short-row trade): row 0 -> 1 (stays: a self-loop in row 1), 2 (row 1 holds
     * it too: stays) and 4 .. 17; row 1 -> 2 and 18. Row 1's other target is uniform over 4 .. 18. */
    uint32_t ls[18], ld[18];
    ls[0] = 0, ld[0] = 1, ls[1] = 0, ld[1] = 2;
    for (int k = 0; k < 14; k++)
        ls[2 + k] = 0, ld[2 + k] = (uint32_t)(4 + k);
    ls[16] = 1, ld[16] = 2, ls[17] = 1, ld[17] = 18;
    am_graph *lg = NULL;
    am_graph_from_edges(&lg, 19, NULL, NULL, 18, ls, ld, NULL, NULL);
    int got[19] = {0}, fine = lg != NULL;
    for (int k = 0; k < 1500; k++) {
        am_graph *x = NULL;
        am_graph_curveball(lg, 1, (uint64_t)k, &x, NULL);
        null_contract nc = check_null(lg, x);
        fine &= nc.deg && !nc.loops && !nc.multi && am_graph_has_edge(x, 0, 1, 0) && am_graph_has_edge(x, 0, 2, 0) &&
                am_graph_has_edge(x, 1, 2, 0);
        for (uint32_t t = 0; x && t < 19; t++)
            if (t != 2 && am_graph_has_edge(x, 1, t, 0))
                got[t]++;
        am_graph_free(x);
    }
    chi = 0;
    for (int t = 4; t <= 18; t++)
        chi += (got[t] - 100.0) * (got[t] - 100.0) / 100.0;
    /* 14 degrees of freedom: P(chi2 > 40) ~ 3e-4 */
    ok(fine && got[0] + got[1] + got[3] == 0 && chi < 40, "a long row trading with a short one: the fixed and shared "
       "targets stay, the short row's new target is uniform (chi2 %.1f, 14 dof)", chi);
    am_graph_free(lg);
}

static char dir[] = "/tmp/t-graph-XXXXXX";

static const char *put_file(const char *name, const char *text)
{
    static char path[8][512];
    static int k;
    char *p = path[k++ & 7];
    snprintf(p, 512, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
    return p;
}

/* The reader fails with status want and a message holding `has`. */
static void csv_err(const char *text, int want, const char *has, const char *what)
{
    char err[256];
    am_graph *g = NULL;
    int rc = am_graph_read_csv(&g, put_file("bad.csv", text), NULL, err, sizeof err);
    int good = rc == want && !g && strstr(err, has);
    ok(good, "%s: %s", what, err);
    if (!good)
        printf("#   status %d (%s), message '%s'\n", rc, am_strerror(rc), err);
}

static void test_csv(void)
{
    char err[256];
    am_graph *g = NULL;
    char p[512];
    snprintf(p, sizeof p, "%s", put_file("g.csv", "# a comment\nsource,target,weight,sign\n"
                                   " A , B ,2,+\nA,C,1,E\n\"B\",C,3.5,exc\nH,B,1,-\nH,C,2,inh\nA,B,1,+\n\nC,C,1,+\n"));
    int rc = am_graph_read_csv(&g, p, NULL, err, sizeof err);
    size_t a, b, h;
    ok(!rc && am_graph_nodes(g) == 4 && am_graph_edges(g, AM_EXC) == 3 && am_graph_edges(g, AM_INH) == 2,
       "generic CSV: 4 nodes, 3 E and 2 I edges (padding, quotes, comments, repeats, a self-loop)");
    am_graph_find(g, "A", &a);
    am_graph_find(g, "B", &b);
    am_graph_find(g, "H", &h);
    ok(am_graph_has_edge(g, h, b, AM_INH) && am_graph_node_sign(g, h) == AM_INH, "H is inhibitory");
    am_graph_free(g);
    const char *sg = put_file("signs.csv", "name,sign\nA,GABA\n");
    rc = am_graph_read_csv(&g, p, sg, err, sizeof err);
    am_graph_find(g, "A", &a);
    am_graph_find(g, "B", &b);
    ok(!rc && am_graph_has_edge(g, a, b, AM_INH) && !am_graph_has_edge(g, a, b, AM_EXC), "a sign table overrides A's edges to inhibitory");
    am_graph_free(g);
    rc = am_graph_read_csv(&g, put_file("cols.csv", "target,sign,source,weight\nB,-,A,1\n"), NULL, err, sizeof err);
    am_graph_find(g, "A", &a);
    am_graph_find(g, "B", &b);
    ok(!rc && am_graph_has_edge(g, a, b, AM_INH), "columns are found by the header's names");
    am_graph_free(g);
    rc = am_graph_read_csv(&g, put_file("nohead.csv", "A,B,1,+\n"), NULL, err, sizeof err);
    ok(!rc && am_graph_edges(g, 0) == 1, "the header is optional");
    am_graph_free(g);
    /* a written graph reads back, names with commas included */
    rc = am_graph_read_csv(&g, put_file("comma.csv", "\"x, y\",B,2.5,-\nB,\"x, y\",1,+\n"), NULL, err, sizeof err);
    char wpath[600];
    snprintf(wpath, sizeof wpath, "%s/written.csv", dir);
    FILE *wf = fopen(wpath, "w");
    int wrc = am_graph_write_csv(g, wf);
    fclose(wf);
    am_graph *g2 = NULL;
    int rrc = am_graph_read_csv(&g2, wpath, NULL, err, sizeof err);
    size_t xy = 0, bb = 0;
    int found = !rc && !rrc && !am_graph_find(g2, "x, y", &xy) && !am_graph_find(g2, "B", &bb);
    float w = 0;
    am_graph_edge(g2, 1, NULL, NULL, &w, NULL);
    ok(!wrc && found && am_graph_has_edge(g2, xy, bb, AM_INH) && am_graph_has_edge(g2, bb, xy, AM_EXC) && w == 2.5f,
       "a graph written as CSV reads back the same, a name with a comma included");
    am_graph_free(g);
    am_graph_free(g2);

    csv_err("source,target,weight\nA,B,1\n", AM_EFORMAT, "line 1: the header has no 'sign' column", "a missing column in the header");
    csv_err("A,B,1,+\nA,C,1\n", AM_EFORMAT, "line 2: 3 fields", "a row with a missing column");
    csv_err("A,B,1,+\n\nA,C,abc,+\n", AM_EFORMAT, "line 3: weight \"abc\"", "a weight that is not a number");
    csv_err("A,B,nan,+\n", AM_EFORMAT, "line 1: weight \"nan\"", "a NaN weight");
    csv_err("A,B,1e999,+\n", AM_EFORMAT, "line 1: weight", "an infinite weight");
    csv_err("A,B,-2,+\n", AM_EFORMAT, "line 1: weight \"-2\"", "a negative weight");
    csv_err("A,B,1,maybe\n", AM_EFORMAT, "line 1: sign \"maybe\"", "an unknown sign");
    csv_err("A,,1,+\n", AM_EFORMAT, "line 1: an empty target", "an empty name");
    csv_err("A,B,1,+\n\"C\tD\",B,1,+\n", AM_EFORMAT, "line 2: the source name \"C\\x09D\" holds a control character",
            "a tab in a node name (it would break every table the name is written to)");
    csv_err("A,\"B\x1b[2J\",1,+\n", AM_EFORMAT, "line 1: the target name", "an escape sequence in a node name");
    {
        char p[512], pe[512], ps[512], err[256];
        am_graph *g = NULL;
        snprintf(p, sizeof p, "%s", put_file("nul2.csv", "A,B,1,+\n"));
        snprintf(pe, sizeof pe, "%s/nul.csv", dir);
        snprintf(ps, sizeof ps, "%s/nuls.csv", dir);
        FILE *f = fopen(pe, "wb");
        fwrite("A,B,1,+\nB\0C,A,1,-\n", 1, 18, f);
        fclose(f);
        f = fopen(ps, "wb");
        fwrite("A,+\nB\0x,-\n", 1, 11, f);
        fclose(f);
        int rc = am_graph_read_csv(&g, pe, NULL, err, sizeof err);
        ok(rc == AM_EFORMAT && strstr(err, "line 2: a NUL byte in \"B\\x00C,A,1,-\""), "a NUL byte in an edge line: %s", err);
        rc = am_graph_read_csv(&g, p, ps, err, sizeof err);
        ok(rc == AM_EFORMAT && strstr(err, "line 2: a NUL byte in \"B\\x00x,-\""), "and in a sign line: %s", err);
        unlink(pe), unlink(ps), unlink(p);
    }
    csv_err("A,B,1,\001\033[2J\377\n", AM_EFORMAT, "line 1: sign \"\\x01\\x1b[2J\\xff\" is not",
            "a sign with control bytes and invalid UTF-8, quoted and escaped in the message");
    rc = am_graph_read_csv(&g, p, put_file("s2.csv", "A,+\nZ,-\n"), err, sizeof err);
    ok(rc == AM_EINVAL && strstr(err, "line 2: no neuron \"Z\""), "a sign table naming an unknown neuron: %s", err);
    rc = am_graph_read_csv(&g, p, put_file("s3.csv", "A,+,x\n"), err, sizeof err);
    ok(rc == AM_EFORMAT && strstr(err, "line 1: 3 fields"), "a sign table row with 3 fields: %s", err);
    rc = am_graph_read_csv(&g, "/nonexistent/g.csv", NULL, err, sizeof err);
    ok(rc == AM_ERRNO(ENOENT) && strstr(err, "No such file"), "a missing file keeps errno: %s", err);
    rc = am_graph_read_csv(&g, dir, NULL, err, sizeof err);
    ok(rc == AM_ERRNO(EISDIR), "a directory is refused: %s", err);
}

static const char json[] = "{\n \"comment\": \"test\",\n \"muscle_info\": {\"MDL01\": [\"x\", [], [], [], \"?\", \"0\"]},\n"
                           " \"neuron_info\": {\n"
                           "  \"AVAL\": [\"u\", [\"interneuron\"], [], [\"Glutamate\"], \"+ (In)\", \"1 0 .4\"],\n"
                           "  \"DD1\": [\"u\", [\"motor\"], [], [\"GABA\"], \"- (Mo)\", \"1\"],\n"
                           "  \"VB1\": [\"u\", [\"motor\"], [], [\"Acetylcholine\"], \"+\", \"1\"],\n"
                           "  \"CANL\": [\"u\", [], [], [], \"?\", \"1\"]\n }\n}\n";

/* Mean and sd of column j of counts (n rows of 2). */
static void mean_sd(const uint64_t *c, size_t n, int j, double *mean, double *sd)
{
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)c[2 * i + j];
    *mean = s / (double)n;
    for (size_t i = 0; i < n; i++)
        s2 += ((double)c[2 * i + j] - *mean) * ((double)c[2 * i + j] - *mean);
    *sd = sqrt(s2 / (double)(n - 1));
}

/* Do the null distributions of a and b (n graphs each) agree: the means by a z-test (|z| < 4), the variances
 * by their ratio (within [0.6, 1.67]: for 200 graphs each, F(199, 199) outside it has p < 3e-4)? */
static int same_null(const uint64_t *a, const uint64_t *b, size_t n, int j, double *z, double *ratio)
{
    double ma, sa, mb, sb;
    mean_sd(a, n, j, &ma, &sa);
    mean_sd(b, n, j, &mb, &sb);
    *z = (ma - mb) / sqrt((sa * sa + sb * sb) / (double)n);
    *ratio = sa * sa / (sb * sb);
    return fabs(*z) < 4 && *ratio > 0.6 && *ratio < 1.67;
}

/* On C. elegans, Curveball at its default rounds and the swap model sample the same null distribution of
 * the XOR and lateral counts (200 graphs each); Curveball at 2 rounds (not mixed) is told apart. */
static void null_equivalence(const am_graph *g)
{
    enum { K = 200 };
    static uint64_t cb[2 * K], sw[2 * K], raw[2 * K];
    am_motif mm[2] = {AM_MOTIF_XOR, AM_MOTIF_LATERAL};
    am_null_opts oc, os;
    am_null_opts_default(&oc);
    am_null_opts_default(&os);
    os.sampler = AM_NULL_SWAP;
    os.attempts_per_edge = 10; /* the swaps' edge overlap with the graph is at its floor from about 4 */
    int rc = am_graph_null_counts(g, mm, 2, K, &oc, 1, 0, cb) | am_graph_null_counts(g, mm, 2, K, &os, 2, 0, sw);
    oc.rounds = 2;
    rc |= am_graph_null_counts(g, mm, 2, K, &oc, 1, 0, raw);
    for (int j = 0; j < 2; j++) {
        double z = 0, ratio = 0, z2 = 0, ratio2 = 0;
        int same = !rc && same_null(cb, sw, K, j, &z, &ratio);
        ok(same, "C. elegans %s counts: Curveball (%u rounds) and swaps (10 per edge) agree over %d null graphs "
           "(z %.2f, variance ratio %.2f)", am_motif_name(mm[j]), AM_NULL_ROUNDS, K, z, ratio);
        int apart = !same_null(raw, sw, K, j, &z2, &ratio2);
        ok(apart, "... and the check tells Curveball at 2 rounds apart (z %.1f, "
           "variance ratio %.2f)", z2, ratio2);
    }
}

static void test_c302(void)
{
    char err[256];
    size_t st[4];
    am_graph *g = NULL;
    const char *nj = put_file("n.json", json);
    const char *ed = put_file("e.csv", "Source,Target,Weight,Type\nAVAL , VB01 ,3,chemical\nDD01,VB01,2,chemical\n"
                                    "DD01,AVAL,1,electrical\nVB01,MDL01,4,chemical\nVB01,hyp,1,chemical\nAVAL,DD01,5,chemical\n");
    int rc = am_graph_read_c302(&g, ed, nj, NULL, st, err, sizeof err);
    size_t dd, vb, av;
    am_graph_find(g, "DD1", &dd);
    am_graph_find(g, "VB1", &vb);
    am_graph_find(g, "AVAL", &av);
    if (rc)
        printf("# %s\n", err);
    ok(!rc && am_graph_nodes(g) == 4 && am_graph_edges(g, 0) == 3 && st[0] == 6 && st[1] == 3 && st[2] == 1 && st[3] == 2,
       "c302 fixture: 4 neurons, 3 chemical neuron edges; 1 electrical and 2 to muscles/organs dropped");
    ok(am_graph_has_edge(g, dd, vb, AM_INH) && am_graph_has_edge(g, av, vb, AM_EXC) && am_graph_node_sign(g, dd) == AM_INH &&
           am_graph_node_sign(g, vb) == AM_EXC,
       "GABA neurons are inhibitory, zero-padded names (DD01) match the table (DD1)");
    am_graph_free(g);
    rc = am_graph_read_c302(&g, ed, nj, put_file("s.csv", "DD1,Acetylcholine\n"), NULL, err, sizeof err);
    am_graph_find(g, "DD1", &dd);
    am_graph_find(g, "VB1", &vb);
    ok(!rc && am_graph_has_edge(g, dd, vb, AM_EXC), "a transmitter table overrides a neuron's sign");
    am_graph_free(g);
    struct {
        const char *edges, *json, *has;
    } bad[] = {
        {"Source,Target,Weight,Type\nAVAL,XYZ9,1,chemical\n", json, "line 2: \"XYZ9\" is neither a neuron"},
        {"Source,Target,Weight,Type\nAVAL,VB01,1,chemical\nAVAL,VB01,x,chemical\n", json, "line 3: weight \"x\""},
        {"Source,Target,Weight,Type\nAVAL,VB01,1,glue\n", json, "line 2: type \"glue\""},
        {"Source,Target,Weight,Type\nAVAL,VB01,1\n", json, "line 2: 3 fields"},
        {"From,To,W\n", json, "line 1: expected the header"},
        {"Source,Target,Weight,Type\n", "{\"neuron_info\": {\"A\": [1, 2,\n", "line 2:"},
        {"Source,Target,Weight,Type\n", "{\"neuron_info\": {\"A\": [\"u\", [], [], [\"GABA\"]]}}\n}", "text after"},
        {"Source,Target,Weight,Type\n", "{\"other\": 1}", "no \"neuron_info\""},
        {"Source,Target,Weight,Type\n", "{\"neuron_info\": {\"A\": [], \"A\": []}}", "listed twice"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        err[0] = 0;
        rc = am_graph_read_c302(&g, put_file("b.csv", bad[k].edges), put_file("b.json", bad[k].json), NULL, NULL, err, sizeof err);
        ok(rc < 0 && !g && strstr(err, bad[k].has), "malformed c302 input %zu is refused: %s", k, err);
    }

    const char *data = getenv("AM_CELEGANS");
    char e2[512], n2[512];
    snprintf(e2, sizeof e2, "%s/herm_full_edgelist.csv", data ? data : "../shared/data/celegans");
    snprintf(n2, sizeof n2, "%s/owmeta_cache.json", data ? data : "../shared/data/celegans");
    if (access(e2, R_OK) || access(n2, R_OK)) {
        printf("ok %d # SKIP no C. elegans data at %s\n", ++tap_n, e2);
        return;
    }
    rc = am_graph_read_c302(&g, e2, n2, NULL, st, err, sizeof err);
    size_t inh = 0;
    for (size_t u = 0; g && u < am_graph_nodes(g); u++)
        inh += am_graph_node_sign(g, u) == AM_INH;
    ok(!rc && am_graph_nodes(g) == 302 && inh == 26 && st[0] == 7379 && st[1] == 3638,
       "C. elegans (Cook 2019 via c302): 302 neurons, 26 GABAergic, 3638 chemical neuron rows (%s)", rc ? err : "read");
    uint64_t k1 = 0, k2 = 0;
    am_graph_count(g, AM_MOTIF_XOR, 1, &k1);
    am_graph_count(g, AM_MOTIF_XOR, 2, &k2);
    uint64_t listed = 0;
    am_graph_each(g, AM_MOTIF_XOR, counter, &listed);
    ok(k1 == k2 && k1 == listed && k1 > 0, "its XOR motifs: %llu, the same listed and on 2 threads", (unsigned long long)k1);
    null_equivalence(g);
    am_graph_free(g);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_small();
    test_random();
    test_null();
    test_curveball();
    test_csv();
    test_c302();
    /* the scratch folder holds only files this test wrote, by name */
    static const char *const files[] = {"g.csv", "signs.csv", "cols.csv", "nohead.csv", "bad.csv", "s2.csv", "s3.csv",
                                        "n.json", "e.csv", "s.csv", "b.csv", "b.json", "comma.csv", "written.csv"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, files[k]);
        unlink(p);
    }
    ok(rmdir(dir) == 0, "the scratch folder is empty at the end");
    return done_testing();
}
