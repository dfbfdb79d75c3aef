/* am._am — the CPython extension under the Python module `am` (python/am/__init__.py): libam's stores,
 * pattern generators and corruptions, the capacity measurement, autoencoders, PCA, the spiking layer and
 * the graded (continuous-time) network, over numpy arrays.
 *
 * Conventions: arrays come in as anything numpy can read and go out as new numpy arrays the caller owns;
 * ±1 states are int8 (inputs are taken by their signs: > 0 is +1, so 0/1 and boolean arrays work), real
 * vectors float32. Library failures raise am.Error carrying the library's message, the status (.status)
 * and the errno of system failures (.errno), MemoryError saying what could not be allocated; bad Python
 * arguments raise TypeError, ValueError or OverflowError naming the argument (out of range: and the range,
 * checked here against the library's limits before it is called). Inputs are converted without a temporary
 * copy of the whole array, checking for signals (`convert`). Long computations release the GIL and answer
 * signals: their library loops poll a cancel hook (am/cancel.h) that checks for signals in the main thread
 * every POLL_SECONDS, so Ctrl-C raises KeyboardInterrupt within a fraction of a second (see `interrupt`
 * below). An object a long call is using
 * is marked (`use`): a call from another thread or a callback that would change it raises RuntimeError. */
#include "ext.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


static am_patterns *patterns_from(PyObject *st)
{
    Py_ssize_t rows = amx_rows(st), n = amx_cols(st);
    am_patterns *p = NULL;
    int rc = am_patterns_create(&p, (size_t)n, (size_t)rows);
    if (rc)
        return amx_raise(rc, "%zd patterns of %zd units", (Py_ssize_t)rows, (Py_ssize_t)n), NULL;
    const int8_t *s = amx_data(st);
    size_t done = 0;
    for (Py_ssize_t mu = 0; mu < rows; mu++) {
        am_patterns_set(p, (size_t)mu, s + mu * n);
        if (amx_copy_check(&done, (size_t)n)) {
            am_patterns_free(p);
            return NULL;
        }
    }
    return p;
}

static PyObject *patterns_to_array(const am_patterns *p)
{
    PyObject *a = amx_new2(AMX_I8, (Py_ssize_t)p->count, (Py_ssize_t)p->n, "patterns");
    int8_t *s = a ? amx_data(a) : NULL;
    size_t done = 0;
    for (size_t mu = 0; a && mu < p->count; mu++) {
        am_patterns_get(p, mu, s + mu * p->n);
        if (amx_copy_check(&done, p->n))
            Py_CLEAR(a);
    }
    return a;
}

/* ------------------------------------------------------------------------------------------------ */
/* Store */

typedef struct {
    PyObject_HEAD am_store *s;
    am_store_work *work; /* reused by recalls (one at a time; a concurrent one allocates its own) */
    amx_use use;             /* readers: recalls (also monitored ones) and stability checks; writer: add */
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

static int is_real(const StoreObject *self) { return (am_store_type_flags(am_store_type_of(self->s)) & AM_STORE_REAL) != 0; }

/* Is name a parameter of some store type? */
static int store_param_known(const char *name)
{
    for (const am_store_type *const *t = am_store_types(); *t; t++) {
        size_t np;
        const am_store_param *p = am_store_type_params(*t, &np);
        for (size_t k = 0; k < np; k++)
            if (!strcmp(p[k].name, name))
                return 1;
    }
    return 0;
}

/* A keyword's parameter name: "lambda_" (a Python keyword cannot be written "lambda") is "lambda"; the others
 * as they are. buf: room for the name. */
static const char *store_param_name(const char *key, char *buf, size_t size)
{
    size_t len = strlen(key);
    if (len > 1 && len < size && key[len - 1] == '_') {
        memcpy(buf, key, len - 1);
        buf[len - 1] = 0;
        if (store_param_known(buf))
            return buf;
    }
    return key;
}

/* The types that have parameter name, "a, b", into buf. */
static const char *store_param_owners(const char *name, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (const am_store_type *const *t = am_store_types(); *t && len < size; t++) {
        size_t np;
        const am_store_param *p = am_store_type_params(*t, &np);
        for (size_t k = 0; k < np; k++)
            if (!strcmp(p[k].name, name))
                len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", am_store_type_name(*t));
    }
    return buf;
}

/* One store parameter from Python: a str, an int (not a bool) or a finite float, as the text the library
 * parses. */
static int store_param_set(am_store_config *c, const char *key, PyObject *v)
{
    char why[200], owners[200];
    PyObject *text = NULL;
    if (PyUnicode_Check(v))
        text = (Py_INCREF(v), v);
    else if (PyLong_Check(v) && !PyBool_Check(v))
        text = PyObject_Str(v);
    else if (PyFloat_Check(v))
        text = PyObject_Repr(v);
    else
        return PyErr_Format(PyExc_TypeError, "%s must be a str, int or float, not %.100s", key, Py_TYPE(v)->tp_name), -1;
    if (!text)
        return -1;
    const char *t = PyUnicode_AsUTF8(text);
    int rc = t ? am_store_config_set(c, key, t, why, sizeof why) : AM_EINVAL;
    if (t && rc == AM_EUNSUPPORTED)
        amx_value_error("%s applies to %s only, not to %s", key, store_param_owners(key, owners, sizeof owners),
                    am_store_type_name(c->type));
    else if (t && rc)
        amx_value_error("%s = %s: %s", key, t, why);
    Py_DECREF(text);
    return rc ? -1 : 0;
}

/* A store configuration from the model's name, n and keyword parameters (None: the default). */
static int store_config_from(am_store_config *c, const char *model, size_t n, PyObject *params, const char *who)
{
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    char why[200];
    if (am_store_config_init(c, model, n))
        return amx_value_error("unknown model '%s' (%s)", model, am_store_type_list()), -1;
    while (params && PyDict_Next(params, &pos, &key, &val)) {
        const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        char name[64];
        if (!k)
            return PyErr_Format(PyExc_TypeError, "%s: keywords must be str", who), -1;
        k = store_param_name(k, name, sizeof name);
        if (!store_param_known(k))
            return PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%s'", who, k), -1;
        if (val != Py_None && store_param_set(c, k, val))
            return -1;
    }
    if (am_store_config_check(c, why, sizeof why))
        return amx_value_error("%s", why), -1;
    return 0;
}

/* Split keyword arguments into the store's parameters (params, new dict) and the rest (rest, new dict). */
static int split_store_params(PyObject *kw, PyObject **params, PyObject **rest)
{
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    *params = PyDict_New();
    *rest = PyDict_New();
    if (!*params || !*rest)
        return -1;
    while (kw && PyDict_Next(kw, &pos, &key, &val)) {
        const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        char name[64];
        if (PyDict_SetItem(k && store_param_known(store_param_name(k, name, sizeof name)) ? *params : *rest, key, val))
            return -1;
    }
    return 0;
}

static int Store_init(StoreObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"model", "n", NULL};
    const char *model = "hopfield";
    amx_int n = AMX_INT("n", 1, AM_MAX_UNITS, 0);
    PyObject *params = NULL, *rest = NULL;
    am_store_config c;
    int rc = -1;
    if (self->s)
        return amx_value_error("a Store is initialised once"), -1;
    if (!split_store_params(kw, &params, &rest) &&
        PyArg_ParseTupleAndKeywords(args, rest, "|sO&:Store", names, &model, amx_int_conv, &n) &&
        !store_config_from(&c, model, (size_t)n.u, params, "Store")) {
        int arc = am_store_create(&self->s, &c);
        if (arc)
            amx_raise(arc, "Store(%s, n=%llu)", model, n.u);
        else
            rc = 0;
    }
    Py_XDECREF(params);
    Py_XDECREF(rest);
    return rc;
}

static PyObject *Store_repr(StoreObject *self)
{
    char buf[256];
    am_store_config c;
    if (!self->s)
        return PyUnicode_FromString("<am.Store, not initialised>");
    am_store_config_of(self->s, &c); /* the configuration as the store reports it */
    am_store_config_describe(&c, buf, sizeof buf);
    return PyUnicode_FromFormat("<am.Store %s, %zu units, %zu patterns>", buf, am_store_n(self->s), am_store_count(self->s));
}

/* Every method: an initialised store that Store.add is not changing (in another thread or a signal handler). */
#define STORE_READY(self)                                                                                          \
    do {                                                                                                           \
        if (!(self)->s) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the Store was not initialised");                                   \
            return NULL;                                                                                           \
        }                                                                                                          \
        if ((self)->use.writer) {                                                                                  \
            PyErr_SetString(PyExc_RuntimeError, "the Store is being changed by Store.add (another thread, a handler)");\
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static int is_sequence(const StoreObject *self)
{
    return (am_store_type_flags(am_store_type_of(self->s)) & AM_STORE_SEQUENCE) != 0;
}

/* The names of the sequence store types, "seq-hebb, seq-dense, ..." (static storage). */
static const char *sequence_types(void)
{
    static char buf[256];
    size_t len = 0;
    if (!buf[0])
        for (const am_store_type *const *t = am_store_types(); *t && len < sizeof buf; t++)
            if (am_store_type_flags(*t) & AM_STORE_SEQUENCE)
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? ", " : "", am_store_type_name(*t));
    return buf;
}

/* 0, or -1 with ValueError("<what>: a hopfield store is not a sequence store (...)"). */
static int sequence_ready(StoreObject *self, const char *what)
{
    if (is_sequence(self))
        return 0;
    amx_value_error("%s: a %s store is not a sequence store (%s)", what, am_store_type_name(am_store_type_of(self->s)),
                sequence_types());
    return -1;
}

/* Learning runs with the GIL released and the store marked as written: an interrupted Storkey rule keeps the
 * patterns it learned (am_hopfield_store). On a sequence store the rows are one sequence (am_sequence_add). */
static PyObject *Store_add(StoreObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"patterns", "cyclic", NULL};
    PyObject *arg;
    int cyclic = 0, rc;
    STORE_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|p:add", names, &arg, &cyclic))
        return NULL;
    int seq = is_sequence(self);
    if (cyclic && !seq)
        return amx_value_error("Store.add: cyclic=True applies to sequence stores (%s), not to a %s store",
                           sequence_types(), am_store_type_name(am_store_type_of(self->s)));
    size_t n = am_store_n(self->s);
    PyObject *x = is_real(self) ? amx_floats(arg, n, 1, 2, 1, "patterns") : amx_states(arg, n, 1, 2, "patterns");
    am_patterns *p = NULL;
    if (!x)
        return NULL;
    if (seq && !amx_rows(x)) {
        Py_DECREF(x);
        return amx_value_error("Store.add: patterns has no rows (a sequence needs at least one pattern)");
    }
    if (!is_real(self) && !(p = patterns_from(x))) {
        Py_DECREF(x);
        return NULL;
    }
    if (amx_use_write(&self->use, "Store.add")) {
        Py_DECREF(x);
        am_patterns_free(p);
        return NULL;
    }
    amx_interrupt it;
    Py_ssize_t rows = amx_rows(x);
    const float *xv = amx_data(x);
    amx_interrupt_begin(&it, 1);
    rc = seq ? am_sequence_add(self->s, p, cyclic)
             : p ? am_store_add(self->s, p) : am_store_add_real(self->s, xv, (size_t)rows);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    am_patterns_free(p);
    Py_DECREF(x);
    if (rc)
        return amx_raise(rc, "Store.add (%s%zd patterns of %zu units to %zu)", seq ? (cyclic ? "a cyclic sequence of "
                        : "a sequence of ") : "", (Py_ssize_t)rows, n, am_store_count(self->s));
    Py_RETURN_NONE;
}

static PyObject *Store_get_patterns(StoreObject *self, void *unused)
{
    (void)unused;
    STORE_READY(self);
    if (is_real(self)) {
        size_t cnt = am_store_count(self->s), d = am_store_n(self->s);
        PyObject *a = amx_new2(AMX_F32, (Py_ssize_t)cnt, (Py_ssize_t)d, "Store.patterns");
        if (a && cnt)
            memcpy(amx_data(a), am_store_patterns_real(self->s), cnt * d * sizeof(float));
        return (PyObject *)a;
    }
    return patterns_to_array(am_store_patterns(self->s));
}

static PyObject *Store_get_n(StoreObject *self, void *u) { (void)u; STORE_READY(self); return PyLong_FromSize_t(am_store_n(self->s)); }
static PyObject *Store_get_count(StoreObject *self, void *u) { (void)u; STORE_READY(self); return PyLong_FromSize_t(am_store_count(self->s)); }
static PyObject *Store_get_model(StoreObject *self, void *u) { (void)u; STORE_READY(self); return PyUnicode_FromString(am_store_type_name(am_store_type_of(self->s))); }

static Py_ssize_t Store_len(StoreObject *self) { return self->s ? (Py_ssize_t)am_store_count(self->s) : 0; }

/* Per-state energies of a 1-D (a float) or 2-D (an array) state argument. */
static PyObject *Store_energy(StoreObject *self, PyObject *arg)
{
    STORE_READY(self);
    size_t n = am_store_n(self->s);
    PyObject *st = is_real(self) ? amx_floats(arg, n, 1, 2, 0, "state") : amx_states(arg, n, 1, 2, "state");
    if (!st)
        return NULL;
    int nd = amx_ndim(st);
    Py_ssize_t rows = nd == 2 ? amx_dim(st, 0) : 1;
    PyObject *e = nd == 2 ? amx_new1(AMX_F64, rows, "Store.energy") : NULL;
    double e1 = 0;
    if (nd == 2 && !e) {
        Py_DECREF(st);
        return NULL;
    }
    for (Py_ssize_t r = 0; r < rows; r++) {
        if (r % 64 == 63 && PyErr_CheckSignals()) { /* many states: Ctrl-C between them */
            Py_DECREF(st);
            Py_XDECREF(e);
            return NULL;
        }
        double v = is_real(self) ? am_store_energy_real(self->s, (const float *)amx_data(st) + r * n)
                                   : am_store_energy(self->s, (const int8_t *)amx_data(st) + r * n);
        if (e)
            ((double *)amx_data(e))[r] = v;
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
    PyObject *st = is_real(self) ? amx_floats(arg, n, 1, 1, 0, "state") : amx_states(arg, n, 1, 1, "state");
    if (!st)
        return NULL;
    PyObject *m = amx_new1(AMX_F64, (Py_ssize_t)cnt, "Store.overlaps");
    int rc = m ? am_store_overlaps(self->s, is_real(self) ? NULL : amx_data(st),
                                   is_real(self) ? amx_data(st) : NULL, amx_data(m))
               : AM_ENOMEM;
    Py_DECREF(st);
    if (rc) {
        Py_XDECREF(m);
        return m ? amx_raise(rc, "Store.overlaps") : NULL;
    }
    return (PyObject *)m;
}

static PyObject *Store_stability(StoreObject *self, PyObject *unused)
{
    (void)unused;
    STORE_READY(self);
    size_t cnt = am_store_count(self->s);
    PyObject *u = amx_new1(AMX_U64, (Py_ssize_t)cnt, "Store.stability");
    if (!u)
        return NULL;
    if (amx_use_read(&self->use, "Store.stability")) {
        Py_DECREF(u);
        return NULL;
    }
    amx_interrupt it;
    size_t *uv = amx_data(u);
    amx_interrupt_begin(&it, 1);
    int rc = am_store_stability(self->s, uv);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    if (rc) {
        Py_DECREF(u);
        return amx_raise(rc, "Store.stability (%zu patterns of %zu units)", cnt, am_store_n(self->s));
    }
    return (PyObject *)u;
}

static PyObject *Store_weights(StoreObject *self, PyObject *unused)
{
    (void)unused;
    STORE_READY(self);
    size_t n = am_store_n(self->s);
    if (am_store_weights(self->s, NULL) == AM_EUNSUPPORTED)
        return amx_raise(AM_EUNSUPPORTED, "Store.weights (a %s store has no weight matrix)",
                        am_store_type_name(am_store_type_of(self->s)));
    PyObject *w = amx_new2(AMX_F32, (Py_ssize_t)n, (Py_ssize_t)n, "Store.weights");
    if (!w)
        return NULL;
    int rc = am_store_weights(self->s, amx_data(w));
    if (rc) {
        Py_DECREF(w);
        return amx_raise(rc, "Store.weights");
    }
    return (PyObject *)w;
}

static int store_save(const void *s, const char *path) { return am_store_save(s, path); }
static int store_load(void **s, const char *path) { return am_store_load((am_store **)s, path); }

static PyObject *Store_save(StoreObject *self, PyObject *arg)
{
    STORE_READY(self);
    return amx_save_with(store_save, self->s, arg, "Store.save");
}

static PyObject *am_py_load(PyObject *mod, PyObject *arg)
{
    (void)mod;
    am_store *s = NULL;
    if (amx_load_with(store_load, (void **)&s, arg, "am.load"))
        return NULL;
    StoreObject *o = (StoreObject *)StoreType.tp_alloc(&StoreType, 0);
    if (!o) {
        am_store_free(s);
        return NULL;
    }
    o->s = s;
    return (PyObject *)o;
}

/* The store's workspace for a reader, created on first use: NULL when another reader has it (the library then
 * allocates scratch for the call). 0, or -1 with the exception set. */
static int reader_work(StoreObject *self, am_store_work **work, const char *what)
{
    int rc;
    if (!self->work && (rc = am_store_work_create(&self->work, self->s))) {
        amx_raise(rc, "%s (scratch space for %zu units)", what, am_store_n(self->s));
        return -1;
    }
    *work = self->use.readers ? NULL : self->work;
    return 0;
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
    amx_interrupt *it;       /* stopped when the monitor raises */
} recorder;

static void *grow(void *p, size_t count, size_t size)
{
    size_t bytes;
    if (am_size_mul(count, size, &bytes))
        return NULL;
    return realloc(p, bytes ? bytes : 1);
}

/* Room for cap frames (the arrays grown to it); 0, or -1 when out of memory. */
static int recorder_reserve(recorder *r, size_t cap)
{
    void *a = grow(r->states, cap * r->n, r->real ? sizeof(float) : 1);
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
    if (!a || !b || !c || !d || !u || !un)
        return -1;
    r->cap = cap;
    return 0;
}

/* The Python monitor with one event (the GIL is held: monitored recalls keep it). A failure is kept for the
 * caller and stops the recall at its next poll. */
static void call_monitor(recorder *r, const am_recall_event *ev)
{
    PyObject *state;
    if (ev->state) {
        state = amx_new1(AMX_I8, (Py_ssize_t)ev->n, "call_monitor");
        if (state)
            memcpy(amx_data((PyObject *)state), ev->state, ev->n);
    } else {
        state = amx_new1(AMX_F32, (Py_ssize_t)ev->n, "call_monitor");
        if (state)
            memcpy(amx_data((PyObject *)state), ev->x, ev->n * sizeof(float));
    }
    PyObject *unit = ev->unit == SIZE_MAX ? Py_NewRef(Py_None) : PyLong_FromSize_t(ev->unit);
    PyObject *e = amx_namespace(5, "sweep", PyLong_FromUnsignedLong(ev->sweep), "updates",
                            PyLong_FromUnsignedLongLong(ev->updates), "unit", unit, "state", state, "energy",
                            PyFloat_FromDouble(ev->energy));
    PyObject *res = e ? PyObject_CallOneArg(r->callback, e) : NULL;
    Py_XDECREF(e);
    if (!res) {
        PyErr_Fetch(&r->et, &r->ev, &r->etb);
        amx_interrupt_stop(r->it);
    }
    Py_XDECREF(res);
}

static void record_event(const am_recall_event *ev, void *ctx)
{
    recorder *r = ctx;
    if (r->callback && !r->et)
        call_monitor(r, ev);
    if (!r->states || r->failed)
        return;
    if (r->frames == r->cap && recorder_reserve(r, 2 * r->cap)) {
        r->failed = 1;
        return;
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

/* The recording as the six frame_* fields of the result, new references (None each without a recording; NULL
 * for an array that could not be made). */
static void recorder_fields(const recorder *r, int record, PyObject **f)
{
    size_t n = r->n, F = r->frames;
    if (!record) {
        for (int k = 0; k < 6; k++)
            f[k] = Py_NewRef(Py_None);
        return;
    }
    f[0] = amx_copy_out(r->real ? AMX_F32 : AMX_I8, r->states, (Py_ssize_t)F, (Py_ssize_t)n, "recorder_fields");
    f[1] = amx_copy_out(AMX_F64, r->energy, (Py_ssize_t)F, 0, "recorder_fields");
    f[2] = amx_copy_out(AMX_F64, r->overlaps, (Py_ssize_t)F, (Py_ssize_t)r->cnt, "recorder_fields");
    f[3] = amx_copy_out(AMX_U64, r->sweep, (Py_ssize_t)F, 0, "recorder_fields");
    f[4] = amx_copy_out(AMX_U64, r->updates, (Py_ssize_t)F, 0, "recorder_fields");
    f[5] = amx_copy_out(AMX_I64, r->unit, (Py_ssize_t)F, 0, "recorder_fields");
}

static int parse_dynamics(const char *dyn, const char *order, am_recall_opts *o)
{
    if (am_dynamics_parse(dyn, &o->dynamics))
        return amx_value_error("unknown dynamics '%s' (async, sync or glauber)", dyn), -1;
    if (!strcmp(order, "random"))
        o->order = AM_ORDER_RANDOM;
    else if (!strcmp(order, "fixed"))
        o->order = AM_ORDER_FIXED;
    else
        return amx_value_error("unknown order '%s' (random or fixed)", order), -1;
    return 0;
}

/* One recall of cue `r` of st (a row of a 2-D array or the 1-D array) on the store. */
static int recall_row(StoreObject *self, void *st, Py_ssize_t r, const am_recall_opts *o, am_rng *rng,
                      am_store_work *work, am_recall_info *info)
{
    size_t n = am_store_n(self->s);
    return is_real(self) ? am_store_recall_real(self->s, (float *)st + r * n, o, rng, work, info)
                           : am_store_recall(self->s, (int8_t *)st + r * n, o, rng, work, info);
}

/* B x n cues one after another, the GIL released: (states, namespace of per-cue arrays). Steals st. */
static PyObject *recall_batch(StoreObject *self, PyObject *st, const am_recall_opts *o, am_rng *rng,
                              am_store_work *work)
{
    Py_ssize_t rows = amx_dim(st, 0), failed = -1;
    PyObject *steps = amx_new1(AMX_U32, rows, "recall_batch"), *flips = amx_new1(AMX_U64, rows, "recall_batch");
    PyObject *energy = amx_new1(AMX_F64, rows, "recall_batch"), *end = amx_new1(AMX_I8, rows, "recall_batch");
    int rc = AM_OK;
    if (steps && flips && energy && end) {
        uint32_t *sv = amx_data(steps);
        uint64_t *fv = amx_data(flips);
        double *ev = amx_data(energy);
        int8_t *nv = amx_data(end);
        void *cues = amx_data(st);
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        for (Py_ssize_t r = 0; r < rows && !rc; r++) {
            am_recall_info info;
            if ((rc = recall_row(self, cues, r, o, rng, work, &info)))
                failed = r;
            sv[r] = info.steps, fv[r] = info.flips, ev[r] = info.energy, nv[r] = (int8_t)info.end;
        }
        amx_interrupt_end(&it);
    }
    if (!steps || !flips || !energy || !end || rc) {
        Py_XDECREF(steps), Py_XDECREF(flips), Py_XDECREF(energy), Py_XDECREF(end), Py_DECREF(st);
        return rc ? amx_raise(rc, "Store.recall (cue %zd of %zd, %zu units)", (Py_ssize_t)failed, (Py_ssize_t)rows,
                             am_store_n(self->s)) : NULL;
    }
    PyObject *ns = amx_namespace(5, "steps", steps, "flips", flips, "energy", energy, "end", end, "end_names",
                             Py_BuildValue("(sss)", am_end_name(AM_END_FIXED), am_end_name(AM_END_CYCLE),
                                           am_end_name(AM_END_MAXSTEPS)));
    if (!ns) {
        Py_DECREF(st);
        return NULL;
    }
    return Py_BuildValue("(NN)", st, ns);
}

/* The most entries of a recall's energy trace (the first sweeps of a longer recall). */
#define TRACE_MAX ((size_t)1 << 20)

/* One cue: (state, namespace) with the energy trace, and a recording or a Python monitor when asked (a monitor
 * needs the GIL, which the recall then keeps). */
static PyObject *recall_one(StoreObject *self, PyObject *st, am_recall_opts *o, am_rng *rng,
                            am_store_work *work, PyObject *monitor, int record)
{
    size_t n = am_store_n(self->s), cap = (size_t)o->max_steps + 1 < TRACE_MAX ? (size_t)o->max_steps + 1 : TRACE_MAX;
    double *trace = PyMem_Malloc(cap * sizeof *trace);
    amx_interrupt it;
    recorder r = {.s = self->s, .n = n, .cnt = am_store_count(self->s), .real = is_real(self), .callback = monitor,
                  .it = &it};
    PyObject *result = NULL, *f[6];
    if (!trace || (record && recorder_reserve(&r, 64))) {
        amx_no_memory("Store.recall: an energy trace of %zu sweeps%s", cap, record ? " and 64 recorded frames" : "");
        goto done;
    }
    o->trace = trace;
    o->trace_cap = (unsigned)cap;
    if (monitor || record)
        o->monitor = record_event, o->monitor_ctx = &r;
    am_recall_info info;
    void *cue = amx_data(st);
    amx_interrupt_begin(&it, !monitor);
    int rc = recall_row(self, cue, 0, o, rng, work, &info);
    amx_interrupt_end(&it);
    if (r.et) {
        PyErr_Restore(r.et, r.ev, r.etb); /* the monitor's exception, passed on */
        r.et = r.ev = r.etb = NULL;
        goto done;
    }
    if (rc || r.failed) {
        rc ? amx_raise(rc, "Store.recall (%zu units)", n)
           : amx_no_memory("Store.recall: recording %zu frames of %zu units", 2 * r.frames, n);
        goto done;
    }
    recorder_fields(&r, record, f);
    PyObject *ns = amx_namespace(11, "steps", PyLong_FromUnsignedLong(info.steps), "flips",
                             PyLong_FromUnsignedLongLong(info.flips), "energy", PyFloat_FromDouble(info.energy), "end",
                             PyUnicode_FromString(am_end_name(info.end)), "trace",
                             amx_copy_out(AMX_F64, trace, (Py_ssize_t)(info.trace_len), 0, "recall_one"), "frames", f[0],
                             "frame_energy", f[1], "frame_overlaps", f[2], "frame_sweep", f[3], "frame_updates", f[4],
                             "frame_unit", f[5]);
    if (ns)
        result = Py_BuildValue("(ON)", st, ns);
done:
    Py_DECREF(st);
    PyMem_Free(trace);
    recorder_free(&r);
    return result;
}

static PyObject *Store_recall(StoreObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"cue", "dynamics", "order", "T", "max_steps", "rng", "monitor", "every", "record", NULL};
    PyObject *cue, *rngo = NULL, *monitor = NULL;
    const char *dyn = NULL, *order = NULL;
    amx_real T = AMX_REAL("T", 0.0, DBL_MAX, 0.0);
    amx_int max_steps = AMX_INT("max_steps", 1, UINT_MAX, 100), every = AMX_INT("every", 0, UINT_MAX, 0);
    int record = 0;
    am_recall_opts o;
    am_rng tmp, *rng;
    STORE_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$ssO&O&OOO&p:recall", names, &cue, &dyn, &order, amx_real_conv, &T,
                                     amx_int_conv, &max_steps, &rngo, &monitor, amx_int_conv, &every, &record))
        return NULL;
    int modern = is_real(self);
    size_t n = am_store_n(self->s);
    am_recall_opts_default(&o);
    if (modern && (dyn || order || T.v != 0.0 || every.u))
        return amx_value_error("dynamics, order, T and every do not apply to the modern store");
    if (parse_dynamics(dyn ? dyn : "async", order ? order : "random", &o))
        return NULL;
    if (T.v > 0 && o.dynamics != AM_DYN_GLAUBER)
        return amx_value_error("T applies to dynamics='glauber' only");
    if (monitor == Py_None)
        monitor = NULL;
    if (monitor && !PyCallable_Check(monitor))
        return PyErr_Format(PyExc_TypeError, "monitor must be callable, not %.100s", Py_TYPE(monitor)->tp_name);
    if (every.u && !monitor && !record)
        return amx_value_error("every applies with monitor= or record=True");
    o.temperature = T.v, o.max_steps = (unsigned)max_steps.u, o.monitor_every = (unsigned)every.u;
    if (!(rng = amx_rng_arg(rngo, &tmp)))
        return NULL;
    PyObject *st = modern ? amx_floats(cue, n, 1, 2, 1, "cue") : amx_states(cue, n, 1, 2, "cue");
    if (!st)
        return NULL;
    int batch = amx_ndim(st) == 2;
    am_store_work *work;
    if (batch && (monitor || record)) {
        Py_DECREF(st);
        return amx_value_error("monitor and record take one cue (a 1-D array)");
    }
    if (reader_work(self, &work, "Store.recall") || amx_use_read(&self->use, "Store.recall")) {
        Py_DECREF(st);
        return NULL;
    }
    /* The stream is drawn from in a private copy while the GIL is released (another thread may use the same Rng)
     * and written back after: the call advances it as if it ran alone. */
    am_rng mine = *rng;
    PyObject *res = batch ? recall_batch(self, st, &o, &mine, work)
                          : recall_one(self, st, &o, &mine, work, monitor, record);
    *rng = mine;
    amx_use_done(&self->use);
    return res;
}

/* ---- Sequence stores (am/sequence.h) ---- */

/* The start= of a replay: None (SIZE_MAX, the element of best overlap) or an element. 0, or -1 with the error. */
static int replay_start(PyObject *o, size_t count, size_t *start)
{
    amx_int a = AMX_INT("start", 0, count - 1, 0);
    *start = SIZE_MAX;
    if (o == Py_None)
        return 0;
    if (amx_int_from(o, &a))
        return -1;
    *start = (size_t)a.u;
    return 0;
}

/* The replay's report as a namespace (steals st, sa, ov; sa and ov may be NULL: None). */
static PyObject *replay_result(PyObject *st, PyObject *sa, PyObject *ov, const am_replay_info *info)
{
    return amx_namespace(8, "state", (PyObject *)st, "steps", PyLong_FromUnsignedLong(info->steps), "transitions",
                     PyLong_FromSize_t(info->transitions), "wrong", PyLong_FromSize_t(info->wrong), "first_fail",
                     info->first_fail < 0 ? Py_NewRef(Py_None) : PyLong_FromLong(info->first_fail), "final_element",
                     info->final_element == SIZE_MAX ? Py_NewRef(Py_None) : PyLong_FromSize_t(info->final_element),
                     "states", sa ? (PyObject *)sa : Py_NewRef(Py_None), "overlaps",
                     ov ? (PyObject *)ov : Py_NewRef(Py_None));
}

/* A replay runs with the GIL released and the store marked as read; the arrays it fills are sized (and
 * refused when absurd) before anything is allocated. */
static PyObject *Store_replay(StoreObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"cue", "steps", "start", "states", "overlaps", NULL};
    PyObject *cue, *starto = Py_None;
    amx_int steps = AMX_INT("steps", 0, UINT_MAX, 0);
    int want_states = 1, want_overlaps = 1;
    size_t start;
    am_store_work *work;
    STORE_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO&|$Opp:replay", names, &cue, amx_int_conv, &steps, &starto,
                                     &want_states, &want_overlaps) ||
        sequence_ready(self, "Store.replay"))
        return NULL;
    size_t n = am_store_n(self->s), cnt = am_store_count(self->s);
    if (!cnt)
        return amx_raise(AM_EEMPTY, "Store.replay (the %s store holds no sequence)",
                        am_store_type_name(am_store_type_of(self->s)));
    double rows = (double)steps.u + 1.0;
    char sdesc[64] = "", odesc[64] = "";
    if (want_states)
        snprintf(sdesc, sizeof sdesc, "(steps + 1) x %zu int8 states%s", n, want_overlaps ? " and " : "");
    if (want_overlaps)
        snprintf(odesc, sizeof odesc, "(steps + 1) x %zu float64 overlaps", cnt);
    if (replay_start(starto, cnt, &start) ||
        amx_fits_memory(rows * ((want_states ? (double)n : 0) + (want_overlaps ? 8.0 * (double)cnt : 0)),
                    ": pass states=False or overlaps=False, or fewer steps", "Store.replay: steps = %llu: %s%s",
                    steps.u, sdesc, odesc))
        return NULL;
    Py_ssize_t r = (Py_ssize_t)steps.u + 1;
    PyObject *st = amx_states(cue, n, 1, 1, "cue"), *sa = NULL, *ov = NULL;
    if (!st || (want_states && !(sa = amx_new2(AMX_I8, r, (Py_ssize_t)n, "Store.replay"))) ||
        (want_overlaps && !(ov = amx_new2(AMX_F64, r, (Py_ssize_t)cnt, "Store.replay"))) ||
        reader_work(self, &work, "Store.replay") || amx_use_read(&self->use, "Store.replay")) {
        Py_XDECREF(st), Py_XDECREF(sa), Py_XDECREF(ov);
        return NULL;
    }
    am_replay_info info;
    amx_interrupt it;
    int8_t *cv = amx_data(st);
    double *ovv = ov ? amx_data(ov) : NULL;
    int8_t *sav = sa ? amx_data(sa) : NULL;
    amx_interrupt_begin(&it, 1);
    int rc = am_sequence_replay(self->s, cv, start, (unsigned)steps.u, NULL, work, ovv, sav, &info);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    if (rc) {
        Py_DECREF(st), Py_XDECREF(sa), Py_XDECREF(ov);
        return amx_raise(rc, "Store.replay (%llu steps, %zu units, %zu elements)", steps.u, n, cnt);
    }
    return replay_result(st, sa, ov, &info);
}

/* One step from every element, the GIL released: (next, exact). */
static PyObject *Store_transitions(StoreObject *self, PyObject *unused)
{
    (void)unused;
    am_store_work *work;
    STORE_READY(self);
    if (sequence_ready(self, "Store.transitions"))
        return NULL;
    size_t n = am_store_n(self->s), cnt = am_store_count(self->s);
    if (amx_fits_memory((double)cnt * ((double)n + 1.0), "", "Store.transitions: the steps from %zu elements of %zu units",
                    cnt, n))
        return NULL;
    PyObject *next = amx_new2(AMX_I8, (Py_ssize_t)cnt, (Py_ssize_t)n, "Store.transitions");
    PyObject *exact = amx_new1(AMX_BOOL, (Py_ssize_t)cnt, "Store.transitions");
    if (!next || !exact || reader_work(self, &work, "Store.transitions") || amx_use_read(&self->use, "Store.transitions")) {
        Py_XDECREF(next), Py_XDECREF(exact);
        return NULL;
    }
    amx_interrupt it;
    int8_t *nv = amx_data(next);
    unsigned char *ev = amx_data(exact);
    amx_interrupt_begin(&it, 1);
    int rc = am_sequence_transitions(self->s, 0, cnt, work, nv, ev, NULL);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    if (rc) {
        Py_DECREF(next), Py_DECREF(exact);
        return amx_raise(rc, "Store.transitions (%zu elements of %zu units)", cnt, n);
    }
    return Py_BuildValue("(NN)", next, exact);
}

static PyObject *Store_next(StoreObject *self, PyObject *arg)
{
    STORE_READY(self);
    if (sequence_ready(self, "Store.next"))
        return NULL;
    size_t cnt = am_store_count(self->s);
    if (!cnt)
        return amx_value_error("Store.next: the %s store holds no elements", am_store_type_name(am_store_type_of(self->s)));
    amx_int e = AMX_INT("e", 0, cnt - 1, 0);
    if (amx_int_from(arg, &e))
        return NULL;
    size_t nx = am_sequence_next(self->s, (size_t)e.u);
    return nx == SIZE_MAX ? Py_NewRef(Py_None) : PyLong_FromSize_t(nx);
}

static PyObject *Store_get_sequences(StoreObject *self, void *unused)
{
    (void)unused;
    STORE_READY(self);
    size_t cnt = am_sequence_count(self->s); /* 0 for a store that is not a sequence store */
    PyObject *list = PyList_New((Py_ssize_t)cnt);
    for (size_t k = 0; list && k < cnt; k++) {
        size_t first = 0, length = 0;
        int cyclic = 0;
        int rc = am_sequence_info(self->s, k, &first, &length, &cyclic);
        PyObject *t = rc ? amx_raise(rc, "Store.sequences (sequence %zu of %zu)", k, cnt)
                         : Py_BuildValue("(NNN)", PyLong_FromSize_t(first), PyLong_FromSize_t(length),
                                         PyBool_FromLong(cyclic));
        if (!t)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)k, t);
    }
    return list;
}

static PyMethodDef Store_methods[] = {
    {"add", (PyCFunction)(void (*)(void))Store_add, METH_VARARGS | METH_KEYWORDS,
     "add(patterns, cyclic=False): learn the rows of patterns (P x n, or one n-vector); binary stores take signs\n"
     "(> 0 is +1), the modern store real vectors. On a sequence store (seq-*) the rows are ONE sequence, in\n"
     "order, cyclic (the last row followed by the first) when cyclic=True; every call adds another sequence.\n"
     "cyclic=True on any other store is a ValueError. Interrupted (KeyboardInterrupt), the Storkey rule keeps\n"
     "the patterns it learned; other stores stay as they were.\n"
     "    >>> s = am.Store('seq-dense', n=100, degree=2)\n"
     "    >>> s.add(am.patterns('random', 30, 100, rng=1), cyclic=True)\n"
     "    >>> s.sequences\n"
     "    [(0, 30, True)]"},
    {"recall", (PyCFunction)(void (*)(void))Store_recall, METH_VARARGS | METH_KEYWORDS,
     "recall(cue, *, dynamics='async', order='random', T=0.0, max_steps=100, rng=None, monitor=None, every=0,\n"
     "       record=False) -> (state, info)\n"
     "Run the store's dynamics from cue (an n-vector, or B x n cues recalled one after another with the GIL\n"
     "released). info: steps, flips, energy, end ('fixed', 'cycle', 'maxsteps') and trace (energy after every\n"
     "sweep, the first 2**20). monitor(event) is called with the cue, every `every` unit updates and every\n"
     "sweep (event: sweep, updates, unit, state, energy); record=True keeps the same frames in info.frames,\n"
     "frame_energy, frame_overlaps (with every stored pattern), frame_sweep, frame_updates, frame_unit (-1: end\n"
     "of a sweep). The modern store takes real cues and no dynamics, order, T or every. Ctrl-C stops a recall\n"
     "(KeyboardInterrupt); a monitor's exception stops it too and passes on."},
    {"energy", (PyCFunction)Store_energy, METH_O, "energy(state) -> float (or an array for B x n states)"},
    {"overlaps", (PyCFunction)Store_overlaps, METH_O,
     "overlaps(state) -> m, m[mu] = (1/n) sum_i xi^mu_i s_i with every stored pattern"},
    {"stability", (PyCFunction)Store_stability, METH_NOARGS,
     "stability() -> for each stored pattern, the units one update would flip (0: a fixed point)"},
    {"weights", (PyCFunction)Store_weights, METH_NOARGS, "weights() -> the n x n weight matrix (hopfield stores)"},
    {"save", (PyCFunction)Store_save, METH_O, "save(path): write the store in libam's format (am.load reads it)"},
    {"replay", (PyCFunction)(void (*)(void))Store_replay, METH_VARARGS | METH_KEYWORDS,
     "replay(cue, steps, *, start=None, states=True, overlaps=True) -> namespace\n"
     "Sequence stores: `steps` synchronous steps from cue (an n-vector, taken by its signs), each mapping the\n"
     "state (and, for seq-mixed, the last tau states; before the start they are the cue) to the next\n"
     "(am_sequence_replay). start: the element the cue stands for, where the count of transitions starts (None:\n"
     "the element of best overlap with the cue). The result:\n"
     "  state        the last state (n int8)\n"
     "  steps        the steps made\n"
     "  transitions  steps that moved exactly from an element e to next(e)\n"
     "  wrong        steps that moved anywhere else (first_fail: the first of them, 1-based, or None); holding\n"
     "               an element (seq-mixed) is neither, nor is a step past the end of an open sequence\n"
     "  final_element  the element the last state equals exactly, or None\n"
     "  states       (steps + 1) x n int8, row 0 the cue (None with states=False)\n"
     "  overlaps     (steps + 1) x count float64, overlaps[t, e] = xi^e . S(t) / n (None with overlaps=False)\n"
     "The GIL is released; Ctrl-C stops it (KeyboardInterrupt). Arrays larger than this machine's memory are\n"
     "refused (ValueError naming steps) before anything is allocated. A store that is not a sequence store is a\n"
     "ValueError; an empty one am.Error.\n"
     "    >>> L = am.letters('HOPFIELD', 10, 10)\n"
     "    >>> s = am.Store('seq-dense', n=100, degree=4); s.add(L, cyclic=True)\n"
     "    >>> r = s.replay(am.flip(L[0], frac=0.1, rng=1), 16)\n"
     "    >>> r.transitions, r.wrong, r.final_element, r.overlaps.argmax(axis=1)[:9]\n"
     "    (16, 0, 0, array([0, 1, 2, 3, 4, 5, 6, 7, 0]))\n"
     "(at degree 2 the replay of these correlated letters fails at once: first_fail = 1)"},
    {"transitions", (PyCFunction)Store_transitions, METH_NOARGS,
     "transitions() -> (next, exact): one synchronous step from every stored element of a sequence store\n"
     "(am_sequence_transitions, blocks of elements at once, the GIL released): next (count x n int8), the state\n"
     "each element steps to, and exact (count bools): the step lands exactly on the element's successor (the\n"
     "last element of an open sequence counts as exact). exact.mean() is the exact-transition rate.\n"
     "    >>> s = am.Store('seq-hebb', n=100); s.add(am.patterns('random', 5, 100, rng=1), cyclic=True)\n"
     "    >>> s.transitions()[1]\n"
     "    array([ True,  True,  True,  True,  True])"},
    {"next", (PyCFunction)Store_next, METH_O,
     "next(e) -> the element that follows element e in its sequence, or None after the last element of an\n"
     "open sequence (elements are numbered in the order they were added, across sequences)\n"
     "    >>> s = am.Store('seq-hebb', n=64); s.add(am.patterns('random', 3, 64, rng=1))\n"
     "    >>> s.next(0), s.next(2)\n"
     "    (1, None)"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Store_getset[] = {
    {"n", (getter)Store_get_n, NULL, "units", NULL},
    {"count", (getter)Store_get_count, NULL, "stored patterns", NULL},
    {"model", (getter)Store_get_model, NULL, "the store type's name (am.store_types())", NULL},
    {"sequences", (getter)Store_get_sequences, NULL,
     "the stored sequences as (first element, length, cyclic) tuples, in the order they were added ([] for a\n"
     "store that is not a sequence store)", NULL},
    {"patterns", (getter)Store_get_patterns, NULL, "a copy of the stored patterns (P x n)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Store_seq = {.sq_length = (lenfunc)Store_len};

static PyTypeObject StoreType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Store",
    .tp_basicsize = sizeof(StoreObject),
    .tp_dealloc = (destructor)Store_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Store(model='hopfield', n, rule='hebb' | F='poly', degree=3 | beta=1.0 | lambda=0.0, tau=5)\n"
              "An associative memory of n units: the classical Hopfield network (rule: hebb, storkey, pinv), the\n"
              "dense associative memory (F: poly, rectpoly, exp; degree), the modern continuous store (beta), or a\n"
              "sequence store: seq-hebb (lambda), seq-dense (F: poly, exp; degree), seq-mixed (F, degree, lambda,\n"
              "tau), seq-pinv, seq-modern (beta). am.store_types() lists every type with its parameters and their\n"
              "defaults (which differ by type); `lambda` is a Python keyword: pass it as **{'lambda': 2.5}. Options\n"
              "of another model are rejected.",
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
    amx_int count = AMX_INT("count", 0, AMX_SSIZE_MAX, 0), n = AMX_INT("n", 0, AM_MAX_UNITS, 0);
    amx_int width = AMX_INT("width", 0, AM_MAX_UNITS, 0), height = AMX_INT("height", 0, AM_MAX_UNITS, 0);
    PyObject *rngo = NULL;
    am_pattern_family f;
    char why[256];
    am_rng tmp, *rng;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "sO&|O&$O&O&O:patterns", names, &fam, amx_int_conv, &count, amx_int_conv, &n,
                                     amx_int_conv, &width, amx_int_conv, &height, &rngo))
        return NULL;
    if (am_pattern_family_parse(&f, fam, why, sizeof why))
        return amx_value_error("%s", why);
    if ((width.u || height.u) && f.kind < AM_FAMILY_LETTERS)
        return amx_value_error("width and height apply to letters, checkerboard and lshapes");
    if (width.u || height.u) {
        size_t cells;
        if (!width.u || !height.u)
            return amx_value_error("give both width and height");
        if (am_size_mul(width.u, height.u, &cells) || cells > AM_MAX_UNITS)
            return amx_value_error("a %llu x %llu grid is more than %zu units", width.u, height.u, AM_MAX_UNITS);
        if (n.u && n.u != cells)
            return amx_value_error("n = %llu is not width x height = %zu", n.u, cells);
        n.u = cells;
    }
    if (!n.u)
        return amx_value_error("patterns needs n >= 1 units (or width and height)");
    f.width = (size_t)width.u, f.height = (size_t)height.u;
    if (am_pattern_family_check(&f, (size_t)n.u, (size_t)count.u, why, sizeof why))
        return amx_value_error("%s", why);
    if (!(rng = amx_rng_arg(rngo, &tmp)))
        return NULL;
    am_patterns *p = NULL;
    int rc = am_patterns_create(&p, (size_t)n.u, (size_t)count.u);
    if (!rc) { /* the GIL kept (rng may be the shared default stream): the biased and correlated fills poll */
        amx_interrupt it;
        amx_interrupt_begin(&it, 0);
        rc = am_pattern_family_fill(&f, p, rng);
        amx_interrupt_end(&it);
    }
    PyObject *a = rc ? amx_raise(rc, "am.patterns('%s', %llu, %llu)", fam, count.u, n.u) : patterns_to_array(p);
    am_patterns_free(p);
    return a;
}

static PyObject *am_py_letters(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"text", "width", "height", NULL};
    const char *text;
    amx_int wa = AMX_INT("width", AM_LETTER_WIDTH, 4096, AM_LETTER_WIDTH);
    amx_int ha = AMX_INT("height", AM_LETTER_HEIGHT, 4096, AM_LETTER_HEIGHT);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|O&O&:letters", names, &text, amx_int_conv, &wa, amx_int_conv, &ha))
        return NULL;
    size_t w = (size_t)wa.u, h = (size_t)ha.u, len = strlen(text);
    for (size_t i = 0; i < len; i++)
        if (!((text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= 'a' && text[i] <= 'z')))
            return amx_value_error("letters draws A-Z only, not '%c'", text[i]);
    if (!len)
        return amx_value_error("letters needs at least one letter");
    am_patterns *p = NULL;
    int rc = am_patterns_create(&p, w * h, len);
    if (!rc)
        rc = am_patterns_letters(p, w, h, text);
    PyObject *a = rc ? amx_raise(rc, "am.letters('%s', %zu, %zu)", text, w, h) : patterns_to_array(p);
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
        return amx_value_error("flip needs exactly one of k (units) and frac (fraction)");
    amx_int k = AMX_INT("k", 0, AMX_SSIZE_MAX, 0);
    amx_real frac = AMX_REAL("frac", 0.0, 1.0, 0.0);
    if ((ko && amx_int_from(ko, &k)) || (fo && amx_real_from(fo, &frac)))
        return NULL;
    if (!(rng = amx_rng_arg(rngo, &tmp)))
        return NULL;
    PyObject *st = amx_states(sto, 0, 1, 2, "state");
    if (!st)
        return NULL;
    Py_ssize_t n = amx_cols(st), rows = amx_rows(st);
    if (ko && k.u > (unsigned long long)n) {
        Py_DECREF(st);
        return amx_value_error("k = %llu is more than the %zd units", k.u, (Py_ssize_t)n);
    }
    for (Py_ssize_t r = 0; r < rows; r++) {
        int8_t *s = (int8_t *)amx_data(st) + r * n;
        if (ko)
            am_state_flip_k(s, (size_t)n, (size_t)k.u, rng);
        else
            am_state_flip_frac(s, (size_t)n, frac.v, rng);
    }
    return (PyObject *)st;
}

static PyObject *am_py_occlude(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"state", "width", "height", "x0", "y0", "w", "h", "fill", "rng", NULL};
    PyObject *sto, *rngo = NULL;
    amx_int width = AMX_INT("width", 1, AMX_SSIZE_MAX, 0), height = AMX_INT("height", 1, AMX_SSIZE_MAX, 0);
    amx_int x0 = AMX_INT("x0", 0, AMX_SSIZE_MAX, 0), y0 = AMX_INT("y0", 0, AMX_SSIZE_MAX, 0);
    amx_int bw = AMX_INT("w", 0, AMX_SSIZE_MAX, 0), bh = AMX_INT("h", 0, AMX_SSIZE_MAX, 0);
    amx_int fill = AMX_INT("fill", -1, 1, 0);
    am_rng tmp, *rng;
    size_t cells;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO&O&O&O&O&O&|O&$O:occlude", names, &sto, amx_int_conv, &width, amx_int_conv,
                                     &height, amx_int_conv, &x0, amx_int_conv, &y0, amx_int_conv, &bw, amx_int_conv, &bh, amx_int_conv,
                                     &fill, &rngo))
        return NULL;
    if (am_size_mul(width.u, height.u, &cells) || cells > AMX_SSIZE_MAX)
        return PyErr_Format(PyExc_OverflowError, "occlude: a %llu x %llu grid has too many units", width.u, height.u);
    if (!(rng = amx_rng_arg(rngo, &tmp)))
        return NULL;
    PyObject *st = amx_states(sto, cells, 1, 1, "state");
    if (!st)
        return NULL;
    int rc = am_state_occlude(amx_data(st), (size_t)width.u, (size_t)height.u, (size_t)x0.u, (size_t)y0.u,
                              (size_t)bw.u, (size_t)bh.u, (int)fill.s, rng);
    if (rc) {
        Py_DECREF(st);
        return amx_raise(rc, "am.occlude");
    }
    return (PyObject *)st;
}

static PyObject *am_py_overlap(PyObject *mod, PyObject *args)
{
    (void)mod;
    PyObject *ao, *bo;
    if (!PyArg_ParseTuple(args, "OO:overlap", &ao, &bo))
        return NULL;
    PyObject *a = amx_states(ao, 0, 1, 1, "a"), *b = a ? amx_states(bo, (size_t)amx_dim(a, 0), 1, 1, "b") : NULL;
    PyObject *r = b ? PyFloat_FromDouble(am_state_overlap(amx_data(a), amx_data(b), (size_t)amx_dim(a, 0)))
                    : NULL;
    Py_XDECREF(a), Py_XDECREF(b);
    return r;
}

/* ------------------------------------------------------------------------------------------------ */
/* Capacity */

/* The loads of capacity(): an int or a sequence of ints, each >= 1 (PyMem_Malloc'd into *ps). */
static Py_ssize_t capacity_loads(PyObject *po, size_t **ps)
{
    int one = PyIndex_Check(po) && !PySequence_Check(po); /* an int, or a numpy integer (arrays have __index__) */
    PyObject *seq = one ? PyTuple_Pack(1, po) : PySequence_Fast(po, "P must be an int or a sequence of ints");
    if (!seq)
        return -1;
    Py_ssize_t np_ = PySequence_Fast_GET_SIZE(seq);
    *ps = np_ ? PyMem_Malloc((size_t)np_ * sizeof **ps) : NULL;
    if (!np_ || !*ps) {
        Py_DECREF(seq);
        return np_ ? (amx_no_memory("P: %zd pattern counts", np_), -1) : (amx_value_error("P needs at least one pattern count"), -1);
    }
    for (Py_ssize_t k = 0; k < np_; k++) {
        amx_int p = AMX_INT("P", 1, 10000000, 0);
        if (amx_int_from(PySequence_Fast_GET_ITEM(seq, k), &p)) {
            Py_DECREF(seq);
            PyMem_Free(*ps);
            *ps = NULL;
            return -1;
        }
        (*ps)[k] = (size_t)p.u;
    }
    Py_DECREF(seq);
    return np_;
}

/* The columns of capacity()'s result from the measured points. */
static PyObject *capacity_columns(const am_capacity_opts *o, const am_capacity_point *pts, Py_ssize_t np_,
                                  size_t n, size_t trials)
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
    PyObject *pcol = amx_new1(AMX_I64, np_, "capacity_columns"), *ccol = amx_new1(AMX_I64, np_, "capacity_columns");
    int ok = d && pcol && ccol;
    for (Py_ssize_t k = 0; ok && k < np_; k++) {
        ((Py_ssize_t *)amx_data(pcol))[k] = (Py_ssize_t)pts[k].p;
        ((Py_ssize_t *)amx_data(ccol))[k] = (Py_ssize_t)pts[k].cues;
    }
    ok = ok && !PyDict_SetItemString(d, "P", (PyObject *)pcol) && !PyDict_SetItemString(d, "cues", (PyObject *)ccol);
    for (size_t c = 0; ok && c < sizeof cols / sizeof *cols; c++) {
        PyObject *a = amx_new1(AMX_F64, np_, "capacity_columns");
        for (Py_ssize_t k = 0; a && k < np_; k++)
            ((double *)amx_data(a))[k] = *(const double *)((const char *)&pts[k] + offs[c]);
        ok = a && !PyDict_SetItemString(d, cols[c], (PyObject *)a);
        Py_XDECREF(a);
    }
    char desc[128];
    am_store_config_describe(&o->store, desc, sizeof desc);
    PyObject *ds = PyUnicode_FromString(desc), *nn = PyLong_FromSize_t(n), *tt = PyLong_FromSize_t(trials);
    ok = ok && ds && nn && tt && !PyDict_SetItemString(d, "store", ds) && !PyDict_SetItemString(d, "n", nn) &&
         !PyDict_SetItemString(d, "trials", tt);
    Py_XDECREF(ds), Py_XDECREF(nn), Py_XDECREF(tt), Py_XDECREF(pcol), Py_XDECREF(ccol);
    if (!ok)
        Py_CLEAR(d);
    return d;
}

#define MAX_THREADS 1024

static PyObject *am_py_capacity(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"P", "model", "n", "dynamics", "order", "T", "max_steps", "eps", "patterns", "noise",
                            "cues", "stability", "threshold", "trials", "seed", "threads", NULL};
    PyObject *po, *params = NULL, *rest = NULL;
    const char *model = "hopfield", *dyn = "async", *order = "random", *fam = "random";
    amx_int n = AMX_INT("n", 1, AM_MAX_UNITS, 100), cues = AMX_INT("cues", 0, AMX_SSIZE_MAX, 0);
    amx_int stab = AMX_INT("stability", 0, AMX_SSIZE_MAX, 0), trials = AMX_INT("trials", 1, AMX_SSIZE_MAX, 5);
    amx_int max_steps = AMX_INT("max_steps", 1, UINT_MAX, 100), seed = AMX_INT("seed", 0, UINT64_MAX, 1);
    amx_int threads = AMX_INT("threads", 0, MAX_THREADS, 0);
    amx_real T = AMX_REAL("T", 0.0, DBL_MAX, 0.0), eps = AMX_REAL("eps", 0.0, DBL_MAX, 1e-6);
    amx_real noise = AMX_REAL("noise", 0.0, 1.0, 0.1), threshold = AMX_REAL("threshold", -1.0, 1.0, 0.99);
    am_capacity_opts o;
    am_store_config sc;
    char why[256];
    int ok = !split_store_params(kw, &params, &rest) &&
             PyArg_ParseTupleAndKeywords(args, rest, "O|$sO&ssO&O&O&sO&O&O&O&O&O&O&:capacity", names, &po, &model,
                                         amx_int_conv, &n, &dyn, &order, amx_real_conv, &T, amx_int_conv, &max_steps, amx_real_conv,
                                         &eps, &fam, amx_real_conv, &noise, amx_int_conv, &cues, amx_int_conv, &stab, amx_real_conv,
                                         &threshold, amx_int_conv, &trials, amx_int_conv, &seed, amx_int_conv, &threads) &&
             !store_config_from(&sc, model, (size_t)n.u, params, "capacity");
    Py_XDECREF(params);
    Py_XDECREF(rest);
    if (!ok)
        return NULL;
    if (am_store_type_flags(sc.type) & AM_STORE_SEQUENCE)
        return amx_value_error("%s stores sequences: capacity() measures fixed-point stores", model);
    am_capacity_opts_default(&o, sc.type, (size_t)n.u);
    o.store = sc;
    am_recall_opts ro;
    if (parse_dynamics(dyn, order, &ro))
        return NULL;
    o.dynamics = ro.dynamics, o.order = ro.order;
    o.temperature = T.v, o.max_steps = (unsigned)max_steps.u, o.eps = eps.v, o.noise = noise.v;
    o.threshold = threshold.v, o.cues = (size_t)cues.u, o.stability = (size_t)stab.u, o.seed = seed.u;
    if (am_pattern_family_parse(&o.patterns, fam, why, sizeof why))
        return amx_value_error("%s", why);
    size_t *ps = NULL;
    Py_ssize_t np_ = capacity_loads(po, &ps);
    if (np_ < 0)
        return NULL;
    for (Py_ssize_t k = 0; k < np_; k++)
        if (am_capacity_opts_check(&o, ps[k], why, sizeof why)) {
            PyMem_Free(ps);
            return amx_value_error("%s", why);
        }
    am_capacity_point *pts = PyMem_Malloc((size_t)np_ * sizeof *pts);
    int rc = AM_ENOMEM;
    if (pts) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_capacity_measure(&o, ps, (size_t)np_, (size_t)trials.u, (int)threads.u, pts);
        amx_interrupt_end(&it);
    }
    PyObject *result = rc ? amx_raise(rc, "am.capacity (n=%llu, %zd loads)", n.u, np_)
                          : capacity_columns(&o, pts, np_, (size_t)n.u, (size_t)trials.u);
    PyMem_Free(ps);
    PyMem_Free(pts);
    return result;
}

/* ------------------------------------------------------------------------------------------------ */
/* Row maps: rows x in floats -> rows x out floats through a library call, GIL released. */

typedef int (*rowmap_fn)(const void *obj, const float *x, size_t rows, float *y);

/* u: the object's use marks (NULL: an object no call changes). */
static PyObject *rowmap(const void *obj, amx_use *u, PyObject *arg, size_t in, size_t out, rowmap_fn fn, const char *what)
{
    PyObject *x = amx_floats(arg, in, 1, 2, 0, what);
    if (!x)
        return NULL;
    int nd = amx_ndim(x), rc = AM_OK;
    Py_ssize_t rows = amx_rows(x), d[2] = {rows, (Py_ssize_t)out};
    PyObject *y = amx_new(AMX_F32, nd, d + 2 - nd, what);
    if (!y || (u && amx_use_read(u, what))) {
        Py_XDECREF(y);
        Py_DECREF(x);
        return NULL;
    }
    if (rows) {
        const float *xv = amx_data(x);
        float *yv = amx_data(y);
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = fn(obj, xv, (size_t)rows, yv);
        amx_interrupt_end(&it);
    }
    if (u)
        amx_use_done(u);
    Py_DECREF(x);
    if (rc) {
        Py_DECREF(y);
        return amx_raise(rc, "%s (%zd rows of %zu)", what, (Py_ssize_t)rows, in);
    }
    return (PyObject *)y;
}

/* ------------------------------------------------------------------------------------------------ */
/* Autoencoder */

typedef struct {
    PyObject_HEAD am_ae *ae;
    am_ae_trainer *trainer;
    am_ae_train_opts topts; /* of the trainer */
    amx_use use;                /* readers: inference; writer: training */
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
        return amx_value_error("an Autoencoder is initialised once"), -1;
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
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq) && i <= AM_AE_MAX_LAYERS; i++) {
            char name[32];
            snprintf(name, sizeof name, "sizes[%zd]", i);
            amx_int v = AMX_INT(name, 1, (size_t)1 << 24, 0);
            if (amx_int_from(PySequence_Fast_GET_ITEM(seq, i), &v)) {
                Py_DECREF(seq);
                return -1;
            }
            size_t len = strlen(buf);
            snprintf(buf + len, sizeof buf - len, "%s%llu", i ? "," : "", v.u);
        }
        if (PySequence_Fast_GET_SIZE(seq) > AM_AE_MAX_LAYERS + 1) {
            Py_DECREF(seq);
            return amx_value_error("sizes: at most %d layers", AM_AE_MAX_LAYERS), -1;
        }
        Py_DECREF(seq);
    }
    if (!loss)
        loss = strcmp(output, "sigmoid") ? "mse" : "bce";
    if (am_ae_config_parse(&c, buf, hidden, code, output, loss) || am_ae_config_check(&c))
        return amx_value_error("Autoencoder(sizes='%s', hidden=%s, code=%s, output=%s, loss=%s): sizes need >= 3 widths "
                           "with the last equal to the first, activations linear/relu/tanh/sigmoid, loss mse or bce "
                           "(bce with a sigmoid output)", buf, hidden, code ? code : hidden, output, loss), -1;
    if (!(rng = amx_rng_arg(rngo, &tmp)))
        return -1;
    int rc = am_ae_create(&self->ae, &c, rng);
    if (rc) {
        double count = 0; /* the weights and biases, which am_ae_create allocates */
        char size[32];
        for (int l = 0; l < c.layers; l++)
            count += (double)c.sizes[l + 1] * ((double)c.sizes[l] + 1);
        return amx_raise(rc, "Autoencoder('%s') (%.0f weights and biases, %s)", buf, count,
                        amx_human_bytes(count * sizeof(float), size, sizeof size)), -1;
    }
    return 0;
}

/* Every method: an initialised autoencoder that no training is changing (in another thread or a handler). */
#define AE_READY(self)                                                                                             \
    do {                                                                                                           \
        if (!(self)->ae) {                                                                                         \
            PyErr_SetString(PyExc_RuntimeError, "the Autoencoder was not initialised");                            \
            return NULL;                                                                                           \
        }                                                                                                          \
        if ((self)->use.writer) {                                                                                  \
            PyErr_SetString(PyExc_RuntimeError, "the Autoencoder is training in another thread");                  \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static int ae_encode(const void *o, const float *x, size_t r, float *y) { return am_ae_encode(o, x, r, y); }
static int ae_decode(const void *o, const float *x, size_t r, float *y) { return am_ae_decode(o, x, r, y); }
static int ae_recon(const void *o, const float *x, size_t r, float *y) { return am_ae_reconstruct(o, x, r, y); }

static PyObject *AE_encode(AEObject *self, PyObject *x)
{
    AE_READY(self);
    return rowmap(self->ae, &self->use, x, am_ae_input_dim(self->ae), am_ae_code_dim(self->ae), ae_encode,
                  "Autoencoder.encode");
}
static PyObject *AE_decode(AEObject *self, PyObject *x)
{
    AE_READY(self);
    return rowmap(self->ae, &self->use, x, am_ae_code_dim(self->ae), am_ae_input_dim(self->ae), ae_decode,
                  "Autoencoder.decode");
}
static PyObject *AE_reconstruct(AEObject *self, PyObject *x)
{
    AE_READY(self);
    return rowmap(self->ae, &self->use, x, am_ae_input_dim(self->ae), am_ae_input_dim(self->ae), ae_recon,
                  "Autoencoder.reconstruct");
}

/* rows x input floats with at least one row, for evaluate (a copy unless read in place). */
static PyObject *ae_rows(AEObject *self, PyObject *arg, const char *what)
{
    PyObject *x = amx_floats(arg, am_ae_input_dim(self->ae), 2, 2, 0, what);
    if (x && amx_dim(x, 0) == 0) {
        Py_DECREF(x);
        return amx_value_error("%s has no rows", what);
    }
    return x;
}

/* The data set Autoencoder.train converts x into (amx_floats_into's alloc). */
typedef struct ae_data {
    am_dataset *ds;
    size_t dim;
} ae_data;

static float *ae_data_alloc(void *ctx, size_t rows)
{
    ae_data *d = ctx;
    int rc = rows ? am_dataset_create(&d->ds, rows, d->dim, 0) : AM_OK;
    if (!rows)
        amx_value_error("Autoencoder.train: x has no rows");
    else if (rc)
        amx_raise(rc, "Autoencoder.train (a copy of %zu rows of %zu)", rows, d->dim);
    return rows && !rc ? d->ds->x : NULL;
}

static PyObject *AE_evaluate(AEObject *self, PyObject *arg)
{
    AE_READY(self);
    PyObject *x = ae_rows(self, arg, "Autoencoder.evaluate: x");
    if (!x)
        return NULL;
    if (amx_use_read(&self->use, "Autoencoder.evaluate")) {
        Py_DECREF(x);
        return NULL;
    }
    double mse = NAN, bce = NAN;
    const float *xv = amx_data(x);
    size_t rows = (size_t)amx_dim(x, 0);
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_ae_evaluate(self->ae, xv, rows, &mse, &bce);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    Py_DECREF(x);
    if (rc)
        return amx_raise(rc, "Autoencoder.evaluate");
    return amx_namespace(2, "mse", PyFloat_FromDouble(mse), "bce", PyFloat_FromDouble(bce));
}

/* The trainer for options o: the current one when its options are o (the optimiser state carries over), else a
 * fresh one. 0, or -1 with the error set. */
static int ae_trainer_for(AEObject *self, const am_ae_train_opts *o)
{
    if (self->trainer && memcmp(o, &self->topts, sizeof *o)) {
        am_ae_trainer_free(self->trainer);
        self->trainer = NULL;
    }
    int rc = self->trainer ? AM_OK : am_ae_trainer_create(&self->trainer, self->ae, o);
    size_t count = 0;
    am_ae_params(self->ae, &count);
    if (rc)
        return amx_raise(rc, "Autoencoder.train (the optimiser's state for %zu parameters, batches of %zu)", count,
                        o->batch), -1;
    self->topts = *o;
    return 0;
}

/* Training runs with the GIL released and the autoencoder marked as written; interrupted, it keeps the steps
 * it made. */
static PyObject *AE_train(AEObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "epochs", "batch", "lr", "mask", "noise", "weight_decay", "rng", "threads", NULL};
    PyObject *xo, *rngo = NULL;
    amx_int epochs = AMX_INT("epochs", 1, AMX_SSIZE_MAX - 1, 1), batch = AMX_INT("batch", 1, AMX_SSIZE_MAX, 128);
    amx_int threads = AMX_INT("threads", 0, MAX_THREADS, 0);
    amx_real lr = AMX_REAL_ABOVE("lr", 0.0, DBL_MAX, 1e-3), mask = AMX_REAL_BELOW("mask", 0.0, 1.0, 0.0);
    amx_real noise = AMX_REAL("noise", 0.0, DBL_MAX, 0.0), wd = AMX_REAL("weight_decay", 0.0, DBL_MAX, 0.0);
    am_rng tmp, *rng;
    AE_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$O&O&O&O&O&O&OO&:train", names, &xo, amx_int_conv, &epochs, amx_int_conv,
                                     &batch, amx_real_conv, &lr, amx_real_conv, &mask, amx_real_conv, &noise, amx_real_conv, &wd, &rngo,
                                     amx_int_conv, &threads))
        return NULL;
    if (!(rng = amx_rng_arg(rngo, &tmp)))
        return NULL;
    ae_data data = {.dim = am_ae_input_dim(self->ae)}; /* x converted into the data set */
    if (amx_floats_into(xo, data.dim, 2, 2, ae_data_alloc, &data, "Autoencoder.train: x")) {
        am_dataset_free(data.ds);
        return NULL;
    }
    am_dataset *ds = data.ds;
    int rc = AM_OK;
    am_ae_train_opts o;
    am_ae_train_opts_default(&o);
    o.batch = (size_t)batch.u, o.lr = lr.v, o.mask = mask.v, o.noise = noise.v, o.weight_decay = wd.v;
    o.threads = (int)threads.u;
    PyObject *losses = amx_new1(AMX_F64, (Py_ssize_t)epochs.u, "Autoencoder.train");
    int marked = losses && !amx_use_write(&self->use, "Autoencoder.train");
    if (!marked || ae_trainer_for(self, &o)) {
        if (marked)
            amx_use_done(&self->use);
        Py_XDECREF(losses);
        am_dataset_free(ds);
        return NULL;
    }
    amx_interrupt it;
    am_rng mine = *rng; /* a private copy while the GIL is released, written back after (as in recall) */
    double *lv = amx_data(losses);
    amx_interrupt_begin(&it, 1);
    for (unsigned long long e = 0; e < epochs.u && !rc; e++)
        rc = am_ae_train_epoch(self->trainer, ds, &mine, NULL, NULL, lv + e);
    amx_interrupt_end(&it);
    *rng = mine;
    amx_use_done(&self->use);
    am_dataset_free(ds);
    if (rc) {
        Py_DECREF(losses);
        return amx_raise(rc, "Autoencoder.train");
    }
    return (PyObject *)losses;
}

static int ae_save(const void *ae, const char *path) { return am_ae_save(ae, path); }
static int ae_load(void **ae, const char *path) { return am_ae_load((am_ae **)ae, path); }

static PyObject *AE_save(AEObject *self, PyObject *arg)
{
    AE_READY(self);
    return amx_save_with(ae_save, self->ae, arg, "Autoencoder.save");
}

static PyObject *AE_load(PyObject *cls, PyObject *arg)
{
    am_ae *ae = NULL;
    if (amx_load_with(ae_load, (void **)&ae, arg, "Autoencoder.load"))
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
    {"evaluate", (PyCFunction)AE_evaluate, METH_O, "evaluate(x) -> amx_namespace(mse, bce): mean reconstruction losses"},
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
    PyObject *xo, *ko;
    am_pca *p = NULL;
    if (self->p)
        return amx_value_error("a PCA is fitted once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO:PCA", names, &xo, &ko))
        return -1;
    PyObject *x = amx_floats(xo, 0, 2, 2, 0, "x");
    if (!x)
        return -1;
    size_t n = (size_t)amx_dim(x, 0), dim = (size_t)amx_dim(x, 1);
    amx_int k = AMX_INT("k", 1, dim, 0);
    if (n < 2)
        amx_value_error("PCA needs at least 2 rows of x, not %zu", n);
    if (n < 2 || amx_int_from(ko, &k)) {
        Py_DECREF(x);
        return -1;
    }
    amx_interrupt it;
    const float *xv = amx_data(x);
    amx_interrupt_begin(&it, 1);
    int rc = am_pca_fit(&p, xv, n, dim, (size_t)k.u);
    amx_interrupt_end(&it);
    Py_DECREF(x);
    if (rc)
        return amx_raise(rc, "PCA (%zu x %zu, k = %llu)", n, dim, k.u), -1;
    if (self->p) { /* fitted meanwhile by a call in another thread */
        am_pca_free(p);
        return amx_value_error("a PCA is fitted once"), -1;
    }
    self->p = p;
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
    return rowmap(self->p, NULL, x, self->p->dim, self->p->k, pca_enc, "PCA.encode");
}
static PyObject *PCA_decode(PCAObject *self, PyObject *x)
{
    PCA_READY(self);
    return rowmap(self->p, NULL, x, self->p->k, self->p->dim, pca_dec, "PCA.decode");
}
static PyObject *PCA_explained(PCAObject *self, PyObject *arg)
{
    PCA_READY(self);
    amx_int j = AMX_INT("j", 0, self->p->k, 0);
    if (amx_int_from(arg, &j))
        return NULL;
    return PyFloat_FromDouble(am_pca_explained(self->p, (size_t)j.u));
}
static PyObject *PCA_get_components(PCAObject *self, void *u)
{
    (void)u;
    PCA_READY(self);
    return amx_copy_out(AMX_F32, self->p->components, (Py_ssize_t)self->p->k, (Py_ssize_t)self->p->dim, "PCA.components");
}
static PyObject *PCA_get_mean(PCAObject *self, void *u)
{
    (void)u;
    PCA_READY(self);
    return amx_copy_out(AMX_F32, self->p->mean, (Py_ssize_t)self->p->dim, 0, "PCA.mean");
}

static PyObject *PCA_repr(PCAObject *self)
{
    if (!self->p)
        return PyUnicode_FromString("<am.PCA, not fitted>");
    return PyUnicode_FromFormat("<am.PCA %zu components of %zu dimensions>", self->p->k, self->p->dim);
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
    .tp_repr = (reprfunc)PCA_repr,
    .tp_methods = PCA_methods,
    .tp_getset = PCA_getset,
};

/* ------------------------------------------------------------------------------------------------ */
/* Spiking networks */

typedef struct {
    PyObject_HEAD am_snn *n;
    amx_use use; /* writer: add, connect, run (the getters need no writer) */
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
    amx_real dt = AMX_REAL_ABOVE("dt", 0.0, AM_SNN_MAX_DT, 0.1);
    const char *method = "exact";
    amx_int seed = AMX_INT("seed", 0, UINT64_MAX, 1);
    am_integrator m;
    if (self->n)
        return amx_value_error("an SNN is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&sO&:SNN", names, amx_real_conv, &dt, &method, amx_int_conv, &seed))
        return -1;
    if (!strcmp(method, "euler"))
        m = AM_INT_EULER;
    else if (!strcmp(method, "exact"))
        m = AM_INT_EXACT;
    else
        return amx_value_error("unknown method '%s' (euler or exact)", method), -1;
    int rc = am_snn_create(&self->n, dt.v, m, seed.u);
    if (rc)
        return amx_raise(rc, "SNN(dt=%g)", dt.v), -1;
    return 0;
}

#define SNN_READY(self)                                                                                            \
    do {                                                                                                           \
        if (!(self)->n) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the SNN was not initialised");                                    \
            return NULL;                                                                                           \
        }                                                                                                          \
        if ((self)->use.writer) {                                                                                  \
            PyErr_SetString(PyExc_RuntimeError, "the SNN is being run or changed by another call (in another "      \
                            "thread or a signal handler)");                                                        \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

/* SNN.add's real parameters in its argument order (the synapse kind comes between drive and tau_e, v0_uniform
 * between v0_sd and ext_rate), with the ranges of am/spiking.h: every value finite within float range. */
static const struct lif_real {
    const char *name;
    size_t off;
    double lo; /* -FLT_MAX: any; 0: >= 0, or > 0 with open */
    int open;
} lif_reals[] = {
    {"tau_m", offsetof(am_lif_params, tau_m), 0.0, AMX_OPEN_LO},      {"v_rest", offsetof(am_lif_params, v_rest), -FLT_MAX, 0},
    {"v_reset", offsetof(am_lif_params, v_reset), -FLT_MAX, 0}, {"v_thresh", offsetof(am_lif_params, v_thresh), -FLT_MAX, 0},
    {"t_ref", offsetof(am_lif_params, t_ref), 0.0, 0},        {"drive", offsetof(am_lif_params, drive), -FLT_MAX, 0},
    {"tau_e", offsetof(am_lif_params, tau_e), -FLT_MAX, 0},   {"tau_i", offsetof(am_lif_params, tau_i), -FLT_MAX, 0},
    {"e_e", offsetof(am_lif_params, e_e), -FLT_MAX, 0},       {"e_i", offsetof(am_lif_params, e_i), -FLT_MAX, 0},
    {"v0_mean", offsetof(am_lif_params, v0_mean), -FLT_MAX, 0}, {"v0_sd", offsetof(am_lif_params, v0_sd), 0.0, 0},
    {"ext_rate", offsetof(am_lif_params, ext_rate), 0.0, 0},  {"ext_weight", offsetof(am_lif_params, ext_weight), -FLT_MAX, 0},
};
#define LIF_REALS (sizeof lif_reals / sizeof *lif_reals)

static double *lif_field(am_lif_params *p, size_t k) { return (double *)((char *)p + lif_reals[k].off); }

/* The ranges of SNN.add's parameters that involve two of them or the network's dt (am_snn_add's). 0, or -1 with
 * ValueError naming them. */
static int lif_check(const am_lif_params *p, double dt)
{
    if (!(p->v_thresh > p->v_reset))
        return amx_value_error("v_thresh = %g must be above v_reset = %g", p->v_thresh, p->v_reset), -1;
    if (p->syn != AM_SYN_DELTA && !(p->tau_e > 0 && p->tau_i > 0))
        return amx_value_error("tau_e = %g and tau_i = %g must be > 0 (current and conductance synapses)", p->tau_e,
                           p->tau_i), -1;
    if (p->t_ref / dt > AM_SNN_MAX_REF_STEPS)
        return amx_value_error("t_ref = %g ms must be at most %g steps of dt = %g ms", p->t_ref, AM_SNN_MAX_REF_STEPS,
                           dt), -1;
    return 0;
}

static PyObject *SNN_add(SNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"count", "tau_m", "v_rest", "v_reset", "v_thresh", "t_ref", "drive", "synapse", "tau_e",
                            "tau_i", "e_e", "e_i", "v0_mean", "v0_sd", "v0_uniform", "ext_rate", "ext_weight", NULL};
    am_lif_params p;
    amx_int count = AMX_INT("count", 1, UINT32_MAX, 0);
    const char *syn = NULL;
    amx_real r[LIF_REALS];
    am_lif_params_default(&p);
    SNN_READY(self);
    for (size_t k = 0; k < LIF_REALS; k++)
        r[k] = (amx_real){.name = lif_reals[k].name, .lo = lif_reals[k].lo, .hi = FLT_MAX,
                          .open = lif_reals[k].open, .v = *lif_field(&p, k)};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|$O&O&O&O&O&O&sO&O&O&O&O&O&pO&O&:add", names, amx_int_conv, &count,
                                     amx_real_conv, &r[0], amx_real_conv, &r[1], amx_real_conv, &r[2], amx_real_conv, &r[3], amx_real_conv,
                                     &r[4], amx_real_conv, &r[5], &syn, amx_real_conv, &r[6], amx_real_conv, &r[7], amx_real_conv,
                                     &r[8], amx_real_conv, &r[9], amx_real_conv, &r[10], amx_real_conv, &r[11], &p.v0_uniform,
                                     amx_real_conv, &r[12], amx_real_conv, &r[13]))
        return NULL;
    for (size_t k = 0; k < LIF_REALS; k++)
        *lif_field(&p, k) = r[k].v;
    if (syn) {
        if (!strcmp(syn, "delta"))
            p.syn = AM_SYN_DELTA;
        else if (!strcmp(syn, "current"))
            p.syn = AM_SYN_CURRENT;
        else if (!strcmp(syn, "conductance"))
            p.syn = AM_SYN_CONDUCTANCE;
        else
            return amx_value_error("unknown synapse '%s' (delta, current or conductance)", syn);
    }
    if (!kw || !PyDict_GetItemString(kw, "v0_mean"))
        p.v0_mean = p.v_rest;
    if (lif_check(&p, am_snn_dt(self->n)))
        return NULL;
    size_t first;
    int rc = am_snn_add(self->n, (size_t)count.u, &p, &first);
    if (rc)
        return amx_raise(rc, "SNN.add(%llu) to %zu neurons", count.u, am_snn_size(self->n));
    return PyLong_FromSize_t(first);
}

static PyObject *SNN_connect(SNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"pre", "npre", "post", "npost", "p", "k", "weight", "inhibitory", "delay", "autapses", NULL};
    SNN_READY(self);
    size_t size = am_snn_size(self->n);
    double dt = am_snn_dt(self->n);
    if (!size)
        return amx_raise(AM_EEMPTY, "SNN.connect: the network has no neurons (add them with SNN.add)");
    amx_int pre = AMX_INT("pre", 0, size, 0), npre = AMX_INT("npre", 1, size, 0);
    amx_int post = AMX_INT("post", 0, size, 0), npost = AMX_INT("npost", 1, size, 0);
    amx_int k = AMX_INT("k", 0, UINT32_MAX, 0);
    amx_real p = AMX_REAL("p", 0.0, 1.0, 0.0), weight = AMX_FLOAT("weight", 0.0);
    amx_real delay = AMX_REAL("delay", 0.0, AM_SNN_MAX_DELAY_STEPS * dt, 0.0);
    PyObject *po = Py_None, *ko = Py_None;
    am_conn c = {0};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&O&O&O&|$OOO&pO&p:connect", names, amx_int_conv, &pre, amx_int_conv, &npre,
                                     amx_int_conv, &post, amx_int_conv, &npost, &po, &ko, amx_real_conv, &weight, &c.inhibitory,
                                     amx_real_conv, &delay, &c.autapses))
        return NULL;
    if (npre.u > size - pre.u || npost.u > size - post.u)
        return amx_value_error("connect: [pre, pre + npre) = [%llu, %llu) and [post, post + npost) = [%llu, %llu) must lie "
                           "within the network's %zu neurons", pre.u, pre.u + npre.u, post.u, post.u + npost.u, size);
    if ((po == Py_None) == (ko == Py_None))
        return amx_value_error("connect needs exactly one of p (probability) and k (in-degree)");
    int overlap = pre.u < post.u + npost.u && post.u < pre.u + npre.u;
    k.hi = npre.u - (!c.autapses && overlap); /* k distinct presynaptic neurons, the target itself left out */
    if ((po != Py_None && amx_real_from(po, &p)) || (ko != Py_None && amx_int_from(ko, &k)))
        return NULL;
    c.kind = po != Py_None ? AM_CONN_PROB : AM_CONN_INDEGREE;
    c.p = p.v, c.k = (size_t)k.u, c.weight = weight.v, c.delay = delay.v;
    if (amx_use_write(&self->use, "SNN.connect"))
        return NULL;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_snn_connect(self->n, (size_t)pre.u, (size_t)npre.u, (size_t)post.u, (size_t)npost.u, &c);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    if (rc)
        return amx_raise(rc, "SNN.connect(%llu, %llu, %llu, %llu)%s (about %.0f synapses)", pre.u, npre.u, post.u,
                        npost.u, rc == AM_EINVAL ? " (connections are added before the first run)" : "",
                        (c.kind == AM_CONN_PROB ? c.p * (double)npre.u : (double)c.k) * (double)npost.u);
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

/* The spikes logged by a run as amx_namespace(t, i). */
static PyObject *spikes_out(const spike_log *l, double dt)
{
    PyObject *t = amx_new1(AMX_F64, (Py_ssize_t)l->count, "spikes_out");
    PyObject *i = amx_copy_out(AMX_U32, l->id, (Py_ssize_t)l->count, 0, "spikes_out");
    if (!t || !i) {
        Py_XDECREF(t), Py_XDECREF(i);
        return NULL;
    }
    for (size_t k = 0; k < l->count; k++)
        ((double *)amx_data(t))[k] = (double)l->step[k] * dt;
    return amx_namespace(2, "t", (PyObject *)t, "i", i);
}

/* Runs with the GIL released and the network marked as written; interrupted, it keeps the whole steps made. */
static PyObject *SNN_run(SNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"steps", "spikes", "threads", NULL};
    amx_int steps = AMX_INT("steps", 0, UINT64_MAX, 0), threads = AMX_INT("threads", 0, MAX_THREADS, 1);
    int spikes = 0;
    SNN_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|$pO&:run", names, amx_int_conv, &steps, &spikes, amx_int_conv, &threads))
        return NULL;
    if (!am_snn_size(self->n))
        return amx_raise(AM_EEMPTY, "SNN.run: the network has no neurons (add them with SNN.add)");
    spike_log l = {0};
    am_snn_monitor mon = {.on_spikes = log_spikes, .ctx = &l};
    if (amx_use_write(&self->use, "SNN.run"))
        return NULL;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_snn_run(self->n, steps.u, spikes ? &mon : NULL, (int)threads.u);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    PyObject *r = NULL;
    if (rc)
        amx_raise(rc, "SNN.run(%llu) after %llu steps", steps.u, (unsigned long long)am_snn_step_count(self->n));
    else if (l.failed)
        PyErr_NoMemory();
    else
        r = spikes ? spikes_out(&l, am_snn_dt(self->n)) : Py_NewRef(Py_None);
    free(l.step), free(l.id);
    return r;
}

/* The potentials and spike counts exist from the first run on (am/spiking.h): before it, the counts are zero
 * and the potentials not yet drawn. */
static PyObject *SNN_get_v(SNNObject *self, void *u)
{
    (void)u;
    SNN_READY(self);
    if (!am_snn_v(self->n))
        return PyErr_Format(PyExc_RuntimeError, "SNN.v: the initial potentials are drawn by the first run (SNN.run(0) "
                            "draws them and runs no step)");
    return amx_copy_out(AMX_F32, am_snn_v(self->n), (Py_ssize_t)(am_snn_size(self->n)), 0, "SNN.v");
}
static PyObject *SNN_get_counts(SNNObject *self, void *u)
{
    (void)u;
    SNN_READY(self);
    const uint64_t *c = am_snn_spike_counts(self->n);
    if (!c)
        return amx_new1(AMX_U64, (Py_ssize_t)am_snn_size(self->n), "SNN.counts");
    return amx_copy_out(AMX_U64, c, (Py_ssize_t)(am_snn_size(self->n)), 0, "SNN.counts");
}
static PyObject *SNN_get_size(SNNObject *self, void *u) { (void)u; SNN_READY(self); return PyLong_FromSize_t(am_snn_size(self->n)); }
static PyObject *SNN_get_synapses(SNNObject *self, void *u) { (void)u; SNN_READY(self); return PyLong_FromSize_t(am_snn_synapses(self->n)); }
static PyObject *SNN_get_time(SNNObject *self, void *u)
{
    (void)u;
    SNN_READY(self);
    return PyFloat_FromDouble((double)am_snn_step_count(self->n) * am_snn_dt(self->n));
}

static PyObject *SNN_repr(SNNObject *self)
{
    if (!self->n)
        return PyUnicode_FromString("<am.SNN, not initialised>");
    if (self->use.writer) /* being run or connected (another thread, a handler): its sizes are changing */
        return PyUnicode_FromString("<am.SNN, in use by another call>");
    char t[64];
    snprintf(t, sizeof t, "dt = %g ms, t = %g ms", am_snn_dt(self->n),
             (double)am_snn_step_count(self->n) * am_snn_dt(self->n));
    return PyUnicode_FromFormat("<am.SNN %zu neurons, %zu synapses, %s>", am_snn_size(self->n),
                                am_snn_synapses(self->n), t);
}

static PyMethodDef SNN_methods[] = {
    {"add", (PyCFunction)(void (*)(void))SNN_add, METH_VARARGS | METH_KEYWORDS,
     "add(count, *, tau_m=20, v_rest=-60, v_reset=-60, v_thresh=-50, t_ref=5, drive=0, synapse='conductance',\n"
     "    tau_e=5, tau_i=10, e_e=0, e_i=-80, v0_mean=v_rest, v0_sd=0, v0_uniform=False, ext_rate=0, ext_weight=0)\n"
     "-> the index of the first of count new LIF neurons (ms, mV, Hz; am/spiking.h)"},
    {"connect", (PyCFunction)(void (*)(void))SNN_connect, METH_VARARGS | METH_KEYWORDS,
     "connect(pre, npre, post, npost, *, p=None | k=None, weight=0, inhibitory=False, delay=0, autapses=False):\n"
     "project neurons [pre, pre+npre) to [post, post+npost) with probability p or in-degree k; inhibitory=True\n"
     "feeds the targets' inhibitory synapses (gi), delay in ms, autapses=True allows i -> i"},
    {"run", (PyCFunction)(void (*)(void))SNN_run, METH_VARARGS | METH_KEYWORDS,
     "run(steps, *, spikes=False, threads=1) -> None, or amx_namespace(t, i) of the spikes (ms, neuron) with\n"
     "spikes=True. threads=0: all cores; the same spikes at any thread count. Interrupted (KeyboardInterrupt),\n"
     "the network keeps the whole steps it made (SNN.t)."},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef SNN_getset[] = {
    {"v", (getter)SNN_get_v, NULL, "membrane potentials (mV), drawn by the first run (RuntimeError before it)", NULL},
    {"spike_counts", (getter)SNN_get_counts, NULL, "spikes of each neuron so far (zeros before the first run)", NULL},
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
    .tp_repr = (reprfunc)SNN_repr,
    .tp_methods = SNN_methods,
    .tp_getset = SNN_getset,
};

/* xor_trial(s1, s3, bg_rate=0, seed=1, readout_inputs=False) -> spike counts of the eight roles */
static PyObject *am_py_xor_trial(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"s1", "s3", "bg_rate", "bg_weight", "seed", "readout_inputs", NULL};
    am_xor_params p;
    amx_real s1 = AMX_REAL("s1", 0.0, 1.0, 0.0), s3 = AMX_REAL("s3", 0.0, 1.0, 0.0);
    amx_int seed = AMX_INT("seed", 0, UINT64_MAX, 1);
    am_xor_params_default(&p);
    amx_real bg_rate = AMX_REAL("bg_rate", 0.0, AM_XOR_MAX_BG_RATE, p.bg_rate);
    amx_real bg_weight = AMX_REAL("bg_weight", -DBL_MAX, DBL_MAX, p.bg_weight);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&O&|$O&O&O&p:xor_trial", names, amx_real_conv, &s1, amx_real_conv, &s3,
                                     amx_real_conv, &bg_rate, amx_real_conv, &bg_weight, amx_int_conv, &seed, &p.readout_inputs))
        return NULL;
    p.bg_rate = bg_rate.v, p.bg_weight = bg_weight.v;
    uint64_t counts[AM_XOR_ROLES];
    int rc = am_xor_params_check(&p);
    if (!rc) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_xor_trial(&p, s1.v, s3.v, seed.u, counts, NULL);
        amx_interrupt_end(&it);
    }
    if (rc)
        return amx_raise(rc, "am.xor_trial");
    PyObject *c = amx_copy_out(AMX_U64, counts, (Py_ssize_t)AM_XOR_ROLES, 0, "am.xor_trial");
    return amx_namespace(3, "counts", c, "error_hz", PyFloat_FromDouble(am_xor_signed_error(&p, counts)), "bit",
                     PyLong_FromLong(am_xor_signed_bit(&p, counts)));
}

/* ------------------------------------------------------------------------------------------------ */
/* The graded-response network (continuous time) */

static PyObject *am_py_graded_run(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"w", "u", "beta", "tau", "dt", "steps", "gain", "method", NULL};
    PyObject *wo, *uo;
    amx_real beta = AMX_REAL_ABOVE("beta", 0.0, DBL_MAX, 1.0), tau = AMX_REAL_ABOVE("tau", 0.0, DBL_MAX, 1.0);
    amx_real dt = AMX_REAL_ABOVE("dt", 0.0, DBL_MAX, 0.01);
    amx_int steps = AMX_INT("steps", 0, AMX_SSIZE_MAX - 1, 100);
    const char *gain = "tanh", *method = "rk4";
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$O&O&O&O&ss:graded_run", names, &wo, &uo, amx_real_conv, &beta,
                                     amx_real_conv, &tau, amx_real_conv, &dt, amx_int_conv, &steps, &gain, &method))
        return NULL;
    am_gain g;
    am_ode m;
    if (!strcmp(gain, "tanh"))
        g = AM_GAIN_TANH;
    else if (!strcmp(gain, "sigmoid"))
        g = AM_GAIN_SIGMOID;
    else
        return amx_value_error("unknown gain '%s' (tanh or sigmoid)", gain);
    if (!strcmp(method, "euler"))
        m = AM_ODE_EULER;
    else if (!strcmp(method, "rk4"))
        m = AM_ODE_RK4;
    else
        return amx_value_error("unknown method '%s' (euler or rk4)", method);
    PyObject *u = amx_floats(uo, 0, 1, 1, 1, "u");
    if (!u)
        return NULL;
    size_t n = (size_t)amx_dim(u, 0);
    PyObject *w = amx_floats(wo, n, 2, 2, 0, "w");
    if (!w || (size_t)amx_dim(w, 0) != n) {
        Py_DECREF(u);
        Py_XDECREF(w);
        return w ? amx_value_error("w must be n x n with n = len(u) = %zu", n) : NULL;
    }
    am_graded *gr = NULL;
    PyObject *e = amx_new1(AMX_F64, (Py_ssize_t)steps.u + 1, "am.graded_run");
    if (!e) {
        Py_DECREF(u), Py_DECREF(w);
        return NULL;
    }
    int rc = am_graded_create(&gr, n, amx_data(w), NULL, g, beta.v, tau.v);
    Py_DECREF(w);
    if (!rc) {
        float *uv = amx_data(u);
        double *ev = amx_data(e);
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_graded_run(gr, uv, dt.v, (size_t)steps.u, m, ev);
        amx_interrupt_end(&it);
    }
    PyObject *v = rc ? NULL : amx_new1(AMX_F32, (Py_ssize_t)n, "am.graded_run");
    if (v)
        am_graded_output(gr, amx_data(u), amx_data(v));
    am_graded_free(gr);
    if (rc || !v) {
        Py_DECREF(u);
        Py_DECREF(e);
        return rc ? amx_raise(rc, "am.graded_run (%zu units)", n) : NULL;
    }
    return amx_namespace(3, "u", (PyObject *)u, "v", (PyObject *)v, "energy", (PyObject *)e);
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
    amx_interrupt it;
    amx_interrupt_begin(&it, 1); /* the GIL released for the file reading (which does not poll) */
    int rc = am_fashion_load(&ds, dir, split);
    amx_interrupt_end(&it);
    if (rc) {
        amx_raise(rc, "am.fashion('%s', dir='%s')", split, dir ? dir : AM_FASHION_DIR);
        Py_XDECREF(dirb);
        return NULL;
    }
    Py_XDECREF(dirb);
    PyObject *x = amx_copy_out(AMX_F32, ds->x, (Py_ssize_t)ds->count, (Py_ssize_t)ds->dim, "am.fashion");
    PyObject *y = ds->labels ? amx_copy_out(AMX_I32, ds->labels, (Py_ssize_t)ds->count, 0, "am.fashion") : Py_NewRef(Py_None);
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
    amx_int c = AMX_INT("class_name: c (a Fashion-MNIST class)", 0, 9, 0);
    if (amx_int_from(arg, &c))
        return NULL;
    return PyUnicode_FromString(am_fashion_class_name((int)c.u));
}

static PyObject *am_py_theory(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"what", "n", "p", "alpha", NULL};
    const char *what;
    amx_int n = AMX_INT("n", 0, AMX_SSIZE_MAX, 0), p = AMX_INT("p", 0, AMX_SSIZE_MAX, 0);
    amx_real alpha = AMX_REAL("alpha", 0.0, DBL_MAX, NAN);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|$O&O&O&:theory", names, &what, amx_int_conv, &n, amx_int_conv, &p, amx_real_conv,
                                     &alpha))
        return NULL;
    if (!strcmp(what, "hebb_bit_error") || !strcmp(what, "hebb_fixed_prob")) {
        if (n.u < 1 || p.u < 1)
            return amx_value_error("%s needs n >= 1 and p >= 1", what);
        return PyFloat_FromDouble(what[5] == 'b' ? am_theory_hebb_bit_error((size_t)n.u, (size_t)p.u)
                                                 : am_theory_hebb_fixed_prob((size_t)n.u, (size_t)p.u));
    }
    if (!strcmp(what, "hebb_capacity") || !strcmp(what, "storkey_capacity")) {
        if (n.u < 1)
            return amx_value_error("%s needs n >= 1", what);
        return PyFloat_FromDouble(what[0] == 'h' ? am_theory_hebb_capacity((double)n.u)
                                                 : am_theory_storkey_capacity((double)n.u));
    }
    if (!strcmp(what, "ags_overlap") || !strcmp(what, "seq_hebb_overlap")) {
        double m = NAN;
        if (isnan(alpha.v))
            return amx_value_error("%s needs alpha >= 0", what);
        if (what[0] == 'a') /* 0 beyond alpha_c: no retrieval state, m = 0 */
            am_theory_ags_overlap(alpha.v, &m);
        else
            am_theory_seq_hebb_overlap(alpha.v, &m);
        return PyFloat_FromDouble(m);
    }
    if (!strcmp(what, "ags_alpha_c") || !strcmp(what, "seq_hebb_alpha_c")) {
        double m;
        double a = what[0] == 'a' ? am_theory_ags_alpha_c(&m) : am_theory_seq_hebb_alpha_c(&m);
        return Py_BuildValue("(dd)", a, m);
    }
    return amx_value_error("unknown theory '%s' (hebb_bit_error, hebb_fixed_prob, hebb_capacity, storkey_capacity, "
                       "ags_overlap, ags_alpha_c, seq_hebb_overlap, seq_hebb_alpha_c)", what);
}

/* One parameter of a store type as {name, default, help, metavar}. */
static PyObject *store_param_dict(const am_store_param *p)
{
    return Py_BuildValue("{s:z,s:z,s:z,s:z}", "name", p->name, "default", p->dflt, "help", p->help, "metavar",
                         p->metavar);
}

/* One store type as {name, summary, sequence, real, serial, params}. */
static PyObject *store_type_dict(const am_store_type *t)
{
    size_t np;
    const am_store_param *p = am_store_type_params(t, &np);
    unsigned f = am_store_type_flags(t);
    PyObject *params = PyList_New((Py_ssize_t)np);
    for (size_t k = 0; params && k < np; k++) {
        PyObject *d = store_param_dict(&p[k]);
        if (!d)
            Py_CLEAR(params);
        else
            PyList_SET_ITEM(params, (Py_ssize_t)k, d);
    }
    if (!params)
        return NULL;
    return Py_BuildValue("{s:s,s:s,s:N,s:N,s:N,s:N}", "name", am_store_type_name(t), "summary",
                         am_store_type_summary(t), "sequence", PyBool_FromLong(!!(f & AM_STORE_SEQUENCE)), "real",
                         PyBool_FromLong(!!(f & AM_STORE_REAL)), "serial", PyBool_FromLong(!!(f & AM_STORE_SERIAL)),
                         "params", params);
}

static PyObject *am_py_store_types(PyObject *mod, PyObject *unused)
{
    (void)mod, (void)unused;
    PyObject *list = PyList_New(0);
    for (const am_store_type *const *t = am_store_types(); list && *t; t++) {
        PyObject *d = store_type_dict(*t);
        if (!d || PyList_Append(list, d))
            Py_CLEAR(list);
        Py_XDECREF(d);
    }
    return list;
}

/* The largest n of seq_capacity: the bit error sums over the binomial law of n - 1 units, which takes
 * O(sqrt(n d)) terms (0.05 s at 2^32 and d = 1000, held with the GIL). */
#define SEQ_THEORY_MAX_N ((unsigned long long)1 << 32)

static PyObject *am_py_seq_capacity(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"n", "F", "degree", "p", NULL};
    amx_int n = AMX_INT("n", 2, SEQ_THEORY_MAX_N, 0), deg = AMX_INT("degree", 1, 1000, 2);
    amx_int p = AMX_INT("p", 1, AMX_SSIZE_MAX, 0);
    const char *F = "poly";
    PyObject *dego = Py_None, *po = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|$sOO:seq_capacity", names, amx_int_conv, &n, &F, &dego, &po))
        return NULL;
    int poly = !strcmp(F, "poly");
    if (!poly && strcmp(F, "exp"))
        return amx_value_error("F = '%s': poly (f(x) = x^degree) or exp (f(x) = e^{(N-1)(x-1)})", F);
    if (dego != Py_None && !poly)
        return amx_value_error("degree applies to F='poly' only");
    if ((dego != Py_None && amx_int_from(dego, &deg)) || (po != Py_None && amx_int_from(po, &p)))
        return NULL;
    double N = (double)n.u;
    int d = (int)deg.u;
    double lt = poly ? am_theory_seq_poly_log_transition_capacity(N, d) : am_theory_seq_exp_log_transition_capacity(N);
    double ls = poly ? am_theory_seq_poly_log_sequence_capacity(N, d) : am_theory_seq_exp_log_sequence_capacity(N);
    PyObject *err = po == Py_None ? Py_NewRef(Py_None)
                  : PyFloat_FromDouble(poly ? am_theory_seq_poly_transition_error((size_t)n.u, (size_t)p.u, d)
                                            : am_theory_seq_exp_transition_error((size_t)n.u, (size_t)p.u));
    return amx_namespace(5, "transition", PyFloat_FromDouble(exp(lt)), "sequence", PyFloat_FromDouble(exp(ls)),
                     "log_transition", PyFloat_FromDouble(lt), "log_sequence", PyFloat_FromDouble(ls), "bit_error",
                     err);
}

/* ------------------------------------------------------------------------------------------------ */
/* Melodies (am/melody.h): read, built from arrays, on a grid, written, rendered; immutable once made */

typedef struct {
    PyObject_HEAD am_melody m;
    int ready;
} MelodyObject;

static PyTypeObject MelodyType;

static void Melody_dealloc(MelodyObject *self)
{
    am_melody_clear(&self->m);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* A new Melody holding *m (moved: *m is zeroed, and cleared on failure). */
static PyObject *melody_wrap(am_melody *m)
{
    MelodyObject *o = (MelodyObject *)MelodyType.tp_alloc(&MelodyType, 0);
    if (!o) {
        am_melody_clear(m);
        return NULL;
    }
    o->m = *m;
    memset(m, 0, sizeof *m);
    if (!o->m.title && !(o->m.title = calloc(1, 1))) {
        Py_DECREF(o);
        return PyErr_NoMemory();
    }
    o->ready = 1;
    return (PyObject *)o;
}

#define MELODY_READY(self)                                                                                         \
    do {                                                                                                           \
        if (!(self)->ready) {                                                                                      \
            PyErr_SetString(PyExc_RuntimeError, "the Melody was not initialised");                                 \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

/* 0, or -1 with ValueError naming what[i] when a value of a (count int64) is outside [lo, hi]. */
static int ints_within(PyObject *a, long long lo, long long hi, const char *what)
{
    const int64_t *v = amx_data(a);
    for (Py_ssize_t i = 0; i < amx_dim(a, 0); i++)
        if (v[i] < lo || v[i] > hi)
            return amx_value_error("%s[%zd] = %lld is out of range (%lld .. %lld)", what, (Py_ssize_t)i, (long long)v[i],
                               lo, hi), -1;
    return 0;
}

/* meter=(num, den) (any sequence of two ints): (0, 0) for free meter, else num 1..255 over a power of 2, 1..64. */
static int meter_from(PyObject *o, unsigned *num, unsigned *den)
{
    PyObject *seq = PyUnicode_Check(o) || PyBytes_Check(o) ? NULL : PySequence_Fast(o, "");
    if (!seq || PySequence_Fast_GET_SIZE(seq) != 2) {
        Py_XDECREF(seq);
        PyErr_Clear();
        return PyErr_Format(PyExc_TypeError, "meter must be two ints (numerator, denominator), not %.100s",
                            Py_TYPE(o)->tp_name), -1;
    }
    amx_int a = AMX_INT("meter[0]", 0, 255, 4), b = AMX_INT("meter[1]", 0, 64, 4);
    int rc = amx_int_from(PySequence_Fast_GET_ITEM(seq, 0), &a) || amx_int_from(PySequence_Fast_GET_ITEM(seq, 1), &b) ? -1 : 0;
    Py_DECREF(seq);
    if (rc)
        return -1;
    int free_meter = a.u == 0 && b.u == 0;
    if (!free_meter && (a.u == 0 || b.u == 0 || (b.u & (b.u - 1))))
        return amx_value_error("meter = (%llu, %llu): (0, 0) for free meter, or a numerator 1..255 over a power of 2 "
                           "(1 .. 64)", a.u, b.u), -1;
    *num = (unsigned)a.u, *den = (unsigned)b.u;
    return 0;
}

static int Melody_init(MelodyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"pitch", "start", "length", "title", "tempo", "meter", "key", "number", NULL};
    PyObject *po, *so, *lo, *metero = NULL;
    const char *title = "";
    amx_real tempo = AMX_REAL_ABOVE("tempo", 0.0, 1e6, 120.0);
    amx_int key = AMX_INT("key", -7, 7, 0), number = AMX_INT("number", 0, UINT_MAX, 0);
    unsigned mn = 4, md = 4;
    char why[200];
    if (self->ready)
        return amx_value_error("a Melody is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO|$sO&OO&O&:Melody", names, &po, &so, &lo, &title, amx_real_conv, &tempo,
                                     &metero, amx_int_conv, &key, amx_int_conv, &number) ||
        (metero && metero != Py_None && meter_from(metero, &mn, &md)))
        return -1;
    PyObject *p = amx_integers(po, 0, 1, 1, "pitch"), *s = p ? amx_integers(so, 0, 1, 1, "start") : NULL, *l = s ? amx_integers(lo, 0, 1, 1, "length") : NULL;
    int rc = -1;
    Py_ssize_t count = p ? amx_dim(p, 0) : 0;
    if (!l)
        goto done;
    if (amx_dim(s, 0) != count || amx_dim(l, 0) != count) {
        amx_value_error("pitch, start and length must be as long (%zd, %zd, %zd)", (Py_ssize_t)count,
                    (Py_ssize_t)amx_dim(s, 0), (Py_ssize_t)amx_dim(l, 0));
        goto done;
    }
    if (ints_within(p, AM_REST, 127, "pitch") || ints_within(s, 0, UINT32_MAX, "start") ||
        ints_within(l, 1, UINT32_MAX, "length"))
        goto done;
    am_melody m = {.meter_num = mn, .meter_den = md, .key = (int)key.s, .tempo = tempo.v, .number = (unsigned)number.u,
                   .count = (size_t)count};
    if (!(m.title = strdup(title)) || !(m.notes = calloc((size_t)count, sizeof *m.notes))) {
        am_melody_clear(&m);
        amx_no_memory("Melody (%zd notes)", (Py_ssize_t)count);
        goto done;
    }
    const int64_t *pv = amx_data(p), *sv = amx_data(s), *lv = amx_data(l);
    for (Py_ssize_t i = 0; i < count; i++)
        m.notes[i] = (am_note){(int32_t)pv[i], (uint32_t)sv[i], (uint32_t)lv[i]};
    if (am_melody_check(&m, why, sizeof why)) {
        am_melody_clear(&m);
        amx_value_error("Melody: %s", why);
        goto done;
    }
    self->m = m;
    self->ready = 1;
    rc = 0;
done:
    Py_XDECREF(p), Py_XDECREF(s), Py_XDECREF(l);
    return rc;
}

static PyObject *Melody_repr(MelodyObject *self)
{
    if (!self->ready)
        return PyUnicode_FromString("<am.Melody, not initialised>");
    char tempo[32];
    snprintf(tempo, sizeof tempo, "%g", self->m.tempo);
    return PyUnicode_FromFormat("<am.Melody '%s', %zu notes, %u/%u, key %d, tempo %s>", self->m.title, self->m.count,
                                self->m.meter_num, self->m.meter_den, self->m.key, tempo);
}

static Py_ssize_t Melody_len(MelodyObject *self) { return self->ready ? (Py_ssize_t)self->m.count : 0; }

static PyObject *Melody_get_title(MelodyObject *self, void *u) { (void)u; MELODY_READY(self); return PyUnicode_DecodeUTF8(self->m.title, (Py_ssize_t)strlen(self->m.title), "replace"); }
static PyObject *Melody_get_number(MelodyObject *self, void *u) { (void)u; MELODY_READY(self); return PyLong_FromUnsignedLong(self->m.number); }
static PyObject *Melody_get_key(MelodyObject *self, void *u) { (void)u; MELODY_READY(self); return PyLong_FromLong(self->m.key); }
static PyObject *Melody_get_tempo(MelodyObject *self, void *u) { (void)u; MELODY_READY(self); return PyFloat_FromDouble(self->m.tempo); }
static PyObject *Melody_get_line(MelodyObject *self, void *u) { (void)u; MELODY_READY(self); return PyLong_FromSize_t(self->m.line); }
static PyObject *Melody_get_ticks(MelodyObject *self, void *u) { (void)u; MELODY_READY(self); return PyLong_FromUnsignedLong(am_melody_ticks(&self->m)); }
static PyObject *Melody_get_meter(MelodyObject *self, void *u)
{
    (void)u;
    MELODY_READY(self);
    return Py_BuildValue("(II)", self->m.meter_num, self->m.meter_den);
}

static PyObject *Melody_get_notes(MelodyObject *self, void *u)
{
    (void)u;
    MELODY_READY(self);
    PyObject *a = amx_new2(AMX_I64, (Py_ssize_t)self->m.count, 3, "Melody.notes");
    int64_t *v = a ? amx_data(a) : NULL;
    for (size_t i = 0; v && i < self->m.count; i++)
        v[3 * i] = self->m.notes[i].pitch, v[3 * i + 1] = self->m.notes[i].start, v[3 * i + 2] = self->m.notes[i].length;
    return (PyObject *)a;
}

/* A step= argument: ticks per step, 1 .. 2^31. */
#define STEP_ARG AMX_INT("step", 1, AM_MELODY_MAX_TICKS, AM_MELODY_TPQ / 2)

static PyObject *Melody_grid(MelodyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"step", "steps", NULL};
    amx_int step = STEP_ARG, steps = AMX_INT("steps", 0, AMX_SSIZE_MAX, 0);
    PyObject *stepso = Py_None;
    MELODY_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&O:grid", names, amx_int_conv, &step, &stepso))
        return NULL;
    steps.hi = AM_MELODY_MAX_TICKS / step.u; /* the grid of the longest tune the readers accept */
    if (stepso != Py_None && amx_int_from(stepso, &steps))
        return NULL;
    size_t t = stepso == Py_None ? am_melody_steps(&self->m, (uint32_t)step.u) : (size_t)steps.u;
    if (amx_fits_memory(5.0 * (double)t, "", "Melody.grid: %zu steps", t))
        return NULL;
    PyObject *p = amx_new1(AMX_I32, (Py_ssize_t)t, "Melody.grid"), *o = amx_new1(AMX_BOOL, (Py_ssize_t)t, "Melody.grid");
    if (!p || !o) {
        Py_XDECREF(p), Py_XDECREF(o);
        return NULL;
    }
    am_melody_grid(&self->m, (uint32_t)step.u, t, amx_data(p), amx_data(o));
    return Py_BuildValue("(NN)", p, o);
}

/* Melody.from_grid(pitch, onset, step=240) */
static PyObject *Melody_from_grid(PyObject *cls, PyObject *args, PyObject *kw)
{
    (void)cls;
    static char *names[] = {"pitch", "onset", "step", NULL};
    PyObject *po, *oo;
    amx_int step = STEP_ARG;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O&:from_grid", names, &po, &oo, amx_int_conv, &step))
        return NULL;
    PyObject *p = amx_integers(po, 0, 1, 1, "pitch"), *o = p ? amx_states(oo, (size_t)amx_dim(p, 0), 1, 1, "onset") : NULL;
    PyObject *r = NULL;
    if (o && !ints_within(p, AM_REST, 127, "pitch")) {
        Py_ssize_t ti = amx_dim(p, 0);
        size_t t = ti > 0 ? (size_t)ti : 0;
        int32_t *pi = calloc(t, sizeof *pi);
        unsigned char *on = calloc(t, 1);
        am_melody m = {0};
        int rc = pi && on ? AM_OK : AM_ENOMEM;
        for (size_t i = 0; !rc && i < t; i++)
            pi[i] = (int32_t)((const int64_t *)amx_data(p))[i], on[i] = ((const int8_t *)amx_data(o))[i] > 0;
        if (!rc && (double)t * step.u > (double)AM_MELODY_MAX_TICKS)
            amx_value_error("Melody.from_grid: %zu steps of %llu ticks pass %u ticks", t, step.u, AM_MELODY_MAX_TICKS);
        else if (!rc && (rc = am_melody_from_grid(&m, pi, on, t, (uint32_t)step.u)))
            amx_raise(rc, "Melody.from_grid (%zu steps)", t);
        else if (rc)
            amx_no_memory("Melody.from_grid (%zu steps)", t);
        else
            r = melody_wrap(&m);
        free(pi), free(on);
    }
    Py_XDECREF(p), Py_XDECREF(o);
    return r;
}

/* The melody as ABC text. */
static PyObject *Melody_abc(MelodyObject *self, PyObject *unused)
{
    (void)unused;
    MELODY_READY(self);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return amx_no_memory("Melody.abc");
    am_melodies ms = {1, &self->m};
    int rc = am_abc_fprint(f, &ms);
    if (fclose(f) && !rc)
        rc = AM_ENOMEM;
    PyObject *r = rc ? amx_raise(rc, "Melody.abc") : PyUnicode_DecodeUTF8(buf, (Py_ssize_t)len, "replace");
    free(buf);
    return r;
}

static int abc_save(const void *m, const char *path)
{
    am_melodies ms = {1, (am_melody *)m};
    return am_abc_write(path, &ms);
}

static PyObject *Melody_write_abc(MelodyObject *self, PyObject *arg)
{
    MELODY_READY(self);
    return amx_save_with(abc_save, &self->m, arg, "Melody.write_abc");
}

static PyObject *Melody_write_midi(MelodyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"path", "program", NULL};
    PyObject *patho, *path = NULL;
    amx_int program = AMX_INT("program", 0, 127, 0);
    MELODY_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O&:write_midi", names, &patho, amx_int_conv, &program) ||
        !PyUnicode_FSConverter(patho, &path))
        return NULL;
    int rc = am_midi_write(PyBytes_AS_STRING(path), &self->m, (int)program.u);
    PyObject *r = rc ? amx_raise(rc, "Melody.write_midi('%s')", PyBytes_AS_STRING(path)) : Py_NewRef(Py_None);
    Py_DECREF(path);
    return r;
}

#define RATE_ARG AMX_INT("rate", 1000, 384000, 44100)

/* The samples of m at rate (the GIL released); NULL with the error set. */
static float *melody_samples(const am_melody *m, unsigned rate, size_t *n, const char *what)
{
    double seconds = (double)am_melody_ticks(m) / AM_MELODY_TPQ * 60.0 / m->tempo;
    if (amx_fits_memory(4.0 * seconds * rate, "", "%s: %.0f s at %u samples per second", what, seconds, rate))
        return NULL;
    float *x = NULL;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_melody_render(m, rate, &x, n);
    amx_interrupt_end(&it);
    if (rc)
        amx_raise(rc, "%s (%zu notes at %u samples per second)", what, m->count, rate);
    return rc ? NULL : x;
}

static PyObject *Melody_render(MelodyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"rate", NULL};
    amx_int rate = RATE_ARG;
    size_t n = 0;
    MELODY_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&:render", names, amx_int_conv, &rate))
        return NULL;
    float *x = melody_samples(&self->m, (unsigned)rate.u, &n, "Melody.render");
    if (!x)
        return NULL;
    PyObject *a = amx_copy_out(AMX_F32, x, (Py_ssize_t)n, 0, "Melody.render");
    free(x);
    return a;
}

static PyObject *Melody_wav(MelodyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"path", "rate", NULL};
    PyObject *patho, *path = NULL;
    amx_int rate = RATE_ARG;
    size_t n = 0;
    MELODY_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O&:wav", names, &patho, amx_int_conv, &rate) ||
        !PyUnicode_FSConverter(patho, &path))
        return NULL;
    float *x = melody_samples(&self->m, (unsigned)rate.u, &n, "Melody.wav");
    int rc = x ? am_wav_write(PyBytes_AS_STRING(path), x, n, (unsigned)rate.u) : AM_OK;
    free(x);
    PyObject *r = !x ? NULL : rc ? amx_raise(rc, "Melody.wav('%s')", PyBytes_AS_STRING(path)) : Py_NewRef(Py_None);
    Py_DECREF(path);
    return r;
}

static PyObject *Melody_names(MelodyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"flats", NULL};
    int flats = 0;
    MELODY_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|p:names", names, &flats))
        return NULL;
    PyObject *list = PyList_New((Py_ssize_t)self->m.count);
    for (size_t i = 0; list && i < self->m.count; i++) {
        char buf[16];
        PyObject *s = PyUnicode_FromString(am_pitch_name(self->m.notes[i].pitch, flats, buf, sizeof buf));
        if (!s)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, s);
    }
    return list;
}

static PyMethodDef Melody_methods[] = {
    {"grid", (PyCFunction)(void (*)(void))Melody_grid, METH_VARARGS | METH_KEYWORDS,
     "grid(step=240, steps=None) -> (pitch, onset): the melody on a grid of `step` ticks (240: an eighth note):\n"
     "pitch (int32, am.REST = -1 for a rest) sounding at each step's start, onset (bool) where a note begins in\n"
     "the step; `steps` steps (None: enough to cover the melody; more: rests; at most 2**31 / step)"},
    {"from_grid", (PyCFunction)(void (*)(void))Melody_from_grid, METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "from_grid(pitch, onset, step=240) -> Melody: the inverse of grid() (a note starts at each onset and where\n"
     "the pitch changes)"},
    {"abc", (PyCFunction)Melody_abc, METH_NOARGS, "abc() -> the melody as ABC text (read_abc(text=...) reads it back)"},
    {"write_abc", (PyCFunction)Melody_write_abc, METH_O, "write_abc(path): the melody as an ABC file (atomically)"},
    {"write_midi", (PyCFunction)(void (*)(void))Melody_write_midi, METH_VARARGS | METH_KEYWORDS,
     "write_midi(path, program=0): a format-0 MIDI file, General MIDI program 0..127 (atomically)"},
    {"render", (PyCFunction)(void (*)(void))Melody_render, METH_VARARGS | METH_KEYWORDS,
     "render(rate=44100) -> float32 samples in [-1, 1]: additive tones at the melody's tempo, normalised to\n"
     "-24 dBFS (the GIL released). IPython.display.Audio(m.render(), rate=44100) plays it in Jupyter."},
    {"wav", (PyCFunction)(void (*)(void))Melody_wav, METH_VARARGS | METH_KEYWORDS,
     "wav(path, rate=44100): render() written as a 16-bit mono WAV file"},
    {"names", (PyCFunction)(void (*)(void))Melody_names, METH_VARARGS | METH_KEYWORDS,
     "names(flats=False) -> the notes' pitches as text ('C4', 'F#5' or 'Gb5' with flats=True, 'z' a rest)"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Melody_getset[] = {
    {"title", (getter)Melody_get_title, NULL, "the title ('' when none)", NULL},
    {"number", (getter)Melody_get_number, NULL, "the ABC reference number (X:), or 0", NULL},
    {"meter", (getter)Melody_get_meter, NULL, "the time signature (numerator, denominator); (0, 0): free", NULL},
    {"key", (getter)Melody_get_key, NULL, "sharps (> 0) or flats (< 0) of the key signature", NULL},
    {"tempo", (getter)Melody_get_tempo, NULL, "quarter notes per minute", NULL},
    {"line", (getter)Melody_get_line, NULL, "ABC: the line of its X: field; else 0", NULL},
    {"ticks", (getter)Melody_get_ticks, NULL, "ticks (am.TPQ = 480 to the quarter) to the end of the last note", NULL},
    {"notes", (getter)Melody_get_notes, NULL,
     "count x 3 int64: (pitch, start, length) of each note, pitch am.REST (-1) for a rest, times in ticks", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Melody_seq = {.sq_length = (lenfunc)Melody_len};

static PyTypeObject MelodyType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Melody",
    .tp_basicsize = sizeof(MelodyObject),
    .tp_dealloc = (destructor)Melody_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Melody(pitch, start, length, *, title='', tempo=120.0, meter=None, key=0, number=0)\n"
              "A monophonic tune (am/melody.h): notes of MIDI pitch 0..127 (60 = middle C) or am.REST (-1), each\n"
              "with a start and a length in ticks (am.TPQ = 480 to the quarter note), in order without overlap\n"
              "(checked: ValueError saying which note); pitch, start, length: integer arrays. meter: (numerator,\n"
              "denominator), None: (4, 4), (0, 0): free meter; key: sharps (> 0) or flats (< 0), -7..7; tempo:\n"
              "quarter notes a minute. am.read_abc and am.read_midi read melodies; a Melody does not\n"              "change once made. len(m) is its number of notes.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Melody_init,
    .tp_repr = (reprfunc)Melody_repr,
    .tp_methods = Melody_methods,
    .tp_getset = Melody_getset,
    .tp_as_sequence = &Melody_seq,
};

/* read_abc(path=None, *, text=None) -> [Melody] */
static PyObject *am_py_read_abc(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"path", "text", NULL};
    PyObject *patho = Py_None, *texto = Py_None, *path = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$O:read_abc", names, &patho, &texto))
        return NULL;
    if ((patho == Py_None) == (texto == Py_None))
        return amx_value_error("read_abc: give a path or text=, not %s", patho == Py_None ? "neither" : "both");
    Py_ssize_t len = 0;
    const char *text = NULL;
    if (texto != Py_None && !PyUnicode_Check(texto))
        return PyErr_Format(PyExc_TypeError, "text must be a str, not %.100s", Py_TYPE(texto)->tp_name);
    if ((texto != Py_None && !(text = PyUnicode_AsUTF8AndSize(texto, &len))) ||
        (patho != Py_None && !PyUnicode_FSConverter(patho, &path)))
        return NULL;
    am_melodies *ms = NULL;
    char err[512] = "";
    amx_interrupt it;
    amx_interrupt_begin(&it, 1); /* the text (immutable) and path stay referenced */
    int rc = path ? am_abc_read(PyBytes_AS_STRING(path), &ms, err, sizeof err)
                  : am_abc_parse(text, (size_t)len, "<text>", &ms, err, sizeof err);
    amx_interrupt_end(&it);
    if (rc) {
        amx_raise(rc, "am.read_abc: %s", err[0] ? err : path ? PyBytes_AS_STRING(path) : "<text>");
        Py_XDECREF(path);
        return NULL;
    }
    Py_XDECREF(path);
    PyObject *list = PyList_New((Py_ssize_t)ms->count);
    for (size_t i = 0; list && i < ms->count; i++) {
        PyObject *m = melody_wrap(&ms->items[i]);
        if (!m)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, m);
    }
    am_melodies_free(ms);
    return list;
}

/* read_midi(path, *, track=None, channel=None) -> Melody */
static PyObject *am_py_read_midi(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"path", "track", "channel", NULL};
    PyObject *patho, *tracko = Py_None, *channelo = Py_None, *path = NULL;
    amx_int track = AMX_INT("track", 0, INT_MAX, 0), channel = AMX_INT("channel", 1, 16, 1);
    am_midi_opts o;
    am_midi_opts_init(&o);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$OO:read_midi", names, &patho, &tracko, &channelo) ||
        (tracko != Py_None && amx_int_from(tracko, &track)) || (channelo != Py_None && amx_int_from(channelo, &channel)) ||
        !PyUnicode_FSConverter(patho, &path))
        return NULL;
    if (tracko != Py_None)
        o.track = (int)track.u;
    if (channelo != Py_None)
        o.channel = (int)channel.u;
    am_melody m = {0};
    char err[512] = "";
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_midi_read(PyBytes_AS_STRING(path), &o, &m, err, sizeof err);
    amx_interrupt_end(&it);
    PyObject *r = rc ? amx_raise(rc, "am.read_midi: %s", err[0] ? err : PyBytes_AS_STRING(path)) : melody_wrap(&m);
    Py_DECREF(path);
    return r;
}

static PyObject *am_py_pitch_name(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"pitch", "flats", NULL};
    amx_int p = AMX_INT("pitch", AM_REST, 127, 0);
    int flats = 0;
    char buf[16];
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|p:pitch_name", names, amx_int_conv, &p, &flats))
        return NULL;
    return PyUnicode_FromString(am_pitch_name((int)p.s, flats, buf, sizeof buf));
}

/* ------------------------------------------------------------------------------------------------ */
/* Melody encodings (am_melcode): a melody as a sequence of ±1 patterns and back */

typedef struct {
    PyObject_HEAD am_melcode c;
    int ready;
} CodeObject;

static PyTypeObject CodeType;

static const char *const code_kinds[] = {"pitchclass", "range", "sparse", NULL};

#define CODE_READY(self)                                                                                           \
    do {                                                                                                           \
        if (!(self)->ready) {                                                                                      \
            PyErr_SetString(PyExc_RuntimeError, "the MelodyCode was not initialised");                             \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

/* An optional integer keyword (NULL or None: the default, kept) of the kinds in `kinds` (a bit per kind):
 * ValueError for one given to another kind. */
static int code_opt(PyObject *o, amx_int *a, unsigned kinds, am_melcode_kind kind)
{
    if (!o || o == Py_None)
        return 0;
    if (!(kinds >> kind & 1u)) {
        char buf[64] = "";
        for (int k = 0; code_kinds[k]; k++)
            if (kinds >> k & 1u)
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", buf[0] ? ", " : "", code_kinds[k]);
        return amx_value_error("%s applies to kind %s only, not to %s", a->name, buf, code_kinds[kind]), -1;
    }
    return amx_int_from(o, a);
}

static int Code_init(CodeObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"kind", "step", "lo", "hi", "repeat", "n", "k", "context", "history", "seed", NULL};
    const char *kindname = "pitchclass";
    PyObject *o[9] = {0};
    am_melcode c;
    char why[200];
    if (self->ready)
        return amx_value_error("a MelodyCode is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|s$OOOOOOOOO:MelodyCode", names, &kindname, &o[0], &o[1], &o[2],
                                     &o[3], &o[4], &o[5], &o[6], &o[7], &o[8]))
        return -1;
    am_melcode_init(&c);
    int kind = 0;
    while (code_kinds[kind] && strcmp(code_kinds[kind], kindname))
        kind++;
    if (!code_kinds[kind])
        return amx_value_error("unknown kind '%s' (pitchclass, range, sparse)", kindname), -1;
    c.kind = (am_melcode_kind)kind;
    amx_int a[9] = {STEP_ARG, AMX_INT("lo", 0, 127, 48), AMX_INT("hi", 0, 127, 84),
                    AMX_INT("repeat", 1, AM_MAX_UNITS, 8), AMX_INT("n", 1, AM_MAX_UNITS, 256),
                    AMX_INT("k", 1, AM_MAX_UNITS, 16), AMX_INT("context", 0, AM_MAX_UNITS, 0),
                    AMX_INT("history", 1, 64, 1), AMX_INT("seed", 0, UINT64_MAX, 0)};
    const unsigned all = 7, ranged = 6, onehot = 3, sparse = 4;
    const unsigned kinds[9] = {all, ranged, ranged, onehot, sparse, sparse, all, all, all};
    for (int i = 0; i < 9; i++)
        if (code_opt(o[i], &a[i], kinds[i], c.kind))
            return -1;
    c.step = (uint32_t)a[0].u, c.lo = (int)a[1].u, c.hi = (int)a[2].u, c.repeat = (unsigned)a[3].u;
    c.n = (size_t)a[4].u, c.k = (size_t)a[5].u, c.context = (size_t)a[6].u, c.history = (unsigned)a[7].u;
    c.seed = a[8].u;
    if (am_melcode_check(&c, why, sizeof why))
        return amx_value_error("MelodyCode: %s", why), -1;
    self->c = c;
    self->ready = 1;
    return 0;
}

static PyObject *Code_repr(CodeObject *self)
{
    if (!self->ready)
        return PyUnicode_FromString("<am.MelodyCode, not initialised>");
    const am_melcode *c = &self->c;
    return PyUnicode_FromFormat("<am.MelodyCode %s, step %u, %zu units (history %u, context %zu)>",
                                code_kinds[c->kind], c->step, am_melcode_units(c), c->history, c->context);
}

/* Code.encode(melody, tune=0) -> steps x units int8 */
static PyObject *Code_encode(CodeObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"melody", "tune", NULL};
    MelodyObject *m;
    amx_int tune = AMX_INT("tune", 0, AMX_SSIZE_MAX, 0);
    CODE_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!|O&:encode", names, &MelodyType, &m, amx_int_conv, &tune))
        return NULL;
    MELODY_READY(m);
    size_t steps = am_melody_steps(&m->m, self->c.step), units = am_melcode_units(&self->c);
    if (amx_fits_memory(1.2 * (double)steps * (double)units, "", "MelodyCode.encode: %zu steps of %zu units", steps, units))
        return NULL;
    am_patterns *p = NULL;
    int rc = am_melcode_encode(&self->c, &m->m, (size_t)tune.u, &p);
    if (rc)
        return amx_raise(rc, "MelodyCode.encode (%zu steps of %zu units)", steps, units);
    PyObject *a = patterns_to_array(p);
    am_patterns_free(p);
    return a;
}

static PyObject *Code_decode(CodeObject *self, PyObject *arg)
{
    CODE_READY(self);
    PyObject *st = amx_states(arg, am_melcode_units(&self->c), 2, 2, "states");
    if (!st)
        return NULL;
    am_melody m = {0};
    int rc = am_melcode_decode(&self->c, amx_data(st), (size_t)amx_dim(st, 0), &m);
    Py_DECREF(st);
    return rc ? amx_raise(rc, "MelodyCode.decode") : melody_wrap(&m);
}

static PyObject *Code_decode_step(CodeObject *self, PyObject *arg)
{
    CODE_READY(self);
    PyObject *st = amx_states(arg, am_melcode_units(&self->c), 1, 1, "x");
    if (!st)
        return NULL;
    int32_t pitch = 0;
    unsigned char onset = 0;
    double ov = am_melcode_decode_step(&self->c, amx_data(st), &pitch, &onset);
    Py_DECREF(st);
    return Py_BuildValue("(iNd)", (int)pitch, PyBool_FromLong(onset), ov);
}

static PyObject *Code_get_kind(CodeObject *self, void *u) { (void)u; CODE_READY(self); return PyUnicode_FromString(code_kinds[self->c.kind]); }
static PyObject *Code_get_units(CodeObject *self, void *u) { (void)u; CODE_READY(self); return PyLong_FromSize_t(am_melcode_units(&self->c)); }
static PyObject *Code_get_step(CodeObject *self, void *u) { (void)u; CODE_READY(self); return PyLong_FromUnsignedLong(self->c.step); }
static PyObject *Code_get_history(CodeObject *self, void *u) { (void)u; CODE_READY(self); return PyLong_FromUnsignedLong(self->c.history); }
static PyObject *Code_get_context(CodeObject *self, void *u) { (void)u; CODE_READY(self); return PyLong_FromSize_t(self->c.context); }

static PyMethodDef Code_methods[] = {
    {"encode", (PyCFunction)(void (*)(void))Code_encode, METH_VARARGS | METH_KEYWORDS,
     "encode(melody, tune=0) -> steps x units int8 ±1: one pattern per step of the melody (a sequence for\n"
     "Store.add on a sequence store, or for Engram.train); tune picks the context code (context > 0)"},
    {"decode", (PyCFunction)Code_decode, METH_O,
     "decode(states) -> Melody: steps x units states (a replay's, a recall's) back to notes"},
    {"decode_step", (PyCFunction)Code_decode_step, METH_O,
     "decode_step(x) -> (pitch, onset, overlap): the step nearest to one state x (pitch am.REST = -1 for a rest;\n"
     "pitchclass: in octave 4), and x's overlap with that step's code, in [-1, 1]"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Code_getset[] = {
    {"kind", (getter)Code_get_kind, NULL, "pitchclass, range or sparse", NULL},
    {"units", (getter)Code_get_units, NULL, "units per pattern (the n of a Store for these codes)", NULL},
    {"step", (getter)Code_get_step, NULL, "ticks per step", NULL},
    {"history", (getter)Code_get_history, NULL, "steps each pattern holds", NULL},
    {"context", (getter)Code_get_context, NULL, "units of the per-tune context code", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject CodeType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.MelodyCode",
    .tp_basicsize = sizeof(CodeObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "MelodyCode(kind='pitchclass', *, step=240, lo=48, hi=84, repeat=8, n=256, k=16, context=0, history=1,\n"
              "           seed=0)\n"
              "An encoding of melodies as ±1 patterns, one per step of `step` ticks (am_melcode): kind\n"
              "'pitchclass' (12 pitch classes, rest, onset, sustain units, each repeated `repeat` times), 'range'\n"
              "(one unit per pitch lo..hi), 'sparse' (each (pitch, onset) a random code of k active of n units from\n"
              "seed); history: steps each pattern holds (the current first); context: units of a random code per\n"
              "tune appended to every step. Options of another kind are a ValueError.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Code_init,
    .tp_repr = (reprfunc)Code_repr,
    .tp_methods = Code_methods,
    .tp_getset = Code_getset,
};

/* ------------------------------------------------------------------------------------------------ */
/* Familiarity (am/familiarity.h): scores and ROC analysis */

/* Both score arrays of roc and roc_curve; 0, or -1 with the error set. */
static int roc_args(PyObject *args, PyObject *kw, const char *fmt, PyObject **f, PyObject **n)
{
    static char *names[] = {"familiar", "novel", NULL};
    PyObject *fo, *no;
    *f = *n = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, fmt, names, &fo, &no) || !(*f = amx_reals(fo, 0, 1, 1, "familiar")) ||
        !(*n = amx_reals(no, 0, 1, 1, "novel"))) {
        Py_CLEAR(*f);
        return -1;
    }
    return 0;
}

static PyObject *am_py_roc(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    PyObject *f, *n;
    if (roc_args(args, kw, "OO:roc", &f, &n))
        return NULL;
    am_roc r;
    int rc = am_roc_compute(amx_data(f), (size_t)amx_dim(f, 0), amx_data(n), (size_t)amx_dim(n, 0), &r);
    Py_DECREF(f), Py_DECREF(n);
    if (rc)
        return amx_raise(rc, "am.roc");
    return amx_namespace(7, "auc", PyFloat_FromDouble(r.auc), "threshold", PyFloat_FromDouble(r.threshold), "accuracy",
                     PyFloat_FromDouble(r.accuracy), "tpr", PyFloat_FromDouble(r.tpr), "fpr", PyFloat_FromDouble(r.fpr),
                     "dprime", PyFloat_FromDouble(r.dprime), "points", PyLong_FromSize_t(r.points));
}

static PyObject *am_py_roc_curve(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    PyObject *f, *n;
    if (roc_args(args, kw, "OO:roc_curve", &f, &n))
        return NULL;
    size_t room = (size_t)amx_dim(f, 0) + (size_t)amx_dim(n, 0) + 1, points = 0;
    double *buf = malloc(3 * room * sizeof *buf);
    int rc = buf ? am_roc_curve(amx_data(f), (size_t)amx_dim(f, 0), amx_data(n), (size_t)amx_dim(n, 0),
                                buf, buf + room, buf + 2 * room, &points)
                 : AM_ENOMEM;
    Py_DECREF(f), Py_DECREF(n);
    PyObject *r = NULL;
    if (!rc) {
        PyObject *fpr = amx_copy_out(AMX_F64, buf, (Py_ssize_t)points, 0, "am.roc_curve");
        PyObject *tpr = amx_copy_out(AMX_F64, buf + room, (Py_ssize_t)points, 0, "am.roc_curve");
        PyObject *th = amx_copy_out(AMX_F64, buf + 2 * room, (Py_ssize_t)points, 0, "am.roc_curve");
        r = fpr && tpr && th ? Py_BuildValue("(NNN)", fpr, tpr, th) : NULL;
        if (!r)
            Py_XDECREF(fpr), Py_XDECREF(tpr), Py_XDECREF(th);
    } else {
        amx_raise(rc, "am.roc_curve");
    }
    free(buf);
    return r;
}

/* The Store of a familiarity call, ready and marked as read (amx_use_done after). NULL with the error set. */
static StoreObject *store_arg(PyObject *o, const char *what)
{
    if (!PyObject_TypeCheck(o, &StoreType))
        return PyErr_Format(PyExc_TypeError, "%s: store must be an am.Store, not %.100s", what, Py_TYPE(o)->tp_name),
               NULL;
    StoreObject *s = (StoreObject *)o;
    STORE_READY(s);
    return amx_use_read(&s->use, what) ? NULL : s;
}

static PyObject *am_py_familiarity(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"store", "cues", "score", "threads", NULL};
    PyObject *so, *co;
    const char *score = "energy";
    amx_int threads = AMX_INT("threads", 0, MAX_THREADS, 0);
    am_fam_score kind;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$sO&:familiarity", names, &so, &co, &score, amx_int_conv, &threads))
        return NULL;
    if (am_fam_score_parse(score, &kind))
        return amx_value_error("unknown score '%s' (energy, overlap)", score);
    StoreObject *s = store_arg(so, "am.familiarity");
    if (!s)
        return NULL;
    PyObject *st = amx_states(co, am_store_n(s->s), 1, 2, "cues"), *out = NULL;
    am_patterns *p = st ? patterns_from(st) : NULL;
    int rc = AM_OK;
    if (p && (out = amx_new1(AMX_F64, amx_rows(st), "am.familiarity"))) {
        double *ov = amx_data(out);
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_familiarity_store(s->s, kind, p, ov, (int)threads.u);
        amx_interrupt_end(&it);
    }
    amx_use_done(&s->use);
    am_patterns_free(p);
    if (rc) {
        Py_CLEAR(out);
        amx_raise(rc, "am.familiarity (a %s store, score %s)", am_store_type_name(am_store_type_of(s->s)), score);
    }
    if (out && amx_ndim(st) == 1) { /* one cue: one number */
        PyObject *v = PyFloat_FromDouble(((const double *)amx_data(out))[0]);
        Py_DECREF(out);
        Py_DECREF(st);
        return v;
    }
    Py_XDECREF(st);
    return (PyObject *)out;
}

/* A list of sequences (each count x n, taken by signs) as pattern sets: *out (count pointers, owned, free with
 * seqs_free). 0, or -1 with the error set naming what[k]. */
static int seqs_from(PyObject *o, size_t n, am_patterns ***out, size_t *count, const char *what)
{
    *out = NULL, *count = 0;
    if (PyUnicode_Check(o) || PyBytes_Check(o))
        return PyErr_Format(PyExc_TypeError, "%s must be a list of arrays (one per sequence), not %.100s", what,
                            Py_TYPE(o)->tp_name), -1;
    PyObject *seq = PySequence_Fast(o, "sequences must be a list of arrays (one per sequence)");
    if (!seq)
        return -1;
    Py_ssize_t k = 0, len = PySequence_Fast_GET_SIZE(seq);
    am_patterns **ps = calloc(len ? (size_t)len : 1, sizeof *ps);
    if (!ps) {
        Py_DECREF(seq);
        return amx_no_memory("%s (%zd sequences)", what, len), -1;
    }
    for (; k < len; k++) {
        char name[80];
        snprintf(name, sizeof name, "%s[%zd]", what, k);
        PyObject *st = PyErr_CheckSignals() ? NULL : amx_states(PySequence_Fast_GET_ITEM(seq, k), n, 2, 2, name);
        ps[k] = st ? patterns_from(st) : NULL; /* signals checked at each sequence: many small ones add up */
        Py_XDECREF(st);
        if (!ps[k])
            break;
    }
    Py_DECREF(seq);
    *out = ps, *count = (size_t)k;
    return k == len ? 0 : -1;
}

static void seqs_free(am_patterns **ps, size_t count)
{
    for (size_t k = 0; ps && k < count; k++)
        am_patterns_free(ps[k]);
    free(ps);
}

static PyObject *am_py_sequence_familiarity(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"store", "seqs", "threads", NULL};
    PyObject *so, *qo;
    amx_int threads = AMX_INT("threads", 0, MAX_THREADS, 0);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$O&:sequence_familiarity", names, &so, &qo, amx_int_conv, &threads))
        return NULL;
    StoreObject *s = store_arg(so, "am.sequence_familiarity");
    if (!s)
        return NULL;
    am_patterns **ps = NULL;
    size_t count = 0;
    PyObject *out = NULL;
    int rc = AM_OK;
    if (!seqs_from(qo, am_store_n(s->s), &ps, &count, "seqs") && (out = amx_new1(AMX_F64, (Py_ssize_t)count, "am.sequence_familiarity"))
        && count) {
        double *ov = amx_data(out);
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_familiarity_sequences(s->s, (const am_patterns *const *)ps, count, ov, (int)threads.u);
        amx_interrupt_end(&it);
    }
    amx_use_done(&s->use);
    seqs_free(ps, count);
    if (rc) {
        Py_CLEAR(out);
        amx_raise(rc, "am.sequence_familiarity (a %s store, %zu sequences)", am_store_type_name(am_store_type_of(s->s)),
                 count);
    }
    return (PyObject *)out;
}

/* ------------------------------------------------------------------------------------------------ */
/* The melody engram (am/engram.h) */

typedef struct {
    PyObject_HEAD am_engram *g;
    am_engram_opts o;
    amx_use use; /* readers: none (every call moves the context); writer: every call */
} EngramObject;

static PyTypeObject EngramType;

static const char *const engram_rules[] = {"fixed", "fa", "backprop", NULL};

static void Engram_dealloc(EngramObject *self)
{
    am_engram_free(self->g);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Every method: an initialised engram that no other call is using (another thread, a signal handler). */
#define ENGRAM_READY(self, what)                                                                                   \
    do {                                                                                                           \
        if (!(self)->g) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the Engram was not initialised");                                 \
            return NULL;                                                                                           \
        }                                                                                                          \
        if ((self)->use.writer) {                                                                                  \
            PyErr_Format(PyExc_RuntimeError, "%s: the Engram is in use by another call (another thread, a "        \
                         "handler)", what);                                                                        \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

#define ENGRAM_MAX_HIDDEN ((size_t)1 << 20)

static int Engram_init(EngramObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"bits", "hidden", "k", "rule", "context", "decay", "context_gain", "lr", "lr_hidden",
                            "lr_backprop", "seed", "threads", NULL};
    am_engram_opts o;
    am_engram_opts_default(&o);
    amx_int bits = AMX_INT("bits", 1, 1 << 16, 0), hidden = AMX_INT("hidden", 1, ENGRAM_MAX_HIDDEN, o.hidden);
    amx_int k = AMX_INT("k", 1, ENGRAM_MAX_HIDDEN, o.k), seed = AMX_INT("seed", 0, UINT64_MAX, o.seed);
    amx_int threads = AMX_INT("threads", 0, MAX_THREADS, 1);
    amx_real decay = AMX_REAL_BELOW("decay", 0.0, 1.0, o.decay), gain = AMX_REAL_ABOVE("context_gain", 0.0, 1e6, o.context_gain);
    amx_real lr = AMX_REAL_ABOVE("lr", 0.0, 1e6, o.lr), lrh = AMX_REAL("lr_hidden", 0.0, 1e6, o.lr_hidden);
    amx_real lrb = AMX_REAL_ABOVE("lr_backprop", 0.0, 1e6, o.lr_backprop);
    const char *rule = "fixed";
    int context = 1;
    if (self->g)
        return amx_value_error("an Engram is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|$O&O&spO&O&O&O&O&O&O&:Engram", names, amx_int_conv, &bits, amx_int_conv,
                                     &hidden, amx_int_conv, &k, &rule, &context, amx_real_conv, &decay, amx_real_conv, &gain,
                                     amx_real_conv, &lr, amx_real_conv, &lrh, amx_real_conv, &lrb, amx_int_conv, &seed, amx_int_conv,
                                     &threads))
        return -1;
    int r = 0;
    while (engram_rules[r] && strcmp(engram_rules[r], rule))
        r++;
    if (!engram_rules[r])
        return amx_value_error("unknown rule '%s' (fixed, fa, backprop)", rule), -1;
    if (k.u > hidden.u)
        return amx_value_error("k = %llu is more than hidden = %llu", k.u, hidden.u), -1;
    /* the weights alone (W: H x (d + H with a context), V: d x H, floats; backprop keeps Adam's two moments too) */
    double H = (double)hidden.u, d = (double)bits.u;
    if (amx_fits_memory(4.0 * (H * (d + (context ? H : 0)) + d * H) * (r == AM_ENGRAM_BACKPROP ? 3 : 1) +
                    (r == AM_ENGRAM_FA ? 4.0 * H * d : 0), ": fewer hidden units", "Engram(%llu bits, hidden=%llu)",
                    bits.u, hidden.u))
        return -1;
    o.hidden = (size_t)hidden.u, o.k = (size_t)k.u, o.rule = (am_engram_rule)r, o.context = context;
    o.decay = decay.v, o.context_gain = gain.v, o.lr = lr.v, o.lr_hidden = lrh.v, o.lr_backprop = lrb.v;
    o.seed = seed.u, o.threads = (int)threads.u;
    int rc = am_engram_create(&self->g, (size_t)bits.u, &o);
    if (rc)
        return amx_raise(rc, "Engram(%llu bits, hidden=%llu, k=%llu, rule=%s)", bits.u, hidden.u, k.u, rule), -1;
    self->o = o;
    return 0;
}

static PyObject *Engram_repr(EngramObject *self)
{
    if (!self->g)
        return PyUnicode_FromString("<am.Engram, not initialised>");
    return PyUnicode_FromFormat("<am.Engram %zu bits, hidden %zu, k %zu, rule %s%s>", am_engram_bits(self->g),
                                am_engram_hidden(self->g), self->o.k, engram_rules[self->o.rule],
                                self->o.context ? ", context" : "");
}

/* One sequence argument (count x bits, taken by signs) as a pattern set; NULL with the error set. */
static am_patterns *engram_seq(EngramObject *self, PyObject *o, const char *what)
{
    PyObject *st = amx_states(o, am_engram_bits(self->g), 2, 2, what);
    am_patterns *p = st ? patterns_from(st) : NULL;
    Py_XDECREF(st);
    return p;
}

/* Begin a call that changes the engram (every call moves its context); 0, or -1 with RuntimeError. */
static int engram_begin(EngramObject *self, amx_interrupt *it, const char *what)
{
    if (amx_use_write(&self->use, what))
        return -1;
    amx_interrupt_begin(it, 1);
    return 0;
}

static void engram_end(EngramObject *self, amx_interrupt *it)
{
    amx_interrupt_end(it);
    amx_use_done(&self->use);
}

static PyObject *Engram_train(EngramObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"seqs", "epochs", NULL};
    PyObject *qo;
    amx_int epochs = AMX_INT("epochs", 1, AMX_SSIZE_MAX / 3, 1);
    ENGRAM_READY(self, "Engram.train");
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O&:train", names, &qo, amx_int_conv, &epochs) ||
        amx_fits_memory(24.0 * (double)epochs.u, "", "Engram.train: the learning curve of %llu epochs", epochs.u))
        return NULL;
    am_patterns **ps = NULL;
    size_t count = 0;
    if (seqs_from(qo, am_engram_bits(self->g), &ps, &count, "seqs"))
        return seqs_free(ps, count), NULL;
    if (!count)
        return seqs_free(ps, count), amx_value_error("Engram.train: seqs holds no sequence");
    PyObject *curve = amx_new2(AMX_U64, (Py_ssize_t)epochs.u, 3, "Engram.train");
    amx_interrupt it;
    int rc = AM_OK;
    if (!curve || engram_begin(self, &it, "Engram.train")) {
        Py_XDECREF(curve);
        return seqs_free(ps, count), NULL;
    }
    am_engram_counts *c = malloc((size_t)epochs.u * sizeof *c);
    rc = c ? am_engram_train(self->g, (const am_patterns *const *)ps, count, (size_t)epochs.u, c) : AM_ENOMEM;
    engram_end(self, &it);
    seqs_free(ps, count);
    uint64_t *v = amx_data(curve);
    for (size_t e = 0; !rc && e < (size_t)epochs.u; e++)
        v[3 * e] = c[e].beats, v[3 * e + 1] = c[e].beats_right, v[3 * e + 2] = c[e].bits_wrong;
    free(c);
    if (rc) {
        Py_DECREF(curve);
        return amx_raise(rc, "Engram.train (%zu sequences, %llu epochs)", count, epochs.u);
    }
    return (PyObject *)curve;
}

static PyObject *Engram_evaluate(EngramObject *self, PyObject *arg)
{
    ENGRAM_READY(self, "Engram.evaluate");
    am_patterns *p = engram_seq(self, arg, "seq");
    amx_interrupt it;
    if (!p || engram_begin(self, &it, "Engram.evaluate"))
        return am_patterns_free(p), NULL;
    am_engram_eval e;
    int rc = am_engram_evaluate(self->g, p, &e);
    engram_end(self, &it);
    am_patterns_free(p);
    if (rc)
        return amx_raise(rc, "Engram.evaluate");
    return amx_namespace(6, "beats", PyLong_FromSize_t(e.beats), "tf_right", PyLong_FromSize_t(e.tf_right),
                     "tf_bits_wrong", PyLong_FromUnsignedLongLong(e.tf_bits_wrong), "fr_right",
                     PyLong_FromSize_t(e.fr_right), "fr_first_wrong", PyLong_FromSize_t(e.fr_first_wrong),
                     "fr_bits_wrong", PyLong_FromUnsignedLongLong(e.fr_bits_wrong));
}

static PyObject *Engram_familiarity(EngramObject *self, PyObject *arg)
{
    ENGRAM_READY(self, "Engram.familiarity");
    am_patterns *p = engram_seq(self, arg, "seq");
    amx_interrupt it;
    if (!p || engram_begin(self, &it, "Engram.familiarity"))
        return am_patterns_free(p), NULL;
    double score = NAN;
    int rc = am_engram_familiarity(self->g, p, &score);
    engram_end(self, &it);
    am_patterns_free(p);
    return rc ? amx_raise(rc, "Engram.familiarity") : PyFloat_FromDouble(score);
}

static PyObject *Engram_recall(EngramObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"seq", "cue", "length", NULL};
    PyObject *so, *leno = Py_None;
    amx_int cue = AMX_INT("cue", 1, AMX_SSIZE_MAX, 1), length = AMX_INT("length", 1, AMX_SSIZE_MAX, 1);
    ENGRAM_READY(self, "Engram.recall");
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO&|O:recall", names, &so, amx_int_conv, &cue, &leno) ||
        (leno != Py_None && amx_int_from(leno, &length)))
        return NULL;
    am_patterns *p = engram_seq(self, so, "seq"), *out = NULL;
    if (!p)
        return NULL;
    size_t d = am_engram_bits(self->g), len = leno == Py_None ? p->count : (size_t)length.u;
    if (cue.u > p->count) {
        size_t beats = p->count;
        am_patterns_free(p);
        return amx_value_error("Engram.recall: cue = %llu is more than the sequence's %zu beats", cue.u, beats);
    }
    int rc = amx_fits_memory(1.2 * (double)len * (double)d, "", "Engram.recall: length = %zu beats of %zu", len, d)
                 ? AM_EINVAL : am_patterns_create(&out, d, len);
    amx_interrupt it;
    if (rc || engram_begin(self, &it, "Engram.recall")) {
        if (rc && !PyErr_Occurred())
            amx_raise(rc, "Engram.recall (%zu beats of %zu bits)", len, d);
        am_patterns_free(p), am_patterns_free(out);
        return NULL;
    }
    rc = am_engram_recall(self->g, p, (size_t)cue.u, out);
    engram_end(self, &it);
    am_patterns_free(p);
    PyObject *r = rc ? amx_raise(rc, "Engram.recall") : patterns_to_array(out);
    am_patterns_free(out);
    return r;
}

/* One beat (bits units, by signs) as 0/1 floats into y (bits floats); -1 with the error set. */
static int beat_in(EngramObject *self, PyObject *o, float *y, const char *what)
{
    size_t d = am_engram_bits(self->g);
    PyObject *st = amx_states(o, d, 1, 1, what);
    if (!st)
        return -1;
    for (size_t i = 0; i < d; i++)
        y[i] = ((const int8_t *)amx_data(st))[i] > 0 ? 1.0f : 0.0f;
    Py_DECREF(st);
    return 0;
}

static PyObject *Engram_predict(EngramObject *self, PyObject *arg)
{
    ENGRAM_READY(self, "Engram.predict");
    size_t d = am_engram_bits(self->g);
    float *x = malloc(2 * d * sizeof *x);
    PyObject *out = x ? amx_new1(AMX_I8, (Py_ssize_t)d, "Engram.predict") : (PyObject *)PyErr_NoMemory();
    amx_interrupt it;
    if (!out || beat_in(self, arg, x, "x") || engram_begin(self, &it, "Engram.predict")) {
        free(x);
        Py_XDECREF(out);
        return NULL;
    }
    int rc = am_engram_predict(self->g, x, x + d);
    engram_end(self, &it);
    for (size_t i = 0; !rc && i < d; i++)
        ((int8_t *)amx_data(out))[i] = x[d + i] > 0.5f ? 1 : -1;
    free(x);
    if (rc) {
        Py_DECREF(out);
        return amx_raise(rc, "Engram.predict");
    }
    return (PyObject *)out;
}

static PyObject *Engram_reset(EngramObject *self, PyObject *unused)
{
    (void)unused;
    ENGRAM_READY(self, "Engram.reset");
    if (self->use.readers)
        return PyErr_Format(PyExc_RuntimeError, "Engram.reset: the Engram is in use by another call");
    am_engram_reset(self->g);
    Py_RETURN_NONE;
}

static PyObject *Engram_get_bits(EngramObject *self, void *u) { (void)u; ENGRAM_READY(self, "Engram.bits"); return PyLong_FromSize_t(am_engram_bits(self->g)); }
static PyObject *Engram_get_hidden(EngramObject *self, void *u) { (void)u; ENGRAM_READY(self, "Engram.hidden"); return PyLong_FromSize_t(am_engram_hidden(self->g)); }
static PyObject *Engram_get_rule(EngramObject *self, void *u) { (void)u; ENGRAM_READY(self, "Engram.rule"); return PyUnicode_FromString(engram_rules[self->o.rule]); }

static PyMethodDef Engram_methods[] = {
    {"train", (PyCFunction)(void (*)(void))Engram_train, METH_VARARGS | METH_KEYWORDS,
     "train(seqs, epochs=1) -> epochs x 3 uint64: each epoch's (beats, beats_right, bits_wrong), counted as it\n"
     "trains. seqs: a list of tunes, each beats x bits (±1 or 0/1, by sign; MelodyCode.encode gives them), every\n"
     "tune visited once an epoch in an order from the seed, teacher-forced, learning from the signed XOR error.\n"
     "Epochs continue across calls. The GIL is released; Ctrl-C stops it between tunes (what was learnt stays)."},
    {"evaluate", (PyCFunction)Engram_evaluate, METH_O,
     "evaluate(seq) -> amx_namespace(beats, tf_right, tf_bits_wrong, fr_right, fr_first_wrong, fr_bits_wrong): one\n"
     "tune without learning, teacher-forced (tf_) and free-running from its first beat (fr_)"},
    {"familiarity", (PyCFunction)Engram_familiarity, METH_O,
     "familiarity(seq) -> the prediction error of a tune, teacher-forced wrong bits / (beats x bits), in [0, 1]:\n"
     "low for a tune the network has learnt (am.roc takes minus it as a familiarity score)"},
    {"recall", (PyCFunction)(void (*)(void))Engram_recall, METH_VARARGS | METH_KEYWORDS,
     "recall(seq, cue, length=None) -> length x bits int8 (None: len(seq)): the first `cue` beats of seq given,\n"
     "then the network fed its own predictions"},
    {"predict", (PyCFunction)Engram_predict, METH_O,
     "predict(x) -> the predicted next beat (bits int8 ±1) after beat x, without learning; the context moves on"},
    {"reset", (PyCFunction)Engram_reset, METH_NOARGS, "reset(): the start of a tune (the context becomes 0)"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Engram_getset[] = {
    {"bits", (getter)Engram_get_bits, NULL, "bits per beat", NULL},
    {"hidden", (getter)Engram_get_hidden, NULL, "hidden units", NULL},
    {"rule", (getter)Engram_get_rule, NULL, "fixed, fa or backprop", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject EngramType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Engram",
    .tp_basicsize = sizeof(EngramObject),
    .tp_dealloc = (destructor)Engram_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Engram(bits, *, hidden=512, k=16, rule='fixed', context=True, decay=0.0, context_gain=1.0, lr=0.1,\n"
              "       lr_hidden=0.001, lr_backprop=0.1, seed=1, threads=1)\n"
              "The melody engram (am/engram.h): a recurrent network that predicts the next beat of `bits` bits from\n"
              "the current one and a context through a k-winners-take-all expansion of `hidden` units, learning\n"
              "from the signed XOR error between the beat that came and the one it predicted: rule 'fixed' (the\n"
              "read-out only: the perceptron rule, lr), 'fa' (the expansion too, by feedback alignment, lr_hidden),\n"
              "or 'backprop' (an Elman network of the same size trained by Adam, lr_backprop; no kWTA). context:\n"
              "the previous hidden code (decay 0) or a decaying trace of them (0 < decay < 1), weighted by\n"
              "context_gain. The results do not depend on threads.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Engram_init,
    .tp_repr = (reprfunc)Engram_repr,
    .tp_methods = Engram_methods,
    .tp_getset = Engram_getset,
};

/* ------------------------------------------------------------------------------------------------ */
/* The module */

static PyMethodDef legacy_functions[] = {
    {"read_abc", (PyCFunction)(void (*)(void))am_py_read_abc, METH_VARARGS | METH_KEYWORDS,
     "read_abc(path=None, *, text=None) -> [Melody]: every tune of an ABC file (or of the text), its first voice\n"
     "(am_abc_parse); a malformed tune is an am.Error naming the file, line and column. The GIL is released."},
    {"read_midi", (PyCFunction)(void (*)(void))am_py_read_midi, METH_VARARGS | METH_KEYWORDS,
     "read_midi(path, *, track=None, channel=None) -> Melody: a standard MIDI file (formats 0 and 1) as one line of\n"
     "melody, the highest sounding note (the skyline) of every track (or track, 0-based) and every channel but\n"
     "the percussion channel 10 (or channel, 1..16); malformed input is an am.Error naming the byte"},
    {"pitch_name", (PyCFunction)(void (*)(void))am_py_pitch_name, METH_VARARGS | METH_KEYWORDS,
     "pitch_name(pitch, flats=False) -> 'C4', 'F#5' ('Gb5' with flats=True), 'z' for am.REST (-1)"},
    {"roc", (PyCFunction)(void (*)(void))am_py_roc, METH_VARARGS | METH_KEYWORDS,
     "roc(familiar, novel) -> amx_namespace(auc, threshold, accuracy, tpr, fpr, dprime, points): the ROC analysis of\n"
     "two sets of familiarity scores (higher = more familiar; am_roc_compute): the exact AUC (Mann-Whitney, ties\n"
     "half), the threshold of best accuracy (familiar when score >= threshold) with its accuracy, hit and\n"
     "false-alarm rates, d'. NaN scores and empty sets are am.Error."},
    {"roc_curve", (PyCFunction)(void (*)(void))am_py_roc_curve, METH_VARARGS | METH_KEYWORDS,
     "roc_curve(familiar, novel) -> (fpr, tpr, thresholds): the ROC curve from (0, 0) (threshold inf) to (1, 1),\n"
     "one point per distinct score, high to low"},
    {"familiarity", (PyCFunction)(void (*)(void))am_py_familiarity, METH_VARARGS | METH_KEYWORDS,
     "familiarity(store, cues, *, score='energy', threads=0) -> float64 scores, one per cue (cues: n or B x n,\n"
     "by sign): 'energy' -E(s)/n (fixed-point stores), 'overlap' the best overlap with a stored pattern (every\n"
     "store). Higher is more familiar; the same numbers at any thread count; the GIL is released."},
    {"sequence_familiarity", (PyCFunction)(void (*)(void))am_py_sequence_familiarity, METH_VARARGS | METH_KEYWORDS,
     "sequence_familiarity(store, seqs, *, threads=0) -> float64, one per sequence: the mean overlap of one step\n"
     "of a sequence store from each element of a cue sequence (count x n, count >= 2) with the element that\n"
     "follows (am_familiarity_sequences)"},
    {"load", am_py_load, METH_O, "load(path) -> Store: any store file libam wrote"},
    {"patterns", (PyCFunction)(void (*)(void))am_py_patterns, METH_VARARGS | METH_KEYWORDS,
     "patterns(family, count, n=0, *, width=0, height=0, rng=None) -> count x n int8 ±1 patterns.\n"
     "family: 'random', 'biased:A', 'correlated:Q', 'letters' (A, B, C, ...), 'checkerboard', 'lshapes'; the\n"
     "last three are drawn on width x height (default: the square grid of n)."},
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
     "xor_trial(s1, s3, *, bg_rate=0, bg_weight=6, seed=1, readout_inputs=False) -> amx_namespace(counts, error_hz,\n"
     "bit): one 100 ms trial of the spiking XOR motif (roles in1 lat2 in3 lat4 xor5 hub6 F+ F-)"},
    {"graded_run", (PyCFunction)(void (*)(void))am_py_graded_run, METH_VARARGS | METH_KEYWORDS,
     "graded_run(w, u, *, beta=1, tau=1, dt=0.01, steps=100, gain='tanh', method='rk4') -> amx_namespace(u, v,\n"
     "energy): the graded-response Hopfield network tau du/dt = -u + W g(u) from u; energy at every step"},
    {"fashion", (PyCFunction)(void (*)(void))am_py_fashion, METH_VARARGS | METH_KEYWORDS,
     "fashion(split='train', dir=None) -> (x, labels): Fashion-MNIST, pixels in [0, 1]"},
    {"class_name", am_py_class_name, METH_O, "class_name(c) -> the Fashion-MNIST class name"},
    {"store_types", am_py_store_types, METH_NOARGS,
     "store_types() -> one dict per store type of libam's table, in its order: name, summary, sequence (a\n"
     "sequence store: Store.add takes cyclic=, Store.replay works), real (stores real vectors), serial (has\n"
     "async and Glauber dynamics), params: a list of {name, default, help, metavar}, the keywords Store() takes\n"
     "for the type (default as the text the library parses).\n"
     "    >>> [t['name'] for t in am.store_types() if t['sequence']]\n"
     "    ['seq-hebb', 'seq-dense', 'seq-mixed', 'seq-pinv', 'seq-modern']\n"
     "    >>> [(p['name'], p['default']) for p in am.store_types()[4]['params']]   # seq-dense\n"
     "    [('F', 'poly'), ('degree', '2')]"},
    {"seq_capacity", (PyCFunction)(void (*)(void))am_py_seq_capacity, METH_VARARGS | METH_KEYWORDS,
     "seq_capacity(n, *, F='poly', degree=2, p=None) -> amx_namespace(transition, sequence, log_transition,\n"
     "log_sequence, bit_error)\n"
     "The theory of Chaudhry et al. 2023 (am/theory.h) for one cyclic sequence of random +-1 patterns of n\n"
     "units (2 <= n <= 2**32) in the DenseNet S_i <- sgn sum_mu xi_i^(mu+1) f(sum_(j!=i) xi_j^mu S_j / (n-1)),\n"
     "the model of Store('seq-dense', F=F, degree=degree) (degree=1: seq-hebb without self-coupling):\n"
     "  transition   P_T, the longest sequence whose one transition is exact with probability -> 1:\n"
     "               n^d / (2 (2d-1)!! ln n) (poly), beta^(n-1) / (2 ln n) (exp, beta = e^2/cosh 2)\n"
     "  sequence     P_S, the longest whose every transition is exact: P_T / (d+1), beta^(n-1) / (2 n ln beta)\n"
     "  log_transition, log_sequence  their natural logs, finite where the values pass 1.8e308 (inf)\n"
     "  bit_error    with p (elements): the probability that one bit of one transition errs, Q(1/sqrt((p-1)\n"
     "               var chi)); (1 - bit_error)**n estimates the exact-transition rate (None without p)\n"
     "degree applies to F='poly' (1 .. 1000).\n"
     "    >>> t = am.seq_capacity(100, degree=2, p=200)\n"
     "    >>> round(t.transition, 1), round(t.sequence, 1)\n"
     "    (361.9, 120.6)\n"
     "    >>> am.seq_capacity(2000, F='exp').log_transition    # the value itself is inf\n"
     "    1346.598..."},
    {"theory", (PyCFunction)(void (*)(void))am_py_theory, METH_VARARGS | METH_KEYWORDS,
     "theory(what, *, n=, p=, alpha=): hebb_bit_error, hebb_fixed_prob, hebb_capacity, storkey_capacity,\n"
     "ags_overlap (alpha; 0 beyond alpha_c), ags_alpha_c -> (alpha_c, m at alpha_c); for the asymmetric Hebb\n"
     "chain (seq-hebb) under parallel dynamics: seq_hebb_alpha_c -> (0.269, m at alpha_c), seq_hebb_overlap\n"
     "(alpha; 0 beyond alpha_c). Sequence capacities: am.seq_capacity."},
    {NULL, NULL, 0, NULL},
};

/* The layers still here: their types and functions. */
int amx_init_legacy(PyObject *m)
{
    PyTypeObject *types[] = {&StoreType, &AEType, &PCAType, &SNNType, &MelodyType, &CodeType, &EngramType};
    const char *tnames[] = {"Store", "Autoencoder", "PCA", "SNN", "Melody", "MelodyCode", "Engram"};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (PyType_Ready(types[i]) < 0 || PyModule_AddObjectRef(m, tnames[i], (PyObject *)types[i]))
            return -1;
    if (PyModule_AddFunctions(m, legacy_functions) || PyModule_AddIntConstant(m, "REST", AM_REST) ||
        PyModule_AddIntConstant(m, "TPQ", AM_MELODY_TPQ))
        return -1;
    return 0;
}
