/* WordNet data lines through the parser (the bytes as they are, not NUL-terminated), and word validity. */
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
    return 0;
}
