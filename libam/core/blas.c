#include "am/blas.h"

#include <omp.h>

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blas_internal.h"

const char *am_blas_corename(void)
{
    const char *s = openblas_get_corename();
    return s ? s : "unknown";
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

void am_blas_ensure_fast(char **argv)
{
    const char *better;
    if (getenv("OPENBLAS_CORETYPE") || getenv("AM_NO_REEXEC") || !argv || !argv[0])
        return;
    better = am_blas_better_coretype(am_blas_corename());
    if (!better)
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
 * symbol is OpenBLAS's own fork handler; other BLAS libraries lack it, and then nothing happens. */
extern void blas_thread_shutdown_(void) __attribute__((weak));

void am_blas_set_threads(int n)
{
    openblas_set_num_threads(n < 1 ? 1 : n);
    if (n <= 1 && blas_thread_shutdown_ && !omp_in_parallel())
        blas_thread_shutdown_();
}

int am_blas_get_threads(void)
{
    return openblas_get_num_threads();
}

int am__blas_serial(void)
{
    int t = openblas_get_num_threads();
    if (t != 1 && !omp_in_parallel())
        openblas_set_num_threads(1);
    return t;
}

void am__blas_restore(int threads)
{
    if (threads != 1 && !omp_in_parallel())
        openblas_set_num_threads(threads);
}
