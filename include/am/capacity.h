/* libam — the storage-capacity measurement behind bin/capacity, as library calls (for programs, the Python
 * module and teaching): store P patterns of a family, cue stored patterns with a fraction of their bits
 * flipped, run the dynamics, score the ends.
 *
 * One trial at load P draws its patterns and cue noise from the stream (seed, stream2(stream2(n, P), trial)),
 * so every configuration measured at the same seed sees the same patterns and cues, and a measurement is
 * the same at any thread count. Binary stores (hopfield, dense) cue with +-1 states; stores of real vectors
 * (AM_STORE_REAL: the modern store) store the patterns scaled to unit norm, recall all cues at once, and count
 * a cue recalled when the stored pattern nearest the final state is the target (its "overlap" is the cosine
 * to the target, its bits the signs of the components). Sequence stores are measured by bin/sequence
 * (AM_EINVAL here). */
#ifndef AM_CAPACITY_H
#define AM_CAPACITY_H

#include <stddef.h>
#include <stdint.h>

#include "am/patterns.h"
#include "am/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct am_capacity_opts {
    am_store_config store;      /* store type, n, and the type's parameters (am_store_config_set) */
    am_dynamics dynamics;       /* binary stores (default AM_DYN_ASYNC) */
    am_order order;             /* default AM_ORDER_RANDOM */
    double temperature;         /* Glauber T >= 0 (default 0) */
    unsigned max_steps;         /* sweep (or modern update) limit per recall (default 100) */
    double eps;                 /* real-valued stores: stop when an update moves the state less than eps
                                   (am_recall_opts.tolerance; 1e-6) */
    am_pattern_family patterns; /* default random */
    double noise;               /* fraction of cue bits flipped (default 0.1) */
    size_t cues;                /* cues per trial: patterns 0..cues-1 (0, the default: all P) */
    size_t stability;           /* stored patterns checked for stability: 0..c-1 (0, the default: all) */
    double threshold;           /* overlap counted as recalled, binary stores (default 0.99) */
    uint64_t seed;              /* default 1 */
} am_capacity_opts;

/* Defaults (above) for a model of n units, with am_store_config_default's model settings. */
void am_capacity_opts_default(am_capacity_opts *o, const am_store_type *type, size_t n);
/* AM_EINVAL, with the reason in err (may be NULL), when o cannot measure loads up to p_max patterns. */
int am_capacity_opts_check(const am_capacity_opts *o, size_t p_max, char *err, size_t errsize);

/* The sums of one trial (add trials with am_capacity_trial_add, then summarise). */
typedef struct am_capacity_trial {
    double overlap_sum, overlap_sq, bit_error_sum, steps_sum, error_norm_sum;
    size_t cues, recalled, checked, fixed, unstable_bits, ends[3];
    size_t trials, all_fixed; /* 1 and 0/1 for one trial; counts when added */
} am_capacity_trial;

void am_capacity_trial_add(am_capacity_trial *sum, const am_capacity_trial *t);

/* One load point, summarised over its trials (the columns of bin/capacity). */
typedef struct am_capacity_point {
    size_t n, p, trials, cues; /* cues per trial */
    double alpha;              /* P / n */
    double overlap_mean, overlap_sd; /* over all cues */
    double recall_frac;        /* cues with overlap >= threshold (modern: nearest pattern is the target) */
    double fixed_frac;         /* checked stored patterns that are exact fixed points */
    double all_fixed_frac;     /* trials in which every stored pattern is fixed (NaN when not all checked) */
    double unstable_frac;      /* bits of checked stored patterns one update would flip */
    double bit_error;          /* mean fraction of wrong bits at the end, (1 - m) / 2 for binary stores */
    double steps_mean;         /* sweeps per recall */
    double fixed_end, cycle_end, maxsteps_end; /* how recalls ended */
    double error_norm;         /* mean |s - xi| with both at unit norm */
} am_capacity_point;

void am_capacity_summarise(const am_capacity_trial *sum, size_t n, size_t p, am_capacity_point *out);

/* Scratch of one thread (grows as needed; reusable across loads and models). */
typedef struct am_capacity_work am_capacity_work;
int am_capacity_work_create(am_capacity_work **out);
void am_capacity_work_free(am_capacity_work *w);

/* Trial `trial` at load p into *r (zeroed first). w: NULL allocates scratch for this call. */
int am_capacity_trial_run(const am_capacity_opts *o, size_t p, size_t trial, am_capacity_work *w,
                          am_capacity_trial *r);

/* Every trial of every load ps[0..npoints) on `threads` threads (0: OpenMP's default), summarised into
 * out[0..npoints) (caller-owned). The same numbers at any thread count. The cancel hook (am/cancel.h) is polled
 * before every trial and by the recalls in it: AM_ECANCELED, out not written. */
int am_capacity_measure(const am_capacity_opts *o, const size_t *ps, size_t npoints, size_t trials, int threads,
                        am_capacity_point *out);

#ifdef __cplusplus
}
#endif
#endif
