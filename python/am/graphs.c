/* graphs.c — am.Graph: signed directed graphs (connectomes), their motifs and the degree-preserving null model
 * (am/graph.h), over ext.h.
 *
 * A Graph is immutable once made (from arrays, a file, a generator or a rewiring), so every method only reads it:
 * long calls (counting, listing, rewiring, the null model, reading, generating) mark it read (amx_use) and run
 * with the GIL released, answering Ctrl-C through the library's cancel hook. */
#include "ext.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GRAPH_MAX_THREADS 1024

typedef struct {
    PyObject_HEAD am_graph *g;
    amx_use use;
    size_t stats[4]; /* read_graph of c302's files: the reader's row counts */
    int has_stats;
} GraphObject;

static PyTypeObject GraphType;

static void Graph_dealloc(GraphObject *self)
{
    am_graph_free(self->g);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* A new Graph owning g (freed on failure). */
static PyObject *graph_wrap(am_graph *g)
{
    GraphObject *o = PyObject_New(GraphObject, &GraphType);
    if (!o) {
        am_graph_free(g);
        return NULL;
    }
    o->g = g;
    o->use = (amx_use){0, 0};
    o->has_stats = 0;
    memset(o->stats, 0, sizeof o->stats);
    return (PyObject *)o;
}

/* ------------------------------------------------------------------------------------------------ */
/* Arguments */

/* sign= of the counting methods: 0 (both), 1 (excitatory) or -1 (inhibitory). */
static int sign_conv(PyObject *o, void *out)
{
    amx_int a = AMX_INT("sign", -1, 1, 0);
    if (amx_int_from(o, &a))
        return 0;
    *(int *)out = (int)a.s;
    return 1;
}

/* A motif name ("xor", "xor-induced", "lateral", "signed-xor") as am_motif; ValueError naming `what`. */
static int motif_from(PyObject *o, am_motif *m, const char *what)
{
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be a motif name (str), not %.80s", what, Py_TYPE(o)->tp_name);
        return -1;
    }
    const char *s = PyUnicode_AsUTF8(o);
    if (!s)
        return -1;
    for (int k = 0; k < AM_MOTIFS; k++)
        if (!strcmp(s, am_motif_name((am_motif)k))) {
            *m = (am_motif)k;
            return 0;
        }
    PyErr_Format(PyExc_ValueError, "%s: unknown motif %R (xor, xor-induced, lateral or signed-xor)", what, o);
    return -1;
}

/* motifs= as a list of distinct motifs (None: all four, a str: one); *count of them. */
static int motif_list(PyObject *o, am_motif *ms, size_t *count, const char *what)
{
    *count = 0;
    if (!o || o == Py_None) {
        for (int k = 0; k < AM_MOTIFS; k++)
            ms[(*count)++] = (am_motif)k;
        return 0;
    }
    if (PyUnicode_Check(o)) {
        *count = 1;
        return motif_from(o, ms, what);
    }
    PyObject *seq = PySequence_Fast(o, "motifs must be a motif name, a sequence of them, or None (all)");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int rc = 0;
    if (n < 1 || n > AM_MOTIFS) {
        PyErr_Format(PyExc_ValueError, "%s: %zd motifs given (1 .. %d distinct names)", what, n, AM_MOTIFS);
        rc = -1;
    }
    for (Py_ssize_t i = 0; !rc && i < n; i++) {
        if ((rc = motif_from(PySequence_Fast_GET_ITEM(seq, i), &ms[i], what)))
            break;
        for (Py_ssize_t j = 0; j < i; j++)
            if (ms[j] == ms[i]) {
                PyErr_Format(PyExc_ValueError, "%s: motif '%s' is named twice", what, am_motif_name(ms[i]));
                rc = -1;
            }
        *count = (size_t)i + 1;
    }
    Py_DECREF(seq);
    return rc;
}

/* rng= of the calls whose library function takes a 64-bit seed: an int is that seed (the programs' --seed), an
 * am.Rng or None (am's default stream) gives one draw. */
static int seed_from(PyObject *o, uint64_t *seed)
{
    if (o && o != Py_None && PyLong_Check(o)) {
        amx_int a = AMX_INT("rng", 0, UINT64_MAX, 0);
        if (amx_int_from(o, &a))
            return -1;
        *seed = a.u;
        return 0;
    }
    am_rng tmp, *r = amx_rng_arg(o, &tmp);
    if (!r)
        return -1;
    *seed = am_rng_u64(r);
    return 0;
}

/* A node given by id (int) or name (str): 0 and *node, or -1 with the exception naming `what`. */
static int node_from(const am_graph *g, PyObject *o, size_t *node, const char *what)
{
    if (PyUnicode_Check(o)) {
        const char *s = PyUnicode_AsUTF8(o);
        if (!s)
            return -1;
        if (am_graph_find(g, s, node)) {
            PyErr_Format(PyExc_ValueError, "%s: no node is called %R", what, o);
            return -1;
        }
        return 0;
    }
    size_t n = am_graph_nodes(g);
    amx_int a = AMX_INT(what, 0, n ? n - 1 : 0, 0);
    if (!n) {
        PyErr_Format(PyExc_ValueError, "%s: the graph has no nodes", what);
        return -1;
    }
    if (amx_int_from(o, &a))
        return -1;
    *node = (size_t)a.u;
    return 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* Making graphs */

/* names= as n UTF-8 strings borrowed from the list *keep (a new reference the caller releases), each non-empty,
 * without NUL bytes and distinct. */
static const char **names_from(PyObject *o, size_t *n, PyObject **keep)
{
    *keep = PySequence_Fast(o, "nodes must be a node count (int) or a sequence of node names (str)");
    if (!*keep)
        return NULL;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(*keep);
    const char **names = PyMem_Calloc(len ? (size_t)len : 1, sizeof *names);
    PyObject *seen = PySet_New(NULL);
    if (!names || !seen) {
        PyMem_Free(names);
        Py_XDECREF(seen);
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        PyObject *s = PySequence_Fast_GET_ITEM(*keep, i);
        Py_ssize_t size;
        int dup;
        if (!PyUnicode_Check(s)) {
            PyErr_Format(PyExc_TypeError, "nodes[%zd] must be a name (str), not %.80s", i, Py_TYPE(s)->tp_name);
            goto fail;
        }
        if (!(names[i] = PyUnicode_AsUTF8AndSize(s, &size)))
            goto fail;
        if (size == 0 || (size_t)size != strlen(names[i])) {
            PyErr_Format(PyExc_ValueError, "nodes[%zd] = %R: a name is non-empty and holds no NUL character", i, s);
            goto fail;
        }
        if ((dup = PySet_Contains(seen, s)) != 0 || PySet_Add(seen, s)) {
            if (dup > 0)
                PyErr_Format(PyExc_ValueError, "nodes[%zd] = %R: the name is given twice", i, s);
            goto fail;
        }
    }
    Py_DECREF(seen);
    *n = (size_t)len;
    return names;
fail:
    PyMem_Free(names);
    Py_DECREF(seen);
    return NULL;
}

/* The int64 values of `a` (rows x cols of them) within [lo, hi] and, with nonzero, not 0; else ValueError naming
 * what[i] (what[i, j] for two columns) and the rule. */
static int check_range(PyObject *a, size_t rows, size_t cols, long long lo, long long hi, int nonzero, const char *what,
                       const char *rule)
{
    const int64_t *v = amx_data(a);
    for (size_t i = 0; i < rows * cols; i++)
        if (v[i] < lo || v[i] > hi || (nonzero && v[i] == 0)) {
            if (cols > 1)
                PyErr_Format(PyExc_ValueError, "%s[%zu, %zu] = %lld: %s", what, i / cols, i % cols, (long long)v[i], rule);
            else
                PyErr_Format(PyExc_ValueError, "%s[%zu] = %lld: %s", what, i, (long long)v[i], rule);
            return -1;
        }
    return 0;
}

typedef struct {
    PyObject *edges, *signs, *weights, *nsigns, *keep; /* arrays made here (new references), the names' list */
    const char **names;
    uint32_t *src, *dst;
    int8_t *sign, *nsign;
    float *w;
} build_args;

static void build_args_free(build_args *b)
{
    Py_XDECREF(b->edges), Py_XDECREF(b->signs), Py_XDECREF(b->weights), Py_XDECREF(b->nsigns), Py_XDECREF(b->keep);
    PyMem_Free(b->names), PyMem_Free(b->src), PyMem_Free(b->dst), PyMem_Free(b->sign), PyMem_Free(b->nsign);
    PyMem_Free(b->w);
}

/* A per-edge list (signs, weights) of 1-D length other than m: ValueError saying how many values for how many edges
 * (before the array check, which would read a 1-D list of m != 1 values as that many columns). */
static int per_edge(PyObject *o, size_t m, const char *what)
{
    Py_ssize_t len = PySequence_Check(o) || PyObject_CheckBuffer(o) ? PyObject_Length(o) : -1;
    if (len < 0) {
        PyErr_Clear();
        return 0; /* not sized: the array check says why */
    }
    if ((size_t)len != m)
        return amx_value_error("%s must have one value per edge: %zd given for %zu edge%s", what, len, m,
                               m == 1 ? "" : "s"), -1;
    return 0;
}

/* Graph.from_edges's arrays in the library's types, every value checked with a message naming it. */
static int build_prepare(build_args *b, PyObject *nodes, PyObject *edges, PyObject *signs, PyObject *weights,
                         PyObject *node_signs, size_t *n, size_t *m)
{
    if (PyLong_Check(nodes) || (PyIndex_Check(nodes) && !PySequence_Check(nodes))) {
        amx_int a = AMX_INT("nodes", 0, UINT32_MAX - 1, 0);
        if (amx_int_from(nodes, &a))
            return -1;
        *n = (size_t)a.u;
    } else if (!(b->names = names_from(nodes, n, &b->keep)))
        return -1;
    if (*n > UINT32_MAX - 1)
        return amx_value_error("nodes: %zu names (at most %u nodes)", *n, UINT32_MAX - 1), -1;
    if (!PySequence_Check(edges) && !PyObject_CheckBuffer(edges))
        return PyErr_Format(PyExc_TypeError, "edges must be a sequence of (source, target) pairs or an array of "
                            "shape (m, 2), not %.80s", Py_TYPE(edges)->tp_name), -1;
    Py_ssize_t len = PyObject_Length(edges);
    if (len < 0)
        return -1;
    *m = 0;
    if (len > 0) {
        if (!(b->edges = amx_int64s(edges, 2, 2, 2, "edges")))
            return -1;
        *m = (size_t)amx_rows(b->edges);
        char rule[96];
        snprintf(rule, sizeof rule, "not a node id (0 .. %lld)", (long long)*n - 1);
        if (check_range(b->edges, *m, 2, 0, (long long)*n - 1, 0, "edges", rule))
            return -1;
    }
    size_t mm = *m ? *m : 1;
    b->src = PyMem_Malloc(mm * sizeof *b->src), b->dst = PyMem_Malloc(mm * sizeof *b->dst);
    if (!b->src || !b->dst)
        return PyErr_NoMemory(), -1;
    const int64_t *e = *m ? amx_data(b->edges) : NULL;
    for (size_t k = 0; k < *m; k++)
        b->src[k] = (uint32_t)e[2 * k], b->dst[k] = (uint32_t)e[2 * k + 1];
    if (signs && signs != Py_None) {
        if (!*m)
            return amx_value_error("signs: given for a graph without edges"), -1;
        if (per_edge(signs, *m, "signs") || !(b->signs = amx_int64s(signs, *m, 1, 1, "signs")) || check_range(b->signs, *m, 1, -1, 1, 1, "signs",
                                                                             "must be 1 (excitatory) or -1 (inhibitory)"))
            return -1;
        if (!(b->sign = PyMem_Malloc(*m)))
            return PyErr_NoMemory(), -1;
        for (size_t k = 0; k < *m; k++)
            b->sign[k] = (int8_t)((int64_t *)amx_data(b->signs))[k];
    }
    if (weights && weights != Py_None) {
        if (!*m)
            return amx_value_error("weights: given for a graph without edges"), -1;
        if (per_edge(weights, *m, "weights") || !(b->weights = amx_doubles(weights, *m, 1, 1, "weights")))
            return -1;
        if (!(b->w = PyMem_Malloc(*m * sizeof *b->w)))
            return PyErr_NoMemory(), -1;
        for (size_t k = 0; k < *m; k++) {
            double v = ((double *)amx_data(b->weights))[k];
            if (!(v > 0 && v <= FLT_MAX))
                return amx_value_error("weights[%zu] = %g: must be a finite number > 0 within float range (a synapse "
                                       "count, as read_graph requires)", k, v), -1;
            b->w[k] = (float)v;
        }
    }
    if (node_signs && node_signs != Py_None) {
        if (!*n)
            return amx_value_error("node_signs: given for a graph without nodes"), -1;
        if (!(b->nsigns = amx_int64s(node_signs, *n, 1, 1, "node_signs")) ||
            check_range(b->nsigns, *n, 1, -1, 1, 0, "node_signs", "must be 1, -1 or 0 (unknown)"))
            return -1;
        if (!(b->nsign = PyMem_Malloc(*n)))
            return PyErr_NoMemory(), -1;
        for (size_t u = 0; u < *n; u++)
            b->nsign[u] = (int8_t)((int64_t *)amx_data(b->nsigns))[u];
    }
    return 0;
}

static PyObject *Graph_from_edges(PyObject *cls, PyObject *args, PyObject *kw)
{
    (void)cls;
    static char *kwlist[] = {"nodes", "edges", "signs", "weights", "node_signs", NULL};
    PyObject *nodes, *edges, *signs = NULL, *weights = NULL, *node_signs = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$OOO:Graph.from_edges", kwlist, &nodes, &edges, &signs, &weights,
                                     &node_signs))
        return NULL;
    build_args b = {0};
    size_t n = 0, m = 0;
    am_graph *g = NULL;
    int rc = 0;
    if (!build_prepare(&b, nodes, edges, signs, weights, node_signs, &n, &m)) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_graph_from_edges(&g, n, b.names, b.nsign, m, b.src, b.dst, b.w, b.sign);
        amx_interrupt_end(&it);
        if (rc)
            amx_raise(rc, "Graph.from_edges(%zu nodes, %zu edges)", n, m);
    }
    int failed = PyErr_Occurred() != NULL;
    build_args_free(&b);
    return failed ? NULL : graph_wrap(g);
}

static PyObject *Graph_synthetic(PyObject *cls, PyObject *args, PyObject *kw)
{
    (void)cls;
    static char *kwlist[] = {"nodes", "edges", "inh_share", "sigma", "rng", NULL};
    amx_int n = AMX_INT("nodes", 2, UINT32_MAX - 1, 0), m = AMX_INT("edges", 0, UINT32_MAX, 0);
    amx_real inh = AMX_REAL("inh_share", 0.0, 1.0, 0.2), sigma = AMX_REAL("sigma", 0.0, 4.0, 1.4);
    PyObject *rng = NULL;
    uint64_t seed;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&O&|$O&O&O:Graph.synthetic", kwlist, amx_int_conv, &n, amx_int_conv,
                                     &m, amx_real_conv, &inh, amx_real_conv, &sigma, &rng) ||
        seed_from(rng, &seed))
        return NULL;
    if ((double)m.u > (double)n.u * (double)(n.u - 1) / 4)
        return amx_value_error("Graph.synthetic: edges = %llu is more than nodes (nodes - 1) / 4 = %.0f", m.u,
                               (double)n.u * (double)(n.u - 1) / 4);
    if (amx_fits_memory(40.0 * (double)m.u + 40.0 * (double)n.u, "fewer edges", "Graph.synthetic(%llu nodes, %llu edges)",
                        n.u, m.u))
        return NULL;
    am_graph *g = NULL;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_graph_synthetic(&g, (size_t)n.u, (size_t)m.u, inh.v, sigma.v, seed);
    amx_interrupt_end(&it);
    if (rc)
        return amx_raise(rc, "Graph.synthetic(%llu nodes, %llu edges)%s", n.u, m.u,
                         rc == AM_EINVAL ? ": the degree propensities cannot place that many distinct edges" : "");
    return graph_wrap(g);
}

/* read_graph(path, *, neurons=None, signs=None) */
static PyObject *am_py_read_graph(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *kwlist[] = {"path", "neurons", "signs", NULL};
    PyObject *path, *neurons = Py_None, *signs = Py_None, *p = NULL, *pn = NULL, *ps = NULL, *r = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$OO:read_graph", kwlist, &path, &neurons, &signs))
        return NULL;
    if (amx_path(path, &p) || (neurons != Py_None && amx_path(neurons, &pn)) || (signs != Py_None && amx_path(signs, &ps)))
        goto done;
    char err[1024] = "";
    size_t st[4] = {0, 0, 0, 0};
    am_graph *g = NULL;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = pn ? am_graph_read_c302(&g, PyBytes_AS_STRING(p), PyBytes_AS_STRING(pn), ps ? PyBytes_AS_STRING(ps) : NULL,
                                     st, err, sizeof err)
                : am_graph_read_csv(&g, PyBytes_AS_STRING(p), ps ? PyBytes_AS_STRING(ps) : NULL, err, sizeof err);
    amx_interrupt_end(&it);
    if (rc) {
        amx_raise(rc, "read_graph: %s", err[0] ? err : PyBytes_AS_STRING(p));
        goto done;
    }
    if ((r = graph_wrap(g)) && pn) {
        memcpy(((GraphObject *)r)->stats, st, sizeof st);
        ((GraphObject *)r)->has_stats = 1;
    }
done:
    Py_XDECREF(p), Py_XDECREF(pn), Py_XDECREF(ps);
    return r;
}

/* ------------------------------------------------------------------------------------------------ */
/* Reading a graph */

#define GRAPH_READY(self)                                                                                          \
    do {                                                                                                           \
        if (!(self)->g) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the Graph holds no graph");                                       \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static PyObject *Graph_get_nodes(GraphObject *self, void *u)
{
    (void)u;
    GRAPH_READY(self);
    return PyLong_FromSize_t(am_graph_nodes(self->g));
}
static PyObject *Graph_get_edges(GraphObject *self, void *sign)
{
    GRAPH_READY(self);
    return PyLong_FromSize_t(am_graph_edges(self->g, (int)(intptr_t)sign));
}
static Py_ssize_t Graph_len(GraphObject *self)
{
    if (!self->g) {
        PyErr_SetString(PyExc_RuntimeError, "the Graph holds no graph");
        return -1;
    }
    return (Py_ssize_t)am_graph_nodes(self->g);
}

static PyObject *Graph_get_names(GraphObject *self, void *u)
{
    (void)u;
    GRAPH_READY(self);
    size_t n = am_graph_nodes(self->g);
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t k = 0; l && k < n; k++) {
        PyObject *s = PyUnicode_DecodeUTF8(am_graph_name(self->g, k), (Py_ssize_t)strlen(am_graph_name(self->g, k)),
                                           "surrogateescape");
        if (!s) {
            Py_CLEAR(l);
            break;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)k, s);
    }
    return l;
}

static PyObject *Graph_get_node_signs(GraphObject *self, void *u)
{
    (void)u;
    GRAPH_READY(self);
    size_t n = am_graph_nodes(self->g);
    PyObject *a = amx_new1(AMX_I8, (Py_ssize_t)n, "Graph.node_signs");
    for (size_t k = 0; a && k < n; k++)
        ((int8_t *)amx_data(a))[k] = (int8_t)am_graph_node_sign(self->g, k);
    return a;
}

static PyObject *Graph_get_read_stats(GraphObject *self, void *u)
{
    (void)u;
    GRAPH_READY(self);
    if (!self->has_stats)
        Py_RETURN_NONE;
    return amx_namespace(4, "rows", PyLong_FromSize_t(self->stats[0]), "kept", PyLong_FromSize_t(self->stats[1]),
                         "electrical", PyLong_FromSize_t(self->stats[2]), "not_neuron", PyLong_FromSize_t(self->stats[3]));
}

static PyObject *Graph_find(GraphObject *self, PyObject *name)
{
    GRAPH_READY(self);
    size_t node;
    if (!PyUnicode_Check(name))
        return PyErr_Format(PyExc_TypeError, "Graph.find: name must be a str, not %.80s", Py_TYPE(name)->tp_name);
    if (node_from(self->g, name, &node, "Graph.find: name"))
        return NULL;
    return PyLong_FromSize_t(node);
}

static PyObject *degrees(GraphObject *self, PyObject *args, PyObject *kw, int out)
{
    static char *kwlist[] = {"sign", NULL};
    int sign = 0;
    GRAPH_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, out ? "|O&:out_degree" : "|O&:in_degree", kwlist, sign_conv, &sign))
        return NULL;
    size_t n = am_graph_nodes(self->g);
    PyObject *a = amx_new1(AMX_I64, (Py_ssize_t)n, out ? "Graph.out_degree" : "Graph.in_degree");
    for (size_t k = 0; a && k < n; k++)
        ((int64_t *)amx_data(a))[k] =
            (int64_t)(out ? am_graph_out_degree(self->g, k, sign) : am_graph_in_degree(self->g, k, sign));
    return a;
}
static PyObject *Graph_out_degree(GraphObject *self, PyObject *args, PyObject *kw) { return degrees(self, args, kw, 1); }
static PyObject *Graph_in_degree(GraphObject *self, PyObject *args, PyObject *kw) { return degrees(self, args, kw, 0); }

static PyObject *Graph_has_edge(GraphObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"source", "target", "sign", NULL};
    PyObject *s, *t;
    int sign = 0;
    size_t a, b;
    GRAPH_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$O&:has_edge", kwlist, &s, &t, sign_conv, &sign) ||
        node_from(self->g, s, &a, "source") || node_from(self->g, t, &b, "target"))
        return NULL;
    return PyBool_FromLong(am_graph_has_edge(self->g, a, b, sign));
}

/* edge_arrays() -> namespace(source, target, weight, sign) */
static PyObject *Graph_edge_arrays(GraphObject *self, PyObject *unused)
{
    (void)unused;
    GRAPH_READY(self);
    size_t m = am_graph_edges(self->g, 0);
    PyObject *s = amx_new1(AMX_I64, (Py_ssize_t)m, "Graph.edge_arrays"), *t = amx_new1(AMX_I64, (Py_ssize_t)m, "Graph.edge_arrays");
    PyObject *w = amx_new1(AMX_F32, (Py_ssize_t)m, "Graph.edge_arrays"), *g = amx_new1(AMX_I8, (Py_ssize_t)m, "Graph.edge_arrays");
    size_t done = 0;
    for (size_t k = 0; s && t && w && g && k < m; k++) {
        size_t a, b;
        int sg;
        if (amx_copy_check(&done, 1)) {
            Py_CLEAR(s);
            break;
        }
        am_graph_edge(self->g, k, &a, &b, &((float *)amx_data(w))[k], &sg);
        ((int64_t *)amx_data(s))[k] = (int64_t)a, ((int64_t *)amx_data(t))[k] = (int64_t)b;
        ((int8_t *)amx_data(g))[k] = (int8_t)sg;
    }
    if (!s || !t || !w || !g) {
        Py_XDECREF(s), Py_XDECREF(t), Py_XDECREF(w), Py_XDECREF(g);
        return NULL;
    }
    return amx_namespace(4, "source", s, "target", t, "weight", w, "sign", g);
}

/* ------------------------------------------------------------------------------------------------ */
/* Motifs */

/* Marks the graph read for a long call (RuntimeError on a bad state). */
#define GRAPH_READ(self, what)                                                                                     \
    do {                                                                                                           \
        GRAPH_READY(self);                                                                                         \
        if (amx_use_read(&(self)->use, what))                                                                      \
            return NULL;                                                                                           \
    } while (0)

static PyObject *Graph_count(GraphObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"motif", "threads", NULL};
    PyObject *mo = NULL;
    amx_int threads = AMX_INT("threads", 0, GRAPH_MAX_THREADS, 1);
    am_motif ms[AM_MOTIFS];
    size_t nm;
    GRAPH_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$O&:count", kwlist, &mo, amx_int_conv, &threads) ||
        motif_list(mo, ms, &nm, "Graph.count: motif"))
        return NULL;
    uint64_t c[AM_MOTIFS];
    int rc = 0;
    size_t j = 0;
    GRAPH_READ(self, "Graph.count");
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    for (; j < nm && !rc; j++)
        rc = am_graph_count(self->g, ms[j], (int)threads.u, &c[j]);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    if (rc)
        return amx_raise(rc, "Graph.count('%s')", am_motif_name(ms[j - 1]));
    if (mo && PyUnicode_Check(mo))
        return PyLong_FromUnsignedLongLong(c[0]);
    PyObject *d = PyDict_New();
    for (size_t k = 0; d && k < nm; k++) {
        PyObject *v = PyLong_FromUnsignedLongLong(c[k]);
        if (!v || PyDict_SetItemString(d, am_motif_name(ms[k]), v))
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

typedef struct {
    int64_t *ids;
    size_t count, cap, max;
    int size, failed;
} inst_log;

static int log_instance(const uint32_t *nodes, void *ctx)
{
    inst_log *l = ctx;
    if (l->count == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        if (l->max && cap > l->max)
            cap = l->max;
        int64_t *p = cap > SIZE_MAX / (sizeof *p * (size_t)l->size) ? NULL : realloc(l->ids, cap * l->size * sizeof *p);
        if (!p) {
            l->failed = 1;
            return 1;
        }
        l->ids = p, l->cap = cap;
    }
    for (int k = 0; k < l->size; k++)
        l->ids[l->count * l->size + k] = nodes[k];
    return ++l->count == l->max; /* 1: enough */
}

static PyObject *Graph_instances(GraphObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"motif", "max", NULL};
    PyObject *mo = NULL;
    amx_int max = AMX_INT("max", 0, (unsigned long long)1 << 40, 0);
    am_motif m = AM_MOTIF_XOR;
    GRAPH_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$O&:instances", kwlist, &mo, amx_int_conv, &max) ||
        (mo && motif_from(mo, &m, "Graph.instances: motif")))
        return NULL;
    inst_log l = {NULL, 0, 0, (size_t)max.u, am_motif_size(m), 0};
    GRAPH_READ(self, "Graph.instances");
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_graph_each(self->g, m, log_instance, &l);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    PyObject *r = NULL;
    if (l.failed)
        amx_no_memory("Graph.instances('%s') after %zu instances", am_motif_name(m), l.count);
    else if (rc < 0)
        amx_raise(rc, "Graph.instances('%s')", am_motif_name(m));
    else
        r = amx_copy_out(AMX_I64, l.ids, (Py_ssize_t)l.count, l.size, "Graph.instances");
    free(l.ids);
    return r;
}

static PyObject *Graph_rewire(GraphObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"attempts", "rng", NULL};
    amx_real attempts = AMX_REAL("attempts", 0.0, 1e4, 100.0);
    PyObject *rng = NULL;
    uint64_t seed;
    GRAPH_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&$O:rewire", kwlist, amx_real_conv, &attempts, &rng) ||
        seed_from(rng, &seed))
        return NULL;
    am_graph *r = NULL;
    size_t accepted = 0;
    GRAPH_READ(self, "Graph.rewire");
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_graph_rewire(self->g, attempts.v, seed, &r, &accepted);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    if (rc)
        return amx_raise(rc, "Graph.rewire(attempts=%g)", attempts.v);
    PyObject *g = graph_wrap(r);
    return g ? Py_BuildValue("(Nn)", g, (Py_ssize_t)accepted) : NULL;
}

/* The null model's summary per motif, as `connectome null` prints it: mean, sd (n - 1), enrichment, z, p_upper. */
static PyObject *null_summary(const uint64_t *obs, const uint64_t *counts, size_t graphs, size_t nm, PyObject *names,
                              PyObject *arr, uint64_t seed, const am_null_opts *opts)
{
    PyObject *o = amx_new1(AMX_I64, (Py_ssize_t)nm, "Graph.null"), *mean = amx_new1(AMX_F64, (Py_ssize_t)nm, "Graph.null");
    PyObject *sd = amx_new1(AMX_F64, (Py_ssize_t)nm, "Graph.null"), *z = amx_new1(AMX_F64, (Py_ssize_t)nm, "Graph.null");
    PyObject *en = amx_new1(AMX_F64, (Py_ssize_t)nm, "Graph.null"), *p = amx_new1(AMX_F64, (Py_ssize_t)nm, "Graph.null");
    if (!o || !mean || !sd || !z || !en || !p) {
        Py_XDECREF(o), Py_XDECREF(mean), Py_XDECREF(sd), Py_XDECREF(z), Py_XDECREF(en), Py_XDECREF(p);
        Py_DECREF(names), Py_DECREF(arr);
        return NULL;
    }
    for (size_t k = 0; k < nm; k++) {
        double s1 = 0, s2 = 0;
        uint64_t ge = 0;
        for (size_t i = 0; i < graphs; i++)
            s1 += (double)counts[i * nm + k], ge += counts[i * nm + k] >= obs[k];
        double mu = s1 / (double)graphs;
        for (size_t i = 0; i < graphs; i++)
            s2 += ((double)counts[i * nm + k] - mu) * ((double)counts[i * nm + k] - mu);
        double sdv = sqrt(s2 / (double)(graphs - 1));
        ((int64_t *)amx_data(o))[k] = (int64_t)obs[k];
        ((double *)amx_data(mean))[k] = mu;
        ((double *)amx_data(sd))[k] = sdv;
        ((double *)amx_data(en))[k] = mu > 0 ? (double)obs[k] / mu : INFINITY;
        ((double *)amx_data(z))[k] = sdv > 0 ? ((double)obs[k] - mu) / sdv : NAN;
        ((double *)amx_data(p))[k] = (double)(1 + ge) / (double)(1 + graphs);
    }
    int swap = opts->sampler == AM_NULL_SWAP;
    PyObject *rounds = swap ? Py_NewRef(Py_None) : PyLong_FromUnsignedLong(opts->rounds);
    PyObject *attempts = swap ? PyFloat_FromDouble(opts->attempts_per_edge) : Py_NewRef(Py_None);
    return amx_namespace(12, "motifs", names, "observed", o, "counts", arr, "mean", mean, "sd", sd, "enrichment", en,
                         "z", z, "p_upper", p, "seed", PyLong_FromUnsignedLongLong(seed), "sampler",
                         amx_str(am_null_sampler_name(opts->sampler)), "rounds", rounds, "attempts", attempts);
}

/* Graph.null's sampler from its keywords, as `connectome null` takes them: sampler (None: Curveball), rounds
 * (Curveball only) and attempts (swaps only); a keyword of the other sampler is refused, naming both. */
static int null_opts_from(PyObject *sampler_o, PyObject *rounds_o, PyObject *attempts_o, am_null_opts *o)
{
    const char *sampler = NULL;
    if (sampler_o && sampler_o != Py_None) {
        if (!PyUnicode_Check(sampler_o)) {
            PyErr_Format(PyExc_TypeError, "Graph.null: sampler= is 'curveball' or 'swap', not %.80s",
                         Py_TYPE(sampler_o)->tp_name);
            return -1;
        }
        if (!(sampler = PyUnicode_AsUTF8(sampler_o)))
            return -1;
    }
    /* the ranges of `connectome null` */
    amx_int rounds = AMX_INT("rounds", 1, 100000, AM_NULL_ROUNDS);
    amx_real attempts = AMX_REAL("attempts", 1.0, 1e4, 100.0);
    int has_rounds = rounds_o && rounds_o != Py_None, has_attempts = attempts_o && attempts_o != Py_None;
    am_null_opts_default(o);
    if (!sampler && has_attempts && !has_rounds) /* as the program: swaps when attempts alone is given */
        o->sampler = AM_NULL_SWAP;
    else if (!sampler || !strcmp(sampler, "curveball"))
        o->sampler = AM_NULL_CURVEBALL;
    else if (!strcmp(sampler, "swap"))
        o->sampler = AM_NULL_SWAP;
    else {
        PyErr_Format(PyExc_ValueError, "Graph.null: sampler='%.80s': 'curveball' (the default) or 'swap'", sampler);
        return -1;
    }
    if (o->sampler == AM_NULL_CURVEBALL && has_attempts) {
        PyErr_SetString(PyExc_ValueError, "Graph.null: attempts= applies to sampler='swap' (Curveball takes rounds=)");
        return -1;
    }
    if (o->sampler == AM_NULL_SWAP && has_rounds) {
        PyErr_SetString(PyExc_ValueError, "Graph.null: rounds= applies to sampler='curveball' (swaps take attempts=)");
        return -1;
    }
    if (has_rounds && !amx_int_conv(rounds_o, &rounds))
        return -1;
    if (has_attempts && !amx_real_conv(attempts_o, &attempts))
        return -1;
    o->rounds = (unsigned)rounds.u;
    o->attempts_per_edge = attempts.v;
    return 0;
}

/* Motif names as a tuple of str (NULL with the exception set). */
static PyObject *motif_names(const am_motif *ms, size_t nm)
{
    PyObject *names = PyTuple_New((Py_ssize_t)nm);
    for (size_t k = 0; names && k < nm; k++) {
        PyObject *s = PyUnicode_FromString(am_motif_name(ms[k]));
        if (!s)
            Py_CLEAR(names);
        else
            PyTuple_SET_ITEM(names, (Py_ssize_t)k, s);
    }
    return names;
}

static PyObject *Graph_null(GraphObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"motifs", "graphs", "sampler", "rounds", "attempts", "rng", "threads", NULL};
    PyObject *mo = NULL, *rng = NULL, *sampler = NULL, *rounds_o = NULL, *attempts_o = NULL;
    amx_int graphs = AMX_INT("graphs", 2, 100000, 100), threads = AMX_INT("threads", 0, GRAPH_MAX_THREADS, 1);
    am_motif ms[AM_MOTIFS];
    am_null_opts opts;
    size_t nm;
    uint64_t seed;
    GRAPH_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$O&OOOOO&:null", kwlist, &mo, amx_int_conv, &graphs, &sampler,
                                     &rounds_o, &attempts_o, &rng, amx_int_conv, &threads) ||
        null_opts_from(sampler, rounds_o, attempts_o, &opts) || motif_list(mo, ms, &nm, "Graph.null: motifs") ||
        seed_from(rng, &seed))
        return NULL;
    PyObject *arr = amx_new2(AMX_I64, (Py_ssize_t)graphs.u, (Py_ssize_t)nm, "Graph.null counts");
    PyObject *names = motif_names(ms, nm);
    if (!arr || !names) {
        Py_XDECREF(arr), Py_XDECREF(names);
        return NULL;
    }
    uint64_t obs[AM_MOTIFS];
    int rc = 0;
    if (amx_use_read(&self->use, "Graph.null")) {
        Py_DECREF(arr), Py_DECREF(names);
        return NULL;
    }
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    for (size_t k = 0; k < nm && !rc; k++)
        rc = am_graph_count(self->g, ms[k], (int)threads.u, &obs[k]);
    if (!rc) /* int64 and uint64 share the layout; counts stay far below 2^63 */
        rc = am_graph_null_counts(self->g, ms, nm, (size_t)graphs.u, &opts, seed, (int)threads.u, amx_data(arr));
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    if (rc) {
        Py_DECREF(arr), Py_DECREF(names);
        return amx_raise(rc, "Graph.null(graphs=%llu, sampler='%s')", graphs.u, am_null_sampler_name(opts.sampler));
    }
    return null_summary(obs, amx_data(arr), (size_t)graphs.u, nm, names, arr, seed, &opts);
}

static PyObject *Graph_repr(GraphObject *self)
{
    if (!self->g)
        return PyUnicode_FromString("<am.Graph, empty>");
    return PyUnicode_FromFormat("<am.Graph %zu nodes, %zu excitatory and %zu inhibitory edges>", am_graph_nodes(self->g),
                                am_graph_edges(self->g, AM_EXC), am_graph_edges(self->g, AM_INH));
}

/* ------------------------------------------------------------------------------------------------ */
/* The type */

#define FROM_EDGES_DOC                                                                                             \
    "Graph.from_edges(nodes, edges, *, signs=None, weights=None, node_signs=None) -> Graph\n\n"                   \
    "A signed directed graph. nodes: a count n (names '0', '1', ...) or a sequence of n distinct non-empty\n"     \
    "names. edges: m x 2 node ids (source, target). signs: m values +1 (excitatory) or -1 (inhibitory)\n"         \
    "(default: all +1). weights: m finite synapse counts (default 1). node_signs: n values +1, -1 or 0 (unknown)\n" \
    "kept as the nodes' identities (default: each node's is the sign of its outgoing edges, 0 when it has\n"      \
    "none or both). Self-loops are dropped and repeated (source, target, sign) rows merged, weights summed.\n\n"   \
    "    >>> g = am.Graph.from_edges(['a', 'b', 'c', 'd', 'h', 'o'],\n"                                            \
    "    ...     [[0, 2], [0, 4], [1, 3], [1, 4], [2, 5], [3, 5], [4, 2], [4, 3]], signs=[1] * 6 + [-1] * 2)\n"    \
    "    >>> g.count('xor')\n"                                                                                     \
    "    1"

static PyMethodDef Graph_methods[] = {
    {"from_edges", (PyCFunction)(void (*)(void))Graph_from_edges, METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     FROM_EDGES_DOC},
    {"synthetic", (PyCFunction)(void (*)(void))Graph_synthetic, METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "Graph.synthetic(nodes, edges, *, inh_share=0.2, sigma=1.4, rng=None) -> Graph\n\n"
     "A random signed graph with heavy-tailed degrees: a share inh_share of the nodes inhibitory, edges drawn\n"
     "with probability proportional to log-normal out- and in-propensities of log-sd sigma (0 .. 4), no\n"
     "self-loops or repeats; edges at most nodes (nodes - 1) / 4. rng: an int seed (that of `connectome\n"
     "synthetic --seed`), an am.Rng (one draw), or None (am's default stream).\n\n"
     "    >>> g = am.Graph.synthetic(1000, 20000, rng=1)\n"
     "    >>> g.edges\n"
     "    20000"},
    {"find", (PyCFunction)Graph_find, METH_O, "find(name) -> the id of the node called name (ValueError if none)\n\n"
     "    >>> am.Graph.from_edges(['a', 'b'], [[0, 1]]).find('b')   # 1\n\n"
     "    >>> am.Graph.from_edges(['a', 'b'], [[0, 1]]).find('b')   # 1\n\n"
     "    >>> am.Graph.from_edges(['a', 'b'], [[0, 1]]).find('b')   # 1"},
    {"out_degree", (PyCFunction)(void (*)(void))Graph_out_degree, METH_VARARGS | METH_KEYWORDS,
     "out_degree(sign=0) -> int64 array of every node's out-degree counting edges of one sign (1 excitatory,\n"
     "-1 inhibitory) or both (0)\n\n"
     "    >>> g = am.Graph.from_edges(3, [[0, 1], [0, 2], [1, 2]], signs=[1, -1, 1])\n"
     "    >>> g.out_degree(), g.out_degree(sign=-1)          # [2, 1, 0], [1, 0, 0]\n\n"
     "    >>> g = am.Graph.from_edges(3, [[0, 1], [0, 2], [1, 2]], signs=[1, -1, 1])\n"
     "    >>> g.out_degree(), g.out_degree(sign=-1)          # [2, 1, 0], [1, 0, 0]\n\n"
     "    >>> g = am.Graph.from_edges(3, [[0, 1], [0, 2], [1, 2]], signs=[1, -1, 1])\n"
     "    >>> g.out_degree(), g.out_degree(sign=-1)          # [2, 1, 0], [1, 0, 0]"},
    {"in_degree", (PyCFunction)(void (*)(void))Graph_in_degree, METH_VARARGS | METH_KEYWORDS,
     "in_degree(sign=0) -> int64 array of every node's in-degree (sign as in out_degree)\n\n"
     "    >>> g = am.Graph.from_edges(3, [[0, 1], [0, 2], [1, 2]]); g.in_degree()   # [0, 1, 2]\n\n"
     "    >>> g = am.Graph.from_edges(3, [[0, 1], [0, 2], [1, 2]]); g.in_degree()   # [0, 1, 2]\n\n"
     "    >>> g = am.Graph.from_edges(3, [[0, 1], [0, 2], [1, 2]]); g.in_degree()   # [0, 1, 2]"},
    {"has_edge", (PyCFunction)(void (*)(void))Graph_has_edge, METH_VARARGS | METH_KEYWORDS,
     "has_edge(source, target, *, sign=0) -> bool: the edge source->target (ids or names) of that sign\n"
     "(1, -1; 0: either)\n\n"
     "    >>> g = am.Graph.from_edges(['a', 'b'], [[0, 1]], signs=[-1])\n"
     "    >>> g.has_edge('a', 'b'), g.has_edge(0, 1, sign=1), g.has_edge(1, 0)   # True, False, False\n\n"
     "    >>> g = am.Graph.from_edges(['a', 'b'], [[0, 1]], signs=[-1])\n"
     "    >>> g.has_edge('a', 'b'), g.has_edge(0, 1, sign=1), g.has_edge(1, 0)   # True, False, False\n\n"
     "    >>> g = am.Graph.from_edges(['a', 'b'], [[0, 1]], signs=[-1])\n"
     "    >>> g.has_edge('a', 'b'), g.has_edge(0, 1, sign=1), g.has_edge(1, 0)   # True, False, False"},
    {"edge_arrays", (PyCFunction)Graph_edge_arrays, METH_NOARGS,
     "edge_arrays() -> namespace(source, target, weight, sign): the m edges as arrays (int64, int64, float32,\n"
     "int8), excitatory first, then by source and target.\n\n"
     "    >>> e = g.edge_arrays(); list(zip(e.source[:2], e.target[:2]))"},
    {"count", (PyCFunction)(void (*)(void))Graph_count, METH_VARARGS | METH_KEYWORDS,
     "count(motif=None, *, threads=1) -> int, or {motif: int}\n\n"
     "Instances of a motif ('xor', 'xor-induced', 'lateral', 'signed-xor'; am/graph.h defines them), one int\n"
     "for one name, a dict for a list of names or None (all four). threads=0: all processors; the same counts\n"
     "at any thread count. Releases the GIL; Ctrl-C stops it.\n\n"
     "    >>> g = am.Graph.synthetic(200, 2000, rng=1)\n"
     "    >>> g.count(), g.count('xor')                            # {'xor': ..., 'lateral': ..., ...}, one int"},
    {"instances", (PyCFunction)(void (*)(void))Graph_instances, METH_VARARGS | METH_KEYWORDS,
     "instances(motif='xor', *, max=0) -> int64 array (k x size) of node ids, one row per instance in the\n"
     "order a, b, c, d, h, o (+ p, m for 'signed-xor'; no o for 'lateral'); max > 0 stops after max rows.\n\n"
     "    >>> [[g.names[v] for v in row] for row in g.instances('xor', max=3)]"},
    {"rewire", (PyCFunction)(void (*)(void))Graph_rewire, METH_VARARGS | METH_KEYWORDS,
     "rewire(attempts=100, *, rng=None) -> (Graph, accepted swaps)\n\n"
     "A null graph: endpoints swapped between edges of the same sign, about `attempts` (0 .. 1e4) attempts per\n"
     "edge; every node keeps its in- and out-degree within each sign. rng: an int seed, an am.Rng (one draw)\n"
     "or None.\n\n"
     "    >>> g = am.Graph.synthetic(100, 500, rng=1); r, swaps = g.rewire(50, rng=2)\n"
     "    >>> (r.out_degree() == g.out_degree()).all(), swaps   # degrees kept"},
    {"null", (PyCFunction)(void (*)(void))Graph_null, METH_VARARGS | METH_KEYWORDS,
     "null(motifs=None, *, graphs=100, sampler=None, rounds=40, attempts=100, rng=None, threads=1)\n"
     "    -> namespace\n\n"
     "Motif enrichment against `graphs` (2 .. 1e5) null graphs (graph k drawn from stream (seed, k), as\n"
     "`connectome null --seed`, whose options these keywords are): sampler 'curveball' (per-sign Curveball\n"
     "trades, `rounds` 1 .. 1e5 of them) or 'swap' (edge swaps, `attempts` 1 .. 1e4 per edge); sampler=None\n"
     "is Curveball, or swaps when attempts= alone is given; a keyword of the other sampler raises ValueError. Both keep every node's in- and out-degree within each sign. Returns\n"
     "motifs (names; None: all four), observed (int64), counts (graphs x motifs), mean, sd (n - 1),\n"
     "enrichment (observed / mean), z ((observed - mean) / sd; NaN when sd = 0), p_upper ((1 + graphs\n"
     "counting at least the observed) / (1 + graphs)), seed, sampler, rounds (None for swaps), attempts\n"
     "(None for Curveball). rng: an int seed, an am.Rng (one draw) or None. threads=0: all processors; the\n"
     "same counts at any thread count. Releases the GIL; Ctrl-C stops it.\n\n"
     "    >>> r = g.null('xor', graphs=100, rng=1)\n"
     "    >>> r.z[0], r.p_upper[0]\n"
     "    >>> g.null('xor', graphs=100, sampler='swap', attempts=10, rng=1).z[0]"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Graph_getset[] = {
    {"nodes", (getter)Graph_get_nodes, NULL, "node count", NULL},
    {"edges", (getter)Graph_get_edges, NULL, "edge count (both signs)", (void *)(intptr_t)0},
    {"excitatory_edges", (getter)Graph_get_edges, NULL, "excitatory edge count", (void *)(intptr_t)AM_EXC},
    {"inhibitory_edges", (getter)Graph_get_edges, NULL, "inhibitory edge count", (void *)(intptr_t)AM_INH},
    {"names", (getter)Graph_get_names, NULL, "the node names (a new list)", NULL},
    {"node_signs", (getter)Graph_get_node_signs, NULL, "int8 array: each node's identity, +1, -1 or 0 (unknown)", NULL},
    {"read_stats", (getter)Graph_get_read_stats, NULL,
     "for a graph read from c302's files: namespace(rows, kept, electrical, not_neuron), the edge rows read,\n"
     "chemical neuron-to-neuron rows kept, rows dropped as electrical, chemical rows not between two neurons;\n"
     "None otherwise", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Graph_as_sequence = {.sq_length = (lenfunc)Graph_len};

static PyTypeObject GraphType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Graph",
    .tp_basicsize = sizeof(GraphObject),
    .tp_dealloc = (destructor)Graph_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Graph() is not called (TypeError): a signed directed graph (a connectome; am/graph.h) is made by\n"
              "Graph.from_edges, Graph.synthetic, am.read_graph or Graph.rewire, and is immutable. len(g) is its\n"
              "node count.\n\n"
              "    >>> g = am.Graph.from_edges(3, [[0, 1], [1, 2]], signs=[1, -1])\n"
              "    >>> g.nodes, g.edges, g.has_edge(1, 2, sign=-1)\n"
              "    (3, 2, True)",
    .tp_repr = (reprfunc)Graph_repr,
    .tp_as_sequence = &Graph_as_sequence,
    .tp_methods = Graph_methods,
    .tp_getset = Graph_getset,
};

static PyMethodDef graph_functions[] = {
    {"read_graph", (PyCFunction)(void (*)(void))am_py_read_graph, METH_VARARGS | METH_KEYWORDS,
     "read_graph(path, *, neurons=None, signs=None) -> Graph\n\n"
     "A signed graph from a file: a CSV source,target,weight,sign (header optional; sign + - 1 -1 E I exc inh),\n"
     "or, with neurons= (c302's owmeta_cache.json), the C. elegans connectome as openworm/c302 ships it (path:\n"
     "herm_full_edgelist.csv; chemical synapses between neurons, GABA neurons inhibitory). signs: a CSV of\n"
     "name,sign lines overriding the signs of the nodes it names. Malformed lines raise am.Error naming the\n"
     "file and line.\n\n"
     "    >>> with open('g.csv', 'w') as f: f.write('a,b,1,+\\nb,c,2,-\\nc,a,1,+\\n')\n"
     "    >>> g = am.read_graph('g.csv'); g.nodes, g.edges, g.names   # 3, 3, ['a', 'b', 'c']\n\n"
     "The C. elegans connectome (c302's herm_full_edgelist.csv and owmeta_cache.json):\n"
     "g = am.read_graph('herm_full_edgelist.csv', neurons='owmeta_cache.json') has 302 nodes, 26 inhibitory\n"
     "(int((g.node_signs < 0).sum()))."},
    {NULL, NULL, 0, NULL},
};

int amx_init_graphs(PyObject *m)
{
    if (PyType_Ready(&GraphType) < 0 || PyModule_AddObjectRef(m, "Graph", (PyObject *)&GraphType) ||
        PyModule_AddFunctions(m, graph_functions))
        return -1;
    PyObject *names = PyTuple_New(AM_MOTIFS);
    for (int k = 0; names && k < AM_MOTIFS; k++) {
        PyObject *s = PyUnicode_FromString(am_motif_name((am_motif)k));
        if (!s)
            Py_CLEAR(names);
        else
            PyTuple_SET_ITEM(names, k, s);
    }
    if (!names)
        return -1;
    int rc = PyModule_AddObjectRef(m, "motifs", names);
    Py_DECREF(names);
    return rc;
}
