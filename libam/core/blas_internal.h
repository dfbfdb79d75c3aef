/* Internal: OpenBLAS loaded on first use, and held to one thread around libam's own BLAS calls.
 *
 * Loading OpenBLAS (about 14,000 symbol relocations of its kernel tables, and its thread pool) costs every
 * program several milliseconds before main, more than a whole small run; most runs never call it (the
 * classical and dense stores' recalls are integer kernels). So libam does not link OpenBLAS: the CBLAS
 * functions it calls are looked up on first use, in the process first (a program linked against a BLAS of its
 * own keeps it), else in the library libam was built against (AM_BLAS_SONAME, libopenblas.so.0 on Debian).
 * This header must be included by every libam file that calls them: it renames the calls to the loaded table.
 *
 * OpenBLAS sums in an order that can depend on how many threads split a call; libam's results must not depend
 * on any thread count, so every library function that calls BLAS runs it single-threaded (libam parallelises
 * over its own fixed blocks). */
#ifndef AM_CORE_BLAS_INTERNAL_H
#define AM_CORE_BLAS_INTERNAL_H

#include <cblas.h>

typedef struct am__blas_table {
    __typeof__(cblas_sgemm) *sgemm;
    __typeof__(cblas_sgemv) *sgemv;
    __typeof__(cblas_ssymv) *ssymv;
    __typeof__(cblas_ssymm) *ssymm;
    __typeof__(cblas_ssyrk) *ssyrk;
    __typeof__(cblas_dgemm) *dgemm;
    __typeof__(cblas_dsyrk) *dsyrk;
    __typeof__(cblas_dsyr) *dsyr;
} am__blas_table;

/* The table, loading the library on the first call (thread-safe). Never NULL: when no BLAS can be loaded the
 * program stops with a message naming the library and the loader's reason, as it would have at start-up had
 * it been linked. */
const am__blas_table *am__blas(void);
/* 1 once a BLAS is loaded (or found linked into the process). */
int am__blas_loaded(void);

#define cblas_sgemm (am__blas()->sgemm)
#define cblas_sgemv (am__blas()->sgemv)
#define cblas_ssymv (am__blas()->ssymv)
#define cblas_ssymm (am__blas()->ssymm)
#define cblas_ssyrk (am__blas()->ssyrk)
#define cblas_dgemm (am__blas()->dgemm)
#define cblas_dsyrk (am__blas()->dsyrk)
#define cblas_dsyr (am__blas()->dsyr)

/* Set OpenBLAS to one thread (unless it is already, or not loaded yet, or we are inside a parallel region,
 * where libam's callers have already done so); returns the count to restore. */
int am__blas_serial(void);
void am__blas_restore(int threads);

#endif
