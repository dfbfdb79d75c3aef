/* Latent vectors as TSV, the format `autoencoder encode` writes: '#' lines, a header row, one row per item. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/io.h"
#include "am/data.h"
#include "am/error.h"

#define say am__say

int am_latents_read(const char *path, size_t *k, float **z, int **labels, size_t *n, char *err, size_t errsize)
{
    if (err && errsize)
        err[0] = 0;
    if (!path || !k || !z || !labels || !n)
        return AM_EINVAL;
    *z = NULL;
    *labels = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    struct stat st;
    if (!f)
        return am__errno_status();
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return AM_ERRNO(EISDIR);
    }
    size_t cap = 0, rows = 0, line = 0, bufsize = 0, K = *k;
    char *buf = NULL;
    int header = 0, rc = AM_OK;
    while (getline(&buf, &bufsize, f) >= 0) {
        line++;
        if (buf[0] == '#' || buf[0] == '\n' || (buf[0] == '\r' && buf[1] == '\n'))
            continue;
        if (!header) {
            /* "index label z1 z2 .. zK", tab-separated, with the z columns numbered in order. */
            header = 1;
            size_t cols = 0;
            char *p = buf;
            int good = !strncmp(p, "index\tlabel", 11);
            p += good ? 11 : 0;
            while (good && *p == '\t') {
                char *end;
                if (p[1] != 'z')
                    good = 0;
                else {
                    errno = 0;
                    unsigned long long c = strtoull(p + 2, &end, 10);
                    good = !errno && end != p + 2 && c == cols + 1;
                    cols++;
                    p = end;
                }
            }
            while (good && (*p == '\r' || *p == '\n'))
                p++;
            if (!good || *p || !cols || (K && cols != K) || cols > AM_MAX_LATENT) {
                if (K && good && cols != K)
                    say(err, errsize, "line %zu: %zu latent columns, the model has %zu", line, cols, K);
                else
                    say(err, errsize, "line %zu: expected the header 'index label z1 .. zK' of autoencoder encode",
                        line);
                rc = AM_EFORMAT;
                break;
            }
            K = cols;
            continue;
        }
        if (rows == cap) {
            size_t ncap = cap ? 2 * cap : 1024;
            float *nz = ncap <= SIZE_MAX / sizeof(float) / K ? realloc(*z, ncap * K * sizeof **z) : NULL;
            if (nz)
                *z = nz;
            int *nl = nz ? realloc(*labels, ncap * sizeof **labels) : NULL;
            if (nl)
                *labels = nl;
            if (!nz || !nl) {
                rc = AM_ENOMEM;
                break;
            }
            cap = ncap;
        }
        char *p = buf, *end;
        errno = 0;
        strtoull(p, &end, 10);
        int bad = errno || end == p || *p == '-' || *end != '\t';
        p = end;
        long lab = bad ? 0 : strtol(p, &end, 10);
        bad |= errno || end == p || lab < -1 || lab >= AM_MAX_CLASSES;
        p = end;
        for (size_t j = 0; j < K && !bad; j++) {
            if (*p != '\t') {
                bad = 1;
                break;
            }
            double v = strtod(p, &end);
            bad = end == p || !isfinite(v) || !isfinite((float)v);
            (*z)[rows * K + j] = (float)v;
            p = end;
        }
        while (!bad && (*p == ' ' || *p == '\r'))
            p++;
        if (bad || (*p != '\n' && *p != '\0')) {
            say(err, errsize, "line %zu: expected an index, a label (-1 or a class) and %zu finite numbers", line, K);
            rc = AM_EFORMAT;
            break;
        }
        (*labels)[rows] = (int)lab;
        rows++;
    }
    if (!rc && ferror(f))
        rc = am__errno_status();
    free(buf);
    fclose(f);
    if (!rc && !header) {
        say(err, errsize, "no header row: not a file written by autoencoder encode");
        rc = AM_EFORMAT;
    }
    if (rc) {
        free(*z);
        free(*labels);
        *z = NULL;
        *labels = NULL;
        return rc;
    }
    *k = K;
    *n = rows;
    return AM_OK;
}
