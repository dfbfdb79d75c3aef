/* The experiment programs' shared command line, output header, progress and trial threads. */
#include "am/harness.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "am/blas.h"
#include "am/data.h"
#include "am/error.h"
#include "am/version.h"

void am_run_error(const am_run *run, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", run->program);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void print_default(const am_opt *o)
{
    switch (o->type) {
    case AM_OPT_INT: printf(" (default %d)", *(int *)o->dest); break;
    case AM_OPT_U64: printf(" (default %llu)", (unsigned long long)*(uint64_t *)o->dest); break;
    case AM_OPT_DOUBLE: printf(" (default %g)", *(double *)o->dest); break;
    case AM_OPT_STRING:
        if (*(const char **)o->dest)
            printf(" (default %s)", *(const char **)o->dest);
        break;
    case AM_OPT_FLAG: break;
    }
}

static void print_opt(const am_opt *o)
{
    char left[64];
    snprintf(left, sizeof left, "--%s%s%s", o->name, o->type == AM_OPT_FLAG ? "" : " ",
             o->type == AM_OPT_FLAG ? "" : (o->metavar ? o->metavar : "X"));
    printf("  %-24s %s", left, o->help ? o->help : "");
    print_default(o);
    putchar('\n');
}

static void usage(const am_run *run, const am_opt *opts, const am_opt *common)
{
    printf("Usage: %s%s%s [options]\n%s\n\nOptions:\n", run->program, run->subcommand ? " " : "",
           run->subcommand ? run->subcommand : "", run->summary ? run->summary : "");
    for (const am_opt *o = opts; o->name; o++)
        print_opt(o);
    printf("\nCommon options:\n");
    for (const am_opt *o = common; o->name; o++)
        print_opt(o);
    printf("  %-24s %s\n  %-24s %s\n", "--help", "print this help and exit", "--version",
           "print the version and exit");
    if (run->description)
        printf("\n%s", run->description);
}

static int set_value(const am_run *run, const am_opt *o, const char *v)
{
    char *end = NULL;
    errno = 0;
    switch (o->type) {
    case AM_OPT_INT: {
        long x = strtol(v, &end, 10);
        if (errno || end == v || *end || x < -2147483647L || x > 2147483647L)
            goto bad;
        *(int *)o->dest = (int)x;
        return 0;
    }
    case AM_OPT_U64: {
        if (*v == '-')
            goto bad;
        unsigned long long x = strtoull(v, &end, 10);
        if (errno || end == v || *end)
            goto bad;
        *(uint64_t *)o->dest = x;
        return 0;
    }
    case AM_OPT_DOUBLE: {
        double x = strtod(v, &end);
        if (errno || end == v || *end || !isfinite(x))
            goto bad;
        *(double *)o->dest = x;
        return 0;
    }
    case AM_OPT_STRING: *(const char **)o->dest = v; return 0;
    case AM_OPT_FLAG: *(int *)o->dest = 1; return 0;
    }
bad:
    am_run_error(run, "invalid value '%s' for --%s", v, o->name);
    return -1;
}

static const am_opt *find_opt(const am_opt *opts, const char *name, size_t len)
{
    for (const am_opt *o = opts; o->name; o++)
        if (strlen(o->name) == len && !strncmp(o->name, name, len))
            return o;
    return NULL;
}

int am_run_parse(am_run *run, am_opt *opts, int argc, char **argv)
{
    am_opt common[] = {
        {"seed", AM_OPT_U64, &run->seed, "S", "random seed; trials use streams derived from (S, trial)"},
        {"out", AM_OPT_STRING, &run->out, "FILE", "output TSV file, - for standard output"},
        {"threads", AM_OPT_INT, &run->threads, "T", "threads running trials (results do not depend on it)"},
        {"quiet", AM_OPT_FLAG, &run->quiet, NULL, "no progress line on stderr"},
        {NULL, 0, NULL, NULL, NULL},
    };
    if (!run->out)
        run->out = "-";
    if (run->threads <= 0)
        run->threads = omp_get_num_procs();
    run->argc = argc;
    run->argv = argv;
    am_blas_ensure_fast(argv);
    for (int k = run->subcommand ? 2 : 1; k < argc; k++) {
        const char *a = argv[k], *eq;
        const am_opt *o;
        size_t len;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(run, opts, common);
            return 1;
        }
        if (!strcmp(a, "--version")) {
            printf("%s (libam %s, commit %s, OpenBLAS %s)\n", run->program, am_version(), am_git_commit(),
                   am_blas_corename());
            return 1;
        }
        if (strncmp(a, "--", 2)) {
            am_run_error(run, "unexpected argument '%s' (try --help)", a);
            return -1;
        }
        a += 2;
        eq = strchr(a, '=');
        len = eq ? (size_t)(eq - a) : strlen(a);
        o = find_opt(opts, a, len);
        if (!o)
            o = find_opt(common, a, len);
        if (!o) {
            am_run_error(run, "unknown option '--%.*s' (try --help)", (int)len, a);
            return -1;
        }
        if (o->type == AM_OPT_FLAG) {
            if (eq) {
                am_run_error(run, "--%s takes no value", o->name);
                return -1;
            }
            *(int *)o->dest = 1;
            continue;
        }
        if (!eq && k + 1 >= argc) {
            am_run_error(run, "--%s needs a value", o->name);
            return -1;
        }
        if (set_value(run, o, eq ? eq + 1 : argv[++k]))
            return -1;
    }
    if (run->threads < 1 || run->threads > 1024) {
        am_run_error(run, "--threads must be between 1 and 1024");
        return -1;
    }
    return 0;
}

/* Quote an argument for a POSIX shell only when it needs it. */
static void put_arg(FILE *f, const char *a)
{
    if (*a && strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.,:/=+@%") == strlen(a)) {
        fputs(a, f);
        return;
    }
    fputc('\'', f);
    for (; *a; a++) {
        if (*a == '\'')
            fputs("'\\''", f);
        else
            fputc(*a, f);
    }
    fputc('\'', f);
}

/* Options that cannot change results are left out of the recorded command, so the file depends only on
 * what does. */
static int result_neutral(const char *a, int *takes_value)
{
    static const char *const names[] = {"threads", "out", "quiet", NULL};
    if (strncmp(a, "--", 2))
        return 0;
    for (int k = 0; names[k]; k++) {
        size_t len = strlen(names[k]);
        if (!strncmp(a + 2, names[k], len) && (a[2 + len] == 0 || a[2 + len] == '=')) {
            *takes_value = a[2 + len] == 0 && strcmp(names[k], "quiet");
            return 1;
        }
    }
    return 0;
}

FILE *am_run_open(const am_run *run)
{
    FILE *f = strcmp(run->out, "-") ? fopen(run->out, "w") : stdout;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    if (!f) {
        am_run_error(run, "cannot open '%s' for writing: %s", run->out, strerror(errno));
        return NULL;
    }
    fprintf(f, "# program: %s %s\n# command:", run->program, am_version());
    for (int k = 0; k < run->argc; k++) {
        int takes = 0;
        if (k == 1 && run->subcommand) {
            fprintf(f, " %s", run->subcommand);
            continue;
        }
        if (k > 0 && result_neutral(run->argv[k], &takes)) {
            k += takes;
            continue;
        }
        fputc(' ', f);
        put_arg(f, k == 0 ? run->program : run->argv[k]);
    }
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(f, "\n# seed: %llu\n# libam: %s commit %s\n# date: %s threads=%d blas=%s\n",
            (unsigned long long)run->seed, am_version(), am_git_commit(), date, run->threads, am_blas_corename());
    return f;
}

int am_run_close(const am_run *run, FILE *f)
{
    int bad = ferror(f);
    if (f != stdout)
        bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    if (bad) {
        am_run_error(run, "writing '%s' failed", run->out);
        return -1;
    }
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show_progress(size_t done, size_t total, double t0, int final, const char *extra)
{
    double el = now_seconds() - t0, eta = done ? el * (double)(total - done) / (double)done : 0.0;
    int width = 30, fill = total ? (int)((double)width * (double)done / (double)total) : width;
    if (fill > width)
        fill = width;
    fprintf(stderr, "\r[%.*s%*s] %3d%% %zu/%zu  %s %.0fs %s ", fill, "##############################",
            width - fill, "", total ? (int)(100.0 * (double)done / (double)total) : 100, done, total,
            final ? "took" : "ETA", final ? el : eta, extra ? extra : "");
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

void am_progress_start(am_progress *p, const am_run *run, size_t total)
{
    p->total = total;
    p->t0 = now_seconds();
    p->last = 0.0;
    p->show = run && !run->quiet && isatty(2);
}

void am_progress_update(am_progress *p, size_t done, const char *fmt, ...)
{
    char extra[160] = "";
    if (!p->show)
        return;
    double t = now_seconds();
    if (t - p->last < 0.1 && done < p->total)
        return;
    p->last = t;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(extra, sizeof extra, fmt, ap);
        va_end(ap);
    }
    show_progress(done, p->total, p->t0, 0, extra);
}

void am_progress_end(am_progress *p, const char *fmt, ...)
{
    char extra[160] = "";
    if (!p->show)
        return;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(extra, sizeof extra, fmt, ap);
        va_end(ap);
    }
    show_progress(p->total, p->total, p->t0, 1, extra);
}

double am_seconds(void)
{
    return now_seconds();
}

int am_run_parallel(const am_run *run, size_t count, int (*fn)(size_t, int, void *), void *ctx)
{
    int blas_threads = am_blas_get_threads(), status = 0;
    int show = !run->quiet && isatty(2);
    size_t done = 0;
    double t0 = now_seconds(), last = 0.0;
    am_blas_set_threads(1);
#pragma omp parallel num_threads(run->threads)
    {
        int tid = omp_get_thread_num();
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < count; i++) {
            int skip, rc;
#pragma omp atomic read
            skip = status;
            if (skip)
                continue;
            rc = fn(i, tid, ctx);
            if (rc) {
#pragma omp critical(am_status)
                if (!status)
                    status = rc;
            }
#pragma omp atomic
            done++;
            if (show && tid == 0) {
                double t = now_seconds();
                if (t - last > 0.1) {
                    size_t d;
#pragma omp atomic read
                    d = done;
                    show_progress(d, count, t0, 0, NULL);
                    last = t;
                }
            }
        }
    }
    if (show)
        show_progress(done, count, t0, 1, NULL);
    am_blas_set_threads(blas_threads);
    return status;
}

int am_parse_range(const char *s, double *vals, int max)
{
    double a0, a1, st;
    char tail;
    int n = 0;
    if (!s || sscanf(s, "%lf:%lf:%lf%c", &a0, &a1, &st, &tail) != 3)
        return -1;
    if (!isfinite(a0) || !isfinite(a1) || !(st > 0.0) || a1 < a0)
        return -1;
    for (int k = 0;; k++) {
        double v = a0 + k * st;
        if (v > a1 + 1e-9 * (fabs(a1) + 1.0))
            break;
        if (n == max)
            return -1;
        vals[n++] = v;
    }
    return n;
}

int am_parse_u64_list(const char *s, uint64_t *vals, int max)
{
    int n = 0;
    if (!s || !*s)
        return -1;
    while (*s) {
        char *end;
        if (*s < '0' || *s > '9' || n == max)
            return -1;
        errno = 0;
        vals[n++] = strtoull(s, &end, 10);
        if (errno)
            return -1;
        s = end;
        if (*s == ',' && s[1])
            s++;
        else if (*s)
            return -1;
    }
    return n;
}

int am_parse_words(const char *s, char *buf, size_t bufsize, const char **words, int max)
{
    int n = 0;
    char *p;
    if (!s || !*s || strlen(s) >= bufsize)
        return -1;
    strcpy(buf, s);
    p = buf;
    while (p) {
        char *c = strchr(p, ',');
        if (c)
            *c = 0;
        if (!*p || n == max)
            return -1;
        words[n++] = p;
        p = c ? c + 1 : NULL;
    }
    return n;
}

am_dataset *am_run_load_data(const am_run *run, const char *dir, const char *images, const char *labels,
                             const char *split)
{
    am_dataset *ds = NULL;
    int rc;
    if (images) {
        if ((rc = am_dataset_load(&ds, images, labels, 1.0 / 255.0))) {
            am_run_error(run, "cannot load '%s'%s%s: %s", images, labels ? " with labels " : "", labels ? labels : "",
                         am_strerror(rc));
            return NULL;
        }
        return ds;
    }
    if ((rc = am_fashion_load(&ds, dir, split))) {
        if (!dir && rc == AM_EIO)
            am_run_error(run, "Fashion-MNIST not found in %s: install the Debian package dataset-fashion-mnist "
                              "(tools/install-deps) or give --data DIR or --images FILE", AM_FASHION_DIR);
        else
            am_run_error(run, "cannot load the Fashion-MNIST %s split from %s: %s", split, dir ? dir : AM_FASHION_DIR,
                         am_strerror(rc));
        return NULL;
    }
    return ds;
}
