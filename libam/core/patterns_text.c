/* Pattern sets drawn as text: blocks of '#' and '.' rows (am_patterns_read_text, am/patterns.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "am/patterns.h"
#include "io.h"
#include "quote.h"

typedef struct {
    size_t w, h;        /* the first row's width, the first block's height (0: not yet known) */
    size_t rows, count; /* rows of the block being read; finished blocks */
    size_t line;        /* the line being read */
    int8_t *cells;      /* the rows read so far, +1/-1, row after row */
    size_t n, cap;
} text_reader;

/* The block being read is complete (at a blank line or the end of the file). */
static int end_block(text_reader *r, char *err, size_t errsize)
{
    if (!r->rows)
        return AM_OK;
    if (r->h && r->rows != r->h) {
        am__say(err, errsize, "line %zu: a pattern of %zu rows ends here, the first had %zu", r->line, r->rows, r->h);
        return AM_EFORMAT;
    }
    r->h = r->rows;
    r->rows = 0;
    r->count++;
    return AM_OK;
}

/* A row of len characters: checked, then appended to the cells. */
static int add_row(text_reader *r, const char *row, size_t len, char *err, size_t errsize)
{
    char q[AM__QUOTE_SIZE];
    for (size_t c = 0; c < len; c++)
        if (row[c] != '#' && row[c] != '.') {
            am__say(err, errsize, "line %zu: %s: column %zu is neither '#' (on) nor '.' (off)", r->line,
                    am__quote(q, sizeof q, row, len), c + 1);
            return AM_EFORMAT;
        }
    if (r->w && len != r->w) {
        am__say(err, errsize, "line %zu: %zu columns, the first row had %zu", r->line, len, r->w);
        return AM_EFORMAT;
    }
    if (++r->rows > AM_PATTERNS_TEXT_SIDE) {
        am__say(err, errsize, "line %zu: a pattern of more than %d rows", r->line, AM_PATTERNS_TEXT_SIDE);
        return AM_ERANGE;
    }
    if (r->n + len > AM_PATTERNS_TEXT_UNITS) {
        am__say(err, errsize, "line %zu: more than %d units in all", r->line, AM_PATTERNS_TEXT_UNITS);
        return AM_ERANGE;
    }
    if (r->n + len > r->cap) {
        size_t nc = r->cap ? 2 * r->cap : 4096;
        int8_t *c = realloc(r->cells, nc);
        if (!c) {
            am__say(err, errsize, "out of memory");
            return AM_ENOMEM;
        }
        r->cells = c, r->cap = nc;
    }
    r->w = len;
    for (size_t c = 0; c < len; c++)
        r->cells[r->n++] = row[c] == '#' ? 1 : -1;
    return AM_OK;
}

static int read_rows(FILE *f, text_reader *r, char *err, size_t errsize)
{
    char line[AM_PATTERNS_TEXT_SIDE + 2];
    size_t len;
    int got, rc = AM_OK;
    while (!rc && (got = am__read_line(f, line, sizeof line, &len)) >= 0) {
        r->line++;
        if (got > 0 || len > AM_PATTERNS_TEXT_SIDE) {
            am__say(err, errsize, "line %zu: more than %d columns", r->line, AM_PATTERNS_TEXT_SIDE);
            return AM_ERANGE;
        }
        rc = strspn(line, " \t") == len ? end_block(r, err, errsize) : add_row(r, line, len, err, errsize);
    }
    if (!rc && ferror(f)) {
        rc = am__errno_status();
        am__say(err, errsize, "%s", am_strerror(rc));
    }
    if (!rc)
        rc = end_block(r, err, errsize);
    if (!rc && !r->count) {
        am__say(err, errsize, "no pattern (rows of '#' and '.')");
        rc = AM_EEMPTY;
    }
    return rc;
}

int am_patterns_read_text(am_patterns **out, size_t *width, size_t *height, const char *path, char *err,
                          size_t errsize)
{
    if (err && errsize)
        err[0] = 0;
    if (!out || !width || !height || !path)
        return AM_EINVAL;
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        int rc = am__errno_status();
        am__say(err, errsize, "%s", am_strerror(rc));
        return rc;
    }
    text_reader r = {0};
    int rc = read_rows(f, &r, err, errsize);
    fclose(f);
    if (!rc && (rc = am_patterns_create(out, r.w * r.h, r.count)))
        am__say(err, errsize, "%s", am_strerror(rc));
    for (size_t k = 0; !rc && k < r.count; k++)
        am_patterns_set(*out, k, r.cells + k * r.w * r.h);
    free(r.cells);
    if (!rc)
        *width = r.w, *height = r.h;
    return rc;
}
