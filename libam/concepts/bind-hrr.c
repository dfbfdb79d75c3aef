/* Binding mechanism "hrr": one holographic trace per concept (see am/concept.h).
 *   u_m(x)  = unit vector along P_m (x - mean_m)        P_m: D x dim from (seed, m): orthonormal columns
 *                                                       (Gram-Schmidt of a Gaussian matrix) when D >= dim, so
 *                                                       angles are kept; else Gaussian (Johnson-Lindenstrauss)
 *   T_c     = sum_m role_m (*) u_m(prototype_c,m)      roles: unitary, from (seed, "ROLE")
 *   act_c   = T_c . sum_{cue modalities m} role_m (*) u_m(cue_m)
 * Read-out of modality t: role_t^+ (*) T_answer (the exact inverse for unitary roles), cleaned up through a
 * store (am/cleanup.h) of the concepts' u_t; the item found gives its concept's prototype in t. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "am/cleanup.h"
#include "am/error.h"
#include "am/hrr.h"
#include "am/rng.h"
#include "internal.h"

typedef struct {
    size_t D, maxdim, count, nitems_total, dim[AM__MAXMOD];
    am_hrr *h;
    float *roles;               /* nmod x D */
    float *P[AM__MAXMOD];       /* D x dim */
    float *mean[AM__MAXMOD];
    float *T;                   /* count x D */
    am_cleanup *clean[AM__MAXMOD];
    uint32_t *item_concept[AM__MAXMOD];
    float *protos[AM__MAXMOD];
    unsigned char *has[AM__MAXMOD];
} hrr_state;

static void hrr_free(void *p)
{
    hrr_state *s = p;
    if (!s)
        return;
    for (size_t m = 0; m < AM__MAXMOD; m++) {
        free(s->P[m]);
        free(s->mean[m]);
        am_cleanup_free(s->clean[m]);
        free(s->item_concept[m]);
        free(s->protos[m]);
        free(s->has[m]);
    }
    free(s->roles);
    free(s->T);
    am_hrr_free(s->h);
    free(s);
}

/* Gram-Schmidt (modified, in double) on the d columns of P (D x d, D >= d): an embedding that keeps angles. */
static void orthonormal_columns(float *P, size_t D, size_t d)
{
    double *q = malloc(D * d * sizeof *q);
    if (!q)
        return; /* the Gaussian map serves (angles kept approximately) */
    for (size_t k = 0; k < D * d; k++)
        q[k] = P[k];
    for (size_t j = 0; j < d; j++) {
        for (size_t i = 0; i < j; i++) {
            double dot = 0;
            for (size_t r = 0; r < D; r++)
                dot += q[r * d + i] * q[r * d + j];
            for (size_t r = 0; r < D; r++)
                q[r * d + j] -= dot * q[r * d + i];
        }
        double nn = 0;
        for (size_t r = 0; r < D; r++)
            nn += q[r * d + j] * q[r * d + j];
        nn = nn > 0 ? 1.0 / sqrt(nn) : 0.0;
        for (size_t r = 0; r < D; r++)
            q[r * d + j] *= nn;
    }
    for (size_t k = 0; k < D * d; k++)
        P[k] = (float)q[k];
    free(q);
}

/* u (n x D) = normalised P (x - mean); tmp: n x dim. A zero vector stays zero. */
static int project(const hrr_state *s, size_t m, size_t d, const float *x, size_t n, float *tmp, float *u,
                   am__gemm_ws *ws)
{
    size_t D = s->D;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            tmp[i * d + j] = x[i * d + j] - s->mean[m][j];
    int rc = am__sgemm(0, 1, n, D, d, tmp, d, s->P[m], d, 0, u, D, ws);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        double t = 0.0;
        for (size_t j = 0; j < D; j++)
            t += (double)u[i * D + j] * u[i * D + j];
        float inv = t > 0.0 ? (float)(1.0 / sqrt(t)) : 0.0f;
        for (size_t j = 0; j < D; j++)
            u[i * D + j] *= inv;
    }
    return AM_OK;
}

static int hrr_build(const am_concepts *cm, void **out)
{
    hrr_state *s = calloc(1, sizeof *s);
    am__gemm_ws ws = {0};
    size_t N = cm->count ? cm->count : 1, bytes;
    float *U = NULL, *tmp = NULL;
    int rc = s ? am__gemm_ws_reserve(&ws, 1) : AM_ENOMEM;
    if (rc)
        goto done;
    size_t D = s->D = cm->cfg.hrr_dim;
    s->count = cm->count;
    for (size_t m = 0; m < cm->nmod; m++)
        s->maxdim = cm->mod[m].dim > s->maxdim ? cm->mod[m].dim : s->maxdim;
    if ((rc = am_hrr_create(&s->h, D, AM_FFT_ESTIMATE)))
        goto done;
    if (am_size_mul3(N * cm->nmod, D, sizeof(float), &bytes) || !(U = am__alloc_big(bytes)) ||
        !(s->T = am__alloc_big(N * D * sizeof(float))) || !(s->roles = malloc(cm->nmod * D * sizeof(float))) ||
        !(tmp = malloc(N * s->maxdim * sizeof(float)))) {
        rc = AM_ENOMEM;
        goto done;
    }
    am_rng rng;
    am_rng_init(&rng, cm->cfg.seed, 0x524f4c45u /* "ROLE" */);
    am_hrr_random(&rng, cm->nmod, D, s->roles);
    if ((rc = am_hrr_unitary(s->h, cm->nmod, s->roles, D, s->roles, D, NULL)))
        goto done;
    const float *items[AM__MAXMOD];
    size_t ld[AM__MAXMOD];
    for (size_t m = 0; m < cm->nmod && !rc; m++) {
        size_t d = cm->mod[m].dim;
        float *Um = U + m * N * D;
        s->dim[m] = d;
        if (!(s->P[m] = malloc(D * d * sizeof(float))) || !(s->mean[m] = malloc(d * sizeof(float)))) {
            rc = AM_ENOMEM;
            break;
        }
        am_rng_init(&rng, cm->cfg.seed, am_rng_stream2(0x50524f4au /* "PROJ" */, m));
        for (size_t k = 0; k < D * d; k++)
            s->P[m][k] = (float)am_rng_normal(&rng);
        if (D >= d)
            orthonormal_columns(s->P[m], D, d);
        am__concepts_mean(cm, m, s->mean[m]);
        if ((rc = am__concepts_protos(cm, m, &s->protos[m], &s->has[m])))
            break;
        if ((rc = project(s, m, d, s->protos[m], cm->count, tmp, Um, &ws)))
            break;
        size_t ni = 0;
        for (size_t c = 0; c < cm->count; c++) {
            if (!s->has[m][c])
                memset(Um + c * D, 0, D * sizeof(float)); /* no point in m: no term in the trace */
            ni += s->has[m][c] != 0;
        }
        items[m] = Um;
        ld[m] = D;
        s->nitems_total += ni;
        if (!ni)
            continue;
        /* the clean-up memory of modality m: its items, packed */
        float *it = am__alloc_big(ni * D * sizeof(float));
        if (!it || !(s->item_concept[m] = malloc(ni * sizeof(uint32_t)))) {
            free(it);
            rc = AM_ENOMEM;
            break;
        }
        for (size_t c = 0, k = 0; c < cm->count; c++)
            if (s->has[m][c]) {
                memcpy(it + k * D, Um + c * D, D * sizeof(float));
                s->item_concept[m][k++] = (uint32_t)c;
            }
        am_store_config sc;
        am_store_config_default(&sc, cm->cfg.cleanup, D);
        rc = am_cleanup_create(&s->clean[m], &sc, it, ni);
        free(it);
    }
    if (!rc && cm->count)
        rc = am_hrr_encode(s->h, cm->count, cm->nmod, s->roles, items, ld, s->T, D, NULL);
done:
    free(U);
    free(tmp);
    am__gemm_ws_free(&ws);
    if (rc) {
        hrr_free(s);
        return rc;
    }
    *out = s;
    return AM_OK;
}

static size_t hrr_bytes(const void *p)
{
    const hrr_state *s = p;
    size_t b = sizeof *s + s->nitems_total * s->D * sizeof(float) + s->count * s->D * sizeof(float);
    for (size_t m = 0; m < AM__MAXMOD; m++)
        if (s->P[m])
            b += s->D * (1 + s->dim[m]) * sizeof(float);
    return b;
}

static size_t hrr_scratch(const am_concepts *cm, const void *p, size_t nb)
{
    (void)cm;
    const hrr_state *s = p;
    return nb * s->maxdim + 3 * nb * s->D + 2 * nb + 16;
}

static int hrr_aux_create(const am_concepts *cm, const void *p, void **aux)
{
    (void)cm;
    const hrr_state *s = p;
    return am_hrr_work_create((am_hrr_work **)aux, s->h);
}

static void hrr_aux_free(void *aux)
{
    am_hrr_work_free(aux);
}

static int hrr_activate(const am_concepts *cm, const void *p, const float *const *cues, am__cblock *b, float *act)
{
    const hrr_state *s = p;
    size_t nb = b->nb, D = s->D;
    float *tmp = b->buf, *u = tmp + nb * s->maxdim, *bound = u + nb * D, *probe = bound + nb * D;
    memset(probe, 0, nb * D * sizeof(float));
    for (size_t m = 0; m < cm->nmod; m++) {
        if (!cues[m])
            continue;
        size_t d = cm->mod[m].dim;
        int rc = project(s, m, d, cues[m] + b->q0 * d, nb, tmp, u, b->ws);
        if (!rc)
            rc = am_hrr_bind(s->h, nb, s->roles + m * D, 0, u, D, bound, D, b->aux);
        if (rc)
            return rc;
        for (size_t k = 0; k < nb * D; k++)
            probe[k] += bound[k];
    }
    return am__sgemm(0, 1, nb, cm->count, D, probe, D, s->T, D, 0, act, cm->count, b->ws);
}

static int hrr_readout(const am_concepts *cm, const void *p, const float *act, const size_t *winner,
                        const size_t *answer, size_t t,
                       am__cblock *b, float *out)
{
    (void)act;
    (void)winner;
    const hrr_state *s = p;
    size_t nb = b->nb, D = s->D, d = cm->mod[t].dim;
    float *g = b->buf + nb * s->maxdim, *un = g + nb * D;
    /* nb indices after the vectors, 8-byte aligned (the scratch holds 2 nb + 16 floats more) */
    size_t at = (size_t)(un + nb * D - b->buf);
    size_t *found = (size_t *)(void *)(b->buf + ((at + 1) & ~(size_t)1));
    if (!s->clean[t]) {
        memset(out, 0, nb * d * sizeof(float));
        return AM_OK;
    }
    for (size_t q = 0; q < nb; q++) {
        size_t c = answer[q] == SIZE_MAX ? 0 : answer[q];
        memcpy(g + q * D, s->T + c * D, D * sizeof(float));
    }
    int rc = am_hrr_unbind(s->h, nb, g, D, s->roles + t * D, 0, AM_HRR_INVOLUTION, un, D, b->aux);
    if (rc)
        return rc;
    rc = am_cleanup_run(s->clean[t], un, nb, am_rng_stream2(cm->cfg.seed, b->q0), found);
    for (size_t q = 0; q < nb && !rc; q++) {
        size_t c = s->item_concept[t][found[q]];
        memcpy(out + q * d, s->protos[t] + c * d, d * sizeof(float));
    }
    return rc;
}

const am_binding_type am__binding_hrr_type = {
    .name = "hrr",
    .build = hrr_build,
    .free = hrr_free,
    .bytes = hrr_bytes,
    .scratch_floats = hrr_scratch,
    .aux_create = hrr_aux_create,
    .aux_free = hrr_aux_free,
    .activate = hrr_activate,
    .readout = hrr_readout,
};
const am_binding_type *const am_binding_hrr = &am__binding_hrr_type;
