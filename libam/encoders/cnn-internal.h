/* Internal: the convolutional network's layers (am/cnn.h), shared by the spec parser, the passes and the
 * file format. */
#ifndef AM_ENCODERS_CNN_INTERNAL_H
#define AM_ENCODERS_CNN_INTERNAL_H

#include <stddef.h>

#include "am/cnn.h"

typedef enum {
    CNN_CONV,
    CNN_FC,
    CNN_MAXPOOL,
    CNN_AVGPOOL,
    CNN_UP,
    CNN_BN,
    CNN_RELU,
    CNN_TANH,
    CNN_SIGMOID,
    CNN_VIEW /* flat, view: the values as they are */
} cnn_kind;

typedef struct cnn_layer {
    cnn_kind kind;
    size_t ic, ih, iw, oc, oh, ow; /* input and output shapes (channels, height, width) */
    size_t kh, kw, sh, sw, ph, pw; /* conv and pooling windows, strides, paddings; up: kh = kw = factor */
    size_t K;                      /* conv, fc: rows of the weight matrix (kh kw ic, or ic ih iw) */
    int nocol;                     /* conv as a plain product (1 x 1, stride 1, no padding) and fc */
    size_t woff, boff;             /* conv, fc: W (K x oc) and bias; bn: scale, shift (oc each) */
    size_t soff;                   /* bn: running mean then running variance in the state */
} cnn_layer;

struct am_cnn {
    char input[32], spec[AM_CNN_MAX_SPEC + 1];
    am_cnn_loss loss;
    int nl;   /* layers */
    int code; /* the code is act[code]: the output of layers 0 .. code-1 */
    cnn_layer l[AM_CNN_MAX_LAYERS];
    size_t nparams, nstate;
    float *params, *state;
};

static inline size_t cnn_in_size(const cnn_layer *L)
{
    return L->ic * L->ih * L->iw;
}

static inline size_t cnn_out_size(const cnn_layer *L)
{
    return L->oc * L->oh * L->ow;
}

/* Parse input and layers into n (layers, code, sizes, offsets; nothing allocated). AM_EINVAL with the reason
 * in err. */
int am__cnn_parse(am_cnn *n, const char *input, const char *layers, am_cnn_loss loss, char *err, size_t errsize);

#endif
