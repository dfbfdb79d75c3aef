/* The fixed-order double linear algebra (libam/core/linalg.h): the products are the chains they promise, bit
 * for bit, on every kernel and at 1 and 2 threads; the Cholesky factorisations and the eigensolver against
 * known answers with explicit tolerances (residuals, orthogonality, random SPD and symmetric matrices,
 * repeated eigenvalues, 1 x 1 and 2 x 2), and their error paths (not positive definite, NaN, infinity). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../libam/core/linalg.h"
#include "am/am.h"
#include "tap.h"

static double *rnd(size_t n, am_rng *rng)
{
    double *p = calloc(n ? n : 1, sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = 2.0 * am_rng_uniform(rng) - 1.0;
    return p;
}

/* The definition the products must match bit for bit: C[i][j] = fma chain over r in order. */
static void chain(size_t m, size_t p, size_t q, const double *A, size_t lda, const double *B, size_t ldb, int acc,
                  double *C, size_t ldc)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < q; j++) {
            double c = acc ? C[i * ldc + j] : 0.0;
            for (size_t r = 0; r < m; r++)
                c = fma(A[r * lda + i], B[r * ldb + j], c);
            C[i * ldc + j] = c;
        }
}

static void test_products(am_rng *rng)
{
    const char *native = am__dgemm_kernel(), *kernels[] = {"avx512", "avx2", "scalar"};
    /* Edges of the 8 x 16 tile and of the 256-row block; the last shapes are large enough for 2 threads. */
    const size_t shapes[][3] = {{1, 1, 1}, {256, 8, 16}, {257, 9, 17}, {3, 40, 33}, {600, 70, 50}, {0, 5, 7},
                                {700, 100, 90}};
    int gemm_same = 1, syrk_same = 1, centred_same = 1, tested = 0, symmetric = 1;
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        size_t m = shapes[s][0], p = shapes[s][1], q = shapes[s][2], lda = p + 3, ldb = q + 1, ldc = q + 2;
        double *A = rnd(m * lda, rng), *B = rnd(m * ldb, rng), *C0 = rnd(p * (ldc > p + 2 ? ldc : p + 2), rng);
        double *want = malloc(p * (ldc > p + 2 ? ldc : p + 2) * sizeof *want), *C = malloc(p * (p + q + 4) * 8);
        float *xf = malloc((m ? m : 1) * lda * sizeof *xf);
        double *mean = rnd(lda, rng), *xc = malloc((m ? m : 1) * lda * sizeof *xc);
        for (size_t r = 0; r < m * lda; r++) {
            xf[r] = (float)A[r];
            xc[r] = (double)xf[r] - mean[r % lda];
        }
        for (int acc = 0; acc < 2; acc++)
            for (int k = 0; k < 3; k++) {
                if (am__dgemm_use(kernels[k]) != AM_OK)
                    continue;
                for (int T = 1; T <= 2; T++, tested++) {
                    memcpy(want, C0, p * ldc * sizeof *want);
                    chain(m, p, q, A, lda, B, ldb, acc, want, ldc);
                    memcpy(C, C0, p * ldc * sizeof *C);
                    am__dgemm_tn(T, m, p, q, A, lda, B, ldb, acc, C, ldc);
                    gemm_same &= !memcmp(C, want, p * ldc * sizeof *C);
                    /* A^T A: chains on the upper triangle, mirrored (accumulating onto a symmetric C). */
                    size_t ld2 = p + 2;
                    double *sym = malloc(p * ld2 * sizeof *sym);
                    for (size_t i = 0; i < p; i++)
                        for (size_t j = 0; j < ld2; j++)
                            sym[i * ld2 + j] = j < i ? C0[j * ld2 + i] : C0[i * ld2 + j];
                    memcpy(want, sym, p * ld2 * sizeof *want);
                    chain(m, p, p, A, lda, A, lda, acc, want, ld2);
                    for (size_t i = 0; i < p; i++)
                        for (size_t j = 0; j < i; j++)
                            want[i * ld2 + j] = want[j * ld2 + i];
                    memcpy(C, sym, p * ld2 * sizeof *C);
                    am__dsyrk_tn(T, m, p, A, lda, acc, C, ld2);
                    syrk_same &= !memcmp(C, want, p * ld2 * sizeof *C);
                    for (size_t i = 0; i < p; i++)
                        for (size_t j = 0; j < p; j++)
                            symmetric &= C[i * ld2 + j] == C[j * ld2 + i];
                    free(sym);
                    /* Centred float rows: the same chains as the centred double matrix. */
                    double *w2 = malloc(p * ld2 * sizeof *w2);
                    memcpy(w2, C0, p * ld2 * sizeof *w2);
                    am__dsyrk_tn(1, m, p, xc, lda, 0, w2, ld2);
                    memcpy(C, C0, p * ld2 * sizeof *C);
                    am__dsyrk_centred(T, m, p, xf, lda, mean, 0, C, ld2);
                    centred_same &= !memcmp(C, w2, p * ld2 * sizeof *C);
                    free(w2);
                }
            }
        free(A), free(B), free(C0), free(want), free(C), free(xf), free(mean), free(xc);
    }
    am__dgemm_use(native);
    diag("double kernel on this CPU: %s (%d products compared)", native, tested);
    ok(gemm_same, "A^T B: every entry is its fma chain over the rows in order, on every kernel, at 1 and 2 threads");
    ok(syrk_same, "A^T A: the same chains on the upper triangle, mirrored");
    ok(symmetric, "A^T A is exactly symmetric");
    ok(centred_same, "centred float rows: the bits of the centred double matrix");
    ok(am__dgemm_use("no-such") == AM_EUNSUPPORTED, "an unknown kernel: AM_EUNSUPPORTED");
}

/* A random SPD n x n matrix: G^T G / n + shift I. */
static double *spd(size_t n, double shift, am_rng *rng)
{
    double *g = rnd(n * n, rng), *a = malloc(n * n * sizeof *a);
    chain(n, n, n, g, n, g, n, 0, a, n);
    for (size_t i = 0; i < n * n; i++)
        a[i] /= (double)n;
    for (size_t i = 0; i < n; i++)
        a[i * n + i] += shift;
    free(g);
    return a;
}

static void test_cholesky(am_rng *rng)
{
    double worst = 0.0;
    const size_t sizes[] = {1, 2, 7, 40, 130};
    for (size_t s = 0; s < 5; s++) {
        size_t n = sizes[s], nrhs = 3;
        double *a = spd(n, 0.1, rng), *f = malloc(n * n * sizeof *f), *x = rnd(n * nrhs, rng);
        double *b = malloc(n * nrhs * sizeof *b);
        memcpy(f, a, n * n * sizeof *f);
        for (size_t i = 0; i < n; i++) /* the lower triangle is not read: garbage there */
            for (size_t j = 0; j < i; j++)
                f[i * n + j] = NAN;
        chain(n, n, nrhs, a, n, x, nrhs, 0, b, nrhs); /* b = A x (A symmetric) */
        ok(am__dposv(n, nrhs, f, n, b, nrhs) == AM_OK, "dposv %zu x %zu SPD", n, n);
        for (size_t i = 0; i < n * nrhs; i++) {
            double e = fabs(b[i] - x[i]);
            worst = e > worst ? e : worst;
        }
        free(a), free(f), free(x), free(b);
    }
    ok(worst < 1e-10, "dposv solutions within 1e-10 of the known x (worst %.2g)", worst);
    double np[4] = {1, 2, 2, 1}, b[2] = {1, 2};
    ok(am__dposv(2, 1, np, 2, b, 1) == AM_ENUMERIC && b[0] == 1 && b[1] == 2,
       "not positive definite ([[1,2],[2,1]]): AM_ENUMERIC, B unchanged");
    double zero[1] = {0}, b1[1] = {1};
    ok(am__dposv(1, 1, zero, 1, b1, 1) == AM_ENUMERIC, "a zero pivot: AM_ENUMERIC");
    double nan[4] = {1, NAN, NAN, 1}, b2[2] = {1, 1};
    ok(am__dposv(2, 1, nan, 2, b2, 1) == AM_ENOTFINITE, "NaN in A: AM_ENOTFINITE");
    double id[4] = {1, 0, 0, 1}, b3[2] = {INFINITY, 1};
    ok(am__dposv(2, 1, id, 2, b3, 1) == AM_ENOTFINITE, "infinity in B: AM_ENOTFINITE");

    /* Pivoted: a Gram matrix of rank 5 (8 columns in 5 dimensions), and a full-rank one reconstructed. */
    size_t k = 8, perm[8];
    double *g = rnd(5 * k, rng), *c = malloc(k * k * sizeof *c), *c0 = malloc(k * k * sizeof *c0);
    chain(5, k, k, g, k, g, k, 0, c, k);
    ok(am__dchol_pivoted(c, k, 1e-9, perm) == 5, "pivoted Cholesky: rank 5 of 8 columns in 5 dimensions");
    double *a = spd(k, 0.5, rng);
    memcpy(c0, a, k * k * sizeof *c0);
    size_t r = am__dchol_pivoted(a, k, 1e-9, perm);
    double err = 0.0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = 0.0;
            for (size_t l = 0; l <= j; l++)
                s += a[i * k + l] * a[j * k + l];
            err = fmax(err, fabs(s - c0[perm[i] * k + perm[j]]));
        }
    ok(r == k && err < 1e-12, "pivoted Cholesky of an SPD matrix: full rank, L L^T = P A P^T within 1e-12 (%.2g)", err);
    double nanm[4] = {NAN, 0, 0, 1};
    size_t pp[2];
    ok(am__dchol_pivoted(nanm, 2, 1e-9, pp) == 0, "a NaN diagonal stops the factorisation (rank 0)");
    free(g), free(c), free(c0), free(a);
}

static void column_of(void *ctx, size_t j, double *out)
{
    const double *a = ctx;
    for (size_t i = 0; i < 40; i++)
        out[i] = a[i * 40 + j];
}

/* The lazy pivoted Cholesky (only pivot columns formed) against the full one: 40 vectors in 25 dimensions. */
static void test_lazy(am_rng *rng)
{
    size_t k = 40, dims = 25, perm[40], lperm[40];
    double *g = rnd(dims * k, rng), *c = malloc(k * k * sizeof *c), *full = malloc(k * k * sizeof *full);
    double *L = malloc(k * k * sizeof *L), diag[40], d[40], col[40];
    chain(dims, k, k, g, k, g, k, 0, c, k);
    memcpy(full, c, k * k * sizeof *full);
    for (size_t i = 0; i < k; i++)
        diag[i] = c[i * k + i];
    size_t r = am__dchol_pivoted(full, k, 1e-9, perm), rl = am__dchol_pivoted_lazy(k, k, column_of, c, diag, 1e-9, L,
                                                                                    lperm, d, col);
    int same = r == rl && !memcmp(perm, lperm, r * sizeof *perm);
    for (size_t a = 0; a < r && same; a++)
        for (size_t b = 0; b <= a; b++)
            same &= full[a * k + b] == L[b * k + lperm[a]];
    ok(r == dims && same, "lazy pivoted Cholesky: rank %zu of 40 vectors in 25 dimensions, the full one's pivots and "
                          "factor bit for bit", rl);
    ok(am__dchol_pivoted_lazy(k, 10, column_of, c, diag, 1e-9, L, lperm, d, col) == 10, "lazy: stops at rmax");
    free(g), free(c), free(full), free(L);
}

/* ||A v - w v|| over the k vectors, the largest |V V^T - I|, and |sum w - trace|. */
static void eig_check(const double *a, size_t n, const double *w, const double *v, size_t k, double *res,
                      double *orth)
{
    *res = *orth = 0.0;
    for (size_t c = 0; c < k; c++) {
        double r2 = 0.0;
        for (size_t i = 0; i < n; i++) {
            double s = 0.0;
            for (size_t j = 0; j < n; j++)
                s += a[i * n + j] * v[c * n + j];
            r2 += (s - w[c] * v[c * n + i]) * (s - w[c] * v[c * n + i]);
        }
        *res = fmax(*res, sqrt(r2));
        for (size_t d = 0; d < k; d++) {
            double s = 0.0;
            for (size_t i = 0; i < n; i++)
                s += v[c * n + i] * v[d * n + i];
            *orth = fmax(*orth, fabs(s - (c == d)));
        }
    }
}

/* Eigen-decompose a copy of a (n x n), all n vectors; check and report. */
static int eig_case(const char *what, const double *a, size_t n, const double *want, double tol)
{
    double *m = malloc(n * n * sizeof *m), *w = malloc(n * sizeof *w), *v = malloc(n * n * sizeof *v);
    memcpy(m, a, n * n * sizeof *m);
    int rc = am__dsyev(n, m, n, w, n, v);
    double res, orth, werr = 0.0, norm = 0.0;
    eig_check(a, n, w, v, n, &res, &orth);
    for (size_t i = 0; i < n * n; i++)
        norm = fmax(norm, fabs(a[i]));
    int sorted = 1;
    for (size_t i = 0; i < n; i++) {
        if (want)
            werr = fmax(werr, fabs(w[i] - want[i]));
        if (i)
            sorted &= w[i] <= w[i - 1];
    }
    int good = ok(rc == AM_OK && sorted && res <= tol * (norm + 1) * n && orth <= tol * n && werr <= tol * (norm + 1) * n,
                  "%s: residual %.2g, orthogonality %.2g, eigenvalue error %.2g (tolerance %g n ||A||)", what, res, orth,
                  werr, tol);
    free(m), free(w), free(v);
    return good;
}

/* Q diag(lambda) Q^T with Q a product of random reflectors. */
static double *with_spectrum(const double *lambda, size_t n, am_rng *rng)
{
    double *a = calloc(n * n, sizeof *a), *u = malloc(n * sizeof *u), *t = malloc(n * sizeof *t);
    for (size_t i = 0; i < n; i++)
        a[i * n + i] = lambda[i];
    for (int h = 0; h < 3; h++) {
        double nn = 0.0;
        for (size_t i = 0; i < n; i++) {
            u[i] = 2.0 * am_rng_uniform(rng) - 1.0;
            nn += u[i] * u[i];
        }
        for (size_t i = 0; i < n; i++)
            u[i] /= sqrt(nn);
        /* a = H a H, H = I - 2 u u^T */
        for (int side = 0; side < 2; side++) {
            for (size_t j = 0; j < n; j++) {
                double s = 0.0;
                for (size_t i = 0; i < n; i++)
                    s += u[i] * a[i * n + j];
                t[j] = s;
            }
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++)
                    a[i * n + j] -= 2.0 * u[i] * t[j];
            for (size_t i = 0; i < n; i++) /* transpose: the second pass is the right side */
                for (size_t j = i + 1; j < n; j++) {
                    double x = a[i * n + j];
                    a[i * n + j] = a[j * n + i];
                    a[j * n + i] = x;
                }
        }
        for (size_t i = 0; i < n; i++) /* exactly symmetric */
            for (size_t j = i + 1; j < n; j++)
                a[j * n + i] = a[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
    }
    free(u), free(t);
    return a;
}

static void test_eigen(am_rng *rng)
{
    double one[1] = {-3.5}, w1[1], v1[1];
    ok(am__dsyev(1, one, 1, w1, 1, v1) == AM_OK && w1[0] == -3.5 && v1[0] == 1.0, "1 x 1: the entry, vector 1");
    double two[4] = {2, 1, 1, 2}, w2[2], v2[4];
    ok(am__dsyev(2, two, 2, w2, 2, v2) == AM_OK && fabs(w2[0] - 3) < 1e-15 && fabs(w2[1] - 1) < 1e-15 &&
           fabs(fabs(v2[0]) - sqrt(0.5)) < 1e-15 && fabs(v2[0] - v2[1]) < 1e-15 && fabs(v2[2] + v2[3]) < 1e-15,
       "2 x 2 [[2,1],[1,2]]: 3 along (1,1)/sqrt 2 and 1 along (1,-1)/sqrt 2, within 1e-15");
    /* The second difference matrix: eigenvalues 2 - 2 cos(j pi / (n + 1)). */
    size_t n = 60;
    double *t = calloc(n * n, sizeof *t), *want = malloc(n * sizeof *want);
    for (size_t i = 0; i < n; i++) {
        t[i * n + i] = 2.0;
        if (i + 1 < n)
            t[i * n + i + 1] = t[(i + 1) * n + i] = -1.0;
        want[i] = 2.0 - 2.0 * cos((double)(n - i) * M_PI / (double)(n + 1));
    }
    eig_case("second difference 60 x 60 against 2 - 2 cos(j pi / 61)", t, n, want, 1e-14);
    double *dz = calloc(n * n, sizeof *dz), *zw = calloc(n, sizeof *zw);
    eig_case("zero matrix", dz, n, zw, 1e-14);
    /* Random symmetric, and repeated eigenvalues (5, 5, 5, 1, 1, 0, ..., 0, -2) hidden by a rotation. */
    for (size_t s = 0; s < 3; s++) {
        size_t m = s == 0 ? 3 : s == 1 ? 50 : 200;
        double *a = rnd(m * m, rng);
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < i; j++)
                a[i * m + j] = a[j * m + i];
        char what[64];
        snprintf(what, sizeof what, "random symmetric %zu x %zu", m, m);
        eig_case(what, a, m, NULL, 1e-14);
        free(a);
    }
    double lambda[40];
    for (size_t i = 0; i < 40; i++)
        lambda[i] = i < 3 ? 5.0 : i < 5 ? 1.0 : i < 39 ? 0.0 : -2.0;
    double *dg = with_spectrum(lambda, 40, rng);
    eig_case("repeated eigenvalues 5 (x3), 1 (x2), 0 (x34), -2", dg, 40, lambda, 1e-14);
    /* The leading k only: the same as the first k of the full decomposition, bit for bit. */
    double *sp = spd(30, 0.0, rng), *m1 = malloc(900 * sizeof *m1), *wa = malloc(30 * 8), *wb = malloc(30 * 8);
    double *va = malloc(900 * 8), *vb = malloc(900 * 8);
    memcpy(m1, sp, 900 * 8);
    am__dsyev(30, m1, 30, wa, 30, va);
    memcpy(m1, sp, 900 * 8);
    am__dsyev(30, m1, 30, wb, 4, vb);
    ok(!memcmp(wa, wb, 30 * 8) && !memcmp(va, vb, 4 * 30 * 8), "k = 4 vectors: the first 4 of all 30, bit for bit");
    memcpy(m1, sp, 900 * 8);
    m1[31] = NAN;
    ok(am__dsyev(30, m1, 30, wa, 4, va) == AM_ENOTFINITE, "NaN entry: AM_ENOTFINITE");
    memcpy(m1, sp, 900 * 8);
    m1[5] = INFINITY;
    ok(am__dsyev(30, m1, 30, wa, 4, va) == AM_ENOTFINITE, "infinite entry: AM_ENOTFINITE");
    ok(am__dsyev(30, m1, 30, wa, 31, va) == AM_EINVAL && am__dsyev(0, m1, 1, wa, 0, NULL) == AM_EINVAL,
       "k > n or n = 0: AM_EINVAL");
    free(t), free(want), free(dz), free(zw), free(dg), free(sp), free(m1), free(wa), free(wb), free(va), free(vb);
}

int main(void)
{
    am_rng rng;
    am_rng_init(&rng, 25, 0);
    test_products(&rng);
    test_cholesky(&rng);
    test_lazy(&rng);
    test_eigen(&rng);
    return done_testing();
}
