/* Minimal TAP producer for libam's tests: ok(), is_near() with explicit tolerances, done_testing(). */
#ifndef AM_TESTS_TAP_H
#define AM_TESTS_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int tap_ok(int cond, const char *fmt, ...)
{
    va_list ap;
    printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    if (!cond)
        tap_failed++;
    fflush(stdout);
    return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __VA_ARGS__)
/* |got - want| <= tol, reporting both on failure. */
#define is_near(got, want, tol, ...)                                                                            \
    do {                                                                                                       \
        double g_ = (got), w_ = (want);                                                                        \
        if (!tap_ok(fabs(g_ - w_) <= (tol), __VA_ARGS__))                                                      \
            printf("#   got %.10g, want %.10g (tolerance %g)\n", g_, w_, (double)(tol));                       \
    } while (0)
#define is_int(got, want, ...)                                                                                 \
    do {                                                                                                       \
        long long g_ = (long long)(got), w_ = (long long)(want);                                               \
        if (!tap_ok(g_ == w_, __VA_ARGS__))                                                                    \
            printf("#   got %lld, want %lld\n", g_, w_);                                                       \
    } while (0)
#define diag(...) (printf("# "), printf(__VA_ARGS__), putchar('\n'))

static inline int done_testing(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
