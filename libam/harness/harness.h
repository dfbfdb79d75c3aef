/* libam — the shared harness of libam's experiment programs (not library API: not installed, not in am/am.h;
 * programs include "harness/harness.h" with -Ilibam): one command-line convention, seeded
 * self-describing TSV output written atomically, progress on a terminal, jobs spread over threads and MPI
 * ranks, checkpoints that let an interrupted sweep resume. The harness serves the programs in
 * experiments/; it is not part of the library's modelling API.
 *
 * Every program accepts --help, --version, --seed S, --out FILE ("-" = standard output), --threads T and
 * --quiet besides its own options (sweeps also --resume and --checkpoint FILE). Output starts with '#'
 * lines:
 *   # program: <name> <version>
 *   # command: the full command line, minus options that cannot change results (--threads, --out, --quiet,
 *              --resume, --checkpoint)
 *   # seed: S
 *   # libam: <version> commit <git commit>
 *   # date: <UTC time the run started> blas=<OpenBLAS kernels>   (SOURCE_DATE_EPOCH, when set, fixes the time)
 * then program-specific '#' lines, one header row of column names, and data rows.
 *
 * The output goes to a temporary file beside FILE and replaces FILE only when the run succeeds: an
 * interrupted or failed run leaves the previous FILE intact and no partial file. */
#ifndef AM_HARNESS_H
#define AM_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* am__quote and AM__QUOTE: text from an input file or the command line, quoted and escaped for a message
 * (printable ASCII as is, every other byte as \xNN, cut with an ellipsis). Every message that echoes such
 * text goes through it, so that a message stays one line and no terminal escape gets through. */
#include "../core/quote.h"
#include "am/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AM_OPT_INT, AM_OPT_U64, AM_OPT_DOUBLE, AM_OPT_STRING, AM_OPT_FLAG, AM_OPT_OUTPUT } am_opt_type;

/* One program option. `dest` holds the default on entry (shown by --help) and the parsed value after.
 * AM_OPT_INT: int*, AM_OPT_U64: uint64_t*, AM_OPT_DOUBLE: double* (finite), AM_OPT_STRING: const char**,
 * AM_OPT_FLAG: int* set to 1. AM_OPT_OUTPUT: const char**, a file the run writes (--out and --checkpoint
 * are): am_run_parse refuses it when it names the same file as any other value on the command line (an
 * input it would replace, or another output), before anything runs. */
typedef struct am_opt {
    const char *name;    /* long name, without the leading "--" */
    am_opt_type type;
    void *dest;
    const char *metavar;
    const char *help;
    const char *scope;   /* NULL: applies to every run; else the comma-separated settings it belongs to
                          * ("dense", "hopfield,dense", "pca"): am_run_check_scope rejects it when given
                          * while none of them is in force */
    int given;           /* out: set when the option appears on the command line */
} am_opt;

struct am__run_state;

typedef struct am_run {
    const char *program;     /* name shown in messages */
    const char *subcommand;  /* programs with subcommands: argv[1], skipped by the parser; else NULL */
    const char *summary;     /* one line for --help */
    const char *description; /* text after the option list in --help (columns, definitions), or NULL */
    const char *examples;    /* command lines shown under "Examples:" at the end of --help (one per line), or NULL */
    uint64_t seed;           /* default 1 */
    const char *out;         /* default "-" */
    int threads;             /* default: the number of processors available to this process */
    int quiet;
    int resumable;           /* set by the program: it runs am_run_jobs, so --resume and --checkpoint exist */
    int no_seed;             /* set by the program: nothing it does is random, so --seed is not offered */
    int no_threads;          /* set by the program: it runs on one thread, so --threads is not offered */
    int resume;              /* --resume: continue from the checkpoint of an interrupted run */
    const char *checkpoint;  /* --checkpoint FILE (default: <out>.ckpt) */
    int rank, ranks;         /* MPI: this process's rank and the number of ranks (0 and 1 without mpirun) */
    int argc;
    char **argv;
    struct am__run_state *st; /* the harness's own state */
} am_run;

/* Parse argv against opts (terminated by an entry with name NULL) plus the common options. Restarts the
 * program with fast OpenBLAS kernels if needed (am_blas_ensure_fast), holds OpenBLAS to one thread (libam
 * runs its own threads over fixed blocks, so no result depends on a thread count), joins the MPI job when
 * started by mpirun, and installs signal handlers that remove unfinished outputs. Returns 0 to go on, 1
 * after printing --help or --version (exit 0), or -1 after printing a one-line reason to stderr (exit 2).
 * With AM_PARSE_ONLY=1 in the environment it returns 1 once the command line has parsed: a way to check
 * a command line (the examples of every --help are checked so) without running it. */
int am_run_parse(am_run *run, am_opt *opts, int argc, char **argv);

/* Reject options given on the command line whose scope names none of the settings in `active` (a
 * comma-separated list, e.g. "dense" or "hopfield,modern"): prints "--rule applies to hopfield, not to
 * <what>" and returns -1; 0 when every given option applies. */
int am_run_check_scope(const am_run *run, const am_opt *opts, const char *active, const char *what);

/* ---- store-type options (storeopts.c) ----
 * --model and one option per parameter of the store types a program takes, built from the table of store
 * types (am/store.h): a program lists the models and their options from it and never names a model. */
#define AM_STORE_OPTS_MAX 24
typedef struct am_store_opts {
    const char *model_opt; /* the option naming the type: NULL for --model (set before am_store_opts_add) */
    const char *model; /* --model's value */
    int nparams;
    const char *name[AM_STORE_OPTS_MAX];
    const char *value[AM_STORE_OPTS_MAX]; /* the option's text, NULL when not given */
    const char *dflt[AM_STORE_OPTS_MAX];  /* the program's own default (am_store_opts_default), or NULL */
    char scope[AM_STORE_OPTS_MAX][128];
    char metavar[AM_STORE_OPTS_MAX][32];
    char help[AM_STORE_OPTS_MAX][480];
    char model_help[400];
    unsigned require, exclude; /* the types taken: flags & require == require, none of exclude */
    int list;                  /* each parameter takes a comma-separated list (a sweep) */
} am_store_opts;

/* Put --model (default model_default) and the parameter options, scoped to the types that have them, in
 * front of the NULL-terminated opts (room for cap entries in all). AM_ERANGE when it does not fit. */
int am_store_opts_add(am_store_opts *so, const char *model_default, unsigned require, unsigned exclude, int list,
                      am_opt *opts, size_t cap);
/* am_store_opts_add, the program's own defaults (defaults: name, value, name, value, ..., NULL; may be NULL),
 * then am_run_parse: -1 to go on, else the program's exit status (0 after --help or --version, 2 after a
 * one-line message). The one way a program parses a command line that names a store type. */
int am_store_opts_parse(am_run *run, am_store_opts *so, const char *model_default, unsigned require, unsigned exclude,
                        int list, const char *const *defaults, am_opt *opts, size_t cap, int argc, char **argv);
/* A program's own default for one parameter (shown by --help): AM_EINVAL if no type taken has it. */
int am_store_opts_default(am_store_opts *so, const char *name, const char *value);
/* After am_run_parse: the type --model names, with every given option checked to apply to it or to the other
 * settings in force, also (comma-separated, may be NULL; also_what describes them in messages); NULL after a
 * one-line message. */
const am_store_type *am_store_opts_type(const am_run *run, const am_store_opts *so, const am_opt *opts,
                                        const char *also, const char *also_what);
/* The configurations of type t for n units that the command line asks for: every combination of the listed
 * values (cfgs: room for max), duplicates dropped. The count, or -1 after a one-line message. */
int am_store_opts_configs(const am_run *run, const am_store_opts *so, const am_store_type *t, size_t n,
                          am_store_config *cfgs, int max);
/* The comma-separated names of the types that have every flag in flags, into buf: a scope for options that
 * apply to a kind of store (AM_STORE_SERIAL: the dynamics; AM_STORE_REAL: a tolerance). */
const char *am_store_opts_scope(unsigned flags, char *buf, size_t size);

/* Refuse sequence-store configurations whose steps read past states (MixedNet with tau > 1 holds each element
 * for several steps), for measures that expect a new element every step. 0, or -1 after a one-line message. */
int am_store_opts_stepwise(const am_run *run, const am_store_config *cfgs, int count);

/* Print "<program>: <message>" to stderr (under MPI: from rank 0 only while arguments are checked, and
 * with the rank once jobs run). */
void am_run_error(const am_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open run->out for writing (a temporary file beside it; standard output for "-") and write the common '#'
 * lines. With --resume the checkpoint is checked first: one written by another command, seed, libam build
 * or BLAS kernel set is refused. Under MPI every rank calls it; ranks other than 0 get a stream that
 * discards what is written. NULL (reason printed) on failure. */
FILE *am_run_open(am_run *run);
/* Finish an output opened by am_run_open: flush it, replace run->out with it, remove the checkpoint.
 * Returns 0, or -1 (reason printed, run->out left as it was) if writing failed. */
int am_run_close(am_run *run, FILE *f);
/* Give up an output opened by am_run_open: the temporary file is removed, run->out and the checkpoint are
 * left as they were. */
void am_run_abort(am_run *run, FILE *f);

/* A staging directory the program made (mkdtemp) and will remove or rename itself: until am_run_stage_done, an
 * interrupted run (SIGINT, SIGTERM, SIGHUP, a failed exit) empties and removes it as it removes temporary files.
 * 0, or -1 with the reason printed. */
int am_run_stage(const am_run *run, const char *dir);
void am_run_stage_done(const char *dir);

/* How long something took, as a "# time: <text>" line in out. Timings never go in data rows or other '#'
 * lines: the "# date:" and "# time:" lines are the only ones a rerun of the same command changes. */
void am_run_time(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A further output of a run (a second table, a figure's data), written like --out: to a temporary file beside
 * path, renamed over it by am_run_file_close, removed by am_run_file_abort (and by the signal handlers); with
 * header != 0 the common '#' lines come first. Call after am_run_open (for the run's start time). NULL
 * (reason printed) on failure. */
typedef struct am_run_file {
    FILE *f;
    void *priv;
} am_run_file;
FILE *am_run_file_open(const am_run *run, const char *path, int header, am_run_file *h);
/* 0, or -1 with the reason printed (the previous file at path is left as it was). */
int am_run_file_close(const am_run *run, am_run_file *h, const char *path);
void am_run_file_abort(am_run_file *h);

/* A subcommand of a program: its name and its main (argv[1] is the subcommand's name). */
typedef struct am_subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
} am_subcommand;

/* The main() of a program with subcommands (cmds ends with an entry whose name is NULL): restarts the
 * program with fast OpenBLAS kernels if needed (before anything else, so the restart keeps the whole
 * argv); prints `usage` to standard output for --help, -h or help (0), to standard error without
 * arguments (2); prints the version line for --version ("<program> (libam V, commit C, OpenBLAS K[,
 * extra])", extra may be NULL); runs the subcommand named by argv[1] and returns what it returns; else
 * prints "<program>: unknown command 'x' (a, b, ...; try --help)" and returns 2. */
int am_run_subcommands(int argc, char **argv, const char *program, const char *usage, const am_subcommand *cmds,
                       const char *version_extra);
/* The second string of the row of table (rows {key, text}) whose key is `which`, or NULL: a subcommand's
 * examples (am_run.examples) from one table. */
const char *am_run_lookup(const char *const (*table)[2], size_t rows, const char *which);

/* Jobs: independent units of work (a trial at a sweep point, ...) whose results are fixed-size byte
 * records. am_run_jobs runs every job not already in the checkpoint, spread over the MPI ranks and over
 * run->threads threads in each (`serial`: one job at a time per rank, for jobs that use the threads
 * themselves), records each finished result in the checkpoint, shows progress, and gathers all results on
 * rank 0. Results must depend only on the job index (and the program's settings), never on the thread
 * or rank that ran it: then the output is byte-identical at any thread count, rank count, and after a
 * resume. */
typedef struct am_jobs {
    size_t count;        /* jobs 0 .. count-1 */
    size_t result_size;  /* bytes of one result (> 0) */
    /* Run job `job` on thread `thread` (0 .. run->threads-1) into `result` (zeroed before the call);
     * returns 0 or a libam status (the run stops at the first failure). */
    int (*fn)(size_t job, int thread, void *result, void *ctx);
    void *ctx;
    int serial;
    /* Optional: the relative work of job j (> 0, e.g. patterns x units x cues), so that the progress bar
     * and its ETA count work done rather than jobs done when jobs differ in size. NULL: all equal. */
    double (*cost)(size_t job, void *ctx);
} am_jobs;

/* results: count x result_size bytes, caller-owned; complete on rank 0 when it returns 0. Returns 0 or
 * the first failing job's status (its index in *failed_job when failed_job is not NULL). */
int am_run_jobs(am_run *run, const am_jobs *jobs, void *results, size_t *failed_job);

/* 1 on the rank that writes the output (rank 0; always 1 without MPI). */
int am_run_is_root(const am_run *run);

/* Call fn(index, thread, ctx) for index in [0, count) on run->threads threads (OpenBLAS stays at one
 * thread), showing progress with an ETA on stderr when it is a terminal and no other progress line is
 * shown. Each call must write its results only to its own slot, so results do not depend on the number of
 * threads. Returns the first nonzero status returned by fn (the remaining calls are skipped), else 0. */
int am_run_parallel(const am_run *run, size_t count, int (*fn)(size_t index, int thread, void *ctx), void *ctx);

/* A progress line on stderr ("[####    ]  40% 4/10  ETA 12s <text>"), shown only when stderr is a terminal,
 * the run is not --quiet, the process is MPI rank 0 and no other progress line is showing (an inner loop
 * inside a job stays silent); updates are limited to ten a second, and the line is cut to the terminal's
 * width (a wrapped line would leave a stray copy at every update). The bar and the ETA follow the work
 * done: by default one unit per step; am_progress_set_work and am_progress_work weigh steps that differ
 * in cost. The ETA extrapolates from the work done since the start (not from work restored from a
 * checkpoint). */
typedef struct am_progress {
    size_t total;
    double t0, last;
    int show;
    double work_total, work_done, work0; /* work_total 0: steps are the work */
} am_progress;
void am_progress_start(am_progress *p, const am_run *run, size_t total);
/* total work, and the work already done when the bar starts (a resumed run) */
void am_progress_set_work(am_progress *p, double total, double done);
void am_progress_work(am_progress *p, size_t done, double work_done, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void am_progress_update(am_progress *p, size_t done, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void am_progress_end(am_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A monotonic clock in seconds. */
double am_seconds(void);

/* Figures through gnuplot (run directly, never through a shell), each written atomically. Their data (and a
 * grid's or piano roll's script) go to a private scratch directory removed afterwards, never beside the figure;
 * with AM_FIGURE_DATA=DIR in the environment they are kept in DIR instead (NAME.dat, NAME.gp, NAME the last
 * component of the prefix), to redraw a figure by hand. */

/* An image grid for figures: tiles (grid_rows x grid_cols images of h x w pixels in [0, 1], row-major, tile
 * by tile), parted by grey lines, drawn to PREFIX.png with the column titles (grid_cols strings) above, the row
 * titles (grid_rows strings, e.g. "cue", "recalled", "original") at the left, and a title; col_titles,
 * row_titles, any of their entries and title may be NULL. Returns 0, or -1 with the reason printed (gnuplot
 * missing or failing, a prefix with control characters). */
int am_image_grid(const am_run *run, const char *prefix, const float *tiles, size_t grid_rows, size_t grid_cols,
                  size_t h, size_t w, const char *const *col_titles, const char *const *row_titles, const char *title);

/* What an animation shows besides its frames (am_image_gif, am_image_frames); any field may be 0 or NULL. */
typedef struct {
    const float *beside;      /* h x w values in [0, 1] drawn left of every frame, e.g. the pattern being recalled */
    const char *beside_label; /* the label above that panel */
    const char *frame_label;  /* the label above the frames */
    int hold_cs;              /* how long a GIF's last frame stays, hundredths of a second 0..10000 (0: 200); never
                                 shorter than the delay */
} am_image_anim;

/* An animated GIF: count frames of h x w values in [0, 1] (row-major, frame after frame; 1 is drawn black,
 * 0 white: ink on paper), frame k titled titles[k] (titles and any entry may be NULL), delay_cs hundredths of a
 * second apart and the last frame held (anim->hold_cs), with anim's panel and labels (anim may be NULL: the frames
 * alone, the last held 2 s), drawn by gnuplot (run directly, never through a shell) into path atomically, on a
 * canvas of about 320 pixels a panel side (3 to 32 pixels a unit) and wide enough for the longest title. The
 * frames' data go to a scratch directory, removed afterwards. Returns 0, or -1 with the reason printed. */
int am_image_gif(const am_run *run, const char *path, const float *frames, size_t count, size_t h, size_t w,
                 const char *const *titles, int delay_cs, const am_image_anim *anim);
/* The same frames as PNG files PREFIX-0000.png, PREFIX-0001.png, ...; each written as NAME.tmp and renamed
 * when gnuplot succeeds. Returns 0, or -1 with the reason printed. */
int am_image_frames(const am_run *run, const char *prefix, const float *frames, size_t count, size_t h, size_t w,
                    const char *const *titles, const am_image_anim *anim);
/* A matrix as a heat map (blue lo, white midway, red hi) in PREFIX.png: values
 * rows x cols (row-major; row 0 at the top), labels (rows strings for a square matrix, may be NULL) on both
 * axes, each cell's value printed when the matrix is small (up to 20 x 20). Returns 0, or -1 with the
 * reason printed. */
int am_image_matrix(const am_run *run, const char *prefix, const double *values, size_t rows, size_t cols, double lo,
                    double hi, const char *const *labels, const char *title, const char *xlabel, const char *ylabel);
/* Curves against x in PREFIX.png: n points, y n x series (row-major), series 1 .. 64
 * titled labels[k] (labels may be NULL). Returns 0, or -1 with the reason printed. */
int am_image_lines(const am_run *run, const char *prefix, const double *x, const double *y, size_t n, size_t series,
                   const char *const *labels, const char *title, const char *xlabel, const char *ylabel);

/* ---- melodies (melody.c) ---- */
struct am_melody;
/* Melody m as sound through fluidsynth: m written as a temporary MIDI file (General MIDI program `program`
 * 0..127), rendered by `fluidsynth -ni -T wav -F OUT -r 44100 SOUNDFONT MIDI` (run directly, never through a
 * shell) with the first of /usr/share/sounds/sf2/FluidR3_GM.sf2 and default-GM.sf2 found (AM_SOUNDFONT in the
 * environment names another), mixed to mono, brought to AM_AUDIO_SPEECH_DB active level (peak at most
 * AM_AUDIO_PEAK_DB) and written to wav atomically at 44100 Hz. Returns 0; 1 when fluidsynth or the soundfont
 * is missing (a one-line reason printed, with the Debian packages; nothing written: the caller may fall back to
 * am_melody_render); -1 on failure (reason printed). */
int am_run_synth(const am_run *run, const struct am_melody *m, const char *wav, int program);
/* The melody as a WAV file either way: am_run_synth, else (saying so on stderr) am_melody_render at 44100 Hz
 * written atomically. 0, or -1 with the reason printed. */
int am_run_melody_wav(const am_run *run, const struct am_melody *m, const char *wav, int program);
/* A piano roll in PREFIX.png (written atomically; data and script as for the figures above): one
 * panel per melody (count 1..8, stacked top to bottom; e.g. cue, recalled, original), titled labels[k] (labels
 * and its entries may be NULL), x in beats (quarter notes, a grid line at each bar of the last melody's meter),
 * y pitch names, notes as boxes. The last melody is the reference: in the panels above it, the parts of notes
 * that differ from it on the grid of `step` ticks (pitch or onset; 0: AM_MELODY_TPQ / 2) are red and its own
 * notes are drawn behind as grey outlines, and each such panel's title counts the steps that differ. Returns 0,
 * or -1 with the reason printed. */
int am_image_pianoroll(const am_run *run, const char *prefix, const struct am_melody *const *rolls,
                       const char *const *labels, size_t count, uint32_t step, const char *title);

/* Load a dataset split for a program: from IDX files when `images` is set (labels may be NULL), else the
 * Fashion-MNIST split ("train" or "test") from dir (NULL: the Debian location). NULL, with a one-line
 * reason printed (and the package to install when the default data is missing), on failure. */
struct am_dataset *am_run_load_data(const am_run *run, const char *dir, const char *images, const char *labels,
                                    const char *split);

/* Parsing helpers for list-valued options. */
/* "a0:a1:step" (finite, 0 < step, a0 <= a1) -> up to max values a0, a0+step, ..., <= a1 (+1e-9); returns
 * the count, or -1 if malformed or longer than max. */
int am_parse_range(const char *s, double *vals, int max);
/* "v1,v2,..." of non-negative integers; returns the count, or -1 if malformed. */
int am_parse_u64_list(const char *s, uint64_t *vals, int max);
/* "x1,x2,..." of finite numbers in [lo, hi]; returns the count, or -1 if malformed or out of range. */
int am_parse_double_list(const char *s, double lo, double hi, double *vals, int max);
/* "RxC": two plain decimal numbers in 1..65535 joined by 'x'; 0, or -1 if malformed. */
int am_parse_shape(const char *s, unsigned long *rows, unsigned long *cols);
/* "kind[:value],kind[:value],...": each kind one of `kinds` (NULL-terminated), its index in kind[], its value
 * (a finite number) in value[], or NaN when the item has no ':value'; returns the count, or -1 if malformed,
 * unknown or longer than max. */
int am_parse_kv_list(const char *s, const char *const *kinds, int *kind, double *value, int max);
/* "w1,w2,..." words: splits a copy into at most max words; returns the count, or -1. */
int am_parse_words(const char *s, char *buf, size_t bufsize, const char **words, int max);

#ifdef __cplusplus
}
#endif
#endif
