/* MLP autoencoder: configuration, numeric gradient checks for every activation and loss, the forward pass
 * against a double-precision reference, training, determinism at any thread count, save/load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "files.h"
#include "tap.h"

static void test_config(void)
{
    am_ae_config c;
    int rc = am_ae_config_parse(&c, "784,256,64,256,784", "relu", NULL, "sigmoid", "mse");
    ok(rc == AM_OK && c.layers == 4 && c.code_layer == 2 && c.act[0] == AM_ACT_RELU && c.act[1] == AM_ACT_RELU &&
           c.act[3] == AM_ACT_SIGMOID && c.loss == AM_LOSS_MSE,
       "784,256,64,256,784: 4 layers, code after layer 2");
    rc = am_ae_config_parse(&c, "20,8,3,8,20", "tanh", "linear", "sigmoid", "bce");
    ok(rc == AM_OK && c.act[1] == AM_ACT_LINEAR && c.act[0] == AM_ACT_TANH && c.loss == AM_LOSS_BCE,
       "a separate code activation");
    char buf[200];
    am_ae_config_describe(&c, buf, sizeof buf);
    ok(!strcmp(buf, "20-8-3-8-20 tanh/linear/tanh/sigmoid code=3 loss=bce"), "describe: %s", buf);
    static const char *const bad[][5] = {
        {"784,,64", "relu", NULL, "sigmoid", "mse"},   {"784,64", "relu", NULL, "sigmoid", "mse"},
        {"10,5,11", "relu", NULL, "sigmoid", "mse"},   {"10,0,10", "relu", NULL, "sigmoid", "mse"},
        {"10,5,10", "swish", NULL, "sigmoid", "mse"},  {"10,5,10", "relu", NULL, "linear", "bce"},
        {"10,5,10", "relu", NULL, "sigmoid", "l1"},    {"10,5,10,", "relu", NULL, "sigmoid", "mse"},
        {"-10,5,10", "relu", NULL, "sigmoid", "mse"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        is_int(am_ae_config_parse(&c, bad[k][0], bad[k][1], bad[k][2], bad[k][3], bad[k][4]), AM_EINVAL,
               "rejected: %s %s %s %s", bad[k][0], bad[k][1], bad[k][3], bad[k][4]);
}

/* Central differences of the batch loss for every parameter against backpropagation. */
static void gradient_check(const char *hidden, const char *code, const char *out, const char *loss)
{
    am_ae_config c;
    am_ae_config_parse(&c, "6,5,3,5,6", hidden, code, out, loss);
    am_rng rng;
    am_rng_init(&rng, 11, 0);
    am_ae *ae;
    am_ae_trainer *t;
    am_ae_train_opts o;
    am_ae_train_opts_default(&o);
    o.batch = 4;
    am_ae_create(&ae, &c, &rng);
    am_ae_trainer_create(&t, ae, &o);
    size_t np;
    float *p = am_ae_params(ae, &np);
    /* Larger weights than the default so that every layer matters. */
    for (size_t i = 0; i < np; i++)
        p[i] *= 2.0f;
    float in[24], target[24];
    for (int i = 0; i < 24; i++) {
        target[i] = (float)am_rng_uniform(&rng);
        in[i] = target[i] + 0.1f * (float)am_rng_normal(&rng); /* a denoising pair: input differs */
    }
    const float *g;
    double l0, lp, lm;
    am_ae_gradient(t, in, target, 4, &l0, &g);
    float *grad = malloc(np * sizeof *grad);
    memcpy(grad, g, np * sizeof *grad);
    double worst = 0, gmax = 0;
    const float h = 2e-3f;
    size_t skipped = 0;
    for (size_t i = 0; i < np; i++) {
        float keep = p[i];
        p[i] = keep + h;
        am_ae_gradient(t, in, target, 4, &lp, NULL);
        p[i] = keep - h;
        am_ae_gradient(t, in, target, 4, &lm, NULL);
        p[i] = keep;
        double num = (lp - lm) / (2.0 * (double)h);
        /* A ReLU kink inside [-h, h] makes the difference quotient meaningless: one-sided checks agree. */
        double fwd = (lp - l0) / h, bwd = (l0 - lm) / h;
        if (fabs(fwd - bwd) > 0.05 * fmax(fabs(fwd), 1e-3) + 1e-3) {
            skipped++;
            continue;
        }
        worst = fmax(worst, fabs(num - grad[i]));
        gmax = fmax(gmax, fabs(grad[i]));
    }
    ok(worst <= 1e-3 * gmax + 2e-5 && skipped <= np / 20,
       "gradient %s/%s/%s %s: max |numeric - backprop| = %.2e (max |g| %.2e, %zu of %zu at kinks)", hidden,
       code ? code : hidden, out, loss, worst, gmax, skipped, np);
    free(grad);
    am_ae_trainer_free(t);
    am_ae_free(ae);
}

/* The forward pass against a plain double-precision computation from the parameters. */
static void test_forward(void)
{
    am_ae_config c;
    am_ae_config_parse(&c, "5,4,2,4,5", "tanh", "linear", "sigmoid", "mse");
    am_rng rng;
    am_rng_init(&rng, 2, 0);
    am_ae *ae;
    am_ae_create(&ae, &c, &rng);
    float x[5 * 3], y[5 * 3], z[2 * 3], y2[5 * 3];
    for (int i = 0; i < 15; i++)
        x[i] = (float)(4.0 * am_rng_normal(&rng));
    am_ae_reconstruct(ae, x, 3, y);
    am_ae_encode(ae, x, 3, z);
    am_ae_decode(ae, z, 3, y2);
    size_t np;
    const float *p = am_ae_params(ae, &np);
    double worst = 0, worstz = 0;
    for (int r = 0; r < 3; r++) {
        double a[5], b[5];
        for (int j = 0; j < 5; j++)
            a[j] = x[r * 5 + j];
        size_t off = 0;
        for (int l = 0; l < 4; l++) {
            size_t in = c.sizes[l], out = c.sizes[l + 1];
            for (size_t o = 0; o < out; o++) {
                double s = p[off + in * out + o];
                for (size_t i = 0; i < in; i++)
                    s += p[off + o * in + i] * a[i];
                b[o] = c.act[l] == AM_ACT_TANH ? tanh(s) : c.act[l] == AM_ACT_SIGMOID ? 1 / (1 + exp(-s)) : s;
            }
            off += in * out + out;
            memcpy(a, b, sizeof a);
            if (l == 1)
                for (int j = 0; j < 2; j++)
                    worstz = fmax(worstz, fabs(a[j] - z[r * 2 + j]));
        }
        for (int j = 0; j < 5; j++)
            worst = fmax(worst, fabs(a[j] - y[r * 5 + j]));
    }
    is_near(worstz, 0.0, 1e-5, "encode = the first two layers in double");
    is_near(worst, 0.0, 1e-6, "reconstruct = all layers in double (sigmoid to float accuracy)");
    ok(!memcmp(y, y2, sizeof y), "decode(encode(x)) = reconstruct(x) exactly");
    double mse, bce, se = 0, ce = 0;
    am_ae_evaluate(ae, x, 3, &mse, &bce);
    for (int i = 0; i < 15; i++) {
        se += ((double)y[i] - x[i]) * ((double)y[i] - x[i]);
        double yc = fmin(fmax((double)y[i], 1e-7), 1 - 1e-7);
        ce -= x[i] * log(yc) + (1 - x[i]) * log(1 - yc);
    }
    is_near(mse, se / 15, 1e-9, "evaluate: MSE");
    is_near(bce, ce / 15, 1e-7 * ce / 15, "evaluate: BCE (relative 1e-7)");
    am_ae_free(ae);
}

/* A small fixture: 240 16-pixel "images" from 4 prototypes plus noise, in [0, 1]. */
static am_dataset *fixture(void)
{
    am_dataset *ds;
    am_dataset_create(&ds, 240, 16, 1);
    am_rng rng;
    am_rng_init(&rng, 9, 0);
    float proto[4][16];
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 16; j++)
            proto[k][j] = (float)am_rng_uniform(&rng);
    for (size_t i = 0; i < 240; i++) {
        ds->labels[i] = (int)(i % 4);
        for (int j = 0; j < 16; j++) {
            float v = proto[i % 4][j] + 0.05f * (float)am_rng_normal(&rng);
            ds->x[i * 16 + j] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
    }
    ds->classes = 4;
    return ds;
}

static void train(am_dataset *ds, int threads, int epochs, double mask, uint64_t seed, am_ae **out, double *first,
                  double *last)
{
    am_ae_config c;
    am_ae_config_parse(&c, "16,12,4,12,16", "relu", NULL, "sigmoid", "mse");
    am_rng rng;
    am_rng_init(&rng, seed, 0);
    am_ae *ae;
    am_ae_trainer *t;
    am_ae_train_opts o;
    am_ae_train_opts_default(&o);
    o.batch = 16;
    o.lr = 1e-2;
    o.threads = threads;
    o.mask = mask;
    am_ae_create(&ae, &c, &rng);
    am_ae_trainer_create(&t, ae, &o);
    am_ae_evaluate(ae, ds->x, ds->count, first, NULL);
    for (int e = 0; e < epochs; e++)
        am_ae_train_epoch(t, ds, &rng, NULL, NULL, NULL);
    am_ae_evaluate(ae, ds->x, ds->count, last, NULL);
    am_ae_trainer_free(t);
    *out = ae;
}

static void test_training(void)
{
    am_dataset *ds = fixture();
    am_ae *a1, *a2, *a3, *a4;
    double f1, l1, f2, l2, f3, l3, f4, l4;
    train(ds, 1, 60, 0.0, 1, &a1, &f1, &l1);
    ok(l1 < 0.2 * f1 && l1 < 0.01, "training lowers the MSE: %.4f -> %.5f", f1, l1);
    train(ds, 2, 60, 0.0, 1, &a2, &f2, &l2);
    size_t np;
    float *p1 = am_ae_params(a1, &np), *p2 = am_ae_params(a2, NULL);
    ok(!memcmp(p1, p2, np * sizeof(float)), "bit-identical parameters at 1 and 2 threads");
    train(ds, 2, 60, 0.0, 2, &a3, &f3, &l3);
    ok(memcmp(p1, am_ae_params(a3, NULL), np * sizeof(float)) != 0 && l3 < 0.2 * f3, "another seed, another net");
    train(ds, 2, 60, 0.3, 1, &a4, &f4, &l4);
    ok(l4 < 0.3 * f4, "denoising (30%% of inputs masked) lowers the clean MSE: %.4f -> %.5f", f4, l4);

    am_ae_trainer *t;
    am_ae_train_opts o;
    am_ae_train_opts_default(&o);
    o.batch = 8;
    am_ae_trainer_create(&t, a1, &o);
    float x[16 * 9] = {0};
    am_rng rng;
    am_rng_init(&rng, 1, 0);
    is_int(am_ae_train_step(t, x, 9, &rng, NULL), AM_EINVAL, "a step on more rows than the batch: AM_EINVAL");
    am_dataset *wrong;
    am_dataset_create(&wrong, 10, 15, 0);
    is_int(am_ae_train_epoch(t, wrong, &rng, NULL, NULL, NULL), AM_ESIZE, "an epoch on 15-dim data: AM_ESIZE");
    am_dataset_free(wrong);
    am_dataset_create(&wrong, 0, 16, 0);
    is_int(am_ae_train_epoch(t, wrong, &rng, NULL, NULL, NULL), AM_EEMPTY,
           "an epoch on no rows: AM_EEMPTY (not a dimension mismatch)");
    am_dataset_free(wrong);
    {
        /* A diverged step leaves NaN weights: the sigmoid's exp must pass NaN on, not convert it to an integer
         * (undefined behaviour; -fsanitize=float-cast-overflow stops the program there). */
        am_ae_config cn;
        am_ae *nan_ae = NULL;
        float xin[4] = {0.1f, 0.2f, 0.3f, 0.4f}, yout[4];
        am_ae_config_parse(&cn, "4,2,4", "relu", NULL, "sigmoid", "bce");
        am_ae_create(&nan_ae, &cn, &rng);
        size_t count;
        float *pp = am_ae_params(nan_ae, &count);
        for (size_t i = 0; i < count; i++)
            pp[i] = NAN;
        ok(am_ae_reconstruct(nan_ae, xin, 1, yout) == AM_OK && isnan(yout[0]) && isnan(yout[3]),
           "NaN weights give NaN outputs through the sigmoid");
        am_ae_free(nan_ae);
    }
    am_ae_trainer_free(t);
    o.lr = -1;
    is_int(am_ae_trainer_create(&t, a1, &o), AM_EINVAL, "negative learning rate rejected");
    am_ae_train_opts_default(&o);
    o.mask = 1.0;
    is_int(am_ae_trainer_create(&t, a1, &o), AM_EINVAL, "masking every input rejected");

    /* Save/load round-trip and damaged files. */
    char path[] = "/tmp/t-ae-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    is_int(am_ae_save(a1, path), AM_OK, "save");
    am_ae *b = NULL;
    int rc = am_ae_load(&b, path);
    float y1[16 * 8], y2[16 * 8];
    am_ae_reconstruct(a1, ds->x, 8, y1);
    if (b)
        am_ae_reconstruct(b, ds->x, 8, y2);
    ok(rc == AM_OK && !memcmp(am_ae_params(b, NULL), p1, np * sizeof(float)) && !memcmp(y1, y2, sizeof y1) &&
           am_ae_config_of(b)->code_layer == 2 && am_ae_code_dim(b) == 4,
       "load: same configuration, parameters and outputs");
    am_ae_free(b);
    am_encoder *e = NULL;
    rc = am_encoder_load(&e, path);
    ok(rc == AM_OK && am_encoder_kind_of(e) == AM_ENCODER_MLP && am_encoder_code_dim(e) == 4,
       "am_encoder_load recognises an autoencoder");
    am_encoder_free(e);
    FILE *f = fopen(path, "r+b");
    fseek(f, 100, SEEK_SET);
    int byte = fgetc(f);
    fseek(f, 100, SEEK_SET);
    fputc(byte ^ 0x10, f);
    fclose(f);
    is_int(am_ae_load(&b, path), AM_ECHECKSUM, "a damaged file: AM_ECHECKSUM");
    if (truncate(path, 80) == 0)
        is_int(am_ae_load(&b, path), AM_ETRUNC, "a truncated file: AM_ETRUNC");
    am_pca *pca;
    am_pca_fit(&pca, ds->x, ds->count, 16, 3);
    am_pca_save(pca, path);
    am_pca_free(pca);
    is_int(am_ae_load(&b, path), AM_EFORMAT, "a PCA file is not an autoencoder: AM_EFORMAT");
    unlink(path);
    am_ae_free(a1);
    am_ae_free(a2);
    am_ae_free(a3);
    am_ae_free(a4);
    am_ae_free(NULL);
    am_ae_trainer_free(NULL);
    am_dataset_free(ds);
}

/* Forged model files: the parameters a header implies must be in the file before they are allocated, and
 * every weight must be finite. */
static void test_hostile(void)
{
    const char *path = "/tmp/t-autoencoder-hostile.model";
    tfile t;
    am_ae *ae = NULL;
    tf_head(&t, "LIBAMAEN");
    tf_u32(&t, 2), tf_u32(&t, 1), tf_u32(&t, 0);
    tf_u64(&t, 1u << 24), tf_u64(&t, 64), tf_u64(&t, 1u << 24);
    tf_u32(&t, 1), tf_u32(&t, 3);
    tf_write(&t, path);
    is_int(am_ae_load(&ae, path), AM_ETRUNC, "a 64-byte file whose header implies 8.6 GB of weights: AM_ETRUNC");
    tf_head(&t, "LIBAMAEN");
    tf_u32(&t, 2), tf_u32(&t, 1), tf_u32(&t, 0);
    tf_u64(&t, 2), tf_u64(&t, 1), tf_u64(&t, 2);
    tf_u32(&t, 1), tf_u32(&t, 3);
    for (int k = 0; k < 7; k++)
        tf_f32(&t, k == 3 ? NAN : 0.1f);
    tf_write(&t, path);
    is_int(am_ae_load(&ae, path), AM_ENOTFINITE, "a NaN weight: AM_ENOTFINITE");
    ok(ae == NULL, "no model on failure");
    remove(path);
}

/* Wide, uneven layers (several 32-column strips, row regions of different widths in the shared buffers) and
 * repeated runs: any race between the shards shows up as differing bits. */
static void test_threads_repeat(void)
{
    size_t n = 600, d = 200;
    am_dataset *ds = NULL;
    am_dataset_create(&ds, n, d, 0);
    am_rng r;
    am_rng_init(&r, 77, 0);
    for (size_t i = 0; i < n * d; i++)
        ds->x[i] = (float)am_rng_uniform(&r) * (float)((i / d) % 3 == 0);
    float *ref = NULL;
    size_t np = 0;
    int same = 1, runs = 0;
    const int threads[] = {1, 2, 3, 2, 2, 3, 1, 2, 4};
    const int shards[] = {0, 0, 0, 0, 0, 0, 3, 1, 0};
    for (int k = 0; k < 9; k++) {
        am_ae_config c;
        am_ae_config_parse(&c, "200,100,40,100,200", "relu", "tanh", "sigmoid", "mse");
        am_rng rng;
        am_rng_init(&rng, 5, 0);
        am_ae *ae;
        am_ae_trainer *t;
        am_ae_train_opts o;
        am_ae_train_opts_default(&o);
        o.batch = 64;
        o.threads = threads[k];
        o.shards = shards[k];
        am_ae_create(&ae, &c, &rng);
        am_ae_trainer_create(&t, ae, &o);
        for (int e = 0; e < 2; e++)
            am_ae_train_epoch(t, ds, &rng, NULL, NULL, NULL);
        float *p = am_ae_params(ae, &np);
        if (!ref) {
            ref = malloc(np * sizeof *ref);
            memcpy(ref, p, np * sizeof *ref);
        } else {
            same &= !memcmp(ref, p, np * sizeof *ref);
        }
        runs++;
        am_ae_trainer_free(t);
        am_ae_free(ae);
    }
    ok(same && runs == 9,
       "200-100-40-100-200 network: the same bits in 9 runs at 1 to 4 threads (2 per shard at 4) and 1, 2, 3 shards");
    free(ref);
    am_dataset_free(ds);
}

/* The trainer keeps a packed copy of the weights current through an epoch; a call after the parameters were
 * changed through am_ae_params must see the new values, exactly as a fresh trainer does. */
static void test_params_changed(void)
{
    am_dataset *ds = fixture();
    am_ae_config c;
    am_ae_config_parse(&c, "16,40,4,40,16", "relu", NULL, "sigmoid", "mse");
    am_rng rng;
    am_rng_init(&rng, 3, 0);
    am_ae *ae;
    am_ae_trainer *t, *t2;
    am_ae_train_opts o;
    am_ae_train_opts_default(&o);
    o.batch = 32;
    am_ae_create(&ae, &c, &rng);
    am_ae_trainer_create(&t, ae, &o);
    am_ae_train_epoch(t, ds, &rng, NULL, NULL, NULL);
    size_t np;
    float *p = am_ae_params(ae, &np);
    for (size_t i = 0; i < np; i++)
        p[i] = 0.5f * p[i] + 0.01f;
    am_ae_trainer_create(&t2, ae, &o);
    const float *g1, *g2;
    double l1, l2;
    am_ae_gradient(t, ds->x, ds->x, 32, &l1, &g1);
    float *keep = malloc(np * sizeof *keep);
    memcpy(keep, g1, np * sizeof *keep);
    am_ae_gradient(t2, ds->x, ds->x, 32, &l2, &g2);
    ok(l1 == l2 && !memcmp(keep, g2, np * sizeof *keep),
       "after an epoch and a change through am_ae_params, the gradient is a fresh trainer's (loss %.5f)", l1);
    free(keep);
    am_ae_trainer_free(t);
    am_ae_trainer_free(t2);
    am_ae_free(ae);
    am_dataset_free(ds);
}

int main(void)
{
    test_hostile();
    test_threads_repeat();
    test_config();
    const char *acts[] = {"relu", "tanh", "sigmoid", "linear"};
    for (int k = 0; k < 4; k++)
        gradient_check(acts[k], NULL, "sigmoid", "mse");
    gradient_check("tanh", "linear", "linear", "mse");
    gradient_check("relu", "tanh", "tanh", "mse");
    gradient_check("relu", "sigmoid", "relu", "mse");
    gradient_check("tanh", NULL, "sigmoid", "bce");
    gradient_check("relu", "linear", "sigmoid", "bce");
    test_forward();
    test_training();
    test_params_changed();
    return done_testing();
}
