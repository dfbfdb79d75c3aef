/* melody.c — melodies (am/melody.h): am.Melody, am.MelodyCode, read_abc, read_midi, pitch_name. */
#include "ext.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------------ */
/* Melodies (am/melody.h): read, built from arrays, on a grid, written, rendered; immutable once made */

typedef struct {
    PyObject_HEAD am_melody m;
    int ready;
} MelodyObject;

static PyTypeObject MelodyType;

static void Melody_dealloc(MelodyObject *self)
{
    am_melody_clear(&self->m);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* A new Melody holding *m (moved: *m is zeroed, and cleared on failure). */
static PyObject *melody_wrap(am_melody *m)
{
    MelodyObject *o = (MelodyObject *)MelodyType.tp_alloc(&MelodyType, 0);
    if (!o) {
        am_melody_clear(m);
        return NULL;
    }
    o->m = *m;
    memset(m, 0, sizeof *m);
    if (!o->m.title && !(o->m.title = calloc(1, 1))) {
        Py_DECREF(o);
        return PyErr_NoMemory();
    }
    o->ready = 1;
    return (PyObject *)o;
}

#define MELODY_READY(self)                                                                                         \
    do {                                                                                                           \
        if (!(self)->ready) {                                                                                      \
            PyErr_SetString(PyExc_RuntimeError, "the Melody was not initialised");                                 \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

/* 0, or -1 with ValueError naming what[i] when a value of a (count int64) is outside [lo, hi]. */
static int ints_within(PyObject *a, long long lo, long long hi, const char *what)
{
    const int64_t *v = amx_data(a);
    for (Py_ssize_t i = 0; i < amx_dim(a, 0); i++)
        if (v[i] < lo || v[i] > hi)
            return amx_value_error("%s[%zd] = %lld is out of range (%lld .. %lld)", what, (Py_ssize_t)i, (long long)v[i],
                               lo, hi), -1;
    return 0;
}

/* meter=(num, den) (any sequence of two ints): (0, 0) for free meter, else num 1..255 over a power of 2, 1..64. */
static int meter_from(PyObject *o, unsigned *num, unsigned *den)
{
    PyObject *seq = PyUnicode_Check(o) || PyBytes_Check(o) ? NULL : PySequence_Fast(o, "");
    if (!seq || PySequence_Fast_GET_SIZE(seq) != 2) {
        Py_XDECREF(seq);
        PyErr_Clear();
        return PyErr_Format(PyExc_TypeError, "meter must be two ints (numerator, denominator), not %.100s",
                            Py_TYPE(o)->tp_name), -1;
    }
    amx_int a = AMX_INT("meter[0]", 0, 255, 4), b = AMX_INT("meter[1]", 0, 64, 4);
    int rc = amx_int_from(PySequence_Fast_GET_ITEM(seq, 0), &a) || amx_int_from(PySequence_Fast_GET_ITEM(seq, 1), &b) ? -1 : 0;
    Py_DECREF(seq);
    if (rc)
        return -1;
    int free_meter = a.u == 0 && b.u == 0;
    if (!free_meter && (a.u == 0 || b.u == 0 || (b.u & (b.u - 1))))
        return amx_value_error("meter = (%llu, %llu): (0, 0) for free meter, or a numerator 1..255 over a power of 2 "
                           "(1 .. 64)", a.u, b.u), -1;
    *num = (unsigned)a.u, *den = (unsigned)b.u;
    return 0;
}

static int Melody_init(MelodyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"pitch", "start", "length", "title", "tempo", "meter", "key", "number", NULL};
    PyObject *po, *so, *lo, *metero = NULL;
    const char *title = "";
    amx_real tempo = AMX_REAL_ABOVE("tempo", 0.0, 1e6, 120.0);
    amx_int key = AMX_INT("key", -7, 7, 0), number = AMX_INT("number", 0, UINT_MAX, 0);
    unsigned mn = 4, md = 4;
    char why[200];
    if (self->ready)
        return amx_value_error("a Melody is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO|$sO&OO&O&:Melody", names, &po, &so, &lo, &title, amx_real_conv, &tempo,
                                     &metero, amx_int_conv, &key, amx_int_conv, &number) ||
        (metero && metero != Py_None && meter_from(metero, &mn, &md)))
        return -1;
    PyObject *p = amx_integers(po, 0, 1, 1, "pitch"), *s = p ? amx_integers(so, 0, 1, 1, "start") : NULL, *l = s ? amx_integers(lo, 0, 1, 1, "length") : NULL;
    int rc = -1;
    Py_ssize_t count = p ? amx_dim(p, 0) : 0;
    if (!l)
        goto done;
    if (amx_dim(s, 0) != count || amx_dim(l, 0) != count) {
        amx_value_error("pitch, start and length must be as long (%zd, %zd, %zd)", (Py_ssize_t)count,
                    (Py_ssize_t)amx_dim(s, 0), (Py_ssize_t)amx_dim(l, 0));
        goto done;
    }
    if (ints_within(p, AM_REST, 127, "pitch") || ints_within(s, 0, UINT32_MAX, "start") ||
        ints_within(l, 1, UINT32_MAX, "length"))
        goto done;
    am_melody m = {.meter_num = mn, .meter_den = md, .key = (int)key.s, .tempo = tempo.v, .number = (unsigned)number.u,
                   .count = (size_t)count};
    if (!(m.title = strdup(title)) || !(m.notes = calloc((size_t)count, sizeof *m.notes))) {
        am_melody_clear(&m);
        amx_no_memory("Melody (%zd notes)", (Py_ssize_t)count);
        goto done;
    }
    const int64_t *pv = amx_data(p), *sv = amx_data(s), *lv = amx_data(l);
    for (Py_ssize_t i = 0; i < count; i++)
        m.notes[i] = (am_note){(int32_t)pv[i], (uint32_t)sv[i], (uint32_t)lv[i]};
    if (am_melody_check(&m, why, sizeof why)) {
        am_melody_clear(&m);
        amx_value_error("Melody: %s", why);
        goto done;
    }
    self->m = m;
    self->ready = 1;
    rc = 0;
done:
    Py_XDECREF(p), Py_XDECREF(s), Py_XDECREF(l);
    return rc;
}

static PyObject *Melody_repr(MelodyObject *self)
{
    if (!self->ready)
        return PyUnicode_FromString("<am.Melody, not initialised>");
    char tempo[32];
    snprintf(tempo, sizeof tempo, "%g", self->m.tempo);
    return PyUnicode_FromFormat("<am.Melody '%s', %zu notes, %u/%u, key %d, tempo %s>", self->m.title, self->m.count,
                                self->m.meter_num, self->m.meter_den, self->m.key, tempo);
}

static Py_ssize_t Melody_len(MelodyObject *self) { return self->ready ? (Py_ssize_t)self->m.count : 0; }

static PyObject *Melody_get_title(MelodyObject *self, void *u) { (void)u; MELODY_READY(self); return PyUnicode_DecodeUTF8(self->m.title, (Py_ssize_t)strlen(self->m.title), "replace"); }
static PyObject *Melody_get_number(MelodyObject *self, void *u) { (void)u; MELODY_READY(self); return PyLong_FromUnsignedLong(self->m.number); }
static PyObject *Melody_get_key(MelodyObject *self, void *u) { (void)u; MELODY_READY(self); return PyLong_FromLong(self->m.key); }
static PyObject *Melody_get_tempo(MelodyObject *self, void *u) { (void)u; MELODY_READY(self); return PyFloat_FromDouble(self->m.tempo); }
static PyObject *Melody_get_line(MelodyObject *self, void *u) { (void)u; MELODY_READY(self); return PyLong_FromSize_t(self->m.line); }
static PyObject *Melody_get_ticks(MelodyObject *self, void *u) { (void)u; MELODY_READY(self); return PyLong_FromUnsignedLong(am_melody_ticks(&self->m)); }
static PyObject *Melody_get_meter(MelodyObject *self, void *u)
{
    (void)u;
    MELODY_READY(self);
    return Py_BuildValue("(II)", self->m.meter_num, self->m.meter_den);
}

static PyObject *Melody_get_notes(MelodyObject *self, void *u)
{
    (void)u;
    MELODY_READY(self);
    PyObject *a = amx_new2(AMX_I64, (Py_ssize_t)self->m.count, 3, "Melody.notes");
    int64_t *v = a ? amx_data(a) : NULL;
    for (size_t i = 0; v && i < self->m.count; i++)
        v[3 * i] = self->m.notes[i].pitch, v[3 * i + 1] = self->m.notes[i].start, v[3 * i + 2] = self->m.notes[i].length;
    return (PyObject *)a;
}

/* A step= argument: ticks per step, 1 .. 2^31. */
#define STEP_ARG AMX_INT("step", 1, AM_MELODY_MAX_TICKS, AM_MELODY_TPQ / 2)

static PyObject *Melody_grid(MelodyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"step", "steps", NULL};
    amx_int step = STEP_ARG, steps = AMX_INT("steps", 0, AMX_SSIZE_MAX, 0);
    PyObject *stepso = Py_None;
    MELODY_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&O:grid", names, amx_int_conv, &step, &stepso))
        return NULL;
    steps.hi = AM_MELODY_MAX_TICKS / step.u; /* the grid of the longest tune the readers accept */
    if (stepso != Py_None && amx_int_from(stepso, &steps))
        return NULL;
    size_t t = stepso == Py_None ? am_melody_steps(&self->m, (uint32_t)step.u) : (size_t)steps.u;
    if (amx_fits_memory(5.0 * (double)t, "", "Melody.grid: %zu steps", t))
        return NULL;
    PyObject *p = amx_new1(AMX_I32, (Py_ssize_t)t, "Melody.grid"), *o = amx_new1(AMX_BOOL, (Py_ssize_t)t, "Melody.grid");
    if (!p || !o) {
        Py_XDECREF(p), Py_XDECREF(o);
        return NULL;
    }
    am_melody_grid(&self->m, (uint32_t)step.u, t, amx_data(p), amx_data(o));
    return Py_BuildValue("(NN)", p, o);
}

/* Melody.from_grid(pitch, onset, step=240) */
static PyObject *Melody_from_grid(PyObject *cls, PyObject *args, PyObject *kw)
{
    (void)cls;
    static char *names[] = {"pitch", "onset", "step", NULL};
    PyObject *po, *oo;
    amx_int step = STEP_ARG;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O&:from_grid", names, &po, &oo, amx_int_conv, &step))
        return NULL;
    PyObject *p = amx_integers(po, 0, 1, 1, "pitch"), *o = p ? amx_states(oo, (size_t)amx_dim(p, 0), 1, 1, "onset") : NULL;
    PyObject *r = NULL;
    if (o && !ints_within(p, AM_REST, 127, "pitch")) {
        Py_ssize_t ti = amx_dim(p, 0);
        size_t t = ti > 0 ? (size_t)ti : 0;
        int32_t *pi = calloc(t, sizeof *pi);
        unsigned char *on = calloc(t, 1);
        am_melody m = {0};
        int rc = pi && on ? AM_OK : AM_ENOMEM;
        for (size_t i = 0; !rc && i < t; i++)
            pi[i] = (int32_t)((const int64_t *)amx_data(p))[i], on[i] = ((const int8_t *)amx_data(o))[i] > 0;
        if (!rc && (double)t * step.u > (double)AM_MELODY_MAX_TICKS)
            amx_value_error("Melody.from_grid: %zu steps of %llu ticks pass %u ticks", t, step.u, AM_MELODY_MAX_TICKS);
        else if (!rc && (rc = am_melody_from_grid(&m, pi, on, t, (uint32_t)step.u)))
            amx_raise(rc, "Melody.from_grid (%zu steps)", t);
        else if (rc)
            amx_no_memory("Melody.from_grid (%zu steps)", t);
        else
            r = melody_wrap(&m);
        free(pi), free(on);
    }
    Py_XDECREF(p), Py_XDECREF(o);
    return r;
}

/* The melody as ABC text. */
static PyObject *Melody_abc(MelodyObject *self, PyObject *unused)
{
    (void)unused;
    MELODY_READY(self);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return amx_no_memory("Melody.abc");
    am_melodies ms = {1, &self->m};
    int rc = am_abc_fprint(f, &ms);
    if (fclose(f) && !rc)
        rc = AM_ENOMEM;
    PyObject *r = rc ? amx_raise(rc, "Melody.abc") : PyUnicode_DecodeUTF8(buf, (Py_ssize_t)len, "replace");
    free(buf);
    return r;
}

static int abc_save(const void *m, const char *path)
{
    am_melodies ms = {1, (am_melody *)m};
    return am_abc_write(path, &ms);
}

static PyObject *Melody_write_abc(MelodyObject *self, PyObject *arg)
{
    MELODY_READY(self);
    return amx_save_with(abc_save, &self->m, arg, "Melody.write_abc");
}

static PyObject *Melody_write_midi(MelodyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"path", "program", NULL};
    PyObject *patho, *path = NULL;
    amx_int program = AMX_INT("program", 0, 127, 0);
    MELODY_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O&:write_midi", names, &patho, amx_int_conv, &program) ||
        !PyUnicode_FSConverter(patho, &path))
        return NULL;
    int rc = am_midi_write(PyBytes_AS_STRING(path), &self->m, (int)program.u);
    PyObject *r = rc ? amx_raise(rc, "Melody.write_midi('%s')", PyBytes_AS_STRING(path)) : Py_NewRef(Py_None);
    Py_DECREF(path);
    return r;
}

#define RATE_ARG AMX_INT("rate", 1000, 384000, 44100)

/* The samples of m at rate (the GIL released); NULL with the error set. */
static float *melody_samples(const am_melody *m, unsigned rate, size_t *n, const char *what)
{
    double seconds = (double)am_melody_ticks(m) / AM_MELODY_TPQ * 60.0 / m->tempo;
    if (amx_fits_memory(4.0 * seconds * rate, "", "%s: %.0f s at %u samples per second", what, seconds, rate))
        return NULL;
    float *x = NULL;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_melody_render(m, rate, &x, n);
    amx_interrupt_end(&it);
    if (rc)
        amx_raise(rc, "%s (%zu notes at %u samples per second)", what, m->count, rate);
    return rc ? NULL : x;
}

static PyObject *Melody_render(MelodyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"rate", NULL};
    amx_int rate = RATE_ARG;
    size_t n = 0;
    MELODY_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&:render", names, amx_int_conv, &rate))
        return NULL;
    float *x = melody_samples(&self->m, (unsigned)rate.u, &n, "Melody.render");
    if (!x)
        return NULL;
    PyObject *a = amx_copy_out(AMX_F32, x, (Py_ssize_t)n, 0, "Melody.render");
    free(x);
    return a;
}

static PyObject *Melody_wav(MelodyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"path", "rate", NULL};
    PyObject *patho, *path = NULL;
    amx_int rate = RATE_ARG;
    size_t n = 0;
    MELODY_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O&:wav", names, &patho, amx_int_conv, &rate) ||
        !PyUnicode_FSConverter(patho, &path))
        return NULL;
    float *x = melody_samples(&self->m, (unsigned)rate.u, &n, "Melody.wav");
    int rc = x ? am_wav_write(PyBytes_AS_STRING(path), x, n, (unsigned)rate.u) : AM_OK;
    free(x);
    PyObject *r = !x ? NULL : rc ? amx_raise(rc, "Melody.wav('%s')", PyBytes_AS_STRING(path)) : Py_NewRef(Py_None);
    Py_DECREF(path);
    return r;
}

static PyObject *Melody_names(MelodyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"flats", NULL};
    int flats = 0;
    MELODY_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|p:names", names, &flats))
        return NULL;
    PyObject *list = PyList_New((Py_ssize_t)self->m.count);
    for (size_t i = 0; list && i < self->m.count; i++) {
        char buf[16];
        PyObject *s = PyUnicode_FromString(am_pitch_name(self->m.notes[i].pitch, flats, buf, sizeof buf));
        if (!s)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, s);
    }
    return list;
}

static PyMethodDef Melody_methods[] = {
    {"grid", (PyCFunction)(void (*)(void))Melody_grid, METH_VARARGS | METH_KEYWORDS,
     "grid(step=240, steps=None) -> (pitch, onset): the melody on a grid of `step` ticks (240: an eighth note):\n"
     "pitch (int32, am.REST = -1 for a rest) sounding at each step's start, onset (bool) where a note begins in\n"
     "the step; `steps` steps (None: enough to cover the melody; more: rests; at most 2**31 / step)\n\n"
     "    >>> pitch, onset = m.grid(); pitch, onset         # one entry per eighth note\n\n"
     "    >>> pitch, onset = m.grid(); pitch, onset         # one entry per eighth note\n\n"
     "    >>> pitch, onset = m.grid(); pitch, onset         # one entry per eighth note"},
    {"from_grid", (PyCFunction)(void (*)(void))Melody_from_grid, METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "from_grid(pitch, onset, step=240) -> Melody: the inverse of grid() (a note starts at each onset and where\n"
     "the pitch changes)\n\n"
     "    >>> am.Melody.from_grid(*m.grid()).notes.tolist() == m.notes.tolist()   # True\n\n"
     "    >>> am.Melody.from_grid(*m.grid()).notes.tolist() == m.notes.tolist()   # True\n\n"
     "    >>> am.Melody.from_grid(*m.grid()).notes.tolist() == m.notes.tolist()   # True"},
    {"abc", (PyCFunction)Melody_abc, METH_NOARGS, "abc() -> the melody as ABC text (read_abc(text=...) reads it back)\n\n"
     "    >>> am.read_abc(text=m.abc())[0].notes.tolist() == m.notes.tolist()   # True\n\n"
     "    >>> am.read_abc(text=m.abc())[0].notes.tolist() == m.notes.tolist()   # True\n\n"
     "    >>> am.read_abc(text=m.abc())[0].notes.tolist() == m.notes.tolist()   # True"},
    {"write_abc", (PyCFunction)Melody_write_abc, METH_O, "write_abc(path): the melody as an ABC file (atomically)\n\n"
     "    >>> m.write_abc('up.abc'); am.read_abc('up.abc')[0].title   # 'Up'\n\n"
     "    >>> m.write_abc('up.abc'); am.read_abc('up.abc')[0].title   # 'Up'\n\n"
     "    >>> m.write_abc('up.abc'); am.read_abc('up.abc')[0].title   # 'Up'"},
    {"write_midi", (PyCFunction)(void (*)(void))Melody_write_midi, METH_VARARGS | METH_KEYWORDS,
     "write_midi(path, program=0): a format-0 MIDI file, General MIDI program 0..127 (atomically)\n\n"
     "    >>> m.write_midi('up.mid', program=73); am.read_midi('up.mid').notes[:, 0]   # a flute"},
    {"render", (PyCFunction)(void (*)(void))Melody_render, METH_VARARGS | METH_KEYWORDS,
     "render(rate=44100) -> float32 samples in [-1, 1]: additive tones at the melody's tempo, normalised to\n"
     "-24 dBFS (the GIL released). IPython.display.Audio(m.render(), rate=44100) plays it in Jupyter.\n\n"
     "    >>> x = m.render(rate=8000); len(x) / 8000            # seconds\n\n"
     "    >>> x = m.render(rate=8000); len(x) / 8000            # seconds\n\n"
     "    >>> x = m.render(rate=8000); len(x) / 8000            # seconds"},
    {"wav", (PyCFunction)(void (*)(void))Melody_wav, METH_VARARGS | METH_KEYWORDS,
     "wav(path, rate=44100): render() written as a 16-bit mono WAV file\n\n"
     "    >>> m.wav('up.wav', rate=8000); am.read_wav('up.wav')[1]   # 8000\n\n"
     "    >>> m.wav('up.wav', rate=8000); am.read_wav('up.wav')[1]   # 8000\n\n"
     "    >>> m.wav('up.wav', rate=8000); am.read_wav('up.wav')[1]   # 8000"},
    {"names", (PyCFunction)(void (*)(void))Melody_names, METH_VARARGS | METH_KEYWORDS,
     "names(flats=False) -> the notes' pitches as text ('C4', 'F#5' or 'Gb5' with flats=True, 'z' a rest)\n\n"
     "    >>> m.names(), m.names(flats=True)\n\n"
     "    >>> m.names(), m.names(flats=True)\n\n"
     "    >>> m.names(), m.names(flats=True)"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Melody_getset[] = {
    {"title", (getter)Melody_get_title, NULL, "the title ('' when none)", NULL},
    {"number", (getter)Melody_get_number, NULL, "the ABC reference number (X:), or 0", NULL},
    {"meter", (getter)Melody_get_meter, NULL, "the time signature (numerator, denominator); (0, 0): free", NULL},
    {"key", (getter)Melody_get_key, NULL, "sharps (> 0) or flats (< 0) of the key signature", NULL},
    {"tempo", (getter)Melody_get_tempo, NULL, "quarter notes per minute", NULL},
    {"line", (getter)Melody_get_line, NULL, "ABC: the line of its X: field; else 0", NULL},
    {"ticks", (getter)Melody_get_ticks, NULL, "ticks (am.TPQ = 480 to the quarter) to the end of the last note", NULL},
    {"notes", (getter)Melody_get_notes, NULL,
     "count x 3 int64: (pitch, start, length) of each note, pitch am.REST (-1) for a rest, times in ticks", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods Melody_seq = {.sq_length = (lenfunc)Melody_len};

static PyTypeObject MelodyType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Melody",
    .tp_basicsize = sizeof(MelodyObject),
    .tp_dealloc = (destructor)Melody_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Melody(pitch, start, length, *, title='', tempo=120.0, meter=None, key=0, number=0)\n"
              "A monophonic tune (am/melody.h): notes of MIDI pitch 0..127 (60 = middle C) or am.REST (-1), each\n"
              "with a start and a length in ticks (am.TPQ = 480 to the quarter note), in order without overlap\n"
              "(checked: ValueError saying which note); pitch, start, length: integer arrays. meter: (numerator,\n"
              "denominator), None: (4, 4), (0, 0): free meter; key: sharps (> 0) or flats (< 0), -7..7; tempo:\n"
              "quarter notes a minute. am.read_abc and am.read_midi read melodies; a Melody does not\n"              "change once made. len(m) is its number of notes.\n\n"
              "    >>> m = am.Melody([60, 62, 64, am.REST, 67], [0, 480, 960, 1440, 1920], [480] * 5, title='Up')\n"
              "    >>> len(m), print(m.abc())",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Melody_init,
    .tp_repr = (reprfunc)Melody_repr,
    .tp_methods = Melody_methods,
    .tp_getset = Melody_getset,
    .tp_as_sequence = &Melody_seq,
};

/* read_abc(path=None, *, text=None) -> [Melody] */
static PyObject *am_py_read_abc(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"path", "text", NULL};
    PyObject *patho = Py_None, *texto = Py_None, *path = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$O:read_abc", names, &patho, &texto))
        return NULL;
    if ((patho == Py_None) == (texto == Py_None))
        return amx_value_error("read_abc: give a path or text=, not %s", patho == Py_None ? "neither" : "both");
    Py_ssize_t len = 0;
    const char *text = NULL;
    if (texto != Py_None && !PyUnicode_Check(texto))
        return PyErr_Format(PyExc_TypeError, "text must be a str, not %.100s", Py_TYPE(texto)->tp_name);
    if ((texto != Py_None && !(text = PyUnicode_AsUTF8AndSize(texto, &len))) ||
        (patho != Py_None && !PyUnicode_FSConverter(patho, &path)))
        return NULL;
    am_melodies *ms = NULL;
    char err[512] = "";
    amx_interrupt it;
    amx_interrupt_begin(&it, 1); /* the text (immutable) and path stay referenced */
    int rc = path ? am_abc_read(PyBytes_AS_STRING(path), &ms, err, sizeof err)
                  : am_abc_parse(text, (size_t)len, "<text>", &ms, err, sizeof err);
    amx_interrupt_end(&it);
    if (rc) {
        amx_raise(rc, "am.read_abc: %s", err[0] ? err : path ? PyBytes_AS_STRING(path) : "<text>");
        Py_XDECREF(path);
        return NULL;
    }
    Py_XDECREF(path);
    PyObject *list = PyList_New((Py_ssize_t)ms->count);
    for (size_t i = 0; list && i < ms->count; i++) {
        PyObject *m = melody_wrap(&ms->items[i]);
        if (!m)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, m);
    }
    am_melodies_free(ms);
    return list;
}

/* read_midi(path, *, track=None, channel=None) -> Melody */
static PyObject *am_py_read_midi(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"path", "track", "channel", NULL};
    PyObject *patho, *tracko = Py_None, *channelo = Py_None, *path = NULL;
    amx_int track = AMX_INT("track", 0, INT_MAX, 0), channel = AMX_INT("channel", 1, 16, 1);
    am_midi_opts o;
    am_midi_opts_init(&o);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$OO:read_midi", names, &patho, &tracko, &channelo) ||
        (tracko != Py_None && amx_int_from(tracko, &track)) || (channelo != Py_None && amx_int_from(channelo, &channel)) ||
        !PyUnicode_FSConverter(patho, &path))
        return NULL;
    if (tracko != Py_None)
        o.track = (int)track.u;
    if (channelo != Py_None)
        o.channel = (int)channel.u;
    am_melody m = {0};
    char err[512] = "";
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_midi_read(PyBytes_AS_STRING(path), &o, &m, err, sizeof err);
    amx_interrupt_end(&it);
    PyObject *r = rc ? amx_raise(rc, "am.read_midi: %s", err[0] ? err : PyBytes_AS_STRING(path)) : melody_wrap(&m);
    Py_DECREF(path);
    return r;
}

static PyObject *am_py_pitch_name(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"pitch", "flats", NULL};
    amx_int p = AMX_INT("pitch", AM_REST, 127, 0);
    int flats = 0;
    char buf[16];
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|p:pitch_name", names, amx_int_conv, &p, &flats))
        return NULL;
    return PyUnicode_FromString(am_pitch_name((int)p.s, flats, buf, sizeof buf));
}

/* ------------------------------------------------------------------------------------------------ */
/* Melody encodings (am_melcode): a melody as a sequence of ±1 patterns and back */

typedef struct {
    PyObject_HEAD am_melcode c;
    int ready;
} CodeObject;

static PyTypeObject CodeType;

static const char *const code_kinds[] = {"pitchclass", "range", "sparse", NULL};

#define CODE_READY(self)                                                                                           \
    do {                                                                                                           \
        if (!(self)->ready) {                                                                                      \
            PyErr_SetString(PyExc_RuntimeError, "the MelodyCode was not initialised");                             \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

/* An optional integer keyword (NULL or None: the default, kept) of the kinds in `kinds` (a bit per kind):
 * ValueError for one given to another kind. */
static int code_opt(PyObject *o, amx_int *a, unsigned kinds, am_melcode_kind kind)
{
    if (!o || o == Py_None)
        return 0;
    if (!(kinds >> kind & 1u)) {
        char buf[64] = "";
        for (int k = 0; code_kinds[k]; k++)
            if (kinds >> k & 1u)
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", buf[0] ? ", " : "", code_kinds[k]);
        return amx_value_error("%s applies to kind %s only, not to %s", a->name, buf, code_kinds[kind]), -1;
    }
    return amx_int_from(o, a);
}

static int Code_init(CodeObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"kind", "step", "lo", "hi", "repeat", "n", "k", "context", "history", "seed", NULL};
    const char *kindname = "pitchclass";
    PyObject *o[9] = {0};
    am_melcode c;
    char why[200];
    if (self->ready)
        return amx_value_error("a MelodyCode is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|s$OOOOOOOOO:MelodyCode", names, &kindname, &o[0], &o[1], &o[2],
                                     &o[3], &o[4], &o[5], &o[6], &o[7], &o[8]))
        return -1;
    am_melcode_init(&c);
    int kind = 0;
    while (code_kinds[kind] && strcmp(code_kinds[kind], kindname))
        kind++;
    if (!code_kinds[kind])
        return amx_value_error("unknown kind '%s' (pitchclass, range, sparse)", kindname), -1;
    c.kind = (am_melcode_kind)kind;
    amx_int a[9] = {STEP_ARG, AMX_INT("lo", 0, 127, 48), AMX_INT("hi", 0, 127, 84),
                    AMX_INT("repeat", 1, AM_MAX_UNITS, 8), AMX_INT("n", 1, AM_MAX_UNITS, 256),
                    AMX_INT("k", 1, AM_MAX_UNITS, 16), AMX_INT("context", 0, AM_MAX_UNITS, 0),
                    AMX_INT("history", 1, 64, 1), AMX_INT("seed", 0, UINT64_MAX, 0)};
    const unsigned all = 7, ranged = 6, onehot = 3, sparse = 4;
    const unsigned kinds[9] = {all, ranged, ranged, onehot, sparse, sparse, all, all, all};
    for (int i = 0; i < 9; i++)
        if (code_opt(o[i], &a[i], kinds[i], c.kind))
            return -1;
    c.step = (uint32_t)a[0].u, c.lo = (int)a[1].u, c.hi = (int)a[2].u, c.repeat = (unsigned)a[3].u;
    c.n = (size_t)a[4].u, c.k = (size_t)a[5].u, c.context = (size_t)a[6].u, c.history = (unsigned)a[7].u;
    c.seed = a[8].u;
    if (am_melcode_check(&c, why, sizeof why))
        return amx_value_error("MelodyCode: %s", why), -1;
    self->c = c;
    self->ready = 1;
    return 0;
}

static PyObject *Code_repr(CodeObject *self)
{
    if (!self->ready)
        return PyUnicode_FromString("<am.MelodyCode, not initialised>");
    const am_melcode *c = &self->c;
    return PyUnicode_FromFormat("<am.MelodyCode %s, step %u, %zu units (history %u, context %zu)>",
                                code_kinds[c->kind], c->step, am_melcode_units(c), c->history, c->context);
}

/* Code.encode(melody, tune=0) -> steps x units int8 */
static PyObject *Code_encode(CodeObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"melody", "tune", NULL};
    MelodyObject *m;
    amx_int tune = AMX_INT("tune", 0, AMX_SSIZE_MAX, 0);
    CODE_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!|O&:encode", names, &MelodyType, &m, amx_int_conv, &tune))
        return NULL;
    MELODY_READY(m);
    size_t steps = am_melody_steps(&m->m, self->c.step), units = am_melcode_units(&self->c);
    if (amx_fits_memory(1.2 * (double)steps * (double)units, "", "MelodyCode.encode: %zu steps of %zu units", steps, units))
        return NULL;
    am_patterns *p = NULL;
    int rc = am_melcode_encode(&self->c, &m->m, (size_t)tune.u, &p);
    if (rc)
        return amx_raise(rc, "MelodyCode.encode (%zu steps of %zu units)", steps, units);
    PyObject *a = amx_patterns_out(p);
    am_patterns_free(p);
    return a;
}

static PyObject *Code_decode(CodeObject *self, PyObject *arg)
{
    CODE_READY(self);
    PyObject *st = amx_states(arg, am_melcode_units(&self->c), 2, 2, "states");
    if (!st)
        return NULL;
    am_melody m = {0};
    int rc = am_melcode_decode(&self->c, amx_data(st), (size_t)amx_dim(st, 0), &m);
    Py_DECREF(st);
    return rc ? amx_raise(rc, "MelodyCode.decode") : melody_wrap(&m);
}

static PyObject *Code_decode_step(CodeObject *self, PyObject *arg)
{
    CODE_READY(self);
    PyObject *st = amx_states(arg, am_melcode_units(&self->c), 1, 1, "x");
    if (!st)
        return NULL;
    int32_t pitch = 0;
    unsigned char onset = 0;
    double ov = am_melcode_decode_step(&self->c, amx_data(st), &pitch, &onset);
    Py_DECREF(st);
    return Py_BuildValue("(iNd)", (int)pitch, PyBool_FromLong(onset), ov);
}

static PyObject *Code_get_kind(CodeObject *self, void *u) { (void)u; CODE_READY(self); return PyUnicode_FromString(code_kinds[self->c.kind]); }
static PyObject *Code_get_units(CodeObject *self, void *u) { (void)u; CODE_READY(self); return PyLong_FromSize_t(am_melcode_units(&self->c)); }
static PyObject *Code_get_step(CodeObject *self, void *u) { (void)u; CODE_READY(self); return PyLong_FromUnsignedLong(self->c.step); }
static PyObject *Code_get_history(CodeObject *self, void *u) { (void)u; CODE_READY(self); return PyLong_FromUnsignedLong(self->c.history); }
static PyObject *Code_get_context(CodeObject *self, void *u) { (void)u; CODE_READY(self); return PyLong_FromSize_t(self->c.context); }

static PyMethodDef Code_methods[] = {
    {"encode", (PyCFunction)(void (*)(void))Code_encode, METH_VARARGS | METH_KEYWORDS,
     "encode(melody, tune=0) -> steps x units int8 ±1: one pattern per step of the melody (a sequence for\n"
     "Store.add on a sequence store, or for Engram.train); tune picks the context code (context > 0)\n\n"
     "    >>> am.MelodyCode('range').encode(m).shape          # (8, units)\n\n"
     "    >>> am.MelodyCode('range').encode(m).shape          # (8, units)\n\n"
     "    >>> am.MelodyCode('range').encode(m).shape          # (8, units)"},
    {"decode", (PyCFunction)Code_decode, METH_O,
     "decode(states) -> Melody: steps x units states (a replay's, a recall's) back to notes\n\n"
     "    >>> code.decode(am.flip(x, k=1, rng=1)).notes         # the notes back from a noisy code\n\n"
     "    >>> code.decode(am.flip(x, k=1, rng=1)).notes         # the notes back from a noisy code\n\n"
     "    >>> code.decode(am.flip(x, k=1, rng=1)).notes         # the notes back from a noisy code"},
    {"decode_step", (PyCFunction)Code_decode_step, METH_O,
     "decode_step(x) -> (pitch, onset, overlap): the step nearest to one state x (pitch am.REST = -1 for a rest;\n"
     "pitchclass: in octave 4), and x's overlap with that step's code, in [-1, 1]\n\n"
     "    >>> code.decode_step(x[0])                          # (60, True, 1.0)\n\n"
     "    >>> code.decode_step(x[0])                          # (60, True, 1.0)\n\n"
     "    >>> code.decode_step(x[0])                          # (60, True, 1.0)"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Code_getset[] = {
    {"kind", (getter)Code_get_kind, NULL, "pitchclass, range or sparse", NULL},
    {"units", (getter)Code_get_units, NULL, "units per pattern (the n of a Store for these codes)", NULL},
    {"step", (getter)Code_get_step, NULL, "ticks per step", NULL},
    {"history", (getter)Code_get_history, NULL, "steps each pattern holds", NULL},
    {"context", (getter)Code_get_context, NULL, "units of the per-tune context code", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject CodeType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.MelodyCode",
    .tp_basicsize = sizeof(CodeObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "MelodyCode(kind='pitchclass', *, step=240, lo=48, hi=84, repeat=8, n=256, k=16, context=0, history=1,\n"
              "           seed=0)\n"
              "An encoding of melodies as ±1 patterns, one per step of `step` ticks (am_melcode): kind\n"
              "'pitchclass' (12 pitch classes, rest, onset, sustain units, each repeated `repeat` times), 'range'\n"
              "(one unit per pitch lo..hi), 'sparse' (each (pitch, onset) a random code of k active of n units from\n"
              "seed); history: steps each pattern holds (the current first); context: units of a random code per\n"
              "tune appended to every step. Options of another kind are a ValueError.\n\n"
              "    >>> m = am.Melody([60, 62, 64], [0, 480, 960], [480, 480, 960])\n"
              "    >>> code = am.MelodyCode('pitchclass'); x = code.encode(m)   # 8 eighth notes x code.units, +-1\n"
              "    >>> code.decode(x).notes                           # back to the notes: (pitch, start, length) rows",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Code_init,
    .tp_repr = (reprfunc)Code_repr,
    .tp_methods = Code_methods,
    .tp_getset = Code_getset,
};

static PyMethodDef melody_functions[] = {
    {"read_abc", (PyCFunction)(void (*)(void))am_py_read_abc, METH_VARARGS | METH_KEYWORDS,
     "read_abc(path=None, *, text=None) -> [Melody]: every tune of an ABC file (or of the text), its first voice\n"
     "(am_abc_parse); a malformed tune is an am.Error naming the file, line and column. The GIL is released.\n\n"
     "    >>> tunes = am.read_abc(text='X:1\\nT:Scale\\nM:4/4\\nL:1/8\\nK:C\\nCDEF GABc|\\n')\n"
     "    >>> tunes[0].title, [am.pitch_name(p) for p in tunes[0].notes[:, 0]]\n"
     "    >>> len(am.read_abc(am.corpus()))                    # libam's own tunes"},
    {"read_midi", (PyCFunction)(void (*)(void))am_py_read_midi, METH_VARARGS | METH_KEYWORDS,
     "read_midi(path, *, track=None, channel=None) -> Melody: a standard MIDI file (formats 0 and 1) as one line of\n"
     "melody, the highest sounding note (the skyline) of every track (or track, 0-based) and every channel but\n"
     "the percussion channel 10 (or channel, 1..16); malformed input is an am.Error naming the byte\n\n"
     "    >>> am.read_abc(am.corpus())[0].write_midi('tune.mid')\n"
     "    >>> m = am.read_midi('tune.mid'); len(m), m.notes[:4]"},
    {"pitch_name", (PyCFunction)(void (*)(void))am_py_pitch_name, METH_VARARGS | METH_KEYWORDS,
     "pitch_name(pitch, flats=False) -> 'C4', 'F#5' ('Gb5' with flats=True), 'z' for am.REST (-1)\n\n"
     "    >>> am.pitch_name(60), am.pitch_name(78), am.pitch_name(78, flats=True), am.pitch_name(am.REST)"},
    {NULL, NULL, 0, NULL},
};

int amx_init_melody(PyObject *m)
{
    return amx_add_type(m, "Melody", &MelodyType) ||
           amx_add_type(m, "MelodyCode", &CodeType) ||
           PyModule_AddFunctions(m, melody_functions) ||
           PyModule_AddIntConstant(m, "REST", AM_REST) ||
           PyModule_AddIntConstant(m, "TPQ", AM_MELODY_TPQ) ? -1 : 0;
}
