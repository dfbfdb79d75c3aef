/* libam — a binary autoencoder of step units trained only by a local signed error, the learning rule of
 * Marco de Lucas, Lloret Iglesias and Peña Fernández (2024): the XOR motif compares each input bit x with
 * its reconstruction y and its signed readouts give e = x - y (+1: F+, the bit was missed; -1: F-, a bit
 * too many; 0: they agree), the signed XOR of input and reconstruction.
 *
 * Units: h = step(W x + b) (hidden, 0/1), y = step(V h + c) (output, 0/1), step(a) = [a > 0].
 * Learning on a minibatch of n rows, with the error of each row:
 *   decoder  V += (lr/n) sum e h^T,  c += (lr/n) sum e       (the perceptron rule: local to each synapse)
 *   encoder  W += (lr_enc/n) sum d x^T,  b += (lr_enc/n) sum d,  d = (B e) * [|W x + b| < 1]
 * where B is a fixed random feedback matrix (feedback alignment, Lillicrap et al. 2016): no gradient is
 * propagated back through V, and the step's derivative is replaced by the window [|a| < 1].
 * AM_BINAE_FIXED trains the decoder alone (a random fixed encoder), as a control.
 * All products go through libam's deterministic matrix product: the same bits at any thread count and
 * under any OpenBLAS kernel. */
#ifndef AM_BINAE_H
#define AM_BINAE_H

#include <stddef.h>
#include <stdint.h>

#include "am/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_BINAE_FA = 0, AM_BINAE_FIXED = 1 } am_binae_rule;

typedef struct am_binae am_binae;

/* in inputs, hidden units, minibatches of at most batch rows (buffers for them are allocated here, so a step
 * never allocates), weights W, V ~ N(0, 1/in), N(0, 1/hidden), biases 0, B ~ N(0, 1/in), all from rng. */
int am_binae_create(am_binae **out, size_t in, size_t hidden, size_t batch, am_binae_rule rule, am_rng *rng);
void am_binae_free(am_binae *ae);
size_t am_binae_inputs(const am_binae *ae);
size_t am_binae_hidden(const am_binae *ae);

/* Threads for the products (0: OpenMP's maximum); the results do not depend on it. */
void am_binae_set_threads(am_binae *ae, int threads);

/* The signed XOR of n bits: e = [x and not y] - [y and not x] (x, y read as bits: > 0.5). */
void am_signed_xor(const float *x, const float *y, size_t n, float *e);

/* Reconstruct n rows of x (n x in, bits 0/1) into y (n x in, 0/1); h (n x hidden, may be NULL) receives
 * the hidden bits. Any n (processed in batches). */
int am_binae_reconstruct(am_binae *ae, const float *x, size_t n, float *y, float *h);

/* One learning step on n <= batch rows of x, the decoder's learning rate lr, the encoder's lr_enc. err (n x in, may be NULL): the error to learn from, in place
 * of the signed XOR of x and the reconstruction (e.g. as a spiking XOR motif reports it). wrong (may be
 * NULL): reconstruction bits that differed from x before the step. */
int am_binae_step(am_binae *ae, const float *x, size_t n, const float *err, double lr, double lr_enc, uint64_t *wrong);

/* Bits of n rows reconstructed wrong (over n x in bits). */
int am_binae_errors(am_binae *ae, const float *x, size_t n, uint64_t *wrong);

#ifdef __cplusplus
}
#endif
#endif
