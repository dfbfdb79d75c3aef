/* A structural check of an LMDB data file (see lmdbcheck.h). The layout is LMDB 0.9's on 64-bit hosts
 * (mdb.c: MDB_page, MDB_meta, MDB_db, MDB_node; data format version 1), in host byte order:
 *   page     pgno (8) | pad (2) | flags (2) | lower (2) | upper (2), or for overflow pages a page count (4) |
 *            the node offsets (2 each) from byte 16, nodes from `upper` to the end of the page
 *   meta     at byte 16 of pages 0 and 1: magic (4) | version (4) | address (8) | mapsize (8) |
 *            free-list table (48) | main table (48) | last page (8) | transaction id (8)
 *   table    pad (4; the page size in the free list's) | flags (2) | depth (2) | branch, leaf and overflow
 *            pages, entries, root page (8 each)
 *   node     lo (2) | hi (2) | flags (2) | key size (2) | key | data: a branch node's child page is
 *            lo | hi << 16 | flags << 32; a leaf node's data size is lo | hi << 16, its data inline, or
 *            with F_BIGDATA the first page (8) of an overflow run
 * The free list maps transaction ids (8-byte integer keys) to page lists: a count, then the pages in
 * descending order. The main table maps names to the named tables' records (F_SUBDATA). */
#include "lmdbcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "am/error.h"

_Static_assert(sizeof(size_t) == 8, "the LMDB file layout checked here is that of 64-bit builds");

enum {
    PAGEHDR = 16,
    P_BRANCH = 0x01,
    P_LEAF = 0x02,
    P_OVERFLOW = 0x04,
    P_META = 0x08,
    F_BIGDATA = 0x01,
    F_SUBDATA = 0x02,
    NODEHDR = 8,
    MAXKEY = 511,     /* MDB_MAXKEYSIZE */
    MAXDEPTH = 32,    /* CURSOR_STACK: LMDB's cursors stop there */
    DBREC = 48,       /* sizeof(MDB_db) */
    METASZ = 136,     /* sizeof(MDB_meta) */
    DBFLAGS = 0x7e    /* the persistent table flags, MDB_REVERSEKEY .. MDB_REVERSEDUP */
};
#define LMDB_MAGIC 0xBEEFC0DEu
#define NO_ROOT UINT64_MAX /* P_INVALID: an empty table */

static uint16_t u16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t u32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t u64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

typedef struct {
    uint32_t pad;
    uint16_t flags, depth;
    uint64_t branch, leaf, overflow, entries, root;
} dbrec;

typedef struct {
    uint16_t page_flags;
    uint64_t pgno;
    uint32_t magic, version;
    dbrec db[2]; /* free list, main table */
    uint64_t last_pg, txnid;
} meta;

static void db_parse(const unsigned char *p, dbrec *d)
{
    d->pad = u32(p);
    d->flags = u16(p + 4);
    d->depth = u16(p + 6);
    d->branch = u64(p + 8);
    d->leaf = u64(p + 16);
    d->overflow = u64(p + 24);
    d->entries = u64(p + 32);
    d->root = u64(p + 40);
}

/* p: the first PAGEHDR + METASZ bytes of a meta page. */
static void meta_parse(const unsigned char *p, meta *m)
{
    m->pgno = u64(p);
    m->page_flags = u16(p + 10);
    p += PAGEHDR;
    m->magic = u32(p);
    m->version = u32(p + 4);
    db_parse(p + 24, &m->db[0]);
    db_parse(p + 72, &m->db[1]);
    m->last_pg = u64(p + 120);
    m->txnid = u64(p + 128);
}

static int say(char *msg, size_t size, int status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int say(char *msg, size_t size, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    return status;
}

static int pread_all(int fd, void *buf, size_t n, off_t at)
{
    ssize_t got = pread(fd, buf, n, at);
    return got < 0 ? AM_ERRNO(errno) : (size_t)got == n ? AM_OK : AM_ETRUNC;
}

/* Why meta page `which` (parsed in m) is not one LMDB can use, or NULL. */
static const char *meta_bad(const meta *m, uint64_t which)
{
    uint32_t ps = m->db[0].pad;
    if (!(m->page_flags & P_META) || m->pgno != which)
        return "its page header is not a meta page's";
    if (m->magic != LMDB_MAGIC)
        return "no LMDB magic number";
    if (m->version != 1)
        return "not LMDB's data format 1";
    if (ps < 512 || ps > 65536 || (ps & (ps - 1)))
        return "a page size that is not a power of two from 512 to 65536";
    return NULL;
}

int am__lmdb_check_header(const char *file, char *msg, size_t size)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return say(msg, size, AM_ERRNO(errno), "%s: %s", file, strerror(errno));
    struct stat st;
    unsigned char buf[PAGEHDR + METASZ];
    meta m[2];
    int rc = fstat(fd, &st) ? AM_ERRNO(errno) : AM_OK;
    for (uint64_t i = 0; i < 2 && !rc; i++) {
        off_t at = i ? (off_t)m[0].db[0].pad : 0;
        if ((rc = pread_all(fd, buf, sizeof buf, at)) == AM_ETRUNC) {
            say(msg, size, rc, "%s: %lld bytes, too short for LMDB's meta page %d (the file is truncated)", file,
                (long long)st.st_size, (int)i);
            break;
        }
        if (rc) {
            say(msg, size, rc, "%s: %s", file, strerror(errno));
            break;
        }
        meta_parse(buf, &m[i]);
        const char *why = meta_bad(&m[i], i);
        if (!why && i == 1 && m[1].db[0].pad != m[0].db[0].pad)
            why = "a page size other than meta page 0's";
        if (why)
            rc = say(msg, size, AM_EFORMAT, "%s: meta page %d: %s: not a libam concept database (or a damaged one)", file,
                     (int)i, why);
    }
    if (!rc && st.st_size < 2 * (off_t)m[0].db[0].pad)
        rc = say(msg, size, AM_ETRUNC, "%s: %lld bytes, shorter than its two meta pages of %u (the file is truncated)", file,
                 (long long)st.st_size, m[0].db[0].pad);
    close(fd);
    return rc;
}

/* ---- the walk over one snapshot ---- */

typedef struct {
    const unsigned char *map; /* pages [0, npages) of the file, read-only */
    uint64_t psize, npages, filepages, last_pg, txnid;
    unsigned char *seen;      /* a bit per mapped page */
    uint64_t *span;           /* scratch: a page's nodes, offset << 32 | size */
    uint64_t *beyond;         /* free pages past the end of the file */
    size_t nbeyond, capbeyond;
    const char *file;
    char *msg;
    size_t size;
} walk;

enum kind { FREE, MAIN, NAMED };

typedef struct {
    enum kind kind;
    const char *name;
    uint64_t branch, leaf, overflow, entries; /* counted */
    unsigned depth;                           /* of the leaves (root: 1), 0 until one is reached */
} tree;

typedef struct {
    const unsigned char *p; /* NULL: no bound */
    size_t n;
} key;

static int bad(walk *w, const tree *t, uint64_t pgno, int status, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int bad(walk *w, const tree *t, uint64_t pgno, int status, const char *fmt, ...)
{
    int k = snprintf(w->msg, w->size, "%s: table '%s', page %llu: ", w->file, t->name, (unsigned long long)pgno);
    if (k >= 0 && (size_t)k < w->size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->msg + k, w->size - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return status;
}

/* LMDB's orders: the free list's keys as integers, the others as byte strings (mdb_cmp_memn). */
static int key_cmp(const tree *t, key a, key b)
{
    if (t->kind == FREE) {
        uint64_t x = u64(a.p), y = u64(b.p);
        return (x > y) - (x < y);
    }
    int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Pages [pgno, pgno + n) of the snapshot: in the database, in the file, none reached before. */
static const unsigned char *pages(walk *w, const tree *t, uint64_t from, uint64_t pgno, uint64_t n, int *rc)
{
    if (pgno < 2 || pgno > w->last_pg || n > w->last_pg + 1 - pgno) {
        *rc = bad(w, t, from, AM_EFORMAT, "points at page %llu (+%llu), outside the database's pages 2 .. %llu",
                  (unsigned long long)pgno, (unsigned long long)n - 1, (unsigned long long)w->last_pg);
        return NULL;
    }
    if (pgno + n > w->filepages) {
        *rc = say(w->msg, w->size, AM_ETRUNC, "%s: table '%s' uses page %llu, but the file holds %llu pages of %llu bytes: the file is truncated",
                  w->file, t->name, (unsigned long long)(pgno + n - 1), (unsigned long long)w->filepages, (unsigned long long)w->psize);
        return NULL;
    }
    for (uint64_t q = pgno; q < pgno + n; q++) {
        if (w->seen[q / 8] & (1u << (q % 8))) {
            *rc = bad(w, t, from, AM_EFORMAT, "points at page %llu, which is reached twice", (unsigned long long)q);
            return NULL;
        }
        w->seen[q / 8] |= (unsigned char)(1u << (q % 8));
    }
    return w->map + pgno * w->psize;
}

/* Node i of a branch or leaf page (its offset checked by the caller). */
static const unsigned char *node(const unsigned char *p, size_t i)
{
    return p + u16(p + PAGEHDR + 2 * i);
}
static key node_key(const unsigned char *p, size_t i)
{
    const unsigned char *nd = node(p, i);
    return (key){nd + NODEHDR, u16(nd + 6)};
}

/* A free-list entry: the transaction that freed the pages, and the pages, sorted descending. */
static int idl_check(walk *w, const tree *t, uint64_t pgno, key k, const unsigned char *v, uint64_t n)
{
    uint64_t id = u64(k.p), prev = UINT64_MAX;
    if (id == 0 || id > w->txnid)
        return bad(w, t, pgno, AM_EFORMAT, "pages freed by transaction %llu, after the snapshot's %llu", (unsigned long long)id,
                   (unsigned long long)w->txnid);
    if (n < 8 || n % 8 || u64(v) != n / 8 - 1)
        return bad(w, t, pgno, AM_EFORMAT, "a free-page list of %llu bytes whose count does not match", (unsigned long long)n);
    for (uint64_t j = 1; j < n / 8; j++) {
        uint64_t q = u64(v + 8 * j);
        if (q >= prev || q < 2 || q > w->last_pg)
            return bad(w, t, pgno, AM_EFORMAT, "free page %llu out of order or outside the database", (unsigned long long)q);
        prev = q;
        if (q >= w->npages) {
            if (w->nbeyond == w->capbeyond) {
                size_t cap = w->capbeyond ? 2 * w->capbeyond : 64;
                uint64_t *b = realloc(w->beyond, cap * sizeof *b);
                if (!b)
                    return AM_ENOMEM;
                w->beyond = b;
                w->capbeyond = cap;
            }
            w->beyond[w->nbeyond++] = q;
        } else if (w->seen[q / 8] & (1u << (q % 8))) {
            return bad(w, t, pgno, AM_EFORMAT, "free page %llu is free twice, or also in use", (unsigned long long)q);
        } else {
            w->seen[q / 8] |= (unsigned char)(1u << (q % 8));
        }
    }
    return AM_OK;
}

static int tree_walk(walk *w, const char *name, enum kind kind, const dbrec *d, uint64_t from);

/* The data of leaf node nd (key k) on page pgno: inline or in an overflow run within the file; a named
 * table's record walked in turn; a free-list entry checked. room: bytes from the data to the page's end. */
static int leaf_data(walk *w, tree *t, uint64_t pgno, size_t i, const unsigned char *nd, key k, size_t room)
{
    unsigned fl = u16(nd + 4);
    uint64_t n = u16(nd) | (uint64_t)u16(nd + 2) << 16;
    const unsigned char *v = k.p + k.n;
    unsigned allowed = F_BIGDATA | (t->kind == MAIN ? F_SUBDATA : 0);
    int rc = AM_OK;
    if ((fl & ~allowed) || fl == (F_BIGDATA | F_SUBDATA))
        return bad(w, t, pgno, AM_EFORMAT, "node %zu has flags %#x", i, fl);
    if (fl & F_BIGDATA) {
        if (room < 8)
            return bad(w, t, pgno, AM_EFORMAT, "node %zu overruns the page", i);
        uint64_t ov = u64(v);
        const unsigned char *p = pages(w, t, pgno, ov, 1, &rc);
        if (!p)
            return rc;
        uint64_t npg = u32(p + 12);
        if (u64(p) != ov || u16(p + 10) != P_OVERFLOW || npg == 0 || n > npg * w->psize - PAGEHDR)
            return bad(w, t, pgno, AM_EFORMAT, "node %zu: overflow page %llu damaged (its header, or %llu pages for %llu bytes)", i,
                       (unsigned long long)ov, (unsigned long long)npg, (unsigned long long)n);
        if (npg > 1 && !pages(w, t, pgno, ov + 1, npg - 1, &rc))
            return rc;
        t->overflow += npg;
        v = p + PAGEHDR;
    } else if (n > room) {
        return bad(w, t, pgno, AM_EFORMAT, "node %zu: %llu bytes of data overrun the page", i, (unsigned long long)n);
    }
    if (fl & F_SUBDATA) {
        char nm[64];
        size_t j;
        for (j = 0; j < k.n && j < sizeof nm - 1; j++)
            nm[j] = k.p[j] >= 0x20 && k.p[j] < 0x7f ? (char)k.p[j] : '?';
        nm[j] = 0;
        dbrec d;
        if (n != DBREC)
            return bad(w, t, pgno, AM_EFORMAT, "the record of table '%s' has %llu bytes", nm, (unsigned long long)n);
        db_parse(v, &d);
        if (d.flags)
            return bad(w, t, pgno, AM_EFORMAT, "table '%s' has flags %#x (none expected)", nm, d.flags);
        return tree_walk(w, nm, NAMED, &d, pgno);
    }
    return t->kind == FREE ? idl_check(w, t, pgno, k, v, n) : AM_OK;
}

/* The nodes of page p tile its node area [upper, page end) exactly, as LMDB keeps them (each node's size
 * rounded up to even): none outside it, none over another (a writer moves nodes by their sizes). */
static int nodes_tile(walk *w, const tree *t, uint64_t pgno, const unsigned char *p, size_t n, int leaf)
{
    size_t upper = u16(p + 14);
    for (size_t i = 0; i < n; i++) {
        size_t off = u16(p + PAGEHDR + 2 * i);
        if (off < upper || off % 2 || off > w->psize - NODEHDR)
            return bad(w, t, pgno, AM_EFORMAT, "node %zu at offset %zu, outside the page's nodes", i, off);
        const unsigned char *nd = p + off;
        uint64_t sz = NODEHDR + u16(nd + 6);
        if (leaf)
            sz += u16(nd + 4) & F_BIGDATA ? 8 : u16(nd) | (uint64_t)u16(nd + 2) << 16;
        sz += sz & 1;
        if (sz > w->psize - off)
            return bad(w, t, pgno, AM_EFORMAT, "node %zu: %llu bytes overrun the page", i, (unsigned long long)sz);
        w->span[i] = (uint64_t)off << 32 | sz;
    }
    qsort(w->span, n, sizeof *w->span, u64_cmp);
    uint64_t end = upper;
    for (size_t i = 0; i < n; i++) {
        if (w->span[i] >> 32 != end)
            return bad(w, t, pgno, AM_EFORMAT, "nodes that overlap or leave a gap at offset %llu", (unsigned long long)end);
        end += w->span[i] & UINT32_MAX;
    }
    if (end != w->psize)
        return bad(w, t, pgno, AM_EFORMAT, "nodes that end at offset %llu", (unsigned long long)end);
    return AM_OK;
}

/* Every node of page p (tiling it), keys in order within [lo, hi); leaves' data. */
static int nodes_check(walk *w, tree *t, uint64_t pgno, const unsigned char *p, size_t n, int leaf, key lo, key hi)
{
    int rc = nodes_tile(w, t, pgno, p, n, leaf);
    key prev = {NULL, 0};
    for (size_t i = 0; i < n && !rc; i++) {
        const unsigned char *nd = node(p, i);
        size_t room = w->psize - (size_t)(nd - p) - NODEHDR;
        key k = {nd + NODEHDR, u16(nd + 6)};
        if (leaf || i > 0) { /* a branch page's first key is its parent's */
            if (k.n == 0 || k.n > MAXKEY || (t->kind == FREE && k.n != 8))
                return bad(w, t, pgno, AM_EFORMAT, "node %zu: a key of %zu bytes", i, k.n);
            if ((prev.p && key_cmp(t, prev, k) >= 0) || (lo.p && key_cmp(t, k, lo) < 0) || (hi.p && key_cmp(t, k, hi) >= 0))
                return bad(w, t, pgno, AM_EFORMAT, "node %zu: a key out of order", i);
            prev = k;
        }
        if (leaf)
            rc = leaf_data(w, t, pgno, i, nd, k, room - k.n);
    }
    return rc;
}

static int page_walk(walk *w, tree *t, uint64_t from, uint64_t pgno, unsigned level, key lo, key hi)
{
    int rc = AM_OK;
    if (level > MAXDEPTH)
        return bad(w, t, from, AM_EFORMAT, "a tree deeper than %d levels", MAXDEPTH);
    const unsigned char *p = pages(w, t, from, pgno, 1, &rc);
    if (!p)
        return rc;
    unsigned flags = u16(p + 10), lower = u16(p + 12), upper = u16(p + 14);
    int leaf = flags == P_LEAF;
    if (u64(p) != pgno || (flags != P_LEAF && flags != P_BRANCH))
        return bad(w, t, pgno, AM_EFORMAT, "a damaged page header (page number %llu, flags %#x)", (unsigned long long)u64(p), flags);
    if (lower < PAGEHDR || (lower - PAGEHDR) % 2 || upper < lower || upper > w->psize)
        return bad(w, t, pgno, AM_EFORMAT, "damaged bounds of its free space (%u, %u)", lower, upper);
    size_t n = (lower - PAGEHDR) / 2;
    /* LMDB asserts two keys on a branch page (but for the free list's) and drops empty leaves */
    if (n < (leaf || t->kind == FREE ? 1u : 2u))
        return bad(w, t, pgno, AM_EFORMAT, "a %s page of %zu keys", leaf ? "leaf" : "branch", n);
    if (leaf && t->depth && t->depth != level)
        return bad(w, t, pgno, AM_EFORMAT, "a leaf at depth %u, others at %u", level, t->depth);
    if ((rc = nodes_check(w, t, pgno, p, n, leaf, lo, hi)))
        return rc;
    if (leaf) {
        t->depth = level;
        t->leaf++;
        t->entries += n;
        return AM_OK;
    }
    t->branch++;
    for (size_t i = 0; i < n && !rc; i++) {
        const unsigned char *nd = node(p, i);
        uint64_t child = u16(nd) | (uint64_t)u16(nd + 2) << 16 | (uint64_t)u16(nd + 4) << 32;
        rc = page_walk(w, t, pgno, child, level + 1, i ? node_key(p, i) : lo, i + 1 < n ? node_key(p, i + 1) : hi);
    }
    return rc;
}

/* A table from its record d (in the meta page, or in the main table's page `from`). */
static int tree_walk(walk *w, const char *name, enum kind kind, const dbrec *d, uint64_t from)
{
    tree t = {kind, name, 0, 0, 0, 0, 0};
    if (d->root != NO_ROOT) {
        key none = {NULL, 0};
        int rc = page_walk(w, &t, from, d->root, 1, none, none);
        if (rc)
            return rc;
    }
    if (t.depth != d->depth || t.branch != d->branch || t.leaf != d->leaf || t.overflow != d->overflow || t.entries != d->entries)
        return bad(w, &t, from, AM_EFORMAT,
                   "the tree has depth %u, %llu branch, %llu leaf and %llu overflow pages, %llu entries; its record says %u, "
                   "%llu, %llu, %llu, %llu",
                   t.depth, (unsigned long long)t.branch, (unsigned long long)t.leaf, (unsigned long long)t.overflow,
                   (unsigned long long)t.entries, d->depth, (unsigned long long)d->branch, (unsigned long long)d->leaf,
                   (unsigned long long)d->overflow, (unsigned long long)d->entries);
    return AM_OK;
}

/* Pages the file does not hold must be free: LMDB may leave unwritten pages it allocated and freed in one
 * transaction at the end of the file, never a page in use. */
static int beyond_check(walk *w)
{
    if (w->filepages > w->last_pg)
        return AM_OK;
    if (w->nbeyond)
        qsort(w->beyond, w->nbeyond, sizeof *w->beyond, u64_cmp);
    for (size_t i = 1; i < w->nbeyond; i++)
        if (w->beyond[i] == w->beyond[i - 1])
            return say(w->msg, w->size, AM_EFORMAT, "%s: table 'free', page %llu is free twice", w->file,
                       (unsigned long long)w->beyond[i]);
    if (w->nbeyond != w->last_pg + 1 - w->filepages)
        return say(w->msg, w->size, AM_ETRUNC,
                   "%s: %llu pages of %llu bytes, but the meta page says the database has %llu and not all the missing "
                   "ones are free: the file is truncated (or its meta page damaged)",
                   w->file, (unsigned long long)w->filepages, (unsigned long long)w->psize, (unsigned long long)w->last_pg + 1);
    return AM_OK;
}

/* The meta page (0 or 1) of txnid, parsed into m, its bytes into raw; -1: neither (it moved on). */
static int meta_of(int fd, uint64_t psize, uint64_t txnid, meta *m, unsigned char raw[PAGEHDR + METASZ])
{
    for (int i = 0; i < 2; i++)
        if (pread_all(fd, raw, PAGEHDR + METASZ, (off_t)(i * psize)) == AM_OK) {
            meta_parse(raw, m);
            if (m->txnid == txnid)
                return i;
        }
    return -1;
}

/* One snapshot: its meta page and every page reachable from it. *moved: the snapshot's meta page was
 * overwritten by later commits while it was read (the result then says nothing). */
static int snapshot_check(MDB_env *env, MDB_txn *txn, const char *file, char *msg, size_t size, int *moved)
{
    int fd;
    struct stat st;
    MDB_stat ms;
    *moved = 0;
    if (mdb_env_get_fd(env, &fd) || mdb_env_stat(env, &ms) || fstat(fd, &st))
        return say(msg, size, AM_EIO, "%s: cannot inspect the open file", file);
    walk w = {.psize = ms.ms_psize, .txnid = mdb_txn_id(txn), .file = file, .msg = msg, .size = size};
    meta m;
    unsigned char raw[PAGEHDR + METASZ], again[PAGEHDR + METASZ];
    int slot = meta_of(fd, w.psize, w.txnid, &m, raw);
    if (slot < 0) {
        *moved = 1;
        return say(msg, size, AM_EFORMAT, "%s: no meta page of transaction %llu", file, (unsigned long long)w.txnid);
    }
    w.last_pg = m.last_pg;
    w.filepages = (uint64_t)st.st_size / w.psize;
    w.npages = w.filepages < w.last_pg + 1 ? w.filepages : w.last_pg + 1;
    int rc = AM_OK;
    if (w.last_pg < 1 || w.last_pg >= (UINT64_MAX >> 17))
        rc = say(msg, size, AM_EFORMAT, "%s: meta page of transaction %llu: last page %llu", file, (unsigned long long)w.txnid,
                 (unsigned long long)w.last_pg);
    else if ((m.db[0].flags & DBFLAGS) != MDB_INTEGERKEY || (m.db[1].flags & DBFLAGS))
        rc = say(msg, size, AM_EFORMAT, "%s: meta page of transaction %llu: damaged table flags", file, (unsigned long long)w.txnid);
    else if (!(w.seen = calloc(w.npages / 8 + 1, 1)) || !(w.span = malloc(w.psize / 2 * sizeof *w.span)))
        rc = AM_ENOMEM;
    void *map = MAP_FAILED;
    if (!rc && (map = mmap(NULL, w.npages * w.psize, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED)
        rc = say(msg, size, AM_ERRNO(errno), "%s: %s", file, strerror(errno));
    if (!rc) {
        w.map = map;
        w.seen[0] |= 3; /* the meta pages */
        if (!(rc = tree_walk(&w, "free", FREE, &m.db[0], slot)) && !(rc = tree_walk(&w, "main", MAIN, &m.db[1], slot)))
            rc = beyond_check(&w);
    }
    if (map != MAP_FAILED)
        munmap(map, w.npages * w.psize);
    free(w.seen);
    free(w.span);
    free(w.beyond);
    /* a damage report is believed only if the meta page read is still the one of this snapshot */
    if (rc && rc != AM_ENOMEM && (pread_all(fd, again, sizeof again, (off_t)(slot * w.psize)) || memcmp(raw, again, sizeof raw)))
        *moved = 1;
    return rc;
}

int am__lmdb_check_tree(MDB_env *env, const char *file, char *msg, size_t size)
{
    for (int attempt = 0;; attempt++) {
        MDB_txn *txn;
        int e = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), moved = 0;
        if (e)
            return say(msg, size, e > 0 ? AM_ERRNO(e) : AM_EIO, "%s: %s", file, mdb_strerror(e));
        int rc = snapshot_check(env, txn, file, msg, size, &moved);
        mdb_txn_abort(txn);
        if (!moved || attempt == 20)
            return rc;
    }
}
