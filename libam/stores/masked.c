/* Integer kernels on bit-transposed patterns (masked.h). */
#include "masked.h"

#include <pthread.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

static int32_t masked_sum_any(const uint64_t *bits, const int32_t *v, size_t p)
{
    int32_t acc = 0;
    for (size_t mu = 0; mu < p; mu++)
        acc += v[mu] & -(int32_t)((bits[mu >> 6] >> (mu & 63)) & 1);
    return acc;
}

static void masked_update_any(int32_t *v, const uint64_t *bits, size_t p, int32_t d)
{
    for (size_t mu = 0; mu < p; mu++)
        v[mu] += ((bits[mu >> 6] >> (mu & 63)) & 1) ? d : -d;
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx512f"))) static int32_t masked_sum_avx512(const uint64_t *bits, const int32_t *v, size_t p)
{
    __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
    size_t k = 0;
    for (; k + 64 <= p; k += 64) { /* a word of bits at a time, four 16-lane masked loads */
        uint64_t b = bits[k >> 6];
        a0 = _mm512_add_epi32(a0, _mm512_maskz_loadu_epi32((__mmask16)b, v + k));
        a1 = _mm512_add_epi32(a1, _mm512_maskz_loadu_epi32((__mmask16)(b >> 16), v + k + 16));
        a0 = _mm512_add_epi32(a0, _mm512_maskz_loadu_epi32((__mmask16)(b >> 32), v + k + 32));
        a1 = _mm512_add_epi32(a1, _mm512_maskz_loadu_epi32((__mmask16)(b >> 48), v + k + 48));
    }
    for (; k < p; k += 16) /* bits past p are 0: nothing is read there */
        a0 = _mm512_add_epi32(a0, _mm512_maskz_loadu_epi32((__mmask16)(bits[k >> 6] >> (k & 63)), v + k));
    return _mm512_reduce_add_epi32(_mm512_add_epi32(a0, a1));
}

__attribute__((target("avx512f"))) static void masked_update_avx512(int32_t *v, const uint64_t *bits, size_t p,
                                                                    int32_t d)
{
    __m512i vd = _mm512_set1_epi32(d), v2d = _mm512_set1_epi32(2 * d);
    for (size_t k = 0; k < p; k += 16) {
        __mmask16 mk = (__mmask16)(bits[k >> 6] >> (k & 63));
        __mmask16 valid = p - k >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (p - k)) - 1);
        __m512i x = _mm512_sub_epi32(_mm512_maskz_loadu_epi32(valid, v + k), vd);
        x = _mm512_mask_add_epi32(x, mk, x, v2d);
        _mm512_mask_storeu_epi32(v + k, valid, x);
    }
}
#endif

int32_t (*am__masked_sum)(const uint64_t *, const int32_t *, size_t) = masked_sum_any;
void (*am__masked_update)(int32_t *, const uint64_t *, size_t, int32_t) = masked_update_any;
static int use_avx512;

void am__masked_pick(int portable)
{
    int vec = 0;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    vec = !portable && __builtin_cpu_supports("avx512f");
    if (vec) {
        am__masked_sum = masked_sum_avx512;
        am__masked_update = masked_update_avx512;
    }
#endif
    if (!vec) {
        am__masked_sum = masked_sum_any;
        am__masked_update = masked_update_any;
    }
    __atomic_store_n(&use_avx512, vec, __ATOMIC_RELEASE);
}

int am__masked_avx512(void) { return __atomic_load_n(&use_avx512, __ATOMIC_ACQUIRE); }

static void pick_best(void) { am__masked_pick(0); }

void am__masked_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, pick_best);
}
