/* Benchmark W6: holographic reduced representations, the work of ../shared/bench/peer_hrr.py D M K Q:
 * M traces t = sum_k role_k (*) item_k over K modalities (D dimensions, items and roles i.i.d. N(0, 1/D)),
 * encoded in one batch; then Q cues (random traces) unbound with role 0's involution and cleaned up against
 * the M items of modality 0 by the largest cosine (a modern store of the unit-length items, am_modern_nearest).
 * Timed as the peer times it: encode, then decode + clean-up (building the clean-up memory included).
 * Usage: bench-hrr D M K Q [REPS] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "bench.h"

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench-hrr: %s: %s\n", what, am_strerror(rc));
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench-hrr D M K Q [REPS]\n");
        return 2;
    }
    size_t D = strtoul(argv[1], NULL, 10), M = strtoul(argv[2], NULL, 10), K = strtoul(argv[3], NULL, 10),
           Q = strtoul(argv[4], NULL, 10);
    int reps = argc > 5 ? atoi(argv[5]) : 3;
    if (!D || !M || !K || !Q || K > 64 || reps < 1) {
        fprintf(stderr, "bench-hrr: D, M, K (<= 64), Q and REPS must be positive\n");
        return 2;
    }
    am_blas_ensure_fast(argv);
    am_rng rng;
    am_rng_init(&rng, 1, 0);
    float *items = malloc(K * M * D * sizeof *items), *roles = malloc(K * D * sizeof *roles);
    float *traces = malloc(M * D * sizeof *traces), *cue = malloc(Q * D * sizeof *cue),
          *est = malloc(Q * D * sizeof *est), *unit = malloc(M * D * sizeof *unit);
    size_t *q = malloc(Q * sizeof *q), *got = malloc(Q * sizeof *got);
    if (!items || !roles || !traces || !cue || !est || !unit || !q || !got)
        die("allocation", AM_ENOMEM);
    am_hrr_random(&rng, K * M, D, items);
    am_hrr_random(&rng, K, D, roles);
    for (size_t k = 0; k < Q; k++)
        q[k] = (size_t)am_rng_below(&rng, M);
    am_hrr *h = NULL;
    int rc;
    if ((rc = am_hrr_create(&h, D, AM_FFT_ESTIMATE)))
        die("am_hrr_create", rc);
    const float *ip[64];
    size_t ld[64];
    for (size_t k = 0; k < K; k++) {
        ip[k] = items + k * M * D;
        ld[k] = D;
    }
    double best_e = INFINITY, best_d = INFINITY;
    double acc = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        if ((rc = am_hrr_encode(h, M, K, roles, ip, ld, traces, D, NULL)))
            die("am_hrr_encode", rc);
        double t1 = bench_now();
        for (size_t k = 0; k < Q; k++)
            memcpy(cue + k * D, traces + q[k] * D, D * sizeof *cue);
        if ((rc = am_hrr_unbind(h, Q, cue, D, roles, 0, AM_HRR_INVOLUTION, est, D, NULL)))
            die("am_hrr_unbind", rc);
        for (size_t m = 0; m < M; m++) {
            double n2 = 0;
            for (size_t i = 0; i < D; i++)
                n2 += (double)items[m * D + i] * items[m * D + i];
            float s = (float)(1.0 / sqrt(n2));
            for (size_t i = 0; i < D; i++)
                unit[m * D + i] = items[m * D + i] * s;
        }
        am_modern *mem = NULL;
        if ((rc = am_modern_create(&mem, D, 1.0)) || (rc = am_modern_store(mem, unit, M)))
            die("clean-up memory", rc);
        if ((rc = am_modern_nearest(mem, est, Q, got, NULL)))
            die("am_modern_nearest", rc);
        am_modern_free(mem);
        double t2 = bench_now();
        size_t hit = 0;
        for (size_t k = 0; k < Q; k++)
            hit += got[k] == q[k];
        acc = (double)hit / (double)Q;
        if (t1 - t0 < best_e)
            best_e = t1 - t0;
        if (t2 - t1 < best_d)
            best_d = t2 - t1;
    }
    printf("accuracy %.4f encode %.3f s decode+cleanup %.3f s total %.3f s (best of %d; blas %s, %d threads; %s)\n",
           acc, best_e, best_d, best_e + best_d, reps, am_blas_corename(), am_blas_get_threads(), am_fft_version());
    am_hrr_free(h);
    free(items); free(roles); free(traces); free(cue); free(est); free(unit); free(q); free(got);
    return 0;
}
