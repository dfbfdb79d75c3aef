/* libam — closed-form and mean-field predictions for the classical Hopfield network and for sequence
 * memories, to plot beside measurements. */
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

/* ---- Sequence memory ------------------------------------------------------------------------------------
 * Chaudhry, Zavatone-Veth, Krotov, Pehlevan, "Long Sequence Hopfield Memory", NeurIPS 2023 (arXiv
 * 2306.04532). One periodic sequence xi^1 -> xi^2 -> ... -> xi^P -> xi^1 of i.i.d. random +-1 patterns of N
 * units; DenseNet (their eq. 2), synchronous:
 *     S_i(t+1) = sgn( sum_mu xi_i^{mu+1} f( (1/(N-1)) sum_{j != i} xi_j^mu S_j(t) ) ),
 * self-coupling excluded, f(x) = x^d (polynomial; d = 1 is SeqNet, their eq. 1) or f(x) = e^{(N-1)(x-1)}
 * (exponential). The transition capacity P_T is the longest sequence whose one transition xi^mu -> xi^{mu+1}
 * is exact (all N bits) with probability -> 1; the sequence capacity P_S the longest whose P transitions are
 * all exact. Leading asymptotics from a union bound and a Gaussian crosstalk (their eqs. 9, 10; Appendix C).
 * The capacities do not depend on how many sequences are measured: each sequence is its own network.
 * N is a real >= 2 (the formulas are smooth in N); finite results, +inf only beyond DBL_MAX; NAN for N < 2,
 * N not finite (or NaN), d < 1. */

/* Polynomial DenseNet, eq. (9): P_T = N^d / (2 (2d-1)!! ln N); for d = 1 this is N / (2 ln N),
 * am_theory_hebb_capacity. Computed through logarithms, so (2d-1)!! never overflows on its own. Increases
 * with N for N > e^(1/d). */
double am_theory_seq_poly_transition_capacity(double n, int d);
/* Polynomial DenseNet, eq. (9): P_S = N^d / (2 (d+1) (2d-1)!! ln N) = P_T / (d+1) (N / (4 ln N) at d = 1). */
double am_theory_seq_poly_sequence_capacity(double n, int d);
/* Natural logarithms of the two, finite wherever N and d are (the values pass DBL_MAX for large d: P_T(10^6,
 * 100) = e^950): d ln N - ln(2 (2d-1)!! ln N) and that minus ln(d+1). */
double am_theory_seq_poly_log_transition_capacity(double n, int d);
double am_theory_seq_poly_log_sequence_capacity(double n, int d);

/* The exponential model's base, beta = e^2 / cosh 2 = 2 / (1 + e^-4) = 1.96403...: one crosstalk term
 * e^{(N-1)(m-1)} has variance beta^-(N-1) (Appendix C.2). */
double am_theory_seq_exp_beta(void);
/* Exponential DenseNet, eq. (10): P_T = beta^(N-1) / (2 ln N). Exceeds DBL_MAX (then +inf) from N = 1057
 * (P_S below from N = 1064): use the log forms there. */
double am_theory_seq_exp_transition_capacity(double n);
/* Exponential DenseNet, eq. (10): P_S = beta^(N-1) / (2 N ln beta). The paper's simulations fall well
 * below this at the N they reach (N <= 25, Fig. 2A): the crosstalk is far from Gaussian there. */
double am_theory_seq_exp_sequence_capacity(double n);
/* Natural logarithms of the two, finite for every finite N >= 2: (N-1) ln beta - ln(2 ln N) and
 * (N-1) ln beta - ln(2 N ln beta). */
double am_theory_seq_exp_log_transition_capacity(double n);
double am_theory_seq_exp_log_sequence_capacity(double n);

/* Probability that one bit of one transition errs (their eq. 7, P[C < -f(1)]) under the Gaussian
 * approximation of the crosstalk C, a sum of P-1 i.i.d. terms chi (eq. 8): Q(1 / sqrt((P-1) var chi)).
 * Polynomial: var chi = E[m^(2d)] with m the mean of N-1 random +-1 values, summed exactly over the
 * binomial law (the paper keeps its leading term (2d-1)!! / N^d). Exponential: var chi = beta^-(N-1).
 * 0 for p == 1 (no crosstalk); NAN for n < 2, p == 0, d < 1. */
double am_theory_seq_poly_transition_error(size_t n, size_t p, int d);
double am_theory_seq_exp_transition_error(size_t n, size_t p);

/* Asymmetric Hebb rule J_ij = (1/N) sum_mu xi_i^{mu+1} xi_j^mu under parallel dynamics at T = 0 (Duering,
 * Coolen, Sherrington 1998, J. Phys. A 31 8607; NIPS 11: alpha_c ~ 0.269). Their generating-functional
 * solution has no retarded self-interaction, so the stationary sequence overlap m at load alpha = P/N obeys
 *     m = erf(y),  y = m / (sqrt 2 sigma),  sigma^2 = alpha / (1 - U^2),  U = sqrt(2/pi) e^{-y^2} / sigma,
 * i.e. alpha = erf(y)^2 / (2 y^2) - (2/pi) e^{-2 y^2}; retrieval exists below the maximum of the right side.
 * am_theory_seq_hebb_alpha_c returns that maximum (0.26906) and the overlap there (0.8349) in *m_at_c
 * (may be NULL). am_theory_seq_hebb_overlap returns 1 and the retrieval overlap in *m for
 * 0 <= alpha <= alpha_c, 0 and *m = 0 otherwise (NaN or negative alpha included); m is not NULL. */
double am_theory_seq_hebb_alpha_c(double *m_at_c);
int am_theory_seq_hebb_overlap(double alpha, double *m);

#ifdef __cplusplus
}
#endif
#endif
