/* The sequence API (am/sequence.h) over every sequence store, and the parts of the store-type operations that
 * every sequence type shares (seqs.h): add, save, load, recall, stability, steps from the elements. Nothing
 * here knows a model: steps go through the type's step / step_batch. */
#include "am/sequence.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/cancel_internal.h"
#include "../core/patterns_internal.h"
#include "am/error.h"
#include "internal.h"
#include "seqs.h"

static const am__seqs *seqs_of(const am_store *s)
{
    return s && (s->type->flags & AM_STORE_SEQUENCE) ? s->type->sequences(s->model) : NULL;
}

/* ---- the API ---- */

int am_sequence_add(am_store *s, const am_patterns *seq, int cyclic)
{
    if (!s || !seq)
        return AM_EINVAL;
    if (!(s->type->flags & AM_STORE_SEQUENCE))
        return AM_EUNSUPPORTED;
    if (seq->n != am_store_n(s))
        return AM_ESIZE;
    if (seq->count == 0)
        return AM_EINVAL;
    return s->type->add(s->model, seq, cyclic ? 1 : 0);
}

size_t am_sequence_count(const am_store *s)
{
    const am__seqs *q = seqs_of(s);
    return q ? q->nseq : 0;
}

int am_sequence_info(const am_store *s, size_t k, size_t *first, size_t *length, int *cyclic)
{
    const am__seqs *q = seqs_of(s);
    if (!s)
        return AM_EINVAL;
    if (!q)
        return AM_EUNSUPPORTED;
    if (k >= q->nseq)
        return AM_EINVAL;
    if (first)
        *first = q->first[k];
    if (length)
        *length = q->length[k];
    if (cyclic)
        *cyclic = q->cyclic[k];
    return AM_OK;
}

size_t am_sequence_next(const am_store *s, size_t e)
{
    const am__seqs *q = seqs_of(s);
    return q && e < q->pats.count ? q->next[e] : SIZE_MAX;
}

unsigned am_sequence_memory(const am_store *s)
{
    const am_store_type *t = am_store_type_of(s);
    return (am_store_type_flags(t) & AM_STORE_SEQUENCE) && t->memory ? t->memory(s->model) : 0;
}

/* ---- the run of synchronous steps (replay and recall) ---- */

/* Called after step t (1-based) with the state before (prev) and after (cur) and how many units changed;
 * returns 1 to stop. */
typedef int (*step_hook)(void *ctx, unsigned t, const int8_t *prev, const int8_t *cur, size_t changed);

/* Up to `steps` steps from the cue, through a ring of memory + 2 states: hist[k] is the state k steps ago,
 * the cue before the start. out (n values; NULL: not wanted; may be the cue) receives the last state reached,
 * also when cancelled. A monitor (o may be NULL) sees the cue and every step. *taken: the steps made. */
static int run(const am_store_type *t, const void *model, void *work, const int8_t *cue, int8_t *out,
               unsigned steps, const am_recall_opts *o, step_hook hook, void *ctx, unsigned *taken)
{
    size_t n = t->n(model), mem = t->memory(model), slots = mem + 2, bytes;
    int rc = AM_OK;
    *taken = 0;
    if (am_size_mul(slots, n, &bytes))
        return AM_EOVERFLOW;
    int8_t *ring = malloc(bytes);
    const int8_t **hist = malloc((mem + 1) * sizeof *hist);
    if (!ring || !hist) {
        free(ring), free(hist);
        return AM_ENOMEM;
    }
    for (size_t k = 0; k < slots; k++) /* the past before the start: the cue */
        memcpy(ring + k * n, cue, n);
    int8_t *last = ring;
    if (o && o->monitor)
        am__monitor(o, 0, 0, SIZE_MAX, n, last, NULL, NAN);
    for (unsigned tt = 1; tt <= steps; tt++) {
        if ((rc = am_cancel_poll()))
            break;
        for (size_t k = 0; k <= mem; k++) /* time tt - 1 - k, modulo slots (k < slots) */
            hist[k] = ring + (((tt - 1) % slots + slots - k) % slots) * n;
        int8_t *next = ring + (tt % slots) * n;
        if ((rc = t->step(model, hist, next, work)))
            break;
        size_t changed = 0;
        for (size_t i = 0; i < n; i++)
            changed += next[i] != hist[0][i];
        last = next;
        *taken = tt;
        if (o && o->monitor)
            am__monitor(o, tt, (uint64_t)tt * n, SIZE_MAX, n, last, NULL, NAN);
        if (hook && hook(ctx, tt, hist[0], next, changed))
            break;
    }
    if (out)
        memcpy(out, last, n);
    free(ring), free(hist);
    return rc;
}

static int check_pm1(const int8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != 1 && s[i] != -1)
            return AM_EINVAL;
    return AM_OK;
}

/* The element whose pattern equals the packed state pk exactly, trying `hint` and `hint2` first (either may
 * be SIZE_MAX), else the lowest; SIZE_MAX if none. */
static size_t exact_element(const am__seqs *q, const uint64_t *pk, size_t hint, size_t hint2)
{
    size_t words = q->pats.words, bytes = words * sizeof(uint64_t);
    if (hint != SIZE_MAX && !memcmp(q->pats.bits + hint * words, pk, bytes))
        return hint;
    if (hint2 != SIZE_MAX && !memcmp(q->pats.bits + hint2 * words, pk, bytes))
        return hint2;
    for (size_t e = 0; e < q->pats.count; e++)
        if (!memcmp(q->pats.bits + e * words, pk, bytes))
            return e;
    return SIZE_MAX;
}

/* ---- replay ---- */

enum { AT, LOST, ENDED }; /* the count is at an element, off every element, past an open sequence's end */

typedef struct replay_ctx {
    const am__seqs *q;
    size_t n, cur;
    int mode;
    uint64_t *pk;  /* words */
    int32_t *m;    /* count */
    double *overlaps;
    int8_t *states;
    am_replay_info *info;
} replay_ctx;

static void record(replay_ctx *c, unsigned t, const int8_t *s)
{
    size_t count = c->q->pats.count;
    if (c->states && c->states + (size_t)t * c->n != s)
        memcpy(c->states + (size_t)t * c->n, s, c->n);
    if (c->overlaps) {
        am__seqs_overlaps(c->q, s, c->pk, c->m);
        for (size_t e = 0; e < count; e++)
            c->overlaps[(size_t)t * count + e] = (double)c->m[e] / (double)c->n;
    }
}

static int replay_hook(void *ctx, unsigned t, const int8_t *prev, const int8_t *cur, size_t changed)
{
    replay_ctx *c = ctx;
    size_t nx = c->mode == AT ? c->q->next[c->cur] : SIZE_MAX;
    (void)prev, (void)changed;
    record(c, t, cur);
    am_state_pack(cur, c->n, c->pk);
    size_t e = exact_element(c->q, c->pk, nx, c->mode == AT ? c->cur : SIZE_MAX);
    if (c->mode == AT && nx != SIZE_MAX && e == nx) {
        c->info->transitions++;
        c->cur = nx;
    } else if (c->mode == AT && e == c->cur) {
        /* held: neither */
    } else if (c->mode == ENDED || (c->mode == AT && nx == SIZE_MAX)) {
        c->mode = e == SIZE_MAX ? ENDED : AT; /* past the end: not counted until it lands on an element */
        c->cur = e;
    } else {
        c->info->wrong++;
        if (c->info->first_fail < 0)
            c->info->first_fail = (long)t;
        c->mode = e == SIZE_MAX ? LOST : AT;
        c->cur = e;
    }
    return 0;
}

/* The element of best overlap with s (the lowest on ties). */
static size_t best_element(replay_ctx *c, const int8_t *s)
{
    size_t best = 0;
    am__seqs_overlaps(c->q, s, c->pk, c->m);
    for (size_t e = 1; e < c->q->pats.count; e++)
        best = c->m[e] > c->m[best] ? e : best;
    return best;
}

int am_sequence_replay(const am_store *s, int8_t *state, size_t start, unsigned steps, const am_recall_opts *opts,
                       am_store_work *work, double *overlaps, int8_t *states, am_replay_info *info)
{
    am_replay_info local;
    am_store_work *w = work;
    const am__seqs *q;
    int rc;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    info->first_fail = -1;
    info->final_element = SIZE_MAX;
    if (!s || !state)
        return AM_EINVAL;
    if (!(q = seqs_of(s)))
        return AM_EUNSUPPORTED;
    size_t n = q->pats.n, count = q->pats.count;
    if (count == 0)
        return AM_EEMPTY;
    if (check_pm1(state, n) || (start != SIZE_MAX && start >= count))
        return AM_EINVAL;
    if (w && (rc = am__store_work_fit(s, w)))
        return rc;
    if (!w && (rc = am_store_work_create(&w, s)))
        return rc;
    replay_ctx c = {q, n, start, AT, malloc(q->pats.words * sizeof(uint64_t)), malloc(count * sizeof(int32_t)),
                    overlaps, states, info};
    if (!c.pk || !c.m) {
        rc = AM_ENOMEM;
        goto done;
    }
    if (start == SIZE_MAX)
        c.cur = best_element(&c, state);
    record(&c, 0, state);
    /* states beginning at state: row 0 keeps the cue, the last state is row info->steps */
    rc = run(s->type, s->model, w->work, state, states == state ? NULL : state, steps, opts, replay_hook, &c,
             &info->steps);
    am_state_pack(states == state ? states + (size_t)info->steps * n : state, n, c.pk);
    info->final_element = exact_element(q, c.pk, SIZE_MAX, SIZE_MAX);
done:
    free(c.pk), free(c.m);
    if (w != work)
        am_store_work_free(w);
    return rc;
}

/* ---- steps from the elements ---- */

int am__seqs_steps(const am_store_type *t, const void *model, size_t first, size_t count, int8_t *next, void *work)
{
    const am__seqs *q = t->sequences(model);
    size_t n = q->pats.n, block = am__seqs_batch(q->pats.n, q->pats.count), mem = t->memory(model);
    const int8_t **hist = NULL;
    int8_t *cur = NULL;
    int rc = AM_OK;
    if (!t->step_batch && (!(hist = malloc((mem + 1) * sizeof *hist)) || !(cur = malloc(n)))) {
        free(hist);
        return AM_ENOMEM;
    }
    for (size_t b0 = 0; b0 < count && !rc; b0 += block) {
        size_t nb = count - b0 < block ? count - b0 : block;
        if ((rc = am_cancel_poll()))
            break;
        if (t->step_batch) {
            rc = t->step_batch(model, first + b0, nb, next + b0 * n, work);
            continue;
        }
        for (size_t k = 0; k < nb && !rc; k++) { /* the element is the whole history */
            am_patterns_get(&q->pats, first + b0 + k, cur);
            for (size_t j = 0; j <= mem; j++)
                hist[j] = cur;
            rc = t->step(model, hist, next + (b0 + k) * n, work);
        }
    }
    free(hist), free(cur);
    return rc;
}

int am_sequence_transitions(const am_store *s, size_t first, size_t count, am_store_work *work, int8_t *next,
                            unsigned char *exact, size_t *nexact)
{
    am_store_work *w = work;
    const am__seqs *q;
    int rc;
    if (nexact)
        *nexact = 0;
    if (!s || (count && !next))
        return AM_EINVAL;
    if (!(q = seqs_of(s)))
        return AM_EUNSUPPORTED;
    size_t n = q->pats.n, total = q->pats.count, words = q->pats.words;
    if (first > total || count > total - first)
        return AM_EINVAL;
    if (count == 0)
        return AM_OK;
    uint64_t *pk = malloc(words * sizeof *pk);
    if (!pk)
        return AM_ENOMEM;
    if (w && (rc = am__store_work_fit(s, w)))
        goto done;
    if (!w && (rc = am_store_work_create(&w, s)))
        goto done;
    if ((rc = am__seqs_steps(s->type, s->model, first, count, next, w->work)))
        goto done;
    for (size_t k = 0; k < count; k++) {
        size_t nx = q->next[first + k];
        am_state_pack(next + k * n, n, pk);
        int hit = nx == SIZE_MAX || !memcmp(q->pats.bits + nx * words, pk, words * sizeof *pk);
        if (exact)
            exact[k] = (unsigned char)hit;
        if (nexact)
            *nexact += (size_t)hit;
    }
done:
    free(pk);
    if (w && w != work)
        am_store_work_free(w);
    return rc;
}

/* ---- the generic operations ---- */

int am__seqs_add(am__seqs *q, const am_patterns *pats, int cyclic, int (*rebuild)(void *model), void *model)
{
    int rc;
    if (pats->count == 0)
        return AM_OK;
    if ((rc = am__seqs_append(q, pats, cyclic)))
        return rc;
    if ((rc = rebuild(model)))
        am__seqs_drop_last(q);
    return rc;
}

#define SEQ_VERSION 1u

int am__seqs_save(const am_store_type *t, const am__seqs *q, const char *path,
                  void (*put)(am__file *f, const void *model), const void *model)
{
    am__file f;
    int rc = am__wopen(&f, path);
    if (rc)
        return rc;
    am__put(&f, t->magic, 8);
    am__put_u32(&f, SEQ_VERSION);
    am__put_u32(&f, 0x01020304u);
    if (put)
        put(&f, model);
    am__seqs_put(&f, q);
    return am__wclose(&f);
}

int am__seqs_load(void **model, const am_store_type *t, const char *path, void *p,
                  int (*get)(am__file *f, void *p), int (*make)(void **model, const void *p, am__seqs *q))
{
    am__file f;
    am__seqs q;
    uint32_t version;
    int rc;
    *model = NULL;
    am__seqs_init(&q, 1);
    if ((rc = am__ropen(&f, path, t->magic, SEQ_VERSION, &version)))
        return rc;
    t->defaults(p);
    if ((get && (rc = get(&f, p))) || (rc = am__seqs_get(&f, &q))) {
        if (f.nonfinite && !f.err)
            rc = AM_ENOTFINITE;
        am__rabort(&f);
        return rc;
    }
    if ((rc = am__rclose(&f)) || (rc = am__seqs_loaded(&q)) || (t->check(p, q.pats.n, NULL, 0) && (rc = AM_ERANGE))) {
        am__seqs_clear(&q);
        return rc;
    }
    return make(model, p, &q);
}

/* ---- recall ---- */

typedef struct recall_ctx {
    const am_recall_opts *o;
    am_recall_info *info;
    size_t mem, same; /* same: the latest states (the padding of cues included) that are equal */
} recall_ctx;

static int recall_hook(void *ctx, unsigned t, const int8_t *prev, const int8_t *cur, size_t changed)
{
    recall_ctx *c = ctx;
    (void)prev, (void)cur;
    c->info->steps = t;
    c->info->flips += changed;
    am__trace_push(c->o, c->info, NAN);
    if (changed) {
        c->same = 1;
        return 0;
    }
    if (c->same >= c->mem + 1) { /* the step saw one state throughout, and gave it back: so will every next */
        c->info->end = AM_END_FIXED;
        return 1;
    }
    c->same++;
    return 0;
}

int am__seqs_recall(const am_store_type *t, const void *model, int8_t *s, const am_recall_opts *o, void *work,
                    am_recall_info *info)
{
    const am__seqs *q = t->sequences(model);
    unsigned taken;
    if (q->pats.count == 0)
        return AM_EEMPTY;
    recall_ctx c = {o, info, t->memory(model), t->memory(model) + 1};
    info->end = AM_END_MAXSTEPS;
    info->energy = NAN;
    am__trace_push(o, info, NAN);
    return run(t, model, work, s, s, o->max_steps, o, recall_hook, &c, &taken);
}

int am__seqs_stability(const am_store_type *t, const void *model, size_t first, size_t count, size_t *unstable)
{
    const am__seqs *q = t->sequences(model);
    size_t n = q->pats.n, block = am__seqs_batch(q->pats.n, q->pats.count), bytes;
    void *work = NULL;
    int rc = AM_OK;
    if (am_size_mul(block, n, &bytes))
        return AM_EOVERFLOW;
    int8_t *next = malloc(bytes), *want = malloc(n);
    if (!next || !want)
        rc = AM_ENOMEM;
    else if (t->work_create)
        rc = t->work_create(&work, model);
    if (rc) {
        free(next), free(want);
        return rc;
    }
    for (size_t b0 = 0; b0 < count; b0 += block) {
        size_t nb = count - b0 < block ? count - b0 : block;
        if ((rc = am__seqs_steps(t, model, first + b0, nb, next, work)))
            break;
        for (size_t k = 0; k < nb; k++) {
            size_t nx = q->next[first + b0 + k], bad = 0;
            if (nx != SIZE_MAX) {
                am_patterns_get(&q->pats, nx, want);
                for (size_t i = 0; i < n; i++)
                    bad += next[k * n + i] != want[i];
            }
            unstable[b0 + k] = bad;
        }
    }
    if (t->work_free)
        t->work_free(work);
    free(next), free(want);
    return rc;
}
