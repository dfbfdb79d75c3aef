/* Benchmark W2: modern Hopfield batched retrieval, d = 256, M = 20000 unit-norm Gaussian patterns,
 * Q = 1000 queries (a stored pattern plus Gaussian noise of norm ~0.5), beta = 16, exactly 3 updates.
 * The same work as ../shared/bench/peer_modern.py - 256 20000 1000 16 3 (61 GFLOP). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include <time.h>

#include <cblas.h>

#include "am/am.h"
#include "bench.h"

int main(int argc, char **argv)
{
    const size_t d = 256, M = 20000, Q = 1000;
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    am_blas_ensure_fast(argv);
    if (reps < 1)
        reps = 1;
    am_rng rng;
    am_rng_init(&rng, 2, 0);
    float *x = malloc(M * d * sizeof *x), *z = malloc(Q * d * sizeof *z), *q = malloc(Q * d * sizeof *q);
    size_t *idx = malloc(Q * sizeof *idx);
    for (size_t mu = 0; mu < M; mu++) {
        double n2 = 0;
        for (size_t i = 0; i < d; i++) {
            x[mu * d + i] = (float)am_rng_normal(&rng);
            n2 += (double)x[mu * d + i] * x[mu * d + i];
        }
        for (size_t i = 0; i < d; i++)
            x[mu * d + i] = (float)(x[mu * d + i] / sqrt(n2));
    }
    for (size_t k = 0; k < Q; k++) {
        idx[k] = (size_t)am_rng_below(&rng, M);
        for (size_t i = 0; i < d; i++)
            z[k * d + i] = x[idx[k] * d + i] + (float)(0.5 * am_rng_normal(&rng) / sqrt((double)d));
    }
    am_modern *m = NULL;
    am_modern_work *w = NULL;
    am_modern_create(&m, d, 16.0);
    am_modern_store(m, x, M);
    am_modern_work_create(&w, m);
    am_modern_opts o = {.max_steps = 3, .eps = 0.0};
    double *tm = malloc((size_t)reps * sizeof *tm);
    for (int r = 0; r < reps; r++) {
        memcpy(q, z, Q * d * sizeof *q);
        double t0 = bench_now();
        am_modern_recall(m, q, Q, &o, w, NULL);
        tm[r] = bench_now() - t0;
    }
    /* Accuracy: the nearest stored pattern (largest dot product) is the cued one. */
    size_t hit = 0;
    for (size_t k = 0; k < Q; k++) {
        size_t best = 0;
        double bv = -INFINITY;
        for (size_t mu = 0; mu < M; mu++) {
            double dot = 0;
            for (size_t i = 0; i < d; i++)
                dot += (double)q[k * d + i] * x[mu * d + i];
            if (dot > bv)
                bv = dot, best = mu;
        }
        hit += best == idx[k];
    }
    bench_sort(tm, reps);
    double gflop = 2.0 * 2.0 * Q * M * d * 3 / 1e9;
    /* The yardstick: OpenBLAS's own sgemm on every core, on the same two products (scores Q X^T and the
     * weighted sum A X), three times each as in three updates. */
    float *a = malloc(Q * M * sizeof *a), *r = malloc(Q * d * sizeof *r);
    double *ts = malloc((size_t)reps * sizeof *ts);
    int nproc = omp_get_num_procs();
    am_blas_set_threads(nproc);
    for (size_t i = 0; i < Q * M; i++)
        a[i] = 1.0f / (float)M;
    for (int rr = 0; rr < reps; rr++) {
        double t0 = bench_now();
        for (int st = 0; st < 3; st++) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)Q, (int)M, (int)d, 16.0f, z, (int)d, x, (int)d,
                        0.0f, a, (int)M);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)Q, (int)d, (int)M, 1.0f, a, (int)M, x, (int)d,
                        0.0f, r, (int)d);
        }
        ts[rr] = bench_now() - t0;
    }
    bench_sort(ts, reps);
    printf("W2 modern batched retrieval (d=256, M=20000, Q=1000, beta=16, 3 steps, %.1f GFLOP): best %.3f s, "
           "median %.3f s of %d runs = %.0f GFLOP/s, accuracy %.4f, OpenBLAS %s; sgemm %.0f GFLOP/s on %d threads\n",
           gflop, tm[0], tm[reps / 2], reps, gflop / tm[reps / 2], (double)hit / Q, am_blas_corename(),
           gflop / ts[reps / 2], nproc);
    free(a), free(r), free(ts);
    am_modern_work_free(w);
    am_modern_free(m);
    free(x), free(z), free(q), free(idx), free(tm);
    return 0;
}
