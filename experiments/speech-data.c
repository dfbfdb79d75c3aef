/* bin/speech-data — the speech modality: a word list spoken by many synthetic voices, as fixed-size log
 * spectrograms in IDX files. espeak-ng voices (variants x speeds x pitches) are the training exemplars; flite
 * voices (x duration stretches x f0 shifts) and other espeak-ng voices at other speeds and pitches are held
 * out ("a new voice saying a known word"). Synthesisers run through posix_spawn, never a
 * shell; the word reaches them in a file. Everything is made in a staging directory inside the cache and
 * moved into place only when every utterance has succeeded. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "am/am.h"
#include "harness/harness.h"

extern char **environ;

#define MAX_WORDS 65535
#define MAX_LIST 64

static const char description[] =
    "Files written to the cache directory:\n"
    "  train-spectrograms.idx  float32 IDX, count x frames x bins: espeak-ng utterances, features in [0, 1]\n"
    "                          (dB relative to the utterance's loudest bin, floor -80 dB; see am/audio.h)\n"
    "  train-labels.idx        word index of each (uint8 IDX, int32 beyond 256 words)\n"
    "  test-spectrograms.idx   the same for the held-out voices: flite (--test-voices x --test-stretches x\n"
    "                          --test-f0-shifts), then espeak-ng (--test-espeak-voices x --test-speeds x\n"
    "                          --test-pitches), word by word\n"
    "  test-labels.idx\n"
    "  words.txt               word of each label, one per line\n"
    "  spectrogram.txt         the settings (rate, nfft, hop, mels, frames, floor_db), for bin/spectrogram\n"
    "  wav/                    the utterances as WAV at --rate (with --keep-wav only): train-I.wav and test-I.wav,\n"
    "                          I the index column of the output (at -24 dBFS active speech level)\n"
    "The TSV (--out) lists every utterance:\n"
    "  split index label word synth voice speed pitch stretch f0_shift samples seconds\n"
    "  (espeak-ng: speed in words per minute, pitch 0-99, stretch and f0_shift '-'; flite: speed and pitch '-',\n"
    "  stretch its duration_stretch, f0_shift its f0_shift factor; samples and seconds after trimming)\n"
    "Every utterance is checked: not silent, not clipped by the synthesiser (3 samples in a row at full\n"
    "scale), and no two utterances of a word alike (a synthesiser that ignores a setting is refused).\n"
    "The default words are the ten Fashion-MNIST class names, so label = Fashion-MNIST class.\n"
    "Words may hold letters, digits, spaces, hyphens and apostrophes.\n";

static const char *default_words[] = {"t-shirt", "trouser", "pullover", "dress", "coat",
                                      "sandal",  "shirt",   "sneaker",  "bag",   "ankle boot"};

typedef struct utt {
    int split;            /* 0 train, 1 test (held out) */
    int flite;            /* 1 flite, 0 espeak-ng */
    size_t word;
    const char *voice;
    int speed, pitch;     /* espeak-ng only */
    double stretch, f0;   /* flite only: duration_stretch and f0_shift (1: the voice's own) */
    size_t samples;       /* out */
    int clipped;          /* out: the synthesiser's output was clipped */
} utt;

typedef struct ctx {
    const am_run *run;
    const char *stage;
    char **words;
    size_t nwords;
    utt *u;
    size_t nu, ntrain; /* utterances; the training ones come first */
    const am_stft *stft;
    am_stft_work **works;
    unsigned rate;
    size_t frames, bins;
    float *feat;      /* nu x frames x bins */
    int keep_wav;
    char err[9000];   /* the first failure's reason */
} ctx;

/* The full path of an executable on PATH, or NULL. */
static char *which(const char *name)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *c = strchr(path, ':');
        size_t len = c ? (size_t)(c - path) : strlen(path);
        char *full = malloc(len + strlen(name) + 2);
        if (!full)
            return NULL;
        snprintf(full, len + strlen(name) + 2, "%.*s/%s", (int)len, path, name);
        if (len && access(full, X_OK) == 0)
            return full;
        free(full);
        path += len + (c ? 1 : 0);
    }
    return NULL;
}

static char *espeak_path, *flite_path;

/* Run argv (argv[0] a full path) with stdin, stdout and stderr on /dev/null; 0 when it exits with 0. */
static int spawn_wait(char *const argv[], char *why, size_t whylen)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), st = 0;
    posix_spawn_file_actions_destroy(&fa);
    if (e) {
        snprintf(why, whylen, "cannot start %s: %s", argv[0], strerror(e));
        return -1;
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            snprintf(why, whylen, "waiting for %s: %s", argv[0], strerror(errno));
            return -1;
        }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        snprintf(why, whylen, "%s failed (%s %d)", argv[0], WIFEXITED(st) ? "exit status" : "signal",
                 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        return -1;
    }
    return 0;
}


/* Run argv and capture up to size-1 bytes of its standard output into buf (NUL-terminated); 0 on success. */
static int spawn_capture(char *const argv[], char *buf, size_t size)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    pid_t pid;
    int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), st = 0;
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    size_t len = 0;
    if (!e) {
        ssize_t r;
        char sink[4096];
        while ((r = read(fd[0], len + 1 < size ? buf + len : sink, len + 1 < size ? size - 1 - len : sizeof sink)) != 0) {
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            if (len + 1 < size)
                len += (size_t)r;
        }
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
    close(fd[0]);
    buf[len] = 0;
    return e || !WIFEXITED(st) || WEXITSTATUS(st) != 0 ? -1 : 0;
}

/* Is `name` a whole whitespace-separated field in column col (1-based) of some line of text, or the part of
 * that field after its last '/'? */
static int listed(const char *text, int col, const char *name)
{
    size_t nl = strlen(name);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n'), *p = line;
        if (!end)
            end = line + strlen(line);
        for (int c = 1; p < end; c++) {
            while (p < end && (*p == ' ' || *p == '\t'))
                p++;
            const char *q = p;
            while (q < end && *q != ' ' && *q != '\t')
                q++;
            if (c == col && q > p) {
                const char *base = p;
                for (const char *r = p; r < q; r++)
                    if (*r == '/')
                        base = r + 1;
                if (((size_t)(q - p) == nl && !memcmp(p, name, nl)) || ((size_t)(q - base) == nl && !memcmp(base, name, nl)))
                    return 1;
                break;
            }
            p = q;
        }
        line = *end ? end + 1 : end;
    }
    return 0;
}

/* Check every voice against the synthesisers' own lists (both fall back silently to a default voice). */
static int check_voices(const am_run *run, const char *const *voices, int nv, const char *const *tvoices, int nt)
{
    static char langs[1 << 16], variants[1 << 16], fl[4096];
    char *a1[] = {espeak_path, "--voices", NULL}, *a2[] = {espeak_path, "--voices=variant", NULL};
    if (spawn_capture(a1, langs, sizeof langs) || spawn_capture(a2, variants, sizeof variants)) {
        am_run_error(run, "cannot list espeak-ng's voices (%s --voices failed)", espeak_path);
        return -1;
    }
    for (int k = 0; k < nv; k++) {
        char base[256];
        const char *plus = strchr(voices[k], '+');
        snprintf(base, sizeof base, "%.*s", plus ? (int)(plus - voices[k]) : 255, voices[k]);
        if (!listed(langs, 2, base) && !listed(langs, 5, base)) {
            am_run_error(run, "espeak-ng has no voice '%s' (see espeak-ng --voices)", base);
            return -1;
        }
        if (plus && !listed(variants, 5, plus + 1)) {
            am_run_error(run, "espeak-ng has no variant '%s' (see espeak-ng --voices=variant)", plus + 1);
            return -1;
        }
    }
    if (nt) {
        char *a3[] = {flite_path, "-lv", NULL};
        if (spawn_capture(a3, fl, sizeof fl)) {
            am_run_error(run, "cannot list flite's voices (%s -lv failed)", flite_path);
            return -1;
        }
        const char *list = strstr(fl, "available:");
        for (int k = 0; k < nt; k++) {
            int found = 0;
            size_t l = strlen(tvoices[k]);
            for (const char *p = list; p && (p = strstr(p, tvoices[k])); p += l)
                if ((p[-1] == ' ' || p[-1] == ':') && (p[l] == ' ' || p[l] == '\n' || p[l] == 0))
                    found = 1;
            if (!found) {
                am_run_error(run, "flite has no voice '%s' (see flite -lv)", tvoices[k]);
                return -1;
            }
        }
    }
    return 0;
}

/* "word 'w', flite voice v, stretch s, f0 shift f" or "word 'w', espeak-ng voice v, speed s, pitch p", in buf. */
static const char *describe(const ctx *c, size_t i, char *buf, size_t size)
{
    const utt *u = &c->u[i];
    if (u->flite)
        snprintf(buf, size, "%s utterance %zu (word '%s', flite voice %s, stretch %g, f0 shift %g)", u->split ? "held-out" : "training",
                 u->split ? i - c->ntrain : i, c->words[u->word], u->voice, u->stretch, u->f0);
    else
        snprintf(buf, size, "%s utterance %zu (word '%s', espeak-ng voice %s, speed %d, pitch %d)", u->split ? "held-out" : "training",
                 u->split ? i - c->ntrain : i, c->words[u->word], u->voice, u->speed, u->pitch);
    return buf;
}

/* Clipped by the synthesiser: three samples in a row at full scale (16-bit: |x| >= 32767/32768). */
static int clipped(const float *x, size_t n)
{
    size_t run = 0;
    for (size_t t = 0; t < n; t++) {
        run = fabsf(x[t]) >= 32767.0f / 32768.0f ? run + 1 : 0;
        if (run >= 3)
            return 1;
    }
    return 0;
}

/* No utterance clipped: 0, or -1 with the count, the first and every voice concerned in c->err. */
static int check_clipped(ctx *c)
{
    size_t n = 0, first = 0, len = 0;
    char voices[4000] = "";
    for (size_t i = 0; i < c->nu; i++) {
        if (!c->u[i].clipped)
            continue;
        first = n++ ? first : i;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = c->u[j].clipped && !strcmp(c->u[j].voice, c->u[i].voice) && c->u[j].flite == c->u[i].flite;
        if (!seen && len + strlen(c->u[i].voice) + 3 < sizeof voices)
            len += (size_t)snprintf(voices + len, sizeof voices - len, "%s%s", len ? ", " : "", c->u[i].voice);
    }
    if (!n)
        return 0;
    char d[400];
    snprintf(c->err, sizeof c->err, "the synthesiser clipped %zu of %zu utterances (3 samples in a row at full scale), the "
             "first %s; voices: %s; leave them out or change their speed or pitch", n, c->nu, describe(c, first, d, sizeof d), voices);
    return -1;
}

/* No two utterances of a word with the same spectrogram (a synthesiser that ignores a setting, e.g. flite's
 * rms voice and f0_shift, would make copies that count twice): 0, or -1 with the pair in c->err. */
static int check_distinct(ctx *c)
{
    size_t fd = c->frames * c->bins;
    for (size_t i = 0; i < c->nu; i++)
        for (size_t j = i + 1; j < c->nu; j++)
            if (c->u[i].word == c->u[j].word && !memcmp(c->feat + i * fd, c->feat + j * fd, fd * sizeof *c->feat)) {
                char a[400], b[400];
                snprintf(c->err, sizeof c->err, "%s and %s have the same spectrogram: the synthesiser ignores a "
                         "setting; leave that voice or setting out", describe(c, i, a, sizeof a), describe(c, j, b, sizeof b));
                return -1;
            }
    return 0;
}

static int one(size_t i, int thread, void *vc)
{
    ctx *c = vc;
    utt *u = &c->u[i];
    const char *word = c->words[u->word];
    char txt[4096], wav[4096], why[300] = "", sp[16], pi[16];
    snprintf(txt, sizeof txt, "%s/u%zu.txt", c->stage, i);
    snprintf(wav, sizeof wav, "%s/u%zu.wav", c->stage, i);
    FILE *f = fopen(txt, "w");
    if (!f || fprintf(f, "%s\n", word) < 0 || fclose(f) != 0) {
        snprintf(c->err, sizeof c->err, "cannot write %s: %s", txt, strerror(errno));
        return AM_EIO;
    }
    int rc;
    if (!u->flite) {
        snprintf(sp, sizeof sp, "%d", u->speed);
        snprintf(pi, sizeof pi, "%d", u->pitch);
        char *argv[] = {espeak_path, "-v", (char *)u->voice, "-s", sp, "-p", pi, "-f", txt, "-w", wav, NULL};
        rc = spawn_wait(argv, why, sizeof why);
    } else {
        /* the settings only when they differ from the voice's own (the default data set's bytes unchanged) */
        char st[48], f0[48];
        char *argv[16] = {flite_path, "-voice", (char *)u->voice}, **a = argv + 3;
        snprintf(st, sizeof st, "duration_stretch=%.17g", u->stretch);
        snprintf(f0, sizeof f0, "f0_shift=%.17g", u->f0);
        if (u->stretch != 1.0) {
            *a++ = "--setf";
            *a++ = st;
        }
        if (u->f0 != 1.0) {
            *a++ = "--setf";
            *a++ = f0;
        }
        a[0] = "-f";
        a[1] = txt;
        a[2] = "-o";
        a[3] = wav;
        rc = spawn_wait(argv, why, sizeof why);
    }
    unlink(txt);
    if (rc) {
        snprintf(c->err, sizeof c->err, "word '%s', voice %s: %s", word, u->voice, why);
        return AM_EIO;
    }
    am_audio a;
    if ((rc = am_wav_read(wav, &a))) {
        snprintf(c->err, sizeof c->err, "word '%s', voice %s: reading the synthesiser's WAV: %s", word, u->voice,
                 am_strerror(rc));
        unlink(wav);
        return rc;
    }
    unlink(wav);
    u->clipped = clipped(a.x, a.n); /* refused after the run, all of them named at once */
    float *y = NULL;
    size_t n = 0, s0, len;
    if ((rc = am_audio_resample(a.x, a.n, a.rate, c->rate, &y, &n))) {
        am_audio_clear(&a);
        snprintf(c->err, sizeof c->err, "resampling: %s", am_strerror(rc));
        return rc;
    }
    am_audio_clear(&a);
    am_audio_trim(y, n, 0.02f, c->rate / 100, &s0, &len);
    if (len == 0) {
        free(y);
        snprintf(c->err, sizeof c->err, "the synthesiser produced no sound for word '%s' (voice %s)", word,
                 u->voice);
        return AM_EEMPTY;
    }
    u->samples = len;
    rc = am_stft_features(c->stft, c->works[thread], y + s0, len, c->frames, c->feat + i * c->frames * c->bins);
    if (!rc && c->keep_wav) {
        char out[4096];
        /* numbered within its split, as the TSV's index column and bin/spectrogram number them */
        snprintf(out, sizeof out, "%s/wav/%s-%zu.wav", c->stage, u->split ? "test" : "train", u->split ? i - c->ntrain : i);
        /* After the features (which do not depend on the level): the kept WAV at libam's speech level. */
        if (!(rc = am_audio_normalize(y + s0, len, am_stft_config_of(c->stft)->hop, AM_AUDIO_SPEECH_DB, AM_AUDIO_PEAK_DB)))
            rc = am_wav_write(out, y + s0, len, c->rate);
        if (rc)
            snprintf(c->err, sizeof c->err, "writing %s: %s", out, am_strerror(rc));
    } else if (rc) {
        snprintf(c->err, sizeof c->err, "spectrogram: %s", am_strerror(rc));
    }
    free(y);
    return rc;
}

/* The utterances of word w by espeak-ng: voices x speeds x pitches, appended at u[*k]. */
static void espeak_grid(utt *u, size_t *k, int split, size_t w, const char *const *voices, int nv, const double *speeds,
                        int ns, const double *pitches, int np)
{
    for (int a = 0; a < nv; a++)
        for (int b = 0; b < ns; b++)
            for (int c = 0; c < np; c++)
                u[(*k)++] = (utt){.split = split, .word = w, .voice = voices[a], .speed = (int)speeds[b], .pitch = (int)pitches[c]};
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The word list (am_words_read), with each word at most once. */
static int read_words(const am_run *run, const char *path, char ***out, size_t *n)
{
    am_words_where at;
    int rc = am_words_read(path, MAX_WORDS, out, n, &at);
    if (rc == AM_EFORMAT)
        am_run_error(run, "--words %s line %zu: %s is not a word (letters, digits, spaces, hyphens and apostrophes only, at most %d)",
                     path, at.line, at.text, AM_WORD_MAX);
    else if (rc == AM_ERANGE)
        am_run_error(run, "--words %s: more than %d words", path, MAX_WORDS);
    else if (rc == AM_EEMPTY)
        am_run_error(run, "--words %s holds no words", path);
    else if (rc)
        am_run_error(run, "cannot read --words %s: %s", path, am_strerror(rc));
    if (rc)
        return -1;
    char **sorted = malloc(*n * sizeof *sorted);
    if (!sorted) {
        am_run_error(run, "out of memory");
        am_words_free(*out, *n);
        return -1;
    }
    memcpy(sorted, *out, *n * sizeof *sorted);
    qsort(sorted, *n, sizeof *sorted, cmp_str);
    for (size_t i = 1; i < *n; i++)
        if (!strcmp(sorted[i - 1], sorted[i])) {
            am_run_error(run, "--words %s: %s is listed twice", path, AM__QUOTE(sorted[i]));
            free(sorted);
            am_words_free(*out, *n);
            return -1;
        }
    free(sorted);
    return 0;
}

/* Empty and remove a directory this program made (mkdtemp: nothing else writes there): its files, then wav/. */
static void remove_dir_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char p[4600];
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (unlink(p) != 0 && errno == EISDIR)
            continue;
    }
    closedir(d);
}

static void remove_stage(const char *stage)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/wav", stage);
    remove_dir_files(p);
    rmdir(p);
    remove_dir_files(stage);
    rmdir(stage);
}

/* A staging directory holds its ".lock" file locked (flock) while its run lives. Stages that a killed run
 * left in the cache (lock free, or none, and a few seconds old) are removed when the next run starts. */
static int lock_stage(const char *stage)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/.lock", stage);
    int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void sweep_stale_stages(const char *cache)
{
    DIR *d = opendir(cache);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char p[4200], lk[4300];
        struct stat st;
        if (strncmp(e->d_name, ".speech-data-", 13) || strlen(e->d_name) != 19)
            continue;
        snprintf(p, sizeof p, "%s/%s", cache, e->d_name);
        if (lstat(p, &st) != 0 || !S_ISDIR(st.st_mode) || time(NULL) - st.st_mtime < 3)
            continue;
        snprintf(lk, sizeof lk, "%s/.lock", p);
        int fd = open(lk, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 ? errno == ENOENT : flock(fd, LOCK_EX | LOCK_NB) == 0)
            remove_stage(p);
        if (fd >= 0)
            close(fd);
    }
    if (d)
        closedir(d);
}

int main(int argc, char **argv)
{
    const char *cache = NULL, *words_path = NULL, *planning = "estimate",
               *voices_s = "en-us+m1,en-us+m3,en-us+f2,en-us+f4,en+m2,en+m5,en+f1,en+f3,en-gb-scotland+m4,"
                           "en-gb-x-rp+m6,en-029+m7,en-us-nyc+f5",
               *speeds_s = "130,160,190", *pitches_s = "35,50,65", *test_s = "kal16,awb,rms,slt", *stretch_s = "1",
               *shift_s = "1", *tesp_s = "", *tspeeds_s = "150", *tpitches_s = "50";
    int rate = 16000, nfft = 512, hop = 256, mels = 40, frames = 64, keep_wav = 0;
    am_run run = {.examples = "speech-data --cache speech --out speech.tsv\nspeech-data --cache speech-big --words words.txt --speeds 140,175,210 --keep-wav --out speech.tsv\n"
                              "speech-data --cache speech-wide --test-voices kal16,awb,slt --test-stretches 0.8,1,1.25 --test-f0-shifts 0.85,1,1.2 "
                              "--test-espeak-voices en-us+klatt,en-gb-x-gbclan+m8 --test-speeds 145,205 --test-pitches 42,72 --out speech.tsv",
                  .program = "speech-data",
                  .summary = "Speak a word list with many synthetic voices into log-spectrogram IDX files.",
                  .description = description};
    am_opt opts[] = {
        {"cache", AM_OPT_STRING, &cache, "dir", "directory for the data set (made if missing; required)"},
        {"words", AM_OPT_STRING, &words_path, "file", "word list, one per line (default: the Fashion-MNIST classes)"},
        {"voices", AM_OPT_STRING, &voices_s, "v1,v2,...", "espeak-ng voices (training)"},
        {"speeds", AM_OPT_STRING, &speeds_s, "s1,s2,...", "espeak-ng speeds, words per minute (80-450)"},
        {"pitches", AM_OPT_STRING, &pitches_s, "p1,p2,...", "espeak-ng pitches (0-99)"},
        {"test-voices", AM_OPT_STRING, &test_s, "v1,v2,...", "flite voices (held out; '' for none)"},
        {"test-stretches", AM_OPT_STRING, &stretch_s, "s1,s2,...", "flite duration stretches of each held-out voice (0.5-2; 1: its own)", "--test-voices"},
        {"test-f0-shifts", AM_OPT_STRING, &shift_s, "f1,f2,...", "flite f0 shifts of each held-out voice (0.5-2; 1: its own)", "--test-voices"},
        {"test-espeak-voices", AM_OPT_STRING, &tesp_s, "v1,v2,...", "espeak-ng voices held out (none of --voices; default none)"},
        {"test-speeds", AM_OPT_STRING, &tspeeds_s, "s1,s2,...", "speeds of the held-out espeak-ng voices (80-450)", "--test-espeak-voices"},
        {"test-pitches", AM_OPT_STRING, &tpitches_s, "p1,p2,...", "pitches of the held-out espeak-ng voices (0-99)", "--test-espeak-voices"},
        {"rate", AM_OPT_INT, &rate, "hz", "sample rate of the spectrograms (8000-48000)"},
        {"nfft", AM_OPT_INT, &nfft, "n", "frame length (64-8192)"},
        {"hop", AM_OPT_INT, &hop, "n", "frame step (1 .. nfft)"},
        {"mels", AM_OPT_INT, &mels, "n", "mel bands (0: linear bins)"},
        {"frames", AM_OPT_INT, &frames, "n", "frames per utterance (cut or padded; 1-1024)"},
        {"planning", AM_OPT_STRING, &planning, "how", "FFTW planning: estimate, measure or patient"},
        {"keep-wav", AM_OPT_FLAG, &keep_wav, NULL, "also keep every utterance as WAV in <cache>/wav"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int rc = am_run_parse(&run, opts, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    am_fft_planning how;
    if (!cache) {
        am_run_error(&run, "--cache DIR is required (where the data set is written)");
        return 2;
    }
    if (am_fft_planning_parse(planning, &how)) {
        am_run_error(&run, "--planning must be estimate, measure or patient");
        return 2;
    }
    if (rate < 8000 || rate > 48000 || nfft < 64 || nfft > 8192 || hop < 1 || hop > nfft || mels < 0 ||
        mels > nfft / 2 + 1 || frames < 1 || frames > 1024) {
        am_run_error(&run, "--rate 8000-48000, --nfft 64-8192, --hop 1..nfft, --mels 0..nfft/2+1, --frames 1-1024");
        return 2;
    }
    char vbuf[4096], tbuf[4096], ebuf[4096];
    const char *voices[MAX_LIST], *tvoices[MAX_LIST], *evoices[MAX_LIST];
    double speeds[MAX_LIST], pitches[MAX_LIST], stretches[MAX_LIST], shifts[MAX_LIST], tspeeds[MAX_LIST], tpitches[MAX_LIST];
    int nv = am_parse_words(voices_s, vbuf, sizeof vbuf, voices, MAX_LIST);
    int ns = am_parse_double_list(speeds_s, 80, 450, speeds, MAX_LIST);
    int np = am_parse_double_list(pitches_s, 0, 99, pitches, MAX_LIST);
    int nt = *test_s ? am_parse_words(test_s, tbuf, sizeof tbuf, tvoices, MAX_LIST) : 0;
    int nst = am_parse_double_list(stretch_s, 0.5, 2, stretches, MAX_LIST);
    int nsh = am_parse_double_list(shift_s, 0.5, 2, shifts, MAX_LIST);
    int ne = *tesp_s ? am_parse_words(tesp_s, ebuf, sizeof ebuf, evoices, MAX_LIST) : 0;
    int nts = am_parse_double_list(tspeeds_s, 80, 450, tspeeds, MAX_LIST);
    int ntp = am_parse_double_list(tpitches_s, 0, 99, tpitches, MAX_LIST);
    if (nv < 1 || ns < 1 || np < 1 || nt < 0 || nst < 1 || nsh < 1 || ne < 0 || nts < 1 || ntp < 1) {
        am_run_error(&run, "--voices, --speeds and --test-speeds (80-450), --pitches and --test-pitches (0-99), "
                           "--test-stretches and --test-f0-shifts (0.5-2), --test-voices and --test-espeak-voices want "
                           "comma-separated lists of at most %d items", MAX_LIST);
        return 2;
    }
    if (am_run_check_scope(&run, opts, nt && ne ? "--test-voices,--test-espeak-voices" : nt ? "--test-voices" : ne ? "--test-espeak-voices" : "",
                           !nt && !ne ? "a run without held-out voices" : !nt ? "a run without flite voices (--test-voices '')"
                                                                                : "a run without --test-espeak-voices"))
        return 2;
    for (int a = 0; a < ne; a++)
        for (int b = 0; b < nv; b++)
            if (!strcmp(evoices[a], voices[b])) {
                am_run_error(&run, "--test-espeak-voices: %s is a training voice (--voices); a held-out voice must not be", evoices[a]);
                return 2;
            }
    for (int k = 0; k < nv + nt + ne; k++) {
        const char *v = k < nv ? voices[k] : k < nv + nt ? tvoices[k - nv] : evoices[k - nv - nt];
        for (const char *p = v; *p; p++)
            if (!(p[0] == '+' || p[0] == '-' || p[0] == '_' || (p[0] >= '0' && p[0] <= '9') ||
                  (p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')) || *v == '-') {
                am_run_error(&run, "voice %s: letters, digits, '+', '-' and '_' only", AM__QUOTE(v));
                return 2;
            }
    }
    if (!(espeak_path = which("espeak-ng"))) {
        am_run_error(&run, "espeak-ng not found on PATH (Debian package espeak-ng; tools/install-deps)");
        return 2;
    }
    if (nt && !(flite_path = which("flite"))) {
        am_run_error(&run, "flite not found on PATH (Debian package flite; tools/install-deps), or --test-voices ''");
        return 2;
    }
    if (check_voices(&run, voices, nv, tvoices, nt) || check_voices(&run, evoices, ne, NULL, 0))
        return 2;
    char **words = NULL;
    size_t nwords = 0;
    if (words_path) {
        if (read_words(&run, words_path, &words, &nwords))
            return 2;
    } else {
        nwords = 10;
        words = malloc(nwords * sizeof *words);
        for (size_t k = 0; k < nwords; k++)
            words[k] = strdup(default_words[k]);
    }
    /* The cache and a private staging directory in it. */
    char stage[4096];
    snprintf(stage, sizeof stage, "%s/.speech-data-XXXXXX", cache);
    if ((mkdir(cache, 0777) != 0 && errno != EEXIST) || strlen(cache) > 4000 || !mkdtemp(stage)) {
        am_run_error(&run, "cannot %s --cache %s: %s", errno == EEXIST || errno == EACCES || errno == EROFS ?
                     "write to" : "make", cache, strerror(errno));
        am_words_free(words, nwords);
        free(espeak_path);
        free(flite_path);
        return 1;
    }
    int stage_lock = lock_stage(stage);
    if (am_run_stage(&run, stage)) {
        remove_stage(stage);
        am_words_free(words, nwords);
        free(espeak_path);
        free(flite_path);
        return 1;
    }
    sweep_stale_stages(cache);
    if (keep_wav) {
        char wd[4200];
        snprintf(wd, sizeof wd, "%s/wav", stage);
        mkdir(wd, 0777);
    }
    size_t ntrain = nwords * (size_t)nv * (size_t)ns * (size_t)np,
           ntest = nwords * ((size_t)nt * (size_t)nst * (size_t)nsh + (size_t)ne * (size_t)nts * (size_t)ntp), nu = ntrain + ntest;
    utt *u = calloc(nu, sizeof *u);
    size_t k = 0;
    for (size_t w = 0; w < nwords && u; w++)
        espeak_grid(u, &k, 0, w, voices, nv, speeds, ns, pitches, np);
    for (size_t w = 0; w < nwords && u; w++) {
        for (int a = 0; a < nt; a++)
            for (int b = 0; b < nst; b++)
                for (int c2 = 0; c2 < nsh; c2++)
                    u[k++] = (utt){.split = 1, .flite = 1, .word = w, .voice = tvoices[a], .stretch = stretches[b], .f0 = shifts[c2]};
        espeak_grid(u, &k, 1, w, evoices, ne, tspeeds, nts, tpitches, ntp);
    }
    am_stft_config sc;
    am_stft_config_default(&sc);
    sc.rate = (unsigned)rate;
    sc.nfft = (size_t)nfft;
    sc.hop = (size_t)hop;
    sc.mels = (size_t)mels;
    am_stft *stft = NULL;
    ctx c = {.run = &run, .stage = stage, .words = words, .nwords = nwords, .u = u, .nu = nu, .ntrain = ntrain, .rate = (unsigned)rate,
             .frames = (size_t)frames, .keep_wav = keep_wav};
    int status = 1;
    FILE *out = NULL;
    if ((rc = am_stft_create(&stft, &sc, how))) {
        am_run_error(&run, "spectrogram settings: %s", am_strerror(rc));
        goto cleanup;
    }
    c.stft = stft;
    c.bins = am_stft_bins(stft);
    c.works = calloc((size_t)run.threads, sizeof *c.works);
    c.feat = malloc(nu * c.frames * c.bins * sizeof *c.feat);
    if (!c.works || !c.feat || !u) {
        am_run_error(&run, "out of memory for %zu utterances", nu);
        goto cleanup;
    }
    for (int t = 0; t < run.threads; t++)
        if ((rc = am_stft_work_create(&c.works[t], stft))) {
            am_run_error(&run, "%s", am_strerror(rc));
            goto cleanup;
        }
    double t0 = am_seconds();
    if ((rc = am_run_parallel(&run, nu, one, &c))) {
        am_run_error(&run, "%s", c.err[0] ? c.err : am_strerror(rc));
        goto cleanup;
    }
    double secs = am_seconds() - t0;
    if (check_clipped(&c) || check_distinct(&c)) {
        am_run_error(&run, "%s", c.err);
        goto cleanup;
    }
    /* Outputs into the stage, then moved into the cache. */
    const char *names[] = {"train-spectrograms.idx", "train-labels.idx", "test-spectrograms.idx", "test-labels.idx",
                           "words.txt", "spectrogram.txt"};
    char paths[6][4200];
    for (int j = 0; j < 6; j++)
        snprintf(paths[j], sizeof paths[j], "%s/%s", stage, names[j]);
    int ltype = nwords > 256 ? AM_IDX_I32 : AM_IDX_U8;
    for (int split = 0; split < 2; split++) {
        size_t cnt = split ? ntest : ntrain, off = split ? ntrain : 0;
        size_t dims[3] = {cnt, c.frames, c.bins};
        void *lab = malloc((cnt ? cnt : 1) * 4);
        for (size_t i = 0; i < cnt; i++) {
            if (ltype == AM_IDX_U8)
                ((uint8_t *)lab)[i] = (uint8_t)u[off + i].word;
            else
                ((int32_t *)lab)[i] = (int32_t)u[off + i].word;
        }
        if ((rc = am_idx_write(paths[2 * split], AM_IDX_F32, 3, dims, c.feat + off * c.frames * c.bins)) ||
            (rc = am_idx_write(paths[2 * split + 1], ltype, 1, dims, lab))) {
            free(lab);
            am_run_error(&run, "writing %s: %s", paths[2 * split], am_strerror(rc));
            goto cleanup;
        }
        free(lab);
    }
    FILE *wf = fopen(paths[4], "w");
    for (size_t w = 0; wf && w < nwords; w++)
        fprintf(wf, "%s\n", words[w]);
    if (!wf || fclose(wf) != 0) {
        am_run_error(&run, "writing %s: %s", paths[4], strerror(errno));
        goto cleanup;
    }
    FILE *cf = fopen(paths[5], "w");
    if (cf)
        fprintf(cf, "# the spectrogram settings of this data set (read by bin/spectrogram)\nrate %d\nnfft %d\nhop %d\n"
                    "mels %d\nframes %d\nfloor_db %.17g\n", rate, nfft, hop, mels, frames, sc.floor_db);
    if (!cf || fclose(cf) != 0) {
        am_run_error(&run, "writing %s: %s", paths[5], strerror(errno));
        goto cleanup;
    }
    if (!(out = am_run_open(&run)))
        goto cleanup;
    fprintf(out, "# utterances: %zu train (espeak-ng), %zu test (held out: %zu flite, %zu espeak-ng)\n", ntrain, ntest,
            nwords * (size_t)nt * (size_t)nst * (size_t)nsh, nwords * (size_t)ne * (size_t)nts * (size_t)ntp);
    am_run_time(out, "%.1f utterances per second on %d threads", secs > 0 ? (double)nu / secs : 0.0, run.threads);
    fprintf(out, "# spectrogram: rate %d Hz, nfft %d, hop %d, %s %zu, frames %d, floor %.0f dB; %s\n", rate, nfft, hop,
            mels ? "mels" : "linear bins", c.bins, frames, sc.floor_db, am_fft_version());
    fprintf(out, "split\tindex\tlabel\tword\tsynth\tvoice\tspeed\tpitch\tstretch\tf0_shift\tsamples\tseconds\n");
    for (size_t i = 0; i < nu; i++) {
        fprintf(out, "%s\t%zu\t%zu\t%s\t%s\t%s\t", u[i].split ? "test" : "train", u[i].split ? i - ntrain : i, u[i].word,
                words[u[i].word], u[i].flite ? "flite" : "espeak-ng", u[i].voice);
        if (u[i].flite)
            fprintf(out, "-\t-\t%g\t%g\t", u[i].stretch, u[i].f0);
        else
            fprintf(out, "%d\t%d\t-\t-\t", u[i].speed, u[i].pitch);
        fprintf(out, "%zu\t%.3f\n", u[i].samples, (double)u[i].samples / rate);
    }
    if (am_run_close(&run, out)) {
        out = NULL;
        goto cleanup;
    }
    out = NULL;
    for (int j = 0; j < 6; j++) {
        char dst[4200];
        snprintf(dst, sizeof dst, "%s/%s", cache, names[j]);
        if (rename(paths[j], dst) != 0) {
            am_run_error(&run, "moving %s into %s: %s", names[j], cache, strerror(errno));
            goto cleanup;
        }
    }
    if (keep_wav) {
        char src[4200], dst[4200];
        snprintf(src, sizeof src, "%s/wav", stage);
        snprintf(dst, sizeof dst, "%s/wav", cache);
        if (rename(src, dst) != 0) {
            am_run_error(&run, "moving wav/ into %s (remove the old one first): %s", cache, strerror(errno));
            goto cleanup;
        }
    }
    if (!run.quiet)
        fprintf(stderr, "speech-data: %zu utterances (%zu words) in %.1f s, %.1f per second; written to %s\n", nu,
                nwords, secs, (double)nu / secs, cache);
    status = 0;
cleanup:
    if (out)
        am_run_abort(&run, out);
    remove_stage(stage);
    am_run_stage_done(stage);
    if (stage_lock >= 0)
        close(stage_lock);
    for (int t = 0; c.works && t < run.threads; t++)
        am_stft_work_free(c.works[t]);
    free(c.works);
    free(c.feat);
    am_stft_free(stft);
    for (size_t w = 0; w < nwords; w++)
        free(words[w]);
    free(words);
    free(u);
    free(espeak_path);
    free(flite_path);
    return status;
}
