/* ABC text through the reader; what it accepts is written back and read again, and must give the same notes. */
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    am_melodies *ms = NULL, *back = NULL;
    char err[256];
    if (am_abc_parse((const char *)data, size, "fuzz", &ms, err, sizeof err) != AM_OK)
        return 0;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (f && am_abc_fprint(f, ms) == AM_OK && fclose(f) == 0) {
        if (am_abc_parse(buf, n, "fuzz-back", &back, err, sizeof err) != AM_OK || back->count != ms->count)
            abort();
        for (size_t i = 0; i < ms->count; i++) {
            const am_melody *a = &ms->items[i], *b = &back->items[i];
            if (am_melody_check(a, NULL, 0) || a->count != b->count ||
                (a->count && memcmp(a->notes, b->notes, a->count * sizeof *a->notes)))
                abort();
        }
    } else if (f) {
        fclose(f);
    }
    free(buf);
    am_melodies_free(back);
    am_melodies_free(ms);
    return 0;
}
