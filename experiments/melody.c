/* bin/melody — melodies in memory: tunes read from ABC and MIDI files, encoded as sequences of +-1 patterns,
 * stored in the sequence stores and recalled from their first bar, learned by the excitatory/inhibitory XOR
 * engram, and told apart from tunes never heard (familiarity).
 *   list         the tunes of a corpus
 *   learn        store a corpus in a sequence store (saved with --store)
 *   recall       one tune recalled from its first bar: the notes, a WAV and a piano roll
 *   capacity     note accuracy, exact-tune rate and first wrong beat against the number of tunes stored
 *   engram       the XOR-learning melody engram against hidden size, beside backprop and the stores
 *   familiarity  stored tunes against random melodies and tunes never stored: scores, ROC AUC */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "am/am.h"
#include "am/melody.h"
#include "am/sequence.h"
#include "harness/harness.h"

#define MAX_LIST 64
#define MAX_CONFIGS 16
#define ABCMIDI_EXAMPLES "/usr/share/doc/abcmidi/examples"

static const char usage_text[] =
    "Usage: melody COMMAND [options]   (melody COMMAND --help for each)\n"
    "  list         the tunes of a corpus (ABC and MIDI files): number, title, notes, steps\n"
    "  learn        store every tune of a corpus in a sequence store; --store saves it\n"
    "  recall       one tune recalled from its first bar (or a corrupted one): the notes, a WAV, a piano roll\n"
    "  capacity     note accuracy, exact-tune rate and first wrong beat against the number of tunes stored\n"
    "  engram       the excitatory/inhibitory XOR melody engram: accuracy against hidden size, learning curves,\n"
    "               beside a backprop network of the same size and the sequence stores\n"
    "  familiarity  stored tunes against matched random melodies and tunes never stored: ROC AUC\n"
    "The corpus (--tunes corpus, the default) is libam's data/tunes/traditional.abc and, when Debian's abcmidi\n"
    "is installed, the tunes in " ABCMIDI_EXAMPLES ".\n"
    "Examples:\n"
    "  melody list\n"
    "  melody recall --tune 'Twinkle' --wav twinkle.wav --roll twinkle\n"
    "  melody capacity --model seq-dense --F exp,poly --degree 3 --history 16 --stored 5,10,20,all --out cap.tsv\n";

/* ---- the corpus ---- */

/* The directory of this program's executable, into buf (for the corpus beside it). */
static int exe_dir(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (!slash)
        return -1;
    *slash = 0;
    return 0;
}

/* libam's own tune file: beside the build (bin/../data/tunes) or the installation (bin/../share/libam/tunes, or
 * PREFIX/libexec/am/../../share/libam/tunes where `am melody` runs it). */
static int default_tune_file(char *path, size_t size)
{
    static const char *const rel[] = {"/../data/tunes/traditional.abc", "/../share/libam/tunes/traditional.abc",
                                      "/../../share/libam/tunes/traditional.abc"};
    char dir[4096];
    if (exe_dir(dir, sizeof dir))
        return -1;
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        snprintf(path, size, "%s%s", dir, rel[i]);
        if (!access(path, R_OK))
            return 0;
    }
    return -1;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

static int is_midi(const char *path)
{
    return has_suffix(path, ".mid") || has_suffix(path, ".midi") || has_suffix(path, ".smf");
}

/* Add the tunes of one file (ABC, or MIDI by its name) to ms: those with at least two notes. */
static int load_file(const am_run *run, const char *path, am_melodies *ms, size_t *dropped)
{
    char err[512];
    if (is_midi(path)) {
        am_melody m = {0};
        int rc = am_midi_read(path, NULL, &m, err, sizeof err);
        if (rc) {
            am_run_error(run, "%s", err[0] ? err : am_strerror(rc));
            return -1;
        }
        if (!m.title[0]) { /* the file's name stands for a missing title */
            const char *base = strrchr(path, '/');
            char *t = strdup(base ? base + 1 : path);
            if (t)
                free(m.title), m.title = t;
        }
        rc = m.count >= 2 ? am_melodies_append(ms, &m) : (++*dropped, 0);
        am_melody_clear(&m);
        if (rc)
            am_run_error(run, "%s", am_strerror(rc));
        return rc ? -1 : 0;
    }
    am_melodies *got = NULL;
    int rc = am_abc_read(path, &got, err, sizeof err);
    if (rc) {
        am_run_error(run, "%s", err[0] ? err : am_strerror(rc));
        return -1;
    }
    for (size_t i = 0; !rc && i < got->count; i++)
        rc = got->items[i].count >= 2 ? am_melodies_append(ms, &got->items[i]) : (++*dropped, 0);
    am_melodies_free(got);
    if (rc)
        am_run_error(run, "%s", am_strerror(rc));
    return rc ? -1 : 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .abc and MIDI file of a directory, in name order. quiet_missing: a missing directory adds nothing. */
static int load_dir(const am_run *run, const char *dir, am_melodies *ms, size_t *dropped, int quiet_missing)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (quiet_missing && errno == ENOENT)
            return 0;
        am_run_error(run, "--tunes: cannot read the directory %s: %s", AM__QUOTE(dir), strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    int rc = 0;
    for (struct dirent *e; !rc && (e = readdir(d));) {
        if (e->d_name[0] == '.' || !(has_suffix(e->d_name, ".abc") || is_midi(e->d_name)))
            continue;
        if (count == cap) {
            char **more = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof *names);
            rc = more ? 0 : -1;
            if (more)
                names = more;
        }
        if (!rc && !(names[count] = malloc(strlen(dir) + strlen(e->d_name) + 2)))
            rc = -1;
        if (!rc)
            sprintf(names[count++], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (rc)
        am_run_error(run, "%s", am_strerror(AM_ENOMEM));
    qsort(names, count, sizeof *names, cmp_names);
    for (size_t i = 0; i < count; i++) {
        if (!rc)
            rc = load_file(run, names[i], ms, dropped);
        free(names[i]);
    }
    free(names);
    return rc;
}

/* The tunes --tunes names: comma-separated files and directories, "corpus" for libam's tune file and the
 * abcmidi examples. NULL after a one-line message. */
static am_melodies *corpus_load(const am_run *run, const char *spec, size_t *dropped)
{
    am_melodies *ms = calloc(1, sizeof *ms);
    char *copy = strdup(spec), *save = NULL;
    int rc = ms && copy ? 0 : -1;
    *dropped = 0;
    if (rc)
        am_run_error(run, "%s", am_strerror(AM_ENOMEM));
    for (char *item = copy ? strtok_r(copy, ",", &save) : NULL; !rc && item; item = strtok_r(NULL, ",", &save)) {
        struct stat st;
        if (!strcmp(item, "corpus")) {
            char path[4200];
            if (default_tune_file(path, sizeof path)) {
                am_run_error(run, "--tunes corpus: libam's tune file (data/tunes/traditional.abc) is neither beside "
                                  "this program nor installed (make install)");
                rc = -1;
            } else if (!(rc = load_file(run, path, ms, dropped)))
                rc = load_dir(run, ABCMIDI_EXAMPLES, ms, dropped, 1);
        } else if (stat(item, &st)) {
            am_run_error(run, "--tunes: %s: %s", AM__QUOTE(item), strerror(errno));
            rc = -1;
        } else
            rc = S_ISDIR(st.st_mode) ? load_dir(run, item, ms, dropped, 0) : load_file(run, item, ms, dropped);
    }
    free(copy);
    if (!rc && ms->count == 0) {
        am_run_error(run, "--tunes %s: no tune with at least two notes", AM__QUOTE(spec));
        rc = -1;
    }
    if (rc) {
        am_melodies_free(ms);
        return NULL;
    }
    return ms;
}

/* Was option `name` of the table given on the command line? */
static int opt_given(const am_opt *opts, const char *name)
{
    for (; opts->name; opts++)
        if (!strcmp(opts->name, name))
            return opts->given;
    return 0;
}

/* A store configuration's label (am_store_config_label) as a value. */
static const char *config_label(const am_store_config *c, char *buf, size_t size)
{
    am_store_config_label(c, buf, size);
    return buf;
}

/* Does text contain word, ignoring case? */
static int contains_nocase(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (; *text; text++)
        if (!strncasecmp(text, word, n))
            return 1;
    return !n;
}

/* The --tunes option, for an am_opt table. */
#define TUNES_OPT(var)                                                                                         \
    {"tunes", AM_OPT_STRING, &(var), "LIST", "ABC or MIDI files and directories (comma-separated); corpus: libam's tunes"}

/* A comma-separated list of distinct names out of `names` (NULL-terminated, at most 8) for option --opt: their
 * indices in out, the count; or -1 after a one-line message listing the names. */
static int parse_names(const am_run *run, const char *opt, const char *s, const char *const *names, int *out)
{
    double val[9];
    int max = 0;
    while (names[max] && max < 8)
        max++;
    int n = am_parse_kv_list(s, names, out, val, max);
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++)
            if (!isnan(val[i]) || (j < i && out[i] == out[j]))
                n = -1;
    if (n < 1) {
        char list[200] = "";
        for (int k = 0; k < max; k++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", names[k]);
        am_run_error(run, "--%s %s: %s (comma-separated, each once)", opt, AM__QUOTE(s), list);
        return -1;
    }
    return n;
}

/* ---- the encoding ---- */

typedef struct code_opts {
    const char *kind, *step, *range;
    int repeat, units, active, context, history;
} code_opts;

#define CODE_OPTS_DEFAULT {"sparse", "1/8", "C3..C6", 8, 256, 16, 0, 1}
/* The encoding's options, for an am_opt table. */
#define CODE_OPTS(c)                                                                                           \
    {"code", AM_OPT_STRING, &(c).kind, "KIND",                                                                 \
     "the encoding of a step: pitchclass (12 pitch classes one-hot), range (one unit per pitch of --range), "   \
     "sparse (a random code of --active of --units units per pitch and onset)"},                               \
        {"step", AM_OPT_STRING, &(c).step, "NOTE", "the length of a step: a note value such as 1/8 or 1/16"},    \
        {"range", AM_OPT_STRING, &(c).range, "LO..HI", "pitches encoded (others folded in by octaves): names "    \
                                                      "(C3, F#4, Bb5) or MIDI numbers", "range,sparse"},        \
        {"repeat", AM_OPT_INT, &(c).repeat, "R", "copies of each unit", "pitchclass,range"},                   \
        {"units", AM_OPT_INT, &(c).units, "N", "units of the sparse code", "sparse"},                           \
        {"active", AM_OPT_INT, &(c).active, "K", "active units per symbol of the sparse code", "sparse"},        \
        {"context", AM_OPT_INT, &(c).context, "C",                                                              \
         "units of a random code per tune appended to every step (0: none): tells apart tunes that share phrases"}, \
        {"history", AM_OPT_INT, &(c).history, "H",                                                              \
         "steps each pattern holds: the current one and the H - 1 before it (1: the current step only)"}

/* A pitch: a MIDI number 0..127 or a name (C4 = 60, F#3, Bb5). -1 if malformed. */
static int parse_pitch(const char *s)
{
    static const int base[7] = {9, 11, 0, 2, 4, 5, 7}; /* A B C D E F G */
    char *end;
    if (*s >= '0' && *s <= '9') {
        long v = strtol(s, &end, 10);
        return *end || v > 127 ? -1 : (int)v;
    }
    int c = *s >= 'a' && *s <= 'g' ? *s - 'a' : *s >= 'A' && *s <= 'G' ? *s - 'A' : -1;
    if (c < 0)
        return -1;
    int p = base[c];
    s++;
    if (*s == '#' || *s == 'b')
        p += *s++ == '#' ? 1 : -1;
    if (!*s || !(*s == '-' || (*s >= '0' && *s <= '9')))
        return -1;
    long oct = strtol(s, &end, 10);
    if (*end || oct < -1 || oct > 9)
        return -1;
    long v = (oct + 1) * 12 + p;
    return v < 0 || v > 127 ? -1 : (int)v;
}

/* A note value "N/D" (or "N") as ticks: 4 AM_MELODY_TPQ N / D, a whole number >= 1. 0 if not. */
static uint32_t parse_step(const char *s)
{
    char *end;
    unsigned long num = strtoul(s, &end, 10), den = 1;
    if (end == s || num == 0 || num > 64)
        return 0;
    if (*end == '/') {
        const char *d = end + 1;
        den = strtoul(d, &end, 10);
        if (end == d || den == 0 || den > 4096)
            return 0;
    }
    if (*end)
        return 0;
    unsigned long t = 4ul * AM_MELODY_TPQ * num;
    return t % den ? 0 : (uint32_t)(t / den);
}

/* The encoding the options describe (seed: the run's). 0, or -1 after a one-line message. */
static int code_make(const am_run *run, const code_opts *o, am_melcode *c)
{
    static const char *const kinds[] = {"pitchclass", "range", "sparse"};
    char why[256];
    int kind = -1;
    for (int i = 0; i < 3; i++)
        if (!strcmp(o->kind, kinds[i]))
            kind = i;
    am_melcode_init(c);
    if (kind < 0) {
        am_run_error(run, "--code %s: pitchclass, range or sparse", AM__QUOTE(o->kind));
        return -1;
    }
    c->kind = (am_melcode_kind)kind;
    if (!(c->step = parse_step(o->step))) {
        am_run_error(run, "--step %s: a note value N/D (such as 1/8) of a whole number of ticks (%u to the quarter)",
                      AM__QUOTE(o->step), AM_MELODY_TPQ);
        return -1;
    }
    const char *dots = strstr(o->range, "..");
    char lo[16] = "";
    if (dots && (size_t)(dots - o->range) < sizeof lo)
        memcpy(lo, o->range, (size_t)(dots - o->range));
    if (!dots || (c->lo = parse_pitch(lo)) < 0 || (c->hi = parse_pitch(dots + 2)) < 0 || c->lo > c->hi) {
        am_run_error(run, "--range %s: LO..HI, two pitches (C3, F#4, 60) with LO <= HI", AM__QUOTE(o->range));
        return -1;
    }
    if (o->repeat < 1 || o->repeat > 1000 || o->units < 2 || o->active < 1 || o->context < 0 || o->history < 1 ||
        o->history > 64) {
        am_run_error(run, "out of range: --repeat 1 .. 1000, --units >= 2, --active >= 1, --context >= 0, "
                          "--history 1 .. 64");
        return -1;
    }
    c->repeat = (unsigned)o->repeat;
    c->n = (size_t)o->units;
    c->k = (size_t)o->active;
    c->context = (size_t)o->context;
    c->history = (unsigned)o->history;
    c->seed = run->seed;
    if (am_melcode_check(c, why, sizeof why)) {
        am_run_error(run, "the encoding: %s", why);
        return -1;
    }
    return 0;
}

/* A short label of an encoding for tables: "sparse256/16", "pitchclass x8", with "+ctx64", "h3". */
static const char *code_label(const am_melcode *c, char *buf, size_t size)
{
    int n = c->kind == AM_MELCODE_SPARSE ? snprintf(buf, size, "sparse%zu/%zu", c->n, c->k)
                                         : snprintf(buf, size, "%sx%u", c->kind == AM_MELCODE_RANGE ? "range" : "pitchclass",
                                                    c->repeat);
    if (c->history > 1 && n > 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, "+h%u", c->history);
    if (c->context && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "+ctx%zu", c->context);
    return buf;
}

/* "with --code KIND", for messages about options that apply elsewhere. */
static const char *code_what(const code_opts *co)
{
    static char buf[48];
    snprintf(buf, sizeof buf, "with --code %.20s", co->kind);
    return buf;
}

/* The corpus encoded: pats[t] the steps of tune t (owned), pitch[t] and onset[t] what each step's pattern
 * decodes to. */
typedef struct encoded {
    size_t count, units;
    am_patterns **pats;
    int32_t **pitch;
    unsigned char **onset;
} encoded;

static void encoded_free(encoded *e)
{
    for (size_t t = 0; t < e->count; t++) {
        am_patterns_free(e->pats ? e->pats[t] : NULL);
        free(e->pitch ? e->pitch[t] : NULL);
        free(e->onset ? e->onset[t] : NULL);
    }
    free(e->pats), free(e->pitch), free(e->onset);
    memset(e, 0, sizeof *e);
}

static int encode_all(const am_run *run, const am_melcode *c, const am_melodies *ms, encoded *e)
{
    memset(e, 0, sizeof *e);
    e->units = am_melcode_units(c);
    e->pats = calloc(ms->count, sizeof *e->pats);
    e->pitch = calloc(ms->count, sizeof *e->pitch);
    e->onset = calloc(ms->count, sizeof *e->onset);
    int8_t *x = malloc(e->units);
    int rc = e->pats && e->pitch && e->onset && x ? 0 : AM_ENOMEM;
    if (!rc)
        e->count = ms->count;
    for (size_t t = 0; !rc && t < ms->count; t++) {
        size_t steps = am_melody_steps(&ms->items[t], c->step);
        e->pitch[t] = malloc(steps * sizeof **e->pitch);
        e->onset[t] = malloc(steps);
        if (!e->pitch[t] || !e->onset[t])
            rc = AM_ENOMEM;
        else {
            rc = am_melcode_encode(c, &ms->items[t], t, &e->pats[t]);
        /* The reference of each step: what the code holds of it (decoded from its pattern), so that a recall is
         * judged by what the encoding can represent (a pitch-class code keeps no octave). */
        for (size_t k = 0; !rc && k < steps; k++) {
            am_patterns_get(e->pats[t], k, x);
            am_melcode_decode_step(c, x, &e->pitch[t][k], &e->onset[t][k]);
        }
        }
        if (rc)
            am_run_error(run, "tune %zu (%s): %s", t, AM__QUOTE(ms->items[t].title), am_strerror(rc));
    }
    if (rc && !e->count)
        am_run_error(run, "%s", am_strerror(rc));
    free(x);
    if (rc)
        encoded_free(e);
    return rc ? -1 : 0;
}

/* Steps in the first bar of tune m (at least 1). */
static size_t bar_steps(const am_melody *m, uint32_t step)
{
    uint64_t bar = m->meter_den ? (uint64_t)4 * AM_MELODY_TPQ * m->meter_num / m->meter_den : 4 * AM_MELODY_TPQ;
    size_t s = (size_t)(bar / step);
    return s ? s : 1;
}

/* ---- recall of one tune ---- */

enum { CUE_BAR = 0, CUE_CORRUPT = 1, NCUES = 2 };
static const char *const cue_names[NCUES + 1] = {"first-bar", "corrupted", NULL};

/* How a tune came back. */
typedef struct tune_score {
    uint64_t steps;       /* steps replayed (after the cue) */
    uint64_t right;       /* steps whose pitch and onset are those of the tune */
    uint64_t pitch_right; /* steps whose pitch is the tune's */
    uint64_t exact;       /* 1 when every step is right */
    uint64_t before_error; /* steps replayed right before the first wrong one (all of them when none is) */
} tune_score;

/* Replay tune t (stored as sequence k of s) from its cue: the state at the end of its first bar, with --flip
 * of the units flipped for a corrupted cue. states: room for (steps + 1) x units, out: the trajectory (row 0
 * the cue); *cue_step the step the cue stands for. Scores against e's references. */
static int recall_tune(const am_store *s, size_t k, const encoded *e, size_t t, size_t bar, int cue, double flip,
                       am_rng *rng, am_store_work *w, const am_melcode *c, int8_t *states, size_t *cue_step,
                       tune_score *r)
{
    size_t first, len, n = e->units;
    int rc = am_sequence_info(s, k, &first, &len, NULL);
    memset(r, 0, sizeof *r);
    if (rc)
        return rc;
    size_t cs = (bar < len ? bar : len) - 1, steps = len - 1 - cs;
    *cue_step = cs;
    am_patterns_get(e->pats[t], cs, states);
    if (cue == CUE_CORRUPT)
        am_state_flip_k(states, n, (size_t)floor(flip * (double)n + 0.5), rng);
    if (steps > UINT32_MAX)
        return AM_EOVERFLOW;
    if (steps && (rc = am_sequence_replay(s, states, first + cs, (unsigned)steps, NULL, w, NULL, states, NULL)))
        return rc;
    r->steps = steps;
    r->exact = 1;
    for (size_t j = 1; j <= steps; j++) {
        int32_t p;
        unsigned char on;
        am_melcode_decode_step(c, states + j * n, &p, &on);
        int pr = p == e->pitch[t][cs + j], ok = pr && on == e->onset[t][cs + j];
        r->pitch_right += (uint64_t)pr;
        r->right += (uint64_t)ok;
        if (!ok && r->exact) {
            r->exact = 0;
            r->before_error = j - 1;
        }
    }
    if (r->exact)
        r->before_error = steps;
    return AM_OK;
}

/* A store of the tunes order[0..count) of e, added in that order as open sequences. */
static int store_tunes(const am_store_config *sc, const encoded *e, const size_t *order, size_t count, am_store **out)
{
    am_store_config c = *sc;
    c.n = e->units;
    int rc = am_store_create(out, &c);
    for (size_t i = 0; !rc && i < count; i++)
        rc = am_sequence_add(*out, e->pats[order ? order[i] : i], 0);
    if (rc)
        am_store_free(*out), *out = NULL;
    return rc;
}

/* The order of the tunes in trial `trial`: the corpus order for trial 0, else a permutation from stream
 * (seed, 1000 + trial). */
static void tune_order(size_t *order, size_t count, uint64_t seed, int trial)
{
    for (size_t i = 0; i < count; i++)
        order[i] = i;
    if (!trial)
        return;
    am_rng rng;
    am_rng_init(&rng, seed, 1000 + (uint64_t)trial);
    for (size_t i = count; i > 1; i--) {
        size_t j = (size_t)am_rng_below(&rng, i);
        size_t tmp = order[i - 1];
        order[i - 1] = order[j];
        order[j] = tmp;
    }
}

/* ---- capacity ---- */

typedef struct cap_cfg {
    const encoded *e;
    const am_melodies *ms;
    const am_melcode *code;
    am_store_config stores[MAX_CONFIGS];
    int nstores, nt, trials, cues[NCUES], ncues;
    size_t stored[MAX_LIST];
    double flip;
    uint64_t seed;
} cap_cfg;

typedef struct cap_res {
    tune_score sum[NCUES]; /* summed over the tunes stored */
    uint64_t tunes, elements;
} cap_res;

static int cap_job(size_t job, int thread, void *result, void *ctx)
{
    (void)thread;
    const cap_cfg *c = ctx;
    cap_res *r = result;
    int trial = (int)(job % (size_t)c->trials), ti = (int)(job / (size_t)c->trials % (size_t)c->nt);
    int si = (int)(job / (size_t)c->trials / (size_t)c->nt);
    size_t T = c->stored[ti], count = c->e->count;
    size_t *order = malloc(count * sizeof *order);
    am_store *s = NULL;
    int8_t *states = NULL;
    int rc = order ? 0 : AM_ENOMEM;
    size_t longest = 0;
    for (size_t t = 0; t < count; t++)
        longest = c->e->pats[t]->count > longest ? c->e->pats[t]->count : longest;
    if (!rc && !(states = malloc((longest + 1) * c->e->units)))
        rc = AM_ENOMEM;
    if (!rc) {
        tune_order(order, count, c->seed, trial);
        rc = store_tunes(&c->stores[si], c->e, order, T, &s);
    }
    am_rng rng;
    am_rng_init(&rng, c->seed, am_rng_stream2(2, job));
    for (size_t k = 0; !rc && k < T; k++) {
        size_t t = order[k], cs;
        for (int q = 0; !rc && q < c->ncues; q++) {
            tune_score ts;
            int cue = c->cues[q];
            rc = recall_tune(s, k, c->e, t, bar_steps(&c->ms->items[t], c->code->step), cue, c->flip, &rng, NULL,
                             c->code, states, &cs, &ts);
            r->sum[q].steps += ts.steps, r->sum[q].right += ts.right, r->sum[q].pitch_right += ts.pitch_right;
            r->sum[q].exact += ts.exact, r->sum[q].before_error += ts.before_error;
        }
        r->elements += c->e->pats[t]->count;
    }
    r->tunes = T;
    am_store_free(s);
    free(order), free(states);
    return rc;
}

static double cap_cost(size_t job, void *ctx)
{
    const cap_cfg *c = ctx;
    double T = (double)c->stored[job / (size_t)c->trials % (size_t)c->nt];
    return T * T + 1;
}

static void cap_write(FILE *out, const cap_cfg *c, const cap_res *res)
{
    char code[64];
    code_label(c->code, code, sizeof code);
    fprintf(out, "model\tconfig\tcode\tunits\ttunes\telements\tcue\tnote_acc\tpitch_acc\texact_rate\t"
                 "beats_before_error\n");
    double beats_per_step = (double)c->code->step / AM_MELODY_TPQ;
    for (int si = 0; si < c->nstores; si++) {
        char label[64];
        am_store_config_label(&c->stores[si], label, sizeof label);
        for (int ti = 0; ti < c->nt; ti++)
            for (int q = 0; q < c->ncues; q++) {
                tune_score sum = {0};
                uint64_t tunes = 0, elements = 0;
                for (int tr = 0; tr < c->trials; tr++) {
                    const cap_res *r = &res[((size_t)si * (size_t)c->nt + (size_t)ti) * (size_t)c->trials + (size_t)tr];
                    sum.steps += r->sum[q].steps, sum.right += r->sum[q].right;
                    sum.pitch_right += r->sum[q].pitch_right, sum.exact += r->sum[q].exact;
                    sum.before_error += r->sum[q].before_error;
                    tunes += r->tunes, elements += r->elements;
                }
                double steps = sum.steps ? (double)sum.steps : 1;
                fprintf(out, "%s\t%s\t%s\t%zu\t%zu\t%.1f\t%s\t%.4f\t%.4f\t%.4f\t%.2f\n",
                        am_store_type_name(c->stores[si].type), label, code, c->e->units,
                        c->stored[ti], (double)elements / c->trials, cue_names[c->cues[q]], (double)sum.right / steps,
                        (double)sum.pitch_right / steps, (double)sum.exact / (double)tunes,
                        (double)sum.before_error * beats_per_step / (double)tunes);
            }
    }
}

/* "a,b,c" of tune counts 1 .. max, each or the last may be "all"; given: 0 for the program's default, whose
 * counts beyond max are left out (a small corpus). The count, or -1 after a message. */
static int parse_stored(const am_run *run, const char *s, size_t max, int given, size_t *out)
{
    uint64_t v[MAX_LIST];
    char buf[512];
    const char *words[MAX_LIST];
    int n = am_parse_words(s, buf, sizeof buf, words, MAX_LIST), k = 0;
    for (int i = 0; i < n; i++) {
        char *end;
        v[k] = strcmp(words[i], "all") ? strtoull(words[i], &end, 10) : (end = (char *)"", max);
        if (*end || (v[k] > max && given) || !v[k])
            n = -1;
        else if (v[k] <= max && (k == 0 || v[k] != v[k - 1])) /* "39,all" of 39 tunes: one row */
            k++;
    }
    n = n < 0 ? -1 : k;
    if (n < 1) {
        am_run_error(run, "--stored %s: up to %d numbers of tunes (comma-separated), each 1 .. %zu (the tunes read) or all",
                      AM__QUOTE(s), MAX_LIST, max);
        return -1;
    }
    for (int i = 0; i < n; i++)
        out[i] = (size_t)v[i];
    return n;
}


static int cmd_capacity(int argc, char **argv)
{
    static const char desc[] =
        "The first T tunes of the corpus (in a random order for trials after the first) are stored in one\n"
        "store as open sequences, one pattern per step. Each is then replayed from its cue -- the step at the\n"
        "end of its first bar (first-bar), or that step with --flip of its units flipped (corrupted) -- to its\n"
        "end, and every step decoded. Columns: model, code, units, tunes (T), elements (steps stored),\n"
        "cue, note_acc (steps with the right pitch and onset), pitch_acc (right pitch), exact_rate (tunes\n"
        "replayed with every step right), beats_before_error (mean beats replayed right before the first\n"
        "wrong step). Right means: what the stored step decodes to (a pitch-class code keeps no octave).\n";
    const char *tunes = "corpus", *stored_s = "1,5,10,20,40,all", *cues_s = "first-bar,corrupted";
    code_opts co = CODE_OPTS_DEFAULT;
    int trials = 1;
    double flip = 0.1;
    am_run run = {.program = "melody", .subcommand = "capacity", .resumable = 1,
                  .summary = "Tunes recalled from their first bar against the number stored.", .description = desc,
                  .seed = 1, .examples = "melody capacity --history 16 --stored 5,10,20,all --out cap.tsv\n"
                                         "melody capacity --model seq-dense --degree 2,4 --code pitchclass --stored all"};
    static am_store_opts so;
    am_opt opts[64] = {
        TUNES_OPT(tunes),
        {"stored", AM_OPT_STRING, &stored_s, "T,...", "numbers of tunes stored (the first T), or all (the default leaves out "
                                                     "the numbers beyond the tunes read)"},
        {"cues", AM_OPT_STRING, &cues_s, "LIST", "first-bar, corrupted"},
        {"flip", AM_OPT_DOUBLE, &flip, "F", "fraction of a corrupted cue's units flipped"},
        {"trials", AM_OPT_INT, &trials, "R", "orders of the tunes (the first: the corpus order)"},
        CODE_OPTS(co),
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_store_opts_parse(&run, &so, "seq-modern", AM_STORE_SEQUENCE, 0, 1, NULL,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */
    static cap_cfg c;
    am_melcode code;
    size_t dropped;
    const am_store_type *type = am_store_opts_type(&run, &so, opts, co.kind, code_what(&co));
    if (!type || code_make(&run, &co, &code) || (c.ncues = parse_names(&run, "cues", cues_s, cue_names, c.cues)) < 0)
        return 2;
    if (trials < 1 || trials > 10000 || !(flip >= 0 && flip <= 1)) {
        am_run_error(&run, "out of range: --trials 1 .. 10000, --flip [0, 1]");
        return 2;
    }
    am_melodies *ms = corpus_load(&run, tunes, &dropped);
    static encoded e;
    if (!ms)
        return 2;
    if ((c.nt = parse_stored(&run, stored_s, ms->count, opt_given(opts, "stored"), c.stored)) < 0 ||
        (c.nstores = am_store_opts_configs(&run, &so, type, am_melcode_units(&code), c.stores, MAX_CONFIGS)) < 0 ||
        am_store_opts_stepwise(&run, c.stores, c.nstores) || encode_all(&run, &code, ms, &e)) {
        am_melodies_free(ms);
        return 2;
    }
    c.e = &e, c.ms = ms, c.code = &code, c.trials = trials, c.flip = flip, c.seed = run.seed;
    size_t count = (size_t)c.nstores * (size_t)c.nt * (size_t)trials, failed;
    cap_res *res = calloc(count, sizeof *res);
    FILE *out = res ? am_run_open(&run) : NULL;
    rc = 1;
    if (!res)
        am_run_error(&run, "%s", am_strerror(AM_ENOMEM));
    if (out) {
        am_jobs jobs = {count, sizeof *res, cap_job, &c, 0, cap_cost};
        double t0 = am_seconds();
        int err = am_run_jobs(&run, &jobs, res, &failed);
        if (err) {
            am_run_error(&run, "job %zu failed: %s", failed, am_strerror(err));
            am_run_abort(&run, out);
        } else {
            fprintf(out, "# %zu tunes read (%zu with fewer than two notes left out), %s steps\n", ms->count, dropped,
                    co.step);
            if (am_run_is_root(&run)) {
                cap_write(out, &c, res);
                am_run_time(out, "%.3f s for %zu jobs", am_seconds() - t0, count);
            }
            rc = am_run_close(&run, out) ? 1 : 0;
        }
    }
    free(res);
    encoded_free(&e);
    am_melodies_free(ms);
    return rc;
}

/* ---- list ---- */

/* A title for a TSV cell: tabs and line ends blanked, cut to size. */
static const char *tsv_title(const char *t, char *buf, size_t size)
{
    snprintf(buf, size, "%s", t);
    for (char *p = buf; *p; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r')
            *p = ' ';
    return buf;
}

static int cmd_list(int argc, char **argv)
{
    static const char desc[] =
        "One row per tune read (tunes with fewer than two notes are left out): index (the number --tune takes),\n"
        "number (ABC X:), title, notes (rests included), beats (quarter notes), steps (of --step), meter, key\n"
        "(sharps > 0, flats < 0), tempo (quarters per minute).\n";
    const char *tunes = "corpus", *step_s = "1/8";
    am_run run = {.program = "melody", .subcommand = "list", .summary = "The tunes of a corpus.", .description = desc,
                  .no_seed = 1, .no_threads = 1, .examples = "melody list\nmelody list --tunes my-tunes.abc,song.mid"};
    am_opt opts[] = {
        TUNES_OPT(tunes),
        {"step", AM_OPT_STRING, &step_s, "NOTE", "the step the steps column counts: a note value such as 1/8"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    uint32_t step = parse_step(step_s);
    size_t dropped;
    if (!step) {
        am_run_error(&run, "--step %s: a note value N/D such as 1/8", AM__QUOTE(step_s));
        return 2;
    }
    am_melodies *ms = corpus_load(&run, tunes, &dropped);
    if (!ms)
        return 2;
    FILE *out = am_run_open(&run);
    if (!out) {
        am_melodies_free(ms);
        return 1;
    }
    fprintf(out, "# %zu tunes (%zu with fewer than two notes left out)\n", ms->count, dropped);
    fprintf(out, "index\tnumber\ttitle\tnotes\tbeats\tsteps\tmeter\tkey\ttempo\n");
    for (size_t i = 0; i < ms->count; i++) {
        const am_melody *m = &ms->items[i];
        char title[200];
        tsv_title(m->title, title, sizeof title);
        fprintf(out, "%zu\t%u\t%s\t%zu\t%.2f\t%zu\t%u/%u\t%d\t%.0f\n", i, m->number, title, m->count,
                (double)am_melody_ticks(m) / AM_MELODY_TPQ, am_melody_steps(m, step), m->meter_num, m->meter_den,
                m->key, m->tempo);
    }
    am_melodies_free(ms);
    return am_run_close(&run, out) ? 1 : 0;
}

/* ---- learn ---- */

/* One step from every stored element of sequence k: the steps that land exactly on their successor, and the
 * first that does not (-1: none). */
static int tune_transitions(const am_store *s, size_t k, size_t n, size_t *exact, long *first_wrong)
{
    size_t first, len;
    int rc = am_sequence_info(s, k, &first, &len, NULL);
    int8_t *next = rc ? NULL : malloc(len * n);
    unsigned char *ok = rc ? NULL : malloc(len);
    if (!rc && (!next || !ok))
        rc = AM_ENOMEM;
    if (!rc)
        rc = am_sequence_transitions(s, first, len, NULL, next, ok, NULL);
    *exact = 0, *first_wrong = -1;
    for (size_t j = 0; !rc && j + 1 < len; j++) {
        *exact += ok[j];
        if (!ok[j] && *first_wrong < 0)
            *first_wrong = (long)j;
    }
    free(next), free(ok);
    return rc;
}

static int cmd_learn(int argc, char **argv)
{
    static const char desc[] =
        "Every tune becomes an open sequence of patterns, one per step, stored in one store (--store saves it;\n"
        "recall --store reads it back with the same --tunes and encoding). One row per tune: index, title,\n"
        "steps, transitions (steps from an element that land exactly on the next one, of steps - 1), and\n"
        "first_wrong (the first element whose step does not, -1 for none).\n";
    const char *tunes = "corpus", *store_path = NULL;
    code_opts co = CODE_OPTS_DEFAULT;
    am_run run = {.program = "melody", .subcommand = "learn", .summary = "Store a corpus of tunes.", .description = desc,
                  .seed = 1, .no_threads = 1,
                  .examples = "melody learn --store tunes.amstore --out learn.tsv\n"
                              "melody learn --model seq-dense --degree 3 --code range --context 64 --quiet"};
    static am_store_opts so;
    am_opt opts[64] = {
        TUNES_OPT(tunes),
        {"store", AM_OPT_OUTPUT, &store_path, "FILE", "save the store (am_store_save) to FILE"},
        CODE_OPTS(co),
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_store_opts_parse(&run, &so, "seq-modern", AM_STORE_SEQUENCE, 0, 0, NULL,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */
    am_melcode code;
    am_store_config sc;
    size_t dropped;
    static encoded e;
    const am_store_type *type = am_store_opts_type(&run, &so, opts, co.kind, code_what(&co));
    if (!type || code_make(&run, &co, &code) ||
        am_store_opts_configs(&run, &so, type, am_melcode_units(&code), &sc, 1) != 1)
        return 2;
    am_melodies *ms = corpus_load(&run, tunes, &dropped);
    if (!ms || encode_all(&run, &code, ms, &e)) {
        am_melodies_free(ms);
        return 2;
    }
    am_store *s = NULL;
    FILE *out = NULL;
    char label[64], clabel[64];
    if ((rc = store_tunes(&sc, &e, NULL, e.count, &s))) {
        am_run_error(&run, "the store: %s", am_strerror(rc));
        goto done;
    }
    rc = -1;
    if (!(out = am_run_open(&run)))
        goto done;
    fprintf(out, "# %s %s, %s: %zu tunes, %zu elements of %zu units\nindex\ttitle\tsteps\ttransitions\tfirst_wrong\n",
            am_store_type_name(sc.type), config_label(&sc, label, sizeof label), code_label(&code, clabel, sizeof clabel), e.count,
            am_store_count(s), e.units);
    size_t all = 0, good = 0;
    for (size_t k = 0; k < e.count; k++) {
        size_t exact;
        long fw;
        if ((rc = tune_transitions(s, k, e.units, &exact, &fw))) {
            am_run_error(&run, "tune %zu: %s", k, am_strerror(rc));
            goto done;
        }
        char title[200];
        fprintf(out, "%zu\t%s\t%zu\t%zu\t%ld\n", k, tsv_title(ms->items[k].title, title, sizeof title),
                e.pats[k]->count, exact, fw);
        all += e.pats[k]->count - 1, good += exact;
    }
    rc = -1;
    if (store_path && (rc = am_store_save(s, store_path))) {
        am_run_error(&run, "--store %s: %s", AM__QUOTE(store_path), am_strerror(rc));
        goto done;
    }
    if (!run.quiet)
        fprintf(stderr, "melody learn: %zu tunes, %zu of %zu transitions exact%s%s\n", e.count, good, all,
                store_path ? "; saved to " : "", store_path ? store_path : "");
    rc = 0;
done:
    if (out && rc)
        am_run_abort(&run, out);
    else if (out && am_run_close(&run, out))
        rc = -1;
    am_store_free(s);
    encoded_free(&e);
    am_melodies_free(ms);
    return rc ? 1 : 0;
}

/* ---- recall ---- */

/* The tune --tune names: an index, or the one title that contains the text (case-insensitive); a text that
 * several titles contain is refused with the first of them. */
static long find_tune(const am_run *run, const am_melodies *ms, const char *which)
{
    char *end;
    long v = strtol(which, &end, 10);
    if (end != which && !*end) {
        if (v >= 0 && (size_t)v < ms->count)
            return v;
        am_run_error(run, "--tune %ld: the corpus has %zu tunes (0 .. %zu; melody list shows them)", v, ms->count,
                      ms->count - 1);
        return -1;
    }
    long found = -1;
    size_t matches = 0;
    char names[160] = "";
    for (size_t i = 0; which[0] && i < ms->count; i++)
        if (contains_nocase(ms->items[i].title, which)) {
            if (matches++ < 3)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%zu %s", matches > 1 ? ", " : "", i,
                         AM__QUOTE(ms->items[i].title));
            found = found < 0 ? (long)i : found;
        }
    if (matches == 1)
        return found;
    if (matches)
        am_run_error(run, "--tune %s: %zu titles contain it (%s%s): give more of the title or the index", AM__QUOTE(which),
                      matches, names, matches > 3 ? ", ..." : "");
    else
        am_run_error(run, "--tune %s: no title contains it (melody list shows the %zu tunes)", AM__QUOTE(which), ms->count);
    return -1;
}

/* The store recall works on: loaded from path (and checked against the encoded corpus), or learned. */
static am_store *recall_store(const am_run *run, const char *path, const am_store_config *sc, const encoded *e)
{
    am_store *s = NULL;
    int rc;
    if (!path) {
        if ((rc = store_tunes(sc, e, NULL, e->count, &s)))
            am_run_error(run, "the store: %s", am_strerror(rc));
        return s;
    }
    if ((rc = am_store_load(&s, path))) {
        am_run_error(run, "--store %s: %s", AM__QUOTE(path), am_strerror(rc));
        return NULL;
    }
    int same = am_store_n(s) == e->units && am_sequence_count(s) == e->count;
    for (size_t k = 0; same && k < e->count; k++) {
        size_t len;
        same = !am_sequence_info(s, k, NULL, &len, NULL) && len == e->pats[k]->count;
    }
    /* the same shape, and the same patterns: another --seed or encoding gives other codes */
    const am_patterns *held = same ? am_store_patterns(s) : NULL;
    for (size_t k = 0, at = 0; held && same && k < e->count; at += e->pats[k]->count, k++)
        same = held->words == e->pats[k]->words && !memcmp(held->bits + at * held->words, e->pats[k]->bits,
                                                           e->pats[k]->count * held->words * sizeof *held->bits);
    if (!same || !held) {
        am_run_error(run, "--store %s does not hold the %zu tunes of %zu units that --tunes, the encoding and --seed give "
                          "(it holds %zu sequences of %zu units): recall with the options it was learned with",
                      AM__QUOTE(path), e->count, e->units, am_sequence_count(s), am_store_n(s));
        am_store_free(s);
        return NULL;
    }
    return s;
}

/* The notes of steps [from, to) of a grid as names, wrong ones (where ref differs) marked with '*'. */
static void print_steps(FILE *f, const char *label, const int32_t *p, const unsigned char *on, const int32_t *ref,
                        const unsigned char *ref_on, size_t from, size_t to)
{
    fprintf(f, "%-9s", label);
    for (size_t t = from; t < to; t++) {
        char name[8];
        int wrong = ref && (p[t] != ref[t] || on[t] != ref_on[t]);
        am_pitch_name(p[t], 0, name, sizeof name);
        fprintf(f, "%s%s%s%s", (t - from) % 16 || t == from ? " " : "\n         ", on[t] || p[t] == AM_REST ? "" : "-",
                name, wrong ? "*" : "");
    }
    fputc('\n', f);
}

/* The melody as a WAV: synth auto (fluidsynth with a General MIDI soundfont when installed, else additive
 * tones), fluidsynth (only), tones. 0, or -1 with the reason printed. */
static int melody_sound(const am_run *run, const am_melody *m, const char *wav, const char *synth)
{
    if (!strcmp(synth, "auto"))
        return am_run_melody_wav(run, m, wav, 0);
    if (!strcmp(synth, "fluidsynth"))
        return am_run_synth(run, m, wav, 0) ? -1 : 0;
    float *x = NULL;
    size_t n = 0;
    int rc = am_melody_render(m, 44100, &x, &n);
    if (!rc)
        rc = am_wav_write(wav, x, n, 44100);
    free(x);
    if (rc)
        am_run_error(run, "--wav %s: %s", AM__QUOTE(wav), am_strerror(rc));
    return rc ? -1 : 0;
}

typedef struct recall_out {
    const char *wav, *synth, *roll;
} recall_out;

/* The sound and the piano roll of a recall: cue (the first bar), recalled (the cue and what followed), original. */
static int recall_figures(const am_run *run, const recall_out *o, const am_melody *tune, const int32_t *ref,
                          const unsigned char *ref_on, const int32_t *got, const unsigned char *got_on, size_t cs,
                          size_t len, uint32_t step)
{
    am_melody cue = {0}, rec = {0}, orig = {0};
    int rc = am_melody_from_grid(&cue, ref, ref_on, cs + 1, step);
    if (!rc)
        rc = am_melody_from_grid(&rec, got, got_on, len, step);
    if (!rc)
        rc = am_melody_from_grid(&orig, ref, ref_on, len, step);
    if (rc) {
        am_run_error(run, "%s", am_strerror(rc));
        goto done;
    }
    cue.tempo = rec.tempo = orig.tempo = tune->tempo;
    rc = -1;
    if (o->wav && melody_sound(run, &rec, o->wav, o->synth))
        goto done;
    const am_melody *rolls[3] = {&cue, &rec, &orig};
    const char *labels[3] = {"cue", "recalled", "original"};
    if (o->roll && am_image_pianoroll(run, o->roll, rolls, labels, 3, step, tune->title))
        goto done;
    rc = 0;
done:
    am_melody_clear(&cue), am_melody_clear(&rec), am_melody_clear(&orig);
    return rc;
}

static int cmd_recall(int argc, char **argv)
{
    static const char desc[] =
        "Every tune of --tunes is stored (or --store is read: a store that learn saved from the same --tunes and\n"
        "encoding); the tune --tune is replayed from the step at the end of its first bar (--cue first-bar), or\n"
        "that step with --flip of its units flipped (--cue corrupted), to its end. Prints the tune as stored\n"
        "and as recalled, one name per step (a '-' before it: held from the step before; '*' after it: wrong),\n"
        "the note accuracy and the first wrong beat. --wav plays the cue and the recall (fluidsynth with the\n"
        "General MIDI soundfont when installed, else additive tones; --synth chooses), --roll draws a piano\n"
        "roll of cue, recall and original, --out writes one row per step: step, beat, original, recalled, right.\n";
    static const char *const sentinel = "(no table)";
    const char *tunes = "corpus", *store_path = NULL, *which = "0", *cue_s = "first-bar";
    recall_out ro = {NULL, "auto", NULL};
    code_opts co = CODE_OPTS_DEFAULT;
    double flip = 0.1;
    am_run run = {.program = "melody", .subcommand = "recall", .summary = "Recall one tune from its first bar.",
                  .description = desc, .seed = 1, .no_threads = 1, .out = sentinel,
                  .examples = "melody recall --tune Twinkle --wav twinkle.wav --roll twinkle\n"
                              "melody recall --tune 'Baa, Baa' --history 32 --context 64 --cue corrupted --flip 0.2"};
    static am_store_opts so;
    am_opt opts[64] = {
        TUNES_OPT(tunes),
        {"tune", AM_OPT_STRING, &which, "K|TEXT", "the tune: its index (melody list) or text in its title"},
        {"store", AM_OPT_STRING, &store_path, "FILE", "a store saved by melody learn (default: learn here)"},
        {"cue", AM_OPT_STRING, &cue_s, "KIND", "first-bar or corrupted"},
        {"flip", AM_OPT_DOUBLE, &flip, "F", "fraction of a corrupted cue's units flipped", "corrupted"},
        {"wav", AM_OPT_OUTPUT, &ro.wav, "FILE", "the cue and the recall as sound"},
        {"synth", AM_OPT_STRING, &ro.synth, "KIND", "auto, fluidsynth or tones (additive)"},
        {"roll", AM_OPT_STRING, &ro.roll, "PREFIX", "a piano roll of cue, recall and original: PREFIX.png"},
        CODE_OPTS(co),
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_store_opts_parse(&run, &so, "seq-modern", AM_STORE_SEQUENCE, 0, 0, NULL,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */
    int cue = !strcmp(cue_s, "first-bar") ? CUE_BAR : !strcmp(cue_s, "corrupted") ? CUE_CORRUPT : -1;
    char also[64];
    snprintf(also, sizeof also, "%s,%s", co.kind, cue_s);
    am_melcode code;
    am_store_config sc;
    size_t dropped;
    char what[96];
    snprintf(what, sizeof what, "with --code %.20s and --cue %.20s", co.kind, cue_s);
    const am_store_type *type = am_store_opts_type(&run, &so, opts, also, what);
    if (!type || code_make(&run, &co, &code) ||
        am_store_opts_configs(&run, &so, type, am_melcode_units(&code), &sc, 1) != 1)
        return 2;
    if (cue < 0 || !(flip >= 0 && flip <= 1) || (strcmp(ro.synth, "auto") && strcmp(ro.synth, "tones") &&
                                                strcmp(ro.synth, "fluidsynth"))) {
        am_run_error(&run, "--cue first-bar or corrupted, --flip in [0, 1], --synth auto, fluidsynth or tones");
        return 2;
    }
    if (store_path && so.model) {
        for (int i = 0; opts[i].name; i++)
            if (opts[i].given && !strcmp(opts[i].name, "model")) {
                am_run_error(&run, "--model: the store read from --store has its own model");
                return 2;
            }
    }
    am_melodies *ms = corpus_load(&run, tunes, &dropped);
    static encoded e;
    long t = ms ? find_tune(&run, ms, which) : -1;
    if (t < 0 || encode_all(&run, &code, ms, &e)) {
        am_melodies_free(ms);
        return 2;
    }
    am_store *s = recall_store(&run, store_path, &sc, &e);
    size_t len = e.pats[t]->count, n = e.units, cs = 0;
    int8_t *states = malloc((len + 1) * n);
    int32_t *got = malloc(len * sizeof *got);
    unsigned char *got_on = malloc(len);
    FILE *out = NULL;
    tune_score ts;
    am_rng rng;
    rc = 1;
    if (!s)
        goto done;
    if (!states || !got || !got_on) {
        am_run_error(&run, "%s", am_strerror(AM_ENOMEM));
        goto done;
    }
    am_rng_init(&rng, run.seed, 3);
    int err = recall_tune(s, (size_t)t, &e, (size_t)t, bar_steps(&ms->items[t], code.step), cue, flip, &rng, NULL,
                          &code, states, &cs, &ts);
    if (err) {
        am_run_error(&run, "replay: %s", am_strerror(err));
        goto done;
    }
    memcpy(got, e.pitch[t], (cs + 1) * sizeof *got);
    memcpy(got_on, e.onset[t], cs + 1);
    for (size_t j = 1; cs + j < len; j++)
        am_melcode_decode_step(&code, states + j * n, &got[cs + j], &got_on[cs + j]);
    if (run.out != sentinel) {
        if (!(out = am_run_open(&run)))
            goto done;
        fprintf(out, "# tune %ld: %s\nstep\tbeat\toriginal\trecalled\tright\n", t, ms->items[t].title);
        for (size_t j = cs + 1; j < len; j++) {
            char a[8], b[8];
            fprintf(out, "%zu\t%.3f\t%s%s\t%s%s\t%d\n", j, (double)j * code.step / AM_MELODY_TPQ,
                    e.onset[t][j] ? "" : "-", am_pitch_name(e.pitch[t][j], 0, a, sizeof a), got_on[j] ? "" : "-",
                    am_pitch_name(got[j], 0, b, sizeof b), got[j] == e.pitch[t][j] && got_on[j] == e.onset[t][j]);
        }
    }
    if (!(out && !strcmp(run.out, "-"))) { /* the result itself, not progress: --quiet leaves it */
        char label[64], clabel[64];
        printf("%s (tune %ld of %zu), %s %s, %s: cue %s (step %zu)\n", ms->items[t].title, t, e.count,
               am_store_type_name(store_path ? am_store_type_of(s) : sc.type),
               store_path ? "from --store" : config_label(&sc, label, sizeof label),
               code_label(&code, clabel, sizeof clabel), cue_names[cue], cs);
        print_steps(stdout, "stored", e.pitch[t], e.onset[t], NULL, NULL, 0, len);
        print_steps(stdout, "recalled", got, got_on, e.pitch[t], e.onset[t], 0, len);
        printf("note accuracy %.3f (%llu of %llu steps after the cue); ", ts.steps ? (double)ts.right / (double)ts.steps : 1.0,
               (unsigned long long)ts.right, (unsigned long long)ts.steps);
        if (ts.exact)
            printf("every step right\n");
        else
            printf("first wrong step %llu (beat %.2f)\n", (unsigned long long)(cs + 1 + ts.before_error),
                   (double)(cs + 1 + ts.before_error) * code.step / AM_MELODY_TPQ);
    }
    if (recall_figures(&run, &ro, &ms->items[t], e.pitch[t], e.onset[t], got, got_on, cs, len, code.step))
        goto done;
    rc = 0;
done:
    if (out && rc)
        am_run_abort(&run, out);
    else if (out && am_run_close(&run, out))
        rc = 1;
    free(states), free(got), free(got_on);
    am_store_free(s);
    encoded_free(&e);
    am_melodies_free(ms);
    return rc;
}

/* ---- the melody engram ---- */

#define MAX_EPOCHS 2000
enum { L_XOR = 0, L_FA = 1, L_BACKPROP = 2, L_STORE = 3, NLEARNERS = 4 };
static const char *const learner_names[NLEARNERS + 1] = {"xor", "fa", "backprop", "store", NULL};

typedef struct eng_cfg {
    const encoded *e;
    const am_melodies *ms;
    const am_melcode *code;
    am_engram_opts base;
    am_store_config store;
    int learners[NLEARNERS], nl, nh, context;
    size_t hidden[MAX_LIST], winners, tunes, epochs;
    int motif;
    double motif_bg;
} eng_cfg;

typedef struct eng_res {
    uint64_t beats, tf_pitch, tf_right, fr_steps, fr_pitch, fr_right, fr_before_error;
    am_engram_counts curve[MAX_EPOCHS];
} eng_res;

/* Beat t of a tune's patterns as bits, and a prediction's bits decoded. */
static void beat_bits(const am_patterns *p, size_t t, float *x)
{
    for (size_t i = 0; i < p->n; i++)
        x[i] = am_patterns_unit(p, t, i) > 0 ? 1.0f : 0.0f;
}

static void decode_bits(const am_melcode *c, const float *y, int8_t *tmp, size_t n, int32_t *pitch, unsigned char *on)
{
    for (size_t i = 0; i < n; i++)
        tmp[i] = y[i] > 0.5f ? 1 : -1;
    am_melcode_decode_step(c, tmp, pitch, on);
}

/* Teacher-forced and free-running pitch accuracy of a trained engram over the tunes. */
static int engram_score(am_engram *g, const eng_cfg *c, eng_res *r)
{
    size_t n = c->e->units, longest = 0;
    for (size_t t = 0; t < c->tunes; t++)
        longest = c->e->pats[t]->count > longest ? c->e->pats[t]->count : longest;
    float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    int8_t *tmp = malloc(n);
    am_patterns *out = NULL;
    int rc = x && y && tmp ? am_patterns_create(&out, n, longest) : AM_ENOMEM;
    for (size_t t = 0; !rc && t < c->tunes; t++) {
        const am_patterns *p = c->e->pats[t];
        size_t len = p->count, cs = (bar_steps(&c->ms->items[t], c->code->step) < len
                                         ? bar_steps(&c->ms->items[t], c->code->step) : len) - 1;
        int32_t pitch;
        unsigned char on;
        am_engram_reset(g);
        for (size_t j = 0; !rc && j + 1 < len; j++) {
            beat_bits(p, j, x);
            if ((rc = am_engram_predict(g, x, y)))
                break;
            decode_bits(c->code, y, tmp, n, &pitch, &on);
            r->beats++;
            r->tf_pitch += pitch == c->e->pitch[t][j + 1];
            r->tf_right += pitch == c->e->pitch[t][j + 1] && on == c->e->onset[t][j + 1];
        }
        size_t keep = out->count;
        out->count = len;
        if (!rc)
            rc = am_engram_recall(g, p, cs + 1, out);
        int ok = 1;
        for (size_t j = cs + 1; !rc && j < len; j++) {
            am_patterns_get(out, j, tmp);
            am_melcode_decode_step(c->code, tmp, &pitch, &on);
            int pr = pitch == c->e->pitch[t][j], right = pr && on == c->e->onset[t][j];
            r->fr_steps++, r->fr_pitch += (uint64_t)pr, r->fr_right += (uint64_t)right;
            ok = ok && right;
            r->fr_before_error += (uint64_t)ok;
        }
        out->count = keep;
    }
    am_patterns_free(out);
    free(x), free(y), free(tmp);
    return rc;
}

/* The sequence store beside the engrams: teacher-forced = one step from every stored element, free-running =
 * a replay from the first bar. */
static int store_score(const eng_cfg *c, eng_res *r)
{
    am_store *s = NULL;
    size_t n = c->e->units, longest = 0;
    for (size_t t = 0; t < c->tunes; t++)
        longest = c->e->pats[t]->count > longest ? c->e->pats[t]->count : longest;
    int8_t *states = malloc((longest + 1) * n);
    int rc = states ? store_tunes(&c->store, c->e, NULL, c->tunes, &s) : AM_ENOMEM;
    am_rng rng;
    am_rng_init(&rng, 0, 0); /* unused: the first-bar cue flips nothing */
    for (size_t t = 0; !rc && t < c->tunes; t++) {
        size_t first, len, cs;
        tune_score ts;
        if ((rc = am_sequence_info(s, t, &first, &len, NULL)) ||
            (rc = am_sequence_transitions(s, first, len, NULL, states, NULL, NULL)))
            break;
        for (size_t j = 0; j + 1 < len; j++) {
            int32_t pitch;
            unsigned char on;
            am_melcode_decode_step(c->code, states + j * n, &pitch, &on);
            r->beats++;
            r->tf_pitch += pitch == c->e->pitch[t][j + 1];
            r->tf_right += pitch == c->e->pitch[t][j + 1] && on == c->e->onset[t][j + 1];
        }
        rc = recall_tune(s, t, c->e, t, bar_steps(&c->ms->items[t], c->code->step), CUE_BAR, 0, &rng, NULL, c->code,
                         states, &cs, &ts);
        r->fr_steps += ts.steps, r->fr_pitch += ts.pitch_right, r->fr_right += ts.right;
        r->fr_before_error += ts.before_error;
    }
    am_store_free(s);
    free(states);
    return rc;
}

/* Job j: learner j / nh (the store's job is the last), hidden size j % nh. */
static int eng_job(size_t job, int thread, void *result, void *ctx)
{
    (void)thread;
    const eng_cfg *c = ctx;
    eng_res *r = result;
    int learner = c->learners[job / (size_t)c->nh];
    if (learner == L_STORE) /* one row: the store has no hidden size */
        return job % (size_t)c->nh ? AM_OK : store_score(c, r);
    am_engram_opts o = c->base;
    am_engram_motif motif = {.seed = am_rng_stream2(o.seed, job)};
    o.hidden = c->hidden[job % (size_t)c->nh];
    o.k = c->winners < o.hidden ? c->winners : o.hidden;
    o.rule = learner == L_XOR ? AM_ENGRAM_FIXED : learner == L_FA ? AM_ENGRAM_FA : AM_ENGRAM_BACKPROP;
    o.threads = 1;
    if (c->motif && learner != L_BACKPROP) {
        am_xor_params_default(&motif.params);
        motif.params.bg_rate = c->motif_bg;
        o.error = am_engram_motif_error, o.error_ctx = &motif;
    }
    am_engram *g = NULL;
    int rc = am_engram_create(&g, c->e->units, &o);
    if (!rc)
        rc = am_engram_train(g, (const am_patterns *const *)c->e->pats, c->tunes, c->epochs, r->curve);
    if (!rc)
        rc = engram_score(g, c, r);
    am_engram_free(g);
    return rc;
}

static double eng_cost(size_t job, void *ctx)
{
    const eng_cfg *c = ctx;
    return c->learners[job / (size_t)c->nh] == L_STORE ? 1.0 : (double)c->hidden[job % (size_t)c->nh] * (double)c->epochs;
}

static void eng_write(FILE *out, FILE *curve, const eng_cfg *c, const eng_res *res)
{
    double bps = (double)c->code->step / AM_MELODY_TPQ;
    char slabel[64];
    am_store_config_label(&c->store, slabel, sizeof slabel);
    fprintf(out, "learner\tconfig\thidden\ttunes\tepochs\ttf_pitch_acc\ttf_note_acc\tfr_pitch_acc\tfr_note_acc\t"
                 "beats_before_error\n");
    if (curve)
        fprintf(curve, "learner\thidden\tepoch\tbeat_acc\tbit_error\n");
    for (int l = 0; l < c->nl; l++)
        for (int h = 0; h < c->nh; h++) {
            const eng_res *r = &res[(size_t)l * (size_t)c->nh + (size_t)h];
            int st = c->learners[l] == L_STORE;
            if (st && h)
                continue;
            double b = r->beats ? (double)r->beats : 1, f = r->fr_steps ? (double)r->fr_steps : 1;
            fprintf(out, "%s\t%s\t%zu\t%zu\t%zu\t%.4f\t%.4f\t%.4f\t%.4f\t%.2f\n",
                    st ? am_store_type_name(c->store.type) : learner_names[c->learners[l]], st ? slabel : "-",
                    st ? c->e->units : c->hidden[h], c->tunes, st ? (size_t)0 : c->epochs, (double)r->tf_pitch / b,
                    (double)r->tf_right / b, (double)r->fr_pitch / f, (double)r->fr_right / f,
                    (double)r->fr_before_error * bps / (double)c->tunes);
            for (size_t ep = 0; curve && !st && ep < c->epochs; ep++) {
                const am_engram_counts *k = &r->curve[ep];
                fprintf(curve, "%s\t%zu\t%zu\t%.4f\t%.5f\n", learner_names[c->learners[l]], c->hidden[h], ep + 1,
                        k->beats ? (double)k->beats_right / (double)k->beats : 0,
                        k->beats ? (double)k->bits_wrong / ((double)k->beats * (double)c->e->units) : 0);
            }
        }
}


static int cmd_engram(int argc, char **argv)
{
    static const char desc[] =
        "The excitatory/inhibitory melody engram (am/engram.h): each beat's code goes through a sparse random\n"
        "expansion (k winners of --hidden units) with the previous hidden code as context, and a read-out\n"
        "predicts the next beat; it learns only from the signed XOR error between the beat that came and the\n"
        "one it predicted (xor: the read-out alone, the perceptron rule; fa: the expansion too, by feedback\n"
        "alignment). backprop: an Elman network of the same size trained by gradient descent (Adam); store: the\n"
        "sequence store of --model over the same codes. The first --stored tunes are learned for --epochs.\n"
        "Columns: learner, hidden (units; the store's width), tunes, epochs, tf_pitch_acc and tf_note_acc\n"
        "(teacher-forced: each beat predicted from the true ones before it; pitch, and pitch with onset),\n"
        "fr_pitch_acc and fr_note_acc (free-running from the first bar, fed its own predictions), beats_before_error\n"
        "(mean beats of the free run before its first wrong step). --curve: accuracy and bit error per epoch.\n";
    const char *tunes = "corpus", *hidden_s = "64,128,256,512", *learners_s = "xor,fa,backprop,store", *curve_path = NULL,
               *stored_s = "all";
    code_opts co = CODE_OPTS_DEFAULT;
    int epochs = 30, no_context = 0, motif = 0;
    am_engram_opts dflt; /* the library's defaults, shown by --help */
    am_engram_opts_default(&dflt);
    double decay = dflt.decay, lr = dflt.lr, lr_hidden = dflt.lr_hidden, lr_backprop = dflt.lr_backprop, motif_bg = 0;
    int winners = (int)dflt.k;
    co.kind = "range", co.repeat = 1;
    am_run run = {.program = "melody", .subcommand = "engram", .resumable = 1,
                  .summary = "The XOR-learning melody engram against hidden size, beside backprop and a store.",
                  .description = desc, .seed = 1,
                  .examples = "melody engram --hidden 128,512 --epochs 30 --curve curves.tsv --out engram.tsv\n"
                              "melody engram --learners xor,backprop --no-context --hidden 256"};
    static am_store_opts so;
    am_opt opts[64] = {
        TUNES_OPT(tunes),
        {"stored", AM_OPT_STRING, &stored_s, "T", "tunes learned (the first T), or all"},
        {"learners", AM_OPT_STRING, &learners_s, "LIST", "xor, fa, backprop, store"},
        {"hidden", AM_OPT_STRING, &hidden_s, "H,...", "hidden units of the networks"},
        {"winners", AM_OPT_INT, &winners, "K", "winners of the expansion's k-WTA (xor, fa)"},
        {"epochs", AM_OPT_INT, &epochs, "E", "passes over the tunes"},
        {"no-context", AM_OPT_FLAG, &no_context, NULL, "no recurrent context: each beat predicted from itself alone"},
        {"decay", AM_OPT_DOUBLE, &decay, "RHO", "the context: a trace of the hidden codes decaying by RHO per beat"},
        {"lr", AM_OPT_DOUBLE, &lr, "ETA", "the read-out's learning rate (xor, fa)"},
        {"lr-hidden", AM_OPT_DOUBLE, &lr_hidden, "ETA", "the expansion's learning rate (fa)"},
        {"lr-backprop", AM_OPT_DOUBLE, &lr_backprop, "ETA", "Adam's step (backprop)"},
        {"motif", AM_OPT_FLAG, &motif, NULL, "read every error bit from the spiking XOR motif (slow: one simulation per bit; "
                                              "without background its bits are the computed signed XOR's)"},
        {"motif-bg", AM_OPT_DOUBLE, &motif_bg, "HZ", "Poisson background on the motif's inputs (with --motif)"},
        {"curve", AM_OPT_OUTPUT, &curve_path, "FILE", "learning curves: one row per learner, hidden size and epoch"},
        CODE_OPTS(co),
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_store_opts_parse(&run, &so, "seq-modern", AM_STORE_SEQUENCE, 0, 0, NULL,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */
    static eng_cfg c;
    static encoded e;
    am_melcode code;
    uint64_t hv[MAX_LIST];
    size_t dropped;
    const am_store_type *type = am_store_opts_type(&run, &so, opts, co.kind, code_what(&co));
    if (!type || code_make(&run, &co, &code) || (c.nl = parse_names(&run, "learners", learners_s, learner_names, c.learners)) < 0 ||
        am_store_opts_configs(&run, &so, type, am_melcode_units(&code), &c.store, 1) != 1 ||
        am_store_opts_stepwise(&run, &c.store, 1))
        return 2;
    am_xor_params xp;
    am_xor_params_default(&xp);
    xp.bg_rate = motif_bg;
    if (motif_bg != 0 && (!motif || am_xor_params_check(&xp))) {
        am_run_error(&run, "--motif-bg %g: a background rate in Hz (0 .. %g) for the motif of --motif", motif_bg,
                      (double)AM_XOR_MAX_BG_RATE);
        return 2;
    }
    if ((c.nh = am_parse_u64_list(hidden_s, hv, MAX_LIST)) < 1) {
        am_run_error(&run, "--hidden %s: up to %d numbers of hidden units", AM__QUOTE(hidden_s), MAX_LIST);
        return 2;
    }
    am_engram_opts_default(&c.base);
    c.base.context = !no_context, c.base.decay = decay, c.base.lr = lr, c.base.lr_hidden = lr_hidden;
    c.base.lr_backprop = lr_backprop, c.base.seed = run.seed;
    for (int h = 0; h < c.nh; h++) {
        am_engram_opts o = c.base;
        am_engram *g = NULL;
        c.hidden[h] = (size_t)hv[h];
        o.hidden = c.hidden[h], o.k = (size_t)winners < o.hidden ? (size_t)winners : o.hidden;
        if (winners < 1 || epochs < 1 || epochs > MAX_EPOCHS || am_engram_create(&g, am_melcode_units(&code), &o)) {
            am_run_error(&run, "out of range: --hidden 1 .. 1048576, --winners >= 1, --epochs 1 .. %d, --decay [0, 1), "
                               "learning rates > 0 (--lr-hidden >= 0)", MAX_EPOCHS);
            return 2;
        }
        am_engram_free(g);
    }
    am_melodies *ms = corpus_load(&run, tunes, &dropped);
    size_t stored[1];
    if (!ms || parse_stored(&run, stored_s, ms->count, 1, stored) != 1 || encode_all(&run, &code, ms, &e)) {
        am_melodies_free(ms);
        return 2;
    }
    c.e = &e, c.ms = ms, c.code = &code, c.tunes = stored[0], c.epochs = (size_t)epochs, c.winners = (size_t)winners;
    c.motif = motif, c.motif_bg = motif_bg;
    size_t count = (size_t)c.nl * (size_t)c.nh, failed;
    eng_res *res = calloc(count, sizeof *res);
    am_run_file cf = {0};
    FILE *out = res ? am_run_open(&run) : NULL, *curve = NULL;
    rc = 1;
    if (!res)
        am_run_error(&run, "%s", am_strerror(AM_ENOMEM));
    if (out && curve_path && am_run_is_root(&run) && !(curve = am_run_file_open(&run, curve_path, 1, &cf))) {
        am_run_abort(&run, out);
        out = NULL;
    }
    if (out) {
        am_jobs jobs = {count, sizeof *res, eng_job, &c, 0, eng_cost};
        double t0 = am_seconds();
        int err = am_run_jobs(&run, &jobs, res, &failed);
        if (err) {
            am_run_error(&run, "job %zu failed: %s", failed, am_strerror(err));
            am_run_abort(&run, out);
            if (curve)
                am_run_file_abort(&cf);
        } else {
            char clabel[64];
            fprintf(out, "# %zu of %zu tunes learned, %s, %s steps; context %s\n", c.tunes, ms->count,
                    code_label(&code, clabel, sizeof clabel), co.step, no_context ? "none" : "the previous hidden code");
            if (am_run_is_root(&run)) {
                eng_write(out, curve, &c, res);
                am_run_time(out, "%.3f s for %zu jobs", am_seconds() - t0, count);
            }
            rc = curve && am_run_file_close(&run, &cf, curve_path) ? 1 : 0;
            if (rc)
                am_run_abort(&run, out);
            else
                rc = am_run_close(&run, out) ? 1 : 0;
        }
    }
    free(res);
    encoded_free(&e);
    am_melodies_free(ms);
    return rc;
}

/* ---- familiarity ---- */

/* A melody with the pitches of its notes shuffled (rests and rhythm kept): a random tune matched in length,
 * rhythm and pitch distribution. */
static int shuffled_melody(const am_melody *m, am_rng *rng, am_melody *out)
{
    int rc = am_melody_copy(out, m);
    size_t count = 0;
    for (size_t i = 0; !rc && i < m->count; i++)
        count += m->notes[i].pitch != AM_REST;
    size_t *idx = rc ? NULL : malloc((count ? count : 1) * sizeof *idx);
    if (!rc && !idx)
        rc = AM_ENOMEM;
    for (size_t i = 0, k = 0; !rc && i < m->count; i++)
        if (m->notes[i].pitch != AM_REST)
            idx[k++] = i;
    for (size_t i = count; !rc && i > 1; i--) {
        size_t j = (size_t)am_rng_below(rng, i);
        int32_t tmp = out->notes[idx[i - 1]].pitch;
        out->notes[idx[i - 1]].pitch = out->notes[idx[j]].pitch;
        out->notes[idx[j]].pitch = tmp;
    }
    free(idx);
    if (rc)
        am_melody_clear(out);
    return rc;
}

enum { S_STORE = 0, S_ENGRAM = 1, NSCORERS = 2 };
static const char *const scorer_names[NSCORERS + 1] = {"store", "engram", NULL};

typedef struct fam_sets {
    am_patterns **pats; /* familiar (nf), then random (nf), then held out (nh) */
    size_t nf, nh;
} fam_sets;

/* Scores of every set member by one scorer, into score (2 nf + nh). */
static int fam_scores(int scorer, const fam_sets *fs, const am_store_config *sc, const am_engram_opts *eo,
                      size_t epochs, double *score)
{
    size_t all = 2 * fs->nf + fs->nh;
    int rc;
    if (scorer == S_STORE) {
        am_store_config c = *sc;
        am_store *s = NULL;
        c.n = fs->pats[0]->n;
        rc = am_store_create(&s, &c);
        for (size_t i = 0; !rc && i < fs->nf; i++)
            rc = am_sequence_add(s, fs->pats[i], 0);
        if (!rc)
            rc = am_familiarity_sequences(s, (const am_patterns *const *)fs->pats, all, score, 1);
        am_store_free(s);
        return rc;
    }
    am_engram *g = NULL;
    if ((rc = am_engram_create(&g, fs->pats[0]->n, eo)) ||
        (rc = am_engram_train(g, (const am_patterns *const *)fs->pats, fs->nf, epochs, NULL))) {
        am_engram_free(g);
        return rc;
    }
    for (size_t i = 0; !rc && i < all; i++) {
        rc = am_engram_familiarity(g, fs->pats[i], &score[i]);
        score[i] = -score[i]; /* a low prediction error is familiar */
    }
    am_engram_free(g);
    return rc;
}

/* The sets: the tunes of order[0..nf) stored, each also shuffled (the random tunes), order[nf..) held out. */
static int fam_build(const am_melcode *code, const am_melodies *ms, const size_t *order, size_t nf, uint64_t seed,
                     fam_sets *fs)
{
    size_t nh = ms->count - nf;
    fs->nf = nf, fs->nh = nh;
    fs->pats = calloc(2 * nf + nh, sizeof *fs->pats);
    int rc = fs->pats ? 0 : AM_ENOMEM;
    am_rng rng;
    am_rng_init(&rng, seed, 5);
    for (size_t i = 0; !rc && i < nf; i++) {
        am_melody r = {0};
        rc = am_melcode_encode(code, &ms->items[order[i]], order[i], &fs->pats[i]);
        if (!rc && !(rc = shuffled_melody(&ms->items[order[i]], &rng, &r)))
            rc = am_melcode_encode(code, &r, order[i], &fs->pats[nf + i]);
        am_melody_clear(&r);
    }
    for (size_t i = 0; !rc && i < nh; i++)
        rc = am_melcode_encode(code, &ms->items[order[nf + i]], order[nf + i], &fs->pats[2 * nf + i]);
    return rc;
}

static void fam_free(fam_sets *fs)
{
    for (size_t i = 0; fs->pats && i < 2 * fs->nf + fs->nh; i++)
        am_patterns_free(fs->pats[i]);
    free(fs->pats);
    fs->pats = NULL;
}


static int cmd_familiarity(int argc, char **argv)
{
    static const char desc[] =
        "A random half of the tunes (--stored) is learned by each scorer; every tune then gets a familiarity\n"
        "score -- store: how well one step of the sequence store of --model from each step predicts the next\n"
        "(am_familiarity_sequence); engram: minus the prediction error of the XOR melody engram trained on them\n"
        "(am_engram_familiarity). Familiar: the stored tunes; novel: the same tunes with their pitches shuffled\n"
        "(random melodies matched in rhythm and pitch distribution) and the tunes held out. Columns: scorer,\n"
        "novel, familiar (count), novel_count, auc (ROC area: the chance that a familiar tune scores above a\n"
        "novel one), accuracy and threshold (the best single threshold), dprime. --scores: every tune's score.\n";
    const char *tunes = "corpus", *stored_s = NULL, *scorers_s = "store,engram", *scores_path = NULL;
    code_opts co = CODE_OPTS_DEFAULT;
    am_engram_opts dflt; /* the library's defaults, shown by --help */
    am_engram_opts_default(&dflt);
    int hidden = (int)dflt.hidden, winners = (int)dflt.k, epochs = 30;
    co.kind = "range", co.repeat = 1;
    am_run run = {.program = "melody", .subcommand = "familiarity",
                  .summary = "Stored tunes against random melodies and tunes never stored.", .description = desc,
                  .seed = 1, .no_threads = 1,
                  .examples = "melody familiarity --out fam.tsv --scores fam-scores.tsv\n"
                              "melody familiarity --scorers store --model seq-dense --F exp --history 4"};
    static am_store_opts so;
    am_opt opts[64] = {
        TUNES_OPT(tunes),
        {"stored", AM_OPT_STRING, &stored_s, "T", "tunes stored (a random T; default: half; all: every tune but one)"},
        {"scorers", AM_OPT_STRING, &scorers_s, "LIST", "store, engram"},
        {"hidden", AM_OPT_INT, &hidden, "H", "the engram's hidden units", "engram"},
        {"winners", AM_OPT_INT, &winners, "K", "the engram's k-WTA winners", "engram"},
        {"epochs", AM_OPT_INT, &epochs, "E", "the engram's passes over the stored tunes", "engram"},
        {"scores", AM_OPT_OUTPUT, &scores_path, "FILE", "every tune's scores: tune, title, set, one column per scorer"},
        CODE_OPTS(co),
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_store_opts_parse(&run, &so, "seq-modern", AM_STORE_SEQUENCE, 0, 0, NULL,
                                 opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc >= 0)
        return rc;
    rc = 0; /* from here on: a status */
    int scorers[NSCORERS], ns;
    char also[96];
    am_melcode code;
    am_store_config sc;
    am_engram_opts eo;
    size_t dropped, stored[1];
    if ((ns = parse_names(&run, "scorers", scorers_s, scorer_names, scorers)) < 0)
        return 2;
    snprintf(also, sizeof also, "%s,%s%s%s", co.kind, scorer_names[scorers[0]], ns > 1 ? "," : "",
             ns > 1 ? scorer_names[scorers[1]] : "");
    char what[96];
    snprintf(what, sizeof what, "with --code %.20s and --scorers %.40s", co.kind, scorers_s);
    const am_store_type *type = am_store_opts_type(&run, &so, opts, also, what);
    if (!type || code_make(&run, &co, &code) ||
        am_store_opts_configs(&run, &so, type, am_melcode_units(&code), &sc, 1) != 1 ||
        am_store_opts_stepwise(&run, &sc, 1))
        return 2;
    if (code.context) {
        am_run_error(&run, "--context: a tune never stored has no context code of its own; familiarity compares "
                           "tunes by their notes alone");
        return 2;
    }
    am_engram_opts_default(&eo);
    eo.hidden = hidden > 0 ? (size_t)hidden : 0, eo.k = winners > 0 ? (size_t)winners : 0, eo.seed = run.seed;
    eo.threads = 1;
    am_engram *probe = NULL;
    if (epochs < 1 || epochs > MAX_EPOCHS || am_engram_create(&probe, am_melcode_units(&code), &eo)) {
        am_run_error(&run, "out of range: --hidden 1 .. 1048576, --winners 1 .. H, --epochs 1 .. %d", MAX_EPOCHS);
        return 2;
    }
    am_engram_free(probe);
    am_melodies *ms = corpus_load(&run, tunes, &dropped);
    if (!ms)
        return 2;
    stored[0] = ms->count / 2;
    if (ms->count < 3 || (stored_s && parse_stored(&run, stored_s, ms->count - 1, 1, stored) != 1)) {
        if (ms->count < 3)
            am_run_error(&run, "--tunes: %zu tunes; familiarity needs 3 or more (stored and held out)", ms->count);
        am_melodies_free(ms);
        return 2;
    }
    size_t *order = malloc(ms->count * sizeof *order);
    fam_sets fs = {0};
    double *score = NULL;
    FILE *out = NULL;
    am_run_file sf = {0};
    FILE *sfile = NULL;
    rc = 1;
    if (!order) {
        am_run_error(&run, "%s", am_strerror(AM_ENOMEM));
        goto done;
    }
    tune_order(order, ms->count, run.seed, 1);
    size_t nf = stored[0], all = 2 * nf + (ms->count - nf);
    int err = fam_build(&code, ms, order, nf, run.seed, &fs);
    if (!err && !(score = malloc((size_t)ns * all * sizeof *score)))
        err = AM_ENOMEM;
    for (int k = 0; !err && k < ns; k++)
        err = fam_scores(scorers[k], &fs, &sc, &eo, (size_t)epochs, score + (size_t)k * all);
    if (err) {
        am_run_error(&run, "%s", am_strerror(err));
        goto done;
    }
    if (!(out = am_run_open(&run)))
        goto done;
    if (scores_path && !(sfile = am_run_file_open(&run, scores_path, 1, &sf)))
        goto done;
    char label[64], clabel[64];
    fprintf(out, "# %zu tunes: %zu stored, %zu held out; code %s", ms->count, nf, ms->count - nf,
            code_label(&code, clabel, sizeof clabel));
    for (int k = 0; k < ns; k++)
        if (scorers[k] == S_STORE)
            fprintf(out, "; store: %s %s", am_store_type_name(sc.type), config_label(&sc, label, sizeof label));
        else
            fprintf(out, "; engram: %d hidden, %d winners, %d epochs", hidden, winners, epochs);
    fputc('\n', out);
    fprintf(out, "scorer\tnovel\tfamiliar\tnovel_count\tauc\taccuracy\tthreshold\tdprime\n");
    for (int k = 0; k < ns; k++)
        for (int set = 0; set < 2; set++) {
            const double *f = score + (size_t)k * all, *nv = f + nf + (set ? nf : 0);
            size_t nn = set ? ms->count - nf : nf;
            am_roc roc;
            if ((err = am_roc_compute(f, nf, nv, nn, &roc))) {
                am_run_error(&run, "ROC: %s", am_strerror(err));
                goto done;
            }
            fprintf(out, "%s\t%s\t%zu\t%zu\t%.4f\t%.4f\t%.5g\t%.3f\n", scorer_names[scorers[k]],
                    set ? "held-out" : "random", nf, nn, roc.auc, roc.accuracy, roc.threshold, roc.dprime);
        }
    if (sfile) {
        fprintf(sfile, "tune\ttitle\tset");
        for (int k = 0; k < ns; k++)
            fprintf(sfile, "\t%s", scorer_names[scorers[k]]);
        fputc('\n', sfile);
        for (size_t i = 0; i < all; i++) {
            size_t tune = order[i < nf ? i : i - nf]; /* a random tune is its stored tune shuffled */
            char title[200];
            fprintf(sfile, "%zu\t%s\t%s", tune, tsv_title(ms->items[tune].title, title, sizeof title),
                    i < nf ? "stored" : i < 2 * nf ? "random" : "held-out");
            for (int k = 0; k < ns; k++)
                fprintf(sfile, "\t%.6f", score[(size_t)k * all + i]);
            fputc('\n', sfile);
        }
    }
    rc = 0;
done:
    if (sfile && rc)
        am_run_file_abort(&sf);
    else if (sfile && am_run_file_close(&run, &sf, scores_path))
        rc = 1;
    if (out && rc)
        am_run_abort(&run, out);
    else if (out && am_run_close(&run, out))
        rc = 1;
    fam_free(&fs);
    free(order), free(score);
    am_melodies_free(ms);
    return rc;
}

int main(int argc, char **argv)
{
    static const am_subcommand cmds[] = {
        {"list", cmd_list},         {"learn", cmd_learn},   {"recall", cmd_recall},
        {"capacity", cmd_capacity}, {"engram", cmd_engram},
        {"familiarity", cmd_familiarity}, {NULL, NULL},
    };
    return am_run_subcommands(argc, argv, "melody", usage_text, cmds, NULL);
}
