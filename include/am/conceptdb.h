/* libam — the concept store: a concept memory (am/concept.h) kept in an LMDB database (an embedded,
 * transactional key-value store; Debian's liblmdb-dev).
 *
 * A database is a directory holding LMDB's data.mdb and lock.mdb, with four named tables:
 *   meta       "libam-concepts" magic and layout version; the modalities (name, dimension, radius), the
 *              memory's configuration, the next concept id; the table of encoder descriptions
 *   concepts   key: concept id (8 bytes, big-endian, so keys sort in creation order) -> label, parent id,
 *              children ids, observations, per modality the exemplar count and the prototype
 *   labels     key: label -> concept id
 *   exemplars  key: concept id, modality, sequence number -> the encoder the latent came from (an index into
 *              the encoder table) and the latent
 * The magic, layout and concept records carry the layout version; every record is checked when read (its
 * checksum, sizes against the record, finite values, references that exist); a foreign LMDB database or
 * another program's file is AM_EFORMAT, a newer layout AM_EVERSION.
 *
 * Damage (README, "The concept database"): LMDB maps data.mdb and follows what it finds there unchecked,
 * so am_conceptdb_open checks the file first: both meta pages, then every page of the last committed
 * snapshot reachable from them (page numbers within the file, page headers, nodes tiling each page, key
 * order, overflow runs, the free list, the counts each table records). A page in use past the end of the
 * file is AM_ETRUNC, any other damage AM_EFORMAT, each with a message naming the file, the table and the
 * page; LMDB then never reads an unchecked page of that snapshot. From layout 2 on, every record ends with
 * a CRC-32 of its key and value, checked whenever the record is read (AM_ECHECKSUM). A layout-1 database
 * (written by an earlier libam) is read without record checksums and upgraded to layout 2, in one
 * transaction, the first time it is opened for writing.
 *
 * Learning writes in transactions: am_conceptdb_sync writes everything that changed in the memory since the
 * last sync (new and changed nodes, new exemplars, forgotten nodes) in one transaction and commits it. A
 * commit is atomic and durable: a process killed at any moment leaves the database as of its last commit.
 * Readers (am_conceptdb_load, in this or another process) see the snapshot of the last commit before they
 * started, whatever a writer does meanwhile. One writer at a time (LMDB's lock). */
#ifndef AM_CONCEPTDB_H
#define AM_CONCEPTDB_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "am/concept.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AM_CONCEPTDB_VERSION 2u

typedef struct am_conceptdb am_conceptdb;

enum {
    AM_CONCEPTDB_CREATE = 1,   /* create the directory and an empty database if there is none */
    AM_CONCEPTDB_READONLY = 2  /* open for reading only */
};

/* Open the database in directory `path`. map_bytes: the largest size the database may grow to (0: 64 GiB;
 * address space, not disk). A path that is not a libam concept database is AM_EFORMAT; a missing one
 * without AM_CONCEPTDB_CREATE keeps its errno (ENOENT); a damaged one is AM_ETRUNC, AM_EFORMAT or
 * AM_ECHECKSUM (see above). err: NULL, or errsize bytes that receive, on failure, one line naming the file
 * and what is wrong (e.g. "db/data.mdb: table 'exemplars' uses page 40, but the file holds 24 pages of
 * 4096 bytes: the file is truncated"). The check reads every page in use once (about 0.1 s for 60,000
 * concepts from a warm page cache; see README). */
int am_conceptdb_open(am_conceptdb **out, const char *path, int flags, size_t map_bytes, char *err, size_t errsize);
void am_conceptdb_close(am_conceptdb *db);

/* 1 when the database holds a layout (am_conceptdb_init was committed), else 0. */
int am_conceptdb_has_layout(am_conceptdb *db);
/* Write the layout of cm (modalities and configuration) into an empty database and commit; AM_EINVAL when
 * the database already has a layout. */
int am_conceptdb_init(am_conceptdb *db, const am_concepts *cm);
/* Read a snapshot into a new memory. cfg: the memory's configuration (NULL: the stored one; the modalities
 * are always the stored ones). */
int am_conceptdb_load(am_conceptdb *db, am_concepts **out, const am_concepts_config *cfg);
/* Write what changed in cm since it was loaded or last synced, in one transaction, and commit. cm must have
 * the database's modalities (AM_ESIZE otherwise). */
int am_conceptdb_sync(am_conceptdb *db, am_concepts *cm);

typedef struct am_conceptdb_stats {
    size_t concepts, labelled, roots;
    size_t exemplars[AM_CONCEPT_MAX_MODALITIES];
    size_t bytes;          /* pages in use x page size */
    size_t map_bytes;
    uint64_t next_id;
} am_conceptdb_stats;
/* Counts from one read snapshot (no memory is built). */
int am_conceptdb_stats_get(am_conceptdb *db, am_conceptdb_stats *st);

/* The encoder description of exemplar i of concept `id` in modality m, into buf (size bytes). */
int am_conceptdb_exemplar_encoder(am_conceptdb *db, uint64_t id, size_t m, size_t i, char *buf, size_t size);

/* Every exemplar of cm (a memory loaded from db) as the TSV `concepts export` writes, into out (written, not
 * closed): the header row "id label modality seq encoder z1 .. z<largest dim>", then one row per exemplar, by
 * concept (memory order), modality (layout order), sequence; an empty label as "-", tabs in an encoder's name as
 * spaces, latents as %.7g with empty cells beyond the modality's dimension. Polls am_cancel_poll. *rows (may be
 * NULL): the exemplar rows written. AM_EIO on a write error. */
int am_conceptdb_export(am_conceptdb *db, const am_concepts *cm, FILE *out, size_t *rows);
/* The same to the file path, atomically (a temporary file beside it renamed on success; a new file gets
 * 0666 & ~umask, an existing one keeps its mode), after `header` (text written verbatim first; may be NULL). */
int am_conceptdb_export_file(am_conceptdb *db, const am_concepts *cm, const char *path, const char *header,
                             size_t *rows);

/* The last LMDB or validation message for this handle ("" when none), naming the data file, e.g.
 * "db/data.mdb: concept 12: exemplar 3 of 'word': checksum mismatch (the record is damaged)" or LMDB's own
 * text. */
const char *am_conceptdb_message(const am_conceptdb *db);

#ifdef __cplusplus
}
#endif
#endif
