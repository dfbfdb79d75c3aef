/* Signed directed graphs: construction, queries, synthetic graphs with heavy-tailed degrees, and the
 * degree-preserving null model (edge swaps within each sign). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "am/rng.h"
#include "../core/cancel_internal.h"
#include "../core/hash.h"
#include "internal.h"

/* ---- key sets ---- */

int am__keyset_init(am__keyset *s, size_t expected)
{
    size_t cap = 16;
    while (cap < 2 * expected + 16) {
        if (cap > SIZE_MAX / 4)
            return AM_EOVERFLOW;
        cap *= 2;
    }
    s->k = malloc(cap * sizeof *s->k);
    if (!s->k)
        return AM_ENOMEM;
    memset(s->k, 0xff, cap * sizeof *s->k);
    s->cap = cap;
    s->count = 0;
    return AM_OK;
}

void am__keyset_free(am__keyset *s)
{
    free(s->k);
    s->k = NULL;
}

int am__keyset_has(const am__keyset *s, uint64_t key)
{
    size_t mask = s->cap - 1;
    for (size_t i = am__mix64(key) & mask;; i = (i + 1) & mask) {
        if (s->k[i] == key)
            return 1;
        if (s->k[i] == UINT64_MAX)
            return 0;
    }
}

int am__keyset_add(am__keyset *s, uint64_t key)
{
    size_t mask = s->cap - 1;
    for (size_t i = am__mix64(key) & mask;; i = (i + 1) & mask) {
        if (s->k[i] == key)
            return 0;
        if (s->k[i] == UINT64_MAX) {
            s->k[i] = key;
            s->count++;
            return 1;
        }
    }
}

/* Linear probing's deletion by backward shift: no tombstones, so probes stay short after many swaps. */
void am__keyset_del(am__keyset *s, uint64_t key)
{
    size_t mask = s->cap - 1, i = am__mix64(key) & mask;
    while (s->k[i] != key) {
        if (s->k[i] == UINT64_MAX)
            return;
        i = (i + 1) & mask;
    }
    s->count--;
    for (size_t j = i;;) {
        s->k[i] = UINT64_MAX;
        for (;;) {
            j = (j + 1) & mask;
            if (s->k[j] == UINT64_MAX)
                return;
            size_t home = am__mix64(s->k[j]) & mask;
            /* move k[j] into the hole at i unless its home lies cyclically in (i, j] */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
                break;
        }
        s->k[i] = s->k[j];
        i = j;
    }
}

int am__sorted_has(const uint32_t *a, size_t len, uint32_t v)
{
    size_t lo = 0, hi = len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < len && a[lo] == v;
}

/* ---- construction ---- */

/* Index the names; AM_EINVAL for an empty or repeated one. */
static int index_names(am_graph *g)
{
    size_t cap = 16;
    while (cap < 2 * g->n + 16)
        cap *= 2;
    g->slot = calloc(cap, sizeof *g->slot);
    if (!g->slot)
        return AM_ENOMEM;
    g->slots = cap;
    for (size_t u = 0; u < g->n; u++) {
        if (!g->names[u] || !g->names[u][0])
            return AM_EINVAL;
        for (size_t i = am__hash_str(g->names[u]) & (cap - 1);; i = (i + 1) & (cap - 1)) {
            if (!g->slot[i]) {
                g->slot[i] = (uint32_t)u + 1;
                break;
            }
            if (!strcmp(g->names[g->slot[i] - 1], g->names[u]))
                return AM_EINVAL;
        }
    }
    return AM_OK;
}

struct edge_key {
    uint64_t key; /* src << 32 | dst */
    size_t k;     /* input position: repeats are summed in input order */
};

static int cmp_edge_key(const void *a, const void *b)
{
    const struct edge_key *x = a, *y = b;
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    return (x->k > y->k) - (x->k < y->k);
}

/* The in-lists of class c from its out-lists and iptr: walk the out-lists in source order, so each in-list
 * comes out ascending. fill: n scratch entries. */
static void fill_in_lists(am_graph *g, int c, size_t *fill)
{
    memcpy(fill, g->iptr[c], g->n * sizeof *fill);
    for (size_t u = 0; u < g->n; u++)
        for (size_t q = g->optr[c][u]; q < g->optr[c][u + 1]; q++)
            g->iadj[c][fill[g->oadj[c][q]]++] = (uint32_t)u;
}

/* Takes names over (freed with the graph, or here on failure). */
int am__graph_build(am_graph **out, size_t n, char **names, const int8_t *nsign, size_t m, const uint32_t *src,
                    const uint32_t *dst, const float *w, const int8_t *sign)
{
    *out = NULL;
    am_graph *g = calloc(1, sizeof *g);
    if (!g) {
        for (size_t u = 0; names && u < n; u++)
            free(names[u]);
        free(names);
        return AM_ENOMEM;
    }
    g->n = n;
    g->names = names;
    int rc = AM_OK;
    struct edge_key *p = malloc((m ? m : 1) * sizeof *p);
    g->nsign = calloc(n ? n : 1, 1);
    if (!g->nsign || !p || n > UINT32_MAX - 1) {
        rc = n > UINT32_MAX - 1 ? AM_ERANGE : AM_ENOMEM;
        goto done;
    }
    for (int c = 0; c < 2; c++) {
        size_t len = 0;
        for (size_t k = 0; k < m; k++)
            if (am__cls(sign ? sign[k] : 1) == c && src[k] != dst[k])
                p[len++] = (struct edge_key){(uint64_t)src[k] << 32 | dst[k], k};
        qsort(p, len, sizeof *p, cmp_edge_key);
        size_t distinct = 0;
        for (size_t i = 0; i < len; i++)
            distinct += !i || p[i].key != p[i - 1].key;
        g->optr[c] = calloc(n + 1, sizeof(size_t));
        g->iptr[c] = calloc(n + 1, sizeof(size_t));
        g->oadj[c] = malloc((distinct ? distinct : 1) * sizeof(uint32_t));
        g->iadj[c] = malloc((distinct ? distinct : 1) * sizeof(uint32_t));
        g->ow[c] = malloc((distinct ? distinct : 1) * sizeof(float));
        size_t *fill = malloc((n ? n : 1) * sizeof *fill);
        if (!g->optr[c] || !g->iptr[c] || !g->oadj[c] || !g->iadj[c] || !g->ow[c] || !fill) {
            free(fill);
            rc = AM_ENOMEM;
            goto done;
        }
        size_t e = 0;
        for (size_t i = 0; i < len;) {
            double sum = 0;
            size_t r = i;
            for (; r < len && p[r].key == p[i].key; r++)
                sum += w ? w[p[r].k] : 1.0;
            uint32_t s = (uint32_t)(p[i].key >> 32), d = (uint32_t)p[i].key;
            g->oadj[c][e] = d;
            g->ow[c][e] = (float)sum;
            g->optr[c][s + 1]++;
            g->iptr[c][d + 1]++;
            e++;
            i = r;
        }
        g->m[c] = e;
        for (size_t u = 0; u < n; u++) {
            g->optr[c][u + 1] += g->optr[c][u];
            g->iptr[c][u + 1] += g->iptr[c][u];
        }
        fill_in_lists(g, c, fill);
        free(fill);
    }
    for (size_t u = 0; u < n; u++) {
        if (nsign)
            g->nsign[u] = nsign[u];
        else {
            int e = g->optr[0][u + 1] > g->optr[0][u], i = g->optr[1][u + 1] > g->optr[1][u];
            g->nsign[u] = (int8_t)(e && !i ? AM_EXC : i && !e ? AM_INH : 0);
        }
    }
    rc = index_names(g);
done:
    free(p);
    if (rc) {
        am_graph_free(g);
        return rc;
    }
    *out = g;
    return AM_OK;
}

/* A graph with g's nodes (names, identities) and degrees whose rows are adj[c], w[c] (each row in g's
 * segment, ascending): takes adj and w over (freed on failure). The in-lists are built from the rows. */
int am__graph_with_rows(const am_graph *g, uint32_t *adj[2], float *w[2], am_graph **out)
{
    *out = NULL;
    am_graph *h = calloc(1, sizeof *h);
    int rc = h ? AM_OK : AM_ENOMEM;
    for (int c = 0; c < 2; c++) {
        if (h) {
            h->oadj[c] = adj[c];
            h->ow[c] = w[c];
        } else {
            free(adj[c]);
            free(w[c]);
        }
    }
    if (rc)
        return rc;
    size_t n = g->n, n1 = n + 1;
    h->n = n;
    h->names = calloc(n ? n : 1, sizeof *h->names);
    h->nsign = malloc(n ? n : 1);
    h->slot = malloc(g->slots * sizeof *h->slot);
    rc = h->names && h->nsign && h->slot ? AM_OK : AM_ENOMEM;
    for (size_t u = 0; !rc && u < n; u++)
        if (!(h->names[u] = strdup(g->names[u])))
            rc = AM_ENOMEM;
    if (!rc) {
        memcpy(h->nsign, g->nsign, n);
        memcpy(h->slot, g->slot, g->slots * sizeof *h->slot);
        h->slots = g->slots;
    }
    for (int c = 0; c < 2 && !rc; c++) {
        h->m[c] = g->m[c];
        h->optr[c] = malloc(n1 * sizeof(size_t));
        h->iptr[c] = malloc(n1 * sizeof(size_t));
        h->iadj[c] = malloc((g->m[c] ? g->m[c] : 1) * sizeof(uint32_t));
        size_t *fill = malloc((n ? n : 1) * sizeof *fill);
        if (!h->optr[c] || !h->iptr[c] || !h->iadj[c] || !fill)
            rc = AM_ENOMEM;
        else {
            memcpy(h->optr[c], g->optr[c], n1 * sizeof(size_t));
            memcpy(h->iptr[c], g->iptr[c], n1 * sizeof(size_t));
            fill_in_lists(h, c, fill);
        }
        free(fill);
    }
    if (rc) {
        am_graph_free(h);
        return rc;
    }
    *out = h;
    return AM_OK;
}

int am_graph_from_edges(am_graph **g, size_t n, const char *const *names, const int8_t *node_sign, size_t m,
                        const uint32_t *src, const uint32_t *dst, const float *weight, const int8_t *sign)
{
    if (!g)
        return AM_EINVAL;
    *g = NULL;
    if ((m && (!src || !dst)) || n > UINT32_MAX - 1)
        return AM_EINVAL;
    for (size_t k = 0; k < m; k++) {
        if (src[k] >= n || dst[k] >= n || (sign && sign[k] != AM_EXC && sign[k] != AM_INH))
            return AM_EINVAL;
        if (weight && !isfinite(weight[k]))
            return AM_ENOTFINITE;
        if (weight && !(weight[k] > 0)) /* as am_graph_read: a synapse count is positive */
            return AM_EINVAL;
    }
    for (size_t u = 0; node_sign && u < n; u++)
        if (node_sign[u] != AM_EXC && node_sign[u] != AM_INH && node_sign[u] != 0)
            return AM_EINVAL;
    char **nm = calloc(n ? n : 1, sizeof *nm);
    if (!nm)
        return AM_ENOMEM;
    for (size_t u = 0; u < n; u++) {
        char buf[24];
        if (!names)
            snprintf(buf, sizeof buf, "%zu", u);
        nm[u] = strdup(names ? (names[u] ? names[u] : "") : buf);
        if (!nm[u]) {
            for (size_t v = 0; v < u; v++)
                free(nm[v]);
            free(nm);
            return AM_ENOMEM;
        }
    }
    return am__graph_build(g, n, nm, node_sign, m, src, dst, weight, sign);
}

void am_graph_free(am_graph *g)
{
    if (!g)
        return;
    for (size_t u = 0; g->names && u < g->n; u++)
        free(g->names[u]);
    free(g->names);
    free(g->nsign);
    for (int c = 0; c < 2; c++) {
        free(g->optr[c]);
        free(g->iptr[c]);
        free(g->oadj[c]);
        free(g->iadj[c]);
        free(g->ow[c]);
    }
    free(g->slot);
    free(g);
}

size_t am_graph_nodes(const am_graph *g) { return g ? g->n : 0; }

size_t am_graph_edges(const am_graph *g, int sign)
{
    if (!g)
        return 0;
    return sign > 0 ? g->m[0] : sign < 0 ? g->m[1] : g->m[0] + g->m[1];
}

const char *am_graph_name(const am_graph *g, size_t u) { return g && u < g->n ? g->names[u] : NULL; }

int am_graph_node_sign(const am_graph *g, size_t u) { return g && u < g->n ? g->nsign[u] : 0; }

int am_graph_find(const am_graph *g, const char *name, size_t *node)
{
    if (!g || !name || !g->slot)
        return AM_EINVAL;
    for (size_t i = am__hash_str(name) & (g->slots - 1);; i = (i + 1) & (g->slots - 1)) {
        if (!g->slot[i])
            return AM_EINVAL;
        if (!strcmp(g->names[g->slot[i] - 1], name)) {
            if (node)
                *node = g->slot[i] - 1;
            return AM_OK;
        }
    }
}

int am_graph_has_edge(const am_graph *g, size_t s, size_t d, int sign)
{
    if (!g || s >= g->n || d >= g->n)
        return 0;
    for (int c = 0; c < 2; c++) {
        if ((sign > 0 && c == 1) || (sign < 0 && c == 0))
            continue;
        if (am__sorted_has(g->oadj[c] + g->optr[c][s], g->optr[c][s + 1] - g->optr[c][s], (uint32_t)d))
            return 1;
    }
    return 0;
}

static size_t degree(size_t *const ptr[2], size_t u, int sign)
{
    size_t k = 0;
    for (int c = 0; c < 2; c++)
        if (!((sign > 0 && c == 1) || (sign < 0 && c == 0)))
            k += ptr[c][u + 1] - ptr[c][u];
    return k;
}

size_t am_graph_out_degree(const am_graph *g, size_t u, int sign) { return g && u < g->n ? degree(g->optr, u, sign) : 0; }
size_t am_graph_in_degree(const am_graph *g, size_t u, int sign) { return g && u < g->n ? degree(g->iptr, u, sign) : 0; }

void am_graph_edge(const am_graph *g, size_t k, size_t *src, size_t *dst, float *weight, int *sign)
{
    if (!g || k >= g->m[0] + g->m[1])
        return;
    int c = k >= g->m[0];
    if (c)
        k -= g->m[0];
    /* the source: the row holding position k */
    size_t lo = 0, hi = g->n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->optr[c][mid] <= k)
            lo = mid;
        else
            hi = mid;
    }
    if (src)
        *src = lo;
    if (dst)
        *dst = g->oadj[c][k];
    if (weight)
        *weight = g->ow[c][k];
    if (sign)
        *sign = c ? AM_INH : AM_EXC;
}

/* A name as a CSV field: quoted when it holds a comma or starts or ends with a space. */
static void put_name(FILE *f, const char *s)
{
    size_t n = strlen(s);
    int q = strchr(s, ',') || (n && (s[0] == ' ' || s[n - 1] == ' '));
    fprintf(f, q ? "\"%s\"" : "%s", s);
}

int am_graph_write_csv(const am_graph *g, FILE *f)
{
    if (!g || !f)
        return AM_EINVAL;
    fprintf(f, "source,target,weight,sign\n");
    for (int c = 0; c < 2; c++)
        for (size_t u = 0; u < g->n; u++)
            for (size_t q = g->optr[c][u]; q < g->optr[c][u + 1]; q++) {
                put_name(f, g->names[u]);
                fputc(',', f);
                put_name(f, g->names[g->oadj[c][q]]);
                fprintf(f, ",%.9g,%s\n", (double)g->ow[c][q], c ? "-" : "+");
            }
    return ferror(f) ? AM_EIO : AM_OK;
}

/* ---- synthetic graphs ---- */

/* Index of the first cumulative weight above x (cum ascending, cum[n-1] the total). */
static size_t pick(const double *cum, size_t n, double x)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int am_graph_synthetic(am_graph **g, size_t n, size_t m, double inh_share, double sigma, uint64_t seed)
{
    if (!g)
        return AM_EINVAL;
    *g = NULL;
    if (n < 2 || n > UINT32_MAX - 1 || !(inh_share >= 0 && inh_share <= 1) || !(sigma >= 0 && sigma <= 4) ||
        (double)m > (double)n * (double)(n - 1) / 4)
        return AM_EINVAL;
    am_rng r;
    am_rng_init(&r, seed, 0);
    double *co = malloc(n * sizeof *co), *ci = malloc(n * sizeof *ci);
    int8_t *ns = malloc(n), *es = malloc(m ? m : 1);
    uint32_t *src = malloc((m ? m : 1) * sizeof *src), *dst = malloc((m ? m : 1) * sizeof *dst);
    am__keyset seen = {0};
    int rc = (!co || !ci || !ns || !es || !src || !dst) ? AM_ENOMEM : am__keyset_init(&seen, m);
    if (!rc) {
        double so = 0, si = 0;
        for (size_t u = 0; u < n; u++) {
            so += exp(sigma * am_rng_normal(&r));
            co[u] = so;
            si += exp(sigma * am_rng_normal(&r));
            ci[u] = si;
            ns[u] = (int8_t)(am_rng_uniform(&r) < inh_share ? AM_INH : AM_EXC);
        }
        size_t tries = 0;
        for (size_t k = 0; k < m;) {
            if ((tries & 0xffff) == 0 && (rc = am_cancel_poll()))
                break;
            if (++tries > 50 * m + 1000) {
                rc = AM_EINVAL; /* the propensities cannot place this many distinct edges */
                break;
            }
            size_t u = pick(co, n, am_rng_uniform(&r) * so), v = pick(ci, n, am_rng_uniform(&r) * si);
            if (u == v || !am__keyset_add(&seen, (uint64_t)u << 32 | v))
                continue;
            src[k] = (uint32_t)u;
            dst[k] = (uint32_t)v;
            es[k] = ns[u];
            k++;
        }
    }
    /* node identities as a CSV of the graph would give them back: a node's sign is its edges' (0 without) */
    if (!rc)
        rc = am_graph_from_edges(g, n, NULL, NULL, m, src, dst, NULL, es);
    am__keyset_free(&seen);
    free(co);
    free(ci);
    free(ns);
    free(es);
    free(src);
    free(dst);
    return rc;
}

/* ---- the null model ---- */

int am_graph_rewire(const am_graph *g, double attempts_per_edge, uint64_t seed, am_graph **out, size_t *accepted)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!g || !(attempts_per_edge >= 0 && attempts_per_edge <= 1e4))
        return AM_EINVAL;
    size_t m = g->m[0] + g->m[1], made = 0;
    uint32_t *src = malloc((m ? m : 1) * sizeof *src), *dst = malloc((m ? m : 1) * sizeof *dst);
    float *w = malloc((m ? m : 1) * sizeof *w);
    int8_t *sg = malloc(m ? m : 1);
    char **nm = calloc(g->n ? g->n : 1, sizeof *nm);
    am__keyset set = {0};
    int rc = (!src || !dst || !w || !sg || !nm) ? AM_ENOMEM : am__keyset_init(&set, m);
    for (size_t u = 0; !rc && u < g->n; u++)
        if (!(nm[u] = strdup(g->names[u])))
            rc = AM_ENOMEM;
    if (!rc) {
        size_t e = 0;
        for (int c = 0; c < 2; c++)
            for (size_t u = 0; u < g->n; u++)
                for (size_t q = g->optr[c][u]; q < g->optr[c][u + 1]; q++, e++) {
                    src[e] = (uint32_t)u;
                    dst[e] = g->oadj[c][q];
                    w[e] = g->ow[c][q];
                    sg[e] = (int8_t)(c ? AM_INH : AM_EXC);
                    am__keyset_add(&set, (uint64_t)u << 32 | dst[e]);
                }
        am_rng r;
        size_t base = 0;
        for (int c = 0; c < 2; c++) {
            size_t mc = g->m[c];
            am_rng_init(&r, seed, (uint64_t)c);
            double want = attempts_per_edge * (double)mc;
            size_t tries = mc >= 2 ? (size_t)llround(want) : 0;
            for (size_t t = 0; t < tries && !rc; t++) {
                if ((t & 0xffff) == 0 && (rc = am_cancel_poll()))
                    break;
                size_t i = base + am_rng_below(&r, mc), j = base + am_rng_below(&r, mc);
                uint32_t a = src[i], b = dst[i], x = src[j], y = dst[j];
                if (i == j || a == x || b == y || a == y || x == b)
                    continue;
                uint64_t k1 = (uint64_t)a << 32 | y, k2 = (uint64_t)x << 32 | b;
                if (am__keyset_has(&set, k1) || am__keyset_has(&set, k2))
                    continue;
                am__keyset_del(&set, (uint64_t)a << 32 | b);
                am__keyset_del(&set, (uint64_t)x << 32 | y);
                am__keyset_add(&set, k1);
                am__keyset_add(&set, k2);
                dst[i] = y;
                dst[j] = b;
                made++;
            }
            base += mc;
        }
        if (!rc) {
            rc = am__graph_build(out, g->n, nm, g->nsign, m, src, dst, w, sg);
            nm = NULL; /* the graph's now, or freed by the build */
        }
    }
    if (nm)
        for (size_t u = 0; u < g->n; u++)
            free(nm[u]);
    free(nm);
    am__keyset_free(&set);
    free(src);
    free(dst);
    free(w);
    free(sg);
    if (!rc && accepted)
        *accepted = made;
    return rc;
}
