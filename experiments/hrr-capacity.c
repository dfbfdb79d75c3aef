/* bin/hrr-capacity — retrieval from holographic reduced representations (Plate 1995): a trace binds K roles
 * to K items drawn from a vocabulary of M; unbinding each role and cleaning up against the vocabulary should
 * give its item back. Measures the error rate against D, K and M, for random or unitary roles and the
 * approximate (involution) or exact inverse, beside Plate's rule D = 3.16 (K - 0.25) ln(M / eps^3). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"

#define MAXL 64
#define BLOCK 50 /* traces per job */

static const char description[] =
    "Each trace is t = sum_k r_k (*) v_k over K roles, v_k drawn uniformly from a vocabulary of M random\n"
    "vectors (i.i.d. N(0, 1/D)); roles are random vectors or their unitary projections. Every role is\n"
    "unbound (r_k^+ (*) t, or r_k^-1 (*) t with --inverse exact) and cleaned up against the vocabulary by a\n"
    "store (am/cleanup.h): modern, the item with the largest dot product; hopfield (Hebb) or dense (F = x^3),\n"
    "the item nearest the state their dynamics reach from the estimate's signs. A retrieval is an error when\n"
    "that item is not v_k. Fresh roles and vocabulary for every block of 50 traces.\n"
    "Columns:\n"
    "  D K M roles inverse cleanup   the point\n"
    "  retrievals errors     K x traces unbindings, and the wrong ones\n"
    "  error_rate            errors / retrievals\n"
    "  plate_error           Plate's prediction: eps = (M exp(-D / (3.16 (K - 0.25))))^(1/3), capped at 1\n"
    "  plate_D               the D Plate's rule asks for at the measured error rate (NaN when 0 errors)\n"
    "With --bisect EPS, --D is a bracket LO,HI and the program finds, for every other point, the smallest D in\n"
    "it whose error rate is <= EPS (bisection on the integers, the rate measured on --traces traces at each D\n"
    "tried, the same random streams at every D). Columns:\n"
    "  K M roles inverse cleanup   the point\n"
    "  D_min                 that D (LO when LO already meets EPS; 0 when HI does not)\n"
    "  retrievals errors error_rate ci_low ci_high   at D_min (at HI when it fails): the count, and the\n"
    "                        Wilson 95 % interval of the rate\n"
    "  below_rate below_ci_low below_ci_high         at D_min - 1 (NaN when D_min is LO or 0)\n"
    "  plate_D ratio         Plate's D for EPS, and D_min / plate_D\n";

typedef struct point {
    size_t d, k, m;
    int unitary, exact;
    const am_store_type *cleanup;
} point;

typedef struct ctx {
    point *pts;
    size_t npts, blocks;
    uint64_t seed;
    am_hrr **hrr;         /* one per point (shared plans per dimension) */
    const size_t *stream; /* the random stream of each point (NULL: its index) */
    void *res;            /* am_run_parallel's results (bisection) */
} ctx;

typedef struct result {
    uint64_t n, errors, failed;
} result;

/* The relative work of job j: a block of traces, each K bindings of D-dimensional FFTs and a clean-up
 * against M items. */
static double job_cost(size_t j, void *vc)
{
    const ctx *c = vc;
    const point *p = &c->pts[j / c->blocks];
    return (double)p->d * ((double)p->k * log2((double)p->d + 1) + (double)p->m);
}

static int job(size_t j, int thread, void *res, void *vc)
{
    (void)thread;
    ctx *c = vc;
    result *r = res;
    size_t pi = j / c->blocks, blk = j % c->blocks;
    const point *p = &c->pts[pi];
    const am_hrr *h = c->hrr[pi];
    size_t D = p->d, K = p->k, M = p->m, T = BLOCK;
    am_rng rng;
    am_rng_init(&rng, c->seed, am_rng_stream2(c->stream ? c->stream[pi] : pi, blk));
    float *vocab = malloc(M * D * sizeof *vocab), *roles = malloc(K * D * sizeof *roles),
          *items = malloc(K * T * D * sizeof *items), *trace = malloc(T * D * sizeof *trace),
          *est = malloc(K * T * D * sizeof *est);
    size_t *which = malloc(K * T * sizeof *which), *got = malloc(K * T * sizeof *got);
    am_hrr_work *w = NULL;
    am_cleanup *mem = NULL;
    int rc = AM_ENOMEM;
    if (!vocab || !roles || !items || !trace || !est || !which || !got)
        goto done;
    if ((rc = am_hrr_work_create(&w, h)))
        goto done;
    am_hrr_random(&rng, M, D, vocab);
    am_hrr_random(&rng, K, D, roles);
    if (p->unitary && (rc = am_hrr_unitary(h, K, roles, D, roles, D, w)))
        goto done;
    for (size_t k = 0; k < K; k++)
        for (size_t t = 0; t < T; t++) {
            size_t v = (size_t)am_rng_below(&rng, M);
            which[k * T + t] = v;
            memcpy(items + (k * T + t) * D, vocab + v * D, D * sizeof *items);
        }
    const float *ip[MAXL];
    size_t ld[MAXL];
    for (size_t k = 0; k < K; k++) {
        ip[k] = items + k * T * D;
        ld[k] = D;
    }
    if ((rc = am_hrr_encode(h, T, K, roles, ip, ld, trace, D, w)))
        goto done;
    for (size_t k = 0; k < K; k++) {
        int e = am_hrr_unbind(h, T, trace, D, roles + k * D, 0, p->exact ? AM_HRR_EXACT : AM_HRR_INVOLUTION,
                              est + k * T * D, D, w);
        if (e == AM_ENOTFINITE) { /* a role without an exact inverse: every retrieval with it fails */
            r->failed += T;
            memset(est + k * T * D, 0, T * D * sizeof *est);
        } else if ((rc = e)) {
            goto done;
        }
    }
    /* Non-finite estimates (an exact inverse of a near-singular role) count as errors. */
    for (size_t q = 0; q < K * T; q++)
        for (size_t i = 0; i < D; i++)
            if (!isfinite(est[q * D + i])) {
                memset(est + q * D, 0, D * sizeof *est);
                break;
            }
    am_store_config sc;
    am_store_config_default(&sc, p->cleanup, D);
    if ((rc = am_cleanup_create(&mem, &sc, vocab, M)) ||
        (rc = am_cleanup_run(mem, est, K * T, am_rng_u64(&rng), got)))
        goto done;
    r->n = K * T;
    for (size_t q = 0; q < K * T; q++)
        r->errors += got[q] != which[q];
    rc = AM_OK;
done:
    am_cleanup_free(mem);
    am_hrr_work_free(w);
    free(vocab), free(roles), free(items), free(trace), free(est), free(which), free(got);
    return rc;
}

static int parse_sizes(const am_run *run, const char *name, const char *s, size_t lo, size_t hi, size_t *v, int *n)
{
    uint64_t u[MAXL];
    *n = am_parse_u64_list(s, u, MAXL);
    for (int k = 0; k < *n; k++)
        if (u[k] < lo || u[k] > hi)
            *n = -1;
    if (*n < 1) {
        am_run_error(run, "--%s wants a comma-separated list of at most %d integers in %zu..%zu", name, MAXL, lo, hi);
        return -1;
    }
    for (int k = 0; k < *n; k++)
        v[k] = (size_t)u[k];
    return 0;
}

static int parse_choice(const am_run *run, const char *name, const char *s, const char *a, const char *b, int *v,
                        int *n)
{
    char buf[256];
    const char *w[4];
    *n = am_parse_words(s, buf, sizeof buf, w, 4);
    for (int k = 0; k < *n; k++) {
        if (!strcmp(w[k], a))
            v[k] = 0;
        else if (!strcmp(w[k], b))
            v[k] = 1;
        else
            *n = -1;
    }
    if (*n < 1 || *n > 2) {
        am_run_error(run, "--%s wants %s, %s or both (comma-separated)", name, a, b);
        return -1;
    }
    return 0;
}

/* The table: one row per point, the blocks of its traces summed, Plate's prediction beside. */
static void write_table(FILE *out, const point *pts, size_t npts, const result *res, size_t blocks, int traces)
{
    fprintf(out, "# %d traces per point\n", traces);
    fprintf(out, "D\tK\tM\troles\tinverse\tcleanup\tretrievals\terrors\terror_rate\tplate_error\tplate_D\n");
    for (size_t i = 0; i < npts; i++) {
        const point *p = &pts[i];
        uint64_t n = 0, e = 0;
        for (size_t b = 0; b < blocks; b++) {
            n += res[i * blocks + b].n + res[i * blocks + b].failed;
            e += res[i * blocks + b].errors + res[i * blocks + b].failed;
        }
        double rate = n ? (double)e / (double)n : NAN, km = (double)p->k - 0.25;
        double pe = cbrt((double)p->m * exp(-(double)p->d / (3.16 * km)));
        double pd = e > 0 ? 3.16 * km * log((double)p->m / (rate * rate * rate)) : NAN;
        fprintf(out, "%zu\t%zu\t%zu\t%s\t%s\t%s\t%llu\t%llu\t%.6f\t%.6f\t%.1f\n", p->d, p->k, p->m,
                p->unitary ? "unitary" : "random", p->exact ? "exact" : "involution", am_store_type_name(p->cleanup),
                (unsigned long long)n, (unsigned long long)e, rate, pe > 1 ? 1.0 : pe, pd);
    }
}

/* ---- --bisect: the smallest D whose error rate is <= eps ---- */

/* The Wilson 95 % interval of the rate e / n. */
static void wilson(uint64_t n, uint64_t e, double *lo, double *hi)
{
    const double z = 1.959964;
    double p = n ? (double)e / (double)n : NAN, nn = (double)n, den = 1 + z * z / nn;
    double mid = (p + z * z / (2 * nn)) / den, half = z * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / den;
    *lo = mid - half < 0 ? 0 : mid - half;
    *hi = mid + half > 1 ? 1 : mid + half;
}

typedef struct search {
    size_t lo, hi;            /* the rate at lo is > eps (or lo is LO, untested), at hi <= eps */
    uint64_t n[2], e[2];      /* retrievals and errors at lo [0] and hi [1] */
    int done, failed, at_low; /* failed: HI does not meet eps; at_low: LO does */
} search;

static int bisect_job(size_t j, int thread, void *vc)
{
    ctx *c = vc;
    result *r = (result *)c->res + j;
    memset(r, 0, sizeof *r);
    return job(j, thread, r, vc);
}

/* One round: every point pts[0 .. npts) (point i in the random stream of configuration stream[i]) measured on
 * `blocks` blocks of traces; the retrievals and errors of point i into n[i], e[i]. */
static int bisect_round(const am_run *run, point *pts, size_t npts, const size_t *stream, size_t blocks, uint64_t *n,
                        uint64_t *e)
{
    am_hrr **h = calloc(npts, sizeof *h);
    result *res = calloc(npts * blocks, sizeof *res);
    int rc = h && res ? AM_OK : AM_ENOMEM;
    for (size_t i = 0; i < npts && !rc; i++)
        rc = am_hrr_create(&h[i], pts[i].d, AM_FFT_ESTIMATE);
    ctx c = {pts, npts, blocks, run->seed, h, stream, res};
    if (!rc)
        rc = am_run_parallel(run, npts * blocks, bisect_job, &c);
    for (size_t i = 0; i < npts && !rc; i++) {
        n[i] = e[i] = 0;
        for (size_t b = 0; b < blocks; b++) {
            n[i] += res[i * blocks + b].n + res[i * blocks + b].failed;
            e[i] += res[i * blocks + b].errors + res[i * blocks + b].failed;
        }
    }
    for (size_t i = 0; h && i < npts; i++)
        am_hrr_free(h[i]);
    free(h), free(res);
    return rc;
}

/* Bisect every configuration cfg[0 .. ncfg) (its d unused) on D in [lo, hi]: rounds of one D per
 * configuration still open (the first round: lo and hi). */
static int bisect(const am_run *run, const point *cfg, size_t ncfg, size_t lo, size_t hi, double eps, size_t blocks,
                  search *s)
{
    point *pts = calloc(2 * ncfg, sizeof *pts);
    size_t *stream = calloc(2 * ncfg, sizeof *stream), *of = calloc(2 * ncfg, sizeof *of);
    uint64_t *n = calloc(2 * ncfg, sizeof *n), *e = calloc(2 * ncfg, sizeof *e);
    int rc = pts && stream && of && n && e ? AM_OK : AM_ENOMEM;
    for (size_t i = 0; i < ncfg; i++)
        s[i] = (search){.lo = lo, .hi = hi};
    for (int round = 0; !rc; round++) {
        size_t np = 0;
        for (size_t i = 0; i < ncfg; i++) {
            if (s[i].done)
                continue;
            size_t d[2] = {lo, hi}, nd = round == 0 ? 2 : 1;
            if (round > 0)
                d[0] = s[i].lo + (s[i].hi - s[i].lo) / 2;
            for (size_t k = 0; k < nd; k++) {
                pts[np] = cfg[i];
                pts[np].d = d[k];
                stream[np] = i;
                of[np++] = i;
            }
        }
        if (np == 0)
            break;
        if ((rc = bisect_round(run, pts, np, stream, blocks, n, e)))
            break;
        for (size_t k = 0; k < np; k++) {
            search *si = &s[of[k]];
            int meets = (double)e[k] <= eps * (double)n[k];
            int side = round == 0 ? pts[k].d == hi : meets; /* round 0: lo's counts in [0], hi's in [1] */
            if (round == 0)
                *(side ? &si->failed : &si->at_low) = side ? !meets : meets;
            else
                *(meets ? &si->hi : &si->lo) = pts[k].d;
            si->n[side] = n[k];
            si->e[side] = e[k];
        }
        for (size_t i = 0; i < ncfg; i++) {
            if (s[i].done)
                continue;
            if (round == 0 && !s[i].failed && s[i].at_low) { /* LO meets eps: its counts are the answer's */
                s[i].hi = lo;
                s[i].n[1] = s[i].n[0], s[i].e[1] = s[i].e[0];
            }
            s[i].done = s[i].failed || s[i].at_low || s[i].hi - s[i].lo <= 1;
        }
    }
    free(pts), free(stream), free(of), free(n), free(e);
    return rc;
}

static void write_bisect(FILE *out, const point *cfg, size_t ncfg, const search *s, double eps, int traces)
{
    fprintf(out, "# bisection on D for an error rate <= %g, %d traces at every D tried\n", eps, traces);
    fprintf(out, "K\tM\troles\tinverse\tcleanup\tD_min\tretrievals\terrors\terror_rate\tci_low\tci_high\tbelow_rate\t"
                 "below_ci_low\tbelow_ci_high\tplate_D\tratio\n");
    for (size_t i = 0; i < ncfg; i++) {
        const point *p = &cfg[i];
        const search *si = &s[i];
        size_t dmin = si->failed ? 0 : si->hi;
        double lo, hi, blo = NAN, bhi = NAN, below = NAN;
        wilson(si->n[1], si->e[1], &lo, &hi);
        if (!si->failed && !si->at_low) {
            below = (double)si->e[0] / (double)si->n[0];
            wilson(si->n[0], si->e[0], &blo, &bhi);
        }
        double plate = 3.16 * ((double)p->k - 0.25) * log((double)p->m / (eps * eps * eps));
        fprintf(out, "%zu\t%zu\t%s\t%s\t%s\t%zu\t%llu\t%llu\t%.6f\t%.6f\t%.6f\t%.6f\t%.6f\t%.6f\t%.1f\t%.3f\n", p->k, p->m,
                p->unitary ? "unitary" : "random", p->exact ? "exact" : "involution", am_store_type_name(p->cleanup),
                dmin, (unsigned long long)si->n[1], (unsigned long long)si->e[1],
                (double)si->e[1] / (double)si->n[1], lo, hi, below, blo, bhi, plate, dmin ? (double)dmin / plate : NAN);
    }
}

/* --bisect: the configurations (every point but D), bisected, written to out. */
static int run_bisect(am_run *run, const point *pts, size_t npts, size_t per_d, size_t lo, size_t hi, double eps,
                      int traces, FILE *out)
{
    point *cfg = calloc(per_d, sizeof *cfg);
    search *s = calloc(per_d, sizeof *s);
    int rc = cfg && s ? AM_OK : AM_ENOMEM;
    (void)npts;
    if (!rc) {
        memcpy(cfg, pts, per_d * sizeof *cfg); /* the points of the first D: every configuration once */
        rc = bisect(run, cfg, per_d, lo, hi, eps, (size_t)traces / BLOCK, s);
    }
    if (!rc && am_run_is_root(run))
        write_bisect(out, cfg, per_d, s, eps, traces);
    free(cfg), free(s);
    return rc;
}

int main(int argc, char **argv)
{
    const char *d_s = "256,512,1024,2048", *k_s = "1,2,4,8,16", *m_s = "1000", *roles_s = "random",
               *inv_s = "involution", *clean_s = "modern";
    int traces = 200;
    double eps = 0;
    am_run run = {.examples = "hrr-capacity --D 256,512,1024 --K 1,2,4,8,16 --M 1000 --out hrr.tsv\nhrr-capacity --D 1024 --K 4,8 --roles random,unitary --inverse exact --out roles.tsv\nhrr-capacity --bisect 0.01 --D 16,4096 --K 2,4 --M 1000 --traces 2000 --out dmin.tsv",
                  .program = "hrr-capacity",
                  .summary = "Retrieval error of holographic reduced representations against D, K and M.",
                  .description = description};
    am_opt opts[] = {
        {"D", AM_OPT_STRING, &d_s, "d1,d2,...", "dimensions (16-65536)"},
        {"K", AM_OPT_STRING, &k_s, "k1,k2,...", "bound pairs per trace (1-64)"},
        {"M", AM_OPT_STRING, &m_s, "m1,m2,...", "vocabulary sizes (2-1000000)"},
        {"roles", AM_OPT_STRING, &roles_s, "random|unitary", "role vectors (one or both)"},
        {"inverse", AM_OPT_STRING, &inv_s, "involution|exact", "unbinding (one or both)"},
        {"cleanup", AM_OPT_STRING, &clean_s, "m1,m2,...", "clean-up stores (store types, not sequence stores)"},
        {"traces", AM_OPT_INT, &traces, "n", "traces per point (a multiple of 50, 50-100000)"},
        {"bisect", AM_OPT_DOUBLE, &eps, "EPS", "find the smallest D with error rate <= EPS in the bracket --D LO,HI (0: off)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    run.resumable = 1;
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    size_t ds[MAXL], ks[MAXL], ms[MAXL];
    int nd, nk, nm, nr, ni, rv[2], iv[2];
    if (parse_sizes(&run, "D", d_s, 16, 65536, ds, &nd) || parse_sizes(&run, "K", k_s, 1, 64, ks, &nk) ||
        parse_sizes(&run, "M", m_s, 2, 1000000, ms, &nm) ||
        parse_choice(&run, "roles", roles_s, "random", "unitary", rv, &nr) ||
        parse_choice(&run, "inverse", inv_s, "involution", "exact", iv, &ni))
        return 2;
    const am_store_type *cm[8];
    int nc;
    {
        char buf[256];
        const char *w[8];
        nc = am_parse_words(clean_s, buf, sizeof buf, w, 8);
        for (int k2 = 0; k2 < nc; k2++)
            if (!(cm[k2] = am_store_type_find(w[k2])) || (am_store_type_flags(cm[k2]) & AM_STORE_SEQUENCE))
                nc = -1;
        if (nc < 1) {
            char names[256];
            am_run_error(&run, "--cleanup wants one or several (comma-separated) of %s",
                         am_store_opts_scope(0, names, sizeof names));
            return 2;
        }
    }
    if (eps != 0 && (!(eps > 0 && eps < 1) || nd != 2 || ds[0] >= ds[1] || run.resume)) {
        am_run_error(&run, run.resume ? "--bisect runs cannot be resumed" : !(eps > 0 && eps < 1)
                                                                           ? "--bisect wants an error rate in (0, 1)"
                                                                           : "--bisect wants --D LO,HI with LO < HI");
        return 2;
    }
    if (traces < BLOCK || traces > 100000 || traces % BLOCK) {
        am_run_error(&run, "--traces must be a multiple of %d between %d and 100000", BLOCK, BLOCK);
        return 2;
    }
    size_t npts = (size_t)nd * nk * nm * nr * ni * nc, k = 0;
    point *pts = calloc(npts, sizeof *pts);
    am_hrr **hrr = calloc(npts, sizeof *hrr), **perdim = calloc((size_t)nd, sizeof *perdim);
    result *res = NULL;
    FILE *out = NULL;
    int status = 1;
    if (!pts || !hrr || !perdim) {
        am_run_error(&run, "out of memory");
        goto done;
    }
    for (int a = 0; a < nd; a++) {
        if ((rc = am_hrr_create(&perdim[a], ds[a], AM_FFT_ESTIMATE))) {
            am_run_error(&run, "FFT plans for D=%zu: %s", ds[a], am_strerror(rc));
            goto done;
        }
        for (int b = 0; b < nk; b++)
            for (int c2 = 0; c2 < nm; c2++)
                for (int e = 0; e < nr; e++)
                    for (int f = 0; f < ni; f++)
                        for (int g = 0; g < nc; g++) {
                            pts[k] = (point){ds[a], ks[b], ms[c2], rv[e], iv[f], cm[g]};
                            hrr[k++] = perdim[a];
                        }
    }
    ctx c = {pts, npts, (size_t)traces / BLOCK, run.seed, hrr, NULL, NULL};
    if (!(out = am_run_open(&run)))
        goto done;
    if (eps != 0) {
        if ((rc = run_bisect(&run, pts, npts, npts / (size_t)nd, ds[0], ds[1], eps, traces, out))) {
            am_run_error(&run, "bisection: %s", am_strerror(rc));
            goto done;
        }
        status = am_run_close(&run, out) ? 1 : 0;
        out = NULL;
        goto done;
    }
    res = calloc(npts * c.blocks, sizeof *res);
    am_jobs jobs = {.count = npts * c.blocks, .result_size = sizeof(result), .fn = job, .ctx = &c, .cost = job_cost};
    size_t failed = 0;
    if (!res || (rc = am_run_jobs(&run, &jobs, res, &failed))) {
        am_run_error(&run, "point %zu: %s", failed / (c.blocks ? c.blocks : 1), res ? am_strerror(rc) : "out of memory");
        goto done;
    }
    if (am_run_is_root(&run))
        write_table(out, pts, npts, res, c.blocks, traces);
    status = am_run_close(&run, out) ? 1 : 0;
    out = NULL;
done:
    if (out)
        am_run_abort(&run, out);
    free(res);
    for (int a = 0; perdim && a < nd; a++)
        am_hrr_free(perdim[a]);
    free(perdim), free(hrr), free(pts);
    return status;
}
