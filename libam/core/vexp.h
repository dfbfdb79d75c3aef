/* Internal: e^x for the softmax after its max shift, written so that compilers vectorise it. */
#ifndef AM_CORE_VEXP_H
#define AM_CORE_VEXP_H

#include <stdint.h>

/* e^x for x <= 0: x = n ln2 + r, |r| <= ln2/2, a degree-6 polynomial for e^r, 2^n from the exponent bits.
 * Relative error about 2e-7; x < -87 gives 0, NaN gives NaN. The clamp keeps the integer conversion in range
 * for any x, NaN included (a NaN in a float-to-integer conversion is undefined behaviour). */
static inline float am__exp_nonpos(float x)
{
    const float log2e = 1.44269504089f, ln2hi = 0.693359375f, ln2lo = -2.12194440e-4f;
    float xc = x >= -87.0f ? (x > 0.0f ? 0.0f : x) : -87.0f; /* NaN: -87 */
    float n = __builtin_rintf(xc * log2e);
    float r = xc - n * ln2hi - n * ln2lo;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720))))));
    union {
        int32_t i;
        float f;
    } u;
    u.i = ((int32_t)n + 127) << 23;
    return x < -87.0f ? 0.0f : x == x ? p * u.f : x;
}

#endif
