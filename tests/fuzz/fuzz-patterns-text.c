/* Patterns drawn as text (hopfield-demo --patterns FILE, am_patterns_read_text), then what the demo does with
 * them first: every pattern unpacked, and the overlaps of the first few. */
#include <string.h>

#include "am/am.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    am_patterns *p = NULL;
    size_t w = 0, h = 0;
    char err[256];
    if (am_patterns_read_text(&p, &w, &h, fuzz_file(data, size), err, sizeof err) != AM_OK)
        return 0;
    if (p->n != w * h || w == 0 || h == 0 || p->count == 0)
        abort(); /* a set that does not match its own grid */
    int8_t *s = malloc(p->n);
    double sum = 0;
    for (size_t mu = 0; s && mu < p->count; mu++) {
        am_patterns_get(p, mu, s);
        for (size_t i = 0; i < p->n; i++)
            if (s[i] != 1 && s[i] != -1)
                abort();
        if (mu < 8)
            for (size_t nu = 0; nu < 8 && nu < p->count; nu++)
                sum += am_patterns_overlap(p, mu, p, nu);
    }
    (void)sum;
    free(s);
    am_patterns_free(p);
    return 0;
}
