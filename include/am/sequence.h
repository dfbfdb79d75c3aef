/* libam — memory in time: sequence stores (am/store.h types with the AM_STORE_SEQUENCE flag).
 *
 * A sequence store holds one or several sequences of +-1 patterns, each open (a -> b -> c) or cyclic
 * (a -> b -> c -> a). Its elements are numbered in the order they were added, across sequences (element e of
 * am_store_count(s)). Recall replays: from a cue (any element, noisy or partial) the network takes synchronous
 * steps, each mapping the current state (and, for delayed models, the recent past) to the next.
 *
 * Models (am_store_type_find names; parameters in brackets with their defaults, see am_store_type_params):
 *   seq-hebb    asymmetric Hebbian "SeqNet": h = sum_mu xi^{mu+1} (xi^mu . S) / N  [lambda = 0: weight of the
 *               symmetric term sum_nu xi^nu (xi^nu . S) / N of the temporal association network]
 *   seq-dense   dense sequence memory ("DenseNet"): h_i = sum_mu xi_i^{mu+1} f(sum_{j != i} xi_j^mu S_j / (N-1))
 *               [F = poly: f(x) = x^d, or exp: f(x) = e^{(N-1)(x-1)} in the log domain; degree d = 2]
 *   seq-mixed   MixedNet: h_i = sum_nu xi_i^nu f(m_i^nu(t)) + lambda sum_mu xi_i^{mu+1} f(mbar_i^mu(t)), a
 *               fast symmetric term on the current state and a slow asymmetric one on the mean of the last tau
 *               states, Sbar = (S(t) + ... + S(t-tau+1)) / tau (m, mbar: overlaps without unit i, / (N-1), as
 *               seq-dense's): holds each element about tau steps [F = poly or exp, degree d = 10 (both terms),
 *               lambda = 2.5, tau = 5: the settings of Chaudhry et al. 2023, Fig. 4, where d = 10 keeps the
 *               timing; tau = 1 is their capacity setting]
 *   seq-pinv    pseudo-inverse rule: J = sum_{mu,nu} xi^{mu+1} (C^-1)_{mu nu} xi^nu^T / N, C_{mu nu} =
 *               xi^mu . xi^nu / N: recalls sequences of correlated patterns (each step exact while the
 *               elements are linearly independent; for a singular C, from more elements than units or repeated
 *               ones, the rule holds for a maximal independent subset, chosen by pivoted Cholesky)
 *   seq-modern  modern sequence store: S <- sgn(sum_mu xi^{mu+1} softmax_mu(beta xi^mu . S)) on +-1 states
 *               [beta = 1, on the integer dot products: the nearest element outweighs one 2 units farther by
 *               e^{2 beta}]
 * mu runs over the elements that have a successor: the last element of an open sequence has none, so its row
 * is left out of the asymmetric sums (the step from it goes wherever the others take it; MixedNet's symmetric
 * term, over every element, holds it there). Synchronous update, sgn(0) = +1. The polynomial fields and
 * seq-hebb's are computed in integers, exactly while they fit 53 bits (so ties go to +1 exactly as the
 * definition says); every field is summed in one fixed order, so a step gives the same bits alone or in a
 * batch, at any thread count, under any BLAS. Stores hold no energy (am_store_energy is NaN).
 *
 * The store verbs on a sequence store: am_store_add adds one open sequence; am_store_recall replays
 * opts->max_steps synchronous steps (dynamics, order and temperature do not apply; info: steps, flips = units
 * changed in all, energy NaN, end AM_END_FIXED once a step from a history of one state gives that state back,
 * else AM_END_MAXSTEPS); am_store_stability counts, for each element, the units of the step from it that
 * differ from its successor (0 for the end of an open sequence); am_store_save/load keep the sequences
 * (magics LIBAMSQH, LIBAMSQD, LIBAMSQM, LIBAMSQP, LIBAMSQC).
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
 * that is not a sequence store, AM_ESIZE for patterns of another n, AM_EINVAL for none, AM_EOVERFLOW beyond
 * INT32_MAX elements. On failure the store is as it was. */
int am_sequence_add(am_store *s, const am_patterns *seq, int cyclic);

/* Sequences stored (0 for a store that is not a sequence store), and for sequence k (< am_sequence_count):
 * its first element, its length, whether cyclic (first, length, cyclic: out, each may be NULL; AM_EINVAL for k
 * out of range, AM_EUNSUPPORTED for a store that is not a sequence store). */
size_t am_sequence_count(const am_store *s);
int am_sequence_info(const am_store *s, size_t k, size_t *first, size_t *length, int *cyclic);
/* Past states one step reads besides the current one: 0 for the models that step from the current state
 * alone, tau - 1 or so for MixedNet, which holds each element about tau steps (0 for other stores). */
unsigned am_sequence_memory(const am_store *s);

/* The element that follows element e, or SIZE_MAX after the last element of an open sequence (and for e
 * out of range or a store that is not a sequence store). */
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
 * Before the start every past state a delayed model reads is the cue. start: the element the cue stands for
 * (SIZE_MAX: the element of best overlap with the cue, the lowest on ties); it is where the count of
 * transitions starts. A step whose state equals the current element exactly again (a delayed model holding
 * an element) is neither a transition nor a failure; a step from the last element of an open sequence (the
 * replay has reached its end) is neither, nor is any later step until the state equals an element exactly,
 * from which the count goes on; any other step that does not reach next(e) exactly is a failure, after which
 * the count resumes from whichever element the state equals exactly (while it equals none, every step is a
 * failure). overlaps: NULL, or (steps + 1) x am_store_count(s) values out: overlaps[t * count + e] =
 * (1/n) xi^e . S(t), t = 0 the cue. opts: NULL for defaults; only monitor, monitor_ctx apply (an event for the
 * cue and one per step, energy NAN). states: NULL, or (steps + 1) x n values out, the whole trajectory; it
 * may begin at state (states == state, the cue as its row 0, which it keeps: the last state is then row
 * info->steps), and must not overlap state otherwise.
 * work: NULL allocates for this call; a workspace of this store type grows to the store. The cancel hook
 * (am/cancel.h) is polled every step (AM_ECANCELED: state, info->steps and what was written of overlaps and
 * states are those of the steps made). AM_EUNSUPPORTED for a store that is not a sequence store; AM_EEMPTY
 * for an empty one; AM_EINVAL for a state that is not +-1 or start >= count. info: NULL or out (all of it,
 * also on failure). */
int am_sequence_replay(const am_store *s, int8_t *state, size_t start, unsigned steps, const am_recall_opts *opts,
                       am_store_work *work, double *overlaps, int8_t *states, am_replay_info *info);

/* One step from every stored element first..first+count-1, each as the whole history (the fast way: a few
 * matrix products for blocks of elements): next (count x n out) and exact[k] = 1 if the step from element
 * first+k lands exactly on its successor (exact may be NULL; the last element of an open sequence counts as
 * exact). The number of exact transitions in *nexact (may be NULL). The same bits as a replay's step from the
 * element. The cancel hook is polled between blocks. AM_EINVAL for a range past the elements. */
int am_sequence_transitions(const am_store *s, size_t first, size_t count, am_store_work *work, int8_t *next,
                            unsigned char *exact, size_t *nexact);

#ifdef __cplusplus
}
#endif
#endif
