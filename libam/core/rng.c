#include "am/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t mix64(uint64_t z)
{
    uint64_t x = z;
    return splitmix64(&x);
}

void am_rng_init(am_rng *rng, uint64_t seed, uint64_t stream)
{
    /* Hash seed and stream separately so neighbouring seeds and streams do not overlap. */
    uint64_t x = mix64(seed) ^ mix64(stream ^ 0x5851F42D4C957F2Dull) * 0xD1342543DE82EF95ull;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
    /* splitmix64's output is a bijection of its counter, so four successive outputs are never all 0; kept as
     * the statement of the invariant: the all-zero state is the one fixed point of xoshiro */
    if (!am_rng_valid(rng))
        rng->s[0] = 1;
}

int am_rng_valid(const am_rng *rng)
{
    return (rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) != 0;
}

uint64_t am_rng_stream2(uint64_t a, uint64_t b)
{
    return mix64(a * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) ^ b;
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** on a state the compiler may keep in registers (the loops below work on a local copy). */
static inline uint64_t next(uint64_t *restrict s)
{
    uint64_t r = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

uint64_t am_rng_u64(am_rng *rng) { return next(rng->s); }

double am_rng_uniform(am_rng *rng)
{
    return (double)(am_rng_u64(rng) >> 11) * 0x1.0p-53;
}

/* Lemire's bounded draw on state s (see am_rng_below). */
static inline uint64_t below(uint64_t *restrict s, uint64_t n)
{
    unsigned __int128 m = (unsigned __int128)next(s) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t t = -n % n;
        while (lo < t && (s[0] | s[1] | s[2] | s[3])) { /* the zero state draws 0 for ever: it gives 0 */
            m = (unsigned __int128)next(s) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

uint64_t am_rng_below(am_rng *rng, uint64_t n) { return below(rng->s, n); }

double am_rng_normal(am_rng *rng)
{
    /* Marsaglia polar method; draws are consumed deterministically, no cached spare. */
    double u, v, s;
    do {
        if (!am_rng_valid(rng))
            return 0.0; /* the zero state draws 0 for ever (u = v = -1): no sample would be accepted */
        u = 2.0 * am_rng_uniform(rng) - 1.0;
        v = 2.0 * am_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

/* One accepted pair of the polar method: *a and *b independent N(0, 1), as am_rng_normal draws (its *a). */
static void normal_pair(am_rng *rng, double *a, double *b)
{
    double u, v, q;
    do {
        u = 2.0 * (double)(am_rng_u64(rng) >> 11) * 0x1.0p-53 - 1.0;
        v = 2.0 * (double)(am_rng_u64(rng) >> 11) * 0x1.0p-53 - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    double f = sqrt(-2.0 * log(q) / q);
    *a = u * f, *b = v * f;
}

void am_rng_normals(am_rng *rng, size_t n, double scale, float *out)
{
    if (!am_rng_valid(rng)) { /* the zero state: 0 for ever, as am_rng_normal */
        for (size_t i = 0; i < n; i++)
            out[i] = 0.0f;
        return;
    }
    double a, b;
    for (size_t i = 0; i + 1 < n; i += 2) {
        normal_pair(rng, &a, &b);
        out[i] = (float)(scale * a), out[i + 1] = (float)(scale * b);
    }
    if (n % 2) {
        normal_pair(rng, &a, &b);
        out[n - 1] = (float)(scale * a);
    }
}

void am_rng_shuffle_u32(am_rng *rng, uint32_t *idx, size_t n)
{
    uint64_t s[4] = {rng->s[0], rng->s[1], rng->s[2], rng->s[3]}; /* the same draws, from registers */
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)below(s, i);
        uint32_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
    for (int k = 0; k < 4; k++)
        rng->s[k] = s[k];
}
