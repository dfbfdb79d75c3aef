/* Internal: the convolutional network's buffers for one pass and its layers' forward and backward steps. */
#ifndef AM_ENCODERS_CNN_LAYERS_H
#define AM_ENCODERS_CNN_LAYERS_H

#include <stdint.h>

#include "../core/gemm.h"
#include "cnn-internal.h"

#define CNN_KCHUNK 4096  /* rows per partial weight-gradient product */
#define CNN_SUMCHUNKS 16 /* chunks of rows of a column sum */
#define CNN_GROUP_FLOATS 65536 /* im2col values of a group of samples (256 KB: in L2) */
#define CNN_LANES 16     /* most lanes of a convolution's weight gradient (partial sums added in order) */

/* The buffers of a pass over at most `batch` rows, all allocated once (am__cnn_ws_create). act[l] is the
 * input of layer l (batch x in_size(l)); in training every act[l] has its own buffer and so do the max-pooling
 * choices and batch statistics, which backward reads; in inference act[1..] alternate between two buffers.
 * Each thread has an im2col and a dcol scratch of tcolsize floats (one group of samples, am__cnn_group); wt
 * holds a convolution's weights transposed during its backward pass. */
typedef struct cnn_ws {
    size_t batch;
    int threads, train;
    float *act[AM_CNN_MAX_LAYERS + 1];
    float *actbuf, *tcol, *tdcol, *wpart, *wt, *bnstat, *bnk;
    size_t tcolsize;
    int32_t *arg;
    size_t argoff[AM_CNN_MAX_LAYERS], bnoff[AM_CNN_MAX_LAYERS];
    double *part, *sum1, *sum2;
    am__gemm_ws gws;
} cnn_ws;

int am__cnn_ws_create(cnn_ws *w, const am_cnn *n, size_t batch, int threads, int train);
void am__cnn_ws_free(cnn_ws *w);

/* Samples per group of a convolution's im2col (>= 1). */
size_t am__cnn_group(const cnn_layer *L);
/* C (m x n) = A op(B) on the ws's threads (see cnn-layers.c). */
void am__cnn_gemm(cnn_ws *w, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda, const float *B,
                  size_t ldb, float *C, size_t ldc);
/* Layer l on b rows: act[l] -> act[l + 1]. state (training only; NULL: keep) receives batch normalisation's
 * running statistics. */
void am__cnn_layer_forward(const am_cnn *n, cnn_ws *w, int l, size_t b, float *state);
/* Layer l backward on b rows (after its forward in training mode): dout (b x out_size) -> din (b x in_size;
 * NULL: not needed), the layer's parameter gradients into grad (laid out as the parameters). */
void am__cnn_layer_backward(const am_cnn *n, cnn_ws *w, int l, size_t b, const float *dout, float *din, float *grad);

/* Cross-entropy of one row of k scores against label, and (right, may be NULL) whether the label has the
 * largest score (the first of equal ones). With d (not NULL): d = (softmax - onehot) * scale. */
double am__cnn_xent_row(const float *z, size_t k, int label, float scale, float *d, int *right);

#endif
