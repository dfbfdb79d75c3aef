/* The concept store on a damaged file. A valid database written by the library (41 concepts in two
 * modalities, one of 600 dimensions so that records spill into overflow pages, a parent, two forgotten
 * concepts so that the free list is not empty, exemplars over two B-tree levels; 4 KB pages) is damaged
 * page by page as the input says, then opened, loaded, summarised and, when asked, written to. A refusal
 * must name the file (abort otherwise). Input:
 *   mode (1 byte): bit 0 also open for writing, learn and sync; bit 1 start from the database rewritten as
 *                  layout 1 (no record checksums, so that damage reaches the record parsers)
 *   edits, each: op (1 byte), page (2 bytes, little-endian; modulo the pages of the file), offset (2 bytes;
 *                modulo the page size), n (1 byte), n bytes; op % 4: 0 overwrite the bytes at the page
 *                and offset, 1 xor them, 2 truncate the file there, 3 copy the page over page `offset`
 *                (modulo the pages).
 * Every file and directory it makes (in $TMPDIR or /tmp) is removed before it returns. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../conceptdb-layout1.h"
#include "am/am.h"
#include "am/conceptdb.h"
#include "fuzz.h"

enum { PAGE = 4096 };

/* The seed cannot be built: nothing to fuzz. */
static void fail(const char *what, const char *why)
{
    fprintf(stderr, "fuzz-conceptdb: %s: %s\n", what, why);
    abort();
}

static void clear(const char *dir)
{
    char p[320];
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/lock.mdb", dir);
    unlink(p);
    rmdir(dir);
}

static void scratch_dir(char *dir, size_t size)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, size, "%s/am-fuzz-cdb-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        fail(dir, strerror(errno));
}

static unsigned char *slurp(const char *dir, size_t *n)
{
    char p[320];
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    FILE *f = fopen(p, "rb");
    if (!f)
        abort();
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n);
    if (!b || fread(b, 1, *n, f) != *n)
        abort();
    fclose(f);
    return b;
}

static void learn(am_concepts *cm, size_t from, size_t count)
{
    static float big[600];
    for (size_t i = from; i < from + count; i++) {
        float a[3] = {(float)(i % 7), (float)(i % 5), 1.0f};
        for (int j = 0; j < 600; j++)
            big[j] = (float)sin(0.01 * (double)(i * 600 + (size_t)j));
        char label[16];
        snprintf(label, sizeof label, "c%zu", i % 40);
        am_concepts_observe(cm, (const float *[8]){a, i % 16 ? NULL : big}, label, NULL, NULL);
    }
}

/* The seed database's data.mdb, of layout 2 and of layout 1, built once. */
static unsigned char *seed[2];
static size_t seed_n[2];

static void seeds_build(void)
{
    char dir[256];
    scratch_dir(dir, sizeof dir);
    am_conceptdb *db = NULL;
    am_modality mods[2] = {{"image", 3, 0.5, "pca"}, {"word", 600, INFINITY, "trigram"}};
    am_concepts *cm = NULL;
    char err[512];
    if (am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, (size_t)1 << 24, err, sizeof err) || am_concepts_create(&cm, mods, 2, NULL))
        fail("the seed database", err);
    learn(cm, 0, 120);
    size_t parent;
    am_concepts_observe(cm, (const float *[8]){(float[3]){9, 9, 9}, NULL}, "animal", &parent, NULL);
    am_concepts_set_parent(cm, 0, parent);
    am_concepts_set_parent(cm, 1, parent);
    if (am_conceptdb_sync(db, cm))
        fail("the seed database", am_conceptdb_message(db));
    am_concepts_forget(cm, 5);
    am_concepts_forget(cm, 6);
    learn(cm, 120, 40);
    if (am_conceptdb_sync(db, cm))
        fail("the seed database", am_conceptdb_message(db));
    am_concepts_free(cm);
    am_conceptdb_close(db);
    seed[0] = slurp(dir, &seed_n[0]);
    if (cdb_layout1(dir))
        fail("the seed database rewritten as layout 1", dir);
    seed[1] = slurp(dir, &seed_n[1]);
    clear(dir);
}

/* The input's edits applied to a copy of the seed, written as dir/data.mdb. */
static void damage(const char *dir, const unsigned char *s, size_t n, const uint8_t *data, size_t size)
{
    unsigned char *f = malloc(n);
    if (!f)
        abort();
    memcpy(f, s, n);
    size_t len = n, npages = n / PAGE;
    for (size_t at = 0; at + 6 <= size;) {
        unsigned op = data[at] % 4;
        size_t page = (data[at + 1] | (size_t)data[at + 2] << 8) % npages;
        size_t off = (data[at + 3] | (size_t)data[at + 4] << 8) % PAGE, k = data[at + 5];
        const uint8_t *b = data + at + 6;
        at += 6;
        k = k < size - at ? k : size - at;
        at += k;
        size_t pos = page * PAGE + off;
        if (op == 2 && pos < len)
            len = pos;
        else if (op == 3)
            memmove(f + off % npages * PAGE, f + page * PAGE, PAGE);
        for (size_t i = 0; op < 2 && i < k && pos + i < n; i++)
            f[pos + i] = op ? f[pos + i] ^ b[i] : b[i];
    }
    char p[320];
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    FILE *out = fopen(p, "wb");
    if (!out || (len && fwrite(f, 1, len, out) != len) || fclose(out))
        abort();
    free(f);
}

/* Everything a reader does. */
static void read_all(am_conceptdb *db)
{
    am_concepts *back = NULL;
    am_conceptdb_stats st;
    char enc[64];
    am_conceptdb_stats_get(db, &st);
    if (am_conceptdb_load(db, &back, NULL) == AM_OK) {
        float cue[3] = {1, 1, 0};
        size_t top[1];
        am_concept_recall r = {.k = 1, .concept = top, .fallback = 1};
        if (am_concepts_count(back))
            am_concepts_recall(back, (const float *[8]){cue}, 1, &r, 1);
        for (size_t c = 0; c < am_concepts_count(back); c += 7)
            am_conceptdb_exemplar_encoder(db, am_concepts_id(back, c), 1, 0, enc, sizeof enc);
    }
    am_concepts_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!seed[0])
        seeds_build();
    int mode = size ? data[0] : 0;
    char dir[256];
    scratch_dir(dir, sizeof dir);
    damage(dir, seed[(mode >> 1) & 1], seed_n[(mode >> 1) & 1], size ? data + 1 : data, size ? size - 1 : 0);
    am_conceptdb *db = NULL;
    char err[512];
    if (am_conceptdb_open(&db, dir, AM_CONCEPTDB_READONLY, (size_t)1 << 24, err, sizeof err) == AM_OK) {
        read_all(db);
        am_conceptdb_close(db);
    } else if (!strstr(err, dir)) {
        abort(); /* every refusal names the file */
    }
    if ((mode & 1) && am_conceptdb_open(&db, dir, 0, (size_t)1 << 24, NULL, 0) == AM_OK) {
        am_concepts *cm = NULL;
        if (am_conceptdb_load(db, &cm, NULL) == AM_OK) {
            learn(cm, 500, 30);
            if (am_concepts_count(cm) > 3)
                am_concepts_forget(cm, 2);
            am_conceptdb_sync(db, cm);
        }
        am_concepts_free(cm);
        read_all(db);
        am_conceptdb_close(db);
    }
    clear(dir);
    return 0;
}
