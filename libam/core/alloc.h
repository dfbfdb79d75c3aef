/* Internal: large buffers (tens of MB: stored patterns, score blocks) on transparent huge pages where the
 * kernel offers them, so that first touching them costs a few faults instead of thousands. */
#ifndef AM_CORE_ALLOC_H
#define AM_CORE_ALLOC_H

#include <stddef.h>

/* bytes, 64-byte aligned (2 MB-aligned and advised for huge pages when large); free with free(). */
void *am__alloc_big(size_t bytes);
/* Grow p (of old bytes, from am__alloc_big or NULL) to bytes, keeping its contents; NULL on failure (p is
 * then untouched). */
void *am__realloc_big(void *p, size_t old, size_t bytes);

#endif
