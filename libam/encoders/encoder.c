/* The front-end dispatch: one encoder type over PCA and the MLP autoencoder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "am/encoder.h"
#include "am/error.h"

struct am_encoder {
    am_encoder_kind kind;
    am_pca *pca;
    am_ae *ae;
};

int am_encoder_from_pca(am_encoder **out, am_pca *p)
{
    if (!out || !p) {
        am_pca_free(p);
        return AM_EINVAL;
    }
    *out = calloc(1, sizeof **out);
    if (!*out) {
        am_pca_free(p);
        return AM_ENOMEM;
    }
    (*out)->kind = AM_ENCODER_PCA;
    (*out)->pca = p;
    return AM_OK;
}

int am_encoder_from_ae(am_encoder **out, am_ae *ae)
{
    if (!out || !ae) {
        am_ae_free(ae);
        return AM_EINVAL;
    }
    *out = calloc(1, sizeof **out);
    if (!*out) {
        am_ae_free(ae);
        return AM_ENOMEM;
    }
    (*out)->kind = AM_ENCODER_MLP;
    (*out)->ae = ae;
    return AM_OK;
}

void am_encoder_free(am_encoder *e)
{
    if (!e)
        return;
    am_pca_free(e->pca);
    am_ae_free(e->ae);
    free(e);
}

am_encoder_kind am_encoder_kind_of(const am_encoder *e)
{
    return e->kind;
}

size_t am_encoder_input_dim(const am_encoder *e)
{
    return e->pca ? e->pca->dim : am_ae_input_dim(e->ae);
}

size_t am_encoder_code_dim(const am_encoder *e)
{
    return e->pca ? e->pca->k : am_ae_code_dim(e->ae);
}

void am_encoder_describe(const am_encoder *e, char *buf, size_t size)
{
    if (e->pca) {
        snprintf(buf, size, "pca k=%zu (%.1f%% of variance)", e->pca->k, 100.0 * am_pca_explained(e->pca, e->pca->k));
    } else {
        char c[256];
        am_ae_config_describe(am_ae_config_of(e->ae), c, sizeof c);
        snprintf(buf, size, "mlp %s", c);
    }
}

am_pca *am_encoder_pca(am_encoder *e)
{
    return e ? e->pca : NULL;
}

am_ae *am_encoder_ae(am_encoder *e)
{
    return e ? e->ae : NULL;
}

int am_encoder_encode(const am_encoder *e, const float *x, size_t n, float *z)
{
    if (!e)
        return AM_EINVAL;
    return e->pca ? am_pca_encode(e->pca, x, n, z) : am_ae_encode(e->ae, x, n, z);
}

int am_encoder_decode(const am_encoder *e, const float *z, size_t n, float *x)
{
    if (!e)
        return AM_EINVAL;
    return e->pca ? am_pca_decode(e->pca, z, n, x) : am_ae_decode(e->ae, z, n, x);
}

int am_encoder_save(const am_encoder *e, const char *path)
{
    if (!e)
        return AM_EINVAL;
    return e->pca ? am_pca_save(e->pca, path) : am_ae_save(e->ae, path);
}

int am_encoder_load(am_encoder **out, const char *path)
{
    char magic[8];
    int rc;
    if (!out || !path)
        return AM_EINVAL;
    *out = NULL;
    if ((rc = am__read_magic(path, magic)))
        return rc;
    if (!memcmp(magic, "LIBAMPCA", 8)) {
        am_pca *p;
        if ((rc = am_pca_load(&p, path)))
            return rc;
        return am_encoder_from_pca(out, p);
    }
    if (!memcmp(magic, "LIBAMAEN", 8)) {
        am_ae *ae;
        if ((rc = am_ae_load(&ae, path)))
            return rc;
        return am_encoder_from_ae(out, ae);
    }
    return AM_EFORMAT;
}
