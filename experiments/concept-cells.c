/* concept-cells — experiments on the concept layer (am/concept.h):
 *   trimodal   Fashion-MNIST pictures, their words (WordNet lemmas) and spoken names (bin/speech-data) bound
 *              into concept nodes from co-presented triples; recall in all six directions on held-out
 *              exemplars, two-modality cues, noise curves, purity vs locality radius, hierarchy, the unit x
 *              stimulus response matrix, a cue | recalled picture grid.
 *   capacity   N random tri-modal concepts: recall@1 vs N for each binding mechanism beside exact
 *              nearest-neighbour search and the theory; bytes per concept, microseconds per query. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "am/am.h"
#include "harness/harness.h"

static const char usage_text[] =
    "Usage: concept-cells COMMAND [options]   (concept-cells COMMAND --help for each)\n"
    "  trimodal  pictures, words and sounds of the ten Fashion-MNIST classes bound into concept cells\n"
    "  capacity  recall@1 vs the number of concepts for each binding mechanism, beside the ceiling and theory\n"
    "Examples:\n"
    "  concept-cells trimodal --speech-cache speech --out trimodal.tsv\n"
    "  concept-cells capacity --N 10,100,1000,10000 --d 64 --noise 1.5 --out capacity.tsv\n";

#define NCLS 10
#define MAXB 3

typedef struct {
    size_t n, d;
    float *z;    /* n x d: centred, unit length */
    int *y;      /* n classes */
} lat_t;

static void lat_free(lat_t *l)
{
    free(l->z);
    free(l->y);
    memset(l, 0, sizeof *l);
}

/* Centre by mean and scale rows to unit length (a zero row stays zero). */
static void normalise(float *z, size_t n, size_t d, const float *mean)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < d; j++) {
            z[i * d + j] -= mean[j];
            s += (double)z[i * d + j] * z[i * d + j];
        }
        float inv = s > 0 ? (float)(1.0 / sqrt(s)) : 0.0f;
        for (size_t j = 0; j < d; j++)
            z[i * d + j] *= inv;
    }
}

/* mean (d) and the mean norm of the centred rows (the scale that undoes normalise for decoding). */
static void moments(const float *z, size_t n, size_t d, float *mean, double *scale)
{
    for (size_t j = 0; j < d; j++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += z[i * d + j];
        mean[j] = (float)(s / (double)n);
    }
    double t = 0;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < d; j++)
            s += ((double)z[i * d + j] - mean[j]) * ((double)z[i * d + j] - mean[j]);
        t += sqrt(s);
    }
    *scale = t / (double)n;
}

static int parse_bindings(const am_run *run, const char *s, const am_binding_type **b, int *nb)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    *nb = 0;
    for (char *save = NULL, *it = strtok_r(buf, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
        const am_binding_type *t = am_binding_find(it);
        if (!t || *nb == MAXB) {
            am_run_error(run, "--bindings: %s is not kv, hebb or hrr (at most 3)", AM__QUOTE(it));
            return -1;
        }
        b[(*nb)++] = t;
    }
    if (!*nb) {
        am_run_error(run, "--bindings is empty");
        return -1;
    }
    return 0;
}

/* ================================================================ trimodal */

enum { IMG = 0, WRD = 1, SND = 2 };
static const char *const modname[3] = {"image", "word", "speech"};

typedef struct {
    am_concepts *cm;
    size_t concept_of_class[NCLS];
    int class_of_concept[64];
} memory_t;

/* Concept-level recall@1 and @5, and the share of read-outs in each target modality whose nearest prototype is
 * the cue's class, for cues (one modality or several). */
typedef struct {
    double r1, r5, readout[3];
    size_t n;
} score_t;

static int nearest_proto(const memory_t *mem, size_t m, const float *x)
{
    size_t d = am_concepts_modality(mem->cm, m)->dim, N = am_concepts_count(mem->cm);
    double bd = INFINITY;
    int best = -1;
    for (size_t c = 0; c < N; c++) {
        const float *p = am_concepts_prototype(mem->cm, c, m);
        if (!p || mem->class_of_concept[c] < 0)
            continue;
        double s = 0;
        for (size_t j = 0; j < d; j++)
            s += ((double)x[j] - p[j]) * ((double)x[j] - p[j]);
        if (s < bd) {
            bd = s;
            best = mem->class_of_concept[c];
        }
    }
    return best;
}

static int evaluate(memory_t *mem, const float *const *cues, const int *y, size_t n, int threads, score_t *sc,
                    float **outs)
{
    memset(sc, 0, sizeof *sc);
    sc->n = n;
    if (!n)
        return AM_OK;
    size_t N = am_concepts_count(mem->cm), k = N < 5 ? N : 5;
    size_t *top = malloc(n * k * sizeof *top);
    float *out[3] = {0};
    int rc = top ? AM_OK : AM_ENOMEM;
    am_concept_recall r = {.k = k, .concept = top};
    for (int m = 0; m < 3 && !rc; m++)
        if (!cues[m] && !(r.out[m] = out[m] = malloc(n * am_concepts_modality(mem->cm, (size_t)m)->dim * sizeof(float))))
            rc = AM_ENOMEM;
    if (!rc)
        rc = am_concepts_recall(mem->cm, cues, n, &r, threads);
    for (size_t q = 0; q < n && !rc; q++) {
        for (size_t j = 0; j < k; j++)
            if (top[q * k + j] != AM_CONCEPT_NONE && mem->class_of_concept[top[q * k + j]] == y[q]) {
                sc->r1 += j == 0;
                sc->r5 += 1;
                break;
            }
        for (int m = 0; m < 3; m++)
            if (out[m])
                sc->readout[m] += nearest_proto(mem, (size_t)m, out[m] + q * am_concepts_modality(mem->cm, (size_t)m)->dim) == y[q];
    }
    sc->r1 /= (double)n;
    sc->r5 /= (double)n;
    for (int m = 0; m < 3; m++)
        sc->readout[m] = out[m] ? sc->readout[m] / (double)n : NAN;
    for (int m = 0; m < 3; m++) {
        if (outs && out[m])
            outs[m] = out[m];
        else
            free(out[m]);
    }
    free(top);
    return rc;
}

static void row(FILE *f, const char *section, const char *binding, const char *cue, const char *target, const char *param,
                size_t n, double v1, double v2, double v3)
{
    fprintf(f, "%s\t%s\t%s\t%s\t%s\t%zu\t%.4f\t%.4f\t%.4f\n", section, binding, cue, target, param, n, v1, v2, v3);
}

/* Words of each class: WordNet lemmas (synonyms and hypernyms to `depth`) found in exactly one class. */
static int class_words(const am_run *run, const char *wndir, int depth, char ***words, size_t *nw, int **wclass)
{
    am_wordnet *wn = NULL;
    char why[512];
    int rc = am_wordnet_open(&wn, wndir, why, sizeof why);
    if (rc) {
        am_run_error(run, "cannot open WordNet: %s (Debian: wordnet-base)", why);
        return -1;
    }
    char **all[NCLS] = {0}, **own[NCLS] = {0};
    size_t cnt[NCLS] = {0}, nown[NCLS] = {0}, total = 0;
    for (int c = 0; c < NCLS && !rc; c++) {
        rc = am_wordnet_fashion_words(wn, c, depth, &all[c], &cnt[c]);
        if (!rc)
            rc = am_wordnet_fashion_words(wn, c, 0, &own[c], &nown[c]);
        total += cnt[c];
    }
    if (rc)
        am_run_error(run, "reading the class words from WordNet: %s",
                     am_wordnet_message(wn)[0] ? am_wordnet_message(wn) : am_strerror(rc));
    am_wordnet_close(wn);
    if (rc) {
        for (int c = 0; c < NCLS; c++) {
            am_words_free(all[c], cnt[c]);
            am_words_free(own[c], nown[c]);
        }
        return -1;
    }
    /* a word belongs to class c when it names c's own synset (depth 0), or when it is a hypernym of c and of
     * no other class and names no class's synset */
    *words = calloc(total + 1, sizeof **words);
    *wclass = calloc(total + 1, sizeof **wclass);
    *nw = 0;
    for (int c = 0; c < NCLS; c++)
        for (size_t i = 0; i < cnt[c]; i++) {
            const char *w = all[c][i];
            int owner = -1, holders = 0, dup = 0;
            for (int o = 0; o < NCLS; o++) {
                for (size_t j = 0; j < nown[o]; j++)
                    if (am_word_equal(w, own[o][j]))
                        owner = owner < 0 ? o : owner;
                int has = 0;
                for (size_t j = 0; j < cnt[o]; j++)
                    has |= am_word_equal(w, all[o][j]);
                holders += has;
            }
            for (size_t j = 0; j < *nw; j++)
                dup |= am_word_equal(w, (*words)[j]);
            int mine = owner >= 0 ? owner == c : holders == 1;
            if (mine && !dup && am_word_valid(w)) {
                (*words)[*nw] = strdup(w);
                (*wclass)[(*nw)++] = c;
            }
        }
    for (int c = 0; c < NCLS; c++)
        am_words_free(own[c], nown[c]);
    for (int c = 0; c < NCLS; c++)
        am_words_free(all[c], cnt[c]);
    return 0;
}

/* Noisy speech: the held-out WAVs (speech-data --keep-wav) with white noise at snr dB, as features. */
/* The WAVs are numbered within their split: held-out utterance i is test-<i>.wav. */
static int noisy_speech(const char *cache, size_t count, double snr, uint64_t seed, float *feat, size_t fdim)
{
    am_stft_config cfg;
    size_t frames;
    char p[4200], why[128];
    snprintf(p, sizeof p, "%s/spectrogram.txt", cache);
    int rc = am_stft_settings_read(p, &cfg, &frames, why, sizeof why);
    am_stft *st = NULL;
    am_stft_work *w = NULL;
    if (rc || (rc = am_stft_create(&st, &cfg, AM_FFT_ESTIMATE)) || (rc = am_stft_work_create(&w, st)))
        goto done;
    if (frames * am_stft_bins(st) != fdim) {
        rc = AM_ESIZE;
        goto done;
    }
    for (size_t i = 0; i < count && !rc; i++) {
        am_audio a = {0};
        snprintf(p, sizeof p, "%s/wav/test-%zu.wav", cache, i);
        if ((rc = am_wav_read(p, &a)))
            break;
        double pw = 0;
        for (size_t t = 0; t < a.n; t++)
            pw += (double)a.x[t] * a.x[t];
        pw /= a.n ? (double)a.n : 1.0;
        double sd = sqrt(pw / pow(10.0, snr / 10.0));
        am_rng rng;
        am_rng_init(&rng, seed, am_rng_stream2(0x534e52u, i));
        for (size_t t = 0; t < a.n; t++)
            a.x[t] += (float)(sd * am_rng_normal(&rng));
        rc = am_stft_features(st, w, a.x, a.n, frames, feat + i * fdim);
        am_audio_clear(&a);
    }
done:
    am_stft_work_free(w);
    am_stft_free(st);
    return rc;
}

/* The learning of a run: --triples, the bindings and their settings. */
typedef struct {
    size_t triples, hrr_dim;
    uint64_t seed;
    double beta;
    const am_binding_type *const *bt;
    int nbt;
} learn_t;

/* Co-presented triples (class t mod 10: the class's next learned picture, a random training word and a random
 * training utterance of it), each bound to the node of its class name, into one memory per binding
 * (mem[0..nbt), zeroed by the caller; freed by the caller also on failure). used[IMG] and used[SND] (NULL, or
 * one flag per training exemplar, zeroed) mark the exemplars the triples presented: the same triples for any
 * latents of the same exemplars. idesc and sdesc describe the image and speech encoders. */
static int learn(const learn_t *lp, lat_t L[3][2], const char *idesc, const char *sdesc, memory_t *mem,
                 unsigned char *used[3])
{
    am_modality mods[3];
    memset(mods, 0, sizeof mods);
    for (int m = 0; m < 3; m++) {
        snprintf(mods[m].name, sizeof mods[m].name, "%s", modname[m]);
        mods[m].dim = L[m][0].d;
        mods[m].radius = INFINITY;
    }
    snprintf(mods[IMG].encoder, sizeof mods[IMG].encoder, "%s", idesc);
    snprintf(mods[WRD].encoder, sizeof mods[WRD].encoder, "spelling trigrams D=%zu", L[WRD][0].d);
    snprintf(mods[SND].encoder, sizeof mods[SND].encoder, "%s", sdesc);
    am_concepts_config cfg;
    am_concepts_config_default(&cfg);
    cfg.beta = lp->beta;
    cfg.hrr_dim = lp->hrr_dim;
    cfg.seed = lp->seed;
    am_concepts *base = NULL;
    size_t wpc[NCLS] = {0}, spc[NCLS] = {0}, *widx[NCLS] = {0}, *sidx[NCLS] = {0};
    int rc = am_concepts_create(&base, mods, 3, &cfg);
    for (int c = 0; c < NCLS && !rc; c++)
        if (!(widx[c] = malloc(L[WRD][0].n * sizeof(size_t))) || !(sidx[c] = malloc(L[SND][0].n * sizeof(size_t))))
            rc = AM_ENOMEM;
    for (size_t i = 0; i < L[WRD][0].n && !rc; i++)
        widx[L[WRD][0].y[i]][wpc[L[WRD][0].y[i]]++] = i;
    for (size_t i = 0; i < L[SND][0].n && !rc; i++)
        sidx[L[SND][0].y[i]][spc[L[SND][0].y[i]]++] = i;
    am_rng rng;
    am_rng_init(&rng, lp->seed, 0x545249u /* "TRI" */);
    size_t ntr = L[IMG][0].n / NCLS;
    for (size_t t = 0; t < lp->triples && !rc; t++) {
        int c = (int)(t % NCLS);
        size_t ii = (size_t)c * ntr + t / NCLS, wi = widx[c][am_rng_below(&rng, wpc[c])],
               si = sidx[c][am_rng_below(&rng, spc[c])];
        const float *lat[AM_CONCEPT_MAX_MODALITIES] = {L[IMG][0].z + ii * L[IMG][0].d, L[WRD][0].z + wi * L[WRD][0].d,
                                                      L[SND][0].z + si * L[SND][0].d};
        if (used && used[IMG])
            used[IMG][ii] = 1;
        if (used && used[SND])
            used[SND][si] = 1;
        rc = am_concepts_observe(base, lat, am_fashion_class_name(c), NULL, NULL);
    }
    for (int c = 0; c < NCLS; c++) {
        free(widx[c]);
        free(sidx[c]);
    }
    for (int b = 0; b < lp->nbt && !rc; b++) {
        cfg.binding = lp->bt[b];
        rc = am_concepts_clone(&mem[b].cm, base, &cfg);
        for (int c = 0; c < NCLS && !rc; c++) {
            mem[b].concept_of_class[c] = am_concepts_find_label(mem[b].cm, am_fashion_class_name(c));
            mem[b].class_of_concept[mem[b].concept_of_class[c]] = c;
        }
    }
    am_concepts_free(base);
    return rc;
}

/* The training pictures learned: per class its first ntr, in class order (NCLS x ntr indices into train,
 * malloc'd), or NULL with the message printed. */
static size_t *pick_pictures(const am_run *run, const am_dataset *train, size_t ntr)
{
    size_t per[NCLS] = {0}, *pick = malloc(NCLS * ntr * sizeof *pick);
    if (!pick) {
        am_run_error(run, "out of memory for %zu pictures", NCLS * ntr);
        return NULL;
    }
    for (size_t i = 0; i < train->count; i++) {
        int c = train->labels[i];
        if (per[c] < ntr)
            pick[(size_t)c * ntr + per[c]++] = i;
    }
    for (int c = 0; c < NCLS; c++)
        if (per[c] < ntr) {
            am_run_error(run, "class %d has only %zu training pictures (need %zu)", c, per[c], ntr);
            free(pick);
            return NULL;
        }
    return pick;
}

/* l = enc's codes of rows idx[0..n) of ds (idx NULL: its first n rows) with their labels; l allocated here
 * (lat_free), not yet normalised. */
static int encode_rows(const am_encoder *enc, const am_dataset *ds, const size_t *idx, size_t n, lat_t *l)
{
    size_t d = am_encoder_code_dim(enc), dim = ds->dim;
    float *x = idx ? malloc(n * dim * sizeof *x) : NULL;
    *l = (lat_t){n, d, malloc(n * d * sizeof(float)), malloc(n * sizeof(int))};
    if ((idx && !x) || !l->z || !l->y) {
        free(x);
        return AM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = idx ? idx[i] : i;
        if (x)
            memcpy(x + i * dim, ds->x + r * dim, dim * sizeof *x);
        l->y[i] = ds->labels[r];
    }
    int rc = am_encoder_encode(enc, x ? x : ds->x, n, l->z);
    free(x);
    return rc;
}

/* Nearest-neighbour recall@1: the share of queries q (nq x d, labels qy) whose nearest reference by Euclidean
 * distance - rows idx[0..nref) of base (stride d, labels lab[idx[i]]) - has the query's label. Exact:
 * am_modern_nearest of [q, 1] against [r, -|r|^2 / 2] (the largest q.r - |r|^2 / 2), ties to the lower row. */
static int nn_recall(const float *base, const int *lab, const size_t *idx, size_t nref, const float *q, const int *qy,
                     size_t nq, size_t d, double *acc)
{
    size_t D = d + 1, hit = 0, *near = malloc((nq ? nq : 1) * sizeof *near);
    float *r = malloc((nref ? nref : 1) * D * sizeof *r), *qq = malloc((nq ? nq : 1) * D * sizeof *qq);
    am_modern *m = NULL;
    int rc = r && qq && near ? (nref ? AM_OK : AM_EEMPTY) : AM_ENOMEM;
    for (size_t i = 0; i < nref && !rc; i++) {
        const float *x = base + idx[i] * d;
        double s = 0;
        for (size_t j = 0; j < d; j++)
            s += (double)x[j] * x[j];
        memcpy(r + i * D, x, d * sizeof *r);
        r[i * D + d] = (float)(-0.5 * s);
    }
    for (size_t i = 0; i < nq && !rc; i++) {
        memcpy(qq + i * D, q + i * d, d * sizeof *qq);
        qq[i * D + d] = 1.0f;
    }
    if (!rc && !(rc = am_modern_create(&m, D, 1.0)) && !(rc = am_modern_store(m, r, nref)))
        rc = am_modern_nearest(m, qq, nq, near, NULL);
    for (size_t i = 0; i < nq && !rc; i++)
        hit += lab[idx[near[i]]] == qy[i];
    *acc = nq && !rc ? (double)hit / (double)nq : NAN;
    am_modern_free(m);
    free(r);
    free(qq);
    free(near);
    return rc;
}

/* The indices i < n with used[i], mapped through rows (NULL: themselves), malloc'd into *idx. */
static int used_rows(const unsigned char *used, size_t n, const size_t *rows, size_t **idx, size_t *count)
{
    *count = 0;
    if (!(*idx = malloc((n ? n : 1) * sizeof **idx)))
        return AM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (used[i])
            (*idx)[(*count)++] = rows ? rows[i] : i;
    return AM_OK;
}

/* Section baseline, nearest neighbour: each held-out cue of modality m answered by the class of the nearest
 * learned exemplar (one the triples presented: used[i] for L[0] row i, which is row rows[i] of tr, rows NULL
 * for i), in the raw input (param `raw`: te's first L[1].n rows against tr's) and in the latents L (param
 * `lat`). */
static int nn_rows(FILE *out, int m, const am_dataset *tr, const am_dataset *te, const size_t *rows, const lat_t L[2],
                   const unsigned char *used, const char *raw, const char *lat)
{
    size_t *iraw = NULL, *ilat = NULL, nr = 0, nl = 0;
    double acc = NAN;
    int rc = used_rows(used, L[0].n, rows, &iraw, &nr);
    if (!rc)
        rc = used_rows(used, L[0].n, NULL, &ilat, &nl);
    if (raw && !rc && !(rc = nn_recall(tr->x, tr->labels, iraw, nr, te->x, L[1].y, L[1].n, tr->dim, &acc)))
        row(out, "baseline", "nn", modname[m], "class", raw, L[1].n, acc, NAN, NAN);
    if (!rc && !(rc = nn_recall(L[0].z, L[0].y, ilat, nl, L[1].z, L[1].y, L[1].n, L[0].d, &acc)))
        row(out, "baseline", "nn", modname[m], "class", lat, L[1].n, acc, NAN, NAN);
    free(iraw);
    free(ilat);
    return rc;
}

/* Section baseline with another encoder enc of modality m: its latents of the same exemplars (centred and
 * scaled by their own training moments) in place of L[m], learned in the same triples; the directions from m
 * (param baseline-model) and the nearest learned exemplar in its latents. */
static int model_rows(FILE *out, const learn_t *lp, lat_t L[3][2], int m, const am_encoder *enc, const am_dataset *tr,
                      const am_dataset *te, const size_t *rows, const unsigned char *used, const char *idesc,
                      const char *sdesc, int threads)
{
    lat_t B[3][2], own[2] = {{0}};
    memory_t mb[MAXB];
    memset(mb, 0, sizeof mb);
    memcpy(B, L, sizeof B);
    size_t d = am_encoder_code_dim(enc);
    float *mean = malloc(d * sizeof *mean);
    double scale;
    char desc[128];
    am_encoder_describe(enc, desc, sizeof desc);
    int rc = mean ? encode_rows(enc, tr, rows, L[m][0].n, &own[0]) : AM_ENOMEM;
    if (!rc)
        rc = encode_rows(enc, te, NULL, L[m][1].n, &own[1]);
    if (!rc) {
        moments(own[0].z, own[0].n, d, mean, &scale);
        normalise(own[0].z, own[0].n, d, mean);
        normalise(own[1].z, own[1].n, d, mean);
        B[m][0] = own[0];
        B[m][1] = own[1];
        rc = learn(lp, B, m == IMG ? desc : idesc, m == SND ? desc : sdesc, mb, NULL);
    }
    for (int b = 0; b < lp->nbt && !rc; b++) {
        score_t sc;
        const float *cues[AM_CONCEPT_MAX_MODALITIES] = {0};
        cues[m] = own[1].z;
        if (!(rc = evaluate(&mb[b], cues, own[1].y, own[1].n, threads, &sc, NULL)))
            for (int t = 0; t < 3; t++)
                if (t != m)
                    row(out, "baseline", am_binding_name(lp->bt[b]), modname[m], modname[t], "baseline-model", sc.n, sc.r1,
                        sc.r5, sc.readout[t]);
    }
    if (!rc)
        rc = nn_rows(out, m, tr, te, rows, own, used, NULL, "baseline-model");
    for (int b = 0; b < MAXB; b++)
        am_concepts_free(mb[b].cm);
    lat_free(&own[0]);
    lat_free(&own[1]);
    free(mean);
    return rc;
}

/* Load the encoder file `path` of option opt, which must take dim inputs; 0, or -1 with the message printed. */
static int load_encoder(const am_run *run, const char *opt, const char *path, size_t dim, am_encoder **e)
{
    int rc = am_encoder_load(e, path);
    if (rc || am_encoder_input_dim(*e) != dim) {
        am_run_error(run, "%s %s: %s", opt, AM__QUOTE(path), rc ? am_strerror(rc) : "not an encoder of these inputs");
        return -1;
    }
    return 0;
}

static const char *describe(const am_encoder *e, char *buf, size_t size)
{
    am_encoder_describe(e, buf, size);
    return buf;
}

/* Inputs for k recalled latents z (k x L0->d, centred and unit length as the memory holds them; overwritten):
 * enc's decoding of them, back at its scale (x scale + mean); or, when enc cannot decode (a classifier), the
 * input of the learned exemplar nearest each (the largest dot product among the rows i of L0 with used[i],
 * ties to the lower row; row rows[i] of tr, rows NULL for i), with *nearest (may be NULL) set. */
static int render(const am_encoder *enc, float *z, size_t k, const float *mean, double scale, const lat_t *L0,
                  const unsigned char *used, const am_dataset *tr, const size_t *rows, float *x, int *nearest)
{
    size_t d = L0->d, near[4];
    if (k > 4)
        return AM_EINVAL;
    for (size_t q = 0; q < k; q++) {
        double best = -INFINITY;
        near[q] = 0;
        for (size_t i = 0; i < L0->n; i++) {
            double s = 0;
            for (size_t j = 0; used[i] && j < d; j++)
                s += (double)z[q * d + j] * L0->z[i * d + j];
            if (used[i] && s > best) {
                best = s;
                near[q] = i;
            }
        }
    }
    for (size_t t = 0; t < k * d; t++) /* back from unit length to the encoder's latent */
        z[t] = (float)(z[t] * scale) + mean[t % d];
    int rc = am_encoder_decode(enc, z, k, x);
    if (rc != AM_EUNSUPPORTED)
        return rc;
    for (size_t q = 0; q < k; q++)
        memcpy(x + q * tr->dim, tr->x + (rows ? rows[near[q]] : near[q]) * tr->dim, tr->dim * sizeof *x);
    if (nearest)
        *nearest = 1;
    return AM_OK;
}

static const char trimodal_desc[] =
    "Learning: --triples co-presented (picture, word, spoken word) triples, class t mod 10: the class's next\n"
    "training picture, a random training word of the class, a random espeak-ng utterance of it; each binds to\n"
    "the node of its class name (synchrony). Latents: the image encoder (--image-model, else PCA of --k\n"
    "components fitted to 10,000 training pictures), the spelling code of the word (--word-dim), the speech\n"
    "encoder (--speech-model, else PCA of --k components of the espeak-ng spectrograms); each centred by its\n"
    "training mean and scaled to unit length. Words: WordNet lemmas of each class (synonyms and hypernyms to\n"
    "--depth) found in one class only, alternately for training and held out. Held out: --test test-set\n"
    "pictures, the held-out words, the held-out utterances (voices not in training: speech-data --test-*).\n"
    "Columns: section binding cue target param n m1 m2 m3, by section:\n"
    "  baseline    binding nn: m1 the share of held-out pictures (cue image) or utterances (cue speech) whose\n"
    "              nearest learned exemplar (one the triples presented; Euclidean, exact) is of their class, in\n"
    "              param pixels or spectrogram (the raw input), encoder (the latents the mechanisms use) or\n"
    "              baseline-model (--baseline-image-model / --baseline-speech-model); binding kv, hebb, hrr:\n"
    "              that second encoder's latents learned in the same triples, the directions from its\n"
    "              modality, m1-m3 as in direction\n"
    "  direction   a held-out cue in one modality: m1 recall@1, m2 recall@5 (the cue's concept among the first 1\n"
    "              or 5 ranked), m3 read-out accuracy (the latent recalled in `target` is nearest the\n"
    "              prototype of the cue's class)\n"
    "  pair        cues in two modalities at once (cue a+b): the same three figures\n"
    "  latent-noise, occlusion, snr, letters\n"
    "              recall@1 (m1) of noisy cues: Gaussian noise of norm `param` added to the unit latent;\n"
    "              a black square over `param` of the picture; white noise at `param` dB (needs the cache's\n"
    "              WAVs: speech-data --keep-wav); `param` random letters substituted in the training words\n"
    "              (known words misspelt; held-out words are synonyms never seen, a harder test)\n"
    "  purity      pictures assigned by locality alone (no labels) at radius `param`: m1 purity (share of\n"
    "              pictures in their node's majority class), m2 nodes, m3 pictures per node\n"
    "  hierarchy   parents footwear (sandal, sneaker, ankle boot) and top (T-shirt, pullover, coat, shirt):\n"
    "              m1 child recall@1, m2 parent-level accuracy, m3 parent correct when the child was wrong\n"
    "  fallback    the same with fallback at radius `param`: m1 share answered by a parent, m2 those correct\n"
    "              at the parent level, m3 child recall@1 of the rest\n"
    "  selectivity the unit x stimulus matrix (5 stimuli per class: 3 pictures, 1 word, 1 sound; response =\n"
    "              activation / the unit's largest): m1 stimuli driving a unit (response > 0.5), mean over\n"
    "              units; m2 invariance (share of its own class's stimuli, all modalities, driving it);\n"
    "              m3 share of driving stimuli of other classes\n"
    "With --prefix P: P-matrix.tsv (the response matrix of the first binding), P-grid.png (a column per class:\n"
    "a held-out picture titled with the word it recalls, the picture recalled from a held-out word, from a\n"
    "held-out utterance, the concept's prototype), P-words.tsv (the word recalled from each held-out picture\n"
    "and utterance).\n"
    "With --sound-dir D: D/recalled-<class>.wav, the spoken name recalled from the first held-out picture of each\n"
    "class (kv read-out, the speech encoder's decoder, Griffin-Lim), and a row per class in section `sound`:\n"
    "param the file, n the class, m1 the Griffin-Lim spectral error, m2 1 when the read-out is nearest its\n"
    "class's prototype.\n"
    "An encoder that cannot decode (a classifier) is drawn and heard through the learned exemplar nearest the\n"
    "recalled latent (the grid's title says so).\n";

static int cmd_trimodal(int argc, char **argv)
{
    am_run run = {.examples = "concept-cells trimodal --speech-cache speech --out trimodal.tsv\nconcept-cells trimodal --speech-cache speech --image-model ae.model --bindings kv --prefix fig --out t.tsv",
                  .program = "concept-cells", .subcommand = "trimodal",
                  .summary = "Pictures, words and sounds bound into concept cells: recall across modalities.",
                  .description = trimodal_desc};
    const char *cache = NULL, *image_model = NULL, *speech_model = NULL, *image_base = NULL, *speech_base = NULL, *wndir = NULL, *data = NULL,
               *bindings = "kv,hebb,hrr", *radii = "0.6,0.8,1.0,1.1,1.2", *prefix = NULL, *sound_dir = NULL;
    uint64_t triples = 6000, ntest = 2000, k = 64, word_dim = 512, depth = 1, hrr_dim = 2048, purity_n = 3000;
    double beta = 16.0;
    am_opt opts[] = {
        {"speech-cache", AM_OPT_STRING, &cache, "DIR", "a data set made by bin/speech-data (required)"},
        {"data", AM_OPT_STRING, &data, "DIR", "Fashion-MNIST directory (default: Debian's)"},
        {"image-model", AM_OPT_STRING, &image_model, "FILE", "image encoder (autoencoder train; default: PCA)"},
        {"speech-model", AM_OPT_STRING, &speech_model, "FILE", "speech encoder (default: PCA)"},
        {"baseline-image-model", AM_OPT_STRING, &image_base, "FILE", "a second image encoder measured beside (section baseline)"},
        {"baseline-speech-model", AM_OPT_STRING, &speech_base, "FILE", "a second speech encoder measured beside (section baseline)"},
        {"k", AM_OPT_U64, &k, "K", "PCA components when no model is given", "pca"},
        {"word-dim", AM_OPT_U64, &word_dim, "D", "dimension of the spelling codes"},
        {"wordnet", AM_OPT_STRING, &wndir, "DIR", "WordNet dict directory (default: Debian's)"},
        {"depth", AM_OPT_U64, &depth, "N", "WordNet hypernym levels above each class (0-4)"},
        {"triples", AM_OPT_U64, &triples, "N", "co-presented triples learned"},
        {"test", AM_OPT_U64, &ntest, "N", "held-out test-set pictures"},
        {"bindings", AM_OPT_STRING, &bindings, "LIST", "mechanisms compared (kv, hebb, hrr)"},
        {"beta", AM_OPT_DOUBLE, &beta, "B", "kv: inverse temperature"},
        {"hrr-dim", AM_OPT_U64, &hrr_dim, "D", "hrr: trace dimension"},
        {"radii", AM_OPT_STRING, &radii, "LIST", "locality radii for the purity sweep"},
        {"purity-n", AM_OPT_U64, &purity_n, "N", "training pictures assigned by locality in the purity sweep"},
        {"prefix", AM_OPT_STRING, &prefix, "P", "write the response matrix, the picture grid and the words"},
        {"sound-dir", AM_OPT_STRING, &sound_dir, "DIR", "write the sound recalled from a held-out picture of each class (WAV)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    const am_binding_type *bt[MAXB];
    int nbt;
    double rad[16];
    int nrad = am_parse_double_list(radii, 0.0, 4.0, rad, 16);
    if (!cache) {
        am_run_error(&run, "--speech-cache DIR is required (make one with bin/speech-data)");
        return 2;
    }
    if (parse_bindings(&run, bindings, bt, &nbt))
        return 2;
    if (am_run_check_scope(&run, opts, image_model && speech_model ? "" : "pca", "a run with --image-model and --speech-model (no PCA)"))
        return 2;
    if (nrad < 0 || triples < NCLS || triples > 1000000 || ntest < 1 || ntest > 10000 || k < 2 || k > 784 || word_dim < 16 ||
        word_dim > 65536 || depth > 4 || !(beta > 0) || beta > 1e30 || hrr_dim < 16 || hrr_dim > 65536 || purity_n < 10 ||
        purity_n > 60000) {
        am_run_error(&run, nrad < 0 ? "--radii: a list of numbers in [0, 4]"
                                    : "an option is out of range: --triples 10..1e6, --test 1..10000, --k 2..784, "
                                      "--word-dim 16..65536, --depth 0..4, --beta > 0, --hrr-dim 16..65536, --purity-n 10..60000");
        return 2;
    }
    int status = 1;
    am_dataset *train = NULL, *test = NULL, *sptr = NULL, *spte = NULL;
    am_encoder *ienc = NULL, *senc = NULL, *ibase = NULL, *sbase = NULL;
    am_word_encoder *wenc = NULL;
    char **words = NULL;
    int *wclass = NULL;
    size_t nw = 0;
    lat_t L[3][2] = {{{0}}}; /* [modality][0 train, 1 held out] */
    size_t *pick = NULL, ntr = triples / NCLS + 1; /* the learned pictures' rows in train */
    unsigned char *used[3] = {0};                   /* the training exemplars the triples presented */
    char idesc[128], sdesc[128];
    learn_t lp = {.triples = triples, .hrr_dim = hrr_dim, .seed = run.seed, .beta = beta, .bt = bt, .nbt = nbt};
    float mean[3][4096];
    double scale[3];
    memory_t mem[MAXB];
    memset(mem, 0, sizeof mem);
    FILE *out = NULL;
    float *tmpx = NULL;
    char p[4200];
    /* ---- data ---- */
    if (!(train = am_run_load_data(&run, data, NULL, NULL, "train")) || !(test = am_run_load_data(&run, data, NULL, NULL, "test")))
        goto done;
    snprintf(p, sizeof p, "%s/train-spectrograms.idx", cache);
    char pl[4200];
    snprintf(pl, sizeof pl, "%s/train-labels.idx", cache);
    if (!(sptr = am_run_load_data(&run, NULL, p, pl, NULL)))
        goto done;
    snprintf(p, sizeof p, "%s/test-spectrograms.idx", cache);
    snprintf(pl, sizeof pl, "%s/test-labels.idx", cache);
    if (!(spte = am_run_load_data(&run, NULL, p, pl, NULL)))
        goto done;
    if (sptr->classes != NCLS || spte->count == 0) {
        am_run_error(&run, "%s: the speech data set must hold the ten Fashion-MNIST class names (speech-data's default "
                           "words) and held-out voices", cache);
        goto done;
    }
    if (class_words(&run, wndir, (int)depth, &words, &nw, &wclass))
        goto done;
    /* ---- encoders ---- */
    if (image_model) {
        if (load_encoder(&run, "--image-model", image_model, train->dim, &ienc))
            goto done;
    } else {
        am_pca *pca = NULL;
        size_t nfit = train->count < 10000 ? train->count : 10000;
        if ((rc = am_pca_fit(&pca, train->x, nfit, train->dim, k)) || (rc = am_encoder_from_pca(&ienc, pca))) {
            am_run_error(&run, "PCA of the pictures: %s", am_strerror(rc));
            goto done;
        }
    }
    if ((image_base && load_encoder(&run, "--baseline-image-model", image_base, train->dim, &ibase)) ||
        (speech_base && load_encoder(&run, "--baseline-speech-model", speech_base, sptr->dim, &sbase)))
        goto done;
    if (speech_model) {
        if (load_encoder(&run, "--speech-model", speech_model, sptr->dim, &senc))
            goto done;
    } else {
        am_pca *pca = NULL;
        size_t kk = k < sptr->count - 1 ? k : sptr->count - 1;
        if ((rc = am_pca_fit(&pca, sptr->x, sptr->count, sptr->dim, kk)) || (rc = am_encoder_from_pca(&senc, pca))) {
            am_run_error(&run, "PCA of the spectrograms: %s", am_strerror(rc));
            goto done;
        }
    }
    if ((rc = am_word_encoder_create(&wenc, word_dim, run.seed))) {
        am_run_error(&run, "word encoder: %s", am_strerror(rc));
        goto done;
    }
    /* ---- latents ---- */
    {
        if (ntest > test->count)
            ntest = test->count;
        size_t di = am_encoder_code_dim(ienc), ds = am_encoder_code_dim(senc);
        if (di > 4096 || ds > 4096 || word_dim > 4096) {
            am_run_error(&run, "latent dimensions above 4096 are not supported here");
            goto done;
        }
        /* pictures: per class the first ntr training pictures, in class order */
        if (!(pick = pick_pictures(&run, train, ntr)) || !(used[IMG] = calloc(NCLS * ntr, 1)) ||
            !(used[SND] = calloc(sptr->count, 1))) {
            if (pick)
                am_run_error(&run, "out of memory");
            goto done;
        }
        if ((rc = encode_rows(ienc, train, pick, NCLS * ntr, &L[IMG][0])) || (rc = encode_rows(ienc, test, NULL, ntest, &L[IMG][1])) ||
            (rc = encode_rows(senc, sptr, NULL, sptr->count, &L[SND][0])) || (rc = encode_rows(senc, spte, NULL, spte->count, &L[SND][1]))) {
            am_run_error(&run, "encoding: %s", am_strerror(rc));
            goto done;
        }
        /* words: alternately training and held out within each class (a class with one word: both) */
        size_t ntrw = 0, ntew = 0, seen[NCLS] = {0}, count[NCLS] = {0};
        for (size_t i = 0; i < nw; i++)
            count[wclass[i]]++;
        for (int c = 0; c < NCLS; c++)
            if (!count[c]) {
                am_run_error(&run, "class %d has no word of its own in WordNet at depth %d", c, (int)depth);
                goto done;
            }
        L[WRD][0] = (lat_t){0, word_dim, malloc(nw * word_dim * sizeof(float)), malloc(nw * sizeof(int))};
        L[WRD][1] = (lat_t){0, word_dim, malloc(nw * word_dim * sizeof(float)), malloc(nw * sizeof(int))};
        if (!L[WRD][0].z || !L[WRD][1].z || !L[WRD][0].y || !L[WRD][1].y)
            goto done;
        for (size_t i = 0; i < nw && !rc; i++) {
            int c = wclass[i];
            size_t j = seen[c]++;
            int tr = j % 2 == 0 || count[c] == 1, te = j % 2 == 1 || count[c] == 1;
            if (tr) {
                rc = am_word_encode(wenc, words[i], L[WRD][0].z + ntrw * word_dim);
                L[WRD][0].y[ntrw++] = c;
            }
            if (te && !rc) {
                rc = am_word_encode(wenc, words[i], L[WRD][1].z + ntew * word_dim);
                L[WRD][1].y[ntew++] = c;
            }
        }
        L[WRD][0].n = ntrw;
        L[WRD][1].n = ntew;
        if (rc) {
            am_run_error(&run, "encoding: %s", am_strerror(rc));
            goto done;
        }
        for (int m = 0; m < 3; m++) {
            moments(L[m][0].z, L[m][0].n, L[m][0].d, mean[m], &scale[m]);
            normalise(L[m][0].z, L[m][0].n, L[m][0].d, mean[m]);
            normalise(L[m][1].z, L[m][1].n, L[m][1].d, mean[m]);
        }
    }
    /* ---- learning: co-presented triples ---- */
    am_encoder_describe(ienc, idesc, sizeof idesc);
    am_encoder_describe(senc, sdesc, sizeof sdesc);
    if ((rc = learn(&lp, L, idesc, sdesc, mem, used))) {
        am_run_error(&run, "learning: %s", am_strerror(rc));
        goto done;
    }
    if (!(out = am_run_open(&run)))
        goto done;
    fprintf(out, "# triples %zu; held out: %zu pictures, %zu words, %zu utterances; words per class (train+held out) %zu in all\n",
            (size_t)triples, L[IMG][1].n, L[WRD][1].n, L[SND][1].n, nw);
    fprintf(out, "# image encoder: %s\n# speech encoder: %s\n", am_concepts_modality(mem[0].cm, IMG)->encoder,
            am_concepts_modality(mem[0].cm, SND)->encoder);
    if (ibase)
        fprintf(out, "# baseline image encoder: %s\n", describe(ibase, p, sizeof p));
    if (sbase)
        fprintf(out, "# baseline speech encoder: %s\n", describe(sbase, p, sizeof p));
    fprintf(out, "section\tbinding\tcue\ttarget\tparam\tn\tm1\tm2\tm3\n");
    if ((rc = nn_rows(out, IMG, train, test, pick, L[IMG], used[IMG], "pixels", "encoder")) ||
        (rc = nn_rows(out, SND, sptr, spte, NULL, L[SND], used[SND], "spectrogram", "encoder")) ||
        (ibase && (rc = model_rows(out, &lp, L, IMG, ibase, train, test, pick, used[IMG], idesc, sdesc, run.threads))) ||
        (sbase && (rc = model_rows(out, &lp, L, SND, sbase, sptr, spte, NULL, used[SND], idesc, sdesc, run.threads))))
        goto fail;
    am_progress pr;
    am_progress_start(&pr, &run, (size_t)nbt);
    for (int b = 0; b < nbt; b++) {
        const char *bn = am_binding_name(bt[b]);
        score_t sc;
        /* six directions */
        for (int cm = 0; cm < 3; cm++) {
            const float *cues[AM_CONCEPT_MAX_MODALITIES] = {0};
            cues[cm] = L[cm][1].z;
            if ((rc = evaluate(&mem[b], cues, L[cm][1].y, L[cm][1].n, run.threads, &sc, NULL)))
                goto fail;
            for (int t = 0; t < 3; t++)
                if (t != cm)
                    row(out, "direction", bn, modname[cm], modname[t], "-", sc.n, sc.r1, sc.r5, sc.readout[t]);
        }
        /* two modalities at once: pairs of held-out exemplars of the same class */
        for (int miss = 0; miss < 3; miss++) {
            int a = miss == 0 ? 1 : 0, c2 = miss == 2 ? 1 : 2;
            size_t n = L[a][1].n > L[c2][1].n ? L[a][1].n : L[c2][1].n;
            size_t da = L[a][1].d, dc = L[c2][1].d;
            float *qa = malloc(n * da * sizeof(float)), *qc = malloc(n * dc * sizeof(float));
            int *y = malloc(n * sizeof(int));
            size_t nq = 0;
            if (!qa || !qc || !y) {
                free(qa);
                free(qc);
                free(y);
                rc = AM_ENOMEM;
                goto fail;
            }
            /* the i-th cue of the larger set with the (i mod count)-th exemplar of its class in the other */
            const lat_t *big = L[a][1].n >= L[c2][1].n ? &L[a][1] : &L[c2][1], *small = big == &L[a][1] ? &L[c2][1] : &L[a][1];
            for (size_t i = 0; i < big->n; i++) {
                size_t cnt = 0, pickj = SIZE_MAX;
                for (size_t j = 0; j < small->n; j++)
                    if (small->y[j] == big->y[i])
                        cnt++;
                if (!cnt)
                    continue;
                size_t want = i % cnt;
                for (size_t j = 0; j < small->n && pickj == SIZE_MAX; j++)
                    if (small->y[j] == big->y[i] && want-- == 0)
                        pickj = j;
                const float *xa = big == &L[a][1] ? big->z + i * big->d : small->z + pickj * small->d;
                const float *xc = big == &L[a][1] ? small->z + pickj * small->d : big->z + i * big->d;
                memcpy(qa + nq * da, xa, da * sizeof(float));
                memcpy(qc + nq * dc, xc, dc * sizeof(float));
                y[nq++] = big->y[i];
            }
            const float *cues[AM_CONCEPT_MAX_MODALITIES] = {0};
            cues[a] = qa;
            cues[c2] = qc;
            rc = evaluate(&mem[b], cues, y, nq, run.threads, &sc, NULL);
            char cn[32];
            snprintf(cn, sizeof cn, "%s+%s", modname[a], modname[c2]);
            if (!rc)
                row(out, "pair", bn, cn, modname[miss], "-", sc.n, sc.r1, sc.r5, sc.readout[miss]);
            free(qa);
            free(qc);
            free(y);
            if (rc)
                goto fail;
        }
        /* latent noise */
        static const double sig[] = {0.0, 0.5, 1.0, 1.5, 2.0};
        for (int cm = 0; cm < 3; cm++)
            for (size_t s = 0; s < sizeof sig / sizeof sig[0]; s++) {
                size_t n = L[cm][1].n, d = L[cm][1].d;
                float *q = malloc(n * d * sizeof(float));
                if (!q) {
                    rc = AM_ENOMEM;
                    goto fail;
                }
                am_rng rng;
                am_rng_init(&rng, run.seed, am_rng_stream2(0x4e4f4953u, (uint64_t)(cm * 100 + s)));
                for (size_t i = 0; i < n * d; i++)
                    q[i] = L[cm][1].z[i] + (float)(sig[s] / sqrt((double)d) * am_rng_normal(&rng));
                const float *cues[AM_CONCEPT_MAX_MODALITIES] = {0};
                cues[cm] = q;
                rc = evaluate(&mem[b], cues, L[cm][1].y, n, run.threads, &sc, NULL);
                free(q);
                if (rc)
                    goto fail;
                char ps[16];
                snprintf(ps, sizeof ps, "%g", sig[s]);
                row(out, "latent-noise", bn, modname[cm], "concept", ps, sc.n, sc.r1, sc.r5, NAN);
            }
        /* occlusion of the held-out pictures */
        static const double occ[] = {0.0, 0.1, 0.25, 0.4, 0.6};
        size_t n = L[IMG][1].n, di = L[IMG][1].d;
        float *xo = malloc(n * 784 * sizeof(float)), *zo = malloc(n * di * sizeof(float));
        if (!xo || !zo) {
            free(xo);
            free(zo);
            rc = AM_ENOMEM;
            goto fail;
        }
        for (size_t s = 0; s < sizeof occ / sizeof occ[0] && !rc; s++) {
            memcpy(xo, test->x, n * 784 * sizeof(float));
            size_t side = (size_t)lround(sqrt(occ[s]) * 28.0);
            am_rng rng;
            am_rng_init(&rng, run.seed, am_rng_stream2(0x4f4343u, s));
            for (size_t i = 0; i < n && side; i++) {
                size_t r0 = (size_t)am_rng_below(&rng, 28 - side + 1), c0 = (size_t)am_rng_below(&rng, 28 - side + 1);
                for (size_t r = r0; r < r0 + side; r++)
                    memset(xo + i * 784 + r * 28 + c0, 0, side * sizeof(float));
            }
            if (!(rc = am_encoder_encode(ienc, xo, n, zo))) {
                normalise(zo, n, di, mean[IMG]);
                const float *cues[AM_CONCEPT_MAX_MODALITIES] = {zo};
                rc = evaluate(&mem[b], cues, L[IMG][1].y, n, run.threads, &sc, NULL);
            }
            char ps[16];
            snprintf(ps, sizeof ps, "%g", occ[s]);
            if (!rc)
                row(out, "occlusion", bn, "image", "concept", ps, sc.n, sc.r1, sc.r5, NAN);
        }
        free(xo);
        free(zo);
        if (rc)
            goto fail;
        /* speech in white noise (needs the WAVs) */
        snprintf(p, sizeof p, "%s/wav/test-0.wav", cache);
        struct stat sst;
        if (stat(p, &sst) == 0) {
            static const double snr[] = {40.0, 20.0, 10.0, 0.0};
            size_t ns = L[SND][1].n, ds = L[SND][1].d;
            float *feat = malloc(ns * spte->dim * sizeof(float)), *zs = malloc(ns * ds * sizeof(float));
            for (size_t s = 0; s < sizeof snr / sizeof snr[0] && !rc; s++) {
                rc = !feat || !zs ? AM_ENOMEM : noisy_speech(cache, ns, snr[s], run.seed, feat, spte->dim);
                if (!rc)
                    rc = am_encoder_encode(senc, feat, ns, zs);
                if (!rc) {
                    normalise(zs, ns, ds, mean[SND]);
                    const float *cues[AM_CONCEPT_MAX_MODALITIES] = {NULL, NULL, zs};
                    rc = evaluate(&mem[b], cues, L[SND][1].y, ns, run.threads, &sc, NULL);
                }
                char ps[16];
                snprintf(ps, sizeof ps, "%g", snr[s]);
                if (!rc)
                    row(out, "snr", bn, "speech", "concept", ps, sc.n, sc.r1, sc.r5, NAN);
            }
            free(feat);
            free(zs);
            if (rc) {
                am_run_error(&run, "noisy speech from %s/wav: %s", cache, am_strerror(rc));
                goto fail;
            }
        }
        /* letter substitutions in the training words (known words, misspelt) */
        for (int sub = 0; sub <= 3 && !rc; sub++) {
            size_t nwt = L[WRD][0].n;
            float *q = malloc(nwt * word_dim * sizeof(float));
            if (!q) {
                rc = AM_ENOMEM;
                break;
            }
            am_rng rng;
            am_rng_init(&rng, run.seed, am_rng_stream2(0x4c4554u, (uint64_t)sub));
            size_t t = 0;
            for (size_t i = 0; i < nw && !rc; i++) {
                /* the training words, in the order they were encoded */
                size_t j = 0;
                for (size_t o = 0; o < i; o++)
                    j += wclass[o] == wclass[i];
                size_t cnt = 0;
                for (size_t o = 0; o < nw; o++)
                    cnt += wclass[o] == wclass[i];
                if (!(j % 2 == 0 || cnt == 1))
                    continue;
                char w[AM_WORD_MAX + 1];
                snprintf(w, sizeof w, "%s", words[i]);
                size_t len = strlen(w);
                for (int s2 = 0; s2 < sub; s2++) {
                    size_t pos = (size_t)am_rng_below(&rng, len);
                    if ((w[pos] >= 'a' && w[pos] <= 'z') || (w[pos] >= 'A' && w[pos] <= 'Z'))
                        w[pos] = (char)('a' + am_rng_below(&rng, 26));
                }
                rc = am_word_encode(wenc, w, q + t * word_dim);
                t++;
            }
            if (!rc) {
                normalise(q, t, word_dim, mean[WRD]);
                const float *cues[AM_CONCEPT_MAX_MODALITIES] = {NULL, q};
                rc = evaluate(&mem[b], cues, L[WRD][0].y, t, run.threads, &sc, NULL);
            }
            free(q);
            char ps[16];
            snprintf(ps, sizeof ps, "%d", sub);
            if (!rc)
                row(out, "letters", bn, "word", "concept", ps, sc.n, sc.r1, sc.r5, NAN);
        }
        if (rc)
            goto fail;
        /* hierarchy: footwear and top */
        {
            am_concepts *h = NULL;
            am_concepts_config hc = *am_concepts_get_config(mem[b].cm);
            if ((rc = am_concepts_clone(&h, mem[b].cm, &hc)))
                goto fail;
            static const int foot[] = {5, 7, 9}, top[] = {0, 2, 4, 6};
            const char *pw[2] = {"footwear", "top"};
            int parent_of[NCLS];
            for (int c = 0; c < NCLS; c++)
                parent_of[c] = -1;
            size_t pidx[2];
            for (int pp = 0; pp < 2 && !rc; pp++) {
                float *code = malloc(word_dim * sizeof(float));
                if (!code || (rc = am_word_encode(wenc, pw[pp], code))) {
                    free(code);
                    rc = rc ? rc : AM_ENOMEM;
                    break;
                }
                normalise(code, 1, word_dim, mean[WRD]);
                const float *lat[AM_CONCEPT_MAX_MODALITIES] = {NULL, code};
                rc = am_concepts_observe(h, lat, pw[pp], &pidx[pp], NULL);
                free(code);
                const int *kids = pp ? top : foot;
                size_t nk = pp ? 4 : 3;
                for (size_t i = 0; i < nk && !rc; i++) {
                    rc = am_concepts_set_parent(h, mem[b].concept_of_class[kids[i]], pidx[pp]);
                    parent_of[kids[i]] = pp;
                }
            }
            size_t ni = L[IMG][1].n, *tp = malloc(ni * sizeof(size_t));
            unsigned char *lvl = malloc(ni);
            if (!tp || !lvl)
                rc = AM_ENOMEM;
            const float *cues[AM_CONCEPT_MAX_MODALITIES] = {L[IMG][1].z};
            am_concept_recall r = {.k = 1, .concept = tp, .level = lvl};
            if (!rc)
                rc = am_concepts_recall(h, cues, ni, &r, run.threads);
            size_t nh = 0, child = 0, par = 0, wrong = 0, rescued = 0;
            for (size_t q = 0; q < ni && !rc; q++) {
                int y = L[IMG][1].y[q];
                if (parent_of[y] < 0)
                    continue;
                nh++;
                size_t c = tp[q];
                size_t pc = am_concepts_parent(h, c);
                int okc = c == mem[b].concept_of_class[y], okp = pc == pidx[parent_of[y]];
                child += okc;
                par += okp;
                if (!okc) {
                    wrong++;
                    rescued += okp;
                }
            }
            if (!rc)
                row(out, "hierarchy", bn, "image", "parent", "-", nh, nh ? (double)child / nh : 0, nh ? (double)par / nh : 0,
                    wrong ? (double)rescued / wrong : NAN);
            /* fallback at a radius: the median distance of the cues to their winner's prototype */
            double *dist = malloc(ni * sizeof(double));
            for (size_t q = 0; q < ni && !rc && dist; q++) {
                const float *pp = am_concepts_prototype(h, tp[q], IMG);
                double s = 0;
                for (size_t j = 0; j < L[IMG][1].d; j++)
                    s += ((double)L[IMG][1].z[q * L[IMG][1].d + j] - pp[j]) * ((double)L[IMG][1].z[q * L[IMG][1].d + j] - pp[j]);
                dist[q] = sqrt(s);
            }
            if (!dist)
                rc = AM_ENOMEM;
            if (!rc) {
                double *srt = malloc(ni * sizeof(double));
                memcpy(srt, dist, ni * sizeof(double));
                for (size_t i = 1; i < ni; i++) /* insertion sort: ni is small */
                    for (size_t j = i; j > 0 && srt[j - 1] > srt[j]; j--) {
                        double t = srt[j];
                        srt[j] = srt[j - 1];
                        srt[j - 1] = t;
                    }
                double radius = srt[ni / 2];
                free(srt);
                am_concepts_set_radius(h, IMG, radius);
                r.fallback = 1;
                rc = am_concepts_recall(h, cues, ni, &r, run.threads);
                size_t up = 0, upok = 0, rest = 0, restok = 0;
                for (size_t q = 0; q < ni && !rc; q++) {
                    int y = L[IMG][1].y[q];
                    if (parent_of[y] < 0)
                        continue;
                    size_t ans = tp[q];
                    if (lvl[q]) {
                        size_t a = ans;
                        for (int u = 0; u < lvl[q]; u++)
                            a = am_concepts_parent(h, a);
                        up++;
                        upok += a == pidx[parent_of[y]];
                    } else {
                        rest++;
                        restok += ans == mem[b].concept_of_class[y];
                    }
                }
                char ps[16];
                snprintf(ps, sizeof ps, "%.3f", radius);
                if (!rc)
                    row(out, "fallback", bn, "image", "parent", ps, nh, nh ? (double)up / nh : 0, up ? (double)upok / up : NAN,
                        rest ? (double)restok / rest : NAN);
            }
            free(dist);
            free(tp);
            free(lvl);
            am_concepts_free(h);
            if (rc)
                goto fail;
        }
        /* the unit x stimulus response matrix */
        {
            enum { PER = 5 };
            size_t ns = NCLS * PER, N = am_concepts_count(mem[b].cm);
            float *resp = calloc(ns * N, sizeof(float));
            int *ycls = malloc(ns * sizeof(int));
            char (*what)[16] = malloc(ns * sizeof *what);
            if (!resp || !ycls || !what) {
                free(resp);
                free(ycls);
                free(what);
                rc = AM_ENOMEM;
                goto fail;
            }
            for (int c = 0; c < NCLS && !rc; c++) {
                int got[3] = {0};
                for (int m = 0; m < 3 && !rc; m++) {
                    int want = m == IMG ? 3 : 1;
                    for (size_t i = 0; i < L[m][1].n && got[m] < want && !rc; i++) {
                        if (L[m][1].y[i] != c)
                            continue;
                        size_t s = (size_t)c * PER + (m == IMG ? (size_t)got[m] : m == WRD ? 3 : 4);
                        const float *cues[AM_CONCEPT_MAX_MODALITIES] = {0};
                        cues[m] = L[m][1].z + i * L[m][1].d;
                        rc = am_concepts_activation(mem[b].cm, cues, 1, resp + s * N, 1);
                        ycls[s] = c;
                        snprintf(what[s], sizeof what[s], "%s", modname[m]);
                        got[m]++;
                    }
                    if (got[m] < want && !rc) {
                        am_run_error(&run, "class %d has too few held-out %s exemplars for the response matrix", c, modname[m]);
                        rc = AM_EEMPTY;
                    }
                }
            }
            /* response = activation / the unit's largest (negative: 0) */
            double sel = 0, inv = 0, other = 0;
            for (size_t u = 0; u < N && !rc; u++) {
                float mx = 0;
                for (size_t s = 0; s < ns; s++)
                    mx = resp[s * N + u] > mx ? resp[s * N + u] : mx;
                size_t drive = 0, own = 0, alien = 0;
                int cu = mem[b].class_of_concept[u];
                for (size_t s = 0; s < ns; s++) {
                    float r = mx > 0 ? resp[s * N + u] / mx : 0;
                    resp[s * N + u] = r > 0 ? r : 0;
                    if (r > 0.5f) {
                        drive++;
                        own += ycls[s] == cu;
                        alien += ycls[s] != cu;
                    }
                }
                sel += (double)drive;
                inv += (double)own / PER;
                other += drive ? (double)alien / drive : 0;
            }
            if (!rc)
                row(out, "selectivity", bn, "all", "units", "0.5", N, sel / N, inv / N, other / N);
            if (!rc && prefix && b == 0) {
                am_run_file mh;
                snprintf(p, sizeof p, "%s-matrix.tsv", prefix);
                FILE *mf = am_run_file_open(&run, p, 1, &mh);
                if (!mf) {
                    rc = AM_EIO;
                } else {
                    fprintf(mf, "# binding %s; response of each concept unit (columns) to each stimulus (rows), / the unit's largest\nstimulus\tclass\tmodality", bn);
                    for (size_t u = 0; u < N; u++)
                        fprintf(mf, "\t%s", am_concepts_label(mem[b].cm, u));
                    fputc('\n', mf);
                    for (size_t s = 0; s < ns; s++) {
                        fprintf(mf, "%zu\t%s\t%s", s, am_fashion_class_name(ycls[s]), what[s]);
                        for (size_t u = 0; u < N; u++)
                            fprintf(mf, "\t%.4f", (double)resp[s * N + u]);
                        fputc('\n', mf);
                    }
                    if (am_run_file_close(&run, &mh, p))
                        rc = AM_EIO;
                }
            }
            free(resp);
            free(ycls);
            free(what);
            if (rc)
                goto fail;
        }
        am_progress_update(&pr, (size_t)b + 1, "%s", bn);
    }
    am_progress_end(&pr, "done");
    /* purity vs locality radius (pictures alone, no labels) */
    {
        size_t np = purity_n < L[IMG][0].n ? purity_n : L[IMG][0].n, d = L[IMG][0].d;
        am_rng rng;
        am_rng_init(&rng, run.seed, 0x505552u);
        uint32_t *ord = malloc(L[IMG][0].n * sizeof *ord);
        for (size_t i = 0; ord && i < L[IMG][0].n; i++)
            ord[i] = (uint32_t)i;
        if (!ord) {
            rc = AM_ENOMEM;
            goto fail;
        }
        am_rng_shuffle_u32(&rng, ord, L[IMG][0].n);
        for (int ri = 0; ri < nrad && !rc; ri++) {
            am_modality m1 = {"image", d, rad[ri], ""};
            am_concepts *u = NULL;
            if ((rc = am_concepts_create(&u, &m1, 1, NULL)))
                break;
            size_t *node = malloc(np * sizeof(size_t));
            for (size_t i = 0; node && i < np && !rc; i++)
                rc = am_concepts_assign(u, 0, L[IMG][0].z + (size_t)ord[i] * d, &node[i], NULL);
            size_t N = am_concepts_count(u), pure = 0;
            size_t *cnt = node ? calloc(N * NCLS, sizeof(size_t)) : NULL;
            if (!node || !cnt)
                rc = AM_ENOMEM;
            for (size_t i = 0; i < np && !rc; i++)
                cnt[node[i] * NCLS + (size_t)L[IMG][0].y[ord[i]]]++;
            for (size_t c = 0; c < N && !rc; c++) {
                size_t mx = 0;
                for (int y = 0; y < NCLS; y++)
                    mx = cnt[c * NCLS + y] > mx ? cnt[c * NCLS + y] : mx;
                pure += mx;
            }
            char ps[16];
            snprintf(ps, sizeof ps, "%g", rad[ri]);
            if (!rc)
                row(out, "purity", "-", "image", "nodes", ps, np, (double)pure / np, (double)N, (double)np / N);
            free(node);
            free(cnt);
            am_concepts_free(u);
        }
        free(ord);
        if (rc)
            goto fail;
    }
    /* figure and words */
    if (prefix) {
        memory_t *m0 = &mem[0];
        size_t di = L[IMG][1].d;
        float *tiles = calloc(NCLS * 4 * 784, sizeof(float)), *zz = malloc(4 * di * sizeof(float));
        am_run_file wh;
        snprintf(p, sizeof p, "%s-words.tsv", prefix);
        FILE *wf = tiles && zz ? am_run_file_open(&run, p, 1, &wh) : NULL;
        if (!wf) {
            free(tiles);
            free(zz);
            rc = AM_EIO;
            goto fail;
        }
        /* vocabulary codes (normalised) to decode word read-outs */
        float *voc = malloc(nw * word_dim * sizeof(float));
        rc = voc ? am_word_encode_many(wenc, (const char *const *)words, nw, voc) : AM_ENOMEM;
        if (!rc)
            normalise(voc, nw, word_dim, mean[WRD]);
        fprintf(wf, "# binding %s: the word recalled from held-out pictures and utterances (nearest vocabulary word to the "
                    "read-out)\ncue\tindex\tclass\tword\tword_class\n", am_binding_name(bt[0]));
        for (int cmod = 0; cmod < 3 && !rc; cmod += 2) {
            size_t n = cmod == IMG ? (L[IMG][1].n < 50 ? L[IMG][1].n : 50) : L[SND][1].n;
            float *outs[3] = {0};
            score_t sc;
            const float *cues[AM_CONCEPT_MAX_MODALITIES] = {0};
            cues[cmod] = L[cmod][1].z;
            rc = evaluate(m0, cues, L[cmod][1].y, n, run.threads, &sc, outs);
            for (size_t q = 0; q < n && !rc; q++) {
                size_t best = 0;
                double bd = -INFINITY;
                for (size_t v = 0; v < nw; v++) {
                    double s = 0;
                    for (size_t j = 0; j < word_dim; j++)
                        s += (double)voc[v * word_dim + j] * outs[WRD][q * word_dim + j];
                    if (s > bd) {
                        bd = s;
                        best = v;
                    }
                }
                fprintf(wf, "%s\t%zu\t%s\t%s\t%s\n", modname[cmod], q, am_fashion_class_name(L[cmod][1].y[q]), words[best],
                        am_fashion_class_name(wclass[best]));
            }
            for (int m = 0; m < 3; m++)
                free(outs[m]);
        }
        if (rc)
            am_run_file_abort(&wh);
        if (rc || am_run_file_close(&run, &wh, p)) {
            free(voc);
            free(tiles);
            free(zz);
            rc = rc ? rc : AM_EIO;
            goto fail;
        }
        /* the grid: a column per class - a held-out picture (titled with the word recalled from it), the picture
         * recalled from a held-out word, from a held-out utterance, and the concept's prototype */
        char wtitle[NCLS][AM_WORD_MAX + 8];
        int nearest = 0;
        const char *titles[NCLS];
        float *dec = malloc(3 * 784 * sizeof(float)), *wout = malloc(word_dim * sizeof(float));
        if (!dec || !wout)
            rc = AM_ENOMEM;
        for (int c = 0; c < NCLS && !rc; c++) {
            size_t qi = SIZE_MAX, qw = SIZE_MAX, qs = SIZE_MAX;
            for (size_t i = 0; i < L[IMG][1].n && qi == SIZE_MAX; i++)
                if (L[IMG][1].y[i] == c)
                    qi = i;
            for (size_t i = 0; i < L[WRD][1].n && qw == SIZE_MAX; i++)
                if (L[WRD][1].y[i] == c)
                    qw = i;
            for (size_t i = 0; i < L[SND][1].n && qs == SIZE_MAX; i++)
                if (L[SND][1].y[i] == c)
                    qs = i;
            if (qi == SIZE_MAX || qw == SIZE_MAX || qs == SIZE_MAX) {
                am_run_error(&run, "class %d lacks a held-out picture, word or utterance for the grid", c);
                free(dec);
                free(wout);
                free(voc);
                free(tiles);
                free(zz);
                goto fail_quiet;
            }
            memcpy(tiles + (size_t)c * 784, test->x + qi * 784, 784 * sizeof(float));
            size_t tp[1];
            for (int src = 0; src < 3 && !rc; src++) {
                const float *cues[AM_CONCEPT_MAX_MODALITIES] = {0};
                am_concept_recall r = {.k = 1, .concept = tp};
                if (src == 0) {
                    cues[WRD] = L[WRD][1].z + qw * word_dim;
                    r.out[IMG] = zz;
                } else if (src == 1) {
                    cues[SND] = L[SND][1].z + qs * L[SND][1].d;
                    r.out[IMG] = zz + di;
                } else {
                    cues[IMG] = L[IMG][1].z + qi * di;
                    r.out[WRD] = wout;
                }
                rc = am_concepts_recall(m0->cm, cues, 1, &r, 1);
            }
            /* the word: the vocabulary's nearest to the read-out */
            size_t best = 0;
            double bd = -INFINITY;
            for (size_t v = 0; v < nw && !rc; v++) {
                double sdot = 0;
                for (size_t j = 0; j < word_dim; j++)
                    sdot += (double)voc[v * word_dim + j] * wout[j];
                if (sdot > bd) {
                    bd = sdot;
                    best = v;
                }
            }
            snprintf(wtitle[c], sizeof wtitle[c], "%s", words[best]);
            titles[c] = wtitle[c];
            memcpy(zz + 2 * di, am_concepts_prototype(m0->cm, m0->concept_of_class[c], IMG), di * sizeof(float));
            if (!rc)
                rc = render(ienc, zz, 3, mean[IMG], scale[IMG], &L[IMG][0], used[IMG], train, pick, dec, &nearest);
            for (size_t r3 = 0; r3 < 3 && !rc; r3++)
                memcpy(tiles + ((r3 + 1) * NCLS + (size_t)c) * 784, dec + r3 * 784, 784 * sizeof(float));
        }
        free(dec);
        free(wout);
        free(voc);
        free(zz);
        snprintf(p, sizeof p, "%s-grid", prefix);
        static const char *const rows[4] = {"held-out picture", "recalled from a word", "recalled from a sound",
                                            "prototype"};
        if (!rc && am_image_grid(&run, p, tiles, 4, NCLS, 28, 28, titles, rows,
                                 nearest ? "held-out pictures (titled with the word each recalls); learned pictures nearest "
                                           "the recalled latents"
                                         : "held-out pictures (titled with the word each recalls) and the pictures recalled from "
                                           "held-out words and sounds")) {
            free(tiles);
            goto fail_quiet;
        }
        free(tiles);
        if (rc)
            goto fail;
    }
    /* sounds recalled from pictures */
    if (sound_dir) {
        am_stft_config scfg;
        size_t frames;
        char why[128];
        am_stft *st = NULL;
        snprintf(p, sizeof p, "%s/spectrogram.txt", cache);
        if ((rc = am_stft_settings_read(p, &scfg, &frames, why, sizeof why)) || (rc = am_stft_create(&st, &scfg, AM_FFT_ESTIMATE))) {
            am_run_error(&run, "%s: %s", p, why[0] ? why : am_strerror(rc));
            goto fail_quiet;
        }
        if (frames * am_stft_bins(st) != spte->dim) {
            am_stft_free(st);
            am_run_error(&run, "%s does not describe the spectrograms of %s", p, cache);
            goto fail_quiet;
        }
        mkdir(sound_dir, 0777);
        size_t ds = L[SND][1].d;
        float *zs = malloc(ds * sizeof(float)), *feat = malloc(spte->dim * sizeof(float));
        for (int c = 0; c < NCLS && !rc; c++) {
            size_t qi = SIZE_MAX, tp[1];
            for (size_t i = 0; i < L[IMG][1].n && qi == SIZE_MAX; i++)
                if (L[IMG][1].y[i] == c)
                    qi = i;
            if (qi == SIZE_MAX || !zs || !feat) {
                rc = zs && feat ? AM_EEMPTY : AM_ENOMEM;
                break;
            }
            const float *cues[AM_CONCEPT_MAX_MODALITIES] = {L[IMG][1].z + qi * L[IMG][1].d};
            am_concept_recall r = {.k = 1, .concept = tp};
            r.out[SND] = zs;
            if ((rc = am_concepts_recall(mem[0].cm, cues, 1, &r, 1)))
                break;
            int right = nearest_proto(&mem[0], SND, zs) == c;
            if ((rc = render(senc, zs, 1, mean[SND], scale[SND], &L[SND][0], used[SND], sptr, NULL, feat, NULL)))
                break;
            char wav[4200], name[64];
            snprintf(name, sizeof name, "recalled-%d.wav", c);
            snprintf(wav, sizeof wav, "%s/%s", sound_dir, name);
            double err = NAN;
            if ((rc = am_stft_features_to_wav(st, feat, frames, 60, run.seed + (uint64_t)c, wav, &err))) {
                am_run_error(&run, "writing %s: %s", wav, am_strerror(rc));
                break;
            }
            row(out, "sound", am_binding_name(bt[0]), "image", "speech", name, (size_t)c, err, right, NAN);
        }
        free(zs);
        free(feat);
        am_stft_free(st);
        if (rc)
            goto fail;
    }
    status = am_run_close(&run, out) ? 1 : 0;
    out = NULL;
    goto done;
fail:
    am_run_error(&run, "failed: %s", am_strerror(rc));
fail_quiet:
    status = 1;
done:
    if (out)
        am_run_abort(&run, out);
    for (int b = 0; b < MAXB; b++)
        am_concepts_free(mem[b].cm);
    for (int m = 0; m < 3; m++) {
        lat_free(&L[m][0]);
        lat_free(&L[m][1]);
    }
    for (size_t i = 0; i < nw; i++)
        free(words[i]);
    free(words);
    free(wclass);
    free(tmpx);
    free(pick);
    for (int m = 0; m < 3; m++)
        free(used[m]);
    am_word_encoder_free(wenc);
    am_encoder_free(ienc);
    am_encoder_free(senc);
    am_encoder_free(ibase);
    am_encoder_free(sbase);
    am_dataset_free(train);
    am_dataset_free(test);
    am_dataset_free(sptr);
    am_dataset_free(spte);
    return status;
}

/* ================================================================ capacity */

/* P(the true item outscores N - 1 distractors): the true score ~ N(mu, s1^2), each distractor ~ N(0, s0^2),
 * independent: integral of phi(t) Phi((mu + s1 t) / s0)^(N-1) dt (Simpson's rule on [-8, 8]). */
static double p_correct(double mu, double s1, double s0, double N)
{
    const int K = 800;
    double h = 16.0 / K, sum = 0;
    for (int i = 0; i <= K; i++) {
        double t = -8.0 + i * h, w = (i == 0 || i == K) ? 1 : (i % 2 ? 4 : 2);
        double phi = exp(-0.5 * t * t) / sqrt(2 * M_PI);
        double Phi = 0.5 * erfc(-(mu + s1 * t) / s0 / sqrt(2.0));
        sum += w * phi * (Phi > 0 ? exp((N - 1) * log(Phi)) : 0.0);
    }
    return sum * h / 3.0;
}

static const char capacity_desc[] =
    "N concepts, each a random unit vector in each of 3 modalities of dimension --d, bound by observation (one\n"
    "exemplar per modality). Cues: a concept's first-modality vector plus Gaussian noise of norm --noise,\n"
    "--queries of them. recall@1: the cue's concept ranked first. The ceiling is exact nearest-neighbour search\n"
    "of the cue among the N first-modality vectors. Theory (a Gaussian approximation): the true score against\n"
    "N - 1 independent distractors, in cosine units. The cue's cosine with its item has mean c = 1/sqrt(1 +\n"
    "noise^2) and spread noise c/sqrt(d); with another item, spread 1/sqrt(d) (light-tailed in truth, so the\n"
    "approximation is conservative at large N). Each mechanism adds its own noise:\n"
    "  ceiling and kv   none (kv's softmax ranks as the dot product)\n"
    "  hebb             sign codes of B bits: activation 1 - 2 angle/pi, binomial spread 2 sqrt(p (1 - p)/B) for\n"
    "                   agreement p; random codes 1/sqrt(B)\n"
    "  hrr              Plate (1995): a trace of 3 bound pairs in D dimensions adds sqrt(2/D) to the true score\n"
    "                   and sqrt(3/D) to a distractor\n"
    "Columns: binding N d noise queries recall1 ceiling theory bytes_per_concept read_out\n"
    "(read_out: share of cues whose second-modality read-out is nearest the right concept's vector)\n"
    "A '#' line per binding gives the largest N of the sweep with recall@1 >= 0.99; '# time:' lines the\n"
    "microseconds per query of each mechanism at each N (timings are not data: they change between runs).\n";

static int cmd_capacity(int argc, char **argv)
{
    am_run run = {.examples = "concept-cells capacity --N 10,100,1000,10000 --d 64 --noise 1.5 --out capacity.tsv\nconcept-cells capacity --N 100000 --bindings kv --queries 10000 --noise 0.3 --out kv.tsv",
                  .program = "concept-cells", .subcommand = "capacity",
                  .summary = "Recall@1 vs the number of concepts for each binding mechanism.", .description = capacity_desc};
    const char *Ns = "10,100,1000,10000", *bindings = "kv,hebb,hrr";
    uint64_t d = 64, queries = 1000, hrr_dim = 1024, bits = 256;
    double noise = 0.6, beta = 16.0;
    am_opt opts[] = {
        {"N", AM_OPT_STRING, &Ns, "LIST", "numbers of concepts"},
        {"d", AM_OPT_U64, &d, "D", "dimension of each modality"},
        {"noise", AM_OPT_DOUBLE, &noise, "S", "norm of the cue noise (items have norm 1)"},
        {"queries", AM_OPT_U64, &queries, "Q", "cues per point"},
        {"bindings", AM_OPT_STRING, &bindings, "LIST", "mechanisms (kv, hebb, hrr)"},
        {"beta", AM_OPT_DOUBLE, &beta, "B", "kv: inverse temperature"},
        {"bits", AM_OPT_U64, &bits, "B", "hebb: code units per modality"},
        {"hrr-dim", AM_OPT_U64, &hrr_dim, "D", "hrr: trace dimension"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    uint64_t N[32];
    int nn = am_parse_u64_list(Ns, N, 32);
    const am_binding_type *bt[MAXB];
    int nbt;
    if (parse_bindings(&run, bindings, bt, &nbt))
        return 2;
    int badN = nn <= 0;
    for (int i = 0; i < nn; i++)
        badN |= N[i] < 2 || N[i] > 1000000;
    if (badN || d < 2 || d > 4096 || queries < 1 || queries > 1000000 || !(noise >= 0) || noise > 100 || !(beta > 0) ||
        beta > 1e30 || bits < 8 || bits > 4096 || hrr_dim < 16 || hrr_dim > 65536) {
        am_run_error(&run, badN ? "--N: a list of numbers in 2 .. 1e6"
                                : "an option is out of range: --d 2..4096, --queries 1..1e6, --noise 0..100, --beta > 0, "
                                  "--bits 8..4096, --hrr-dim 16..65536");
        return 2;
    }
    FILE *out = am_run_open(&run);
    if (!out)
        return 1;
    fprintf(out, "binding\tN\td\tnoise\tqueries\trecall1\tceiling\ttheory\tbytes_per_concept\tread_out\n");
    double largest[MAXB] = {0}, us_at[32][MAXB];
    am_progress pr;
    am_progress_start(&pr, &run, (size_t)nn * (size_t)nbt);
    for (int i = 0; i < nn && !rc; i++) {
        size_t n = (size_t)N[i], D = (size_t)d;
        float *v[3] = {0}, *cue = NULL, *ro = NULL;
        size_t *top = NULL, *truth = NULL, *nn1 = NULL;
        for (int m = 0; m < 3; m++)
            v[m] = malloc(n * D * sizeof(float));
        cue = malloc(queries * D * sizeof(float));
        ro = malloc(queries * D * sizeof(float));
        top = malloc(queries * sizeof(size_t));
        truth = malloc(queries * sizeof(size_t));
        nn1 = malloc(queries * sizeof(size_t));
        if (!v[0] || !v[1] || !v[2] || !cue || !ro || !top || !truth || !nn1)
            rc = AM_ENOMEM;
        am_rng rng;
        am_rng_init(&rng, run.seed, am_rng_stream2(0x434150u, (uint64_t)n));
        for (int m = 0; m < 3 && !rc; m++)
            for (size_t c = 0; c < n; c++) {
                double s = 0;
                for (size_t j = 0; j < D; j++) {
                    v[m][c * D + j] = (float)am_rng_normal(&rng);
                    s += (double)v[m][c * D + j] * v[m][c * D + j];
                }
                for (size_t j = 0; j < D; j++)
                    v[m][c * D + j] = (float)(v[m][c * D + j] / sqrt(s));
            }
        for (size_t q = 0; q < queries && !rc; q++) {
            truth[q] = (size_t)am_rng_below(&rng, n);
            for (size_t j = 0; j < D; j++)
                cue[q * D + j] = v[0][truth[q] * D + j] + (float)(noise / sqrt((double)D) * am_rng_normal(&rng));
        }
        /* the ceiling: exact nearest neighbour by dot product */
        double ceil_ok = 0;
        am_modern *m1 = NULL;
        if (!rc) {
            am_modern *mm = NULL;
            rc = am_modern_create(&mm, D, 1.0);
            if (!rc)
                rc = am_modern_store(mm, v[0], n);
            if (!rc)
                rc = am_modern_nearest(mm, cue, queries, nn1, NULL);
            am_modern_free(mm);
            if (!rc && !(rc = am_modern_create(&m1, D, 1.0)))
                rc = am_modern_store(m1, v[1], n);
            for (size_t q = 0; q < queries && !rc; q++)
                ceil_ok += nn1[q] == truth[q];
            ceil_ok /= (double)queries;
        }
        for (int b = 0; b < nbt && !rc; b++) {
            am_modality mods[3] = {{"a", D, INFINITY, ""}, {"b", D, INFINITY, ""}, {"c", D, INFINITY, ""}};
            am_concepts_config cfg;
            am_concepts_config_default(&cfg);
            cfg.binding = bt[b];
            cfg.beta = beta;
            cfg.hebb_bits = bits;
            cfg.hrr_dim = hrr_dim;
            cfg.seed = run.seed;
            am_concepts *cm = NULL;
            rc = am_concepts_create(&cm, mods, 3, &cfg);
            for (size_t c = 0; c < n && !rc; c++) {
                const float *lat[AM_CONCEPT_MAX_MODALITIES] = {v[0] + c * D, v[1] + c * D, v[2] + c * D};
                char lb[24];
                snprintf(lb, sizeof lb, "c%zu", c);
                rc = am_concepts_observe(cm, lat, lb, NULL, NULL);
            }
            const float *cues[AM_CONCEPT_MAX_MODALITIES] = {cue};
            am_concept_recall r = {.k = 1, .concept = top};
            r.out[1] = ro;
            /* the first recall builds the mechanism; the timed one is the second */
            if (!rc)
                rc = am_concepts_recall(cm, cues, 1, &r, run.threads);
            double t0 = am_seconds();
            if (!rc)
                rc = am_concepts_recall(cm, cues, queries, &r, run.threads);
            double us = (am_seconds() - t0) * 1e6 / (double)queries;
            /* read-out: the nearest second-modality vector (exact) */
            double ok1 = 0, okr = 0;
            if (!rc)
                rc = am_modern_nearest(m1, ro, queries, nn1, NULL);
            for (size_t q = 0; q < queries && !rc; q++) {
                ok1 += top[q] == truth[q];
                okr += nn1[q] == truth[q];
            }
            ok1 /= (double)queries;
            okr /= (double)queries;
            /* theory in cosine units: the cue's cosine with its item (mean c, spread from the noise) and with a
             * distractor (spread 1/sqrt(d)), plus each mechanism's own noise */
            double nz = noise, cn = sqrt(1.0 + nz * nz), dd = (double)D, th;
            double c1 = 1.0 / cn, s1c = nz / sqrt(dd) / cn, s0c = 1.0 / sqrt(dd);
            if (bt[b] == am_binding_hebb) {
                double pa = 0.5 + asin(c1) / M_PI, g = (2.0 / M_PI) / sqrt(1.0 - c1 * c1 + 1e-12);
                th = p_correct(2.0 * pa - 1.0, sqrt(g * g * s1c * s1c + 4.0 * pa * (1.0 - pa) / (double)bits),
                               sqrt(4.0 / (M_PI * M_PI) / dd + 1.0 / (double)bits), (double)n);
            } else if (bt[b] == am_binding_hrr) {
                th = p_correct(c1, sqrt(s1c * s1c + 2.0 / (double)hrr_dim), sqrt(s0c * s0c + 3.0 / (double)hrr_dim), (double)n);
            } else {
                th = p_correct(c1, s1c, s0c, (double)n);
            }
            if (!rc) {
                fprintf(out, "%s\t%zu\t%zu\t%g\t%zu\t%.4f\t%.4f\t%.4f\t%.0f\t%.4f\n", am_binding_name(bt[b]), n, D, noise,
                        (size_t)queries, ok1, ceil_ok, th, (double)am_concepts_bytes(cm) / (double)n, okr);
                us_at[i][b] = us;
                if (ok1 >= 0.99 && (double)n > largest[b])
                    largest[b] = (double)n;
            }
            am_concepts_free(cm);
            am_progress_update(&pr, (size_t)i * (size_t)nbt + (size_t)b + 1, "N=%zu %s", n, am_binding_name(bt[b]));
        }
        am_modern_free(m1);
        for (int m = 0; m < 3; m++)
            free(v[m]);
        free(cue);
        free(ro);
        free(top);
        free(truth);
        free(nn1);
    }
    am_progress_end(&pr, "done");
    if (rc) {
        am_run_error(&run, "failed: %s", am_strerror(rc));
        am_run_abort(&run, out);
        return 1;
    }
    for (int b = 0; b < nbt; b++)
        fprintf(out, "# %s: largest N of the sweep with recall@1 >= 0.99: %.0f\n", am_binding_name(bt[b]), largest[b]);
    for (int b = 0; b < nbt; b++)
        for (int i = 0; i < nn; i++)
            am_run_time(out, "%s N=%llu: %.2f us per query on %d threads", am_binding_name(bt[b]),
                        (unsigned long long)N[i], us_at[i][b], run.threads);
    /* the distributed memories these localist layers replace, for comparison */
    fprintf(out, "# for comparison: a distributed BAM between two layers of %zu bits (Kosko 1988) holds about B/(2 ln B) = %.0f "
                 "pairs; a Hopfield net of %zu units, 0.138 n = %.0f patterns (Amit et al. 1985); the localist concept layer "
                 "has no such limit (its errors come from the cue noise and the codes: the theory column)\n",
            (size_t)bits, (double)bits / (2.0 * log((double)bits)), (size_t)d, 0.138 * (double)d);
    return am_run_close(&run, out) ? 1 : 0;
}

int main(int argc, char **argv)
{
    static const am_subcommand cmds[] = {{"trimodal", cmd_trimodal}, {"capacity", cmd_capacity}, {NULL, NULL}};
    return am_run_subcommands(argc, argv, "concept-cells", usage_text, cmds, NULL);
}
