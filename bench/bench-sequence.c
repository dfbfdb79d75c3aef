/* Benchmark W9: sequence memory with the polynomial separation f(x) = x^2 (Chaudhry et al. 2023), N = 200,
 * one cyclic sequence of P in {200, 400, 800, 1600} random +-1 patterns, 3 trials each: one step from every
 * element (the exact-transition rate) and P replay steps from the first element with 10% of its bits flipped
 * (the exact-replay rate). The same work as ../shared/bench/peer_sequence.py 200 2 3 200,400,800,1600 and as
 *   bin/sequence capacity --model seq-dense --degree 2 --N 200 --P 200,400,800,1600 --trials 3 --noise 0.1
 * (one thread here: the kernel alone). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "am/sequence.h"
#include "bench.h"

static double run(double *transitions, double *replay)
{
    const size_t n = 200, ps[4] = {200, 400, 800, 1600};
    double tsum = 0, rsum = 0;
    am_store_config c;
    am_store_config_init(&c, "seq-dense", n);
    am_store_config_set(&c, "degree", "2", NULL, 0);
    for (int a = 0; a < 4; a++)
        for (uint64_t tr = 0; tr < 3; tr++) {
            size_t p = ps[a], nexact = 0, good = 0;
            am_rng rng;
            am_patterns *x = NULL;
            am_store *s = NULL;
            int8_t *next = malloc(p * n), *states = malloc((p + 1) * n), *want = malloc(n);
            am_rng_init(&rng, 1, am_rng_stream2(n, p) + tr);
            am_patterns_create(&x, n, p);
            am_patterns_random(x, &rng);
            am_store_create(&s, &c);
            am_sequence_add(s, x, 1);
            am_sequence_transitions(s, 0, p, NULL, next, NULL, &nexact);
            am_patterns_get(x, 0, states);
            am_state_flip_k(states, n, n / 10, &rng);
            am_sequence_replay(s, states, 0, (unsigned)p, NULL, NULL, NULL, states, NULL);
            for (size_t t = 1; t <= p; t++) {
                am_patterns_get(x, t % p, want);
                good += !memcmp(states + t * n, want, n);
            }
            tsum += (double)nexact / (double)p;
            rsum += (double)good / (double)p;
            free(next), free(states), free(want);
            am_store_free(s);
            am_patterns_free(x);
        }
    *transitions = tsum / 12, *replay = rsum / 12;
    return 0;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    double *tm, tx = 0, rx = 0;
    am_blas_ensure_fast(argv);
    if (reps < 1)
        reps = 1;
    tm = malloc((size_t)reps * sizeof *tm);
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        run(&tx, &rx);
        tm[r] = bench_now() - t0;
    }
    bench_sort(tm, reps);
    printf("W9 sequence memory x^2 (N=200, P=200..1600 x 3 trials, transitions and replay): best %.2f ms, median %.2f ms "
           "of %d runs (mean exact transitions %.4f, mean exact replay %.4f)\n",
           1e3 * tm[0], 1e3 * tm[reps / 2], reps, tx, rx);
    free(tm);
    return 0;
}
