/* Shared by the fuzz targets: libFuzzer's entry point, and a scratch file holding the input for loaders that
 * take a path. */
#ifndef AM_FUZZ_H
#define AM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input written to a per-process scratch file; its path. */
static inline const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix)
{
    static char path[256];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/am-fuzz-%d%s", dir && *dir ? dir : "/tmp", (int)getpid(), suffix);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    return path;
}

static inline void fuzz_file_remove(void)
{
    char path[256];
    const char *dir = getenv("TMPDIR");
    const char *sfx[] = {"", ".gz", ".tsv", ".csv", ".json", ".words", ".fixed"};
    for (int k = 0; k < 7; k++) {
        snprintf(path, sizeof path, "%s/am-fuzz-%d%s", dir && *dir ? dir : "/tmp", (int)getpid(), sfx[k]);
        unlink(path);
    }
}

#endif
