/* patterns.c — pattern sets (am.patterns, am.letters), corruption (flip, occlude), overlap, the Fashion-MNIST
 * data (fashion, class_name), and the conversions of +-1 arrays to and from libam pattern sets the other layers use. */
#include "ext.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

am_patterns *amx_patterns_from(PyObject *st)
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

PyObject *amx_patterns_out(const am_patterns *p)
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
    PyObject *a = rc ? amx_raise(rc, "am.patterns('%s', %llu, %llu)", fam, count.u, n.u) : amx_patterns_out(p);
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
    PyObject *a = rc ? amx_raise(rc, "am.letters('%s', %zu, %zu)", text, w, h) : amx_patterns_out(p);
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
    if (x0.u + bw.u > width.u || y0.u + bh.u > height.u) { /* each at most AMX_SSIZE_MAX: no overflow */
        int horiz = x0.u + bw.u > width.u;
        return amx_value_error("occlude: the block runs past the %llu x %llu grid: %s + %s = %llu > %s = %llu", width.u,
                               height.u, horiz ? "x0" : "y0", horiz ? "w" : "h", horiz ? x0.u + bw.u : y0.u + bh.u,
                               horiz ? "width" : "height", horiz ? width.u : height.u);
    }
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
/* Data and theory */

static PyObject *am_py_fashion(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"split", "dir", NULL};
    const char *split = "train";
    PyObject *diro = NULL, *dirb = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|sO:fashion", names, &split, &diro))
        return NULL;
    if (strcmp(split, "train") && strcmp(split, "test"))
        return amx_value_error("am.fashion: split = '%s': must be 'train' or 'test'", split);
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

/* A list of sequences (each count x n, taken by signs) as pattern sets: *out (count pointers, owned, free with
 * amx_pattern_sets_free). 0, or -1 with the error set naming what[k]. */
int amx_pattern_sets(PyObject *o, size_t n, am_patterns ***out, size_t *count, const char *what)
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
        ps[k] = st ? amx_patterns_from(st) : NULL; /* signals checked at each sequence: many small ones add up */
        Py_XDECREF(st);
        if (!ps[k])
            break;
    }
    Py_DECREF(seq);
    *out = ps, *count = (size_t)k;
    return k == len ? 0 : -1;
}

void amx_pattern_sets_free(am_patterns **ps, size_t count)
{
    for (size_t k = 0; ps && k < count; k++)
        am_patterns_free(ps[k]);
    free(ps);
}

static PyMethodDef patterns_functions[] = {
    {"patterns", (PyCFunction)(void (*)(void))am_py_patterns, METH_VARARGS | METH_KEYWORDS,
     "patterns(family, count, n=0, *, width=0, height=0, rng=None) -> count x n int8 ±1 patterns.\n"
     "family: 'random', 'biased:A', 'correlated:Q', 'letters' (A, B, C, ...), 'checkerboard', 'lshapes'; the\n"
     "last three are drawn on width x height (default: the square grid of n).\n\n"
     "    >>> p = am.patterns('random', 3, 100, rng=1)        # 3 x 100 int8\n"
     "    >>> print(am.show(am.patterns('lshapes', 2, width=8, height=8)[1]))"},
    {"letters", (PyCFunction)(void (*)(void))am_py_letters, METH_VARARGS | METH_KEYWORDS,
     "letters(text, width=5, height=7) -> len(text) x (width*height) int8: the letters of text in a 5x7 font\n\n"
     "    >>> L = am.letters('AM')                           # 2 x 35\n"
     "    >>> print(am.show(L[1], 5))"},
    {"flip", (PyCFunction)(void (*)(void))am_py_flip, METH_VARARGS | METH_KEYWORDS,
     "flip(state, k=None, frac=None, *, rng=None) -> a copy with exactly k (or round(frac n)) distinct units of\n"
     "each row flipped\n\n"
     "    >>> x = am.letters('A', 10, 10)[0]\n"
     "    >>> y = am.flip(x, k=10, rng=1); am.overlap(x, y)   # 0.8: 10 of 100 units flipped\n"
     "    >>> am.flip(am.letters('AB'), frac=0.1, rng=2).shape"},
    {"occlude", (PyCFunction)(void (*)(void))am_py_occlude, METH_VARARGS | METH_KEYWORDS,
     "occlude(state, width, height, x0, y0, w, h, fill=0, *, rng=None) -> a copy with the block [x0,x0+w) x\n"
     "[y0,y0+h) of the width x height grid set to fill (+1, -1, or 0: random); a block running past the grid is a\n"
     "ValueError\n\n"
     "    >>> x = am.letters('A', 10, 10)[0]\n"
     "    >>> print(am.show(am.occlude(x, 10, 10, 0, 0, 5, 10, fill=-1), 10))   # the left half blanked"},
    {"overlap", am_py_overlap, METH_VARARGS, "overlap(a, b) -> (1/n) sum_i a_i b_i\n\n"
     "    >>> a = am.patterns('random', 2, 1000, rng=1)\n"
     "    >>> am.overlap(a[0], a[0]), am.overlap(a[0], a[1])   # 1.0 and about 0"},
    {"fashion", (PyCFunction)(void (*)(void))am_py_fashion, METH_VARARGS | METH_KEYWORDS,
     "fashion(split='train', dir=None) -> (x, labels): Fashion-MNIST, pixels in [0, 1]\n\n"
     "    >>> x, labels = am.fashion('test')                 # data/fashion (make data): 10000 x 784\n"
     "    >>> x.shape, am.class_name(labels[0])"},
    {"class_name", am_py_class_name, METH_O, "class_name(c) -> the Fashion-MNIST class name\n\n"
     "    >>> [am.class_name(c) for c in range(10)]          # 'T-shirt/top', 'Trouser', ..."},
    {NULL, NULL, 0, NULL},
};

int amx_init_patterns(PyObject *m)
{
    return PyModule_AddFunctions(m, patterns_functions) ? -1 : 0;
}
