/* Label names for numeric labels, one per line (am_labels_read, am/concept.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "../core/quote.h"
#include "am/concept.h"
#include "am/error.h"
#include "internal.h"

void am_labels_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* Line `line` (len bytes in buf) as a label, or the reason it is not one in err. */
static int check_label(const char *buf, size_t len, int longer, size_t line, char *err, size_t errsize)
{
    char q[AM__QUOTE_SIZE];
    if (longer || len > AM_CONCEPT_LABEL_MAX) {
        am__say(err, errsize, "line %zu: %s: longer than %d bytes", line, am__quote(q, sizeof q, buf, len),
                AM_CONCEPT_LABEL_MAX);
        return AM_EFORMAT;
    }
    if (len == 0) {
        am__say(err, errsize, "line %zu: empty (the name of label k is line k + 1)", line);
        return AM_EFORMAT;
    }
    if (strlen(buf) != len || !am__label_ok(buf)) {
        am__say(err, errsize, "line %zu: %s: a control character", line, am__quote(q, sizeof q, buf, len));
        return AM_EFORMAT;
    }
    return AM_OK;
}

static int push(char ***names, size_t *n, size_t *cap, const char *s)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        char **nn = realloc(*names, nc * sizeof *nn);
        if (!nn)
            return AM_ENOMEM;
        *names = nn, *cap = nc;
    }
    if (!((*names)[*n] = strdup(s)))
        return AM_ENOMEM;
    (*n)++;
    return AM_OK;
}

typedef struct {
    const char *s;
    size_t line;
} named_line;

static int by_name(const void *a, const void *b)
{
    const named_line *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : x->line < y->line ? -1 : x->line > y->line;
}

/* Two lines naming the same label would merge two labels into one concept: refused, with both lines. */
static int check_unique(char **names, size_t n, char *err, size_t errsize)
{
    named_line *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        am__say(err, errsize, "%s", am_strerror(AM_ENOMEM));
        return AM_ENOMEM;
    }
    for (size_t k = 0; k < n; k++)
        v[k] = (named_line){names[k], k + 1};
    qsort(v, n, sizeof *v, by_name);
    size_t first = 0, second = 0;
    for (size_t k = 1; k < n; k++)
        if (!strcmp(v[k - 1].s, v[k].s) && (!second || v[k].line < second))
            first = v[k - 1].line, second = v[k].line;
    int rc = AM_OK;
    if (second) {
        am__say(err, errsize, "line %zu: %s is already the name on line %zu (each label needs a name of its own)",
                second, AM__QUOTE(names[second - 1]), first);
        rc = AM_EFORMAT;
    }
    free(v);
    return rc;
}

static int read_labels(FILE *f, size_t max, char ***names, size_t *n, char *err, size_t errsize)
{
    char buf[AM_CONCEPT_LABEL_MAX + 2];
    size_t len, cap = 0;
    int got, rc;
    while ((got = am__read_line(f, buf, sizeof buf, &len)) >= 0) {
        if ((rc = check_label(buf, len, got, *n + 1, err, errsize)))
            return rc;
        if (*n == max) {
            am__say(err, errsize, "line %zu: more than %zu names", *n + 1, max);
            return AM_ERANGE;
        }
        if ((rc = push(names, n, &cap, buf))) {
            am__say(err, errsize, "%s", am_strerror(rc));
            return rc;
        }
    }
    if (ferror(f)) {
        rc = am__errno_status();
        am__say(err, errsize, "%s", am_strerror(rc));
        return rc;
    }
    if (*n == 0) {
        am__say(err, errsize, "no names");
        return AM_EEMPTY;
    }
    return check_unique(*names, *n, err, errsize);
}

int am_labels_read(const char *path, size_t max, char ***names, size_t *n, char *err, size_t errsize)
{
    if (err && errsize)
        err[0] = 0;
    if (!path || !names || !n)
        return AM_EINVAL;
    *names = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        int rc = am__errno_status();
        am__say(err, errsize, "%s", am_strerror(rc));
        return rc;
    }
    int rc = read_labels(f, max, names, n, err, errsize);
    fclose(f);
    if (rc) {
        am_labels_free(*names, *n);
        *names = NULL;
        *n = 0;
    }
    return rc;
}
