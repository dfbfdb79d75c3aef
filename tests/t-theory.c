/* Theory helpers against published constants. */
#include "am/am.h"
#include "tap.h"

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
    return done_testing();
}
