/* libam — memory in continuous time: the graded-response Hopfield network (Hopfield 1984) and the gradient flow
 * of the modern store's energy.
 *
 * Graded response: tau du/dt = -u + W V + theta, V = g(u), with g(u) = tanh(beta u) (V in (-1, 1)) or the
 * sigmoid 1 / (1 + e^(-beta u)) (V in (0, 1)). With W symmetric, the Lyapunov energy
 *   E = -1/2 V.W V - theta.V + sum_i G(V_i),   G(V) = integral of g^-1 from the rest value to V,
 *   tanh:    G(V) = (V atanh V + 1/2 ln(1 - V^2)) / beta
 *   sigmoid: G(V) = (V ln V + (1 - V) ln(1 - V) + ln 2) / beta
 * never increases along a trajectory (dE/dt = -tau sum g'(u_i) (du_i/dt)^2). As beta grows, the stable states
 * approach the binary network's fixed points (the corners of the cube).
 *
 * Integration: fixed steps of explicit Euler or classical RK4; the state u (n floats, caller-owned) is updated
 * in place; a workspace inside the network holds the stages (no allocation per step). Weights from any libam
 * learning rule: am_hopfield_weights. */
#ifndef AM_GRADED_H
#define AM_GRADED_H

#include <stddef.h>

#include "am/modern.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_GAIN_TANH = 0, AM_GAIN_SIGMOID = 1 } am_gain;
typedef enum { AM_ODE_EULER = 0, AM_ODE_RK4 = 1 } am_ode;

typedef struct am_graded am_graded;

/* n units; W (n x n row-major, finite; copied), theta (n, or NULL for zero); beta > 0, tau > 0. */
int am_graded_create(am_graded **out, size_t n, const float *w, const float *theta, am_gain gain, double beta,
                     double tau);
void am_graded_free(am_graded *g);
size_t am_graded_n(const am_graded *g);
int am_graded_set_beta(am_graded *g, double beta);
/* V = g(u): out (n), caller-owned. */
void am_graded_output(const am_graded *g, const float *u, float *v);
/* The Lyapunov energy of state u (computed in double). */
double am_graded_energy(const am_graded *g, const float *u);
/* `steps` steps of dt (> 0) from u (in: start, out: end). energy: steps + 1 entries (the energy before the first
 * step and after each) or NULL. Non-finite states are AM_ENOTFINITE. Cancelled (AM_ECANCELED, am/cancel.h): u
 * and energy as after the whole steps made. */
int am_graded_run(am_graded *g, float *u, double dt, size_t steps, am_ode method, double *energy);

/* The modern store's energy descended in continuous time: dxi/dt = X^T softmax(beta X xi) - xi (= -grad E).
 * xi (d floats) in place; energy (steps + 1 entries, am_modern_energy) or NULL. */
int am_modern_flow(const am_modern *m, float *xi, double dt, size_t steps, am_ode method, double *energy);

#ifdef __cplusplus
}
#endif
#endif
