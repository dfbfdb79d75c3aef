/* Melodies as sequences of +-1 patterns (am/melody.h).
 *
 * PITCHCLASS and RANGE: units [pitch units][rest][onset][sustain], each unit repeated c->repeat times (unit u
 * occupies u*repeat .. u*repeat + repeat - 1), the active units +1 and the others -1. A step's pitch unit
 * (or the rest unit) is active; onset is active when a note begins in the step, sustain when a note is held
 * from before (a rest has neither). RANGE folds pitches outside lo..hi into it by octaves.
 *
 * SPARSE: symbol s = 2 * index + onset, index the pitch's place in lo..hi (folded as above), or hi - lo + 1
 * for the rest (with onset 0 only: 2 (hi - lo + 1) + 1 symbols); its code has k distinct active units of n, drawn (Floyd's algorithm) from the stream
 * (seed, s) of am/rng.h.
 *
 * History: with c->history = H > 1 a pattern holds H such step codes, the current step's first, then the step
 * before it, ...; steps before the tune's start are rests.
 *
 * Context: c->context units after these, the same in every step of tune t: +-1 from the stream
 * (seed, 2^32 + t), one draw a unit (its lowest bit). */
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "am/melody.h"
#include "am/patterns.h"
#include "am/rng.h"

#define CONTEXT_STREAM ((uint64_t)1 << 32)

void am_melcode_init(am_melcode *c)
{
    memset(c, 0, sizeof *c);
    c->kind = AM_MELCODE_PITCHCLASS;
    c->step = AM_MELODY_TPQ / 2;
    c->lo = 48;
    c->hi = 84;
    c->repeat = 8;
    c->n = 256;
    c->k = 16;
    c->history = 1;
}

/* Pitch units of a one-hot kind: 12 or hi - lo + 1. */
static size_t pitch_units(const am_melcode *c)
{
    return c->kind == AM_MELCODE_PITCHCLASS ? 12 : (size_t)(c->hi - c->lo + 1);
}

/* Units before the context code. */
static size_t code_units(const am_melcode *c)
{
    return c->kind == AM_MELCODE_SPARSE ? c->n : (pitch_units(c) + 3) * c->repeat;
}

int am_melcode_check(const am_melcode *c, char *why, size_t size)
{
    char dummy[1];
    if (!why)
        why = dummy, size = sizeof dummy;
#define BAD(...) return (snprintf(why, size, __VA_ARGS__), AM_EINVAL)
    if (c->kind != AM_MELCODE_PITCHCLASS && c->kind != AM_MELCODE_RANGE && c->kind != AM_MELCODE_SPARSE)
        BAD("kind %d is not PITCHCLASS, RANGE or SPARSE", (int)c->kind);
    if (!c->step || c->step > AM_MELODY_MAX_TICKS)
        BAD("step %u ticks: must be 1..2^31", (unsigned)c->step);
    if (c->kind != AM_MELCODE_PITCHCLASS && (c->lo < 0 || c->hi > 127 || c->hi - c->lo < 11))
        BAD("pitch range %d..%d: must lie in 0..127 and span an octave (12 pitches) or more", c->lo, c->hi);
    if (c->kind != AM_MELCODE_SPARSE && (c->repeat < 1 || c->repeat > AM_MAX_UNITS))
        BAD("repeat %u: must be 1 or more", c->repeat);
    if (c->kind == AM_MELCODE_SPARSE && (c->k < 1 || c->k > c->n || c->n > AM_MAX_UNITS))
        BAD("sparse code of k = %zu active of n = %zu units: needs 1 <= k <= n <= 2^24", c->k, c->n);
    if (c->history < 1 || c->history > 64)
        BAD("history %u steps: must be 1..64", c->history);
    if (code_units(c) * c->history > AM_MAX_UNITS || c->context > AM_MAX_UNITS - code_units(c) * c->history)
        BAD("%u x %zu code units and %zu context units: more than 2^24 units", c->history, code_units(c), c->context);
#undef BAD
    if (size)
        why[0] = 0;
    return AM_OK;
}

size_t am_melcode_units(const am_melcode *c)
{
    return code_units(c) * c->history + c->context;
}

/* A pitch folded by octaves into lo..hi (the range spans an octave or more). */
static int fold(const am_melcode *c, int p)
{
    while (p < c->lo)
        p += 12;
    while (p > c->hi)
        p -= 12;
    return p;
}

/* The one-hot unit of a pitch (or the rest). */
static size_t pitch_unit(const am_melcode *c, int32_t pitch)
{
    if (pitch == AM_REST)
        return pitch_units(c);
    return c->kind == AM_MELCODE_PITCHCLASS ? (size_t)(pitch % 12) : (size_t)(fold(c, pitch) - c->lo);
}

/* The k active units of sparse symbol s as +1 in x[0, n) (others -1); mark: n bytes of scratch. */
static void sparse_code(const am_melcode *c, size_t s, int8_t *x, unsigned char *mark)
{
    am_rng r;
    am_rng_init(&r, c->seed, s);
    memset(mark, 0, c->n);
    for (size_t j = c->n - c->k; j < c->n; j++) { /* Floyd: k distinct of n */
        size_t t = (size_t)am_rng_below(&r, j + 1);
        mark[mark[t] ? j : t] = 1;
    }
    for (size_t i = 0; i < c->n; i++)
        x[i] = mark[i] ? 1 : -1;
}

static size_t sparse_symbol(const am_melcode *c, int32_t pitch, int onset)
{
    return 2 * pitch_unit(c, pitch) + (pitch != AM_REST && onset);
}

/* The code of one step (code_units(c) values) into x; mark: scratch of n bytes (SPARSE). */
static void step_code(const am_melcode *c, int32_t pitch, int onset, int8_t *x, unsigned char *mark)
{
    if (c->kind == AM_MELCODE_SPARSE) {
        sparse_code(c, sparse_symbol(c, pitch, onset), x, mark);
        return;
    }
    size_t P = pitch_units(c), r = c->repeat;
    memset(x, -1, code_units(c));
    memset(x + pitch_unit(c, pitch) * r, 1, r);
    if (pitch != AM_REST)
        memset(x + (onset ? P + 1 : P + 2) * r, 1, r);
}

static void context_code(const am_melcode *c, size_t tune, int8_t *x)
{
    am_rng r;
    am_rng_init(&r, c->seed, CONTEXT_STREAM + tune);
    for (size_t i = 0; i < c->context; i++)
        x[i] = am_rng_u64(&r) & 1 ? 1 : -1;
}

int am_melcode_encode(const am_melcode *c, const am_melody *m, size_t tune, am_patterns **out)
{
    *out = NULL;
    if (am_melcode_check(c, NULL, 0) || am_melody_check(m, NULL, 0))
        return AM_EINVAL;
    size_t steps = am_melody_steps(m, c->step), units = am_melcode_units(c);
    int32_t *pitch = malloc((steps ? steps : 1) * sizeof *pitch);
    unsigned char *onset = malloc(steps ? steps : 1), *mark = malloc(c->kind == AM_MELCODE_SPARSE ? c->n : 1);
    int8_t *x = malloc(units);
    int rc = pitch && onset && mark && x ? am_patterns_create(out, units, steps) : AM_ENOMEM;
    if (!rc) {
        size_t cu = code_units(c), h = c->history;
        am_melody_grid(m, c->step, steps, pitch, onset);
        context_code(c, tune, x + cu * h);
        for (size_t j = 0; j < h; j++) /* before the start: rests */
            step_code(c, AM_REST, 0, x + j * cu, mark);
        for (size_t t = 0; t < steps; t++) {
            memmove(x + cu, x, cu * (h - 1)); /* the history moves back one slot */
            step_code(c, pitch[t], onset[t], x, mark);
            am_patterns_set(*out, t, x);
        }
    }
    free(pitch);
    free(onset);
    free(mark);
    free(x);
    return rc;
}

/* The sum over the repeats of unit u. */
static long unit_sum(const am_melcode *c, const int8_t *x, size_t u)
{
    long s = 0;
    for (size_t i = 0; i < c->repeat; i++)
        s += x[u * c->repeat + i];
    return s;
}

/* The overlap of x with code (n values), in [-1, 1]. */
static double overlap(const int8_t *x, const int8_t *code, size_t n)
{
    long s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i] * code[i];
    return (double)s / (double)n;
}

/* PITCHCLASS and RANGE: the pitch unit of the largest sum (lowest on ties), onset by majority. A pitch class
 * decodes to octave 4 (60..71). */
static void onehot_decode(const am_melcode *c, const int8_t *x, int32_t *pitch, unsigned char *onset)
{
    size_t P = pitch_units(c), best = 0;
    long bs = unit_sum(c, x, 0);
    for (size_t u = 1; u <= P; u++) {
        long s = unit_sum(c, x, u);
        if (s > bs)
            bs = s, best = u;
    }
    *pitch = best == P ? AM_REST : c->kind == AM_MELCODE_PITCHCLASS ? 60 + (int32_t)best : c->lo + (int32_t)best;
    *onset = best != P && unit_sum(c, x, P + 1) > 0;
}

/* SPARSE: the symbol of best overlap (lowest on ties). */
static void sparse_decode(const am_melcode *c, const int8_t *x, int32_t *pitch, unsigned char *onset, int8_t *code,
                          unsigned char *mark)
{
    size_t P = (size_t)(c->hi - c->lo + 1), best = 0;
    double bo = -2;
    for (size_t s = 0; s < 2 * P + 1; s++) { /* the rest has no onset symbol */
        sparse_code(c, s, code, mark);
        double o = overlap(x, code, c->n);
        if (o > bo)
            bo = o, best = s;
    }
    *pitch = best / 2 == P ? AM_REST : c->lo + (int32_t)(best / 2);
    *onset = best & 1;
}

double am_melcode_decode_step(const am_melcode *c, const int8_t *x, int32_t *pitch, unsigned char *onset)
{
    size_t n = code_units(c);
    int8_t *code = malloc(n);
    unsigned char *mark = malloc(c->kind == AM_MELCODE_SPARSE ? c->n : 1);
    *pitch = AM_REST, *onset = 0;
    if (!code || !mark) {
        free(code);
        free(mark);
        return -2; /* out of memory: outside [-1, 1] */
    }
    if (c->kind == AM_MELCODE_SPARSE)
        sparse_decode(c, x, pitch, onset, code, mark);
    else
        onehot_decode(c, x, pitch, onset);
    step_code(c, *pitch, *onset, code, mark);
    double o = overlap(x, code, n);
    free(code);
    free(mark);
    return o;
}

int am_melcode_decode(const am_melcode *c, const int8_t *states, size_t count, am_melody *out)
{
    memset(out, 0, sizeof *out);
    if (am_melcode_check(c, NULL, 0))
        return AM_EINVAL;
    size_t units = am_melcode_units(c);
    int32_t *pitch = malloc((count ? count : 1) * sizeof *pitch);
    unsigned char *onset = malloc(count ? count : 1);
    int rc = pitch && onset ? AM_OK : AM_ENOMEM;
    for (size_t t = 0; !rc && t < count; t++)
        if (am_melcode_decode_step(c, states + t * units, &pitch[t], &onset[t]) < -1)
            rc = AM_ENOMEM;
    if (!rc)
        rc = am_melody_from_grid(out, pitch, onset, count, c->step);
    free(pitch);
    free(onset);
    return rc;
}
