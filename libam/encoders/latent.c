/* Latent codes: projection, thresholds, and the linear decoder of binary codes. */
#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/blas_internal.h"
#include "../core/gemm.h"
#include "am/error.h"
#include "am/latent.h"

struct am_code {
    am_code_config c;
    size_t dim, bits;
    float *mean;    /* dim */
    float scale;    /* continuous: RMS norm of centred latents */
    float *proj;    /* bits x dim, NULL for the identity */
    float *thr;     /* bits: sign: medians; topk: means of y */
    float *inv_sd;  /* bits: topk: 1 / sd of y */
    float *dec;     /* (bits + 1) x dim: z = [c, 1] dec */
};

static const char *const kind_names[] = {"continuous", "sign", "topk"};

const char *am_code_kind_name(am_code_kind k)
{
    return (unsigned)k < 3 ? kind_names[k] : "?";
}

int am_code_kind_parse(const char *s, am_code_kind *out)
{
    for (int k = 0; s && k < 3; k++)
        if (!strcmp(s, kind_names[k])) {
            *out = (am_code_kind)k;
            return AM_OK;
        }
    return AM_EINVAL;
}

void am_code_config_default(am_code_config *c, am_code_kind kind)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->ridge = 1e-3;
}

void am_code_free(am_code *code)
{
    if (!code)
        return;
    free(code->mean);
    free(code->proj);
    free(code->thr);
    free(code->inv_sd);
    free(code->dec);
    free(code);
}

am_code_kind am_code_kind_of(const am_code *code)
{
    return code->c.kind;
}

size_t am_code_bits(const am_code *code)
{
    return code->bits;
}

size_t am_code_latent_dim(const am_code *code)
{
    return code->dim;
}

size_t am_code_active(const am_code *code)
{
    return code->c.kind == AM_CODE_TOPK ? code->c.k : 0;
}

/* y (n x bits) = P (z - mean), in blocks of 256 rows, each value one fixed-order chain of libam's sgemm (the
 * same bits on any CPU and under any OpenBLAS kernels). */
static int project(const am_code *code, const float *z, size_t n, float *y)
{
    size_t d = code->dim, B = code->bits, blk = 256;
    if (!code->proj) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                y[i * d + j] = z[i * d + j] - code->mean[j];
        return AM_OK;
    }
    float *t = malloc(blk * d * sizeof *t);
    am__gemm_ws ws = {0};
    int rc = t ? AM_OK : AM_ENOMEM;
    for (size_t i0 = 0; i0 < n && !rc; i0 += blk) {
        size_t nb = n - i0 < blk ? n - i0 : blk;
        for (size_t i = 0; i < nb; i++)
            for (size_t j = 0; j < d; j++)
                t[i * d + j] = z[(i0 + i) * d + j] - code->mean[j];
        rc = am__sgemm(0, 1, nb, B, d, t, d, code->proj, d, 0, y + i0 * B, B, &ws);
    }
    am__gemm_ws_free(&ws);
    free(t);
    return rc;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Binary codes of projected rows y (n x bits) into c (float) or c8 (int8). */
static void binarise(const am_code *code, const float *y, size_t n, float *c, int8_t *c8, float *work)
{
    size_t B = code->bits;
    for (size_t i = 0; i < n; i++) {
        const float *yr = y + i * B;
        float cut = 0.0f;
        if (code->c.kind == AM_CODE_TOPK) {
            /* The k-th largest standardised value is the cut; ties at the cut go to the lower index. */
            for (size_t j = 0; j < B; j++)
                work[j] = (yr[j] - code->thr[j]) * code->inv_sd[j];
            memcpy(work + B, work, B * sizeof *work);
            qsort(work + B, B, sizeof *work, cmp_float);
            cut = work[B + B - code->c.k];
            size_t above = 0;
            for (size_t j = 0; j < B; j++)
                above += work[j] > cut;
            size_t ties = code->c.k - above;
            for (size_t j = 0; j < B; j++) {
                int on = work[j] > cut || (work[j] == cut && ties && ties--);
                if (c)
                    c[i * B + j] = on ? 1.0f : -1.0f;
                if (c8)
                    c8[i * B + j] = on ? 1 : -1;
            }
        } else {
            for (size_t j = 0; j < B; j++) {
                int on = yr[j] > code->thr[j];
                if (c)
                    c[i * B + j] = on ? 1.0f : -1.0f;
                if (c8)
                    c8[i * B + j] = on ? 1 : -1;
            }
        }
    }
}

static int encode_any(const am_code *code, const float *z, size_t n, float *c, int8_t *c8)
{
    size_t B = code->bits, d = code->dim;
    if (code->c.kind == AM_CODE_CONTINUOUS) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                c[i * d + j] = (z[i * d + j] - code->mean[j]) / code->scale;
        return AM_OK;
    }
    /* In blocks, so that memory stays small for any n. */
    const size_t blk = 256;
    float *y = malloc((blk * B + 2 * B) * sizeof *y);
    if (!y)
        return AM_ENOMEM;
    for (size_t i0 = 0; i0 < n; i0 += blk) {
        size_t m = n - i0 < blk ? n - i0 : blk;
        if (project(code, z + i0 * d, m, y)) {
            free(y);
            return AM_ENOMEM;
        }
        binarise(code, y, m, c ? c + i0 * B : NULL, c8 ? c8 + i0 * B : NULL, y + blk * B);
    }
    free(y);
    return AM_OK;
}

static int code_encode_serial(const am_code *code, const float *z, size_t n, float *c)
{
    if (!code || (n && (!z || !c)))
        return AM_EINVAL;
    return encode_any(code, z, n, c, NULL);
}

/* OpenBLAS on one thread for the duration, so no result depends on its thread count. */
int am_code_encode(const am_code *code, const float *z, size_t n, float *c)
{
    int blas = am__blas_serial();
    int rc = code_encode_serial(code, z, n, c);
    am__blas_restore(blas);
    return rc;
}

static int code_encode_int8_serial(const am_code *code, const float *z, size_t n, int8_t *c)
{
    if (!code || (n && (!z || !c)))
        return AM_EINVAL;
    if (code->c.kind == AM_CODE_CONTINUOUS)
        return AM_EUNSUPPORTED;
    return encode_any(code, z, n, NULL, c);
}

/* OpenBLAS on one thread for the duration, so no result depends on its thread count. */
int am_code_encode_int8(const am_code *code, const float *z, size_t n, int8_t *c)
{
    int blas = am__blas_serial();
    int rc = code_encode_int8_serial(code, z, n, c);
    am__blas_restore(blas);
    return rc;
}

static int code_decode_serial(const am_code *code, const float *c, size_t n, float *z)
{
    size_t B = code ? code->bits : 0, d = code ? code->dim : 0;
    if (!code || (n && (!z || !c)))
        return AM_EINVAL;
    if (code->c.kind == AM_CODE_CONTINUOUS) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                z[i * d + j] = c[i * d + j] * code->scale + code->mean[j];
        return AM_OK;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(z + i * d, code->dec + B * d, d * sizeof *z); /* the bias row, where each chain starts */
    am__gemm_ws ws = {0};
    int rc = n ? am__sgemm(0, 0, n, d, B, c, B, code->dec, d, 1, z, d, &ws) : AM_OK;
    am__gemm_ws_free(&ws);
    return rc;
}

/* OpenBLAS on one thread for the duration, so no result depends on its thread count. */
int am_code_decode(const am_code *code, const float *c, size_t n, float *z)
{
    int blas = am__blas_serial();
    int rc = code_decode_serial(code, c, n, z);
    am__blas_restore(blas);
    return rc;
}

/* Solves A X = R for a symmetric positive definite A (q x q, row-major, its upper triangle read and replaced
 * by the Cholesky factor U, A = U^T U) and d right-hand sides R (q x d, replaced by X), every sum in a fixed
 * order: the same bits on any CPU, whatever BLAS or LAPACK is installed. -1 when A is not positive definite. */
static int cholesky_solve(double *a, size_t q, double *r, size_t d)
{
    for (size_t i = 0; i < q; i++) {
        double s = a[i * q + i];
        for (size_t k = 0; k < i; k++)
            s -= a[k * q + i] * a[k * q + i];
        if (!(s > 0))
            return -1;
        a[i * q + i] = sqrt(s);
        for (size_t j = i + 1; j < q; j++) {
            double t = a[i * q + j];
            for (size_t k = 0; k < i; k++)
                t -= a[k * q + i] * a[k * q + j];
            a[i * q + j] = t / a[i * q + i];
        }
    }
    for (size_t i = 0; i < q; i++) /* U^T Y = R */
        for (size_t c = 0; c < d; c++) {
            double t = r[i * d + c];
            for (size_t k = 0; k < i; k++)
                t -= a[k * q + i] * r[k * d + c];
            r[i * d + c] = t / a[i * q + i];
        }
    for (size_t i = q; i-- > 0;) /* U X = Y */
        for (size_t c = 0; c < d; c++) {
            double t = r[i * d + c];
            for (size_t k = i + 1; k < q; k++)
                t -= a[i * q + k] * r[k * d + c];
            r[i * d + c] = t / a[i * q + i];
        }
    return 0;
}

/* Ridge regression of z on [c, 1] over the fitting rows, in double: (AᵀA + λ n I) W = Aᵀ Z. */
static int fit_decoder(am_code *code, const float *z, size_t n)
{
    size_t B = code->bits, d = code->dim, q = B + 1;
    float *c = malloc(n * B * sizeof *c);
    double *ata = calloc(q * q, sizeof *ata), *atz = calloc(q * d, sizeof *atz), *a = malloc(q * sizeof *a);
    int rc = AM_OK;
    if (!c || !ata || !atz || !a) {
        rc = AM_ENOMEM;
        goto done;
    }
    if ((rc = encode_any(code, z, n, c, NULL)))
        goto done;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < B; j++)
            a[j] = c[i * B + j];
        a[B] = 1.0;
        cblas_dsyr(CblasRowMajor, CblasUpper, (int)q, 1.0, a, 1, ata, (int)q);
        for (size_t j = 0; j < q; j++)
            for (size_t k = 0; k < d; k++)
                atz[j * d + k] += a[j] * z[i * d + k];
    }
    for (size_t j = 0; j < B; j++) /* the bias is not shrunk */
        ata[j * q + j] += code->c.ridge * (double)n;
    if (cholesky_solve(ata, q, atz, d)) {
        rc = AM_ENUMERIC;
        goto done;
    }
    for (size_t j = 0; j < q * d; j++)
        code->dec[j] = (float)atz[j];
done:
    free(c);
    free(ata);
    free(atz);
    free(a);
    return rc;
}

static int code_fit_serial(am_code **out, const am_code_config *cfg, const float *z, size_t n, size_t dim, am_rng *rng)
{
    am_code_config c;
    int rc = AM_OK;
    if (!out || !cfg)
        return AM_EINVAL;
    *out = NULL;
    c = *cfg;
    if (!z || n < 2 || !dim || dim > 65536 || (unsigned)c.kind > AM_CODE_TOPK || !(c.ridge >= 0) || !isfinite(c.ridge))
        return AM_EINVAL;
    if (!c.bits)
        c.bits = dim;
    if (c.bits > 16384 || (c.kind == AM_CODE_CONTINUOUS && c.bits != dim))
        return AM_EINVAL;
    if (c.kind == AM_CODE_TOPK) {
        if (!c.k)
            c.k = c.bits / 8 ? c.bits / 8 : 1;
        if (c.k >= c.bits)
            return AM_EINVAL;
    } else {
        c.k = 0;
    }
    if (c.bits != dim && !rng)
        return AM_EINVAL;
    am_code *code = calloc(1, sizeof *code);
    if (!code)
        return AM_ENOMEM;
    code->c = c;
    code->dim = dim;
    code->bits = c.bits;
    size_t B = c.bits;
    code->mean = calloc(dim, sizeof(float));
    code->thr = calloc(B, sizeof(float));
    code->inv_sd = calloc(B, sizeof(float));
    code->dec = calloc((B + 1) * dim, sizeof(float));
    float *y = malloc(n * B * sizeof *y), *col = malloc(n * sizeof *col);
    if (!code->mean || !code->thr || !code->inv_sd || !code->dec || !y || !col) {
        rc = AM_ENOMEM;
        goto done;
    }
    double ss = 0;
    for (size_t j = 0; j < dim; j++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += z[i * dim + j];
        code->mean[j] = (float)(s / (double)n);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++) {
            double v = z[i * dim + j] - code->mean[j];
            ss += v * v;
        }
    code->scale = ss > 0 ? (float)sqrt(ss / (double)n) : 1.0f;
    if (c.kind == AM_CODE_CONTINUOUS)
        goto done;
    if (B != dim) {
        if (!(code->proj = malloc(B * dim * sizeof(float)))) {
            rc = AM_ENOMEM;
            goto done;
        }
        for (size_t j = 0; j < B * dim; j++)
            code->proj[j] = (float)am_rng_normal(rng);
    }
    if ((rc = project(code, z, n, y)))
        goto done;
    for (size_t j = 0; j < B; j++) {
        double s = 0, s2 = 0;
        for (size_t i = 0; i < n; i++) {
            col[i] = y[i * B + j];
            s += col[i];
        }
        s /= (double)n;
        for (size_t i = 0; i < n; i++)
            s2 += (col[i] - s) * (col[i] - s);
        double sd = sqrt(s2 / (double)n);
        if (c.kind == AM_CODE_SIGN) {
            qsort(col, n, sizeof *col, cmp_float);
            code->thr[j] = n % 2 ? col[n / 2] : 0.5f * (col[n / 2 - 1] + col[n / 2]);
        } else {
            code->thr[j] = (float)s;
        }
        code->inv_sd[j] = sd > 0 ? (float)(1.0 / sd) : 1.0f;
    }
    rc = fit_decoder(code, z, n);
done:
    free(y);
    free(col);
    if (rc)
        am_code_free(code);
    else
        *out = code;
    return rc;
}

/* OpenBLAS on one thread for the duration, so no result depends on its thread count. */
int am_code_fit(am_code **out, const am_code_config *cfg, const float *z, size_t n, size_t dim, am_rng *rng)
{
    int blas = am__blas_serial();
    int rc = code_fit_serial(out, cfg, z, n, dim, rng);
    am__blas_restore(blas);
    return rc;
}
