/* Standard MIDI files (am/melody.h): a reader that keeps one line of melody (the highest sounding note at every
 * moment, the "skyline") and a format-0 writer.
 *
 * The reader checks every length against the buffer before it reads: chunk lengths, variable-length quantities
 * (at most 4 bytes), sysex and meta event lengths. Times are summed in 64 bits and refused beyond
 * AM_MELODY_MAX_TICKS once rescaled to AM_MELODY_TPQ, so no sum can wrap. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/io.h"
#include "am/error.h"
#include "am/melody.h"

#define MIDI_MAX_BYTES ((size_t)64 << 20) /* the largest file am_midi_read reads */

void am_midi_opts_init(am_midi_opts *o)
{
    o->track = -1;
    o->channel = -1;
}

/* A note as the tracks play it, in file ticks until rescaled. */
typedef struct {
    uint64_t start, end;
    int pitch;
} span;

typedef struct {
    const unsigned char *buf;
    size_t len, pos;
    const char *name;
    char *err;
    size_t errsize;
    const am_midi_opts *opts;
    unsigned division;
    uint64_t max_raw; /* the last file tick that rescales to within AM_MELODY_MAX_TICKS */
    uint64_t end;     /* the last track's end (file ticks): a tune may end with a rest */
    span *spans;
    size_t nspans, cap;
    /* the first tempo, time signature and key signature (earliest tick, then earliest track) */
    uint64_t tempo_at, meter_at, key_at;
    unsigned usec, meter_num, meter_den;
    int key;
    char *title;
} parser;

static int fail(parser *p, int status, size_t at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(parser *p, int status, size_t at, const char *fmt, ...)
{
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    am__say(p->err, p->errsize, "%s: byte %zu: %s", p->name ? p->name : "MIDI", at, why);
    return status;
}

/* A variable-length quantity of at most 4 bytes at p->pos. */
static int get_vlq(parser *p, size_t end, uint32_t *v)
{
    size_t at = p->pos;
    uint32_t x = 0;
    for (int i = 0; i < 4; i++) {
        if (p->pos >= end)
            return fail(p, AM_ETRUNC, at, "the track ends inside a variable-length number");
        unsigned char b = p->buf[p->pos++];
        x = x << 7 | (b & 0x7f);
        if (!(b & 0x80)) {
            *v = x;
            return AM_OK;
        }
    }
    return fail(p, AM_EFORMAT, at, "a variable-length number longer than 4 bytes");
}

static int add_span(parser *p, uint64_t start, uint64_t end, int pitch)
{
    if (p->nspans == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        span *s = realloc(p->spans, cap * sizeof *s);
        if (!s)
            return AM_ENOMEM;
        p->spans = s;
        p->cap = cap;
    }
    p->spans[p->nspans++] = (span){start, end, pitch};
    return AM_OK;
}

/* Sounding notes of one track: on[ch][pitch] is the start tick + 1 (0: silent). */
typedef struct {
    uint64_t on[16][128];
} voices;

/* A note begins (vel > 0) or ends at tick t on channel ch (0-based); kept when the options select ch. */
static int note_event(parser *p, voices *v, int ch, int pitch, int vel, uint64_t t)
{
    int want = p->opts->channel < 0 ? ch != 9 : ch == p->opts->channel - 1;
    if (!want)
        return AM_OK;
    int rc = AM_OK;
    if (v->on[ch][pitch]) /* an off, or a new on of a pitch already sounding: the old note ends here */
        rc = add_span(p, v->on[ch][pitch] - 1, t, pitch);
    v->on[ch][pitch] = vel > 0 ? t + 1 : 0;
    return rc;
}

/* The first occurrence (earliest tick) of a meta setting: 1 when the one at tick t replaces what is kept. */
static int first_at(uint64_t *kept, uint64_t t)
{
    if (*kept <= t)
        return 0;
    *kept = t;
    return 1;
}

static int meta_event(parser *p, unsigned type, const unsigned char *d, uint32_t n, uint64_t t, int track, size_t at)
{
    if (type == 0x51) {
        if (n != 3)
            return fail(p, AM_EFORMAT, at, "a tempo event of %u bytes (3 expected)", (unsigned)n);
        unsigned usec = (unsigned)d[0] << 16 | (unsigned)d[1] << 8 | d[2];
        if (!usec)
            return fail(p, AM_EFORMAT, at, "a tempo of 0 microseconds per quarter note");
        if (first_at(&p->tempo_at, t))
            p->usec = usec;
    } else if (type == 0x58) {
        if (n < 2)
            return fail(p, AM_EFORMAT, at, "a time signature event of %u bytes (4 expected)", (unsigned)n);
        if (d[0] == 0 || d[1] > 6)
            return fail(p, AM_EFORMAT, at, "a time signature %u/2^%u", d[0], d[1]);
        if (first_at(&p->meter_at, t))
            p->meter_num = d[0], p->meter_den = 1u << d[1];
    } else if (type == 0x59) {
        if (n != 2)
            return fail(p, AM_EFORMAT, at, "a key signature event of %u bytes (2 expected)", (unsigned)n);
        int sf = (signed char)d[0];
        if (sf < -7 || sf > 7)
            return fail(p, AM_EFORMAT, at, "a key signature of %d sharps (-7..7)", sf);
        if (first_at(&p->key_at, t))
            p->key = sf;
    } else if (type == 0x03 && track == 0 && !p->title) {
        if (!(p->title = malloc((size_t)n + 1)))
            return AM_ENOMEM;
        for (uint32_t i = 0; i < n; i++)
            p->title[i] = d[i] < 0x20 || d[i] == 0x7f ? ' ' : (char)d[i];
        p->title[n] = 0;
    }
    return AM_OK;
}

/* A channel message's data bytes (1 or 2, already known to be in the track) at p->pos. */
static int channel_event(parser *p, voices *v, unsigned status, size_t end, uint64_t t, int keep, size_t at)
{
    unsigned kind = status & 0xf0, need = kind == 0xc0 || kind == 0xd0 ? 1 : 2;
    if (end - p->pos < need)
        return fail(p, AM_ETRUNC, at, "the track ends inside a channel event");
    const unsigned char *d = p->buf + p->pos;
    for (unsigned i = 0; i < need; i++)
        if (d[i] & 0x80)
            return fail(p, AM_EFORMAT, p->pos + i, "data byte 0x%02x of a channel event has its top bit set", d[i]);
    p->pos += need;
    if (!keep || (kind != 0x80 && kind != 0x90))
        return AM_OK;
    return note_event(p, v, (int)(status & 15), d[0], kind == 0x90 ? d[1] : 0, t);
}

/* One event at p->pos of a track ending at `end`; *status the running status (0: none). 1 at the end of the
 * track, else AM_OK or an error. */
static int event(parser *p, voices *v, size_t end, unsigned *status, uint64_t t, int track, int keep)
{
    size_t at = p->pos;
    if (p->pos >= end)
        return fail(p, AM_ETRUNC, at, "the track ends before its event");
    unsigned b = p->buf[p->pos];
    if (b < 0x80) {
        if (!*status)
            return fail(p, AM_EFORMAT, at, "data byte 0x%02x without a running status", b);
        return channel_event(p, v, *status, end, t, keep, at);
    }
    p->pos++;
    if (b < 0xf0) {
        *status = b;
        return channel_event(p, v, b, end, t, keep, at);
    }
    *status = 0; /* sysex and meta events cancel the running status */
    unsigned type = 0;
    if (b == 0xff) {
        if (p->pos >= end)
            return fail(p, AM_ETRUNC, at, "the track ends inside a meta event");
        type = p->buf[p->pos++];
    } else if (b != 0xf0 && b != 0xf7) {
        return fail(p, AM_EFORMAT, at, "status byte 0x%02x is not allowed in a MIDI file", b);
    }
    uint32_t n = 0;
    int rc = get_vlq(p, end, &n);
    if (rc)
        return rc;
    if (n > end - p->pos)
        return fail(p, AM_ETRUNC, at, "an event of %u bytes runs past the end of its track", (unsigned)n);
    const unsigned char *d = p->buf + p->pos;
    p->pos += n;
    if (b != 0xff)
        return AM_OK;
    if (type == 0x2f)
        return 1;
    return meta_event(p, type, d, n, t, track, at);
}

/* The events of track `track`, whose data are buf[p->pos, end). */
static int track_events(parser *p, size_t end, int track)
{
    voices *v = calloc(1, sizeof *v);
    if (!v)
        return AM_ENOMEM;
    int keep = p->opts->track < 0 || p->opts->track == track, rc = AM_OK;
    unsigned status = 0;
    uint64_t t = 0;
    while (rc == AM_OK) {
        size_t at = p->pos;
        uint32_t delta = 0;
        if (p->pos == end) { /* a track without its end-of-track event: accepted, it ends here */
            rc = 1;
            break;
        }
        if ((rc = get_vlq(p, end, &delta)))
            break;
        t += delta;
        if (t > p->max_raw)
            rc = fail(p, AM_EFORMAT, at, "time %llu ticks is beyond the longest tune (2^31 ticks at %u per quarter)",
                      (unsigned long long)t * AM_MELODY_TPQ / p->division, AM_MELODY_TPQ);
        else
            rc = event(p, v, end, &status, t, track, keep);
    }
    if (rc == 1 && keep && t > p->end)
        p->end = t;
    /* notes still sounding end with the track */
    for (int ch = 0; rc == 1 && ch < 16; ch++)
        for (int k = 0; k < 128; k++)
            if (v->on[ch][k] && add_span(p, v->on[ch][k] - 1, t, k))
                rc = AM_ENOMEM;
    free(v);
    p->pos = end;
    return rc == 1 ? AM_OK : rc;
}

static uint32_t be32(const unsigned char *b) { return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]; }
static unsigned be16(const unsigned char *b) { return (unsigned)b[0] << 8 | b[1]; }

/* The header chunk: format, track count and division, checked. */
static int header(parser *p, unsigned *ntracks)
{
    if (p->len < 8 && (!p->len || !memcmp(p->buf, "MThd", p->len < 4 ? p->len : 4)))
        return fail(p, AM_ETRUNC, 0, "the file ends inside its MThd header (%zu bytes)", p->len);
    if (p->len < 8 || memcmp(p->buf, "MThd", 4))
        return fail(p, AM_EFORMAT, 0, "not a standard MIDI file (no MThd header)");
    uint32_t hl = be32(p->buf + 4);
    if (hl < 6)
        return fail(p, AM_EFORMAT, 4, "a header of %u bytes (6 expected)", (unsigned)hl);
    if (hl > p->len - 8)
        return fail(p, AM_ETRUNC, 4, "a header of %u bytes runs past the end of the file", (unsigned)hl);
    unsigned format = be16(p->buf + 8), n = be16(p->buf + 10), div = be16(p->buf + 12);
    if (format == 2)
        return fail(p, AM_EFORMAT, 8, "format 2 (independent sequences) is not supported");
    if (format > 2)
        return fail(p, AM_EFORMAT, 8, "unknown format %u", format);
    if (n == 0)
        return fail(p, AM_EFORMAT, 10, "no tracks");
    if (format == 0 && n != 1)
        return fail(p, AM_EFORMAT, 10, "format 0 with %u tracks (1 expected)", n);
    if ((uint64_t)n * 8 > p->len - 8 - hl)
        return fail(p, AM_ETRUNC, 10, "%u tracks cannot fit in the %zu bytes that follow the header", n,
                    p->len - 8 - hl);
    if (div & 0x8000)
        return fail(p, AM_EFORMAT, 12, "SMPTE time division is not supported");
    if (div == 0)
        return fail(p, AM_EFORMAT, 12, "a time division of 0 ticks per quarter note");
    if (p->opts->track >= (int)n)
        return fail(p, AM_EINVAL, 10, "track %d asked for, but the file has %u tracks", p->opts->track, n);
    p->division = div;
    p->max_raw = ((uint64_t)AM_MELODY_MAX_TICKS * div) / AM_MELODY_TPQ;
    p->pos = 8 + hl;
    *ntracks = n;
    return AM_OK;
}

/* Every track chunk in turn (chunks of other types are skipped). */
static int tracks(parser *p, unsigned ntracks)
{
    for (unsigned k = 0; k < ntracks;) {
        size_t at = p->pos;
        if (p->len - p->pos < 8)
            return fail(p, AM_ETRUNC, at, "the file ends before track %u of %u", k + 1, ntracks);
        uint32_t n = be32(p->buf + p->pos + 4);
        if (n > p->len - p->pos - 8)
            return fail(p, AM_ETRUNC, at, "a chunk of %u bytes runs past the end of the file", (unsigned)n);
        int is_track = !memcmp(p->buf + p->pos, "MTrk", 4);
        p->pos += 8;
        if (!is_track) {
            p->pos += n;
            continue;
        }
        int rc = track_events(p, p->pos + n, (int)k++);
        if (rc)
            return rc;
    }
    return AM_OK;
}

static uint32_t rescale(const parser *p, uint64_t t)
{
    return (uint32_t)((t * AM_MELODY_TPQ + p->division / 2) / p->division);
}

typedef struct {
    uint32_t t;
    int pitch, start; /* start: 1 for a note's start, 0 for its end */
} edge;

static int edge_cmp(const void *a, const void *b)
{
    const edge *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->start - y->start; /* ends before starts at the same tick */
}

/* Append a note (or an explicit rest) to out, which has room. */
static void put_note(am_melody *out, int pitch, uint32_t start, uint32_t end)
{
    if (end > start)
        out->notes[out->count++] = (am_note){pitch, start, end - start};
}

/* The skyline of the spans, on AM_MELODY_TPQ ticks, with explicit rests in the gaps, into out->notes. */
static int skyline(parser *p, am_melody *out)
{
    size_t n = p->nspans;
    edge *e = malloc((2 * n + 1) * sizeof *e);
    out->notes = malloc((4 * n + 1) * sizeof *out->notes);
    if (!e || !out->notes) {
        free(e);
        return AM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t a = rescale(p, p->spans[i].start), b = rescale(p, p->spans[i].end);
        e[2 * i] = (edge){a, p->spans[i].pitch, 1};
        e[2 * i + 1] = (edge){b > a ? b : a + 1, p->spans[i].pitch, 0}; /* never shortened to nothing */
    }
    qsort(e, 2 * n, sizeof *e, edge_cmp);
    unsigned count[128] = {0};
    int cur = AM_REST;
    uint32_t since = 0;
    for (size_t i = 0; i < 2 * n;) {
        uint32_t t = e[i].t;
        int restart = 0;
        size_t j = i;
        for (; j < 2 * n && e[j].t == t; j++)
            count[e[j].pitch] += e[j].start ? 1 : -1u;
        int top = AM_REST;
        for (int k = 127; k >= 0 && top == AM_REST; k--)
            if (count[k])
                top = k;
        for (size_t k = i; k < j; k++)
            restart |= e[k].start && e[k].pitch == top;
        if (top != cur || restart) {
            put_note(out, cur, since, t);
            cur = top;
            since = t;
        }
        i = j;
    }
    put_note(out, AM_REST, since, rescale(p, p->end)); /* the rest before the end of the track, if any */
    free(e);
    return AM_OK;
}

/* The melody from what the parser collected. */
static int finish(parser *p, am_melody *out)
{
    memset(out, 0, sizeof *out);
    out->title = p->title ? p->title : strdup("");
    p->title = NULL;
    if (!out->title)
        return AM_ENOMEM;
    out->meter_num = p->meter_num;
    out->meter_den = p->meter_den;
    out->key = p->key;
    out->tempo = 60e6 / p->usec;
    int rc = skyline(p, out);
    char why[160];
    if (!rc && am_melody_check(out, why, sizeof why)) /* a rounding that would break an invariant: a defect */
        rc = fail(p, AM_EFORMAT, 0, "the notes do not make a melody: %s", why);
    return rc;
}

int am_midi_parse(const unsigned char *buf, size_t len, const char *name, const am_midi_opts *opts, am_melody *out,
                  char *err, size_t errsize)
{
    am_midi_opts dflt;
    am_midi_opts_init(&dflt);
    parser p = {buf, len, 0, name, err, errsize, opts ? opts : &dflt};
    p.tempo_at = p.meter_at = p.key_at = UINT64_MAX;
    p.usec = 500000, p.meter_num = 4, p.meter_den = 4;
    memset(out, 0, sizeof *out);
    if (p.opts->channel != -1 && (p.opts->channel < 1 || p.opts->channel > 16))
        return am__invalid(err, errsize, "MIDI channel %d: must be 1..16 or -1 (every channel but 10)", p.opts->channel);
    if (p.opts->track < -1)
        return am__invalid(err, errsize, "MIDI track %d: must be 0 or more, or -1 (every track)", p.opts->track);
    unsigned ntracks = 0;
    int rc = header(&p, &ntracks);
    if (!rc)
        rc = tracks(&p, ntracks);
    if (!rc && !p.nspans)
        rc = fail(&p, AM_EEMPTY, len, "no notes%s", p.opts->channel < 0 ? " (outside the percussion channel 10)" : "");
    if (!rc)
        rc = finish(&p, out);
    if (rc)
        am_melody_clear(out);
    free(p.spans);
    free(p.title);
    return rc;
}

int am_midi_read(const char *path, const am_midi_opts *opts, am_melody *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        int rc = am__errno_status();
        am__say(err, errsize, "%s: %s", path, am_strerror(rc));
        if (f)
            fclose(f);
        return rc;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)MIDI_MAX_BYTES) {
        fclose(f);
        am__say(err, errsize, "%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" : !S_ISREG(st.st_mode) ? "not a regular file"
                                               : "more than 64 MB: not a MIDI file this reader takes");
        return S_ISDIR(st.st_mode) ? AM_ERRNO(EISDIR) : AM_EFORMAT;
    }
    size_t n = (size_t)st.st_size;
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf) {
        fclose(f);
        return AM_ENOMEM;
    }
    int rc = fread(buf, 1, n, f) == n ? AM_OK : ferror(f) ? am__errno_status() : AM_ETRUNC;
    fclose(f);
    if (rc)
        am__say(err, errsize, "%s: reading failed: %s", path, am_strerror(rc));
    else
        rc = am_midi_parse(buf, n, path, opts, out, err, errsize);
    free(buf);
    return rc;
}

/* ---- writing ---- */
typedef struct {
    unsigned char *b;
    size_t n, cap;
    int oom;
} bytes;

static void put(bytes *o, const void *d, size_t n)
{
    if (o->oom)
        return;
    if (o->n + n > o->cap) {
        size_t cap = (o->cap ? o->cap * 2 : 256) + n;
        unsigned char *b = realloc(o->b, cap);
        if (!b) {
            o->oom = 1;
            return;
        }
        o->b = b;
        o->cap = cap;
    }
    memcpy(o->b + o->n, d, n);
    o->n += n;
}

static void put_vlq(bytes *o, uint32_t v)
{
    unsigned char t[5];
    int n = 0;
    t[4 - n++] = v & 0x7f;
    while ((v >>= 7))
        t[4 - n++] = (unsigned char)(0x80 | (v & 0x7f));
    put(o, t + 5 - n, (size_t)n);
}

/* An event at tick t (the delta from *now). */
static void put_event(bytes *o, uint32_t *now, uint32_t t, const unsigned char *d, size_t n)
{
    put_vlq(o, t - *now);
    *now = t;
    put(o, d, n);
}

static void put_meta(bytes *o, uint32_t *now, unsigned type, const void *d, size_t n)
{
    put_event(o, now, *now, (const unsigned char[]){0xff, (unsigned char)type}, 2);
    put_vlq(o, (uint32_t)n);
    put(o, d, n);
}

/* The track's events: name, tempo, meter, key, program, notes, end of track. */
static void track_body(bytes *o, const am_melody *m, int program)
{
    uint32_t now = 0;
    size_t tl = m->title ? strlen(m->title) : 0;
    if (tl)
        put_meta(o, &now, 0x03, m->title, tl > 0x0fffffff ? 0x0fffffff : tl);
    double us = round(60e6 / m->tempo);
    uint32_t u = us < 1 ? 1 : us > 0xffffff ? 0xffffff : (uint32_t)us;
    put_meta(o, &now, 0x51, (unsigned char[]){u >> 16, (u >> 8) & 0xff, u & 0xff}, 3);
    unsigned dd = 0;
    while (dd < 7 && (1u << dd) < m->meter_den)
        dd++;
    if (m->meter_num >= 1 && m->meter_num <= 255 && dd < 7 && (1u << dd) == m->meter_den)
        put_meta(o, &now, 0x58, (unsigned char[]){(unsigned char)m->meter_num, (unsigned char)dd, 24, 8}, 4);
    if (m->key >= -7 && m->key <= 7)
        put_meta(o, &now, 0x59, (unsigned char[]){(unsigned char)(signed char)m->key, 0}, 2);
    put_event(o, &now, 0, (const unsigned char[]){0xc0, (unsigned char)program}, 2);
    for (size_t i = 0; i < m->count; i++) {
        const am_note *nt = &m->notes[i];
        if (nt->pitch == AM_REST)
            continue;
        put_event(o, &now, nt->start, (const unsigned char[]){0x90, (unsigned char)nt->pitch, 80}, 3);
        put_event(o, &now, nt->start + nt->length, (const unsigned char[]){0x80, (unsigned char)nt->pitch, 64}, 3);
    }
    put_event(o, &now, am_melody_ticks(m), (const unsigned char[]){0xff, 0x2f, 0}, 3);
}

int am_midi_write(const char *path, const am_melody *m, int program)
{
    if (program < 0 || program > 127 || am_melody_check(m, NULL, 0))
        return AM_EINVAL;
    bytes trk = {0}, file = {0};
    track_body(&trk, m, program);
    static const unsigned char head[14] = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, AM_MELODY_TPQ >> 8,
                                           AM_MELODY_TPQ & 0xff};
    uint32_t n = (uint32_t)trk.n;
    put(&file, head, sizeof head);
    put(&file, "MTrk", 4);
    put(&file, (unsigned char[]){n >> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff}, 4);
    put(&file, trk.b, trk.n);
    int rc = trk.oom || file.oom ? AM_ENOMEM : trk.n > UINT32_MAX ? AM_EOVERFLOW : AM_OK;
    am__out o;
    if (!rc && !(rc = am__out_open(&o, path))) {
        fwrite(file.b, 1, file.n, o.f);
        rc = am__out_commit(&o);
    }
    free(trk.b);
    free(file.b);
    return rc;
}
