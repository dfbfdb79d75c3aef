/* IDX files through zlib, which reads gzip and plain files alike. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../core/alloc.h"
#include "../core/io.h"
#include "am/data.h"
#include "am/error.h"

static size_t type_size(int type)
{
    switch (type) {
    case AM_IDX_U8:
    case AM_IDX_I8:
        return 1;
    case AM_IDX_I16:
        return 2;
    case AM_IDX_I32:
    case AM_IDX_F32:
        return 4;
    case AM_IDX_F64:
        return 8;
    default:
        return 0;
    }
}

/* A short read is either the end of the data (truncated) or a damaged stream. */
static int read_status(gzFile g)
{
    int zerr;
    const char *msg = gzerror(g, &zerr);
    if (zerr == Z_DATA_ERROR)
        return msg && strstr(msg, "check") ? AM_ECHECKSUM : AM_EFORMAT;
    if (zerr == Z_ERRNO)
        return am__errno_status();
    if (zerr == Z_MEM_ERROR)
        return AM_ENOMEM;
    return AM_ETRUNC;
}

static int read_exact(gzFile g, void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len) {
        unsigned chunk = len > (1u << 30) ? (1u << 30) : (unsigned)len;
        int got = gzread(g, p, chunk);
        if (got <= 0)
            return read_status(g);
        p += got;
        len -= (size_t)got;
    }
    return AM_OK;
}

static void swap_to_native(void *data, size_t count, size_t size)
{
    unsigned char *p = data;
    const uint16_t probe = 1;
    if (size == 1 || *(const unsigned char *)&probe == 0)
        return;
    for (size_t i = 0; i < count; i++, p += size)
        for (size_t a = 0, b = size - 1; a < b; a++, b--) {
            unsigned char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

static int read_body(gzFile g, am_idx *idx)
{
    unsigned char head[4];
    int rc = read_exact(g, head, 4);
    if (rc)
        return rc == AM_ETRUNC ? AM_EFORMAT : rc;
    size_t es = type_size(head[2]);
    if (head[0] || head[1] || !es || head[3] < 1 || head[3] > AM_IDX_MAX_DIMS)
        return AM_EFORMAT;
    idx->type = head[2];
    idx->ndim = head[3];
    idx->count = 1;
    for (int k = 0; k < idx->ndim; k++) {
        unsigned char d[4];
        if ((rc = read_exact(g, d, 4)))
            return rc;
        idx->dims[k] = (size_t)d[0] << 24 | (size_t)d[1] << 16 | (size_t)d[2] << 8 | d[3];
        if ((rc = am_size_mul(idx->count, idx->dims[k], &idx->count)))
            return rc;
    }
    size_t bytes;
    if ((rc = am_size_mul(idx->count, es, &bytes)))
        return rc;
    /* Grow with the data so that a damaged header cannot make us allocate gigabytes. */
    size_t have = 0, cap = 0;
    unsigned char *buf = NULL;
    while (have < bytes) {
        if (have == cap) {
            size_t ncap = cap ? cap * 2 : (size_t)1 << 20;
            if (ncap > bytes)
                ncap = bytes;
            unsigned char *nb = am__realloc_big(buf, have, ncap);
            if (!nb) {
                free(buf);
                return AM_ENOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        size_t want = cap - have;
        if (want > (1u << 30))
            want = 1u << 30;
        int got = gzread(g, buf + have, (unsigned)want);
        if (got <= 0) {
            free(buf);
            return read_status(g);
        }
        have += (size_t)got;
    }
    unsigned char extra;
    if (gzread(g, &extra, 1) != 0) {
        free(buf);
        return AM_EFORMAT; /* more data than the header says */
    }
    int zerr;
    gzerror(g, &zerr);
    if (zerr != Z_OK) {
        free(buf);
        return read_status(g);
    }
    swap_to_native(buf, idx->count, es);
    idx->data = buf ? buf : malloc(1);
    return idx->data ? AM_OK : AM_ENOMEM;
}

int am_idx_read(am_idx **out, const char *path)
{
    if (!out || !path)
        return AM_EINVAL;
    *out = NULL;
    /* Open the file ourselves so that a missing file or a directory is reported as such. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return am__errno_status();
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        int rc = S_ISDIR(st.st_mode) ? AM_ERRNO(EISDIR) : am__errno_status();
        close(fd);
        return rc;
    }
    gzFile g = gzdopen(fd, "rb");
    if (!g) {
        close(fd);
        return AM_ENOMEM;
    }
    am_idx *idx = calloc(1, sizeof *idx);
    if (!idx) {
        gzclose(g);
        return AM_ENOMEM;
    }
    int rc = read_body(g, idx);
    int crc = gzclose(g);
    if (!rc && crc != Z_OK)
        rc = crc == Z_BUF_ERROR ? AM_ETRUNC : crc == Z_DATA_ERROR ? AM_ECHECKSUM : am__errno_status();
    if (rc) {
        am_idx_free(idx);
        return rc;
    }
    *out = idx;
    return AM_OK;
}

void am_idx_free(am_idx *idx)
{
    if (!idx)
        return;
    free(idx->data);
    free(idx);
}

double am_idx_value(const am_idx *idx, size_t i)
{
    switch (idx->type) {
    case AM_IDX_U8:
        return ((const uint8_t *)idx->data)[i];
    case AM_IDX_I8:
        return ((const int8_t *)idx->data)[i];
    case AM_IDX_I16:
        return ((const int16_t *)idx->data)[i];
    case AM_IDX_I32:
        return ((const int32_t *)idx->data)[i];
    case AM_IDX_F32:
        return ((const float *)idx->data)[i];
    default:
        return ((const double *)idx->data)[i];
    }
}

int am_idx_write(const char *path, int type, int ndim, const size_t *dims, const void *data)
{
    size_t es = type_size(type), count = 1, bytes;
    if (!path || !es || ndim < 1 || ndim > AM_IDX_MAX_DIMS || !dims || !data)
        return AM_EINVAL;
    unsigned char head[4 + 4 * AM_IDX_MAX_DIMS] = {0, 0, (unsigned char)type, (unsigned char)ndim};
    for (int k = 0; k < ndim; k++) {
        if (dims[k] > 0xFFFFFFFFu)
            return AM_EINVAL;
        for (int b = 0; b < 4; b++)
            head[4 + 4 * k + b] = (unsigned char)(dims[k] >> (24 - 8 * b));
        if (am_size_mul(count, dims[k], &count))
            return AM_EOVERFLOW;
    }
    if (am_size_mul(count, es, &bytes))
        return AM_EOVERFLOW;
    size_t len = strlen(path);
    int gz = len > 3 && !strcmp(path + len - 3, ".gz"), fd, rc;
    char *tmp, *final;
    if ((rc = am__tmp_reserve(path, &tmp, &final, &fd)))
        return rc;
    gzFile g = gzdopen(fd, gz ? "wb6" : "wbT");
    if (!g) {
        close(fd);
        am__tmp_discard(tmp, final);
        return AM_ENOMEM;
    }
    errno = 0;
    int bad = gzwrite(g, head, (unsigned)(4 + 4 * ndim)) != 4 + 4 * ndim;
    /* Big-endian values, converted through a small buffer. */
    unsigned char buf[1 << 16];
    const unsigned char *p = data;
    const uint16_t probe = 1;
    int little = *(const unsigned char *)&probe == 1;
    for (size_t off = 0; off < bytes && !bad;) {
        size_t n = bytes - off < sizeof buf ? bytes - off : sizeof buf;
        memcpy(buf, p + off, n);
        if (little && es > 1)
            swap_to_native(buf, n / es, es);
        bad = gzwrite(g, buf, (unsigned)n) != (int)n;
        off += n;
    }
    int werr = bad ? am__errno_status() : AM_OK;
    if (gzclose(g) != Z_OK && !bad) {
        bad = 1;
        werr = am__errno_status();
    }
    if (bad) {
        am__tmp_discard(tmp, final);
        return werr;
    }
    return am__tmp_commit(tmp, final);
}
