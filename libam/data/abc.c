/* ABC notation (ABC 2.1, the parts that make one line of melody): reader and writer (am/melody.h).
 *
 * The reader works line by line. Outside a tune everything but X: is free text. A tune's header runs from X:
 * to K:; its body to a blank line (or the next X:). Music is read into a list of items per tune -- notes with
 * their durations, and repeat marks -- for the first voice only (other voices and overlays are read with
 * their own state and dropped); at the end of the tune the repeats are played out into timed notes.
 *
 * Time: durations are exact fractions of a whole note, turned into sub-ticks (SUB to a tick, which holds
 * every tuplet of up to 16 exactly); a note starts and ends at its exact time rounded to the nearest tick,
 * never before the previous note ends and never with length 0 (a note shorter than a tick lasts one tick). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/io.h"
#include "am/error.h"
#include "am/melody.h"

#define SUB 720720u                    /* sub-ticks per tick: lcm(1..16) */
#define WHOLE (4u * AM_MELODY_TPQ)     /* ticks per whole note */
#define MAX_SUB ((uint64_t)AM_MELODY_MAX_TICKS * SUB)
#define NUM_MAX 1000000000u            /* the largest number a length, meter or tuplet may hold */
#define FILE_MAX ((size_t)64 << 20)    /* am_abc_read: the largest file */
#define GAP (-2)                       /* an invisible rest (x, X): time without a note */
#define NOCT 12                        /* octaves -1..10: every octave a MIDI pitch can be in */
#define UNSET 127

typedef struct frac {
    uint64_t n, d;
} frac;

enum { IT_NOTE, IT_START, IT_END, IT_DOUBLE, IT_ENDING };
typedef struct item {
    int kind;
    int32_t pitch;  /* IT_NOTE: MIDI pitch, AM_REST or GAP */
    uint64_t dur;   /* IT_NOTE: sub-ticks */
    uint32_t mask;  /* IT_ENDING: bit 0 first time through, bit 1 second */
    size_t line;
} item;

/* What a voice carries from note to note. */
typedef struct voice {
    frac unit;                  /* L: */
    unsigned mnum, mden;        /* M: (0/0 free meter) */
    int keyacc[7];              /* semitones the key gives each letter C D E F G A B */
    signed char bar[NOCT][7];   /* accidentals written in this bar (UNSET when none) */
    int emit;                   /* the first voice: its notes are kept */
    /* the last element, held until the next one (ties merge into it, broken rhythm changes it) */
    int pend, pend_tie, pend_letter, pend_oct;
    int32_t pend_pitch;
    uint64_t pend_sub;
    frac pend_last;             /* the duration of its last tied part */
    size_t pend_line;
    frac next;                  /* broken rhythm: the factor of the next element (n = 0: none) */
    frac tup;                   /* tuplet factor, for tup_left more elements */
    unsigned tup_left;
} voice;

typedef struct parser {
    const char *s, *name;
    size_t len, pos, line, lstart, lend; /* the current line is s[lstart, lend) */
    char *err;
    size_t errsize;
    am_melodies *out;
    am_melody mel;
    item *items;
    size_t nitems, capitems;
    voice main, other, hdr, *v;
    int overlay, have_voice, have_title, have_tempo, have_unit, legacy_q;
    double qvalue;
    char first_voice[64];
} parser;

static const int letter_semis[7] = {0, 2, 4, 5, 7, 9, 11};

static int fail(parser *p, int rc, size_t at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(parser *p, int rc, size_t at, const char *fmt, ...)
{
    if (p->err && p->errsize) {
        int k = snprintf(p->err, p->errsize, "%s:%zu:%zu: ", p->name, p->line, at - p->lstart + 1);
        if (k >= 0 && (size_t)k < p->errsize) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + k, p->errsize - (size_t)k, fmt, ap);
            va_end(ap);
        }
    }
    return rc;
}

/* A character for a message: itself when printable, else its byte value. */
static const char *shown(char c, char buf[8])
{
    unsigned char u = (unsigned char)c;
    if (u > 32 && u < 127)
        snprintf(buf, 8, "'%c'", c);
    else
        snprintf(buf, 8, "0x%02x", u);
    return buf;
}

/* ---- fractions ---- */

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* *r = a * b reduced; 0 on success, -1 when a part would exceed 2^62. */
static int frac_mul(frac a, frac b, frac *r)
{
    uint64_t g1 = gcd64(a.n, b.d), g2 = gcd64(b.n, a.d);
    if (g1 > 1)
        a.n /= g1, b.d /= g1;
    if (g2 > 1)
        b.n /= g2, a.d /= g2;
    unsigned __int128 n = (unsigned __int128)a.n * b.n, d = (unsigned __int128)a.d * b.d;
    if (n > ((uint64_t)1 << 62) || d > ((uint64_t)1 << 62))
        return -1;
    r->n = (uint64_t)n;
    r->d = (uint64_t)d;
    return 0;
}

/* A fraction of a whole note in sub-ticks, rounded; -1 beyond the longest tune. */
static int frac_sub(frac f, uint64_t *out)
{
    unsigned __int128 x = ((unsigned __int128)f.n * WHOLE * SUB + f.d / 2) / f.d;
    if (x > MAX_SUB)
        return -1;
    *out = (uint64_t)x;
    return 0;
}

/* ---- small lexing helpers on s[i, end) ---- */

static size_t skip_space(const char *s, size_t i, size_t end)
{
    while (i < end && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    return i;
}

/* A decimal number of at most 9 digits at s[*i]: 0 and the value, -1 for no digit, -2 when too large. */
static int number(const char *s, size_t *i, size_t end, uint64_t *v)
{
    size_t k = *i;
    uint64_t x = 0;
    if (k >= end || !isdigit((unsigned char)s[k]))
        return -1;
    while (k < end && isdigit((unsigned char)s[k])) {
        x = x * 10 + (uint64_t)(s[k] - '0');
        if (x > NUM_MAX)
            return -2;
        k++;
    }
    *i = k;
    *v = x;
    return 0;
}

static int ieq_prefix(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    if (n < w)
        return 0;
    for (size_t k = 0; k < w; k++)
        if (tolower((unsigned char)s[k]) != word[k])
            return 0;
    return 1;
}

/* ---- items and elements ---- */

static int push_item(parser *p, item it)
{
    if (p->nitems == p->capitems) {
        size_t cap = p->capitems ? 2 * p->capitems : 64;
        if (cap > SIZE_MAX / sizeof *p->items)
            return AM_ENOMEM;
        item *x = realloc(p->items, cap * sizeof *x);
        if (!x)
            return AM_ENOMEM;
        p->items = x;
        p->capitems = cap;
    }
    it.line = p->line;
    p->items[p->nitems++] = it;
    return AM_OK;
}

/* The held element goes to the item list (the first voice) or is dropped (any other). */
static int flush(parser *p, voice *v)
{
    if (!v->pend)
        return AM_OK;
    v->pend = 0;
    if (!v->emit)
        return AM_OK;
    size_t line = p->line;
    p->line = v->pend_line;
    int rc = push_item(p, (item){IT_NOTE, v->pend_pitch, v->pend_sub, 0, 0});
    p->line = line;
    return rc;
}

static void voice_reset_bar(voice *v)
{
    memset(v->bar, UNSET, sizeof v->bar);
}

/* One note, rest or chord of duration f (before tuplets and broken rhythm) at column at. letter, oct and
 * explicit: what a tie from the element before may continue (letter < 0 for rests). */
static int element(parser *p, int32_t pitch, int letter, int oct, int explicit, frac f, int tie, size_t at)
{
    voice *v = p->v;
    if (v->tup_left) {
        if (frac_mul(f, v->tup, &f))
            return fail(p, AM_ERANGE, at, "the tuplet makes this length too large");
        v->tup_left--;
    }
    if (v->next.n) {
        if (frac_mul(f, v->next, &f))
            return fail(p, AM_ERANGE, at, "the broken rhythm makes this length too large");
        v->next.n = 0;
    }
    uint64_t sub;
    if (frac_sub(f, &sub))
        return fail(p, AM_ERANGE, at, "a note longer than the longest tune (2^31 ticks)");
    int continues = v->pend && v->pend_tie && letter >= 0 && v->pend_pitch >= 0 &&
                    (pitch == v->pend_pitch || (!explicit && letter == v->pend_letter && oct == v->pend_oct));
    if (continues) {
        if (v->pend_sub + sub > MAX_SUB)
            return fail(p, AM_ERANGE, at, "tied notes longer than the longest tune (2^31 ticks)");
        v->pend_sub += sub;
        v->pend_last = f;
        v->pend_tie = tie;
        return AM_OK;
    }
    int rc = flush(p, v);
    if (rc)
        return rc;
    v->pend = 1;
    v->pend_tie = tie;
    v->pend_pitch = pitch;
    v->pend_letter = letter;
    v->pend_oct = oct;
    v->pend_sub = sub;
    v->pend_last = f;
    v->pend_line = p->line;
    return AM_OK;
}

/* Broken rhythm: k of '>' (dir 1) or '<' (dir -1) between the held element and the next. */
static int broken(parser *p, int dir, int k, size_t at)
{
    voice *v = p->v;
    if (!v->pend)
        return fail(p, AM_EFORMAT, at, "broken rhythm '%c' with no note before it", dir > 0 ? '>' : '<');
    if (k > 3)
        return fail(p, AM_EFORMAT, at, "broken rhythm of more than three '%c'", dir > 0 ? '>' : '<');
    uint64_t den = (uint64_t)1 << k;
    frac longer = {2 * den - 1, den}, shorter = {1, den}, f;
    frac mine = dir > 0 ? longer : shorter;
    uint64_t old, now;
    if (frac_sub(v->pend_last, &old) || frac_mul(v->pend_last, mine, &f) || frac_sub(f, &now) ||
        v->pend_sub - old + now > MAX_SUB)
        return fail(p, AM_ERANGE, at, "the broken rhythm makes a note longer than the longest tune");
    v->pend_sub = v->pend_sub - old + now;
    v->pend_last = f;
    v->next = dir > 0 ? shorter : longer;
    return AM_OK;
}

/* ---- notes ---- */

/* An accidental at s[*i] in semitones (quarter tones and other fractions n/d of a semitone rounded toward
 * the natural); *has 0 when there is none. */
static int accidental(parser *p, size_t *i, size_t end, int *semis, int *has)
{
    const char *s = p->s;
    size_t k = *i;
    *has = 0;
    if (k >= end || (s[k] != '^' && s[k] != '_' && s[k] != '='))
        return AM_OK;
    *has = 1;
    if (s[k] == '=') {
        *semis = 0;
        *i = k + 1;
        return AM_OK;
    }
    int sign = s[k] == '^' ? 1 : -1;
    if (k + 1 < end && s[k + 1] == s[k]) {
        *semis = 2 * sign;
        *i = k + 2;
        return AM_OK;
    }
    k++;
    uint64_t n = 1, d = 1;
    int rn = number(s, &k, end, &n);
    if (rn == -2)
        return fail(p, AM_ERANGE, k, "microtone accidental: number too large");
    if (k < end && s[k] == '/') {
        k++;
        d = 2;
        int rd = number(s, &k, end, &d);
        if (rd == -2 || (rd == 0 && d == 0))
            return fail(p, AM_EFORMAT, k, "microtone accidental: the denominator must be 1 to %u", NUM_MAX);
    } else if (rn == 0) {
        return fail(p, AM_EFORMAT, k, "microtone accidental: expected '/' after the number");
    }
    *semis = sign * (int)(n / d > 2 ? 2 : n / d);
    *i = k;
    return AM_OK;
}

/* A length suffix (2, /2, 3/2, /, //) at s[*i]: the factor in *f. */
static int length_suffix(parser *p, size_t *i, size_t end, frac *f)
{
    const char *s = p->s;
    size_t k = *i;
    uint64_t a = 1, d = 1, b;
    int r = number(s, &k, end, &a);
    if (r == -2)
        return fail(p, AM_ERANGE, *i, "a length over %u", NUM_MAX);
    while (k < end && s[k] == '/') {
        k++;
        r = number(s, &k, end, &b);
        if (r == -2 || (r == 0 && b == 0))
            return fail(p, AM_ERANGE, k, "a length's denominator must be 1 to %u", NUM_MAX);
        d *= r == 0 ? b : 2;
        if (d > NUM_MAX)
            return fail(p, AM_ERANGE, k, "a length's denominator over %u", NUM_MAX);
    }
    if (a == 0)
        return fail(p, AM_EFORMAT, *i, "a length of 0");
    *i = k;
    f->n = a;
    f->d = d;
    return AM_OK;
}

typedef struct note {
    int32_t pitch;
    int letter, oct, explicit;
    frac len; /* in units of L */
} note;

/* A note (accidental, letter, octave marks, length) at s[*i]. record: its accidental holds for the bar. */
static int parse_note(parser *p, size_t *i, size_t end, int record, note *n)
{
    const char *s = p->s;
    size_t at = *i, k = *i;
    int acc = 0, rc = accidental(p, &k, end, &acc, &n->explicit);
    if (rc)
        return rc;
    char c = k < end ? s[k] : 0, b[8];
    if (!((c >= 'A' && c <= 'G') || (c >= 'a' && c <= 'g')))
        return fail(p, AM_EFORMAT, k, "expected a note letter A-G or a-g after the accidental, found %s",
                    k < end ? shown(c, b) : "the end of the line");
    int up = c >= 'a';
    n->letter = (toupper((unsigned char)c) - 'A' + 5) % 7; /* A=5 ... G=4 */
    n->oct = up ? 5 : 4;
    for (k++; k < end && (s[k] == '\'' || s[k] == ','); k++) {
        n->oct += s[k] == '\'' ? 1 : -1;
        if (n->oct < -1 || n->oct > 10)
            return fail(p, AM_ERANGE, at, "the note is outside the MIDI range (too many octave marks)");
    }
    voice *v = p->v;
    if (!n->explicit)
        acc = v->bar[n->oct + 1][n->letter] != UNSET ? v->bar[n->oct + 1][n->letter] : v->keyacc[n->letter];
    else if (record)
        v->bar[n->oct + 1][n->letter] = (signed char)acc;
    n->pitch = 12 * (n->oct + 1) + letter_semis[n->letter] + acc;
    if (n->pitch < 0 || n->pitch > 127)
        return fail(p, AM_ERANGE, at, "the note's pitch %d is outside the MIDI range 0..127", (int)n->pitch);
    if ((rc = length_suffix(p, &k, end, &n->len)))
        return rc;
    *i = k;
    return AM_OK;
}

/* The unit length times a factor, as a fraction of a whole note. */
static int units(parser *p, frac f, size_t at, frac *out)
{
    if (frac_mul(p->v->unit, f, out))
        return fail(p, AM_ERANGE, at, "a length too large");
    return AM_OK;
}

static int tie_after(parser *p, size_t *i, size_t end)
{
    if (*i < end && p->s[*i] == '-') {
        (*i)++;
        return 1;
    }
    return 0;
}

static int do_note(parser *p, size_t *i, size_t end)
{
    size_t at = *i;
    note n;
    frac f;
    int rc = parse_note(p, i, end, 1, &n);
    if (!rc)
        rc = units(p, n.len, at, &f);
    return rc ? rc : element(p, n.pitch, n.letter, n.oct, n.explicit, f, tie_after(p, i, end), at);
}

/* A skipped span from s[*i] (an opening delimiter) to the closing character on the same line. */
static int skip_to(parser *p, size_t *i, size_t end, char close, const char *what)
{
    size_t at = *i;
    const char *q = memchr(p->s + at + 1, close, end - at - 1);
    if (!q)
        return fail(p, AM_EFORMAT, at, "%s not closed on this line (expected '%c')", what, close);
    *i = (size_t)(q - p->s) + 1;
    return AM_OK;
}

static int is_deco(char c)
{
    return c == '.' || c == '~' || (c >= 'H' && c <= 'W') || (c >= 'h' && c <= 'w');
}

/* A chord [CEG]: the highest note, for the first note's length times the chord's suffix. */
static int do_chord(parser *p, size_t *i, size_t end)
{
    const char *s = p->s;
    size_t at = *i, k = *i + 1;
    note best = {0}, n;
    frac first = {0, 1};
    int count = 0, tie = 0, rc;
    while (k < end && s[k] != ']') {
        char c = s[k], b[8];
        if (c == ' ' || c == '\t' || is_deco(c)) {
            k++;
        } else if (c == '!' || c == '"') {
            if ((rc = skip_to(p, &k, end, c, c == '!' ? "decoration '!'" : "annotation '\"'")))
                return rc;
        } else if (c == '-') {
            tie = 1, k++;
        } else if (c == '^' || c == '_' || c == '=' || (c >= 'A' && c <= 'G') || (c >= 'a' && c <= 'g')) {
            if ((rc = parse_note(p, &k, end, 1, &n)))
                return rc;
            if (!count++)
                first = n.len;
            if (count == 1 || n.pitch > best.pitch)
                best = n;
        } else {
            return fail(p, AM_EFORMAT, k, "unexpected %s in a chord (expected a note or ']')", shown(c, b));
        }
    }
    if (k >= end)
        return fail(p, AM_EFORMAT, at, "chord '[' not closed on this line (expected ']')");
    if (!count)
        return fail(p, AM_EFORMAT, at, "an empty chord '[]'");
    k++;
    frac suffix, f;
    if ((rc = length_suffix(p, &k, end, &suffix)))
        return rc;
    if (frac_mul(first, suffix, &f))
        return fail(p, AM_ERANGE, at, "a chord length too large");
    if ((rc = units(p, f, at, &f)))
        return rc;
    tie |= tie_after(p, &k, end);
    *i = k;
    return element(p, best.pitch, best.letter, best.oct, best.explicit, f, tie, at);
}

/* z x (one unit) and Z X (whole bars). */
static int do_rest(parser *p, size_t *i, size_t end)
{
    const char *s = p->s;
    size_t at = *i, k = *i + 1;
    char c = s[at];
    int32_t pitch = (c == 'z' || c == 'Z') ? AM_REST : GAP;
    frac f;
    int rc;
    if (c == 'z' || c == 'x') {
        frac len;
        if ((rc = length_suffix(p, &k, end, &len)) || (rc = units(p, len, at, &f)))
            return rc;
    } else {
        uint64_t bars = 1;
        if (number(s, &k, end, &bars) == -2 || bars == 0)
            return fail(p, AM_ERANGE, at, "a multi-bar rest of 1 to %u bars", NUM_MAX);
        if (!p->v->mden)
            return fail(p, AM_EFORMAT, at, "a multi-bar rest '%c' needs a meter (M: is none)", c);
        if (frac_mul((frac){p->v->mnum, p->v->mden}, (frac){bars, 1}, &f))
            return fail(p, AM_ERANGE, at, "a multi-bar rest too long");
    }
    *i = k;
    return element(p, pitch, -1, 0, 0, f, 0, at);
}

/* (p:q:r tuplets; ( alone opens a slur. */
static int do_paren(parser *p, size_t *i, size_t end)
{
    const char *s = p->s;
    size_t at = *i, k = *i + 1;
    uint64_t n, q = 0, r = 0;
    if (k >= end || !isdigit((unsigned char)s[k])) {
        *i = k;
        return AM_OK;
    }
    if (number(s, &k, end, &n) || n < 1 || n > 64)
        return fail(p, AM_ERANGE, at, "a tuplet of 1 to 64 notes");
    if (k < end && s[k] == ':') {
        k++;
        if (number(s, &k, end, &q) == -2 || (k < end && isdigit((unsigned char)s[k])))
            return fail(p, AM_ERANGE, at, "a tuplet's time must be 1 to 64");
        if (k < end && s[k] == ':') {
            k++;
            if (number(s, &k, end, &r) == -2)
                return fail(p, AM_ERANGE, at, "a tuplet's note count must be 1 to 64");
        }
    }
    if (q > 64 || r > 64)
        return fail(p, AM_ERANGE, at, "a tuplet's time and note count must be 1 to 64");
    if (!q) {
        int compound = p->v->mnum % 3 == 0 && p->v->mnum > 3;
        q = (n == 2 || n == 4 || n == 8) ? 3 : n == 3 || n == 6 ? 2 : n == 1 ? 1 : compound ? 3 : 2;
    }
    p->v->tup = (frac){q, n};
    p->v->tup_left = r ? (unsigned)r : (unsigned)n;
    *i = k;
    return AM_OK;
}

/* Grace notes {...}: no time; checked for what may be in them. */
static int do_grace(parser *p, size_t *i, size_t end)
{
    size_t at = *i, k = *i + 1;
    for (; k < end && p->s[k] != '}'; k++) {
        char c = p->s[k], b[8];
        if (!strchr("ABCDEFGabcdefg^_=',/0123456789 \t[]-", c) || !c)
            return fail(p, AM_EFORMAT, k, "unexpected %s in grace notes (expected notes and '}')", shown(c, b));
    }
    if (k >= end)
        return fail(p, AM_EFORMAT, at, "grace notes '{' not closed on this line (expected '}')");
    *i = k + 1;
    return AM_OK;
}

/* ---- bar lines and repeats ---- */

static int add_mark(parser *p, int kind, uint32_t mask)
{
    if (!p->v->emit)
        return AM_OK;
    int rc = flush(p, p->v);
    return rc ? rc : push_item(p, (item){kind, 0, 0, mask, 0});
}

/* An ending's numbers (1, 2, 1,3, 1-2) at s[*i]: bit 0 when it is taken the first time, bit 1 otherwise. */
static int ending(parser *p, size_t *i, size_t end)
{
    const char *s = p->s;
    size_t at = *i;
    uint32_t mask = 0;
    for (;;) {
        uint64_t a, b;
        if (number(s, i, end, &a))
            return fail(p, AM_EFORMAT, *i, "expected an ending number");
        b = a;
        if (*i + 1 < end && s[*i] == '-' && isdigit((unsigned char)s[*i + 1])) {
            (*i)++;
            if (number(s, i, end, &b))
                return fail(p, AM_ERANGE, at, "an ending number too large");
        }
        mask |= (a <= 1 && b >= 1 ? 1u : 0u) | (b >= 2 ? 2u : 0u);
        if (*i + 1 < end && s[*i] == ',' && isdigit((unsigned char)s[*i + 1]))
            (*i)++;
        else
            break;
    }
    return add_mark(p, IT_ENDING, mask);
}

/* A bar line: | || |] [| [|] .| |: :| :: and endings after it (|1 :|2 |[1). */
static int do_bar(parser *p, size_t *i, size_t end)
{
    const char *s = p->s;
    size_t k = *i;
    int before = 0, after = 0, bars = 0, thick = 0, rc;
    if (s[k] == '.')
        k++;
    for (; k < end && s[k] == ':'; k++)
        before++;
    for (;;) {
        if (k < end && s[k] == '|')
            bars++, k++;
        else if (k < end && s[k] == ']' && bars)
            thick = 1, k++;
        else if (k + 1 < end && s[k] == '[' && s[k + 1] == '|')
            thick = 1, k++;
        else
            break;
    }
    for (; k < end && s[k] == ':'; k++)
        after++;
    if (!bars) /* "::" ends a repeat and starts one; a lone ":" (as in "| :a") starts one */
        after = 1, before = before >= 2;
    if (p->overlay) {          /* the overlay voice (&) ends at the bar */
        p->overlay = 0;
        p->v = &p->main;
    }
    voice_reset_bar(p->v);
    if (before && (rc = add_mark(p, IT_END, 0)))
        return rc;
    if ((bars >= 2 || thick) && (rc = add_mark(p, IT_DOUBLE, 0)))
        return rc;
    if (after && (rc = add_mark(p, IT_START, 0)))
        return rc;
    *i = k;
    if (k < end && isdigit((unsigned char)s[k]))
        return ending(p, i, end);
    if (k + 1 < end && s[k] == '[' && isdigit((unsigned char)s[k + 1])) {
        (*i)++;
        return ending(p, i, end);
    }
    return AM_OK;
}

/* ---- header fields ---- */

/* A field's text: s[a, b) with its comment removed and the spaces around it trimmed. */
static void field_text(const char *s, size_t *a, size_t *b)
{
    for (size_t k = *a; k < *b; k++)
        if (s[k] == '%' && (k == *a || s[k - 1] != '\\')) {
            *b = k;
            break;
        }
    *a = skip_space(s, *a, *b);
    while (*b > *a && (s[*b - 1] == ' ' || s[*b - 1] == '\t' || s[*b - 1] == '\r'))
        (*b)--;
}

static int parse_meter(parser *p, size_t a, size_t b, unsigned *num, unsigned *den)
{
    const char *s = p->s;
    size_t n = b - a, k = a;
    if (n == 4 && ieq_prefix(s + a, n, "none")) {
        *num = *den = 0;
        return AM_OK;
    }
    if (n == 1 && s[a] == 'C')
        return *num = *den = 4, AM_OK;
    if (n == 2 && s[a] == 'C' && s[a + 1] == '|')
        return *num = *den = 2, AM_OK;
    uint64_t sum = 0, v, d;
    int paren = k < b && s[k] == '(';
    k += paren;
    do {
        if (number(s, &k, b, &v) || v == 0 || (sum += v) > NUM_MAX)
            return fail(p, AM_EFORMAT, k, "M: expects C, C|, none or a meter such as 6/8 (numbers 1 to %u)", NUM_MAX);
    } while (k < b && s[k] == '+' && ++k);
    if (paren && (k >= b || s[k++] != ')'))
        return fail(p, AM_EFORMAT, k, "M: expects ')' after the sum");
    k = skip_space(s, k, b);
    if (k >= b || s[k] != '/')
        return fail(p, AM_EFORMAT, k, "M: expects '/' and a denominator (as in 3/4)");
    k = skip_space(s, k + 1, b);
    if (number(s, &k, b, &d) || d == 0 || skip_space(s, k, b) != b)
        return fail(p, AM_EFORMAT, k, "M: expects a denominator 1 to %u and nothing after it", NUM_MAX);
    *num = (unsigned)sum;
    *den = (unsigned)d;
    return AM_OK;
}

/* A fraction n/d (or n) at s[*k]. */
static int parse_frac(parser *p, size_t *k, size_t b, const char *field, frac *f)
{
    uint64_t n, d = 1;
    size_t at = *k;
    if (number(p->s, k, b, &n) || n == 0)
        return fail(p, AM_EFORMAT, at, "%s expects a length such as 1/8 (numbers 1 to %u)", field, NUM_MAX);
    if (*k < b && p->s[*k] == '/') {
        (*k)++;
        if (number(p->s, k, b, &d) || d == 0)
            return fail(p, AM_EFORMAT, *k, "%s expects a denominator 1 to %u after '/'", field, NUM_MAX);
    }
    f->n = n;
    f->d = d;
    return AM_OK;
}

static int parse_unit(parser *p, size_t a, size_t b)
{
    frac f;
    int rc = parse_frac(p, &a, b, "L:", &f);
    if (rc)
        return rc;
    if (a != b)
        return fail(p, AM_EFORMAT, a, "L: expects only a length such as 1/8");
    p->v->unit = f;
    return AM_OK;
}

/* A decimal number at s[*k] (digits, a point, an exponent): the beats per minute of Q:. */
static int parse_bpm(parser *p, size_t *k, size_t b, double *v)
{
    const char *s = p->s;
    char buf[64];
    size_t n = 0, at = *k;
    while (*k < b && n < sizeof buf - 1 && (isdigit((unsigned char)s[*k]) || strchr(".eE+-", s[*k])))
        buf[n++] = s[(*k)++];
    buf[n] = 0;
    char *end;
    double x = n && isdigit((unsigned char)buf[0]) ? strtod(buf, &end) : 0;
    if (!n || !isdigit((unsigned char)buf[0]) || *end || !isfinite(x) || !(x > 0))
        return fail(p, AM_EFORMAT, at, "Q: expects a tempo > 0 (as in 1/4=120)");
    *v = x;
    return AM_OK;
}

/* Q:1/4=120, Q:3/8=60, Q:1/4 3/8=50, Q:120 (units of L), each with quoted text around. */
static int parse_tempo(parser *p, size_t a, size_t b, int in_header)
{
    const char *s = p->s;
    double beat = 0, bpm = 0;
    int has_beat = 0, has_bpm = 0, rc;
    for (size_t k = skip_space(s, a, b); k < b; k = skip_space(s, k, b)) {
        if (s[k] == '"') {
            if ((rc = skip_to(p, &k, b, '"', "Q: text '\"'")))
                return rc;
        } else if (isdigit((unsigned char)s[k]) && !has_bpm) {
            size_t k0 = k;
            uint64_t n;
            if (number(s, &k, b, &n) == 0 && k < b && s[k] == '/') {
                frac f;
                k = k0;
                if ((rc = parse_frac(p, &k, b, "Q:", &f)))
                    return rc;
                beat += (double)f.n / (double)f.d, has_beat = 1;
            } else {
                k = k0;
                if ((rc = parse_bpm(p, &k, b, &bpm)))
                    return rc;
                has_bpm = 1;
            }
        } else if (s[k] == '=' && has_beat && !has_bpm) {
            k = skip_space(s, k + 1, b);
            if ((rc = parse_bpm(p, &k, b, &bpm)))
                return rc;
            has_bpm = 1;
        } else {
            char c[8];
            return fail(p, AM_EFORMAT, k, "Q: unexpected %s (expected a tempo such as 1/4=120)", shown(s[k], c));
        }
    }
    if (!has_bpm || p->have_tempo)
        return has_beat && !has_bpm ? fail(p, AM_EFORMAT, b, "Q: expects '=' and a tempo after the beat") : AM_OK;
    if (!has_beat && in_header && !p->have_unit) { /* Q:120 before L: -- counted in the final L */
        p->legacy_q = 1, p->qvalue = bpm, p->have_tempo = 1;
        return AM_OK;
    }
    double q = has_beat ? bpm * beat * 4 : bpm * 4 * (double)p->v->unit.n / (double)p->v->unit.d;
    if (!isfinite(q) || !(q > 0))
        return fail(p, AM_ERANGE, a, "Q: the tempo is not a finite number of quarter notes per minute > 0");
    p->mel.tempo = q;
    p->have_tempo = 1;
    return AM_OK;
}

/* ---- keys ---- */

typedef struct key {
    int given;    /* a tonic, none, HP or explicit accidentals were given (else: a clef only) */
    int sharps;   /* of the signature, -7..7 */
    int acc[7];   /* the accidentals of every letter */
} key;

static void key_signature(int sharps, int acc[7])
{
    static const int sharp_order[7] = {3, 0, 4, 1, 5, 2, 6}; /* F C G D A E B */
    for (int l = 0; l < 7; l++)
        acc[l] = 0;
    for (int k = 0; k < (sharps < 0 ? -sharps : sharps) && k < 7; k++)
        acc[sharp_order[sharps > 0 ? k : 6 - k]] = sharps > 0 ? 1 : -1;
}

/* The tonic and mode at s[*k] (as in G, F#m, Bb mix, D Phrygian): the sharps of the signature. */
static int key_tonic(parser *p, size_t *k, size_t b, int *sharps)
{
    static const int tonic_sharps[7] = {0, 2, 4, -1, 1, 3, 5}; /* C D E F G A B */
    static const char *const modes[] = {"maj", "ion", "min", "aeo", "mix", "dor", "phr", "lyd", "loc"};
    static const int mode_shift[] = {0, 0, -3, -3, -1, -2, -4, 1, -5};
    const char *s = p->s;
    size_t at = *k;
    int l = (s[*k] - 'A' + 5) % 7, x = tonic_sharps[l];
    (*k)++;
    if (*k < b && (s[*k] == '#' || s[*k] == 'b'))
        x += s[(*k)++] == '#' ? 7 : -7;
    size_t m = skip_space(s, *k, b), e = m;
    while (e < b && isalpha((unsigned char)s[e]))
        e++;
    if (e - m == 1 && (s[m] == 'm' || s[m] == 'M')) {
        x -= 3, *k = e;
    } else if (e - m >= 3) {
        for (size_t j = 0; j < sizeof modes / sizeof *modes; j++)
            if (ieq_prefix(s + m, e - m, modes[j]) ) {
                x += mode_shift[j], *k = e;
                break;
            }
    }
    if (x < -7 || x > 7)
        return fail(p, AM_ERANGE, at, "K: the key has %d %s (at most 7)", x < 0 ? -x : x, x < 0 ? "flats" : "sharps");
    *sharps = x;
    return AM_OK;
}

/* K: a tonic and mode, none, HP or Hp (bagpipes: F and C sharp), explicit accidentals (^f _B =c) after it,
 * clefs and name=value settings (ignored). */
static int parse_key(parser *p, size_t a, size_t b, key *out)
{
    const char *s = p->s;
    size_t k = skip_space(s, a, b);
    int rc;
    memset(out, 0, sizeof *out);
    if (k < b && s[k] >= 'A' && s[k] <= 'G') {
        if ((rc = key_tonic(p, &k, b, &out->sharps)))
            return rc;
        out->given = 1;
    } else if (b - k >= 2 && s[k] == 'H' && (s[k + 1] == 'P' || s[k + 1] == 'p') &&
               (b - k == 2 || s[k + 2] == ' ' || s[k + 2] == '\t')) {
        out->sharps = 2, out->given = 1, k += 2;
    } else if (b - k >= 4 && ieq_prefix(s + k, 4, "none") && (b - k == 4 || !isalnum((unsigned char)s[k + 4]))) {
        out->given = 1, k += 4;
    }
    key_signature(out->sharps, out->acc);
    while ((k = skip_space(s, k, b)) < b) {
        if (s[k] == '^' || s[k] == '_' || s[k] == '=') {
            int semis, has;
            size_t k0 = k;
            if ((rc = accidental(p, &k, b, &semis, &has)))
                return rc;
            if (k >= b || !strchr("ABCDEFGabcdefg", s[k]))
                return fail(p, AM_EFORMAT, k0, "K: expected a note letter after the accidental");
            out->acc[(toupper((unsigned char)s[k]) - 'A' + 5) % 7] = semis, out->given = 1, k++;
        } else if (b - k >= 3 && ieq_prefix(s + k, 3, "exp") && (b - k == 3 || s[k + 3] == ' ')) {
            out->given = 1, k += 3, memset(out->acc, 0, sizeof out->acc);
        } else { /* a clef or a setting: skip the word (and a quoted value) */
            while (k < b && s[k] != ' ' && s[k] != '\t') {
                if (s[k] != '"')
                    k++;
                else if ((rc = skip_to(p, &k, b, '"', "K: text '\"'")))
                    return rc;
            }
        }
    }
    return AM_OK;
}

static void apply_key(voice *v, const key *k)
{
    memcpy(v->keyacc, k->acc, sizeof v->keyacc);
    voice_reset_bar(v);
}

/* ---- fields in the header and the body ---- */

/* V: the first voice named in the tune is kept; any other is read with its own state and dropped. */
static int select_voice(parser *p, size_t a, size_t b)
{
    size_t e = a;
    while (e < b && p->s[e] != ' ' && p->s[e] != '\t')
        e++;
    size_t n = e - a < sizeof p->first_voice ? e - a : sizeof p->first_voice - 1;
    if (!n)
        return fail(p, AM_EFORMAT, a, "V: expects a voice name");
    p->overlay = 0;
    if (!p->have_voice) {
        memcpy(p->first_voice, p->s + a, n);
        p->first_voice[n] = 0;
        p->have_voice = 1;
        p->v = &p->main;
    } else if (strlen(p->first_voice) == n && !memcmp(p->first_voice, p->s + a, n)) {
        p->v = &p->main;
    } else {
        p->other = p->hdr;
        p->other.emit = 0;
        p->v = &p->other;
    }
    return AM_OK;
}

static int set_title(parser *p, size_t a, size_t b)
{
    if (p->have_title)
        return AM_OK;
    char *t = malloc(b - a + 1);
    if (!t)
        return AM_ENOMEM;
    size_t n = 0;
    for (size_t k = a; k < b; k++) {
        if (p->s[k] == '\\' && k + 1 < b && p->s[k + 1] == '%')
            continue;
        t[n++] = p->s[k] == '\t' ? ' ' : p->s[k];
    }
    t[n] = 0;
    free(p->mel.title);
    p->mel.title = t;
    p->have_title = 1;
    return AM_OK;
}

/* Field `c` with its text s[a, b) (comment still in it). header: in the tune's header (else in the body or
 * inline). */
static int field(parser *p, char c, size_t a, size_t b, int header)
{
    field_text(p->s, &a, &b);
    int rc = AM_OK;
    key k;
    switch (c) {
    case 'T':
        return set_title(p, a, b);
    case 'M':
        rc = parse_meter(p, a, b, &p->v->mnum, &p->v->mden);
        if (!rc && header)
            p->mel.meter_num = p->v->mnum, p->mel.meter_den = p->v->mden;
        return rc;
    case 'L':
        rc = parse_unit(p, a, b);
        if (header)
            p->have_unit = 1;
        return rc;
    case 'Q':
        return parse_tempo(p, a, b, header);
    case 'K':
        if ((rc = parse_key(p, a, b, &k)))
            return rc;
        if (header) {
            p->mel.key = k.sharps;
            apply_key(p->v, &k);
        } else if (k.given) {
            apply_key(p->v, &k);
        }
        return AM_OK;
    case 'V':
        if (header && p->have_voice)
            return AM_OK; /* voices declared in the header: the first is the one kept */
        return select_voice(p, a, b);
    default:
        return AM_OK;
    }
}

/* Letters that begin a field line in a tune's body (ABC 2.1); any other line there is music. */
static int body_field(const char *s, size_t a, size_t e)
{
    return e - a >= 2 && s[a + 1] == ':' && s[a] && strchr("ABCDFGHIKLMmNOPQRrSsTUVWwXZ+", s[a]);
}

/* An inline field [K:...] at s[*i]. */
static int do_inline(parser *p, size_t *i, size_t end)
{
    size_t at = *i;
    const char *q = memchr(p->s + at, ']', end - at);
    if (!q)
        return fail(p, AM_EFORMAT, at, "inline field '[%c:' not closed on this line (expected ']')", p->s[at + 1]);
    size_t close = (size_t)(q - p->s);
    int rc = field(p, p->s[at + 1], at + 3, close, 0);
    *i = close + 1;
    return rc;
}

/* ---- music ---- */

/* '[': a chord, an inline field, an ending or a bar line. */
static int do_bracket(parser *p, size_t *i, size_t end)
{
    const char *s = p->s;
    size_t k = *i;
    if (k + 1 < end && s[k + 1] == '|')
        return do_bar(p, i, end);
    if (k + 1 < end && isdigit((unsigned char)s[k + 1])) {
        (*i)++;
        return ending(p, i, end);
    }
    if (k + 2 < end && isalpha((unsigned char)s[k + 1]) && s[k + 2] == ':')
        return do_inline(p, i, end);
    return do_chord(p, i, end);
}

/* '!' ... '!' decorations; a '!' with no other on the line is an old-style line break (ignored). */
static int do_bang(parser *p, size_t *i, size_t end)
{
    const char *q = memchr(p->s + *i + 1, '!', end - *i - 1);
    *i = q ? (size_t)(q - p->s) + 1 : *i + 1;
    return AM_OK;
}

/* '\' continues the line: only spaces or a comment may follow it. */
static int do_backslash(parser *p, size_t *i, size_t end)
{
    size_t k = skip_space(p->s, *i + 1, end);
    if (k < end && p->s[k] != '%')
        return fail(p, AM_EFORMAT, *i, "'\\' continues a line: nothing but a comment may follow it");
    *i = end;
    return AM_OK;
}

static int do_misc(parser *p, size_t *i, size_t end)
{
    const char *s = p->s;
    char c = s[*i], b[8];
    size_t at = *i;
    int k = 0;
    switch (c) {
    case '>':
    case '<':
        while (*i < end && s[*i] == c)
            (*i)++, k++;
        return broken(p, c == '>' ? 1 : -1, k, at);
    case '-':
        if (!p->v->pend || p->v->pend_pitch < 0)
            return fail(p, AM_EFORMAT, at, "a tie '-' must follow a note");
        p->v->pend_tie = 1;
        (*i)++;
        return AM_OK;
    case '&': /* a voice overlay: read, and dropped, up to the next bar line */
        if (p->v == &p->main) {
            p->other = p->main;
            p->other.emit = p->other.pend = p->other.tup_left = 0;
            p->other.next.n = 0;
            p->v = &p->other;
            p->overlay = 1;
        }
        (*i)++;
        return AM_OK;
    case 'y': /* a spacer, with an optional width */
        for ((*i)++; *i < end && (isdigit((unsigned char)s[*i]) || s[*i] == '.'); (*i)++)
            ;
        return AM_OK;
    case ' ': case '\t': case '\r': case '`': case '$': case ')':
        (*i)++;
        return AM_OK;
    }
    return fail(p, AM_EFORMAT, at, "unexpected %s (expected a note, rest, bar line, chord, tuplet or decoration)",
                shown(c, b));
}

static int music(parser *p, size_t i, size_t end)
{
    const char *s = p->s;
    int rc = AM_OK;
    while (!rc && i < end) {
        char c = s[i];
        if (c == '%')
            break;
        if (c == '^' || c == '_' || c == '=' || (c >= 'A' && c <= 'G') || (c >= 'a' && c <= 'g'))
            rc = do_note(p, &i, end);
        else if (c == 'z' || c == 'x' || c == 'Z' || c == 'X')
            rc = do_rest(p, &i, end);
        else if (c == '|' || c == ':' || (c == '.' && i + 1 < end && s[i + 1] == '|'))
            rc = do_bar(p, &i, end);
        else if (c == '[')
            rc = do_bracket(p, &i, end);
        else if (is_deco(c))
            i++;
        else if (c == '"')
            rc = skip_to(p, &i, end, '"', "chord symbol or annotation '\"'");
        else if (c == '!')
            rc = do_bang(p, &i, end);
        else if (c == '+')
            rc = skip_to(p, &i, end, '+', "decoration '+'");
        else if (c == '{')
            rc = do_grace(p, &i, end);
        else if (c == '(')
            rc = do_paren(p, &i, end);
        else if (c == '\\')
            rc = do_backslash(p, &i, end);
        else
            rc = do_misc(p, &i, end);
    }
    return rc;
}

/* ---- tunes ---- */

static int push_note(parser *p, size_t *cap, am_note n, size_t line)
{
    am_melody *m = &p->mel;
    if (m->count == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        am_note *x = c <= SIZE_MAX / sizeof *x ? realloc(m->notes, c * sizeof *x) : NULL;
        if (!x)
            return AM_ENOMEM;
        m->notes = x;
        *cap = c;
    }
    if ((uint64_t)n.start + n.length > AM_MELODY_MAX_TICKS) {
        p->line = line, p->lstart = 0;
        return fail(p, AM_ERANGE, 0, "the tune (its repeats played out) is longer than 2^31 ticks");
    }
    m->notes[m->count++] = n;
    return AM_OK;
}

/* One note item at sub-tick *t: emitted (unless a gap) on the ticks its exact start and end round to, never
 * before the previous note's end *prev, at least one tick long. */
static int emit(parser *p, const item *it, uint64_t *t, uint64_t *prev, size_t *cap)
{
    uint64_t t0 = *t;
    *t += it->dur;
    if (*t > MAX_SUB) {
        p->line = it->line, p->lstart = 0;
        return fail(p, AM_ERANGE, 0, "the tune (its repeats played out) is longer than 2^31 ticks");
    }
    if (it->pitch == GAP)
        return AM_OK;
    uint64_t a = (t0 + SUB / 2) / SUB, b = (*t + SUB / 2) / SUB;
    a = a < *prev ? *prev : a;
    b = b < a + 1 ? a + 1 : b;
    if (b > AM_MELODY_MAX_TICKS)
        b = AM_MELODY_MAX_TICKS + (uint64_t)1; /* reported by push_note */
    *prev = b;
    return push_note(p, cap, (am_note){it->pitch, (uint32_t)a, (uint32_t)(b - a)}, it->line);
}

/* Past an ending not taken this time: to its end (past its :|), or to the next ending or section. */
static size_t skip_ending(const parser *p, size_t i)
{
    for (; i < p->nitems; i++) {
        int k = p->items[i].kind;
        if (k == IT_ENDING || k == IT_START || k == IT_DOUBLE)
            return i;
        if (k == IT_END)
            return i + 1;
    }
    return i;
}

/* The items played out: a section repeats once from |: (or the start, or the last repeat) to :|; an ending
 * is taken on the pass its numbers name (1; any other number: the second time). */
static int play_out(parser *p)
{
    size_t i = 0, rs = 0, cap = 0, steps = 0, limit = 4 * p->nitems + 16;
    int pass = 1, in_ending = 0, rc;
    uint64_t t = 0, prev = 0;
    while (i < p->nitems) {
        if (++steps > limit) /* cannot happen: each section is played at most twice */
            return fail(p, AM_EFORMAT, 0, "the repeats do not end");
        const item *it = &p->items[i];
        switch (it->kind) {
        case IT_NOTE:
            if ((rc = emit(p, it, &t, &prev, &cap)))
                return rc;
            i++;
            break;
        case IT_START:
            rs = ++i, pass = 1, in_ending = 0;
            break;
        case IT_END:
            if (pass == 1)
                pass = 2, in_ending = 0, i = rs;
            else
                rs = ++i, pass = 1, in_ending = 0;
            break;
        case IT_DOUBLE:
            if (pass == 2 && in_ending)
                rs = i + 1, pass = 1, in_ending = 0;
            i++;
            break;
        case IT_ENDING:
            in_ending = (it->mask & (pass == 1 ? 1u : 2u)) != 0;
            i = in_ending ? i + 1 : skip_ending(p, i + 1);
            break;
        }
    }
    return AM_OK;
}

static void tune_free(parser *p)
{
    am_melody_clear(&p->mel);
    free(p->items);
    p->items = NULL;
    p->nitems = p->capitems = 0;
}

static int tune_start(parser *p, size_t a, size_t b)
{
    field_text(p->s, &a, &b);
    uint64_t x = 0;
    size_t k = a;
    if (a < b && (number(p->s, &k, b, &x) || k != b))
        return fail(p, AM_EFORMAT, a, "X: expects a reference number 0 to %u", NUM_MAX);
    tune_free(p);
    memset(&p->mel, 0, sizeof p->mel);
    p->mel.number = (unsigned)x;
    p->mel.line = p->line;
    p->mel.meter_num = p->mel.meter_den = 4;
    p->mel.tempo = 120;
    memset(&p->main, 0, sizeof p->main);
    p->main.mnum = p->main.mden = 4;
    p->main.emit = 1;
    voice_reset_bar(&p->main);
    p->v = &p->main;
    p->overlay = p->have_voice = p->have_title = p->have_tempo = p->have_unit = p->legacy_q = 0;
    return AM_OK;
}

/* K: ends the header: the default unit length (1/8, or 1/16 below a meter of 3/4) and a tempo Q:120 given
 * before L:. */
static int header_end(parser *p)
{
    voice *v = &p->main;
    if (!p->have_unit)
        v->unit = (frac){1, (!v->mden || 4ull * v->mnum >= 3ull * v->mden) ? 8u : 16u};
    if (p->legacy_q) {
        double q = p->qvalue * 4 * (double)v->unit.n / (double)v->unit.d;
        if (!isfinite(q) || !(q > 0))
            return fail(p, AM_ERANGE, p->lstart, "Q: the tempo is not a finite number of quarter notes per minute > 0");
        p->mel.tempo = q;
    }
    p->hdr = *v;
    p->hdr.emit = 0;
    return AM_OK;
}

static int tune_end(parser *p)
{
    int rc = flush(p, &p->main);
    if (!rc)
        rc = play_out(p);
    if (!rc && !p->mel.title && !(p->mel.title = strdup("")))
        rc = AM_ENOMEM;
    if (!rc)
        rc = am_melodies_append(p->out, &p->mel);
    tune_free(p);
    return rc;
}

/* ---- the text, line by line ---- */

enum { OUTSIDE, HEADER, BODY };

static int starts(const parser *p, const char *w)
{
    size_t n = strlen(w);
    return p->lend - p->lstart >= n && !memcmp(p->s + p->lstart, w, n);
}

/* One line of a tune (its header or body). */
static int tune_line(parser *p, int *state)
{
    const char *s = p->s;
    size_t a = p->lstart, e = p->lend;
    int rc;
    if (skip_space(s, a, e) == e) { /* a blank line ends the tune */
        *state = OUTSIDE;
        return tune_end(p);
    }
    if (s[a] == '%')
        return AM_OK;
    if (starts(p, "X:")) { /* the next tune, with a header of its own */
        if ((rc = tune_end(p)))
            return rc;
        *state = HEADER;
        return tune_start(p, a + 2, e);
    }
    if (*state == HEADER) {
        char b[8];
        if (e - a < 2 || s[a + 1] != ':' || !(isalpha((unsigned char)s[a]) || s[a] == '+'))
            return fail(p, AM_EFORMAT, a, "expected a header field (a letter and ':'; K: ends the header), found %s",
                        shown(s[a], b));
        if ((rc = field(p, s[a], a + 2, e, 1)))
            return rc;
        if (s[a] == 'K') {
            *state = BODY;
            return header_end(p);
        }
        return AM_OK;
    }
    if (body_field(s, a, e))
        return field(p, s[a], a + 2, e, 0);
    return music(p, a, e);
}

static int parse_text(parser *p)
{
    int state = OUTSIDE, text_block = 0, rc = AM_OK, tunes = 0;
    for (p->pos = 0, p->line = 1; p->pos < p->len && !rc; p->line++) {
        const char *nl = memchr(p->s + p->pos, '\n', p->len - p->pos);
        p->lstart = p->pos;
        p->lend = nl ? (size_t)(nl - p->s) : p->len;
        p->pos = p->lend + 1;
        const char *nul = memchr(p->s + p->lstart, 0, p->lend - p->lstart);
        if (nul)
            return fail(p, AM_EFORMAT, (size_t)(nul - p->s), "a NUL byte (not a text file)");
        if (text_block) { /* %%begintext ... %%endtext: free text */
            text_block = !starts(p, "%%endtext");
            continue;
        }
        if (starts(p, "%%begintext")) {
            text_block = 1;
            continue;
        }
        if (state == OUTSIDE) {
            if (!starts(p, "X:"))
                continue;
            state = HEADER, tunes++;
            rc = tune_start(p, p->lstart + 2, p->lend);
        } else {
            tunes += starts(p, "X:");
            rc = tune_line(p, &state);
        }
    }
    if (!rc && state != OUTSIDE)
        rc = tune_end(p);
    if (!rc && !tunes) {
        am__say(p->err, p->errsize, "%s: no tune (no line starts with X:)", p->name);
        rc = AM_EEMPTY;
    }
    return rc;
}

int am_abc_parse(const char *text, size_t len, const char *name, am_melodies **out, char *err, size_t errsize)
{
    if (out)
        *out = NULL;
    if ((!text && len) || !out) {
        am__say(err, errsize, "am_abc_parse: %s is NULL", out ? "text" : "out");
        return AM_EINVAL;
    }
    parser p = {.s = text, .len = len, .name = name ? name : "<abc>", .err = err, .errsize = errsize};
    if (err && errsize)
        err[0] = 0;
    p.out = calloc(1, sizeof *p.out);
    if (!p.out)
        return AM_ENOMEM;
    int rc = parse_text(&p);
    tune_free(&p);
    if (rc == AM_ENOMEM)
        am__say(err, errsize, "%s: out of memory", p.name);
    if (rc) {
        am_melodies_free(p.out);
        return rc;
    }
    *out = p.out;
    return AM_OK;
}

int am_abc_read(const char *path, am_melodies **out, char *err, size_t errsize)
{
    if (out)
        *out = NULL;
    if (!path || !out) {
        am__say(err, errsize, "am_abc_read: %s is NULL", path ? "out" : "path");
        return AM_EINVAL;
    }
    FILE *f = fopen(path, "rb");
    struct stat st;
    int rc = AM_OK;
    if (!f || fstat(fileno(f), &st)) {
        rc = am__errno_status();
    } else if (S_ISDIR(st.st_mode)) {
        rc = AM_ERRNO(EISDIR);
    } else if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > FILE_MAX) {
        am__say(err, errsize, "%s: larger than 64 MB (%lld bytes): not an ABC file this reader takes", path,
                (long long)st.st_size);
        fclose(f);
        return AM_ERANGE;
    }
    if (rc) {
        am__say(err, errsize, "%s: %s", path, am_strerror(rc));
        if (f)
            fclose(f);
        return rc;
    }
    /* Read up to the limit (and one byte more, to see a pipe or a growing file exceed it). */
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap > FILE_MAX)
            break;
        char *x = realloc(buf, cap * 2 > FILE_MAX + 1 ? FILE_MAX + 1 : cap * 2);
        if (!x)
            free(buf);
        cap = cap * 2 > FILE_MAX + 1 ? FILE_MAX + 1 : cap * 2;
        buf = x;
    }
    if (!buf)
        rc = AM_ENOMEM, am__say(err, errsize, "%s: out of memory", path);
    else if (ferror(f))
        rc = am__errno_status(), am__say(err, errsize, "%s: %s", path, am_strerror(rc));
    else if (n > FILE_MAX)
        rc = AM_ERANGE, am__say(err, errsize, "%s: larger than 64 MB: not an ABC file this reader takes", path);
    fclose(f);
    if (!rc)
        rc = am_abc_parse(buf, n, path, out, err, errsize);
    free(buf);
    return rc;
}

/* ---- writing ---- */

/* The unit L:1/N: the largest that divides every length and gap (and divides an eighth of a quarter), so that
 * each is a whole number of units. */
static uint32_t unit_ticks(const am_melody *m)
{
    uint64_t g = AM_MELODY_TPQ / 4, end = 0;
    for (size_t i = 0; i < m->count; i++) {
        g = gcd64(g, m->notes[i].length);
        if (m->notes[i].start > end)
            g = gcd64(g, m->notes[i].start - end);
        end = (uint64_t)m->notes[i].start + m->notes[i].length;
    }
    return (uint32_t)g;
}

static void put_length(FILE *f, uint64_t ticks, uint32_t unit)
{
    if (ticks != unit)
        fprintf(f, "%llu", (unsigned long long)(ticks / unit));
}

/* A pitch spelled with sharps (flats when the key has flats), its accidental written only when the key and
 * the bar would not already give it. bar[][]: the accidentals written in this bar. */
static void put_pitch(FILE *f, int pitch, const int keyacc[7], signed char bar[NOCT][7], int flats)
{
    static const int sharp_letter[12] = {0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5, 6};
    static const int flat_letter[12] = {0, 1, 1, 2, 2, 3, 4, 4, 5, 5, 6, 6};
    int pc = pitch % 12, oct = pitch / 12 - 1;
    int letter = (flats ? flat_letter : sharp_letter)[pc], acc = pc - letter_semis[letter];
    int now = bar[oct + 1][letter] != UNSET ? bar[oct + 1][letter] : keyacc[letter];
    if (now != acc) {
        fputs(acc > 0 ? "^" : acc < 0 ? "_" : "=", f);
        bar[oct + 1][letter] = (signed char)acc;
    }
    fputc(oct >= 5 ? "cdefgab"[letter] : "CDEFGAB"[letter], f);
    for (int o = oct; o > 5; o--)
        fputc('\'', f);
    for (int o = oct; o < 4; o++)
        fputc(',', f);
}

static void put_header(FILE *f, const am_melody *m, uint32_t unit)
{
    fprintf(f, "X:%u\nT:", m->number);
    for (const char *t = m->title ? m->title : ""; *t; t++)
        if (*t == '%')
            fputs("\\%", f);
        else
            fputc((unsigned char)*t < 32 ? ' ' : *t, f);
    if (m->meter_num && m->meter_den)
        fprintf(f, "\nM:%u/%u\n", m->meter_num, m->meter_den);
    else
        fputs("\nM:none\n", f);
    static const char *const majors[15] = {"Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C",
                                           "G",  "D",  "A",  "E",  "B",  "F#", "C#"};
    int key = m->key < -7 || m->key > 7 ? 0 : m->key;
    fprintf(f, "L:1/%u\nQ:1/4=%.17g\nK:%s\n", WHOLE / unit, m->tempo, majors[key + 7]);
}

static void put_tune(FILE *f, const am_melody *m)
{
    uint32_t unit = unit_ticks(m);
    put_header(f, m, unit);
    int keyacc[7], key = m->key < -7 || m->key > 7 ? 0 : m->key;
    signed char bar[NOCT][7];
    key_signature(key, keyacc);
    memset(bar, UNSET, sizeof bar);
    uint64_t barlen = m->meter_den ? (uint64_t)WHOLE * m->meter_num / m->meter_den : 0, end = 0;
    unsigned bars = 0, tokens = 0;
    for (size_t i = 0; i < m->count; i++) {
        const am_note *n = &m->notes[i];
        if (n->start > end) { /* a gap: an invisible rest */
            fputc('x', f);
            put_length(f, n->start - end, unit);
            fputc(' ', f);
        }
        if (barlen && n->start && n->start % barlen == 0 && i) { /* a bar line where one falls between notes */
            memset(bar, UNSET, sizeof bar);
            fputs(++bars % 4 ? "| " : "|\n", f);
            tokens = 0;
        } else if (++tokens % 16 == 0) {
            fputc('\n', f);
        }
        if (n->pitch == AM_REST)
            fputc('z', f);
        else
            put_pitch(f, n->pitch, keyacc, bar, key < 0);
        put_length(f, n->length, unit);
        fputc(' ', f);
        end = (uint64_t)n->start + n->length;
    }
    fputs("|]\n\n", f);
}

int am_abc_fprint(FILE *f, const am_melodies *ms)
{
    if (!f || !ms || (ms->count && !ms->items))
        return AM_EINVAL;
    for (size_t i = 0; i < ms->count; i++)
        if (am_melody_check(&ms->items[i], NULL, 0))
            return AM_EINVAL;
    for (size_t i = 0; i < ms->count; i++)
        put_tune(f, &ms->items[i]);
    return ferror(f) ? AM_EIO : AM_OK;
}

int am_abc_write(const char *path, const am_melodies *ms)
{
    if (!path || !ms)
        return AM_EINVAL;
    for (size_t i = 0; i < ms->count; i++)
        if (am_melody_check(&ms->items[i], NULL, 0))
            return AM_EINVAL;
    am__out o;
    int rc = am__out_open(&o, path);
    if (rc)
        return rc;
    if ((rc = am_abc_fprint(o.f, ms))) {
        am__out_abort(&o);
        return rc;
    }
    return am__out_commit(&o);
}
