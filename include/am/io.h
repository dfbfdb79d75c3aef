/* libam — how libam writes files.
 *
 * Every file libam writes (stores, models, IDX files, the programs' TSV and figures) is written to a
 * temporary file beside its target ("<target>.tmp-XXXXXX"), flushed to disk and renamed over the target
 * only when everything was written: an interrupted run, a full disk or any other failure leaves the
 * previous file intact and no partial file. Outputs that are not regular files (standard output,
 * /dev/null, a pipe) are written in place. */
#ifndef AM_IO_H
#define AM_IO_H

#ifdef __cplusplus
extern "C" {
#endif

/* Delete every temporary file libam is writing at this moment (and the staging directories programs register).
 * Async-signal-safe: call it from a
 * SIGINT/SIGTERM handler before re-raising the signal (libam's programs do). */
void am_io_remove_temporaries(void);

#ifdef __cplusplus
}
#endif
#endif
