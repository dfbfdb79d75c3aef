/* The front-end dispatch: an encoder is a model and its type's table of operations (encoder-type.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "am/error.h"
#include "encoder-type.h"

struct am_encoder {
    const am_encoder_type *type;
    void *model;
};

const am_encoder_type *const am_encoder_types[] = {&am__encoder_pca, &am__encoder_mlp, &am__encoder_cnn, NULL};
const am_encoder_type *const am_encoder_type_pca = &am__encoder_pca;
const am_encoder_type *const am_encoder_type_mlp = &am__encoder_mlp;
const am_encoder_type *const am_encoder_type_cnn = &am__encoder_cnn;

const char *am_encoder_type_name(const am_encoder_type *t)
{
    return t ? t->name : "?";
}

const am_encoder_type *am_encoder_type_find(const char *name)
{
    for (int k = 0; name && am_encoder_types[k]; k++)
        if (!strcmp(am_encoder_types[k]->name, name))
            return am_encoder_types[k];
    return NULL;
}

int am_encoder_wrap(am_encoder **out, const am_encoder_type *type, void *model)
{
    if (!out || !type || !model) {
        if (type && model)
            type->free(model);
        return AM_EINVAL;
    }
    *out = calloc(1, sizeof **out);
    if (!*out) {
        type->free(model);
        return AM_ENOMEM;
    }
    (*out)->type = type;
    (*out)->model = model;
    return AM_OK;
}

int am_encoder_from_pca(am_encoder **out, am_pca *p)
{
    return am_encoder_wrap(out, &am__encoder_pca, p);
}

int am_encoder_from_ae(am_encoder **out, am_ae *ae)
{
    return am_encoder_wrap(out, &am__encoder_mlp, ae);
}

int am_encoder_from_cnn(am_encoder **out, am_cnn *n)
{
    return am_encoder_wrap(out, &am__encoder_cnn, n);
}

void am_encoder_free(am_encoder *e)
{
    if (!e)
        return;
    e->type->free(e->model);
    free(e);
}

const am_encoder_type *am_encoder_type_of(const am_encoder *e)
{
    return e ? e->type : NULL;
}

am_encoder_kind am_encoder_kind_of(const am_encoder *e)
{
    return e->type->kind;
}

size_t am_encoder_input_dim(const am_encoder *e)
{
    return e->type->input_dim(e->model);
}

size_t am_encoder_code_dim(const am_encoder *e)
{
    return e->type->code_dim(e->model);
}

void am_encoder_describe(const am_encoder *e, char *buf, size_t size)
{
    e->type->describe(e->model, buf, size);
}

/* The model when e is of type t, else NULL. */
static void *model_if(am_encoder *e, const am_encoder_type *t)
{
    return e && e->type == t ? e->model : NULL;
}

am_pca *am_encoder_pca(am_encoder *e)
{
    return model_if(e, &am__encoder_pca);
}

am_ae *am_encoder_ae(am_encoder *e)
{
    return model_if(e, &am__encoder_mlp);
}

am_cnn *am_encoder_cnn(am_encoder *e)
{
    return model_if(e, &am__encoder_cnn);
}

int am_encoder_encode(const am_encoder *e, const float *x, size_t n, float *z)
{
    if (!e)
        return AM_EINVAL;
    return e->type->encode(e->model, x, n, z);
}

int am_encoder_decode(const am_encoder *e, const float *z, size_t n, float *x)
{
    if (!e)
        return AM_EINVAL;
    return e->type->decode ? e->type->decode(e->model, z, n, x) : AM_EUNSUPPORTED;
}

int am_encoder_save(const am_encoder *e, const char *path)
{
    if (!e)
        return AM_EINVAL;
    return e->type->save(e->model, path);
}

int am_encoder_load(am_encoder **out, const char *path)
{
    char magic[8];
    int rc;
    if (!out || !path)
        return AM_EINVAL;
    *out = NULL;
    if ((rc = am__read_magic(path, magic)))
        return rc;
    for (int k = 0; am_encoder_types[k]; k++) {
        const am_encoder_type *t = am_encoder_types[k];
        void *model;
        if (memcmp(magic, t->magic, 8))
            continue;
        if ((rc = t->load(&model, path)))
            return rc;
        return am_encoder_wrap(out, t, model);
    }
    return AM_EFORMAT;
}
