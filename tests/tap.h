/* Minimal TAP producer for libam's tests: ok(), is_near() with explicit tolerances, done_testing(). */
#ifndef AM_TESTS_TAP_H
#define AM_TESTS_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* What the code between tap_stderr_begin() and tap_stderr_end() writes to stderr (file descriptor 2, so the
 * library's and the harness's messages alike) goes to a temporary file instead of the TAP run's output;
 * tap_stderr_end() restores stderr and copies the text, NUL-terminated and cut to n - 1 bytes, to buf. */
static int tap_saved_fd = -1;
static FILE *tap_err_file;
static inline void tap_stderr_begin(void)
{
    fflush(stderr);
    tap_err_file = tmpfile();
    tap_saved_fd = dup(2);
    if (!tap_err_file || tap_saved_fd < 0 || dup2(fileno(tap_err_file), 2) < 0) {
        perror("tap_stderr_begin");
        exit(2);
    }
}
static inline void tap_stderr_end(char *buf, size_t n)
{
    fflush(stderr);
    dup2(tap_saved_fd, 2);
    close(tap_saved_fd);
    rewind(tap_err_file);
    size_t got = fread(buf, 1, n - 1, tap_err_file);
    buf[got] = 0;
    fclose(tap_err_file);
    tap_err_file = NULL;
}
/* The status of call is want and its stderr exactly msg ("" for none); the name says what is tested. */
#define is_status_msg(call, want, msg, name)                                                                   \
    do {                                                                                                       \
        char e_[1024];                                                                                         \
        tap_stderr_begin();                                                                                    \
        long long s_ = (long long)(call);                                                                      \
        tap_stderr_end(e_, sizeof e_);                                                                         \
        if (!tap_ok(s_ == (want) && !strcmp(e_, (msg)), "%s", (name)))                                         \
            printf("#   got %lld and message '%s', want %lld and '%s'\n", s_, e_, (long long)(want), (msg));     \
    } while (0)

static inline int done_testing(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
