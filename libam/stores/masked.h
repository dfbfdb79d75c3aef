/* Internal to libam/stores: integer kernels on bit-transposed patterns (row i: bit mu = [xi^mu_i = +1], bits
 * past the pattern count 0), shared by the classical and the dense store. Integers throughout: the portable and
 * the vector versions give the same numbers on every CPU. */
#ifndef AM_STORES_MASKED_H
#define AM_STORES_MASKED_H

#include <stddef.h>
#include <stdint.h>

/* The sum of v[mu] over the set bits mu < p of bits (ceil(p/64) words); the caller keeps it within int32. */
extern int32_t (*am__masked_sum)(const uint64_t *bits, const int32_t *v, size_t p);
/* v[mu] += d where bit mu is set and v[mu] -= d elsewhere, mu < p (v[mu] += d xi^mu_i). */
extern void (*am__masked_update)(int32_t *v, const uint64_t *bits, size_t p, int32_t d);

/* The CPU's best kernels, picked once (thread-safe); call before the first use. */
void am__masked_init(void);
/* Tests, single-threaded: 1 = the portable kernels, 0 = the CPU's best (the numbers must be the same). */
void am__masked_pick(int portable);
/* 1 when the AVX-512 kernels are in use (the stores' fused sweeps follow the same choice). */
int am__masked_avx512(void);

#endif
