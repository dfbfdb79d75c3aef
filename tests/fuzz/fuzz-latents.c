/* The latent-vector TSV reader (autoencoder decode --in). */
#include "am/am.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = fuzz_file(data, size);
    char err[256];
    for (size_t want = 0; want < 4; want += 3) {
        size_t k = want, n = 0;
        float *z = NULL;
        int *labels = NULL;
        if (am_latents_read(p, &k, &z, &labels, &n, err, sizeof err) == AM_OK) {
            double s = 0;
            for (size_t i = 0; i < n * k; i++)
                s += z[i];
            for (size_t i = 0; i < n; i++)
                s += labels[i];
            (void)s;
        }
        free(z);
        free(labels);
    }
    return 0;
}
