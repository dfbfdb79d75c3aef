/* module.c — the extension module am._am: every layer adds itself, in the order of ext.h. */
#include "ext.h"

static int (*const layers[])(PyObject *) = {
    amx_init_common,   amx_init_rng,      amx_init_patterns, amx_init_stores,
    amx_init_analysis, amx_init_encoders, amx_init_dynamics, amx_init_melody,
    amx_init_concepts, amx_init_conceptdb,
    amx_init_hrr,
    amx_init_words,
    amx_init_audio,
    amx_init_graphs,
    amx_init_network,
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
