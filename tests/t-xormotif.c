/* The XOR switch with signed readouts (am/xormotif.h) and the binary autoencoder it teaches (am/binae.h):
 * the truth table at the specified parameters, silence without input, the signed error's sign, the
 * learning rule's determinism across threads and its progress, errors. */
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "tap.h"

static void test_motif(void)
{
    am_xor_params p;
    am_xor_params_default(&p);
    ok(!am_xor_params_check(&p) && p.tau_hub == 6 && p.w_hub_lat == -84 && p.delay_hub == 0.5 && p.trial == 100,
       "the default parameters are the specified ones");
    uint64_t k[4][AM_XOR_ROLES];
    int rc = 0;
    for (int q = 0; q < 4; q++)
        rc |= am_xor_trial(&p, q >> 1, q & 1, 1, k[q], NULL);
    ok(!rc, "four trials run");
    uint64_t sum0 = 0;
    for (int r = 0; r < AM_XOR_ROLES; r++)
        sum0 += k[0][r];
    ok(sum0 == 0, "no input: the circuit is silent");
    int xor_ok = 1;
    for (int q = 0; q < 4; q++)
        xor_ok &= (k[q][AM_XOR_OUT5] >= 2) == ((q >> 1) != (q & 1));
    ok(xor_ok, "the XOR output is active exactly when signal and reference differ (%llu %llu %llu %llu spikes)",
       (unsigned long long)k[0][AM_XOR_OUT5], (unsigned long long)k[1][AM_XOR_OUT5], (unsigned long long)k[2][AM_XOR_OUT5],
       (unsigned long long)k[3][AM_XOR_OUT5]);
    ok(k[3][AM_XOR_HUB6] >= 2 && k[3][AM_XOR_LAT2] == 0 && k[3][AM_XOR_LAT4] == 0,
       "both inputs: the hub fires (%llu) and vetoes both laterals", (unsigned long long)k[3][AM_XOR_HUB6]);
    ok(k[1][AM_XOR_HUB6] == 0 && k[2][AM_XOR_HUB6] == 0, "one input alone does not fire the hub");
    int b[4];
    for (int q = 0; q < 4; q++)
        b[q] = am_xor_signed_bit(&p, k[q]);
    ok(b[0] == 0 && b[1] == -1 && b[2] == 1 && b[3] == 0, "signed error bits: (0,0) 0, (0,1) -1 (F-), (1,0) +1 (F+), (1,1) 0");
    ok(am_xor_signed_error(&p, k[2]) > 0 && am_xor_signed_error(&p, k[1]) < 0, "rate(F+) - rate(F-) has the same signs");
    p.readout_inputs = 1;
    uint64_t ka[AM_XOR_ROLES], kb[AM_XOR_ROLES];
    am_xor_trial(&p, 1, 0, 1, ka, NULL);
    am_xor_trial(&p, 0, 1, 1, kb, NULL);
    ok(am_xor_signed_bit(&p, ka) == 1 && am_xor_signed_bit(&p, kb) == -1, "the readout variant from the inputs gives the same signs");
    am_xor_params_default(&p);
    p.bg_rate = 40;
    p.bg_weight = 84;
    uint64_t n1[AM_XOR_ROLES], n2[AM_XOR_ROLES], n3[AM_XOR_ROLES];
    am_xor_trial(&p, 0, 0, 5, n1, NULL);
    am_xor_trial(&p, 0, 0, 5, n2, NULL);
    int differs = 0;
    for (uint64_t s = 6; s < 30 && !differs; s++) {
        am_xor_trial(&p, 0, 0, s, n3, NULL);
        differs = memcmp(n1, n3, sizeof n1) != 0;
    }
    ok(!memcmp(n1, n2, sizeof n1) && differs, "background noise: the same seed repeats, other seeds differ");
    am_xor_params_default(&p);
    p.dt = 0;
    ok(am_xor_trial(&p, 1, 0, 1, n1, NULL) == AM_EINVAL, "dt 0 is refused");
    am_xor_params_default(&p);
    p.tau_hub = NAN;
    ok(am_xor_params_check(&p) == AM_EINVAL, "a NaN time constant is refused");
}

static void test_binae(void)
{
    float x[6] = {1, 1, 0, 0, 0.9f, 0.2f}, y[6] = {1, 0, 1, 0, 0.1f, 0.7f}, e[6];
    am_signed_xor(x, y, 6, e);
    ok(e[0] == 0 && e[1] == 1 && e[2] == -1 && e[3] == 0 && e[4] == 1 && e[5] == -1, "the signed XOR of input and reconstruction");

    /* random binary patterns, learnt */
    enum { N = 64, P = 20, H = 128 };
    static float pat[P * N];
    am_rng r;
    am_rng_init(&r, 3, 0);
    for (int k = 0; k < P * N; k++)
        pat[k] = (float)(am_rng_u64(&r) >> 63);
    am_binae *a = NULL, *b = NULL;
    am_rng i1, i2;
    am_rng_init(&i1, 4, 0);
    am_rng_init(&i2, 4, 0);
    int rc = am_binae_create(&a, N, H, P, AM_BINAE_FA, &i1) | am_binae_create(&b, N, H, P, AM_BINAE_FA, &i2);
    ok(!rc && am_binae_inputs(a) == N && am_binae_hidden(a) == H, "a %d -> %d -> %d binary autoencoder", N, H, N);
    am_binae_set_threads(a, 1);
    am_binae_set_threads(b, 3);
    uint64_t w0 = 0, w1 = 0, wb = 0;
    am_binae_errors(a, pat, P, &w0);
    for (int ep = 0; ep < 60; ep++) {
        am_binae_step(a, pat, P, NULL, 0.1, 0.05, NULL);
        am_binae_step(b, pat, P, NULL, 0.1, 0.05, NULL);
    }
    am_binae_errors(a, pat, P, &w1);
    am_binae_errors(b, pat, P, &wb);
    static float ya[P * N], yb[P * N], ha[P * H];
    am_binae_reconstruct(a, pat, P, ya, ha);
    am_binae_reconstruct(b, pat, P, yb, NULL);
    ok(w1 < w0 / 4, "60 steps of the signed XOR rule: %llu wrong bits of %d, from %llu", (unsigned long long)w1, P * N,
       (unsigned long long)w0);
    ok(wb == w1 && !memcmp(ya, yb, sizeof ya), "the same bits at 1 and 3 threads");
    int binary = 1;
    for (int k = 0; k < P * N; k++)
        binary &= ya[k] == 0 || ya[k] == 1;
    for (int k = 0; k < P * H; k++)
        binary &= ha[k] == 0 || ha[k] == 1;
    ok(binary, "hidden and output units are binary");
    /* a given error replaces the signed XOR: the XOR itself gives the same step */
    am_binae *c = NULL, *d = NULL;
    am_rng_init(&i1, 9, 0);
    am_rng_init(&i2, 9, 0);
    am_binae_create(&c, N, H, P, AM_BINAE_FIXED, &i1);
    am_binae_create(&d, N, H, P, AM_BINAE_FIXED, &i2);
    static float yc[P * N], ec[P * N];
    am_binae_reconstruct(c, pat, P, yc, NULL);
    am_signed_xor(pat, yc, P * N, ec);
    uint64_t wc = 0, wd = 0;
    am_binae_step(c, pat, P, ec, 0.2, 0.2, &wc);
    am_binae_step(d, pat, P, NULL, 0.2, 0.2, &wd);
    am_binae_reconstruct(c, pat, P, yc, NULL);
    am_binae_reconstruct(d, pat, P, yb, NULL);
    ok(wc == wd && !memcmp(yc, yb, sizeof yc), "an explicit error equal to the signed XOR gives the same step");
    ok(am_binae_step(a, pat, P + 1, NULL, 0.1, 0.1, NULL) == AM_EINVAL, "a batch above the size given at creation is refused");
    ok(am_binae_step(a, pat, P, NULL, NAN, 0.1, NULL) == AM_EINVAL, "a NaN learning rate is refused");
    am_binae *z = NULL;
    ok(am_binae_create(&z, 0, 4, 4, AM_BINAE_FA, &i1) == AM_EINVAL && !z, "zero inputs are refused");
    am_binae_free(a), am_binae_free(b), am_binae_free(c), am_binae_free(d);
    am_binae_free(NULL);
}

int main(void)
{
    test_motif();
    test_binae();
    return done_testing();
}
