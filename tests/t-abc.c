/* ABC notation: every feature of the reader against its expected notes (pitch/start/length in ticks),
 * malformed and hostile inputs with their line and column, the corpus (data/tunes) and Debian's abcmidi
 * examples parsed and round-tripped through the writer, random melodies round-tripped, atomic writes. */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "am/am.h"
#include "tap.h"

#define EXAMPLES "/usr/share/doc/abcmidi/examples"

static char err[512];

/* The notes of the first tune as "pitch/start/length ..." (z for a rest). */
static const char *notes_of(const am_melody *m)
{
    static char s[8192];
    size_t n = 0;
    s[0] = 0;
    for (size_t i = 0; i < m->count && n < sizeof s - 40; i++) {
        const am_note *x = &m->notes[i];
        if (x->pitch == AM_REST)
            n += (size_t)snprintf(s + n, sizeof s - n, "%sz/%u/%u", i ? " " : "", x->start, x->length);
        else
            n += (size_t)snprintf(s + n, sizeof s - n, "%s%d/%u/%u", i ? " " : "", (int)x->pitch, x->start, x->length);
    }
    return s;
}

/* Parse a tune: header "X:1\n" + head, then "K:" line key, then body. */
static am_melodies *tune(const char *head, const char *body)
{
    static char text[8192];
    snprintf(text, sizeof text, "X:1\n%s%s\n", head, body);
    am_melodies *ms = NULL;
    int rc = am_abc_parse(text, strlen(text), "t", &ms, err, sizeof err);
    if (rc)
        diag("parse failed (%d): %s", rc, err);
    return ms;
}

static void expect(const char *what, const char *head, const char *body, const char *want)
{
    am_melodies *ms = tune(head, body);
    const char *got = ms && ms->count ? notes_of(&ms->items[0]) : "(no tune)";
    if (!ok(!strcmp(got, want), "%s", what))
        diag("got  %s\n# want %s", got, want);
    am_melodies_free(ms);
}

static void features(void)
{
    const char *h = "L:1/8\nK:C\n";
    expect("letters, octaves and accidentals", h, "C c c' C, ^C _D =E ^^F __B",
           "60/0/240 72/240/240 84/480/240 48/720/240 61/960/240 61/1200/240 64/1440/240 67/1680/240 69/1920/240");
    expect("K:G sharpens F; K:Bb flattens B and E", "L:1/8\nK:G\n", "F f [K:Bb] B E",
           "66/0/240 78/240/240 70/480/240 63/720/240");
    expect("K: Dphr ^F (mode and an explicit accidental)", "L:1/8\nK: Dphr ^F\n", "D E F B",
           "62/0/240 63/240/240 66/480/240 70/720/240");
    expect("K:C^f^c^a", "L:1/8\nK:C^f^c^a\n", "F c A f", "66/0/240 73/240/240 70/480/240 78/720/240");
    expect("modes by their first three letters, any case", "L:1/8\nK:E MINOR\n", "F [K:Amix] G [K:Gdorian] B [K:Flyd] B [K:Eloc] B",
           "66/0/240 67/240/240 70/480/240 71/720/240 70/960/240");
    expect("K:none and K:HP", "L:1/8\nK:none\n", "F [K:HP] F C G", "65/0/240 66/240/240 61/480/240 67/720/240");
    expect("accidentals hold to the end of the bar, for one octave", h, "^F F f | F",
           "66/0/240 66/240/240 77/480/240 65/720/240");
    expect("a clef alone in K: keeps the key", "L:1/8\nK:D\n", "F [K:clef=bass] F", "66/0/240 66/240/240");
    expect("quarter tones round toward the natural", h, "^/C _/D ^3/C _22/100E", "60/0/240 62/240/240 61/480/240 64/720/240");
    expect("lengths 2 /2 3/2 / // 3", h, "C2 C/2 C3/2 C/ C// C3",
           "60/0/480 60/480/120 60/600/360 60/960/120 60/1080/60 60/1140/720");
    expect("default L: 1/16 below 3/4", "M:2/4\nK:C\n", "C D", "60/0/120 62/120/120");
    expect("default L: 1/8 from 3/4", "M:3/4\nK:C\n", "C D", "60/0/240 62/240/240");
    expect("ties merge equal pitches, across a bar", h, "C2-C2 ^C-|C D-E", "60/0/960 61/960/480 62/1440/240 64/1680/240");
    expect("broken rhythm > < >>", h, "C>D E<F G>>A",
           "60/0/360 62/360/120 64/480/120 65/600/360 67/960/420 69/1380/60");
    expect("triplets and (p:q:r", h, "(3CDE F (3:2:2 GA B (2cd",
           "60/0/160 62/160/160 64/320/160 65/480/240 67/720/160 69/880/160 71/1040/240 72/1280/360 74/1640/360");
    expect("rests: z a rest note, x time without a note", h, "C z D x E",
           "60/0/240 z/240/240 62/480/240 64/960/240");
    expect("Z2 and X rest whole bars of the meter", "M:2/4\nL:1/8\nK:C\n", "C4 | Z2 | X | D",
           "60/0/960 z/960/1920 62/3840/240");
    expect("chords: the highest note, the first note's length times the suffix", h, "[CEG]2 [c2e] [G,B,D]/",
           "67/0/480 76/480/480 62/960/120");
    expect("repeats |: :|", h, "|:C D:|E", "60/0/240 62/240/240 60/480/240 62/720/240 64/960/240");
    expect("a repeat from the start of the tune", h, "C D:|E", "60/0/240 62/240/240 60/480/240 62/720/240 64/960/240");
    expect("first and second endings", h, "|:C|1D:|2E|]", "60/0/240 62/240/240 60/480/240 64/720/240");
    expect("endings [1 [2", h, "|:C [1 D :| [2 E |] F", "60/0/240 62/240/240 60/480/240 64/720/240 65/960/240");
    expect(":: ends one repeat and starts the next", h, "|:C::D:|", "60/0/240 60/240/240 62/480/240 62/720/240");
    expect("inline fields [L:] [M:] [Q:]", h, "C [L:1/4] C [M:3/4] [Q:1/4=90] D", "60/0/240 60/240/480 62/720/480");
    expect("body field lines K: L: M: P: W: w:", h, "C\nK:G\nL:1/4\nP:B\nw: la la\nW: words\nF\nM:6/8\nF",
           "60/0/240 66/240/480 66/720/480");
    expect("grace notes, decorations, annotations, slurs, spacers, comments and continuations", h,
           "{g}C !trill!D +fermata+E \"Am\"F (GA) y .B ~c Td ue | % a comment\nc\\\nd`e $ f",
           "60/0/240 62/240/240 64/480/240 65/720/240 67/960/240 69/1200/240 71/1440/240 72/1680/240 74/1920/240 "
           "76/2160/240 72/2400/240 74/2640/240 76/2880/240 77/3120/240");
    expect("an old-style '!' line break", h, "C D|  !\nE", "60/0/240 62/240/240 64/480/240");
    expect("voices: the first only", "L:1/8\nV:1\nK:C\n", "V:1\nC D\nV:2\nE F G\nV:1\nA [V:2] B [V:1] c",
           "60/0/240 62/240/240 69/480/240 72/720/240");
    expect("another voice's L: and K: stay in that voice", "L:1/8\nK:C\n", "V:1\nC\nV:2\nL:1/2\nK:G\nF\nV:1\nF",
           "60/0/240 65/240/240");
    expect("an overlay & is dropped up to the bar", h, "C D & E F | G", "60/0/240 62/240/240 67/480/240");
    /* (7 in simple meter: 7 notes in the time of 2, each 68.57 ticks: starts and ends rounded, sum exact */
    expect("septuplets round to the nearest tick", h, "(7CDEFGAB c",
           "60/0/69 62/69/68 64/137/69 65/206/68 67/274/69 69/343/68 71/411/69 72/480/240");
    expect("a note shorter than a tick lasts one tick", h, "C///////// D",
           "60/0/1 62/1/239");
}

static void header_fields(void)
{
    const char *text = "free text before the first tune X: not a field\n\nX:7\nT:First\nT:Second\nM:C|\nQ:\"Allegro\" 3/8=60\n"
                       "K:Bb\nB\n\nX:8\nT:Legacy \\%Q\nQ:100\nL:1/4\nM:none\nK:Am\nA\n";
    am_melodies *ms = NULL;
    int rc = am_abc_parse(text, strlen(text), "h", &ms, err, sizeof err);
    ok(rc == AM_OK && ms && ms->count == 2, "two tunes after free text (%d: %s)", rc, err);
    if (!ms || ms->count != 2)
        return;
    am_melody *a = &ms->items[0], *b = &ms->items[1];
    ok(a->number == 7 && !strcmp(a->title, "First") && a->line == 3, "X: number, the first T:, the line of X:");
    ok(a->meter_num == 2 && a->meter_den == 2 && a->key == -2, "M:C| is 2/2; K:Bb has 2 flats");
    is_near(a->tempo, 90, 1e-12, "Q:\"Allegro\" 3/8=60 is 90 quarters a minute");
    ok(!strcmp(b->title, "Legacy %Q") && b->meter_num == 0 && b->meter_den == 0 && b->key == 0,
       "\\%% in a title; M:none is 0/0; K:Am has no accidentals");
    is_near(b->tempo, 100, 1e-12, "legacy Q:100 counts the L:1/4 given after it");
    am_melodies_free(ms);
    expect("M:C is 4/4 and Z a whole bar", "M:C\nL:1/4\nK:C\n", "Z C", "z/0/1920 60/1920/480");
    /* An X: line in a tune's body starts the next tune with a header of its own (found by fuzz-abc: the body
     * went on with no unit length, a division by zero). */
    ms = tune("K:C\n", "C\nX:2\nT:second\nK:G\nF");
    ok(ms && ms->count == 2 && !strcmp(notes_of(&ms->items[1]), "66/0/240") && !strcmp(ms->items[1].title, "second"),
       "X: in a body starts a new tune and its header");
    am_melodies_free(ms);
    ms = tune("T:empty\nK:C\n", "% only a comment");
    ok(ms && ms->count == 1 && ms->items[0].count == 0 && am_melody_ticks(&ms->items[0]) == 0, "a tune with no notes");
    am_melodies_free(ms);
}

typedef struct bad {
    const char *text;
    int rc;
    const char *where; /* "t:LINE:COL:" */
} bad;

static void errors(void)
{
    static const bad cases[] = {
        {"X:1\nK:C\nC#D\n", AM_EFORMAT, "t:3:2:"},
        {"X:1\nK:C\nC [CEG\n", AM_EFORMAT, "t:3:3:"},
        {"X:1\nK:C\n\"Am C\n", AM_EFORMAT, "t:3:1:"},
        {"X:1\nK:C\nC {gC\n", AM_EFORMAT, "t:3:3:"},
        {"X:1\nK:C\nC999999999999\n", AM_ERANGE, "t:3:2:"},
        {"X:1\nL:1/1\nK:C\nC1000000000\n", AM_ERANGE, "t:4:1:"},
        {"X:1\nL:1\nK:C\nC1000000-C1000000\n", AM_ERANGE, "t:4:10:"},
        {"X:1\nL:1\nK:C\nC1000000 D1000000\n", AM_ERANGE, "t:4:1:"},
        {"X:1\nL:1/8\nK:C\n|:C5000000:|\n", AM_ERANGE, "t:4:1:"},
        {"X:1\nK:C\n(99CDE\n", AM_ERANGE, "t:3:1:"},
        {"X:1\nK:C\nc''''''\n", AM_ERANGE, "t:3:1:"},
        {"X:1\nK:C\nC,,,,,,\n", AM_ERANGE, "t:3:1:"},
        {"X:1\nK:C\nC\0D\n", AM_EFORMAT, "t:3:2:"},
        {"X:1\nT:t\nCDE\nK:C\n", AM_EFORMAT, "t:3:1:"},
        {"X:1\nM:3/0\nK:C\n", AM_EFORMAT, "t:2:"},
        {"X:1\nK:Fb\n", AM_ERANGE, "t:2:3:"},
        {"X:1\nL:0\nK:C\n", AM_EFORMAT, "t:2:3:"},
        {"X:1\nK:C\n>C\n", AM_EFORMAT, "t:3:1:"},
        {"X:1\nK:C\nC>>>>D\n", AM_EFORMAT, "t:3:2:"},
        {"X:1\nK:C\n-C\n", AM_EFORMAT, "t:3:1:"},
        {"X:1\nM:none\nK:C\nZ\n", AM_EFORMAT, "t:4:1:"},
        {"X:1\nQ:1/4=\nK:C\n", AM_EFORMAT, "t:2:"},
        {"X:1\nQ:1/4=0\nK:C\n", AM_EFORMAT, "t:2:"},
        {"X:1\nQ:3/1=1e308\nK:C\n", AM_ERANGE, "t:2:3:"},
        {"X:1\nK:C\nC ] D\n", AM_EFORMAT, "t:3:3:"},
        {"X:abc\n", AM_EFORMAT, "t:1:3:"},
        {"X:1\nK:C\nC \\ D\n", AM_EFORMAT, "t:3:3:"},
        {"X:1\nK:C\n^3c\n", AM_EFORMAT, "t:3:3:"},
        {"X:1\nK:C\nC \xc3\xa9\n", AM_EFORMAT, "t:3:3:"},
        {"X:1\nK:C\n[]\n", AM_EFORMAT, "t:3:1:"},
        {"X:1\nK:C\nC [K:G\n", AM_EFORMAT, "t:3:3:"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const bad *c = &cases[i];
        size_t len = strlen(c->text);
        if (i == 12)
            len = 11; /* the NUL case: X:1\nK:C\nC\0D\n */
        am_melodies *ms = (am_melodies *)1;
        err[0] = 0;
        int rc = am_abc_parse(c->text, len, "t", &ms, err, sizeof err);
        if (!ok(rc == c->rc && !ms && !strncmp(err, c->where, strlen(c->where)) && strlen(err) > strlen(c->where) + 5,
                "hostile input %zu: %s", i, err))
            diag("rc %d (want %d), want a message at %s", rc, c->rc, c->where);
    }
    am_melodies *ms = (am_melodies *)1;
    ok(am_abc_parse("just text\n", 10, "t", &ms, err, sizeof err) == AM_EEMPTY && !ms && strstr(err, "no tune"),
       "a text with no X: is AM_EEMPTY: %s", err);
    ok(am_abc_parse("", 0, NULL, &ms, err, sizeof err) == AM_EEMPTY && !strncmp(err, "<abc>:", 6), "an empty text");
    ok(am_abc_parse(NULL, 3, "t", &ms, NULL, 0) == AM_EINVAL, "NULL text");
}

static int same_notes(const am_melodies *a, const am_melodies *b)
{
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++) {
        const am_melody *x = &a->items[i], *y = &b->items[i];
        if (x->count != y->count || (x->count && memcmp(x->notes, y->notes, x->count * sizeof *x->notes)) ||
            x->key != y->key || x->tempo != y->tempo || x->meter_num != y->meter_num || strcmp(x->title, y->title))
            return 0;
    }
    return 1;
}

static am_melodies *round_trip(const am_melodies *ms)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    int rc = am_abc_fprint(f, ms);
    fclose(f);
    am_melodies *back = NULL;
    if (!rc && am_abc_parse(buf, n, "round trip", &back, err, sizeof err))
        diag("reparse: %s", err);
    free(buf);
    return back;
}

/* Every file: parsed, and written and read back to the same notes. Returns the tunes. */
static size_t files(const char *pattern, size_t *total)
{
    glob_t g;
    size_t nfiles = 0;
    if (glob(pattern, 0, NULL, &g))
        return 0;
    for (size_t i = 0; i < g.gl_pathc; i++, nfiles++) {
        am_melodies *ms = NULL, *back;
        int rc = am_abc_read(g.gl_pathv[i], &ms, err, sizeof err);
        if (!ok(rc == AM_OK && ms->count > 0, "%s parses: %zu tunes", g.gl_pathv[i], rc ? 0 : ms->count)) {
            diag("%s", err);
            continue;
        }
        size_t notes = 0;
        for (size_t t = 0; t < ms->count; t++)
            notes += ms->items[t].count;
        *total += ms->count;
        ok((back = round_trip(ms)) && same_notes(ms, back), "%s: %zu notes round trip through am_abc_fprint",
           g.gl_pathv[i], notes);
        am_melodies_free(back);
        am_melodies_free(ms);
    }
    globfree(&g);
    return nfiles;
}

/* The corpus: every tune has X T C S M L Q K. */
static void corpus_fields(void)
{
    FILE *f = fopen("data/tunes/traditional.abc", "r");
    char line[1024];
    int have = 0, bad = 0, tunes = 0;
    const char *need = "XTCSMLQK";
    while (f && fgets(line, sizeof line, f)) {
        if (line[0] == 'X' && line[1] == ':') {
            if (tunes++ && have != 0xff)
                bad++;
            have = 0;
        }
        const char *k = line[1] == ':' ? strchr(need, line[0]) : NULL;
        if (k && line[0])
            have |= 1 << (k - need);
    }
    if (tunes && have != 0xff)
        bad++;
    if (f)
        fclose(f);
    ok(tunes >= 36 && !bad, "the corpus: %d tunes, each with X T C S M L Q K (%d without)", tunes, bad);
}

static uint64_t rng_state = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static void random_round_trips(void)
{
    int good = 0;
    const int trials = 200;
    for (int t = 0; t < trials; t++) {
        am_melodies ms = {0};
        am_melody m = {0};
        am_note notes[64];
        static const uint32_t grains[] = {1, 7, 60, 120, 160, 240, 480};
        uint32_t grain = grains[rnd(7)], at = 0;
        m.title = (char *)"random % tune";
        m.count = 1 + rnd(64);
        m.notes = notes;
        m.key = (int)rnd(15) - 7;
        m.meter_num = rnd(2) ? 0 : 1 + rnd(12);
        m.meter_den = m.meter_num ? 1u << rnd(4) : 0;
        m.tempo = t == 0 ? 1e-300 : t == 1 ? 1e300 : 40 + rnd(2000) / 7.0; /* any finite tempo > 0 */
        for (size_t i = 0; i < m.count; i++) {
            at += rnd(4) == 0 ? grain * (1 + rnd(4)) : 0;
            notes[i] = (am_note){rnd(8) == 0 ? AM_REST : (int32_t)rnd(128), at, grain * (1 + rnd(8))};
            at += notes[i].length;
        }
        am_melodies one = {1, &m};
        am_melodies *back = round_trip(&one);
        if (back && back->count == 1 && back->items[0].count == m.count &&
            !memcmp(back->items[0].notes, notes, m.count * sizeof *notes) && back->items[0].key == m.key &&
            back->items[0].tempo == m.tempo)
            good++;
        else if (good == t)
            diag("random melody %d differs after the round trip", t);
        am_melodies_free(back);
        (void)ms;
    }
    ok(good == trials, "%d of %d random melodies (every pitch, gaps, rests, keys, tick grains) round trip", good, trials);
}

static void writes(void)
{
    char dir[] = "/tmp/t-abc-XXXXXX", path[256];
    ok(mkdtemp(dir) != NULL, "temporary directory");
    snprintf(path, sizeof path, "%s/out.abc", dir);
    am_melodies *ms = tune("T:write\nL:1/8\nK:A\n", "|:A B c d:|e2 z f");
    ok(ms && am_abc_write(path, ms) == AM_OK, "am_abc_write");
    am_melodies *back = NULL;
    ok(am_abc_read(path, &back, err, sizeof err) == AM_OK && same_notes(ms, back), "written and read back");
    am_melodies_free(back);
    DIR *d = opendir(dir);
    int others = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        others += e->d_name[0] != '.' && strcmp(e->d_name, "out.abc");
    if (d)
        closedir(d);
    ok(others == 0, "no temporary file left beside the output");
    char missing[300];
    snprintf(missing, sizeof missing, "%s/no/such/dir/x.abc", dir);
    ok(ms && am_abc_write(missing, ms) != AM_OK, "an unwritable directory is an error");
    if (geteuid() != 0) {
        char ro[300], rp[320];
        snprintf(ro, sizeof ro, "%s/ro", dir);
        mkdir(ro, 0555);
        snprintf(rp, sizeof rp, "%s/x.abc", ro);
        ok(am_abc_write(rp, ms) == AM_ERRNO(EACCES) && access(rp, F_OK) != 0, "a read-only directory: EACCES, nothing written");
        rmdir(ro);
    }
    am_melody badm = {.title = (char *)"", .tempo = 0};
    am_melodies badms = {1, &badm};
    ok(am_abc_write(path, &badms) == AM_EINVAL && am_abc_fprint(stdout, &badms) == AM_EINVAL, "an invalid melody is refused");
    back = (am_melodies *)1;
    snprintf(missing, sizeof missing, "%s/none.abc", dir);
    ok(am_abc_read(missing, &back, err, sizeof err) == AM_ERRNO(ENOENT) && !back && strstr(err, "none.abc"),
       "a missing file keeps its errno: %s", err);
    ok(am_abc_read(dir, &back, err, sizeof err) == AM_ERRNO(EISDIR), "a directory: %s", err);
    snprintf(missing, sizeof missing, "%s/big.abc", dir);
    FILE *f = fopen(missing, "w");
    ok(f && ftruncate(fileno(f), ((off_t)64 << 20) + 1) == 0, "a 64 MB + 1 byte file");
    if (f)
        fclose(f);
    ok(am_abc_read(missing, &back, err, sizeof err) == AM_ERANGE && strstr(err, "64 MB"), "over 64 MB refused: %s", err);
    unlink(missing);
    unlink(path);
    rmdir(dir);
    am_melodies_free(ms);
}

int main(void)
{
    features();
    header_fields();
    errors();
    corpus_fields();
    size_t tunes = 0;
    ok(files("data/tunes/*.abc", &tunes) >= 1 && tunes >= 36, "the corpus: %zu tunes", tunes);
    struct stat st;
    if (stat(EXAMPLES, &st) == 0) {
        size_t ex = 0;
        ok(files(EXAMPLES "/*.abc", &ex) >= 1, "abcmidi examples: %zu tunes", ex);
        /* daramud.abc: quarter-flat E (_/E) is E */
        am_melodies *ms = NULL;
        ok(am_abc_read(EXAMPLES "/daramud.abc", &ms, err, sizeof err) == AM_OK && ms->items[0].count > 1 &&
               ms->items[0].notes[1].pitch == 76,
           "daramud.abc: _/e reads as e (76)");
        am_melodies_free(ms);
    } else {
        ok(1, "# SKIP " EXAMPLES " is absent (Debian package abcmidi)");
    }
    random_round_trips();
    writes();
    return done_testing();
}
