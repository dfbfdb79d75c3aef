/* Internal: an encoder type's operations (am/encoder.h). `model` is the type's own object. */
#ifndef AM_ENCODERS_ENCODER_TYPE_H
#define AM_ENCODERS_ENCODER_TYPE_H

#include <stddef.h>

#include "am/encoder.h"

struct am_encoder_type {
    const char *name;
    am_encoder_kind kind;
    char magic[8]; /* the first 8 bytes of its files */
    int (*load)(void **model, const char *path);
    int (*save)(const void *model, const char *path);
    int (*encode)(const void *model, const float *x, size_t n, float *z);
    int (*decode)(const void *model, const float *z, size_t n, float *x); /* NULL: AM_EUNSUPPORTED */
    void (*describe)(const void *model, char *buf, size_t size);
    void (*free)(void *model);
    size_t (*input_dim)(const void *model);
    size_t (*code_dim)(const void *model);
};

/* The types, one file each (encoder-pca.c, encoder-mlp.c, encoder-cnn.c). */
extern const am_encoder_type am__encoder_pca, am__encoder_mlp, am__encoder_cnn;

#endif
