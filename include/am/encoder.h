/* libam — one front-end API over every encoder model: encode inputs to latent vectors, decode latent vectors
 * back (where the model can), save, and load any libam encoder file by its magic.
 *
 * The models are entries of a table of encoder types (am_encoder_type; libam/encoders/encoder-type.h holds
 * the operations: name, file magic, load, save, encode, decode, describe, free, sizes), one file per type:
 *   pca   principal components (am/pca.h), file "LIBAMPCA"
 *   mlp   multilayer-perceptron autoencoder (am/autoencoder.h), file "LIBAMAEN"
 *   cnn   convolutional classifier-encoder or autoencoder (am/cnn.h), file "LIBAMCNN"; a classifier does not
 *         decode (AM_EUNSUPPORTED)
 * Adding a model is one file and one entry of am_encoder_types. */
#ifndef AM_ENCODER_H
#define AM_ENCODER_H

#include <stddef.h>

#include "am/autoencoder.h"
#include "am/cnn.h"
#include "am/pca.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_ENCODER_PCA = 0, AM_ENCODER_MLP = 1, AM_ENCODER_CNN = 2 } am_encoder_kind;
typedef struct am_encoder am_encoder;

typedef struct am_encoder_type am_encoder_type;
extern const am_encoder_type *const am_encoder_type_pca;
extern const am_encoder_type *const am_encoder_type_mlp;
extern const am_encoder_type *const am_encoder_type_cnn;
/* Every type, NULL-terminated. */
extern const am_encoder_type *const am_encoder_types[];
const char *am_encoder_type_name(const am_encoder_type *t); /* "pca", "mlp", "cnn" */
/* By name; NULL if unknown. */
const am_encoder_type *am_encoder_type_find(const char *name);

/* Wrap a model of the given type (an am_pca *, am_ae *, am_cnn * as the type says); the encoder takes
 * ownership (freed with it, also on failure). */
int am_encoder_wrap(am_encoder **out, const am_encoder_type *type, void *model);
int am_encoder_from_pca(am_encoder **out, am_pca *p);
int am_encoder_from_ae(am_encoder **out, am_ae *ae);
int am_encoder_from_cnn(am_encoder **out, am_cnn *n);
void am_encoder_free(am_encoder *e);

const am_encoder_type *am_encoder_type_of(const am_encoder *e);
am_encoder_kind am_encoder_kind_of(const am_encoder *e);
size_t am_encoder_input_dim(const am_encoder *e);
size_t am_encoder_code_dim(const am_encoder *e);
/* "pca k=64 (86.1% of variance)", "mlp 784-256-64-256-784 relu/.../sigmoid code=64 loss=mse" or
 * "cnn 1x28x28 conv32k3p1,... loss=xent code=64 params=...". */
void am_encoder_describe(const am_encoder *e, char *buf, size_t size);
am_pca *am_encoder_pca(am_encoder *e); /* NULL unless PCA */
am_ae *am_encoder_ae(am_encoder *e);   /* NULL unless MLP */
am_cnn *am_encoder_cnn(am_encoder *e); /* NULL unless CNN */

/* z (n x code_dim) from x (n x input_dim), and back; caller-owned buffers. Decoding with a model that cannot
 * (a classifier) is AM_EUNSUPPORTED. */
int am_encoder_encode(const am_encoder *e, const float *x, size_t n, float *z);
int am_encoder_decode(const am_encoder *e, const float *z, size_t n, float *x);

int am_encoder_save(const am_encoder *e, const char *path);
/* Any file written by a type's save (am_pca_save, am_ae_save, am_cnn_save); other files are AM_EFORMAT. */
int am_encoder_load(am_encoder **out, const char *path);

#ifdef __cplusplus
}
#endif
#endif
