/* concepts.c — am.Concepts: concept memories over several latent spaces (am/concept.h), and binding_types. Their
 * LMDB store (am.ConceptDB, Concepts.save and Concepts.load) is conceptdb.c; what the two share is concepts.h.
 *
 * A Concepts object is changed by observe/assign/forget/set_* (a writer: alone) and read by recall, activation,
 * nearest and the accessors. recall and activation also (re)build the binding mechanism inside the memory, so
 * they have the mechanism alone (`mech`).
 *
 * The library's concept calls do not poll the cancel hook; long work is cut here into chunks (rows of a batch,
 * blocks of cues) with am_cancel_poll between them, so Ctrl-C stops it within a chunk. Results do not depend on
 * the chunking (recall is computed per cue in fixed blocks, am/concept.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concepts.h"

#define CUE_CHUNK 2048 /* cues per library call between cancel polls */
#define ROW_CHUNK 256  /* observations between cancel polls */

/* ------------------------------------------------------------------------------------------------ */
/* The object */

static PyTypeObject ConceptsType;

static void Concepts_dealloc(amx_concepts_object *self)
{
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    am_concepts_free(self->cm);
    free(self->tied);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* An initialised memory; NULL with RuntimeError otherwise. */
static am_concepts *cm_of(amx_concepts_object *self)
{
    if (!self->cm)
        PyErr_SetString(PyExc_RuntimeError, "am.Concepts: the object was not initialised (call Concepts(modalities))");
    return self->cm;
}

/* The memory for reading (GIL held, no mark): NULL while a writer changes it. */
static am_concepts *cm_read(amx_concepts_object *self, const char *what)
{
    am_concepts *cm = cm_of(self);
    if (cm && self->use.writer) {
        PyErr_Format(PyExc_RuntimeError, "%s: the memory is being changed by another call (in another thread or a "
                     "callback)", what);
        return NULL;
    }
    return cm;
}

amx_concepts_object *amx_concepts_wrap(am_concepts *cm, const char *tied)
{
    amx_concepts_object *o = (amx_concepts_object *)ConceptsType.tp_alloc(&ConceptsType, 0);
    if (!o) {
        am_concepts_free(cm);
        return NULL;
    }
    o->cm = cm;
    if (tied && !(o->tied = strdup(tied))) {
        Py_DECREF(o);
        return (amx_concepts_object *)amx_no_memory("am.Concepts");
    }
    return o;
}

amx_concepts_object *amx_concepts_arg(PyObject *o, const char *what)
{
    if (!PyObject_TypeCheck(o, &ConceptsType))
        return PyErr_Format(PyExc_TypeError, "%s: an am.Concepts, not %.100s", what, Py_TYPE(o)->tp_name), NULL;
    return cm_of((amx_concepts_object *)o) ? (amx_concepts_object *)o : NULL;
}

/* ------------------------------------------------------------------------------------------------ */
/* Configuration keywords (Concepts(), clone(), load(); concepts.h) */

static const char *const locality_names[] = {"prototype", "exemplar", NULL};
static const char *const similarity_names[] = {"dot", "euclid", NULL};

/* The keywords' defaults: the values of c. */
void amx_concepts_kw_init(amx_concepts_kw *a, const am_concepts_config *c)
{
    *a = (amx_concepts_kw){.beta = AMX_REAL_ABOVE("beta", 0.0, 1e30, c->beta),
                           .bits = AMX_INT("bits", 0, 65536, c->hebb_bits),
                           .hrr_dim = AMX_INT("hrr_dim", 2, 1u << 20, c->hrr_dim),
                           .seed = AMX_INT("seed", 0, UINT64_MAX, c->seed)};
}

static int name_index(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], s))
            return i;
    return -1;
}

/* "a, b, c" of the binding types, into buf. */
static const char *binding_list(char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t i = 0; am_binding_types[i] && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", am_binding_name(am_binding_types[i]));
    return buf;
}

/* c with the keywords given applied; ValueError naming the keyword otherwise. */
int amx_concepts_kw_apply(const amx_concepts_kw *a, am_concepts_config *c, const char *who)
{
    char list[128];
    int i;
    if (a->binding && !(c->binding = am_binding_find(a->binding)))
        return amx_value_error("%s: binding '%s' is not one of %s", who, a->binding, binding_list(list, sizeof list)),
               -1;
    if (a->locality) {
        if ((i = name_index(locality_names, a->locality)) < 0)
            return amx_value_error("%s: locality '%s' is not prototype or exemplar", who, a->locality), -1;
        c->locality = (am_locality)i;
    }
    if (a->similarity) {
        if ((i = name_index(similarity_names, a->similarity)) < 0)
            return amx_value_error("%s: similarity '%s' is not dot or euclid", who, a->similarity), -1;
        c->similarity = (am_similarity)i;
    }
    if (a->cleanup) {
        const am_store_type *t = am_store_type_find(a->cleanup);
        if (!t || (am_store_type_flags(t) & AM_STORE_SEQUENCE))
            return amx_value_error("%s: cleanup '%s' is not a store type that cleans up (not a sequence store: %s)",
                                   who, a->cleanup, am_store_type_list()), -1;
        c->cleanup = t;
    }
    c->beta = a->beta.v;
    c->hebb_bits = (size_t)a->bits.u;
    c->hrr_dim = (size_t)a->hrr_dim.u;
    c->seed = (uint64_t)a->seed.u;
    return 0;
}

/* Were any of the configuration keywords given in kw? */
int amx_concepts_kw_given(PyObject *kw)
{
    static const char *const names[] = {AMX_CONCEPTS_KW_NAMES, NULL};
    for (int i = 0; kw && names[i]; i++) {
        PyObject *v = PyDict_GetItemString(kw, names[i]);
        if (v && v != Py_None)
            return 1;
    }
    return 0;
}

static PyObject *config_dict(const am_concepts_config *c)
{
    return Py_BuildValue("{s:s,s:s,s:s,s:d,s:n,s:n,s:s,s:K}", "binding", am_binding_name(c->binding), "locality",
                         locality_names[c->locality], "similarity", similarity_names[c->similarity], "beta", c->beta,
                         "bits", (Py_ssize_t)c->hebb_bits, "hrr_dim", (Py_ssize_t)c->hrr_dim, "cleanup",
                         am_store_type_name(c->cleanup), "seed", (unsigned long long)c->seed);
}

/* ------------------------------------------------------------------------------------------------ */
/* Concepts(modalities, ...) */

/* Text argument: str without NUL, below size bytes (UTF-8), without control characters; copied into buf. */
static int text_arg(PyObject *o, char *buf, size_t size, const char *what)
{
    Py_ssize_t len;
    const char *s = PyUnicode_Check(o) ? PyUnicode_AsUTF8AndSize(o, &len) : NULL;
    if (!PyUnicode_Check(o))
        return PyErr_Format(PyExc_TypeError, "%s must be a str, not %.100s", what, Py_TYPE(o)->tp_name), -1;
    if (!s)
        return -1;
    if ((size_t)len >= size)
        return amx_value_error("%s is %zd bytes long (at most %zu)", what, len, size - 1), -1;
    for (Py_ssize_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return amx_value_error("%s contains a control character (at byte %zd)", what, i), -1;
    memcpy(buf, s, (size_t)len + 1);
    return 0;
}

/* A locality radius: >= 0, inf allowed. */
static int radius_from(PyObject *o, double *v)
{
    amx_real r = AMX_REAL("radius", 0.0, DBL_MAX, 0.0);
    if (PyFloat_Check(o) && isinf(PyFloat_AS_DOUBLE(o)) && PyFloat_AS_DOUBLE(o) > 0) {
        *v = INFINITY;
        return 0;
    }
    if (amx_real_from(o, &r))
        return -1;
    *v = r.v;
    return 0;
}

/* One modality from (name, dim[, radius[, encoder]]). */
static int modality_from(PyObject *item, Py_ssize_t k, am_modality *md)
{
    char what[64];
    snprintf(what, sizeof what, "modalities[%zd]", k);
    if (!PyTuple_Check(item) && !PyList_Check(item))
        return PyErr_Format(PyExc_TypeError, "%s must be a tuple (name, dim[, radius[, encoder]]), not %.100s", what,
                            Py_TYPE(item)->tp_name), -1;
    PyObject *t = PySequence_Tuple(item);
    if (!t)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(t);
    amx_int dim = AMX_INT("dim", 1, 65536, 0);
    int rc = -1;
    memset(md, 0, sizeof *md);
    md->radius = INFINITY;
    if (n < 2 || n > 4)
        amx_value_error("%s must be (name, dim[, radius[, encoder]]), not %zd items", what, n);
    else if (!text_arg(PyTuple_GET_ITEM(t, 0), md->name, sizeof md->name, "modality name") &&
             !amx_int_from(PyTuple_GET_ITEM(t, 1), &dim) &&
             (n < 3 || PyTuple_GET_ITEM(t, 2) == Py_None || !radius_from(PyTuple_GET_ITEM(t, 2), &md->radius)) &&
             (n < 4 || !text_arg(PyTuple_GET_ITEM(t, 3), md->encoder, sizeof md->encoder, "encoder")))
        rc = 0;
    Py_DECREF(t);
    if (rc)
        return -1;
    if (!md->name[0] || strspn(md->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                            strlen(md->name))
        return amx_value_error("%s: modality name '%s' must be 1 .. %d letters, digits, '_' or '-'", what, md->name,
                               AM_CONCEPT_NAME_MAX), -1;
    md->dim = (size_t)dim.u;
    return 0;
}

static int modalities_from(PyObject *o, am_modality *mods, size_t *nmod)
{
    if (PyUnicode_Check(o) || PyBytes_Check(o) || PyDict_Check(o))
        return PyErr_SetString(PyExc_TypeError, "modalities must be a list of (name, dim[, radius[, encoder]]) "
                               "tuples"), -1;
    PyObject *seq = PySequence_Fast(o, "modalities must be a list of (name, dim[, radius[, encoder]]) tuples");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int rc = 0;
    if (n < 1 || n > AM_CONCEPT_MAX_MODALITIES)
        rc = (amx_value_error("modalities: 1 .. %d modalities, not %zd", AM_CONCEPT_MAX_MODALITIES, n), -1);
    for (Py_ssize_t k = 0; !rc && k < n; k++) {
        rc = modality_from(PySequence_Fast_GET_ITEM(seq, k), k, &mods[k]);
        for (Py_ssize_t j = 0; !rc && j < k; j++)
            if (!strcmp(mods[j].name, mods[k].name))
                rc = (amx_value_error("modalities: '%s' is given twice", mods[k].name), -1);
    }
    Py_DECREF(seq);
    *nmod = (size_t)n;
    return rc;
}

static int Concepts_init(amx_concepts_object *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"modalities", AMX_CONCEPTS_KW_NAMES, NULL};
    PyObject *mo;
    am_concepts_config cfg;
    amx_concepts_kw a;
    am_modality mods[AM_CONCEPT_MAX_MODALITIES];
    size_t nmod = 0;
    if (self->cm)
        return amx_value_error("a Concepts is initialised once"), -1;
    am_concepts_config_default(&cfg);
    amx_concepts_kw_init(&a, &cfg);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$" AMX_CONCEPTS_KW_FMT ":Concepts", names, &mo,
                                     AMX_CONCEPTS_KW_PTRS(a)) ||
        modalities_from(mo, mods, &nmod) || amx_concepts_kw_apply(&a, &cfg, "Concepts"))
        return -1;
    int rc = am_concepts_create(&self->cm, mods, nmod, &cfg);
    if (rc)
        return amx_raise(rc, "Concepts(%zu modalities)", nmod), -1;
    return 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* Arguments naming a modality or a concept */

static int modality_arg(am_concepts *cm, PyObject *o, size_t *m, const char *what)
{
    const char *s = PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
    if (!PyUnicode_Check(o))
        return PyErr_Format(PyExc_TypeError, "%s: a modality is named by a str, not %.100s", what,
                            Py_TYPE(o)->tp_name), -1;
    if (!s)
        return -1;
    int k = am_concepts_modality_find(cm, s);
    if (k < 0) {
        PyObject *names = PyList_New(0);
        for (size_t i = 0; names && i < am_concepts_modalities(cm); i++) {
            PyObject *n = amx_str(am_concepts_modality(cm, i)->name);
            if (!n || PyList_Append(names, n)) {
                Py_XDECREF(n);
                Py_CLEAR(names);
            }
            Py_XDECREF(n);
        }
        if (names)
            PyErr_Format(PyExc_KeyError, "%s: no modality '%s' (the modalities: %R)", what, s, names);
        Py_XDECREF(names);
        return -1;
    }
    *m = (size_t)k;
    return 0;
}

/* A concept by index (int, 0 .. count-1) or label (str). */
static int concept_arg(am_concepts *cm, PyObject *o, size_t *c, const char *what)
{
    if (PyUnicode_Check(o)) {
        const char *s = PyUnicode_AsUTF8(o);
        if (!s)
            return -1;
        if ((*c = am_concepts_find_label(cm, s)) == AM_CONCEPT_NONE || !s[0])
            return PyErr_Format(PyExc_KeyError, "%s: no concept labelled '%s'", what, s), -1;
        return 0;
    }
    if (PyBool_Check(o) || !PyIndex_Check(o))
        return PyErr_Format(PyExc_TypeError, "%s: a concept is an index (int) or a label (str), not %.100s", what,
                            Py_TYPE(o)->tp_name), -1;
    size_t n = am_concepts_count(cm);
    if (n == 0)
        return PyErr_Format(PyExc_IndexError, "%s: the memory holds no concepts", what), -1;
    amx_int v = AMX_INT("concept", 0, n - 1, 0);
    if (amx_int_from(o, &v))
        return -1;
    *c = (size_t)v.u;
    return 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* Latents per modality: {name: array} (1-D: one row; 2-D: rows), or one array and its modality's name */

typedef struct {
    PyObject *arr[AM_CONCEPT_MAX_MODALITIES]; /* inputs (amx_floats) or NULL */
    const float *x[AM_CONCEPT_MAX_MODALITIES];
    size_t rows;
    int one; /* 1-D inputs */
} latents;

static void latents_free(latents *l)
{
    for (int m = 0; m < AM_CONCEPT_MAX_MODALITIES; m++)
        Py_CLEAR(l->arr[m]);
}

static int latents_add(am_concepts *cm, latents *l, PyObject *name, PyObject *value, int *count, const char *what)
{
    size_t m;
    char w[128];
    if (modality_arg(cm, name, &m, what))
        return -1;
    const am_modality *md = am_concepts_modality(cm, m);
    snprintf(w, sizeof w, "%s: the latents of '%s' (%zu values a row)", what, md->name, md->dim);
    if (!(l->arr[m] = amx_floats(value, md->dim, 1, 2, 0, w)))
        return -1;
    int one = amx_ndim(l->arr[m]) == 1;
    size_t rows = (size_t)amx_rows(l->arr[m]);
    if (*count && (one != l->one || rows != l->rows))
        return amx_value_error("%s: every modality needs the same rows (%s has %zu%s, the others %zu%s)", what,
                               md->name, rows, one ? " (1-D)" : "", l->rows, l->one ? " (1-D)" : ""), -1;
    l->one = one;
    l->rows = rows;
    l->x[m] = amx_data(l->arr[m]);
    ++*count;
    return 0;
}

/* o: a dict {modality: array}; or an array with `modality` its modality's name. */
static int latents_from(am_concepts *cm, PyObject *o, PyObject *modality, latents *l, const char *what)
{
    int count = 0;
    memset(l, 0, sizeof *l);
    if (PyDict_Check(o)) {
        if (modality && modality != Py_None)
            return PyErr_Format(PyExc_TypeError, "%s: give either a dict {modality: latents} or latents and their "
                                "modality, not both", what), -1;
        PyObject *items = PyDict_Items(o); /* a snapshot: an argument's conversion may change the dict */
        if (!items)
            return -1;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
            PyObject *kv = PyList_GET_ITEM(items, i);
            if (latents_add(cm, l, PyTuple_GET_ITEM(kv, 0), PyTuple_GET_ITEM(kv, 1), &count, what)) {
                Py_DECREF(items);
                latents_free(l);
                return -1;
            }
        }
        Py_DECREF(items);
        if (!count)
            return amx_value_error("%s: no modality given (an empty dict)", what), -1;
        return 0;
    }
    if (!modality || modality == Py_None)
        return PyErr_Format(PyExc_TypeError, "%s: give a dict {modality: latents}, or latents and their modality",
                            what), -1;
    if (latents_add(cm, l, modality, o, &count, what)) {
        latents_free(l);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* observe, assign */

/* Labels for rows observations: None (all unlabelled), a str (every row), or a sequence of rows str/None. A tuple
 * (new) in *held keeps the texts alive; lab[r] points into them (NULL: unlabelled). */
static int labels_from(PyObject *o, size_t rows, int one, PyObject **held, const char **lab, const char *what)
{
    *held = NULL;
    for (size_t r = 0; r < rows; r++)
        lab[r] = NULL;
    if (!o || o == Py_None)
        return 0;
    int single = PyUnicode_Check(o);
    if (!single && one)
        return PyErr_Format(PyExc_TypeError, "%s: label must be a str or None, not %.100s", what, Py_TYPE(o)->tp_name),
               -1;
    if (!single && (PyBytes_Check(o) || !PySequence_Check(o)))
        return PyErr_Format(PyExc_TypeError, "%s: labels must be a str, None or a sequence of them (one a row), not "
                            "%.100s", what, Py_TYPE(o)->tp_name), -1;
    if (!(*held = single ? PyTuple_Pack(1, o) : PySequence_Tuple(o)))
        return -1;
    if (!single && (size_t)PyTuple_GET_SIZE(*held) != rows)
        return amx_value_error("%s: %zd labels for %zu rows", what, PyTuple_GET_SIZE(*held), rows), -1;
    for (size_t r = 0; r < rows; r++) {
        PyObject *t = PyTuple_GET_ITEM(*held, single ? 0 : (Py_ssize_t)r);
        char w[96], buf[AM_CONCEPT_LABEL_MAX + 1];
        snprintf(w, sizeof w, "%s: label of row %zu", what, r);
        if (t == Py_None)
            continue;
        if (text_arg(t, buf, sizeof buf, w))
            return -1;
        lab[r] = buf[0] ? PyUnicode_AsUTF8(t) : NULL; /* cached in the str, which *held keeps */
    }
    return 0;
}

/* Rows of l observed (synchrony), or assigned in modality m (locality, m < nmod), GIL released. idx: rows. */
static int observe_rows(am_concepts *cm, const latents *l, const char *const *lab, size_t m, int64_t *idx, size_t *done)
{
    size_t nmod = am_concepts_modalities(cm);
    int rc = AM_OK;
    for (size_t r = 0; r < l->rows && !rc; r++) {
        const float *x[AM_CONCEPT_MAX_MODALITIES] = {0};
        size_t c = 0;
        if (r % ROW_CHUNK == ROW_CHUNK - 1 && (rc = am_cancel_poll()))
            break;
        for (size_t k = 0; k < nmod; k++)
            x[k] = l->x[k] ? l->x[k] + r * am_concepts_modality(cm, k)->dim : NULL;
        rc = m < nmod ? am_concepts_assign(cm, m, x[m], &c, NULL) : am_concepts_observe(cm, x, lab[r], &c, NULL);
        idx[r] = (int64_t)c;
        *done = r + (rc == AM_OK);
    }
    return rc;
}

/* observe and assign: m == nmod for observe. */
static PyObject *observe_common(amx_concepts_object *self, am_concepts *cm, latents *l, PyObject *labels, size_t m,
                                const char *what)
{
    PyObject *held = NULL, *idx = NULL;
    const char **lab = PyMem_Calloc(l->rows ? l->rows : 1, sizeof *lab);
    size_t done = 0;
    int rc = AM_OK;
    if (!lab)
        return PyErr_NoMemory();
    if (!labels_from(labels, l->rows, l->one, &held, lab, what) &&
        (idx = amx_new1(AMX_I64, (Py_ssize_t)l->rows, what)) && !amx_use_write(&self->use, what)) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = observe_rows(cm, l, lab, m, amx_data(idx), &done);
        amx_interrupt_end(&it);
        amx_use_done(&self->use);
        if (rc) {
            Py_CLEAR(idx);
            amx_raise(rc, "%s: row %zu of %zu (the rows before it were observed)", what, done, l->rows);
        }
    } else {
        Py_CLEAR(idx);
    }
    PyMem_Free(lab);
    Py_XDECREF(held);
    if (idx && l->one) {
        PyObject *one = PyLong_FromLongLong(((int64_t *)amx_data(idx))[0]);
        Py_DECREF(idx);
        return one;
    }
    return idx;
}

static PyObject *Concepts_observe(amx_concepts_object *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"latents", "label", NULL};
    PyObject *o, *labels = NULL;
    latents l;
    am_concepts *cm = cm_of(self);
    if (!cm || !PyArg_ParseTupleAndKeywords(args, kw, "O|O:observe", names, &o, &labels) ||
        latents_from(cm, o, NULL, &l, "Concepts.observe"))
        return NULL;
    PyObject *r = observe_common(self, cm, &l, labels, am_concepts_modalities(cm), "Concepts.observe");
    latents_free(&l);
    return r;
}

static PyObject *Concepts_assign(amx_concepts_object *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "modality", NULL};
    PyObject *o, *mo;
    latents l;
    size_t m;
    am_concepts *cm = cm_of(self);
    if (!cm || !PyArg_ParseTupleAndKeywords(args, kw, "OO:assign", names, &o, &mo) ||
        modality_arg(cm, mo, &m, "Concepts.assign") || latents_from(cm, o, mo, &l, "Concepts.assign"))
        return NULL;
    PyObject *r = observe_common(self, cm, &l, NULL, m, "Concepts.assign");
    latents_free(&l);
    return r;
}

/* ------------------------------------------------------------------------------------------------ */
/* recall, activation */

/* Cues per library call: CUE_CHUNK, or all of them where the result depends on a cue's position in the call (the
 * hrr mechanism's read-out through a binary clean-up store draws its visiting orders per block of cues; those
 * stores' recalls poll the cancel hook themselves). */
static size_t cue_chunk(const am_concepts *cm, const am_concept_recall *r, size_t nq)
{
    const am_concepts_config *c = am_concepts_get_config(cm);
    int binary = !(am_store_type_flags(c->cleanup) & AM_STORE_REAL);
    for (size_t m = 0; r && c->binding == am_binding_hrr && binary && m < am_concepts_modalities(cm); m++)
        if (r->out[m])
            return nq;
    return CUE_CHUNK;
}

/* recall (r != NULL) or activation (act) of nq cues in chunks, with cancel polls between them. */
static int run_cues(am_concepts *cm, const float *const *cues, size_t nq, am_concept_recall *r, float *act, int threads)
{
    size_t nmod = am_concepts_modalities(cm), N = am_concepts_count(cm), chunk = cue_chunk(cm, r, nq);
    int rc = AM_OK;
    for (size_t q0 = 0; q0 < nq && !rc; q0 += chunk) {
        size_t n = nq - q0 < chunk ? nq - q0 : chunk;
        const float *cq[AM_CONCEPT_MAX_MODALITIES] = {0};
        if (q0 && (rc = am_cancel_poll()))
            break;
        for (size_t m = 0; m < nmod; m++)
            cq[m] = cues[m] ? cues[m] + q0 * am_concepts_modality(cm, m)->dim : NULL;
        if (!r) {
            rc = am_concepts_activation(cm, cq, n, act + q0 * N, threads);
            continue;
        }
        am_concept_recall rr = *r;
        rr.concept = r->concept + q0 * r->k;
        rr.score = r->score + q0 * r->k;
        rr.level = r->level + q0;
        for (size_t m = 0; m < nmod; m++)
            rr.out[m] = r->out[m] ? r->out[m] + q0 * am_concepts_modality(cm, m)->dim : NULL;
        rc = am_concepts_recall(cm, cq, n, &rr, threads);
    }
    return rc;
}

/* The modalities to read out: `to` None (every modality not cued), a name, or a sequence of names. */
static int targets_from(am_concepts *cm, PyObject *to, const latents *l, int *want, const char *what)
{
    size_t nmod = am_concepts_modalities(cm), m;
    for (size_t k = 0; k < nmod; k++)
        want[k] = !to || to == Py_None ? !l->x[k] : 0;
    if (!to || to == Py_None)
        return 0;
    if (PyUnicode_Check(to)) {
        if (modality_arg(cm, to, &m, what))
            return -1;
        want[m] = 1;
        return 0;
    }
    PyObject *t = PySequence_Check(to) && !PyBytes_Check(to) ? PySequence_Tuple(to) : NULL;
    if (!t)
        return PyErr_Occurred() ? -1 : (PyErr_Format(PyExc_TypeError, "%s: to must be a modality's name, a list of "
                                                     "names or None, not %.100s", what, Py_TYPE(to)->tp_name), -1);
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t); i++) {
        if (modality_arg(cm, PyTuple_GET_ITEM(t, i), &m, what)) {
            Py_DECREF(t);
            return -1;
        }
        want[m] = 1;
    }
    Py_DECREF(t);
    return 0;
}

/* Marks for a recall or an activation: the memory read, the mechanism alone. */
static int recall_begin(amx_concepts_object *self, const char *what)
{
    if (amx_use_read(&self->use, what))
        return -1;
    if (amx_use_write(&self->mech, what)) {
        amx_use_done(&self->use);
        return -1;
    }
    return 0;
}

static void recall_end(amx_concepts_object *self)
{
    amx_use_done(&self->mech);
    amx_use_done(&self->use);
}

/* Labels of idx (count entries; -1 or beyond: None) as a list; nested k per row when k > 0. */
static PyObject *labels_list(am_concepts *cm, const int64_t *idx, size_t count, size_t k)
{
    size_t n = k ? count / k : count;
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *v;
        if (k) {
            v = labels_list(cm, idx + i * k, k, 0);
        } else if (idx[i] < 0 || (size_t)idx[i] >= am_concepts_count(cm)) {
            v = Py_NewRef(Py_None);
        } else {
            v = amx_str(am_concepts_label(cm, (size_t)idx[i]));
        }
        if (!v)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, v);
    }
    return list;
}

typedef struct {
    PyObject *concepts, *scores, *level, *answer, *out[AM_CONCEPT_MAX_MODALITIES];
} recall_arrays;

static void recall_arrays_free(recall_arrays *a)
{
    Py_CLEAR(a->concepts);
    Py_CLEAR(a->scores);
    Py_CLEAR(a->level);
    Py_CLEAR(a->answer);
    for (int m = 0; m < AM_CONCEPT_MAX_MODALITIES; m++)
        Py_CLEAR(a->out[m]);
}

static int recall_arrays_new(am_concepts *cm, recall_arrays *a, size_t nq, size_t k, const int *want)
{
    if (!(a->concepts = amx_new2(AMX_I64, (Py_ssize_t)nq, (Py_ssize_t)k, "recall: concepts")) ||
        !(a->scores = amx_new2(AMX_F32, (Py_ssize_t)nq, (Py_ssize_t)k, "recall: scores")) ||
        !(a->level = amx_new1(AMX_U8, (Py_ssize_t)nq, "recall: level")) ||
        !(a->answer = amx_new1(AMX_I64, (Py_ssize_t)nq, "recall: answer")))
        return -1;
    for (size_t m = 0; m < am_concepts_modalities(cm); m++)
        if (want[m] && !(a->out[m] = amx_new2(AMX_F32, (Py_ssize_t)nq, (Py_ssize_t)am_concepts_modality(cm, m)->dim,
                                              "recall: latents")))
            return -1;
    return 0;
}

/* AM_CONCEPT_NONE -> -1, and the answer (the winner, or its ancestor `level` steps up). */
static void recall_finish(am_concepts *cm, recall_arrays *a, size_t nq, size_t k)
{
    int64_t *c = amx_data(a->concepts), *ans = amx_data(a->answer);
    const unsigned char *lv = amx_data(a->level);
    for (size_t i = 0; i < nq * k; i++)
        if ((uint64_t)c[i] == (uint64_t)AM_CONCEPT_NONE)
            c[i] = -1;
    for (size_t q = 0; q < nq; q++) {
        size_t x = c[q * k] < 0 ? AM_CONCEPT_NONE : (size_t)c[q * k];
        for (int u = 0; u < lv[q] && x != AM_CONCEPT_NONE; u++)
            x = am_concepts_parent(cm, x);
        ans[q] = x == AM_CONCEPT_NONE ? -1 : (int64_t)x;
    }
}

/* Row 0 of a 2-D output of type t, as a new 1-D output (numpy or not: a memoryview cannot index a row). */
static PyObject *first_row(PyObject *a, amx_type t)
{
    return amx_copy_out(t, amx_data(a), amx_cols(a), 0, "row");
}

/* The result: arrays as they are for 2-D cues, their first row (scalars) for 1-D ones. */
static PyObject *recall_result(am_concepts *cm, recall_arrays *a, size_t nq, size_t k, int one)
{
    PyObject *lat = PyDict_New(), *labels, *label;
    for (size_t m = 0; lat && m < am_concepts_modalities(cm); m++) {
        PyObject *v = !a->out[m] ? NULL : one ? first_row(a->out[m], AMX_F32) : Py_NewRef(a->out[m]);
        if (a->out[m] && (!v || PyDict_SetItemString(lat, am_concepts_modality(cm, m)->name, v)))
            Py_CLEAR(lat);
        Py_XDECREF(v);
    }
    labels = labels_list(cm, amx_data(a->concepts), nq * k, k);
    label = labels_list(cm, amx_data(a->answer), nq, 0);
    if (!one || !lat || !labels || !label)
        return amx_namespace(7, "concepts", Py_NewRef(a->concepts), "scores", Py_NewRef(a->scores), "labels", labels,
                             "answer", Py_NewRef(a->answer), "label", label, "level", Py_NewRef(a->level), "latents",
                             lat);
    PyObject *l0 = Py_NewRef(PyList_GET_ITEM(labels, 0)), *a0 = Py_NewRef(PyList_GET_ITEM(label, 0));
    Py_DECREF(labels);
    Py_DECREF(label);
    return amx_namespace(7, "concepts", first_row(a->concepts, AMX_I64), "scores", first_row(a->scores, AMX_F32),
                         "labels", l0, "answer", PyLong_FromLongLong(((int64_t *)amx_data(a->answer))[0]), "label", a0,
                         "level", PyLong_FromLong(((unsigned char *)amx_data(a->level))[0]), "latents", lat);
}

static PyObject *Concepts_recall(amx_concepts_object *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"cues", "modality", "to", "k", "fallback", "threads", NULL};
    PyObject *o, *mo = NULL, *to = NULL, *res = NULL;
    amx_int k = AMX_INT("k", 1, 1000000, 1), threads = AMX_INT("threads", 0, 1024, 0);
    int fallback = 0, want[AM_CONCEPT_MAX_MODALITIES] = {0};
    latents l;
    recall_arrays a = {NULL, NULL, NULL, NULL, {NULL}};
    am_concepts *cm = cm_read(self, "Concepts.recall");
    if (!cm || !PyArg_ParseTupleAndKeywords(args, kw, "O|O$OO&pO&:recall", names, &o, &mo, &to, amx_int_conv, &k,
                                            &fallback, amx_int_conv, &threads) ||
        latents_from(cm, o, mo, &l, "Concepts.recall"))
        return NULL;
    size_t N = am_concepts_count(cm), kk = k.u < N ? (size_t)k.u : N;
    if (N == 0) {
        latents_free(&l);
        return amx_raise(AM_EEMPTY, "Concepts.recall: the memory holds no concepts");
    }
    if (!targets_from(cm, to, &l, want, "Concepts.recall") && !recall_arrays_new(cm, &a, l.rows, kk, want) &&
        !recall_begin(self, "Concepts.recall")) {
        am_concept_recall r = {.k = kk, .concept = amx_data(a.concepts), .score = amx_data(a.scores),
                               .fallback = fallback, .level = amx_data(a.level)};
        for (size_t m = 0; m < am_concepts_modalities(cm); m++)
            r.out[m] = a.out[m] ? amx_data(a.out[m]) : NULL;
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        int rc = run_cues(cm, l.x, l.rows, &r, NULL, (int)threads.u);
        amx_interrupt_end(&it);
        recall_end(self);
        if (rc) {
            amx_raise(rc, "Concepts.recall (%zu cues)", l.rows);
        } else {
            recall_finish(cm, &a, l.rows, kk);
            res = recall_result(cm, &a, l.rows, kk, l.one);
        }
    }
    recall_arrays_free(&a);
    latents_free(&l);
    return res;
}

static PyObject *Concepts_activation(amx_concepts_object *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"cues", "modality", "threads", NULL};
    PyObject *o, *mo = NULL, *act = NULL;
    amx_int threads = AMX_INT("threads", 0, 1024, 0);
    latents l;
    am_concepts *cm = cm_read(self, "Concepts.activation");
    if (!cm || !PyArg_ParseTupleAndKeywords(args, kw, "O|O$O&:activation", names, &o, &mo, amx_int_conv, &threads) ||
        latents_from(cm, o, mo, &l, "Concepts.activation"))
        return NULL;
    size_t N = am_concepts_count(cm);
    if (N == 0) {
        latents_free(&l);
        return amx_raise(AM_EEMPTY, "Concepts.activation: the memory holds no concepts");
    }
    if (!amx_fits_memory((double)l.rows * (double)N * sizeof(float), "fewer cues at a time",
                         "Concepts.activation (%zu cues x %zu concepts)", l.rows, N) &&
        (act = amx_new2(AMX_F32, (Py_ssize_t)l.rows, (Py_ssize_t)N, "Concepts.activation")) &&
        !recall_begin(self, "Concepts.activation")) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        int rc = run_cues(cm, l.x, l.rows, NULL, amx_data(act), (int)threads.u);
        amx_interrupt_end(&it);
        recall_end(self);
        if (rc) {
            Py_CLEAR(act);
            amx_raise(rc, "Concepts.activation (%zu cues)", l.rows);
        }
    } else {
        Py_CLEAR(act);
    }
    latents_free(&l);
    if (act && l.one) {
        PyObject *row = first_row(act, AMX_F32);
        Py_DECREF(act);
        return row;
    }
    return act;
}

/* The nearest concept of each row of l in modality m (GIL released). */
static int nearest_rows(am_concepts *cm, size_t m, const latents *l, int64_t *ix, double *d)
{
    size_t dim = am_concepts_modality(cm, m)->dim;
    int rc = AM_OK;
    for (size_t r = 0; r < l->rows && !rc; r++) {
        size_t c = AM_CONCEPT_NONE;
        if (r % ROW_CHUNK == ROW_CHUNK - 1 && (rc = am_cancel_poll()))
            break;
        rc = am_concepts_nearest(cm, m, l->x[m] + r * dim, &c, &d[r]);
        ix[r] = c == AM_CONCEPT_NONE ? -1 : (int64_t)c;
    }
    return rc;
}

/* nearest(x, modality): the nearest concept by the locality rule, and its distance. */
static PyObject *Concepts_nearest(amx_concepts_object *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "modality", NULL};
    PyObject *o, *mo, *idx = NULL, *dist = NULL, *res = NULL;
    size_t m;
    latents l;
    am_concepts *cm = cm_read(self, "Concepts.nearest");
    if (!cm || !PyArg_ParseTupleAndKeywords(args, kw, "OO:nearest", names, &o, &mo) ||
        modality_arg(cm, mo, &m, "Concepts.nearest") || latents_from(cm, o, mo, &l, "Concepts.nearest"))
        return NULL;
    if ((idx = amx_new1(AMX_I64, (Py_ssize_t)l.rows, "nearest")) &&
        (dist = amx_new1(AMX_F64, (Py_ssize_t)l.rows, "nearest")) && !amx_use_read(&self->use, "Concepts.nearest")) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        int rc = nearest_rows(cm, m, &l, amx_data(idx), amx_data(dist));
        amx_interrupt_end(&it);
        amx_use_done(&self->use);
        if (rc)
            amx_raise(rc, "Concepts.nearest (%zu rows)", l.rows);
        else if (!l.one)
            res = PyTuple_Pack(2, idx, dist);
        else if (((int64_t *)amx_data(idx))[0] < 0)
            res = Py_BuildValue("(Od)", Py_None, ((double *)amx_data(dist))[0]);
        else
            res = Py_BuildValue("(Ld)", (long long)((int64_t *)amx_data(idx))[0], ((double *)amx_data(dist))[0]);
    }
    Py_XDECREF(idx);
    Py_XDECREF(dist);
    latents_free(&l);
    return res;
}

/* ------------------------------------------------------------------------------------------------ */
/* Accessors */

static PyObject *Concepts_get_count(amx_concepts_object *self, void *u)
{
    (void)u;
    am_concepts *cm = cm_of(self);
    return cm ? PyLong_FromSize_t(am_concepts_count(cm)) : NULL;
}

static Py_ssize_t Concepts_len(amx_concepts_object *self)
{
    return self->cm ? (Py_ssize_t)am_concepts_count(self->cm) : 0;
}

/* Every concept's label, by index. */
PyObject *amx_concepts_labels(am_concepts *cm)
{
    PyObject *list = PyList_New((Py_ssize_t)am_concepts_count(cm));
    for (size_t c = 0; list && c < am_concepts_count(cm); c++) {
        PyObject *s = amx_str(am_concepts_label(cm, c));
        if (!s)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)c, s);
    }
    return list;
}

static PyObject *Concepts_get_labels(amx_concepts_object *self, void *u)
{
    (void)u;
    am_concepts *cm = cm_read(self, "Concepts.labels");
    return cm ? amx_concepts_labels(cm) : NULL;
}

static PyObject *Concepts_get_ids(amx_concepts_object *self, void *u)
{
    (void)u;
    am_concepts *cm = cm_read(self, "Concepts.ids");
    PyObject *a = cm ? amx_new1(AMX_I64, (Py_ssize_t)am_concepts_count(cm), "Concepts.ids") : NULL;
    for (size_t c = 0; a && c < am_concepts_count(cm) && c < (size_t)amx_dim(a, 0); c++)
        ((int64_t *)amx_data(a))[c] = (int64_t)am_concepts_id(cm, c);
    return a;
}

static PyObject *Concepts_get_modalities(amx_concepts_object *self, void *u)
{
    (void)u;
    am_concepts *cm = cm_of(self);
    PyObject *list = cm ? PyList_New(0) : NULL;
    for (size_t m = 0; list && m < am_concepts_modalities(cm); m++) {
        const am_modality *md = am_concepts_modality(cm, m);
        PyObject *t = Py_BuildValue("(sn)", md->name, (Py_ssize_t)md->dim);
        if (!t || PyList_Append(list, t))
            Py_CLEAR(list);
        Py_XDECREF(t);
    }
    return list;
}

static PyObject *Concepts_get_config(amx_concepts_object *self, void *u)
{
    (void)u;
    am_concepts *cm = cm_of(self);
    return cm ? config_dict(am_concepts_get_config(cm)) : NULL;
}

static PyObject *Concepts_get_bytes(amx_concepts_object *self, void *u)
{
    (void)u;
    am_concepts *cm = cm_read(self, "Concepts.bytes");
    return cm ? PyLong_FromSize_t(am_concepts_bytes(cm)) : NULL;
}

static PyObject *Concepts_modality(amx_concepts_object *self, PyObject *arg)
{
    size_t m;
    am_concepts *cm = cm_of(self);
    if (!cm || modality_arg(cm, arg, &m, "Concepts.modality"))
        return NULL;
    const am_modality *md = am_concepts_modality(cm, m);
    return amx_namespace(4, "name", amx_str(md->name), "dim", PyLong_FromSize_t(md->dim), "radius",
                         PyFloat_FromDouble(md->radius), "encoder", amx_str(md->encoder));
}

static PyObject *Concepts_set_modality(amx_concepts_object *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"name", "radius", "encoder", NULL};
    PyObject *mo, *ro = NULL, *eo = NULL;
    double radius = 0.0;
    char enc[128];
    size_t m;
    am_concepts *cm = cm_of(self);
    if (!cm || !PyArg_ParseTupleAndKeywords(args, kw, "O|$OO:set_modality", names, &mo, &ro, &eo) ||
        modality_arg(cm, mo, &m, "Concepts.set_modality") || (ro && ro != Py_None && radius_from(ro, &radius)) ||
        (eo && eo != Py_None && text_arg(eo, enc, sizeof enc, "encoder")) ||
        amx_use_write(&self->use, "Concepts.set_modality"))
        return NULL;
    int rc = ro && ro != Py_None ? am_concepts_set_radius(cm, m, radius) : AM_OK;
    if (!rc && eo && eo != Py_None)
        rc = am_concepts_set_encoder(cm, m, enc);
    amx_use_done(&self->use);
    return rc ? amx_raise(rc, "Concepts.set_modality") : Py_NewRef(Py_None);
}

/* A dict {modality: f(c, m)}. */
static PyObject *per_modality(am_concepts *cm, size_t c, PyObject *(*f)(am_concepts *, size_t, size_t))
{
    PyObject *d = PyDict_New();
    for (size_t m = 0; d && m < am_concepts_modalities(cm); m++) {
        PyObject *v = f(cm, c, m);
        if (!v || PyDict_SetItemString(d, am_concepts_modality(cm, m)->name, v))
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

static PyObject *exemplar_count(am_concepts *cm, size_t c, size_t m)
{
    return PyLong_FromSize_t(am_concepts_exemplars(cm, c, m));
}

/* rows x dim floats of the memory, copied after the output exists (its allocation may run Python code). */
static PyObject *rows_out(am_concepts *cm, size_t c, size_t m, int proto)
{
    size_t dim = am_concepts_modality(cm, m)->dim, n = proto ? 1 : am_concepts_exemplars(cm, c, m);
    if (proto && !am_concepts_prototype(cm, c, m))
        return Py_NewRef(Py_None);
    PyObject *a = proto ? amx_new1(AMX_F32, (Py_ssize_t)dim, "prototype")
                        : amx_new2(AMX_F32, (Py_ssize_t)n, (Py_ssize_t)dim, "exemplars");
    if (!a)
        return NULL;
    if (c >= am_concepts_count(cm) || (!proto && am_concepts_exemplars(cm, c, m) != n) ||
        (proto && !am_concepts_prototype(cm, c, m))) {
        Py_DECREF(a);
        return PyErr_Format(PyExc_RuntimeError, "the memory changed while its rows were copied"), NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const float *src = proto ? am_concepts_prototype(cm, c, m) : am_concepts_exemplar(cm, c, m, i);
        memcpy((float *)amx_data(a) + i * dim, src, dim * sizeof(float));
    }
    return a;
}

static PyObject *prototype_of(am_concepts *cm, size_t c, size_t m) { return rows_out(cm, c, m, 1); }

static PyObject *concept_parent(am_concepts *cm, size_t c)
{
    size_t p = am_concepts_parent(cm, c);
    return p == AM_CONCEPT_NONE ? Py_NewRef(Py_None) : PyLong_FromSize_t(p);
}

static PyObject *concept_children(am_concepts *cm, size_t c)
{
    size_t n = am_concepts_children(cm, c, NULL, 0), *kids = PyMem_Malloc((n + 1) * sizeof *kids);
    if (!kids)
        return PyErr_NoMemory();
    am_concepts_children(cm, c, kids, n);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *v = PyLong_FromSize_t(kids[i]);
        if (!v)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, v);
    }
    PyMem_Free(kids);
    return list;
}

static PyObject *Concepts_concept(amx_concepts_object *self, PyObject *arg)
{
    size_t c;
    am_concepts *cm = cm_read(self, "Concepts.concept");
    if (!cm || concept_arg(cm, arg, &c, "Concepts.concept"))
        return NULL;
    return amx_namespace(8, "index", PyLong_FromSize_t(c), "id", PyLong_FromUnsignedLongLong(am_concepts_id(cm, c)),
                         "label", amx_str(am_concepts_label(cm, c)), "parent", concept_parent(cm, c), "children",
                         concept_children(cm, c), "observations",
                         PyLong_FromUnsignedLongLong(am_concepts_observations(cm, c)), "exemplars",
                         per_modality(cm, c, exemplar_count), "prototypes", per_modality(cm, c, prototype_of));
}

static PyObject *Concepts_exemplars(amx_concepts_object *self, PyObject *args)
{
    PyObject *co, *mo;
    size_t c, m;
    am_concepts *cm = cm_read(self, "Concepts.exemplars");
    if (!cm || !PyArg_ParseTuple(args, "OO:exemplars", &co, &mo) || concept_arg(cm, co, &c, "Concepts.exemplars") ||
        modality_arg(cm, mo, &m, "Concepts.exemplars"))
        return NULL;
    return rows_out(cm, c, m, 0);
}

static PyObject *Concepts_prototypes(amx_concepts_object *self, PyObject *arg)
{
    size_t m;
    am_concepts *cm = cm_read(self, "Concepts.prototypes");
    if (!cm || modality_arg(cm, arg, &m, "Concepts.prototypes"))
        return NULL;
    size_t N = am_concepts_count(cm), dim = am_concepts_modality(cm, m)->dim;
    PyObject *a = amx_new2(AMX_F32, (Py_ssize_t)N, (Py_ssize_t)dim, "Concepts.prototypes");
    if (!a || N != am_concepts_count(cm)) {
        Py_XDECREF(a);
        return a ? PyErr_Format(PyExc_RuntimeError, "the memory changed while its rows were copied"), NULL : NULL;
    }
    for (size_t c = 0; c < N; c++) {
        const float *p = am_concepts_prototype(cm, c, m);
        float *row = (float *)amx_data(a) + c * dim;
        for (size_t j = 0; j < dim; j++)
            row[j] = p ? p[j] : NAN;
    }
    return a;
}

static PyObject *Concepts_find(amx_concepts_object *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"label", "id", NULL};
    const char *label = NULL;
    amx_int id = AMX_INT("id", 0, UINT64_MAX, 0);
    PyObject *ido = NULL;
    am_concepts *cm = cm_read(self, "Concepts.find");
    if (!cm || !PyArg_ParseTupleAndKeywords(args, kw, "|z$O:find", names, &label, &ido) ||
        (ido && ido != Py_None && amx_int_from(ido, &id)))
        return NULL;
    if (!label == !(ido && ido != Py_None))
        return PyErr_Format(PyExc_TypeError, "Concepts.find: give a label or id=, one of them");
    size_t c = label ? (label[0] ? am_concepts_find_label(cm, label) : AM_CONCEPT_NONE)
                     : am_concepts_find_id(cm, (uint64_t)id.u);
    return c == AM_CONCEPT_NONE ? Py_NewRef(Py_None) : PyLong_FromSize_t(c);
}

/* ------------------------------------------------------------------------------------------------ */
/* Changes: forget, set_label, set_parent */

static PyObject *Concepts_forget(amx_concepts_object *self, PyObject *arg)
{
    size_t c;
    am_concepts *cm = cm_of(self);
    if (!cm || concept_arg(cm, arg, &c, "Concepts.forget") || amx_use_write(&self->use, "Concepts.forget"))
        return NULL;
    int rc = am_concepts_forget(cm, c);
    amx_use_done(&self->use);
    return rc ? amx_raise(rc, "Concepts.forget(%zu)", c) : Py_NewRef(Py_None);
}

static PyObject *Concepts_set_label(amx_concepts_object *self, PyObject *args)
{
    PyObject *co, *lo;
    char buf[AM_CONCEPT_LABEL_MAX + 1];
    size_t c;
    am_concepts *cm = cm_of(self);
    if (!cm || !PyArg_ParseTuple(args, "OO:set_label", &co, &lo) || concept_arg(cm, co, &c, "Concepts.set_label") ||
        text_arg(lo, buf, sizeof buf, "Concepts.set_label: label"))
        return NULL;
    size_t other = buf[0] ? am_concepts_find_label(cm, buf) : AM_CONCEPT_NONE;
    if (other != AM_CONCEPT_NONE && other != c)
        return amx_value_error("Concepts.set_label: concept %zu is labelled '%s' already", other, buf);
    if (amx_use_write(&self->use, "Concepts.set_label"))
        return NULL;
    int rc = am_concepts_set_label(cm, c, buf);
    amx_use_done(&self->use);
    return rc ? amx_raise(rc, "Concepts.set_label(%zu, '%s')", c, buf) : Py_NewRef(Py_None);
}

static PyObject *Concepts_set_parent(amx_concepts_object *self, PyObject *args)
{
    PyObject *co, *po;
    size_t c, p = AM_CONCEPT_NONE;
    am_concepts *cm = cm_of(self);
    if (!cm || !PyArg_ParseTuple(args, "OO:set_parent", &co, &po) || concept_arg(cm, co, &c, "Concepts.set_parent") ||
        (po != Py_None && concept_arg(cm, po, &p, "Concepts.set_parent")) ||
        amx_use_write(&self->use, "Concepts.set_parent"))
        return NULL;
    int rc = am_concepts_set_parent(cm, c, p);
    amx_use_done(&self->use);
    if (rc == AM_EINVAL)
        return amx_value_error("Concepts.set_parent: concept %zu cannot be the parent of %zu (itself or a "
                               "descendant)", p, c);
    return rc ? amx_raise(rc, "Concepts.set_parent") : Py_NewRef(Py_None);
}

/* ------------------------------------------------------------------------------------------------ */
/* clone, save, load, repr */

static PyObject *Concepts_clone(amx_concepts_object *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {AMX_CONCEPTS_KW_NAMES, NULL};
    amx_concepts_kw a;
    am_concepts *cm = cm_of(self), *out = NULL;
    if (!cm)
        return NULL;
    am_concepts_config cfg = *am_concepts_get_config(cm);
    amx_concepts_kw_init(&a, &cfg);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$" AMX_CONCEPTS_KW_FMT ":clone", names, AMX_CONCEPTS_KW_PTRS(a)) ||
        amx_concepts_kw_apply(&a, &cfg, "Concepts.clone") || amx_use_read(&self->use, "Concepts.clone"))
        return NULL;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_concepts_clone(&out, cm, &cfg);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    if (rc)
        return amx_raise(rc, "Concepts.clone");
    return (PyObject *)amx_concepts_wrap(out, NULL);
}

static PyObject *Concepts_repr(amx_concepts_object *self)
{
    if (!self->cm)
        return PyUnicode_FromString("<am.Concepts (not initialised)>");
    PyObject *mods = Concepts_get_modalities(self, NULL);
    if (!mods)
        return NULL;
    PyObject *r = PyUnicode_FromFormat("<am.Concepts binding=%s modalities=%R: %zu concepts>",
                                       am_binding_name(am_concepts_get_config(self->cm)->binding), mods,
                                       am_concepts_count(self->cm));
    Py_DECREF(mods);
    return r;
}

/* Concepts.save and Concepts.load go through the database (amx_concepts_save, amx_concepts_load: conceptdb.c). */

static PyObject *Concepts_save(amx_concepts_object *self, PyObject *path)
{
    return cm_of(self) ? amx_concepts_save(self, path) : NULL;
}

static PyObject *Concepts_load(PyObject *cls, PyObject *args, PyObject *kw)
{
    PyObject *path;
    (void)cls;
    if (!PyArg_ParseTuple(args, "O:load", &path))
        return NULL;
    return amx_concepts_load(path, kw);
}

static PyMethodDef Concepts_methods[] = {
    {"observe", (PyCFunction)(void (*)(void))Concepts_observe, METH_VARARGS | METH_KEYWORDS,
     "observe(latents, label=None) -> index, or an int64 array of indices\n"
     "Synchrony: the latents presented together, latents = {modality: array}, are bound to one concept: the concept\n"
     "labelled `label` (made when there is none), or without a label the nearest concept within the first given\n"
     "modality's radius, or a new one. 1-D arrays are one observation; 2-D arrays (the same rows in every modality)\n"
     "are one observation a row, with label None, one str for all rows, or one str/None a row.\n"
     "    >>> c.observe({'image': zi, 'word': zw}, ['shirt', 'bag', 'boot'])   # one row per observation\n"
     "Ctrl-C stops between rows; the rows before the stop stay observed."},
    {"assign", (PyCFunction)(void (*)(void))Concepts_assign, METH_VARARGS | METH_KEYWORDS,
     "assign(x, modality) -> index (or indices for rows)\n"
     "Locality: a lone exemplar of one modality joins the nearest concept within that modality's radius, or opens\n"
     "a new unlabelled concept.\n"
     "    >>> c.assign(zi[0] + 0.01, 'image')                   # the concept of zi[0]: 0"},
    {"recall", (PyCFunction)(void (*)(void))Concepts_recall, METH_VARARGS | METH_KEYWORDS,
     "recall(cues, modality=None, *, to=None, k=1, fallback=False, threads=0) -> namespace\n"
     "Cue in one modality (recall(x, 'word')) or several ({'word': x, 'image': y}, the same rows), rank the concepts\n"
     "by the binding mechanism's activation, and read out the latents of the modalities `to` (a name, a list of\n"
     "names; None: every modality not cued). Result: concepts (int64, cues x k, best first, -1: none), scores\n"
     "(float32), labels (their labels), answer (the concept read out: the winner or, with fallback=True, the\n"
     "ancestor the cue's radius leads to), label (its label), level (levels gone up), latents ({modality: array}).\n"
     "A 1-D cue gives one row (scalars). k is cut to the number of concepts. threads: 0 all.\n"
     "    >>> r = c.recall(zw, 'word', to='image', k=3)\n"
     "    >>> r.labels[0], r.latents['image'].shape"},
    {"activation", (PyCFunction)(void (*)(void))Concepts_activation, METH_VARARGS | METH_KEYWORDS,
     "activation(cues, modality=None, *, threads=0) -> float32 array (cues x count)\n"
     "Every concept unit's activation for each cue (kv: softmax mass; hebb: normalised Hebbian input; hrr: trace .\n"
     "probe): selectivity and invariance are measured from it.\n"
     "    >>> a = c.activation(zi, 'image'); a.argmax(1)        # each image's own concept"},
    {"nearest", (PyCFunction)(void (*)(void))Concepts_nearest, METH_VARARGS | METH_KEYWORDS,
     "nearest(x, modality) -> (index or None, distance), or (int64 array with -1, float64 array) for rows\n"
     "The concept nearest x by the locality rule (Euclidean distance to the prototype, or to the nearest exemplar\n"
     "with locality='exemplar').\n\n"
     "    >>> c.nearest(zi[1] + 0.01, 'image')               # (1, distance)"},
    {"modality", (PyCFunction)Concepts_modality, METH_O,
     "modality(name) -> namespace(name, dim, radius, encoder)\n\n"
     "    >>> c.modality('word').dim                          # 32"},
    {"set_modality", (PyCFunction)(void (*)(void))Concepts_set_modality, METH_VARARGS | METH_KEYWORDS,
     "set_modality(name, *, radius=None, encoder=None)\n"
     "Change a modality's locality radius (>= 0, inf: always join the nearest) or the description of what makes its\n"
     "latents (recorded by ConceptDB.sync with every exemplar written after).\n\n"
     "    >>> c.set_modality('image', radius=2.0, encoder='pca:64'); c.modality('image').radius"},
    {"concept", (PyCFunction)Concepts_concept, METH_O,
     "concept(c) -> namespace(index, id, label, parent, children, observations, exemplars, prototypes)\n"
     "One concept (by index or label) in full: exemplars per modality, prototypes per modality (None: none).\n\n"
     "    >>> k = c.concept('bag'); k.index, k.label, k.observations"},
    {"exemplars", (PyCFunction)Concepts_exemplars, METH_VARARGS,
     "exemplars(c, modality) -> float32 array (exemplars x dim)\nThe latents observed for concept c (index or label).\n\n"
     "    >>> c.exemplars('boot', 'word').shape                 # (1, 32)"},
    {"prototypes", (PyCFunction)Concepts_prototypes, METH_O,
     "prototypes(modality) -> float32 array (count x dim)\n"
     "Every concept's prototype in a modality (the mean of its exemplars, or of its children's prototypes); a row\n"
     "of NaN for a concept without one.\n\n"
     "    >>> c.prototypes('image').shape                      # (3, 64)"},
    {"find", (PyCFunction)(void (*)(void))Concepts_find, METH_VARARGS | METH_KEYWORDS,
     "find(label=None, *, id=None) -> index or None\nThe concept of a label, or of a stable id (Concepts.ids).\n\n"
     "    >>> c.find('boot'), c.find('hat')                   # 2, None"},
    {"forget", (PyCFunction)Concepts_forget, METH_O,
     "forget(c)\nForget concept c (index or label) with its exemplars; its children move to its parent. Indices\n"
     "after c shift down by one (ids stay).\n\n"
     "    >>> c.forget('bag'); len(c), c.find('boot')           # 2, 1"},
    {"set_label", (PyCFunction)Concepts_set_label, METH_VARARGS,
     "set_label(c, label)\nLabel concept c (1 .. 255 bytes, no control characters; '' removes the label).\n\n"
     "    >>> c.set_label(0, 'tee'); c.find('tee')             # 0"},
    {"set_parent", (PyCFunction)Concepts_set_parent, METH_VARARGS,
     "set_parent(c, parent)\nHierarchy: parent (index, label or None) becomes c's parent (not c or a descendant).\n\n"
     "    >>> c.set_parent('shirt', 'boot'); c.concept('boot').children   # shirt under boot (a toy hierarchy)"},
    {"clone", (PyCFunction)(void (*)(void))Concepts_clone, METH_VARARGS | METH_KEYWORDS,
     "clone(*, binding=None, locality=None, similarity=None, beta=None, bits=None,"
     " hrr_dim=None, cleanup=None, seed=None) -> Concepts\n"
     "A copy with the same concepts and exemplars, and this configuration\n"
     "changed by the keywords given (those of Concepts()): compare mechanisms on one memory.\n"
     "    >>> h = c.clone(binding='hebb')"},
    {"save", (PyCFunction)Concepts_save, METH_O,
     "save(path)\nWrite the memory into a new concept database (directory path, which must not exist; written\n"
     "beside it and renamed when complete). ConceptDB(path) or Concepts.load(path) read it.\n\n"
     "    >>> c.save('copy.db'); len(am.Concepts.load('copy.db'))   # 3"},
    {"load", (PyCFunction)(void (*)(void))Concepts_load, METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "Concepts.load(path, *, binding=None, locality=None, similarity=None, beta=None, bits=None,"
     " hrr_dim=None, cleanup=None, seed=None)\n"
     "-> Concepts. Read a concept database (the stored configuration,\n"
     "changed by the keywords given).\n\n"
     "    >>> d = am.Concepts.load('concepts.db', binding='hebb'); len(d), d.recall(zw, 'word').label"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Concepts_getset[] = {
    {"count", (getter)Concepts_get_count, NULL, "number of concepts (also len())", NULL},
    {"labels", (getter)Concepts_get_labels, NULL, "every concept's label ('' unlabelled), by index", NULL},
    {"ids", (getter)Concepts_get_ids, NULL, "every concept's stable id (int64), by index", NULL},
    {"modalities", (getter)Concepts_get_modalities, NULL, "[(name, dim)] in order", NULL},
    {"config", (getter)Concepts_get_config, NULL, "the configuration as a dict (the keywords of Concepts())", NULL},
    {"bytes", (getter)Concepts_get_bytes, NULL, "bytes the memory and its built mechanism hold", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Concepts_seq = {.sq_length = (lenfunc)Concepts_len};

static PyTypeObject ConceptsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Concepts",
    .tp_basicsize = sizeof(amx_concepts_object),
    .tp_dealloc = (destructor)Concepts_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_weaklistoffset = offsetof(amx_concepts_object, weakrefs),
    .tp_doc =
        "Concepts(modalities, *, binding='kv', locality='prototype', similarity='dot', beta=8.0, bits=0, hrr_dim=1024,\n"
        "         cleanup='modern', seed=1)\n"
        "Concept cells (am/concept.h): a layer of concept nodes over several latent spaces. modalities: a list of\n"
        "(name, dim[, radius[, encoder]]): 1 .. 8 modalities, names of letters, digits, '_', '-'; radius: the\n"
        "locality radius (default inf); encoder: what makes the latents. A node keeps its exemplars per modality,\n"
        "their prototype (mean), a label and a parent.\n"
        "binding: the mechanism recall uses (am.binding_types): 'kv' key-value modern Hopfield (beta: inverse\n"
        "temperature; similarity 'dot' or 'euclid'), 'hebb' Hebbian hetero-association through +-1 codes (bits:\n"
        "code units per modality, 0: 4 x dim up to 4096), 'hrr' one holographic trace per concept (hrr_dim: its\n"
        "dimension; cleanup: the store type that cleans up the read-out). locality: how a lone latent finds its\n"
        "node ('prototype' or 'exemplar' distance). seed: the random projections and roles of hebb and hrr.\n"
        "\n"
        "    >>> g = np.random.default_rng(1); zi = g.normal(size=(3, 64)); zw = g.normal(size=(3, 32))\n"
        "    >>> c = am.Concepts([('image', 64), ('word', 32)], binding='kv', beta=16)\n"
        "    >>> c.observe({'image': zi, 'word': zw}, ['shirt', 'bag', 'boot'])   # rows: one observation each\n"
        "    >>> r = c.recall(zw + 0.1 * g.normal(size=(3, 32)), 'word', to='image', k=2)\n"
        "    >>> r.label, r.latents['image'].shape   # ['shirt', 'bag', 'boot']: the noisy word cues' concepts\n"
        "    >>> c.save('concepts.db'); d = am.Concepts.load('concepts.db')",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Concepts_init,
    .tp_repr = (reprfunc)Concepts_repr,
    .tp_methods = Concepts_methods,
    .tp_getset = Concepts_getset,
    .tp_as_sequence = &Concepts_seq,
};

/* ------------------------------------------------------------------------------------------------ */

static PyObject *binding_types(PyObject *mod, PyObject *unused)
{
    (void)mod;
    (void)unused;
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && am_binding_types[i]; i++) {
        PyObject *s = PyUnicode_FromString(am_binding_name(am_binding_types[i]));
        if (!s || PyList_Append(list, s))
            Py_CLEAR(list);
        Py_XDECREF(s);
    }
    return list;
}

static PyMethodDef concepts_functions[] = {
    {"binding_types", binding_types, METH_NOARGS,
     "binding_types() -> ['kv', 'hebb', 'hrr']\nThe binding mechanisms of concept memories (Concepts(binding=...)).\n\n"
     "    >>> am.binding_types()"},
    {NULL, NULL, 0, NULL},
};

int amx_init_concepts(PyObject *m)
{
    if (amx_add_type(m, "Concepts", &ConceptsType) || PyModule_AddFunctions(m, concepts_functions) < 0)
        return -1;
    return 0;
}
