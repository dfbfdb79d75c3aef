/* libam — sound for the speech modality: WAV files, resampling, log spectrograms through FFTW, and
 * Griffin-Lim phase reconstruction so that a decoded spectrogram can be heard.
 *
 * Signals are mono float samples in [-1, 1] (caller-owned arrays unless stated). Spectrogram features are
 * frames x bins row-major: frame f covers samples [f hop, f hop + nfft) of the signal (zero beyond its end),
 * Hann-windowed (periodic), transformed by FFTW's real-to-complex plan (made once in am_stft_create). A
 * feature is the power in a linear bin (nfft/2 + 1 bins) or in a triangular mel band (HTK mel scale), in
 * decibels relative to the loudest bin of the utterance, clipped at -floor_db and mapped to [0, 1]
 * (0 = floor_db below the peak or quieter, 1 = the peak): the range a sigmoid decoder produces.
 *
 * Threads: an am_stft is read-only after creation; each thread passes its own am_stft_work. */
#ifndef AM_AUDIO_H
#define AM_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#include "am/fft.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- WAV ---- */
typedef struct am_audio {
    float *x;      /* n samples (owned; free with am_audio_clear) */
    size_t n;
    unsigned rate; /* samples per second */
} am_audio;

/* Read a RIFF/WAVE file: PCM 8, 16, 24 or 32 bit, or IEEE float 32 (also in WAVE_FORMAT_EXTENSIBLE), any
 * number of channels (averaged to mono). Every chunk size is checked against the file before anything is
 * allocated; a file that is not WAVE or uses another encoding is AM_EFORMAT, one that ends early AM_ETRUNC,
 * non-finite float samples AM_ENOTFINITE. *out is zeroed on failure. */
int am_wav_read(const char *path, am_audio *out);
/* Write n samples as 16-bit PCM mono (clipped to [-1, 1], rounded), atomically (temporary file renamed).
 * Non-finite samples are AM_ENOTFINITE; rate must be 1 .. 1000000. */
int am_wav_write(const char *path, const float *x, size_t n, unsigned rate);
void am_audio_clear(am_audio *a); /* frees a->x and zeroes a; a may be NULL */

/* Resample x (n samples at rate `from`) to rate `to` with a Hann-windowed sinc (16 zero crossings, cut-off
 * at the lower Nyquist frequency). *out (malloc'd, caller frees) gets ceil(n to / from) samples. */
int am_audio_resample(const float *x, size_t n, unsigned from, unsigned to, float **out, size_t *nout);
/* The span of x whose samples reach `rel` (0 < rel < 1) times the largest |sample|, widened by `pad`
 * samples each side: [*start, *start + *len). An all-zero signal gives len 0. */
void am_audio_trim(const float *x, size_t n, float rel, size_t pad, size_t *start, size_t *len);

/* ---- loudness ----
 * Spectrogram features are relative to the utterance's loudest bin, so they do not carry its level: every
 * WAV libam writes from speech (bin/speech-data --keep-wav, and sound rebuilt from features) is brought to one
 * active speech level, AM_AUDIO_SPEECH_DB dBFS, with its peak at most AM_AUDIO_PEAK_DB dBFS, so that a
 * reconstruction plays as loud as the utterance it came from. */
#define AM_AUDIO_SPEECH_DB (-24.0)      /* active RMS level of written speech, dB re full scale */
#define AM_AUDIO_PEAK_DB (-1.0)         /* the highest peak allowed, dB re full scale */
#define AM_AUDIO_ACTIVE_RANGE_DB (40.0) /* blocks this far below the loudest one are silence */

/* The active level of x (n samples) in dBFS (a full-scale square wave is 0 dB): the RMS over the blocks of
 * `block` samples whose mean square is within range_db of the loudest block's, so that leading, trailing and
 * padding silence do not lower it. -INFINITY for a silent or empty signal (or block 0). */
double am_audio_active_level(const float *x, size_t n, size_t block, double range_db);
/* Scale x in place to the active level level_db (blocks of `block` samples, range AM_AUDIO_ACTIVE_RANGE_DB),
 * less where that would take the peak above peak_db (both <= 0). A silent signal is left as it is.
 * AM_EINVAL for bad arguments, AM_ENOTFINITE (x unchanged) for a non-finite sample. */
int am_audio_normalize(float *x, size_t n, size_t block, double level_db, double peak_db);

/* ---- spectrograms ---- */
typedef struct am_stft_config {
    unsigned rate;    /* sample rate the signals have (default 16000) */
    size_t nfft;      /* frame and FFT length (default 512) */
    size_t hop;       /* frame step (default 256) */
    size_t mels;      /* mel bands; 0 = linear bins (default 40) */
    double fmin, fmax;/* mel range in Hz (default 0 and rate/2) */
    double floor_db;  /* dynamic range of the features (default 80 dB) */
} am_stft_config;

void am_stft_config_default(am_stft_config *c);

/* Read the settings file bin/speech-data writes (spectrogram.txt: "key value" lines for rate, nfft, hop, mels,
 * frames and floor_db, each once; '#' comments, blank lines and other keys skipped) into c (other fields:
 * defaults) and *frames. Values in the ranges bin/speech-data writes: rate 8000 .. 48000, nfft 64 .. 8192,
 * hop 1 .. nfft, mels 0 .. nfft/2 + 1, frames 1 .. 1024 (whole numbers), floor_db 0.001 .. 300. AM_EFORMAT
 * for a malformed, repeated or missing line, AM_ERANGE for a value out of range, with the line (quoted) and
 * the reason in why (size bytes, may be NULL); system errors keep errno. */
int am_stft_settings_read(const char *path, am_stft_config *c, size_t *frames, char *why, size_t size);

typedef struct am_stft am_stft;
typedef struct am_stft_work am_stft_work;

/* AM_EINVAL for nfft < 16 or > 2^20, hop < 1 or > nfft, mels > nfft/2 + 1, a bad mel range or floor. */
int am_stft_create(am_stft **out, const am_stft_config *c, am_fft_planning how);
void am_stft_free(am_stft *s);
const am_stft_config *am_stft_config_of(const am_stft *s);
size_t am_stft_bins(const am_stft *s);   /* features per frame: mels, or nfft/2 + 1 */
size_t am_stft_lbins(const am_stft *s);  /* linear bins: nfft/2 + 1 */
/* Samples covered by `frames` frames: (frames - 1) hop + nfft. */
size_t am_stft_span(const am_stft *s, size_t frames);

int am_stft_work_create(am_stft_work **out, const am_stft *s);
void am_stft_work_free(am_stft_work *w);

/* Linear magnitudes |STFT| of x (n samples) for `frames` frames: mag, frames x lbins (caller-owned). */
int am_stft_magnitude(const am_stft *s, am_stft_work *w, const float *x, size_t n, size_t frames, float *mag);
/* The features described above: out, frames x bins (caller-owned). A silent signal gives all zeros. */
int am_stft_features(const am_stft *s, am_stft_work *w, const float *x, size_t n, size_t frames, float *out);
/* Back from features to linear magnitudes (frames x lbins), with the peak at 1: decibels to power, mel bands
 * spread over their linear bins by the filterbank's transpose normalised per bin (an approximation: the mel
 * map loses detail), square root. Features outside [0, 1] are clipped. */
int am_stft_features_to_magnitude(const am_stft *s, const float *feat, size_t frames, float *mag);

/* Griffin-Lim: a signal whose STFT magnitude approaches mag (frames x lbins) after `iters` alternating
 * projections, starting from random phases drawn from seed. x: am_stft_span(s, frames) samples (caller-
 * owned). Each iterate is the least-squares signal of the modified STFT, sum of windowed frames over the sum of
 * squared windows, except that the divisor is held at no less than a tenth of its largest value: where few
 * windows overlap (the first and last samples) the signal is tapered instead of blown up. err (iters + 1
 * entries or NULL): relative spectral error || |STFT x_k| - mag || / || mag || before the first iteration and
 * after each. */
int am_stft_griffin_lim(const am_stft *s, const float *mag, size_t frames, unsigned iters, uint64_t seed, float *x,
                        double *err);

/* Features (frames x bins) heard: magnitudes (am_stft_features_to_magnitude), `iters` Griffin-Lim iterations
 * from seed, brought to the speech level (am_audio_normalize with blocks of one hop), written to the WAV file path (atomically) at the
 * configuration's rate. err (may be NULL): the final relative spectral error. */
int am_stft_features_to_wav(const am_stft *s, const float *feat, size_t frames, unsigned iters, uint64_t seed,
                            const char *path, double *err);

#ifdef __cplusplus
}
#endif
#endif
