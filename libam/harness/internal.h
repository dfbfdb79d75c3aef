/* Internal: state shared by the harness's files (one run per process). */
#ifndef AM_HARNESS_INTERNAL_H
#define AM_HARNESS_INTERNAL_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "../core/io.h"
#include "harness.h"
#include "mpi.h"

struct am__run_state {
    am__out out;            /* rank 0's output file while it is written */
    int out_kind;           /* 0 none, 1 file (out), 2 standard output, 3 discarded (ranks > 0) */
    time_t start;           /* when the run began (from the checkpoint when resuming) */
    char ckpt_path[4200];   /* empty: no checkpoint */
    int ckpt_explicit;      /* --checkpoint was given: failing to write it is an error */
    uint64_t fingerprint;   /* of everything that determines the results */
    int resumed;            /* a checkpoint of this command was found by am_run_open */
    int ckpt_ours;          /* this run created or resumed the checkpoint file: am_run_close removes it */
    const am__mpi *mpi;     /* NULL without mpirun */
    int working;            /* jobs are running: every rank may report errors */
};

/* Run-wide flag: a progress line is on the terminal, so inner loops keep quiet. */
extern int am__progress_active;

/* FNV-1a over bytes, continuing from h (start with AM__FNV_INIT). */
#define AM__FNV_INIT 0xcbf29ce484222325ull
uint64_t am__fnv(uint64_t h, const void *p, size_t n);

/* Read the records of a checkpoint positioned after its header: every intact record (a CRC that matches, a
 * job below count) stores its result in results and marks done[job]; reading stops at the first bad or
 * short record. Returns the file offset after the last good record, or -1 when out of memory. */
/* Have a run stopped by SIGINT, SIGTERM or SIGHUP say how to resume from checkpoint ckpt (when it exists). */
void am__resume_hint(const char *program, const char *ckpt);
long am__ckpt_scan(FILE *f, size_t count, size_t size, unsigned char *results, unsigned char *done, size_t *ndone);

/* Load the MPI plugin and join the job when the environment says mpirun started us: 0 (joined, or not
 * under mpirun), -1 with the reason printed. */
int am__mpi_join(am_run *run, int *argc, char ***argv);

/* Figures (imagegrid.c): s as a gnuplot single-quoted string (control characters blanked); whether s has control
 * characters; a gnuplot script (written by write from script) drawn into path atomically, *target pointed at
 * the file gnuplot must write (0, or -1 with the reason printed, naming dat where the data stay); a figure's
 * data or script file opened and committed atomically with failures printed (0 or a status). */
void am__gp_quote(FILE *f, const char *s);
int am__gp_has_control(const char *s);
int am__gnuplot_to_file(const am_run *run, const char *path, const char **target, void (*write)(FILE *, void *),
                        void *script, const char *dat);
int am__figure_out_open(const am_run *run, am__out *o, const char *path);
int am__figure_out_commit(const am_run *run, am__out *o, const char *path);
/* Where a figure's data and script files go, never beside the figure: a private scratch directory that
 * am__fig_dir_close empties and removes (also removed when the run is interrupted), or the directory named by
 * AM_FIGURE_DATA, where they are kept (keep = 1). open: 0, or -1 with the reason printed; path: dir/NAME ext in
 * out (size bytes), NAME the last component of prefix, 0 or -1 with the reason printed. */
typedef struct {
    char dir[4200];
    int keep;
} am__fig_dir;
int am__fig_dir_open(const am_run *run, am__fig_dir *d);
int am__fig_dir_path(const am_run *run, const am__fig_dir *d, const char *prefix, const char *ext, char *out, size_t size);
void am__fig_dir_close(am__fig_dir *d);

#endif
