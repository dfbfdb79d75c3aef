/* libam — the classical Hopfield network (Hopfield 1982): binary +-1 units, symmetric weights with zero
 * diagonal, optional thresholds.
 *
 *   Energy       E(s) = -1/2 s^T W s - theta^T s
 *   Local field  h_i  = sum_{j != i} W_ij s_j + theta_i
 *   Update       s_i <- sign(h_i); a zero field leaves s_i unchanged, so T=0 asynchronous dynamics never
 *                increase E and stop at a fixed point.
 *   Flip cost    E(s with s_i flipped) - E(s) = 2 s_i h_i
 *
 * Learning rules (W is recomputed or updated by am_hopfield_store):
 *   hebb     W = (1/N) sum_mu xi^mu xi^mu^T, diagonal zeroed.
 *   storkey  Storkey (1997), incremental: W += (1/N)(xi xi^T - xi h^T - h xi^T) with h_ij = sum_{k!=i,j} W_ik xi_k.
 *   pinv     projection (pseudo-inverse) rule, W = X X^+ onto the span of the patterns (pivoted Cholesky of
 *            their Gram matrix X^T X / N, pivots above 1e-9: a maximal independent subset), diagonal zeroed: every
 *            stored pattern is a fixed point while P < N; W = 0 once they span all N dimensions.
 * Storkey and pinv weights, and recall and stability on the matrix path, have the same bits on any CPU and
 * under any OpenBLAS kernel set (libam's own fixed-order products and factorisation).
 *
 * Two recall paths give identical results for the Hebb rule: the "patterns" path keeps the overlaps
 * m_mu = xi^mu . s and computes h_i = (1/N)(sum_mu xi_i^mu m_mu - P s_i) on demand (O(P) per unit, no
 * N x N matrix), the "matrix" path keeps h = W s and updates it in O(N) per flip. */
#ifndef AM_HOPFIELD_H
#define AM_HOPFIELD_H

#include <stddef.h>
#include <stdint.h>

#include "am/patterns.h"
#include "am/recall.h"
#include "am/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_RULE_HEBB = 0, AM_RULE_STORKEY = 1, AM_RULE_PINV = 2 } am_rule;
typedef enum { AM_PATH_AUTO = 0, AM_PATH_PATTERNS = 1, AM_PATH_MATRIX = 2 } am_path;

/* Name <-> enum, for command lines and files. Parsers return AM_EINVAL for unknown names. */
const char *am_rule_name(am_rule r);
int am_rule_parse(const char *s, am_rule *out);


typedef struct am_hopfield am_hopfield;
/* Reusable scratch for recall: create one per thread and pass it to every recall. */
typedef struct am_hopfield_work am_hopfield_work;

/* A store of n >= 1 units with no patterns and W = 0. */
int am_hopfield_create(am_hopfield **out, size_t n, am_rule rule);
void am_hopfield_free(am_hopfield *h);

size_t am_hopfield_n(const am_hopfield *h);
size_t am_hopfield_count(const am_hopfield *h);
am_rule am_hopfield_rule(const am_hopfield *h);
/* The stored patterns (owned by the store; valid until the next store/free). */
const am_patterns *am_hopfield_patterns(const am_hopfield *h);

/* Learn every pattern of `pats` (pats->n must equal the store's n), adding to those already stored. On failure
 * the store is as it was, except that the Storkey rule cancelled (AM_ECANCELED, am/cancel.h) keeps the
 * patterns it learned before the stop, at least the first (am_hopfield_count tells how many). */
int am_hopfield_store(am_hopfield *h, const am_patterns *pats);

/* Thresholds theta[0..n) (copied), or NULL for all zero. */
int am_hopfield_set_threshold(am_hopfield *h, const float *theta);

/* Choose the recall path: AUTO picks patterns for the Hebb rule while 2P <= N, else matrix. PATTERNS
 * is only valid for the Hebb rule (AM_EUNSUPPORTED otherwise). */
int am_hopfield_set_path(am_hopfield *h, am_path path);
am_path am_hopfield_path(const am_hopfield *h); /* the path recall takes now (never AUTO) */

/* Effective weights W (n x n row-major, caller-owned, out), diagonal zero. */
int am_hopfield_weights(const am_hopfield *h, float *w);

/* Energy of state s[0..n); local field of unit i; energy change of flipping unit i. */
double am_hopfield_energy(const am_hopfield *h, const int8_t *s);
double am_hopfield_field(const am_hopfield *h, const int8_t *s, size_t i);
double am_hopfield_delta_energy(const am_hopfield *h, const int8_t *s, size_t i);

int am_hopfield_work_create(am_hopfield_work **out, const am_hopfield *h);
void am_hopfield_work_free(am_hopfield_work *w);

/* Run the dynamics from s[0..n) (in: cue, out: final state). opts NULL means defaults; rng is needed for
 * random order and Glauber (may be NULL otherwise); work may be NULL (a temporary one is made, which
 * allocates), and grows if the store has grown since it was made; info may be NULL. */
int am_hopfield_recall(const am_hopfield *h, int8_t *s, const am_recall_opts *opts, am_rng *rng,
                       am_hopfield_work *work, am_recall_info *info);

/* One-step stability of every stored pattern: unstable[mu] (caller-owned, count entries, out) receives
 * how many units of pattern mu one update would flip (0 means pattern mu is a fixed point). */
int am_hopfield_stability(const am_hopfield *h, size_t *unstable);
/* The same for stored patterns first .. first+count-1 (unstable: count entries); costs O(count P N) on the
 * patterns path and O(count N^2) on the matrix path, so a few patterns are cheap in a large store. */
int am_hopfield_stability_range(const am_hopfield *h, size_t first, size_t count, size_t *unstable);

/* Save to / load from a file: versioned header, little-endian fields, CRC-32 trailer. Loading a
 * truncated file gives AM_ETRUNC, a damaged one AM_ECHECKSUM or AM_EFORMAT. */
int am_hopfield_save(const am_hopfield *h, const char *path);
int am_hopfield_load(am_hopfield **out, const char *path);

#ifdef __cplusplus
}
#endif
#endif
