/* Internal: input text made safe to echo in a one-line message. Used by the library's readers (their err
 * messages) and, through harness/harness.h, by the programs: one rule everywhere. */
#ifndef AM_CORE_QUOTE_H
#define AM_CORE_QUOTE_H

#include <stddef.h>
#include <string.h>

/* Bytes a quoted piece of text takes at most, its terminating NUL included (AM__QUOTE). */
#define AM__QUOTE_SIZE 100

/* text (len bytes, NUL bytes included; may be NULL when len is 0) in double quotes, for a message:
 * printable ASCII (0x20 .. 0x7e) as it is, except '"' and '\' as \" and \\; every other byte -- control
 * bytes, DEL, and every byte >= 0x80, so that neither a terminal escape nor invalid UTF-8 gets through -- as
 * \xNN (two lower-case hex digits). Text that does not fit in buf (size bytes, caller-owned, size >= 8) is cut
 * at a whole escape and ends with an ellipsis: "abc…". Always NUL-terminated; returns buf. */
char *am__quote(char *buf, size_t size, const void *text, size_t len);

/* A NUL-terminated string s quoted into a buffer that lives until the end of the enclosing block:
 * am_run_error(run, "--model %s is not ...", AM__QUOTE(s)). */
#define AM__QUOTE(s) am__quote((char[AM__QUOTE_SIZE]){0}, AM__QUOTE_SIZE, (s), strlen(s))
/* The same for n bytes (NUL bytes among them shown as \x00). */
#define AM__QUOTE_N(s, n) am__quote((char[AM__QUOTE_SIZE]){0}, AM__QUOTE_SIZE, (s), (n))

#endif
