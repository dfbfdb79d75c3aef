/* Sequence store files (seq-hebb, seq-dense, seq-mixed, seq-pinv, seq-modern) through am_store_load, twice:
 * as they are, and with the CRC trailer made right, so that mutations also reach what is checked after the
 * checksum (pattern tails) and the models built from what loaded (the pseudo-inverse rule's Cholesky on
 * repeated or dependent elements). A store that loads must hold consistent sequences and survive the verbs a
 * user runs on it: replay, transitions, recall, stability. */
#include <string.h>
#include <zlib.h>

#include "am/am.h"
#include "fuzz.h"

static void exercise(am_store *s)
{
    size_t n = am_store_n(s), count = am_store_count(s), total = 0;
    if (!(am_store_type_flags(am_store_type_of(s)) & AM_STORE_SEQUENCE))
        return;
    for (size_t k = 0; k < am_sequence_count(s); k++) {
        size_t first, len;
        int cyclic;
        if (am_sequence_info(s, k, &first, &len, &cyclic) || first != total || len == 0)
            abort(); /* a loaded store whose sequences do not tile its elements */
        total += len;
    }
    if (total != count)
        abort();
    for (size_t e = 0; e < count; e++)
        if (am_sequence_next(s, e) != SIZE_MAX && am_sequence_next(s, e) >= count)
            abort();
    if (n > 2048 || count == 0 || count > 256)
        return;
    int8_t *st = malloc(n), *next = malloc(4 * n);
    double *ov = malloc(4 * count * sizeof *ov);
    size_t unstable[4], nexact;
    am_replay_info info;
    am_recall_opts o;
    am_recall_opts_default(&o);
    o.max_steps = 3;
    for (size_t i = 0; i < n; i++)
        st[i] = (i * 7 + count) % 3 ? 1 : -1;
    (void)am_sequence_replay(s, st, SIZE_MAX, 3, NULL, NULL, ov, NULL, &info);
    (void)am_store_recall(s, st, &o, NULL, NULL, NULL);
    (void)am_sequence_transitions(s, 0, count < 4 ? count : 4, NULL, next, NULL, &nexact);
    (void)am_store_stability_range(s, 0, count < 4 ? count : 4, unstable);
    free(st), free(next), free(ov);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    am_store *s = NULL;
    if (am_store_load(&s, fuzz_file(data, size)) == AM_OK) {
        exercise(s);
        am_store_free(s);
    }
    if (size < 20 || size > ((size_t)1 << 20))
        return 0;
    uint8_t *fixed = malloc(size);
    memcpy(fixed, data, size);
    uint32_t c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), fixed, (uInt)(size - 4));
    for (int k = 0; k < 4; k++)
        fixed[size - 4 + k] = (uint8_t)(c >> (8 * k));
    s = NULL;
    if (am_store_load(&s, fuzz_file(fixed, size)) == AM_OK) {
        exercise(s);
        am_store_free(s);
    }
    free(fixed);
    return 0;
}
