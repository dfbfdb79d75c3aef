/* Concept cells: the concept memory (nodes, exemplars, prototypes, hierarchy, synchrony and locality) and
 * the recall pipeline over a binding mechanism (see am/concept.h). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "am/error.h"
#include "../core/hash.h"
#include "internal.h"

const am_binding_type *const am_binding_types[] = {&am__binding_kv_type, &am__binding_hebb_type,
                                                    &am__binding_hrr_type, NULL};

const char *am_binding_name(const am_binding_type *t)
{
    return t ? t->name : "?";
}

const am_binding_type *am_binding_find(const char *name)
{
    for (size_t i = 0; name && am_binding_types[i]; i++)
        if (strcmp(am_binding_types[i]->name, name) == 0)
            return am_binding_types[i];
    return NULL;
}

void am_concepts_config_default(am_concepts_config *c)
{
    memset(c, 0, sizeof *c);
    c->binding = am_binding_kv;
    c->locality = AM_LOCALITY_PROTOTYPE;
    c->similarity = AM_SIM_DOT;
    c->beta = 8.0;
    c->hebb_bits = 0;
    c->hrr_dim = 1024;
    c->cleanup = am_store_type_find("modern");
    c->seed = 1;
}

static int name_ok(const char *s)
{
    size_t n = strnlen(s, AM_CONCEPT_NAME_MAX + 1);
    if (n == 0 || n > AM_CONCEPT_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              ch == '-'))
            return 0;
    }
    return 1;
}

int am__label_ok(const char *s)
{
    size_t n = strnlen(s, AM_CONCEPT_LABEL_MAX + 1);
    if (n > AM_CONCEPT_LABEL_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

static int config_ok(const am_concepts_config *c)
{
    if (!c->binding || !(c->beta > 0.0) || !isfinite(c->beta) || c->beta > 1e30)
        return 0;
    if ((unsigned)c->locality > AM_LOCALITY_EXEMPLAR || (unsigned)c->similarity > AM_SIM_EUCLID)
        return 0;
    if (c->hebb_bits > 65536 || c->hrr_dim < 2 || c->hrr_dim > (1u << 20))
        return 0;
    if (!c->cleanup || (am_store_type_flags(c->cleanup) & AM_STORE_SEQUENCE))
        return 0;
    return 1;
}

/* An encoder description is one line of text for tables: no control characters (tabs, line breaks, escapes). */
static int description_ok(const char *s, size_t size)
{
    size_t k = 0;
    for (; k < size && s[k]; k++)
        if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f)
            return 0;
    return k < size;
}

int am_concepts_create(am_concepts **out, const am_modality *mods, size_t nmod, const am_concepts_config *cfg)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!mods || nmod == 0 || nmod > AM__MAXMOD)
        return AM_EINVAL;
    am_concepts_config dflt;
    if (!cfg) {
        am_concepts_config_default(&dflt);
        cfg = &dflt;
    }
    if (!config_ok(cfg))
        return AM_EINVAL;
    for (size_t m = 0; m < nmod; m++) {
        if (!name_ok(mods[m].name) || mods[m].dim == 0 || mods[m].dim > 65536 || !(mods[m].radius >= 0.0) ||
            !description_ok(mods[m].encoder, sizeof mods[m].encoder))
            return AM_EINVAL;
        for (size_t j = 0; j < m; j++)
            if (strcmp(mods[j].name, mods[m].name) == 0)
                return AM_EINVAL;
    }
    am_concepts *cm = calloc(1, sizeof *cm);
    if (!cm)
        return AM_ENOMEM;
    cm->nmod = nmod;
    memcpy(cm->mod, mods, nmod * sizeof *mods);
    cm->cfg = *cfg;
    cm->next_id = 1;
    cm->gen = 1;
    *out = cm;
    return AM_OK;
}

static void node_free(am__cnode *n)
{
    if (!n)
        return;
    for (size_t m = 0; m < AM__MAXMOD; m++) {
        free(n->ex[m]);
        free(n->proto[m]);
    }
    free(n->children);
    free(n->label);
    free(n);
}

static void unbuild(am_concepts *cm)
{
    if (cm->built && cm->bstate)
        cm->cfg.binding->free(cm->bstate);
    cm->bstate = NULL;
    cm->built = 0;
}

void am_concepts_free(am_concepts *cm)
{
    if (!cm)
        return;
    unbuild(cm);
    for (size_t c = 0; c < cm->count; c++)
        node_free(cm->node[c]);
    free(cm->node);
    free(cm->idh);
    free(cm->lbh);
    free(cm->forgotten);
    free(cm);
}

size_t am_concepts_modalities(const am_concepts *cm)
{
    return cm->nmod;
}

const am_modality *am_concepts_modality(const am_concepts *cm, size_t m)
{
    return m < cm->nmod ? &cm->mod[m] : NULL;
}

int am_concepts_modality_find(const am_concepts *cm, const char *name)
{
    for (size_t m = 0; name && m < cm->nmod; m++)
        if (strcmp(cm->mod[m].name, name) == 0)
            return (int)m;
    return -1;
}

const am_concepts_config *am_concepts_get_config(const am_concepts *cm)
{
    return &cm->cfg;
}

int am_concepts_set_encoder(am_concepts *cm, size_t m, const char *encoder)
{
    if (!cm || m >= cm->nmod || !encoder || !description_ok(encoder, sizeof cm->mod[m].encoder))
        return AM_EINVAL;
    snprintf(cm->mod[m].encoder, sizeof cm->mod[m].encoder, "%s", encoder);
    return AM_OK;
}

int am_concepts_set_radius(am_concepts *cm, size_t m, double radius)
{
    if (m >= cm->nmod || !(radius >= 0.0))
        return AM_EINVAL;
    cm->mod[m].radius = radius;
    return AM_OK;
}

size_t am_concepts_count(const am_concepts *cm)
{
    return cm->count;
}

uint64_t am_concepts_id(const am_concepts *cm, size_t c)
{
    return c < cm->count ? cm->node[c]->id : 0;
}

/* ---- hashes: id -> index, label -> index ---- */

static uint64_t mix64(uint64_t x) { return am__mix64(x); }

static uint64_t hash_str(const char *s) { return am__mix64(am__hash_str(s)); }

static void hash_put(am_concepts *cm, size_t c)
{
    size_t mask = cm->hcap - 1;
    am__cnode *n = cm->node[c];
    for (size_t h = mix64(n->id) & mask;; h = (h + 1) & mask)
        if (cm->idh[h] == SIZE_MAX) {
            cm->idh[h] = c;
            break;
        }
    if (n->label[0])
        for (size_t h = hash_str(n->label) & mask;; h = (h + 1) & mask)
            if (cm->lbh[h] == SIZE_MAX) {
                cm->lbh[h] = c;
                break;
            }
}

int am__concepts_rehash(am_concepts *cm, size_t need)
{
    size_t cap = cm->hcap ? cm->hcap : 64;
    while (cap < 2 * need)
        cap *= 2;
    if (cap != cm->hcap) {
        size_t *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b);
        if (!a || !b) {
            free(a);
            free(b);
            return AM_ENOMEM;
        }
        free(cm->idh);
        free(cm->lbh);
        cm->idh = a;
        cm->lbh = b;
        cm->hcap = cap;
    }
    memset(cm->idh, 0xff, cm->hcap * sizeof *cm->idh);
    memset(cm->lbh, 0xff, cm->hcap * sizeof *cm->lbh);
    for (size_t c = 0; c < cm->count; c++)
        hash_put(cm, c);
    return AM_OK;
}

size_t am_concepts_find_id(const am_concepts *cm, uint64_t id)
{
    if (!cm->hcap || id == 0)
        return AM_CONCEPT_NONE;
    size_t mask = cm->hcap - 1;
    for (size_t h = mix64(id) & mask; cm->idh[h] != SIZE_MAX; h = (h + 1) & mask)
        if (cm->node[cm->idh[h]]->id == id)
            return cm->idh[h];
    return AM_CONCEPT_NONE;
}

size_t am_concepts_find_label(const am_concepts *cm, const char *label)
{
    if (!cm->hcap || !label || !label[0])
        return AM_CONCEPT_NONE;
    size_t mask = cm->hcap - 1;
    for (size_t h = hash_str(label) & mask; cm->lbh[h] != SIZE_MAX; h = (h + 1) & mask)
        if (strcmp(cm->node[cm->lbh[h]]->label, label) == 0)
            return cm->lbh[h];
    return AM_CONCEPT_NONE;
}

const char *am_concepts_label(const am_concepts *cm, size_t c)
{
    return c < cm->count ? cm->node[c]->label : "";
}

int am_concepts_set_label(am_concepts *cm, size_t c, const char *label)
{
    if (c >= cm->count || !label || !am__label_ok(label))
        return AM_EINVAL;
    size_t other = am_concepts_find_label(cm, label);
    if (other != AM_CONCEPT_NONE && other != c)
        return AM_EINVAL; /* labels are unique */
    char *l = strdup(label);
    if (!l)
        return AM_ENOMEM;
    free(cm->node[c]->label);
    cm->node[c]->label = l;
    cm->node[c]->dirty = 1;
    cm->gen++;
    return am__concepts_rehash(cm, cm->count);
}

size_t am_concepts_exemplars(const am_concepts *cm, size_t c, size_t m)
{
    return c < cm->count && m < cm->nmod ? cm->node[c]->n[m] : 0;
}

const float *am_concepts_exemplar(const am_concepts *cm, size_t c, size_t m, size_t i)
{
    if (c >= cm->count || m >= cm->nmod || i >= cm->node[c]->n[m])
        return NULL;
    return cm->node[c]->ex[m] + i * cm->mod[m].dim;
}

const float *am_concepts_prototype(const am_concepts *cm, size_t c, size_t m)
{
    return c < cm->count && m < cm->nmod ? cm->node[c]->proto[m] : NULL;
}

uint64_t am_concepts_observations(const am_concepts *cm, size_t c)
{
    return c < cm->count ? cm->node[c]->obs : 0;
}

size_t am_concepts_parent(const am_concepts *cm, size_t c)
{
    if (c >= cm->count || !cm->node[c]->parent)
        return AM_CONCEPT_NONE;
    return am_concepts_find_id(cm, cm->node[c]->parent);
}

size_t am_concepts_children(const am_concepts *cm, size_t c, size_t *out, size_t max)
{
    if (c >= cm->count)
        return 0;
    am__cnode *n = cm->node[c];
    for (size_t i = 0; i < n->nchildren && i < max; i++)
        out[i] = am_concepts_find_id(cm, n->children[i]);
    return n->nchildren;
}

/* ---- nodes ---- */

int am__concepts_reserve(am_concepts *cm)
{
    if (cm->count == cm->cap) {
        size_t cap = cm->cap ? 2 * cm->cap : 64;
        am__cnode **p = realloc(cm->node, cap * sizeof *p);
        if (!p)
            return AM_ENOMEM;
        cm->node = p;
        cm->cap = cap;
    }
    return AM_OK;
}

static int new_node(am_concepts *cm, const char *label, size_t *idx)
{
    if (am__concepts_reserve(cm))
        return AM_ENOMEM;
    am__cnode *n = calloc(1, sizeof *n);
    if (!n || !(n->label = strdup(label ? label : ""))) {
        free(n);
        return AM_ENOMEM;
    }
    n->id = cm->next_id++;
    n->dirty = 1;
    cm->node[cm->count++] = n;
    if (2 * cm->count > cm->hcap) {
        int rc = am__concepts_rehash(cm, cm->count);
        if (rc) {
            cm->count--;
            node_free(n);
            return rc;
        }
    } else {
        hash_put(cm, cm->count - 1);
    }
    cm->gen++;
    *idx = cm->count - 1;
    return AM_OK;
}

/* Recompute derived prototypes (nodes without own exemplars in m: the mean of their children's prototypes)
 * from node c upward. */
static int refresh_derived(am_concepts *cm, size_t c, size_t m)
{
    size_t d = cm->mod[m].dim;
    for (size_t guard = 0; c != AM_CONCEPT_NONE && guard <= cm->count; guard++) {
        am__cnode *n = cm->node[c];
        if (n->n[m] == 0) {
            n->dirty = 1;
            double *acc = calloc(d, sizeof *acc);
            if (!acc)
                return AM_ENOMEM;
            size_t k = 0;
            for (size_t i = 0; i < n->nchildren; i++) {
                size_t ch = am_concepts_find_id(cm, n->children[i]);
                if (ch != AM_CONCEPT_NONE && cm->node[ch]->proto[m]) {
                    for (size_t j = 0; j < d; j++)
                        acc[j] += cm->node[ch]->proto[m][j];
                    k++;
                }
            }
            if (k == 0) {
                free(n->proto[m]);
                n->proto[m] = NULL;
            } else {
                if (!n->proto[m] && !(n->proto[m] = malloc(d * sizeof(float)))) {
                    free(acc);
                    return AM_ENOMEM;
                }
                for (size_t j = 0; j < d; j++)
                    n->proto[m][j] = (float)(acc[j] / (double)k);
            }
            free(acc);
        }
        c = am_concepts_parent(cm, c);
    }
    return AM_OK;
}

static int add_exemplar(am_concepts *cm, size_t c, size_t m, const float *x)
{
    am__cnode *n = cm->node[c];
    size_t d = cm->mod[m].dim;
    if (n->n[m] == n->cap[m]) {
        size_t cap = n->cap[m] ? 2 * n->cap[m] : 2;
        size_t bytes;
        if (am_size_mul3(cap, d, sizeof(float), &bytes))
            return AM_EOVERFLOW;
        float *p = realloc(n->ex[m], bytes);
        if (!p)
            return AM_ENOMEM;
        n->ex[m] = p;
        n->cap[m] = cap;
    }
    if (n->n[m] == 0) {
        /* a derived prototype gives way to the node's own */
        if (!n->proto[m] && !(n->proto[m] = malloc(d * sizeof(float))))
            return AM_ENOMEM;
        memset(n->proto[m], 0, d * sizeof(float));
    }
    memcpy(n->ex[m] + n->n[m] * d, x, d * sizeof(float));
    n->n[m]++;
    n->dirty = 1;
    /* running mean, each step in double */
    double inv = 1.0 / (double)n->n[m];
    for (size_t j = 0; j < d; j++)
        n->proto[m][j] = (float)((double)n->proto[m][j] + ((double)x[j] - n->proto[m][j]) * inv);
    cm->gen++;
    size_t p = am_concepts_parent(cm, c);
    return p == AM_CONCEPT_NONE ? AM_OK : refresh_derived(cm, p, m);
}

static int finite_vec(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

static double dist2(const float *a, const float *b, size_t d)
{
    double s = 0.0;
    for (size_t j = 0; j < d; j++) {
        double t = (double)a[j] - b[j];
        s += t * t;
    }
    return s;
}

/* Distance from x to node c in modality m by the locality rule (INFINITY when it has no point there). */
static double node_dist(const am_concepts *cm, size_t c, size_t m, const float *x)
{
    const am__cnode *n = cm->node[c];
    size_t d = cm->mod[m].dim;
    if (cm->cfg.locality == AM_LOCALITY_EXEMPLAR && n->n[m]) {
        double best = INFINITY;
        for (size_t i = 0; i < n->n[m]; i++) {
            double t = dist2(x, n->ex[m] + i * d, d);
            best = t < best ? t : best;
        }
        return sqrt(best);
    }
    return n->proto[m] ? sqrt(dist2(x, n->proto[m], d)) : INFINITY;
}

int am_concepts_nearest(const am_concepts *cm, size_t m, const float *x, size_t *c, double *dist)
{
    if (!cm || m >= cm->nmod || !x || !c)
        return AM_EINVAL;
    if (!finite_vec(x, cm->mod[m].dim))
        return AM_ENOTFINITE;
    size_t best = AM_CONCEPT_NONE;
    double bd = INFINITY;
    for (size_t k = 0; k < cm->count; k++) {
        if (!cm->node[k]->n[m])
            continue; /* only nodes with their own points in m compete */
        double t = node_dist(cm, k, m, x);
        if (t < bd) {
            bd = t;
            best = k;
        }
    }
    *c = best;
    if (dist)
        *dist = bd;
    return AM_OK;
}

int am_concepts_observe(am_concepts *cm, const float *const *latents, const char *label, size_t *c, int *created)
{
    if (!cm || !latents)
        return AM_EINVAL;
    size_t first = AM_CONCEPT_NONE;
    for (size_t m = 0; m < cm->nmod; m++)
        if (latents[m]) {
            if (!finite_vec(latents[m], cm->mod[m].dim))
                return AM_ENOTFINITE;
            if (first == AM_CONCEPT_NONE)
                first = m;
        }
    if (first == AM_CONCEPT_NONE || (label && !am__label_ok(label)))
        return AM_EINVAL;
    size_t idx = AM_CONCEPT_NONE;
    int made = 0, rc;
    if (label && label[0]) {
        idx = am_concepts_find_label(cm, label);
    } else {
        double dd;
        if ((rc = am_concepts_nearest(cm, first, latents[first], &idx, &dd)))
            return rc;
        if (idx != AM_CONCEPT_NONE && !(dd <= cm->mod[first].radius))
            idx = AM_CONCEPT_NONE;
    }
    if (idx == AM_CONCEPT_NONE) {
        if ((rc = new_node(cm, label, &idx)))
            return rc;
        made = 1;
    }
    for (size_t m = 0; m < cm->nmod; m++)
        if (latents[m] && (rc = add_exemplar(cm, idx, m, latents[m])))
            return rc;
    cm->node[idx]->obs++;
    cm->node[idx]->dirty = 1;
    if (c)
        *c = idx;
    if (created)
        *created = made;
    return AM_OK;
}

int am_concepts_assign(am_concepts *cm, size_t m, const float *x, size_t *c, int *created)
{
    if (!cm || m >= cm->nmod || !x)
        return AM_EINVAL;
    const float *lat[AM__MAXMOD] = {0};
    lat[m] = x;
    return am_concepts_observe(cm, lat, NULL, c, created);
}

static int child_add(am__cnode *p, uint64_t id)
{
    if (p->nchildren == p->capchildren) {
        size_t cap = p->capchildren ? 2 * p->capchildren : 4;
        uint64_t *q = realloc(p->children, cap * sizeof *q);
        if (!q)
            return AM_ENOMEM;
        p->children = q;
        p->capchildren = cap;
    }
    size_t i = p->nchildren;
    while (i > 0 && p->children[i - 1] > id) {
        p->children[i] = p->children[i - 1];
        i--;
    }
    p->children[i] = id;
    p->nchildren++;
    return AM_OK;
}

static void child_remove(am__cnode *p, uint64_t id)
{
    for (size_t i = 0; i < p->nchildren; i++)
        if (p->children[i] == id) {
            memmove(p->children + i, p->children + i + 1, (p->nchildren - i - 1) * sizeof *p->children);
            p->nchildren--;
            return;
        }
}

static int refresh_all_modalities(am_concepts *cm, size_t c)
{
    int rc = AM_OK;
    for (size_t m = 0; m < cm->nmod && !rc; m++)
        rc = refresh_derived(cm, c, m);
    return rc;
}

int am_concepts_set_parent(am_concepts *cm, size_t c, size_t parent)
{
    if (!cm || c >= cm->count || (parent != AM_CONCEPT_NONE && parent >= cm->count))
        return AM_EINVAL;
    for (size_t a = parent, guard = 0; a != AM_CONCEPT_NONE && guard <= cm->count; a = am_concepts_parent(cm, a), guard++)
        if (a == c)
            return AM_EINVAL; /* a cycle */
    am__cnode *n = cm->node[c];
    size_t old = am_concepts_parent(cm, c);
    int rc;
    if (old != AM_CONCEPT_NONE)
        child_remove(cm->node[old], n->id);
    n->parent = 0;
    n->dirty = 1;
    if (old != AM_CONCEPT_NONE)
        cm->node[old]->dirty = 1;
    if (parent != AM_CONCEPT_NONE) {
        cm->node[parent]->dirty = 1;
        if ((rc = child_add(cm->node[parent], n->id)))
            return rc;
        n->parent = cm->node[parent]->id;
    }
    cm->gen++;
    if (old != AM_CONCEPT_NONE && (rc = refresh_all_modalities(cm, old)))
        return rc;
    return parent != AM_CONCEPT_NONE ? refresh_all_modalities(cm, parent) : AM_OK;
}

int am_concepts_forget(am_concepts *cm, size_t c)
{
    if (!cm || c >= cm->count)
        return AM_EINVAL;
    am__cnode *n = cm->node[c];
    size_t parent = am_concepts_parent(cm, c);
    int rc;
    /* children move up to the grandparent */
    while (n->nchildren) {
        size_t ch = am_concepts_find_id(cm, n->children[n->nchildren - 1]);
        if (ch == AM_CONCEPT_NONE) {
            n->nchildren--;
            continue;
        }
        if ((rc = am_concepts_set_parent(cm, ch, parent)))
            return rc;
    }
    if (parent != AM_CONCEPT_NONE) {
        child_remove(cm->node[parent], n->id);
        cm->node[parent]->dirty = 1;
    }
    if (cm->nforgotten == cm->capforgotten) {
        size_t cap = cm->capforgotten ? 2 * cm->capforgotten : 16;
        uint64_t *f = realloc(cm->forgotten, cap * sizeof *f);
        if (!f)
            return AM_ENOMEM;
        cm->forgotten = f;
        cm->capforgotten = cap;
    }
    cm->forgotten[cm->nforgotten++] = n->id;
    memmove(cm->node + c, cm->node + c + 1, (cm->count - c - 1) * sizeof *cm->node);
    cm->count--;
    node_free(n);
    cm->gen++;
    if ((rc = am__concepts_rehash(cm, cm->count)))
        return rc;
    return parent != AM_CONCEPT_NONE ? refresh_all_modalities(cm, parent > c ? parent - 1 : parent) : AM_OK;
}

/* ---- helpers for the mechanisms ---- */

int am__concepts_keys(const am_concepts *cm, size_t m, float **keys, uint32_t **owner, size_t *rows)
{
    size_t d = cm->mod[m].dim, r = 0, bytes;
    *keys = NULL;
    *owner = NULL;
    for (size_t c = 0; c < cm->count; c++)
        r += cm->node[c]->n[m];
    *rows = r;
    if (r == 0)
        return AM_OK;
    if (r > UINT32_MAX || am_size_mul3(r, d, sizeof(float), &bytes))
        return AM_EOVERFLOW;
    float *k = am__alloc_big(bytes);
    uint32_t *o = malloc(r * sizeof *o);
    if (!k || !o) {
        free(k);
        free(o);
        return AM_ENOMEM;
    }
    size_t at = 0;
    for (size_t c = 0; c < cm->count; c++) {
        const am__cnode *n = cm->node[c];
        if (n->n[m])
            memcpy(k + at * d, n->ex[m], n->n[m] * d * sizeof(float));
        for (size_t i = 0; i < n->n[m]; i++)
            o[at++] = (uint32_t)c;
    }
    *keys = k;
    *owner = o;
    return AM_OK;
}

int am__concepts_protos(const am_concepts *cm, size_t m, float **protos, unsigned char **has)
{
    size_t d = cm->mod[m].dim, N = cm->count ? cm->count : 1, bytes;
    if (am_size_mul3(N, d, sizeof(float), &bytes))
        return AM_EOVERFLOW;
    float *p = am__alloc_big(bytes);
    unsigned char *h = malloc(N);
    if (!p || !h) {
        free(p);
        free(h);
        return AM_ENOMEM;
    }
    memset(p, 0, bytes);
    for (size_t c = 0; c < cm->count; c++) {
        const am__cnode *n = cm->node[c];
        h[c] = n->n[m] ? 1 : n->proto[m] ? 2 : 0;
        if (n->proto[m])
            memcpy(p + c * d, n->proto[m], d * sizeof(float));
    }
    *protos = p;
    *has = h;
    return AM_OK;
}

void am__concepts_mean(const am_concepts *cm, size_t m, float *mean)
{
    size_t d = cm->mod[m].dim, k = 0;
    double *acc = calloc(d, sizeof *acc);
    if (!acc) {
        memset(mean, 0, d * sizeof *mean);
        return;
    }
    for (size_t c = 0; c < cm->count; c++) {
        const am__cnode *n = cm->node[c];
        for (size_t i = 0; i < n->n[m]; i++, k++)
            for (size_t j = 0; j < d; j++)
                acc[j] += n->ex[m][i * d + j];
    }
    for (size_t j = 0; j < d; j++)
        mean[j] = k ? (float)(acc[j] / (double)k) : 0.0f;
    free(acc);
}

size_t am__argmax_masked(const float *x, size_t n, const unsigned char *mask)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        if ((!mask || mask[i]) && (best == SIZE_MAX || x[i] > x[best]))
            best = i;
    return best;
}

/* ---- recall ---- */

static int ensure_built(am_concepts *cm)
{
    if (cm->built && cm->built_gen == cm->gen)
        return AM_OK;
    unbuild(cm);
    int rc = cm->cfg.binding->build(cm, &cm->bstate);
    if (rc)
        return rc;
    cm->built = 1;
    cm->built_gen = cm->gen;
    return AM_OK;
}

size_t am_concepts_bytes(const am_concepts *cm)
{
    size_t b = sizeof *cm + cm->cap * sizeof *cm->node + 2 * cm->hcap * sizeof(size_t);
    for (size_t c = 0; c < cm->count; c++) {
        const am__cnode *n = cm->node[c];
        b += sizeof *n + strlen(n->label) + 1 + n->capchildren * sizeof(uint64_t);
        for (size_t m = 0; m < cm->nmod; m++)
            b += (n->cap[m] + (n->proto[m] ? 1 : 0)) * cm->mod[m].dim * sizeof(float);
    }
    if (cm->built && cm->bstate)
        b += cm->cfg.binding->bytes(cm->bstate);
    return b;
}

/* Which concepts may answer: those with their own exemplars in a present cue modality. */
static void answer_mask(const am_concepts *cm, const float *const *cues, unsigned char *mask)
{
    for (size_t c = 0; c < cm->count; c++) {
        mask[c] = 0;
        for (size_t m = 0; m < cm->nmod; m++)
            if (cues[m] && cm->node[c]->n[m])
                mask[c] = 1;
    }
}

/* Block rows: enough to feed the products, few enough that a block's scratch stays near 64 MB (the one pass's
 * scratch does not grow with the count: 256 rows). */
static size_t block_rows(const am_concepts *cm, const void *state, size_t nq, int stream)
{
    size_t nb = 256;
    while (!stream && nb > 8 && cm->cfg.binding->scratch_floats(cm, state, nb) + nb * cm->count > ((size_t)16 << 20))
        nb /= 2;
    return nb < nq ? nb : (nq ? nq : 1);
}

typedef struct {
    am__gemm_ws ws;
    void *aux;
    float *buf, *act;
    size_t *ans, *win;
} thread_space;

static int cues_ok(const am_concepts *cm, const float *const *cues, size_t nq)
{
    int any = 0;
    for (size_t m = 0; m < cm->nmod; m++)
        if (cues[m]) {
            any = 1;
            if (!finite_vec(cues[m], nq * cm->mod[m].dim))
                return AM_ENOTFINITE;
        }
    return any ? AM_OK : AM_EINVAL;
}

/* Top k of one cue's activations a (count) among the concepts that may answer (mask; all: every one), ties to
 * the lower index. */
static void rank_top(const am_concepts *cm, const float *a, const unsigned char *mask, int all, size_t k, size_t *top)
{
    size_t N = cm->count;
    if (k == 1)
        top[0] = am__argmax_masked(a, N, all ? NULL : mask);
    for (size_t j = k == 1 ? 1 : 0; j < k; j++) {
        size_t best = SIZE_MAX;
        for (size_t c = 0; c < N; c++) {
            if (!mask[c])
                continue;
            int taken = 0;
            for (size_t i = 0; i < j; i++)
                taken |= top[i] == c;
            if (!taken && (best == SIZE_MAX || a[c] > a[best]))
                best = c;
        }
        top[j] = best;
    }
}

/* The answer to cue q (global index) whose winner is win: under fallback, up the hierarchy while the cue lies
 * beyond the radius of the first present modality; *lvl levels up. */
static size_t answer_of(const am_concepts *cm, const float *const *cues, const am_concept_recall *r, size_t q,
                        size_t win, unsigned char *lvl)
{
    size_t first = 0, ans = win;
    *lvl = 0;
    if (!r->fallback || ans == SIZE_MAX)
        return ans;
    while (!cues[first])
        first++;
    const float *x = cues[first] + q * cm->mod[first].dim;
    while (*lvl < 255) {
        size_t p = am_concepts_parent(cm, ans);
        if (p == AM_CONCEPT_NONE || node_dist(cm, ans, first, x) <= cm->mod[first].radius)
            break;
        ans = p;
        (*lvl)++;
    }
    return ans;
}

/* The one pass (bt->stream) over a block: ranking, read-outs, and the prototype of a fallback answer. */
static int block_stream(am_concepts *cm, const float *const *cues, am_concept_recall *r, am__cblock *b)
{
    int e = cm->cfg.binding->stream(cm, cm->bstate, cues, r->out, b, r->k, r->concept + b->q0 * r->k,
                                    r->score ? r->score + b->q0 * r->k : NULL);
    for (size_t q = 0; q < b->nb && !e; q++) {
        size_t win = r->concept[(b->q0 + q) * r->k];
        unsigned char lvl;
        size_t ans = answer_of(cm, cues, r, b->q0 + q, win, &lvl);
        if (r->level)
            r->level[b->q0 + q] = lvl;
        for (size_t t = 0; t < cm->nmod && ans != win; t++)
            if (r->out[t]) {
                float *o = r->out[t] + (b->q0 + q) * cm->mod[t].dim;
                const float *p = cm->node[ans]->proto[t];
                if (p)
                    memcpy(o, p, cm->mod[t].dim * sizeof(float));
                else
                    memset(o, 0, cm->mod[t].dim * sizeof(float));
            }
    }
    return e;
}

/* Activation, then (with r) ranking and read-outs over a block. */
static int block_act(am_concepts *cm, const float *const *cues, am_concept_recall *r, float *act_out,
                     const unsigned char *mask, int all, am__cblock *b, thread_space *s)
{
    const am_binding_type *bt = cm->cfg.binding;
    size_t N = cm->count;
    int e = bt->activate(cm, cm->bstate, cues, b, s->act);
    if (!e && act_out)
        memcpy(act_out + b->q0 * N, s->act, b->nb * N * sizeof(float));
    if (e || !r)
        return e;
    for (size_t q = 0; q < b->nb; q++) {
        const float *a = s->act + q * N;
        size_t *top = r->concept + (b->q0 + q) * r->k;
        rank_top(cm, a, mask, all, r->k, top);
        if (r->score)
            for (size_t j = 0; j < r->k; j++)
                r->score[(b->q0 + q) * r->k + j] = top[j] == SIZE_MAX ? NAN : a[top[j]];
        unsigned char lvl;
        s->ans[q] = answer_of(cm, cues, r, b->q0 + q, top[0], &lvl);
        s->win[q] = top[0];
        if (r->level)
            r->level[b->q0 + q] = lvl;
    }
    for (size_t t = 0; t < cm->nmod && !e; t++)
        if (r->out[t])
            e = bt->readout(cm, cm->bstate, s->act, s->win, s->ans, t, b, r->out[t] + b->q0 * cm->mod[t].dim);
    return e;
}

/* Runs activation (and, with r, ranking and readout) over fixed blocks of cues on nthreads threads; a recall
 * the mechanism can do in one pass (stream) holds no activations of every concept. */
static int run_blocks(am_concepts *cm, const float *const *cues, size_t nq, am_concept_recall *r, float *act_out,
                      int nthreads)
{
    int rc;
    if (!cm || !cues)
        return AM_EINVAL;
    if ((rc = cues_ok(cm, cues, nq)))
        return rc;
    if (cm->count == 0)
        return AM_EEMPTY;
    if (nq == 0)
        return AM_OK;
    if ((rc = ensure_built(cm)))
        return rc;
    const am_binding_type *bt = cm->cfg.binding;
    size_t N = cm->count, sf = 0;
    int stream = r && !act_out && bt->stream && bt->stream_floats(cm, cm->bstate, cues, r->out, 1, r->k) > 0;
    size_t nb = block_rows(cm, cm->bstate, nq, stream), nblocks = (nq + nb - 1) / nb;
    int nt = nthreads > 0 ? nthreads : omp_get_max_threads();
    if ((size_t)nt > nblocks)
        nt = (int)nblocks;
    unsigned char *mask = stream ? NULL : malloc(N);
    thread_space *ts = calloc((size_t)nt, sizeof *ts);
    if ((!stream && !mask) || !ts) {
        free(mask);
        free(ts);
        return AM_ENOMEM;
    }
    int all = 1;
    if (!stream) {
        answer_mask(cm, cues, mask);
        for (size_t c = 0; c < N; c++)
            all &= mask[c];
    }
    sf = stream ? bt->stream_floats(cm, cm->bstate, cues, r->out, nb, r->k) : bt->scratch_floats(cm, cm->bstate, nb);
    for (int t = 0; t < nt && !rc; t++) {
        if ((rc = am__gemm_ws_reserve(&ts[t].ws, 1)))
            break;
        ts[t].buf = am__alloc_big((sf ? sf : 1) * sizeof(float));
        ts[t].act = stream ? NULL : am__alloc_big(nb * N * sizeof(float));
        ts[t].ans = malloc(nb * sizeof(size_t));
        ts[t].win = malloc(nb * sizeof(size_t));
        if (!ts[t].buf || (!stream && !ts[t].act) || !ts[t].ans || !ts[t].win)
            rc = AM_ENOMEM;
        else if (bt->aux_create)
            rc = bt->aux_create(cm, cm->bstate, &ts[t].aux);
    }
    int fail = rc;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
    for (size_t blk = 0; blk < nblocks; blk++) {
        int err;
#pragma omp atomic read
        err = fail;
        if (err)
            continue;
        thread_space *s = &ts[omp_get_thread_num()];
        am__cblock b = {blk * nb, nq - blk * nb < nb ? nq - blk * nb : nb, s->buf, &s->ws, s->aux};
        int e = stream ? block_stream(cm, cues, r, &b) : block_act(cm, cues, r, act_out, mask, all, &b, s);
        if (e) {
#pragma omp atomic write
            fail = e;
        }
    }
    for (int t = 0; t < nt; t++) {
        am__gemm_ws_free(&ts[t].ws);
        if (ts[t].aux)
            bt->aux_free(ts[t].aux);
        free(ts[t].buf);
        free(ts[t].act);
        free(ts[t].ans);
        free(ts[t].win);
    }
    free(ts);
    free(mask);
    return fail;
}

int am_concepts_recall(am_concepts *cm, const float *const *cues, size_t nq, am_concept_recall *r, int nthreads)
{
    if (!cm || !r || !r->concept || r->k == 0 || r->k > cm->count + (cm->count == 0))
        return cm && cm->count == 0 ? AM_EEMPTY : AM_EINVAL;
    return run_blocks(cm, cues, nq, r, NULL, nthreads);
}

int am_concepts_activation(am_concepts *cm, const float *const *cues, size_t nq, float *act, int nthreads)
{
    if (!act)
        return AM_EINVAL;
    return run_blocks(cm, cues, nq, NULL, act, nthreads);
}

int am_concepts_clone(am_concepts **out, const am_concepts *cm, const am_concepts_config *cfg)
{
    if (!out || !cm)
        return AM_EINVAL;
    *out = NULL;
    am_concepts *c2;
    int rc = am_concepts_create(&c2, cm->mod, cm->nmod, cfg ? cfg : &cm->cfg);
    if (rc)
        return rc;
    for (size_t c = 0; c < cm->count && !rc; c++) {
        const am__cnode *n = cm->node[c];
        size_t idx;
        if ((rc = new_node(c2, n->label, &idx)))
            break;
        am__cnode *k = c2->node[idx];
        k->id = n->id;
        k->parent = n->parent;
        k->obs = n->obs;
        if (n->nchildren) {
            if (!(k->children = malloc(n->nchildren * sizeof(uint64_t)))) {
                rc = AM_ENOMEM;
                break;
            }
            memcpy(k->children, n->children, n->nchildren * sizeof(uint64_t));
            k->nchildren = k->capchildren = n->nchildren;
        }
        for (size_t m = 0; m < cm->nmod && !rc; m++) {
            size_t d = cm->mod[m].dim;
            if (n->n[m]) {
                if (!(k->ex[m] = malloc(n->n[m] * d * sizeof(float)))) {
                    rc = AM_ENOMEM;
                    break;
                }
                memcpy(k->ex[m], n->ex[m], n->n[m] * d * sizeof(float));
                k->n[m] = k->cap[m] = n->n[m];
            }
            if (n->proto[m]) {
                if (!(k->proto[m] = malloc(d * sizeof(float)))) {
                    rc = AM_ENOMEM;
                    break;
                }
                memcpy(k->proto[m], n->proto[m], d * sizeof(float));
            }
        }
    }
    if (!rc) {
        c2->next_id = cm->next_id;
        rc = am__concepts_rehash(c2, c2->count);
    }
    if (rc) {
        am_concepts_free(c2);
        return rc;
    }
    *out = c2;
    return AM_OK;
}
