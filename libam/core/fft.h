/* Internal: FFTW plans for batches of real transforms (see am/fft.h for the threading contract).
 * A plan set transforms `batch` rows of n reals (row stride n) to batch rows of n/2 + 1 complex values (row
 * stride n/2 + 1) and back. Execution uses FFTW's new-array interface on buffers from am__fft_alloc (same
 * alignment as the planning arrays), so one plan set serves every thread. Every row goes through the same
 * plan whatever the number of rows a caller has: the result of a row never depends on its neighbours. */
#ifndef AM_CORE_FFT_H
#define AM_CORE_FFT_H

#include <stddef.h>

#include <fftw3.h>

#include "am/fft.h"

typedef struct am__rfft {
    size_t n, batch;
    fftwf_plan fwd, inv;
} am__rfft;

/* Plans for `batch` rows of length n (n >= 1, batch >= 1). AM_ENOMEM if FFTW cannot plan. */
int am__rfft_init(am__rfft *p, size_t n, size_t batch, am_fft_planning how);
void am__rfft_destroy(am__rfft *p); /* zeroed or initialised; idempotent */
/* in: batch x n reals (preserved); out: batch x (n/2+1) complex. Both from am__fft_alloc. */
void am__rfft_forward(const am__rfft *p, float *in, fftwf_complex *out);
/* in: batch x (n/2+1) complex (destroyed: FFTW's c2r overwrites its input); out: batch x n reals, unnormalised
 * (n times the inverse DFT). */
void am__rfft_inverse(const am__rfft *p, fftwf_complex *in, float *out);

/* SIMD-aligned buffers (fftwf_malloc); am__fft_free(NULL) is a no-op. */
void *am__fft_alloc(size_t bytes);
void am__fft_free(void *p);

#endif
