/* bin/word-data — the word modality as a data set: words from a list and, for the Fashion-MNIST classes,
 * their names with WordNet synonyms and hypernyms, encoded by spelling (am/words.h) into fixed-dimension
 * latents, with a clean-up check of every code against the vocabulary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "am/am.h"
#include "harness/harness.h"

#define MAX_WORDS 100000

static const char description[] =
    "Files written to the cache directory (each atomically):\n"
    "  word-codes.idx    float32 IDX, count x D: the spelling code of every word (unit length)\n"
    "  word-labels.idx   the concept of every word (int32 IDX): the Fashion-MNIST class for WordNet words (a\n"
    "                    hypernym shared by several classes: the first of them), 10, 11, ... for --words\n"
    "  vocabulary.txt    the words, one per line, in code order\n"
    "  concept-names.txt the name of every concept, line k + 1 for concept k (`concepts learn --names`): the\n"
    "                    ten Fashion-MNIST class names, then the --words in order (a name taken already gets\n"
    "                    ' (label K)')\n"
    "The TSV (--out) has one row per word:\n"
    "  index word concept source nearest nearest_cos decodes\n"
    "  source       class (the class name), synonym or hypernym (WordNet, up to --depth levels), or list\n"
    "  nearest      the closest other word of the vocabulary by spelling, and its cosine\n"
    "  decodes      1 when the word's own code cleans up to itself (it always should)\n";

typedef struct entry {
    char *word;
    int concept;
    char source[16];
} entry;

static int add(entry **v, size_t *n, size_t *cap, const char *w, int concept, const char *source)
{
    if (*n == MAX_WORDS)
        return -1;
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        entry *nv = realloc(*v, nc * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = nc;
    }
    (*v)[*n].word = strdup(w);
    (*v)[*n].concept = concept;
    snprintf((*v)[*n].source, sizeof (*v)[*n].source, "%s", source);
    if (!(*v)[*n].word)
        return -1;
    (*n)++;
    return 0;
}

static const entry *sort_base;
static int cmp_entry(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcasecmp(sort_base[i].word, sort_base[j].word);
    return c ? c : (i > j) - (i < j);
}

/* Keep the first of words equal but for case (the first concept to claim a word keeps it), in order. */
static int dedupe(entry *v, size_t *n)
{
    size_t *ix = malloc((*n ? *n : 1) * sizeof *ix);
    unsigned char *drop = calloc(*n ? *n : 1, 1);
    if (!ix || !drop) {
        free(ix), free(drop);
        return -1;
    }
    for (size_t i = 0; i < *n; i++)
        ix[i] = i;
    sort_base = v;
    qsort(ix, *n, sizeof *ix, cmp_entry);
    for (size_t k = 1; k < *n; k++)
        if (!strcasecmp(v[ix[k - 1]].word, v[ix[k]].word))
            drop[ix[k]] = 1;
    size_t m = 0;
    for (size_t i = 0; i < *n; i++) {
        if (drop[i])
            free(v[i].word);
        else
            v[m++] = v[i];
    }
    *n = m;
    free(ix), free(drop);
    return 0;
}

/* concept-names.txt: line k + 1 names concept k (Fashion-MNIST class k, then --words word k - 10), every name
 * once as am_labels_read wants (a repeat gets " (label K)"); written atomically. */
static int write_names(const am_run *run, const char *path, char **wl, size_t nl)
{
    am_run_file h;
    FILE *f = am_run_file_open(run, path, 0, &h);
    for (size_t k = 0; f && k < 10 + nl; k++) {
        const char *name = k < 10 ? am_fashion_class_name((int)k) : wl[k - 10];
        int taken = 0;
        for (size_t j = 0; j < k && !taken; j++)
            taken = !strcmp(name, j < 10 ? am_fashion_class_name((int)j) : wl[j - 10]);
        fprintf(f, taken ? "%s (label %zu)\n" : "%s\n", name, k);
    }
    return !f || am_run_file_close(run, &h, path) ? -1 : 0;
}

int main(int argc, char **argv)
{
    const char *cache = NULL, *words_path = NULL, *wordnet = NULL;
    int dim = 1024, depth = 2, no_fashion = 0;
    am_run run = {.examples = "word-data --cache words --out words.tsv\nword-data --cache words --words mywords.txt --no-fashion --D 1024 --out words.tsv",
                  .program = "word-data",
                  .summary = "Words (a list, Fashion-MNIST classes with WordNet synonyms and hypernyms) as spelling codes.",
                  .description = description};
    am_opt opts[] = {
        {"cache", AM_OPT_STRING, &cache, "dir", "directory for the files (made if missing; required)"},
        {"words", AM_OPT_STRING, &words_path, "file", "more words, one per line ('#' comments)"},
        {"no-fashion", AM_OPT_FLAG, &no_fashion, NULL, "leave out the Fashion-MNIST classes and WordNet"},
        {"depth", AM_OPT_INT, &depth, "n", "WordNet hypernym levels above each class (0-10)"},
        {"wordnet", AM_OPT_STRING, &wordnet, "dir", "WordNet dict directory (default $AM_WORDNET_DIR or /usr/share/wordnet)"},
        {"D", AM_OPT_INT, &dim, "d", "code dimension (16-65536)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (!cache) {
        am_run_error(&run, "--cache DIR is required");
        return 2;
    }
    if (dim < 16 || dim > 65536 || depth < 0 || depth > 10) {
        am_run_error(&run, "--D must be 16-65536 and --depth 0-10");
        return 2;
    }
    if (no_fashion && !words_path) {
        am_run_error(&run, "--no-fashion leaves no words: give --words FILE");
        return 2;
    }
    entry *v = NULL;
    size_t n = 0, cap = 0, nl = 0;
    char **wl = NULL; /* the --words, in file order */
    int status = 2;
    am_word_encoder *enc = NULL;
    am_lexicon *lx = NULL;
    float *codes = NULL;
    FILE *out = NULL;
    if (!no_fashion) {
        am_wordnet *wn = NULL;
        char why[512];
        if ((rc = am_wordnet_open(&wn, wordnet, why, sizeof why))) {
            am_run_error(&run, "cannot open WordNet: %s%s", why,
                         am_status_errno(rc) == ENOENT ? " (Debian package wordnet-base)" : "");
            goto done;
        }
        /* Class names first, then synonyms, then hypernyms: a word reached from several classes (a shared
         * hypernym such as "garment") belongs to the first class, in class order, that reaches it. */
        char **w[10] = {0}, **w0[10] = {0};
        size_t nw[10] = {0}, n0[10] = {0};
        for (int c = 0; c < 10 && !rc; c++)
            if (!(rc = am_wordnet_fashion_words(wn, c, depth, &w[c], &nw[c])))
                rc = am_wordnet_fashion_words(wn, c, 0, &w0[c], &n0[c]);
        if (rc)
            am_run_error(&run, "WordNet words of the Fashion-MNIST classes: %s",
                         am_wordnet_message(wn)[0] ? am_wordnet_message(wn) : am_strerror(rc));
        for (int pass = 0; pass < 3 && !rc; pass++)
            for (int c = 0; c < 10 && !rc; c++)
                for (size_t i = 0; i < nw[c] && !rc; i++) {
                    int kind = i == 0 ? 0 : i < n0[c] ? 1 : 2;
                    if (kind != pass || !am_word_valid(w[c][i]))
                        continue; /* lemmas with other characters ('.', '/') are left out */
                    if (add(&v, &n, &cap, w[c][i], c, kind == 0 ? "class" : kind == 1 ? "synonym" : "hypernym")) {
                        am_run_error(&run, "out of memory");
                        rc = AM_ENOMEM;
                    }
                }
        for (int c = 0; c < 10; c++) {
            am_words_free(w[c], nw[c]);
            am_words_free(w0[c], n0[c]);
        }
        if (rc) {
            am_wordnet_close(wn);
            goto done;
        }
        am_wordnet_close(wn);
    }
    if (words_path) {
        am_words_where at;
        rc = am_words_read(words_path, MAX_WORDS, &wl, &nl, &at);
        if (rc == AM_EFORMAT)
            am_run_error(&run, "--words %s line %zu: %s is not a word (letters, digits, spaces, hyphens and apostrophes only, at "
                               "most %d)", words_path, at.line, at.text, AM_WORD_MAX);
        else if (rc == AM_ERANGE)
            am_run_error(&run, "--words %s: more than %d words", words_path, MAX_WORDS);
        else if (rc == AM_EEMPTY)
            am_run_error(&run, "--words %s holds no words", words_path);
        else if (rc)
            am_run_error(&run, "cannot read --words %s: %s", words_path, am_strerror(rc));
        for (size_t i = 0; !rc && i < nl; i++)
            if (add(&v, &n, &cap, wl[i], 10 + (int)i, "list")) {
                am_run_error(&run, "--words %s: more than %d words, or out of memory", words_path, MAX_WORDS);
                rc = AM_ENOMEM;
            }
        if (rc)
            goto done;
    }
    if (dedupe(v, &n)) {
        am_run_error(&run, "out of memory");
        goto done;
    }
    status = 1;
    if (mkdir(cache, 0777) != 0 && errno != EEXIST) {
        am_run_error(&run, "cannot make --cache %s: %s", cache, strerror(errno));
        goto done;
    }
    const char **vw = malloc(n * sizeof *vw);
    int32_t *lab = malloc(n * sizeof *lab);
    if (!vw || !lab) {
        free(vw), free(lab);
        am_run_error(&run, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        vw[i] = v[i].word;
        lab[i] = v[i].concept;
    }
    if ((rc = am_word_encoder_create(&enc, (size_t)dim, run.seed)) || (rc = am_lexicon_create(&lx, enc, vw, n))) {
        free(vw), free(lab);
        am_run_error(&run, "encoding the vocabulary: %s", am_strerror(rc));
        goto done;
    }
    free(vw);
    const float *cd = am_lexicon_codes(lx);
    size_t *self = malloc(n * sizeof *self);
    char p1[4200], p2[4200], p3[4200], p4[4200];
    snprintf(p1, sizeof p1, "%s/word-codes.idx", cache);
    snprintf(p2, sizeof p2, "%s/word-labels.idx", cache);
    snprintf(p3, sizeof p3, "%s/vocabulary.txt", cache);
    snprintf(p4, sizeof p4, "%s/concept-names.txt", cache);
    size_t dims[2] = {n, (size_t)dim};
    if (!self || (rc = am_lexicon_decode(lx, cd, n, self))) {
        free(self), free(lab);
        am_run_error(&run, "clean-up: %s", self ? am_strerror(rc) : "out of memory");
        goto done;
    }
    if (!(out = am_run_open(&run))) {
        free(self), free(lab);
        goto done;
    }
    fprintf(out, "# %zu words, D = %d, spelling seed %llu%s\n", n, dim, (unsigned long long)run.seed,
            no_fashion ? "" : "; Fashion-MNIST classes with WordNet synonyms and hypernyms");
    fprintf(out, "index\tword\tconcept\tsource\tnearest\tnearest_cos\tdecodes\n");
    /* Each word's nearest other word (exact, so the same under any BLAS kernel). */
    size_t *nb = malloc(n * sizeof *nb);
    if (!nb || (n > 1 && (rc = am_lexicon_neighbours(lx, nb)))) {
        am_run_error(&run, "neighbour search: %s", nb ? am_strerror(rc) : "out of memory");
        free(nb), free(self), free(lab);
        am_run_abort(&run, out);
        out = NULL;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%zu\t%s\t%d\t%s\t%s\t%.4f\t%d\n", i, v[i].word, v[i].concept, v[i].source,
                n > 1 ? v[nb[i]].word : "-",
                n > 1 ? am_hrr_cosine((size_t)dim, cd + i * (size_t)dim, cd + nb[i] * (size_t)dim) : 0.0, self[i] == i);
    free(nb);
    free(self);
    if ((rc = am_idx_write(p1, AM_IDX_F32, 2, dims, cd)) || (rc = am_idx_write(p2, AM_IDX_I32, 1, dims, lab))) {
        free(lab);
        am_run_error(&run, "writing %s: %s", p1, am_strerror(rc));
        am_run_abort(&run, out);
        out = NULL;
        goto done;
    }
    free(lab);
    /* vocabulary.txt: plain lines (no '#' header: it is a word list), written atomically */
    am_run_file vh;
    FILE *vf = am_run_file_open(&run, p3, 0, &vh);
    for (size_t i = 0; vf && i < n; i++)
        fprintf(vf, "%s\n", v[i].word);
    if (!vf || am_run_file_close(&run, &vh, p3) || write_names(&run, p4, wl, nl)) {
        am_run_abort(&run, out);
        out = NULL;
        goto done;
    }
    status = am_run_close(&run, out) ? 1 : 0;
    out = NULL;
done:
    if (out)
        am_run_abort(&run, out);
    for (size_t i = 0; i < n; i++)
        free(v[i].word);
    free(v);
    am_words_free(wl, nl);
    free(codes);
    am_lexicon_free(lx);
    am_word_encoder_free(enc);
    return status;
}
