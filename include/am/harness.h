/* libam — the shared harness of libam's experiment programs: one command-line convention, seeded
 * self-describing TSV output, progress on a terminal, and trials spread over threads.
 *
 * Every program accepts --help, --version, --seed S, --out FILE ("-" = standard output), --threads T and
 * --quiet besides its own options. Output starts with '#' lines:
 *   # program: <name> <version>
 *   # command: the full command line, minus --threads/--quiet/--out (they cannot change results)
 *   # seed: S
 *   # libam: <version> commit <git commit>
 *   # date: <UTC time> threads=<T> blas=<OpenBLAS kernels>   (the only line that varies between runs)
 * then program-specific '#' lines, one header row of column names, and data rows. */
#ifndef AM_HARNESS_H
#define AM_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_OPT_INT, AM_OPT_U64, AM_OPT_DOUBLE, AM_OPT_STRING, AM_OPT_FLAG } am_opt_type;

/* One program option. `dest` holds the default on entry (shown by --help) and the parsed value after.
 * AM_OPT_INT: int*, AM_OPT_U64: uint64_t*, AM_OPT_DOUBLE: double*, AM_OPT_STRING: const char**,
 * AM_OPT_FLAG: int* set to 1. */
typedef struct am_opt {
    const char *name; /* long name, without the leading "--" */
    am_opt_type type;
    void *dest;
    const char *metavar;
    const char *help;
} am_opt;

typedef struct am_run {
    const char *program;     /* name shown in messages */
    const char *subcommand;  /* programs with subcommands: argv[1], skipped by the parser; else NULL */
    const char *summary;     /* one line for --help */
    const char *description; /* text after the option list in --help (columns, definitions), or NULL */
    uint64_t seed;           /* default 1 */
    const char *out;         /* default "-" */
    int threads;             /* default: the number of processors */
    int quiet;
    int argc;
    char **argv;
} am_run;

/* Parse argv against opts (terminated by an entry with name NULL) plus the common options. Restarts the
 * program with fast OpenBLAS kernels if needed (am_blas_ensure_fast). Returns 0 to go on, 1 after printing
 * --help or --version (exit 0), or -1 after printing a one-line reason to stderr (exit 2). */
int am_run_parse(am_run *run, am_opt *opts, int argc, char **argv);

/* Print "<program>: <message>" to stderr. */
void am_run_error(const am_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open run->out for writing and write the common '#' lines. NULL (reason printed) on failure. */
FILE *am_run_open(const am_run *run);
/* Close an output opened by am_run_open; returns 0, or -1 (reason printed) if writing failed. */
int am_run_close(const am_run *run, FILE *f);

/* Call fn(index, thread, ctx) for index in [0, count) on run->threads threads (OpenBLAS is held to one
 * thread meanwhile), showing progress with an ETA on stderr when it is a terminal. Each call must write
 * its results only to its own slot, so results do not depend on the number of threads. Returns the
 * first nonzero status returned by fn (the remaining calls are skipped), else 0. */
int am_run_parallel(const am_run *run, size_t count, int (*fn)(size_t index, int thread, void *ctx), void *ctx);

/* A progress line on stderr ("[####    ]  40% 4/10  ETA 12s <text>"), shown only when stderr is a terminal
 * and the run is not --quiet; updates are limited to ten a second. */
typedef struct am_progress {
    size_t total;
    double t0, last;
    int show;
} am_progress;
void am_progress_start(am_progress *p, const am_run *run, size_t total);
void am_progress_update(am_progress *p, size_t done, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void am_progress_end(am_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A monotonic clock in seconds. */
double am_seconds(void);

/* An image grid for figures: tiles (grid_rows x grid_cols images of h x w pixels in [0, 1], row-major, tile
 * by tile) written as PREFIX.dat (a text matrix, tiles parted by grey lines) and drawn by gnuplot to
 * PREFIX.png with the column titles (grid_cols strings, may be NULL) and a title. Returns 0, or -1 with
 * the reason printed (gnuplot missing or failing: PREFIX.dat is kept). */
int am_image_grid(const am_run *run, const char *prefix, const float *tiles, size_t grid_rows, size_t grid_cols,
                  size_t h, size_t w, const char *const *col_titles, const char *title);

/* Load a dataset split for a program: from IDX files when `images` is set (labels may be NULL), else the
 * Fashion-MNIST split ("train" or "test") from dir (NULL: the Debian location). NULL, with a one-line
 * reason printed (and the package to install when the default data is missing), on failure. */
struct am_dataset *am_run_load_data(const am_run *run, const char *dir, const char *images, const char *labels,
                                    const char *split);

/* Parsing helpers for list-valued options. */
/* "a0:a1:step" -> up to max values a0, a0+step, ..., <= a1 (+1e-9); returns the count, or -1 if malformed. */
int am_parse_range(const char *s, double *vals, int max);
/* "v1,v2,..." of non-negative integers; returns the count, or -1 if malformed. */
int am_parse_u64_list(const char *s, uint64_t *vals, int max);
/* "w1,w2,..." words: splits a copy into at most max words; returns the count, or -1. */
int am_parse_words(const char *s, char *buf, size_t bufsize, const char **words, int max);

#ifdef __cplusplus
}
#endif
#endif
