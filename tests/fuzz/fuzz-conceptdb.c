/* The concept store's reader: a valid database (3 concepts, 2 modalities, a parent) whose tables are then
 * overwritten with the input's entries, opened, loaded and summarised. Input: a sequence of entries
 *   table (1 byte: meta, concepts, labels, exemplars by value mod 4), key length k (1 byte, 1 .. 255),
 *   key (k bytes), value length v (2 bytes, little-endian), value (v bytes). */
#include <lmdb.h>
#include <string.h>
#include <sys/stat.h>

#include "am/am.h"
#include "am/conceptdb.h"
#include "fuzz.h"

static void clear(const char *dir)
{
    char p[300];
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/lock.mdb", dir);
    unlink(p);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char dir[256];
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/am-fuzz-%d-cdb", t && *t ? t : "/tmp", (int)getpid());
    clear(dir);
    am_conceptdb *db = NULL;
    if (am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, (size_t)1 << 24))
        abort();
    am_modality mods[2] = {{"image", 3, 1.0, "pca"}, {"word", 2, 1.0, "trigram"}};
    am_concepts *cm = NULL;
    if (am_concepts_create(&cm, mods, 2, NULL))
        abort();
    float a[3] = {1, 0, 0}, b[2] = {0, 1};
    size_t c0, c1, c2;
    am_concepts_observe(cm, (const float *[8]){a, b}, "cat", &c0, NULL);
    a[1] = 2;
    am_concepts_observe(cm, (const float *[8]){a, NULL}, "dog", &c1, NULL);
    am_concepts_observe(cm, (const float *[8]){NULL, b}, "animal", &c2, NULL);
    am_concepts_set_parent(cm, c0, c2);
    am_concepts_set_parent(cm, c1, c2);
    if (am_conceptdb_sync(db, cm))
        abort();
    am_concepts_free(cm);
    am_conceptdb_close(db);
    /* the input's entries, straight into LMDB */
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi[4];
    const char *names[4] = {"meta", "concepts", "labels", "exemplars"};
    if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 4) || mdb_env_set_mapsize(env, (size_t)1 << 24) ||
        mdb_env_open(env, dir, 0, 0666) || mdb_txn_begin(env, NULL, 0, &txn))
        abort();
    for (int i = 0; i < 4; i++)
        if (mdb_dbi_open(txn, names[i], 0, &dbi[i]))
            abort();
    size_t at = 0;
    while (at + 2 <= size) {
        int tb = data[at] % 4;
        size_t k = data[at + 1];
        at += 2;
        if (k == 0 || at + k + 2 > size)
            break;
        MDB_val key = {k, (void *)(data + at)};
        at += k;
        size_t v = (size_t)data[at] | (size_t)data[at + 1] << 8;
        at += 2;
        if (at + v > size)
            v = size - at;
        MDB_val val = {v, (void *)(data + at)};
        at += v;
        mdb_put(txn, dbi[tb], &key, &val, 0);
    }
    mdb_txn_commit(txn);
    mdb_env_close(env);
    /* the reader */
    if (am_conceptdb_open(&db, dir, AM_CONCEPTDB_READONLY, (size_t)1 << 24) == AM_OK) {
        am_concepts *back = NULL;
        am_conceptdb_stats st;
        char enc[64];
        am_conceptdb_stats_get(db, &st);
        if (am_conceptdb_load(db, &back, NULL) == AM_OK) {
            float cue[3] = {1, 1, 0};
            size_t top[1];
            float out[2];
            am_concept_recall r = {.k = 1, .concept = top, .fallback = 1};
            r.out[1] = out;
            if (am_concepts_count(back))
                am_concepts_recall(back, (const float *[8]){cue}, 1, &r, 1);
            if (am_concepts_count(back))
                am_conceptdb_exemplar_encoder(db, am_concepts_id(back, 0), 0, 0, enc, sizeof enc);
        }
        am_concepts_free(back);
        am_conceptdb_close(db);
    }
    clear(dir);
    return 0;
}
