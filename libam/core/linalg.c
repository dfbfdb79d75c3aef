/* Fixed-order double-precision linear algebra (linalg.h): a blocked A^T B product, Cholesky factorisations
 * and a symmetric eigensolver. Every number is computed by the same operations in the same order on every
 * path; vector code only ever does element-wise work (no sum is split across lanes). */
#include "linalg.h"

#include <float.h>
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* ---- the product: 8 x 16 register tiles over packed panels of A (8 columns) and strips of B (16) ---- */

#define DMR 8
#define DNR 16
#define DKC 256

/* t (DMR x DNR, row stride DNR) += the chains over kc rows of the packed panel a (kc x DMR) and strip b
 * (kc x DNR): t[i][j] = fma(a[r][i], b[r][j], t[i][j]) for r in order. */
typedef void (*dukr_fn)(size_t kc, const double *a, const double *b, double *t);

static void dukr_scalar(size_t kc, const double *a, const double *b, double *t)
{
    for (size_t i = 0; i < DMR; i++)
        for (size_t j = 0; j < DNR; j++) {
            double c = t[i * DNR + j];
            for (size_t r = 0; r < kc; r++)
                c = fma(a[r * DMR + i], b[r * DNR + j], c);
            t[i * DNR + j] = c;
        }
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2,fma"))) static void dukr_avx2(size_t kc, const double *a, const double *b, double *t)
{
    /* Four 4 x 8 quarters, eight ymm accumulators each. */
    for (size_t qi = 0; qi < DMR; qi += 4)
        for (size_t qj = 0; qj < DNR; qj += 8) {
            __m256d c[4][2];
            for (size_t i = 0; i < 4; i++) {
                c[i][0] = _mm256_loadu_pd(t + (qi + i) * DNR + qj);
                c[i][1] = _mm256_loadu_pd(t + (qi + i) * DNR + qj + 4);
            }
            for (size_t r = 0; r < kc; r++) {
                __m256d b0 = _mm256_loadu_pd(b + r * DNR + qj), b1 = _mm256_loadu_pd(b + r * DNR + qj + 4);
                for (size_t i = 0; i < 4; i++) {
                    __m256d av = _mm256_broadcast_sd(a + r * DMR + qi + i);
                    c[i][0] = _mm256_fmadd_pd(av, b0, c[i][0]);
                    c[i][1] = _mm256_fmadd_pd(av, b1, c[i][1]);
                }
            }
            for (size_t i = 0; i < 4; i++) {
                _mm256_storeu_pd(t + (qi + i) * DNR + qj, c[i][0]);
                _mm256_storeu_pd(t + (qi + i) * DNR + qj + 4, c[i][1]);
            }
        }
}

__attribute__((target("avx512f"))) static void dukr_avx512(size_t kc, const double *a, const double *b, double *t)
{
    __m512d c[DMR][2];
    for (size_t i = 0; i < DMR; i++) {
        c[i][0] = _mm512_loadu_pd(t + i * DNR);
        c[i][1] = _mm512_loadu_pd(t + i * DNR + 8);
    }
#pragma GCC unroll 2
    for (size_t r = 0; r < kc; r++) {
        __m512d b0 = _mm512_loadu_pd(b + r * DNR), b1 = _mm512_loadu_pd(b + r * DNR + 8);
#pragma GCC unroll 8
        for (size_t i = 0; i < DMR; i++) {
            __m512d av = _mm512_set1_pd(a[r * DMR + i]);
            c[i][0] = _mm512_fmadd_pd(av, b0, c[i][0]);
            c[i][1] = _mm512_fmadd_pd(av, b1, c[i][1]);
        }
    }
    for (size_t i = 0; i < DMR; i++) {
        _mm512_storeu_pd(t + i * DNR, c[i][0]);
        _mm512_storeu_pd(t + i * DNR + 8, c[i][1]);
    }
}
#endif

static dukr_fn dukr;
static const char *dukr_name = "scalar";

static void pick_dkernel(void)
{
    if (__atomic_load_n(&dukr, __ATOMIC_ACQUIRE))
        return;
    dukr_fn k = dukr_scalar;
    const char *name = "scalar";
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        k = dukr_avx512;
        name = "avx512";
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        k = dukr_avx2;
        name = "avx2";
    }
#endif
    dukr_name = name;
    __atomic_store_n(&dukr, k, __ATOMIC_RELEASE);
}

const char *am__dgemm_kernel(void)
{
    pick_dkernel();
    return dukr_name;
}

int am__dgemm_use(const char *name)
{
    pick_dkernel();
    if (!strcmp(name, "scalar")) {
        dukr = dukr_scalar;
        dukr_name = "scalar";
        return AM_OK;
    }
#if defined(__x86_64__) || defined(__i386__)
    if (!strcmp(name, "avx2") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        dukr = dukr_avx2;
        dukr_name = "avx2";
        return AM_OK;
    }
    if (!strcmp(name, "avx512") && __builtin_cpu_supports("avx512f")) {
        dukr = dukr_avx512;
        dukr_name = "avx512";
        return AM_OK;
    }
#endif
    return AM_EUNSUPPORTED;
}

/* Where the product's rows come from: a double matrix d, or float rows f less a double mean (centred rows,
 * (double) f - mean, made while packing). */
typedef struct dsrc {
    const double *d;
    const float *f;
    const double *mean;
    size_t ld;
} dsrc;

/* dst[r * w + c] = X(p0 + r, c0 + c) for r < kc, c < w; 0 past `cols` columns. */
static void pack(const dsrc *X, size_t p0, size_t kc, size_t c0, size_t cols, size_t w, double *dst)
{
    size_t have = cols - c0 < w ? cols - c0 : w;
    for (size_t r = 0; r < kc; r++) {
        double *d = dst + r * w;
        if (X->d) {
            memcpy(d, X->d + (p0 + r) * X->ld + c0, have * sizeof *d);
        } else {
            const float *f = X->f + (p0 + r) * X->ld + c0;
            for (size_t c = 0; c < have; c++)
                d[c] = (double)f[c] - X->mean[c0 + c];
        }
        for (size_t c = have; c < w; c++)
            d[c] = 0.0;
    }
}

/* One tile of C, rows [i0, i0 + DMR) x columns [j0, j0 + DNR) clipped to p x q: its chains continued over
 * the current k block (fresh: starting from 0). */
static void tile(size_t kc, const double *pa, const double *pb, double *C, size_t ldc, size_t i0, size_t j0,
                 size_t p, size_t q, int fresh)
{
    double t[DMR * DNR] __attribute__((aligned(64)));
    size_t rows = p - i0 < DMR ? p - i0 : DMR, cols = q - j0 < DNR ? q - j0 : DNR;
    memset(t, 0, sizeof t);
    if (!fresh)
        for (size_t i = 0; i < rows; i++)
            memcpy(t + i * DNR, C + (i0 + i) * ldc + j0, cols * sizeof *t);
    dukr(kc, pa, pb, t);
    for (size_t i = 0; i < rows; i++)
        memcpy(C + (i0 + i) * ldc + j0, t + i * DNR, cols * sizeof *t);
}

static int team(int threads, double work)
{
#ifdef _OPENMP
    if (omp_in_parallel() || work < 2e6)
        return 1;
    if (threads <= 0)
        threads = omp_get_max_threads();
#else
    (void)work;
    threads = 1;
#endif
    return threads < 1 ? 1 : threads;
}

typedef struct job {
    size_t m, p, q;
    dsrc A, B;
    int accumulate, upper;
    double *C;
    size_t ldc;
} job;

/* Panels of A that the strip s needs: all of them, or (upper) those starting before the strip ends. */
static size_t panels_for(const job *jb, size_t s)
{
    size_t np = (jb->p + DMR - 1) / DMR, jend = (s + 1) * DNR < jb->q ? (s + 1) * DNR : jb->q;
    size_t need = jb->upper ? (jend + DMR - 1) / DMR : np;
    return need < np ? need : np;
}

/* Thread tid of nt: the strips s = tid, tid + nt, ... of C, every k block of them, packing privately what it
 * reads (pa: the panels, pb: its strips), so that the team never waits for one another. */
static void worker(const job *jb, int tid, int nt, double *pa, double *pb)
{
    size_t nq = (jb->q + DNR - 1) / DNR, T = (size_t)nt, me = (size_t)tid, need = 0;
    for (size_t s = me; s < nq; s += T)
        need = panels_for(jb, s) > need ? panels_for(jb, s) : need;
    for (size_t p0 = 0; p0 < jb->m; p0 += DKC) {
        size_t kc = jb->m - p0 < DKC ? jb->m - p0 : DKC;
        for (size_t ip = 0; ip < need; ip++)
            pack(&jb->A, p0, kc, ip * DMR, jb->p, DMR, pa + ip * DMR * DKC);
        for (size_t s = me; s < nq; s += T) {
            pack(&jb->B, p0, kc, s * DNR, jb->q, DNR, pb);
            for (size_t ip = 0; ip < panels_for(jb, s); ip++)
                tile(kc, pa + ip * DMR * DKC, pb, jb->C, jb->ldc, ip * DMR, s * DNR, jb->p, jb->q,
                     !jb->accumulate && !p0);
        }
    }
}

/* C (+)= A^T B on a team; upper: B is A and only the tiles that reach j >= i are computed (then mirrored). */
static int product(int threads, job *jb)
{
    size_t np = (jb->p + DMR - 1) / DMR;
    if (!jb->p || !jb->q)
        return AM_OK;
    if (!jb->m) {
        if (!jb->accumulate)
            for (size_t i = 0; i < jb->p; i++)
                memset(jb->C + i * jb->ldc, 0, jb->q * sizeof *jb->C);
        return AM_OK;
    }
    int nt = team(threads, (double)jb->m * (double)jb->p * (double)jb->q);
    size_t per = np * DMR * DKC + DNR * DKC;
    double *buf = NULL;
    if (posix_memalign((void **)&buf, 64, (size_t)nt * per * sizeof *buf))
        return AM_ENOMEM;
    pick_dkernel();
    if (nt == 1) {
        worker(jb, 0, 1, buf, buf + np * DMR * DKC);
    } else {
#pragma omp parallel num_threads(nt)
        {
#ifdef _OPENMP
            int tid = omp_get_thread_num(), n = omp_get_num_threads();
#else
            int tid = 0, n = 1;
#endif
            double *mine = buf + (size_t)tid * per;
            worker(jb, tid, n, mine, mine + np * DMR * DKC);
        }
    }
    free(buf);
    if (jb->upper)
        for (size_t i = 1; i < jb->p; i++)
            for (size_t j = 0; j < i; j++)
                jb->C[i * jb->ldc + j] = jb->C[j * jb->ldc + i];
    return AM_OK;
}

int am__dgemm_tn(int threads, size_t m, size_t p, size_t q, const double *A, size_t lda, const double *B, size_t ldb,
                 int accumulate, double *C, size_t ldc)
{
    job jb = {m, p, q, {A, NULL, NULL, lda}, {B, NULL, NULL, ldb}, accumulate, 0, C, ldc};
    return product(threads, &jb);
}

int am__dsyrk_tn(int threads, size_t m, size_t n, const double *A, size_t lda, int accumulate, double *C, size_t ldc)
{
    job jb = {m, n, n, {A, NULL, NULL, lda}, {A, NULL, NULL, lda}, accumulate, 1, C, ldc};
    return product(threads, &jb);
}

int am__dsyrk_centred(int threads, size_t m, size_t n, const float *x, size_t ldx, const double *mean, int accumulate,
                      double *C, size_t ldc)
{
    job jb = {m, n, n, {NULL, x, mean, ldx}, {NULL, x, mean, ldx}, accumulate, 1, C, ldc};
    return product(threads, &jb);
}

/* ---- element-wise helpers (vectorised; each element's operations are the same on every path) ---- */

/* y[l] -= a x[l] */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void sub_scaled(double *restrict y,
                                                                                    const double *restrict x,
                                                                                    double a, size_t n)
{
    for (size_t l = 0; l < n; l++)
        y[l] -= a * x[l];
}

/* y[l] += a x[l] */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void add_scaled(double *restrict y,
                                                                                    const double *restrict x,
                                                                                    double a, size_t n)
{
    for (size_t l = 0; l < n; l++)
        y[l] += a * x[l];
}

static void scale_by(double *y, double d, size_t n)
{
    for (size_t l = 0; l < n; l++)
        y[l] /= d;
}

/* ---- Cholesky ---- */

static void swap_rows_cols(double *a, size_t k, size_t i, size_t j)
{
    for (size_t c = 0; c < k; c++) {
        double t = a[i * k + c];
        a[i * k + c] = a[j * k + c];
        a[j * k + c] = t;
    }
    for (size_t r = 0; r < k; r++) {
        double t = a[r * k + i];
        a[r * k + i] = a[r * k + j];
        a[r * k + j] = t;
    }
}

size_t am__dchol_pivoted(double *a, size_t k, double tol, size_t *perm)
{
    size_t j;
    for (size_t i = 0; i < k; i++)
        perm[i] = i;
    for (j = 0; j < k; j++) {
        size_t p = j;
        for (size_t i = j + 1; i < k; i++)
            p = a[i * k + i] > a[p * k + p] ? i : p;
        if (!(a[p * k + p] > tol))
            break;
        if (p != j) {
            swap_rows_cols(a, k, j, p);
            size_t t = perm[j];
            perm[j] = perm[p];
            perm[p] = t;
        }
        double d = sqrt(a[j * k + j]);
        a[j * k + j] = d;
        /* Column j of L, and its mirror in row j (the matrix stays exactly symmetric: the products below
         * commute), which the trailing update reads contiguously. */
        for (size_t i = j + 1; i < k; i++) {
            a[i * k + j] /= d;
            a[j * k + i] = a[i * k + j];
        }
        for (size_t i = j + 1; i < k; i++) /* the trailing matrix, kept whole for the swaps */
            sub_scaled(a + i * k + j + 1, a + j * k + j + 1, a[i * k + j], k - j - 1);
    }
    return j;
}

void am__dtrsm_lower(size_t r, const double *L, size_t ldl, double *B, size_t n, size_t ldb)
{
    for (size_t a = 0; a < r; a++) {
        double *row = B + a * ldb;
        for (size_t b = 0; b < a; b++)
            sub_scaled(row, B + b * ldb, L[a * ldl + b], n);
        scale_by(row, L[a * ldl + a], n);
    }
}

size_t am__dchol_pivoted_lazy(size_t k, size_t rmax, void (*column)(void *ctx, size_t j, double *out), void *ctx,
                              const double *diag, double tol, double *L, size_t *perm, double *d, double *col)
{
    size_t j;
    memcpy(d, diag, k * sizeof *d);
    for (j = 0; j < rmax && j < k; j++) {
        size_t p = SIZE_MAX;
        for (size_t i = 0; i < k; i++) /* pivoted rows are marked by a NaN residual */
            if (!isnan(d[i]) && (p == SIZE_MAX || d[i] > d[p]))
                p = i;
        if (p == SIZE_MAX || !(d[p] > tol))
            break;
        perm[j] = p;
        column(ctx, p, col);
        for (size_t t = 0; t < j; t++) /* the Schur complement's column: the earlier steps' parts, in order */
            sub_scaled(col, L + t * k, L[t * k + p], k);
        double s = sqrt(d[p]);
        double *lj = L + j * k;
        for (size_t i = 0; i < k; i++) {
            lj[i] = isnan(d[i]) || i == p ? 0.0 : col[i] / s;
            d[i] -= lj[i] * lj[i];
        }
        lj[p] = s;
        d[p] = NAN;
    }
    return j;
}

static int finite_upper(const double *a, size_t lda, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++)
            if (!isfinite(a[i * lda + j]))
                return 0;
    return 1;
}

int am__dposv(size_t n, size_t nrhs, double *a, size_t lda, double *b, size_t ldb)
{
    if (!finite_upper(a, lda, n))
        return AM_ENOTFINITE;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < nrhs; c++)
            if (!isfinite(b[i * ldb + c]))
                return AM_ENOTFINITE;
    /* A = U^T U, U in the upper triangle, row by row: row i of U, then the trailing rows less its outer part. */
    for (size_t i = 0; i < n; i++) {
        double *ui = a + i * lda;
        if (!(ui[i] > 0.0))
            return AM_ENUMERIC;
        double d = sqrt(ui[i]);
        ui[i] = d;
        scale_by(ui + i + 1, d, n - i - 1);
        for (size_t r = i + 1; r < n; r++)
            sub_scaled(a + r * lda + r, ui + r, ui[r], n - r);
    }
    /* U^T Y = B forward, then U X = Y backward, whole rows of B at a time. */
    for (size_t i = 0; i < n; i++) {
        scale_by(b + i * ldb, a[i * lda + i], nrhs);
        for (size_t r = i + 1; r < n; r++)
            sub_scaled(b + r * ldb, b + i * ldb, a[i * lda + r], nrhs);
    }
    for (size_t i = n; i-- > 0;) {
        for (size_t r = i + 1; r < n; r++)
            sub_scaled(b + i * ldb, b + r * ldb, a[i * lda + r], nrhs);
        scale_by(b + i * ldb, a[i * lda + i], nrhs);
    }
    return AM_OK;
}

/* ---- the symmetric eigenproblem ---- */

/* sqrt(a^2 + b^2) without overflow, from IEEE operations alone (libm's hypot may differ between builds). */
static double pythag(double a, double b)
{
    a = fabs(a);
    b = fabs(b);
    if (a > b) {
        double r = b / a;
        return a * sqrt(1.0 + r * r);
    }
    if (b == 0.0)
        return 0.0;
    double r = a / b;
    return b * sqrt(1.0 + r * r);
}

/* Householder vector of x (m >= 1, in place: x becomes v with v[0] = 1): H x = beta e_0 with
 * H = I - tau v v^T. Returns tau (0 when x is already beta e_0). */
static double householder(double *x, size_t m, double *beta)
{
    double alpha = x[0], big = 0.0, sigma = 0.0;
    for (size_t i = 1; i < m; i++)
        big = fabs(x[i]) > big ? fabs(x[i]) : big;
    if (big == 0.0) {
        *beta = alpha;
        x[0] = 1.0;
        return 0.0;
    }
    big = fabs(alpha) > big ? fabs(alpha) : big;
    for (size_t i = 1; i < m; i++)
        sigma += (x[i] / big) * (x[i] / big);
    double mu = big * sqrt((alpha / big) * (alpha / big) + sigma);
    double b = alpha <= 0.0 ? mu : -mu, v0 = alpha - b;
    for (size_t i = 1; i < m; i++)
        x[i] /= v0;
    x[0] = 1.0;
    *beta = b;
    return (b - alpha) / b;
}

/* p = tau B v over the full symmetric m x m trailing block B (ld), as sums over B's rows in order. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void symv_rows(double *restrict p,
                                                                                   const double *restrict B,
                                                                                   size_t ld, const double *v,
                                                                                   size_t m)
{
    for (size_t c = 0; c < m; c++)
        p[c] = 0.0;
    for (size_t r = 0; r < m; r++) {
        const double *restrict row = B + r * ld;
        double vr = v[r];
        for (size_t c = 0; c < m; c++)
            p[c] += vr * row[c];
    }
}

/* B -= v w^T + w v^T, written so that B stays exactly symmetric (the two products of an entry and of its
 * mirror are the same two numbers, added in swapped order). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void rank2_row(double *restrict row,
                                                                                   const double *restrict v,
                                                                                   const double *restrict w,
                                                                                   double vr, double wr, size_t m)
{
    for (size_t c = 0; c < m; c++)
        row[c] -= vr * w[c] + wr * v[c];
}

/* Reduce a (n x n, ld, full symmetric, n >= 2) to tridiagonal form: diagonal d, off-diagonal e (e[j] between
 * j and j + 1); the reflector of step j in row j of a from column j + 1 on (v[0] = 1), its tau in tau[j].
 * work: n doubles. */
static void tridiagonalise(double *a, size_t ld, size_t n, double *d, double *e, double *tau, double *work)
{
    for (size_t j = 0; j + 2 < n; j++) {
        size_t m = n - j - 1;
        double *v = a + j * ld + j + 1, *B = a + (j + 1) * ld + j + 1, K = 0.0;
        d[j] = a[j * ld + j];
        tau[j] = householder(v, m, &e[j]);
        if (tau[j] == 0.0)
            continue;
        symv_rows(work, B, ld, v, m);
        for (size_t c = 0; c < m; c++)
            work[c] *= tau[j];
        for (size_t c = 0; c < m; c++)
            K += work[c] * v[c];
        K *= 0.5 * tau[j];
        for (size_t c = 0; c < m; c++)
            work[c] -= K * v[c];
        for (size_t r = 0; r < m; r++)
            rank2_row(B + r * ld, v, work, v[r], work[r], m);
    }
    d[n - 2] = a[(n - 2) * ld + n - 2];
    d[n - 1] = a[(n - 1) * ld + n - 1];
    e[n - 2] = a[(n - 2) * ld + n - 1];
    tau[n - 2] = tau[n - 1] = 0.0;
    e[n - 1] = 0.0;
}

/* Rows i and i + 1 of z (length n) turned by (c, s). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void rotate(double *restrict zi,
                                                                                double *restrict zj, double c,
                                                                                double s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        double f = zj[k];
        zj[k] = s * zi[k] + c * f;
        zi[k] = c * zi[k] - s * f;
    }
}

/* Implicit QL with shifts on the tridiagonal (d, e), eigenvectors accumulated in the rows of z (n x n, in:
 * the identity): on return d[i] is an eigenvalue and row i of z its eigenvector. AM_ENUMERIC after 30 n sweeps
 * in all without convergence. */
static int tql(double *d, double *e, size_t n, double *z)
{
    /* An off-diagonal entry is negligible beside its two diagonal neighbours, or beside the whole matrix (a
     * perturbation the size of the reduction's own rounding: without it a block of rounding noise, the null
     * space of a rank-deficient covariance, converges only slowly). */
    double norm = 0.0, sweeps = 0.0;
    for (size_t i = 0; i < n; i++) {
        double t = fabs(d[i]) + fabs(e[i]) + (i ? fabs(e[i - 1]) : 0.0);
        norm = t > norm ? t : norm;
    }
    for (size_t l = 0; l < n; l++) {
        size_t m;
        do {
            for (m = l; m + 1 < n; m++) {
                double dd = fabs(d[m]) + fabs(d[m + 1]);
                if (fabs(e[m]) <= DBL_EPSILON * dd || fabs(e[m]) <= DBL_EPSILON * norm)
                    break;
            }
            if (m == l)
                break;
            if (++sweeps > 30.0 * (double)n) /* LAPACK's budget */
                return AM_ENUMERIC;
            double g = (d[l + 1] - d[l]) / (2.0 * e[l]), r = pythag(g, 1.0);
            g = d[m] - d[l] + e[l] / (g + (g >= 0.0 ? fabs(r) : -fabs(r)));
            double s = 1.0, c = 1.0, p = 0.0;
            size_t i;
            int early = 0;
            for (i = m; i-- > l;) {
                double f = s * e[i], b = c * e[i];
                e[i + 1] = r = pythag(f, g);
                if (r == 0.0) { /* underflow: deflate and start over */
                    d[i + 1] -= p;
                    e[m] = 0.0;
                    early = 1;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
                rotate(z + i * n, z + (i + 1) * n, c, s, n);
            }
            if (early)
                continue;
            d[l] -= p;
            e[l] = g;
            e[m] = 0.0;
        } while (1);
    }
    return AM_OK;
}

/* X (n x k, row-major) = Q X with Q = H_0 H_1 ... H_{n-3}, the reflectors tridiagonalise left in a. s: k. */
static void back_transform(const double *a, size_t ld, const double *tau, size_t n, double *X, size_t k, double *s)
{
    for (size_t j = n - 2; j-- > 0;) {
        if (tau[j] == 0.0)
            continue;
        const double *v = a + j * ld + j + 1;
        double *Xs = X + (j + 1) * k;
        size_t m = n - j - 1;
        memset(s, 0, k * sizeof *s);
        for (size_t r = 0; r < m; r++)
            add_scaled(s, Xs + r * k, v[r], k);
        for (size_t c = 0; c < k; c++)
            s[c] *= tau[j];
        for (size_t r = 0; r < m; r++)
            sub_scaled(Xs + r * k, s, v[r], k);
    }
}

/* An eigenvalue and where it came from, sorted descending, ties to the lower index. */
typedef struct ranked {
    double value;
    size_t index;
} ranked;

static int by_value_desc(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->value != b->value)
        return a->value > b->value ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

int am__dsyev(size_t n, double *a, size_t lda, double *w, size_t k, double *v)
{
    if (k > n || !n)
        return AM_EINVAL;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (!isfinite(a[i * lda + j]))
                return AM_ENOTFINITE;
    if (n == 1) {
        w[0] = a[0];
        if (k)
            v[0] = 1.0;
        return AM_OK;
    }
    double *d = malloc(n * sizeof *d), *e = malloc(n * sizeof *e), *tau = malloc(n * sizeof *tau);
    double *work = malloc(n * sizeof *work), *z = calloc(n * n, sizeof *z), *X = malloc((k ? k : 1) * n * sizeof *X);
    ranked *idx = malloc(n * sizeof *idx);
    int rc = AM_ENOMEM;
    if (!d || !e || !tau || !work || !z || !X || !idx)
        goto done;
    tridiagonalise(a, lda, n, d, e, tau, work);
    for (size_t i = 0; i < n; i++)
        z[i * n + i] = 1.0;
    if ((rc = tql(d, e, n, z)))
        goto done;
    for (size_t i = 0; i < n; i++)
        idx[i] = (ranked){d[i], i};
    qsort(idx, n, sizeof *idx, by_value_desc);
    for (size_t c = 0; c < n; c++)
        w[c] = idx[c].value;
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < k; c++)
            X[r * k + c] = z[idx[c].index * n + r];
    back_transform(a, lda, tau, n, X, k, work);
    for (size_t c = 0; c < k; c++)
        for (size_t r = 0; r < n; r++)
            v[c * n + r] = X[r * k + c];
    rc = AM_OK;
done:
    free(d), free(e), free(tau), free(work), free(z), free(X), free(idx);
    return rc;
}
