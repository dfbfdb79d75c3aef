/* analysis.c — measurements and theory: am.capacity, am.theory, am.seq_capacity, the familiarity scores of
 * stores (familiarity, sequence_familiarity) and their ROC analysis (roc, roc_curve). */
#include "ext.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------------ */
/* Capacity */

/* The loads of capacity(): an int or a sequence of ints, each >= 1 (PyMem_Malloc'd into *ps). */
static Py_ssize_t capacity_loads(PyObject *po, size_t **ps)
{
    int one = PyIndex_Check(po) && !PySequence_Check(po); /* an int, or a numpy integer (arrays have __index__) */
    PyObject *seq = one ? PyTuple_Pack(1, po) : PySequence_Fast(po, "P must be an int or a sequence of ints");
    if (!seq)
        return -1;
    Py_ssize_t np_ = PySequence_Fast_GET_SIZE(seq);
    *ps = np_ ? PyMem_Malloc((size_t)np_ * sizeof **ps) : NULL;
    if (!np_ || !*ps) {
        Py_DECREF(seq);
        return np_ ? (amx_no_memory("P: %zd pattern counts", np_), -1) : (amx_value_error("P needs at least one pattern count"), -1);
    }
    for (Py_ssize_t k = 0; k < np_; k++) {
        amx_int p = AMX_INT("P", 1, 10000000, 0);
        if (amx_int_from(PySequence_Fast_GET_ITEM(seq, k), &p)) {
            Py_DECREF(seq);
            PyMem_Free(*ps);
            *ps = NULL;
            return -1;
        }
        (*ps)[k] = (size_t)p.u;
    }
    Py_DECREF(seq);
    return np_;
}

/* The columns of capacity()'s result from the measured points. */
static PyObject *capacity_columns(const am_capacity_opts *o, const am_capacity_point *pts, Py_ssize_t np_,
                                  size_t n, size_t trials)
{
    static const char *cols[] = {"overlap_mean", "overlap_sd", "recall_frac", "fixed_frac", "all_fixed_frac",
                                 "unstable_frac", "bit_error", "steps_mean", "fixed_end", "cycle_end",
                                 "maxsteps_end", "error_norm", "alpha"};
    const size_t offs[] = {offsetof(am_capacity_point, overlap_mean), offsetof(am_capacity_point, overlap_sd),
                           offsetof(am_capacity_point, recall_frac), offsetof(am_capacity_point, fixed_frac),
                           offsetof(am_capacity_point, all_fixed_frac), offsetof(am_capacity_point, unstable_frac),
                           offsetof(am_capacity_point, bit_error), offsetof(am_capacity_point, steps_mean),
                           offsetof(am_capacity_point, fixed_end), offsetof(am_capacity_point, cycle_end),
                           offsetof(am_capacity_point, maxsteps_end), offsetof(am_capacity_point, error_norm),
                           offsetof(am_capacity_point, alpha)};
    PyObject *d = PyDict_New();
    PyObject *pcol = amx_new1(AMX_I64, np_, "capacity_columns"), *ccol = amx_new1(AMX_I64, np_, "capacity_columns");
    int ok = d && pcol && ccol;
    for (Py_ssize_t k = 0; ok && k < np_; k++) {
        ((Py_ssize_t *)amx_data(pcol))[k] = (Py_ssize_t)pts[k].p;
        ((Py_ssize_t *)amx_data(ccol))[k] = (Py_ssize_t)pts[k].cues;
    }
    ok = ok && !PyDict_SetItemString(d, "P", (PyObject *)pcol) && !PyDict_SetItemString(d, "cues", (PyObject *)ccol);
    for (size_t c = 0; ok && c < sizeof cols / sizeof *cols; c++) {
        PyObject *a = amx_new1(AMX_F64, np_, "capacity_columns");
        for (Py_ssize_t k = 0; a && k < np_; k++)
            ((double *)amx_data(a))[k] = *(const double *)((const char *)&pts[k] + offs[c]);
        ok = a && !PyDict_SetItemString(d, cols[c], (PyObject *)a);
        Py_XDECREF(a);
    }
    char desc[128];
    am_store_config_describe(&o->store, desc, sizeof desc);
    PyObject *ds = PyUnicode_FromString(desc), *nn = PyLong_FromSize_t(n), *tt = PyLong_FromSize_t(trials);
    ok = ok && ds && nn && tt && !PyDict_SetItemString(d, "store", ds) && !PyDict_SetItemString(d, "n", nn) &&
         !PyDict_SetItemString(d, "trials", tt);
    Py_XDECREF(ds), Py_XDECREF(nn), Py_XDECREF(tt), Py_XDECREF(pcol), Py_XDECREF(ccol);
    if (!ok)
        Py_CLEAR(d);
    return d;
}

static PyObject *am_py_capacity(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"P", "model", "n", "dynamics", "order", "T", "max_steps", "eps", "patterns", "noise",
                            "cues", "stability", "threshold", "trials", "seed", "threads", NULL};
    PyObject *po, *params = NULL, *rest = NULL;
    const char *model = "hopfield", *dyn = "async", *order = "random", *fam = "random";
    amx_int n = AMX_INT("n", 1, AM_MAX_UNITS, 100), cues = AMX_INT("cues", 0, AMX_SSIZE_MAX, 0);
    amx_int stab = AMX_INT("stability", 0, AMX_SSIZE_MAX, 0), trials = AMX_INT("trials", 1, AMX_SSIZE_MAX, 5);
    amx_int max_steps = AMX_INT("max_steps", 1, UINT_MAX, 100), seed = AMX_INT("seed", 0, UINT64_MAX, 1);
    amx_int threads = AMX_INT("threads", 0, AMX_MAX_THREADS, 0);
    amx_real T = AMX_REAL("T", 0.0, DBL_MAX, 0.0), eps = AMX_REAL("eps", 0.0, DBL_MAX, 1e-6);
    amx_real noise = AMX_REAL("noise", 0.0, 1.0, 0.1), threshold = AMX_REAL("threshold", -1.0, 1.0, 0.99);
    am_capacity_opts o;
    am_store_config sc;
    char why[256];
    int ok = !amx_store_params(args, kw, names, -1, "capacity", &params, &rest) &&
             PyArg_ParseTupleAndKeywords(args, rest, "O|$sO&ssO&O&O&sO&O&O&O&O&O&O&:capacity", names, &po, &model,
                                         amx_int_conv, &n, &dyn, &order, amx_real_conv, &T, amx_int_conv, &max_steps, amx_real_conv,
                                         &eps, &fam, amx_real_conv, &noise, amx_int_conv, &cues, amx_int_conv, &stab, amx_real_conv,
                                         &threshold, amx_int_conv, &trials, amx_int_conv, &seed, amx_int_conv, &threads) &&
             !amx_store_config(&sc, model, (size_t)n.u, params, "capacity");
    Py_XDECREF(params);
    Py_XDECREF(rest);
    if (!ok)
        return NULL;
    if (am_store_type_flags(sc.type) & AM_STORE_SEQUENCE)
        return amx_value_error("%s stores sequences: capacity() measures fixed-point stores", model);
    am_capacity_opts_default(&o, sc.type, (size_t)n.u);
    o.store = sc;
    am_recall_opts ro;
    if (amx_parse_dynamics(dyn, order, &ro))
        return NULL;
    o.dynamics = ro.dynamics, o.order = ro.order;
    o.temperature = T.v, o.max_steps = (unsigned)max_steps.u, o.eps = eps.v, o.noise = noise.v;
    o.threshold = threshold.v, o.cues = (size_t)cues.u, o.stability = (size_t)stab.u, o.seed = seed.u;
    if (am_pattern_family_parse(&o.patterns, fam, why, sizeof why))
        return amx_value_error("%s", why);
    size_t *ps = NULL;
    Py_ssize_t np_ = capacity_loads(po, &ps);
    if (np_ < 0)
        return NULL;
    for (Py_ssize_t k = 0; k < np_; k++)
        if (am_capacity_opts_check(&o, ps[k], why, sizeof why)) {
            PyMem_Free(ps);
            return amx_value_error("%s", why);
        }
    am_capacity_point *pts = PyMem_Malloc((size_t)np_ * sizeof *pts);
    int rc = AM_ENOMEM;
    if (pts) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_capacity_measure(&o, ps, (size_t)np_, (size_t)trials.u, (int)threads.u, pts);
        amx_interrupt_end(&it);
    }
    PyObject *result = rc ? amx_raise(rc, "am.capacity (n=%llu, %zd loads)", n.u, np_)
                          : capacity_columns(&o, pts, np_, (size_t)n.u, (size_t)trials.u);
    PyMem_Free(ps);
    PyMem_Free(pts);
    return result;
}

static PyObject *am_py_theory(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"what", "n", "p", "alpha", NULL};
    const char *what;
    amx_int n = AMX_INT("n", 0, AMX_SSIZE_MAX, 0), p = AMX_INT("p", 0, AMX_SSIZE_MAX, 0);
    amx_real alpha = AMX_REAL("alpha", 0.0, DBL_MAX, NAN);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|$O&O&O&:theory", names, &what, amx_int_conv, &n, amx_int_conv, &p, amx_real_conv,
                                     &alpha))
        return NULL;
    if (!strcmp(what, "hebb_bit_error") || !strcmp(what, "hebb_fixed_prob")) {
        if (n.u < 1 || p.u < 1)
            return amx_value_error("%s needs n >= 1 and p >= 1", what);
        return PyFloat_FromDouble(what[5] == 'b' ? am_theory_hebb_bit_error((size_t)n.u, (size_t)p.u)
                                                 : am_theory_hebb_fixed_prob((size_t)n.u, (size_t)p.u));
    }
    if (!strcmp(what, "hebb_capacity") || !strcmp(what, "storkey_capacity")) {
        if (n.u < 1)
            return amx_value_error("%s needs n >= 1", what);
        return PyFloat_FromDouble(what[0] == 'h' ? am_theory_hebb_capacity((double)n.u)
                                                 : am_theory_storkey_capacity((double)n.u));
    }
    if (!strcmp(what, "ags_overlap") || !strcmp(what, "seq_hebb_overlap")) {
        double m = NAN;
        if (isnan(alpha.v))
            return amx_value_error("%s needs alpha >= 0", what);
        if (what[0] == 'a') /* 0 beyond alpha_c: no retrieval state, m = 0 */
            am_theory_ags_overlap(alpha.v, &m);
        else
            am_theory_seq_hebb_overlap(alpha.v, &m);
        return PyFloat_FromDouble(m);
    }
    if (!strcmp(what, "ags_alpha_c") || !strcmp(what, "seq_hebb_alpha_c")) {
        double m;
        double a = what[0] == 'a' ? am_theory_ags_alpha_c(&m) : am_theory_seq_hebb_alpha_c(&m);
        return Py_BuildValue("(dd)", a, m);
    }
    return amx_value_error("unknown theory '%s' (hebb_bit_error, hebb_fixed_prob, hebb_capacity, storkey_capacity, "
                       "ags_overlap, ags_alpha_c, seq_hebb_overlap, seq_hebb_alpha_c)", what);
}

/* The largest n of seq_capacity: the bit error sums over the binomial law of n - 1 units, which takes
 * O(sqrt(n d)) terms (0.05 s at 2^32 and d = 1000, held with the GIL). */
#define SEQ_THEORY_MAX_N ((unsigned long long)1 << 32)

static PyObject *am_py_seq_capacity(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"n", "F", "degree", "p", NULL};
    amx_int n = AMX_INT("n", 2, SEQ_THEORY_MAX_N, 0), deg = AMX_INT("degree", 1, 1000, 2);
    amx_int p = AMX_INT("p", 1, AMX_SSIZE_MAX, 0);
    const char *F = "poly";
    PyObject *dego = Py_None, *po = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|$sOO:seq_capacity", names, amx_int_conv, &n, &F, &dego, &po))
        return NULL;
    int poly = !strcmp(F, "poly");
    if (!poly && strcmp(F, "exp"))
        return amx_value_error("F = '%s': poly (f(x) = x^degree) or exp (f(x) = e^{(N-1)(x-1)})", F);
    if (dego != Py_None && !poly)
        return amx_value_error("degree applies to F='poly' only");
    if ((dego != Py_None && amx_int_from(dego, &deg)) || (po != Py_None && amx_int_from(po, &p)))
        return NULL;
    double N = (double)n.u;
    int d = (int)deg.u;
    double lt = poly ? am_theory_seq_poly_log_transition_capacity(N, d) : am_theory_seq_exp_log_transition_capacity(N);
    double ls = poly ? am_theory_seq_poly_log_sequence_capacity(N, d) : am_theory_seq_exp_log_sequence_capacity(N);
    PyObject *err = po == Py_None ? Py_NewRef(Py_None)
                  : PyFloat_FromDouble(poly ? am_theory_seq_poly_transition_error((size_t)n.u, (size_t)p.u, d)
                                            : am_theory_seq_exp_transition_error((size_t)n.u, (size_t)p.u));
    return amx_namespace(5, "transition", PyFloat_FromDouble(exp(lt)), "sequence", PyFloat_FromDouble(exp(ls)),
                     "log_transition", PyFloat_FromDouble(lt), "log_sequence", PyFloat_FromDouble(ls), "bit_error",
                     err);
}

/* ------------------------------------------------------------------------------------------------ */
/* Familiarity (am/familiarity.h): scores and ROC analysis */

/* -1 with ValueError naming what[i] for the first NaN of the 1-D float64 array a (infinities are scores). */
static int no_nan(PyObject *a, const char *what)
{
    const double *v = amx_data(a);
    for (Py_ssize_t i = 0; i < amx_dim(a, 0); i++)
        if (isnan(v[i]))
            return amx_value_error("%s[%zd] is NaN: a score must be a number (infinities are allowed)", what, i), -1;
    return 0;
}

/* Both score arrays of roc and roc_curve; 0, or -1 with the error set. */
static int roc_args(PyObject *args, PyObject *kw, const char *fmt, PyObject **f, PyObject **n)
{
    static char *names[] = {"familiar", "novel", NULL};
    PyObject *fo, *no;
    *f = *n = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, fmt, names, &fo, &no) || !(*f = amx_reals(fo, 0, 1, 1, "familiar")) ||
        !(*n = amx_reals(no, 0, 1, 1, "novel")) || no_nan(*f, "familiar") || no_nan(*n, "novel")) {
        Py_CLEAR(*n);
        Py_CLEAR(*f);
        return -1;
    }
    return 0;
}

static PyObject *am_py_roc(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    PyObject *f, *n;
    if (roc_args(args, kw, "OO:roc", &f, &n))
        return NULL;
    am_roc r;
    int rc = am_roc_compute(amx_data(f), (size_t)amx_dim(f, 0), amx_data(n), (size_t)amx_dim(n, 0), &r);
    Py_DECREF(f), Py_DECREF(n);
    if (rc)
        return amx_raise(rc, "am.roc");
    return amx_namespace(7, "auc", PyFloat_FromDouble(r.auc), "threshold", PyFloat_FromDouble(r.threshold), "accuracy",
                     PyFloat_FromDouble(r.accuracy), "tpr", PyFloat_FromDouble(r.tpr), "fpr", PyFloat_FromDouble(r.fpr),
                     "dprime", PyFloat_FromDouble(r.dprime), "points", PyLong_FromSize_t(r.points));
}

static PyObject *am_py_roc_curve(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    PyObject *f, *n;
    if (roc_args(args, kw, "OO:roc_curve", &f, &n))
        return NULL;
    size_t room = (size_t)amx_dim(f, 0) + (size_t)amx_dim(n, 0) + 1, points = 0;
    double *buf = malloc(3 * room * sizeof *buf);
    int rc = buf ? am_roc_curve(amx_data(f), (size_t)amx_dim(f, 0), amx_data(n), (size_t)amx_dim(n, 0),
                                buf, buf + room, buf + 2 * room, &points)
                 : AM_ENOMEM;
    Py_DECREF(f), Py_DECREF(n);
    PyObject *r = NULL;
    if (!rc) {
        PyObject *fpr = amx_copy_out(AMX_F64, buf, (Py_ssize_t)points, 0, "am.roc_curve");
        PyObject *tpr = amx_copy_out(AMX_F64, buf + room, (Py_ssize_t)points, 0, "am.roc_curve");
        PyObject *th = amx_copy_out(AMX_F64, buf + 2 * room, (Py_ssize_t)points, 0, "am.roc_curve");
        r = fpr && tpr && th ? Py_BuildValue("(NNN)", fpr, tpr, th) : NULL;
        if (!r)
            Py_XDECREF(fpr), Py_XDECREF(tpr), Py_XDECREF(th);
    } else {
        amx_raise(rc, "am.roc_curve");
    }
    free(buf);
    return r;
}

static PyObject *am_py_familiarity(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"store", "cues", "score", "threads", NULL};
    PyObject *so, *co;
    const char *score = "energy";
    amx_int threads = AMX_INT("threads", 0, AMX_MAX_THREADS, 0);
    am_fam_score kind;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$sO&:familiarity", names, &so, &co, &score, amx_int_conv, &threads))
        return NULL;
    if (am_fam_score_parse(score, &kind))
        return amx_value_error("unknown score '%s' (energy, overlap)", score);
    amx_store_object *s = amx_store_arg(so, "am.familiarity");
    if (!s)
        return NULL;
    PyObject *st = amx_states(co, am_store_n(s->s), 1, 2, "cues"), *out = NULL;
    am_patterns *p = st ? amx_patterns_from(st) : NULL;
    int rc = AM_OK;
    if (p && (out = amx_new1(AMX_F64, amx_rows(st), "am.familiarity"))) {
        double *ov = amx_data(out);
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_familiarity_store(s->s, kind, p, ov, (int)threads.u);
        amx_interrupt_end(&it);
    }
    amx_use_done(&s->use);
    am_patterns_free(p);
    if (rc) {
        Py_CLEAR(out);
        amx_raise(rc, "am.familiarity (a %s store, score %s)", am_store_type_name(am_store_type_of(s->s)), score);
    }
    if (out && amx_ndim(st) == 1) { /* one cue: one number */
        PyObject *v = PyFloat_FromDouble(((const double *)amx_data(out))[0]);
        Py_DECREF(out);
        Py_DECREF(st);
        return v;
    }
    Py_XDECREF(st);
    return (PyObject *)out;
}

static PyObject *am_py_sequence_familiarity(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"store", "seqs", "threads", NULL};
    PyObject *so, *qo;
    amx_int threads = AMX_INT("threads", 0, AMX_MAX_THREADS, 0);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$O&:sequence_familiarity", names, &so, &qo, amx_int_conv, &threads))
        return NULL;
    amx_store_object *s = amx_store_arg(so, "am.sequence_familiarity");
    if (!s)
        return NULL;
    if (amx_sequence_ready(s, "am.sequence_familiarity")) {
        amx_use_done(&s->use);
        return NULL;
    }
    am_patterns **ps = NULL;
    size_t count = 0;
    PyObject *out = NULL;
    int rc = AM_OK;
    if (!amx_pattern_sets(qo, am_store_n(s->s), &ps, &count, "seqs") && (out = amx_new1(AMX_F64, (Py_ssize_t)count, "am.sequence_familiarity"))
        && count) {
        double *ov = amx_data(out);
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = am_familiarity_sequences(s->s, (const am_patterns *const *)ps, count, ov, (int)threads.u);
        amx_interrupt_end(&it);
    }
    amx_use_done(&s->use);
    amx_pattern_sets_free(ps, count);
    if (rc) {
        Py_CLEAR(out);
        amx_raise(rc, "am.sequence_familiarity (a %s store, %zu sequences)", am_store_type_name(am_store_type_of(s->s)),
                 count);
    }
    return (PyObject *)out;
}

static PyMethodDef analysis_functions[] = {
    {"roc", (PyCFunction)(void (*)(void))am_py_roc, METH_VARARGS | METH_KEYWORDS,
     "roc(familiar, novel) -> a namespace(auc, threshold, accuracy, tpr, fpr, dprime, points): the ROC analysis of\n"
     "two sets of familiarity scores (higher = more familiar; am_roc_compute): the exact AUC (Mann-Whitney, ties\n"
     "half), the threshold of best accuracy (familiar when score >= threshold) with its accuracy, hit and\n"
     "false-alarm rates, d'. NaN scores and empty sets are am.Error.\n\n"
     "    >>> r = am.roc([0.9, 0.8, 0.7, 0.4], [0.1, 0.75, 0.2, 0.3])\n"
     "    >>> r.auc, r.threshold, r.accuracy                  # 0.875, 0.4, 0.875"},
    {"roc_curve", (PyCFunction)(void (*)(void))am_py_roc_curve, METH_VARARGS | METH_KEYWORDS,
     "roc_curve(familiar, novel) -> (fpr, tpr, thresholds): the ROC curve from (0, 0) (threshold inf) to (1, 1),\n"
     "one point per distinct score, high to low\n\n"
     "    >>> fpr, tpr, thresholds = am.roc_curve([0.9, 0.8, 0.7], [0.1, 0.75, 0.2])\n"
     "    >>> list(zip(fpr, tpr))[:3]"},
    {"familiarity", (PyCFunction)(void (*)(void))am_py_familiarity, METH_VARARGS | METH_KEYWORDS,
     "familiarity(store, cues, *, score='energy', threads=0) -> float64 scores, one per cue (cues: n or B x n,\n"
     "by sign): 'energy' -E(s)/n (fixed-point stores), 'overlap' the best overlap with a stored pattern (every\n"
     "store). Higher is more familiar; the same numbers at any thread count; the GIL is released.\n\n"
     "    >>> p = am.patterns('random', 10, 100, rng=1)\n"
     "    >>> s = am.Store('hopfield', n=100); s.add(p[:5])\n"
     "    >>> am.familiarity(s, p)                           # the 5 stored score higher than the 5 others"},
    {"sequence_familiarity", (PyCFunction)(void (*)(void))am_py_sequence_familiarity, METH_VARARGS | METH_KEYWORDS,
     "sequence_familiarity(store, seqs, *, threads=0) -> float64, one per sequence: the mean overlap of one step\n"
     "of a sequence store from each element of a cue sequence (count x n, count >= 2) with the element that\n"
     "follows (am_familiarity_sequences)\n\n"
     "    >>> p = am.patterns('random', 8, 100, rng=1)\n"
     "    >>> s = am.Store('seq-dense', n=100, degree=2); s.add(p[:4])\n"
     "    >>> am.sequence_familiarity(s, [p[:4], p[4:]])     # about 1 (stored) and about 0 (not)"},
    {"capacity", (PyCFunction)(void (*)(void))am_py_capacity, METH_VARARGS | METH_KEYWORDS,
     "capacity(P, *, model='hopfield', n=100, rule=, F=, degree=, beta=, dynamics='async', order='random', T=0,\n"
     "         max_steps=100, eps=1e-6, patterns='random', noise=0.1, cues=0, stability=0, threshold=0.99,\n"
     "         trials=5, seed=1, threads=0) -> dict of columns (P, alpha, overlap_mean, recall_frac, ...)\n"
     "The measurement of bin/capacity (am/capacity.h) at the loads P; the same numbers at any thread count.\n\n"
     "    >>> c = am.capacity([5, 10, 20], n=100, trials=2, seed=1)\n"
     "    >>> list(zip(c['alpha'], c['recall_frac']))        # recall fails past alpha = 0.138"},
    {"seq_capacity", (PyCFunction)(void (*)(void))am_py_seq_capacity, METH_VARARGS | METH_KEYWORDS,
     "seq_capacity(n, *, F='poly', degree=2, p=None) -> a namespace(transition, sequence, log_transition,\n"
     "log_sequence, bit_error)\n"
     "The theory of Chaudhry et al. 2023 (am/theory.h) for one cyclic sequence of random +-1 patterns of n\n"
     "units (2 <= n <= 2**32) in the DenseNet S_i <- sgn sum_mu xi_i^(mu+1) f(sum_(j!=i) xi_j^mu S_j / (n-1)),\n"
     "the model of Store('seq-dense', F=F, degree=degree) (degree=1: seq-hebb without self-coupling):\n"
     "  transition   P_T, the longest sequence whose one transition is exact with probability -> 1:\n"
     "               n^d / (2 (2d-1)!! ln n) (poly), beta^(n-1) / (2 ln n) (exp, beta = e^2/cosh 2)\n"
     "  sequence     P_S, the longest whose every transition is exact: P_T / (d+1), beta^(n-1) / (2 n ln beta)\n"
     "  log_transition, log_sequence  their natural logs, finite where the values pass 1.8e308 (inf)\n"
     "  bit_error    with p (elements): the probability that one bit of one transition errs, Q(1/sqrt((p-1)\n"
     "               var chi)); (1 - bit_error)**n estimates the exact-transition rate (None without p)\n"
     "degree applies to F='poly' (1 .. 1000).\n"
     "    >>> t = am.seq_capacity(100, degree=2, p=200)\n"
     "    >>> round(t.transition, 1), round(t.sequence, 1)\n"
     "    (361.9, 120.6)\n"
     "    >>> am.seq_capacity(2000, F='exp').log_transition    # the value itself is inf\n"
     "    1346.598..."},
    {"theory", (PyCFunction)(void (*)(void))am_py_theory, METH_VARARGS | METH_KEYWORDS,
     "theory(what, *, n=, p=, alpha=): hebb_bit_error, hebb_fixed_prob, hebb_capacity, storkey_capacity,\n"
     "ags_overlap (alpha; 0 beyond alpha_c), ags_alpha_c -> (alpha_c, m at alpha_c); for the asymmetric Hebb\n"
     "chain (seq-hebb) under parallel dynamics: seq_hebb_alpha_c -> (0.269, m at alpha_c), seq_hebb_overlap\n"
     "(alpha; 0 beyond alpha_c). Sequence capacities: am.seq_capacity.\n\n"
     "    >>> am.theory('ags_alpha_c')                       # (0.138..., m at alpha_c)\n"
     "    >>> am.theory('hebb_bit_error', n=1000, p=100)"},
    {NULL, NULL, 0, NULL},
};

int amx_init_analysis(PyObject *m)
{
    return PyModule_AddFunctions(m, analysis_functions) ? -1 : 0;
}
