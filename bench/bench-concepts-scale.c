/* W7 scaling: the cost of kv cross-modal recall against the number of concepts N, at a fixed number of cues.
 * The data: N concepts x 3 modalities x 64 floats (uniform random, about unit length); Q cues in modality a (a concept's
 * key plus noise), recalled by am_kv_recall (one pass over the concepts a tile at a time, top 1 and the
 * read-out in modality b) on every core. Prints the time per query, the peak resident memory of the process
 * (VmHWM) and its ratio to the data's own size, and recall@1.
 * Usage: bench-concepts-scale N [Q] [REPS]    (one N per process: the peak is the process's) */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "bench.h"

/* Peak resident set of this process in bytes (VmHWM), 0 when unknown. */
static double peak_rss(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kb = atof(line + 6);
    if (f)
        fclose(f);
    return kb * 1024.0;
}

int main(int argc, char **argv)
{
    size_t N = argc > 1 ? (size_t)atof(argv[1]) : 1000000, Q = argc > 2 ? (size_t)atol(argv[2]) : 512, d = 64;
    int reps = argc > 3 ? atoi(argv[3]) : 3;
    if (N < 10 || Q < 1 || reps < 1)
        return 2;
    double base = peak_rss();
    float *x[3], *q = malloc(Q * d * sizeof *q), *out = malloc(Q * d * sizeof *out);
    size_t *top = malloc(Q * sizeof *top), *truth = malloc(Q * sizeof *truth);
    for (int m = 0; m < 3; m++)
        if (!(x[m] = malloc(N * d * sizeof(float))))
            return 1;
    if (!q || !out || !top || !truth)
        return 1;
    /* the data, in parallel: one random stream per modality and block of 65536 rows; uniform entries of variance
     * 1/d (about unit length), two from each 64-bit draw: Gaussian ones take minutes at N = 1e7 */
    size_t rb = 65536, nrb = (N + rb - 1) / rb;
    const float a = 0.2165063509f / 2147483648.0f; /* sqrt(3/64) / 2^31 */
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t i = 0; i < 3 * nrb; i++) {
        am_rng rng;
        size_t m = i / nrb, r0 = (i % nrb) * rb, rows = N - r0 < rb ? N - r0 : rb;
        float *y = x[m] + r0 * d;
        am_rng_init(&rng, 7, i);
        for (size_t j = 0; j + 1 < rows * d; j += 2) { /* rows * d is even: d = 64 */
            uint64_t u = am_rng_u64(&rng);
            y[j] = a * (float)(int32_t)(uint32_t)u;
            y[j + 1] = a * (float)(int32_t)(uint32_t)(u >> 32);
        }
    }
    am_rng rng;
    am_rng_init(&rng, 7, 3 * nrb);
    for (size_t k = 0; k < Q; k++) {
        truth[k] = (size_t)am_rng_below(&rng, N);
        for (size_t i = 0; i < d; i++)
            q[k * d + i] = x[0][truth[k] * d + i] + 0.3f * (float)am_rng_normal(&rng) / 8.0f;
    }
    double *tm = malloc((size_t)reps * sizeof *tm);
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        if (am_kv_recall(x[0], x[1], N, d, d, 16.0, q, Q, 1, top, NULL, out, 0))
            return 1;
        tm[r] = bench_now() - t0;
    }
    bench_sort(tm, reps);
    size_t hit = 0;
    for (size_t k = 0; k < Q; k++)
        hit += top[k] == truth[k];
    double data = 3.0 * (double)N * (double)d * sizeof(float), peak = peak_rss();
    printf("W7 scale N=%zu Q=%zu: %.1f us/query (best of %d) = %.3f ns per concept-query, %.1f GFLOP/s; peak RSS "
           "%.0f MB = %.2fx the data's %.0f MB (%.0f MB before the data); recall@1 %.4f on %d threads\n",
           N, Q, 1e6 * tm[0] / (double)Q, reps, 1e9 * tm[0] / (double)Q / (double)N,
           4.0 * (double)Q * (double)N * (double)d / tm[0] / 1e9, peak / 1e6, peak / data, data / 1e6, base / 1e6,
           (double)hit / (double)Q, omp_get_max_threads());
    for (int m = 0; m < 3; m++)
        free(x[m]);
    free(q), free(out), free(top), free(truth), free(tm);
    return 0;
}
