/* cnn.c — am.ConvNet: convolutional networks trained in C (am/cnn.h): classifier-encoders and convolutional
 * autoencoders; inference row by row and training with the GIL released, answering Ctrl-C. */
#include "ext.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am/cnn.h"

typedef struct {
    PyObject_HEAD am_cnn *n;
    am_cnn_trainer *trainer;
    am_cnn_train_opts topts; /* of the trainer */
    amx_use use;             /* readers: inference; writer: training */
} CNNObject;

static PyTypeObject CNNType;

static void CNN_dealloc(CNNObject *self)
{
    am_cnn_trainer_free(self->trainer);
    am_cnn_free(self->n);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* A shape or layer list as the library's text: a str as it is, or a sequence of ints joined by 'x' (shape) or of
 * str tokens joined by ',' (layers). 0, or -1 with a TypeError/ValueError naming the argument. */
static int spec_text(PyObject *o, int shape, char *buf, size_t size, const char *what)
{
    if (PyUnicode_Check(o)) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(o, &len);
        if (!s)
            return -1;
        if ((size_t)len >= size || strlen(s) != (size_t)len)
            return amx_value_error("ConvNet: %s is longer than %zu bytes or holds a NUL", what, size - 1), -1;
        memcpy(buf, s, (size_t)len + 1);
        return 0;
    }
    if (shape && PyLong_Check(o)) {
        amx_int v = AMX_INT(what, 1, (size_t)1 << 30, 1);
        if (amx_int_from(o, &v))
            return -1;
        snprintf(buf, size, "%llu", v.u);
        return 0;
    }
    PyObject *seq = PySequence_Fast(o, "");
    if (!seq) {
        PyErr_Format(PyExc_TypeError, "ConvNet: %s must be %s, not %.80s", what,
                     shape ? "a str 'CxHxW', an int or a sequence of ints" : "a str 'conv32k3p1,relu,...' or a list of str",
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    size_t len = 0;
    buf[0] = 0;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *it = PySequence_Fast_GET_ITEM(seq, i);
        char piece[64];
        const char *s;
        if (shape) {
            char name[48];
            snprintf(name, sizeof name, "%s[%zd]", what, i);
            amx_int v = AMX_INT(name, 1, (size_t)1 << 30, 1);
            if (amx_int_from(it, &v)) {
                Py_DECREF(seq);
                return -1;
            }
            snprintf(piece, sizeof piece, "%llu", v.u);
            s = piece;
        } else if (!PyUnicode_Check(it) || !(s = PyUnicode_AsUTF8(it))) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "ConvNet: %s[%zd] must be a str token, not %.80s", what, i,
                             Py_TYPE(it)->tp_name);
            Py_DECREF(seq);
            return -1;
        }
        size_t l = strlen(s);
        if (len + l + 2 > size) {
            Py_DECREF(seq);
            return amx_value_error("ConvNet: %s is longer than %zu bytes", what, size - 1), -1;
        }
        if (i)
            buf[len++] = shape ? 'x' : ',';
        memcpy(buf + len, s, l + 1);
        len += l;
    }
    Py_DECREF(seq);
    return 0;
}

static int CNN_init(CNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"input", "layers", "loss", "rng", NULL};
    PyObject *in_o, *layers_o, *rngo = NULL;
    const char *loss_s = "xent";
    char in[128], layers[AM_CNN_MAX_SPEC + 1], err[256] = "";
    am_cnn_loss loss;
    am_rng tmp, *rng;
    if (self->n)
        return amx_value_error("a ConvNet is initialised once"), -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|s$O:ConvNet", names, &in_o, &layers_o, &loss_s, &rngo) ||
        spec_text(in_o, 1, in, sizeof in, "input") || spec_text(layers_o, 0, layers, sizeof layers, "layers"))
        return -1;
    if (am_cnn_loss_parse(loss_s, &loss))
        return amx_value_error("ConvNet: loss='%s' is not a loss (xent, mse, bce)", loss_s), -1;
    if (!(rng = amx_rng_arg(rngo, &tmp)))
        return -1;
    int rc = am_cnn_create(&self->n, in, layers, loss, rng, err, sizeof err);
    if (rc == AM_EINVAL)
        return amx_value_error("ConvNet(input='%s', layers='%s', loss='%s'): %s", in, layers, loss_s,
                               err[0] ? err : "not a network"), -1;
    if (rc)
        return amx_raise(rc, "ConvNet(input='%s', layers='%s')", in, layers), -1;
    return 0;
}

/* Every method: an initialised network that no training is changing (in another thread or a handler). */
#define CNN_READY(self)                                                                                            \
    do {                                                                                                           \
        if (!(self)->n) {                                                                                          \
            PyErr_SetString(PyExc_RuntimeError, "the ConvNet was not initialised");                                \
            return NULL;                                                                                           \
        }                                                                                                          \
        if ((self)->use.writer) {                                                                                  \
            PyErr_SetString(PyExc_RuntimeError, "the ConvNet is training in another thread");                      \
            return NULL;                                                                                           \
        }                                                                                                          \
    } while (0)

typedef int (*cnn_rowfn)(const am_cnn *n, const float *x, size_t rows, float *y);

/* rows x in floats -> rows x out floats through fn, the GIL released. */
static PyObject *cnn_rows(CNNObject *self, PyObject *arg, size_t in, size_t out, cnn_rowfn fn, const char *what)
{
    PyObject *x = amx_floats(arg, in, 1, 2, 0, what);
    if (!x)
        return NULL;
    int nd = amx_ndim(x), rc = AM_OK;
    Py_ssize_t rows = amx_rows(x), d[2] = {rows, (Py_ssize_t)out};
    PyObject *y = amx_new(AMX_F32, nd, d + 2 - nd, what);
    if (!y || amx_use_read(&self->use, what)) {
        Py_XDECREF(y);
        Py_DECREF(x);
        return NULL;
    }
    if (rows) {
        amx_interrupt it;
        amx_interrupt_begin(&it, 1);
        rc = fn(self->n, amx_data(x), (size_t)rows, amx_data(y));
        amx_interrupt_end(&it);
    }
    amx_use_done(&self->use);
    Py_DECREF(x);
    if (rc) {
        Py_DECREF(y);
        if (rc == AM_EUNSUPPORTED)
            return amx_value_error("%s: a classifier has no decoder (only an autoencoder, loss 'mse' or 'bce', "
                                   "decodes)", what);
        return amx_raise(rc, "%s (%zd rows of %zu)", what, (Py_ssize_t)rows, in);
    }
    return y;
}

static PyObject *CNN_forward(CNNObject *self, PyObject *x)
{
    CNN_READY(self);
    return cnn_rows(self, x, am_cnn_input_dim(self->n), am_cnn_output_dim(self->n), am_cnn_forward, "ConvNet.forward");
}
static PyObject *CNN_encode(CNNObject *self, PyObject *x)
{
    CNN_READY(self);
    return cnn_rows(self, x, am_cnn_input_dim(self->n), am_cnn_code_dim(self->n), am_cnn_encode, "ConvNet.encode");
}
static PyObject *CNN_decode(CNNObject *self, PyObject *z)
{
    CNN_READY(self);
    if (am_cnn_loss_of(self->n) == AM_CNN_XENT)
        return amx_value_error("ConvNet.decode: a classifier has no decoder (only an autoencoder, loss 'mse' or "
                               "'bce', decodes)");
    return cnn_rows(self, z, am_cnn_code_dim(self->n), am_cnn_output_dim(self->n), am_cnn_decode, "ConvNet.decode");
}

/* The class of each row: the largest score (the first when tied). */
static PyObject *CNN_predict(CNNObject *self, PyObject *x)
{
    CNN_READY(self);
    if (am_cnn_loss_of(self->n) != AM_CNN_XENT)
        return amx_value_error("ConvNet.predict: only a classifier (loss 'xent') predicts classes");
    PyObject *s = cnn_rows(self, x, am_cnn_input_dim(self->n), am_cnn_output_dim(self->n), am_cnn_forward,
                           "ConvNet.predict");
    if (!s)
        return NULL;
    Py_ssize_t rows = amx_ndim(s) == 2 ? amx_dim(s, 0) : 1, k = (Py_ssize_t)am_cnn_output_dim(self->n);
    PyObject *out = amx_ndim(s) == 2 ? amx_new1(AMX_I64, rows, "ConvNet.predict") : NULL;
    const float *sv = amx_data(s);
    int64_t best1 = 0, *bv = out ? amx_data(out) : &best1;
    if (amx_ndim(s) == 2 && !out) {
        Py_DECREF(s);
        return NULL;
    }
    for (Py_ssize_t r = 0; r < rows; r++) {
        Py_ssize_t b = 0;
        for (Py_ssize_t j = 1; j < k; j++)
            b = sv[r * k + j] > sv[r * k + b] ? j : b;
        bv[r] = b;
    }
    Py_DECREF(s);
    return out ? out : PyLong_FromLongLong(best1);
}

/* Rows x and (for a classifier) their labels as a data set (copies); NULL with the error set. */
static am_dataset *cnn_dataset(CNNObject *self, PyObject *xo, PyObject *lo, const char *what)
{
    char wx[96], wl[96];
    snprintf(wx, sizeof wx, "%s: x", what);
    snprintf(wl, sizeof wl, "%s: labels", what);
    int xent = am_cnn_loss_of(self->n) == AM_CNN_XENT;
    if (xent && (!lo || lo == Py_None))
        return amx_value_error("%s: a classifier needs labels (one int per row of x)", what), NULL;
    if (!xent && lo && lo != Py_None)
        return amx_value_error("%s: labels= applies to a classifier (loss 'xent'); an autoencoder's target is x", what),
               NULL;
    PyObject *x = amx_floats(xo, am_cnn_input_dim(self->n), 2, 2, 0, wx), *l = NULL;
    if (!x)
        return NULL;
    size_t rows = (size_t)amx_dim(x, 0), classes = am_cnn_output_dim(self->n);
    am_dataset *ds = NULL;
    if (!rows) {
        Py_DECREF(x);
        return amx_value_error("%s has no rows", wx), NULL;
    }
    if (xent && !(l = amx_integers(lo, 0, 1, 1, wl))) {
        Py_DECREF(x);
        return NULL;
    }
    if (l && (size_t)amx_dim(l, 0) != rows) {
        amx_value_error("%s: %zd labels for %zu rows of x", what, amx_dim(l, 0), rows);
        goto out;
    }
    for (size_t i = 0; l && i < rows; i++) {
        int64_t v = ((const int64_t *)amx_data(l))[i];
        if (v < 0 || (uint64_t)v >= classes) {
            amx_value_error("%s[%zu] = %lld: labels are 0 .. %zu (the classifier's outputs)", wl, i, (long long)v,
                            classes - 1);
            goto out;
        }
    }
    int rc = am_dataset_create(&ds, rows, am_cnn_input_dim(self->n), l != NULL);
    if (rc) {
        amx_raise(rc, "%s (a copy of %zu rows of %zu)", what, rows, am_cnn_input_dim(self->n));
        goto out;
    }
    memcpy(ds->x, amx_data(x), rows * am_cnn_input_dim(self->n) * sizeof(float));
    for (size_t i = 0; l && i < rows; i++) {
        ds->labels[i] = (int)((const int64_t *)amx_data(l))[i];
        ds->classes = ds->labels[i] + 1 > ds->classes ? ds->labels[i] + 1 : ds->classes;
    }
out:
    Py_DECREF(x);
    Py_XDECREF(l);
    return ds;
}

static PyObject *CNN_evaluate(CNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "labels", NULL};
    PyObject *xo, *lo = NULL;
    CNN_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O:evaluate", names, &xo, &lo))
        return NULL;
    am_dataset *ds = cnn_dataset(self, xo, lo, "ConvNet.evaluate");
    if (!ds)
        return NULL;
    if (amx_use_read(&self->use, "ConvNet.evaluate")) {
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
        return amx_raise(rc, "ConvNet.evaluate");
    if (am_cnn_loss_of(self->n) == AM_CNN_XENT)
        return amx_namespace(2, "loss", PyFloat_FromDouble(loss), "accuracy", PyFloat_FromDouble(acc));
    return amx_namespace(2, "mse", PyFloat_FromDouble(loss), "bce", PyFloat_FromDouble(acc));
}

/* The trainer for options o: the current one when its options are o (Adam's state carries over), else a fresh
 * one. 0, or -1 with the error set. */
static int cnn_trainer_for(CNNObject *self, const am_cnn_train_opts *o)
{
    if (self->trainer && memcmp(o, &self->topts, sizeof *o)) {
        am_cnn_trainer_free(self->trainer);
        self->trainer = NULL;
    }
    int rc = self->trainer ? AM_OK : am_cnn_trainer_create(&self->trainer, self->n, o);
    if (rc)
        return amx_raise(rc, "ConvNet.train (the optimiser's state and the buffers of batches of %zu)", o->batch), -1;
    self->topts = *o;
    return 0;
}

static PyObject *CNN_train(CNNObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "labels", "epochs", "batch", "lr", "weight_decay", "rng", "threads", NULL};
    PyObject *xo, *lo = NULL, *rngo = NULL;
    amx_int epochs = AMX_INT("epochs", 1, 1000000, 1), batch = AMX_INT("batch", 1, 1 << 20, 128);
    amx_int threads = AMX_INT("threads", 0, AMX_MAX_THREADS, 0);
    amx_real lr = AMX_REAL_ABOVE("lr", 0.0, DBL_MAX, 1e-3), wd = AMX_REAL("weight_decay", 0.0, DBL_MAX, 0.0);
    am_rng tmp, *rng;
    CNN_READY(self);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O$O&O&O&O&OO&:train", names, &xo, &lo, amx_int_conv, &epochs,
                                     amx_int_conv, &batch, amx_real_conv, &lr, amx_real_conv, &wd, &rngo, amx_int_conv,
                                     &threads) ||
        !(rng = amx_rng_arg(rngo, &tmp)))
        return NULL;
    am_dataset *ds = cnn_dataset(self, xo, lo, "ConvNet.train");
    if (!ds)
        return NULL;
    am_cnn_train_opts o;
    am_cnn_train_opts_default(&o);
    o.batch = (size_t)batch.u, o.lr = lr.v, o.weight_decay = wd.v, o.threads = (int)threads.u;
    PyObject *losses = amx_new1(AMX_F64, (Py_ssize_t)epochs.u, "ConvNet.train");
    int marked = losses && !amx_use_write(&self->use, "ConvNet.train"), rc = AM_OK;
    if (!marked || cnn_trainer_for(self, &o)) {
        if (marked)
            amx_use_done(&self->use);
        Py_XDECREF(losses);
        am_dataset_free(ds);
        return NULL;
    }
    amx_interrupt it;
    am_rng mine = *rng; /* a private copy while the GIL is released, written back after */
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
        return amx_raise(rc, "ConvNet.train");
    }
    return losses;
}

static int cnn_save(const void *n, const char *path) { return am_cnn_save(n, path); }
static int cnn_load(void **n, const char *path) { return am_cnn_load((am_cnn **)n, path); }

static PyObject *CNN_save(CNNObject *self, PyObject *arg)
{
    CNN_READY(self);
    return amx_save_with(cnn_save, self->n, arg, "ConvNet.save");
}

static PyObject *CNN_load(PyObject *cls, PyObject *arg)
{
    am_cnn *n = NULL;
    if (amx_load_with(cnn_load, (void **)&n, arg, "ConvNet.load"))
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
    char buf[AM_CNN_MAX_SPEC + 256];
    if (!self->n)
        return PyUnicode_FromString("<am.ConvNet, not initialised>");
    am_cnn_describe(self->n, buf, sizeof buf);
    return PyUnicode_FromFormat("<am.ConvNet %s>", buf);
}

static PyObject *CNN_get(CNNObject *self, void *which)
{
    CNN_READY(self);
    size_t count = 0;
    switch ((int)(intptr_t)which) {
    case 0: return PyLong_FromSize_t(am_cnn_input_dim(self->n));
    case 1: return PyLong_FromSize_t(am_cnn_output_dim(self->n));
    case 2: return PyLong_FromSize_t(am_cnn_code_dim(self->n));
    case 3: return amx_str(am_cnn_loss_name(am_cnn_loss_of(self->n)));
    case 4: am_cnn_params(self->n, &count); return PyLong_FromSize_t(count);
    case 5: return PyLong_FromSize_t(self->trainer ? am_cnn_trainer_steps(self->trainer) : 0);
    default: return PyFloat_FromDouble(am_cnn_macs(self->n));
    }
}

static PyMethodDef CNN_methods[] = {
    {"forward", (PyCFunction)CNN_forward, METH_O,
     "forward(x) -> rows x output_dim: a classifier's class scores, an autoencoder's reconstruction (inference:\n"
     "batch normalisation with its running statistics).\n\n"
     "    >>> net.forward(x[:2]).shape                       # (2, 3)"},
    {"encode", (PyCFunction)CNN_encode, METH_O,
     "encode(x) -> z (rows x code_dim): the latent code (a classifier's penultimate layer unless marked)\n\n"
     "    >>> net.encode(x[:2]).shape                        # (2, 8)"},
    {"decode", (PyCFunction)CNN_decode, METH_O,
     "decode(z) -> rows x output_dim: the layers after the code (an autoencoder's; ValueError for a classifier)\n\n"
     "    >>> ae = am.ConvNet('1x8x8', 'conv4k3p1,relu,maxpool2,flat,fc6,code,fc64,sigmoid', loss='bce', rng=1)\n"
     "    >>> ae.decode(ae.encode(x[:2])).shape              # (2, 64)"},
    {"predict", (PyCFunction)CNN_predict, METH_O,
     "predict(x) -> int64 classes (the largest score of each row; an int for one row). Classifiers only.\n\n"
     "    >>> (net.predict(x) == y).mean()                   # the training accuracy"},
    {"evaluate", (PyCFunction)(void (*)(void))CNN_evaluate, METH_VARARGS | METH_KEYWORDS,
     "evaluate(x, labels=None) -> namespace(loss, accuracy) for a classifier (mean cross-entropy, share of rows\n"
     "whose largest score is the label), namespace(mse, bce) for an autoencoder (bce NaN unless the output is a\n"
     "sigmoid; labels= is then refused).\n\n"
     "    >>> r = net.evaluate(x, y); r.loss, r.accuracy"},
    {"train", (PyCFunction)(void (*)(void))CNN_train, METH_VARARGS | METH_KEYWORDS,
     "train(x, labels=None, *, epochs=1, batch=128, lr=1e-3, weight_decay=0, rng=None, threads=0)\n"
     "-> the mean loss of each epoch. Adam on minibatches in an order drawn from rng; labels (ints 0 ..\n"
     "output_dim - 1, one per row) for a classifier, none for an autoencoder (its target is x). Adam's state\n"
     "carries over between calls with the same settings. The result does not depend on threads. Releases the\n"
     "GIL; Ctrl-C stops it after the current step, keeping the steps made.\n\n"
     "    >>> more = net.train(x, y, epochs=2, batch=16, lr=3e-3, rng=2)"},
    {"save", (PyCFunction)CNN_save, METH_O,
     "save(path): a versioned file with a checksum (bin/autoencoder and every program reading encoders load it)\n\n"
     "    >>> net.save('net.cnn'); (am.ConvNet.load('net.cnn').encode(x) == net.encode(x)).all()   # True"},
    {"load", (PyCFunction)CNN_load, METH_O | METH_CLASS,
     "ConvNet.load(path) -> ConvNet\n\n"
     "    >>> net.save('net.cnn'); am.ConvNet.load('net.cnn').code_dim   # 8"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef CNN_getset[] = {
    {"input_dim", (getter)CNN_get, NULL, "values per input row (C x H x W)", (void *)0},
    {"output_dim", (getter)CNN_get, NULL, "classes (a classifier) or values reconstructed (an autoencoder)", (void *)1},
    {"code_dim", (getter)CNN_get, NULL, "width of the latent code", (void *)2},
    {"loss", (getter)CNN_get, NULL, "'xent', 'mse' or 'bce'", (void *)3},
    {"params", (getter)CNN_get, NULL, "count of trained parameters", (void *)4},
    {"steps", (getter)CNN_get, NULL, "optimiser steps taken by the current trainer", (void *)5},
    {"macs", (getter)CNN_get, NULL, "multiply-adds of a forward pass per row (training: about three times)", (void *)6},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject CNNType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "am.ConvNet",
    .tp_basicsize = sizeof(CNNObject),
    .tp_dealloc = (destructor)CNN_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "ConvNet(input, layers, loss='xent', *, rng=None)\n"
              "A convolutional network trained in C (am/cnn.h): a classifier-encoder (loss 'xent': softmax\n"
              "cross-entropy on labels; its penultimate layer, or the layer before a 'code' token, is the latent\n"
              "code) or a convolutional autoencoder (loss 'mse' or 'bce'; needs a 'code' token). input: 'CxHxW'\n"
              "(an image; rows hold H x W x C values, channels last), 'CxL' (1-D), or a tuple of ints; layers: a\n"
              "str or a list of tokens conv<C>k<K>[s<S>][p<P>], maxpool<K>, avgpool<K>, up<F>, bn, relu, tanh,\n"
              "sigmoid, fc<N>, flat, view<CxHxW>, code. Weights start as PyTorch's defaults, drawn from rng; the\n"
              "same seed trains the same bytes at any thread count.\n\n"
              "    >>> x = np.random.default_rng(1).random((60, 64)); y = np.arange(60) % 3\n"
              "    >>> net = am.ConvNet('1x8x8', 'conv4k3p1,bn,relu,maxpool2,flat,fc8,relu,fc3', rng=1)\n"
              "    >>> losses = net.train(x, y, epochs=3, batch=16, rng=1)   # the mean loss of each epoch\n"
              "    >>> z = net.encode(x); net.predict(x[:5])                   # 60 x 8 codes; 5 classes",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)CNN_init,
    .tp_repr = (reprfunc)CNN_repr,
    .tp_methods = CNN_methods,
    .tp_getset = CNN_getset,
};

int amx_init_cnn(PyObject *m) { return amx_add_type(m, "ConvNet", &CNNType); }
