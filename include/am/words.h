/* libam — the word modality: a spelling encoder (character trigrams composed holographically), clean-up
 * against a vocabulary, and WordNet (Debian's wordnet-base files) for the synonyms and hypernyms of a concept.
 *
 * Encoder. Every symbol (a-z, 0-9, space, '-', '\'', and the word boundary '#') has a random vector i.i.d.
 * N(0, 1/D) drawn from (seed, symbol). A trigram abc is a (*) P(b) (*) P^2(c) with (*) circular convolution
 * and P a random permutation of the components drawn from seed (so order matters: "dog" and "god" are
 * unrelated; a cyclic shift would not do, it commutes with convolution); a word is the normalised sum of the
 * trigrams of
 * "#word#" (letters folded to lower case). Words sharing trigrams are near each other: "sneaker" and
 * "sneakers" have cosine ~0.8, unrelated words ~0 +- 1/sqrt(D). The same (dim, seed) gives the same bits.
 * Decoding is clean-up against a vocabulary: am/lexicon.h. */
#ifndef AM_WORDS_H
#define AM_WORDS_H

#include <stddef.h>
#include <stdint.h>

#include "am/fft.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AM_WORD_MAX 64 /* characters in a word */

typedef struct am_word_encoder am_word_encoder;

/* dim 16 .. 2^20. */
int am_word_encoder_create(am_word_encoder **out, size_t dim, uint64_t seed);
void am_word_encoder_free(am_word_encoder *e);
size_t am_word_encoder_dim(const am_word_encoder *e);
/* Is w a word the encoder takes (1 .. AM_WORD_MAX characters of the symbol set, at least one letter or
 * digit; upper case allowed)? */
int am_word_valid(const char *w);
/* Equal ignoring ASCII case (the encoder's notion of the same word). */
int am_word_equal(const char *a, const char *b);
/* out: dim floats (caller-owned), unit length. AM_EINVAL for a word am_word_valid rejects. Thread-safe. */
int am_word_encode(const am_word_encoder *e, const char *word, float *out);
/* n words at once into out (n x dim, caller-owned), with one scratch allocation; AM_EINVAL (nothing written)
 * if any word is invalid. */
int am_word_encode_many(const am_word_encoder *e, const char *const *words, size_t n, float *out);

/* ---- WordNet ---- */
typedef struct am_wordnet am_wordnet;
/* dir: a WordNet dict directory holding index.noun and data.noun; NULL: $AM_WORDNET_DIR, else Debian's
 * /usr/share/wordnet. A missing file keeps errno (ENOENT: install wordnet-base); err (errsize bytes, may be
 * NULL) names the file and the reason. */
int am_wordnet_open(am_wordnet **out, const char *dir, char *err, size_t errsize);
void am_wordnet_close(am_wordnet *w);
/* Why the last failed call on w failed ("" when none; owned by w, valid until the next call): the file, the
 * line, and what is wrong there, e.g. "/usr/share/wordnet/data.noun line 812: want p_cnt, the pointer count,
 * 3 digits, found \"00x\"". Text from the files is quoted and escaped. */
const char *am_wordnet_message(const am_wordnet *w);
/* The synset offset of noun `lemma` (spaces or underscores, any case) in its sense `sense` (1 = the most
 * frequent). AM_ERANGE if the lemma is not a noun or has fewer senses; AM_EFORMAT for a malformed entry. */
int am_wordnet_noun(am_wordnet *w, const char *lemma, int sense, uint32_t *offset);

typedef struct am_synset {
    uint32_t offset;
    size_t nwords, nhyper;
    char **words;         /* lemmas, underscores turned into spaces */
    uint32_t *hypernyms;  /* offsets of its hypernyms (@ and @i pointers) */
    char *gloss;          /* the definition */
} am_synset;
/* Read the synset at offset from data.noun (every field checked; AM_EFORMAT for a malformed line or an offset
 * inside a line, AM_ERANGE for one past the end). */
int am_wordnet_synset(am_wordnet *w, uint32_t offset, am_synset *out);
void am_synset_clear(am_synset *s);
/* Parse one data.noun line (exposed for tests and fuzzing). */
int am_wordnet_parse_line(const char *line, size_t len, am_synset *out);

/* The words of Fashion-MNIST class c (0-9): its lemma's synonyms, then the hypernyms' lemmas up to `depth`
 * levels (breadth first, each word once, the class's own name first). *words: malloc'd array of malloc'd
 * strings (free with am_words_free). The class -> synset mapping is libam's (am_wordnet_fashion_sense). */
int am_wordnet_fashion_words(am_wordnet *w, int c, int depth, char ***words, size_t *n);
/* The lemma and sense libam maps class c to (e.g. "sneaker", 1); NULL for c out of range. */
const char *am_wordnet_fashion_sense(int c, int *sense);
void am_words_free(char **words, size_t n);
/* Where a word list went wrong: the line's number and its first characters, ready for a message: in double
 * quotes, printable ASCII as it is, '"' and '\\' escaped, every other byte (control bytes, invalid UTF-8)
 * as \xNN, cut with an ellipsis when longer. */
typedef struct am_words_where {
    size_t line;
    char text[64];
} am_words_where;
/* A word list file: one word per line, surrounding blanks trimmed, blank lines and '#' comments skipped, at
 * most `max` words. *words (malloc'd strings, free with am_words_free) in file order; duplicates are kept
 * (the caller's policy). AM_EFORMAT for a line that is not a word (am_word_valid) or is too long, and
 * AM_ERANGE for more than max words, both with the line in *where (may be NULL); AM_EEMPTY for no words;
 * system errors keep errno. */
int am_words_read(const char *path, size_t max, char ***words, size_t *n, am_words_where *where);

#ifdef __cplusplus
}
#endif
#endif
