/* libam — ±1 pattern sets, bit-packed, with generators, corruption and overlaps.
 *
 * A pattern set holds `count` patterns of `n` units. Pattern mu occupies `words` 64-bit words starting
 * at bits + mu*words; bit i (word i/64, bit i%64) is 1 for state +1 and 0 for state -1; unused tail bits
 * are always 0, so popcounts over whole words are exact.
 *
 * A "state" is an int8_t array of n entries, each +1 or -1, owned by the caller. Kernels work on states;
 * sets store them compactly. */
#ifndef AM_PATTERNS_H
#define AM_PATTERNS_H

#include <stddef.h>
#include <stdint.h>

#include "am/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most units a store or pattern set may have (16.7 million): creating more is AM_EINVAL, and a file
 * that declares more is rejected (AM_ERANGE) before anything is allocated. */
#define AM_MAX_UNITS ((size_t)1 << 24)

typedef struct am_patterns {
    size_t n;       /* units per pattern */
    size_t count;   /* number of patterns */
    size_t words;   /* 64-bit words per pattern: ceil(n / 64) */
    uint64_t *bits; /* count * words words, owned by the set */
} am_patterns;

/* Allocate a set of `count` patterns of n units, all -1. AM_EOVERFLOW when the set's size does not fit a size_t,
 * else 1 <= n <= AM_MAX_UNITS (AM_EINVAL otherwise); count may be 0. */
int am_patterns_create(am_patterns **out, size_t n, size_t count);
void am_patterns_free(am_patterns *p);
/* Deep copy. */
int am_patterns_clone(am_patterns **out, const am_patterns *src);

/* Pattern mu as a state: s[0..n) receives +1/-1. */
void am_patterns_get(const am_patterns *p, size_t mu, int8_t *s);
/* Set pattern mu from a state; entries > 0 become +1, all others -1. */
void am_patterns_set(am_patterns *p, size_t mu, const int8_t *s);
/* Unit i of pattern mu, +1 or -1. */
int am_patterns_unit(const am_patterns *p, size_t mu, size_t i);

/* Views for kernels. Row-major count x n (pattern mu is row mu), leading dimension n. */
void am_patterns_to_float(const am_patterns *p, float *out);
void am_patterns_to_double(const am_patterns *p, double *out);
/* Transposed int8 view: n x count row-major, out[i*count + mu] = unit i of pattern mu. */
void am_patterns_to_int8_t(const am_patterns *p, int8_t *out);

/* Generators (fill every pattern of the set). */
/* Each unit independently +1 or -1 with probability 1/2. */
void am_patterns_random(am_patterns *p, am_rng *rng);
/* Biased patterns: each unit is +1 with probability `activity` (0 <= activity <= 1), else -1. This and
 * am_patterns_correlated draw unit by unit and poll the cancel hook (am/cancel.h) between patterns:
 * AM_ECANCELED leaves the patterns not reached as they were. */
int am_patterns_biased(am_patterns *p, double activity, am_rng *rng);
/* Correlated patterns: one random parent; each pattern is the parent with every unit flipped
 * independently with probability q (0 <= q <= 1). The parent is written to parent[0..n) if not NULL (not
 * when cancelled). */
int am_patterns_correlated(am_patterns *p, double q, int8_t *parent, am_rng *rng);
#define AM_LETTER_WIDTH 5  /* the font's cell: a letter's grid is at least this wide ... */
#define AM_LETTER_HEIGHT 7 /* ... and this high */
/* Letters: pattern mu is the letter text[mu] (A-Z, case-insensitive) drawn on a width x height grid
 * (row-major, width >= AM_LETTER_WIDTH, height >= AM_LETTER_HEIGHT) with a 5x7 font; ink +1, background -1. strlen(text) must
 * equal p->count and p->n must equal width*height. */
int am_patterns_letters(am_patterns *p, size_t width, size_t height, const char *text);
/* Checkerboards: pattern mu has square cells of 1 + mu/2 units and phase mu % 2 (am_state_checkerboard)
 * on a width x height grid (p->n == width*height); at most 2 min(width, height) patterns (AM_EINVAL). */
int am_patterns_checkerboards(am_patterns *p, size_t width, size_t height);

/* A named family of pattern sets, as experiments and teaching select them:
 *   "random"        each unit +-1 with probability 1/2 (fresh from the stream every fill)
 *   "biased:A"      each unit +1 with probability A in [0, 1]
 *   "correlated:Q"  one random parent, each unit flipped with probability Q in [0, 1]
 *   "letters"       pattern mu is the letter 'A' + mu (at most 26) on the width x height grid
 *   "checkerboard"  pattern mu as am_patterns_checkerboards (at most 2 min(width, height))
 *   "lshapes"       pattern mu as am_patterns_lshapes (shifted L shapes)
 * The last three are the same every fill and need a grid: width x height == n (width = height = 0 means the
 * square grid of side sqrt(n)), at least 5 x 7 for letters. */
typedef enum {
    AM_FAMILY_RANDOM = 0,
    AM_FAMILY_BIASED = 1,
    AM_FAMILY_CORRELATED = 2,
    AM_FAMILY_LETTERS = 3,
    AM_FAMILY_CHECKERBOARD = 4,
    AM_FAMILY_LSHAPES = 5
} am_family_kind;

typedef struct am_pattern_family {
    am_family_kind kind;
    double arg;           /* biased: activity A; correlated: flip probability Q; otherwise unused */
    size_t width, height; /* letters, checkerboard: the grid (0, 0: square from n) */
} am_pattern_family;

/* Parse one of the names above into f (grid 0 x 0). AM_EINVAL names what is wrong in err (may be NULL). */
int am_pattern_family_parse(am_pattern_family *f, const char *s, char *err, size_t errsize);
/* The family's name, e.g. "random", "biased:0.1" (buf; returns buf). */
const char *am_pattern_family_describe(const am_pattern_family *f, char *buf, size_t size);
/* Whether sets of `count` patterns of n units can be drawn: AM_EINVAL (with the reason in err, may be NULL)
 * for a grid that is not n units (or n not a square of side >= 7 when the grid is 0 x 0), letters beyond
 * 26, checkerboards beyond 2 min(width, height), L shapes beyond am_patterns_lshapes_max, A or Q outside
 * [0, 1]. */
int am_pattern_family_check(const am_pattern_family *f, size_t n, size_t count, char *err, size_t errsize);
/* Fill every pattern of p from the family (random families draw from rng; rng may be NULL for the others). */
int am_pattern_family_fill(const am_pattern_family *f, am_patterns *p, am_rng *rng);

/* L shapes: one L (a vertical arm and a horizontal arm along its foot, arms 2/3 of min(width, height) long,
 * max(1, min/6) thick, ink +1) shifted by whole arm thicknesses: pattern mu is the shift (mu % nx, mu / nx)
 * of nx x ny possible shifts. At most am_patterns_lshapes_max(width, height) patterns (AM_EINVAL beyond);
 * the grid needs min(width, height) >= 3. */
int am_patterns_lshapes(am_patterns *p, size_t width, size_t height);
size_t am_patterns_lshapes_max(size_t width, size_t height);

/* Patterns drawn as text (hopfield-demo --patterns FILE): rows of '#' (+1) and '.' (-1), a pattern per block
 * of rows, blocks parted by blank lines (nothing but spaces and tabs); every row as wide as the first (1 ..
 * AM_PATTERNS_TEXT_SIDE columns), every block as tall as the first (1 .. AM_PATTERNS_TEXT_SIDE rows), at most
 * AM_PATTERNS_TEXT_UNITS cells in the file; a CR before a newline is ignored. *out: a new set (free with
 * am_patterns_free) of the blocks, each *width x *height units row-major. Errors name the line in err
 * (errsize bytes, may be NULL), the row quoted and escaped: AM_EFORMAT for a character other than '#' and
 * '.' or a row or block of another size than the first, AM_ERANGE beyond the limits, AM_EEMPTY for a file
 * without a pattern; system errors keep errno. */
#define AM_PATTERNS_TEXT_SIDE 256
#define AM_PATTERNS_TEXT_UNITS (1 << 24)
int am_patterns_read_text(am_patterns **out, size_t *width, size_t *height, const char *path, char *err,
                          size_t errsize);

/* Single-state drawing and corruption: s is a state of width * height units (row-major) owned by the caller; a
 * grid whose width * height does not fit a size_t is AM_EOVERFLOW (no state can hold it). */
/* Checkerboard on a width x height grid with square cells of `cell` units; phase 0 or 1 picks which
 * colour the top-left cell has (+1 for phase 0). */
int am_state_checkerboard(int8_t *s, size_t width, size_t height, size_t cell, int phase);
/* Letter c (A-Z) on a width x height grid, as in am_patterns_letters. */
int am_state_letter(int8_t *s, size_t width, size_t height, char c);

/* Corruption of a state in place. */
/* Flip exactly k distinct units chosen uniformly (k <= n). No allocation: selection sampling. */
int am_state_flip_k(int8_t *s, size_t n, size_t k, am_rng *rng);
/* Flip exactly round(frac * n) distinct units (0 <= frac <= 1). */
int am_state_flip_frac(int8_t *s, size_t n, double frac, am_rng *rng);
/* Occlude the block [x0, x0+bw) x [y0, y0+bh) of a width x height grid, clipped to the grid: each
 * covered unit is set to `fill` (+1 or -1), or to a random +-1 from rng when fill is 0 (rng may be NULL
 * otherwise). */
int am_state_occlude(int8_t *s, size_t width, size_t height, size_t x0, size_t y0, size_t bw, size_t bh,
                     int fill, am_rng *rng);

/* Similarity. Overlap is (1/n) sum_i a_i b_i in [-1, 1]; Hamming distance counts differing units. */
double am_state_overlap(const int8_t *a, const int8_t *b, size_t n);
size_t am_state_hamming(const int8_t *a, const int8_t *b, size_t n);
/* Same, between patterns mu of p and nu of q (equal n), by popcount. */
size_t am_patterns_hamming(const am_patterns *p, size_t mu, const am_patterns *q, size_t nu);
double am_patterns_overlap(const am_patterns *p, size_t mu, const am_patterns *q, size_t nu);
/* Pack a state into words (ceil(n/64) words, caller-owned) and count mismatches with pattern mu. */
void am_state_pack(const int8_t *s, size_t n, uint64_t *words);
size_t am_patterns_hamming_packed(const am_patterns *p, size_t mu, const uint64_t *words);

#ifdef __cplusplus
}
#endif
#endif
