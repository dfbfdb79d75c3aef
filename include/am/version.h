/* libam — version of the library and of the source tree it was built from. */
#ifndef AM_VERSION_H
#define AM_VERSION_H

#define AM_VERSION_MAJOR 0
#define AM_VERSION_MINOR 1
#define AM_VERSION_PATCH 0
#define AM_VERSION_STRING "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* "0.1.0": the version of the library linked at run time. */
const char *am_version(void);
/* Git commit the library was built from ("<hash>" or "<hash>-dirty"), or "unknown" outside git. */
const char *am_git_commit(void);

#ifdef __cplusplus
}
#endif
#endif
