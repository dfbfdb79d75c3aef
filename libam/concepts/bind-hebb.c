/* Binding mechanism "hebb": Hebbian hetero-association between +-1 modality codes and a localist layer of
 * concept units, wired one-shot (see am/concept.h).
 *   code_m(x) = sign(R_m (x - mean_m))            R_m: bits x dim, i.i.d. N(0, 1) from (seed, m)
 *   W_m[c]    = sum over c's exemplars of code_m   (integer counts, kept as floats: exact below 2^24)
 *   act_c     = mean over cue modalities of W_m[c] . code_m(cue) / (n_c,m bits_m)
 * Read-out: the answer's target code sign(W_t[c]) (> 0 is +1) is cleaned up to the exemplar of modality t
 * whose code is nearest (largest dot product, ties to the lower row); its latent is the output. A node
 * without exemplars in t (a parent) gives its prototype. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "am/error.h"
#include "am/rng.h"
#include "internal.h"

typedef struct {
    size_t bits[AM__MAXMOD], maxbits, maxdim, maxkeys;
    float *R[AM__MAXMOD];       /* bits x dim */
    float *mean[AM__MAXMOD];    /* dim */
    float *W[AM__MAXMOD];       /* count x bits */
    float *codes[AM__MAXMOD];   /* K_m x bits, +-1 */
    float *keys[AM__MAXMOD];    /* K_m x dim: the exemplars' latents */
    uint32_t *owner[AM__MAXMOD];
    size_t nkeys[AM__MAXMOD];
    float *protos[AM__MAXMOD];
    unsigned char *has[AM__MAXMOD];
    size_t *cnt[AM__MAXMOD];    /* count: exemplars per concept */
} hebb_state;

static void hebb_free(void *p)
{
    hebb_state *s = p;
    if (!s)
        return;
    for (size_t m = 0; m < AM__MAXMOD; m++) {
        free(s->R[m]);
        free(s->mean[m]);
        free(s->W[m]);
        free(s->codes[m]);
        free(s->keys[m]);
        free(s->owner[m]);
        free(s->protos[m]);
        free(s->has[m]);
        free(s->cnt[m]);
    }
    free(s);
}

static size_t bits_of(const am_concepts *cm, size_t m)
{
    if (cm->cfg.hebb_bits)
        return cm->cfg.hebb_bits;
    size_t b = 4 * cm->mod[m].dim;
    return b > 4096 ? 4096 : b;
}

/* codes (n x bits) = sign((x - mean) R^T); tmp: n x dim floats. */
static int encode(const hebb_state *s, size_t m, size_t d, const float *x, size_t n, float *tmp, float *codes,
                  am__gemm_ws *ws)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            tmp[i * d + j] = x[i * d + j] - s->mean[m][j];
    int rc = am__sgemm(0, 1, n, s->bits[m], d, tmp, d, s->R[m], d, 0, codes, s->bits[m], ws);
    if (rc)
        return rc;
    for (size_t k = 0; k < n * s->bits[m]; k++)
        codes[k] = codes[k] > 0.0f ? 1.0f : -1.0f;
    return AM_OK;
}

static int hebb_build(const am_concepts *cm, void **out)
{
    hebb_state *s = calloc(1, sizeof *s);
    am__gemm_ws ws = {0};
    size_t N = cm->count ? cm->count : 1;
    int rc = s ? am__gemm_ws_reserve(&ws, 1) : AM_ENOMEM;
    for (size_t m = 0; m < cm->nmod && !rc; m++) {
        size_t d = cm->mod[m].dim, B = bits_of(cm, m), K, bytes;
        s->bits[m] = B;
        s->maxbits = B > s->maxbits ? B : s->maxbits;
        s->maxdim = d > s->maxdim ? d : s->maxdim;
        if ((rc = am__concepts_keys(cm, m, &s->keys[m], &s->owner[m], &s->nkeys[m])) ||
            (rc = am__concepts_protos(cm, m, &s->protos[m], &s->has[m])))
            break;
        K = s->nkeys[m];
        s->maxkeys = K > s->maxkeys ? K : s->maxkeys;
        s->R[m] = malloc(B * d * sizeof(float));
        s->mean[m] = malloc(d * sizeof(float));
        s->cnt[m] = calloc(N, sizeof(size_t));
        if (am_size_mul3(N, B, sizeof(float), &bytes) || !(s->W[m] = am__alloc_big(bytes))) {
            rc = AM_ENOMEM;
            break;
        }
        memset(s->W[m], 0, bytes);
        if (!s->R[m] || !s->mean[m] || !s->cnt[m]) {
            rc = AM_ENOMEM;
            break;
        }
        am_rng rng;
        am_rng_init(&rng, cm->cfg.seed, am_rng_stream2(0x48454242u /* "HEBB" */, m));
        for (size_t k = 0; k < B * d; k++)
            s->R[m][k] = (float)am_rng_normal(&rng);
        am__concepts_mean(cm, m, s->mean[m]);
        if (!K)
            continue;
        float *tmp = malloc(256 * d * sizeof(float));
        if (am_size_mul3(K, B, sizeof(float), &bytes) || !tmp || !(s->codes[m] = am__alloc_big(bytes))) {
            free(tmp);
            rc = AM_ENOMEM;
            break;
        }
        for (size_t k0 = 0; k0 < K && !rc; k0 += 256) {
            size_t n = K - k0 < 256 ? K - k0 : 256;
            rc = encode(s, m, d, s->keys[m] + k0 * d, n, tmp, s->codes[m] + k0 * B, &ws);
        }
        free(tmp);
        /* one-shot Hebbian wiring: each exemplar's code onto its concept's unit */
        for (size_t k = 0; k < K && !rc; k++) {
            uint32_t c = s->owner[m][k];
            float *w = s->W[m] + (size_t)c * B;
            const float *x = s->codes[m] + k * B;
            for (size_t j = 0; j < B; j++)
                w[j] += x[j];
            s->cnt[m][c]++;
        }
    }
    am__gemm_ws_free(&ws);
    if (rc) {
        hebb_free(s);
        return rc;
    }
    *out = s;
    return AM_OK;
}

static size_t hebb_bytes(const void *p)
{
    const hebb_state *s = p;
    size_t b = sizeof *s;
    for (size_t m = 0; m < AM__MAXMOD; m++)
        if (s->R[m])
            b += s->bits[m] * (s->nkeys[m] + 1) * sizeof(float) + s->nkeys[m] * sizeof(uint32_t);
    return b;
}

static size_t hebb_scratch(const am_concepts *cm, const void *p, size_t nb)
{
    const hebb_state *s = p;
    size_t a = nb * s->maxdim + nb * s->maxbits, k = s->maxkeys > cm->count ? s->maxkeys : cm->count;
    return a + nb * k + 16;
}

static int hebb_activate(const am_concepts *cm, const void *p, const float *const *cues, am__cblock *b, float *act)
{
    const hebb_state *s = p;
    size_t N = cm->count, nb = b->nb, present = 0;
    float *tmp = b->buf, *code = tmp + nb * s->maxdim, *h = code + nb * s->maxbits;
    memset(act, 0, nb * N * sizeof(float));
    for (size_t m = 0; m < cm->nmod; m++) {
        if (!cues[m])
            continue;
        present++;
        size_t d = cm->mod[m].dim, B = s->bits[m];
        int rc = encode(s, m, d, cues[m] + b->q0 * d, nb, tmp, code, b->ws);
        if (!rc)
            rc = am__sgemm(0, 1, nb, N, B, code, B, s->W[m], B, 0, h, N, b->ws);
        if (rc)
            return rc;
        for (size_t c = 0; c < N; c++) {
            if (!s->cnt[m][c])
                continue;
            float inv = (float)(1.0 / ((double)s->cnt[m][c] * (double)B));
            for (size_t q = 0; q < nb; q++)
                act[q * N + c] += h[q * N + c] * inv;
        }
    }
    if (present > 1)
        for (size_t k = 0; k < nb * N; k++)
            act[k] /= (float)present;
    return AM_OK;
}

static int hebb_readout(const am_concepts *cm, const void *p, const float *act, const size_t *winner,
                        const size_t *answer, size_t t,
                        am__cblock *b, float *out)
{
    (void)act;
    (void)winner;
    const hebb_state *s = p;
    size_t nb = b->nb, d = cm->mod[t].dim, B = s->bits[t], K = s->nkeys[t];
    float *code = b->buf + nb * s->maxdim, *sc = code + nb * s->maxbits;
    for (size_t q = 0; q < nb; q++) {
        size_t c = answer[q];
        for (size_t j = 0; j < B; j++)
            code[q * B + j] = c != SIZE_MAX && s->cnt[t][c] && s->W[t][c * B + j] > 0.0f ? 1.0f : -1.0f;
    }
    if (K) {
        int rc = am__sgemm(0, 1, nb, K, B, code, B, s->codes[t], B, 0, sc, K, b->ws);
        if (rc)
            return rc;
    }
    for (size_t q = 0; q < nb; q++) {
        size_t c = answer[q];
        if (c != SIZE_MAX && s->cnt[t][c] && K) {
            size_t k = am__argmax_masked(sc + q * K, K, NULL);
            memcpy(out + q * d, s->keys[t] + k * d, d * sizeof(float));
        } else if (c != SIZE_MAX && s->has[t][c]) {
            memcpy(out + q * d, s->protos[t] + c * d, d * sizeof(float));
        } else {
            memset(out + q * d, 0, d * sizeof(float));
        }
    }
    return AM_OK;
}

const am_binding_type am__binding_hebb_type = {
    .name = "hebb",
    .build = hebb_build,
    .free = hebb_free,
    .bytes = hebb_bytes,
    .scratch_floats = hebb_scratch,
    .activate = hebb_activate,
    .readout = hebb_readout,
};
const am_binding_type *const am_binding_hebb = &am__binding_hebb_type;
