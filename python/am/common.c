/* common.c — what every layer of the extension shares (ext.h): am.Error and the other errors, arguments checked
 * against their ranges, long calls with the GIL released and signals answered, objects in use, paths, results. */
#include "ext.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

PyObject *amx_error;
unsigned long amx_main_thread;
static PyObject *simple_namespace; /* types.SimpleNamespace, for results with named fields */

/* ------------------------------------------------------------------------------------------------ */
/* Errors */

PyObject *amx_raise(int status, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (status == AM_ECANCELED && PyErr_Occurred())
        return NULL; /* stopped by an exception (KeyboardInterrupt, a monitor's): it passes on */
    /* Callers often build what from the library's own message (its errbuf, the file's strerror): the status's
     * text is appended only when what does not already say it (its part before " (": "checksum mismatch (the
     * record is damaged)" already says "checksum mismatch (file is corrupted)"). */
    const char *why = am_strerror(status), *paren = strstr(why, " (");
    char head[128];
    snprintf(head, sizeof head, "%.*s", paren ? (int)(paren - why) : (int)strlen(why), why);
    int said = head[0] && strstr(what, head);
    if (status == AM_ENOMEM)
        return said ? PyErr_Format(PyExc_MemoryError, "%s", what) : PyErr_Format(PyExc_MemoryError, "%s: %s", what, why);
    PyObject *msg = said ? PyUnicode_FromString(what) : PyUnicode_FromFormat("%s: %s", what, why);
    if (!msg)
        return NULL;
    PyObject *exc = PyObject_CallOneArg(amx_error, msg);
    Py_DECREF(msg);
    if (!exc)
        return NULL;
    PyObject *st = PyLong_FromLong(status), *en = PyLong_FromLong(am_status_errno(status));
    if (st && en && !PyObject_SetAttrString(exc, "status", st) && !PyObject_SetAttrString(exc, "errno", en))
        PyErr_SetObject(amx_error, exc);
    Py_XDECREF(st);
    Py_XDECREF(en);
    Py_DECREF(exc);
    return NULL;
}

/* exc(message from fmt, ap); NULL. */
static PyObject *raise_v(PyObject *exc, const char *suffix, const char *fmt, va_list ap)
{
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    PyErr_Format(exc, "%s%s", buf, suffix);
    return NULL;
}

PyObject *amx_no_memory(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    raise_v(PyExc_MemoryError, ": out of memory", fmt, ap);
    va_end(ap);
    return NULL;
}

PyObject *amx_value_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    raise_v(PyExc_ValueError, "", fmt, ap);
    va_end(ap);
    return NULL;
}

const char *amx_human_bytes(double bytes, char *buf, size_t size)
{
    static const char *unit[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
    int u = 0;
    while (bytes >= 1000 && u < 6)
        bytes /= 1000, u++;
    snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
    return buf;
}

/* This machine's memory in bytes (0: unknown). */
static double machine_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (double)pages * (double)size : 0.0;
}

/* Checked before anything is allocated: ValueError("<what> would take <size>, more than this machine's memory
 * (<size>)<hint>"), also for more than an index (Py_ssize_t) can count. */
int amx_fits_memory(double bytes, const char *hint, const char *fmt, ...)
{
    double mem = machine_memory();
    if (bytes <= (double)PY_SSIZE_T_MAX && (mem == 0 || bytes <= mem))
        return 0;
    char what[256], b1[32], b2[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    amx_value_error("%s would take %s, more than this machine's memory (%s)%s", what,
                    amx_human_bytes(bytes, b1, sizeof b1), mem > 0 ? amx_human_bytes(mem, b2, sizeof b2) : "unknown",
                    hint);
    return -1;
}

/* ------------------------------------------------------------------------------------------------ */
/* Arguments */

/* OverflowError for a value that does not fit 64 bits or is negative where lo >= 0, ValueError for one outside
 * [lo, hi] (below lo too); both name the argument and the range. */
int amx_int_from(PyObject *o, amx_int *a)
{
    PyObject *i = PyNumber_Index(o);
    if (!i) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "%s must be an int, not %.100s", a->name, Py_TYPE(o)->tp_name);
        }
        return -1;
    }
    int ovf, rc = 0;
    long long v = PyLong_AsLongLongAndOverflow(i, &ovf); /* -1: below LLONG_MIN, 1: above LLONG_MAX */
    unsigned long long u = (unsigned long long)v;
    if (ovf > 0 && (u = PyLong_AsUnsignedLongLong(i)) == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        ovf = 2; /* above 2^64 - 1 */
    }
    int negative = ovf < 0 || (!ovf && v < 0);
    if (ovf < 0 || ovf == 2 || (negative && a->lo >= 0))
        rc = -1, PyErr_Format(PyExc_OverflowError, "%s = %R is out of range (%lld .. %llu)", a->name, i, a->lo, a->hi);
    else if (negative ? v < a->lo : u > a->hi || (a->lo > 0 && u < (unsigned long long)a->lo))
        rc = -1, PyErr_Format(PyExc_ValueError, "%s = %R is out of range (%lld .. %llu)", a->name, i, a->lo, a->hi);
    else
        a->u = negative ? 0 : u, a->s = negative ? v : (long long)u;
    Py_DECREF(i);
    return rc;
}

int amx_int_conv(PyObject *o, void *a)
{
    return amx_int_from(o, a) ? 0 : 1;
}

/* ValueError("<name> = <v> must be <a's range>"); -1. */
static int real_range_error(const amx_real *a, double v)
{
    char range[96];
    if (a->lo == -DBL_MAX && a->hi == DBL_MAX)
        snprintf(range, sizeof range, "finite");
    else if (a->hi == DBL_MAX)
        snprintf(range, sizeof range, "finite and %s %g", a->open & AMX_OPEN_LO ? ">" : ">=", a->lo);
    else
        snprintf(range, sizeof range, "in %c%g, %g%c", a->open & AMX_OPEN_LO ? '(' : '[', a->lo, a->hi,
                 a->open & AMX_OPEN_HI ? ')' : ']');
    amx_value_error("%s = %g must be %s", a->name, v, range);
    return -1;
}

int amx_real_from(PyObject *o, amx_real *a)
{
    double v = PyFloat_AsDouble(o);
    if (v == -1.0 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "%s must be a real number, not %.100s", a->name, Py_TYPE(o)->tp_name);
        }
        return -1;
    }
    if (!(v >= a->lo && v <= a->hi) || (a->open & AMX_OPEN_LO && v == a->lo) || (a->open & AMX_OPEN_HI && v == a->hi))
        return real_range_error(a, v);
    a->v = v;
    return 0;
}

int amx_real_conv(PyObject *o, void *a)
{
    return amx_real_from(o, a) ? 0 : 1;
}

int amx_path(PyObject *o, PyObject **out)
{
    *out = NULL;
    return PyUnicode_FSConverter(o, out) ? 0 : -1;
}

PyObject *amx_save_with(int (*fn)(const void *obj, const char *path), const void *obj, PyObject *path,
                        const char *what)
{
    PyObject *p;
    if (amx_path(path, &p))
        return NULL;
    int rc = fn(obj, PyBytes_AS_STRING(p));
    PyObject *r = rc ? amx_raise(rc, "%s('%s')", what, PyBytes_AS_STRING(p)) : Py_NewRef(Py_None);
    Py_DECREF(p);
    return r;
}

int amx_load_with(int (*fn)(void **out, const char *path), void **out, PyObject *path, const char *what)
{
    PyObject *p;
    if (amx_path(path, &p))
        return -1;
    int rc = fn(out, PyBytes_AS_STRING(p));
    if (rc)
        amx_raise(rc, "%s('%s')", what, PyBytes_AS_STRING(p));
    Py_DECREF(p);
    return rc ? -1 : 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* Long calls: the GIL released, signals answered.
 *
 * amx_interrupt_begin installs interrupt_poll as the thread's cancel hook (am/cancel.h) and, if asked, releases
 * the GIL; the library's long loops poll it. In the calling thread, if it is the main thread (the only one Python
 * delivers signals to), a poll every POLL_SECONDS takes the GIL back for PyErr_CheckSignals, which runs the
 * Python signal handlers: when one raises (KeyboardInterrupt for Ctrl-C), every later poll, from any of the
 * library's threads, says stop, the call returns AM_ECANCELED and the exception passes on (amx_raise). A result
 * never depends on the hook: it only stops calls. Signal handlers run at these polls, so whatever a long call is
 * changing is marked (amx_use) against re-entry. */

#define POLL_SECONDS 0.05

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void amx_interrupt_stop(amx_interrupt *it)
{
    __atomic_store_n(&it->stop, 1, __ATOMIC_RELEASE);
}

static int interrupt_poll(void *ctx)
{
    amx_interrupt *it = ctx;
    if (__atomic_load_n(&it->stop, __ATOMIC_ACQUIRE))
        return 1;
    if (PyThread_get_thread_ident() != it->owner)
        return 0; /* one of the library's threads: the calling thread checks */
    double t = now_seconds();
    if (t < it->next)
        return 0;
    it->next = t + POLL_SECONDS;
    amx_interrupt_enter(it);
    int raised = PyErr_CheckSignals() < 0;
    amx_interrupt_leave(it);
    if (raised)
        amx_interrupt_stop(it);
    return raised;
}

void amx_interrupt_begin(amx_interrupt *it, int release_gil)
{
    *it = (amx_interrupt){.hook = {interrupt_poll, it}, .owner = PyThread_get_thread_ident()};
    it->next = it->owner == amx_main_thread ? now_seconds() + POLL_SECONDS : INFINITY;
    it->outer = am_cancel_swap(&it->hook);
    if (release_gil)
        it->ts = PyEval_SaveThread();
}

void amx_interrupt_end(amx_interrupt *it)
{
    if (it->ts) {
        PyEval_RestoreThread(it->ts);
        it->ts = NULL;
    }
    am_cancel_swap(it->outer);
}

/* The GIL back for a callback inside a long call, and released again after it. */
void amx_interrupt_enter(amx_interrupt *it)
{
    if (it->ts)
        PyEval_RestoreThread(it->ts);
}

void amx_interrupt_leave(amx_interrupt *it)
{
    if (it->ts)
        it->ts = PyEval_SaveThread();
}

/* ------------------------------------------------------------------------------------------------ */
/* Objects in use by long calls */

int amx_use_read(amx_use *u, const char *what)
{
    if (u->writer) {
        PyErr_Format(PyExc_RuntimeError, "%s: the object is being changed by another call (in another thread or a "
                     "callback)", what);
        return -1;
    }
    u->readers++;
    return 0;
}

int amx_use_write(amx_use *u, const char *what)
{
    if (u->writer || u->readers) {
        PyErr_Format(PyExc_RuntimeError, "%s: the object is in use by another call (in another thread or a "
                     "callback)", what);
        return -1;
    }
    u->writer = 1;
    return 0;
}

void amx_use_done(amx_use *u)
{
    if (u->writer)
        u->writer = 0;
    else
        u->readers--;
}

int amx_copy_check(size_t *done, size_t n)
{
    if ((*done += n) < ((size_t)1 << 20))
        return 0;
    *done = 0;
    return PyErr_CheckSignals();
}

void *amx_grow(void *p, size_t count, size_t size)
{
    size_t bytes;
    if (am_size_mul(count, size, &bytes))
        return NULL;
    return realloc(p, bytes ? bytes : 1);
}

int amx_add_type(PyObject *m, const char *name, PyTypeObject *t)
{
    return PyType_Ready(t) < 0 || PyModule_AddObjectRef(m, name, (PyObject *)t) ? -1 : 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* Results */

PyObject *amx_namespace(int count, ...)
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
            ns = PyObject_Call(simple_namespace, none, d);
        Py_XDECREF(none);
    }
    Py_XDECREF(d);
    return ns;
}

PyObject *amx_str(const char *s)
{
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* ------------------------------------------------------------------------------------------------ */
/* The module's shared state */

/* threading.main_thread().ident into amx_main_thread. */
static int find_main_thread(void)
{
    PyObject *threading = PyImport_ImportModule("threading"), *mt = NULL, *ident = NULL;
    if (threading && (mt = PyObject_CallMethod(threading, "main_thread", NULL)))
        ident = PyObject_GetAttrString(mt, "ident");
    Py_XDECREF(threading);
    Py_XDECREF(mt);
    if (!ident)
        return -1;
    amx_main_thread = PyLong_AsUnsignedLong(ident);
    Py_DECREF(ident);
    return PyErr_Occurred() ? -1 : 0;
}

/* module.attr as a new reference. */
static PyObject *import_attr(const char *module, const char *attr)
{
    PyObject *m = PyImport_ImportModule(module);
    if (!m)
        return NULL;
    PyObject *a = PyObject_GetAttrString(m, attr);
    Py_DECREF(m);
    return a;
}

/* am.have_numpy: whether numpy can be found (importlib.util.find_spec); numpy itself is imported by the first
 * array output (arrays.c), not by `import am`. */
static int add_have_numpy(PyObject *m)
{
    PyObject *find = import_attr("importlib.util", "find_spec");
    PyObject *spec = find ? PyObject_CallFunction(find, "s", "numpy") : NULL;
    Py_XDECREF(find);
    if (!spec)
        return -1;
    PyObject *have = PyBool_FromLong(spec != Py_None);
    Py_DECREF(spec);
    int rc = PyModule_AddObjectRef(m, "have_numpy", have);
    Py_DECREF(have);
    return rc;
}

int amx_init_common(PyObject *m)
{
    if (find_main_thread())
        return -1;
    if (!simple_namespace && !(simple_namespace = import_attr("types", "SimpleNamespace")))
        return -1;
    if (!amx_error &&
        !(amx_error = PyErr_NewExceptionWithDoc("am.Error",
                                                "A libam call failed: str(e) says what and why; e.status is the "
                                                "libam status (am/error.h), e.errno the system errno (0 if none).\n\n"
                                                "    >>> try:\n"
                                                "    ...     am.load('missing.am')\n"
                                                "    ... except am.Error as e:\n"
                                                "    ...     print(e.status, e.errno, e)   # status, ENOENT, why",
                                                NULL, NULL)))
        return -1;
    if (PyModule_AddObjectRef(m, "Error", amx_error) ||
        PyModule_AddStringConstant(m, "__version__", am_version()) ||
        PyModule_AddStringConstant(m, "commit", am_git_commit()))
        return -1;
    return add_have_numpy(m);
}
