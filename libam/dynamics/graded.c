/* The graded-response Hopfield network and the modern store's gradient flow (see am/graded.h). */
#include "am/graded.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "../core/cancel_internal.h"

struct am_graded {
    size_t n;
    float *w, *theta; /* w transposed: w[j * n + i] = W_ij (see matvec) */
    am_gain gain;
    double beta, tau;
    float *k, *tmp, *v; /* workspace: 4 x n stages, n state, n outputs */
    double *vd;         /* n outputs in double (the energy) */
    double *acc;        /* n sums (matvec) */
};

int am_graded_create(am_graded **out, size_t n, const float *w, const float *theta, am_gain gain, double beta,
                     double tau)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    size_t nn;
    if (n == 0 || !w || (unsigned)gain > AM_GAIN_SIGMOID || !(beta > 0) || !isfinite(beta) || !(tau > 0) ||
        !isfinite(tau) || am_size_mul(n, n, &nn))
        return AM_EINVAL;
    for (size_t i = 0; i < nn; i++)
        if (!isfinite(w[i]))
            return AM_EINVAL;
    for (size_t i = 0; theta && i < n; i++)
        if (!isfinite(theta[i]))
            return AM_EINVAL;
    am_graded *g = calloc(1, sizeof *g);
    if (!g)
        return AM_ENOMEM;
    g->w = malloc(nn * sizeof *g->w);
    g->theta = calloc(n, sizeof *g->theta);
    g->k = malloc(4 * n * sizeof *g->k);
    g->tmp = malloc(n * sizeof *g->tmp);
    g->v = malloc(n * sizeof *g->v);
    g->vd = malloc(n * sizeof *g->vd);
    g->acc = malloc(n * sizeof *g->acc);
    if (!g->w || !g->theta || !g->k || !g->tmp || !g->v || !g->vd || !g->acc) {
        am_graded_free(g);
        return AM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            g->w[j * n + i] = w[i * n + j];
    if (theta)
        memcpy(g->theta, theta, n * sizeof *g->theta);
    g->n = n;
    g->gain = gain;
    g->beta = beta;
    g->tau = tau;
    *out = g;
    return AM_OK;
}

void am_graded_free(am_graded *g)
{
    if (!g)
        return;
    free(g->w);
    free(g->theta);
    free(g->k);
    free(g->tmp);
    free(g->v);
    free(g->vd);
    free(g->acc);
    free(g);
}

size_t am_graded_n(const am_graded *g)
{
    return g->n;
}

int am_graded_set_beta(am_graded *g, double beta)
{
    if (!g || !(beta > 0) || !isfinite(beta))
        return AM_EINVAL;
    g->beta = beta;
    return AM_OK;
}

void am_graded_output(const am_graded *g, const float *u, float *v)
{
    for (size_t i = 0; i < g->n; i++)
        v[i] = g->gain == AM_GAIN_TANH ? (float)tanh(g->beta * u[i]) : (float)(1.0 / (1.0 + exp(-g->beta * u[i])));
}

/* G(V): the integral of g^-1 from the rest value (0 or 1/2) to V, in double; V at the bounds gives the limit. */
static double G(const am_graded *g, double V)
{
    if (g->gain == AM_GAIN_TANH) {
        double a = fabs(V);
        if (a >= 1.0)
            return log(2.0) / g->beta; /* the limit V atanh V + 1/2 ln(1 - V^2) -> ln 2 */
        return (a * atanh(a) + 0.5 * log1p(-a * a)) / g->beta;
    }
    double t1 = V > 0 ? V * log(V) : 0.0, t2 = V < 1 ? (1 - V) * log1p(-V) : 0.0;
    return (t1 + t2 + log(2.0)) / g->beta;
}

/* acc[i] += sum_j W_ij x_j for every i, each sum taken in the order j = 0, 1, .., n - 1 in double (x: n
 * doubles). Row by row the sums form one dependent chain of additions each; over the
 * transposed matrix the n chains advance side by side, in vector registers, with the same operations in the
 * same order per i: the same bits, several times faster. */
static void matvec(const am_graded *g, const double *x, double *acc)
{
    size_t n = g->n, j = 0;
    for (; j + 4 <= n; j += 4) { /* four columns a pass: acc[i] loaded and stored once for four additions */
        const float *c0 = g->w + j * n, *c1 = c0 + n, *c2 = c1 + n, *c3 = c2 + n;
        double x0 = x[j], x1 = x[j + 1], x2 = x[j + 2], x3 = x[j + 3];
        for (size_t i = 0; i < n; i++) {
            double t = acc[i];
            t += (double)c0[i] * x0;
            t += (double)c1[i] * x1;
            t += (double)c2[i] * x2;
            t += (double)c3[i] * x3;
            acc[i] = t;
        }
    }
    for (; j < n; j++) {
        const float *col = g->w + j * n;
        double xj = x[j];
        for (size_t i = 0; i < n; i++)
            acc[i] += (double)col[i] * xj;
    }
}

/* The energy with V (n doubles) and acc (n doubles) as scratch. */
static double energy_with(const am_graded *g, const float *u, double *V, double *acc)
{
    size_t n = g->n;
    for (size_t i = 0; i < n; i++) {
        V[i] = g->gain == AM_GAIN_TANH ? tanh(g->beta * u[i]) : 1.0 / (1.0 + exp(-g->beta * u[i]));
        acc[i] = 0.0;
    }
    matvec(g, V, acc);
    double e = 0.0;
    for (size_t i = 0; i < n; i++)
        e += -0.5 * V[i] * acc[i] - g->theta[i] * V[i] + G(g, V[i]);
    return e;
}

double am_graded_energy(const am_graded *g, const float *u)
{
    double *V = malloc(2 * g->n * sizeof *V);
    if (!V)
        return NAN;
    double e = energy_with(g, u, V, V + g->n);
    free(V);
    return e;
}

/* du/dt at u into du. */
static void deriv(am_graded *g, const float *u, float *du)
{
    size_t n = g->n;
    am_graded_output(g, u, g->v);
    for (size_t i = 0; i < n; i++) {
        g->acc[i] = g->theta[i];
        g->vd[i] = g->v[i];
    }
    matvec(g, g->vd, g->acc);
    for (size_t i = 0; i < n; i++)
        du[i] = (float)((-(double)u[i] + g->acc[i]) / g->tau);
}

/* One Euler or RK4 step of f on x (n floats), with stages k (4 n) and tmp (n). */
typedef void (*field)(void *ctx, const float *x, float *dx);

static void ode_step(field f, void *ctx, float *x, size_t n, double dt, am_ode method, float *k, float *tmp)
{
    if (method == AM_ODE_EULER) {
        f(ctx, x, k);
        for (size_t i = 0; i < n; i++)
            x[i] += (float)(dt * k[i]);
        return;
    }
    float *k1 = k, *k2 = k + n, *k3 = k + 2 * n, *k4 = k + 3 * n;
    f(ctx, x, k1);
    for (size_t i = 0; i < n; i++)
        tmp[i] = (float)(x[i] + 0.5 * dt * k1[i]);
    f(ctx, tmp, k2);
    for (size_t i = 0; i < n; i++)
        tmp[i] = (float)(x[i] + 0.5 * dt * k2[i]);
    f(ctx, tmp, k3);
    for (size_t i = 0; i < n; i++)
        tmp[i] = (float)(x[i] + dt * k3[i]);
    f(ctx, tmp, k4);
    for (size_t i = 0; i < n; i++)
        x[i] += (float)(dt / 6.0 * ((double)k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]));
}

static void graded_field(void *ctx, const float *x, float *dx)
{
    deriv(ctx, x, dx);
}

static int finite_vec(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

int am_graded_run(am_graded *g, float *u, double dt, size_t steps, am_ode method, double *energy)
{
    if (!g || !u || !(dt > 0) || !isfinite(dt) || (unsigned)method > AM_ODE_RK4)
        return AM_EINVAL;
    if (!finite_vec(u, g->n))
        return AM_ENOTFINITE;
    if (energy)
        energy[0] = energy_with(g, u, g->vd, g->acc);
    for (size_t s = 0; s < steps; s++) {
        int rc = am_cancel_poll();
        if (rc)
            return rc; /* u after whole steps, energy written for them */
        ode_step(graded_field, g, u, g->n, dt, method, g->k, g->tmp);
        if (!finite_vec(u, g->n))
            return AM_ENOTFINITE;
        if (energy)
            energy[s + 1] = energy_with(g, u, g->vd, g->acc);
    }
    return AM_OK;
}

/* ---- the modern store's gradient flow ---- */

typedef struct {
    const am_modern *m;
    double *p; /* M softmax weights */
} flow_ctx;

static void modern_field(void *ctx, const float *xi, float *dx)
{
    flow_ctx *c = ctx;
    size_t d = am_modern_dim(c->m), M = am_modern_count(c->m);
    const float *X = am_modern_patterns(c->m);
    double beta = am_modern_beta(c->m), mx = -INFINITY, sum = 0.0;
    for (size_t mu = 0; mu < M; mu++) {
        double s = 0.0;
        for (size_t j = 0; j < d; j++)
            s += (double)X[mu * d + j] * xi[j];
        c->p[mu] = beta * s;
        mx = c->p[mu] > mx ? c->p[mu] : mx;
    }
    for (size_t mu = 0; mu < M; mu++)
        sum += c->p[mu] = exp(c->p[mu] - mx);
    for (size_t j = 0; j < d; j++) {
        double s = 0.0;
        for (size_t mu = 0; mu < M; mu++)
            s += c->p[mu] * X[mu * d + j];
        dx[j] = (float)(s / sum - xi[j]);
    }
}

int am_modern_flow(const am_modern *m, float *xi, double dt, size_t steps, am_ode method, double *energy)
{
    if (!m || !xi || !(dt > 0) || !isfinite(dt) || (unsigned)method > AM_ODE_RK4)
        return AM_EINVAL;
    size_t d = am_modern_dim(m), M = am_modern_count(m);
    if (M == 0)
        return AM_EEMPTY;
    if (!finite_vec(xi, d))
        return AM_ENOTFINITE;
    flow_ctx c = {m, malloc(M * sizeof(double))};
    float *k = malloc(5 * d * sizeof *k);
    if (!c.p || !k) {
        free(c.p);
        free(k);
        return AM_ENOMEM;
    }
    int rc = AM_OK;
    if (energy)
        energy[0] = am_modern_energy(m, xi);
    for (size_t s = 0; s < steps && !rc && !(rc = am_cancel_poll()); s++) {
        ode_step(modern_field, &c, xi, d, dt, method, k, k + 4 * d);
        if (!finite_vec(xi, d))
            rc = AM_ENOTFINITE;
        else if (energy)
            energy[s + 1] = am_modern_energy(m, xi);
    }
    free(c.p);
    free(k);
    return rc;
}
