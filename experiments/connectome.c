/* connectome — the XOR motif of Marco de Lucas, Lloret Iglesias and Peña Fernández (2024) in a signed
 * connectome (am/graph.h): counts, instances, the neurons that take part most, enrichment against a
 * degree-preserving null model, and synthetic graphs of any size. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"

static const char usage_text[] =
    "Usage: connectome COMMAND [options]   (connectome COMMAND --help for each)\n"
    "  count      the XOR, induced XOR and lateral-inhibition motifs in a graph\n"
    "  list       every instance of one motif (node names by role)\n"
    "  top        the neurons that take part in most instances, by role\n"
    "  null       enrichment and z-scores against degree-preserving null graphs (Curveball or swaps)\n"
    "  synthetic  write a random graph with heavy-tailed degrees as CSV (FlyWire-sized by default)\n"
    "Graphs: --edges FILE with --neurons FILE reads the C. elegans connectome as openworm/c302 ships it\n"
    "(herm_full_edgelist.csv + owmeta_cache.json); --edges FILE alone a CSV source,target,weight,sign.\n"
    "Examples:\n"
    "  connectome count --edges herm_full_edgelist.csv --neurons owmeta_cache.json\n"
    "  connectome null --edges herm_full_edgelist.csv --neurons owmeta_cache.json --graphs 1000 --out null.tsv\n"
    "  connectome synthetic --out flywire-like.csv\n";

static const char graph_desc[] =
    "Motifs (a, b inputs; c, d laterals; h inhibitory hub; o XOR output):\n"
    "  xor          a->c a->h b->d b->h c->o d->o excitatory, h->c h->d inhibitory; six distinct neurons;\n"
    "               other edges among them allowed; the swap (a,c)<->(b,d) is the same instance\n"
    "  xor-induced  the same with exactly those eight edges among the six neurons\n"
    "  lateral      feed-forward lateral inhibition, the XOR without o: a->c a->h b->d b->h, h->c h->d\n"
    "  signed-xor   the eight-neuron signed XOR: an xor instance plus p (F+, excitatory) and m (F-, inhibitory)\n"
    "               with o->p, o->m of o's sign and a->p, b->m or c->p, d->m excitatory\n"
    "Signs: an edge has its presynaptic neuron's sign; in c302's table GABA neurons are inhibitory and all\n"
    "others excitatory; --signs FILE (lines name,sign with sign + - E I or a transmitter) overrides it.\n";

typedef struct {
    const char *edges, *neurons, *signs;
} source;

#define GRAPH_CMDS "count,list,top,null"
#define SOURCE_OPTS(s)                                                                                             \
    {"edges", AM_OPT_STRING, &(s).edges, "FILE", "edge list: c302's (with --neurons) or source,target,weight,sign", \
     GRAPH_CMDS, 0},                                                                                                \
        {"neurons", AM_OPT_STRING, &(s).neurons, "FILE", "c302 neuron table (owmeta_cache.json)", GRAPH_CMDS, 0},    \
        {"signs", AM_OPT_STRING, &(s).signs, "FILE", "name,sign lines overriding neuron signs", GRAPH_CMDS, 0}

static am_graph *load(const am_run *run, const source *s, size_t st[4])
{
    if (!s->edges) {
        am_run_error(run, "--edges FILE is required");
        return NULL;
    }
    char err[512];
    am_graph *g = NULL;
    int rc = s->neurons ? am_graph_read_c302(&g, s->edges, s->neurons, s->signs, st, err, sizeof err)
                        : am_graph_read_csv(&g, s->edges, s->signs, err, sizeof err);
    if (rc) {
        am_run_error(run, "%s", err[0] ? err : am_strerror(rc));
        return NULL;
    }
    return g;
}

static void describe(FILE *out, const am_graph *g, const source *s, const size_t st[4])
{
    size_t inh = 0;
    for (size_t u = 0; u < am_graph_nodes(g); u++)
        inh += am_graph_node_sign(g, u) == AM_INH;
    fprintf(out, "# graph: %zu nodes (%zu inhibitory), %zu excitatory and %zu inhibitory edges\n", am_graph_nodes(g), inh,
            am_graph_edges(g, AM_EXC), am_graph_edges(g, AM_INH));
    if (s->neurons)
        fprintf(out, "# c302 rows: %zu read, %zu chemical neuron-to-neuron kept, %zu electrical and %zu chemical to or "
                     "from non-neurons dropped\n",
                st[0], st[1], st[2], st[3]);
}

static int parse_motif(const am_run *run, const char *s, am_motif *m)
{
    for (int k = 0; k < AM_MOTIFS; k++)
        if (!strcmp(s, am_motif_name((am_motif)k))) {
            *m = (am_motif)k;
            return 0;
        }
    am_run_error(run, "--motif: %s is not xor, xor-induced, lateral or signed-xor", AM__QUOTE(s));
    return -1;
}


typedef struct {
    const am_graph *g;
    FILE *out;
    uint64_t max, n;
    int size;
} lister;

static int list_one(const uint32_t *v, void *vctx)
{
    lister *l = vctx;
    if (l->max && l->n >= l->max)
        return 1;
    l->n++;
    for (int k = 0; k < l->size; k++)
        fprintf(l->out, "%s%s", k ? "\t" : "", am_graph_name(l->g, v[k]));
    fputc('\n', l->out);
    return 0;
}

typedef struct {
    uint64_t (*by)[5]; /* per node: as input (a, b), lateral (c, d), hub, output, readout (F+, F-) */
    int size;
} tally;

static int tally_one(const uint32_t *v, void *vctx)
{
    tally *t = vctx;
    static const int role[8] = {0, 0, 1, 1, 2, 3, 4, 4};
    for (int k = 0; k < t->size; k++)
        t->by[v[k]][role[k]]++;
    return 0;
}

static const am_motif all_motifs[AM_MOTIFS] = {AM_MOTIF_XOR, AM_MOTIF_XOR_INDUCED, AM_MOTIF_LATERAL, AM_MOTIF_SIGNED_XOR};

/* null's --motif: a comma list of motif names (NULL: all four), in the order given, each once. */
static int parse_motif_list(const am_run *run, const char *s, am_motif *m, int *n)
{
    *n = 0;
    if (!s) {
        memcpy(m, all_motifs, sizeof all_motifs);
        *n = AM_MOTIFS;
        return 0;
    }
    char buf[128];
    if (strlen(s) >= sizeof buf || !*s) {
        am_run_error(run, "--motif: give one or more of xor, xor-induced, lateral, signed-xor, separated by commas");
        return -1;
    }
    strcpy(buf, s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        am_motif k;
        if (parse_motif(run, t, &k))
            return -1;
        for (int i = 0; i < *n; i++)
            if (m[i] == k) {
                am_run_error(run, "--motif: %s is given twice", AM__QUOTE(t));
                return -1;
            }
        m[(*n)++] = k;
    }
    if (!*n) {
        am_run_error(run, "--motif: give one or more of xor, xor-induced, lateral, signed-xor, separated by commas");
        return -1;
    }
    return 0;
}

typedef struct {
    const am_graph *g;
    am_null_opts opts;
    uint64_t seed;
    const am_motif *motifs;
    int nm;
} null_ctx;

static int null_job(size_t job, int thread, void *result, void *vctx)
{
    (void)thread;
    const null_ctx *c = vctx;
    return am_graph_null_counts_one(c->g, c->motifs, (size_t)c->nm, job, &c->opts, c->seed, result);
}

/* The null model's options from --sampler, --rounds (UINT64_MAX: not given) and --attempts (NaN: not given):
 * Curveball unless --sampler swap or --attempts alone; each work option only with its sampler. */
static int null_sampler(const am_run *run, const char *name, uint64_t rounds, double attempts, am_null_opts *o)
{
    am_null_opts_default(o);
    if (name && strcmp(name, "curveball") && strcmp(name, "swap")) {
        am_run_error(run, "--sampler: %s is not curveball or swap", AM__QUOTE(name));
        return -1;
    }
    if ((name && !strcmp(name, "swap")) || (!name && !isnan(attempts)))
        o->sampler = AM_NULL_SWAP;
    if (o->sampler == AM_NULL_SWAP ? rounds != UINT64_MAX : !isnan(attempts)) {
        am_run_error(run, o->sampler == AM_NULL_SWAP ? "--rounds is Curveball's: with --sampler swap give --attempts"
                                                     : "--attempts is the swap sampler's: with Curveball give --rounds");
        return -1;
    }
    if (rounds != UINT64_MAX)
        o->rounds = (unsigned)rounds;
    if (!isnan(attempts))
        o->attempts_per_edge = attempts;
    return 0;
}

static uint64_t *top_order; /* qsort context: totals */

static int by_total(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (top_order[x] != top_order[y])
        return top_order[x] < top_order[y] ? 1 : -1;
    return (x > y) - (x < y);
}

/* null: the observed counts of the chosen motifs, `graphs` null graphs' counts (one job each), and per motif
 * the null mean, sd, range, enrichment, z and upper p-value; each graph's counts to per_graph when given. */
static int null_run(am_run *run, FILE *out, const am_graph *g, const am_null_opts *nopts, const am_motif *motifs,
                    int nm, uint64_t graphs, const char *per_graph)
{
    uint64_t obs[AM_MOTIFS];
    int rc = 0;
    for (int k = 0; k < nm && !rc; k++)
        rc = am_graph_count(g, motifs[k], run->threads, &obs[k]);
    uint64_t *res = rc ? NULL : calloc(graphs * nm, sizeof *res);
    null_ctx c = {g, *nopts, run->seed, motifs, nm};
    am_jobs jobs = {.count = graphs, .result_size = nm * sizeof(uint64_t), .fn = null_job, .ctx = &c};
    size_t failed = 0;
    if (!rc && !res)
        rc = AM_ENOMEM;
    if (!rc && (rc = am_run_jobs(run, &jobs, res, &failed)))
        am_run_error(run, "null graph %zu: %s", failed, am_strerror(rc));
    if (!rc && per_graph && am_run_is_root(run)) {
        am_run_file h;
        FILE *pf = am_run_file_open(run, per_graph, 1, &h);
        if (!pf)
            rc = AM_EIO;
        else {
            fprintf(pf, "graph");
            for (int k = 0; k < nm; k++)
                fprintf(pf, "\t%s", am_motif_name(motifs[k]));
            fputc('\n', pf);
            for (size_t i = 0; i < graphs; i++) {
                fprintf(pf, "%zu", i);
                for (int k = 0; k < nm; k++)
                    fprintf(pf, "\t%llu", (unsigned long long)res[i * nm + k]);
                fputc('\n', pf);
            }
            if (am_run_file_close(run, &h, per_graph))
                rc = AM_EIO;
        }
    }
    if (!rc && am_run_is_root(run)) {
        if (nopts->sampler == AM_NULL_SWAP)
            fprintf(out, "# null model: %llu graphs, %g swap attempts per edge within each sign class, graph k from "
                         "stream (seed, k)\n",
                    (unsigned long long)graphs, nopts->attempts_per_edge);
        else
            fprintf(out, "# null model: %llu graphs, %u Curveball rounds within each sign class, graph k from stream "
                         "(seed, k)\n",
                    (unsigned long long)graphs, nopts->rounds);
        fprintf(out, "# p_upper: (1 + null graphs with at least the observed count) / (1 + graphs)\n");
        fprintf(out, "motif\tobserved\tnull_mean\tnull_sd\tnull_min\tnull_max\tenrichment\tz\tp_upper\n");
        for (int k = 0; k < nm; k++) {
            double s1 = 0, s2 = 0;
            uint64_t lo = UINT64_MAX, hi = 0, ge = 0;
            for (size_t i = 0; i < graphs; i++) {
                uint64_t v = res[i * nm + k];
                s1 += (double)v;
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
                ge += v >= obs[k];
            }
            double mean = s1 / (double)graphs;
            for (size_t i = 0; i < graphs; i++)
                s2 += ((double)res[i * nm + k] - mean) * ((double)res[i * nm + k] - mean);
            double sd = sqrt(s2 / (double)(graphs - 1));
            fprintf(out, "%s\t%llu\t%.3f\t%.3f\t%llu\t%llu\t%.3f\t%.2f\t%.4f\n", am_motif_name(motifs[k]),
                    (unsigned long long)obs[k], mean, sd, (unsigned long long)lo, (unsigned long long)hi,
                    mean > 0 ? (double)obs[k] / mean : INFINITY, sd > 0 ? ((double)obs[k] - mean) / sd : NAN,
                    (double)(1 + ge) / (double)(1 + graphs));
        }
    }
    free(res);
    return rc;
}

static int cmd(int argc, char **argv, const char *which)
{
    static const char *const examples[][2] = {
        {"count", "connectome count --edges herm_full_edgelist.csv --neurons owmeta_cache.json --out counts.tsv\n"
                  "connectome count --edges graph.csv --motif xor,signed-xor --threads 2"},
        {"list", "connectome list --edges herm_full_edgelist.csv --neurons owmeta_cache.json --motif xor --max 20\n"
                 "connectome list --edges graph.csv --motif lateral --out lateral.tsv"},
        {"top", "connectome top --edges herm_full_edgelist.csv --neurons owmeta_cache.json --motif signed-xor --top 10"},
        {"null", "connectome null --edges herm_full_edgelist.csv --neurons owmeta_cache.json --graphs 1000 --out null.tsv\n"
                 "connectome null --edges flywire-like.csv --motif xor --graphs 1000 --out null.tsv\n"
                 "connectome null --edges graph.csv --graphs 20 --rounds 80 --per-graph graphs.tsv --out null.tsv\n"
                 "connectome null --edges graph.csv --graphs 20 --sampler swap --attempts 10 --out null.tsv"},
        {"synthetic", "connectome synthetic --out flywire-like.csv\n"
                      "connectome synthetic --nodes 10000 --edges-count 200000 --inh-share 0.2 --out small.csv"},
    };
    static const char *const columns[][2] = {
        {"count", "Columns: motif, count (its instances in the graph).\n"},
        {"list", "Columns: one instance per row, node names in role order a b c d h o (lateral: no o; signed-xor:\n"
                 "then p m).\n"},
        {"top", "Columns: neuron, sign, instances (of the motif it takes part in), then how many as_input (a, b),\n"
                "as_lateral (c, d), as_hub (h), as_output (o), as_readout (p, m).\n"},
        {"null", "Columns: motif; observed (its count in the graph); null_mean, null_sd (n - 1), null_min, null_max\n"
                 "(over the null graphs); enrichment (observed / null_mean); z ((observed - null_mean) / null_sd);\n"
                 "p_upper ((1 + null graphs counting at least the observed) / (1 + graphs)). --per-graph FILE: a row\n"
                 "per null graph, its index then a count per motif.\n"},
        {"synthetic", "Output: CSV source,target,weight,sign (a node's sign is that of all its outgoing edges).\n"},
    };
    static char desc[4096];
    const char *ex = am_run_lookup(examples, sizeof examples / sizeof *examples, which);
    const char *cols = am_run_lookup(columns, sizeof columns / sizeof *columns, which);
    snprintf(desc, sizeof desc, "%s%s", graph_desc, cols ? cols : "");
    am_run run = {.program = "connectome", .subcommand = which, .description = desc, .seed = 1, .examples = ex};
    source s = {NULL, NULL, NULL};
    const char *motif_s = NULL, *per_graph = NULL, *sampler_s = NULL; /* motif_s NULL: list/top xor, null all four */
    uint64_t max = 0, graphs = 100, nodes = 130000, edges = 3000000, rounds = UINT64_MAX;
    double attempts = NAN, inh_share = 0.2, sigma = 1.4; /* rounds UINT64_MAX, attempts NaN: not given */
    int top = 30;
    am_opt opts[] = {
        SOURCE_OPTS(s),
        {"motif", AM_OPT_STRING, &motif_s, "xor|xor-induced|lateral|signed-xor",
         "the motif (default xor; null: a comma list, all four when not given; fewer count faster, same null graphs)", "list,top,null", 0},
        {"max", AM_OPT_U64, &max, "N", "list at most N instances (0: all)", "list", 0},
        {"top", AM_OPT_INT, &top, "N", "rows: the N neurons in most instances", "top", 0},
        {"graphs", AM_OPT_U64, &graphs, "K", "null graphs", "null", 0},
        {"sampler", AM_OPT_STRING, &sampler_s, "curveball|swap",
         "null graphs by Curveball trades or edge swaps (default curveball; swap when --attempts alone is given)", "null", 0},
        {"rounds", AM_OPT_U64, &rounds, "R", "Curveball rounds per null graph (default 40)", "null", 0},
        {"attempts", AM_OPT_DOUBLE, &attempts, "A", "swap attempts per edge per null graph (default 100)", "null", 0},
        {"per-graph", AM_OPT_OUTPUT, &per_graph, "FILE", "each null graph's counts (TSV)", "null", 0},
        {"nodes", AM_OPT_U64, &nodes, "N", "nodes", "synthetic", 0},
        {"edges-count", AM_OPT_U64, &edges, "M", "edges", "synthetic", 0},
        {"inh-share", AM_OPT_DOUBLE, &inh_share, "P", "share of inhibitory nodes", "synthetic", 0},
        {"sigma", AM_OPT_DOUBLE, &sigma, "S", "log-normal spread of the degree propensities", "synthetic", 0},
        {NULL, 0, NULL, NULL, NULL},
    };
    int is_synth = !strcmp(which, "synthetic");
    run.no_seed = strcmp(which, "null") && !is_synth; /* counting and listing draw nothing */
    run.no_threads = is_synth || !strcmp(which, "list") || !strcmp(which, "top");
    run.summary = !strcmp(which, "count")  ? "Counts of the XOR, induced XOR, lateral-inhibition and signed XOR motifs."
                  : !strcmp(which, "list") ? "Every instance of a motif, as neuron names a b c d h o."
                  : !strcmp(which, "top")  ? "The neurons taking part in most instances of a motif, by role."
                  : !strcmp(which, "null") ? "Motif enrichment against degree- and sign-preserving null graphs (Curveball or swaps)."
                                           : "A random signed graph with heavy-tailed degrees, as CSV.";
    if (!strcmp(which, "null"))
        run.resumable = 1;
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (am_run_check_scope(&run, opts, which, which))
        return 2;
    am_motif motif = AM_MOTIF_XOR, motifs[AM_MOTIFS];
    int nm = 0;
    if (!strcmp(which, "null") ? parse_motif_list(&run, motif_s, motifs, &nm) : parse_motif(&run, motif_s ? motif_s : "xor", &motif))
        return 2;
    const char *bad = top < 1                                                           ? "--top: must be at least 1"
                      : max > (uint64_t)1 << 40                                          ? "--max: at most 2^40"
                      : graphs < 2 || graphs > 100000                                    ? "--graphs: must be 2 .. 100000"
                      : !isnan(attempts) && !(attempts >= 1 && attempts <= 10000)        ? "--attempts: must be 1 .. 10000"
                      : rounds != UINT64_MAX && (rounds < 1 || rounds > 100000)          ? "--rounds: must be 1 .. 100000"
                                                                                         : NULL;
    if (bad) {
        am_run_error(&run, "%s", bad);
        return 2;
    }
    am_null_opts nopts;
    if (null_sampler(&run, sampler_s, rounds, attempts, &nopts))
        return 2;
    if (is_synth) {
        if (nodes < 2 || nodes > 100000000 || edges > 2000000000 || (double)edges > (double)nodes * (double)(nodes - 1) / 4 ||
            !(inh_share >= 0 && inh_share <= 1) || !(sigma >= 0 && sigma <= 4)) {
            am_run_error(&run, "out of range: --nodes 2 .. 1e8, --edges-count up to nodes^2/4, --inh-share [0, 1], "
                               "--sigma [0, 4]");
            return 2;
        }
        am_graph *g = NULL;
        if ((rc = am_graph_synthetic(&g, nodes, edges, inh_share, sigma, run.seed))) {
            am_run_error(&run, "synthetic graph: %s", am_strerror(rc));
            return 1;
        }
        FILE *out = am_run_open(&run);
        if (!out) {
            am_graph_free(g);
            return 1;
        }
        rc = am_graph_write_csv(g, out);
        am_graph_free(g);
        return am_run_close(&run, out) || rc ? 1 : 0;
    }
    size_t st[4] = {0, 0, 0, 0};
    am_graph *g = load(&run, &s, st);
    if (!g)
        return 2;
    FILE *out = am_run_open(&run);
    if (!out) {
        am_graph_free(g);
        return 1;
    }
    describe(out, g, &s, st);
    if (!strcmp(which, "count")) {
        fprintf(out, "motif\tcount\n");
        for (int k = 0; k < AM_MOTIFS && !rc; k++) {
            uint64_t c;
            if (!(rc = am_graph_count(g, all_motifs[k], run.threads, &c)))
                fprintf(out, "%s\t%llu\n", am_motif_name(all_motifs[k]), (unsigned long long)c);
        }
    } else if (!strcmp(which, "list")) {
        static const char *const hdr6 = "a\tb\tc\td\th\to\n", *const hdr5 = "a\tb\tc\td\th\n",
                          *const hdr8 = "a\tb\tc\td\th\to\tfplus\tfminus\n";
        fprintf(out, "# motif: %s\n%s", am_motif_name(motif),
                motif == AM_MOTIF_LATERAL ? hdr5 : motif == AM_MOTIF_SIGNED_XOR ? hdr8 : hdr6);
        lister l = {g, out, max, 0, am_motif_size(motif)};
        rc = am_graph_each(g, motif, list_one, &l);
        if (rc == 1)
            rc = 0;
    } else if (!strcmp(which, "top")) {
        size_t n = am_graph_nodes(g);
        tally t = {calloc(n ? n : 1, sizeof *t.by), am_motif_size(motif)};
        uint64_t *tot = calloc(n ? n : 1, sizeof *tot);
        size_t *ord = calloc(n ? n : 1, sizeof *ord);
        if (!t.by || !tot || !ord)
            rc = AM_ENOMEM;
        if (!rc)
            rc = am_graph_each(g, motif, tally_one, &t);
        if (!rc) {
            uint64_t all = 0;
            for (size_t u = 0; u < n; u++) {
                tot[u] = t.by[u][0] + t.by[u][1] + t.by[u][2] + t.by[u][3] + t.by[u][4];
                all += t.by[u][2]; /* one hub per instance */
                ord[u] = u;
            }
            top_order = tot;
            qsort(ord, n, sizeof *ord, by_total);
            fprintf(out, "# motif: %s, %llu instances\n", am_motif_name(motif), (unsigned long long)all);
            fprintf(out, "neuron\tsign\tinstances\tas_input\tas_lateral\tas_hub\tas_output\tas_readout\n");
            for (size_t k = 0; k < n && k < (size_t)top && tot[ord[k]]; k++) {
                size_t u = ord[k];
                int sg = am_graph_node_sign(g, u);
                fprintf(out, "%s\t%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\n", am_graph_name(g, u), sg > 0 ? "+" : sg < 0 ? "-" : "?",
                        (unsigned long long)tot[u], (unsigned long long)t.by[u][0], (unsigned long long)t.by[u][1],
                        (unsigned long long)t.by[u][2], (unsigned long long)t.by[u][3], (unsigned long long)t.by[u][4]);
            }
        }
        free(t.by);
        free(tot);
        free(ord);
    } else
        rc = null_run(&run, out, g, &nopts, motifs, nm, graphs, per_graph);
    am_graph_free(g);
    if (rc) {
        am_run_error(&run, "%s", am_strerror(rc));
        am_run_abort(&run, out);
        return 1;
    }
    return am_run_close(&run, out) ? 1 : 0;
}

static int cmd_any(int argc, char **argv) { return cmd(argc, argv, argv[1]); }

int main(int argc, char **argv)
{
    static const am_subcommand cmds[] = {{"count", cmd_any}, {"list", cmd_any},      {"top", cmd_any},
                                         {"null", cmd_any},  {"synthetic", cmd_any}, {NULL, NULL}};
    return am_run_subcommands(argc, argv, "connectome", usage_text, cmds, NULL);
}
