/* bin/theory — predictions for the classical Hopfield network on a grid of loads, to draw beside
 * bin/capacity's measurements. */
#include <math.h>
#include <stdio.h>

#include "am/am.h"
#include "harness/harness.h"

#define MAX_POINTS 10000

static const char description[] =
    "Columns:\n"
    "  N P alpha       units, patterns, load P/N\n"
    "  bit_error       Q(sqrt(N/P)): probability that one update flips a bit of a stored pattern\n"
    "                  (Hebb rule, signal-to-noise estimate; Hopfield 1982), compare unstable_frac\n"
    "  fixed_prob      exp(-N Q(sqrt(N/P))): probability that a stored pattern is a fixed point\n"
    "                  (McEliece et al. 1987), compare fixed_frac\n"
    "  ags_overlap     T=0 retrieval overlap of Amit, Gutfreund & Sompolinsky (1987); 0 above alpha_c,\n"
    "                  compare overlap_mean\n"
    "'#' lines give alpha_c and the capacities N/(2 ln N) (Hebb) and N/sqrt(2 ln N) (Storkey).\n";

int main(int argc, char **argv)
{
    const char *alpha_s = "0.005:0.3:0.005", *p_s = NULL;
    int n = 1000;
    am_run run = {.examples = "theory --N 1000 --out theory.tsv\ntheory --N 500 --P 10,50,69 --out fixed-points.tsv",
                  .program = "theory",
                  .summary = "Mean-field and signal-to-noise predictions for the Hebbian Hopfield network.",
                  .description = description,
                  .seed = 0,
                  .no_seed = 1,
                  .no_threads = 1,
                  .threads = 1};
    am_opt opts[] = {
        {"N", AM_OPT_INT, &n, "n", "units"},
        {"alpha", AM_OPT_STRING, &alpha_s, "a0:a1:step", "loads P/N (P = round(alpha N), at least 1)"},
        {"P", AM_OPT_STRING, &p_s, "p1,p2,...", "pattern counts (instead of --alpha)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    static size_t ps[MAX_POINTS];
    int np, rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (n < 2) {
        am_run_error(&run, "--N must be at least 2");
        return 2;
    }
    if (p_s) {
        static uint64_t v[MAX_POINTS];
        np = am_parse_u64_list(p_s, v, MAX_POINTS);
        for (int k = 0; k < np; k++)
            if (v[k] < 1)
                np = -1;
        if (np < 0) {
            am_run_error(&run, "--P wants a comma-separated list of positive pattern counts");
            return 2;
        }
        for (int k = 0; k < np; k++)
            ps[k] = (size_t)v[k];
    } else {
        static double a[MAX_POINTS];
        np = am_parse_range(alpha_s, a, MAX_POINTS);
        if (np < 0) {
            am_run_error(&run, "--alpha wants a0:a1:step of finite numbers with 0 < step, a0 <= a1 and at most %d "
                               "values", MAX_POINTS);
            return 2;
        }
        for (int k = 0; k < np; k++) {
            double p = floor(a[k] * n + 0.5);
            if (!(a[k] > 0) || !(p <= 1e12)) {
                am_run_error(&run, "--alpha values must be > 0 and give P <= 1e12");
                return 2;
            }
            ps[k] = p < 1 ? 1 : (size_t)p;
        }
    }
    FILE *out = am_run_open(&run);
    if (!out)
        return 1;
    double mc, ac = am_theory_ags_alpha_c(&mc);
    fprintf(out, "# ags_alpha_c: %.5f (overlap there %.4f)\n# hebb_capacity: %.3f\n# storkey_capacity: %.3f\n", ac,
            mc, am_theory_hebb_capacity(n), am_theory_storkey_capacity(n));
    fprintf(out, "N\tP\talpha\tbit_error\tfixed_prob\tags_overlap\n");
    for (int k = 0; k < np; k++) {
        double m;
        double alpha = (double)ps[k] / n;
        am_theory_ags_overlap(alpha, &m);
        fprintf(out, "%d\t%zu\t%.6f\t%.8g\t%.8g\t%.6f\n", n, ps[k], alpha, am_theory_hebb_bit_error((size_t)n, ps[k]),
                am_theory_hebb_fixed_prob((size_t)n, ps[k]), m);
    }
    return am_run_close(&run, out) ? 1 : 0;
}
