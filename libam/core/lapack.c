#include "lapack.h"

#include "blas_internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef AM_LAPACKE_SONAME
#define AM_LAPACKE_SONAME "liblapacke.so.3"
#endif

static am__lapack table;
static const am__lapack *loaded;
static char why[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* All three from one place: the process itself, or the one library opened. */
static int resolve(void *h)
{
    void *f[3] = {dlsym(h, "LAPACKE_dgesdd"), dlsym(h, "LAPACKE_dsyevd"), dlsym(h, "LAPACKE_dposv")};
    if (!f[0] || !f[1] || !f[2])
        return -1;
    /* POSIX guarantees that a function pointer survives the round trip through void *. */
    *(void **)&table.dgesdd = f[0];
    *(void **)&table.dsyevd = f[1];
    *(void **)&table.dposv = f[2];
    return 0;
}

static void load(void)
{
    const char *name = getenv("AM_LAPACKE");
    void *h;
    am__blas(); /* OpenBLAS first, through libam's loader (its threads, its kernels); LAPACK runs on it */
    if ((!name || !*name) && resolve(RTLD_DEFAULT) == 0) {
        loaded = &table;
        return;
    }
    if (!name || !*name)
        name = AM_LAPACKE_SONAME;
    if (!(h = dlopen(name, RTLD_NOW | RTLD_LOCAL))) {
        const char *e = dlerror();
        snprintf(why, sizeof why, "cannot load LAPACKE (%s): %s", name, e ? e : "unknown error");
        return;
    }
    if (resolve(h)) {
        snprintf(why, sizeof why, "%s lacks LAPACKE_dgesdd, LAPACKE_dsyevd or LAPACKE_dposv", name);
        dlclose(h);
        return;
    }
    loaded = &table; /* h stays open for the life of the process */
}

const am__lapack *am__lapack_get(void)
{
    pthread_once(&once, load);
    return loaded;
}

const char *am__lapack_failure(void)
{
    return why[0] ? why : NULL;
}
