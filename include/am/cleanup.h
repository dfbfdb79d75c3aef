/* libam — clean-up memory: any libam store over a vocabulary of item vectors, answering "which item is this
 * noisy vector?" (the decoding step of holographic representations and of word codes).
 *
 *   modern    the items as they are; the answer is the item with the largest dot product (the beta -> inf
 *             limit of the modern store's retrieval), exact (am_modern_nearest).
 *   hopfield, dense
 *             the items' sign patterns (> 0 is +1, as am/store.h reads float states) are stored
 *             (learning rule, separation function and degree from the configuration); a cue's signs
 *             are recalled by the store's dynamics (asynchronous, random order from (seed, cue index)),
 *             and the answer is the item whose sign pattern is nearest the
 *             state reached (Hamming distance; ties to the lower index). A store beyond its capacity
 *             answers wrongly: that is the point of comparing them.
 * Results depend only on the items, the configuration, the cues and the seed (not on threads). */
#ifndef AM_CLEANUP_H
#define AM_CLEANUP_H

#include <stddef.h>
#include <stdint.h>

#include "am/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct am_cleanup am_cleanup;

/* items: n x cfg->n floats, finite (copied). AM_EINVAL for n = 0 or a bad configuration. */
int am_cleanup_create(am_cleanup **out, const am_store_config *cfg, const float *items, size_t n);
void am_cleanup_free(am_cleanup *c);
size_t am_cleanup_size(const am_cleanup *c);
const am_store *am_cleanup_store(const am_cleanup *c);
/* idx[k] (nq entries, caller-owned) = the item cue k (nq x dim, finite) cleans up to. Threads: OpenMP over
 * the cues (binary stores), or am_modern_nearest's. */
int am_cleanup_run(const am_cleanup *c, const float *cues, size_t nq, uint64_t seed, size_t *idx);

#ifdef __cplusplus
}
#endif
#endif
