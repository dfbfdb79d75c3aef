/* MLP autoencoders: forward and backward passes as matrix products on row-major minibatches, with the bias,
 * activation and its derivative fused in one sweep over each activation matrix. Derivatives are taken
 * from the activations themselves (ReLU: a > 0, sigmoid: a (1 - a), tanh: 1 - a^2), so only the
 * post-activation values are kept.
 *
 * Reproducibility: the products go through libam's own sgemm (core/gemm.h), in which every number is one
 * fused multiply-add chain in a fixed order, whatever the thread count, blocking or OpenBLAS kernel set;
 * every other value (bias sums, loss, Adam) is computed by one thread in a fixed order. So a seed gives the
 * same model bytes at any --threads, under any OPENBLAS_CORETYPE, on any x86-64 CPU with the same
 * instruction-set clone. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/gemm.h"
#include "../core/io.h"
#include "am/autoencoder.h"
#include "am/error.h"
#include "../core/cancel_internal.h"

struct am_ae {
    am_ae_config c;
    size_t nparams;
    size_t woff[AM_AE_MAX_LAYERS], boff[AM_AE_MAX_LAYERS]; /* offsets of W_l and b_l in params */
    size_t widest;
    float *params;
};

#define AE_BAND 16 /* rows of dW per update item */

struct am_ae_trainer {
    am_ae *ae;
    am_ae_train_opts o;
    size_t steps;
    float *grad, *m, *v;
    int shards;
    /* The weights packed for the forward products (W_l^T), shared by the step's threads; the input deltas
     * read W_l where it lies. Inside an epoch the update items rewrite their bands as Adam
     * updates them (packed_ok); any other call packs afresh, since the parameters may have been changed
     * through am_ae_params between calls. */
    float *pack;
    size_t packsize, fwdoff[AM_AE_MAX_LAYERS];
    int packed_ok;
    /* The update, as a list of independent items any thread may take: a band of AE_BAND rows of one layer's
     * dW (computed, stepped by Adam and repacked while in cache), or one layer's bias. Each layer's
     * activations are packed once per step (actpack) as the B of its dW bands; each thread has a band
     * scratch (bandbuf + thread * bandsize). */
    struct dw_item {
        int layer;
        size_t r0; /* first row of the band; SIZE_MAX: the layer's bias */
    } * items;
    size_t nitems;
    float *actpack, *bandbuf;
    size_t apoff[AM_AE_MAX_LAYERS], bandsize;
    float *act[AM_AE_MAX_LAYERS + 1]; /* act[0]: the (corrupted) input; act[l]: output of layer l-1 */
    float *delta[AM_AE_MAX_LAYERS];   /* delta[l]: d loss / d z of layer l's output, batch x sizes[l + 1] */
    float *batch;                     /* a minibatch gathered from a dataset */
    double *rowloss;                  /* loss of each row of the batch, summed in order */
    int threads;
    am__gemm_ws ws;                  /* packing buffers shared by the step's threads */
    am_batches order;
    int have_order;
    /* Set for a step whose rows are copied from a dataset inside the step (each shard its own rows). */
    const am_dataset *gds;
    uint32_t *gidx;                   /* batch entries: the rows of that step */
};

static const char *const act_names[] = {"linear", "relu", "tanh", "sigmoid"};
static const char *const loss_names[] = {"mse", "bce"};

const char *am_act_name(am_act a)
{
    return (unsigned)a < 4 ? act_names[a] : "?";
}

int am_act_parse(const char *s, am_act *out)
{
    for (int k = 0; s && k < 4; k++)
        if (!strcmp(s, act_names[k])) {
            *out = (am_act)k;
            return AM_OK;
        }
    return AM_EINVAL;
}

const char *am_loss_name(am_loss l)
{
    return (unsigned)l < 2 ? loss_names[l] : "?";
}

int am_loss_parse(const char *s, am_loss *out)
{
    for (int k = 0; s && k < 2; k++)
        if (!strcmp(s, loss_names[k])) {
            *out = (am_loss)k;
            return AM_OK;
        }
    return AM_EINVAL;
}

int am_ae_config_check(const am_ae_config *c)
{
    if (!c || c->layers < 2 || c->layers > AM_AE_MAX_LAYERS)
        return AM_EINVAL;
    for (int l = 0; l <= c->layers; l++)
        if (c->sizes[l] == 0 || c->sizes[l] > (1u << 24))
            return AM_EINVAL;
    for (int l = 0; l < c->layers; l++)
        if ((unsigned)c->act[l] > AM_ACT_SIGMOID)
            return AM_EINVAL;
    if (c->sizes[0] != c->sizes[c->layers] || c->code_layer < 1 || c->code_layer >= c->layers)
        return AM_EINVAL;
    if ((unsigned)c->loss > AM_LOSS_BCE || (c->loss == AM_LOSS_BCE && c->act[c->layers - 1] != AM_ACT_SIGMOID))
        return AM_EINVAL;
    return AM_OK;
}

int am_ae_config_parse(am_ae_config *c, const char *sizes, const char *hidden, const char *code, const char *output,
                       const char *loss)
{
    am_act h, k, o;
    if (!c || !sizes)
        return AM_EINVAL;
    memset(c, 0, sizeof *c);
    if (am_act_parse(hidden, &h) || am_act_parse(code ? code : hidden, &k) || am_act_parse(output, &o) ||
        am_loss_parse(loss, &c->loss))
        return AM_EINVAL;
    int n = 0;
    const char *p = sizes;
    for (;;) {
        char *end;
        if (*p < '0' || *p > '9' || n > AM_AE_MAX_LAYERS)
            return AM_EINVAL;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p || v == 0 || v > (1u << 24))
            return AM_EINVAL;
        c->sizes[n++] = v;
        if (*end == '\0')
            break;
        if (*end != ',')
            return AM_EINVAL;
        p = end + 1;
    }
    c->layers = n - 1;
    if (c->layers < 2)
        return AM_EINVAL;
    c->code_layer = 1;
    for (int l = 2; l < c->layers; l++)
        if (c->sizes[l] < c->sizes[c->code_layer])
            c->code_layer = l;
    for (int l = 0; l < c->layers; l++)
        c->act[l] = l == c->layers - 1 ? o : l == c->code_layer - 1 ? k : h;
    return am_ae_config_check(c);
}

void am_ae_config_describe(const am_ae_config *c, char *buf, size_t size)
{
    size_t len = 0;
    if (!size)
        return;
    buf[0] = '\0';
    for (int l = 0; l <= c->layers && len < size; l++)
        len += (size_t)snprintf(buf + len, size - len, "%s%zu", l ? "-" : "", c->sizes[l]);
    for (int l = 0; l < c->layers && len < size; l++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", l ? "/" : " ", am_act_name(c->act[l]));
    if (len < size)
        snprintf(buf + len, size - len, " code=%zu loss=%s", c->sizes[c->code_layer], am_loss_name(c->loss));
}

/* Offsets of every layer's weights and biases in one parameter vector, and its length. */
static int ae_layout(const am_ae_config *c, size_t *woff, size_t *boff, size_t *nparams)
{
    size_t off = 0;
    for (int l = 0; l < c->layers; l++) {
        size_t w;
        if (am_size_mul(c->sizes[l + 1], c->sizes[l], &w) || off > SIZE_MAX / 8 - w ||
            off + w > SIZE_MAX / 8 - c->sizes[l + 1])
            return AM_EOVERFLOW;
        if (woff)
            woff[l] = off;
        off += w;
        if (boff)
            boff[l] = off;
        off += c->sizes[l + 1];
    }
    *nparams = off;
    return AM_OK;
}

static int ae_alloc(am_ae **out, const am_ae_config *c)
{
    int rc;
    if ((rc = am_ae_config_check(c)))
        return rc;
    am_ae *ae = calloc(1, sizeof *ae);
    if (!ae)
        return AM_ENOMEM;
    ae->c = *c;
    if ((rc = ae_layout(c, ae->woff, ae->boff, &ae->nparams))) {
        free(ae);
        return rc;
    }
    for (int l = 0; l <= c->layers; l++)
        if (c->sizes[l] > ae->widest)
            ae->widest = c->sizes[l];
    ae->params = malloc(ae->nparams * sizeof(float));
    if (!ae->params) {
        free(ae);
        return AM_ENOMEM;
    }
    *out = ae;
    return AM_OK;
}

int am_ae_create(am_ae **out, const am_ae_config *c, am_rng *rng)
{
    int rc;
    if (!out || !rng)
        return AM_EINVAL;
    *out = NULL;
    am_ae *ae;
    if ((rc = ae_alloc(&ae, c)))
        return rc;
    for (int l = 0; l < c->layers; l++) {
        double bound = 1.0 / sqrt((double)c->sizes[l]);
        float *p = ae->params + ae->woff[l];
        size_t n = c->sizes[l + 1] * c->sizes[l] + c->sizes[l + 1];
        for (size_t i = 0; i < n; i++)
            p[i] = (float)(bound * (2.0 * am_rng_uniform(rng) - 1.0));
    }
    *out = ae;
    return AM_OK;
}

void am_ae_free(am_ae *ae)
{
    if (!ae)
        return;
    free(ae->params);
    free(ae);
}

const am_ae_config *am_ae_config_of(const am_ae *ae)
{
    return &ae->c;
}

size_t am_ae_input_dim(const am_ae *ae)
{
    return ae->c.sizes[0];
}

size_t am_ae_code_dim(const am_ae *ae)
{
    return ae->c.sizes[ae->c.code_layer];
}

float *am_ae_params(am_ae *ae, size_t *count)
{
    if (count)
        *count = ae->nparams;
    return ae->params;
}

/* exp for the sigmoid in a form the compiler vectorises: 2^(x log2 e) split into an integer power of two
 * and a degree-6 polynomial on [-1/2, 1/2] (relative error < 2e-7, i.e. float rounding). NaN gives NaN: the
 * clamp sends it to -87 first, as converting a NaN to an integer is undefined behaviour (a diverged training
 * step makes NaN activations). */
static inline float fast_exp(float x0)
{
    float x = x0 >= -87.0f ? (x0 > 88.0f ? 88.0f : x0) : -87.0f;
    float t = x * 1.44269504088896341f;
    float r = (t + 12582912.0f) - 12582912.0f; /* round to nearest: 1.5 * 2^23 pushes the fraction out */
    float f = t - r;
    float p = 1.5403530393381606e-4f;
    p = p * f + 1.3333558146428443e-3f;
    p = p * f + 9.6181291076284772e-3f;
    p = p * f + 5.5504108664821580e-2f;
    p = p * f + 2.4022650695910071e-1f;
    p = p * f + 6.9314718055994531e-1f;
    p = p * f + 1.0f;
    int32_t e = (int32_t)r;
    union {
        int32_t i;
        float f;
    } u = {.i = (e + 127) << 23};
    return x0 == x0 ? p * u.f : x0;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void bias_act(float *z, size_t rows, size_t cols, size_t ld, const float *b, am_act act)
{
    for (size_t i = 0; i < rows; i++) {
        float *r = z + i * ld;
        switch (act) {
        case AM_ACT_RELU:
            for (size_t j = 0; j < cols; j++) {
                float v = r[j] + b[j];
                r[j] = v > 0.0f ? v : 0.0f;
            }
            break;
        case AM_ACT_SIGMOID:
            for (size_t j = 0; j < cols; j++)
                r[j] = 1.0f / (1.0f + fast_exp(-(r[j] + b[j])));
            break;
        case AM_ACT_TANH:
            for (size_t j = 0; j < cols; j++)
                r[j] = tanhf(r[j] + b[j]);
            break;
        default:
            for (size_t j = 0; j < cols; j++)
                r[j] += b[j];
        }
    }
}

/* d <- d * act'(a), elementwise over n values. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void act_backward(float *d, const float *a, size_t n, am_act act)
{
    switch (act) {
    case AM_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            d[i] = a[i] > 0.0f ? d[i] : 0.0f;
        break;
    case AM_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            d[i] *= a[i] * (1.0f - a[i]);
        break;
    case AM_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            d[i] *= 1.0f - a[i] * a[i];
        break;
    default:
        break;
    }
}

/* Epilogues of the products, applied to each finished tile by the thread that computed it. */
typedef struct bias_ctx {
    const float *b;
    am_act act;
} bias_ctx;

static void epi_bias_act(float *c, size_t ldc, size_t i0, size_t rows, size_t j0, size_t cols, void *ctx)
{
    const bias_ctx *e = ctx;
    (void)i0;
    bias_act(c, rows, cols, ldc, e->b + j0, e->act);
}

typedef struct deriv_ctx {
    const float *a; /* the activations whose derivative multiplies the deltas, same shape and ld */
    am_act act;
} deriv_ctx;

/* d <- d * act'(a) on a tile. */
static void epi_deriv(float *c, size_t ldc, size_t i0, size_t rows, size_t j0, size_t cols, void *ctx)
{
    const deriv_ctx *e = ctx;
    for (size_t i = 0; i < rows; i++)
        act_backward(c + i * ldc, e->a + (i0 + i) * ldc + j0, cols, e->act);
}

/* Inference: every layer's W^T packed once (pk, offsets off[l]) for all the chunks of a call. */
typedef struct packed_net {
    float *pk;
    size_t off[AM_AE_MAX_LAYERS];
} packed_net;

static int packed_net_make(const am_ae *ae, int from, int to, int nt, packed_net *p)
{
    size_t total = 0;
    for (int l = from; l < to; l++) {
        p->off[l] = total;
        total += (am__gemm_packed_size(ae->c.sizes[l + 1], ae->c.sizes[l]) + 15) / 16 * 16;
    }
    if (posix_memalign((void **)&p->pk, 64, (total ? total : 1) * sizeof(float)))
        return AM_ENOMEM;
#pragma omp parallel num_threads(nt)
    for (int l = from; l < to; l++)
        am__gemm_pack(1, ae->c.sizes[l + 1], ae->c.sizes[l], ae->params + ae->woff[l], ae->c.sizes[l], p->pk + p->off[l],
                      omp_get_thread_num(), omp_get_num_threads());
    return AM_OK;
}

/* Layers [from, to) on b rows with the packed weights, by a team (tid of nth); ends with a barrier. */
static void forward_packed(const am_ae *ae, const packed_net *p, float *const *act, size_t b, int from, int to, int tid,
                           int nth)
{
    const am_ae_config *c = &ae->c;
    for (int l = from; l < to; l++) {
        size_t in = c->sizes[l], out = c->sizes[l + 1];
        bias_ctx e = {ae->params + ae->boff[l], c->act[l]};
        am__sgemm_team_packed(tid, nth, 0, b, out, in, act[l], in, p->pk + p->off[l], 0, act[l + 1], out, epi_bias_act,
                              &e);
        if (nth > 1) {
#pragma omp barrier
        }
    }
}

/* Output delta of rows rows of n outputs: d = dLoss/dz of the output layer, with the loss scaled by
 * 1/count (count = elements of the whole batch); each row's loss sum goes to rowloss. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void output_delta(float *d, const float *y, const float *x, size_t rows, size_t n, size_t count, am_loss loss,
                         am_act act, double *rowloss)
{
    float scale = 1.0f / (float)count;
    for (size_t r = 0; r < rows; r++) {
        float *dr = d + r * n;
        const float *yr = y + r * n, *xr = x + r * n;
        float s = 0.0f;
        if (loss == AM_LOSS_BCE) {
            /* Sigmoid and BCE together: dL/dz = (y - x) / count, without dividing by y (1 - y). */
            for (size_t i = 0; i < n; i++) {
                float yc = yr[i] < 1e-7f ? 1e-7f : yr[i] > 1.0f - 1e-7f ? 1.0f - 1e-7f : yr[i];
                s -= xr[i] * logf(yc) + (1.0f - xr[i]) * logf(1.0f - yc);
                dr[i] = (yr[i] - xr[i]) * scale;
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                float e = yr[i] - xr[i];
                s += e * e;
                dr[i] = 2.0f * e * scale;
            }
            act_backward(dr, yr, n, act);
        }
        rowloss[r] = s;
    }
}

/* out[j] = sum over rows of d[i][j] for cols columns of a matrix with leading dimension ld. */
static void column_sums(float *out, const float *d, size_t rows, size_t cols, size_t ld)
{
    memset(out, 0, cols * sizeof(float));
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            out[j] += d[i * ld + j];
}

void am_ae_train_opts_default(am_ae_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->batch = 128;
    o->lr = 1e-3;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
}

int am_ae_trainer_create(am_ae_trainer **out, am_ae *ae, const am_ae_train_opts *o)
{
    am_ae_train_opts def;
    if (!out || !ae)
        return AM_EINVAL;
    *out = NULL;
    if (!o) {
        am_ae_train_opts_default(&def);
        o = &def;
    }
    if (!o->batch || o->batch > (1u << 20) || !(o->lr > 0) || !(o->beta1 >= 0 && o->beta1 < 1) ||
        !(o->beta2 >= 0 && o->beta2 < 1) || !(o->eps > 0) || !(o->weight_decay >= 0) ||
        !(o->mask >= 0 && o->mask < 1) || !(o->noise >= 0) || o->threads < 0 || o->threads > 1024 ||
        o->shards < 0 || o->shards > 64 || !isfinite(o->noise) || !isfinite(o->lr))
        return AM_EINVAL;
    am_ae_trainer *t = calloc(1, sizeof *t);
    if (!t)
        return AM_ENOMEM;
    t->ae = ae;
    t->o = *o;
    int bad = 0;
    t->grad = calloc(ae->nparams, sizeof(float));
    t->shards = o->shards > 0 ? o->shards : AM_AE_SHARDS;

    t->packsize = 0;
    for (int l = 0; l < ae->c.layers; l++) {
        size_t in = ae->c.sizes[l], out = ae->c.sizes[l + 1];
        t->fwdoff[l] = t->packsize;
        t->packsize += (am__gemm_packed_size(out, in) + 15) / 16 * 16;
    }

    t->m = calloc(ae->nparams, sizeof(float));
    t->v = calloc(ae->nparams, sizeof(float));
    bad |= !t->grad || !t->m || !t->v;
    for (int l = 0; l <= ae->c.layers; l++)
        bad |= !(t->act[l] = malloc(o->batch * ae->c.sizes[l] * sizeof(float)));
    for (int l = 0; l < ae->c.layers; l++)
        bad |= !(t->delta[l] = malloc(o->batch * ae->c.sizes[l + 1] * sizeof(float)));
    bad |= !(t->batch = malloc(o->batch * ae->c.sizes[0] * sizeof(float)));
    bad |= !(t->rowloss = malloc(o->batch * sizeof(double)));
    bad |= !(t->gidx = malloc(o->batch * sizeof(uint32_t)));
    t->threads = o->threads > 0 ? o->threads : omp_get_max_threads();
    bad |= am__gemm_ws_reserve(&t->ws, t->threads) != AM_OK;
    bad |= posix_memalign((void **)&t->pack, 64, (t->packsize ? t->packsize : 1) * sizeof(float)) != 0;
    /* Items, costliest first (wide layers' bands, then the narrower ones, the biases last). */
    size_t widest = 0, apsize = 0, nitems = 0;
    for (int l = 0; l < ae->c.layers; l++) {
        size_t in = ae->c.sizes[l];
        widest = in > widest ? in : widest;
        t->apoff[l] = apsize;
        apsize += (am__gemm_packed_size(in, o->batch) + 15) / 16 * 16;
        nitems += (ae->c.sizes[l + 1] + AE_BAND - 1) / AE_BAND + 1;
    }
    t->items = malloc(nitems * sizeof *t->items);
    bad |= !t->items;
    for (int pass = 0; pass < 2 && t->items; pass++)
        for (size_t width = widest + 1; width-- > 0;)
            for (int l = 0; l < ae->c.layers; l++) {
                if (ae->c.sizes[l] != width)
                    continue;
                if (pass == 0)
                    for (size_t r0 = 0; r0 < ae->c.sizes[l + 1]; r0 += AE_BAND)
                        t->items[t->nitems++] = (struct dw_item){l, r0};
                else
                    t->items[t->nitems++] = (struct dw_item){l, SIZE_MAX};
            }
    t->bandsize = AE_BAND * widest;
    bad |= posix_memalign((void **)&t->actpack, 64, (apsize ? apsize : 1) * sizeof(float)) != 0;
    bad |= posix_memalign((void **)&t->bandbuf, 64, (size_t)t->threads * t->bandsize * sizeof(float)) != 0;
    if (bad) {
        am_ae_trainer_free(t);
        return AM_ENOMEM;
    }
    *out = t;
    return AM_OK;
}

void am_ae_trainer_free(am_ae_trainer *t)
{
    if (!t)
        return;
    free(t->grad);
    free(t->pack);
    free(t->items);
    free(t->actpack);
    free(t->bandbuf);
    free(t->m);
    free(t->v);
    for (int l = 0; l <= AM_AE_MAX_LAYERS; l++)
        free(t->act[l]);
    for (int l = 0; l < AM_AE_MAX_LAYERS; l++)
        free(t->delta[l]);
    free(t->batch);
    free(t->rowloss);
    free(t->gidx);
    am__gemm_ws_free(&t->ws);
    if (t->have_order)
        am_batches_free(&t->order);
    free(t);
}

size_t am_ae_trainer_steps(const am_ae_trainer *t)
{
    return t->steps;
}

/* PyTorch's Adam: p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps), weight decay added to the gradient; on
 * rows x cols values with row stride ld. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void adam(float *restrict p, float *restrict m, float *restrict v, const float *restrict g, size_t rows,
                 size_t cols, size_t ld, float b1, float b2, float step, float inv_sqrt_bc2, float eps, float wd)
{
    for (size_t r = 0; r < rows; r++) {
        float *pr = p + r * ld, *mr = m + r * ld, *vr = v + r * ld;
        const float *gr = g + r * ld;
        for (size_t i = 0; i < cols; i++) {
            float gi = gr[i] + wd * pr[i];
            mr[i] = b1 * mr[i] + (1.0f - b1) * gi;
            vr[i] = b2 * vr[i] + (1.0f - b2) * gi * gi;
            pr[i] -= step * mr[i] / (sqrtf(vr[i]) * inv_sqrt_bc2 + eps);
        }
    }
}

/* One item of the update (see struct dw_item): rows [r0, r0 + AE_BAND) of layer l's dW = delta^T A over all
 * b rows (every weight one fused multiply-add chain over the rows in order; A packed in t->actpack). With
 * update, the band goes to the scratch, steps the same rows of W, m and v by Adam (contiguous: one stream
 * each) and is rewritten into the packed W^T the next step's forward products read; without, it lands in
 * t->grad. A bias item sums delta's columns and steps the bias. Items never share an output. */
static void update_item(am_ae_trainer *t, const struct dw_item *it, size_t b, int update, float *scratch, float b1,
                        float b2, float step, float isbc2, float eps, float wd)
{
    am_ae *ae = t->ae;
    int l = it->layer;
    size_t in = ae->c.sizes[l], out = ae->c.sizes[l + 1];
    if (it->r0 == SIZE_MAX) {
        size_t bb0 = ae->boff[l];
        column_sums(t->grad + bb0, t->delta[l], b, out, out);
        if (update)
            adam(ae->params + bb0, t->m + bb0, t->v + bb0, t->grad + bb0, 1, out, out, b1, b2, step, isbc2, eps, wd);
        return;
    }
    size_t r0 = it->r0, rows = out - r0 < AE_BAND ? out - r0 : AE_BAND, off = ae->woff[l] + r0 * in;
    float *c = update ? scratch : t->grad + off;
    am__sgemm_team_packed(0, 1, 1, rows, in, b, t->delta[l] + r0, out, t->actpack + t->apoff[l], 0, c, in, NULL,
                          NULL);
    if (!update)
        return;
    adam(ae->params + off, t->m + off, t->v + off, c, 1, rows * in, rows * in, b1, b2, step, isbc2, eps, wd);
    for (size_t j0 = 0; j0 < in; j0 += 32)
        am__gemm_repack_t(ae->params + ae->woff[l], in, r0, rows, j0, in - j0 < 32 ? in - j0 : 32, out, in,
                          t->pack + t->fwdoff[l]);
}

/* One shard's pass on rows [r0, r0 + bs) of the batch, by a team of nth threads (tid): forward, output
 * delta, and the deltas of every layer going back (the weight gradients come after, over the whole batch).
 * Shards touch only their own rows; a team of one has no barriers at all. */
static void shard_pass(am_ae_trainer *t, const float *target, size_t r0, size_t bs, size_t bfull, const float *pk,
                       am__gemm_ws *ws, int tid, int nth)
{
    am_ae *ae = t->ae;
    const am_ae_config *c = &ae->c;
    int L = c->layers;
    size_t nout = c->sizes[L];
    size_t q0 = bs * (size_t)tid / (size_t)nth, q1 = bs * (size_t)(tid + 1) / (size_t)nth; /* my rows */
    float *act[AM_AE_MAX_LAYERS + 1], *dl[AM_AE_MAX_LAYERS];
    for (int l = 0; l <= L; l++)
        act[l] = t->act[l] + r0 * c->sizes[l];
    for (int l = 0; l < L; l++)
        dl[l] = t->delta[l] + r0 * c->sizes[l + 1];
    if (t->gds) {
        /* This shard's rows of the minibatch, straight from the dataset (they are also the target). */
        size_t dim = c->sizes[0];
        for (size_t r = q0; r < q1; r++)
            memcpy(act[0] + r * dim, t->gds->x + (size_t)t->gidx[r0 + r] * dim, dim * sizeof(float));
        if (nth > 1) {
#pragma omp barrier
        }
    }
    for (int l = 0; l < L; l++) {
        size_t in = c->sizes[l], out = c->sizes[l + 1];
        bias_ctx e = {ae->params + ae->boff[l], c->act[l]};
        am__sgemm_team_packed(tid, nth, 0, bs, out, in, act[l], in, pk + t->fwdoff[l], 0, act[l + 1], out, epi_bias_act,
                              &e);
        if (nth > 1) {
#pragma omp barrier
        }
    }
    if (q1 > q0)
        output_delta(dl[L - 1] + q0 * nout, act[L] + q0 * nout, target + (r0 + q0) * nout, q1 - q0, nout,
                     bfull * nout, c->loss, c->act[L - 1], t->rowloss + r0 + q0);
    if (nth > 1) {
#pragma omp barrier
    }
    for (int l = L - 1; l > 0; l--) {
        size_t in = c->sizes[l], out = c->sizes[l + 1];
        /* delta_{l-1} = (delta_l W_l) times the derivative of layer l-1's activation. */
        deriv_ctx e = {act[l], c->act[l - 1]};
        am__sgemm_team_inplace(tid, nth, 0, bs, in, out, dl[l], out, ae->params + ae->woff[l], in, 0, dl[l - 1], in, ws,
                               epi_deriv, &e);
        if (nth > 1) {
#pragma omp barrier
        }
    }
}

/* Pack layer l's W^T (for the forward products) into pk; the strips shared by a team of nth threads (tid). */
static void pack_layer(am_ae_trainer *t, float *pk, int l, int tid, int nth)
{
    const am_ae_config *c = &t->ae->c;
    size_t in = c->sizes[l], out = c->sizes[l + 1];
    const float *w = t->ae->params + t->ae->woff[l];
    am__gemm_pack(1, out, in, w, in, pk + t->fwdoff[l], tid, nth);
}

/* Forward on act[0] (already filled), backward against target, gradient into t->grad, then (update) an
 * Adam step. The batch is cut into row shards (t->shards, fewer for a tiny batch) that run forward and
 * propagate the deltas on their own threads without synchronising; then the threads share out the update
 * items (bands of each layer's weight gradients, one fused multiply-add chain per weight over all rows in
 * order, each stepped by Adam and repacked for the next step; the biases). Rows never interact before that
 * point and every item is computed the same way by whichever thread takes it, so neither the thread count
 * nor the shard count changes any bit. */
static double backprop(am_ae_trainer *t, const float *target, size_t b, int update)
{
    am_ae *ae = t->ae;
    const am_ae_config *c = &ae->c;
    int L = c->layers, G = t->shards < (int)b ? t->shards : (int)b, T = omp_in_parallel() ? 1 : t->threads;
    int outer = T < G ? T : G, inner = T / outer;
    size_t nout = c->sizes[L];
    float step = 0, isbc2 = 0, b1 = (float)t->o.beta1, b2 = (float)t->o.beta2, eps = (float)t->o.eps,
          wd = (float)t->o.weight_decay;
    if (update) {
        t->steps++;
        double bc1 = 1.0 - pow(t->o.beta1, (double)t->steps), bc2 = 1.0 - pow(t->o.beta2, (double)t->steps);
        step = (float)(t->o.lr / bc1);
        isbc2 = (float)(1.0 / sqrt(bc2));
    }
    float *pk = t->pack;
    if (!t->packed_ok) {
#pragma omp parallel num_threads(T)
        for (int l = 0; l < L; l++)
            pack_layer(t, pk, l, omp_get_thread_num(), omp_get_num_threads());
    }
    int levels = omp_get_max_active_levels();
    if (inner > 1 && levels < 2)
        omp_set_max_active_levels(2);
#pragma omp parallel num_threads(outer)
    {
        int ot = omp_get_thread_num();
        am__gemm_ws ws = am__gemm_ws_slice(&t->ws, ot * inner, inner); /* the partial strips of W */
        if (inner > 1) {
#pragma omp parallel num_threads(inner)
            for (int s = ot; s < G; s += outer) {
                size_t r0 = b * (size_t)s / (size_t)G, bs = b * (size_t)(s + 1) / (size_t)G - r0;
                shard_pass(t, target, r0, bs, b, pk, &ws, omp_get_thread_num(), omp_get_num_threads());
#pragma omp barrier
            }
        } else {
            for (int s = ot; s < G; s += outer) {
                size_t r0 = b * (size_t)s / (size_t)G, bs = b * (size_t)(s + 1) / (size_t)G - r0;
                shard_pass(t, target, r0, bs, b, pk, &ws, 0, 1);
            }
        }
        if (outer > 1) {
#pragma omp barrier
        }
        /* The update: every layer's activations packed as the B of its dW (strips shared out), then the
         * items dealt dynamically. Which thread takes an item changes no bit. */
        for (int l = 0; l < L; l++)
            am__gemm_pack(0, c->sizes[l], b, t->act[l], c->sizes[l], t->actpack + t->apoff[l], ot, outer);
        if (outer > 1) {
#pragma omp barrier
        }
        float *scratch = t->bandbuf + (size_t)ot * t->bandsize;
#pragma omp for schedule(dynamic, 1)
        for (size_t q = 0; q < t->nitems; q++)
            update_item(t, &t->items[q], b, update, scratch, b1, b2, step, isbc2, eps, wd);
    }
    if (inner > 1 && levels < 2)
        omp_set_max_active_levels(levels);
    t->packed_ok = 1; /* unchanged, or repacked tile by tile */
    double loss = 0.0;
    for (size_t r = 0; r < b; r++)
        loss += t->rowloss[r];
    return loss / (double)(b * nout);
}

int am_ae_gradient(am_ae_trainer *t, const float *in, const float *target, size_t b, double *loss,
                   const float **grad)
{
    if (!t || !in || !target || !b || b > t->o.batch)
        return AM_EINVAL;
    memcpy(t->act[0], in, b * t->ae->c.sizes[0] * sizeof(float));
    t->packed_ok = 0; /* the parameters may have changed since the last call */
    double l = backprop(t, target, b, 0);
    if (loss)
        *loss = l;
    if (grad)
        *grad = t->grad;
    return AM_OK;
}

/* One step; the packed weights are trusted when packed_ok (the epoch loop: nobody else touches the
 * parameters). */
static int train_step(am_ae_trainer *t, const float *x, size_t b, am_rng *rng, double *loss)
{
    if (!t || !x || !b || b > t->o.batch || ((t->o.mask > 0 || t->o.noise > 0) && !rng))
        return AM_EINVAL;
    size_t n = b * t->ae->c.sizes[0];
    float *in = t->act[0];
    if (x != in)
        memcpy(in, x, n * sizeof(float));
    else if (t->o.mask > 0 || t->o.noise > 0)
        return AM_EINVAL; /* the clean target would be overwritten */
    if (t->o.mask > 0)
        for (size_t i = 0; i < n; i++)
            if (am_rng_uniform(rng) < t->o.mask)
                in[i] = 0.0f;
    if (t->o.noise > 0)
        for (size_t i = 0; i < n; i++)
            in[i] += (float)(t->o.noise * am_rng_normal(rng));
    double l = backprop(t, x, b, 1);
    if (loss)
        *loss = l;
    return isfinite(l) ? AM_OK : AM_ENUMERIC;
}

int am_ae_train_step(am_ae_trainer *t, const float *x, size_t b, am_rng *rng, double *loss)
{
    if (t)
        t->packed_ok = 0; /* the parameters may have changed since the last call */
    return train_step(t, x, b, rng, loss);
}

int am_ae_train_epoch(am_ae_trainer *t, const am_dataset *ds, am_rng *rng,
                      void (*progress)(size_t, size_t, double, void *), void *ctx, double *mean_loss)
{
    int rc;
    if (!t || !ds || !rng)
        return AM_EINVAL;
    if (!ds->count)
        return AM_EEMPTY;
    if (ds->dim != t->ae->c.sizes[0])
        return AM_ESIZE;
    if (t->have_order && t->order.count != ds->count) {
        am_batches_free(&t->order);
        t->have_order = 0;
    }
    if (!t->have_order) {
        if ((rc = am_batches_init(&t->order, ds->count, t->o.batch)))
            return rc;
        t->have_order = 1;
    }
    am_batches_shuffle(&t->order, rng);
    t->packed_ok = 0; /* packed once here, then kept current by the steps */
    size_t b, done = 0, total = (ds->count + t->o.batch - 1) / t->o.batch;
    double sum = 0.0;
    /* Without corruption the input is its own target: each shard copies its rows inside the step. With
     * corruption the batch is gathered and corrupted here, in order, as the random stream requires. */
    int corrupt = t->o.mask > 0 || t->o.noise > 0;
    while ((b = am_batches_next(&t->order, ds, corrupt ? t->batch : NULL, NULL, t->gidx))) {
        double l;
        if ((rc = am_cancel_poll()))
            return rc; /* the steps made so far stay made */
        if (corrupt) {
            rc = train_step(t, t->batch, b, rng, &l);
        } else {
            t->gds = ds;
            l = backprop(t, t->act[0], b, 1);
            t->gds = NULL;
            rc = isfinite(l) ? AM_OK : AM_ENUMERIC;
        }
        if (rc)
            return rc;
        sum += l;
        done++;
        if (progress)
            progress(done, total, sum / (double)done, ctx);
    }
    if (mean_loss)
        *mean_loss = sum / (double)done;
    return AM_OK;
}

/* Inference in chunks through two ping-pong buffers. */
#define AE_CHUNK 512

static int run_layers(const am_ae *ae, const float *x, size_t n, float *y, int from, int to)
{
    const am_ae_config *c = &ae->c;
    int nt = omp_in_parallel() ? 1 : omp_get_max_threads();
    packed_net pn = {0};
    float *buf = malloc(2 * AE_CHUNK * ae->widest * sizeof(float));
    if (!buf || packed_net_make(ae, from, to, nt, &pn)) {
        free(buf);
        free(pn.pk);
        return AM_ENOMEM;
    }
    int rc = AM_OK;
#pragma omp parallel num_threads(nt)
    {
        int tid = omp_get_thread_num(), T = omp_get_num_threads();
        for (size_t i0 = 0; i0 < n && !am__cancel_team(&rc); i0 += AE_CHUNK) {
            size_t m = n - i0 < AE_CHUNK ? n - i0 : AE_CHUNK;
            float *act[AM_AE_MAX_LAYERS + 1];
            act[from] = (float *)(x + i0 * c->sizes[from]);
            for (int l = from + 1; l <= to; l++)
                act[l] = l == to ? y + i0 * c->sizes[to] : buf + (l & 1) * AE_CHUNK * ae->widest;
            forward_packed(ae, &pn, act, m, from, to, tid, T);
        }
    }
    free(buf);
    free(pn.pk);
    return rc;
}

int am_ae_encode(const am_ae *ae, const float *x, size_t n, float *z)
{
    if (!ae || (n && (!x || !z)))
        return AM_EINVAL;
    return run_layers(ae, x, n, z, 0, ae->c.code_layer);
}

int am_ae_decode(const am_ae *ae, const float *z, size_t n, float *y)
{
    if (!ae || (n && (!z || !y)))
        return AM_EINVAL;
    return run_layers(ae, z, n, y, ae->c.code_layer, ae->c.layers);
}

int am_ae_reconstruct(const am_ae *ae, const float *x, size_t n, float *y)
{
    if (!ae || (n && (!x || !y)))
        return AM_EINVAL;
    return run_layers(ae, x, n, y, 0, ae->c.layers);
}

/* Squared error and (sig) binary cross-entropy of one row, each summed in order in double. */
static void row_errors(const float *x, const float *y, size_t d, int sig, double *se, double *ce)
{
    double s = 0.0, c = 0.0;
    for (size_t j = 0; j < d; j++) {
        double t = x[j], p = y[j], e = p - t;
        s += e * e;
        if (sig) {
            double pc = p < 1e-7 ? 1e-7 : p > 1 - 1e-7 ? 1 - 1e-7 : p;
            c -= t * log(pc) + (1 - t) * log(1 - pc);
        }
    }
    *se = s;
    *ce = c;
}

int am_ae_evaluate(const am_ae *ae, const float *x, size_t n, double *mse, double *bce)
{
    if (!ae || !x || !n)
        return AM_EINVAL;
    const am_ae_config *c = &ae->c;
    size_t d = c->sizes[0];
    int sig = bce && c->act[c->layers - 1] == AM_ACT_SIGMOID;
    int nt = omp_in_parallel() ? 1 : omp_get_max_threads();
    packed_net pn = {0};
    float *buf = malloc(2 * AE_CHUNK * ae->widest * sizeof(float));
    double *rows = malloc(2 * n * sizeof *rows); /* per row: squared error, cross-entropy */
    if (!buf || !rows || packed_net_make(ae, 0, c->layers, nt, &pn)) {
        free(buf), free(rows), free(pn.pk);
        return AM_ENOMEM;
    }
    /* One team for all chunks: the forward pass shares the products, then each thread takes rows. Row sums
     * are added in row order below, so the result does not depend on the thread count. */
    int rc = AM_OK;
#pragma omp parallel num_threads(nt)
    {
        int tid = omp_get_thread_num(), T = omp_get_num_threads();
        for (size_t i0 = 0; i0 < n && !am__cancel_team(&rc); i0 += AE_CHUNK) {
            size_t m = n - i0 < AE_CHUNK ? n - i0 : AE_CHUNK;
            float *act[AM_AE_MAX_LAYERS + 1];
            act[0] = (float *)(x + i0 * d);
            for (int l = 1; l <= c->layers; l++)
                act[l] = buf + (l & 1) * AE_CHUNK * ae->widest;
            forward_packed(ae, &pn, act, m, 0, c->layers, tid, T);
            for (size_t i = m * (size_t)tid / (size_t)T; i < m * (size_t)(tid + 1) / (size_t)T; i++)
                row_errors(x + (i0 + i) * d, act[c->layers] + i * d, d, sig, rows + 2 * (i0 + i),
                           rows + 2 * (i0 + i) + 1);
            if (T > 1) {
#pragma omp barrier
            }
        }
    }
    double se = 0.0, ce = 0.0;
    for (size_t i = 0; i < n && !rc; i++) {
        se += rows[2 * i];
        ce += rows[2 * i + 1];
    }
    free(buf), free(rows), free(pn.pk);
    if (rc)
        return rc;
    if (mse)
        *mse = se / (double)(n * d);
    if (bce)
        *bce = sig ? ce / (double)(n * d) : NAN; /* NaN: the output is not a probability */
    return AM_OK;
}

static const char ae_magic[8] = {'L', 'I', 'B', 'A', 'M', 'A', 'E', 'N'};
#define AE_VERSION 1u

int am_ae_save(const am_ae *ae, const char *path)
{
    am__file f;
    int rc;
    if (!ae || !path)
        return AM_EINVAL;
    if ((rc = am__wopen(&f, path)))
        return rc;
    const am_ae_config *c = &ae->c;
    am__put(&f, ae_magic, 8);
    am__put_u32(&f, AE_VERSION);
    am__put_u32(&f, 0x01020304u);
    am__put_u32(&f, (uint32_t)c->layers);
    am__put_u32(&f, (uint32_t)c->code_layer);
    am__put_u32(&f, (uint32_t)c->loss);
    for (int l = 0; l <= c->layers; l++)
        am__put_u64(&f, c->sizes[l]);
    for (int l = 0; l < c->layers; l++)
        am__put_u32(&f, (uint32_t)c->act[l]);
    am__put_f32s(&f, ae->params, ae->nparams);
    return am__wclose(&f);
}

int am_ae_load(am_ae **out, const char *path)
{
    am__file f;
    uint32_t version;
    am_ae_config c;
    am_ae *ae = NULL;
    int rc;
    if (!out || !path)
        return AM_EINVAL;
    *out = NULL;
    if ((rc = am__ropen(&f, path, ae_magic, AE_VERSION, &version)))
        return rc;
    memset(&c, 0, sizeof c);
    uint32_t layers = am__get_u32(&f);
    c.code_layer = (int)am__get_u32(&f);
    c.loss = (am_loss)am__get_u32(&f);
    if (f.err || layers < 2 || layers > AM_AE_MAX_LAYERS) {
        rc = f.err ? f.err : AM_EFORMAT;
        goto fail;
    }
    c.layers = (int)layers;
    for (int l = 0; l <= c.layers; l++)
        c.sizes[l] = (size_t)am__get_u64(&f);
    for (int l = 0; l < c.layers; l++)
        c.act[l] = (am_act)am__get_u32(&f);
    if (f.err) {
        rc = f.err;
        goto fail;
    }
    if (am_ae_config_check(&c)) {
        rc = AM_EFORMAT;
        goto fail;
    }
    /* The parameters the header implies must be in the file before they are allocated. */
    size_t nparams;
    if ((rc = ae_layout(&c, NULL, NULL, &nparams)) || (rc = am__need_items(&f, nparams, 4))) {
        rc = rc == AM_EOVERFLOW ? AM_ETRUNC : rc;
        goto fail;
    }
    if ((rc = ae_alloc(&ae, &c)))
        goto fail;
    am__get_f32s_finite(&f, ae->params, ae->nparams);
    if ((rc = am__rclose(&f))) {
        am_ae_free(ae);
        return rc;
    }
    *out = ae;
    return AM_OK;
fail:
    am__rabort(&f);
    am_ae_free(ae);
    return rc;
}
