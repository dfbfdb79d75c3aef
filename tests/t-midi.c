/* Standard MIDI files: write -> read round trips, hand-made files (running status, velocity-0 offs, format 1
 * with a drum channel, overlapping notes), hostile files with their messages, and a file abc2midi wrote. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "am/am.h"
#include "am/melody.h"
#include "tap.h"

static char dir[] = "/tmp/t-midi-XXXXXX";

static const char *path_of(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

/* A file being built by hand. */
typedef struct {
    unsigned char b[4096];
    size_t n;
} file;

static void bytes(file *f, const unsigned char *d, size_t n)
{
    memcpy(f->b + f->n, d, n);
    f->n += n;
}

static void header(file *f, unsigned format, unsigned ntracks, unsigned div)
{
    f->n = 0;
    bytes(f, (const unsigned char[]){'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, (unsigned char)format, ntracks >> 8,
                                     ntracks & 0xff, div >> 8, div & 0xff},
          14);
}

static void track(file *f, const unsigned char *d, size_t n)
{
    bytes(f, (const unsigned char[]){'M', 'T', 'r', 'k', 0, 0, (unsigned char)(n >> 8), n & 0xff}, 8);
    bytes(f, d, n);
}

#define TRACK(f, ...)                                                                                          \
    do {                                                                                                       \
        static const unsigned char d_[] = {__VA_ARGS__};                                                       \
        track(f, d_, sizeof d_);                                                                               \
    } while (0)

static am_melody parsed;
static char err[300];

static int parse(const file *f, const am_midi_opts *o)
{
    am_melody_clear(&parsed);
    err[0] = 0;
    return am_midi_parse(f->b, f->n, "t.mid", o, &parsed, err, sizeof err);
}

/* The sounding notes (rests left out) as "pitch@start+length ..." */
static const char *notes_of(const am_melody *m)
{
    static char s[2000];
    size_t k = 0;
    s[0] = 0;
    for (size_t i = 0; i < m->count && k < sizeof s - 40; i++)
        if (m->notes[i].pitch != AM_REST)
            k += (size_t)snprintf(s + k, sizeof s - k, "%s%d@%u+%u", k ? " " : "", (int)m->notes[i].pitch,
                                  (unsigned)m->notes[i].start, (unsigned)m->notes[i].length);
    return s;
}

static int same_notes(const am_melody *a, const am_melody *b)
{
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++)
        if (a->notes[i].pitch != b->notes[i].pitch || a->notes[i].start != b->notes[i].start ||
            a->notes[i].length != b->notes[i].length)
            return 0;
    return 1;
}

static void round_trip(const char *title, const am_note *notes, size_t count, double tempo, int key, unsigned num,
                       unsigned den)
{
    am_melody m = {(char *)title, 0, num, den, key, tempo, 0, count, (am_note *)notes}, r;
    char e[200];
    ok(am_midi_write(path_of("rt.mid"), &m, 73) == AM_OK, "'%s' written", title);
    int rc = am_midi_read(path_of("rt.mid"), NULL, &r, e, sizeof e);
    ok(rc == AM_OK, "'%s' read back (%s)", title, rc ? e : "");
    ok(same_notes(&m, &r), "'%s': the same notes and rests (%s)", title, notes_of(&r));
    ok(!strcmp(r.title, title) && r.key == key && r.meter_num == num && r.meter_den == den,
       "'%s': title, key %d and meter %u/%u kept", title, r.key, r.meter_num, r.meter_den);
    is_near(r.tempo, tempo, tempo * 1e-5, "'%s': tempo kept (to the microsecond per quarter)", title);
    am_melody_clear(&r);
}

static void round_trips(void)
{
    static const am_note twinkle[] = {{60, 0, 480},    {60, 480, 480},   {67, 960, 480},  {67, 1440, 480},
                                      {69, 1920, 480}, {69, 2400, 480},  {67, 2880, 960}, {AM_REST, 3840, 480},
                                      {65, 4320, 240}, {65, 4560, 240},  {64, 4800, 720}, {AM_REST, 5520, 240}};
    round_trip("Twinkle", twinkle, sizeof twinkle / sizeof *twinkle, 100, 0, 4, 4);
    static const am_note jig[] = {{AM_REST, 0, 160}, {74, 160, 160}, {73, 320, 160}, {71, 480, 320},
                                  {127, 800, 1},     {0, 801, 479},  {78, 1280, 1}};
    round_trip("Jig in D, 'quoted'", jig, sizeof jig / sizeof *jig, 152.5, 2, 6, 8);
    static const am_note one[] = {{58, 0, 1920}};
    round_trip("", one, 1, 60, -3, 3, 4);
    am_melody bad = {"", 0, 4, 4, 0, 120, 0, 1, (am_note[]){{128, 0, 1}}};
    ok(am_midi_write(path_of("bad.mid"), &bad, 0) == AM_EINVAL && access(path_of("bad.mid"), F_OK) != 0,
       "a melody that fails its check is not written");
    bad.notes[0].pitch = 60;
    ok(am_midi_write(path_of("bad.mid"), &bad, 128) == AM_EINVAL, "program 128 refused");
}

/* Running status, note-on velocity 0 as off, sysex and meta skipped, the track name, a division of 96. */
static void hand_made(void)
{
    file f;
    header(&f, 0, 1, 96);
    TRACK(&f, 0, 0xff, 0x03, 4, 'S', 'o', 'n', 'g', /* name */
          0, 0xf0, 3, 1, 2, 0xf7,                   /* sysex */
          0, 0xff, 0x51, 3, 0x09, 0x27, 0xc0,       /* 600000 us: 100 per minute */
          0, 0x90, 60, 100, 96, 60, 0,              /* C4 a quarter, off by velocity 0 in running status */
          0, 62, 90, 48, 62, 0,                     /* D4 an eighth */
          48, 64, 80, 48, 0x80, 64, 0,              /* E4 after an eighth's rest */
          0, 0xff, 0x2f, 0);
    ok(parse(&f, NULL) == AM_OK, "running status and velocity-0 offs (%s)", err);
    ok(!strcmp(notes_of(&parsed), "60@0+480 62@480+240 64@960+240"), "notes rescaled from 96 to 480 per quarter: %s",
       notes_of(&parsed));
    ok(parsed.count == 4 && parsed.notes[2].pitch == AM_REST && parsed.notes[2].start == 720,
       "the gap is an explicit rest");
    ok(!strcmp(parsed.title, "Song") && parsed.tempo == 100 && parsed.meter_num == 4, "title, tempo 100, meter 4/4 default");

    /* format 1: a conductor track, a melody and drums on channel 10 */
    header(&f, 1, 3, 480);
    TRACK(&f, 0, 0xff, 0x03, 2, 'F', '1', 0, 0xff, 0x58, 4, 3, 2, 24, 8, 0, 0xff, 0x59, 2, 0xfe, 0, 0, 0xff, 0x2f, 0);
    TRACK(&f, 0, 0xff, 0x03, 3, 'M', 'e', 'l', 0, 0x91, 67, 80, 0x83, 0x60, 0x81, 67, 0, 0, 0x91, 65, 80, 0x83, 0x60,
          65, 0, 0, 0xff, 0x2f, 0);
    TRACK(&f, 0, 0x99, 80, 100, 0x87, 0x40, 80, 0, 0, 0xff, 0x2f, 0);
    ok(parse(&f, NULL) == AM_OK, "format 1 with 3 tracks (%s)", err);
    ok(!strcmp(notes_of(&parsed), "67@0+480 65@480+480"), "drums on channel 10 left out: %s", notes_of(&parsed));
    ok(!strcmp(parsed.title, "F1") && parsed.meter_num == 3 && parsed.meter_den == 4 && parsed.key == -2,
       "the first track's name, meter 3/4, key 2 flats");
    am_midi_opts o;
    am_midi_opts_init(&o);
    o.channel = 10;
    ok(parse(&f, &o) == AM_OK && !strcmp(notes_of(&parsed), "80@0+960"), "channel 10 asked for: the drum note");
    o.channel = -1, o.track = 2;
    ok(parse(&f, &o) == AM_EEMPTY, "track 2 alone has no notes outside channel 10: %s", err);
    o.track = 3;
    ok(parse(&f, &o) == AM_EINVAL && strstr(err, "3 tracks"), "track 3 of 3: %s", err);

    /* overlapping notes: the highest sounding one at each moment */
    header(&f, 0, 1, 480);
    TRACK(&f, 0, 0x90, 60, 80,         /* C4 from 0 to 1440 */
          0x83, 0x60, 0x91, 72, 80,    /* C5 on channel 2 from 480 to 960 */
          0x83, 0x60, 0x81, 72, 0,     /* off */
          0x83, 0x60, 0x80, 60, 0,     /* C4 off at 1440 */
          0, 0x90, 55, 80, 0, 55, 0, /* G3 of length 0: one tick */
          0x83, 0x60, 0xff, 0x2f, 0);  /* end at 1920: a rest to the end */
    ok(parse(&f, NULL) == AM_OK, "overlapping notes (%s)", err);
    ok(!strcmp(notes_of(&parsed), "60@0+480 72@480+480 60@960+480 55@1440+1"), "the skyline: %s", notes_of(&parsed));
    ok(am_melody_ticks(&parsed) == 1920 && parsed.notes[parsed.count - 1].pitch == AM_REST,
       "the rest before the end of the track is kept");
}

/* One hostile file: the status and a message naming the byte. */
static void hostile(const file *f, int want, const char *msg, const char *what)
{
    int rc = parse(f, NULL);
    ok(rc == want && strstr(err, msg) && !strncmp(err, "t.mid: byte ", 12) && parsed.count == 0 && !parsed.notes,
       "%s: %s (%s)", what, am_strerror(rc), err);
}

static void hostiles(void)
{
    file f;
    header(&f, 0, 1, 480);
    hostile(&f, AM_ETRUNC, "1 tracks cannot fit", "no track chunk");
    header(&f, 0, 1, 480);
    bytes(&f, (const unsigned char[]){'M', 'T', 'r', 'k', 0, 0, 1, 0, 0, 0x90}, 10);
    hostile(&f, AM_ETRUNC, "runs past the end", "chunk length past the end");
    header(&f, 0, 1, 480);
    TRACK(&f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x90, 60, 1);
    hostile(&f, AM_EFORMAT, "longer than 4 bytes", "a 5-byte delta time");
    header(&f, 0, 1, 480);
    TRACK(&f, 0, 60, 100);
    hostile(&f, AM_EFORMAT, "without a running status", "a data byte first");
    header(&f, 0, 1, 480);
    TRACK(&f, 0, 0x90, 60, 100, 0, 0xff, 0x01, 1, 'a', 0, 60, 0);
    hostile(&f, AM_EFORMAT, "without a running status", "a data byte after a meta event");
    header(&f, 2, 1, 480);
    TRACK(&f, 0, 0xff, 0x2f, 0);
    hostile(&f, AM_EFORMAT, "format 2", "format 2");
    header(&f, 0, 1, 0xe728);
    TRACK(&f, 0, 0xff, 0x2f, 0);
    hostile(&f, AM_EFORMAT, "SMPTE", "SMPTE division");
    header(&f, 1, 0, 480);
    hostile(&f, AM_EFORMAT, "no tracks", "zero tracks");
    header(&f, 1, 60000, 480);
    TRACK(&f, 0, 0xff, 0x2f, 0);
    hostile(&f, AM_ETRUNC, "60000 tracks cannot fit", "an absurd track count");
    header(&f, 0, 1, 96);
    TRACK(&f, 0, 0x90, 60, 100, 0xff, 0xff, 0xff, 0x7f, 0x80, 60, 0, 0xff, 0xff, 0xff, 0x7f, 0x90, 60, 100);
    hostile(&f, AM_EFORMAT, "beyond the longest tune", "delta sums beyond 2^31 ticks");
    header(&f, 0, 1, 480);
    TRACK(&f, 0, 0xff, 0x01, 0x8f, 0xff, 0xff, 0x7f, 'x');
    hostile(&f, AM_ETRUNC, "runs past the end of its track", "a meta event longer than its track");
    header(&f, 0, 1, 480);
    TRACK(&f, 0, 0x90, 60);
    hostile(&f, AM_ETRUNC, "inside a channel event", "a note cut short");
    header(&f, 0, 1, 480);
    TRACK(&f, 0, 0x90, 60, 0x80);
    hostile(&f, AM_EFORMAT, "top bit set", "a velocity with its top bit set");
    header(&f, 0, 1, 480);
    TRACK(&f, 0, 0xff, 0x51, 3, 0, 0, 0);
    hostile(&f, AM_EFORMAT, "tempo of 0", "a tempo of 0");
    header(&f, 0, 1, 480);
    TRACK(&f, 0, 0xf4, 0);
    hostile(&f, AM_EFORMAT, "not allowed", "a system common status");
    header(&f, 0, 2, 480);
    TRACK(&f, 0, 0xff, 0x2f, 0);
    TRACK(&f, 0, 0xff, 0x2f, 0);
    hostile(&f, AM_EFORMAT, "format 0 with 2 tracks", "format 0 with two tracks");
    header(&f, 0, 1, 480);
    TRACK(&f, 0, 0x90, 60, 100, 0x81);
    hostile(&f, AM_ETRUNC, "inside a variable-length", "a track that ends inside a delta time");
    header(&f, 0, 1, 480);
    TRACK(&f, 0, 0x99, 38, 100, 0x60, 38, 0, 0, 0xff, 0x2f, 0);
    hostile(&f, AM_EEMPTY, "no notes", "drums only");
    f.n = 3;
    memcpy(f.b, "MTh", 3);
    hostile(&f, AM_ETRUNC, "ends inside its MThd header (3 bytes)", "3 bytes of a header");
    f.n = 0;
    hostile(&f, AM_ETRUNC, "ends inside its MThd header (0 bytes)", "an empty file");
    f.n = 6;
    memcpy(f.b, "MThd\0\0", 6);
    hostile(&f, AM_ETRUNC, "ends inside its MThd header (6 bytes)", "6 bytes of a header");
    memcpy(f.b, "RIFF....WAVE", 12);
    f.n = 12;
    hostile(&f, AM_EFORMAT, "no MThd", "a WAV file");
    header(&f, 0, 1, 480);
    f.b[7] = 200;
    hostile(&f, AM_ETRUNC, "header of 200 bytes", "a header longer than the file");

    char e[300];
    am_melody m;
    ok(am_midi_read(path_of("missing.mid"), NULL, &m, e, sizeof e) == AM_ERRNO(ENOENT) && strstr(e, "missing.mid"),
       "a missing file keeps ENOENT: %s", e);
    ok(am_midi_read(dir, NULL, &m, e, sizeof e) == AM_ERRNO(EISDIR), "a directory: %s", e);
    FILE *big = fopen(path_of("big.mid"), "wb");
    ok(big && ftruncate(fileno(big), ((off_t)64 << 20) + 1) == 0 && fclose(big) == 0, "a sparse file of 64 MB + 1");
    ok(am_midi_read(path_of("big.mid"), NULL, &m, e, sizeof e) == AM_EFORMAT && strstr(e, "64 MB"),
       "refused before it is read: %s", e);
    unlink(path_of("big.mid"));
    am_midi_opts o;
    am_midi_opts_init(&o);
    o.channel = 17;
    header(&f, 0, 1, 480);
    ok(parse(&f, &o) == AM_EINVAL && strstr(err, "channel 17"), "channel 17 refused: %s", err);
}

/* abc2midi (Debian abcmidi), when installed, run without a shell. */
static void from_abc2midi(void)
{
    static const char abc[] = "X:1\nT:Scale\nM:4/4\nL:1/4\nQ:1/4=90\nK:G\nGABc|def2|]\n";
    FILE *f = fopen(path_of("s.abc"), "w");
    fputs(abc, f);
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) {
        int dn = open("/dev/null", 1);
        dup2(dn, 1);
        dup2(dn, 2);
        char *argv[] = {"abc2midi", strdup(path_of("s.abc")), "-o", strdup(path_of("s.mid")), NULL};
        execvp("abc2midi", argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
        ok(1, "# SKIP abc2midi is not installed (Debian: abcmidi)");
        return;
    }
    am_melody m;
    char e[300];
    int rc = am_midi_read(path_of("s.mid"), NULL, &m, e, sizeof e);
    ok(rc == AM_OK, "abc2midi's file read (%s)", rc ? e : "");
    if (rc)
        return;
    static const int want[] = {67, 69, 71, 72, 74, 76, 78};
    size_t k = 0, bad = 0;
    for (size_t i = 0; i < m.count; i++)
        if (m.notes[i].pitch != AM_REST)
            bad += k >= 7 || m.notes[i].pitch != want[k++];
    ok(k == 7 && !bad, "its pitches: G A B c d e ^f (key G): %s", notes_of(&m));
    is_near(m.tempo, 90, 0.01, "its tempo 90");
    ok(!strcmp(m.title, "Scale") && m.key == 1 && m.meter_num == 4 && m.meter_den == 4, "title '%s', key %d, meter %u/%u",
       m.title, m.key, m.meter_num, m.meter_den);
    unlink(path_of("s.mid"));
    am_melody_clear(&m);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    round_trips();
    hand_made();
    hostiles();
    from_abc2midi();
    am_melody_clear(&parsed);
    unlink(path_of("rt.mid"));
    unlink(path_of("s.abc"));
    int gone = rmdir(dir) == 0;
    ok(gone, "no file left behind (%s)", gone ? "" : strerror(errno));
    return done_testing();
}
