/* module.c — the extension module am._am: every layer adds itself, in the order of ext.h. */
#include "ext.h"

int amx_init_legacy(PyObject *m); /* the layers not yet in their own files (legacy.c) */

static int (*const layers[])(PyObject *) = {
    amx_init_common, amx_init_rng, amx_init_legacy,
    amx_init_words, amx_init_audio,
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "am._am", "libam's C core (use the package `am`).", -1, NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__am(void)
{
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    for (size_t i = 0; i < sizeof layers / sizeof *layers; i++)
        if (layers[i](m)) {
            Py_DECREF(m);
            return NULL;
        }
    return m;
}
