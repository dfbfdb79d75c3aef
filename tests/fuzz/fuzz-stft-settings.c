/* The spectrogram settings file (spectrogram.txt, am_stft_settings_read), then the spectrogram it describes
 * made and run on a short signal, as bin/spectrogram and bin/concept-cells do. */
#include <math.h>

#include "am/am.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    am_stft_config c;
    size_t frames;
    char why[256];
    if (am_stft_settings_read(fuzz_file(data, size), &c, &frames, why, sizeof why) != AM_OK)
        return 0;
    am_stft *s = NULL;
    am_stft_work *w = NULL;
    if (am_stft_create(&s, &c, AM_FFT_ESTIMATE) == AM_OK && am_stft_work_create(&w, s) == AM_OK) {
        size_t n = am_stft_span(s, 2), bins = am_stft_bins(s);
        float *x = malloc(n * sizeof *x), *feat = malloc(2 * bins * sizeof *feat);
        if (x && feat) {
            for (size_t i = 0; i < n; i++)
                x[i] = (float)sin(0.1 * (double)i);
            am_stft_features(s, w, x, n, 2, feat);
        }
        free(x);
        free(feat);
    }
    am_stft_work_free(w);
    am_stft_free(s);
    return 0;
}
