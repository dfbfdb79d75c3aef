/* Internal to libam/stores: the table of store types behind am/store.h.
 *
 * A store type is one file (hopfield.c, dense.c, modern.c, seq-*.c) that defines one const am_store_type and
 * is listed once in store.c's table. Nothing outside a model's own file branches on the model: the shared code
 * (store.c, engine.c, sequence.c, analysis/capacity.c, programs, Python) goes through these operations.
 *
 * Conventions of the operations:
 *   - `model` is the type's own state (what create/load made); `work` its own workspace (work_create).
 *   - `p` is the type's parameter block: a struct of its own, at most AM_STORE_PARAMS_BYTES bytes, living in
 *     am_store_config.params; the type casts it.
 *   - Status codes are those of am/error.h. Arguments have been checked by store.c as documented below; each
 *     operation checks what only it can (sizes of its own files, its parameters).
 *   - An operation marked "may be NULL" is optional; store.c supplies the documented fallback. */
#ifndef AM_STORES_TYPE_H
#define AM_STORES_TYPE_H

#include <stddef.h>
#include <stdint.h>

#include "am/patterns.h"
#include "am/recall.h"
#include "am/rng.h"
#include "am/store.h"

struct am_store_type {
    const char *name;    /* "hopfield", "seq-dense", ...: the --model name, the Python model= */
    const char *summary; /* one line for --help and am.store_types() */
    char magic[8];       /* first 8 bytes of its save files ("LIBAMHOP"); load recognises the file by them */
    unsigned id;         /* stable small number, kept in files that name a store type (concept databases) */
    unsigned flags;      /* AM_STORE_REAL, AM_STORE_SEQUENCE, AM_STORE_SERIAL (am/store.h) */

    /* ---- configuration: the parameter block ---- */
    const am_store_param *params; /* the parameters settable by name, in display order */
    size_t nparams;
    void (*defaults)(void *p);
    /* Parse one parameter (name is one of params[]); AM_EINVAL with a reason in why (size whysize, may be
     * NULL) for a bad value. */
    int (*set)(void *p, const char *name, const char *value, char *why, size_t whysize);
    /* Print one parameter's value so that set() reads it back to the same block. */
    void (*get)(const void *p, const char *name, char *buf, size_t size);
    /* A short label of the block for result tables ("hebb", "poly3", "exp", "beta16"). */
    void (*label)(const void *p, char *buf, size_t size);
    /* The block as a whole for n units: AM_EINVAL with a reason (e.g. "degree must be <= 1000"). */
    int (*check)(const void *p, size_t n, char *why, size_t whysize);

    /* ---- life ---- */
    int (*create)(void **model, size_t n, const void *p); /* p has passed check */
    void (*free)(void *model);                             /* model may be NULL */
    void (*config)(const void *model, void *p);            /* the parameters a live (or loaded) store has */
    size_t (*n)(const void *model);
    size_t (*count)(const void *model); /* stored patterns (sequence stores: elements of all sequences) */
    /* The stored patterns as +-1 (binary stores; NULL for the modern store) or as floats (count x n; may be
     * NULL: then the +-1 patterns are the stored vectors). Used for overlaps and monitors. */
    const am_patterns *(*patterns)(const void *model);
    const float *(*patterns_real)(const void *model);

    /* ---- learning ---- */
    /* Add the patterns (pats->n == n checked). Sequence stores: pats is one new sequence, cyclic or open. On
     * failure the store is as it was. */
    int (*add)(void *model, const am_patterns *pats, int cyclic);
    /* Real-valued patterns, count x n (finite values checked); may be NULL: AM_EUNSUPPORTED. */
    int (*add_real)(void *model, const float *x, size_t count);

    /* ---- energy: may be NULL for stores without one (sequence stores): NAN ---- */
    double (*energy)(const void *model, const int8_t *s);
    double (*energy_real)(const void *model, const float *x); /* may be NULL: energy of the signs */

    /* ---- recall ---- */
    int (*work_create)(void **work, const void *model); /* may be NULL: the type needs no workspace */
    void (*work_free)(void *work);                      /* work may be NULL */
    /* Make a workspace of this type fit this model (grown on demand; stores of the same type share one). */
    int (*work_fit)(void *work, const void *model);
    /* Recall from s (+-1, n values: cue in, final state out). opts has defaults filled and passed
     * am__recall_check (dynamics, order, temperature, trace, rng, +-1 cue); info zeroed. work fits model. */
    int (*recall)(const void *model, int8_t *s, const am_recall_opts *opts, am_rng *rng, void *work,
                  am_recall_info *info);
    /* Real-valued recall (finite state checked); may be NULL: recall of the signs. */
    int (*recall_real)(const void *model, float *x, const am_recall_opts *opts, void *work, am_recall_info *info);
    /* Real-valued recall of nq states at once (x: nq x n, in/out; info: nq entries, zeroed); no trace or
     * monitor (checked). May be NULL: recall_real of each. */
    int (*recall_real_many)(const void *model, float *x, size_t nq, const am_recall_opts *opts, void *work,
                            am_recall_info *info);
    /* unstable[k] = units that one update from stored pattern first+k would change (sequence stores: units
     * of the step from element first+k that differ from the element that follows it; 0 for the last element
     * of an open sequence). Range checked. Polls am_cancel_poll. */
    int (*stability)(const void *model, size_t first, size_t count, size_t *unstable);
    /* Nearest stored pattern for each of nq real cues (the concept layer's clean-up); may be NULL: recall,
     * then the pattern of best overlap. */
    int (*nearest)(const void *model, const float *cues, size_t nq, size_t *idx);

    /* The n x n weight matrix W (row-major, out) of a store that has one; may be NULL: AM_EUNSUPPORTED. */
    int (*weights)(const void *model, float *w);

    /* ---- files ---- */
    int (*save)(const void *model, const char *path); /* through am__tmp_* (temporary + rename) */
    int (*load)(void **model, const char *path);      /* magic already matched; checks every size */

    /* ---- sequence stores (AM_STORE_SEQUENCE; NULL for the others) ---- */
    /* Past states one step reads besides the current one (0 for the memoryless models; MixedNet: tau). */
    unsigned (*memory)(const void *model);
    /* One synchronous step. hist[0] is the current state, hist[k] the state k steps ago (k <= memory;
     * before the start of a replay every past state is the cue). next: n values out. */
    int (*step)(const void *model, const int8_t *const *hist, int8_t *next, void *work);
    /* One step from every stored element first..first+count-1 at once (for capacity sweeps: one gemm, not
     * count gemvs); may be NULL: step() from each. next: count x n out. */
    int (*step_batch)(const void *model, size_t first, size_t count, int8_t *next, void *work);
    /* The sequences held: boundaries, cyclic flags, successors (libam/stores/seqs.h). */
    const struct am__seqs *(*sequences)(const void *model);
};

/* The table (store.c): every type, NULL-terminated, in display order. */
extern const am_store_type am__store_hopfield, am__store_dense, am__store_modern;

struct am_store {
    const am_store_type *type;
    void *model;
};

struct am_store_work {
    const am_store_type *type;
    size_t n;
    void *work;  /* the type's own, or NULL */
    int8_t *bin; /* n: binary view of a real state */
    float *real; /* n: real view of a binary state */
};

/* A workspace of the store's type fitted to this store (views resized); AM_EINVAL for another type's. */
int am__store_work_fit(const am_store *s, am_store_work *w);

/* Parameter parsing helpers for the types' set() operations. */
int am__param_int(const char *value, long lo, long hi, long *out);
int am__param_double(const char *value, double lo, double hi, double *out);
/* The index of value in names[0..count-1], or -1. */
int am__param_word(const char *value, const char *const *names, int count);

#endif
