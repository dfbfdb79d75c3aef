/* Test helpers: libam-format files written by hand (little-endian fields and the CRC-32 trailer), to feed
 * loaders the hostile headers a damaged or forged file may hold. */
#ifndef AM_TESTS_FILES_H
#define AM_TESTS_FILES_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

typedef struct tfile {
    unsigned char b[4096];
    size_t n;
} tfile;

static inline void tf_bytes(tfile *t, const void *p, size_t n)
{
    memcpy(t->b + t->n, p, n);
    t->n += n;
}
static inline void tf_u32(tfile *t, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        t->b[t->n++] = (unsigned char)(v >> (8 * k));
}
static inline void tf_u64(tfile *t, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        t->b[t->n++] = (unsigned char)(v >> (8 * k));
}
static inline void tf_f32(tfile *t, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    tf_u32(t, u);
}
static inline void tf_f64(tfile *t, double f)
{
    uint64_t u;
    memcpy(&u, &f, 8);
    tf_u64(t, u);
}
/* magic, format version 1, endian tag */
static inline void tf_head(tfile *t, const char magic[8])
{
    t->n = 0;
    tf_bytes(t, magic, 8);
    tf_u32(t, 1);
    tf_u32(t, 0x01020304u);
}
/* Append the CRC-32 of everything and write the file. */
static inline void tf_write(tfile *t, const char *path)
{
    uint32_t c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), t->b, (uInt)t->n);
    tf_u32(t, c);
    FILE *f = fopen(path, "wb");
    fwrite(t->b, 1, t->n, f);
    fclose(f);
}

#endif
