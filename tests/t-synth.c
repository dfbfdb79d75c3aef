/* Melodies for programs (libam/harness/melody.c): sound through fluidsynth (measured with sox), the fall-back to
 * additive tones, and piano-roll figures. Parts that need fluidsynth, sox or gnuplot are skipped without them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "am/am.h"
#include "am/melody.h"
#include "harness/harness.h"
#include "tap.h"

static char dir[] = "/tmp/t-synth-XXXXXX";

static const char *path_of(const char *name)
{
    static char p[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

/* How many entries of the test directory start with prefix. */
static int entries_named(const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)))
        n += !strncmp(e->d_name, prefix, strlen(prefix));
    if (d)
        closedir(d);
    return n;
}

/* The messages printed to stderr (a file) since the last call contain needle; the file emptied. */
static int said(const char *needle)
{
    char text[2000];
    fflush(stderr);
    ssize_t n = pread(2, text, sizeof text - 1, 0);
    text[n > 0 ? n : 0] = 0;
    if (ftruncate(2, 0) != 0 || lseek(2, 0, SEEK_SET) != 0)
        return 0;
    if (!strstr(text, needle))
        diag("stderr: '%s', wanted '%s'", text, needle);
    return strstr(text, needle) != NULL;
}

/* argv's standard output and error together into out (size bytes); its exit status, 127 if not started. */
static int capture(char *const argv[], char *out, size_t size)
{
    int fds[2];
    if (pipe(fds))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < size && (r = read(fds[0], out + n, size - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = 0;
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The number after `key` in sox's output, or NAN. */
static double field(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    return p ? strtod(p + strlen(key), NULL) : NAN;
}

/* A4 A4 rest C5 B4 (held) rest A4: 8 quarters at 120 a minute = 4 s. */
static am_note tune_notes[] = {{69, 0, 480},    {69, 480, 480},   {AM_REST, 960, 480},
                               {72, 1440, 480}, {71, 1920, 960},  {AM_REST, 2880, 480}, {69, 3360, 480}};
static am_melody tune = {"Test tune", 0, 4, 4, 0, 120, 0, 7, tune_notes};

/* sox's view of a WAV: duration, peak and RMS levels; the levels measured, for the record. */
static void measure(const char *wav, const char *what, double min_s, double max_s)
{
    char out[4096];
    int rc = capture((char *const[]){"sox", "--i", "-D", (char *)wav, NULL}, out, sizeof out);
    if (rc == 127) {
        ok(1, "# SKIP sox is not installed (Debian: sox)");
        return;
    }
    double dur = strtod(out, NULL);
    ok(rc == 0 && dur >= min_s && dur <= max_s, "%s: %.3f s long (%.2f .. %.2f)", what, dur, min_s, max_s);
    rc = capture((char *const[]){"sox", (char *)wav, "-n", "stats", NULL}, out, sizeof out);
    double pk = field(out, "Pk lev dB"), rms = field(out, "RMS lev dB"), rmspk = field(out, "RMS Pk dB");
    diag("%s: sox stats: Pk lev %.2f dB, RMS lev %.2f dB, RMS Pk %.2f dB", what, pk, rms, rmspk);
    ok(rc == 0 && pk <= -0.95 && pk > -30, "%s: peak %.2f dBFS, at most -1 dBFS", what, pk);
    ok(rms < -24 + 0.2 && rmspk > -24 && rmspk < -6, "%s: RMS %.2f dBFS over the whole (with silence) <= -24, "
       "RMS of the loudest 50 ms %.2f dBFS above it", what, rms, rmspk);
    am_audio a;
    ok(am_wav_read(wav, &a) == AM_OK, "%s read back", what);
    is_near(am_audio_active_level(a.x, a.n, a.rate / 50, AM_AUDIO_ACTIVE_RANGE_DB), -24, 0.25,
            "%s: active level -24 dBFS (blocks of 20 ms)", what);
    am_audio_clear(&a);
}

static void synth(void)
{
    am_run run = {.program = "t-synth"};
    int rc = am_run_synth(&run, &tune, path_of("fluid.wav"), 0);
    if (rc == 1) {
        ok(access(path_of("fluid.wav"), F_OK) != 0, "# SKIP fluidsynth or its soundfont is missing; nothing written");
    } else {
        ok(rc == 0, "fluidsynth rendered the tune");
        measure(path_of("fluid.wav"), "fluidsynth", 4.0, 7.0);
        unlink(path_of("fluid.wav"));
    }
    setenv("AM_SOUNDFONT", path_of("none.sf2"), 1);
    ok(am_run_synth(&run, &tune, path_of("none.wav"), 0) == 1 && access(path_of("none.wav"), F_OK) != 0 &&
           said("t-synth: no General MIDI soundfont (Debian: fluid-soundfont-gm; or AM_SOUNDFONT"),
       "a soundfont that is not there: status 1, nothing written, the package named");
    ok(am_run_melody_wav(&run, &tune, path_of("tones.wav"), 0) == 0 && said("as additive tones instead"),
       "the fall-back: additive tones, and it says so");
    measure(path_of("tones.wav"), "additive tones", 3.999, 4.001);
    unlink(path_of("tones.wav"));
    unsetenv("AM_SOUNDFONT");
    const char *path = getenv("PATH");
    char *saved = strdup(path ? path : "");
    setenv("PATH", dir, 1);
    ok(am_run_synth(&run, &tune, path_of("none.wav"), 0) == 1 && access(path_of("none.wav"), F_OK) != 0 &&
           said("fluidsynth is not installed (Debian: fluidsynth"),
       "no fluidsynth on the PATH: status 1, nothing written, the package named");
    setenv("PATH", saved, 1);
    free(saved);
    am_melody bad = tune;
    bad.tempo = -1;
    ok(am_run_synth(&run, &bad, path_of("bad.wav"), 0) == -1 && access(path_of("bad.wav"), F_OK) != 0 &&
           said("cannot write the melody as MIDI"),
       "a melody that fails its check: -1, nothing written");
}

static size_t count_lines(const char *file, const char *needle)
{
    FILE *f = fopen(file, "r");
    char line[256];
    size_t n = 0;
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return n;
}

static void pianoroll(void)
{
    am_run run = {.program = "t-synth"};
    am_note cue_notes[] = {{69, 0, 480}, {69, 480, 480}}, rec_notes[7];
    memcpy(rec_notes, tune_notes, sizeof rec_notes);
    rec_notes[3].pitch = 74; /* one wrong note */
    rec_notes[4].length = 480; /* and a held note cut short: a rest where it was held */
    rec_notes[5].start = 2400, rec_notes[5].length = 960;
    am_melody cue = {"", 0, 4, 4, 0, 120, 0, 2, cue_notes}, rec = {"", 0, 4, 4, 0, 120, 0, 7, rec_notes};
    const am_melody *rolls[] = {&cue, &rec, &tune};
    const char *labels[] = {"cue", "recalled", "original"};
    char out[512];
    if (capture((char *const[]){"gnuplot", "--version", NULL}, out, sizeof out) == 127) {
        ok(1, "# SKIP gnuplot is not installed (Debian: gnuplot-nox)");
        return;
    }
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s", path_of("roll"));
    /* The figure alone beside its prefix: its data and script went to a scratch directory in TMPDIR, removed. */
    setenv("TMPDIR", dir, 1);
    int rc = am_image_pianoroll(&run, prefix, rolls, labels, 3, 0, "Test tune: cue, recall, original");
    unsigned char sig[8] = {0};
    FILE *f = fopen(path_of("roll.png"), "rb");
    ok(rc == 0 && f && fread(sig, 1, 8, f) == 8 && !memcmp(sig, "\x89PNG", 4), "piano roll drawn as a PNG");
    if (f)
        fclose(f);
    ok(access(path_of("roll.dat"), F_OK) != 0 && access(path_of("roll.gp"), F_OK) != 0 && !entries_named("am-figure-"),
       "no data or script left beside the figure, nor a scratch directory in TMPDIR");
    /* AM_FIGURE_DATA keeps them, in that directory. */
    mkdir(path_of("keep"), 0777);
    setenv("AM_FIGURE_DATA", path_of("keep"), 1);
    rc = am_image_pianoroll(&run, prefix, rolls, labels, 3, 0, "Test tune: cue, recall, original");
    ok(rc == 0 && access(path_of("keep/roll.dat"), R_OK) == 0 && access(path_of("keep/roll.gp"), R_OK) == 0 &&
           access(path_of("roll.dat"), F_OK) != 0,
       "with AM_FIGURE_DATA the data and script are kept there");
    char red[16];
    snprintf(red, sizeof red, " %u\n", 0xd62728u);
    /* wrong: the cue's missing notes are not drawn; the recall's D5 (74) */
    is_int(count_lines(path_of("keep/roll.dat"), red), 1, "one box in red: the wrong note");
    is_int(count_lines(path_of("keep/roll.gp"), "cue: 0 of 4 steps differ"), 1,
           "the cue is judged over the 4 steps it covers, where it is the tune (not over the 12 after it)");
    is_int(count_lines(path_of("keep/roll.gp"), "4 of 16 steps differ"), 1, "the recall differs in 4 steps (D5 for C5, a rest for B4 held)");
    if (getenv("AM_KEEP_FIGURE")) /* to look at it */
        (void)!link(path_of("roll.png"), getenv("AM_KEEP_FIGURE"));
    unlink(path_of("roll.png")), unlink(path_of("keep/roll.dat")), unlink(path_of("keep/roll.gp"));
    setenv("AM_FIGURE_DATA", path_of("none"), 1);
    ok(am_image_pianoroll(&run, prefix, rolls, labels, 3, 0, NULL) == -1 && said("AM_FIGURE_DATA") &&
           access(path_of("roll.png"), F_OK) != 0,
       "AM_FIGURE_DATA naming no directory: refused, nothing drawn");
    unsetenv("AM_FIGURE_DATA");
    ok(am_image_pianoroll(&run, prefix, rolls, labels, 0, 0, NULL) == -1 && said("1 to 8 melodies"),
       "no melodies: refused");
    ok(am_image_pianoroll(&run, path_of("a\nb"), rolls, labels, 3, 0, NULL) == -1 && said("control characters"),
       "a prefix with a newline: refused");
    am_melody bad = tune;
    bad.notes = (am_note[]){{200, 0, 1}};
    bad.count = 1;
    const am_melody *badrolls[] = {&bad};
    ok(am_image_pianoroll(&run, prefix, badrolls, NULL, 1, 0, NULL) == -1 && access(path_of("roll.png"), F_OK) != 0 &&
           said("melody 0: note 0: pitch 200 is not 0..127"),
       "a melody with pitch 200: refused, nothing written");
    am_melody empty = {"", 0, 4, 4, 0, 120, 0, 0, NULL};
    const am_melody *one[] = {&empty};
    ok(am_image_pianoroll(&run, prefix, one, NULL, 1, 0, NULL) == 0, "an empty melody draws an empty roll");
    unlink(path_of("roll.png"));
    rmdir(path_of("keep"));
    unsetenv("TMPDIR");
}

int main(void)
{
    if (!mkdtemp(dir) || !freopen(path_of("stderr.txt"), "w+", stderr))
        return 1;
    said("");
    synth();
    pianoroll();
    ok(said(""), "stderr read");
    unlink(path_of("stderr.txt"));
    int gone = rmdir(dir) == 0;
    ok(gone, "no file left behind (%s)", gone ? "" : strerror(errno));
    return done_testing();
}
