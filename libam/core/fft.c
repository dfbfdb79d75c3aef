#include "fft.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "io.h"

/* FFTW's planner and wisdom are global and not thread-safe: every libam call into them holds this lock. */
static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned planner_flags(am_fft_planning how)
{
    switch (how) {
    case AM_FFT_MEASURE: return FFTW_MEASURE;
    case AM_FFT_PATIENT: return FFTW_PATIENT;
    default: return FFTW_ESTIMATE;
    }
}

int am_fft_planning_parse(const char *s, am_fft_planning *out)
{
    static const char *const names[] = {"estimate", "measure", "patient"};
    for (int k = 0; k < 3; k++)
        if (s && !strcmp(s, names[k])) {
            *out = (am_fft_planning)k;
            return AM_OK;
        }
    return AM_EINVAL;
}

const char *am_fft_planning_name(am_fft_planning p)
{
    return p == AM_FFT_MEASURE ? "measure" : p == AM_FFT_PATIENT ? "patient" : "estimate";
}

const char *am_fft_version(void)
{
    return fftwf_version;
}

void *am__fft_alloc(size_t bytes)
{
    return fftwf_malloc(bytes ? bytes : 1);
}

void am__fft_free(void *p)
{
    if (p)
        fftwf_free(p);
}

int am__rfft_init(am__rfft *p, size_t n, size_t batch, am_fft_planning how)
{
    memset(p, 0, sizeof *p);
    size_t h = n / 2 + 1, re, co;
    if (n < 1 || batch < 1 || n > (size_t)1 << 30 || batch > (size_t)1 << 20)
        return AM_EINVAL;
    if (am_size_mul3(batch, n, sizeof(float), &re) || am_size_mul3(batch, h, sizeof(fftwf_complex), &co))
        return AM_EOVERFLOW;
    float *x = am__fft_alloc(re);
    fftwf_complex *X = am__fft_alloc(co);
    int rc = AM_OK, ni = (int)n, hi = (int)h;
    if (!x || !X) {
        rc = AM_ENOMEM;
        goto out;
    }
    /* MEASURE/PATIENT scribble on the arrays while planning: they are scratch, zeroed first so that no
     * uninitialised memory is read. */
    memset(x, 0, re);
    memset(X, 0, co);
    unsigned f = planner_flags(how);
    pthread_mutex_lock(&planner_lock);
    p->fwd = fftwf_plan_many_dft_r2c(1, &ni, (int)batch, x, NULL, 1, ni, X, NULL, 1, hi, f | FFTW_PRESERVE_INPUT);
    p->inv = fftwf_plan_many_dft_c2r(1, &ni, (int)batch, X, NULL, 1, hi, x, NULL, 1, ni, f | FFTW_DESTROY_INPUT);
    pthread_mutex_unlock(&planner_lock);
    if (!p->fwd || !p->inv) {
        am__rfft_destroy(p);
        rc = AM_ENOMEM;
        goto out;
    }
    p->n = n;
    p->batch = batch;
out:
    am__fft_free(x);
    am__fft_free(X);
    return rc;
}

void am__rfft_destroy(am__rfft *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&planner_lock);
    if (p->fwd)
        fftwf_destroy_plan(p->fwd);
    if (p->inv)
        fftwf_destroy_plan(p->inv);
    pthread_mutex_unlock(&planner_lock);
    p->fwd = p->inv = NULL;
}

void am__rfft_forward(const am__rfft *p, float *in, fftwf_complex *out)
{
    fftwf_execute_dft_r2c(p->fwd, in, out);
}

void am__rfft_inverse(const am__rfft *p, fftwf_complex *in, float *out)
{
    fftwf_execute_dft_c2r(p->inv, in, out);
}

/* ---- wisdom ---- */

int am_fft_wisdom_load(const char *path)
{
    if (!path)
        return AM_EINVAL;
    FILE *f = fopen(path, "r");
    if (!f)
        return am__errno_status();
    /* FFTW's reader gives no reason on failure; what it rejects is not wisdom. */
    pthread_mutex_lock(&planner_lock);
    int ok = fftwf_import_wisdom_from_file(f);
    pthread_mutex_unlock(&planner_lock);
    int err = ferror(f);
    fclose(f);
    if (err)
        return AM_EIO;
    return ok ? AM_OK : AM_EFORMAT;
}

int am_fft_wisdom_save(const char *path)
{
    if (!path)
        return AM_EINVAL;
    pthread_mutex_lock(&planner_lock);
    char *s = fftwf_export_wisdom_to_string();
    pthread_mutex_unlock(&planner_lock);
    if (!s)
        return AM_ENOMEM;
    am__out o;
    int rc = am__out_open(&o, path);
    if (!rc) {
        fputs(s, o.f);
        rc = am__out_commit(&o);
    }
    free(s);
    return rc;
}
