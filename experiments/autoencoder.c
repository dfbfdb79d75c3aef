/* bin/autoencoder — the front-ends from the command line: train an MLP autoencoder, a PCA or a CNN on images,
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
    "  train    fit an MLP autoencoder, a PCA or a convolutional network (--kind cnn: a classifier-encoder or\n"
    "           a convolutional autoencoder) to images; save the model; loss curve TSV\n"
    "  encode   images -> latent vectors (TSV: index label z1 .. zk)\n"
    "  decode   latent vectors (TSV as written by encode) -> images (TSV, optional IDX file)\n"
    "  eval     reconstruction MSE/BCE per class (a cnn classifier: accuracy and nearest-class-mean accuracy of\n"
    "           its latents); optional image grid (original | reconstruction)\n"
    "Examples:\n"
    "  autoencoder train --layers 784,256,64,256,784 --epochs 10 --model ae.model --out loss.tsv\n"
    "  autoencoder encode --model ae.model --split test --out z.tsv\n"
    "  autoencoder eval --model ae.model --grid recon --out eval.tsv\n"
    "  autoencoder train --kind cnn --epochs 8 --model fashion.cnn --out cnn.tsv\n";

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

/* ---- convolutional networks ---- */

#define CNN_DEFAULT_ARCH "conv32k3p1,bn,relu,maxpool2,conv64k3p1,bn,relu,maxpool2,flat,fc64,relu,fc10"
#define CNN_DEFAULT_AE                                                                                           \
    "conv32k3p1,relu,maxpool2,conv64k3p1,relu,maxpool2,flat,fc64,code,fc3136,relu,view64x7x7,up2,conv32k3p1,relu," \
    "up2,conv1k3p1,sigmoid"

/* --classes: want[c] set for each class of list ("0,1,2,3,4"); -1 after a message. */
static int class_list(const am_run *run, const char *list, unsigned char *want)
{
    uint64_t c[1024];
    int nc = am_parse_u64_list(list, c, 1024);
    memset(want, 0, AM_MAX_CLASSES);
    for (int i = 0; i < nc; i++)
        if (c[i] >= AM_MAX_CLASSES)
            nc = -1;
        else
            want[c[i]] = 1;
    if (nc < 1)
        am_run_error(run, "--classes must be up to 1024 class numbers below %d separated by commas, e.g. 0,1,2,3,4",
                     AM_MAX_CLASSES);
    return nc < 1 ? -1 : 0;
}

/* The rows of *ds whose label is in list, replacing *ds; -1 after a message. */
static int keep_classes(const am_run *run, am_dataset **ds, const char *list)
{
    static unsigned char want[AM_MAX_CLASSES];
    if (class_list(run, list, want))
        return -1;
    if (!(*ds)->labels) {
        am_run_error(run, "--classes needs labelled images");
        return -1;
    }
    uint32_t *idx = malloc(((*ds)->count ? (*ds)->count : 1) * sizeof *idx);
    size_t n = 0;
    for (size_t i = 0; idx && i < (*ds)->count; i++)
        if (want[(*ds)->labels[i]])
            idx[n++] = (uint32_t)i;
    am_dataset *sub = NULL;
    int rc = idx ? n ? am_dataset_take(&sub, *ds, idx, n) : AM_EEMPTY : AM_ENOMEM;
    free(idx);
    if (rc) {
        am_run_error(run, "--classes %s: %s", list, rc == AM_EEMPTY ? "no image of these classes" : am_strerror(rc));
        return -1;
    }
    am_dataset_free(*ds);
    *ds = sub;
    return 0;
}

typedef struct cnn_args {
    am_run *run;
    data_opts *d;
    const char *model, *test_images, *test_labels, *arch, *input, *classes, *loss;
    int epochs, batch;
    double lr, wd;
} cnn_args;

/* The training and test data of a CNN run (test NULL when --images is given without --test-images); -1
 * after a message. */
static int cnn_data(cnn_args *a, am_dataset **train, am_dataset **test)
{
    *test = NULL;
    if (!(*train = load(a->run, a->d, "train")))
        return -1;
    if (a->test_images)
        *test = am_run_load_data(a->run, NULL, a->test_images, a->test_labels, "test");
    else if (!a->d->images)
        *test = am_run_load_data(a->run, a->d->dir, NULL, NULL, "test");
    if (((a->test_images || !a->d->images) && !*test) ||
        (a->classes && (keep_classes(a->run, train, a->classes) || (*test && keep_classes(a->run, test, a->classes))))) {
        am_dataset_free(*train);
        am_dataset_free(*test);
        return -1;
    }
    if (*test && (*test)->dim != (*train)->dim) {
        am_run_error(a->run, "test images have %zu values, training images %zu", (*test)->dim, (*train)->dim);
        am_dataset_free(*train);
        am_dataset_free(*test);
        return -1;
    }
    return 0;
}

/* The network of a CNN run, checked against the data; NULL after a message, with *status the exit status (2: the
 * command line is at fault). */
static am_cnn *cnn_make(cnn_args *a, const am_dataset *train, am_cnn_loss loss, am_rng *rng, int *status)
{
    char shape[64], err[256];
    am_cnn *n = NULL;
    snprintf(shape, sizeof shape, "1x%zux%zu", train->rows, train->cols);
    const char *arch = a->arch ? a->arch : loss == AM_CNN_XENT ? CNN_DEFAULT_ARCH : CNN_DEFAULT_AE;
    int rc = am_cnn_create(&n, a->input ? a->input : shape, arch, loss, rng, err, sizeof err);
    *status = rc == AM_EINVAL || !rc ? 2 : 1; /* after rc == 0: a network that does not fit the data */
    if (rc) {
        am_run_error(a->run, "bad network --input %s --arch %s: %s", AM__QUOTE(a->input ? a->input : shape),
                     AM__QUOTE(arch), rc == AM_EINVAL ? err : am_strerror(rc));
        return NULL;
    }
    if (am_cnn_input_dim(n) != train->dim) {
        am_run_error(a->run, "the network takes %zu values (--input %s), the images have %zu", am_cnn_input_dim(n),
                     a->input ? a->input : shape, train->dim);
        am_cnn_free(n);
        return NULL;
    }
    if (loss == AM_CNN_XENT && (!train->labels || (size_t)train->classes > am_cnn_output_dim(n))) {
        am_run_error(a->run, train->labels ? "the labels name %d classes, the network's last layer has %zu outputs"
                                           : "a classifier (--loss xent) needs labels (--labels FILE)",
                     train->classes, am_cnn_output_dim(n));
        am_cnn_free(n);
        return NULL;
    }
    return n;
}

/* Epochs of CNN training with one row each; the time on a '# time:' line. */
static int cnn_epochs(cnn_args *a, am_cnn *n, am_cnn_trainer *t, const am_dataset *train, const am_dataset *test,
                      am_rng *rng, FILE *out)
{
    size_t per = (train->count + (size_t)a->batch - 1) / (size_t)a->batch;
    am_progress pg;
    am_progress_start(&pg, a->run, per * (size_t)a->epochs);
    prog g = {&pg, 0, a->epochs, 0};
    double tl = NAN, q1 = NAN, q2 = NAN, train_s = 0.0;
    int rc = 0;
    for (int e = 1; e <= a->epochs && !rc; e++) {
        g.epoch = e;
        g.base = per * (size_t)(e - 1);
        double t0 = am_seconds();
        if ((rc = am_cnn_train_epoch(t, train, rng, on_step, &g, &tl))) {
            am_run_error(a->run, rc == AM_ENOTFINITE ? "training diverged in epoch %d: the loss is no longer finite "
                                                       "(lower --lr)%.0s" : "training failed in epoch %d: %s",
                         e, am_strerror(rc));
            break;
        }
        train_s += am_seconds() - t0;
        if (test && (rc = am_cnn_evaluate(n, test, &q1, &q2))) {
            am_run_error(a->run, "evaluation failed after epoch %d: %s", e, am_strerror(rc));
            break;
        }
        fprintf(out, "%d\t%zu\t%.6f\t%.6f\t%.6f\n", e, am_cnn_trainer_steps(t), tl, q1, q2);
        fflush(out);
    }
    am_progress_end(&pg, "train loss %.5f test %.5f %.5f", tl, q1, q2);
    if (!rc && a->epochs)
        am_run_time(out, "training %.3f s, %.3f s per epoch", train_s, train_s / a->epochs);
    return rc;
}

static int train_cnn(cnn_args *a)
{
    am_cnn_loss loss = AM_CNN_XENT;
    if (a->loss && am_cnn_loss_parse(a->loss, &loss)) {
        am_run_error(a->run, "--loss must be xent, mse or bce with --kind cnn");
        return 2;
    }
    if (a->epochs < 0 || a->batch < 1 || !(a->lr > 0) || a->wd < 0) {
        am_run_error(a->run, "need --epochs >= 0, --batch >= 1, --lr > 0, --weight-decay >= 0");
        return 2;
    }
    static unsigned char want[AM_MAX_CLASSES];
    if (a->classes && class_list(a->run, a->classes, want))
        return 2;
    am_dataset *train, *test;
    if (cnn_data(a, &train, &test))
        return 1;
    am_rng rng;
    am_rng_init(&rng, a->run->seed, 0);
    int status = 0;
    am_cnn *n = cnn_make(a, train, loss, &rng, &status);
    am_cnn_trainer *t = NULL;
    am_cnn_train_opts o;
    am_cnn_train_opts_default(&o);
    o.batch = (size_t)a->batch;
    o.lr = a->lr;
    o.weight_decay = a->wd;
    o.threads = a->run->threads;
    int rc = n ? am_cnn_trainer_create(&t, n, &o) : 1;
    if (n && rc)
        am_run_error(a->run, "cannot create the trainer: %s", am_strerror(rc));
    FILE *out = rc ? NULL : am_run_open(a->run);
    if (out) {
        char desc[AM_CNN_MAX_SPEC + 128];
        am_cnn_describe(n, desc, sizeof desc);
        fprintf(out, "# model: %s; adam lr=%g batch=%d weight_decay=%g\n", desc, a->lr, a->batch, a->wd);
        fprintf(out, "# data: %zu training images, %zu test images%s%s\n", train->count, test ? test->count : 0,
                a->classes ? "; classes " : "", a->classes ? a->classes : "");
        fprintf(out, loss == AM_CNN_XENT ? "epoch\tsteps\ttrain_loss\ttest_loss\ttest_accuracy\n"
                                         : "epoch\tsteps\ttrain_loss\ttest_mse\ttest_bce\n");
        if (!(rc = cnn_epochs(a, n, t, train, test, &rng, out)) && (rc = am_cnn_save(n, a->model)))
            am_run_error(a->run, "cannot save '%s': %s", a->model, am_strerror(rc));
    }
    int made = n != NULL;
    am_cnn_trainer_free(t);
    am_cnn_free(n);
    am_dataset_free(train);
    am_dataset_free(test);
    if (!out)
        return made ? 1 : status;
    if (rc) {
        am_run_abort(a->run, out);
        return 1;
    }
    return am_run_close(a->run, out) ? 1 : 0;
}

static const char train_desc[] =
    "MLP: layer sizes --layers (first = last = image size), --act for hidden units, --code-act for the\n"
    "code layer (the narrowest), --out-act for the output; weights start as PyTorch's nn.Linear; Adam on\n"
    "minibatches in a new random order each epoch; --mask/--noise train a denoising autoencoder (corrupted\n"
    "input, clean target). Results are identical at any --threads. PCA (--kind pca): --k components.\n"
    "CNN (--kind cnn): --arch layers over --input (README, encoders); loss xent trains a classifier on the\n"
    "labels (--classes: on some classes only), mse or bce a convolutional autoencoder.\n"
    "\n"
    "Columns (one row per epoch; MLP: epoch 0 is the untrained model; PCA: one row per component):\n"
    "  epoch steps      epoch and Adam steps so far\n"
    "  train_loss       mean training loss over the epoch's minibatches (epoch 0: loss on the training set)\n"
    "  test_mse test_bce   reconstruction error on the test images (BCE: NaN unless the output is sigmoid)\n"
    "  PCA: component variance explained_cum test_mse (test MSE with the first `component` components)\n"
    "  CNN classifier: epoch steps train_loss test_loss test_accuracy (mean cross-entropy and accuracy on the\n"
    "  test images); CNN autoencoder: epoch steps train_loss test_mse test_bce\n"
    "Timings are in the progress line and a final '# time:' line, not in the rows.\n";

static int cmd_train(int argc, char **argv)
{
    am_run run = {.examples = "autoencoder train --layers 784,256,64,256,784 --epochs 10 --model ae.model --out loss.tsv\nautoencoder train --kind pca --k 64 --model pca.model --out pca.tsv\nautoencoder train --layers 784,512,32,512,784 --noise 0.3 --epochs 20 --model dae.model --out dae.tsv\nautoencoder train --kind cnn --epochs 8 --model fashion.cnn --out cnn.tsv\nautoencoder train --kind cnn --classes 0,1,2,3,4 --epochs 5 --model five.cnn --out five.tsv",
                  .program = "autoencoder", .subcommand = "train",
                  .summary = "Train an MLP autoencoder, a PCA or a CNN on images; write the model and its loss curve.",
                  .description = train_desc, .seed = 1};
    data_opts d = {0};
    const char *kind = "mlp", *layers = "784,256,64,256,784", *act = "relu", *code_act = NULL, *out_act = "sigmoid",
               *loss = NULL, *model = "autoencoder.model", *test_images = NULL, *test_labels = NULL, *arch = NULL,
               *input = NULL, *classes = NULL;
    int epochs = 10, batch = 128, k = 64;
    double lr = 1e-3, wd = 0, mask = 0, noise = 0;
    am_opt opts[] = {
        DATA_OPTS(d),
        {"test-images", AM_OPT_STRING, &test_images, "FILE", "IDX test images (default: the test split of --data)"},
        {"test-labels", AM_OPT_STRING, &test_labels, "FILE", "their labels"},
        {"kind", AM_OPT_STRING, &kind, "mlp|pca|cnn", "model"},
        {"model", AM_OPT_OUTPUT, &model, "FILE", "where to save the trained model"},
        {"layers", AM_OPT_STRING, &layers, "n0,n1,..", "MLP layer sizes", "mlp"},
        {"act", AM_OPT_STRING, &act, "A", "hidden activation: relu, tanh, sigmoid, linear", "mlp"},
        {"code-act", AM_OPT_STRING, &code_act, "A", "code layer activation (default: --act)", "mlp"},
        {"out-act", AM_OPT_STRING, &out_act, "A", "output activation", "mlp"},
        {"loss", AM_OPT_STRING, &loss, "L",
         "training loss: mlp mse or bce (needs --out-act sigmoid), cnn xent, mse or bce (default: mse for mlp, xent for "
         "cnn)", "mlp,cnn"},
        {"arch", AM_OPT_STRING, &arch, "SPEC",
         "CNN layers (README, encoders; default: " CNN_DEFAULT_ARCH " with xent, " CNN_DEFAULT_AE " otherwise)",
         "cnn"},
        {"input", AM_OPT_STRING, &input, "CxHxW", "CNN input shape, channels last (default: 1xROWSxCOLS of the images)",
         "cnn"},
        {"classes", AM_OPT_STRING, &classes, "LIST", "train (and test) on these classes only, e.g. 0,1,2,3,4", "cnn"},
        {"epochs", AM_OPT_INT, &epochs, "E", "passes over the training images", "mlp,cnn"},
        {"batch", AM_OPT_INT, &batch, "B", "minibatch size", "mlp,cnn"},
        {"lr", AM_OPT_DOUBLE, &lr, "R", "Adam step size", "mlp,cnn"},
        {"weight-decay", AM_OPT_DOUBLE, &wd, "W", "L2 weight decay", "mlp,cnn"},
        {"mask", AM_OPT_DOUBLE, &mask, "F", "denoising: fraction of input pixels zeroed", "mlp"},
        {"noise", AM_OPT_DOUBLE, &noise, "S", "denoising: sd of Gaussian input noise", "mlp"},
        {"k", AM_OPT_INT, &k, "K", "PCA components", "pca"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    int pca = !strcmp(kind, "pca"), cnn = !strcmp(kind, "cnn");
    am_ae_config cfg;
    am_ae_train_opts o;
    am_ae_train_opts_default(&o);
    o.lr = lr;
    o.weight_decay = wd;
    o.mask = mask;
    o.noise = noise;
    o.threads = run.threads;
    o.batch = batch > 0 ? (size_t)batch : 0;
    if (!pca && !cnn && strcmp(kind, "mlp")) {
        am_run_error(&run, "--kind must be mlp, pca or cnn");
        return 2;
    }
    if (am_run_check_scope(&run, opts, kind, pca ? "--kind pca" : cnn ? "--kind cnn" : "--kind mlp"))
        return 2;
    if (cnn) {
        cnn_args a = {&run, &d, model, test_images, test_labels, arch, input, classes, loss, epochs, batch, lr, wd};
        return train_cnn(&a);
    }
    if (!loss)
        loss = "mse";
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

/* ---- evaluation of a convolutional model ---- */

/* 1, or with unit the factor that scales the k values of z to unit length (0 for a zero row). */
static double row_scale(const float *z, size_t k, int unit)
{
    double s = 0;
    for (size_t j = 0; unit && j < k; j++)
        s += (double)z[j] * z[j];
    return !unit ? 1.0 : s > 0 ? 1.0 / sqrt(s) : 0.0;
}

/* Class means (classes x k) of the latents z (n x k) of labelled rows, count[c] rows each; with unit, the means
 * of the rows scaled to unit length, themselves scaled to unit length (the nearest is then the most similar by
 * cosine). */
static void class_means(const float *z, const int *labels, size_t n, size_t k, int classes, int unit, double *mean,
                        size_t *count)
{
    memset(mean, 0, (size_t)classes * k * sizeof *mean);
    memset(count, 0, (size_t)classes * sizeof *count);
    for (size_t i = 0; i < n; i++) {
        if (labels[i] >= classes)
            continue;
        double f = row_scale(z + i * k, k, unit);
        count[labels[i]]++;
        for (size_t j = 0; j < k; j++)
            mean[(size_t)labels[i] * k + j] += f * z[i * k + j];
    }
    for (int c = 0; c < classes; c++) {
        double s = 0, *m = mean + (size_t)c * k;
        for (size_t j = 0; count[c] && j < k; j++) {
            m[j] /= (double)count[c];
            s += m[j] * m[j];
        }
        for (size_t j = 0; unit && s > 0 && j < k; j++)
            m[j] /= sqrt(s);
    }
}

/* The class whose mean is nearest (Euclidean, after scaling z to unit length with unit; classes without rows
 * skipped) to the latent z (k). */
static int nearest_mean(const float *z, size_t k, const double *mean, const size_t *count, int classes, int unit)
{
    int best = -1;
    double bd = INFINITY, f = row_scale(z, k, unit);
    for (int c = 0; c < classes; c++) {
        double d = 0;
        for (size_t j = 0; count[c] && j < k; j++)
            d += (f * z[j] - mean[(size_t)c * k + j]) * (f * z[j] - mean[(size_t)c * k + j]);
        if (count[c] && d < bd)
            bd = d, best = c;
    }
    return best;
}

typedef struct cnn_eval {
    am_run *run;
    const char *model, *means_images, *means_labels, *means_what;
    am_encoder *e;
    am_dataset *ds, *ms;   /* evaluated rows; rows giving the class means (may be ds) */
    float *z, *zm, *y;     /* latents of ds and ms, outputs of ds */
} cnn_eval;

/* Latents of the evaluated and the class-mean rows, outputs of the evaluated ones; -1 after a message. */
static int cnn_eval_run(cnn_eval *v)
{
    am_cnn *n = am_encoder_cnn(v->e);
    size_t k = am_cnn_code_dim(n), o = am_cnn_output_dim(n);
    int rc = AM_ENOMEM;
    v->z = malloc(v->ds->count * k * sizeof *v->z);
    v->zm = v->ms == v->ds ? v->z : malloc(v->ms->count * k * sizeof *v->zm);
    v->y = malloc(v->ds->count * o * sizeof *v->y);
    if (v->z && v->zm && v->y && !(rc = am_cnn_encode(n, v->ds->x, v->ds->count, v->z)) &&
        (v->zm == v->z || !(rc = am_cnn_encode(n, v->ms->x, v->ms->count, v->zm))))
        rc = am_cnn_forward(n, v->ds->x, v->ds->count, v->y);
    if (rc)
        am_run_error(v->run, "evaluation failed: %s", am_strerror(rc));
    return rc ? -1 : 0;
}

/* Per-class sums of the table (classes + 1 rows: the last is all). */
typedef struct cnn_sums {
    double *acc, *ncm, *ncos, *mse;
    size_t *cnt;
} cnn_sums;

/* The table: per class count, accuracy of the scores (NaN for an autoencoder or a class the network has no
 * output for), accuracy of the nearest class mean of the latents (Euclidean, and by cosine), reconstruction MSE
 * (NaN for a classifier). */
static void cnn_eval_table(cnn_eval *v, FILE *out, int fashion, cnn_sums *t, int classes)
{
    am_cnn *n = am_encoder_cnn(v->e);
    size_t k = am_cnn_code_dim(n), o = am_cnn_output_dim(n), d = v->ds->dim;
    int xent = am_cnn_loss_of(n) == AM_CNN_XENT, mc = v->ms->classes > classes ? v->ms->classes : classes;
    double *mean = calloc(2 * (size_t)mc * k, sizeof *mean), *umean = mean + (size_t)mc * k;
    size_t *mcount = calloc((size_t)mc, sizeof *mcount);
    if (!mean || !mcount) {
        free(mean), free(mcount);
        return;
    }
    class_means(v->zm, v->ms->labels, v->ms->count, k, mc, 0, mean, mcount);
    class_means(v->zm, v->ms->labels, v->ms->count, k, mc, 1, umean, mcount);
    for (size_t i = 0; i < v->ds->count; i++) {
        int c = v->ds->labels[i], best = 0;
        for (size_t j = 1; xent && j < o; j++)
            if (v->y[i * o + j] > v->y[i * o + (size_t)best])
                best = (int)j;
        double se = 0;
        for (size_t j = 0; !xent && j < d; j++)
            se += ((double)v->y[i * d + j] - v->ds->x[i * d + j]) * ((double)v->y[i * d + j] - v->ds->x[i * d + j]);
        int nm = nearest_mean(v->z + i * k, k, mean, mcount, mc, 0) == c;
        int nc = nearest_mean(v->z + i * k, k, umean, mcount, mc, 1) == c;
        for (int g = 0; g < 2; g++) {
            int at = g ? classes : c;
            t->cnt[at]++;
            t->acc[at] += best == c;
            t->ncm[at] += nm;
            t->ncos[at] += nc;
            t->mse[at] += se;
        }
    }
    fprintf(out, "class\tname\tcount\taccuracy\tncm_accuracy\tncm_cosine\tmse\n");
    for (int c = 0; c <= classes; c++) {
        if (!t->cnt[c])
            continue;
        double cn = (double)t->cnt[c], a = xent && (c == classes || (size_t)c < o) ? t->acc[c] / cn : NAN;
        if (c == classes)
            fprintf(out, "all\tall");
        else
            fprintf(out, "%d\t%s", c, fashion ? am_fashion_class_name(c) : "-");
        fprintf(out, "\t%zu\t%.6f\t%.6f\t%.6f\t%.6f\n", t->cnt[c], a, t->ncm[c] / cn, t->ncos[c] / cn,
                xent ? NAN : t->mse[c] / (cn * (double)d));
    }
    free(mean);
    free(mcount);
}

/* eval of a CNN model (the encoder e, data ds with labels): scores and nearest-class-mean accuracy. */
static int eval_cnn(cnn_eval *v, data_opts *d)
{
    int rc = 1, classes = v->ds->classes, fashion = !d->images && v->ds->dim == 784;
    if (!v->ds->labels) {
        am_run_error(v->run, "evaluating a cnn model needs labelled images (--labels FILE)");
        return 2;
    }
    if (v->means_images) {
        v->ms = am_run_load_data(v->run, NULL, v->means_images, v->means_labels, "train");
        v->means_what = v->means_images;
    } else if (!d->images) {
        data_opts md = *d;
        v->ms = load(v->run, &md, "train"); /* --limit applies here too */
        v->means_what = "the training split";
    } else {
        v->ms = v->ds;
        v->means_what = "the evaluated images themselves";
    }
    if (v->ms && (!v->ms->labels || v->ms->dim != v->ds->dim)) {
        am_run_error(v->run, "--means-images needs --means-labels and images of %zu values", v->ds->dim);
    } else if (v->ms && !cnn_eval_run(v)) {
        size_t rows = (size_t)classes + 1;
        double *sums = calloc(4 * rows, sizeof(double));
        cnn_sums t = {sums, sums + rows, sums + 2 * rows, sums + 3 * rows, calloc(rows, sizeof(size_t))};
        FILE *out = sums && t.cnt ? am_run_open(v->run) : NULL;
        if (out) {
            char desc[AM_CNN_MAX_SPEC + 128];
            am_encoder_describe(v->e, desc, sizeof desc);
            fprintf(out, "# model: %s (%s)\n# class means of the latents from %s (%zu images)\n", v->model, desc,
                    v->means_what, v->ms->count);
            cnn_eval_table(v, out, fashion, &t, classes);
            rc = am_run_close(v->run, out) ? 1 : 0;
        }
        free(sums), free(t.cnt);
    }
    if (v->zm != v->z)
        free(v->zm);
    free(v->z), free(v->y);
    if (v->ms != v->ds)
        am_dataset_free(v->ms);
    return rc;
}

static const char eval_desc[] =
    "Columns (one row per class, then 'all'): class name count mse bce (bce: NaN unless the model's output\n"
    "is a sigmoid; PCA outputs are not probabilities). A cnn classifier: class name count accuracy (of its\n"
    "class scores) ncm_accuracy ncm_cosine (the class of the nearest class mean of its latents, Euclidean and\n"
    "by cosine; the means from --means-images) mse (NaN: a classifier does not reconstruct).\n"
    "--grid PREFIX draws PREFIX.png: --grid-rows images per class column pair (original | reconstruction).\n";

static int cmd_eval(int argc, char **argv)
{
    am_run run = {.examples = "autoencoder eval --model ae.model --out eval.tsv\nautoencoder eval --model dae.model --grid recon --grid-rows 8 --out eval.tsv",
                  .program = "autoencoder", .subcommand = "eval", .no_seed = 1, .no_threads = 1,
                  .summary = "Reconstruction error (a cnn classifier: accuracy) of a trained model, per class; optional image grid.",
                  .description = eval_desc};
    data_opts d = {0};
    const char *model = NULL, *split = "test", *grid = NULL, *means_images = NULL, *means_labels = NULL;
    int grid_rows = 4;
    am_opt opts[] = {
        DATA_OPTS(d),
        {"split", AM_OPT_STRING, &split, "train|test", "Fashion-MNIST split"},
        {"model", AM_OPT_STRING, &model, "FILE", "trained model"},
        {"grid", AM_OPT_STRING, &grid, "PREFIX", "draw PREFIX.png (originals beside reconstructions)"},
        {"grid-rows", AM_OPT_INT, &grid_rows, "R", "images per class in the grid", "--grid"},
        {"means-images", AM_OPT_STRING, &means_images, "FILE",
         "cnn models: IDX images whose latents give the class means (default: the training split of --data, its "
         "first --limit images; with --images, the evaluated images)"},
        {"means-labels", AM_OPT_STRING, &means_labels, "FILE", "their labels", "--means-images"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (!split_ok(&run, split))
        return 2;
    char active[32];
    snprintf(active, sizeof active, "%s,%s", grid ? "--grid" : "", means_images ? "--means-images" : "");
    if (am_run_check_scope(&run, opts, active, grid ? "a run without --means-images"
                                                       : means_images ? "a run without --grid"
                                                                      : "a run without --grid or --means-images"))
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
    if (e && am_encoder_cnn(e) && grid) {
        am_run_error(&run, "--grid draws reconstructions of pca and mlp models, not of cnn models");
        rc = 2;
    } else if (e && am_encoder_cnn(e)) {
        cnn_eval v = {&run, model, means_images, means_labels, NULL, e, ds, NULL, NULL, NULL, NULL};
        rc = eval_cnn(&v, &d);
    } else if (e && (means_images || means_labels)) {
        am_run_error(&run, "--means-images applies to cnn models only");
        rc = 2;
    }
    if (e && (am_encoder_cnn(e) || means_images || means_labels)) {
        am_encoder_free(e);
        am_dataset_free(ds);
        return rc;
    }
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
