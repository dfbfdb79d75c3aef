/* Spiking networks of LIF neurons (see am/spiking.h). */
#include "am/spiking.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "../core/cancel_internal.h"
#include "am/rng.h"
#include "../core/vexp.h"

#define CHUNK 4096 /* neurons per unit of parallel work: fixed, so nothing depends on the thread count */

typedef struct {
    size_t first, count;
    am_lif_params p;
    uint32_t ref_steps;
    uint64_t ext_key;
} pop_t;

typedef struct {
    uint32_t pre, post;
    float w;
    uint16_t delay;
    uint8_t inh;
} edge_t;

struct am_snn {
    double dt;
    am_integrator method;
    uint64_t seed;
    pop_t *pop;
    size_t npop, n;
    /* connections: edges until the first run, then rows */
    edge_t *edge;
    size_t nedge, capedge, nproj;
    size_t *row;     /* n + 1 */
    uint32_t *post;
    float *w;
    uint16_t *delay;
    uint8_t *inh;
    int built;
    unsigned maxdelay, slots;
    /* state */
    float *v, *ge, *gi, *ring; /* ring: slots x 2 x n (excitatory, inhibitory) */
    uint32_t *ref;
    uint64_t *count, t;
    uint32_t *spk;   /* n: spike ids of the step, per chunk then merged */
    uint8_t *flag;   /* n: spike flags of the step */
    size_t *nspk;    /* per chunk */
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
    free(n->row);
    free(n->post);
    free(n->w);
    free(n->delay);
    free(n->inh);
    free(n->v);
    free(n->ge);
    free(n->gi);
    free(n->ring);
    free(n->ref);
    free(n->count);
    free(n->spk);
    free(n->nspk);
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

static int edge_push(am_snn *n, uint32_t pre, uint32_t post, float w, uint16_t d, uint8_t inh)
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
    n->edge[n->nedge++] = (edge_t){pre, post, w, d, inh};
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
                    if ((rc = edge_push(n, (uint32_t)(pre + i), (uint32_t)tgt, (float)c->weight, d, (uint8_t)!!c->inhibitory)))
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
                rc = edge_push(n, (uint32_t)(pre + src), (uint32_t)self, (float)c->weight, d, (uint8_t)!!c->inhibitory);
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
    return n->built ? n->row[n->n] : n->nedge;
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

/* Rows by presynaptic neuron (a stable counting sort of the edges), the state, the initial potentials. */
static int build(am_snn *n)
{
    size_t N = n->n, E = n->nedge;
    if (N == 0)
        return AM_EEMPTY;
    n->slots = n->maxdelay + 2;
    size_t ringn;
    if (am_size_mul3(n->slots, 2, N, &ringn))
        return AM_EOVERFLOW;
    n->row = calloc(N + 1, sizeof *n->row);
    n->post = malloc((E ? E : 1) * sizeof *n->post);
    n->w = malloc((E ? E : 1) * sizeof *n->w);
    n->delay = malloc((E ? E : 1) * sizeof *n->delay);
    n->inh = malloc(E ? E : 1);
    n->v = malloc(N * sizeof *n->v);
    n->ge = calloc(N, sizeof *n->ge);
    n->gi = calloc(N, sizeof *n->gi);
    n->ring = calloc(ringn, sizeof *n->ring);
    n->ref = calloc(N, sizeof *n->ref);
    n->count = calloc(N, sizeof *n->count);
    n->spk = malloc(N * sizeof *n->spk);
    n->nspk = calloc((N + CHUNK - 1) / CHUNK, sizeof *n->nspk);
    n->flag = calloc(N, 1);
    if (!n->row || !n->post || !n->w || !n->delay || !n->inh || !n->v || !n->ge || !n->gi || !n->ring || !n->ref ||
        !n->count || !n->spk || !n->nspk || !n->flag)
        return AM_ENOMEM;
    for (size_t e = 0; e < E; e++)
        n->row[n->edge[e].pre + 1]++;
    for (size_t i = 0; i < N; i++)
        n->row[i + 1] += n->row[i];
    size_t *at = malloc((N ? N : 1) * sizeof *at);
    if (!at)
        return AM_ENOMEM;
    memcpy(at, n->row, N * sizeof *at);
    for (size_t e = 0; e < E; e++) {
        size_t k = at[n->edge[e].pre]++;
        n->post[k] = n->edge[e].post;
        n->w[k] = n->edge[e].w;
        n->delay[k] = n->edge[e].delay;
        n->inh[k] = n->edge[e].inh;
    }
    free(at);
    free(n->edge);
    n->edge = NULL;
    n->capedge = 0;
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

#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
/* The selects below vectorise only when comparisons may be assumed not to trap (they never do here: no
 * floating-point exceptions are enabled); results are unchanged. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
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
    size_t ns = 0;
    size_t i = i0;
    for (; i + 8 <= i1; i += 8) {
        uint64_t w;
        memcpy(&w, f + i, 8);
        if (!w)
            continue;
        for (size_t j = 0; j < 8; j++)
            if (f[i + j])
                spk[ns++] = (uint32_t)(i + j);
    }
    for (; i < i1; i++)
        if (f[i])
            spk[ns++] = (uint32_t)i;
    return ns;
}

/* After the neurons of step t: the step's spikes in ascending order, sent along their rows into the slots of
 * step t + 1 + delay, counted and shown to the monitor. */
static void after_update(am_snn *n, uint64_t t, size_t nunits, const size_t *ub, const size_t *cnt,
                         const am_snn_monitor *mon, float *rec)
{
    size_t N = n->n, S = n->slots, ns = 0;
    for (size_t k = 0; k < nunits; k++) {
        if (ns != ub[2 * k] && cnt[k])
            memmove(n->spk + ns, n->spk + ub[2 * k], cnt[k] * sizeof *n->spk);
        ns += cnt[k];
    }
    size_t base = (size_t)((t + 1) % S);
    for (size_t s = 0; s < ns; s++) {
        uint32_t i = n->spk[s];
        n->count[i]++;
        for (size_t e = n->row[i]; e < n->row[i + 1]; e++) {
            size_t slot = base + n->delay[e];
            slot -= slot >= S ? S : 0;
            n->ring[(slot * 2 + n->inh[e]) * N + n->post[e]] += n->w[e];
        }
    }
    double tm = (double)t * n->dt;
    if (mon && mon->on_spikes && ns)
        mon->on_spikes(t, tm, n->spk, ns, mon->ctx);
    if (rec && (t + 1) % mon->stride == 0) {
        for (size_t k = 0; k < mon->nrecord; k++)
            rec[k] = n->v[mon->record[k]];
        mon->on_state(t, tm, rec, mon->nrecord, mon->ctx);
    }
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
    size_t N = n->n, nchunks = (N + CHUNK - 1) / CHUNK;
    /* A step is a few microseconds of work for thousands of neurons, and a barrier between threads costs as
     * much (more on virtual machines): threads pay only from about 64k neurons each. */
    int nt = threads > 0 ? threads : omp_get_max_threads();
    if ((size_t)nt > N / 65536)
        nt = (int)(N / 65536);
    if ((size_t)nt > nchunks)
        nt = (int)nchunks;
    float *rec = NULL;
    if (mon && mon->nrecord && !(rec = malloc(mon->nrecord * sizeof *rec)))
        return AM_ENOMEM;
    /* work units: (population, chunk) pieces, in neuron order */
    size_t nunits = 0;
    for (size_t p = 0; p < n->npop; p++)
        nunits += (n->pop[p].count + CHUNK - 1) / CHUNK;
    size_t *ub = malloc((nunits + 1) * 2 * sizeof *ub), *up = malloc((nunits + 1) * sizeof *up), *cnt = NULL;
    if (!ub || !up || !(cnt = calloc(nunits + 1, sizeof *cnt))) {
        free(ub);
        free(up);
        free(rec);
        return AM_ENOMEM;
    }
    size_t u = 0;
    for (size_t p = 0; p < n->npop; p++)
        for (size_t i = n->pop[p].first; i < n->pop[p].first + n->pop[p].count; i += CHUNK, u++) {
            ub[2 * u] = i;
            ub[2 * u + 1] = i + CHUNK < n->pop[p].first + n->pop[p].count ? i + CHUNK : n->pop[p].first + n->pop[p].count;
            up[u] = p;
        }
    const size_t S = n->slots;
    const uint64_t t0 = n->t, t_end = t0 + steps;
    /* Every step ends with the calling thread delivering the spikes, then polling the cancel hook: a cancelled
     * run stops after a whole step, with n->t the steps done. */
    rc = AM_OK;
    if (nt <= 1) {
        for (uint64_t t = t0; t < t_end && !rc; t++) {
            float *arr_e = n->ring + (size_t)(t % S) * 2 * N, *arr_i = arr_e + N;
            for (size_t k = 0; k < nunits; k++)
                cnt[k] = update_range(n, &n->pop[up[k]], t, ub[2 * k], ub[2 * k + 1], arr_e, arr_i, n->spk + ub[2 * k],
                                      n->flag + ub[2 * k]);
            after_update(n, t, nunits, ub, cnt, mon, rec);
            n->t = t + 1;
            rc = am_cancel_poll();
        }
    } else {
        /* rc is written by the master between the loop's barrier and its own, and read by every thread after */
#pragma omp parallel num_threads(nt)
        for (uint64_t t = t0; t < t_end && !rc; t++) {
            float *arr_e = n->ring + (size_t)(t % S) * 2 * N, *arr_i = arr_e + N;
#pragma omp for schedule(static)
            for (size_t k = 0; k < nunits; k++)
                cnt[k] = update_range(n, &n->pop[up[k]], t, ub[2 * k], ub[2 * k + 1], arr_e, arr_i, n->spk + ub[2 * k],
                                      n->flag + ub[2 * k]);
#pragma omp master
            {
                after_update(n, t, nunits, ub, cnt, mon, rec);
                n->t = t + 1;
                rc = am_cancel_poll();
            }
#pragma omp barrier
        }
    }
    free(ub);
    free(up);
    free(cnt);
    free(rec);
    (void)nchunks;
    return rc;
}

double am_lif_rate(double tau, double t_ref, double v_r, double theta, double mu)
{
    if (!(mu > theta) || !(tau > 0))
        return 0.0;
    return 1000.0 / (t_ref + tau * log((mu - v_r) / (mu - theta)));
}
