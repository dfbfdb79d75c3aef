/* hopfield-demo — watch a memory being recalled: store letters, checkerboards, random or hand-drawn
 * patterns in any store, corrupt a cue, and follow the recall unit by unit in the terminal (Unicode
 * half-blocks, overlaps and energy updating), as a TSV of every frame, and as an animated GIF. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "am/am.h"
#include "harness/harness.h"

static const char desc[] =
    "Patterns (--patterns): letters (--letters TEXT, A-Z), checkerboard (cells of 1, 1, 2, 2, ... units\n"
    "in both phases), lshapes (one L shifted across the grid), random (--count), or a text FILE of '#'\n"
    "(on) and '.' (off) rows, one pattern per block of rows, blocks parted by blank lines, every block\n"
    "the same size. The cue is pattern --cue with --flip of its units flipped. A frame is drawn at the\n"
    "cue, every --every unit updates and after every sweep. Frames go to standard output (redrawn in\n"
    "place on a terminal, --delay ms apart; one after another otherwise), also when --out FILE writes\n"
    "them as TSV (frame sweep updates unit energy, then overlap_NAME with every stored pattern, NAME its\n"
    "letter, else its number); --gif FILE as an animated GIF (the target beside the state, the last frame\n"
    "held 3 s) and --frames PREFIX as PNG files PREFIX-0000.png, ... (gnuplot). --plots PREFIX draws\n"
    "the energy and the overlaps against unit updates (PREFIX-energy.png, PREFIX-overlap-time.png), the\n"
    "overlap matrix of the stored patterns (PREFIX-overlaps.png) and, for the hopfield model, the weight\n"
    "matrix (PREFIX-weights.png). --quiet draws no frames on standard output (the files only).\n"
    "Try: hopfield-demo --letters ABCD  (the classical store mixes correlated letters) and\n"
    "     hopfield-demo --letters ABCD --model dense --degree 3  (the dense store recalls them).\n";

static const char examples[] =
    "hopfield-demo --letters ABCD\n"
    "hopfield-demo --letters ABCD --model dense --degree 3\n"
    "hopfield-demo --patterns checkerboard --count 6 --size 12x12 --flip 0.3 --gif board.gif\n"
    "hopfield-demo --letters HELLO --plots hello --frames hello --out hello.tsv --quiet\n"
    "hopfield-demo --patterns mine.txt --model dense --degree 4 --cue 1";

typedef struct {
    size_t w, h, n, count;
    am_patterns *pats;
    const char *letters; /* the letters stored (--patterns letters), else NULL */
} patset;

/* The name of stored pattern k: its letter, else its number. */
static void pattern_name(const patset *ps, size_t k, char *buf, size_t size)
{
    if (ps->letters)
        snprintf(buf, size, "%c", toupper((unsigned char)ps->letters[k]));
    else
        snprintf(buf, size, "%zu", k);
}

/* Blocks of '#'/'.' rows from a text file (am_patterns_read_text). */
static int read_drawn(const am_run *run, const char *path, patset *ps)
{
    char why[256];
    int rc = am_patterns_read_text(&ps->pats, &ps->w, &ps->h, path, why, sizeof why);
    if (rc) {
        am_run_error(run, "--patterns %s: %s", path, why[0] ? why : am_strerror(rc));
        return -1;
    }
    ps->n = ps->w * ps->h, ps->count = ps->pats->count;
    return 0;
}

typedef struct {
    const am_store *s;
    const patset *ps;
    size_t w, h, n, count, every;
    int live;          /* redraw in place on a terminal */
    int delay_ms;
    int quiet_frames;  /* no frames on standard output */
    size_t lines_up;   /* lines of the frame on screen */
    /* every frame, for the TSV and the GIF */
    size_t frames, cap;
    float *img;        /* frames x n in [0, 1] */
    double *meta;      /* frames x (4 + count): sweep updates unit energy overlaps */
    int8_t *st;
    int oom;
} demo;

/* A frame as half-blocks: two rows of units per line of text. */
static void render(demo *d, const int8_t *st, const double *meta)
{
    if (d->quiet_frames)
        return;
    if (d->live && d->lines_up)
        printf("\033[%zuA", d->lines_up);
    size_t lines = 0;
    const char *eol = d->live ? "\033[K\n" : "\n"; /* on a terminal: clear what the last frame left */
    printf("sweep %-4.0f updates %-7.0f energy %-12.4f%s", meta[0], meta[1], meta[3], eol);
    lines++;
    printf("overlaps:");
    for (size_t mu = 0; mu < d->count && mu < 12; mu++) {
        char name[8];
        pattern_name(d->ps, mu, name, sizeof name);
        printf(d->ps->letters ? "  %s %+.2f" : " %.0s%+.2f", name, meta[4 + mu]);
    }
    printf("%s%s", d->count > 12 ? " ..." : "", eol);
    lines++;
    for (size_t r = 0; r < d->h; r += 2) {
        for (size_t c = 0; c < d->w; c++) {
            int top = st[r * d->w + c] > 0, bot = r + 1 < d->h && st[(r + 1) * d->w + c] > 0;
            fputs(top && bot ? "\u2588" : top ? "\u2580" : bot ? "\u2584" : " ", stdout);
        }
        printf("|\n");
        lines++;
    }
    if (!d->live)
        putchar('\n');
    fflush(stdout);
    d->lines_up = lines;
    if (d->live && d->delay_ms > 0) {
        struct timespec ts = {d->delay_ms / 1000, (long)(d->delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static void on_event(const am_recall_event *ev, void *ctx)
{
    demo *d = ctx;
    for (size_t i = 0; i < d->n; i++)
        d->st[i] = ev->state ? ev->state[i] : (ev->x[i] > 0 ? 1 : -1);
    if (d->frames == d->cap) {
        size_t nc = d->cap ? 2 * d->cap : 64;
        float *ni = realloc(d->img, nc * d->n * sizeof *ni);
        if (ni)
            d->img = ni;
        double *nm = realloc(d->meta, nc * (4 + d->count) * sizeof *nm);
        if (nm)
            d->meta = nm;
        if (!ni || !nm || nc > 100000) {
            d->oom = 1;
            return;
        }
        d->cap = nc;
    }
    float *img = d->img + d->frames * d->n;
    double *m = d->meta + d->frames * (4 + d->count);
    for (size_t i = 0; i < d->n; i++)
        img[i] = d->st[i] > 0 ? 1.0f : 0.0f;
    m[0] = ev->sweep;
    m[1] = (double)ev->updates;
    m[2] = ev->unit == SIZE_MAX ? -1.0 : (double)ev->unit;
    m[3] = ev->energy;
    am_store_overlaps(d->s, ev->state, ev->state ? NULL : ev->x, m + 4);
    d->frames++;
    render(d, d->st, m);
}

/* A title for every frame (the cue; then sweep, updates, energy, overlap with the cued pattern), short enough
 * for the figure at any energy; NULL without memory. */
static char **frame_titles(const demo *d, size_t cue, double flip)
{
    char **titles = calloc(d->frames ? d->frames : 1, sizeof *titles), name[24];
    pattern_name(d->ps, cue, name, sizeof name);
    for (size_t k = 0; titles && k < d->frames; k++) {
        const double *m = d->meta + k * (4 + d->count);
        if (!(titles[k] = malloc(96)))
            continue;
        if (k == 0)
            snprintf(titles[k], 96, "the cue: %s%s with %.0f%% of its units flipped; energy %.5g",
                     d->ps->letters ? "" : "pattern ", name, 100 * flip, m[3]);
        else
            snprintf(titles[k], 96, "sweep %.0f, %.0f updates: energy %.5g, overlap with %s%s %+.2f", m[0], m[1], m[3],
                     d->ps->letters ? "" : "pattern ", name, m[4 + cue]);
    }
    return titles;
}

static void titles_free(char **titles, size_t count)
{
    for (size_t k = 0; titles && k < count; k++)
        free(titles[k]);
    free(titles);
}

/* Energy and overlaps against unit updates, one point per frame. */
static int draw_time(const am_run *run, const char *prefix, const demo *d)
{
    size_t len = strlen(prefix) + 20, shown = d->count < 64 ? d->count : 64;
    double *x = malloc(d->frames * sizeof *x), *e = malloc(d->frames * sizeof *e);
    double *m = malloc(d->frames * (shown ? shown : 1) * sizeof *m);
    char *name = malloc(len), **labels = calloc(shown ? shown : 1, sizeof *labels);
    int rc = -1;
    if (!x || !e || !m || !name || !labels) {
        am_run_error(run, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < d->frames; k++) {
        const double *meta = d->meta + k * (4 + d->count);
        x[k] = meta[1], e[k] = meta[3];
        for (size_t mu = 0; mu < shown; mu++)
            m[k * shown + mu] = meta[4 + mu];
    }
    for (size_t mu = 0; mu < shown; mu++)
        if ((labels[mu] = malloc(32))) {
            char name[24];
            pattern_name(d->ps, mu, name, sizeof name);
            snprintf(labels[mu], 32, "%s%s", d->ps->letters ? "" : "pattern ", name);
        }
    const char *const elab[] = {"energy"};
    snprintf(name, len, "%s-energy", prefix);
    if (am_image_lines(run, name, x, e, d->frames, 1, elab, "energy during the recall", "unit updates", "energy"))
        goto done;
    snprintf(name, len, "%s-overlap-time", prefix);
    if (am_image_lines(run, name, x, m, d->frames, shown, (const char *const *)labels,
                       "overlap with each stored pattern", "unit updates", "overlap"))
        goto done;
    rc = 0;
done:
    for (size_t mu = 0; labels && mu < shown; mu++)
        free(labels[mu]);
    free(labels), free(name), free(x), free(e), free(m);
    return rc;
}

/* The overlap matrix of the stored patterns and (hopfield) the weight matrix, through gnuplot. */
static int draw_matrices(const am_run *run, const char *prefix, am_store *s, const patset *ps)
{
    const am_patterns *p = ps->pats;
    size_t P = p->count, n = p->n, len = strlen(prefix) + 16;
    double *ov = malloc(P * P * sizeof *ov);
    char *name = malloc(len), **labels = calloc(P, sizeof *labels);
    int rc = -1;
    if (!ov || !name || !labels) {
        am_run_error(run, "out of memory");
        goto done;
    }
    for (size_t a = 0; a < P; a++) {
        for (size_t b = 0; b < P; b++)
            ov[a * P + b] = am_patterns_overlap(p, a, p, b);
        if ((labels[a] = malloc(24)))
            pattern_name(ps, a, labels[a], 24);
    }
    snprintf(name, len, "%s-overlaps", prefix);
    char title[96];
    snprintf(title, sizeof title, "overlaps of the %zu stored patterns (1/N) xi^a . xi^b", P);
    if (am_image_matrix(run, name, ov, P, P, -1, 1, (const char *const *)labels, title, "pattern", "pattern"))
        goto done;
    float *w = malloc(n * n * sizeof *w);
    int wrc = w ? am_store_weights(s, w) : AM_ENOMEM;
    if (wrc == AM_EUNSUPPORTED) { /* a store without a weight matrix: no weights figure */
        free(w);
    } else {
        double *wd = malloc(n * n * sizeof *wd), big = 0;
        if (wrc || !wd) {
            free(w), free(wd);
            am_run_error(run, "the weights: %s", am_strerror(wrc ? wrc : AM_ENOMEM));
            goto done;
        }
        for (size_t k = 0; k < n * n; k++) {
            wd[k] = w[k];
            big = fabs(wd[k]) > big ? fabs(wd[k]) : big;
        }
        snprintf(name, len, "%s-weights", prefix);
        am_store_config sc;
        char rule[32];
        am_store_config_of(s, &sc);
        am_store_config_label(&sc, rule, sizeof rule);
        snprintf(title, sizeof title, "weights W_ij (%s rule, %zu patterns)", rule, P);
        int g = am_image_matrix(run, name, wd, n, n, -(big > 0 ? big : 1), big > 0 ? big : 1, NULL, title, "unit j",
                                "unit i");
        free(w), free(wd);
        if (g)
            goto done;
    }
    rc = 0;
done:
    for (size_t a = 0; labels && a < P; a++)
        free(labels[a]);
    free(labels), free(name), free(ov);
    return rc;
}

/* The recall as an animated GIF (gif) and as PNG frames (frames_p), either may be NULL: the target beside the
 * state, each frame titled, the GIF's last frame held 3 s. 0, or -1 with the reason printed. */
static int draw_frames(const am_run *run, const char *gif, const char *frames_p, const demo *d, size_t cue, double flip)
{
    char **titles = frame_titles(d, cue, flip), name[24], label[40];
    float *target = malloc(d->n * sizeof *target);
    int8_t *t = malloc(d->n);
    int rc = -1;
    if (!titles || !target || !t) {
        am_run_error(run, "out of memory");
        goto done;
    }
    am_patterns_get(d->ps->pats, cue, t);
    for (size_t i = 0; i < d->n; i++)
        target[i] = t[i] > 0 ? 1.0f : 0.0f;
    pattern_name(d->ps, cue, name, sizeof name);
    snprintf(label, sizeof label, "target: %s%s", d->ps->letters ? "" : "pattern ", name);
    am_image_anim a = {target, label, "the network's state", 300};
    if (gif && am_image_gif(run, gif, d->img, d->frames, d->h, d->w, (const char *const *)titles, 8, &a))
        goto done;
    if (frames_p && am_image_frames(run, frames_p, d->img, d->frames, d->h, d->w, (const char *const *)titles, &a))
        goto done;
    rc = 0;
done:
    titles_free(titles, d->frames);
    free(target), free(t);
    return rc;
}

int main(int argc, char **argv)
{
    static const char *const sentinel = "(frames on standard output)";
    am_run run = {.program = "hopfield-demo",
                  .summary = "Watch a memory being recalled: letters, checkerboards, random or drawn patterns.",
                  .description = desc,
                  .examples = examples,
                  .seed = 1,
                  .no_threads = 1,
                  .out = sentinel};
    const char *pat_s = "letters", *letters = "ABCD", *size_s = "10x10",
               *dyn_s = "async", *gif = NULL, *frames_p = NULL, *plots = NULL;
    int cue = 0, count = 4, max_steps = 20, delay = -1, every = 0;
    double flip = 0.25;
    static am_store_opts so;
    am_opt opts[48] = {
        {"patterns", AM_OPT_STRING, &pat_s, "KIND|FILE", "letters, checkerboard, lshapes, random, or a file of '#'/'.' rows"},
        {"letters", AM_OPT_STRING, &letters, "TEXT", "the letters to store (A-Z)", "letters", 0},
        {"count", AM_OPT_INT, &count, "P", "patterns to store", "checkerboard,lshapes,random", 0},
        {"size", AM_OPT_STRING, &size_s, "HxW", "grid: rows x columns (letters need 7x5 or more)", "letters,checkerboard,lshapes,random", 0},
        {"cue", AM_OPT_INT, &cue, "K", "which pattern to cue (0 = the first)"},
        {"flip", AM_OPT_DOUBLE, &flip, "F", "fraction of the cue's units flipped"},
        {"dynamics", AM_OPT_STRING, &dyn_s, "D", "async or sync"},
        {"every", AM_OPT_INT, &every, "K", "a frame every K unit updates (default: one row of the grid; async)"},
        {"max-steps", AM_OPT_INT, &max_steps, "S", "sweep limit"},
        {"delay", AM_OPT_INT, &delay, "MS", "pause between frames on a terminal (default 40; 0 when not a terminal)"},
        {"gif", AM_OPT_OUTPUT, &gif, "FILE", "an animated GIF of the recall (gnuplot; - for standard output)"},
        {"frames", AM_OPT_STRING, &frames_p, "PREFIX", "every frame as PREFIX-0000.png, ..."},
        {"plots", AM_OPT_STRING, &plots, "PREFIX", "figures PREFIX-energy.png, -overlap-time.png, -overlaps.png, -weights.png"},
        {NULL, 0, NULL, NULL, NULL},
    };
    static const char *const defaults[] = {"beta", "8", NULL};
    int rc = am_store_opts_parse(&run, &so, "hopfield", 0, AM_STORE_SEQUENCE, 0, defaults,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */
    int file = strcmp(pat_s, "letters") && strcmp(pat_s, "checkerboard") && strcmp(pat_s, "lshapes") &&
               strcmp(pat_s, "random");
    char what[96];
    snprintf(what, sizeof what, "with --patterns %s", file ? "FILE" : pat_s);
    const am_store_type *type = am_store_opts_type(&run, &so, opts, file ? "file" : pat_s, what);
    if (!type)
        return 2;
    am_store_config cfg;
    am_dynamics dyn;
    if (am_dynamics_parse(dyn_s, &dyn) || dyn == AM_DYN_GLAUBER) {
        am_run_error(&run, "--dynamics: %s is not async or sync", AM__QUOTE(dyn_s));
        return 2;
    }
    if (!(flip >= 0 && flip <= 1) || cue < 0 || max_steps < 1 || max_steps > 10000 || every < 0 || delay < -1 || delay > 10000 ||
        count < 1 || count > 1000) {
        am_run_error(&run, "out of range: --flip [0, 1], --cue >= 0, --max-steps 1 .. 10000, --every >= 0, --delay 0 .. "
                           "10000, --count 1 .. 1000");
        return 2;
    }
    patset ps = {0};
    am_rng rng;
    am_rng_init(&rng, run.seed, 0);
    if (file) {
        if (read_drawn(&run, pat_s, &ps))
            return 2;
    } else {
        unsigned long w, h;
        if (am_parse_shape(size_s, &h, &w) || w < 2 || h < 2 || w > 200 || h > 200) {
            am_run_error(&run, "--size: %s is not HxW (rows x columns) with 2 .. 200 each", AM__QUOTE(size_s));
            return 2;
        }
        ps.w = w, ps.h = h, ps.n = w * h;
        ps.count = !strcmp(pat_s, "letters") ? strlen(letters) : (size_t)count;
        ps.letters = !strcmp(pat_s, "letters") ? letters : NULL;
        if (!strcmp(pat_s, "letters") && (w < 5 || h < 7 || !ps.count || ps.count > 26)) {
            am_run_error(&run, "--patterns letters: 1 to 26 letters on a grid of at least 7x5 (rows x columns)");
            return 2;
        }
        if (!strcmp(pat_s, "checkerboard") && ps.count > 2 * (w < h ? w : h)) {
            am_run_error(&run, "--patterns checkerboard: at most %lu on a %lux%lu grid", 2 * (w < h ? w : h), h, w);
            return 2;
        }
        if (!strcmp(pat_s, "lshapes") && ps.count > am_patterns_lshapes_max(w, h)) {
            am_run_error(&run, "--patterns lshapes: at most %zu on a %lux%lu grid", am_patterns_lshapes_max(w, h), h, w);
            return 2;
        }
        if (am_patterns_create(&ps.pats, ps.n, ps.count)) {
            am_run_error(&run, "out of memory");
            return 1;
        }
        if (!strcmp(pat_s, "letters"))
            rc = am_patterns_letters(ps.pats, w, h, letters);
        else if (!strcmp(pat_s, "random"))
            am_patterns_random(ps.pats, &rng);
        else if (!strcmp(pat_s, "lshapes"))
            rc = am_patterns_lshapes(ps.pats, w, h);
        else
            rc = am_patterns_checkerboards(ps.pats, w, h);
        if (rc) {
            am_run_error(&run, "--letters %s: letters A-Z only", AM__QUOTE(letters));
            am_patterns_free(ps.pats);
            return 2;
        }
    }
    if ((size_t)cue >= ps.count) {
        am_run_error(&run, "--cue %d: there are %zu patterns (0 .. %zu)", cue, ps.count, ps.count - 1);
        am_patterns_free(ps.pats);
        return 2;
    }
    if (am_store_opts_configs(&run, &so, type, ps.n, &cfg, 1) != 1) {
        am_patterns_free(ps.pats);
        return 2;
    }
    am_store *s = NULL;
    if ((rc = am_store_create(&s, &cfg)) || (rc = am_store_add(s, ps.pats))) {
        am_run_error(&run, "the store: %s", am_strerror(rc));
        am_store_free(s);
        am_patterns_free(ps.pats);
        return 1;
    }
    int tsv = run.out != sentinel, tsv_stdout = tsv && (!strcmp(run.out, "-") || !strcmp(run.out, "/dev/stdout"));
    demo d = {.s = s, .ps = &ps, .w = ps.w, .h = ps.h, .n = ps.n, .count = ps.count};
    d.every = every ? (size_t)every : ps.w;
    d.live = isatty(1) && !tsv_stdout; /* a TSV in a file leaves the terminal to the frames */
    d.delay_ms = delay >= 0 ? delay : d.live ? 40 : 0;
    d.quiet_frames = tsv_stdout || run.quiet; /* --quiet: files only */
    d.st = malloc(ps.n);
    int8_t *state = malloc(ps.n);
    FILE *out = NULL;
    if (!d.st || !state) {
        am_run_error(&run, "out of memory");
        rc = 1;
        goto done;
    }
    if (tsv && !(out = am_run_open(&run))) {
        rc = 1;
        goto done;
    }
    am_patterns_get(ps.pats, (size_t)cue, state);
    am_state_flip_frac(state, ps.n, flip, &rng);
    char descr[96];
    am_store_config_describe(&cfg, descr, sizeof descr);
    if (!d.quiet_frames)
        printf("%s: %zu patterns of %zux%zu, cue %d with %.0f%% flipped\n", descr, ps.count, ps.h, ps.w, cue, 100 * flip);
    am_recall_opts o;
    am_recall_opts_default(&o);
    o.dynamics = dyn;
    o.max_steps = (unsigned)max_steps;
    o.monitor = on_event;
    o.monitor_ctx = &d;
    o.monitor_every = dyn == AM_DYN_ASYNC ? (unsigned)d.every : 0;
    am_recall_info info;
    if ((rc = am_store_recall(s, state, &o, &rng, NULL, &info)) || d.oom) {
        am_run_error(&run, "recall: %s", d.oom ? "too many frames (use a larger --every)" : am_strerror(rc));
        rc = 1;
        goto done;
    }
    int8_t *target = d.st;
    am_patterns_get(ps.pats, (size_t)cue, target);
    double ov = am_state_overlap(state, target, ps.n);
    if (!d.quiet_frames)
        printf("%s after %u sweeps: overlap %.3f with the cued pattern: %s\n", am_end_name(info.end), info.steps, ov,
               ov == 1.0 ? "recalled" : "not recalled");
    if (out) {
        fprintf(out, "# %s; %zu patterns of %zux%zu; cue %d, %.0f%% flipped; %s after %u sweeps, overlap %.4f\n", descr, ps.count,
                ps.h, ps.w, cue, 100 * flip, am_end_name(info.end), info.steps, ov);
        fprintf(out, "frame\tsweep\tupdates\tunit\tenergy");
        for (size_t mu = 0; mu < ps.count; mu++) {
            char name[24];
            pattern_name(&ps, mu, name, sizeof name);
            fprintf(out, "\toverlap_%s", name);
        }
        fputc('\n', out);
        for (size_t k = 0; k < d.frames; k++) {
            const double *m = d.meta + k * (4 + d.count);
            fprintf(out, "%zu\t%.0f\t%.0f\t%.0f\t%.6f", k, m[0], m[1], m[2], m[3]);
            for (size_t mu = 0; mu < ps.count; mu++)
                fprintf(out, "\t%.4f", m[4 + mu]);
            fputc('\n', out);
        }
    }
    if ((gif || frames_p) && draw_frames(&run, gif, frames_p, &d, (size_t)cue, flip)) {
        rc = 1;
        goto done;
    }
    if (plots && (draw_matrices(&run, plots, s, &ps) || draw_time(&run, plots, &d))) {
        rc = 1;
        goto done;
    }
    rc = 0;
done:
    if (out) {
        if (rc)
            am_run_abort(&run, out);
        else if (am_run_close(&run, out))
            rc = 1;
    }
    free(d.st);
    free(d.img);
    free(d.meta);
    free(state);
    am_store_free(s);
    am_patterns_free(ps.pats);
    return rc;
}
