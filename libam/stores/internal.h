/* Internal to libam/stores: helpers the store implementations share. */
#ifndef AM_STORES_INTERNAL_H
#define AM_STORES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "am/hopfield.h"

/* Check recall options, rng and a +-1 state of n units; fills *opts_out with defaults when opts is NULL. */
int am__recall_check(const am_recall_opts *opts, am_recall_opts *opts_out, const am_rng *rng, const int8_t *s,
                     size_t n);
/* Append e to the energy trace if one was asked for and has room. */
void am__trace_push(const am_recall_opts *o, am_recall_info *info, double e);
/* Call o->monitor (which must be set) with one event. */
void am__monitor(const am_recall_opts *o, unsigned sweep, uint64_t updates, size_t unit, size_t n, const int8_t *s,
                 const float *x, double energy);

/* A binary model as the recall engine (engine.c) sees it: its local field through four operations on its
 * running quantities (overlaps, fields) kept in its workspace, and the engine's buffers. */
typedef struct am__binary {
    const void *model;
    void *work;
    size_t n;
    /* Bring the running quantities up to date with state s. */
    void (*load)(const void *model, void *work, const int8_t *s);
    /* The new value of unit i (now cur): the sign of its field with ties kept at temp = 0, else a Glauber
     * draw at temperature temp from rng. */
    int8_t (*decide)(const void *model, void *work, size_t i, int8_t cur, double temp, am_rng *rng);
    /* Unit i has just changed to ns (s holds it): update the running quantities. */
    void (*flip)(const void *model, void *work, const int8_t *s, size_t i, int8_t ns);
    /* The energy of s from the running quantities. */
    double (*energy)(const void *model, void *work, const int8_t *s);
    /* May be NULL: a fused T = 0 sweep over units order[0..len-1] with the model's vector kernels, the same
     * updates as decide/flip in that order; returns the flips, or SIZE_MAX when it does not apply. */
    size_t (*fast_sweep)(const void *model, void *work, int8_t *s, const uint32_t *order, size_t len);
    uint32_t *order; /* n: visiting order */
    int8_t *snew;    /* n: next state (sync) */
    uint64_t *pk;    /* 3 x ceil(n/64) words: packed states (sync cycle detection) */
} am__binary;

/* Recall with the options checked (am__recall_check) and info zeroed: serial or synchronous dynamics, energy
 * trace, monitor, cycle detection; info->energy from the state reached (also when cancelled). */
int am__recall_binary(const am__binary *b, int8_t *s, const am_recall_opts *o, am_rng *rng, am_recall_info *info);

/* Tests: 1 makes the classical store use its portable kernels instead of the vector ones (the numbers must
 * be the same); 0 goes back to the CPU's best. */
void am__hopfield_portable(int on);
/* Tests, single-threaded: 0 makes the dense store decide on its float path only, 1 lets it use its exact integer
 * path where that applies (the numbers must be the same). */
void am__dense_exact(int on);

#endif
