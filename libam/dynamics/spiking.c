/* Spiking networks of LIF neurons (see am/spiking.h). */
#include "am/spiking.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "../core/alloc.h"
#include "../core/cancel_internal.h"
#include "am/rng.h"
#include "../core/vexp.h"

#define CHUNK 4096 /* neurons per unit of parallel work: fixed, so nothing depends on the thread count */
#define MIN_PER_THREAD 65536 /* neurons: fewer threads are used when each would have fewer */

typedef struct {
    size_t first, count;
    am_lif_params p;
    uint32_t ref_steps;
    uint64_t ext_key;
} pop_t;

typedef struct {
    uint32_t pre, post, proj;
} edge_t;

/* A projection's synapses all share one weight, delay and receptor. */
typedef struct {
    float w;
    uint16_t delay;
    uint8_t inh;
} proj_t;

/* The synapses of one presynaptic neuron from one projection: post[start, end) of the neuron's row. Their
 * targets are strictly ascending (a probability projection draws them in order, a fixed in-degree one visits the
 * targets in order, and no pair is drawn twice). */
typedef struct {
    size_t end;
    uint32_t proj;
} seg_t;

struct am_snn {
    double dt;
    am_integrator method;
    uint64_t seed;
    pop_t *pop;
    size_t npop, n;
    /* connections: edges until the first run, then rows of segments */
    edge_t *edge;
    size_t nedge, capedge, nproj;
    proj_t *proj;    /* nproj */
    size_t *srow;    /* n + 1: the synapses of neuron i are the segments seg[srow[i], srow[i + 1]) */
    seg_t *seg;      /* in order: segment g is post[g ? seg[g - 1].end : 0, seg[g].end) */
    uint32_t *post;  /* targets */
    size_t nsyn;
    int built;
    unsigned maxdelay, slots;
    /* state */
    float *v, *ge, *gi, *ring; /* ring: slots x 2 x n (excitatory, inhibitory) */
    uint32_t *ref;
    uint64_t *count, t;
    uint32_t *spk;   /* n: spike ids of the step, per chunk */
    uint32_t *list;  /* n: the step's spike ids, ascending */
    uint8_t *flag;   /* n: spike flags of the step */
};

void am_lif_params_default(am_lif_params *p)
{
    memset(p, 0, sizeof *p);
    p->tau_m = 20.0;
    p->v_rest = -60.0;
    p->v_reset = -60.0;
    p->v_thresh = -50.0;
    p->t_ref = 5.0;
    p->syn = AM_SYN_CONDUCTANCE;
    p->tau_e = 5.0;
    p->tau_i = 10.0;
    p->e_e = 0.0;
    p->e_i = -80.0;
    p->v0_mean = -60.0;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* A uniform in (0, 1) from a key and a counter. */
static inline double ctr_uniform(uint64_t key, uint64_t ctr)
{
    uint64_t h = mix64(key ^ mix64(ctr + 0x9e3779b97f4a7c15ULL));
    return ((double)(h >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

int am_snn_create(am_snn **out, double dt, am_integrator method, uint64_t seed)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!(dt > 0.0) || dt > AM_SNN_MAX_DT || (unsigned)method > AM_INT_EXACT)
        return AM_EINVAL;
    am_snn *n = calloc(1, sizeof *n);
    if (!n)
        return AM_ENOMEM;
    n->dt = dt;
    n->method = method;
    n->seed = seed;
    *out = n;
    return AM_OK;
}

void am_snn_free(am_snn *n)
{
    if (!n)
        return;
    free(n->pop);
    free(n->edge);
    free(n->proj);
    free(n->srow);
    free(n->seg);
    free(n->post);
    free(n->v);
    free(n->ge);
    free(n->gi);
    free(n->ring);
    free(n->ref);
    free(n->count);
    free(n->spk);
    free(n->list);
    free(n->flag);
    free(n);
}

/* Every value finite and within float range: the neurons integrate in float (a double beyond FLT_MAX has no
 * float value; converting it is undefined behaviour). */
static int finite_all(const double *x, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (!(fabs(x[i]) <= FLT_MAX))
            return 0;
    return 1;
}

int am_snn_add(am_snn *n, size_t count, const am_lif_params *p, size_t *first)
{
    if (!n || !p || count == 0 || n->built)
        return AM_EINVAL;
    double all[] = {p->tau_m, p->v_rest, p->v_reset, p->v_thresh, p->t_ref, p->drive, p->tau_e, p->tau_i,
                    p->e_e, p->e_i, p->v0_mean, p->v0_sd, p->ext_rate, p->ext_weight};
    if (!finite_all(all, sizeof all / sizeof all[0]) || !(p->tau_m > 0) || !(p->v_thresh > p->v_reset) ||
        p->t_ref < 0 || p->v0_sd < 0 || p->ext_rate < 0 || (unsigned)p->syn > AM_SYN_CONDUCTANCE ||
        (p->syn != AM_SYN_DELTA && (!(p->tau_e > 0) || !(p->tau_i > 0))) || p->t_ref / n->dt > AM_SNN_MAX_REF_STEPS)
        return AM_EINVAL;
    if (count > UINT32_MAX - n->n)
        return AM_EOVERFLOW;
    pop_t *q = realloc(n->pop, (n->npop + 1) * sizeof *q);
    if (!q)
        return AM_ENOMEM;
    n->pop = q;
    pop_t *np = &n->pop[n->npop];
    np->first = n->n;
    np->count = count;
    np->p = *p;
    /* Brian2's convention: a spike is timed at the start of its step, and the neuron integrates again from the
     * step that starts t_ref later: it is held for round(t_ref / dt) - 1 steps after the spike's step. */
    long rs = lround(p->t_ref / n->dt) - 1;
    np->ref_steps = rs > 0 ? (uint32_t)rs : 0;
    np->ext_key = mix64(n->seed ^ mix64(0x455854ULL + n->npop)); /* "EXT" */
    if (first)
        *first = n->n;
    n->npop++;
    n->n += count;
    return AM_OK;
}

static int edge_push(am_snn *n, uint32_t pre, uint32_t post, uint32_t proj)
{
    if (n->nedge == n->capedge) {
        size_t cap = n->capedge ? 2 * n->capedge : 4096;
        if (cap > SIZE_MAX / sizeof(edge_t))
            return AM_EOVERFLOW;
        edge_t *e = realloc(n->edge, cap * sizeof *e);
        if (!e)
            return AM_ENOMEM;
        n->edge = e;
        n->capedge = cap;
    }
    n->edge[n->nedge++] = (edge_t){pre, post, proj};
    return AM_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int am_snn_connect(am_snn *n, size_t pre, size_t npre, size_t post, size_t npost, const am_conn *c)
{
    if (!n || !c || n->built || npre == 0 || npost == 0 || pre > n->n || npre > n->n - pre || post > n->n ||
        npost > n->n - post)
        return AM_EINVAL;
    if (!finite_all(&c->weight, 1) || !(c->delay >= 0) || !isfinite(c->delay) || (unsigned)c->kind > AM_CONN_INDEGREE)
        return AM_EINVAL;
    double ds = c->delay / n->dt;
    if (ds > AM_SNN_MAX_DELAY_STEPS)
        return AM_EINVAL;
    uint16_t d = (uint16_t)lround(ds);
    int overlap = pre < post + npost && post < pre + npre;
    uint64_t proj = n->nproj;
    if (proj >= UINT32_MAX)
        return AM_EOVERFLOW;
    proj_t *pt = realloc(n->proj, (n->nproj + 1) * sizeof *pt);
    if (!pt)
        return AM_ENOMEM;
    n->proj = pt;
    pt[proj] = (proj_t){(float)c->weight, d, (uint8_t)!!c->inhibitory};
    size_t nedge0 = n->nedge; /* a failed or cancelled projection leaves no synapse behind */
    int rc = AM_OK;
    if (c->kind == AM_CONN_PROB) {
        if (!(c->p >= 0.0 && c->p <= 1.0))
            return AM_EINVAL;
        /* expected synapses must fit */
        double expect = c->p * (double)npre * (double)npost;
        if (expect > 4e9 || expect + (double)n->nedge > (double)(SIZE_MAX / sizeof(edge_t)) / 2)
            return AM_EOVERFLOW;
        if (c->p > 0.0) {
            double lq = log1p(-c->p);
            for (size_t i = 0; i < npre && !rc && !(rc = am_cancel_poll()); i++) {
                am_rng rng;
                am_rng_init(&rng, n->seed, am_rng_stream2(0x434f4e4eULL + proj, pre + i)); /* "CONN" */
                /* successive targets by geometric gaps */
                double j = -1.0;
                for (;;) {
                    if (c->p < 1.0) {
                        double u = am_rng_uniform(&rng);
                        j += 1.0 + floor(log1p(-u) / lq);
                    } else {
                        j += 1.0;
                    }
                    if (j >= (double)npost)
                        break;
                    size_t tgt = post + (size_t)j;
                    if (!c->autapses && overlap && tgt == pre + i)
                        continue;
                    if ((rc = edge_push(n, (uint32_t)(pre + i), (uint32_t)tgt, (uint32_t)proj)))
                        break;
                }
            }
        }
    } else {
        size_t pool = npre;
        if (c->k > npre || (!c->autapses && overlap && c->k > npre - 1))
            return AM_EINVAL;
        if ((double)c->k * (double)npost > 4e9)
            return AM_EOVERFLOW;
        unsigned char *taken = calloc(pool, 1);
        uint32_t *pick = malloc((c->k ? c->k : 1) * sizeof *pick);
        if (!taken || !pick) {
            free(taken);
            free(pick);
            return AM_ENOMEM;
        }
        for (size_t j = 0; j < npost && !rc && !(rc = am_cancel_poll()); j++) {
            size_t self = post + j, skip = (!c->autapses && self >= pre && self < pre + npre) ? self - pre : SIZE_MAX;
            size_t avail = pool - (skip != SIZE_MAX);
            am_rng rng;
            am_rng_init(&rng, n->seed, am_rng_stream2(0x494e4445ULL + proj, self)); /* "INDE" */
            /* Floyd's algorithm: k distinct of avail */
            for (size_t m = avail - c->k, t = 0; m < avail; m++, t++) {
                size_t r = (size_t)am_rng_below(&rng, m + 1);
                size_t choice = taken[r] ? m : r;
                taken[choice] = 1;
                pick[t] = (uint32_t)choice;
            }
            for (size_t t = 0; t < c->k; t++)
                taken[pick[t]] = 0;
            /* ascending presynaptic order, the self index skipped */
            qsort(pick, c->k, sizeof *pick, cmp_u32);
            for (size_t t = 0; t < c->k && !rc; t++) {
                size_t src = pick[t] + (skip != SIZE_MAX && pick[t] >= skip);
                rc = edge_push(n, (uint32_t)(pre + src), (uint32_t)self, (uint32_t)proj);
            }
        }
        free(taken);
        free(pick);
    }
    if (rc) {
        n->nedge = nedge0;
        return rc;
    }
    if (d > n->maxdelay)
        n->maxdelay = d;
    n->nproj++;
    return AM_OK;
}

size_t am_snn_size(const am_snn *n)
{
    return n->n;
}

size_t am_snn_synapses(const am_snn *n)
{
    return n->built ? n->nsyn : n->nedge;
}

double am_snn_dt(const am_snn *n)
{
    return n->dt;
}

uint64_t am_snn_step_count(const am_snn *n)
{
    return n->t;
}

const float *am_snn_v(const am_snn *n)
{
    return n->v;
}

const uint64_t *am_snn_spike_counts(const am_snn *n)
{
    return n->count;
}

static int rows_undo(am_snn *n)
{
    free(n->srow);
    free(n->post);
    n->srow = NULL;
    n->post = NULL;
    return AM_ENOMEM;
}

/* Rows by presynaptic neuron: a stable counting sort of the edges, so that a row holds its projections in the
 * order they were added, one segment each. row: N + 1 scratch entries. */
static int build_rows(am_snn *n, size_t *row)
{
    size_t N = n->n, E = n->nedge;
    uint32_t *lastp = malloc(N * sizeof *lastp);
    size_t *sat = malloc(N * sizeof *sat);
    n->srow = calloc(N + 1, sizeof *n->srow);
    n->post = malloc((E ? E : 1) * sizeof *n->post);
    if (!lastp || !sat || !n->srow || !n->post) {
        free(lastp);
        free(sat);
        return rows_undo(n);
    }
    memset(row, 0, (N + 1) * sizeof *row);
    for (size_t i = 0; i < N; i++)
        lastp[i] = UINT32_MAX; /* no projection has this number */
    for (size_t e = 0; e < E; e++) {
        const edge_t *g = &n->edge[e];
        row[g->pre + 1]++;
        if (lastp[g->pre] != g->proj) {
            lastp[g->pre] = g->proj;
            n->srow[g->pre + 1]++;
        }
    }
    for (size_t i = 0; i < N; i++) {
        row[i + 1] += row[i];
        n->srow[i + 1] += n->srow[i];
    }
    free(lastp);
    if (!(n->seg = malloc((n->srow[N] ? n->srow[N] : 1) * sizeof *n->seg))) {
        free(sat);
        return rows_undo(n);
    }
    memcpy(sat, n->srow, N * sizeof *sat);
    for (size_t e = 0; e < E; e++) {
        const edge_t *g = &n->edge[e];
        size_t k = row[g->pre]++;
        n->post[k] = g->post;
        if (sat[g->pre] == n->srow[g->pre] || n->seg[sat[g->pre] - 1].proj != g->proj)
            n->seg[sat[g->pre]++].proj = g->proj;
        n->seg[sat[g->pre] - 1].end = k + 1;
    }
    free(sat);
    n->nsyn = E;
    free(n->edge);
    n->edge = NULL;
    n->capedge = 0;
    return AM_OK;
}

/* count x size zero bytes on a cache-line boundary (the neuron updates stream whole lines); NULL on overflow. */
static void *zalloc64(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = am__alloc_big(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

static int state_free(am_snn *n)
{
    void **all[] = {(void **)&n->v,     (void **)&n->ge,  (void **)&n->gi,   (void **)&n->ring, (void **)&n->ref,
                    (void **)&n->count, (void **)&n->spk, (void **)&n->list, (void **)&n->flag};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        free(*all[k]);
        *all[k] = NULL;
    }
    return AM_ENOMEM;
}

/* The neurons' state (zero) and scratch; all or none (NULL). */
static int state_alloc(am_snn *n, size_t ringn)
{
    size_t N = n->n;
    n->v = zalloc64(N, sizeof *n->v);
    n->ge = zalloc64(N, sizeof *n->ge);
    n->gi = zalloc64(N, sizeof *n->gi);
    n->ring = zalloc64(ringn, sizeof *n->ring);
    n->ref = zalloc64(N, sizeof *n->ref);
    n->count = calloc(N, sizeof *n->count);
    n->spk = malloc(N * sizeof *n->spk);
    n->list = malloc(N * sizeof *n->list);
    n->flag = zalloc64(N, 1);
    if (n->v && n->ge && n->gi && n->ring && n->ref && n->count && n->spk && n->list && n->flag)
        return AM_OK;
    return state_free(n);
}

/* The state, the rows, the initial potentials. A failure leaves the network as it was (a later run tries again). */
static int build(am_snn *n)
{
    size_t N = n->n;
    if (N == 0)
        return AM_EEMPTY;
    n->slots = n->maxdelay + 2;
    size_t ringn;
    if (am_size_mul3(n->slots, 2, N, &ringn))
        return AM_EOVERFLOW;
    int rc = state_alloc(n, ringn);
    if (rc)
        return rc;
    size_t *row = malloc((N + 1) * sizeof *row);
    rc = row ? build_rows(n, row) : AM_ENOMEM;
    free(row);
    if (rc)
        return state_free(n);
    for (size_t p = 0; p < n->npop; p++) {
        const pop_t *q = &n->pop[p];
        for (size_t i = q->first; i < q->first + q->count; i++) {
            am_rng rng;
            am_rng_init(&rng, n->seed, am_rng_stream2(0x56300000ULL, i)); /* "V0" */
            double z = q->p.v0_uniform ? 2.0 * am_rng_uniform(&rng) - 1.0 : am_rng_normal(&rng);
            n->v[i] = (float)(q->p.v0_mean + q->p.v0_sd * z);
        }
    }
    n->built = 1;
    return AM_OK;
}

/* Events of a Poisson variable of mean lambda from one uniform (inversion; lambda is small per step). */
static inline unsigned poisson(double lambda, double u)
{
    double p = exp(-lambda), f = p;
    unsigned k = 0;
    while (u > f && k < 10000) {
        k++;
        p *= lambda / k;
        f += p;
    }
    return k;
}

/* The neuron updates, branch-free so that they vectorise: arrivals in, integration, threshold; flag[i] = 1 for
 * a spike. One function per synapse kind and method, each cloned for AVX-512 and AVX2. */
typedef struct {
    float dt, El, Vr, Vt, I, Ee, Ei, a, em, de, di;
    uint32_t ref_steps;
} kpar;

#define CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
/* The selects below vectorise only when comparisons may be assumed not to trap (they never do here: no
 * floating-point exceptions are enabled); results are unchanged. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math", "no-tree-loop-distribute-patterns")
#endif

/* The end of every neuron update: a refractory neuron keeps held_v (else it takes new_v), its refractory count
 * runs down, and it spikes (reset, refractory again, flagged) when above threshold and not refractory. */
static inline __attribute__((always_inline)) void settle(size_t i, float held_v, float new_v, float Vt, float Vr,
                                                         uint32_t rs, float *restrict v, uint32_t *restrict ref,
                                                         uint8_t *restrict flag)
{
    uint32_t r = ref[i];
    float vi = r ? held_v : new_v;
    r -= r > 0;
    int sp = (vi > Vt) & (r == 0);
    v[i] = sp ? Vr : vi;
    ref[i] = sp ? rs : r;
    flag[i] = (uint8_t)sp;
}

CLONES static void k_cond_euler(const kpar *k, size_t i0, size_t i1, float *restrict v, float *restrict ge,
                                float *restrict gi, uint32_t *restrict ref, float *restrict ae, float *restrict ai,
                                uint8_t *restrict flag)
{
    const float El = k->El, Vr = k->Vr, Vt = k->Vt, I = k->I, Ee = k->Ee, Ei = k->Ei, a = k->a, de = k->de, di = k->di;
    const uint32_t rs = k->ref_steps;
    for (size_t i = i0; i < i1; i++) {
        float g1 = ge[i] + ae[i], g2 = gi[i] + ai[i], vi = v[i];
        ae[i] = 0.0f;
        ai[i] = 0.0f;
        float nv = vi + a * (g1 * (Ee - vi) + g2 * (Ei - vi) - (vi - El) + I);
        ge[i] = g1 * de;
        gi[i] = g2 * di;
        settle(i, vi, nv, Vt, Vr, rs, v, ref, flag);
    }
}

CLONES static void k_cond_exact(const kpar *k, size_t i0, size_t i1, float *restrict v, float *restrict ge,
                                float *restrict gi, uint32_t *restrict ref, float *restrict ae, float *restrict ai,
                                uint8_t *restrict flag)
{
    const float El = k->El, Vr = k->Vr, Vt = k->Vt, I = k->I, Ee = k->Ee, Ei = k->Ei, a = k->a, de = k->de, di = k->di;
    const uint32_t rs = k->ref_steps;
    for (size_t i = i0; i < i1; i++) {
        float g1 = ge[i] + ae[i], g2 = gi[i] + ai[i], vi = v[i];
        ae[i] = 0.0f;
        ai[i] = 0.0f;
        float gt = 1.0f + g1 + g2, vinf = (El + g1 * Ee + g2 * Ei + I) / gt;
        float nv = vinf + (vi - vinf) * am__exp_nonpos(-a * gt);
        ge[i] = g1 * de;
        gi[i] = g2 * di;
        settle(i, vi, nv, Vt, Vr, rs, v, ref, flag);
    }
}

CLONES static void k_curr(const kpar *k, int euler, size_t i0, size_t i1, float *restrict v, float *restrict ge,
                          float *restrict gi, uint32_t *restrict ref, float *restrict ae, float *restrict ai,
                          uint8_t *restrict flag)
{
    /* Euler: v + a (-(v - El) + ge + gi + I); exact with the currents held: vinf + (v - vinf) e^(-dt/tau) */
    const float c1 = euler ? 1.0f - k->a : k->em, c2 = euler ? k->a : 1.0f - k->em;
    const float El = k->El, Vr = k->Vr, Vt = k->Vt, I = k->I, de = k->de, di = k->di;
    const uint32_t rs = k->ref_steps;
    for (size_t i = i0; i < i1; i++) {
        float g1 = ge[i] + ae[i], g2 = gi[i] + ai[i], vi = v[i];
        ae[i] = 0.0f;
        ai[i] = 0.0f;
        float nv = c1 * vi + c2 * (El + g1 + g2 + I);
        ge[i] = g1 * de;
        gi[i] = g2 * di;
        settle(i, vi, nv, Vt, Vr, rs, v, ref, flag);
    }
}

CLONES static void k_delta(const kpar *k, int euler, size_t i0, size_t i1, float *restrict v, uint32_t *restrict ref,
                           float *restrict ae, float *restrict ai, uint8_t *restrict flag)
{
    const float c1 = euler ? 1.0f - k->a : k->em, c2 = euler ? k->a : 1.0f - k->em;
    const float El = k->El, Vr = k->Vr, Vt = k->Vt, I = k->I;
    const uint32_t rs = k->ref_steps;
    for (size_t i = i0; i < i1; i++) {
        float vin = v[i] + ae[i] + ai[i];
        ae[i] = 0.0f;
        ai[i] = 0.0f;
        float nv = c1 * vin + c2 * (El + I);
        settle(i, v[i], nv, Vt, Vr, rs, v, ref, flag); /* input arriving during the refractory period is lost */
    }
}

static inline uint64_t word8(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* One chunk of one population; spike ids into spk (ascending); flag: scratch of the chunk's size. */
static size_t update_range(am_snn *n, const pop_t *q, uint64_t t, size_t i0, size_t i1, float *arr_e, float *arr_i,
                           uint32_t *spk, uint8_t *flag)
{
    const am_lif_params *p = &q->p;
    int euler = n->method == AM_INT_EULER;
    kpar k = {(float)n->dt, (float)p->v_rest, (float)p->v_reset, (float)p->v_thresh, (float)p->drive, (float)p->e_e,
              (float)p->e_i, (float)(n->dt / p->tau_m), (float)exp(-n->dt / p->tau_m), 0.0f, 0.0f, q->ref_steps};
    if (p->syn != AM_SYN_DELTA) {
        k.de = (float)(euler ? 1.0 - n->dt / p->tau_e : exp(-n->dt / p->tau_e));
        k.di = (float)(euler ? 1.0 - n->dt / p->tau_i : exp(-n->dt / p->tau_i));
    }
    /* external Poisson events */
    if (p->ext_rate > 0) {
        double lambda = p->ext_rate * n->dt * 1e-3;
        for (size_t i = i0; i < i1; i++) {
            unsigned c = poisson(lambda, ctr_uniform(q->ext_key ^ mix64(i), t));
            arr_e[i] += (float)c * (float)p->ext_weight;
        }
    }
    uint8_t *f = flag - i0;
    switch (p->syn) {
    case AM_SYN_CONDUCTANCE:
        if (euler)
            k_cond_euler(&k, i0, i1, n->v, n->ge, n->gi, n->ref, arr_e, arr_i, f);
        else
            k_cond_exact(&k, i0, i1, n->v, n->ge, n->gi, n->ref, arr_e, arr_i, f);
        break;
    case AM_SYN_CURRENT:
        k_curr(&k, euler, i0, i1, n->v, n->ge, n->gi, n->ref, arr_e, arr_i, f);
        break;
    default:
        k_delta(&k, euler, i0, i1, n->v, n->ref, arr_e, arr_i, f);
        break;
    }
    /* the flags 64 at a time (a few spikes among thousands of neurons); a flag is 0 or 1, so the lowest set bit of
     * a word of 8 is that of the first spike among them */
    size_t ns = 0;
    size_t i = i0;
    for (; i + 64 <= i1; i += 64) {
        if (!(word8(f + i) | word8(f + i + 8) | word8(f + i + 16) | word8(f + i + 24) | word8(f + i + 32) |
              word8(f + i + 40) | word8(f + i + 48) | word8(f + i + 56)))
            continue;
        for (size_t j = i; j < i + 64; j += 8)
            for (uint64_t x = word8(f + j); x; x &= x - 1)
                spk[ns++] = (uint32_t)(j + (size_t)(__builtin_ctzll(x) >> 3));
    }
    for (; i < i1; i++)
        if (f[i])
            spk[ns++] = (uint32_t)i;
    return ns;
}

/* The first of post[a, b) (ascending) that is >= x, or b. */
static size_t lower_bound(const uint32_t *post, size_t a, size_t b, uint32_t x)
{
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (post[m] < x)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

/* The first synapse of neuron i's row. */
static inline size_t row_start(const am_snn *n, uint32_t i)
{
    size_t g = n->srow[i];
    return g ? n->seg[g - 1].end : 0;
}

/* Spikes ids[0, ns) (ascending) of step t sent along their rows into the slots of step t + 1 + delay, to the
 * targets in [lo, hi) only: every target receives its inputs in the same order (spikes ascending, then the
 * row's order) whichever thread serves it, so the sums do not depend on the number of threads. The rows of
 * the spikes ahead are fetched from memory in stages (row index, segments, targets). */
static void deliver(const am_snn *n, uint64_t t, const uint32_t *ids, size_t ns, uint32_t lo, uint32_t hi)
{
    const size_t N = n->n, S = n->slots, base = (size_t)((t + 1) % S);
    const int whole = lo == 0 && hi == N;
    const uint32_t *post = n->post;
    for (size_t s = 0; s < ns; s++) {
        if (s + 8 < ns)
            __builtin_prefetch(n->srow + ids[s + 8]);
        if (s + 4 < ns) {
            size_t g = n->srow[ids[s + 4]];
            __builtin_prefetch(n->seg + (g ? g - 1 : 0));
        }
        if (s + 2 < ns) {
            const char *r = (const char *)(post + row_start(n, ids[s + 2]));
            for (int c = 0; c < 4; c++)
                __builtin_prefetch(r + 64 * c);
        }
        uint32_t i = ids[s];
        size_t e = row_start(n, i);
        for (size_t g = n->srow[i]; g < n->srow[i + 1]; g++) {
            const seg_t *sg = &n->seg[g];
            const proj_t *pj = &n->proj[sg->proj];
            size_t slot = base + pj->delay, a = e, b = sg->end;
            slot -= slot >= S ? S : 0;
            float *restrict dst = n->ring + (slot * 2 + pj->inh) * N;
            const float w = pj->w;
            e = b;
            if (!whole) {
                a = lower_bound(post, a, b, lo);
                b = lower_bound(post, a, b, hi);
            }
            /* a segment's targets are distinct: four loads before their stores */
            for (; a + 4 <= b; a += 4) {
                uint32_t p0 = post[a], p1 = post[a + 1], p2 = post[a + 2], p3 = post[a + 3];
                float x0 = dst[p0] + w, x1 = dst[p1] + w, x2 = dst[p2] + w, x3 = dst[p3] + w;
                dst[p0] = x0;
                dst[p1] = x1;
                dst[p2] = x2;
                dst[p3] = x3;
            }
            for (; a < b; a++)
                dst[post[a]] += w;
        }
    }
}

/* The units' pieces of work: (population, chunk) in neuron order, the spike ids of unit k at spk + ub[2 k],
 * cnt[k] of them. */
typedef struct {
    size_t nunits, *ub, *up, *cnt;
} units_t;

static void update_units(am_snn *n, const units_t *u, uint64_t t, size_t k0, size_t k1)
{
    const size_t N = n->n;
    float *arr_e = n->ring + (size_t)(t % n->slots) * 2 * N, *arr_i = arr_e + N;
    for (size_t k = k0; k < k1; k++)
        u->cnt[k] = update_range(n, &n->pop[u->up[k]], t, u->ub[2 * k], u->ub[2 * k + 1], arr_e, arr_i,
                                 n->spk + u->ub[2 * k], n->flag + u->ub[2 * k]);
}

/* The step's spikes listed in ascending order (n->list) and counted; their number. */
static size_t gather(am_snn *n, const units_t *u)
{
    size_t ns = 0;
    for (size_t k = 0; k < u->nunits; k++) {
        const uint32_t *ids = n->spk + u->ub[2 * k];
        for (size_t s = 0; s < u->cnt[k]; s++) {
            n->list[ns++] = ids[s];
            n->count[ids[s]]++;
        }
    }
    return ns;
}

/* The step's ns spikes and the recorded potentials shown to the monitor. */
static void show(const am_snn *n, uint64_t t, size_t ns, const am_snn_monitor *mon, float *rec)
{
    double tm = (double)t * n->dt;
    if (mon && mon->on_spikes && ns)
        mon->on_spikes(t, tm, n->list, ns, mon->ctx);
    if (rec && (t + 1) % mon->stride == 0) {
        for (size_t k = 0; k < mon->nrecord; k++)
            rec[k] = n->v[mon->record[k]];
        mon->on_state(t, tm, rec, mon->nrecord, mon->ctx);
    }
}

/* The work units of the populations, in neuron order; NULL members when out of memory. */
static int units_make(const am_snn *n, units_t *u)
{
    size_t nu = 0;
    for (size_t p = 0; p < n->npop; p++)
        nu += (n->pop[p].count + CHUNK - 1) / CHUNK;
    u->nunits = nu;
    u->ub = malloc((nu + 1) * 2 * sizeof *u->ub);
    u->up = malloc((nu + 1) * sizeof *u->up);
    u->cnt = calloc(nu + 1, sizeof *u->cnt);
    if (!u->ub || !u->up || !u->cnt)
        return AM_ENOMEM;
    size_t k = 0;
    for (size_t p = 0; p < n->npop; p++) {
        size_t end = n->pop[p].first + n->pop[p].count;
        for (size_t i = n->pop[p].first; i < end; i += CHUNK, k++) {
            u->ub[2 * k] = i;
            u->ub[2 * k + 1] = i + CHUNK < end ? i + CHUNK : end;
            u->up[k] = p;
        }
    }
    return AM_OK;
}

static void units_free(units_t *u)
{
    free(u->ub);
    free(u->up);
    free(u->cnt);
}

int am_snn_run(am_snn *n, uint64_t steps, const am_snn_monitor *mon, int threads)
{
    if (!n)
        return AM_EINVAL;
    int rc;
    if (steps > UINT64_MAX - n->t)
        return AM_EOVERFLOW; /* the step counter would wrap */
    if (!n->built && (rc = build(n)))
        return rc;
    if (mon && mon->nrecord) {
        if (!mon->record || !mon->on_state || mon->stride == 0)
            return AM_EINVAL;
        for (size_t k = 0; k < mon->nrecord; k++)
            if (mon->record[k] >= n->n)
                return AM_EINVAL;
    }
    const size_t N = n->n;
    units_t u = {0};
    float *rec = NULL;
    if ((mon && mon->nrecord && !(rec = malloc(mon->nrecord * sizeof *rec))) || units_make(n, &u)) {
        units_free(&u);
        free(rec);
        return AM_ENOMEM;
    }
    /* A step is a few microseconds of work for thousands of neurons, and a barrier between threads costs as
     * much (more on virtual machines): threads pay only from about MIN_PER_THREAD neurons each. */
    int nt = threads > 0 ? threads : omp_get_max_threads();
    if ((size_t)nt > N / MIN_PER_THREAD)
        nt = (int)(N / MIN_PER_THREAD);
    if ((size_t)nt > u.nunits)
        nt = (int)u.nunits;
    const uint64_t t0 = n->t, t_end = t0 + steps;
    /* Every step ends with the calling thread listing the spikes, then polling the cancel hook: a cancelled run
     * stops after a whole step, with n->t the steps done. */
    rc = AM_OK;
    if (nt <= 1) {
        for (uint64_t t = t0; t < t_end && !rc; t++) {
            update_units(n, &u, t, 0, u.nunits);
            size_t ns = gather(n, &u);
            deliver(n, t, n->list, ns, 0, (uint32_t)N);
            show(n, t, ns, mon, rec);
            n->t = t + 1;
            rc = am_cancel_poll();
        }
    } else {
        /* Each thread updates a run of units and serves the targets of the same neurons. ns and rc are written
         * by one thread between two barriers, and read by every thread after the second. */
        size_t ns = 0;
#pragma omp parallel num_threads(nt)
        {
            size_t m = (size_t)omp_get_num_threads(), id = (size_t)omp_get_thread_num();
            size_t k0 = u.nunits * id / m, k1 = u.nunits * (id + 1) / m;
            uint32_t lo = (uint32_t)(k0 < u.nunits ? u.ub[2 * k0] : N), hi = (uint32_t)(k1 < u.nunits ? u.ub[2 * k1] : N);
            for (uint64_t t = t0; t < t_end && !rc; t++) {
                update_units(n, &u, t, k0, k1);
#pragma omp barrier
#pragma omp single
                ns = gather(n, &u);
                deliver(n, t, n->list, ns, lo, hi);
#pragma omp master
                {
                    show(n, t, ns, mon, rec);
                    n->t = t + 1;
                    rc = am_cancel_poll();
                }
#pragma omp barrier
            }
        }
    }
    units_free(&u);
    free(rec);
    return rc;
}

double am_lif_rate(double tau, double t_ref, double v_r, double theta, double mu)
{
    if (!(mu > theta) || !(tau > 0))
        return 0.0;
    return 1000.0 / (t_ref + tau * log((mu - v_r) / (mu - theta)));
}
