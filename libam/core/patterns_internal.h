/* Internal: growable pattern sets, shared by the stores that keep their patterns. */
#ifndef AM_CORE_PATTERNS_INTERNAL_H
#define AM_CORE_PATTERNS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "am/patterns.h"

/* Append src's patterns to dst, whose bits buffer holds room for *cap patterns (grown by doubling). */
int am__patterns_append(am_patterns *dst, size_t *cap, const am_patterns *src);
/* g[mu] = n - 2 hamming(x, pattern mu) = x . xi^mu for every pattern of p (x: p->words packed words). */
void am__patterns_overlaps(const am_patterns *p, const uint64_t *x, int32_t *g);

/* (Re)allocate *xb to n rows of pw = ceil(count / 64) words and fill row i with unit i of every pattern:
 * bit mu of row i is 1 where pattern mu has +1 at unit i (bits past count are 0). */
int am__patterns_transposed_bits(const am_patterns *p, uint64_t **xb, size_t *pw);

/* (Re)allocate *xt to n x count and fill it with the transposed int8 view of p. */
int am__patterns_transposed(const am_patterns *p, int8_t **xt);
/* 1 when every pattern's unused tail bits are zero (the popcount kernels rely on it), else 0. */
int am__patterns_tails_ok(const am_patterns *p);

#endif
