/* Clean-up memory over each store: exact nearest for the modern store, recall then nearest sign pattern for
 * the binary stores, capacity limits, determinism at any thread count, errors. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "tap.h"

int main(void)
{
    const size_t D = 256, M = 20, Q = 200;
    am_rng rng;
    am_rng_init(&rng, 9, 0);
    float *items = malloc(M * D * sizeof *items), *cues = malloc(Q * D * sizeof *cues);
    size_t *want = malloc(Q * sizeof *want), *got = malloc(Q * sizeof *got), *got2 = malloc(Q * sizeof *got2);
    am_hrr_random(&rng, M, D, items);
    /* Cues: an item plus noise of 0.8 its length (cosine ~0.78). */
    for (size_t k = 0; k < Q; k++) {
        want[k] = (size_t)am_rng_below(&rng, M);
        for (size_t i = 0; i < D; i++)
            cues[k * D + i] = items[want[k] * D + i] + (float)(0.8 * am_rng_normal(&rng) / sqrt((double)D));
    }
    const am_store_type *models[3] = {am_store_type_find("modern"), am_store_type_find("dense"),
                                      am_store_type_find("hopfield")};
    for (int mi = 0; mi < 3; mi++) {
        am_store_config c;
        am_store_config_default(&c, models[mi], D);
        am_cleanup *cl = NULL;
        ok(am_cleanup_create(&cl, &c, items, M) == AM_OK && am_cleanup_size(cl) == M &&
               am_store_type_of(am_cleanup_store(cl)) == models[mi],
           "%s: clean-up over %zu items", am_store_type_name(models[mi]), M);
        ok(am_cleanup_run(cl, cues, Q, 4, got) == AM_OK, "%s: %zu cues", am_store_type_name(models[mi]), Q);
        size_t right = 0;
        for (size_t k = 0; k < Q; k++)
            right += got[k] == want[k];
        /* 20 items at D = 256 are within every store's capacity (Hebb: ~0.14 D = 36). */
        ok(right >= Q * 95 / 100, "%s: %zu of %zu cues clean up to their item", am_store_type_name(models[mi]), right, Q);
        ok(am_cleanup_run(cl, items, M, 4, got) == AM_OK, "items themselves");
        size_t self = 0;
        for (size_t k = 0; k < M; k++)
            self += got[k] == k;
        is_int(self, M, "%s: every item cleans up to itself", am_store_type_name(models[mi]));
        int nt = omp_get_max_threads();
        omp_set_num_threads(1);
        am_cleanup_run(cl, cues, Q, 4, got);
        omp_set_num_threads(3);
        am_cleanup_run(cl, cues, Q, 4, got2);
        omp_set_num_threads(nt);
        ok(!memcmp(got, got2, Q * sizeof *got), "%s: same answers at 1 and 3 threads", am_store_type_name(models[mi]));
        cues[5] = NAN;
        is_int(am_cleanup_run(cl, cues, Q, 4, got), AM_EINVAL, "a NaN cue: AM_EINVAL");
        cues[5] = 0.0f;
        am_cleanup_free(cl);
    }
    /* Beyond capacity: 200 items at D = 256 overwhelm the Hebbian store, not the dense one (x^3). */
    const size_t M2 = 200;
    float *many = malloc(M2 * D * sizeof *many);
    am_hrr_random(&rng, M2, D, many);
    size_t acc[2] = {0, 0};
    for (int mi = 0; mi < 2; mi++) {
        am_store_config c;
        am_store_config_default(&c, am_store_type_find(mi ? "hopfield" : "dense"), D);
        am_cleanup *cl = NULL;
        am_cleanup_create(&cl, &c, many, M2);
        am_cleanup_run(cl, many, M2, 1, got = realloc(got, M2 * sizeof *got));
        for (size_t k = 0; k < M2; k++)
            acc[mi] += got[k] == k;
        am_cleanup_free(cl);
    }
    ok(acc[0] >= M2 * 95 / 100 && acc[1] < M2 / 2, "200 items, D = 256: dense recalls %zu, Hopfield %zu", acc[0], acc[1]);
    /* Errors. */
    am_cleanup *bad = (am_cleanup *)1;
    am_store_config c;
    am_store_config_default(&c, am_store_type_find("modern"), D);
    is_int(am_cleanup_create(&bad, &c, items, 0), AM_EINVAL, "no items: AM_EINVAL");
    ok(bad == NULL, "out NULL after failure");
    items[3] = INFINITY;
    is_int(am_cleanup_create(&bad, &c, items, M), AM_EINVAL, "an infinite item: AM_EINVAL");
    am_cleanup_free(NULL);
    free(items), free(cues), free(want), free(got), free(got2), free(many);
    return done_testing();
}
