/* Holographic reduced representations: bind/unbind against direct circular convolution and correlation,
 * the expected unbinding noise, exact inverses of unitary vectors, encode = sum of binds, results independent
 * of batch size, position and threads (plans shared across threads), the plain-array operations, wisdom files,
 * and errors. */
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "files.h"
#include "tap.h"

static double conv_at(const float *a, const float *b, size_t d, size_t i)
{
    double s = 0;
    for (size_t j = 0; j < d; j++)
        s += (double)a[j] * b[(i + d - j) % d];
    return s;
}

static double corr_at(const float *a, const float *t, size_t d, size_t i) /* (a^+ (*) t)_i = sum_j a_j t_(i+j) */
{
    double s = 0;
    for (size_t j = 0; j < d; j++)
        s += (double)a[j] * t[(i + j) % d];
    return s;
}

static double maxdiff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)a[i] - b[i]);
        m = e > m ? e : m;
    }
    return m;
}

static double norm(const float *a, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++)
        s += (double)a[i] * a[i];
    return sqrt(s);
}

/* Wisdom files that FFTW itself would abort the process on (flags wider than its bit fields), or that end
 * early: AM_EFORMAT, the process alive. path holds valid wisdom with at least one entry. */
static void wisdom_damaged(const char *path)
{
    char good[1 << 16], bad[(1 << 16) + 32];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(good, 1, sizeof good - 1, f) : 0;
    if (f)
        fclose(f);
    good[n] = 0;
    char *entry = strstr(good, "\n  ("), *l = entry ? strstr(entry, " #x") : NULL;
    ok(l != NULL, "saved wisdom has entries");
    if (!l)
        return;
    size_t flen = 3 + strspn(l + 3, "0123456789abcdef");
    static const char *const wide[] = {" #x100000", " #xfffffff", " #xffffffffff"};
    for (size_t k = 0; k < 3; k++) {
        snprintf(bad, sizeof bad, "%.*s%s%s", (int)(l - good), good, wide[k], l + flen);
        f = fopen(path, "w");
        fputs(bad, f);
        fclose(f);
        is_int(am_fft_wisdom_load(path), AM_EFORMAT, "an entry whose flags exceed FFTW's bit fields (%s): AM_EFORMAT",
               wide[k] + 1);
    }
    f = fopen(path, "w");
    fwrite(good, 1, n - 2, f); /* without the closing ")\n" */
    fclose(f);
    is_int(am_fft_wisdom_load(path), AM_EFORMAT, "wisdom cut before its closing parenthesis: AM_EFORMAT");
    f = fopen(path, "w");
    fwrite(good, 1, n, f);
    fclose(f);
    ok(am_fft_wisdom_load(path) == AM_OK, "the undamaged file loads again");
}

int main(void)
{
    am_rng rng;
    am_rng_init(&rng, 5, 0);
    am_hrr *h = NULL;
    am_hrr_work *w = NULL;

    /* ---- against the definitions, odd and even dimensions ---- */
    size_t dims[] = {64, 63, 1};
    for (int k = 0; k < 3; k++) {
        size_t d = dims[k], n = 37;
        float *a = malloc(n * d * sizeof *a), *b = malloc(n * d * sizeof *b), *c = malloc(n * d * sizeof *c);
        am_hrr_random(&rng, n, d, a);
        am_hrr_random(&rng, n, d, b);
        ok(am_hrr_create(&h, d, AM_FFT_ESTIMATE) == AM_OK && am_hrr_work_create(&w, h) == AM_OK, "create D=%zu", d);
        ok(am_hrr_bind(h, n, a, d, b, d, c, d, w) == AM_OK, "bind %zu rows", n);
        double e = 0, e2 = 0;
        for (size_t r = 0; r < n; r++)
            for (size_t i = 0; i < d; i++) {
                double x = fabs(c[r * d + i] - conv_at(a + r * d, b + r * d, d, i));
                e = x > e ? x : e;
            }
        ok(e < 2e-6, "D=%zu: bind = circular convolution (max error %.2g)", d, e);
        ok(am_hrr_unbind(h, n, b, d, a, d, AM_HRR_INVOLUTION, c, d, w) == AM_OK, "unbind (involution)");
        for (size_t r = 0; r < n; r++)
            for (size_t i = 0; i < d; i++) {
                double x = fabs(c[r * d + i] - corr_at(a + r * d, b + r * d, d, i));
                e2 = x > e2 ? x : e2;
            }
        ok(e2 < 2e-6, "D=%zu: unbind = circular correlation (max error %.2g)", d, e2);
        /* A broadcast operand (stride 0) is the same as that row repeated. */
        float *rep = malloc(n * d * sizeof *rep), *c2 = malloc(n * d * sizeof *c2);
        for (size_t r = 0; r < n; r++)
            memcpy(rep + r * d, b, d * sizeof *b);
        am_hrr_bind(h, n, a, d, rep, d, c, d, w);
        am_hrr_bind(h, n, b, 0, a, d, c2, d, w);
        ok(!memcmp(c, c2, n * d * sizeof *c), "D=%zu: a broadcast first operand gives the same bits", d);
        /* In place: out = a. */
        memcpy(c2, a, n * d * sizeof *a);
        am_hrr_bind(h, n, c2, d, b, d, c2, d, w);
        am_hrr_bind(h, n, a, d, b, d, c, d, w);
        ok(!memcmp(c, c2, n * d * sizeof *c), "D=%zu: bind in place", d);
        free(rep), free(c2), free(a), free(b), free(c);
        am_hrr_work_free(w), am_hrr_free(h);
        w = NULL, h = NULL;
    }

    /* ---- noise of the approximate inverse, exactness of unitary vectors ---- */
    const size_t D = 1024, N = 200;
    ok(am_hrr_create(&h, D, AM_FFT_ESTIMATE) == AM_OK && am_hrr_work_create(&w, h) == AM_OK, "create D=1024");
    is_int(am_hrr_dim(h), D, "dim");
    ok(am_hrr_block(h) >= 1, "block of %zu rows", am_hrr_block(h));
    float *a = malloc(N * D * sizeof *a), *b = malloc(N * D * sizeof *b), *t = malloc(N * D * sizeof *t),
          *e = malloc(N * D * sizeof *e), *u = malloc(N * D * sizeof *u);
    am_hrr_random(&rng, N, D, a);
    am_hrr_random(&rng, N, D, b);
    double len = 0;
    for (size_t r = 0; r < N; r++)
        len += norm(a + r * D, D) / N;
    is_near(len, 1.0, 0.02, "random vectors have length ~1 (N(0, 1/D) components): %.4f", len);
    am_hrr_bind(h, N, a, D, b, D, t, D, w);
    am_hrr_unbind(h, N, t, D, a, D, AM_HRR_INVOLUTION, e, D, w);
    double cs = 0;
    for (size_t r = 0; r < N; r++)
        cs += am_hrr_cosine(D, e + r * D, b + r * D) / N;
    /* a^+ (*) (a (*) b) = b + noise with about b's length: cosine ~ 1/sqrt(2) (Plate 1995, sec. 3.5). */
    is_near(cs, 0.7071, 0.03, "unbind(bind(a, b), a) ~ b with cosine %.4f (expected 1/sqrt 2)", cs);
    ok(am_hrr_unitary(h, N, a, D, u, D, w) == AM_OK, "unitary projection");
    double ul = 0;
    for (size_t r = 0; r < N; r++)
        ul = fmax(ul, fabs(norm(u + r * D, D) - 1.0));
    ok(ul < 1e-5, "unitary vectors have length 1 (max deviation %.2g)", ul);
    am_hrr_bind(h, N, u, D, b, D, t, D, w);
    double bl = 0;
    for (size_t r = 0; r < N; r++)
        bl = fmax(bl, fabs(norm(t + r * D, D) - norm(b + r * D, D)));
    ok(bl < 1e-5, "binding with a unitary vector keeps lengths (max change %.2g)", bl);
    am_hrr_unbind(h, N, t, D, u, D, AM_HRR_EXACT, e, D, w);
    double ex = maxdiff(e, b, N * D);
    ok(ex < 2e-6, "exact inverse of unitary vectors round-trips to float precision (max error %.2g)", ex);
    am_hrr_unbind(h, N, t, D, u, D, AM_HRR_INVOLUTION, e, D, w);
    ex = maxdiff(e, b, N * D);
    ok(ex < 2e-6, "for unitary vectors the involution is the exact inverse (max error %.2g)", ex);
    /* Exact inverse of random vectors: exact on the spectrum, so it round-trips too (noisier). */
    am_hrr_bind(h, N, a, D, b, D, t, D, w);
    ok(am_hrr_unbind(h, N, t, D, a, D, AM_HRR_EXACT, e, D, w) == AM_OK, "exact inverse of random vectors");
    cs = 0;
    for (size_t r = 0; r < N; r++)
        cs += am_hrr_cosine(D, e + r * D, b + r * D) / N;
    ok(cs > 0.999, "exact unbinding recovers b (mean cosine %.6f)", cs);
    /* A vector with a zero Fourier component has no exact inverse. */
    float *z = calloc(D, sizeof *z);
    for (size_t i = 0; i < D; i++)
        z[i] = (float)(i % 2 ? 1 : 0); /* period 2: only DC and Nyquist, the rest zero */
    is_int(am_hrr_unbind(h, 1, b, D, z, 0, AM_HRR_EXACT, e, D, w), AM_ENOTFINITE,
           "exact inverse of a vector with zero Fourier components: AM_ENOTFINITE");
    is_int(am_hrr_unbind(h, 1, b, D, z, 0, AM_HRR_INVOLUTION, e, D, w), AM_OK, "its involution is fine");
    am_hrr_unitary(h, 1, z, D, e, D, w);
    ok(fabs(norm(e, D) - 1.0) < 1e-5, "unitary projection of it: zero components become 1, length 1");

    /* ---- encode = sum of binds ---- */
    const size_t K = 3;
    float *roles = malloc(K * D * sizeof *roles), *items = malloc(K * N * D * sizeof *items);
    am_hrr_random(&rng, K, D, roles);
    am_hrr_random(&rng, K * N, D, items);
    const float *ip[3] = {items, items + N * D, items + 2 * N * D};
    size_t ld[3] = {D, D, D};
    ok(am_hrr_encode(h, N, K, roles, ip, ld, t, D, w) == AM_OK, "encode %zu traces of %zu pairs", N, K);
    memset(e, 0, N * D * sizeof *e);
    for (size_t k = 0; k < K; k++) {
        am_hrr_bind(h, N, ip[k], D, roles + k * D, 0, u, D, w);
        for (size_t i = 0; i < N * D; i++)
            e[i] += u[i];
    }
    ex = maxdiff(t, e, N * D);
    ok(ex < 2e-6, "encode = sum of binds (max difference %.2g)", ex);

    /* ---- independent of batch size, position and threads ---- */
    float *one = malloc(D * sizeof *one), *all = malloc(N * D * sizeof *all);
    am_hrr_bind(h, N, a, D, b, D, all, D, w);
    int same = 1;
    for (size_t r = 0; r < N; r += 13) {
        am_hrr_bind(h, 1, a + r * D, D, b + r * D, D, one, D, w);
        same &= !memcmp(one, all + r * D, D * sizeof *one);
    }
    ok(same, "a row alone gives the bits it gives inside a batch, at any position");
    float *par = malloc(N * D * sizeof *par);
    int nt0 = omp_get_max_threads();
    omp_set_num_threads(1);
    am_hrr_bind(h, N, a, D, b, D, par, D, NULL);
    ok(!memcmp(par, all, N * D * sizeof *par), "work = NULL, 1 thread: same bits");
    omp_set_num_threads(4);
    memset(par, 0, N * D * sizeof *par);
    am_hrr_bind(h, N, a, D, b, D, par, D, NULL);
    ok(!memcmp(par, all, N * D * sizeof *par), "work = NULL, 4 threads: same bits");
    /* One plan set, four threads each with its own work, at once. */
    memset(par, 0, N * D * sizeof *par);
    int errs = 0;
#pragma omp parallel num_threads(4) reduction(+ : errs)
    {
        am_hrr_work *tw = NULL;
        errs += am_hrr_work_create(&tw, h) != AM_OK;
#pragma omp for schedule(dynamic, 1)
        for (size_t r = 0; r < N; r++)
            errs += am_hrr_bind(h, 1, a + r * D, D, b + r * D, D, par + r * D, D, tw) != AM_OK;
        am_hrr_work_free(tw);
    }
    ok(errs == 0 && !memcmp(par, all, N * D * sizeof *par), "plans shared by 4 threads with their own works: same bits");
    omp_set_num_threads(nt0);
    /* Objects created and freed from several threads at once (the planner lock). */
    errs = 0;
#pragma omp parallel for num_threads(4) reduction(+ : errs)
    for (int k = 0; k < 16; k++) {
        am_hrr *hk = NULL;
        errs += am_hrr_create(&hk, 100 + (size_t)k, AM_FFT_ESTIMATE) != AM_OK;
        am_hrr_free(hk);
    }
    ok(errs == 0, "16 plan sets created and freed by 4 threads at once");

    /* ---- plain-array operations ---- */
    float x[8] = {0, 1, 2, 3, 4, 5, 6, 7}, y[8], y2[8];
    am_hrr_involution(8, 1, x, 8, y, 8);
    ok(y[0] == 0 && y[1] == 7 && y[7] == 1, "involution x_(-i)");
    am_hrr_shift(8, 1, x, 8, 3, y, 8);
    ok(y[3] == 0 && y[0] == 5 && y[7] == 4, "shift by 3");
    am_hrr_shift(8, 1, x, 8, -5, y2, 8);
    ok(!memcmp(y, y2, sizeof y), "shift by -5 = shift by 3 (mod 8)");
    uint32_t perm[8] = {7, 6, 5, 4, 3, 2, 1, 0};
    am_hrr_permute(8, 1, x, 8, perm, y, 8);
    ok(y[0] == 7 && y[7] == 0, "permute");
    float rows[6] = {1, 0, 0, 0, 1, 0}, wgt[2] = {3, 4}, bsum[3];
    am_hrr_bundle(3, 2, rows, 3, wgt, 0, bsum);
    ok(bsum[0] == 3 && bsum[1] == 4 && bsum[2] == 0, "weighted bundle");
    am_hrr_bundle(3, 2, rows, 3, wgt, 1, bsum);
    is_near(bsum[0], 0.6, 1e-7, "normalised bundle");
    is_near(am_hrr_cosine(3, rows, rows + 3), 0.0, 0, "cosine of orthogonal rows");
    is_near(am_hrr_cosine(3, rows, z), 0.0, 0, "cosine with a zero vector is 0");
    /* Shifting commutes with binding (both are convolutions). */
    am_hrr_bind(h, 1, a, D, b, D, t, D, w);
    am_hrr_shift(D, 1, t, D, 5, e, D);
    am_hrr_shift(D, 1, a, D, 5, u, D);
    am_hrr_bind(h, 1, u, D, b, D, t, D, w);
    ok(maxdiff(e, t, D) < 2e-6, "shift(a (*) b) = shift(a) (*) b");

    /* ---- wisdom ---- */
    char dir[] = "/tmp/t-hrr-XXXXXX", path[256];
    ok(mkdtemp(dir) != NULL, "temporary directory");
    snprintf(path, sizeof path, "%s/wisdom", dir);
    am_hrr *hm = NULL;
    ok(am_hrr_create(&hm, 256, AM_FFT_MEASURE) == AM_OK, "create with measured plans");
    ok(am_fft_wisdom_save(path) == AM_OK && access(path, R_OK) == 0, "save wisdom");
    ok(am_fft_wisdom_load(path) == AM_OK, "load it back");
    am_hrr_free(hm);
    wisdom_damaged(path);
    FILE *f = fopen(path, "w");
    fputs("not wisdom at all\n", f);
    fclose(f);
    is_int(am_fft_wisdom_load(path), AM_EFORMAT, "a file that is not wisdom: AM_EFORMAT");
    snprintf(path, sizeof path, "%s/none", dir);
    is_int(am_status_errno(am_fft_wisdom_load(path)), ENOENT, "missing wisdom file keeps ENOENT");
    snprintf(path, sizeof path, "%s/no/such/dir/w", dir);
    ok(am_fft_wisdom_save(path) != AM_OK, "wisdom into a missing directory fails");
    snprintf(path, sizeof path, "%s/wisdom", dir);
    unlink(path);
    rmdir(dir);
    am_fft_planning pl;
    ok(am_fft_planning_parse("patient", &pl) == AM_OK && pl == AM_FFT_PATIENT &&
           am_fft_planning_parse("fast", &pl) == AM_EINVAL && !strcmp(am_fft_planning_name(AM_FFT_MEASURE), "measure"),
       "planning names");
    ok(strncmp(am_fft_version(), "fftw-3", 6) == 0, "FFTW version %s", am_fft_version());

    /* ---- errors ---- */
    am_hrr *bad = (am_hrr *)1;
    is_int(am_hrr_create(&bad, 0, AM_FFT_ESTIMATE), AM_EINVAL, "dimension 0");
    ok(bad == NULL, "out is NULL after a failed create");
    is_int(am_hrr_bind(h, 1, a, D - 1, b, D, t, D, w), AM_EINVAL, "row stride below D");
    is_int(am_hrr_bind(h, 1, NULL, D, b, D, t, D, w), AM_EINVAL, "NULL operand");
    is_int(am_hrr_unbind(h, 1, a, D, b, D, (am_hrr_inverse)7, t, D, w), AM_EINVAL, "unknown inverse");
    is_int(am_hrr_encode(h, 1, 0, roles, ip, ld, t, D, w), AM_EINVAL, "encode with K = 0");
    am_hrr *h2 = NULL;
    am_hrr_create(&h2, 32, AM_FFT_ESTIMATE);
    is_int(am_hrr_bind(h2, 1, a, 32, b, 32, t, 32, w), AM_ESIZE, "a work of another dimension: AM_ESIZE");
    ok(am_hrr_bind(h, 0, a, D, b, D, t, D, w) == AM_OK, "zero rows is a no-op");
    am_hrr_free(h2);
    am_hrr_free(NULL);
    am_hrr_work_free(NULL);

    free(a), free(b), free(t), free(e), free(u), free(z), free(roles), free(items), free(one), free(all), free(par);
    am_hrr_work_free(w);
    am_hrr_free(h);
    return done_testing();
}
