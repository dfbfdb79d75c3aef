/* Image grids drawn by gnuplot: cue | recalled | original panels for papers and teaching. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/harness.h"

int am_image_grid(const am_run *run, const char *prefix, const float *tiles, size_t grid_rows, size_t grid_cols,
                  size_t h, size_t w, const char *const *col_titles, const char *title)
{
    char dat[4096], gp[4096], png[4096], cmd[8300];
    if (snprintf(dat, sizeof dat, "%s.dat", prefix) >= (int)sizeof dat ||
        snprintf(gp, sizeof gp, "%s.gp", prefix) >= (int)sizeof gp ||
        snprintf(png, sizeof png, "%s.png", prefix) >= (int)sizeof png) {
        am_run_error(run, "image grid path too long");
        return -1;
    }
    size_t W = grid_cols * (w + 1) + 1, H = grid_rows * (h + 1) + 1;
    FILE *f = fopen(dat, "w");
    if (!f) {
        am_run_error(run, "cannot write '%s': %s", dat, strerror(errno));
        return -1;
    }
    /* gnuplot's matrix rows run bottom to top, so the first image row is written last. */
    for (size_t yy = H; yy-- > 0;) {
        for (size_t xx = 0; xx < W; xx++) {
            float v = 0.35f; /* separator */
            if (yy % (h + 1) && xx % (w + 1)) {
                size_t tr = yy / (h + 1), tc = xx / (w + 1), py = yy % (h + 1) - 1, px = xx % (w + 1) - 1;
                v = tiles[((tr * grid_cols + tc) * h + py) * w + px];
                v = v < 0 ? 0 : v > 1 ? 1 : v;
            }
            fprintf(f, xx ? " %.3g" : "%.3g", (double)v);
        }
        fputc('\n', f);
    }
    if (fclose(f)) {
        am_run_error(run, "writing '%s' failed", dat);
        return -1;
    }
    f = fopen(gp, "w");
    if (!f) {
        am_run_error(run, "cannot write '%s': %s", gp, strerror(errno));
        return -1;
    }
    size_t px = W * 3 < 300 ? 300 : W * 3, py = H * 3 + 60;
    fprintf(f, "set terminal pngcairo size %zu,%zu font 'sans,10'\nset output '%s'\n", px, py, png);
    fprintf(f, "unset key\nunset colorbox\nunset border\nunset tics\nset palette gray\nset cbrange [0:1]\n");
    fprintf(f, "set size ratio -1\nset lmargin 0\nset rmargin 0\nset bmargin 0\nset tmargin 3\n");
    fprintf(f, "set xrange [-0.5:%zu]\nset yrange [-0.5:%zu]\n", W - 1, H - 1);
    if (title)
        fprintf(f, "set title \"%s\" offset 0,1\n", title);
    for (size_t c = 0; col_titles && c < grid_cols; c++)
        if (col_titles[c])
            fprintf(f, "set label \"%s\" at %zu,%zu center front font 'sans,8'\n", col_titles[c],
                    c * (w + 1) + 1 + w / 2, H + 2);
    fprintf(f, "plot '%s' matrix with image pixels\n", dat);
    if (fclose(f)) {
        am_run_error(run, "writing '%s' failed", gp);
        return -1;
    }
    snprintf(cmd, sizeof cmd, "gnuplot '%s' 2>&1", gp);
    int rc = system(cmd);
    if (rc != 0) {
        am_run_error(run, "gnuplot could not draw '%s' (is gnuplot installed?); the data is in '%s'", png, dat);
        return -1;
    }
    return 0;
}
