/* Benchmark W10: a convolutional classifier-encoder (am/cnn.h) on Fashion-MNIST, by default
 * conv32k3p1,bn,relu,maxpool2,conv64k3p1,bn,relu,maxpool2,flat,fc64,relu,fc10 on 1x28x28 images,
 * cross-entropy, Adam lr 1e-3, batch 128, on the 60000 training images: seconds per epoch and test accuracy
 * after each epoch. The same work as bench/peer_cnn.py EPOCHS [LAYERS] (PyTorch). Then the yardstick:
 * OpenBLAS's own sgemm on every core on one epoch's matrix products as im2col lays them out (the same
 * shapes), and the time the epoch's FLOPs take at that rate. The network is trained at each thread count of
 * THREADS (default: all cores, then 1) from the same seed; the fastest counts (the results are the same bits).
 * Usage: bench-cnn [EPOCHS [LAYERS [THREADS [DIR]]]] */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "am/am.h"
#include "bench.h"
#include "harness/harness.h"

#define W10_LAYERS "conv32k3p1,bn,relu,maxpool2,conv64k3p1,bn,relu,maxpool2,flat,fc64,relu,fc10"

/* One layer's products per image: rows M (output positions; 1 for a dense layer), N outputs, K inputs per
 * output (C_in K_h K_w; the input size for a dense layer); first: no delta is sent below it. */
typedef struct prod {
    size_t m, n, k;
    int first;
} prod;

/* The products of a 1 x rows x cols image through `layers` (convolutions, pooling, dense layers; other
 * tokens do not change the shape). Returns the number of products, -1 for a token this walker does not
 * know (the yardstick is then skipped). */
static int products(const char *layers, size_t rows, size_t cols, prod *p, int max)
{
    char buf[1024];
    size_t c = 1, h = rows, w = cols;
    int np = 0;
    snprintf(buf, sizeof buf, "%s", layers);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        unsigned a = 0, k = 0, s = 1, pad = 0;
        int used = 0;
        if (sscanf(t, "conv%uk%u%n", &a, &k, &used) == 2) {
            const char *r = t + used;
            if (*r == 's' && sscanf(r, "s%u%n", &s, &used) == 1)
                r += used;
            if (*r == 'p' && sscanf(r, "p%u%n", &pad, &used) == 1)
                r += used;
            if (*r || !s || np == max || h + 2 * pad < k || w + 2 * pad < k)
                return -1;
            h = (h + 2 * pad - k) / s + 1, w = (w + 2 * pad - k) / s + 1;
            p[np] = (prod){h * w, a, (size_t)k * k * c, np == 0};
            np++, c = a;
        } else if (sscanf(t, "maxpool%u%n", &k, &used) == 1 || sscanf(t, "avgpool%u%n", &k, &used) == 1) {
            s = k;
            if (t[used] && sscanf(t + used, "s%u", &s) != 1)
                return -1;
            if (!k || !s || h < k || w < k)
                return -1;
            h = (h - k) / s + 1, w = (w - k) / s + 1;
        } else if (sscanf(t, "fc%u%n", &a, &used) == 1 && !t[used]) {
            if (np == max)
                return -1;
            p[np] = (prod){1, a, c * h * w, np == 0};
            np++, c = a, h = w = 1;
        } else if (strcmp(t, "bn") && strcmp(t, "relu") && strcmp(t, "tanh") && strcmp(t, "sigmoid") &&
                   strcmp(t, "flat") && strcmp(t, "code")) {
            return -1;
        }
    }
    return np;
}

/* One epoch's products through OpenBLAS's sgemm, timed: for every minibatch (count rows in batches of
 * `batch`, the last one shorter) and product (M = b m rows), the forward product A W (M x n, A: M x k), the
 * weight gradient A^T D (k x n) and, above the first layer, the delta sent down D W^T (M x k): 2 M n k FLOPs
 * each. Best of `reps` epochs, in seconds; *gflop: the epoch's GFLOP. -1 when out of memory. The data are
 * constants: the rate does not depend on the values. */
static double sgemm_epoch(const prod *p, int np, size_t count, size_t batch, int reps, double *gflop)
{
    size_t amax = 0, wmax = 0, omax = 0;
    for (int l = 0; l < np; l++) {
        size_t a = batch * p[l].m * p[l].k, o = batch * p[l].m * p[l].n, w = p[l].k * p[l].n;
        amax = a > amax ? a : amax, omax = o > omax ? o : omax, wmax = w > wmax ? w : wmax;
    }
    float *a = malloc(amax * sizeof *a), *da = malloc(amax * sizeof *da), *o = malloc(omax * sizeof *o),
          *d = malloc(omax * sizeof *d), *w = malloc(wmax * sizeof *w), *g = malloc(wmax * sizeof *g);
    double best = -1;
    *gflop = 0;
    if (a && da && o && d && w && g) {
        for (size_t i = 0; i < amax; i++)
            a[i] = 0.5f;
        for (size_t i = 0; i < omax; i++)
            d[i] = 0.001f;
        for (size_t i = 0; i < wmax; i++)
            w[i] = 0.01f;
        for (int r = 0; r < reps; r++) {
            double t0 = bench_now(), flop = 0;
            for (size_t r0 = 0; r0 < count; r0 += batch) {
                size_t b = count - r0 < batch ? count - r0 : batch;
                for (int l = 0; l < np; l++) {
                    int M = (int)(b * p[l].m), n = (int)p[l].n, k = (int)p[l].k;
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, n, k, 1.0f, a, k, w, n, 0.0f, o, n);
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, n, M, 1.0f, a, k, d, n, 0.0f, g, n);
                    flop += 4.0 * M * n * k;
                    if (!p[l].first) {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, k, n, 1.0f, d, n, w, n, 0.0f, da, k);
                        flop += 2.0 * M * n * k;
                    }
                }
            }
            double dt = bench_now() - t0;
            best = best < 0 || dt < best ? dt : best;
            *gflop = flop / 1e9;
        }
    }
    free(a), free(da), free(o), free(d), free(w), free(g);
    return best;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "bench-cnn: %s: %s\n", what, am_strerror(rc));
    return 1;
}

/* A fresh network (seed 1) trained for `epochs` epochs on `threads` threads, one line per epoch: the best
 * epoch's seconds (< 0 after a failure, reported); *acc, *loss: the test accuracy and training loss after the
 * last epoch. A bad LAYERS string is reported and gives -2. */
static double train(const char *input, const char *layers, const am_dataset *train, const am_dataset *test,
                    int epochs, int threads, double *acc, double *loss)
{
    am_rng rng;
    am_rng_init(&rng, 1, 0);
    am_cnn *n = NULL;
    am_cnn_trainer *t = NULL;
    char err[256] = "";
    int rc = am_cnn_create(&n, input, layers, AM_CNN_XENT, &rng, err, sizeof err);
    if (rc) {
        fprintf(stderr, "bench-cnn: LAYERS '%s': %s\n", layers, err[0] ? err : am_strerror(rc));
        return -2;
    }
    char desc[AM_CNN_MAX_SPEC + 256];
    am_cnn_describe(n, desc, sizeof desc);
    printf("W10 network: %s\n", desc);
    omp_set_num_threads(threads); /* the trainer's default: OpenMP's maximum */
    rc = am_cnn_trainer_create(&t, n, NULL);
    double best = -1;
    for (int e = 1; !rc && e <= epochs; e++) {
        double t0 = bench_now();
        if ((rc = am_cnn_train_epoch(t, train, &rng, NULL, NULL, loss)))
            break;
        double dt = bench_now() - t0;
        if ((rc = am_cnn_evaluate(n, test, NULL, acc)))
            break;
        best = best < 0 || dt < best ? dt : best;
        printf("W10 cnn epoch %d: %.3f s, train loss %.5f, test accuracy %.4f (blas %s, %d threads)\n", e, dt, *loss,
               *acc, am_blas_corename(), threads);
        fflush(stdout);
    }
    am_cnn_trainer_free(t);
    am_cnn_free(n);
    if (rc)
        fail("training", rc);
    return rc ? -1 : best;
}

/* OpenBLAS's sgemm on every core on one epoch's products, against the epoch's `best` seconds. */
static void yardstick(const char *layers, const am_dataset *tr, int epochs, double best)
{
    prod p[AM_CNN_MAX_LAYERS];
    int np = products(layers, tr->rows, tr->cols, p, AM_CNN_MAX_LAYERS);
    int threads = am_blas_get_threads(), nproc = omp_get_num_procs();
    double gflop = 0, sg = -1;
    am_blas_set_threads(nproc);
    if (np > 0)
        sg = sgemm_epoch(p, np, tr->count, 128, epochs, &gflop);
    am_blas_set_threads(threads);
    if (sg > 0)
        printf("W10 OpenBLAS sgemm on one epoch's products (im2col shapes, %d threads): %.1f GFLOP in best %.3f s = "
               "%.0f GFLOP/s; the epoch at %.0f%% of that rate, %.2fx its time\n",
               nproc, gflop, sg, gflop / sg, 100 * sg / best, best / sg);
    else
        printf("W10 OpenBLAS yardstick not measured (%s)\n", np > 0 ? "out of memory" : "layers it cannot walk");
}

int main(int argc, char **argv)
{
    int epochs = argc > 1 ? atoi(argv[1]) : 1, nproc = omp_get_num_procs();
    const char *layers = argc > 2 ? argv[2] : W10_LAYERS, *dir = argc > 4 ? argv[4] : NULL;
    uint64_t tl[8] = {(uint64_t)nproc, 1};
    int nt = argc > 3 ? am_parse_u64_list(argv[3], tl, 8) : nproc > 1 ? 2 : 1;
    for (int i = 0; i < nt; i++)
        if (tl[i] < 1 || tl[i] > 1024)
            nt = -1;
    if (argc > 5 || epochs < 1 || epochs > 1000 || nt < 1) {
        fprintf(stderr, "usage: bench-cnn [EPOCHS (1..1000) [LAYERS [THREADS (a list, e.g. 2,1) [DIR]]]]\n");
        return 2;
    }
    am_blas_ensure_fast(argv);
    am_dataset *tr = NULL, *te = NULL;
    int rc;
    if ((rc = am_fashion_load(&tr, dir, "train")) || (rc = am_fashion_load(&te, dir, "test"))) {
        am_dataset_free(tr);
        return fail("Fashion-MNIST not readable (install dataset-fashion-mnist)", rc);
    }
    char input[64];
    snprintf(input, sizeof input, "1x%zux%zu", tr->rows, tr->cols);
    /* Each thread count trains its own network from the same seed: the same bits, so the same accuracy. */
    double best = -1, acc0 = 0, loss0 = 0;
    int bt = 0, same = 1;
    for (int i = 0; i < nt; i++) {
        double acc = 0, loss = 0, b = train(input, layers, tr, te, epochs, (int)tl[i], &acc, &loss);
        if (b < 0) {
            best = b;
            break;
        }
        printf("W10 cnn %d threads: best %.3f s/epoch\n", (int)tl[i], b);
        same &= i == 0 || (acc == acc0 && loss == loss0);
        acc0 = acc, loss0 = loss;
        if (best < 0 || b < best)
            best = b, bt = (int)tl[i];
    }
    if (best > 0) {
        printf("W10 cnn %s %s: best %.3f s/epoch (%d threads), test accuracy %.4f after %d epoch%s%s\n", input, layers,
               best, bt, acc0, epochs, epochs > 1 ? "s" : "",
               nt < 2 ? "" : same ? "; the same loss and accuracy at every thread count" : "; WARNING: results differ between thread counts");
        yardstick(layers, tr, epochs, best);
    }
    am_dataset_free(tr);
    am_dataset_free(te);
    return best > 0 ? 0 : best == -2 ? 2 : 1;
}
