/* W7: cross-modal recall through the concept layer at scale, and learning into LMDB.
 *   recall  N = 1e5 concepts with 64-dimensional keys (modality a) and values (modality b), 1e4 cues in a,
 *           key-value modern Hopfield (kv, dot, beta 16): scores Q x N x 64, softmax, read-out Q x N x 64 -
 *           4 Q N 64 flops - beside OpenBLAS's sgemm on the same two products on every core.
 *   learn   the same 1e5 concepts observed and synced into a fresh LMDB database, 1000 per transaction.
 * Usage: bench-concepts [REPS] [N] [Q] */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "am/conceptdb.h"
#include "bench.h"

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 3;
    size_t N = argc > 2 ? (size_t)atol(argv[2]) : 100000, Q = argc > 3 ? (size_t)atol(argv[3]) : 10000, d = 64;
    if (reps < 1 || N < 10 || Q < 1)
        return 2;
    am_blas_set_threads(1);
    float *a = malloc(N * d * sizeof *a), *b = malloc(N * d * sizeof *b), *q = malloc(Q * d * sizeof *q),
          *out = malloc(Q * d * sizeof *out);
    size_t *top = malloc(Q * sizeof *top), *truth = malloc(Q * sizeof *truth);
    am_rng rng;
    am_rng_init(&rng, 7, 0);
    am_hrr_random(&rng, N, d, a); /* i.i.d. N(0, 1/d): about unit length */
    am_hrr_random(&rng, N, d, b);
    for (size_t k = 0; k < Q; k++) {
        truth[k] = (size_t)am_rng_below(&rng, N);
        for (size_t i = 0; i < d; i++)
            q[k * d + i] = a[truth[k] * d + i] + 0.3f * (float)am_rng_normal(&rng) / 8.0f;
    }
    am_modality mods[2] = {{"a", d, 1e30, ""}, {"b", d, 1e30, ""}};
    am_concepts_config cfg;
    am_concepts_config_default(&cfg);
    cfg.beta = 16.0;
    am_concepts *cm = NULL;
    if (am_concepts_create(&cm, mods, 2, &cfg))
        return 1;
    /* learning into LMDB */
    char dir[] = "/tmp/bench-concepts-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    am_conceptdb *db = NULL;
    if (am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, 0, NULL, 0))
        return 1;
    double t0 = bench_now();
    for (size_t c = 0; c < N; c++) {
        const float *lat[AM_CONCEPT_MAX_MODALITIES] = {a + c * d, b + c * d};
        char lb[24];
        snprintf(lb, sizeof lb, "c%zu", c);
        if (am_concepts_observe(cm, lat, lb, NULL, NULL))
            return 1;
        if ((c + 1) % 1000 == 0 || c + 1 == N)
            if (am_conceptdb_sync(db, cm))
                return 1;
    }
    double tl = bench_now() - t0;
    am_conceptdb_stats st;
    am_conceptdb_stats_get(db, &st);
    am_conceptdb_close(db);
    char p[64];
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/lock.mdb", dir);
    unlink(p);
    rmdir(dir);
    printf("W7 learn %zu concepts (2 x 64-d latents, 1000 per transaction) into LMDB: %.2f s = %.0f concepts/s, %.0f "
           "bytes per concept on disk\n",
           N, tl, N / tl, (double)st.bytes / (double)N);
    /* recall */
    int nproc = omp_get_num_procs();
    const float *cues[AM_CONCEPT_MAX_MODALITIES] = {q};
    am_concept_recall r = {.k = 1, .concept = top};
    r.out[1] = out;
    double *tm = malloc((size_t)reps * sizeof *tm);
    am_concepts_recall(cm, cues, 1, &r, nproc); /* builds the mechanism */
    for (int rr = 0; rr < reps; rr++) {
        t0 = bench_now();
        if (am_concepts_recall(cm, cues, Q, &r, nproc))
            return 1;
        tm[rr] = bench_now() - t0;
    }
    size_t hit = 0;
    for (size_t k = 0; k < Q; k++)
        hit += top[k] == truth[k];
    bench_sort(tm, reps);
    double gflop = 4.0 * (double)Q * (double)N * (double)d / 1e9;
    /* the yardstick: OpenBLAS sgemm on every core, the same two products in the same blocks of 256 cues */
    float *sc = malloc(256 * N * sizeof *sc);
    double *ts = malloc((size_t)reps * sizeof *ts);
    am_blas_set_threads(nproc);
    for (size_t i = 0; i < 256 * N; i++)
        sc[i] = 1.0f / (float)N;
    for (int rr = 0; rr < reps; rr++) {
        t0 = bench_now();
        for (size_t q0 = 0; q0 < Q; q0 += 256) {
            size_t nb = Q - q0 < 256 ? Q - q0 : 256;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)N, (int)d, 1.0f, q + q0 * d, (int)d, a, (int)d,
                        0.0f, sc, (int)N);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, (int)d, (int)N, 1.0f, sc, (int)N, b, (int)d, 0.0f,
                        out, (int)d);
        }
        ts[rr] = bench_now() - t0;
    }
    bench_sort(ts, reps);
    printf("W7 cross-modal recall kv N=%zu d=64 Q=%zu (%.0f GFLOP): median %.3f s of %d = %.0f queries/s = %.0f GFLOP/s, "
           "recall@1 %.4f, OpenBLAS %s; sgemm %.0f GFLOP/s on %d threads\n",
           N, Q, gflop, tm[reps / 2], reps, Q / tm[reps / 2], gflop / tm[reps / 2], (double)hit / Q, am_blas_corename(),
           gflop / ts[reps / 2], nproc);
    free(sc), free(ts), free(tm);
    am_concepts_free(cm);
    free(a), free(b), free(q), free(out), free(top), free(truth);
    return 0;
}
