/* libam — the vocabulary of recall shared by every store (am/store.h, am/hopfield.h, am/dense.h,
 * am/modern.h): the dynamics, the options of one recall (step limit, energy trace, monitor), what a recall
 * reports, and the events a monitor receives. */
#ifndef AM_RECALL_H
#define AM_RECALL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_DYN_ASYNC = 0, AM_DYN_SYNC = 1, AM_DYN_GLAUBER = 2 } am_dynamics;
typedef enum { AM_ORDER_RANDOM = 0, AM_ORDER_FIXED = 1 } am_order;
typedef enum { AM_END_FIXED = 0, AM_END_CYCLE = 1, AM_END_MAXSTEPS = 2 } am_end;

/* Name <-> enum, for command lines and files. Parsers return AM_EINVAL for unknown names. */
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
    double tolerance;     /* real-valued recall (modern store): stop when an update moves the state by less
                             than this (Euclidean norm; default 1e-6; 0 runs max_steps updates) */
    int skip_energy;      /* 1: the caller does not want info->energy, which is then NAN (the modern store's
                             batched recall skips the pass over all patterns it costs); default 0 */
} am_recall_opts;

typedef struct am_recall_info {
    unsigned steps; /* sweeps performed, counting the final one that changed nothing */
    uint64_t flips; /* unit changes in total */
    double energy;  /* energy of the final state */
    am_end end;     /* fixed point reached, 2-cycle (sync), or step limit (always so for Glauber, T > 0) */
    unsigned trace_len; /* entries written to opts->trace */
} am_recall_info;

void am_recall_opts_default(am_recall_opts *o);

#ifdef __cplusplus
}
#endif
#endif
