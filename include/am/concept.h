/* libam — concept cells: a layer of concept nodes over several latent spaces.
 *
 * A concept memory has named modalities (an image encoder's latent space, a word code, a speech encoder's
 * latent space, ...), each with its own dimension. A concept node binds the points one concept leaves in
 * those spaces: its exemplars (latents observed for it, per modality), their prototype (the mean), a label,
 * and optionally a parent concept. Nodes are made and joined in two ways:
 *
 *   synchrony  am_concepts_observe: latents presented together (a picture and its word and sound) are
 *              bound to one node: the node of the given label, or, without a label, the node the present
 *              latents' locality picks (below), or a new node;
 *   locality   am_concepts_assign: a lone exemplar joins the nearest node in its modality when it lies
 *              within that modality's radius (Euclidean distance to the node's prototype, or to its nearest
 *              exemplar), else it opens a new node.
 *
 * A cue in one modality or several brings back the concept and every other modality's latent through a
 * binding mechanism, chosen per memory from a table of mechanisms (am_binding_type; adding one is one file
 * and one table entry):
 *
 *   kv    key-value modern Hopfield: keys are every exemplar in the cue's modality, a concept's activation
 *         is the softmax mass of its keys (similarity beta q.k, or -beta/2 |q - k|^2), the target latent is
 *         the softmax-weighted sum of the keys' concepts' prototypes in the target modality. Several cue
 *         modalities add their log-evidence per concept.
 *   hebb  Hebbian hetero-association (BAM-style with a localist concept layer): each modality's latents are
 *         coded as +-1 vectors (signs of a fixed random projection of the centred latent); a concept unit's
 *         weights from a modality are the one-shot Hebbian sum of its exemplars' codes ("fire together, wire
 *         together"). Activation = weights . cue code / (exemplars x bits); the winner's weights to the target
 *         modality give the target code (signs), cleaned up to the nearest exemplar code of that modality.
 *   hrr   one holographic trace per concept, T_c = sum_m role_m (*) u_m (u_m: the prototype embedded in the
 *         HRR dimension by a fixed random map and normalised; roles unitary): activation = T_c . (role_m (*)
 *         u(cue)); the winner's trace unbound with the target role is cleaned up through a store
 *         (am/cleanup.h) of the target modality's items.
 *
 * Every mechanism reports the activation of every concept unit for any stimulus (am_concepts_activation),
 * so selectivity and invariance can be measured. Results depend only on the contents, the configuration and
 * the cues: products run through libam's own deterministic matrix product in fixed blocks, so they are the
 * same bits at any thread count and under any OpenBLAS kernel set.
 *
 * Persistence: am/conceptdb.h keeps a memory in an LMDB database. */
#ifndef AM_CONCEPT_H
#define AM_CONCEPT_H

#include <stddef.h>
#include <stdint.h>

#include "am/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AM_CONCEPT_MAX_MODALITIES 8
#define AM_CONCEPT_NAME_MAX 31  /* modality names: [A-Za-z0-9_-], 1..31 characters */
#define AM_CONCEPT_LABEL_MAX 255 /* labels: 1..255 bytes, no control characters */
#define AM_CONCEPT_NONE SIZE_MAX /* "no concept" in index arrays */

typedef enum { AM_LOCALITY_PROTOTYPE = 0, AM_LOCALITY_EXEMPLAR = 1 } am_locality;
typedef enum { AM_SIM_DOT = 0, AM_SIM_EUCLID = 1 } am_similarity;

/* One modality. */
typedef struct am_modality {
    char name[AM_CONCEPT_NAME_MAX + 1];
    size_t dim;           /* latent dimension, 1 .. 65536 */
    double radius;        /* locality radius (Euclidean; INFINITY: always join the nearest node) */
    char encoder[128];    /* what made these latents ("mlp 784-256-64-...", "words trigram D=1024"); may be "";
                           * one line of text without control characters (it is written into tables) */
} am_modality;

/* A binding mechanism: a table of operations (libam/concepts/internal.h). */
typedef struct am_binding_type am_binding_type;
extern const am_binding_type *const am_binding_kv;
extern const am_binding_type *const am_binding_hebb;
extern const am_binding_type *const am_binding_hrr;
/* The mechanisms, NULL-terminated. */
extern const am_binding_type *const am_binding_types[];
const char *am_binding_name(const am_binding_type *t);
/* By name ("kv", "hebb", "hrr"); NULL if unknown. */
const am_binding_type *am_binding_find(const char *name);

typedef struct am_concepts_config {
    const am_binding_type *binding; /* default am_binding_kv */
    am_locality locality;           /* default AM_LOCALITY_PROTOTYPE */
    /* kv */
    am_similarity similarity;       /* default AM_SIM_DOT */
    double beta;                    /* inverse temperature, > 0; default 8 */
    /* hebb */
    size_t hebb_bits;               /* code units per modality; 0: 4 x the modality's dimension, at most 4096 */
    /* hrr */
    size_t hrr_dim;                 /* default 1024 */
    const am_store_type *cleanup;   /* store type the unbound trace is cleaned up through (not a sequence
                                       store); default modern (am_store_type_find("modern")) */
    uint64_t seed;                  /* random projections and roles; default 1 */
} am_concepts_config;

void am_concepts_config_default(am_concepts_config *c);

typedef struct am_concepts am_concepts;

/* A memory over nmod (1 .. AM_CONCEPT_MAX_MODALITIES) modalities (copied); names must be valid and distinct,
 * radii >= 0 (not NaN), configuration in range: AM_EINVAL otherwise. cfg NULL: defaults. */
int am_concepts_create(am_concepts **out, const am_modality *mods, size_t nmod, const am_concepts_config *cfg);
void am_concepts_free(am_concepts *cm);

size_t am_concepts_modalities(const am_concepts *cm);
const am_modality *am_concepts_modality(const am_concepts *cm, size_t m);
/* Index of a modality by name, or -1. */
int am_concepts_modality_find(const am_concepts *cm, const char *name);
const am_concepts_config *am_concepts_get_config(const am_concepts *cm);
/* Describe what makes modality m's latents from now on (below 128 bytes, no control characters; AM_EINVAL
 * otherwise): am/conceptdb.h records it with every exemplar written after. */
int am_concepts_set_encoder(am_concepts *cm, size_t m, const char *encoder);
/* Change the radius of modality m (>= 0, not NaN). */
int am_concepts_set_radius(am_concepts *cm, size_t m, double radius);

/* Concepts are numbered 0 .. count-1 (indices change when one is forgotten); each also has a stable id
 * (never reused, 1, 2, ...). */
size_t am_concepts_count(const am_concepts *cm);
uint64_t am_concepts_id(const am_concepts *cm, size_t c);
/* Index of an id or a label, or AM_CONCEPT_NONE. */
size_t am_concepts_find_id(const am_concepts *cm, uint64_t id);
size_t am_concepts_find_label(const am_concepts *cm, const char *label);
/* The label ("" for an unlabelled node; owned by the memory). */
const char *am_concepts_label(const am_concepts *cm, size_t c);
int am_concepts_set_label(am_concepts *cm, size_t c, const char *label);
/* Exemplars of concept c in modality m, and their rows (count x dim, owned by the memory, valid until the
 * next change). */
size_t am_concepts_exemplars(const am_concepts *cm, size_t c, size_t m);
const float *am_concepts_exemplar(const am_concepts *cm, size_t c, size_t m, size_t i);
/* The prototype (mean of the exemplars; for a node without exemplars in m, the mean of its children's
 * prototypes), dim floats owned by the memory; NULL when there is none. */
const float *am_concepts_prototype(const am_concepts *cm, size_t c, size_t m);
/* Observations that touched the node. */
uint64_t am_concepts_observations(const am_concepts *cm, size_t c);

/* Synchrony: latents[m] (dim_m floats, finite; NULL for a modality not presented; at least one present) are
 * bound to one node: the node labelled `label` (created when there is none), or, with label NULL, the
 * nearest node within radius in the first present modality (by the locality rule), or a new node. *c
 * (may be NULL) = its index; *created (may be NULL) = 1 when the node is new. */
int am_concepts_observe(am_concepts *cm, const float *const *latents, const char *label, size_t *c, int *created);
/* Locality: one exemplar x (dim floats) of modality m joins the nearest node within radius, or a new
 * unlabelled node. */
int am_concepts_assign(am_concepts *cm, size_t m, const float *x, size_t *c, int *created);
/* The nearest node to x in modality m by the locality rule, and its distance (AM_CONCEPT_NONE and INFINITY
 * when no node has modality m). */
int am_concepts_nearest(const am_concepts *cm, size_t m, const float *x, size_t *c, double *dist);
/* Forget concept c: its exemplars and node; its children's parent becomes its parent. */
int am_concepts_forget(am_concepts *cm, size_t c);
/* Hierarchy: parent of c (AM_CONCEPT_NONE: none). A parent that is c or a descendant of c is AM_EINVAL. */
int am_concepts_set_parent(am_concepts *cm, size_t c, size_t parent);
size_t am_concepts_parent(const am_concepts *cm, size_t c);
/* Children of c into out (up to max entries, ascending); returns how many there are. */
size_t am_concepts_children(const am_concepts *cm, size_t c, size_t *out, size_t max);

/* Cues: cues[m] = nq x dim_m floats (finite) or NULL; at least one modality present. */
typedef struct am_concept_recall {
    size_t k;              /* concepts ranked per cue, >= 1 (at most the count) */
    size_t *concept;       /* out, nq x k (required): concept indices, best first (ties: lower index); kv
                              with one exemplar per concept in a single cue modality ranks by the score
                              beta q.k itself (activations of near-equal scores may round to equal floats) */
    float *score;          /* out, nq x k or NULL: their activations */
    float *out[AM_CONCEPT_MAX_MODALITIES]; /* out, nq x dim_m or NULL: the latent recalled in modality m */
    int fallback;          /* 1: when the cue lies beyond its modality's radius from the winner (the
                              locality rule, first present modality), the winner's parent answers instead,
                              up the hierarchy while that holds */
    unsigned char *level;  /* out, nq or NULL: how many levels the answer went up (0 with fallback off) */
} am_concept_recall;

/* Recall: rank the concepts for each cue, and read out every requested modality for the answer (the
 * winner, or its ancestor under fallback). Threads: OpenMP over fixed blocks of cues (nthreads <= 0: all
 * available). AM_EEMPTY when there are no concepts. */
int am_concepts_recall(am_concepts *cm, const float *const *cues, size_t nq, am_concept_recall *r, int nthreads);
/* Activation of every concept unit for each cue: act (nq x count, caller-owned). kv: softmax mass; hebb:
 * normalised Hebbian input; hrr: trace . probe. */
int am_concepts_activation(am_concepts *cm, const float *const *cues, size_t nq, float *act, int nthreads);

/* The kv mechanism's recall over caller-owned arrays, without copying them (for memories too large to hold
 * twice): n concepts with keys (n x dk, in) and values (n x dv, in; may be NULL when out is); cues (nq x dk,
 * in, finite: AM_ENOTFINITE otherwise); scores beta q.k (dot similarity), beta in (0, 1e30]. top (nq x k, out,
 * 1 <= k <= n): the k best concepts by score, best first, of equal scores the lower index; score (nq x k, out,
 * or NULL): their softmax activations; out (nq x dv, out, or NULL): the softmax-weighted sum of the values.
 * The same bits as am_concepts_recall of a kv memory with these concepts (one exemplar each in the cue
 * modality, a prototype each in the read-out one, dot similarity, no fallback). One pass over the concepts a
 * tile of 512 at a time for each block of 256 cues: besides the outputs, each of nthreads threads (<= 0: all
 * available) holds 256 x (dk + 512 + k + 2) floats, whatever n and nq; the bits do not depend on nthreads. */
int am_kv_recall(const float *keys, const float *values, size_t n, size_t dk, size_t dv, double beta, const float *cues,
                 size_t nq, size_t k, size_t *top, float *score, float *out, int nthreads);

/* Bytes the memory and its built mechanism hold. */
size_t am_concepts_bytes(const am_concepts *cm);

/* Copy of a memory with another mechanism (same nodes and exemplars). */
int am_concepts_clone(am_concepts **out, const am_concepts *cm, const am_concepts_config *cfg);

/* Names of numeric labels from a text file (concepts --names): label k is named by line k + 1, so every line
 * is a name: 1 .. AM_CONCEPT_LABEL_MAX bytes, no control characters (a CR before the newline is ignored), at
 * most max names. *names (n malloc'd strings; free with am_labels_free) in file order. Errors in err
 * (errsize bytes, may be NULL) name the line, its text quoted and escaped: AM_EFORMAT for a line that is not a
 * name or repeats an earlier name (two labels would become one), AM_ERANGE for more than max, AM_EEMPTY for an
 * empty file; system errors keep errno. */
int am_labels_read(const char *path, size_t max, char ***names, size_t *n, char *err, size_t errsize);
void am_labels_free(char **names, size_t n);

#ifdef __cplusplus
}
#endif
#endif
