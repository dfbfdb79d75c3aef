/* conceptdb.c — am.ConceptDB: the concept store in LMDB (am/conceptdb.h): open, init, sync, load, stats, list,
 * export; and Concepts.save / Concepts.load, which go through it. The memories themselves are concepts.c (what
 * the two share: concepts.h).
 *
 * A ConceptDB handle serves one call at a time (its `use` mark); a call that writes a memory into the database
 * (init, sync) also has that memory alone. The database calls run with the GIL released. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "concepts.h"
#include "am/conceptdb.h"

typedef struct {
    PyObject_HEAD am_conceptdb *db;
    char *path;   /* as given, for messages */
    char *real;   /* realpath(path) */
    int readonly;
    amx_use use;  /* every call has the handle alone */
    PyObject *weakrefs;
} ConceptDBObject;

/* ------------------------------------------------------------------------------------------------ */
/* ConceptDB(path, mode='r') */

static void db_close(ConceptDBObject *self)
{
    am_conceptdb *db = self->db;
    self->db = NULL;
    if (db) {
        Py_BEGIN_ALLOW_THREADS
        am_conceptdb_close(db);
        Py_END_ALLOW_THREADS
    }
}

static void ConceptDB_dealloc(ConceptDBObject *self)
{
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    db_close(self);
    free(self->path);
    free(self->real);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The error of a database call: the database's own message when it has one. */
static PyObject *db_raise(am_conceptdb *db, int rc, const char *what, const char *path)
{
    const char *msg = db ? am_conceptdb_message(db) : "";
    if (msg && msg[0])
        return amx_raise(rc, "%s '%s': %s", what, path, msg);
    return amx_raise(rc, "%s '%s'", what, path);
}

/* Open path with flags, GIL released; the error names the path and what the database says. */
static int db_open(const char *path, int flags, size_t map_bytes, am_conceptdb **db, const char *what)
{
    char err[512] = "";
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = am_conceptdb_open(db, path, flags, map_bytes, err, sizeof err);
    Py_END_ALLOW_THREADS
    if (!rc)
        return 0;
    if (err[0])
        amx_raise(rc, "%s '%s': %s", what, path, err);
    else
        amx_raise(rc, "%s '%s'", what, path);
    return -1;
}

static int ConceptDB_init(ConceptDBObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"path", "mode", "map_bytes", NULL};
    PyObject *po, *bytes = NULL;
    const char *mode = "r";
    amx_int map = AMX_INT("map_bytes", 0, (unsigned long long)SIZE_MAX / 2, 0);
    if (self->db || self->path)
        return amx_value_error("a ConceptDB is opened once (make another)"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|s$O&:ConceptDB", names, &po, &mode, amx_int_conv, &map) ||
        amx_path(po, &bytes))
        return -1;
    int flags = !strcmp(mode, "r")   ? AM_CONCEPTDB_READONLY
                : !strcmp(mode, "w") ? 0
                : !strcmp(mode, "c") ? AM_CONCEPTDB_CREATE
                                     : -1;
    const char *path = PyBytes_AS_STRING(bytes);
    int rc = -1;
    if (flags < 0)
        amx_value_error("ConceptDB: mode '%s' is not 'r' (read), 'w' (read and write) or 'c' (create if missing)",
                        mode);
    else if (!(self->path = strdup(path)))
        amx_no_memory("ConceptDB");
    else if (!db_open(path, flags, (size_t)map.u, &self->db, "ConceptDB: cannot open the concept database")) {
        self->readonly = flags == AM_CONCEPTDB_READONLY;
        self->real = realpath(path, NULL);
        rc = self->real ? 0 : -1;
        if (rc)
            amx_raise(AM_ERRNO(errno), "ConceptDB: '%s'", path);
    }
    Py_DECREF(bytes);
    return rc;
}

/* The open handle for a call that has it alone (use_done after); NULL with the exception set. */
static am_conceptdb *db_begin(ConceptDBObject *self, int write, const char *what)
{
    if (!self->db) {
        PyErr_Format(PyExc_ValueError, "%s: the ConceptDB is closed%s", what, self->path ? "" : " (never opened)");
        return NULL;
    }
    if (write && self->readonly) {
        PyErr_Format(PyExc_ValueError, "%s: '%s' was opened read-only (mode 'r'; open it with mode 'w' or 'c')",
                     what, self->path);
        return NULL;
    }
    return amx_use_write(&self->use, what) ? NULL : self->db;
}

static PyObject *ConceptDB_close(ConceptDBObject *self, PyObject *unused)
{
    (void)unused;
    if (self->db && amx_use_write(&self->use, "ConceptDB.close"))
        return NULL;
    db_close(self);
    amx_use_done(&self->use);
    return Py_NewRef(Py_None);
}

static PyObject *ConceptDB_enter(ConceptDBObject *self, PyObject *unused)
{
    (void)unused;
    if (!self->db)
        return PyErr_Format(PyExc_ValueError, "ConceptDB: the database is closed");
    return Py_NewRef(self);
}

static PyObject *ConceptDB_exit(ConceptDBObject *self, PyObject *args)
{
    (void)args;
    PyObject *r = ConceptDB_close(self, NULL);
    if (!r)
        return NULL;
    Py_DECREF(r);
    return Py_NewRef(Py_False);
}

/* Load the snapshot into a new memory (cfg NULL: the stored configuration), GIL released. */
static int db_load(ConceptDBObject *self, am_conceptdb *db, am_concepts **cm, const am_concepts_config *cfg,
                   const char *what)
{
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = am_conceptdb_load(db, cm, cfg);
    Py_END_ALLOW_THREADS
    if (rc)
        db_raise(db, rc, what, self->path);
    return rc ? -1 : 0;
}

/* Load with the stored configuration changed by the keywords in kw (the stored one read first). */
static am_concepts *db_load_with(ConceptDBObject *self, am_conceptdb *db, PyObject *kw, const char *what)
{
    static char *names[] = {AMX_CONCEPTS_KW_NAMES, NULL};
    am_concepts *cm = NULL;
    amx_concepts_kw a;
    PyObject *empty = PyTuple_New(0);
    if (!empty || db_load(self, db, &cm, NULL, what) || !amx_concepts_kw_given(kw)) {
        Py_XDECREF(empty);
        return cm;
    }
    am_concepts_config cfg = *am_concepts_get_config(cm);
    amx_concepts_kw_init(&a, &cfg);
    am_concepts_free(cm);
    cm = NULL;
    if (PyArg_ParseTupleAndKeywords(empty, kw, "|$" AMX_CONCEPTS_KW_FMT ":load", names, AMX_CONCEPTS_KW_PTRS(a)) &&
        !amx_concepts_kw_apply(&a, &cfg, what))
        db_load(self, db, &cm, &cfg, what);
    Py_DECREF(empty);
    return cm;
}

static PyObject *ConceptDB_load(ConceptDBObject *self, PyObject *args, PyObject *kw)
{
    am_conceptdb *db;
    if (PyTuple_GET_SIZE(args))
        return PyErr_Format(PyExc_TypeError, "ConceptDB.load takes keywords only (those of Concepts())");
    if (!(db = db_begin(self, 0, "ConceptDB.load")))
        return NULL;
    am_concepts *cm = db_load_with(self, db, kw, "ConceptDB.load");
    amx_use_done(&self->use);
    return cm ? (PyObject *)amx_concepts_wrap(cm, self->real) : NULL;
}


/* May cm be written into this database? It must come from it, or be new and the database hold no concepts. */
static int db_may_sync(ConceptDBObject *self, am_conceptdb *db, amx_concepts_object *c, const char *what)
{
    am_conceptdb_stats st;
    int rc = AM_OK;
    if (c->tied)
        return strcmp(c->tied, self->real) ? amx_value_error("%s: this memory belongs to the database '%s' (loaded "
                                                             "from it or synced to it); save a copy with "
                                                             "Concepts.save, or sync a clone()", what, c->tied), -1 : 0;
    if (!am_conceptdb_has_layout(db))
        return 0;
    Py_BEGIN_ALLOW_THREADS
    rc = am_conceptdb_stats_get(db, &st);
    Py_END_ALLOW_THREADS
    if (rc)
        return db_raise(db, rc, what, self->path), -1;
    if (st.next_id > 1)
        return amx_value_error("%s: '%s' holds concepts this memory did not come from; load it (ConceptDB.load), "
                               "change that memory and sync it", what, self->path), -1;
    return 0;
}

/* init (layout only) or sync (everything changed) of a Concepts. */
static PyObject *db_write(ConceptDBObject *self, PyObject *arg, int sync, const char *what)
{
    amx_concepts_object *c = amx_concepts_arg(arg, what);
    am_conceptdb *db = c ? db_begin(self, 1, what) : NULL;
    int rc;
    if (!db)
        return NULL;
    if (!sync && am_conceptdb_has_layout(db)) {
        amx_use_done(&self->use);
        return amx_value_error("%s: '%s' has its layout already (ConceptDB.load it)", what, self->path);
    }
    if (db_may_sync(self, db, c, what) || amx_use_write(&c->use, what)) {
        amx_use_done(&self->use);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = sync ? am_conceptdb_sync(db, c->cm) : am_conceptdb_init(db, c->cm);
    Py_END_ALLOW_THREADS
    amx_use_done(&c->use);
    amx_use_done(&self->use);
    if (rc == AM_ESIZE)
        return amx_value_error("%s: the memory's modalities are not those of '%s'", what, self->path);
    if (rc)
        return db_raise(db, rc, what, self->path);
    if (!c->tied && !(c->tied = strdup(self->real)))
        return amx_no_memory("%s", what);
    return Py_NewRef(Py_None);
}

static PyObject *ConceptDB_init_layout(ConceptDBObject *self, PyObject *arg)
{
    return db_write(self, arg, 0, "ConceptDB.init");
}

static PyObject *ConceptDB_sync(ConceptDBObject *self, PyObject *arg)
{
    return db_write(self, arg, 1, "ConceptDB.sync");
}

static PyObject *ConceptDB_stats(ConceptDBObject *self, PyObject *unused)
{
    am_conceptdb_stats st;
    am_concepts *cm = NULL;
    am_conceptdb *db = db_begin(self, 0, "ConceptDB.stats");
    int rc;
    (void)unused;
    if (!db)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = am_conceptdb_stats_get(db, &st);
    Py_END_ALLOW_THREADS
    if (rc || (am_conceptdb_has_layout(db) && db_load(self, db, &cm, NULL, "ConceptDB.stats"))) {
        amx_use_done(&self->use);
        return rc ? db_raise(db, rc, "ConceptDB.stats", self->path) : NULL;
    }
    amx_use_done(&self->use);
    PyObject *ex = PyDict_New();
    for (size_t m = 0; ex && cm && m < am_concepts_modalities(cm); m++) {
        PyObject *v = PyLong_FromSize_t(st.exemplars[m]);
        if (!v || PyDict_SetItemString(ex, am_concepts_modality(cm, m)->name, v))
            Py_CLEAR(ex);
        Py_XDECREF(v);
    }
    PyObject *r = amx_namespace(9, "concepts", PyLong_FromSize_t(st.concepts), "labelled",
                                PyLong_FromSize_t(st.labelled), "roots", PyLong_FromSize_t(st.roots), "exemplars", ex,
                                "bytes", PyLong_FromSize_t(st.bytes),
                                "map_bytes", PyLong_FromSize_t(st.map_bytes), "next_id",
                                PyLong_FromUnsignedLongLong(st.next_id), "binding",
                                cm ? PyUnicode_FromString(am_binding_name(am_concepts_get_config(cm)->binding))
                                   : Py_NewRef(Py_None),
                                "memory_bytes", PyLong_FromSize_t(cm ? am_concepts_bytes(cm) : 0));
    am_concepts_free(cm);
    return r;
}

/* A loaded memory of the whole database for list/export (the handle's mark held by the caller). */
static am_concepts *db_snapshot(ConceptDBObject *self, am_conceptdb *db, const char *what)
{
    am_concepts *cm = NULL;
    if (!am_conceptdb_has_layout(db)) {
        amx_raise(AM_EEMPTY, "%s '%s': the database has no layout yet (nothing learned)", what, self->path);
        return NULL;
    }
    return db_load(self, db, &cm, NULL, what) ? NULL : cm;
}

static PyObject *ConceptDB_list(ConceptDBObject *self, PyObject *unused)
{
    (void)unused;
    am_conceptdb *db = db_begin(self, 0, "ConceptDB.list");
    am_concepts *cm = db ? db_snapshot(self, db, "ConceptDB.list") : NULL;
    if (db)
        amx_use_done(&self->use);
    if (!cm)
        return NULL;
    size_t N = am_concepts_count(cm), nmod = am_concepts_modalities(cm);
    PyObject *ids = amx_new1(AMX_I64, (Py_ssize_t)N, "list"), *par = amx_new1(AMX_I64, (Py_ssize_t)N, "list"),
             *kids = amx_new1(AMX_I64, (Py_ssize_t)N, "list"), *obs = amx_new1(AMX_I64, (Py_ssize_t)N, "list"),
             *ex = amx_new2(AMX_I64, (Py_ssize_t)N, (Py_ssize_t)nmod, "list"), *mods = PyList_New(0);
    PyObject *r = NULL;
    if (ids && par && kids && obs && ex && mods) {
        for (size_t c = 0; c < N; c++) {
            size_t p = am_concepts_parent(cm, c);
            ((int64_t *)amx_data(ids))[c] = (int64_t)am_concepts_id(cm, c);
            ((int64_t *)amx_data(par))[c] = p == AM_CONCEPT_NONE ? 0 : (int64_t)am_concepts_id(cm, p);
            ((int64_t *)amx_data(kids))[c] = (int64_t)am_concepts_children(cm, c, NULL, 0);
            ((int64_t *)amx_data(obs))[c] = (int64_t)am_concepts_observations(cm, c);
            for (size_t m = 0; m < nmod; m++)
                ((int64_t *)amx_data(ex))[c * nmod + m] = (int64_t)am_concepts_exemplars(cm, c, m);
        }
        for (size_t m = 0; m < nmod; m++) {
            PyObject *s = amx_str(am_concepts_modality(cm, m)->name);
            if (!s || PyList_Append(mods, s))
                Py_CLEAR(mods);
            Py_XDECREF(s);
            if (!mods)
                break;
        }
        r = amx_namespace(7, "ids", Py_NewRef(ids), "labels", amx_concepts_labels(cm), "parents", Py_NewRef(par),
                          "children", Py_NewRef(kids), "observations", Py_NewRef(obs), "exemplars", Py_NewRef(ex),
                          "modalities", mods ? Py_NewRef(mods) : NULL);
    }
    Py_XDECREF(ids);
    Py_XDECREF(par);
    Py_XDECREF(kids);
    Py_XDECREF(obs);
    Py_XDECREF(ex);
    Py_XDECREF(mods);
    am_concepts_free(cm);
    return r;
}

/* ---- export ---- */

typedef struct {
    size_t rows;   /* exemplars in modality m */
    int64_t *ids, *seq;
    char (*enc)[128];
    float *z;
    char **labels; /* into the memory */
} export_part;

/* Every exemplar of modality m with its encoder (GIL released). */
static int export_gather(am_conceptdb *db, am_concepts *cm, size_t m, export_part *p)
{
    size_t N = am_concepts_count(cm), dim = am_concepts_modality(cm, m)->dim, n = 0;
    int rc = AM_OK;
    for (size_t c = 0; c < N; c++)
        p->rows += am_concepts_exemplars(cm, c, m);
    p->ids = malloc((p->rows + 1) * sizeof *p->ids);
    p->seq = malloc((p->rows + 1) * sizeof *p->seq);
    p->enc = malloc((p->rows + 1) * sizeof *p->enc);
    p->z = malloc((p->rows * dim + 1) * sizeof *p->z);
    p->labels = malloc((p->rows + 1) * sizeof *p->labels);
    if (!p->ids || !p->seq || !p->enc || !p->z || !p->labels)
        return AM_ENOMEM;
    for (size_t c = 0; c < N && !rc; c++)
        for (size_t i = 0; i < am_concepts_exemplars(cm, c, m) && !rc; i++, n++) {
            if (n % 4096 == 4095 && (rc = am_cancel_poll()))
                break;
            p->ids[n] = (int64_t)am_concepts_id(cm, c);
            p->seq[n] = (int64_t)i;
            p->labels[n] = (char *)am_concepts_label(cm, c);
            memcpy(p->z + n * dim, am_concepts_exemplar(cm, c, m, i), dim * sizeof(float));
            rc = am_conceptdb_exemplar_encoder(db, am_concepts_id(cm, c), m, i, p->enc[n], sizeof p->enc[n]);
        }
    return rc;
}

static void export_free(export_part *p, size_t nmod)
{
    for (size_t m = 0; m < nmod; m++) {
        free(p[m].ids);
        free(p[m].seq);
        free(p[m].enc);
        free(p[m].z);
        free(p[m].labels);
    }
}

/* The '#' lines `concepts export` starts with (am/harness.h), this call in place of the command line: a new
 * string (free it), or NULL. The date is SOURCE_DATE_EPOCH when set, as the programs take it. */
static char *export_header(const char *dbpath, const char *path)
{
    time_t t = time(NULL);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        if (!errno && !*end && v >= 0)
            t = (time_t)v;
    }
    char date[64];
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    size_t size = strlen(dbpath) + strlen(path) + 512;
    char *h = malloc(size);
    if (!h)
        return NULL;
    snprintf(h, size, "# program: am.ConceptDB.export %s\n# command: am.ConceptDB('%s').export('%s')\n# seed: 0\n"
             "# libam: %s commit %s\n# date: %s blas=%s\n", am_version(), dbpath, path, am_version(), am_git_commit(),
             date, am_blas_kernels());
    for (char *c = h; *c; c++) /* a line break in a path would end its '#' line */
        if ((*c == '\n' && c[1] != '#' && c[1]) || *c == '\r')
            *c = '?';
    return h;
}

static PyObject *export_arrays(am_concepts *cm, const export_part *p)
{
    PyObject *d = PyDict_New();
    for (size_t m = 0; d && m < am_concepts_modalities(cm); m++) {
        size_t dim = am_concepts_modality(cm, m)->dim;
        PyObject *labels = PyList_New((Py_ssize_t)p[m].rows), *enc = PyList_New((Py_ssize_t)p[m].rows);
        for (size_t r = 0; labels && enc && r < p[m].rows; r++) {
            PyObject *a = amx_str(p[m].labels[r]), *b = amx_str(p[m].enc[r]);
            if (!a || !b) {
                Py_XDECREF(a);
                Py_XDECREF(b);
                Py_CLEAR(labels);
                break;
            }
            PyList_SET_ITEM(labels, (Py_ssize_t)r, a);
            PyList_SET_ITEM(enc, (Py_ssize_t)r, b);
        }
        if (!labels || !enc) {
            Py_XDECREF(enc);
            enc = NULL;
        }
        PyObject *ns = amx_namespace(5, "ids", amx_copy_out(AMX_I64, p[m].ids, (Py_ssize_t)p[m].rows, 0, "export"),
                                     "labels", labels, "seq",
                                     amx_copy_out(AMX_I64, p[m].seq, (Py_ssize_t)p[m].rows, 0, "export"),
                                     "encoders", enc, "latents",
                                     amx_copy_out(AMX_F32, p[m].z, (Py_ssize_t)p[m].rows, (Py_ssize_t)dim, "export"));
        if (!ns || PyDict_SetItemString(d, am_concepts_modality(cm, m)->name, ns))
            Py_CLEAR(d);
        Py_XDECREF(ns);
    }
    return d;
}

static PyObject *ConceptDB_export(ConceptDBObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"path", NULL};
    PyObject *po = NULL, *bytes = NULL, *r = NULL;
    export_part p[AM_CONCEPT_MAX_MODALITIES];
    int rc = AM_OK;
    memset(p, 0, sizeof p);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:export", names, &po) ||
        (po && po != Py_None && amx_path(po, &bytes)))
        return NULL;
    am_conceptdb *db = db_begin(self, 0, "ConceptDB.export");
    am_concepts *cm = db ? db_snapshot(self, db, "ConceptDB.export") : NULL;
    char *header = cm && bytes ? export_header(self->path, PyBytes_AS_STRING(bytes)) : NULL;
    if (cm && bytes && !header) {
        amx_no_memory("ConceptDB.export");
        am_concepts_free(cm);
        cm = NULL;
    }
    if (cm) {
        size_t nmod = am_concepts_modalities(cm), total = 0;
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        if (bytes) /* the library's writer, as `concepts export` */
            rc = am_conceptdb_export_file(db, cm, PyBytes_AS_STRING(bytes), header, &total);
        for (size_t m = 0; m < nmod && !rc && !bytes; m++)
            rc = export_gather(db, cm, m, &p[m]);
        amx_interrupt_end(&it);
        free(header);
        if (rc && bytes)
            amx_raise(rc, "ConceptDB.export: '%s'", PyBytes_AS_STRING(bytes));
        else if (rc)
            db_raise(db, rc, "ConceptDB.export", self->path);
        else
            r = bytes ? PyLong_FromSize_t(total) : export_arrays(cm, p);
        export_free(p, nmod);
        am_concepts_free(cm);
    }
    if (db)
        amx_use_done(&self->use);
    Py_XDECREF(bytes);
    return r;
}

static PyObject *ConceptDB_get_closed(ConceptDBObject *self, void *u) { (void)u; return PyBool_FromLong(!self->db); }
static PyObject *ConceptDB_get_readonly(ConceptDBObject *self, void *u)
{
    (void)u;
    return PyBool_FromLong(self->readonly);
}
static PyObject *ConceptDB_get_path(ConceptDBObject *self, void *u)
{
    (void)u;
    return self->path ? PyUnicode_DecodeFSDefault(self->path) : Py_NewRef(Py_None);
}

static PyObject *ConceptDB_get_message(ConceptDBObject *self, void *u)
{
    (void)u;
    if (!self->db)
        return PyErr_Format(PyExc_ValueError, "ConceptDB.message: the ConceptDB is closed");
    return amx_str(am_conceptdb_message(self->db));
}

static PyObject *ConceptDB_get_has_layout(ConceptDBObject *self, void *u)
{
    (void)u;
    am_conceptdb *db = db_begin(self, 0, "ConceptDB.has_layout");
    if (!db)
        return NULL;
    int v = am_conceptdb_has_layout(db);
    amx_use_done(&self->use);
    return PyBool_FromLong(v);
}

static PyObject *ConceptDB_repr(ConceptDBObject *self)
{
    return PyUnicode_FromFormat("<am.ConceptDB '%s' (%s)>", self->path ? self->path : "?",
                                !self->db ? "closed" : self->readonly ? "read-only" : "read-write");
}

static PyMethodDef ConceptDB_methods[] = {
    {"close", (PyCFunction)ConceptDB_close, METH_NOARGS, "close()\nClose the database (again: nothing).\n\n"
     "    >>> db = am.ConceptDB('concepts.db'); db.stats().concepts; db.close()"},
    {"__enter__", (PyCFunction)ConceptDB_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)ConceptDB_exit, METH_VARARGS, NULL},
    {"init", (PyCFunction)ConceptDB_init_layout, METH_O,
     "init(concepts)\nWrite the layout of a Concepts (modalities, configuration) into an empty database.\n\n"
     "    >>> with am.ConceptDB('empty.db', 'c') as db:\n"
     "    ...     db.init(am.Concepts([('image', 8)]))      # the layout only: no concepts yet"},
    {"sync", (PyCFunction)ConceptDB_sync, METH_O,
     "sync(concepts)\nWrite everything that changed in the memory since it was loaded from this database or last\n"
     "synced to it, in one transaction (a new memory into an empty database: all of it). A memory of another\n"
     "database is refused (save a copy with Concepts.save).\n\n"
     "    >>> c2 = am.ConceptDB('concepts.db').load(); c2.observe({'image': np.eye(8)[2]}, 'coat')\n"
     "    >>> with am.ConceptDB('concepts.db', 'w') as db:\n"
     "    ...     db.sync(c2); db.stats().concepts          # 3: the new concept written"},
    {"load", (PyCFunction)(void (*)(void))ConceptDB_load, METH_VARARGS | METH_KEYWORDS,
     "load(*, binding=None, locality=None, similarity=None, beta=None, bits=None,"
     " hrr_dim=None, cleanup=None, seed=None)\n"
     "-> Concepts. The last committed snapshot as a memory, with the stored configuration\n"
     "changed by the keywords given (those of Concepts()).\n\n"
     "    >>> with am.ConceptDB('concepts.db') as db: c2 = db.load(binding='hebb'); len(c2)"},
    {"stats", (PyCFunction)ConceptDB_stats, METH_NOARGS,
     "stats() -> namespace(concepts, labelled, roots, exemplars {modality: n}, bytes, map_bytes, next_id, binding,\n"
     "memory_bytes)\n\n"
     "    >>> with am.ConceptDB('concepts.db') as db: s = db.stats(); s.concepts, s.exemplars"},
    {"list", (PyCFunction)ConceptDB_list, METH_NOARGS,
     "list() -> namespace(ids, labels, parents, children, observations, exemplars, modalities)\n"
     "One entry per concept (as `concepts list`): ids, parents' ids (0: none), children counts, observations\n"
     "(int64 arrays), labels (str), exemplars (int64, concepts x modalities, in the order of modalities).\n\n"
     "    >>> with am.ConceptDB('concepts.db') as db: l = db.list(); l.labels, l.observations"},
    {"export", (PyCFunction)(void (*)(void))ConceptDB_export, METH_VARARGS | METH_KEYWORDS,
     "export(path=None) -> {modality: namespace(ids, labels, seq, encoders, latents)}, or rows written\n"
     "Every exemplar with its concept's id and label, its sequence number and the encoder it came from. With a\n"
     "path: the bytes `concepts export --db DB --out path` writes, but for the '# program:' and '# command:' lines\n"
     "(the '#' lines, then id label modality seq encoder z1 .., by concept), written atomically (a new file's mode\n"
     "is 0666 less the umask); returns the rows.\n"
     "    >>> with am.ConceptDB('concepts.db') as db: ex = db.export(); ex['word'].latents.shape"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef ConceptDB_getset[] = {
    {"closed", (getter)ConceptDB_get_closed, NULL, "True once closed", NULL},
    {"readonly", (getter)ConceptDB_get_readonly, NULL, "opened with mode 'r'", NULL},
    {"path", (getter)ConceptDB_get_path, NULL, "the directory", NULL},
    {"has_layout", (getter)ConceptDB_get_has_layout, NULL, "a layout was committed (init or sync)", NULL},
    {"message", (getter)ConceptDB_get_message, NULL, "the database's last LMDB or validation message ('' none)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ConceptDBType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.ConceptDB",
    .tp_basicsize = sizeof(ConceptDBObject),
    .tp_dealloc = (destructor)ConceptDB_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_weaklistoffset = offsetof(ConceptDBObject, weakrefs),
    .tp_doc = "ConceptDB(path, mode='r', *, map_bytes=0)\n"
              "The concept store (am/conceptdb.h): a concept memory kept in an LMDB database, the directory path.\n"
              "mode: 'r' read only, 'w' read and write, 'c' create when missing. map_bytes: the largest size it may\n"
              "grow to (0: 64 GiB of address space). Opening checks every page in use; a damaged or foreign\n"
              "database raises am.Error with the database's own message (the file, the table, the page).\n"
              "Writes commit atomically; readers see the last commit. A context manager (closes on exit).\n"
              "\n"
              "    >>> c = am.Concepts([('image', 8), ('word', 4)])\n"
              "    >>> c.observe({'image': np.eye(8)[:2], 'word': np.eye(4)[:2]}, ['shirt', 'bag'])\n"
              "    >>> with am.ConceptDB('concepts.db', 'c') as db:\n"
              "    ...     db.sync(c)                      # c: an am.Concepts\n"
              "    >>> with am.ConceptDB('concepts.db') as db:\n"
              "    ...     c2 = db.load(); db.list().labels; db.export('exemplars.tsv')",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)ConceptDB_init,
    .tp_repr = (reprfunc)ConceptDB_repr,
    .tp_methods = ConceptDB_methods,
    .tp_getset = ConceptDB_getset,
};

/* ------------------------------------------------------------------------------------------------ */
/* Concepts.save / Concepts.load through the database */

/* Remove the files LMDB made in dir, and dir. */
static void db_dir_remove(const char *dir)
{
    static const char *const files[] = {"data.mdb", "lock.mdb", NULL};
    size_t n = strlen(dir) + 16;
    char *p = malloc(n);
    for (int i = 0; p && files[i]; i++) {
        snprintf(p, n, "%s/%s", dir, files[i]);
        unlink(p);
    }
    free(p);
    rmdir(dir);
}

/* A copy of cm written into a new database in tmp (a new empty directory); GIL released by the caller. */
static int save_into(const am_concepts *cm, const char *tmp, char *err, size_t errsize)
{
    am_concepts *copy = NULL;
    am_conceptdb *db = NULL;
    int rc = am_concepts_clone(&copy, cm, NULL);
    if (!rc)
        rc = am_conceptdb_open(&db, tmp, AM_CONCEPTDB_CREATE, 0, err, errsize);
    if (!rc && (rc = am_conceptdb_sync(db, copy)))
        snprintf(err, errsize, "%s", am_conceptdb_message(db));
    am_conceptdb_close(db);
    am_concepts_free(copy);
    return rc;
}

/* A new directory named tmp ("<path>.tmp-XXXXXX", the X replaced) of mode 0777 less the umask, as mkdir makes
 * them (mkdtemp's are 0700). 0, or -1 with errno. */
static int make_temp_dir(char *tmp)
{
    static const char digits[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char *x = tmp + strlen(tmp) - 6;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t h = (uint64_t)getpid() * 0x9E3779B97F4A7C15ull ^ (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 32;
    for (int attempt = 0; attempt < 1000; attempt++) {
        for (int k = 0; k < 6; k++, h /= 62)
            x[k] = digits[h % 62];
        if (!mkdir(tmp, 0777))
            return 0;
        if (errno != EEXIST)
            return -1;
        h = h * 6364136223846793005ull + 1442695040888963407ull + (uint64_t)attempt;
    }
    return -1;
}

PyObject *amx_concepts_save(amx_concepts_object *self, PyObject *po)
{
    PyObject *bytes;
    struct stat st;
    char err[512] = "";
    if (amx_path(po, &bytes))
        return NULL;
    const char *path = PyBytes_AS_STRING(bytes);
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    int rc = AM_OK;
    if (!tmp) {
        Py_DECREF(bytes);
        return amx_no_memory("Concepts.save");
    }
    snprintf(tmp, len + 16, "%s.tmp-XXXXXX", path);
    if (!lstat(path, &st)) {
        PyErr_Format(PyExc_FileExistsError, "Concepts.save: '%s' exists (a new database is written; remove it or "
                     "sync it with ConceptDB)", path);
    } else if (make_temp_dir(tmp)) {
        amx_raise(AM_ERRNO(errno), "Concepts.save: cannot make a directory beside '%s'", path);
    } else if (!amx_use_read(&self->use, "Concepts.save")) {
        Py_BEGIN_ALLOW_THREADS
        rc = save_into(self->cm, tmp, err, sizeof err);
        if (!rc && rename(tmp, path))
            rc = AM_ERRNO(errno);
        if (rc)
            db_dir_remove(tmp);
        Py_END_ALLOW_THREADS
        amx_use_done(&self->use);
        if (rc)
            amx_raise(rc, "Concepts.save '%s'%s%s", path, err[0] ? ": " : "", err);
    } else {
        db_dir_remove(tmp);
    }
    free(tmp);
    Py_DECREF(bytes);
    return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
}

PyObject *amx_concepts_load(PyObject *po, PyObject *kw)
{
    PyObject *args = Py_BuildValue("(Os)", po, "r"), *r = NULL;
    ConceptDBObject *db = args ? (ConceptDBObject *)PyObject_CallObject((PyObject *)&ConceptDBType, args) : NULL;
    Py_XDECREF(args);
    if (!db)
        return NULL;
    am_concepts *cm = NULL;
    if (!db_begin(db, 0, "Concepts.load"))
        goto done;
    cm = am_conceptdb_has_layout(db->db) ? db_load_with(db, db->db, kw, "Concepts.load")
                                         : (amx_raise(AM_EEMPTY, "Concepts.load '%s': the database has no layout yet "
                                                      "(nothing learned)", db->path), NULL);
    amx_use_done(&db->use);
    if (cm)
        r = (PyObject *)amx_concepts_wrap(cm, db->real);
done:
    db_close(db);
    Py_DECREF(db);
    return r;
}

/* ------------------------------------------------------------------------------------------------ */

int amx_init_conceptdb(PyObject *m)
{
    return amx_add_type(m, "ConceptDB", &ConceptDBType);
}
