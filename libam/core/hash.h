/* Internal: hashes for in-memory tables (never stored in files). */
#ifndef AM_CORE_HASH_H
#define AM_CORE_HASH_H

#include <stdint.h>

/* A 64-bit finaliser (MurmurHash3's fmix64): every input bit reaches every output bit. */
static inline uint64_t am__mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

/* FNV-1a over a NUL-terminated string. */
static inline uint64_t am__hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

#endif
