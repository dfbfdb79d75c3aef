/* xor-learn — learning with the signed XOR error as the only teaching signal (am/binae.h): a binary
 * autoencoder of step units on binarised Fashion-MNIST beside the same-sized MLP autoencoder trained by
 * backprop, and a small network whose error comes from the spiking XOR motif itself (am/xormotif.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"

static const char usage_text[] =
    "Usage: xor-learn COMMAND [options]   (xor-learn COMMAND --help for each)\n"
    "  fashion  a binary autoencoder (784 -> hidden -> 784 step units) trained by the signed XOR error,\n"
    "           encoder by feedback alignment, beside the MLP autoencoder of the same size trained by backprop\n"
    "  loop     a small binary autoencoder whose error bits come from the spiking XOR motif, beside the\n"
    "           same network taught by the rate-level rule e = x - y\n"
    "Examples:\n"
    "  xor-learn fashion --epochs 10 --grid recon --out fashion.tsv\n"
    "  xor-learn loop --bg-rate 40 --out loop.tsv\n";

enum { R_FA, R_FIXED, R_BACKPROP, NRULES };
static const char *const rule_name[NRULES] = {"signed-xor-fa", "signed-xor-fixed", "backprop"};

static int parse_rules(const am_run *run, const char *s, int *use)
{
    char buf[256];
    const char *w[8];
    int n = am_parse_words(s, buf, sizeof buf, w, 8);
    memset(use, 0, NRULES * sizeof *use);
    for (int k = 0; k < n; k++) {
        int r = !strcmp(w[k], "fa") ? R_FA : !strcmp(w[k], "fixed") ? R_FIXED : !strcmp(w[k], "backprop") ? R_BACKPROP : -1;
        if (r < 0) {
            am_run_error(run, "--rules: %s is not fa, fixed or backprop", AM__QUOTE(w[k]));
            return -1;
        }
        use[r] = 1;
    }
    if (n < 1) {
        am_run_error(run, "--rules wants fa, fixed, backprop or several (comma-separated)");
        return -1;
    }
    return 0;
}

static void binarise(am_dataset *ds, double t)
{
    for (size_t k = 0; k < ds->count * ds->dim; k++)
        ds->x[k] = ds->x[k] > t ? 1.0f : 0.0f;
}

static uint64_t wrong_bits(const float *x, const float *y, size_t n)
{
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += (x[i] > 0.5f) != (y[i] > 0.5f);
    return w;
}

/* ---- fashion ---- */

typedef struct {
    am_binae *bin;
    am_ae *mlp;
    am_ae_trainer *tr;
} model;

static int errors_of(model *m, const am_dataset *ds, float *buf, uint64_t *wrong)
{
    if (m->bin)
        return am_binae_errors(m->bin, ds->x, ds->count, wrong);
    *wrong = 0;
    for (size_t r0 = 0; r0 < ds->count; r0 += 1000) {
        size_t b = ds->count - r0 < 1000 ? ds->count - r0 : 1000;
        int rc = am_ae_reconstruct(m->mlp, ds->x + r0 * ds->dim, b, buf);
        if (rc)
            return rc;
        *wrong += wrong_bits(ds->x + r0 * ds->dim, buf, b * ds->dim);
    }
    return AM_OK;
}

static int cmd_fashion(int argc, char **argv)
{
    static const char desc[] =
        "Fashion-MNIST binarised at --threshold. signed-xor-fa: the decoder learns V += lr e h^T from the\n"
        "signed XOR e = x - y of input and reconstruction, the encoder W += lr ((B e) * [|a| < 1]) x^T through a\n"
        "fixed random feedback matrix B (feedback alignment); no gradient is propagated. signed-xor-fixed: the\n"
        "decoder alone (a random fixed encoder), as a control. backprop: a sigmoid MLP autoencoder of the same\n"
        "sizes, binary cross-entropy, Adam (lr 1e-3), outputs thresholded at 0.5. Epoch 0 is before training.\n"
        "Columns: rule epoch train_bit_accuracy test_bit_accuracy test_wrong_bits_per_image. --grid PREFIX: test\n"
        "images (top row) and each rule's reconstructions (rows below) as PREFIX.png.\n";
    am_run run = {.examples = "xor-learn fashion --epochs 10 --hidden 1024 --grid recon --out fashion.tsv\nxor-learn fashion --limit 10000 --rules fa,fixed --epochs 3 --out quick.tsv",
                  .program = "xor-learn", .subcommand = "fashion", .summary = "A binary autoencoder taught only by the signed XOR error, beside backprop.",
                  .description = desc, .seed = 1};
    const char *dir = NULL, *rules_s = "fa,fixed,backprop", *grid = NULL;
    int limit = 0, test_limit = 0, epochs = 10, hidden = 1024, batch = 100;
    double lr = 0.05, lr_enc = 0.001, threshold = 0.5;
    am_opt opts[] = {
        {"data", AM_OPT_STRING, &dir, "DIR", "Fashion-MNIST folder (IDX .gz files as Debian ships them)"},
        {"limit", AM_OPT_INT, &limit, "N", "the first N training images (0: all 60000)"},
        {"test-limit", AM_OPT_INT, &test_limit, "N", "the first N test images (0: all 10000)"},
        {"threshold", AM_OPT_DOUBLE, &threshold, "T", "a pixel is 1 above T (pixels in [0, 1])"},
        {"epochs", AM_OPT_INT, &epochs, "E", "passes over the training images"},
        {"hidden", AM_OPT_INT, &hidden, "H", "hidden units"},
        {"batch", AM_OPT_INT, &batch, "B", "minibatch rows"},
        {"lr", AM_OPT_DOUBLE, &lr, "ETA", "learning rate of the signed XOR decoder"},
        {"lr-encoder", AM_OPT_DOUBLE, &lr_enc, "ETA", "learning rate of the feedback-alignment encoder"},
        {"rules", AM_OPT_STRING, &rules_s, "fa,fixed,backprop", "which learners"},
        {"grid", AM_OPT_STRING, &grid, "PREFIX", "reconstruction grid PREFIX.png"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    int use[NRULES];
    if (parse_rules(&run, rules_s, use))
        return 2;
    if (limit < 0 || test_limit < 0 || epochs < 0 || epochs > 10000 || hidden < 1 || hidden > 65536 || batch < 1 ||
        batch > 100000 || !(lr > 0 && lr <= 100) || !(lr_enc >= 0 && lr_enc <= 100) || !(threshold >= 0 && threshold < 1)) {
        am_run_error(&run, "out of range: --limit, --test-limit >= 0, --epochs 0 .. 10000, --hidden 1 .. 65536, --batch "
                           "1 .. 100000, --lr (0, 100], --threshold [0, 1)");
        return 2;
    }
    am_dataset *train = am_run_load_data(&run, dir, NULL, NULL, "train"), *test = train ? am_run_load_data(&run, dir, NULL, NULL, "test") : NULL, *sub;
    if (!train || !test) {
        am_dataset_free(train);
        return 2;
    }
    if (limit && (size_t)limit < train->count && !am_dataset_slice(&sub, train, 0, (size_t)limit)) {
        am_dataset_free(train);
        train = sub;
    }
    if (test_limit && (size_t)test_limit < test->count && !am_dataset_slice(&sub, test, 0, (size_t)test_limit)) {
        am_dataset_free(test);
        test = sub;
    }
    binarise(train, threshold);
    binarise(test, threshold);
    size_t dim = train->dim;
    FILE *out = am_run_open(&run);
    if (!out) {
        am_dataset_free(train);
        am_dataset_free(test);
        return 1;
    }
    double ones = 0;
    for (size_t k = 0; k < test->count * dim; k++)
        ones += test->x[k];
    ones /= (double)(test->count * dim);
    fprintf(out, "# data: %zu training and %zu test images of %zu pixels, binarised at %g; %.4f of test bits are 1 "
                 "(all-zero guess: bit accuracy %.4f)\n",
            train->count, test->count, dim, threshold, ones, 1 - ones);
    fprintf(out, "# network: %zu -> %d -> %zu, minibatches of %d; signed XOR rules: decoder lr %g, encoder lr %g\n", dim, hidden,
            dim, batch, lr, lr_enc);
    fprintf(out, "rule\tepoch\ttrain_bit_accuracy\ttest_bit_accuracy\ttest_wrong_bits_per_image\n");
    size_t show = test->count < 10 ? test->count : 10;
    float *tiles = calloc((NRULES + 1) * show * dim, sizeof *tiles), *xb = malloc((size_t)batch * dim * sizeof *xb),
          *buf = malloc(1000 * dim * sizeof *buf);
    am_batches bt = {0};
    int nrows = 1;
    if (!tiles || !xb || !buf || am_batches_init(&bt, train->count, (size_t)batch)) {
        rc = AM_ENOMEM;
        goto fail;
    }
    memcpy(tiles, test->x, show * dim * sizeof *tiles);
    am_progress prog;
    size_t total = 0;
    for (int r = 0; r < NRULES; r++)
        total += use[r] ? (size_t)epochs : 0;
    am_progress_start(&prog, &run, total);
    size_t done = 0;
    for (int r = 0; r < NRULES && !rc; r++) {
        if (!use[r])
            continue;
        model m = {0};
        am_rng init;
        am_rng_init(&init, run.seed, 1000 + (uint64_t)r);
        if (r == R_BACKPROP) {
            am_ae_config cfg;
            char sizes[64];
            snprintf(sizes, sizeof sizes, "%zu,%d,%zu", dim, hidden, dim);
            am_ae_train_opts o;
            am_ae_train_opts_default(&o);
            o.batch = (size_t)batch;
            o.threads = run.threads;
            if (!(rc = am_ae_config_parse(&cfg, sizes, "sigmoid", NULL, "sigmoid", "bce")) && !(rc = am_ae_create(&m.mlp, &cfg, &init)))
                rc = am_ae_trainer_create(&m.tr, m.mlp, &o);
        } else if (!(rc = am_binae_create(&m.bin, dim, (size_t)hidden, (size_t)batch, r == R_FA ? AM_BINAE_FA : AM_BINAE_FIXED, &init)))
            am_binae_set_threads(m.bin, run.threads);
        for (int e = 0; e <= epochs && !rc; e++) {
            if (e > 0) {
                am_rng order;
                am_rng_init(&order, run.seed, (uint64_t)e);
                if (m.tr)
                    rc = am_ae_train_epoch(m.tr, train, &order, NULL, NULL, NULL);
                else {
                    am_batches_shuffle(&bt, &order);
                    size_t b;
                    while (!rc && (b = am_batches_next(&bt, train, xb, NULL, NULL)))
                        rc = am_binae_step(m.bin, xb, b, NULL, lr, lr_enc, NULL);
                }
                am_progress_update(&prog, ++done, "%s epoch %d", rule_name[r], e);
            }
            uint64_t wtr = 0, wte = 0;
            if (!rc)
                rc = errors_of(&m, train, buf, &wtr);
            if (!rc)
                rc = errors_of(&m, test, buf, &wte);
            if (!rc)
                fprintf(out, "%s\t%d\t%.5f\t%.5f\t%.2f\n", rule_name[r], e, 1 - (double)wtr / (double)(train->count * dim),
                        1 - (double)wte / (double)(test->count * dim), (double)wte / (double)test->count);
        }
        if (!rc && grid) {
            float *dst = tiles + (size_t)nrows * show * dim;
            rc = m.bin ? am_binae_reconstruct(m.bin, test->x, show, dst, NULL) : am_ae_reconstruct(m.mlp, test->x, show, dst);
            if (m.mlp)
                for (size_t k = 0; k < show * dim; k++)
                    dst[k] = dst[k] > 0.5f ? 1.0f : 0.0f;
            nrows++;
        }
        am_binae_free(m.bin);
        am_ae_trainer_free(m.tr);
        am_ae_free(m.mlp);
    }
    am_progress_end(&prog, "done");
    if (rc)
        goto fail;
    if (grid && dim == 784) {
        /* rows: the binarised test images, then one row of reconstructions per rule; columns = images (the
         * grid wants tiles row by row) */
        const char *rows[NRULES + 1] = {"test image"};
        for (int r = 0, k = 1; r < NRULES; r++)
            if (use[r])
                rows[k++] = rule_name[r];
        if (am_image_grid(&run, grid, tiles, (size_t)nrows, show, 28, 28, NULL, rows,
                          "binarised test images and their reconstructions")) {
            am_run_abort(&run, out);
            rc = -1;
        }
    }
    am_batches_free(&bt);
    free(tiles), free(xb), free(buf);
    am_dataset_free(train);
    am_dataset_free(test);
    if (rc)
        return 1;
    return am_run_close(&run, out) ? 1 : 0;
fail:
    am_run_error(&run, "%s", am_strerror(rc));
    am_run_abort(&run, out);
    am_batches_free(&bt);
    free(tiles), free(xb), free(buf);
    am_dataset_free(train);
    am_dataset_free(test);
    return 1;
}

/* ---- loop: the spiking motif provides the error ---- */

typedef struct {
    const am_xor_params *p;
    const float *x, *y;
    float *e;
    uint64_t seed, base;
} circuit_ctx;

static int circuit_bit(size_t i, int thread, void *vctx)
{
    (void)thread;
    circuit_ctx *c = vctx;
    uint64_t k[AM_XOR_ROLES];
    int rc = am_xor_trial(c->p, c->x[i], c->y[i], am_rng_stream2(c->seed, c->base + i), k, NULL);
    c->e[i] = (float)am_xor_signed_bit(c->p, k);
    return rc;
}

static int cmd_loop(int argc, char **argv)
{
    static const char desc[] =
        "P random binary patterns of N bits (each bit 1 with probability 1/2) learnt by an N -> H -> N binary\n"
        "autoencoder (signed XOR rule, feedback alignment, full batch) twice from the same start: once with the\n"
        "error computed, e = x - y, once with each error bit read from a spiking XOR motif (am/xormotif.h) driven\n"
        "by the input bit (signal) and the reconstructed bit (reference): e = +1 when F+ fires, -1 when F- fires.\n"
        "--bg-rate adds Poisson background to the motif's inputs, so it sometimes errs. Columns: epoch\n"
        "rate_bit_accuracy circuit_bit_accuracy agreement (share of the circuit's error bits equal to x - y in\n"
        "that epoch) circuit_trials.\n";
    am_run run = {.examples = "xor-learn loop --out loop.tsv\nxor-learn loop --bg-rate 40 --epochs 60 --out loop-noisy.tsv",
                  .program = "xor-learn", .subcommand = "loop", .summary = "The spiking XOR motif in the learning loop.",
                  .description = desc, .seed = 1};
    int n = 16, hidden = 32, p = 8, epochs = 40;
    double lr = 0.1;
    am_xor_params xp;
    am_xor_params_default(&xp);
    am_opt opts[] = {
        {"N", AM_OPT_INT, &n, "N", "bits per pattern"},
        {"P", AM_OPT_INT, &p, "P", "patterns"},
        {"hidden", AM_OPT_INT, &hidden, "H", "hidden units"},
        {"epochs", AM_OPT_INT, &epochs, "E", "full-batch steps"},
        {"lr", AM_OPT_DOUBLE, &lr, "ETA", "learning rate"},
        {"bg-rate", AM_OPT_DOUBLE, &xp.bg_rate, "HZ", "Poisson background on the motif's inputs"},
        {"bg-weight", AM_OPT_DOUBLE, &xp.bg_weight, "W", "weight of each background event"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (n < 1 || n > 4096 || p < 1 || p > 4096 || hidden < 1 || hidden > 65536 || epochs < 0 || epochs > 100000 ||
        !(lr > 0 && lr <= 100) || am_xor_params_check(&xp)) {
        am_run_error(&run, "out of range: --N, --P 1 .. 4096, --hidden 1 .. 65536, --epochs 0 .. 100000, --lr (0, 100], "
                           "--bg-rate >= 0");
        return 2;
    }
    size_t nb = (size_t)n * (size_t)p;
    float *x = malloc(nb * sizeof *x), *y = malloc(nb * sizeof *y), *e = malloc(nb * sizeof *e), *ey = malloc(nb * sizeof *ey);
    am_binae *a = NULL, *b = NULL;
    am_rng r1, r2, pat;
    am_rng_init(&pat, run.seed, 0);
    am_rng_init(&r1, run.seed, 1);
    am_rng_init(&r2, run.seed, 1);
    if (!x || !y || !e || !ey) {
        rc = AM_ENOMEM;
    } else {
        for (size_t k = 0; k < nb; k++)
            x[k] = (float)(am_rng_u64(&pat) >> 63);
        if (!(rc = am_binae_create(&a, (size_t)n, (size_t)hidden, (size_t)p, AM_BINAE_FA, &r1)))
            rc = am_binae_create(&b, (size_t)n, (size_t)hidden, (size_t)p, AM_BINAE_FA, &r2);
    }
    FILE *out = rc ? NULL : am_run_open(&run);
    if (!out) {
        if (rc)
            am_run_error(&run, "%s", am_strerror(rc));
        free(x), free(y), free(e), free(ey);
        am_binae_free(a), am_binae_free(b);
        return 1;
    }
    am_binae_set_threads(a, 1);
    am_binae_set_threads(b, 1);
    fprintf(out, "# %d patterns of %d bits, %d hidden units, lr %g; motif background %g Hz x %g\n", p, n, hidden, lr, xp.bg_rate,
            xp.bg_weight);
    fprintf(out, "epoch\trate_bit_accuracy\tcircuit_bit_accuracy\tagreement\tcircuit_trials\n");
    uint64_t trials = 0;
    for (int ep = 0; ep <= epochs && !rc; ep++) {
        uint64_t wa = 0, wb = 0, agree = 0;
        if ((rc = am_binae_errors(a, x, (size_t)p, &wa)) || (rc = am_binae_errors(b, x, (size_t)p, &wb)))
            break;
        double agreement = NAN;
        if (ep < epochs) {
            /* the circuit network's error: one motif trial per bit */
            if ((rc = am_binae_reconstruct(b, x, (size_t)p, y, NULL)))
                break;
            circuit_ctx c = {&xp, x, y, e, run.seed, trials + 1000000};
            if ((rc = am_run_parallel(&run, nb, circuit_bit, &c)))
                break;
            trials += nb;
            am_signed_xor(x, y, nb, ey);
            for (size_t k = 0; k < nb; k++)
                agree += e[k] == ey[k];
            agreement = (double)agree / (double)nb;
            if ((rc = am_binae_step(a, x, (size_t)p, NULL, lr, lr, NULL)) || (rc = am_binae_step(b, x, (size_t)p, e, lr, lr, NULL)))
                break;
        }
        fprintf(out, "%d\t%.5f\t%.5f\t%.5f\t%llu\n", ep, 1 - (double)wa / (double)nb, 1 - (double)wb / (double)nb, agreement,
                (unsigned long long)trials);
    }
    free(x), free(y), free(e), free(ey);
    am_binae_free(a), am_binae_free(b);
    if (rc) {
        am_run_error(&run, "%s", am_strerror(rc));
        am_run_abort(&run, out);
        return 1;
    }
    return am_run_close(&run, out) ? 1 : 0;
}

int main(int argc, char **argv)
{
    static const am_subcommand cmds[] = {{"fashion", cmd_fashion}, {"loop", cmd_loop}, {NULL, NULL}};
    return am_run_subcommands(argc, argv, "xor-learn", usage_text, cmds, NULL);
}
