/* ext.h — what the files of the extension am._am share (internal: not installed, not library API).
 *
 * The extension is one C file per layer (module.c, common.c, arrays.c, rng.c, stores.c, encoders.c, concepts.c,
 * conceptdb.c, hrr.c, words.c, audio.c, graphs.c, network.c, melody.c, ...) over this header (and a layer's own
 * internal header where two of its files share more, as concepts.h). Each layer file defines one entry point,
 * `int amx_init_<layer>(PyObject *module)`, that readies its types and adds its functions, types and constants
 * to the module (0, or -1 with the exception set); module.c calls them from one table.
 *
 * Needs no numpy headers: arrays come in through the buffer protocol (numpy arrays, memoryview, array.array,
 * bytearray; bytes and str are text: TypeError) or as nested sequences of numbers (lists, tuples; anything with
 * __array__ or __array_interface__ when numpy is importable), and go out as numpy arrays when numpy is importable, else as memoryviews of the
 * same shape and type (len, .tolist(), element indexing m[i, j] and the buffer protocol work on them; row indexing
 * m[i] of a 2-D one does not: CPython's memoryview indexes elements only). One source builds for
 * CPython 3.9 .. 3.13 (see the compatibility shims at the end).
 *
 * Names: amx_ (the extension's internal prefix). Every function that returns PyObject* returns a new
 * reference, or NULL with the exception set; every int function returns 0, or -1 with the exception set. */
#ifndef AM_PY_EXT_H
#define AM_PY_EXT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <float.h>
#include <stddef.h>
#include <stdint.h>

#include "am/am.h"

/* ------------------------------------------------------------------------------------------------ */
/* Module state (set once by module.c at import; read-only after) */

extern PyObject *amx_error;      /* am.Error (subclass of Exception) with .status and .errno */
extern unsigned long amx_main_thread; /* threading.main_thread().ident */

/* ------------------------------------------------------------------------------------------------ */
/* Errors */

/* am.Error("<what>: <library message>") with .status and .errno; MemoryError for AM_ENOMEM; for AM_ECANCELED
 * with an exception already set (KeyboardInterrupt, a callback's) that exception passes on. Returns NULL. */
PyObject *amx_raise(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* MemoryError("<what>: out of memory"); NULL. */
PyObject *amx_no_memory(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* ValueError(message); NULL. */
PyObject *amx_value_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* bytes as "12.3 MB" (powers of 1000) into buf[size]; returns buf. */
const char *amx_human_bytes(double bytes, char *buf, size_t size);
/* 0 when `bytes` fits in the machine's memory, else MemoryError naming what (fmt) and how much, with hint. */
int amx_fits_memory(double bytes, const char *hint, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------------------------------------ */
/* Arguments: integers and reals checked against their ranges, every message naming the argument.
 * Use with PyArg_ParseTupleAndKeywords "O&" and amx_int_conv / amx_real_conv. */

typedef struct amx_int {
    const char *name;
    long long lo;          /* may be negative (then hi <= LLONG_MAX) */
    unsigned long long hi;
    unsigned long long u;  /* the value when lo >= 0 (in: the default) */
    long long s;           /* the value when lo < 0 */
} amx_int;
#define AMX_INT(nm, lo_, hi_, dflt) {.name = (nm), .lo = (lo_), .hi = (hi_), .u = (dflt), .s = (dflt)}
#define AMX_SSIZE_MAX ((unsigned long long)PY_SSIZE_T_MAX)

/* a's value from o (an int or anything with __index__): TypeError, OverflowError or ValueError naming a->name and
 * the range. */
int amx_int_from(PyObject *o, amx_int *a);
int amx_int_conv(PyObject *o, void *a); /* "O&" converter: 1 on success, 0 with the exception set */

typedef struct amx_real {
    const char *name;
    double lo, hi;
    int open; /* AMX_OPEN_LO: lo is out of range; AMX_OPEN_HI: hi is */
    double v; /* in: the default; out: the value */
} amx_real;
#define AMX_OPEN_LO 1
#define AMX_OPEN_HI 2
#define AMX_REAL(nm, lo_, hi_, dflt) {.name = (nm), .lo = (lo_), .hi = (hi_), .open = 0, .v = (dflt)}
#define AMX_REAL_ABOVE(nm, lo_, hi_, dflt) {.name = (nm), .lo = (lo_), .hi = (hi_), .open = AMX_OPEN_LO, .v = (dflt)}
#define AMX_REAL_BELOW(nm, lo_, hi_, dflt) {.name = (nm), .lo = (lo_), .hi = (hi_), .open = AMX_OPEN_HI, .v = (dflt)}
#define AMX_FLOAT(nm, dflt) AMX_REAL(nm, -FLT_MAX, FLT_MAX, dflt) /* finite within float range */

int amx_real_from(PyObject *o, amx_real *a); /* finite and in range, else TypeError/ValueError naming a->name */
int amx_real_conv(PyObject *o, void *a);     /* "O&" converter */

/* A path argument (str, bytes, os.PathLike) as the file system wants it: a new bytes object in *out. */
int amx_path(PyObject *o, PyObject **out);

/* save(path) / load(path) of a libam object through fn; the library's error names the path. */
PyObject *amx_save_with(int (*fn)(const void *obj, const char *path), const void *obj, PyObject *path,
                        const char *what);
int amx_load_with(int (*fn)(void **out, const char *path), void **out, PyObject *path, const char *what);

/* ------------------------------------------------------------------------------------------------ */
/* Long calls: the GIL released, signals answered.
 *
 *     amx_interrupt it;
 *     amx_interrupt_begin(&it, 1);          // releases the GIL; installs the cancel hook (am/cancel.h)
 *     rc = am_something_long(...);          // must not touch Python objects
 *     amx_interrupt_end(&it);               // GIL back
 *     if (rc) return amx_raise(rc, "...");  // AM_ECANCELED after Ctrl-C: KeyboardInterrupt passes on
 *
 * The library's long loops poll the hook; in the main thread a poll every 0.05 s runs the signal handlers, so
 * Ctrl-C stops the call within a fraction of a second. A callback into Python inside a long call takes the GIL
 * back with amx_interrupt_enter / amx_interrupt_leave, and calls amx_interrupt_stop when it raised. */
typedef struct amx_interrupt {
    am_cancel hook;
    const am_cancel *outer; /* the hook this one replaced */
    PyThreadState *ts;      /* the calling thread's state while the GIL is released, else NULL */
    unsigned long owner;    /* the calling thread */
    double next;            /* when the owner checks for signals next (CLOCK_MONOTONIC seconds) */
    int stop;               /* set (atomically) once a check raised or a callback failed */
} amx_interrupt;

void amx_interrupt_begin(amx_interrupt *it, int release_gil);
void amx_interrupt_end(amx_interrupt *it);
void amx_interrupt_stop(amx_interrupt *it);
void amx_interrupt_enter(amx_interrupt *it); /* GIL back for a callback (no-op when it was not released) */
void amx_interrupt_leave(amx_interrupt *it); /* and released again */

/* Objects in use by long calls: readers share an object, a writer has it alone (RuntimeError otherwise). The
 * checks run with the GIL held; the marks last while it is released. */
typedef struct amx_use {
    int readers, writer;
} amx_use;
int amx_use_read(amx_use *u, const char *what);
int amx_use_write(amx_use *u, const char *what);
void amx_use_done(amx_use *u);

/* Signals checked every 2^20 units of a long copy done with the GIL held (*done counts them): 0, or -1. */
int amx_copy_check(size_t *done, size_t n);

/* ------------------------------------------------------------------------------------------------ */
/* Results */

/* A types.SimpleNamespace from count alternating name (const char *), value (PyObject *, stolen) pairs; a NULL
 * value fails the whole call (its exception stays set). */
PyObject *amx_namespace(int count, ...);
/* A C string as str (UTF-8; invalid bytes replaced by U+FFFD). */
PyObject *amx_str(const char *s);

/* ------------------------------------------------------------------------------------------------ */
/* Arrays
 *
 * An "array" below is a PyObject * these functions made: an input read (a memoryview of the caller's data
 * when it can be read in place, else a converted copy) or an output being filled (a numpy array or a
 * memoryview, as the module returns them). Every one is C-contiguous, 1-D or 2-D (outputs up to 3-D), of one
 * amx_type. amx_data, amx_ndim, amx_dim work on any of them. */

typedef enum amx_type {
    AMX_I8,  /* int8: +-1 states */
    AMX_U8,  /* uint8: pixels, bytes */
    AMX_I32, /* int32 */
    AMX_I64, /* int64: counts, indices, labels */
    AMX_F32, /* float32: real vectors */
    AMX_F64, /* float64: measurements */
    AMX_U32, /* uint32: neuron ids */
    AMX_U64, /* uint64: counters */
    AMX_BOOL, /* bool: flags */
} amx_type;

void *amx_data(PyObject *a);             /* the first element */
int amx_ndim(PyObject *a);               /* 1 .. 3 */
Py_ssize_t amx_dim(PyObject *a, int i);  /* size of dimension i (0 <= i < ndim) */
Py_ssize_t amx_rows(PyObject *a);        /* dim 0 of a 2-D array, 1 for a 1-D one */
Py_ssize_t amx_cols(PyObject *a);        /* the last dimension */

/* A new zero-filled output of type t and nd (1..3) dimensions d[0..nd-1]: a numpy array when numpy imports,
 * else a memoryview. Sizes are checked for overflow (MemoryError naming what). */
PyObject *amx_new(amx_type t, int nd, const Py_ssize_t *d, const char *what);
PyObject *amx_new1(amx_type t, Py_ssize_t d0, const char *what);
PyObject *amx_new2(amx_type t, Py_ssize_t d0, Py_ssize_t d1, const char *what);
/* A new output holding a copy of count elements at src, shaped (d0) when d1 == 0 else (d0, d1). */
PyObject *amx_copy_out(amx_type t, const void *src, Py_ssize_t d0, Py_ssize_t d1, const char *what);

/* Inputs: o of mindim .. maxdim (1 or 2) dimensions whose last has n entries (n = 0: any, but not 0), of
 * booleans, integers or reals (TypeError for anything else, naming `what`; ValueError for the wrong dimensions,
 * the wrong length, an empty last dimension). Values are converted element by element, signals checked every
 * 2^20 of them.
 *   amx_states: int8 +-1 (> 0 is +1, so 0/1 and booleans work; NaN is an error). Always a copy.
 *   amx_floats: float32, every value finite in float32; the caller's own data when it is float32,
 *               C-contiguous and copy == 0 (then it must not be written), else a copy.
 *   amx_doubles: float64, finite (a copy).
 *   amx_int64s: int64 from integers or integral reals (a copy); ValueError for a fraction or NaN. */
PyObject *amx_states(PyObject *o, size_t n, int mindim, int maxdim, const char *what);
PyObject *amx_floats(PyObject *o, size_t n, int mindim, int maxdim, int copy, const char *what);
PyObject *amx_doubles(PyObject *o, size_t n, int mindim, int maxdim, const char *what);
PyObject *amx_int64s(PyObject *o, size_t n, int mindim, int maxdim, const char *what);
/*   amx_integers: as amx_int64s, but reals are a TypeError ("<what> must be an array of integers").
 *   amx_reals: float64, any value (NaN and infinities pass, for the library to judge). */
PyObject *amx_integers(PyObject *o, size_t n, int mindim, int maxdim, const char *what);
PyObject *amx_reals(PyObject *o, size_t n, int mindim, int maxdim, const char *what);

/* o read as amx_floats (always converted) into the rows x n floats alloc(ctx, rows) returns (NULL: failed, the
 * exception set): a library object's own buffer, filled without a temporary copy of the input. 0, or -1. */
int amx_floats_into(PyObject *o, size_t n, int mindim, int maxdim, float *(*alloc)(void *ctx, size_t rows), void *ctx,
                    const char *what);

/* 1 when numpy is importable in this interpreter (outputs are numpy arrays), else 0 (imported on the first call);
 * -1 with the exception set when the import raised something else than ImportError (KeyboardInterrupt). */
int amx_have_numpy(void);

/* ------------------------------------------------------------------------------------------------ */
/* Random streams (rng.c): rng= arguments */

/* The stream an rng= argument names: NULL or None (am's default stream), an am.Rng (advanced in place), or an int
 * seed (a fresh stream 0 in *tmp). NULL with TypeError/ValueError otherwise. */
am_rng *amx_rng_arg(PyObject *o, am_rng *tmp);

/* ------------------------------------------------------------------------------------------------ */
/* Shared between layers */

#define AMX_MAX_THREADS 1024 /* the largest threads= argument */

/* Neuron parameters (network.c; SNN.add and Network.population): one keyword key=val into *p (the reals of
 * am_lif_params with their ranges, synapse, v0_uniform; *v0_given set by v0_mean), TypeError naming who for
 * any other key; and the checks that involve two parameters or the network's dt. 0, or -1 with the exception. */
int amx_lif_keyword(am_lif_params *p, const char *who, const char *key, PyObject *val, int *v0_given);
int amx_lif_check(const am_lif_params *p, double dt);

/* realloc of count * size bytes (NULL on overflow or failure; p is then still valid). common.c */
void *amx_grow(void *p, size_t count, size_t size);
/* PyType_Ready(t) and the type added to the module as name. common.c */
int amx_add_type(PyObject *m, const char *name, PyTypeObject *t);

/* patterns.c: +-1 arrays (amx_states) and libam pattern sets. */
am_patterns *amx_patterns_from(PyObject *states);       /* the rows of a 1-D or 2-D int8 array; NULL with the error */
PyObject *amx_patterns_out(const am_patterns *p);       /* count x n int8 */
/* A list of sequences (each count x n, taken by signs): *out, *count pattern sets (free with
 * amx_pattern_sets_free, also after a failure: *count says how many were made). */
int amx_pattern_sets(PyObject *o, size_t n, am_patterns ***out, size_t *count, const char *what);
void amx_pattern_sets_free(am_patterns **ps, size_t count);

/* stores.c: am.Store, for the layers that take one (familiarity, capacity's store options). */
typedef struct amx_store_object {
    PyObject_HEAD am_store *s;
    am_store_work *work; /* reused by recalls (one at a time; a concurrent one allocates its own) */
    amx_use use;         /* readers: recalls (also monitored ones) and stability checks; writer: add */
    PyObject *weakrefs;
} amx_store_object;
extern PyTypeObject amx_store_type;
/* o as an initialised Store that no call is changing, marked as read (amx_use_done(&s->use) after); NULL with
 * TypeError or RuntimeError naming what. */
amx_store_object *amx_store_arg(PyObject *o, const char *what);
/* 0 when s is a sequence store (seq-hebb, seq-dense, ...); else -1 with ValueError "<what>: a <type> store is not a
 * sequence store (<the sequence types>)". */
int amx_sequence_ready(const amx_store_object *s, const char *what);
/* Keyword arguments split into a store's parameters and the rest (two new dicts); 0, or -1. names: the call's own
 * keywords (NULL-terminated); a keyword in neither is a TypeError naming it and listing the valid ones for the
 * model (keyword model=, else args[model_pos] when model_pos >= 0, else hopfield); who names the call. */
int amx_store_params(PyObject *args, PyObject *kw, char *const *names, Py_ssize_t model_pos, const char *who,
                     PyObject **params, PyObject **rest);
/* A store configuration from a model's name, n and its parameters (amx_store_params); who names the caller. */
int amx_store_config(am_store_config *c, const char *model, size_t n, PyObject *params, const char *who);
/* dynamics= and order= of a recall into o; ValueError naming the value. */
int amx_parse_dynamics(const char *dyn, const char *order, am_recall_opts *o);

/* ------------------------------------------------------------------------------------------------ */
/* Layers: each adds itself to the module (module.c calls them in this order) */

int amx_init_common(PyObject *m);   /* am.Error, __version__, commit, have_numpy */
int amx_init_rng(PyObject *m);      /* Rng, default_rng, seed */
int amx_init_patterns(PyObject *m); /* patterns, letters, flip, occlude, overlap, fashion, class_name */
int amx_init_stores(PyObject *m);   /* Store, load, store_types */
int amx_init_analysis(PyObject *m); /* capacity, theory, seq_capacity, familiarity, roc */
int amx_init_encoders(PyObject *m); /* Autoencoder, PCA, CNN, Encoder, encoder_types */
int amx_init_dynamics(PyObject *m); /* SNN (presets), graded_run, xor_trial, Engram */
int amx_init_melody(PyObject *m);   /* Melody, MelodyCode, read_abc, read_midi, ... */
int amx_init_concepts(PyObject *m);  /* concept memories (am/concept.h), binding_types */
int amx_init_conceptdb(PyObject *m); /* the concept database in LMDB (am/conceptdb.h) */
int amx_init_hrr(PyObject *m);      /* holographic reduced representations (am/hrr.h) */
int amx_init_words(PyObject *m);    /* words and the lexicon (am/words.h, am/lexicon.h) */
int amx_init_audio(PyObject *m);    /* WAV, spectrograms, Griffin-Lim (am/audio.h) */
int amx_init_graphs(PyObject *m);   /* graphs, motif counts, null models (am/graph.h) */
int amx_init_network(PyObject *m);  /* spiking networks from populations, projections, monitors (am/spiking.h) */

/* ------------------------------------------------------------------------------------------------ */
/* CPython 3.9 compatibility */

#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *amx_newref(PyObject *o) { Py_INCREF(o); return o; }
#define Py_NewRef(o) amx_newref((PyObject *)(o))
#define Py_XNewRef(o) ((o) ? amx_newref((PyObject *)(o)) : NULL)
static inline int amx_add_object_ref(PyObject *m, const char *name, PyObject *v)
{
    Py_INCREF(v);
    if (PyModule_AddObject(m, name, v) < 0) {
        Py_DECREF(v);
        return -1;
    }
    return 0;
}
#define PyModule_AddObjectRef amx_add_object_ref
#endif

#endif
