/* The concept store in LMDB: round trip, incremental syncs, forgetting, labels, encoders, statistics; a
 * writer killed (SIGKILL) in the middle of a bulk learn while readers load snapshots: nothing committed is
 * lost and nothing is corrupted; foreign, damaged and newer databases are refused. */
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
    if (am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, 0))
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

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/t-conceptdb-%d", (int)getpid());
    rmtree(dir);

    /* ---- round trip ---- */
    am_conceptdb *db = NULL;
    int rc;
    ok(am_conceptdb_open(&db, dir, 0, 0) == AM_ERRNO(ENOENT), "a missing database without CREATE: ENOENT");
    ok(am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, 0) == AM_OK && !am_conceptdb_has_layout(db), "create a database");
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
        int rc = am_conceptdb_open(&rd, dir, AM_CONCEPTDB_READONLY, 0);
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
    rc = am_conceptdb_open(&db, dir, 0, 0);
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
    rc = am_conceptdb_open(&db, dir, 0, 0);
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
        mdb_env_create(&env);
        mdb_env_set_maxdbs(env, 4);
        mdb_env_open(env, dir, 0, 0666);
        mdb_txn_begin(env, NULL, 0, &txn);
        mdb_dbi_open(txn, "meta", 0, &meta);
        char mg[19] = "libam-concepts";
        uint32_t v99 = 99;
        memcpy(mg + 15, &v99, 4);
        MDB_val k = {5, "magic"}, v = {19, mg};
        mdb_put(txn, meta, &k, &v, 0);
        mdb_txn_commit(txn);
        mdb_env_close(env);
        ok(am_conceptdb_open(&db, dir, 0, 0) == AM_EVERSION, "a newer layout version: AM_EVERSION");
        /* a damaged concept record */
        mdb_env_create(&env);
        mdb_env_set_maxdbs(env, 4);
        mdb_env_open(env, dir, 0, 0666);
        mdb_txn_begin(env, NULL, 0, &txn);
        mdb_dbi_open(txn, "meta", 0, &meta);
        uint32_t v1 = 1;
        memcpy(mg + 15, &v1, 4);
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
        ok(am_conceptdb_open(&db, dir, AM_CONCEPTDB_READONLY, 0) == AM_OK, "a database with a damaged record opens");
        rc = am_conceptdb_load(db, &after, NULL);
        ok(rc == AM_EFORMAT && strstr(am_conceptdb_message(db), "damaged"),
           "but loading it is AM_EFORMAT: %s", am_conceptdb_message(db));
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
        ok(am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, 0) == AM_EFORMAT, "a foreign LMDB database: AM_EFORMAT, and not written to");
        rmtree(dir);
        /* a file that is not LMDB */
        mkdir(dir, 0777);
        char p[512];
        snprintf(p, sizeof p, "%s/data.mdb", dir);
        FILE *f = fopen(p, "wb");
        for (int i = 0; i < 20000; i++)
            fputc((i * 7919) & 0xff, f);
        fclose(f);
        ok(am_conceptdb_open(&db, dir, 0, 0) == AM_EFORMAT, "random bytes as data.mdb: AM_EFORMAT");
        rmtree(dir);
        /* an empty directory without CREATE, and a regular file */
        mkdir(dir, 0777);
        ok(am_conceptdb_open(&db, dir, 0, 0) == AM_EFORMAT, "a directory without a database: AM_EFORMAT");
        rmdir(dir);
        f = fopen(dir, "w");
        fclose(f);
        ok(am_conceptdb_open(&db, dir, AM_CONCEPTDB_CREATE, 0) == AM_EFORMAT, "a regular file: AM_EFORMAT");
        unlink(dir);
    }
    am_conceptdb_close(NULL);
    return done_testing();
}
