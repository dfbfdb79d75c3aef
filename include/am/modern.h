/* libam — modern continuous Hopfield network (Ramsauer et al. 2020, "Hopfield networks is all you need").
 *
 * M real patterns x_mu of dimension d (stored row-major, M x d), states xi in R^d, inverse temperature beta:
 *
 *   update   xi <- X^T softmax(beta X xi)            (X: M x d, rows are patterns)
 *   energy   E(xi) = -1/beta log sum_mu exp(beta x_mu . xi) + 1/2 xi.xi + 1/beta log M + 1/2 max_mu |x_mu|^2
 *
 * Recall iterates until |xi_new - xi| < eps or a step limit. Batched recall of Q queries runs two products
 * per step (M x Q scores, then Q x d states) with a max-shifted softmax in between, in blocks of queries held
 * in a reusable workspace: no allocation per query or per step. The products are libam's own sgemm, in which
 * every number is one chain of fused multiply-adds in a fixed order, and the softmax sums run over the
 * patterns in order: recall, energies and separation give the same bits on any x86-64 CPU with FMA, under
 * any OpenBLAS kernel set, at any thread count and batch size. Nothing is normalised or projected unless
 * the caller does it. */
#ifndef AM_MODERN_H
#define AM_MODERN_H

#include <stddef.h>

#include "am/patterns.h"

#include "am/hopfield.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct am_modern am_modern;
typedef struct am_modern_work am_modern_work;

typedef struct am_modern_opts {
    unsigned max_steps; /* default 100 */
    double eps;         /* stop when the update moves the state less than eps (L2); default 1e-6; 0 runs
                           exactly max_steps updates */
} am_modern_opts;

typedef struct am_modern_info {
    unsigned steps; /* updates applied */
    double delta;   /* |xi_new - xi| of the last update */
    am_end end;     /* AM_END_FIXED (converged) or AM_END_MAXSTEPS */
} am_modern_info;

void am_modern_opts_default(am_modern_opts *o);

/* The largest inverse temperature a store accepts (beyond it the softmax is an argmax in any case). */
#define AM_MODERN_MAX_BETA 1e30

/* 1 <= d <= AM_MAX_UNITS, 0 < beta <= AM_MODERN_MAX_BETA (AM_EINVAL otherwise). */
int am_modern_create(am_modern **out, size_t d, double beta);
void am_modern_free(am_modern *m);
size_t am_modern_dim(const am_modern *m);
size_t am_modern_count(const am_modern *m);
double am_modern_beta(const am_modern *m);
int am_modern_set_beta(am_modern *m, double beta);
/* Stored patterns, M x d row-major, owned by the store (valid until the next store/free). */
const float *am_modern_patterns(const am_modern *m);

/* Append count patterns x (count x d row-major, copied); non-finite values are AM_EINVAL. */
int am_modern_store(am_modern *m, const float *x, size_t count);

/* Append the +-1 patterns of pats (pats->n = d) as vectors of +-scale (scale = 1/sqrt(d): unit norm),
 * converted straight into the store (no float copy of the set is made). */
int am_modern_store_patterns(am_modern *m, const am_patterns *pats, float scale);

/* Energy of state xi[0..d) (the dot products summed in double from exact products, in order; the log-sum-exp
 * max-shifted: finite for any beta x.xi). */
double am_modern_energy(const am_modern *m, const float *xi);

int am_modern_work_create(am_modern_work **out, const am_modern *m);
void am_modern_work_free(am_modern_work *w);

/* Recall nq queries q (nq x d row-major, in: cues, out: states reached). info: nq entries or NULL.
 * work may be NULL (a temporary one is made). Non-finite cues are AM_EINVAL; scores beta x.q that overflow
 * single precision are AM_ENOTFINITE (the queries are then partly updated). */
int am_modern_recall(const am_modern *m, float *q, size_t nq, const am_modern_opts *opts, am_modern_work *work,
                     am_modern_info *info);

/* The stored pattern with the largest dot product with each of nq queries q (nq x d, finite: AM_EINVAL
 * otherwise): idx[k] (nq entries, caller-owned). The answer is exact: candidates are screened with scores whose
 * error is bounded (8-bit integer dot products on CPUs with AVX-512 VNNI when nq >= 64 and M >= 64, BLAS
 * otherwise), and every pattern that could be the maximum is compared by its dot product accumulated in
 * double; equal ones go to the lower index. The result is therefore the same with any BLAS kernel, thread
 * count or batch size. Blocked and threaded as am_modern_recall; work may be NULL (the integer screen does not
 * use it: its scratch is 36 x M 32-bit scores and M candidates per thread, whatever nq). */
int am_modern_nearest(const am_modern *m, const float *q, size_t nq, size_t *idx, am_modern_work *work);
/* The same, leaving out pattern exclude[k] for query k (exclude: nq entries, SIZE_MAX for none; NULL for
 * none at all): e.g. each stored pattern's nearest other pattern, with the patterns as queries. Needs at
 * least two patterns when exclude is given (AM_EEMPTY). */
int am_modern_nearest_excluding(const am_modern *m, const float *q, size_t nq, const size_t *exclude, size_t *idx,
                                am_modern_work *work);

/* Separation of each pattern, delta[mu] = x_mu.x_mu - max_{nu != mu} x_mu.x_nu (M entries, caller-owned). */
int am_modern_separation(const am_modern *m, double *delta);

typedef enum { AM_FP_SINGLE = 0, AM_FP_METASTABLE = 1, AM_FP_GLOBAL = 2 } am_fixpoint_type;
const char *am_fixpoint_name(am_fixpoint_type t);

typedef struct am_fixpoint {
    am_fixpoint_type type;
    size_t carriers; /* fewest patterns whose softmax weights sum to at least `mass` */
    size_t top;      /* pattern with the largest weight */
    double top_p;    /* its weight */
} am_fixpoint;

/* Classify the state xi by p = softmax(beta X xi): one pattern carries `mass` (0 < mass < 1, e.g. 0.9)
 * -> single; at least half of all patterns are needed -> global average; otherwise metastable with
 * `carriers` patterns. */
int am_modern_classify(const am_modern *m, const float *xi, double mass, am_fixpoint *out);

/* Theorem 5 of Ramsauer et al. (2020): retrieval error bound for pattern x_i with separation delta_i,
 * 2 (N - 1) exp(-beta (delta_i - 2 r Mx)) Mx, where N is the number of patterns, Mx = max_mu |x_mu| and
 * r = max(|xi - x_i|, |x_i* - x_i|) (cue and fixed-point distances to the pattern). */
double am_modern_theorem5_bound(double beta, size_t npatterns, double max_norm, double delta_i, double r);

/* Theorem 3 of Ramsauer et al. (2020): storage capacity of random patterns on the sphere of radius
 * K sqrt(d - 1) with failure probability p: a = 2/(d-1) (1 + ln(2 beta K^2 p (d-1))), b = 2 K^2 beta / 5,
 * c = b / W0(exp(a + ln b)) (W0: principal Lambert W), capacity = sqrt(p) c^((d-1)/4). Writes c and the
 * capacity; returns 1 when the theorem's condition c >= (2/sqrt(p))^(4/(d-1)) holds, 0 when it does not,
 * AM_EINVAL for beta, K <= 0, d < 2 or p outside (0, 1]. */
int am_modern_theorem3(double beta, double K, double d, double p, double *c, double *capacity);

int am_modern_save(const am_modern *m, const char *path);
int am_modern_load(am_modern **out, const char *path);

#ifdef __cplusplus
}
#endif
#endif
