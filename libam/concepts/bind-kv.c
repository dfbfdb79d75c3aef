/* Binding mechanism "kv": key-value modern Hopfield retrieval (see am/concept.h).
 * Keys: every exemplar of a modality; a concept's activation is the softmax mass of its keys; the target
 * latent is the mass-weighted sum of the concepts' prototypes in the target modality. */
#include <math.h>
#include <omp.h>
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
    float *protos[AM__MAXMOD];  /* count x dim; keys[m] itself when they are the same bits (one exemplar each) */
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
        if (s->protos[m] != s->keys[m])
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
        if (s->identity[m] && s->allhas[m] && s->nkeys[m] &&
            !memcmp(s->keys[m], s->protos[m], cm->count * d * sizeof(float))) { /* one copy, not two */
            free(s->protos[m]);
            s->protos[m] = s->keys[m];
        }
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

typedef float kv_v16 __attribute__((vector_size(64)));
typedef int32_t kv_i16 __attribute__((vector_size(64)));

/* a where sel (all ones), else b: a vector select in C (GCC has no ?: on vectors there) */
#define KV_SELECT(sel, a, b) ((kv_v16)(((kv_i16)(a) & (sel)) | ((kv_i16)(b) & ~(sel))))

/* A row of scores (beta q.k) in place minus bias (may be NULL); its maximum in *maxp. Returns -1 when a score is
 * infinite, else 0 (a NaN is ignored here: it makes the sum of row_exp_sum NaN). 16 lanes of maxima and minima
 * (GCC vectors: the compiler does not vectorise a max reduction by itself without reassociating). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static int row_prep(float *restrict row, size_t K,
                                                                               const float *restrict bias,
                                                                               float *maxp)
{
    kv_v16 hi, lo;
    float mx = -INFINITY, mn = INFINITY;
    for (size_t j = 0; j < 16; j++)
        hi[j] = -INFINITY, lo[j] = INFINITY;
    if (bias)
        for (size_t k = 0; k < K; k++)
            row[k] -= bias[k];
    size_t k = 0;
    for (; k + 16 <= K; k += 16) {
        kv_v16 v;
        memcpy(&v, row + k, sizeof v);
        hi = KV_SELECT(v > hi, v, hi);
        lo = KV_SELECT(v < lo, v, lo);
    }
    for (size_t j = 0; k < K; k++, j++) {
        hi[j] = row[k] > hi[j] ? row[k] : hi[j];
        lo[j] = row[k] < lo[j] ? row[k] : lo[j];
    }
    for (size_t j = 0; j < 16; j++) {
        mx = hi[j] > mx ? hi[j] : mx;
        mn = lo[j] < mn ? lo[j] : mn;
    }
    *maxp = mx;
    return mx - mn < INFINITY || (mx == -INFINITY && mn == INFINITY) ? 0 : -1;
}

/* row <- e^(row - mx) in place (every entry <= mx); returns the sum: 16 partial sums in a fixed order,
 * vectorised, and the same bits on any CPU. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static float row_exp_sum(float *restrict row, size_t K,
                                                                                    float mx)
{
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
    return sum;
}

/* A row of scores in place: minus bias (may be NULL), then e^(s - max); returns the sum, or -1 when a score
 * is not finite. */
static float row_exp(float *restrict row, size_t K, const float *restrict bias, float *maxp)
{
    if (row_prep(row, K, bias, maxp))
        return -1.0f;
    float sum = row_exp_sum(row, K, *maxp);
    return sum == sum ? sum : -1.0f;
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

/* ---- one pass: ranking and read-out without the activations of every concept ---- */

#define KV_TILE 512 /* concepts per tile: fixed, so that the bits depend on nothing else */

size_t am__kv_stream_floats(const am__kv_src *src, size_t nb, size_t k)
{
    return nb * src->dk + nb * KV_TILE + 2 * nb + nb * k + 16;
}

/* Offers the scores row[0..cols) of concepts c0.. (largest mx) to a top-k list, best first (ts scores, ti
 * indices, *filled entries): only a strictly greater score enters, so of equal scores the lower index ranks
 * first. */
static void topk_offer(const float *row, size_t cols, size_t c0, float mx, size_t k, float *ts, size_t *ti,
                       size_t *filled)
{
    if (*filled == k && !(mx > ts[k - 1]))
        return;
    for (size_t i = 0; i < cols; i++) {
        float v = row[i];
        if (*filled == k && !(v > ts[k - 1]))
            continue;
        size_t p = *filled < k ? (*filled)++ : k - 1;
        for (; p > 0 && v > ts[p - 1]; p--) {
            ts[p] = ts[p - 1];
            ti[p] = ti[p - 1];
        }
        ts[p] = v;
        ti[p] = c0 + i;
    }
}

/* One tile's rows (nb x cols scores of concepts c0..): rank, raise each row's running maximum (rescaling its
 * sum and read-outs), exponentiate in place and add to the sums. */
static int tile_rows(const am__kv_src *src, float *tile, size_t nb, size_t cols, size_t c0, size_t k, float *mx,
                     float *sum, float *ts, size_t *top, size_t *filled, float *const *out)
{
    size_t f = *filled;
    for (size_t q = 0; q < nb; q++) {
        float *row = tile + q * cols, tm;
        if (row_prep(row, cols, src->bias ? src->bias + c0 : NULL, &tm))
            return AM_ENOTFINITE;
        f = *filled;
        topk_offer(row, cols, c0, tm, k, ts + q * k, top + q * k, &f);
        if (tm > mx[q]) {
            if (c0) { /* the first tile starts the sums and read-outs */
                float sc = am__exp_nonpos(mx[q] - tm);
                sum[q] *= sc;
                for (size_t t = 0; t < src->ntg; t++)
                    scale_row(out[t] + q * src->dv[t], src->dv[t], sc);
            }
            mx[q] = tm;
        }
        float e = row_exp_sum(row, cols, mx[q]);
        if (e != e)
            return AM_ENOTFINITE; /* a NaN score */
        sum[q] += e;
    }
    *filled = f;
    return AM_OK;
}

int am__kv_stream(const am__kv_src *src, const float *cues, size_t nb, size_t k, size_t *top, float *score,
                  float *const *out, float *scratch, am__gemm_ws *ws)
{
    size_t n = src->n, dk = src->dk, filled = 0;
    float *qb = scratch, *tile = qb + nb * dk, *mx = tile + nb * KV_TILE, *sum = mx + nb, *ts = sum + nb;
    for (size_t i = 0; i < nb * dk; i++)
        qb[i] = src->beta * cues[i];
    for (size_t q = 0; q < nb; q++)
        mx[q] = -INFINITY, sum[q] = 0.0f;
    for (size_t c0 = 0; c0 < n; c0 += KV_TILE) {
        size_t cols = n - c0 < KV_TILE ? n - c0 : KV_TILE;
        int rc = am__sgemm(0, 1, nb, cols, dk, qb, dk, src->keys + c0 * dk, dk, 0, tile, cols, ws);
        if (!rc)
            rc = tile_rows(src, tile, nb, cols, c0, k, mx, sum, ts, top, &filled, out);
        for (size_t t = 0; t < src->ntg && !rc; t++)
            rc = am__sgemm(0, 0, nb, src->dv[t], cols, tile, cols, src->vals[t] + c0 * src->dv[t], src->dv[t], c0 > 0,
                           out[t], src->dv[t], ws);
        if (rc)
            return rc;
    }
    for (size_t q = 0; q < nb; q++) {
        float inv = 1.0f / sum[q]; /* >= 1: the maximum contributes e^0 */
        for (size_t t = 0; t < src->ntg; t++)
            scale_row(out[t] + q * src->dv[t], src->dv[t], inv);
        for (size_t j = 0; score && j < k; j++)
            score[q * k + j] = am__exp_nonpos(ts[q * k + j] - mx[q]) * inv;
    }
    return AM_OK;
}

int am_kv_recall(const float *keys, const float *values, size_t n, size_t dk, size_t dv, double beta, const float *cues,
                 size_t nq, size_t k, size_t *top, float *score, float *out, int nthreads)
{
    if (!keys || !cues || !top || n == 0 || dk == 0 || k == 0 || k > n || (out && (!values || dv == 0)) ||
        !(beta > 0.0) || !(beta <= 1e30))
        return AM_EINVAL;
    for (size_t i = 0; i < nq * dk; i++)
        if (!isfinite(cues[i]))
            return AM_ENOTFINITE;
    am__kv_src src = {.keys = keys, .n = n, .dk = dk, .beta = (float)beta, .ntg = out ? 1 : 0, .vals = {values},
                      .dv = {dv}};
    size_t nb = nq < 256 ? (nq ? nq : 1) : 256, nblocks = (nq + nb - 1) / nb, sf = am__kv_stream_floats(&src, nb, k);
    int nt = nthreads > 0 ? nthreads : omp_get_max_threads(), fail = AM_OK;
    if ((size_t)nt > nblocks)
        nt = nblocks ? (int)nblocks : 1;
#pragma omp parallel num_threads(nt)
    {
        am__gemm_ws ws = {0};
        float *buf = am__alloc_big(sf * sizeof(float));
        int rc = buf ? am__gemm_ws_reserve(&ws, 1) : AM_ENOMEM;
#pragma omp for schedule(dynamic, 1)
        for (size_t blk = 0; blk < nblocks; blk++) {
            size_t q0 = blk * nb, m = nq - q0 < nb ? nq - q0 : nb;
            float *o[1] = {out ? out + q0 * dv : NULL};
            if (!rc)
                rc = am__kv_stream(&src, cues + q0 * dk, m, k, top + q0 * k, score ? score + q0 * k : NULL, o, buf, &ws);
        }
        if (rc) {
#pragma omp critical(am_kv_recall_err)
            if (!fail)
                fail = rc;
        }
        am__gemm_ws_free(&ws);
        free(buf);
    }
    return fail;
}

/* The one pass applies to a single cue modality whose keys are the concepts (one exemplar each) and to read-outs
 * in modalities where every concept has a prototype. */
static int kv_stream_src(const am_concepts *cm, const kv_state *s, const float *const *cues, float *const *outs,
                         am__kv_src *src, size_t *cue_m)
{
    size_t present = 0, m0 = 0;
    for (size_t m = 0; m < cm->nmod; m++)
        if (cues[m])
            present++, m0 = m;
    if (present != 1 || !s->identity[m0] || !s->nkeys[m0])
        return 0;
    *src = (am__kv_src){.keys = s->keys[m0], .bias = s->half2[m0], .n = cm->count, .dk = cm->mod[m0].dim,
                        .beta = (float)cm->cfg.beta};
    for (size_t t = 0; t < cm->nmod; t++)
        if (outs[t]) {
            if (!s->allhas[t])
                return 0;
            src->vals[src->ntg] = s->protos[t];
            src->dv[src->ntg++] = cm->mod[t].dim;
        }
    *cue_m = m0;
    return 1;
}

static size_t kv_stream_floats(const am_concepts *cm, const void *p, const float *const *cues, float *const *outs,
                               size_t nb, size_t k)
{
    am__kv_src src;
    size_t m0;
    return kv_stream_src(cm, p, cues, outs, &src, &m0) ? am__kv_stream_floats(&src, nb, k) : 0;
}

static int kv_stream(const am_concepts *cm, const void *p, const float *const *cues, float *const *outs,
                     am__cblock *b, size_t k, size_t *top, float *score)
{
    am__kv_src src;
    size_t m0;
    float *o[AM__MAXMOD];
    if (!kv_stream_src(cm, p, cues, outs, &src, &m0))
        return AM_EUNSUPPORTED;
    for (size_t t = 0, j = 0; t < cm->nmod; t++)
        if (outs[t])
            o[j++] = outs[t] + b->q0 * cm->mod[t].dim;
    return am__kv_stream(&src, cues[m0] + b->q0 * src.dk, b->nb, k, top, score, o, b->buf, b->ws);
}

const am_binding_type am__binding_kv_type = {
    .name = "kv",
    .build = kv_build,
    .free = kv_free,
    .bytes = kv_bytes,
    .scratch_floats = kv_scratch,
    .activate = kv_activate,
    .readout = kv_readout,
    .stream_floats = kv_stream_floats,
    .stream = kv_stream,
};
const am_binding_type *const am_binding_kv = &am__binding_kv_type;
