/* Concept cells: synchrony, locality, hierarchy and forgetting; every binding mechanism recalls a small
 * tri-modal fixture perfectly in every direction; activations; fallback to the parent; determinism at any
 * thread count; errors. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "memfile.h"
#include "tap.h"

#define NC 12 /* concepts in the fixture */
#define NE 3  /* exemplars per concept and modality */
static const size_t dims[3] = {16, 24, 8};

/* Concept c's centre in modality m: a random direction, norm 3; exemplars: centre + noise 0.15 per unit. */
static void fixture(float *centre[3], float *ex[3])
{
    am_rng rng;
    am_rng_init(&rng, 77, 0);
    for (int m = 0; m < 3; m++) {
        size_t d = dims[m];
        centre[m] = malloc(NC * d * sizeof(float));
        ex[m] = malloc(NC * NE * d * sizeof(float));
        for (size_t c = 0; c < NC; c++) { /* norm 3: dot-product similarity then ranks like distance */
            double n2 = 0;
            for (size_t j = 0; j < d; j++) {
                centre[m][c * d + j] = (float)am_rng_normal(&rng);
                n2 += (double)centre[m][c * d + j] * centre[m][c * d + j];
            }
            for (size_t j = 0; j < d; j++)
                centre[m][c * d + j] *= (float)(3.0 / sqrt(n2));
        }
        for (size_t c = 0; c < NC; c++)
            for (size_t e = 0; e < NE; e++)
                for (size_t j = 0; j < d; j++)
                    ex[m][(c * NE + e) * d + j] = centre[m][c * d + j] + (float)(0.15 * am_rng_normal(&rng) / sqrt((double)d));
    }
}

static am_concepts *learn(const am_concepts_config *cfg, float *ex[3])
{
    am_modality mods[3] = {{"image", 16, 1.0, "test"}, {"word", 24, 1.0, ""}, {"sound", 8, 1.0, ""}};
    am_concepts *cm = NULL;
    if (am_concepts_create(&cm, mods, 3, cfg))
        return NULL;
    for (size_t c = 0; c < NC; c++)
        for (size_t e = 0; e < NE; e++) {
            char label[16];
            snprintf(label, sizeof label, "c%zu", c);
            const float *lat[AM_CONCEPT_MAX_MODALITIES] = {ex[0] + (c * NE + e) * dims[0], ex[1] + (c * NE + e) * dims[1],
                                                          ex[2] + (c * NE + e) * dims[2]};
            if (am_concepts_observe(cm, lat, label, NULL, NULL))
                return NULL;
        }
    return cm;
}

/* Label names (am_labels_read): one per line, every line a name; the faults named by line, text quoted. */
static void label_names(void)
{
    static const char good[] = "t-shirt\r\ncaf\xc3\xa9\nankle boot";
    char **names = NULL, err[512];
    size_t n = 0;
    ok(am_labels_read(mem_file(0, good, sizeof good - 1), 10, &names, &n, err, sizeof err) == AM_OK && n == 3 &&
           !strcmp(names[0], "t-shirt") && !strcmp(names[1], "caf\xc3\xa9") && !strcmp(names[2], "ankle boot") && !err[0],
       "three names (CRLF, UTF-8, no final newline)");
    am_labels_free(names, n);
    char longer[300];
    memset(longer, 'x', sizeof longer);
    longer[sizeof longer - 1] = '\n';
    const struct {
        const char *text;
        size_t len;
        int rc;
        const char *has;
    } bad[] = {
        {"red\nb\001a\033[2J\377d\n", 0, AM_EFORMAT, "line 2: \"b\\x01a\\x1b[2J\\xffd\": a control character"},
        {"red\n\ngreen\n", 0, AM_EFORMAT, "line 2: empty (the name of label k is line k + 1)"},
        {"red\ngr\0een\n", 10, AM_EFORMAT, "line 2: \"gr\\x00een\": a control character"},
        {"a\tb\n", 0, AM_EFORMAT, "line 1: \"a\\x09b\": a control character"},
        {"", 0, AM_EEMPTY, "no names"},
        {"a\nb\nc\nd\n", 0, AM_ERANGE, "line 4: more than 3 names"},
        {"A\nB\nA\n", 0, AM_EFORMAT, "line 3: \"A\" is already the name on line 1"},
        {longer, sizeof longer, AM_EFORMAT, "line 1: \"xxxx"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        size_t len = bad[k].len ? bad[k].len : strlen(bad[k].text);
        int rc = am_labels_read(mem_file(0, bad[k].text, len), 3, &names, &n, err, sizeof err);
        ok(rc == bad[k].rc && names == NULL && n == 0 && strstr(err, bad[k].has), "label names %zu refused: %s", k, err);
    }
    ok(strstr(err, "longer than 255 bytes") != NULL, "a line too long says so");
    ok(am_status_errno(am_labels_read("/nonexistent/names", 3, &names, &n, err, sizeof err)) == ENOENT &&
           strstr(err, "No such file"), "a missing file keeps ENOENT: %s", err);
    am_labels_free(NULL, 0);
}

static double dist(const float *a, const float *b, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++)
        s += ((double)a[j] - b[j]) * ((double)a[j] - b[j]);
    return sqrt(s);
}

/* The kv one pass (a memory whose concepts have one exemplar each in the cue modality): the same ranking,
 * activations and read-outs as the activations of every concept give, the same bits at any thread count and
 * block of cues, am_kv_recall's bits on the same arrays, ties to the lower index across tiles of 512 concepts,
 * fallback to a parent, and errors. */
#define KN 1300 /* concepts: tiles of 512, 512 and 276 */
#define KQ 300
static am_concepts *kv_memory(int sim, float *x[2], const size_t d[2])
{
    am_modality mods[2] = {{"a", d[0], INFINITY, ""}, {"b", d[1], INFINITY, ""}};
    am_concepts_config cfg;
    am_concepts_config_default(&cfg);
    cfg.beta = 8.0;
    cfg.similarity = sim;
    am_concepts *cm = NULL;
    if (am_concepts_create(&cm, mods, 2, &cfg))
        return NULL;
    for (size_t c = 0; c < KN; c++) {
        const float *lat[AM_CONCEPT_MAX_MODALITIES] = {x[0] + c * d[0], x[1] + c * d[1]};
        char lb[16];
        snprintf(lb, sizeof lb, "k%zu", c);
        if (am_concepts_observe(cm, lat, lb, NULL, NULL))
            return NULL;
    }
    return cm;
}

/* The recall's top 3, scores and read-out against the activations of every concept (the general path). */
static int kv_matches_activation(am_concepts *cm, const float *const *cues, const size_t *top, const float *score,
                                 const float *out, const float *vals, size_t dv)
{
    float *act = malloc((size_t)KQ * KN * sizeof *act);
    int good = act && am_concepts_activation(cm, cues, KQ, act, 2) == AM_OK;
    for (size_t q = 0; q < KQ && good; q++) {
        const float *a = act + q * KN;
        size_t best[3] = {0, 0, 0};
        for (size_t j = 0; j < 3; j++) {
            double bv = -1;
            for (size_t c = 0; c < KN; c++)
                if ((j < 1 || c != best[0]) && (j < 2 || c != best[1]) && a[c] > bv)
                    bv = a[c], best[j] = c;
        }
        for (size_t j = 0; j < 3; j++)
            good &= top[q * 3 + j] == best[j] && fabsf(score[q * 3 + j] - a[best[j]]) <= 1e-5f * a[best[0]] + 1e-30f;
        for (size_t i = 0; i < dv; i++) {
            double v = 0;
            for (size_t c = 0; c < KN; c++)
                v += (double)a[c] * vals[c * dv + i];
            good &= fabs(out[q * dv + i] - v) <= 1e-5;
        }
    }
    free(act);
    return good;
}

static void kv_one_pass(void)
{
    const size_t d[2] = {16, 8};
    float *x[2], *cue = malloc(KQ * 16 * sizeof *cue);
    am_rng rng;
    am_rng_init(&rng, 5, 0);
    for (int m = 0; m < 2; m++) {
        x[m] = malloc(KN * d[m] * sizeof(float));
        for (size_t i = 0; i < KN * d[m]; i++)
            x[m][i] = (float)(am_rng_normal(&rng) / sqrt((double)d[m]));
    }
    memcpy(x[0] + 900 * 16, x[0] + 5 * 16, 16 * sizeof(float)); /* equal keys in different tiles */
    memcpy(x[0] + 7 * 16, x[0] + 3 * 16, 16 * sizeof(float));   /* and in the same tile */
    for (size_t q = 0; q < KQ; q++) {
        size_t c = q == 0 ? 5 : q == 1 ? 3 : (size_t)am_rng_below(&rng, KN);
        for (size_t i = 0; i < 16; i++)
            cue[q * 16 + i] = x[0][c * 16 + i] + (q < 2 ? 0.0f : (float)(0.3 * am_rng_normal(&rng) / 4.0));
    }
    const float *cues[AM_CONCEPT_MAX_MODALITIES] = {cue};
    for (int sim = 0; sim < 2; sim++) {
        am_concepts *cm = kv_memory(sim, x, d);
        size_t top[3][KQ * 3];
        float score[3][KQ * 3], out[3][KQ * 8];
        int rc = 0;
        for (int v = 0; v < 3; v++) { /* 1 thread, 2 threads, cues 37.. alone (other blocks) */
            size_t q0 = v == 2 ? 37 : 0;
            const float *cv[AM_CONCEPT_MAX_MODALITIES] = {cue + q0 * 16};
            am_concept_recall r = {.k = 3, .concept = top[v] + q0 * 3, .score = score[v] + q0 * 3};
            r.out[1] = out[v] + q0 * 8;
            if (v == 2)
                memcpy(top[2], top[0], sizeof top[0]), memcpy(score[2], score[0], sizeof score[0]),
                    memcpy(out[2], out[0], sizeof out[0]);
            rc |= am_concepts_recall(cm, cv, v == 2 ? 100 : KQ, &r, v == 1 ? 2 : 1);
        }
        const char *nm = sim ? "euclid" : "dot";
        ok(rc == 0 && kv_matches_activation(cm, cues, top[0], score[0], out[0], x[1], 8),
           "kv one pass (%s, %d concepts): the top 3, their activations and the read-out as from every activation", nm, KN);
        ok(!memcmp(top[0], top[1], sizeof top[0]) && !memcmp(score[0], score[1], sizeof score[0]) &&
               !memcmp(out[0], out[1], sizeof out[0]),
           "kv one pass (%s): the same bits on 1 and 2 threads", nm);
        ok(!memcmp(top[0], top[2], sizeof top[0]) && !memcmp(score[0], score[2], sizeof score[0]) &&
               !memcmp(out[0], out[2], sizeof out[0]),
           "kv one pass (%s): the same bits for cues recalled in other blocks", nm);
        ok(top[0][0] == 5 && top[0][1] == 900 && top[0][3] == 3 && top[0][4] == 7 && score[0][0] == score[0][1],
           "kv one pass (%s): equal keys rank by index, across tiles and within one", nm);
        if (!sim) {
            size_t kt[KQ * 3];
            float ks[KQ * 3], ko[KQ * 8];
            ok(am_kv_recall(x[0], x[1], KN, 16, 8, 8.0, cue, KQ, 3, kt, ks, ko, 2) == AM_OK &&
                   !memcmp(kt, top[0], sizeof kt) && !memcmp(ks, score[0], sizeof ks) && !memcmp(ko, out[0], sizeof ko),
               "am_kv_recall on the arrays: the same bits as the memory's recall");
        }
        am_concepts_free(cm);
    }
    /* fallback: a parent with its own exemplar answers a cue beyond the child's radius (still one pass) */
    {
        am_concepts *cm = kv_memory(AM_SIM_DOT, x, d);
        size_t t1 = 0;
        unsigned char lvl = 0;
        float o[8];
        am_concept_recall r = {.k = 1, .concept = &t1, .fallback = 1, .level = &lvl};
        r.out[1] = o;
        int rc = am_concepts_set_parent(cm, 11, 10);
        rc |= am_concepts_set_radius(cm, 0, 0.01);
        float c11[16];
        for (size_t i = 0; i < 16; i++)
            c11[i] = x[0][11 * 16 + i] + 0.05f;
        const float *cv[AM_CONCEPT_MAX_MODALITIES] = {c11};
        rc |= am_concepts_recall(cm, cv, 1, &r, 1);
        ok(rc == 0 && t1 == 11 && lvl == 1 && !memcmp(o, am_concepts_prototype(cm, 10, 1), sizeof o),
           "kv one pass with fallback: the parent answers with its prototype, one level up");
        am_concepts_free(cm);
    }
    size_t t[1];
    float big[16];
    for (size_t i = 0; i < 16; i++)
        big[i] = 1e20f;
    ok(am_kv_recall(x[0], x[1], KN, 16, 8, 1e30, big, 1, 1, t, NULL, NULL, 1) == AM_ENOTFINITE,
       "am_kv_recall: a score beyond single precision is AM_ENOTFINITE");
    ok(am_kv_recall(x[0], x[1], KN, 16, 8, 8.0, cue, 1, 0, t, NULL, NULL, 1) == AM_EINVAL &&
           am_kv_recall(x[0], x[1], KN, 16, 8, 8.0, cue, 1, KN + 1, t, NULL, NULL, 1) == AM_EINVAL &&
           am_kv_recall(NULL, x[1], KN, 16, 8, 8.0, cue, 1, 1, t, NULL, NULL, 1) == AM_EINVAL &&
           am_kv_recall(x[0], NULL, KN, 16, 8, 8.0, cue, 1, 1, t, NULL, big, 1) == AM_EINVAL &&
           am_kv_recall(x[0], x[1], KN, 16, 8, 0.0, cue, 1, 1, t, NULL, NULL, 1) == AM_EINVAL,
       "am_kv_recall: k of 0 or above n, no keys, no values for a read-out, beta 0: AM_EINVAL");
    big[3] = NAN;
    ok(am_kv_recall(x[0], x[1], KN, 16, 8, 8.0, big, 1, 1, t, NULL, NULL, 1) == AM_ENOTFINITE,
       "am_kv_recall: a NaN cue is AM_ENOTFINITE");
    free(x[0]), free(x[1]), free(cue);
}

int main(void)
{
    label_names();
    kv_one_pass();
    float *centre[3], *ex[3];
    fixture(centre, ex);

    /* ---- synchrony and locality ---- */
    {
        am_modality mods[2] = {{"a", 4, 0.5, ""}, {"b", 3, 0.5, ""}};
        am_concepts *cm = NULL;
        ok(am_concepts_create(&cm, mods, 2, NULL) == AM_OK, "create a two-modality memory");
        float a1[4] = {1, 0, 0, 0}, b1[3] = {0, 1, 0}, a2[4] = {0, 0, 1, 0}, b2[3] = {1, 0, 0};
        const float *p1[8] = {a1, b1}, *p2[8] = {a2, b2};
        size_t c1, c2, c3;
        int made;
        ok(am_concepts_observe(cm, p1, "cat", &c1, &made) == AM_OK && made && c1 == 0, "synchrony: a new node for 'cat'");
        ok(am_concepts_observe(cm, p2, "dog", &c2, &made) == AM_OK && made && c2 == 1, "a second node for 'dog'");
        ok(am_concepts_exemplars(cm, c1, 0) == 1 && am_concepts_exemplars(cm, c1, 1) == 1 &&
               memcmp(am_concepts_exemplar(cm, c1, 1, 0), b1, sizeof b1) == 0,
           "co-presented latents are bound to the same node");
        ok(am_concepts_exemplars(cm, c2, 0) == 1 && memcmp(am_concepts_exemplar(cm, c2, 0, 0), a2, sizeof a2) == 0 &&
               memcmp(am_concepts_exemplar(cm, c2, 1, 0), b2, sizeof b2) == 0,
           "and nothing else: the other pair is on its own node");
        ok(am_concepts_observe(cm, p1, "cat", &c3, &made) == AM_OK && !made && c3 == c1 &&
               am_concepts_observations(cm, c1) == 2 && am_concepts_exemplars(cm, c1, 0) == 2,
           "the same label joins its node");
        float near[4] = {1, 0.2f, 0, 0}, far[4] = {0, 0, 0, 1};
        ok(am_concepts_assign(cm, 0, near, &c3, &made) == AM_OK && !made && c3 == c1 && am_concepts_exemplars(cm, c1, 0) == 3,
           "locality: a near exemplar joins the nearest node");
        ok(am_concepts_assign(cm, 0, far, &c3, &made) == AM_OK && made && c3 == 2 && am_concepts_count(cm) == 3 &&
               am_concepts_label(cm, c3)[0] == 0,
           "a far exemplar opens a new unlabelled node");
        const float *proto = am_concepts_prototype(cm, c1, 0);
        ok(proto && fabsf(proto[0] - 1.0f) < 1e-6f && fabsf(proto[1] - 0.2f / 3) < 1e-6f, "prototype = mean of exemplars");
        float unl[4] = {0, 0, 0.9f, 0.1f};
        const float *p3[8] = {unl, NULL};
        ok(am_concepts_observe(cm, p3, NULL, &c3, &made) == AM_OK && !made && c3 == c2, "unlabelled observation joins by locality");
        ok(am_concepts_find_label(cm, "dog") == c2 && am_concepts_find_id(cm, am_concepts_id(cm, c2)) == c2 &&
               am_concepts_find_label(cm, "cow") == AM_CONCEPT_NONE,
           "find by label and by id");
        /* exemplar rule: distance to the nearest exemplar, not the prototype */
        am_concepts_config cfg;
        am_concepts_config_default(&cfg);
        cfg.locality = AM_LOCALITY_EXEMPLAR;
        am_concepts *ce = NULL;
        am_modality m1[1] = {{"x", 1, 0.6, ""}};
        ok(am_concepts_create(&ce, m1, 1, &cfg) == AM_OK, "memory with the exemplar rule");
        float v0 = 0, v1 = 2, v2 = 1.5f;
        size_t k0, k1, k2;
        am_concepts_assign(ce, 0, &v0, &k0, NULL);
        am_concepts_observe(ce, (const float *[8]){&v1}, "x0", &k1, NULL);
        am_concepts_observe(ce, (const float *[8]){&v0}, "x0", &k1, NULL); /* prototype of x0 is 1: 0.5 from 1.5 */
        ok(am_concepts_assign(ce, 0, &v2, &k2, &made) == AM_OK && !made && k2 == k1, "exemplar rule: 1.5 joins the node holding 2");
        am_concepts_free(ce);

        /* hierarchy and forgetting */
        size_t par;
        ok(am_concepts_observe(cm, (const float *[8]){NULL, b1}, "animal", &par, NULL) == AM_OK, "a parent node");
        ok(am_concepts_set_parent(cm, c1, par) == AM_OK && am_concepts_set_parent(cm, c2, par) == AM_OK &&
               am_concepts_parent(cm, c1) == par,
           "set parents");
        size_t kids[4];
        ok(am_concepts_children(cm, par, kids, 4) == 2 && kids[0] == c1 && kids[1] == c2, "children listed");
        const float *pp = am_concepts_prototype(cm, par, 0), *q1 = am_concepts_prototype(cm, c1, 0),
                    *q2 = am_concepts_prototype(cm, c2, 0);
        ok(pp && fabsf(pp[2] - 0.5f * (q1[2] + q2[2])) < 1e-6f, "a parent without points in a modality: mean of its children's prototypes");
        ok(am_concepts_set_parent(cm, par, c1) == AM_EINVAL, "a cycle is refused");
        uint64_t id2 = am_concepts_id(cm, c2);
        ok(am_concepts_forget(cm, c1) == AM_OK && am_concepts_count(cm) == 3 && am_concepts_find_label(cm, "cat") == AM_CONCEPT_NONE,
           "forget a node");
        size_t c2n = am_concepts_find_id(cm, id2), parn = am_concepts_find_label(cm, "animal");
        ok(am_concepts_children(cm, parn, kids, 4) == 1 && kids[0] == c2n, "the parent lost the child");
        pp = am_concepts_prototype(cm, parn, 0);
        ok(pp && memcmp(pp, am_concepts_prototype(cm, c2n, 0), 4 * sizeof(float)) == 0, "and its derived prototype follows");
        ok(am_concepts_forget(cm, parn) == AM_OK && am_concepts_parent(cm, am_concepts_find_id(cm, id2)) == AM_CONCEPT_NONE,
           "forgetting a parent moves its children up");
        /* errors */
        float nanv[4] = {NAN, 0, 0, 0};
        ok(am_concepts_assign(cm, 0, nanv, NULL, NULL) == AM_ENOTFINITE, "NaN latent refused");
        ok(am_concepts_observe(cm, (const float *[8]){NULL, NULL}, "x", NULL, NULL) == AM_EINVAL, "nothing presented refused");
        ok(am_concepts_observe(cm, p1, "bad\nlabel", NULL, NULL) == AM_EINVAL, "control characters in a label refused");
        ok(am_concepts_assign(cm, 5, a1, NULL, NULL) == AM_EINVAL, "unknown modality refused");
        ok(am_concepts_set_encoder(cm, 0, "mlp\t784-64") == AM_EINVAL && am_concepts_set_encoder(cm, 0, "pca\n") == AM_EINVAL,
           "an encoder description with a tab or line break refused (it goes into tables)");
        ok(am_concepts_set_encoder(cm, 0, "mlp 784-64") == AM_OK && !strcmp(am_concepts_modality(cm, 0)->encoder, "mlp 784-64"),
           "a plain one is kept");
        am_concepts_free(cm);
        am_modality bad4[1] = {{"a", 4, 0.5, "x\ty"}};
        ok(am_concepts_create(&cm, bad4, 1, NULL) == AM_EINVAL, "a modality whose encoder holds a tab refused");
        am_modality bad[2] = {{"a", 4, 0.5, ""}, {"a", 3, 0.5, ""}};
        ok(am_concepts_create(&cm, bad, 2, NULL) == AM_EINVAL, "duplicate modality names refused");
        am_modality bad2[1] = {{"a b", 4, 0.5, ""}};
        ok(am_concepts_create(&cm, bad2, 1, NULL) == AM_EINVAL, "bad modality name refused");
        am_modality bad3[1] = {{"a", 4, NAN, ""}};
        ok(am_concepts_create(&cm, bad3, 1, NULL) == AM_EINVAL, "NaN radius refused");
        am_concepts_free(NULL);
    }

    /* ---- every mechanism recalls the fixture in every direction ---- */
    const am_binding_type *types[3] = {am_binding_kv, am_binding_hebb, am_binding_hrr};
    am_similarity sims[2] = {AM_SIM_DOT, AM_SIM_EUCLID};
    for (int ti = 0; ti < 3; ti++)
        for (int si = 0; si < (ti == 0 ? 2 : 1); si++) {
            am_concepts_config cfg;
            am_concepts_config_default(&cfg);
            cfg.binding = types[ti];
            cfg.similarity = sims[si];
            cfg.hrr_dim = 512;
            am_concepts *cm = learn(&cfg, ex);
            const char *nm = am_binding_name(types[ti]);
            ok(cm && am_concepts_count(cm) == NC, "%s%s: %d concepts learned", nm, si ? " euclid" : "", NC);
            if (!cm)
                continue;
            /* held-out cues: the centre plus fresh noise */
            am_rng rng;
            am_rng_init(&rng, 5, 1);
            float *cue[3];
            for (int m = 0; m < 3; m++) {
                cue[m] = malloc(NC * dims[m] * sizeof(float));
                for (size_t k = 0; k < NC * dims[m]; k++)
                    cue[m][k] = centre[m][k] + (float)(0.15 * am_rng_normal(&rng) / sqrt((double)dims[m]));
            }
            int all = 1, outs = 1;
            for (int from = 0; from < 3; from++) {
                const float *cues[AM_CONCEPT_MAX_MODALITIES] = {0};
                cues[from] = cue[from];
                size_t top[NC * 2];
                float *out[3];
                am_concept_recall r = {.k = 2, .concept = top};
                for (int m = 0; m < 3; m++)
                    r.out[m] = out[m] = malloc(NC * dims[m] * sizeof(float));
                int rc = am_concepts_recall(cm, cues, NC, &r, 2);
                for (size_t q = 0; q < NC; q++) {
                    all &= rc == AM_OK && top[2 * q] == q && top[2 * q + 1] != q;
                    for (int m = 0; m < 3; m++) {
                        if (m == from)
                            continue;
                        /* the recalled latent is nearer the right concept's prototype than any other */
                        size_t best = 0;
                        double bd = INFINITY;
                        for (size_t c = 0; c < NC; c++) {
                            double t = dist(out[m] + q * dims[m], am_concepts_prototype(cm, c, m), dims[m]);
                            if (t < bd) {
                                bd = t;
                                best = c;
                            }
                        }
                        outs &= best == q;
                    }
                }
                for (int m = 0; m < 3; m++)
                    free(out[m]);
            }
            ok(all, "%s%s: the right concept from a cue in each modality (recall@1, 3 x %d cues)", nm, si ? " euclid" : "", NC);
            ok(outs, "%s%s: every other modality's latent read out correctly (6 directions)", nm, si ? " euclid" : "");
            /* two modalities at once */
            {
                const float *cues[AM_CONCEPT_MAX_MODALITIES] = {cue[0], NULL, cue[2]};
                size_t top[NC];
                am_concept_recall r = {.k = 1, .concept = top};
                int good = am_concepts_recall(cm, cues, NC, &r, 1) == AM_OK;
                for (size_t q = 0; q < NC; q++)
                    good &= top[q] == q;
                ok(good, "%s: a two-modality cue recalls its concept", nm);
            }
            /* activations: the right unit is the most active; determinism at 1 and 2 threads */
            {
                const float *cues[AM_CONCEPT_MAX_MODALITIES] = {NULL, cue[1], NULL};
                float *a1 = malloc(NC * NC * sizeof(float)), *a2 = malloc(NC * NC * sizeof(float));
                int good = am_concepts_activation(cm, cues, NC, a1, 1) == AM_OK &&
                           am_concepts_activation(cm, cues, NC, a2, 2) == AM_OK;
                for (size_t q = 0; q < NC && good; q++)
                    for (size_t c = 0; c < NC; c++)
                        good &= c == q || a1[q * NC + c] < a1[q * NC + q];
                ok(good, "%s: each cue drives its concept's unit most", nm);
                ok(memcmp(a1, a2, NC * NC * sizeof(float)) == 0, "%s: activations bit-identical at 1 and 2 threads", nm);
                free(a1);
                free(a2);
            }
            /* clone into another mechanism keeps the nodes */
            am_concepts *cl = NULL;
            am_concepts_config c2 = cfg;
            c2.binding = am_binding_kv;
            ok(am_concepts_clone(&cl, cm, &c2) == AM_OK && am_concepts_count(cl) == NC &&
                   am_concepts_exemplars(cl, 3, 1) == NE && strcmp(am_concepts_label(cl, 3), "c3") == 0,
               "%s: clone", nm);
            am_concepts_free(cl);
            ok(am_concepts_bytes(cm) > NC * NE * (16 + 24 + 8) * sizeof(float), "%s: bytes counted", nm);
            for (int m = 0; m < 3; m++)
                free(cue[m]);
            am_concepts_free(cm);
        }

    /* ---- generalisation: a cue that fits no child falls back to the parent ---- */
    {
        am_concepts *cm = learn(NULL, ex);
        size_t par;
        const float *lat[AM_CONCEPT_MAX_MODALITIES] = {NULL, centre[1] + 0 * dims[1], NULL};
        ok(am_concepts_observe(cm, lat, "group", &par, NULL) == AM_OK, "a parent concept");
        for (size_t c = 0; c < 4; c++)
            am_concepts_set_parent(cm, c, par);
        /* a cue halfway between concepts 0 and 1 (beyond radius 1.0 from both) and one near concept 2 */
        float cue[2 * 16];
        for (size_t j = 0; j < 16; j++) {
            cue[j] = 0.5f * (centre[0][j] + centre[0][16 + j]);
            cue[16 + j] = centre[0][2 * 16 + j];
        }
        const float *cues[AM_CONCEPT_MAX_MODALITIES] = {cue};
        size_t top[2];
        unsigned char lvl[2];
        float *word = malloc(2 * 24 * sizeof(float));
        am_concept_recall r = {.k = 1, .concept = top, .fallback = 1, .level = lvl};
        r.out[1] = word;
        double dd = dist(cue, am_concepts_prototype(cm, 0, 0), 16);
        ok(am_concepts_recall(cm, cues, 2, &r, 1) == AM_OK && lvl[0] == 1 && lvl[1] == 0 && top[1] == 2,
           "fallback: the in-between cue (%.2f from its best child) goes up one level, the near one does not", dd);
        ok(dist(word, am_concepts_prototype(cm, par, 1), 24) < 1e-5, "the parent's word is read out");
        r.fallback = 0;
        ok(am_concepts_recall(cm, cues, 2, &r, 1) == AM_OK && lvl[0] == 0 && top[0] <= 1, "without fallback the nearest child answers");
        free(word);
        /* errors */
        size_t t1[1];
        am_concept_recall bad = {.k = 0, .concept = t1};
        ok(am_concepts_recall(cm, cues, 1, &bad, 1) == AM_EINVAL, "k = 0 refused");
        bad.k = NC + 2;
        ok(am_concepts_recall(cm, cues, 1, &bad, 1) == AM_EINVAL, "k above the count refused");
        bad.k = 1;
        const float *none[AM_CONCEPT_MAX_MODALITIES] = {0};
        ok(am_concepts_recall(cm, none, 1, &bad, 1) == AM_EINVAL, "no cue modality refused");
        float nanc[16] = {NAN};
        const float *nc[AM_CONCEPT_MAX_MODALITIES] = {nanc};
        ok(am_concepts_recall(cm, nc, 1, &bad, 1) == AM_ENOTFINITE, "NaN cue refused");
        am_concepts_free(cm);
        am_modality mods[1] = {{"x", 2, 1, ""}};
        am_concepts_create(&cm, mods, 1, NULL);
        float x[2] = {1, 1};
        const float *xc[8] = {x};
        ok(am_concepts_recall(cm, xc, 1, &bad, 1) == AM_EEMPTY, "recall from an empty memory: AM_EEMPTY");
        am_concepts_free(cm);
    }
    ok(am_binding_find("kv") == am_binding_kv && am_binding_find("hebb") == am_binding_hebb &&
           am_binding_find("hrr") == am_binding_hrr && !am_binding_find("x") && am_binding_types[3] == NULL,
       "the table of mechanisms");
    for (int m = 0; m < 3; m++) {
        free(centre[m]);
        free(ex[m]);
    }
    return done_testing();
}
