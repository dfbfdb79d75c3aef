/* Internal to libam/stores: what every sequence store (seq-*.c) shares.
 *
 *   am__seqs     the bookkeeping: the elements (+-1 patterns, in the order added), the sequences (first element,
 *                length, cyclic), the successor of every element; append (all or nothing), save and load.
 *   am__seqrows  the rows the fields are made of, rebuilt from am__seqs after every add: the elements that have
 *                a successor, their successors, successor x element, every element (int8, row-major).
 *   am__sep      the separation function of the dense models, on integer arguments, exact where it can be.
 *   am__seq_fields  the one product every model's fields go through: H = C R (double coefficients, +-1 rows),
 *                each entry one chain of additions over the rows in order, so a field has the same bits
 *                whether it is computed alone or in a batch, on any thread, on any CPU.
 *   am__seqwork  the workspace every sequence type uses (grown to the model, never per step).
 *   the generic parts of the store-type operations: add, load, recall, stability (sequence.c). */
#ifndef AM_STORES_SEQS_H
#define AM_STORES_SEQS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/io.h"
#include "am/patterns.h"
#include "am/recall.h"
#include "type.h"

/* ---- the sequences ---- */

struct am__seqs {
    am_patterns pats;       /* the elements, count x n; pats.bits has room for cap patterns */
    size_t cap;
    size_t nseq, seqcap;    /* sequences held, room in the three arrays below */
    size_t *first;          /* nseq: the first element of each sequence */
    size_t *length;         /* nseq: its length (>= 1) */
    unsigned char *cyclic;  /* nseq: 1 if its last element is followed by its first */
    size_t *next;           /* count (room for cap): the successor of each element, SIZE_MAX after the last
                             * element of an open sequence */
    size_t open;            /* open sequences: count - open elements have a successor */
};
typedef struct am__seqs am__seqs;

/* Empty, for n units (nothing allocated). */
void am__seqs_init(am__seqs *q, size_t n);
/* Free what q holds (q may hold nothing). */
void am__seqs_clear(am__seqs *q);
/* Append one sequence (seq->n == q->pats.n, seq->count >= 1): all or nothing. AM_EOVERFLOW beyond INT32_MAX
 * elements. */
int am__seqs_append(am__seqs *q, const am_patterns *seq, int cyclic);
/* Undo the last append (a model that could not follow it). */
void am__seqs_drop_last(am__seqs *q);

/* The file part: n, count, nseq, every (length u64, cyclic u32), then the bits. */
void am__seqs_put(am__file *f, const am__seqs *q);
/* Read it into q (initialised here; cleared on failure): every count checked against the file before it is
 * allocated; lengths >= 1 summing to count, cyclic 0 or 1 (AM_EFORMAT), n <= AM_MAX_UNITS and count <=
 * INT32_MAX (AM_ERANGE). The caller closes the file, then calls am__seqs_loaded. */
int am__seqs_get(am__file *f, am__seqs *q);
/* After a good checksum: AM_EFORMAT if a pattern's unused bits are set. */
int am__seqs_loaded(const am__seqs *q);

/* ---- the rows of the fields ---- */

#define AM__ROWS_NXX 1u /* build nxx */
#define AM__ROWS_ALL 2u /* build all */

typedef struct am__seqrows {
    size_t n, count;
    size_t k;      /* elements with a successor */
    size_t *elem;  /* k: those elements, in order */
    int8_t *nxt;   /* k x n: the successor of each */
    int8_t *nxx;   /* k x n: successor times element, unit by unit (AM__ROWS_NXX, else NULL) */
    int8_t *all;   /* count x n: every element (AM__ROWS_ALL, else NULL) */
    double *nxt_d, *nxx_d; /* nxt and nxx as doubles (am__seqrows_doubles), else NULL */
} am__seqrows;

/* Double copies of nxt and nxx, for am__seq_fields_exact, when they take at most `budget` bytes (else none:
 * the int8 product serves). */
void am__seqrows_doubles(am__seqrows *r, size_t budget);
/* H = C R with R = r's double rows (nxt: which 0, nxx: 1), rows x n: through the BLAS (dgemm). Only for
 * products whose every partial sum is an integer below 2^53 (am__sep.exact): those are exact, so the result
 * is the same bits in any order of summation, at any thread count and under any BLAS kernel. */
void am__seq_fields_exact(double *h, const double *c, size_t ldc, size_t rows, const double *R, size_t k, size_t n);

/* Build the rows of q into r (what: AM__ROWS_* flags). On failure r is as it was; on success r's old buffers
 * are freed. */
int am__seqrows_build(am__seqrows *r, const am__seqs *q, unsigned what);
void am__seqrows_free(am__seqrows *r);

/* ---- the product of the fields ----
 * H (rows x n, row-major, out) = C (rows x k, leading dimension ldc) times R (k x n, +-1 int8, row-major):
 * H[r][j] = (((0 + C[r][0] R[0][j]) + C[r][1] R[1][j]) + ...) in this order, whatever rows is. rows may be 0. */
void am__seq_fields(double *h, const double *c, size_t ldc, size_t rows, const int8_t *R, size_t k, size_t n);
/* The same with rows of doubles (R: k x n doubles). */
void am__seq_fields_d(double *h, const double *c, size_t ldc, size_t rows, const double *R, size_t k, size_t n);
/* next[j] = sgn(h[j]), sgn(0) = +1 (len values). */
void am__seq_signs(const double *h, int8_t *next, size_t len);
/* Whether a product of this size is worth a team of threads. */
int am__seq_parallel(size_t rows, size_t k, size_t n);

/* ---- the separation function ----
 * g(y) of integer arguments y on one axis: poly y^d (exactly, in integers held by doubles, when every sum of
 * the fields stays below 2^53; else (y / s)^d with s the largest |y| of the state), exp e^{y / q - shift}
 * with shift the largest y / q of the state. Every model sees the same numbers for the same state. */
typedef struct am__sep {
    int exp;     /* 0: poly, 1: exp */
    int degree;  /* poly */
    int exact;   /* poly: integers, no scale */
    double q;    /* exp: the axis unit */
    double s;    /* per state: poly scale, or exp shift */
} am__sep;

/* For a model whose fields sum `terms` values of g with |y| <= ymax. */
void am__sep_init(am__sep *g, int exp, int degree, double q, size_t terms, double ymax);
/* For one state: ymax the largest |y| (poly) or largest y (exp) g will be taken of. */
void am__sep_state(am__sep *g, int64_t ymax);
double am__sep_g(const am__sep *g, int64_t y);
/* The even and odd parts of g around y with half-width v: e = (g(y+v) + g(y-v))/2, o = (g(y+v) - g(y-v))/2. */
void am__sep_parts(const am__sep *g, int64_t y, int64_t v, double *e, double *o);

/* ---- the workspace ---- */

/* Rows of a batch for n units and count elements: elements per step_batch call (the callers split larger
 * ranges), 4 to 64, so that a batch's coefficients and fields stay near 16 MB. */
size_t am__seqs_batch(size_t n, size_t count);

typedef struct am__seqwork {
    size_t n, count, rows; /* fitted: units, elements, batch rows */
    uint64_t *pk;  /* words: a packed state */
    int32_t *m;    /* rows x count overlaps (a row per batch state; mixed: now, summed over the window, one more) */
    double *c1;    /* rows x count coefficients */
    double *c2;    /* rows x count */
    double *h1;    /* rows x n fields */
    double *h2;    /* rows x n */
    int32_t *t;    /* n: per-unit integers (mixed: the window's sums) */
} am__seqwork;

/* Fit w (zeroed or fitted before) to n units, count elements, rows rows (at least am__seqs_batch(n, count)). */
int am__seqwork_fit(am__seqwork *w, size_t n, size_t count, size_t rows);
int am__seqwork_create(void **out, size_t n, size_t count, size_t rows);
void am__seqwork_free(void *w);

/* The overlaps x . xi^e with every element (count int32, out) of a +-1 state s (packed through w->pk). */
void am__seqs_overlaps(const am__seqs *q, const int8_t *s, uint64_t *pk, int32_t *m);

/* What a memoryless model computes of a step: the next states (next: nb x n out, may be states) of nb states
 * (states: nb x n, +-1) from their overlaps with every element, w->m (nb rows of count). nb <= w->rows. */
typedef void (*am__seqs_rows_fn)(const void *model, am__seqwork *w, const int8_t *states, size_t nb, int8_t *next);
/* The step op of such a model (model: an am__seqbase first): the overlaps of s, then rows. */
int am__seqs_step(const void *model, const int8_t *s, int8_t *next, void *work, am__seqs_rows_fn rows);
/* Its step_batch op: in chunks of w->rows elements, each element unpacked into next as the state and its
 * overlaps (on a team of threads when it pays), then rows. */
int am__seqs_step_batch(const void *model, size_t first, size_t count, int8_t *next, void *work,
                        am__seqs_rows_fn rows);

/* ---- the first member of every sequence model ---- */

typedef struct am__seqbase {
    am__seqs q;
    am__seqrows r;
    size_t rows; /* rows its workspace needs besides a batch's (0: none) */
} am__seqbase;

/* Operations every sequence type takes as they are (model: an am__seqbase first). */
size_t am__seqbase_n(const void *model);
size_t am__seqbase_count(const void *model);
const am_patterns *am__seqbase_patterns(const void *model);
const am__seqs *am__seqbase_sequences(const void *model);
unsigned am__seqbase_memory(const void *model); /* 0 */
int am__seqbase_work_create(void **work, const void *model);
int am__seqbase_work_fit(void *work, const void *model);
/* Free what b holds (not b). */
void am__seqbase_clear(am__seqbase *b);
/* A model of `size` bytes: the base holding q (taken over, also on failure), the parameter block p (psize
 * bytes) copied to offset poff, then rebuild(model); freed again if that fails. */
int am__seqbase_make(void **model, size_t size, size_t poff, const void *p, size_t psize, am__seqs *q,
                     int (*rebuild)(void *model));
/* The free op of a model made so (model may be NULL; what rebuild allocated beyond the base is freed by
 * the type, which then calls this). */
void am__seqbase_free(void *model);

/* The shortest text of v that reads back as v (for the types' get()). */
void am__seqs_print_double(char *buf, size_t size, double v);

/* ---- generic parts of the operations (sequence.c) ---- */

/* The add op: append, then rebuild(model) (which must leave the model as it was on failure), undone on
 * failure. pats->count == 0 adds nothing. */
int am__seqs_add(am__seqs *q, const am_patterns *pats, int cyclic, int (*rebuild)(void *model), void *model);
/* The save op: the type's magic, version 1, its parameter fields (put), the sequences. */
int am__seqs_save(const am_store_type *t, const am__seqs *q, const char *path,
                  void (*put)(am__file *f, const void *model), const void *model);
/* The load op: get reads the type's parameter fields into p (AM_EFORMAT/AM_ERANGE for bad ones; a NaN read
 * through am__get_f64 is reported as AM_ENOTFINITE); make creates the model from p and the sequences (takes
 * q over, also on failure). */
int am__seqs_load(void **model, const am_store_type *t, const char *path, void *p,
                  int (*get)(am__file *f, void *p), int (*make)(void **model, const void *p, am__seqs *q));
/* The recall op: opts->max_steps synchronous steps with the type's step (history as a replay's), info as
 * am/store.h says (energy NAN; AM_END_FIXED once a step from a constant history changes nothing). */
int am__seqs_recall(const am_store_type *t, const void *model, int8_t *s, const am_recall_opts *o, void *work,
                    am_recall_info *info);
/* The stability op: units of the step from each element that differ from its successor (0 for the end of an
 * open sequence). */
int am__seqs_stability(const am_store_type *t, const void *model, size_t first, size_t count, size_t *unstable);
/* One step from each of elements first..first+count-1 (next: count x n out), through step_batch in blocks
 * (or step with the element as the whole history); polls the cancel hook between blocks. work fits model. */
int am__seqs_steps(const am_store_type *t, const void *model, size_t first, size_t count, int8_t *next, void *work);

/* The types (store.c's table). */
extern const am_store_type am__store_seq_hebb, am__store_seq_dense, am__store_seq_mixed, am__store_seq_pinv,
    am__store_seq_modern;

#endif
