/* What the sequence stores share (seqs.h): the sequences and their file part, the rows of the fields, the
 * product every field goes through, the separation function, the workspace. */
#include "seqs.h"

#include <math.h>
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/blas_internal.h"
#include "../core/patterns_internal.h"
#include "am/error.h"

/* ---- the sequences ---- */

void am__seqs_init(am__seqs *q, size_t n)
{
    memset(q, 0, sizeof *q);
    q->pats.n = n;
    q->pats.words = n / 64 + (n % 64 != 0);
}

void am__seqs_clear(am__seqs *q)
{
    free(q->pats.bits);
    free(q->first);
    free(q->length);
    free(q->cyclic);
    free(q->next);
    am__seqs_init(q, q->pats.n);
}

/* Room for one more sequence and `need` elements' successors. */
static int seqs_reserve(am__seqs *q, size_t need)
{
    if (q->nseq == q->seqcap) {
        size_t cap = q->seqcap ? 2 * q->seqcap : 8;
        size_t *f = realloc(q->first, cap * sizeof *f);
        if (f)
            q->first = f;
        size_t *l = realloc(q->length, cap * sizeof *l);
        if (l)
            q->length = l;
        unsigned char *c = realloc(q->cyclic, cap);
        if (c)
            q->cyclic = c;
        if (!f || !l || !c)
            return AM_ENOMEM; /* the arrays that grew keep their contents: nothing is lost */
        q->seqcap = cap;
    }
    if (need > q->pats.count) {
        size_t *nx = realloc(q->next, need * sizeof *nx);
        if (!nx)
            return AM_ENOMEM;
        q->next = nx;
    }
    return AM_OK;
}

int am__seqs_append(am__seqs *q, const am_patterns *seq, int cyclic)
{
    size_t old = q->pats.count, len = seq->count, need = old + len;
    int rc;
    if (len == 0 || seq->n != q->pats.n)
        return AM_EINVAL;
    if (need < old || need > (size_t)INT32_MAX)
        return AM_EOVERFLOW;
    if ((rc = seqs_reserve(q, need)) || (rc = am__patterns_append(&q->pats, &q->cap, seq)))
        return rc;
    for (size_t e = old; e + 1 < need; e++)
        q->next[e] = e + 1;
    q->next[need - 1] = cyclic ? old : SIZE_MAX;
    q->first[q->nseq] = old;
    q->length[q->nseq] = len;
    q->cyclic[q->nseq] = cyclic ? 1 : 0;
    q->open += !cyclic;
    q->nseq++;
    return AM_OK;
}

void am__seqs_drop_last(am__seqs *q)
{
    if (!q->nseq)
        return;
    q->nseq--;
    q->pats.count -= q->length[q->nseq];
    q->open -= !q->cyclic[q->nseq];
}

void am__seqs_put(am__file *f, const am__seqs *q)
{
    am__put_u64(f, q->pats.n);
    am__put_u64(f, q->pats.count);
    am__put_u64(f, q->nseq);
    for (size_t k = 0; k < q->nseq; k++) {
        am__put_u64(f, q->length[k]);
        am__put_u32(f, q->cyclic[k]);
    }
    am__put_u64s(f, q->pats.bits, q->pats.count * q->pats.words);
}

/* The sequence table of the file (nseq entries) into q, the successors derived: every length >= 1, their sum
 * count, every flag 0 or 1. */
static int seqs_get_table(am__file *f, am__seqs *q, uint64_t count, uint64_t nseq)
{
    uint64_t total = 0;
    if (!(q->first = malloc(nseq * sizeof *q->first)) || !(q->length = malloc(nseq * sizeof *q->length)) ||
        !(q->cyclic = malloc(nseq)) || !(q->next = malloc(count * sizeof *q->next)))
        return AM_ENOMEM;
    q->seqcap = nseq;
    for (uint64_t k = 0; k < nseq; k++) {
        uint64_t len = am__get_u64(f);
        uint32_t cyc = am__get_u32(f);
        if (f->err)
            return f->err;
        if (len == 0 || len > count - total || cyc > 1)
            return AM_EFORMAT;
        q->first[k] = (size_t)total;
        q->length[k] = (size_t)len;
        q->cyclic[k] = (unsigned char)cyc;
        for (uint64_t e = total; e + 1 < total + len; e++)
            q->next[e] = (size_t)e + 1;
        q->next[total + len - 1] = cyc ? (size_t)total : SIZE_MAX;
        q->open += !cyc;
        q->nseq++;
        total += len;
    }
    return total == count ? AM_OK : AM_EFORMAT;
}

int am__seqs_get(am__file *f, am__seqs *q)
{
    uint64_t n = am__get_u64(f), count = am__get_u64(f), nseq = am__get_u64(f), words;
    int rc;
    am__seqs_init(q, 1);
    if (f->err)
        return f->err;
    if (n == 0 || nseq > count || (count && !nseq))
        return AM_EFORMAT;
    if (n > AM_MAX_UNITS || count > INT32_MAX)
        return AM_ERANGE;
    am__seqs_init(q, (size_t)n);
    words = q->pats.words;
    /* The table and the bits must be in the file before anything they name is allocated. */
    if ((rc = am__need_items(f, nseq, 12)) || (rc = am__need_items(f, nseq * 12 + count * words * 8, 1)))
        return rc;
    if (count == 0)
        return AM_OK;
    if ((rc = seqs_get_table(f, q, count, nseq))) {
        am__seqs_clear(q);
        return rc;
    }
    if (!(q->pats.bits = malloc((size_t)(count * words) * sizeof(uint64_t)))) {
        am__seqs_clear(q);
        return AM_ENOMEM;
    }
    q->cap = (size_t)count;
    q->pats.count = (size_t)count;
    am__get_u64s(f, q->pats.bits, (size_t)(count * words));
    if (f->err) {
        rc = f->err;
        am__seqs_clear(q);
    }
    return rc;
}

int am__seqs_loaded(const am__seqs *q)
{
    return am__patterns_tails_ok(&q->pats) ? AM_OK : AM_EFORMAT;
}

void am__seqs_overlaps(const am__seqs *q, const int8_t *s, uint64_t *pk, int32_t *m)
{
    am_state_pack(s, q->pats.n, pk);
    am__patterns_overlaps(&q->pats, pk, m);
}

int am__seqs_step(const void *model, const int8_t *s, int8_t *next, void *work, am__seqs_rows_fn rows)
{
    am__seqwork *w = work;
    am__seqs_overlaps(&((const am__seqbase *)model)->q, s, w->pk, w->m);
    rows(model, w, s, 1, next);
    return AM_OK;
}

int am__seqs_step_batch(const void *model, size_t first, size_t count, int8_t *next, void *work,
                        am__seqs_rows_fn rows)
{
    const am_patterns *x = &((const am__seqbase *)model)->q.pats;
    am__seqwork *w = work;
    for (size_t b0 = 0; b0 < count; b0 += w->rows) {
        long nb = (long)(count - b0 < w->rows ? count - b0 : w->rows);
        int8_t *out = next + b0 * x->n;
#pragma omp parallel for schedule(static) if (am__seq_parallel((size_t)nb, x->count, x->words))
        for (long b = 0; b < nb; b++) {
            size_t e = first + b0 + (size_t)b;
            am__patterns_overlaps(x, x->bits + e * x->words, w->m + (size_t)b * x->count);
            am_patterns_get(x, e, out + (size_t)b * x->n);
        }
        rows(model, w, out, (size_t)nb, out);
    }
    return AM_OK;
}

/* ---- the rows ---- */

void am__seqrows_free(am__seqrows *r)
{
    free(r->elem);
    free(r->nxt);
    free(r->nxx);
    free(r->all);
    free(r->nxt_d);
    free(r->nxx_d);
    memset(r, 0, sizeof *r);
}

void am__seqrows_doubles(am__seqrows *r, size_t budget)
{
    size_t kn, bytes;
    free(r->nxt_d), free(r->nxx_d);
    r->nxt_d = r->nxx_d = NULL;
    if (!r->nxx || am_size_mul(r->k, r->n, &kn) || am_size_mul3(kn ? kn : 1, 2, sizeof(double), &bytes) ||
        bytes > budget)
        return;
    r->nxt_d = malloc(bytes / 2);
    r->nxx_d = malloc(bytes / 2);
    if (!r->nxt_d || !r->nxx_d) { /* no memory for the fast path: the int8 one serves */
        free(r->nxt_d), free(r->nxx_d);
        r->nxt_d = r->nxx_d = NULL;
        return;
    }
    for (size_t j = 0; j < kn; j++) {
        r->nxt_d[j] = (double)r->nxt[j];
        r->nxx_d[j] = (double)r->nxx[j];
    }
}

void am__seq_fields_exact(double *h, const double *c, size_t ldc, size_t rows, const double *R, size_t k, size_t n)
{
    if (!rows || !n)
        return;
    if (!k) {
        memset(h, 0, rows * n * sizeof *h);
        return;
    }
    int blas = am__blas_serial(); /* libam runs OpenBLAS on one thread (the bits would not change: exact sums) */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)n, (int)k, 1.0, c, (int)ldc, R, (int)n,
                0.0, h, (int)n);
    am__blas_restore(blas);
}

int am__seqrows_build(am__seqrows *r, const am__seqs *q, unsigned what)
{
    size_t n = q->pats.n, count = q->pats.count, k = count - q->open, kn, cn;
    am__seqrows nr = {n, count, k, NULL, NULL, NULL, NULL};
    if (am_size_mul(k, n, &kn) || am_size_mul(count, n, &cn))
        return AM_EOVERFLOW;
    nr.elem = malloc((k ? k : 1) * sizeof *nr.elem);
    nr.nxt = malloc(kn ? kn : 1);
    nr.nxx = what & AM__ROWS_NXX ? malloc(kn ? kn : 1) : NULL;
    nr.all = what & AM__ROWS_ALL ? malloc(cn ? cn : 1) : NULL;
    if (!nr.elem || !nr.nxt || (!nr.nxx && (what & AM__ROWS_NXX)) || (!nr.all && (what & AM__ROWS_ALL))) {
        am__seqrows_free(&nr);
        return AM_ENOMEM;
    }
    for (size_t e = 0, j = 0; e < count; e++) {
        if (nr.all)
            am_patterns_get(&q->pats, e, nr.all + e * n);
        if (q->next[e] == SIZE_MAX)
            continue;
        nr.elem[j] = e;
        am_patterns_get(&q->pats, q->next[e], nr.nxt + j * n);
        if (nr.nxx) {
            int8_t *row = nr.nxx + j * n;
            am_patterns_get(&q->pats, e, row);
            for (size_t i = 0; i < n; i++)
                row[i] = (int8_t)(row[i] * nr.nxt[j * n + i]);
        }
        j++;
    }
    am__seqrows_free(r);
    *r = nr;
    return AM_OK;
}

/* ---- the product ---- */

#define TILE 256 /* columns of H per pass: four rows of them stay in L1 */

/* One template for +-1 int8 rows and double rows: each H[r][j] is the chain (((0 + c0 R0j) + c1 R1j) + ...),
 * four rows of H at once (one load of R for four products) or one; the same bits either way. */
#define FIELDS_KERNELS(NAME, T)                                                                               \
    __attribute__((target_clones("avx512f", "avx2", "default"))) static void NAME##4(                         \
        double *restrict h, const double *restrict c, size_t ldc, const T *restrict R, size_t k, size_t n)    \
    {                                                                                                          \
        for (size_t j0 = 0; j0 < n; j0 += TILE) {                                                              \
            size_t len = n - j0 < TILE ? n - j0 : TILE;                                                        \
            double *restrict h0 = h + j0, *restrict h1 = h0 + n, *restrict h2 = h1 + n, *restrict h3 = h2 + n; \
            for (size_t j = 0; j < len; j++)                                                                   \
                h0[j] = h1[j] = h2[j] = h3[j] = 0.0;                                                           \
            for (size_t p = 0; p < k; p++) {                                                                   \
                const T *restrict r = R + p * n + j0;                                                          \
                double a0 = c[p], a1 = c[ldc + p], a2 = c[2 * ldc + p], a3 = c[3 * ldc + p];                   \
                for (size_t j = 0; j < len; j++) {                                                             \
                    double x = (double)r[j];                                                                   \
                    h0[j] += a0 * x;                                                                           \
                    h1[j] += a1 * x;                                                                           \
                    h2[j] += a2 * x;                                                                           \
                    h3[j] += a3 * x;                                                                           \
                }                                                                                              \
            }                                                                                                  \
        }                                                                                                      \
    }                                                                                                          \
    __attribute__((target_clones("avx512f", "avx2", "default"))) static void NAME##1(                         \
        double *restrict h, const double *restrict c, const T *restrict R, size_t k, size_t n)                \
    {                                                                                                          \
        for (size_t j = 0; j < n; j++)                                                                         \
            h[j] = 0.0;                                                                                        \
        for (size_t p = 0; p < k; p++) {                                                                       \
            const T *restrict r = R + p * n;                                                                   \
            double a = c[p];                                                                                   \
            for (size_t j = 0; j < n; j++)                                                                     \
                h[j] += a * (double)r[j];                                                                      \
        }                                                                                                      \
    }

FIELDS_KERNELS(fields_i8_, int8_t)
FIELDS_KERNELS(fields_f64_, double)

void am__seq_signs(const double *h, int8_t *next, size_t len)
{
    for (size_t j = 0; j < len; j++)
        next[j] = h[j] >= 0.0 ? 1 : -1;
}

int am__seq_parallel(size_t rows, size_t k, size_t n)
{
    return rows >= 8 && (double)rows * (double)k * (double)n >= 1e6 && !omp_in_parallel() &&
           omp_get_max_threads() > 1;
}

void am__seq_fields(double *h, const double *c, size_t ldc, size_t rows, const int8_t *R, size_t k, size_t n)
{
    size_t quads = rows / 4;
#pragma omp parallel for schedule(static) if (am__seq_parallel(rows, k, n))
    for (size_t b = 0; b < quads; b++)
        fields_i8_4(h + 4 * b * n, c + 4 * b * ldc, ldc, R, k, n);
    for (size_t r = 4 * quads; r < rows; r++)
        fields_i8_1(h + r * n, c + r * ldc, R, k, n);
}

void am__seq_fields_d(double *h, const double *c, size_t ldc, size_t rows, const double *R, size_t k, size_t n)
{
    size_t quads = rows / 4;
#pragma omp parallel for schedule(static) if (am__seq_parallel(rows, k, n))
    for (size_t b = 0; b < quads; b++)
        fields_f64_4(h + 4 * b * n, c + 4 * b * ldc, ldc, R, k, n);
    for (size_t r = 4 * quads; r < rows; r++)
        fields_f64_1(h + r * n, c + r * ldc, R, k, n);
}

/* ---- the separation function ---- */

static inline double ipow(double x, int d)
{
    double r = 1.0;
    while (d) {
        if (d & 1)
            r *= x;
        x *= x;
        d >>= 1;
    }
    return r;
}

void am__sep_init(am__sep *g, int exp, int degree, double q, size_t terms, double ymax)
{
    g->exp = exp;
    g->degree = degree;
    g->q = q;
    g->s = exp ? 0.0 : 1.0;
    /* Every partial sum of the fields is below 2 terms ymax^d: integers there are exact in a double. */
    double bits = (double)degree * log2(ymax > 1.0 ? ymax : 1.0) + log2(2.0 * (double)(terms ? terms : 1));
    g->exact = !exp && bits <= 52.0;
}

void am__sep_state(am__sep *g, int64_t ymax)
{
    if (g->exp)
        g->s = (double)ymax / g->q;
    else if (!g->exact)
        g->s = ymax > 0 ? (double)ymax : 1.0;
}

double am__sep_g(const am__sep *g, int64_t y)
{
    if (g->exp)
        return exp((double)y / g->q - g->s);
    return ipow(g->exact ? (double)y : (double)y / g->s, g->degree);
}

void am__sep_parts(const am__sep *g, int64_t y, int64_t v, double *e, double *o)
{
    double a = am__sep_g(g, y + v), b = am__sep_g(g, y - v);
    *e = 0.5 * (a + b);
    *o = 0.5 * (a - b);
}

/* ---- the workspace ---- */

size_t am__seqs_batch(size_t n, size_t count)
{
    size_t rows = ((size_t)1 << 21) / ((count > n ? count : n) + 1);
    return rows < 4 ? 4 : rows > 64 ? 64 : rows;
}

/* *p grown to hold `need` items of `size` bytes (contents not kept). */
static int grow(void **p, size_t need, size_t size)
{
    size_t bytes;
    if (am_size_mul(need ? need : 1, size, &bytes))
        return AM_EOVERFLOW;
    void *np = malloc(bytes);
    if (!np)
        return AM_ENOMEM;
    free(*p);
    *p = np;
    return AM_OK;
}

int am__seqwork_fit(am__seqwork *w, size_t n, size_t count, size_t rows)
{
    size_t words, cc, ch, b = am__seqs_batch(n, count);
    int rc;
    rows = rows > b ? rows : b;
    if (w->n >= n && w->count >= count && w->rows >= rows && w->pk)
        return AM_OK;
    n = n > w->n ? n : w->n;
    count = count > w->count ? count : w->count;
    rows = rows > w->rows ? rows : w->rows;
    words = n / 64 + (n % 64 != 0);
    w->n = w->count = w->rows = 0; /* fitted again only when everything below is */
    if (am_size_mul(rows, count, &cc) || am_size_mul(rows, n, &ch))
        return AM_EOVERFLOW;
    if ((rc = grow((void **)&w->pk, words, sizeof(uint64_t))) || (rc = grow((void **)&w->m, cc, sizeof(int32_t))) ||
        (rc = grow((void **)&w->c1, cc, sizeof(double))) || (rc = grow((void **)&w->c2, cc, sizeof(double))) ||
        (rc = grow((void **)&w->h1, ch, sizeof(double))) || (rc = grow((void **)&w->h2, ch, sizeof(double))) ||
        (rc = grow((void **)&w->t, n, sizeof(int32_t))))
        return rc;
    w->n = n, w->count = count, w->rows = rows;
    return AM_OK;
}

int am__seqwork_create(void **out, size_t n, size_t count, size_t rows)
{
    am__seqwork *w = calloc(1, sizeof *w);
    int rc;
    *out = NULL;
    if (!w)
        return AM_ENOMEM;
    if ((rc = am__seqwork_fit(w, n, count, rows))) {
        am__seqwork_free(w);
        return rc;
    }
    *out = w;
    return AM_OK;
}

void am__seqwork_free(void *work)
{
    am__seqwork *w = work;
    if (!w)
        return;
    free(w->pk), free(w->m), free(w->c1), free(w->c2), free(w->h1), free(w->h2), free(w->t);
    free(w);
}

/* ---- the base of the models ---- */

size_t am__seqbase_n(const void *model) { return ((const am__seqbase *)model)->q.pats.n; }
size_t am__seqbase_count(const void *model) { return ((const am__seqbase *)model)->q.pats.count; }
const am_patterns *am__seqbase_patterns(const void *model) { return &((const am__seqbase *)model)->q.pats; }
const am__seqs *am__seqbase_sequences(const void *model) { return &((const am__seqbase *)model)->q; }
unsigned am__seqbase_memory(const void *model)
{
    (void)model;
    return 0;
}

int am__seqbase_work_create(void **work, const void *model)
{
    const am__seqbase *b = model;
    return am__seqwork_create(work, b->q.pats.n, b->q.pats.count, b->rows);
}

int am__seqbase_work_fit(void *work, const void *model)
{
    const am__seqbase *b = model;
    return am__seqwork_fit(work, b->q.pats.n, b->q.pats.count, b->rows);
}

void am__seqbase_clear(am__seqbase *b)
{
    am__seqs_clear(&b->q);
    am__seqrows_free(&b->r);
}

int am__seqbase_make(void **model, size_t size, size_t poff, const void *p, size_t psize, am__seqs *q,
                     int (*rebuild)(void *model))
{
    am__seqbase *b = calloc(1, size);
    int rc;
    *model = NULL;
    if (!b) {
        am__seqs_clear(q);
        return AM_ENOMEM;
    }
    b->q = *q;
    memcpy((char *)b + poff, p, psize);
    if ((rc = rebuild(b))) {
        am__seqbase_free(b);
        return rc;
    }
    *model = b;
    return AM_OK;
}

void am__seqbase_free(void *model)
{
    if (!model)
        return;
    am__seqbase_clear(model);
    free(model);
}

void am__seqs_print_double(char *buf, size_t size, double v)
{
    for (int digits = 1; digits <= 17; digits++) {
        char t[40];
        snprintf(t, sizeof t, "%.*g", digits, v);
        if (strtod(t, NULL) == v || digits == 17) {
            snprintf(buf, size, "%s", t);
            return;
        }
    }
}
