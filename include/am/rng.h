/* libam — random number streams.
 * xoshiro256** seeded through splitmix64. A stream is fully determined by (seed, stream index), so a
 * trial that draws from stream t gives the same result whichever thread runs it. */
#ifndef AM_RNG_H
#define AM_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Plain value type: put it on the stack, copy it to fork a stream. Only am_rng_init (or a copy of an
 * initialised am_rng) makes a stream: a zeroed am_rng (all four words 0, e.g. from calloc or `= {0}`) is
 * xoshiro's one fixed point, whose every draw is 0, and is invalid. Draws from it do not hang: am_rng_u64,
 * am_rng_uniform and am_rng_below return 0, am_rng_normal 0.0, am_rng_shuffle_u32 returns a permutation. */
typedef struct am_rng {
    uint64_t s[4];
} am_rng;

/* Initialise rng as stream `stream` of `seed`. Distinct (seed, stream) pairs give independent streams; the
 * state is never the zero state. */
void am_rng_init(am_rng *rng, uint64_t seed, uint64_t stream);
/* 1 when rng holds a stream, 0 for the zero state (an am_rng never initialised). */
int am_rng_valid(const am_rng *rng);
/* Derive a stream index from two indices (e.g. sweep point and trial), for nested experiments. */
uint64_t am_rng_stream2(uint64_t a, uint64_t b);

uint64_t am_rng_u64(am_rng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double am_rng_uniform(am_rng *rng);
/* Uniform integer in [0, n); n > 0. Unbiased (Lemire's method). */
uint64_t am_rng_below(am_rng *rng, uint64_t n);
/* Standard normal deviate. */
double am_rng_normal(am_rng *rng);
/* n values scale * N(0, 1) into out (caller-owned): both deviates of each polar-method pair are used (half the
 * work of n am_rng_normal calls; a different stream of values), the last pair's second dropped when n is odd, so
 * the values depend on n: draw a row of fixed length per call for results independent of how calls are split. */
void am_rng_normals(am_rng *rng, size_t n, double scale, float *out);
/* Uniform random permutation of idx[0..n) in place (Fisher-Yates). */
void am_rng_shuffle_u32(am_rng *rng, uint32_t *idx, size_t n);

#ifdef __cplusplus
}
#endif
#endif
