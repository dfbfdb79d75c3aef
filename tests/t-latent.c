/* Latent codes: continuous round trip, balanced sign bits, exactly k active units, decoders, errors; the same
 * codes and decoded latents under OPENBLAS_CORETYPE=Prescott, Haswell and (on AVX-512 CPUs) SkylakeX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "child.h"
#include "tap.h"

/* A digest of projected sign and top-k codes (fit, encode, decode) of 700 Gaussian latents of dimension 24. */
static uint64_t digest(void)
{
    const size_t n = 700, d = 24, bits = 40;
    am_rng rng;
    am_rng_init(&rng, 31, 0);
    float *z = malloc(n * d * sizeof *z), *c = malloc(n * bits * sizeof *c), *back = malloc(n * d * sizeof *back);
    for (size_t k = 0; k < n * d; k++)
        z[k] = (float)am_rng_normal(&rng);
    uint64_t h = 14695981039346656037ull;
    for (int kind = AM_CODE_SIGN; kind <= AM_CODE_TOPK; kind++) {
        am_code_config cfg;
        am_code *code = NULL;
        am_code_config_default(&cfg, (am_code_kind)kind);
        cfg.bits = bits;
        if (am_code_fit(&code, &cfg, z, n, d, &rng) || am_code_encode(code, z, n, c) ||
            am_code_decode(code, c, n, back))
            h = 0;
        h = fnv(fnv(h, c, n * bits * sizeof *c), back, n * d * sizeof *back);
        am_code_free(code);
    }
    free(z), free(c), free(back);
    return h;
}

static void test_same_bits(const char *self)
{
    uint64_t h = digest();
    char mine[32];
    snprintf(mine, sizeof mine, "%016llx\n", (unsigned long long)h);
    ok(h != 0, "codes and decoded latents: a digest (%016llx)", (unsigned long long)h);
    CHILD_SAME_UNDER_KERNELS(self, mine, "codes and decoded latents");
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--digest")) {
        printf("%016llx\n", (unsigned long long)digest());
        return 0;
    }
    test_same_bits(argv[0]);
    const size_t n = 500, d = 8;
    am_rng rng;
    am_rng_init(&rng, 4, 0);
    float *z = malloc(n * d * sizeof *z), *c = malloc(n * 64 * sizeof *c), *back = malloc(n * d * sizeof *back);
    int8_t *c8 = malloc(n * 64);
    /* ReLU-like latents: skewed, non-negative, different scales per unit. */
    for (size_t i = 0; i < n * d; i++) {
        double v = am_rng_normal(&rng) + 0.3;
        z[i] = v > 0 ? (float)(v * (double)(1 + i % d)) : 0.0f;
    }
    am_code_config cfg;
    am_code *code = NULL;

    am_code_config_default(&cfg, AM_CODE_CONTINUOUS);
    int rc = am_code_fit(&code, &cfg, z, n, d, NULL);
    is_int(rc, AM_OK, "fit a continuous code");
    am_code_encode(code, z, n, c);
    am_code_decode(code, c, n, back);
    double worst = 0, ss = 0;
    for (size_t i = 0; i < n * d; i++) {
        worst = fmax(worst, fabs(back[i] - z[i]));
        ss += (double)c[i] * c[i];
    }
    is_near(worst, 0.0, 1e-5, "continuous: decode(encode(z)) = z");
    is_near(ss / (double)n, 1.0, 1e-4, "continuous codes have unit mean squared norm");
    is_int(am_code_encode_int8(code, z, n, c8), AM_EUNSUPPORTED, "continuous codes have no int8 form");
    am_code_free(code);

    double mse_mean = 0;
    {
        float mean[8] = {0};
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                mean[j] += z[i * d + j] / (float)n;
        for (size_t i = 0; i < n * d; i++)
            mse_mean += (z[i] - mean[i % d]) * (z[i] - mean[i % d]);
        mse_mean /= (double)(n * d);
    }
    am_code_config_default(&cfg, AM_CODE_SIGN);
    rc = am_code_fit(&code, &cfg, z, n, d, NULL);
    ok(rc == AM_OK && am_code_bits(code) == d, "sign code with the latent's dimension");
    am_code_encode_int8(code, z, n, c8);
    am_code_encode(code, z, n, c);
    int agree = 1;
    double imbalance = 0;
    for (size_t j = 0; j < d; j++) {
        long s = 0;
        for (size_t i = 0; i < n; i++) {
            s += c8[i * d + j];
            agree &= c[i * d + j] == (float)c8[i * d + j];
        }
        imbalance = fmax(imbalance, fabs((double)s) / (double)n);
    }
    ok(agree, "float and int8 encodings agree");
    ok(imbalance <= 0.01, "sign bits split at the median (worst mean bit %.3f)", imbalance);
    am_code_decode(code, c, n, back);
    double mse = 0;
    for (size_t i = 0; i < n * d; i++)
        mse += (back[i] - z[i]) * (back[i] - z[i]);
    mse /= (double)(n * d);
    ok(mse < 0.6 * mse_mean, "sign decoder beats the mean: MSE %.3f vs %.3f", mse, mse_mean);
    am_code_free(code);

    /* 64 bits through a random projection, then sparse top-8. */
    cfg.bits = 64;
    is_int(am_code_fit(&code, &cfg, z, n, d, NULL), AM_EINVAL, "a projection needs an rng");
    rc = am_code_fit(&code, &cfg, z, n, d, &rng);
    ok(rc == AM_OK && am_code_bits(code) == 64, "sign code of 64 bits from 8 latent units");
    am_code_encode(code, z, n, c);
    am_code_decode(code, c, n, back);
    double mse64 = 0;
    for (size_t i = 0; i < n * d; i++)
        mse64 += (back[i] - z[i]) * (back[i] - z[i]);
    mse64 /= (double)(n * d);
    ok(mse64 < mse, "more bits decode better: MSE %.3f (64 bits) vs %.3f (8)", mse64, mse);
    am_code_free(code);

    am_code_config_default(&cfg, AM_CODE_TOPK);
    cfg.bits = 64;
    cfg.k = 8;
    rc = am_code_fit(&code, &cfg, z, n, d, &rng);
    ok(rc == AM_OK && am_code_active(code) == 8, "top-8 of 64");
    am_code_encode_int8(code, z, n, c8);
    int exact = 1;
    for (size_t i = 0; i < n; i++) {
        int on = 0;
        for (size_t j = 0; j < 64; j++)
            on += c8[i * 64 + j] == 1;
        exact &= on == 8;
    }
    ok(exact, "every code has exactly 8 units on");
    am_code_free(code);
    cfg.k = 0;
    am_code_fit(&code, &cfg, z, n, d, &rng);
    ok(am_code_active(code) == 8, "default k = bits / 8");
    am_code_free(code);

    cfg.k = 64;
    is_int(am_code_fit(&code, &cfg, z, n, d, &rng), AM_EINVAL, "k = bits rejected");
    am_code_config_default(&cfg, AM_CODE_CONTINUOUS);
    cfg.bits = 16;
    is_int(am_code_fit(&code, &cfg, z, n, d, &rng), AM_EINVAL, "a continuous code cannot change dimension");
    am_code_config_default(&cfg, AM_CODE_SIGN);
    is_int(am_code_fit(&code, &cfg, z, 1, d, NULL), AM_EINVAL, "one latent is not enough to fit");
    am_code_kind k;
    ok(am_code_kind_parse("topk", &k) == AM_OK && k == AM_CODE_TOPK && am_code_kind_parse("dense", &k) == AM_EINVAL,
       "code names parse");
    am_code_free(NULL);
    free(z);
    free(c);
    free(c8);
    free(back);
    return done_testing();
}
