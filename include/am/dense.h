/* libam — dense associative memory (Krotov & Hopfield 2016; Demircigil et al. 2017): binary +-1 units,
 * K stored patterns, energy
 *
 *   E(s) = - sum_mu F(xi^mu . s)
 *
 * with F(x) = x^n (poly), max(x, 0)^n (rectpoly) or e^x (exp). Unit i is updated to the sign of
 *
 *   D_i = sum_mu [F(xi_i^mu + sum_{j!=i} xi_j^mu s_j) - F(-xi_i^mu + sum_{j!=i} xi_j^mu s_j)]
 *       = E(s with s_i = -1) - E(s with s_i = +1),
 *
 * so T=0 updates never raise E; D_i = 0 leaves s_i unchanged. The store keeps the overlaps
 * m_mu = xi^mu . s and updates them in O(K) when a unit flips; deciding one unit costs O(K).
 * Polynomial updates are computed on m/N (same signs, no overflow for any n); exponential ones are
 * shifted by max_mu m_mu, so nothing overflows for N in the thousands or more.
 *
 * For F = exp the energy is reported in log form, E = -log sum_mu e^{xi^mu . s} (= -log(-E_exp)), a
 * monotone transform of -sum e^m that cannot overflow; for poly and rectpoly it is -sum F(m) itself.
 *
 * Recall takes the options of the classical store (am_recall_opts): async (random or fixed order),
 * sync, or Glauber with P(s_i = +1) = 1 / (1 + exp(-D_i / T)) (D_i from the unscaled F). */
#ifndef AM_DENSE_H
#define AM_DENSE_H

#include <stddef.h>
#include <stdint.h>

#include "am/hopfield.h"
#include "am/patterns.h"
#include "am/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_F_POLY = 0, AM_F_RECTPOLY = 1, AM_F_EXP = 2 } am_dense_f;

const char *am_dense_f_name(am_dense_f f);
int am_dense_f_parse(const char *s, am_dense_f *out);

typedef struct am_dense am_dense;
typedef struct am_dense_work am_dense_work;

#define AM_DENSE_MAX_DEGREE 1000
/* n >= 1 units; degree 1 <= n <= AM_DENSE_MAX_DEGREE for poly and rectpoly (ignored for exp). */
int am_dense_create(am_dense **out, size_t n, am_dense_f f, int degree);
void am_dense_free(am_dense *d);

size_t am_dense_n(const am_dense *d);
size_t am_dense_count(const am_dense *d);
am_dense_f am_dense_function(const am_dense *d);
int am_dense_degree(const am_dense *d);
const am_patterns *am_dense_patterns(const am_dense *d);

/* Append every pattern of pats (pats->n must equal n). */
int am_dense_store(am_dense *d, const am_patterns *pats);

/* Energy of state s[0..n) (see above for F = exp). */
double am_dense_energy(const am_dense *d, const int8_t *s);
/* D_i of unit i in state s: positive means the update sets s_i = +1. Scaled by a positive factor
 * (1/N^n for poly, e^{-max m} for exp) so it cannot overflow; only its sign and ratios are meaningful. */
double am_dense_drive(const am_dense *d, const int8_t *s, size_t i);

int am_dense_work_create(am_dense_work **out, const am_dense *d);
void am_dense_work_free(am_dense_work *w);

/* Run the dynamics from s (in: cue, out: final state); arguments as am_hopfield_recall. */
int am_dense_recall(const am_dense *d, int8_t *s, const am_recall_opts *opts, am_rng *rng, am_dense_work *work,
                    am_recall_info *info);

/* unstable[mu] (count entries, caller-owned, out) = units of stored pattern mu that one update from
 * that pattern would flip: the per-bit error of Krotov & Hopfield. */
int am_dense_stability(const am_dense *d, size_t *unstable);
/* The same for stored patterns first .. first+count-1 only: unstable has count entries. O(count K N). */
int am_dense_stability_range(const am_dense *d, size_t first, size_t count, size_t *unstable);

int am_dense_save(const am_dense *d, const char *path);
int am_dense_load(am_dense **out, const char *path);

#ifdef __cplusplus
}
#endif
#endif
