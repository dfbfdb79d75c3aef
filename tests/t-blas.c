/* OpenBLAS loaded on first use (libam/core/blas_internal.h): the integer stores never load it, the first use
 * loads it on one thread, and the thread count asked for
 * before the load is the one it gets. Its own process: the checks need a process that has not loaded it. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "../libam/core/blas_internal.h"
#include "tap.h"

/* OpenBLAS's own thread count, asked of the library itself (0: not loaded in this process). */
static int openblas_threads(void)
{
    void *h = dlopen(AM_BLAS_SONAME, RTLD_NOW | RTLD_NOLOAD);
    int (*get)(void) = NULL;
    if (!h)
        return 0;
    *(void **)&get = dlsym(h, "openblas_get_num_threads");
    int t = get ? get() : -1;
    dlclose(h);
    return t;
}

int main(void)
{
    am_rng rng;
    am_rng_init(&rng, 3, 0);
    am_patterns *x = NULL;
    am_patterns_create(&x, 200, 20);
    am_patterns_random(x, &rng);
    ok(!am__blas_loaded() && openblas_threads() == 0, "no BLAS is loaded at start");
    ok(am_blas_get_threads() == 1, "before the load, the count the load will set: 1");

    /* The Hebb store on its patterns path and the dense store: integer kernels only. */
    am_hopfield *h = NULL;
    am_dense *d = NULL;
    int8_t s[200];
    size_t u[20];
    int rc = am_hopfield_create(&h, 200, AM_RULE_HEBB) || am_hopfield_store(h, x) ||
             am_dense_create(&d, 200, AM_F_POLY, 3) || am_dense_store(d, x);
    am_patterns_get(x, 0, s);
    am_state_flip_frac(s, 200, 0.1, &rng);
    rc = rc || am_hopfield_recall(h, s, NULL, &rng, NULL, NULL) || am_hopfield_stability(h, u) ||
         am_dense_recall(d, s, NULL, &rng, NULL, NULL) || am_dense_stability(d, u);
    ok(!rc && !am__blas_loaded() && openblas_threads() == 0, "Hebb and dense stores store, recall and check "
                                                              "stability without loading BLAS");

    /* The first use (here the loader itself, as every BLAS call site goes through it) loads OpenBLAS through
     * libam on one thread: one that ran on OpenBLAS's own pool inside libam's threads hung. */
    ok(am__blas() != NULL && am__blas_loaded() && openblas_threads() == 1 && am_blas_get_threads() == 1,
       "the first use loads OpenBLAS through libam, on one thread (OpenBLAS says %d)", openblas_threads());
    am_blas_set_threads(2);
    ok(am_blas_get_threads() == 2 && openblas_threads() == 2, "once loaded, the count set is OpenBLAS's own");
    am_blas_set_threads(1);
    ok(strcmp(am_blas_corename(), "unknown") != 0, "the kernels have a name: %s", am_blas_corename());
    am_hopfield_free(h), am_dense_free(d), am_patterns_free(x);
    return done_testing();
}
