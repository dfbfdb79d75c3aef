/* libam — latent codes: the vectors a store keeps, made from an encoder's latent vectors z.
 *
 *   continuous  c = (z - mean) / s, s the RMS norm of the centred fitting latents (so |c| ~ 1): for the
 *               modern store; decoded exactly by z = s c + mean.
 *   sign        c_j = +1 if y_j > median_j else -1, y = P (z - mean): balanced +-1 bits for the classical
 *               and dense stores.
 *   topk        c_j = +1 for the k largest standardised y_j, -1 for the others: a sparse +-1 code.
 * P is the identity when the code has as many units as the latent, else a fixed Gaussian random projection
 * to `bits` units (bits may exceed the latent dimension). Binary codes are decoded to latents by a ridge
 * least-squares map from [c, 1] to z fitted on the same latents, so decoding an exact code is the best
 * linear guess of its latent, not the latent itself. */
#ifndef AM_LATENT_H
#define AM_LATENT_H

#include <stddef.h>
#include <stdint.h>

#include "am/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_CODE_CONTINUOUS = 0, AM_CODE_SIGN = 1, AM_CODE_TOPK = 2 } am_code_kind;

const char *am_code_kind_name(am_code_kind k);
int am_code_kind_parse(const char *s, am_code_kind *out);

typedef struct am_code_config {
    am_code_kind kind;
    size_t bits;    /* code units; 0: the latent dimension (continuous codes: must equal it) */
    size_t k;       /* topk: active units; 0: bits / 8 (at least 1) */
    double ridge;   /* decoder regularisation, relative to the number of fitting rows; default 1e-3 */
} am_code_config;

void am_code_config_default(am_code_config *c, am_code_kind kind);

typedef struct am_code am_code;

/* Fit to n >= 2 latents z (n x dim, caller-owned). rng draws the projection (unused without one). */
int am_code_fit(am_code **out, const am_code_config *c, const float *z, size_t n, size_t dim, am_rng *rng);
void am_code_free(am_code *code);
am_code_kind am_code_kind_of(const am_code *code);
size_t am_code_bits(const am_code *code);        /* code units */
size_t am_code_latent_dim(const am_code *code);
size_t am_code_active(const am_code *code);      /* topk: k; others: 0 */

/* c (n x bits) from z (n x dim): real values for continuous codes, +-1.0 for binary codes. */
int am_code_encode(const am_code *code, const float *z, size_t n, float *c);
/* The same as +-1 int8 (binary codes only; AM_EUNSUPPORTED for continuous). */
int am_code_encode_int8(const am_code *code, const float *z, size_t n, int8_t *c);
/* z (n x dim) from codes c (n x bits); any real c is accepted (e.g. a recalled state). */
int am_code_decode(const am_code *code, const float *c, size_t n, float *z);

#ifdef __cplusplus
}
#endif
#endif
