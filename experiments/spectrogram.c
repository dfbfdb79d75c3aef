/* bin/spectrogram — hear and see the speech modality: turn spectrograms of a bin/speech-data cache (as they
 * are, or after an encoder's encode + decode: what a memory gives back) into sound by Griffin-Lim phase
 * reconstruction, and draw them as an image grid for figures. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "harness/harness.h"

#define MAXSEL 64

static const char usage_text[] =
    "usage: spectrogram COMMAND --cache DIR [options]   (spectrogram COMMAND --help for each)\n"
    "  listen   spectrograms (and an encoder's reconstructions of them) to WAV by Griffin-Lim\n"
    "  grid     spectrograms (and reconstructions) as a PNG image grid through gnuplot\n"
    "DIR is a cache made by bin/speech-data (its spectrogram.txt, *-spectrograms.idx, *-labels.idx, words.txt).\n"
    "Examples:\n"
    "  spectrogram listen --cache speech --index 0,1,2 --prefix word\n"
    "  spectrogram grid --cache speech --prefix spectrograms\n";

typedef struct cache {
    am_stft_config cfg;
    size_t frames, bins, count;
    float *feat;    /* count x frames x bins */
    long *labels;   /* count */
    char **words;
    size_t nwords;
} cache;

static void cache_free(cache *c)
{
    free(c->feat);
    free(c->labels);
    am_words_free(c->words, c->nwords);
    memset(c, 0, sizeof *c);
}

/* The settings file (am_stft_settings_read). */
static int read_settings(const am_run *run, const char *dir, cache *c)
{
    char p[4200], why[160];
    snprintf(p, sizeof p, "%s/spectrogram.txt", dir);
    int rc = am_stft_settings_read(p, &c->cfg, &c->frames, why, sizeof why);
    if (rc) {
        am_run_error(run, "cannot read %s: %s%s", p, why, rc == AM_ERRNO(ENOENT) ? " (a cache made by bin/speech-data?)" : "");
        return -1;
    }
    return 0;
}

static int load_cache(const am_run *run, const char *dir, const char *split, cache *c, am_stft **stft)
{
    memset(c, 0, sizeof *c);
    if (read_settings(run, dir, c))
        return -1;
    int rc = am_stft_create(stft, &c->cfg, AM_FFT_ESTIMATE);
    if (rc) {
        am_run_error(run, "%s/spectrogram.txt: settings rejected: %s", dir, am_strerror(rc));
        return -1;
    }
    c->bins = am_stft_bins(*stft);
    char p[4200];
    am_idx *x = NULL, *l = NULL;
    snprintf(p, sizeof p, "%s/%s-spectrograms.idx", dir, split);
    if ((rc = am_idx_read(&x, p))) {
        am_run_error(run, "%s: %s", p, am_strerror(rc));
        return -1;
    }
    if (x->type != AM_IDX_F32 || x->ndim != 3 || x->dims[1] != c->frames || x->dims[2] != c->bins) {
        am_run_error(run, "%s: want float32 count x %zu x %zu (spectrogram.txt)", p, c->frames, c->bins);
        am_idx_free(x);
        return -1;
    }
    snprintf(p, sizeof p, "%s/%s-labels.idx", dir, split);
    if ((rc = am_idx_read(&l, p)) || l->count != x->dims[0]) {
        am_run_error(run, "%s: %s", p, rc ? am_strerror(rc) : "label count differs from the spectrograms'");
        am_idx_free(x);
        am_idx_free(l);
        return -1;
    }
    c->count = x->dims[0];
    c->feat = x->data; /* taken over */
    x->data = NULL;
    am_idx_free(x);
    c->labels = malloc((c->count ? c->count : 1) * sizeof *c->labels);
    for (size_t i = 0; c->labels && i < c->count; i++)
        c->labels[i] = (long)am_idx_value(l, i);
    am_idx_free(l);
    for (size_t i = 0; i < c->count * c->frames * c->bins; i++)
        if (!isfinite(c->feat[i])) {
            am_run_error(run, "%s/%s-spectrograms.idx: a value is NaN or infinite", dir, split);
            return -1;
        }
    /* words.txt: optional for the numbers, used in titles. */
    snprintf(p, sizeof p, "%s/words.txt", dir);
    FILE *f = fopen(p, "r");
    char line[256];
    size_t cap = 0;
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (c->nwords == cap) {
            cap = cap ? 2 * cap : 16;
            char **nw = realloc(c->words, cap * sizeof *nw);
            if (!nw)
                break;
            c->words = nw;
        }
        c->words[c->nwords++] = strdup(line);
    }
    if (f)
        fclose(f);
    return c->labels ? 0 : -1;
}

static const char *word_of(const cache *c, size_t i)
{
    long l = c->labels[i];
    return l >= 0 && (size_t)l < c->nwords && c->words[l] ? c->words[l] : "?";
}

/* The selected utterances' features, and the encoder's reconstructions when model is set. */
static int select_and_recall(const am_run *run, const cache *c, const char *index_s, const char *model,
                             size_t *sel, int *nsel, float **recon)
{
    uint64_t v[MAXSEL];
    if (!index_s) { /* the default: the first four, or all of a smaller split */
        *nsel = c->count < 4 ? (int)c->count : 4;
        for (int k = 0; k < *nsel; k++)
            v[k] = (uint64_t)k;
    } else {
        *nsel = am_parse_u64_list(index_s, v, MAXSEL);
    }
    for (int k = 0; k < *nsel; k++)
        if (v[k] >= c->count)
            *nsel = -1;
    if (*nsel < 1) {
        am_run_error(run, "--index wants up to %d utterance numbers below %zu", MAXSEL, c->count);
        return -1;
    }
    for (int k = 0; k < *nsel; k++)
        sel[k] = (size_t)v[k];
    *recon = NULL;
    if (!model)
        return 0;
    am_encoder *e = NULL;
    int rc = am_encoder_load(&e, model);
    size_t dim = c->frames * c->bins;
    if (rc) {
        am_run_error(run, "--model %s: %s", model, am_strerror(rc));
        return -1;
    }
    if (am_encoder_input_dim(e) != dim) {
        am_run_error(run, "--model %s takes %zu values, the spectrograms have %zu x %zu = %zu", model,
                     am_encoder_input_dim(e), c->frames, c->bins, dim);
        am_encoder_free(e);
        return -1;
    }
    float *x = malloc((size_t)*nsel * dim * sizeof *x), *z = malloc((size_t)*nsel * am_encoder_code_dim(e) * sizeof *z);
    *recon = malloc((size_t)*nsel * dim * sizeof **recon);
    if (!x || !z || !*recon) {
        am_run_error(run, "out of memory");
        rc = AM_ENOMEM;
    } else {
        for (int k = 0; k < *nsel; k++)
            memcpy(x + (size_t)k * dim, c->feat + sel[k] * dim, dim * sizeof *x);
        if ((rc = am_encoder_encode(e, x, (size_t)*nsel, z)) || (rc = am_encoder_decode(e, z, (size_t)*nsel, *recon)))
            am_run_error(run, "--model %s: %s", model, am_strerror(rc));
    }
    free(x);
    free(z);
    am_encoder_free(e);
    if (rc) {
        free(*recon);
        *recon = NULL;
        return -1;
    }
    return 0;
}

/* What both commands do after parsing: check the common options, load the cache, pick the utterances and
 * (with a model) reconstruct them. 0, or 2 with the reason printed and everything freed. */
static int setup(const am_run *run, const char *dir, const char *split, const char *prefix, const char *index_s,
                 const char *model, cache *c, am_stft **stft, size_t *sel, int *nsel, float **recon)
{
    memset(c, 0, sizeof *c);
    *stft = NULL;
    *recon = NULL;
    if (!dir || !prefix) {
        am_run_error(run, "--cache and --prefix are required");
        return 2;
    }
    if (strcmp(split, "train") && strcmp(split, "test")) {
        am_run_error(run, "--split must be train or test");
        return 2;
    }
    if (load_cache(run, dir, split, c, stft) || select_and_recall(run, c, index_s, model, sel, nsel, recon)) {
        cache_free(c);
        am_stft_free(*stft);
        *stft = NULL;
        return 2;
    }
    return 0;
}

static int cmd_listen(int argc, char **argv)
{
    const char *dir = NULL, *split = "test", *index_s = "0", *model = NULL, *prefix = NULL;
    int iters = 60;
    am_run run = {.examples = "spectrogram listen --cache speech --index 0,1,2 --prefix word\nspectrogram listen --cache speech --split test --index 5 --model sae.model --prefix recon",
                  .program = "spectrogram", .subcommand = "listen",
                  .summary = "Spectrograms to sound by Griffin-Lim (and an encoder's reconstructions of them).",
                  .description = "Writes PREFIX-<split>-<index>.wav (the spectrogram as stored) and, with --model,\n"
                                 "PREFIX-<split>-<index>-model.wav (after encode + decode). Mel bands are spread back\n"
                                 "over linear bins approximately (am/audio.h): the fine harmonic structure is lost, so\n"
                                 "expect a buzzy voice. Columns: split index label word source iters spectral_error wav\n"
                                 "(spectral_error: Griffin-Lim's final || |STFT x| - target || / || target ||).\n"};
    am_opt opts[] = {
        {"cache", AM_OPT_STRING, &dir, "dir", "a bin/speech-data cache (required)"},
        {"split", AM_OPT_STRING, &split, "train|test", "which spectrograms"},
        {"index", AM_OPT_STRING, &index_s, "i,j,...", "utterance numbers in the split"},
        {"model", AM_OPT_STRING, &model, "file", "an encoder (PCA or autoencoder) trained on these spectrograms"},
        {"prefix", AM_OPT_STRING, &prefix, "path", "WAV files are PREFIX-... (required)"},
        {"iters", AM_OPT_INT, &iters, "n", "Griffin-Lim iterations (1-10000)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (iters < 1 || iters > 10000) {
        am_run_error(&run, "--iters must be between 1 and 10000");
        return 2;
    }
    cache c;
    am_stft *stft;
    size_t sel[MAXSEL];
    int nsel;
    float *recon;
    if (setup(&run, dir, split, prefix, index_s, model, &c, &stft, sel, &nsel, &recon))
        return 2;
    size_t dim = c.frames * c.bins;
    FILE *out = am_run_open(&run);
    int status = 1;
    if (!out)
        goto done;
    fprintf(out, "split\tindex\tlabel\tword\tsource\titers\tspectral_error\twav\n");
    for (int k = 0; k < nsel; k++)
        for (int src = 0; src < (recon ? 2 : 1); src++) {
            const float *f = src ? recon + (size_t)k * dim : c.feat + sel[k] * dim;
            char wav[4200];
            snprintf(wav, sizeof wav, "%s-%s-%zu%s.wav", prefix, split, sel[k], src ? "-model" : "");
            double err;
            if ((rc = am_stft_features_to_wav(stft, f, c.frames, (unsigned)iters, run.seed + sel[k], wav, &err))) {
                am_run_error(&run, "utterance %zu (%s): %s", sel[k], wav, am_strerror(rc));
                goto done;
            }
            fprintf(out, "%s\t%zu\t%ld\t%s\t%s\t%d\t%.4f\t%s\n", split, sel[k], c.labels[sel[k]], word_of(&c, sel[k]),
                    src ? "model" : "stored", iters, err, wav);
        }
    status = 0;
done:
    if (out && status)
        am_run_abort(&run, out);
    else if (out && am_run_close(&run, out))
        status = 1;
    free(recon);
    cache_free(&c);
    am_stft_free(stft);
    return status;
}

static int cmd_grid(int argc, char **argv)
{
    const char *dir = NULL, *split = "test", *index_s = NULL, *model = NULL, *prefix = NULL;
    am_run run = {.examples = "spectrogram grid --cache speech --prefix spectrograms\nspectrogram grid --cache speech --split test --model sae.model --prefix recon",
                  .program = "spectrogram", .subcommand = "grid",
                  .summary = "Spectrograms (and an encoder's reconstructions) as an image grid.",
                  .description = "Writes PREFIX.png: one row per utterance (titled with its word), frequency\n"
                                 "upwards and time to the right; a second column with --model. Columns of the TSV:\n"
                                 "row index label word mse (mse: of the reconstruction, NaN without --model)\n"};
    am_opt opts[] = {
        {"cache", AM_OPT_STRING, &dir, "dir", "a bin/speech-data cache (required)"},
        {"split", AM_OPT_STRING, &split, "train|test", "which spectrograms"},
        {"index", AM_OPT_STRING, &index_s, "i,j,...", "utterance numbers in the split (default: the first 4)"},
        {"model", AM_OPT_STRING, &model, "file", "an encoder trained on these spectrograms"},
        {"prefix", AM_OPT_STRING, &prefix, "path", "the figure PREFIX.png (required)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    cache c;
    am_stft *stft;
    size_t sel[MAXSEL];
    int nsel;
    float *recon;
    if (setup(&run, dir, split, prefix, index_s, model, &c, &stft, sel, &nsel, &recon))
        return 2;
    size_t dim = c.frames * c.bins, cols = recon ? 2 : 1, h = c.bins, w = c.frames;
    float *tiles = malloc((size_t)nsel * cols * dim * sizeof *tiles);
    int status = 1;
    FILE *out = tiles ? am_run_open(&run) : NULL;
    if (!out)
        goto done;
    /* A tile is bins x frames with the highest band on top. */
    for (int k = 0; k < nsel; k++)
        for (size_t col = 0; col < cols; col++) {
            const float *f = col ? recon + (size_t)k * dim : c.feat + sel[k] * dim;
            float *t = tiles + ((size_t)k * cols + col) * dim;
            for (size_t b = 0; b < h; b++)
                for (size_t fr = 0; fr < w; fr++) {
                    float v = f[fr * c.bins + (h - 1 - b)];
                    t[b * w + fr] = v < 0 ? 0 : v > 1 ? 1 : v;
                }
        }
    fprintf(out, "row\tindex\tlabel\tword\tmse\n");
    for (int k = 0; k < nsel; k++) {
        double mse = NAN;
        if (recon) {
            mse = 0;
            for (size_t i = 0; i < dim; i++) {
                double d = (double)recon[(size_t)k * dim + i] - c.feat[sel[k] * dim + i];
                mse += d * d / (double)dim;
            }
        }
        fprintf(out, "%d\t%zu\t%ld\t%s\t%.6f\n", k, sel[k], c.labels[sel[k]], word_of(&c, sel[k]), mse);
    }
    const char *titles[2] = {"stored", "encoder"}, *words[MAXSEL];
    char title[256];
    snprintf(title, sizeof title, "%s spectrograms (%zu %s x %zu frames)", split, c.bins,
             c.cfg.mels ? "mel bands" : "bins", c.frames);
    for (int k = 0; k < nsel; k++) /* each row titled with the word spoken */
        words[k] = word_of(&c, sel[k]);
    if (am_image_grid(&run, prefix, tiles, (size_t)nsel, cols, h, w, titles, words, title))
        goto done;
    status = 0;
done:
    if (out && status)
        am_run_abort(&run, out);
    else if (out && am_run_close(&run, out))
        status = 1;
    free(tiles), free(recon);
    cache_free(&c);
    am_stft_free(stft);
    return status;
}

int main(int argc, char **argv)
{
    static const am_subcommand cmds[] = {{"listen", cmd_listen}, {"grid", cmd_grid}, {NULL, NULL}};
    return am_run_subcommands(argc, argv, "spectrogram", usage_text, cmds, am_fft_version());
}
