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

/* The next token of wisdom text s[*p .. n): "(", ")" or a run of other non-blank bytes; 0 at the end. */
static int wisdom_token(const char *s, size_t n, size_t *p, const char **t, size_t *len)
{
    while (*p < n && (s[*p] == ' ' || s[*p] == '\t' || s[*p] == '\n' || s[*p] == '\r'))
        (*p)++;
    if (*p >= n)
        return 0;
    *t = s + *p;
    if (s[*p] == '(' || s[*p] == ')')
        (*p)++;
    else
        while (*p < n && !strchr(" \t\n\r()", s[*p]))
            (*p)++;
    *len = (size_t)(s + *p - *t);
    return 1;
}

/* A token of 1 .. max characters of `allowed`, or "#x" and 1 .. 8 hex digits below `limit` (allowed NULL). */
static int wisdom_is(const char *t, size_t len, const char *allowed, size_t max, unsigned long limit)
{
    if (allowed)
        return len >= 1 && len <= max && strspn(t, allowed) >= len;
    if (len < 3 || len > 10 || t[0] != '#' || t[1] != 'x' || strspn(t + 2, "0123456789abcdefABCDEF") < len - 2)
        return 0;
    return strtoul(t + 2, NULL, 16) < limit;
}

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

/* Wisdom text as FFTW writes it: "(fftw-V fftwf_wisdom #xH #xH #xH #xH", entries "(NAME ID #xL #xU #xT #xS
 * #xS #xS #xS)", ")". FFTW aborts the process (an assertion, not an error) when an entry's flags L, U or T do
 * not fit their bit fields (20, 20 and 9 bits), so libam checks them, and the shape around them, first. */
static int wisdom_text_ok(const char *s, size_t n)
{
    static const char *const head[] = {"(", NAME_CHARS ".-", NAME_CHARS};
    static const unsigned long lim[7] = {1ul << 20, 1ul << 20, 1ul << 9, 1ul << 32, 1ul << 32, 1ul << 32, 1ul << 32};
    const char *t;
    size_t len, p = 0;
    if (memchr(s, 0, n))
        return 0;
    for (int k = 0; k < 3; k++)
        if (!wisdom_token(s, n, &p, &t, &len) || !wisdom_is(t, len, head[k], k ? 64 : 1, 0))
            return 0;
    for (int k = 0; k < 4; k++)
        if (!wisdom_token(s, n, &p, &t, &len) || !wisdom_is(t, len, NULL, 0, 1ul << 32))
            return 0;
    int more;
    while ((more = wisdom_token(s, n, &p, &t, &len)) && *t == '(') {
        if (!wisdom_token(s, n, &p, &t, &len) || !wisdom_is(t, len, NAME_CHARS, 64, 0) ||
            !wisdom_token(s, n, &p, &t, &len) || !wisdom_is(t, len, "-0123456789", 9, 0))
            return 0;
        for (int k = 0; k < 7; k++)
            if (!wisdom_token(s, n, &p, &t, &len) || !wisdom_is(t, len, NULL, 0, lim[k]))
                return 0;
        if (!wisdom_token(s, n, &p, &t, &len) || *t != ')')
            return 0;
    }
    return more && *t == ')' && !wisdom_token(s, n, &p, &t, &len);
}

/* The whole of a (small) file into a NUL-terminated buffer: AM_ERANGE beyond max bytes. */
static int slurp(FILE *f, size_t max, char **out, size_t *n)
{
    long size;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        return am__errno_status();
    if ((unsigned long)size > max)
        return AM_ERANGE;
    char *b = malloc((size_t)size + 1);
    if (!b)
        return AM_ENOMEM;
    *n = fread(b, 1, (size_t)size, f);
    if (ferror(f) || *n != (size_t)size) {
        free(b);
        return AM_EIO;
    }
    b[*n] = 0;
    *out = b;
    return AM_OK;
}

int am_fft_wisdom_load(const char *path)
{
    if (!path)
        return AM_EINVAL;
    FILE *f = fopen(path, "r");
    if (!f)
        return am__errno_status();
    char *text = NULL;
    size_t n = 0;
    int rc = slurp(f, AM_FFT_WISDOM_MAX, &text, &n);
    fclose(f);
    if (!rc && !wisdom_text_ok(text, n))
        rc = AM_EFORMAT;
    if (!rc) {
        /* FFTW's reader gives no reason on failure; what it rejects is not wisdom (for this build of FFTW). */
        pthread_mutex_lock(&planner_lock);
        int ok = fftwf_import_wisdom_from_string(text);
        pthread_mutex_unlock(&planner_lock);
        rc = ok ? AM_OK : AM_EFORMAT;
    }
    free(text);
    return rc;
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
