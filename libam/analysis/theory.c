/* Predictions for the classical Hopfield network and for sequence memories (see am/theory.h). */
#include "am/theory.h"

#include <math.h>

double am_gauss_tail(double x)
{
    return 0.5 * erfc(x / sqrt(2.0));
}

double am_theory_hebb_bit_error(size_t n, size_t p)
{
    return p ? am_gauss_tail(sqrt((double)n / (double)p)) : 0.0;
}

double am_theory_hebb_fixed_prob(size_t n, size_t p)
{
    return exp(-(double)n * am_theory_hebb_bit_error(n, p));
}

double am_theory_hebb_capacity(double n)
{
    return n / (2.0 * log(n));
}

double am_theory_storkey_capacity(double n)
{
    return n / sqrt(2.0 * log(n));
}

/* Golden-section search for the maximum of a unimodal f on (a, b). */
static double argmax(double (*f)(double), double a, double b)
{
    double r = (sqrt(5.0) - 1.0) / 2.0, c = b - r * (b - a), d = a + r * (b - a);
    for (int k = 0; k < 200; k++) {
        if (f(c) > f(d))
            b = d;
        else
            a = c;
        c = b - r * (b - a);
        d = a + r * (b - a);
    }
    return 0.5 * (a + b);
}

/* The root of f(y) = target on [lo, hi] where f decreases from f(lo) >= target (bisection). */
static double root_decreasing(double (*f)(double), double lo, double hi, double target)
{
    for (int k = 0; k < 200; k++) {
        double mid = 0.5 * (lo + hi);
        if (f(mid) > target)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* Both mean-field theories below reduce to load(y) = alpha, with m = erf(y): load rises from 0 to a maximum
 * alpha_c at y* and falls back to 0; the retrieval state is the root beyond y*. */
static double critical(double (*load)(double), double *m_at_c)
{
    double ys = argmax(load, 0.1, 5.0);
    if (m_at_c)
        *m_at_c = erf(ys);
    return load(ys);
}

static int overlap(double (*load)(double), double alpha, double *m)
{
    double ys = argmax(load, 0.1, 5.0);
    *m = 0.0;
    if (!(alpha >= 0.0))
        return 0;
    if (alpha == 0.0) {
        *m = 1.0;
        return 1;
    }
    if (load(ys) < alpha)
        return 0;
    *m = erf(root_decreasing(load, ys, 50.0, alpha));
    return 1;
}

/* At T = 0 the AGS equations m = erf(y), y = m / sqrt(2 alpha r), C = sqrt(2/(pi alpha r)) exp(-y^2),
 * r = 1/(1-C)^2 reduce to g(y) = erf(y)/y - (2/sqrt(pi)) exp(-y^2) = sqrt(2 alpha), i.e. alpha = g^2 / 2. */
static double ags_load(double y)
{
    double g = erf(y) / y - 2.0 / sqrt(M_PI) * exp(-y * y); /* > 0 for y > 0 */
    return 0.5 * g * g;
}

double am_theory_ags_alpha_c(double *m_at_c)
{
    return critical(ags_load, m_at_c);
}

int am_theory_ags_overlap(double alpha, double *m)
{
    return overlap(ags_load, alpha, m);
}

/* Sequence network (Duering, Coolen, Sherrington 1998), T = 0: sigma^2 = alpha / (1 - U^2) with
 * sigma = erf(y) / (sqrt 2 y) and U = sqrt(2/pi) e^{-y^2} / sigma gives alpha = sigma^2 - (2/pi) e^{-2y^2}. */
static double seq_load(double y)
{
    double e = erf(y) / y;
    return 0.5 * e * e - 2.0 / M_PI * exp(-2.0 * y * y);
}

double am_theory_seq_hebb_alpha_c(double *m_at_c)
{
    return critical(seq_load, m_at_c);
}

int am_theory_seq_hebb_overlap(double alpha, double *m)
{
    return overlap(seq_load, alpha, m);
}

/* ---- Sequence memory (Chaudhry et al. 2023) ---- */

/* ln x!, thread-safe (lgamma writes the global signgam). */
static double ln_fact(double x)
{
    int sign;
    return lgamma_r(x + 1.0, &sign);
}

/* ln of N^d / (2 c (2d-1)!! ln N), with (2d-1)!! = (2d)! / (2^d d!). */
static double seq_poly_log(double n, int d, double c)
{
    if (!(n >= 2.0) || !isfinite(n) || d < 1)
        return NAN;
    return d * log(n) - log(2.0 * c * log(n)) - (ln_fact(2.0 * d) - d * M_LN2 - ln_fact(d));
}

double am_theory_seq_poly_log_transition_capacity(double n, int d)
{
    return seq_poly_log(n, d, 1.0);
}

double am_theory_seq_poly_log_sequence_capacity(double n, int d)
{
    return seq_poly_log(n, d, d + 1.0);
}

double am_theory_seq_poly_transition_capacity(double n, int d)
{
    return exp(am_theory_seq_poly_log_transition_capacity(n, d));
}

double am_theory_seq_poly_sequence_capacity(double n, int d)
{
    return exp(am_theory_seq_poly_log_sequence_capacity(n, d));
}

double am_theory_seq_exp_beta(void)
{
    return 2.0 / (1.0 + exp(-4.0)); /* = e^2 / cosh 2 */
}

static double ln_beta(void)
{
    return log(am_theory_seq_exp_beta());
}

double am_theory_seq_exp_log_transition_capacity(double n)
{
    if (!(n >= 2.0) || !isfinite(n))
        return NAN;
    return (n - 1.0) * ln_beta() - log(2.0 * log(n));
}

double am_theory_seq_exp_log_sequence_capacity(double n)
{
    if (!(n >= 2.0) || !isfinite(n))
        return NAN;
    return (n - 1.0) * ln_beta() - log(2.0 * n * ln_beta());
}

double am_theory_seq_exp_transition_capacity(double n)
{
    return exp(am_theory_seq_exp_log_transition_capacity(n));
}

double am_theory_seq_exp_sequence_capacity(double n)
{
    return exp(am_theory_seq_exp_log_sequence_capacity(n));
}

/* ln E[m^(2d)] for m = (2K - k) / k, K ~ Binomial(k, 1/2), k = N - 1 >= 1. The law is symmetric, so the
 * sum runs over K > k/2 and is doubled. Its log-terms ln w_K + 2d ln x_K are concave in K, so the walk
 * outwards from the centre stops past their peak once a term is below 1e-18 of the sum; the sum is kept
 * relative to the largest term so that nothing underflows. */
static double poly_log_moment(size_t k, int d)
{
    double kd = (double)k, top = -INFINITY, sum = 0.0, prev = -INFINITY;
    size_t j = k / 2 + 1;
    double lw = ln_fact(kd) - ln_fact((double)j) - ln_fact(kd - (double)j) - kd * M_LN2;
    for (; j <= k; j++) {
        double lt = lw + 2.0 * d * log((2.0 * (double)j - kd) / kd);
        if (lt > top) {
            sum = sum * exp(top - lt) + 1.0;
            top = lt;
        } else {
            sum += exp(lt - top);
        }
        if (lt < prev && lt - top < log(1e-18 * sum))
            break;
        prev = lt;
        lw += log((kd - (double)j) / ((double)j + 1.0));
    }
    return M_LN2 + top + log(sum);
}

/* Q(1 / sqrt((P-1) var)) from ln var, so that neither factor overflows. */
static double seq_error(size_t p, double ln_var)
{
    return am_gauss_tail(exp(-0.5 * (log((double)(p - 1)) + ln_var)));
}

double am_theory_seq_poly_transition_error(size_t n, size_t p, int d)
{
    if (n < 2 || p == 0 || d < 1)
        return NAN;
    return p == 1 ? 0.0 : seq_error(p, poly_log_moment(n - 1, d));
}

double am_theory_seq_exp_transition_error(size_t n, size_t p)
{
    if (n < 2 || p == 0)
        return NAN;
    return p == 1 ? 0.0 : seq_error(p, -((double)n - 1.0) * ln_beta());
}
