/* am/capacity.h and the pattern families of am/patterns.h. */
#include <math.h>
#include <string.h>

#include "am/am.h"
#include "tap.h"

static int same_point(const am_capacity_point *a, const am_capacity_point *b)
{
    /* every field, NaN equal to NaN */
    const double *x = &a->alpha, *y = &b->alpha;
    for (size_t k = 0; k < (sizeof *a - offsetof(am_capacity_point, alpha)) / sizeof(double); k++)
        if (!(x[k] == y[k] || (isnan(x[k]) && isnan(y[k]))))
            return 0;
    return a->n == b->n && a->p == b->p && a->trials == b->trials && a->cues == b->cues;
}

int main(void)
{
    am_pattern_family f;
    char err[256];
    am_rng rng;

    /* families */
    ok(!am_pattern_family_parse(&f, "biased:0.25", err, sizeof err) && f.kind == AM_FAMILY_BIASED && f.arg == 0.25,
       "parse biased:0.25");
    ok(am_pattern_family_parse(&f, "biased:x", err, sizeof err) == AM_EINVAL && strstr(err, "[0, 1]"),
       "biased:x is refused: %s", err);
    ok(am_pattern_family_parse(&f, "zigzag", err, sizeof err) == AM_EINVAL && strstr(err, "\"zigzag\""),
       "unknown family named: %s", err);
    ok(!am_pattern_family_parse(&f, "letters", NULL, 0) && am_pattern_family_check(&f, 50, 3, err, sizeof err) == AM_EINVAL &&
       strstr(err, "not a square"), "letters on N = 50: %s", err);
    ok(am_pattern_family_check(&f, 100, 27, err, sizeof err) == AM_EINVAL && strstr(err, "at most 26"), "27 letters: %s", err);
    f.width = 4, f.height = 25;
    ok(am_pattern_family_check(&f, 100, 3, err, sizeof err) == AM_EINVAL && strstr(err, "5 x 7"), "a 4 x 25 grid: %s", err);
    {
        am_patterns *a = NULL, *b = NULL;
        am_pattern_family lf = {.kind = AM_FAMILY_LETTERS};
        am_patterns_create(&a, 100, 3);
        am_patterns_create(&b, 100, 3);
        am_pattern_family_fill(&lf, a, NULL);
        am_patterns_letters(b, 10, 10, "ABC");
        ok(!memcmp(a->bits, b->bits, 3 * a->words * 8), "letters family = A, B, C on the square grid");
        am_pattern_family cf = {.kind = AM_FAMILY_CORRELATED, .arg = 0.1};
        ok(am_pattern_family_fill(&cf, a, NULL) == AM_EINVAL, "a random family needs an rng");
        am_rng_init(&rng, 1, 0);
        ok(!am_pattern_family_fill(&cf, a, &rng), "correlated family fills");
        char buf[32];
        is_int(strcmp(am_pattern_family_describe(&cf, buf, sizeof buf), "correlated:0.1"), 0, "describe: %s", buf);
        am_patterns_free(a), am_patterns_free(b);
    }

    {
        am_patterns *l = NULL;
        int8_t st[100];
        size_t most = am_patterns_lshapes_max(10, 10);
        am_patterns_create(&l, 100, most);
        ok(most == 25 && !am_patterns_lshapes(l, 10, 10), "25 L shapes on 10 x 10");
        am_patterns_get(l, 24, st);
        size_t ink = 0;
        for (int i = 0; i < 100; i++)
            ink += st[i] > 0;
        ok(ink == 6 + 6 - 1 && st[4 * 10 + 4] > 0 && st[9 * 10 + 9] > 0 && st[4 * 10 + 5] < 0,
           "the last L: arms of 6 from (4, 4), one unit thick (%zu ink)", ink);
        ok(am_patterns_overlap(l, 0, l, 1) > 0.7, "neighbouring shifts overlap (%.2f)", am_patterns_overlap(l, 0, l, 1));
        am_patterns_free(l);
        am_patterns_create(&l, 100, 26);
        ok(am_patterns_lshapes(l, 10, 10) == AM_EINVAL && am_patterns_lshapes_max(2, 9) == 0, "beyond the shifts");
        am_patterns_free(l);
    }

    /* the measurement */
    am_capacity_opts o;
    am_capacity_opts_default(&o, am_store_type_find("hopfield"), 100);
    size_t ps[] = {5, 14, 30};
    am_capacity_point p1[3], p2[3], p3[3];
    ok(!am_capacity_measure(&o, ps, 3, 4, 1, p1) && !am_capacity_measure(&o, ps, 3, 4, 2, p2), "measure at 1, 2 threads");
    ok(same_point(&p1[0], &p2[0]) && same_point(&p1[1], &p2[1]) && same_point(&p1[2], &p2[2]),
       "the same points at any thread count");
    {
        am_capacity_work *w = NULL;
        am_capacity_work_create(&w);
        for (int k = 0; k < 3; k++) {
            am_capacity_trial sum = {0}, t;
            for (size_t tr = 0; tr < 4; tr++) {
                am_capacity_trial_run(&o, ps[k], tr, w, &t);
                am_capacity_trial_add(&sum, &t);
            }
            am_capacity_summarise(&sum, 100, ps[k], &p3[k]);
        }
        am_capacity_work_free(w);
        ok(same_point(&p1[0], &p3[0]) && same_point(&p1[1], &p3[1]) && same_point(&p1[2], &p3[2]),
           "measure = trials run one by one and summed");
    }
    ok(p1[0].recall_frac == 1.0 && p1[0].overlap_mean == 1.0 && p1[2].overlap_mean < p1[1].overlap_mean,
       "recall is perfect at alpha 0.05 and falls with load (%.3f, %.3f)", p1[1].overlap_mean, p1[2].overlap_mean);
    ok(p1[0].cues == 5 && p1[0].trials == 4 && p1[0].alpha == 0.05 && p1[0].all_fixed_frac == 1.0, "point fields");
    o.stability = 2;
    am_capacity_measure(&o, ps, 1, 2, 1, p3);
    ok(isnan(p3[0].all_fixed_frac) && p3[0].fixed_frac == 1.0, "all_fixed_frac is NaN when only some are checked");
    o.stability = 0;

    /* a work reused across models and sizes */
    {
        am_capacity_work *w = NULL;
        am_capacity_trial t1, t2;
        am_capacity_opts d, m;
        am_capacity_work_create(&w);
        am_capacity_opts_default(&d, am_store_type_find("dense"), 64);
        am_capacity_opts_default(&m, am_store_type_find("modern"), 80);
        am_store_config_set(&m.store, "beta", "16", NULL, 0);
        int rc = am_capacity_trial_run(&o, 30, 0, w, &t1) | am_capacity_trial_run(&d, 40, 0, w, &t1) |
                 am_capacity_trial_run(&m, 50, 1, w, &t1) | am_capacity_trial_run(&o, 10, 2, w, &t1);
        ok(!rc, "one work serves hopfield, dense, modern and hopfield again");
        am_capacity_trial_run(&m, 50, 1, NULL, &t2);
        am_capacity_trial_run(&m, 50, 1, w, &t1);
        ok(!memcmp(&t1, &t2, sizeof t1) && t1.recalled == 50, "modern trial with a reused work = with its own");
        am_capacity_work_free(w);
    }

    /* refusals name the reason */
    am_capacity_opts bad = o;
    bad.temperature = 0.5;
    ok(am_capacity_opts_check(&bad, 10, err, sizeof err) == AM_EINVAL && strstr(err, "Glauber"), "T without glauber: %s", err);
    bad = o, bad.noise = 1.5;
    ok(am_capacity_opts_check(&bad, 10, err, sizeof err) == AM_EINVAL && strstr(err, "noise"), "noise 1.5: %s", err);
    bad = o;
    am_store_config_set(&bad.store, "path", "patterns", NULL, 0);
    am_store_config_set(&bad.store, "rule", "storkey", NULL, 0);
    ok(am_capacity_opts_check(&bad, 10, err, sizeof err) == AM_EINVAL && strstr(err, "hebb"), "patterns path: %s", err);
    bad = o, bad.patterns.kind = AM_FAMILY_CHECKERBOARD;
    ok(am_capacity_opts_check(&bad, 21, err, sizeof err) == AM_EINVAL && strstr(err, "at most 20"), "21 checkerboards: %s", err);
    ok(am_capacity_measure(&bad, ps, 3, 1, 1, p1) == AM_EINVAL, "measure refuses what check refuses");
    ok(am_capacity_measure(&o, ps, 0, 1, 1, p1) == AM_EINVAL && am_capacity_measure(&o, ps, 3, 0, 1, p1) == AM_EINVAL,
       "no points or no trials");
    am_capacity_work_free(NULL);
    ok(1, "am_capacity_work_free(NULL) is a no-op");
    return done_testing();
}
