/* WordNet data lines through the parser (the bytes as they are, not NUL-terminated), word validity, and the
 * same bytes as a word list file. */
#include <string.h>

#include "am/am.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    am_synset s;
    if (am_wordnet_parse_line((const char *)data, size, &s) == AM_OK) {
        size_t total = 0;
        for (size_t i = 0; i < s.nwords; i++)
            total += strlen(s.words[i]) + am_word_valid(s.words[i]);
        (void)total;
        am_synset_clear(&s);
    }
    char **w = NULL;
    size_t n = 0;
    am_words_where at;
    if (am_words_read(fuzz_file(data, size), 1000, &w, &n, &at) == AM_OK)
        am_words_free(w, n);
    return 0;
}
