/* libam internal — the melody engram's backprop gradient, for tests/t-engram.c's gradient check. */
#ifndef AM_ENGRAM_INTERNAL_H
#define AM_ENGRAM_INTERNAL_H

#include "am/engram.h"

/* Backprop's parameters: W (H x (d + H, or d without a context)), b (H), V (d x H), v0 (d), in that order. */
size_t am__engram_params(const am_engram *g); /* their count (0 for NULL) */
float *am__engram_param(am_engram *g, size_t k); /* parameter k < am__engram_params(g) (g not NULL) */
/* One beat under AM_ENGRAM_BACKPROP without learning and without moving the context: x (d bits, in) the beat,
 * next (d bits, in) the true next one; loss (out) the binary cross-entropy of the prediction in nats; grad
 * (am__engram_params(g) floats, out, may be NULL) its gradient in the parameters' order, the context taken as
 * a constant (as learning does). AM_EINVAL: a NULL argument (not grad) or another rule. */
int am__engram_backprop_grad(am_engram *g, const float *x, const float *next, double *loss, float *grad);

#endif
