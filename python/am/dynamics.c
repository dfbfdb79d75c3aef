/* dynamics.c — networks in time: am.SNN (leaky integrate-and-fire presets), am.xor_trial (the spiking XOR motif),
 * am.graded_run (the graded-response Hopfield network), am.Engram (the melody engram). */
#include "ext.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------------ */
/* Spiking networks */

typedef struct {
    PyObject_HEAD am_snn *n;
    amx_use use; /* writer: add, connect, run (the getters need no writer) */
} SNNObject;

static PyTypeObject SNNType;

static void SNN_dealloc(SNNObject *self)
{
    am_snn_free(self->n);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int SNN_init(SNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"dt", "method", "seed", NULL};
    amx_real dt = AMX_REAL_ABOVE("dt", 0.0, AM_SNN_MAX_DT, 0.1);
    const char *method = "exact";
    amx_int seed = AMX_INT("seed", 0, UINT64_MAX, 1);
    am_integrator m;
    if (self->n)
        return amx_value_error("an SNN is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&sO&:SNN", names, amx_real_conv, &dt, &method, amx_int_conv, &seed))
        return -1;
    if (!strcmp(method, "euler"))
        m = AM_INT_EULER;
    else if (!strcmp(method, "exact"))
        m = AM_INT_EXACT;
    else
        return amx_value_error("unknown method '%s' (euler or exact)", method), -1;
    int rc = am_snn_create(&self->n, dt.v, m, seed.u);
    if (rc)
        return amx_raise(rc, "SNN(dt=%g)", dt.v), -1;
    return 0;
}

#define SNN_READY(self)                                                                                            \
    do {                                                                                                           \
        if (!(self)->n) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the SNN was not initialised");                                    \
            return NULL;                                                                                           \
        }                                                                                                          \
        if ((self)->use.writer) {                                                                                  \
            PyErr_SetString(PyExc_RuntimeError, "the SNN is being run or changed by another call (in another "      \
                            "thread or a signal handler)");                                                        \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

/* SNN.add(count, **parameters): the neuron parameters as Network.population takes them (amx_lif_keyword). */
static PyObject *SNN_add(SNNObject *self, PyObject *args, PyObject *kw)
{
    amx_int count = AMX_INT("count", 1, UINT32_MAX, 0);
    PyObject *cobj = PyTuple_GET_SIZE(args) ? PyTuple_GET_ITEM(args, 0) : NULL, *key, *val;
    Py_ssize_t pos = 0;
    am_lif_params p;
    int v0_given = 0;
    am_lif_params_default(&p);
    SNN_READY(self);
    if (PyTuple_GET_SIZE(args) > 1)
        return PyErr_Format(PyExc_TypeError, "add() takes at most 1 positional argument (%zd given)",
                            PyTuple_GET_SIZE(args));
    while (kw && PyDict_Next(kw, &pos, &key, &val)) {
        const char *k = PyUnicode_AsUTF8(key);
        if (!k)
            return NULL;
        if (!strcmp(k, "count")) {
            if (cobj)
                return PyErr_Format(PyExc_TypeError, "add() got multiple values for argument 'count'");
            cobj = val;
        } else if (amx_lif_keyword(&p, "SNN.add()", k, val, &v0_given))
            return NULL;
    }
    if (!cobj)
        return PyErr_Format(PyExc_TypeError, "add() missing required argument 'count' (pos 1)");
    if (amx_int_from(cobj, &count))
        return NULL;
    if (!v0_given)
        p.v0_mean = p.v_rest;
    if (amx_lif_check(&p, am_snn_dt(self->n)))
        return NULL;
    size_t first;
    int rc = am_snn_add(self->n, (size_t)count.u, &p, &first);
    if (rc)
        return amx_raise(rc, "SNN.add(%llu) to %zu neurons", count.u, am_snn_size(self->n));
    return PyLong_FromSize_t(first);
}

static PyObject *SNN_connect(SNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"pre", "npre", "post", "npost", "p", "k", "weight", "inhibitory", "delay", "autapses", NULL};
    SNN_READY(self);
    size_t size = am_snn_size(self->n);
    double dt = am_snn_dt(self->n);
    if (!size)
        return amx_raise(AM_EEMPTY, "SNN.connect: the network has no neurons (add them with SNN.add)");
    amx_int pre = AMX_INT("pre", 0, size, 0), npre = AMX_INT("npre", 1, size, 0);
    amx_int post = AMX_INT("post", 0, size, 0), npost = AMX_INT("npost", 1, size, 0);
    amx_int k = AMX_INT("k", 0, UINT32_MAX, 0);
    amx_real p = AMX_REAL("p", 0.0, 1.0, 0.0), weight = AMX_FLOAT("weight", 0.0);
    amx_real delay = AMX_REAL("delay", 0.0, AM_SNN_MAX_DELAY_STEPS * dt, 0.0);
    PyObject *po = Py_None, *ko = Py_None;
    am_conn c = {0};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&O&O&O&|$OOO&pO&p:connect", names, amx_int_conv, &pre, amx_int_conv, &npre,
                                     amx_int_conv, &post, amx_int_conv, &npost, &po, &ko, amx_real_conv, &weight, &c.inhibitory,
                                     amx_real_conv, &delay, &c.autapses))
        return NULL;
    if (npre.u > size - pre.u || npost.u > size - post.u)
        return amx_value_error("connect: [pre, pre + npre) = [%llu, %llu) and [post, post + npost) = [%llu, %llu) must lie "
                           "within the network's %zu neurons", pre.u, pre.u + npre.u, post.u, post.u + npost.u, size);
    if ((po == Py_None) == (ko == Py_None))
        return amx_value_error("connect needs exactly one of p (probability) and k (in-degree)");
    int overlap = pre.u < post.u + npost.u && post.u < pre.u + npre.u;
    k.hi = npre.u - (!c.autapses && overlap); /* k distinct presynaptic neurons, the target itself left out */
    if ((po != Py_None && amx_real_from(po, &p)) || (ko != Py_None && amx_int_from(ko, &k)))
        return NULL;
    c.kind = po != Py_None ? AM_CONN_PROB : AM_CONN_INDEGREE;
    c.p = p.v, c.k = (size_t)k.u, c.weight = weight.v, c.delay = delay.v;
    if (amx_use_write(&self->use, "SNN.connect"))
        return NULL;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_snn_connect(self->n, (size_t)pre.u, (size_t)npre.u, (size_t)post.u, (size_t)npost.u, &c);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    if (rc)
        return amx_raise(rc, "SNN.connect(%llu, %llu, %llu, %llu)%s (about %.0f synapses)", pre.u, npre.u, post.u,
                        npost.u, rc == AM_EINVAL ? " (connections are added before the first run)" : "",
                        (c.kind == AM_CONN_PROB ? c.p * (double)npre.u : (double)c.k) * (double)npost.u);
    Py_RETURN_NONE;
}

typedef struct spike_log {
    uint64_t *step;
    uint32_t *id;
    size_t count, cap;
    int failed;
} spike_log;

static void log_spikes(uint64_t step, double t, const uint32_t *ids, size_t count, void *ctx)
{
    (void)t;
    spike_log *l = ctx;
    if (l->failed)
        return;
    if (l->count + count > l->cap) {
        size_t cap = (l->cap ? l->cap * 2 : 1024);
        while (cap < l->count + count)
            cap *= 2;
        uint64_t *s = amx_grow(l->step, cap, sizeof *s);
        if (s)
            l->step = s;
        uint32_t *i = amx_grow(l->id, cap, sizeof *i);
        if (i)
            l->id = i;
        if (!s || !i) {
            l->failed = 1;
            return;
        }
        l->cap = cap;
    }
    for (size_t k = 0; k < count; k++)
        l->step[l->count + k] = step, l->id[l->count + k] = ids[k];
    l->count += count;
}

/* The spikes logged by a run as amx_namespace(t, i). */
static PyObject *spikes_out(const spike_log *l, double dt)
{
    PyObject *t = amx_new1(AMX_F64, (Py_ssize_t)l->count, "spikes_out");
    PyObject *i = amx_copy_out(AMX_U32, l->id, (Py_ssize_t)l->count, 0, "spikes_out");
    if (!t || !i) {
        Py_XDECREF(t), Py_XDECREF(i);
        return NULL;
    }
    for (size_t k = 0; k < l->count; k++)
        ((double *)amx_data(t))[k] = (double)l->step[k] * dt;
    return amx_namespace(2, "t", (PyObject *)t, "i", i);
}

/* Runs with the GIL released and the network marked as written; interrupted, it keeps the whole steps made. */
static PyObject *SNN_run(SNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"steps", "spikes", "threads", NULL};
    amx_int steps = AMX_INT("steps", 0, UINT64_MAX, 0), threads = AMX_INT("threads", 0, AMX_MAX_THREADS, 1);
    int spikes = 0;
    SNN_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|$pO&:run", names, amx_int_conv, &steps, &spikes, amx_int_conv, &threads))
        return NULL;
    if (!am_snn_size(self->n))
        return amx_raise(AM_EEMPTY, "SNN.run: the network has no neurons (add them with SNN.add)");
    spike_log l = {0};
    am_snn_monitor mon = {.on_spikes = log_spikes, .ctx = &l};
    if (amx_use_write(&self->use, "SNN.run"))
        return NULL;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_snn_run(self->n, steps.u, spikes ? &mon : NULL, (int)threads.u);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    PyObject *r = NULL;
    if (rc)
        amx_raise(rc, "SNN.run(%llu) after %llu steps", steps.u, (unsigned long long)am_snn_step_count(self->n));
    else if (l.failed)
        PyErr_NoMemory();
    else
        r = spikes ? spikes_out(&l, am_snn_dt(self->n)) : Py_NewRef(Py_None);
    free(l.step), free(l.id);
    return r;
}

/* The potentials and spike counts exist from the first run on (am/spiking.h): before it, the counts are zero
 * and the potentials not yet drawn. */
static PyObject *SNN_get_v(SNNObject *self, void *u)
{
    (void)u;
    SNN_READY(self);
    if (!am_snn_v(self->n))
        return PyErr_Format(PyExc_RuntimeError, "SNN.v: the initial potentials are drawn by the first run (SNN.run(0) "
                            "draws them and runs no step)");
    return amx_copy_out(AMX_F32, am_snn_v(self->n), (Py_ssize_t)(am_snn_size(self->n)), 0, "SNN.v");
}
static PyObject *SNN_get_counts(SNNObject *self, void *u)
{
    (void)u;
    SNN_READY(self);
    const uint64_t *c = am_snn_spike_counts(self->n);
    if (!c)
        return amx_new1(AMX_U64, (Py_ssize_t)am_snn_size(self->n), "SNN.counts");
    return amx_copy_out(AMX_U64, c, (Py_ssize_t)(am_snn_size(self->n)), 0, "SNN.counts");
}
static PyObject *SNN_get_size(SNNObject *self, void *u) { (void)u; SNN_READY(self); return PyLong_FromSize_t(am_snn_size(self->n)); }
static PyObject *SNN_get_synapses(SNNObject *self, void *u) { (void)u; SNN_READY(self); return PyLong_FromSize_t(am_snn_synapses(self->n)); }
static PyObject *SNN_get_time(SNNObject *self, void *u)
{
    (void)u;
    SNN_READY(self);
    return PyFloat_FromDouble((double)am_snn_step_count(self->n) * am_snn_dt(self->n));
}

static PyObject *SNN_repr(SNNObject *self)
{
    if (!self->n)
        return PyUnicode_FromString("<am.SNN, not initialised>");
    if (self->use.writer) /* being run or connected (another thread, a handler): its sizes are changing */
        return PyUnicode_FromString("<am.SNN, in use by another call>");
    char t[64];
    snprintf(t, sizeof t, "dt = %g ms, t = %g ms", am_snn_dt(self->n),
             (double)am_snn_step_count(self->n) * am_snn_dt(self->n));
    return PyUnicode_FromFormat("<am.SNN %zu neurons, %zu synapses, %s>", am_snn_size(self->n),
                                am_snn_synapses(self->n), t);
}

static PyMethodDef SNN_methods[] = {
    {"add", (PyCFunction)(void (*)(void))SNN_add, METH_VARARGS | METH_KEYWORDS,
     "add(count, *, tau_m=20, v_rest=-60, v_reset=-60, v_thresh=-50, t_ref=5, drive=0, synapse='conductance',\n"
     "    tau_e=5, tau_i=10, e_e=0, e_i=-80, v0_mean=v_rest, v0_sd=0, v0_uniform=False, ext_rate=0, ext_weight=0)\n"
     "-> the index of the first of count new LIF neurons (ms, mV, Hz; am/spiking.h)\n\n"
     "    >>> n2 = am.SNN(seed=2); n2.add(10, drive=20), n2.add(5)   # 0, 10: the first index of each"},
    {"connect", (PyCFunction)(void (*)(void))SNN_connect, METH_VARARGS | METH_KEYWORDS,
     "connect(pre, npre, post, npost, *, p=None | k=None, weight=0, inhibitory=False, delay=0, autapses=False):\n"
     "project neurons [pre, pre+npre) to [post, post+npost) with probability p or in-degree k; inhibitory=True\n"
     "feeds the targets' inhibitory synapses (gi), delay in ms, autapses=True allows i -> i\n\n"
     "    >>> n2 = am.SNN(seed=2); a = n2.add(10, drive=20); b = n2.add(10)\n"
     "    >>> n2.connect(a, 10, b, 10, k=3, weight=1.0, delay=1.5)   # each of b's neurons gets 3 of a's"},
    {"run", (PyCFunction)(void (*)(void))SNN_run, METH_VARARGS | METH_KEYWORDS,
     "run(steps, *, spikes=False, threads=1) -> None, or a namespace(t, i) of the spikes (ms, neuron) with\n"
     "spikes=True. threads=0: all cores; the same spikes at any thread count. Interrupted (KeyboardInterrupt),\n"
     "the network keeps the whole steps it made (SNN.t).\n\n"
     "    >>> n2 = am.SNN(seed=2); n2.add(10, drive=20, v0_mean=-55, v0_sd=5)\n"
     "    >>> r = n2.run(500, spikes=True); r.t[:3], r.i[:3]   # the first spikes: ms, neuron"},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef SNN_getset[] = {
    {"v", (getter)SNN_get_v, NULL, "membrane potentials (mV), drawn by the first run (RuntimeError before it)", NULL},
    {"spike_counts", (getter)SNN_get_counts, NULL, "spikes of each neuron so far (zeros before the first run)", NULL},
    {"size", (getter)SNN_get_size, NULL, "neurons", NULL},
    {"synapses", (getter)SNN_get_synapses, NULL, "synapses", NULL},
    {"t", (getter)SNN_get_time, NULL, "simulated time (ms)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
static PyTypeObject SNNType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.SNN",
    .tp_basicsize = sizeof(SNNObject),
    .tp_dealloc = (destructor)SNN_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "SNN(dt=0.1, method='exact', seed=1): a network of leaky integrate-and-fire neurons in fixed steps\n"
              "of dt ms (method 'euler' as Brian2's, or 'exact'). Randomness from (seed, neuron, step).\n\n"
              "    >>> net = am.SNN(dt=0.1, seed=1)\n"
              "    >>> e = net.add(80, drive=20, v0_mean=-55, v0_sd=5); i = net.add(20, drive=20)\n"
              "    >>> net.connect(e, 80, i, 20, p=0.1, weight=0.6)\n"
              "    >>> net.connect(i, 20, e, 80, p=0.1, weight=6.7, inhibitory=True)\n"
              "    >>> r = net.run(1000, spikes=True); len(r.t)         # spikes in 100 ms (r.t ms, r.i neuron)",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)SNN_init,
    .tp_repr = (reprfunc)SNN_repr,
    .tp_methods = SNN_methods,
    .tp_getset = SNN_getset,
};

/* xor_trial(s1, s3, bg_rate=0, seed=1, readout_inputs=False) -> spike counts of the eight roles */
static PyObject *am_py_xor_trial(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"s1", "s3", "bg_rate", "bg_weight", "seed", "readout_inputs", NULL};
    am_xor_params p;
    amx_real s1 = AMX_REAL("s1", 0.0, 1.0, 0.0), s3 = AMX_REAL("s3", 0.0, 1.0, 0.0);
    amx_int seed = AMX_INT("seed", 0, UINT64_MAX, 1);
    am_xor_params_default(&p);
    amx_real bg_rate = AMX_REAL("bg_rate", 0.0, AM_XOR_MAX_BG_RATE, p.bg_rate);
    amx_real bg_weight = AMX_REAL("bg_weight", -DBL_MAX, DBL_MAX, p.bg_weight);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&O&|$O&O&O&p:xor_trial", names, amx_real_conv, &s1, amx_real_conv, &s3,
                                     amx_real_conv, &bg_rate, amx_real_conv, &bg_weight, amx_int_conv, &seed, &p.readout_inputs))
        return NULL;
    p.bg_rate = bg_rate.v, p.bg_weight = bg_weight.v;
    uint64_t counts[AM_XOR_ROLES];
    int rc = am_xor_params_check(&p);
    if (!rc) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_xor_trial(&p, s1.v, s3.v, seed.u, counts, NULL);
        amx_interrupt_end(&it);
    }
    if (rc)
        return amx_raise(rc, "am.xor_trial");
    PyObject *c = amx_copy_out(AMX_U64, counts, (Py_ssize_t)AM_XOR_ROLES, 0, "am.xor_trial");
    return amx_namespace(3, "counts", c, "error_hz", PyFloat_FromDouble(am_xor_signed_error(&p, counts)), "bit",
                     PyLong_FromLong(am_xor_signed_bit(&p, counts)));
}

/* ------------------------------------------------------------------------------------------------ */
/* The graded-response network (continuous time) */

/* gain= and method= of graded_run; 0, or -1 with ValueError naming the value. */
static int graded_names(const char *gain, const char *method, am_gain *g, am_ode *m)
{
    if (!strcmp(gain, "tanh") || !strcmp(gain, "sigmoid"))
        *g = gain[0] == 't' ? AM_GAIN_TANH : AM_GAIN_SIGMOID;
    else
        return amx_value_error("unknown gain '%s' (tanh or sigmoid)", gain), -1;
    if (!strcmp(method, "euler") || !strcmp(method, "rk4"))
        *m = method[0] == 'e' ? AM_ODE_EULER : AM_ODE_RK4;
    else
        return amx_value_error("unknown method '%s' (euler or rk4)", method), -1;
    return 0;
}

static PyObject *am_py_graded_run(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"w", "u", "beta", "tau", "dt", "steps", "gain", "method", NULL};
    PyObject *wo, *uo;
    amx_real beta = AMX_REAL_ABOVE("beta", 0.0, DBL_MAX, 1.0), tau = AMX_REAL_ABOVE("tau", 0.0, DBL_MAX, 1.0);
    amx_real dt = AMX_REAL_ABOVE("dt", 0.0, DBL_MAX, 0.01);
    amx_int steps = AMX_INT("steps", 0, AMX_SSIZE_MAX - 1, 100);
    const char *gain = "tanh", *method = "rk4";
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$O&O&O&O&ss:graded_run", names, &wo, &uo, amx_real_conv, &beta,
                                     amx_real_conv, &tau, amx_real_conv, &dt, amx_int_conv, &steps, &gain, &method))
        return NULL;
    am_gain g;
    am_ode m;
    if (graded_names(gain, method, &g, &m))
        return NULL;
    PyObject *u = amx_floats(uo, 0, 1, 1, 1, "u");
    if (!u)
        return NULL;
    size_t n = (size_t)amx_dim(u, 0);
    PyObject *w = amx_floats(wo, n, 2, 2, 0, "w");
    if (!w || (size_t)amx_dim(w, 0) != n) {
        Py_DECREF(u);
        Py_XDECREF(w);
        return w ? amx_value_error("w must be n x n with n = len(u) = %zu", n) : NULL;
    }
    am_graded *gr = NULL;
    PyObject *e = amx_new1(AMX_F64, (Py_ssize_t)steps.u + 1, "am.graded_run");
    if (!e) {
        Py_DECREF(u), Py_DECREF(w);
        return NULL;
    }
    int rc = am_graded_create(&gr, n, amx_data(w), NULL, g, beta.v, tau.v);
    Py_DECREF(w);
    if (!rc) {
        float *uv = amx_data(u);
        double *ev = amx_data(e);
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_graded_run(gr, uv, dt.v, (size_t)steps.u, m, ev);
        amx_interrupt_end(&it);
    }
    PyObject *v = rc ? NULL : amx_new1(AMX_F32, (Py_ssize_t)n, "am.graded_run");
    if (v)
        am_graded_output(gr, amx_data(u), amx_data(v));
    am_graded_free(gr);
    if (rc || !v) {
        Py_DECREF(u);
        Py_DECREF(e);
        return rc ? amx_raise(rc, "am.graded_run (%zu units)", n) : NULL;
    }
    return amx_namespace(3, "u", (PyObject *)u, "v", (PyObject *)v, "energy", (PyObject *)e);
}

/* ------------------------------------------------------------------------------------------------ */
/* The melody engram (am/engram.h) */

typedef struct {
    PyObject_HEAD am_engram *g;
    am_engram_opts o;
    amx_use use; /* readers: none (every call moves the context); writer: every call */
} EngramObject;

static PyTypeObject EngramType;

static const char *const engram_rules[] = {"fixed", "fa", "backprop", NULL};

static void Engram_dealloc(EngramObject *self)
{
    am_engram_free(self->g);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Every method: an initialised engram that no other call is using (another thread, a signal handler). */
#define ENGRAM_READY(self, what)                                                                                   \
    do {                                                                                                           \
        if (!(self)->g) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the Engram was not initialised");                                 \
            return NULL;                                                                                           \
        }                                                                                                          \
        if ((self)->use.writer) {                                                                                  \
            PyErr_Format(PyExc_RuntimeError, "%s: the Engram is in use by another call (another thread, a "        \
                         "handler)", what);                                                                        \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

#define ENGRAM_MAX_HIDDEN ((size_t)1 << 20)

static int Engram_init(EngramObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"bits", "hidden", "k", "rule", "context", "decay", "context_gain", "lr", "lr_hidden",
                            "lr_backprop", "seed", "threads", NULL};
    am_engram_opts o;
    am_engram_opts_default(&o);
    amx_int bits = AMX_INT("bits", 1, 1 << 16, 0), hidden = AMX_INT("hidden", 1, ENGRAM_MAX_HIDDEN, o.hidden);
    amx_int k = AMX_INT("k", 1, ENGRAM_MAX_HIDDEN, o.k), seed = AMX_INT("seed", 0, UINT64_MAX, o.seed);
    amx_int threads = AMX_INT("threads", 0, AMX_MAX_THREADS, 1);
    amx_real decay = AMX_REAL_BELOW("decay", 0.0, 1.0, o.decay), gain = AMX_REAL_ABOVE("context_gain", 0.0, 1e6, o.context_gain);
    amx_real lr = AMX_REAL_ABOVE("lr", 0.0, 1e6, o.lr), lrh = AMX_REAL("lr_hidden", 0.0, 1e6, o.lr_hidden);
    amx_real lrb = AMX_REAL_ABOVE("lr_backprop", 0.0, 1e6, o.lr_backprop);
    const char *rule = "fixed";
    int context = 1;
    if (self->g)
        return amx_value_error("an Engram is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|$O&O&spO&O&O&O&O&O&O&:Engram", names, amx_int_conv, &bits, amx_int_conv,
                                     &hidden, amx_int_conv, &k, &rule, &context, amx_real_conv, &decay, amx_real_conv, &gain,
                                     amx_real_conv, &lr, amx_real_conv, &lrh, amx_real_conv, &lrb, amx_int_conv, &seed, amx_int_conv,
                                     &threads))
        return -1;
    int r = 0;
    while (engram_rules[r] && strcmp(engram_rules[r], rule))
        r++;
    if (!engram_rules[r])
        return amx_value_error("unknown rule '%s' (fixed, fa, backprop)", rule), -1;
    if (k.u > hidden.u)
        return amx_value_error("k = %llu is more than hidden = %llu", k.u, hidden.u), -1;
    /* the weights alone (W: H x (d + H with a context), V: d x H, floats; backprop keeps Adam's two moments too) */
    double H = (double)hidden.u, d = (double)bits.u;
    if (amx_fits_memory(4.0 * (H * (d + (context ? H : 0)) + d * H) * (r == AM_ENGRAM_BACKPROP ? 3 : 1) +
                    (r == AM_ENGRAM_FA ? 4.0 * H * d : 0), ": fewer hidden units", "Engram(%llu bits, hidden=%llu)",
                    bits.u, hidden.u))
        return -1;
    o.hidden = (size_t)hidden.u, o.k = (size_t)k.u, o.rule = (am_engram_rule)r, o.context = context;
    o.decay = decay.v, o.context_gain = gain.v, o.lr = lr.v, o.lr_hidden = lrh.v, o.lr_backprop = lrb.v;
    o.seed = seed.u, o.threads = (int)threads.u;
    int rc = am_engram_create(&self->g, (size_t)bits.u, &o);
    if (rc)
        return amx_raise(rc, "Engram(%llu bits, hidden=%llu, k=%llu, rule=%s)", bits.u, hidden.u, k.u, rule), -1;
    self->o = o;
    return 0;
}

static PyObject *Engram_repr(EngramObject *self)
{
    if (!self->g)
        return PyUnicode_FromString("<am.Engram, not initialised>");
    return PyUnicode_FromFormat("<am.Engram %zu bits, hidden %zu, k %zu, rule %s%s>", am_engram_bits(self->g),
                                am_engram_hidden(self->g), self->o.k, engram_rules[self->o.rule],
                                self->o.context ? ", context" : "");
}

/* One sequence argument (count x bits, taken by signs) as a pattern set; NULL with the error set. */
static am_patterns *engram_seq(EngramObject *self, PyObject *o, const char *what)
{
    PyObject *st = amx_states(o, am_engram_bits(self->g), 2, 2, what);
    am_patterns *p = st ? amx_patterns_from(st) : NULL;
    Py_XDECREF(st);
    return p;
}

/* Begin a call that changes the engram (every call moves its context); 0, or -1 with RuntimeError. */
static int engram_begin(EngramObject *self, amx_interrupt *it, const char *what)
{
    if (amx_use_write(&self->use, what))
        return -1;
    amx_interrupt_begin(it, 1);
    return 0;
}

static void engram_end(EngramObject *self, amx_interrupt *it)
{
    amx_interrupt_end(it);
    amx_use_done(&self->use);
}

static PyObject *Engram_train(EngramObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"seqs", "epochs", NULL};
    PyObject *qo;
    amx_int epochs = AMX_INT("epochs", 1, AMX_SSIZE_MAX / 3, 1);
    ENGRAM_READY(self, "Engram.train");
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O&:train", names, &qo, amx_int_conv, &epochs) ||
        amx_fits_memory(24.0 * (double)epochs.u, "", "Engram.train: the learning curve of %llu epochs", epochs.u))
        return NULL;
    am_patterns **ps = NULL;
    size_t count = 0;
    if (amx_pattern_sets(qo, am_engram_bits(self->g), &ps, &count, "seqs"))
        return amx_pattern_sets_free(ps, count), NULL;
    if (!count)
        return amx_pattern_sets_free(ps, count), amx_value_error("Engram.train: seqs holds no sequence");
    PyObject *curve = amx_new2(AMX_U64, (Py_ssize_t)epochs.u, 3, "Engram.train");
    amx_interrupt it;
    int rc = AM_OK;
    if (!curve || engram_begin(self, &it, "Engram.train")) {
        Py_XDECREF(curve);
        return amx_pattern_sets_free(ps, count), NULL;
    }
    am_engram_counts *c = malloc((size_t)epochs.u * sizeof *c);
    rc = c ? am_engram_train(self->g, (const am_patterns *const *)ps, count, (size_t)epochs.u, c) : AM_ENOMEM;
    engram_end(self, &it);
    amx_pattern_sets_free(ps, count);
    uint64_t *v = amx_data(curve);
    for (size_t e = 0; !rc && e < (size_t)epochs.u; e++)
        v[3 * e] = c[e].beats, v[3 * e + 1] = c[e].beats_right, v[3 * e + 2] = c[e].bits_wrong;
    free(c);
    if (rc) {
        Py_DECREF(curve);
        return amx_raise(rc, "Engram.train (%zu sequences, %llu epochs)", count, epochs.u);
    }
    return (PyObject *)curve;
}

static PyObject *Engram_evaluate(EngramObject *self, PyObject *arg)
{
    ENGRAM_READY(self, "Engram.evaluate");
    am_patterns *p = engram_seq(self, arg, "seq");
    amx_interrupt it;
    if (!p || engram_begin(self, &it, "Engram.evaluate"))
        return am_patterns_free(p), NULL;
    am_engram_eval e;
    int rc = am_engram_evaluate(self->g, p, &e);
    engram_end(self, &it);
    am_patterns_free(p);
    if (rc)
        return amx_raise(rc, "Engram.evaluate");
    return amx_namespace(6, "beats", PyLong_FromSize_t(e.beats), "tf_right", PyLong_FromSize_t(e.tf_right),
                     "tf_bits_wrong", PyLong_FromUnsignedLongLong(e.tf_bits_wrong), "fr_right",
                     PyLong_FromSize_t(e.fr_right), "fr_first_wrong", PyLong_FromSize_t(e.fr_first_wrong),
                     "fr_bits_wrong", PyLong_FromUnsignedLongLong(e.fr_bits_wrong));
}

static PyObject *Engram_familiarity(EngramObject *self, PyObject *arg)
{
    ENGRAM_READY(self, "Engram.familiarity");
    am_patterns *p = engram_seq(self, arg, "seq");
    amx_interrupt it;
    if (!p || engram_begin(self, &it, "Engram.familiarity"))
        return am_patterns_free(p), NULL;
    double score = NAN;
    int rc = am_engram_familiarity(self->g, p, &score);
    engram_end(self, &it);
    am_patterns_free(p);
    return rc ? amx_raise(rc, "Engram.familiarity") : PyFloat_FromDouble(score);
}

static PyObject *Engram_recall(EngramObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"seq", "cue", "length", NULL};
    PyObject *so, *leno = Py_None;
    amx_int cue = AMX_INT("cue", 1, AMX_SSIZE_MAX, 1), length = AMX_INT("length", 1, AMX_SSIZE_MAX, 1);
    ENGRAM_READY(self, "Engram.recall");
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO&|O:recall", names, &so, amx_int_conv, &cue, &leno) ||
        (leno != Py_None && amx_int_from(leno, &length)))
        return NULL;
    am_patterns *p = engram_seq(self, so, "seq"), *out = NULL;
    if (!p)
        return NULL;
    size_t d = am_engram_bits(self->g), len = leno == Py_None ? p->count : (size_t)length.u;
    if (cue.u > p->count) {
        size_t beats = p->count;
        am_patterns_free(p);
        return amx_value_error("Engram.recall: cue = %llu is more than the sequence's %zu beats", cue.u, beats);
    }
    int rc = amx_fits_memory(1.2 * (double)len * (double)d, "", "Engram.recall: length = %zu beats of %zu", len, d)
                 ? AM_EINVAL : am_patterns_create(&out, d, len);
    amx_interrupt it;
    if (rc || engram_begin(self, &it, "Engram.recall")) {
        if (rc && !PyErr_Occurred())
            amx_raise(rc, "Engram.recall (%zu beats of %zu bits)", len, d);
        am_patterns_free(p), am_patterns_free(out);
        return NULL;
    }
    rc = am_engram_recall(self->g, p, (size_t)cue.u, out);
    engram_end(self, &it);
    am_patterns_free(p);
    PyObject *r = rc ? amx_raise(rc, "Engram.recall") : amx_patterns_out(out);
    am_patterns_free(out);
    return r;
}

/* One beat (bits units, by signs) as 0/1 floats into y (bits floats); -1 with the error set. */
static int beat_in(EngramObject *self, PyObject *o, float *y, const char *what)
{
    size_t d = am_engram_bits(self->g);
    PyObject *st = amx_states(o, d, 1, 1, what);
    if (!st)
        return -1;
    for (size_t i = 0; i < d; i++)
        y[i] = ((const int8_t *)amx_data(st))[i] > 0 ? 1.0f : 0.0f;
    Py_DECREF(st);
    return 0;
}

static PyObject *Engram_predict(EngramObject *self, PyObject *arg)
{
    ENGRAM_READY(self, "Engram.predict");
    size_t d = am_engram_bits(self->g);
    float *x = malloc(2 * d * sizeof *x);
    PyObject *out = x ? amx_new1(AMX_I8, (Py_ssize_t)d, "Engram.predict") : (PyObject *)PyErr_NoMemory();
    amx_interrupt it;
    if (!out || beat_in(self, arg, x, "x") || engram_begin(self, &it, "Engram.predict")) {
        free(x);
        Py_XDECREF(out);
        return NULL;
    }
    int rc = am_engram_predict(self->g, x, x + d);
    engram_end(self, &it);
    for (size_t i = 0; !rc && i < d; i++)
        ((int8_t *)amx_data(out))[i] = x[d + i] > 0.5f ? 1 : -1;
    free(x);
    if (rc) {
        Py_DECREF(out);
        return amx_raise(rc, "Engram.predict");
    }
    return (PyObject *)out;
}

static PyObject *Engram_reset(EngramObject *self, PyObject *unused)
{
    (void)unused;
    ENGRAM_READY(self, "Engram.reset");
    if (self->use.readers)
        return PyErr_Format(PyExc_RuntimeError, "Engram.reset: the Engram is in use by another call");
    am_engram_reset(self->g);
    Py_RETURN_NONE;
}

static PyObject *Engram_get_bits(EngramObject *self, void *u) { (void)u; ENGRAM_READY(self, "Engram.bits"); return PyLong_FromSize_t(am_engram_bits(self->g)); }
static PyObject *Engram_get_hidden(EngramObject *self, void *u) { (void)u; ENGRAM_READY(self, "Engram.hidden"); return PyLong_FromSize_t(am_engram_hidden(self->g)); }
static PyObject *Engram_get_rule(EngramObject *self, void *u) { (void)u; ENGRAM_READY(self, "Engram.rule"); return PyUnicode_FromString(engram_rules[self->o.rule]); }

static PyMethodDef Engram_methods[] = {
    {"train", (PyCFunction)(void (*)(void))Engram_train, METH_VARARGS | METH_KEYWORDS,
     "train(seqs, epochs=1) -> epochs x 3 uint64: each epoch's (beats, beats_right, bits_wrong), counted as it\n"
     "trains. seqs: a list of tunes, each beats x bits (±1 or 0/1, by sign; MelodyCode.encode gives them), every\n"
     "tune visited once an epoch in an order from the seed, teacher-forced, learning from the signed XOR error.\n"
     "Epochs continue across calls. The GIL is released; Ctrl-C stops it between tunes (what was learnt stays).\n\n"
     "    >>> more = g.train([code.encode(t) for t in tunes], 2); more[:, 1] / more[:, 0]   # beats right"},
    {"evaluate", (PyCFunction)Engram_evaluate, METH_O,
     "evaluate(seq) -> a namespace(beats, tf_right, tf_bits_wrong, fr_right, fr_first_wrong, fr_bits_wrong): one\n"
     "tune without learning, teacher-forced (tf_) and free-running from its first beat (fr_)\n\n"
     "    >>> r = g.evaluate(code.encode(tunes[0])); r.beats, r.tf_right\n\n"
     "    >>> r = g.evaluate(code.encode(tunes[0])); r.beats, r.tf_right\n\n"
     "    >>> r = g.evaluate(code.encode(tunes[0])); r.beats, r.tf_right"},
    {"familiarity", (PyCFunction)Engram_familiarity, METH_O,
     "familiarity(seq) -> the prediction error of a tune, teacher-forced wrong bits / (beats x bits), in [0, 1]:\n"
     "low for a tune the network has learnt (am.roc takes minus it as a familiarity score)\n\n"
     "    >>> g.familiarity(code.encode(tunes[0])), g.familiarity(code.encode(am.read_abc(am.corpus())[20]))\n\n"
     "    >>> g.familiarity(code.encode(tunes[0])), g.familiarity(code.encode(am.read_abc(am.corpus())[20]))\n\n"
     "    >>> g.familiarity(code.encode(tunes[0])), g.familiarity(code.encode(am.read_abc(am.corpus())[20]))"},
    {"recall", (PyCFunction)(void (*)(void))Engram_recall, METH_VARARGS | METH_KEYWORDS,
     "recall(seq, cue, length=None) -> length x bits int8 (None: len(seq)): the first `cue` beats of seq given,\n"
     "then the network fed its own predictions\n\n"
     "    >>> y = g.recall(code.encode(tunes[0]), 8, 16); y.shape   # 16 beats from the first 8\n\n"
     "    >>> y = g.recall(code.encode(tunes[0]), 8, 16); y.shape   # 16 beats from the first 8\n\n"
     "    >>> y = g.recall(code.encode(tunes[0]), 8, 16); y.shape   # 16 beats from the first 8"},
    {"predict", (PyCFunction)Engram_predict, METH_O,
     "predict(x) -> the predicted next beat (bits int8 ±1) after beat x, without learning; the context moves on\n\n"
     "    >>> g.reset(); nxt = g.predict(code.encode(tunes[0])[0]); nxt.shape\n\n"
     "    >>> g.reset(); nxt = g.predict(code.encode(tunes[0])[0]); nxt.shape\n\n"
     "    >>> g.reset(); nxt = g.predict(code.encode(tunes[0])[0]); nxt.shape"},
    {"reset", (PyCFunction)Engram_reset, METH_NOARGS, "reset(): the start of a tune (the context becomes 0)\n\n"
     "    >>> g.reset(); g.predict(code.encode(tunes[1])[0]).shape"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Engram_getset[] = {
    {"bits", (getter)Engram_get_bits, NULL, "bits per beat", NULL},
    {"hidden", (getter)Engram_get_hidden, NULL, "hidden units", NULL},
    {"rule", (getter)Engram_get_rule, NULL, "fixed, fa or backprop", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject EngramType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Engram",
    .tp_basicsize = sizeof(EngramObject),
    .tp_dealloc = (destructor)Engram_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Engram(bits, *, hidden=512, k=16, rule='fixed', context=True, decay=0.0, context_gain=1.0, lr=0.1,\n"
              "       lr_hidden=0.001, lr_backprop=0.1, seed=1, threads=1)\n"
              "The melody engram (am/engram.h): a recurrent network that predicts the next beat of `bits` bits from\n"
              "the current one and a context through a k-winners-take-all expansion of `hidden` units, learning\n"
              "from the signed XOR error between the beat that came and the one it predicted: rule 'fixed' (the\n"
              "read-out only: the perceptron rule, lr), 'fa' (the expansion too, by feedback alignment, lr_hidden),\n"
              "or 'backprop' (an Elman network of the same size trained by Adam, lr_backprop; no kWTA). context:\n"
              "the previous hidden code (decay 0) or a decaying trace of them (0 < decay < 1), weighted by\n"
              "context_gain. The results do not depend on threads.\n\n"
              "    >>> code = am.MelodyCode('range'); tunes = am.read_abc(am.corpus())[:3]\n"
              "    >>> g = am.Engram(code.units, hidden=64, k=8)\n"
              "    >>> curve = g.train([code.encode(t) for t in tunes], 3)   # epochs x (beats, right, bits wrong)",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Engram_init,
    .tp_repr = (reprfunc)Engram_repr,
    .tp_methods = Engram_methods,
    .tp_getset = Engram_getset,
};

static PyMethodDef dynamics_functions[] = {
    {"xor_trial", (PyCFunction)(void (*)(void))am_py_xor_trial, METH_VARARGS | METH_KEYWORDS,
     "xor_trial(s1, s3, *, bg_rate=0, bg_weight=6, seed=1, readout_inputs=False) -> a namespace(counts, error_hz,\n"
     "bit): one 100 ms trial of the spiking XOR motif (roles in1 lat2 in3 lat4 xor5 hub6 F+ F-)\n\n"
     "    >>> [am.xor_trial(s1, s3, seed=1).bit for s1, s3 in [(0, 0), (0, 1), (1, 0), (1, 1)]]   # the bit read out\n"
     "    >>> am.xor_trial(1, 0, seed=1).counts                # spikes of each role"},
    {"graded_run", (PyCFunction)(void (*)(void))am_py_graded_run, METH_VARARGS | METH_KEYWORDS,
     "graded_run(w, u, *, beta=1, tau=1, dt=0.01, steps=100, gain='tanh', method='rk4') -> a namespace(u, v,\n"
     "energy): the graded-response Hopfield network tau du/dt = -u + W g(u) from u; energy at every step\n\n"
     "    >>> w = np.array([[0.0, 1.0], [1.0, 0.0]])\n"
     "    >>> r = am.graded_run(w, [0.5, -0.1], beta=2, steps=200)\n"
     "    >>> r.v[-1], r.energy[-1] <= r.energy[0]             # v settles, the energy falls"},
    {NULL, NULL, 0, NULL},
};

int amx_init_dynamics(PyObject *m)
{
    return amx_add_type(m, "SNN", &SNNType) ||
           amx_add_type(m, "Engram", &EngramType) ||
           PyModule_AddFunctions(m, dynamics_functions) ? -1 : 0;
}
