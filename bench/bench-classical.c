/* Benchmark W1: Hebbian capacity sweep, N=1000, alpha 0.02..0.20 step 0.01, 5 trials per point, async
 * random-order dynamics (at most 50 sweeps), 10% noise, cue = stored pattern 0 of each trial.
 * The same work as ../shared/bench/peer_classical.py, and exactly the computation of
 *   bin/capacity --N 1000 --alpha 0.02:0.2:0.01 --trials 5 --cues 1 --noise 0.1 --max-steps 50
 * (seed 1, the same random streams), so tools/bench can compare the program with its kernel: both report
 * the mean overlap and the mean number of sweeps. Prints the best and median wall time of R runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "am/am.h"
#include "bench.h"

/* One full sweep; returns the mean overlap over all points and trials (a checksum of the science). */
static double sweep(size_t n, int trials, int verbose, double *steps)
{
    double total = 0, nsteps = 0;
    int count = 0;
    int8_t *s = malloc(n), *t = malloc(n);
    am_hopfield_work *w = NULL;
    for (int k = 0; k <= 18; k++) {
        double alpha = 0.02 + 0.01 * k, sum = 0;
        size_t p = (size_t)floor(alpha * (double)n + 0.5);
        int rec = 0;
        for (int tr = 0; tr < trials; tr++) {
            am_rng rng;
            am_patterns *x = NULL;
            am_hopfield *h = NULL;
            am_recall_opts o;
            am_recall_info info;
            am_rng_init(&rng, 1, am_rng_stream2(am_rng_stream2(n, p), (uint64_t)tr));
            am_patterns_create(&x, n, p);
            am_patterns_random(x, &rng);
            am_hopfield_create(&h, n, AM_RULE_HEBB);
            am_hopfield_set_path(h, AM_PATH_PATTERNS);
            am_hopfield_store(h, x);
            if (!w)
                am_hopfield_work_create(&w, h);
            am_patterns_get(x, 0, t);
            memcpy(s, t, n);
            am_state_flip_frac(s, n, 0.1, &rng);
            am_recall_opts_default(&o);
            o.max_steps = 50;
            am_hopfield_recall(h, s, &o, &rng, w, &info);
            nsteps += info.steps;
            double m = am_state_overlap(s, t, n);
            sum += m;
            rec += m >= 0.99;
            am_hopfield_free(h);
            am_patterns_free(x);
        }
        if (verbose)
            printf("%.2f %.4f %.3f\n", alpha, sum / trials, (double)rec / trials);
        total += sum;
        count += trials;
    }
    am_hopfield_work_free(w);
    free(s), free(t);
    *steps = nsteps / count;
    return total / count;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 20, verbose = argc > 2;
    double *tm = malloc((size_t)(reps > 0 ? reps : 1) * sizeof *tm), chk = 0, steps = 0;
    am_blas_ensure_fast(argv);
    if (reps < 1)
        reps = 1;
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        chk = sweep(1000, 5, verbose && r == 0, &steps);
        tm[r] = bench_now() - t0;
    }
    bench_sort(tm, reps);
    printf("W1 classical Hebb sweep (N=1000, 19 loads x 5 trials, async, 10%% noise): best %.2f ms, median %.2f ms "
           "of %d runs (mean overlap %.4f, mean sweeps %.3f)\n",
           1e3 * tm[0], 1e3 * tm[reps / 2], reps, chk, steps);
    free(tm);
    return 0;
}
