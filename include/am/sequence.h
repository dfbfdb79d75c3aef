/* libam — memory in time: sequence stores (am/store.h types with the AM_STORE_SEQUENCE flag).
 *
 * A sequence store holds one or several sequences of +-1 patterns, each open (a -> b -> c) or cyclic
 * (a -> b -> c -> a). Its elements are numbered in the order they were added, across sequences (element e of
 * am_store_count(s)). Recall replays: from a cue (any element, noisy or partial) the network takes synchronous
 * steps, each mapping the current state (and, for delayed models, the recent past) to the next.
 *
 * Models (am_store_type_find names; parameters in brackets, see am_store_type_params):
 *   seq-hebb    asymmetric Hebbian "SeqNet": J = sum_mu xi^{mu+1} xi^mu^T / N  [lambda: weight of the
 *               symmetric term sum_mu xi^mu xi^mu^T / N of the temporal association network, default 0]
 *   seq-dense   dense sequence memory: h_i = sum_mu xi_i^{mu+1} f(sum_{j != i} xi_j^mu S_j / (N - 1))
 *               [F = poly: f(x) = x^d, or exp: f(x) = e^{(N-1)(x-1)} in the log domain; degree d]
 *   seq-mixed   MixedNet: a fast symmetric term and a slow asymmetric one on the state tau steps ago, with
 *               weight lambda [degree d of both separations, lambda, tau]: holds each element about tau steps
 *   seq-pinv    generalised pseudo-inverse rule: J = sum_{mu,nu} xi^{mu+1} (C^-1)_{mu nu} xi^nu^T / N, C the
 *               patterns' overlap matrix: recalls sequences of correlated patterns
 *   seq-modern  modern continuous sequence store: x <- sum_mu xi^{mu+1} softmax_mu(beta xi^mu . x) [beta]
 * Synchronous update, sgn(0) = +1. The successor of the last element of an open sequence is undefined: its
 * row is left out of every sum (the step from it goes wherever the others take it).
 *
 * Every pointer argument must be non-NULL unless its comment says it may be NULL. Buffers are caller-owned. */
#ifndef AM_SEQUENCE_H
#define AM_SEQUENCE_H

#include <stddef.h>
#include <stdint.h>

#include "am/patterns.h"
#include "am/recall.h"
#include "am/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Add one sequence (seq->count >= 1 patterns of am_store_n(s) units, in order); cyclic: its last element is
 * followed by its first. am_store_add on a sequence store adds an open sequence. AM_EUNSUPPORTED for a store
 * that is not a sequence store. */
int am_sequence_add(am_store *s, const am_patterns *seq, int cyclic);

/* Sequences stored, and for sequence k (< am_sequence_count): its first element, its length, whether cyclic
 * (first, length, cyclic: out, each may be NULL). */
size_t am_sequence_count(const am_store *s);
int am_sequence_info(const am_store *s, size_t k, size_t *first, size_t *length, int *cyclic);
/* The element that follows element e, or SIZE_MAX after the last element of an open sequence. */
size_t am_sequence_next(const am_store *s, size_t e);

/* What a replay reports. */
typedef struct am_replay_info {
    unsigned steps;     /* synchronous steps taken */
    size_t transitions; /* steps at which the state moved, exactly, from element e to element next(e) */
    size_t wrong;       /* steps at which it moved anywhere else (another element, or no element exactly) */
    long first_fail;    /* the first such step (1-based), or -1 if none */
    size_t final_element; /* the element the last state equals exactly, or SIZE_MAX */
} am_replay_info;

/* Replay from the cue in state (n values, in: the cue, out: the last state) for `steps` synchronous steps.
 * start: the element the cue stands for (SIZE_MAX: the element of best overlap with the cue); it is where the
 * count of transitions starts. A step whose state equals the current element exactly again (a delayed model
 * holding an element) is neither a transition nor a failure; any other step that does not reach next(e)
 * exactly is a failure, after which the count resumes from whichever element the state equals exactly.
 * overlaps: NULL, or (steps + 1) x am_store_count(s) values out: overlaps[t * count + e] = (1/n) xi^e . S(t),
 * t = 0 the cue. opts: NULL for defaults; only monitor, monitor_ctx apply (an event per step, energy NAN);
 * states: NULL, or (steps + 1) x n values out, the whole trajectory. work: NULL allocates for this call. The
 * cancel hook (am/cancel.h) is polled every step. AM_EUNSUPPORTED for a store that is not a sequence store;
 * AM_EEMPTY for an empty one. */
int am_sequence_replay(const am_store *s, int8_t *state, size_t start, unsigned steps, const am_recall_opts *opts,
                       am_store_work *work, double *overlaps, int8_t *states, am_replay_info *info);

/* One step from every stored element first..first+count-1: next (count x n out) and exact[k] = 1 if the step
 * from element first+k lands exactly on its successor (exact may be NULL; the last element of an open
 * sequence counts as exact). Returns the number of exact transitions in *nexact (may be NULL). */
int am_sequence_transitions(const am_store *s, size_t first, size_t count, am_store_work *work, int8_t *next,
                            unsigned char *exact, size_t *nexact);

#ifdef __cplusplus
}
#endif
#endif
