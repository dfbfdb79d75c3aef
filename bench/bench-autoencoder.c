/* Benchmark W4: MLP autoencoder 784-256-64-256-784 (ReLU hidden, sigmoid output, MSE), Adam lr 1e-3,
 * batch 128, on the 60000 Fashion-MNIST training images; seconds per epoch and test MSE after each epoch.
 * The same work as ../shared/bench/peer_autoencoder.py EPOCHS. Then the yardstick: OpenBLAS's own sgemm on
 * every core, on one epoch's products (the same shapes), and the time the epoch's FLOPs take at that rate.
 * Usage: bench-autoencoder [EPOCHS [DIR]] */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include <cblas.h>

#include "am/am.h"
#include "bench.h"

/* One epoch's matrix products through OpenBLAS's sgemm, timed: for every minibatch (count rows in batches of
 * `batch`, the last one shorter) and layer l (in = sizes[l], out = sizes[l + 1]), the forward product
 * A W^T (b x out), the weight gradient D^T A (out x in), and, above the first layer, the delta sent down,
 * D W (b x in): 6 b in out FLOPs a layer, 4 b in out for the first. Best of `reps` epochs, in seconds;
 * *gflop: the epoch's GFLOP. Returns -1 when out of memory. Data are constants: the rate does not depend on
 * the values. */
static double sgemm_epoch(const size_t *sizes, int layers, size_t count, size_t batch, int reps, double *gflop)
{
    size_t wmax = 0, amax = 0;
    for (int l = 0; l < layers; l++) {
        wmax = sizes[l] * sizes[l + 1] > wmax ? sizes[l] * sizes[l + 1] : wmax;
        amax = sizes[l] > amax ? sizes[l] : amax;
    }
    float *w = malloc(wmax * sizeof *w), *g = malloc(wmax * sizeof *g), *a = malloc(batch * amax * sizeof *a),
          *d = malloc(batch * amax * sizeof *d), *o = malloc(batch * amax * sizeof *o);
    double best = -1;
    *gflop = 0;
    if (w && g && a && d && o) {
        for (size_t i = 0; i < wmax; i++)
            w[i] = 0.01f;
        for (size_t i = 0; i < batch * amax; i++)
            a[i] = 0.5f, d[i] = 0.001f;
        for (int r = 0; r < reps; r++) {
            double t0 = bench_now(), flop = 0;
            for (size_t r0 = 0; r0 < count; r0 += batch) {
                int b = (int)(count - r0 < batch ? count - r0 : batch);
                for (int l = 0; l < layers; l++) {
                    int in = (int)sizes[l], out = (int)sizes[l + 1];
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, out, in, 1.0f, a, in, w, in, 0.0f, o, out);
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, b, 1.0f, d, out, a, in, 0.0f, g, in);
                    flop += 4.0 * b * in * out;
                    if (l > 0) {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, in, out, 1.0f, d, out, w, in, 0.0f,
                                    o, in);
                        flop += 2.0 * b * in * out;
                    }
                }
            }
            double dt = bench_now() - t0;
            best = best < 0 || dt < best ? dt : best;
            *gflop = flop / 1e9;
        }
    }
    free(w), free(g), free(a), free(d), free(o);
    return best;
}

int main(int argc, char **argv)
{
    int epochs = argc > 1 ? atoi(argv[1]) : 2;
    const char *dir = argc > 2 ? argv[2] : NULL;
    am_blas_ensure_fast(argv);
    am_dataset *train = NULL, *test = NULL;
    int rc;
    if ((rc = am_fashion_load(&train, dir, "train")) || (rc = am_fashion_load(&test, dir, "test"))) {
        fprintf(stderr, "bench-autoencoder: Fashion-MNIST not readable (%s); install dataset-fashion-mnist\n",
                am_strerror(rc));
        return 1;
    }
    am_ae_config c;
    am_ae_config_parse(&c, "784,256,64,256,784", "relu", NULL, "sigmoid", "mse");
    am_rng rng;
    am_rng_init(&rng, 1, 0);
    am_ae *ae = NULL;
    am_ae_trainer *t = NULL;
    if ((rc = am_ae_create(&ae, &c, &rng)) || (rc = am_ae_trainer_create(&t, ae, NULL))) {
        fprintf(stderr, "bench-autoencoder: %s\n", am_strerror(rc));
        return 1;
    }
    double best = 1e30, mse = 0;
    for (int e = 1; e <= epochs; e++) {
        double t0 = bench_now(), loss;
        if ((rc = am_ae_train_epoch(t, train, &rng, NULL, NULL, &loss))) {
            fprintf(stderr, "bench-autoencoder: %s\n", am_strerror(rc));
            return 1;
        }
        double dt = bench_now() - t0;
        am_ae_evaluate(ae, test->x, test->count, &mse, NULL);
        if (dt < best)
            best = dt;
        printf("W4 autoencoder epoch %d: %.3f s, train loss %.5f, test MSE %.5f (blas %s, %d threads)\n", e, dt,
               loss, mse, am_blas_corename(), am_blas_get_threads());
    }
    printf("W4 autoencoder 784-256-64-256-784: best %.3f s/epoch, test MSE %.5f after %d epochs\n", best, mse, epochs);
    int threads = am_blas_get_threads(), nproc = omp_get_num_procs();
    am_blas_set_threads(nproc);
    double gflop, sg = sgemm_epoch(c.sizes, c.layers, train->count, 128, epochs, &gflop);
    am_blas_set_threads(threads);
    if (sg > 0)
        printf("W4 OpenBLAS sgemm on one epoch's products (same shapes, %d threads): %.1f GFLOP in best %.3f s = "
               "%.0f GFLOP/s; the epoch at %.0f%% of that rate, %.2fx its time\n",
               nproc, gflop, sg, gflop / sg, 100 * sg / best, best / sg);
    am_ae_trainer_free(t);
    am_ae_free(ae);
    am_dataset_free(train);
    am_dataset_free(test);
    return 0;
}
