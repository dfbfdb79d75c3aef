/* The shared store API: same verbs for every model, load by magic, configuration errors. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "am/am.h"
#include "tap.h"

int main(void)
{
    am_rng rng;
    am_rng_init(&rng, 9, 0);
    am_patterns *x = NULL;
    am_patterns_create(&x, 64, 6);
    am_patterns_random(x, &rng);
    char path[] = "/tmp/t-store-XXXXXX";
    int fd = mkstemp(path);
    close(fd);

    am_store_config cfgs[4];
    am_store_config_default(&cfgs[0], AM_MODEL_HOPFIELD, 64);
    am_store_config_default(&cfgs[1], AM_MODEL_HOPFIELD, 64);
    cfgs[1].rule = AM_RULE_PINV;
    am_store_config_default(&cfgs[2], AM_MODEL_DENSE, 64);
    am_store_config_default(&cfgs[3], AM_MODEL_DENSE, 64);
    cfgs[3].f = AM_F_EXP;
    for (int k = 0; k < 4; k++) {
        char desc[64];
        am_store *s = NULL, *t = NULL;
        am_store_work *w = NULL;
        am_store_config_describe(&cfgs[k], desc, sizeof desc);
        ok(am_store_create(&s, &cfgs[k]) == AM_OK && am_store_add(s, x) == AM_OK && am_store_count(s) == 6 &&
               am_store_n(s) == 64 && am_store_model(s) == cfgs[k].model,
           "%s: create and store", desc);
        int8_t q[64], tg[64];
        am_patterns_get(x, 3, tg);
        memcpy(q, tg, 64);
        am_state_flip_k(q, 64, 6, &rng);
        am_recall_info info;
        ok(am_store_work_create(&w, s) == AM_OK && am_store_recall(s, q, NULL, &rng, w, &info) == AM_OK &&
               !memcmp(q, tg, 64) && info.end == AM_END_FIXED,
           "%s: recall from 6 flipped bits", desc);
        /* Float weights: the two computations round differently, about 1e-7 relative. */
        is_near(am_store_energy(s, q), info.energy, 1e-6 * (1 + fabs(info.energy)), "%s: energy agrees with recall", desc);
        size_t u[6];
        ok(am_store_stability(s, u) == AM_OK && u[3] == 0, "%s: stability", desc);
        ok(am_store_save(s, path) == AM_OK && am_store_load(&t, path) == AM_OK && am_store_model(t) == cfgs[k].model &&
               am_store_energy(t, q) == am_store_energy(s, q),
           "%s: save, load by magic, same energy", desc);
        ok((am_store_hopfield(s) != NULL) == (cfgs[k].model == AM_MODEL_HOPFIELD) &&
               (am_store_dense(s) != NULL) == (cfgs[k].model == AM_MODEL_DENSE),
           "%s: the model object is reachable", desc);
        am_store_free(t);
        am_store_work_free(w);
        am_store_free(s);
    }
    /* A workspace belongs to one model. */
    am_store *h = NULL, *d = NULL;
    am_store_work *wh = NULL;
    am_store_create(&h, &cfgs[0]);
    am_store_create(&d, &cfgs[2]);
    am_store_add(h, x);
    am_store_add(d, x);
    am_store_work_create(&wh, h);
    int8_t q[64];
    am_patterns_get(x, 0, q);
    ok(am_store_recall(d, q, NULL, &rng, wh, NULL) == AM_EINVAL, "a hopfield workspace is refused by a dense store");
    am_store_work_free(wh);
    am_store_free(h);
    am_store_free(d);

    /* Bad configurations. */
    am_store *s = NULL;
    am_store_config c;
    am_store_config_default(&c, AM_MODEL_DENSE, 64);
    c.degree = 0;
    ok(am_store_create(&s, &c) == AM_EINVAL && !s, "dense degree 0 is AM_EINVAL");
    am_store_config_default(&c, AM_MODEL_HOPFIELD, 0);
    ok(am_store_create(&s, &c) == AM_EINVAL, "n = 0 is AM_EINVAL");
    c.n = 10;
    c.model = (am_model)9;
    ok(am_store_create(&s, &c) == AM_EINVAL, "unknown model is AM_EINVAL");
    FILE *f = fopen(path, "wb");
    fputs("NOTLIBAM-file", f);
    fclose(f);
    ok(am_store_load(&s, path) == AM_EFORMAT, "a foreign file is AM_EFORMAT");
    f = fopen(path, "wb");
    fputs("LIBA", f);
    fclose(f);
    ok(am_store_load(&s, path) == AM_ETRUNC, "a file cut inside the magic is AM_ETRUNC");
    ok(am_store_load(&s, "/nonexistent/x") == AM_EIO, "a missing file is AM_EIO");
    am_model m;
    ok(am_model_parse("dense", &m) == AM_OK && m == AM_MODEL_DENSE && am_model_parse("x", &m) == AM_EINVAL,
       "model names parse");
    am_store_free(NULL);
    am_store_work_free(NULL);
    remove(path);
    am_patterns_free(x);
    return done_testing();
}
