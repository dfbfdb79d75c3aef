/* The melody engram: a recurrent kWTA expansion with a read-out of the next beat, taught by the signed XOR
 * error (perceptron rule, feedback alignment) or, as a baseline, by backprop (see am/engram.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/gemm.h"
#include "am/binae.h"
#include "am/cancel.h"
#include "am/engram.h"
#include "am/error.h"
#include "am/rng.h"
#include "engram-internal.h"

#define MAX_BITS ((size_t)1 << 16)
#define MAX_HIDDEN ((size_t)1 << 20)
#define PAR_MIN 65536 /* elementwise loops shorter than this stay on one thread */

struct am_engram {
    size_t d, H, nu;                 /* beat bits, hidden units, expansion inputs d (+ H with a context) */
    am_engram_opts o;
    float *W, *b, *V, *v0, *B;       /* W: H x nu, b: H, V: d x H, v0: d, B: H x d (FA) */
    float *u, *a, *h, *z, *y, *e, *del, *c; /* nu, H, H, d, d, d, H, H */
    float *xa, *xb, *yb;             /* d each: beats read from a tune, a prediction */
    uint32_t *idx;                   /* H: the kWTA's selection */
    float *mom, *vel;                /* backprop: Adam's moments of every parameter (W, b, V, v0 in that order) */
    uint64_t adam_t, epoch;
    int bias_set;                    /* backprop: v0 set from the tunes' mean activity */
    am__gemm_ws ws;
};

void am_engram_opts_default(am_engram_opts *o)
{
    if (!o)
        return;
    *o = (am_engram_opts){.hidden = 512, .k = 16, .rule = AM_ENGRAM_FIXED, .context = 1, .decay = 0, .context_gain = 1,
                          .lr = 0.1, .lr_hidden = 0.001, .lr_backprop = 0.1, .seed = 1, .threads = 1};
}

static int opts_ok(const am_engram_opts *o)
{
    return o->hidden >= 1 && o->hidden <= MAX_HIDDEN && (o->rule == AM_ENGRAM_BACKPROP || (o->k >= 1 && o->k <= o->hidden)) &&
           (o->rule == AM_ENGRAM_FIXED || o->rule == AM_ENGRAM_FA || o->rule == AM_ENGRAM_BACKPROP) &&
           (o->context == 0 || o->context == 1) && isfinite(o->decay) && o->decay >= 0 && o->decay < 1 &&
           isfinite(o->context_gain) && o->context_gain > 0 && isfinite(o->lr) && o->lr > 0 && isfinite(o->lr_hidden) &&
           o->lr_hidden >= 0 && isfinite(o->lr_backprop) && o->lr_backprop > 0;
}

void am_engram_free(am_engram *g)
{
    if (!g)
        return;
    free(g->W), free(g->b), free(g->V), free(g->v0), free(g->B);
    free(g->u), free(g->a), free(g->h), free(g->z), free(g->y), free(g->e), free(g->del), free(g->c);
    free(g->xa), free(g->xb), free(g->yb), free(g->idx), free(g->mom), free(g->vel);
    am__gemm_ws_free(&g->ws);
    free(g);
}

static int alloc_all(am_engram *g, size_t wsz, size_t npar)
{
    size_t d = g->d, H = g->H;
    int bp = g->o.rule == AM_ENGRAM_BACKPROP;
    g->W = malloc(wsz * sizeof(float)), g->b = calloc(H, sizeof(float));
    g->V = malloc(d * H * sizeof(float)), g->v0 = calloc(d, sizeof(float));
    g->B = g->o.rule == AM_ENGRAM_FA ? malloc(H * d * sizeof(float)) : NULL;
    g->u = calloc(g->nu, sizeof(float)), g->a = calloc(H, sizeof(float)), g->h = calloc(H, sizeof(float));
    g->del = calloc(H, sizeof(float)), g->c = calloc(H, sizeof(float)), g->idx = malloc(H * sizeof(uint32_t));
    g->z = calloc(d, sizeof(float)), g->y = calloc(d, sizeof(float)), g->e = calloc(d, sizeof(float));
    g->xa = calloc(d, sizeof(float)), g->xb = calloc(d, sizeof(float)), g->yb = calloc(d, sizeof(float));
    g->mom = bp ? calloc(npar, sizeof(float)) : NULL, g->vel = bp ? calloc(npar, sizeof(float)) : NULL;
    return g->W && g->b && g->V && g->v0 && (g->B || g->o.rule != AM_ENGRAM_FA) && g->u && g->a && g->h && g->del &&
           g->c && g->idx && g->z && g->y && g->e && g->xa && g->xb && g->yb && (!bp || (g->mom && g->vel));
}

/* Weights from the seed: W's input columns N(0, 1/d), its context columns N(0, g^2/k) (g^2/H for backprop,
 * whose context is dense), V N(0, 1/k) (1/H), B N(0, 1/d). */
static void init_weights(am_engram *g)
{
    am_rng r;
    am_rng_init(&r, g->o.seed, 0);
    size_t d = g->d, H = g->H, fan = g->o.rule == AM_ENGRAM_BACKPROP ? H : g->o.k;
    double si = 1.0 / sqrt((double)d), sc = g->o.context_gain / sqrt((double)fan), sv = 1.0 / sqrt((double)fan);
    for (size_t j = 0; j < H; j++)
        for (size_t i = 0; i < g->nu; i++)
            g->W[j * g->nu + i] = (float)((i < d ? si : sc) * am_rng_normal(&r));
    for (size_t k = 0; k < d * H; k++)
        g->V[k] = (float)(sv * am_rng_normal(&r));
    for (size_t k = 0; g->B && k < H * d; k++)
        g->B[k] = (float)(si * am_rng_normal(&r));
}

int am_engram_create(am_engram **out, size_t d, const am_engram_opts *opts)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    am_engram_opts o;
    if (opts)
        o = *opts;
    else
        am_engram_opts_default(&o);
    if (d < 1 || d > MAX_BITS || !opts_ok(&o))
        return AM_EINVAL;
    size_t nu = d + (o.context ? o.hidden : 0), wsz, dh, npar;
    if (am_size_mul(o.hidden, nu, &wsz) || am_size_mul(d, o.hidden, &dh) || wsz > SIZE_MAX / 8 || dh > SIZE_MAX / 8)
        return AM_EOVERFLOW;
    npar = wsz + o.hidden + dh + d;
    am_engram *g = calloc(1, sizeof *g);
    if (!g)
        return AM_ENOMEM;
    g->d = d, g->H = o.hidden, g->nu = nu, g->o = o;
    if (!alloc_all(g, wsz, npar) || am__gemm_ws_reserve(&g->ws, am__gemm_team_size(o.threads))) {
        am_engram_free(g);
        return AM_ENOMEM;
    }
    init_weights(g);
    *out = g;
    return AM_OK;
}

size_t am_engram_bits(const am_engram *g) { return g ? g->d : 0; }
size_t am_engram_hidden(const am_engram *g) { return g ? g->H : 0; }

void am_engram_set_threads(am_engram *g, int threads)
{
    if (g)
        g->o.threads = threads < 0 ? 0 : threads;
}

void am_engram_reset(am_engram *g)
{
    if (g)
        memset(g->c, 0, g->H * sizeof(float));
}

static int gemm(am_engram *g, int tb, size_t n, size_t k, const float *A, const float *Bm, size_t ldb, float *C)
{
    return am__sgemm_threads(g->o.threads, 0, tb, 1, n, k, A, k, Bm, ldb, 0, C, n, &g->ws);
}

/* a before b in the kWTA's order: larger first, ties to the lower index (a total order). */
static int before(const float *a, uint32_t i, uint32_t j) { return a[i] > a[j] || (a[i] == a[j] && i < j); }

/* Rearranges idx (a permutation of 0 .. n-1) so that idx[0 .. k) are the k first in `before`'s order
 * (quickselect, middle pivot; deterministic). */
static void select_top(const float *a, uint32_t *idx, size_t n, size_t k)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2, st = lo;
        uint32_t p = idx[mid], t;
        idx[mid] = idx[hi - 1], idx[hi - 1] = p;
        for (size_t q = lo; q < hi - 1; q++)
            if (before(a, idx[q], p))
                t = idx[q], idx[q] = idx[st], idx[st++] = t;
        idx[hi - 1] = idx[st], idx[st] = p;
        if (st == k || st + 1 == k)
            return;
        if (st < k)
            lo = st + 1;
        else
            hi = st;
    }
}

/* h = kWTA_k(a) (0/1); returns the threshold: the midpoint of the k-th and (k+1)-th largest a. */
static float kwta(am_engram *g)
{
    size_t H = g->H, k = g->o.k;
    for (size_t j = 0; j < H; j++)
        g->idx[j] = (uint32_t)j, g->h[j] = 0;
    if (k < H)
        select_top(g->a, g->idx, H, k);
    float lo = INFINITY, hi = -INFINITY;
    for (size_t t = 0; t < k; t++) {
        g->h[g->idx[t]] = 1;
        lo = fminf(lo, g->a[g->idx[t]]);
    }
    for (size_t t = k; t < H; t++)
        hi = fmaxf(hi, g->a[g->idx[t]]);
    return k < H ? 0.5f * (lo + hi) : lo;
}

/* One beat forward: u from x and the context, a, h, z and the prediction g->y = [z > 0]. Returns through
 * theta the kWTA's threshold (XOR rules). */
static int forward(am_engram *g, const float *x, float *theta)
{
    size_t d = g->d, H = g->H;
    for (size_t i = 0; i < d; i++)
        g->u[i] = x[i] > 0.5f ? 1.0f : -1.0f;
    if (g->o.context)
        memcpy(g->u + d, g->c, H * sizeof(float));
    int rc = gemm(g, 1, H, g->nu, g->u, g->W, g->nu, g->a);
    if (rc)
        return rc;
    for (size_t j = 0; j < H; j++)
        g->a[j] += g->b[j];
    if (g->o.rule == AM_ENGRAM_BACKPROP)
        for (size_t j = 0; j < H; j++)
            g->h[j] = tanhf(g->a[j]);
    else
        *theta = kwta(g);
    if ((rc = gemm(g, 1, d, H, g->h, g->V, H, g->z)))
        return rc;
    for (size_t i = 0; i < d; i++) {
        g->z[i] += g->v0[i];
        g->y[i] = g->z[i] > 0 ? 1.0f : 0.0f;
    }
    return AM_OK;
}

/* The context moves on: c = rho c + (1 - rho) h (c = h when rho = 0). */
static void advance(am_engram *g)
{
    if (!g->o.context)
        return;
    float r = (float)g->o.decay, q = 1.0f - r;
    for (size_t j = 0; j < g->H; j++)
        g->c[j] = r == 0 ? g->h[j] : r * g->c[j] + q * g->h[j];
}

/* The XOR rules' learning from the error in g->e: the perceptron rule on V, v0 and, under FA, the
 * expansion through B and the window around theta. */
static int learn_xor(am_engram *g, float theta)
{
    size_t d = g->d, H = g->H, nu = g->nu;
    int any = 0;
    for (size_t i = 0; i < d; i++)
        any |= g->e[i] != 0;
    if (!any)
        return AM_OK;
    if (g->o.rule == AM_ENGRAM_FA && g->o.lr_hidden > 0) {
        int rc = gemm(g, 1, H, d, g->e, g->B, d, g->del); /* del = B e (B: H x d) */
        if (rc)
            return rc;
        float q = (float)g->o.lr_hidden;
        for (size_t j = 0; j < H; j++)
            g->del[j] = fabsf(g->a[j] - theta) < 1.0f ? q * g->del[j] : 0.0f;
        int nt = am__gemm_team_size(g->o.threads);
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1 && H * nu >= PAR_MIN)
        for (size_t j = 0; j < H; j++)
            if (g->del[j] != 0) {
                float *w = g->W + j * nu, dj = g->del[j];
                for (size_t i = 0; i < nu; i++)
                    w[i] += dj * g->u[i];
                g->b[j] += dj;
            }
    }
    float lr = (float)g->o.lr;
    for (size_t i = 0; i < d; i++)
        if (g->e[i] != 0) {
            float s = lr * g->e[i], *v = g->V + i * H;
            for (size_t t = 0; t < g->o.k; t++)
                v[g->idx[t]] += s; /* h is 0/1: only the winners' synapses change */
            g->v0[i] += s;
        }
    return AM_OK;
}

/* Adam on n parameters p with gradients grad(k) = gi[k / cols] * gj[k % cols] (an outer product; gj NULL: gi[k]),
 * moments at m, v; the step is lr_backprop / fan_in, the fan-in of the units the parameters feed (a bias counts
 * as one more input). Adam moves every weight by about its step whatever the gradient's size, so a unit's input
 * moves by about lr_backprop per beat at any H: a step independent of the fan-in saturated the tanh units
 * (a moved by lr (d + sum |c|) per beat, ~ lr H) and the network stopped learning. */
static void adam(am_engram *g, float *p, float *m, float *v, size_t rows, size_t cols, const float *gi, const float *gj,
                 size_t fan_in)
{
    double t = (double)g->adam_t;
    float lr = (float)(g->o.lr_backprop / (double)fan_in * sqrt(1 - pow(0.999, t)) / (1 - pow(0.9, t)));
    int nt = am__gemm_team_size(g->o.threads);
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1 && rows * cols >= PAR_MIN)
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            size_t k = r * cols + c;
            float gr = gj ? gi[r] * gj[c] : gi[k];
            m[k] = 0.9f * m[k] + 0.1f * gr;
            v[k] = 0.999f * v[k] + 0.001f * (gr * gr);
            p[k] -= lr * m[k] / (sqrtf(v[k]) + 1e-8f);
        }
}

/* Backprop's gradient at the beat just run forward, with x the true next beat: e = p - x at the outputs
 * (cross-entropy through the sigmoid), del = (V^T e) (1 - h^2) at the hidden units (truncated at the context).
 * The gradient of W is del u^T, of b del, of V e h^T, of v0 e. */
static int grad_backprop(am_engram *g, const float *x)
{
    for (size_t i = 0; i < g->d; i++)
        g->e[i] = 1.0f / (1.0f + expf(-g->z[i])) - (x[i] > 0.5f ? 1.0f : 0.0f);
    int rc = gemm(g, 0, g->H, g->d, g->e, g->V, g->H, g->del); /* del = e V (V: d x H) */
    if (rc)
        return rc;
    for (size_t j = 0; j < g->H; j++)
        g->del[j] *= 1.0f - g->h[j] * g->h[j];
    return AM_OK;
}

/* Backprop's learning from the true next beat x: Adam on W, b, V, v0. */
static int learn_backprop(am_engram *g, const float *x)
{
    size_t d = g->d, H = g->H, nu = g->nu;
    int rc = grad_backprop(g, x);
    if (rc)
        return rc;
    g->adam_t++;
    size_t wsz = H * nu;
    float *m = g->mom, *v = g->vel;
    adam(g, g->W, m, v, H, nu, g->del, g->u, nu);
    adam(g, g->b, m + wsz, v + wsz, 1, H, g->del, NULL, nu);
    adam(g, g->V, m + wsz + H, v + wsz + H, d, H, g->e, g->h, H);
    adam(g, g->v0, m + wsz + H + d * H, v + wsz + H + d * H, 1, d, g->e, NULL, H);
    return AM_OK;
}

size_t am__engram_params(const am_engram *g) { return g ? g->H * g->nu + g->H + g->d * g->H + g->d : 0; }

float *am__engram_param(am_engram *g, size_t k)
{
    size_t wsz = g->H * g->nu, dh = g->d * g->H;
    if (k < wsz)
        return g->W + k;
    if ((k -= wsz) < g->H)
        return g->b + k;
    if ((k -= g->H) < dh)
        return g->V + k;
    return g->v0 + (k - dh);
}

int am__engram_backprop_grad(am_engram *g, const float *x, const float *next, double *loss, float *grad)
{
    if (!g || !x || !next || !loss || g->o.rule != AM_ENGRAM_BACKPROP)
        return AM_EINVAL;
    float theta;
    int rc = forward(g, x, &theta);
    if (rc || (rc = grad_backprop(g, next)))
        return rc;
    double l = 0;
    for (size_t i = 0; i < g->d; i++) { /* -log sigmoid(+-z), stable */
        double z = next[i] > 0.5f ? g->z[i] : -g->z[i];
        l += z > 0 ? log1p(exp(-z)) : -z + log1p(exp(z));
    }
    *loss = l;
    for (size_t k = 0, n = am__engram_params(g), wsz = g->H * g->nu; grad && k < n; k++) {
        size_t q = k;
        if (q < wsz)
            grad[k] = g->del[q / g->nu] * g->u[q % g->nu];
        else if ((q -= wsz) < g->H)
            grad[k] = g->del[q];
        else if ((q -= g->H) < g->d * g->H)
            grad[k] = g->e[q / g->H] * g->h[q % g->H];
        else
            grad[k] = g->e[q - g->d * g->H];
    }
    return AM_OK;
}

static uint64_t count_wrong(const float *x, const float *y, size_t n)
{
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += (x[i] > 0.5f) != (y[i] > 0.5f);
    return w;
}

int am_engram_step_teacher(am_engram *g, const float *x, const float *next, float *y, size_t *wrong)
{
    if (!g || !x || !next)
        return AM_EINVAL;
    float theta = 0;
    int rc = forward(g, x, &theta);
    if (rc)
        return rc;
    if (y)
        memcpy(y, g->y, g->d * sizeof(float));
    if (wrong)
        *wrong = (size_t)count_wrong(next, g->y, g->d);
    if (g->o.rule == AM_ENGRAM_BACKPROP)
        rc = learn_backprop(g, next);
    else {
        if (g->o.error)
            rc = g->o.error(next, g->y, g->d, g->e, g->o.error_ctx);
        else
            am_signed_xor(next, g->y, g->d, g->e);
        if (!rc)
            rc = learn_xor(g, theta);
    }
    if (rc)
        return rc;
    advance(g);
    return AM_OK;
}

int am_engram_predict(am_engram *g, const float *x, float *y)
{
    if (!g || !x || !y)
        return AM_EINVAL;
    float theta;
    int rc = forward(g, x, &theta);
    if (rc)
        return rc;
    memcpy(y, g->y, g->d * sizeof(float));
    advance(g);
    return AM_OK;
}

/* Beat t of a tune as d bits (0/1), and back. */
static void beat_get(const am_patterns *p, size_t t, float *x)
{
    const uint64_t *w = p->bits + t * p->words;
    for (size_t i = 0; i < p->n; i++)
        x[i] = (float)((w[i / 64] >> (i % 64)) & 1);
}

static void beat_set(am_patterns *p, size_t t, const float *x)
{
    uint64_t *w = p->bits + t * p->words;
    memset(w, 0, p->words * sizeof *w);
    for (size_t i = 0; i < p->n; i++)
        if (x[i] > 0.5f)
            w[i / 64] |= (uint64_t)1 << (i % 64);
}

/* A tune (or a recall's output) the network can read: a well-formed set of d-unit patterns. */
static int seq_ok(const am_engram *g, const am_patterns *s)
{
    if (!s || !s->bits || s->words != s->n / 64 + (s->n % 64 != 0))
        return AM_EINVAL;
    return s->n != g->d ? AM_ESIZE : AM_OK;
}

/* One tune with the teacher, its counts added to c. */
static int train_tune(am_engram *g, const am_patterns *s, am_engram_counts *c)
{
    am_engram_reset(g);
    float *x = g->xa, *nx = g->xb;
    if (s->count)
        beat_get(s, 0, x);
    for (size_t t = 0; t + 1 < s->count; t++) {
        beat_get(s, t + 1, nx);
        size_t w;
        int rc = am_engram_step_teacher(g, x, nx, NULL, &w);
        if (rc)
            return rc;
        c->beats++, c->beats_right += w == 0, c->bits_wrong += w;
        float *tmp = x;
        x = nx, nx = tmp;
    }
    return AM_OK;
}

/* Backprop before its first step: v0 = logit of the tunes' mean activity (the share of 1 bits, smoothed), the
 * output the network predicts before it has learnt anything (sparse beats: every bit near 0, not 0.5). */
static void bias_from_activity(am_engram *g, const am_patterns *const *seqs, size_t nseq)
{
    if (g->o.rule != AM_ENGRAM_BACKPROP || g->bias_set || g->adam_t)
        return;
    double ones = 0, bits = 0;
    for (size_t s = 0; s < nseq; s++)
        for (size_t t = 0; t < seqs[s]->count; t++) {
            for (size_t i = 0; i < g->d; i++)
                ones += am_patterns_unit(seqs[s], t, i) > 0;
            bits += (double)g->d;
        }
    double a = (ones + 0.5) / (bits + 1);
    for (size_t i = 0; i < g->d; i++)
        g->v0[i] = (float)log(a / (1 - a));
    g->bias_set = 1;
}

int am_engram_train(am_engram *g, const am_patterns *const *seqs, size_t nseq, size_t epochs, am_engram_counts *curve)
{
    if (!g || (nseq && !seqs) || nseq > UINT32_MAX)
        return AM_EINVAL;
    for (size_t s = 0; s < nseq; s++) {
        int rc = seq_ok(g, seqs[s]);
        if (rc)
            return rc;
    }
    uint32_t *ord = malloc((nseq ? nseq : 1) * sizeof *ord);
    if (!ord)
        return AM_ENOMEM;
    if (epochs)
        bias_from_activity(g, seqs, nseq);
    int rc = AM_OK;
    for (size_t ep = 0; ep < epochs && !rc; ep++) {
        am_engram_counts c = {0};
        am_rng r;
        am_rng_init(&r, g->o.seed, am_rng_stream2(1, g->epoch++));
        for (size_t s = 0; s < nseq; s++)
            ord[s] = (uint32_t)s;
        am_rng_shuffle_u32(&r, ord, nseq);
        for (size_t s = 0; s < nseq && !rc; s++)
            if (!(rc = am_cancel_poll()))
                rc = train_tune(g, seqs[ord[s]], &c);
        if (curve && !rc)
            curve[ep] = c;
    }
    free(ord);
    return rc;
}

/* The tune from its first beat without learning: teacher-forced (free = 0) or fed its own predictions. */
static int run_tune(am_engram *g, const am_patterns *s, int free_run, size_t *right, uint64_t *bits, size_t *first)
{
    am_engram_reset(g);
    *right = 0, *bits = 0, *first = s->count;
    if (s->count)
        beat_get(s, 0, g->xa);
    for (size_t t = 0; t + 1 < s->count; t++) {
        int rc = am_engram_predict(g, g->xa, g->yb);
        if (rc)
            return rc;
        beat_get(s, t + 1, g->xb);
        uint64_t w = count_wrong(g->xb, g->yb, g->d);
        *bits += w, *right += w == 0;
        if (w && *first == s->count)
            *first = t + 1;
        memcpy(g->xa, free_run ? g->yb : g->xb, g->d * sizeof(float));
    }
    return AM_OK;
}

int am_engram_evaluate(am_engram *g, const am_patterns *seq, am_engram_eval *out)
{
    if (!g || !out)
        return AM_EINVAL;
    int rc = seq_ok(g, seq);
    if (rc)
        return rc;
    am_engram_eval ev = {.beats = seq->count ? seq->count - 1 : 0};
    size_t first;
    if ((rc = run_tune(g, seq, 0, &ev.tf_right, &ev.tf_bits_wrong, &first)) ||
        (rc = run_tune(g, seq, 1, &ev.fr_right, &ev.fr_bits_wrong, &ev.fr_first_wrong)))
        return rc;
    *out = ev;
    return AM_OK;
}

int am_engram_familiarity(am_engram *g, const am_patterns *seq, double *score)
{
    if (!g || !score)
        return AM_EINVAL;
    int rc = seq_ok(g, seq);
    if (rc)
        return rc;
    size_t right, first;
    uint64_t bits;
    if ((rc = run_tune(g, seq, 0, &right, &bits, &first)))
        return rc;
    *score = seq->count > 1 ? (double)bits / ((double)(seq->count - 1) * (double)g->d) : 0.0;
    return AM_OK;
}

int am_engram_recall(am_engram *g, const am_patterns *seq, size_t cue, am_patterns *out)
{
    if (!g)
        return AM_EINVAL;
    int rc = seq_ok(g, seq);
    if (rc || (rc = seq_ok(g, out)))
        return rc;
    if (cue < 1 || cue > seq->count)
        return AM_EINVAL;
    am_engram_reset(g);
    for (size_t t = 0; t < out->count; t++) {
        if (t < cue)
            beat_get(seq, t, g->xa); /* a given beat (out == seq keeps it as it is) */
        else
            memcpy(g->xa, g->yb, g->d * sizeof(float));
        if (out != seq || t >= cue)
            beat_set(out, t, g->xa);
        if (t + 1 < out->count && (rc = am_engram_predict(g, g->xa, g->yb)))
            return rc;
    }
    return AM_OK;
}

int am_engram_motif_error(const float *x, const float *y, size_t d, float *e, void *ctx)
{
    am_engram_motif *m = ctx;
    if (!m || (d && (!x || !y || !e)))
        return AM_EINVAL;
    int rc = am_xor_params_check(&m->params);
    if (rc)
        return rc;
    for (size_t i = 0; i < d; i++) {
        uint64_t k[AM_XOR_ROLES];
        if ((rc = am_xor_trial(&m->params, x[i], y[i], am_rng_stream2(m->seed, m->trials + i), k, NULL)))
            return rc;
        e[i] = (float)am_xor_signed_bit(&m->params, k);
    }
    m->trials += d;
    return AM_OK;
}
