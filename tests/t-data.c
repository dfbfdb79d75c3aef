/* IDX files (good, truncated, corrupted, mis-sized, not IDX), datasets and minibatches. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "tap.h"

#include <dirent.h>
#include <sys/stat.h>

/* rm -r without a shell: the test's own temporary directory. */
static int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return -1;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        int rc = 0;
        if (!d)
            return -1;
        while ((e = readdir(d))) {
            char sub[1024];
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rc |= remove_tree(sub);
        }
        closedir(d);
        return rc | rmdir(path);
    }
    return unlink(path);
}

static char dir[] = "/tmp/t-data-XXXXXX";
static char pathbuf[4][512];

/* A path in the test folder; four rotating buffers, so one call may take several. */
static const char *path(const char *name)
{
    static int k;
    k = (k + 1) % 4;
    snprintf(pathbuf[k], sizeof pathbuf[k], "%s/%s", dir, name);
    return pathbuf[k];
}

static long file_size(const char *p)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void write_bytes(const char *p, const void *b, size_t n)
{
    FILE *f = fopen(p, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

static unsigned char *read_bytes(const char *p, long *n)
{
    *n = file_size(p);
    unsigned char *b = malloc((size_t)*n);
    FILE *f = fopen(p, "rb");
    if (fread(b, 1, (size_t)*n, f) != (size_t)*n)
        *n = -1;
    fclose(f);
    return b;
}

static void test_idx(void)
{
    uint8_t im[5 * 4 * 3];
    for (int i = 0; i < 60; i++)
        im[i] = (uint8_t)(i * 4 + 1);
    size_t dims[3] = {5, 4, 3};
    am_idx *x = NULL;
    for (int gz = 0; gz < 2; gz++) {
        const char *name = gz ? "im.idx.gz" : "im.idx";
        int rc = am_idx_write(path(name), AM_IDX_U8, 3, dims, im);
        is_int(rc, AM_OK, "write %s", name);
        rc = am_idx_read(&x, path(name));
        is_int(rc, AM_OK, "read %s back", name);
        int same = x && x->type == AM_IDX_U8 && x->ndim == 3 && x->dims[0] == 5 && x->dims[1] == 4 &&
                   x->dims[2] == 3 && x->count == 60 && !memcmp(x->data, im, 60);
        ok(same, "%s: type, shape and values round-trip", name);
        am_idx_free(x);
        x = NULL;
    }
    {
        long n;
        unsigned char *b = read_bytes(path("im.idx"), &n);
        ok(n == 4 + 12 + 60 && b[2] == 0x08 && b[3] == 3 && b[7] == 5 && b[11] == 4, "header is big-endian IDX");
        free(b);
    }
    /* Multi-byte types are big-endian on disk, native in memory. */
    float f[6] = {1.5f, -2.25f, 3e10f, 0.0f, -0.0f, 7.0f};
    int16_t s[4] = {-300, 2, 32767, -32768};
    size_t d2[2] = {2, 3}, d1[1] = {4};
    am_idx_write(path("f.idx.gz"), AM_IDX_F32, 2, d2, f);
    am_idx_write(path("s.idx"), AM_IDX_I16, 1, d1, s);
    int rc = am_idx_read(&x, path("f.idx.gz"));
    ok(rc == AM_OK && x->type == AM_IDX_F32 && !memcmp(x->data, f, sizeof f) && am_idx_value(x, 1) == -2.25,
       "float32 IDX round-trips");
    am_idx_free(x);
    rc = am_idx_read(&x, path("s.idx"));
    ok(rc == AM_OK && am_idx_value(x, 0) == -300 && am_idx_value(x, 3) == -32768, "int16 IDX round-trips");
    {
        long n;
        unsigned char *b = read_bytes(path("s.idx"), &n);
        ok(b[8] == 0xFE && b[9] == 0xD4, "int16 stored big-endian (-300 = FE D4)");
        free(b);
    }
    am_idx_free(x);
    is_int(am_idx_write(path("bad.idx"), 0x07, 1, d1, s), AM_EINVAL, "write: unknown type rejected");

    /* Truncated: plain and gzip. */
    long n;
    unsigned char *b = read_bytes(path("im.idx"), &n);
    write_bytes(path("trunc.idx"), b, (size_t)n - 7);
    is_int(am_idx_read(&x, path("trunc.idx")), AM_ETRUNC, "plain file cut short: AM_ETRUNC");
    ok(x == NULL, "nothing returned on error");
    write_bytes(path("trunc-head.idx"), b, 9);
    is_int(am_idx_read(&x, path("trunc-head.idx")), AM_ETRUNC, "file cut inside the dimensions: AM_ETRUNC");
    /* Mis-sized: more data than the header says. */
    unsigned char *longer = malloc((size_t)n + 3);
    memcpy(longer, b, (size_t)n);
    memset(longer + n, 9, 3);
    write_bytes(path("long.idx"), longer, (size_t)n + 3);
    is_int(am_idx_read(&x, path("long.idx")), AM_EFORMAT, "trailing bytes: AM_EFORMAT");
    free(longer);
    /* A header claiming 2^32 x 2^32 x 255 values in a tiny file: no giant allocation, a clear error. */
    unsigned char huge[16 + 10] = {0, 0, 0x08, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0xFF};
    write_bytes(path("huge.idx"), huge, sizeof huge);
    rc = am_idx_read(&x, path("huge.idx"));
    ok(rc == AM_ETRUNC || rc == AM_EOVERFLOW, "header claiming 10^21 values: %s", am_strerror(rc));
    huge[4] = 0;
    huge[8] = 0;
    write_bytes(path("big.idx"), huge, sizeof huge);
    is_int(am_idx_read(&x, path("big.idx")), AM_ETRUNC, "header claiming 4 GB, 10 bytes present: AM_ETRUNC");
    free(b);

    b = read_bytes(path("im.idx.gz"), &n);
    write_bytes(path("trunc.idx.gz"), b, (size_t)n / 2);
    is_int(am_idx_read(&x, path("trunc.idx.gz")), AM_ETRUNC, "gzip cut in half: AM_ETRUNC");
    write_bytes(path("trunc2.idx.gz"), b, (size_t)n - 4);
    is_int(am_idx_read(&x, path("trunc2.idx.gz")), AM_ETRUNC, "gzip without its length trailer: AM_ETRUNC");
    /* Corrupted: the CRC-32 trailer, then the deflate payload. */
    unsigned char *c = malloc((size_t)n);
    memcpy(c, b, (size_t)n);
    c[n - 6] ^= 0x55;
    write_bytes(path("crc.idx.gz"), c, (size_t)n);
    is_int(am_idx_read(&x, path("crc.idx.gz")), AM_ECHECKSUM, "gzip CRC mismatch: AM_ECHECKSUM");
    memcpy(c, b, (size_t)n);
    for (long i = 12; i < n - 8; i += 3)
        c[i] ^= 0xA5;
    write_bytes(path("bad.idx.gz"), c, (size_t)n);
    rc = am_idx_read(&x, path("bad.idx.gz"));
    ok(rc == AM_EFORMAT || rc == AM_ECHECKSUM || rc == AM_ETRUNC, "damaged deflate data: %s", am_strerror(rc));
    free(c);
    free(b);
    /* Not IDX at all, empty, missing. */
    write_bytes(path("text.idx"), "hello, world\n", 13);
    is_int(am_idx_read(&x, path("text.idx")), AM_EFORMAT, "a text file: AM_EFORMAT");
    unsigned char badtype[8] = {0, 0, 0x07, 1, 0, 0, 0, 1};
    write_bytes(path("type.idx"), badtype, 8);
    is_int(am_idx_read(&x, path("type.idx")), AM_EFORMAT, "unknown type code: AM_EFORMAT");
    write_bytes(path("empty.idx"), "", 0);
    is_int(am_idx_read(&x, path("empty.idx")), AM_EFORMAT, "an empty file: AM_EFORMAT");
    is_int(am_idx_read(&x, path("missing.idx")), AM_ERRNO(ENOENT), "a missing file keeps its errno (%s)", am_strerror(AM_ERRNO(ENOENT)));
}

static void test_dataset(void)
{
    const size_t N = 37, R = 3, C = 2;
    uint8_t *im = malloc(N * R * C), lb[37];
    for (size_t i = 0; i < N * R * C; i++)
        im[i] = (uint8_t)((i * 7) % 256);
    for (size_t i = 0; i < N; i++)
        lb[i] = (uint8_t)(i % 4);
    size_t di[3] = {N, R, C}, dl[1] = {N}, dl2[1] = {N - 1};
    am_idx_write(path("ds-images.gz"), AM_IDX_U8, 3, di, im);
    am_idx_write(path("ds-labels.gz"), AM_IDX_U8, 1, dl, lb);
    am_idx_write(path("ds-labels-short.gz"), AM_IDX_U8, 1, dl2, lb);
    am_dataset *ds = NULL, *sub = NULL;
    int rc = am_dataset_load(&ds, path("ds-images.gz"), path("ds-labels.gz"), 1.0 / 255.0);
    is_int(rc, AM_OK, "load images and labels (%s)", am_strerror(rc));
    ok(ds->count == N && ds->dim == 6 && ds->rows == R && ds->cols == C && ds->classes == 4, "shape and classes");
    is_near(ds->x[5], (5 * 7) / 255.0, 1e-7, "pixels scaled to [0, 1]");
    ok(ds->labels[6] == 2, "labels");
    is_int(am_dataset_load(&sub, path("ds-images.gz"), path("ds-labels-short.gz"), 1.0), AM_ESIZE,
           "label count differs from image count: AM_ESIZE");
    is_int(am_dataset_load(&sub, path("ds-images.gz"), path("text.idx"), 1.0), AM_EFORMAT, "labels not IDX");

    uint32_t pick[3] = {5, 0, 36};
    rc = am_dataset_take(&sub, ds, pick, 3);
    ok(rc == AM_OK && sub->count == 3 && sub->labels[0] == 1 && sub->x[6] == ds->x[0] && sub->x[12] == ds->x[216],
       "take copies the chosen items in order");
    am_dataset_free(sub);
    pick[1] = 37;
    is_int(am_dataset_take(&sub, ds, pick, 3), AM_EINVAL, "take: index out of range");
    rc = am_dataset_slice(&sub, ds, 30, 7);
    ok(rc == AM_OK && sub->count == 7 && sub->labels[0] == 2, "slice");
    am_dataset_free(sub);
    is_int(am_dataset_slice(&sub, ds, 30, 8), AM_EINVAL, "slice past the end");

    float mean[6], sd[6];
    am_dataset_stats(ds, mean, sd);
    rc = am_dataset_normalize(ds, mean, sd);
    am_dataset_stats(ds, mean, sd);
    double worst = 0;
    for (int j = 0; j < 6; j++) {
        worst = fmax(worst, fabs(mean[j]));
        worst = fmax(worst, fabs(sd[j] - 1.0));
    }
    is_near(worst, 0.0, 1e-5, "normalised features have mean 0, sd 1");

    /* Batches: a pass visits every item once; the order depends only on the seed. */
    am_batches b;
    am_rng rng;
    float x[10 * 6];
    uint32_t idx[10], seen[37] = {0}, first[37], again[37];
    int labels[10];
    am_batches_init(&b, N, 10);
    am_rng_init(&rng, 5, 0);
    am_batches_shuffle(&b, &rng);
    size_t got, total = 0, batches = 0, last = 0, k = 0;
    int rows_ok = 1;
    while ((got = am_batches_next(&b, ds, x, labels, idx))) {
        for (size_t r = 0; r < got; r++) {
            seen[idx[r]]++;
            first[k++] = idx[r];
            rows_ok &= !memcmp(x + r * 6, ds->x + idx[r] * 6, 6 * sizeof(float)) && labels[r] == ds->labels[idx[r]];
        }
        total += got;
        batches++;
        last = got;
    }
    int once = 1;
    for (size_t i = 0; i < N; i++)
        once &= seen[i] == 1;
    ok(total == N && batches == 4 && last == 7 && once, "a pass: 4 batches (last short), each item once");
    ok(rows_ok, "batch rows and labels are the items'");
    am_rng_init(&rng, 5, 0);
    am_batches_shuffle(&b, &rng);
    k = 0;
    while ((got = am_batches_next(&b, ds, NULL, NULL, idx)))
        for (size_t r = 0; r < got; r++)
            again[k++] = idx[r];
    ok(!memcmp(first, again, sizeof first), "same seed, same order");
    am_rng_init(&rng, 6, 0);
    am_batches_shuffle(&b, &rng);
    am_batches_next(&b, ds, NULL, NULL, idx);
    ok(memcmp(first, idx, 10 * sizeof *idx) != 0, "another seed, another order");
    am_batches_free(&b);
    is_int(am_batches_init(&b, 0, 10), AM_EINVAL, "batches over nothing");
    am_dataset_free(ds);
    free(im);
}

static void test_fashion(void)
{
    ok(!strcmp(am_fashion_class_name(0), "T-shirt/top") && !strcmp(am_fashion_class_name(9), "Ankle boot") &&
           !strcmp(am_fashion_class_name(10), "?"),
       "Fashion-MNIST class names");
    am_dataset *ds = NULL;
    is_int(am_fashion_load(&ds, dir, "test"), AM_ERRNO(ENOENT), "Fashion-MNIST from a folder without it: ENOENT");
    is_int(am_fashion_load(&ds, NULL, "validation"), AM_EINVAL, "unknown split");
    if (access(AM_FASHION_DIR "/t10k-images-idx3-ubyte.gz", R_OK) != 0) {
        ok(1, "# SKIP Fashion-MNIST not installed (dataset-fashion-mnist)");
        return;
    }
    int rc = am_fashion_load(&ds, NULL, "test");
    int counts[10] = {0}, balanced = 1;
    float lo = 1, hi = 0;
    for (size_t i = 0; rc == AM_OK && i < ds->count; i++)
        counts[ds->labels[i]]++;
    for (size_t i = 0; rc == AM_OK && i < ds->count * ds->dim; i++) {
        lo = fminf(lo, ds->x[i]);
        hi = fmaxf(hi, ds->x[i]);
    }
    for (int c = 0; c < 10; c++)
        balanced &= counts[c] == 1000;
    ok(rc == AM_OK && ds->count == 10000 && ds->rows == 28 && ds->cols == 28 && ds->classes == 10 && balanced &&
           lo == 0.0f && hi == 1.0f,
       "Fashion-MNIST test split: 10000 28x28 images in [0, 1], 1000 per class");
    am_dataset_free(ds);
}

/* Labels must be classes in range and image values finite; the reasons are told apart. */
static void test_hostile_idx(void)
{
    am_dataset *ds = NULL;
    uint8_t im[2 * 4] = {0};
    size_t d2[2] = {2, 4}, d1[1] = {2};
    int32_t big[2] = {3, 999999};
    float nanv[8] = {0, 1, NAN, 0, 0, 0, 0, 0};
    am_idx_write(path("im8.idx"), AM_IDX_U8, 2, d2, im);
    am_idx_write(path("lab-big.idx"), AM_IDX_I32, 1, d1, big);
    is_int(am_dataset_load(&ds, path("im8.idx"), path("lab-big.idx"), 1.0), AM_ERANGE,
           "a label of 999999 is out of range (AM_ERANGE), not 'out of memory'");
    am_idx_write(path("imnan.idx"), AM_IDX_F32, 2, d2, nanv);
    is_int(am_dataset_load(&ds, path("imnan.idx"), NULL, 1.0), AM_ENOTFINITE, "a NaN pixel: AM_ENOTFINITE");
    {
        float fv[8] = {0.25f, 0.5f, 0.75f, 1, 0, 0.125f, 2, 3};
        int16_t iv[8] = {255, 0, 51, 0, 0, 0, 0, 0};
        am_idx_write(path("imf.idx"), AM_IDX_F32, 2, d2, fv);
        am_idx_write(path("imi16.idx"), AM_IDX_I16, 2, d2, iv);
        ok(am_dataset_load(&ds, path("imf.idx"), NULL, 1.0 / 255.0) == AM_OK && ds->x[1] == 0.5f && ds->x[7] == 3.0f,
           "float data are taken as stored (the scale is for integer pixels)");
        am_dataset_free(ds);
        ds = NULL;
        ok(am_dataset_load(&ds, path("imi16.idx"), NULL, 1.0 / 255.0) == AM_OK && ds->x[0] == 1.0f && ds->x[2] == 0.2f,
           "integer data other than uint8 are scaled");
        am_dataset_free(ds);
        ds = NULL;
        unlink(path("imf.idx"));
        unlink(path("imi16.idx"));
    }
    /* A header claiming 4 GB in a 26-byte file fails as truncated, without allocating 4 GB. */
    unsigned char h[26] = {0, 0, 8, 3, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0};
    write_bytes(path("4g.idx"), h, sizeof h);
    am_idx *x = NULL;
    is_int(am_idx_read(&x, path("4g.idx")), AM_ETRUNC, "a 4 GB header in 26 bytes: AM_ETRUNC");
    is_int(am_idx_read(&x, dir), AM_ERRNO(EISDIR), "a folder: Is a directory");
}

static void write_text(const char *p, const char *s)
{
    write_bytes(p, s, strlen(s));
}

/* The latent TSV reader behind `autoencoder decode --in`. */
static void test_latents(void)
{
    float *z = NULL;
    int *lab = NULL;
    size_t k = 0, n = 0;
    char err[200];
    write_text(path("z.tsv"), "# program: autoencoder\nindex\tlabel\tz1\tz2\n0\t3\t0.5\t-1\n1\t-1\t2e-3\t4\n");
    is_int(am_latents_read(path("z.tsv"), &k, &z, &lab, &n, err, sizeof err), AM_OK, "read latents");
    ok(k == 2 && n == 2 && z[1] == -1.0f && z[2] == 2e-3f && lab[0] == 3 && lab[1] == -1, "values, labels, sizes");
    free(z), free(lab);
    k = 3;
    is_int(am_latents_read(path("z.tsv"), &k, &z, &lab, &n, err, sizeof err), AM_EFORMAT, "a model with 3 latents");
    ok(strstr(err, "line 2") && strstr(err, "2 latent columns"), "says where and why: %s", err);
    write_text(path("bad.tsv"), "index\tlabel\tz1\n0\t1\t0.5\n1\t1\tnan\n");
    k = 0;
    is_int(am_latents_read(path("bad.tsv"), &k, &z, &lab, &n, err, sizeof err), AM_EFORMAT, "a NaN latent");
    ok(strstr(err, "line 3") != NULL, "on line 3: %s", err);
    write_text(path("lab.tsv"), "index\tlabel\tz1\n0\t99999999999\t0.5\n");
    is_int(am_latents_read(path("lab.tsv"), &k, &z, &lab, &n, err, sizeof err), AM_EFORMAT, "an absurd label");
    write_text(path("hdr.tsv"), "index\tlabel\tz1\tz3\n");
    is_int(am_latents_read(path("hdr.tsv"), &k, &z, &lab, &n, err, sizeof err), AM_EFORMAT, "columns out of order");
    write_text(path("empty.tsv"), "# nothing\n");
    is_int(am_latents_read(path("empty.tsv"), &k, &z, &lab, &n, err, sizeof err), AM_EFORMAT, "no header");
    is_int(am_latents_read(path("none.tsv"), &k, &z, &lab, &n, err, sizeof err), AM_ERRNO(ENOENT), "a missing file");
    ok(z == NULL && lab == NULL, "nothing allocated on failure");
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_idx();
    test_dataset();
    test_fashion();
    test_hostile_idx();
    test_latents();
    if (remove_tree(dir) != 0)
        diag("could not remove %s", dir);
    return done_testing();
}
