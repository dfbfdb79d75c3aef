/* Datasets in memory: loading from IDX, subsets, normalisation and shuffled minibatches. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "am/data.h"
#include "am/error.h"

/* The dataset structure with room for count x dim values, not zeroed (the caller fills them). */
static int dataset_alloc(am_dataset **out, size_t count, size_t dim, int with_labels)
{
    size_t n;
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!dim)
        return AM_EINVAL;
    if (am_size_mul3(count ? count : 1, dim, sizeof(float), &n))
        return AM_EOVERFLOW;
    am_dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return AM_ENOMEM;
    ds->count = count;
    ds->dim = dim;
    ds->rows = 1;
    ds->cols = dim;
    ds->x = am__alloc_big(n);
    if (with_labels)
        ds->labels = calloc(count ? count : 1, sizeof(int));
    if (!ds->x || (with_labels && !ds->labels)) {
        am_dataset_free(ds);
        return AM_ENOMEM;
    }
    *out = ds;
    return AM_OK;
}

int am_dataset_create(am_dataset **out, size_t count, size_t dim, int with_labels)
{
    int rc = dataset_alloc(out, count, dim, with_labels);
    if (!rc)
        memset((*out)->x, 0, (count ? count : 1) * dim * sizeof(float));
    return rc;
}

void am_dataset_free(am_dataset *ds)
{
    if (!ds)
        return;
    free(ds->x);
    free(ds->labels);
    free(ds);
}

int am_dataset_load(am_dataset **out, const char *images, const char *labels, double scale)
{
    am_idx *im = NULL, *lb = NULL;
    am_dataset *ds = NULL;
    int rc;
    if (!out || !images || !isfinite(scale))
        return AM_EINVAL;
    *out = NULL;
    if ((rc = am_idx_read(&im, images)))
        return rc;
    if (im->dims[0] == 0 || im->count / im->dims[0] == 0) {
        rc = AM_EFORMAT;
        goto done;
    }
    if (labels) {
        if ((rc = am_idx_read(&lb, labels)))
            goto done;
        if (lb->ndim != 1 || lb->dims[0] != im->dims[0]) {
            rc = AM_ESIZE;
            goto done;
        }
    }
    size_t count = im->dims[0], dim = im->count / count;
    if ((rc = dataset_alloc(&ds, count, dim, lb != NULL)))
        goto done;
    if (im->ndim == 3) {
        ds->rows = im->dims[1];
        ds->cols = im->dims[2];
    }
    if (im->type == AM_IDX_U8) {
        const uint8_t *p = im->data;
        float lut[256];
        for (int v = 0; v < 256; v++)
            lut[v] = (float)(v * scale);
        for (size_t i = 0; i < im->count; i++)
            ds->x[i] = lut[p[i]];
    } else {
        /* Integer pixels are scaled; floating-point data (spectrograms, latents) are taken as stored. */
        double sc = im->type == AM_IDX_F32 || im->type == AM_IDX_F64 ? 1.0 : scale;
        for (size_t i = 0; i < im->count; i++) {
            double v = am_idx_value(im, i) * sc;
            if (!isfinite((float)v)) {
                rc = AM_ENOTFINITE;
                goto done;
            }
            ds->x[i] = (float)v;
        }
    }
    if (lb) {
        for (size_t i = 0; i < count; i++) {
            double v = am_idx_value(lb, i);
            if (!(v >= 0 && v < AM_MAX_CLASSES) || v != floor(v)) {
                rc = v != v || v == floor(v) ? AM_ERANGE : AM_EFORMAT;
                goto done;
            }
            ds->labels[i] = (int)v;
            if (ds->labels[i] + 1 > ds->classes)
                ds->classes = ds->labels[i] + 1;
        }
    }
done:
    am_idx_free(im);
    am_idx_free(lb);
    if (rc)
        am_dataset_free(ds);
    else
        *out = ds;
    return rc;
}

int am_dataset_take(am_dataset **out, const am_dataset *ds, const uint32_t *idx, size_t count)
{
    am_dataset *s;
    int rc;
    if (!out || !ds || (count && !idx))
        return AM_EINVAL;
    *out = NULL;
    for (size_t i = 0; i < count; i++)
        if (idx[i] >= ds->count)
            return AM_EINVAL;
    if ((rc = dataset_alloc(&s, count, ds->dim, ds->labels != NULL)))
        return rc;
    s->rows = ds->rows;
    s->cols = ds->cols;
    s->classes = ds->classes;
    for (size_t i = 0; i < count; i++) {
        memcpy(s->x + i * ds->dim, ds->x + (size_t)idx[i] * ds->dim, ds->dim * sizeof(float));
        if (ds->labels)
            s->labels[i] = ds->labels[idx[i]];
    }
    *out = s;
    return AM_OK;
}

int am_dataset_slice(am_dataset **out, const am_dataset *ds, size_t first, size_t count)
{
    if (!out || !ds)
        return AM_EINVAL;
    *out = NULL;
    if (first > ds->count || count > ds->count - first || count > UINT32_MAX)
        return AM_EINVAL;
    uint32_t *idx = malloc((count ? count : 1) * sizeof *idx);
    if (!idx)
        return AM_ENOMEM;
    for (size_t i = 0; i < count; i++)
        idx[i] = (uint32_t)(first + i);
    int rc = am_dataset_take(out, ds, idx, count);
    free(idx);
    return rc;
}

int am_dataset_stats(const am_dataset *ds, float *mean, float *sd)
{
    if (!ds || !mean || !sd || !ds->count)
        return AM_EINVAL;
    double *s1 = calloc(2 * ds->dim, sizeof(double));
    if (!s1)
        return AM_ENOMEM;
    double *s2 = s1 + ds->dim;
    for (size_t i = 0; i < ds->count; i++) {
        const float *x = ds->x + i * ds->dim;
        for (size_t j = 0; j < ds->dim; j++)
            s1[j] += x[j];
    }
    for (size_t j = 0; j < ds->dim; j++)
        s1[j] /= (double)ds->count;
    /* Two passes: the variance of pixels that are nearly constant is not lost to cancellation. */
    for (size_t i = 0; i < ds->count; i++) {
        const float *x = ds->x + i * ds->dim;
        for (size_t j = 0; j < ds->dim; j++) {
            double d = x[j] - s1[j];
            s2[j] += d * d;
        }
    }
    for (size_t j = 0; j < ds->dim; j++) {
        mean[j] = (float)s1[j];
        sd[j] = (float)sqrt(s2[j] / (double)ds->count);
    }
    free(s1);
    return AM_OK;
}

int am_dataset_normalize(am_dataset *ds, const float *mean, const float *sd)
{
    if (!ds || !mean || !sd)
        return AM_EINVAL;
    for (size_t i = 0; i < ds->count; i++) {
        float *x = ds->x + i * ds->dim;
        for (size_t j = 0; j < ds->dim; j++) {
            x[j] -= mean[j];
            if (sd[j] > 0)
                x[j] /= sd[j];
        }
    }
    return AM_OK;
}

const char *am_fashion_class_name(int c)
{
    static const char *const names[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                          "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return c >= 0 && c < 10 ? names[c] : "?";
}

int am_fashion_load(am_dataset **out, const char *dir, const char *split)
{
    char im[4096], lb[4096];
    const char *stem;
    if (!out || !split)
        return AM_EINVAL;
    *out = NULL;
    if (!strcmp(split, "train"))
        stem = "train";
    else if (!strcmp(split, "test"))
        stem = "t10k";
    else
        return AM_EINVAL;
    if (!dir)
        dir = AM_FASHION_DIR;
    if (snprintf(im, sizeof im, "%s/%s-images-idx3-ubyte.gz", dir, stem) >= (int)sizeof im ||
        snprintf(lb, sizeof lb, "%s/%s-labels-idx1-ubyte.gz", dir, stem) >= (int)sizeof lb)
        return AM_EINVAL;
    return am_dataset_load(out, im, lb, 1.0 / 255.0);
}

int am_batches_init(am_batches *b, size_t count, size_t size)
{
    if (!b)
        return AM_EINVAL;
    memset(b, 0, sizeof *b);
    if (!count || !size || count > UINT32_MAX)
        return AM_EINVAL;
    b->order = malloc(count * sizeof *b->order);
    if (!b->order)
        return AM_ENOMEM;
    b->count = count;
    b->size = size;
    am_batches_shuffle(b, NULL);
    return AM_OK;
}

void am_batches_free(am_batches *b)
{
    if (!b)
        return;
    free(b->order);
    b->order = NULL;
}

void am_batches_shuffle(am_batches *b, am_rng *rng)
{
    for (size_t i = 0; i < b->count; i++)
        b->order[i] = (uint32_t)i;
    if (rng)
        am_rng_shuffle_u32(rng, b->order, b->count);
    b->pos = 0;
}

size_t am_batches_next(am_batches *b, const am_dataset *ds, float *x, int *labels, uint32_t *idx)
{
    size_t n = b->count - b->pos < b->size ? b->count - b->pos : b->size;
    for (size_t r = 0; r < n; r++) {
        uint32_t i = b->order[b->pos + r];
        if (x)
            memcpy(x + r * ds->dim, ds->x + (size_t)i * ds->dim, ds->dim * sizeof(float));
        if (labels)
            labels[r] = ds->labels ? ds->labels[i] : -1;
        if (idx)
            idx[r] = i;
    }
    b->pos += n;
    return n;
}
