/* libam — closed-form and mean-field predictions for the classical Hopfield network, to plot beside
 * measurements. */
#ifndef AM_THEORY_H
#define AM_THEORY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Gaussian tail Q(x) = P(Z > x), Z standard normal. */
double am_gauss_tail(double x);

/* Hebb rule, random patterns, signal-to-noise estimate (Hopfield 1982): probability that one bit of a
 * stored pattern is flipped by one update, Q(sqrt(N/P)). */
double am_theory_hebb_bit_error(size_t n, size_t p);
/* Probability that a stored pattern is a fixed point, exp(-N Q(sqrt(N/P))) (McEliece et al. 1987). */
double am_theory_hebb_fixed_prob(size_t n, size_t p);
/* Capacities as functions of N: Hebb N/(2 ln N); Storkey (1997) N/sqrt(2 ln N). */
double am_theory_hebb_capacity(double n);
double am_theory_storkey_capacity(double n);

/* Amit-Gutfreund-Sompolinsky (1987) replica-symmetric theory at T = 0: the retrieval overlap m at load
 * alpha = P/N. Returns 1 and sets *m when a retrieval state exists (alpha < alpha_c), else 0 and *m = 0. */
int am_theory_ags_overlap(double alpha, double *m);
/* The critical load alpha_c (about 0.138) and the overlap there (about 0.967). */
double am_theory_ags_alpha_c(double *m_at_c);

#ifdef __cplusplus
}
#endif
#endif
