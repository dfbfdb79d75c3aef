/* libam — familiarity: has this been seen before? Matching what comes in against what a memory holds,
 * reconstructs or predicts, as one number per item (higher = more familiar), and the ROC analysis that
 * turns two sets of such numbers (familiar items, novel items) into a decision threshold and an AUC.
 *
 * Scores (each writes one double per item into a caller buffer):
 *   store, AM_FAM_ENERGY    -E(s) / n: minus the store's energy of the cue state per unit (am_store_energy;
 *                           fixed-point stores only: sequence stores have no energy). For the Hebbian
 *                           Hopfield store -E/n = (1/2n^2)(sum_mu (xi^mu . s)^2 - P n): a stored pattern sits
 *                           about 1/2 above a random state, whose score spreads by about sqrt(P/2) / n.
 *   store, AM_FAM_OVERLAP   max_mu (1/n) xi^mu . s: the best overlap with a stored pattern (element, for a
 *                           sequence store; the modern store's stored vectors are real, the dot product is
 *                           divided by n as in am_store_overlaps). Brute force over the stored patterns.
 *   sequence                the mean over t of (1/n) step(x_t) . x_{t+1}: how well one step of a sequence
 *                           store from each element of a cue sequence predicts the element that follows
 *                           (am_sequence_replay with steps 1; per-step overlaps on request). Not for models
 *                           that read past states (am_sequence_memory > 0: MixedNet with tau > 1 holds an
 *                           element rather than stepping on from a lone state): AM_EUNSUPPORTED.
 *   encoder                 minus the mean squared reconstruction error per input component,
 *                           -(1/d) |x - decode(encode(x))|^2 (am/encoder.h: PCA or autoencoder).
 *   concepts                the winner's activation (am_concepts_recall, k = 1): kv: its softmax mass;
 *                           hebb: normalised Hebbian input; hrr: trace . probe (am/concept.h). kv's mass
 *                           is relative (how far one concept dominates the others), not a distance: a cue
 *                           far from every exemplar can still give one concept most of the mass.
 * The batch calls run on `threads` threads (0: OpenMP's default) over fixed items; every item's score is
 * computed alone, so the results are the same bits at any thread count. They poll the cancel hook
 * (am/cancel.h) between items (AM_ECANCELED: score partly written).
 *
 * ROC: familiar items are the positives. Item i is called familiar when score >= t. The curve runs from
 * (0, 0) (t = +inf) through one point per distinct score, high to low, to (1, 1). AUC is exact: the
 * Mann-Whitney count P(familiar > novel) + 1/2 P(tie), from sorted copies in O(n log n). Inputs are checked:
 * a NaN score is AM_ENOTFINITE (infinities are ordinary, ordered values), an empty set AM_EEMPTY.
 *
 * Every pointer must be non-NULL unless its comment says it may be NULL. Buffers are caller-owned. */
#ifndef AM_FAMILIARITY_H
#define AM_FAMILIARITY_H

#include <stddef.h>

#include "am/concept.h"
#include "am/encoder.h"
#include "am/patterns.h"
#include "am/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- ROC analysis: scores in, AUC out ---- */

typedef struct am_roc {
    double auc;       /* P(f > n) + 1/2 P(f == n) over all familiar-novel pairs, in [0, 1] */
    double threshold; /* the threshold of best accuracy (familiar when score >= threshold; +INFINITY: call
                         every item novel); of equally good ones, the highest */
    double accuracy;  /* (familiar called familiar + novel called novel) / (nf + nn) at that threshold */
    double tpr, fpr;  /* hit rate and false-alarm rate at that threshold */
    double dprime;    /* (mean_f - mean_n) / sqrt((var_f + var_n) / 2), population variances; +-INFINITY
                         when both variances are 0 and the means differ, 0 when they agree; NaN when an
                         infinite score makes a mean or variance undefined */
    size_t points;    /* points of the ROC curve (distinct scores + 1) */
} am_roc;

/* The ROC summary of nf familiar and nn novel scores (roc out). AM_EEMPTY when nf or nn is 0,
 * AM_ENOTFINITE for a NaN, AM_ENOMEM. */
int am_roc_compute(const double *familiar, size_t nf, const double *novel, size_t nn, am_roc *roc);

/* The ROC curve: fpr, tpr (each room for nf + nn + 1 values, out) receive *points (out) points from (0, 0) to
 * (1, 1), one per distinct threshold, high to low; thresholds (the same room, out; may be NULL) the
 * threshold of each point (+INFINITY for the first). Errors as am_roc_compute. */
int am_roc_curve(const double *familiar, size_t nf, const double *novel, size_t nn, double *fpr, double *tpr,
                 double *thresholds, size_t *points);

/* Just the AUC (exact, as above), into *auc. */
int am_roc_auc(const double *familiar, size_t nf, const double *novel, size_t nn, double *auc);

/* ---- familiarity scores of memories ---- */

typedef enum { AM_FAM_ENERGY = 0, AM_FAM_OVERLAP = 1 } am_fam_score;

/* "energy", "overlap" (static storage; "?" for others), and back (AM_EINVAL for an unknown name). */
const char *am_fam_score_name(am_fam_score k);
int am_fam_score_parse(const char *s, am_fam_score *out);

/* One score per cue: score[k] for cue k of cues (cues->n == am_store_n(s), else AM_ESIZE; score: cues->count
 * values out). AM_EUNSUPPORTED: AM_FAM_ENERGY on a sequence store; AM_EEMPTY: a store with nothing stored;
 * AM_EINVAL: an unknown kind or threads < 0. */
int am_familiarity_store(const am_store *s, am_fam_score kind, const am_patterns *cues, double *score, int threads);

/* The prediction score of one cue sequence seq (seq->count >= 2 patterns of am_store_n(s) units, else
 * AM_EINVAL / AM_ESIZE) on a sequence store (AM_EUNSUPPORTED for others and for am_sequence_memory > 0,
 * AM_EEMPTY for an empty one): *score (out) the mean of steps[t] = (1/n) step(x_t) . x_{t+1},
 * t = 0 .. count-2 (steps: count - 1 values out, or NULL). work: NULL, or a workspace of this store's type
 * (am_store_work_create). */
int am_familiarity_sequence(const am_store *s, const am_patterns *seq, am_store_work *work, double *steps,
                            double *score);
/* The same for count sequences (seqs[k], each as above) into score[k], on `threads` threads. */
int am_familiarity_sequences(const am_store *s, const am_patterns *const *seqs, size_t count, double *score,
                             int threads);

/* Reconstruction score of count inputs x (count x am_encoder_input_dim(e) floats, finite, else
 * AM_ENOTFINITE): score[k] = -(1/d) sum_i (x_ki - y_ki)^2, y = decode(encode(x)) (count values out). Works in
 * chunks of rows; the encoder's own products are deterministic. */
int am_familiarity_encoder(const am_encoder *e, const float *x, size_t count, double *score);

/* The concept layer's familiarity of nq cues (cues as am_concepts_recall: cues[m] nq x dim_m or NULL):
 * score[k] = the winning concept's activation (nq values out). AM_EEMPTY without concepts. */
int am_familiarity_concepts(am_concepts *cm, const float *const *cues, size_t nq, double *score, int nthreads);

#ifdef __cplusplus
}
#endif
#endif
