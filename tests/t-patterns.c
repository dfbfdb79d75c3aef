/* Pattern sets: packing, generators' statistics, drawing, corruption, overlaps, patterns drawn as text,
 * errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "memfile.h"
#include "tap.h"

/* Patterns drawn as text (am_patterns_read_text): two blocks read back unit by unit; each malformed file
 * refused with its line, the row quoted. */
static void drawn(void)
{
    static const char two[] = "#..#\n#..#\r\n####\n \t\n\n####\n#...\n####"; /* no final newline */
    am_patterns *p = NULL;
    size_t w = 0, h = 0;
    char err[256];
    int rc = am_patterns_read_text(&p, &w, &h, mem_file(0, two, sizeof two - 1), err, sizeof err);
    ok(rc == AM_OK && w == 4 && h == 3 && p->count == 2 && p->n == 12 && err[0] == 0,
       "two 3 x 4 blocks (a CRLF row, a blank line of spaces and tabs, no final newline): %s", err);
    static const char *const want[2] = {"#..#" "#..#" "####", "####" "#..." "####"};
    int same = rc == AM_OK;
    for (size_t mu = 0; same && mu < 2; mu++)
        for (size_t i = 0; i < 12; i++)
            same &= am_patterns_unit(p, mu, i) == (want[mu][i] == '#' ? 1 : -1);
    ok(same, "every unit as drawn: '#' +1, '.' -1, row-major");
    am_patterns_free(p);
    static const struct {
        const char *text;
        int rc;
        const char *has;
    } bad[] = {
        {"#.\n#\x01\x1b[2J\xff\n", AM_EFORMAT, "line 2: \"#\\x01\\x1b[2J\\xff\": column 2 is neither '#' (on) nor '.' (off)"},
        {"#.#\n##\n", AM_EFORMAT, "line 2: 2 columns, the first row had 3"},
        {"##\n##\n\n##\n", AM_EFORMAT, "line 4: a pattern of 1 rows ends here, the first had 2"},
        {"##\n\n##\n##\n\n", AM_EFORMAT, "line 5: a pattern of 2 rows ends here, the first had 1"},
        {"\n \n\t\n", AM_EEMPTY, "no pattern"},
        {"", AM_EEMPTY, "no pattern"},
        {"#\r#\n", AM_EFORMAT, "line 1: \"#\\x0d#\": column 2"},
        {"#.\0#\n", AM_EFORMAT, "line 1: \"#.\\x00#\": column 3"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        size_t n = k == 7 ? 5 : strlen(bad[k].text);
        rc = am_patterns_read_text(&p, &w, &h, mem_file(0, bad[k].text, n), err, sizeof err);
        ok(rc == bad[k].rc && p == NULL && strstr(err, bad[k].has), "drawn file %zu refused: %s", k, err);
    }
    char wide[AM_PATTERNS_TEXT_SIDE + 2];
    memset(wide, '#', sizeof wide - 1);
    wide[sizeof wide - 1] = '\n';
    rc = am_patterns_read_text(&p, &w, &h, mem_file(0, wide, sizeof wide), err, sizeof err);
    ok(rc == AM_ERANGE && strstr(err, "line 1: more than 256 columns"), "257 columns: %s", err);
    ok(am_patterns_read_text(&p, &w, &h, mem_file(0, wide + 1, sizeof wide - 1), err, sizeof err) == AM_OK && w == 256,
       "256 columns read");
    am_patterns_free(p);
    char *tall = malloc(257 * 2);
    for (int i = 0; i < 257; i++)
        tall[2 * i] = '.', tall[2 * i + 1] = '\n';
    rc = am_patterns_read_text(&p, &w, &h, mem_file(0, tall, 257 * 2), err, sizeof err);
    ok(rc == AM_ERANGE && strstr(err, "line 257: a pattern of more than 256 rows"), "257 rows: %s", err);
    free(tall);
    /* 2^24 units in all at most: 257 blocks of 256 x 256 go past it, in bounded memory. */
    size_t rows = 257 * 257, len = rows * 257;
    char *big = malloc(len);
    for (size_t r = 0; r < rows; r++) {
        memset(big + r * 257, r % 257 == 256 ? ' ' : '#', 256);
        big[r * 257 + 256] = '\n';
    }
    rc = am_patterns_read_text(&p, &w, &h, mem_file(0, big, len), err, sizeof err);
    ok(rc == AM_ERANGE && strstr(err, "more than 16777216 units in all"), "over 2^24 units: %s", err);
    free(big);
    ok(am_status_errno(am_patterns_read_text(&p, &w, &h, "/nonexistent/p.txt", err, sizeof err)) == ENOENT &&
           strstr(err, "No such file"), "a missing file keeps ENOENT: %s", err);
    ok(am_patterns_read_text(NULL, &w, &h, "x", err, sizeof err) == AM_EINVAL, "no output: AM_EINVAL");
}

int main(void)
{
    drawn();
    am_patterns *p = NULL, *q = NULL;
    am_rng rng;
    am_rng_init(&rng, 3, 0);
    ok(am_patterns_create(&p, 0, 3) == AM_EINVAL && p == NULL, "n = 0 is rejected");
    ok(am_patterns_create(&p, (size_t)1 << 62, (size_t)1 << 10) == AM_EOVERFLOW, "huge set is an overflow");
    ok(am_patterns_create(&p, AM_MAX_UNITS + 1, 1) == AM_EINVAL && p == NULL,
       "more than AM_MAX_UNITS units is AM_EINVAL, as documented");
    ok(am_patterns_create(&p, AM_MAX_UNITS, 0) == AM_OK, "AM_MAX_UNITS units are allowed");
    am_patterns_free(p);
    am_patterns_free(NULL);
    ok(1, "am_patterns_free(NULL) is a no-op");

    /* Packing round trip at an n that is not a multiple of 64. */
    ok(am_patterns_create(&p, 130, 50) == AM_OK && p->words == 3, "create 50 x 130 (3 words)");
    am_patterns_random(p, &rng);
    int8_t s[130], t[130];
    int tails_zero = 1, roundtrip = 1;
    for (size_t mu = 0; mu < p->count; mu++) {
        tails_zero &= (p->bits[mu * 3 + 2] >> 2) == 0;
        am_patterns_get(p, mu, s);
        am_patterns_set(p, mu, s);
        am_patterns_get(p, mu, t);
        roundtrip &= !memcmp(s, t, 130);
        for (size_t i = 0; i < 130; i++)
            roundtrip &= s[i] == am_patterns_unit(p, mu, i) && (s[i] == 1 || s[i] == -1);
    }
    ok(tails_zero, "unused tail bits stay zero");
    ok(roundtrip, "get/set/unit agree");

    float *fv = malloc(50 * 130 * sizeof(float));
    int8_t *tv = malloc(50 * 130);
    am_patterns_to_float(p, fv);
    am_patterns_to_int8_t(p, tv);
    int views = 1;
    for (size_t mu = 0; mu < 50; mu++)
        for (size_t i = 0; i < 130; i++)
            views &= fv[mu * 130 + i] == am_patterns_unit(p, mu, i) && tv[i * 50 + mu] == am_patterns_unit(p, mu, i);
    ok(views, "float and transposed int8 views match");
    free(fv);
    free(tv);
    am_patterns_free(p);

    /* Statistics of the generators. */
    ok(am_patterns_create(&p, 1000, 200) == AM_OK, "create 200 x 1000");
    am_patterns_random(p, &rng);
    long plus = 0;
    double ov = 0;
    int8_t *x = malloc(1000);
    for (size_t mu = 0; mu < 200; mu++) {
        am_patterns_get(p, mu, x);
        for (int i = 0; i < 1000; i++)
            plus += x[i] > 0;
        if (mu)
            ov += am_patterns_overlap(p, mu, p, mu - 1) * am_patterns_overlap(p, mu, p, mu - 1);
    }
    is_near(plus / 200000.0, 0.5, 0.005, "random: half the units are +1");
    is_near(ov / 199, 1.0 / 1000, 0.0004, "random: mean squared overlap is 1/N");

    ok(am_patterns_biased(p, 0.2, &rng) == AM_OK, "biased a = 0.2");
    plus = 0;
    for (size_t mu = 0; mu < 200; mu++) {
        am_patterns_get(p, mu, x);
        for (int i = 0; i < 1000; i++)
            plus += x[i] > 0;
    }
    is_near(plus / 200000.0, 0.2, 0.004, "biased: activity 0.2");
    ok(am_patterns_biased(p, 1.5, &rng) == AM_EINVAL, "activity > 1 rejected");

    int8_t parent[1000];
    ok(am_patterns_correlated(p, 0.1, parent, &rng) == AM_OK, "correlated q = 0.1");
    double po = 0, cc = 0;
    for (size_t mu = 0; mu < 200; mu++) {
        am_patterns_get(p, mu, x);
        po += am_state_overlap(x, parent, 1000);
        if (mu)
            cc += am_patterns_overlap(p, mu, p, mu - 1);
    }
    is_near(po / 200, 0.8, 0.01, "correlated: overlap with the parent is 1 - 2q");
    is_near(cc / 199, 0.64, 0.01, "correlated: overlap between children is (1 - 2q)^2");
    ok(am_patterns_correlated(p, -0.1, NULL, &rng) == AM_EINVAL, "q < 0 rejected");
    am_patterns_free(p);

    /* Drawing. */
    int8_t board[16];
    ok(am_state_checkerboard(board, 4, 4, 1, 0) == AM_OK && board[0] == 1 && board[1] == -1 && board[4] == -1 &&
           board[5] == 1,
       "checkerboard cell 1");
    ok(am_state_checkerboard(board, 4, 4, 2, 1) == AM_OK && board[0] == -1 && board[1] == -1 && board[2] == 1 &&
           board[10] == -1,
       "checkerboard cell 2, phase 1");
    ok(am_state_checkerboard(board, 4, 4, 0, 0) == AM_EINVAL, "cell 0 rejected");
    int8_t glyph[35];
    ok(am_state_letter(glyph, 5, 7, 'a') == AM_OK, "letter a (lower case accepted)");
    /* A: top row .###., middle row #####. */
    ok(glyph[0] == -1 && glyph[1] == 1 && glyph[3] == 1 && glyph[4] == -1 && glyph[15] == 1 && glyph[19] == 1,
       "letter A has its top bar and crossbar");
    ok(am_state_letter(glyph, 5, 7, '3') == AM_EINVAL, "non-letter rejected");
    ok(am_state_letter(glyph, 4, 7, 'A') == AM_EINVAL, "grid smaller than 5x7 rejected");
    /* Grids whose width x height (or the scaled coordinates of a letter) overflow a size_t address no state: before
     * the check they wrote far outside the 16-unit buffer. */
    ok(am_state_checkerboard(board, (size_t)1 << 62, 4, 1, 0) == AM_EOVERFLOW, "checkerboard: a 2^62 x 4 grid");
    ok(am_state_letter(glyph, (size_t)1 << 62, 8, 'A') == AM_EOVERFLOW, "letter: a 2^62 x 8 grid");
    ok(am_state_letter(glyph, 5, SIZE_MAX / 6, 'A') == AM_EOVERFLOW, "letter: 7 x height overflows");
    ok(am_patterns_create(&p, 10 * 14, 26) == AM_OK, "letters set 26 x (10x14)");
    ok(am_patterns_letters(p, 10, 14, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == AM_OK, "draw A-Z at 10x14");
    size_t mind = 140;
    for (size_t a = 0; a < 26; a++)
        for (size_t b = a + 1; b < 26; b++) {
            size_t d = am_patterns_hamming(p, a, p, b);
            mind = d < mind ? d : mind;
        }
    ok(mind >= 4, "all 26 letters differ (closest pair %zu units apart)", mind);
    ok(am_patterns_letters(p, 10, 14, "ABC") == AM_EINVAL, "text length must equal count");
    ok(am_patterns_letters(p, 10, 10, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == AM_EINVAL, "grid must equal n");
    {
        am_patterns *cb = NULL;
        int8_t a[64], b[64];
        am_patterns_create(&cb, 64, 4);
        int rc = am_patterns_checkerboards(cb, 8, 8);
        am_patterns_get(cb, 3, a);
        am_state_checkerboard(b, 8, 8, 2, 1);
        ok(!rc && !memcmp(a, b, 64), "checkerboards: pattern 3 has cells of 2 in phase 1");
        am_patterns *big = NULL;
        am_patterns_create(&big, 64, 17);
        ok(am_patterns_checkerboards(big, 8, 8) == AM_EINVAL, "at most 2 x 8 checkerboards on an 8x8 grid");
        am_patterns_free(cb);
        am_patterns_free(big);
    }
    am_patterns_free(p);

    /* Corruption. */
    int8_t orig[1000];
    for (int i = 0; i < 1000; i++)
        orig[i] = (int8_t)((i % 3) ? 1 : -1);
    int exact = 1;
    for (size_t k = 0; k <= 1000; k += 97) {
        memcpy(x, orig, 1000);
        am_state_flip_k(x, 1000, k, &rng);
        exact &= am_state_hamming(x, orig, 1000) == k;
    }
    ok(exact, "flip_k flips exactly k distinct units");
    long hits0 = 0;
    for (int r = 0; r < 2000; r++) {
        memcpy(x, orig, 1000);
        am_state_flip_k(x, 1000, 10, &rng);
        hits0 += x[0] != orig[0];
    }
    is_near(hits0 / 2000.0, 0.01, 0.0075, "flip_k picks unit 0 with probability k/n");
    memcpy(x, orig, 1000);
    ok(am_state_flip_frac(x, 1000, 0.1004, &rng) == AM_OK && am_state_hamming(x, orig, 1000) == 100,
       "flip_frac flips round(f n)");
    ok(am_state_flip_k(x, 1000, 1001, &rng) == AM_EINVAL, "k > n rejected");
    ok(am_state_flip_frac(x, 1000, 1.5, &rng) == AM_EINVAL, "f > 1 rejected");
    int8_t img[100];
    memset(img, 1, 100);
    ok(am_state_occlude(img, 10, 10, 8, 8, 5, 5, -1, NULL) == AM_OK, "occlude a block that overhangs the edge");
    int blk = 1;
    for (int y = 0; y < 10; y++)
        for (int xx = 0; xx < 10; xx++)
            blk &= img[y * 10 + xx] == ((y >= 8 && xx >= 8) ? -1 : 1);
    ok(blk, "occlusion covers exactly the clipped block");
    ok(am_state_occlude(img, 10, 10, 0, 0, 10, 10, 0, NULL) == AM_EINVAL, "random fill needs an rng");
    /* The Python module's am.occlude(np.ones(100), 2**62, 4, 0, 0, 3, 3): width x height wraps to 0, and the block
     * was written at rows of 2^62 units, far outside the 100-unit state. */
    memset(img, 1, 100);
    ok(am_state_occlude(img, (size_t)1 << 62, 4, 0, 0, 3, 3, -1, NULL) == AM_EOVERFLOW,
       "occlude: a 2^62 x 4 grid (width x height wraps) is AM_EOVERFLOW");
    int untouched = 1;
    for (int i = 0; i < 100; i++)
        untouched &= img[i] == 1;
    ok(untouched, "... and writes nothing");
    ok(am_state_occlude(img, 10, 10, 0, 0, 10, 10, 0, &rng) == AM_OK, "random fill");

    /* Overlaps agree between the packed and the unpacked forms. */
    ok(am_patterns_create(&p, 1000, 2) == AM_OK && am_patterns_create(&q, 1000, 1) == AM_OK, "two sets");
    am_patterns_random(p, &rng);
    am_patterns_random(q, &rng);
    int8_t y[1000];
    uint64_t pk[16];
    am_patterns_get(p, 1, x);
    am_patterns_get(q, 0, y);
    am_state_pack(y, 1000, pk);
    ok(am_patterns_hamming(p, 1, q, 0) == am_state_hamming(x, y, 1000) &&
           am_patterns_hamming_packed(p, 1, pk) == am_state_hamming(x, y, 1000),
       "popcount Hamming distance equals the unpacked one");
    is_near(am_patterns_overlap(p, 1, q, 0), am_state_overlap(x, y, 1000), 1e-12, "overlap packed = unpacked");
    is_near(am_state_overlap(x, x, 1000), 1.0, 0, "self-overlap is 1");
    am_patterns_free(p);
    ok(am_patterns_clone(&p, q) == AM_OK && am_patterns_hamming(p, 0, q, 0) == 0, "clone copies");
    am_patterns_free(p);
    am_patterns_free(q);
    free(x);
    return done_testing();
}
