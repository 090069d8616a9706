/* test_history.c — the multi-resolution figure histories: every poll in tier
 * 0, 10 s and 60 s aggregates that equal the min/avg/max of the raw points,
 * gaps, the tier a range is read from, memory per member used. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "history.h"

/* A varied figure value for poll k (a sine plus a ramp, never repeating). */
static double val(int k, int f)
{
    return 100.0 + 50.0 * sin(k * 0.37 + f) + k * 0.01;
}

static void push_polls(member_history_t *mh, double t0, int n, double every)
{
    double v[HIST_COUNT];
    for (int k = 0; k < n; k++) {
        for (int f = 0; f < HIST_COUNT; f++)
            v[f] = val(k, f);
        history_push(mh, t0 + k * every, v);
    }
}

/* p[0..n) are exactly the min/avg/max of
 * the raw polls (every `every` s from t0) of their `per`-poll step. */
static void check_aggregates(const hist_point_t *p, int n, double t0, double every, int per,
                             int fig)
{
    for (int i = 0; i < n; i++) {
        double d = (p[i].t - t0) / every;
        int k0 = (int)d;
        assert_float_equal(d, k0, 1e-9);
        double mn = INFINITY, mx = -INFINITY, sum = 0;
        for (int k = k0; k < k0 + per; k++) {
            mn = fmin(mn, val(k, fig));
            mx = fmax(mx, val(k, fig));
            sum += val(k, fig);
        }
        assert_float_equal(p[i].min, (float)mn, 1e-9);
        assert_float_equal(p[i].avg, (float)(sum / per), 1e-4);
        assert_float_equal(p[i].max, (float)mx, 1e-9);
        if (i > 0)
            assert_true(p[i].t > p[i - 1].t);
    }
}

static void test_fine_copy(void **state)
{
    (void)state;
    static history_set_t h;
    member_history_t *mh = history_member(&h, "m1");
    assert_non_null(mh);
    assert_ptr_equal(history_member(&h, "m1"), mh);              /* found, not a new one */
    push_polls(mh, 1000.0, 20, 1.0);
    double out[STATS_HISTORY];
    assert_int_equal(history_copy(&h, "m1", HIST_READ_MS, out, 5), 5);
    for (int i = 0; i < 5; i++)
        assert_float_equal(out[i], (float)val(15 + i, HIST_READ_MS), 1e-9);
    assert_int_equal(history_copy(&h, "m1", HIST_READ_MS, out, STATS_HISTORY), 20);
    assert_int_equal(history_copy(&h, "nobody", HIST_READ_MS, out, STATS_HISTORY), 0);
    /* up to a moment (a paused screen): the polls after it are left out */
    assert_int_equal(history_copy_until(&h, "m1", HIST_READ_MS, 1010.0, out, 3), 3);
    for (int i = 0; i < 3; i++)
        assert_float_equal(out[i], (float)val(8 + i, HIST_READ_MS), 1e-9);
    assert_int_equal(history_copy_until(&h, "m1", HIST_READ_MS, 1010.5, out, 100), 11);
    assert_int_equal(history_copy_until(&h, "m1", HIST_READ_MS, 999.0, out, 100), 0);
    history_free(&h);
    assert_int_equal(history_copy(&h, "m1", HIST_READ_MS, out, STATS_HISTORY), 0);
}

/* Over 2 h at 1 s (the fine ring covers 16 min, the 10 s tier 1 h), a range
 * from 45 minutes ago is read from the 10 s tier, and every aggregate is
 * exactly min/avg/max of the raw points of its 10 s step. */
static void test_downsample_exact(void **state)
{
    (void)state;
    static history_set_t h;
    member_history_t *mh = history_member(&h, "m1");
    const double t0 = 1700000000.0;             /* a multiple of 10 */
    const int polls = 7200;
    push_polls(mh, t0, polls, 1.0);
    static hist_point_t p[4000];
    int step;
    double now = t0 + polls - 1;
    int n = history_range(&h, "m1", HIST_WAL_P99, now - 2699, now, p, 4000, &step);
    assert_int_equal(step, HIST_MID_STEP_S);
    assert_int_equal(n, 2700 / 10);
    assert_float_equal(fmod(p[0].t - t0, 10.0), 0, 1e-9);
    check_aggregates(p, n, t0, 1.0, 10, HIST_WAL_P99);
    /* the last step is the one still being filled: its polls so far */
    assert_float_equal(p[n - 1].t, t0 + 7190, 1e-9);
    /* 90 minutes back only the 60 s tier reaches */
    n = history_range(&h, "m1", HIST_WAL_P99, now - 5399, now, p, 4000, &step);
    assert_int_equal(step, HIST_COARSE_STEP_S);
    assert_int_equal(n, 91);
    check_aggregates(p, n - 1, t0, 1.0, 60, HIST_WAL_P99);
    check_aggregates(p + n - 1, 1, t0, 1.0, 20, HIST_WAL_P99);  /* being filled: 20 polls */
    /* within the last minutes the fine ring answers: one point per poll */
    n = history_range(&h, "m1", HIST_WAL_P99, now - 60, now, p, 4000, &step);
    assert_int_equal(step, 0);
    assert_int_equal(n, 61);
    assert_float_equal(p[60].avg, (float)val(polls - 1, HIST_WAL_P99), 1e-9);
    /* at most max points: the newest kept */
    n = history_range(&h, "m1", HIST_WAL_P99, now - 60, now, p, 7, &step);
    assert_int_equal(n, 7);
    assert_float_equal(p[6].t, now, 1e-9);
    history_free(&h);
}

/* 26 h at 5 s: 24 h back only the 60 s tier reaches; its aggregates match too. */
static void test_coarse_tier(void **state)
{
    (void)state;
    static history_set_t h;
    member_history_t *mh = history_member(&h, "m1");
    const double t0 = 1700000000.0;
    const int polls = 26 * 720;
    push_polls(mh, t0, polls, 5.0);
    static hist_point_t p[HIST_COARSE_CAP + 1];
    int step;
    double now = t0 + (polls - 1) * 5.0;
    int n = history_range(&h, "m1", HIST_RSS, now - 86400, now, p, HIST_COARSE_CAP + 1, &step);
    assert_int_equal(step, HIST_COARSE_STEP_S);
    assert_true(n >= HIST_COARSE_CAP - 1 && n <= HIST_COARSE_CAP + 1);
    check_aggregates(p, n - 1, t0, 5.0, 12, HIST_RSS);
    history_free(&h);
}

/* Unknown values are left out of an aggregate; a step without one is a gap. */
static void test_gaps(void **state)
{
    (void)state;
    static history_set_t h;
    member_history_t *mh = history_member(&h, "m1");
    const double t0 = 1700000000.0;
    double v[HIST_COUNT];
    for (int k = 0; k < 3000; k++) {
        for (int f = 0; f < HIST_COUNT; f++)
            v[f] = (k / 10) % 2 ? NAN : (k % 3 ? 1.0 : 4.0);
        v[HIST_DB_SIZE] = k % 10 == 0 ? NAN : 7.0;
        history_push(mh, t0 + k, v);
    }
    static hist_point_t p[400];
    int step;
    int n = history_range(&h, "m1", HIST_READ_MS, t0, t0 + 2999, p, 400, &step);
    assert_int_equal(step, HIST_MID_STEP_S);
    assert_int_equal(n, 300);
    for (int i = 0; i < n; i++) {
        if (i % 2) {
            assert_true(isnan(p[i].min) && isnan(p[i].avg) && isnan(p[i].max));
        } else {
            assert_float_equal(p[i].min, 1.0, 0);
            assert_float_equal(p[i].max, 4.0, 0);
        }
    }
    n = history_range(&h, "m1", HIST_DB_SIZE, t0, t0 + 2999, p, 400, &step);
    assert_float_equal(p[3].avg, 7.0, 0);              /* 9 known of 10: still 7 */
    history_free(&h);
}

/* Memory follows the members used: none before the first, freed on release. */
static void test_memory_per_member(void **state)
{
    (void)state;
    static history_set_t h;
    assert_int_equal(history_bytes(&h), 0);
    assert_non_null(history_member(&h, "a"));
    size_t one = history_bytes(&h);
    assert_true(one > 0 && one < 1024 * 1024);
    assert_non_null(history_member(&h, "b"));
    assert_int_equal(history_bytes(&h), 2 * one);
    history_release(&h, "a");
    assert_int_equal(history_bytes(&h), one);
    double out[4];
    assert_int_equal(history_copy(&h, "a", HIST_RSS, out, 4), 0);
    history_free(&h);
    assert_int_equal(history_bytes(&h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fine_copy),
        cmocka_unit_test(test_downsample_exact),
        cmocka_unit_test(test_coarse_tier),
        cmocka_unit_test(test_gaps),
        cmocka_unit_test(test_memory_per_member),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
