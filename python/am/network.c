/* network.c — spiking networks composed from parts (am/spiking.h), over ext.h: am.Network with populations
 * (am.Population), projections (am.Projection) and monitors (am.Monitor: spikes, population rates, membrane
 * potentials), run for a duration with the GIL released.
 *
 * Ownership (no reference cycles): a Population holds its Network, a Projection its two Populations, the Network
 * its Monitors; a Monitor holds only its records. The library's one monitor per run (am_snn_monitor) is shared
 * out: one spike callback feeds every spike and rate monitor, one recording (at the greatest common divisor of
 * the strides) every state monitor. While a run records into them, monitors are marked written (amx_use). */
#include "ext.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NET_MAX_THREADS 1024

typedef struct {
    PyObject_HEAD am_snn *n;
    amx_use use;       /* writer: population, connect, run */
    PyObject *monitors; /* list of Monitor */
    int broken;        /* an explicit projection failed half way: the network is not the one described */
} NetworkObject;

typedef struct {
    PyObject_HEAD NetworkObject *net;
    size_t first, count;
    PyObject *name; /* str */
} PopulationObject;

typedef struct {
    PyObject_HEAD PyObject *pre, *post; /* Population (or a tuple of them) as given */
    size_t synapses;
    double weight, delay; /* NAN: per connection */
    int inhibitory;
    PyObject *rule; /* str: "p=...", "k=...", "connections" */
} ProjectionObject;

enum { MON_SPIKES, MON_RATE, MON_STATE };
static const char *const mon_kinds[] = {"spikes", "rate", "state"};

typedef struct {
    PyObject_HEAD amx_use use;
    int kind, failed;
    size_t first, count;
    double dt;
    /* spikes: (step, index in the range) of every spike; counts per neuron */
    uint64_t *step;
    uint32_t *id;
    size_t len, cap, icap; /* capacities of step and id */
    uint64_t *counts;
    /* rate: spikes per bin of bin_steps steps from step start; steps: how far the network ran */
    uint64_t *bins, start, bin_steps, steps;
    size_t nbins, bcap;
    /* state: every stride-th step, the potentials of the range (samples x count) */
    uint64_t stride, *sstep;
    float *v;
    size_t samples, scap, vcap; /* vcap: floats */
} MonitorObject;

static PyTypeObject NetworkType, PopulationType, ProjectionType, MonitorType;

/* ------------------------------------------------------------------------------------------------ */
/* Network */

static void Network_dealloc(NetworkObject *self)
{
    am_snn_free(self->n);
    Py_XDECREF(self->monitors);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Network_init(NetworkObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"dt", "method", "seed", NULL};
    amx_real dt = AMX_REAL_ABOVE("dt", 0.0, AM_SNN_MAX_DT, 0.1);
    amx_int seed = AMX_INT("seed", 0, UINT64_MAX, 1);
    const char *method = "exact";
    am_integrator m;
    if (self->n)
        return amx_value_error("Network: a network is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O&$sO&:Network", kwlist, amx_real_conv, &dt, &method, amx_int_conv,
                                     &seed))
        return -1;
    if (!strcmp(method, "euler"))
        m = AM_INT_EULER;
    else if (!strcmp(method, "exact"))
        m = AM_INT_EXACT;
    else
        return amx_value_error("Network: method '%s' is not 'euler' or 'exact'", method), -1;
    if (!(self->monitors = PyList_New(0)))
        return -1;
    int rc = am_snn_create(&self->n, dt.v, m, seed.u);
    if (rc)
        return amx_raise(rc, "Network(dt=%g)", dt.v), -1;
    return 0;
}

/* The network usable for `what` (initialised, whole, not in use by another call): 0, or -1 with RuntimeError. */
static int net_ready(NetworkObject *self, const char *what)
{
    if (!self->n)
        return PyErr_Format(PyExc_RuntimeError, "%s: the Network was not initialised", what), -1;
    if (self->use.writer)
        return PyErr_Format(PyExc_RuntimeError, "%s: the Network is being run or changed by another call", what), -1;
    return 0;
}

/* Changes (populations, projections) come before the first run: 0, or -1 with RuntimeError. */
static int net_unbuilt(NetworkObject *self, const char *what)
{
    if (net_ready(self, what))
        return -1;
    if (am_snn_v(self->n))
        return PyErr_Format(PyExc_RuntimeError, "%s: the network has run; populations and projections are added "
                            "before the first run", what), -1;
    return 0;
}

/* ---- populations ---- */

/* The neuron parameters as keywords (Network.population and SNN.add): reals with their lower bounds
 * (am/spiking.h), then synapse, v0_uniform. */
static const struct lif_key {
    const char *name;
    size_t off;
    double lo; /* -FLT_MAX: any finite value in float range; 0: >= 0 (> 0 with open) */
    int open;
} lif_keys[] = {
    {"tau_m", offsetof(am_lif_params, tau_m), 0.0, AMX_OPEN_LO},   {"v_rest", offsetof(am_lif_params, v_rest), -FLT_MAX, 0},
    {"v_reset", offsetof(am_lif_params, v_reset), -FLT_MAX, 0},    {"v_thresh", offsetof(am_lif_params, v_thresh), -FLT_MAX, 0},
    {"t_ref", offsetof(am_lif_params, t_ref), 0.0, 0},             {"drive", offsetof(am_lif_params, drive), -FLT_MAX, 0},
    {"tau_e", offsetof(am_lif_params, tau_e), -FLT_MAX, 0},        {"tau_i", offsetof(am_lif_params, tau_i), -FLT_MAX, 0},
    {"e_e", offsetof(am_lif_params, e_e), -FLT_MAX, 0},            {"e_i", offsetof(am_lif_params, e_i), -FLT_MAX, 0},
    {"v0_mean", offsetof(am_lif_params, v0_mean), -FLT_MAX, 0},    {"v0_sd", offsetof(am_lif_params, v0_sd), 0.0, 0},
    {"ext_rate", offsetof(am_lif_params, ext_rate), 0.0, 0},       {"ext_weight", offsetof(am_lif_params, ext_weight), -FLT_MAX, 0},
};
#define LIF_KEYS (sizeof lif_keys / sizeof *lif_keys)

int amx_lif_keyword(am_lif_params *p, const char *who, const char *key, PyObject *val, int *v0_given)
{
    for (size_t k = 0; k < LIF_KEYS; k++)
        if (!strcmp(key, lif_keys[k].name)) {
            amx_real r = {.name = key, .lo = lif_keys[k].lo, .hi = FLT_MAX, .open = lif_keys[k].open};
            if (amx_real_from(val, &r))
                return -1;
            *(double *)((char *)p + lif_keys[k].off) = r.v;
            *v0_given |= !strcmp(key, "v0_mean");
            return 0;
        }
    if (!strcmp(key, "v0_uniform")) {
        if (!PyBool_Check(val))
            return PyErr_Format(PyExc_TypeError, "v0_uniform must be True or False, not %.80s", Py_TYPE(val)->tp_name), -1;
        p->v0_uniform = val == Py_True;
        return 0;
    }
    if (!strcmp(key, "synapse")) {
        static const char *const kinds[] = {"delta", "current", "conductance"};
        const char *s = PyUnicode_Check(val) ? PyUnicode_AsUTF8(val) : NULL;
        for (int k = 0; s && k < 3; k++)
            if (!strcmp(s, kinds[k])) {
                p->syn = (am_syn_kind)k;
                return 0;
            }
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_ValueError, "synapse = %R: not 'delta', 'current' or 'conductance'", val);
        return -1;
    }
    PyErr_Format(PyExc_TypeError, "%s got an unexpected keyword argument '%s'", who, key);
    return -1;
}

int amx_lif_check(const am_lif_params *p, double dt)
{
    if (!(p->v_thresh > p->v_reset))
        return amx_value_error("v_thresh = %g must be above v_reset = %g", p->v_thresh, p->v_reset), -1;
    if (p->syn != AM_SYN_DELTA && !(p->tau_e > 0 && p->tau_i > 0))
        return amx_value_error("tau_e = %g and tau_i = %g must be > 0 (current and conductance synapses)", p->tau_e,
                               p->tau_i), -1;
    if (p->t_ref / dt > AM_SNN_MAX_REF_STEPS)
        return amx_value_error("t_ref = %g ms must be at most %g steps of dt = %g ms", p->t_ref, AM_SNN_MAX_REF_STEPS,
                               dt), -1;
    return 0;
}

static PyObject *population_new(NetworkObject *net, size_t first, size_t count, PyObject *name)
{
    PopulationObject *o = PyObject_New(PopulationObject, &PopulationType);
    if (!o) {
        Py_DECREF(name);
        return NULL;
    }
    o->net = (NetworkObject *)Py_NewRef(net);
    o->first = first, o->count = count, o->name = name;
    return (PyObject *)o;
}

static PyObject *Network_population(NetworkObject *self, PyObject *args, PyObject *kw)
{
    amx_int count = AMX_INT("count", 1, UINT32_MAX, 0);
    PyObject *name = NULL, *key, *val;
    am_lif_params p;
    int v0_given = 0;
    Py_ssize_t pos = 0;
    am_lif_params_default(&p);
    if (net_unbuilt(self, "Network.population"))
        return NULL;
    if (PyTuple_GET_SIZE(args) != 1)
        return PyErr_Format(PyExc_TypeError, "Network.population(count, **parameters) takes 1 positional argument "
                            "(%zd given)", PyTuple_GET_SIZE(args));
    if (amx_int_from(PyTuple_GET_ITEM(args, 0), &count))
        return NULL;
    while (kw && PyDict_Next(kw, &pos, &key, &val)) {
        const char *k = PyUnicode_AsUTF8(key);
        if (!k)
            return NULL;
        if (!strcmp(k, "name")) {
            if (!PyUnicode_Check(val))
                return PyErr_Format(PyExc_TypeError, "name must be a str, not %.80s", Py_TYPE(val)->tp_name);
            name = val;
        } else if (amx_lif_keyword(&p, "Network.population()", k, val, &v0_given))
            return NULL;
    }
    if (!v0_given)
        p.v0_mean = p.v_rest;
    if (amx_lif_check(&p, am_snn_dt(self->n)))
        return NULL;
    size_t first;
    int rc = am_snn_add(self->n, (size_t)count.u, &p, &first);
    if (rc)
        return amx_raise(rc, "Network.population(%llu) beside %zu neurons", count.u, am_snn_size(self->n));
    name = name ? Py_NewRef(name) : PyUnicode_FromFormat("P%zu", first);
    return name ? population_new(self, first, (size_t)count.u, name) : NULL;
}

/* A range of this network's neurons: a Population (or a slice of one), or a sequence of them that follow each
 * other. 0 and [*first, *first + *count), or -1 with the exception naming `what`. */
static int range_from(NetworkObject *net, PyObject *o, size_t *first, size_t *count, const char *what)
{
    if (PyObject_TypeCheck(o, &PopulationType)) {
        PopulationObject *p = (PopulationObject *)o;
        if (p->net != net)
            return PyErr_Format(PyExc_ValueError, "%s: population %R belongs to another Network", what, p->name), -1;
        *first = p->first, *count = p->count;
        return 0;
    }
    if (!PyList_Check(o) && !PyTuple_Check(o))
        return PyErr_Format(PyExc_TypeError, "%s must be a Population or a list of adjacent Populations, not %.80s",
                            what, Py_TYPE(o)->tp_name), -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    if (n == 0)
        return PyErr_Format(PyExc_ValueError, "%s: an empty list of populations", what), -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *it = PySequence_Fast_GET_ITEM(o, i);
        size_t f, c;
        if (!PyObject_TypeCheck(it, &PopulationType))
            return PyErr_Format(PyExc_TypeError, "%s[%zd] must be a Population, not %.80s", what, i,
                                Py_TYPE(it)->tp_name), -1;
        if (range_from(net, it, &f, &c, what))
            return -1;
        if (i > 0 && f != *first + *count)
            return PyErr_Format(PyExc_ValueError, "%s[%zd] (neurons %zu .. %zu) does not follow %s[%zd] (which ends "
                                "at %zu): list populations in the order they were made, without gaps", what, i, f,
                                f + c - 1, what, i - 1, *first + *count - 1), -1;
        if (i == 0)
            *first = f, *count = 0;
        *count += c;
    }
    return 0;
}

/* ---- projections ---- */

/* weight= or delay= of an explicit projection: a number, or m of them (per connection). *arr: the array or NULL. */
static int per_conn(PyObject *o, size_t m, amx_real *scalar, PyObject **arr)
{
    *arr = NULL;
    if (PyFloat_Check(o) || PyLong_Check(o) || !PySequence_Check(o))
        return amx_real_from(o, scalar);
    if (!(*arr = amx_doubles(o, m, 1, 1, scalar->name)))
        return -1;
    const double *v = amx_data(*arr);
    for (size_t k = 0; k < m; k++)
        if (v[k] < scalar->lo || v[k] > scalar->hi) {
            amx_value_error("%s[%zu] = %g: must be in [%g, %g]", scalar->name, k, v[k], scalar->lo, scalar->hi);
            Py_CLEAR(*arr);
            return -1;
        }
    return 0;
}

typedef struct {
    uint32_t pre, post;
    double w, d;
    size_t order;
} conn_t;

static int cmp_conn(const void *a, const void *b)
{
    const conn_t *x = a, *y = b;
    if (x->pre != y->pre)
        return x->pre < y->pre ? -1 : 1;
    if (x->post != y->post)
        return x->post < y->post ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

/* Explicit connections (m x 2 indices into the pre and post ranges) as runs of consecutive targets of one source
 * with one weight and delay, one am_snn_connect (p = 1) each. Everything is checked first, so only an
 * allocation can fail after the first run is added (the network is then marked broken). */
static int connect_explicit(NetworkObject *self, size_t pre, size_t npre, size_t post, size_t npost, PyObject *conns,
                            amx_real *weight, PyObject *wo, amx_real *delay, PyObject *dlo, int inh, int autapses,
                            size_t *made)
{
    PyObject *e = amx_int64s(conns, 2, 2, 2, "connections"), *wa = NULL, *da = NULL;
    if (!e)
        return -1;
    size_t m = (size_t)amx_rows(e);
    const int64_t *c = amx_data(e);
    conn_t *cs = NULL;
    int rc = -1;
    for (size_t k = 0; k < m; k++)
        if (c[2 * k] < 0 || (size_t)c[2 * k] >= npre || c[2 * k + 1] < 0 || (size_t)c[2 * k + 1] >= npost) {
            int col = c[2 * k] < 0 || (size_t)c[2 * k] >= npre ? 0 : 1;
            PyErr_Format(PyExc_ValueError, "connections[%zu, %d] = %lld: not a neuron of %s (0 .. %zu)", k, col,
                         (long long)c[2 * k + col], col ? "post" : "pre", (col ? npost : npre) - 1);
            goto done;
        } else if (!autapses && pre + (size_t)c[2 * k] == post + (size_t)c[2 * k + 1]) {
            PyErr_Format(PyExc_ValueError, "connections[%zu] = (%lld, %lld) connects neuron %zu to itself (pass "
                         "autapses=True to allow it)", k, (long long)c[2 * k], (long long)c[2 * k + 1],
                         pre + (size_t)c[2 * k]);
            goto done;
        }
    if (per_conn(wo, m, weight, &wa) || per_conn(dlo, m, delay, &da))
        goto done;
    if (!(cs = PyMem_Malloc(m * sizeof *cs))) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t k = 0; k < m; k++)
        cs[k] = (conn_t){(uint32_t)(pre + (size_t)c[2 * k]), (uint32_t)(post + (size_t)c[2 * k + 1]),
                         wa ? ((double *)amx_data(wa))[k] : weight->v, da ? ((double *)amx_data(da))[k] : delay->v, k};
    qsort(cs, m, sizeof *cs, cmp_conn);
    int lib = 0;
    for (size_t k = 0, r; k < m && !lib; k = r) {
        for (r = k + 1; r < m && cs[r].pre == cs[k].pre && cs[r].post == cs[r - 1].post + 1 && cs[r].w == cs[k].w &&
                        cs[r].d == cs[k].d;
             r++)
            ;
        am_conn cn = {AM_CONN_PROB, 1.0, 0, cs[k].w, inh, cs[k].d, 1};
        if ((lib = am_snn_connect(self->n, cs[k].pre, 1, cs[k].post, r - k, &cn))) {
            self->broken |= k > 0;
            amx_raise(lib, "Network.connect: connection %zu of %zu%s", cs[k].order, m,
                      k > 0 ? " (the network is incomplete now: make it again)" : "");
        }
    }
    *made = m;
    rc = lib ? -1 : 0;
done:
    PyMem_Free(cs);
    Py_DECREF(e), Py_XDECREF(wa), Py_XDECREF(da);
    return rc;
}

/* receptor= 'excitatory' ('exc') or 'inhibitory' ('inh'). */
static int receptor_from(const char *s, int *inh)
{
    if (!strcmp(s, "excitatory") || !strcmp(s, "exc"))
        *inh = 0;
    else if (!strcmp(s, "inhibitory") || !strcmp(s, "inh"))
        *inh = 1;
    else
        return amx_value_error("receptor = '%s': not 'excitatory' ('exc') or 'inhibitory' ('inh')", s), -1;
    return 0;
}

/* A random projection (p or k) added with the GIL released (Ctrl-C stops it; a stopped one adds nothing). */
static int connect_random(NetworkObject *self, size_t pre, size_t npre, size_t post, size_t npost, am_conn *c,
                          size_t *made)
{
    double expect = (c->kind == AM_CONN_PROB ? c->p * (double)npre : (double)c->k) * (double)npost;
    if (amx_fits_memory(16.0 * expect, "a smaller p or k", "Network.connect (about %.0f synapses)", expect))
        return -1;
    size_t before = am_snn_synapses(self->n);
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_snn_connect(self->n, pre, npre, post, npost, c);
    amx_interrupt_end(&it);
    if (rc)
        return amx_raise(rc, "Network.connect (about %.0f synapses)", expect), -1;
    *made = am_snn_synapses(self->n) - before;
    return 0;
}

static PyObject *projection_new(PyObject *pre, PyObject *post, size_t made, double w, double d, int inh, PyObject *rule)
{
    ProjectionObject *o = rule ? PyObject_New(ProjectionObject, &ProjectionType) : NULL;
    if (!o) {
        Py_XDECREF(rule);
        return NULL;
    }
    o->pre = Py_NewRef(pre), o->post = Py_NewRef(post), o->rule = rule;
    o->synapses = made, o->weight = w, o->delay = d, o->inhibitory = inh;
    return (PyObject *)o;
}

static PyObject *connect_parsed(NetworkObject *self, PyObject *preo, PyObject *posto, PyObject *po, PyObject *ko,
                                PyObject *conns, PyObject *wo, PyObject *dlo, int inh, int autapses)
{
    size_t pre, npre, post, npost, made = 0;
    double dt = am_snn_dt(self->n);
    amx_real weight = AMX_FLOAT("weight", 0.0), delay = AMX_REAL("delay", 0.0, AM_SNN_MAX_DELAY_STEPS * dt, 0.0);
    if (range_from(self, preo, &pre, &npre, "pre") || range_from(self, posto, &post, &npost, "post"))
        return NULL;
    if ((po != NULL) + (ko != NULL) + (conns != NULL) != 1)
        return amx_value_error("Network.connect needs exactly one of p (probability), k (in-degree) and connections");
    if (!wo)
        return amx_value_error("Network.connect: weight is required (mV for delta and current synapses, units of the "
                               "leak for conductance synapses)");
    int overlap = pre < post + npost && post < pre + npre;
    if (conns) {
        if (amx_use_write(&self->use, "Network.connect"))
            return NULL;
        int rc = connect_explicit(self, pre, npre, post, npost, conns, &weight, wo, &delay, dlo, inh, autapses, &made);
        amx_use_done(&self->use);
        if (rc)
            return NULL;
        int sw = PyFloat_Check(wo) || PyLong_Check(wo), sd = PyFloat_Check(dlo) || PyLong_Check(dlo);
        return projection_new(preo, posto, made, sw ? weight.v : NAN, sd ? delay.v : NAN, inh,
                              PyUnicode_FromString("connections"));
    }
    amx_real p = AMX_REAL("p", 0.0, 1.0, 0.0);
    amx_int k = AMX_INT("k", 0, npre - (!autapses && overlap), 0);
    if (amx_real_from(wo, &weight) || amx_real_from(dlo, &delay) || (po && amx_real_from(po, &p)) ||
        (ko && amx_int_from(ko, &k)))
        return NULL;
    am_conn c = {po ? AM_CONN_PROB : AM_CONN_INDEGREE, p.v, (size_t)k.u, weight.v, inh, delay.v, autapses};
    if (amx_use_write(&self->use, "Network.connect"))
        return NULL;
    int rc = connect_random(self, pre, npre, post, npost, &c, &made);
    amx_use_done(&self->use);
    if (rc)
        return NULL;
    return projection_new(preo, posto, made, weight.v, delay.v, inh,
                          po ? PyUnicode_FromFormat("p=%S", po) : PyUnicode_FromFormat("k=%llu", k.u));
}

static PyObject *Network_connect(NetworkObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"pre", "post", "p", "k", "connections", "weight", "delay", "receptor", "autapses", NULL};
    PyObject *preo, *posto, *po = NULL, *ko = NULL, *conns = NULL, *wo = NULL, *dlo = NULL, *au = Py_False;
    const char *receptor = "excitatory";
    int inh = 0;
    if (net_unbuilt(self, "Network.connect"))
        return NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$OOOOOsO:connect", kwlist, &preo, &posto, &po, &ko, &conns, &wo,
                                     &dlo, &receptor, &au) ||
        receptor_from(receptor, &inh))
        return NULL;
    if (!PyBool_Check(au))
        return PyErr_Format(PyExc_TypeError, "autapses must be True or False, not %.80s", Py_TYPE(au)->tp_name);
    po = po == Py_None ? NULL : po, ko = ko == Py_None ? NULL : ko, conns = conns == Py_None ? NULL : conns;
    if (!dlo)
        dlo = PyFloat_FromDouble(0.0);
    else
        Py_INCREF(dlo);
    if (!dlo)
        return NULL;
    PyObject *r = connect_parsed(self, preo, posto, po, ko, conns, wo, dlo, inh, au == Py_True);
    Py_DECREF(dlo);
    return r;
}

/* ---- monitors ---- */

static void Monitor_dealloc(MonitorObject *self)
{
    free(self->step), free(self->id), free(self->counts), free(self->bins), free(self->sstep), free(self->v);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *monitor_add(NetworkObject *self, PyObject *target, int kind, uint64_t bin_steps, uint64_t stride,
                             const char *what)
{
    size_t first, count;
    if (net_ready(self, what) || range_from(self, target, &first, &count, "target"))
        return NULL;
    MonitorObject *m = PyObject_New(MonitorObject, &MonitorType);
    if (!m)
        return NULL;
    memset((char *)m + sizeof(PyObject), 0, sizeof *m - sizeof(PyObject));
    m->kind = kind, m->first = first, m->count = count, m->dt = am_snn_dt(self->n);
    m->start = m->steps = am_snn_step_count(self->n);
    m->bin_steps = bin_steps, m->stride = stride;
    if (kind == MON_SPIKES && !(m->counts = calloc(count, sizeof *m->counts))) {
        Py_DECREF(m);
        return PyErr_NoMemory();
    }
    if (PyList_Append(self->monitors, (PyObject *)m)) {
        Py_DECREF(m);
        return NULL;
    }
    return (PyObject *)m;
}

static PyObject *Network_spike_monitor(NetworkObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"target", NULL};
    PyObject *t;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:spike_monitor", kwlist, &t))
        return NULL;
    return monitor_add(self, t, MON_SPIKES, 0, 0, "Network.spike_monitor");
}

static PyObject *Network_rate_monitor(NetworkObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"target", "bin", NULL};
    PyObject *t;
    if (net_ready(self, "Network.rate_monitor"))
        return NULL;
    double dt = am_snn_dt(self->n);
    amx_real bin = AMX_REAL("bin", dt, 1e9, 1.0 > dt ? 1.0 : dt);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$O&:rate_monitor", kwlist, &t, amx_real_conv, &bin))
        return NULL;
    return monitor_add(self, t, MON_RATE, (uint64_t)llround(bin.v / dt), 0, "Network.rate_monitor");
}

static PyObject *Network_state_monitor(NetworkObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"target", "stride", NULL};
    PyObject *t;
    amx_int stride = AMX_INT("stride", 1, UINT32_MAX, 1);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$O&:state_monitor", kwlist, &t, amx_int_conv, &stride))
        return NULL;
    return monitor_add(self, t, MON_STATE, 0, stride.u, "Network.state_monitor");
}

/* ---- running ---- */

typedef struct {
    MonitorObject **m;
    size_t nm;
    amx_interrupt *it;
} run_ctx;

/* *p grown to hold need items of size bytes (doubling); 0, or -1 (p unchanged). */
static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *q = c > SIZE_MAX / size ? NULL : realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q, *cap = c;
    return 0;
}

/* A monitor out of memory stops the run (after a whole step); the run then raises MemoryError. */
static void monitor_failed(run_ctx *r, MonitorObject *m)
{
    m->failed = 1;
    amx_interrupt_stop(r->it);
}

static void on_spikes(uint64_t step, double t, const uint32_t *ids, size_t count, void *ctx)
{
    (void)t;
    run_ctx *r = ctx;
    for (size_t j = 0; j < r->nm; j++) {
        MonitorObject *m = r->m[j];
        if (m->kind == MON_STATE || m->failed)
            continue;
        size_t lo = 0, hi = count; /* the first id >= m->first */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (ids[mid] < m->first)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t end = lo;
        while (end < count && ids[end] < m->first + m->count)
            end++;
        if (end == lo)
            continue;
        if (m->kind == MON_RATE) {
            size_t b = (size_t)((step - m->start) / m->bin_steps);
            size_t had = m->bcap;
            if (grow((void **)&m->bins, &m->bcap, b + 1, sizeof *m->bins)) {
                monitor_failed(r, m);
                continue;
            }
            memset(m->bins + had, 0, (m->bcap - had) * sizeof *m->bins);
            m->bins[b] += end - lo;
            continue;
        }
        if (grow((void **)&m->step, &m->cap, m->len + (end - lo), sizeof *m->step) ||
            grow((void **)&m->id, &m->icap, m->len + (end - lo), sizeof *m->id)) {
            monitor_failed(r, m);
            continue;
        }
        for (size_t k = lo; k < end; k++, m->len++) {
            m->step[m->len] = step;
            m->id[m->len] = (uint32_t)(ids[k] - m->first);
            m->counts[ids[k] - m->first]++;
        }
    }
}

static void on_state(uint64_t step, double t, const float *v, size_t count, void *ctx)
{
    (void)t, (void)count;
    run_ctx *r = ctx;
    size_t off = 0;
    for (size_t j = 0; j < r->nm; j++) {
        MonitorObject *m = r->m[j];
        if (m->kind != MON_STATE)
            continue;
        if (!m->failed && (step + 1) % m->stride == 0) {
            if (grow((void **)&m->sstep, &m->scap, m->samples + 1, sizeof *m->sstep) ||
                grow((void **)&m->v, &m->vcap, (m->samples + 1) * m->count, sizeof *m->v))
                monitor_failed(r, m);
            else {
                m->sstep[m->samples] = step;
                memcpy(m->v + m->samples * m->count, v + off, m->count * sizeof *v);
                m->samples++;
            }
        }
        off += m->count;
    }
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b, b = t;
    }
    return a;
}

/* The monitors marked written for the run (all, or none with RuntimeError) and the recording they ask for:
 * *rec (malloc'd; NULL without state monitors) of *nrec neuron ids at stride *stride. */
static int monitors_begin(NetworkObject *self, run_ctx *r, uint32_t **rec, size_t *nrec, size_t *stride)
{
    r->nm = (size_t)PyList_GET_SIZE(self->monitors);
    r->m = (MonitorObject **)PySequence_Fast_ITEMS(self->monitors);
    *rec = NULL, *nrec = 0, *stride = 0;
    for (size_t j = 0; j < r->nm; j++)
        if (amx_use_write(&r->m[j]->use, "Network.run: a monitor")) {
            while (j--)
                amx_use_done(&r->m[j]->use);
            return -1;
        }
    for (size_t j = 0; j < r->nm; j++)
        if (r->m[j]->kind == MON_STATE)
            *nrec += r->m[j]->count, *stride = (size_t)gcd64(*stride, r->m[j]->stride);
    if (*nrec && !(*rec = malloc(*nrec * sizeof **rec))) {
        for (size_t j = 0; j < r->nm; j++)
            amx_use_done(&r->m[j]->use);
        return PyErr_NoMemory(), -1;
    }
    for (size_t j = 0, o = 0; j < r->nm; j++)
        for (size_t k = 0; r->m[j]->kind == MON_STATE && k < r->m[j]->count; k++)
            (*rec)[o++] = (uint32_t)(r->m[j]->first + k);
    return 0;
}

static PyObject *Network_run(NetworkObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"duration", "threads", NULL};
    amx_real duration = AMX_REAL("duration", 0.0, 1e15, 0.0);
    amx_int threads = AMX_INT("threads", 0, NET_MAX_THREADS, 1);
    if (net_ready(self, "Network.run") ||
        !PyArg_ParseTupleAndKeywords(args, kw, "O&|$O&:run", kwlist, amx_real_conv, &duration, amx_int_conv, &threads))
        return NULL;
    if (self->broken)
        return PyErr_Format(PyExc_RuntimeError, "Network.run: a projection failed half way, so the network is not "
                            "the one described: make it again");
    if (!am_snn_size(self->n))
        return amx_raise(AM_EEMPTY, "Network.run: the network has no neurons (add them with Network.population)");
    double dt = am_snn_dt(self->n);
    uint64_t steps = (uint64_t)llround(duration.v / dt);
    run_ctx r;
    uint32_t *rec;
    size_t nrec, stride;
    if (amx_use_write(&self->use, "Network.run"))
        return NULL;
    if (monitors_begin(self, &r, &rec, &nrec, &stride)) {
        amx_use_done(&self->use);
        return NULL;
    }
    am_snn_monitor mon = {on_spikes, rec, nrec, stride, on_state, &r};
    amx_interrupt it;
    r.it = &it;
    amx_interrupt_begin(&it, 1);
    int rc = am_snn_run(self->n, steps, r.nm ? &mon : NULL, (int)threads.u);
    amx_interrupt_end(&it);
    int failed = 0;
    for (size_t j = 0; j < r.nm; j++) {
        r.m[j]->steps = am_snn_step_count(self->n);
        failed |= r.m[j]->failed;
        amx_use_done(&r.m[j]->use);
    }
    amx_use_done(&self->use);
    free(rec);
    if (failed)
        return amx_no_memory("Network.run: a monitor's records after %llu steps (the run stopped there)",
                             (unsigned long long)am_snn_step_count(self->n));
    if (rc)
        return amx_raise(rc, "Network.run(%g ms) after %llu steps", duration.v,
                         (unsigned long long)am_snn_step_count(self->n));
    Py_RETURN_NONE;
}

static PyObject *Network_get(NetworkObject *self, void *which)
{
    if (net_ready(self, "Network"))
        return NULL;
    switch ((int)(intptr_t)which) {
    case 0:
        return PyLong_FromSize_t(am_snn_size(self->n));
    case 1:
        return PyLong_FromSize_t(am_snn_synapses(self->n));
    case 2:
        return PyFloat_FromDouble(am_snn_dt(self->n));
    default:
        return PyFloat_FromDouble((double)am_snn_step_count(self->n) * am_snn_dt(self->n));
    }
}

static PyObject *Network_repr(NetworkObject *self)
{
    if (!self->n)
        return PyUnicode_FromString("<am.Network, not initialised>");
    if (self->use.writer)
        return PyUnicode_FromString("<am.Network, in use by another call>");
    char t[80];
    snprintf(t, sizeof t, "dt = %g ms, t = %g ms", am_snn_dt(self->n),
             (double)am_snn_step_count(self->n) * am_snn_dt(self->n));
    return PyUnicode_FromFormat("<am.Network %zu neurons, %zu synapses, %zd monitors, %s>", am_snn_size(self->n),
                                am_snn_synapses(self->n), PyList_GET_SIZE(self->monitors), t);
}

/* ------------------------------------------------------------------------------------------------ */
/* Population: a range of a network's neurons */

static void Population_dealloc(PopulationObject *self)
{
    Py_XDECREF(self->net);
    Py_XDECREF(self->name);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t Population_len(PopulationObject *self) { return (Py_ssize_t)self->count; }

/* pop[a:b] (step 1) or pop[i]: a Population of those neurons. */
static PyObject *Population_item(PopulationObject *self, PyObject *key)
{
    Py_ssize_t start, stop, step, len = (Py_ssize_t)self->count;
    if (PySlice_Check(key)) {
        if (PySlice_Unpack(key, &start, &stop, &step) < 0)
            return NULL;
        if (step != 1)
            return PyErr_Format(PyExc_ValueError, "Population[%R]: a slice of neurons has step 1", key);
        PySlice_AdjustIndices(len, &start, &stop, step);
    } else {
        amx_int i = AMX_INT("index", -(long long)len, (unsigned long long)len - 1, 0);
        if (amx_int_from(key, &i))
            return NULL;
        start = (Py_ssize_t)(i.s < 0 ? i.s + len : i.s), stop = start + 1;
    }
    if (stop <= start)
        return PyErr_Format(PyExc_ValueError, "Population[%R]: no neurons (the population has %zd)", key, len);
    PyObject *name = PyUnicode_FromFormat("%U[%zd:%zd]", self->name, start, stop);
    return name ? population_new(self->net, self->first + (size_t)start, (size_t)(stop - start), name) : NULL;
}

static PyObject *Population_get(PopulationObject *self, void *which)
{
    switch ((int)(intptr_t)which) {
    case 0:
        return PyLong_FromSize_t(self->first);
    case 1:
        return Py_NewRef(self->name);
    default:
        return Py_NewRef(self->net);
    }
}

/* spike_counts and v of the population's neurons (as the library keeps them: from the first run on). */
static PyObject *Population_state(PopulationObject *self, void *which)
{
    NetworkObject *net = self->net;
    if (net_ready(net, which ? "Population.v" : "Population.spike_counts"))
        return NULL;
    if (which) {
        if (!am_snn_v(net->n))
            return PyErr_Format(PyExc_RuntimeError, "Population.v: the initial potentials are drawn by the first run "
                                "(Network.run(0) draws them and runs no step)");
        return amx_copy_out(AMX_F32, am_snn_v(net->n) + self->first, (Py_ssize_t)self->count, 0, "Population.v");
    }
    PyObject *a = amx_new1(AMX_I64, (Py_ssize_t)self->count, "Population.spike_counts");
    const uint64_t *c = am_snn_spike_counts(net->n);
    for (size_t k = 0; a && c && k < self->count; k++)
        ((int64_t *)amx_data(a))[k] = (int64_t)c[self->first + k];
    return a;
}

static PyObject *Population_repr(PopulationObject *self)
{
    return PyUnicode_FromFormat("<am.Population %U: %zu neurons from %zu>", self->name, self->count, self->first);
}

/* ------------------------------------------------------------------------------------------------ */
/* Projection */

static void Projection_dealloc(ProjectionObject *self)
{
    Py_XDECREF(self->pre), Py_XDECREF(self->post), Py_XDECREF(self->rule);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Projection_get(ProjectionObject *self, void *which)
{
    switch ((int)(intptr_t)which) {
    case 0:
        return Py_NewRef(self->pre);
    case 1:
        return Py_NewRef(self->post);
    case 2:
        return PyLong_FromSize_t(self->synapses);
    case 3:
        return isnan(self->weight) ? Py_NewRef(Py_None) : PyFloat_FromDouble(self->weight);
    case 4:
        return isnan(self->delay) ? Py_NewRef(Py_None) : PyFloat_FromDouble(self->delay);
    case 5:
        return PyUnicode_FromString(self->inhibitory ? "inhibitory" : "excitatory");
    default:
        return Py_NewRef(self->rule);
    }
}

static PyObject *Projection_repr(ProjectionObject *self)
{
    return PyUnicode_FromFormat("<am.Projection %U, %zu %s synapses>", self->rule, self->synapses,
                                self->inhibitory ? "inhibitory" : "excitatory");
}

/* ------------------------------------------------------------------------------------------------ */
/* Monitor: the records as arrays */

/* The monitor readable (not being recorded into by a run): 0, or -1 with RuntimeError. */
static int mon_read(MonitorObject *m, int kind, const char *what)
{
    if (m->kind != kind)
        return PyErr_Format(PyExc_AttributeError, "a '%s' monitor has no .%s", mon_kinds[m->kind], what), -1;
    return amx_use_read(&m->use, "Monitor");
}

static PyObject *Monitor_times(MonitorObject *m, void *u)
{
    (void)u;
    if (amx_use_read(&m->use, "Monitor.t"))
        return NULL;
    size_t n = m->kind == MON_SPIKES ? m->len : m->kind == MON_STATE ? m->samples
             : (size_t)((m->steps - m->start + m->bin_steps - 1) / m->bin_steps);
    PyObject *a = amx_new1(AMX_F64, (Py_ssize_t)n, "Monitor.t");
    for (size_t k = 0; a && k < n; k++)
        ((double *)amx_data(a))[k] = m->dt * (double)(m->kind == MON_SPIKES  ? m->step[k]
                                                      : m->kind == MON_STATE ? m->sstep[k]
                                                                             : m->start + k * m->bin_steps);
    amx_use_done(&m->use);
    return a;
}

static PyObject *Monitor_i(MonitorObject *m, void *u)
{
    (void)u;
    if (mon_read(m, MON_SPIKES, "i"))
        return NULL;
    PyObject *a = amx_new1(AMX_I64, (Py_ssize_t)m->len, "Monitor.i");
    for (size_t k = 0; a && k < m->len; k++)
        ((int64_t *)amx_data(a))[k] = m->id[k];
    amx_use_done(&m->use);
    return a;
}

static PyObject *Monitor_count(MonitorObject *m, void *u)
{
    (void)u;
    if (mon_read(m, MON_SPIKES, "count"))
        return NULL;
    PyObject *a = amx_new1(AMX_I64, (Py_ssize_t)m->count, "Monitor.count");
    for (size_t k = 0; a && k < m->count; k++)
        ((int64_t *)amx_data(a))[k] = (int64_t)m->counts[k];
    amx_use_done(&m->use);
    return a;
}

/* Population rate per bin (Hz): spikes / (neurons x the bin's duration); a last, partial bin by its own length. */
static PyObject *Monitor_rate(MonitorObject *m, void *u)
{
    (void)u;
    if (mon_read(m, MON_RATE, "rate"))
        return NULL;
    uint64_t span = m->steps - m->start;
    size_t n = (size_t)((span + m->bin_steps - 1) / m->bin_steps);
    PyObject *a = amx_new1(AMX_F64, (Py_ssize_t)n, "Monitor.rate");
    for (size_t k = 0; a && k < n; k++) {
        uint64_t w = span - k * m->bin_steps < m->bin_steps ? span - k * m->bin_steps : m->bin_steps;
        double spikes = k < m->bcap ? (double)m->bins[k] : 0.0;
        ((double *)amx_data(a))[k] = spikes / ((double)m->count * (double)w * m->dt * 1e-3);
    }
    amx_use_done(&m->use);
    return a;
}

static PyObject *Monitor_v(MonitorObject *m, void *u)
{
    (void)u;
    if (mon_read(m, MON_STATE, "v"))
        return NULL;
    PyObject *a = m->samples ? amx_copy_out(AMX_F32, m->v, (Py_ssize_t)m->samples, (Py_ssize_t)m->count, "Monitor.v")
                             : amx_new2(AMX_F32, 0, (Py_ssize_t)m->count, "Monitor.v");
    amx_use_done(&m->use);
    return a;
}

static PyObject *Monitor_kind(MonitorObject *m, void *u)
{
    (void)u;
    return PyUnicode_FromString(mon_kinds[m->kind]);
}

static PyObject *Monitor_repr(MonitorObject *m)
{
    return PyUnicode_FromFormat("<am.Monitor %s of neurons %zu .. %zu>", mon_kinds[m->kind], m->first,
                                m->first + m->count - 1);
}

/* ------------------------------------------------------------------------------------------------ */
/* Types */

#define METH_KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS

static PyMethodDef Network_methods[] = {
    {"population", METH_KW(Network_population),
     "population(count, *, name=None, tau_m=20, v_rest=-60, v_reset=-60, v_thresh=-50, t_ref=5, drive=0,\n"
     "           synapse='conductance', tau_e=5, tau_i=10, e_e=0, e_i=-80, v0_mean=v_rest, v0_sd=0,\n"
     "           v0_uniform=False, ext_rate=0, ext_weight=0) -> Population\n\n"
     "count new leaky integrate-and-fire neurons (ms, mV, Hz; am/spiking.h): membrane time constant tau_m,\n"
     "rest, reset, threshold, refractory period t_ref, constant drive (mV); synapse 'delta' (a spike moves v by\n"
     "its weight), 'current' (exponential currents, tau_e, tau_i) or 'conductance' (exponential conductances\n"
     "towards the reversal potentials e_e, e_i); initial potentials ~ N(v0_mean, v0_sd^2), or uniform in\n"
     "v0_mean +- v0_sd with v0_uniform=True; external Poisson input of ext_rate events per neuron, each adding\n"
     "ext_weight. Populations are added before the first run; name labels it (default 'P<first neuron>').\n\n"
     "    >>> net = am.Network(dt=0.1, method='euler', seed=1)\n"
     "    >>> E = net.population(3200, name='E', drive=20, v0_mean=-55, v0_sd=5)"},
    {"connect", METH_KW(Network_connect),
     "connect(pre, post, *, p=None | k=None | connections=None, weight, delay=0, receptor='excitatory',\n"
     "        autapses=False) -> Projection\n\n"
     "Synapses from the neurons of pre to those of post (each a Population, a slice of one such as E[:100], or\n"
     "a list of populations that follow each other, e.g. [E, I]): with probability p per pair, k distinct\n"
     "sources per target (fixed in-degree), or the explicit connections (m x 2 indices into pre and post;\n"
     "weight and delay may then be m values). weight: mV (delta, current synapses) or units of the leak\n"
     "(conductance); receptor 'excitatory' (to ge) or 'inhibitory' (to gi); delay in ms, rounded to whole\n"
     "steps; autapses=True allows i -> i. Random projections draw from streams of (seed, projection number,\n"
     "neuron), so the same calls in the same order make the same network; an explicit projection takes one\n"
     "number per run of consecutive targets. Added before the first run; Ctrl-C stops a random one (nothing\n"
     "added).\n\n"
     "    >>> net = am.Network(0.1, seed=1); E = net.population(80, drive=20); I = net.population(20, drive=20)\n"
     "    >>> net.connect(E, [E, I], p=0.02, weight=0.6, autapses=True)\n"
     "    >>> net.connect(I, [E, I], p=0.02, weight=6.7, receptor='inhibitory', autapses=True)"},
    {"spike_monitor", METH_KW(Network_spike_monitor),
     "spike_monitor(target) -> Monitor recording every spike of target's neurons from now on: .t (ms, the\n"
     "step's start), .i (index within target), .count (spikes per neuron)\n\n"
     "    >>> n2 = am.Network(seed=2); P = n2.population(50, drive=20); sp = n2.spike_monitor(P[:10])\n"
     "    >>> n2.run(50); sp.t[:3], sp.i[:3], sp.count"},
    {"rate_monitor", METH_KW(Network_rate_monitor),
     "rate_monitor(target, *, bin=1.0) -> Monitor of target's population rate in bins of `bin` ms (whole steps,\n"
     "at least dt) from now on: .t (bin starts, ms), .rate (Hz per neuron)\n\n"
     "    >>> n2 = am.Network(seed=2); P = n2.population(50, drive=20); r = n2.rate_monitor(P, bin=5)\n"
     "    >>> n2.run(50); r.t, r.rate                          # 10 bins"},
    {"state_monitor", METH_KW(Network_state_monitor),
     "state_monitor(target, *, stride=1) -> Monitor of the membrane potentials of target's neurons after every\n"
     "stride-th step (steps counted from 0; the library's on_state): .t (ms, the step's start), .v (samples x\n"
     "neurons, float32 mV)\n\n"
     "    >>> n2 = am.Network(seed=2); P = n2.population(50, drive=20); v = n2.state_monitor(P[:2], stride=10)\n"
     "    >>> n2.run(5); v.t, v.v.shape                        # 5 samples x 2 neurons"},
    {"run", METH_KW(Network_run),
     "run(duration, *, threads=1): round(duration / dt) steps (ms); the monitors record. Releases the GIL;\n"
     "Ctrl-C stops it after a whole step (Network.t tells where). threads=0: all cores; the same spikes at any\n"
     "thread count. The state carries over to the next run.\n\n"
     "    >>> s = net.spike_monitor([E, I]); net.run(1000)\n"
     "    >>> len(s.t) / 4000 / 1.0      # spikes per neuron per second"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Network_getset[] = {
    {"size", (getter)Network_get, NULL, "neurons", (void *)(intptr_t)0},
    {"synapses", (getter)Network_get, NULL, "synapses", (void *)(intptr_t)1},
    {"dt", (getter)Network_get, NULL, "time step (ms)", (void *)(intptr_t)2},
    {"t", (getter)Network_get, NULL, "simulated time (ms)", (void *)(intptr_t)3},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject NetworkType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Network",
    .tp_basicsize = sizeof(NetworkObject),
    .tp_dealloc = (destructor)Network_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Network(dt=0.1, *, method='exact', seed=1): a spiking network composed of populations of LIF\n"
              "neurons, projections and monitors (am/spiking.h), in fixed steps of dt ms; method 'euler' (as\n"
              "Brian2's) or 'exact' (exponential Euler); randomness from (seed, neuron, step), so the same\n"
              "network gives the same spikes at any thread count. The COBA benchmark, as `spiking coba` builds it:\n\n"
              "    >>> net = am.Network(0.1, method='euler', seed=1)\n"
              "    >>> E = net.population(3200, name='E', drive=20, v0_mean=-55, v0_sd=5)\n"
              "    >>> I = net.population(800, name='I', drive=20, v0_mean=-55, v0_sd=5)\n"
              "    >>> net.connect(E, [E, I], p=0.02, weight=0.6, autapses=True)\n"
              "    >>> net.connect(I, [E, I], p=0.02, weight=6.7, receptor='inhibitory', autapses=True)\n"
              "    >>> spikes, rate = net.spike_monitor([E, I]), net.rate_monitor(E, bin=5)\n"
              "    >>> net.run(1000)\n"
              "    >>> spikes.t, spikes.i, rate.rate      # arrays",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Network_init,
    .tp_repr = (reprfunc)Network_repr,
    .tp_methods = Network_methods,
    .tp_getset = Network_getset,
};

static PyMappingMethods Population_as_mapping = {.mp_length = (lenfunc)Population_len,
                                                 .mp_subscript = (binaryfunc)Population_item};

static PyGetSetDef Population_getset[] = {
    {"first", (getter)Population_get, NULL, "the network's index of the first neuron", (void *)(intptr_t)0},
    {"name", (getter)Population_get, NULL, "the name", (void *)(intptr_t)1},
    {"network", (getter)Population_get, NULL, "the Network", (void *)(intptr_t)2},
    {"spike_counts", (getter)Population_state, NULL, "int64 array: spikes of each neuron so far", NULL},
    {"v", (getter)Population_state, NULL, "float32 array: membrane potentials (mV), drawn by the first run",
     (void *)(intptr_t)1},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject PopulationType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Population",
    .tp_basicsize = sizeof(PopulationObject),
    .tp_dealloc = (destructor)Population_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Population() is not called (TypeError): a range of a Network's neurons, made by\n"
              "Network.population; pop[a:b] or pop[i] selects some.\n"
              "len(pop) neurons from pop.first.\n\n"
              "    >>> net = am.Network(seed=1); E = net.population(100, name='E', drive=20)\n"
              "    >>> len(E), E.first, len(E[10:20]), E[5].first",
    .tp_repr = (reprfunc)Population_repr,
    .tp_as_mapping = &Population_as_mapping,
    .tp_getset = Population_getset,
};

static PyGetSetDef Projection_getset[] = {
    {"pre", (getter)Projection_get, NULL, "the sources as given", (void *)(intptr_t)0},
    {"post", (getter)Projection_get, NULL, "the targets as given", (void *)(intptr_t)1},
    {"synapses", (getter)Projection_get, NULL, "synapses it added", (void *)(intptr_t)2},
    {"weight", (getter)Projection_get, NULL, "the weight (None: one per connection)", (void *)(intptr_t)3},
    {"delay", (getter)Projection_get, NULL, "the delay in ms as given (None: one per connection)", (void *)(intptr_t)4},
    {"receptor", (getter)Projection_get, NULL, "'excitatory' or 'inhibitory'", (void *)(intptr_t)5},
    {"rule", (getter)Projection_get, NULL, "'p=...', 'k=...' or 'connections'", (void *)(intptr_t)6},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ProjectionType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Projection",
    .tp_basicsize = sizeof(ProjectionObject),
    .tp_dealloc = (destructor)Projection_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Projection() is not called (TypeError): the synapses Network.connect added: .pre, .post,\n"
              ".synapses, .weight, .delay, .receptor, .rule.\n\n"
              "    >>> net = am.Network(seed=1); E = net.population(100, drive=20)\n"
              "    >>> pr = net.connect(E, E, p=0.1, weight=0.5); pr.synapses   # about 1000",
    .tp_repr = (reprfunc)Projection_repr,
    .tp_getset = Projection_getset,
};

static PyGetSetDef Monitor_getset[] = {
    {"kind", (getter)Monitor_kind, NULL, "'spikes', 'rate' or 'state'", NULL},
    {"t", (getter)Monitor_times, NULL, "float64 ms: spike times, bin starts or sample times", NULL},
    {"i", (getter)Monitor_i, NULL, "spikes: int64 index of each spike's neuron within the target", NULL},
    {"count", (getter)Monitor_count, NULL, "spikes: int64 spikes per neuron of the target", NULL},
    {"rate", (getter)Monitor_rate, NULL, "rate: float64 population rate (Hz) per bin", NULL},
    {"v", (getter)Monitor_v, NULL, "state: float32 potentials (samples x neurons, mV)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject MonitorType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Monitor",
    .tp_basicsize = sizeof(MonitorObject),
    .tp_dealloc = (destructor)Monitor_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Monitor() is not called (TypeError): records of a Network's runs, made by\n"
              "Network.spike_monitor, rate_monitor and state_monitor.\n\n"
              "    >>> net = am.Network(seed=1); E = net.population(100, drive=20, v0_mean=-55, v0_sd=5)\n"
              "    >>> s = net.spike_monitor(E); net.run(100); len(s.t), s.i[:5]   # spike times (ms) and neurons",
    .tp_repr = (reprfunc)Monitor_repr,
    .tp_getset = Monitor_getset,
};

int amx_init_network(PyObject *m)
{
    PyTypeObject *types[] = {&NetworkType, &PopulationType, &ProjectionType, &MonitorType};
    const char *names[] = {"Network", "Population", "Projection", "Monitor"};
    for (size_t k = 0; k < 4; k++)
        if (PyType_Ready(types[k]) < 0 || PyModule_AddObjectRef(m, names[k], (PyObject *)types[k]))
            return -1;
    return 0;
}
