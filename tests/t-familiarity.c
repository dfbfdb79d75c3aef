/* Familiarity (am/familiarity.h): the ROC analysis against brute force (AUC by the O(n^2) pair count with
 * ties, the curve's ends, best threshold and d' on a hand example), store scores against brute force
 * (Hopfield energy from the weights, best overlap over the patterns, the seq-hebb step from its definition),
 * encoder and concept scores against their definitions, familiar vs novel separation, determinism at 1 and
 * 2 threads, errors. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "tap.h"

/* ---- ROC ---- */

static double brute_auc(const double *f, size_t nf, const double *n, size_t nn)
{
    double c = 0;
    for (size_t i = 0; i < nf; i++)
        for (size_t j = 0; j < nn; j++)
            c += f[i] > n[j] ? 1.0 : f[i] == n[j] ? 0.5 : 0.0;
    return c / ((double)nf * (double)nn);
}

static size_t distinct(const double *f, size_t nf, const double *n, size_t nn)
{
    size_t d = 0, all = nf + nn;
    for (size_t i = 0; i < all; i++) {
        double v = i < nf ? f[i] : n[i - nf];
        size_t j = 0;
        for (; j < i; j++)
            if ((j < nf ? f[j] : n[j - nf]) == v)
                break;
        d += j == i;
    }
    return d;
}

static void roc_random(void)
{
    am_rng rng;
    am_rng_init(&rng, 11, 0);
    int auc_ok = 1, ends_ok = 1, mono_ok = 1, pts_ok = 1, acc_ok = 1;
    for (int trial = 0; trial < 40; trial++) {
        size_t nf = 1 + am_rng_below(&rng, 60), nn = 1 + am_rng_below(&rng, 60);
        double f[64], n[64], fpr[130], tpr[130], thr[130];
        int levels = 2 + trial % 9; /* few levels: many ties */
        for (size_t i = 0; i < nf; i++)
            f[i] = (double)am_rng_below(&rng, (uint64_t)levels) + 0.5 * (trial % 3 == 0);
        for (size_t i = 0; i < nn; i++)
            n[i] = (double)am_rng_below(&rng, (uint64_t)levels) - 1.0 * (trial % 2);
        am_roc r;
        size_t pts = 0;
        if (am_roc_compute(f, nf, n, nn, &r) || am_roc_curve(f, nf, n, nn, fpr, tpr, thr, &pts)) {
            auc_ok = 0;
            continue;
        }
        auc_ok &= fabs(r.auc - brute_auc(f, nf, n, nn)) <= 1e-12;
        ends_ok &= fpr[0] == 0 && tpr[0] == 0 && thr[0] == INFINITY && fpr[pts - 1] == 1 && tpr[pts - 1] == 1;
        pts_ok &= pts == distinct(f, nf, n, nn) + 1 && pts == r.points;
        double trap = 0, best = 0;
        for (size_t k = 1; k < pts; k++) {
            mono_ok &= fpr[k] >= fpr[k - 1] && tpr[k] >= tpr[k - 1] && thr[k] < thr[k - 1];
            trap += (fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1]) / 2;
        }
        /* The area under the curve drawn with straight segments is the Mann-Whitney AUC. */
        auc_ok &= fabs(trap - r.auc) <= 1e-12;
        /* Best accuracy by brute force over every threshold of the curve. */
        for (size_t k = 0; k < pts; k++) {
            size_t good = 0;
            for (size_t i = 0; i < nf; i++)
                good += f[i] >= thr[k];
            for (size_t i = 0; i < nn; i++)
                good += n[i] < thr[k];
            best = (double)good / (double)(nf + nn) > best ? (double)good / (double)(nf + nn) : best;
        }
        acc_ok &= fabs(best - r.accuracy) <= 1e-15;
    }
    ok(auc_ok, "AUC equals the O(n^2) pair count with ties 1/2, and the trapezoids under the curve (40 random sets)");
    ok(ends_ok, "the curve starts at (0, 0), threshold +inf, and ends at (1, 1)");
    ok(mono_ok, "the curve is monotone, thresholds strictly falling");
    ok(pts_ok, "one point per distinct score, plus (0, 0)");
    ok(acc_ok, "the best accuracy is the best over every threshold");
}

static void roc_hand(void)
{
    const double f[] = {3, 2, 2}, n[] = {2, 1, 0};
    am_roc r;
    ok(am_roc_compute(f, 3, n, 3, &r) == AM_OK, "hand example computes");
    is_near(r.auc, 8.0 / 9.0, 1e-15, "AUC 8/9 (one tie)");
    is_near(r.threshold, 2, 0, "best threshold 2");
    is_near(r.accuracy, 5.0 / 6.0, 1e-15, "accuracy 5/6");
    is_near(r.tpr, 1, 0, "hit rate 1 there");
    is_near(r.fpr, 1.0 / 3.0, 1e-15, "false alarms 1/3 there");
    is_near(r.dprime, 2, 1e-12, "d' = (7/3 - 1) / sqrt((2/9 + 2/3) / 2) = 2");
    is_int(r.points, 5, "5 points");
    double auc = -1;
    ok(am_roc_auc(n, 3, f, 3, &auc) == AM_OK && fabs(auc - 1.0 / 9.0) < 1e-15, "sets swapped: 1 - AUC");
    const double g[] = {1, 1}, h[] = {1};
    ok(am_roc_compute(g, 2, h, 1, &r) == AM_OK && r.auc == 0.5 && r.dprime == 0 && r.points == 2, "all tied: AUC 1/2, d' 0");
    ok(r.threshold == 1 && fabs(r.accuracy - 2.0 / 3.0) < 1e-15, "all tied: calling all familiar is best (2/3)");
    const double hi[] = {5, 5, 5}, lo[] = {1, 1};
    ok(am_roc_compute(lo, 2, hi, 3, &r) == AM_OK && r.threshold == INFINITY && r.accuracy == 0.6 && r.auc == 0,
       "reversed sets: best to call everything novel (threshold +inf)");
    ok(am_roc_compute(hi, 3, lo, 2, &r) == AM_OK && r.dprime == INFINITY && r.auc == 1 && r.accuracy == 1,
       "separated constant sets: d' +inf, AUC 1");
    const double fi[] = {INFINITY, 0}, ni[] = {-INFINITY, 0};
    ok(am_roc_compute(fi, 2, ni, 2, &r) == AM_OK && r.auc == 0.875 && isnan(r.dprime),
       "infinities are ordered values (AUC 3.5/4; d' undefined)");
    /* errors */
    const double bad[] = {1, NAN};
    double fpr[8], tpr[8];
    size_t pts;
    ok(am_roc_compute(bad, 2, n, 3, &r) == AM_ENOTFINITE && am_roc_compute(f, 3, bad, 2, &r) == AM_ENOTFINITE,
       "a NaN score is AM_ENOTFINITE");
    ok(am_roc_compute(f, 0, n, 3, &r) == AM_EEMPTY && am_roc_auc(f, 3, n, 0, &auc) == AM_EEMPTY &&
           am_roc_curve(NULL, 0, n, 3, fpr, tpr, NULL, &pts) == AM_EEMPTY,
       "an empty set is AM_EEMPTY");
    ok(am_roc_compute(f, 3, n, 3, NULL) == AM_EINVAL && am_roc_auc(f, 3, n, 3, NULL) == AM_EINVAL &&
           am_roc_curve(f, 3, n, 3, NULL, tpr, NULL, &pts) == AM_EINVAL && am_roc_compute(NULL, 2, n, 3, &r) == AM_EINVAL,
       "NULL buffers are AM_EINVAL");
}

/* ---- stores ---- */

static am_store *store_of(const char *model, size_t n, const char *param, const char *value, const am_patterns *p)
{
    am_store_config c;
    am_store *s = NULL;
    if (am_store_config_init(&c, model, n) || (param && am_store_config_set(&c, param, value, NULL, 0)) ||
        am_store_create(&s, &c) || (p && am_store_add(s, p)))
        abort();
    return s;
}

static am_patterns *random_set(size_t n, size_t count, uint64_t stream)
{
    am_patterns *p = NULL;
    am_rng rng;
    if (am_patterns_create(&p, n, count))
        abort();
    am_rng_init(&rng, 5, stream);
    am_patterns_random(p, &rng);
    return p;
}

/* Stored patterns 0..count-1 of p, each with flip bits flipped, then count random states. */
static am_patterns *cue_set(const am_patterns *p, size_t count, size_t flip, uint64_t stream)
{
    am_patterns *c = random_set(p->n, 2 * count, stream);
    int8_t *x = malloc(p->n);
    am_rng rng;
    am_rng_init(&rng, 6, stream);
    for (size_t k = 0; k < count; k++) {
        am_patterns_get(p, k, x);
        am_state_flip_k(x, p->n, flip, &rng);
        am_patterns_set(c, k, x);
    }
    free(x);
    return c;
}

static void hopfield_scores(const char *rule)
{
    size_t n = 64, P = 6, nc = 10;
    am_patterns *p = random_set(n, P, 1), *cues = cue_set(p, 5, 8, 2);
    am_store *s = store_of("hopfield", n, "rule", rule, p);
    float *w = malloc(n * n * sizeof *w);
    double se[10], so[10];
    int8_t *x = malloc(n);
    ok(am_store_weights(s, w) == AM_OK, "%s: weights", rule);
    ok(am_familiarity_store(s, AM_FAM_ENERGY, cues, se, 1) == AM_OK &&
           am_familiarity_store(s, AM_FAM_OVERLAP, cues, so, 1) == AM_OK,
       "%s: energy and overlap scores", rule);
    double emax = 0, omax = 0;
    for (size_t k = 0; k < nc; k++) {
        am_patterns_get(cues, k, x);
        double q = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                q += (double)w[i * n + j] * x[i] * x[j];
        emax = fmax(emax, fabs(se[k] - 0.5 * q / (double)n));
        double best = -2;
        for (size_t mu = 0; mu < P; mu++) {
            long d = 0;
            for (size_t i = 0; i < n; i++)
                d += am_patterns_unit(p, mu, i) * x[i];
            best = fmax(best, (double)d / (double)n);
        }
        omax = fmax(omax, fabs(so[k] - best));
    }
    ok(emax <= 1e-5, "%s: score = s^T W s / (2n) from the weights by hand (largest difference %.2g)", rule, emax);
    ok(omax == 0, "%s: overlap score = the best overlap over the patterns by brute force", rule);
    free(w), free(x);
    am_store_free(s);
    am_patterns_free(p), am_patterns_free(cues);
}

/* Real-valued and dense stores: the best overlap against am_store_overlaps, the energy against the store's. */
static void other_stores(void)
{
    size_t n = 48, P = 7;
    am_patterns *p = random_set(n, P, 3), *cues = cue_set(p, 4, 5, 4);
    const char *models[] = {"dense", "modern"};
    for (int k = 0; k < 2; k++) {
        am_store *s = store_of(models[k], n, NULL, NULL, p);
        double se[8], so[8], m[7];
        int8_t x[48];
        int good = am_familiarity_store(s, AM_FAM_ENERGY, cues, se, 2) == AM_OK &&
                   am_familiarity_store(s, AM_FAM_OVERLAP, cues, so, 2) == AM_OK;
        for (size_t q = 0; good && q < cues->count; q++) {
            am_patterns_get(cues, q, x);
            am_store_overlaps(s, x, NULL, m);
            double best = -INFINITY;
            for (size_t mu = 0; mu < P; mu++)
                best = fmax(best, m[mu]);
            good &= so[q] == best && se[q] == -am_store_energy(s, x) / (double)n;
        }
        ok(good, "%s: overlap = max of am_store_overlaps, energy = -am_store_energy / n", models[k]);
        ok(so[0] > so[4] && se[0] > se[4], "%s: a stored pattern (8 bits flipped) above a random state", models[k]);
        am_store_free(s);
    }
    am_patterns_free(p), am_patterns_free(cues);
}

static void separation_and_threads(void)
{
    size_t n = 200, P = 20, nc = 100;
    am_patterns *p = random_set(n, P, 7), *cues = cue_set(p, P, 20, 8); /* 10% flipped */
    am_patterns *novel = random_set(n, nc, 9);
    am_store *s = store_of("hopfield", n, NULL, NULL, p);
    double f1[40], f2[40], nv[100], auc;
    ok(am_familiarity_store(s, AM_FAM_ENERGY, cues, f1, 1) == AM_OK &&
           am_familiarity_store(s, AM_FAM_ENERGY, cues, f2, 2) == AM_OK && !memcmp(f1, f2, sizeof f1),
       "energy scores: the same bits at 1 and 2 threads");
    ok(am_familiarity_store(s, AM_FAM_OVERLAP, cues, f1, 1) == AM_OK &&
           am_familiarity_store(s, AM_FAM_OVERLAP, cues, f2, 2) == AM_OK && !memcmp(f1, f2, sizeof f1),
       "overlap scores: the same bits at 1 and 2 threads");
    for (int kind = 0; kind < 2; kind++) {
        am_familiarity_store(s, (am_fam_score)kind, cues, f1, 0);
        am_familiarity_store(s, (am_fam_score)kind, novel, nv, 0);
        int rc = am_roc_auc(f1, P, nv, nc, &auc);
        ok(rc == AM_OK && auc > 0.99,
           "N = 200, P = 20: stored (10%% flipped) vs novel by %s, AUC %.4f > 0.99", am_fam_score_name((am_fam_score)kind), auc);
    }
    /* errors */
    am_patterns *other = random_set(n + 1, 2, 10);
    am_store *empty = store_of("hopfield", n, NULL, NULL, NULL);
    ok(am_familiarity_store(s, AM_FAM_ENERGY, other, f1, 1) == AM_ESIZE, "cues of another size: AM_ESIZE");
    ok(am_familiarity_store(empty, AM_FAM_ENERGY, cues, f1, 1) == AM_EEMPTY, "an empty store: AM_EEMPTY");
    ok(am_familiarity_store(s, AM_FAM_ENERGY, cues, f1, -1) == AM_EINVAL &&
           am_familiarity_store(s, (am_fam_score)7, cues, f1, 1) == AM_EINVAL &&
           am_familiarity_store(s, AM_FAM_ENERGY, cues, NULL, 1) == AM_EINVAL,
       "threads < 0, an unknown kind, no buffer: AM_EINVAL");
    am_fam_score k;
    ok(am_fam_score_parse("overlap", &k) == AM_OK && k == AM_FAM_OVERLAP && am_fam_score_parse("energies", &k) == AM_EINVAL &&
           !strcmp(am_fam_score_name(AM_FAM_ENERGY), "energy"),
       "score names");
    am_store_free(empty);
    am_patterns_free(other);
    am_store_free(s);
    am_patterns_free(p), am_patterns_free(cues), am_patterns_free(novel);
}

/* ---- sequence stores ---- */

/* seq-hebb (lambda 0) by its definition: h = sum_mu xi^{mu+1} (xi^mu . S) / N over an open sequence. */
static double hebb_step_overlap(const am_patterns *p, const int8_t *x, const int8_t *y)
{
    size_t n = p->n;
    long dot = 0;
    for (size_t i = 0; i < n; i++) {
        double h = 0;
        for (size_t mu = 0; mu + 1 < p->count; mu++) {
            long m = 0;
            for (size_t j = 0; j < n; j++)
                m += am_patterns_unit(p, mu, j) * x[j];
            h += am_patterns_unit(p, mu + 1, i) * (double)m;
        }
        dot += (h >= 0 ? 1 : -1) * y[i];
    }
    return (double)dot / (double)n;
}

static void sequences(void)
{
    size_t n = 100, L = 12, nq = 6;
    am_patterns *p = random_set(n, L, 20);
    am_store *s = store_of("seq-hebb", n, NULL, NULL, p);
    am_patterns *cues[6];
    cues[0] = random_set(n, L, 20); /* the stored sequence itself */
    for (size_t k = 1; k < nq; k++)
        cues[k] = random_set(n, 5 + k, 20 + k * 7);
    double sc1[6], sc2[6], steps[11], one;
    ok(am_familiarity_sequences(s, (const am_patterns *const *)cues, nq, sc1, 1) == AM_OK &&
           am_familiarity_sequences(s, (const am_patterns *const *)cues, nq, sc2, 2) == AM_OK && !memcmp(sc1, sc2, sizeof sc1),
       "sequence scores: the same bits at 1 and 2 threads");
    ok(am_familiarity_sequence(s, cues[2], NULL, steps, &one) == AM_OK && one == sc1[2], "one sequence alone: the same score");
    int8_t x[100], y[100];
    double worst = 0, mean = 0;
    for (size_t t = 0; t + 1 < cues[2]->count; t++) {
        am_patterns_get(cues[2], t, x);
        am_patterns_get(cues[2], t + 1, y);
        double m = hebb_step_overlap(p, x, y);
        worst = fmax(worst, fabs(m - steps[t]));
        mean += m;
    }
    mean /= (double)(cues[2]->count - 1);
    ok(worst == 0 && fabs(mean - one) < 1e-15, "per-step overlaps = the seq-hebb step by its definition, brute force");
    ok(sc1[0] > 0.99, "the stored sequence predicts its next elements: score %g > 0.99", sc1[0]);
    double auc;
    ok(am_roc_auc(sc1, 1, sc1 + 1, nq - 1, &auc) == AM_OK && auc == 1, "stored sequence above 5 random ones");
    /* errors */
    am_store *hop = store_of("hopfield", n, NULL, NULL, p), *mixed = store_of("seq-mixed", n, NULL, NULL, p);
    am_store *mixed1 = store_of("seq-mixed", n, "tau", "1", p), *empty = store_of("seq-hebb", n, NULL, NULL, NULL);
    am_patterns *lone = random_set(n, 1, 40), *other = random_set(n + 2, 3, 41);
    ok(am_familiarity_sequence(hop, cues[1], NULL, NULL, &one) == AM_EUNSUPPORTED, "a fixed-point store: AM_EUNSUPPORTED");
    ok(am_familiarity_sequence(mixed, cues[1], NULL, NULL, &one) == AM_EUNSUPPORTED,
       "MixedNet with tau 5 (reads past states): AM_EUNSUPPORTED");
    int rc = am_familiarity_sequence(mixed1, cues[0], NULL, NULL, &one);
    ok(rc == AM_OK && one == 1, "MixedNet with tau 1: the stored sequence scores 1 (%g)", one);
    ok(am_familiarity_sequence(empty, cues[1], NULL, NULL, &one) == AM_EEMPTY, "an empty sequence store: AM_EEMPTY");
    ok(am_familiarity_sequence(s, lone, NULL, NULL, &one) == AM_EINVAL, "a one-element cue: AM_EINVAL");
    ok(am_familiarity_sequence(s, other, NULL, NULL, &one) == AM_ESIZE, "a cue of another size: AM_ESIZE");
    ok(am_familiarity_store(s, AM_FAM_ENERGY, p, sc1, 1) == AM_EUNSUPPORTED, "energy of a sequence store: AM_EUNSUPPORTED");
    double ov[12];
    ok(am_familiarity_store(s, AM_FAM_OVERLAP, p, ov, 1) == AM_OK && ov[0] == 1 && ov[11] == 1,
       "best overlap with an element works on a sequence store");
    am_store_free(hop), am_store_free(mixed), am_store_free(mixed1), am_store_free(empty);
    am_patterns_free(lone), am_patterns_free(other);
    for (size_t k = 0; k < nq; k++)
        am_patterns_free(cues[k]);
    am_store_free(s);
    am_patterns_free(p);
}

/* ---- encoders and concepts ---- */

static void encoder_scores(void)
{
    /* 200 points in a 2-D plane of R^6, a PCA of 2 components fitted on them. */
    size_t d = 6, m = 200;
    float *x = malloc(m * d * sizeof *x), off[2 * 6];
    am_rng rng;
    am_rng_init(&rng, 3, 0);
    for (size_t i = 0; i < m; i++) {
        double a = am_rng_normal(&rng), b = am_rng_normal(&rng);
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = (float)(a * (j % 2 ? 1.0 : 0.5) + b * (j < 3 ? 1.0 : -1.0));
    }
    memcpy(off, x, d * sizeof *off);
    for (size_t j = 0; j < d; j++)
        off[d + j] = off[j] + (float)(j == 0 ? 1.0 : j == 1 ? -1.0 : 0.0); /* out of the plane */
    am_pca *pca = NULL;
    am_encoder *e = NULL;
    ok(am_pca_fit(&pca, x, m, d, 2) == AM_OK && am_encoder_from_pca(&e, pca) == AM_OK, "a PCA of a plane");
    double sc[2];
    ok(am_familiarity_encoder(e, off, 2, sc) == AM_OK, "encoder scores");
    ok(fabs(sc[0]) < 1e-8, "a point of the plane: no reconstruction error (%.2g)", sc[0]);
    /* the off-plane step (1, -1, 0, 0, 0, 0) is orthogonal to both directions of the plane? compute it */
    float z[2], y[6];
    am_encoder_encode(e, off + d, 1, z);
    am_encoder_decode(e, z, 1, y);
    double want = 0;
    for (size_t j = 0; j < d; j++)
        want += ((double)off[d + j] - y[j]) * ((double)off[d + j] - y[j]);
    is_near(sc[1], -want / (double)d, 1e-12, "off the plane: minus the mean squared error per component (%g)", sc[1]);
    ok(sc[1] < -0.01, "off the plane scores lower");
    float bad[6] = {0, 0, NAN, 0, 0, 0};
    ok(am_familiarity_encoder(e, bad, 1, sc) == AM_ENOTFINITE, "a NaN input: AM_ENOTFINITE");
    ok(am_familiarity_encoder(e, x, 0, NULL) == AM_OK, "no inputs: nothing to do");
    am_encoder_free(e);
    free(x);
}

static void concept_scores(void)
{
    am_modality mods[1] = {{"a", 4, 0.5, ""}};
    am_concepts *cm = NULL;
    const float ex[3][4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
    const char *labels[3] = {"x", "y", "z"};
    ok(am_concepts_create(&cm, mods, 1, NULL) == AM_OK, "a concept memory");
    double sc[4];
    const float *none[1] = {ex[0]};
    ok(am_familiarity_concepts(cm, none, 1, sc, 1) == AM_EEMPTY, "no concepts: AM_EEMPTY");
    for (int c = 0; c < 3; c++) {
        const float *lat[1] = {ex[c]};
        am_concepts_observe(cm, lat, labels[c], NULL, NULL);
    }
    float q[4 * 4] = {1, 0, 0, 0, 0, 0.9f, 0.1f, 0, 0.3f, 0.3f, 0.3f, 0, 0, 0, 0, 1};
    const float *cues[1] = {q};
    float act[4 * 3];
    ok(am_familiarity_concepts(cm, cues, 4, sc, 1) == AM_OK && am_concepts_activation(cm, cues, 4, act, 1) == AM_OK,
       "concept scores and activations");
    double worst = 0;
    for (int k = 0; k < 4; k++) {
        double best = fmax(act[k * 3], fmax(act[k * 3 + 1], act[k * 3 + 2]));
        worst = fmax(worst, fabs(best - sc[k]));
    }
    ok(worst == 0, "the score is the winner's activation");
    ok(sc[0] > sc[2], "kv: a stored exemplar above a blend of three (%g > %g)", sc[0], sc[2]);
    am_concepts_free(cm);
}

int main(void)
{
    roc_random();
    roc_hand();
    hopfield_scores("hebb");
    hopfield_scores("storkey");
    other_stores();
    separation_and_threads();
    sequences();
    encoder_scores();
    concept_scores();
    return done_testing();
}
