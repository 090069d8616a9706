/* test_promql.c — golden tests of the PromQL range functions (promql.c).
 * Every expected value is worked out by hand in the comment next to it,
 * following Prometheus 2.42's extrapolatedRate(), linearRegression() and
 * quantile(). Times are written in seconds; the ring holds milliseconds.
 * (tests/integration/test_promql_parity.sh checks the same functions against
 * a real Prometheus on generated data.) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "window.h"

#define EPS 1e-12
#define C WC_PROPOSALS_COMMITTED
#define G WG_PROBE_READ_MS
#define S(sec) ((int64_t)((sec) * 1000))

static void near(double got, double want, double eps, const char *file, int line)
{
    if (!(fabs(got - want) <= eps * fmax(1, fabs(want))) && !(got == want) &&
        !(isnan(got) && isnan(want)))
        fail_msg("%s:%d: got %.17g, want %.17g", file, line, got, want);
}
#define assert_near(got, want) near((got), (want), EPS, __FILE__, __LINE__)

/* Expect call to give a value, left in the test's local `out`, near want. */
#define assert_value(call, want)                                                   \
    do {                                                                           \
        out = -12345;                                                              \
        if (!(call))                                                               \
            fail_msg("%s:%d: no value, want %.17g", __FILE__, __LINE__, (double)(want)); \
        assert_near(out, (want));                                                  \
    } while (0)

/* A ring of n points at times t_s (seconds) with counter C and gauge G both
 * set to v[i]; a NAN value leaves both bits clear (the value stored anyway is
 * 0, which would be a counter reset if it were read). */
static void mk(series_t *s, int n, const double *t_s, const double *v)
{
    assert_int_equal(series_init(s, n > 0 ? n : 1), 0);
    for (int i = 0; i < n; i++) {
        point_t p;
        memset(&p, 0, sizeof p);
        p.t_ms = S(t_s[i]);
        if (!isnan(v[i])) {
            p.counter[C] = p.gauge[G] = v[i];
            p.counter_ok = 1u << C;
            p.gauge_ok = 1u << G;
        }
        series_push(s, &p, NULL);
    }
}

/* 100 130 135 150 151 170 172 at 1000 s, 1010 s, ..., 1060 s, and 99 at
 * 999.999 s (uneven steps, so that dropping a sample changes the answer). */
static void ten_per_10s(series_t *s)
{
    static const double t[] = { 999.999, 1000, 1010, 1020, 1030, 1040, 1050, 1060 };
    static const double v[] = { 99, 100, 130, 135, 150, 151, 170, 172 };
    mk(s, 8, t, v);
}

/* Samples on both ends of [1000, 1060]: the start is included, 999.999 is
 * not. increase = 172 - 100 = 72; durations to start and end 0; zero point
 * 60 * 100/72 = 83 s away (no limit); factor (60+0+0)/60 = 1 -> 72;
 * rate = 72/60 = 1.2. (With the start excluded: 130..172 over 50 s, +10 s to
 * the start: 42 * 60/50 = 50.4.) */
static void test_rate_samples_on_edges(void **state)
{
    (void)state;
    double out;
    series_t s;
    ten_per_10s(&s);
    assert_value(promql_increase(&s, C, S(1060), S(60), &out), 72);
    assert_value(promql_rate(&s, C, S(1060), S(60), &out), 1.2);
    series_free(&s);
}

/* [985, 1075] holds 999.999 (99) .. 1060 (172): 8 points, increase 73 over
 * a sampled interval of 60.001 s; average 60.001/7 = 8.5716 s, threshold
 * 9.42876 s. To start 14.999 s, to end 15 s: both beyond, so each side gets
 * half an average (the zero point is 60.001 * 99/73 = 81 s away):
 * 60.001 + 8.5716 = 68.5726 s -> 73 * 68.5726/60.001.
 * Exactly: 73 * (60.001 * 8/7) / 60.001 = 73 * 8/7 = 83.428571...;
 * rate = 83.428571/90 = 0.926984... */
static void test_rate_half_interval_extrapolation(void **state)
{
    (void)state;
    double out;
    series_t s;
    ten_per_10s(&s);
    assert_value(promql_increase(&s, C, S(1075), S(90), &out), 73.0 * 8 / 7);
    assert_value(promql_rate(&s, C, S(1075), S(90), &out), 73.0 * 8 / 7 / 90);
    series_free(&s);
}

/* [993, 1068] holds 999.999..1060 again, within the threshold 9.42876 s of
 * both ends: to start 6.999 s, to end 8 s: 73 * (60.001+6.999+8)/60.001 =
 * 73 * 75/60.001 = 91.248479...; rate = that / 75 = 73/60.001. */
static void test_rate_extrapolates_to_edges(void **state)
{
    (void)state;
    double out;
    series_t s;
    ten_per_10s(&s);
    assert_value(promql_increase(&s, C, S(1068), S(75), &out), 73 * 75 / 60.001);
    assert_value(promql_rate(&s, C, S(1068), S(75), &out), 73 / 60.001);
    series_free(&s);
}

/* 100 110 120 5 15 25 35 at 1000..1060: 35 - 100 = -65, plus 120 for the
 * drop 120 -> 5: 55. Edges on samples: factor 1. increase 55, rate 55/60. */
static void test_rate_counter_reset(void **state)
{
    (void)state;
    double out;
    static const double t[] = { 1000, 1010, 1020, 1030, 1040, 1050, 1060 };
    static const double v[] = { 100, 110, 120, 5, 15, 25, 35 };
    series_t s;
    mk(&s, 7, t, v);
    assert_value(promql_increase(&s, C, S(1060), S(60), &out), 55);
    assert_value(promql_rate(&s, C, S(1060), S(60), &out), 55.0 / 60);
    series_free(&s);
}

/* 5 15 25 35 at 1010..1040 over [1000, 1060]: increase 30 over 30 s,
 * average 10 s, threshold 11 s. To start 10 s, but the counter would have
 * been 0 at 30 * 5/30 = 5 s before the first sample: to start 5 s (< 11,
 * extrapolate). To end 20 s (> 11): half an average, 5 s. 30 * 40/30 = 40
 * (without the zero-point limit it would be 30 * 45/30 = 45). rate 40/60. */
static void test_rate_zero_point_limit(void **state)
{
    (void)state;
    double out;
    static const double t[] = { 1010, 1020, 1030, 1040 };
    static const double v[] = { 5, 15, 25, 35 };
    series_t s;
    mk(&s, 4, t, v);
    assert_value(promql_increase(&s, C, S(1060), S(60), &out), 40);
    assert_value(promql_rate(&s, C, S(1060), S(60), &out), 40.0 / 60);
    series_free(&s);
}

/* 100 ? ? 130 140 at 1000..1040, ? = no sample (stored 0: a reset if read).
 * Over [995, 1055]: points 100@1000, 130@1030, 140@1040: increase 40 over
 * 40 s, average 20 s, threshold 22 s; to start 5 s, to end 15 s, both
 * extrapolated: 40 * 60/40 = 60; rate 1. */
static void test_rate_skips_missing(void **state)
{
    (void)state;
    double out;
    static const double t[] = { 1000, 1010, 1020, 1030, 1040 };
    const double v[] = { 100, NAN, NAN, 130, 140 };
    series_t s;
    mk(&s, 5, t, v);
    assert_value(promql_increase(&s, C, S(1055), S(60), &out), 60);
    assert_value(promql_rate(&s, C, S(1055), S(60), &out), 1);
    series_free(&s);
}

/* Fewer than two points: no value. So for an empty ring, a range after the
 * data, a range that is not positive, and a counter index out of range. */
static void test_rate_no_value(void **state)
{
    (void)state;
    double out;
    series_t s;
    ten_per_10s(&s);
    assert_false(promql_rate(&s, C, S(1065), S(5), &out));      /* 1060 only */
    assert_false(promql_increase(&s, C, S(1065), S(5), &out));
    assert_false(promql_rate(&s, C, S(2000), S(60), &out));     /* nothing */
    assert_false(promql_rate(&s, C, S(1060), 0, &out));
    assert_false(promql_rate(&s, WC_COUNT, S(1060), S(60), &out));
    assert_false(promql_rate(&s, WC_CPU_SECONDS, S(1060), S(60), &out)); /* never set */
    series_free(&s);
    assert_int_equal(series_init(&s, 3), 0);
    assert_false(promql_rate(&s, C, S(1060), S(60), &out));
    series_free(&s);
}

/* Histogram le 1, 2, +Inf at 1010..1040 over [1000, 1060] (average 10 s,
 * threshold 11 s, to start 10 s, to end 20 s -> +5 s):
 *   le=1:    0 10 20 30 -> zero point 0 s away: 30 * (30+0+5)/30 = 35 -> 35/60
 *   le=2:   30 40 50 60 -> zero point 30 s away, to start 10: 45 -> 0.75
 *   le=+Inf 60 70 80 90 -> zero point 60 s away: 45 -> 0.75
 * q=0.5: rank 0.375 in bucket le=1 (0.5833): 0 + 1 * 0.375/(35/60) = 9/14.
 *   (With one factor for all buckets it would be 0.375/0.75 = 0.5.)
 * q=0.9: rank 0.675 in le=2: 1 + (0.675 - 35/60)/(0.75 - 35/60) = 1.55. */
static void test_hist_quantile_per_bucket_extrapolation(void **state)
{
    (void)state;
    double out;
    series_t s;
    assert_int_equal(series_init(&s, 8), 0);
    hist_t lay;
    memset(&lay, 0, sizeof lay);
    lay.n = 3;
    lay.ok = true;
    lay.le[0] = 1, lay.le[1] = 2, lay.le[2] = INFINITY;
    const hist_t *layouts[WH_COUNT] = { [WH_BACKEND_COMMIT] = &lay };
    for (int i = 0; i < 4; i++) {
        point_t p;
        memset(&p, 0, sizeof p);
        p.t_ms = S(1010 + 10 * i);
        p.hcum[WH_BACKEND_COMMIT][0] = 10.0 * i;
        p.hcum[WH_BACKEND_COMMIT][1] = 30 + 10.0 * i;
        p.hcum[WH_BACKEND_COMMIT][2] = 60 + 10.0 * i;
        p.hist_ok = 1u << WH_BACKEND_COMMIT;
        series_push(&s, &p, layouts);
    }
    assert_value(promql_hist_quantile(&s, WH_BACKEND_COMMIT, 0.5, S(1060), S(60), &out),
                 9.0 / 14);
    assert_value(promql_hist_quantile(&s, WH_BACKEND_COMMIT, 0.9, S(1060), S(60), &out),
                 1.55);
    /* q outside [0, 1]: -Inf / +Inf, as bucketQuantile() */
    assert_value(promql_hist_quantile(&s, WH_BACKEND_COMMIT, -1, S(1060), S(60), &out),
                 -INFINITY);
    assert_value(promql_hist_quantile(&s, WH_BACKEND_COMMIT, 2, S(1060), S(60), &out),
                 INFINITY);
    /* one point in range, another histogram, an unknown one: no value */
    assert_false(promql_hist_quantile(&s, WH_BACKEND_COMMIT, 0.5, S(1015), S(10), &out));
    assert_false(promql_hist_quantile(&s, WH_WAL_FSYNC, 0.5, S(1060), S(60), &out));
    assert_false(promql_hist_quantile(&s, WH_COUNT, 0.5, S(1060), S(60), &out));
    series_free(&s);
}

/* No observations in the range: every bucket's rate is 0, and Prometheus
 * answers NaN (a value, not an absent series). */
static void test_hist_quantile_no_observations(void **state)
{
    (void)state;
    double out;
    series_t s;
    assert_int_equal(series_init(&s, 4), 0);
    hist_t lay;
    memset(&lay, 0, sizeof lay);
    lay.n = 2;
    lay.ok = true;
    lay.le[0] = 1, lay.le[1] = INFINITY;
    const hist_t *layouts[WH_COUNT] = { [WH_PEER_RTT] = &lay };
    for (int i = 0; i < 3; i++) {
        point_t p;
        memset(&p, 0, sizeof p);
        p.t_ms = S(10 * i);
        p.hcum[WH_PEER_RTT][0] = 4;
        p.hcum[WH_PEER_RTT][1] = 7;
        p.hist_ok = 1u << WH_PEER_RTT;
        series_push(&s, &p, layouts);
    }
    assert_true(promql_hist_quantile(&s, WH_PEER_RTT, 0.5, S(20), S(30), &out));
    assert_true(isnan(out));
    series_free(&s);
}

/* A line 10 15 20 25 at 1000..1030: deriv, x from the first point 0..30 s:
 * sums x 60, y 70, xy 1300, x2 1400, n 4: cov 1300 - 60*70/4 = 250,
 * var 1400 - 3600/4 = 500, slope 0.5.
 * predict_linear at 1030, x from t: -30..0: sums x -60, xy -800, x2 1400:
 * cov -800 + 1050 = 250, var 500, slope 0.5, intercept 70/4 + 0.5*60/4 = 25;
 * ahead 60 s: 0.5*60 + 25 = 55. At t = 1040 over [980, 1040] x is -40..-10:
 * the line is 30 at 1040, 60 s ahead 60. */
static void test_deriv_and_predict_line(void **state)
{
    (void)state;
    double out;
    static const double t[] = { 1000, 1010, 1020, 1030 };
    static const double v[] = { 10, 15, 20, 25 };
    series_t s;
    mk(&s, 4, t, v);
    assert_value(promql_deriv(&s, G, S(1030), S(30), &out), 0.5);
    assert_value(promql_predict_linear(&s, G, S(1030), S(30), 60, &out), 55);
    assert_value(promql_predict_linear(&s, G, S(1040), S(60), 60, &out), 60);
    assert_value(promql_predict_linear(&s, G, S(1030), S(30), 0, &out), 25);
    series_free(&s);
}

/* Noisy 1 3 2 5 at 1000..1003: x 0..3, sums x 6, y 11, xy 22, x2 14:
 * cov 22 - 66/4 = 5.5, var 14 - 9 = 5, slope 1.1.
 * predict_linear at 1003 (x -3..0): sums x -6, xy -11, x2 14: cov
 * -11 + 16.5 = 5.5, slope 1.1, intercept 11/4 + 1.1*6/4 = 4.4; 10 s ahead:
 * 11 + 4.4 = 15.4. A point without the bit is not part of the fit. */
static void test_deriv_and_predict_noisy(void **state)
{
    (void)state;
    double out;
    static const double t[] = { 1000, 1001, 1001.5, 1002, 1003 };
    const double v[] = { 1, 3, NAN, 2, 5 };
    series_t s;
    mk(&s, 5, t, v);
    assert_value(promql_deriv(&s, G, S(1003), S(3), &out), 1.1);
    assert_value(promql_predict_linear(&s, G, S(1003), S(3), 10, &out), 15.4);
    assert_false(promql_deriv(&s, G, S(1003), S(0.5), &out)); /* one point */
    series_free(&s);
}

/* Constant y: slope exactly 0 and intercept y (no rounding noise). */
static void test_deriv_constant(void **state)
{
    (void)state;
    double out;
    static const double t[] = { 1000, 1001.3, 1002.9, 1004.1 };
    static const double v[] = { 0.1, 0.1, 0.1, 0.1 };
    series_t s;
    mk(&s, 4, t, v);
    assert_true(promql_deriv(&s, G, S(1005), S(10), &out));
    assert_true(out == 0);
    assert_true(promql_predict_linear(&s, G, S(1005), S(10), 3600, &out));
    assert_true(out == 0.1);
    series_free(&s);
}

/* 5 1 ? 4 2 3 at 1000..1005 (? = no sample): sorted 1 2 3 4 5, n 5, rank
 * q*4: q 0.5 -> 3; 0.9 -> 3.6: 4*0.4 + 5*0.6 = 4.6; 0.1 -> 0.4: 1*0.6 + 2*0.4
 * = 1.4; 0 -> 1; 1 -> 5; -1 -> -Inf; 2 -> +Inf. max 5, last 3. */
static void test_quantile_max_last(void **state)
{
    (void)state;
    double out;
    static const double t[] = { 1000, 1001, 1002, 1003, 1004, 1005 };
    const double v[] = { 5, 1, NAN, 4, 2, 3 };
    series_t s;
    mk(&s, 6, t, v);
    assert_value(promql_quantile_over_time(&s, G, 0.5, S(1005), S(5), &out), 3);
    assert_value(promql_quantile_over_time(&s, G, 0.9, S(1005), S(5), &out), 4.6);
    assert_value(promql_quantile_over_time(&s, G, 0.1, S(1005), S(5), &out), 1.4);
    assert_value(promql_quantile_over_time(&s, G, 0, S(1005), S(5), &out), 1);
    assert_value(promql_quantile_over_time(&s, G, 1, S(1005), S(5), &out), 5);
    assert_value(promql_quantile_over_time(&s, G, -1, S(1005), S(5), &out), -INFINITY);
    assert_value(promql_quantile_over_time(&s, G, 2, S(1005), S(5), &out), INFINITY);
    /* one point: every quantile is that point */
    assert_value(promql_quantile_over_time(&s, G, 0.3, S(1001), S(0.5), &out), 1);
    assert_false(promql_quantile_over_time(&s, G, 0.5, S(900), S(5), &out));
    assert_value(promql_max_over_time(&s, G, S(1005), S(5), &out), 5);
    assert_value(promql_max_over_time(&s, G, S(1005), S(2.5), &out), 4); /* 4 2 3 */
    assert_value(promql_last(&s, G, S(1005), S(5), &out), 3);
    assert_value(promql_last(&s, G, S(1002.5), S(5), &out), 1); /* 1002 has none */
    assert_false(promql_max_over_time(&s, G, S(1002.2), S(0.5), &out));
    assert_false(promql_last(&s, G, S(1002.2), S(0.5), &out));
    series_free(&s);
}

/* NaN values: quantile() sorts NaN first; max_over_time() replaces a NaN. */
static void test_nan_values(void **state)
{
    (void)state;
    double out;
    static const double t[] = { 1, 2, 3, 4 };
    series_t s;
    assert_int_equal(series_init(&s, 4), 0);
    const double v[] = { 3, NAN, 1, 2 };
    for (int i = 0; i < 4; i++) {
        point_t p;
        memset(&p, 0, sizeof p);
        p.t_ms = S(t[i]);
        p.gauge[G] = v[i];
        p.gauge_ok = 1u << G;
        series_push(&s, &p, NULL);
    }
    /* sorted NaN 1 2 3: q 0 -> NaN; q 1 -> 3; q 2/3 -> rank 2 -> 2 */
    assert_true(promql_quantile_over_time(&s, G, 0, S(4), S(3), &out));
    assert_true(isnan(out));
    assert_value(promql_quantile_over_time(&s, G, 1, S(4), S(3), &out), 3);
    assert_value(promql_quantile_over_time(&s, G, 2.0 / 3, S(4), S(3), &out), 2);
    /* max: 3, then NaN is not > 3, then 1, 2 -> 3; from the NaN on: NaN is
     * replaced by 1, then 2 */
    assert_value(promql_max_over_time(&s, G, S(4), S(3), &out), 3);
    assert_value(promql_max_over_time(&s, G, S(4), S(2), &out), 2);
    series_free(&s);
}

/* More points than the sort buffer (4096): the exact selection answers.
 * Values are a permutation of -2000..2499 (4500 points, 1 s apart), plus
 * one NaN: sorted NaN, -2000, ..., 2499 (n 4501, rank q*4500).
 * q 0.5: rank 2250 -> index 2250 = -2000 + 2249 = 249;
 * q 0.9: rank 4050 -> -2000 + 4049 = 2049;
 * q 0.25 over the 4500 numbers alone (range leaving the NaN out): rank
 * 0.25*4499 = 1124.75 -> -2000 + 1124.75 = -875.25; q 0 -> NaN; q 1 -> 2499. */
static void test_quantile_many_points(void **state)
{
    (void)state;
    double out;
    enum { N = 4500 };
    series_t s;
    assert_int_equal(series_init(&s, N + 1), 0);
    for (int i = 0; i <= N; i++) {
        point_t p;
        memset(&p, 0, sizeof p);
        p.t_ms = S(i);
        /* 7919 is prime, so i -> i*7919 mod 4500 is a permutation */
        p.gauge[G] = i == 0 ? NAN : (double)((int64_t)(i - 1) * 7919 % N) - 2000;
        p.gauge_ok = 1u << G;
        series_push(&s, &p, NULL);
    }
    assert_value(promql_quantile_over_time(&s, G, 0.5, S(N), S(N), &out), 249);
    assert_value(promql_quantile_over_time(&s, G, 0.9, S(N), S(N), &out), 2049);
    assert_true(promql_quantile_over_time(&s, G, 0, S(N), S(N), &out));
    assert_true(isnan(out));
    assert_value(promql_quantile_over_time(&s, G, 1, S(N), S(N), &out), 2499);
    assert_value(promql_quantile_over_time(&s, G, 0.25, S(N), S(N - 1), &out), -875.25);
    series_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_samples_on_edges),
        cmocka_unit_test(test_rate_half_interval_extrapolation),
        cmocka_unit_test(test_rate_extrapolates_to_edges),
        cmocka_unit_test(test_rate_counter_reset),
        cmocka_unit_test(test_rate_zero_point_limit),
        cmocka_unit_test(test_rate_skips_missing),
        cmocka_unit_test(test_rate_no_value),
        cmocka_unit_test(test_hist_quantile_per_bucket_extrapolation),
        cmocka_unit_test(test_hist_quantile_no_observations),
        cmocka_unit_test(test_deriv_and_predict_line),
        cmocka_unit_test(test_deriv_and_predict_noisy),
        cmocka_unit_test(test_deriv_constant),
        cmocka_unit_test(test_quantile_max_last),
        cmocka_unit_test(test_nan_values),
        cmocka_unit_test(test_quantile_many_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
