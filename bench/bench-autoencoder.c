/* Benchmark W4: MLP autoencoder 784-256-64-256-784 (ReLU hidden, sigmoid output, MSE), Adam lr 1e-3,
 * batch 128, on the 60000 Fashion-MNIST training images; seconds per epoch and test MSE after each epoch.
 * The same work as ../shared/bench/peer_autoencoder.py EPOCHS.
 * Usage: bench-autoencoder [EPOCHS [DIR]] */
#include <stdio.h>
#include <stdlib.h>

#include "am/am.h"
#include "bench.h"

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
    am_ae_trainer_free(t);
    am_ae_free(ae);
    am_dataset_free(train);
    am_dataset_free(test);
    return 0;
}
