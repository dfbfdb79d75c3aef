/* Null models: Curveball trades within each sign (Strona et al. 2014; the directed global trades of
 * Carstens, Berger and Strona 2016), the choice between them and the edge swaps (am_graph_rewire), and the
 * null-model runs (rewired graphs and their motif counts).
 *
 * A trade between two rows u and v of one sign (their out-lists) keeps the targets both hold and deals the
 * targets only one holds out again at random, each row getting back as many as it gave. Row sums (out-
 * degrees) stay, and so do column sums (in-degrees): a target that moves leaves one row of its column and
 * enters another. A target v in u's row stays (it would become a self-loop in v's row), and so does one the
 * other row holds with the other sign (it would become an edge of both signs, which the swap model refuses
 * too). Each trade draws the dealt-out targets uniformly among the ways to deal them, so it is its own
 * inverse in probability: the uniform distribution over the graphs reachable is stationary, as for swaps.
 * A global round (Carstens et al.) pairs all rows of the sign holding edges at random and trades every
 * pair once, so each edge is considered once per round. Every other round pairs rows of similar degree
 * instead, and after each the long rows (hubs) trade with more partners: a trade renews at most the
 * partner's degree of a row's targets, so with uniform partners alone a hub's row renews slowly (README:
 * the mixing curves). Any pairing that depends only on the degrees, which never change, keeps every trade
 * symmetric, and the swaps are trades of one target each, so both reach the same graphs. A trade between a
 * long row and a much shorter one searches the short row's targets in the long one instead of merging. */
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "am/rng.h"
#include "../core/cancel_internal.h"
#include "internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

enum { SHARED, FIX_U, FIX_V, POOL_U, POOL_V }; /* an entry of the merged rows */

typedef struct {
    uint32_t x, tag;
    float wu, wv; /* the weights u and v hold it with (SHARED: both; FIX_*, POOL_*: one) */
} entry;

/* The rows being traded (copies of g's, in g's row segments, which never change size) and the scratch. */
typedef struct {
    const am_graph *g;
    uint32_t *adj[2];
    float *w[2];
    uint32_t *rows;   /* the rows of one sign holding edges, in a round's pairing order */
    uint32_t *sorted; /* the same by descending degree */
    entry *e;       /* merged entries of two rows: at most twice the largest row */
    float *give[2]; /* weights u and v give to the pool */
    uint8_t *pick;  /* per pool entry: dealt to the side dealt fewer */
    int dual[2];    /* some row of class c has edges of the other class too */
    /* the skewed trades' scratch, each of the largest row's length (ex one more) */
    uint32_t *ex, *out, *in, *ta, *sb;
    float *twa, *swb;
    uint8_t *stag;
} cb;

static void cb_free(cb *s)
{
    for (int c = 0; c < 2; c++) {
        free(s->adj[c]);
        free(s->w[c]);
        free(s->give[c]);
    }
    free(s->rows);
    free(s->sorted);
    free(s->ex);
    free(s->out);
    free(s->in);
    free(s->ta);
    free(s->sb);
    free(s->twa);
    free(s->swb);
    free(s->stag);
    free(s->e);
    free(s->pick);
}

static int cb_init(cb *s, const am_graph *g)
{
    memset(s, 0, sizeof *s);
    s->g = g;
    size_t maxd = 1;
    for (int c = 0; c < 2; c++)
        for (size_t u = 0; u < g->n; u++)
            if (g->optr[c][u + 1] - g->optr[c][u] > maxd)
                maxd = g->optr[c][u + 1] - g->optr[c][u];
    int bad = 0;
    for (int c = 0; c < 2; c++) {
        size_t m = g->m[c] ? g->m[c] : 1;
        s->adj[c] = malloc(m * sizeof(uint32_t));
        s->w[c] = malloc(m * sizeof(float));
        s->give[c] = malloc(maxd * sizeof(float));
        bad |= !s->adj[c] || !s->w[c] || !s->give[c];
        if (!bad) {
            memcpy(s->adj[c], g->oadj[c], g->m[c] * sizeof(uint32_t));
            memcpy(s->w[c], g->ow[c], g->m[c] * sizeof(float));
        }
    }
    for (size_t u = 0; u < g->n; u++)
        for (int c = 0; c < 2; c++)
            if (g->optr[c][u + 1] > g->optr[c][u] && g->optr[!c][u + 1] > g->optr[!c][u])
                s->dual[c] = 1;
    s->rows = malloc((g->n ? g->n : 1) * sizeof(uint32_t));
    s->sorted = malloc((g->n ? g->n : 1) * sizeof(uint32_t));
    s->e = malloc(2 * maxd * sizeof(entry));
    s->pick = malloc(2 * maxd);
    s->ex = malloc((maxd + 1) * sizeof(uint32_t));
    s->out = malloc(maxd * sizeof(uint32_t));
    s->in = malloc(maxd * sizeof(uint32_t));
    s->ta = malloc(maxd * sizeof(uint32_t));
    s->sb = malloc(maxd * sizeof(uint32_t));
    s->twa = malloc(maxd * sizeof(float));
    s->swb = malloc(maxd * sizeof(float));
    s->stag = malloc(maxd);
    if (bad || !s->rows || !s->sorted || !s->ex || !s->out || !s->in || !s->ta || !s->sb || !s->twa || !s->swb ||
        !s->stag || !s->e || !s->pick) {
        cb_free(s);
        return AM_ENOMEM;
    }
    return AM_OK;
}

/* Does row u hold target x with sign class c? */
static int holds(const cb *s, int c, uint32_t u, uint32_t x)
{
    const size_t *p = s->g->optr[c];
    return p[u + 1] > p[u] && am__sorted_has(s->adj[c] + p[u], p[u + 1] - p[u], x);
}

/* An entry only row `own` holds: fixed there when moving it to row `to` would make a self-loop or an edge
 * of both signs, else the pool's. */
static uint32_t one_side(const cb *s, int c, uint32_t x, uint32_t to, int fixed, int pool)
{
    return x == to || (s->dual[c] && holds(s, !c, to, x)) ? (uint32_t)fixed : (uint32_t)pool;
}

/* Merge rows u and v of class c into s->e (ascending targets), tagging each entry and counting the pool
 * entries each side gives (their weights into s->give). Returns the number of entries. */
static size_t merge_rows(cb *s, int c, uint32_t u, uint32_t v, size_t k[2])
{
    const size_t *p = s->g->optr[c];
    const uint32_t *a = s->adj[c] + p[u], *b = s->adj[c] + p[v];
    const float *wa = s->w[c] + p[u], *wb = s->w[c] + p[v];
    size_t na = p[u + 1] - p[u], nb = p[v + 1] - p[v], i = 0, j = 0, n = 0;
    entry *e = s->e;
    k[0] = k[1] = 0;
    while (i < na || j < nb) {
        if (i < na && j < nb && a[i] == b[j]) {
            e[n++] = (entry){a[i], SHARED, wa[i], wb[j]};
            i++, j++;
        } else if (j == nb || (i < na && a[i] < b[j])) {
            uint32_t t = one_side(s, c, a[i], v, FIX_U, POOL_U);
            e[n++] = (entry){a[i], t, wa[i], 0};
            if (t == POOL_U)
                s->give[0][k[0]++] = wa[i];
            i++;
        } else {
            uint32_t t = one_side(s, c, b[j], u, FIX_V, POOL_V);
            e[n++] = (entry){b[j], t, 0, wb[j]};
            if (t == POOL_V)
                s->give[1][k[1]++] = wb[j];
            j++;
        }
    }
    return n;
}

/* Mark `want` of the pool's np entries uniformly at random (Floyd's sampling: want draws). */
static void deal(uint8_t *pick, size_t np, size_t want, am_rng *r)
{
    memset(pick, 0, np);
    for (size_t j = np - want; j < np; j++) {
        size_t t = (size_t)am_rng_below(r, j + 1);
        pick[pick[t] ? j : t] = 1;
    }
}

/* Trade rows u and v of class c by merging them. Returns the number of pool entries that changed rows. */
static size_t trade_merge(cb *s, int c, uint32_t u, uint32_t v, am_rng *r)
{
    size_t k[2];
    size_t n = merge_rows(s, c, u, v, k);
    if (!k[0] || !k[1])
        return 0; /* the pool is one row's: it goes back there */
    /* the side giving fewer gets its count of pool entries by marks; the other the rest */
    int few = k[1] < k[0];
    deal(s->pick, k[0] + k[1], k[few], r);
    const size_t *p = s->g->optr[c];
    uint32_t *a = s->adj[c] + p[u], *b = s->adj[c] + p[v];
    float *wa = s->w[c] + p[u], *wb = s->w[c] + p[v];
    size_t ia = 0, ib = 0, q = 0, gu = 0, gv = 0, moved = 0;
    for (size_t i = 0; i < n; i++) {
        const entry *e = &s->e[i];
        int to_u;
        if (e->tag == SHARED) {
            a[ia] = b[ib] = e->x;
            wa[ia++] = e->wu;
            wb[ib++] = e->wv;
            continue;
        }
        if (e->tag == FIX_U || e->tag == FIX_V)
            to_u = e->tag == FIX_U;
        else {
            to_u = s->pick[q++] ^ few; /* marked: to the side dealt fewer (u when few == 0) */
            moved += to_u != (e->tag == POOL_U);
        }
        if (to_u) {
            a[ia] = e->x;
            wa[ia++] = e->tag == FIX_U ? e->wu : s->give[0][gu++];
        } else {
            b[ib] = e->x;
            wb[ib++] = e->tag == FIX_V ? e->wv : s->give[1][gv++];
        }
    }
    return moved;
}

/* The first position of a[lo .. n) holding a value >= x. */
static size_t lower_bound(const uint32_t *a, size_t lo, size_t n, uint32_t x)
{
    while (lo < n) {
        size_t mid = lo + (n - lo) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            n = mid;
    }
    return lo;
}

/* The row positions of the long row's pool entries q (ascending pool indices, nq of them) given the
 * excluded positions ex (ascending, nex): the q-th position not excluded. */
static void pool_positions(uint32_t *q, size_t nq, const uint32_t *ex, size_t nex)
{
    size_t e = 0;
    for (size_t i = 0; i < nq; i++) {
        size_t pos = q[i] + e;
        while (e < nex && ex[e] <= pos)
            pos = q[i] + ++e;
        q[i] = (uint32_t)pos;
    }
}

/* Row a (na entries, weights wa) rewritten without the entries at positions out[0 .. k) (ascending) and with
 * the k entries in[] (ascending, none in the row) added, taking the weights win[] in order: through the
 * scratch ta, twa. */
static void splice(cb *s, uint32_t *a, float *wa, size_t na, const uint32_t *out, const uint32_t *in,
                   const float *win, size_t k)
{
    size_t o = 0, i = 0, n = 0;
    for (size_t j = 0; j < na; j++) {
        if (o < k && out[o] == j) {
            o++;
            continue;
        }
        while (i < k && in[i] < a[j]) {
            s->ta[n] = in[i];
            s->twa[n++] = win[i++];
        }
        s->ta[n] = a[j];
        s->twa[n++] = wa[j];
    }
    while (i < k) {
        s->ta[n] = in[i];
        s->twa[n++] = win[i++];
    }
    memcpy(a, s->ta, na * sizeof *a);
    memcpy(wa, s->twa, na * sizeof *wa);
}

/* The trade of a long row L and a short row S (at least SKEW times shorter) of a class without rows of both
 * signs: the same deal as trade_merge (S gets a uniformly drawn set of as many pool entries as it gave), in
 * about |S| log |L| steps and one copy of L's row instead of a merge entry by entry. */
#define SKEW 8
static size_t trade_skewed(cb *s, int c, uint32_t L, uint32_t S, am_rng *r)
{
    const size_t *p = s->g->optr[c];
    uint32_t *a = s->adj[c] + p[L], *b = s->adj[c] + p[S];
    float *wa = s->w[c] + p[L], *wb = s->w[c] + p[S];
    size_t na = p[L + 1] - p[L], nb = p[S + 1] - p[S], lo = 0, nex = 0, ks = 0;
    for (size_t j = 0; j < nb; j++) { /* S's entries: shared with L, L itself (fixed), or the pool's */
        lo = lower_bound(a, lo, na, b[j]);
        if (lo < na && a[lo] == b[j]) {
            s->stag[j] = SHARED;
            s->ex[nex++] = (uint32_t)lo;
        } else
            s->stag[j] = b[j] == L ? FIX_V : POOL_V;
        ks += s->stag[j] == POOL_V;
    }
    size_t fl = lower_bound(a, 0, na, S); /* S in L's row stays (it would be a self-loop in S's) */
    if (fl < na && a[fl] == S) {
        size_t e = lower_bound(s->ex, 0, nex, (uint32_t)fl);
        memmove(s->ex + e + 1, s->ex + e, (nex - e) * sizeof *s->ex);
        s->ex[e] = (uint32_t)fl;
        nex++;
    }
    size_t kl = na - nex;
    if (!ks || !kl)
        return 0;
    if (ks > kl)
        return trade_merge(s, c, L, S, r);
    /* S's share: ks marks among the ks + kl pool entries, S's own first, then L's in row order */
    size_t np = ks + kl, nq = 0, q = 0, nin = 0, nkeep = 0;
    deal(s->pick, np, ks, r);
    for (size_t i = ks; i < np; i++)
        if (s->pick[i])
            s->out[nq++] = (uint32_t)(i - ks);
    pool_positions(s->out, nq, s->ex, nex); /* L's leaving entries, as row positions (ascending) */
    for (size_t i = 0; i < nq; i++)
        s->give[0][i] = wa[s->out[i]]; /* L's leaving weights: for the entries L gets */
    for (size_t j = 0; j < nb; j++) {
        if (s->stag[j] == POOL_V && !s->pick[q++]) {
            s->in[nin] = b[j]; /* S's leaving entries (ascending) and weights: for the entries S gets */
            s->give[1][nin++] = wb[j];
        } else {
            s->sb[nkeep] = b[j];
            s->swb[nkeep++] = wb[j];
        }
    }
    /* S's new row: its kept entries merged with L's leaving ones */
    size_t ig = 0, n = 0;
    for (size_t j = 0; j < nkeep; j++) {
        for (; ig < nq && a[s->out[ig]] < s->sb[j]; ig++, n++) {
            b[n] = a[s->out[ig]];
            wb[n] = s->give[1][ig];
        }
        b[n] = s->sb[j];
        wb[n++] = s->swb[j];
    }
    for (; ig < nq; ig++, n++) {
        b[n] = a[s->out[ig]];
        wb[n] = s->give[1][ig];
    }
    splice(s, a, wa, na, s->out, s->in, s->give[0], nq);
    return 2 * nq;
}

/* Trade rows u and v of class c. Returns the number of pool entries that changed rows. */
static size_t trade(cb *s, int c, uint32_t u, uint32_t v, am_rng *r)
{
    size_t du = s->g->optr[c][u + 1] - s->g->optr[c][u], dv = s->g->optr[c][v + 1] - s->g->optr[c][v];
    if (!s->dual[c] && du >= SKEW * dv)
        return trade_skewed(s, c, u, v, r);
    if (!s->dual[c] && dv >= SKEW * du)
        return trade_skewed(s, c, v, u, r);
    return trade_merge(s, c, u, v, r);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The rows of class c holding edges into s->sorted by descending degree (ties by id). Returns their number,
 * or 0 with *rc set when out of memory. */
static size_t sort_rows(cb *s, int c, int *rc)
{
    const size_t *p = s->g->optr[c];
    uint64_t *key = malloc((s->g->n ? s->g->n : 1) * sizeof *key);
    size_t nr = 0;
    *rc = key ? AM_OK : AM_ENOMEM;
    for (size_t u = 0; key && u < s->g->n; u++)
        if (p[u + 1] > p[u]) /* degree < 2^32: n is */
            key[nr++] = (uint64_t)(UINT32_MAX - (p[u + 1] - p[u])) << 32 | u;
    if (key)
        qsort(key, nr, sizeof *key, cmp_u64);
    for (size_t i = 0; key && i < nr; i++)
        s->sorted[i] = (uint32_t)key[i];
    free(key);
    return nr;
}

/* A degree round's pairing: rows in descending degree, cut into windows of CB_WINDOW from a random offset,
 * each window shuffled; consecutive rows are then partners, so rows of similar degree trade. */
#define CB_WINDOW 32
static void degree_pairs(uint32_t *rows, const uint32_t *sorted, size_t nr, am_rng *r)
{
    memcpy(rows, sorted, nr * sizeof *rows);
    size_t off = (size_t)am_rng_below(r, CB_WINDOW);
    am_rng_shuffle_u32(r, rows, off < nr ? off : nr);
    for (size_t i = off; i < nr; i += CB_WINDOW)
        am_rng_shuffle_u32(r, rows + i, nr - i < CB_WINDOW ? nr - i : CB_WINDOW);
}

/* Hub trades: a row of degree d >= 2 HUB_SPAN x the mean degree m/rows also trades with d / (HUB_SPAN x the
 * mean) partners drawn uniformly each round. A trade gives a row at most its partner's degree of new
 * targets, so without them a hub's row would take about d / mean rounds to renew; with them a few. The
 * partners depend on the degrees only, which never change, so every trade still keeps the uniform
 * distribution. */
#define HUB_SPAN 2
static void hub_trades(cb *s, int c, size_t nr, am_rng *r, size_t *moved)
{
    const size_t *p = s->g->optr[c];
    double lim = HUB_SPAN * (double)s->g->m[c] / (double)nr;
    for (size_t i = 0; i < nr; i++) {
        uint32_t u = s->sorted[i];
        size_t d = p[u + 1] - p[u];
        if ((double)d < 2 * lim)
            break;
        for (size_t k = (size_t)((double)d / lim); k > 0; k--) {
            uint32_t v = s->sorted[am_rng_below(r, nr)];
            if (v != u)
                *moved += trade(s, c, u, v, r);
        }
    }
}

/* rounds global rounds of class c on stream (seed, c): even rounds pair the rows uniformly at random (the
 * global trades of Carstens et al.), odd ones rows of similar degree; then the hub trades. */
static int cb_class(cb *s, int c, unsigned rounds, uint64_t seed, size_t *moved)
{
    int rc;
    size_t nr = sort_rows(s, c, &rc);
    if (rc)
        return rc;
    memcpy(s->rows, s->sorted, nr * sizeof *s->rows);
    am_rng r;
    am_rng_init(&r, seed, (uint64_t)c);
    for (unsigned t = 0; t < rounds && nr >= 2; t++) {
        if (t & 1)
            degree_pairs(s->rows, s->sorted, nr, &r);
        else
            am_rng_shuffle_u32(&r, s->rows, nr);
        for (size_t i = 0; i + 1 < nr; i += 2) {
            if ((i & 0xfffe) == 0 && (rc = am_cancel_poll()))
                return rc; /* every 32768 trades */
            *moved += trade(s, c, s->rows[i], s->rows[i + 1], &r);
        }
        hub_trades(s, c, nr, &r, moved);
    }
    return AM_OK;
}

int am_graph_curveball(const am_graph *g, unsigned rounds, uint64_t seed, am_graph **out, size_t *traded)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!g || rounds > AM_CURVEBALL_MAX_ROUNDS)
        return AM_EINVAL;
    cb s;
    int rc = cb_init(&s, g);
    size_t moved = 0;
    for (int c = 0; c < 2 && !rc; c++)
        rc = cb_class(&s, c, rounds, seed, &moved);
    if (!rc) {
        rc = am__graph_with_rows(g, s.adj, s.w, out);
        s.adj[0] = s.adj[1] = NULL; /* the graph's now, or freed */
        s.w[0] = s.w[1] = NULL;
    }
    cb_free(&s);
    if (!rc && traded)
        *traded = moved;
    return rc;
}

/* ---- the choice of sampler, and null-model runs ---- */

const char *am_null_sampler_name(am_null_sampler s)
{
    return s == AM_NULL_CURVEBALL ? "curveball" : s == AM_NULL_SWAP ? "swap" : NULL;
}

void am_null_opts_default(am_null_opts *o)
{
    if (!o)
        return;
    o->sampler = AM_NULL_CURVEBALL;
    o->rounds = AM_NULL_ROUNDS;
    o->attempts_per_edge = 100;
}

/* o's sampler and work in range (o not NULL). */
static int opts_check(const am_null_opts *o)
{
    if (o->sampler == AM_NULL_CURVEBALL)
        return o->rounds <= AM_CURVEBALL_MAX_ROUNDS ? AM_OK : AM_EINVAL;
    if (o->sampler == AM_NULL_SWAP)
        return o->attempts_per_edge >= 0 && o->attempts_per_edge <= 1e4 ? AM_OK : AM_EINVAL;
    return AM_EINVAL;
}

int am_graph_null_graph(const am_graph *g, const am_null_opts *opts, uint64_t seed, am_graph **out, size_t *moved)
{
    am_null_opts d;
    if (!opts) {
        am_null_opts_default(&d);
        opts = &d;
    }
    if (out && opts_check(opts)) {
        *out = NULL;
        return AM_EINVAL;
    }
    return opts->sampler == AM_NULL_SWAP ? am_graph_rewire(g, opts->attempts_per_edge, seed, out, moved)
                                         : am_graph_curveball(g, opts->rounds, seed, out, moved);
}

int am_graph_null_counts_one(const am_graph *g, const am_motif *motifs, size_t nmotifs, size_t k,
                             const am_null_opts *opts, uint64_t seed, uint64_t *counts)
{
    if (!g || (nmotifs && (!motifs || !counts)))
        return AM_EINVAL;
    am_graph *r = NULL;
    int rc = am_graph_null_graph(g, opts, am_rng_stream2(seed, k), &r, NULL);
    for (size_t j = 0; j < nmotifs && !rc; j++)
        rc = am_graph_count(r, motifs[j], 1, &counts[j]);
    am_graph_free(r);
    return rc;
}

int am_graph_null_counts(const am_graph *g, const am_motif *motifs, size_t nmotifs, size_t graphs,
                         const am_null_opts *opts, uint64_t seed, int threads, uint64_t *counts)
{
    if (!g || threads < 0 || (graphs && nmotifs && (!motifs || !counts)) || (opts && opts_check(opts)))
        return AM_EINVAL;
    int nt = threads;
#ifdef _OPENMP
    if (nt == 0)
        nt = omp_get_num_procs();
#else
    nt = 1;
#endif
    if (nt < 1)
        nt = 1;
    if ((size_t)nt > graphs)
        nt = graphs ? (int)graphs : 1;
    int rc = AM_OK;
    const am_cancel *hook = am_cancel_current();
#pragma omp parallel num_threads(nt)
    {
        AM__CANCEL_ADOPT(hook); /* the sampling and counting on every thread poll the caller's hook */
#pragma omp for schedule(dynamic, 1)
        for (size_t k = 0; k < graphs; k++) {
            int mine;
#pragma omp atomic read
            mine = rc;
            if (mine)
                continue;
            if (!(mine = am_cancel_poll()))
                mine = am_graph_null_counts_one(g, motifs, nmotifs, k, opts, seed, counts + k * nmotifs);
            if (mine) {
#pragma omp critical
                if (!rc)
                    rc = mine;
            }
        }
        AM__CANCEL_LEAVE();
    }
    return rc;
}

/* The swap model's runs, as before the choice of sampler. */
static am_null_opts swap_opts(double attempts_per_edge)
{
    am_null_opts o;
    am_null_opts_default(&o);
    o.sampler = AM_NULL_SWAP;
    o.attempts_per_edge = attempts_per_edge;
    return o;
}

int am_graph_null_one(const am_graph *g, const am_motif *motifs, size_t nmotifs, size_t k, double attempts_per_edge,
                      uint64_t seed, uint64_t *counts)
{
    am_null_opts o = swap_opts(attempts_per_edge);
    return am_graph_null_counts_one(g, motifs, nmotifs, k, &o, seed, counts);
}

int am_graph_null(const am_graph *g, const am_motif *motifs, size_t nmotifs, size_t graphs, double attempts_per_edge,
                  uint64_t seed, int threads, uint64_t *counts)
{
    am_null_opts o = swap_opts(attempts_per_edge);
    return am_graph_null_counts(g, motifs, nmotifs, graphs, &o, seed, threads, counts);
}
