/* bin/latent-recall — the engram pipeline on real images: encode M training images, keep their latent codes
 * in a store (classical, dense or modern), cue it with corrupted views of those images, recall, decode, and
 * measure whether the right item (and class) came back and how close the decoded image is. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"

#define MAX_LIST 32

static const char description[] =
    "Pipeline: image -> encoder -> latent z -> code c -> store; cue image -> encoder -> code -> recall ->\n"
    "decode code -> latent -> decoder -> image. The stored images are the first M of a seeded permutation of\n"
    "the training split (so the sets for increasing M are nested); each cue picks a stored target at random.\n"
    "Encoder: --encoder FILE (autoencoder train), or a PCA with --pca-k components fitted here. Codes are\n"
    "fitted on the first --fit training images (am/latent.h): continuous (modern store only), sign or topk\n"
    "(+-1; --bits units, a random projection when different from the latent size; topk: --topk active).\n"
    "The modern store keeps codes scaled to unit norm and is cued with the unit-norm cue code; the recalled\n"
    "direction is given the cue code's norm back before decoding. Items are identified by cosine similarity\n"
    "(for +-1 codes: Hamming distance).\n"
    "Corruptions (--corrupt, comma-separated): noise:S (Gaussian pixel noise of sd S, clipped to [0, 1]),\n"
    "occlude:B (a BxB block at a random place set to 0), class (a random test image of the target's class:\n"
    "only class recall is meaningful there). Cue streams depend on (--seed, corruption, M, cue) only, so every\n"
    "store and code sees the same cues; recall streams depend on (--seed, store model, M, corruption, cue), so\n"
    "results do not depend on the order of the --store and --code lists or on --threads.\n"
    "\n"
    "Columns (one row per store, code, M and corruption):\n"
    "  store code bits M corruption level cues   the configuration\n"
    "  item_recall      fraction of cues whose recalled state is most similar to the target's code\n"
    "  class_recall     fraction whose nearest stored item has the target's class\n"
    "  mse_recalled     pixel MSE of the decoded recalled state against the target image\n"
    "  item_nn class_nn the same two fractions for the cue's own code, without the store (nearest neighbour)\n"
    "  mse_cue          pixel MSE of the decoded cue code (what the decoder gives without memory)\n"
    "  mse_code         pixel MSE of the decoded exact target code (the code's floor)\n"
    "  mse_ae           pixel MSE of the encoder+decoder reconstruction of the target (the front-end's floor)\n"
    "  steps_mean       mean recall steps (sweeps; modern: updates)\n";

typedef struct corr {
    int kind; /* 0 noise, 1 occlude, 2 class */
    double level;
    char name[16];
} corr;

typedef struct cfg {
    am_model stores[3];
    int nstores;
    am_code_kind codes[3];
    int ncodes;
    size_t ms[MAX_LIST];
    int nm;
    corr corrs[MAX_LIST];
    int ncorr;
    size_t cues, bits, topk, fit;
    am_rule rule;
    am_dense_f f;
    int degree;
    double beta;
    unsigned max_steps;
} cfg;

/* Everything the recall jobs of one (store, code, M, corruption) share. */
typedef struct job {
    const am_store *store;
    am_store_work **work;
    am_model model;
    size_t bits, n;
    const float *cue;  /* n x bits codes of the cues */
    float *rec;        /* n x bits recalled codes (out) */
    unsigned *steps;
    uint64_t seed, stream;
    unsigned max_steps;
} job;

static int recall_one(size_t i, int thread, void *ctx)
{
    job *j = ctx;
    am_recall_opts o;
    am_recall_info info;
    am_recall_opts_default(&o);
    o.max_steps = j->max_steps;
    am_rng rng;
    am_rng_init(&rng, j->seed, am_rng_stream2(j->stream, i));
    const float *c = j->cue + i * j->bits;
    float *r = j->rec + i * j->bits;
    int rc;
    if (j->model == AM_MODEL_MODERN) {
        /* Unit-norm cue against unit-norm patterns; the recalled direction takes the cue's norm back. */
        double nrm = 0;
        for (size_t k = 0; k < j->bits; k++)
            nrm += (double)c[k] * c[k];
        float s = nrm > 0 ? (float)sqrt(nrm) : 1.0f;
        for (size_t k = 0; k < j->bits; k++)
            r[k] = c[k] / s;
        rc = am_store_recall_real(j->store, r, &o, &rng, j->work[thread], &info);
        for (size_t k = 0; k < j->bits; k++)
            r[k] *= s;
    } else {
        int8_t s[16384];
        for (size_t k = 0; k < j->bits; k++)
            s[k] = c[k] > 0 ? 1 : -1;
        rc = am_store_recall(j->store, s, &o, &rng, j->work[thread], &info);
        for (size_t k = 0; k < j->bits; k++)
            r[k] = s[k];
    }
    j->steps[i] = info.steps;
    return rc;
}

/* Index of the stored code (m rows) most similar to v by cosine: for +-1 codes, the one at the smallest
 * Hamming distance. */
static size_t nearest(const float *codes, size_t m, size_t bits, const float *v)
{
    size_t best = 0;
    double bs = -INFINITY;
    for (size_t mu = 0; mu < m; mu++) {
        double d = 0, n = 0;
        const float *x = codes + mu * bits;
        for (size_t k = 0; k < bits; k++) {
            d += (double)x[k] * v[k];
            n += (double)x[k] * x[k];
        }
        d = n > 0 ? d / sqrt(n) : 0;
        if (d > bs) {
            bs = d;
            best = mu;
        }
    }
    return best;
}

static double mse(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return s / (double)n;
}

static int parse_corruptions(const char *s, cfg *c, size_t rows, size_t cols)
{
    char buf[1024];
    const char *w[MAX_LIST];
    int n = am_parse_words(s, buf, sizeof buf, w, MAX_LIST);
    if (n <= 0)
        return -1;
    for (int k = 0; k < n; k++) {
        corr *x = &c->corrs[k];
        char *end;
        if (!strcmp(w[k], "class")) {
            x->kind = 2;
            x->level = 0;
        } else if (!strncmp(w[k], "noise:", 6)) {
            x->kind = 0;
            x->level = strtod(w[k] + 6, &end);
            if (*end || !(x->level >= 0) || x->level > 10)
                return -1;
        } else if (!strncmp(w[k], "occlude:", 8)) {
            x->kind = 1;
            x->level = strtod(w[k] + 8, &end);
            if (*end || x->level < 0 || x->level != floor(x->level) || x->level > (double)(rows < cols ? rows : cols))
                return -1;
        } else {
            return -1;
        }
        snprintf(x->name, sizeof x->name, "%s", x->kind == 0 ? "noise" : x->kind == 1 ? "occlude" : "class");
    }
    c->ncorr = n;
    return 0;
}

/* The cue image for target image x (dim pixels). */
static void make_cue(const corr *c, const float *x, const am_dataset *test, const uint32_t *by_class,
                     const size_t *class_start, int label, size_t rows, size_t cols, am_rng *rng, float *out)
{
    size_t dim = rows * cols;
    if (c->kind == 2) {
        size_t n = class_start[label + 1] - class_start[label];
        uint32_t pick = by_class[class_start[label] + am_rng_below(rng, n)];
        memcpy(out, test->x + (size_t)pick * dim, dim * sizeof *out);
        return;
    }
    memcpy(out, x, dim * sizeof *out);
    if (c->kind == 0) {
        for (size_t i = 0; i < dim; i++) {
            float v = out[i] + (float)(c->level * am_rng_normal(rng));
            out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
    } else {
        size_t b = (size_t)c->level, r0 = am_rng_below(rng, rows - b + 1), c0 = am_rng_below(rng, cols - b + 1);
        for (size_t r = r0; r < r0 + b; r++)
            for (size_t q = c0; q < c0 + b; q++)
                out[r * cols + q] = 0;
    }
}

int main(int argc, char **argv)
{
    am_run run = {.program = "latent-recall",
                  .summary = "Store encoded images in a memory, cue with corrupted views, recall and decode.",
                  .description = description,
                  .seed = 1};
    const char *dir = NULL, *encoder = NULL, *stores = "hopfield,dense,modern", *codes = "sign,continuous",
               *ms = "10,100,1000", *corrs = "noise:0.3,occlude:14,class", *rule = "hebb", *fname = "poly",
               *grid = NULL;
    int pca_k = 64, cues = 200, bits = 0, topk = 0, fit = 10000, degree = 3, max_steps = 100, grid_rows = 6;
    double beta = 100;
    am_opt opts[] = {
        {"data", AM_OPT_STRING, &dir, "DIR", "Fashion-MNIST folder (default: Debian's)"},
        {"encoder", AM_OPT_STRING, &encoder, "FILE", "trained encoder (autoencoder train); default: fit a PCA"},
        {"pca-k", AM_OPT_INT, &pca_k, "K", "PCA components when no --encoder is given"},
        {"fit", AM_OPT_INT, &fit, "N", "training images used to fit the PCA and the codes"},
        {"store", AM_OPT_STRING, &stores, "LIST", "stores: hopfield, dense, modern"},
        {"code", AM_OPT_STRING, &codes, "LIST", "codes: sign, topk, continuous (modern store only)"},
        {"bits", AM_OPT_INT, &bits, "B", "units of binary codes (0: the latent size)"},
        {"topk", AM_OPT_INT, &topk, "K", "active units of topk codes (0: bits / 8)"},
        {"M", AM_OPT_STRING, &ms, "LIST", "numbers of stored images"},
        {"corrupt", AM_OPT_STRING, &corrs, "LIST", "cue corruptions: noise:S, occlude:B, class"},
        {"cues", AM_OPT_INT, &cues, "C", "cues per store, code, M and corruption"},
        {"rule", AM_OPT_STRING, &rule, "R", "hopfield learning rule: hebb, storkey, pinv"},
        {"F", AM_OPT_STRING, &fname, "F", "dense separation function: poly, rectpoly, exp"},
        {"degree", AM_OPT_INT, &degree, "n", "dense: degree of poly/rectpoly"},
        {"beta", AM_OPT_DOUBLE, &beta, "B", "modern: inverse temperature"},
        {"max-steps", AM_OPT_INT, &max_steps, "S", "recall step limit"},
        {"grid", AM_OPT_STRING, &grid, "PREFIX", "draw PREFIX.png: cue | recalled | original per corruption "
                                                  "(first store and code, largest M)"},
        {"grid-rows", AM_OPT_INT, &grid_rows, "R", "examples in the grid"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;

    /* Validate everything before any output. */
    cfg c;
    memset(&c, 0, sizeof c);
    {
        char buf[256];
        const char *w[8];
        int n = am_parse_words(stores, buf, sizeof buf, w, 3);
        for (int k = 0; k < n; k++)
            if (am_model_parse(w[k], &c.stores[k]))
                n = -1;
        if (n <= 0) {
            am_run_error(&run, "--store takes a list of hopfield, dense, modern");
            return 2;
        }
        c.nstores = n;
        n = am_parse_words(codes, buf, sizeof buf, w, 3);
        for (int k = 0; k < n; k++)
            if (am_code_kind_parse(w[k], &c.codes[k]))
                n = -1;
        if (n <= 0) {
            am_run_error(&run, "--code takes a list of sign, topk, continuous");
            return 2;
        }
        c.ncodes = n;
    }
    int combos = 0;
    for (int a = 0; a < c.nstores; a++)
        for (int b = 0; b < c.ncodes; b++)
            combos += c.codes[b] != AM_CODE_CONTINUOUS || c.stores[a] == AM_MODEL_MODERN;
    if (!combos) {
        am_run_error(&run, "continuous codes go only to the modern store: add --store modern or a binary --code");
        return 2;
    }
    uint64_t mv[MAX_LIST];
    c.nm = am_parse_u64_list(ms, mv, MAX_LIST);
    for (int k = 0; k < c.nm; k++)
        if (mv[k] < 1 || mv[k] > 60000)
            c.nm = -1;
    if (c.nm <= 0) {
        am_run_error(&run, "--M takes a list of numbers in 1..60000");
        return 2;
    }
    for (int k = 0; k < c.nm; k++)
        c.ms[k] = (size_t)mv[k];
    if (am_rule_parse(rule, &c.rule) || am_dense_f_parse(fname, &c.f)) {
        am_run_error(&run, "unknown --rule or --F");
        return 2;
    }
    if (pca_k < 1 || fit < 2 || cues < 1 || bits < 0 || bits > 16384 || topk < 0 || degree < 1 || !(beta > 0) ||
        max_steps < 1 || grid_rows < 1 || grid_rows > 50) {
        am_run_error(&run, "need --pca-k >= 1, --fit >= 2, --cues >= 1, 0 <= --bits <= 16384, --topk >= 0, "
                           "--degree >= 1, --beta > 0, --max-steps >= 1, 1 <= --grid-rows <= 50");
        return 2;
    }
    c.cues = (size_t)cues;
    c.bits = (size_t)bits;
    c.topk = (size_t)topk;
    c.degree = degree;
    c.beta = beta;
    c.max_steps = (unsigned)max_steps;

    am_dataset *train = am_run_load_data(&run, dir, NULL, NULL, "train");
    am_dataset *test = train ? am_run_load_data(&run, dir, NULL, NULL, "test") : NULL;
    if (!test) {
        am_dataset_free(train);
        return 1;
    }
    size_t dim = train->dim, rows = train->rows, cols = train->cols;
    if (parse_corruptions(corrs, &c, rows, cols)) {
        am_run_error(&run, "--corrupt takes a list of noise:S (0..10), occlude:B (0..%zu), class", rows);
        goto fail_data;
    }
    if (!train->labels || !test->labels || test->dim != dim) {
        am_run_error(&run, "the data needs labels and test images of the training images' size");
        goto fail_data;
    }
    size_t mmax = 0;
    for (int k = 0; k < c.nm; k++)
        mmax = c.ms[k] > mmax ? c.ms[k] : mmax;
    if (mmax > train->count || (size_t)fit > train->count) {
        am_run_error(&run, "--M and --fit must not exceed the %zu training images", train->count);
        goto fail_data;
    }
    c.fit = (size_t)fit;

    /* The front-end. */
    am_encoder *enc = NULL;
    if (encoder) {
        if ((rc = am_encoder_load(&enc, encoder))) {
            am_run_error(&run, "cannot load encoder '%s': %s", encoder, am_strerror(rc));
            goto fail_data;
        }
        if (am_encoder_input_dim(enc) != dim) {
            am_run_error(&run, "encoder '%s' takes %zu inputs, the images have %zu", encoder,
                         am_encoder_input_dim(enc), dim);
            goto fail_enc;
        }
    } else {
        am_pca *p;
        if ((size_t)pca_k > dim || (rc = am_pca_fit(&p, train->x, c.fit, dim, (size_t)pca_k)) ||
            (rc = am_encoder_from_pca(&enc, p))) {
            am_run_error(&run, "PCA fit failed (--pca-k %d, at most %zu): %s", pca_k, dim, am_strerror(rc));
            goto fail_data;
        }
    }
    size_t zd = am_encoder_code_dim(enc);
    if (c.bits && c.bits != zd)
        for (int b = 0; b < c.ncodes; b++)
            if (c.codes[b] == AM_CODE_CONTINUOUS) {
                am_run_error(&run, "continuous codes have the latent's %zu units; --bits %zu applies to binary codes "
                                   "only: run them separately",
                             zd, c.bits);
                goto fail_enc;
            }
    size_t B = c.bits ? c.bits : zd;
    if (c.topk >= B) {
        am_run_error(&run, "--topk must be below the %zu code units", B);
        goto fail_enc;
    }

    /* Stored items: the first M of a seeded permutation; the test images grouped by class. */
    uint32_t *perm = malloc(train->count * sizeof *perm), *by_class = malloc(test->count * sizeof *by_class);
    size_t class_start[257] = {0};
    float *zfit = malloc(c.fit * zd * sizeof *zfit), *zs = malloc(mmax * zd * sizeof *zs);
    float *xs = malloc(mmax * dim * sizeof *xs), *recon = malloc(mmax * dim * sizeof *recon);
    int *ls = malloc(mmax * sizeof *ls);
    size_t nc = c.cues;
    float *cimg = malloc(nc * dim * sizeof *cimg), *cz = malloc(nc * zd * sizeof *cz);
    float *cc = malloc(nc * B * sizeof *cc), *rcode = malloc(nc * B * sizeof *rcode), *scodes = malloc(mmax * B * sizeof *scodes);
    float *dz = malloc(nc * zd * sizeof *dz), *dimg = malloc(nc * dim * sizeof *dimg);
    float *tz = malloc(nc * zd * sizeof *tz), *timg = malloc(nc * dim * sizeof *timg);
    size_t *target = malloc(nc * sizeof *target);
    unsigned *steps = malloc(nc * sizeof *steps);
    size_t gcols = 3 * (size_t)c.ncorr;
    float *tiles = grid ? calloc((size_t)grid_rows * gcols * dim, sizeof *tiles) : NULL;
    am_store_work **work = calloc((size_t)run.threads, sizeof *work);
    if (!perm || !by_class || !zfit || !zs || !xs || !recon || !ls || !cimg || !cz || !cc || !rcode || !scodes || !dz ||
        !dimg || !tz || !timg || !target || !steps || !work || (grid && !tiles) || test->classes > 256) {
        am_run_error(&run, "out of memory");
        rc = 1;
        goto done;
    }
    {
        am_rng rng;
        am_rng_init(&rng, run.seed, 0);
        for (size_t i = 0; i < train->count; i++)
            perm[i] = (uint32_t)i;
        am_rng_shuffle_u32(&rng, perm, train->count);
        for (size_t i = 0; i < test->count; i++)
            class_start[test->labels[i] + 2]++;
        for (int k = 2; k < 257; k++)
            class_start[k] += class_start[k - 1];
        for (size_t i = 0; i < test->count; i++)
            by_class[class_start[test->labels[i] + 1]++] = (uint32_t)i;
        for (size_t mu = 0; mu < mmax; mu++) {
            memcpy(xs + mu * dim, train->x + (size_t)perm[mu] * dim, dim * sizeof *xs);
            ls[mu] = train->labels[perm[mu]];
            if (class_start[ls[mu] + 1] == class_start[ls[mu]]) {
                am_run_error(&run, "class %d has no test images for class cues", ls[mu]);
                rc = 1;
                goto done;
            }
        }
    }
    am_encoder_encode(enc, train->x, c.fit, zfit);
    am_encoder_encode(enc, xs, mmax, zs);
    am_encoder_decode(enc, zs, mmax, recon);

    FILE *out = am_run_open(&run);
    if (!out) {
        rc = 1;
        goto done;
    }
    {
        char desc[256];
        am_encoder_describe(enc, desc, sizeof desc);
        fprintf(out, "# encoder: %s%s%s; codes fitted on %zu training images\n", desc, encoder ? " from " : "",
                encoder ? encoder : "", c.fit);
        fprintf(out, "# stores: hopfield rule=%s; dense F=%s n=%d; modern beta=%g; max_steps=%u\n", am_rule_name(c.rule),
                am_dense_f_name(c.f), c.degree, c.beta, c.max_steps);
        fprintf(out, "store\tcode\tbits\tM\tcorruption\tlevel\tcues\titem_recall\tclass_recall\tmse_recalled\titem_nn\t"
                     "class_nn\tmse_cue\tmse_code\tmse_ae\tsteps_mean\n");
    }
    am_progress pg;
    am_progress_start(&pg, &run, (size_t)combos * (size_t)c.nm * (size_t)c.ncorr);
    size_t done_rows = 0;
    int gstore = 0; /* the first store that takes the first code */
    while (gstore < c.nstores && c.codes[0] == AM_CODE_CONTINUOUS && c.stores[gstore] != AM_MODEL_MODERN)
        gstore++;
    for (int b = 0; b < c.ncodes && !rc; b++) {
        am_code_config cc_cfg;
        am_code *code = NULL;
        am_rng crng;
        am_code_config_default(&cc_cfg, c.codes[b]);
        cc_cfg.bits = c.codes[b] == AM_CODE_CONTINUOUS ? 0 : B;
        cc_cfg.k = c.topk;
        am_rng_init(&crng, run.seed, 1);
        if ((rc = am_code_fit(&code, &cc_cfg, zfit, c.fit, zd, &crng))) {
            am_run_error(&run, "cannot fit the %s code: %s", am_code_kind_name(c.codes[b]), am_strerror(rc));
            break;
        }
        size_t bits_b = am_code_bits(code);
        am_code_encode(code, zs, mmax, scodes);
        /* Floor of the code: decode the exact codes of the stored items. */
        float *sdec_z = malloc(mmax * zd * sizeof *sdec_z), *sdec = malloc(mmax * dim * sizeof *sdec);
        if (!sdec_z || !sdec) {
            free(sdec_z);
            free(sdec);
            am_code_free(code);
            am_run_error(&run, "out of memory");
            rc = 1;
            break;
        }
        am_code_decode(code, scodes, mmax, sdec_z);
        am_encoder_decode(enc, sdec_z, mmax, sdec);
        for (int mi = 0; mi < c.nm && !rc; mi++) {
            size_t M = c.ms[mi];
            am_store *st[3] = {NULL, NULL, NULL};
            for (int a = 0; a < c.nstores && !rc; a++) {
                if (c.codes[b] == AM_CODE_CONTINUOUS && c.stores[a] != AM_MODEL_MODERN)
                    continue;
                am_store_config sc;
                am_store_config_default(&sc, c.stores[a], bits_b);
                sc.rule = c.rule;
                sc.f = c.f;
                sc.degree = c.degree;
                sc.beta = c.beta;
                if ((rc = am_store_create(&st[a], &sc)))
                    break;
                if (c.stores[a] == AM_MODEL_MODERN) {
                    float *v = malloc(M * bits_b * sizeof *v);
                    if (!v) {
                        rc = AM_ENOMEM;
                        break;
                    }
                    for (size_t mu = 0; mu < M; mu++) {
                        double nrm = 0;
                        for (size_t k = 0; k < bits_b; k++)
                            nrm += (double)scodes[mu * bits_b + k] * scodes[mu * bits_b + k];
                        for (size_t k = 0; k < bits_b; k++)
                            v[mu * bits_b + k] = nrm > 0 ? (float)(scodes[mu * bits_b + k] / sqrt(nrm)) : 0.0f;
                    }
                    rc = am_store_add_real(st[a], v, M);
                    free(v);
                } else {
                    am_patterns *p = NULL;
                    int8_t s8[16384];
                    if (!(rc = am_patterns_create(&p, bits_b, M))) {
                        for (size_t mu = 0; mu < M; mu++) {
                            for (size_t k = 0; k < bits_b; k++)
                                s8[k] = scodes[mu * bits_b + k] > 0 ? 1 : -1;
                            am_patterns_set(p, mu, s8);
                        }
                        rc = am_store_add(st[a], p);
                    }
                    am_patterns_free(p);
                }
            }
            if (rc) {
                am_run_error(&run, "cannot build the stores for M = %zu: %s", M, am_strerror(rc));
                for (int a = 0; a < 3; a++)
                    am_store_free(st[a]);
                break;
            }
            for (int ci = 0; ci < c.ncorr && !rc; ci++) {
                const corr *cr = &c.corrs[ci];
                /* Cues: the same for every store and code. */
                for (size_t i = 0; i < nc; i++) {
                    am_rng rng;
                    am_rng_init(&rng, run.seed, am_rng_stream2(2 + (uint64_t)ci, ((uint64_t)M << 24) | i));
                    target[i] = (size_t)am_rng_below(&rng, M);
                    make_cue(cr, xs + target[i] * dim, test, by_class, class_start, ls[target[i]], rows, cols, &rng,
                             cimg + i * dim);
                }
                am_encoder_encode(enc, cimg, nc, cz);
                am_code_encode(code, cz, nc, cc);
                /* Baselines without the store. */
                size_t item_nn = 0, class_nn = 0;
                double mse_cue = 0, mse_code = 0, mse_ae = 0;
                am_code_decode(code, cc, nc, tz);
                am_encoder_decode(enc, tz, nc, timg);
                for (size_t i = 0; i < nc; i++) {
                    size_t nn = nearest(scodes, M, bits_b, cc + i * bits_b);
                    item_nn += nn == target[i];
                    class_nn += ls[nn] == ls[target[i]];
                    mse_cue += mse(timg + i * dim, xs + target[i] * dim, dim);
                    mse_code += mse(sdec + target[i] * dim, xs + target[i] * dim, dim);
                    mse_ae += mse(recon + target[i] * dim, xs + target[i] * dim, dim);
                }
                for (int a = 0; a < c.nstores && !rc; a++) {
                    if (!st[a])
                        continue;
                    for (int t = 0; t < run.threads; t++) {
                        am_store_work_free(work[t]);
                        work[t] = NULL;
                        if ((rc = am_store_work_create(&work[t], st[a])))
                            break;
                    }
                    job j = {st[a], work, c.stores[a], bits_b, nc, cc, rcode, steps, run.seed,
                             am_rng_stream2(1000 + (uint64_t)c.stores[a], ((uint64_t)M << 24) | (uint64_t)ci), c.max_steps};
                    if (rc || (rc = am_run_parallel(&run, nc, recall_one, &j))) {
                        am_run_error(&run, "recall failed: %s", am_strerror(rc));
                        break;
                    }
                    am_code_decode(code, rcode, nc, dz);
                    am_encoder_decode(enc, dz, nc, dimg);
                    size_t item = 0, cls = 0;
                    double err = 0, st_sum = 0;
                    for (size_t i = 0; i < nc; i++) {
                        size_t nn = nearest(scodes, M, bits_b, rcode + i * bits_b);
                        item += nn == target[i];
                        cls += ls[nn] == ls[target[i]];
                        err += mse(dimg + i * dim, xs + target[i] * dim, dim);
                        st_sum += steps[i];
                    }
                    double inv = 1.0 / (double)nc;
                    fprintf(out, "%s\t%s\t%zu\t%zu\t%s\t%g\t%zu\t%.4f\t%.4f\t%.6f\t%.4f\t%.4f\t%.6f\t%.6f\t%.6f\t%.2f\n",
                            am_model_name(c.stores[a]), am_code_kind_name(c.codes[b]), bits_b, M, cr->name, cr->level,
                            nc, item * inv, cls * inv, err * inv, item_nn * inv, class_nn * inv, mse_cue * inv,
                            mse_code * inv, mse_ae * inv, st_sum * inv);
                    fflush(out);
                    am_progress_update(&pg, ++done_rows, "%s/%s M=%zu %s", am_model_name(c.stores[a]),
                                       am_code_kind_name(c.codes[b]), M, cr->name);
                    /* The grid: the first store and code listed, at the largest M. */
                    if (tiles && b == 0 && a == gstore && M == mmax) {
                        for (size_t r = 0; r < (size_t)grid_rows && r < nc; r++) {
                            float *row = tiles + r * gcols * dim + (size_t)ci * 3 * dim;
                            memcpy(row, cimg + r * dim, dim * sizeof *row);
                            memcpy(row + dim, dimg + r * dim, dim * sizeof *row);
                            memcpy(row + 2 * dim, xs + target[r] * dim, dim * sizeof *row);
                        }
                    }
                }
            }
            for (int a = 0; a < 3; a++)
                am_store_free(st[a]);
        }
        free(sdec_z);
        free(sdec);
        am_code_free(code);
    }
    am_progress_end(&pg, NULL);
    if (!rc && tiles) {
        const char **titles = calloc(gcols, sizeof *titles);
        char (*names)[40] = calloc(gcols, sizeof *names);
        char title[300];
        for (int ci = 0; titles && names && ci < c.ncorr; ci++) {
            snprintf(names[3 * ci], 40, "cue %s %g", c.corrs[ci].name, c.corrs[ci].level);
            if (c.corrs[ci].kind == 2)
                snprintf(names[3 * ci], 40, "cue: same class");
            snprintf(names[3 * ci + 1], 40, "recalled");
            snprintf(names[3 * ci + 2], 40, "original");
            for (int q = 0; q < 3; q++)
                titles[3 * ci + q] = names[3 * ci + q];
        }
        snprintf(title, sizeof title, "%s store, %s code (%zu units), M = %zu", am_model_name(c.stores[gstore]),
                 am_code_kind_name(c.codes[0]), c.codes[0] == AM_CODE_CONTINUOUS ? zd : B, mmax);
        if (!titles || !names || am_image_grid(&run, grid, tiles, (size_t)grid_rows, gcols, rows, cols, titles, title))
            rc = 1;
        free(titles);
        free(names);
    }
    if (am_run_close(&run, out))
        rc = 1;
done:
    for (int t = 0; work && t < run.threads; t++)
        am_store_work_free(work[t]);
    free(work);
    free(perm);
    free(by_class);
    free(zfit);
    free(zs);
    free(xs);
    free(recon);
    free(ls);
    free(cimg);
    free(cz);
    free(cc);
    free(rcode);
    free(scodes);
    free(dz);
    free(dimg);
    free(tz);
    free(timg);
    free(target);
    free(steps);
    free(tiles);
    am_encoder_free(enc);
    am_dataset_free(train);
    am_dataset_free(test);
    return rc ? 1 : 0;
fail_enc:
    am_encoder_free(enc);
fail_data:
    am_dataset_free(train);
    am_dataset_free(test);
    return 2;
}
