/* libam — convolutional networks trained in C: 2-D and 1-D convolution, max and average pooling, batch
 * normalisation, ReLU / tanh / sigmoid, dense layers, nearest upsampling; softmax cross-entropy (a classifier
 * whose penultimate layer, or a marked layer, is the latent code) or MSE / BCE (a convolutional autoencoder
 * whose marked layer is the code); Adam on minibatches.
 *
 * A network is two strings. The input shape: "CxHxW" (an image of C channels), "CxL" (C channels of L steps:
 * every convolution and pooling then runs along L only, a 1-D network) or "D" (D features). Data rows are
 * stored channels last: row i of a batch holds H x W x C values, value (y, x, c) at (y W + x) C + c, so a
 * one-channel image is its pixels row by row and a spectrogram of T frames x B bands (frame-major, as the
 * speech IDX files hold it) is "Bx1xT" = "BxT" as it stands, or "1xTxB" as an image.
 * The layers, comma-separated tokens:
 *   conv<C>k<K>[s<S>][p<P>]  convolution to C channels, K x K kernel (K along L for a 1-D input), stride S
 *                            (default 1), zero padding P (default 0) on each side
 *   maxpool<K>[s<S>]         max pooling, K x K windows, stride S (default K), no padding
 *   avgpool<K>[s<S>]         average pooling, the same
 *   up<F>                    nearest-neighbour upsampling by F along each spatial axis (decoders)
 *   bn                       batch normalisation per channel (batch statistics in training, running ones
 *                            — momentum 0.1, unbiased variance, eps 1e-5, as PyTorch — in inference)
 *   relu tanh sigmoid        activations
 *   fc<N>                    dense layer to N units (flattens whatever comes in)
 *   flat                     flatten (a no-op on the values: C x H x W becomes CHW x 1 x 1)
 *   view<C>x<H>x<W> view<C>x<L>   reshape (same count of values), e.g. after an fc in a decoder
 *   code                     marks the latent code: the output of the layers before it
 * e.g. input "1x28x28", layers "conv32k3p1,bn,relu,maxpool2,conv64k3p1,bn,relu,maxpool2,flat,fc64,relu,fc10".
 * A classifier (AM_CNN_XENT) ends in a linear layer whose N outputs are the class scores (labels 0 .. N-1);
 * without a "code" mark its code is the input of its last layer. An autoencoder (AM_CNN_MSE, AM_CNN_BCE)
 * outputs as many values as it takes, needs a "code" mark, and with BCE ends in sigmoid.
 *
 * Parameters (one float array, layer by layer): a convolution's weights as a K_h K_w C_in x C_out matrix
 * (row (ky K_w + kx) C_in + ci, column co: the transpose of PyTorch's layout) then C_out biases; a dense
 * layer's as an in x out matrix then out biases; batch normalisation's C scales then C shifts. Weights and
 * biases start uniform in +-1/sqrt(fan_in) as PyTorch's defaults, scales at 1, shifts at 0. Running means
 * and variances of batch normalisation are state, not parameters.
 *
 * Determinism: every product goes through libam's own sgemm (each number one fused multiply-add chain in a
 * fixed order); weight gradients are sums of fixed chunks of rows added in order; every other sum is taken
 * in a fixed order. A seed gives the same model bytes at any thread count and under any OpenBLAS kernel set. */
#ifndef AM_CNN_H
#define AM_CNN_H

#include <stddef.h>

#include "am/data.h"
#include "am/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_CNN_XENT = 0, AM_CNN_MSE = 1, AM_CNN_BCE = 2 } am_cnn_loss;

const char *am_cnn_loss_name(am_cnn_loss l); /* "xent", "mse", "bce" */
int am_cnn_loss_parse(const char *s, am_cnn_loss *out);

#define AM_CNN_MAX_LAYERS 64
#define AM_CNN_MAX_SPEC 1024 /* longest layer string (bytes, without the NUL) */

typedef struct am_cnn am_cnn;

/* A new network with weights drawn from rng. A bad spec is AM_EINVAL with the reason in err (errsize bytes,
 * may be NULL), naming the token: "token 2 'maxpool0': write maxpool<K>[s<S>] with K, S in 1 .. 64". */
int am_cnn_create(am_cnn **out, const char *input, const char *layers, am_cnn_loss loss, am_rng *rng, char *err,
                  size_t errsize);
void am_cnn_free(am_cnn *n);

size_t am_cnn_input_dim(const am_cnn *n);  /* C H W of the input */
size_t am_cnn_output_dim(const am_cnn *n); /* classes (XENT) or the reconstruction's size */
size_t am_cnn_code_dim(const am_cnn *n);
am_cnn_loss am_cnn_loss_of(const am_cnn *n);
/* "cnn 1x28x28 conv32k3p1,...,fc10 loss=xent code=64 params=220426". */
void am_cnn_describe(const am_cnn *n, char *buf, size_t size);
/* Batch normalisation's running statistics, layer by layer: C means then C variances (count values). */
const float *am_cnn_state(const am_cnn *n, size_t *count);
/* The work of a forward pass per row: multiply-adds of the convolutions and dense layers plus one per output
 * value of every other layer (an estimate of the cost: training takes about three times it). */
double am_cnn_macs(const am_cnn *n);
/* All parameters (layout above). Writable: tests perturb them. */
float *am_cnn_params(am_cnn *n, size_t *count);

/* Inference (batch normalisation with its running statistics), in chunks of rows: the cancel hook is polled
 * between them. Buffers caller-owned, row-major: x count x input_dim, y count x output_dim, z count x
 * code_dim. am_cnn_decode runs the layers after the code (AM_EUNSUPPORTED for a classifier). */
int am_cnn_forward(const am_cnn *n, const float *x, size_t count, float *y);
int am_cnn_encode(const am_cnn *n, const float *x, size_t count, float *z);
int am_cnn_decode(const am_cnn *n, const float *z, size_t count, float *y);
/* On a dataset: XENT: mean cross-entropy and the fraction of rows whose largest score is the label (needs
 * labels below output_dim: AM_ERANGE otherwise, AM_EINVAL without labels); MSE / BCE: the mean squared error
 * (loss) and the mean binary cross-entropy (accuracy; NaN unless the output is a sigmoid). Either pointer may
 * be NULL. AM_ESIZE for a dataset of another width, AM_EEMPTY for none. */
int am_cnn_evaluate(const am_cnn *n, const am_dataset *ds, double *loss, double *accuracy);

/* Versioned file "LIBAMCNN" with a CRC; the loader re-parses the spec, checks every size against the file
 * before allocating and rejects non-finite values. */
int am_cnn_save(const am_cnn *n, const char *path);
int am_cnn_load(am_cnn **out, const char *path);

/* Training. */
typedef struct am_cnn_train_opts {
    size_t batch;        /* default 128 */
    double lr;           /* Adam step size, default 1e-3 */
    double beta1, beta2; /* default 0.9, 0.999 */
    double eps;          /* default 1e-8 */
    double weight_decay; /* L2 added to the gradient (PyTorch Adam's weight_decay), default 0 */
    int threads;         /* 0 (default): OpenMP's maximum; results do not depend on it */
} am_cnn_train_opts;

void am_cnn_train_opts_default(am_cnn_train_opts *o);

typedef struct am_cnn_trainer am_cnn_trainer;

/* The trainer holds Adam's state and every buffer a step needs (no allocation per step); it keeps a pointer
 * to n, which must outlive it. */
int am_cnn_trainer_create(am_cnn_trainer **out, am_cnn *n, const am_cnn_train_opts *o);
void am_cnn_trainer_free(am_cnn_trainer *t);
/* One Adam step on b <= batch rows x (b x input_dim); labels (b entries in [0, output_dim)) for XENT, NULL
 * for an autoencoder (its target is x). loss (may be NULL): the batch loss before the step. Batch
 * normalisation's running statistics move. */
int am_cnn_train_step(am_cnn_trainer *t, const float *x, const int *labels, size_t b, double *loss);
/* The loss and its gradient (into an array laid out as the parameters, owned by the trainer, valid until the
 * next call), in training mode, without a step and without moving running statistics. For tests. */
int am_cnn_gradient(am_cnn_trainer *t, const float *x, const int *labels, size_t b, double *loss,
                    const float **grad);
/* One pass over ds in an order drawn from rng (labels needed for XENT: AM_EINVAL without, AM_ERANGE for a
 * label >= output_dim). progress (may be NULL) is called after each step. mean_loss: mean of the step
 * losses. Cancelled (AM_ECANCELED): the steps made stay made. AM_ENOTFINITE when training diverged: a step's
 * loss, or the loss after the last step (on its batch), is NaN or infinite (lower the step size). */
int am_cnn_train_epoch(am_cnn_trainer *t, const am_dataset *ds, am_rng *rng,
                       void (*progress)(size_t done, size_t total, double loss, void *ctx), void *ctx,
                       double *mean_loss);
size_t am_cnn_trainer_steps(const am_cnn_trainer *t);

#ifdef __cplusplus
}
#endif
#endif
