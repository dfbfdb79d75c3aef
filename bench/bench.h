/* Shared helpers of the benchmark programs: a monotonic clock and the median of repeated runs. */
#ifndef AM_BENCH_H
#define AM_BENCH_H

#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts t[0..n) in place; t[0] is then the best run and t[n/2] the median. */
static inline void bench_sort(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, bench_cmp);
}

#endif
