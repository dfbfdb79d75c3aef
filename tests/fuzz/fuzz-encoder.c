/* Encoder files (every type of the table, dispatched on the magic), then an encode and a decode when the
 * model is small. */
#include <string.h>

#include "am/am.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = fuzz_file(data, size);
    am_encoder *e = NULL;
    if (am_encoder_load(&e, p) != AM_OK)
        return 0;
    size_t d = am_encoder_input_dim(e), k = am_encoder_code_dim(e);
    am_cnn *cnn = am_encoder_cnn(e);
    if (d <= 4096 && k <= 4096 && (!cnn || (am_cnn_macs(cnn) <= 2e6 && am_cnn_output_dim(cnn) <= 4096))) {
        float *x = calloc(d, sizeof *x), *z = calloc(k, sizeof *z), *y = calloc(d, sizeof *y);
        if (x && z && y) {
            for (size_t i = 0; i < d; i++)
                x[i] = (float)((i * 13 + size) % 7) / 7.0f;
            (void)am_encoder_encode(e, x, 1, z);
            (void)am_encoder_decode(e, z, 1, y);
        }
        free(x), free(z), free(y);
    }
    char desc[256];
    am_encoder_describe(e, desc, sizeof desc);
    am_encoder_free(e);
    return 0;
}
