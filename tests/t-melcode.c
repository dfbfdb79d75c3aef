/* Melody encodings: grid -> encode -> decode gives the pitches and onsets back for every kind, also with flipped
 * units; determinism; context codes per tune; check() errors. Sound: length, silent rests, the pitch of A4. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "am/melody.h"
#include "tap.h"

/* A tune with repeated notes, rests, notes off the eighth grid's pitch range (folded), held notes. */
static am_note tune_notes[] = {{60, 0, 480},    {60, 480, 240},    {64, 720, 240},  {67, 960, 960},
                               {AM_REST, 1920, 480}, {72, 2400, 240}, {71, 2640, 240}, {69, 2880, 720},
                               {AM_REST, 3600, 240}, {84, 3840, 240}, {48, 4080, 480}};
static am_melody tune = {"t", 0, 4, 4, 0, 120, 0, sizeof tune_notes / sizeof *tune_notes, tune_notes};

/* Grid of m as pitch and onset arrays (steps entries, caller frees). */
static size_t grid(const am_melody *m, uint32_t step, int32_t **pitch, unsigned char **onset)
{
    size_t steps = am_melody_steps(m, step);
    *pitch = malloc(steps * sizeof **pitch);
    *onset = malloc(steps);
    am_melody_grid(m, step, steps, *pitch, *onset);
    return steps;
}

static int same_pitch(const am_melcode *c, int32_t want, int32_t got)
{
    if (want == AM_REST || got == AM_REST)
        return want == got;
    if (c->kind == AM_MELCODE_PITCHCLASS)
        return want % 12 == got % 12;
    while (want < c->lo) /* RANGE and SPARSE fold pitches into lo..hi by octaves */
        want += 12;
    while (want > c->hi)
        want -= 12;
    return want == got;
}

/* Encode, flip `flips` units of every step (seeded), decode: every step's pitch and onset as on the grid. */
static void recover(const am_melcode *c, const char *what, size_t flips)
{
    am_patterns *p = NULL;
    int rc = am_melcode_encode(c, &tune, 3, &p);
    ok(rc == AM_OK && p && p->n == am_melcode_units(c), "%s: encoded, %zu units a step", what, am_melcode_units(c));
    if (rc)
        return;
    int32_t *pitch;
    unsigned char *onset;
    size_t steps = grid(&tune, c->step, &pitch, &onset), n = p->n, bad = 0, badon = 0;
    ok(p->count == steps, "%s: %zu steps", what, steps);
    int8_t *x = malloc(steps * n);
    am_rng r;
    am_rng_init(&r, 7, flips);
    double omin = 1;
    for (size_t t = 0; t < steps; t++) {
        am_patterns_get(p, t, x + t * n);
        for (size_t f = 0; f < flips; f++) {
            size_t u = (size_t)am_rng_below(&r, n);
            x[t * n + u] = (int8_t)-x[t * n + u];
        }
        int32_t pp;
        unsigned char on;
        double o = am_melcode_decode_step(c, x + t * n, &pp, &on);
        omin = o < omin ? o : omin;
        bad += !same_pitch(c, pitch[t], pp);
        badon += on != onset[t];
    }
    ok(bad == 0 && badon == 0, "%s, %zu flipped units a step: every pitch and onset decoded (%zu, %zu wrong)", what, flips,
       bad, badon);
    double code = (double)(n - c->context); /* the overlap leaves the context units out */
    ok(omin >= 1 - 2.0 * (double)flips / code - 1e-12 && omin <= 1,
       "%s: overlap with the decoded code >= 1 - 2 flips / code units (least %.4f)", what, omin);
    am_melody back;
    rc = am_melcode_decode(c, x, steps, &back);
    int32_t *p2;
    unsigned char *o2;
    size_t s2 = rc ? 0 : grid(&back, c->step, &p2, &o2), same = s2 == steps;
    for (size_t t = 0; same && t < steps; t++)
        same = same_pitch(c, pitch[t], p2[t]) && onset[t] == o2[t];
    ok(rc == AM_OK && same, "%s: the decoded melody has the same grid", what);
    if (!rc)
        free(p2), free(o2);
    am_melody_clear(&back);
    free(x);
    free(pitch);
    free(onset);
    am_patterns_free(p);
}

static void kinds(void)
{
    am_melcode c;
    am_melcode_init(&c);
    ok(c.kind == AM_MELCODE_PITCHCLASS && c.step == 240 && c.repeat == 8 && am_melcode_units(&c) == 15 * 8,
       "defaults: pitch classes, eighth notes, 8 repeats: 120 units");
    recover(&c, "PITCHCLASS", 0);
    recover(&c, "PITCHCLASS", 3);
    c.kind = AM_MELCODE_RANGE;
    ok(am_melcode_units(&c) == 40 * 8, "RANGE 48..84: 40 units x 8");
    recover(&c, "RANGE", 0);
    recover(&c, "RANGE", 3);
    c.lo = 60, c.hi = 71, c.repeat = 3;
    recover(&c, "RANGE 60..71 (folded by octaves), 3 repeats", 0);
    am_melcode_init(&c);
    c.kind = AM_MELCODE_SPARSE;
    c.context = 50;
    ok(am_melcode_units(&c) == 306, "SPARSE 256 + 50 context units");
    recover(&c, "SPARSE with context", 0);
    recover(&c, "SPARSE with context", 12);
    c.step = 120, c.seed = 99, c.n = 64, c.k = 8, c.context = 0;
    recover(&c, "SPARSE 8 of 64, sixteenth notes", 2);
}

static int8_t *step_of(const am_melcode *c, size_t tune_index, size_t t)
{
    am_patterns *p = NULL;
    if (am_melcode_encode(c, &tune, tune_index, &p))
        return NULL;
    int8_t *x = malloc(p->n);
    am_patterns_get(p, t, x);
    am_patterns_free(p);
    return x;
}

static void codes(void)
{
    am_melcode c;
    am_melcode_init(&c);
    c.kind = AM_MELCODE_SPARSE;
    c.context = 64;
    size_t n = am_melcode_units(&c), active = 0, same = 0, ctx_diff = 0, code_diff = 0;
    int8_t *a = step_of(&c, 0, 1), *b = step_of(&c, 0, 1), *d = step_of(&c, 1, 1);
    ok(a && b && d && !memcmp(a, b, n), "SPARSE: the same step encodes the same way twice");
    for (size_t i = 0; a && d && i < 256; i++)
        active += a[i] == 1, code_diff += a[i] != d[i];
    for (size_t i = 256; a && d && i < n; i++)
        ctx_diff += a[i] != d[i];
    is_int(active, 16, "SPARSE: k = 16 units active");
    ok(code_diff == 0 && ctx_diff > 10, "tunes 0 and 1: the same code, context codes differ in %zu of 64 units",
       ctx_diff);
    int8_t *s0 = step_of(&c, 0, 0);
    for (size_t i = 0; a && s0 && i < 256; i++)
        same += a[i] == 1 && s0[i] == 1;
    ok(same < 16, "C4 onset and C4 held: distinct codes (%zu shared active units)", same);
    c.seed = 1;
    int8_t *e = step_of(&c, 0, 1);
    ok(e && memcmp(a, e, 256) != 0, "another seed, another code");
    free(a), free(b), free(d), free(e), free(s0);
}

static void checks(void)
{
    am_melcode c;
    char why[200];
    am_melcode_init(&c);
    ok(am_melcode_check(&c, why, sizeof why) == AM_OK && why[0] == 0, "the defaults pass");
    c.step = 0;
    ok(am_melcode_check(&c, why, sizeof why) == AM_EINVAL && strstr(why, "step 0"), "step 0: %s", why);
    am_melcode_init(&c);
    c.kind = AM_MELCODE_RANGE, c.lo = 60, c.hi = 70;
    ok(am_melcode_check(&c, why, sizeof why) == AM_EINVAL && strstr(why, "60..70"), "less than an octave: %s", why);
    c.lo = 72, c.hi = 60;
    ok(am_melcode_check(&c, why, sizeof why) == AM_EINVAL, "lo > hi: %s", why);
    c.lo = 100, c.hi = 130;
    ok(am_melcode_check(&c, why, sizeof why) == AM_EINVAL, "hi 130: %s", why);
    am_melcode_init(&c);
    c.kind = AM_MELCODE_SPARSE, c.k = 300;
    ok(am_melcode_check(&c, why, sizeof why) == AM_EINVAL && strstr(why, "k = 300"), "k > n: %s", why);
    c.k = 0;
    ok(am_melcode_check(&c, why, sizeof why) == AM_EINVAL, "k = 0: %s", why);
    am_melcode_init(&c);
    c.repeat = 0;
    ok(am_melcode_check(&c, why, sizeof why) == AM_EINVAL && strstr(why, "repeat 0"), "repeat 0: %s", why);
    c.repeat = 1u << 21;
    ok(am_melcode_check(&c, why, sizeof why) == AM_EINVAL && strstr(why, "2^24"), "15 x 2^21 units: %s", why);
    am_melcode_init(&c);
    c.context = AM_MAX_UNITS;
    ok(am_melcode_check(&c, why, sizeof why) == AM_EINVAL, "context of 2^24 units: %s", why);
    c.context = 0;
    c.kind = (am_melcode_kind)7;
    ok(am_melcode_check(&c, NULL, 0) == AM_EINVAL, "kind 7 (why may be NULL)");
    am_patterns *p = (am_patterns *)1;
    ok(am_melcode_encode(&c, &tune, 0, &p) == AM_EINVAL && p == NULL, "encode refuses a bad code, *out NULL");
    am_melcode_init(&c);
    am_melody bad = tune;
    bad.tempo = 0;
    ok(am_melcode_encode(&c, &bad, 0, &p) == AM_EINVAL && p == NULL, "encode refuses a bad melody");
}

/* Zero crossings upward in x[a, b) as a frequency. */
static double crossings_hz(const float *x, size_t a, size_t b, unsigned rate)
{
    size_t first = 0, last = 0, count = 0;
    for (size_t i = a + 1; i < b; i++)
        if (x[i - 1] < 0 && x[i] >= 0) {
            if (!count++)
                first = i;
            last = i;
        }
    return count > 1 ? (double)(count - 1) * rate / (double)(last - first) : 0;
}

static void sound(void)
{
    am_note notes[] = {{69, 0, 960}, {AM_REST, 960, 480}, {57, 1440, 480}, {AM_REST, 1920, 480}};
    am_melody m = {"a", 0, 4, 4, 0, 90, 0, 4, notes};
    float *x = NULL;
    size_t n = 0;
    unsigned rate = 16000;
    ok(am_melody_render(&m, rate, &x, &n) == AM_OK, "rendered");
    /* 2400 ticks at 90 quarters a minute: 2400 / 480 * 60 / 90 = 3.333 s */
    is_int(n, 53333, "length: ticks at the tempo (5 quarters at 90 a minute = 3.333 s)");
    float peak = 0, rest = 0;
    for (size_t i = 0; i < n; i++) {
        peak = fabsf(x[i]) > peak ? fabsf(x[i]) : peak;
        if ((i >= 21334 && i < 32000) || i >= 42667)
            rest = fabsf(x[i]) > rest ? fabsf(x[i]) : rest;
    }
    ok(rest == 0, "silent in the rests (largest |sample| %g)", (double)rest);
    ok(peak > 0.05 && peak <= powf(10, -1 / 20.0f) + 1e-6f, "peak %.3f at most -1 dBFS", (double)peak);
    is_near(am_audio_active_level(x, n, rate / 50, AM_AUDIO_ACTIVE_RANGE_DB), -24, 0.1, "active level -24 dBFS");
    is_near(crossings_hz(x, 800, 20000, rate), 440, 4.4, "A4 sounds at 440 Hz (zero crossings, 1 %%)");
    is_near(crossings_hz(x, 32800, 41000, rate), 220, 2.2, "A3 at 220 Hz");
    free(x);
    x = (float *)1;
    m.tempo = 1e-300;
    ok(am_melody_render(&m, rate, &x, &n) == AM_ERANGE && x == NULL, "a tempo that makes it endless: AM_ERANGE");
    m.tempo = 90;
    ok(am_melody_render(&m, 0, &x, &n) == AM_EINVAL, "rate 0 refused");
    m.count = 0;
    ok(am_melody_render(&m, rate, &x, &n) == AM_OK && n == 0, "no notes: no samples");
    free(x);
}

int main(void)
{
    kinds();
    codes();
    checks();
    sound();
    return done_testing();
}
