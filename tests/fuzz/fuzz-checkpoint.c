/* Checkpoint records as --resume reads them: the first two bytes choose the job count and result size,
 * the rest is the record stream that follows a valid header. */
#include <string.h>

#include "../../libam/harness/internal.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t count = (size_t)data[0] + 1, rsize = (size_t)data[1] % 64 + 1, ndone = 0;
    FILE *f = fmemopen((void *)(data + 2), size - 2 ? size - 2 : 1, "rb");
    if (!f)
        return 0;
    unsigned char *results = calloc(count, rsize), *done = calloc(count, 1);
    if (results && done && size > 2)
        (void)am__ckpt_scan(f, count, rsize, results, done, &ndone);
    fclose(f);
    free(results);
    free(done);
    return 0;
}
