/* The word modality: spelling encoder, lexicon clean-up, WordNet (see am/words.h). */
#include "am/words.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fft.h"
#include "../core/io.h"
#include "../core/quote.h"
#include "am/cancel.h"
#include "am/error.h"
#include "internal.h"
#include "am/rng.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- spelling encoder ---- */

#define NSYM 40 /* a-z 0-9 space - ' # */

static int sym(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        c = (unsigned char)(c - 'A' + 'a');
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '0' && c <= '9')
        return 26 + (c - '0');
    return c == ' ' ? 36 : c == '-' ? 37 : c == '\'' ? 38 : c == '#' ? 39 : -1;
}

struct am_word_encoder {
    size_t d, h;
    fftwf_complex *spec; /* 3 x NSYM x h: F(P^k v_sym) for k = 0, 1, 2 */
    am__rfft plan;
};

int am_word_valid(const char *w)
{
    if (!w)
        return 0;
    size_t n = strlen(w);
    int alnum = 0;
    if (n < 1 || n > AM_WORD_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int s = sym((unsigned char)w[i]);
        if (s < 0 || s == 39)
            return 0;
        alnum |= s < 36;
    }
    return alnum;
}

int am_word_encoder_create(am_word_encoder **out, size_t dim, uint64_t seed)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (dim < 16 || dim > ((size_t)1 << 20))
        return AM_EINVAL;
    am_word_encoder *e = calloc(1, sizeof *e);
    if (!e)
        return AM_ENOMEM;
    e->d = dim;
    e->h = dim / 2 + 1;
    int rc = am__rfft_init(&e->plan, dim, 1, AM_FFT_ESTIMATE);
    float *x = am__fft_alloc(dim * sizeof *x);
    fftwf_complex *X = am__fft_alloc(e->h * sizeof *X);
    e->spec = am__fft_alloc(3 * NSYM * e->h * sizeof *e->spec);
    if (rc || !x || !X || !e->spec) {
        am__fft_free(x);
        am__fft_free(X);
        am_word_encoder_free(e);
        return rc ? rc : AM_ENOMEM;
    }
    /* A random permutation P of the components marks the second and third letter of a trigram (P and P^2).
     * A cyclic shift would not do: shifts commute with convolution, so a (*) S(b) (*) S^2(c) = S^3(a (*) b (*) c)
     * forgets the order. */
    uint32_t *perm = malloc(dim * sizeof *perm);
    float *v = malloc(dim * sizeof *v), *t = malloc(dim * sizeof *t);
    if (!perm || !v || !t) {
        free(perm), free(v), free(t);
        am__fft_free(x);
        am__fft_free(X);
        am_word_encoder_free(e);
        return AM_ENOMEM;
    }
    am_rng prng;
    am_rng_init(&prng, seed, 0x7065726du); /* "perm" */
    for (size_t i = 0; i < dim; i++)
        perm[i] = (uint32_t)i;
    am_rng_shuffle_u32(&prng, perm, dim);
    double sd = 1.0 / sqrt((double)dim);
    for (int s = 0; s < NSYM; s++) {
        am_rng rng;
        am_rng_init(&rng, seed, 0x776f7264u + (uint64_t)s); /* "word" */
        for (size_t i = 0; i < dim; i++)
            v[i] = (float)(sd * am_rng_normal(&rng));
        for (int k = 0; k < 3; k++) {
            if (k > 0) { /* v = P(v) */
                for (size_t i = 0; i < dim; i++)
                    t[i] = v[perm[i]];
                memcpy(v, t, dim * sizeof *v);
            }
            memcpy(x, v, dim * sizeof *x);
            am__rfft_forward(&e->plan, x, X); /* new-array execution needs the planning arrays' alignment */
            memcpy(e->spec + ((size_t)k * NSYM + (size_t)s) * e->h, X, e->h * sizeof *X);
        }
    }
    free(perm), free(v), free(t);
    am__fft_free(x);
    am__fft_free(X);
    *out = e;
    return AM_OK;
}

void am_word_encoder_free(am_word_encoder *e)
{
    if (!e)
        return;
    am__rfft_destroy(&e->plan);
    am__fft_free(e->spec);
    free(e);
}

size_t am_word_encoder_dim(const am_word_encoder *e) { return e->d; }

/* One word's code into out, with scratch acc (h complex) and x (d floats) from am__fft_alloc. */
static void encode_one(const am_word_encoder *e, const char *word, fftwf_complex *acc, float *x, float *out)
{
    size_t n = strlen(word), H = e->h;
    int s[AM_WORD_MAX + 2];
    s[0] = s[n + 1] = 39;
    for (size_t i = 0; i < n; i++)
        s[i + 1] = sym((unsigned char)word[i]);
    memset(acc, 0, H * sizeof *acc);
    /* The sum of the n trigrams' spectra F(a) F(P b) F(P^2 c), transformed back once. */
    for (size_t t = 0; t < n; t++) {
        const fftwf_complex *A = e->spec + (size_t)s[t] * H, *B = e->spec + ((size_t)NSYM + (size_t)s[t + 1]) * H,
                            *C = e->spec + ((size_t)2 * NSYM + (size_t)s[t + 2]) * H;
        for (size_t f = 0; f < H; f++) {
            float pr = A[f][0] * B[f][0] - A[f][1] * B[f][1], pi = A[f][0] * B[f][1] + A[f][1] * B[f][0];
            acc[f][0] += pr * C[f][0] - pi * C[f][1];
            acc[f][1] += pr * C[f][1] + pi * C[f][0];
        }
    }
    am__rfft_inverse(&e->plan, acc, x);
    double ss = 0.0;
    for (size_t i = 0; i < e->d; i++)
        ss += (double)x[i] * x[i];
    double inv = ss > 0.0 ? 1.0 / sqrt(ss) : 0.0;
    for (size_t i = 0; i < e->d; i++)
        out[i] = (float)(x[i] * inv);
}

int am_word_encode_many(const am_word_encoder *e, const char *const *words, size_t n, float *out)
{
    if (!e || (n && (!words || !out)))
        return AM_EINVAL;
    for (size_t k = 0; k < n; k++)
        if (!am_word_valid(words[k]))
            return AM_EINVAL;
    fftwf_complex *acc = am__fft_alloc(e->h * sizeof *acc);
    float *x = am__fft_alloc(e->d * sizeof *x);
    if (!acc || !x) {
        am__fft_free(acc);
        am__fft_free(x);
        return AM_ENOMEM;
    }
    int rc = AM_OK;
    for (size_t k = 0; k < n; k++) {
        if (k % 64 == 0 && (rc = am_cancel_poll()))
            break;
        encode_one(e, words[k], acc, x, out + k * e->d);
    }
    am__fft_free(acc);
    am__fft_free(x);
    return rc;
}

int am_word_encode(const am_word_encoder *e, const char *word, float *out)
{
    return am_word_encode_many(e, &word, 1, out);
}

int am_word_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

/* ---- WordNet ---- */

struct am_wordnet {
    FILE *index, *data;
    long index_size, data_size;
    char *index_path, *data_path;
    char msg[1024]; /* the last failure: file, line, why */
};

#define LINE_MAX_BYTES 65536 /* longer lines are not WordNet's */

void am_wordnet_close(am_wordnet *w)
{
    if (!w)
        return;
    if (w->index)
        fclose(w->index);
    if (w->data)
        fclose(w->data);
    free(w->index_path);
    free(w->data_path);
    free(w);
}

const char *am_wordnet_message(const am_wordnet *w)
{
    return w ? w->msg : "";
}

#define say_wn(w, ...) snprintf((w)->msg, sizeof (w)->msg, __VA_ARGS__)

static long stream_size(FILE *f)
{
    long n;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
        return -1;
    return n;
}

int am__wordnet_from_streams(am_wordnet **out, FILE *index, const char *index_path, FILE *data, const char *data_path,
                             char *err, size_t errsize)
{
    am_wordnet *w = calloc(1, sizeof *w);
    if (w) {
        w->index = index, w->data = data;
        w->index_path = strdup(index_path), w->data_path = strdup(data_path);
    }
    if (!w || !w->index_path || !w->data_path) {
        if (!w) {
            fclose(index);
            fclose(data);
        }
        am_wordnet_close(w);
        am__say(err, errsize, "out of memory");
        return AM_ENOMEM;
    }
    int rc = AM_OK;
    if ((w->index_size = stream_size(index)) < 0)
        am__say(err, errsize, "%s: %s", index_path, am_strerror(rc = am__errno_status()));
    else if ((w->data_size = stream_size(data)) < 0)
        am__say(err, errsize, "%s: %s", data_path, am_strerror(rc = am__errno_status()));
    if (rc) {
        am_wordnet_close(w);
        return rc;
    }
    *out = w;
    return AM_OK;
}

int am_wordnet_open(am_wordnet **out, const char *dir, char *err, size_t errsize)
{
    if (err && errsize)
        err[0] = 0;
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!dir)
        dir = getenv("AM_WORDNET_DIR");
    if (!dir || !*dir)
        dir = "/usr/share/wordnet";
    char ip[4096], dp[4096];
    if (snprintf(ip, sizeof ip, "%s/index.noun", dir) >= (int)sizeof ip ||
        snprintf(dp, sizeof dp, "%s/data.noun", dir) >= (int)sizeof dp) {
        am__say(err, errsize, "WordNet directory name too long");
        return AM_ERRNO(ENAMETOOLONG);
    }
    FILE *fi = fopen(ip, "r"), *fd = NULL;
    const char *bad = fi ? (fd = fopen(dp, "r")) ? NULL : dp : ip;
    if (bad) {
        int rc = am__errno_status();
        am__say(err, errsize, "%s: %s", bad, am_strerror(rc));
        if (fi)
            fclose(fi);
        return rc;
    }
    return am__wordnet_from_streams(out, fi, ip, fd, dp, err, errsize);
}

/* The number (from 1) of the line of f holding byte pos; 0 when it cannot be read. For messages only. */
static size_t line_at(FILE *f, long pos)
{
    if (fseek(f, 0, SEEK_SET) != 0)
        return 0;
    size_t line = 1;
    int ch;
    for (long i = 0; i < pos && (ch = fgetc(f)) != EOF; i++)
        line += ch == '\n';
    return line;
}

/* The line starting at or after byte pos (after the next newline unless pos is 0) into buf (size bytes); its
 * start in *start. 0 at the end of the file, -1 for a line longer than buf. */
static int line_from(FILE *f, long pos, char *buf, size_t size, long *start)
{
    if (fseek(f, pos, SEEK_SET) != 0)
        return 0;
    if (pos > 0) {
        int ch;
        while ((ch = fgetc(f)) != EOF && ch != '\n')
            ;
        if (ch == EOF)
            return 0;
    }
    *start = ftell(f);
    if (!fgets(buf, (int)size, f))
        return 0;
    return strchr(buf, '\n') || feof(f) ? 1 : -1;
}

/* Compare the lemma (first field) of an index line with key. License lines start with a space: before
 * every lemma. */
static int cmp_lemma(const char *line, const char *key)
{
    if (line[0] == ' ')
        return -1;
    size_t n = strcspn(line, " \n");
    size_t k = strlen(key);
    int c = memcmp(line, key, n < k ? n : k);
    return c ? c : (n > k) - (n < k);
}

/* Sense `sense` of the index line (its lemma already matched) into *offset: AM_OK, AM_ERANGE (fewer senses),
 * or AM_EFORMAT with the reason in w->msg. */
static int index_entry(am_wordnet *w, char *line, long start, const char *key, int sense, uint32_t *offset)
{
    /* lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt offsets... */
    char *save = NULL, *tok = strtok_r(line, " \n", &save), *end = NULL;
    char *pos = strtok_r(NULL, " \n", &save), *cnt = strtok_r(NULL, " \n", &save), *pc = strtok_r(NULL, " \n", &save);
    const char *why = NULL, *what = NULL;
    long senses = 0, ptrs = 0, i;
    if (!pos || !cnt || !pc)
        why = "fewer than 4 fields (lemma pos synset_cnt p_cnt)";
    if (!why && ((senses = strtol(cnt, &end, 10)) < 1 || senses > 9999 || *end))
        why = "synset_cnt is not a number in 1 .. 9999", what = cnt;
    if (!why && ((ptrs = strtol(pc, &end, 10)) < 0 || ptrs > 100 || *end))
        why = "p_cnt is not a number in 0 .. 100", what = pc;
    for (i = 0; !why && i < ptrs + 2; i++)
        if (!strtok_r(NULL, " \n", &save))
            why = "fewer pointer symbols and counts than p_cnt says";
    if (!why && sense > senses) {
        say_wn(w, "%s line %zu: %s has %ld noun senses, not %d", w->index_path, line_at(w->index, start),
               AM__QUOTE(key), senses, sense);
        return AM_ERANGE;
    }
    for (i = 1; !why && (tok = strtok_r(NULL, " \n", &save)) && i < sense; i++)
        ;
    if (!why && !tok)
        why = "fewer synset offsets than synset_cnt says";
    else if (!why) {
        unsigned long v = strtoul(tok, &end, 10);
        if (*end || end - tok != 8)
            why = "a synset offset is not 8 digits", what = tok;
        else
            *offset = (uint32_t)v;
    }
    if (!why)
        return AM_OK;
    say_wn(w, "%s line %zu: the entry of %s: %s%s%s", w->index_path, line_at(w->index, start), AM__QUOTE(key), why,
           what ? ": " : "", what ? AM__QUOTE(what) : "");
    return AM_EFORMAT;
}

int am_wordnet_noun(am_wordnet *w, const char *lemma, int sense, uint32_t *offset)
{
    if (!w || !lemma || !offset || sense < 1)
        return AM_EINVAL;
    w->msg[0] = 0;
    char key[256], line[LINE_MAX_BYTES];
    size_t n = strlen(lemma);
    if (n == 0 || n >= sizeof key) {
        say_wn(w, "a lemma of %zu characters (1 .. %zu)", n, sizeof key - 1);
        return AM_EINVAL;
    }
    for (size_t i = 0; i <= n; i++)
        key[i] = lemma[i] == ' ' ? '_' : (char)tolower((unsigned char)lemma[i]);
    /* Binary search for the first line whose lemma >= key (index.noun is sorted by lemma). */
    long lo = 0, hi = w->index_size, st;
    while (hi - lo > 1) {
        long mid = lo + (hi - lo) / 2;
        if (line_from(w->index, mid, line, sizeof line, &st) != 1 || cmp_lemma(line, key) >= 0)
            hi = mid;
        else
            lo = mid;
    }
    int got;
    for (long pos = lo, k = 0; k < 3 && (got = line_from(w->index, pos, line, sizeof line, &st)); k++, pos = st + 1) {
        if (got < 0) {
            say_wn(w, "%s line %zu: longer than %d bytes", w->index_path, line_at(w->index, st), LINE_MAX_BYTES - 1);
            return AM_EFORMAT;
        }
        int c = cmp_lemma(line, key);
        if (c > 0)
            break;
        if (c == 0)
            return index_entry(w, line, st, key, sense, offset);
    }
    if (ferror(w->index)) {
        say_wn(w, "%s: read error", w->index_path);
        return am__errno_status();
    }
    say_wn(w, "%s: no noun %s", w->index_path, AM__QUOTE(key));
    return AM_ERANGE;
}

void am_synset_clear(am_synset *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->words && i < s->nwords; i++)
        free(s->words[i]);
    free(s->words);
    free(s->hypernyms);
    free(s->gloss);
    memset(s, 0, sizeof *s);
}

/* Next space-separated field of line[*p .. len): its start and length; 0 at the end. */
static int field(const char *line, size_t len, size_t *p, const char **f, size_t *n)
{
    while (*p < len && line[*p] == ' ')
        (*p)++;
    if (*p >= len || line[*p] == '\n')
        return 0;
    *f = line + *p;
    while (*p < len && line[*p] != ' ' && line[*p] != '\n')
        (*p)++;
    *n = (size_t)(line + *p - *f);
    return 1;
}

static int number(const char *f, size_t n, int base, size_t maxdig, unsigned long *v)
{
    if (n == 0 || n > maxdig)
        return 0;
    unsigned long r = 0;
    for (size_t i = 0; i < n; i++) {
        int d = isdigit((unsigned char)f[i]) ? f[i] - '0' : (base == 16 && isxdigit((unsigned char)f[i])) ? tolower((unsigned char)f[i]) - 'a' + 10 : -1;
        if (d < 0 || d >= base)
            return 0;
        r = r * (unsigned long)base + (unsigned long)d;
    }
    *v = r;
    return 1;
}

/* Why a data line was refused: the field (NULL at the end of the line) and what it should have been. */
typedef struct {
    const char *field, *want;
    size_t len;
} refusal;

/* The next field as a number (base, at most maxdig digits); else 0 with the refusal filled in. */
static int number_field(const char *line, size_t len, size_t *p, int base, size_t maxdig, unsigned long *v,
                        const char *want, refusal *why)
{
    const char *f = NULL;
    size_t n = 0;
    if (field(line, len, p, &f, &n) && number(f, n, base, maxdig, v))
        return 1;
    why->field = f, why->len = n, why->want = want;
    return 0;
}

/* One word and its lex_id into out->words. */
static int parse_word(const char *line, size_t len, size_t *p, am_synset *out, refusal *why)
{
    const char *f = NULL;
    size_t n = 0;
    unsigned long v;
    if (!field(line, len, p, &f, &n) || n > 256) {
        why->field = f, why->len = n, why->want = "a word of 1 .. 256 characters";
        return AM_EFORMAT;
    }
    char *wd = malloc(n + 1);
    if (!wd)
        return AM_ENOMEM;
    for (size_t j = 0; j < n; j++)
        wd[j] = f[j] == '_' ? ' ' : f[j];
    wd[n] = 0;
    /* Adjective markers such as "(a)" never occur in nouns; strip one if present. */
    char *par = strchr(wd, '(');
    if (par && par != wd)
        *par = 0;
    out->words[out->nwords++] = wd;
    return number_field(line, len, p, 16, 1, &v, "lex_id, one hex digit", why) ? AM_OK : AM_EFORMAT;
}

/* One pointer (symbol offset pos source/target), a hypernym kept in out->hypernyms. */
static int parse_pointer(const char *line, size_t len, size_t *p, am_synset *out, refusal *why)
{
    const char *sym = NULL, *f = NULL;
    size_t sn = 0, n = 0;
    unsigned long off, v;
    if (!field(line, len, p, &sym, &sn) || sn > 2) {
        why->field = sym, why->len = sn, why->want = "a pointer symbol of 1 or 2 characters";
        return AM_EFORMAT;
    }
    if (!number_field(line, len, p, 10, 8, &off, "a pointer's synset offset, 8 digits", why))
        return AM_EFORMAT;
    if (!field(line, len, p, &f, &n) || n != 1) {
        why->field = f, why->len = n, why->want = "a pointer's part of speech, one character";
        return AM_EFORMAT;
    }
    const char *st = NULL;
    size_t sl = 0;
    if (!field(line, len, p, &st, &sl) || sl != 4 || !number(st, sl, 16, 4, &v)) {
        why->field = st, why->len = sl, why->want = "a pointer's source/target, 4 hex digits";
        return AM_EFORMAT;
    }
    if ((sn == 1 && sym[0] == '@') || (sn == 2 && sym[0] == '@' && sym[1] == 'i'))
        out->hypernyms[out->nhyper++] = (uint32_t)off;
    return AM_OK;
}

/* The gloss after '|', blanks trimmed. */
static int parse_gloss(const char *line, size_t len, size_t p, am_synset *out)
{
    const char *bar = memchr(line + p, '|', len - p);
    if (!bar)
        return AM_OK;
    const char *g = bar + 1, *end = line + len;
    while (g < end && *g == ' ')
        g++;
    while (end > g && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
        end--;
    if (!(out->gloss = malloc((size_t)(end - g) + 1)))
        return AM_ENOMEM;
    memcpy(out->gloss, g, (size_t)(end - g));
    out->gloss[end - g] = 0;
    return AM_OK;
}

static int parse_line(const char *line, size_t len, am_synset *out, refusal *why)
{
    size_t p = 0;
    const char *f = NULL;
    size_t n = 0;
    unsigned long v, wc, pc;
    int rc = AM_EFORMAT;
    if (!number_field(line, len, &p, 10, 8, &v, "the synset offset, 8 digits", why))
        goto fail;
    out->offset = (uint32_t)v;
    if (!number_field(line, len, &p, 10, 2, &v, "lex_filenum, 2 digits", why))
        goto fail;
    if (!field(line, len, &p, &f, &n) || n != 1) {
        why->field = f, why->len = n, why->want = "ss_type, one character";
        goto fail;
    }
    if (!number_field(line, len, &p, 16, 2, &wc, "w_cnt, the word count, 2 hex digits > 0", why))
        goto fail;
    if (wc == 0) {
        why->field = NULL, why->want = "w_cnt, the word count, 2 hex digits > 0";
        goto fail;
    }
    if (!(out->words = calloc(wc, sizeof *out->words))) {
        rc = AM_ENOMEM;
        goto fail;
    }
    for (unsigned long i = 0; i < wc; i++)
        if ((rc = parse_word(line, len, &p, out, why)))
            goto fail;
    rc = AM_EFORMAT;
    if (!number_field(line, len, &p, 10, 3, &pc, "p_cnt, the pointer count, 3 digits", why))
        goto fail;
    if (pc && !(out->hypernyms = malloc(pc * sizeof *out->hypernyms))) {
        rc = AM_ENOMEM;
        goto fail;
    }
    for (unsigned long i = 0; i < pc; i++)
        if ((rc = parse_pointer(line, len, &p, out, why)))
            goto fail;
    if ((rc = parse_gloss(line, len, p, out)))
        goto fail;
    return AM_OK;
fail:
    am_synset_clear(out);
    return rc;
}

int am_wordnet_parse_line(const char *line, size_t len, am_synset *out)
{
    if (!out)
        return AM_EINVAL;
    memset(out, 0, sizeof *out);
    if (!line)
        return AM_EINVAL;
    refusal why;
    return parse_line(line, len, out, &why);
}

/* The data line at offset into *out, or its failure in w->msg. */
/* 1 when offset is the start of a line of f whose first field is that offset in 8 digits (a synset's line), else 0
 * (also on a read error: ferror says). Leaves f anywhere. */
static int synset_line_start(FILE *f, uint32_t offset)
{
    char head[10];
    if (offset > 0 && (fseek(f, (long)offset - 1, SEEK_SET) != 0 || fgetc(f) != '\n'))
        return 0;
    if (fseek(f, (long)offset, SEEK_SET) != 0 || fread(head, 1, 9, f) != 9 || head[8] != ' ')
        return 0;
    for (int k = 7; k >= 0; k--, offset /= 10)
        if (head[k] != (char)('0' + offset % 10))
            return 0;
    return 1;
}

static int synset_at(am_wordnet *w, uint32_t offset, char *line, size_t cap, am_synset *out)
{
    const char *path = w->data_path;
    if ((long)offset < w->data_size && !synset_line_start(w->data, offset) && !ferror(w->data)) {
        say_wn(w, "%s: %u is not a synset offset (an offset points at the start of a line whose first field is that "
               "offset, 8 digits)", path, offset);
        return AM_ERANGE;
    }
    if ((long)offset >= w->data_size || fseek(w->data, (long)offset, SEEK_SET) != 0 || !fgets(line, (int)cap, w->data)) {
        if (ferror(w->data)) {
            say_wn(w, "%s: read error", path);
            return am__errno_status();
        }
        say_wn(w, "%s: synset offset %08u is past the end of the file (%ld bytes)", path, offset, w->data_size);
        return AM_ERANGE;
    }
    size_t len = strlen(line);
    if (!memchr(line, '\n', len) && !feof(w->data)) {
        say_wn(w, "%s line %zu: longer than %zu bytes", path, line_at(w->data, offset), cap - 1);
        return AM_EFORMAT;
    }
    refusal why = {0};
    int rc = parse_line(line, len, out, &why);
    if (rc == AM_EFORMAT) {
        char q[AM__QUOTE_SIZE];
        say_wn(w, "%s line %zu: want %s, found %s", path, line_at(w->data, offset), why.want,
               why.field ? am__quote(q, sizeof q, why.field, why.len) : "the end of the line");
    } else if (rc == AM_OK && out->offset != offset) {
        am_synset_clear(out);
        say_wn(w, "%s line %zu: synset offset %08u (from %s) is not the start of a synset line", path,
               line_at(w->data, offset), offset, w->index_path);
        rc = AM_EFORMAT;
    } else if (rc) {
        say_wn(w, "%s: %s", path, am_strerror(rc));
    }
    return rc;
}

int am_wordnet_synset(am_wordnet *w, uint32_t offset, am_synset *out)
{
    if (!out)
        return AM_EINVAL;
    memset(out, 0, sizeof *out);
    if (!w)
        return AM_EINVAL;
    w->msg[0] = 0;
    char *line = malloc(LINE_MAX_BYTES);
    if (!line) {
        say_wn(w, "out of memory");
        return AM_ENOMEM;
    }
    int rc = synset_at(w, offset, line, LINE_MAX_BYTES, out);
    free(line);
    return rc;
}

static const struct {
    const char *lemma;
    int sense;
} fashion_senses[10] = {{"tee_shirt", 1}, {"trouser", 1}, {"pullover", 1}, {"dress", 1}, {"coat", 1},
                        {"sandal", 1},    {"shirt", 1},   {"sneaker", 1},  {"bag", 1},   {"boot", 1}};

const char *am_wordnet_fashion_sense(int c, int *sense)
{
    if (c < 0 || c >= 10)
        return NULL;
    if (sense)
        *sense = fashion_senses[c].sense;
    return fashion_senses[c].lemma;
}

void am_words_free(char **words, size_t n)
{
    for (size_t i = 0; words && i < n; i++)
        free(words[i]);
    free(words);
}

static int add_word(char ***words, size_t *n, size_t *cap, const char *w)
{
    for (size_t i = 0; i < *n; i++)
        if (am_word_equal((*words)[i], w))
            return AM_OK;
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        char **nw = realloc(*words, nc * sizeof *nw);
        if (!nw)
            return AM_ENOMEM;
        *words = nw;
        *cap = nc;
    }
    if (!((*words)[*n] = strdup(w)))
        return AM_ENOMEM;
    (*n)++;
    return AM_OK;
}

int am_wordnet_fashion_words(am_wordnet *w, int c, int depth, char ***words, size_t *n)
{
    if (!w || !words || !n || c < 0 || c >= 10 || depth < 0 || depth > 20)
        return AM_EINVAL;
    *words = NULL;
    *n = 0;
    static const char *const names[10] = {"t-shirt", "trouser", "pullover", "dress", "coat",
                                          "sandal",  "shirt",   "sneaker",  "bag",   "ankle boot"};
    size_t cap = 0, nq = 0, qcap = 64, head = 0;
    uint32_t *queue = malloc(qcap * sizeof *queue);
    int *level = malloc(qcap * sizeof *level);
    int rc = queue && level ? add_word(words, n, &cap, names[c]) : AM_ENOMEM;
    uint32_t off;
    if (!rc)
        rc = am_wordnet_noun(w, fashion_senses[c].lemma, fashion_senses[c].sense, &off);
    if (!rc) {
        queue[nq] = off;
        level[nq++] = 0;
    }
    while (!rc && head < nq) {
        am_synset s;
        uint32_t o = queue[head];
        int lv = level[head++];
        if ((rc = am_wordnet_synset(w, o, &s)))
            break;
        for (size_t i = 0; !rc && i < s.nwords; i++)
            rc = add_word(words, n, &cap, s.words[i]);
        for (size_t i = 0; !rc && lv < depth && i < s.nhyper; i++) {
            int seen = 0;
            for (size_t j = 0; j < nq; j++)
                seen |= queue[j] == s.hypernyms[i];
            if (seen)
                continue;
            if (nq == qcap) {
                qcap *= 2;
                uint32_t *nqv = realloc(queue, qcap * sizeof *queue);
                int *nl = nqv ? realloc(level, qcap * sizeof *level) : NULL;
                if (nqv)
                    queue = nqv;
                if (!nqv || !nl) {
                    rc = AM_ENOMEM;
                    break;
                }
                level = nl;
            }
            queue[nq] = s.hypernyms[i];
            level[nq++] = lv + 1;
        }
        am_synset_clear(&s);
    }
    free(queue);
    free(level);
    if (rc) {
        am_words_free(*words, *n);
        *words = NULL;
        *n = 0;
    }
    return rc;
}

int am_words_read(const char *path, size_t max, char ***words, size_t *n, am_words_where *where)
{
    if (!path || !words || !n)
        return AM_EINVAL;
    *words = NULL;
    *n = 0;
    if (where)
        memset(where, 0, sizeof *where);
    FILE *f = fopen(path, "r");
    if (!f)
        return am__errno_status();
    char buf[AM_WORD_MAX + 64];
    size_t cap = 0, k = 0, lineno = 0;
    char **w = NULL;
    int rc = AM_OK;
    size_t len;
    int got;
    while (!rc && (got = am__read_line(f, buf, sizeof buf, &len)) >= 0) {
        lineno++;
        if (got == 1 || memchr(buf, 0, len)) { /* longer than any word can be, or a NUL byte in it */
            rc = AM_EFORMAT;
            if (where)
                am__quote(where->text, sizeof where->text, buf, len);
            break;
        }
        char *s = buf, *e;
        while (*s == ' ' || *s == '\t')
            s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            *--e = 0;
        if (!*s || *s == '#')
            continue;
        if (!am_word_valid(s))
            rc = AM_EFORMAT;
        else if (k == max)
            rc = AM_ERANGE;
        else if (k == cap) {
            size_t nc = cap ? 2 * cap : 16;
            char **nw = realloc(w, nc * sizeof *nw);
            if (!nw)
                rc = AM_ENOMEM;
            else
                w = nw, cap = nc;
        }
        if (!rc && !(w[k] = strdup(s)))
            rc = AM_ENOMEM;
        if (!rc)
            k++;
        else if (where)
            am__quote(where->text, sizeof where->text, s, strlen(s));
    }
    if (!rc && ferror(f))
        rc = am__errno_status();
    fclose(f);
    if (!rc && k == 0)
        rc = AM_EEMPTY;
    if (rc) {
        if (where && (rc == AM_EFORMAT || rc == AM_ERANGE))
            where->line = lineno;
        am_words_free(w, k);
        return rc;
    }
    *words = w;
    *n = k;
    return AM_OK;
}
