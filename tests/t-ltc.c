/* LTC neurons: the fused solver against the closed-form solution of a constant gate, its order, exact fixed
 * point, bounded state under strong recurrent drive, input-dependent time constant; errors. */
#include <math.h>
#include <stdlib.h>

#include "am/am.h"
#include "tap.h"

int main(void)
{
    /* a constant gate (W = 0): f = sigmoid(b) = c, dx/dt = -(1/tau + c) x + c A, closed form
     * x(t) = x_inf + (x0 - x_inf) e^(-(1/tau + c) t), x_inf = c A / (1/tau + c) */
    float tau[1] = {5.0f}, a[1] = {2.0f}, b[1] = {0.3f};
    double c = 1.0 / (1.0 + exp(-0.3)), k = 1.0 / 5.0 + c, xinf = c * 2.0 / k;
    am_ltc *l = NULL;
    ok(am_ltc_create(&l, 1, 0, tau, a, NULL, NULL, b) == AM_OK, "one LTC neuron");
    double err[3];
    for (int r = 0; r < 3; r++) {
        float x = -1.0f;
        unsigned unf = 1u << r;
        am_ltc_run(l, &x, NULL, 30, 0.1, unf, NULL); /* t = 3 */
        double want = xinf + (-1.0 - xinf) * exp(-k * 3.0);
        err[r] = fabs(x - want);
    }
    ok(err[0] < 0.03 && err[2] < err[1] && err[1] < err[0], "fused solver approaches the closed form (errors %.2e %.2e %.2e)",
       err[0], err[1], err[2]);
    double order = log2(err[1] / err[2]);
    ok(order > 0.8 && order < 1.3, "first order in the unfold step (measured %.2f)", order);
    float x = -1.0f;
    am_ltc_run(l, &x, NULL, 2000, 0.5, 1, NULL);
    ok(fabs(x - xinf) < 1e-6, "its fixed point is the ODE's exactly (%.7f vs %.7f)", x, xinf);
    x = -1.0f;
    ok(am_ltc_run(l, &x, NULL, 10, 1000.0, 1, NULL) == AM_OK && fabs(x - xinf) < 1e-5, "stable with a step 200 x tau");
    am_ltc_free(l);

    /* strong recurrent drive: states stay within [min(x0, 0, A), max(x0, 0, A)] */
    {
        enum { N = 20 };
        float t2[N], a2[N], w[N * N], b2[N], x2[N], tr[200 * N];
        am_rng rng;
        am_rng_init(&rng, 3, 0);
        for (int i = 0; i < N; i++) {
            t2[i] = 1.0f + (float)am_rng_uniform(&rng) * 10;
            a2[i] = (float)(4 * am_rng_uniform(&rng) - 2);
            b2[i] = 0;
            x2[i] = (float)(2 * am_rng_uniform(&rng) - 1);
        }
        for (int i = 0; i < N * N; i++)
            w[i] = (float)(5 * am_rng_normal(&rng));
        am_ltc *r = NULL;
        am_ltc_create(&r, N, 0, t2, a2, w, NULL, b2);
        float lo[N], hi[N];
        for (int i = 0; i < N; i++) {
            lo[i] = fminf(fminf(x2[i], 0), a2[i]);
            hi[i] = fmaxf(fmaxf(x2[i], 0), a2[i]);
        }
        am_ltc_run(r, x2, NULL, 200, 0.5, 3, tr);
        int inside = 1;
        for (int s = 0; s < 200; s++)
            for (int i = 0; i < N; i++)
                inside &= tr[s * N + i] >= lo[i] - 1e-6f && tr[s * N + i] <= hi[i] + 1e-6f;
        ok(inside, "20 recurrent LTC neurons with strong weights: every state stays within its bounds for 200 steps");
        am_ltc_free(r);
    }

    /* the liquid time constant: a larger input opens the gate and speeds the neuron up */
    {
        float t3[1] = {10}, a3[1] = {1}, wi[1] = {4}, b3[1] = {-2};
        am_ltc *q = NULL;
        am_ltc_create(&q, 1, 1, t3, a3, NULL, wi, b3);
        float lowin[50], highin[50];
        for (int s = 0; s < 50; s++) {
            lowin[s] = 0;
            highin[s] = 1.5f;
        }
        float x1 = 0, x2 = 0;
        am_ltc_run(q, &x1, lowin, 50, 0.1, 2, NULL);
        am_ltc_run(q, &x2, highin, 50, 0.1, 2, NULL);
        ok(x2 > 2 * x1 && x1 > 0, "a stronger input drives the neuron faster towards A (%.4f vs %.4f after 5 time units)", x2, x1);
        am_ltc_free(q);
    }

    /* errors */
    am_ltc *e = NULL;
    float bad[1] = {0};
    ok(am_ltc_create(&e, 1, 0, bad, a, NULL, NULL, NULL) == AM_EINVAL && !e, "tau = 0: AM_EINVAL");
    float nanw[1] = {NAN};
    ok(am_ltc_create(&e, 1, 0, tau, a, nanw, NULL, NULL) == AM_EINVAL, "NaN weight: AM_EINVAL");
    am_ltc_create(&e, 1, 0, tau, a, NULL, NULL, NULL);
    float xx = 0;
    ok(am_ltc_run(e, &xx, NULL, 1, 0.0, 1, NULL) == AM_EINVAL, "dt = 0: AM_EINVAL");
    ok(am_ltc_run(e, &xx, NULL, 1, 0.1, 0, NULL) == AM_EINVAL, "0 unfolds: AM_EINVAL");
    am_ltc_free(e);
    am_ltc_free(NULL);
    return done_testing();
}
