/* libam — melodies: monophonic tunes read from ABC notation and standard MIDI files, encoded as sequences of
 * +-1 patterns for the sequence stores (am/sequence.h), decoded back, and rendered as sound.
 *
 * A melody is a list of notes in time order that do not overlap: each a MIDI pitch (0..127, 60 = middle C,
 * 69 = A4 = 440 Hz) or a rest, with a start and a length in ticks, AM_MELODY_TPQ ticks to the quarter note.
 * The readers keep one line of melody: ABC's first voice (the notes of a chord: the highest), a MIDI file's
 * highest sounding note at each moment (the "skyline") outside the percussion channel 10.
 *
 * On a grid of `step` ticks (an eighth note: AM_MELODY_TPQ / 2), a melody is a sequence of steps; each step
 * holds the pitch that sounds at the step's start (or a rest) and whether a note begins within the step
 * (onset) or is held from before (sustain). An encoding (am_melcode) maps each step to a +-1 pattern.
 *
 * Every pointer argument must be non-NULL unless its comment says it may be NULL. */
#ifndef AM_MELODY_H
#define AM_MELODY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "am/patterns.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AM_MELODY_TPQ 480u /* ticks per quarter note: divisible by 2..6, 8, 10, 12, 16, 32 */
#define AM_REST (-1)       /* the pitch of a rest */
/* The longest tune a reader accepts: 2^31 ticks (about 35 hours at 120 quarters per minute). */
#define AM_MELODY_MAX_TICKS ((uint32_t)1 << 31)

typedef struct am_note {
    int32_t pitch;   /* MIDI pitch 0..127, or AM_REST */
    uint32_t start;  /* ticks from the start of the tune; each note starts where the previous one ended or later */
    uint32_t length; /* ticks, >= 1 */
} am_note;

typedef struct am_melody {
    char *title;          /* owned, NUL-terminated ("" when the source has none) */
    unsigned number;      /* ABC reference number (X:), or 0 */
    unsigned meter_num;   /* time signature, 4/4 when the source has none; 0/0 for free meter */
    unsigned meter_den;
    int key;              /* sharps (> 0) or flats (< 0) of the key signature, -7..7 */
    double tempo;         /* quarter notes per minute, > 0 (120 when the source has none) */
    size_t line;          /* ABC: the line its X: field is on (1-based); MIDI: 0 */
    size_t count;         /* notes */
    am_note *notes;       /* owned; count notes in time order (rests may be explicit notes or gaps) */
} am_melody;

/* A collection of melodies (a file of tunes, a corpus). */
typedef struct am_melodies {
    size_t count;
    am_melody *items; /* owned */
} am_melodies;

void am_melody_clear(am_melody *m);       /* frees what m owns and zeroes it; m may be NULL */
void am_melodies_free(am_melodies *ms);   /* frees every melody and ms itself; ms may be NULL */
int am_melody_copy(am_melody *dst, const am_melody *src); /* deep copy into a zeroed or cleared dst */
/* Append a deep copy of m to ms (AM_ENOMEM leaves ms as it was). */
int am_melodies_append(am_melodies *ms, const am_melody *m);
/* Ticks from the start to the end of the last note (0 for none). */
uint32_t am_melody_ticks(const am_melody *m);
/* Check a melody: pitches 0..127 or AM_REST, lengths >= 1, notes in order without overlap, a finite tempo
 * > 0, within AM_MELODY_MAX_TICKS. AM_EINVAL with the reason ("note 12: pitch 130 is not 0..127") in why. */
int am_melody_check(const am_melody *m, char *why, size_t size);

/* A pitch as text: "C4", "F#5", "Bb3" (flats when prefer_flats), "z" for a rest; buf of at least 8 bytes. */
const char *am_pitch_name(int pitch, int prefer_flats, char *buf, size_t size);

/* ---- ABC notation ---- */
/* Parse every tune of an ABC text (len bytes, need not be NUL-terminated): header fields X: (starts a tune),
 * T:, M:, L:, Q:, K: (with modes and explicit accidentals), notes with octave marks (' ,), accidentals (^ _ =
 * and their doubles; a quarter-tone ^/ _/ rounds toward the natural), lengths (2, /2, 3/2, /, //), broken
 * rhythm (> <), tuplets ((3 (p:q:r), ties (-), rests (z, x, Z multi-bar), chords ([CEG]: the highest note),
 * bar lines and repeats (|: :| :: |1 :|2 [1 [2, played out once as written), inline fields ([K:...]), grace notes,
 * decorations, chord symbols, slurs and comments (skipped); voices: the first one only. name: for messages
 * (e.g. the file name; may be NULL). A malformed tune is AM_EFORMAT (a length, pitch or tune beyond its range:
 * AM_ERANGE) with "name:LINE:COL: why" in err (err may be NULL). A rest z is a note of pitch AM_REST, x a gap.
 * Times are exact fractions until the end: each note starts and ends at its time rounded to the nearest tick,
 * never before the previous note ends, and lasts at least one tick. *out is NULL on failure. A text with no
 * tune (no X:) is AM_EEMPTY. */
int am_abc_parse(const char *text, size_t len, const char *name, am_melodies **out, char *err, size_t errsize);
/* Read an ABC file (at most 64 MB) and parse it as above; the file's name in messages. */
int am_abc_read(const char *path, am_melodies **out, char *err, size_t errsize);
/* Write melodies as ABC (X:, T:, M:, L:1/16 or finer as needed, Q:, K: and notes with explicit accidentals)
 * that am_abc_parse reads back to the same notes. To a stream, or atomically to a file. */
int am_abc_fprint(FILE *f, const am_melodies *ms);
int am_abc_write(const char *path, const am_melodies *ms);

/* ---- Standard MIDI files ---- */
typedef struct am_midi_opts {
    int track;   /* only this track (0-based), or -1 (default): every track */
    int channel; /* only this channel (1..16), or -1 (default): every channel but 10 (percussion) */
} am_midi_opts;
void am_midi_opts_init(am_midi_opts *o);
/* Parse a standard MIDI file (formats 0 and 1; running status, note on/off and note-on velocity 0, tempo and
 * time signature meta events, SMPTE time division refused) into one melody: the highest sounding note at
 * every moment, on the ticks of AM_MELODY_TPQ (rounded; a note never shorter than 1 tick), the first tempo as
 * its tempo; the first time and key signatures as meter and key, the first track's name as title; the gaps
 * between notes (and up to the end of the last track) as explicit rests. Malformed input is AM_EFORMAT
 * (AM_ETRUNC when it ends early) with "name: byte OFFSET: why" in err; a file without notes on the channels
 * and tracks selected is AM_EEMPTY, options out of range AM_EINVAL. opts may be NULL. *out is zeroed on
 * failure. am_midi_read refuses files over 64 MB before reading them. */
int am_midi_parse(const unsigned char *buf, size_t len, const char *name, const am_midi_opts *opts, am_melody *out,
                  char *err, size_t errsize);
int am_midi_read(const char *path, const am_midi_opts *opts, am_melody *out, char *err, size_t errsize);
/* Write a melody as a format-0 MIDI file (AM_MELODY_TPQ ticks per quarter, its tempo, one channel with
 * General MIDI program `program` 0..127), atomically. */
int am_midi_write(const char *path, const am_melody *m, int program);

/* ---- On a grid of steps ---- */
/* Steps of `step` ticks that cover the melody: ceil(am_melody_ticks / step). */
size_t am_melody_steps(const am_melody *m, uint32_t step);
/* The melody on a grid: pitch[t] the pitch sounding at tick t*step (AM_REST when none), onset[t] = 1 when
 * a note (not a rest) begins in [t*step, (t+1)*step), else 0; for t < steps (may exceed the melody: rests). */
void am_melody_grid(const am_melody *m, uint32_t step, size_t steps, int32_t *pitch, unsigned char *onset);
/* A melody from a grid (the inverse for melodies whose notes start on the grid): a note starts at each onset
 * and where the pitch changes, and lasts while the same pitch is held without a new onset. */
int am_melody_from_grid(am_melody *out, const int32_t *pitch, const unsigned char *onset, size_t steps, uint32_t step);

/* ---- Encodings as +-1 patterns ---- */
typedef enum {
    AM_MELCODE_PITCHCLASS = 0, /* 12 pitch-class units, one rest unit, onset and sustain units: one-hot */
    AM_MELCODE_RANGE = 1,      /* one unit per pitch lo..hi (others folded in by octaves), rest, onset, sustain */
    AM_MELCODE_SPARSE = 2      /* each (pitch lo..hi or rest, onset) symbol a random code of k active of n units */
} am_melcode_kind;

typedef struct am_melcode {
    am_melcode_kind kind;
    uint32_t step;     /* ticks per step, default AM_MELODY_TPQ / 2 (an eighth note) */
    int lo, hi;        /* pitch range (RANGE, SPARSE), default 48..84 (C3..C6) */
    unsigned repeat;   /* PITCHCLASS, RANGE: each unit repeated this many times (default 8) */
    size_t n, k;       /* SPARSE: units (default 256) and active units per symbol (default 16) */
    size_t context;    /* units of a random context code per tune appended to every step (default 0: none) */
    unsigned history;  /* steps each pattern holds (1..64), the current one first, then the one before, ... (default 1);
                        * before the tune's start: the code of a rest */
    uint64_t seed;     /* SPARSE codes and context codes: from (seed, symbol) and (seed, tune) */
} am_melcode;

void am_melcode_init(am_melcode *c); /* the defaults above, kind PITCHCLASS */
/* AM_EINVAL with the reason in why for a code out of range (step 0, lo > hi, k > n, more than AM_MAX_UNITS). */
int am_melcode_check(const am_melcode *c, char *why, size_t size);
size_t am_melcode_units(const am_melcode *c); /* units per pattern */
/* Melody m as am_melody_steps(m, c->step) patterns of am_melcode_units(c) units (*out owned by the caller,
 * am_patterns_free); tune: the index that picks the context code. */
int am_melcode_encode(const am_melcode *c, const am_melody *m, size_t tune, am_patterns **out);
/* One step back from a state x (am_melcode_units(c) values +-1; its current step, the first of its history):
 * the pitch (AM_REST for a rest) and onset whose code is nearest (majority over repeats; for SPARSE the
 * symbol of best overlap, lowest on ties).
 * PITCHCLASS gives the pitch class in octave 4 (60..71); RANGE and SPARSE pitches folded into lo..hi.
 * Layouts and streams: libam/encoders/melcode.c's opening comment.
 * Returns the overlap of x with that symbol's code, in [-1, 1] (context units left out). */
double am_melcode_decode_step(const am_melcode *c, const int8_t *x, int32_t *pitch, unsigned char *onset);
/* count states (count x units, row-major) back to a melody (am_melody_from_grid). */
int am_melcode_decode(const am_melcode *c, const int8_t *states, size_t count, am_melody *out);

/* ---- Sound ---- */
/* The melody as additive tones (a fundamental and decaying harmonics, attack and release ramps, rests
 * silent) at its tempo, `rate` samples per second: *x (owned by the caller, free) of *n samples in [-1, 1],
 * normalised to an active level of -24 dBFS, peak <= -1 dBFS (am_audio_normalize). */
int am_melody_render(const am_melody *m, unsigned rate, float **x, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
