/* WAV files through the reader, then the spectrogram of what it accepts. */
#include "am/am.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = fuzz_file(data, size);
    am_audio a;
    if (am_wav_read(p, &a) == AM_OK) {
        am_stft_config c;
        am_stft_config_default(&c);
        c.nfft = 64, c.hop = 32, c.mels = 8;
        am_stft *s = NULL;
        am_stft_work *w = NULL;
        float feat[4 * 8];
        if (am_stft_create(&s, &c, AM_FFT_ESTIMATE) == AM_OK && am_stft_work_create(&w, s) == AM_OK)
            am_stft_features(s, w, a.x, a.n, 4, feat);
        am_stft_work_free(w);
        am_stft_free(s);
        am_audio_clear(&a);
    }
    return 0;
}
