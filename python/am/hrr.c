/* hrr.c — am.HRR (holographic reduced representations, am/hrr.h) and am.Cleanup (clean-up memory over any store,
 * am/cleanup.h).
 *
 * Both objects are read-only once made, so any number of threads may use one at once (no use marks). Row
 * operations run with the GIL released in chunks of rows with a cancel poll between them (the result of a row
 * does not depend on the chunking, am/hrr.h), so Ctrl-C stops them within a chunk. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ext.h"
#include "am/cleanup.h"
#include "am/hrr.h"

#define CHUNK_FLOATS ((size_t)1 << 22) /* floats of output between cancel polls */

typedef struct {
    PyObject_HEAD am_hrr *h;
    size_t dim;
    am_fft_planning how;
} HRRObject;

static PyTypeObject HRRType, CleanupType;

static void HRR_dealloc(HRRObject *self)
{
    Py_BEGIN_ALLOW_THREADS
    am_hrr_free(self->h);
    Py_END_ALLOW_THREADS
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int HRR_init(HRRObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"dim", "planning", NULL};
    amx_int dim = AMX_INT("dim", 1, 1u << 24, 0);
    const char *planning = "estimate";
    am_fft_planning how;
    int rc;
    if (self->h)
        return amx_value_error("an HRR is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|$s:HRR", names, amx_int_conv, &dim, &planning))
        return -1;
    if (am_fft_planning_parse(planning, &how))
        return amx_value_error("HRR: planning '%s' is not estimate, measure or patient", planning), -1;
    Py_BEGIN_ALLOW_THREADS
    rc = am_hrr_create(&self->h, (size_t)dim.u, how);
    Py_END_ALLOW_THREADS
    if (rc)
        return amx_raise(rc, "HRR(%llu)", dim.u), -1;
    self->dim = (size_t)dim.u;
    self->how = how;
    return 0;
}

static am_hrr *hrr_of(HRRObject *self)
{
    if (!self->h)
        PyErr_SetString(PyExc_RuntimeError, "am.HRR: the object was not initialised (call HRR(dim))");
    return self->h;
}

/* Rows per chunk of work. */
static size_t chunk_rows(size_t dim)
{
    size_t r = CHUNK_FLOATS / dim;
    return r ? r : 1;
}

/* ------------------------------------------------------------------------------------------------ */
/* Row arguments: one vector (1-D) or rows (2-D) of dim floats; pairs broadcast a 1-D one over the other's rows */

typedef struct {
    PyObject *a, *b; /* inputs (b may be NULL) */
    size_t n, lda, ldb;
    int one;         /* every input 1-D: a 1-D result */
} rows2;

static void rows2_free(rows2 *r)
{
    Py_CLEAR(r->a);
    Py_CLEAR(r->b);
}

static int rows2_from(size_t dim, PyObject *ao, PyObject *bo, rows2 *r, const char *what, const char *an,
                      const char *bn)
{
    char w[128];
    memset(r, 0, sizeof *r);
    snprintf(w, sizeof w, "%s: %s (%zu values a row)", what, an, dim);
    if (!(r->a = amx_floats(ao, dim, 1, 2, 0, w)))
        return -1;
    snprintf(w, sizeof w, "%s: %s (%zu values a row)", what, bn, dim);
    if (bo && !(r->b = amx_floats(bo, dim, 1, 2, 0, w))) {
        rows2_free(r);
        return -1;
    }
    size_t na = (size_t)amx_rows(r->a), nb = r->b ? (size_t)amx_rows(r->b) : na;
    int a1 = amx_ndim(r->a) == 1, b1 = r->b ? amx_ndim(r->b) == 1 : a1;
    if (!a1 && !b1 && na != nb) {
        rows2_free(r);
        return amx_value_error("%s: %s has %zu rows but %s has %zu", what, an, na, bn, nb), -1;
    }
    r->one = a1 && b1;
    r->n = a1 ? nb : na;
    r->lda = a1 && !b1 ? 0 : dim;
    r->ldb = b1 && !a1 ? 0 : dim;
    return 0;
}

/* An output of n rows (1-D when one). */
static PyObject *rows_new(size_t n, size_t dim, int one, const char *what)
{
    return one ? amx_new1(AMX_F32, (Py_ssize_t)dim, what) : amx_new2(AMX_F32, (Py_ssize_t)n, (Py_ssize_t)dim, what);
}

typedef enum { OP_BIND, OP_UNBIND, OP_UNBIND_EXACT, OP_UNITARY, OP_INVOLUTION } hrr_op;

/* One chunk of an operation: rows [r0, r0 + n). */
static int op_chunk(const am_hrr *h, hrr_op op, const rows2 *r, size_t r0, size_t n, float *out)
{
    size_t d = am_hrr_dim(h);
    const float *a = (const float *)amx_data(r->a) + r0 * r->lda;
    const float *b = r->b ? (const float *)amx_data(r->b) + r0 * r->ldb : NULL;
    float *o = out + r0 * d;
    switch (op) {
    case OP_BIND:
        return am_hrr_bind(h, n, a, r->lda, b, r->ldb, o, d, NULL);
    case OP_UNBIND:
    case OP_UNBIND_EXACT:
        return am_hrr_unbind(h, n, a, r->lda, b, r->ldb, op == OP_UNBIND ? AM_HRR_INVOLUTION : AM_HRR_EXACT, o, d,
                             NULL);
    case OP_UNITARY:
        return am_hrr_unitary(h, n, a, r->lda, o, d, NULL);
    case OP_INVOLUTION:
        am_hrr_involution(d, n, a, r->lda, o, d);
        return AM_OK;
    }
    return AM_EINVAL;
}

/* Run op over every row in chunks, GIL released, Ctrl-C answered between chunks. */
static PyObject *op_run(HRRObject *self, hrr_op op, PyObject *ao, PyObject *bo, const char *what, const char *an,
                        const char *bn)
{
    rows2 r;
    am_hrr *h = hrr_of(self);
    PyObject *out;
    int rc = AM_OK;
    if (!h || rows2_from(self->dim, ao, bo, &r, what, an, bn))
        return NULL;
    if (!(out = rows_new(r.n, self->dim, r.one, what))) {
        rows2_free(&r);
        return NULL;
    }
    size_t step = chunk_rows(self->dim);
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    for (size_t r0 = 0; r0 < r.n && !rc; r0 += step)
        if (!(rc = r0 ? am_cancel_poll() : AM_OK))
            rc = op_chunk(h, op, &r, r0, r.n - r0 < step ? r.n - r0 : step, amx_data(out));
    amx_interrupt_end(&it);
    rows2_free(&r);
    if (rc) {
        Py_DECREF(out);
        if (rc == AM_ENOTFINITE)
            return amx_raise(rc, "%s: %s has a row with a vanishing Fourier component (no exact inverse; use "
                             "exact=False or a unitary vector)", what, bn);
        return amx_raise(rc, "%s (%zu rows)", what, r.n);
    }
    return out;
}

static PyObject *HRR_bind(HRRObject *self, PyObject *args)
{
    PyObject *a, *b;
    if (!PyArg_ParseTuple(args, "OO:bind", &a, &b))
        return NULL;
    return op_run(self, OP_BIND, a, b, "HRR.bind", "a", "b");
}

static PyObject *HRR_unbind(HRRObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"t", "a", "exact", NULL};
    PyObject *t, *a;
    int exact = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$p:unbind", names, &t, &a, &exact))
        return NULL;
    return op_run(self, exact ? OP_UNBIND_EXACT : OP_UNBIND, t, a, "HRR.unbind", "t", "a");
}

static PyObject *HRR_unitary(HRRObject *self, PyObject *x)
{
    return op_run(self, OP_UNITARY, x, NULL, "HRR.unitary", "x", "");
}

static PyObject *HRR_involution(HRRObject *self, PyObject *x)
{
    return op_run(self, OP_INVOLUTION, x, NULL, "HRR.involution", "x", "");
}

/* ------------------------------------------------------------------------------------------------ */
/* random, encode, bundle, permute, shift, cosine */

static PyObject *HRR_random(HRRObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"n", "rng", "unitary", NULL};
    PyObject *no = Py_None, *rngo = NULL, *out;
    amx_int n = AMX_INT("n", 0, AMX_SSIZE_MAX, 1);
    int unitary = 0, rc = AM_OK;
    am_rng tmp, *rng;
    am_hrr *h = hrr_of(self);
    if (!h || !PyArg_ParseTupleAndKeywords(args, kw, "|O$Op:random", names, &no, &rngo, &unitary) ||
        (no != Py_None && amx_int_from(no, &n)) || !(rng = amx_rng_arg(rngo, &tmp)) ||
        amx_fits_memory((double)n.u * (double)self->dim * sizeof(float), "fewer rows", "HRR.random(%llu)", n.u) ||
        !(out = rows_new((size_t)n.u, self->dim, no == Py_None, "HRR.random")))
        return NULL;
    float *x = amx_data(out);
    size_t step = chunk_rows(self->dim);
    /* An am.Rng or the default stream other threads may share is drawn with the GIL held (signals checked per
     * chunk); a seed's own stream with the GIL released (the cancel hook polled per chunk). Row by row either way:
     * the same rows as calls for fewer rows in turn. */
    int own = rng == &tmp;
    amx_interrupt it;
    amx_interrupt_begin(&it, own);
    for (size_t r0 = 0; r0 < n.u && !rc; r0 += step) {
        size_t k = n.u - r0 < step ? (size_t)n.u - r0 : step;
        if (r0 && (rc = am_cancel_poll()))
            break;
        am_hrr_random(rng, k, self->dim, x + r0 * self->dim);
        if (unitary)
            rc = am_hrr_unitary(h, k, x + r0 * self->dim, self->dim, x + r0 * self->dim, self->dim, NULL);
    }
    amx_interrupt_end(&it);
    if (rc) {
        Py_DECREF(out);
        return amx_raise(rc, "HRR.random");
    }
    return out;
}

/* items: a sequence of K arrays (1-D, or n x dim with one n); pointers and strides into ptr/ld, inputs in held. */
static int encode_items(size_t dim, PyObject *items, size_t K, PyObject **held, const float **ptr, size_t *ld,
                        size_t *n, int *one)
{
    *n = 1;
    *one = 1;
    for (size_t k = 0; k < K; k++) {
        char w[96];
        snprintf(w, sizeof w, "HRR.encode: items[%zu] (%zu values a row)", k, dim);
        if (!(held[k] = amx_floats(PyTuple_GET_ITEM(items, (Py_ssize_t)k), dim, 1, 2, 0, w)))
            return -1;
        ptr[k] = amx_data(held[k]);
        ld[k] = amx_ndim(held[k]) == 1 ? 0 : dim;
        if (ld[k] && !*one && (size_t)amx_rows(held[k]) != *n)
            return amx_value_error("HRR.encode: items[%zu] has %zd rows, the others %zu", k, amx_rows(held[k]), *n), -1;
        if (ld[k]) {
            *n = (size_t)amx_rows(held[k]);
            *one = 0;
        }
    }
    return 0;
}

static PyObject *HRR_encode(HRRObject *self, PyObject *args)
{
    PyObject *ro, *io, *roles = NULL, *items = NULL, *out = NULL, **held = NULL;
    const float **ptr = NULL;
    size_t *ld = NULL, n = 0, K = 0;
    int one, rc = AM_OK;
    char w[96];
    am_hrr *h = hrr_of(self);
    if (!h || !PyArg_ParseTuple(args, "OO:encode", &ro, &io))
        return NULL;
    snprintf(w, sizeof w, "HRR.encode: roles (K x %zu)", self->dim);
    if (!(roles = amx_floats(ro, self->dim, 2, 2, 0, w)))
        return NULL;
    K = (size_t)amx_rows(roles);
    if (PyUnicode_Check(io) || PyBytes_Check(io) || !(items = PySequence_Tuple(io))) {
        if (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "HRR.encode: items must be a sequence of K arrays, not %.100s",
                         Py_TYPE(io)->tp_name);
        }
    } else if ((size_t)PyTuple_GET_SIZE(items) != K) {
        amx_value_error("HRR.encode: %zd items for %zu roles", PyTuple_GET_SIZE(items), K);
    } else if (!(held = PyMem_Calloc(K, sizeof *held)) || !(ptr = PyMem_Calloc(K, sizeof *ptr)) ||
               !(ld = PyMem_Calloc(K, sizeof *ld))) {
        PyErr_NoMemory();
    } else if (!encode_items(self->dim, items, K, held, ptr, ld, &n, &one) &&
               (out = rows_new(n, self->dim, one, "HRR.encode"))) {
        size_t step = chunk_rows(self->dim);
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        for (size_t r0 = 0; r0 < n && !rc; r0 += step) {
            const float *p[64], **pp = K <= 64 ? p : NULL;
            size_t m = n - r0 < step ? n - r0 : step;
            if (r0 && (rc = am_cancel_poll()))
                break;
            if (!pp && !(pp = malloc(K * sizeof *pp))) {
                rc = AM_ENOMEM;
                break;
            }
            for (size_t k = 0; k < K; k++)
                pp[k] = ptr[k] + r0 * ld[k];
            rc = am_hrr_encode(h, m, K, amx_data(roles), pp, ld, (float *)amx_data(out) + r0 * self->dim, self->dim,
                               NULL);
            if (pp != p)
                free(pp);
        }
        amx_interrupt_end(&it);
        if (rc) {
            Py_CLEAR(out);
            amx_raise(rc, "HRR.encode (%zu roles, %zu rows)", K, n);
        }
    }
    for (size_t k = 0; held && k < K; k++)
        Py_XDECREF(held[k]);
    PyMem_Free(held);
    PyMem_Free(ptr);
    PyMem_Free(ld);
    Py_XDECREF(items);
    Py_DECREF(roles);
    return out;
}

static PyObject *HRR_bundle(HRRObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "weights", "normalise", NULL};
    PyObject *xo, *wo = Py_None, *x, *w = NULL, *out;
    int normalise = 0;
    char what[96];
    if (!hrr_of(self) || !PyArg_ParseTupleAndKeywords(args, kw, "O|O$p:bundle", names, &xo, &wo, &normalise))
        return NULL;
    snprintf(what, sizeof what, "HRR.bundle: x (%zu values a row)", self->dim);
    if (!(x = amx_floats(xo, self->dim, 1, 2, 0, what)))
        return NULL;
    size_t n = (size_t)amx_rows(x);
    snprintf(what, sizeof what, "HRR.bundle: weights (one for each of the %zu rows)", n);
    if ((wo != Py_None && !(w = amx_floats(wo, n, 1, 1, 0, what))) ||
        !(out = amx_new1(AMX_F32, (Py_ssize_t)self->dim, "HRR.bundle"))) {
        Py_DECREF(x);
        Py_XDECREF(w);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    am_hrr_bundle(self->dim, n, amx_data(x), self->dim, w ? amx_data(w) : NULL, normalise, amx_data(out));
    Py_END_ALLOW_THREADS
    Py_DECREF(x);
    Py_XDECREF(w);
    return out;
}

/* permute (perm != NULL) or shift by k: rows of x, no FFT. */
static PyObject *move_rows(HRRObject *self, PyObject *xo, const uint32_t *perm, long k, const char *what)
{
    rows2 r;
    PyObject *out;
    if (rows2_from(self->dim, xo, NULL, &r, what, "x", ""))
        return NULL;
    if (!(out = rows_new(r.n, self->dim, r.one, what))) {
        rows2_free(&r);
        return NULL;
    }
    size_t step = chunk_rows(self->dim), d = self->dim;
    int rc = AM_OK;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    for (size_t r0 = 0; r0 < r.n && !rc; r0 += step) {
        size_t m = r.n - r0 < step ? r.n - r0 : step;
        const float *x = (const float *)amx_data(r.a) + r0 * d;
        float *o = (float *)amx_data(out) + r0 * d;
        if (r0 && (rc = am_cancel_poll()))
            break;
        if (perm)
            am_hrr_permute(d, m, x, d, perm, o, d);
        else
            am_hrr_shift(d, m, x, d, k, o, d);
    }
    amx_interrupt_end(&it);
    rows2_free(&r);
    if (rc) {
        Py_DECREF(out);
        return amx_raise(rc, "%s (%zu rows)", what, r.n);
    }
    return out;
}

static PyObject *HRR_permute(HRRObject *self, PyObject *args)
{
    PyObject *xo, *po, *p, *out = NULL;
    char what[96];
    if (!hrr_of(self) || !PyArg_ParseTuple(args, "OO:permute", &xo, &po))
        return NULL;
    snprintf(what, sizeof what, "HRR.permute: perm (a permutation of 0 .. %zu)", self->dim - 1);
    if (!(p = amx_int64s(po, self->dim, 1, 1, what)))
        return NULL;
    uint32_t *perm = PyMem_Malloc(self->dim * sizeof *perm);
    unsigned char *seen = PyMem_Calloc(self->dim, 1);
    const int64_t *v = amx_data(p);
    if (!perm || !seen) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t i = 0; i < self->dim; i++) {
        if (v[i] < 0 || (uint64_t)v[i] >= self->dim || seen[v[i]]) {
            amx_value_error("HRR.permute: perm[%zu] = %lld %s", i, (long long)v[i],
                            v[i] < 0 || (uint64_t)v[i] >= self->dim ? "is out of 0 .. dim-1" : "repeats a value");
            goto done;
        }
        seen[v[i]] = 1;
        perm[i] = (uint32_t)v[i];
    }
    out = move_rows(self, xo, perm, 0, "HRR.permute");
done:
    PyMem_Free(perm);
    PyMem_Free(seen);
    Py_DECREF(p);
    return out;
}

static PyObject *HRR_shift(HRRObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "k", NULL};
    PyObject *xo;
    amx_int k = AMX_INT("k", LLONG_MIN, LLONG_MAX, 1);
    if (!hrr_of(self) || !PyArg_ParseTupleAndKeywords(args, kw, "O|O&:shift", names, &xo, amx_int_conv, &k))
        return NULL;
    long long d = (long long)self->dim, s = k.s % d;
    return move_rows(self, xo, NULL, (long)s, "HRR.shift");
}

static PyObject *HRR_cosine(HRRObject *self, PyObject *args)
{
    PyObject *ao, *bo, *out;
    rows2 r;
    if (!hrr_of(self) || !PyArg_ParseTuple(args, "OO:cosine", &ao, &bo) ||
        rows2_from(self->dim, ao, bo, &r, "HRR.cosine", "a", "b"))
        return NULL;
    if (r.one) {
        double c = am_hrr_cosine(self->dim, amx_data(r.a), amx_data(r.b));
        rows2_free(&r);
        return PyFloat_FromDouble(c);
    }
    if ((out = amx_new1(AMX_F64, (Py_ssize_t)r.n, "HRR.cosine"))) {
        double *c = amx_data(out);
        const float *a = amx_data(r.a), *b = amx_data(r.b);
        Py_BEGIN_ALLOW_THREADS
        for (size_t i = 0; i < r.n; i++)
            c[i] = am_hrr_cosine(self->dim, a + i * r.lda, b + i * r.ldb);
        Py_END_ALLOW_THREADS
    }
    rows2_free(&r);
    return out;
}

static PyObject *HRR_get_dim(HRRObject *self, void *u)
{
    (void)u;
    return hrr_of(self) ? PyLong_FromSize_t(self->dim) : NULL;
}

static PyObject *HRR_get_planning(HRRObject *self, void *u)
{
    (void)u;
    return hrr_of(self) ? PyUnicode_FromString(am_fft_planning_name(self->how)) : NULL;
}

static PyObject *HRR_repr(HRRObject *self)
{
    if (!self->h)
        return PyUnicode_FromString("<am.HRR (not initialised)>");
    return PyUnicode_FromFormat("<am.HRR dim=%zu>", self->dim);
}

static PyMethodDef HRR_methods[] = {
    {"random", (PyCFunction)(void (*)(void))HRR_random, METH_VARARGS | METH_KEYWORDS,
     "random(n=None, *, rng=None, unitary=False) -> float32 (dim,) or (n, dim)\n"
     "Random vectors with i.i.d. N(0, 1/dim) components (length about 1); unitary=True projects them to unitary\n"
     "vectors (|F(x)| = 1: exact unbinding, lengths kept).\n"
     "    >>> h = am.HRR(1024); roles = h.random(3, rng=1, unitary=True)"},
    {"bind", (PyCFunction)HRR_bind, METH_VARARGS,
     "bind(a, b) -> a (*) b\nCircular convolution of rows (a 1-D argument binds with every row of the other).\n\n"
     "    >>> h.cosine(h.bind(role, filler), filler)          # about 0: the binding resembles neither\n\n"
     "    >>> h.cosine(h.bind(role, filler), filler)          # about 0: the binding resembles neither\n\n"
     "    >>> h.cosine(h.bind(role, filler), filler)          # about 0: the binding resembles neither"},
    {"unbind", (PyCFunction)(void (*)(void))HRR_unbind, METH_VARARGS | METH_KEYWORDS,
     "unbind(t, a, *, exact=False) -> a^+ (*) t\n"
     "Circular correlation (the involution, approximate inverse), or with exact=True the exact inverse (am.Error\n"
     "for a row of a with a vanishing Fourier component).\n"
     "    >>> t = h.bind(role, filler); h.cosine(h.unbind(t, role), filler)   # about 0.7 (1.0 for a unitary role)"},
    {"unitary", (PyCFunction)HRR_unitary, METH_O, "unitary(x)\nThe unitary projection of rows (|F(x)_f| = 1).\n\n"
     "    >>> u = h.unitary(role); h.cosine(h.unbind(h.bind(u, filler), u), filler)   # about 1\n\n"
     "    >>> u = h.unitary(role); h.cosine(h.unbind(h.bind(u, filler), u), filler)   # about 1\n\n"
     "    >>> u = h.unitary(role); h.cosine(h.unbind(h.bind(u, filler), u), filler)   # about 1"},
    {"involution", (PyCFunction)HRR_involution, METH_O, "involution(x)\nx^+_i = x_(-i mod dim), rows.\n\n"
     "    >>> (h.involution(h.involution(role)) == role).all()   # True\n\n"
     "    >>> (h.involution(h.involution(role)) == role).all()   # True\n\n"
     "    >>> (h.involution(h.involution(role)) == role).all()   # True"},
    {"encode", (PyCFunction)HRR_encode, METH_VARARGS,
     "encode(roles, items) -> sum_k roles[k] (*) items[k]\n"
     "roles: K x dim; items: K arrays, each one vector (used for every row) or n x dim rows: n traces.\n"
     "    >>> roles = h.random(3, rng=3); colour, shape, size = h.random(3, rng=4)\n"
     "    >>> trace = h.encode(roles, [colour, shape, size]); h.cosine(h.unbind(trace, roles[1]), shape)"},
    {"bundle", (PyCFunction)(void (*)(void))HRR_bundle, METH_VARARGS | METH_KEYWORDS,
     "bundle(x, weights=None, *, normalise=False) -> (dim,)\n"
     "The (weighted) sum of the rows of x; normalise: length 1.\n\n"
     "    >>> b = h.bundle(vocab[:3], normalise=True); h.cosine(b, vocab[:4])   # high for the 3, low for the 4th\n\n"
     "    >>> b = h.bundle(vocab[:3], normalise=True); h.cosine(b, vocab[:4])   # high for the 3, low for the 4th\n\n"
     "    >>> b = h.bundle(vocab[:3], normalise=True); h.cosine(b, vocab[:4])   # high for the 3, low for the 4th"},
    {"permute", (PyCFunction)HRR_permute, METH_VARARGS,
     "permute(x, perm)\nout_i = x_perm[i] for rows; perm: a permutation of 0 .. dim-1.\n\n"
     "    >>> p = np.random.default_rng(1).permutation(1024); h.cosine(h.permute(role, p), role)   # about 0\n\n"
     "    >>> p = np.random.default_rng(1).permutation(1024); h.cosine(h.permute(role, p), role)   # about 0\n\n"
     "    >>> p = np.random.default_rng(1).permutation(1024); h.cosine(h.permute(role, p), role)   # about 0"},
    {"shift", (PyCFunction)(void (*)(void))HRR_shift, METH_VARARGS | METH_KEYWORDS,
     "shift(x, k=1)\nCyclic shift of rows by k (any integer): out_i = x_(i-k mod dim).\n\n"
     "    >>> h.shift(np.arange(1024.0), 2)[:3]                # [1022, 1023, 0]\n\n"
     "    >>> h.shift(np.arange(1024.0), 2)[:3]                # [1022, 1023, 0]\n\n"
     "    >>> h.shift(np.arange(1024.0), 2)[:3]                # [1022, 1023, 0]"},
    {"cosine", (PyCFunction)HRR_cosine, METH_VARARGS,
     "cosine(a, b) -> float, or float64 array for rows\nThe cosine (0 when either is zero), in double.\n\n"
     "    >>> h.cosine(role, role), h.cosine(vocab, filler)    # 1.0, one per row\n\n"
     "    >>> h.cosine(role, role), h.cosine(vocab, filler)    # 1.0, one per row\n\n"
     "    >>> h.cosine(role, role), h.cosine(vocab, filler)    # 1.0, one per row"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef HRR_getset[] = {
    {"dim", (getter)HRR_get_dim, NULL, "the dimension", NULL},
    {"planning", (getter)HRR_get_planning, NULL, "how the FFTW plans were made (estimate, measure, patient)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject HRRType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.HRR",
    .tp_basicsize = sizeof(HRRObject),
    .tp_dealloc = (destructor)HRR_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "HRR(dim, *, planning='estimate')\n"
              "Holographic reduced representations (Plate 1995; am/hrr.h) of dimension dim (1 .. 2^24), in single\n"
              "precision through FFTW (planning: estimate, measure or patient). Every operation takes one vector or\n"
              "rows (float32 arrays of dim columns) and gives the same bits whatever the number of rows.\n"
              "\n"
              "    >>> h = am.HRR(1024)\n"
              "    >>> role, filler = h.random(2, rng=1)\n"
              "    >>> t = h.bind(role, filler)\n"
              "    >>> h.cosine(h.unbind(t, role), filler) > 0.5\n"
              "    True\n"
              "    >>> vocab = np.vstack([h.random(9, rng=2), filler])   # 10 items, the filler last\n"
              "    >>> am.Cleanup(vocab).run(h.unbind(t, role))       # back to the nearest item: 9",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)HRR_init,
    .tp_repr = (reprfunc)HRR_repr,
    .tp_methods = HRR_methods,
    .tp_getset = HRR_getset,
};

/* ------------------------------------------------------------------------------------------------ */
/* Cleanup(items, model='modern', **params) */

typedef struct {
    PyObject_HEAD am_cleanup *c;
    size_t dim;
} CleanupObject;

static void Cleanup_dealloc(CleanupObject *self)
{
    am_cleanup_free(self->c);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* One store parameter from a keyword (str, int or float as text; "lambda_" for "lambda"). */
static int cleanup_param(am_store_config *cfg, PyObject *key, PyObject *v)
{
    char name[64], why[200];
    const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
    if (!k)
        return PyErr_Occurred() ? -1 : (PyErr_SetString(PyExc_TypeError, "Cleanup: keywords must be str"), -1);
    snprintf(name, sizeof name, "%s", k);
    size_t len = strlen(name);
    if (len > 1 && name[len - 1] == '_')
        name[len - 1] = 0;
    PyObject *text = PyUnicode_Check(v) ? Py_NewRef(v)
                     : PyLong_Check(v) && !PyBool_Check(v) ? PyObject_Str(v)
                     : PyFloat_Check(v) ? PyObject_Repr(v) : NULL;
    if (!text)
        return PyErr_Occurred() ? -1 : (PyErr_Format(PyExc_TypeError, "Cleanup: %s must be a str, int or float, not "
                                                     "%.100s", k, Py_TYPE(v)->tp_name), -1);
    const char *t = PyUnicode_AsUTF8(text);
    if (t && (am_store_type_flags(cfg->type) & AM_STORE_REAL) && !strcmp(name, "beta")) {
        Py_DECREF(text);
        return amx_value_error("Cleanup: beta has no effect on the %s store's clean-up (the item of the largest dot "
                               "product answers)", am_store_type_name(cfg->type)), -1;
    }
    int rc = t ? am_store_config_set(cfg, name, t, why, sizeof why) : AM_EINVAL;
    if (t && rc == AM_EUNSUPPORTED)
        PyErr_Format(PyExc_TypeError, "Cleanup: model '%s' has no parameter '%s'", am_store_type_name(cfg->type), name);
    else if (t && rc)
        amx_value_error("Cleanup: %s = %s: %s", name, t, why);
    Py_DECREF(text);
    return rc ? -1 : 0;
}

/* The store configuration: model (not a sequence store) for dim units, with the keyword parameters of kw. */
static int cleanup_config(am_store_config *cfg, const char *model, size_t dim, PyObject *kw)
{
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    char why[200];
    const am_store_type *t = am_store_type_find(model);
    if (!t || (am_store_type_flags(t) & AM_STORE_SEQUENCE))
        return amx_value_error("Cleanup: model '%s' is not a store type that cleans up (not a sequence store: %s)",
                               model, am_store_type_list()), -1;
    am_store_config_default(cfg, t, dim);
    while (kw && PyDict_Next(kw, &pos, &key, &val)) {
        if (PyUnicode_Check(key) && !strcmp(PyUnicode_AsUTF8(key), "model"))
            continue;
        if (val != Py_None && cleanup_param(cfg, key, val))
            return -1;
    }
    if (am_store_config_check(cfg, why, sizeof why))
        return amx_value_error("Cleanup(model='%s'): %s", model, why), -1;
    return 0;
}

static int Cleanup_init(CleanupObject *self, PyObject *args, PyObject *kw)
{
    PyObject *io, *items, *mo = kw ? PyDict_GetItemString(kw, "model") : NULL, *pos = NULL;
    const char *model = "modern";
    am_store_config cfg;
    int rc;
    if (self->c)
        return amx_value_error("a Cleanup is initialised once"), -1;
    if (!PyArg_ParseTuple(args, "O|O:Cleanup", &io, &pos))
        return -1;
    if (pos && mo)
        return PyErr_SetString(PyExc_TypeError, "Cleanup: model given twice (positional and keyword)"), -1;
    mo = pos ? pos : mo;
    if (mo && mo != Py_None && !(model = PyUnicode_Check(mo) ? PyUnicode_AsUTF8(mo) : NULL))
        return PyErr_Occurred() ? -1 : (PyErr_Format(PyExc_TypeError, "Cleanup: model must be a str, not %.100s",
                                                     Py_TYPE(mo)->tp_name), -1);
    if (!(items = amx_floats(io, 0, 2, 2, 0, "Cleanup: items (n x dim)")))
        return -1;
    size_t n = (size_t)amx_rows(items), dim = (size_t)amx_cols(items);
    if (n == 0 || cleanup_config(&cfg, model, dim, kw)) {
        if (n == 0)
            amx_value_error("Cleanup: items has no rows");
        Py_DECREF(items);
        return -1;
    }
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    rc = am_cleanup_create(&self->c, &cfg, amx_data(items), n);
    amx_interrupt_end(&it);
    Py_DECREF(items);
    if (rc)
        return amx_raise(rc, "Cleanup(%zu items of %zu, model='%s')", n, dim, model), -1;
    self->dim = dim;
    return 0;
}

static am_cleanup *cleanup_of(CleanupObject *self)
{
    if (!self->c)
        PyErr_SetString(PyExc_RuntimeError, "am.Cleanup: the object was not initialised (call Cleanup(items))");
    return self->c;
}

static PyObject *Cleanup_run(CleanupObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"cues", "seed", NULL};
    PyObject *co, *cues, *idx;
    amx_int seed = AMX_INT("seed", 0, UINT64_MAX, 0);
    char what[96];
    am_cleanup *c = cleanup_of(self);
    if (!c || !PyArg_ParseTupleAndKeywords(args, kw, "O|$O&:run", names, &co, amx_int_conv, &seed))
        return NULL;
    snprintf(what, sizeof what, "Cleanup.run: cues (%zu values a row)", self->dim);
    if (!(cues = amx_floats(co, self->dim, 1, 2, 0, what)))
        return NULL;
    size_t nq = (size_t)amx_rows(cues);
    size_t *ix = PyMem_Malloc((nq ? nq : 1) * sizeof *ix);
    if (!ix || !(idx = amx_new1(AMX_I64, (Py_ssize_t)nq, "Cleanup.run"))) {
        PyMem_Free(ix);
        Py_DECREF(cues);
        return ix ? NULL : PyErr_NoMemory();
    }
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_cleanup_run(c, amx_data(cues), nq, (uint64_t)seed.u, ix);
    amx_interrupt_end(&it);
    for (size_t q = 0; !rc && q < nq; q++)
        ((int64_t *)amx_data(idx))[q] = (int64_t)ix[q];
    PyMem_Free(ix);
    int one = amx_ndim(cues) == 1;
    Py_DECREF(cues);
    if (rc) {
        Py_DECREF(idx);
        return amx_raise(rc, "Cleanup.run (%zu cues)", nq);
    }
    if (!one)
        return idx;
    PyObject *r = PyLong_FromLongLong(((int64_t *)amx_data(idx))[0]);
    Py_DECREF(idx);
    return r;
}

static PyObject *Cleanup_get_size(CleanupObject *self, void *u)
{
    (void)u;
    return cleanup_of(self) ? PyLong_FromSize_t(am_cleanup_size(self->c)) : NULL;
}

static PyObject *Cleanup_get_dim(CleanupObject *self, void *u)
{
    (void)u;
    return cleanup_of(self) ? PyLong_FromSize_t(self->dim) : NULL;
}

static PyObject *Cleanup_get_model(CleanupObject *self, void *u)
{
    char buf[256];
    am_store_config cfg;
    (void)u;
    if (!cleanup_of(self))
        return NULL;
    am_store_config_of(am_cleanup_store(self->c), &cfg);
    am_store_config_describe(&cfg, buf, sizeof buf);
    return PyUnicode_FromString(buf);
}

static Py_ssize_t Cleanup_len(CleanupObject *self) { return self->c ? (Py_ssize_t)am_cleanup_size(self->c) : 0; }

static PyObject *Cleanup_repr(CleanupObject *self)
{
    if (!self->c)
        return PyUnicode_FromString("<am.Cleanup (not initialised)>");
    PyObject *m = Cleanup_get_model(self, NULL);
    if (!m)
        return NULL;
    PyObject *r = PyUnicode_FromFormat("<am.Cleanup %zu items of %zu, %U>", am_cleanup_size(self->c), self->dim, m);
    Py_DECREF(m);
    return r;
}

static PyMethodDef Cleanup_methods[] = {
    {"run", (PyCFunction)(void (*)(void))Cleanup_run, METH_VARARGS | METH_KEYWORDS,
     "run(cues, *, seed=0) -> index, or int64 array of indices for rows\n"
     "The item each cue cleans up to. Binary stores recall the cue's signs (random order from (seed, cue's row));\n"
     "the modern store answers with the largest dot product.\n"
     "    >>> noisy_rows = vocab[[3, 1]] + 0.05 * np.random.default_rng(1).normal(size=(2, 1024))\n"
     "    >>> cl = am.Cleanup(vocab); cl.run(noisy_rows)          # [3, 1]"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Cleanup_getset[] = {
    {"size", (getter)Cleanup_get_size, NULL, "number of items (also len())", NULL},
    {"dim", (getter)Cleanup_get_dim, NULL, "the items' dimension", NULL},
    {"model", (getter)Cleanup_get_model, NULL, "the store's description ('modern beta=...')", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Cleanup_seq = {.sq_length = (lenfunc)Cleanup_len};

static PyTypeObject CleanupType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Cleanup",
    .tp_basicsize = sizeof(CleanupObject),
    .tp_dealloc = (destructor)Cleanup_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Cleanup(items, model='modern', rule='hebb' | F='poly', degree=3)\n"
              "Clean-up memory (am/cleanup.h): a store over the item vectors (items: n x dim, finite) answering which\n"
              "item a noisy vector is. model: a store type (am.store_types(); not a sequence store) with its\n"
              "parameters as keywords (hopfield: rule; dense: F, degree); binary stores keep the items' signs and\n"
              "answer wrongly beyond their capacity, which is the point of comparing them.\n"
              "\n"
              "    >>> h = am.HRR(1024); vocab = h.random(20, rng=1); role = h.random(1, rng=2)[0]\n"
              "    >>> trace = h.bind(role, vocab[7])\n"
              "    >>> cl = am.Cleanup(vocab, model='dense', degree=3)\n"
              "    >>> cl.run(h.unbind(trace, role))                  # 7",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Cleanup_init,
    .tp_repr = (reprfunc)Cleanup_repr,
    .tp_methods = Cleanup_methods,
    .tp_getset = Cleanup_getset,
    .tp_as_sequence = &Cleanup_seq,
};

int amx_init_hrr(PyObject *m)
{
    if (PyType_Ready(&HRRType) < 0 || PyType_Ready(&CleanupType) < 0 ||
        PyModule_AddObjectRef(m, "HRR", (PyObject *)&HRRType) < 0 ||
        PyModule_AddObjectRef(m, "Cleanup", (PyObject *)&CleanupType) < 0)
        return -1;
    return 0;
}
