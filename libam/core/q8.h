/* Internal: 8-bit integer dot products for certified screening (nearest-pattern searches).
 * Patterns are quantised row by row to int8 with a per-row scale s = max|x| / 127 and packed in panels of
 * AM__Q8_PANEL rows; queries to uint8 with an offset of 128 (vpdpbusd multiplies unsigned by signed bytes).
 * The integer products are exact, so the screen is the same on every CPU with the kernel; an error bound per
 * pair (am__q8_bound) lets the caller keep every pattern that could be the true maximum and check those in
 * floating point. Available with AVX-512 VNNI (am__q8_available); callers fall back to BLAS otherwise. */
#ifndef AM_CORE_Q8_H
#define AM_CORE_Q8_H

#include <stddef.h>
#include <stdint.h>

#define AM__Q8_PANEL 64 /* patterns per packed panel */
#define AM__Q8_ROWS 6   /* queries per kernel call */
#define AM__Q8_MAX_DIM 65536 /* d * 255 * 127 stays inside int32 */

int am__q8_available(void);

typedef struct am__q8_patterns {
    size_t m, d, d4, panels;  /* rows, dimension, dimension rounded up to 4, panels of AM__Q8_PANEL */
    int8_t *packed;           /* panels x (d4/4) x AM__Q8_PANEL x 4 bytes, zero-padded */
    float *scale;             /* m: s_mu */
    int32_t *sum;             /* m: sum of the quantised values (for the query offset) */
    float *l1;                /* m: sum of |quantised values| (for the bound) */
} am__q8_patterns;

/* Quantise and pack m x d patterns x (finite). Returns 0 or AM_ENOMEM; free with am__q8_patterns_free. */
int am__q8_patterns_make(am__q8_patterns *p, const float *x, size_t m, size_t d);
void am__q8_patterns_free(am__q8_patterns *p);

/* Quantise one query (d floats, finite) into q (d4 bytes, offset by 128); *scale and *l1 as for patterns. */
void am__q8_query(const float *x, size_t d, size_t d4, uint8_t *q, float *scale, float *l1);

/* c[r * ldc + mu] = sum_i q_r[i] * x_mu[i] (offset not removed) for AM__Q8_ROWS query rows (stride d4) and
 * the patterns of panels [p0, p1). */
void am__q8_kernel(const am__q8_patterns *p, const uint8_t *q, size_t p0, size_t p1, int32_t *c, size_t ldc);

/* The screen of one query (scale s, l1 its sum of |quantised values|) against every pattern, from its kernel
 * row c (m entries): a_mu = s s_mu (c_mu - 128 sum_mu) approximates q.x_mu within
 * b_mu = s s_mu (l1 / 2 + half_mu) (half_mu = l1_mu / 2 + d / 4), widened for the float arithmetic. Writes to
 * cand the indices whose upper bound a + b reaches the largest lower bound a - b (in increasing order) and
 * returns their count; pattern `skip` (SIZE_MAX: none) takes no part. ub (m floats) is scratch. */
size_t am__q8_screen(const am__q8_patterns *p, const int32_t *c, const float *half, float s, float l1, size_t skip,
                     float *ub, uint32_t *cand);

#endif
