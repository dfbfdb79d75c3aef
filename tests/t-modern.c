/* Modern continuous Hopfield store: retrieval at large beta, mean at small beta, stable softmax, energy
 * descent, batch = single, separation, fixed-point types, Theorem 5 bound, save/load, errors; the same bits of
 * recall, energies, separation and nearest at 1 and 2 threads, under OPENBLAS_CORETYPE=Prescott, Haswell and
 * (on AVX-512 CPUs) SkylakeX, and with libam's scalar gemm kernel. */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "child.h"
#include "files.h"
#include "tap.h"

static float *gaussian(size_t m, size_t d, double scale, am_rng *rng)
{
    float *x = malloc(m * d * sizeof *x);
    for (size_t k = 0; k < m * d; k++)
        x[k] = (float)(scale * am_rng_normal(rng));
    return x;
}

static double dist(const float *a, const float *b, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++)
        s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return sqrt(s);
}

/* A digest of everything the modern store computes from floats, at the current OpenMP thread count: recall of
 * 600 queries (three blocks) through am_modern_recall and through the store API with its final energies,
 * single energies, separation and nearest patterns. */
static uint64_t digest(void)
{
    const size_t d = 64, M = 700, Q = 600;
    am_rng rng;
    am_rng_init(&rng, 25, 0);
    float *x = gaussian(M, d, 1.0 / 8, &rng), *q = malloc(Q * d * sizeof *q), *q2 = malloc(Q * d * sizeof *q);
    for (size_t k = 0; k < Q * d; k++)
        q[k] = x[k] + (float)(0.05 * am_rng_normal(&rng));
    memcpy(q2, q, Q * d * sizeof *q);
    am_modern *m = NULL;
    am_modern_create(&m, d, 8.0);
    am_modern_store(m, x, M);
    am_modern_opts o = {.max_steps = 3, .eps = 0.0};
    double *delta = malloc(M * sizeof *delta), e[8];
    am_recall_info *info = calloc(Q, sizeof *info);
    size_t *idx = malloc(Q * sizeof *idx);
    uint64_t h = 14695981039346656037ull;
    am_store *s = NULL;
    am_store_config c;
    am_store_config_init(&c, "modern", d);
    am_store_config_set(&c, "beta", "8", NULL, 0);
    am_recall_opts ro;
    am_recall_opts_default(&ro);
    ro.max_steps = 3;
    ro.tolerance = 0.0;
    if (am_modern_recall(m, q, Q, &o, NULL, NULL) || am_modern_separation(m, delta) ||
        am_modern_nearest(m, q, Q, idx, NULL) || am_store_create(&s, &c) || am_store_add_real(s, x, M) ||
        am_store_recall_real_many(s, q2, Q, &ro, NULL, NULL, info))
        h = 0;
    for (int k = 0; k < 8; k++)
        e[k] = am_modern_energy(m, q + (size_t)k * 71 * d);
    h = fnv(h, q, Q * d * sizeof *q);
    h = fnv(h, q2, Q * d * sizeof *q2);
    for (size_t k = 0; k < Q; k++)
        h = fnv(h, &info[k].energy, sizeof info[k].energy);
    h = fnv(fnv(fnv(h, e, sizeof e), delta, M * sizeof *delta), idx, Q * sizeof *idx);
    am_store_free(s);
    am_modern_free(m);
    free(x), free(q), free(q2), free(delta), free(info), free(idx);
    return h;
}

static void test_same_bits(const char *self)
{
    omp_set_num_threads(1);
    uint64_t h1 = digest();
    omp_set_num_threads(2);
    uint64_t h2 = digest();
    ok(h1 == h2 && h1 != 0, "recall, energies, separation, nearest: the same bits at 1 and 2 threads (%016llx)",
       (unsigned long long)h1);
    char mine[32], got[64];
    snprintf(mine, sizeof mine, "%016llx\n", (unsigned long long)h1);
    CHILD_SAME_UNDER_KERNELS(self, mine, "recall, energies, separation, nearest");
    int rc = child_digest(self, "AM_GEMM_SCALAR", "1", got, sizeof got);
    ok(!rc && !strcmp(got, mine), "the same bits with libam's scalar gemm kernel (child: %.16s)", rc ? "failed" : got);
}

/* The store API's batched recall: final energies equal to the energy of each final state computed alone, bit
 * for bit (each is one fixed computation, whatever the batch); none with skip_energy. */
static void test_batch_energies(void)
{
    const size_t d = 48, M = 90, Q = 70;
    am_rng rng;
    am_rng_init(&rng, 26, 0);
    float *x = gaussian(M, d, 1.0 / 7, &rng), *q = malloc(Q * d * sizeof *q), *q2 = malloc(Q * d * sizeof *q);
    for (size_t k = 0; k < Q * d; k++)
        q[k] = x[k] + (float)(0.1 * am_rng_normal(&rng));
    memcpy(q2, q, Q * d * sizeof *q);
    am_store *s = NULL;
    am_store_config c;
    am_store_config_init(&c, "modern", d);
    am_store_config_set(&c, "beta", "4", NULL, 0);
    am_recall_opts ro;
    am_recall_opts_default(&ro);
    ro.max_steps = 2;
    am_recall_info *info = calloc(Q, sizeof *info), *info2 = calloc(Q, sizeof *info2);
    int rc = am_store_create(&s, &c) || am_store_add_real(s, x, M) ||
             am_store_recall_real_many(s, q, Q, &ro, NULL, NULL, info);
    size_t same = 0, nan = 0;
    int states;
    for (size_t k = 0; !rc && k < Q; k++)
        same += info[k].energy == am_store_energy_real(s, q + k * d) && isfinite(info[k].energy);
    ok(!rc && same == Q, "batched final energies = each state's energy alone, bit for bit (%zu of %zu)", same, Q);
    ro.skip_energy = 1;
    rc = am_store_recall_real_many(s, q2, Q, &ro, NULL, NULL, info2);
    states = !rc && !memcmp(q, q2, Q * d * sizeof *q);
    for (size_t k = 0; !rc && k < Q; k++)
        nan += isnan(info2[k].energy) && info2[k].steps == info[k].steps && info2[k].end == info[k].end;
    ok(states && nan == Q, "skip_energy: the same states, steps and ends, energies NAN (%zu of %zu)", nan, Q);
    am_store_free(s);
    free(x), free(q), free(q2), free(info), free(info2);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--digest")) {
        omp_set_num_threads(2);
        printf("%016llx\n", (unsigned long long)digest());
        return 0;
    }
    test_same_bits(argv[0]);
    test_batch_energies();
    am_rng rng;
    am_rng_init(&rng, 11, 0);
    const size_t d = 64, M = 50;
    float *x = gaussian(M, d, 1.0 / 8, &rng); /* |x| ~ 1 */
    am_modern *m = NULL;
    ok(am_modern_create(&m, d, 50.0) == AM_OK && am_modern_store(m, x, M) == AM_OK && am_modern_count(m) == M,
       "create d=64, store 50 patterns");

    /* Large beta: a noisy query converges to its pattern. */
    float q[64];
    for (size_t i = 0; i < d; i++)
        q[i] = x[7 * d + i] + (float)(0.03 * am_rng_normal(&rng));
    am_modern_info info;
    int rc = am_modern_recall(m, q, 1, NULL, NULL, &info);
    ok(rc == AM_OK && info.end == AM_END_FIXED,
       "recall converges (%u steps, last move %.2g)", info.steps, info.delta);
    ok(dist(q, x + 7 * d, d) < 1e-3, "large beta returns the stored pattern (error %.2g)", dist(q, x + 7 * d, d));

    /* Energy never rises along the iteration (the update is a CCCP step). */
    for (size_t i = 0; i < d; i++)
        q[i] = x[3 * d + i] + (float)(0.3 * am_rng_normal(&rng) / 8);
    am_modern_set_beta(m, 8.0);
    am_modern_opts one = {.max_steps = 1, .eps = 0};
    double prev = am_modern_energy(m, q);
    int mono = 1;
    for (int k = 0; k < 20; k++) {
        am_modern_recall(m, q, 1, &one, NULL, NULL);
        double e = am_modern_energy(m, q);
        mono &= e <= prev + 1e-6;
        prev = e;
    }
    ok(mono, "energy never rises over 20 updates at beta = 8");

    /* beta -> 0: one update gives the mean of the patterns. */
    am_modern_set_beta(m, 1e-7);
    float mean[64] = {0};
    for (size_t mu = 0; mu < M; mu++)
        for (size_t i = 0; i < d; i++)
            mean[i] += x[mu * d + i] / (float)M;
    am_modern_recall(m, q, 1, &one, NULL, NULL);
    ok(dist(q, mean, d) < 1e-5, "beta -> 0 gives the mean of the stored patterns (error %.2g)", dist(q, mean, d));
    am_fixpoint fp;
    rc = am_modern_classify(m, q, 0.9, &fp);
    ok(rc == AM_OK && fp.type == AM_FP_GLOBAL && fp.carriers >= 44,
       "at beta -> 0 the state is a global average (%zu carriers)", fp.carriers);
    am_modern_set_beta(m, 50.0);
    rc = am_modern_classify(m, x + 7 * d, 0.9, &fp);
    ok(rc == AM_OK && fp.type == AM_FP_SINGLE && fp.top == 7 && fp.top_p > 0.9,
       "a stored pattern at large beta is a single-pattern fixed point (p = %.4f)", fp.top_p);

    /* Metastable: three tight copies of one pattern share the mass at moderate beta. */
    float *y = malloc(8 * d * sizeof *y);
    memcpy(y, x, 8 * d * sizeof *y);
    for (int c = 1; c < 3; c++)
        for (size_t i = 0; i < d; i++)
            y[c * d + i] = y[i] + (float)(0.002 * am_rng_normal(&rng));
    am_modern *mc = NULL;
    am_modern_create(&mc, d, 20.0);
    am_modern_store(mc, y, 8);
    memcpy(q, y, d * sizeof *q);
    am_modern_recall(mc, q, 1, NULL, NULL, NULL);
    rc = am_modern_classify(mc, q, 0.9, &fp);
    ok(rc == AM_OK && fp.type == AM_FP_METASTABLE && fp.carriers == 3,
       "near-duplicate patterns give a metastable state over %zu patterns", fp.carriers);
    am_modern_free(mc);
    free(y);

    /* Softmax stays finite with beta x.xi in the thousands. */
    float *big = gaussian(M, d, 100.0 / 8, &rng); /* |x| ~ 100 */
    am_modern *mb = NULL;
    am_modern_create(&mb, d, 10.0);
    am_modern_store(mb, big, M);
    for (size_t i = 0; i < d; i++)
        q[i] = big[5 * d + i] + (float)(2.0 * am_rng_normal(&rng));
    double e = am_modern_energy(mb, q);
    am_modern_recall(mb, q, 1, NULL, NULL, &info);
    int finite = isfinite(e);
    for (size_t i = 0; i < d; i++)
        finite &= isfinite(q[i]);
    ok(finite && dist(q, big + 5 * d, d) < 1e-3, "beta x.xi ~ 1e5: finite energy and exact retrieval");
    am_modern_free(mb);
    free(big);

    /* A batch gives what the queries give one at a time (blocks of 256 and threads included). */
    size_t Q = 600;
    float *qs = malloc(Q * d * sizeof *qs), *qs1 = malloc(Q * d * sizeof *qs1);
    for (size_t k = 0; k < Q; k++)
        for (size_t i = 0; i < d; i++)
            qs[k * d + i] = x[(k % M) * d + i] + (float)(0.05 * am_rng_normal(&rng));
    memcpy(qs1, qs, Q * d * sizeof *qs);
    am_modern_set_beta(m, 30.0);
    am_modern_info *infos = malloc(Q * sizeof *infos);
    am_modern_work *w = NULL;
    am_modern_work_create(&w, m);
    ok(am_modern_recall(m, qs, Q, NULL, w, infos) == AM_OK, "batched recall of 600 queries");
    double maxd = 0;
    int steps_same = 1;
    for (size_t k = 0; k < Q; k += 37) {
        am_modern_recall(m, qs1 + k * d, 1, NULL, w, &info);
        maxd = fmax(maxd, dist(qs + k * d, qs1 + k * d, d));
        steps_same &= info.steps == infos[k].steps;
    }
    ok(maxd < 1e-5 && steps_same, "batched and single recalls agree (max difference %.2g)", maxd);
    free(qs), free(qs1), free(infos);
    am_modern_work_free(w);

    /* Separation by definition; Theorem 5 bound holds for a well-separated pattern. */
    double *sep = malloc(M * sizeof *sep);
    ok(am_modern_separation(m, sep) == AM_OK, "separation");
    double self = 0, best = -INFINITY;
    for (size_t i = 0; i < d; i++)
        self += (double)x[9 * d + i] * x[9 * d + i];
    for (size_t nu = 0; nu < M; nu++) {
        if (nu == 9)
            continue;
        double dot = 0;
        for (size_t i = 0; i < d; i++)
            dot += (double)x[9 * d + i] * x[nu * d + i];
        best = fmax(best, dot);
    }
    is_near(sep[9], self - best, 1e-5, "separation of pattern 9 = x.x - max other dot");
    double maxnorm = 0;
    for (size_t mu = 0; mu < M; mu++) {
        double n2 = 0;
        for (size_t i = 0; i < d; i++)
            n2 += (double)x[mu * d + i] * x[mu * d + i];
        maxnorm = fmax(maxnorm, sqrt(n2));
    }
    for (size_t i = 0; i < d; i++)
        q[i] = x[9 * d + i] + (float)(0.002 * am_rng_normal(&rng));
    double r0 = dist(q, x + 9 * d, d);
    am_modern_recall(m, q, 1, &one, NULL, NULL);
    double err = dist(q, x + 9 * d, d), bound = am_modern_theorem5_bound(30.0, M, maxnorm, sep[9], r0);
    ok(err <= bound, "one-step error %.3g is within the Theorem 5 bound %.3g", err, bound);
    is_near(am_modern_theorem5_bound(2.0, 11, 1.5, 3.0, 0.25), 2 * 10 * exp(-2.0 * (3.0 - 2 * 0.25 * 1.5)) * 1.5, 1e-12,
            "Theorem 5 formula");
    free(sep);

    /* Theorem 3: the two constants the paper quotes. */
    double c3, cap3;
    int cond = am_modern_theorem3(1, 3, 20, 0.001, &c3, &cap3);
    is_near(c3, 3.1546, 1e-4, /* published to 4 decimals, truncated */ "Theorem 3 constant c for beta=1, K=3, d=20, p=0.001 is 3.1546 (got %.5f)", c3);
    ok(cond == 1, "its condition c >= (2/sqrt p)^(4/(d-1)) holds (capacity %.2f patterns)", cap3);
    am_modern_theorem3(1, 1, 75, 0.001, &c3, &cap3);
    is_near(c3, 1.3718, 1e-4, "Theorem 3 constant c for beta=1, K=1, d=75, p=0.001 is 1.3718 (got %.5f)", c3);
    ok(am_modern_theorem3(0, 1, 75, 0.001, &c3, &cap3) == AM_EINVAL && am_modern_theorem3(1, 1, 75, 2, &c3, &cap3) == AM_EINVAL,
       "Theorem 3 rejects beta <= 0 and p > 1");

    /* Save / load. */
    char path[] = "/tmp/t-modern-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    am_modern *ml = NULL;
    ok(am_modern_save(m, path) == AM_OK && am_modern_load(&ml, path) == AM_OK && am_modern_count(ml) == M &&
           am_modern_beta(ml) == 30.0 && !memcmp(am_modern_patterns(ml), x, M * d * sizeof *x) &&
           am_modern_energy(ml, q) == am_modern_energy(m, q),
       "save/load round trip");
    am_modern_free(ml);
    FILE *f = fopen(path, "r+b");
    fseek(f, 100, SEEK_SET);
    fputc(0x33, f);
    fclose(f);
    ok(am_modern_load(&ml, path) == AM_ECHECKSUM && !ml, "a damaged file is a checksum error");
    truncate(path, 50);
    ok(am_modern_load(&ml, path) == AM_ETRUNC, "a truncated file is AM_ETRUNC");
    remove(path);

    /* A query's result depends neither on the other queries in its batch nor on OpenBLAS's thread count. */
    {
        size_t nq = 600;
        float *qs = malloc(nq * d * sizeof *qs), *one = malloc(d * sizeof *one);
        for (size_t i = 0; i < nq * d; i++)
            qs[i] = x[(i * 7) % (M * d)] + 0.01f * (float)((i % 13) - 6);
        memcpy(one, qs + 599 * d, d * sizeof *one);
        am_modern_opts o3 = {.max_steps = 3, .eps = 0.0};
        am_blas_set_threads(2);
        am_modern_recall(m, one, 1, &o3, NULL, NULL);
        am_blas_set_threads(1);
        am_modern_recall(m, qs, nq, &o3, NULL, NULL);
        ok(!memcmp(one, qs + 599 * d, d * sizeof *one), "query 599 alone (OpenBLAS on 2 threads) = in a batch of 600");
        free(qs);
        free(one);
    }

    /* Errors. */
    am_modern *bad = NULL;
    ok(am_modern_create(&bad, 10, 0.0) == AM_EINVAL && !bad, "beta = 0 rejected");
    ok(am_modern_create(&bad, 10, -1.0) == AM_EINVAL, "beta < 0 rejected");
    ok(am_modern_create(&bad, 0, 1.0) == AM_EINVAL, "d = 0 rejected");
    ok(am_modern_set_beta(m, NAN) == AM_EINVAL, "NaN beta rejected");
    am_modern_create(&bad, 4, 1.0);
    float four[4] = {1, 2, 3, 4}, nanv[4] = {1, NAN, 0, 0};
    ok(am_modern_recall(bad, four, 1, NULL, NULL, NULL) == AM_EEMPTY, "recall from an empty store is AM_EEMPTY");
    ok(am_modern_store(bad, nanv, 1) == AM_EINVAL && am_modern_count(bad) == 0, "non-finite pattern rejected");
    ok(am_modern_classify(m, q, 1.5, &fp) == AM_EINVAL, "mass outside (0, 1) rejected");
    am_modern_free(bad);
    ok(am_modern_create(&bad, 4, 1e31) == AM_EINVAL, "beta above AM_MODERN_MAX_BETA rejected");
    ok(am_modern_create(&bad, AM_MAX_UNITS + 1, 1.0) == AM_EINVAL, "d above AM_MAX_UNITS rejected");
    /* Scores that overflow single precision: a clear error, no NaN reaching an integer conversion. */
    am_modern_create(&bad, 4, 1e30);
    float huge[4] = {1e20f, 0, 0, 0}, cue[4] = {1e20f, 1, 0, 0};
    am_modern_store(bad, huge, 1);
    am_modern_store(bad, four, 1);
    is_int(am_modern_recall(bad, cue, 1, NULL, NULL, NULL), AM_ENOTFINITE, "beta x.q beyond float range: AM_ENOTFINITE");
    am_modern_free(bad);
    /* The store API on an empty modern store: an empty stability range is fine, not NULL arithmetic. */
    am_store_config sc;
    am_store *es = NULL;
    am_store_config_default(&sc, am_store_type_find("modern"), 8);
    size_t none[1];
    ok(am_store_create(&es, &sc) == AM_OK && am_store_stability_range(es, 0, 0, none) == AM_OK,
       "stability of no patterns of an empty modern store");
    ok(am_store_stability(es, none) == AM_OK, "and of all (none) of them");
    am_store_free(es);
    /* Forged files. */
    const char *hp = "/tmp/t-modern-hostile.am";
    tfile t;
    tf_head(&t, "LIBAMMOD");
    tf_f64(&t, 1e308), tf_u64(&t, 4), tf_u64(&t, 1);
    for (int k = 0; k < 4; k++)
        tf_f32(&t, 0.5f);
    tf_write(&t, hp);
    is_int(am_modern_load(&bad, hp), AM_ERANGE, "a file with beta = 1e308: AM_ERANGE");
    tf_head(&t, "LIBAMMOD");
    tf_f64(&t, 2.0), tf_u64(&t, 4), tf_u64(&t, 1);
    tf_f32(&t, 1), tf_f32(&t, NAN), tf_f32(&t, 0), tf_f32(&t, 0);
    tf_write(&t, hp);
    is_int(am_modern_load(&bad, hp), AM_ENOTFINITE, "a NaN in a stored pattern: AM_ENOTFINITE");
    tf_head(&t, "LIBAMMOD");
    tf_f64(&t, NAN), tf_u64(&t, 4), tf_u64(&t, 0);
    tf_write(&t, hp);
    is_int(am_modern_load(&bad, hp), AM_EFORMAT, "a NaN beta: AM_EFORMAT");
    tf_head(&t, "LIBAMMOD");
    tf_f64(&t, 2.0), tf_u64(&t, 1u << 20), tf_u64(&t, 1u << 20);
    tf_write(&t, hp);
    is_int(am_modern_load(&bad, hp), AM_ETRUNC, "a 60-byte file declaring 4 TB of patterns: AM_ETRUNC");
    remove(hp);
    am_modern_free(NULL);
    am_modern_work_free(NULL);

    /* ---- nearest: the exact argmax of the dot products (ties to the lower index), whichever screen finds it
     * (8-bit integer scores with a certified bound, or BLAS scores) ---- */
    {
        const size_t nd = 200, nm = 300, nq2 = 500;
        float *px = gaussian(nm, nd, 1.0, &rng), *pq = gaussian(nq2, nd, 1.0, &rng);
        /* Hard cases: duplicates (a tie), near-duplicates one ulp apart, queries equal to a pattern, queries
         * half-way between two patterns, a zero query. */
        memcpy(px + 10 * nd, px + 3 * nd, nd * sizeof *px);
        memcpy(px + 20 * nd, px + 4 * nd, nd * sizeof *px);
        px[20 * nd + 7] = nextafterf(px[20 * nd + 7], px[20 * nd + 7] > 0 ? INFINITY : -INFINITY);
        for (size_t k = 0; k < 100; k++) {
            size_t mu = (size_t)am_rng_below(&rng, nm), nu = (size_t)am_rng_below(&rng, nm);
            for (size_t i = 0; i < nd; i++)
                pq[k * nd + i] = k < 50 ? px[mu * nd + i] : 0.5f * (px[mu * nd + i] + px[nu * nd + i]);
        }
        memcpy(pq + 100 * nd, px + 3 * nd, nd * sizeof *pq);
        memcpy(pq + 101 * nd, px + 4 * nd, nd * sizeof *pq);
        memset(pq + 102 * nd, 0, nd * sizeof *pq);
        size_t *want = malloc(nq2 * sizeof *want), *got = malloc(nq2 * sizeof *got);
        for (size_t k = 0; k < nq2; k++) {
            double bv = -INFINITY;
            for (size_t mu = 0; mu < nm; mu++) {
                double v = 0;
                for (size_t i = 0; i < nd; i++)
                    v += (double)pq[k * nd + i] * px[mu * nd + i];
                if (v > bv)
                    bv = v, want[k] = mu;
            }
        }
        am_modern *pm = NULL;
        ok(am_modern_create(&pm, nd, 1.0) == AM_OK && am_modern_store(pm, px, nm) == AM_OK, "store 300 x 200");
        size_t wrong = 0;
        ok(am_modern_nearest(pm, pq, nq2, got, NULL) == AM_OK, "nearest of 500 queries (batched path)");
        for (size_t k = 0; k < nq2; k++)
            wrong += got[k] != want[k];
        is_int(wrong, 0, "batched: every query gets the exact argmax, ties to the lower index");
        ok(got[100] == 3 && got[102] == 0, "a duplicated pattern resolves to the lower index; a zero query to 0");
        wrong = 0;
        for (size_t k = 0; k < nq2; k += 50) {
            size_t n1 = nq2 - k < 50 ? nq2 - k : 50;
            am_modern_nearest(pm, pq + k * nd, n1, got + k, NULL);
        }
        for (size_t k = 0; k < nq2; k++)
            wrong += got[k] != want[k];
        is_int(wrong, 0, "in calls of 50 queries (BLAS screen): the same answers");
        /* Leaving one pattern out: each stored pattern's nearest other one (duplicates 3 and 10 find each other). */
        size_t *self = malloc(nm * sizeof *self), *other = malloc(nm * sizeof *other);
        for (size_t mu = 0; mu < nm; mu++) {
            self[mu] = mu;
            double bv = -INFINITY;
            for (size_t nu = 0; nu < nm; nu++) {
                if (nu == mu)
                    continue;
                double v = 0;
                for (size_t i = 0; i < nd; i++)
                    v += (double)px[mu * nd + i] * px[nu * nd + i];
                if (v > bv)
                    bv = v, other[mu] = nu;
            }
        }
        size_t *gotx = malloc(nm * sizeof *gotx);
        wrong = 0;
        ok(am_modern_nearest_excluding(pm, px, nm, self, gotx, NULL) == AM_OK, "nearest other pattern, 300 queries");
        for (size_t mu = 0; mu < nm; mu++)
            wrong += gotx[mu] != other[mu];
        is_int(wrong, 0, "excluding each query's own pattern: the exact nearest other (integer screen)");
        ok(gotx[3] == 10 && gotx[10] == 3, "duplicates find each other");
        wrong = 0;
        for (size_t k = 0; k < nm; k += 30) {
            am_modern_nearest_excluding(pm, px + k * nd, 30, self + k, gotx + k, NULL);
            for (size_t mu = k; mu < k + 30; mu++)
                wrong += gotx[mu] != other[mu];
        }
        is_int(wrong, 0, "in calls of 30 queries (BLAS screen): the same");
        free(self), free(other), free(gotx);
        am_modern *one = NULL;
        am_modern_create(&one, nd, 1.0);
        am_modern_store(one, px, 1);
        size_t z = 0, gz;
        is_int(am_modern_nearest_excluding(one, px, 1, &z, &gz, NULL), AM_EEMPTY, "excluding with one pattern: AM_EEMPTY");
        am_modern_free(one);
        pq[5] = NAN;
        is_int(am_modern_nearest(pm, pq, nq2, got, NULL), AM_EINVAL, "a NaN query is AM_EINVAL");
        am_modern_free(pm);
        free(px), free(pq), free(want), free(got);
    }

    am_modern_free(m);
    free(x);
    return done_testing();
}
