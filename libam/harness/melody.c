/* Melodies for programs: sound through fluidsynth (or additive tones) and piano-roll figures.
 *
 * fluidsynth and gnuplot are started with fork/execvp: no shell ever sees a user's text. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "am/audio.h"
#include "am/error.h"
#include "am/melody.h"
#include "harness.h"
#include "internal.h"

#define SYNTH_RATE 44100u

/* The soundfont to use, or NULL. */
static const char *soundfont(void)
{
    static const char *const known[] = {"/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/default-GM.sf2"};
    const char *env = getenv("AM_SOUNDFONT");
    if (env && *env)
        return access(env, R_OK) == 0 ? env : NULL;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (access(known[i], R_OK) == 0)
            return known[i];
    return NULL;
}

/* Run argv (argv[0] looked up in PATH) with its output to /dev/null: its exit status, 127 when it could not be
 * started, -1 when it was killed or could not be waited for. */
static int run_quiet(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int dn = open("/dev/null", O_RDWR);
        if (dn >= 0) {
            dup2(dn, 0);
            dup2(dn, 1);
            dup2(dn, 2);
            close(dn);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* fluidsynth's WAV (any channels) as mono at the speech level, into wav. 0, or -1 with the reason printed. */
static int level_and_write(const am_run *run, const char *raw, const char *wav)
{
    am_audio a;
    int rc = am_wav_read(raw, &a);
    if (rc) {
        am_run_error(run, "cannot read fluidsynth's output: %s", am_strerror(rc));
        return -1;
    }
    rc = am_audio_normalize(a.x, a.n, a.rate / 50 ? a.rate / 50 : 1, AM_AUDIO_SPEECH_DB, AM_AUDIO_PEAK_DB);
    if (!rc && (rc = am_wav_write(wav, a.x, a.n, a.rate)))
        am_run_error(run, "cannot write '%s': %s", wav, am_strerror(rc));
    else if (rc)
        am_run_error(run, "fluidsynth's output: %s", am_strerror(rc));
    am_audio_clear(&a);
    return rc ? -1 : 0;
}

int am_run_synth(const am_run *run, const am_melody *m, const char *wav, int program)
{
    const char *sf = soundfont();
    if (!sf) {
        am_run_error(run, "no General MIDI soundfont (Debian: fluid-soundfont-gm%s)",
                     getenv("AM_SOUNDFONT") && *getenv("AM_SOUNDFONT") ? "; or AM_SOUNDFONT names an unreadable file" : "");
        return 1;
    }
    const char *t = getenv("TMPDIR");
    char dir[4200], mid[4300], raw[4300], rate[16];
    snprintf(dir, sizeof dir, "%s/am-synth-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) {
        am_run_error(run, "cannot make a scratch directory in %s: %s", t && *t ? t : "/tmp", strerror(errno));
        return -1;
    }
    if (am_run_stage(run, dir)) {
        rmdir(dir);
        return -1;
    }
    snprintf(mid, sizeof mid, "%s/melody.mid", dir);
    snprintf(raw, sizeof raw, "%s/melody.wav", dir);
    snprintf(rate, sizeof rate, "%u", SYNTH_RATE);
    int rc = am_midi_write(mid, m, program), st = 0;
    if (rc)
        am_run_error(run, "cannot write the melody as MIDI: %s", am_strerror(rc));
    else if ((st = run_quiet((char *const[]){"fluidsynth", "-ni", "-T", "wav", "-F", raw, "-r", rate, (char *)sf, mid,
                                             NULL})) == 127)
        am_run_error(run, "fluidsynth is not installed (Debian: fluidsynth fluid-soundfont-gm)");
    else if (st)
        am_run_error(run, "fluidsynth failed (status %d) on the melody with soundfont %s", st, sf);
    int out = rc ? -1 : st == 127 ? 1 : st ? -1 : level_and_write(run, raw, wav);
    unlink(mid);
    unlink(raw);
    rmdir(dir);
    am_run_stage_done(dir);
    return out;
}

int am_run_melody_wav(const am_run *run, const am_melody *m, const char *wav, int program)
{
    int rc = am_run_synth(run, m, wav, program);
    if (rc <= 0)
        return rc;
    fprintf(stderr, "%s: rendering '%s' as additive tones instead\n", run->program, wav);
    float *x;
    size_t n;
    if ((rc = am_melody_render(m, SYNTH_RATE, &x, &n)) || (rc = am_wav_write(wav, x, n, SYNTH_RATE)))
        am_run_error(run, "cannot render '%s': %s", wav, am_strerror(rc));
    free(x);
    return rc ? -1 : 0;
}

/* ---- piano rolls ---- */
typedef struct {
    const char *png, *dat, *title, *const *labels;
    const am_melody *const *rolls;
    size_t count, *wrong, *span, steps; /* span[k]: the steps panel k covers */
    int lo, hi;  /* pitch range shown */
    double beats, bar;
} roll_script;

/* The piece [a, b) of a note as a box: centre, pitch, half width (beats), colour. */
static void put_box(FILE *f, uint32_t a, uint32_t b, int pitch, unsigned colour)
{
    double x0 = (double)a / AM_MELODY_TPQ, x1 = (double)b / AM_MELODY_TPQ;
    fprintf(f, "%.6g %d %.6g %u\n", (x0 + x1) / 2, pitch, (x1 - x0) / 2, colour);
}

#define RIGHT 0x3060c0u
#define WRONG 0xd62728u

/* Panel k's notes into f, split where they start to differ from the reference grid (ref, ron; NULL for the
 * reference itself); of the steps the panel covers (*span: a cue covers its first bars only), those that
 * differ counted in *wrong. */
static void panel_data(FILE *f, const am_melody *m, uint32_t step, size_t steps, const int32_t *ref,
                       const unsigned char *ron, int32_t *pitch, unsigned char *onset, size_t *wrong, size_t *span)
{
    size_t own = am_melody_steps(m, step);
    *span = own < steps ? own : steps;
    *wrong = 0;
    if (ref) {
        am_melody_grid(m, step, steps, pitch, onset);
        for (size_t t = 0; t < *span; t++)
            *wrong += pitch[t] != ref[t] || onset[t] != ron[t];
    }
    for (size_t i = 0; i < m->count; i++) {
        const am_note *n = &m->notes[i];
        if (n->pitch == AM_REST)
            continue;
        uint32_t end = n->start + n->length, a = n->start;
        int bad = 0;
        for (uint32_t x = n->start; ref && x < end;) {
            size_t t = x / step;
            uint32_t next = (uint32_t)((uint64_t)(t + 1) * step < end ? (t + 1) * step : end);
            int b = t >= steps || ref[t] != n->pitch || (x == n->start && !ron[t]);
            if (b != bad && x > a) {
                put_box(f, a, x, n->pitch, bad ? WRONG : RIGHT);
                a = x;
            }
            bad = b;
            x = next;
        }
        put_box(f, a, end, n->pitch, bad ? WRONG : RIGHT);
    }
    fputs("\n\n", f);
}

static void write_roll(FILE *f, void *ctx)
{
    const roll_script *r = ctx;
    int span = r->hi - r->lo + 1;
    size_t w = (size_t)(r->beats * 28) + 160, ph = (size_t)((span + 2) * 16 + 90);
    w = w < 640 ? 640 : w > 2400 ? 2400 : w;
    fprintf(f, "set terminal pngcairo size %zu,%zu font 'sans,10' noenhanced\nset output ", w, ph * r->count + 40);
    am__gp_quote(f, r->png);
    fprintf(f, "\nset multiplot layout %zu,1 title ", r->count);
    am__gp_quote(f, r->title ? r->title : "");
    fprintf(f, "\nunset key\nset xrange [0:%.6g]\nset yrange [%d:%d]\nset style fill solid 0.85 border lc rgb '#202020'\n",
            r->beats > 0 ? r->beats : 1, r->lo - 1, r->hi + 1);
    fprintf(f, "set xtics %.6g\nset mxtics %d\nset grid xtics mxtics lc rgb '#a0a0a0', lc rgb '#e4e4e4'\nset lmargin 7\nset rmargin 2\n", r->bar,
            (int)(r->bar + 0.5) > 1 ? (int)(r->bar + 0.5) : 2);
    char name[8];
    fprintf(f, "set ytics (");
    for (int p = r->lo, first = 1; p <= r->hi; p++) /* every pitch when few, else the naturals */
        if (span <= 16 || !strchr(am_pitch_name(p, 0, name, sizeof name), '#')) {
            fprintf(f, "%s'%s' %d", first ? "" : ", ", am_pitch_name(p, 0, name, sizeof name), p);
            first = 0;
        }
    fprintf(f, ")\n");
    for (int p = r->lo, o = 1; p <= r->hi; p++) /* black keys shaded */
        if (strchr(am_pitch_name(p, 0, name, sizeof name), '#'))
            fprintf(f, "set object %d rect from graph 0, first %g to graph 1, first %g behind fc rgb '#eeeeee' fs solid 1.0 noborder\n",
                    o++, p - 0.5, p + 0.5);
    for (size_t k = 0; k < r->count; k++) {
        char t[300];
        const char *label = r->labels && r->labels[k] ? r->labels[k] : "";
        if (k + 1 < r->count)
            snprintf(t, sizeof t, "%s: %zu of %zu steps differ (red)", label, r->wrong[k], r->span[k]);
        else
            snprintf(t, sizeof t, "%s", label);
        fprintf(f, "set title ");
        am__gp_quote(f, t);
        fprintf(f, "\nset xlabel '%s'\nplot ", k + 1 == r->count ? "beats (quarter notes)" : "");
        if (k + 1 < r->count) {
            am__gp_quote(f, r->dat);
            fprintf(f, " index %zu using 1:2:3:(0.45) with boxxyerror fs empty lc rgb '#909090' lw 1.5, ", r->count - 1);
        }
        am__gp_quote(f, r->dat);
        fprintf(f, " index %zu using 1:2:3:(0.4):4 with boxxyerror lc rgb variable\n", k);
    }
    fprintf(f, "unset multiplot\n");
}

/* Pitch range and length over every roll; 0, or -1 when a roll fails its check. */
static int roll_extent(const am_run *run, const am_melody *const *rolls, size_t count, int *lo, int *hi, uint32_t *ticks)
{
    *lo = 128, *hi = -1, *ticks = 0;
    char why[200];
    for (size_t k = 0; k < count; k++) {
        if (!rolls[k] || am_melody_check(rolls[k], why, sizeof why)) {
            am_run_error(run, "piano roll: melody %zu: %s", k, rolls[k] ? why : "missing");
            return -1;
        }
        for (size_t i = 0; i < rolls[k]->count; i++)
            if (rolls[k]->notes[i].pitch != AM_REST) {
                *lo = rolls[k]->notes[i].pitch < *lo ? rolls[k]->notes[i].pitch : *lo;
                *hi = rolls[k]->notes[i].pitch > *hi ? rolls[k]->notes[i].pitch : *hi;
            }
        uint32_t t = am_melody_ticks(rolls[k]);
        *ticks = t > *ticks ? t : *ticks;
    }
    if (*hi < 0) /* no notes anywhere: an octave around middle C */
        *lo = 60, *hi = 71;
    return 0;
}

/* The roll data (one block per roll) into dat, and the differing steps of each roll. */
static int write_roll_data(const am_run *run, const char *dat, const am_melody *const *rolls, size_t count,
                           uint32_t step, size_t steps, size_t *wrong, size_t *span)
{
    int32_t *pitch = malloc(2 * (steps ? steps : 1) * sizeof *pitch);
    unsigned char *onset = malloc(2 * (steps ? steps : 1));
    am__out o;
    if (!pitch || !onset) {
        free(pitch);
        free(onset);
        am_run_error(run, "piano roll: out of memory");
        return -1;
    }
    int32_t *ref = pitch + steps;
    unsigned char *ron = onset + steps;
    am_melody_grid(rolls[count - 1], step, steps, ref, ron);
    int rc = am__figure_out_open(run, &o, dat);
    for (size_t k = 0; !rc && k < count; k++)
        panel_data(o.f, rolls[k], step, steps, k + 1 < count ? ref : NULL, ron, pitch, onset, &wrong[k],
                   &span[k]);
    if (!rc)
        rc = am__figure_out_commit(run, &o, dat);
    free(pitch);
    free(onset);
    return rc ? -1 : 0;
}

int am_image_pianoroll(const am_run *run, const char *prefix, const am_melody *const *rolls,
                       const char *const *labels, size_t count, uint32_t step, const char *title)
{
    char dat[4300], gp[4300], png[4096];
    if (!prefix || !*prefix || am__gp_has_control(prefix) || !rolls || count < 1 || count > 8) {
        am_run_error(run, "piano roll: a prefix without control characters and 1 to 8 melodies");
        return -1;
    }
    if (snprintf(png, sizeof png, "%s.png", prefix) >= (int)sizeof png) {
        am_run_error(run, "piano roll prefix too long");
        return -1;
    }
    step = step ? step : AM_MELODY_TPQ / 2;
    int lo, hi;
    uint32_t ticks;
    if (roll_extent(run, rolls, count, &lo, &hi, &ticks))
        return -1;
    size_t steps = ticks / step + (ticks % step != 0), wrong[8], span[8];
    if (steps > ((size_t)1 << 24)) {
        am_run_error(run, "piano roll: %zu steps of %u ticks is too long to draw", steps, (unsigned)step);
        return -1;
    }
    /* data and script in a scratch directory removed afterwards (kept in AM_FIGURE_DATA when it is set) */
    am__fig_dir d;
    if (am__fig_dir_open(run, &d))
        return -1;
    int rc = am__fig_dir_path(run, &d, prefix, ".dat", dat, sizeof dat) ||
             am__fig_dir_path(run, &d, prefix, ".gp", gp, sizeof gp) ||
             write_roll_data(run, dat, rolls, count, step, steps, wrong, span) ? -1 : 0;
    const am_melody *ref = rolls[count - 1];
    double bar = ref->meter_num && ref->meter_den ? 4.0 * ref->meter_num / ref->meter_den : 4;
    roll_script r = {png, dat, title, labels, rolls, count, wrong, span, steps, lo, hi, (double)ticks / AM_MELODY_TPQ, bar};
    am__out o;
    if (!rc && d.keep) { /* the script kept beside the data, to redraw the figure by hand */
        if (am__figure_out_open(run, &o, gp))
            rc = -1;
        else {
            write_roll(o.f, &r);
            rc = am__figure_out_commit(run, &o, gp) ? -1 : 0;
        }
    }
    r.png = NULL;
    if (!rc)
        rc = am__gnuplot_to_file(run, png, &r.png, write_roll, &r, d.keep ? dat : NULL);
    am__fig_dir_close(&d);
    return rc;
}
