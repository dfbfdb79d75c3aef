/* The concept store in LMDB: round trip, incremental syncs, forgetting, labels, encoders, statistics; a
 * writer killed (SIGKILL) in the middle of a bulk learn while readers load snapshots: nothing committed is
 * lost and nothing is corrupted; foreign, damaged and newer databases are refused. Damage (each case read
 * and written in a child process, so that a crash is a failed test): data.mdb cut to several sizes, 8
 * bytes overwritten in the meta pages, in root, branch and leaf pages, in records and all over the file:
 * an error naming the file, never a crash. Layout 1 (before checksums) read and upgraded; labels passed
 * between concepts in one sync. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "am/am.h"
#include "am/conceptdb.h"
#include "conceptdb-layout1.h"
#include "tap.h"

#define BATCH 100
#define LABELS 500

static char dir[256];

static void rmtree(const char *d)
{
    char p[512];
    snprintf(p, sizeof p, "%s/data.mdb", d);
    unlink(p);
    snprintf(p, sizeof p, "%s/lock.mdb", d);
    unlink(p);
    rmdir(d);
}

/* Observation i: label c(i % LABELS), latents a deterministic function of i. */
static void obs(size_t i, float *a, float *b, char *label)
{
    for (int j = 0; j < 16; j++)
        a[j] = (float)sin(0.1 * (double)i + j);
    for (int j = 0; j < 8; j++)
        b[j] = (float)cos(0.07 * (double)i - j);
    snprintf(label, 16, "c%zu", i % LABELS);
}

static am_concepts *fresh(void)
{
    am_modality mods[2] = {{"image", 16, 1.0, "pca k=16"}, {"word", 8, INFINITY, "trigram"}};
    am_concepts *cm = NULL;
    am_concepts_create(&cm, mods, 2, NULL);
    return cm;
}

/* Every exemplar of every concept is the observation it came from; counts agree. */
static int consistent(const am_concepts *cm, size_t *total)
{
    size_t t = 0;
    float a[16], b[8];
    char label[16];
    for (size_t c = 0; c < am_concepts_count(cm); c++) {
        const char *l = am_concepts_label(cm, c);
        size_t j = (size_t)atol(l + 1), n = am_concepts_exemplars(cm, c, 0);
        if (l[0] != 'c' || n != am_concepts_exemplars(cm, c, 1) || am_concepts_observations(cm, c) != n)
            return 0;
        for (size_t e = 0; e < n; e++) {
            obs(j + LABELS * e, a, b, label);
            if (strcmp(label, l) || memcmp(am_concepts_exemplar(cm, c, 0, e), a, sizeof a) ||
                memcmp(am_concepts_exemplar(cm, c, 1, e), b, sizeof b))
                return 0;
        }
        t += n;
    }
    *total = t;
    return 1;
}

static void writer(size_t nobs, int announce_fd)
{
    am_conceptdb *db;
    if (am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, 0, NULL, 0))
        _exit(3);
    am_concepts *cm = NULL;
    if (am_conceptdb_has_layout(db)) {
        if (am_conceptdb_load(db, &cm, NULL))
            _exit(4);
    } else {
        cm = fresh();
    }
    size_t start = 0;
    for (size_t c = 0; c < am_concepts_count(cm); c++)
        start += am_concepts_exemplars(cm, c, 0);
    float a[16], b[8];
    char label[16];
    for (size_t i = start; i < start + nobs; i++) {
        obs(i, a, b, label);
        const float *lat[AM_CONCEPT_MAX_MODALITIES] = {a, b};
        if (am_concepts_observe(cm, lat, label, NULL, NULL))
            _exit(5);
        if ((i + 1) % BATCH == 0) {
            if (am_conceptdb_sync(db, cm))
                _exit(6);
            if (announce_fd >= 0 && i + 1 == start + 20 * BATCH)
                (void)!write(announce_fd, "x", 1);
        }
    }
    am_concepts_free(cm);
    am_conceptdb_close(db);
    _exit(0);
}

/* ---- damage: truncated files, overwritten bytes, damaged meta pages ---- */

/* The database the damage is done to, as written: 400 observations in a 16-d and a 600-d modality (its
 * records spill into overflow pages), exemplars over two B-tree levels, forgotten concepts (a free list). */
static unsigned char *pristine;
static size_t pristine_n;
static size_t psize = 4096;

static void damage_db_reread(void);

static void damage_db_build(void)
{
    am_modality mods[2] = {{"image", 16, 1.0, "pca k=16"}, {"word", 600, INFINITY, "trigram"}};
    am_concepts *cm = NULL;
    am_conceptdb *db = NULL;
    static float a[16], w[600];
    char label[16];
    rmtree(dir);
    am_concepts_create(&cm, mods, 2, NULL);
    am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, 0, NULL, 0);
    for (size_t i = 0; i < 400; i++) {
        obs(i, a, w, label);
        for (int j = 8; j < 600; j++)
            w[j] = (float)sin(0.01 * (double)(i + 7 * j));
        am_concepts_observe(cm, (const float *[8]){a, i % 4 ? NULL : w}, label, NULL, NULL);
        if (i % 100 == 99)
            am_conceptdb_sync(db, cm);
    }
    am_concepts_forget(cm, 3);
    am_concepts_forget(cm, 4);
    am_conceptdb_sync(db, cm);
    am_concepts_free(cm);
    am_conceptdb_close(db);
    damage_db_reread();
}

/* pristine: data.mdb as it is now. */
static void damage_db_reread(void)
{
    char p[512];
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    FILE *f = fopen(p, "rb");
    fseek(f, 0, SEEK_END);
    pristine_n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    pristine = malloc(pristine_n);
    if (fread(pristine, 1, pristine_n, f) != pristine_n)
        pristine_n = 0;
    fclose(f);
    uint32_t ps;
    memcpy(&ps, pristine + 16 + 24, 4); /* the page size: in the free list's record of meta page 0 */
    psize = ps;
}

/* data.mdb written anew: the pristine file with n bytes at each of the offsets, cut to `len` bytes;
 * lock.mdb removed. */
static void damage_write(const size_t *offs, size_t noffs, const void *bytes, size_t n, size_t len)
{
    char p[512];
    snprintf(p, sizeof p, "%s/lock.mdb", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    FILE *f = fopen(p, "wb");
    unsigned char *copy = malloc(pristine_n);
    memcpy(copy, pristine, pristine_n);
    for (size_t i = 0; i < noffs; i++)
        if (offs[i] + n <= pristine_n)
            memcpy(copy + offs[i], bytes, n);
    if (len)
        fwrite(copy, 1, len, f);
    fclose(f);
    free(copy);
}

/* The offsets of every copy of n bytes in the pristine file (a record's live copy, and stale ones in free
 * pages), plus `plus`; how many (at most max). */
static size_t occurrences(const void *bytes, size_t n, size_t plus, size_t *offs, size_t max)
{
    size_t k = 0;
    for (const unsigned char *p = pristine; k < max && (p = memmem(p, pristine_n - (size_t)(p - pristine), bytes, n)); p++)
        offs[k++] = (size_t)(p - pristine) + plus;
    return k;
}

enum { ACCEPTED, REFUSED_OPEN, REFUSED_CHECKSUM, REFUSED_LOAD, WRITE_FAILED, ALTERED, UNNAMED, CRASHED };
static const char *outcome_name[] = {"accepted",
                                     "refused on opening",
                                     "a checksum mismatch",
                                     "refused on loading",
                                     "accepted but not writable",
                                     "accepted with other contents",
                                     "refused without naming the file",
                                     "a crash"};

/* The loaded memory is the one written: 398 concepts, each exemplar of 'image' the observation of its
 * label. */
static int intact(const am_concepts *cm)
{
    float a[16], b[8];
    char label[16];
    int good = am_concepts_count(cm) == 398;
    for (size_t c = 0; good && c < am_concepts_count(cm); c++) {
        obs((size_t)atol(am_concepts_label(cm, c) + 1), a, b, label);
        good = am_concepts_exemplars(cm, c, 0) == 1 && !memcmp(am_concepts_exemplar(cm, c, 0, 0), a, sizeof a);
    }
    return good;
}

static int named(const char *msg)
{
    return strstr(msg, dir) && strstr(msg, "data.mdb");
}

/* Everything a reader does, then (if the database was accepted) a write. */
static int probe_child(void)
{
    am_conceptdb *db;
    am_concepts *cm = NULL;
    am_conceptdb_stats st;
    char err[512], enc[128];
    int rc = am_conceptdb_open(&db, dir, AM_CONCEPTDB_READONLY, 0, err, sizeof err);
    if (rc)
        return named(err) ? REFUSED_OPEN : UNNAMED;
    if (!(rc = am_conceptdb_load(db, &cm, NULL)))
        rc = am_conceptdb_stats_get(db, &st);
    for (size_t c = 0; !rc && c < am_concepts_count(cm); c++)
        for (size_t m = 0; !rc && m < 2; m++)
            for (size_t i = 0; !rc && i < am_concepts_exemplars(cm, c, m); i++)
                rc = am_conceptdb_exemplar_encoder(db, am_concepts_id(cm, c), m, i, enc, sizeof enc);
    if (rc)
        return !named(am_conceptdb_message(db)) ? UNNAMED : rc == AM_ECHECKSUM ? REFUSED_CHECKSUM : REFUSED_LOAD;
    if (!intact(cm))
        return ALTERED;
    am_conceptdb_close(db);
    if (am_conceptdb_open(&db, dir, 0, 0, err, sizeof err) || am_conceptdb_load(db, &cm, NULL))
        return WRITE_FAILED;
    static float a[16], w[600];
    char label[16];
    obs(9999, a, w, label);
    am_concepts_observe(cm, (const float *[8]){a, w}, "new", NULL, NULL);
    return am_conceptdb_sync(db, cm) ? WRITE_FAILED : ACCEPTED;
}

/* The outcome of reading (and writing) the database as it is now, in a child process. */
static int probe(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(probe_child());
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) < CRASHED ? WEXITSTATUS(st) : CRASHED;
}

static int damaged(const size_t *offs, size_t noffs, const void *bytes, size_t n)
{
    damage_write(offs, noffs, bytes, n, pristine_n);
    return probe();
}

static uint16_t rd16(size_t at) { uint16_t v; memcpy(&v, pristine + at, 2); return v; }
static uint64_t rd64(size_t at) { uint64_t v; memcpy(&v, pristine + at, 8); return v; }

/* The root page of a named table: the record after its name in the main table's root (a leaf). */
static uint64_t table_root(uint64_t main_root, const char *name)
{
    size_t pg = main_root * psize, n = (rd16(pg + 12) - 16u) / 2;
    for (size_t i = 0; i < n; i++) {
        size_t nd = pg + rd16(pg + 16 + 2 * i), ks = rd16(nd + 6);
        if (ks == strlen(name) && !memcmp(pristine + nd + 8, name, ks))
            return rd64(nd + 8 + ks + 40);
    }
    return 0;
}

static void truncations(void)
{
    size_t sizes[] = {0, 100, psize + 10, 2 * psize, 3 * psize, pristine_n / 4, pristine_n / 2, pristine_n - 3 * psize};
    int all = 1, crashes = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        damage_write(NULL, 0, NULL, 0, sizes[k]);
        int o = probe();
        crashes += o == CRASHED;
        if (o != REFUSED_OPEN) {
            all = 0;
            diag("cut to %zu bytes: %s", sizes[k], outcome_name[o]);
        }
    }
    ok(all, "data.mdb cut to 8 sizes from 0 to %zu of %zu bytes: refused on opening, the message naming the file (%d crashes)",
       pristine_n - 3 * psize, pristine_n, crashes);
    char err[512];
    am_conceptdb *db;
    damage_write(NULL, 0, NULL, 0, pristine_n / 2);
    int rc = am_conceptdb_open(&db, dir, AM_CONCEPTDB_READONLY, 0, err, sizeof err);
    ok(rc == AM_ETRUNC && strstr(err, "truncated"), "cut in half: AM_ETRUNC (%s)", err);
}

/* 8 bytes of 0xff at each offset: the outcomes counted; none may crash or be refused without the file. */
static int sweep(const size_t *offs, size_t n, int want, const char *what)
{
    size_t count[CRASHED + 1] = {0};
    int good = 1;
    for (size_t k = 0; k < n; k++) {
        int o = damaged(&offs[k], 1, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
        count[o]++;
        if (o == CRASHED || o == UNNAMED || o == WRITE_FAILED || o == ALTERED || (want >= 0 && o != want)) {
            if (good)
                diag("%s: 8 bytes at %zu: %s", what, offs[k], outcome_name[o]);
            good = 0;
        }
    }
    return ok(good, "%s: 8 bytes overwritten at %zu offsets: %zu refused on opening, %zu checksum mismatches, %zu refused on "
                    "loading, %zu accepted (unused bytes: contents intact, writable), %zu crashes",
              what, n, count[REFUSED_OPEN], count[REFUSED_CHECKSUM], count[REFUSED_LOAD], count[ACCEPTED], count[CRASHED]);
}

static void overwrites(void)
{
    /* the meta page of the last commit, and the roots it leads to */
    size_t cur = rd64(16 + 128) < rd64(psize + 16 + 128) ? psize : 0, offs[600], n = 0;
    uint64_t free_root = rd64(cur + 16 + 24 + 40), main_root = rd64(cur + 16 + 72 + 40);
    uint64_t ex_root = table_root(main_root, "exemplars"), con_root = table_root(main_root, "concepts");
    ok(rd16(ex_root * psize + 10) == 1 && free_root != UINT64_MAX, "the exemplar table's root is a branch page; the free list is not empty");
    /* both meta pages: page header, magic, version, page size; the last commit's: its tables, last page */
    size_t meta_fields[] = {0, 10, 16, 20, 40, 64, 80, 112, 136};
    for (size_t i = 0; i < sizeof meta_fields / sizeof *meta_fields; i++) {
        if (meta_fields[i] < 44)
            offs[n++] = (cur ? 0 : psize) + meta_fields[i];
        offs[n++] = cur + meta_fields[i];
    }
    sweep(offs, n, REFUSED_OPEN, "meta pages (header, magic, version, page size, tables, last page)");
    /* the roots' headers and node pointers, a child page number of the exemplar table's root */
    uint64_t roots[4] = {free_root, main_root, ex_root, con_root};
    n = 0;
    for (int r = 0; r < 4; r++)
        for (size_t at = 0; at < 24; at += 8)
            offs[n++] = roots[r] * psize + at;
    offs[n++] = ex_root * psize + rd16(ex_root * psize + 16 + 2);
    sweep(offs, n, REFUSED_OPEN, "root pages of the free list, main, exemplar and concept tables (header, node offsets, a child)");
    /* a leaf of the exemplar table whose lowest node claims 2 more bytes: it lies over the next node (a
     * writer would move nodes by that size) */
    size_t nd0 = ex_root * psize + rd16(ex_root * psize + 16), leaf = (size_t)(rd16(nd0) | (uint64_t)rd16(nd0 + 2) << 16) * psize;
    size_t low = leaf + rd16(leaf + 14);
    uint16_t longer = (uint16_t)(rd16(low) + 2);
    ok(rd16(leaf + 10) == 2 && damaged(&low, 1, &longer, 2) == REFUSED_OPEN, "a leaf node over the next one: refused on opening");
    /* records: an exemplar's bytes overwritten (in every copy, the live one among them): a checksum mismatch */
    float a[16], b[8];
    char label[16];
    size_t mismatches = 0, cases = 0, at[16];
    for (size_t i = 0; i < 400; i += 20, cases++) {
        obs(i, a, b, label);
        size_t k = occurrences(a, sizeof a, 20, at, 16);
        mismatches += k && damaged(at, k, "\xff\xff\xff\xff\xff\xff\xff\xff", 8) == REFUSED_CHECKSUM;
    }
    ok(mismatches == cases, "an exemplar's values overwritten: a checksum mismatch naming the file, %zu of %zu times", mismatches, cases);
    /* everywhere, at an odd stride */
    size_t stride = pristine_n / 150 | 1;
    n = 0;
    for (size_t at = 0; at + 8 <= pristine_n && n < sizeof offs / sizeof *offs; at += stride)
        offs[n++] = at;
    sweep(offs, n, -1, "the whole file");
}

/* ---- layout 1 (before record checksums): read as it is, upgraded when opened for writing ---- */

static int magic_version(void)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi meta;
    MDB_val k = {5, "magic"}, v;
    uint32_t ver = 0;
    mdb_env_create(&env);
    mdb_env_set_maxdbs(env, 4);
    if (!mdb_env_open(env, dir, MDB_RDONLY, 0666) && !mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) {
        if (!mdb_dbi_open(txn, "meta", 0, &meta) && !mdb_get(txn, meta, &k, &v) && v.mv_size >= 19)
            memcpy(&ver, (char *)v.mv_data + 15, 4);
        mdb_txn_abort(txn);
    }
    mdb_env_close(env);
    return (int)ver;
}

static void layout1(void)
{
    damage_write(NULL, 0, NULL, 0, pristine_n);
    am_conceptdb *db;
    am_concepts *cm = NULL;
    char err[512];
    ok(cdb_layout1(dir) == 0 && magic_version() == 1, "the database rewritten as layout 1 (no record checksums)");
    int rc = am_conceptdb_open(&db, dir, AM_CONCEPTDB_READONLY, 0, err, sizeof err);
    if (!rc)
        rc = am_conceptdb_load(db, &cm, NULL);
    size_t n = am_concepts_count(cm);
    ok(rc == AM_OK && n > 300 && magic_version() == 1, "layout 1 is read as it is (%zu concepts): %s", n, rc ? err : "");
    am_concepts_free(cm);
    am_conceptdb_close(db);
    rc = am_conceptdb_open(&db, dir, 0, 0, err, sizeof err);
    am_conceptdb_close(db);
    cm = NULL;
    if (!rc && !(rc = am_conceptdb_open(&db, dir, AM_CONCEPTDB_READONLY, 0, err, sizeof err)))
        rc = am_conceptdb_load(db, &cm, NULL);
    ok(rc == AM_OK && am_concepts_count(cm) == n && magic_version() == AM_CONCEPTDB_VERSION,
       "opened for writing, it is upgraded to layout %u and loads the same %zu concepts", AM_CONCEPTDB_VERSION, am_concepts_count(cm));
    am_concepts_free(cm);
    am_conceptdb_close(db);
    /* the upgraded records carry checksums: an exemplar overwritten is found */
    free(pristine);
    damage_db_reread();
    float a[16], b[8];
    char label[16];
    size_t offs[16], k;
    obs(110, a, b, label);
    k = occurrences(a, sizeof a, 8, offs, 16);
    ok(k && damaged(offs, k, "\xff\xff\xff\xff", 4) == REFUSED_CHECKSUM, "after the upgrade, an overwritten exemplar is a checksum mismatch");
}

/* ---- labels moved between concepts in one sync ---- */

/* The concept id the label table gives for `label`, 0: none. */
static uint64_t label_entry(const char *label)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi labels;
    MDB_val k = {strlen(label), (void *)label}, v;
    uint64_t id = 0;
    mdb_env_create(&env);
    mdb_env_set_maxdbs(env, 4);
    if (!mdb_env_open(env, dir, MDB_RDONLY, 0666) && !mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) {
        if (!mdb_dbi_open(txn, "labels", 0, &labels) && !mdb_get(txn, labels, &k, &v) && v.mv_size >= 8)
            for (int i = 0; i < 8; i++)
                id = id << 8 | ((unsigned char *)v.mv_data)[i];
        mdb_txn_abort(txn);
    }
    mdb_env_close(env);
    return id;
}

static void label_moves(void)
{
    rmtree(dir);
    am_conceptdb *db;
    am_concepts *cm = fresh(), *back = NULL;
    float a[16], b[8];
    char label[16];
    am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, 0, NULL, 0);
    for (size_t i = 0; i < 3; i++) {
        obs(i, a, b, label);
        am_concepts_observe(cm, (const float *[8]){a, b}, i == 0 ? "x" : i == 1 ? "y" : "w", NULL, NULL);
    }
    am_conceptdb_sync(db, cm);
    /* concept 1 gives up "y" for "z", concept 0 takes "y"; concept 2 gives "w" up */
    am_concepts_set_label(cm, 1, "z");
    am_concepts_set_label(cm, 0, "y");
    am_concepts_set_label(cm, 2, "v");
    int rc = am_conceptdb_sync(db, cm);
    ok(rc == AM_OK && label_entry("y") == am_concepts_id(cm, 0) && label_entry("z") == am_concepts_id(cm, 1) &&
           label_entry("x") == 0 && label_entry("w") == 0,
       "a label passed from one concept to another in one sync: the label table names the new holder");
    am_conceptdb_close(db);
    rc = am_conceptdb_open(&db, dir, AM_CONCEPTDB_READONLY, 0, NULL, 0);
    if (!rc)
        rc = am_conceptdb_load(db, &back, NULL);
    ok(rc == AM_OK, "and the label table agrees with the concepts when loaded: %s", rc ? am_conceptdb_message(db) : "");
    am_concepts_free(back);
    am_concepts_free(cm);
    am_conceptdb_close(db);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/t-conceptdb-%d", (int)getpid());
    rmtree(dir);

    /* ---- round trip ---- */
    am_conceptdb *db = NULL;
    int rc;
    ok(am_conceptdb_open(&db, dir, 0, 0, NULL, 0) == AM_ERRNO(ENOENT), "a missing database without CREATE: ENOENT");
    ok(am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, 0, NULL, 0) == AM_OK && !am_conceptdb_has_layout(db), "create a database");
    am_concepts *cm = fresh(), *back = NULL;
    ok(am_conceptdb_load(db, &back, NULL) == AM_EEMPTY, "loading an empty database: AM_EEMPTY");
    float a[16], b[8];
    char label[16];
    for (size_t i = 0; i < 1200; i++) {
        obs(i, a, b, label);
        const float *lat[AM_CONCEPT_MAX_MODALITIES] = {a, (i % 3) ? b : NULL};
        am_concepts_observe(cm, lat, i < 1100 ? label : NULL, NULL, NULL);
    }
    size_t par;
    am_concepts_observe(cm, (const float *[8]){NULL, b}, "parent", &par, NULL);
    am_concepts_set_parent(cm, 1, par);
    am_concepts_set_parent(cm, 2, par);
    ok(am_conceptdb_sync(db, cm) == AM_OK && am_conceptdb_has_layout(db), "first sync writes the layout and every node");
    ok(am_conceptdb_load(db, &back, NULL) == AM_OK && am_concepts_count(back) == am_concepts_count(cm), "load: %zu concepts",
       am_concepts_count(cm));
    int same = 1;
    for (size_t c = 0; back && c < am_concepts_count(cm); c++) {
        same &= am_concepts_id(back, c) == am_concepts_id(cm, c) && strcmp(am_concepts_label(back, c), am_concepts_label(cm, c)) == 0 &&
                am_concepts_parent(back, c) == am_concepts_parent(cm, c) && am_concepts_observations(back, c) == am_concepts_observations(cm, c);
        for (size_t m = 0; m < 2; m++) {
            size_t d = m ? 8 : 16, n = am_concepts_exemplars(cm, c, m);
            same &= am_concepts_exemplars(back, c, m) == n;
            for (size_t e = 0; e < n && same; e++)
                same &= memcmp(am_concepts_exemplar(back, c, m, e), am_concepts_exemplar(cm, c, m, e), d * sizeof(float)) == 0;
            const float *p1 = am_concepts_prototype(cm, c, m), *p2 = am_concepts_prototype(back, c, m);
            same &= (!p1 && !p2) || (p1 && p2 && memcmp(p1, p2, d * sizeof(float)) == 0);
        }
    }
    ok(same, "every node, label, parent, exemplar and prototype comes back bit for bit");
    ok(back && strcmp(am_concepts_modality(back, 0)->encoder, "pca k=16") == 0 && isinf(am_concepts_modality(back, 1)->radius),
       "modalities come back with their encoder and radius");
    char enc[128];
    ok(am_conceptdb_exemplar_encoder(db, am_concepts_id(cm, 0), 0, 0, enc, sizeof enc) == AM_OK && strcmp(enc, "pca k=16") == 0,
       "each exemplar records its encoder");
    /* a later encoder is recorded with the exemplars written after */
    am_concepts_set_encoder(cm, 0, "mlp 16");
    obs(5000, a, b, label);
    am_concepts_observe(cm, (const float *[8]){a, NULL}, "c0", NULL, NULL);
    ok(am_conceptdb_sync(db, cm) == AM_OK, "incremental sync");
    size_t n0 = am_concepts_exemplars(cm, 0, 0);
    ok(am_conceptdb_exemplar_encoder(db, am_concepts_id(cm, 0), 0, n0 - 1, enc, sizeof enc) == AM_OK && strcmp(enc, "mlp 16") == 0 &&
           am_conceptdb_exemplar_encoder(db, am_concepts_id(cm, 0), 0, 0, enc, sizeof enc) == AM_OK && strcmp(enc, "pca k=16") == 0,
       "old exemplars keep the old encoder, new ones the new");
    /* forget and relabel */
    uint64_t gone = am_concepts_id(cm, 5);
    am_concepts_forget(cm, 5);
    am_concepts_set_label(cm, 0, "zero");
    ok(am_conceptdb_sync(db, cm) == AM_OK, "sync after forgetting and relabelling");
    am_concepts_free(back);
    ok(am_conceptdb_load(db, &back, NULL) == AM_OK && am_concepts_find_id(back, gone) == AM_CONCEPT_NONE &&
           am_concepts_find_label(back, "zero") == 0 && am_concepts_find_label(back, "c0") == AM_CONCEPT_NONE &&
           am_concepts_count(back) == am_concepts_count(cm),
       "the forgotten node, its exemplars and the old label are gone");
    am_conceptdb_stats st;
    size_t ex0 = 0;
    for (size_t c = 0; c < am_concepts_count(cm); c++)
        ex0 += am_concepts_exemplars(cm, c, 0);
    rc = am_conceptdb_stats_get(db, &st);
    ok(rc == AM_OK && st.concepts == am_concepts_count(cm) && st.exemplars[0] == ex0 &&
           st.bytes > ex0 * 64 && st.next_id > st.concepts,
       "stats: %zu concepts, %zu image exemplars, %zu bytes", st.concepts, st.exemplars[0], st.bytes);
    /* a memory with other modalities is refused */
    am_modality other[1] = {{"sound", 4, 1, ""}};
    am_concepts *cx = NULL;
    am_concepts_create(&cx, other, 1, NULL);
    am_concepts_observe(cx, (const float *[8]){(float[4]){1, 2, 3, 4}}, "s", NULL, NULL);
    ok(am_conceptdb_sync(db, cx) == AM_ESIZE, "sync of a memory with other modalities: AM_ESIZE");
    am_concepts_free(cx);
    /* another mechanism over the stored nodes */
    am_concepts_config cfg;
    am_concepts_config_default(&cfg);
    cfg.binding = am_binding_hebb;
    am_concepts_free(back);
    ok(am_conceptdb_load(db, &back, &cfg) == AM_OK && am_concepts_get_config(back)->binding == am_binding_hebb,
       "load with another binding mechanism");
    am_concepts_free(back);
    am_concepts_free(cm);
    am_conceptdb_close(db);
    rmtree(dir);

    /* ---- a writer killed mid-learn; readers meanwhile ---- */
    int pfd[2];
    if (pipe(pfd))
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        writer(1000000, pfd[1]);
    }
    close(pfd[1]);
    char x;
    int started = read(pfd[0], &x, 1) == 1;
    ok(started, "the writer committed 20 batches");
    /* readers load snapshots while it writes */
    int readers_ok = 1, loads = 0;
    size_t last = 0;
    for (int r = 0; r < 5; r++) {
        am_conceptdb *rd = NULL;
        am_concepts *snap = NULL;
        size_t total = 0;
        int rc = am_conceptdb_open(&rd, dir, AM_CONCEPTDB_READONLY, 0, NULL, 0);
        if (!rc)
            rc = am_conceptdb_load(rd, &snap, NULL);
        readers_ok &= rc == AM_OK && consistent(snap, &total) && total % BATCH == 0 && total >= last && total >= 20 * BATCH;
        if (rc)
            diag("reader: %s (%s)", am_strerror(rc), am_conceptdb_message(rd));
        last = total;
        loads++;
        am_concepts_free(snap);
        am_conceptdb_close(rd);
    }
    ok(readers_ok, "%d readers during the learn each saw a whole, consistent snapshot (last: %zu observations)", loads, last);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the writer was killed in the middle of the learn");
    size_t total = 0;
    am_concepts *after = NULL;
    rc = am_conceptdb_open(&db, dir, 0, 0, NULL, 0);
    if (!rc)
        rc = am_conceptdb_load(db, &after, NULL);
    int good = rc == AM_OK && consistent(after, &total) && total % BATCH == 0 && total >= last && total >= 20 * BATCH;
    ok(good,
       "reopened: %zu observations, a whole number of committed batches, every exemplar intact", total);
    am_concepts_free(after);
    am_conceptdb_close(db);
    /* a new writer goes on from there */
    pid = fork();
    if (pid == 0)
        writer(3 * BATCH, -1);
    waitpid(pid, &status, 0);
    size_t total2 = 0;
    rc = am_conceptdb_open(&db, dir, 0, 0, NULL, 0);
    if (!rc)
        rc = am_conceptdb_load(db, &after, NULL);
    good = WIFEXITED(status) && WEXITSTATUS(status) == 0 && rc == AM_OK && consistent(after, &total2) && total2 == total + 3 * BATCH;
    ok(good,
       "a new writer continues the learn (%zu observations)", total2);
    am_concepts_free(after);
    am_conceptdb_close(db);

    /* ---- foreign, newer and damaged databases ---- */
    {
        /* a newer layout version */
        MDB_env *env;
        MDB_txn *txn;
        MDB_dbi meta, main;
        char mg[23];
        MDB_val k = {5, "magic"}, v = {sizeof mg, mg}, was;
        mdb_env_create(&env);
        mdb_env_set_maxdbs(env, 4);
        mdb_env_open(env, dir, 0, 0666);
        mdb_txn_begin(env, NULL, 0, &txn);
        mdb_dbi_open(txn, "meta", 0, &meta);
        mdb_get(txn, meta, &k, &was);
        memcpy(mg, was.mv_data, was.mv_size == sizeof mg ? sizeof mg : 0);
        uint32_t v99 = 99;
        memcpy(mg + 15, &v99, 4);
        mdb_put(txn, meta, &k, &v, 0);
        mdb_txn_commit(txn);
        mdb_env_close(env);
        char err[512];
        rc = am_conceptdb_open(&db, dir, 0, 0, err, sizeof err);
        ok(rc == AM_EVERSION && strstr(err, "data.mdb: layout version 99"), "a newer layout version: AM_EVERSION (%s)", err);
        /* a damaged concept record (the magic restored) */
        mdb_env_create(&env);
        mdb_env_set_maxdbs(env, 4);
        mdb_env_open(env, dir, 0, 0666);
        mdb_txn_begin(env, NULL, 0, &txn);
        mdb_dbi_open(txn, "meta", 0, &meta);
        memcpy(mg + 15, &(uint32_t){AM_CONCEPTDB_VERSION}, 4);
        mdb_put(txn, meta, &k, &v, 0);
        MDB_dbi con;
        mdb_dbi_open(txn, "concepts", 0, &con);
        MDB_cursor *cur;
        mdb_cursor_open(txn, con, &cur);
        MDB_val ck, cv;
        mdb_cursor_get(cur, &ck, &cv, MDB_FIRST);
        unsigned char key[8];
        memcpy(key, ck.mv_data, 8);
        mdb_cursor_close(cur);
        MDB_val kk = {8, key}, bad = {7, "garbage"};
        mdb_put(txn, con, &kk, &bad, 0);
        mdb_txn_commit(txn);
        mdb_env_close(env);
        ok(am_conceptdb_open(&db, dir, AM_CONCEPTDB_READONLY, 0, NULL, 0) == AM_OK, "a database with a damaged record opens");
        rc = am_conceptdb_load(db, &after, NULL);
        ok(rc == AM_ECHECKSUM && strstr(am_conceptdb_message(db), "damaged") && named(am_conceptdb_message(db)),
           "but loading it is AM_ECHECKSUM: %s", am_conceptdb_message(db));
        am_conceptdb_close(db);
        rmtree(dir);
        /* a foreign LMDB database */
        mkdir(dir, 0777);
        mdb_env_create(&env);
        mdb_env_open(env, dir, 0, 0666);
        mdb_txn_begin(env, NULL, 0, &txn);
        mdb_dbi_open(txn, NULL, 0, &main);
        MDB_val fk = {3, "key"}, fv = {5, "value"};
        mdb_put(txn, main, &fk, &fv, 0);
        mdb_txn_commit(txn);
        mdb_env_close(env);
        ok(am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, 0, NULL, 0) == AM_EFORMAT, "a foreign LMDB database: AM_EFORMAT, and not written to");
        rmtree(dir);
        /* a file that is not LMDB */
        mkdir(dir, 0777);
        char p[512];
        snprintf(p, sizeof p, "%s/data.mdb", dir);
        FILE *f = fopen(p, "wb");
        for (int i = 0; i < 20000; i++)
            fputc((i * 7919) & 0xff, f);
        fclose(f);
        ok(am_conceptdb_open(&db, dir, 0, 0, NULL, 0) == AM_EFORMAT, "random bytes as data.mdb: AM_EFORMAT");
        rmtree(dir);
        /* an empty directory without CREATE, and a regular file */
        mkdir(dir, 0777);
        ok(am_conceptdb_open(&db, dir, 0, 0, NULL, 0) == AM_EFORMAT, "a directory without a database: AM_EFORMAT");
        rmdir(dir);
        f = fopen(dir, "w");
        fclose(f);
        ok(am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, 0, NULL, 0) == AM_EFORMAT, "a regular file: AM_EFORMAT");
        unlink(dir);
    }
    am_conceptdb_close(NULL);

    damage_db_build();
    truncations();
    overwrites();
    layout1();
    label_moves();
    rmtree(dir);
    free(pristine);
    return done_testing();
}
