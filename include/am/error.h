/* libam — status codes and checked size arithmetic.
 * Every fallible libam function returns one of these codes: 0 on success, a negative value on failure.
 * Failures reported by the operating system keep their errno: the status is AM_ERRNO(errno), so
 * am_strerror says "No such file or directory", "Is a directory", "No space left on device", ... and
 * am_status_errno gives the errno back. */
#ifndef AM_ERROR_H
#define AM_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    AM_OK = 0,
    AM_EINVAL = -1,     /* an argument is out of its documented range */
    AM_ENOMEM = -2,     /* an allocation failed */
    AM_EOVERFLOW = -3,  /* a size computation would overflow */
    AM_EIO = -4,        /* a read or write failed */
    AM_EFORMAT = -5,    /* a file is not in the expected format */
    AM_ECHECKSUM = -6,  /* a file's checksum does not match its contents */
    AM_ETRUNC = -7,     /* a file ends before its header says it should */
    AM_EVERSION = -8,   /* a file was written by an unsupported format version */
    AM_ESIZE = -9,      /* dimensions of two arguments do not agree */
    AM_ENUMERIC = -10,  /* a numerical routine failed (no convergence, a matrix not positive definite) */
    AM_EEMPTY = -11,    /* there is nothing to work on: no stored patterns, neurons, rows, words, ... */
    AM_EUNSUPPORTED = -12, /* the operation does not apply to this model or configuration */
    AM_ENOTFINITE = -13,  /* a value that must be finite is NaN or infinite */
    AM_ERANGE = -14,      /* a value is outside the range the format or model allows */
    AM_ECANCELED = -15,   /* the caller's cancel hook stopped the call (am/cancel.h) */
    AM_ESYS = -1000       /* base of the system errors: AM_ERRNO(e) = AM_ESYS - e */
};

/* The status of a failed system call that set errno to e (> 0). */
#define AM_ERRNO(e) (AM_ESYS - (e))
/* The errno kept in a status, or 0 when the status is not a system error. */
int am_status_errno(int status);

/* A short English description of a status code (for system errors, strerror of their errno); never NULL,
 * static storage. */
const char *am_strerror(int status);

/* *out = a * b; returns AM_EOVERFLOW instead of wrapping. */
int am_size_mul(size_t a, size_t b, size_t *out);
/* *out = a * b * c, checked the same way. */
int am_size_mul3(size_t a, size_t b, size_t c, size_t *out);

#ifdef __cplusplus
}
#endif
#endif
