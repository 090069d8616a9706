/* Unit test: the /metrics parser allocates nothing per scrape in steady state.
 * Linked with -Wl,--wrap=malloc,... so every allocation in the process is counted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "metrics.h"
#include "testutil.h"

static long allocations;
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n) { allocations++; return __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { allocations++; return __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { allocations++; return __real_realloc(p, n); }

static void test_extract_allocates_nothing(void **state)
{
    (void)state;
    const char *files[] = { "tests/data/etcd-3.4-leader.metrics", "tests/data/etcd-3.4-follower.metrics" };
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        char *body = test_slurp_exact(files[i], &len);
        metrics_sample_t out;
        prom_error_t err;
        assert_int_equal(metrics_extract(body, len, &out, &err), 0);   /* warm-up */
        long before = allocations;
        for (int k = 0; k < 50; k++)
            assert_int_equal(metrics_extract(body, len, &out, &err), 0);
        assert_int_equal(allocations - before, 0);
        assert_true(out.wal_fsync.ok);
        /* A malformed scrape allocates nothing either: a line that starts
         * with '{' has no metric name. */
        char *nl = memchr(body + len / 2, '\n', len - len / 2 - 1);
        assert_non_null(nl);
        nl[1] = '{';
        before = allocations;
        assert_int_not_equal(metrics_extract(body, len, &out, &err), 0);
        assert_int_equal(allocations - before, 0);
        free(body);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extract_allocates_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
