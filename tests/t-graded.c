/* Memory in continuous time: the graded-response Hopfield network's energy never increases (symmetric W, both
 * gains, Euler and RK4), its integrators converge at their order, high gain recalls the binary network's fixed
 * point; the modern store's gradient flow descends its energy to the stored pattern; errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "tap.h"

int main(void)
{
    enum { N = 100, P = 4 };
    am_rng rng;
    am_rng_init(&rng, 11, 0);
    am_patterns *pats = NULL;
    am_patterns_create(&pats, N, P);
    am_patterns_random(pats, &rng);
    am_hopfield *h = NULL;
    am_hopfield_create(&h, N, AM_RULE_HEBB);
    am_hopfield_store(h, pats);
    float *w = malloc(N * N * sizeof *w), *u = malloc(N * sizeof *u), *v = malloc(N * sizeof *v);
    am_hopfield_weights(h, w);
    int8_t target[N], cue[N];
    am_patterns_get(pats, 0, target);
    memcpy(cue, target, sizeof cue);
    for (int i = 0; i < 15; i++)
        cue[(i * 37) % N] = (int8_t)-cue[(i * 37) % N];

    /* energy never increases */
    am_gain gains[2] = {AM_GAIN_TANH, AM_GAIN_SIGMOID};
    am_ode methods[2] = {AM_ODE_EULER, AM_ODE_RK4};
    for (int gi = 0; gi < 2; gi++)
        for (int mi = 0; mi < 2; mi++) {
            am_graded *g = NULL;
            ok(am_graded_create(&g, N, w, NULL, gains[gi], 4.0, 10.0) == AM_OK, "create (%s)", gi ? "sigmoid" : "tanh");
            for (int i = 0; i < N; i++)
                u[i] = 0.3f * cue[i];
            double *e = malloc(2001 * sizeof *e);
            int rc = am_graded_run(g, u, 0.05, 2000, methods[mi], e);
            int mono = rc == AM_OK;
            double worst = 0;
            for (int s = 1; s <= 2000; s++) {
                double up = e[s] - e[s - 1];
                worst = up > worst ? up : worst;
            }
            mono &= worst <= 1e-9 * (fabs(e[0]) + 1);
            ok(mono && e[2000] < e[0], "%s, %s: energy never increases along 2000 steps (%.4f -> %.4f, worst rise %.2g)",
               gi ? "sigmoid" : "tanh", mi ? "RK4" : "Euler", e[0], e[2000], worst);
            free(e);
            am_graded_free(g);
        }

    /* order of convergence: the error at t = 2.4 halves (Euler) or falls 16-fold (RK4) when dt halves */
    {
        am_graded *g = NULL;
        am_graded_create(&g, N, w, NULL, AM_GAIN_TANH, 2.0, 1.0);
        float *ref = malloc(N * sizeof *ref), *x = malloc(N * sizeof *x);
        for (int i = 0; i < N; i++)
            ref[i] = 0.3f * cue[i];
        am_graded_run(g, ref, 0.0005, 4800, AM_ODE_RK4, NULL);
        double err[2][3];
        for (int mi = 0; mi < 2; mi++)
            for (int k = 0; k < 3; k++) {
                double dt = (mi ? 0.3 : 0.04) / (1 << k); /* RK4 needs larger steps to stay above float rounding */
                for (int i = 0; i < N; i++)
                    x[i] = 0.3f * cue[i];
                am_graded_run(g, x, dt, (size_t)lround(2.4 / dt), methods[mi], NULL);
                double s = 0;
                for (int i = 0; i < N; i++)
                    s += ((double)x[i] - ref[i]) * ((double)x[i] - ref[i]);
                err[mi][k] = sqrt(s);
            }
        double oe = log2(err[0][1] / err[0][2]), or4 = log2(err[1][0] / err[1][1]);
        diag("errors at t = 2.4: Euler %.3g %.3g %.3g, RK4 %.3g %.3g %.3g", err[0][0], err[0][1], err[0][2], err[1][0], err[1][1], err[1][2]);
        ok(oe > 0.8 && oe < 1.3, "Euler converges at order 1 (measured %.2f)", oe);
        ok(or4 > 3.5 && or4 < 4.6, "RK4 converges at order 4 (measured %.2f)", or4);
        free(ref);
        free(x);
        am_graded_free(g);
    }

    /* high gain: the state settles at the binary network's fixed point */
    {
        double dist[3];
        double betas[3] = {2, 8, 50};
        int same = 1;
        for (int b = 0; b < 3; b++) {
            am_graded *g = NULL;
            am_graded_create(&g, N, w, NULL, AM_GAIN_TANH, betas[b], 1.0);
            for (int i = 0; i < N; i++)
                u[i] = 0.05f * cue[i];
            am_graded_run(g, u, 0.02, 3000, AM_ODE_RK4, NULL);
            am_graded_output(g, u, v);
            double d = 0;
            for (int i = 0; i < N; i++) {
                d += fabs(v[i] - (v[i] > 0 ? 1.0 : -1.0));
                same &= (v[i] > 0 ? 1 : -1) == target[i];
            }
            dist[b] = d / N;
            am_graded_free(g);
        }
        /* the binary network from the same cue */
        int8_t s[N];
        memcpy(s, cue, sizeof s);
        am_recall_opts ro;
        am_recall_opts_default(&ro);
        am_rng r2;
        am_rng_init(&r2, 1, 1);
        am_hopfield_recall(h, s, &ro, &r2, NULL, NULL);
        ok(same && memcmp(s, target, sizeof s) == 0, "the graded network and the binary one both recall pattern 0");
        ok(dist[2] < dist[1] && dist[1] < dist[0] && dist[2] < 0.01,
           "as the gain grows the state nears the cube's corner (mean |V - sign V|: %.3f, %.3f, %.4f)", dist[0], dist[1], dist[2]);
    }

    /* the modern store's gradient flow */
    {
        am_modern *m = NULL;
        am_modern_create(&m, 64, 8.0);
        float x[5 * 64], xi[64];
        am_hrr_random(&rng, 5, 64, x);
        for (int i = 0; i < 5 * 64; i++)
            x[i] *= 2.0f;
        am_modern_store(m, x, 5);
        for (int j = 0; j < 64; j++)
            xi[j] = x[64 + j] + 0.1f * (float)am_rng_normal(&rng) / 8.0f;
        double e[501];
        int rc = am_modern_flow(m, xi, 0.05, 500, AM_ODE_RK4, e);
        int mono = rc == AM_OK;
        for (int s = 1; s <= 500; s++)
            mono &= e[s] <= e[s - 1] + 1e-9;
        double d = 0;
        for (int j = 0; j < 64; j++)
            d += ((double)xi[j] - x[64 + j]) * ((double)xi[j] - x[64 + j]);
        ok(mono && sqrt(d) < 0.05, "modern flow: energy descends and the state reaches pattern 1 (distance %.4f)", sqrt(d));
        am_modern *empty = NULL;
        am_modern_create(&empty, 64, 1.0);
        ok(am_modern_flow(empty, xi, 0.1, 1, AM_ODE_EULER, NULL) == AM_EEMPTY, "flow of an empty store: AM_EEMPTY");
        am_modern_free(empty);
        am_modern_free(m);
    }

    /* The weights are summed column by column (vectorised) but each unit's sum in the order j = 0 .. n-1:
     * one Euler step and the energy give the bits of the plain row-by-row sums (n = 37: not a multiple of the
     * four columns a pass; W not symmetric, thresholds not zero). */
    {
        enum { n = 37 };
        float wr[n * n], th[n], x[n], ref[n], vv[n];
        for (int i = 0; i < n * n; i++)
            wr[i] = (float)(am_rng_uniform(&rng) * 2 - 1);
        for (int i = 0; i < n; i++) {
            th[i] = (float)(am_rng_uniform(&rng) - 0.5);
            x[i] = ref[i] = (float)(am_rng_uniform(&rng) * 2 - 1);
        }
        am_graded *g = NULL;
        double beta = 1.5, tau = 3.0, dt = 0.25, e[2], eref = 0;
        int ok_create = am_graded_create(&g, n, wr, th, AM_GAIN_TANH, beta, tau) == AM_OK;
        for (int i = 0; i < n; i++)
            vv[i] = (float)tanh(beta * ref[i]);
        for (int i = 0; i < n; i++) { /* the energy, as am/graded.h defines it, row by row */
            double wv = 0.0, V = tanh(beta * ref[i]), a = fabs(V);
            for (int j = 0; j < n; j++)
                wv += (double)wr[i * n + j] * tanh(beta * ref[j]);
            eref += -0.5 * V * wv - th[i] * V + (a * atanh(a) + 0.5 * log1p(-a * a)) / beta;
        }
        float du[n];
        for (int i = 0; i < n; i++) {
            double s = th[i];
            for (int j = 0; j < n; j++)
                s += (double)wr[i * n + j] * vv[j];
            du[i] = (float)((-(double)ref[i] + s) / tau);
        }
        for (int i = 0; i < n; i++)
            ref[i] += (float)(dt * du[i]);
        int rc = ok_create ? am_graded_run(g, x, dt, 1, AM_ODE_EULER, e) : AM_EINVAL;
        ok(rc == AM_OK && !memcmp(x, ref, sizeof x), "an Euler step: the bits of the row-by-row sums");
        ok(rc == AM_OK && e[0] == eref, "the energy: the bits of the row-by-row sums (%.17g, %.17g)", e[0], eref);
        am_graded_free(g);
    }

    /* errors */
    {
        am_graded *g = NULL;
        ok(am_graded_create(&g, N, w, NULL, AM_GAIN_TANH, 0, 1) == AM_EINVAL && !g, "beta = 0: AM_EINVAL");
        ok(am_graded_create(&g, N, w, NULL, AM_GAIN_TANH, 1, -1) == AM_EINVAL, "tau < 0: AM_EINVAL");
        w[5] = NAN;
        ok(am_graded_create(&g, N, w, NULL, AM_GAIN_TANH, 1, 1) == AM_EINVAL, "NaN weight: AM_EINVAL");
        w[5] = 0;
        am_graded_create(&g, N, w, NULL, AM_GAIN_TANH, 1, 1);
        ok(am_graded_run(g, u, 0, 10, AM_ODE_RK4, NULL) == AM_EINVAL, "dt = 0: AM_EINVAL");
        u[3] = INFINITY;
        ok(am_graded_run(g, u, 0.1, 10, AM_ODE_RK4, NULL) == AM_ENOTFINITE, "infinite state: AM_ENOTFINITE");
        am_graded_free(g);
        am_graded_free(NULL);
    }
    free(w);
    free(u);
    free(v);
    am_hopfield_free(h);
    am_patterns_free(pats);
    return done_testing();
}
