/* The MLP autoencoder as an encoder type (am/encoder.h). */
#include <stdio.h>

#include "am/autoencoder.h"
#include "encoder-type.h"

static int load(void **model, const char *path)
{
    return am_ae_load((am_ae **)model, path);
}

static int save(const void *m, const char *path)
{
    return am_ae_save(m, path);
}

static int encode(const void *m, const float *x, size_t n, float *z)
{
    return am_ae_encode(m, x, n, z);
}

static int decode(const void *m, const float *z, size_t n, float *x)
{
    return am_ae_decode(m, z, n, x);
}

static void describe(const void *m, char *buf, size_t size)
{
    char c[256];
    am_ae_config_describe(am_ae_config_of(m), c, sizeof c);
    snprintf(buf, size, "mlp %s", c);
}

static void free_model(void *m)
{
    am_ae_free(m);
}

static size_t input_dim(const void *m)
{
    return am_ae_input_dim(m);
}

static size_t code_dim(const void *m)
{
    return am_ae_code_dim(m);
}

const am_encoder_type am__encoder_mlp = {"mlp", AM_ENCODER_MLP, {'L', 'I', 'B', 'A', 'M', 'A', 'E', 'N'}, load, save,
                                         encode, decode, describe, free_model, input_dim, code_dim};
