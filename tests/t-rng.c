/* RNG streams: determinism, independence, distributions. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "tap.h"

/* A zeroed am_rng (xoshiro's one fixed point: every draw 0) is not a stream: am_rng_init never makes one, and
 * the calls that draw until a condition holds stop on it instead of looping for ever (an alarm fails the test
 * if one loops). */
static void zero_state(void)
{
    int valid = 1;
    am_rng r;
    for (uint64_t seed = 0; seed < 2000; seed++)
        for (uint64_t stream = 0; stream < 4; stream++) {
            am_rng_init(&r, seed == 1999 ? UINT64_MAX : seed, stream == 3 ? UINT64_MAX : stream);
            valid &= am_rng_valid(&r);
        }
    ok(valid, "am_rng_init gives a valid (non-zero) state for every seed and stream tried");
    am_rng z;
    memset(&z, 0, sizeof z);
    ok(!am_rng_valid(&z), "a zeroed am_rng is not valid");
    alarm(10);
    uint64_t b = am_rng_below(&z, 7) + am_rng_below(&z, 1000000007);
    ok(b == 0, "am_rng_below on the zero state returns 0 instead of rejecting every draw for ever");
    ok(am_rng_normal(&z) == 0.0, "am_rng_normal on the zero state returns 0 instead of looping");
    float zf[3] = {1, 1, 1};
    am_rng_normals(&z, 3, 1.0, zf);
    ok(zf[0] == 0 && zf[1] == 0 && zf[2] == 0, "am_rng_normals on the zero state gives 0 instead of looping");
    uint32_t idx[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    am_rng_shuffle_u32(&z, idx, 10);
    int sum = 0;
    for (int k = 0; k < 10; k++)
        sum += (int)idx[k];
    ok(sum == 45, "am_rng_shuffle_u32 on the zero state ends (with a permutation)");
    alarm(0);
}

int main(void)
{
    am_rng a, b, c;
    am_rng_init(&a, 42, 7);
    am_rng_init(&b, 42, 7);
    int same = 1;
    for (int k = 0; k < 1000; k++)
        same &= am_rng_u64(&a) == am_rng_u64(&b);
    ok(same, "same (seed, stream) gives the same sequence");

    am_rng_init(&a, 42, 7);
    am_rng_init(&b, 42, 8);
    am_rng_init(&c, 43, 7);
    int eq_ab = 0, eq_ac = 0;
    for (int k = 0; k < 1000; k++) {
        uint64_t x = am_rng_u64(&a);
        eq_ab += x == am_rng_u64(&b);
        eq_ac += x == am_rng_u64(&c);
    }
    ok(eq_ab == 0 && eq_ac == 0, "neighbouring streams and seeds differ");

    /* Streams 0 and 1 of one seed: bits agree half the time (independence proxy). */
    am_rng_init(&a, 1, 0);
    am_rng_init(&b, 1, 1);
    long agree = 0;
    for (int k = 0; k < 20000; k++)
        agree += 64 - __builtin_popcountll(am_rng_u64(&a) ^ am_rng_u64(&b));
    is_near(agree / (20000.0 * 64), 0.5, 0.002, "bitwise agreement of two streams is 1/2");

    am_rng_init(&a, 5, 0);
    double sum = 0, sq = 0;
    const int n = 200000;
    for (int k = 0; k < n; k++) {
        double u = am_rng_uniform(&a);
        sum += u;
        sq += u * u;
    }
    is_near(sum / n, 0.5, 0.004, "uniform mean");
    is_near(sq / n - (sum / n) * (sum / n), 1.0 / 12, 0.002, "uniform variance");

    long counts[7] = {0};
    int inrange = 1;
    for (int k = 0; k < 70000; k++) {
        uint64_t v = am_rng_below(&a, 7);
        inrange &= v < 7;
        if (v < 7)
            counts[v]++;
    }
    double chi = 0;
    for (int k = 0; k < 7; k++)
        chi += (counts[k] - 10000.0) * (counts[k] - 10000.0) / 10000.0;
    ok(inrange, "below(7) stays in range");
    ok(chi < 22.5, "below(7) is uniform (chi2 = %.2f < 22.5, p = 0.001 at 6 dof)", chi);

    sum = sq = 0;
    for (int k = 0; k < n; k++) {
        double z = am_rng_normal(&a);
        sum += z;
        sq += z * z;
    }
    is_near(sum / n, 0.0, 0.01, "normal mean");
    is_near(sq / n, 1.0, 0.015, "normal variance");

    /* am_rng_normals: both values of each pair, scaled; its first value is am_rng_normal's from the same state */
    static float zs[200001];
    am_rng ca = a, d = a;
    am_rng_normals(&ca, 200001, 2.0, zs);
    double s1 = 0, s2 = 0, s12 = 0;
    for (int k = 0; k + 1 < 200001; k += 2)
        s1 += zs[k] + zs[k + 1], s2 += (double)zs[k] * zs[k] + (double)zs[k + 1] * zs[k + 1],
            s12 += (double)zs[k] * zs[k + 1];
    is_near(s1 / 200000, 0.0, 0.02, "normals mean");
    is_near(s2 / 200000, 4.0, 0.06, "normals variance (scale 2)");
    is_near(s12 / 100000, 0.0, 0.06, "normals: the two values of a pair uncorrelated");
    ok(zs[0] == (float)(2.0 * am_rng_normal(&d)), "normals' first value is am_rng_normal's");

    uint32_t idx[100];
    for (uint32_t k = 0; k < 100; k++)
        idx[k] = k;
    am_rng_shuffle_u32(&a, idx, 100);
    int seen[100] = {0}, perm = 1, moved = 0;
    for (int k = 0; k < 100; k++) {
        perm &= idx[k] < 100 && !seen[idx[k]];
        if (idx[k] < 100)
            seen[idx[k]] = 1;
        moved += idx[k] != (uint32_t)k;
    }
    ok(perm && moved > 80, "shuffle gives a permutation that moves most items (%d moved)", moved);
    ok(am_rng_stream2(1, 2) != am_rng_stream2(2, 1), "stream2 is order-sensitive");
    zero_state();
    return done_testing();
}
