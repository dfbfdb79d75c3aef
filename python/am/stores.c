/* stores.c — am.Store (every store type of libam: add, recall with monitors and recordings, energy, overlaps,
 * stability, weights, save; the sequence stores' replay, transitions, next), am.load, am.store_types. */
#include "ext.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------------ */
/* Store */


static void Store_dealloc(amx_store_object *self)
{
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    am_store_work_free(self->work);
    am_store_free(self->s);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int is_real(const amx_store_object *self) { return (am_store_type_flags(am_store_type_of(self->s)) & AM_STORE_REAL) != 0; }

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
int amx_store_config(am_store_config *c, const char *model, size_t n, PyObject *params, const char *who)
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

/* The model a call names: the keyword model=, else args[model_pos] (model_pos < 0: none), else "hopfield". */
static const char *call_model(PyObject *args, PyObject *kw, Py_ssize_t model_pos)
{
    PyObject *m = kw ? PyDict_GetItemString(kw, "model") : NULL;
    if (!m && model_pos >= 0 && args && PyTuple_Check(args) && PyTuple_GET_SIZE(args) > model_pos)
        m = PyTuple_GET_ITEM(args, model_pos);
    const char *s = m && PyUnicode_Check(m) ? PyUnicode_AsUTF8(m) : NULL;
    PyErr_Clear();
    return s ? s : "hopfield";
}

/* -1 with TypeError "who('dense'): 'degre' is not a parameter of who('dense') (its parameters: model, n, degree,
 * ...)" when key is neither one of the call's names nor a parameter of any store type. */
static int store_kw_unknown(const char *key, char *const *names, const char *model, const char *who)
{
    char list[1024];
    size_t len = 0, np = 0;
    for (char *const *nm = names; *nm && len < sizeof list; nm++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", *nm);
    const am_store_type *t = am_store_type_find(model);
    const am_store_param *p = t ? am_store_type_params(t, &np) : NULL;
    for (size_t k = 0; k < np && len < sizeof list; k++)
        len += (size_t)snprintf(list + len, sizeof list - len, ", %s", p[k].name);
    PyErr_Format(PyExc_TypeError, "%s('%s'): '%s' is not a parameter of %s('%s') (its parameters: %s)", who, model,
                 key, who, model, list);
    return -1;
}

/* Split keyword arguments into the store's parameters (params, new dict) and the rest (rest, new dict); a keyword
 * that is neither a store parameter nor one of names is a TypeError naming it and listing the valid ones. */
int amx_store_params(PyObject *args, PyObject *kw, char *const *names, Py_ssize_t model_pos, const char *who,
                     PyObject **params, PyObject **rest)
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
        int store = k && store_param_known(store_param_name(k, name, sizeof name)), mine = 0;
        for (char *const *nm = names; k && !store && *nm && !mine; nm++)
            mine = !strcmp(*nm, k);
        if (k && !store && !mine)
            return store_kw_unknown(k, names, call_model(args, kw, model_pos), who);
        if (PyDict_SetItem(store ? *params : *rest, key, val))
            return -1;
    }
    return 0;
}

static int Store_init(amx_store_object *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"model", "n", NULL};
    const char *model = "hopfield";
    amx_int n = AMX_INT("n", 1, AM_MAX_UNITS, 0);
    PyObject *params = NULL, *rest = NULL;
    am_store_config c;
    int rc = -1;
    if (self->s)
        return amx_value_error("a Store is initialised once"), -1;
    if (!amx_store_params(args, kw, names, 0, "Store", &params, &rest) &&
        PyArg_ParseTupleAndKeywords(args, rest, "|sO&:Store", names, &model, amx_int_conv, &n) &&
        (n.u || (PyErr_Format(PyExc_TypeError, "Store('%s'): n (the number of units) is required", model), 0)) &&
        !amx_store_config(&c, model, (size_t)n.u, params, "Store")) {
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

static PyObject *Store_repr(amx_store_object *self)
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

static int is_sequence(const amx_store_object *self)
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
int amx_sequence_ready(const amx_store_object *self, const char *what)
{
    if (is_sequence(self))
        return 0;
    amx_value_error("%s: a %s store is not a sequence store (%s)", what, am_store_type_name(am_store_type_of(self->s)),
                sequence_types());
    return -1;
}

/* Learning runs with the GIL released and the store marked as written: an interrupted Storkey rule keeps the
 * patterns it learned (am_hopfield_store). On a sequence store the rows are one sequence (am_sequence_add). */
static PyObject *Store_add(amx_store_object *self, PyObject *args, PyObject *kw)
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
    if (!amx_rows(x)) {
        Py_DECREF(x);
        return amx_value_error("Store.add: patterns has no rows (%s)", seq ? "a sequence needs at least one pattern"
                               : "nothing to store: give at least one pattern");
    }
    if (!is_real(self) && !(p = amx_patterns_from(x))) {
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

static PyObject *Store_get_patterns(amx_store_object *self, void *unused)
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
    return amx_patterns_out(am_store_patterns(self->s));
}

static PyObject *Store_get_n(amx_store_object *self, void *u) { (void)u; STORE_READY(self); return PyLong_FromSize_t(am_store_n(self->s)); }
static PyObject *Store_get_count(amx_store_object *self, void *u) { (void)u; STORE_READY(self); return PyLong_FromSize_t(am_store_count(self->s)); }
static PyObject *Store_get_model(amx_store_object *self, void *u) { (void)u; STORE_READY(self); return PyUnicode_FromString(am_store_type_name(am_store_type_of(self->s))); }

static Py_ssize_t Store_len(amx_store_object *self) { return self->s ? (Py_ssize_t)am_store_count(self->s) : 0; }

/* Per-state energies of a 1-D (a float) or 2-D (an array) state argument. */
static PyObject *Store_energy(amx_store_object *self, PyObject *arg)
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

static PyObject *Store_overlaps(amx_store_object *self, PyObject *arg)
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

static PyObject *Store_stability(amx_store_object *self, PyObject *unused)
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

static PyObject *Store_weights(amx_store_object *self, PyObject *unused)
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

static PyObject *Store_save(amx_store_object *self, PyObject *arg)
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
    amx_store_object *o = (amx_store_object *)amx_store_type.tp_alloc(&amx_store_type, 0);
    if (!o) {
        am_store_free(s);
        return NULL;
    }
    o->s = s;
    return (PyObject *)o;
}

/* The store's workspace for a reader, created on first use: NULL when another reader has it (the library then
 * allocates scratch for the call). 0, or -1 with the exception set. */
static int reader_work(amx_store_object *self, am_store_work **work, const char *what)
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

/* Room for cap frames (the arrays grown to it); 0, or -1 when out of memory. */
static int recorder_reserve(recorder *r, size_t cap)
{
    void *a = amx_grow(r->states, cap * r->n, r->real ? sizeof(float) : 1);
    if (a)
        r->states = a;
    double *b = amx_grow(r->energy, cap, sizeof(double));
    if (b)
        r->energy = b;
    double *c = amx_grow(r->overlaps, cap * (r->cnt ? r->cnt : 1), sizeof(double));
    if (c)
        r->overlaps = c;
    uint64_t *d = amx_grow(r->sweep, cap, sizeof(uint64_t));
    if (d)
        r->sweep = d;
    uint64_t *u = amx_grow(r->updates, cap, sizeof(uint64_t));
    if (u)
        r->updates = u;
    int64_t *un = amx_grow(r->unit, cap, sizeof(int64_t));
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

int amx_parse_dynamics(const char *dyn, const char *order, am_recall_opts *o)
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
static int recall_row(amx_store_object *self, void *st, Py_ssize_t r, const am_recall_opts *o, am_rng *rng,
                      am_store_work *work, am_recall_info *info)
{
    size_t n = am_store_n(self->s);
    return is_real(self) ? am_store_recall_real(self->s, (float *)st + r * n, o, rng, work, info)
                           : am_store_recall(self->s, (int8_t *)st + r * n, o, rng, work, info);
}

/* B x n cues one after another, the GIL released: (states, namespace of per-cue arrays). Steals st. */
static PyObject *recall_batch(amx_store_object *self, PyObject *st, const am_recall_opts *o, am_rng *rng,
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
static PyObject *recall_one(amx_store_object *self, PyObject *st, am_recall_opts *o, am_rng *rng,
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

static PyObject *Store_recall(amx_store_object *self, PyObject *args, PyObject *kw)
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
    if (amx_parse_dynamics(dyn ? dyn : "async", order ? order : "random", &o))
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
static PyObject *Store_replay(amx_store_object *self, PyObject *args, PyObject *kw)
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
        amx_sequence_ready(self, "Store.replay"))
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
static PyObject *Store_transitions(amx_store_object *self, PyObject *unused)
{
    (void)unused;
    am_store_work *work;
    STORE_READY(self);
    if (amx_sequence_ready(self, "Store.transitions"))
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

static PyObject *Store_next(amx_store_object *self, PyObject *arg)
{
    STORE_READY(self);
    if (amx_sequence_ready(self, "Store.next"))
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

static PyObject *Store_get_sequences(amx_store_object *self, void *unused)
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
     "(KeyboardInterrupt); a monitor's exception stops it too and passes on.\n\n"
     "    >>> state, info = s.recall(am.flip(pats[1], frac=0.1, rng=2), dynamics='sync', record=True)\n"
     "    >>> info.steps, am.overlap(state, pats[1])          # B recalled\n\n"
     "    >>> state, info = s.recall(am.flip(pats[1], frac=0.1, rng=2), dynamics='sync', record=True)\n"
     "    >>> info.steps, am.overlap(state, pats[1])          # B recalled\n\n"
     "    >>> state, info = s.recall(am.flip(pats[1], frac=0.1, rng=2), dynamics='sync', record=True)\n"
     "    >>> info.steps, am.overlap(state, pats[1])          # B recalled"},
    {"energy", (PyCFunction)Store_energy, METH_O, "energy(state) -> float (or an array for B x n states)\n\n"
     "    >>> s.energy(pats[0]) < s.energy(am.flip(pats[0], k=20, rng=1))   # True: a stored pattern lies lower\n\n"
     "    >>> s.energy(pats[0]) < s.energy(am.flip(pats[0], k=20, rng=1))   # True: a stored pattern lies lower\n\n"
     "    >>> s.energy(pats[0]) < s.energy(am.flip(pats[0], k=20, rng=1))   # True: a stored pattern lies lower"},
    {"overlaps", (PyCFunction)Store_overlaps, METH_O,
     "overlaps(state) -> m, m[mu] = (1/n) sum_i xi^mu_i s_i with every stored pattern\n\n"
     "    >>> s.overlaps(pats[0])                           # [1.0, overlap of A with B]\n\n"
     "    >>> s.overlaps(pats[0])                           # [1.0, overlap of A with B]\n\n"
     "    >>> s.overlaps(pats[0])                           # [1.0, overlap of A with B]"},
    {"stability", (PyCFunction)Store_stability, METH_NOARGS,
     "stability() -> for each stored pattern, the units one update would flip (0: a fixed point)\n\n"
     "    >>> s.stability()                                  # [0, 0]: A and B are fixed points\n\n"
     "    >>> s.stability()                                  # [0, 0]: A and B are fixed points\n\n"
     "    >>> s.stability()                                  # [0, 0]: A and B are fixed points"},
    {"weights", (PyCFunction)Store_weights, METH_NOARGS, "weights() -> the n x n weight matrix (hopfield stores)\n\n"
     "    >>> w = s.weights(); w.shape, (w == w.T).all()       # (100, 100), True\n\n"
     "    >>> w = s.weights(); w.shape, (w == w.T).all()       # (100, 100), True\n\n"
     "    >>> w = s.weights(); w.shape, (w == w.T).all()       # (100, 100), True"},
    {"save", (PyCFunction)Store_save, METH_O, "save(path): write the store in libam's format (am.load reads it)\n\n"
     "    >>> s.save('ab.am'); am.load('ab.am').recall(pats[0])[0].tolist() == pats[0].tolist()\n\n"
     "    >>> s.save('ab.am'); am.load('ab.am').recall(pats[0])[0].tolist() == pats[0].tolist()\n\n"
     "    >>> s.save('ab.am'); am.load('ab.am').recall(pats[0])[0].tolist() == pats[0].tolist()"},
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

PyTypeObject amx_store_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Store",
    .tp_basicsize = sizeof(amx_store_object),
    .tp_dealloc = (destructor)Store_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Store(model='hopfield', n, rule='hebb' | F='poly', degree=3 | beta=1.0 | lambda=0.0, tau=5)\n"
              "An associative memory of n units: the classical Hopfield network (rule: hebb, storkey, pinv), the\n"
              "dense associative memory (F: poly, rectpoly, exp; degree), the modern continuous store (beta), or a\n"
              "sequence store: seq-hebb (lambda), seq-dense (F: poly, exp; degree), seq-mixed (F, degree, lambda,\n"
              "tau), seq-pinv, seq-modern (beta). am.store_types() lists every type with its parameters and their\n"
              "defaults (which differ by type); `lambda` is a Python keyword: pass it as **{'lambda': 2.5}. Options\n"
              "of another model are rejected.\n\n"
              "    >>> pats = am.letters('AB', 10, 10)\n"
              "    >>> s = am.Store('hopfield', n=100); s.add(pats)\n"
              "    >>> state, info = s.recall(am.flip(pats[0], k=10, rng=1))   # info.steps, info.energy, ...\n"
              "    >>> am.overlap(state, pats[0])                     # 1.0: A recalled",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Store_init,
    .tp_repr = (reprfunc)Store_repr,
    .tp_methods = Store_methods,
    .tp_getset = Store_getset,
    .tp_as_sequence = &Store_seq,
    .tp_weaklistoffset = offsetof(amx_store_object, weakrefs),
};


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

/* The Store of a familiarity call, ready and marked as read (amx_use_done after). NULL with the error set. */
amx_store_object *amx_store_arg(PyObject *o, const char *what)
{
    if (!PyObject_TypeCheck(o, &amx_store_type))
        return PyErr_Format(PyExc_TypeError, "%s: store must be an am.Store, not %.100s", what, Py_TYPE(o)->tp_name),
               NULL;
    amx_store_object *s = (amx_store_object *)o;
    STORE_READY(s);
    return amx_use_read(&s->use, what) ? NULL : s;
}

static PyMethodDef stores_functions[] = {
    {"load", am_py_load, METH_O, "load(path) -> Store: any store file libam wrote\n\n"
     "    >>> s = am.Store('dense', n=64, degree=3); s.add(am.patterns('random', 5, 64, rng=1)); s.save('s.am')\n"
     "    >>> t = am.load('s.am')                           # the same store: t.weights() == s.weights()"},
    {"store_types", am_py_store_types, METH_NOARGS,
     "store_types() -> one dict per store type of libam's table, in its order: name, summary, sequence (a\n"
     "sequence store: Store.add takes cyclic=, Store.replay works), real (stores real vectors), serial (has\n"
     "async and Glauber dynamics), params: a list of {name, default, help, metavar}, the keywords Store() takes\n"
     "for the type (default as the text the library parses).\n"
     "    >>> [t['name'] for t in am.store_types() if t['sequence']]\n"
     "    ['seq-hebb', 'seq-dense', 'seq-mixed', 'seq-pinv', 'seq-modern']\n"
     "    >>> [(p['name'], p['default']) for p in am.store_types()[4]['params']]   # seq-dense\n"
     "    [('F', 'poly'), ('degree', '2')]"},
    {NULL, NULL, 0, NULL},
};

int amx_init_stores(PyObject *m)
{
    return amx_add_type(m, "Store", &amx_store_type) ||
           PyModule_AddFunctions(m, stores_functions) ? -1 : 0;
}
