/* libam — FFTW planning policy and wisdom, shared by every module that transforms (am/hrr.h, am/audio.h).
 *
 * libam makes its FFTW plans (single precision, libfftw3f) once, when an object is created (am_hrr_create,
 * am_stft_create), and executes them from any thread afterwards on buffers of its own.
 *
 * Threading contract. Creating and destroying plans, and loading or saving wisdom, go through one lock inside
 * libam, so libam objects may be created and freed from several threads at once. FFTW's planner is global:
 * a program that also calls FFTW's planner itself, from other threads, must not do so while a libam object
 * is being created or freed (or must make FFTW's planner thread-safe with fftwf_make_planner_thread_safe).
 * Executing plans is thread-safe: one libam object serves any number of threads, each with its own work
 * buffers (see the work objects of each module).
 *
 * Reproducibility. AM_FFT_ESTIMATE (the default) picks plans by FFTW's heuristics: the same plan, hence the
 * same bits, on every run on one machine. AM_FFT_MEASURE and AM_FFT_PATIENT time candidate algorithms and may
 * choose differently from run to run, which can change the last bits of results; load saved wisdom to fix
 * the choice (a plan found in the loaded wisdom is reused as it is). */
#ifndef AM_FFT_H
#define AM_FFT_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AM_FFT_ESTIMATE = 0, /* heuristic plans: instant, reproducible */
    AM_FFT_MEASURE = 1,  /* FFTW_MEASURE: seconds of planning per size, faster transforms */
    AM_FFT_PATIENT = 2   /* FFTW_PATIENT: longer still */
} am_fft_planning;

/* Parse "estimate" | "measure" | "patient" (AM_EINVAL otherwise). */
int am_fft_planning_parse(const char *s, am_fft_planning *out);
const char *am_fft_planning_name(am_fft_planning p);

/* Add the wisdom saved in a file (FFTW's text format, at most AM_FFT_WISDOM_MAX bytes, else AM_ERANGE) to the
 * process's wisdom. A file that is not FFTW wisdom is AM_EFORMAT: libam checks the text before FFTW reads
 * it, since FFTW aborts the process on some malformed entries. System errors keep errno. */
#define AM_FFT_WISDOM_MAX ((size_t)16 << 20)
int am_fft_wisdom_load(const char *path);
/* Write the process's accumulated wisdom to path (atomically: a temporary file renamed on success). */
int am_fft_wisdom_save(const char *path);
/* The FFTW version string (e.g. "fftw-3.3.10-sse2-avx-avx2-avx2_128-avx512"). */
const char *am_fft_version(void);

#ifdef __cplusplus
}
#endif
#endif
