/* test_histogram.c — golden tests of histogram_quantile() and increase().
 * Every expected value is worked out by hand in the comment next to it,
 * following Prometheus' bucketQuantile() rule by rule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "histogram.h"

#define EPS 1e-12

/* cmocka 1.1 only compares floats; answers are checked as doubles. */
static void near(double got, double want, double eps, const char *file, int line)
{
    if (!(fabs(got - want) <= eps) && !(got == want))
        fail_msg("%s:%d: got %.17g, want %.17g", file, line, got, want);
}
#define assert_near(got, want, eps) near((got), (want), (eps), __FILE__, __LINE__)

/* Build a histogram from n (le, cumulative count) pairs. */
static hist_t mk(int n, const double *le, const double *cum)
{
    hist_t h;
    memset(&h, 0, sizeof h);
    h.n = n;
    for (int i = 0; i < n; i++) {
        h.le[i] = le[i];
        h.cum[i] = cum[i];
    }
    h.count = n > 0 ? cum[n - 1] : 0;
    h.ok = true;
    return h;
}

/* le 0.1 0.2 0.4 +Inf, cumulative 10 30 40 40: 40 observations. */
static hist_t simple(void)
{
    static const double le[] = { 0.1, 0.2, 0.4, INFINITY };
    static const double cum[] = { 10, 30, 40, 40 };
    return mk(4, le, cum);
}

static void test_simple_interpolation(void **state)
{
    (void)state;
    hist_t h = simple();
    /* q=0.5: rank 20; first count >= 20 is bucket 1 (30). Lower edge 0.1,
     * upper 0.2, 20 in the bucket, rank within it 10: 0.1 + 0.1*10/20 = 0.15 */
    assert_near(hist_quantile(0.5, &h), 0.15, EPS);
    /* q=0.9: rank 36 -> bucket 2 (40): 0.2 + 0.2*(36-30)/(40-30) = 0.32 */
    assert_near(hist_quantile(0.9, &h), 0.32, EPS);
    /* q=1: rank 40 -> bucket 2: 0.2 + 0.2*10/10 = 0.4 */
    assert_near(hist_quantile(1.0, &h), 0.4, EPS);
}

static void test_first_bucket_zero_lower_edge(void **state)
{
    (void)state;
    hist_t h = simple();
    /* q=0.1: rank 4 -> bucket 0; lower edge 0: 0 + 0.1*4/10 = 0.04 */
    assert_near(hist_quantile(0.1, &h), 0.04, EPS);
    /* q=0: rank 0 -> bucket 0: 0 + 0.1*0/10 = 0 */
    assert_near(hist_quantile(0.0, &h), 0.0, EPS);
}

static void test_quantile_in_inf_bucket(void **state)
{
    (void)state;
    /* le 1 2 +Inf, cumulative 1 2 10. q=0.5: rank 5, no finite bucket reaches
     * it (search over the first n-1 gives n-1): answer is the highest finite
     * bound, 2. */
    static const double le[] = { 1, 2, INFINITY };
    static const double cum[] = { 1, 2, 10 };
    hist_t h = mk(3, le, cum);
    assert_near(hist_quantile(0.5, &h), 2.0, EPS);
    assert_near(hist_quantile(0.99, &h), 2.0, EPS);
}

static void test_equal_bounds_are_summed(void **state)
{
    (void)state;
    /* le 1 1 2 +Inf, cumulative 2 3 8 10 -> coalesced 1:5 2:8 +Inf:10.
     * q=0.3: rank 3 -> bucket 0 (5): 0 + 1*3/5 = 0.6.
     * (Without coalescing the answer would be 1.0.) */
    static const double le[] = { 1, 1, 2, INFINITY };
    static const double cum[] = { 2, 3, 8, 10 };
    hist_t h = mk(4, le, cum);
    assert_near(hist_quantile(0.3, &h), 0.6, EPS);
    /* q=0.6: rank 6 -> bucket 2:8: 1 + 1*(6-5)/(8-5) = 4/3 */
    assert_near(hist_quantile(0.6, &h), 4.0 / 3.0, EPS);
}

static void test_non_monotonic_is_forced(void **state)
{
    (void)state;
    /* le 1 2 4 +Inf, cumulative 5 3 8 10 -> forced 5 5 8 10.
     * q=0.6: rank 6 -> bucket 2: 2 + 2*(6-5)/(8-5) = 2.666...
     * (Unforced it would be 2 + 2*(6-3)/(8-3) = 3.2.) */
    static const double le[] = { 1, 2, 4, INFINITY };
    static const double cum[] = { 5, 3, 8, 10 };
    hist_t h = mk(4, le, cum);
    assert_near(hist_quantile(0.6, &h), 2.0 + 2.0 / 3.0, EPS);
    /* The +Inf count lower than a finite one is raised too:
     * le 1 +Inf, cumulative 10 4 -> 10 10; q=0.5: rank 5 -> 0 + 1*5/10 */
    static const double le2[] = { 1, INFINITY };
    static const double cum2[] = { 10, 4 };
    hist_t h2 = mk(2, le2, cum2);
    assert_near(hist_quantile(0.5, &h2), 0.5, EPS);
}

static void test_fewer_than_two_buckets(void **state)
{
    (void)state;
    static const double le[] = { INFINITY, INFINITY };
    static const double cum[] = { 3, 4 };
    hist_t one = mk(1, le, cum);
    assert_true(isnan(hist_quantile(0.5, &one)));
    /* two +Inf buckets coalesce into one */
    hist_t two = mk(2, le, cum);
    assert_true(isnan(hist_quantile(0.5, &two)));
    hist_t none = mk(0, le, cum);
    assert_true(isnan(hist_quantile(0.5, &none)));
}

static void test_missing_inf_bucket(void **state)
{
    (void)state;
    static const double le[] = { 1, 2, 4 };
    static const double cum[] = { 1, 2, 3 };
    hist_t h = mk(3, le, cum);
    assert_true(isnan(hist_quantile(0.5, &h)));
}

static void test_zero_observations(void **state)
{
    (void)state;
    static const double le[] = { 1, 2, INFINITY };
    static const double cum[] = { 0, 0, 0 };
    hist_t h = mk(3, le, cum);
    assert_true(isnan(hist_quantile(0.5, &h)));
    /* the rule comes before the "first bound <= 0" one, which would say 0 */
    static const double le0[] = { 0, 1, INFINITY };
    hist_t z = mk(3, le0, cum);
    assert_true(isnan(hist_quantile(0.5, &z)));
}

static void test_q_out_of_range(void **state)
{
    (void)state;
    hist_t h = simple();
    assert_true(isinf(hist_quantile(-0.1, &h)) && hist_quantile(-0.1, &h) < 0);
    assert_true(isinf(hist_quantile(1.1, &h)) && hist_quantile(1.1, &h) > 0);
    assert_true(isnan(hist_quantile(NAN, &h)));
    /* q is checked before the buckets, as in Prometheus */
    hist_t empty;
    memset(&empty, 0, sizeof empty);
    assert_true(isinf(hist_quantile(2.0, &empty)) && hist_quantile(2.0, &empty) > 0);
    assert_true(isnan(hist_quantile(0.5, &empty)));
}

static void test_first_bound_not_positive(void **state)
{
    (void)state;
    /* le -0.5 1 +Inf, cumulative 4 8 10. q=0.2: rank 2 -> bucket 0 whose
     * bound is <= 0: the answer is that bound, -0.5 (interpolating from 0
     * would give -0.25). */
    static const double le[] = { -0.5, 1, INFINITY };
    static const double cum[] = { 4, 8, 10 };
    hist_t h = mk(3, le, cum);
    assert_near(hist_quantile(0.2, &h), -0.5, EPS);
    /* q=0.7: rank 7 -> bucket 1: -0.5 + 1.5*(7-4)/(8-4) = 0.625 */
    assert_near(hist_quantile(0.7, &h), 0.625, EPS);

    static const double le0[] = { 0, 1, INFINITY };
    hist_t z = mk(3, le0, cum);
    assert_near(hist_quantile(0.2, &z), 0.0, EPS);
}

static void test_unsorted_input(void **state)
{
    (void)state;
    /* simple() shuffled: same answers */
    static const double le[] = { 0.4, INFINITY, 0.1, 0.2 };
    static const double cum[] = { 40, 40, 10, 30 };
    hist_t h = mk(4, le, cum);
    assert_near(hist_quantile(0.5, &h), 0.15, EPS);
    assert_near(hist_quantile(0.9, &h), 0.32, EPS);
    /* the caller's histogram is not reordered */
    assert_near(h.le[0], 0.4, 0);
    assert_near(h.cum[1], 40, 0);
}

static void test_unknown_histogram(void **state)
{
    (void)state;
    hist_t h = simple();
    h.ok = false;
    assert_true(isnan(hist_quantile(0.5, &h)));
}

/* prev: le 0.1 0.2 +Inf cum 1 3 4, sum 0.5 */
static hist_t prev_hist(void)
{
    static const double le[] = { 0.1, 0.2, INFINITY };
    static const double cum[] = { 1, 3, 4 };
    hist_t h = mk(3, le, cum);
    h.sum = 0.5;
    return h;
}

static void test_increase_plain(void **state)
{
    (void)state;
    hist_t prev = prev_hist();
    static const double le[] = { 0.1, 0.2, INFINITY };
    static const double cum[] = { 2, 5, 7 };
    hist_t cur = mk(3, le, cum);
    cur.sum = 0.9;
    hist_t out;
    assert_true(hist_increase(&prev, &cur, &out));
    assert_true(out.ok);
    assert_int_equal(out.n, 3);
    assert_near(out.cum[0], 1, EPS);
    assert_near(out.cum[1], 2, EPS);
    assert_near(out.cum[2], 3, EPS);
    assert_near(out.le[1], 0.2, 0);
    assert_true(isinf(out.le[2]));
    assert_near(out.sum, 0.4, EPS);
    assert_near(out.count, 3, EPS);
    /* 3 new observations: 1 below 0.1, 1 in (0.1,0.2], 1 above.
     * median: rank 1.5 -> bucket 1: 0.1 + 0.1*(1.5-1)/(2-1) = 0.15 */
    assert_near(hist_quantile(0.5, &out), 0.15, EPS);
}

static void test_increase_with_reset(void **state)
{
    (void)state;
    hist_t prev = prev_hist();
    /* bucket 0.2 went from 3 to 2: it was reset, its increase is 2; the
     * count went from 4 to 3: increase 3; sum from 0.5 to 0.25: 0.25 */
    static const double le[] = { 0.1, 0.2, INFINITY };
    static const double cum[] = { 2, 2, 3 };
    hist_t cur = mk(3, le, cum);
    cur.sum = 0.25;
    hist_t out;
    assert_true(hist_increase(&prev, &cur, &out));
    assert_near(out.cum[0], 1, EPS);
    assert_near(out.cum[1], 2, EPS);
    assert_near(out.cum[2], 3, EPS);
    assert_near(out.count, 3, EPS);
    assert_near(out.sum, 0.25, EPS);
}

static void test_increase_matches_by_le(void **state)
{
    (void)state;
    /* prev in another order: buckets are matched by le, not by position */
    static const double lep[] = { INFINITY, 0.2, 0.1 };
    static const double cump[] = { 4, 3, 1 };
    hist_t prev = mk(3, lep, cump);
    prev.count = 4;
    static const double le[] = { 0.1, 0.2, INFINITY };
    static const double cum[] = { 2, 5, 7 };
    hist_t cur = mk(3, le, cum);
    hist_t out;
    assert_true(hist_increase(&prev, &cur, &out));
    assert_near(out.cum[0], 1, EPS);
    assert_near(out.cum[1], 2, EPS);
    assert_near(out.cum[2], 3, EPS);
}

static void test_increase_layout_differs(void **state)
{
    (void)state;
    hist_t prev = prev_hist();
    static const double le[] = { 0.1, 0.3, INFINITY };
    static const double cum[] = { 2, 5, 7 };
    hist_t cur = mk(3, le, cum);
    hist_t out;
    out.ok = true;
    assert_false(hist_increase(&prev, &cur, &out));
    assert_false(out.ok);

    /* one bucket more on one side */
    static const double le4[] = { 0.1, 0.2, 0.4, INFINITY };
    static const double cum4[] = { 2, 5, 6, 7 };
    hist_t cur4 = mk(4, le4, cum4);
    out.ok = true;
    assert_false(hist_increase(&prev, &cur4, &out));
    assert_false(out.ok);
    assert_false(hist_increase(&cur4, &prev, &out));

    /* an unknown side */
    hist_t bad = prev;
    bad.ok = false;
    assert_false(hist_increase(&bad, &prev, &out));
    assert_false(hist_increase(&prev, &bad, &out));
}

static void test_counter_increase(void **state)
{
    (void)state;
    assert_near(counter_increase(5, 8), 3, 0);
    assert_near(counter_increase(5, 5), 0, 0);
    assert_near(counter_increase(8, 5), 5, 0); /* reset */
    assert_near(counter_increase(8, 0), 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_interpolation),
        cmocka_unit_test(test_first_bucket_zero_lower_edge),
        cmocka_unit_test(test_quantile_in_inf_bucket),
        cmocka_unit_test(test_equal_bounds_are_summed),
        cmocka_unit_test(test_non_monotonic_is_forced),
        cmocka_unit_test(test_fewer_than_two_buckets),
        cmocka_unit_test(test_missing_inf_bucket),
        cmocka_unit_test(test_zero_observations),
        cmocka_unit_test(test_q_out_of_range),
        cmocka_unit_test(test_first_bound_not_positive),
        cmocka_unit_test(test_unsorted_input),
        cmocka_unit_test(test_unknown_histogram),
        cmocka_unit_test(test_increase_plain),
        cmocka_unit_test(test_increase_with_reset),
        cmocka_unit_test(test_increase_matches_by_le),
        cmocka_unit_test(test_increase_layout_differs),
        cmocka_unit_test(test_counter_increase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
