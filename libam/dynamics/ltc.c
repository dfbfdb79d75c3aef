/* Liquid time-constant neurons and their fused solver (see am/ltc.h). */
#include "am/ltc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"

struct am_ltc {
    size_t n, nin;
    double *tau, *a, *wx, *wi, *b; /* double: the gate is computed in double */
    double *f;                     /* workspace: n gates */
};

static int finite_or_null(const float *x, size_t k)
{
    for (size_t i = 0; x && i < k; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

static double *copy_or_zero(const float *x, size_t k)
{
    double *d = calloc(k ? k : 1, sizeof *d);
    for (size_t i = 0; d && x && i < k; i++)
        d[i] = x[i];
    return d;
}

int am_ltc_create(am_ltc **out, size_t n, size_t nin, const float *tau, const float *a, const float *wx,
                  const float *wi, const float *b)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    size_t nn, ni;
    if (n == 0 || !tau || !a || (nin == 0 && wi) || am_size_mul(n, n, &nn) || am_size_mul(n, nin, &ni))
        return AM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!(tau[i] > 0) || !isfinite(tau[i]))
            return AM_EINVAL;
    if (!finite_or_null(a, n) || !finite_or_null(wx, nn) || !finite_or_null(wi, ni) || !finite_or_null(b, n))
        return AM_EINVAL;
    am_ltc *l = calloc(1, sizeof *l);
    if (!l)
        return AM_ENOMEM;
    l->n = n;
    l->nin = nin;
    l->tau = copy_or_zero(tau, n);
    l->a = copy_or_zero(a, n);
    l->wx = copy_or_zero(wx, nn);
    l->wi = copy_or_zero(wi, ni);
    l->b = copy_or_zero(b, n);
    l->f = calloc(n, sizeof *l->f);
    if (!l->tau || !l->a || !l->wx || !l->wi || !l->b || !l->f) {
        am_ltc_free(l);
        return AM_ENOMEM;
    }
    *out = l;
    return AM_OK;
}

void am_ltc_free(am_ltc *l)
{
    if (!l)
        return;
    free(l->tau);
    free(l->a);
    free(l->wx);
    free(l->wi);
    free(l->b);
    free(l->f);
    free(l);
}

size_t am_ltc_n(const am_ltc *l)
{
    return l->n;
}

int am_ltc_run(am_ltc *l, float *x, const float *inputs, size_t steps, double dt, unsigned unfolds, float *trace)
{
    if (!l || !x || !(dt > 0) || !isfinite(dt) || unfolds < 1 || unfolds > 1000)
        return AM_EINVAL;
    size_t n = l->n, nin = l->nin;
    if (!finite_or_null(x, n) || (inputs && !finite_or_null(inputs, steps * nin)))
        return AM_ENOTFINITE;
    double h = dt / unfolds;
    for (size_t s = 0; s < steps; s++) {
        const float *in = inputs ? inputs + s * nin : NULL;
        for (unsigned u = 0; u < unfolds; u++) {
            /* gates from the state before this unfold (all neurons at once: a synchronous update) */
            for (size_t i = 0; i < n; i++) {
                double z = l->b[i];
                const double *row = l->wx + i * n;
                for (size_t j = 0; j < n; j++)
                    z += row[j] * x[j];
                for (size_t k = 0; in && k < nin; k++)
                    z += l->wi[i * nin + k] * in[k];
                l->f[i] = 1.0 / (1.0 + exp(-z));
            }
            for (size_t i = 0; i < n; i++)
                x[i] = (float)((x[i] + h * l->f[i] * l->a[i]) / (1.0 + h * (1.0 / l->tau[i] + l->f[i])));
        }
        if (trace)
            memcpy(trace + s * n, x, n * sizeof *x);
    }
    return AM_OK;
}
