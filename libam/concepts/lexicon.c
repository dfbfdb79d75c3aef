/* A vocabulary with its spelling codes and a clean-up memory (see am/lexicon.h). */
#include "am/lexicon.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "am/error.h"
#include "am/modern.h"



struct am_lexicon {
    size_t n, d;
    char **words;
    float *codes;
    am_modern *mem;
};

static int cmp_fold(const void *a, const void *b)
{
    return strcasecmp(*(char *const *)a, *(char *const *)b);
}

int am_lexicon_create(am_lexicon **out, const am_word_encoder *e, const char *const *words, size_t n)
{
    if (!out)
        return AM_EINVAL;
    *out = NULL;
    if (!e || !words || n == 0)
        return AM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!am_word_valid(words[i]))
            return AM_EINVAL;
    am_lexicon *l = calloc(1, sizeof *l);
    if (!l)
        return AM_ENOMEM;
    l->d = am_word_encoder_dim(e);
    size_t bytes;
    int rc = am_size_mul3(n, l->d, sizeof(float), &bytes);
    if (!rc && (!(l->words = calloc(n, sizeof *l->words)) || !(l->codes = malloc(bytes))))
        rc = AM_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        if (!(l->words[i] = strdup(words[i])))
            rc = AM_ENOMEM;
        l->n = i + 1;
    }
    /* Duplicates (ignoring case): sorted copies side by side, O(n log n). */
    if (!rc) {
        char **sorted = malloc(n * sizeof *sorted);
        if (!sorted)
            rc = AM_ENOMEM;
        else {
            memcpy(sorted, l->words, n * sizeof *sorted);
            qsort(sorted, n, sizeof *sorted, cmp_fold);
            for (size_t i = 1; i < n && !rc; i++)
                if (am_word_equal(sorted[i - 1], sorted[i]))
                    rc = AM_EINVAL;
            free(sorted);
        }
    }
    if (!rc)
        rc = am_word_encode_many(e, (const char *const *)l->words, n, l->codes);
    if (!rc && !(rc = am_modern_create(&l->mem, l->d, 1.0)))
        rc = am_modern_store(l->mem, l->codes, n);
    if (rc) {
        am_lexicon_free(l);
        return rc;
    }
    *out = l;
    return AM_OK;
}

void am_lexicon_free(am_lexicon *l)
{
    if (!l)
        return;
    for (size_t i = 0; l->words && i < l->n; i++)
        free(l->words[i]);
    free(l->words);
    free(l->codes);
    am_modern_free(l->mem);
    free(l);
}

size_t am_lexicon_size(const am_lexicon *l) { return l->n; }
const char *am_lexicon_word(const am_lexicon *l, size_t i) { return i < l->n ? l->words[i] : NULL; }
const float *am_lexicon_codes(const am_lexicon *l) { return l->codes; }

long am_lexicon_find(const am_lexicon *l, const char *word)
{
    for (size_t i = 0; word && i < l->n; i++)
        if (am_word_equal(l->words[i], word))
            return (long)i;
    return -1;
}

int am_lexicon_decode(const am_lexicon *l, const float *latent, size_t nq, size_t *idx)
{
    if (!l || !latent || (nq && !idx))
        return AM_EINVAL;
    /* Codes have unit length: the largest dot product is the largest cosine. */
    return am_modern_nearest(l->mem, latent, nq, idx, NULL);
}


int am_lexicon_neighbours(const am_lexicon *l, size_t *idx)
{
    if (!l || !idx)
        return AM_EINVAL;
    size_t *self = malloc(l->n * sizeof *self);
    if (!self)
        return AM_ENOMEM;
    for (size_t i = 0; i < l->n; i++)
        self[i] = i;
    int rc = am_modern_nearest_excluding(l->mem, l->codes, l->n, self, idx, NULL);
    free(self);
    return rc;
}
