/* concepts — the concept store on the command line: learn co-presented latents into an LMDB concept
 * database, recall across modalities, list, show, export and summarise it. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "harness/harness.h"
#include "am/conceptdb.h"

static const char usage_text[] =
    "Usage: concepts COMMAND --db DIR [options]   (concepts COMMAND --help for each)\n"
    "  learn    bind co-presented latents (rows of latent files, one per modality; or --by-label) into concept nodes\n"
    "  recall   cue in one modality or several; rank the concepts; read out the other modalities\n"
    "  list     one row per concept: id, label, parent, children, exemplars per modality\n"
    "  show     one concept in full: its record and its prototypes\n"
    "  export   every exemplar as TSV: concept, modality, sequence, encoder, latent\n"
    "  stats    counts and size of the database\n"
    "Latent files are TSV as `autoencoder encode` writes them (index, label, z1 .. zk) or IDX (.idx, .idx.gz: word-data,\n"
    "speech-data; labels from PREFIX-labels.idx beside PREFIX-KIND.idx; `concepts learn --help`). The database is a\n"
    "directory (LMDB's data.mdb and lock.mdb); learning commits every --batch observations, so a killed learn\n"
    "keeps everything committed, and readers may run while it learns.\n"
    "Examples:\n"
    "  concepts learn --db concepts.db --modalities picture=pics.tsv,word=words.tsv --names classes.txt\n"
    "  concepts recall --db concepts.db --cues word=words-test.tsv --k 3 --out recall.tsv\n"
    "  concepts list --db concepts.db\n";

/* ---- shared helpers ---- */

typedef struct {
    char name[AM_CONCEPT_NAME_MAX + 1];
    const char *path;
    size_t k, n;
    float *z;
    int *labels;
    char encoder[128];
} latfile;

static void latfile_free(latfile *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].z);
        free(f[i].labels);
    }
}

/* The position of the modality called name among f[0 .. nf), or nf. */
__attribute__((noinline)) static size_t modality_index(const latfile *f, size_t nf, const char *name)
{
    for (size_t i = 0; i < nf; i++)
        if (!strcmp(f[i].name, name))
            return i;
    return nf;
}

/* An IDX file (its name ends in .idx or .idx.gz), as word-data, speech-data and `autoencoder decode --idx`
 * write them, rather than latent TSV. */
static int is_idx(const char *path)
{
    size_t n = strlen(path);
    return (n > 4 && !strcmp(path + n - 4, ".idx")) || (n > 7 && !strcmp(path + n - 7, ".idx.gz"));
}

/* The labels beside IDX file DIR/PREFIX-KIND.idx[.gz]: DIR/PREFIX-labels.idx[.gz] when it exists (word-data's
 * word-codes.idx and word-labels.idx, speech-data's train-spectrograms.idx and train-labels.idx), else "". */
static void idx_labels_path(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/'), *dash = strrchr(base ? base : path, '-');
    const char *ext = strstr(dash ? dash : path, ".idx");
    out[0] = 0;
    if (!dash || !ext || (size_t)(dash - path) + 16 + strlen(ext) > size)
        return;
    size_t stem = (size_t)(dash - path);
    memcpy(out, path, stem);
    strcpy(out + stem, "-labels");
    strcpy(out + stem + 7, ext);
    if (!strcmp(out, path) || access(out, F_OK) != 0)
        out[0] = 0;
}

/* Rows of an IDX file (count x d1 x ...: K = d1 x ... values each) as latents, with the labels beside it
 * (every label -1 without them). */
static int idx_read(const char *path, latfile *l, char *why, size_t size)
{
    char lab[4096];
    idx_labels_path(path, lab, sizeof lab);
    am_dataset *ds = NULL;
    int rc = am_dataset_load(&ds, path, lab[0] ? lab : NULL, 1.0);
    if (rc) {
        if (lab[0] && (rc == AM_ESIZE || rc == AM_ERANGE || rc == AM_EFORMAT))
            snprintf(why, size, "%s (with the labels of '%s')", am_strerror(rc), lab);
        return rc;
    }
    l->k = ds->dim;
    l->n = ds->count;
    l->z = ds->x;
    l->labels = ds->labels ? ds->labels : malloc((ds->count ? ds->count : 1) * sizeof *l->labels);
    ds->x = NULL;
    ds->labels = NULL;
    am_dataset_free(ds);
    if (!l->labels)
        return AM_ENOMEM;
    for (size_t i = 0; !lab[0] && i < l->n; i++)
        l->labels[i] = -1;
    return AM_OK;
}

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

/* "name=path,name=path" -> files read (one line printed on failure); names of NAME_CHARS only, so that
 * every later message may show them as they are. */
static int read_modal_files(const am_run *run, const char *opt, const char *spec, latfile *f, size_t *nf)
{
    *nf = 0;
    if (!spec || !spec[0]) {
        am_run_error(run, "--%s is required (name=FILE,...)", opt);
        return -1;
    }
    char buf[4096];
    if (strlen(spec) >= sizeof buf) {
        am_run_error(run, "--%s is too long", opt);
        return -1;
    }
    strcpy(buf, spec);
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item || !eq[1] || (size_t)(eq - item) > AM_CONCEPT_NAME_MAX ||
            strspn(item, NAME_CHARS) != (size_t)(eq - item)) {
            am_run_error(run, "--%s: %s is not NAME=FILE (NAME: letters, digits, '_' or '-')", opt, AM__QUOTE(item));
            latfile_free(f, *nf);
            return -1;
        }
        if (*nf == AM_CONCEPT_MAX_MODALITIES) {
            am_run_error(run, "--%s: at most %d modalities", opt, AM_CONCEPT_MAX_MODALITIES);
            latfile_free(f, *nf);
            return -1;
        }
        latfile *l = &f[*nf];
        memset(l, 0, sizeof *l);
        memcpy(l->name, item, (size_t)(eq - item));
        for (size_t j = 0; j < *nf; j++)
            if (!strcmp(f[j].name, l->name)) {
                am_run_error(run, "--%s: modality '%s' given twice", opt, l->name);
                latfile_free(f, *nf);
                return -1;
            }
        /* the path is a pointer into spec (argv), which outlives the run */
        l->path = spec + (eq + 1 - buf);
        size_t plen = strcspn(l->path, ",");
        char path[4096];
        memcpy(path, l->path, plen);
        path[plen] = 0;
        char why[256] = "";
        int rc = is_idx(path) ? idx_read(path, l, why, sizeof why) : am_latents_read(path, &l->k, &l->z, &l->labels, &l->n, why, sizeof why);
        if (rc) {
            am_run_error(run, "cannot read latents '%s' (modality %s): %s", path, l->name, why[0] ? why : am_strerror(rc));
            latfile_free(f, *nf);
            return -1;
        }
        (*nf)++;
        /* the encoder: the file's "# model:" line, else the file's name */
        snprintf(l->encoder, sizeof l->encoder, "%.127s", path);
        FILE *fp = fopen(path, "r");
        char line[512];
        while (fp && fgets(line, sizeof line, fp) && line[0] == '#')
            if (!strncmp(line, "# model: ", 9)) {
                line[strcspn(line, "\n")] = 0;
                snprintf(l->encoder, sizeof l->encoder, "%.127s", line + 9);
                break;
            }
        if (fp)
            fclose(fp);
        /* a description for tables: tabs, returns and other control bytes become spaces */
        for (char *c = l->encoder; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = ' ';
    }
    return 0;
}

/* Class names for numeric labels: one per line (label k = line k + 1); NULL path: the numbers themselves. */
typedef struct {
    char **name;
    size_t n;
} names_t;

static void names_free(names_t *nm)
{
    am_labels_free(nm->name, nm->n);
}

static int names_read(const am_run *run, const char *path, names_t *nm)
{
    memset(nm, 0, sizeof *nm);
    if (!path)
        return 0;
    char why[512];
    int rc = am_labels_read(path, AM_MAX_CLASSES, &nm->name, &nm->n, why, sizeof why);
    if (rc) {
        am_run_error(run, "--names '%s': %s", path, why[0] ? why : am_strerror(rc));
        return -1;
    }
    return 0;
}

/* The label text of numeric label v into buf; -1 when it has none (v < 0) or is beyond the names. */
static int label_text(const names_t *nm, int v, char *buf, size_t size)
{
    if (v < 0)
        return -1;
    if (nm->n) {
        if ((size_t)v >= nm->n)
            return -1;
        snprintf(buf, size, "%s", nm->name[v]);
    } else {
        snprintf(buf, size, "%d", v);
    }
    return 0;
}

/* The label of concept c as the output shows it: with --names, a stored numeric label k (a database learned
 * without --names) becomes name k; else the stored text. */
static const char *label_shown(const names_t *nm, const am_concepts *cm, size_t c)
{
    const char *s = am_concepts_label(cm, c);
    char *end;
    if (!nm->n || !isdigit((unsigned char)s[0]) || (s[0] == '0' && s[1]))
        return s;
    errno = 0;
    unsigned long long k = strtoull(s, &end, 10);
    return !errno && !*end && k < nm->n ? nm->name[k] : s;
}

/* The concept --concept names: an id as `list` prints it (or #ID), else a label (as `list --names` prints
 * it). One line and AM_CONCEPT_NONE when there is none, or when the text is an id of one concept and the
 * label of another. */
static size_t concept_find(const am_run *run, const am_concepts *cm, const names_t *nm, const char *which,
                           const char *path)
{
    const char *digits = which + (which[0] == '#');
    size_t by_id = AM_CONCEPT_NONE, by_label = AM_CONCEPT_NONE;
    if (isdigit((unsigned char)digits[0])) {
        char *end;
        errno = 0;
        unsigned long long id = strtoull(digits, &end, 10);
        if (!errno && !*end)
            by_id = am_concepts_find_id(cm, id);
    }
    for (size_t c = 0; (which[0] != '#' || by_id == AM_CONCEPT_NONE) && c < am_concepts_count(cm) &&
                       by_label == AM_CONCEPT_NONE; c++)
        if (!strcmp(label_shown(nm, cm, c), which) || !strcmp(am_concepts_label(cm, c), which))
            by_label = c;
    if (by_id != AM_CONCEPT_NONE && by_label != AM_CONCEPT_NONE && by_id != by_label) {
        am_run_error(run, "--concept %s is ambiguous in '%s': id %s is labelled %s, label %s is id %llu; write '#%s' "
                          "for the first, '#%llu' for the second", AM__QUOTE(which), path, which,
                     AM__QUOTE(label_shown(nm, cm, by_id)), AM__QUOTE(which),
                     (unsigned long long)am_concepts_id(cm, by_label), which,
                     (unsigned long long)am_concepts_id(cm, by_label));
        return AM_CONCEPT_NONE;
    }
    if (by_id == AM_CONCEPT_NONE && by_label == AM_CONCEPT_NONE)
        am_run_error(run, "no concept %s in '%s' (an id or a label, as `concepts list` prints them)", AM__QUOTE(which),
                     path);
    return by_id != AM_CONCEPT_NONE ? by_id : by_label;
}

/* One line for a failed database operation: the library's message (it names the data file and what is
 * wrong) or, without one, the status. */
static void db_error(const am_run *run, const char *what, const char *path, int rc, const char *msg)
{
    const char *why = rc == AM_EVERSION   ? "written by a newer libam"
                      : rc == AM_EFORMAT ? "not a libam concept database"
                                         : am_strerror(rc);
    if (msg && msg[0])
        am_run_error(run, "cannot %s '%s': %s%s", what, path, msg, rc == AM_EVERSION ? " (written by a newer libam)" : "");
    else
        am_run_error(run, "cannot %s '%s': %s", what, path, why);
}

static am_conceptdb *open_db(const am_run *run, const char *path, int flags)
{
    if (!path) {
        am_run_error(run, "--db DIR is required");
        return NULL;
    }
    am_conceptdb *db = NULL;
    char err[512];
    int rc = am_conceptdb_open(&db, path, flags, 0, err, sizeof err);
    if (rc) {
        db_error(run, "open concept database", path, rc, err);
        return NULL;
    }
    return db;
}

static am_concepts *load_db(const am_run *run, am_conceptdb *db, const char *path, const am_concepts_config *cfg)
{
    am_concepts *cm = NULL;
    int rc = am_conceptdb_load(db, &cm, cfg);
    if (rc) {
        db_error(run, "load", path, rc, am_conceptdb_message(db));
        return NULL;
    }
    return cm;
}

/* Mechanism options shared by learn (stored as the database's default) and recall (for this run). */
#define MECH_VARS                                                                                                    \
    const char *binding = "kv", *similarity = "dot", *cleanup = "modern";                                            \
    double beta = 8.0;                                                                                               \
    uint64_t hebb_bits = 0, hrr_dim = 1024
#define MECH_OPTS                                                                                                    \
    {"binding", AM_OPT_STRING, &binding, "kv|hebb|hrr", "binding mechanism", NULL, 0},                               \
        {"beta", AM_OPT_DOUBLE, &beta, "B", "kv: inverse temperature of the softmax", "kv", 0},                      \
        {"similarity", AM_OPT_STRING, &similarity, "dot|euclid", "kv: similarity of cue and keys", "kv", 0},         \
        {"bits", AM_OPT_U64, &hebb_bits, "B", "hebb: code units per modality (0: 4 x dimension, <= 4096)", "hebb", 0}, \
        {"hrr-dim", AM_OPT_U64, &hrr_dim, "D", "hrr: dimension of the traces", "hrr", 0},                              \
        {"cleanup", AM_OPT_STRING, &cleanup, "TYPE", "hrr: the clean-up store (a store type: modern, dense, hopfield)", "hrr", 0}

static int mech_config(const am_run *run, am_opt *opts, const char *binding, const char *similarity, double beta,
                       uint64_t bits, uint64_t dim, const char *cleanup, am_concepts_config *cfg, int *given)
{
    am_concepts_config_default(cfg);
    cfg->seed = run->seed;
    if (!(cfg->binding = am_binding_find(binding))) {
        am_run_error(run, "--binding: %s is not kv, hebb or hrr", AM__QUOTE(binding));
        return -1;
    }
    if (am_run_check_scope(run, opts, binding, binding))
        return -1;
    if (!strcmp(similarity, "dot"))
        cfg->similarity = AM_SIM_DOT;
    else if (!strcmp(similarity, "euclid"))
        cfg->similarity = AM_SIM_EUCLID;
    else {
        am_run_error(run, "--similarity: %s is not dot or euclid", AM__QUOTE(similarity));
        return -1;
    }
    if (!(beta > 0.0) || beta > 1e30) {
        am_run_error(run, "--beta must be in (0, 1e30], not %g", beta);
        return -1;
    }
    if (bits > 4096 || dim < 2 || dim > (1u << 20)) {
        am_run_error(run, bits > 4096 ? "--bits must be at most 4096" : "--hrr-dim must be in 2 .. 1048576");
        return -1;
    }
    if (!(cfg->cleanup = am_store_type_find(cleanup)) || (am_store_type_flags(cfg->cleanup) & AM_STORE_SEQUENCE)) {
        am_run_error(run, "--cleanup: %s is not a store type that cleans up (%s)", AM__QUOTE(cleanup),
                     am_store_type_list());
        return -1;
    }
    cfg->beta = beta;
    cfg->hebb_bits = bits;
    cfg->hrr_dim = dim;
    *given = 0;
    for (am_opt *o = opts; o->name; o++)
        if (o->given && (!strcmp(o->name, "binding") || !strcmp(o->name, "beta") || !strcmp(o->name, "similarity") ||
                         !strcmp(o->name, "bits") || !strcmp(o->name, "hrr-dim") || !strcmp(o->name, "cleanup")))
            *given = 1;
    return 0;
}

/* ---- learn ---- */

static const char learn_desc[] =
    "Row i of every --modalities file is one observation: its latents were presented together and are bound to\n"
    "one concept (synchrony): the concept of the row's label (the label column, named by --names), or, with\n"
    "--unlabelled or a label of -1, the nearest concept within the first modality's radius (locality), or a new\n"
    "one. With --by-label the files need not be row-aligned: every row of every file is an observation of its\n"
    "modality alone, bound to the concept of its label (so words and pictures of a class meet in one node).\n"
    "A file is latent TSV (`autoencoder encode`) or IDX (name ending .idx or .idx.gz: word-data's word-codes.idx,\n"
    "speech-data's train-spectrograms.idx, `autoencoder decode --idx`), one row per item, its labels read from\n"
    "PREFIX-labels.idx beside PREFIX-KIND.idx when there is one (else -1). The --names files the programs write:\n"
    "word-data's concept-names.txt, speech-data's words.txt.\n"
    "A new database takes the modalities and dimensions of the files; an existing one must know every\n"
    "modality named (files may give a subset). The encoder of each latent is recorded (the file's '# model:'\n"
    "line, else its name). Commits every --batch observations. Output: one row of totals.\n"
    "Columns: observations concepts new_concepts exemplars (the time taken: a '# time:' line and the progress line)\n";

static int cmd_learn(int argc, char **argv)
{
    am_run run = {.examples = "concepts learn --db concepts.db --modalities picture=pics.tsv,word=words.tsv --names classes.txt\nconcepts learn --db concepts.db --modalities picture=pics.tsv --radius picture=4 --unlabelled",
                  .program = "concepts", .subcommand = "learn",
                  .summary = "Learn co-presented latents into a concept database.", .description = learn_desc};
    const char *dbpath = NULL, *modal = NULL, *names_path = NULL, *radius = NULL;
    uint64_t batch = 1000, limit = 0;
    int unlabelled = 0, by_label = 0;
    MECH_VARS;
    am_opt opts[] = {
        {"db", AM_OPT_STRING, &dbpath, "DIR", "concept database (created if missing)"},
        {"modalities", AM_OPT_STRING, &modal, "NAME=FILE,...", "latent TSV or IDX file per modality, rows co-presented"},
        {"names", AM_OPT_STRING, &names_path, "FILE", "label names, one per line (label k: line k+1)"},
        {"radius", AM_OPT_STRING, &radius, "NAME=R,...", "locality radius per modality (default: inf)"},
        {"unlabelled", AM_OPT_FLAG, &unlabelled, NULL, "ignore the labels: bind by locality only"},
        {"by-label", AM_OPT_FLAG, &by_label, NULL, "files not row-aligned: each row alone, bound to its label's concept"},
        {"batch", AM_OPT_U64, &batch, "N", "observations per transaction"},
        {"limit", AM_OPT_U64, &limit, "N", "learn the first N rows only (0: all)"},
        MECH_OPTS,
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    am_concepts_config cfg;
    int mech_given;
    if (mech_config(&run, opts, binding, similarity, beta, hebb_bits, hrr_dim, cleanup, &cfg, &mech_given))
        return 2;
    if (batch == 0 || batch > 100000000 || (by_label && unlabelled)) {
        am_run_error(&run, by_label ? "--by-label binds by the labels: not with --unlabelled" : "--batch must be in 1 .. 1e8");
        return 2;
    }
    latfile f[AM_CONCEPT_MAX_MODALITIES];
    size_t nf;
    names_t nm;
    if (!dbpath) {
        am_run_error(&run, "--db DIR is required");
        return 2;
    }
    if (names_read(&run, names_path, &nm))
        return 2;
    if (read_modal_files(&run, "modalities", modal, f, &nf)) {
        names_free(&nm);
        return 2;
    }
    size_t rows = f[0].n;
    int status = 1;
    am_conceptdb *db = NULL;
    am_concepts *cm = NULL;
    FILE *out = NULL;
    for (size_t i = 1; i < nf && !by_label; i++)
        if (f[i].n != rows) {
            am_run_error(&run, "modality %s has %zu rows, %s has %zu: rows must be co-presented (or give --by-label)",
                         f[i].name, f[i].n, f[0].name, rows);
            status = 2;
            goto done;
        }
    for (size_t r = 0; r < rows && !unlabelled && !by_label; r++)
        for (size_t i = 1; i < nf; i++)
            if (f[i].labels[r] != f[0].labels[r]) {
                am_run_error(&run, "row %zu: label %d in %s but %d in %s", r + 1, f[0].labels[r], f[0].name,
                             f[i].labels[r], f[i].name);
                status = 2;
                goto done;
            }
    for (size_t i = 0; i < nf; i++) /* each file's rows learnt: its first --limit */
        f[i].n = limit && limit < f[i].n ? limit : f[i].n;
    rows = f[0].n;
    /* radii */
    double rad[AM_CONCEPT_MAX_MODALITIES];
    int rad_given[AM_CONCEPT_MAX_MODALITIES] = {0};
    for (size_t i = 0; i < nf; i++)
        rad[i] = INFINITY;
    if (radius) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", radius);
        for (char *save = NULL, *it = strtok_r(buf, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(it, '='), *end;
            size_t i = 0;
            if (eq)
                *eq = 0;
            if (eq)
                i = modality_index(f, nf, it);
            else
                i = nf;
            double v = eq ? strtod(eq + 1, &end) : NAN;
            if (!eq || i == nf || end == eq + 1 || *end || !(v >= 0.0)) {
                am_run_error(&run, "--radius: %s is not NAME=R with a modality of --modalities and R >= 0", AM__QUOTE(it));
                status = 2;
                goto done;
            }
            rad[i] = v;
            rad_given[i] = 1;
        }
    }
    for (size_t i = 0; i < (by_label ? nf : 1); i++)
        for (size_t r = 0; r < f[i].n && !unlabelled; r++) {
            char lb[AM_CONCEPT_LABEL_MAX + 1];
            if (f[i].labels[r] >= 0 && label_text(&nm, f[i].labels[r], lb, sizeof lb)) {
                am_run_error(&run, "modality %s row %zu: label %d has no name in --names (%zu names)", f[i].name,
                             r + 1, f[i].labels[r], nm.n);
                status = 2;
                goto done;
            }
        }
    if (!(db = open_db(&run, dbpath, AM_CONCEPTDB_CREATE)))
        goto done;
    if (am_conceptdb_has_layout(db)) {
        if (mech_given) {
            am_run_error(&run, "the database '%s' has its mechanism already; choose one for a run with `concepts recall`",
                         dbpath);
            status = 2;
            goto done;
        }
        if (!(cm = load_db(&run, db, dbpath, NULL)))
            goto done;
    } else {
        am_modality mods[AM_CONCEPT_MAX_MODALITIES];
        memset(mods, 0, sizeof mods);
        for (size_t i = 0; i < nf; i++) {
            snprintf(mods[i].name, sizeof mods[i].name, "%.31s", f[i].name);
            mods[i].dim = f[i].k;
            mods[i].radius = rad[i];
            snprintf(mods[i].encoder, sizeof mods[i].encoder, "%s", f[i].encoder);
        }
        if ((rc = am_concepts_create(&cm, mods, nf, &cfg))) {
            am_run_error(&run, "modality names must be letters, digits, '_' or '-' (at most %d characters)", AM_CONCEPT_NAME_MAX);
            status = 2;
            goto done;
        }
    }
    /* file -> modality of the memory */
    size_t fm[AM_CONCEPT_MAX_MODALITIES];
    for (size_t i = 0; i < nf; i++) {
        int m = am_concepts_modality_find(cm, f[i].name);
        if (m < 0 || am_concepts_modality(cm, (size_t)m)->dim != f[i].k) {
            am_run_error(&run, m < 0 ? "the database has no modality '%s'" : "modality '%s' has another dimension in the database",
                         f[i].name);
            status = 2;
            goto done;
        }
        fm[i] = (size_t)m;
        am_concepts_set_encoder(cm, fm[i], f[i].encoder);
        if (rad_given[i])
            am_concepts_set_radius(cm, fm[i], rad[i]);
    }
    size_t before = am_concepts_count(cm), exemplars = 0;
    if (by_label) /* one observation per row of every file, file after file */
        for (size_t i = 1; i < nf; i++)
            rows += f[i].n;
    am_progress pr;
    am_progress_start(&pr, &run, rows);
    double t0 = am_seconds();
    for (size_t r = 0, i0 = 0, r0 = 0; r < rows; r++, r0++) {
        const float *lat[AM_CONCEPT_MAX_MODALITIES] = {0};
        while (by_label && r0 == f[i0].n) /* row r is row r0 of file i0 */
            i0++, r0 = 0;
        for (size_t i = by_label ? i0 : 0; i < (by_label ? i0 + 1 : nf); i++) {
            lat[fm[i]] = f[i].z + r0 * f[i].k;
            exemplars++;
        }
        char lb[AM_CONCEPT_LABEL_MAX + 1];
        int has = !unlabelled && label_text(&nm, f[i0].labels[r0], lb, sizeof lb) == 0;
        if ((rc = am_concepts_observe(cm, lat, has ? lb : NULL, NULL, NULL))) {
            am_run_error(&run, "row %zu: %s", r + 1, am_strerror(rc));
            goto done;
        }
        if ((r + 1) % batch == 0 || r + 1 == rows) {
            if ((rc = am_conceptdb_sync(db, cm))) {
                char what[64];
                snprintf(what, sizeof what, "write row %zu to", r + 1);
                db_error(&run, what, dbpath, rc, am_conceptdb_message(db));
                goto done;
            }
            am_progress_update(&pr, r + 1, "%zu concepts", am_concepts_count(cm));
        }
    }
    if (rows == 0 && (rc = am_conceptdb_sync(db, cm))) {
        db_error(&run, "write to", dbpath, rc, am_conceptdb_message(db));
        goto done;
    }
    double secs = am_seconds() - t0;
    am_progress_end(&pr, "%zu observations, %zu concepts", rows, am_concepts_count(cm));
    if (!(out = am_run_open(&run)))
        goto done;
    fprintf(out, "# db: %s; modalities:", dbpath);
    for (size_t i = 0; i < nf; i++)
        fprintf(out, " %s=%s (%zu)", f[i].name, f[i].path ? f[i].encoder : "", f[i].k);
    fprintf(out, "; binding %s\n", am_binding_name(am_concepts_get_config(cm)->binding));
    am_run_time(out, "%.3f s, %.1f observations per second", secs, secs > 0 ? rows / secs : 0.0);
    fprintf(out, "observations\tconcepts\tnew_concepts\texemplars\n");
    fprintf(out, "%zu\t%zu\t%zu\t%zu\n", rows, am_concepts_count(cm), am_concepts_count(cm) - before, exemplars);
    status = am_run_close(&run, out) ? 1 : 0;
    out = NULL;
done:
    if (out)
        am_run_abort(&run, out);
    am_concepts_free(cm);
    am_conceptdb_close(db);
    latfile_free(f, nf);
    names_free(&nm);
    return status;
}

/* ---- recall ---- */

static const char recall_desc[] =
    "Each row of the --cues files (all with the same rows) is one cue, in one modality or several at once.\n"
    "The concepts are ranked by the mechanism's activation; a cue is a hit at k when its label (named by\n"
    "--names) is the label of one of the first k concepts. --readout NAME=FILE writes the latent recalled in a\n"
    "modality as latent TSV (index, the cue's label number, z1 .. zk) for `autoencoder decode`.\n"
    "Columns: index label answer level score hit1 hitk top1 .. topk\n"
    "(answer: the concept read out, the winner or, with --fallback, an ancestor; level: levels gone up)\n";

static int cmd_recall(int argc, char **argv)
{
    am_run run = {.examples = "concepts recall --db concepts.db --cues word=words-test.tsv --k 3 --out recall.tsv\nconcepts recall --db concepts.db --cues picture=pics-test.tsv --readout word=recalled-words.tsv --out picture2word.tsv",
                  .program = "concepts", .subcommand = "recall",
                  .summary = "Recall concepts and latents from cues in any modality.", .description = recall_desc};
    const char *dbpath = NULL, *cuespec = NULL, *names_path = NULL, *readout = NULL;
    uint64_t k = 5;
    int fallback = 0;
    MECH_VARS;
    am_opt opts[] = {
        {"db", AM_OPT_STRING, &dbpath, "DIR", "concept database"},
        {"cues", AM_OPT_STRING, &cuespec, "NAME=FILE,...", "latent TSV per cue modality"},
        {"names", AM_OPT_STRING, &names_path, "FILE", "label names, one per line (as for learn)"},
        {"k", AM_OPT_U64, &k, "K", "concepts ranked per cue"},
        {"fallback", AM_OPT_FLAG, &fallback, NULL, "a cue beyond the radius of its best concept goes to its parent"},
        {"readout", AM_OPT_OUTPUT, &readout, "NAME=FILE,...", "write the recalled latents of these modalities"},
        MECH_OPTS,
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    am_concepts_config cfg;
    int mech_given;
    if (mech_config(&run, opts, binding, similarity, beta, hebb_bits, hrr_dim, cleanup, &cfg, &mech_given))
        return 2;
    if (k == 0 || k > 1000) {
        am_run_error(&run, "--k must be in 1 .. 1000");
        return 2;
    }
    names_t nm;
    latfile f[AM_CONCEPT_MAX_MODALITIES];
    size_t nf = 0;
    if (names_read(&run, names_path, &nm))
        return 2;
    am_conceptdb *db = NULL;
    am_concepts *cm = NULL;
    FILE *out = NULL, *rf[AM_CONCEPT_MAX_MODALITIES] = {0};
    const char *rpath[AM_CONCEPT_MAX_MODALITIES] = {0};
    size_t *top = NULL;
    float *score = NULL, *outlat[AM_CONCEPT_MAX_MODALITIES] = {0};
    unsigned char *level = NULL;
    int status = 1;
    if (!(db = open_db(&run, dbpath, AM_CONCEPTDB_READONLY))) {
        names_free(&nm);
        return 1;
    }
    if (!(cm = load_db(&run, db, dbpath, mech_given ? &cfg : NULL)))
        goto done;
    if (read_modal_files(&run, "cues", cuespec, f, &nf)) {
        status = 2;
        goto done;
    }
    const float *cues[AM_CONCEPT_MAX_MODALITIES] = {0};
    size_t nq = f[0].n;
    for (size_t i = 0; i < nf; i++) {
        int m = am_concepts_modality_find(cm, f[i].name);
        if (m < 0 || am_concepts_modality(cm, (size_t)m)->dim != f[i].k || f[i].n != nq) {
            am_run_error(&run, m < 0 ? "cue modality '%s': the database has no such modality"
                               : f[i].n != nq ? "cue modality '%s': its file has another number of rows"
                                              : "cue modality '%s': another dimension than the database's",
                         f[i].name);
            status = 2;
            goto done;
        }
        cues[m] = f[i].z;
    }
    if (readout) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", readout);
        for (char *save = NULL, *it = strtok_r(buf, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(it, '=');
            int m = -1;
            if (eq) {
                *eq = 0;
                m = am_concepts_modality_find(cm, it);
            }
            if (!eq || m < 0 || !eq[1] || rpath[m]) {
                am_run_error(&run, "--readout: %s is not NAME=FILE with a modality of the database (once each)", AM__QUOTE(it));
                status = 2;
                goto done;
            }
            rpath[m] = readout + (eq + 1 - buf);
        }
    }
    if (am_concepts_count(cm) == 0) {
        am_run_error(&run, "the database '%s' holds no concepts", dbpath);
        goto done;
    }
    if (k > am_concepts_count(cm))
        k = am_concepts_count(cm);
    top = malloc(nq * k * sizeof *top + 1);
    score = malloc(nq * k * sizeof *score + 1);
    level = malloc(nq + 1);
    if (!top || !score || !level) {
        am_run_error(&run, "out of memory");
        goto done;
    }
    am_concept_recall r = {.k = k, .concept = top, .score = score, .fallback = fallback, .level = level};
    for (size_t m = 0; m < am_concepts_modalities(cm); m++)
        if (rpath[m] && !(r.out[m] = outlat[m] = malloc(nq * am_concepts_modality(cm, m)->dim * sizeof(float) + 1))) {
            am_run_error(&run, "out of memory");
            goto done;
        }
    double t0 = am_seconds();
    if ((rc = am_concepts_recall(cm, cues, nq, &r, run.threads))) {
        am_run_error(&run, "recall failed: %s", am_strerror(rc));
        goto done;
    }
    double secs = am_seconds() - t0;
    size_t hit1 = 0, hitk = 0, scored = 0;
    char lb[AM_CONCEPT_LABEL_MAX + 1];
    for (size_t q = 0; q < nq; q++) {
        if (label_text(&nm, f[0].labels[q], lb, sizeof lb))
            continue;
        scored++;
        for (size_t j = 0; j < k; j++)
            if (top[q * k + j] != AM_CONCEPT_NONE && !strcmp(am_concepts_label(cm, top[q * k + j]), lb)) {
                hit1 += j == 0;
                hitk++;
                break;
            }
    }
    if (!(out = am_run_open(&run)))
        goto done;
    fprintf(out, "# db: %s (%zu concepts); binding %s; cues:", dbpath, am_concepts_count(cm),
            am_binding_name(am_concepts_get_config(cm)->binding));
    for (size_t i = 0; i < nf; i++)
        fprintf(out, " %s", f[i].name);
    fprintf(out, "\n# recall@1 %.4f recall@%zu %.4f over %zu labelled cues\n", scored ? (double)hit1 / scored : 0.0,
            (size_t)k, scored ? (double)hitk / scored : 0.0, scored);
    am_run_time(out, "recall %.3f s, %.1f cues per second", secs, secs > 0 ? nq / secs : 0.0);
    fprintf(out, "index\tlabel\tanswer\tlevel\tscore\thit1\thitk");
    for (size_t j = 0; j < k; j++)
        fprintf(out, "\ttop%zu", j + 1);
    fputc('\n', out);
    for (size_t q = 0; q < nq; q++) {
        int has = label_text(&nm, f[0].labels[q], lb, sizeof lb) == 0;
        size_t ans = top[q * k];
        int lv = level[q];
        for (int u = 0; u < lv && ans != AM_CONCEPT_NONE; u++)
            ans = am_concepts_parent(cm, ans);
        int h1 = has && top[q * k] != AM_CONCEPT_NONE && !strcmp(am_concepts_label(cm, top[q * k]), lb), hk = 0;
        for (size_t j = 0; has && j < k; j++)
            hk |= top[q * k + j] != AM_CONCEPT_NONE && !strcmp(am_concepts_label(cm, top[q * k + j]), lb);
        fprintf(out, "%zu\t%s\t%s\t%d\t%.6g\t%d\t%d", q, has ? lb : "-", ans == AM_CONCEPT_NONE ? "-" : am_concepts_label(cm, ans), lv,
                (double)score[q * k], h1, hk);
        for (size_t j = 0; j < k; j++)
            fprintf(out, "\t%s", top[q * k + j] == AM_CONCEPT_NONE ? "-" : am_concepts_label(cm, top[q * k + j]));
        fputc('\n', out);
    }
    /* read-outs: latent TSV files, written atomically */
    for (size_t m = 0; m < am_concepts_modalities(cm); m++) {
        if (!rpath[m])
            continue;
        size_t d = am_concepts_modality(cm, m)->dim, plen = strcspn(rpath[m], ",");
        char path[4096];
        snprintf(path, sizeof path, "%.*s", (int)plen, rpath[m]);
        am_run_file rh;
        if (!(rf[m] = am_run_file_open(&run, path, 1, &rh)))
            goto done;
        fprintf(rf[m], "# recalled in modality %s from the cues of the recall above\nindex\tlabel", am_concepts_modality(cm, m)->name);
        for (size_t j = 0; j < d; j++)
            fprintf(rf[m], "\tz%zu", j + 1);
        fputc('\n', rf[m]);
        for (size_t q = 0; q < nq; q++) {
            fprintf(rf[m], "%zu\t%d", q, f[0].labels[q]);
            for (size_t j = 0; j < d; j++)
                fprintf(rf[m], "\t%.7g", (double)outlat[m][q * d + j]);
            fputc('\n', rf[m]);
        }
        rf[m] = NULL;
        if (am_run_file_close(&run, &rh, path))
            goto done;
    }
    status = am_run_close(&run, out) ? 1 : 0;
    out = NULL;
done:
    if (out)
        am_run_abort(&run, out);
    for (size_t m = 0; m < AM_CONCEPT_MAX_MODALITIES; m++)
        free(outlat[m]);
    free(top);
    free(score);
    free(level);
    latfile_free(f, nf);
    am_concepts_free(cm);
    am_conceptdb_close(db);
    names_free(&nm);
    return status;
}

/* ---- list, show, export, stats ---- */

static int simple_cmd(int argc, char **argv, const char *name, const char *summary, const char *desc)
{
    static const char *const examples[][2] = {
        {"list", "concepts list --db concepts.db --out concepts.tsv"},
        {"show", "concepts show --db concepts.db --concept Sneaker\nconcepts show --db concepts.db --concept 3"},
        {"export", "concepts export --db concepts.db --out exemplars.tsv"},
        {"stats", "concepts stats --db concepts.db"},
    };
    const char *ex = am_run_lookup(examples, sizeof examples / sizeof *examples, name);
    am_run run = {.program = "concepts", .subcommand = name, .summary = summary, .description = desc, .no_seed = 1,
                  .no_threads = 1, .examples = ex};
    const char *dbpath = NULL, *which = NULL, *names_path = NULL;
    am_opt opts[] = {
        {"db", AM_OPT_STRING, &dbpath, "DIR", "concept database"},
        {"concept", AM_OPT_STRING, &which, "ID|LABEL", "the concept to show: its id or its label, as list prints them", "show", 0},
        {"names", AM_OPT_STRING, &names_path, "FILE", "names of numeric labels, one per line (as for learn)", "list,show,export", 0},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (am_run_check_scope(&run, opts, name, name))
        return 2;
    if (!strcmp(name, "show") && !which) {
        am_run_error(&run, "--concept ID|LABEL is required");
        return 2;
    }
    names_t nm;
    if (names_read(&run, names_path, &nm))
        return 2;
    am_conceptdb *db = open_db(&run, dbpath, AM_CONCEPTDB_READONLY);
    if (!db) {
        names_free(&nm);
        return 1;
    }
    int status = 1;
    am_concepts *cm = NULL;
    FILE *out = NULL;
    if (!strcmp(name, "stats")) {
        am_conceptdb_stats st;
        if ((rc = am_conceptdb_stats_get(db, &st))) {
            db_error(&run, "read", dbpath, rc, am_conceptdb_message(db));
            goto done;
        }
        if (!(cm = load_db(&run, db, dbpath, NULL)) || !(out = am_run_open(&run)))
            goto done;
        fprintf(out, "# db: %s\nkey\tvalue\n", dbpath);
        fprintf(out, "concepts\t%zu\nlabelled\t%zu\nroots\t%zu\nnext_id\t%llu\n", st.concepts, st.labelled, st.roots,
                (unsigned long long)st.next_id);
        for (size_t m = 0; m < am_concepts_modalities(cm); m++) {
            const am_modality *md = am_concepts_modality(cm, m);
            fprintf(out, "modality\t%s dim=%zu radius=%g encoder=%s\nexemplars_%s\t%zu\n", md->name, md->dim, md->radius,
                    md->encoder, md->name, st.exemplars[m]);
        }
        fprintf(out, "binding\t%s\ndatabase_bytes\t%zu\nbytes_per_concept\t%.1f\nmemory_bytes\t%zu\n",
                am_binding_name(am_concepts_get_config(cm)->binding), st.bytes,
                st.concepts ? (double)st.bytes / st.concepts : 0.0, am_concepts_bytes(cm));
        status = am_run_close(&run, out) ? 1 : 0;
        out = NULL;
        goto done;
    }
    if (!(cm = load_db(&run, db, dbpath, NULL)))
        goto done;
    size_t nmod = am_concepts_modalities(cm);
    if (!strcmp(name, "list")) {
        if (!(out = am_run_open(&run)))
            goto done;
        fprintf(out, "id\tlabel\tparent\tchildren\tobservations");
        for (size_t m = 0; m < nmod; m++)
            fprintf(out, "\t%s", am_concepts_modality(cm, m)->name);
        fputc('\n', out);
        for (size_t c = 0; c < am_concepts_count(cm); c++) {
            size_t p = am_concepts_parent(cm, c);
            fprintf(out, "%llu\t%s\t%llu\t%zu\t%llu", (unsigned long long)am_concepts_id(cm, c), label_shown(&nm, cm, c),
                    (unsigned long long)(p == AM_CONCEPT_NONE ? 0 : am_concepts_id(cm, p)),
                    am_concepts_children(cm, c, NULL, 0), (unsigned long long)am_concepts_observations(cm, c));
            for (size_t m = 0; m < nmod; m++)
                fprintf(out, "\t%zu", am_concepts_exemplars(cm, c, m));
            fputc('\n', out);
        }
    } else if (!strcmp(name, "show")) {
        size_t c = concept_find(&run, cm, &nm, which, dbpath);
        if (c == AM_CONCEPT_NONE) {
            status = 2;
            goto done;
        }
        if (!(out = am_run_open(&run)))
            goto done;
        size_t p = am_concepts_parent(cm, c), nch = am_concepts_children(cm, c, NULL, 0);
        size_t *kids = malloc((nch + 1) * sizeof *kids);
        if (!kids) {
            am_run_abort(&run, out);
            out = NULL;
            goto done;
        }
        am_concepts_children(cm, c, kids, nch);
        fprintf(out, "key\tvalue\nid\t%llu\nlabel\t%s\nparent\t%s\nchildren\t", (unsigned long long)am_concepts_id(cm, c),
                label_shown(&nm, cm, c), p == AM_CONCEPT_NONE ? "-" : label_shown(&nm, cm, p));
        for (size_t i = 0; i < nch; i++)
            fprintf(out, "%s%s", i ? "," : "", label_shown(&nm, cm, kids[i])[0] ? label_shown(&nm, cm, kids[i]) : "(unlabelled)");
        free(kids);
        fprintf(out, "%s\nobservations\t%llu\n", nch ? "" : "-", (unsigned long long)am_concepts_observations(cm, c));
        for (size_t m = 0; m < nmod; m++) {
            const am_modality *md = am_concepts_modality(cm, m);
            const float *pr = am_concepts_prototype(cm, c, m);
            fprintf(out, "exemplars_%s\t%zu\nprototype_%s\t", md->name, am_concepts_exemplars(cm, c, m), md->name);
            for (size_t j = 0; pr && j < md->dim; j++)
                fprintf(out, "%s%.7g", j ? "," : "", (double)pr[j]);
            fprintf(out, "%s\n", pr ? "" : "-");
        }
    } else { /* export */
        if (!(out = am_run_open(&run)))
            goto done;
        /* --names: the labels shown by name in this export only (the memory is not synced back). */
        for (size_t c = 0; c < am_concepts_count(cm) && nm.n; c++) {
            const char *shown = label_shown(&nm, cm, c);
            if (shown != am_concepts_label(cm, c) && (rc = am_concepts_set_label(cm, c, shown))) {
                am_run_error(&run, "export: concept %zu: %s", c, am_strerror(rc));
                goto done;
            }
        }
        if ((rc = am_conceptdb_export(db, cm, out, NULL))) {
            db_error(&run, "read", dbpath, rc, am_conceptdb_message(db));
            goto done;
        }
    }
    status = am_run_close(&run, out) ? 1 : 0;
    out = NULL;
done:
    if (out)
        am_run_abort(&run, out);
    am_concepts_free(cm);
    am_conceptdb_close(db);
    names_free(&nm);
    return status;
}

static int cmd_list(int argc, char **argv)
{
    return simple_cmd(argc, argv, "list", "One row per concept of a concept database.",
                      "Columns: id label parent(id, 0: none) children observations, then exemplars per modality.\n");
}

static int cmd_show(int argc, char **argv)
{
    return simple_cmd(argc, argv, "show", "One concept of a concept database in full.",
                      "Rows: key value (id, label, parent, children, observations, exemplars and prototype per modality).\n");
}

static int cmd_export(int argc, char **argv)
{
    return simple_cmd(argc, argv, "export", "Every exemplar of a concept database as TSV.",
                      "Columns: id label modality seq encoder z1 .. (empty beyond the modality's dimension).\n");
}

static int cmd_stats(int argc, char **argv) { return simple_cmd(argc, argv, "stats", "Counts and size of a concept database.", NULL); }

int main(int argc, char **argv)
{
    static const am_subcommand cmds[] = {{"learn", cmd_learn},   {"recall", cmd_recall}, {"list", cmd_list},
                                         {"show", cmd_show},     {"export", cmd_export}, {"stats", cmd_stats},
                                         {NULL, NULL}};
    return am_run_subcommands(argc, argv, "concepts", usage_text, cmds, NULL);
}
