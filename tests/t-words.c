/* The word modality: spelling-encoder neighbourhoods and determinism, clean-up of misspellings against a
 * vocabulary, WordNet lookups (skipped with a reason when wordnet-base is absent), the data-line parser on
 * good and hostile lines, errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../libam/encoders/internal.h"
#include "am/am.h"
#include "tap.h"

static double cosine(const float *a, const float *b, size_t d)
{
    return am_hrr_cosine(d, a, b);
}

/* A WordNet over two texts in memory (named "idx" and "dat" in messages); NULL when it does not open. */
static am_wordnet *wordnet_of(const char *index, const char *data)
{
    am_wordnet *w = NULL;
    FILE *fi = fmemopen((void *)index, strlen(index), "r"), *fd = fmemopen((void *)data, strlen(data), "r");
    if (!fi || !fd) {
        if (fi)
            fclose(fi);
        if (fd)
            fclose(fd);
        return NULL;
    }
    return am__wordnet_from_streams(&w, fi, "idx", fd, "dat", NULL, 0) ? NULL : w;
}

/* Each failure of a WordNet lookup names the file, the line and what is wrong, file text quoted. */
static void wordnet_messages(void)
{
    static const char lic[] = "  1 license line\n"; /* 17 bytes: the synset lines below start at offset 17 */
    char index[256], data[256];
    uint32_t off = 0;
    am_synset s;
    snprintf(index, sizeof index, "%stee_shirt n 1 1 @ 1 0 0414bad9\n", lic);
    am_wordnet *w = wordnet_of(index, lic);
    ok(w && am_wordnet_noun(w, "tee shirt", 1, &off) == AM_EFORMAT &&
           !strcmp(am_wordnet_message(w), "idx line 2: the entry of \"tee_shirt\": a synset offset is not 8 digits: \"0414bad9\""),
       "a malformed index entry: %s", w ? am_wordnet_message(w) : "");
    ok(w && am_wordnet_noun(w, "tee shirt", 2, &off) == AM_ERANGE && strstr(am_wordnet_message(w), "idx line 2: \"tee_shirt\" has 1 noun senses, not 2"),
       "a sense beyond the entry's: %s", w ? am_wordnet_message(w) : "");
    ok(w && am_wordnet_noun(w, "sh\001irt", 1, &off) == AM_ERANGE && !strcmp(am_wordnet_message(w), "idx: no noun \"sh\\x01irt\""),
       "an absent lemma, quoted: %s", w ? am_wordnet_message(w) : "");
    am_wordnet_close(w);
    snprintf(index, sizeof index, "tee_shirt n 1 1 @ 1 0 00000017\n");
    snprintf(data, sizeof data, "%s00000017 06 n 01 tee_shirt 0 00x @ 1 n 0000 | a shirt\n", lic);
    w = wordnet_of(index, data);
    ok(w && am_wordnet_noun(w, "tee_shirt", 1, &off) == AM_OK && off == 17 && am_wordnet_synset(w, off, &s) == AM_EFORMAT &&
           !strcmp(am_wordnet_message(w), "dat line 2: want p_cnt, the pointer count, 3 digits, found \"00x\""),
       "a malformed data line: %s", w ? am_wordnet_message(w) : "");
    am_wordnet_close(w);
    snprintf(data, sizeof data, "%s00000017 06 n 01 tee_shirt 0 000 | a shirt", lic);
    w = wordnet_of(index, data);
    ok(w && am_wordnet_synset(w, 17, &s) == AM_OK && s.nwords == 1 && !strcmp(s.words[0], "tee shirt") &&
           am_wordnet_message(w)[0] == 0,
       "a last line without a newline reads, and leaves no message");
    am_synset_clear(&s);
    ok(w && am_wordnet_synset(w, 20, &s) == AM_ERANGE && strstr(am_wordnet_message(w), "20 is not a synset offset"),
       "an offset inside a line: %s", w ? am_wordnet_message(w) : "");
    ok(w && am_wordnet_synset(w, 9999, &s) == AM_ERANGE && strstr(am_wordnet_message(w), "dat: synset offset 00009999 is past the end"),
       "an offset past the end: %s", w ? am_wordnet_message(w) : "");
    am_wordnet_close(w);
    size_t big = 70000;
    char *huge = malloc(big + 2);
    memset(huge, 'a', big);
    memcpy(huge + big, "\n", 2);
    w = wordnet_of(huge, lic);
    ok(w && am_wordnet_noun(w, "b", 1, &off) == AM_EFORMAT && !strcmp(am_wordnet_message(w), "idx line 1: longer than 65535 bytes"),
       "an index line too long: %s", w ? am_wordnet_message(w) : "");
    am_wordnet_close(w);
    free(huge);
}

int main(void)
{
    const size_t D = 1024;
    am_word_encoder *e = NULL, *e2 = NULL, *e3 = NULL;
    ok(am_word_encoder_create(&e, D, 1) == AM_OK && am_word_encoder_dim(e) == D, "encoder D=1024");
    float *a = malloc(D * sizeof *a), *b = malloc(D * sizeof *b), *c = malloc(D * sizeof *c);
    am_word_encode(e, "sneaker", a);
    am_word_encode(e, "sneakers", b);
    am_word_encode(e, "trouser", c);
    double s_ab = cosine(a, b, D), s_ac = cosine(a, c, D);
    ok(s_ab > 0.7 && s_ab < 0.9, "sneaker ~ sneakers: cosine %.3f (6 of 7 and 8 trigrams shared: ~0.80)", s_ab);
    ok(fabs(s_ac - 1.0 / 7) < 0.1, "sneaker vs trouser: cosine %.3f (one trigram of 7 shared, 'er#': ~1/7)", s_ac);
    double len = 0;
    for (size_t i = 0; i < D; i++)
        len += (double)a[i] * a[i];
    is_near(len, 1.0, 1e-5, "codes have unit length");
    am_word_encode(e, "SNEAKER", b);
    ok(!memcmp(a, b, D * sizeof *a), "case folded");
    am_word_encode(e, "sneaker", b);
    ok(!memcmp(a, b, D * sizeof *a), "same word, same bits");
    am_word_encoder_create(&e2, D, 1);
    am_word_encode(e2, "sneaker", b);
    ok(!memcmp(a, b, D * sizeof *a), "same seed, another encoder: same bits");
    am_word_encoder_create(&e3, D, 2);
    am_word_encode(e3, "sneaker", b);
    ok(fabs(cosine(a, b, D)) < 0.15, "another seed: another code");
    /* Order matters: anagrams share letters, not trigrams. */
    am_word_encode(e, "god", b);
    am_word_encode(e, "dog", c);
    ok(fabs(cosine(b, c, D)) < 0.15, "dog vs god: cosine %.3f", cosine(b, c, D));
    /* Over many random pairs the cosine of unrelated words is ~ N(0, 1/D). */
    double s2 = 0;
    int np = 0;
    const char *pool[] = {"coat", "bag", "sandal", "dress", "pullover", "shirt", "boot", "jersey", "frock", "pump"};
    for (int i = 0; i < 10; i++)
        for (int j = i + 1; j < 10; j++) {
            am_word_encode(e, pool[i], b);
            am_word_encode(e, pool[j], c);
            double x = cosine(b, c, D);
            s2 += x * x;
            np++;
        }
    ok(sqrt(s2 / np) < 0.15, "rms cosine of 45 pairs of different words %.3f (shared trigrams aside ~ 1/sqrt D)", sqrt(s2 / np));

    /* ---- lexicon clean-up ---- */
    const char *vocab[] = {"t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                           "ankle boot", "jersey", "frock", "gym shoe", "tennis shoe", "footwear", "garment"};
    am_lexicon *lx = NULL;
    ok(am_lexicon_create(&lx, e, vocab, 16) == AM_OK && am_lexicon_size(lx) == 16, "lexicon of 16 words");
    const char *typo[] = {"sneekers", "trousers", "pulover", "T-Shirts", "ankle-boot", "tenis shoes", "garments", "frocks"};
    const char *want[] = {"sneaker", "trouser", "pullover", "t-shirt", "ankle boot", "tennis shoe", "garment", "frock"};
    float *q = malloc(8 * D * sizeof *q);
    for (int k = 0; k < 8; k++)
        am_word_encode(e, typo[k], q + k * D);
    size_t idx[8];
    ok(am_lexicon_decode(lx, q, 8, idx) == AM_OK, "decode 8 misspellings");
    int right = 0;
    for (int k = 0; k < 8; k++) {
        right += !strcmp(am_lexicon_word(lx, idx[k]), want[k]);
        if (strcmp(am_lexicon_word(lx, idx[k]), want[k]))
            diag("%s -> %s", typo[k], am_lexicon_word(lx, idx[k]));
    }
    is_int(right, 8, "every misspelling cleans up to its word");
    /* A noisy code (cosine ~0.5 with the word) still cleans up. */
    am_rng rng;
    am_rng_init(&rng, 3, 0);
    const float *codes = am_lexicon_codes(lx);
    for (size_t i = 0; i < D; i++)
        q[i] = codes[7 * D + i] + (float)(am_rng_normal(&rng) / sqrt((double)D) * 1.7);
    am_lexicon_decode(lx, q, 1, idx);
    ok(idx[0] == 7, "sneaker's code under noise of 1.7x its length cleans up to sneaker");
    size_t nbr[16];
    ok(am_lexicon_neighbours(lx, nbr) == AM_OK && !strcmp(am_lexicon_word(lx, nbr[12]), "tennis shoe") &&
           !strcmp(am_lexicon_word(lx, nbr[13]), "gym shoe") && nbr[6] != 6,
       "neighbours: gym shoe <-> tennis shoe, never the word itself");
    is_int(am_lexicon_find(lx, "Gym Shoe"), 12, "find (case-folded)");
    is_int(am_lexicon_find(lx, "hat"), -1, "find: absent");
    ok(am_lexicon_word(lx, 99) == NULL, "word out of range: NULL");
    am_lexicon *bad = (am_lexicon *)1;
    const char *dup[] = {"coat", "Coat"};
    is_int(am_lexicon_create(&bad, e, dup, 2), AM_EINVAL, "duplicate words: AM_EINVAL");
    ok(bad == NULL, "out NULL after failure");
    const char *inv[] = {"coat", "a;b"};
    is_int(am_lexicon_create(&bad, e, inv, 2), AM_EINVAL, "an invalid word: AM_EINVAL");
    q[3] = NAN;
    is_int(am_lexicon_decode(lx, q, 1, idx), AM_EINVAL, "a NaN latent: AM_EINVAL");

    /* ---- validity, errors ---- */
    ok(am_word_valid("rock'n'roll") && am_word_valid("x-ray 2") && !am_word_valid("") && !am_word_valid("#hash") &&
           !am_word_valid("---") && !am_word_valid("caf\xc3\xa9") && !am_word_valid(NULL),
       "valid words: letters, digits, space, '-', '''; at least one letter or digit");
    char longw[80];
    memset(longw, 'a', 65);
    longw[65] = 0;
    is_int(am_word_encode(e, longw, a), AM_EINVAL, "a 65-character word: AM_EINVAL");
    am_word_encoder *be = (am_word_encoder *)1;
    is_int(am_word_encoder_create(&be, 8, 1), AM_EINVAL, "dimension 8: AM_EINVAL");
    ok(be == NULL, "encoder out NULL after failure");

    /* ---- word list files ---- */
    {
        char wdir[] = "/tmp/t-words-list-XXXXXX", wp[300];
        ok(mkdtemp(wdir) != NULL, "directory for word lists");
        snprintf(wp, sizeof wp, "%s/list", wdir);
        FILE *f = fopen(wp, "w");
        fputs("# comment\n  sneaker  \n\nAnkle Boot\r\nbag\n", f);
        fclose(f);
        char **wl = NULL;
        size_t nl = 0;
        am_words_where at;
        ok(am_words_read(wp, 10, &wl, &nl, &at) == AM_OK && nl == 3 && !strcmp(wl[0], "sneaker") &&
               !strcmp(wl[1], "Ankle Boot") && !strcmp(wl[2], "bag"),
           "a word list: comments, blank lines and surrounding blanks skipped, CRLF tolerated");
        am_words_free(wl, nl);
        is_int(am_words_read(wp, 2, &wl, &nl, &at), AM_ERANGE, "more words than allowed: AM_ERANGE");
        is_int(at.line, 5, "at the line of the first word too many");
        f = fopen(wp, "w");
        fputs("coat\nhat;rm\n", f);
        fclose(f);
        ok(am_words_read(wp, 10, &wl, &nl, &at) == AM_EFORMAT && at.line == 2 && !strcmp(at.text, "\"hat;rm\"") &&
               wl == NULL && nl == 0,
           "a line that is not a word: AM_EFORMAT with its line and text, nothing returned");
        f = fopen(wp, "w");
        fputs("coat\nb\001a\033[2J\377\"\\\n", f);
        fclose(f);
        ok(am_words_read(wp, 10, &wl, &nl, &at) == AM_EFORMAT && at.line == 2 &&
               !strcmp(at.text, "\"b\\x01a\\x1b[2J\\xff\\\"\\\\\""),
           "its text quoted for a message: control bytes and invalid UTF-8 as \\xNN (%s)", at.text);
        f = fopen(wp, "w");
        for (int i = 0; i < 100; i++)
            fputc('a', f);
        fputs("\ncoat\n", f);
        fclose(f);
        ok(am_words_read(wp, 10, &wl, &nl, &at) == AM_EFORMAT && at.line == 1 && strlen(at.text) < sizeof at.text &&
               !strcmp(at.text + strlen(at.text) - 4, "\xe2\x80\xa6\""),
           "a 100-character line: AM_EFORMAT, its text cut with an ellipsis (%s)", at.text);
        f = fopen(wp, "w");
        fwrite("coat\n\0apple\nbag\n", 1, 16, f);
        fclose(f);
        ok(am_words_read(wp, 10, &wl, &nl, &at) == AM_EFORMAT && at.line == 2 && !strcmp(at.text, "\"\\x00apple\""),
           "a NUL byte in a line: AM_EFORMAT, the whole line shown (%s)", at.text);
        f = fopen(wp, "w");
        fputs("# only a comment\n\n", f);
        fclose(f);
        is_int(am_words_read(wp, 10, &wl, &nl, NULL), AM_EEMPTY, "no words: AM_EEMPTY");
        unlink(wp);
        is_int(am_status_errno(am_words_read(wp, 10, &wl, &nl, NULL)), ENOENT, "a missing list keeps ENOENT");
        rmdir(wdir);
    }

    /* ---- WordNet data lines ---- */
    am_synset s;
    const char *good = "03472535 06 n 03 gym_shoe 0 sneaker 0 tennis_shoe 0 002 @ 04199027 n 0000 ~ 03967270 n 0000 "
                       "| a canvas shoe with a pliable rubber sole  \n";
    ok(am_wordnet_parse_line(good, strlen(good), &s) == AM_OK && s.offset == 3472535 && s.nwords == 3 &&
           !strcmp(s.words[0], "gym shoe") && s.nhyper == 1 && s.hypernyms[0] == 4199027 &&
           !strcmp(s.gloss, "a canvas shoe with a pliable rubber sole"),
       "parse a data.noun line: 3 lemmas, 1 hypernym, gloss");
    am_synset_clear(&s);
    am_synset_clear(&s);
    const char *hostile[] = {"", "x", "03472535 06 n ff", "03472535 06 n 03 gym_shoe 0", "03472535 06 n 00 |",
                             "03472535 06 n 01 a 0 999 @ 1 n 0000", "03472535 06 n 01 a 0 001 @ 04199027 n 00",
                             "03472535 06 n 01 a 0 001 @ 04199027 n 00zz", "-3472535 06 n 01 a 0 000",
                             "034725350000 06 n 01 a 0 000", "03472535 06 n 01 a g 000"};
    int rejected = 0;
    for (size_t k = 0; k < sizeof hostile / sizeof *hostile; k++) {
        int rc = am_wordnet_parse_line(hostile[k], strlen(hostile[k]), &s);
        rejected += rc == AM_EFORMAT && s.words == NULL && s.hypernyms == NULL;
        if (rc != AM_EFORMAT)
            diag("accepted: '%s'", hostile[k]);
    }
    is_int(rejected, (int)(sizeof hostile / sizeof *hostile), "malformed lines are AM_EFORMAT, nothing kept");
    /* Not NUL-terminated: the parser stops at len. */
    char cut[40];
    memcpy(cut, good, 40);
    ok(am_wordnet_parse_line(cut, 40, &s) == AM_EFORMAT, "a line cut at 40 bytes is AM_EFORMAT");

    /* ---- WordNet files ---- */
    am_wordnet *wn = NULL;
    int rc = am_wordnet_open(&wn, NULL, NULL, 0);
    if (rc == AM_ERRNO(ENOENT)) {
        ok(1, "# SKIP WordNet files absent (Debian's wordnet-base; tools/install-deps)");
    } else {
        ok(rc == AM_OK, "open Debian's WordNet");
        uint32_t off;
        ok(am_wordnet_noun(wn, "sneaker", 1, &off) == AM_OK && off == 3472535, "sneaker sense 1 is synset %08u", off);
        ok(am_wordnet_noun(wn, "tee shirt", 1, &off) == AM_OK, "multi-word lemma with a space");
        is_int(am_wordnet_noun(wn, "sneaker", 3, &off), AM_ERANGE, "sneaker has no third sense");
        is_int(am_wordnet_noun(wn, "zzzzqqq", 1, &off), AM_ERANGE, "an absent lemma: AM_ERANGE");
        ok(am_wordnet_noun(wn, "a", 1, &off) == AM_OK && am_wordnet_noun(wn, "zymurgy", 1, &off) == AM_OK,
           "the first and last lemmas are found (binary search ends)");
        is_int(am_wordnet_synset(wn, 3472536, &s), AM_ERANGE, "an offset inside a line: AM_ERANGE (not a synset offset)");
        ok(strstr(am_wordnet_message(wn), "/data.noun: ") && strstr(am_wordnet_message(wn), "3472536 is not a synset offset"),
           "named with its file and line: %s", am_wordnet_message(wn));
        char **w = NULL;
        size_t n = 0;
        ok(am_wordnet_fashion_words(wn, 7, 2, &w, &n) == AM_OK && n >= 5, "class Sneaker, depth 2: %zu words", n);
        int has_shoe = 0, has_tennis = 0, has_footwear = 0;
        for (size_t i = 0; i < n; i++) {
            has_shoe |= !strcmp(w[i], "shoe");
            has_tennis |= !strcmp(w[i], "tennis shoe");
            has_footwear |= !strcmp(w[i], "footwear");
        }
        ok(!strcmp(w[0], "sneaker") && has_tennis && has_shoe && has_footwear,
           "sneaker first, synonym 'tennis shoe', hypernyms 'shoe' and 'footwear'");
        am_words_free(w, n);
        int all = 1;
        for (int cl = 0; cl < 10; cl++) {
            all &= am_wordnet_fashion_words(wn, cl, 1, &w, &n) == AM_OK && n >= 2;
            for (size_t i = 0; i < n; i++)
                all &= am_word_valid(w[i]);
            am_words_free(w, n);
        }
        ok(all, "every class has synonyms or hypernyms, all valid words for the encoder");
        int sense;
        ok(!strcmp(am_wordnet_fashion_sense(9, &sense), "boot") && sense == 1 && am_wordnet_fashion_sense(10, NULL) == NULL,
           "class -> synset mapping: Ankle boot -> boot, sense 1");
        am_wordnet_close(wn);
    }
    char missing[] = "/tmp/t-words-XXXXXX";
    ok(mkdtemp(missing) != NULL, "empty directory");
    char why[256], expect[256];
    is_int(am_status_errno(am_wordnet_open(&wn, missing, why, sizeof why)), ENOENT, "a directory without WordNet: ENOENT");
    snprintf(expect, sizeof expect, "%s/index.noun: ", missing);
    ok(!strncmp(why, expect, strlen(expect)), "the message names the missing file: %s", why);
    wordnet_messages();
    rmdir(missing);
    am_wordnet_close(NULL);
    am_synset_clear(NULL);

    free(a), free(b), free(c), free(q);
    am_lexicon_free(lx);
    am_lexicon_free(NULL);
    am_word_encoder_free(e), am_word_encoder_free(e2), am_word_encoder_free(e3);
    am_word_encoder_free(NULL);
    return done_testing();
}
