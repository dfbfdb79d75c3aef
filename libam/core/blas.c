#include "am/blas.h"

#include <dlfcn.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blas_internal.h"

static int no_reexec(void);

#ifndef AM_BLAS_SONAME
#define AM_BLAS_SONAME "libopenblas.so.0"
#endif

/* OpenBLAS's own functions (any may be NULL with another BLAS): kernels, threads, and its fork handler,
 * which stops the worker pool. */
typedef struct openblas_fns {
    char *(*corename)(void);
    void (*set_threads)(int);
    int (*get_threads)(void);
    void (*shutdown)(void);
} openblas_fns;

static am__blas_table table;
static openblas_fns ob;
static int linked;        /* found in the process at the first probe: the program's own BLAS, left as it is */
static int loaded;        /* table filled (linked, or opened by libam) */
static int want_threads;  /* am_blas_set_threads before the load (0: none); libam opens OpenBLAS on one thread */
static int upgrade;       /* am_blas_ensure_fast was called: open OpenBLAS with the CPU's best kernels */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* A symbol as the dynamic linker would bind it had libam linked the library: a definition in the process's
 * global scope (the program, LD_PRELOAD) first, else the library's own. POSIX guarantees that a function
 * pointer survives the round trip through void *. */
static void *sym(void *h, const char *name)
{
    void *f = h == RTLD_DEFAULT ? NULL : dlsym(RTLD_DEFAULT, name);
    return f ? f : dlsym(h, name);
}
#define SYM(h, field, name) (*(void **)&(field) = sym(h, name))

static int resolve(void *h)
{
    int ok = SYM(h, table.sgemm, "cblas_sgemm") && SYM(h, table.sgemv, "cblas_sgemv") &&
             SYM(h, table.ssymv, "cblas_ssymv") && SYM(h, table.ssymm, "cblas_ssymm") &&
             SYM(h, table.ssyrk, "cblas_ssyrk") && SYM(h, table.dgemm, "cblas_dgemm") &&
             SYM(h, table.dsyrk, "cblas_dsyrk") && SYM(h, table.dsyr, "cblas_dsyr");
    SYM(h, ob.corename, "openblas_get_corename");
    SYM(h, ob.set_threads, "openblas_set_num_threads");
    SYM(h, ob.get_threads, "openblas_get_num_threads");
    SYM(h, ob.shutdown, "blas_thread_shutdown_");
    return ok ? 0 : -1;
}

/* Is a BLAS linked into the process? Once, cheaply (no library is opened). Call with lock held. */
static void probe(void)
{
    static int probed;
    if (probed)
        return;
    probed = 1;
    if (resolve(RTLD_DEFAULT) == 0) {
        linked = 1;
        __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
    }
}

static void *open_blas(const char *name)
{
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!h || resolve(h)) {
        const char *e = h ? "it lacks the CBLAS functions libam calls" : dlerror();
        fprintf(stderr, "libam: cannot load the BLAS library %s: %s\n", name, e ? e : "unknown error");
        exit(127); /* as the loader would have stopped the program at start-up, had libam linked it */
    }
    return h;
}

/* Open the library; with am_blas_ensure_fast's request, reopen it with better kernels if it chose weak ones
 * (OpenBLAS picks them when it loads, from OPENBLAS_CORETYPE) — what the program's restart did before. */
static void load(void)
{
    const char *better = NULL;
    void *h = open_blas(AM_BLAS_SONAME);
    if (upgrade && !getenv("OPENBLAS_CORETYPE") && !no_reexec() && ob.corename)
        better = am_blas_better_coretype(ob.corename());
    if (better && !setenv("OPENBLAS_CORETYPE", better, 1) && !setenv("AM_NO_REEXEC", "1", 1)) {
        dlclose(h);
        h = open_blas(AM_BLAS_SONAME);
    }
    if (ob.set_threads)
        ob.set_threads(want_threads > 0 ? want_threads : 1);
    if (want_threads <= 1 && ob.shutdown)
        ob.shutdown(); /* its workers have nothing to do: stop the pool it started when it loaded */
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
}

const am__blas_table *am__blas(void)
{
    if (!__atomic_load_n(&loaded, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&lock);
        probe();
        if (!loaded)
            load();
        pthread_mutex_unlock(&lock);
    }
    return &table;
}

int am__blas_loaded(void)
{
    if (!__atomic_load_n(&loaded, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&lock);
        probe();
        pthread_mutex_unlock(&lock);
    }
    return __atomic_load_n(&loaded, __ATOMIC_ACQUIRE);
}

const char *am_blas_corename(void)
{
    const char *s = (am__blas(), ob.corename) ? ob.corename() : NULL;
    return s ? s : "unknown";
}

const char *am_blas_kernels(void)
{
    const char *env = getenv("OPENBLAS_CORETYPE");
    if (am__blas_loaded())
        return am_blas_corename();
    if (!env || !*env)
        return "auto";
    /* The environment's text goes into headers and fingerprints: a core name is a short word, anything else
     * (a newline, a tab, a long string) is recorded as "invalid", never copied. */
    size_t n = 0;
    for (; env[n]; n++)
        if (n >= 31 || !((env[n] >= 'A' && env[n] <= 'Z') || (env[n] >= 'a' && env[n] <= 'z') ||
                         (env[n] >= '0' && env[n] <= '9') || env[n] == '_'))
            return "invalid";
    return env;
}

/* AM_NO_REEXEC turns the kernel upgrade off when set to anything but "" or "0". */
static int no_reexec(void)
{
    const char *v = getenv("AM_NO_REEXEC");
    return v && *v && strcmp(v, "0") != 0;
}

/* Vector width tiers: 0 SSE, 1 AVX, 2 AVX2+FMA, 3 AVX-512. */
static int core_tier(const char *name)
{
    static const char *const avx512[] = {"skylakex", "cooperlake", "sapphirerapids", "zen4", NULL};
    static const char *const avx2[] = {"haswell", "zen", "excavator", "steamroller", "skylake", NULL};
    static const char *const avx[] = {"sandybridge", "bulldozer", "piledriver", NULL};
    char low[64];
    size_t i;
    for (i = 0; name[i] && i + 1 < sizeof low; i++)
        low[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] - 'A' + 'a' : name[i]);
    low[i] = 0;
    for (i = 0; avx512[i]; i++)
        if (!strcmp(low, avx512[i]))
            return 3;
    for (i = 0; avx2[i]; i++)
        if (!strcmp(low, avx2[i]))
            return 2;
    for (i = 0; avx[i]; i++)
        if (!strcmp(low, avx[i]))
            return 1;
    return 0;
}

static int cpu_tier(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return 3;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return 2;
    if (__builtin_cpu_supports("avx"))
        return 1;
#endif
    return 0;
}

const char *am_blas_better_coretype(const char *detected)
{
    static const char *const best[] = {NULL, "Sandybridge", "Haswell", "SkylakeX"};
    int have = cpu_tier();
    if (!detected || core_tier(detected) >= have)
        return NULL;
    return best[have];
}

/* A BLAS linked into the program has chosen its kernels already: restart with better ones if they are weak.
 * Otherwise libam opens OpenBLAS itself when first needed, and does the same there, without a restart. */
void am_blas_ensure_fast(char **argv)
{
    const char *better;
    if (getenv("OPENBLAS_CORETYPE") || no_reexec() || !argv || !argv[0])
        return;
    pthread_mutex_lock(&lock);
    probe();
    upgrade = 1;
    int now = linked;
    pthread_mutex_unlock(&lock);
    if (!now || !(better = am_blas_better_coretype(am_blas_corename())))
        return;
    /* AM_NO_REEXEC guards against a loop should the restarted program still see weak kernels. */
    if (setenv("OPENBLAS_CORETYPE", better, 1) || setenv("AM_NO_REEXEC", "1", 1))
        return;
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE"); /* exec failed: carry on with the slow kernels */
}

/* OpenBLAS's pthread build starts its worker pool when it loads; the workers spin (sched_yield) for a while
 * after every call, and at start-up, beside the caller's own threads. When libam holds OpenBLAS to one
 * thread the pool has no work, so it is stopped (OpenBLAS restarts it if more threads are asked for). The
 * fork handler is OpenBLAS's own; other BLAS libraries lack it, and then nothing happens. Before the
 * library is loaded the count is kept for the load. */
void am_blas_set_threads(int n)
{
    n = n < 1 ? 1 : n;
    pthread_mutex_lock(&lock);
    probe();
    int now = loaded;
    if (!now)
        want_threads = n;
    pthread_mutex_unlock(&lock);
    if (!now || !ob.set_threads)
        return;
    ob.set_threads(n);
    if (n <= 1 && ob.shutdown && !omp_in_parallel())
        ob.shutdown();
}

int am_blas_get_threads(void)
{
    if (!am__blas_loaded())
        return want_threads > 0 ? want_threads : 1; /* what the load will set */
    return ob.get_threads ? ob.get_threads() : 1;
}

/* Not loaded yet and one thread asked for (the default): nothing to hold, a load sets one thread. */
int am__blas_serial(void)
{
    if (!am__blas_loaded() && want_threads > 1)
        am__blas(); /* a load now would start more threads: load, then hold them as usual */
    if (!am__blas_loaded() || !ob.get_threads)
        return 1;
    int t = ob.get_threads();
    if (t != 1 && !omp_in_parallel())
        ob.set_threads(1);
    return t;
}

void am__blas_restore(int threads)
{
    if (threads != 1 && !omp_in_parallel() && ob.set_threads)
        ob.set_threads(threads);
}
