/* Internal: LAPACKE loaded on first use. Only a few models need LAPACK (the pseudo-inverse rule, PCA, the
 * latent codes' least squares), and loading it with every program (liblapacke, OpenBLAS's liblapack and
 * libtmglib) costs each run about 1.5 ms before main. The functions are looked up in the process first (a
 * program linked against a LAPACKE of its own keeps it), then in AM_LAPACKE if that is set, else in the
 * library libam was built against (AM_LAPACKE_SONAME, liblapacke.so.3 on Debian). */
#ifndef AM_CORE_LAPACK_H
#define AM_CORE_LAPACK_H

#include <lapacke.h>

typedef struct am__lapack {
    lapack_int (*dgesdd)(int layout, char jobz, lapack_int m, lapack_int n, double *a, lapack_int lda, double *s,
                         double *u, lapack_int ldu, double *vt, lapack_int ldvt);
    lapack_int (*dsyevd)(int layout, char jobz, char uplo, lapack_int n, double *a, lapack_int lda, double *w);
    lapack_int (*dposv)(int layout, char uplo, lapack_int n, lapack_int nrhs, double *a, lapack_int lda, double *b,
                        lapack_int ldb);
} am__lapack;

/* The table, loaded once (thread-safe); NULL when no LAPACKE can be loaded: callers then return
 * AM_ERRNO(ELIBACC), for which am_strerror gives am__lapack_failure(). */
const am__lapack *am__lapack_get(void);
/* Which library failed to load and why (static storage); NULL if loading was not tried or succeeded. */
const char *am__lapack_failure(void);

#endif
