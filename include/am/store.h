/* libam — one memory API over every store: create from a configuration, store, recall, energy,
 * stability, save/load, free. The verbs dispatch to the model's own module (am/hopfield.h, am/dense.h,
 * am/modern.h), which remain available for model-specific work.
 *
 * States are +-1 int8 vectors of n units, or float vectors of n components for the *_real verbs (all
 * caller-owned). Binary stores take a float state by its signs (> 0 is +1) and return +-1.0; the modern
 * store takes +-1 states as the vectors +-1.0 and returns the signs of its real state. Recall options and
 * reports are those of am/hopfield.h: dynamics, order, temperature, step limit, energy trace; how it ended,
 * steps, flips, final energy (the modern store uses max_steps and converges at |dxi| < 1e-6; dynamics,
 * order and temperature do not apply to it). Defaults do plain retrieval: no normalisation or projection. */
#ifndef AM_STORE_H
#define AM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "am/dense.h"
#include "am/hopfield.h"
#include "am/modern.h"
#include "am/patterns.h"
#include "am/recall.h"
#include "am/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The table of store types ----
 * Every model is one entry: its name, parameters, file magic and operations. Programs and the Python module
 * list the models and their parameters from here; adding a model is one file plus one table entry (README,
 * "Store types, and adding one"). */
typedef struct am_store_type am_store_type;

/* Flags of a type. */
#define AM_STORE_REAL 1u     /* stores real vectors (add_real, recall_real work on them) */
#define AM_STORE_SEQUENCE 2u /* stores sequences: recall replays what comes next (am/sequence.h) */
#define AM_STORE_SERIAL 4u   /* has serial dynamics (async, Glauber) besides synchronous steps */

/* One parameter of a type, settable by name (am_store_config_set) and shown by --help. */
typedef struct am_store_param {
    const char *name;    /* "rule", "F", "degree", "beta", ... */
    const char *metavar; /* "R" */
    const char *help;    /* "learning rule: hebb, storkey or pinv" */
    const char *dflt;    /* the default, as text */
} am_store_param;

/* Every type, NULL-terminated, in a fixed order (never NULL). */
const am_store_type *const *am_store_types(void);
/* The type of that name, or NULL. */
const am_store_type *am_store_type_find(const char *name);
/* The type with that stable id (kept in files), or NULL. */
const am_store_type *am_store_type_by_id(unsigned id);
const char *am_store_type_name(const am_store_type *t);
const char *am_store_type_summary(const am_store_type *t);
unsigned am_store_type_id(const am_store_type *t);
unsigned am_store_type_flags(const am_store_type *t);
/* The type's parameters (count out; may be NULL): an array owned by the library. */
const am_store_param *am_store_type_params(const am_store_type *t, size_t *count);
/* The names of every type, "hopfield, dense, ..." (for messages; static storage). */
const char *am_store_type_list(void);

#define AM_STORE_PARAMS_BYTES 64

/* A store's configuration: its type, its units, and the type's own parameter block (set by name). Plain data:
 * copy it by assignment. */
typedef struct am_store_config {
    const am_store_type *type;
    size_t n; /* units */
    union {
        double align_;
        unsigned char bytes[AM_STORE_PARAMS_BYTES];
    } params;
} am_store_config;

/* Defaults of type t for n units. */
void am_store_config_default(am_store_config *c, const am_store_type *t, size_t n);
/* The same by the type's name: AM_EINVAL for an unknown name (c then holds no type). */
int am_store_config_init(am_store_config *c, const char *model, size_t n);
/* Set one parameter from text. AM_EUNSUPPORTED: the type has no such parameter; AM_EINVAL: a bad value, with
 * the reason in why (whysize bytes; why may be NULL). */
int am_store_config_set(am_store_config *c, const char *name, const char *value, char *why, size_t whysize);
/* The value of one parameter as text (AM_EUNSUPPORTED if the type has none of that name). */
int am_store_config_get(const am_store_config *c, const char *name, char *buf, size_t size);
/* The whole configuration: AM_EINVAL with a reason (n = 0, degree too large, ...). */
int am_store_config_check(const am_store_config *c, char *why, size_t whysize);
/* A short label for result tables: "hebb", "poly3", "exp", "beta16" (the model's own choice). */
void am_store_config_label(const am_store_config *c, char *buf, size_t size);
/* One-line description, e.g. "hopfield rule=hebb" or "dense F=poly degree=3", into buf. */
void am_store_config_describe(const am_store_config *c, char *buf, size_t size);

typedef struct am_store am_store;
typedef struct am_store_work am_store_work;

/* Pointers: every am_store and buffer argument must be non-NULL unless its comment says it may be NULL;
 * am_store_free(NULL) and am_store_work_free(NULL) do nothing. Buffers are caller-owned. */

/* Configurations that fail am_store_config_check are AM_EINVAL. */
int am_store_create(am_store **out, const am_store_config *cfg);
void am_store_free(am_store *s);

const am_store_type *am_store_type_of(const am_store *s);
/* The configuration of a live or loaded store (c out). */
void am_store_config_of(const am_store *s, am_store_config *c);
size_t am_store_n(const am_store *s);
size_t am_store_count(const am_store *s);
/* The stored +-1 patterns of a binary store; NULL for the modern store (see am_modern_patterns). */
const am_patterns *am_store_patterns(const am_store *s);

/* The stored vectors of a store of real vectors (count x n floats, the store's own), NULL for binary stores. */
const float *am_store_patterns_real(const am_store *s);

/* The overlap of a state with every stored pattern, m[mu] = (1/n) sum_i xi^mu_i s_i (m: am_store_count(s)
 * values, caller-owned, out), for a monitor drawing a recall. state: n values, +-1 (state_pm1) or real
 * (state_real, the other NULL; the modern store's patterns are real, the dot product is then divided by n
 * as well). */
int am_store_overlaps(const am_store *s, const int8_t *state_pm1, const float *state_real, double *m);

/* Learn every pattern of pats (pats->n == am_store_n(s); not NULL), adding to those stored. On failure the
 * store is as it was, except after a cancelled Storkey rule (am_hopfield_store). */
int am_store_add(am_store *s, const am_patterns *pats);
/* Real-valued patterns (count x n row-major): the modern store only (AM_EUNSUPPORTED for binary stores,
 * which keep +-1 patterns: use am_store_add). */
int am_store_add_real(am_store *s, const float *x, size_t count);
/* The energy of a state (n values, not NULL). */
double am_store_energy(const am_store *s, const int8_t *state);
double am_store_energy_real(const am_store *s, const float *state);

int am_store_work_create(am_store_work **out, const am_store *s);
void am_store_work_free(am_store_work *w);
/* Recall from the cue in state (n values, in: the cue, out: the final state; +-1, or real for
 * am_store_recall_real). opts: NULL for am_recall_opts_default (am/recall.h: dynamics, step limit, energy
 * trace, monitor). rng: the stream for random visiting orders and Glauber noise; may be NULL only when the
 * dynamics draw nothing (sync, fixed order at T = 0, the modern store). work: NULL allocates scratch for
 * this call; a workspace from am_store_work_create works with every store of the same model and grows as
 * needed (one per thread). info: NULL, or out (steps, flips, final energy, how it ended). Cancelled
 * (AM_ECANCELED, am/cancel.h: polled every sweep and every 4096 unit updates): state is left between the cue
 * and where the recall would have ended. */
int am_store_recall(const am_store *s, int8_t *state, const am_recall_opts *opts, am_rng *rng, am_store_work *work,
                    am_recall_info *info);
int am_store_recall_real(const am_store *s, float *state, const am_recall_opts *opts, am_rng *rng,
                         am_store_work *work, am_recall_info *info);
/* Real-valued recall of nq states at once (x: nq x n floats, in: cues, out: final states), the fast way for
 * stores that have one (the modern store: two products by libam's fixed-order sgemm per update for blocks
 * of states, the same bits on any CPU, OpenBLAS kernels and thread count); info: NULL or nq entries out (the
 * final energies skipped, NAN, when opts->skip_energy). Options as above; a trace or a monitor is AM_EINVAL
 * here (recall one state for those). */
int am_store_recall_real_many(const am_store *s, float *x, size_t nq, const am_recall_opts *opts, am_rng *rng,
                              am_store_work *work, am_recall_info *info);
/* The stored pattern nearest (largest dot product) each of nq real states (cues: nq x n; idx: nq out). */
int am_store_nearest(const am_store *s, const float *cues, size_t nq, size_t *idx);
/* unstable[mu] = units of stored pattern mu that one update would flip (count entries, caller-owned);
 * for the modern store: components whose sign one update changes. Polls the cancel hook (am/cancel.h) for
 * every pattern (AM_ECANCELED: unstable only partly written). */
int am_store_stability(const am_store *s, size_t *unstable);
/* The same for stored patterns first .. first+count-1 (unstable: count entries). */
int am_store_stability_range(const am_store *s, size_t first, size_t count, size_t *unstable);

/* The n x n weight matrix (row-major, caller-owned, out) of a store that has one (the classical Hopfield
 * store); AM_EUNSUPPORTED for the others (also when w is NULL: a way to ask whether it has one). */
int am_store_weights(const am_store *s, float *w);

/* Save in the model's own format; load recognises any libam store file by its magic. */
int am_store_save(const am_store *s, const char *path);
int am_store_load(am_store **out, const char *path);

/* The wrapped model object (NULL if the store is of another model). */
am_hopfield *am_store_hopfield(am_store *s);
am_dense *am_store_dense(am_store *s);
am_modern *am_store_modern(am_store *s);

#ifdef __cplusplus
}
#endif
#endif
