/* bin/latent-recall — the engram pipeline on real images: encode M training images, keep their latent codes
 * in a store (classical, dense or modern), cue it with corrupted views of those images, recall, decode, and
 * measure whether the right item (and class) came back and how close the decoded image is. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"

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
    "  steps_mean       mean recall steps (sweeps; modern: updates)\n"
    "An encoder that does not decode (a convolutional classifier-encoder, am/cnn.h) is measured in its code\n"
    "space only: the four mse columns are nan, and the grid's middle column shows the stored image nearest to\n"
    "the recalled state (the item the memory names) instead of a decoding.\n";

typedef struct corr {
    int kind; /* 0 noise, 1 occlude, 2 class */
    double level;
    char name[16];
} corr;

typedef struct cfg {
    am_store_config stores[3]; /* n set per code */
    int nstores;
    am_code_kind codes[3];
    int ncodes;
    size_t ms[MAX_LIST];
    int nm;
    corr corrs[MAX_LIST];
    int ncorr;
    size_t cues, bits, topk, fit;
    unsigned max_steps;
} cfg;

/* Everything the recall calls of one (store, code, M, corruption) share. */
typedef struct job {
    const am_store *store;
    am_store_work **work;
    int real; /* the store holds real vectors (AM_STORE_REAL) */
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
    if (j->real) {
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
    static const char *const kinds[] = {"noise", "occlude", "class", NULL};
    int kind[MAX_LIST];
    double level[MAX_LIST];
    int n = am_parse_kv_list(s, kinds, kind, level, MAX_LIST);
    if (n <= 0)
        return -1;
    for (int k = 0; k < n; k++) {
        corr *x = &c->corrs[k];
        x->kind = kind[k];
        x->level = level[k];
        if (x->kind == 2) {
            if (x->level == x->level) /* class takes no value */
                return -1;
            x->level = 0;
        } else if (x->level != x->level) {
            return -1; /* noise and occlude need one */
        } else if (x->kind == 0 && !(x->level >= 0 && x->level <= 10)) {
            return -1;
        } else if (x->kind == 1 && (!(x->level >= 0) || x->level != floor(x->level) ||
                                    x->level > (double)(rows < cols ? rows : cols))) {
            return -1;
        }
        snprintf(x->name, sizeof x->name, "%s", kinds[x->kind]);
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


/* One row's measures for one store (the baselines are the same for every store of a cell). */
typedef struct row {
    uint64_t present, item, cls, item_nn, class_nn;
    double err, steps, mse_cue, mse_code, mse_ae;
} row;

/* A job: one (code, M, corruption) cell, rows for every store that takes the code. */
typedef struct cell_result {
    row r[3];
} cell_result;

/* What every cell reads, fixed before the jobs start (the same on every MPI rank). */
typedef struct world {
    const cfg *c;
    am_run *run;
    const am_dataset *test;
    am_encoder *enc;
    size_t dim, rows, cols, zd, mmax;
    int decodes;               /* the encoder decodes (else: no mse columns, no decoded images) */
    const float *xs, *recon;   /* mmax stored images and their reconstructions (when decodes) */
    const int *ls;             /* their labels */
    const uint32_t *by_class;
    const size_t *class_start;
    am_code *codes[3];         /* fitted per --code */
    float *scodes[3], *sdec[3]; /* stored items' codes and their decodings, per code */
    /* per-cell scratch, nc cues */
    float *cimg, *cz, *cc, *rcode, *dz, *dimg, *tz, *timg;
    size_t *target;
    unsigned *steps;
    am_store_work **work;
    /* the stores of the last (code, M) built, reused by the next cell of the same pair */
    am_store *st[3];
    int st_b, st_mi;
    /* grid: when set, the cell fills cue | recalled | original tiles of store gstore */
    float *tiles;
    int gstore, grid_rows;
} world;

static void free_stores(world *w)
{
    for (int a = 0; a < 3; a++) {
        am_store_free(w->st[a]);
        w->st[a] = NULL;
    }
    w->st_b = w->st_mi = -1;
}

static int build_stores(world *w, int b, int mi)
{
    const cfg *c = w->c;
    size_t M = c->ms[mi], bits_b = am_code_bits(w->codes[b]);
    const float *scodes = w->scodes[b];
    int rc = 0;
    if (w->st_b == b && w->st_mi == mi)
        return 0;
    free_stores(w);
    for (int a = 0; a < c->nstores && !rc; a++) {
        int real = am_store_type_flags(c->stores[a].type) & AM_STORE_REAL;
        if (c->codes[b] == AM_CODE_CONTINUOUS && !real)
            continue;
        am_store_config sc = c->stores[a];
        sc.n = bits_b;
        if ((rc = am_store_create(&w->st[a], &sc)))
            break;
        if (real) {
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
            rc = am_store_add_real(w->st[a], v, M);
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
                rc = am_store_add(w->st[a], p);
            }
            am_patterns_free(p);
        }
    }
    if (rc)
        free_stores(w);
    else
        w->st_b = b, w->st_mi = mi;
    return rc;
}

/* The relative work of a cell: its cues recalled against M stored images (plus decoding them). */
static double cell_cost(size_t index, void *ctx)
{
    const world *w = ctx;
    const cfg *c = w->c;
    size_t M = c->ms[index / (size_t)c->ncorr % (size_t)c->nm];
    return (double)c->cues * ((double)M + (double)w->dim);
}

static int run_cell(size_t index, int thread, void *result, void *ctx)
{
    world *w = ctx;
    const cfg *c = w->c;
    cell_result *out = result;
    int ci = (int)(index % (size_t)c->ncorr), mi = (int)(index / (size_t)c->ncorr % (size_t)c->nm);
    int b = (int)(index / ((size_t)c->ncorr * (size_t)c->nm));
    size_t M = c->ms[mi], nc = c->cues, dim = w->dim, bits_b = am_code_bits(w->codes[b]);
    const corr *cr = &c->corrs[ci];
    const float *scodes = w->scodes[b];
    am_code *code = w->codes[b];
    int rc;
    (void)thread;
    if ((rc = build_stores(w, b, mi)))
        return rc;
    /* Cues: the same for every store and code. */
    for (size_t i = 0; i < nc; i++) {
        am_rng rng;
        am_rng_init(&rng, w->run->seed, am_rng_stream2(2 + (uint64_t)ci, ((uint64_t)M << 24) | i));
        w->target[i] = (size_t)am_rng_below(&rng, M);
        make_cue(cr, w->xs + w->target[i] * dim, w->test, w->by_class, w->class_start, w->ls[w->target[i]], w->rows,
                 w->cols, &rng, w->cimg + i * dim);
    }
    if ((rc = am_encoder_encode(w->enc, w->cimg, nc, w->cz)) || (rc = am_code_encode(code, w->cz, nc, w->cc)) ||
        (w->decodes && ((rc = am_code_decode(code, w->cc, nc, w->tz)) ||
                        (rc = am_encoder_decode(w->enc, w->tz, nc, w->timg)))))
        return rc;
    /* Baselines without the store. */
    row base = {0};
    for (size_t i = 0; i < nc; i++) {
        size_t t = w->target[i], nn = nearest(scodes, M, bits_b, w->cc + i * bits_b);
        base.item_nn += nn == t;
        base.class_nn += w->ls[nn] == w->ls[t];
        if (!w->decodes)
            continue;
        base.mse_cue += mse(w->timg + i * dim, w->xs + t * dim, dim);
        base.mse_code += mse(w->sdec[b] + t * dim, w->xs + t * dim, dim);
        base.mse_ae += mse(w->recon + t * dim, w->xs + t * dim, dim);
    }
    for (int a = 0; a < c->nstores; a++) {
        if (!w->st[a])
            continue;
        for (int t = 0; t < w->run->threads; t++) {
            am_store_work_free(w->work[t]);
            w->work[t] = NULL;
            if ((rc = am_store_work_create(&w->work[t], w->st[a])))
                return rc;
        }
        job j = {w->st[a], w->work, (am_store_type_flags(c->stores[a].type) & AM_STORE_REAL) != 0, bits_b, nc, w->cc, w->rcode, w->steps, w->run->seed,
                 am_rng_stream2(1000 + (uint64_t)am_store_type_id(c->stores[a].type), ((uint64_t)M << 24) | (uint64_t)ci), c->max_steps};
        if ((rc = am_run_parallel(w->run, nc, recall_one, &j)))
            return rc;
        if (w->decodes &&
            ((rc = am_code_decode(code, w->rcode, nc, w->dz)) || (rc = am_encoder_decode(w->enc, w->dz, nc, w->dimg))))
            return rc;
        row *r = &out->r[a];
        *r = base;
        r->present = 1;
        for (size_t i = 0; i < nc; i++) {
            size_t t = w->target[i], nn = nearest(scodes, M, bits_b, w->rcode + i * bits_b);
            r->item += nn == t;
            r->cls += w->ls[nn] == w->ls[t];
            r->err += w->decodes ? mse(w->dimg + i * dim, w->xs + t * dim, dim) : 0;
            r->steps += w->steps[i];
        }
        if (w->tiles && b == 0 && a == w->gstore && M == w->mmax) {
            size_t gcols = 3 * (size_t)c->ncorr;
            for (size_t q = 0; q < (size_t)w->grid_rows && q < nc; q++) {
                float *tr = w->tiles + q * gcols * dim + (size_t)ci * 3 * dim;
                memcpy(tr, w->cimg + q * dim, dim * sizeof *tr);
                /* the decoded recalled state, or the stored image it names */
                const float *rec = w->decodes ? w->dimg + q * dim
                                              : w->xs + nearest(scodes, M, bits_b, w->rcode + q * bits_b) * dim;
                memcpy(tr + dim, rec, dim * sizeof *tr);
                memcpy(tr + 2 * dim, w->xs + w->target[q] * dim, dim * sizeof *tr);
            }
        }
    }
    return AM_OK;
}

int main(int argc, char **argv)
{
    am_run run = {.examples = "latent-recall --out latent.tsv\nlatent-recall --encoder ae.model --store dense --code sign --bits 1024 --out dense.tsv",
                  .program = "latent-recall",
                  .summary = "Store encoded images in a memory, cue with corrupted views, recall and decode.",
                  .description = description,
                  .seed = 1};
    const char *dir = NULL, *encoder = NULL, *stores = "hopfield,dense,modern", *codes = "sign,continuous",
               *ms = "10,100,1000", *corrs = "noise:0.3,occlude:14,class",
               *grid = NULL;
    int pca_k = 64, cues = 200, bits = 0, topk = 0, fit = 10000, max_steps = 100, grid_rows = 6;
    static am_store_opts so = {.model_opt = "store"};
    am_opt opts[64] = {
        {"data", AM_OPT_STRING, &dir, "DIR", "Fashion-MNIST folder (default: Debian's)"},
        {"encoder", AM_OPT_STRING, &encoder, "FILE", "trained encoder (autoencoder train); default: fit a PCA"},
        {"pca-k", AM_OPT_INT, &pca_k, "K", "PCA components (without --encoder)", "pca"},
        {"fit", AM_OPT_INT, &fit, "N", "training images used to fit the PCA and the codes"},
        {"code", AM_OPT_STRING, &codes, "LIST", "codes: sign, topk, continuous (modern store only)"},
        {"bits", AM_OPT_INT, &bits, "B", "units of binary codes (0: the latent size)", "sign,topk"},
        {"topk", AM_OPT_INT, &topk, "K", "active units of topk codes (0: bits / 8)", "topk"},
        {"M", AM_OPT_STRING, &ms, "LIST", "numbers of stored images"},
        {"corrupt", AM_OPT_STRING, &corrs, "LIST", "cue corruptions: noise:S, occlude:B, class"},
        {"cues", AM_OPT_INT, &cues, "C", "cues per store, code, M and corruption"},
        {"max-steps", AM_OPT_INT, &max_steps, "S", "recall step limit"},
        {"grid", AM_OPT_STRING, &grid, "PREFIX", "draw PREFIX.png: cue | recalled | original per corruption "
                                                  "(first store and code, largest M)"},
        {"grid-rows", AM_OPT_INT, &grid_rows, "R", "examples in the grid", "--grid"},
        {NULL, 0, NULL, NULL, NULL},
    };
    run.resumable = 1;
    static const char *const defaults[] = {"beta", "100", NULL};
    int rc = am_store_opts_parse(&run, &so, stores, 0, AM_STORE_SEQUENCE, 0, defaults,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */

    /* Validate everything before any output. */
    cfg c;
    memset(&c, 0, sizeof c);
    {
        char buf[256];
        const char *w[8];
        int n = am_parse_words(so.model, buf, sizeof buf, w, 3);
        for (int k = 0; k < n; k++) {
            const am_store_type *t = am_store_type_find(w[k]);
            if (!t || (am_store_type_flags(t) & AM_STORE_SEQUENCE))
                n = -1;
            else
                am_store_config_default(&c.stores[k], t, 1);
        }
        if (n <= 0) {
            am_run_error(&run, "--store takes a list of up to 3 of %s", so.model_help + strlen("memory model: "));
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
    {
        /* The settings in force: the stores, the codes, the front-end, a grid. */
        char active[160] = "";
        for (int a = 0; a < c.nstores; a++)
            snprintf(active + strlen(active), sizeof active - strlen(active), "%s,", am_store_type_name(c.stores[a].type));
        for (int b = 0; b < c.ncodes; b++)
            snprintf(active + strlen(active), sizeof active - strlen(active), "%s,", am_code_kind_name(c.codes[b]));
        snprintf(active + strlen(active), sizeof active - strlen(active), "%s%s", encoder ? "encoder" : "pca",
                 grid ? ",--grid" : "");
        char what[600];
        snprintf(what, sizeof what, "this run (stores %s; codes %s; %s front-end%s)", stores, codes,
                 encoder ? "--encoder" : "PCA", grid ? "" : "; no --grid");
        if (am_run_check_scope(&run, opts, active, what))
            return 2;
        for (int a = 0; a < c.nstores; a++) /* each store's parameters from the command line */
            if (am_store_opts_configs(&run, &so, c.stores[a].type, 1, &c.stores[a], 1) != 1)
                return 2;
    }
    int combos = 0;
    for (int a = 0; a < c.nstores; a++)
        for (int b = 0; b < c.ncodes; b++)
            combos += c.codes[b] != AM_CODE_CONTINUOUS || (am_store_type_flags(c.stores[a].type) & AM_STORE_REAL);
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
    if (pca_k < 1 || fit < 2 || cues < 1 || cues > 1000000 || bits < 0 || bits > 16384 || topk < 0 || max_steps < 1 || grid_rows < 1 || grid_rows > 50) {
        am_run_error(&run, "need --pca-k >= 1, --fit >= 2, 1 <= --cues <= 1000000, 0 <= --bits <= 16384, --topk >= 0, "
                           "--max-steps >= 1, 1 <= --grid-rows <= 50");
        return 2;
    }
    c.cues = (size_t)cues;
    c.bits = (size_t)bits;
    c.topk = (size_t)topk;
    c.max_steps = (unsigned)max_steps;

    am_dataset *train = am_run_load_data(&run, dir, NULL, NULL, "train");
    am_dataset *test = train ? am_run_load_data(&run, dir, NULL, NULL, "test") : NULL;
    if (!test) {
        am_dataset_free(train);
        return 1;
    }
    size_t dim = train->dim, rows = train->rows, cols = train->cols;
    int has_class_cue = 0;
    if (parse_corruptions(corrs, &c, rows, cols)) {
        am_run_error(&run, "--corrupt takes a list of noise:S (0..10), occlude:B (0..%zu), class", rows);
        goto fail_data;
    }
    for (int k = 0; k < c.ncorr; k++)
        has_class_cue |= c.corrs[k].kind == 2;
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
            if ((size_t)pca_k > dim || rc == AM_EINVAL)
                am_run_error(&run, "PCA fit failed (--pca-k %d, at most %zu): %s", pca_k, dim,
                             am_strerror(rc ? rc : AM_EINVAL));
            else
                am_run_error(&run, "PCA fit failed: %s", am_strerror(rc));
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
    if (B > 16384) {
        am_run_error(&run, "codes of %zu units: at most 16384 (--bits)", B);
        goto fail_enc;
    }

    /* Stored items: the first M of a seeded permutation; the test images grouped by class (labels of both
     * splits index the same table). */
    int classes = train->classes > test->classes ? train->classes : test->classes;
    size_t nc = c.cues, gcols = 3 * (size_t)c.ncorr;
    world w;
    memset(&w, 0, sizeof w);
    w.c = &c;
    w.run = &run;
    w.test = test;
    w.enc = enc;
    w.dim = dim, w.rows = rows, w.cols = cols, w.zd = zd, w.mmax = mmax;
    w.st_b = w.st_mi = -1;
    w.grid_rows = grid_rows;
    uint32_t *perm = malloc(train->count * sizeof *perm), *by_class = malloc(test->count * sizeof *by_class);
    size_t *class_start = calloc((size_t)classes + 2, sizeof *class_start);
    float *zfit = malloc(c.fit * zd * sizeof *zfit), *zs = malloc(mmax * zd * sizeof *zs);
    float *xs = malloc(mmax * dim * sizeof *xs), *recon = malloc(mmax * dim * sizeof *recon);
    int *ls = malloc(mmax * sizeof *ls);
    w.cimg = malloc(nc * dim * sizeof(float)), w.cz = malloc(nc * zd * sizeof(float));
    w.cc = malloc(nc * B * sizeof(float)), w.rcode = malloc(nc * B * sizeof(float));
    w.dz = malloc(nc * zd * sizeof(float)), w.dimg = malloc(nc * dim * sizeof(float));
    w.tz = malloc(nc * zd * sizeof(float)), w.timg = malloc(nc * dim * sizeof(float));
    w.target = malloc(nc * sizeof(size_t));
    w.steps = malloc(nc * sizeof(unsigned));
    w.work = calloc((size_t)run.threads, sizeof *w.work);
    cell_result *results = NULL;
    size_t ncells = (size_t)c.ncodes * (size_t)c.nm * (size_t)c.ncorr;
    FILE *out = NULL;
    if (!perm || !by_class || !class_start || !zfit || !zs || !xs || !recon || !ls || !w.cimg || !w.cz || !w.cc ||
        !w.rcode || !w.dz || !w.dimg || !w.tz || !w.timg || !w.target || !w.steps || !w.work ||
        !(results = calloc(ncells, sizeof *results))) {
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
        for (int k = 2; k < classes + 2; k++)
            class_start[k] += class_start[k - 1];
        for (size_t i = 0; i < test->count; i++)
            by_class[class_start[test->labels[i] + 1]++] = (uint32_t)i;
        for (size_t mu = 0; mu < mmax; mu++) {
            memcpy(xs + mu * dim, train->x + (size_t)perm[mu] * dim, dim * sizeof *xs);
            ls[mu] = train->labels[perm[mu]];
            if (has_class_cue && class_start[ls[mu] + 1] == class_start[ls[mu]]) {
                am_run_error(&run, "class %d has no test images for class cues", ls[mu]);
                rc = 1;
                goto done;
            }
        }
    }
    w.xs = xs, w.recon = recon, w.ls = ls, w.by_class = by_class, w.class_start = class_start;
    /* A classifier-encoder does not decode: AM_EUNSUPPORTED leaves the pixel measures out. */
    if (!(rc = am_encoder_encode(enc, train->x, c.fit, zfit)) && !(rc = am_encoder_encode(enc, xs, mmax, zs)) &&
        (rc = am_encoder_decode(enc, zs, mmax, recon)) == AM_EUNSUPPORTED)
        rc = 0;
    else
        w.decodes = 1;
    if (rc) {
        am_run_error(&run, "encoding the images failed: %s", am_strerror(rc));
        rc = 1;
        goto done;
    }
    /* The codes, fitted once, with the stored items' codes and the decodings of those exact codes. */
    for (int b = 0; b < c.ncodes; b++) {
        am_code_config cc_cfg;
        am_rng crng;
        am_code_config_default(&cc_cfg, c.codes[b]);
        cc_cfg.bits = c.codes[b] == AM_CODE_CONTINUOUS ? 0 : B;
        cc_cfg.k = c.topk;
        am_rng_init(&crng, run.seed, 1);
        if ((rc = am_code_fit(&w.codes[b], &cc_cfg, zfit, c.fit, zd, &crng))) {
            am_run_error(&run, "cannot fit the %s code: %s", am_code_kind_name(c.codes[b]), am_strerror(rc));
            rc = 1;
            goto done;
        }
        size_t bits_b = am_code_bits(w.codes[b]);
        float *sdec_z = malloc(mmax * zd * sizeof *sdec_z);
        w.scodes[b] = malloc(mmax * bits_b * sizeof(float));
        w.sdec[b] = malloc(mmax * dim * sizeof(float));
        if (!sdec_z || !w.scodes[b] || !w.sdec[b]) {
            free(sdec_z);
            am_run_error(&run, "out of memory");
            rc = 1;
            goto done;
        }
        am_code_encode(w.codes[b], zs, mmax, w.scodes[b]);
        am_code_decode(w.codes[b], w.scodes[b], mmax, sdec_z);
        if (w.decodes)
            am_encoder_decode(enc, sdec_z, mmax, w.sdec[b]);
        free(sdec_z);
    }

    out = am_run_open(&run);
    if (!out) {
        rc = 1;
        goto done;
    }
    am_jobs jobs = {.count = ncells, .result_size = sizeof *results, .fn = run_cell, .ctx = &w, .serial = 1,
                    .cost = cell_cost};
    size_t failed;
    if ((rc = am_run_jobs(&run, &jobs, results, &failed))) {
        am_run_error(&run, "cell %zu failed: %s", failed, am_strerror(rc));
        rc = 1;
        goto done;
    }
    if (am_run_is_root(&run)) {
        char desc[256];
        am_encoder_describe(enc, desc, sizeof desc);
        fprintf(out, "# encoder: %s%s%s; codes fitted on %zu training images\n", desc, encoder ? " from " : "",
                encoder ? encoder : "", c.fit);
        fprintf(out, "# stores:");
        for (int a = 0; a < c.nstores; a++) {
            char d[256];
            am_store_config_describe(&c.stores[a], d, sizeof d);
            fprintf(out, " %s;", d);
        }
        fprintf(out, " max_steps=%u\n", c.max_steps);
        fprintf(out, "store\tcode\tbits\tM\tcorruption\tlevel\tcues\titem_recall\tclass_recall\tmse_recalled\titem_nn\t"
                     "class_nn\tmse_cue\tmse_code\tmse_ae\tsteps_mean\n");
        double inv = 1.0 / (double)nc, pix = w.decodes ? inv : NAN; /* the mse columns' factor */
        for (size_t k = 0; k < ncells; k++) {
            int ci = (int)(k % (size_t)c.ncorr), mi = (int)(k / (size_t)c.ncorr % (size_t)c.nm);
            int b = (int)(k / ((size_t)c.ncorr * (size_t)c.nm));
            for (int a = 0; a < c.nstores; a++) {
                const row *r = &results[k].r[a];
                if (!r->present)
                    continue;
                fprintf(out, "%s\t%s\t%zu\t%zu\t%s\t%g\t%zu\t%.4f\t%.4f\t%.6f\t%.4f\t%.4f\t%.6f\t%.6f\t%.6f\t%.2f\n",
                        am_store_type_name(c.stores[a].type), am_code_kind_name(c.codes[b]), am_code_bits(w.codes[b]), c.ms[mi],
                        c.corrs[ci].name, c.corrs[ci].level, nc, r->item * inv, r->cls * inv, r->err * pix,
                        r->item_nn * inv, r->class_nn * inv, r->mse_cue * pix, r->mse_code * pix, r->mse_ae * pix,
                        r->steps * inv);
            }
        }
    }
    /* The grid: the first store that takes the first code, at the largest M; its cells are computed again
     * (they are deterministic) so that a resumed or MPI run draws the same figure. */
    if (grid && am_run_is_root(&run)) {
        w.gstore = 0;
        while (w.gstore < c.nstores && c.codes[0] == AM_CODE_CONTINUOUS && !(am_store_type_flags(c.stores[w.gstore].type) & AM_STORE_REAL))
            w.gstore++;
        w.tiles = calloc((size_t)grid_rows * gcols * dim, sizeof *w.tiles);
        const char **titles = calloc(gcols, sizeof *titles);
        char(*names)[40] = calloc(gcols, sizeof *names);
        char title[300];
        cell_result scratch;
        rc = !w.tiles || !titles || !names;
        for (int ci = 0; !rc && ci < c.ncorr; ci++) {
            int mi = 0;
            while (c.ms[mi] != mmax)
                mi++;
            rc = run_cell((size_t)mi * (size_t)c.ncorr + (size_t)ci, 0, &scratch, &w) != 0;
            snprintf(names[3 * ci], 40, "cue %s %g", c.corrs[ci].name, c.corrs[ci].level);
            if (c.corrs[ci].kind == 2)
                snprintf(names[3 * ci], 40, "cue: same class");
            snprintf(names[3 * ci + 1], 40, "%s", w.decodes ? "recalled" : "recalled item");
            snprintf(names[3 * ci + 2], 40, "original");
            for (int q = 0; q < 3; q++)
                titles[3 * ci + q] = names[3 * ci + q];
        }
        char edesc[160];
        am_encoder_describe(w.enc, edesc, sizeof edesc);
        snprintf(title, sizeof title, "%s: %s store, %s code (%zu units), M = %zu", edesc,
                 am_store_type_name(c.stores[w.gstore].type), am_code_kind_name(c.codes[0]),
                 c.codes[0] == AM_CODE_CONTINUOUS ? zd : B, mmax);
        if (rc)
            am_run_error(&run, "cannot draw the grid: out of memory or a failed recall");
        else if (am_image_grid(&run, grid, w.tiles, (size_t)grid_rows, gcols, rows, cols, titles, NULL, title))
            rc = 1;
        free(titles);
        free(names);
    }
done:
    if (out) {
        if (rc)
            am_run_abort(&run, out);
        else if (am_run_close(&run, out))
            rc = 1;
    }
    free_stores(&w);
    for (int t = 0; w.work && t < run.threads; t++)
        am_store_work_free(w.work[t]);
    for (int b = 0; b < 3; b++) {
        am_code_free(w.codes[b]);
        free(w.scodes[b]);
        free(w.sdec[b]);
    }
    free(w.work), free(w.cimg), free(w.cz), free(w.cc), free(w.rcode), free(w.dz), free(w.dimg), free(w.tz);
    free(w.timg), free(w.target), free(w.steps), free(w.tiles);
    free(results), free(perm), free(by_class), free(class_start), free(zfit), free(zs), free(xs), free(recon), free(ls);
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
