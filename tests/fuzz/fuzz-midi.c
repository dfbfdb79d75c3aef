/* Standard MIDI files through the parser (every channel but 10, then channel 10 of track 0): what it accepts
 * must be a melody that passes its check, whose grid and ticks are computable. */
#include "am/am.h"
#include "am/melody.h"
#include "fuzz.h"

static void accept(const am_melody *m)
{
    char why[200];
    if (am_melody_check(m, why, sizeof why) != AM_OK || !m->title || !(m->tempo > 0) || m->key < -7 || m->key > 7) {
        fprintf(stderr, "fuzz-midi: an accepted melody fails its check: %s\n", why);
        abort();
    }
    int32_t pitch[64];
    unsigned char onset[64];
    size_t steps = am_melody_steps(m, AM_MELODY_TPQ * 64);
    am_melody_grid(m, AM_MELODY_TPQ * 64, steps < 64 ? steps : 64, pitch, onset);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    am_melody m;
    char err[256];
    am_midi_opts o;
    am_midi_opts_init(&o);
    for (int pass = 0; pass < 2; pass++) {
        if (am_midi_parse(data, size, "fuzz.mid", &o, &m, err, sizeof err) == AM_OK)
            accept(&m);
        else if (m.count || m.notes || m.title)
            abort(); /* a failed parse leaves *out zeroed */
        am_melody_clear(&m);
        o.channel = 10, o.track = 0;
    }
    return 0;
}
