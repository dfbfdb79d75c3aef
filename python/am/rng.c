/* rng.c — am.Rng (one libam random stream), am.default_rng, am.seed, and the rng= arguments of every layer. */
#include "ext.h"

typedef struct {
    PyObject_HEAD am_rng rng;
    uint64_t seed, stream;
} RngObject;

static PyTypeObject RngType;
static RngObject *default_rng; /* am.seed() reseeds it; functions use it when rng is None */

/* 0, or -1 with RuntimeError for an Rng whose __init__ never ran: its state is the zero state, which is no
 * stream (am/rng.h: every draw 0, for ever). */
static int rng_ready(RngObject *self)
{
    if (am_rng_valid(&self->rng))
        return 0;
    PyErr_SetString(PyExc_RuntimeError, "the Rng was not initialised (am.Rng.__new__ without __init__)");
    return -1;
}

static int Rng_init(RngObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"seed", "stream", NULL};
    amx_int seed = AMX_INT("seed", 0, UINT64_MAX, 1), stream = AMX_INT("stream", 0, UINT64_MAX, 0);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&O&:Rng", names, amx_int_conv, &seed, amx_int_conv, &stream))
        return -1;
    self->seed = seed.u, self->stream = stream.u;
    am_rng_init(&self->rng, seed.u, stream.u);
    return 0;
}

static PyObject *Rng_uniform(RngObject *self, PyObject *unused)
{
    (void)unused;
    return rng_ready(self) ? NULL : PyFloat_FromDouble(am_rng_uniform(&self->rng));
}

static PyObject *Rng_normal(RngObject *self, PyObject *unused)
{
    (void)unused;
    return rng_ready(self) ? NULL : PyFloat_FromDouble(am_rng_normal(&self->rng));
}

static PyObject *Rng_repr(RngObject *self)
{
    if (!am_rng_valid(&self->rng))
        return PyUnicode_FromString("<am.Rng, not initialised>");
    return PyUnicode_FromFormat("am.Rng(seed=%llu, stream=%llu)", (unsigned long long)self->seed,
                                (unsigned long long)self->stream);
}

static PyMethodDef Rng_methods[] = {
    {"uniform", (PyCFunction)Rng_uniform, METH_NOARGS, "uniform() -> float in [0, 1) from the stream\n\n"
     "    >>> am.Rng(3).uniform()                            # the same number for every Rng(3)\n\n"
     "    >>> am.Rng(3).uniform()                            # the same number for every Rng(3)\n\n"
     "    >>> am.Rng(3).uniform()                            # the same number for every Rng(3)"},
    {"normal", (PyCFunction)Rng_normal, METH_NOARGS, "normal() -> a standard normal deviate from the stream\n\n"
     "    >>> r = am.Rng(3); [r.normal() for _ in range(3)]\n\n"
     "    >>> r = am.Rng(3); [r.normal() for _ in range(3)]\n\n"
     "    >>> r = am.Rng(3); [r.normal() for _ in range(3)]"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject RngType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Rng",
    .tp_basicsize = sizeof(RngObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Rng(seed=1, stream=0): libam random stream `stream` of `seed` (xoshiro256**). Pass it as rng= to\n"
              "draw from it (it advances); an int seed gives a fresh Rng(seed); None uses am's default stream\n"
              "(am.seed(s) restarts it).\n\n"
              "    >>> r = am.Rng(7)\n"
              "    >>> a = am.patterns('random', 2, 16, rng=r); b = am.patterns('random', 2, 16, rng=r)   # a != b\n"
              "    >>> (am.patterns('random', 2, 16, rng=7) == a).all()   # True: the int seed 7 is a fresh Rng(7)",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Rng_init,
    .tp_methods = Rng_methods,
    .tp_repr = (reprfunc)Rng_repr,
};

am_rng *amx_rng_arg(PyObject *o, am_rng *tmp)
{
    if (!o || o == Py_None)
        return &default_rng->rng;
    if (PyObject_TypeCheck(o, &RngType))
        return rng_ready((RngObject *)o) ? NULL : &((RngObject *)o)->rng;
    if (PyIndex_Check(o)) {
        amx_int seed = AMX_INT("rng (a seed)", 0, UINT64_MAX, 0);
        if (amx_int_from(o, &seed))
            return NULL;
        am_rng_init(tmp, seed.u, 0);
        return tmp;
    }
    PyErr_Format(PyExc_TypeError, "rng must be None, an int seed or an am.Rng, not %.100s", Py_TYPE(o)->tp_name);
    return NULL;
}

static PyObject *am_py_seed(PyObject *mod, PyObject *arg)
{
    (void)mod;
    amx_int s = AMX_INT("seed", 0, UINT64_MAX, 0);
    if (amx_int_from(arg, &s))
        return NULL;
    default_rng->seed = s.u, default_rng->stream = 0;
    am_rng_init(&default_rng->rng, s.u, 0);
    Py_RETURN_NONE;
}

static PyMethodDef rng_functions[] = {
    {"seed", am_py_seed, METH_O, "seed(s): restart am's default random stream (used when rng=None) at seed s\n\n"
     "    >>> am.seed(5); a = am.patterns('random', 1, 16)\n"
     "    >>> am.seed(5); b = am.patterns('random', 1, 16); (a == b).all()   # True"},
    {NULL, NULL, 0, NULL},
};

int amx_init_rng(PyObject *m)
{
    if (PyType_Ready(&RngType) < 0 || PyModule_AddObjectRef(m, "Rng", (PyObject *)&RngType) ||
        PyModule_AddFunctions(m, rng_functions))
        return -1;
    if (!default_rng && !(default_rng = (RngObject *)PyObject_CallNoArgs((PyObject *)&RngType)))
        return -1;
    return PyModule_AddObjectRef(m, "default_rng", (PyObject *)default_rng);
}
