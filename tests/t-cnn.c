/* Convolutional networks: the spec parser and its messages, finite-difference gradient checks of every layer
 * kind and loss, the forward pass against a direct double-precision convolution, training, the same bits at
 * any thread count and under every OpenBLAS kernel set and gemm kernel, save/load and damaged files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "child.h"
#include "files.h"
#include "tap.h"

static void test_spec(void)
{
    am_rng rng;
    am_rng_init(&rng, 1, 0);
    am_cnn *n = NULL;
    char err[256];
    int rc = am_cnn_create(&n, "1x28x28", "conv32k3p1,bn,relu,maxpool2,conv64k3p1,bn,relu,maxpool2,flat,fc64,relu,fc10",
                           AM_CNN_XENT, &rng, err, sizeof err);
    ok(rc == AM_OK && am_cnn_input_dim(n) == 784 && am_cnn_output_dim(n) == 10 && am_cnn_code_dim(n) == 64,
       "the reference classifier: 784 in, 10 out, code 64 (%s)", err);
    size_t np;
    am_cnn_params(n, &np);
    is_int(np, 320 + 64 + 18496 + 128 + 3136 * 64 + 64 + 650, "its parameter count is PyTorch's");
    char d[512];
    am_cnn_describe(n, d, sizeof d);
    ok(strstr(d, "loss=xent code=64") != NULL, "describe: %s", d);
    am_cnn_free(n);
    rc = am_cnn_create(&n, "40x64", "conv32k5p2,relu,maxpool2,code,flat,fc10", AM_CNN_XENT, &rng, err, sizeof err);
    ok(rc == AM_OK && am_cnn_code_dim(n) == 32 * 32, "1-D: 40 channels x 64 steps, a marked code of 32 x 32 (%s)", err);
    am_cnn_free(n);
    rc = am_cnn_create(&n, "1x28x28", "conv8k3p1,relu,maxpool2,flat,fc16,code,fc392,view8x7x7,up2,conv8k3p1,relu,up2,conv1k3p1,sigmoid",
                       AM_CNN_BCE, &rng, err, sizeof err);
    ok(rc == AM_OK && am_cnn_code_dim(n) == 16 && am_cnn_output_dim(n) == 784, "an autoencoder with code 16 (%s)", err);
    am_cnn_free(n);
    static const struct {
        const char *input, *layers, *says;
        am_cnn_loss loss;
    } bad[] = {
        {"1x28x28", "conv32k3p1,bogus,fc10", "token 2 'bogus': unknown layer", AM_CNN_XENT},
        {"1x28x28", "conv32k3p1,maxpool0,fc10", "token 2 'maxpool0'", AM_CNN_XENT},
        {"1x28x28", "conv32k3s0,fc10", "token 1 'conv32k3s0'", AM_CNN_XENT},
        {"1x28x28", "conv32k30,fc10", "does not fit", AM_CNN_XENT},
        {"1x28x28", "conv32k3p3,fc10", "padding below the kernel", AM_CNN_XENT},
        {"1x28x28", "conv32k3,,fc10", "token 2 is empty", AM_CNN_XENT},
        {"1x28x28", "fc10,relu", "ends in a linear layer", AM_CNN_XENT},
        {"1x28x28", "fc10,code,code,fc2", "one code mark only", AM_CNN_XENT},
        {"1x28x28", "fc10,view3x3", "cannot be viewed", AM_CNN_XENT},
        {"1x28x28", "fc16,fc784", "needs a 'code' mark", AM_CNN_MSE},
        {"1x28x28", "fc16,code,fc700", "as many values as it takes", AM_CNN_MSE},
        {"1x28x28", "fc16,code,fc784", "bce needs the last layer to be sigmoid", AM_CNN_BCE},
        {"1x28", "conv4k3p1,fc2", NULL, AM_CNN_XENT}, /* fine: a 1-D input */
        {"0x28x28", "fc10", "input '0x28x28'", AM_CNN_XENT},
        {"1x28x28x2", "fc10", "input", AM_CNN_XENT},
        {"1x28x28", "", "layers: 1 ..", AM_CNN_XENT},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        err[0] = 0;
        rc = am_cnn_create(&n, bad[k].input, bad[k].layers, bad[k].loss, &rng, err, sizeof err);
        if (!bad[k].says)
            ok(rc == AM_OK, "accepted: %s %s", bad[k].input, bad[k].layers);
        else
            ok(rc == AM_EINVAL && !n && strstr(err, bad[k].says), "rejected: %s '%s': %s", bad[k].input, bad[k].layers,
               err);
        am_cnn_free(n);
        n = NULL;
    }
}

/* Central differences of the batch loss for every parameter against backpropagation. */
static void gradient_check(const char *input, const char *layers, am_cnn_loss loss, double scale)
{
    am_rng rng;
    am_rng_init(&rng, 5, 0);
    am_cnn *n;
    char err[256];
    if (am_cnn_create(&n, input, layers, loss, &rng, err, sizeof err)) {
        ok(0, "gradient %s %s: %s", input, layers, err);
        return;
    }
    am_cnn_trainer *t;
    am_cnn_train_opts o;
    am_cnn_train_opts_default(&o);
    o.batch = 3;
    am_cnn_trainer_create(&t, n, &o);
    size_t np, din = am_cnn_input_dim(n), b = 3;
    float *p = am_cnn_params(n, &np);
    for (size_t i = 0; i < np; i++)
        p[i] *= (float)scale;
    float *x = malloc(b * din * sizeof *x);
    int labels[3] = {0, 1, 2};
    for (size_t i = 0; i < b * din; i++)
        x[i] = (float)am_rng_uniform(&rng);
    for (int r = 0; r < 3; r++)
        labels[r] = (int)((size_t)r % am_cnn_output_dim(n));
    const int *lab = loss == AM_CNN_XENT ? labels : NULL;
    const float *g;
    double l0, lp, lm;
    am_cnn_gradient(t, x, lab, b, &l0, &g);
    float *grad = malloc(np * sizeof *grad);
    memcpy(grad, g, np * sizeof *grad);
    double worst = 0, gmax = 0;
    const float h = 3e-3f; /* BN over few rows curves fast: 1e-2 gives truncation errors of 1e-3 */
    size_t skipped = 0;
    for (size_t i = 0; i < np; i++) {
        float keep = p[i];
        p[i] = keep + h;
        am_cnn_gradient(t, x, lab, b, &lp, NULL);
        p[i] = keep - h;
        am_cnn_gradient(t, x, lab, b, &lm, NULL);
        p[i] = keep;
        double num = (lp - lm) / (2.0 * (double)h), fwd = (lp - l0) / h, bwd = (l0 - lm) / h;
        /* A kink (ReLU, a max-pool switch) inside [-h, h]: the one-sided quotients disagree, and backprop gives
         * one of them. */
        double err = fabs(num - grad[i]);
        if (fabs(fwd - bwd) > 0.01 * fmax(fabs(fwd), fabs(bwd)) + 2e-4) {
            skipped++;
            err = fmin(err, fmin(fabs(fwd - grad[i]), fabs(bwd - grad[i])));
        }
        worst = fmax(worst, err);
        gmax = fmax(gmax, fabs(grad[i]));
    }
    ok(worst <= 2e-3 * gmax + 5e-5 && gmax > 0,
       "gradient %s %s %s: max |numeric - backprop| = %.2e (max |g| %.2e; %zu of %zu at kinks, one-sided)", input, layers,
       am_cnn_loss_name(loss), worst, gmax, skipped, np);
    free(x);
    free(grad);
    am_cnn_trainer_free(t);
    am_cnn_free(n);
}

static void test_gradients(void)
{
    gradient_check("2x6x5", "conv3k3p1,tanh,conv4k2s2,sigmoid,fc3", AM_CNN_XENT, 1.0);
    gradient_check("2x6x5", "conv3k3s2p1,bn,tanh,avgpool2s1,flat,fc3", AM_CNN_XENT, 1.0);
    gradient_check("2x6x6", "conv3k1,relu,maxpool2,fc4,tanh,code,fc3", AM_CNN_XENT, 1.0);
    gradient_check("3x8", "conv4k3p1,bn,tanh,maxpool2,conv2k2,flat,fc3", AM_CNN_XENT, 1.0);
    gradient_check("1x4x4", "conv2k3p1,tanh,avgpool2,flat,fc3,code,fc8,view2x2x2,up2,conv1k3p1", AM_CNN_MSE, 1.0);
    gradient_check("1x4x4", "conv2k3p1,bn,relu,flat,fc3,code,fc16,view1x4x4,sigmoid", AM_CNN_BCE, 1.0);
    gradient_check("4", "fc5,tanh,code,fc4,sigmoid", AM_CNN_MSE, 2.0);
    /* Two max-pooling layers: each keeps its own choices. */
    gradient_check("2x8x8", "conv3k3p1,maxpool2,tanh,conv4k3p1,maxpool2,fc3", AM_CNN_XENT, 1.0);
}

/* The forward pass against a direct double-precision computation: a strided, padded convolution, batch
 * normalisation with running statistics, max pooling, a dense layer; channels last. */
static void test_forward(void)
{
    am_rng rng;
    am_rng_init(&rng, 3, 0);
    am_cnn *n;
    char err[200];
    int rc = am_cnn_create(&n, "2x5x6", "conv3k3s2p1,bn,maxpool2s1,fc4", AM_CNN_XENT, &rng, err, sizeof err);
    ok(rc == AM_OK, "a small network (%s)", err);
    if (rc)
        return;
    size_t np;
    float *p = am_cnn_params(n, &np);
    /* conv: W 18 x 3 (18 = 3 x 3 x 2), b 3; bn: scale 3, shift 3; fc: 3 x 2 x 2 = 12 inputs x 4, b 4 */
    is_int(np, 18 * 3 + 3 + 6 + 12 * 4 + 4, "parameter count");
    for (size_t i = 0; i < np; i++)
        p[i] = (float)am_rng_normal(&rng);
    float *rs = NULL;
    {
        /* Running statistics: train one step to move them off 0 and 1 (via the public API). */
        am_cnn_trainer *t;
        am_cnn_train_opts o;
        am_cnn_train_opts_default(&o);
        o.batch = 4;
        o.lr = 1e-9;
        am_cnn_trainer_create(&t, n, &o);
        float xx[4 * 60];
        int lab[4] = {0, 1, 2, 3};
        for (int i = 0; i < 240; i++)
            xx[i] = (float)am_rng_normal(&rng);
        am_cnn_train_step(t, xx, lab, 4, NULL);
        am_cnn_trainer_free(t);
        rs = malloc(6 * sizeof *rs);
    }
    size_t ns;
    memcpy(rs, am_cnn_state(n, &ns), 6 * sizeof *rs);
    is_int(ns, 6, "state: 3 running means, 3 running variances");
    ok(rs[0] != 0.0f && rs[3] != 1.0f, "a training step moved the running statistics (%g, %g)", rs[0], rs[3]);
    p = am_cnn_params(n, NULL);
    float x[2 * 60], y[2 * 4];
    for (int i = 0; i < 120; i++)
        x[i] = (float)am_rng_normal(&rng);
    am_cnn_forward(n, x, 2, y);
    double worst = 0;
    for (int s = 0; s < 2; s++) {
        double conv[3][3][3], pool[2][2][3], out[4];
        for (int oy = 0; oy < 3; oy++)
            for (int ox = 0; ox < 3; ox++)
                for (int co = 0; co < 3; co++) {
                    double a = p[54 + co];
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++)
                            for (int ci = 0; ci < 2; ci++) {
                                int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
                                if (iy < 0 || iy >= 5 || ix < 0 || ix >= 6)
                                    continue;
                                a += (double)p[((ky * 3 + kx) * 2 + ci) * 3 + co] * x[s * 60 + (iy * 6 + ix) * 2 + ci];
                            }
                    double h = (a - rs[co]) / sqrt((double)rs[3 + co] + 1e-5);
                    conv[oy][ox][co] = p[57 + co] * h + p[60 + co];
                }
        for (int oy = 0; oy < 2; oy++)
            for (int ox = 0; ox < 2; ox++)
                for (int c = 0; c < 3; c++)
                    pool[oy][ox][c] = fmax(fmax(conv[oy][ox][c], conv[oy][ox + 1][c]),
                                           fmax(conv[oy + 1][ox][c], conv[oy + 1][ox + 1][c]));
        for (int o = 0; o < 4; o++) {
            out[o] = p[63 + 48 + o];
            for (int i = 0; i < 12; i++)
                out[o] += (double)p[63 + i * 4 + o] * (&pool[0][0][0])[i];
            worst = fmax(worst, fabs(out[o] - y[s * 4 + o]));
        }
    }
    is_near(worst, 0.0, 1e-4, "forward = a direct double-precision computation (channels last, W as in x out)");
    float z[2 * 12];
    am_cnn_encode(n, x, 2, z);
    ok(am_cnn_code_dim(n) == 12, "the code of an unmarked classifier: the input of its last layer (12)");
    is_int(am_cnn_decode(n, z, 2, y), AM_EUNSUPPORTED, "a classifier does not decode: AM_EUNSUPPORTED");
    free(rs);
    am_cnn_free(n);
}

/* 4 classes of 1 x 8 x 8 pictures: a horizontal bar, a vertical bar, a diagonal, a square, anywhere, with
 * noise. */
static am_dataset *bars(size_t count, uint64_t seed)
{
    am_dataset *ds;
    am_dataset_create(&ds, count, 64, 1);
    ds->rows = ds->cols = 8;
    ds->classes = 4;
    am_rng rng;
    am_rng_init(&rng, seed, 0);
    for (size_t i = 0; i < count; i++) {
        int c = (int)(i % 4), a = (int)am_rng_below(&rng, 6) + 1, b = (int)am_rng_below(&rng, 5) + 1;
        float *im = ds->x + i * 64;
        ds->labels[i] = c;
        for (int k = 0; k < 64; k++)
            im[k] = 0.2f * (float)am_rng_uniform(&rng);
        for (int k = -1; k <= 1; k++) {
            if (c == 0)
                im[a * 8 + b + k + 1] = 1.0f;
            else if (c == 1)
                im[(b + k + 1) * 8 + a] = 1.0f;
            else if (c == 2)
                im[(b + k + 1) * 8 + b + k + 1] = 1.0f;
            else
                im[a * 8 + b] = im[a * 8 + b + 1] = im[(a + 1) * 8 + b] = im[(a + 1) * 8 + b + 1] = 1.0f;
        }
    }
    return ds;
}

/* A classifier trained `epochs` on ds at `threads`: its accuracy. */
static am_cnn *train_bars(const am_dataset *ds, int threads, int epochs, double *first, double *acc)
{
    am_rng rng;
    am_rng_init(&rng, 7, 0);
    am_cnn *n;
    am_cnn_trainer *t;
    am_cnn_train_opts o;
    am_cnn_create(&n, "1x8x8", "conv6k3p1,bn,relu,maxpool2,conv8k3p1,relu,avgpool2,flat,fc16,relu,fc4", AM_CNN_XENT,
                  &rng, NULL, 0);
    am_cnn_train_opts_default(&o);
    o.batch = 32;
    o.lr = 5e-3;
    o.threads = threads;
    am_cnn_trainer_create(&t, n, &o);
    am_cnn_evaluate(n, ds, first, NULL);
    for (int e = 0; e < epochs; e++)
        am_cnn_train_epoch(t, ds, &rng, NULL, NULL, NULL);
    am_cnn_evaluate(n, ds, NULL, acc);
    am_cnn_trainer_free(t);
    return n;
}

/* Parameters, running statistics and codes of a short training run, hashed. */
static uint64_t digest(void)
{
    am_dataset *ds = bars(200, 1);
    double f, a;
    am_cnn *n = train_bars(ds, 2, 2, &f, &a);
    size_t np;
    float *p = am_cnn_params(n, &np), z[200 * 128];
    uint64_t h = fnv(14695981039346656037ull, p, np * sizeof *p);
    am_cnn_encode(n, ds->x, 200, z);
    h = fnv(h, z, 200 * am_cnn_code_dim(n) * sizeof *z);
    am_cnn_free(n);
    am_dataset_free(ds);
    return h;
}

static void test_training(const char *self)
{
    am_dataset *ds = bars(512, 2), *test = bars(256, 3);
    double f1, a1, f2, a2, ta;
    am_cnn *n1 = train_bars(ds, 1, 8, &f1, &a1), *n2 = train_bars(ds, 2, 8, &f2, &a2);
    am_cnn_evaluate(n1, test, NULL, &ta);
    ok(a1 >= 0.95 && ta >= 0.9, "training: accuracy %.3f on the training set, %.3f on new pictures (loss %.3f before)",
       a1, ta, f1);
    size_t np;
    const float *p1 = am_cnn_params(n1, &np), *p2 = am_cnn_params(n2, NULL);
    ok(!memcmp(p1, p2, np * sizeof(float)) && a1 == a2,
       "bit-identical parameters at 1 and 2 threads (accuracy %.4f, %.4f)", a1, a2);
    uint64_t h = digest();
    char mine[64], got[64];
    snprintf(mine, sizeof mine, "%016llx\n", (unsigned long long)h);
    CHILD_SAME_UNDER_KERNELS(self, mine, "parameters and codes after training");
    int rc = child_digest(self, "AM_GEMM_SCALAR", "1", got, sizeof got);
    ok(!rc && !strcmp(got, mine), "the same bits with the scalar gemm kernel (child: %.16s)", got);
    rc = child_digest(self, "OMP_NUM_THREADS", "1", got, sizeof got);
    ok(!rc && !strcmp(got, mine), "the same bits with OMP_NUM_THREADS=1 (child: %.16s)", got);

    /* An autoencoder on the same pictures lowers its loss. */
    am_rng rng;
    am_rng_init(&rng, 8, 0);
    am_cnn_train_opts o;
    am_cnn *ae;
    am_cnn_trainer *t;
    am_cnn_create(&ae, "1x8x8", "conv4k3p1,relu,maxpool2,flat,fc6,code,fc64,view4x4x4,up2,conv1k3p1,sigmoid",
                  AM_CNN_BCE, &rng, NULL, 0);
    am_cnn_train_opts_default(&o);
    o.batch = 32;
    o.lr = 1e-2;
    am_cnn_trainer_create(&t, ae, &o);
    double m0, m1, b0, b1;
    am_cnn_evaluate(ae, ds, &m0, &b0);
    for (int e = 0; e < 10; e++)
        am_cnn_train_epoch(t, ds, &rng, NULL, NULL, NULL);
    am_cnn_evaluate(ae, ds, &m1, &b1);
    ok(m1 < 0.5 * m0 && b1 < b0, "a convolutional autoencoder: MSE %.4f -> %.4f, BCE %.4f -> %.4f", m0, m1, b0, b1);
    float z[6], y[64];
    ok(am_cnn_encode(ae, ds->x, 1, z) == AM_OK && am_cnn_decode(ae, z, 1, y) == AM_OK && am_cnn_code_dim(ae) == 6,
       "it encodes to 6 values and decodes");
    /* Errors. */
    int bad[1] = {4};
    is_int(am_cnn_train_step(t, ds->x, NULL, 129, NULL), AM_EINVAL, "a step on more rows than the batch: AM_EINVAL");
    am_cnn_trainer_free(t);
    am_cnn_trainer_create(&t, n1, NULL);
    is_int(am_cnn_train_step(t, ds->x, NULL, 1, NULL), AM_EINVAL, "a classifier's step without labels: AM_EINVAL");
    is_int(am_cnn_train_step(t, ds->x, bad, 1, NULL), AM_ERANGE, "a label beyond the outputs: AM_ERANGE");
    am_dataset *wrong;
    am_dataset_create(&wrong, 10, 63, 1);
    is_int(am_cnn_train_epoch(t, wrong, &rng, NULL, NULL, NULL), AM_ESIZE, "an epoch on 63-value rows: AM_ESIZE");
    am_dataset_free(wrong);
    am_cnn_train_opts_default(&o);
    o.lr = NAN;
    am_cnn_trainer *t2 = NULL;
    is_int(am_cnn_trainer_create(&t2, n1, &o), AM_EINVAL, "a NaN learning rate: AM_EINVAL");
    am_cnn_trainer_free(t);
    am_cnn_free(ae);
    am_cnn_free(n1);
    am_cnn_free(n2);
    am_dataset_free(ds);
    am_dataset_free(test);
}

static int stop_now(void *ctx)
{
    return ++*(int *)ctx > 2;
}

static void test_cancel(void)
{
    am_dataset *ds = bars(256, 4);
    am_rng rng;
    am_rng_init(&rng, 1, 0);
    am_cnn *n;
    am_cnn_trainer *t;
    am_cnn_create(&n, "1x8x8", "conv4k3p1,relu,flat,fc4", AM_CNN_XENT, &rng, NULL, 0);
    am_cnn_train_opts o;
    am_cnn_train_opts_default(&o);
    o.batch = 16;
    am_cnn_trainer_create(&t, n, &o);
    int polls = 0;
    am_cancel hook = {stop_now, &polls};
    const am_cancel *old = am_cancel_swap(&hook);
    int rc = am_cnn_train_epoch(t, ds, &rng, NULL, NULL, NULL);
    am_cancel_swap(old);
    ok(rc == AM_ECANCELED && am_cnn_trainer_steps(t) == 2, "a cancel hook stops an epoch between steps (%zu made)",
       am_cnn_trainer_steps(t));
    am_cnn_trainer_free(t);
    am_cnn_free(n);
    am_dataset_free(ds);
}

/* Save, load through am_cnn_load and the encoder table, damaged and forged files. */
static void test_files(void)
{
    am_dataset *ds = bars(64, 5);
    double f, a;
    am_cnn *n = train_bars(ds, 1, 1, &f, &a), *m = NULL;
    char path[] = "/tmp/t-cnn-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    is_int(am_cnn_save(n, path), AM_OK, "save");
    int rc = am_cnn_load(&m, path);
    size_t np;
    float y1[64 * 4], y2[64 * 4], *pn = am_cnn_params(n, &np);
    am_cnn_forward(n, ds->x, 64, y1);
    if (m)
        am_cnn_forward(m, ds->x, 64, y2);
    ok(rc == AM_OK && !memcmp(pn, am_cnn_params(m, NULL), np * sizeof(float)) &&
           !memcmp(y1, y2, sizeof y1),
       "load: the same parameters and outputs (running statistics too)");
    am_cnn_free(m);
    am_encoder *e = NULL;
    rc = am_encoder_load(&e, path);
    float z[16];
    ok(rc == AM_OK && am_encoder_kind_of(e) == AM_ENCODER_CNN && am_encoder_type_of(e) == am_encoder_type_cnn &&
           am_encoder_code_dim(e) == 16 && am_encoder_input_dim(e) == 64 && am_encoder_cnn(e) && !am_encoder_ae(e),
       "am_encoder_load recognises a CNN (code 16)");
    if (e) {
        is_int(am_encoder_encode(e, ds->x, 1, z), AM_OK, "and encodes through the table");
        is_int(am_encoder_decode(e, z, 1, y1), AM_EUNSUPPORTED, "a classifier decodes nothing: AM_EUNSUPPORTED");
    }
    am_encoder_free(e);
    ok(am_encoder_type_find("cnn") == am_encoder_type_cnn && am_encoder_type_find("pca") == am_encoder_type_pca &&
           !am_encoder_type_find("rbm") && !strcmp(am_encoder_type_name(am_encoder_types[1]), "mlp"),
       "the table of encoder types: pca, mlp, cnn by name");
    FILE *fp = fopen(path, "r+b");
    fseek(fp, 300, SEEK_SET); /* a weight */
    int byte = fgetc(fp);
    fseek(fp, 300, SEEK_SET);
    fputc(byte ^ 0x10, fp);
    fclose(fp);
    is_int(am_cnn_load(&m, path), AM_ECHECKSUM, "a damaged file: AM_ECHECKSUM");
    if (truncate(path, 100) == 0)
        is_int(am_cnn_load(&m, path), AM_ETRUNC, "a truncated file: AM_ETRUNC");
    /* Forged: a spec that does not parse, counts that disagree, a huge network in a small file, NaN, a
     * negative running variance. */
    static const struct {
        const char *spec;
        uint64_t np;
        float bad;
        int want;
        const char *what;
    } forged[] = {
        {"fc3,bogus", 15, 0, AM_EFORMAT, "a layer string that does not parse: AM_EFORMAT"},
        {"fc3", 14, 0, AM_EFORMAT, "a parameter count that disagrees with the layers: AM_EFORMAT"},
        {"fc16777216", 83886080, 0, AM_ETRUNC, "a header implying 320 MB of weights in a small file: AM_ETRUNC"},
        {"fc3", 15, NAN, AM_ENOTFINITE, "a NaN weight: AM_ENOTFINITE"},
        {"bn,fc3", 23, -1.0f, AM_EFORMAT, "a negative running variance: AM_EFORMAT"},
    };
    for (size_t k = 0; k < sizeof forged / sizeof forged[0]; k++) {
        tfile t;
        tf_head(&t, "LIBAMCNN");
        tf_u32(&t, AM_CNN_XENT);
        tf_u32(&t, 1), tf_bytes(&t, "4", 1);
        tf_u32(&t, (uint32_t)strlen(forged[k].spec)), tf_bytes(&t, forged[k].spec, strlen(forged[k].spec));
        int bn = forged[k].bad < 0;
        tf_u64(&t, forged[k].np), tf_u64(&t, bn ? 8 : 0);
        for (uint64_t i = 0; i < (forged[k].np < 64 ? forged[k].np : 64); i++)
            tf_f32(&t, i == 2 && isnan(forged[k].bad) ? NAN : 0.5f);
        for (int i = 0; i < (bn ? 8 : 0); i++)
            tf_f32(&t, i == 6 ? forged[k].bad : 0.5f);
        tf_write(&t, path);
        m = NULL;
        rc = am_cnn_load(&m, path);
        ok(rc == forged[k].want && !m, "%s (got %s)", forged[k].what, am_strerror(rc));
        am_cnn_free(m);
    }
    unlink(path);
    am_cnn_free(n);
    am_cnn_free(NULL);
    am_cnn_trainer_free(NULL);
    am_dataset_free(ds);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--digest")) {
        printf("%016llx\n", (unsigned long long)digest());
        return 0;
    }
    test_spec();
    test_gradients();
    test_forward();
    test_training(argv[0]);
    test_cancel();
    test_files();
    printf("1..%d\n", tap_n);
    return tap_failed != 0;
}
