/* Benchmark W3: Krotov-Hopfield dense memory, F(x) = x^3, N = 100, K in {200, 400, 800, 1600, 3200},
 * 5 trials each, async random-order dynamics (at most 50 sweeps), 10% noise, cue = stored pattern 0.
 * The same work as ../shared/bench/peer_dense.py 100 3 5 200,400,800,1600,3200, and exactly the computation of
 *   bin/capacity --model dense --F poly --degree 3 --N 100 --P 200,400,800,1600,3200 --trials 5 --cues 1
 *                --noise 0.1 --max-steps 50
 * (seed 1, the same random streams): both report the mean overlap and the mean number of sweeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "am/am.h"
#include "bench.h"

static double run(int verbose, double *steps)
{
    const size_t n = 100, ks[5] = {200, 400, 800, 1600, 3200};
    int8_t s[100], t[100];
    double total = 0, nsteps = 0;
    am_dense_work *w = NULL;
    for (int a = 0; a < 5; a++) {
        double sum = 0;
        for (int tr = 0; tr < 5; tr++) {
            am_rng rng;
            am_patterns *x = NULL;
            am_dense *d = NULL;
            am_recall_opts o;
            am_recall_info info;
            am_rng_init(&rng, 1, am_rng_stream2(am_rng_stream2(n, ks[a]), (uint64_t)tr));
            am_patterns_create(&x, n, ks[a]);
            am_patterns_random(x, &rng);
            am_dense_create(&d, n, AM_F_POLY, 3);
            am_dense_store(d, x);
            if (!w)
                am_dense_work_create(&w, d);
            am_patterns_get(x, 0, t);
            memcpy(s, t, n);
            am_state_flip_frac(s, n, 0.1, &rng);
            am_recall_opts_default(&o);
            o.max_steps = 50;
            am_dense_recall(d, s, &o, &rng, w, &info);
            nsteps += info.steps;
            sum += am_state_overlap(s, t, n);
            am_dense_free(d);
            am_patterns_free(x);
        }
        if (verbose)
            printf("%zu %.4f\n", ks[a], sum / 5);
        total += sum;
    }
    am_dense_work_free(w);
    *steps = nsteps / 25;
    return total / 25;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 20;
    double *tm, chk = 0, steps = 0;
    am_blas_ensure_fast(argv);
    if (reps < 1)
        reps = 1;
    tm = malloc((size_t)reps * sizeof *tm);
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        chk = run(argc > 2 && r == 0, &steps);
        tm[r] = bench_now() - t0;
    }
    bench_sort(tm, reps);
    printf("W3 dense memory F=x^3 (N=100, K=200..3200 x 5 trials, async, 10%% noise): best %.2f ms, median %.2f ms "
           "of %d runs (mean overlap %.4f, mean sweeps %.3f)\n",
           1e3 * tm[0], 1e3 * tm[reps / 2], reps, chk, steps);
    free(tm);
    return 0;
}
