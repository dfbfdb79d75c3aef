/* For the tests of the concept store (t-conceptdb, fuzz-conceptdb): a database of layout 2 rewritten as
 * layout 1, as libam wrote it before record checksums: every value without its last 4 bytes (the CRC-32),
 * the magic, layout and concept records with version 1. */
#ifndef AM_TESTS_CONCEPTDB_LAYOUT1_H
#define AM_TESTS_CONCEPTDB_LAYOUT1_H

#include <lmdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 0 on success. */
static inline int cdb_layout1(const char *dir)
{
    const char *names[4] = {"meta", "concepts", "labels", "exemplars"};
    MDB_env *env;
    MDB_txn *txn;
    int e = mdb_env_create(&env);
    if (e)
        return e;
    mdb_env_set_maxdbs(env, 4);
    if ((e = mdb_env_open(env, dir, 0, 0666)) || (e = mdb_txn_begin(env, NULL, 0, &txn))) {
        mdb_env_close(env);
        return e;
    }
    for (int t = 0; t < 4 && !e; t++) {
        MDB_dbi dbi;
        MDB_cursor *cur;
        MDB_val k, v;
        if ((e = mdb_dbi_open(txn, names[t], 0, &dbi)) || (e = mdb_cursor_open(txn, dbi, &cur)))
            break;
        for (e = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !e; e = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            unsigned char key[512], *val = malloc(v.mv_size);
            size_t at = SIZE_MAX; /* where the version is */
            if (!val || v.mv_size < 4 || k.mv_size > sizeof key) {
                free(val);
                e = MDB_CORRUPTED;
                break;
            }
            memcpy(key, k.mv_data, k.mv_size);
            memcpy(val, v.mv_data, v.mv_size);
            if (t == 1 || (t == 0 && k.mv_size == 6 && !memcmp(key, "layout", 6)))
                at = 0;
            else if (t == 0 && k.mv_size == 5 && !memcmp(key, "magic", 5))
                at = 15;
            if (at != SIZE_MAX && at + 4 <= v.mv_size - 4)
                memcpy(val + at, &(uint32_t){1}, 4);
            MDB_val nk = {k.mv_size, key}, nv = {v.mv_size - 4, val};
            e = mdb_cursor_put(cur, &nk, &nv, MDB_CURRENT);
            free(val);
            if (e)
                break;
        }
        mdb_cursor_close(cur);
        if (e == MDB_NOTFOUND)
            e = 0;
    }
    e = e ? (mdb_txn_abort(txn), e) : mdb_txn_commit(txn);
    mdb_env_close(env);
    return e;
}

#endif
