/* Unit tests: per-interval figures (quantiles over the increase, deltas). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include "interval.h"

/* A WAL-like histogram with bounds 1ms, 2ms, 4ms, 8ms, +Inf and cumulative counts. */
static hist_t hist5(double c1, double c2, double c4, double c8, double cinf)
{
    hist_t h;
    memset(&h, 0, sizeof(h));
    double le[] = { 0.001, 0.002, 0.004, 0.008, INFINITY };
    double cum[] = { c1, c2, c4, c8, cinf };
    h.n = 5;
    for (int i = 0; i < 5; i++) {
        h.le[i] = le[i];
        h.cum[i] = cum[i];
    }
    h.count = cinf;
    h.ok = true;
    return h;
}

static void test_quantile_over_increase(void **state)
{
    (void)state;
    /* Before: 100 obs all under 1ms. After: +100 obs: 50 in (1,2]ms, 50 in (2,4]ms.
     * Increase cum: 0, 50, 100, 100, 100. p50: rank 50 in bucket (1,2] at its top = 2ms.
     * p99: rank 99 in bucket (2,4]: 2 + 2*(49/50) = 3.96ms. */
    hist_t a = hist5(100, 100, 100, 100, 100);
    hist_t b = hist5(100, 150, 200, 200, 200);
    assert_float_equal(interval_quantile_ms(0.50, &a, &b), 2.0, 1e-9);
    assert_float_equal(interval_quantile_ms(0.99, &a, &b), 3.96, 1e-9);
}

static void test_quantile_no_observations_is_unknown(void **state)
{
    (void)state;
    hist_t a = hist5(10, 20, 30, 40, 50);
    assert_true(isnan(interval_quantile_ms(0.99, &a, &a)));
}

static void test_derive_first_scrape_has_no_deltas(void **state)
{
    (void)state;
    metrics_sample_t cur;
    memset(&cur, 0, sizeof(cur));
    cur.leader_changes = (mval_t){ 3, true };
    cur.db_size = (mval_t){ 1000, true };
    cur.db_size_in_use = (mval_t){ 600, true };
    member_interval_t iv;
    interval_derive(NULL, 0, &cur, 10, NULL, &iv);
    assert_false(iv.leader_changes.ok);
    assert_true(isnan(iv.wal_p99_ms));
    assert_true(iv.fragmentation_pct.ok);
    assert_float_equal(iv.fragmentation_pct.v, 40.0, 1e-9);
}

static void test_derive_deltas_and_reset(void **state)
{
    (void)state;
    metrics_sample_t a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.leader_changes = (mval_t){ 5, true };
    b.leader_changes = (mval_t){ 7, true };
    a.slow_applies = (mval_t){ 10, true };
    b.slow_applies = (mval_t){ 2, true };        /* member restarted: reset */
    a.slow_read_indexes = (mval_t){ 1, true };
    b.slow_read_indexes = (mval_t){ 4, true };
    member_interval_t iv;
    interval_derive(&a, 100, &b, 105, NULL, &iv);
    assert_float_equal(iv.seconds, 5, 1e-9);
    assert_true(iv.leader_changes.ok);
    assert_float_equal(iv.leader_changes.v, 2, 1e-9);
    assert_true(iv.slow_ops.ok);
    assert_float_equal(iv.slow_ops.v, 2 + 3, 1e-9);
    assert_false(iv.proposals_failed.ok);          /* neither scrape had it */
}

static void test_derive_status_sizes_win(void **state)
{
    (void)state;
    metrics_sample_t cur;
    memset(&cur, 0, sizeof(cur));
    cur.db_size = (mval_t){ 1, true };
    status_sample_t st;
    memset(&st, 0, sizeof(st));
    st.ok = true;
    st.db_size = 4096 * 10;
    st.db_size_in_use = 4096 * 9;
    member_interval_t iv;
    interval_derive(NULL, 0, &cur, 1, &st, &iv);
    assert_float_equal(iv.db_size.v, 40960, 1e-9);
    assert_float_equal(iv.fragmentation_pct.v, 10.0, 1e-9);
    /* A status without an in-use figure (etcd < 3.4): fragmentation unknown, not 100%. */
    st.db_size_in_use = 0;
    interval_derive(NULL, 0, NULL, 1, &st, &iv);
    assert_false(iv.fragmentation_pct.ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile_over_increase),
        cmocka_unit_test(test_quantile_no_observations_is_unknown),
        cmocka_unit_test(test_derive_first_scrape_has_no_deltas),
        cmocka_unit_test(test_derive_deltas_and_reset),
        cmocka_unit_test(test_derive_status_sizes_win),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
