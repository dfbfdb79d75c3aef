/* FFTW wisdom files (am_fft_wisdom_load), then plans that may take their shape from what was loaded: a
 * spectrogram and an HRR transform. The process's wisdom is forgotten after every input, so inputs do not
 * build on one another. */
#include <fftw3.h>

#include "am/am.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (am_fft_wisdom_load(fuzz_file(data, size)) == AM_OK) {
        am_stft_config c;
        am_stft_config_default(&c);
        c.nfft = 64, c.hop = 32, c.mels = 8;
        am_stft *s = NULL;
        am_stft_work *w = NULL;
        float x[96] = {0}, feat[2 * 8];
        x[10] = 1.0f;
        if (am_stft_create(&s, &c, AM_FFT_ESTIMATE) == AM_OK && am_stft_work_create(&w, s) == AM_OK)
            am_stft_features(s, w, x, 96, 2, feat);
        am_stft_work_free(w);
        am_stft_free(s);
        am_word_encoder *e = NULL;
        float code[32];
        if (am_word_encoder_create(&e, 32, 1) == AM_OK)
            am_word_encode(e, "shoe", code);
        am_word_encoder_free(e);
    }
    fftwf_forget_wisdom();
    return 0;
}
