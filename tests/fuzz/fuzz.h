/* Shared by the fuzz targets: libFuzzer's entry point, and the input as a file for loaders that take a path.
 * The files live in memory (tests/memfile.h): a target never writes into a directory, so no run -- under
 * libFuzzer, in the replay driver, or one that crashes -- leaves a temporary file behind. */
#ifndef AM_FUZZ_H
#define AM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a file: its path (the same every call). */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
    return mem_file(0, data, size);
}

#endif
