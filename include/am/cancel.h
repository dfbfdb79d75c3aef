/* libam — stopping long calls early: Ctrl-C in an interpreter, a deadline, a stop button.
 *
 * A caller installs a hook on its thread with am_cancel_swap. The long loops of the calls it then makes from
 * that thread poll the hook between units of work and stop with AM_ECANCELED when it says so:
 *   recall (every sweep, and every 4096 unit updates of a serial sweep; every modern update; every step of a
 *   sequence store's replay, am_sequence_replay), stability (sequence stores and am_sequence_transitions: every
 *   block of elements),
 *   Storkey learning (every pattern), the capacity measurement (every trial, and the recalls in it),
 *   autoencoder training (every minibatch step) and inference (every chunk of rows), PCA's covariance (every
 *   block of rows), spiking networks (every step of am_snn_run, every presynaptic neuron of am_snn_connect)
 *   and so am_xor_trial, the graded network and the modern store's gradient flow (every step), the biased and
 *   correlated pattern generators (between patterns, every 65536 units drawn), the audio front-end
 *   (am_audio_resample every 4096 output samples; am_stft_magnitude, am_stft_features and every Griffin-Lim
 *   iteration, hence am_stft_features_to_wav, every 64 frames) and the spelling encoder (am_word_encode_many,
 *   hence am_lexicon_create, every 64 words) and graphs (am/graph.h: motif counts
 *   and listings between hubs, rewiring and synthetic graphs every 65536 attempts, the null model per graph).
 * Single decompositions (PCA's eigenvectors, the pinv rule's and seq-pinv's Cholesky) and single matrix
 * products are not interrupted. A hook never changes a result: a call that is not cancelled computes exactly
 * what it computes without one, at any thread count. What a cancelled call leaves behind is stated with each
 * call; in short, objects stay valid: a recall leaves a state part of the way, a spiking network stops after
 * a whole step (am_snn_step_count says which), a graded run leaves u after a whole step, training keeps the
 * steps it made, a Storkey store keeps the patterns learned before the stop, a connection is not added,
 * nothing is created; an output array of a cancelled audio or encoding call is partly written, and
 * am_stft_features_to_wav writes no file.
 *
 * Calls that run on several threads poll from those threads too (each adopts the caller's hook for the
 * call), so poll must be safe to call concurrently; once it has returned non-zero it should keep doing so
 * for the rest of the call. */
#ifndef AM_CANCEL_H
#define AM_CANCEL_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct am_cancel {
    int (*poll)(void *ctx); /* non-zero: stop (not NULL) */
    void *ctx;              /* passed to poll; may be NULL */
} am_cancel;

/* Installs hook (caller-owned, valid while installed; NULL: none) for the calls this thread makes and returns
 * the hook it replaces, to restore afterwards (hooks nest). */
const am_cancel *am_cancel_swap(const am_cancel *hook);
/* This thread's hook (NULL: none). */
const am_cancel *am_cancel_current(void);
/* AM_ECANCELED when this thread's hook asks to stop, else AM_OK: for callers' own long loops. */
int am_cancel_poll(void);

#ifdef __cplusplus
}
#endif
#endif
