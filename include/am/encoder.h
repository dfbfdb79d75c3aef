/* libam — one front-end API over PCA and MLP autoencoders: encode images to latent vectors, decode latent
 * vectors to images, save, and load any libam encoder file by its magic. */
#ifndef AM_ENCODER_H
#define AM_ENCODER_H

#include <stddef.h>

#include "am/autoencoder.h"
#include "am/pca.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_ENCODER_PCA = 0, AM_ENCODER_MLP = 1 } am_encoder_kind;
typedef struct am_encoder am_encoder;

/* Wrap a model; the encoder takes ownership (freed with it, also on failure). */
int am_encoder_from_pca(am_encoder **out, am_pca *p);
int am_encoder_from_ae(am_encoder **out, am_ae *ae);
void am_encoder_free(am_encoder *e);

am_encoder_kind am_encoder_kind_of(const am_encoder *e);
size_t am_encoder_input_dim(const am_encoder *e);
size_t am_encoder_code_dim(const am_encoder *e);
/* "pca k=64 (86.1% of variance)" or "mlp 784-256-64-256-784 relu/.../sigmoid code=64 loss=mse". */
void am_encoder_describe(const am_encoder *e, char *buf, size_t size);
am_pca *am_encoder_pca(am_encoder *e); /* NULL unless PCA */
am_ae *am_encoder_ae(am_encoder *e);   /* NULL unless MLP */

/* z (n x code_dim) from x (n x input_dim), and back; caller-owned buffers. */
int am_encoder_encode(const am_encoder *e, const float *x, size_t n, float *z);
int am_encoder_decode(const am_encoder *e, const float *z, size_t n, float *x);

int am_encoder_save(const am_encoder *e, const char *path);
/* Any file written by am_pca_save or am_ae_save; other files are AM_EFORMAT. */
int am_encoder_load(am_encoder **out, const char *path);

#ifdef __cplusplus
}
#endif
#endif
