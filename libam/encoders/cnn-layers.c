/* The convolutional network's layers, forward and backward, on channels-last minibatches (row r of a layer's
 * matrix = one position of one sample, its channels contiguous).
 *
 * Products: convolutions by im2col (a row of K = kh kw C_in values per output position) times the K x C_out
 * weights, through libam's sgemm on tiles of rows x 32-column strips shared out among the threads: every
 * element is one fused multiply-add chain over K in order, whoever computes it. Weight gradients sum over all
 * rows of the batch: the rows are cut into fixed chunks (CNN_KCHUNK, independent of the thread count) whose
 * partial products are added in order. Column sums (biases, batch statistics) likewise: CNN_SUMCHUNKS fixed
 * chunks of rows summed in double, added in order. Everything per sample (im2col, pooling, activations) is
 * independent across samples. So no bit depends on the thread count. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../core/gemm.h"
#include "am/error.h"
#include "cnn-layers.h"

/* C (m x n, ldc) = A op(B): A m x k row-major (lda); op(B) k x n: B row-major k x n (tb = 0, ldb) or B^T
 * with B n x k (tb = 1, ldb). Tiles of rows x strips of 32 columns, dealt dynamically. */
void am__cnn_gemm(cnn_ws *w, int tb, size_t m, size_t n, size_t k, const float *A, size_t lda, const float *B,
                  size_t ldb, float *C, size_t ldc)
{
    size_t strips = (n + 31) / 32, T = (size_t)w->threads;
    size_t want = 4 * T, rb = strips >= want ? 1 : (want + strips - 1) / strips;
    size_t rows = (m + rb - 1) / rb;
    rows = rows < 32 ? 32 : rows > 512 ? 512 : (rows + 7) / 8 * 8;
    size_t nrb = (m + rows - 1) / rows, tasks = nrb * strips;
    int nt = T > 1 && m * n * k >= 65536 && tasks > 1 ? (int)T : 1;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
    for (size_t q = 0; q < tasks; q++) {
        size_t i0 = q / strips * rows, j0 = q % strips * 32;
        size_t mi = m - i0 < rows ? m - i0 : rows, nj = n - j0 < 32 ? n - j0 : 32;
        am__gemm_ws ws = am__gemm_ws_slice(&w->gws, omp_get_thread_num(), 1);
        if (tb)
            am__sgemm_team_nowait(0, 1, 0, 1, mi, nj, k, A + i0 * lda, lda, B + j0 * ldb, ldb, 0, C + i0 * ldc + j0,
                                  ldc, &ws, NULL, NULL);
        else
            am__sgemm_team_inplace(0, 1, 0, mi, nj, k, A + i0 * lda, lda, B + j0, ldb, 0, C + i0 * ldc + j0, ldc, &ws,
                                   NULL, NULL);
    }
}

/* C (m x n, row-major) = A^T B over k rows: A k x m (lda), B k x n (ldb). The rows in fixed chunks of
 * CNN_KCHUNK, each chunk's product into w->wpart, the chunks added in order. */
static void gemm_tn(cnn_ws *w, size_t m, size_t n, size_t k, const float *A, size_t lda, const float *B, size_t ldb,
                    float *C)
{
    size_t G = (k + CNN_KCHUNK - 1) / CNN_KCHUNK, strips = (n + 31) / 32;
    size_t rows = m < 64 ? (m + 7) / 8 * 8 : 64;
    size_t nrb = (m + rows - 1) / rows, tasks = G * nrb * strips, mn = m * n;
    float *part = G > 1 ? w->wpart : C;
    int nt = w->threads > 1 && tasks > 1 ? w->threads : 1;
#pragma omp parallel num_threads(nt)
    {
        am__gemm_ws ws = am__gemm_ws_slice(&w->gws, omp_get_thread_num(), 1);
#pragma omp for schedule(dynamic, 1)
        for (size_t q = 0; q < tasks; q++) {
            size_t g = q / (nrb * strips), r = q % (nrb * strips);
            size_t i0 = r / strips * rows, j0 = r % strips * 32, p0 = g * CNN_KCHUNK;
            size_t mi = m - i0 < rows ? m - i0 : rows, nj = n - j0 < 32 ? n - j0 : 32;
            size_t kc = k - p0 < CNN_KCHUNK ? k - p0 : CNN_KCHUNK;
            am__sgemm_team_inplace(0, 1, 1, mi, nj, kc, A + p0 * lda + i0, lda, B + p0 * ldb + j0, ldb, 0,
                                   part + g * mn + i0 * n + j0, n, &ws, NULL, NULL);
        }
        if (G > 1) {
#pragma omp for schedule(static)
            for (size_t i = 0; i < mn; i++) {
                float s = part[i];
                for (size_t g = 1; g < G; g++)
                    s += part[g * mn + i];
                C[i] = s;
            }
        }
    }
}

/* One chunk of column sums in double: p1[c] += a[r][c], and with b, p2[c] += a[r][c] b[r][c]. The order of
 * every sum is the rows' order, whatever the vector width. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void colsum_chunk(const float *a, const float *b, size_t r0, size_t r1, size_t cols, double *p1, double *p2)
{
    for (size_t r = r0; r < r1; r++) {
        const float *ar = a + r * cols;
        for (size_t c = 0; c < cols; c++)
            p1[c] += ar[c];
        if (!b)
            continue;
        const float *br = b + r * cols;
        for (size_t c = 0; c < cols; c++)
            p2[c] += (double)ar[c] * br[c];
    }
}

/* s1[c] = sum over rows of a[r][c]; with b (same shape), s2[c] = sum of a[r][c] b[r][c]. In double, over
 * CNN_SUMCHUNKS fixed chunks of rows added in order. */
static void colsums(cnn_ws *w, const float *a, const float *b, size_t rows, size_t cols, double *s1, double *s2)
{
    double *part = w->part;
    int nt = w->threads > 1 && rows * cols >= 65536 ? w->threads : 1;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (size_t g = 0; g < CNN_SUMCHUNKS; g++) {
        double *p1 = part + g * 2 * cols, *p2 = p1 + cols;
        memset(p1, 0, 2 * cols * sizeof(double));
        colsum_chunk(a, b, rows * g / CNN_SUMCHUNKS, rows * (g + 1) / CNN_SUMCHUNKS, cols, p1, p2);
    }
    for (size_t c = 0; c < cols; c++) {
        double x = 0, y = 0;
        for (size_t g = 0; g < CNN_SUMCHUNKS; g++) {
            x += part[g * 2 * cols + c];
            y += part[g * 2 * cols + cols + c];
        }
        s1[c] = x;
        if (s2)
            s2[c] = y;
    }
}

/* ---- convolution and dense layers ---- */

/* The im2col rows of one sample: row (oy ow + ox), entries (ky kw + kx) C + c, zero outside the input. */
static void im2col_one(const cnn_layer *L, const float *x, float *col)
{
    size_t C = L->ic;
    for (size_t oy = 0; oy < L->oh; oy++)
        for (size_t ox = 0; ox < L->ow; ox++) {
            float *r = col + (oy * L->ow + ox) * L->K;
            long y0 = (long)(oy * L->sh) - (long)L->ph, x0 = (long)(ox * L->sw) - (long)L->pw;
            long k0 = x0 < 0 ? -x0 : 0, k1 = (long)L->iw - x0 < (long)L->kw ? (long)L->iw - x0 : (long)L->kw;
            for (size_t ky = 0; ky < L->kh; ky++) {
                float *d = r + ky * L->kw * C;
                long iy = y0 + (long)ky;
                if (iy < 0 || iy >= (long)L->ih || k1 <= k0) {
                    memset(d, 0, L->kw * C * sizeof(float));
                    continue;
                }
                memset(d, 0, (size_t)k0 * C * sizeof(float));
                memcpy(d + (size_t)k0 * C, x + ((size_t)iy * L->iw + (size_t)(x0 + k0)) * C,
                       (size_t)(k1 - k0) * C * sizeof(float));
                memset(d + (size_t)k1 * C, 0, (L->kw - (size_t)k1) * C * sizeof(float));
            }
        }
}

/* dx (one sample, zeroed here) = the sum of dcol's entries over the positions that read each input value,
 * in a fixed order. */
static void col2im_one(const cnn_layer *L, const float *dcol, float *dx)
{
    size_t C = L->ic;
    memset(dx, 0, cnn_in_size(L) * sizeof(float));
    for (size_t oy = 0; oy < L->oh; oy++)
        for (size_t ox = 0; ox < L->ow; ox++) {
            const float *r = dcol + (oy * L->ow + ox) * L->K;
            long y0 = (long)(oy * L->sh) - (long)L->ph, x0 = (long)(ox * L->sw) - (long)L->pw;
            long k0 = x0 < 0 ? -x0 : 0, k1 = (long)L->iw - x0 < (long)L->kw ? (long)L->iw - x0 : (long)L->kw;
            for (size_t ky = 0; ky < L->kh; ky++) {
                long iy = y0 + (long)ky;
                if (iy < 0 || iy >= (long)L->ih || k1 <= k0)
                    continue;
                const float *s = r + (ky * L->kw + (size_t)k0) * C;
                float *d = dx + ((size_t)iy * L->iw + (size_t)(x0 + k0)) * C;
                for (size_t i = 0; i < (size_t)(k1 - k0) * C; i++)
                    d[i] += s[i];
            }
        }
}

size_t am__cnn_group(const cnn_layer *L)
{
    size_t per = L->oh * L->ow * L->K, g = CNN_GROUP_FLOATS / (per ? per : 1);
    return g < 1 ? 1 : g;
}

/* The lanes of a convolution over b samples: groups of am__cnn_group samples, dealt in contiguous runs to
 * at most CNN_LANES lanes (fixed by b and the layer, not by the thread count). Lane j's groups are [*g0,
 * *g1); returns the lane count. */
static size_t lanes(const cnn_layer *L, size_t b, size_t j, size_t *g0, size_t *g1)
{
    size_t sg = am__cnn_group(L), groups = (b + sg - 1) / sg, P = groups < CNN_LANES ? groups : CNN_LANES;
    *g0 = groups * j / P;
    *g1 = groups * (j + 1) / P;
    return P;
}

/* Dense layers and 1 x 1 convolutions: one product over all rows. */
static void plain_forward(const cnn_layer *L, const float *W, const float *bias, cnn_ws *w, size_t b,
                          const float *in, float *out)
{
    size_t rows = b * L->oh * L->ow, oc = L->oc;
    am__cnn_gemm(w, 0, rows, oc, L->K, in, L->K, W, oc, out, oc);
#pragma omp parallel for num_threads(w->threads) schedule(static)
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < oc; c++)
            out[r * oc + c] += bias[c];
}

/* Epilogue: the biases added to a finished tile. */
static void epi_bias(float *c, size_t ldc, size_t i0, size_t rows, size_t j0, size_t cols, void *ctx)
{
    const float *b = (const float *)ctx + j0;
    (void)i0;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            c[i * ldc + j] += b[j];
}

/* A convolution by groups of samples: each group's im2col rows (in the thread's scratch, in cache) times the
 * weights, plus the biases. */
static void conv_forward(const cnn_layer *L, const float *W, const float *bias, cnn_ws *w, size_t b, const float *in,
                         float *out)
{
    if (L->nocol) {
        plain_forward(L, W, bias, w, b, in, out);
        return;
    }
    size_t sg = am__cnn_group(L), pos = L->oh * L->ow, per = pos * L->K, oc = L->oc, g0, g1;
    size_t P = lanes(L, b, 0, &g0, &g1);
#pragma omp parallel for num_threads(w->threads) schedule(dynamic, 1)
    for (size_t j = 0; j < P; j++) {
        int tid = omp_get_thread_num();
        am__gemm_ws ws = am__gemm_ws_slice(&w->gws, tid, 1);
        float *col = w->tcol + (size_t)tid * w->tcolsize;
        size_t a0, a1;
        lanes(L, b, j, &a0, &a1);
        for (size_t g = a0; g < a1; g++) {
            size_t s0 = g * sg, ns = b - s0 < sg ? b - s0 : sg;
            for (size_t s = 0; s < ns; s++)
                im2col_one(L, in + (s0 + s) * cnn_in_size(L), col + s * per);
            am__sgemm_team_inplace(0, 1, 0, ns * pos, oc, L->K, col, L->K, W, oc, 0, out + s0 * pos * oc, oc, &ws,
                                   epi_bias, (void *)bias);
        }
    }
}

static void plain_backward(const cnn_layer *L, const float *W, float *gW, cnn_ws *w, size_t b, const float *in,
                           const float *dout, float *din)
{
    size_t rows = b * L->oh * L->ow, oc = L->oc;
    gemm_tn(w, L->K, oc, rows, in, L->K, dout, oc, gW);
    if (din)
        am__cnn_gemm(w, 1, rows, L->K, oc, dout, oc, W, oc, din, L->K);
}

/* Backward by the forward's groups: im2col again (cheaper than keeping it), each lane's weight gradient
 * accumulated over its groups in order (one product chain), the lanes' sums added in order; the input
 * gradient of each group through its own dcol and col2im. */
static void conv_backward(const cnn_layer *L, const float *W, float *gW, float *gb, cnn_ws *w, size_t b,
                          const float *in, const float *dout, float *din)
{
    size_t rows = b * L->oh * L->ow, oc = L->oc, kn = L->K * oc;
    colsums(w, dout, NULL, rows, oc, w->sum1, NULL);
    for (size_t c = 0; c < oc; c++)
        gb[c] = (float)w->sum1[c];
    if (L->nocol) {
        plain_backward(L, W, gW, w, b, in, dout, din);
        return;
    }
    size_t sg = am__cnn_group(L), pos = L->oh * L->ow, per = pos * L->K, g0, g1;
    size_t P = lanes(L, b, 0, &g0, &g1);
    for (size_t k = 0; din && k < L->K; k++) /* W^T (oc x K): the B of every group's dcol, read in place */
        for (size_t c = 0; c < oc; c++)
            w->wt[c * L->K + k] = W[k * oc + c];
#pragma omp parallel num_threads(w->threads)
    {
        int tid = omp_get_thread_num();
        am__gemm_ws ws = am__gemm_ws_slice(&w->gws, tid, 1);
        float *col = w->tcol + (size_t)tid * w->tcolsize, *dcol = w->tdcol + (size_t)tid * w->tcolsize;
#pragma omp for schedule(dynamic, 1)
        for (size_t j = 0; j < P; j++) {
            size_t a0, a1;
            lanes(L, b, j, &a0, &a1);
            for (size_t g = a0; g < a1; g++) {
                size_t s0 = g * sg, ns = b - s0 < sg ? b - s0 : sg;
                const float *dy = dout + s0 * pos * oc;
                for (size_t s = 0; s < ns; s++)
                    im2col_one(L, in + (s0 + s) * cnn_in_size(L), col + s * per);
                am__sgemm_team_inplace(0, 1, 1, L->K, oc, ns * pos, col, L->K, dy, oc, g > a0, w->wpart + j * kn, oc,
                                       &ws, NULL, NULL);
                if (!din)
                    continue;
                am__sgemm_team_inplace(0, 1, 0, ns * pos, L->K, oc, dy, oc, w->wt, L->K, 0, dcol, L->K, &ws, NULL, NULL);
                for (size_t s = 0; s < ns; s++)
                    col2im_one(L, dcol + s * per, din + (s0 + s) * cnn_in_size(L));
            }
        }
#pragma omp for schedule(static)
        for (size_t i = 0; i < kn; i++) {
            float v = w->wpart[i];
            for (size_t j = 1; j < P; j++)
                v += w->wpart[j * kn + i];
            gW[i] = v;
        }
    }
}

/* ---- pooling and upsampling (per sample) ---- */

/* Pooling of one sample, channels innermost (vectorised; comparisons and sums in the window's order, so every
 * clone gives the same values): max keeps the first largest value and its index (arg, may be NULL). */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void pool_forward_one(const cnn_layer *L, const float *x, float *y, int32_t *arg)
{
    size_t C = L->ic;
    float inv = 1.0f / (float)(L->kh * L->kw);
    int mx = L->kind == CNN_MAXPOOL;
    for (size_t oy = 0; oy < L->oh; oy++)
        for (size_t ox = 0; ox < L->ow; ox++) {
            size_t i0 = ((oy * L->sh) * L->iw + ox * L->sw) * C;
            float *yo = y + (oy * L->ow + ox) * C;
            int32_t *ao = arg ? arg + (oy * L->ow + ox) * C : NULL;
            memcpy(yo, x + i0, C * sizeof(float));
            for (size_t c = 0; ao && c < C; c++)
                ao[c] = (int32_t)(i0 + c);
            for (size_t q = 1; q < L->kh * L->kw; q++) {
                size_t i = i0 + ((q / L->kw) * L->iw + q % L->kw) * C;
                const float *xi = x + i;
                if (!mx) {
                    for (size_t c = 0; c < C; c++)
                        yo[c] += xi[c];
                } else if (ao) {
                    for (size_t c = 0; c < C; c++)
                        if (xi[c] > yo[c]) {
                            yo[c] = xi[c];
                            ao[c] = (int32_t)(i + c);
                        }
                } else {
                    for (size_t c = 0; c < C; c++)
                        yo[c] = xi[c] > yo[c] ? xi[c] : yo[c];
                }
            }
            for (size_t c = 0; !mx && c < C; c++)
                yo[c] *= inv;
        }
}

static void pool_backward_one(const cnn_layer *L, const float *dy, const int32_t *arg, float *dx)
{
    size_t C = L->ic, n = cnn_out_size(L);
    float inv = 1.0f / (float)(L->kh * L->kw);
    memset(dx, 0, cnn_in_size(L) * sizeof(float));
    if (L->kind == CNN_MAXPOOL) {
        for (size_t o = 0; o < n; o++)
            dx[arg[o]] += dy[o];
        return;
    }
    for (size_t oy = 0; oy < L->oh; oy++)
        for (size_t ox = 0; ox < L->ow; ox++) {
            size_t i0 = ((oy * L->sh) * L->iw + ox * L->sw) * C;
            const float *g = dy + (oy * L->ow + ox) * C;
            for (size_t q = 0; q < L->kh * L->kw; q++) {
                float *d = dx + i0 + ((q / L->kw) * L->iw + q % L->kw) * C;
                for (size_t c = 0; c < C; c++)
                    d[c] += g[c] * inv;
            }
        }
}

/* up: y(oy, ox, c) = x(oy / f, ox / f, c); backward sums each f x f block in order. */
static void up_one(const cnn_layer *L, const float *x, float *y, int backward)
{
    size_t C = L->ic;
    if (backward)
        memset(y, 0, cnn_in_size(L) * sizeof(float));
    for (size_t oy = 0; oy < L->oh; oy++)
        for (size_t ox = 0; ox < L->ow; ox++) {
            size_t o = (oy * L->ow + ox) * C, i = ((oy / L->kh) * L->iw + ox / L->kw) * C;
            for (size_t c = 0; c < C; c++) {
                if (backward)
                    y[i + c] += x[o + c]; /* x: dy, y: dx */
                else
                    y[o + c] = x[i + c];
            }
        }
}

/* ---- batch normalisation ---- */

#define BN_EPS 1e-5

/* out = in a[c] + b[c] over rows x C. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void affine_rows(const float *in, float *out, size_t r0, size_t r1, size_t C, const float *a, const float *b)
{
    for (size_t r = r0; r < r1; r++)
        for (size_t c = 0; c < C; c++)
            out[r * C + c] = in[r * C + c] * a[c] + b[c];
}

/* Batch normalisation: y = scale (x - mean) inv + shift, computed as x a + b with a = scale inv, b = shift -
 * mean a. In training, mean and inv of the batch (kept for backward, which recomputes the normalised values
 * from the input) and the running statistics move (state not NULL); in inference, the running ones (rs). */
static void bn_forward(const cnn_layer *L, const float *gamma, const float *beta, const float *rs, float *state,
                       cnn_ws *w, int l, size_t b, const float *in, float *out)
{
    size_t C = L->oc, rows = b * L->oh * L->ow;
    float *mean = w->bnstat + w->bnoff[l], *inv = mean + C, *ka = w->bnk, *kb = w->bnk + C;
    if (w->train) {
        colsums(w, in, in, rows, C, w->sum1, w->sum2);
        for (size_t c = 0; c < C; c++) {
            double m = w->sum1[c] / (double)rows, v = w->sum2[c] / (double)rows - m * m;
            v = v > 0 ? v : 0;
            mean[c] = (float)m;
            inv[c] = (float)(1.0 / sqrt(v + BN_EPS));
            if (state) {
                state[c] = (float)(0.9 * state[c] + 0.1 * m);
                state[C + c] = (float)(0.9 * state[C + c] + 0.1 * (rows > 1 ? v * (double)rows / (double)(rows - 1) : v));
            }
        }
    } else {
        for (size_t c = 0; c < C; c++) {
            mean[c] = rs[c];
            inv[c] = (float)(1.0 / sqrt((double)rs[C + c] + BN_EPS));
        }
    }
    for (size_t c = 0; c < C; c++) {
        ka[c] = gamma[c] * inv[c];
        kb[c] = beta[c] - mean[c] * ka[c];
    }
    size_t T = (size_t)w->threads;
#pragma omp parallel for num_threads(w->threads) schedule(static)
    for (size_t t = 0; t < T; t++)
        affine_rows(in, out, rows * t / T, rows * (t + 1) / T, C, ka, kb);
}

/* din = k1 (dout - k2 - xhat k3), xhat = (x - mean) inv. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void bn_din_rows(const float *x, const float *dout, float *din, size_t r0, size_t r1, size_t C,
                        const float *mean, const float *inv, const float *k1, const float *k2, const float *k3)
{
    for (size_t r = r0; r < r1; r++)
        for (size_t c = 0; c < C; c++) {
            float h = (x[r * C + c] - mean[c]) * inv[c];
            din[r * C + c] = k1[c] * (dout[r * C + c] - k2[c] - h * k3[c]);
        }
}

static void bn_backward(const cnn_layer *L, const float *gamma, float *ggamma, float *gbeta, cnn_ws *w, int l,
                        size_t b, const float *in, const float *dout, float *din)
{
    size_t C = L->oc, rows = b * L->oh * L->ow;
    const float *mean = w->bnstat + w->bnoff[l], *inv = mean + C;
    /* sum dy and sum dy x; sum dy xhat = inv (sum dy x - mean sum dy). */
    colsums(w, dout, in, rows, C, w->sum1, w->sum2);
    float *k1 = w->bnk, *k2 = w->bnk + C, *k3 = w->bnk + 2 * C;
    for (size_t c = 0; c < C; c++) {
        double sdx = (double)inv[c] * (w->sum2[c] - (double)mean[c] * w->sum1[c]);
        gbeta[c] = (float)w->sum1[c];
        ggamma[c] = (float)sdx;
        k1[c] = gamma[c] * inv[c];
        k2[c] = (float)(w->sum1[c] / (double)rows);
        k3[c] = (float)(sdx / (double)rows);
    }
    if (!din)
        return;
    size_t T = (size_t)w->threads;
#pragma omp parallel for num_threads(w->threads) schedule(static)
    for (size_t t = 0; t < T; t++)
        bn_din_rows(in, dout, din, rows * t / T, rows * (t + 1) / T, C, mean, inv, k1, k2, k3);
}

/* ---- activations ---- */

__attribute__((target_clones("avx512f", "avx2", "default")))
static void act_forward_span(cnn_kind k, const float *in, float *out, size_t n)
{
    if (k == CNN_RELU)
        for (size_t i = 0; i < n; i++)
            out[i] = in[i] > 0.0f ? in[i] : 0.0f;
    else if (k == CNN_TANH)
        for (size_t i = 0; i < n; i++)
            out[i] = tanhf(in[i]);
    else
        for (size_t i = 0; i < n; i++)
            out[i] = 1.0f / (1.0f + expf(-in[i]));
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void act_backward_span(cnn_kind k, const float *y, const float *dout, float *din, size_t n)
{
    if (k == CNN_RELU)
        for (size_t i = 0; i < n; i++)
            din[i] = y[i] > 0.0f ? dout[i] : 0.0f;
    else if (k == CNN_TANH)
        for (size_t i = 0; i < n; i++)
            din[i] = dout[i] * (1.0f - y[i] * y[i]);
    else
        for (size_t i = 0; i < n; i++)
            din[i] = dout[i] * y[i] * (1.0f - y[i]);
}

static void act_forward(cnn_kind k, const float *in, float *out, size_t n, int T)
{
#pragma omp parallel for num_threads(T) schedule(static)
    for (size_t t = 0; t < (size_t)T; t++)
        act_forward_span(k, in + n * t / (size_t)T, out + n * t / (size_t)T, n * (t + 1) / (size_t)T - n * t / (size_t)T);
}

static void act_backward(cnn_kind k, const float *y, const float *dout, float *din, size_t n, int T)
{
#pragma omp parallel for num_threads(T) schedule(static)
    for (size_t t = 0; t < (size_t)T; t++) {
        size_t a = n * t / (size_t)T, e = n * (t + 1) / (size_t)T;
        act_backward_span(k, y + a, dout + a, din + a, e - a);
    }
}

/* ---- dispatch ---- */

void am__cnn_layer_forward(const am_cnn *n, cnn_ws *w, int l, size_t b, float *state)
{
    const cnn_layer *L = &n->l[l];
    const float *in = w->act[l], *p = n->params;
    float *out = w->act[l + 1];
    size_t isz = cnn_in_size(L), osz = cnn_out_size(L);
    switch (L->kind) {
    case CNN_CONV:
    case CNN_FC:
        conv_forward(L, p + L->woff, p + L->boff, w, b, in, out);
        break;
    case CNN_BN:
        bn_forward(L, p + L->woff, p + L->boff, n->state + L->soff, state ? state + L->soff : NULL, w, l, b, in,
                   out);
        break;
    case CNN_MAXPOOL:
    case CNN_AVGPOOL: {
        int32_t *arg = w->train && L->kind == CNN_MAXPOOL ? w->arg + w->argoff[l] : NULL;
#pragma omp parallel for num_threads(w->threads) schedule(static)
        for (size_t s = 0; s < b; s++)
            pool_forward_one(L, in + s * isz, out + s * osz, arg ? arg + s * osz : NULL);
        break;
    }
    case CNN_UP:
#pragma omp parallel for num_threads(w->threads) schedule(static)
        for (size_t s = 0; s < b; s++)
            up_one(L, in + s * isz, out + s * osz, 0);
        break;
    case CNN_VIEW:
        if (out != in)
            memcpy(out, in, b * isz * sizeof(float));
        break;
    default:
        act_forward(L->kind, in, out, b * isz, w->threads);
    }
}

void am__cnn_layer_backward(const am_cnn *n, cnn_ws *w, int l, size_t b, const float *dout, float *din, float *grad)
{
    const cnn_layer *L = &n->l[l];
    const float *p = n->params;
    size_t isz = cnn_in_size(L), osz = cnn_out_size(L);
    switch (L->kind) {
    case CNN_CONV:
    case CNN_FC:
        conv_backward(L, p + L->woff, grad + L->woff, grad + L->boff, w, b, w->act[l], dout, din);
        break;
    case CNN_BN:
        bn_backward(L, p + L->woff, grad + L->woff, grad + L->boff, w, l, b, w->act[l], dout, din);
        break;
    case CNN_MAXPOOL:
    case CNN_AVGPOOL:
        if (din) {
            const int32_t *arg = w->arg + w->argoff[l];
#pragma omp parallel for num_threads(w->threads) schedule(static)
            for (size_t s = 0; s < b; s++)
                pool_backward_one(L, dout + s * osz, arg + s * osz, din + s * isz);
        }
        break;
    case CNN_UP:
        if (din) {
#pragma omp parallel for num_threads(w->threads) schedule(static)
            for (size_t s = 0; s < b; s++)
                up_one(L, dout + s * osz, din + s * isz, 1);
        }
        break;
    case CNN_VIEW:
        if (din)
            memcpy(din, dout, b * isz * sizeof(float));
        break;
    default:
        if (din)
            act_backward(L->kind, w->act[l + 1], dout, din, b * isz, w->threads);
    }
}
