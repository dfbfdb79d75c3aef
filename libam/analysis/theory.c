/* Predictions for the classical Hopfield network. */
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

/* At T = 0 the AGS equations m = erf(y), y = m / sqrt(2 alpha r), C = sqrt(2/(pi alpha r)) exp(-y^2),
 * r = 1/(1-C)^2 reduce to g(y) = erf(y)/y - (2/sqrt(pi)) exp(-y^2) = sqrt(2 alpha). g rises from 0 to a
 * maximum at y* and falls back to 0; the retrieval state is the root beyond y*. */
static double g(double y)
{
    return erf(y) / y - 2.0 / sqrt(M_PI) * exp(-y * y);
}

static double ystar(void)
{
    /* Golden-section search for the maximum of g on (0.1, 5). */
    double a = 0.1, b = 5.0, r = (sqrt(5.0) - 1.0) / 2.0;
    double c = b - r * (b - a), d = a + r * (b - a);
    for (int k = 0; k < 200; k++) {
        if (g(c) > g(d))
            b = d;
        else
            a = c;
        c = b - r * (b - a);
        d = a + r * (b - a);
    }
    return 0.5 * (a + b);
}

double am_theory_ags_alpha_c(double *m_at_c)
{
    double ys = ystar(), gs = g(ys);
    if (m_at_c)
        *m_at_c = erf(ys);
    return gs * gs / 2.0;
}

int am_theory_ags_overlap(double alpha, double *m)
{
    double ys = ystar(), target = sqrt(2.0 * alpha), lo = ys, hi = 50.0;
    *m = 0.0;
    if (!(alpha >= 0.0))
        return 0;
    if (alpha == 0.0) {
        *m = 1.0;
        return 1;
    }
    if (g(ys) < target)
        return 0;
    for (int k = 0; k < 200; k++) { /* g is decreasing on [y*, inf) */
        double mid = 0.5 * (lo + hi);
        if (g(mid) > target)
            lo = mid;
        else
            hi = mid;
    }
    *m = erf(0.5 * (lo + hi));
    return 1;
}
