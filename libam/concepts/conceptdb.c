/* The concept store: a concept memory in LMDB (see am/conceptdb.h). Records are in host byte order
 * (little-endian on x86-64) except keys, which are big-endian so that they sort numerically. */
#include "am/conceptdb.h"

#include <errno.h>
#include <lmdb.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/quote.h"
#include "am/error.h"
#include "internal.h"

#define MAGIC "libam-concepts"
#define MAX_ENCODERS 65536

struct am_conceptdb {
    MDB_env *env;
    MDB_dbi meta, concepts, labels, exemplars;
    int readonly, opened;
    char **enc;           /* encoder descriptions, in table order */
    size_t nenc;
    char msg[256];
};

static void say(am_conceptdb *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(am_conceptdb *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->msg, sizeof db->msg, fmt, ap);
    va_end(ap);
}

const char *am_conceptdb_message(const am_conceptdb *db)
{
    return db ? db->msg : "";
}

/* An LMDB status as a libam status (and its text kept). */
static int mdb_status(am_conceptdb *db, int e, const char *what)
{
    if (e == 0)
        return AM_OK;
    say(db, "%s: %s", what, mdb_strerror(e));
    switch (e) {
    case MDB_INVALID:
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_BAD_TXN:
    case MDB_BAD_VALSIZE:
    case MDB_INCOMPATIBLE:
        return AM_EFORMAT;
    case MDB_VERSION_MISMATCH:
        return AM_EVERSION;
    case MDB_MAP_FULL:
        return AM_ERRNO(ENOSPC);
    case MDB_NOTFOUND:
        return AM_EFORMAT;
    default:
        return e > 0 ? AM_ERRNO(e) : AM_EIO;
    }
}

/* ---- byte buffers ---- */

typedef struct {
    unsigned char *p;
    size_t n, cap;
    int oom;
} wbuf;

static void put(wbuf *b, const void *x, size_t n)
{
    if (b->oom || n == 0)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, x, n);
    b->n += n;
}
static void put_u32(wbuf *b, uint32_t v) { put(b, &v, 4); }
static void put_u64(wbuf *b, uint64_t v) { put(b, &v, 8); }
static void put_f64(wbuf *b, double v) { put(b, &v, 8); }

typedef struct {
    const unsigned char *p;
    size_t n, at;
    int bad;
} rbuf;

static void get(rbuf *r, void *x, size_t n)
{
    if (n == 0)
        return;
    if (r->bad || n > r->n - r->at) {
        r->bad = 1;
        memset(x, 0, n);
        return;
    }
    memcpy(x, r->p + r->at, n);
    r->at += n;
}
static uint32_t get_u32(rbuf *r) { uint32_t v; get(r, &v, 4); return v; }
static uint64_t get_u64(rbuf *r) { uint64_t v; get(r, &v, 8); return v; }
static double get_f64(rbuf *r) { double v; get(r, &v, 8); return v; }

static void be64(unsigned char *k, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        k[i] = (unsigned char)v;
}
static uint64_t from_be64(const unsigned char *k)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | k[i];
    return v;
}

static void ex_key(unsigned char *k, uint64_t id, size_t m, uint32_t seq)
{
    be64(k, id);
    k[8] = (unsigned char)m;
    for (int i = 3; i >= 0; i--, seq >>= 8)
        k[9 + i] = (unsigned char)seq;
}

/* ---- open / close ---- */

int am_conceptdb_open(am_conceptdb **out, const char *path, int flags, size_t map_bytes)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!path || !path[0] || (flags & ~3))
        return AM_EINVAL;
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT || !(flags & AM_CONCEPTDB_CREATE) || (flags & AM_CONCEPTDB_READONLY))
            return AM_ERRNO(errno);
        if (mkdir(path, 0777) != 0)
            return AM_ERRNO(errno);
    } else if (!S_ISDIR(st.st_mode)) {
        return AM_EFORMAT; /* a database is a directory */
    }
    am_conceptdb *db = calloc(1, sizeof *db);
    if (!db)
        return AM_ENOMEM;
    db->readonly = !!(flags & AM_CONCEPTDB_READONLY);
    int e, rc;
    if ((e = mdb_env_create(&db->env))) {
        free(db);
        return AM_ENOMEM;
    }
    mdb_env_set_maxdbs(db->env, 4);
    mdb_env_set_mapsize(db->env, map_bytes ? map_bytes : ((size_t)64 << 30));
    /* a directory without data.mdb is only made a database when asked to */
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/data.mdb", path);
    if (stat(probe, &st) != 0 && !(flags & AM_CONCEPTDB_CREATE)) {
        rc = errno == ENOENT ? AM_EFORMAT : AM_ERRNO(errno);
        say(db, "%s has no data.mdb: not a concept database", path);
        goto fail;
    }
    if ((e = mdb_env_open(db->env, path, (db->readonly ? MDB_RDONLY : 0) | MDB_NOTLS, 0666))) {
        rc = mdb_status(db, e, path);
        goto fail;
    }
    int dead = 0;
    mdb_reader_check(db->env, &dead); /* readers left by killed processes */
    db->opened = 1;
    MDB_txn *txn;
    if ((e = mdb_txn_begin(db->env, NULL, db->readonly ? MDB_RDONLY : 0, &txn))) {
        rc = mdb_status(db, e, path);
        goto fail;
    }
    /* Our tables exist, or the database is empty (then they are made): a foreign LMDB database is never
     * written to. */
    e = mdb_dbi_open(txn, "meta", 0, &db->meta);
    if (e == MDB_NOTFOUND) {
        MDB_dbi main;
        MDB_stat ms;
        if (!mdb_dbi_open(txn, NULL, 0, &main) && !mdb_stat(txn, main, &ms) && ms.ms_entries) {
            mdb_txn_abort(txn);
            say(db, "%s: an LMDB database, but not a libam concept database", path);
            rc = AM_EFORMAT;
            goto fail;
        }
    }
    unsigned cf = db->readonly ? 0 : MDB_CREATE;
    if ((e = mdb_dbi_open(txn, "meta", cf, &db->meta)) || (e = mdb_dbi_open(txn, "concepts", cf, &db->concepts)) ||
        (e = mdb_dbi_open(txn, "labels", cf, &db->labels)) || (e = mdb_dbi_open(txn, "exemplars", cf, &db->exemplars))) {
        mdb_txn_abort(txn);
        rc = e == MDB_NOTFOUND || e == MDB_INCOMPATIBLE ? AM_EFORMAT : mdb_status(db, e, path);
        if (e == MDB_NOTFOUND || e == MDB_INCOMPATIBLE)
            say(db, "%s: %s", path, e == MDB_NOTFOUND ? "an empty database (nothing learned)" : "an LMDB database, but not a libam concept database");
        goto fail;
    }
    /* a database with a meta table must carry the magic */
    MDB_val k = {5, "magic"}, v;
    e = mdb_get(txn, db->meta, &k, &v);
    if (e == MDB_NOTFOUND) {
        MDB_stat ms;
        mdb_stat(txn, db->concepts, &ms);
        if (ms.ms_entries) {
            mdb_txn_abort(txn);
            say(db, "%s: concepts without a libam magic record", path);
            rc = AM_EFORMAT;
            goto fail;
        }
    } else if (e) {
        mdb_txn_abort(txn);
        rc = mdb_status(db, e, path);
        goto fail;
    } else {
        rbuf r = {v.mv_data, v.mv_size, 0, 0};
        char magic[sizeof MAGIC];
        get(&r, magic, sizeof magic);
        uint32_t ver = get_u32(&r);
        if (r.bad || memcmp(magic, MAGIC, sizeof magic) != 0) {
            mdb_txn_abort(txn);
            say(db, "%s: not a libam concept database (bad magic)", path);
            rc = AM_EFORMAT;
            goto fail;
        }
        if (ver > AM_CONCEPTDB_VERSION || ver == 0) {
            mdb_txn_abort(txn);
            say(db, "%s: layout version %u; this libam reads up to %u", path, ver, AM_CONCEPTDB_VERSION);
            rc = AM_EVERSION;
            goto fail;
        }
    }
    if ((e = mdb_txn_commit(txn))) { /* also read-only: an aborted transaction would close the tables */
        rc = mdb_status(db, e, path);
        goto fail;
    }
    *out = db;
    return AM_OK;
fail:
    mdb_env_close(db->env);
    free(db);
    return rc;
}

static void enc_clear(am_conceptdb *db)
{
    for (size_t i = 0; i < db->nenc; i++)
        free(db->enc[i]);
    free(db->enc);
    db->enc = NULL;
    db->nenc = 0;
}

void am_conceptdb_close(am_conceptdb *db)
{
    if (!db)
        return;
    enc_clear(db);
    mdb_env_close(db->env);
    free(db);
}

/* ---- layout ---- */

static int layout_write(am_conceptdb *db, MDB_txn *txn, const am_concepts *cm)
{
    wbuf b = {0};
    put_u32(&b, AM_CONCEPTDB_VERSION);
    put_u32(&b, (uint32_t)cm->nmod);
    for (size_t m = 0; m < cm->nmod; m++) {
        put(&b, cm->mod[m].name, sizeof cm->mod[m].name);
        put_u64(&b, cm->mod[m].dim);
        put_f64(&b, cm->mod[m].radius);
        put(&b, cm->mod[m].encoder, sizeof cm->mod[m].encoder);
    }
    char bind[16] = {0};
    snprintf(bind, sizeof bind, "%s", cm->cfg.binding->name);
    put(&b, bind, sizeof bind);
    put_u32(&b, cm->cfg.locality);
    put_u32(&b, cm->cfg.similarity);
    put_f64(&b, cm->cfg.beta);
    put_u64(&b, cm->cfg.hebb_bits);
    put_u64(&b, cm->cfg.hrr_dim);
    put_u32(&b, cm->cfg.cleanup);
    put_u64(&b, cm->cfg.seed);
    put_u64(&b, cm->next_id);
    if (b.oom) {
        free(b.p);
        return AM_ENOMEM;
    }
    MDB_val k = {6, "layout"}, v = {b.n, b.p};
    int e = mdb_put(txn, db->meta, &k, &v, 0);
    free(b.p);
    return mdb_status(db, e, "writing the layout");
}

/* Read the layout into a new (empty) memory. */
static int layout_read(am_conceptdb *db, MDB_txn *txn, am_concepts **out, const am_concepts_config *over)
{
    MDB_val k = {6, "layout"}, v;
    int e = mdb_get(txn, db->meta, &k, &v);
    if (e == MDB_NOTFOUND) {
        say(db, "the database has no layout yet (nothing learned)");
        return AM_EEMPTY;
    }
    if (e)
        return mdb_status(db, e, "reading the layout");
    rbuf r = {v.mv_data, v.mv_size, 0, 0};
    uint32_t ver = get_u32(&r), nmod = get_u32(&r);
    if (r.bad || ver != AM_CONCEPTDB_VERSION || nmod == 0 || nmod > AM__MAXMOD) {
        say(db, "layout record damaged (version %u, %u modalities)", ver, nmod);
        return AM_EFORMAT;
    }
    am_modality mods[AM__MAXMOD];
    memset(mods, 0, sizeof mods);
    for (size_t m = 0; m < nmod; m++) {
        get(&r, mods[m].name, sizeof mods[m].name);
        mods[m].name[sizeof mods[m].name - 1] = 0;
        mods[m].dim = get_u64(&r);
        mods[m].radius = get_f64(&r);
        get(&r, mods[m].encoder, sizeof mods[m].encoder);
        mods[m].encoder[sizeof mods[m].encoder - 1] = 0;
    }
    am_concepts_config cfg;
    am_concepts_config_default(&cfg);
    char bind[16];
    get(&r, bind, sizeof bind);
    bind[15] = 0;
    cfg.binding = am_binding_find(bind);
    cfg.locality = (am_locality)get_u32(&r);
    cfg.similarity = (am_similarity)get_u32(&r);
    cfg.beta = get_f64(&r);
    cfg.hebb_bits = get_u64(&r);
    cfg.hrr_dim = get_u64(&r);
    cfg.cleanup = (am_model)get_u32(&r);
    cfg.seed = get_u64(&r);
    uint64_t next = get_u64(&r);
    if (r.bad || r.at != r.n || !cfg.binding) {
        say(db, "layout record damaged (%s)", !cfg.binding ? "unknown binding mechanism" : "wrong size");
        return AM_EFORMAT;
    }
    int rc = am_concepts_create(out, mods, nmod, over ? over : &cfg);
    if (rc) {
        say(db, "layout record holds an invalid modality or configuration");
        return rc == AM_EINVAL ? AM_EFORMAT : rc;
    }
    (*out)->next_id = next ? next : 1;
    return AM_OK;
}

static int encoders_read(am_conceptdb *db, MDB_txn *txn)
{
    enc_clear(db);
    MDB_val k = {8, "encoders"}, v;
    int e = mdb_get(txn, db->meta, &k, &v);
    if (e == MDB_NOTFOUND)
        return AM_OK;
    if (e)
        return mdb_status(db, e, "reading the encoder table");
    rbuf r = {v.mv_data, v.mv_size, 0, 0};
    uint32_t n = get_u32(&r);
    if (r.bad || n > MAX_ENCODERS || n > v.mv_size) {
        say(db, "encoder table damaged");
        return AM_EFORMAT;
    }
    if (n && !(db->enc = calloc(n, sizeof *db->enc)))
        return AM_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = get_u32(&r);
        if (r.bad || len > 4096 || len > r.n - r.at) {
            say(db, "encoder table damaged");
            enc_clear(db);
            return AM_EFORMAT;
        }
        if (!(db->enc[i] = malloc(len + 1)))
            return AM_ENOMEM;
        get(&r, db->enc[i], len);
        db->enc[i][len] = 0;
        db->nenc = i + 1;
    }
    return AM_OK;
}

/* Index of an encoder description in the table, appended (and the table written) when new. */
static int encoder_index(am_conceptdb *db, MDB_txn *txn, const char *desc, uint32_t *idx)
{
    for (size_t i = 0; i < db->nenc; i++)
        if (strcmp(db->enc[i], desc) == 0) {
            *idx = (uint32_t)i;
            return AM_OK;
        }
    if (db->nenc >= MAX_ENCODERS)
        return AM_ERANGE;
    char **p = realloc(db->enc, (db->nenc + 1) * sizeof *p);
    if (!p)
        return AM_ENOMEM;
    db->enc = p;
    if (!(db->enc[db->nenc] = strdup(desc)))
        return AM_ENOMEM;
    *idx = (uint32_t)db->nenc++;
    wbuf b = {0};
    put_u32(&b, (uint32_t)db->nenc);
    for (size_t i = 0; i < db->nenc; i++) {
        put_u32(&b, (uint32_t)strlen(db->enc[i]));
        put(&b, db->enc[i], strlen(db->enc[i]));
    }
    if (b.oom) {
        free(b.p);
        return AM_ENOMEM;
    }
    MDB_val k = {8, "encoders"}, v = {b.n, b.p};
    int e = mdb_put(txn, db->meta, &k, &v, 0);
    free(b.p);
    return mdb_status(db, e, "writing the encoder table");
}

int am_conceptdb_has_layout(am_conceptdb *db)
{
    MDB_txn *txn;
    if (!db || mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn))
        return 0;
    MDB_val k = {6, "layout"}, v;
    int has = mdb_get(txn, db->meta, &k, &v) == 0;
    mdb_txn_abort(txn);
    return has;
}

int am_conceptdb_init(am_conceptdb *db, const am_concepts *cm)
{
    if (!db || !cm || db->readonly)
        return AM_EINVAL;
    if (am_conceptdb_has_layout(db)) {
        say(db, "the database already has a layout");
        return AM_EINVAL;
    }
    MDB_txn *txn;
    int e = mdb_txn_begin(db->env, NULL, 0, &txn), rc;
    if (e)
        return mdb_status(db, e, "beginning a transaction");
    wbuf b = {0};
    put(&b, MAGIC, sizeof MAGIC);
    put_u32(&b, AM_CONCEPTDB_VERSION);
    MDB_val k = {5, "magic"}, v = {b.n, b.p};
    rc = b.oom ? AM_ENOMEM : mdb_status(db, mdb_put(txn, db->meta, &k, &v, 0), "writing the magic");
    free(b.p);
    if (!rc)
        rc = layout_write(db, txn, cm);
    if (rc) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_status(db, mdb_txn_commit(txn), "committing the layout");
}

/* ---- concept records ---- */

static int concept_write(am_conceptdb *db, MDB_txn *txn, const am_concepts *cm, const am__cnode *n)
{
    wbuf b = {0};
    put_u32(&b, AM_CONCEPTDB_VERSION);
    put_u64(&b, n->parent);
    put_u64(&b, n->obs);
    put_u32(&b, (uint32_t)strlen(n->label));
    put(&b, n->label, strlen(n->label));
    put_u32(&b, (uint32_t)n->nchildren);
    put(&b, n->children, n->nchildren * sizeof(uint64_t));
    for (size_t m = 0; m < cm->nmod; m++) {
        put_u64(&b, n->n[m]);
        unsigned char has = n->proto[m] ? (n->n[m] ? 1 : 2) : 0;
        put(&b, &has, 1);
        if (has)
            put(&b, n->proto[m], cm->mod[m].dim * sizeof(float));
    }
    if (b.oom) {
        free(b.p);
        return AM_ENOMEM;
    }
    unsigned char key[8];
    be64(key, n->id);
    MDB_val k = {8, key}, v = {b.n, b.p}, old;
    int e, rc = AM_OK;
    /* a changed label: the old label's entry goes */
    if (mdb_get(txn, db->concepts, &k, &old) == 0) {
        rbuf r = {old.mv_data, old.mv_size, 0, 0};
        get_u32(&r);
        get_u64(&r);
        get_u64(&r);
        uint32_t len = get_u32(&r);
        if (!r.bad && len && len <= r.n - r.at &&
            (len != strlen(n->label) || memcmp((const char *)r.p + r.at, n->label, len) != 0)) {
            MDB_val lk = {len, (void *)(r.p + r.at)};
            e = mdb_del(txn, db->labels, &lk, NULL);
            if (e && e != MDB_NOTFOUND)
                rc = mdb_status(db, e, "removing an old label");
        }
    }
    if (!rc)
        rc = mdb_status(db, mdb_put(txn, db->concepts, &k, &v, 0), "writing a concept");
    free(b.p);
    if (!rc && n->label[0]) {
        MDB_val lk = {strlen(n->label), n->label}, lv = {8, key};
        rc = mdb_status(db, mdb_put(txn, db->labels, &lk, &lv, 0), "writing a label");
    }
    return rc;
}

static int concept_delete(am_conceptdb *db, MDB_txn *txn, uint64_t id)
{
    unsigned char key[8];
    be64(key, id);
    MDB_val k = {8, key}, old;
    int e = mdb_get(txn, db->concepts, &k, &old);
    if (e == MDB_NOTFOUND)
        return AM_OK; /* never synced */
    if (e)
        return mdb_status(db, e, "reading a concept");
    rbuf r = {old.mv_data, old.mv_size, 0, 0};
    get_u32(&r);
    get_u64(&r);
    get_u64(&r);
    uint32_t len = get_u32(&r);
    if (!r.bad && len && len <= r.n - r.at) {
        MDB_val lk = {len, (void *)(r.p + r.at)};
        e = mdb_del(txn, db->labels, &lk, NULL);
        if (e && e != MDB_NOTFOUND)
            return mdb_status(db, e, "removing a label");
    }
    if ((e = mdb_del(txn, db->concepts, &k, NULL)))
        return mdb_status(db, e, "removing a concept");
    /* its exemplars: every key with its id as prefix (re-sought after each deletion) */
    MDB_cursor *cur;
    if ((e = mdb_cursor_open(txn, db->exemplars, &cur)))
        return mdb_status(db, e, "opening a cursor");
    for (;;) {
        MDB_val ek = {8, key}, ev;
        e = mdb_cursor_get(cur, &ek, &ev, MDB_SET_RANGE);
        if (e || ek.mv_size != 13 || memcmp(ek.mv_data, key, 8) != 0)
            break;
        if ((e = mdb_cursor_del(cur, 0)))
            break;
    }
    mdb_cursor_close(cur);
    return e == 0 || e == MDB_NOTFOUND ? AM_OK : mdb_status(db, e, "removing exemplars");
}

int am_conceptdb_sync(am_conceptdb *db, am_concepts *cm)
{
    if (!db || !cm || db->readonly)
        return AM_EINVAL;
    MDB_txn *txn;
    int e = mdb_txn_begin(db->env, NULL, 0, &txn), rc = AM_OK;
    if (e)
        return mdb_status(db, e, "beginning a transaction");
    /* the database's layout must be this memory's */
    am_concepts *lay = NULL;
    if ((rc = layout_read(db, txn, &lay, NULL)) == AM_EEMPTY) {
        mdb_txn_abort(txn);
        if ((rc = am_conceptdb_init(db, cm)))
            return rc;
        if ((e = mdb_txn_begin(db->env, NULL, 0, &txn)))
            return mdb_status(db, e, "beginning a transaction");
        rc = layout_read(db, txn, &lay, NULL);
    }
    if (!rc) {
        int same = lay->nmod == cm->nmod;
        for (size_t m = 0; same && m < cm->nmod; m++)
            same = strcmp(lay->mod[m].name, cm->mod[m].name) == 0 && lay->mod[m].dim == cm->mod[m].dim;
        if (!same) {
            say(db, "the memory's modalities are not the database's");
            rc = AM_ESIZE;
        }
    }
    am_concepts_free(lay);
    if (!rc)
        rc = encoders_read(db, txn);
    for (size_t i = 0; i < cm->nforgotten && !rc; i++)
        rc = concept_delete(db, txn, cm->forgotten[i]);
    uint32_t encidx[AM__MAXMOD];
    for (size_t m = 0; m < cm->nmod && !rc; m++)
        rc = encoder_index(db, txn, cm->mod[m].encoder, &encidx[m]);
    float *vb = NULL;
    size_t maxd = 0;
    for (size_t m = 0; m < cm->nmod; m++)
        maxd = cm->mod[m].dim > maxd ? cm->mod[m].dim : maxd;
    if (!rc && !(vb = malloc(4 + maxd * sizeof(float))))
        rc = AM_ENOMEM;
    for (size_t c = 0; c < cm->count && !rc; c++) {
        am__cnode *n = cm->node[c];
        if (!n->dirty)
            continue;
        if ((rc = concept_write(db, txn, cm, n)))
            break;
        for (size_t m = 0; m < cm->nmod && !rc; m++) {
            size_t d = cm->mod[m].dim;
            for (size_t i = n->saved[m]; i < n->n[m] && !rc; i++) {
                if (i > UINT32_MAX) {
                    rc = AM_ERANGE;
                    break;
                }
                unsigned char key[13];
                ex_key(key, n->id, m, (uint32_t)i);
                memcpy(vb, &encidx[m], 4);
                memcpy((unsigned char *)vb + 4, n->ex[m] + i * d, d * sizeof(float));
                MDB_val k = {13, key}, v = {4 + d * sizeof(float), vb};
                rc = mdb_status(db, mdb_put(txn, db->exemplars, &k, &v, 0), "writing an exemplar");
            }
        }
    }
    free(vb);
    /* the next id */
    if (!rc) {
        MDB_val k = {6, "layout"}, v;
        if ((e = mdb_get(txn, db->meta, &k, &v)))
            rc = mdb_status(db, e, "reading the layout");
        else if (v.mv_size >= 8) {
            unsigned char *copy = malloc(v.mv_size);
            if (!copy) {
                rc = AM_ENOMEM;
            } else {
                memcpy(copy, v.mv_data, v.mv_size);
                memcpy(copy + v.mv_size - 8, &cm->next_id, 8);
                MDB_val nv = {v.mv_size, copy};
                rc = mdb_status(db, mdb_put(txn, db->meta, &k, &nv, 0), "writing the layout");
                free(copy);
            }
        }
    }
    if (rc) {
        mdb_txn_abort(txn);
        return rc;
    }
    if ((e = mdb_txn_commit(txn)))
        return mdb_status(db, e, "committing");
    for (size_t c = 0; c < cm->count; c++) {
        am__cnode *n = cm->node[c];
        n->dirty = 0;
        for (size_t m = 0; m < cm->nmod; m++)
            n->saved[m] = n->n[m];
    }
    cm->nforgotten = 0;
    return AM_OK;
}

/* ---- loading ---- */

static int finite_all(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/* Parse one concept record into a new node (exemplars not yet read). */
static int concept_parse(am_conceptdb *db, const am_concepts *cm, uint64_t id, const MDB_val *v, am__cnode **out)
{
    rbuf r = {v->mv_data, v->mv_size, 0, 0};
    am__cnode *n = calloc(1, sizeof *n);
    if (!n)
        return AM_ENOMEM;
    n->id = id;
    uint32_t ver = get_u32(&r);
    n->parent = get_u64(&r);
    n->obs = get_u64(&r);
    uint32_t len = get_u32(&r);
    int rc = AM_EFORMAT;
    if (r.bad || ver != AM_CONCEPTDB_VERSION || len > AM_CONCEPT_LABEL_MAX || len > r.n - r.at) {
        say(db, "concept %llu: record damaged (header)", (unsigned long long)id);
        goto fail;
    }
    if (!(n->label = malloc(len + 1))) {
        rc = AM_ENOMEM;
        goto fail;
    }
    get(&r, n->label, len);
    n->label[len] = 0;
    for (uint32_t i = 0; i < len; i++)
        if ((unsigned char)n->label[i] < 0x20 || n->label[i] == 0x7f) {
            say(db, "concept %llu: label with control characters", (unsigned long long)id);
            goto fail;
        }
    uint32_t nch = get_u32(&r);
    if (r.bad || nch > (r.n - r.at) / 8) {
        say(db, "concept %llu: record damaged (children)", (unsigned long long)id);
        goto fail;
    }
    if (nch && !(n->children = malloc(nch * sizeof(uint64_t)))) {
        rc = AM_ENOMEM;
        goto fail;
    }
    get(&r, n->children, nch * sizeof(uint64_t));
    n->nchildren = n->capchildren = nch;
    for (size_t m = 0; m < cm->nmod; m++) {
        size_t d = cm->mod[m].dim;
        n->n[m] = get_u64(&r);
        unsigned char has;
        get(&r, &has, 1);
        if (r.bad || has > 2 || (has == 1) != (n->n[m] > 0) || (has && d * sizeof(float) > r.n - r.at)) {
            say(db, "concept %llu: record damaged (modality '%s')", (unsigned long long)id, cm->mod[m].name);
            goto fail;
        }
        if (has) {
            if (!(n->proto[m] = malloc(d * sizeof(float)))) {
                rc = AM_ENOMEM;
                goto fail;
            }
            get(&r, n->proto[m], d * sizeof(float));
            if (!finite_all(n->proto[m], d)) {
                say(db, "concept %llu: a prototype that is not finite", (unsigned long long)id);
                goto fail;
            }
        }
    }
    if (r.bad || r.at != r.n) {
        say(db, "concept %llu: record of the wrong size", (unsigned long long)id);
        goto fail;
    }
    *out = n;
    return AM_OK;
fail:
    free(n->label);
    free(n->children);
    for (size_t m = 0; m < AM__MAXMOD; m++)
        free(n->proto[m]);
    free(n);
    return rc;
}

int am_conceptdb_load(am_conceptdb *db, am_concepts **out, const am_concepts_config *cfg)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!db)
        return AM_EINVAL;
    db->msg[0] = 0;
    MDB_txn *txn;
    int e = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn), rc;
    if (e)
        return mdb_status(db, e, "beginning a read transaction");
    am_concepts *cm = NULL;
    MDB_cursor *cc = NULL, *ce = NULL;
    if ((rc = layout_read(db, txn, &cm, cfg)) || (rc = encoders_read(db, txn)))
        goto done;
    if ((e = mdb_cursor_open(txn, db->concepts, &cc)) || (e = mdb_cursor_open(txn, db->exemplars, &ce))) {
        rc = mdb_status(db, e, "opening a cursor");
        goto done;
    }
    MDB_val k, v, ek, ev;
    int ee = mdb_cursor_get(ce, &ek, &ev, MDB_FIRST);
    for (e = mdb_cursor_get(cc, &k, &v, MDB_FIRST); e == 0; e = mdb_cursor_get(cc, &k, &v, MDB_NEXT)) {
        if (k.mv_size != 8) {
            say(db, "a concept key of %zu bytes", k.mv_size);
            rc = AM_EFORMAT;
            goto done;
        }
        uint64_t id = from_be64(k.mv_data);
        if (id == 0 || id >= cm->next_id) {
            say(db, "concept id %llu outside the ids given out (< %llu)", (unsigned long long)id,
                (unsigned long long)cm->next_id);
            rc = AM_EFORMAT;
            goto done;
        }
        am__cnode *n;
        if ((rc = concept_parse(db, cm, id, &v, &n)))
            goto done;
        if (cm->count == cm->cap) {
            size_t cap = cm->cap ? 2 * cm->cap : 64;
            am__cnode **p = realloc(cm->node, cap * sizeof *p);
            if (!p) {
                free(n);
                rc = AM_ENOMEM;
                goto done;
            }
            cm->node = p;
            cm->cap = cap;
        }
        cm->node[cm->count++] = n;
        /* its exemplars: the next keys of the exemplar table, in order */
        for (size_t m = 0; m < cm->nmod; m++) {
            size_t d = cm->mod[m].dim, cnt = n->n[m], bytes;
            if (cnt > ((size_t)1 << 32) || am_size_mul3(cnt, d, sizeof(float), &bytes)) {
                say(db, "concept %llu: %zu exemplars", (unsigned long long)id, cnt);
                rc = AM_EFORMAT;
                goto done;
            }
            if (cnt) {
                /* the counts come from the file: check them against the records before allocating */
                MDB_stat ms;
                mdb_stat(txn, db->exemplars, &ms);
                if (cnt > ms.ms_entries) {
                    say(db, "concept %llu: %zu exemplars in '%s' but the table holds %zu", (unsigned long long)id, cnt,
                        cm->mod[m].name, (size_t)ms.ms_entries);
                    rc = AM_EFORMAT;
                    goto done;
                }
                if (!(n->ex[m] = malloc(bytes))) {
                    rc = AM_ENOMEM;
                    goto done;
                }
                n->cap[m] = cnt;
            }
            for (size_t i = 0; i < cnt; i++) {
                unsigned char want[13];
                ex_key(want, id, m, (uint32_t)i);
                if (ee || ek.mv_size != 13 || memcmp(ek.mv_data, want, 13) != 0 || ev.mv_size != 4 + d * sizeof(float)) {
                    say(db, "concept %llu: exemplar %zu of '%s' missing or damaged", (unsigned long long)id, i,
                        cm->mod[m].name);
                    rc = AM_EFORMAT;
                    goto done;
                }
                uint32_t enc;
                memcpy(&enc, ev.mv_data, 4);
                memcpy(n->ex[m] + i * d, (const unsigned char *)ev.mv_data + 4, d * sizeof(float));
                if (enc >= db->nenc || !finite_all(n->ex[m] + i * d, d)) {
                    say(db, "concept %llu: exemplar %zu of '%s' damaged (%s)", (unsigned long long)id, i,
                        cm->mod[m].name, enc >= db->nenc ? "unknown encoder" : "not finite");
                    rc = AM_EFORMAT;
                    goto done;
                }
                ee = mdb_cursor_get(ce, &ek, &ev, MDB_NEXT);
            }
            n->saved[m] = cnt;
        }
    }
    if (e != MDB_NOTFOUND) {
        rc = mdb_status(db, e, "reading concepts");
        goto done;
    }
    if (ee == 0) {
        say(db, "exemplars of a concept that does not exist");
        rc = AM_EFORMAT;
        goto done;
    }
    if ((rc = am__concepts_rehash(cm, cm->count)))
        goto done;
    /* references: parents and children exist and agree; labels unique */
    for (size_t c = 0; c < cm->count; c++) {
        am__cnode *n = cm->node[c];
        size_t p = n->parent ? am_concepts_find_id(cm, n->parent) : AM_CONCEPT_NONE;
        int okp = !n->parent || p != AM_CONCEPT_NONE;
        for (size_t i = 0; okp && p != AM_CONCEPT_NONE && i <= cm->node[p]->nchildren; i++) {
            if (i == cm->node[p]->nchildren)
                okp = 0;
            else if (cm->node[p]->children[i] == n->id)
                break;
        }
        for (size_t i = 0; okp && i < n->nchildren; i++) {
            size_t ch = am_concepts_find_id(cm, n->children[i]);
            okp = ch != AM_CONCEPT_NONE && cm->node[ch]->parent == n->id && (i == 0 || n->children[i - 1] < n->children[i]);
        }
        if (!okp) {
            say(db, "concept %llu: parent or children that do not agree", (unsigned long long)n->id);
            rc = AM_EFORMAT;
            goto done;
        }
        if (n->label[0] && am_concepts_find_label(cm, n->label) != c) {
            say(db, "label %s used twice", AM__QUOTE(n->label));
            rc = AM_EFORMAT;
            goto done;
        }
    }
    for (size_t c = 0, guard; c < cm->count; c++) {
        size_t a = c;
        for (guard = 0; a != AM_CONCEPT_NONE && guard <= cm->count; guard++)
            a = am_concepts_parent(cm, a);
        if (a != AM_CONCEPT_NONE) {
            say(db, "a cycle of parents");
            rc = AM_EFORMAT;
            goto done;
        }
    }
    cm->gen++;
done:
    if (cc)
        mdb_cursor_close(cc);
    if (ce)
        mdb_cursor_close(ce);
    mdb_txn_abort(txn);
    if (rc) {
        am_concepts_free(cm);
        return rc;
    }
    *out = cm;
    return AM_OK;
}

int am_conceptdb_stats_get(am_conceptdb *db, am_conceptdb_stats *st)
{
    if (!db || !st)
        return AM_EINVAL;
    memset(st, 0, sizeof *st);
    MDB_txn *txn;
    int e = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn), rc = AM_OK;
    if (e)
        return mdb_status(db, e, "beginning a read transaction");
    am_concepts *lay = NULL;
    if ((rc = layout_read(db, txn, &lay, NULL))) {
        mdb_txn_abort(txn);
        return rc;
    }
    st->next_id = lay->next_id;
    MDB_cursor *cc;
    MDB_val k, v;
    if ((e = mdb_cursor_open(txn, db->concepts, &cc))) {
        am_concepts_free(lay);
        mdb_txn_abort(txn);
        return mdb_status(db, e, "opening a cursor");
    }
    for (e = mdb_cursor_get(cc, &k, &v, MDB_FIRST); e == 0; e = mdb_cursor_get(cc, &k, &v, MDB_NEXT)) {
        am__cnode *n;
        if ((rc = concept_parse(db, lay, k.mv_size == 8 ? from_be64(k.mv_data) : 0, &v, &n)))
            break;
        st->concepts++;
        st->labelled += n->label[0] != 0;
        st->roots += n->parent == 0;
        for (size_t m = 0; m < lay->nmod; m++) {
            st->exemplars[m] += n->n[m];
            free(n->proto[m]);
        }
        free(n->label);
        free(n->children);
        free(n);
    }
    mdb_cursor_close(cc);
    MDB_envinfo info;
    MDB_stat ms;
    mdb_env_info(db->env, &info);
    mdb_env_stat(db->env, &ms);
    st->bytes = (size_t)(info.me_last_pgno + 1) * ms.ms_psize;
    st->map_bytes = info.me_mapsize;
    am_concepts_free(lay);
    mdb_txn_abort(txn);
    if (!rc && e != MDB_NOTFOUND)
        rc = mdb_status(db, e, "reading concepts");
    return rc;
}

int am_conceptdb_exemplar_encoder(am_conceptdb *db, uint64_t id, size_t m, size_t i, char *buf, size_t size)
{
    if (!db || !buf || size == 0 || m >= AM__MAXMOD || i > UINT32_MAX)
        return AM_EINVAL;
    MDB_txn *txn;
    int e = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn), rc;
    if (e)
        return mdb_status(db, e, "beginning a read transaction");
    if ((rc = encoders_read(db, txn))) {
        mdb_txn_abort(txn);
        return rc;
    }
    unsigned char key[13];
    ex_key(key, id, m, (uint32_t)i);
    MDB_val k = {13, key}, v;
    e = mdb_get(txn, db->exemplars, &k, &v);
    if (e == MDB_NOTFOUND)
        rc = AM_EINVAL;
    else if (e)
        rc = mdb_status(db, e, "reading an exemplar");
    else {
        uint32_t enc = 0;
        if (v.mv_size >= 4)
            memcpy(&enc, v.mv_data, 4);
        if (v.mv_size < 4 || enc >= db->nenc)
            rc = AM_EFORMAT;
        else
            snprintf(buf, size, "%s", db->enc[enc]);
    }
    mdb_txn_abort(txn);
    return rc;
}
