/* Reading signed graphs: a generic CSV edge list, c302's C. elegans connectome (edge list + owmeta JSON
 * neuron table), and node sign tables. Every problem is reported with its file line. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../core/hash.h"
#include "../core/io.h"
#include "../core/quote.h"
#include "am/error.h"
#include "internal.h"

#define say am__say
static FILE *open_text(const char *path, int *rc)
{
    FILE *f = fopen(path, "r");
    struct stat st;
    if (!f) {
        *rc = am__errno_status();
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        *rc = AM_ERRNO(EISDIR);
        return NULL;
    }
    return f;
}

/* ---- a growing table of names ---- */

typedef struct {
    char **name;
    size_t n, cap;
    uint32_t *slot; /* id + 1 */
    size_t slots;
} names;

static void names_free(names *t)
{
    for (size_t k = 0; t->name && k < t->n; k++)
        free(t->name[k]);
    free(t->name);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

static long names_find(const names *t, const char *s)
{
    if (!t->slots)
        return -1;
    for (size_t i = am__hash_str(s) & (t->slots - 1);; i = (i + 1) & (t->slots - 1)) {
        if (!t->slot[i])
            return -1;
        if (!strcmp(t->name[t->slot[i] - 1], s))
            return (long)t->slot[i] - 1;
    }
}

/* The id of s, added when new; -1 when out of memory or past 2^31 names. */
static long names_get(names *t, const char *s)
{
    long id = names_find(t, s);
    if (id >= 0)
        return id;
    if (t->n >= 0x7fffffff)
        return -1;
    if (2 * (t->n + 1) >= t->slots) {
        size_t ns = t->slots ? 2 * t->slots : 64;
        uint32_t *sl = calloc(ns, sizeof *sl);
        if (!sl)
            return -1;
        for (size_t k = 0; k < t->n; k++)
            for (size_t i = am__hash_str(t->name[k]) & (ns - 1);; i = (i + 1) & (ns - 1))
                if (!sl[i]) {
                    sl[i] = (uint32_t)k + 1;
                    break;
                }
        free(t->slot);
        t->slot = sl;
        t->slots = ns;
    }
    if (t->n == t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 64;
        char **nn = realloc(t->name, nc * sizeof *nn);
        if (!nn)
            return -1;
        t->name = nn;
        t->cap = nc;
    }
    if (!(t->name[t->n] = strdup(s)))
        return -1;
    for (size_t i = am__hash_str(s) & (t->slots - 1);; i = (i + 1) & (t->slots - 1))
        if (!t->slot[i]) {
            t->slot[i] = (uint32_t)t->n + 1;
            break;
        }
    return (long)t->n++;
}

/* ---- edges being read ---- */

typedef struct {
    uint32_t *src, *dst;
    float *w;
    int8_t *sign;
    size_t n, cap;
} edges;

static void edges_free(edges *e)
{
    free(e->src);
    free(e->dst);
    free(e->w);
    free(e->sign);
}

static int edges_add(edges *e, uint32_t s, uint32_t d, double w, int sign)
{
    if (e->n == e->cap) {
        size_t nc = e->cap ? 2 * e->cap : 1024;
        uint32_t *a = realloc(e->src, nc * sizeof *a);
        if (a)
            e->src = a;
        uint32_t *b = realloc(e->dst, nc * sizeof *b);
        if (b)
            e->dst = b;
        float *c = realloc(e->w, nc * sizeof *c);
        if (c)
            e->w = c;
        int8_t *x = realloc(e->sign, nc);
        if (x)
            e->sign = x;
        if (!a || !b || !c || !x)
            return AM_ENOMEM;
        e->cap = nc;
    }
    e->src[e->n] = s;
    e->dst[e->n] = d;
    e->w[e->n] = (float)w;
    e->sign[e->n] = (int8_t)sign;
    e->n++;
    return AM_OK;
}

/* ---- fields ---- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s[n - 1] = 0;
        s++;
    }
    return s;
}

/* Split a line at commas (not inside double quotes) into at most max trimmed fields; returns the count. */
static int split(char *line, char **f, int max)
{
    int k = 0, q = 0;
    char *p = line, *start = line;
    for (;; p++) {
        if (*p == '"')
            q = !q;
        if ((*p == ',' && !q) || !*p) {
            int end = !*p;
            *p = 0;
            if (k < max)
                f[k] = trim(start);
            k++;
            if (end)
                break;
            start = p + 1;
        }
    }
    return k;
}

/* Does a node name hold a control character (a tab or line break would break every table it is written to)? */
static int control_in(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* Is there a NUL byte among the n bytes getline read (where string functions would stop)? */
static int nul_in(const char *buf, ssize_t n)
{
    return n > 0 && memchr(buf, 0, (size_t)n) != NULL;
}

/* The length of the line getline read, without its line break. */
static size_t chomped(const char *buf, ssize_t n)
{
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    return (size_t)n;
}

static int blank(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return !*s || *s == '#';
}

/* + - 1 -1 E I exc inh excitatory inhibitory: AM_EXC or AM_INH, 0 when none. */
static int parse_sign(const char *s)
{
    static const char *const pos[] = {"+", "1", "+1", "e", "exc", "excitatory"};
    static const char *const neg[] = {"-", "-1", "i", "inh", "inhibitory"};
    for (size_t k = 0; k < sizeof pos / sizeof *pos; k++)
        if (!strcasecmp(s, pos[k]))
            return AM_EXC;
    for (size_t k = 0; k < sizeof neg / sizeof *neg; k++)
        if (!strcasecmp(s, neg[k]))
            return AM_INH;
    return 0;
}

/* A sign, or a transmitter's name (GABA inhibitory; any other word of letters, digits, '-' excitatory). */
static int parse_sign_or_transmitter(const char *s)
{
    int sg = parse_sign(s);
    if (sg)
        return sg;
    if (!strcasecmp(s, "gaba"))
        return AM_INH;
    if (!isalpha((unsigned char)s[0]))
        return 0;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return 0;
    return AM_EXC;
}

static int parse_weight(const char *s, double *w)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno == ERANGE || !isfinite(v) || !(v > 0))
        return -1;
    *w = v;
    return 0;
}

/* The sign table: each named node's sign into nsign (AM_EXC/AM_INH). */
static int read_signs(const char *path, const names *t, int8_t *nsign, char *err, size_t errsize)
{
    int rc = AM_OK;
    FILE *f = open_text(path, &rc);
    if (!f) {
        say(err, errsize, "%s: %s", path, am_strerror(rc));
        return rc;
    }
    char *buf = NULL, *fl[3];
    size_t bs = 0, line = 0;
    int first = 1;
    ssize_t got;
    while ((got = getline(&buf, &bs, f)) >= 0) {
        line++;
        if (nul_in(buf, got)) {
            say(err, errsize, "%s: line %zu: a NUL byte in %s", path, line, AM__QUOTE_N(buf, chomped(buf, got)));
            free(buf);
            fclose(f);
            return AM_EFORMAT;
        }
        if (blank(buf))
            continue;
        int nf = split(buf, fl, 3);
        if (first && nf >= 2 && (!strcasecmp(fl[0], "name") || !strcasecmp(fl[0], "neuron") || !strcasecmp(fl[0], "node"))) {
            first = 0;
            continue;
        }
        first = 0;
        if (nf != 2) {
            say(err, errsize, "%s: line %zu: %d field%s, expected name,sign", path, line, nf, nf == 1 ? "" : "s");
            rc = AM_EFORMAT;
            break;
        }
        int sg = parse_sign_or_transmitter(fl[1]);
        if (!sg) {
            say(err, errsize, "%s: line %zu: sign %s is not + - E I exc inh or a transmitter", path, line, AM__QUOTE(fl[1]));
            rc = AM_EFORMAT;
            break;
        }
        long id = names_find(t, fl[0]);
        if (id < 0) {
            say(err, errsize, "%s: line %zu: no neuron %s in the graph", path, line, AM__QUOTE(fl[0]));
            rc = AM_EINVAL;
            break;
        }
        nsign[id] = (int8_t)sg;
    }
    if (!rc && ferror(f)) {
        rc = AM_EIO;
        say(err, errsize, "%s: read error", path);
    }
    free(buf);
    fclose(f);
    return rc;
}

/* Edges take their source's sign from nsign where it is set. Builds the graph (taking the names over). */
static int finish(am_graph **g, names *t, int8_t *nsign, edges *e, int keep_node_sign)
{
    for (size_t k = 0; k < e->n; k++)
        if (nsign[e->src[k]])
            e->sign[k] = nsign[e->src[k]];
    char **nm = t->name;
    size_t n = t->n;
    t->name = NULL;
    t->n = 0;
    int rc = am__graph_build(g, n, nm, keep_node_sign ? nsign : NULL, e->n, e->src, e->dst, e->w, e->sign);
    return rc;
}

int am_graph_read_csv(am_graph **g, const char *path, const char *signs, char *err, size_t errsize)
{
    if (err && errsize)
        err[0] = 0;
    if (!g || !path)
        return AM_EINVAL;
    *g = NULL;
    int rc = AM_OK;
    FILE *f = open_text(path, &rc);
    if (!f) {
        say(err, errsize, "%s: %s", path, am_strerror(rc));
        return rc;
    }
    names t = {0};
    edges e = {0};
    int8_t *nsign = NULL;
    char *buf = NULL, *fl[16];
    size_t bs = 0, line = 0;
    int col[4] = {0, 1, 2, 3}, first = 1, need = 4;
    static const char *const cname[4] = {"source", "target", "weight", "sign"};
    ssize_t got;
    while (!rc && (got = getline(&buf, &bs, f)) >= 0) {
        line++;
        if (nul_in(buf, got)) {
            say(err, errsize, "%s: line %zu: a NUL byte in %s", path, line, AM__QUOTE_N(buf, chomped(buf, got)));
            rc = AM_EFORMAT;
            break;
        }
        if (blank(buf))
            continue;
        int nf = split(buf, fl, 16);
        if (first) {
            first = 0;
            if (!strcasecmp(fl[0], "source") || !strcasecmp(fl[0], "target") || !strcasecmp(fl[0], "weight") ||
                !strcasecmp(fl[0], "sign")) {
                need = 0;
                for (int c = 0; c < 4; c++) {
                    col[c] = -1;
                    for (int k = 0; k < nf && k < 16; k++)
                        if (!strcasecmp(fl[k], cname[c]))
                            col[c] = k;
                    if (col[c] < 0) {
                        say(err, errsize, "%s: line %zu: the header has no '%s' column (want source,target,weight,sign)",
                            path, line, cname[c]);
                        rc = AM_EFORMAT;
                        break;
                    }
                    if (col[c] + 1 > need)
                        need = col[c] + 1;
                }
                continue;
            }
        }
        if (nf < need) {
            say(err, errsize, "%s: line %zu: %d field%s, expected source,target,weight,sign", path, line, nf, nf == 1 ? "" : "s");
            rc = AM_EFORMAT;
            break;
        }
        const char *s = fl[col[0]], *d = fl[col[1]];
        double w;
        if (!*s || !*d) {
            say(err, errsize, "%s: line %zu: an empty %s name", path, line, *s ? "target" : "source");
            rc = AM_EFORMAT;
            break;
        }
        if (control_in(s) || control_in(d)) {
            say(err, errsize, "%s: line %zu: the %s name %s holds a control character", path, line,
                control_in(s) ? "source" : "target", AM__QUOTE(control_in(s) ? s : d));
            rc = AM_EFORMAT;
            break;
        }
        if (parse_weight(fl[col[2]], &w)) {
            say(err, errsize, "%s: line %zu: weight %s is not a finite number > 0", path, line, AM__QUOTE(fl[col[2]]));
            rc = AM_EFORMAT;
            break;
        }
        int sg = parse_sign(fl[col[3]]);
        if (!sg) {
            say(err, errsize, "%s: line %zu: sign %s is not one of + - 1 -1 E I exc inh", path, line, AM__QUOTE(fl[col[3]]));
            rc = AM_EFORMAT;
            break;
        }
        long a = names_get(&t, s), b = names_get(&t, d);
        if (a < 0 || b < 0 || edges_add(&e, (uint32_t)a, (uint32_t)b, w, sg)) {
            rc = AM_ENOMEM;
            say(err, errsize, "%s: out of memory at line %zu", path, line);
        }
    }
    if (!rc && ferror(f)) {
        rc = AM_EIO;
        say(err, errsize, "%s: read error", path);
    }
    free(buf);
    fclose(f);
    if (!rc && !(nsign = calloc(t.n ? t.n : 1, 1)))
        rc = AM_ENOMEM;
    if (!rc && signs)
        rc = read_signs(signs, &t, nsign, err, errsize);
    if (!rc) {
        rc = finish(g, &t, nsign, &e, 0);
        if (rc)
            say(err, errsize, "%s: %s", path, am_strerror(rc));
    }
    names_free(&t);
    edges_free(&e);
    free(nsign);
    return rc;
}

/* ---- a small JSON reader: just enough structure for c302's neuron table ---- */

typedef struct {
    const char *p, *end, *path, *start;
    char *err;
    size_t errsize;
    int depth;
} json;

static int json_fail(json *j, const char *what)
{
    size_t l = 1;
    for (const char *q = j->start; q < j->p && q < j->end; q++)
        l += *q == '\n';
    say(j->err, j->errsize, "%s: line %zu: %s", j->path, l, what);
    return AM_EFORMAT;
}

static void ws(json *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

/* A string into out (at most size-1 bytes kept, NUL-terminated; NULL: skipped). */
static int json_string(json *j, char *out, size_t size)
{
    ws(j);
    if (j->p >= j->end || *j->p != '"')
        return json_fail(j, "expected a string");
    j->p++;
    size_t n = 0;
    while (j->p < j->end && *j->p != '"') {
        char c = *j->p++;
        if ((unsigned char)c < 0x20)
            return json_fail(j, "a control character in a string");
        if (c == '\\') {
            if (j->p >= j->end)
                break;
            char x = *j->p++;
            switch (x) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case '"': case '\\': case '/': c = x; break;
            case 'u':
                for (int k = 0; k < 4; k++, j->p++)
                    if (j->p >= j->end || !isxdigit((unsigned char)*j->p))
                        return json_fail(j, "a bad \\u escape");
                c = '?';
                break;
            default:
                return json_fail(j, "a bad escape in a string");
            }
        }
        if (out && n + 1 < size)
            out[n++] = c;
    }
    if (j->p >= j->end)
        return json_fail(j, "a string runs to the end of the file");
    j->p++;
    if (out && size)
        out[n] = 0;
    return AM_OK;
}

static int json_skip(json *j);

/* Walk an array or object: calls item(j, key or NULL, index, ctx) for each member; item must consume it. */
static int json_walk(json *j, int (*item)(json *, const char *key, size_t idx, void *ctx), void *ctx)
{
    ws(j);
    if (j->p >= j->end || (*j->p != '{' && *j->p != '['))
        return json_fail(j, "expected an object or an array");
    if (++j->depth > 64)
        return json_fail(j, "nested too deeply");
    int obj = *j->p == '{';
    char close = obj ? '}' : ']';
    j->p++;
    ws(j);
    size_t idx = 0;
    char key[256];
    if (j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return AM_OK;
    }
    for (;;) {
        int rc;
        if (obj) {
            if ((rc = json_string(j, key, sizeof key)))
                return rc;
            ws(j);
            if (j->p >= j->end || *j->p != ':')
                return json_fail(j, "expected ':'");
            j->p++;
        }
        if ((rc = item ? item(j, obj ? key : NULL, idx, ctx) : json_skip(j)))
            return rc;
        idx++;
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == close) {
            j->p++;
            j->depth--;
            return AM_OK;
        }
        return json_fail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int json_skip(json *j)
{
    ws(j);
    if (j->p >= j->end)
        return json_fail(j, "unexpected end of file");
    char c = *j->p;
    if (c == '"')
        return json_string(j, NULL, 0);
    if (c == '{' || c == '[')
        return json_walk(j, NULL, NULL);
    const char *s = j->p;
    while (j->p < j->end && (isalnum((unsigned char)*j->p) || *j->p == '-' || *j->p == '+' || *j->p == '.'))
        j->p++;
    if (j->p == s)
        return json_fail(j, "unexpected character");
    return AM_OK;
}

typedef struct {
    names *t;
    int8_t **sign; /* grows with t */
    size_t cap;
    int gaba;      /* the current neuron's transmitters include GABA */
    names *muscles;
} c302_ctx;

static int transmitter(json *j, const char *key, size_t idx, void *vctx)
{
    (void)key;
    (void)idx;
    c302_ctx *c = vctx;
    char s[128];
    int rc = json_string(j, s, sizeof s);
    if (!rc && !strcasecmp(s, "gaba"))
        c->gaba = 1;
    return rc;
}

static int neuron_field(json *j, const char *key, size_t idx, void *vctx)
{
    (void)key;
    if (idx == 3)
        return json_walk(j, transmitter, vctx);
    return json_skip(j);
}

static int neuron(json *j, const char *key, size_t idx, void *vctx)
{
    (void)idx;
    c302_ctx *c = vctx;
    if (!key)
        return json_fail(j, "expected an object of neurons");
    if (!key[0])
        return json_fail(j, "an empty neuron name");
    if (control_in(key))
        return json_fail(j, "a neuron name holds a control character");
    if (names_find(c->t, key) >= 0)
        return json_fail(j, "a neuron listed twice");
    c->gaba = 0;
    int rc = json_walk(j, neuron_field, c);
    if (rc)
        return rc;
    long id = names_get(c->t, key);
    if (id < 0)
        return AM_ENOMEM;
    if ((size_t)id >= c->cap) {
        size_t nc = c->cap ? 2 * c->cap : 512;
        int8_t *s = realloc(*c->sign, nc);
        if (!s)
            return AM_ENOMEM;
        *c->sign = s;
        c->cap = nc;
    }
    (*c->sign)[id] = (int8_t)(c->gaba ? AM_INH : AM_EXC);
    return AM_OK;
}

static int muscle(json *j, const char *key, size_t idx, void *vctx)
{
    (void)idx;
    c302_ctx *c = vctx;
    if (!key)
        return json_fail(j, "expected an object of muscles");
    if (names_get(c->muscles, key) < 0)
        return AM_ENOMEM;
    return json_skip(j);
}

static int top(json *j, const char *key, size_t idx, void *vctx)
{
    (void)idx;
    if (!key)
        return json_fail(j, "expected an object at the top");
    if (!strcmp(key, "neuron_info"))
        return json_walk(j, neuron, vctx);
    if (!strcmp(key, "muscle_info"))
        return json_walk(j, muscle, vctx);
    return json_skip(j);
}

/* DD01 -> DD1: the edge list pads trailing numbers with zeros, the neuron table does not. */
static void unpad(char *s)
{
    size_t n = strlen(s), k = n;
    while (k && isdigit((unsigned char)s[k - 1]))
        k--;
    if (k == n || k == 0)
        return;
    size_t z = k;
    while (z + 1 < n && s[z] == '0')
        z++;
    memmove(s + k, s + z, n - z + 1);
}

int am_graph_read_c302(am_graph **g, const char *edges_path, const char *neurons_path, const char *signs, size_t stats[4],
                       char *err, size_t errsize)
{
    if (err && errsize)
        err[0] = 0;
    if (!g || !edges_path || !neurons_path)
        return AM_EINVAL;
    *g = NULL;
    size_t st[4] = {0, 0, 0, 0};
    int rc = AM_OK;
    names t = {0}, mus = {0};
    edges e = {0};
    int8_t *nsign = NULL;
    char *text = NULL;
    /* the neuron table */
    FILE *f = open_text(neurons_path, &rc);
    if (!f) {
        say(err, errsize, "%s: %s", neurons_path, am_strerror(rc));
        return rc;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) || sb.st_size > (1 << 28)) {
        fclose(f);
        say(err, errsize, "%s: not a neuron table (over 256 MB)", neurons_path);
        return AM_EFORMAT;
    }
    size_t len = (size_t)sb.st_size;
    text = malloc(len + 1);
    if (!text || fread(text, 1, len, f) != len) {
        rc = text ? AM_EIO : AM_ENOMEM;
        say(err, errsize, "%s: %s", neurons_path, text ? "read error" : "out of memory");
        fclose(f);
        free(text);
        return rc;
    }
    fclose(f);
    text[len] = 0;
    c302_ctx c = {&t, &nsign, 0, 0, &mus};
    json j = {text, text + len, neurons_path, text, err, errsize, 0};
    rc = json_walk(&j, top, &c);
    if (!rc) {
        ws(&j);
        if (j.p != j.end)
            rc = json_fail(&j, "text after the top-level object");
    }
    free(text);
    if (!rc && !t.n) {
        say(err, errsize, "%s: no \"neuron_info\" table of neurons", neurons_path);
        rc = AM_EFORMAT;
    }
    /* the edge list */
    FILE *fe = rc ? NULL : open_text(edges_path, &rc);
    if (!rc && !fe)
        rc = AM_EIO;
    if (fe) {
        char *buf = NULL, *fl[8];
        size_t bs = 0, line = 0;
        int header = 0;
        ssize_t got;
        while (!rc && (got = getline(&buf, &bs, fe)) >= 0) {
            line++;
            if (nul_in(buf, got)) {
                say(err, errsize, "%s: line %zu: a NUL byte in %s", edges_path, line, AM__QUOTE_N(buf, chomped(buf, got)));
                rc = AM_EFORMAT;
                break;
            }
            if (blank(buf))
                continue;
            int nf = split(buf, fl, 8);
            if (!header) {
                header = 1;
                if (nf < 4 || strcasecmp(fl[0], "source") || strcasecmp(fl[1], "target") || strcasecmp(fl[2], "weight") ||
                    strcasecmp(fl[3], "type")) {
                    say(err, errsize, "%s: line %zu: expected the header Source,Target,Weight,Type", edges_path, line);
                    rc = AM_EFORMAT;
                }
                continue;
            }
            if (nf != 4) {
                say(err, errsize, "%s: line %zu: %d field%s, expected Source,Target,Weight,Type", edges_path, line, nf, nf == 1 ? "" : "s");
                rc = AM_EFORMAT;
                break;
            }
            st[0]++;
            double w;
            if (parse_weight(fl[2], &w)) {
                say(err, errsize, "%s: line %zu: weight %s is not a finite number > 0", edges_path, line, AM__QUOTE(fl[2]));
                rc = AM_EFORMAT;
                break;
            }
            int chem = !strcasecmp(fl[3], "chemical");
            if (!chem && strcasecmp(fl[3], "electrical")) {
                say(err, errsize, "%s: line %zu: type %s is neither chemical nor electrical", edges_path, line, AM__QUOTE(fl[3]));
                rc = AM_EFORMAT;
                break;
            }
            long id[2];
            int other = 0;
            for (int k = 0; k < 2; k++) {
                int muscle_named = names_find(&mus, fl[k]) >= 0; /* muscle_info keeps the padding (MDL01) */
                unpad(fl[k]);
                id[k] = names_find(&t, fl[k]);
                if (id[k] >= 0)
                    continue;
                if (muscle_named || names_find(&mus, fl[k]) >= 0 || islower((unsigned char)fl[k][0])) {
                    other = 1;
                    continue;
                }
                say(err, errsize, "%s: line %zu: %s is neither a neuron nor a muscle of %s", edges_path, line,
                    AM__QUOTE(fl[k]), neurons_path);
                rc = AM_EINVAL;
                break;
            }
            if (rc)
                break;
            if (!chem)
                st[2]++;
            else if (other)
                st[3]++;
            else if (edges_add(&e, (uint32_t)id[0], (uint32_t)id[1], w, nsign[id[0]])) {
                rc = AM_ENOMEM;
                say(err, errsize, "%s: out of memory at line %zu", edges_path, line);
            }
        }
        if (!rc && ferror(fe)) {
            rc = AM_EIO;
            say(err, errsize, "%s: read error", edges_path);
        }
        if (!rc && !header) {
            say(err, errsize, "%s: empty: expected the header Source,Target,Weight,Type", edges_path);
            rc = AM_EFORMAT;
        }
        free(buf);
        fclose(fe);
    } else if (rc && (!err || !err[0]))
        say(err, errsize, "%s: %s", edges_path, am_strerror(rc));
    if (!rc && signs)
        rc = read_signs(signs, &t, nsign, err, errsize);
    if (!rc) {
        size_t kept = e.n;
        rc = finish(g, &t, nsign, &e, 1);
        if (rc)
            say(err, errsize, "%s: %s", edges_path, am_strerror(rc));
        st[1] = kept;
    }
    if (!rc && stats)
        memcpy(stats, st, sizeof st);
    names_free(&t);
    names_free(&mus);
    edges_free(&e);
    free(nsign);
    return rc;
}
