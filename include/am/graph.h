/* libam — signed directed graphs (connectomes), their XOR and lateral-inhibition motifs, and a
 * degree-preserving null model.
 *
 * A graph has n named nodes and simple directed edges, each excitatory (+1) or inhibitory (-1), with a
 * weight (synapse count). It is immutable once made: built from arrays (am_graph_from_edges), read from a
 * file (am_graph_read_csv, am_graph_read_c302), generated (am_graph_synthetic) or randomised
 * (am_graph_curveball, am_graph_rewire). Self-loops are dropped; repeated (source, target, sign) rows merge, their weights
 * summed. An edge's sign is its presynaptic node's in the biological readers (Dale's principle), but the
 * structure allows a node with edges of both signs.
 *
 * Motifs (node letters as in Marco de Lucas et al. 2024: a, b the inputs 1 and 3, c, d the laterals 2 and
 * 4, h the inhibitory hub 6, o the XOR output 5):
 *   AM_MOTIF_XOR          six distinct nodes with a->c, a->h, b->d, b->h, c->o, d->o excitatory and
 *                         h->c, h->d inhibitory. Other edges among the six may exist (not induced). The
 *                         swap (a,c) <-> (b,d) gives the same instance: each is counted once.
 *   AM_MOTIF_XOR_INDUCED  the same six nodes with exactly those eight edges among them and no other
 *                         (of either sign, in either direction).
 *   AM_MOTIF_LATERAL      feed-forward lateral inhibition, the XOR without its output: five distinct nodes
 *                         a, b, c, d, h with a->c, a->h, b->d, b->h excitatory and h->c, h->d inhibitory
 *                         (not induced; each instance once under the same swap).
 *   AM_MOTIF_SIGNED_XOR   the signed XOR of the authors' follow-up (eight neurons, twelve edges): an XOR
 *                         instance plus two more distinct nodes p = F+ of excitatory identity and m = F- of
 *                         inhibitory identity (am_graph_node_sign), with o->p and o->m of o's own sign
 *                         (o's identity must be known), and a->p, b->m (variant A) or c->p, d->m (variant
 *                         B) excitatory; counted once when either variant holds. F+ and F- tell the two
 *                         sides apart, so the (a,c) side is the one feeding F+ and no swap is identified.
 * Instances are reported as node ids in the order a, b, c, d, h, o, p, m (o absent for LATERAL; p, m only
 * for SIGNED_XOR), with c < d except for SIGNED_XOR.
 *
 * Cancelling (am/cancel.h): am_graph_count and am_graph_each poll the caller's hook between hubs,
 * am_graph_rewire and am_graph_synthetic every 65536 attempts, am_graph_curveball every 32768 trades, the
 * null-model runs between graphs and inside each (on every thread); a cancelled call returns AM_ECANCELED
 * and makes no graph (*out / *g NULL). */
#ifndef AM_GRAPH_H
#define AM_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct am_graph am_graph;

enum { AM_EXC = 1, AM_INH = -1 };

/* A graph of n nodes from m edges. names: n strings (copied; NULL: "0", "1", ...), each non-empty and
 * distinct; src, dst: m node ids (< n); weight: m finite values > 0 (NULL: all 1); sign: m values AM_EXC or
 * AM_INH (NULL: all excitatory). node_sign: n values AM_EXC, AM_INH or 0 (unknown) kept as the nodes'
 * identities (NULL: each node's is the sign of its outgoing edges, 0 when it has none or both). Self-loops
 * are dropped, repeated (src, dst, sign) merged. AM_EINVAL for an id out of range, a sign not +-1, a
 * duplicate or empty name; AM_ENOTFINITE for a weight. */
int am_graph_from_edges(am_graph **g, size_t n, const char *const *names, const int8_t *node_sign, size_t m,
                        const uint32_t *src, const uint32_t *dst, const float *weight, const int8_t *sign);
void am_graph_free(am_graph *g);

size_t am_graph_nodes(const am_graph *g);
/* Edges of one sign (AM_EXC or AM_INH), or of both with sign 0. */
size_t am_graph_edges(const am_graph *g, int sign);
const char *am_graph_name(const am_graph *g, size_t node);
int am_graph_node_sign(const am_graph *g, size_t node);
/* The node called name: 0 and *node, or AM_EINVAL when there is none. */
int am_graph_find(const am_graph *g, const char *name, size_t *node);
/* 1 when the edge src->dst of that sign exists (sign 0: of either sign), else 0. */
int am_graph_has_edge(const am_graph *g, size_t src, size_t dst, int sign);
/* Out- and in-degree of a node counting edges of one sign (or both with sign 0). */
size_t am_graph_out_degree(const am_graph *g, size_t node, int sign);
size_t am_graph_in_degree(const am_graph *g, size_t node, int sign);
/* Edge k (0 .. am_graph_edges(g, 0)-1) in a fixed order (excitatory first, then by source, then target);
 * any output pointer may be NULL. */
void am_graph_edge(const am_graph *g, size_t k, size_t *src, size_t *dst, float *weight, int *sign);

/* ---- reading (err: a message naming the file's line on failure; may be NULL) ---- */

/* A generic edge list: CSV with the columns source,target,weight,sign (a header line naming them is
 * optional; '#' lines and blank lines are skipped; fields may be padded with spaces or quoted). sign is
 * one of + - 1 -1 E I exc inh excitatory inhibitory (any case). Weights must be finite and > 0.
 * signs: NULL, or a node table (see am_graph_read_c302) that overrides the sign of every edge leaving the
 * nodes it names. Errors: AM_EFORMAT with "line N: ..." for a missing column, a bad number or sign; a
 * node of the signs table absent from the graph is AM_EINVAL with its line; system errors keep errno. */
int am_graph_read_csv(am_graph **g, const char *path, const char *signs, char *err, size_t errsize);

/* The C. elegans connectome as openworm/c302 ships it: edges, the Cook et al. 2019 edge list
 * (Source,Target,Weight,Type; padded fields; zero-padded names such as DD01); neurons, c302's
 * owmeta_cache.json whose "neuron_info" maps each neuron to [uri, types, receptors, transmitters, ...].
 * Only chemical synapses between two neurons of the table are kept (gap junctions, muscles and other end
 * organs are dropped); names are matched without zero padding (DD01 = DD1). A neuron whose transmitters
 * include GABA is inhibitory, every other one excitatory, and each edge takes its presynaptic neuron's
 * sign. signs: NULL or a table overriding it, CSV lines "name,sign" (sign as above, or a transmitter
 * name: GABA inhibitory, anything else excitatory). Edge rows naming a neuron not in the table are an
 * error unless they name a muscle or end organ listed in the JSON's "muscle_info" or a lower-case name
 * (c302's end organs: hyp, intestine, pm1d, ...). stats (may be NULL): 4 counts — edge rows read, chemical
 * neuron-to-neuron rows kept (before self-loops are dropped and repeats merged), rows dropped as
 * electrical, chemical rows dropped as not neuron-to-neuron. */
int am_graph_read_c302(am_graph **g, const char *edges, const char *neurons, const char *signs, size_t stats[4],
                       char *err, size_t errsize);

/* Write g as the generic CSV (source,target,weight,sign with a header) to an open stream; names holding a
 * comma are quoted (a name holding a double quote does not read back the same). */
int am_graph_write_csv(const am_graph *g, FILE *file);

/* ---- synthetic and null graphs ---- */

/* A random graph with realistic (heavy-tailed) degrees: n nodes, a share inh_share of them inhibitory,
 * m edges drawn with probability proportional to the source's out-propensity times the target's
 * in-propensity, both log-normal with log-standard deviation sigma (1.4 gives degrees up to a few
 * thousand at 130,000 nodes and 3 million edges, as in FlyWire), no self-loops or repeats. Each edge has its source's sign and weight 1; a node's identity is
 * the sign of its edges (0 for a node without outgoing edges, as am_graph_read_csv would give it).
 * Deterministic in seed. AM_EINVAL when m exceeds what the propensities can place (about n(n-1)/4). */
int am_graph_synthetic(am_graph **g, size_t n, size_t m, double inh_share, double sigma, uint64_t seed);

/* A null graph: g with edge endpoints swapped (u->v, x->y becomes u->y, x->v) between two edges of the
 * same sign, about attempts_per_edge attempts per edge, a swap refused when it would make a self-loop or
 * an edge that exists already. Every node keeps its in- and out-degree within each sign; weights travel
 * with their source. accepted (may be NULL): swaps made. Deterministic in seed. */
int am_graph_rewire(const am_graph *g, double attempts_per_edge, uint64_t seed, am_graph **out, size_t *accepted);

/* A null graph by Curveball trades within each sign (Strona et al. 2014; the directed global trades of
 * Carstens, Berger and Strona 2016). A trade of two nodes' targets of one sign keeps the targets both hold
 * and deals those only one holds out again uniformly at random, each node getting back as many as it gave;
 * a target that is the other node (a self-loop) or that the other node reaches with the other sign (an edge
 * of both signs) stays. A round trades every node having outgoing edges of the sign once: even rounds with
 * partners paired uniformly at random (a global trade), odd ones with partners of similar out-degree (random
 * pairs within windows of 32 in degree order); then each node of out-degree d >= 4x the mean trades with
 * d / (2x the mean) more partners drawn uniformly (a trade renews at most the partner's degree of targets,
 * so a hub needs many). The pairing depends on the degrees only, which never change, so each trade keeps
 * the uniform distribution over the graphs the swap model reaches. Every node keeps its in- and out-degree
 * within each sign, the graph stays simple, each node keeps its own outgoing weights (an edge that stays
 * keeps its weight). traded (may be NULL): targets that changed nodes. Deterministic in seed (sign s on
 * stream (seed, s), as am_graph_rewire). AM_EINVAL for rounds > AM_CURVEBALL_MAX_ROUNDS. */
#define AM_CURVEBALL_MAX_ROUNDS 1000000u
int am_graph_curveball(const am_graph *g, unsigned rounds, uint64_t seed, am_graph **out, size_t *traded);

/* ---- motifs ---- */

typedef enum { AM_MOTIF_XOR, AM_MOTIF_XOR_INDUCED, AM_MOTIF_LATERAL, AM_MOTIF_SIGNED_XOR } am_motif;
#define AM_MOTIFS 4
/* "xor", "xor-induced", "lateral", "signed-xor"; NULL for another value. */
const char *am_motif_name(am_motif m);
/* Nodes in one instance: 6; 5 for AM_MOTIF_LATERAL, 8 for AM_MOTIF_SIGNED_XOR. */
int am_motif_size(am_motif m);

/* The number of instances of m in g, on `threads` threads (0: all processors); the same at any thread
 * count. XOR and LATERAL are counted without listing the instances (closed form per hub and pair of its
 * targets), so graphs of millions of edges take seconds to minutes; XOR_INDUCED and SIGNED_XOR go through
 * the XOR instances (SIGNED_XOR counts each one's F+/F- pairs from set sizes). */
int am_graph_count(const am_graph *g, am_motif m, int threads, uint64_t *count);

/* Call fn for every instance of m in a fixed order (by hub, then c < d, then a, b, o; for SIGNED_XOR then
 * the orientation, p and m), nodes in the order a, b, c, d, h, o, p, m. fn returns 0 to go on, anything else to stop (am_graph_each then returns that value). */
int am_graph_each(const am_graph *g, am_motif m, int (*fn)(const uint32_t *nodes, void *ctx), void *ctx);

/* ---- null models ---- */

/* The sampler of null graphs: Curveball trades (am_graph_curveball; the default) or edge swaps
 * (am_graph_rewire). Both keep every node's in- and out-degree within each sign and the graph simple; both
 * sample the same distribution (README, "connectome null": their XOR and lateral counts agree on C.
 * elegans), Curveball about 15x faster at the mixing of 100 swap attempts per edge. */
typedef enum { AM_NULL_CURVEBALL = 0, AM_NULL_SWAP = 1 } am_null_sampler;
/* "curveball", "swap"; NULL for another value. */
const char *am_null_sampler_name(am_null_sampler s);

/* Curveball rounds that reach at least the mixing of 100 swap attempts per edge (README: the edges kept
 * from the original graph, overall and at the hubs, against the work done, on C. elegans and a FlyWire-
 * sized graph). */
#define AM_NULL_ROUNDS 40u

typedef struct am_null_opts {
    am_null_sampler sampler;  /* AM_NULL_CURVEBALL (default) or AM_NULL_SWAP */
    unsigned rounds;          /* Curveball: rounds (default AM_NULL_ROUNDS; at most AM_CURVEBALL_MAX_ROUNDS) */
    double attempts_per_edge; /* swaps: attempts per edge (default 100; 0 .. 1e4) */
} am_null_opts;
/* The defaults above. */
void am_null_opts_default(am_null_opts *o);

/* One null graph of g: opts' sampler (NULL: the defaults) with this seed. moved (may be NULL): swaps made
 * or edges traded. AM_EINVAL for a sampler or work out of range. */
int am_graph_null_graph(const am_graph *g, const am_null_opts *opts, uint64_t seed, am_graph **out, size_t *moved);

/* The null model's statistics: for each graph k of 0 .. graphs-1, a null graph of g (opts, NULL: the
 * defaults; seed am_rng_stream2(seed, k)) and the nmotifs motifs counted in it: counts[k * nmotifs + j]
 * (caller-owned, graphs x nmotifs). The graphs run on `threads` threads (0: all processors), one random
 * stream per graph, so the counts are the same at any thread count. am_graph_null_counts_one does graph k
 * alone (one thread), for callers running their own loop (counts: nmotifs values). */
int am_graph_null_counts(const am_graph *g, const am_motif *motifs, size_t nmotifs, size_t graphs,
                         const am_null_opts *opts, uint64_t seed, int threads, uint64_t *counts);
int am_graph_null_counts_one(const am_graph *g, const am_motif *motifs, size_t nmotifs, size_t k,
                             const am_null_opts *opts, uint64_t seed, uint64_t *counts);
/* The same with the swap sampler at attempts_per_edge (the null model before Curveball). */
int am_graph_null(const am_graph *g, const am_motif *motifs, size_t nmotifs, size_t graphs, double attempts_per_edge,
                  uint64_t seed, int threads, uint64_t *counts);
int am_graph_null_one(const am_graph *g, const am_motif *motifs, size_t nmotifs, size_t k, double attempts_per_edge,
                      uint64_t seed, uint64_t *counts);

#ifdef __cplusplus
}
#endif
#endif
