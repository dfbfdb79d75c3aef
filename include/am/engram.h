/* libam — the melody engram: a recurrent network that predicts the next beat of a tune from the current beat
 * and a context, and learns only from the signed XOR error e = x - y between the beat that came (x) and the
 * beat it predicted (y) (Marco de Lucas, Lloret Iglesias and Peña Fernández 2024, "an engram encoding a
 * melody"), beside a backprop-trained network of the same size.
 *
 * A beat is d bits (0/1 as floats; as ±1 patterns of am/patterns.h, +1 = bit 1). At beat t:
 *   u_t = [2 x_t - 1 ; c_t]                       input (d units, ±1) and context (H units, or none)
 *   a_t = W u_t + b,  h_t = kWTA_k(a_t)           expansion to H hidden units, the k largest a win (ties: lower index)
 *   y_t = step(V h_t + v0)                        read-out: the predicted bits of beat t+1, step(z) = [z > 0]
 *   c_{t+1} = rho c_t + (1 - rho) h_t             context: the previous hidden code (rho = 0, the default) or a
 *                                                 decaying trace of the hidden codes (0 < rho < 1); c_0 = 0
 * The context lets the network tell apart tunes that share a phrase: after a common phrase the hidden codes
 * still differ by what came before it. W ~ N(0, 1/d) on the input, N(0, g^2/k) on the context (g:
 * context_gain; g^2/H for backprop, whose hidden units are all active), V ~ N(0, 1/k) (1/H), b = v0 = 0, all
 * from the seed.
 *
 * Learning from the true beat x_{t+1} with e = x_{t+1} - y_t (am_signed_xor: +1 a bit missed, -1 a bit too
 * many, 0 agreed), after the step's prediction:
 *   AM_ENGRAM_FIXED  V += lr e h^T, v0 += lr e (the perceptron rule); W stays as drawn (the default)
 *   AM_ENGRAM_FA     the same, and W += lr_hidden delta u^T, b += lr_hidden delta with delta = (B e) * [|a - theta| < 1]
 *                    (feedback alignment through a fixed random B ~ N(0, 1/d), H x d; the kWTA's derivative
 *                    replaced by a window around its threshold theta, the midpoint of the k-th and (k+1)-th
 *                    largest a)
 *   AM_ENGRAM_BACKPROP  the baseline of the same size: the same u (an Elman network: the context is the trace of
 *                    the previous hidden activations), h = tanh(W u + b) (H units), p = sigmoid(V h + v0), y =
 *                    [p > 0.5]; binary cross-entropy, gradients through V and tanh (truncated at the context: one
 *                    step, as Elman's), Adam (beta 0.9, 0.999, eps 1e-8), one update per beat, the step of a unit's weights and
 *                    bias lr_backprop / fan-in (W, b: d + H; V, v0: H), so that a unit's input moves by about
 *                    lr_backprop per beat at any H (a step of lr_backprop on every weight saturated the tanh units
 *                    within a few epochs). Before its first step am_engram_train sets v0 to the logit of the tunes'
 *                    mean activity ((ones + 1/2) / (bits + 1)): sparse beats (a melody's one-hot code) start near
 *                    all-0, not at p = 1/2.
 * The error bits of the XOR rules may come from elsewhere (opts.error), e.g. from the spiking XOR motif
 * (am_engram_motif_error).
 *
 * Every product goes through libam's deterministic matrix product and every sum runs in a fixed order: the
 * same bits at any thread count and under any OpenBLAS kernel (OpenBLAS is not used). A step never
 * allocates: the buffers are made by am_engram_create. An object is not safe to use from two threads at once. */
#ifndef AM_ENGRAM_H
#define AM_ENGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "am/patterns.h"
#include "am/xormotif.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_ENGRAM_FIXED = 0, AM_ENGRAM_FA = 1, AM_ENGRAM_BACKPROP = 2 } am_engram_rule;

/* An external error: x (d bits, the true next beat), y (d bits, the prediction) in, e (d values, out: the
 * signed error to learn from, normally -1, 0 or +1). Returns AM_OK or a status that stops the step. */
typedef int (*am_engram_error_fn)(const float *x, const float *y, size_t d, float *e, void *ctx);

typedef struct am_engram_opts {
    size_t hidden;          /* H hidden units (512), 1 .. 2^20 */
    size_t k;               /* winners of the kWTA (16), 1 .. H; unused by AM_ENGRAM_BACKPROP */
    am_engram_rule rule;    /* AM_ENGRAM_FIXED */
    int context;            /* 1: the context c_t is an input; 0: none (each beat predicted from itself alone) */
    double decay;           /* rho in [0, 1): 0, the context is the previous hidden code */
    double context_gain;    /* g > 0 (1): the context's weight against the input's */
    double lr;              /* > 0 (0.1): the read-out's (perceptron) learning rate */
    double lr_hidden;       /* >= 0 (0.001): the expansion's learning rate under AM_ENGRAM_FA */
    double lr_backprop;     /* > 0 (0.1): Adam's step under AM_ENGRAM_BACKPROP, divided by each unit's fan-in */
    uint64_t seed;          /* weights and the order of the tunes in am_engram_train (1) */
    int threads;            /* threads for the products (1; 0: OpenMP's maximum); the results do not depend on it.
                             * A step is one row: more threads pay only for large H (H (d + H) >> 32768) */
    am_engram_error_fn error; /* NULL: e = am_signed_xor(x, y); else the error of the XOR rules (not backprop) */
    void *error_ctx;        /* passed to error */
} am_engram_opts;

/* The defaults above. */
void am_engram_opts_default(am_engram_opts *o);

typedef struct am_engram am_engram;

/* A network for beats of d bits (1 .. 2^16). opts (may be NULL: the defaults) is copied. AM_EINVAL names no
 * argument itself: d or a field out of its range, k > hidden, NaN or infinite rates, an unknown rule. */
int am_engram_create(am_engram **out, size_t d, const am_engram_opts *opts);
void am_engram_free(am_engram *g); /* NULL: nothing */
size_t am_engram_bits(const am_engram *g);   /* d (0 for NULL) */
size_t am_engram_hidden(const am_engram *g); /* H (0 for NULL) */
/* Threads for the products from now on (0: OpenMP's maximum). The first step after a raise to more threads than
 * before allocates their buffers, once. */
void am_engram_set_threads(am_engram *g, int threads);

/* The start of a tune: the context c becomes 0. */
void am_engram_reset(am_engram *g);

/* One beat with a teacher: x (d bits, in) is beat t, next (d bits, in) beat t+1. The network predicts beat
 * t+1 into y (d bits, out, may be NULL), learns from the error between next and that prediction and moves
 * its context on. wrong (may be NULL): the prediction's bits that differ from next. */
int am_engram_step_teacher(am_engram *g, const float *x, const float *next, float *y, size_t *wrong);
/* The same without a teacher and without learning: y (d bits, out) is the prediction of beat t+1. */
int am_engram_predict(am_engram *g, const float *x, float *y);

/* Sequences are ±1 pattern sets (am/patterns.h): set s holds one tune, seqs[s]->count beats of
 * seqs[s]->n == d units (+1: bit 1, -1: bit 0), read in order; every tune is open (its last beat has no
 * successor; repeat the first beats at the end for a cyclic one). A tune of one beat has nothing to predict. */

/* One epoch's count: predictions made (sum over tunes of count - 1), predictions with every bit right, and
 * wrong bits over beats * d. */
typedef struct am_engram_counts {
    uint64_t beats, beats_right, bits_wrong;
} am_engram_counts;

/* E epochs over nseq tunes (seqs: nseq pointers, in; none NULL, each with n == d): each epoch visits every
 * tune once in an order shuffled from the seed and the epoch's number (epochs continue across calls: two calls
 * of E epochs are one call of 2E), each tune from am_engram_reset, beat by beat with am_engram_step_teacher.
 * curve (E entries, out, may be NULL): each epoch's counts, taken as it trains (before each beat's
 * learning). Polls the cancel hook (am/cancel.h) between tunes: AM_ECANCELED keeps what was learnt, and curve
 * holds the epochs finished. A tune that is refused (NULL: AM_EINVAL; n != d: AM_ESIZE) is found before any learning. */
int am_engram_train(am_engram *g, const am_patterns *const *seqs, size_t nseq, size_t epochs, am_engram_counts *curve);

typedef struct am_engram_eval {
    size_t beats;            /* predictions: count - 1 */
    size_t tf_right;         /* teacher-forced (each beat predicted from the true ones before it): beats right */
    uint64_t tf_bits_wrong;  /* ... and wrong bits over beats * d */
    size_t fr_right;         /* free-running (from the first beat, fed its own predictions): beats equal to the tune's */
    size_t fr_first_wrong;   /* the first beat (1 .. count - 1) the free run gets wrong; count when none */
    uint64_t fr_bits_wrong;  /* wrong bits of the free run */
} am_engram_eval;

/* Evaluate one tune (seq: n == d) without learning, from am_engram_reset (the context is left after the tune). */
int am_engram_evaluate(am_engram *g, const am_patterns *seq, am_engram_eval *out);
/* The prediction error of a tune: teacher-forced wrong bits / (beats * d), in [0, 1] (0 for a tune of one
 * beat): the familiarity score, low for a tune the network has learnt, about the share of bits it cannot
 * guess for a novel one. */
int am_engram_familiarity(am_engram *g, const am_patterns *seq, double *score);
/* A recall: the first `cue` beats of seq (1 <= cue <= seq->count) are given (teacher-forced, no learning);
 * from then on the network is fed its own predictions. out (n == d, any count; out may be seq itself) receives
 * the cue's beats and then the predicted ones, out->count beats in all. */
int am_engram_recall(am_engram *g, const am_patterns *seq, size_t cue, am_patterns *out);

/* The spiking XOR motif as opts.error: each error bit is one trial of am_xor_trial with signal x_i and
 * reference y_i, e_i = am_xor_signed_bit (as bin/xor-learn loop). Trials draw their background from stream
 * am_rng_stream2(seed, trials + i), and trials counts the trials run. ctx: an am_engram_motif. Without
 * background (bg_rate 0, the default) the motif's bits are exactly am_signed_xor's. Each trial simulates the
 * circuit (1000 steps at the defaults) and builds its network: a step with this error allocates. */
typedef struct am_engram_motif {
    am_xor_params params; /* checked by am_xor_params_check on every call */
    uint64_t seed;
    uint64_t trials;      /* in/out */
} am_engram_motif;
int am_engram_motif_error(const float *x, const float *y, size_t d, float *e, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
