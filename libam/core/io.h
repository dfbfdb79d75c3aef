/* Internal: files. Atomic outputs (a temporary file beside the target, renamed over it on success) and
 * little-endian binary files with a running CRC-32, shared by every model's save/load. */
#ifndef AM_CORE_IO_H
#define AM_CORE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- atomic outputs ----
 * am__tmp_reserve creates an empty temporary file "<target>.tmp-XXXXXX" beside the target (symlinks are
 * followed, so the link survives), with the target's permissions (or 0666 & ~umask for a new file), and
 * registers it so that am_io_remove_temporaries (a signal handler) can delete it. *final receives the
 * path to rename over. Targets that are not regular files (/dev/null, a pipe, a terminal) are written in
 * place: *tmp is then NULL and *final is the target itself. Both strings are owned by the caller until
 * am__tmp_commit / am__tmp_discard, which free them. The statuses keep errno. */
int am__tmp_reserve(const char *path, char **tmp, char **final, int *fd);
/* A temporary directory (a program's staging area, made with mkdtemp): am_io_remove_temporaries empties (two
 * levels deep) and removes it, as it removes temporary files, until it is forgotten (the program then removes
 * or renames it itself). AM_ENOMEM when the registry is full. */
int am__tmpdir_add(const char *path);
void am__tmpdir_forget(const char *path);

/* fsync the temporary file, rename it over the target, forget it. On failure the temporary is removed
 * and the target left as it was. */
int am__tmp_commit(char *tmp, char *final);
/* Remove the temporary file (if any) and forget it; the target is untouched. */
void am__tmp_discard(char *tmp, char *final);

/* A stdio stream on an atomic output. */
typedef struct am__out {
    FILE *f;
    char *tmp, *final;
} am__out;
int am__out_open(am__out *o, const char *path);
/* Flush, check for write errors, close and commit. Returns the first error (errno kept). */
int am__out_commit(am__out *o);
void am__out_abort(am__out *o);

/* One line of a text file into buf (size >= 2 bytes, NUL-terminated, without the newline and a CR before it;
 * NUL bytes in the line are kept, so *len may exceed strlen(buf)) and its length in *len. Returns 0, 1 for a
 * line longer than size - 1 bytes (buf holds its start, the rest is skipped), -1 at the end of the file. A
 * bounded read: no line, however long, is held in memory whole. */
int am__read_line(FILE *f, char *buf, size_t size, size_t *len);

/* The status of the last failed system call: AM_ERRNO(errno), or AM_EIO without an errno. */
int am__errno_status(void);

/* A reader's message into err (size bytes; nothing when err is NULL or size 0), printf-style. */
void am__say(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same message, returning AM_EINVAL: `return am__invalid(err, size, "x must be ...", ...);` */
int am__invalid(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- binary files with a CRC-32 trailer ---- */
typedef struct am__file {
    FILE *f;
    uint32_t crc;
    int err;          /* first error seen, AM_OK otherwise */
    uint64_t left;    /* reading: payload bytes the file still holds before its CRC trailer */
    int nonfinite;    /* reading: a value that had to be finite was not (reported by am__rclose once the
                       * checksum is known to be good, so that damage reads as damage) */
    am__out out;      /* writing: the atomic output */
} am__file;

/* Writing: open, put fields, close (appends the CRC of everything written and commits the file; on any
 * error the previous file at path is left as it was). */
int am__wopen(am__file *w, const char *path);
void am__put(am__file *w, const void *buf, size_t len);
void am__put_u32(am__file *w, uint32_t v);
void am__put_u64(am__file *w, uint64_t v);
void am__put_f64(am__file *w, double v);
void am__put_f32s(am__file *w, const float *v, size_t n);
void am__put_u64s(am__file *w, const uint64_t *v, size_t n);
int am__wclose(am__file *w);

/* Reading: open checks the magic and version and learns the file size; get_* fail with AM_ETRUNC past
 * the end; close verifies the CRC trailer and that nothing follows it. Missing files, directories and
 * unreadable files keep their errno. */
int am__ropen(am__file *r, const char *path, const char magic[8], uint32_t max_version, uint32_t *version);
void am__get(am__file *r, void *buf, size_t len);
uint32_t am__get_u32(am__file *r);
uint64_t am__get_u64(am__file *r);
/* A double that must be finite (else am__rclose reports AM_ENOTFINITE). */
double am__get_f64(am__file *r);
void am__get_f32s(am__file *r, float *v, size_t n);
/* The same, every value checked finite (else am__rclose reports AM_ENOTFINITE). */
void am__get_f32s_finite(am__file *r, float *v, size_t n);
void am__get_u64s(am__file *r, uint64_t *v, size_t n);
/* AM_ETRUNC unless at least `bytes` payload bytes remain (checked before allocating). */
int am__need(am__file *r, uint64_t bytes);
/* The same for count items of size bytes each, with the product checked for overflow. */
int am__need_items(am__file *r, uint64_t count, uint64_t size);
int am__rclose(am__file *r);
void am__rabort(am__file *r);

/* The first 8 bytes of a file, to dispatch on a magic: AM_OK, AM_ETRUNC (a shorter file starting like a
 * libam file), AM_EFORMAT, or a system error. */
int am__read_magic(const char *path, char magic[8]);

#endif
