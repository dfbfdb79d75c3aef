#include "alloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE (2u << 20)

void *am__alloc_big(size_t bytes)
{
    void *p = NULL;
    if (!bytes)
        bytes = 1;
    if (bytes >= 2 * (size_t)HUGE) {
        size_t round = (bytes + HUGE - 1) / HUGE * HUGE;
        if (posix_memalign(&p, HUGE, round))
            return NULL;
#ifdef MADV_HUGEPAGE
        madvise(p, round, MADV_HUGEPAGE); /* advice only: without THP the buffer is still good */
#endif
        return p;
    }
    return posix_memalign(&p, 64, bytes) ? NULL : p;
}

void *am__realloc_big(void *p, size_t old, size_t bytes)
{
    void *q = am__alloc_big(bytes);
    if (!q)
        return NULL;
    if (p && old)
        memcpy(q, p, old < bytes ? old : bytes);
    free(p);
    return q;
}
