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

/* Tests: 1 makes the classical store use its portable kernels instead of the vector ones (the numbers must
 * be the same); 0 goes back to the CPU's best. */
void am__hopfield_portable(int on);

#endif
