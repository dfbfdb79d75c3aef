/* arrays.c — arrays in and out without numpy's headers (ext.h, "Arrays").
 *
 * In: anything with the buffer protocol (numpy arrays of any strides and byte order, memoryview, array.array,
 * bytearray) is read through it, its struct format parsed here; anything else goes through numpy.asarray when
 * numpy imports (lists, __array__, __array_interface__), else it must be a nested sequence of numbers (1-D or
 * 2-D, rectangular), read here. Values are converted element by element in C order, a block at a time (byte-
 * swapped, unaligned and float16 data through a small aligned buffer first), never through a temporary of the
 * whole array, the GIL held and signals checked every 2^20 elements.
 *
 * Out: numpy.zeros(shape, dtype) when numpy imports (imported once, on the first output), else a zero-filled
 * bytearray seen as memoryview(...).cast(format, shape). */
#include "ext.h"

#include <limits.h>
#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------------ */
/* numpy, when there is one */

static PyObject *numpy;  /* the module, once imported */
static int numpy_state;  /* 0: not tried yet, 1: imported, -1: not importable */

/* An ImportError says there is no numpy; anything else raised by the import (KeyboardInterrupt while numpy loads)
 * passes on, and the import is tried again next time. */
int amx_have_numpy(void)
{
    if (!numpy_state) {
        if ((numpy = PyImport_ImportModule("numpy")))
            numpy_state = 1;
        else if (PyErr_ExceptionMatches(PyExc_ImportError))
            PyErr_Clear(), numpy_state = -1;
        else
            return -1;
    }
    return numpy_state > 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* Outputs */

static const struct {
    char format[2];    /* the struct format of a memoryview output */
    const char *dtype; /* numpy's name */
    size_t size;
} out_types[] = {
    [AMX_I8] = {"b", "int8", 1},    [AMX_U8] = {"B", "uint8", 1},   [AMX_I32] = {"i", "int32", 4},
    [AMX_I64] = {"q", "int64", 8},  [AMX_F32] = {"f", "float32", 4}, [AMX_F64] = {"d", "float64", 8},
    [AMX_U32] = {"I", "uint32", 4}, [AMX_U64] = {"Q", "uint64", 8}, [AMX_BOOL] = {"?", "bool", 1},
};

/* A zero-filled memoryview of `bytes` bytes cast to t's format and shape. */
static PyObject *new_memoryview(amx_type t, PyObject *shape, size_t bytes)
{
    PyObject *ba = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)bytes), *mv = NULL, *r = NULL;
    if (!ba)
        return NULL;
    if (bytes)
        memset(PyByteArray_AS_STRING(ba), 0, bytes);
    if ((mv = PyMemoryView_FromObject(ba)))
        r = PyObject_CallMethod(mv, "cast", "sO", out_types[t].format, shape);
    Py_XDECREF(mv);
    Py_DECREF(ba);
    return r;
}

PyObject *amx_new(amx_type t, int nd, const Py_ssize_t *d, const char *what)
{
    size_t count = 1, bytes;
    char size[32];
    for (int i = 0; i < nd; i++)
        if (d[i] < 0 || am_size_mul(count, (size_t)d[i], &count))
            return PyErr_Format(PyExc_MemoryError, "%s: too many elements", what);
    if (am_size_mul(count, out_types[t].size, &bytes) || bytes > (size_t)PY_SSIZE_T_MAX)
        return PyErr_Format(PyExc_MemoryError, "%s: too many elements", what);
    PyObject *shape = PyTuple_New(nd), *r = NULL;
    for (int i = 0; shape && i < nd; i++) {
        PyObject *di = PyLong_FromSsize_t(d[i]);
        if (!di)
            Py_CLEAR(shape);
        else
            PyTuple_SET_ITEM(shape, i, di);
    }
    int have = shape ? amx_have_numpy() : -1;
    if (have > 0)
        r = PyObject_CallMethod(numpy, "zeros", "Os", shape, out_types[t].dtype);
    else if (!have)
        r = new_memoryview(t, shape, bytes);
    Py_XDECREF(shape);
    if (have < 0)
        return NULL;
    if (!r && PyErr_ExceptionMatches(PyExc_MemoryError)) {
        PyErr_Clear();
        return amx_no_memory("%s (%s)", what, amx_human_bytes((double)bytes, size, sizeof size));
    }
    return r;
}

PyObject *amx_new1(amx_type t, Py_ssize_t d0, const char *what)
{
    return amx_new(t, 1, &d0, what);
}

PyObject *amx_new2(amx_type t, Py_ssize_t d0, Py_ssize_t d1, const char *what)
{
    Py_ssize_t d[2] = {d0, d1};
    return amx_new(t, 2, d, what);
}

PyObject *amx_copy_out(amx_type t, const void *src, Py_ssize_t d0, Py_ssize_t d1, const char *what)
{
    Py_ssize_t d[2] = {d0, d1};
    PyObject *a = amx_new(t, d1 ? 2 : 1, d, what);
    size_t count = (size_t)d0 * (size_t)(d1 ? d1 : 1);
    if (a && count)
        memcpy(amx_data(a), src, count * out_types[t].size);
    return a;
}

/* ------------------------------------------------------------------------------------------------ */
/* Any array's data and shape: a memoryview's own buffer, else (numpy arrays) one through the buffer protocol,
 * read and released. */

typedef struct shape_of {
    void *buf;
    int ndim;
    Py_ssize_t shape[3];
} shape_of;

static shape_of shape_read(PyObject *a)
{
    shape_of s = {0};
    Py_buffer v, *pv = &v;
    if (PyMemoryView_Check(a))
        pv = PyMemoryView_GET_BUFFER(a);
    else if (PyObject_GetBuffer(a, &v, PyBUF_STRIDES)) {
        PyErr_Clear();
        return s;
    }
    s.buf = pv->buf, s.ndim = pv->ndim;
    for (int i = 0; i < pv->ndim && i < 3; i++)
        s.shape[i] = pv->shape[i];
    if (pv == &v)
        PyBuffer_Release(&v); /* the data lives as long as the array */
    return s;
}

void *amx_data(PyObject *a)
{
    return shape_read(a).buf;
}

int amx_ndim(PyObject *a)
{
    return shape_read(a).ndim;
}

Py_ssize_t amx_dim(PyObject *a, int i)
{
    shape_of s = shape_read(a);
    return i >= 0 && i < s.ndim && i < 3 ? s.shape[i] : 0;
}

Py_ssize_t amx_rows(PyObject *a)
{
    shape_of s = shape_read(a);
    return s.ndim == 2 ? s.shape[0] : 1;
}

Py_ssize_t amx_cols(PyObject *a)
{
    shape_of s = shape_read(a);
    return s.ndim >= 1 && s.ndim <= 3 ? s.shape[s.ndim - 1] : 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* Inputs: the source (a buffer's elements, or numbers read from nested sequences) */

typedef enum kind { K_BOOL, K_I8, K_U8, K_I16, K_U16, K_I32, K_U32, K_I64, K_U64, K_F16, K_F32, K_F64, K_LD } kind;

static const int kind_size[] = {1, 1, 1, 2, 2, 4, 4, 8, 8, 2, 4, 8, (int)sizeof(long double)};

typedef struct source {
    const char *buf;
    int ndim;
    Py_ssize_t rows, cols;       /* rows: 1 for a 1-D source */
    Py_ssize_t rstride, cstride; /* bytes */
    kind k;
    int swap;                    /* the bytes of each element are in the other order */
    Py_buffer view;              /* held while reading (view.obj NULL: none) */
    void *own;                   /* numbers read from sequences (PyMem) */
    PyObject *keep;              /* numpy.asarray's result */
} source;

static void source_close(source *s)
{
    if (s->view.obj)
        PyBuffer_Release(&s->view);
    PyMem_Free(s->own);
    Py_XDECREF(s->keep);
    memset(s, 0, sizeof *s);
}

/* TypeError("<what> must be an array of numbers, not <type>"); -1. */
static int not_numbers(PyObject *o, const char *what)
{
    PyErr_Format(PyExc_TypeError, "%s must be an array of numbers, not %.100s", what, Py_TYPE(o)->tp_name);
    return -1;
}

/* What a struct format that is not numbers holds, for the message. */
static const char *format_kind(const char *f)
{
    const char *c = f + strspn(f, "@=<>!0123456789");
    if (*c == 'Z')
        return "complex numbers";
    if (*c == 'O')
        return "Python objects";
    if (strchr("scpuwU", *c))
        return "text";
    return NULL;
}

/* A struct format of one element ('<f', '>i', '?', ...) as a kind; -1 with TypeError for anything else. */
static int parse_format(const char *f, Py_ssize_t itemsize, kind *k, int *swap, const char *what)
{
    static const char codes[] = "?bBhHiIqQefd";
    static const kind kinds[] = {K_BOOL, K_I8, K_U8, K_I16, K_U16, K_I32, K_U32, K_I64, K_U64, K_F16, K_F32, K_F64};
    const char *c = f ? f : "B";
    int native = 1, big = 0;
    if (*c && strchr("@=<>!", *c)) {
        native = *c == '@';
        big = *c == '>' || *c == '!' || (*c != '<' && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
        c++;
    } else {
        big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
    }
    const char *at = *c && c[1] == 0 ? strchr(codes, *c) : NULL;
    if (at)
        *k = kinds[at - codes];
    else if (*c && !c[1] && (*c == 'l' || *c == 'L'))
        *k = native && sizeof(long) == 8 ? (*c == 'l' ? K_I64 : K_U64) : (*c == 'l' ? K_I32 : K_U32);
    else if (*c && !c[1] && native && (*c == 'n' || *c == 'N'))
        *k = *c == 'n' ? K_I64 : K_U64;
    else if (*c == 'g' && !c[1] && native)
        *k = K_LD;
    else {
        const char *what_kind = format_kind(c);
        if (what_kind)
            PyErr_Format(PyExc_TypeError, "%s must be an array of booleans, integers or reals, not of %s", what,
                         what_kind);
        else
            PyErr_Format(PyExc_TypeError, "%s must be an array of booleans, integers or reals, not of the buffer "
                         "format '%.50s'", what, f);
        return -1;
    }
    if (kind_size[*k] != itemsize)
        return PyErr_Format(PyExc_TypeError, "%s: the buffer format '%.50s' has items of %zd bytes, not %d", what, f,
                            itemsize, kind_size[*k]), -1;
    *swap = kind_size[*k] > 1 && big != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
    return 0;
}

/* ValueError for the wrong number of dimensions; -1. */
static int dims_error(int nd, int mindim, int maxdim, const char *what)
{
    amx_value_error("%s must have %d%s dimension%s, not %d", what, mindim, mindim == maxdim ? "" : " or 2",
                    maxdim > 1 ? "s" : "", nd);
    return -1;
}

/* s from o's buffer (held in s->view). */
static int source_buffer(source *s, PyObject *o, int mindim, int maxdim, const char *what)
{
    if (PyObject_GetBuffer(o, &s->view, PyBUF_RECORDS_RO)) {
        if (!PyErr_ExceptionMatches(PyExc_BufferError) && !PyErr_ExceptionMatches(PyExc_ValueError) &&
            !PyErr_ExceptionMatches(PyExc_TypeError))
            return -1;
        PyErr_Clear();
        s->view.obj = NULL;
        return not_numbers(o, what);
    }
    Py_buffer *v = &s->view;
    if (parse_format(v->format, v->itemsize, &s->k, &s->swap, what))
        return -1;
    if (v->ndim < mindim || v->ndim > maxdim)
        return dims_error(v->ndim, mindim, maxdim, what);
    s->ndim = v->ndim, s->buf = v->buf;
    s->cols = v->shape[v->ndim - 1];
    s->rows = v->ndim == 2 ? v->shape[0] : 1;
    s->cstride = v->strides ? v->strides[v->ndim - 1] : v->itemsize;
    s->rstride = v->ndim == 2 ? (v->strides ? v->strides[0] : v->itemsize * s->cols) : 0;
    return 0;
}

/* One number of a sequence into *i (an int within int64) or *d (anything else): 1 for a real, 0 for an int, -1
 * with TypeError for what is no number. */
static int number_of(PyObject *x, int64_t *i, double *d, const char *what)
{
    if (PyFloat_Check(x)) {
        *d = PyFloat_AS_DOUBLE(x);
        return 1;
    }
    if (!PyLong_Check(x) && !PyIndex_Check(x))
        return PyErr_Format(PyExc_TypeError, "%s must be an array of booleans, integers or reals, not of %.100s",
                            what, Py_TYPE(x)->tp_name), -1;
    PyObject *n = PyNumber_Index(x);
    int ovf = 0;
    long long v = n ? PyLong_AsLongLongAndOverflow(n, &ovf) : -1;
    if (n && ovf)
        *d = PyLong_AsDouble(n);
    Py_XDECREF(n);
    if (!n || PyErr_Occurred())
        return -1;
    *i = v;
    return ovf ? 1 : 0;
}

/* Is x a row (a sequence that is not text)? */
static int is_row(PyObject *x)
{
    return PySequence_Check(x) && !PyUnicode_Check(x) && !PyBytes_Check(x) && !PyByteArray_Check(x);
}

/* The numbers of one row (a number for a 1-D source) into v (int64 in v->i unless *real); -1 with the error. */
static int row_numbers(PyObject *row, Py_ssize_t cols, int64_t *iv, double *dv, int *real, const char *what)
{
    PyObject *fast = PySequence_Fast(row, "");
    if (!fast)
        return not_numbers(row, what);
    int rc = PySequence_Fast_GET_SIZE(fast) == cols ? 0 : -2;
    for (Py_ssize_t j = 0; !rc && j < cols; j++) {
        PyObject *x = PySequence_Fast_GET_ITEM(fast, j);
        int r = is_row(x) ? -3 : number_of(x, &iv[j], &dv[j], what);
        if (r < 0)
            rc = r;
        else if (r) /* a real: the ints before it, and every one after, as reals too */
            *real = 1;
        else
            dv[j] = (double)iv[j];
    }
    Py_DECREF(fast);
    if (rc == -2)
        PyErr_Format(PyExc_TypeError, "%s must be a rectangular array of numbers (rows of %zd and %zd)", what, cols,
                     PySequence_Size(row));
    return rc;
}

/* s from nested sequences (no numpy): 1-D, or 2-D rows of one length; int64 when every number is an int, else
 * float64. */
static int source_sequence(source *s, PyObject *o, int mindim, int maxdim, const char *what)
{
    if (PyLong_Check(o) || PyFloat_Check(o))
        return dims_error(0, mindim, maxdim, what); /* a number: 0 dimensions (as numpy.asarray would have it) */
    if (!is_row(o))
        return not_numbers(o, what);
    Py_ssize_t len = PySequence_Size(o);
    if (len < 0)
        return -1;
    PyObject *first = len ? PySequence_GetItem(o, 0) : NULL;
    if (len && !first)
        return -1;
    int nd = first && is_row(first) ? 2 : 1;
    Py_ssize_t rows = nd == 2 ? len : 1, cols = nd == 2 ? PySequence_Size(first) : len;
    Py_XDECREF(first);
    if (cols < 0)
        return -1;
    if (nd < mindim || nd > maxdim)
        return dims_error(nd, mindim, maxdim, what);
    size_t count;
    if (am_size_mul((size_t)rows, (size_t)cols, &count) || count > (size_t)PY_SSIZE_T_MAX / 16 ||
        !(s->own = PyMem_Malloc(count ? 16 * count : 1)))
        return amx_no_memory("%s (%zd x %zd numbers)", what, rows, cols), -1;
    int64_t *iv = s->own;
    double *dv = (double *)(iv + count);
    int real = 0, rc = 0;
    for (Py_ssize_t r = 0; !rc && r < rows; r++) {
        PyObject *row = nd == 2 ? PySequence_GetItem(o, r) : Py_NewRef(o);
        rc = !row ? -1 : nd == 2 && !is_row(row) ? not_numbers(row, what)
                   : row_numbers(row, cols, iv + r * cols, dv + r * cols, &real, what);
        Py_XDECREF(row);
    }
    if (rc == -3)
        return dims_error(nd + 1, mindim, maxdim, what);
    if (rc)
        return -1;
    s->ndim = nd, s->rows = rows, s->cols = cols, s->k = real ? K_F64 : K_I64;
    s->buf = real ? (const char *)dv : (const char *)iv;
    s->cstride = 8, s->rstride = 8 * cols;
    return 0;
}

/* s from any input (see the file's comment). The last dimension must not be empty. */
static int source_open(source *s, PyObject *o, int mindim, int maxdim, const char *what)
{
    memset(s, 0, sizeof *s);
    int rc, have = 0;
    if (PyUnicode_Check(o) || PyBytes_Check(o))
        rc = not_numbers(o, what);
    else if (PyObject_CheckBuffer(o))
        rc = source_buffer(s, o, mindim, maxdim, what);
    else if ((have = amx_have_numpy()) < 0)
        rc = -1;
    else if (have) {
        s->keep = PyObject_CallMethod(numpy, "asarray", "O", o);
        if (!s->keep && (PyErr_ExceptionMatches(PyExc_ValueError) || PyErr_ExceptionMatches(PyExc_TypeError))) {
            PyErr_Clear();
            rc = not_numbers(o, what);
        } else {
            rc = s->keep ? source_buffer(s, s->keep, mindim, maxdim, what) : -1;
        }
    } else
        rc = source_sequence(s, o, mindim, maxdim, what);
    if (!rc && s->cols == 0)
        rc = -1, amx_value_error("%s is empty", what);
    if (rc)
        source_close(s);
    return rc;
}

/* ------------------------------------------------------------------------------------------------ */
/* Inputs: converting, a block at a time */

/* body for each of the count values v of type T at p, stride bytes apart (the contiguous loop apart: the compiler
 * vectorises it); i is the index. */
#define EACH(T, ...)                                                                                               \
    do {                                                                                                           \
        if (stride == (Py_ssize_t)sizeof(T))                                                                       \
            for (Py_ssize_t i = 0; i < count; i++) {                                                               \
                T v = ((const T *)p)[i];                                                                           \
                __VA_ARGS__;                                                                                       \
            }                                                                                                      \
        else                                                                                                       \
            for (Py_ssize_t i = 0; i < count; i++) {                                                               \
                T v = *(const T *)(p + i * stride);                                                                \
                __VA_ARGS__;                                                                                       \
            }                                                                                                      \
    } while (0)

/* INT for the integer kinds but uint64, U64 for it, REAL for the real ones (float16 is made float32 first). */
#define EVERY_KIND(INT, U64, REAL)                                                                                 \
    switch (k) {                                                                                                   \
    case K_BOOL: case K_U8: EACH(uint8_t, INT); break;                                                             \
    case K_I8: EACH(int8_t, INT); break;                                                                           \
    case K_I16: EACH(int16_t, INT); break;                                                                         \
    case K_U16: EACH(uint16_t, INT); break;                                                                        \
    case K_I32: EACH(int32_t, INT); break;                                                                         \
    case K_U32: EACH(uint32_t, INT); break;                                                                        \
    case K_I64: EACH(int64_t, INT); break;                                                                         \
    case K_U64: EACH(uint64_t, U64); break;                                                                        \
    case K_F32: case K_F16: EACH(float, REAL); break;                                                              \
    case K_F64: EACH(double, REAL); break;                                                                         \
    case K_LD: EACH(long double, REAL); break;                                                                     \
    }

#define IN_FLOAT(v) ((v) >= -FLT_MAX && (v) <= FLT_MAX)
#define IN_DOUBLE(v) ((v) >= -DBL_MAX && (v) <= DBL_MAX)
#define INT64_RANGE(v) ((v) >= -9223372036854775808.0 && (v) < 9223372036854775808.0)

/* A block converter: count values of kind k at p, stride bytes apart, into out (advanced by the caller); 1 when a
 * value is out of the target's range. */
typedef int (*block_fn)(const char *p, Py_ssize_t stride, Py_ssize_t count, kind k, void *out);

static int to_states(const char *p, Py_ssize_t stride, Py_ssize_t count, kind k, void *out)
{
    int8_t *s = out;
    int bad = 0;
    EVERY_KIND(s[i] = v > 0 ? 1 : -1, s[i] = v > 0 ? 1 : -1, s[i] = v > 0 ? 1 : -1; bad |= v != v)
    return bad;
}

static int to_floats(const char *p, Py_ssize_t stride, Py_ssize_t count, kind k, void *out)
{
    float *x = out;
    int bad = 0;
    if (!x) { /* read in place: only checked */
        if (k == K_F32)
            EACH(float, bad |= !IN_FLOAT(v));
        return bad;
    }
    EVERY_KIND(x[i] = (float)v, x[i] = (float)v, bad |= !IN_FLOAT(v); x[i] = bad ? 0.0f : (float)v)
    return bad;
}

static int to_doubles(const char *p, Py_ssize_t stride, Py_ssize_t count, kind k, void *out)
{
    double *y = out;
    int bad = 0;
    EVERY_KIND(y[i] = (double)v, y[i] = (double)v, bad |= !IN_DOUBLE(v); y[i] = bad ? 0.0 : (double)v)
    return bad;
}

static int to_int64s(const char *p, Py_ssize_t stride, Py_ssize_t count, kind k, void *out)
{
    int64_t *z = out;
    int bad = 0;
    EVERY_KIND(z[i] = (int64_t)v, bad |= v > (uint64_t)INT64_MAX; z[i] = (int64_t)(v & (uint64_t)INT64_MAX),
               double w = (double)v; int ok = INT64_RANGE(w) && w == floor(w); bad |= !ok; z[i] = ok ? (int64_t)w : 0)
    return bad;
}

/* IEEE half precision bits as a float. */
static float half_to_float(uint16_t h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 1024), e - 25);
    return h >> 15 ? -v : v;
}

#define BLOCK 1024 /* elements converted at a time */

/* count elements of s at p (cstride apart) copied into tmp native, aligned and (float16) as float32; *k2 the
 * kind there. */
static void normalise(const source *s, const char *p, Py_ssize_t count, unsigned char *tmp, kind *k2)
{
    int size = kind_size[s->k];
    for (Py_ssize_t i = 0; i < count; i++) {
        unsigned char e[sizeof(long double)];
        memcpy(e, p + i * s->cstride, (size_t)size);
        for (int a = 0, b = size - 1; s->swap && a < b; a++, b--) {
            unsigned char t = e[a];
            e[a] = e[b], e[b] = t;
        }
        if (s->k == K_F16) {
            uint16_t h;
            memcpy(&h, e, 2);
            ((float *)tmp)[i] = half_to_float(h);
        } else {
            memcpy(tmp + i * size, e, (size_t)size);
        }
    }
    *k2 = s->k == K_F16 ? K_F32 : s->k;
}

/* s's elements in C order through fn into out (outsize bytes each; NULL: only checked). 0, or -1 with
 * ValueError(bad) or a signal handler's exception. */
static int convert(const source *s, block_fn fn, size_t outsize, void *out, const char *bad, const char *what)
{
    _Alignas(16) unsigned char tmp[BLOCK * sizeof(long double)];
    int size = kind_size[s->k];
    int direct = !s->swap && s->k != K_F16 && s->cstride % size == 0;
    char *o = out;
    size_t done = 0;
    for (Py_ssize_t r = 0; r < s->rows; r++)
        for (Py_ssize_t j = 0; j < s->cols; j += BLOCK) {
            Py_ssize_t count = s->cols - j < BLOCK ? s->cols - j : BLOCK;
            const char *p = s->buf + r * s->rstride + j * s->cstride;
            kind k = s->k;
            int fail;
            if (direct && (uintptr_t)p % (uintptr_t)size == 0)
                fail = fn(p, s->cstride, count, k, o);
            else {
                normalise(s, p, count, tmp, &k);
                fail = fn((const char *)tmp, kind_size[k], count, k, o);
            }
            if (fail)
                return amx_value_error(bad, what), -1;
            if (o)
                o += (size_t)count * outsize;
            if (amx_copy_check(&done, (size_t)count))
                return -1;
        }
    return 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* Inputs: the four readers */

/* A new output of type t shaped like s, filled through fn; NULL with the error set. */
static PyObject *read_into(const source *s, amx_type t, block_fn fn, const char *bad, const char *what)
{
    PyObject *a = s->ndim == 2 ? amx_new2(t, s->rows, s->cols, what) : amx_new1(t, s->cols, what);
    if (a && convert(s, fn, out_types[t].size, amx_data(a), bad, what))
        Py_CLEAR(a);
    return a;
}

/* s opened from o with a last dimension of n (0: any); unit names the entries in the message. */
static int open_n(source *s, PyObject *o, size_t n, int mindim, int maxdim, const char *unit, const char *what)
{
    if (source_open(s, o, mindim, maxdim, what))
        return -1;
    if (n && (size_t)s->cols != n) {
        amx_value_error("%s has %zd %s, not %zu", what, s->cols, unit, n);
        source_close(s);
        return -1;
    }
    return 0;
}

PyObject *amx_states(PyObject *o, size_t n, int mindim, int maxdim, const char *what)
{
    source s;
    if (open_n(&s, o, n, mindim, maxdim, "units", what))
        return NULL;
    PyObject *a = read_into(&s, AMX_I8, to_states, "%s holds NaN", what);
    source_close(&s);
    return a;
}

static const char bad_floats[] = "%s holds NaN or infinity (or a value too large for float32)";

/* Is s float32 in native order, C-contiguous and aligned (readable as it is)? */
static int floats_in_place(const source *s)
{
    return s->k == K_F32 && !s->swap && s->cstride == 4 && (s->ndim == 1 || s->rstride == 4 * s->cols) &&
           (uintptr_t)s->buf % 4 == 0;
}

PyObject *amx_floats(PyObject *o, size_t n, int mindim, int maxdim, int copy, const char *what)
{
    source s;
    PyObject *a;
    if (open_n(&s, o, n, mindim, maxdim, "columns", what))
        return NULL;
    if (!copy && floats_in_place(&s))
        a = convert(&s, to_floats, 4, NULL, bad_floats, what) ? NULL : PyMemoryView_FromObject(s.view.obj);
    else
        a = read_into(&s, AMX_F32, to_floats, bad_floats, what);
    source_close(&s);
    return a;
}

int amx_floats_into(PyObject *o, size_t n, int mindim, int maxdim, float *(*alloc)(void *ctx, size_t rows), void *ctx,
                    const char *what)
{
    source s;
    if (open_n(&s, o, n, mindim, maxdim, "columns", what))
        return -1;
    float *out = alloc(ctx, (size_t)s.rows);
    int rc = !out ? -1 : convert(&s, to_floats, 4, out, bad_floats, what);
    source_close(&s);
    return rc;
}

PyObject *amx_doubles(PyObject *o, size_t n, int mindim, int maxdim, const char *what)
{
    source s;
    if (open_n(&s, o, n, mindim, maxdim, "columns", what))
        return NULL;
    PyObject *a = read_into(&s, AMX_F64, to_doubles, "%s holds NaN or infinity", what);
    source_close(&s);
    return a;
}

/* int64s of s (reals only when `reals`). */
static PyObject *read_int64s(PyObject *o, size_t n, int mindim, int maxdim, int reals, const char *what)
{
    source s;
    if (open_n(&s, o, n, mindim, maxdim, "columns", what))
        return NULL;
    PyObject *a = NULL;
    if (!reals && s.k >= K_F16)
        PyErr_Format(PyExc_TypeError, "%s must be an array of integers, not of reals", what);
    else
        a = read_into(&s, AMX_I64, to_int64s, "%s holds a value beyond int64 (-2^63 .. 2^63 - 1) or one that is not "
                      "an integer", what);
    source_close(&s);
    return a;
}

PyObject *amx_int64s(PyObject *o, size_t n, int mindim, int maxdim, const char *what)
{
    return read_int64s(o, n, mindim, maxdim, 1, what);
}

PyObject *amx_integers(PyObject *o, size_t n, int mindim, int maxdim, const char *what)
{
    return read_int64s(o, n, mindim, maxdim, 0, what);
}

static int to_reals(const char *p, Py_ssize_t stride, Py_ssize_t count, kind k, void *out)
{
    double *y = out;
    EVERY_KIND(y[i] = (double)v, y[i] = (double)v, y[i] = (double)v)
    return 0;
}

PyObject *amx_reals(PyObject *o, size_t n, int mindim, int maxdim, const char *what)
{
    source s;
    if (open_n(&s, o, n, mindim, maxdim, "columns", what))
        return NULL;
    PyObject *a = read_into(&s, AMX_F64, to_reals, "%s", what);
    source_close(&s);
    return a;
}
