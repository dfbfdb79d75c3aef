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
 *   pinv     projection (pseudo-inverse) rule, W = X X^+ onto the span of the patterns (LAPACK SVD),
 *            diagonal zeroed: every stored pattern is a fixed point while P < N.
 *
 * Two recall paths give identical results for the Hebb rule: the "patterns" path keeps the overlaps
 * m_mu = xi^mu . s and computes h_i = (1/N)(sum_mu xi_i^mu m_mu - P s_i) on demand (O(P) per unit, no
 * N x N matrix), the "matrix" path keeps h = W s and updates it in O(N) per flip. */
#ifndef AM_HOPFIELD_H
#define AM_HOPFIELD_H

#include <stddef.h>
#include <stdint.h>

#include "am/patterns.h"
#include "am/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_RULE_HEBB = 0, AM_RULE_STORKEY = 1, AM_RULE_PINV = 2 } am_rule;
typedef enum { AM_DYN_ASYNC = 0, AM_DYN_SYNC = 1, AM_DYN_GLAUBER = 2 } am_dynamics;
typedef enum { AM_ORDER_RANDOM = 0, AM_ORDER_FIXED = 1 } am_order;
typedef enum { AM_END_FIXED = 0, AM_END_CYCLE = 1, AM_END_MAXSTEPS = 2 } am_end;
typedef enum { AM_PATH_AUTO = 0, AM_PATH_PATTERNS = 1, AM_PATH_MATRIX = 2 } am_path;

/* Name <-> enum, for command lines and files. Parsers return AM_EINVAL for unknown names. */
const char *am_rule_name(am_rule r);
int am_rule_parse(const char *s, am_rule *out);
const char *am_dynamics_name(am_dynamics d);
int am_dynamics_parse(const char *s, am_dynamics *out);
const char *am_end_name(am_end e);

/* One moment of a recall, for a monitor (teaching, analysis). */
typedef struct am_recall_event {
    unsigned sweep;      /* sweeps (or synchronous steps, or modern updates) completed: 0 is the cue */
    uint64_t updates;    /* single-unit updates made so far (units visited, whether or not they flipped) */
    size_t unit;         /* the unit just updated, or SIZE_MAX at the cue and at the end of a sweep or step */
    size_t n;            /* units */
    const int8_t *state; /* the current ±1 state (n values; NULL for a real-valued recall) */
    const float *x;      /* the current real state of a real-valued recall (n values), else NULL */
    double energy;       /* the store's energy of the current state */
} am_recall_event;

typedef struct am_recall_opts {
    am_dynamics dynamics; /* default AM_DYN_ASYNC */
    am_order order;       /* async and Glauber: random permutation per sweep (default) or 0..N-1 */
    double temperature;   /* Glauber: T >= 0; P(s_i = +1) = 1 / (1 + exp(-2 h_i / T)); T = 0 is T=0 async */
    unsigned max_steps;   /* sweeps (N unit updates each; sync: one parallel update); default 100 */
    double *trace;        /* optional energy trace (caller-owned, out): trace[0] = E(cue), trace[k] = E after
                             sweep k; at most trace_cap entries are written; NULL for none (default) */
    unsigned trace_cap;
    /* Monitor (default NULL: off, and then it costs nothing): called with the cue, after every
     * monitor_every single-unit updates of serial dynamics (async, Glauber; 0: none), and at the end of
     * every sweep, synchronous step or modern update. The event's buffers are the store's own, valid during
     * the call; the callback must not change them. Monitored serial recalls take the general update loop,
     * so they end in exactly the state an unmonitored recall reaches. */
    void (*monitor)(const am_recall_event *ev, void *ctx);
    void *monitor_ctx;
    unsigned monitor_every;
} am_recall_opts;

typedef struct am_recall_info {
    unsigned steps; /* sweeps performed, counting the final one that changed nothing */
    uint64_t flips; /* unit changes in total */
    double energy;  /* energy of the final state */
    am_end end;     /* fixed point reached, 2-cycle (sync), or step limit (always so for Glauber, T > 0) */
    unsigned trace_len; /* entries written to opts->trace */
} am_recall_info;

void am_recall_opts_default(am_recall_opts *o);

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

/* Learn every pattern of `pats` (pats->n must equal the store's n), adding to those already stored. */
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
