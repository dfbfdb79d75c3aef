/* Internal: a structural check of an LMDB data file, so that a damaged file is an error instead of a crash.
 * LMDB maps data.mdb and follows the page numbers and node offsets it finds there without checking them: a
 * truncated file is SIGBUS at the first page beyond its end, an overwritten page a wild read. */
#ifndef AM_LMDBCHECK_H
#define AM_LMDBCHECK_H

#include <lmdb.h>
#include <stddef.h>

/* Before mdb_env_open: the data file `file` holds its two meta pages, and both carry LMDB's page flag,
 * magic number, data format version 1 and one valid page size (LMDB divides by it). AM_OK, or
 * AM_ETRUNC / AM_EFORMAT with a message naming the file in msg (size bytes); an unreadable file keeps
 * its errno. */
int am__lmdb_check_header(const char *file, char *msg, size_t size);

/* After mdb_env_open, before any table is read: the last committed snapshot of env (read in a read-only
 * transaction of its own, so a writer in another process may go on meanwhile), page by page. Its meta
 * page; every page reachable from the free list's and the main table's roots and from every named table
 * the main table records (page number within the file and the meta page's last page, page header, nodes
 * tiling the page without overlap or gap, keys in order within their parent's bounds, leaves at one depth,
 * overflow runs, no page reached twice, the counts each table's record states); the free list (sorted
 * page numbers of the database, none in use); pages past the end of the file all free. AM_OK, or
 * AM_ETRUNC (a page in use lies past the end of the file) / AM_EFORMAT with a message naming the file. */
int am__lmdb_check_tree(MDB_env *env, const char *file, char *msg, size_t size);

#endif
