/* Familiarity (am/familiarity.h): ROC analysis of two sets of scores, and the familiarity scores of stores,
 * sequence stores, encoders and the concept layer, through their public APIs. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am/error.h"
#include "am/familiarity.h"
#include "am/sequence.h"
#include "../core/cancel_internal.h"

/* ---- ROC ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int check_scores(const double *v, size_t n)
{
    if (!n)
        return AM_EEMPTY;
    if (!v)
        return AM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (isnan(v[i]))
            return AM_ENOTFINITE;
    return AM_OK;
}

/* Population mean and variance (two passes). */
static void moments(const double *v, size_t n, double *mean, double *var)
{
    double s = 0, q = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    s /= (double)n;
    for (size_t i = 0; i < n; i++)
        q += (v[i] - s) * (v[i] - s);
    *mean = s;
    *var = q / (double)n;
}

static double dprime(const double *f, size_t nf, const double *n, size_t nn)
{
    double mf, vf, mn, vn;
    moments(f, nf, &mf, &vf);
    moments(n, nn, &mn, &vn);
    double d = mf - mn, sd = sqrt((vf + vn) / 2);
    if (isnan(d) || isnan(sd))
        return NAN;
    if (sd == 0)
        return d > 0 ? INFINITY : d < 0 ? -INFINITY : 0.0;
    return d / sd;
}

/* The whole analysis: walk the thresholds from high to low over sorted copies, counting hits (tp) and false
 * alarms (fp); the curve into fpr/tpr/thr when they are not NULL. */
static int roc_walk(const double *familiar, size_t nf, const double *novel, size_t nn, am_roc *roc, double *fpr,
                    double *tpr, double *thr)
{
    int rc;
    size_t pairs;
    if ((rc = check_scores(familiar, nf)) || (rc = check_scores(novel, nn)))
        return rc;
    if ((rc = am_size_mul3(nf, nn, 2, &pairs)) || pairs > ((uint64_t)1 << 53))
        return rc ? rc : AM_EOVERFLOW; /* the doubled pair count must stay exact in a double */
    double *f = malloc(nf * sizeof *f), *n = malloc(nn * sizeof *n);
    if (!f || !n) {
        free(f), free(n);
        return AM_ENOMEM;
    }
    memcpy(f, familiar, nf * sizeof *f);
    memcpy(n, novel, nn * sizeof *n);
    qsort(f, nf, sizeof *f, cmp_double);
    qsort(n, nn, sizeof *n, cmp_double);
    size_t pf = nf, pn = nn, tp = 0, fp = 0, pts = 1, best = nn; /* best: correct calls at t = +inf */
    uint64_t twice = 0; /* 2 x (pairs familiar > novel) + pairs tied */
    roc->threshold = INFINITY, roc->tpr = 0, roc->fpr = 0;
    if (fpr)
        fpr[0] = 0, tpr[0] = 0;
    if (thr)
        thr[0] = INFINITY;
    while (pf || pn) {
        double t = !pf ? n[pn - 1] : !pn ? f[pf - 1] : f[pf - 1] > n[pn - 1] ? f[pf - 1] : n[pn - 1];
        size_t a = 0, b = 0;
        while (pf && f[pf - 1] == t)
            pf--, a++;
        while (pn && n[pn - 1] == t)
            pn--, b++;
        twice += 2 * (uint64_t)a * (uint64_t)(nn - fp - b) + (uint64_t)a * b;
        tp += a, fp += b;
        if (tp + (nn - fp) > best) {
            best = tp + (nn - fp);
            roc->threshold = t, roc->tpr = (double)tp / (double)nf, roc->fpr = (double)fp / (double)nn;
        }
        if (fpr)
            fpr[pts] = (double)fp / (double)nn, tpr[pts] = (double)tp / (double)nf;
        if (thr)
            thr[pts] = t;
        pts++;
    }
    roc->auc = (double)twice / (double)pairs;
    roc->accuracy = (double)best / (double)(nf + nn);
    roc->points = pts;
    roc->dprime = dprime(f, nf, n, nn);
    free(f), free(n);
    return AM_OK;
}

int am_roc_compute(const double *familiar, size_t nf, const double *novel, size_t nn, am_roc *roc)
{
    if (!roc)
        return AM_EINVAL;
    return roc_walk(familiar, nf, novel, nn, roc, NULL, NULL, NULL);
}

int am_roc_curve(const double *familiar, size_t nf, const double *novel, size_t nn, double *fpr, double *tpr,
                 double *thresholds, size_t *points)
{
    am_roc r;
    if (!fpr || !tpr || !points)
        return AM_EINVAL;
    int rc = roc_walk(familiar, nf, novel, nn, &r, fpr, tpr, thresholds);
    if (!rc)
        *points = r.points;
    return rc;
}

int am_roc_auc(const double *familiar, size_t nf, const double *novel, size_t nn, double *auc)
{
    am_roc r;
    if (!auc)
        return AM_EINVAL;
    int rc = roc_walk(familiar, nf, novel, nn, &r, NULL, NULL, NULL);
    if (!rc)
        *auc = r.auc;
    return rc;
}

/* ---- stores ---- */

const char *am_fam_score_name(am_fam_score k)
{
    return k == AM_FAM_ENERGY ? "energy" : k == AM_FAM_OVERLAP ? "overlap" : "?";
}

int am_fam_score_parse(const char *s, am_fam_score *out)
{
    if (!s || !out)
        return AM_EINVAL;
    if (!strcmp(s, "energy"))
        *out = AM_FAM_ENERGY;
    else if (!strcmp(s, "overlap"))
        *out = AM_FAM_OVERLAP;
    else
        return AM_EINVAL;
    return AM_OK;
}

/* Scratch of one thread for store scores. */
typedef struct store_scratch {
    int8_t *x;
    uint64_t *pk; /* binary stores: the cue packed */
    double *m;    /* real stores: overlaps with every stored vector */
} store_scratch;

static int scratch_make(store_scratch *w, const am_store *s, const am_patterns *pats)
{
    size_t n = am_store_n(s);
    memset(w, 0, sizeof *w);
    w->x = malloc(n);
    if (pats)
        w->pk = malloc(pats->words * sizeof *w->pk);
    else
        w->m = malloc((am_store_count(s) ? am_store_count(s) : 1) * sizeof *w->m);
    return w->x && (w->pk || w->m) ? AM_OK : AM_ENOMEM;
}

static void scratch_free(store_scratch *w) { free(w->x), free(w->pk), free(w->m); }

static int score_one(const am_store *s, am_fam_score kind, const am_patterns *pats, store_scratch *w, double *out)
{
    size_t n = am_store_n(s), count = am_store_count(s);
    if (kind == AM_FAM_ENERGY) {
        double e = am_store_energy(s, w->x);
        if (isnan(e))
            return AM_ENOMEM; /* the Hebbian energy's only failure: its packed cue */
        *out = -e / (double)n;
        return AM_OK;
    }
    double best = -INFINITY;
    if (pats) {
        am_state_pack(w->x, n, w->pk);
        size_t hmin = SIZE_MAX;
        for (size_t mu = 0; mu < count; mu++) {
            size_t h = am_patterns_hamming_packed(pats, mu, w->pk);
            hmin = h < hmin ? h : hmin;
        }
        best = ((double)n - 2.0 * (double)hmin) / (double)n;
    } else {
        int rc = am_store_overlaps(s, w->x, NULL, w->m);
        if (rc)
            return rc;
        for (size_t mu = 0; mu < count; mu++)
            best = w->m[mu] > best ? w->m[mu] : best;
    }
    *out = best;
    return AM_OK;
}

/* The first error of a team into *rc (called by every thread that failed). */
static void team_error(int *rc, int my)
{
    if (my) {
#pragma omp critical(am_familiarity)
        if (!*rc)
            *rc = my;
    }
}

int am_familiarity_store(const am_store *s, am_fam_score kind, const am_patterns *cues, double *score, int threads)
{
    if (!s || !cues || (!score && cues->count) || threads < 0 || (kind != AM_FAM_ENERGY && kind != AM_FAM_OVERLAP))
        return AM_EINVAL;
    if (cues->n != am_store_n(s))
        return AM_ESIZE;
    if (kind == AM_FAM_ENERGY && (am_store_type_flags(am_store_type_of(s)) & AM_STORE_SEQUENCE))
        return AM_EUNSUPPORTED;
    if (!am_store_count(s))
        return AM_EEMPTY;
    const am_patterns *pats = am_store_patterns_real(s) ? NULL : am_store_patterns(s);
    const am_cancel *hook = am_cancel_current();
    int nt = threads ? threads : omp_get_max_threads(), rc = AM_OK;
    if ((size_t)nt > cues->count)
        nt = cues->count ? (int)cues->count : 1;
#pragma omp parallel num_threads(nt)
    {
        store_scratch w;
        int my = scratch_make(&w, s, pats);
#pragma omp for schedule(static)
        for (size_t k = 0; k < cues->count; k++) {
            if (my || (my = am__cancel_check(hook)))
                continue;
            am_patterns_get(cues, k, w.x);
            my = score_one(s, kind, pats, &w, &score[k]);
        }
        scratch_free(&w);
        team_error(&rc, my);
    }
    return rc;
}

/* ---- sequence stores ---- */

static int sequence_check(const am_store *s)
{
    if (!(am_store_type_flags(am_store_type_of(s)) & AM_STORE_SEQUENCE) || am_sequence_memory(s) > 0)
        return AM_EUNSUPPORTED;
    return am_store_count(s) ? AM_OK : AM_EEMPTY;
}

int am_familiarity_sequence(const am_store *s, const am_patterns *seq, am_store_work *work, double *steps,
                            double *score)
{
    int rc;
    if (!s || !seq || !score)
        return AM_EINVAL;
    if ((rc = sequence_check(s)))
        return rc;
    if (seq->n != am_store_n(s))
        return AM_ESIZE;
    if (seq->count < 2)
        return AM_EINVAL;
    size_t n = seq->n;
    int8_t *x = malloc(n), *y = malloc(n);
    double sum = 0;
    if (!x || !y)
        rc = AM_ENOMEM;
    for (size_t t = 0; !rc && t + 1 < seq->count; t++) {
        am_patterns_get(seq, t, x);
        if ((rc = am_sequence_replay(s, x, 0, 1, NULL, work, NULL, NULL, NULL)))
            break;
        am_patterns_get(seq, t + 1, y);
        long dot = 0;
        for (size_t i = 0; i < n; i++)
            dot += x[i] * y[i];
        double m = (double)dot / (double)n;
        if (steps)
            steps[t] = m;
        sum += m;
    }
    if (!rc)
        *score = sum / (double)(seq->count - 1);
    free(x), free(y);
    return rc;
}

int am_familiarity_sequences(const am_store *s, const am_patterns *const *seqs, size_t count, double *score,
                             int threads)
{
    int rc;
    if (!s || (!seqs && count) || (!score && count) || threads < 0)
        return AM_EINVAL;
    if ((rc = sequence_check(s)))
        return rc;
    for (size_t k = 0; k < count; k++) {
        if (!seqs[k])
            return AM_EINVAL;
        if (seqs[k]->n != am_store_n(s))
            return AM_ESIZE;
        if (seqs[k]->count < 2)
            return AM_EINVAL;
    }
    const am_cancel *hook = am_cancel_current();
    int nt = threads ? threads : omp_get_max_threads();
    if ((size_t)nt > count)
        nt = count ? (int)count : 1;
#pragma omp parallel num_threads(nt)
    {
        AM__CANCEL_ADOPT(hook); /* the replays poll it */
        am_store_work *w = NULL;
        int my = am_store_work_create(&w, s);
#pragma omp for schedule(static)
        for (size_t k = 0; k < count; k++)
            if (!my)
                my = am_familiarity_sequence(s, seqs[k], w, NULL, &score[k]);
        am_store_work_free(w);
        AM__CANCEL_LEAVE();
        team_error(&rc, my);
    }
    return rc;
}

/* ---- encoders and the concept layer ---- */

#define ENC_CHUNK 256

int am_familiarity_encoder(const am_encoder *e, const float *x, size_t count, double *score)
{
    if (!e || (count && (!x || !score)))
        return AM_EINVAL;
    size_t d = am_encoder_input_dim(e), k = am_encoder_code_dim(e), total;
    int rc = am_size_mul(count, d, &total);
    if (rc)
        return rc;
    for (size_t i = 0; i < total; i++)
        if (!isfinite(x[i]))
            return AM_ENOTFINITE;
    size_t rows = count < ENC_CHUNK ? count : ENC_CHUNK;
    float *z = malloc((rows ? rows : 1) * k * sizeof *z), *y = malloc((rows ? rows : 1) * d * sizeof *y);
    if (!z || !y)
        rc = AM_ENOMEM;
    for (size_t r0 = 0; !rc && r0 < count; r0 += rows) {
        size_t nr = count - r0 < rows ? count - r0 : rows;
        const float *xr = x + r0 * d;
        if ((rc = am_cancel_poll()) || (rc = am_encoder_encode(e, xr, nr, z)) || (rc = am_encoder_decode(e, z, nr, y)))
            break;
        for (size_t r = 0; r < nr; r++) {
            double s = 0;
            for (size_t i = 0; i < d; i++) {
                double diff = (double)xr[r * d + i] - y[r * d + i];
                s += diff * diff;
            }
            score[r0 + r] = -s / (double)d;
        }
    }
    free(z), free(y);
    return rc;
}

int am_familiarity_concepts(am_concepts *cm, const float *const *cues, size_t nq, double *score, int nthreads)
{
    if (!cm || !cues || (nq && !score))
        return AM_EINVAL;
    if (!am_concepts_count(cm))
        return AM_EEMPTY;
    if (!nq)
        return AM_OK;
    size_t *idx = malloc(nq * sizeof *idx);
    float *act = malloc(nq * sizeof *act);
    int rc = idx && act ? AM_OK : AM_ENOMEM;
    am_concept_recall r = {.k = 1, .concept = idx, .score = act};
    if (!rc)
        rc = am_concepts_recall(cm, cues, nq, &r, nthreads);
    for (size_t q = 0; !rc && q < nq; q++)
        score[q] = act[q];
    free(idx), free(act);
    return rc;
}
