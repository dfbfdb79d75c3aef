/* The XOR motif (and its induced variant) and feed-forward lateral inhibition in a signed directed graph.
 *
 * Everything is organised around the inhibitory hub h and an unordered pair c < d of its inhibitory
 * targets. With A_c = {a : a->c and a->h excitatory}, the instance's other nodes range over
 *   A = A_c \ {d},  B = A_d \ {c},  O = {o != h : c->o and d->o excitatory},
 * and (h, c, d, a, b, o) is an instance exactly when a, b, o are pairwise distinct (the other distinctions
 * hold by construction: no self-loops). Counting the pairwise-distinct triples by inclusion-exclusion,
 *   |A||B||O| - |A∩B||O| - |A∩O||B| - |B∩O||A| + 2|A∩B∩O|,
 * needs only set sizes. For a fixed c the sizes for every d come from one walk over the two-paths
 * c -> o <- d (and a -> d for A∩B), so no pair's sets are ever listed: the counter's cost is the number of
 * such two-paths, not the number of instances. Lateral inhibition (no o) has a closed form per hub. */
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "../core/cancel_internal.h"
#include "internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

const char *am_motif_name(am_motif m)
{
    switch (m) {
    case AM_MOTIF_XOR:
        return "xor";
    case AM_MOTIF_XOR_INDUCED:
        return "xor-induced";
    case AM_MOTIF_LATERAL:
        return "lateral";
    case AM_MOTIF_SIGNED_XOR:
        return "signed-xor";
    }
    return NULL;
}

int am_motif_size(am_motif m)
{
    return m == AM_MOTIF_LATERAL ? 5 : m == AM_MOTIF_XOR || m == AM_MOTIF_XOR_INDUCED ? 6 : m == AM_MOTIF_SIGNED_XOR ? 8 : 0;
}

#define OUT(g, c, u) ((g)->oadj[c] + (g)->optr[c][u])
#define NOUT(g, c, u) ((g)->optr[c][(u) + 1] - (g)->optr[c][u])
#define IN(g, c, u) ((g)->iadj[c] + (g)->iptr[c][u])
#define NIN(g, c, u) ((g)->iptr[c][(u) + 1] - (g)->iptr[c][u])

/* One thread's scratch: generation-stamped marks over the nodes (no clearing between hubs) and per-target
 * tallies. */
typedef struct {
    const am_graph *g;
    uint32_t gen;
    uint32_t *in_h;  /* == gen_h: node -> h excitatory */
    uint32_t *in_i;  /* == gen_h: node is an inhibitory target of h, at position pos[] */
    uint32_t *pos;
    uint32_t *in_a;  /* == gen_c: node is in A_c */
    uint32_t *touch; /* == gen_c: pair (c, d) has a tally */
    uint32_t *asz;   /* |A_c| by position in I(h) */
    uint32_t *list;  /* the touched positions */
    uint32_t *aoff;  /* A lists of every target by position: abuf[aoff[j] .. aoff[j+1]) */
    uint32_t *abuf;
    uint64_t (*t)[5]; /* per position: |O|, |A∩O|, |B∩O|, |A∩B∩O|, |A∩B| */
    uint32_t *klist, *kcnt; /* lateral: counts k_a */
} ws;

static uint32_t next_gen(ws *w)
{
    if (w->gen == UINT32_MAX) {
        size_t n = w->g->n;
        memset(w->in_h, 0, n * sizeof(uint32_t));
        memset(w->in_i, 0, n * sizeof(uint32_t));
        memset(w->in_a, 0, n * sizeof(uint32_t));
        memset(w->touch, 0, n * sizeof(uint32_t));
        w->gen = 0;
    }
    return ++w->gen;
}

static void ws_free(ws *w)
{
    free(w->in_h);
    free(w->in_i);
    free(w->pos);
    free(w->in_a);
    free(w->touch);
    free(w->asz);
    free(w->list);
    free(w->aoff);
    free(w->abuf);
    free(w->t);
    free(w->kcnt);
}

static int ws_init(ws *w, const am_graph *g)
{
    memset(w, 0, sizeof *w);
    w->g = g;
    size_t n = g->n ? g->n : 1, maxi = 1, ein = g->m[0] ? g->m[0] : 1;
    for (size_t u = 0; u < g->n; u++)
        if (NOUT(g, 1, u) > maxi)
            maxi = NOUT(g, 1, u);
    w->in_h = calloc(n, sizeof(uint32_t));
    w->in_i = calloc(n, sizeof(uint32_t));
    w->pos = calloc(n, sizeof(uint32_t));
    w->in_a = calloc(n, sizeof(uint32_t));
    w->touch = calloc(n, sizeof(uint32_t));
    w->kcnt = calloc(n, sizeof(uint32_t));
    w->asz = calloc(maxi, sizeof(uint32_t));
    w->list = calloc(maxi, sizeof(uint32_t));
    w->aoff = calloc(maxi + 1, sizeof(uint32_t));
    w->abuf = calloc(ein, sizeof(uint32_t));
    w->t = calloc(maxi, sizeof *w->t);
    if (!w->in_h || !w->in_i || !w->pos || !w->in_a || !w->touch || !w->kcnt || !w->asz || !w->list || !w->aoff ||
        !w->abuf || !w->t) {
        ws_free(w);
        return AM_ENOMEM;
    }
    return AM_OK;
}

/* Mark in_E(h) and I(h), and list A_c for every c in I(h). Returns the generation of h. */
static uint32_t setup_hub(ws *w, uint32_t h)
{
    const am_graph *g = w->g;
    uint32_t gh = next_gen(w);
    const uint32_t *ih = IN(g, 0, h), *I = OUT(g, 1, h);
    size_t nih = NIN(g, 0, h), ni = NOUT(g, 1, h), off = 0;
    for (size_t k = 0; k < nih; k++)
        w->in_h[ih[k]] = gh;
    for (size_t j = 0; j < ni; j++) {
        w->in_i[I[j]] = gh;
        w->pos[I[j]] = (uint32_t)j;
        w->aoff[j] = (uint32_t)off;
        const uint32_t *ic = IN(g, 0, I[j]);
        for (size_t k = 0, nic = NIN(g, 0, I[j]); k < nic; k++)
            if (w->in_h[ic[k]] == gh)
                w->abuf[off++] = ic[k];
        w->asz[j] = (uint32_t)(off - w->aoff[j]);
    }
    w->aoff[ni] = (uint32_t)off;
    return gh;
}

/* XOR instances with hub h, in closed form. */
static __int128 xor_hub(ws *w, uint32_t h)
{
    const am_graph *g = w->g;
    size_t ni = NOUT(g, 1, h);
    if (ni < 2)
        return 0;
    uint32_t gh = setup_hub(w, h);
    const uint32_t *I = OUT(g, 1, h);
    __int128 total = 0;
    for (size_t jc = 0; jc + 1 < ni; jc++) {
        uint32_t c = I[jc];
        const uint32_t *Ac = w->abuf + w->aoff[jc];
        size_t nac = w->asz[jc], nt = 0;
        uint32_t gc = next_gen(w);
        for (size_t k = 0; k < nac; k++)
            w->in_a[Ac[k]] = gc;
        /* two-paths c -> o <- d */
        const uint32_t *oc = OUT(g, 0, c);
        for (size_t k = 0, noc = NOUT(g, 0, c); k < noc; k++) {
            uint32_t o = oc[k];
            if (o == h)
                continue;
            int o_in_a = w->in_a[o] == gc, o_to_h = w->in_h[o] == gh;
            const uint32_t *io = IN(g, 0, o);
            for (size_t q = 0, nio = NIN(g, 0, o); q < nio; q++) {
                uint32_t d = io[q];
                if (w->in_i[d] != gh || w->pos[d] <= jc)
                    continue;
                uint32_t jd = w->pos[d];
                if (w->touch[d] != gc) {
                    w->touch[d] = gc;
                    memset(w->t[jd], 0, sizeof w->t[jd]);
                    w->list[nt++] = jd;
                }
                uint64_t *t = w->t[jd];
                t[0]++;
                t[1] += o_in_a;
                if (o_to_h && am__sorted_has(OUT(g, 0, o), NOUT(g, 0, o), d)) { /* o in A_d */
                    t[2]++;
                    t[3] += o_in_a;
                }
            }
        }
        if (!nt)
            continue;
        /* |A_c ∩ A_d| for the touched d: a -> d for a in A_c */
        for (size_t k = 0; k < nac; k++) {
            const uint32_t *oa = OUT(g, 0, Ac[k]);
            for (size_t q = 0, noa = NOUT(g, 0, Ac[k]); q < noa; q++) {
                uint32_t d = oa[q];
                if (w->in_i[d] == gh && w->touch[d] == gc)
                    w->t[w->pos[d]][4]++;
            }
        }
        int c_to_h = w->in_h[c] == gh;
        for (size_t k = 0; k < nt; k++) {
            uint32_t jd = w->list[k], d = I[jd];
            const uint64_t *t = w->t[jd];
            __int128 A = (__int128)nac - (w->in_a[d] == gc);
            __int128 B = (__int128)w->asz[jd] - (c_to_h && am__sorted_has(OUT(g, 0, c), NOUT(g, 0, c), d));
            __int128 O = t[0];
            total += A * B * O - (__int128)t[4] * O - (__int128)t[1] * B - (__int128)t[2] * A + 2 * (__int128)t[3];
        }
    }
    return total;
}

/* Lateral-inhibition instances with hub h:
 * 1/2 [ (S1^2 - S2) - 2 sum_{d in A_c} |A_d| + #{c, d mutually in each other's A} - sum_a k_a (k_a - 1) ]
 * over c != d in I(h), with S1 = sum |A_c|, S2 = sum |A_c|^2 and k_a = #{c in I(h) : a in A_c}. */
static __int128 lateral_hub(ws *w, uint32_t h)
{
    const am_graph *g = w->g;
    size_t ni = NOUT(g, 1, h);
    if (ni < 2)
        return 0;
    uint32_t gh = setup_hub(w, h);
    __int128 s1 = 0, s2 = 0, z = 0, zz = 0, kk = 0;
    for (size_t j = 0; j < ni; j++) {
        s1 += w->asz[j];
        s2 += (__int128)w->asz[j] * w->asz[j];
        const uint32_t *A = w->abuf + w->aoff[j];
        for (size_t k = 0; k < w->asz[j]; k++) {
            uint32_t d = A[k];
            if (w->in_i[d] != gh)
                continue;
            /* d in A_c (c = I[j]): z(c, d) = 1 */
            uint32_t jd = w->pos[d];
            z += w->asz[jd];
            zz += am__sorted_has(w->abuf + w->aoff[jd], w->asz[jd], OUT(g, 1, h)[j]);
        }
    }
    const uint32_t *ih = IN(g, 0, h);
    for (size_t k = 0, nih = NIN(g, 0, h); k < nih; k++) {
        uint32_t a = ih[k];
        __int128 ka = 0;
        const uint32_t *oa = OUT(g, 0, a);
        for (size_t q = 0, noa = NOUT(g, 0, a); q < noa; q++)
            ka += w->in_i[oa[q]] == gh;
        kk += ka * (ka - 1);
    }
    return ((s1 * s1 - s2) - 2 * z + zz - kk) / 2;
}

/* ---- listing ---- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The edges expected among a, b, c, d, h, o (positions 0..5): +1 excitatory, -1 inhibitory, 0 none. */
static const int8_t expect[6][6] = {
    /* a */ {0, 0, 1, 0, 1, 0},
    /* b */ {0, 0, 0, 1, 1, 0},
    /* c */ {0, 0, 0, 0, 0, 1},
    /* d */ {0, 0, 0, 0, 0, 1},
    /* h */ {0, 0, -1, -1, 0, 0},
    /* o */ {0, 0, 0, 0, 0, 0},
};

/* Are the edges between node position p and the positions in `with` exactly the expected ones? */
static int induced_ok(const am_graph *g, const uint32_t *v, int p, const int *with, int nwith)
{
    for (int k = 0; k < nwith; k++) {
        int q = with[k];
        for (int dir = 0; dir < 2; dir++) {
            int x = dir ? q : p, y = dir ? p : q;
            int e = am__sorted_has(OUT(g, 0, v[x]), NOUT(g, 0, v[x]), v[y]);
            int i = am__sorted_has(OUT(g, 1, v[x]), NOUT(g, 1, v[x]), v[y]);
            int want = expect[x][y];
            if (e != (want > 0) || i != (want < 0))
                return 0;
        }
    }
    return 1;
}

typedef struct {
    int (*fn)(const uint32_t *nodes, void *ctx);
    void *ctx;
    uint64_t count;
    uint32_t *pbuf, *mbuf; /* SIGNED_XOR: the F+ and F- candidates of one instance (n each) */
} visit;

/* SIGNED_XOR: the F+/F- completions of the XOR instance v (a b c d h o), both orientations. Counts them
 * from set sizes (|PA||MA| + |PB||MB| - |PA∩PB||MA∩MB|) or, with a callback, lists them. */
static int signed_visit(const am_graph *g, const uint32_t *v0, visit *vis)
{
    int so = g->nsign[v0[5]];
    if (!so)
        return 0;
    const uint32_t *oo = OUT(g, am__cls(so), v0[5]);
    size_t noo = NOUT(g, am__cls(so), v0[5]);
    for (int orient = 0; orient < 2; orient++) {
        uint32_t v[8] = {v0[0], v0[1], v0[2], v0[3], v0[4], v0[5], 0, 0};
        if (orient) {
            v[0] = v0[1], v[1] = v0[0], v[2] = v0[3], v[3] = v0[2];
        }
        size_t np = 0, nm = 0;
        for (size_t k = 0; k < noo; k++) {
            uint32_t x = oo[k];
            if (x == v[0] || x == v[1] || x == v[2] || x == v[3] || x == v[4])
                continue;
            if (g->nsign[x] == AM_EXC)
                vis->pbuf[np++] = x;
            else if (g->nsign[x] == AM_INH)
                vis->mbuf[nm++] = x;
        }
        if (!np || !nm)
            continue;
#define E_(s, t) am__sorted_has(OUT(g, 0, s), NOUT(g, 0, s), t)
        if (!vis->fn) {
            uint64_t pa = 0, pb = 0, pab = 0, ma = 0, mb = 0, mab = 0;
            for (size_t k = 0; k < np; k++) {
                int a = E_(v[0], vis->pbuf[k]), b = E_(v[2], vis->pbuf[k]);
                pa += a, pb += b, pab += a && b;
            }
            for (size_t k = 0; k < nm; k++) {
                int a = E_(v[1], vis->mbuf[k]), b = E_(v[3], vis->mbuf[k]);
                ma += a, mb += b, mab += a && b;
            }
            vis->count += pa * ma + pb * mb - pab * mab;
            continue;
        }
        for (size_t i = 0; i < np; i++)
            for (size_t k = 0; k < nm; k++) {
                uint32_t p = vis->pbuf[i], m = vis->mbuf[k];
                if (!((E_(v[0], p) && E_(v[1], m)) || (E_(v[2], p) && E_(v[3], m))))
                    continue;
                v[6] = p;
                v[7] = m;
                vis->count++;
                int rc = vis->fn(v, vis->ctx);
                if (rc)
                    return rc;
            }
    }
#undef E_
    return 0;
}

static int each_hub(ws *w, uint32_t h, am_motif m, visit *vis, uint32_t *obuf)
{
    const am_graph *g = w->g;
    size_t ni = NOUT(g, 1, h);
    if (ni < 2)
        return 0;
    uint32_t gh = setup_hub(w, h);
    const uint32_t *I = OUT(g, 1, h);
    int induced = m == AM_MOTIF_XOR_INDUCED, lateral = m == AM_MOTIF_LATERAL, signed_xor = m == AM_MOTIF_SIGNED_XOR;
    uint32_t v[6];
    v[4] = h;
    for (size_t jc = 0; jc + 1 < ni; jc++) {
        /* the partners d worth looking at: every d > c for lateral inhibition; for the XOR only those with a
         * common excitatory target (found by walking the two-paths c -> o <- d, then sorted) */
        size_t nd = 0;
        if (!lateral) {
            uint32_t gc = next_gen(w);
            const uint32_t *oc = OUT(g, 0, I[jc]);
            for (size_t k = 0, noc = NOUT(g, 0, I[jc]); k < noc; k++) {
                if (oc[k] == h)
                    continue;
                const uint32_t *io = IN(g, 0, oc[k]);
                for (size_t q = 0, nio = NIN(g, 0, oc[k]); q < nio; q++) {
                    uint32_t d = io[q];
                    if (w->in_i[d] == gh && w->pos[d] > jc && w->touch[d] != gc) {
                        w->touch[d] = gc;
                        w->list[nd++] = w->pos[d];
                    }
                }
            }
            qsort(w->list, nd, sizeof *w->list, cmp_u32);
        } else
            nd = ni - jc - 1;
        for (size_t kd = 0; kd < nd; kd++) {
            size_t jd = lateral ? jc + 1 + kd : w->list[kd];
            uint32_t c = I[jc], d = I[jd];
            v[2] = c;
            v[3] = d;
            if (induced) {
                static const int cdh[] = {3, 4};
                if (!induced_ok(g, v, 2, cdh, 2) || !induced_ok(g, v, 3, cdh + 1, 1))
                    continue;
            }
            size_t no = 0;
            if (!lateral) {
                /* O = out_E(c) ∩ out_E(d) \ {h} */
                const uint32_t *x = OUT(g, 0, c), *y = OUT(g, 0, d);
                size_t nx = NOUT(g, 0, c), ny = NOUT(g, 0, d), i = 0, k = 0;
                while (i < nx && k < ny) {
                    if (x[i] < y[k])
                        i++;
                    else if (x[i] > y[k])
                        k++;
                    else {
                        if (x[i] != h)
                            obuf[no++] = x[i];
                        i++;
                        k++;
                    }
                }
                if (!no)
                    continue;
            }
            const uint32_t *A = w->abuf + w->aoff[jc], *B = w->abuf + w->aoff[jd];
            for (size_t ia = 0; ia < w->asz[jc]; ia++) {
                if ((v[0] = A[ia]) == d)
                    continue;
                if (induced) {
                    static const int w0[] = {2, 3, 4};
                    if (!induced_ok(g, v, 0, w0, 3))
                        continue;
                }
                for (size_t ib = 0; ib < w->asz[jd]; ib++) {
                    if ((v[1] = B[ib]) == c || v[1] == v[0])
                        continue;
                    if (induced) {
                        static const int w1[] = {0, 2, 3, 4};
                        if (!induced_ok(g, v, 1, w1, 4))
                            continue;
                    }
                    if (lateral) {
                        vis->count++;
                        if (vis->fn) {
                            int rc = vis->fn(v, vis->ctx);
                            if (rc)
                                return rc;
                        }
                        continue;
                    }
                    for (size_t io = 0; io < no; io++) {
                        if ((v[5] = obuf[io]) == v[0] || v[5] == v[1])
                            continue;
                        if (induced) {
                            static const int w5[] = {0, 1, 2, 3, 4};
                            if (!induced_ok(g, v, 5, w5, 5))
                                continue;
                        }
                        if (signed_xor) {
                            int rc = signed_visit(g, v, vis);
                            if (rc)
                                return rc;
                            continue;
                        }
                        vis->count++;
                        if (vis->fn) {
                            int rc = vis->fn(v, vis->ctx);
                            if (rc)
                                return rc;
                        }
                    }
                }
            }
        }
    }
    return 0;
}

int am_graph_each(const am_graph *g, am_motif m, int (*fn)(const uint32_t *nodes, void *ctx), void *ctx)
{
    if (!g || !fn || !am_motif_name(m))
        return AM_EINVAL;
    ws w;
    int rc = ws_init(&w, g);
    size_t nn = g->n ? g->n : 1;
    uint32_t *obuf = malloc(3 * nn * sizeof *obuf);
    if (rc || !obuf) {
        if (!rc)
            ws_free(&w);
        free(obuf);
        return AM_ENOMEM;
    }
    visit vis = {fn, ctx, 0, obuf + nn, obuf + 2 * nn};
    for (size_t h = 0; h < g->n && !rc; h++)
        if (!(rc = am_cancel_poll()))
            rc = each_hub(&w, (uint32_t)h, m, &vis, obuf);
    ws_free(&w);
    free(obuf);
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int am_graph_count(const am_graph *g, am_motif m, int threads, uint64_t *count)
{
    if (!g || !count || !am_motif_name(m) || threads < 0)
        return AM_EINVAL;
    *count = 0;
    int nt = threads;
#ifdef _OPENMP
    if (nt == 0)
        nt = omp_get_num_procs();
#else
    nt = 1;
#endif
    if (nt < 1)
        nt = 1;
    /* hubs with two or more inhibitory targets, most targets first, handed out one at a time */
    size_t nh = 0;
    uint64_t *hubs = malloc((g->n ? g->n : 1) * sizeof *hubs);
    if (!hubs)
        return AM_ENOMEM;
    for (size_t u = 0; u < g->n; u++)
        if (NOUT(g, 1, u) >= 2)
            hubs[nh++] = (uint64_t)(UINT32_MAX - NOUT(g, 1, u)) << 32 | u;
    qsort(hubs, nh, sizeof *hubs, cmp_u64);
    if ((size_t)nt > nh)
        nt = nh ? (int)nh : 1;
    unsigned __int128 total = 0;
    int rc = AM_OK, stop = 0;
    const am_cancel *hook = am_cancel_current();
#pragma omp parallel num_threads(nt)
    {
        ws w;
        uint32_t *obuf = NULL;
        int mine = ws_init(&w, g);
        size_t nn = g->n ? g->n : 1;
        int listing = m == AM_MOTIF_XOR_INDUCED || m == AM_MOTIF_SIGNED_XOR;
        if (!mine && listing && !(obuf = malloc(3 * nn * sizeof *obuf))) {
            ws_free(&w);
            mine = AM_ENOMEM;
        }
        unsigned __int128 part = 0;
        /* every thread meets the loop, even one whose scratch failed (it then does nothing) */
#pragma omp for schedule(dynamic, 1)
        for (size_t k = 0; k < nh; k++) {
            uint32_t h = (uint32_t)hubs[k];
            int stopped;
#pragma omp atomic read
            stopped = stop;
            if (mine || stopped)
                continue;
            if (am__cancel_check(hook)) {
#pragma omp atomic write
                stop = 1;
                continue;
            }
            if (m == AM_MOTIF_XOR)
                part += (unsigned __int128)xor_hub(&w, h);
            else if (m == AM_MOTIF_LATERAL)
                part += (unsigned __int128)lateral_hub(&w, h);
            else {
                visit vis = {NULL, NULL, 0, obuf + nn, obuf + 2 * nn};
                each_hub(&w, h, m, &vis, obuf);
                part += vis.count;
            }
        }
        if (!mine) {
            ws_free(&w);
            free(obuf);
        }
#pragma omp critical
        {
            total += part;
            if (mine && !rc)
                rc = mine;
        }
    }
    free(hubs);
    if (rc)
        return rc;
    if (stop)
        return AM_ECANCELED;
    if (total > UINT64_MAX)
        return AM_EOVERFLOW;
    *count = (uint64_t)total;
    return AM_OK;
}
