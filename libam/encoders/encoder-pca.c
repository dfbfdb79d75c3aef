/* The PCA as an encoder type (am/encoder.h). */
#include <stdio.h>

#include "am/pca.h"
#include "encoder-type.h"

static int load(void **model, const char *path)
{
    return am_pca_load((am_pca **)model, path);
}

static int save(const void *m, const char *path)
{
    return am_pca_save(m, path);
}

static int encode(const void *m, const float *x, size_t n, float *z)
{
    return am_pca_encode(m, x, n, z);
}

static int decode(const void *m, const float *z, size_t n, float *x)
{
    return am_pca_decode(m, z, n, x);
}

static void describe(const void *m, char *buf, size_t size)
{
    const am_pca *p = m;
    snprintf(buf, size, "pca k=%zu (%.1f%% of variance)", p->k, 100.0 * am_pca_explained(p, p->k));
}

static void free_model(void *m)
{
    am_pca_free(m);
}

static size_t input_dim(const void *m)
{
    return ((const am_pca *)m)->dim;
}

static size_t code_dim(const void *m)
{
    return ((const am_pca *)m)->k;
}

const am_encoder_type am__encoder_pca = {"pca", AM_ENCODER_PCA, {'L', 'I', 'B', 'A', 'M', 'P', 'C', 'A'}, load, save,
                                         encode, decode, describe, free_model, input_dim, code_dim};
