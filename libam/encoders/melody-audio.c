/* Melodies as sound (am/melody.h): additive tones at the melody's tempo.
 *
 * Each note sounds from its start to its end: a fundamental and harmonics 2..6 of amplitude 1/h^1.5 that die
 * away as exp(-1.5 h t) (t seconds into the note, so the upper ones fade first, as a plucked string's do),
 * under a 10 ms linear attack and a release ramp over the note's last 30 ms (or its last third, if shorter),
 * so that notes neither click nor run into rests. Harmonics at or above the Nyquist frequency are left out.
 * The whole is brought to AM_AUDIO_SPEECH_DB active level, peak at most AM_AUDIO_PEAK_DB. */
#include <math.h>
#include <stdlib.h>

#include "am/audio.h"
#include "am/error.h"
#include "am/melody.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define RENDER_MAX_SAMPLES ((size_t)1 << 31) /* the longest rendering: 13.5 hours at 44.1 kHz */

/* The sample a tick falls on. */
static double sample_at(const am_melody *m, unsigned rate, uint64_t tick)
{
    return floor((double)tick * 60.0 / (m->tempo * AM_MELODY_TPQ) * rate + 0.5);
}

static void add_note(float *x, size_t a, size_t b, int pitch, unsigned rate)
{
    double f = 440.0 * pow(2.0, (pitch - 69) / 12.0), len = (double)(b - a);
    double attack = 0.010 * rate, release = fmin(0.030 * rate, len / 3);
    for (size_t i = a; i < b; i++) {
        double t = (double)(i - a) / rate, env = 1, v = 0;
        double from_end = (double)(b - i);
        if ((double)(i - a) < attack)
            env = (double)(i - a) / attack;
        if (from_end < release)
            env = fmin(env, from_end / release);
        for (int h = 1; h <= 6 && h * f < rate / 2.0; h++)
            v += sin(2 * M_PI * h * f * t) * exp(-1.5 * h * t) / pow(h, 1.5);
        x[i] += (float)(env * v);
    }
}

int am_melody_render(const am_melody *m, unsigned rate, float **x, size_t *n)
{
    *x = NULL;
    *n = 0;
    if (!rate || rate > 1000000 || am_melody_check(m, NULL, 0))
        return AM_EINVAL;
    double total = sample_at(m, rate, am_melody_ticks(m));
    if (!(total < (double)RENDER_MAX_SAMPLES))
        return AM_ERANGE;
    size_t len = (size_t)total;
    float *y = calloc(len ? len : 1, sizeof *y);
    if (!y)
        return AM_ENOMEM;
    for (size_t i = 0; i < m->count; i++) {
        const am_note *nt = &m->notes[i];
        if (nt->pitch == AM_REST)
            continue;
        size_t a = (size_t)sample_at(m, rate, nt->start), b = (size_t)sample_at(m, rate, (uint64_t)nt->start + nt->length);
        add_note(y, a, b < len ? b : len, nt->pitch, rate);
    }
    size_t block = rate / 50 ? rate / 50 : 1;
    int rc = len ? am_audio_normalize(y, len, block, AM_AUDIO_SPEECH_DB, AM_AUDIO_PEAK_DB) : AM_OK;
    if (rc) {
        free(y);
        return rc;
    }
    *x = y;
    *n = len;
    return AM_OK;
}
