/* Training of the convolutional networks (am/cnn.h): forward in training mode, the loss's delta, backward
 * layer by layer through two alternating delta buffers, Adam as PyTorch's. Every buffer is allocated when the
 * trainer is made. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "../core/cancel_internal.h"
#include "am/error.h"
#include "cnn-layers.h"

struct am_cnn_trainer {
    am_cnn *n;
    am_cnn_train_opts o;
    size_t steps;
    cnn_ws w;
    float *grad, *m, *v;
    float *delta[2]; /* batch x the widest layer each */
    int *labels;
    double *rowloss;
    am_batches order;
    int have_order;
};

void am_cnn_train_opts_default(am_cnn_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->batch = 128;
    o->lr = 1e-3;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
}

static int opts_ok(const am_cnn_train_opts *o)
{
    return o->batch && o->batch <= (1u << 20) && o->lr > 0 && isfinite(o->lr) && o->beta1 >= 0 && o->beta1 < 1 &&
           o->beta2 >= 0 && o->beta2 < 1 && o->eps > 0 && isfinite(o->eps) && o->weight_decay >= 0 &&
           isfinite(o->weight_decay) && o->threads >= 0 && o->threads <= 1024;
}

int am_cnn_trainer_create(am_cnn_trainer **out, am_cnn *n, const am_cnn_train_opts *o)
{
    am_cnn_train_opts def;
    if (!out || !n)
        return AM_EINVAL;
    *out = NULL;
    if (!o) {
        am_cnn_train_opts_default(&def);
        o = &def;
    }
    if (!opts_ok(o))
        return AM_EINVAL;
    am_cnn_trainer *t = calloc(1, sizeof *t);
    if (!t)
        return AM_ENOMEM;
    t->n = n;
    t->o = *o;
    int threads = o->threads > 0 ? o->threads : omp_get_max_threads();
    size_t maxact = 0;
    for (int l = 0; l < n->nl; l++) {
        size_t a = cnn_in_size(&n->l[l]), b = cnn_out_size(&n->l[l]);
        maxact = a > maxact ? a : b > maxact ? b : maxact;
    }
    int bad = am__cnn_ws_create(&t->w, n, o->batch, threads, 1) != AM_OK;
    t->grad = calloc(n->nparams ? n->nparams : 1, sizeof(float));
    t->m = calloc(n->nparams ? n->nparams : 1, sizeof(float));
    t->v = calloc(n->nparams ? n->nparams : 1, sizeof(float));
    bad |= !t->grad || !t->m || !t->v;
    for (int k = 0; k < 2; k++)
        bad |= maxact > SIZE_MAX / sizeof(float) / o->batch || !(t->delta[k] = malloc(o->batch * maxact * sizeof(float)));
    bad |= !(t->labels = malloc(o->batch * sizeof(int))) || !(t->rowloss = malloc(o->batch * sizeof(double)));
    if (bad) {
        am_cnn_trainer_free(t);
        return AM_ENOMEM;
    }
    *out = t;
    return AM_OK;
}

void am_cnn_trainer_free(am_cnn_trainer *t)
{
    if (!t)
        return;
    am__cnn_ws_free(&t->w);
    free(t->grad), free(t->m), free(t->v), free(t->delta[0]), free(t->delta[1]), free(t->labels), free(t->rowloss);
    if (t->have_order)
        am_batches_free(&t->order);
    free(t);
}

size_t am_cnn_trainer_steps(const am_cnn_trainer *t)
{
    return t ? t->steps : 0;
}

/* The loss's delta on the output (XENT, MSE: d/d act[nl] into d; BCE: d/d of the sigmoid's input) and each
 * row's loss into rowloss. Returns the mean loss. */
static double output_delta(am_cnn_trainer *t, const int *labels, const float *target, size_t b, float *d)
{
    const am_cnn *n = t->n;
    const float *y = t->w.act[n->nl];
    size_t k = cnn_out_size(&n->l[n->nl - 1]);
    float scale = n->loss == AM_CNN_XENT ? 1.0f / (float)b : 1.0f / (float)(b * k);
#pragma omp parallel for num_threads(t->w.threads) schedule(static)
    for (size_t r = 0; r < b; r++) {
        const float *yr = y + r * k, *xr = target ? target + r * k : NULL;
        float *dr = d + r * k;
        double s = 0.0;
        if (n->loss == AM_CNN_XENT) {
            s = am__cnn_xent_row(yr, k, labels[r], scale, dr, NULL);
        } else {
            for (size_t j = 0; j < k; j++) {
                float e = yr[j] - xr[j];
                if (n->loss == AM_CNN_MSE) {
                    s += (double)e * e;
                    dr[j] = 2.0f * e * scale;
                } else {
                    double p = yr[j] < 1e-7f ? 1e-7 : yr[j] > 1.0f - 1e-7f ? 1.0 - 1e-7 : yr[j];
                    s -= xr[j] * log(p) + (1.0 - xr[j]) * log(1.0 - p);
                    dr[j] = e * scale;
                }
            }
        }
        t->rowloss[r] = s;
    }
    double sum = 0.0;
    for (size_t r = 0; r < b; r++)
        sum += t->rowloss[r];
    return sum / (n->loss == AM_CNN_XENT ? (double)b : (double)(b * k));
}

/* Forward (training mode; running statistics move when stats), loss, backward into t->grad. act[0] holds the
 * input already. */
static double backprop(am_cnn_trainer *t, const int *labels, size_t b, int stats)
{
    am_cnn *n = t->n;
    for (int l = 0; l < n->nl; l++)
        am__cnn_layer_forward(n, &t->w, l, b, stats ? n->state : NULL);
    int cur = 0, start = n->loss == AM_CNN_BCE ? n->nl - 2 : n->nl - 1;
    double loss = output_delta(t, labels, t->w.act[0], b, t->delta[cur]);
    for (int l = start; l >= 0; l--) {
        float *din = l > 0 ? t->delta[cur ^ 1] : NULL;
        am__cnn_layer_backward(n, &t->w, l, b, t->delta[cur], din, t->grad);
        cur ^= 1;
    }
    return loss;
}

/* PyTorch's Adam over every parameter. */
static void adam(am_cnn_trainer *t)
{
    const am_cnn_train_opts *o = &t->o;
    t->steps++;
    double bc1 = 1.0 - pow(o->beta1, (double)t->steps), bc2 = 1.0 - pow(o->beta2, (double)t->steps);
    float step = (float)(o->lr / bc1), isbc2 = (float)(1.0 / sqrt(bc2)), b1 = (float)o->beta1, b2 = (float)o->beta2,
          eps = (float)o->eps, wd = (float)o->weight_decay;
    float *p = t->n->params, *m = t->m, *v = t->v;
    const float *g = t->grad;
#pragma omp parallel for num_threads(t->w.threads) schedule(static)
    for (size_t i = 0; i < t->n->nparams; i++) {
        float gi = g[i] + wd * p[i];
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        p[i] -= step * m[i] / (sqrtf(v[i]) * isbc2 + eps);
    }
}

/* Checks and copies a batch into act[0] (x may already be there). */
static int take_batch(am_cnn_trainer *t, const float *x, const int *labels, size_t b)
{
    int rc;
    if (!x || !b || b > t->o.batch)
        return AM_EINVAL;
    if (t->n->loss == AM_CNN_XENT && (rc = labels ? AM_OK : AM_EINVAL))
        return rc;
    for (size_t i = 0; t->n->loss == AM_CNN_XENT && i < b; i++)
        if (labels[i] < 0 || (size_t)labels[i] >= cnn_out_size(&t->n->l[t->n->nl - 1]))
            return AM_ERANGE;
    if (x != t->w.act[0])
        memcpy(t->w.act[0], x, b * cnn_in_size(&t->n->l[0]) * sizeof(float));
    return AM_OK;
}

int am_cnn_train_step(am_cnn_trainer *t, const float *x, const int *labels, size_t b, double *loss)
{
    int rc;
    if (!t)
        return AM_EINVAL;
    if ((rc = take_batch(t, x, labels, b)))
        return rc;
    double l = backprop(t, labels, b, 1);
    adam(t);
    if (loss)
        *loss = l;
    return isfinite(l) ? AM_OK : AM_ENUMERIC;
}

int am_cnn_gradient(am_cnn_trainer *t, const float *x, const int *labels, size_t b, double *loss,
                    const float **grad)
{
    int rc;
    if (!t)
        return AM_EINVAL;
    if ((rc = take_batch(t, x, labels, b)))
        return rc;
    double l = backprop(t, labels, b, 0);
    if (loss)
        *loss = l;
    if (grad)
        *grad = t->grad;
    return AM_OK;
}

/* AM_OK when the network's inference outputs (batch normalisation with its running statistics) for the b rows
 * x are all finite: finite but huge weights can overflow there while the training pass, normalised by the
 * batch's own statistics, stays finite. AM_ENOTFINITE otherwise. Allocates (once an epoch). */
static int inference_finite(const am_cnn *n, const float *x, size_t b)
{
    size_t out = am_cnn_output_dim(n);
    float *y = malloc(b * out * sizeof *y);
    int rc = y ? am_cnn_forward(n, x, b, y) : AM_ENOMEM;
    for (size_t i = 0; !rc && i < b * out; i++)
        if (!isfinite(y[i]))
            rc = AM_ENOTFINITE;
    free(y);
    return rc;
}

int am_cnn_train_epoch(am_cnn_trainer *t, const am_dataset *ds, am_rng *rng,
                       void (*progress)(size_t, size_t, double, void *), void *ctx, double *mean_loss)
{
    int rc;
    if (!t || !ds || !rng)
        return AM_EINVAL;
    if (!ds->count)
        return AM_EEMPTY;
    if (ds->dim != cnn_in_size(&t->n->l[0]))
        return AM_ESIZE;
    if (t->n->loss == AM_CNN_XENT) {
        if (!ds->labels)
            return AM_EINVAL;
        for (size_t i = 0; i < ds->count; i++)
            if (ds->labels[i] < 0 || (size_t)ds->labels[i] >= cnn_out_size(&t->n->l[t->n->nl - 1]))
                return AM_ERANGE;
    }
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
    size_t b, last = 0, done = 0, total = (ds->count + t->o.batch - 1) / t->o.batch;
    double sum = 0.0;
    while ((b = am_batches_next(&t->order, ds, t->w.act[0], ds->labels ? t->labels : NULL, NULL))) {
        double l;
        if ((rc = am_cancel_poll()))
            return rc; /* the steps made so far stay made */
        if ((rc = am_cnn_train_step(t, t->w.act[0], t->labels, b, &l)))
            return rc == AM_ENUMERIC ? AM_ENOTFINITE : rc;
        sum += l;
        done++;
        last = b;
        if (progress)
            progress(done, total, sum / (double)done, ctx);
    }
    if (mean_loss)
        *mean_loss = sum / (double)done;
    /* A step's loss is taken before it: the last step's result is checked here, on its own batch (no step, the
     * running statistics left alone), and every parameter and running statistic must be finite, so that a
     * network that diverged is not returned as trained. */
    for (size_t i = 0; i < t->n->nparams; i++)
        if (!isfinite(t->n->params[i]))
            return AM_ENOTFINITE;
    for (size_t i = 0; i < t->n->nstate; i++)
        if (!isfinite(t->n->state[i]))
            return AM_ENOTFINITE;
    if (!isfinite(backprop(t, t->labels, last, 0)))
        return AM_ENOTFINITE;
    return inference_finite(t->n, t->w.act[0], last);
}
