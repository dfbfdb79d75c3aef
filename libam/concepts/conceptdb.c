/* The concept store: a concept memory in LMDB (see am/conceptdb.h). Records are in host byte order
 * (little-endian on x86-64) except keys, which are big-endian so that they sort numerically. From layout 2
 * on, every value ends with a CRC-32 of its key and the rest of the value (rec_put, rec_open). */
#include "am/conceptdb.h"

#include <errno.h>
#include <lmdb.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "../core/io.h"
#include "../core/quote.h"
#include "am/cancel.h"
#include "am/error.h"
#include "internal.h"
#include "lmdbcheck.h"

#define MAGIC "libam-concepts"
#define MAX_ENCODERS 65536

struct am_conceptdb {
    MDB_env *env;
    MDB_dbi meta, concepts, labels, exemplars;
    int readonly;
    uint32_t version;     /* the layout of the records: 1 (no checksums) or AM_CONCEPTDB_VERSION */
    char **enc;           /* encoder descriptions, in table order */
    size_t nenc;
    char *file;           /* DIR/data.mdb, for messages */
    char msg[512];
};

/* The message: the data file, then the text. */
static void say(am_conceptdb *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(am_conceptdb *db, const char *fmt, ...)
{
    va_list ap;
    int k = snprintf(db->msg, sizeof db->msg, "%s: ", db->file);
    if (k < 0 || (size_t)k >= sizeof db->msg)
        return;
    va_start(ap, fmt);
    vsnprintf(db->msg + k, sizeof db->msg - (size_t)k, fmt, ap);
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

/* ---- checksummed records ---- */

static uint32_t rec_crc(const MDB_val *k, const void *v, size_t n)
{
    uLong c = crc32_z(crc32(0L, Z_NULL, 0), k->mv_data, k->mv_size);
    return (uint32_t)crc32_z(c, v, n);
}

/* Write b as the value of k in table dbi, its checksum appended (from layout 2 on). */
static int rec_put(am_conceptdb *db, MDB_txn *txn, MDB_dbi dbi, MDB_val *k, wbuf *b, const char *what)
{
    if (db->version >= 2 && !b->oom)
        put_u32(b, rec_crc(k, b->p, b->n));
    if (b->oom)
        return AM_ENOMEM;
    MDB_val v = {b->n, b->p};
    return mdb_status(db, mdb_put(txn, dbi, k, &v, 0), what);
}

/* r over the value v of key k without its checksum: AM_ECHECKSUM when the checksum does not match (or the
 * value is too short to hold one). */
static int rec_open(const am_conceptdb *db, const MDB_val *k, const MDB_val *v, rbuf *r)
{
    *r = (rbuf){v->mv_data, v->mv_size, 0, 0};
    if (db->version < 2)
        return AM_OK;
    uint32_t c;
    if (v->mv_size < 4)
        return AM_ECHECKSUM;
    r->n -= 4;
    memcpy(&c, r->p + r->n, 4);
    return c == rec_crc(k, r->p, r->n) ? AM_OK : AM_ECHECKSUM;
}

#define DAMAGED "checksum mismatch (the record is damaged)"

/* ---- open / close ---- */

/* The directory (made with AM_CONCEPTDB_CREATE), its data file's meta pages, the LMDB environment. */
static int env_open(am_conceptdb *db, const char *path, int flags, size_t map_bytes)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT || !(flags & AM_CONCEPTDB_CREATE) || (flags & AM_CONCEPTDB_READONLY) || mkdir(path, 0777) != 0) {
            int e = errno;
            snprintf(db->msg, sizeof db->msg, "%s: %s", path, strerror(e));
            return AM_ERRNO(e);
        }
    } else if (!S_ISDIR(st.st_mode)) {
        snprintf(db->msg, sizeof db->msg, "%s: not a directory, so not a libam concept database", path);
        return AM_EFORMAT;
    }
    /* a directory without data.mdb is only made a database when asked to; an existing data.mdb must hold
     * LMDB's meta pages before LMDB reads them */
    int rc;
    if (stat(db->file, &st) != 0) {
        int e = errno;
        if (e != ENOENT) {
            say(db, "%s", strerror(e));
            return AM_ERRNO(e);
        }
        if (!(flags & AM_CONCEPTDB_CREATE)) {
            snprintf(db->msg, sizeof db->msg, "%s has no data.mdb: not a libam concept database", path);
            return AM_EFORMAT;
        }
    } else if ((rc = am__lmdb_check_header(db->file, db->msg, sizeof db->msg))) {
        return rc;
    }
    int e;
    if ((e = mdb_env_create(&db->env)))
        return mdb_status(db, e, "creating an LMDB environment");
    mdb_env_set_maxdbs(db->env, 4);
    mdb_env_set_mapsize(db->env, map_bytes ? map_bytes : ((size_t)64 << 30));
    if ((e = mdb_env_open(db->env, path, (db->readonly ? MDB_RDONLY : 0) | MDB_NOTLS, 0666))) {
        mdb_env_close(db->env);
        db->env = NULL;
        return mdb_status(db, e, "opening");
    }
    int dead = 0;
    mdb_reader_check(db->env, &dead); /* readers left by killed processes */
    return AM_OK;
}

/* The magic record, if any, and the layout version it states (db->version). */
static int magic_check(am_conceptdb *db, MDB_txn *txn)
{
    MDB_val k = {5, "magic"}, v;
    int rc = AM_OK, e = mdb_get(txn, db->meta, &k, &v);
    db->version = AM_CONCEPTDB_VERSION;
    if (e == MDB_NOTFOUND) {
        MDB_stat ms;
        mdb_stat(txn, db->concepts, &ms);
        if (ms.ms_entries) {
            say(db, "concepts without a libam magic record");
            return AM_EFORMAT;
        }
        return AM_OK;
    }
    if (e)
        return mdb_status(db, e, "reading the magic record");
    rbuf r = {v.mv_data, v.mv_size, 0, 0};
    char magic[sizeof MAGIC];
    get(&r, magic, sizeof magic);
    uint32_t ver = get_u32(&r);
    if (r.bad || memcmp(magic, MAGIC, sizeof magic) != 0) {
        say(db, "not a libam concept database (bad magic)");
        return AM_EFORMAT;
    }
    if (ver > AM_CONCEPTDB_VERSION || ver == 0) {
        say(db, "layout version %u; this libam reads up to %u", ver, AM_CONCEPTDB_VERSION);
        return AM_EVERSION;
    }
    if ((db->version = ver) >= 2 && ((rc = rec_open(db, &k, &v, &r)) || r.n != sizeof MAGIC + 4)) {
        say(db, "the magic record: " DAMAGED);
        return AM_ECHECKSUM;
    }
    return AM_OK;
}

/* Our tables exist, or the database is empty (then they are made): a foreign LMDB database is never
 * written to; their magic record is checked. */
static int tables_open(am_conceptdb *db)
{
    MDB_txn *txn;
    int e = mdb_txn_begin(db->env, NULL, db->readonly ? MDB_RDONLY : 0, &txn), rc = AM_OK;
    if (e)
        return mdb_status(db, e, "beginning a transaction");
    e = mdb_dbi_open(txn, "meta", 0, &db->meta);
    if (e == MDB_NOTFOUND) {
        MDB_dbi main;
        MDB_stat ms;
        if (!mdb_dbi_open(txn, NULL, 0, &main) && !mdb_stat(txn, main, &ms) && ms.ms_entries) {
            say(db, "an LMDB database, but not a libam concept database");
            rc = AM_EFORMAT;
            goto done;
        }
    }
    unsigned cf = db->readonly ? 0 : MDB_CREATE;
    if ((e = mdb_dbi_open(txn, "meta", cf, &db->meta)) || (e = mdb_dbi_open(txn, "concepts", cf, &db->concepts)) ||
        (e = mdb_dbi_open(txn, "labels", cf, &db->labels)) || (e = mdb_dbi_open(txn, "exemplars", cf, &db->exemplars))) {
        if (e == MDB_NOTFOUND || e == MDB_INCOMPATIBLE) {
            say(db, "%s", e == MDB_NOTFOUND ? "an empty database (nothing learned)" : "an LMDB database, but not a libam concept database");
            rc = AM_EFORMAT;
        } else {
            rc = mdb_status(db, e, "opening the tables");
        }
        goto done;
    }
    rc = magic_check(db, txn);
done:
    if (rc) {
        mdb_txn_abort(txn);
        return rc;
    }
    /* committed also when read-only: an aborted transaction would close the tables */
    return mdb_status(db, mdb_txn_commit(txn), "committing the tables");
}

static int upgrade(am_conceptdb *db);

int am_conceptdb_open(am_conceptdb **out, const char *path, int flags, size_t map_bytes, char *err, size_t errsize)
{
    if (err && errsize)
        err[0] = 0;
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!path || !path[0] || (flags & ~3))
        return AM_EINVAL;
    am_conceptdb *db = calloc(1, sizeof *db);
    size_t n = strlen(path) + sizeof "/data.mdb";
    if (!db || !(db->file = malloc(n))) {
        free(db);
        return AM_ENOMEM;
    }
    snprintf(db->file, n, "%s/data.mdb", path);
    db->readonly = !!(flags & AM_CONCEPTDB_READONLY);
    int rc = env_open(db, path, flags, map_bytes);
    /* every page LMDB may read is checked before it reads one (am__lmdb_check_tree) */
    if (!rc)
        rc = am__lmdb_check_tree(db->env, db->file, db->msg, sizeof db->msg);
    if (!rc)
        rc = tables_open(db);
    if (!rc && !db->readonly && db->version < AM_CONCEPTDB_VERSION)
        rc = upgrade(db);
    if (rc) {
        if (err && errsize)
            snprintf(err, errsize, "%s", db->msg[0] ? db->msg : am_strerror(rc));
        am_conceptdb_close(db);
        return rc;
    }
    db->msg[0] = 0;
    *out = db;
    return AM_OK;
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
    if (db->env)
        mdb_env_close(db->env);
    free(db->file);
    free(db);
}

/* Layout 1 (records without checksums) to layout 2, in one transaction: every record gets its checksum,
 * the magic, layout and concept records the new version; the label table is rebuilt from the concept
 * records (layout 1 could leave an entry pointing at the wrong concept). */
static int upgrade_table(am_conceptdb *db, MDB_txn *txn, MDB_dbi dbi)
{
    MDB_cursor *cur;
    int e = mdb_cursor_open(txn, dbi, &cur), rc = AM_OK;
    if (e)
        return mdb_status(db, e, "upgrading: opening a cursor");
    wbuf b = {0};
    MDB_val k, v;
    for (e = mdb_cursor_get(cur, &k, &v, MDB_FIRST); e == 0 && !rc; e = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        unsigned char key[512]; /* the key is copied: the record moves when it grows */
        size_t at = SIZE_MAX;   /* where the record's version is */
        if (k.mv_size > sizeof key) {
            say(db, "upgrading: a key of %zu bytes", k.mv_size);
            rc = AM_EFORMAT;
            break;
        }
        memcpy(key, k.mv_data, k.mv_size);
        k.mv_data = key;
        if (dbi == db->concepts || (dbi == db->meta && k.mv_size == 6 && !memcmp(key, "layout", 6)))
            at = 0;
        else if (dbi == db->meta && k.mv_size == 5 && !memcmp(key, "magic", 5))
            at = sizeof MAGIC;
        b.n = 0;
        put(&b, v.mv_data, v.mv_size);
        if (at != SIZE_MAX && !b.oom) {
            uint32_t ver = AM_CONCEPTDB_VERSION;
            if (b.n < at + 4) {
                say(db, "upgrading: a record of %zu bytes", b.n);
                rc = AM_EFORMAT;
                break;
            }
            memcpy(b.p + at, &ver, 4);
        }
        put_u32(&b, rec_crc(&k, b.p, b.n));
        MDB_val nv = {b.n, b.p};
        rc = b.oom ? AM_ENOMEM : mdb_status(db, mdb_cursor_put(cur, &k, &nv, MDB_CURRENT), "upgrading a record");
    }
    if (!rc && e != MDB_NOTFOUND)
        rc = mdb_status(db, e, "upgrading: reading");
    mdb_cursor_close(cur);
    free(b.p);
    return rc;
}

static int labels_rebuild(am_conceptdb *db, MDB_txn *txn);

static int upgrade(am_conceptdb *db)
{
    MDB_txn *txn;
    int e = mdb_txn_begin(db->env, NULL, 0, &txn), rc = AM_OK;
    if (e)
        return mdb_status(db, e, "upgrading: beginning a transaction");
    uint32_t old = db->version;
    db->version = AM_CONCEPTDB_VERSION; /* rec_crc from here on */
    MDB_dbi t[3] = {db->meta, db->concepts, db->exemplars};
    for (int i = 0; i < 3 && !rc; i++)
        rc = upgrade_table(db, txn, t[i]);
    if (!rc)
        rc = labels_rebuild(db, txn);
    if (!rc)
        rc = mdb_status(db, mdb_txn_commit(txn), "committing the upgrade to layout 2");
    else
        mdb_txn_abort(txn);
    if (rc)
        db->version = old;
    return rc;
}

/* ---- layout ---- */

static int layout_write(am_conceptdb *db, MDB_txn *txn, const am_concepts *cm)
{
    wbuf b = {0};
    put_u32(&b, db->version);
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
    put_u32(&b, am_store_type_id(cm->cfg.cleanup));
    put_u64(&b, cm->cfg.seed);
    put_u64(&b, cm->next_id); /* last: am_conceptdb_sync rewrites it */
    MDB_val k = {6, "layout"};
    int rc = rec_put(db, txn, db->meta, &k, &b, "writing the layout");
    free(b.p);
    return rc;
}

/* The layout record's value, checked against its checksum, in r. AM_EEMPTY when there is none. */
static int layout_get(am_conceptdb *db, MDB_txn *txn, rbuf *r)
{
    MDB_val k = {6, "layout"}, v;
    int e = mdb_get(txn, db->meta, &k, &v);
    if (e == MDB_NOTFOUND) {
        say(db, "the database has no layout yet (nothing learned)");
        return AM_EEMPTY;
    }
    if (e)
        return mdb_status(db, e, "reading the layout");
    int rc = rec_open(db, &k, &v, r);
    if (rc)
        say(db, "the layout record: " DAMAGED);
    return rc;
}

/* Read the layout into a new (empty) memory. */
static int layout_read(am_conceptdb *db, MDB_txn *txn, am_concepts **out, const am_concepts_config *over)
{
    rbuf r;
    int rc = layout_get(db, txn, &r);
    if (rc)
        return rc;
    uint32_t ver = get_u32(&r), nmod = get_u32(&r);
    if (r.bad || ver != db->version || nmod == 0 || nmod > AM__MAXMOD) {
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
    cfg.cleanup = am_store_type_by_id(get_u32(&r)); /* NULL (unknown): refused by the check below */
    cfg.seed = get_u64(&r);
    uint64_t next = get_u64(&r);
    if (r.bad || r.at != r.n || !cfg.binding) {
        say(db, "layout record damaged (%s)", !cfg.binding ? "unknown binding mechanism" : "wrong size");
        return AM_EFORMAT;
    }
    rc = am_concepts_create(out, mods, nmod, over ? over : &cfg);
    if (rc) {
        say(db, "layout record holds an invalid modality or configuration");
        return rc == AM_EINVAL ? AM_EFORMAT : rc;
    }
    (*out)->next_id = next ? next : 1;
    return AM_OK;
}

/* The stored layout with the next id of cm (the configuration stays the stored one). */
static int layout_next_id(am_conceptdb *db, MDB_txn *txn, uint64_t next)
{
    rbuf r;
    int rc = layout_get(db, txn, &r);
    if (rc)
        return rc;
    if (r.n < 8) {
        say(db, "layout record damaged (wrong size)");
        return AM_EFORMAT;
    }
    wbuf b = {0};
    put(&b, r.p, r.n - 8);
    put_u64(&b, next);
    MDB_val k = {6, "layout"};
    rc = rec_put(db, txn, db->meta, &k, &b, "writing the layout");
    free(b.p);
    return rc;
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
    rbuf r;
    if (rec_open(db, &k, &v, &r)) {
        say(db, "the encoder table: " DAMAGED);
        return AM_ECHECKSUM;
    }
    uint32_t n = get_u32(&r);
    if (r.bad || n > MAX_ENCODERS || n > r.n) {
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
    MDB_val k = {8, "encoders"};
    int rc = rec_put(db, txn, db->meta, &k, &b, "writing the encoder table");
    free(b.p);
    return rc;
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
    put_u32(&b, db->version);
    MDB_val k = {5, "magic"};
    rc = rec_put(db, txn, db->meta, &k, &b, "writing the magic");
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

/* The label of the stored record of concept key k (l->mv_size 0: no record, or unlabelled). */
static int stored_label(am_conceptdb *db, MDB_txn *txn, MDB_val *k, MDB_val *l)
{
    MDB_val v;
    l->mv_size = 0;
    int e = mdb_get(txn, db->concepts, k, &v);
    if (e == MDB_NOTFOUND)
        return AM_OK; /* never synced */
    if (e)
        return mdb_status(db, e, "reading a concept");
    rbuf r;
    if (rec_open(db, k, &v, &r)) {
        say(db, "concept %llu: " DAMAGED, (unsigned long long)from_be64(k->mv_data));
        return AM_ECHECKSUM;
    }
    get_u32(&r);
    get_u64(&r);
    get_u64(&r);
    uint32_t len = get_u32(&r);
    if (!r.bad && len <= r.n - r.at) {
        l->mv_size = len;
        l->mv_data = (void *)(r.p + r.at);
    }
    return AM_OK;
}

/* Remove label l from the label table if it names concept key k (another concept may have taken it in
 * this sync). */
static int label_drop(am_conceptdb *db, MDB_txn *txn, const MDB_val *k, MDB_val *l)
{
    MDB_val v;
    int e = mdb_get(txn, db->labels, l, &v);
    if (e == MDB_NOTFOUND)
        return AM_OK;
    if (e)
        return mdb_status(db, e, "reading a label");
    if (v.mv_size < 8 || memcmp(v.mv_data, k->mv_data, 8) != 0)
        return AM_OK;
    return mdb_status(db, mdb_del(txn, db->labels, l, NULL), "removing an old label");
}

static int label_put(am_conceptdb *db, MDB_txn *txn, const unsigned char key[8], const char *label)
{
    wbuf b = {0};
    put(&b, key, 8);
    MDB_val lk = {strlen(label), (void *)label};
    int rc = rec_put(db, txn, db->labels, &lk, &b, "writing a label");
    free(b.p);
    return rc;
}

static int concept_write(am_conceptdb *db, MDB_txn *txn, const am_concepts *cm, const am__cnode *n)
{
    wbuf b = {0};
    put_u32(&b, db->version);
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
    unsigned char key[8];
    be64(key, n->id);
    MDB_val k = {8, key}, old;
    /* a changed label: the old label's entry goes */
    int rc = stored_label(db, txn, &k, &old);
    if (!rc && old.mv_size && (old.mv_size != strlen(n->label) || memcmp(old.mv_data, n->label, old.mv_size) != 0))
        rc = label_drop(db, txn, &k, &old);
    if (!rc)
        rc = rec_put(db, txn, db->concepts, &k, &b, "writing a concept");
    free(b.p);
    if (!rc && n->label[0])
        rc = label_put(db, txn, key, n->label);
    return rc;
}

static int concept_delete(am_conceptdb *db, MDB_txn *txn, uint64_t id)
{
    unsigned char key[8];
    be64(key, id);
    MDB_val k = {8, key}, old;
    int rc = stored_label(db, txn, &k, &old), e;
    if (!rc && old.mv_size)
        rc = label_drop(db, txn, &k, &old);
    if (rc)
        return rc;
    if ((e = mdb_del(txn, db->concepts, &k, NULL)))
        return e == MDB_NOTFOUND ? AM_OK : mdb_status(db, e, "removing a concept"); /* never synced */
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

/* Exemplars [n->saved[m], n->n[m]) of every modality, each with the index of its modality's encoder. */
static int exemplars_write(am_conceptdb *db, MDB_txn *txn, const am_concepts *cm, const am__cnode *n, const uint32_t *encidx,
                           wbuf *b)
{
    int rc = AM_OK;
    for (size_t m = 0; m < cm->nmod && !rc; m++) {
        size_t d = cm->mod[m].dim;
        for (size_t i = n->saved[m]; i < n->n[m] && !rc; i++) {
            if (i > UINT32_MAX)
                return AM_ERANGE;
            unsigned char key[13];
            ex_key(key, n->id, m, (uint32_t)i);
            MDB_val k = {13, key};
            b->n = 0;
            put_u32(b, encidx[m]);
            put(b, n->ex[m] + i * d, d * sizeof(float));
            rc = rec_put(db, txn, db->exemplars, &k, b, "writing an exemplar");
        }
    }
    return rc;
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
    wbuf b = {0};
    for (size_t c = 0; c < cm->count && !rc; c++) {
        am__cnode *n = cm->node[c];
        if (n->dirty && !(rc = concept_write(db, txn, cm, n)))
            rc = exemplars_write(db, txn, cm, n, encidx, &b);
    }
    free(b.p);
    if (!rc)
        rc = layout_next_id(db, txn, cm->next_id);
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

static void node_free(am__cnode *n)
{
    free(n->label);
    free(n->children);
    for (size_t m = 0; m < AM__MAXMOD; m++)
        free(n->proto[m]);
    free(n);
}

/* Parse one concept record (key k: its id, 8 bytes) into a new node (exemplars not yet read). */
static int concept_parse(am_conceptdb *db, const am_concepts *cm, const MDB_val *k, const MDB_val *v, am__cnode **out)
{
    uint64_t id = k->mv_size == 8 ? from_be64(k->mv_data) : 0;
    rbuf r;
    if (rec_open(db, k, v, &r)) {
        say(db, "concept %llu: " DAMAGED, (unsigned long long)id);
        return AM_ECHECKSUM;
    }
    am__cnode *n = calloc(1, sizeof *n);
    if (!n)
        return AM_ENOMEM;
    n->id = id;
    uint32_t ver = get_u32(&r);
    n->parent = get_u64(&r);
    n->obs = get_u64(&r);
    uint32_t len = get_u32(&r);
    int rc = AM_EFORMAT;
    if (r.bad || ver != db->version || len > AM_CONCEPT_LABEL_MAX || len > r.n - r.at) {
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
    node_free(n);
    return rc;
}

/* The exemplars of node n (just parsed): the next records of the exemplar cursor ce, whose current record
 * is *ee (LMDB's status), ek, ev. */
static int exemplars_read(am_conceptdb *db, MDB_txn *txn, const am_concepts *cm, am__cnode *n, MDB_cursor *ce, int *ee,
                          MDB_val *ek, MDB_val *ev)
{
    unsigned long long id = (unsigned long long)n->id;
    for (size_t m = 0; m < cm->nmod; m++) {
        size_t d = cm->mod[m].dim, cnt = n->n[m], bytes;
        if (cnt > ((size_t)1 << 32) || am_size_mul3(cnt, d, sizeof(float), &bytes)) {
            say(db, "concept %llu: %zu exemplars", id, cnt);
            return AM_EFORMAT;
        }
        if (cnt) {
            /* the counts come from the file: check them against the records before allocating */
            MDB_stat ms;
            mdb_stat(txn, db->exemplars, &ms);
            if (cnt > ms.ms_entries) {
                say(db, "concept %llu: %zu exemplars in '%s' but the table holds %zu", id, cnt, cm->mod[m].name,
                    (size_t)ms.ms_entries);
                return AM_EFORMAT;
            }
            if (!(n->ex[m] = malloc(bytes)))
                return AM_ENOMEM;
            n->cap[m] = cnt;
        }
        for (size_t i = 0; i < cnt; i++) {
            unsigned char want[13];
            rbuf r;
            ex_key(want, n->id, m, (uint32_t)i);
            if (*ee || ek->mv_size != 13 || memcmp(ek->mv_data, want, 13) != 0) {
                say(db, "concept %llu: exemplar %zu of '%s' missing", id, i, cm->mod[m].name);
                return AM_EFORMAT;
            }
            if (rec_open(db, ek, ev, &r)) {
                say(db, "concept %llu: exemplar %zu of '%s': " DAMAGED, id, i, cm->mod[m].name);
                return AM_ECHECKSUM;
            }
            uint32_t enc = get_u32(&r);
            get(&r, n->ex[m] + i * d, d * sizeof(float));
            if (r.bad || r.at != r.n || enc >= db->nenc || !finite_all(n->ex[m] + i * d, d)) {
                say(db, "concept %llu: exemplar %zu of '%s' damaged (%s)", id, i, cm->mod[m].name,
                    r.bad || r.at != r.n ? "wrong size" : enc >= db->nenc ? "unknown encoder" : "not finite");
                return AM_EFORMAT;
            }
            *ee = mdb_cursor_get(ce, ek, ev, MDB_NEXT);
        }
        n->saved[m] = cnt;
    }
    return AM_OK;
}

/* Parents and children exist and agree; labels are unique; no cycle of parents. */
static int references_check(am_conceptdb *db, const am_concepts *cm)
{
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
            return AM_EFORMAT;
        }
        if (n->label[0] && am_concepts_find_label(cm, n->label) != c) {
            say(db, "label %s used twice", AM__QUOTE(n->label));
            return AM_EFORMAT;
        }
    }
    for (size_t c = 0, guard; c < cm->count; c++) {
        size_t a = c;
        for (guard = 0; a != AM_CONCEPT_NONE && guard <= cm->count; guard++)
            a = am_concepts_parent(cm, a);
        if (a != AM_CONCEPT_NONE) {
            say(db, "a cycle of parents");
            return AM_EFORMAT;
        }
    }
    return AM_OK;
}

/* The label table (layout 2): one entry per labelled concept, each naming the concept that carries it. */
static int labels_check(am_conceptdb *db, MDB_txn *txn, const am_concepts *cm)
{
    MDB_cursor *cur;
    MDB_val k, v;
    size_t labelled = 0, entries = 0;
    int e = mdb_cursor_open(txn, db->labels, &cur), rc = AM_OK;
    if (e)
        return mdb_status(db, e, "opening a cursor");
    for (size_t c = 0; c < cm->count; c++)
        labelled += cm->node[c]->label[0] != 0;
    for (e = mdb_cursor_get(cur, &k, &v, MDB_FIRST); e == 0 && !rc; e = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        rbuf r;
        int len = k.mv_size > 64 ? 64 : (int)k.mv_size;
        if (rec_open(db, &k, &v, &r)) {
            say(db, "label '%.*s': " DAMAGED, len, (const char *)k.mv_data);
            rc = AM_ECHECKSUM;
            break;
        }
        size_t c = r.n == 8 ? am_concepts_find_id(cm, from_be64(r.p)) : AM_CONCEPT_NONE;
        const char *l = c != AM_CONCEPT_NONE ? cm->node[c]->label : "";
        if (c == AM_CONCEPT_NONE || strlen(l) != k.mv_size || memcmp(l, k.mv_data, k.mv_size) != 0) {
            say(db, "label '%.*s': an entry that names no concept of that label", len, (const char *)k.mv_data);
            rc = AM_EFORMAT;
        }
        entries++;
    }
    mdb_cursor_close(cur);
    if (!rc && e != MDB_NOTFOUND)
        rc = mdb_status(db, e, "reading labels");
    if (!rc && entries != labelled) {
        say(db, "%zu labels in the label table but %zu labelled concepts", entries, labelled);
        rc = AM_EFORMAT;
    }
    return rc;
}

/* The label table made anew from the concept records. */
static int labels_rebuild(am_conceptdb *db, MDB_txn *txn)
{
    int e = mdb_drop(txn, db->labels, 0), rc;
    if (e)
        return mdb_status(db, e, "emptying the label table");
    MDB_cursor *cur;
    MDB_val k, v;
    if ((e = mdb_cursor_open(txn, db->concepts, &cur)))
        return mdb_status(db, e, "opening a cursor");
    for (e = mdb_cursor_get(cur, &k, &v, MDB_FIRST), rc = AM_OK; e == 0 && !rc; e = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        MDB_val l;
        char label[AM_CONCEPT_LABEL_MAX + 1];
        if (k.mv_size != 8) {
            say(db, "a concept key of %zu bytes", k.mv_size);
            rc = AM_EFORMAT;
        } else if (!(rc = stored_label(db, txn, &k, &l)) && l.mv_size && l.mv_size <= AM_CONCEPT_LABEL_MAX) {
            memcpy(label, l.mv_data, l.mv_size);
            label[l.mv_size] = 0;
            rc = label_put(db, txn, k.mv_data, label);
        }
    }
    mdb_cursor_close(cur);
    return rc || e == MDB_NOTFOUND ? rc : mdb_status(db, e, "reading concepts");
}

static int node_append(am_concepts *cm, am__cnode *n)
{
    if (am__concepts_reserve(cm))
        return AM_ENOMEM;
    cm->node[cm->count++] = n;
    return AM_OK;
}

/* Every concept record and its exemplars into cm (which holds the layout). */
static int nodes_read(am_conceptdb *db, MDB_txn *txn, am_concepts *cm)
{
    MDB_cursor *cc = NULL, *ce = NULL;
    int e, rc = AM_OK;
    if ((e = mdb_cursor_open(txn, db->concepts, &cc)) || (e = mdb_cursor_open(txn, db->exemplars, &ce))) {
        rc = mdb_status(db, e, "opening a cursor");
        goto done;
    }
    MDB_val k, v, ek, ev;
    int ee = mdb_cursor_get(ce, &ek, &ev, MDB_FIRST);
    for (e = mdb_cursor_get(cc, &k, &v, MDB_FIRST); e == 0 && !rc; e = mdb_cursor_get(cc, &k, &v, MDB_NEXT)) {
        uint64_t id = k.mv_size == 8 ? from_be64(k.mv_data) : 0;
        am__cnode *n;
        if (k.mv_size != 8) {
            say(db, "a concept key of %zu bytes", k.mv_size);
            rc = AM_EFORMAT;
        } else if (id == 0 || id >= cm->next_id) {
            say(db, "concept id %llu outside the ids given out (< %llu)", (unsigned long long)id, (unsigned long long)cm->next_id);
            rc = AM_EFORMAT;
        } else if (!(rc = concept_parse(db, cm, &k, &v, &n))) {
            if ((rc = node_append(cm, n)))
                node_free(n);
            else
                rc = exemplars_read(db, txn, cm, n, ce, &ee, &ek, &ev);
        }
    }
    if (!rc && e != MDB_NOTFOUND)
        rc = mdb_status(db, e, "reading concepts");
    if (!rc && ee == 0) {
        say(db, "exemplars of a concept that does not exist");
        rc = AM_EFORMAT;
    }
done:
    if (cc)
        mdb_cursor_close(cc);
    if (ce)
        mdb_cursor_close(ce);
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
    if (!(rc = layout_read(db, txn, &cm, cfg)) && !(rc = encoders_read(db, txn)) && !(rc = nodes_read(db, txn, cm)) &&
        !(rc = am__concepts_rehash(cm, cm->count)) && !(rc = references_check(db, cm)) && db->version >= 2)
        rc = labels_check(db, txn, cm);
    mdb_txn_abort(txn);
    if (rc) {
        am_concepts_free(cm);
        return rc;
    }
    cm->gen++;
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
        if ((rc = concept_parse(db, lay, &k, &v, &n)))
            break;
        st->concepts++;
        st->labelled += n->label[0] != 0;
        st->roots += n->parent == 0;
        for (size_t m = 0; m < lay->nmod; m++)
            st->exemplars[m] += n->n[m];
        node_free(n);
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
    rbuf r;
    e = mdb_get(txn, db->exemplars, &k, &v);
    if (e == MDB_NOTFOUND) {
        rc = AM_EINVAL;
    } else if (e) {
        rc = mdb_status(db, e, "reading an exemplar");
    } else if (rec_open(db, &k, &v, &r)) {
        say(db, "concept %llu: exemplar %zu of modality %zu: " DAMAGED, (unsigned long long)id, i, m);
        rc = AM_ECHECKSUM;
    } else {
        uint32_t enc = get_u32(&r);
        if (r.bad || enc >= db->nenc) {
            say(db, "concept %llu: exemplar %zu of modality %zu: unknown encoder", (unsigned long long)id, i, m);
            rc = AM_EFORMAT;
        } else {
            snprintf(buf, size, "%s", db->enc[enc]);
        }
    }
    mdb_txn_abort(txn);
    return rc;
}

/* ---- export ---- */

/* The rows of concept c (index in cm) into out: every modality's exemplars in sequence order. */
static int export_concept(am_conceptdb *db, const am_concepts *cm, size_t c, size_t maxd, FILE *out, size_t *rows)
{
    const char *label = am_concepts_label(cm, c);
    for (size_t m = 0; m < am_concepts_modalities(cm); m++) {
        const am_modality *md = am_concepts_modality(cm, m);
        for (size_t i = 0; i < am_concepts_exemplars(cm, c, m); i++) {
            char enc[128];
            int rc = am_conceptdb_exemplar_encoder(db, am_concepts_id(cm, c), m, i, enc, sizeof enc);
            if (rc)
                return rc;
            for (char *s = enc; *s; s++)
                if (*s == '\t')
                    *s = ' ';
            fprintf(out, "%llu\t%s\t%s\t%zu\t%s", (unsigned long long)am_concepts_id(cm, c), label[0] ? label : "-",
                    md->name, i, enc);
            const float *x = am_concepts_exemplar(cm, c, m, i);
            for (size_t j = 0; j < maxd; j++)
                j < md->dim ? fprintf(out, "\t%.7g", (double)x[j]) : fputs("\t", out);
            fputc('\n', out);
            ++*rows;
        }
    }
    return AM_OK;
}

int am_conceptdb_export(am_conceptdb *db, const am_concepts *cm, FILE *out, size_t *rows)
{
    size_t nmod, maxd = 0, n = 0;
    int rc = AM_OK;
    if (rows)
        *rows = 0;
    if (!db || !cm || !out)
        return AM_EINVAL;
    nmod = am_concepts_modalities(cm);
    for (size_t m = 0; m < nmod; m++)
        maxd = am_concepts_modality(cm, m)->dim > maxd ? am_concepts_modality(cm, m)->dim : maxd;
    fputs("id\tlabel\tmodality\tseq\tencoder", out);
    for (size_t j = 0; j < maxd; j++)
        fprintf(out, "\tz%zu", j + 1);
    fputc('\n', out);
    for (size_t c = 0; c < am_concepts_count(cm) && !rc; c++)
        if (!(rc = am_cancel_poll()))
            rc = export_concept(db, cm, c, maxd, out, &n);
    if (!rc && ferror(out))
        rc = AM_EIO;
    if (rows)
        *rows = n;
    return rc;
}

int am_conceptdb_export_file(am_conceptdb *db, const am_concepts *cm, const char *path, const char *header,
                             size_t *rows)
{
    am__out o;
    if (rows)
        *rows = 0;
    if (!db || !cm || !path)
        return AM_EINVAL;
    int rc = am__out_open(&o, path);
    if (rc)
        return rc;
    if (header)
        fputs(header, o.f);
    if ((rc = am_conceptdb_export(db, cm, o.f, rows))) {
        am__out_abort(&o);
        return rc;
    }
    return am__out_commit(&o);
}
