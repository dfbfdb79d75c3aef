#include "am/patterns.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/cancel.h"
#include "am/error.h"
#include "io.h"
#include "patterns_internal.h"
#include "quote.h"

static inline uint64_t tail_mask(size_t n)
{
    return (n % 64) ? (~0ull >> (64 - n % 64)) : ~0ull;
}

int am_patterns_create(am_patterns **out, size_t n, size_t count)
{
    size_t words, total, bytes;
    am_patterns *p;
    *out = NULL;
    if (n == 0)
        return AM_EINVAL;
    words = n / 64 + (n % 64 != 0);
    if (am_size_mul(words, count, &total) || am_size_mul(total, sizeof(uint64_t), &bytes))
        return AM_EOVERFLOW;
    if (n > AM_MAX_UNITS)
        return AM_EINVAL;
    p = malloc(sizeof *p);
    if (!p)
        return AM_ENOMEM;
    p->bits = calloc(total ? total : 1, sizeof(uint64_t));
    if (!p->bits) {
        free(p);
        return AM_ENOMEM;
    }
    p->n = n;
    p->count = count;
    p->words = words;
    *out = p;
    return AM_OK;
}

void am_patterns_free(am_patterns *p)
{
    if (!p)
        return;
    free(p->bits);
    free(p);
}

int am_patterns_clone(am_patterns **out, const am_patterns *src)
{
    int rc = am_patterns_create(out, src->n, src->count);
    if (rc)
        return rc;
    memcpy((*out)->bits, src->bits, src->words * src->count * sizeof(uint64_t));
    return AM_OK;
}

void am_patterns_get(const am_patterns *p, size_t mu, int8_t *s)
{
    const uint64_t *w = p->bits + mu * p->words;
    for (size_t i = 0; i < p->n; i++)
        s[i] = (int8_t)(((w[i >> 6] >> (i & 63)) & 1) ? 1 : -1);
}

void am_state_pack(const int8_t *s, size_t n, uint64_t *words)
{
    size_t nw = n / 64 + (n % 64 != 0);
    for (size_t k = 0; k < nw; k++) {
        uint64_t w = 0;
        size_t end = (k + 1) * 64 < n ? (k + 1) * 64 : n;
        for (size_t i = k * 64; i < end; i++)
            w |= (uint64_t)(s[i] > 0) << (i & 63);
        words[k] = w;
    }
}

void am_patterns_set(am_patterns *p, size_t mu, const int8_t *s)
{
    am_state_pack(s, p->n, p->bits + mu * p->words);
}

int am_patterns_unit(const am_patterns *p, size_t mu, size_t i)
{
    return ((p->bits[mu * p->words + (i >> 6)] >> (i & 63)) & 1) ? 1 : -1;
}

void am_patterns_to_float(const am_patterns *p, float *out)
{
    for (size_t mu = 0; mu < p->count; mu++) {
        const uint64_t *w = p->bits + mu * p->words;
        float *row = out + mu * p->n;
        for (size_t i = 0; i < p->n; i++)
            row[i] = ((w[i >> 6] >> (i & 63)) & 1) ? 1.0f : -1.0f;
    }
}

void am_patterns_to_double(const am_patterns *p, double *out)
{
    for (size_t mu = 0; mu < p->count; mu++) {
        const uint64_t *w = p->bits + mu * p->words;
        double *row = out + mu * p->n;
        for (size_t i = 0; i < p->n; i++)
            row[i] = ((w[i >> 6] >> (i & 63)) & 1) ? 1.0 : -1.0;
    }
}

void am_patterns_to_int8_t(const am_patterns *p, int8_t *out)
{
    /* Gather one 64-unit word of every pattern, then write 64 contiguous output rows from it. */
    size_t P = p->count;
    uint64_t *col = malloc((P ? P : 1) * sizeof *col);
    if (!col) {
        for (size_t mu = 0; mu < P; mu++)
            for (size_t i = 0; i < p->n; i++)
                out[i * P + mu] = (int8_t)am_patterns_unit(p, mu, i);
        return;
    }
    for (size_t k = 0; k < p->words; k++) {
        size_t end = (k + 1) * 64 < p->n ? 64 : p->n - k * 64;
        for (size_t mu = 0; mu < P; mu++)
            col[mu] = p->bits[mu * p->words + k];
        for (size_t b = 0; b < end; b++) {
            int8_t *row = out + (k * 64 + b) * P;
            for (size_t mu = 0; mu < P; mu++)
                row[mu] = (int8_t)(((col[mu] >> b) & 1) * 2 - 1);
        }
    }
    free(col);
}

void am_patterns_random(am_patterns *p, am_rng *rng)
{
    uint64_t mask = tail_mask(p->n);
    for (size_t mu = 0; mu < p->count; mu++) {
        uint64_t *w = p->bits + mu * p->words;
        for (size_t k = 0; k < p->words; k++)
            w[k] = am_rng_u64(rng);
        w[p->words - 1] &= mask;
    }
}

/* The generators that draw unit by unit poll the cancel hook before a pattern once POLL_UNITS units have been
 * drawn since the last poll (*drawn counts them). */
#define POLL_UNITS 65536

static int draw_poll(size_t *drawn, size_t n)
{
    if (*drawn < POLL_UNITS) {
        *drawn += n;
        return AM_OK;
    }
    *drawn = n;
    return am_cancel_poll();
}

int am_patterns_biased(am_patterns *p, double activity, am_rng *rng)
{
    if (!(activity >= 0.0 && activity <= 1.0))
        return AM_EINVAL;
    size_t drawn = 0;
    for (size_t mu = 0; mu < p->count; mu++) {
        if (draw_poll(&drawn, p->n))
            return AM_ECANCELED;
        uint64_t *w = p->bits + mu * p->words;
        memset(w, 0, p->words * sizeof *w);
        for (size_t i = 0; i < p->n; i++)
            if (am_rng_uniform(rng) < activity)
                w[i >> 6] |= 1ull << (i & 63);
    }
    return AM_OK;
}

int am_patterns_correlated(am_patterns *p, double q, int8_t *parent, am_rng *rng)
{
    uint64_t *par;
    if (!(q >= 0.0 && q <= 1.0))
        return AM_EINVAL;
    par = malloc(p->words * sizeof *par);
    if (!par)
        return AM_ENOMEM;
    for (size_t k = 0; k < p->words; k++)
        par[k] = am_rng_u64(rng);
    par[p->words - 1] &= tail_mask(p->n);
    size_t drawn = 0;
    for (size_t mu = 0; mu < p->count; mu++) {
        if (draw_poll(&drawn, p->n)) {
            free(par);
            return AM_ECANCELED;
        }
        uint64_t *w = p->bits + mu * p->words;
        memcpy(w, par, p->words * sizeof *w);
        for (size_t i = 0; i < p->n; i++)
            if (am_rng_uniform(rng) < q)
                w[i >> 6] ^= 1ull << (i & 63);
    }
    if (parent)
        for (size_t i = 0; i < p->n; i++)
            parent[i] = (int8_t)(((par[i >> 6] >> (i & 63)) & 1) ? 1 : -1);
    free(par);
    return AM_OK;
}

/* 5x7 capitals, one byte per row, bit 4 = leftmost column. Drawn for this library. */
static const uint8_t font5x7[26][7] = {
    {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}, /* A */
    {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}, /* B */
    {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}, /* C */
    {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}, /* D */
    {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}, /* E */
    {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}, /* F */
    {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}, /* G */
    {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}, /* H */
    {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}, /* I */
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}, /* J */
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}, /* K */
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}, /* L */
    {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}, /* M */
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}, /* N */
    {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}, /* O */
    {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}, /* P */
    {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}, /* Q */
    {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}, /* R */
    {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}, /* S */
    {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, /* T */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}, /* U */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}, /* V */
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}, /* W */
    {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}, /* X */
    {0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04}, /* Y */
    {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}, /* Z */
};

/* AM_EOVERFLOW unless a width x height grid (row-major, index y * width + x) can be addressed, with room for
 * the products `wscale` x width and `hscale` x height that a drawing forms from its coordinates. */
static int grid_fits(size_t width, size_t height, size_t wscale, size_t hscale)
{
    size_t r;
    return am_size_mul(width, height, &r) || am_size_mul(width, wscale, &r) || am_size_mul(height, hscale, &r)
               ? AM_EOVERFLOW
               : AM_OK;
}

int am_state_letter(int8_t *s, size_t width, size_t height, char c)
{
    int k = toupper((unsigned char)c) - 'A';
    if (k < 0 || k >= 26 || width < AM_LETTER_WIDTH || height < AM_LETTER_HEIGHT)
        return AM_EINVAL;
    if (grid_fits(width, height, 5, 7))
        return AM_EOVERFLOW;
    /* Nearest-cell scaling keeps strokes of equal width when the grid is a multiple of 5x7. */
    for (size_t y = 0; y < height; y++) {
        size_t gy = y * 7 / height;
        for (size_t x = 0; x < width; x++) {
            size_t gx = x * 5 / width;
            s[y * width + x] = (int8_t)(((font5x7[k][gy] >> (4 - gx)) & 1) ? 1 : -1);
        }
    }
    return AM_OK;
}

int am_patterns_letters(am_patterns *p, size_t width, size_t height, const char *text)
{
    int8_t *s;
    size_t cells;
    if (!text || strlen(text) != p->count || am_size_mul(width, height, &cells) || cells != p->n)
        return AM_EINVAL;
    s = malloc(p->n);
    if (!s)
        return AM_ENOMEM;
    for (size_t mu = 0; mu < p->count; mu++) {
        int rc = am_state_letter(s, width, height, text[mu]);
        if (rc) {
            free(s);
            return rc;
        }
        am_patterns_set(p, mu, s);
    }
    free(s);
    return AM_OK;
}

int am_patterns_checkerboards(am_patterns *p, size_t width, size_t height)
{
    size_t cells;
    if (am_size_mul(width, height, &cells) || cells != p->n || p->count > 2 * (width < height ? width : height))
        return AM_EINVAL;
    int8_t *s = malloc(p->n ? p->n : 1);
    if (!s)
        return AM_ENOMEM;
    int rc = AM_OK;
    for (size_t mu = 0; !rc && mu < p->count; mu++)
        if (!(rc = am_state_checkerboard(s, width, height, 1 + mu / 2, (int)(mu % 2))))
            am_patterns_set(p, mu, s);
    free(s);
    return rc;
}

/* The L's arm and thickness on a width x height grid, and the shifts along each axis. */
static void lshape_geometry(size_t w, size_t h, size_t *arm, size_t *thick, size_t *nx, size_t *ny)
{
    size_t m = w < h ? w : h;
    *arm = 2 * m / 3;
    *thick = m / 6 ? m / 6 : 1;
    *nx = (w - *arm) / *thick + 1;
    *ny = (h - *arm) / *thick + 1;
}

size_t am_patterns_lshapes_max(size_t width, size_t height)
{
    size_t arm, t, nx, ny;
    if ((width < height ? width : height) < 3)
        return 0;
    lshape_geometry(width, height, &arm, &t, &nx, &ny);
    return nx * ny;
}

int am_patterns_lshapes(am_patterns *p, size_t width, size_t height)
{
    size_t cells, arm, t, nx, ny;
    if (am_size_mul(width, height, &cells) || cells != p->n || p->count > am_patterns_lshapes_max(width, height))
        return AM_EINVAL;
    lshape_geometry(width, height, &arm, &t, &nx, &ny);
    int8_t *s = malloc(p->n ? p->n : 1);
    if (!s)
        return AM_ENOMEM;
    for (size_t mu = 0; mu < p->count; mu++) {
        size_t x0 = (mu % nx) * t, y0 = (mu / nx) * t;
        for (size_t y = 0; y < height; y++)
            for (size_t x = 0; x < width; x++) {
                int in_box = x >= x0 && x < x0 + arm && y >= y0 && y < y0 + arm;
                int ink = in_box && (x < x0 + t || y >= y0 + arm - t);
                s[y * width + x] = ink ? 1 : -1;
            }
        am_patterns_set(p, mu, s);
    }
    free(s);
    return AM_OK;
}

int am_state_checkerboard(int8_t *s, size_t width, size_t height, size_t cell, int phase)
{
    if (cell == 0 || width == 0 || height == 0 || (phase != 0 && phase != 1))
        return AM_EINVAL;
    if (grid_fits(width, height, 1, 1))
        return AM_EOVERFLOW;
    for (size_t y = 0; y < height; y++)
        for (size_t x = 0; x < width; x++)
            s[y * width + x] = (int8_t)((((x / cell) + (y / cell) + (size_t)phase) & 1) ? -1 : 1);
    return AM_OK;
}

int am_state_flip_k(int8_t *s, size_t n, size_t k, am_rng *rng)
{
    if (k > n)
        return AM_EINVAL;
    /* Knuth's selection sampling: unit i is chosen with probability (still needed)/(still left). */
    for (size_t i = 0; i < n && k > 0; i++) {
        if (am_rng_below(rng, n - i) < k) {
            s[i] = (int8_t)-s[i];
            k--;
        }
    }
    return AM_OK;
}

int am_state_flip_frac(int8_t *s, size_t n, double frac, am_rng *rng)
{
    if (!(frac >= 0.0 && frac <= 1.0))
        return AM_EINVAL;
    return am_state_flip_k(s, n, (size_t)floor(frac * (double)n + 0.5), rng);
}

int am_state_occlude(int8_t *s, size_t width, size_t height, size_t x0, size_t y0, size_t bw, size_t bh,
                     int fill, am_rng *rng)
{
    if (fill < -1 || fill > 1 || (fill == 0 && !rng))
        return AM_EINVAL;
    if (grid_fits(width, height, 1, 1))
        return AM_EOVERFLOW;
    for (size_t y = y0; y < height && y - y0 < bh; y++)
        for (size_t x = x0; x < width && x - x0 < bw; x++)
            s[y * width + x] = (int8_t)(fill ? fill : ((am_rng_u64(rng) >> 63) ? 1 : -1));
    return AM_OK;
}

double am_state_overlap(const int8_t *a, const int8_t *b, size_t n)
{
    long acc = 0;
    for (size_t i = 0; i < n; i++)
        acc += a[i] * b[i];
    return (double)acc / (double)n;
}

size_t am_state_hamming(const int8_t *a, const int8_t *b, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += a[i] != b[i];
    return d;
}

/* g[mu] = x . xi^mu = n - 2 hamming for every stored pattern: one pass, with the popcnt instruction where
 * the CPU has it (generic x86-64 code calls a slow library routine instead). The clones are static and the
 * exported functions plain wrappers: clang 14 does not emit an exported target_clones function under its
 * own name. */
__attribute__((target_clones("popcnt", "default"))) static void overlaps(const am_patterns *p, const uint64_t *x,
                                                                         int32_t *g)
{
    size_t words = p->words;
    for (size_t mu = 0; mu < p->count; mu++) {
        const uint64_t *w = p->bits + mu * words;
        size_t d = 0;
        for (size_t k = 0; k < words; k++)
            d += (size_t)__builtin_popcountll(w[k] ^ x[k]);
        g[mu] = (int32_t)p->n - 2 * (int32_t)d;
    }
}

void am__patterns_overlaps(const am_patterns *p, const uint64_t *x, int32_t *g)
{
    overlaps(p, x, g);
}

__attribute__((target_clones("popcnt", "default"))) static size_t hamming_packed(const uint64_t *w, size_t nw,
                                                                                 const uint64_t *words)
{
    size_t d = 0;
    for (size_t k = 0; k < nw; k++)
        d += (size_t)__builtin_popcountll(w[k] ^ words[k]);
    return d;
}

size_t am_patterns_hamming_packed(const am_patterns *p, size_t mu, const uint64_t *words)
{
    return hamming_packed(p->bits + mu * p->words, p->words, words);
}

size_t am_patterns_hamming(const am_patterns *p, size_t mu, const am_patterns *q, size_t nu)
{
    return am_patterns_hamming_packed(p, mu, q->bits + nu * q->words);
}

double am_patterns_overlap(const am_patterns *p, size_t mu, const am_patterns *q, size_t nu)
{
    return 1.0 - 2.0 * (double)am_patterns_hamming(p, mu, q, nu) / (double)p->n;
}

int am__patterns_append(am_patterns *dst, size_t *cap, const am_patterns *src)
{
    size_t need = dst->count + src->count;
    if (need < dst->count)
        return AM_EOVERFLOW;
    if (need > *cap) {
        size_t ncap = *cap ? *cap : 16, bytes;
        uint64_t *b;
        while (ncap < need)
            ncap *= 2;
        if (am_size_mul3(ncap, dst->words, sizeof(uint64_t), &bytes))
            return AM_EOVERFLOW;
        b = realloc(dst->bits, bytes);
        if (!b)
            return AM_ENOMEM;
        dst->bits = b;
        *cap = ncap;
    }
    memcpy(dst->bits + dst->count * dst->words, src->bits, src->count * src->words * sizeof(uint64_t));
    dst->count = need;
    return AM_OK;
}

int am__patterns_tails_ok(const am_patterns *p)
{
    uint64_t tail = (p->n % 64) ? ~tail_mask(p->n) : 0;
    for (size_t mu = 0; mu < p->count && tail; mu++)
        if (p->bits[mu * p->words + p->words - 1] & tail)
            return 0;
    return 1;
}

int am__patterns_transposed(const am_patterns *p, int8_t **xt)
{
    size_t bytes;
    int8_t *t;
    if (am_size_mul(p->n, p->count ? p->count : 1, &bytes))
        return AM_EOVERFLOW;
    t = realloc(*xt, bytes);
    if (!t)
        return AM_ENOMEM;
    *xt = t;
    am_patterns_to_int8_t(p, t);
    return AM_OK;
}

/* In-place transpose of a 64 x 64 bit matrix, a[r] bit c = element (r, c), least significant bit first:
 * at each scale j the off-diagonal j x j blocks of every 2j x 2j block are swapped. */
/* Each stage swaps bit blocks between rows k and k + j for the k with bit j clear: runs of j rows at a time,
 * contiguous (the vector units take the wide stages), the same operations on the same pairs as ever. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void transpose64(uint64_t a[64])
{
    static const uint64_t mask[6] = {0x5555555555555555ull, 0x3333333333333333ull, 0x0F0F0F0F0F0F0F0Full,
                                     0x00FF00FF00FF00FFull, 0x0000FFFF0000FFFFull, 0x00000000FFFFFFFFull};
    for (int s = 5; s >= 0; s--) {
        unsigned j = 1u << s;
        uint64_t m = mask[s];
        for (unsigned base = 0; base < 64; base += 2 * j)
            for (unsigned k = base; k < base + j; k++) {
                uint64_t t = ((a[k] >> j) ^ a[k + j]) & m;
                a[k + j] ^= t;
                a[k] ^= t << j;
            }
    }
}

int am__patterns_transposed_bits(const am_patterns *p, uint64_t **xb, size_t *pw)
{
    size_t n = p->n, P = p->count, w = P / 64 + (P % 64 != 0), bytes;
    uint64_t *t, blk[64];
    if (!w)
        w = 1;
    if (am_size_mul3(n, w, sizeof(uint64_t), &bytes))
        return AM_EOVERFLOW;
    t = realloc(*xb, bytes);
    if (!t)
        return AM_ENOMEM;
    *xb = t;
    *pw = w;
    memset(t, 0, bytes);
    for (size_t bp = 0; bp * 64 < P; bp++)
        for (size_t bi = 0; bi < p->words; bi++) {
            for (size_t k = 0; k < 64; k++)
                blk[k] = bp * 64 + k < P ? p->bits[(bp * 64 + k) * p->words + bi] : 0;
            transpose64(blk);
            for (size_t k = 0; k < 64 && bi * 64 + k < n; k++)
                t[(bi * 64 + k) * w + bp] = blk[k];
        }
    return AM_OK;
}

/* Pattern families. */

int am_pattern_family_parse(am_pattern_family *f, const char *s, char *err, size_t errsize)
{
    static const char kinds[] = "random, letters, checkerboard, lshapes, biased:A or correlated:Q";
    memset(f, 0, sizeof *f);
    if (!s)
        return am__invalid(err, errsize, "no pattern family (%s)", kinds);
    if (!strcmp(s, "random"))
        f->kind = AM_FAMILY_RANDOM;
    else if (!strcmp(s, "letters"))
        f->kind = AM_FAMILY_LETTERS;
    else if (!strcmp(s, "checkerboard") || !strcmp(s, "checkerboards"))
        f->kind = AM_FAMILY_CHECKERBOARD;
    else if (!strcmp(s, "lshapes") || !strcmp(s, "L"))
        f->kind = AM_FAMILY_LSHAPES;
    else if (!strncmp(s, "biased:", 7) || !strncmp(s, "correlated:", 11)) {
        const char *v = strchr(s, ':') + 1;
        char *end = NULL;
        f->kind = s[0] == 'b' ? AM_FAMILY_BIASED : AM_FAMILY_CORRELATED;
        f->arg = strtod(v, &end);
        if (!*v || *end || !(f->arg >= 0.0 && f->arg <= 1.0))
            return am__invalid(err, errsize, "pattern family %s: the value after ':' must be a number in [0, 1]", AM__QUOTE(s));
    } else
        return am__invalid(err, errsize, "unknown pattern family %s (%s)", AM__QUOTE(s), kinds);
    return AM_OK;
}

const char *am_pattern_family_describe(const am_pattern_family *f, char *buf, size_t size)
{
    static const char *names[] = {"random", "biased", "correlated", "letters", "checkerboard", "lshapes"};
    if (f->kind == AM_FAMILY_BIASED || f->kind == AM_FAMILY_CORRELATED)
        snprintf(buf, size, "%s:%g", names[f->kind], f->arg);
    else
        snprintf(buf, size, "%s", (unsigned)f->kind < 6 ? names[f->kind] : "?");
    return buf;
}

/* The grid of a drawn family: its own, or the square of n. 0 when there is none. */
static int family_grid(const am_pattern_family *f, size_t n, size_t *w, size_t *h)
{
    *w = f->width, *h = f->height;
    size_t cells;
    if (!*w && !*h) {
        size_t side = (size_t)llround(sqrt((double)n));
        if (am_size_mul(side, side, &cells) || cells != n || side < 7)
            return 0;
        *w = *h = side;
    }
    return !am_size_mul(*w, *h, &cells) && cells == n;
}

int am_pattern_family_check(const am_pattern_family *f, size_t n, size_t count, char *err, size_t errsize)
{
    size_t w, h;
    switch (f->kind) {
    case AM_FAMILY_RANDOM:
        return AM_OK;
    case AM_FAMILY_BIASED:
    case AM_FAMILY_CORRELATED:
        if (!(f->arg >= 0.0 && f->arg <= 1.0))
            return am__invalid(err, errsize, "pattern family %s: %g is outside [0, 1]",
                              f->kind == AM_FAMILY_BIASED ? "biased" : "correlated", f->arg);
        return AM_OK;
    case AM_FAMILY_LETTERS:
    case AM_FAMILY_CHECKERBOARD:
    case AM_FAMILY_LSHAPES: {
        const char *name = f->kind == AM_FAMILY_LETTERS ? "letters" : f->kind == AM_FAMILY_LSHAPES ? "lshapes" : "checkerboard";
        if (!family_grid(f, n, &w, &h)) {
            if (!f->width && !f->height)
                return am__invalid(err, errsize, "%s: N = %zu is not a square of side >= 7 (49, 64, 100, ...)", name, n);
            return am__invalid(err, errsize, "%s: a %zu x %zu grid is not N = %zu units", name, f->width, f->height, n);
        }
        if (f->kind == AM_FAMILY_LETTERS && (w < AM_LETTER_WIDTH || h < AM_LETTER_HEIGHT))
            return am__invalid(err, errsize, "letters: the grid must be at least 5 x 7, not %zu x %zu", w, h);
        size_t most = f->kind == AM_FAMILY_LETTERS ? 26
                      : f->kind == AM_FAMILY_LSHAPES ? am_patterns_lshapes_max(w, h) : 2 * (w < h ? w : h);
        if (count > most)
            return am__invalid(err, errsize, "%s: at most %zu patterns on a %zu x %zu grid, not %zu", name, most, w, h,
                              count);
        return AM_OK;
    }
    }
    return am__invalid(err, errsize, "unknown pattern family %d", (int)f->kind);
}

int am_pattern_family_fill(const am_pattern_family *f, am_patterns *p, am_rng *rng)
{
    size_t w, h;
    int rc = am_pattern_family_check(f, p->n, p->count, NULL, 0);
    if (rc)
        return rc;
    if (f->kind <= AM_FAMILY_CORRELATED && !rng)
        return AM_EINVAL;
    switch (f->kind) {
    case AM_FAMILY_BIASED:
        return am_patterns_biased(p, f->arg, rng);
    case AM_FAMILY_CORRELATED:
        return am_patterns_correlated(p, f->arg, NULL, rng);
    case AM_FAMILY_LETTERS: {
        char text[27];
        family_grid(f, p->n, &w, &h);
        for (size_t mu = 0; mu < p->count; mu++)
            text[mu] = (char)('A' + mu);
        text[p->count] = 0;
        return am_patterns_letters(p, w, h, text);
    }
    case AM_FAMILY_CHECKERBOARD:
        family_grid(f, p->n, &w, &h);
        return am_patterns_checkerboards(p, w, h);
    case AM_FAMILY_LSHAPES:
        family_grid(f, p->n, &w, &h);
        return am_patterns_lshapes(p, w, h);
    default:
        am_patterns_random(p, rng);
        return AM_OK;
    }
}
