/* Store files of every model (am_store_load dispatches on the magic), then the verbs a user runs on a
 * loaded store, so that a file that loads cannot break what comes after. */
#include <string.h>

#include "am/am.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = fuzz_file(data, size);
    am_store *s = NULL;
    if (am_store_load(&s, p) != AM_OK)
        return 0;
    size_t n = am_store_n(s), count = am_store_count(s);
    if (n <= 2048 && count <= 256) {
        int8_t *st = malloc(n);
        size_t unstable[4];
        am_rng rng;
        am_recall_opts o;
        am_rng_init(&rng, 1, 0);
        am_recall_opts_default(&o);
        o.max_steps = 3;
        for (size_t i = 0; i < n; i++)
            st[i] = (i * 7 + size) % 3 ? 1 : -1;
        (void)am_store_energy(s, st);
        (void)am_store_recall(s, st, &o, &rng, NULL, NULL);
        (void)am_store_stability_range(s, 0, count < 4 ? count : 4, unstable);
        free(st);
    }
    am_store_free(s);
    return 0;
}
