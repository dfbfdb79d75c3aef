/* Internal: the concept memory's layout and the binding mechanisms' table of operations. */
#ifndef AM_CONCEPTS_INTERNAL_H
#define AM_CONCEPTS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "../core/gemm.h"
#include "../core/vexp.h"
#include "am/concept.h"

#define AM__MAXMOD AM_CONCEPT_MAX_MODALITIES

/* A label a concept may have: at most AM_CONCEPT_LABEL_MAX bytes, no control characters ("" included). */
int am__label_ok(const char *s);

typedef struct am__cnode {
    uint64_t id;
    uint64_t parent;            /* id, 0: none */
    uint64_t obs;               /* observations that touched it */
    char *label;                /* "" when unlabelled */
    uint64_t *children;         /* ids, ascending */
    size_t nchildren, capchildren;
    size_t n[AM__MAXMOD];       /* exemplars per modality */
    size_t cap[AM__MAXMOD];
    float *ex[AM__MAXMOD];      /* n x dim rows */
    float *proto[AM__MAXMOD];   /* dim: mean of the exemplars (or of the children's prototypes); NULL: none */
    /* persistence (am/conceptdb.h): changed since the last sync, exemplars already written */
    unsigned char dirty;
    size_t saved[AM__MAXMOD];
} am__cnode;

/* The per-block scratch a mechanism is given: nb cues' rows [q0, q0 + nb). */
typedef struct am__cblock {
    size_t q0, nb;
    float *buf;                 /* scratch_floats(nb) floats, 64-byte aligned */
    am__gemm_ws *ws;            /* this thread's packing buffers */
    void *aux;                  /* the mechanism's per-thread object (aux_create), or NULL */
} am__cblock;

struct am_binding_type {
    const char *name;
    /* Build from the memory (called when it changed since the last build). */
    int (*build)(const am_concepts *cm, void **state);
    void (*free)(void *state);
    size_t (*bytes)(const void *state);
    /* Scratch floats for a block of nb cues. */
    size_t (*scratch_floats)(const am_concepts *cm, const void *state, size_t nb);
    /* A per-thread object (may be NULL: none). */
    int (*aux_create)(const am_concepts *cm, const void *state, void **aux);
    void (*aux_free)(void *aux);
    /* act (nb x count) = the concept units' activation for the block's cues. */
    int (*activate)(const am_concepts *cm, const void *state, const float *const *cues, am__cblock *b, float *act);
    /* out (nb x dim_t) = modality t read out for the block, given act (from activate), the winner (the
     * first-ranked concept) and the answer (the winner or, under fallback, an ancestor) per cue. */
    int (*readout)(const am_concepts *cm, const void *state, const float *act, const size_t *winner,
                   const size_t *answer, size_t t, am__cblock *b, float *out);
    /* Optional (NULL: none): ranking and read-out of a block in one pass over the concepts, without the
     * nb x count activations. stream_floats: the scratch floats of a block of nb cues ranked k deep with read-outs
     * outs[m] != NULL (outs: the recall's nq x dim_m arrays), or 0 when the pass does not apply to these cues
     * (activate and readout serve them). stream: top (nb x k) and score (nb x k or NULL) of the block, and its
     * rows of outs (the weighted read-out; a fallback answer is the caller's). */
    size_t (*stream_floats)(const am_concepts *cm, const void *state, const float *const *cues, float *const *outs,
                            size_t nb, size_t k);
    int (*stream)(const am_concepts *cm, const void *state, const float *const *cues, float *const *outs,
                  am__cblock *b, size_t k, size_t *top, float *score);
};

/* The kv mechanism's one pass (bind-kv.c) over contiguous arrays: n concepts with keys (n x dk) and the bias
 * (n floats or NULL) subtracted from their scores beta q.k; ntg read-outs of vals[t] (n x dv[t]). */
typedef struct am__kv_src {
    const float *keys, *bias;
    size_t n, dk;
    float beta;
    size_t ntg;
    const float *vals[AM__MAXMOD];
    size_t dv[AM__MAXMOD];
} am__kv_src;
/* Scratch floats of am__kv_stream for nb cues ranked k deep (independent of n). */
size_t am__kv_stream_floats(const am__kv_src *src, size_t nb, size_t k);
/* nb cues (nb x dk, in): top (nb x k, out): the k best concepts by score, best first, ties to the lower index;
 * score (nb x k or NULL, out): their softmax activations; out[t] (nb x dv[t], out): the softmax-weighted sum
 * of vals[t]. The concepts are scored a tile of 512 at a time, each row's sums and read-outs rescaled when
 * its running maximum rises: the bits depend neither on nb nor on the thread. AM_ENOTFINITE when a score is
 * not finite. */
int am__kv_stream(const am__kv_src *src, const float *cues, size_t nb, size_t k, size_t *top, float *score,
                  float *const *out, float *scratch, am__gemm_ws *ws);


extern const am_binding_type am__binding_kv_type, am__binding_hebb_type, am__binding_hrr_type;

struct am_concepts {
    size_t nmod;
    am_modality mod[AM__MAXMOD];
    am_concepts_config cfg;
    am__cnode **node;           /* count nodes, in order of creation */
    size_t count, cap;
    uint64_t next_id;
    /* id -> index and label -> index: open addressing, power-of-two sizes */
    size_t *idh, *lbh;
    size_t hcap;
    uint64_t gen;               /* bumped by every change */
    /* the mechanism, built for generation built_gen */
    void *bstate;
    uint64_t built_gen;
    int built;
    /* persistence: ids forgotten since the last sync */
    uint64_t *forgotten;
    size_t nforgotten, capforgotten;
};

/* Rebuild the id and label hashes (after nodes were added or removed in bulk). */
int am__concepts_rehash(am_concepts *cm, size_t need);
/* Room in cm->node for one more node (the array grows by doubling). AM_ENOMEM when it cannot grow. */
int am__concepts_reserve(am_concepts *cm);

/* Helpers for the mechanisms. */
/* Rows of every concept's exemplars of modality m, concatenated in concept order (rows x dim, am__alloc_big,
 * free()), and each row's concept (owner, malloc). rows = 0 gives NULLs. */
int am__concepts_keys(const am_concepts *cm, size_t m, float **keys, uint32_t **owner, size_t *rows);
/* Every concept's prototype of modality m (count x dim, zero rows where there is none) and whether it has
 * one (has: 1 own exemplars, 2 derived from children, 0 none). */
int am__concepts_protos(const am_concepts *cm, size_t m, float **protos, unsigned char **has);
/* Mean of the exemplars of modality m over all concepts (double accumulation), dim floats. */
void am__concepts_mean(const am_concepts *cm, size_t m, float *mean);
/* Index of the largest of x[0..n) where mask[i] != 0 (mask may be NULL), ties to the lower index;
 * SIZE_MAX when none. */
size_t am__argmax_masked(const float *x, size_t n, const unsigned char *mask);
#endif
