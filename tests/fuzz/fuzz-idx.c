/* IDX files (gzip or plain) through the reader and the dataset loader. */
#include "am/am.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = fuzz_file(data, size);
    am_idx *x = NULL;
    if (am_idx_read(&x, p) == AM_OK) {
        double sum = 0;
        for (size_t i = 0; i < x->count && i < 4096; i++)
            sum += am_idx_value(x, i);
        (void)sum;
        am_idx_free(x);
    }
    am_dataset *ds = NULL;
    if (am_dataset_load(&ds, p, p, 1.0 / 255.0) == AM_OK)
        am_dataset_free(ds);
    if (am_dataset_load(&ds, p, NULL, 1.0) == AM_OK)
        am_dataset_free(ds);
    return 0;
}
