/* Internal to libam/graphs: the graph's layout and a set of 64-bit keys. */
#ifndef AM_GRAPHS_INTERNAL_H
#define AM_GRAPHS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "am/graph.h"

/* Class 0 holds the excitatory edges, class 1 the inhibitory ones. Per class, compressed rows: the targets
 * of node u are oadj[c][optr[c][u] .. optr[c][u+1]), ascending, with their weights in ow[c]; the sources
 * of node v are iadj[c][iptr[c][v] .. iptr[c][v+1]), ascending. */
struct am_graph {
    size_t n, m[2];
    char **names;
    int8_t *nsign;
    size_t *optr[2], *iptr[2];
    uint32_t *oadj[2], *iadj[2];
    float *ow[2];
    uint32_t *slot; /* name hash: node id + 1, 0 = empty */
    size_t slots;
};

static inline int am__cls(int sign) { return sign < 0; }

/* A set of 64-bit keys (src << 32 | dst) with open addressing and linear probing; UINT64_MAX is empty. */
typedef struct am__keyset {
    uint64_t *k;
    size_t cap; /* a power of two */
    size_t count;
} am__keyset;
int am__keyset_init(am__keyset *s, size_t expected);
void am__keyset_free(am__keyset *s);
int am__keyset_has(const am__keyset *s, uint64_t key);
/* 1 when added, 0 when it was there already. The set never grows past the size given to init. */
int am__keyset_add(am__keyset *s, uint64_t key);
void am__keyset_del(am__keyset *s, uint64_t key);

/* A graph from m edges (w, sign may be NULL); takes over names (n malloc'd strings in a malloc'd array),
 * freeing them on failure; nsign may be NULL. AM_EINVAL for an empty or repeated name. Used by
 * from_edges, the readers and rewire. */
int am__graph_build(am_graph **g, size_t n, char **names, const int8_t *nsign, size_t m,
                    const uint32_t *src, const uint32_t *dst, const float *w, const int8_t *sign);
/* A graph with g's nodes and degrees and the rows adj[c], w[c] (each in g's row segment, ascending), which
 * it takes over (freeing them on failure). Used by the Curveball sampler. */
int am__graph_with_rows(const am_graph *g, uint32_t *adj[2], float *w[2], am_graph **out);
/* Is v in the ascending list a[0 .. len)? */
int am__sorted_has(const uint32_t *a, size_t len, uint32_t v);

#endif
