/* encoders.c — am.Autoencoder, am.PCA, am.CNN (convolutional networks) and am.Encoder (any encoder file, through
 * the table of encoder types): real vectors to codes and back, row by row with the GIL released. */
#include "ext.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------------ */
/* Row maps: rows x in floats -> rows x out floats through a library call, GIL released. */

typedef int (*rowmap_fn)(const void *obj, const float *x, size_t rows, float *y);

/* u: the object's use marks (NULL: an object no call changes). */
static PyObject *rowmap(const void *obj, amx_use *u, PyObject *arg, size_t in, size_t out, rowmap_fn fn, const char *what)
{
    PyObject *x = amx_floats(arg, in, 1, 2, 0, what);
    if (!x)
        return NULL;
    int nd = amx_ndim(x), rc = AM_OK;
    Py_ssize_t rows = amx_rows(x), d[2] = {rows, (Py_ssize_t)out};
    PyObject *y = amx_new(AMX_F32, nd, d + 2 - nd, what);
    if (!y || (u && amx_use_read(u, what))) {
        Py_XDECREF(y);
        Py_DECREF(x);
        return NULL;
    }
    if (rows) {
        const float *xv = amx_data(x);
        float *yv = amx_data(y);
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = fn(obj, xv, (size_t)rows, yv);
        amx_interrupt_end(&it);
    }
    if (u)
        amx_use_done(u);
    Py_DECREF(x);
    if (rc) {
        Py_DECREF(y);
        return amx_raise(rc, "%s (%zd rows of %zu)", what, (Py_ssize_t)rows, in);
    }
    return (PyObject *)y;
}

/* ------------------------------------------------------------------------------------------------ */
/* Autoencoder */

typedef struct {
    PyObject_HEAD am_ae *ae;
    am_ae_trainer *trainer;
    am_ae_train_opts topts; /* of the trainer */
    amx_use use;                /* readers: inference; writer: training */
} AEObject;

static PyTypeObject AEType;

static void AE_dealloc(AEObject *self)
{
    am_ae_trainer_free(self->trainer);
    am_ae_free(self->ae);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Each argument of Autoencoder checked on its own, before the library's combined check: -1 with a ValueError
 * naming the argument and why. sizes: "784,256,784" (widths already in range). */
static int ae_args_check(const char *sizes, const char *hidden, const char *code, const char *output, const char *loss)
{
    const char *names[] = {"hidden", "code", "output"}, *vals[] = {hidden, code, output};
    am_act a;
    am_loss l;
    for (int k = 0; k < 3; k++)
        if (vals[k] && am_act_parse(vals[k], &a))
            return amx_value_error("Autoencoder: %s='%s' is not an activation (linear, relu, tanh, sigmoid)", names[k],
                                   vals[k]), -1;
    if (am_loss_parse(loss, &l))
        return amx_value_error("Autoencoder: loss='%s' is not a loss (mse, bce)", loss), -1;
    if (l == AM_LOSS_BCE && strcmp(output, "sigmoid"))
        return amx_value_error("Autoencoder: loss='bce' needs output='sigmoid' (outputs in (0, 1)), not output='%s': "
                               "use loss='mse'", output), -1;
    int widths = 1;
    for (const char *p = sizes; *p; p++)
        widths += *p == ',';
    const char *last = strrchr(sizes, ',');
    if (widths < 3)
        return amx_value_error("Autoencoder: sizes='%s' needs at least 3 widths (input, code, output)", sizes), -1;
    if (strtoull(sizes, NULL, 10) != strtoull(last + 1, NULL, 10))
        return amx_value_error("Autoencoder: sizes='%s': the last width must equal the first (the output "
                               "reconstructs the input)", sizes), -1;
    return 0;
}

static int AE_init(AEObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"sizes", "hidden", "code", "output", "loss", "rng", NULL};
    PyObject *sizes, *rngo = NULL;
    const char *hidden = "relu", *code = NULL, *output = "sigmoid", *loss = NULL;
    am_ae_config c;
    am_rng tmp, *rng;
    char buf[512] = "";
    if (self->ae)
        return amx_value_error("an Autoencoder is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|sssz$O:Autoencoder", names, &sizes, &hidden, &code, &output, &loss, &rngo))
        return -1;
    if (PyUnicode_Check(sizes)) {
        const char *s = PyUnicode_AsUTF8(sizes);
        if (!s)
            return -1;
        snprintf(buf, sizeof buf, "%s", s);
    } else {
        PyObject *seq = PySequence_Fast(sizes, "sizes must be a list of layer widths or a string '784,256,784'");
        if (!seq)
            return -1;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq) && i <= AM_AE_MAX_LAYERS; i++) {
            char name[32];
            snprintf(name, sizeof name, "sizes[%zd]", i);
            amx_int v = AMX_INT(name, 1, (size_t)1 << 24, 0);
            if (amx_int_from(PySequence_Fast_GET_ITEM(seq, i), &v)) {
                Py_DECREF(seq);
                return -1;
            }
            size_t len = strlen(buf);
            snprintf(buf + len, sizeof buf - len, "%s%llu", i ? "," : "", v.u);
        }
        if (PySequence_Fast_GET_SIZE(seq) > AM_AE_MAX_LAYERS + 1) {
            Py_DECREF(seq);
            return amx_value_error("sizes: at most %d layers", AM_AE_MAX_LAYERS), -1;
        }
        Py_DECREF(seq);
    }
    if (!loss)
        loss = strcmp(output, "sigmoid") ? "mse" : "bce";
    if (ae_args_check(buf, hidden, code, output, loss))
        return -1;
    if (am_ae_config_parse(&c, buf, hidden, code, output, loss) || am_ae_config_check(&c))
        return amx_value_error("Autoencoder(sizes='%s', hidden=%s, code=%s, output=%s, loss=%s): sizes need >= 3 widths "
                           "with the last equal to the first, activations linear/relu/tanh/sigmoid, loss mse or bce "
                           "(bce with a sigmoid output)", buf, hidden, code ? code : hidden, output, loss), -1;
    if (!(rng = amx_rng_arg(rngo, &tmp)))
        return -1;
    int rc = am_ae_create(&self->ae, &c, rng);
    if (rc) {
        double count = 0; /* the weights and biases, which am_ae_create allocates */
        char size[32];
        for (int l = 0; l < c.layers; l++)
            count += (double)c.sizes[l + 1] * ((double)c.sizes[l] + 1);
        return amx_raise(rc, "Autoencoder('%s') (%.0f weights and biases, %s)", buf, count,
                        amx_human_bytes(count * sizeof(float), size, sizeof size)), -1;
    }
    return 0;
}

/* Every method: an initialised autoencoder that no training is changing (in another thread or a handler). */
#define AE_READY(self)                                                                                             \
    do {                                                                                                           \
        if (!(self)->ae) {                                                                                         \
            PyErr_SetString(PyExc_RuntimeError, "the Autoencoder was not initialised");                            \
            return NULL;                                                                                           \
        }                                                                                                          \
        if ((self)->use.writer) {                                                                                  \
            PyErr_SetString(PyExc_RuntimeError, "the Autoencoder is training in another thread");                  \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static int ae_encode(const void *o, const float *x, size_t r, float *y) { return am_ae_encode(o, x, r, y); }
static int ae_decode(const void *o, const float *x, size_t r, float *y) { return am_ae_decode(o, x, r, y); }
static int ae_recon(const void *o, const float *x, size_t r, float *y) { return am_ae_reconstruct(o, x, r, y); }

static PyObject *AE_encode(AEObject *self, PyObject *x)
{
    AE_READY(self);
    return rowmap(self->ae, &self->use, x, am_ae_input_dim(self->ae), am_ae_code_dim(self->ae), ae_encode,
                  "Autoencoder.encode");
}
static PyObject *AE_decode(AEObject *self, PyObject *x)
{
    AE_READY(self);
    return rowmap(self->ae, &self->use, x, am_ae_code_dim(self->ae), am_ae_input_dim(self->ae), ae_decode,
                  "Autoencoder.decode");
}
static PyObject *AE_reconstruct(AEObject *self, PyObject *x)
{
    AE_READY(self);
    return rowmap(self->ae, &self->use, x, am_ae_input_dim(self->ae), am_ae_input_dim(self->ae), ae_recon,
                  "Autoencoder.reconstruct");
}

/* rows x input floats with at least one row, for evaluate (a copy unless read in place). */
static PyObject *ae_rows(AEObject *self, PyObject *arg, const char *what)
{
    PyObject *x = amx_floats(arg, am_ae_input_dim(self->ae), 2, 2, 0, what);
    if (x && amx_dim(x, 0) == 0) {
        Py_DECREF(x);
        return amx_value_error("%s has no rows", what);
    }
    return x;
}

/* The data set Autoencoder.train converts x into (amx_floats_into's alloc). */
typedef struct ae_data {
    am_dataset *ds;
    size_t dim;
} ae_data;

static float *ae_data_alloc(void *ctx, size_t rows)
{
    ae_data *d = ctx;
    int rc = rows ? am_dataset_create(&d->ds, rows, d->dim, 0) : AM_OK;
    if (!rows)
        amx_value_error("Autoencoder.train: x has no rows");
    else if (rc)
        amx_raise(rc, "Autoencoder.train (a copy of %zu rows of %zu)", rows, d->dim);
    return rows && !rc ? d->ds->x : NULL;
}

static PyObject *AE_evaluate(AEObject *self, PyObject *arg)
{
    AE_READY(self);
    PyObject *x = ae_rows(self, arg, "Autoencoder.evaluate: x");
    if (!x)
        return NULL;
    if (amx_use_read(&self->use, "Autoencoder.evaluate")) {
        Py_DECREF(x);
        return NULL;
    }
    double mse = NAN, bce = NAN;
    const float *xv = amx_data(x);
    size_t rows = (size_t)amx_dim(x, 0);
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_ae_evaluate(self->ae, xv, rows, &mse, &bce);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    Py_DECREF(x);
    if (rc)
        return amx_raise(rc, "Autoencoder.evaluate");
    return amx_namespace(2, "mse", PyFloat_FromDouble(mse), "bce", PyFloat_FromDouble(bce));
}

/* The trainer for options o: the current one when its options are o (the optimiser state carries over), else a
 * fresh one. 0, or -1 with the error set. */
static int ae_trainer_for(AEObject *self, const am_ae_train_opts *o)
{
    if (self->trainer && memcmp(o, &self->topts, sizeof *o)) {
        am_ae_trainer_free(self->trainer);
        self->trainer = NULL;
    }
    int rc = self->trainer ? AM_OK : am_ae_trainer_create(&self->trainer, self->ae, o);
    size_t count = 0;
    am_ae_params(self->ae, &count);
    if (rc)
        return amx_raise(rc, "Autoencoder.train (the optimiser's state for %zu parameters, batches of %zu)", count,
                        o->batch), -1;
    self->topts = *o;
    return 0;
}

/* Training runs with the GIL released and the autoencoder marked as written; interrupted, it keeps the steps
 * it made. */
static PyObject *AE_train(AEObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "epochs", "batch", "lr", "mask", "noise", "weight_decay", "rng", "threads", NULL};
    PyObject *xo, *rngo = NULL;
    amx_int epochs = AMX_INT("epochs", 1, AMX_SSIZE_MAX - 1, 1), batch = AMX_INT("batch", 1, AMX_SSIZE_MAX, 128);
    amx_int threads = AMX_INT("threads", 0, AMX_MAX_THREADS, 0);
    amx_real lr = AMX_REAL_ABOVE("lr", 0.0, DBL_MAX, 1e-3), mask = AMX_REAL_BELOW("mask", 0.0, 1.0, 0.0);
    amx_real noise = AMX_REAL("noise", 0.0, DBL_MAX, 0.0), wd = AMX_REAL("weight_decay", 0.0, DBL_MAX, 0.0);
    am_rng tmp, *rng;
    AE_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$O&O&O&O&O&O&OO&:train", names, &xo, amx_int_conv, &epochs, amx_int_conv,
                                     &batch, amx_real_conv, &lr, amx_real_conv, &mask, amx_real_conv, &noise, amx_real_conv, &wd, &rngo,
                                     amx_int_conv, &threads))
        return NULL;
    if (!(rng = amx_rng_arg(rngo, &tmp)))
        return NULL;
    ae_data data = {.dim = am_ae_input_dim(self->ae)}; /* x converted into the data set */
    if (amx_floats_into(xo, data.dim, 2, 2, ae_data_alloc, &data, "Autoencoder.train: x")) {
        am_dataset_free(data.ds);
        return NULL;
    }
    am_dataset *ds = data.ds;
    int rc = AM_OK;
    am_ae_train_opts o;
    am_ae_train_opts_default(&o);
    o.batch = (size_t)batch.u, o.lr = lr.v, o.mask = mask.v, o.noise = noise.v, o.weight_decay = wd.v;
    o.threads = (int)threads.u;
    PyObject *losses = amx_new1(AMX_F64, (Py_ssize_t)epochs.u, "Autoencoder.train");
    int marked = losses && !amx_use_write(&self->use, "Autoencoder.train");
    if (!marked || ae_trainer_for(self, &o)) {
        if (marked)
            amx_use_done(&self->use);
        Py_XDECREF(losses);
        am_dataset_free(ds);
        return NULL;
    }
    amx_interrupt it;
    am_rng mine = *rng; /* a private copy while the GIL is released, written back after (as in recall) */
    double *lv = amx_data(losses);
    amx_interrupt_begin(&it, 1);
    for (unsigned long long e = 0; e < epochs.u && !rc; e++)
        rc = am_ae_train_epoch(self->trainer, ds, &mine, NULL, NULL, lv + e);
    amx_interrupt_end(&it);
    *rng = mine;
    amx_use_done(&self->use);
    am_dataset_free(ds);
    if (rc) {
        Py_DECREF(losses);
        return amx_raise(rc, "Autoencoder.train");
    }
    return (PyObject *)losses;
}

static int ae_save(const void *ae, const char *path) { return am_ae_save(ae, path); }
static int ae_load(void **ae, const char *path) { return am_ae_load((am_ae **)ae, path); }

static PyObject *AE_save(AEObject *self, PyObject *arg)
{
    AE_READY(self);
    return amx_save_with(ae_save, self->ae, arg, "Autoencoder.save");
}

static PyObject *AE_load(PyObject *cls, PyObject *arg)
{
    am_ae *ae = NULL;
    if (amx_load_with(ae_load, (void **)&ae, arg, "Autoencoder.load"))
        return NULL;
    AEObject *o = (AEObject *)((PyTypeObject *)cls)->tp_alloc((PyTypeObject *)cls, 0);
    if (!o) {
        am_ae_free(ae);
        return NULL;
    }
    o->ae = ae;
    return (PyObject *)o;
}

static PyObject *AE_repr(AEObject *self)
{
    char buf[256];
    if (!self->ae)
        return PyUnicode_FromString("<am.Autoencoder, not initialised>");
    am_ae_config_describe(am_ae_config_of(self->ae), buf, sizeof buf);
    return PyUnicode_FromFormat("<am.Autoencoder %s>", buf);
}

static PyObject *AE_get_input(AEObject *self, void *u) { (void)u; AE_READY(self); return PyLong_FromSize_t(am_ae_input_dim(self->ae)); }
static PyObject *AE_get_code(AEObject *self, void *u) { (void)u; AE_READY(self); return PyLong_FromSize_t(am_ae_code_dim(self->ae)); }
static PyObject *AE_get_steps(AEObject *self, void *u)
{
    (void)u;
    AE_READY(self);
    return PyLong_FromSize_t(self->trainer ? am_ae_trainer_steps(self->trainer) : 0);
}

static PyMethodDef AE_methods[] = {
    {"encode", (PyCFunction)AE_encode, METH_O, "encode(x) -> z (rows x code)\n\n"
     "    >>> ae.encode(x[:2]).shape                          # (2, 4)"},
    {"decode", (PyCFunction)AE_decode, METH_O, "decode(z) -> y (rows x input)\n\n"
     "    >>> ae.decode(ae.encode(x[:2])).shape               # (2, 16)"},
    {"reconstruct", (PyCFunction)AE_reconstruct, METH_O, "reconstruct(x) -> decode(encode(x))\n\n"
     "    >>> np.abs(ae.reconstruct(x) - x).mean()"},
    {"evaluate", (PyCFunction)AE_evaluate, METH_O, "evaluate(x) -> a namespace(mse, bce): mean reconstruction losses\n\n"
     "    >>> r = ae.evaluate(x); r.mse, r.bce"},
    {"train", (PyCFunction)(void (*)(void))AE_train, METH_VARARGS | METH_KEYWORDS,
     "train(x, *, epochs=1, batch=128, lr=1e-3, mask=0, noise=0, weight_decay=0, rng=None, threads=0)\n"
     "-> the mean loss of each epoch. Adam on minibatches in an order drawn from rng; mask/noise corrupt the\n"
     "inputs (denoising). The optimiser state carries over between calls with the same settings. The result\n"
     "does not depend on threads.\n\n"
     "    >>> more = ae.train(x, epochs=2, batch=16, noise=0.1, rng=2)   # denoising, continuing"},
    {"save", (PyCFunction)AE_save, METH_O, "save(path)\n\n"
     "    >>> ae.save('ae.bin'); (am.Autoencoder.load('ae.bin').encode(x) == ae.encode(x)).all()   # True"},
    {"load", (PyCFunction)AE_load, METH_O | METH_CLASS, "Autoencoder.load(path) -> Autoencoder\n\n"
     "    >>> ae.save('ae.bin'); am.Autoencoder.load('ae.bin').encode(x).shape"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef AE_getset[] = {
    {"input_dim", (getter)AE_get_input, NULL, "input width", NULL},
    {"code_dim", (getter)AE_get_code, NULL, "code width", NULL},
    {"steps", (getter)AE_get_steps, NULL, "optimiser steps taken by the current trainer", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject AEType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Autoencoder",
    .tp_basicsize = sizeof(AEObject),
    .tp_dealloc = (destructor)AE_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Autoencoder(sizes, hidden='relu', code=None, output='sigmoid', loss=None, *, rng=None)\n"
              "A multilayer-perceptron autoencoder trained in C (am/autoencoder.h). sizes: [784, 256, 32, 256, 784]\n"
              "or '784,256,32,256,784' (the narrowest hidden layer is the code); loss: 'bce' for a sigmoid\n"
              "output, else 'mse'. Weights start as PyTorch's nn.Linear, drawn from rng.\n\n"
              "    >>> x = np.random.default_rng(1).random((64, 16))\n"
              "    >>> ae = am.Autoencoder([16, 8, 4, 8, 16], rng=1)\n"
              "    >>> losses = ae.train(x, epochs=3, batch=16, rng=1)   # the mean loss of each epoch, falling\n"
              "    >>> z = ae.encode(x); y = ae.reconstruct(x)          # 64 x 4, 64 x 16",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)AE_init,
    .tp_repr = (reprfunc)AE_repr,
    .tp_methods = AE_methods,
    .tp_getset = AE_getset,
};

/* ------------------------------------------------------------------------------------------------ */
/* PCA */

typedef struct {
    PyObject_HEAD am_pca *p;
} PCAObject;

static PyTypeObject PCAType;

static void PCA_dealloc(PCAObject *self)
{
    am_pca_free(self->p);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int PCA_init(PCAObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "k", NULL};
    PyObject *xo, *ko;
    am_pca *p = NULL;
    if (self->p)
        return amx_value_error("a PCA is fitted once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO:PCA", names, &xo, &ko))
        return -1;
    PyObject *x = amx_floats(xo, 0, 2, 2, 0, "x");
    if (!x)
        return -1;
    size_t n = (size_t)amx_dim(x, 0), dim = (size_t)amx_dim(x, 1);
    amx_int k = AMX_INT("k", 1, dim, 0);
    if (n < 2)
        amx_value_error("PCA needs at least 2 rows of x, not %zu", n);
    if (n < 2 || amx_int_from(ko, &k)) {
        Py_DECREF(x);
        return -1;
    }
    amx_interrupt it;
    const float *xv = amx_data(x);
    amx_interrupt_begin(&it, 1);
    int rc = am_pca_fit(&p, xv, n, dim, (size_t)k.u);
    amx_interrupt_end(&it);
    Py_DECREF(x);
    if (rc)
        return amx_raise(rc, "PCA (%zu x %zu, k = %llu)", n, dim, k.u), -1;
    if (self->p) { /* fitted meanwhile by a call in another thread */
        am_pca_free(p);
        return amx_value_error("a PCA is fitted once"), -1;
    }
    self->p = p;
    return 0;
}

#define PCA_READY(self)                                                                                            \
    do {                                                                                                           \
        if (!(self)->p) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the PCA was not fitted");                                         \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static int pca_enc(const void *o, const float *x, size_t r, float *y) { return am_pca_encode(o, x, r, y); }
static int pca_dec(const void *o, const float *x, size_t r, float *y) { return am_pca_decode(o, x, r, y); }
static PyObject *PCA_encode(PCAObject *self, PyObject *x)
{
    PCA_READY(self);
    return rowmap(self->p, NULL, x, self->p->dim, self->p->k, pca_enc, "PCA.encode");
}
static PyObject *PCA_decode(PCAObject *self, PyObject *x)
{
    PCA_READY(self);
    return rowmap(self->p, NULL, x, self->p->k, self->p->dim, pca_dec, "PCA.decode");
}
static PyObject *PCA_explained(PCAObject *self, PyObject *arg)
{
    PCA_READY(self);
    amx_int j = AMX_INT("j", 0, self->p->k, 0);
    if (amx_int_from(arg, &j))
        return NULL;
    return PyFloat_FromDouble(am_pca_explained(self->p, (size_t)j.u));
}
static PyObject *PCA_get_components(PCAObject *self, void *u)
{
    (void)u;
    PCA_READY(self);
    return amx_copy_out(AMX_F32, self->p->components, (Py_ssize_t)self->p->k, (Py_ssize_t)self->p->dim, "PCA.components");
}
static PyObject *PCA_get_mean(PCAObject *self, void *u)
{
    (void)u;
    PCA_READY(self);
    return amx_copy_out(AMX_F32, self->p->mean, (Py_ssize_t)self->p->dim, 0, "PCA.mean");
}

static PyObject *PCA_repr(PCAObject *self)
{
    if (!self->p)
        return PyUnicode_FromString("<am.PCA, not fitted>");
    return PyUnicode_FromFormat("<am.PCA %zu components of %zu dimensions>", self->p->k, self->p->dim);
}

static PyMethodDef PCA_methods[] = {
    {"encode", (PyCFunction)PCA_encode, METH_O, "encode(x) -> z (rows x k)\n\n"
     "    >>> p.encode(x[:3]).shape                           # (3, 2)"},
    {"decode", (PyCFunction)PCA_decode, METH_O, "decode(z) -> x (rows x dim)\n\n"
     "    >>> np.abs(p.decode(p.encode(x)) - x).mean()         # what the other 6 components held"},
    {"explained", (PyCFunction)PCA_explained, METH_O, "explained(j) -> variance fraction of the first j components\n\n"
     "    >>> [round(p.explained(j), 2) for j in (1, 2)]"},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef PCA_getset[] = {
    {"components", (getter)PCA_get_components, NULL, "k x dim orthonormal rows", NULL},
    {"mean", (getter)PCA_get_mean, NULL, "the data mean", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
static PyTypeObject PCAType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.PCA",
    .tp_basicsize = sizeof(PCAObject),
    .tp_dealloc = (destructor)PCA_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "PCA(x, k): the first k principal components of the rows of x.\n"
              "    >>> x = np.random.default_rng(1).normal(size=(100, 8)) * [5, 3, 1, 1, 1, 1, 1, 1]\n"
              "    >>> p = am.PCA(x, 2); z = p.encode(x)               # 100 x 2\n"
              "    >>> p.explained(2)                                 # variance explained: about 0.86",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)PCA_init,
    .tp_repr = (reprfunc)PCA_repr,
    .tp_methods = PCA_methods,
    .tp_getset = PCA_getset,
};

/* ------------------------------------------------------------------------------------------------ */
/* CNN */

typedef struct {
    PyObject_HEAD am_cnn *n;
    am_cnn_trainer *trainer;
    am_cnn_train_opts topts;
    amx_use use;
} CNNObject;

static PyTypeObject CNNType;

static void CNN_dealloc(CNNObject *self)
{
    am_cnn_trainer_free(self->trainer);
    am_cnn_free(self->n);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int CNN_init(CNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"input", "layers", "loss", "rng", NULL};
    const char *input, *layers, *loss = "xent";
    PyObject *rngo = NULL;
    am_rng tmp, *rng;
    am_cnn_loss l;
    char err[256];
    if (self->n)
        return amx_value_error("a CNN is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "ss|s$O:CNN", names, &input, &layers, &loss, &rngo))
        return -1;
    if (am_cnn_loss_parse(loss, &l))
        return amx_value_error("CNN: loss='%s' is not a loss (xent, mse, bce)", loss), -1;
    if (!(rng = amx_rng_arg(rngo, &tmp)))
        return -1;
    int rc = am_cnn_create(&self->n, input, layers, l, rng, err, sizeof err);
    if (rc == AM_EINVAL)
        return amx_value_error("CNN(input='%.40s', layers='%.200s'): %s", input, layers, err), -1;
    return rc ? (amx_raise(rc, "CNN('%.40s', '%.200s')", input, layers), -1) : 0;
}

#define CNN_READY(self)                                                                                            \
    do {                                                                                                           \
        if (!(self)->n) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the CNN was not initialised");                                    \
            return NULL;                                                                                           \
        }                                                                                                          \
        if ((self)->use.writer) {                                                                                  \
            PyErr_SetString(PyExc_RuntimeError, "the CNN is training in another thread");                          \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static int cnn_enc(const void *o, const float *x, size_t r, float *y) { return am_cnn_encode(o, x, r, y); }
static int cnn_dec(const void *o, const float *x, size_t r, float *y) { return am_cnn_decode(o, x, r, y); }
static int cnn_fwd(const void *o, const float *x, size_t r, float *y) { return am_cnn_forward(o, x, r, y); }

static PyObject *CNN_encode(CNNObject *self, PyObject *x)
{
    CNN_READY(self);
    return rowmap(self->n, &self->use, x, am_cnn_input_dim(self->n), am_cnn_code_dim(self->n), cnn_enc, "CNN.encode");
}
static PyObject *CNN_decode(CNNObject *self, PyObject *z)
{
    CNN_READY(self);
    return rowmap(self->n, &self->use, z, am_cnn_code_dim(self->n), am_cnn_output_dim(self->n), cnn_dec, "CNN.decode");
}
static PyObject *CNN_forward(CNNObject *self, PyObject *x)
{
    CNN_READY(self);
    return rowmap(self->n, &self->use, x, am_cnn_input_dim(self->n), am_cnn_output_dim(self->n), cnn_fwd,
                  "CNN.forward");
}

/* x (rows x input) and labels (rows integers in [0, output_dim), or None) as a data set; NULL with the error
 * set. A classifier needs labels. */
typedef struct cnn_data {
    am_dataset *ds;
    size_t dim;
    const char *what;
} cnn_data;

static float *cnn_data_alloc(void *ctx, size_t rows)
{
    cnn_data *d = ctx;
    int rc = rows ? am_dataset_create(&d->ds, rows, d->dim, 1) : AM_OK;
    if (!rows)
        amx_value_error("%s: x has no rows", d->what);
    else if (rc)
        amx_raise(rc, "%s (a copy of %zu rows of %zu)", d->what, rows, d->dim);
    return rows && !rc ? d->ds->x : NULL;
}

static am_dataset *cnn_dataset(CNNObject *self, PyObject *xo, PyObject *lo, const char *what)
{
    cnn_data d = {NULL, am_cnn_input_dim(self->n), what};
    int xent = am_cnn_loss_of(self->n) == AM_CNN_XENT;
    if (xent && (!lo || lo == Py_None))
        return amx_value_error("%s: a classifier (loss 'xent') needs labels", what), NULL;
    if (amx_floats_into(xo, d.dim, 2, 2, cnn_data_alloc, &d, what)) {
        am_dataset_free(d.ds);
        return NULL;
    }
    PyObject *lab = lo && lo != Py_None ? amx_integers(lo, 0, 1, 1, what) : NULL;
    if (lo && lo != Py_None && !lab) {
        am_dataset_free(d.ds);
        return NULL;
    }
    if (lab && (size_t)amx_dim(lab, 0) != d.ds->count) {
        amx_value_error("%s: %zd labels for %zu rows", what, amx_dim(lab, 0), d.ds->count);
        goto fail;
    }
    for (size_t i = 0; lab && i < d.ds->count; i++) {
        long long v = ((const long long *)amx_data(lab))[i];
        if (v < 0 || (xent && (size_t)v >= am_cnn_output_dim(self->n)) || v >= AM_MAX_CLASSES) {
            amx_value_error("%s: labels[%zu] = %lld is not a class of the network (0 .. %zu)", what, i, v,
                            (xent ? am_cnn_output_dim(self->n) : AM_MAX_CLASSES) - 1);
            goto fail;
        }
        d.ds->labels[i] = (int)v;
        d.ds->classes = (int)v + 1 > d.ds->classes ? (int)v + 1 : d.ds->classes;
    }
    Py_XDECREF(lab);
    return d.ds;
fail:
    Py_XDECREF(lab);
    am_dataset_free(d.ds);
    return NULL;
}

static PyObject *CNN_evaluate(CNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "labels", NULL};
    PyObject *xo, *lo = NULL;
    CNN_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O:evaluate", names, &xo, &lo))
        return NULL;
    am_dataset *ds = cnn_dataset(self, xo, lo, "CNN.evaluate");
    if (!ds || amx_use_read(&self->use, "CNN.evaluate")) {
        am_dataset_free(ds);
        return NULL;
    }
    double loss = NAN, acc = NAN;
    amx_interrupt it;
    amx_interrupt_begin(&it, 1);
    int rc = am_cnn_evaluate(self->n, ds, &loss, &acc);
    amx_interrupt_end(&it);
    amx_use_done(&self->use);
    am_dataset_free(ds);
    if (rc)
        return amx_raise(rc, "CNN.evaluate");
    return amx_namespace(2, "loss", PyFloat_FromDouble(loss), "accuracy", PyFloat_FromDouble(acc));
}

static int cnn_trainer_for(CNNObject *self, const am_cnn_train_opts *o)
{
    if (self->trainer && memcmp(o, &self->topts, sizeof *o)) {
        am_cnn_trainer_free(self->trainer);
        self->trainer = NULL;
    }
    int rc = self->trainer ? AM_OK : am_cnn_trainer_create(&self->trainer, self->n, o);
    if (rc)
        return amx_raise(rc, "CNN.train (the optimiser's state and buffers for batches of %zu)", o->batch), -1;
    self->topts = *o;
    return 0;
}

/* Training runs with the GIL released and the network marked as written; interrupted, it keeps its steps. */
static PyObject *CNN_train(CNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "labels", "epochs", "batch", "lr", "weight_decay", "rng", "threads", NULL};
    PyObject *xo, *lo = NULL, *rngo = NULL;
    amx_int epochs = AMX_INT("epochs", 1, AMX_SSIZE_MAX - 1, 1), batch = AMX_INT("batch", 1, 1u << 20, 128);
    amx_int threads = AMX_INT("threads", 0, AMX_MAX_THREADS, 0);
    amx_real lr = AMX_REAL_ABOVE("lr", 0.0, DBL_MAX, 1e-3), wd = AMX_REAL("weight_decay", 0.0, DBL_MAX, 0.0);
    am_rng tmp, *rng;
    CNN_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O$O&O&O&O&OO&:train", names, &xo, &lo, amx_int_conv, &epochs,
                                     amx_int_conv, &batch, amx_real_conv, &lr, amx_real_conv, &wd, &rngo, amx_int_conv,
                                     &threads))
        return NULL;
    if (!(rng = amx_rng_arg(rngo, &tmp)))
        return NULL;
    am_dataset *ds = cnn_dataset(self, xo, lo, "CNN.train");
    if (!ds)
        return NULL;
    am_cnn_train_opts o;
    am_cnn_train_opts_default(&o);
    o.batch = (size_t)batch.u, o.lr = lr.v, o.weight_decay = wd.v, o.threads = (int)threads.u;
    PyObject *losses = amx_new1(AMX_F64, (Py_ssize_t)epochs.u, "CNN.train");
    int marked = losses && !amx_use_write(&self->use, "CNN.train"), rc = AM_OK;
    if (!marked || cnn_trainer_for(self, &o)) {
        if (marked)
            amx_use_done(&self->use);
        Py_XDECREF(losses);
        am_dataset_free(ds);
        return NULL;
    }
    amx_interrupt it;
    am_rng mine = *rng;
    double *lv = amx_data(losses);
    amx_interrupt_begin(&it, 1);
    for (unsigned long long e = 0; e < epochs.u && !rc; e++)
        rc = am_cnn_train_epoch(self->trainer, ds, &mine, NULL, NULL, lv + e);
    amx_interrupt_end(&it);
    *rng = mine;
    amx_use_done(&self->use);
    am_dataset_free(ds);
    if (rc) {
        Py_DECREF(losses);
        return amx_raise(rc, "CNN.train");
    }
    return losses;
}

static int cnn_save(const void *n, const char *path) { return am_cnn_save(n, path); }
static int cnn_load(void **n, const char *path) { return am_cnn_load((am_cnn **)n, path); }

static PyObject *CNN_save(CNNObject *self, PyObject *arg)
{
    CNN_READY(self);
    return amx_save_with(cnn_save, self->n, arg, "CNN.save");
}

static PyObject *CNN_load(PyObject *cls, PyObject *arg)
{
    am_cnn *n = NULL;
    if (amx_load_with(cnn_load, (void **)&n, arg, "CNN.load"))
        return NULL;
    CNNObject *o = (CNNObject *)((PyTypeObject *)cls)->tp_alloc((PyTypeObject *)cls, 0);
    if (!o) {
        am_cnn_free(n);
        return NULL;
    }
    o->n = n;
    return (PyObject *)o;
}

static PyObject *CNN_repr(CNNObject *self)
{
    char buf[AM_CNN_MAX_SPEC + 128];
    if (!self->n)
        return PyUnicode_FromString("<am.CNN, not initialised>");
    am_cnn_describe(self->n, buf, sizeof buf);
    return PyUnicode_FromFormat("<am.CNN %s>", buf + 4); /* past "cnn " */
}

#define CNN_GETTER(name, expr)                                                                                     \
    static PyObject *CNN_get_##name(CNNObject *self, void *u)                                                      \
    {                                                                                                              \
        (void)u;                                                                                                   \
        CNN_READY(self);                                                                                           \
        return expr;                                                                                               \
    }
CNN_GETTER(input, PyLong_FromSize_t(am_cnn_input_dim(self->n)))
CNN_GETTER(code, PyLong_FromSize_t(am_cnn_code_dim(self->n)))
CNN_GETTER(output, PyLong_FromSize_t(am_cnn_output_dim(self->n)))
CNN_GETTER(loss, PyUnicode_FromString(am_cnn_loss_name(am_cnn_loss_of(self->n))))
CNN_GETTER(steps, PyLong_FromSize_t(am_cnn_trainer_steps(self->trainer)))
CNN_GETTER(macs, PyFloat_FromDouble(am_cnn_macs(self->n)))

static PyMethodDef CNN_methods[] = {
    {"encode", (PyCFunction)CNN_encode, METH_O, "encode(x) -> z (rows x code_dim): the code layer's values\n\n"
     "    >>> n.encode(x[:2]).shape                           # (2, 8)"},
    {"decode", (PyCFunction)CNN_decode, METH_O,
     "decode(z) -> y (rows x output_dim): the layers after the code; a classifier raises am.Error\n\n"
     "    >>> a = am.CNN('1x6x6', 'conv2k3p1,relu,flat,fc4,code,fc36,sigmoid', 'bce', rng=1)\n"
     "    >>> a.decode(a.encode(x[:2])).shape                 # (2, 36)"},
    {"forward", (PyCFunction)CNN_forward, METH_O,
     "forward(x) -> y (rows x output_dim): class scores (a classifier) or reconstructions\n\n"
     "    >>> n.forward(x[:2]).argmax(1)                      # the predicted classes"},
    {"evaluate", (PyCFunction)(void (*)(void))CNN_evaluate, METH_VARARGS | METH_KEYWORDS,
     "evaluate(x, labels=None) -> namespace(loss, accuracy): a classifier's mean cross-entropy and accuracy (labels\n"
     "needed); an autoencoder's mean squared error and mean binary cross-entropy (NaN unless sigmoid output)\n\n"
     "    >>> n.evaluate(x, y).accuracy"},
    {"train", (PyCFunction)(void (*)(void))CNN_train, METH_VARARGS | METH_KEYWORDS,
     "train(x, labels=None, *, epochs=1, batch=128, lr=1e-3, weight_decay=0.0, rng=None, threads=0) -> losses\n\n"
     "Adam on minibatches in a new order each epoch (drawn from rng); the mean loss of each epoch. The same bits\n"
     "at any threads=. The optimiser's state carries over between calls with the same batch, lr, weight_decay\n"
     "and threads. The GIL is released; Ctrl-C stops between steps (the steps made stay made).\n\n"
     "    >>> n.train(x, y, epochs=2, batch=16, lr=3e-3, rng=2)  # two mean losses"},
    {"save", (PyCFunction)CNN_save, METH_O, "save(path)\n\n    >>> n.save('n.cnn')"},
    {"load", (PyCFunction)CNN_load, METH_O | METH_CLASS, "CNN.load(path) -> CNN\n\n"
     "    >>> n.save('n.cnn'); am.CNN.load('n.cnn').encode(x[:1]).shape   # (1, 8)"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef CNN_getset[] = {
    {"input_dim", (getter)CNN_get_input, NULL, "values of an input row (C x H x W)", NULL},
    {"code_dim", (getter)CNN_get_code, NULL, "values of a code", NULL},
    {"output_dim", (getter)CNN_get_output, NULL, "classes (a classifier) or values of a reconstruction", NULL},
    {"loss", (getter)CNN_get_loss, NULL, "'xent', 'mse' or 'bce'", NULL},
    {"steps", (getter)CNN_get_steps, NULL, "optimiser steps taken by the current trainer", NULL},
    {"macs", (getter)CNN_get_macs, NULL, "multiply-adds of a forward pass per row (an estimate of its cost)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject CNNType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.CNN",
    .tp_basicsize = sizeof(CNNObject),
    .tp_dealloc = (destructor)CNN_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "CNN(input, layers, loss='xent', *, rng=None)\n"
              "A convolutional network trained in C (am/cnn.h; README: Encoders). input: 'CxHxW', 'CxL' or 'D';\n"
              "layers: 'conv32k3p1,bn,relu,maxpool2,flat,fc64,relu,fc10' (tokens conv, maxpool, avgpool, up, bn,\n"
              "relu, tanh, sigmoid, fc, flat, view, code); rows are channels last. loss 'xent' (a classifier whose\n"
              "penultimate or 'code'-marked layer is the code) or 'mse'/'bce' (an autoencoder with a 'code' mark).\n\n"
              "    >>> x = np.random.default_rng(1).random((64, 36)); y = np.arange(64) % 3\n"
              "    >>> n = am.CNN('1x6x6', 'conv4k3p1,relu,maxpool2,flat,fc8,relu,fc3', rng=1)\n"
              "    >>> losses = n.train(x, y, epochs=3, batch=16, rng=1)\n"
              "    >>> z = n.encode(x)                                  # 64 x 8",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)CNN_init,
    .tp_repr = (reprfunc)CNN_repr,
    .tp_methods = CNN_methods,
    .tp_getset = CNN_getset,
};

/* ------------------------------------------------------------------------------------------------ */
/* Encoder: any encoder file, through the table of encoder types */

typedef struct {
    PyObject_HEAD am_encoder *e;
} EncObject;

static PyTypeObject EncType;

static void Enc_dealloc(EncObject *self)
{
    am_encoder_free(self->e);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

#define ENC_READY(self)                                                                                            \
    do {                                                                                                           \
        if (!(self)->e) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the Encoder was not loaded (am.Encoder(path))");                 \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

static int enc_enc(const void *o, const float *x, size_t r, float *y) { return am_encoder_encode(o, x, r, y); }
static int enc_dec(const void *o, const float *x, size_t r, float *y) { return am_encoder_decode(o, x, r, y); }
static int enc_load(void **e, const char *path) { return am_encoder_load((am_encoder **)e, path); }
static int enc_save(const void *e, const char *path) { return am_encoder_save(e, path); }

static int Enc_init(EncObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"path", NULL};
    PyObject *path;
    if (self->e)
        return amx_value_error("an Encoder is loaded once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:Encoder", names, &path))
        return -1;
    return amx_load_with(enc_load, (void **)&self->e, path, "Encoder") ? -1 : 0;
}

static PyObject *Enc_encode(EncObject *self, PyObject *x)
{
    ENC_READY(self);
    return rowmap(self->e, NULL, x, am_encoder_input_dim(self->e), am_encoder_code_dim(self->e), enc_enc,
                  "Encoder.encode");
}
static PyObject *Enc_decode(EncObject *self, PyObject *z)
{
    ENC_READY(self);
    return rowmap(self->e, NULL, z, am_encoder_code_dim(self->e), am_encoder_input_dim(self->e), enc_dec,
                  "Encoder.decode");
}
static PyObject *Enc_save(EncObject *self, PyObject *arg)
{
    ENC_READY(self);
    return amx_save_with(enc_save, self->e, arg, "Encoder.save");
}
static PyObject *Enc_load(PyObject *cls, PyObject *arg)
{
    am_encoder *e = NULL;
    if (amx_load_with(enc_load, (void **)&e, arg, "Encoder.load"))
        return NULL;
    EncObject *o = (EncObject *)((PyTypeObject *)cls)->tp_alloc((PyTypeObject *)cls, 0);
    if (!o) {
        am_encoder_free(e);
        return NULL;
    }
    o->e = e;
    return (PyObject *)o;
}
static PyObject *Enc_repr(EncObject *self)
{
    char buf[AM_CNN_MAX_SPEC + 128];
    if (!self->e)
        return PyUnicode_FromString("<am.Encoder, not loaded>");
    am_encoder_describe(self->e, buf, sizeof buf);
    return PyUnicode_FromFormat("<am.Encoder %s>", buf);
}
static PyObject *Enc_get_type(EncObject *self, void *u)
{
    (void)u;
    ENC_READY(self);
    return PyUnicode_FromString(am_encoder_type_name(am_encoder_type_of(self->e)));
}
static PyObject *Enc_get_input(EncObject *self, void *u)
{
    (void)u;
    ENC_READY(self);
    return PyLong_FromSize_t(am_encoder_input_dim(self->e));
}
static PyObject *Enc_get_code(EncObject *self, void *u)
{
    (void)u;
    ENC_READY(self);
    return PyLong_FromSize_t(am_encoder_code_dim(self->e));
}

static PyMethodDef Enc_methods[] = {
    {"encode", (PyCFunction)Enc_encode, METH_O, "encode(x) -> z (rows x code_dim)\n\n"
     "    >>> e.encode(np.ones((2, 4))).shape                 # (2, 3)"},
    {"decode", (PyCFunction)Enc_decode, METH_O,
     "decode(z) -> x (rows x input_dim); a classifier (cnn, loss xent) raises am.Error\n\n"
     "    >>> am.Autoencoder([4, 2, 4], rng=1).save('a.ae')\n"
     "    >>> am.Encoder('a.ae').decode(np.ones((2, 2))).shape  # (2, 4)"},
    {"save", (PyCFunction)Enc_save, METH_O, "save(path)\n\n    >>> e.save('copy.model')"},
    {"load", (PyCFunction)Enc_load, METH_O | METH_CLASS,
     "Encoder.load(path) -> Encoder: any file of an encoder type (pca, mlp, cnn), by its magic\n\n"
     "    >>> am.Encoder.load('c.model').type                 # 'cnn'"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Enc_getset[] = {
    {"type", (getter)Enc_get_type, NULL, "the encoder type's name: 'pca', 'mlp' or 'cnn'", NULL},
    {"input_dim", (getter)Enc_get_input, NULL, "input width", NULL},
    {"code_dim", (getter)Enc_get_code, NULL, "code width", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject EncType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.Encoder",
    .tp_basicsize = sizeof(EncObject),
    .tp_dealloc = (destructor)Enc_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Encoder(path): any libam encoder file (PCA, MLP autoencoder, CNN) through the table of encoder types\n"
              "(am/encoder.h; am.encoder_types names them), by its magic; encode, decode, save, type, input_dim,\n"
              "code_dim.\n\n"
              "    >>> am.CNN('4', 'fc3,relu,fc2', rng=1).save('c.model')\n"
              "    >>> e = am.Encoder('c.model'); z = e.encode(np.ones((5, 4)))   # 5 x 3 (or am.Encoder.load)",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Enc_init,
    .tp_repr = (reprfunc)Enc_repr,
    .tp_methods = Enc_methods,
    .tp_getset = Enc_getset,
};

static PyObject *encoder_type_names(void)
{
    int n = 0;
    while (am_encoder_types[n])
        n++;
    PyObject *t = PyTuple_New(n);
    for (int k = 0; t && k < n; k++) {
        PyObject *s = PyUnicode_FromString(am_encoder_type_name(am_encoder_types[k]));
        if (!s) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, k, s);
    }
    return t;
}

int amx_init_encoders(PyObject *m)
{
    PyObject *names = encoder_type_names();
    int bad = !names || PyModule_AddObject(m, "encoder_types", names);
    if (bad)
        Py_XDECREF(names);
    return bad || amx_add_type(m, "Autoencoder", &AEType) || amx_add_type(m, "PCA", &PCAType) ||
                   amx_add_type(m, "CNN", &CNNType) || amx_add_type(m, "Encoder", &EncType)
               ? -1
               : 0;
}
