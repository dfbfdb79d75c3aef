/* Image grids drawn by gnuplot: cue | recalled | original panels for papers and teaching.
 *
 * gnuplot is started with fork/execvp and reads its script from a pipe: no shell ever sees a user's text.
 * Paths and titles reach gnuplot inside single-quoted strings, where only a doubled quote is special;
 * control characters (which would end a gnuplot command) are refused in paths and blanked in titles. */
#include <dirent.h>
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

/* The drawing commands, with the image written to png and the data read from dat: the grid at 3 pixels a
 * value, column titles above, row titles (when any is given) right-aligned in a margin at the left. */
static void write_script(FILE *f, const char *png, const char *dat, size_t W, size_t H, size_t h, size_t w,
                         size_t grid_rows, size_t grid_cols, const char *const *col_titles,
                         const char *const *row_titles, const char *title)
{
    size_t lm = 0; /* the left margin: about 6 pixels a character at 8 points */
    for (size_t r = 0; row_titles && r < grid_rows; r++)
        if (row_titles[r] && 6 * strlen(row_titles[r]) + 16 > lm)
            lm = 6 * strlen(row_titles[r]) + 16;
    lm = lm > 400 ? 400 : lm;
    size_t px = lm + (W * 3 < 300 ? 300 : W * 3), py = H * 3 + 60, tw = title ? 7 * strlen(title) + 30 : 0;
    px = px < tw ? tw : px; /* room for the whole title (about 7 pixels a character at 10 points) */
    fprintf(f, "set terminal pngcairo size %zu,%zu font 'sans,10' noenhanced\nset output ", px, py);
    gp_quote(f, png);
    fprintf(f, "\nunset key\nunset colorbox\nunset border\nunset tics\nset palette gray\nset cbrange [0:1]\n");
    fprintf(f, "set size ratio -1\nset rmargin 0\nset bmargin 0\nset tmargin 3\n");
    if (lm)
        fprintf(f, "set lmargin at screen %.4f\n", (double)lm / (double)px);
    else
        fprintf(f, "set lmargin 0\n");
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
    /* tile row r spans data rows H-1-(r (h+1) + 1) .. H-1-(r (h+1) + h): the first image row is on top */
    for (size_t r = 0; row_titles && r < grid_rows; r++)
        if (row_titles[r]) {
            fprintf(f, "set label ");
            gp_quote(f, row_titles[r]);
            fprintf(f, " at -2,%.1f right front font 'sans,8' noenhanced\n", (double)(H - 1) - ((double)(r * (h + 1) + 1) + (double)(h - 1) / 2));
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

/* Where a figure's data and script go, never beside the figure: a private scratch directory (TMPDIR or /tmp,
 * registered so that an interrupted run removes it too) emptied and removed by fig_dir_close, or the directory
 * named by AM_FIGURE_DATA, where they are kept (to redraw a figure by hand). 0, or -1 with the reason printed. */
static int fig_dir_open(const am_run *run, am__fig_dir *d)
{
    const char *keep = getenv("AM_FIGURE_DATA");
    struct stat st;
    d->keep = keep && *keep;
    if (d->keep) {
        const char *why = strlen(keep) >= sizeof d->dir - 1 || has_control(keep) ? "too long or has control characters"
                          : stat(keep, &st) != 0                                  ? strerror(errno)
                          : !S_ISDIR(st.st_mode)                                  ? "not a directory"
                                                                                  : NULL;
        if (why) {
            am_run_error(run, "AM_FIGURE_DATA (where figures' data are kept): '%.200s': %s", keep, why);
            return -1;
        }
        snprintf(d->dir, sizeof d->dir, "%s", keep);
        return 0;
    }
    if (scratch_make(run, d->dir, sizeof d->dir))
        return -1;
    if (am_run_stage(run, d->dir)) {
        rmdir(d->dir);
        return -1;
    }
    return 0;
}

/* dir/NAME ext in out (size bytes), NAME the last component of prefix; -1 with the reason printed when too long. */
static int fig_dir_path(const am_run *run, const am__fig_dir *d, const char *prefix, const char *ext, char *out,
                        size_t size)
{
    const char *base = strrchr(prefix, '/');
    base = base && base[1] ? base + 1 : prefix;
    if (snprintf(out, size, "%s/%s%s", d->dir, base, ext) >= (int)size) {
        am_run_error(run, "figure path too long: '%.200s'", prefix);
        return -1;
    }
    return 0;
}

/* Remove the scratch directory with every file in it (nothing else writes there); a kept directory stays. */
static void fig_dir_close(am__fig_dir *d)
{
    if (d->keep)
        return;
    DIR *dir = opendir(d->dir);
    struct dirent *e;
    char p[4500];
    while (dir && (e = readdir(dir)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", d->dir, e->d_name);
            unlink(p);
        }
    if (dir)
        closedir(dir);
    rmdir(d->dir);
    am_run_stage_done(d->dir);
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
    const char *png, *dat, *const *col_titles, *const *row_titles, *title;
    size_t W, H, h, w, grid_rows, grid_cols;
} grid_script;

static void write_grid(FILE *f, void *ctx)
{
    const grid_script *g = ctx;
    write_script(f, g->png, g->dat, g->W, g->H, g->h, g->w, g->grid_rows, g->grid_cols, g->col_titles, g->row_titles,
                 g->title);
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

/* The grid's values, tiles parted by grey lines, into dat (rows bottom to top, as gnuplot's matrix reads them). */
static int write_grid_data(const am_run *run, const char *dat, const float *tiles, size_t grid_cols, size_t W,
                           size_t H, size_t h, size_t w)
{
    am__out o;
    if (out_open(run, &o, dat))
        return -1;
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
    return out_commit(run, &o, dat) ? -1 : 0;
}

int am_image_grid(const am_run *run, const char *prefix, const float *tiles, size_t grid_rows, size_t grid_cols,
                  size_t h, size_t w, const char *const *col_titles, const char *const *row_titles, const char *title)
{
    char dat[4300], gp[4300], png[4096];
    am__out o;
    am__fig_dir d;
    if (!prefix || !*prefix || has_control(prefix)) {
        am_run_error(run, "image grid prefix must be a file name without control characters");
        return -1;
    }
    if (snprintf(png, sizeof png, "%s.png", prefix) >= (int)sizeof png) {
        am_run_error(run, "image grid path too long");
        return -1;
    }
    if (fig_dir_open(run, &d))
        return -1;
    size_t W = grid_cols * (w + 1) + 1, H = grid_rows * (h + 1) + 1;
    grid_script g = {NULL, dat, col_titles, row_titles, title, W, H, h, w, grid_rows, grid_cols};
    int rc = fig_dir_path(run, &d, prefix, ".dat", dat, sizeof dat) || fig_dir_path(run, &d, prefix, ".gp", gp, sizeof gp) ||
             write_grid_data(run, dat, tiles, grid_cols, W, H, h, w) ? -1 : 0;
    /* The script beside the data, for redrawing the figure by hand when they are kept (AM_FIGURE_DATA). */
    if (!rc && d.keep) {
        if (out_open(run, &o, gp))
            rc = -1;
        else {
            write_script(o.f, png, dat, W, H, h, w, grid_rows, grid_cols, col_titles, row_titles, title);
            rc = out_commit(run, &o, gp) ? -1 : 0;
        }
    }
    /* The figure: gnuplot draws into a temporary file that replaces PREFIX.png when it succeeded. */
    if (!rc)
        rc = gnuplot_to_file(run, png, &g.png, write_grid, &g, d.keep ? dat : NULL, NULL);
    fig_dir_close(&d);
    return rc;
}

int am_image_frames(const am_run *run, const char *prefix, const float *frames, size_t count, size_t h, size_t w,
                    const char *const *titles, const am_image_anim *anim)
{
    char dat[4300], name[4200], tmp[4300];
    am__fig_dir d;
    if (!prefix || !*prefix || has_control(prefix) || !frames || !count || !h || !w || count > 100000) {
        am_run_error(run, "PNG frames: a prefix without control characters and 1 to 100000 frames");
        return -1;
    }
    if (strlen(prefix) > 4000) {
        am_run_error(run, "PNG frame prefix too long");
        return -1;
    }
    if (fig_dir_open(run, &d))
        return -1;
    if (fig_dir_path(run, &d, prefix, "-frames.dat", dat, sizeof dat) || write_frames(run, dat, frames, count, h, w, anim)) {
        fig_dir_close(&d);
        return -1;
    }
    gif_script g = {NULL, dat, titles, count, h, w, 0, prefix, anim};
    int rc = gnuplot_pipe(write_gif, &g, 1);
    const char *kept = d.keep ? dat : NULL;
    /* Every frame checked whole first (gnuplot does not report failed writes), then all renamed; or every
     * temporary removed. */
    for (size_t k = 0; k < count && !rc; k++) {
        snprintf(tmp, sizeof tmp, "%s-%04zu.png.tmp", prefix, k);
        if (!figure_complete(tmp)) {
            am_run_error(run, "gnuplot wrote an incomplete frame '%s' (is the disk full?)%s%s%s", tmp,
                         kept ? "; the frames are in '" : "", kept ? kept : "", kept ? "'" : "");
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
        am_run_error(run, "%s%s%s%s",
                     rc == 127 ? "gnuplot is not installed (Debian: gnuplot-nox)" : "gnuplot could not draw the frames",
                     kept ? "; the frames are in '" : "", kept ? kept : "", kept ? "'" : "");
    fig_dir_close(&d);
    return rc ? -1 : 0;
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

/* A figure's data file in its directory (fig_dir_open), dpath (4300 bytes, the path the script reads), written
 * by data(f, ctx), then the figure drawn into PREFIX.png by the script (whose *png the drawing points at its
 * temporary); the directory closed either way. 0, or -1 with the reason printed. */
static int figure_with_data(const am_run *run, const char *prefix, void (*data)(FILE *, const void *), const void *ctx,
                            char *dpath, const char **png, void (*write)(FILE *, void *), void *script)
{
    char ppath[4200];
    am__fig_dir d;
    am__out o;
    if (snprintf(ppath, sizeof ppath, "%s.png", prefix) >= (int)sizeof ppath) {
        am_run_error(run, "figure prefix too long");
        return -1;
    }
    if (fig_dir_open(run, &d))
        return -1;
    int rc = fig_dir_path(run, &d, prefix, ".dat", dpath, 4300) || out_open(run, &o, dpath) ? -1 : 0;
    if (!rc) {
        data(o.f, ctx);
        rc = out_commit(run, &o, dpath) ? -1 : 0;
    }
    if (!rc)
        rc = gnuplot_to_file(run, ppath, png, write, script, d.keep ? dpath : NULL, NULL);
    fig_dir_close(&d);
    return rc;
}

typedef struct {
    const double *values;
    size_t rows, cols;
} matrix_data;

static void write_matrix_data(FILE *f, const void *ctx)
{
    const matrix_data *m = ctx;
    for (size_t r = 0; r < m->rows; r++) {
        for (size_t c = 0; c < m->cols; c++)
            fprintf(f, c ? " %.6g" : "%.6g", m->values[r * m->cols + c]);
        fputc('\n', f);
    }
}

int am_image_matrix(const am_run *run, const char *prefix, const double *values, size_t rows, size_t cols, double lo,
                    double hi, const char *const *labels, const char *title, const char *xlabel, const char *ylabel)
{
    if (!prefix || !*prefix || has_control(prefix) || !values || !rows || !cols || !(lo < hi)) {
        am_run_error(run, "matrix figure: a prefix without control characters, values, and lo < hi");
        return -1;
    }
    char dat[4300];
    matrix_data md = {values, rows, cols};
    matrix_script m = {NULL, dat, title, xlabel, ylabel, labels, rows, cols, lo, hi};
    return figure_with_data(run, prefix, write_matrix_data, &md, dat, &m.png, write_matrix, &m);
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

typedef struct {
    const double *x, *y;
    size_t n, series;
} lines_data;

static void write_lines_data(FILE *f, const void *ctx)
{
    const lines_data *l = ctx;
    for (size_t i = 0; i < l->n; i++) {
        fprintf(f, "%.9g", l->x[i]);
        for (size_t k = 0; k < l->series; k++)
            fprintf(f, " %.9g", l->y[i * l->series + k]);
        fputc('\n', f);
    }
}

int am_image_lines(const am_run *run, const char *prefix, const double *x, const double *y, size_t n, size_t series,
                   const char *const *labels, const char *title, const char *xlabel, const char *ylabel)
{
    if (!prefix || !*prefix || has_control(prefix) || !x || !y || !n || !series || series > 64) {
        am_run_error(run, "line figure: a prefix without control characters, points, and 1 to 64 series");
        return -1;
    }
    char dat[4300];
    lines_data ld = {x, y, n, series};
    lines_script l = {NULL, dat, title, xlabel, ylabel, labels, series};
    return figure_with_data(run, prefix, write_lines_data, &ld, dat, &l.png, write_lines, &l);
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

int am__fig_dir_open(const am_run *run, am__fig_dir *d)
{
    return fig_dir_open(run, d);
}

int am__fig_dir_path(const am_run *run, const am__fig_dir *d, const char *prefix, const char *ext, char *out, size_t size)
{
    return fig_dir_path(run, d, prefix, ext, out, size);
}

void am__fig_dir_close(am__fig_dir *d)
{
    fig_dir_close(d);
}
