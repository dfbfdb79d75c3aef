/* Internal: OpenBLAS held to one thread around libam's own BLAS calls. OpenBLAS sums in an order that can
 * depend on how many threads split a call; libam's results must not depend on any thread count, so every
 * library function that calls BLAS runs it single-threaded (libam parallelises over its own fixed blocks). */
#ifndef AM_CORE_BLAS_INTERNAL_H
#define AM_CORE_BLAS_INTERNAL_H

/* Set OpenBLAS to one thread (unless it is already, or we are inside a parallel region, where libam's
 * callers have already done so); returns the count to restore. */
int am__blas_serial(void);
void am__blas_restore(int threads);

#endif
