/* libam — liquid time-constant (LTC) neurons (Hasani, Lechner, Amini, Rus and Grosu 2021):
 *
 *   dx/dt = -(1/tau + f(x, I)) x + f(x, I) A,      f(x, I) = sigmoid(W_x x + W_I I + b)  (elementwise)
 *
 * n neurons with time constants tau_i > 0 and reversal values A_i, recurrent weights W_x (n x n), input weights
 * W_I (n x nin), biases b. The gate f both speeds the neuron up and pulls it towards A: the time constant
 * tau / (1 + tau f) varies with the input ("liquid").
 *
 * The fused solver (the paper's eq. 3) takes `unfolds` semi-implicit steps of h = dt / unfolds per step:
 *   x <- (x + h f(x, I) A) / (1 + h (1/tau + f(x, I)))
 * It is stable at any h, keeps every x_i between min(x_i(0), 0, A_i) and max(x_i(0), 0, A_i), and has the
 * exact fixed points of the ODE; it is first-order accurate in h. */
#ifndef AM_LTC_H
#define AM_LTC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct am_ltc am_ltc;

/* tau, A: n values (tau > 0, finite); wx (n x n), wi (n x nin), b (n): finite, each may be NULL for zeros (wi
 * must be NULL when nin = 0). All copied. */
int am_ltc_create(am_ltc **out, size_t n, size_t nin, const float *tau, const float *a, const float *wx,
                  const float *wi, const float *b);
void am_ltc_free(am_ltc *l);
size_t am_ltc_n(const am_ltc *l);
/* `steps` steps of dt > 0 with 1 .. 1000 unfolds each, x (n floats) in place. inputs: steps x nin (row s is
 * the input during step s) or NULL for none; trace: steps x n (x after each step) or NULL. */
int am_ltc_run(am_ltc *l, float *x, const float *inputs, size_t steps, double dt, unsigned unfolds, float *trace);

#ifdef __cplusplus
}
#endif
#endif
