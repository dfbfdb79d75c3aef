/* concepts.h — what concepts.c (am.Concepts) and conceptdb.c (am.ConceptDB, Concepts.save/load) share
 * (internal to the extension, like ext.h). */
#ifndef AM_PY_CONCEPTS_H
#define AM_PY_CONCEPTS_H

#include "ext.h"
#include "am/concept.h"

/* am.Concepts (concepts.c). */
typedef struct amx_concepts_object {
    PyObject_HEAD am_concepts *cm;
    amx_use use;  /* writer: observe, assign, forget, set_*, sync; readers: everything else */
    amx_use mech; /* recall and activation (they build the mechanism) */
    char *tied;   /* real path of the database this memory was loaded from or synced to; NULL: none */
    PyObject *weakrefs;
} amx_concepts_object;

/* A new am.Concepts owning cm (freed on failure), tied to the database at the real path tied (NULL: none;
 * copied). concepts.c */
amx_concepts_object *amx_concepts_wrap(am_concepts *cm, const char *tied);
/* o as an initialised am.Concepts (borrowed); NULL with TypeError or RuntimeError naming what. concepts.c */
amx_concepts_object *amx_concepts_arg(PyObject *o, const char *what);
/* Every concept's label, by index: a list of str. concepts.c */
PyObject *amx_concepts_labels(am_concepts *cm);

/* The configuration keywords of Concepts(), Concepts.clone(), Concepts.load() and ConceptDB.load(), for
 * PyArg_ParseTupleAndKeywords:
 *     static char *names[] = {AMX_CONCEPTS_KW_NAMES, NULL};
 *     amx_concepts_kw a;
 *     amx_concepts_kw_init(&a, &cfg);                     // the defaults: cfg's values
 *     PyArg_ParseTupleAndKeywords(args, kw, "|$" AMX_CONCEPTS_KW_FMT ":who", names, AMX_CONCEPTS_KW_PTRS(a))
 *     amx_concepts_kw_apply(&a, &cfg, "who")              // cfg with the keywords given */
typedef struct amx_concepts_kw {
    const char *binding, *locality, *similarity, *cleanup;
    amx_real beta;
    amx_int bits, hrr_dim, seed;
} amx_concepts_kw;

#define AMX_CONCEPTS_KW_NAMES "binding", "locality", "similarity", "beta", "bits", "hrr_dim", "cleanup", "seed"
#define AMX_CONCEPTS_KW_FMT "zzzO&O&O&zO&"
#define AMX_CONCEPTS_KW_PTRS(a)                                                                                    \
    &(a).binding, &(a).locality, &(a).similarity, amx_real_conv, &(a).beta, amx_int_conv, &(a).bits, amx_int_conv, \
        &(a).hrr_dim, &(a).cleanup, amx_int_conv, &(a).seed

void amx_concepts_kw_init(amx_concepts_kw *a, const am_concepts_config *c); /* concepts.c */
/* c with the keywords given applied; 0, or -1 with ValueError naming who and the keyword. concepts.c */
int amx_concepts_kw_apply(const amx_concepts_kw *a, am_concepts_config *c, const char *who);
/* 1 when any of the configuration keywords is given (not None) in kw (NULL: none), else 0. concepts.c */
int amx_concepts_kw_given(PyObject *kw);

/* Concepts.save(path): a copy of self (initialised) written into a new database at path, atomically
 * (FileExistsError when path exists). Concepts.load(path, **kw): a new memory from the database at path, its stored
 * configuration changed by the configuration keywords in kw (NULL: none). conceptdb.c */
PyObject *amx_concepts_save(amx_concepts_object *self, PyObject *path);
PyObject *amx_concepts_load(PyObject *path, PyObject *kw);

#endif
