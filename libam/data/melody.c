/* Melodies: ownership, checks, pitch names and the step grid (am/melody.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "am/melody.h"

void am_melody_clear(am_melody *m)
{
    if (!m)
        return;
    free(m->title);
    free(m->notes);
    memset(m, 0, sizeof *m);
}

void am_melodies_free(am_melodies *ms)
{
    if (!ms)
        return;
    for (size_t i = 0; i < ms->count; i++)
        am_melody_clear(&ms->items[i]);
    free(ms->items);
    free(ms);
}

int am_melody_copy(am_melody *dst, const am_melody *src)
{
    am_melody m = *src;
    m.title = strdup(src->title ? src->title : "");
    m.notes = src->count ? malloc(src->count * sizeof *m.notes) : NULL;
    if (!m.title || (src->count && !m.notes)) {
        free(m.title);
        free(m.notes);
        return AM_ENOMEM;
    }
    if (src->count)
        memcpy(m.notes, src->notes, src->count * sizeof *m.notes);
    *dst = m;
    return AM_OK;
}

int am_melodies_append(am_melodies *ms, const am_melody *m)
{
    if (ms->count == SIZE_MAX / sizeof *ms->items)
        return AM_EOVERFLOW;
    am_melody *items = realloc(ms->items, (ms->count + 1) * sizeof *items);
    if (!items)
        return AM_ENOMEM;
    ms->items = items;
    int rc = am_melody_copy(&items[ms->count], m);
    if (rc)
        return rc;
    ms->count++;
    return AM_OK;
}

uint32_t am_melody_ticks(const am_melody *m)
{
    if (!m->count)
        return 0;
    const am_note *last = &m->notes[m->count - 1];
    uint64_t end = (uint64_t)last->start + last->length;
    return end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
}

int am_melody_check(const am_melody *m, char *why, size_t size)
{
    char dummy[1];
    if (!why) {
        why = dummy;
        size = sizeof dummy;
    }
    if (!(m->tempo > 0) || !isfinite(m->tempo)) {
        snprintf(why, size, "tempo %g is not a finite number > 0", m->tempo);
        return AM_EINVAL;
    }
    if (m->count && !m->notes) {
        snprintf(why, size, "%zu notes but no note array", m->count);
        return AM_EINVAL;
    }
    uint64_t end = 0;
    for (size_t i = 0; i < m->count; i++) {
        const am_note *n = &m->notes[i];
        if (n->pitch != AM_REST && (n->pitch < 0 || n->pitch > 127)) {
            snprintf(why, size, "note %zu: pitch %d is not 0..127 (or a rest)", i, (int)n->pitch);
            return AM_EINVAL;
        }
        if (n->length < 1) {
            snprintf(why, size, "note %zu: length 0", i);
            return AM_EINVAL;
        }
        if (n->start < end) {
            snprintf(why, size, "note %zu starts at tick %u, before the previous note ends (tick %llu)", i,
                     (unsigned)n->start, (unsigned long long)end);
            return AM_EINVAL;
        }
        end = (uint64_t)n->start + n->length;
        if (end > AM_MELODY_MAX_TICKS) {
            snprintf(why, size, "note %zu ends at tick %llu, beyond the longest tune (2^31 ticks)", i,
                     (unsigned long long)end);
            return AM_EINVAL;
        }
    }
    if (size)
        why[0] = 0;
    return AM_OK;
}

const char *am_pitch_name(int pitch, int prefer_flats, char *buf, size_t size)
{
    static const char *const sharp[12] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
    static const char *const flat[12] = {"C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"};
    if (pitch == AM_REST)
        snprintf(buf, size, "z");
    else if (pitch < 0 || pitch > 127)
        snprintf(buf, size, "?");
    else
        snprintf(buf, size, "%s%d", (prefer_flats ? flat : sharp)[pitch % 12], pitch / 12 - 1);
    return buf;
}

size_t am_melody_steps(const am_melody *m, uint32_t step)
{
    if (!step)
        return 0;
    uint32_t t = am_melody_ticks(m);
    return t / step + (t % step != 0);
}

void am_melody_grid(const am_melody *m, uint32_t step, size_t steps, int32_t *pitch, unsigned char *onset)
{
    size_t j = 0; /* the first note that may still sound at or after the current step */
    for (size_t t = 0; t < steps; t++) {
        uint64_t a = (uint64_t)t * step, b = a + step;
        while (j < m->count && (uint64_t)m->notes[j].start + m->notes[j].length <= a)
            j++;
        int32_t p = AM_REST;
        unsigned char on = 0;
        if (j < m->count && m->notes[j].start <= a)
            p = m->notes[j].pitch;
        for (size_t k = j; k < m->count && m->notes[k].start < b; k++)
            if (m->notes[k].pitch != AM_REST && m->notes[k].start >= a) {
                on = 1;
                break;
            }
        /* A note that begins inside the step (not at its start) sounds from there: the step shows it. */
        if (p == AM_REST && on)
            for (size_t k = j; k < m->count && m->notes[k].start < b; k++)
                if (m->notes[k].pitch != AM_REST) {
                    p = m->notes[k].pitch;
                    break;
                }
        pitch[t] = p;
        onset[t] = on;
    }
}

int am_melody_from_grid(am_melody *out, const int32_t *pitch, const unsigned char *onset, size_t steps, uint32_t step)
{
    memset(out, 0, sizeof *out);
    if (!step || (steps && (uint64_t)steps * step > AM_MELODY_MAX_TICKS))
        return AM_EINVAL;
    for (size_t t = 0; t < steps; t++)
        if (pitch[t] != AM_REST && (pitch[t] < 0 || pitch[t] > 127))
            return AM_EINVAL;
    out->title = strdup("");
    out->notes = malloc((steps ? steps : 1) * sizeof *out->notes);
    if (!out->title || !out->notes) {
        am_melody_clear(out);
        return AM_ENOMEM;
    }
    out->meter_num = out->meter_den = 4;
    out->tempo = 120;
    for (size_t t = 0; t < steps; t++) {
        am_note *prev = out->count ? &out->notes[out->count - 1] : NULL;
        int held = prev && prev->pitch == pitch[t] && (pitch[t] == AM_REST || !onset[t]);
        if (held)
            prev->length += step;
        else
            out->notes[out->count++] = (am_note){pitch[t], (uint32_t)(t * step), step};
    }
    return AM_OK;
}
