/* Binding mechanism "kv": key-value modern Hopfield retrieval (see am/concept.h).
 * Keys: every exemplar of a modality; a concept's activation is the softmax mass of its keys; the target
 * latent is the mass-weighted sum of the concepts' prototypes in the target modality. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "am/error.h"
#include "internal.h"

typedef struct {
    float *keys[AM__MAXMOD];    /* K_m x dim */
    uint32_t *owner[AM__MAXMOD];
    float *half2[AM__MAXMOD];   /* euclid: beta |k|^2 / 2 per key */
    int identity[AM__MAXMOD];   /* key k is concept k's only exemplar, for every k (no scatter needed) */
    int allhas[AM__MAXMOD];     /* every concept has a prototype in the modality */
    size_t maxdim;
    size_t nkeys[AM__MAXMOD], maxkeys;
    float *protos[AM__MAXMOD];  /* count x dim */
    unsigned char *has[AM__MAXMOD];
} kv_state;

static void kv_free(void *p)
{
    kv_state *s = p;
    if (!s)
        return;
    for (size_t m = 0; m < AM__MAXMOD; m++) {
        free(s->keys[m]);
        free(s->owner[m]);
        free(s->half2[m]);
        free(s->protos[m]);
        free(s->has[m]);
    }
    free(s);
}

static int kv_build(const am_concepts *cm, void **out)
{
    kv_state *s = calloc(1, sizeof *s);
    int rc = s ? AM_OK : AM_ENOMEM;
    for (size_t m = 0; m < cm->nmod && !rc; m++) {
        size_t d = cm->mod[m].dim;
        if ((rc = am__concepts_keys(cm, m, &s->keys[m], &s->owner[m], &s->nkeys[m])))
            break;
        if ((rc = am__concepts_protos(cm, m, &s->protos[m], &s->has[m])))
            break;
        s->identity[m] = s->nkeys[m] == cm->count;
        for (size_t k = 0; k < s->nkeys[m] && s->identity[m]; k++)
            s->identity[m] = s->owner[m][k] == k;
        s->allhas[m] = 1;
        for (size_t c = 0; c < cm->count; c++)
            s->allhas[m] &= s->has[m][c] != 0;
        if (!s->identity[m] && s->nkeys[m] > s->maxkeys)
            s->maxkeys = s->nkeys[m];
        s->maxdim = d > s->maxdim ? d : s->maxdim;
        if (cm->cfg.similarity == AM_SIM_EUCLID && s->nkeys[m]) {
            if (!(s->half2[m] = malloc(s->nkeys[m] * sizeof(float)))) {
                rc = AM_ENOMEM;
                break;
            }
            for (size_t k = 0; k < s->nkeys[m]; k++) {
                double t = 0.0;
                for (size_t j = 0; j < d; j++)
                    t += (double)s->keys[m][k * d + j] * s->keys[m][k * d + j];
                s->half2[m][k] = (float)(0.5 * cm->cfg.beta * t);
            }
        }
    }
    if (rc) {
        kv_free(s);
        return rc;
    }
    *out = s;
    return AM_OK;
}

static size_t kv_bytes(const void *p)
{
    const kv_state *s = p;
    size_t b = sizeof *s;
    for (size_t m = 0; m < AM__MAXMOD; m++)
        b += s->nkeys[m] * sizeof(uint32_t) + (s->half2[m] ? s->nkeys[m] * sizeof(float) : 0);
    return b; /* keys and prototypes: counted with the nodes they copy */
}

static size_t kv_scratch(const am_concepts *cm, const void *p, size_t nb)
{
    const kv_state *s = p;
    return nb * s->maxkeys + nb * cm->count + nb * s->maxdim + 16;
}

/* A row of scores (beta q.k) in place: minus bias (may be NULL), then e^(s - max); returns the sum, or -1 when a
 * score is not finite. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static float row_exp(float *restrict row, size_t K,
                                                                                 const float *restrict bias,
                                                                                 float *maxp)
{
    float mx = -INFINITY, mn = INFINITY;
    int nan = 0;
    if (bias)
        for (size_t k = 0; k < K; k++)
            row[k] -= bias[k];
    for (size_t k = 0; k < K; k++) {
        mx = row[k] > mx ? row[k] : mx;
        mn = row[k] < mn ? row[k] : mn;
        nan |= row[k] != row[k];
    }
    if (nan || !(mx - mn < INFINITY))
        return -1.0f;
    /* 16 partial sums in a fixed order: vectorised, and the same bits on any CPU */
    float acc[16] = {0}, sum = 0.0f;
    size_t k = 0;
    for (; k + 16 <= K; k += 16)
        for (size_t j = 0; j < 16; j++) {
            float e = am__exp_nonpos(row[k + j] - mx);
            row[k + j] = e;
            acc[j] += e;
        }
    for (size_t j = 0; k < K; k++, j++) {
        float e = am__exp_nonpos(row[k] - mx);
        row[k] = e;
        acc[j] += e;
    }
    for (size_t j = 0; j < 16; j++)
        sum += acc[j];
    *maxp = mx;
    return sum;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) static void scale_row(float *restrict x, size_t n, float a)
{
    for (size_t k = 0; k < n; k++)
        x[k] *= a;
}

/* act (nb x N): single cue modality: softmax mass per concept; several: softmax of the summed per-concept
 * log-evidence log sum_{k in c} exp(s_k). */
static int kv_activate(const am_concepts *cm, const void *p, const float *const *cues, am__cblock *b, float *act)
{
    const kv_state *s = p;
    size_t N = cm->count, nb = b->nb, present = 0;
    float *sc = b->buf, *logl = sc + nb * s->maxkeys, *qb = logl + nb * N;
    float beta = (float)cm->cfg.beta;
    for (size_t m = 0; m < cm->nmod; m++)
        present += cues[m] != NULL;
    if (present > 1)
        memset(logl, 0, nb * N * sizeof(float));
    for (size_t m = 0; m < cm->nmod; m++) {
        if (!cues[m])
            continue;
        size_t d = cm->mod[m].dim, K = s->nkeys[m];
        /* scores beta Q K^T: beta goes into the cues (nb x d) rather than over the nb x K scores */
        for (size_t k = 0; k < nb * d; k++)
            qb[k] = beta * cues[m][b->q0 * d + k];
        int direct = s->identity[m]; /* scores land in act, one per concept */
        float *S = direct ? act : sc;
        if (!direct)
            memset(act, 0, nb * N * sizeof(float));
        if (K) {
            int rc = am__sgemm(0, 1, nb, K, d, qb, d, s->keys[m], d, 0, S, direct ? N : K, b->ws);
            if (rc)
                return rc;
        } else if (direct) {
            memset(act, 0, nb * N * sizeof(float));
        }
        for (size_t q = 0; q < nb; q++) {
            float *row = S + q * (direct ? N : K), *a = act + q * N, mx = 0.0f;
            float tot = K ? row_exp(row, K, s->half2[m], &mx) : 0.0f;
            if (tot < 0.0f)
                return AM_ENOTFINITE;
            if (!direct)
                for (size_t k = 0; k < K; k++)
                    a[s->owner[m][k]] += row[k];
            if (present == 1) {
                scale_row(a, N, tot > 0.0f ? 1.0f / tot : 0.0f);
            } else {
                float *l = logl + q * N;
                for (size_t c = 0; c < N; c++)
                    l[c] += a[c] > 0.0f ? logf(a[c]) + mx : -INFINITY;
            }
        }
    }
    if (present > 1)
        for (size_t q = 0; q < nb; q++) {
            float *l = logl + q * N, *a = act + q * N, mx = -INFINITY;
            for (size_t c = 0; c < N; c++)
                mx = l[c] > mx ? l[c] : mx;
            float tot = 0.0f;
            for (size_t c = 0; c < N; c++)
                tot += a[c] = mx == -INFINITY ? 0.0f : am__exp_nonpos(l[c] - mx);
            scale_row(a, N, tot > 0.0f ? 1.0f / tot : 0.0f);
        }
    return AM_OK;
}

/* out = sum_c act_c proto_c (over concepts with a prototype in t, renormalised), or the answer's prototype
 * when the answer is not the winner (a fallback to a parent). */
static int kv_readout(const am_concepts *cm, const void *p, const float *act, const size_t *winner, const size_t *answer,
                      size_t t, am__cblock *b, float *out)
{
    const kv_state *s = p;
    size_t N = cm->count, nb = b->nb, d = cm->mod[t].dim;
    const float *w = act; /* the activations sum to 1 over the concepts that may answer */
    if (!s->allhas[t]) {
        float *ww = b->buf; /* nb x N re-weighted over the concepts with a prototype in t */
        for (size_t q = 0; q < nb; q++) {
            float tot = 0.0f;
            for (size_t c = 0; c < N; c++)
                tot += ww[q * N + c] = s->has[t][c] ? act[q * N + c] : 0.0f;
            scale_row(ww + q * N, N, tot > 0.0f ? 1.0f / tot : 0.0f);
        }
        w = ww;
    }
    int rc = am__sgemm(0, 0, nb, d, N, w, N, s->protos[t], d, 0, out, d, b->ws);
    if (rc)
        return rc;
    for (size_t q = 0; q < nb; q++)
        if (answer[q] != SIZE_MAX && answer[q] != winner[q])
            memcpy(out + q * d, s->protos[t] + answer[q] * d, d * sizeof(float));
    return AM_OK;
}

const am_binding_type am__binding_kv_type = {
    .name = "kv",
    .build = kv_build,
    .free = kv_free,
    .bytes = kv_bytes,
    .scratch_floats = kv_scratch,
    .activate = kv_activate,
    .readout = kv_readout,
};
const am_binding_type *const am_binding_kv = &am__binding_kv_type;
