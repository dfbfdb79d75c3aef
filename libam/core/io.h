/* Internal: little-endian binary files with a running CRC-32, shared by every model's save/load. */
#ifndef AM_CORE_IO_H
#define AM_CORE_IO_H

#include <stdint.h>
#include <stdio.h>

typedef struct am__file {
    FILE *f;
    uint32_t crc;
    int err;          /* first error seen, AM_OK otherwise */
    uint64_t left;    /* reading: payload bytes the file still holds before its CRC trailer */
} am__file;

/* Writing: open, put fields, close (appends the CRC of everything written). */
int am__wopen(am__file *w, const char *path);
void am__put(am__file *w, const void *buf, size_t len);
void am__put_u32(am__file *w, uint32_t v);
void am__put_u64(am__file *w, uint64_t v);
void am__put_f32s(am__file *w, const float *v, size_t n);
void am__put_u64s(am__file *w, const uint64_t *v, size_t n);
int am__wclose(am__file *w);

/* Reading: open checks the magic and version and learns the file size; get_* fail with AM_ETRUNC past
 * the end; close verifies the CRC trailer and that nothing follows it. */
int am__ropen(am__file *r, const char *path, const char magic[8], uint32_t max_version, uint32_t *version);
void am__get(am__file *r, void *buf, size_t len);
uint32_t am__get_u32(am__file *r);
uint64_t am__get_u64(am__file *r);
void am__get_f32s(am__file *r, float *v, size_t n);
void am__get_u64s(am__file *r, uint64_t *v, size_t n);
/* AM_ETRUNC unless at least `bytes` payload bytes remain (checked before allocating). */
int am__need(am__file *r, uint64_t bytes);
int am__rclose(am__file *r);
void am__rabort(am__file *r);

#endif
