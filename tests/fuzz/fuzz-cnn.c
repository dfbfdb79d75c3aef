/* Convolutional networks: a file (starting "LIBAMCNN") through am_cnn_load, then a forward pass, an encode,
 * a decode and an evaluation when the network is small; any other input as a description "LINPUT\nLAYERS"
 * (L: a byte whose value mod 3 picks the loss) through am_cnn_create, whose every rejection must say why. */
#include <string.h>

#include "am/am.h"
#include "fuzz.h"

/* Run a network that costs little on two rows of made-up values. */
static void exercise(am_cnn *n)
{
    size_t d = am_cnn_input_dim(n), o = am_cnn_output_dim(n), k = am_cnn_code_dim(n);
    if (am_cnn_macs(n) > 2e6 || d > 4096 || o > 4096 || k > 4096)
        return;
    am_dataset *ds = NULL;
    float *z = calloc(2 * k, sizeof *z), *y = calloc(2 * (o > d ? o : d), sizeof *y);
    if (z && y && am_dataset_create(&ds, 2, d, 1) == AM_OK) {
        for (size_t i = 0; i < 2 * d; i++)
            ds->x[i] = (float)((i * 13) % 7) / 7.0f;
        ds->classes = 1;
        (void)am_cnn_forward(n, ds->x, 2, y);
        (void)am_cnn_encode(n, ds->x, 2, z);
        (void)am_cnn_decode(n, z, 2, y);
        double loss, acc;
        (void)am_cnn_evaluate(n, ds, &loss, &acc);
    }
    am_dataset_free(ds);
    free(z), free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    am_cnn *n = NULL;
    char desc[AM_CNN_MAX_SPEC + 128];
    if (size >= 8 && !memcmp(data, "LIBAMCNN", 8)) {
        if (am_cnn_load(&n, fuzz_file(data, size)) != AM_OK)
            return 0;
    } else {
        char text[2 * AM_CNN_MAX_SPEC], err[256];
        if (size < 2)
            return 0;
        size_t len = size - 1 < sizeof text - 1 ? size - 1 : sizeof text - 1;
        memcpy(text, data + 1, len);
        text[len] = '\0';
        char *layers = strchr(text, '\n');
        if (!layers || !len)
            return 0;
        *layers++ = '\0';
        am_rng rng;
        am_rng_init(&rng, 1, 0);
        int rc = am_cnn_create(&n, text, layers, (am_cnn_loss)(data[0] % 3), &rng, err, sizeof err);
        if (rc == AM_EINVAL && !err[0])
            abort(); /* every rejection says why */
        if (rc)
            return 0;
    }
    am_cnn_describe(n, desc, sizeof desc);
    exercise(n);
    am_cnn_free(n);
    return 0;
}
