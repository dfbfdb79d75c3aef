#include "io.h"

#include <string.h>
#include <zlib.h>

#include "am/error.h"

#define ENDIAN_TAG 0x01020304u

static void crc_add(am__file *f, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len) {
        uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
        f->crc = (uint32_t)crc32(f->crc, p, chunk);
        p += chunk;
        len -= chunk;
    }
}

int am__wopen(am__file *w, const char *path)
{
    memset(w, 0, sizeof *w);
    w->f = fopen(path, "wb");
    if (!w->f)
        return AM_EIO;
    w->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    return AM_OK;
}

void am__put(am__file *w, const void *buf, size_t len)
{
    if (w->err || !len)
        return;
    crc_add(w, buf, len);
    if (fwrite(buf, 1, len, w->f) != len)
        w->err = AM_EIO;
}

void am__put_u32(am__file *w, uint32_t v)
{
    unsigned char b[4];
    for (int k = 0; k < 4; k++)
        b[k] = (unsigned char)(v >> (8 * k));
    am__put(w, b, 4);
}

void am__put_u64(am__file *w, uint64_t v)
{
    unsigned char b[8];
    for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)(v >> (8 * k));
    am__put(w, b, 8);
}

void am__put_f32s(am__file *w, const float *v, size_t n)
{
    unsigned char buf[4096];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        for (int b = 0; b < 4; b++)
            buf[k++] = (unsigned char)(u >> (8 * b));
        if (k == sizeof buf) {
            am__put(w, buf, k);
            k = 0;
        }
    }
    am__put(w, buf, k);
}

void am__put_u64s(am__file *w, const uint64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        am__put_u64(w, v[i]);
}

int am__wclose(am__file *w)
{
    uint32_t crc = w->crc;
    unsigned char b[4];
    int rc;
    for (int k = 0; k < 4; k++)
        b[k] = (unsigned char)(crc >> (8 * k));
    if (!w->err && fwrite(b, 1, 4, w->f) != 4)
        w->err = AM_EIO;
    rc = w->err;
    if (fclose(w->f) != 0 && !rc)
        rc = AM_EIO;
    return rc;
}

int am__ropen(am__file *r, const char *path, const char magic[8], uint32_t max_version, uint32_t *version)
{
    char got[8];
    long size;
    uint32_t tag;
    memset(r, 0, sizeof *r);
    r->f = fopen(path, "rb");
    if (!r->f)
        return AM_EIO;
    if (fseek(r->f, 0, SEEK_END) || (size = ftell(r->f)) < 0 || fseek(r->f, 0, SEEK_SET)) {
        fclose(r->f);
        return AM_EIO;
    }
    r->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    if (size < 20) { /* magic + version + endian tag + CRC */
        int rc = (size >= 8 && fread(got, 1, 8, r->f) == 8 && !memcmp(got, magic, 8)) ? AM_ETRUNC : AM_EFORMAT;
        fclose(r->f);
        return rc;
    }
    r->left = (uint64_t)size - 4;
    am__get(r, got, 8);
    if (memcmp(got, magic, 8)) {
        fclose(r->f);
        return AM_EFORMAT;
    }
    *version = am__get_u32(r);
    tag = am__get_u32(r);
    if (tag != ENDIAN_TAG) {
        fclose(r->f);
        return AM_EFORMAT;
    }
    if (*version == 0 || *version > max_version) {
        fclose(r->f);
        return AM_EVERSION;
    }
    return AM_OK;
}

void am__get(am__file *r, void *buf, size_t len)
{
    if (r->err)
        return;
    if (len > r->left) {
        r->err = AM_ETRUNC;
        return;
    }
    if (fread(buf, 1, len, r->f) != len) {
        r->err = AM_EIO;
        return;
    }
    r->left -= len;
    crc_add(r, buf, len);
}

uint32_t am__get_u32(am__file *r)
{
    unsigned char b[4] = {0};
    uint32_t v = 0;
    am__get(r, b, 4);
    for (int k = 0; k < 4; k++)
        v |= (uint32_t)b[k] << (8 * k);
    return v;
}

uint64_t am__get_u64(am__file *r)
{
    unsigned char b[8] = {0};
    uint64_t v = 0;
    am__get(r, b, 8);
    for (int k = 0; k < 8; k++)
        v |= (uint64_t)b[k] << (8 * k);
    return v;
}

void am__get_f32s(am__file *r, float *v, size_t n)
{
    unsigned char buf[4096];
    size_t i = 0;
    while (i < n && !r->err) {
        size_t m = n - i < sizeof buf / 4 ? n - i : sizeof buf / 4;
        am__get(r, buf, 4 * m);
        for (size_t k = 0; k < m && !r->err; k++) {
            uint32_t u = 0;
            for (int b = 0; b < 4; b++)
                u |= (uint32_t)buf[4 * k + b] << (8 * b);
            memcpy(&v[i + k], &u, 4);
        }
        i += m;
    }
}

void am__get_u64s(am__file *r, uint64_t *v, size_t n)
{
    for (size_t i = 0; i < n && !r->err; i++)
        v[i] = am__get_u64(r);
}

int am__need(am__file *r, uint64_t bytes)
{
    if (r->err)
        return r->err;
    return bytes > r->left ? AM_ETRUNC : AM_OK;
}

int am__rclose(am__file *r)
{
    unsigned char b[4];
    uint32_t want = 0;
    int rc = r->err, extra = r->left != 0;
    /* Bytes between the payload and the trailer mean a damaged header or an appended file: read them
     * into the CRC so that damage is reported as a checksum mismatch. */
    while (!rc && r->left) {
        unsigned char skip[4096];
        am__get(r, skip, r->left < sizeof skip ? (size_t)r->left : sizeof skip);
        rc = r->err;
    }
    if (!rc) {
        if (fread(b, 1, 4, r->f) != 4)
            rc = AM_ETRUNC;
        else {
            for (int k = 0; k < 4; k++)
                want |= (uint32_t)b[k] << (8 * k);
            rc = want != r->crc ? AM_ECHECKSUM : extra ? AM_EFORMAT : AM_OK;
        }
    }
    fclose(r->f);
    return rc;
}

void am__rabort(am__file *r)
{
    fclose(r->f);
}
