/* The experiment programs' shared command line, atomic outputs, progress, trial threads and parsers. */
#include "harness.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "am/blas.h"
#include "am/data.h"
#include "am/error.h"
#include "am/io.h"
#include "am/version.h"
#include "../core/blas_internal.h"
#include "internal.h"

static struct am__run_state state;
int am__progress_active;

uint64_t am__fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

void am_run_error(const am_run *run, const char *fmt, ...)
{
    va_list ap;
    /* Every rank checks the same arguments: one message is enough. */
    if (run->ranks > 1 && run->rank != 0 && !(run->st && run->st->working))
        return;
    if (run->ranks > 1 && run->st && run->st->working)
        fprintf(stderr, "%s (rank %d): ", run->program, run->rank);
    else
        fprintf(stderr, "%s: ", run->program);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int am_run_is_root(const am_run *run)
{
    return run->rank == 0;
}

/* ---- signals: an interrupted run leaves no partial output ---- */

/* What an interrupted run that keeps a checkpoint says (am__resume_hint): how to go on from it. */
static char resume_path[4096], resume_line[4600];
static size_t resume_len;

void am__resume_hint(const char *program, const char *ckpt)
{
    resume_len = 0; /* not shown while it changes */
    snprintf(resume_path, sizeof resume_path, "%s", ckpt);
    int n = snprintf(resume_line, sizeof resume_line,
                     "\n%s: interrupted; the finished jobs are in the checkpoint '%s': rerun the same command with "
                     "--resume to go on from them\n", program, ckpt);
    resume_len = n > 0 && (size_t)n < sizeof resume_line ? (size_t)n : 0;
}

static void on_fatal_signal(int sig)
{
    /* write(2) and access(2) only: async-signal-safe */
    if (resume_len && (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && access(resume_path, F_OK) == 0) {
        ssize_t w = write(2, resume_line, resume_len);
        (void)w;
    }
    am_io_remove_temporaries();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signal_handlers(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGXFSZ, SIGPIPE};
    static int done;
    if (done)
        return;
    done = 1;
    for (size_t k = 0; k < sizeof sigs / sizeof *sigs; k++) {
        struct sigaction old, sa;
        if (sigaction(sigs[k], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue; /* nohup and friends: keep ignoring */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[k], &sa, NULL);
    }
    /* A program that returns without committing its outputs (a failure) leaves none behind either. */
    atexit(am_io_remove_temporaries);
}

/* ---- command line ---- */

static void print_default(const am_opt *o)
{
    switch (o->type) {
    case AM_OPT_INT: printf(" (default %d)", *(int *)o->dest); break;
    case AM_OPT_U64: printf(" (default %llu)", (unsigned long long)*(uint64_t *)o->dest); break;
    case AM_OPT_DOUBLE: printf(" (default %g)", *(double *)o->dest); break;
    case AM_OPT_STRING:
    case AM_OPT_OUTPUT: {
        const char *d = *(const char **)o->dest;
        if (d && *d == '(') /* a description, not a value: "(frames on standard output)" */
            printf(" (default: %.*s)", (int)strlen(d) - 2, d + 1);
        else if (d)
            printf(" (default %s)", d);
        break;
    }
    case AM_OPT_FLAG: break;
    }
}

/* One option's line; its scope is left out when it names the subcommand being described (sub may be NULL). */
static void print_opt(const am_opt *o, const char *sub)
{
    char left[64];
    snprintf(left, sizeof left, "--%s%s%s", o->name, o->type == AM_OPT_FLAG ? "" : " ",
             o->type == AM_OPT_FLAG ? "" : (o->metavar ? o->metavar : "X"));
    printf("  %-24s %s", left, o->help ? o->help : "");
    if (o->scope && !(sub && !strcmp(o->scope, sub)))
        printf(" [%s]", o->scope);
    /* A help text that states its own default ("(default: one row of the grid)") is not given a second one. */
    if (!o->help || !strstr(o->help, "default"))
        print_default(o);
    putchar('\n');
}

static void usage(const am_run *run, const am_opt *opts, const am_opt *common)
{
    int scoped = 0;
    printf("Usage: %s%s%s [options]\n%s\n\nOptions:\n", run->program, run->subcommand ? " " : "",
           run->subcommand ? run->subcommand : "", run->summary ? run->summary : "");
    for (const am_opt *o = opts; o->name; o++) {
        print_opt(o, run->subcommand);
        scoped |= o->scope != NULL && !(run->subcommand && !strcmp(o->scope, run->subcommand));
    }
    if (scoped)
        printf("  (an option marked [x] applies only to x, or only with option x; giving it otherwise is an error)\n");
    printf("\nCommon options:\n");
    for (const am_opt *o = common; o->name; o++)
        print_opt(o, NULL);
    printf("  %-24s %s\n  %-24s %s\n", "--help", "print this help and exit", "--version",
           "print the version and exit");
    if (run->resumable)
        printf("\nUnder mpirun the jobs are spread over the ranks; rank 0 writes the same file as a single process.\n");
    if (run->description)
        printf("\n%s", run->description);
    if (run->examples) {
        printf("\nExamples:\n");
        for (const char *l = run->examples; *l;) {
            size_t len = strcspn(l, "\n");
            printf("  %.*s\n", (int)len, l);
            l += len + (l[len] == '\n');
        }
    }
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
    case AM_OPT_STRING:
    case AM_OPT_OUTPUT: *(const char **)o->dest = v; return 0;
    case AM_OPT_FLAG: *(int *)o->dest = 1; return 0;
    }
bad:
    am_run_error(run, "invalid value %s for --%s", AM__QUOTE(v), o->name);
    return -1;
}

static am_opt *find_opt(am_opt *opts, const char *name, size_t len)
{
    for (am_opt *o = opts; o->name; o++)
        if (strlen(o->name) == len && !strncmp(o->name, name, len))
            return o;
    return NULL;
}

/* The canonical name of a file that may not exist yet: its directory resolved, its own name appended.
 * NULL when the directory cannot be resolved or memory runs out. Caller frees. */
static char *canonical_path(const char *path)
{
    char *r = realpath(path, NULL);
    if (r)
        return r;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    const char *base = slash ? slash + 1 : path;
    char *rd = dir ? realpath(dir, NULL) : NULL, *out = NULL;
    free(dir);
    if (rd && (out = malloc(strlen(rd) + strlen(base) + 2)))
        sprintf(out, "%s/%s", strcmp(rd, "/") ? rd : "", base);
    free(rd);
    return out;
}

/* Do two names denote one file (the same inode, or the same canonical name for files yet to be made)? */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char *ca = canonical_path(a), *cb = canonical_path(b);
    int same = ca && cb ? !strcmp(ca, cb) : !strcmp(a, b);
    free(ca);
    free(cb);
    return same;
}

/* The checkpoint's file, before anything runs: --checkpoint FILE, or OUT.ckpt for a named --out, or none. It may
 * be replaced and at the end removed, so it must not be the output, a directory, a device or a file that is not
 * a libam checkpoint (all refused untouched); a symbolic link is followed to the file it names (a dangling
 * one is refused), so that the link survives; an explicit one must be creatable. Sets run->st->ckpt_path
 * (empty: no checkpoint). 0, or -1 after printing why. */
static int checkpoint_setup(am_run *run)
{
    struct am__run_state *st = run->st;
    const char *cp = run->checkpoint, *how = cp ? "--checkpoint" : "the checkpoint";
    char def[4200];
    struct stat s;
    st->ckpt_path[0] = 0;
    st->ckpt_explicit = cp != NULL;
    if (!cp && strcmp(run->out, "-")) {
        snprintf(def, sizeof def, "%s.ckpt", run->out);
        cp = def;
    }
    if (!cp) {
        if (run->resume) {
            am_run_error(run, "--resume needs --out FILE or --checkpoint FILE");
            return -1;
        }
        return 0;
    }
    if (strlen(cp) >= sizeof st->ckpt_path) {
        am_run_error(run, "checkpoint path too long");
        return -1;
    }
    if (lstat(cp, &s) == 0 && S_ISLNK(s.st_mode)) {
        char *real = realpath(cp, NULL);
        if (!real || strlen(real) >= sizeof st->ckpt_path) {
            am_run_error(run, "%s '%s' is a symbolic link to %s", how, cp, real ? "a path too long" : "nothing");
            free(real);
            return -1;
        }
        strcpy(st->ckpt_path, real);
        free(real);
    } else {
        strcpy(st->ckpt_path, cp);
    }
    cp = st->ckpt_path;
    if (strcmp(run->out, "-") && same_file(cp, run->out)) {
        am_run_error(run, "%s '%s' is the output file (--out): name another file", how, cp);
        return -1;
    }
    if (stat(cp, &s) == 0) {
        unsigned char magic[8];
        FILE *f = S_ISREG(s.st_mode) ? fopen(cp, "rb") : NULL;
        int ours = f && fread(magic, 1, 8, f) == 8 && !memcmp(magic, "LIBAMCKP", 8);
        if (f)
            fclose(f);
        if (!ours) {
            am_run_error(run, "%s '%s' %s: refusing to replace it (move it away, or name another file with "
                              "--checkpoint FILE)",
                         how, cp, S_ISDIR(s.st_mode) ? "is a directory" : !S_ISREG(s.st_mode) ? "is not a regular file"
                                                                                : "exists and is not a libam checkpoint");
            return -1;
        }
        return 0;
    }
    if (errno != ENOENT) {
        am_run_error(run, "cannot use %s '%s': %s", how, cp, strerror(errno));
        return -1;
    }
    if (st->ckpt_explicit) {
        /* Not there yet: its directory must take a new file now, not after the work. */
        char *c = canonical_path(cp);
        int e = c ? 0 : errno ? errno : ENOMEM;
        if (c) {
            *strrchr(c, '/') = 0;
            e = access(*c ? c : "/", W_OK | X_OK) ? errno : 0;
            free(c);
        }
        if (e) {
            am_run_error(run, "cannot write %s '%s': %s", how, cp, strerror(e));
            return -1;
        }
    }
    return 0;
}

/* Could output v (of an AM_OPT_OUTPUT option) replace what c (another value on the command line) names? When
 * both exist: the same regular file. When neither does and c is another output: the same name. */
static int output_meets(const char *v, const char *c, int c_is_output)
{
    struct stat sv, sc;
    int hv = stat(v, &sv) == 0, hc = stat(c, &sc) == 0;
    if (hv && hc)
        return S_ISREG(sv.st_mode) && sv.st_dev == sc.st_dev && sv.st_ino == sc.st_ino;
    return !hv && !hc && c_is_output && same_file(v, c);
}

/* The file names in an option value: the value cut at ',' (lists) and each piece after its last '='
 * (NAME=FILE); "-" and empty pieces left out. At most max names, each below size bytes, into names. */
static int value_files(const char *val, char names[][4200], int max)
{
    int n = 0;
    for (const char *p = val; *p && n < max;) {
        size_t len = strcspn(p, ",");
        char piece[4200];
        snprintf(piece, sizeof piece, "%.*s", (int)len, p);
        const char *c = strrchr(piece, '=') ? strrchr(piece, '=') + 1 : piece;
        if (*c && strcmp(c, "-"))
            snprintf(names[n++], sizeof names[0], "%s", c);
        p += len + (p[len] == ',');
    }
    return n;
}

/* The option a command-line token belongs to (its own "--name", or the name before a separate value), and the
 * value it holds (NULL for a bare "--name"). */
static am_opt *token_option(am_opt *opts, am_opt *common, char **argv, int k, int first, const char **val)
{
    const char *a = argv[k], *eq = strchr(a, '=');
    *val = NULL;
    if (strncmp(a, "--", 2)) {
        if (k <= first || strncmp(argv[k - 1], "--", 2) || strchr(argv[k - 1], '='))
            return NULL;
        *val = a;
        a = argv[k - 1];
        eq = NULL;
    } else if (eq) {
        *val = eq + 1;
    }
    size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    am_opt *o = find_opt(opts, a + 2, len);
    return o ? o : find_opt(common, a + 2, len);
}

/* Can an output be written at path? Standard output ("-") and existing files that are not directories can be
 * tried; a new file needs an existing, writable directory. 0, or -1 after naming the option and the reason, so
 * that a run never does its work only to fail at the end. */
static int output_place(const am_run *run, const char *opt, const char *path)
{
    struct stat st;
    if (!strcmp(path, "-") || !path[0])
        return 0;
    if (!stat(path, &st)) {
        if (!S_ISDIR(st.st_mode))
            return 0;
        am_run_error(run, "--%s %s: is a directory (an output names a file)", opt, AM__QUOTE(path));
        return -1;
    }
    char dir[4200];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    if (stat(dir, &st) || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK)) {
        int e = errno;
        am_run_error(run, "--%s %s: cannot write in the directory %s: %s", opt, AM__QUOTE(path), AM__QUOTE(dir),
                     stat(dir, &st) ? strerror(e) : !S_ISDIR(st.st_mode) ? "not a directory" : strerror(e));
        return -1;
    }
    return 0;
}

/* Before anything runs: every AM_OPT_OUTPUT value must name a place a file can be written, and no file it names
 * may be one another value on the command line names (an input it would replace, or another output). 0, or -1
 * after printing the problem. */
static int check_outputs(am_run *run, am_opt *opts, am_opt *common)
{
    am_opt *tables[2] = {opts, common};
    int first = run->subcommand ? 2 : 1;
    char mine[16][4200], theirs[16][4200];
    for (int t = 0; t < 2; t++)
        for (am_opt *o = tables[t]; o->name; o++) {
            const char *v = o->type == AM_OPT_OUTPUT && o->given ? *(const char **)o->dest : NULL;
            int nm = v ? value_files(v, mine, 16) : 0;
            for (int a = 0; a < nm; a++)
                if (output_place(run, o->name, mine[a]))
                    return -1;
            for (int k = first; k < run->argc && nm; k++) {
                const char *val;
                am_opt *other = token_option(opts, common, run->argv, k, first, &val);
                if (!other || other == o || !val)
                    continue;
                int nt = value_files(val, theirs, 16);
                for (int a = 0; a < nm; a++)
                    for (int b = 0; b < nt; b++)
                        if (output_meets(mine[a], theirs[b], other->type == AM_OPT_OUTPUT)) {
                            am_run_error(run, "--%s %s names the same file as --%s: %s", o->name, AM__QUOTE(mine[a]),
                                         other->name, other->type == AM_OPT_OUTPUT ? "two outputs cannot share a file"
                                                                                   : "an output may not replace an input");
                            return -1;
                        }
            }
        }
    return 0;
}

int am_run_parse(am_run *run, am_opt *opts, int argc, char **argv)
{
    am_opt common[] = {
        {"seed", AM_OPT_U64, &run->seed, "S", "random seed; jobs use streams derived from (S, job)", NULL, 0},
        {"out", AM_OPT_OUTPUT, &run->out, "FILE", "output TSV file, - for standard output", NULL, 0},
        {"threads", AM_OPT_INT, &run->threads, "T", "threads per process (results do not depend on it)", NULL, 0},
        {"quiet", AM_OPT_FLAG, &run->quiet, NULL, "no progress line on stderr", NULL, 0},
        {"resume", AM_OPT_FLAG, &run->resume, NULL,
         "continue an interrupted run from its checkpoint (the same file results)", NULL, 0},
        {"checkpoint", AM_OPT_OUTPUT, &run->checkpoint, "FILE", "checkpoint of finished jobs (default: OUT.ckpt)",
         NULL, 0},
        {NULL, 0, NULL, NULL, NULL, NULL, 0},
    };
    if (!run->resumable)
        common[4].name = NULL; /* --resume and --checkpoint exist only for programs that run jobs */
    /* options that cannot change anything in this program are not offered (an error when given) */
    size_t kept = 0;
    for (size_t k = 0; common[k].name; k++)
        if (!(run->no_seed && !strcmp(common[k].name, "seed")) && !(run->no_threads && !strcmp(common[k].name, "threads")))
            common[kept++] = common[k];
    common[kept].name = NULL;
    memset(&state, 0, sizeof state);
    run->st = &state;
    if (!run->out)
        run->out = "-";
    run->rank = 0;
    run->ranks = 1;
    run->argc = argc;
    run->argv = argv;
    /* Fast kernels first (this may restart the program), then one OpenBLAS thread: libam's own threads
     * work on blocks whose shapes never depend on a thread count, and no BLAS pool spins beside them. */
    am_blas_ensure_fast(argv);
    am_blas_set_threads(1);
    /* Trials allocate and free the same large buffers again and again: keep them in the heap instead of
     * mapping fresh zeroed pages each time (page faults cost more than the work in a small trial). */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    install_signal_handlers();
    if (am__mpi_join(run, &argc, &argv))
        return -1;
    if (run->threads <= 0)
        run->threads = omp_get_num_procs();
    for (int k = run->subcommand ? 2 : 1; k < argc; k++) {
        const char *a = argv[k], *eq;
        am_opt *o;
        size_t len;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            if (am_run_is_root(run))
                usage(run, opts, common);
            return 1;
        }
        if (!strcmp(a, "--version")) {
            if (am_run_is_root(run))
                printf("%s (libam %s, commit %s, OpenBLAS %s)\n", run->program, am_version(), am_git_commit(),
                       am_blas_corename());
            return 1;
        }
        if (strncmp(a, "--", 2)) {
            am_run_error(run, "unexpected argument %s (try --help)", AM__QUOTE(a));
            return -1;
        }
        a += 2;
        eq = strchr(a, '=');
        len = eq ? (size_t)(eq - a) : strlen(a);
        o = find_opt(opts, a, len);
        if (!o)
            o = find_opt(common, a, len);
        if (!o && ((run->no_seed && len == 4 && !strncmp(a, "seed", 4)) || (run->no_threads && len == 7 && !strncmp(a, "threads", 7)))) {
            am_run_error(run, "--%.*s does not apply to %s%s%s (%s)", (int)len, a, run->program, run->subcommand ? " " : "",
                         run->subcommand ? run->subcommand : "", len == 4 ? "nothing in it is random" : "it runs on one thread");
            return -1;
        }
        if (!o) {
            char q[AM__QUOTE_SIZE];
            am_run_error(run, "unknown option %s (try --help)", am__quote(q, sizeof q, a - 2, len + 2));
            return -1;
        }
        o->given = 1;
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
    if (!*run->out || (run->checkpoint && !*run->checkpoint)) {
        am_run_error(run, "--out and --checkpoint need a file name");
        return -1;
    }
    /* AM_PARSE_ONLY=1: the command line parsed; stop here as after --help (scripts and tests check
     * command lines, such as the examples in every --help, without running them) */
    const char *po = getenv("AM_PARSE_ONLY");
    if (po && *po && strcmp(po, "0"))
        return 1;
    /* Files: outputs that would replace an input or each other, and the checkpoint, refused before any work. */
    if (check_outputs(run, opts, common) || (run->resumable && checkpoint_setup(run)))
        return -1;
    return 0;
}

/* Does the comma-separated list `list` contain the word w (of length n)? */
static int list_has(const char *list, const char *w, size_t n)
{
    for (const char *p = list; p && *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && !strncmp(p, w, n))
            return 1;
        p = c ? c + 1 : NULL;
    }
    return 0;
}

int am_run_check_scope(const am_run *run, const am_opt *opts, const char *active, const char *what)
{
    for (const am_opt *o = opts; o->name; o++) {
        if (!o->given || !o->scope)
            continue;
        int applies = 0;
        for (const char *p = o->scope; *p;) {
            const char *c = strchr(p, ',');
            size_t len = c ? (size_t)(c - p) : strlen(p);
            applies |= list_has(active, p, len);
            p = c ? c + 1 : p + len;
        }
        if (!applies) {
            /* A scope naming an option reads "only with --x"; a setting, "to hopfield only". */
            am_run_error(run, "--%s applies %s %s only, not to %s", o->name, o->scope[0] == '-' ? "with" : "to",
                         o->scope, what);
            return -1;
        }
    }
    return 0;
}

/* ---- outputs ---- */

/* Quote an argument for a POSIX shell only when it needs it (for the recorded command line). */
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

/* Options that cannot change results are left out of the recorded command and the checkpoint's
 * fingerprint, so both depend only on what does. */
static int result_neutral(const char *a, int *takes_value)
{
    static const char *const names[] = {"threads", "out", "quiet", "resume", "checkpoint", NULL};
    static const int flag[] = {0, 0, 1, 1, 0};
    if (strncmp(a, "--", 2))
        return 0;
    for (int k = 0; names[k]; k++) {
        size_t len = strlen(names[k]);
        if (!strncmp(a + 2, names[k], len) && (a[2 + len] == 0 || a[2 + len] == '=')) {
            *takes_value = a[2 + len] == 0 && !flag[k];
            return 1;
        }
    }
    return 0;
}

/* Calls f(arg, ctx) for the program name and every argument that can change results. */
static void each_result_arg(const am_run *run, void (*f)(const char *, void *), void *ctx)
{
    for (int k = 0; k < run->argc; k++) {
        int takes = 0;
        if (k == 1 && run->subcommand) {
            f(run->subcommand, ctx);
            continue;
        }
        if (k > 0 && result_neutral(run->argv[k], &takes)) {
            k += takes;
            continue;
        }
        f(k == 0 ? run->program : run->argv[k], ctx);
    }
}

static void print_arg(const char *a, void *f)
{
    fputc(' ', f);
    put_arg(f, a);
}

static void hash_arg(const char *a, void *h)
{
    *(uint64_t *)h = am__fnv(*(uint64_t *)h, a, strlen(a) + 1);
}

static time_t run_start_time(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (s && *s) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!errno && !*end && v >= 0)
            return (time_t)v;
    }
    return time(NULL);
}

/* Read the header of an existing checkpoint: 1 = ours (start time in *start), 0 = none, -1 = refused
 * (reason printed). The full header is checked again by am_run_jobs. */
static int peek_checkpoint(am_run *run, time_t *start)
{
    unsigned char h[40];
    FILE *f = fopen(run->st->ckpt_path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        am_run_error(run, "cannot read checkpoint '%s': %s", run->st->ckpt_path, strerror(errno));
        return -1;
    }
    size_t got = fread(h, 1, sizeof h, f);
    fclose(f);
    if (got < sizeof h || memcmp(h, "LIBAMCKP", 8)) {
        am_run_error(run, "'%s' is not a libam checkpoint", run->st->ckpt_path);
        return -1;
    }
    uint64_t fp = 0, t = 0;
    for (int k = 0; k < 8; k++) {
        fp |= (uint64_t)h[16 + k] << (8 * k);
        t |= (uint64_t)h[24 + k] << (8 * k);
    }
    if (fp != run->st->fingerprint) {
        am_run_error(run, "checkpoint '%s' belongs to another command, seed, libam build or BLAS kernel set; "
                          "rerun that command with --resume, or drop --resume to start afresh",
                     run->st->ckpt_path);
        return -1;
    }
    *start = (time_t)t;
    return 1;
}

/* The common '#' lines (see am/harness.h). */
static void write_header(const am_run *run, FILE *f)
{
    char date[64];
    struct tm tm;
    fprintf(f, "# program: %s %s\n# command:", run->program, am_version());
    each_result_arg(run, print_arg, f);
    gmtime_r(&run->st->start, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(f, "\n# seed: %llu\n# libam: %s commit %s\n# date: %s blas=%s\n", (unsigned long long)run->seed,
            am_version(), am_git_commit(), date, am_blas_kernels());
}

FILE *am_run_open(am_run *run)
{
    struct am__run_state *st = run->st;
    int status = 0;
    FILE *f = NULL;
    st->start = run_start_time();
    st->resumed = 0;
    st->ckpt_ours = 0;
    if (run->resumable) {
        /* Everything that determines the results: the command, the seed, the build, the kernels. */
        uint64_t h = AM__FNV_INIT, seed = run->seed;
        each_result_arg(run, hash_arg, &h);
        h = am__fnv(h, &seed, sizeof seed);
        h = am__fnv(h, am_version(), strlen(am_version()));
        h = am__fnv(h, am_git_commit(), strlen(am_git_commit()));
        h = am__fnv(h, am_blas_kernels(), strlen(am_blas_kernels()));
        st->fingerprint = h;
    }
    if (am_run_is_root(run) && !status) {
        if (run->resume && st->ckpt_path[0]) {
            time_t t0;
            int r = peek_checkpoint(run, &t0);
            if (r < 0)
                status = 1;
            else if (r > 0) {
                st->start = t0; /* the resumed file says when the run began, like the uninterrupted one */
                st->resumed = 1;
            } else if (!run->quiet) {
                fprintf(stderr, "%s: no checkpoint '%s' yet: starting from the beginning\n", run->program,
                        st->ckpt_path);
            }
        }
        if (!status) {
            if (strcmp(run->out, "-")) {
                int rc = am__out_open(&st->out, run->out);
                if (rc) {
                    am_run_error(run, "cannot write '%s': %s", run->out, am_strerror(rc));
                    status = 1;
                } else {
                    f = st->out.f;
                    st->out_kind = 1;
                }
            } else {
                f = stdout;
                st->out_kind = 2;
            }
        }
    }
    /* Under MPI every rank learns whether rank 0 could start, and when. */
    if (st->mpi) {
        int64_t msg[3] = {status, (int64_t)st->start, st->resumed};
        if (st->mpi->bcast(msg, sizeof msg, 0)) {
            am_run_error(run, "MPI broadcast failed");
            st->mpi->abort(1);
        }
        status = (int)msg[0];
        st->start = (time_t)msg[1];
        st->resumed = (int)msg[2];
        if (!am_run_is_root(run) && !status) {
            f = fopen("/dev/null", "w");
            st->out_kind = 3;
            if (!f)
                status = 1;
        }
    }
    if (status) {
        if (f && st->out_kind == 1)
            am__out_abort(&st->out);
        st->out_kind = 0;
        return NULL;
    }
    write_header(run, f);
    return f;
}

int am_run_stage(const am_run *run, const char *dir)
{
    int rc = am__tmpdir_add(dir);
    if (rc)
        am_run_error(run, "cannot register the staging directory %s: %s", dir, am_strerror(rc));
    return rc ? -1 : 0;
}

void am_run_stage_done(const char *dir)
{
    am__tmpdir_forget(dir);
}

void am_run_time(FILE *out, const char *fmt, ...)
{
    va_list ap;
    fputs("# time: ", out);
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
}

FILE *am_run_file_open(const am_run *run, const char *path, int header, am_run_file *h)
{
    memset(h, 0, sizeof *h);
    am__out *o = calloc(1, sizeof *o);
    int rc = o ? am__out_open(o, path) : AM_ENOMEM;
    if (rc) {
        am_run_error(run, "cannot write %s: %s", path, am_strerror(rc));
        free(o);
        return NULL;
    }
    h->f = o->f;
    h->priv = o;
    if (header)
        write_header(run, h->f);
    return h->f;
}

int am_run_file_close(const am_run *run, am_run_file *h, const char *path)
{
    am__out *o = h->priv;
    int rc = o ? am__out_commit(o) : AM_EINVAL;
    free(o);
    memset(h, 0, sizeof *h);
    if (rc) {
        am_run_error(run, "writing %s failed: %s", path, am_strerror(rc));
        return -1;
    }
    return 0;
}

void am_run_file_abort(am_run_file *h)
{
    if (h->priv) {
        am__out_abort(h->priv);
        free(h->priv);
    }
    memset(h, 0, sizeof *h);
}

int am_run_close(am_run *run, FILE *f)
{
    struct am__run_state *st = run->st;
    int rc = 0;
    switch (st->out_kind) {
    case 1:
        rc = am__out_commit(&st->out);
        break;
    case 2:
        errno = 0;
        rc = fflush(f) != 0 || ferror(f) ? am__errno_status() : 0;
        break;
    case 3:
        fclose(f);
        break;
    default:
        break;
    }
    st->out_kind = 0;
    if (rc) {
        am_run_error(run, "writing '%s' failed: %s", run->out, am_strerror(rc));
        return -1;
    }
    /* The result is safe: the checkpoint has done its work (removed only when this run made or resumed it). */
    if (am_run_is_root(run) && st->ckpt_path[0] && st->ckpt_ours)
        unlink(st->ckpt_path);
    return 0;
}

void am_run_abort(am_run *run, FILE *f)
{
    struct am__run_state *st = run->st;
    if (st->out_kind == 1)
        am__out_abort(&st->out);
    else if (st->out_kind == 3)
        fclose(f);
    else if (st->out_kind == 2)
        fflush(f);
    st->out_kind = 0;
}

/* ---- progress ---- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The terminal's width (80 when it cannot be asked). */
static int term_cols(void)
{
    struct winsize ws;
    if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

static void show_progress(const am_progress *p, size_t done, int final, const char *extra)
{
    double el = now_seconds() - p->t0;
    double total = p->work_total > 0 ? p->work_total : (double)p->total;
    double work = p->work_total > 0 ? p->work_done : (double)done, base = p->work_total > 0 ? p->work0 : 0.0;
    double frac = total > 0 ? work / total : 1.0, eta = work > base ? el * (total - work) / (work - base) : 0.0;
    int cols = term_cols() - 1, width = cols >= 80 ? 30 : cols - 50 > 10 ? cols - 50 : 10; /* narrow: a shorter bar */
    int fill = (int)((double)width * frac);
    char line[512];
    if (fill > width)
        fill = width;
    if (fill < 0)
        fill = 0;
    int len = snprintf(line, sizeof line, "[%.*s%*s] %3d%% %zu/%zu  %s %.0fs %s", fill, "##############################",
                       width - fill, "", (int)(100.0 * (frac > 1 ? 1 : frac)), done, p->total, final ? "took" : "ETA",
                       final ? el : eta < 0 ? 0 : eta, extra ? extra : "");
    if (len > cols)
        len = cols;
    if (len >= (int)sizeof line)
        len = (int)sizeof line - 1;
    /* back to the start of the line, the line cut to the terminal, the rest of the old one cleared */
    fprintf(stderr, "\r%.*s\033[K", len, line);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

void am_progress_start(am_progress *p, const am_run *run, size_t total)
{
    p->total = total;
    p->work_total = p->work_done = p->work0 = 0.0;
    p->t0 = now_seconds();
    p->last = 0.0;
    p->show = run && !run->quiet && am_run_is_root(run) && !am__progress_active && isatty(2);
    if (p->show)
        am__progress_active = 1;
}

/* Draw at most ten times a second (and always the last step). */
static void progress_draw(am_progress *p, size_t done, const char *fmt, va_list ap)
{
    char extra[160] = "";
    if (!p->show)
        return;
    double t = now_seconds();
    if (t - p->last < 0.1 && done < p->total)
        return;
    p->last = t;
    if (fmt)
        vsnprintf(extra, sizeof extra, fmt, ap);
    show_progress(p, done, 0, extra);
}

void am_progress_update(am_progress *p, size_t done, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    progress_draw(p, done, fmt, ap);
    va_end(ap);
}

void am_progress_set_work(am_progress *p, double total, double done)
{
    p->work_total = total > 0 ? total : 0.0;
    p->work_done = p->work0 = done > 0 ? done : 0.0;
}

void am_progress_work(am_progress *p, size_t done, double work_done, const char *fmt, ...)
{
    va_list ap;
    p->work_done = work_done;
    va_start(ap, fmt);
    progress_draw(p, done, fmt, ap);
    va_end(ap);
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
    p->work_done = p->work_total;
    show_progress(p, p->total, 1, extra);
    p->show = 0;
    am__progress_active = 0;
}

double am_seconds(void)
{
    return now_seconds();
}

int am_run_parallel(const am_run *run, size_t count, int (*fn)(size_t, int, void *), void *ctx)
{
    int blas_threads = am_blas_get_threads(), status = 0;
    am_progress pg;
    size_t done = 0;
    am_progress_start(&pg, run, count);
    if (blas_threads != 1)
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
            if (pg.show && tid == 0) {
                size_t d;
#pragma omp atomic read
                d = done;
                am_progress_update(&pg, d, NULL);
            }
        }
    }
    am_progress_end(&pg, NULL);
    if (blas_threads != 1)
        am_blas_set_threads(blas_threads);
    return status;
}

const char *am_run_lookup(const char *const (*table)[2], size_t rows, const char *which)
{
    for (size_t k = 0; which && k < rows; k++)
        if (!strcmp(table[k][0], which))
            return table[k][1];
    return NULL;
}

/* ---- option parsers ---- */

int am_parse_range(const char *s, double *vals, int max)
{
    double a0, a1, st;
    char tail;
    int n = 0;
    if (!s || sscanf(s, "%lf:%lf:%lf%c", &a0, &a1, &st, &tail) != 3)
        return -1;
    if (!isfinite(a0) || !isfinite(a1) || !isfinite(st) || !(st > 0.0) || a1 < a0)
        return -1;
    /* The count is known before any value is made: a huge count is an error, not a long loop. */
    double count = floor((a1 - a0) / st + 1e-9) + 1.0;
    if (!(count >= 1.0) || count > (double)max)
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

int am_parse_double_list(const char *s, double lo, double hi, double *vals, int max)
{
    int n = 0;
    if (!s || !*s)
        return -1;
    for (;;) {
        char *end;
        if (n == max || *s == ',' || *s == ' ')
            return -1;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || !isfinite(v) || !(v >= lo && v <= hi))
            return -1;
        vals[n++] = v;
        if (*end == '\0')
            return n;
        if (*end != ',' || !end[1])
            return -1;
        s = end + 1;
    }
}

int am_parse_shape(const char *s, unsigned long *rows, unsigned long *cols)
{
    unsigned long v[2] = {0, 0};
    int k = 0, digits = 0;
    if (!s)
        return -1;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            v[k] = v[k] * 10 + (unsigned long)(*s - '0');
            if (v[k] > 65535)
                return -1;
            digits++;
        } else if (*s == 'x' && k == 0 && digits) {
            k = 1;
            digits = 0;
        } else {
            return -1;
        }
    }
    if (k != 1 || !digits || !v[0] || !v[1])
        return -1;
    *rows = v[0];
    *cols = v[1];
    return 0;
}

int am_parse_kv_list(const char *s, const char *const *kinds, int *kind, double *value, int max)
{
    int n = 0;
    if (!s || !*s || !kinds)
        return -1;
    for (;;) {
        size_t len = strcspn(s, ":,");
        int k = -1;
        for (int q = 0; kinds[q]; q++)
            if (strlen(kinds[q]) == len && !strncmp(kinds[q], s, len))
                k = q;
        if (k < 0 || n == max)
            return -1;
        kind[n] = k;
        value[n] = NAN;
        s += len;
        if (*s == ':') {
            char *end;
            errno = 0;
            double v = strtod(s + 1, &end);
            if (errno || end == s + 1 || !isfinite(v) || (*end && *end != ',') || s[1] == ' ')
                return -1;
            value[n] = v;
            s = end;
        }
        n++;
        if (!*s)
            return n;
        if (*s != ',' || !s[1])
            return -1;
        s++;
    }
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

/* ---- data ---- */

am_dataset *am_run_load_data(const am_run *run, const char *dir, const char *images, const char *labels,
                             const char *split)
{
    am_dataset *ds = NULL;
    int rc;
    if (images) {
        if ((rc = am_dataset_load(&ds, images, labels, 1.0 / 255.0))) {
            am_run_error(run, "cannot load IDX images '%s'%s%s: %s", images, labels ? " with labels " : "",
                         labels ? labels : "", am_strerror(rc));
            return NULL;
        }
        return ds;
    }
    if ((rc = am_fashion_load(&ds, dir, split))) {
        if (!dir && am_status_errno(rc) == ENOENT)
            am_run_error(run, "Fashion-MNIST not found in %s: install the Debian package dataset-fashion-mnist "
                              "(tools/install-deps) or give --data DIR or --images FILE", AM_FASHION_DIR);
        else
            am_run_error(run, "cannot load the Fashion-MNIST %s split (IDX files) from %s: %s", split,
                         dir ? dir : AM_FASHION_DIR, am_strerror(rc));
        return NULL;
    }
    return ds;
}

int am_run_subcommands(int argc, char **argv, const char *program, const char *usage, const am_subcommand *cmds,
                       const char *version_extra)
{
    am_blas_ensure_fast(argv);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("%s (libam %s, commit %s, OpenBLAS %s%s%s)\n", program, am_version(), am_git_commit(), am_blas_corename(),
               version_extra ? ", " : "", version_extra ? version_extra : "");
        return 0;
    }
    for (const am_subcommand *c = cmds; c->name; c++)
        if (!strcmp(argv[1], c->name))
            return c->run(argc, argv);
    fprintf(stderr, "%s: unknown command %s (", program, AM__QUOTE(argv[1]));
    for (const am_subcommand *c = cmds; c->name; c++)
        fprintf(stderr, "%s%s", c == cmds ? "" : ", ", c->name);
    fprintf(stderr, "; try --help)\n");
    return 2;
}
