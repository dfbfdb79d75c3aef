/* libam — multilayer-perceptron autoencoders trained in C: dense layers through BLAS sgemm, ReLU / tanh /
 * sigmoid / linear units, MSE or binary cross-entropy loss, Adam, minibatches, optional denoising.
 *
 * A network of L layers maps sizes[0] inputs through sizes[1..L-1] to sizes[L] outputs (= sizes[0]); layer l
 * computes a = act[l](W_l a_prev + b_l), W_l of sizes[l+1] x sizes[l]. The units after layer code_layer - 1
 * (sizes[code_layer] of them) are the latent code: the encoder is layers 0 .. code_layer-1, the decoder the
 * rest. Weights start as in PyTorch's nn.Linear: uniform in +-1/sqrt(fan_in), biases too.
 *
 * Losses are means over every element of the batch, as torch.mean: MSE = mean (y - x)^2,
 * BCE = -mean [x log y + (1 - x) log (1 - y)] (BCE needs a sigmoid output and targets in [0, 1]).
 * Training is deterministic for a seed and bit-identical at any number of threads and under any OpenBLAS
 * kernel set: its products use libam's own sgemm, in which every number is one fused multiply-add chain in
 * a fixed order; rows of a minibatch are processed independently (on row shards) until the weight gradients,
 * which sum over all rows in order. */
#ifndef AM_AUTOENCODER_H
#define AM_AUTOENCODER_H

#include <stddef.h>

#include "am/data.h"
#include "am/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_ACT_LINEAR = 0, AM_ACT_RELU = 1, AM_ACT_TANH = 2, AM_ACT_SIGMOID = 3 } am_act;
typedef enum { AM_LOSS_MSE = 0, AM_LOSS_BCE = 1 } am_loss;

const char *am_act_name(am_act a);
int am_act_parse(const char *s, am_act *out);
const char *am_loss_name(am_loss l);
int am_loss_parse(const char *s, am_loss *out);

#define AM_AE_MAX_LAYERS 16

typedef struct am_ae_config {
    int layers;                            /* L, 2 .. AM_AE_MAX_LAYERS */
    size_t sizes[AM_AE_MAX_LAYERS + 1];    /* sizes[0] == sizes[L] */
    am_act act[AM_AE_MAX_LAYERS];          /* act[l] of layer l */
    int code_layer;                        /* 1 .. L-1 */
    am_loss loss;
} am_ae_config;

/* From text: sizes "784,256,64,256,784"; hidden activation for every hidden layer, the code layer's
 * activation (NULL: as hidden), the output activation; code layer = the narrowest hidden layer (the
 * first if tied). Returns AM_EINVAL with a malformed list or unknown name. */
int am_ae_config_parse(am_ae_config *c, const char *sizes, const char *hidden, const char *code, const char *output,
                       const char *loss);
/* Checks a configuration: sizes > 0, sizes[0] == sizes[L], code layer in range, BCE with sigmoid output. */
int am_ae_config_check(const am_ae_config *c);
/* "784-256-64-256-784 relu/relu/sigmoid mse" style description. */
void am_ae_config_describe(const am_ae_config *c, char *buf, size_t size);

typedef struct am_ae am_ae;

int am_ae_create(am_ae **out, const am_ae_config *c, am_rng *rng);
void am_ae_free(am_ae *ae);
const am_ae_config *am_ae_config_of(const am_ae *ae);
size_t am_ae_input_dim(const am_ae *ae);
size_t am_ae_code_dim(const am_ae *ae);
/* All parameters in one array: for each layer W_l (row-major) then b_l. Writable (tests perturb them). */
float *am_ae_params(am_ae *ae, size_t *count);

/* Inference over n rows, in chunks (the cancel hook of am/cancel.h is polled between them); buffers
 * caller-owned. */
int am_ae_encode(const am_ae *ae, const float *x, size_t n, float *z);         /* x: n x in, z: n x code */
int am_ae_decode(const am_ae *ae, const float *z, size_t n, float *y);         /* z: n x code, y: n x in */
int am_ae_reconstruct(const am_ae *ae, const float *x, size_t n, float *y);    /* y: n x in */
/* Mean reconstruction MSE and BCE over n rows (BCE: NaN unless the output is a sigmoid). */
int am_ae_evaluate(const am_ae *ae, const float *x, size_t n, double *mse, double *bce);

int am_ae_save(const am_ae *ae, const char *path);
int am_ae_load(am_ae **out, const char *path);

/* Training. */
typedef struct am_ae_train_opts {
    size_t batch;        /* default 128 */
    double lr;           /* Adam step size, default 1e-3 */
    double beta1, beta2; /* default 0.9, 0.999 */
    double eps;          /* default 1e-8 */
    double weight_decay; /* L2 added to the gradient (PyTorch Adam's weight_decay), default 0 */
    double mask;         /* denoising: fraction of inputs set to 0 (default 0) */
    double noise;        /* denoising: sd of Gaussian noise added to inputs (default 0) */
    int threads;         /* threads for a step (0, the default: OpenMP's maximum); results do not depend on it */
    int shards;          /* row shards of a minibatch (0: AM_AE_SHARDS): each shard's forward and backward
                          * pass runs on its own threads; weight gradients are then summed over all rows in
                          * order, so neither the shard count nor the thread count changes any bit */
} am_ae_train_opts;

#define AM_AE_SHARDS 2

void am_ae_train_opts_default(am_ae_train_opts *o);

typedef struct am_ae_trainer am_ae_trainer;

/* A trainer holds the optimiser state and every buffer one step needs (no allocation per step). */
int am_ae_trainer_create(am_ae_trainer **out, am_ae *ae, const am_ae_train_opts *o);
void am_ae_trainer_free(am_ae_trainer *t);
/* One Adam step on b <= batch rows of x (b x in). Corruption (if any) draws from rng. loss: the batch loss
 * before the step (may be NULL). */
int am_ae_train_step(am_ae_trainer *t, const float *x, size_t b, am_rng *rng, double *loss);
/* Loss and gradient (into the array returned through grad, laid out as am_ae_params) for input `in`
 * and target `target` (both b x in), without a step. For tests and analysis. */
int am_ae_gradient(am_ae_trainer *t, const float *in, const float *target, size_t b, double *loss,
                   const float **grad);
/* One pass over the dataset in an order drawn from rng. progress(done, total, mean loss so far, ctx) is
 * called after each step when not NULL; it must not change the parameters (the epoch keeps its own packed
 * copy of them current). mean_loss: mean of the step losses. AM_EEMPTY for a dataset of no rows, AM_ESIZE
 * for one of another width; cancelled (AM_ECANCELED, am/cancel.h), the steps made stay made. */
int am_ae_train_epoch(am_ae_trainer *t, const am_dataset *ds, am_rng *rng,
                      void (*progress)(size_t done, size_t total, double loss, void *ctx), void *ctx,
                      double *mean_loss);
size_t am_ae_trainer_steps(const am_ae_trainer *t);

#ifdef __cplusplus
}
#endif
#endif
