/* Unit tests: ops_latency.c — nearest-rank percentiles over every sample and
 * the benchmark's distribution buckets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "ops_latency.h"

static void test_percentiles(void **state)
{
    (void)state;
    double ms[1000];
    for (int i = 0; i < 1000; i++)
        ms[i] = (double)(1000 - i);              /* 1000 .. 1, reversed */
    ops_lat_t l;
    ops_lat_summarise(ms, 1000, &l);
    assert_true(l.min == 1 && l.max == 1000);
    assert_true(l.p50 == 500 && l.p90 == 900 && l.p95 == 950 && l.p99 == 990);
    assert_true(l.p999 == 999);
    assert_true(l.avg == 500.5);
    double one = 3.5;
    ops_lat_summarise(&one, 1, &l);
    assert_true(l.p50 == 3.5 && l.p99 == 3.5 && l.max == 3.5);
    ops_lat_summarise(NULL, 0, &l);
    assert_int_equal(l.n, 0);
}

static void test_buckets(void **state)
{
    (void)state;
    double ms[] = { 0.2, 0.999, 1, 4.9, 5, 9.99, 10, 49, 50, 99, 100, 499, 500, 9000 };
    ops_lat_t l;
    ops_lat_summarise(ms, sizeof ms / sizeof ms[0], &l);
    static const long want[OPS_LAT_BUCKETS] = { 2, 2, 2, 2, 2, 2, 2 };
    for (int b = 0; b < OPS_LAT_BUCKETS; b++)
        assert_int_equal(l.bucket[b], want[b]);
    assert_string_equal(ops_lat_bucket_name[0], "<1ms");
    assert_string_equal(ops_lat_bucket_name[6], ">500ms");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentiles),
        cmocka_unit_test(test_buckets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
