/* Theory helpers against published constants, hand-computed values and Monte Carlo estimates. */
#include "am/am.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>

/* |got/want - 1| <= rel. */
#define is_rel(got, want, rel, ...) is_near((got) / (want), 1.0, (rel), __VA_ARGS__)

/* Fraction of wrong bits in one synchronous DenseNet step from each pattern of `sets` random periodic
 * sequences of p patterns of n units: S_i' = sgn(sum_mu xi_i^{mu+1} f(sum_{j != i} xi_j^mu S_j / (n-1))),
 * f(x) = x^d, or e^{(n-1)(x-1)} for d = 0. A zero field counts as wrong. */
static double mc_transition_error(int n, int p, int d, int sets, uint64_t seed)
{
    int8_t *x = malloc((size_t)n * (size_t)p);
    long *q = malloc(sizeof *q * (size_t)p), wrong = 0, total = 0;
    am_rng rng;
    am_rng_init(&rng, seed, 0);
    for (int s = 0; s < sets && x && q; s++) {
        for (int k = 0; k < n * p; k++)
            x[k] = (int8_t)(am_rng_u64(&rng) >> 63 ? 1 : -1);
        for (int mu = 0; mu < p; mu++) {
            for (int nu = 0; nu < p; nu++) {
                q[nu] = 0;
                for (int j = 0; j < n; j++)
                    q[nu] += x[nu * n + j] * x[mu * n + j];
            }
            for (int i = 0; i < n; i++) {
                double h = 0;
                for (int nu = 0; nu < p; nu++) {
                    double o = (double)(q[nu] - x[nu * n + i] * x[mu * n + i]) / (n - 1);
                    h += x[(nu + 1) % p * n + i] * (d ? pow(o, d) : exp((n - 1) * (o - 1)));
                }
                wrong += !(h * x[(mu + 1) % p * n + i] > 0);
                total++;
            }
        }
    }
    free(x);
    free(q);
    return total ? (double)wrong / (double)total : NAN;
}

int main(void)
{
    double m;
    is_near(am_gauss_tail(0), 0.5, 1e-15, "Q(0) = 1/2");
    is_near(am_gauss_tail(1.959963985), 0.025, 1e-9, "Q(1.96) = 0.025");
    is_near(am_theory_hebb_bit_error(1000, 100), am_gauss_tail(sqrt(10.0)), 1e-15, "bit error Q(sqrt(N/P))");
    is_near(am_theory_hebb_fixed_prob(1000, 100), exp(-1000 * am_gauss_tail(sqrt(10.0))), 1e-15,
            "fixed-point probability exp(-N Q)");
    double ac = am_theory_ags_alpha_c(&m);
    is_near(ac, 0.138, 0.0005, "AGS alpha_c = 0.138 (got %.5f)", ac);
    is_near(m, 0.967, 0.001, "AGS overlap at alpha_c = 0.967 (got %.4f)", m);
    ok(am_theory_ags_overlap(0.1, &m) == 1 && m > 0.99 && m < 1, "AGS retrieval state at alpha=0.1 (m=%.5f)", m);
    ok(am_theory_ags_overlap(0.14, &m) == 0 && m == 0, "no retrieval state above alpha_c");
    ok(am_theory_ags_overlap(0.0, &m) == 1 && m == 1.0, "m = 1 at alpha = 0");
    /* AGS: the retrieval overlap falls with load. */
    double m1, m2;
    am_theory_ags_overlap(0.05, &m1);
    am_theory_ags_overlap(0.13, &m2);
    ok(m1 > m2, "overlap decreases with alpha (%.5f > %.5f)", m1, m2);
    is_near(am_theory_hebb_capacity(1000), 1000 / (2 * log(1000.0)), 1e-12, "Hebb capacity N/(2 ln N)");
    is_near(am_theory_storkey_capacity(1000), 1000 / sqrt(2 * log(1000.0)), 1e-12, "Storkey capacity N/sqrt(2 ln N)");

    /* Sequence memory, Chaudhry et al. 2023. Hand-computed with python3 (math, fractions):
     *   P_T = n**d / (2 * df(2d-1) * log(n)), P_S = P_T / (d + 1), beta = exp(2) / cosh(2),
     *   exp: beta**(n-1) / (2 log n) and beta**(n-1) / (2 n log beta). */
    static const struct { double n, pt[3], ps[3], et, es; } cap[] = {
        {100, {10.85736205, 361.9120683, 7238.241365}, {5.428681024, 120.6373561, 1809.560341},
         1.141129546e+28, 7.785358742e+26},
        {200, {18.87391658, 1258.261105, 50330.44422}, {9.436958291, 419.4203685, 12582.61105},
         2.047391415e+57, 8.035387884e+55},
        {400, {33.38082007, 4450.776009, 356062.0807}, {16.69041003, 1483.592003, 89015.52019},
         7.714757464e+115, 1.711958666e+114},
        {800, {59.83892802, 15957.04747, 2553127.595}, {29.91946401, 5319.015824, 638281.8989},
         1.255486171e+233, 1.554161434e+231},
    };
    for (size_t k = 0; k < sizeof cap / sizeof cap[0]; k++) {
        for (int d = 1; d <= 3; d++) {
            is_rel(am_theory_seq_poly_transition_capacity(cap[k].n, d), cap[k].pt[d - 1], 1e-9,
                   "P_T(N=%g, d=%d) = N^d / (2 (2d-1)!! ln N)", cap[k].n, d);
            is_rel(am_theory_seq_poly_sequence_capacity(cap[k].n, d), cap[k].ps[d - 1], 1e-9,
                   "P_S(N=%g, d=%d) = N^d / (2 (d+1) (2d-1)!! ln N)", cap[k].n, d);
        }
        is_rel(am_theory_seq_exp_transition_capacity(cap[k].n), cap[k].et, 1e-8, "exp P_T(N=%g) = beta^(N-1) / (2 ln N)",
               cap[k].n);
        is_rel(am_theory_seq_exp_sequence_capacity(cap[k].n), cap[k].es, 1e-8,
               "exp P_S(N=%g) = beta^(N-1) / (2 N ln beta)", cap[k].n);
    }
    is_near(am_theory_seq_exp_beta(), 1.964027580075817, 1e-14, "beta = e^2 / cosh 2");
    /* d = 1 is the asymmetric Hebb chain: P_T = N / (2 ln N), P_S = N / (4 ln N). */
    for (double n = 3; n < 1e7; n *= 7) {
        is_rel(am_theory_seq_poly_transition_capacity(n, 1), am_theory_hebb_capacity(n), 1e-12, "d = 1: P_T(%g) = N / (2 ln N)", n);
        is_rel(am_theory_seq_poly_sequence_capacity(n, 1), n / (4 * log(n)), 1e-12, "d = 1: P_S(%g) = N / (4 ln N)", n);
    }
    /* No intermediate overflow: (2d-1)!! at d = 160 is 3.1e331 > DBL_MAX, the capacities are not (python3
     * fractions: N**d / (2 df(2d-1)) / log(N) at N = 500, and the same over (d+1)). */
    is_rel(am_theory_seq_poly_transition_capacity(500, 160), 1.7925679375349926e+99, 1e-9, "P_T(500, d=160) = 1.79e99");
    is_rel(am_theory_seq_poly_sequence_capacity(500, 160), 1.1133962344937843e+97, 1e-9, "P_S(500, d=160) = 1.11e97");
    /* The logarithms where the values overflow (python3, exact integers: d log N - log(2 df(2d-1) log N) at
     * N = 10^6, d = 100, and that minus log(d+1)), and equal to the values' logs where they do not. */
    ok(isinf(am_theory_seq_poly_transition_capacity(1e6, 100)), "poly P_T(10^6, d=100) passes DBL_MAX");
    is_near(am_theory_seq_poly_log_transition_capacity(1e6, 100), 948.054223120544, 1e-9, "log poly P_T(10^6, 100)");
    is_near(am_theory_seq_poly_log_sequence_capacity(1e6, 100), 943.4391026037027, 1e-9, "log poly P_S(10^6, 100)");
    is_near(am_theory_seq_poly_log_transition_capacity(500, 160), log(1.7925679375349926e+99), 1e-9,
            "log poly P_T(500, 160) = ln 1.79e99");
    is_near(am_theory_seq_poly_log_sequence_capacity(100, 2), log(120.6373561), 1e-9, "log poly P_S(100, 2)");
    ok(isnan(am_theory_seq_poly_log_transition_capacity(1, 2)) && isnan(am_theory_seq_poly_log_sequence_capacity(100, 0)),
       "log poly capacities: NAN for N < 2 and d < 1");
    ok(isinf(am_theory_seq_exp_transition_capacity(1057)) && isfinite(am_theory_seq_exp_transition_capacity(1056)),
       "exp P_T passes DBL_MAX at N = 1057");
    is_near(am_theory_seq_exp_log_transition_capacity(5000), 4999 * log(am_theory_seq_exp_beta()) - log(2 * log(5000.0)),
            1e-9, "log exp P_T stays finite at N = 5000 (%.6g)", am_theory_seq_exp_log_transition_capacity(5000));
    is_near(am_theory_seq_exp_log_sequence_capacity(100), log(7.785358742e+26), 1e-8, "log exp P_S(100)");
    /* Increasing in N (for N > e^(1/d)), over six decades. */
    int mono = 1;
    for (double n = 3; n < 3e6; n *= 1.5)
        for (int d = 1; d <= 4; d++)
            mono &= am_theory_seq_poly_transition_capacity(n * 1.5, d) > am_theory_seq_poly_transition_capacity(n, d) &&
                    am_theory_seq_poly_sequence_capacity(n * 1.5, d) > am_theory_seq_poly_sequence_capacity(n, d);
    for (double n = 2; n < 2000; n += 1)
        mono &= am_theory_seq_exp_log_transition_capacity(n + 1) > am_theory_seq_exp_log_transition_capacity(n) &&
                am_theory_seq_exp_log_sequence_capacity(n + 1) > am_theory_seq_exp_log_sequence_capacity(n);
    ok(mono, "capacities increase with N");
    ok(am_theory_seq_poly_transition_capacity(100, 2) > am_theory_seq_poly_transition_capacity(100, 1) &&
           am_theory_seq_exp_transition_capacity(100) > am_theory_seq_poly_transition_capacity(100, 3),
       "at N = 100: exp > d = 3 > d = 2 > d = 1");
    /* Invalid input. */
    ok(isnan(am_theory_seq_poly_transition_capacity(1.99, 2)) && isnan(am_theory_seq_poly_sequence_capacity(1, 1)) &&
           isnan(am_theory_seq_poly_transition_capacity(100, 0)) && isnan(am_theory_seq_poly_sequence_capacity(100, -3)) &&
           isnan(am_theory_seq_poly_transition_capacity(NAN, 1)) && isnan(am_theory_seq_poly_transition_capacity(INFINITY, 1)),
       "poly capacities: NAN for N < 2, N NaN or inf, d < 1");
    ok(isnan(am_theory_seq_exp_transition_capacity(1)) && isnan(am_theory_seq_exp_sequence_capacity(-5)) &&
           isnan(am_theory_seq_exp_log_transition_capacity(NAN)) && isnan(am_theory_seq_exp_log_sequence_capacity(INFINITY)),
       "exp capacities: NAN for N < 2, N NaN or inf");
    ok(isnan(am_theory_seq_poly_transition_error(1, 5, 1)) && isnan(am_theory_seq_poly_transition_error(10, 0, 1)) &&
           isnan(am_theory_seq_poly_transition_error(10, 5, 0)) && isnan(am_theory_seq_exp_transition_error(1, 5)) &&
           isnan(am_theory_seq_exp_transition_error(10, 0)),
       "transition errors: NAN for N < 2, P = 0, d < 1");
    ok(am_theory_seq_poly_transition_error(10, 1, 2) == 0 && am_theory_seq_exp_transition_error(10, 1) == 0,
       "one pattern: no crosstalk, no error");

    /* The bit error Q(1 / sqrt((P-1) E[m^2d])), E[m^2d] summed exactly (python3 fractions over the binomial):
     * N=2: E[m^2] = 1; N=3: 1/2; N=40, d=2: 0.001938670577723832; N=50, d=3: 0.00012235054264878264. */
    is_rel(am_theory_seq_poly_transition_error(2, 5, 1), 0.3085375387259869, 1e-12, "error N=2 P=5 d=1 = Q(1/2)");
    is_rel(am_theory_seq_poly_transition_error(3, 4, 1), 0.20710808912126252, 1e-12, "error N=3 P=4 d=1");
    is_rel(am_theory_seq_poly_transition_error(40, 189, 2), 0.04881893707444376, 1e-12, "error N=40 P=189 d=2");
    is_rel(am_theory_seq_poly_transition_error(50, 1000, 3), 0.0021160825604237747, 1e-11, "error N=50 P=1000 d=3");
    is_rel(am_theory_seq_exp_transition_error(20, 100001), 0.02698419843335427, 1e-11,
           "exp error N=20 P=100001 = Q(sqrt(beta^19 / 1e5))");
    /* Large N: E[m^6] -> 15 / (N-1)^3, so at (P-1) 15 / (N-1)^3 = 1/4 the error is Q(2) (to O(1/N)). */
    is_rel(am_theory_seq_poly_transition_error(1000001, (size_t)(1e18 / 60) + 1, 3), am_gauss_tail(2.0), 1e-4,
           "error N=1e6+1 d=3 at (P-1) 15/(N-1)^3 = 1/4 is Q(2)");
    double tiny = am_theory_seq_poly_transition_error(1000001, SIZE_MAX, 200);
    ok(tiny >= 0 && tiny < 1e-300, "error at N=1e6, d=200, P=SIZE_MAX: no NaN from underflow (%g)", tiny);
    /* The capacity is where the union bound N Q(x) reaches ~ 1/sqrt(4 pi ln N) (x^2 = 2 ln N, Mills ratio),
     * within the Mills ratio's 1 - 1/x^2 (python3: 0.939 at N=1e4, 0.967 at N=1e6 for d=1). */
    for (int d = 1; d <= 2; d++)
        for (double n = 1e4; n <= 1e6; n *= 100) {
            size_t pt = (size_t)round(am_theory_seq_poly_transition_capacity(n, d));
            double r = n * am_theory_seq_poly_transition_error((size_t)n, pt, d) * sqrt(4 * M_PI * log(n));
            ok(r > 1 - 1 / (2 * log(n)) - 0.01 && r < 1, "N Q at P_T(N=%g, d=%d) = %.4f / sqrt(4 pi ln N)", n, d, r);
        }
    /* Against simulated DenseNets (seed 1). N even and P odd make every polynomial field odd: no ties.
     * Tolerances: ~4 standard errors of the estimate plus the Gaussian approximation's own error here. */
    double sim = mc_transition_error(24, 67, 2, 200, 1), th = am_theory_seq_poly_transition_error(24, 67, 2);
    is_near(sim, th, 0.15 * th, "poly d=2 N=24 P=67: simulated %.4f vs theory %.4f", sim, th);
    sim = mc_transition_error(24, 31, 1, 200, 2), th = am_theory_seq_poly_transition_error(24, 31, 1);
    is_near(sim, th, 0.1 * th, "SeqNet N=24 P=31: simulated %.4f vs theory %.4f", sim, th);
    sim = mc_transition_error(6, 31, 0, 3000, 3), th = am_theory_seq_exp_transition_error(6, 31);
    is_near(sim, th, 0.15 * th, "exp N=6 P=31: simulated %.4f vs theory %.4f", sim, th);

    /* Asymmetric Hebb chain, parallel dynamics: alpha_c ~ 0.269 (Duering, Coolen, Sherrington 1998); the
     * overlap there from the same equations (python3: max over y of erf(y)^2/(2y^2) - (2/pi)exp(-2y^2) is
     * 0.2690616 at y = 0.98148, m = erf(y) = 0.83487). */
    ac = am_theory_seq_hebb_alpha_c(&m);
    is_near(ac, 0.269, 0.0005, "sequence alpha_c = 0.269 (got %.5f)", ac);
    is_near(ac, 0.2690616291, 1e-8, "sequence alpha_c to the python3 maximum");
    is_near(m, 0.83487, 2e-5, "sequence overlap at alpha_c (got %.5f)", m);
    ok(am_theory_seq_hebb_alpha_c(NULL) == ac, "m_at_c may be NULL");
    int r1 = am_theory_seq_hebb_overlap(0.2, &m1), r2 = am_theory_seq_hebb_overlap(0.26, &m2);
    ok(r1 == 1 && r2 == 1 && m1 > m2 && m2 > 0.8349 && m1 < 1, "sequence overlap falls with alpha (%.5f > %.5f)", m1, m2);
    ok(am_theory_seq_hebb_overlap(0.27, &m) == 0 && m == 0 && am_theory_seq_hebb_overlap(NAN, &m) == 0 &&
           am_theory_seq_hebb_overlap(-0.1, &m) == 0 && am_theory_seq_hebb_overlap(0, &m) == 1 && m == 1,
       "no sequence retrieval above alpha_c or for NaN / negative alpha; m = 1 at alpha = 0");
    ok(ac > am_theory_ags_alpha_c(NULL), "the sequence network holds more than the static one (0.269 > 0.138)");
    return done_testing();
}
