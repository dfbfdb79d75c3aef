/* The convolutional network as an encoder type (am/encoder.h): its code layer's values are the latents; a
 * classifier does not decode (am_cnn_decode says AM_EUNSUPPORTED). */
#include "am/cnn.h"
#include "encoder-type.h"

static int load(void **model, const char *path)
{
    return am_cnn_load((am_cnn **)model, path);
}

static int save(const void *m, const char *path)
{
    return am_cnn_save(m, path);
}

static int encode(const void *m, const float *x, size_t n, float *z)
{
    return am_cnn_encode(m, x, n, z);
}

static int decode(const void *m, const float *z, size_t n, float *x)
{
    return am_cnn_decode(m, z, n, x);
}

static void describe(const void *m, char *buf, size_t size)
{
    am_cnn_describe(m, buf, size);
}

static void free_model(void *m)
{
    am_cnn_free(m);
}

static size_t input_dim(const void *m)
{
    return am_cnn_input_dim(m);
}

static size_t code_dim(const void *m)
{
    return am_cnn_code_dim(m);
}

const am_encoder_type am__encoder_cnn = {"cnn", AM_ENCODER_CNN, {'L', 'I', 'B', 'A', 'M', 'C', 'N', 'N'}, load, save,
                                         encode, decode, describe, free_model, input_dim, code_dim};
