/* words.c — the word layer from Python: the spelling encoder (am/words.h), the lexicon and its clean-up
 * (am/lexicon.h), word list files, and WordNet (Debian's wordnet-base). */
#include "ext.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "am/lexicon.h"
#include "am/words.h"

#define WORDS_RULE "1 .. 64 characters of a-z, 0-9, space, '-' and ''' with a letter or digit, upper case allowed"

/* ------------------------------------------------------------------------------------------------ */
/* Words in */

/* ValueError("<what> = <repr of o, cut at 80 characters> is not a word (...)"); NULL. */
static void *not_a_word(PyObject *o, const char *what, const char *why)
{
    PyObject *r = PyObject_Repr(o), *cut = NULL;
    if (r && PyUnicode_GET_LENGTH(r) > 80) {
        PyObject *head = PyUnicode_Substring(r, 0, 77);
        cut = head ? PyUnicode_FromFormat("%U...", head) : NULL;
        Py_XDECREF(head);
    } else {
        cut = Py_XNewRef(r);
    }
    Py_XDECREF(r);
    if (cut)
        PyErr_Format(PyExc_ValueError, "%s = %U %s", what, cut, why);
    Py_XDECREF(cut);
    return NULL;
}

/* The UTF-8 text of word o (a str), checked against the encoder's alphabet; what names it ("words[3]"). */
static const char *word_text(PyObject *o, const char *what)
{
    if (!PyUnicode_Check(o))
        return PyErr_Format(PyExc_TypeError, "%s must be a str, not %.80s", what, Py_TYPE(o)->tp_name), NULL;
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(o, &len);
    if (!s)
        PyErr_Clear();
    if (!s || (size_t)len != strlen(s) || !am_word_valid(s))
        return not_a_word(o, what, "is not a word (" WORDS_RULE ")");
    return s;
}

/* words: a str (*single = 1) or a sequence of str (not bytes). *tuple holds the words while *text (PyMem, n
 * pointers into them) is in use, also with the GIL released (a tuple cannot change). */
typedef struct words_in {
    PyObject *tuple;
    const char **text;
    size_t n;
    int single;
} words_in;

static void words_in_done(words_in *w)
{
    Py_CLEAR(w->tuple);
    PyMem_Free(w->text);
    w->text = NULL;
}

static int words_in_get(PyObject *o, const char *what, words_in *w)
{
    *w = (words_in){0};
    if (PyUnicode_Check(o)) {
        w->single = 1;
        w->tuple = PyTuple_Pack(1, o);
    } else if (PyBytes_Check(o) || PyByteArray_Check(o) || !PySequence_Check(o)) {
        return PyErr_Format(PyExc_TypeError, "%s must be a str or a list of str, not %.80s", what, Py_TYPE(o)->tp_name), -1;
    } else {
        w->tuple = PySequence_Tuple(o);
    }
    if (!w->tuple)
        return -1;
    w->n = (size_t)PyTuple_GET_SIZE(w->tuple);
    if (!(w->text = PyMem_Calloc(w->n ? w->n : 1, sizeof *w->text))) {
        words_in_done(w);
        return PyErr_NoMemory(), -1;
    }
    for (size_t i = 0; i < w->n; i++) {
        char name[96];
        if (w->single)
            snprintf(name, sizeof name, "%s", what);
        else
            snprintf(name, sizeof name, "%s[%zu]", what, i);
        if (!(w->text[i] = word_text(PyTuple_GET_ITEM(w->tuple, i), name))) {
            words_in_done(w);
            return -1;
        }
    }
    return 0;
}

/* A list of str from n C strings. */
static PyObject *str_list(char *const *words, size_t n)
{
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; l && i < n; i++) {
        PyObject *s = PyUnicode_DecodeUTF8(words[i], (Py_ssize_t)strlen(words[i]), "replace");
        if (!s)
            Py_CLEAR(l);
        else
            PyList_SET_ITEM(l, (Py_ssize_t)i, s);
    }
    return l;
}

static PyObject *am_py_word_valid(PyObject *mod, PyObject *o)
{
    (void)mod;
    if (!PyUnicode_Check(o))
        return PyErr_Format(PyExc_TypeError, "word_valid: word must be a str, not %.80s", Py_TYPE(o)->tp_name);
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(o, &len);
    if (!s) {
        PyErr_Clear();
        Py_RETURN_FALSE;
    }
    return PyBool_FromLong((size_t)len == strlen(s) && am_word_valid(s));
}

/* ------------------------------------------------------------------------------------------------ */
/* WordEncoder */

typedef struct {
    PyObject_HEAD am_word_encoder *e;
    unsigned long long seed;
} EncoderObject;

static PyTypeObject EncoderType;

static void Encoder_dealloc(EncoderObject *self)
{
    am_word_encoder_free(self->e);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Encoder_init(EncoderObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"dim", "seed", NULL};
    amx_int dim = AMX_INT("dim", 16, (size_t)1 << 20, 0), seed = AMX_INT("seed", 0, UINT64_MAX, 0);
    if (self->e)
        return amx_value_error("a WordEncoder is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|O&:WordEncoder", names, amx_int_conv, &dim, amx_int_conv, &seed))
        return -1;
    int rc = am_word_encoder_create(&self->e, (size_t)dim.u, seed.u);
    if (rc)
        return amx_raise(rc, "WordEncoder(dim=%llu, seed=%llu)", dim.u, seed.u), -1;
    self->seed = seed.u;
    return 0;
}

#define ENCODER_READY(self)                                                                                        \
    do {                                                                                                           \
        if (!(self)->e) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the WordEncoder was not initialised");                            \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static PyObject *Encoder_encode(EncoderObject *self, PyObject *arg)
{
    ENCODER_READY(self);
    words_in w;
    if (words_in_get(arg, "WordEncoder.encode: words", &w))
        return NULL;
    size_t d = am_word_encoder_dim(self->e);
    PyObject *out = w.single ? amx_new1(AMX_F32, (Py_ssize_t)d, "WordEncoder.encode")
                             : amx_new2(AMX_F32, (Py_ssize_t)w.n, (Py_ssize_t)d, "WordEncoder.encode");
    int rc = 0;
    if (out && w.n) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_word_encode_many(self->e, w.text, w.n, amx_data(out));
        amx_interrupt_end(&it);
    }
    words_in_done(&w);
    if (out && rc) {
        Py_CLEAR(out);
        amx_raise(rc, "WordEncoder.encode: %zu words", w.n);
    }
    return out;
}

static PyObject *Encoder_get_dim(EncoderObject *self, void *u)
{
    (void)u;
    ENCODER_READY(self);
    return PyLong_FromSize_t(am_word_encoder_dim(self->e));
}

static PyObject *Encoder_get_seed(EncoderObject *self, void *u)
{
    (void)u;
    ENCODER_READY(self);
    return PyLong_FromUnsignedLongLong(self->seed);
}

static PyObject *Encoder_repr(EncoderObject *self)
{
    if (!self->e)
        return PyUnicode_FromString("am.WordEncoder(<not initialised>)");
    return PyUnicode_FromFormat("am.WordEncoder(dim=%zu, seed=%llu)", am_word_encoder_dim(self->e), self->seed);
}

static PyMethodDef Encoder_methods[] = {
    {"encode", (PyCFunction)Encoder_encode, METH_O,
     "encode(words) -> float32: the unit-length code of a word (dim), or of each word of a list (len x dim).\n"
     "A word is " WORDS_RULE ".\n\n"
     "    >>> e = am.WordEncoder(1024, seed=1)\n"
     "    >>> a, b = e.encode(['sneaker', 'sneakers']); float(a @ b)     # about 0.8"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Encoder_getset[] = {
    {"dim", (getter)Encoder_get_dim, NULL, "code dimension", NULL},
    {"seed", (getter)Encoder_get_seed, NULL, "the seed the symbol vectors and permutation are drawn from", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject EncoderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.WordEncoder",
    .tp_basicsize = sizeof(EncoderObject),
    .tp_dealloc = (destructor)Encoder_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "WordEncoder(dim, seed=0)\n"
              "The spelling encoder (am/words.h): a word is the normalised sum of its character trigrams (of\n"
              "'#word#', case folded), each a circular convolution of random symbol vectors with a permutation for\n"
              "order; words sharing trigrams have codes near each other. dim 16 .. 2**20; the same (dim, seed)\n"
              "gives the same bits.\n\n"
              "    >>> e = am.WordEncoder(1024, seed=1)\n"
              "    >>> e.encode('dog') @ e.encode('god')          # about 0: order matters",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Encoder_init,
    .tp_repr = (reprfunc)Encoder_repr,
    .tp_methods = Encoder_methods,
    .tp_getset = Encoder_getset,
};

/* ------------------------------------------------------------------------------------------------ */
/* Lexicon */

typedef struct {
    PyObject_HEAD am_lexicon *l;
    PyObject *encoder;
} LexiconObject;

static PyTypeObject LexiconType;

static void Lexicon_dealloc(LexiconObject *self)
{
    am_lexicon_free(self->l);
    Py_XDECREF(self->encoder);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Words sorted ignoring case, ties by position: a repeat sits right after the word it repeats. */
typedef struct {
    const char *s;
    size_t i;
} word_at;

static int word_at_cmp(const void *a, const void *b)
{
    const word_at *x = a, *y = b;
    int c = strcasecmp(x->s, y->s);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* ValueError naming the first word (by position) that repeats an earlier one, ignoring case, else 0. */
static int lexicon_duplicates(const words_in *w)
{
    word_at *a = PyMem_Malloc((w->n ? w->n : 1) * sizeof *a);
    if (!a)
        return PyErr_NoMemory(), -1;
    for (size_t i = 0; i < w->n; i++)
        a[i] = (word_at){w->text[i], i};
    qsort(a, w->n, sizeof *a, word_at_cmp);
    size_t rep = SIZE_MAX, first = 0, group = 0;
    for (size_t k = 1; k < w->n; k++) {
        if (strcasecmp(a[k].s, a[k - 1].s))
            group = k;
        else if (a[k].i < rep)
            rep = a[k].i, first = a[group].i;
    }
    PyMem_Free(a);
    if (rep == SIZE_MAX)
        return 0;
    PyErr_Format(PyExc_ValueError, "Lexicon: words[%zu] = '%s' repeats words[%zu] = '%s' (case is ignored)", rep,
                 w->text[rep], first, w->text[first]);
    return -1;
}

static int Lexicon_init(LexiconObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"encoder", "words", NULL};
    PyObject *eo, *wo;
    if (self->l)
        return amx_value_error("a Lexicon is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!O:Lexicon", names, &EncoderType, &eo, &wo))
        return -1;
    EncoderObject *e = (EncoderObject *)eo;
    if (!e->e)
        return PyErr_SetString(PyExc_RuntimeError, "Lexicon: the WordEncoder was not initialised"), -1;
    words_in w;
    if (words_in_get(wo, "Lexicon: words", &w))
        return -1;
    if (w.single || !w.n || lexicon_duplicates(&w)) {
        if (!PyErr_Occurred())
            amx_value_error("Lexicon: words must be a non-empty list of words, not %s", w.single ? "one str" : "empty");
        words_in_done(&w);
        return -1;
    }
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_lexicon_create(&self->l, e->e, w.text, w.n);
    amx_interrupt_end(&it);
    words_in_done(&w);
    if (rc)
        return amx_raise(rc, "Lexicon: %zu words of dim %zu", w.n, am_word_encoder_dim(e->e)), -1;
    self->encoder = Py_NewRef(eo);
    return 0;
}

static size_t lexicon_dim(const LexiconObject *self)
{
    return am_word_encoder_dim(((const EncoderObject *)self->encoder)->e);
}

#define LEXICON_READY(self)                                                                                        \
    do {                                                                                                           \
        if (!(self)->l) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the Lexicon was not initialised");                                \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static Py_ssize_t Lexicon_len(LexiconObject *self) { return self->l ? (Py_ssize_t)am_lexicon_size(self->l) : 0; }

static PyObject *Lexicon_item(LexiconObject *self, Py_ssize_t i)
{
    LEXICON_READY(self);
    if (i < 0 || (size_t)i >= am_lexicon_size(self->l))
        return PyErr_Format(PyExc_IndexError, "Lexicon index %zd out of range (%zu words)", i, am_lexicon_size(self->l));
    return PyUnicode_FromString(am_lexicon_word(self->l, (size_t)i));
}

static PyObject *Lexicon_find(LexiconObject *self, PyObject *arg)
{
    LEXICON_READY(self);
    if (!PyUnicode_Check(arg))
        return PyErr_Format(PyExc_TypeError, "Lexicon.find: word must be a str, not %.80s", Py_TYPE(arg)->tp_name);
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(arg, &len);
    if (!s)
        return NULL;
    return PyLong_FromLong((size_t)len == strlen(s) ? am_lexicon_find(self->l, s) : -1);
}

/* Indices (n size_t) as an int64 array, or the words (a list) when words is set; one index alone when single. */
static PyObject *indices_out(LexiconObject *self, const size_t *idx, size_t n, int single, int words)
{
    if (single)
        return words ? PyUnicode_FromString(am_lexicon_word(self->l, idx[0])) : PyLong_FromSize_t(idx[0]);
    if (words) {
        PyObject *l = PyList_New((Py_ssize_t)n);
        for (size_t i = 0; l && i < n; i++) {
            PyObject *s = PyUnicode_FromString(am_lexicon_word(self->l, idx[i]));
            if (!s)
                Py_CLEAR(l);
            else
                PyList_SET_ITEM(l, (Py_ssize_t)i, s);
        }
        return l;
    }
    PyObject *a = amx_new1(AMX_I64, (Py_ssize_t)n, "Lexicon: indices");
    for (size_t i = 0; a && i < n; i++)
        ((int64_t *)amx_data(a))[i] = (int64_t)idx[i];
    return a;
}

static PyObject *Lexicon_decode(LexiconObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"latents", "words", NULL};
    PyObject *lo;
    int words = 0;
    LEXICON_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$p:decode", names, &lo, &words))
        return NULL;
    PyObject *lat = amx_floats(lo, lexicon_dim(self), 1, 2, 0, "Lexicon.decode: latents");
    if (!lat)
        return NULL;
    size_t n = (size_t)amx_rows(lat);
    size_t *idx = PyMem_Malloc((n ? n : 1) * sizeof *idx);
    if (!idx) {
        Py_DECREF(lat);
        return PyErr_NoMemory();
    }
    int rc = 0;
    if (n) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_lexicon_decode(self->l, amx_data(lat), n, idx);
        amx_interrupt_end(&it);
    }
    int single = amx_ndim(lat) == 1;
    Py_DECREF(lat);
    PyObject *r = rc ? amx_raise(rc, "Lexicon.decode: %zu latents", n) : indices_out(self, idx, n, single, words);
    PyMem_Free(idx);
    return r;
}

static PyObject *Lexicon_neighbours(LexiconObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"words", NULL};
    int words = 0;
    LEXICON_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$p:neighbours", names, &words))
        return NULL;
    size_t n = am_lexicon_size(self->l);
    if (n < 2)
        return amx_value_error("Lexicon.neighbours: the lexicon has %zu word%s: a neighbour needs at least two words",
                               n, n == 1 ? "" : "s");
    size_t *idx = PyMem_Malloc(n * sizeof *idx);
    if (!idx)
        return PyErr_NoMemory();
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_lexicon_neighbours(self->l, idx);
    amx_interrupt_end(&it);
    PyObject *r = rc ? amx_raise(rc, "Lexicon.neighbours: %zu words", n)
                     : indices_out(self, idx, n, 0, words);
    PyMem_Free(idx);
    return r;
}

static PyObject *Lexicon_get_codes(LexiconObject *self, void *u)
{
    (void)u;
    LEXICON_READY(self);
    return amx_copy_out(AMX_F32, am_lexicon_codes(self->l), (Py_ssize_t)am_lexicon_size(self->l),
                        (Py_ssize_t)lexicon_dim(self), "Lexicon.codes");
}

static PyObject *Lexicon_get_words(LexiconObject *self, void *u)
{
    (void)u;
    LEXICON_READY(self);
    size_t n = am_lexicon_size(self->l);
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; l && i < n; i++) {
        PyObject *s = PyUnicode_FromString(am_lexicon_word(self->l, i));
        if (!s)
            Py_CLEAR(l);
        else
            PyList_SET_ITEM(l, (Py_ssize_t)i, s);
    }
    return l;
}

static PyObject *Lexicon_get_encoder(LexiconObject *self, void *u)
{
    (void)u;
    LEXICON_READY(self);
    return Py_NewRef(self->encoder);
}

static PyObject *Lexicon_repr(LexiconObject *self)
{
    if (!self->l)
        return PyUnicode_FromString("am.Lexicon(<not initialised>)");
    return PyUnicode_FromFormat("am.Lexicon(%zu words, dim=%zu)", am_lexicon_size(self->l), lexicon_dim(self));
}

static PyMethodDef Lexicon_methods[] = {
    {"decode", (PyCFunction)(void (*)(void))Lexicon_decode, METH_VARARGS | METH_KEYWORDS,
     "decode(latents, *, words=False) -> the index of the word whose code has the largest cosine with each latent\n"
     "(rows x dim: int64 array; one latent of dim: an int), or the words themselves with words=True.\n\n"
     "    >>> lx = am.Lexicon(am.WordEncoder(512, seed=1), ['shirt', 'sneaker', 'bag'])\n"
     "    >>> lx.decode(lx.encoder.encode('sneakers'), words=True)       # 'sneaker'"},
    {"neighbours", (PyCFunction)(void (*)(void))Lexicon_neighbours, METH_VARARGS | METH_KEYWORDS,
     "neighbours(*, words=False) -> for each word the index (int64 array) of the other word whose code is\n"
     "nearest, or the words themselves with words=True (needs two words).\n\n"
     "    >>> lx.neighbours(words=True)"},
    {"find", (PyCFunction)Lexicon_find, METH_O,
     "find(word) -> the index of word (case ignored), or -1.\n\n"
     "    >>> lx.find('Bag')                                             # 2"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Lexicon_getset[] = {
    {"codes", (getter)Lexicon_get_codes, NULL, "the words' codes, len x dim float32 (a copy)", NULL},
    {"words", (getter)Lexicon_get_words, NULL, "the words, in order (a list)", NULL},
    {"encoder", (getter)Lexicon_get_encoder, NULL, "the WordEncoder the codes came from", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Lexicon_seq = {.sq_length = (lenfunc)Lexicon_len, .sq_item = (ssizeargfunc)Lexicon_item};

static PyTypeObject LexiconType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Lexicon",
    .tp_basicsize = sizeof(LexiconObject),
    .tp_dealloc = (destructor)Lexicon_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Lexicon(encoder, words)\n"
              "A vocabulary (am/lexicon.h): the words (a non-empty list, no two equal ignoring case) with their codes\n"
              "from encoder (a WordEncoder) and a clean-up memory; decoding a latent is finding the word whose code\n"
              "has the largest cosine with it. len(lx) words, lx[i] the i-th.\n\n"
              "    >>> e = am.WordEncoder(1024, seed=1)\n"
              "    >>> lx = am.Lexicon(e, ['shirt', 'sneaker', 'bag', 'coat'])   # or am.read_words(path)\n"
              "    >>> lx.decode(e.encode(['sneekers', 'shrit']), words=True)",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Lexicon_init,
    .tp_repr = (reprfunc)Lexicon_repr,
    .tp_as_sequence = &Lexicon_seq,
    .tp_methods = Lexicon_methods,
    .tp_getset = Lexicon_getset,
};

/* ------------------------------------------------------------------------------------------------ */
/* Word list files */

static PyObject *am_py_read_words(PyObject *mod, PyObject *args, PyObject *kw)
{
    static char *names[] = {"path", "max", NULL};
    PyObject *po, *path;
    amx_int max = AMX_INT("max", 1, AMX_SSIZE_MAX / sizeof(char *), 100000);
    (void)mod;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$O&:read_words", names, &po, amx_int_conv, &max) ||
        amx_path(po, &path))
        return NULL;
    char **words = NULL;
    size_t n = 0;
    am_words_where at = {0};
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = am_words_read(PyBytes_AS_STRING(path), (size_t)max.u, &words, &n, &at);
    Py_END_ALLOW_THREADS
    PyObject *r;
    if (rc == AM_EFORMAT || rc == AM_ERANGE)
        r = amx_raise(rc, "read_words('%s') line %zu %s%s", PyBytes_AS_STRING(path), at.line, at.text,
                      rc == AM_ERANGE ? " (more words than max)" : " (not a word: " WORDS_RULE ")");
    else if (rc)
        r = amx_raise(rc, "read_words('%s')", PyBytes_AS_STRING(path));
    else
        r = str_list(words, n);
    Py_DECREF(path);
    am_words_free(words, n);
    return r;
}

/* ------------------------------------------------------------------------------------------------ */
/* WordNet */

typedef struct {
    PyObject_HEAD am_wordnet *w;
    int opened; /* was opened: a NULL w then means closed */
} WordNetObject;

static PyTypeObject WordNetType;

static void WordNet_dealloc(WordNetObject *self)
{
    am_wordnet_close(self->w);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int WordNet_init(WordNetObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"dir", NULL};
    PyObject *diro = Py_None, *dir = NULL;
    if (self->opened)
        return amx_value_error("a WordNet is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:WordNet", names, &diro))
        return -1;
    if (diro != Py_None && amx_path(diro, &dir))
        return -1;
    char why[512] = "";
    int rc = am_wordnet_open(&self->w, dir ? PyBytes_AS_STRING(dir) : NULL, why, sizeof why);
    if (rc) {
        int missing = rc == AM_ERRNO(ENOENT);
        amx_raise(rc, "WordNet(%s%s%s): %s%s", dir ? "'" : "", dir ? PyBytes_AS_STRING(dir) : "None", dir ? "'" : "", why,
                  missing ? " (Debian: apt-get install wordnet-base)" : "");
        Py_XDECREF(dir);
        return -1;
    }
    Py_XDECREF(dir);
    self->opened = 1;
    return 0;
}

#define WORDNET_READY(self)                                                                                        \
    do {                                                                                                           \
        if (!(self)->w) {                                                                                          \
            PyErr_SetString(PyExc_ValueError, (self)->opened ? "WordNet: closed" : "the WordNet was not initialised"); \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

/* am.Error for a failed WordNet call: what, and the file and line it went wrong at. */
static PyObject *wordnet_error(WordNetObject *self, int rc, const char *what)
{
    const char *m = am_wordnet_message(self->w);
    return amx_raise(rc, "%s%s%s", what, m[0] ? ": " : "", m);
}

static PyObject *WordNet_noun(WordNetObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"lemma", "sense", NULL};
    PyObject *lo;
    amx_int sense = AMX_INT("sense", 1, INT32_MAX, 1);
    WORDNET_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "U|O&:noun", names, &lo, amx_int_conv, &sense))
        return NULL;
    Py_ssize_t len;
    const char *lemma = PyUnicode_AsUTF8AndSize(lo, &len);
    if (!lemma)
        return NULL;
    if ((size_t)len != strlen(lemma) || !len)
        return not_a_word(lo, "WordNet.noun: lemma", "is empty or holds a NUL character");
    uint32_t off = 0;
    int rc = am_wordnet_noun(self->w, lemma, (int)sense.u, &off);
    if (rc) {
        char what[160];
        snprintf(what, sizeof what, "WordNet.noun('%.100s', sense=%llu)", lemma, sense.u);
        return wordnet_error(self, rc, what);
    }
    return PyLong_FromUnsignedLong(off);
}

static PyObject *WordNet_synset(WordNetObject *self, PyObject *arg)
{
    WORDNET_READY(self);
    amx_int off = AMX_INT("offset", 0, UINT32_MAX, 0);
    if (amx_int_from(arg, &off))
        return NULL;
    am_synset s;
    int rc = am_wordnet_synset(self->w, (uint32_t)off.u, &s);
    if (rc) {
        char what[64];
        snprintf(what, sizeof what, "WordNet.synset(%llu)", off.u);
        return wordnet_error(self, rc, what);
    }
    PyObject *hyper = PyList_New((Py_ssize_t)s.nhyper);
    for (size_t i = 0; hyper && i < s.nhyper; i++) {
        PyObject *v = PyLong_FromUnsignedLong(s.hypernyms[i]);
        if (!v)
            Py_CLEAR(hyper);
        else
            PyList_SET_ITEM(hyper, (Py_ssize_t)i, v);
    }
    PyObject *r = amx_namespace(4, "offset", PyLong_FromUnsignedLong(s.offset), "words", str_list(s.words, s.nwords),
                                "hypernyms", hyper, "gloss", PyUnicode_DecodeUTF8(s.gloss, (Py_ssize_t)strlen(s.gloss), "replace"));
    am_synset_clear(&s);
    return r;
}

static PyObject *WordNet_fashion_words(WordNetObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"c", "depth", NULL};
    amx_int c = AMX_INT("c", 0, 9, 0), depth = AMX_INT("depth", 0, 10, 1);
    WORDNET_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|O&:fashion_words", names, amx_int_conv, &c, amx_int_conv, &depth))
        return NULL;
    char **words = NULL;
    size_t n = 0;
    int rc = am_wordnet_fashion_words(self->w, (int)c.u, (int)depth.u, &words, &n);
    if (rc) {
        char what[64];
        snprintf(what, sizeof what, "WordNet.fashion_words(%llu, depth=%llu)", c.u, depth.u);
        return wordnet_error(self, rc, what);
    }
    PyObject *r = str_list(words, n);
    am_words_free(words, n);
    return r;
}

static PyObject *WordNet_fashion_sense(PyObject *unused, PyObject *arg)
{
    (void)unused;
    amx_int c = AMX_INT("c", 0, 9, 0);
    if (amx_int_from(arg, &c))
        return NULL;
    int sense = 0;
    const char *lemma = am_wordnet_fashion_sense((int)c.u, &sense);
    return Py_BuildValue("(si)", lemma, sense);
}

static PyObject *WordNet_close(WordNetObject *self, PyObject *unused)
{
    (void)unused;
    am_wordnet_close(self->w);
    self->w = NULL;
    Py_RETURN_NONE;
}

static PyObject *WordNet_enter(WordNetObject *self, PyObject *unused)
{
    (void)unused;
    WORDNET_READY(self);
    return Py_NewRef(self);
}

static PyObject *WordNet_exit(WordNetObject *self, PyObject *args)
{
    (void)args;
    return WordNet_close(self, NULL);
}

static PyObject *WordNet_get_closed(WordNetObject *self, void *u)
{
    (void)u;
    return PyBool_FromLong(self->w == NULL);
}

static PyMethodDef WordNet_methods[] = {
    {"noun", (PyCFunction)(void (*)(void))WordNet_noun, METH_VARARGS | METH_KEYWORDS,
     "noun(lemma, sense=1) -> the synset offset of noun lemma (spaces or underscores, any case) in its sense\n"
     "sense (1: the most frequent); am.Error (status AM_ERANGE) when it is not a noun or has fewer senses.\n\n"
     "    >>> wn = am.WordNet(); wn.synset(wn.noun('sneaker')).words        # ['gym shoe', 'sneaker', 'tennis shoe']"},
    {"synset", (PyCFunction)WordNet_synset, METH_O,
     "synset(offset) -> namespace(offset, words, hypernyms, gloss): a synset of data.noun; hypernyms are offsets.\n\n"
     "    >>> wn = am.WordNet(); s = wn.synset(wn.noun('dog')); wn.synset(s.hypernyms[0]).words"},
    {"fashion_words", (PyCFunction)(void (*)(void))WordNet_fashion_words, METH_VARARGS | METH_KEYWORDS,
     "fashion_words(c, depth=1) -> the words of Fashion-MNIST class c (0-9): its synset's lemmas, then its\n"
     "hypernyms' up to depth levels (0-10; breadth first, each word once, the class's own name first).\n\n"
     "    >>> am.WordNet().fashion_words(7, depth=2)"},
    {"fashion_sense", (PyCFunction)WordNet_fashion_sense, METH_O | METH_STATIC,
     "fashion_sense(c) -> (lemma, sense): the WordNet noun and sense libam maps Fashion-MNIST class c (0-9) to.\n\n"
     "    >>> am.WordNet.fashion_sense(7)                                    # ('sneaker', 1)"},
    {"close", (PyCFunction)WordNet_close, METH_NOARGS, "close(): release the files (later calls raise ValueError)\n\n"
     "    >>> wn = am.WordNet(); wn.close(); wn.close()       # the second does nothing"},
    {"__enter__", (PyCFunction)WordNet_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)WordNet_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef WordNet_getset[] = {
    {"closed", (getter)WordNet_get_closed, NULL, "True after close() (or when not initialised)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject WordNetType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.WordNet",
    .tp_basicsize = sizeof(WordNetObject),
    .tp_dealloc = (destructor)WordNet_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "WordNet(dir=None)\n"
              "WordNet's nouns (index.noun, data.noun) in dir; None: $AM_WORDNET_DIR, else Debian's /usr/share/wordnet\n"
              "(apt-get install wordnet-base). Every field of the files is checked; a malformed line raises am.Error\n"
              "naming the file and line. Close it with close() or use it in a with block.\n\n"
              "    >>> with am.WordNet() as wn:\n"
              "    ...     wn.synset(wn.noun('coat')).gloss",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)WordNet_init,
    .tp_methods = WordNet_methods,
    .tp_getset = WordNet_getset,
};

/* ------------------------------------------------------------------------------------------------ */

static PyMethodDef words_functions[] = {
    {"read_words", (PyCFunction)(void (*)(void))am_py_read_words, METH_VARARGS | METH_KEYWORDS,
     "read_words(path, *, max=100000) -> list of str: a word list file, one word per line (blanks trimmed,\n"
     "blank lines and '#' comments skipped, duplicates kept), at most max words. A line that is not a word\n"
     "raises am.Error naming the line.\n\n"
     "    >>> with open('words.txt', 'w') as f: f.write('# clothes\\nshirt\\n  coat \\n\\nbag\\n')\n"
     "    >>> am.read_words('words.txt')                     # ['shirt', 'coat', 'bag']"},
    {"word_valid", (PyCFunction)am_py_word_valid, METH_O,
     "word_valid(word) -> bool: does the encoder take word (" WORDS_RULE ")?\n\n"
     "    >>> am.word_valid('t-shirt'), am.word_valid('naïve')             # (True, False)"},
    {NULL, NULL, 0, NULL},
};

int amx_init_words(PyObject *m)
{
    if (PyType_Ready(&EncoderType) < 0 || PyType_Ready(&LexiconType) < 0 || PyType_Ready(&WordNetType) < 0 ||
        PyModule_AddObjectRef(m, "WordEncoder", (PyObject *)&EncoderType) < 0 ||
        PyModule_AddObjectRef(m, "Lexicon", (PyObject *)&LexiconType) < 0 ||
        PyModule_AddObjectRef(m, "WordNet", (PyObject *)&WordNetType) < 0 || PyModule_AddFunctions(m, words_functions) < 0)
        return -1;
    return 0;
}
