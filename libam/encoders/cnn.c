/* Convolutional networks (am/cnn.h): creation, the buffers of a pass, inference in chunks, training with Adam,
 * files. The layers themselves are in cnn-layers.c, the description's parser in cnn-spec.c. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/cancel_internal.h"
#include "../core/io.h"
#include "am/error.h"
#include "cnn-layers.h"

#define CNN_CHUNK 128 /* rows per inference chunk */

/* ---- buffers of a pass ---- */

void am__cnn_ws_free(cnn_ws *w)
{
    if (!w)
        return;
    if (w->train)
        for (int l = 0; l <= AM_CNN_MAX_LAYERS; l++)
            if (!l || w->act[l] != w->act[l - 1])
                free(w->act[l]);
    free(w->actbuf), free(w->tcol), free(w->tdcol), free(w->wpart), free(w->wt), free(w->bnstat), free(w->bnk);
    free(w->arg), free(w->part), free(w->sum1), free(w->sum2);
    am__gemm_ws_free(&w->gws);
    memset(w, 0, sizeof *w);
}

/* Floats of count x per, or SIZE_MAX when that overflows (malloc then fails). */
static size_t times(size_t count, size_t per)
{
    size_t r;
    return am_size_mul3(count, per, sizeof(float), &r) ? SIZE_MAX : count * per;
}

static void *fmalloc(size_t floats)
{
    return floats > SIZE_MAX / sizeof(float) ? NULL : malloc((floats ? floats : 1) * sizeof(float));
}

static int is_act(cnn_kind k)
{
    return k == CNN_RELU || k == CNN_TANH || k == CNN_SIGMOID;
}

/* Whether layer l may write its output over its input in training: a view always; an activation (whose
 * backward reads its output only) unless the nearest layer before it that is not a view is an activation too
 * (whose backward needs the values it would overwrite) or there is none (the input). */
static int in_place(const am_cnn *n, int l)
{
    if (n->l[l].kind == CNN_VIEW)
        return 1;
    if (!is_act(n->l[l].kind))
        return 0;
    int p = l - 1;
    while (p >= 0 && n->l[p].kind == CNN_VIEW)
        p--;
    return p >= 0 && !is_act(n->l[p].kind);
}

int am__cnn_ws_create(cnn_ws *w, const am_cnn *n, size_t batch, int threads, int train)
{
    size_t maxact = 0, maxcol = 0, totarg = 0, totbn = 0, maxc = 1, maxw = 0, maxkn = 0;
    memset(w, 0, sizeof *w);
    w->batch = batch, w->threads = threads, w->train = train;
    for (int l = 0; l < n->nl; l++) {
        const cnn_layer *L = &n->l[l];
        size_t isz = cnn_in_size(L), osz = cnn_out_size(L), pos = L->oh * L->ow;
        maxact = isz > maxact ? isz : osz > maxact ? osz : maxact;
        maxc = L->oc > maxc ? L->oc : maxc;
        if (L->kind == CNN_CONV || L->kind == CNN_FC) {
            /* Weight-gradient partials: CNN_LANES lanes (im2col) or row chunks (plain products). */
            size_t rows = times(batch, pos), G = L->nocol ? (rows + CNN_KCHUNK - 1) / CNN_KCHUNK : CNN_LANES;
            size_t per = times(L->K, L->oc);
            maxkn = per > maxkn ? per : maxkn;
            maxw = G > 1 && times(G, per) > maxw ? times(G, per) : maxw;
            if (!L->nocol) {
                size_t sg = am__cnn_group(L), c = times(sg < batch ? sg : batch, times(pos, L->K));
                maxcol = c > maxcol ? c : maxcol;
            }
        }
        w->argoff[l] = totarg * batch; /* the layer's choices for every row of the batch */
        totarg += L->kind == CNN_MAXPOOL ? osz : 0;
        w->bnoff[l] = totbn;
        totbn += L->kind == CNN_BN ? 2 * L->oc : 0;
    }
    int bad = 0;
    if (train) {
        bad |= !(w->act[0] = fmalloc(times(batch, cnn_in_size(&n->l[0]))));
        for (int l = 0; l < n->nl && !bad; l++)
            if (!(w->act[l + 1] = in_place(n, l) ? w->act[l] : fmalloc(times(batch, cnn_out_size(&n->l[l])))))
                bad = 1;
        bad |= !(w->arg = malloc((times(batch, totarg) ? times(batch, totarg) : 1) * sizeof(int32_t)));
        bad |= !(w->wt = fmalloc(maxkn)) || !(w->tdcol = fmalloc(times((size_t)threads, maxcol)));
    } else {
        bad |= !(w->actbuf = fmalloc(times(2 * batch, maxact)));
    }
    w->tcolsize = maxcol;
    bad |= !(w->tcol = fmalloc(times((size_t)threads, maxcol)));
    bad |= !(w->wpart = fmalloc(maxw)) || !(w->bnstat = fmalloc(totbn)) || !(w->bnk = fmalloc(3 * maxc));
    bad |= !(w->part = malloc(CNN_SUMCHUNKS * 2 * maxc * sizeof(double)));
    bad |= !(w->sum1 = malloc(maxc * sizeof(double))) || !(w->sum2 = malloc(maxc * sizeof(double)));
    bad |= am__gemm_ws_reserve(&w->gws, threads) != AM_OK;
    if (bad) {
        am__cnn_ws_free(w);
        return AM_ENOMEM;
    }
    return AM_OK;
}

/* ---- the network ---- */

int am_cnn_create(am_cnn **out, const char *input, const char *layers, am_cnn_loss loss, am_rng *rng, char *err,
                  size_t errsize)
{
    int rc;
    if (!out)
        return am__invalid(err, errsize, "out is NULL");
    *out = NULL;
    if (!rng)
        return am__invalid(err, errsize, "rng is NULL");
    am_cnn *n = calloc(1, sizeof *n);
    if (!n)
        return AM_ENOMEM;
    if ((rc = am__cnn_parse(n, input, layers, loss, err, errsize))) {
        free(n);
        return rc;
    }
    n->params = fmalloc(n->nparams);
    n->state = fmalloc(n->nstate);
    if (!n->params || !n->state) {
        am_cnn_free(n);
        return AM_ENOMEM;
    }
    for (int l = 0; l < n->nl; l++) {
        const cnn_layer *L = &n->l[l];
        if (L->kind == CNN_CONV || L->kind == CNN_FC) {
            double bound = 1.0 / sqrt((double)L->K);
            for (size_t i = L->woff; i < L->boff + L->oc; i++)
                n->params[i] = (float)(bound * (2.0 * am_rng_uniform(rng) - 1.0));
        } else if (L->kind == CNN_BN) {
            for (size_t c = 0; c < L->oc; c++) {
                n->params[L->woff + c] = 1.0f;
                n->params[L->boff + c] = 0.0f;
                n->state[L->soff + c] = 0.0f;
                n->state[L->soff + L->oc + c] = 1.0f;
            }
        }
    }
    *out = n;
    return AM_OK;
}

void am_cnn_free(am_cnn *n)
{
    if (!n)
        return;
    free(n->params);
    free(n->state);
    free(n);
}

size_t am_cnn_input_dim(const am_cnn *n)
{
    return cnn_in_size(&n->l[0]);
}

size_t am_cnn_output_dim(const am_cnn *n)
{
    return cnn_out_size(&n->l[n->nl - 1]);
}

/* Values of act[i]: the input of layer i, or the output for i = nl. */
static size_t act_size(const am_cnn *n, int i)
{
    return i < n->nl ? cnn_in_size(&n->l[i]) : cnn_out_size(&n->l[n->nl - 1]);
}

size_t am_cnn_code_dim(const am_cnn *n)
{
    return act_size(n, n->code);
}

am_cnn_loss am_cnn_loss_of(const am_cnn *n)
{
    return n->loss;
}

void am_cnn_describe(const am_cnn *n, char *buf, size_t size)
{
    if (size)
        snprintf(buf, size, "cnn %s %s loss=%s code=%zu params=%zu", n->input, n->spec, am_cnn_loss_name(n->loss),
                 am_cnn_code_dim(n), n->nparams);
}

const float *am_cnn_state(const am_cnn *n, size_t *count)
{
    if (count)
        *count = n ? n->nstate : 0;
    return n ? n->state : NULL;
}

double am_cnn_macs(const am_cnn *n)
{
    double w = 0;
    for (int l = 0; n && l < n->nl; l++) {
        const cnn_layer *L = &n->l[l];
        w += (double)cnn_out_size(L) * (L->kind == CNN_CONV || L->kind == CNN_FC ? (double)L->K : 1.0);
    }
    return w;
}

float *am_cnn_params(am_cnn *n, size_t *count)
{
    if (count)
        *count = n ? n->nparams : 0;
    return n ? n->params : NULL;
}

/* ---- inference ---- */

/* Layers [from, to) on count rows of x (count x act_size(from)) into y (count x act_size(to)). */
static int run_layers(const am_cnn *n, const float *x, size_t count, float *y, int from, int to)
{
    cnn_ws w;
    int rc;
    if (!count)
        return AM_OK;
    size_t chunk = count < CNN_CHUNK ? count : CNN_CHUNK, in = act_size(n, from), out = act_size(n, to), maxact = 0;
    for (int l = from; l < to; l++)
        maxact = act_size(n, l + 1) > maxact ? act_size(n, l + 1) : maxact;
    if ((rc = am__cnn_ws_create(&w, n, chunk, omp_in_parallel() ? 1 : omp_get_max_threads(), 0)))
        return rc;
    for (size_t i0 = 0; i0 < count && !rc; i0 += chunk) {
        size_t b = count - i0 < chunk ? count - i0 : chunk;
        if ((rc = am_cancel_poll()))
            break;
        w.act[from] = (float *)(x + i0 * in);
        for (int l = from + 1; l < to; l++)
            w.act[l] = w.actbuf + (size_t)((l - from) & 1) * chunk * maxact;
        w.act[to] = y + i0 * out;
        for (int l = from; l < to; l++)
            am__cnn_layer_forward(n, &w, l, b, NULL);
    }
    am__cnn_ws_free(&w);
    return rc;
}

int am_cnn_forward(const am_cnn *n, const float *x, size_t count, float *y)
{
    if (!n || (count && (!x || !y)))
        return AM_EINVAL;
    return run_layers(n, x, count, y, 0, n->nl);
}

int am_cnn_encode(const am_cnn *n, const float *x, size_t count, float *z)
{
    if (!n || (count && (!x || !z)))
        return AM_EINVAL;
    return run_layers(n, x, count, z, 0, n->code);
}

int am_cnn_decode(const am_cnn *n, const float *z, size_t count, float *y)
{
    if (!n || (count && (!z || !y)))
        return AM_EINVAL;
    if (n->loss == AM_CNN_XENT)
        return AM_EUNSUPPORTED;
    return run_layers(n, z, count, y, n->code, n->nl);
}

/* Cross-entropy of one row of k scores against label, and whether the label has the largest score (the
 * first of equal scores). With d (not NULL): d = (softmax - onehot) * scale. */
double am__cnn_xent_row(const float *z, size_t k, int label, float scale, float *d, int *right)
{
    size_t best = 0;
    float m = z[0];
    for (size_t j = 1; j < k; j++)
        if (z[j] > m)
            m = z[j], best = j;
    double s = 0.0;
    for (size_t j = 0; j < k; j++)
        s += exp((double)z[j] - m);
    if (d)
        for (size_t j = 0; j < k; j++)
            d[j] = (float)(exp((double)z[j] - m) / s) * scale - (j == (size_t)label ? scale : 0.0f);
    if (right)
        *right = best == (size_t)label;
    return (double)m + log(s) - (double)z[label];
}

/* Squared error and binary cross-entropy of a row of reconstructions y against x. */
static void recon_row(const float *y, const float *x, size_t d, double *se, double *ce)
{
    double s = 0.0, c = 0.0;
    for (size_t j = 0; j < d; j++) {
        double p = y[j], t = x[j], e = p - t, pc = p < 1e-7 ? 1e-7 : p > 1 - 1e-7 ? 1 - 1e-7 : p;
        s += e * e;
        c -= t * log(pc) + (1 - t) * log(1 - pc);
    }
    *se = s;
    *ce = c;
}

static int check_labels(const am_cnn *n, const int *labels, size_t count)
{
    if (!labels)
        return AM_EINVAL;
    for (size_t i = 0; i < count; i++)
        if (labels[i] < 0 || (size_t)labels[i] >= am_cnn_output_dim(n))
            return AM_ERANGE;
    return AM_OK;
}

int am_cnn_evaluate(const am_cnn *n, const am_dataset *ds, double *loss, double *accuracy)
{
    int rc;
    if (!n || !ds)
        return AM_EINVAL;
    if (!ds->count)
        return AM_EEMPTY;
    if (ds->dim != am_cnn_input_dim(n))
        return AM_ESIZE;
    if (n->loss == AM_CNN_XENT && (rc = check_labels(n, ds->labels, ds->count)))
        return rc;
    size_t k = am_cnn_output_dim(n);
    float *y = fmalloc(times(ds->count, k));
    if (!y)
        return AM_ENOMEM;
    if ((rc = am_cnn_forward(n, ds->x, ds->count, y))) {
        free(y);
        return rc;
    }
    double a = 0.0, b = 0.0;
    for (size_t i = 0; i < ds->count; i++) {
        int right;
        double se, ce;
        if (n->loss == AM_CNN_XENT) {
            a += am__cnn_xent_row(y + i * k, k, ds->labels[i], 0.0f, NULL, &right);
            b += right;
        } else {
            recon_row(y + i * k, ds->x + i * k, k, &se, &ce);
            a += se;
            b += ce;
        }
    }
    free(y);
    double per = n->loss == AM_CNN_XENT ? (double)ds->count : (double)(ds->count * k);
    if (loss)
        *loss = a / per;
    if (accuracy)
        *accuracy = n->loss == AM_CNN_XENT ? b / per : n->l[n->nl - 1].kind == CNN_SIGMOID ? b / per : NAN;
    return AM_OK;
}

/* ---- files ---- */

static const char cnn_magic[8] = {'L', 'I', 'B', 'A', 'M', 'C', 'N', 'N'};
#define CNN_VERSION 1u

int am_cnn_save(const am_cnn *n, const char *path)
{
    am__file f;
    int rc;
    if (!n || !path)
        return AM_EINVAL;
    if ((rc = am__wopen(&f, path)))
        return rc;
    am__put(&f, cnn_magic, 8);
    am__put_u32(&f, CNN_VERSION);
    am__put_u32(&f, 0x01020304u);
    am__put_u32(&f, (uint32_t)n->loss);
    am__put_u32(&f, (uint32_t)strlen(n->input));
    am__put(&f, n->input, strlen(n->input));
    am__put_u32(&f, (uint32_t)strlen(n->spec));
    am__put(&f, n->spec, strlen(n->spec));
    am__put_u64(&f, n->nparams);
    am__put_u64(&f, n->nstate);
    am__put_f32s(&f, n->params, n->nparams);
    am__put_f32s(&f, n->state, n->nstate);
    return am__wclose(&f);
}

/* A string of at most max bytes (length first) into buf (max + 1 bytes); AM_EFORMAT for a longer one or a NUL
 * inside. */
static int get_string(am__file *f, char *buf, size_t max)
{
    uint32_t len = am__get_u32(f);
    if (f->err)
        return f->err;
    if (len > max || am__need(f, len))
        return len > max ? AM_EFORMAT : AM_ETRUNC;
    am__get(f, buf, len);
    buf[len] = '\0';
    return f->err ? f->err : strlen(buf) == len ? AM_OK : AM_EFORMAT;
}

/* Batch normalisation's running variances must be >= 0 (the loader has checked they are finite). */
static int state_ok(const am_cnn *n)
{
    for (int l = 0; l < n->nl; l++)
        for (size_t c = 0; n->l[l].kind == CNN_BN && c < n->l[l].oc; c++)
            if (!(n->state[n->l[l].soff + n->l[l].oc + c] >= 0.0f))
                return 0;
    return 1;
}

int am_cnn_load(am_cnn **out, const char *path)
{
    am__file f;
    uint32_t version;
    int rc;
    if (!out || !path)
        return AM_EINVAL;
    *out = NULL;
    if ((rc = am__ropen(&f, path, cnn_magic, CNN_VERSION, &version)))
        return rc;
    am_cnn *n = calloc(1, sizeof *n);
    char input[sizeof n->input], spec[AM_CNN_MAX_SPEC + 1];
    if (!n) {
        am__rabort(&f);
        return AM_ENOMEM;
    }
    uint32_t loss = am__get_u32(&f);
    if (!(rc = f.err) && !(rc = get_string(&f, input, sizeof input - 1)) && !(rc = get_string(&f, spec, AM_CNN_MAX_SPEC)))
        rc = am__cnn_parse(n, input, spec, (am_cnn_loss)loss, NULL, 0) ? AM_EFORMAT : AM_OK;
    uint64_t np = am__get_u64(&f), ns = am__get_u64(&f);
    if (!rc && (rc = f.err) == AM_OK && (np != n->nparams || ns != n->nstate))
        rc = AM_EFORMAT;
    /* The values the header implies must be in the file before they are allocated. */
    if (!rc && !(rc = am__need_items(&f, np + ns, 4))) {
        n->params = fmalloc(n->nparams);
        n->state = fmalloc(n->nstate);
        rc = n->params && n->state ? AM_OK : AM_ENOMEM;
    }
    if (rc) {
        am__rabort(&f);
        am_cnn_free(n);
        return rc;
    }
    am__get_f32s_finite(&f, n->params, n->nparams);
    am__get_f32s_finite(&f, n->state, n->nstate);
    if ((rc = am__rclose(&f)) || (rc = state_ok(n) ? AM_OK : AM_EFORMAT)) {
        am_cnn_free(n);
        return rc;
    }
    *out = n;
    return AM_OK;
}
