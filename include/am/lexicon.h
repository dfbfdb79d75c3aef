/* libam — a vocabulary of words with their spelling codes (am/words.h) and a clean-up memory (a modern store
 * of the codes, am/modern.h): decoding a word latent is finding the vocabulary word whose code has the
 * largest cosine with it (exact: am_modern_nearest). */
#ifndef AM_LEXICON_H
#define AM_LEXICON_H

#include <stddef.h>

#include "am/words.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A vocabulary with its codes and a clean-up memory. */
typedef struct am_lexicon am_lexicon;
/* n words (copied); duplicates are AM_EINVAL, as are invalid words. */
int am_lexicon_create(am_lexicon **out, const am_word_encoder *e, const char *const *words, size_t n);
void am_lexicon_free(am_lexicon *l);
size_t am_lexicon_size(const am_lexicon *l);
const char *am_lexicon_word(const am_lexicon *l, size_t i);
/* Codes, size x dim row-major (owned by the lexicon). */
const float *am_lexicon_codes(const am_lexicon *l);
/* Index of a word (case-folded), or -1. */
long am_lexicon_find(const am_lexicon *l, const char *word);
/* Clean-up: idx[k] = the word whose code has the largest cosine with latent k (nq x dim, finite). */
int am_lexicon_decode(const am_lexicon *l, const float *latent, size_t nq, size_t *idx);
/* idx[i] (size entries) = the other word whose code has the largest cosine with word i's (exact, as decode;
 * AM_EEMPTY for a one-word lexicon). */
int am_lexicon_neighbours(const am_lexicon *l, size_t *idx);

#ifdef __cplusplus
}
#endif
#endif
