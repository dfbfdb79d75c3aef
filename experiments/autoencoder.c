/* bin/autoencoder — the front-ends from the command line: train an MLP autoencoder or a PCA on images,
 * encode images to latent vectors, decode latent vectors to images, evaluate reconstructions. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"

static const char usage_text[] =
    "Usage: autoencoder COMMAND [options]   (autoencoder COMMAND --help for each)\n"
    "  train    fit an MLP autoencoder (Adam) or a PCA to images; save the model; loss curve TSV\n"
    "  encode   images -> latent vectors (TSV: index label z1 .. zk)\n"
    "  decode   latent vectors (TSV as written by encode) -> images (TSV, optional IDX file)\n"
    "  eval     reconstruction MSE/BCE per class; optional image grid (original | reconstruction)\n"
    "Examples:\n"
    "  autoencoder train --layers 784,256,64,256,784 --epochs 10 --model ae.model --out loss.tsv\n"
    "  autoencoder encode --model ae.model --split test --out z.tsv\n"
    "  autoencoder eval --model ae.model --grid recon --out eval.tsv\n";

/* Options every subcommand has for its data. */
typedef struct data_opts {
    const char *dir, *images, *labels, *split;
    int limit;
} data_opts;

#define DATA_OPTS(d)                                                                                                \
    {"data", AM_OPT_STRING, &(d).dir, "DIR", "Fashion-MNIST folder (IDX .gz files as Debian ships them)"},         \
        {"images", AM_OPT_STRING, &(d).images, "FILE", "an IDX image file instead of --data"},                     \
        {"labels", AM_OPT_STRING, &(d).labels, "FILE", "its IDX label file (optional)"},                           \
        {"limit", AM_OPT_INT, &(d).limit, "N", "use the first N images only (0: all)"}

static int split_ok(const am_run *run, const char *split)
{
    if (!strcmp(split, "train") || !strcmp(split, "test"))
        return 1;
    am_run_error(run, "--split must be train or test");
    return 0;
}

static am_dataset *load(const am_run *run, data_opts *d, const char *split)
{
    if (d->limit < 0) {
        am_run_error(run, "--limit must be >= 0");
        return NULL;
    }
    am_dataset *ds = am_run_load_data(run, d->dir, d->images, d->labels, split), *sub;
    if (ds && d->limit > 0 && (size_t)d->limit < ds->count) {
        if (am_dataset_slice(&sub, ds, 0, (size_t)d->limit)) {
            am_run_error(run, "out of memory");
            am_dataset_free(ds);
            return NULL;
        }
        am_dataset_free(ds);
        ds = sub;
    }
    return ds;
}

static am_encoder *load_model(const am_run *run, const char *path, size_t dim)
{
    am_encoder *e = NULL;
    int rc;
    if (!path) {
        am_run_error(run, "--model FILE is required");
        return NULL;
    }
    if ((rc = am_encoder_load(&e, path))) {
        am_run_error(run, "cannot load model '%s': %s", path, am_strerror(rc));
        return NULL;
    }
    if (dim && am_encoder_input_dim(e) != dim) {
        am_run_error(run, "model '%s' takes %zu inputs, the data has %zu", path, am_encoder_input_dim(e), dim);
        am_encoder_free(e);
        return NULL;
    }
    return e;
}

typedef struct prog {
    am_progress *p;
    int epoch, epochs;
    size_t base;
} prog;

static void on_step(size_t done, size_t total, double loss, void *ctx)
{
    prog *g = ctx;
    (void)total;
    am_progress_update(g->p, g->base + done, "epoch %d/%d loss %.5f", g->epoch, g->epochs, loss);
}

static const char train_desc[] =
    "MLP: layer sizes --layers (first = last = image size), --act for hidden units, --code-act for the\n"
    "code layer (the narrowest), --out-act for the output; weights start as PyTorch's nn.Linear; Adam on\n"
    "minibatches in a new random order each epoch; --mask/--noise train a denoising autoencoder (corrupted\n"
    "input, clean target). Results are identical at any --threads. PCA (--kind pca): --k components.\n"
    "\n"
    "Columns (one row per epoch; epoch 0 is the untrained model; PCA: one row per component):\n"
    "  epoch steps      epoch and Adam steps so far\n"
    "  train_loss       mean training loss over the epoch's minibatches (epoch 0: loss on the training set)\n"
    "  test_mse test_bce   reconstruction error on the test images (BCE: NaN unless the output is sigmoid)\n"
    "  PCA: component variance explained_cum test_mse (test MSE with the first `component` components)\n"
    "Timings are in the progress line and a final '# time:' line, not in the rows.\n";

static int cmd_train(int argc, char **argv)
{
    am_run run = {.examples = "autoencoder train --layers 784,256,64,256,784 --epochs 10 --model ae.model --out loss.tsv\nautoencoder train --kind pca --k 64 --model pca.model --out pca.tsv\nautoencoder train --layers 784,512,32,512,784 --noise 0.3 --epochs 20 --model dae.model --out dae.tsv",
                  .program = "autoencoder", .subcommand = "train",
                  .summary = "Train an MLP autoencoder or a PCA on images; write the model and its loss curve.",
                  .description = train_desc, .seed = 1};
    data_opts d = {0};
    const char *kind = "mlp", *layers = "784,256,64,256,784", *act = "relu", *code_act = NULL, *out_act = "sigmoid",
               *loss = "mse", *model = "autoencoder.model", *test_images = NULL, *test_labels = NULL;
    int epochs = 10, batch = 128, k = 64;
    double lr = 1e-3, wd = 0, mask = 0, noise = 0;
    am_opt opts[] = {
        DATA_OPTS(d),
        {"test-images", AM_OPT_STRING, &test_images, "FILE", "IDX test images (default: the test split of --data)"},
        {"test-labels", AM_OPT_STRING, &test_labels, "FILE", "their labels"},
        {"kind", AM_OPT_STRING, &kind, "mlp|pca", "model"},
        {"model", AM_OPT_OUTPUT, &model, "FILE", "where to save the trained model"},
        {"layers", AM_OPT_STRING, &layers, "n0,n1,..", "MLP layer sizes", "mlp"},
        {"act", AM_OPT_STRING, &act, "A", "hidden activation: relu, tanh, sigmoid, linear", "mlp"},
        {"code-act", AM_OPT_STRING, &code_act, "A", "code layer activation (default: --act)", "mlp"},
        {"out-act", AM_OPT_STRING, &out_act, "A", "output activation", "mlp"},
        {"loss", AM_OPT_STRING, &loss, "mse|bce", "training loss (bce needs --out-act sigmoid)", "mlp"},
        {"epochs", AM_OPT_INT, &epochs, "E", "passes over the training images", "mlp"},
        {"batch", AM_OPT_INT, &batch, "B", "minibatch size", "mlp"},
        {"lr", AM_OPT_DOUBLE, &lr, "R", "Adam step size", "mlp"},
        {"weight-decay", AM_OPT_DOUBLE, &wd, "W", "L2 weight decay", "mlp"},
        {"mask", AM_OPT_DOUBLE, &mask, "F", "denoising: fraction of input pixels zeroed", "mlp"},
        {"noise", AM_OPT_DOUBLE, &noise, "S", "denoising: sd of Gaussian input noise", "mlp"},
        {"k", AM_OPT_INT, &k, "K", "PCA components", "pca"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    int pca = !strcmp(kind, "pca");
    am_ae_config cfg;
    am_ae_train_opts o;
    am_ae_train_opts_default(&o);
    o.lr = lr;
    o.weight_decay = wd;
    o.mask = mask;
    o.noise = noise;
    o.threads = run.threads;
    o.batch = batch > 0 ? (size_t)batch : 0;
    if (!pca && strcmp(kind, "mlp")) {
        am_run_error(&run, "--kind must be mlp or pca");
        return 2;
    }
    if (am_run_check_scope(&run, opts, kind, pca ? "--kind pca" : "--kind mlp"))
        return 2;
    if (!pca && am_ae_config_parse(&cfg, layers, act, code_act, out_act, loss)) {
        am_run_error(&run, "bad network: --layers %s --act %s --code-act %s --out-act %s --loss %s (sizes > 0, "
                     "first = last, at least 2 layers; bce needs a sigmoid output)",
                     AM__QUOTE(layers), AM__QUOTE(act), AM__QUOTE(code_act ? code_act : act), AM__QUOTE(out_act),
                     AM__QUOTE(loss));
        return 2;
    }
    if (epochs < 0 || batch < 1 || !(lr > 0) || wd < 0 || !(mask >= 0 && mask < 1) || !(noise >= 0) || k < 1) {
        am_run_error(&run, "need --epochs >= 0, --batch >= 1, --lr > 0, --weight-decay >= 0, 0 <= --mask < 1, "
                           "--noise >= 0, --k >= 1");
        return 2;
    }
    am_dataset *train = load(&run, &d, "train"), *test = NULL;
    if (!train)
        return 1;
    if (test_images)
        test = am_run_load_data(&run, NULL, test_images, test_labels, "test");
    else if (!d.images)
        test = am_run_load_data(&run, d.dir, NULL, NULL, "test");
    if ((test_images || !d.images) && !test) {
        am_dataset_free(train);
        return 1;
    }
    if (test && test->dim != train->dim) {
        am_run_error(&run, "test images have %zu pixels, training images %zu", test->dim, train->dim);
        goto fail;
    }
    if (!pca && cfg.sizes[0] != train->dim) {
        am_run_error(&run, "--layers starts with %zu but the images have %zu pixels", cfg.sizes[0], train->dim);
        goto fail;
    }
    if (pca && ((size_t)k > train->dim || train->count < 2)) {
        am_run_error(&run, "--k must be at most %zu (pixels), with at least 2 images", train->dim);
        goto fail;
    }
    const am_dataset *eval = test ? test : train;
    FILE *out = am_run_open(&run);
    if (!out)
        goto fail;
    am_rng rng;
    am_rng_init(&rng, run.seed, 0);
    if (pca) {
        am_pca *p = NULL;
        double t0 = am_seconds();
        if ((rc = am_pca_fit(&p, train->x, train->count, train->dim, (size_t)k))) {
            am_run_error(&run, "PCA failed: %s", am_strerror(rc));
            am_run_abort(&run, out);
            goto fail;
        }
        fprintf(out, "# model: pca k=%d on %zu images; test set: %zu images\n", k, train->count, eval->count);
        am_run_time(out, "PCA fitted in %.2f s", am_seconds() - t0);
        fprintf(out, "component\tvariance\texplained_cum\ttest_mse\n");
        float *z = malloc(eval->count * (size_t)k * sizeof *z), *y = malloc(eval->count * eval->dim * sizeof *y);
        if (!z || !y) {
            free(z), free(y);
            am_pca_free(p);
            am_run_error(&run, "out of memory");
            am_run_abort(&run, out);
            goto fail;
        }
        am_pca_encode(p, eval->x, eval->count, z);
        /* Reconstruction with the first c components: add one component's contribution at a time. */
        for (size_t i = 0; i < eval->count; i++)
            memcpy(y + i * eval->dim, p->mean, eval->dim * sizeof *y);
        for (int c = 1; c <= k; c++) {
            double se = 0;
            for (size_t i = 0; i < eval->count; i++) {
                float zc = z[i * (size_t)k + (size_t)c - 1];
                for (size_t j = 0; j < eval->dim; j++) {
                    float *v = &y[i * eval->dim + j];
                    *v += zc * p->components[(size_t)(c - 1) * p->dim + j];
                    double e = (double)*v - eval->x[i * eval->dim + j];
                    se += e * e;
                }
            }
            fprintf(out, "%d\t%.6g\t%.6f\t%.6f\n", c, p->variance[c - 1], am_pca_explained(p, (size_t)c),
                    se / (double)(eval->count * eval->dim));
        }
        free(z);
        free(y);
        if ((rc = am_pca_save(p, model)))
            am_run_error(&run, "cannot save '%s': %s", model, am_strerror(rc));
        am_pca_free(p);
    } else {
        am_ae *ae = NULL;
        am_ae_trainer *t = NULL;
        if ((rc = am_ae_create(&ae, &cfg, &rng)) || (rc = am_ae_trainer_create(&t, ae, &o))) {
            am_run_error(&run, "cannot create the network: %s", am_strerror(rc));
            am_ae_free(ae);
            am_run_abort(&run, out);
            goto fail;
        }
        char desc[256];
        am_ae_config_describe(&cfg, desc, sizeof desc);
        fprintf(out, "# model: mlp %s; adam lr=%g batch=%d weight_decay=%g; denoising mask=%g noise=%g\n", desc, lr,
                batch, wd, mask, noise);
        fprintf(out, "# data: %zu training images, %zu test images\n", train->count, test ? test->count : 0);
        fprintf(out, "epoch\tsteps\ttrain_loss\ttest_mse\ttest_bce\n");
        double mse = NAN, bce = NAN, tl, train_s = 0.0;
        am_ae_evaluate(ae, train->x, train->count, cfg.loss == AM_LOSS_MSE ? &tl : NULL,
                       cfg.loss == AM_LOSS_BCE ? &tl : NULL);
        if (test)
            am_ae_evaluate(ae, test->x, test->count, &mse, &bce);
        fprintf(out, "0\t0\t%.6f\t%.6f\t%.6f\n", tl, mse, bce);
        size_t per = (train->count + (size_t)batch - 1) / (size_t)batch;
        am_progress pg;
        am_progress_start(&pg, &run, per * (size_t)epochs);
        prog g = {&pg, 0, epochs, 0};
        for (int e = 1; e <= epochs && !rc; e++) {
            g.epoch = e;
            g.base = per * (size_t)(e - 1);
            double t0 = am_seconds();
            if ((rc = am_ae_train_epoch(t, train, &rng, on_step, &g, &tl))) {
                am_run_error(&run, "training failed in epoch %d: %s", e, am_strerror(rc));
                break;
            }
            train_s += am_seconds() - t0;
            if (test)
                am_ae_evaluate(ae, test->x, test->count, &mse, &bce);
            fprintf(out, "%d\t%zu\t%.6f\t%.6f\t%.6f\n", e, am_ae_trainer_steps(t), tl, mse, bce);
            fflush(out);
        }
        am_progress_end(&pg, "train loss %.5f test MSE %.5f", tl, mse);
        if (!rc)
            am_run_time(out, "training %.3f s, %.3f s per epoch", train_s, train_s / epochs);
        am_ae_trainer_free(t);
        if (!rc && (rc = am_ae_save(ae, model)))
            am_run_error(&run, "cannot save '%s': %s", model, am_strerror(rc));
        am_ae_free(ae);
    }
    if (rc) {
        am_run_abort(&run, out);
        goto fail;
    }
    am_dataset_free(train);
    am_dataset_free(test);
    return am_run_close(&run, out) ? 1 : 0;
fail:
    am_dataset_free(train);
    am_dataset_free(test);
    return 1;
}

static const char encode_desc[] =
    "Columns: index (in the data) label z1 .. zk (the latent vector; label -1 without labels).\n";

static int cmd_encode(int argc, char **argv)
{
    am_run run = {.examples = "autoencoder encode --model ae.model --split test --out z-test.tsv\nautoencoder encode --model pca.model --limit 1000 --out z.tsv",
                  .program = "autoencoder", .subcommand = "encode", .no_seed = 1, .no_threads = 1,
                  .summary = "Encode images to latent vectors with a trained model.", .description = encode_desc};
    data_opts d = {0};
    const char *model = NULL, *split = "test";
    am_opt opts[] = {
        DATA_OPTS(d),
        {"split", AM_OPT_STRING, &split, "train|test", "Fashion-MNIST split"},
        {"model", AM_OPT_STRING, &model, "FILE", "trained model (autoencoder train)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (!split_ok(&run, split))
        return 2;
    am_dataset *ds = load(&run, &d, split);
    if (!ds)
        return 1;
    am_encoder *e = load_model(&run, model, ds->dim);
    if (!e) {
        am_dataset_free(ds);
        return 1;
    }
    size_t k = am_encoder_code_dim(e);
    float *z = malloc(ds->count * k * sizeof *z);
    if (!z || (rc = am_encoder_encode(e, ds->x, ds->count, z))) {
        am_run_error(&run, "encoding failed: %s", am_strerror(z ? rc : AM_ENOMEM));
        free(z);
        am_encoder_free(e);
        am_dataset_free(ds);
        return 1;
    }
    FILE *out = am_run_open(&run);
    if (!out) {
        free(z);
        am_encoder_free(e);
        am_dataset_free(ds);
        return 1;
    }
    char desc[256];
    am_encoder_describe(e, desc, sizeof desc);
    fprintf(out, "# model: %s (%s)\nindex\tlabel", model, desc);
    for (size_t j = 0; j < k; j++)
        fprintf(out, "\tz%zu", j + 1);
    fputc('\n', out);
    for (size_t i = 0; i < ds->count; i++) {
        fprintf(out, "%zu\t%d", i, ds->labels ? ds->labels[i] : -1);
        for (size_t j = 0; j < k; j++)
            fprintf(out, "\t%.7g", (double)z[i * k + j]);
        fputc('\n', out);
    }
    free(z);
    am_encoder_free(e);
    am_dataset_free(ds);
    return am_run_close(&run, out) ? 1 : 0;
}

/* The latent vectors of --in, with the reason printed on failure. */
static int read_latents(const am_run *run, const char *path, size_t k, float **z, int **labels, size_t *n)
{
    char why[256];
    int rc = am_latents_read(path, &k, z, labels, n, why, sizeof why);
    if (rc) {
        am_run_error(run, "cannot read latents '%s': %s", path, why[0] ? why : am_strerror(rc));
        return -1;
    }
    return 0;
}

static int cmd_decode(int argc, char **argv)
{
    am_run run = {.examples = "autoencoder decode --model ae.model --in z-test.tsv --out x.tsv\nautoencoder decode --model ae.model --in z-test.tsv --idx x.idx --out x.tsv",
                  .program = "autoencoder", .subcommand = "decode", .no_seed = 1, .no_threads = 1,
                  .summary = "Decode latent vectors (a TSV written by encode) to images.",
                  .description = "Columns: index label x1 .. xd (pixels in the model's scale, [0, 1] for images).\n"
                                 "--idx FILE also writes the images as an IDX uint8 file (x 255, clipped; .gz: "
                                 "compressed)\nwith the shape --shape ROWSxCOLS (default 28x28).\n"};
    const char *model = NULL, *in = NULL, *idx = NULL, *shape = "28x28";
    am_opt opts[] = {
        {"model", AM_OPT_STRING, &model, "FILE", "trained model"},
        {"in", AM_OPT_STRING, &in, "FILE", "latent vectors (autoencoder encode output)"},
        {"idx", AM_OPT_OUTPUT, &idx, "FILE", "also write the images as IDX"},
        {"shape", AM_OPT_STRING, &shape, "RxC", "image shape", "--idx"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    unsigned long sr, sc;
    if (!in) {
        am_run_error(&run, "--in FILE is required");
        return 2;
    }
    if (am_run_check_scope(&run, opts, idx ? "--idx" : "", "a run without --idx"))
        return 2;
    if (am_parse_shape(shape, &sr, &sc)) {
        am_run_error(&run, "--shape must be ROWSxCOLS of positive sizes up to 65535, e.g. 28x28");
        return 2;
    }
    am_encoder *e = load_model(&run, model, 0);
    if (!e)
        return 1;
    size_t k = am_encoder_code_dim(e), dim = am_encoder_input_dim(e), n;
    if (idx && sr * sc != dim) {
        am_run_error(&run, "--shape %s has %lu pixels, the model outputs %zu", shape, sr * sc, dim);
        am_encoder_free(e);
        return 2;
    }
    float *z, *y;
    int *labels;
    if (read_latents(&run, in, k, &z, &labels, &n)) {
        am_encoder_free(e);
        return 1;
    }
    y = malloc((n ? n : 1) * dim * sizeof *y);
    if (!y || (rc = am_encoder_decode(e, z, n, y))) {
        am_run_error(&run, "decoding failed: %s", am_strerror(y ? rc : AM_ENOMEM));
        free(z), free(y), free(labels);
        am_encoder_free(e);
        return 1;
    }
    FILE *out = am_run_open(&run);
    if (!out) {
        free(z);
        free(y);
        free(labels);
        am_encoder_free(e);
        return 1;
    }
    fprintf(out, "# model: %s; latents: %s (%zu)\nindex\tlabel", model, in, n);
    for (size_t j = 0; j < dim; j++)
        fprintf(out, "\tx%zu", j + 1);
    fputc('\n', out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%zu\t%d", i, labels[i]);
        for (size_t j = 0; j < dim; j++)
            fprintf(out, "\t%.4g", (double)y[i * dim + j]);
        fputc('\n', out);
    }
    rc = 0;
    if (idx) {
        uint8_t *px = malloc((n ? n : 1) * dim);
        for (size_t i = 0; px && i < n * dim; i++) {
            float v = y[i] * 255.0f + 0.5f;
            px[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
        size_t dims[3] = {n, sr, sc};
        int wrc = px ? am_idx_write(idx, AM_IDX_U8, 3, dims, px) : AM_ENOMEM;
        if (wrc) {
            am_run_error(&run, "cannot write '%s': %s", idx, am_strerror(wrc));
            rc = 1;
        }
        free(px);
    }
    free(z);
    free(y);
    free(labels);
    am_encoder_free(e);
    if (rc) {
        am_run_abort(&run, out);
        return 1;
    }
    return am_run_close(&run, out) ? 1 : 0;
}

static const char eval_desc[] =
    "Columns (one row per class, then 'all'): class name count mse bce (bce: NaN unless the model's output\n"
    "is a sigmoid; PCA outputs are not probabilities).\n"
    "--grid PREFIX draws PREFIX.png: --grid-rows images per class column pair (original | reconstruction).\n";

static int cmd_eval(int argc, char **argv)
{
    am_run run = {.examples = "autoencoder eval --model ae.model --out eval.tsv\nautoencoder eval --model dae.model --grid recon --grid-rows 8 --out eval.tsv",
                  .program = "autoencoder", .subcommand = "eval", .no_seed = 1, .no_threads = 1,
                  .summary = "Reconstruction error of a trained model, per class; optional image grid.",
                  .description = eval_desc};
    data_opts d = {0};
    const char *model = NULL, *split = "test", *grid = NULL;
    int grid_rows = 4;
    am_opt opts[] = {
        DATA_OPTS(d),
        {"split", AM_OPT_STRING, &split, "train|test", "Fashion-MNIST split"},
        {"model", AM_OPT_STRING, &model, "FILE", "trained model"},
        {"grid", AM_OPT_STRING, &grid, "PREFIX", "draw PREFIX.png (originals beside reconstructions)"},
        {"grid-rows", AM_OPT_INT, &grid_rows, "R", "images per class in the grid", "--grid"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (!split_ok(&run, split))
        return 2;
    if (am_run_check_scope(&run, opts, grid ? "--grid" : "", "a run without --grid"))
        return 2;
    if (grid_rows < 1 || grid_rows > 50) {
        am_run_error(&run, "--grid-rows must be in 1..50");
        return 2;
    }
    am_dataset *ds = load(&run, &d, split);
    if (!ds)
        return 1;
    int classes = ds->labels ? ds->classes : 1, probs = 1;
    if (grid && classes > 32) {
        am_run_error(&run, "--grid draws up to 32 classes side by side; the labels name %d", classes);
        am_dataset_free(ds);
        return 2;
    }
    am_encoder *e = load_model(&run, model, ds->dim);
    float *y = e ? malloc(ds->count * ds->dim * sizeof *y) : NULL;
    float *z = e ? malloc(ds->count * am_encoder_code_dim(e) * sizeof *z) : NULL;
    if (e && (!y || !z || (rc = am_encoder_encode(e, ds->x, ds->count, z)) ||
              (rc = am_encoder_decode(e, z, ds->count, y))))
        am_run_error(&run, "reconstruction failed: %s", am_strerror(y && z ? rc : AM_ENOMEM));
    FILE *out = e && y && z && !rc ? am_run_open(&run) : NULL;
    if (!out) {
        free(y);
        free(z);
        am_encoder_free(e);
        am_dataset_free(ds);
        return 1;
    }
    am_ae *ae = am_encoder_ae(e);
    if (!ae || am_ae_config_of(ae)->act[am_ae_config_of(ae)->layers - 1] != AM_ACT_SIGMOID)
        probs = 0;
    double *se = calloc((size_t)classes + 1, sizeof *se), *ce = calloc((size_t)classes + 1, sizeof *ce);
    size_t *cnt = calloc((size_t)classes + 1, sizeof *cnt);
    if (!se || !ce || !cnt) {
        am_run_error(&run, "out of memory");
        free(se), free(ce), free(cnt), free(y), free(z);
        am_run_abort(&run, out);
        am_encoder_free(e);
        am_dataset_free(ds);
        return 1;
    }
    for (size_t i = 0; i < ds->count; i++) {
        int c = ds->labels ? ds->labels[i] : 0;
        double s = 0, b = 0;
        for (size_t j = 0; j < ds->dim; j++) {
            double t = ds->x[i * ds->dim + j], p = y[i * ds->dim + j], er = p - t;
            s += er * er;
            if (probs) {
                double pc = p < 1e-7 ? 1e-7 : p > 1 - 1e-7 ? 1 - 1e-7 : p;
                b -= t * log(pc) + (1 - t) * log(1 - pc);
            }
        }
        se[c] += s;
        ce[c] += b;
        cnt[c]++;
        se[classes] += s;
        ce[classes] += b;
        cnt[classes]++;
    }
    char desc[256];
    am_encoder_describe(e, desc, sizeof desc);
    fprintf(out, "# model: %s (%s)\nclass\tname\tcount\tmse\tbce\n", model, desc);
    int fashion = !d.images && ds->dim == 784;
    for (int c = 0; c <= classes; c++) {
        if (!cnt[c])
            continue;
        const char *name = c == classes ? "all" : fashion ? am_fashion_class_name(c) : "-";
        double m = se[c] / (double)(cnt[c] * ds->dim), b = probs ? ce[c] / (double)(cnt[c] * ds->dim) : NAN;
        if (c == classes)
            fprintf(out, "all\t%s\t%zu\t%.6f\t%.6f\n", name, cnt[c], m, b);
        else
            fprintf(out, "%d\t%s\t%zu\t%.6f\t%.6f\n", c, name, cnt[c], m, b);
    }
    rc = 0;
    if (grid) {
        size_t h = ds->rows, w = ds->cols, gc = 2 * (size_t)classes, gr = (size_t)grid_rows;
        float *tiles = calloc(gr * gc * h * w, sizeof *tiles);
        const char **titles = calloc(gc, sizeof *titles);
        static char names[64][32];
        size_t *taken = calloc((size_t)classes, sizeof *taken);
        for (size_t i = 0; tiles && titles && taken && i < ds->count; i++) {
            int c = ds->labels ? ds->labels[i] : 0;
            if (taken[c] >= gr)
                continue;
            size_t r = taken[c]++;
            memcpy(tiles + ((r * gc + 2 * (size_t)c) * h * w), ds->x + i * ds->dim, h * w * sizeof *tiles);
            memcpy(tiles + ((r * gc + 2 * (size_t)c + 1) * h * w), y + i * ds->dim, h * w * sizeof *tiles);
        }
        for (int c = 0; titles && c < classes && c < 32; c++) {
            snprintf(names[2 * c], sizeof names[0], "%.12s", fashion ? am_fashion_class_name(c) : "original");
            snprintf(names[2 * c + 1], sizeof names[0], "%s", "recon.");
            titles[2 * c] = names[2 * c];
            titles[2 * c + 1] = names[2 * c + 1];
        }
        char title[400];
        snprintf(title, sizeof title, "%s: original | reconstruction (MSE %.4f)", desc,
                 se[classes] / (double)(cnt[classes] * ds->dim));
        if (!tiles || !titles || !taken) {
            am_run_error(&run, "out of memory for the grid");
            rc = 1;
        } else if (am_image_grid(&run, grid, tiles, gr, gc, h, w, titles, NULL, title)) {
            rc = 1;
        }
        free(tiles);
        free(titles);
        free(taken);
    }
    free(se);
    free(ce);
    free(cnt);
    free(y);
    free(z);
    am_encoder_free(e);
    am_dataset_free(ds);
    if (rc) {
        am_run_abort(&run, out);
        return 1;
    }
    return am_run_close(&run, out) ? 1 : 0;
}

int main(int argc, char **argv)
{
    static const am_subcommand cmds[] = {
        {"train", cmd_train}, {"encode", cmd_encode}, {"decode", cmd_decode}, {"eval", cmd_eval}, {NULL, NULL}};
    return am_run_subcommands(argc, argv, "autoencoder", usage_text, cmds, NULL);
}
