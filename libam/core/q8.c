#include "q8.h"

#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "am/error.h"

int am__q8_available(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vnni");
}

static float quant_scale(const float *x, size_t d)
{
    float mx = 0.0f;
    for (size_t i = 0; i < d; i++) {
        float a = fabsf(x[i]);
        mx = a > mx ? a : mx;
    }
    return mx / 127.0f;
}

static int q8_round(float v)
{
    long r = lrintf(v);
    return r > 127 ? 127 : r < -127 ? -127 : (int)r;
}

int am__q8_patterns_make(am__q8_patterns *p, const float *x, size_t m, size_t d)
{
    memset(p, 0, sizeof *p);
    size_t d4 = (d + 3) & ~(size_t)3, panels = (m + AM__Q8_PANEL - 1) / AM__Q8_PANEL, bytes;
    if (am_size_mul3(panels, AM__Q8_PANEL, d4, &bytes))
        return AM_EOVERFLOW;
    p->packed = am__alloc_big(bytes);
    p->scale = malloc((m ? m : 1) * sizeof(float));
    p->sum = malloc((m ? m : 1) * sizeof(int32_t));
    p->l1 = malloc((m ? m : 1) * sizeof(float));
    if (!p->packed || !p->scale || !p->sum || !p->l1) {
        am__q8_patterns_free(p);
        return AM_ENOMEM;
    }
    memset(p->packed, 0, bytes);
    p->m = m;
    p->d = d;
    p->d4 = d4;
    p->panels = panels;
    for (size_t mu = 0; mu < m; mu++) {
        const float *xr = x + mu * d;
        float s = quant_scale(xr, d), inv = s > 0.0f ? 1.0f / s : 0.0f;
        int32_t sum = 0, l1 = 0;
        int8_t *base = p->packed + (mu / AM__Q8_PANEL) * AM__Q8_PANEL * d4 + (mu % AM__Q8_PANEL) * 4;
        for (size_t i = 0; i < d; i++) {
            int v = q8_round(xr[i] * inv);
            base[(i / 4) * AM__Q8_PANEL * 4 + (i % 4)] = (int8_t)v;
            sum += v;
            l1 += v < 0 ? -v : v;
        }
        p->scale[mu] = s;
        p->sum[mu] = sum;
        p->l1[mu] = (float)l1;
    }
    return AM_OK;
}

void am__q8_patterns_free(am__q8_patterns *p)
{
    if (!p)
        return;
    free(p->packed);
    free(p->scale);
    free(p->sum);
    free(p->l1);
    memset(p, 0, sizeof *p);
}

void am__q8_query(const float *x, size_t d, size_t d4, uint8_t *q, float *scale, float *l1)
{
    float s = quant_scale(x, d), inv = s > 0.0f ? 1.0f / s : 0.0f;
    int32_t a = 0;
    for (size_t i = 0; i < d; i++) {
        int v = q8_round(x[i] * inv);
        q[i] = (uint8_t)(v + 128);
        a += v < 0 ? -v : v;
    }
    for (size_t i = d; i < d4; i++)
        q[i] = 128;
    *scale = s;
    *l1 = (float)a;
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
void am__q8_kernel(const am__q8_patterns *p, const uint8_t *q, size_t p0, size_t p1, int32_t *c, size_t ldc)
{
    size_t d4 = p->d4, chunks = d4 / 4;
    const uint8_t *q0 = q, *q1 = q + d4, *q2 = q + 2 * d4, *q3 = q + 3 * d4, *q4 = q + 4 * d4, *q5 = q + 5 * d4;
    for (size_t pn = p0; pn < p1; pn++) {
        const int8_t *b = p->packed + pn * AM__Q8_PANEL * d4;
        __m512i acc[AM__Q8_ROWS][4];
        for (int r = 0; r < AM__Q8_ROWS; r++)
            for (int j = 0; j < 4; j++)
                acc[r][j] = _mm512_setzero_si512();
        for (size_t k = 0; k < chunks; k++) {
            const int8_t *bk = b + k * AM__Q8_PANEL * 4;
            __m512i b0 = _mm512_load_si512(bk), b1 = _mm512_load_si512(bk + 64), b2 = _mm512_load_si512(bk + 128),
                    b3 = _mm512_load_si512(bk + 192);
            int32_t w;
#define Q8_ROW(r, qr)                                                                                            \
    memcpy(&w, qr + 4 * k, 4);                                                                                   \
    {                                                                                                            \
        __m512i a = _mm512_set1_epi32(w);                                                                        \
        acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], a, b0);                                                       \
        acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], a, b1);                                                       \
        acc[r][2] = _mm512_dpbusd_epi32(acc[r][2], a, b2);                                                       \
        acc[r][3] = _mm512_dpbusd_epi32(acc[r][3], a, b3);                                                       \
    }
            Q8_ROW(0, q0) Q8_ROW(1, q1) Q8_ROW(2, q2) Q8_ROW(3, q3) Q8_ROW(4, q4) Q8_ROW(5, q5)
#undef Q8_ROW
        }
        for (int r = 0; r < AM__Q8_ROWS; r++)
            for (int j = 0; j < 4; j++)
                _mm512_storeu_si512(c + r * ldc + pn * AM__Q8_PANEL + 16 * j, acc[r][j]);
    }
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
size_t am__q8_screen(const am__q8_patterns *p, const int32_t *c, const float *half, float s, float l1, size_t skip,
                     float *ub, uint32_t *cand)
{
    size_t m = p->m, mu = 0, n = 0;
    float hq = 0.5f * l1;
    const __m512 vs = _mm512_set1_ps(s), vhq = _mm512_set1_ps(hq), widen = _mm512_set1_ps(1.0001f),
                 rel = _mm512_set1_ps(1e-5f), tiny = _mm512_set1_ps(1e-30f);
    const __m512i off = _mm512_set1_epi32(128);
    __m512 vlb = _mm512_set1_ps(-INFINITY);
    float lb = -INFINITY;
    for (; mu + 16 <= m; mu += 16) {
        __m512i acc = _mm512_loadu_si512(c + mu), sum = _mm512_loadu_si512(p->sum + mu);
        __m512 sm = _mm512_mul_ps(vs, _mm512_loadu_ps(p->scale + mu));
        __m512 a = _mm512_mul_ps(sm, _mm512_cvtepi32_ps(_mm512_sub_epi32(acc, _mm512_mullo_epi32(off, sum))));
        __m512 b = _mm512_mul_ps(_mm512_mul_ps(sm, _mm512_add_ps(vhq, _mm512_loadu_ps(half + mu))), widen);
        b = _mm512_add_ps(_mm512_add_ps(b, _mm512_mul_ps(rel, _mm512_abs_ps(a))), tiny);
        __mmask16 keep = skip - mu < 16 ? (__mmask16)~(1u << (skip - mu)) : (__mmask16)0xFFFF;
        vlb = _mm512_mask_max_ps(vlb, keep, vlb, _mm512_sub_ps(a, b));
        _mm512_storeu_ps(ub + mu, _mm512_add_ps(a, b));
    }
    lb = _mm512_reduce_max_ps(vlb);
    for (; mu < m; mu++) { /* the same arithmetic, one at a time */
        float sm = s * p->scale[mu], a = sm * (float)(c[mu] - 128 * p->sum[mu]);
        float b = sm * (hq + half[mu]) * 1.0001f + 1e-5f * fabsf(a) + 1e-30f, lo = a - b;
        lb = lo > lb && mu != skip ? lo : lb;
        ub[mu] = a + b;
    }
    if (skip < m)
        ub[skip] = -INFINITY; /* below any lower bound: never a candidate */
    const __m512 vl = _mm512_set1_ps(lb);
    for (mu = 0; mu + 16 <= m; mu += 16) {
        __mmask16 k = _mm512_cmp_ps_mask(_mm512_loadu_ps(ub + mu), vl, _CMP_GE_OQ);
        while (k) {
            int i = __builtin_ctz(k);
            cand[n++] = (uint32_t)(mu + (size_t)i);
            k &= (__mmask16)(k - 1);
        }
    }
    for (; mu < m; mu++)
        if (ub[mu] >= lb)
            cand[n++] = (uint32_t)mu;
    return n;
}
