/* Image grids drawn by gnuplot: cue | recalled | original panels for papers and teaching.
 *
 * gnuplot is started with fork/execvp and reads its script from a pipe: no shell ever sees a user's text.
 * Paths and titles reach gnuplot inside single-quoted strings, where only a doubled quote is special;
 * control characters (which would end a gnuplot command) are refused in paths and blanked in titles. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/io.h"
#include "am/error.h"
#include "harness.h"
#include "internal.h"

/* s as a gnuplot single-quoted string. */
static void gp_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '\'')
            fputs("''", f);
        else if (ch < 0x20 || ch == 0x7f)
            fputc(' ', f);
        else
            fputc(ch, f);
    }
    fputc('\'', f);
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* The drawing commands, with the image written to png and the data read from dat. */
static void write_script(FILE *f, const char *png, const char *dat, size_t W, size_t H, size_t w,
                         size_t grid_cols, const char *const *col_titles, const char *title)
{
    size_t px = W * 3 < 300 ? 300 : W * 3, py = H * 3 + 60, tw = title ? 7 * strlen(title) + 30 : 0;
    px = px < tw ? tw : px; /* room for the whole title (about 7 pixels a character at 10 points) */
    fprintf(f, "set terminal pngcairo size %zu,%zu font 'sans,10' noenhanced\nset output ", px, py);
    gp_quote(f, png);
    fprintf(f, "\nunset key\nunset colorbox\nunset border\nunset tics\nset palette gray\nset cbrange [0:1]\n");
    fprintf(f, "set size ratio -1\nset lmargin 0\nset rmargin 0\nset bmargin 0\nset tmargin 3\n");
    fprintf(f, "set xrange [-0.5:%zu]\nset yrange [-0.5:%zu]\n", W - 1, H - 1);
    if (title) {
        fprintf(f, "set title ");
        gp_quote(f, title);
        fprintf(f, " offset 0,1 noenhanced\n");
    }
    for (size_t c = 0; col_titles && c < grid_cols; c++)
        if (col_titles[c]) {
            fprintf(f, "set label ");
            gp_quote(f, col_titles[c]);
            fprintf(f, " at %zu,%zu center front font 'sans,8' noenhanced\n", c * (w + 1) + 1 + w / 2, H + 2);
        }
    fprintf(f, "plot ");
    gp_quote(f, dat);
    fprintf(f, " matrix with image\n");
}

/* Run gnuplot with a script on its standard input, written by write(f, ctx). 0 when it exits with status 0,
 * 127 when gnuplot could not be started, else -1. */
static int gnuplot_pipe(void (*write)(FILE *f, void *ctx), void *ctx, int quiet)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[0], 0);
        close(fds[0]);
        close(fds[1]);
        if (quiet) { /* gnuplot's own chatter ("7 frames in animation sequence"); failures show in its status */
            int dn = open("/dev/null", O_WRONLY);
            if (dn >= 0) {
                dup2(dn, 1);
                dup2(dn, 2);
                close(dn);
            }
        }
        char *const argv[] = {"gnuplot", NULL};
        execvp("gnuplot", argv);
        _exit(127);
    }
    close(fds[0]);
    /* A gnuplot that dies early must not kill us with SIGPIPE. */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    FILE *f = fdopen(fds[1], "w");
    if (f) {
        write(f, ctx);
        fclose(f);
    } else {
        close(fds[1]);
    }
    signal(SIGPIPE, old);
    int wst;
    while (waitpid(pid, &wst, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(wst) && WEXITSTATUS(wst) == 0 ? 0 : WIFEXITED(wst) && WEXITSTATUS(wst) == 127 ? 127 : -1;
}

/* Did gnuplot write a whole figure into path? gnuplot does not report failed writes (a full disk gives a cut
 * file and exit status 0), so the file's end is checked: a PNG ends with its IEND chunk, a GIF with its
 * trailer byte; anything else must at least not be empty. */
static int figure_complete(const char *path)
{
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char png_end[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    unsigned char head[8], tail[12];
    FILE *f = fopen(path, "rb");
    long size = -1;
    int ok = 0;
    if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0) {
        rewind(f);
        size_t hn = fread(head, 1, sizeof head, f);
        if (hn == 8 && !memcmp(head, png_sig, 8))
            ok = size >= 20 && fseek(f, -12, SEEK_END) == 0 && fread(tail, 1, 12, f) == 12 && !memcmp(tail, png_end, 12);
        else if (hn >= 4 && !memcmp(head, "GIF8", 4))
            ok = fseek(f, -1, SEEK_END) == 0 && fread(tail, 1, 1, f) == 1 && tail[0] == 0x3b;
        else
            ok = 1;
    }
    if (f)
        fclose(f);
    return ok;
}

/* Copy the file src to the open descriptor out, checking every write. AM_OK or the failing call's status (errno
 * kept). */
static int copy_to_fd(const char *src, int out)
{
    int in = open(src, O_RDONLY | O_CLOEXEC), rc = in < 0 ? am__errno_status() : AM_OK;
    char buf[65536];
    ssize_t n = 0;
    void (*old)(int) = signal(SIGPIPE, SIG_IGN); /* a closed pipe is an error here (EPIPE), not our death */
    while (!rc && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        for (ssize_t off = 0, w; !rc && n > 0 && off < n; off += w > 0 ? w : 0)
            if ((w = write(out, buf + off, (size_t)(n - off))) < 0 && errno != EINTR)
                rc = am__errno_status();
        if (n < 0)
            rc = am__errno_status();
    }
    if (in >= 0)
        close(in);
    signal(SIGPIPE, old);
    return rc;
}

/* The same into dst, a device or pipe (/dev/full), or standard output for "-". */
static int copy_to_device(const char *src, const char *dst)
{
    if (!strcmp(dst, "-"))
        return copy_to_fd(src, 1);
    int out = open(dst, O_WRONLY | O_CLOEXEC), rc = out < 0 ? am__errno_status() : copy_to_fd(src, out);
    if (out >= 0 && close(out) != 0 && !rc)
        rc = am__errno_status();
    return rc;
}

/* A private scratch directory (TMPDIR or /tmp) in dir (size bytes), for what a figure written to a device needs
 * on disk; 0, or -1 with the reason printed. Remove it with scratch_remove. */
static int scratch_make(const am_run *run, char *dir, size_t size)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, size, "%s/am-figure-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) {
        am_run_error(run, "cannot make a scratch directory in %s: %s", t && *t ? t : "/tmp", strerror(errno));
        return -1;
    }
    return 0;
}

static void scratch_remove(const char *dir, const char *const *names, size_t n)
{
    char p[4300];
    for (size_t k = 0; k < n; k++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[k]);
        unlink(p);
    }
    rmdir(dir);
}

/* Run a gnuplot script (written by write from script) whose output is `path`, atomically: *target (the
 * script's output field) is pointed at a temporary beside path, checked whole (figure_complete), given to
 * finish(file, script) when finish is not NULL (0, or -1 with the reason printed) and renamed over path when
 * gnuplot succeeds. A device or pipe (/dev/full), and standard output ("-", /dev/stdout), get the
 * figure drawn into a scratch file first and copied with every write checked. 0, or -1 with the reason printed
 * (dat: where the figure's data stay, named in the message; NULL: they do not stay). */
static int gnuplot_to_file(const am_run *run, const char *path, const char **target, void (*write)(FILE *, void *),
                           void *script, const char *dat, int (*finish)(const am_run *, const char *, void *))
{
    char *tmp = NULL, *final = NULL, scratch[4200], drawn[4300];
    int rc, to_stdout = !strcmp(path, "-") || !strcmp(path, "/dev/stdout");
    if (!to_stdout && (rc = am__tmp_reserve(path, &tmp, &final, NULL))) {
        am_run_error(run, "cannot write '%s': %s", path, am_strerror(rc));
        return -1;
    }
    if (!tmp && scratch_make(run, scratch, sizeof scratch)) {
        am__tmp_discard(tmp, final);
        return -1;
    }
    if (!tmp)
        snprintf(drawn, sizeof drawn, "%s/figure", scratch);
    *target = tmp ? tmp : drawn;
    rc = gnuplot_pipe(write, script, 1);
    int whole = !rc && figure_complete(*target);
    if (whole && finish && finish(run, *target, script))
        rc = -2; /* reason printed */
    else if (whole && !tmp && (rc = copy_to_device(drawn, to_stdout ? "-" : final)))
        am_run_error(run, "writing '%s' failed: %s", path, am_strerror(rc));
    else if ((rc || !whole) && rc != -2)
        am_run_error(run, "%s%s%s%s",
                     rc == 127 ? "gnuplot is not installed (Debian: gnuplot-nox)"
                     : rc      ? "gnuplot failed"
                               : "gnuplot wrote an incomplete figure (is the disk full?)",
                     dat ? "; the data are in '" : "", dat ? dat : "", dat ? "'" : "");
    if (!tmp)
        scratch_remove(scratch, (const char *[]){"figure"}, 1);
    if (rc || !whole || !tmp) {
        am__tmp_discard(tmp, final);
        return rc || !whole ? -1 : 0;
    }
    if ((rc = am__tmp_commit(tmp, final))) {
        am_run_error(run, "writing '%s' failed: %s", path, am_strerror(rc));
        return -1;
    }
    return 0;
}

typedef struct {
    const char *png, *dat, *const *col_titles, *title;
    size_t W, H, w, grid_cols;
} grid_script;

static void write_grid(FILE *f, void *ctx)
{
    const grid_script *g = ctx;
    write_script(f, g->png, g->dat, g->W, g->H, g->w, g->grid_cols, g->col_titles, g->title);
}

typedef struct {
    const char *gif, *dat, *const *titles;
    size_t count, h, w;
    int delay;
    const char *png_prefix;   /* PNG frames PREFIX-0000.png ... (each written as NAME.tmp) instead of a GIF */
    const am_image_anim *anim; /* the panel beside the frames, the labels, the hold; may be NULL */
} gif_script;

/* The canvas of an animation: cells of `cell` pixels, every panel and the longest title in view. */
static void anim_canvas(const gif_script *g, size_t cols, size_t *cell, size_t *px, size_t *py)
{
    size_t side = g->h > g->w ? g->h : g->w, title = 0, c = 320 / side;
    *cell = c < 3 ? 3 : c > 32 ? 32 : c;
    for (size_t k = 0; g->titles && k < g->count; k++)
        if (g->titles[k] && strlen(g->titles[k]) > title)
            title = strlen(g->titles[k]);
    *px = cols * *cell + 60, *py = g->h * *cell + 110;
    *px = *px < 7 * title + 40 ? 7 * title + 40 : *px < 360 ? 360 : *px; /* about 7 pixels a character at 10 points */
}

/* A panel's frame and the label above it, in plot coordinates (x0 its first column). */
static void anim_panel(FILE *f, int tag, size_t x0, size_t w, size_t h, const char *label)
{
    fprintf(f, "set object %d rect from %zu-0.5,-0.5 to %zu-0.5,%zu-0.5 front fillstyle empty border lc rgb '#888888' lw 1\n",
            tag, x0, x0 + w, h);
    if (label) {
        fprintf(f, "set label %d ", tag);
        gp_quote(f, label);
        fprintf(f, " at %zu+%zu/2.0-0.5,%zu-0.5 center offset 0,0.9 front noenhanced\n", x0, w, h);
    }
}

static void write_gif(FILE *f, void *ctx)
{
    const gif_script *g = ctx;
    const am_image_anim *a = g->anim;
    int beside = a && a->beside;
    size_t gap = beside ? 2 + g->w / 8 : 0, off = beside ? g->w + gap : 0, cols = off + g->w, cell, px, py;
    anim_canvas(g, cols, &cell, &px, &py);
    if (g->png_prefix)
        fprintf(f, "set terminal pngcairo size %zu,%zu font 'sans,10' noenhanced\n", px, py);
    else {
        fprintf(f, "set terminal gif animate delay %d loop 0 size %zu,%zu font 'sans,10' noenhanced\nset output ",
                g->delay, px, py);
        gp_quote(f, g->gif);
    }
    /* ink dark on white, each panel inside a grey frame: 1 is black */
    fprintf(f, "\nunset key\nunset colorbox\nunset border\nunset tics\nset palette gray negative\n");
    int labelled = a && (a->beside_label || a->frame_label); /* the title goes up a line, above the labels */
    fprintf(f, "set cbrange [0:1]\nset size ratio -1\nset lmargin 2\nset rmargin 2\nset bmargin 1\nset tmargin %d\n",
            labelled ? 5 : 3);
    fprintf(f, "set xrange [-0.5:%zu-0.5]\nset yrange [-0.5:%zu-0.5]\n", cols, g->h);
    if (beside)
        anim_panel(f, 1, 0, g->w, g->h, a->beside_label);
    anim_panel(f, 2, off, g->w, g->h, a ? a->frame_label : NULL);
    for (size_t k = 0; k < g->count; k++) {
        if (g->png_prefix) {
            char name[4200];
            snprintf(name, sizeof name, "%s-%04zu.png.tmp", g->png_prefix, k);
            fprintf(f, "set output ");
            gp_quote(f, name);
            fputc('\n', f);
        }
        fprintf(f, "set title ");
        gp_quote(f, g->titles && g->titles[k] ? g->titles[k] : "");
        fprintf(f, " offset 0,%d noenhanced\nplot ", labelled ? 1 : 0);
        gp_quote(f, g->dat);
        fprintf(f, " index %zu matrix using ($1+%zu):2:3 with image", k, off);
        if (beside) {
            fprintf(f, ", ");
            gp_quote(f, g->dat);
            fprintf(f, " index %zu matrix with image", g->count);
        }
        fputc('\n', f);
    }
}

/* A GIF's blocks from its first (after the colour table) to its trailer: the offset of the last frame's delay
 * (its graphic control extension) in *at, or 0 when it has none. 0, or -1 when the file is not a whole GIF. */
static int gif_last_delay(const unsigned char *b, size_t n, size_t *at)
{
    size_t p = 13;
    *at = 0;
    if (n < 13 || memcmp(b, "GIF8", 4))
        return -1;
    if (b[10] & 0x80)
        p += 3u << ((b[10] & 7) + 1);
    while (p < n && b[p] != 0x3b) {
        if (b[p] == 0x21 && p + 1 < n) { /* an extension: label, then sub-blocks */
            if (b[p + 1] == 0xf9 && p + 5 < n && b[p + 2] == 4)
                *at = p + 4;
            p += 2;
        } else if (b[p] == 0x2c && p + 9 < n) { /* an image: descriptor, local colour table, LZW size, sub-blocks */
            size_t lct = b[p + 9] & 0x80 ? 3u << ((b[p + 9] & 7) + 1) : 0;
            p += 10 + lct + 1;
        } else
            return -1;
        while (p < n && b[p])
            p += 1 + (size_t)b[p];
        p++; /* the terminating empty sub-block */
    }
    return p < n ? 0 : -1;
}

/* The finishing step of a GIF: its last frame held a->hold_cs (default 200) hundredths of a second, or the delay
 * when that is longer. 0, or -1 with the reason printed. */
static int gif_hold(const am_run *run, const char *path, void *ctx)
{
    const gif_script *g = ctx;
    int hold = g->anim && g->anim->hold_cs ? g->anim->hold_cs : 200;
    hold = hold < g->delay ? g->delay : hold;
    const char *why = NULL;
    FILE *f = fopen(path, "r+b");
    long n = f && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    unsigned char *b = n > 0 ? malloc((size_t)n) : NULL;
    size_t at = 0;
    if (!f || n <= 0)
        why = n == 0 ? "empty" : strerror(errno);
    else if (!b)
        why = strerror(ENOMEM);
    else if (fseek(f, 0, SEEK_SET) || fread(b, 1, (size_t)n, f) != (size_t)n)
        why = ferror(f) ? strerror(errno) : "shorter than it was";
    else if (gif_last_delay(b, (size_t)n, &at))
        why = "gnuplot wrote no whole GIF";
    else if (at) {
        unsigned char d[2] = {(unsigned char)(hold & 0xff), (unsigned char)(hold >> 8)};
        if (fseek(f, (long)at, SEEK_SET) || fwrite(d, 1, 2, f) != 2 || fflush(f))
            why = strerror(errno);
    }
    if (f && fclose(f) && !why)
        why = strerror(errno);
    free(b);
    if (why)
        am_run_error(run, "cannot hold the last frame of '%s': %s", path, why);
    return why ? -1 : 0;
}

/* am__out_open/_commit reporting failures through run: which file and why. */
static int out_open(const am_run *run, am__out *o, const char *path)
{
    int rc = am__out_open(o, path);
    if (rc)
        am_run_error(run, "cannot write '%s': %s", path, am_strerror(rc));
    return rc;
}

static int out_commit(const am_run *run, am__out *o, const char *path)
{
    int rc = am__out_commit(o);
    if (rc)
        am_run_error(run, "writing '%s' failed: %s", path, am_strerror(rc));
    return rc;
}

/* Frames as gnuplot matrix blocks (index k), then the panel beside them (index count) when there is one, rows
 * bottom to top, values clipped to [0, 1], into dat. */
static int write_frames(const am_run *run, const char *dat, const float *frames, size_t count, size_t h, size_t w,
                        const am_image_anim *anim)
{
    am__out o;
    if (out_open(run, &o, dat))
        return -1;
    /* one matrix block per frame (gnuplot's index k); rows bottom to top */
    for (size_t k = 0; k < count + (anim && anim->beside); k++) {
        const float *img = k < count ? frames + k * h * w : anim->beside;
        for (size_t y = h; y-- > 0;) {
            for (size_t x = 0; x < w; x++) {
                float v = img[y * w + x];
                v = v < 0 ? 0 : v > 1 ? 1 : v == v ? v : 0;
                fprintf(o.f, x ? " %.3g" : "%.3g", (double)v);
            }
            fputc('\n', o.f);
        }
        fputs("\n\n", o.f);
    }
    if (out_commit(run, &o, dat))
        return -1;
    return 0;
}

int am_image_gif(const am_run *run, const char *path, const float *frames, size_t count, size_t h, size_t w,
                 const char *const *titles, int delay_cs, const am_image_anim *anim)
{
    char dat[4300];
    if (!path || !*path || has_control(path) || !frames || !count || !h || !w || delay_cs < 1 || delay_cs > 10000 ||
        (anim && (anim->hold_cs < 0 || anim->hold_cs > 10000))) {
        am_run_error(run, "animated GIF: a file name without control characters, frames, and delays of 1-10000 cs");
        return -1;
    }
    /* The frames' data go to a scratch directory, removed afterwards: the GIF may go anywhere ("-" or /dev/stdout
     * for standard output), and its frames are in the program's own output. */
    char scratch[4200];
    if (scratch_make(run, scratch, sizeof scratch))
        return -1;
    snprintf(dat, sizeof dat, "%s/frames.dat", scratch);
    gif_script g = {NULL, dat, titles, count, h, w, delay_cs, NULL, anim};
    int rc = write_frames(run, dat, frames, count, h, w, anim) ? -1
                                                               : gnuplot_to_file(run, path, &g.gif, write_gif, &g, NULL, gif_hold);
    scratch_remove(scratch, (const char *[]){"frames.dat"}, 1);
    return rc;
}

int am_image_grid(const am_run *run, const char *prefix, const float *tiles, size_t grid_rows, size_t grid_cols,
                  size_t h, size_t w, const char *const *col_titles, const char *title)
{
    char dat[4096], gp[4096], png[4096];
    am__out o;
    if (!prefix || !*prefix || has_control(prefix)) {
        am_run_error(run, "image grid prefix must be a file name without control characters");
        return -1;
    }
    if (snprintf(dat, sizeof dat, "%s.dat", prefix) >= (int)sizeof dat ||
        snprintf(gp, sizeof gp, "%s.gp", prefix) >= (int)sizeof gp ||
        snprintf(png, sizeof png, "%s.png", prefix) >= (int)sizeof png) {
        am_run_error(run, "image grid path too long");
        return -1;
    }
    size_t W = grid_cols * (w + 1) + 1, H = grid_rows * (h + 1) + 1;
    if (out_open(run, &o, dat))
        return -1;
    /* gnuplot's matrix rows run bottom to top, so the first image row is written last. */
    for (size_t yy = H; yy-- > 0;) {
        for (size_t xx = 0; xx < W; xx++) {
            float v = 0.35f; /* separator */
            if (yy % (h + 1) && xx % (w + 1)) {
                size_t tr = yy / (h + 1), tc = xx / (w + 1), py = yy % (h + 1) - 1, px = xx % (w + 1) - 1;
                v = tiles[((tr * grid_cols + tc) * h + py) * w + px];
                v = v < 0 ? 0 : v > 1 ? 1 : v == v ? v : 0;
            }
            fprintf(o.f, xx ? " %.3g" : "%.3g", (double)v);
        }
        fputc('\n', o.f);
    }
    if (out_commit(run, &o, dat))
        return -1;
    /* The script, kept so that the figure can be redrawn by hand (gnuplot PREFIX.gp). */
    if (out_open(run, &o, gp))
        return -1;
    write_script(o.f, png, dat, W, H, w, grid_cols, col_titles, title);
    if (out_commit(run, &o, gp))
        return -1;
    /* The figure: gnuplot draws into a temporary file that replaces PREFIX.png when it succeeded. */
    grid_script g = {NULL, dat, col_titles, title, W, H, w, grid_cols};
    return gnuplot_to_file(run, png, &g.png, write_grid, &g, dat, NULL);
}

int am_image_frames(const am_run *run, const char *prefix, const float *frames, size_t count, size_t h, size_t w,
                    const char *const *titles, const am_image_anim *anim)
{
    char dat[4096], name[4200], tmp[4300];
    if (!prefix || !*prefix || has_control(prefix) || !frames || !count || !h || !w || count > 100000) {
        am_run_error(run, "PNG frames: a prefix without control characters and 1 to 100000 frames");
        return -1;
    }
    if (snprintf(dat, sizeof dat, "%s-frames.dat", prefix) >= (int)sizeof dat || strlen(prefix) > 4000) {
        am_run_error(run, "PNG frame prefix too long");
        return -1;
    }
    if (write_frames(run, dat, frames, count, h, w, anim))
        return -1;
    gif_script g = {NULL, dat, titles, count, h, w, 0, prefix, anim};
    int rc = gnuplot_pipe(write_gif, &g, 1);
    /* Every frame checked whole first (gnuplot does not report failed writes), then all renamed; or every
     * temporary removed. */
    for (size_t k = 0; k < count && !rc; k++) {
        snprintf(tmp, sizeof tmp, "%s-%04zu.png.tmp", prefix, k);
        if (!figure_complete(tmp)) {
            am_run_error(run, "gnuplot wrote an incomplete frame '%s' (is the disk full?); the frames are in '%s'", tmp,
                         dat);
            rc = -2;
        }
    }
    for (size_t k = 0; k < count; k++) {
        snprintf(name, sizeof name, "%s-%04zu.png", prefix, k);
        snprintf(tmp, sizeof tmp, "%s.tmp", name);
        if (rc)
            unlink(tmp);
        else if (rename(tmp, name) != 0) {
            am_run_error(run, "writing '%s' failed: %s", name, strerror(errno));
            rc = -1;
        }
    }
    if (rc && rc != -2)
        am_run_error(run, "%s; the frames are in '%s'",
                     rc == 127 ? "gnuplot is not installed (Debian: gnuplot-nox)" : "gnuplot could not draw the frames", dat);
    if (rc)
        return -1;
    return 0;
}

typedef struct {
    const char *png, *dat, *title, *xlabel, *ylabel, *const *labels;
    size_t rows, cols;
    double lo, hi;
} matrix_script;

static void write_matrix(FILE *f, void *ctx)
{
    const matrix_script *m = ctx;
    size_t side = m->rows > m->cols ? m->rows : m->cols, cell = side > 120 ? 3 : side > 40 ? 8 : 28;
    size_t px = m->cols * cell + 200, py = m->rows * cell + 140;
    fprintf(f, "set terminal pngcairo size %zu,%zu font 'sans,10' noenhanced\nset output ", px < 420 ? 420 : px,
            py < 360 ? 360 : py);
    gp_quote(f, m->png);
    fprintf(f, "\nunset key\nset size ratio -1\nset palette defined (0 '#2166ac', 0.5 'white', 1 '#b2182b')\n");
    fprintf(f, "set cbrange [%.17g:%.17g]\nset xrange [-0.5:%zu-0.5]\nset yrange [%zu-0.5:-0.5]\n", m->lo, m->hi, m->cols,
            m->rows);
    fprintf(f, "set title ");
    gp_quote(f, m->title ? m->title : "");
    fprintf(f, "\nset xlabel ");
    gp_quote(f, m->xlabel ? m->xlabel : "");
    fprintf(f, "\nset ylabel ");
    gp_quote(f, m->ylabel ? m->ylabel : "");
    fputc('\n', f);
    if (m->labels && m->rows == m->cols && m->rows <= 60) {
        fprintf(f, "set xtics (");
        for (size_t k = 0; k < m->cols; k++) {
            fputs(k ? ", " : "", f);
            gp_quote(f, m->labels[k] ? m->labels[k] : "");
            fprintf(f, " %zu", k);
        }
        fprintf(f, ")\nset ytics (");
        for (size_t k = 0; k < m->rows; k++) {
            fputs(k ? ", " : "", f);
            gp_quote(f, m->labels[k] ? m->labels[k] : "");
            fprintf(f, " %zu", k);
        }
        fprintf(f, ")\n");
    }
    fprintf(f, "plot ");
    gp_quote(f, m->dat);
    if (m->rows * m->cols <= 400 && cell >= 28)
        fprintf(f, " matrix with image, '' matrix using 1:2:(sprintf('%%.2f', $3)) with labels font 'sans,8'\n");
    else
        fprintf(f, " matrix with image\n");
}

int am_image_matrix(const am_run *run, const char *prefix, const double *values, size_t rows, size_t cols, double lo,
                    double hi, const char *const *labels, const char *title, const char *xlabel, const char *ylabel)
{
    char dat[4096];
    am__out o;
    if (!prefix || !*prefix || has_control(prefix) || !values || !rows || !cols || !(lo < hi)) {
        am_run_error(run, "matrix figure: a prefix without control characters, values, and lo < hi");
        return -1;
    }
    if (snprintf(dat, sizeof dat, "%s.dat", prefix) >= (int)sizeof dat) {
        am_run_error(run, "matrix figure prefix too long");
        return -1;
    }
    if (out_open(run, &o, dat))
        return -1;
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < cols; c++)
            fprintf(o.f, c ? " %.6g" : "%.6g", values[r * cols + c]);
        fputc('\n', o.f);
    }
    if (out_commit(run, &o, dat))
        return -1;
    char png[4200];
    snprintf(png, sizeof png, "%s.png", prefix);
    matrix_script m = {NULL, dat, title, xlabel, ylabel, labels, rows, cols, lo, hi};
    return gnuplot_to_file(run, png, &m.png, write_matrix, &m, dat, NULL);
}

typedef struct {
    const char *png, *dat, *title, *xlabel, *ylabel, *const *labels;
    size_t series;
} lines_script;

static void write_lines(FILE *f, void *ctx)
{
    const lines_script *l = ctx;
    fprintf(f, "set terminal pngcairo size 720,420 font 'sans,10' noenhanced\nset output ");
    gp_quote(f, l->png);
    fprintf(f, "\nset grid\nset key outside right\nset title ");
    gp_quote(f, l->title ? l->title : "");
    fprintf(f, "\nset xlabel ");
    gp_quote(f, l->xlabel ? l->xlabel : "");
    fprintf(f, "\nset ylabel ");
    gp_quote(f, l->ylabel ? l->ylabel : "");
    fprintf(f, "\nplot ");
    for (size_t k = 0; k < l->series; k++) {
        fputs(k ? ", " : "", f);
        gp_quote(f, l->dat);
        fprintf(f, " using 1:%zu with linespoints pt 7 ps 0.4 title ", k + 2);
        gp_quote(f, l->labels && l->labels[k] ? l->labels[k] : "");
    }
    fputc('\n', f);
}

int am_image_lines(const am_run *run, const char *prefix, const double *x, const double *y, size_t n, size_t series,
                   const char *const *labels, const char *title, const char *xlabel, const char *ylabel)
{
    char dat[4096], png[4200];
    am__out o;
    if (!prefix || !*prefix || has_control(prefix) || !x || !y || !n || !series || series > 64) {
        am_run_error(run, "line figure: a prefix without control characters, points, and 1 to 64 series");
        return -1;
    }
    if (snprintf(dat, sizeof dat, "%s.dat", prefix) >= (int)sizeof dat) {
        am_run_error(run, "line figure prefix too long");
        return -1;
    }
    if (out_open(run, &o, dat))
        return -1;
    for (size_t i = 0; i < n; i++) {
        fprintf(o.f, "%.9g", x[i]);
        for (size_t k = 0; k < series; k++)
            fprintf(o.f, " %.9g", y[i * series + k]);
        fputc('\n', o.f);
    }
    if (out_commit(run, &o, dat))
        return -1;
    snprintf(png, sizeof png, "%s.png", prefix);
    lines_script l = {NULL, dat, title, xlabel, ylabel, labels, series};
    return gnuplot_to_file(run, png, &l.png, write_lines, &l, dat, NULL);
}

/* The helpers above, for the harness's other figures (internal.h). */
void am__gp_quote(FILE *f, const char *s)
{
    gp_quote(f, s);
}

int am__gp_has_control(const char *s)
{
    return has_control(s);
}

int am__gnuplot_to_file(const am_run *run, const char *path, const char **target, void (*write)(FILE *, void *),
                        void *script, const char *dat)
{
    return gnuplot_to_file(run, path, target, write, script, dat, NULL);
}

int am__figure_out_open(const am_run *run, am__out *o, const char *path)
{
    return out_open(run, o, path);
}

int am__figure_out_commit(const am_run *run, am__out *o, const char *path)
{
    return out_commit(run, o, path);
}
