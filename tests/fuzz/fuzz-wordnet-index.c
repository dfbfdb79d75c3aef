/* WordNet lookups over hostile files: the input up to its first NUL byte is index.noun, the rest data.noun
 * (without a NUL: the input as index.noun beside a small valid data.noun). Looked up: fixed lemmas, the first
 * field of the index's first lines, the senses found read as synsets, and a class's words through the
 * hypernyms (am_wordnet_fashion_words), every failure's message built. Both files live in memory. */
#include <string.h>

#include "../../libam/encoders/internal.h"
#include "am/am.h"
#include "fuzz.h"

static const char good_data[] = "  1 license\n"
                                "00000012 06 n 01 sneaker 0 001 @ 00000077 n 0000 | a canvas shoe\n"
                                "00000077 06 n 01 shoe 0 000 | footwear\n";

static void lookup(am_wordnet *w, const char *lemma)
{
    for (int sense = 1; sense <= 2; sense++) {
        uint32_t off;
        am_synset s;
        if (am_wordnet_noun(w, lemma, sense, &off) == AM_OK && am_wordnet_synset(w, off, &s) == AM_OK)
            am_synset_clear(&s);
        (void)strlen(am_wordnet_message(w));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t ni = nul ? (size_t)(nul - data) : size;
    const void *d = nul ? (const void *)(nul + 1) : good_data;
    size_t nd = nul ? size - ni - 1 : sizeof good_data - 1;
    FILE *fi = fmemopen((void *)data, ni, "r"), *fd = fmemopen((void *)d, nd, "r");
    am_wordnet *w = NULL;
    if (!fi || !fd) {
        if (fi)
            fclose(fi);
        if (fd)
            fclose(fd);
        return 0;
    }
    if (am__wordnet_from_streams(&w, fi, "index.noun", fd, "data.noun", NULL, 0) != AM_OK)
        return 0;
    static const char *const fixed[] = {"sneaker", "tee shirt", "a", "zymurgy", "shoe"};
    for (size_t k = 0; k < sizeof fixed / sizeof *fixed; k++)
        lookup(w, fixed[k]);
    char lemma[256];
    for (size_t at = 0, line = 0; at < ni && line < 4; line++) {
        size_t n = 0;
        while (at + n < ni && data[at + n] != ' ' && data[at + n] != '\n')
            n++;
        if (n > 0 && n < sizeof lemma) {
            memcpy(lemma, data + at, n);
            lemma[n] = 0;
            lookup(w, lemma);
        }
        const uint8_t *nl = memchr(data + at, '\n', ni - at);
        at = nl ? (size_t)(nl - data) + 1 : ni;
    }
    char **words = NULL;
    size_t nw = 0;
    if (am_wordnet_fashion_words(w, size % 10, 2, &words, &nw) == AM_OK)
        am_words_free(words, nw);
    am_wordnet_close(w);
    return 0;
}
