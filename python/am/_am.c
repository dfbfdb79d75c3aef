/* am._am — the CPython extension under the Python module `am` (python/am/__init__.py): libam's stores,
 * pattern generators and corruptions, the capacity measurement, autoencoders, PCA, the spiking layer and
 * the graded (continuous-time) network, over numpy arrays.
 *
 * Conventions: arrays come in as anything numpy can read and go out as new numpy arrays the caller owns;
 * ±1 states are int8 (inputs are taken by their signs: > 0 is +1, so 0/1 and boolean arrays work), real
 * vectors float32. Library failures raise am.Error carrying the library's message, the status (.status)
 * and the errno of system failures (.errno); bad Python arguments raise TypeError or ValueError. Long
 * computations (batched recall, capacity, training, spiking runs) release the GIL. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "am/am.h"

static PyObject *AmError;          /* am.Error */
static PyObject *SimpleNamespace;  /* types.SimpleNamespace, for results with named fields */

/* ------------------------------------------------------------------------------------------------ */
/* Errors */

/* Raise am.Error("<what>: <library message>") with .status and .errno; returns NULL. */
static PyObject *am_raise(int status, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (status == AM_ENOMEM)
        return PyErr_NoMemory();
    PyObject *msg = PyUnicode_FromFormat("%s: %s", what, am_strerror(status));
    if (!msg)
        return NULL;
    PyObject *exc = PyObject_CallOneArg(AmError, msg);
    Py_DECREF(msg);
    if (!exc)
        return NULL;
    PyObject *st = PyLong_FromLong(status), *en = PyLong_FromLong(am_status_errno(status));
    if (st && en && !PyObject_SetAttrString(exc, "status", st) && !PyObject_SetAttrString(exc, "errno", en))
        PyErr_SetObject(AmError, exc);
    Py_XDECREF(st);
    Py_XDECREF(en);
    Py_DECREF(exc);
    return NULL;
}

static PyObject *value_error(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    PyErr_SetString(PyExc_ValueError, buf);
    return NULL;
}

/* A namespace from alternating name, value pairs (values are stolen; NULL values fail the whole call). */
static PyObject *namespace(int count, ...)
{
    va_list ap;
    PyObject *d = PyDict_New(), *ns = NULL;
    int ok = d != NULL;
    va_start(ap, count);
    for (int i = 0; i < count; i++) {
        const char *name = va_arg(ap, const char *);
        PyObject *v = va_arg(ap, PyObject *);
        if (!v || (ok && PyDict_SetItemString(d, name, v)))
            ok = 0;
        Py_XDECREF(v);
    }
    va_end(ap);
    if (ok) {
        PyObject *none = PyTuple_New(0);
        if (none)
            ns = PyObject_Call(SimpleNamespace, none, d);
        Py_XDECREF(none);
    }
    Py_XDECREF(d);
    return ns;
}

/* ------------------------------------------------------------------------------------------------ */
/* Arrays */

static PyArrayObject *new_array(int nd, npy_intp d0, npy_intp d1, int type)
{
    npy_intp dims[2] = {d0, d1};
    return (PyArrayObject *)PyArray_ZEROS(nd, dims, type, 0);
}

/* A fresh C-contiguous int8 array of ±1 from any array-like of 1 or 2 dimensions whose last has n entries
 * (n = 0: any); values > 0 are +1, others -1; NaN is an error. */
static PyArrayObject *as_states(PyObject *o, size_t n, int mindim, int maxdim, const char *what)
{
    PyArrayObject *in = (PyArrayObject *)PyArray_FROMANY(o, NPY_FLOAT64, mindim, maxdim, NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
    if (!in) {
        if (PyErr_ExceptionMatches(PyExc_ValueError)) {
            PyErr_Clear();
            value_error("%s must be an array of %d%s dimension%s", what, mindim, mindim == maxdim ? "" : " or 2",
                        maxdim > 1 ? "s" : "");
        }
        return NULL;
    }
    int nd = PyArray_NDIM(in);
    npy_intp last = PyArray_DIM(in, nd - 1), rows = nd == 2 ? PyArray_DIM(in, 0) : 1;
    if (n && (size_t)last != n) {
        Py_DECREF(in);
        return (PyArrayObject *)value_error("%s has %zd units, the store %zu", what, (Py_ssize_t)last, n);
    }
    if (last == 0) {
        Py_DECREF(in);
        return (PyArrayObject *)value_error("%s is empty", what);
    }
    PyArrayObject *out = new_array(nd, nd == 2 ? rows : last, last, NPY_INT8);
    if (!out) {
        Py_DECREF(in);
        return NULL;
    }
    const double *x = PyArray_DATA(in);
    int8_t *s = PyArray_DATA(out);
    for (npy_intp i = 0; i < rows * last; i++) {
        if (isnan(x[i])) {
            Py_DECREF(in);
            Py_DECREF(out);
            return (PyArrayObject *)value_error("%s holds NaN", what);
        }
        s[i] = x[i] > 0 ? 1 : -1;
    }
    Py_DECREF(in);
    return out;
}

/* A C-contiguous float32 array (a copy when `copy` or when the input is not one already) of 1 or 2
 * dimensions, the last of n entries (0: any), every value finite. */
static PyArrayObject *as_floats(PyObject *o, size_t n, int mindim, int maxdim, int copy, const char *what)
{
    int flags = NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST | (copy ? NPY_ARRAY_ENSURECOPY : 0);
    PyArrayObject *a = (PyArrayObject *)PyArray_FROMANY(o, NPY_FLOAT32, mindim, maxdim, flags);
    if (!a) {
        if (PyErr_ExceptionMatches(PyExc_ValueError)) {
            PyErr_Clear();
            value_error("%s must be a numeric array of %d%s dimension%s", what, mindim,
                        mindim == maxdim ? "" : " or 2", maxdim > 1 ? "s" : "");
        }
        return NULL;
    }
    int nd = PyArray_NDIM(a);
    npy_intp last = PyArray_DIM(a, nd - 1);
    if ((n && (size_t)last != n) || last == 0) {
        Py_DECREF(a);
        return (PyArrayObject *)value_error("%s has %zd columns, expected %zu", what, (Py_ssize_t)last, n);
    }
    const float *x = PyArray_DATA(a);
    for (npy_intp i = 0, k = PyArray_SIZE(a); i < k; i++)
        if (!isfinite(x[i])) {
            Py_DECREF(a);
            return (PyArrayObject *)value_error("%s holds NaN or infinity", what);
        }
    return a;
}

/* save(path) and load(path) of any libam object: the path as the file system wants it (str, bytes or
 * os.PathLike), the library's error with the path on failure. */
static PyObject *save_with(int (*fn)(const void *obj, const char *path), const void *obj, PyObject *arg,
                           const char *what)
{
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(arg, &path))
        return NULL;
    int rc = fn(obj, PyBytes_AS_STRING(path));
    PyObject *r = rc ? am_raise(rc, "%s('%s')", what, PyBytes_AS_STRING(path)) : Py_NewRef(Py_None);
    Py_DECREF(path);
    return r;
}

/* 0 with *out loaded, or -1 with the exception set. */
static int load_with(int (*fn)(void **out, const char *path), void **out, PyObject *arg, const char *what)
{
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(arg, &path))
        return -1;
    int rc = fn(out, PyBytes_AS_STRING(path));
    if (rc)
        am_raise(rc, "%s('%s')", what, PyBytes_AS_STRING(path));
    Py_DECREF(path);
    return rc ? -1 : 0;
}

static am_patterns *patterns_from(PyArrayObject *st)
{
    npy_intp rows = PyArray_NDIM(st) == 2 ? PyArray_DIM(st, 0) : 1, n = PyArray_DIM(st, PyArray_NDIM(st) - 1);
    am_patterns *p = NULL;
    int rc = am_patterns_create(&p, (size_t)n, (size_t)rows);
    if (rc)
        return am_raise(rc, "patterns of %zd x %zd", (Py_ssize_t)rows, (Py_ssize_t)n), NULL;
    const int8_t *s = PyArray_DATA(st);
    for (npy_intp mu = 0; mu < rows; mu++)
        am_patterns_set(p, (size_t)mu, s + mu * n);
    return p;
}

static PyObject *patterns_to_array(const am_patterns *p)
{
    PyArrayObject *a = new_array(2, (npy_intp)p->count, (npy_intp)p->n, NPY_INT8);
    if (!a)
        return NULL;
    for (size_t mu = 0; mu < p->count; mu++)
        am_patterns_get(p, mu, (int8_t *)PyArray_DATA(a) + mu * p->n);
    return (PyObject *)a;
}

/* ------------------------------------------------------------------------------------------------ */
/* Rng: one libam stream */

typedef struct {
    PyObject_HEAD am_rng rng;
    uint64_t seed, stream;
} RngObject;

static PyTypeObject RngType;
static RngObject *default_rng; /* am.seed() reseeds it; functions use it when rng is None */

static int Rng_init(RngObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"seed", "stream", NULL};
    unsigned long long seed = 1, stream = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|KK:Rng", names, &seed, &stream))
        return -1;
    self->seed = seed, self->stream = stream;
    am_rng_init(&self->rng, seed, stream);
    return 0;
}

static PyObject *Rng_uniform(RngObject *self, PyObject *unused)
{
    (void)unused;
    return PyFloat_FromDouble(am_rng_uniform(&self->rng));
}

static PyObject *Rng_normal(RngObject *self, PyObject *unused)
{
    (void)unused;
    return PyFloat_FromDouble(am_rng_normal(&self->rng));
}

static PyObject *Rng_repr(RngObject *self)
{
    return PyUnicode_FromFormat("am.Rng(seed=%llu, stream=%llu)", (unsigned long long)self->seed,
                                (unsigned long long)self->stream);
}

static PyMethodDef Rng_methods[] = {
    {"uniform", (PyCFunction)Rng_uniform, METH_NOARGS, "uniform() -> float in [0, 1) from the stream"},
    {"normal", (PyCFunction)Rng_normal, METH_NOARGS, "normal() -> a standard normal deviate from the stream"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject RngType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Rng",
    .tp_basicsize = sizeof(RngObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Rng(seed=1, stream=0): libam random stream `stream` of `seed` (xoshiro256**). Pass it as rng= to\n"
              "draw from it (it advances); an int seed gives a fresh Rng(seed); None uses am's default stream\n"
              "(am.seed(s) restarts it).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Rng_init,
    .tp_methods = Rng_methods,
    .tp_repr = (reprfunc)Rng_repr,
};

/* The stream an rng= argument names: None (the default stream), an Rng (advanced in place), or an int seed
 * (a fresh stream 0 in *tmp). */
static am_rng *rng_arg(PyObject *o, am_rng *tmp)
{
    if (!o || o == Py_None)
        return &default_rng->rng;
    if (PyObject_TypeCheck(o, &RngType))
        return &((RngObject *)o)->rng;
    if (PyLong_Check(o)) {
        unsigned long long s = PyLong_AsUnsignedLongLong(o);
        if (s == (unsigned long long)-1 && PyErr_Occurred())
            return NULL;
        am_rng_init(tmp, s, 0);
        return tmp;
    }
    PyErr_SetString(PyExc_TypeError, "rng must be None, an int seed or an am.Rng");
    return NULL;
}

static PyObject *am_py_seed(PyObject *mod, PyObject *arg)
{
    (void)mod;
    unsigned long long s = PyLong_AsUnsignedLongLong(arg);
    if (s == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    default_rng->seed = s, default_rng->stream = 0;
    am_rng_init(&default_rng->rng, s, 0);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------------------------------ */
/* Store */

typedef struct {
    PyObject_HEAD am_store *s;
    am_store_work *work; /* reused by recalls (one at a time; a concurrent one allocates its own) */
    int recalling;       /* recalls running with the GIL released: add() must wait */
    PyObject *weakrefs;
} StoreObject;

static PyTypeObject StoreType;

static void Store_dealloc(StoreObject *self)
{
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    am_store_work_free(self->work);
    am_store_free(self->s);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int is_modern(const StoreObject *self) { return am_store_model(self->s) == AM_MODEL_MODERN; }

static int Store_init(StoreObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"model", "n", "rule", "F", "degree", "beta", NULL};
    const char *model = "hopfield";
    Py_ssize_t n = -1;
    PyObject *rule = NULL, *f = NULL, *degree = NULL, *beta = NULL;
    am_store_config c;
    am_model m;
    if (self->s)
        return value_error("a Store is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|snOOOO:Store", names, &model, &n, &rule, &f, &degree, &beta))
        return -1;
    if (am_model_parse(model, &m))
        return value_error("unknown model '%s' (hopfield, dense or modern)", model), -1;
    if (n < 1)
        return value_error("Store needs n >= 1 units"), -1;
    am_store_config_default(&c, m, (size_t)n);
    if (rule && rule != Py_None) {
        const char *r = PyUnicode_AsUTF8(rule);
        if (!r)
            return -1;
        if (m != AM_MODEL_HOPFIELD)
            return value_error("rule applies to the hopfield model, not %s", model), -1;
        if (am_rule_parse(r, &c.rule))
            return value_error("unknown rule '%s' (hebb, storkey or pinv)", r), -1;
    }
    if (f && f != Py_None) {
        const char *fs = PyUnicode_AsUTF8(f);
        if (!fs)
            return -1;
        if (m != AM_MODEL_DENSE)
            return value_error("F applies to the dense model, not %s", model), -1;
        if (am_dense_f_parse(fs, &c.f))
            return value_error("unknown F '%s' (poly, rectpoly or exp)", fs), -1;
    }
    if (degree && degree != Py_None) {
        long d = PyLong_AsLong(degree);
        if (d == -1 && PyErr_Occurred())
            return -1;
        if (m != AM_MODEL_DENSE)
            return value_error("degree applies to the dense model, not %s", model), -1;
        if (d < 1 || d > 1000)
            return value_error("degree must be between 1 and 1000, not %ld", d), -1;
        c.degree = (int)d;
    }
    if (beta && beta != Py_None) {
        double b = PyFloat_AsDouble(beta);
        if (b == -1.0 && PyErr_Occurred())
            return -1;
        if (m != AM_MODEL_MODERN)
            return value_error("beta applies to the modern model, not %s", model), -1;
        c.beta = b;
    }
    int rc = am_store_create(&self->s, &c);
    if (rc)
        return am_raise(rc, "Store(%s, n=%zd)", model, n), -1;
    return 0;
}

static PyObject *Store_repr(StoreObject *self)
{
    char buf[128];
    am_store_config c;
    if (!self->s)
        return PyUnicode_FromString("<am.Store, not initialised>");
    /* the configuration as the store reports it */
    am_store_config_default(&c, am_store_model(self->s), am_store_n(self->s));
    if (am_store_hopfield(self->s))
        c.rule = am_hopfield_rule(am_store_hopfield(self->s));
    if (am_store_dense(self->s))
        c.f = am_dense_function(am_store_dense(self->s)), c.degree = am_dense_degree(am_store_dense(self->s));
    if (am_store_modern(self->s))
        c.beta = am_modern_beta(am_store_modern(self->s));
    am_store_config_describe(&c, buf, sizeof buf);
    return PyUnicode_FromFormat("<am.Store %s, %zu units, %zu patterns>", buf, am_store_n(self->s), am_store_count(self->s));
}

#define STORE_READY(self)                                                                                          \
    do {                                                                                                           \
        if (!(self)->s) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the Store was not initialised");                                   \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static PyObject *Store_add(StoreObject *self, PyObject *arg)
{
    STORE_READY(self);
    int rc;
    size_t n = am_store_n(self->s);
    if (self->recalling)
        return PyErr_Format(PyExc_RuntimeError, "Store.add: a recall is running on this store in another thread");
    if (is_modern(self)) {
        PyArrayObject *x = as_floats(arg, n, 1, 2, 0, "patterns");
        if (!x)
            return NULL;
        size_t rows = PyArray_NDIM(x) == 2 ? (size_t)PyArray_DIM(x, 0) : 1;
        rc = am_store_add_real(self->s, PyArray_DATA(x), rows);
        Py_DECREF(x);
    } else {
        PyArrayObject *st = as_states(arg, n, 1, 2, "patterns");
        if (!st)
            return NULL;
        am_patterns *p = patterns_from(st);
        Py_DECREF(st);
        if (!p)
            return NULL;
        rc = am_store_add(self->s, p);
        am_patterns_free(p);
    }
    if (rc)
        return am_raise(rc, "Store.add");
    Py_RETURN_NONE;
}

static PyObject *Store_get_patterns(StoreObject *self, void *unused)
{
    (void)unused;
    STORE_READY(self);
    if (is_modern(self)) {
        am_modern *m = am_store_modern(self->s);
        size_t cnt = am_modern_count(m), d = am_modern_dim(m);
        PyArrayObject *a = new_array(2, (npy_intp)cnt, (npy_intp)d, NPY_FLOAT32);
        if (a && cnt)
            memcpy(PyArray_DATA(a), am_modern_patterns(m), cnt * d * sizeof(float));
        return (PyObject *)a;
    }
    return patterns_to_array(am_store_patterns(self->s));
}

static PyObject *Store_get_n(StoreObject *self, void *u) { (void)u; STORE_READY(self); return PyLong_FromSize_t(am_store_n(self->s)); }
static PyObject *Store_get_count(StoreObject *self, void *u) { (void)u; STORE_READY(self); return PyLong_FromSize_t(am_store_count(self->s)); }
static PyObject *Store_get_model(StoreObject *self, void *u) { (void)u; STORE_READY(self); return PyUnicode_FromString(am_model_name(am_store_model(self->s))); }

static Py_ssize_t Store_len(StoreObject *self) { return self->s ? (Py_ssize_t)am_store_count(self->s) : 0; }

/* Per-state energies of a 1-D (a float) or 2-D (an array) state argument. */
static PyObject *Store_energy(StoreObject *self, PyObject *arg)
{
    STORE_READY(self);
    size_t n = am_store_n(self->s);
    PyArrayObject *st = is_modern(self) ? as_floats(arg, n, 1, 2, 0, "state") : as_states(arg, n, 1, 2, "state");
    if (!st)
        return NULL;
    int nd = PyArray_NDIM(st);
    npy_intp rows = nd == 2 ? PyArray_DIM(st, 0) : 1;
    PyArrayObject *e = nd == 2 ? new_array(1, rows, 0, NPY_FLOAT64) : NULL;
    double e1 = 0;
    if (nd == 2 && !e) {
        Py_DECREF(st);
        return NULL;
    }
    for (npy_intp r = 0; r < rows; r++) {
        double v = is_modern(self) ? am_store_energy_real(self->s, (const float *)PyArray_DATA(st) + r * n)
                                   : am_store_energy(self->s, (const int8_t *)PyArray_DATA(st) + r * n);
        if (e)
            ((double *)PyArray_DATA(e))[r] = v;
        else
            e1 = v;
    }
    Py_DECREF(st);
    return e ? (PyObject *)e : PyFloat_FromDouble(e1);
}

static PyObject *Store_overlaps(StoreObject *self, PyObject *arg)
{
    STORE_READY(self);
    size_t n = am_store_n(self->s), cnt = am_store_count(self->s);
    PyArrayObject *st = is_modern(self) ? as_floats(arg, n, 1, 1, 0, "state") : as_states(arg, n, 1, 1, "state");
    if (!st)
        return NULL;
    PyArrayObject *m = new_array(1, (npy_intp)cnt, 0, NPY_FLOAT64);
    int rc = m ? am_store_overlaps(self->s, is_modern(self) ? NULL : PyArray_DATA(st),
                                   is_modern(self) ? PyArray_DATA(st) : NULL, PyArray_DATA(m))
               : AM_ENOMEM;
    Py_DECREF(st);
    if (rc) {
        Py_XDECREF(m);
        return m ? am_raise(rc, "Store.overlaps") : NULL;
    }
    return (PyObject *)m;
}

static PyObject *Store_stability(StoreObject *self, PyObject *unused)
{
    (void)unused;
    STORE_READY(self);
    size_t cnt = am_store_count(self->s);
    PyArrayObject *u = new_array(1, (npy_intp)cnt, 0, NPY_UINTP);
    if (!u)
        return NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = am_store_stability(self->s, PyArray_DATA(u));
    Py_END_ALLOW_THREADS
    if (rc) {
        Py_DECREF(u);
        return am_raise(rc, "Store.stability");
    }
    return (PyObject *)u;
}

static PyObject *Store_weights(StoreObject *self, PyObject *unused)
{
    (void)unused;
    STORE_READY(self);
    am_hopfield *h = am_store_hopfield(self->s);
    if (!h)
        return am_raise(AM_EUNSUPPORTED, "Store.weights (a %s store has no weight matrix)",
                        am_model_name(am_store_model(self->s)));
    size_t n = am_store_n(self->s);
    PyArrayObject *w = new_array(2, (npy_intp)n, (npy_intp)n, NPY_FLOAT32);
    if (!w)
        return NULL;
    int rc = am_hopfield_weights(h, PyArray_DATA(w));
    if (rc) {
        Py_DECREF(w);
        return am_raise(rc, "Store.weights");
    }
    return (PyObject *)w;
}

static int store_save(const void *s, const char *path) { return am_store_save(s, path); }
static int store_load(void **s, const char *path) { return am_store_load((am_store **)s, path); }

static PyObject *Store_save(StoreObject *self, PyObject *arg)
{
    STORE_READY(self);
    return save_with(store_save, self->s, arg, "Store.save");
}

static PyObject *am_py_load(PyObject *mod, PyObject *arg)
{
    (void)mod;
    am_store *s = NULL;
    if (load_with(store_load, (void **)&s, arg, "am.load"))
        return NULL;
    StoreObject *o = (StoreObject *)StoreType.tp_alloc(&StoreType, 0);
    if (!o) {
        am_store_free(s);
        return NULL;
    }
    o->s = s;
    return (PyObject *)o;
}

/* Recording a recall: frames at every monitor event (the cue, every `every` updates, every sweep). */
typedef struct recorder {
    const am_store *s;
    size_t n, cnt, frames, cap;
    int real;
    void *states;        /* frames x n int8 or float */
    double *energy, *overlaps; /* frames, frames x cnt */
    uint64_t *sweep, *updates;
    int64_t *unit;
    int failed;          /* out of memory */
    PyObject *callback;  /* a Python monitor, or NULL */
    PyObject *et, *ev, *etb; /* the first exception it raised */
} recorder;

static void *grow(void *p, size_t count, size_t size)
{
    size_t bytes;
    if (am_size_mul(count, size, &bytes))
        return NULL;
    return realloc(p, bytes ? bytes : 1);
}

static void record_event(const am_recall_event *ev, void *ctx)
{
    recorder *r = ctx;
    if (r->callback && !r->et) {
        PyObject *state;
        if (ev->state) {
            state = (PyObject *)new_array(1, (npy_intp)ev->n, 0, NPY_INT8);
            if (state)
                memcpy(PyArray_DATA((PyArrayObject *)state), ev->state, ev->n);
        } else {
            state = (PyObject *)new_array(1, (npy_intp)ev->n, 0, NPY_FLOAT32);
            if (state)
                memcpy(PyArray_DATA((PyArrayObject *)state), ev->x, ev->n * sizeof(float));
        }
        PyObject *unit = ev->unit == SIZE_MAX ? (Py_INCREF(Py_None), Py_None) : PyLong_FromSize_t(ev->unit);
        PyObject *e = namespace(5, "sweep", PyLong_FromUnsignedLong(ev->sweep), "updates",
                                PyLong_FromUnsignedLongLong(ev->updates), "unit", unit, "state", state, "energy",
                                PyFloat_FromDouble(ev->energy));
        PyObject *res = e ? PyObject_CallOneArg(r->callback, e) : NULL;
        Py_XDECREF(e);
        if (!res)
            PyErr_Fetch(&r->et, &r->ev, &r->etb);
        Py_XDECREF(res);
    }
    if (!r->states || r->failed)
        return;
    if (r->frames == r->cap) {
        size_t cap = r->cap * 2, es = r->real ? sizeof(float) : 1;
        void *a = grow(r->states, cap * r->n, es);
        if (a)
            r->states = a;
        double *b = grow(r->energy, cap, sizeof(double));
        if (b)
            r->energy = b;
        double *c = grow(r->overlaps, cap * (r->cnt ? r->cnt : 1), sizeof(double));
        if (c)
            r->overlaps = c;
        uint64_t *d = grow(r->sweep, cap, sizeof(uint64_t));
        if (d)
            r->sweep = d;
        uint64_t *u = grow(r->updates, cap, sizeof(uint64_t));
        if (u)
            r->updates = u;
        int64_t *un = grow(r->unit, cap, sizeof(int64_t));
        if (un)
            r->unit = un;
        if (!a || !b || !c || !d || !u || !un) {
            r->failed = 1;
            return;
        }
        r->cap = cap;
    }
    size_t f = r->frames++;
    if (r->real)
        memcpy((float *)r->states + f * r->n, ev->x, r->n * sizeof(float));
    else
        memcpy((int8_t *)r->states + f * r->n, ev->state, r->n);
    r->energy[f] = ev->energy;
    r->sweep[f] = ev->sweep;
    r->updates[f] = ev->updates;
    r->unit[f] = ev->unit == SIZE_MAX ? -1 : (int64_t)ev->unit;
    if (r->cnt)
        am_store_overlaps(r->s, r->real ? NULL : ev->state, r->real ? ev->x : NULL, r->overlaps + f * r->cnt);
}

static void recorder_free(recorder *r)
{
    free(r->states), free(r->energy), free(r->overlaps), free(r->sweep), free(r->updates), free(r->unit);
    Py_XDECREF(r->et), Py_XDECREF(r->ev), Py_XDECREF(r->etb);
}

static PyObject *copy_out(const void *src, size_t rows, size_t cols, int nd, int type, size_t es)
{
    PyArrayObject *a = new_array(nd, (npy_intp)rows, (npy_intp)cols, type);
    size_t count = nd == 2 ? rows * cols : rows;
    if (a && count)
        memcpy(PyArray_DATA(a), src, count * es);
    return (PyObject *)a;
}

static int parse_dynamics(const char *dyn, const char *order, am_recall_opts *o)
{
    if (am_dynamics_parse(dyn, &o->dynamics))
        return value_error("unknown dynamics '%s' (async, sync or glauber)", dyn), -1;
    if (!strcmp(order, "random"))
        o->order = AM_ORDER_RANDOM;
    else if (!strcmp(order, "fixed"))
        o->order = AM_ORDER_FIXED;
    else
        return value_error("unknown order '%s' (random or fixed)", order), -1;
    return 0;
}

static PyObject *Store_recall(StoreObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"cue", "dynamics", "order", "T", "max_steps", "rng", "monitor", "every", "record", NULL};
    PyObject *cue, *rngo = NULL, *monitor = NULL;
    const char *dyn = NULL, *order = NULL;
    double T = 0.0;
    unsigned max_steps = 100, every = 0;
    int record = 0;
    am_recall_opts o;
    am_rng tmp, *rng;
    STORE_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$ssdIOOIp:recall", names, &cue, &dyn, &order, &T, &max_steps,
                                     &rngo, &monitor, &every, &record))
        return NULL;
    int modern = is_modern(self);
    size_t n = am_store_n(self->s), cnt = am_store_count(self->s);
    am_recall_opts_default(&o);
    if (modern && (dyn || order || T != 0.0 || every))
        return value_error("dynamics, order, T and every do not apply to the modern store");
    if (parse_dynamics(dyn ? dyn : "async", order ? order : "random", &o))
        return NULL;
    if (!(T >= 0.0) || (T > 0 && o.dynamics != AM_DYN_GLAUBER))
        return value_error("T must be >= 0 and applies to dynamics='glauber' only");
    if (max_steps < 1)
        return value_error("max_steps must be at least 1");
    if (monitor == Py_None)
        monitor = NULL;
    if (monitor && !PyCallable_Check(monitor))
        return PyErr_Format(PyExc_TypeError, "monitor must be callable");
    if (every && !monitor && !record)
        return value_error("every applies with monitor= or record=True");
    o.temperature = T;
    o.max_steps = max_steps;
    if (!(rng = rng_arg(rngo, &tmp)))
        return NULL;

    PyArrayObject *st = modern ? as_floats(cue, n, 1, 2, 1, "cue") : as_states(cue, n, 1, 2, "cue");
    if (!st)
        return NULL;
    int batch = PyArray_NDIM(st) == 2;
    if (batch && (monitor || record)) {
        Py_DECREF(st);
        return value_error("monitor and record take one cue (a 1-D array)");
    }
    int rc = AM_OK;
    if (!self->work && (rc = am_store_work_create(&self->work, self->s))) {
        Py_DECREF(st);
        return am_raise(rc, "Store.recall");
    }
    am_store_work *work = self->recalling ? NULL : self->work; /* NULL: scratch of its own */

    if (batch) {
        npy_intp rows = PyArray_DIM(st, 0);
        PyArrayObject *steps = new_array(1, rows, 0, NPY_UINT32), *flips = new_array(1, rows, 0, NPY_UINT64);
        PyArrayObject *energy = new_array(1, rows, 0, NPY_FLOAT64), *end = new_array(1, rows, 0, NPY_INT8);
        if (!steps || !flips || !energy || !end) {
            Py_XDECREF(steps), Py_XDECREF(flips), Py_XDECREF(energy), Py_XDECREF(end), Py_DECREF(st);
            return NULL;
        }
        npy_intp failed = -1;
        self->recalling++;
        Py_BEGIN_ALLOW_THREADS
        for (npy_intp r = 0; r < rows && !rc; r++) {
            am_recall_info info;
            rc = modern ? am_store_recall_real(self->s, (float *)PyArray_DATA(st) + r * n, &o, rng, work, &info)
                        : am_store_recall(self->s, (int8_t *)PyArray_DATA(st) + r * n, &o, rng, work, &info);
            if (rc)
                failed = r;
            ((uint32_t *)PyArray_DATA(steps))[r] = info.steps;
            ((uint64_t *)PyArray_DATA(flips))[r] = info.flips;
            ((double *)PyArray_DATA(energy))[r] = info.energy;
            ((int8_t *)PyArray_DATA(end))[r] = (int8_t)info.end;
        }
        Py_END_ALLOW_THREADS
        self->recalling--;
        if (rc) {
            Py_DECREF(steps), Py_DECREF(flips), Py_DECREF(energy), Py_DECREF(end), Py_DECREF(st);
            return am_raise(rc, "Store.recall (cue %zd)", (Py_ssize_t)failed);
        }
        PyObject *ns = namespace(5, "steps", steps, "flips", flips, "energy", energy, "end", end, "end_names",
                                 Py_BuildValue("(sss)", am_end_name(AM_END_FIXED), am_end_name(AM_END_CYCLE),
                                               am_end_name(AM_END_MAXSTEPS)));
        if (!ns) {
            Py_DECREF(st);
            return NULL;
        }
        return Py_BuildValue("(NN)", st, ns);
    }

    /* One cue: an energy trace, and a recording or a Python monitor when asked. */
    double *trace = PyMem_Malloc(((size_t)max_steps + 1) * sizeof *trace);
    recorder r = {.s = self->s, .n = n, .cnt = cnt, .real = modern, .callback = monitor};
    if (!trace) {
        Py_DECREF(st);
        return PyErr_NoMemory();
    }
    o.trace = trace;
    o.trace_cap = max_steps + 1;
    if (record) {
        r.cap = 64;
        r.states = malloc(r.cap * n * (modern ? sizeof(float) : 1));
        r.energy = malloc(r.cap * sizeof(double));
        r.overlaps = malloc(r.cap * (cnt ? cnt : 1) * sizeof(double));
        r.sweep = malloc(r.cap * sizeof(uint64_t));
        r.updates = malloc(r.cap * sizeof(uint64_t));
        r.unit = malloc(r.cap * sizeof(int64_t));
        if (!r.states || !r.energy || !r.overlaps || !r.sweep || !r.updates || !r.unit)
            r.failed = 1;
    }
    if (monitor || record) {
        o.monitor = record_event;
        o.monitor_ctx = &r;
        o.monitor_every = every;
    }
    am_recall_info info;
    if (monitor) { /* the callback needs the GIL */
        rc = modern ? am_store_recall_real(self->s, PyArray_DATA(st), &o, rng, work, &info)
                    : am_store_recall(self->s, PyArray_DATA(st), &o, rng, work, &info);
    } else {
        self->recalling++;
        Py_BEGIN_ALLOW_THREADS
        rc = modern ? am_store_recall_real(self->s, PyArray_DATA(st), &o, rng, work, &info)
                    : am_store_recall(self->s, PyArray_DATA(st), &o, rng, work, &info);
        Py_END_ALLOW_THREADS
        self->recalling--;
    }
    PyObject *result = NULL;
    if (r.et) {
        PyErr_Restore(r.et, r.ev, r.etb); /* the monitor's exception, passed on */
        r.et = r.ev = r.etb = NULL;
        goto done;
    }
    if (rc) {
        am_raise(rc, "Store.recall");
        goto done;
    }
    if (r.failed) {
        PyErr_NoMemory();
        goto done;
    }
    PyObject *frames, *fen, *fov, *fsw, *fup, *fun;
    if (record) {
        frames = copy_out(r.states, r.frames, n, 2, modern ? NPY_FLOAT32 : NPY_INT8, modern ? sizeof(float) : 1);
        fen = copy_out(r.energy, r.frames, 1, 1, NPY_FLOAT64, sizeof(double));
        fov = copy_out(r.overlaps, r.frames, cnt, 2, NPY_FLOAT64, sizeof(double));
        fsw = copy_out(r.sweep, r.frames, 1, 1, NPY_UINT64, sizeof(uint64_t));
        fup = copy_out(r.updates, r.frames, 1, 1, NPY_UINT64, sizeof(uint64_t));
        fun = copy_out(r.unit, r.frames, 1, 1, NPY_INT64, sizeof(int64_t));
    } else {
        frames = Py_NewRef(Py_None), fen = Py_NewRef(Py_None), fov = Py_NewRef(Py_None);
        fsw = Py_NewRef(Py_None), fup = Py_NewRef(Py_None), fun = Py_NewRef(Py_None);
    }
    PyObject *ns = namespace(11, "steps", PyLong_FromUnsignedLong(info.steps), "flips",
                             PyLong_FromUnsignedLongLong(info.flips), "energy", PyFloat_FromDouble(info.energy), "end",
                             PyUnicode_FromString(am_end_name(info.end)), "trace",
                             copy_out(trace, info.trace_len, 1, 1, NPY_FLOAT64, sizeof(double)), "frames", frames,
                             "frame_energy", fen, "frame_overlaps", fov, "frame_sweep", fsw, "frame_updates", fup,
                             "frame_unit", fun);
    if (ns)
        result = Py_BuildValue("(ON)", st, ns);
done:
    Py_DECREF(st);
    PyMem_Free(trace);
    recorder_free(&r);
    return result;
}

static PyMethodDef Store_methods[] = {
    {"add", (PyCFunction)Store_add, METH_O,
     "add(patterns): learn the rows of patterns (P x n, or one n-vector); binary stores take signs (> 0 is +1),\n"
     "the modern store real vectors"},
    {"recall", (PyCFunction)(void (*)(void))Store_recall, METH_VARARGS | METH_KEYWORDS,
     "recall(cue, *, dynamics='async', order='random', T=0.0, max_steps=100, rng=None, monitor=None, every=0,\n"
     "       record=False) -> (state, info)\n"
     "Run the store's dynamics from cue (an n-vector, or B x n cues recalled one after another with the GIL\n"
     "released). info: steps, flips, energy, end ('fixed', 'cycle', 'maxsteps') and trace (energy after every\n"
     "sweep). monitor(event) is called with the cue, every `every` unit updates and every sweep (event: sweep,\n"
     "updates, unit, state, energy); record=True keeps the same frames in info.frames, frame_energy,\n"
     "frame_overlaps (with every stored pattern), frame_sweep, frame_updates, frame_unit (-1: end of a sweep).\n"
     "The modern store takes real cues and no dynamics, order, T or every."},
    {"energy", (PyCFunction)Store_energy, METH_O, "energy(state) -> float (or an array for B x n states)"},
    {"overlaps", (PyCFunction)Store_overlaps, METH_O,
     "overlaps(state) -> m, m[mu] = (1/n) sum_i xi^mu_i s_i with every stored pattern"},
    {"stability", (PyCFunction)Store_stability, METH_NOARGS,
     "stability() -> for each stored pattern, the units one update would flip (0: a fixed point)"},
    {"weights", (PyCFunction)Store_weights, METH_NOARGS, "weights() -> the n x n weight matrix (hopfield stores)"},
    {"save", (PyCFunction)Store_save, METH_O, "save(path): write the store in libam's format (am.load reads it)"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Store_getset[] = {
    {"n", (getter)Store_get_n, NULL, "units", NULL},
    {"count", (getter)Store_get_count, NULL, "stored patterns", NULL},
    {"model", (getter)Store_get_model, NULL, "'hopfield', 'dense' or 'modern'", NULL},
    {"patterns", (getter)Store_get_patterns, NULL, "a copy of the stored patterns (P x n)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Store_seq = {.sq_length = (lenfunc)Store_len};

static PyTypeObject StoreType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Store",
    .tp_basicsize = sizeof(StoreObject),
    .tp_dealloc = (destructor)Store_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Store(model='hopfield', n, rule='hebb' | F='poly', degree=3 | beta=1.0)\n"
              "An associative memory of n units: the classical Hopfield network (rule: hebb, storkey, pinv), the\n"
              "dense associative memory (F: poly, rectpoly, exp; degree), or the modern continuous store (beta).\n"
              "Options of another model are rejected.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Store_init,
    .tp_repr = (reprfunc)Store_repr,
    .tp_methods = Store_methods,
    .tp_getset = Store_getset,
    .tp_as_sequence = &Store_seq,
    .tp_weaklistoffset = offsetof(StoreObject, weakrefs),
};

/* ------------------------------------------------------------------------------------------------ */
/* Pattern sets, corruption, similarity */

static PyObject *am_py_patterns(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"family", "count", "n", "width", "height", "rng", NULL};
    const char *fam;
    Py_ssize_t count, n = 0, width = 0, height = 0;
    PyObject *rngo = NULL;
    am_pattern_family f;
    char why[256];
    am_rng tmp, *rng;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "sn|n$nnO:patterns", names, &fam, &count, &n, &width, &height, &rngo))
        return NULL;
    if (am_pattern_family_parse(&f, fam, why, sizeof why))
        return value_error("%s", why);
    if (count < 0 || n < 0 || width < 0 || height < 0)
        return value_error("count, n, width and height must be >= 0");
    if ((width || height) && f.kind != AM_FAMILY_LETTERS && f.kind != AM_FAMILY_CHECKERBOARD)
        return value_error("width and height apply to letters and checkerboard");
    if (width || height) {
        if (!width || !height)
            return value_error("give both width and height");
        if (n && n != width * height)
            return value_error("n = %zd is not width x height = %zd", n, width * height);
        n = width * height;
    }
    if (n < 1)
        return value_error("patterns needs n >= 1 units (or width and height)");
    f.width = (size_t)width, f.height = (size_t)height;
    if (am_pattern_family_check(&f, (size_t)n, (size_t)count, why, sizeof why))
        return value_error("%s", why);
    if (!(rng = rng_arg(rngo, &tmp)))
        return NULL;
    am_patterns *p = NULL;
    int rc = am_patterns_create(&p, (size_t)n, (size_t)count);
    if (!rc)
        rc = am_pattern_family_fill(&f, p, rng);
    PyObject *a = rc ? am_raise(rc, "am.patterns('%s', %zd, %zd)", fam, count, n) : patterns_to_array(p);
    am_patterns_free(p);
    return a;
}

static PyObject *am_py_letters(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"text", "width", "height", NULL};
    const char *text;
    Py_ssize_t w = 5, h = 7;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|nn:letters", names, &text, &w, &h))
        return NULL;
    if (w < 5 || h < 7 || w > 4096 || h > 4096)
        return value_error("letters need a grid of at least 5 x 7 (and at most 4096 x 4096), not %zd x %zd", w, h);
    size_t len = strlen(text);
    for (size_t i = 0; i < len; i++)
        if (!((text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= 'a' && text[i] <= 'z')))
            return value_error("letters draws A-Z only, not '%c'", text[i]);
    if (!len)
        return value_error("letters needs at least one letter");
    am_patterns *p = NULL;
    int rc = am_patterns_create(&p, (size_t)(w * h), len);
    if (!rc)
        rc = am_patterns_letters(p, (size_t)w, (size_t)h, text);
    PyObject *a = rc ? am_raise(rc, "am.letters('%s')", text) : patterns_to_array(p);
    am_patterns_free(p);
    return a;
}

/* flip(state, k=None, frac=None, rng=None): a copy with k (or round(frac n)) distinct units of every row
 * flipped. */
static PyObject *am_py_flip(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"state", "k", "frac", "rng", NULL};
    PyObject *sto, *ko = NULL, *fo = NULL, *rngo = NULL;
    am_rng tmp, *rng;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OO$O:flip", names, &sto, &ko, &fo, &rngo))
        return NULL;
    if (ko == Py_None)
        ko = NULL;
    if (fo == Py_None)
        fo = NULL;
    if (!ko == !fo)
        return value_error("flip needs exactly one of k (units) and frac (fraction)");
    Py_ssize_t k = 0;
    double frac = 0;
    if (ko && (k = PyLong_AsSsize_t(ko)) == -1 && PyErr_Occurred())
        return NULL;
    if (fo && (frac = PyFloat_AsDouble(fo)) == -1.0 && PyErr_Occurred())
        return NULL;
    if (!(rng = rng_arg(rngo, &tmp)))
        return NULL;
    PyArrayObject *st = as_states(sto, 0, 1, 2, "state");
    if (!st)
        return NULL;
    npy_intp n = PyArray_DIM(st, PyArray_NDIM(st) - 1), rows = PyArray_NDIM(st) == 2 ? PyArray_DIM(st, 0) : 1;
    if ((ko && (k < 0 || k > n)) || (fo && !(frac >= 0.0 && frac <= 1.0))) {
        Py_DECREF(st);
        return ko ? value_error("k = %zd is outside 0 .. %zd", k, (Py_ssize_t)n) : value_error("frac must be in [0, 1]");
    }
    for (npy_intp r = 0; r < rows; r++) {
        int8_t *s = (int8_t *)PyArray_DATA(st) + r * n;
        if (ko)
            am_state_flip_k(s, (size_t)n, (size_t)k, rng);
        else
            am_state_flip_frac(s, (size_t)n, frac, rng);
    }
    return (PyObject *)st;
}

static PyObject *am_py_occlude(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"state", "width", "height", "x0", "y0", "w", "h", "fill", "rng", NULL};
    PyObject *sto, *rngo = NULL;
    Py_ssize_t width, height, x0, y0, bw, bh;
    int fill = 0;
    am_rng tmp, *rng;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Onnnnnn|i$O:occlude", names, &sto, &width, &height, &x0, &y0, &bw,
                                     &bh, &fill, &rngo))
        return NULL;
    if (width < 1 || height < 1 || x0 < 0 || y0 < 0 || bw < 0 || bh < 0 || (fill != 0 && fill != 1 && fill != -1))
        return value_error("occlude: width, height >= 1; x0, y0, w, h >= 0; fill -1, 0 (random) or +1");
    if (!(rng = rng_arg(rngo, &tmp)))
        return NULL;
    PyArrayObject *st = as_states(sto, (size_t)(width * height), 1, 1, "state");
    if (!st)
        return NULL;
    int rc = am_state_occlude(PyArray_DATA(st), (size_t)width, (size_t)height, (size_t)x0, (size_t)y0, (size_t)bw,
                              (size_t)bh, fill, rng);
    if (rc) {
        Py_DECREF(st);
        return am_raise(rc, "am.occlude");
    }
    return (PyObject *)st;
}

static PyObject *am_py_overlap(PyObject *mod, PyObject *args)
{
    (void)mod;
    PyObject *ao, *bo;
    if (!PyArg_ParseTuple(args, "OO:overlap", &ao, &bo))
        return NULL;
    PyArrayObject *a = as_states(ao, 0, 1, 1, "a"), *b = a ? as_states(bo, (size_t)PyArray_DIM(a, 0), 1, 1, "b") : NULL;
    PyObject *r = b ? PyFloat_FromDouble(am_state_overlap(PyArray_DATA(a), PyArray_DATA(b), (size_t)PyArray_DIM(a, 0)))
                    : NULL;
    Py_XDECREF(a), Py_XDECREF(b);
    return r;
}

/* ------------------------------------------------------------------------------------------------ */
/* Capacity */

static PyObject *am_py_capacity(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"P", "model", "n", "rule", "F", "degree", "beta", "dynamics", "order", "T", "max_steps",
                            "eps", "patterns", "noise", "cues", "stability", "threshold", "trials", "seed",
                            "threads", NULL};
    PyObject *po, *rule = NULL, *f = NULL, *degree = NULL, *beta = NULL;
    const char *model = "hopfield", *dyn = "async", *order = "random", *fam = "random";
    Py_ssize_t n = 100, cues = 0, stab = 0, trials = 5;
    unsigned max_steps = 100;
    int threads = 0;
    double T = 0, eps = 1e-6, noise = 0.1, threshold = 0.99;
    unsigned long long seed = 1;
    am_capacity_opts o;
    am_model m;
    char why[256];
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$snOOOOssdIdsdnndnKi:capacity", names, &po, &model, &n, &rule, &f,
                                     &degree, &beta, &dyn, &order, &T, &max_steps, &eps, &fam, &noise, &cues, &stab,
                                     &threshold, &trials, &seed, &threads))
        return NULL;
    if (am_model_parse(model, &m))
        return value_error("unknown model '%s' (hopfield, dense or modern)", model);
    if (n < 1)
        return value_error("n must be >= 1");
    am_capacity_opts_default(&o, m, (size_t)n);
    /* the store's settings, as Store() takes them */
    PyObject *sargs = Py_BuildValue("(sn)", model, n), *skw = PyDict_New();
    if (!sargs || !skw)
        goto fail_store;
    if ((rule && PyDict_SetItemString(skw, "rule", rule)) || (f && PyDict_SetItemString(skw, "F", f)) ||
        (degree && PyDict_SetItemString(skw, "degree", degree)) || (beta && PyDict_SetItemString(skw, "beta", beta)))
        goto fail_store;
    StoreObject *probe = (StoreObject *)PyObject_Call((PyObject *)&StoreType, sargs, skw);
    if (!probe)
        goto fail_store;
    o.store.model = m;
    if (am_store_hopfield(probe->s))
        o.store.rule = am_hopfield_rule(am_store_hopfield(probe->s));
    if (am_store_dense(probe->s))
        o.store.f = am_dense_function(am_store_dense(probe->s)), o.store.degree = am_dense_degree(am_store_dense(probe->s));
    if (am_store_modern(probe->s))
        o.store.beta = am_modern_beta(am_store_modern(probe->s));
    Py_DECREF(probe);
    Py_DECREF(sargs);
    Py_DECREF(skw);

    am_recall_opts ro;
    if (parse_dynamics(dyn, order, &ro))
        return NULL;
    o.dynamics = ro.dynamics, o.order = ro.order;
    o.temperature = T, o.max_steps = max_steps, o.eps = eps, o.noise = noise, o.threshold = threshold;
    if (cues < 0 || stab < 0 || trials < 1 || threads < 0)
        return value_error("cues and stability must be >= 0, trials >= 1, threads >= 0");
    o.cues = (size_t)cues, o.stability = (size_t)stab, o.seed = seed;
    if (am_pattern_family_parse(&o.patterns, fam, why, sizeof why))
        return value_error("%s", why);

    PyArrayObject *pa = (PyArrayObject *)PyArray_FROMANY(po, NPY_INTP, 0, 1, NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
    if (!pa)
        return NULL;
    npy_intp np_ = PyArray_SIZE(pa);
    const npy_intp *pv = PyArray_DATA(pa);
    size_t *ps = PyMem_Malloc((size_t)(np_ ? np_ : 1) * sizeof *ps);
    am_capacity_point *pts = PyMem_Malloc((size_t)(np_ ? np_ : 1) * sizeof *pts);
    PyObject *result = NULL;
    if (!ps || !pts) {
        PyErr_NoMemory();
        goto done;
    }
    if (!np_) {
        value_error("P needs at least one pattern count");
        goto done;
    }
    for (npy_intp k = 0; k < np_; k++) {
        if (pv[k] < 1) {
            value_error("pattern counts must be >= 1, not %zd", (Py_ssize_t)pv[k]);
            goto done;
        }
        ps[k] = (size_t)pv[k];
        if (am_capacity_opts_check(&o, ps[k], why, sizeof why)) {
            value_error("%s", why);
            goto done;
        }
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = am_capacity_measure(&o, ps, (size_t)np_, (size_t)trials, threads, pts);
    Py_END_ALLOW_THREADS
    if (rc) {
        am_raise(rc, "am.capacity");
        goto done;
    }
    {
        static const char *cols[] = {"overlap_mean", "overlap_sd", "recall_frac", "fixed_frac", "all_fixed_frac",
                                     "unstable_frac", "bit_error", "steps_mean", "fixed_end", "cycle_end",
                                     "maxsteps_end", "error_norm", "alpha"};
        const size_t offs[] = {offsetof(am_capacity_point, overlap_mean), offsetof(am_capacity_point, overlap_sd),
                               offsetof(am_capacity_point, recall_frac), offsetof(am_capacity_point, fixed_frac),
                               offsetof(am_capacity_point, all_fixed_frac), offsetof(am_capacity_point, unstable_frac),
                               offsetof(am_capacity_point, bit_error), offsetof(am_capacity_point, steps_mean),
                               offsetof(am_capacity_point, fixed_end), offsetof(am_capacity_point, cycle_end),
                               offsetof(am_capacity_point, maxsteps_end), offsetof(am_capacity_point, error_norm),
                               offsetof(am_capacity_point, alpha)};
        PyObject *d = PyDict_New();
        PyArrayObject *pcol = new_array(1, np_, 0, NPY_INTP), *ccol = new_array(1, np_, 0, NPY_INTP);
        int ok = d && pcol && ccol;
        for (npy_intp k = 0; ok && k < np_; k++) {
            ((npy_intp *)PyArray_DATA(pcol))[k] = (npy_intp)pts[k].p;
            ((npy_intp *)PyArray_DATA(ccol))[k] = (npy_intp)pts[k].cues;
        }
        ok = ok && !PyDict_SetItemString(d, "P", (PyObject *)pcol) && !PyDict_SetItemString(d, "cues", (PyObject *)ccol);
        for (size_t c = 0; ok && c < sizeof cols / sizeof *cols; c++) {
            PyArrayObject *a = new_array(1, np_, 0, NPY_FLOAT64);
            for (npy_intp k = 0; a && k < np_; k++)
                ((double *)PyArray_DATA(a))[k] = *(const double *)((const char *)&pts[k] + offs[c]);
            ok = a && !PyDict_SetItemString(d, cols[c], (PyObject *)a);
            Py_XDECREF(a);
        }
        char desc[128];
        am_store_config_describe(&o.store, desc, sizeof desc);
        PyObject *ds = PyUnicode_FromString(desc), *nn = PyLong_FromSsize_t(n), *tt = PyLong_FromSsize_t(trials);
        ok = ok && ds && nn && tt && !PyDict_SetItemString(d, "store", ds) && !PyDict_SetItemString(d, "n", nn) &&
             !PyDict_SetItemString(d, "trials", tt);
        Py_XDECREF(ds), Py_XDECREF(nn), Py_XDECREF(tt), Py_XDECREF(pcol), Py_XDECREF(ccol);
        if (ok)
            result = d;
        else
            Py_XDECREF(d);
    }
done:
    PyMem_Free(ps);
    PyMem_Free(pts);
    Py_DECREF(pa);
    return result;
fail_store:
    Py_XDECREF(sargs);
    Py_XDECREF(skw);
    return NULL;
}

/* ------------------------------------------------------------------------------------------------ */
/* Row maps: rows x in floats -> rows x out floats through a library call, GIL released. */

typedef int (*rowmap_fn)(const void *obj, const float *x, size_t rows, float *y);

static PyObject *rowmap(const void *obj, PyObject *arg, size_t in, size_t out, rowmap_fn fn, const char *what)
{
    PyArrayObject *x = as_floats(arg, in, 1, 2, 0, what);
    if (!x)
        return NULL;
    int nd = PyArray_NDIM(x);
    npy_intp rows = nd == 2 ? PyArray_DIM(x, 0) : 1;
    PyArrayObject *y = new_array(nd, nd == 2 ? rows : (npy_intp)out, (npy_intp)out, NPY_FLOAT32);
    int rc = AM_OK;
    if (y && rows) {
        Py_BEGIN_ALLOW_THREADS
        rc = fn(obj, PyArray_DATA(x), (size_t)rows, PyArray_DATA(y));
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(x);
    if (rc) {
        Py_XDECREF(y);
        return am_raise(rc, "%s", what);
    }
    return (PyObject *)y;
}

/* ------------------------------------------------------------------------------------------------ */
/* Autoencoder */

typedef struct {
    PyObject_HEAD am_ae *ae;
    am_ae_trainer *trainer;
    am_ae_train_opts topts; /* of the trainer */
    int busy;
} AEObject;

static PyTypeObject AEType;

static void AE_dealloc(AEObject *self)
{
    am_ae_trainer_free(self->trainer);
    am_ae_free(self->ae);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int AE_init(AEObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"sizes", "hidden", "code", "output", "loss", "rng", NULL};
    PyObject *sizes, *rngo = NULL;
    const char *hidden = "relu", *code = NULL, *output = "sigmoid", *loss = NULL;
    am_ae_config c;
    am_rng tmp, *rng;
    char buf[512] = "";
    if (self->ae)
        return value_error("an Autoencoder is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|sssz$O:Autoencoder", names, &sizes, &hidden, &code, &output, &loss, &rngo))
        return -1;
    if (PyUnicode_Check(sizes)) {
        const char *s = PyUnicode_AsUTF8(sizes);
        if (!s)
            return -1;
        snprintf(buf, sizeof buf, "%s", s);
    } else {
        PyObject *seq = PySequence_Fast(sizes, "sizes must be a list of layer widths or a string '784,256,784'");
        if (!seq)
            return -1;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
            long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
            if (v == -1 && PyErr_Occurred()) {
                Py_DECREF(seq);
                return -1;
            }
            size_t len = strlen(buf);
            snprintf(buf + len, sizeof buf - len, "%s%ld", i ? "," : "", v);
        }
        Py_DECREF(seq);
    }
    if (!loss)
        loss = strcmp(output, "sigmoid") ? "mse" : "bce";
    if (am_ae_config_parse(&c, buf, hidden, code, output, loss) || am_ae_config_check(&c))
        return value_error("Autoencoder(sizes='%s', hidden=%s, code=%s, output=%s, loss=%s): sizes need >= 3 widths "
                           "with the last equal to the first, activations linear/relu/tanh/sigmoid, loss mse or bce "
                           "(bce with a sigmoid output)", buf, hidden, code ? code : hidden, output, loss), -1;
    if (!(rng = rng_arg(rngo, &tmp)))
        return -1;
    int rc = am_ae_create(&self->ae, &c, rng);
    if (rc)
        return am_raise(rc, "Autoencoder('%s')", buf), -1;
    return 0;
}

#define AE_READY(self)                                                                                             \
    do {                                                                                                           \
        if (!(self)->ae) {                                                                                         \
            PyErr_SetString(PyExc_RuntimeError, "the Autoencoder was not initialised");                            \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static int ae_encode(const void *o, const float *x, size_t r, float *y) { return am_ae_encode(o, x, r, y); }
static int ae_decode(const void *o, const float *x, size_t r, float *y) { return am_ae_decode(o, x, r, y); }
static int ae_recon(const void *o, const float *x, size_t r, float *y) { return am_ae_reconstruct(o, x, r, y); }

static PyObject *AE_encode(AEObject *self, PyObject *x)
{
    AE_READY(self);
    return rowmap(self->ae, x, am_ae_input_dim(self->ae), am_ae_code_dim(self->ae), ae_encode, "Autoencoder.encode");
}
static PyObject *AE_decode(AEObject *self, PyObject *x)
{
    AE_READY(self);
    return rowmap(self->ae, x, am_ae_code_dim(self->ae), am_ae_input_dim(self->ae), ae_decode, "Autoencoder.decode");
}
static PyObject *AE_reconstruct(AEObject *self, PyObject *x)
{
    AE_READY(self);
    return rowmap(self->ae, x, am_ae_input_dim(self->ae), am_ae_input_dim(self->ae), ae_recon, "Autoencoder.reconstruct");
}

static PyObject *AE_evaluate(AEObject *self, PyObject *arg)
{
    AE_READY(self);
    PyArrayObject *x = as_floats(arg, am_ae_input_dim(self->ae), 2, 2, 0, "Autoencoder.evaluate");
    if (!x)
        return NULL;
    double mse = NAN, bce = NAN;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = am_ae_evaluate(self->ae, PyArray_DATA(x), (size_t)PyArray_DIM(x, 0), &mse, &bce);
    Py_END_ALLOW_THREADS
    Py_DECREF(x);
    if (rc)
        return am_raise(rc, "Autoencoder.evaluate");
    return namespace(2, "mse", PyFloat_FromDouble(mse), "bce", PyFloat_FromDouble(bce));
}

static PyObject *AE_train(AEObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "epochs", "batch", "lr", "mask", "noise", "weight_decay", "rng", "threads", NULL};
    PyObject *xo, *rngo = NULL;
    Py_ssize_t epochs = 1, batch = 128;
    double lr = 1e-3, mask = 0, noise = 0, wd = 0;
    int threads = 0;
    am_rng tmp, *rng;
    AE_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$nnddddOi:train", names, &xo, &epochs, &batch, &lr, &mask, &noise,
                                     &wd, &rngo, &threads))
        return NULL;
    if (epochs < 1 || batch < 1 || !(lr > 0) || !(mask >= 0 && mask < 1) || !(noise >= 0) || !(wd >= 0) || threads < 0)
        return value_error("train: epochs, batch >= 1; lr > 0; 0 <= mask < 1; noise, weight_decay >= 0; threads >= 0");
    if (self->busy)
        return PyErr_Format(PyExc_RuntimeError, "Autoencoder.train: already training in another thread");
    if (!(rng = rng_arg(rngo, &tmp)))
        return NULL;
    PyArrayObject *x = as_floats(xo, am_ae_input_dim(self->ae), 2, 2, 0, "x");
    if (!x)
        return NULL;
    am_ae_train_opts o;
    am_ae_train_opts_default(&o);
    o.batch = (size_t)batch, o.lr = lr, o.mask = mask, o.noise = noise, o.weight_decay = wd, o.threads = threads;
    int rc = AM_OK;
    if (self->trainer && memcmp(&o, &self->topts, sizeof o)) { /* other settings: a fresh optimiser */
        am_ae_trainer_free(self->trainer);
        self->trainer = NULL;
    }
    if (!self->trainer && (rc = am_ae_trainer_create(&self->trainer, self->ae, &o))) {
        Py_DECREF(x);
        return am_raise(rc, "Autoencoder.train");
    }
    self->topts = o;
    am_dataset *ds = NULL;
    size_t rows = (size_t)PyArray_DIM(x, 0), dim = am_ae_input_dim(self->ae);
    if ((rc = am_dataset_create(&ds, rows, dim, 0))) {
        Py_DECREF(x);
        return am_raise(rc, "Autoencoder.train");
    }
    memcpy(ds->x, PyArray_DATA(x), rows * dim * sizeof(float));
    Py_DECREF(x);
    PyArrayObject *losses = new_array(1, epochs, 0, NPY_FLOAT64);
    if (!losses) {
        am_dataset_free(ds);
        return NULL;
    }
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t e = 0; e < epochs && !rc; e++)
        rc = am_ae_train_epoch(self->trainer, ds, rng, NULL, NULL, (double *)PyArray_DATA(losses) + e);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    am_dataset_free(ds);
    if (rc) {
        Py_DECREF(losses);
        return am_raise(rc, "Autoencoder.train");
    }
    return (PyObject *)losses;
}

static int ae_save(const void *ae, const char *path) { return am_ae_save(ae, path); }
static int ae_load(void **ae, const char *path) { return am_ae_load((am_ae **)ae, path); }

static PyObject *AE_save(AEObject *self, PyObject *arg)
{
    AE_READY(self);
    return save_with(ae_save, self->ae, arg, "Autoencoder.save");
}

static PyObject *AE_load(PyObject *cls, PyObject *arg)
{
    am_ae *ae = NULL;
    if (load_with(ae_load, (void **)&ae, arg, "Autoencoder.load"))
        return NULL;
    AEObject *o = (AEObject *)((PyTypeObject *)cls)->tp_alloc((PyTypeObject *)cls, 0);
    if (!o) {
        am_ae_free(ae);
        return NULL;
    }
    o->ae = ae;
    return (PyObject *)o;
}

static PyObject *AE_repr(AEObject *self)
{
    char buf[256];
    if (!self->ae)
        return PyUnicode_FromString("<am.Autoencoder, not initialised>");
    am_ae_config_describe(am_ae_config_of(self->ae), buf, sizeof buf);
    return PyUnicode_FromFormat("<am.Autoencoder %s>", buf);
}

static PyObject *AE_get_input(AEObject *self, void *u) { (void)u; AE_READY(self); return PyLong_FromSize_t(am_ae_input_dim(self->ae)); }
static PyObject *AE_get_code(AEObject *self, void *u) { (void)u; AE_READY(self); return PyLong_FromSize_t(am_ae_code_dim(self->ae)); }
static PyObject *AE_get_steps(AEObject *self, void *u)
{
    (void)u;
    AE_READY(self);
    return PyLong_FromSize_t(self->trainer ? am_ae_trainer_steps(self->trainer) : 0);
}

static PyMethodDef AE_methods[] = {
    {"encode", (PyCFunction)AE_encode, METH_O, "encode(x) -> z (rows x code)"},
    {"decode", (PyCFunction)AE_decode, METH_O, "decode(z) -> y (rows x input)"},
    {"reconstruct", (PyCFunction)AE_reconstruct, METH_O, "reconstruct(x) -> decode(encode(x))"},
    {"evaluate", (PyCFunction)AE_evaluate, METH_O, "evaluate(x) -> namespace(mse, bce): mean reconstruction losses"},
    {"train", (PyCFunction)(void (*)(void))AE_train, METH_VARARGS | METH_KEYWORDS,
     "train(x, *, epochs=1, batch=128, lr=1e-3, mask=0, noise=0, weight_decay=0, rng=None, threads=0)\n"
     "-> the mean loss of each epoch. Adam on minibatches in an order drawn from rng; mask/noise corrupt the\n"
     "inputs (denoising). The optimiser state carries over between calls with the same settings. The result\n"
     "does not depend on threads."},
    {"save", (PyCFunction)AE_save, METH_O, "save(path)"},
    {"load", (PyCFunction)AE_load, METH_O | METH_CLASS, "Autoencoder.load(path) -> Autoencoder"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef AE_getset[] = {
    {"input_dim", (getter)AE_get_input, NULL, "input width", NULL},
    {"code_dim", (getter)AE_get_code, NULL, "code width", NULL},
    {"steps", (getter)AE_get_steps, NULL, "optimiser steps taken by the current trainer", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject AEType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Autoencoder",
    .tp_basicsize = sizeof(AEObject),
    .tp_dealloc = (destructor)AE_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Autoencoder(sizes, hidden='relu', code=None, output='sigmoid', loss=None, *, rng=None)\n"
              "A multilayer-perceptron autoencoder trained in C (am/autoencoder.h). sizes: [784, 256, 32, 256, 784]\n"
              "or '784,256,32,256,784' (the narrowest hidden layer is the code); loss: 'bce' for a sigmoid\n"
              "output, else 'mse'. Weights start as PyTorch's nn.Linear, drawn from rng.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)AE_init,
    .tp_repr = (reprfunc)AE_repr,
    .tp_methods = AE_methods,
    .tp_getset = AE_getset,
};

/* ------------------------------------------------------------------------------------------------ */
/* PCA */

typedef struct {
    PyObject_HEAD am_pca *p;
} PCAObject;

static PyTypeObject PCAType;

static void PCA_dealloc(PCAObject *self)
{
    am_pca_free(self->p);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int PCA_init(PCAObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "k", NULL};
    PyObject *xo;
    Py_ssize_t k;
    if (self->p)
        return value_error("a PCA is fitted once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "On:PCA", names, &xo, &k))
        return -1;
    PyArrayObject *x = as_floats(xo, 0, 2, 2, 0, "x");
    if (!x)
        return -1;
    size_t n = (size_t)PyArray_DIM(x, 0), dim = (size_t)PyArray_DIM(x, 1);
    if (k < 1 || (size_t)k > dim || n < 2) {
        Py_DECREF(x);
        return value_error("PCA needs 1 <= k <= %zu components and at least 2 rows", dim), -1;
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = am_pca_fit(&self->p, PyArray_DATA(x), n, dim, (size_t)k);
    Py_END_ALLOW_THREADS
    Py_DECREF(x);
    if (rc)
        return am_raise(rc, "PCA"), -1;
    return 0;
}

#define PCA_READY(self)                                                                                            \
    do {                                                                                                           \
        if (!(self)->p) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the PCA was not fitted");                                         \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static int pca_enc(const void *o, const float *x, size_t r, float *y) { return am_pca_encode(o, x, r, y); }
static int pca_dec(const void *o, const float *x, size_t r, float *y) { return am_pca_decode(o, x, r, y); }
static PyObject *PCA_encode(PCAObject *self, PyObject *x)
{
    PCA_READY(self);
    return rowmap(self->p, x, self->p->dim, self->p->k, pca_enc, "PCA.encode");
}
static PyObject *PCA_decode(PCAObject *self, PyObject *x)
{
    PCA_READY(self);
    return rowmap(self->p, x, self->p->k, self->p->dim, pca_dec, "PCA.decode");
}
static PyObject *PCA_explained(PCAObject *self, PyObject *arg)
{
    PCA_READY(self);
    Py_ssize_t j = PyLong_AsSsize_t(arg);
    if (j == -1 && PyErr_Occurred())
        return NULL;
    if (j < 0 || (size_t)j > self->p->k)
        return value_error("explained(j) needs 0 <= j <= %zu", self->p->k);
    return PyFloat_FromDouble(am_pca_explained(self->p, (size_t)j));
}
static PyObject *PCA_get_components(PCAObject *self, void *u)
{
    (void)u;
    PCA_READY(self);
    return copy_out(self->p->components, self->p->k, self->p->dim, 2, NPY_FLOAT32, sizeof(float));
}
static PyObject *PCA_get_mean(PCAObject *self, void *u)
{
    (void)u;
    PCA_READY(self);
    return copy_out(self->p->mean, self->p->dim, 1, 1, NPY_FLOAT32, sizeof(float));
}

static PyMethodDef PCA_methods[] = {
    {"encode", (PyCFunction)PCA_encode, METH_O, "encode(x) -> z (rows x k)"},
    {"decode", (PyCFunction)PCA_decode, METH_O, "decode(z) -> x (rows x dim)"},
    {"explained", (PyCFunction)PCA_explained, METH_O, "explained(j) -> variance fraction of the first j components"},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef PCA_getset[] = {
    {"components", (getter)PCA_get_components, NULL, "k x dim orthonormal rows", NULL},
    {"mean", (getter)PCA_get_mean, NULL, "the data mean", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
static PyTypeObject PCAType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.PCA",
    .tp_basicsize = sizeof(PCAObject),
    .tp_dealloc = (destructor)PCA_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "PCA(x, k): the first k principal components of the rows of x (LAPACK).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)PCA_init,
    .tp_methods = PCA_methods,
    .tp_getset = PCA_getset,
};

/* ------------------------------------------------------------------------------------------------ */
/* Spiking networks */

typedef struct {
    PyObject_HEAD am_snn *n;
    int busy;
} SNNObject;

static PyTypeObject SNNType;

static void SNN_dealloc(SNNObject *self)
{
    am_snn_free(self->n);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int SNN_init(SNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"dt", "method", "seed", NULL};
    double dt = 0.1;
    const char *method = "exact";
    unsigned long long seed = 1;
    am_integrator m;
    if (self->n)
        return value_error("an SNN is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|dsK:SNN", names, &dt, &method, &seed))
        return -1;
    if (!strcmp(method, "euler"))
        m = AM_INT_EULER;
    else if (!strcmp(method, "exact"))
        m = AM_INT_EXACT;
    else
        return value_error("unknown method '%s' (euler or exact)", method), -1;
    int rc = am_snn_create(&self->n, dt, m, seed);
    if (rc)
        return am_raise(rc, "SNN(dt=%g)", dt), -1;
    return 0;
}

#define SNN_READY(self)                                                                                            \
    do {                                                                                                           \
        if (!(self)->n) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the SNN was not initialised");                                    \
            return NULL;                                                                                           \
        }                                                                                                          \
        if ((self)->busy) {                                                                                        \
            PyErr_SetString(PyExc_RuntimeError, "the SNN is running in another thread");                           \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static PyObject *SNN_add(SNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"count", "tau_m", "v_rest", "v_reset", "v_thresh", "t_ref", "drive", "synapse", "tau_e",
                            "tau_i", "e_e", "e_i", "v0_mean", "v0_sd", "v0_uniform", "ext_rate", "ext_weight", NULL};
    am_lif_params p;
    Py_ssize_t count;
    const char *syn = NULL;
    am_lif_params_default(&p);
    SNN_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "n|$ddddddsddddddpdd:add", names, &count, &p.tau_m, &p.v_rest,
                                     &p.v_reset, &p.v_thresh, &p.t_ref, &p.drive, &syn, &p.tau_e, &p.tau_i, &p.e_e,
                                     &p.e_i, &p.v0_mean, &p.v0_sd, &p.v0_uniform, &p.ext_rate, &p.ext_weight))
        return NULL;
    if (syn) {
        if (!strcmp(syn, "delta"))
            p.syn = AM_SYN_DELTA;
        else if (!strcmp(syn, "current"))
            p.syn = AM_SYN_CURRENT;
        else if (!strcmp(syn, "conductance"))
            p.syn = AM_SYN_CONDUCTANCE;
        else
            return value_error("unknown synapse '%s' (delta, current or conductance)", syn);
    }
    if (!kw || !PyDict_GetItemString(kw, "v0_mean"))
        p.v0_mean = p.v_rest;
    if (count < 1)
        return value_error("add needs count >= 1");
    size_t first;
    int rc = am_snn_add(self->n, (size_t)count, &p, &first);
    if (rc)
        return am_raise(rc, "SNN.add (check tau_m > 0, v_thresh > v_reset, t_ref >= 0, finite values)");
    return PyLong_FromSize_t(first);
}

static PyObject *SNN_connect(SNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"pre", "npre", "post", "npost", "p", "k", "weight", "inhibitory", "delay", "autapses", NULL};
    Py_ssize_t pre, npre, post, npost, k = -1;
    double p = -1;
    am_conn c = {0};
    SNN_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "nnnn|$dnddpdp:connect", names, &pre, &npre, &post, &npost, &p, &k,
                                     &c.weight, &c.inhibitory, &c.delay, &c.autapses))
        return NULL;
    if ((p >= 0) == (k >= 0))
        return value_error("connect needs exactly one of p (probability) and k (in-degree)");
    if (pre < 0 || npre < 0 || post < 0 || npost < 0)
        return value_error("connect: neuron ranges must be >= 0");
    c.kind = p >= 0 ? AM_CONN_PROB : AM_CONN_INDEGREE;
    c.p = p >= 0 ? p : 0;
    c.k = k >= 0 ? (size_t)k : 0;
    int rc = am_snn_connect(self->n, (size_t)pre, (size_t)npre, (size_t)post, (size_t)npost, &c);
    if (rc)
        return am_raise(rc, "SNN.connect(%zd, %zd, %zd, %zd)", pre, npre, post, npost);
    Py_RETURN_NONE;
}

typedef struct spike_log {
    uint64_t *step;
    uint32_t *id;
    size_t count, cap;
    int failed;
} spike_log;

static void log_spikes(uint64_t step, double t, const uint32_t *ids, size_t count, void *ctx)
{
    (void)t;
    spike_log *l = ctx;
    if (l->failed)
        return;
    if (l->count + count > l->cap) {
        size_t cap = (l->cap ? l->cap * 2 : 1024);
        while (cap < l->count + count)
            cap *= 2;
        uint64_t *s = grow(l->step, cap, sizeof *s);
        if (s)
            l->step = s;
        uint32_t *i = grow(l->id, cap, sizeof *i);
        if (i)
            l->id = i;
        if (!s || !i) {
            l->failed = 1;
            return;
        }
        l->cap = cap;
    }
    for (size_t k = 0; k < count; k++)
        l->step[l->count + k] = step, l->id[l->count + k] = ids[k];
    l->count += count;
}

static PyObject *SNN_run(SNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"steps", "spikes", "threads", NULL};
    unsigned long long steps;
    int spikes = 0, threads = 1;
    SNN_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "K|$pi:run", names, &steps, &spikes, &threads))
        return NULL;
    spike_log l = {0};
    am_snn_monitor mon = {.on_spikes = log_spikes, .ctx = &l};
    int rc;
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    rc = am_snn_run(self->n, steps, spikes ? &mon : NULL, threads);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    PyObject *r = NULL;
    if (rc)
        am_raise(rc, "SNN.run");
    else if (l.failed)
        PyErr_NoMemory();
    else if (spikes) {
        double dt = am_snn_dt(self->n);
        PyArrayObject *t = new_array(1, (npy_intp)l.count, 0, NPY_FLOAT64);
        PyObject *i = copy_out(l.id, l.count, 1, 1, NPY_UINT32, sizeof(uint32_t));
        for (size_t k = 0; t && k < l.count; k++)
            ((double *)PyArray_DATA(t))[k] = (double)l.step[k] * dt;
        r = t && i ? namespace(2, "t", (PyObject *)t, "i", i) : NULL;
        if (!r)
            Py_XDECREF(t), Py_XDECREF(i);
    } else
        r = Py_NewRef(Py_None);
    free(l.step), free(l.id);
    return r;
}

static PyObject *SNN_get_v(SNNObject *self, void *u)
{
    (void)u;
    SNN_READY(self);
    return copy_out(am_snn_v(self->n), am_snn_size(self->n), 1, 1, NPY_FLOAT32, sizeof(float));
}
static PyObject *SNN_get_counts(SNNObject *self, void *u)
{
    (void)u;
    SNN_READY(self);
    return copy_out(am_snn_spike_counts(self->n), am_snn_size(self->n), 1, 1, NPY_UINT64, sizeof(uint64_t));
}
static PyObject *SNN_get_size(SNNObject *self, void *u) { (void)u; SNN_READY(self); return PyLong_FromSize_t(am_snn_size(self->n)); }
static PyObject *SNN_get_synapses(SNNObject *self, void *u) { (void)u; SNN_READY(self); return PyLong_FromSize_t(am_snn_synapses(self->n)); }
static PyObject *SNN_get_time(SNNObject *self, void *u)
{
    (void)u;
    SNN_READY(self);
    return PyFloat_FromDouble((double)am_snn_step_count(self->n) * am_snn_dt(self->n));
}

static PyMethodDef SNN_methods[] = {
    {"add", (PyCFunction)(void (*)(void))SNN_add, METH_VARARGS | METH_KEYWORDS,
     "add(count, *, tau_m=20, v_rest=-60, v_reset=-60, v_thresh=-50, t_ref=5, drive=0, synapse='conductance',\n"
     "    tau_e=5, tau_i=10, e_e=0, e_i=-80, v0_mean=v_rest, v0_sd=0, v0_uniform=False, ext_rate=0, ext_weight=0)\n"
     "-> the index of the first of count new LIF neurons (ms, mV, Hz; am/spiking.h)"},
    {"connect", (PyCFunction)(void (*)(void))SNN_connect, METH_VARARGS | METH_KEYWORDS,
     "connect(pre, npre, post, npost, *, p=None | k=None, weight=0, inhibitory=False, delay=0, autapses=False):\n"
     "project neurons [pre, pre+npre) to [post, post+npost) with probability p or in-degree k"},
    {"run", (PyCFunction)(void (*)(void))SNN_run, METH_VARARGS | METH_KEYWORDS,
     "run(steps, *, spikes=False, threads=1) -> None, or namespace(t, i) of the spikes (ms, neuron) with\n"
     "spikes=True. The same spikes at any thread count."},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef SNN_getset[] = {
    {"v", (getter)SNN_get_v, NULL, "membrane potentials (mV)", NULL},
    {"spike_counts", (getter)SNN_get_counts, NULL, "spikes of each neuron so far", NULL},
    {"size", (getter)SNN_get_size, NULL, "neurons", NULL},
    {"synapses", (getter)SNN_get_synapses, NULL, "synapses", NULL},
    {"t", (getter)SNN_get_time, NULL, "simulated time (ms)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
static PyTypeObject SNNType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.SNN",
    .tp_basicsize = sizeof(SNNObject),
    .tp_dealloc = (destructor)SNN_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "SNN(dt=0.1, method='exact', seed=1): a network of leaky integrate-and-fire neurons in fixed steps\n"
              "of dt ms (method 'euler' as Brian2's, or 'exact'). Randomness from (seed, neuron, step).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)SNN_init,
    .tp_methods = SNN_methods,
    .tp_getset = SNN_getset,
};

/* xor_trial(s1, s3, bg_rate=0, seed=1, readout_inputs=False) -> spike counts of the eight roles */
static PyObject *am_py_xor_trial(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"s1", "s3", "bg_rate", "bg_weight", "seed", "readout_inputs", NULL};
    am_xor_params p;
    double s1, s3;
    unsigned long long seed = 1;
    am_xor_params_default(&p);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "dd|$ddKp:xor_trial", names, &s1, &s3, &p.bg_rate, &p.bg_weight, &seed,
                                     &p.readout_inputs))
        return NULL;
    if (!(s1 >= 0 && s1 <= 1 && s3 >= 0 && s3 <= 1))
        return value_error("inputs s1 and s3 must be in [0, 1]");
    uint64_t counts[AM_XOR_ROLES];
    int rc = am_xor_params_check(&p);
    if (!rc) {
        Py_BEGIN_ALLOW_THREADS
        rc = am_xor_trial(&p, s1, s3, seed, counts, NULL);
        Py_END_ALLOW_THREADS
    }
    if (rc)
        return am_raise(rc, "am.xor_trial");
    PyObject *c = copy_out(counts, AM_XOR_ROLES, 1, 1, NPY_UINT64, sizeof(uint64_t));
    return namespace(3, "counts", c, "error_hz", PyFloat_FromDouble(am_xor_signed_error(&p, counts)), "bit",
                     PyLong_FromLong(am_xor_signed_bit(&p, counts)));
}

/* ------------------------------------------------------------------------------------------------ */
/* The graded-response network (continuous time) */

static PyObject *am_py_graded_run(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"w", "u", "beta", "tau", "dt", "steps", "gain", "method", NULL};
    PyObject *wo, *uo;
    double beta = 1, tau = 1, dt = 0.01;
    Py_ssize_t steps = 100;
    const char *gain = "tanh", *method = "rk4";
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$dddnss:graded_run", names, &wo, &uo, &beta, &tau, &dt, &steps, &gain,
                                     &method))
        return NULL;
    am_gain g;
    am_ode m;
    if (!strcmp(gain, "tanh"))
        g = AM_GAIN_TANH;
    else if (!strcmp(gain, "sigmoid"))
        g = AM_GAIN_SIGMOID;
    else
        return value_error("unknown gain '%s' (tanh or sigmoid)", gain);
    if (!strcmp(method, "euler"))
        m = AM_ODE_EULER;
    else if (!strcmp(method, "rk4"))
        m = AM_ODE_RK4;
    else
        return value_error("unknown method '%s' (euler or rk4)", method);
    if (steps < 0 || !(dt > 0))
        return value_error("steps >= 0 and dt > 0");
    PyArrayObject *u = as_floats(uo, 0, 1, 1, 1, "u");
    if (!u)
        return NULL;
    size_t n = (size_t)PyArray_DIM(u, 0);
    PyArrayObject *w = as_floats(wo, n, 2, 2, 0, "w");
    if (!w || (size_t)PyArray_DIM(w, 0) != n) {
        Py_DECREF(u);
        Py_XDECREF(w);
        return w ? value_error("w must be n x n with n = len(u) = %zu", n) : NULL;
    }
    am_graded *gr = NULL;
    PyArrayObject *e = new_array(1, steps + 1, 0, NPY_FLOAT64);
    int rc = e ? am_graded_create(&gr, n, PyArray_DATA(w), NULL, g, beta, tau) : AM_ENOMEM;
    Py_DECREF(w);
    if (!rc) {
        Py_BEGIN_ALLOW_THREADS
        rc = am_graded_run(gr, PyArray_DATA(u), dt, (size_t)steps, m, PyArray_DATA(e));
        Py_END_ALLOW_THREADS
    }
    PyArrayObject *v = rc ? NULL : new_array(1, (npy_intp)n, 0, NPY_FLOAT32);
    if (v)
        am_graded_output(gr, PyArray_DATA(u), PyArray_DATA(v));
    am_graded_free(gr);
    if (rc || !v) {
        Py_DECREF(u);
        Py_XDECREF(e);
        return rc ? am_raise(rc, "am.graded_run (w symmetric and finite, beta > 0, tau > 0)") : NULL;
    }
    return namespace(3, "u", (PyObject *)u, "v", (PyObject *)v, "energy", (PyObject *)e);
}

/* ------------------------------------------------------------------------------------------------ */
/* Data and theory */

static PyObject *am_py_fashion(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"split", "dir", NULL};
    const char *split = "train";
    PyObject *diro = NULL, *dirb = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|sO:fashion", names, &split, &diro))
        return NULL;
    if (diro && diro != Py_None && !PyUnicode_FSConverter(diro, &dirb))
        return NULL;
    const char *dir = dirb ? PyBytes_AS_STRING(dirb) : NULL;
    am_dataset *ds = NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = am_fashion_load(&ds, dir, split);
    Py_END_ALLOW_THREADS
    if (rc) {
        am_raise(rc, "am.fashion('%s', dir='%s')", split, dir ? dir : AM_FASHION_DIR);
        Py_XDECREF(dirb);
        return NULL;
    }
    Py_XDECREF(dirb);
    PyObject *x = copy_out(ds->x, ds->count, ds->dim, 2, NPY_FLOAT32, sizeof(float));
    PyObject *y = ds->labels ? copy_out(ds->labels, ds->count, 1, 1, NPY_INT32, sizeof(int)) : Py_NewRef(Py_None);
    am_dataset_free(ds);
    if (!x || !y) {
        Py_XDECREF(x), Py_XDECREF(y);
        return NULL;
    }
    return Py_BuildValue("(NN)", x, y);
}

static PyObject *am_py_class_name(PyObject *mod, PyObject *arg)
{
    (void)mod;
    long c = PyLong_AsLong(arg);
    if (c == -1 && PyErr_Occurred())
        return NULL;
    if (c < 0 || c > 9)
        return value_error("Fashion-MNIST classes are 0..9");
    return PyUnicode_FromString(am_fashion_class_name((int)c));
}

static PyObject *am_py_theory(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"what", "n", "p", "alpha", NULL};
    const char *what;
    Py_ssize_t n = 0, p = 0;
    double alpha = NAN;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|$nnd:theory", names, &what, &n, &p, &alpha))
        return NULL;
    if (!strcmp(what, "hebb_bit_error") || !strcmp(what, "hebb_fixed_prob")) {
        if (n < 1 || p < 1)
            return value_error("%s needs n >= 1 and p >= 1", what);
        return PyFloat_FromDouble(what[5] == 'b' ? am_theory_hebb_bit_error((size_t)n, (size_t)p)
                                                 : am_theory_hebb_fixed_prob((size_t)n, (size_t)p));
    }
    if (!strcmp(what, "hebb_capacity") || !strcmp(what, "storkey_capacity")) {
        if (n < 1)
            return value_error("%s needs n >= 1", what);
        return PyFloat_FromDouble(what[0] == 'h' ? am_theory_hebb_capacity((double)n) : am_theory_storkey_capacity((double)n));
    }
    if (!strcmp(what, "ags_overlap")) {
        double m = NAN;
        if (!(alpha >= 0))
            return value_error("ags_overlap needs alpha >= 0");
        am_theory_ags_overlap(alpha, &m); /* 0 beyond alpha_c: no retrieval state, m = 0 */
        return PyFloat_FromDouble(m);
    }
    if (!strcmp(what, "ags_alpha_c")) {
        double m;
        double a = am_theory_ags_alpha_c(&m);
        return Py_BuildValue("(dd)", a, m);
    }
    return value_error("unknown theory '%s' (hebb_bit_error, hebb_fixed_prob, hebb_capacity, storkey_capacity, "
                       "ags_overlap, ags_alpha_c)", what);
}

/* ------------------------------------------------------------------------------------------------ */
/* The module */

static PyMethodDef module_methods[] = {
    {"seed", am_py_seed, METH_O, "seed(s): restart am's default random stream (used when rng=None) at seed s"},
    {"load", am_py_load, METH_O, "load(path) -> Store: any store file libam wrote"},
    {"patterns", (PyCFunction)(void (*)(void))am_py_patterns, METH_VARARGS | METH_KEYWORDS,
     "patterns(family, count, n=0, *, width=0, height=0, rng=None) -> count x n int8 ±1 patterns.\n"
     "family: 'random', 'biased:A', 'correlated:Q', 'letters' (A, B, C, ...), 'checkerboard'; letters and\n"
     "checkerboards are drawn on width x height (default: the square grid of n)."},
    {"letters", (PyCFunction)(void (*)(void))am_py_letters, METH_VARARGS | METH_KEYWORDS,
     "letters(text, width=5, height=7) -> len(text) x (width*height) int8: the letters of text in a 5x7 font"},
    {"flip", (PyCFunction)(void (*)(void))am_py_flip, METH_VARARGS | METH_KEYWORDS,
     "flip(state, k=None, frac=None, *, rng=None) -> a copy with exactly k (or round(frac n)) distinct units of\n"
     "each row flipped"},
    {"occlude", (PyCFunction)(void (*)(void))am_py_occlude, METH_VARARGS | METH_KEYWORDS,
     "occlude(state, width, height, x0, y0, w, h, fill=0, *, rng=None) -> a copy with the block [x0,x0+w) x\n"
     "[y0,y0+h) of the width x height grid set to fill (+1, -1, or 0: random)"},
    {"overlap", am_py_overlap, METH_VARARGS, "overlap(a, b) -> (1/n) sum_i a_i b_i"},
    {"capacity", (PyCFunction)(void (*)(void))am_py_capacity, METH_VARARGS | METH_KEYWORDS,
     "capacity(P, *, model='hopfield', n=100, rule=, F=, degree=, beta=, dynamics='async', order='random', T=0,\n"
     "         max_steps=100, eps=1e-6, patterns='random', noise=0.1, cues=0, stability=0, threshold=0.99,\n"
     "         trials=5, seed=1, threads=0) -> dict of columns (P, alpha, overlap_mean, recall_frac, ...)\n"
     "The measurement of bin/capacity (am/capacity.h) at the loads P; the same numbers at any thread count."},
    {"xor_trial", (PyCFunction)(void (*)(void))am_py_xor_trial, METH_VARARGS | METH_KEYWORDS,
     "xor_trial(s1, s3, *, bg_rate=0, bg_weight=6, seed=1, readout_inputs=False) -> namespace(counts, error_hz,\n"
     "bit): one 100 ms trial of the spiking XOR motif (roles in1 lat2 in3 lat4 xor5 hub6 F+ F-)"},
    {"graded_run", (PyCFunction)(void (*)(void))am_py_graded_run, METH_VARARGS | METH_KEYWORDS,
     "graded_run(w, u, *, beta=1, tau=1, dt=0.01, steps=100, gain='tanh', method='rk4') -> namespace(u, v,\n"
     "energy): the graded-response Hopfield network tau du/dt = -u + W g(u) from u; energy at every step"},
    {"fashion", (PyCFunction)(void (*)(void))am_py_fashion, METH_VARARGS | METH_KEYWORDS,
     "fashion(split='train', dir=None) -> (x, labels): Fashion-MNIST, pixels in [0, 1]"},
    {"class_name", am_py_class_name, METH_O, "class_name(c) -> the Fashion-MNIST class name"},
    {"theory", (PyCFunction)(void (*)(void))am_py_theory, METH_VARARGS | METH_KEYWORDS,
     "theory(what, *, n=, p=, alpha=): hebb_bit_error, hebb_fixed_prob, hebb_capacity, storkey_capacity,\n"
     "ags_overlap (alpha; 0 beyond alpha_c), ags_alpha_c -> (alpha_c, m at alpha_c)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "am._am", "libam's C core (use the package `am`).", -1, module_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__am(void)
{
    import_array();
    PyTypeObject *types[] = {&RngType, &StoreType, &AEType, &PCAType, &SNNType};
    const char *tnames[] = {"Rng", "Store", "Autoencoder", "PCA", "SNN"};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (PyType_Ready(types[i]) < 0)
            return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    PyObject *types_mod = PyImport_ImportModule("types");
    if (!types_mod)
        goto fail;
    SimpleNamespace = PyObject_GetAttrString(types_mod, "SimpleNamespace");
    Py_DECREF(types_mod);
    if (!SimpleNamespace)
        goto fail;
    AmError = PyErr_NewExceptionWithDoc("am.Error",
                                        "A libam call failed: str(e) says what and why; e.status is the libam status "
                                        "(am/error.h), e.errno the system errno (0 if none).",
                                        NULL, NULL);
    if (!AmError || PyModule_AddObjectRef(m, "Error", AmError))
        goto fail;
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (PyModule_AddObjectRef(m, tnames[i], (PyObject *)types[i]))
            goto fail;
    default_rng = (RngObject *)PyObject_CallNoArgs((PyObject *)&RngType);
    if (!default_rng || PyModule_AddObjectRef(m, "default_rng", (PyObject *)default_rng))
        goto fail;
    if (PyModule_AddStringConstant(m, "__version__", am_version()) ||
        PyModule_AddStringConstant(m, "commit", am_git_commit()))
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
