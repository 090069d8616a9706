/* test_json_arena.c — jansson's allocations during a gateway-answer parse come
 * from the arena inside json_arena_enter/leave, only there, only on the
 * entering thread, and a parse too big for it still works (spilling to malloc). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_arena.h"
#include "status.h"
#include "testutil.h"

static json_arena_t arena;

static int setup(void **state)
{
    (void)state;
    return json_arena_init(&arena);
}

static int teardown(void **state)
{
    (void)state;
    json_arena_free(&arena);
    return 0;
}

/* Bytes of the arena in use right after parsing body inside a scope. */
static size_t used_by_parse(const char *body, size_t len)
{
    status_sample_t s;
    char err[160];
    json_arena_enter(&arena);
    assert_int_equal(status_parse_maintenance(body, len, &s, err, sizeof err), 0);
    size_t used = arena.used;
    json_arena_leave(&arena);
    assert_true(s.ok);
    return used;
}

static void test_scope_serves_the_parse(void **state)
{
    (void)state;
    size_t len;
    char *body = test_slurp_exact("tests/data/status-3.4-leader.json", &len);
    assert_non_null(body);
    long spilled = arena.spilled;
    size_t first = used_by_parse(body, len);
    assert_true(first > 0);                       /* jansson's blocks came from it */
    assert_int_equal(arena.used, 0);              /* given back at leave */
    assert_int_equal(used_by_parse(body, len), first);   /* reused, same size */
    assert_int_equal(arena.spilled, spilled);

    /* Outside a scope nothing touches it. */
    status_sample_t s;
    char err[160];
    assert_int_equal(status_parse_maintenance(body, len, &s, err, sizeof err), 0);
    assert_int_equal(arena.used, 0);
    free(body);
}

/* Another thread parsing while this one is inside a scope does not use it. */
static void *parse_elsewhere(void *arg)
{
    const char *body = arg;
    status_sample_t s;
    char err[160];
    intptr_t rc = status_parse_maintenance(body, strlen(body), &s, err, sizeof err);
    return (void *)rc;
}

static void test_other_threads_untouched(void **state)
{
    (void)state;
    size_t len;
    char *body = test_slurp("tests/data/status-3.4-follower.json", &len);
    assert_non_null(body);
    json_arena_enter(&arena);
    pthread_t t;
    void *rc = (void *)1;
    assert_int_equal(pthread_create(&t, NULL, parse_elsewhere, body), 0);
    assert_int_equal(pthread_join(t, &rc), 0);
    assert_ptr_equal(rc, NULL);
    assert_int_equal(arena.used, 0);
    json_arena_leave(&arena);
    free(body);
}

/* A member list far over the arena: parsed right, the rest from malloc. */
static void test_spill(void **state)
{
    (void)state;
    enum { N = 1500 };
    size_t cap = (size_t)N * 160 + 256, o = 0;
    char *body = malloc(cap);
    assert_non_null(body);
    o += (size_t)snprintf(body + o, cap - o, "{\"header\":{\"cluster_id\":\"7\"},\"members\":[");
    for (int i = 0; i < N; i++)
        o += (size_t)snprintf(body + o, cap - o,
                              "%s{\"ID\":\"%d\",\"name\":\"m%d\",\"peerURLs\":[\"http://10.0.0.1:2380\"],"
                              "\"clientURLs\":[\"http://10.0.0.1:%d\"]}", i ? "," : "", i + 1, i,
                              2379 + i);
    o += (size_t)snprintf(body + o, cap - o, "]}");
    status_member_t *out = calloc(N, sizeof *out);
    assert_non_null(out);
    int n = 0;
    uint64_t cid = 0;
    char err[160];
    long spilled = arena.spilled;
    json_arena_enter(&arena);
    int rc = status_parse_member_list(body, o, out, N, &n, &cid, err, sizeof err);
    json_arena_leave(&arena);
    assert_int_equal(rc, 0);
    assert_int_equal(n, N);
    assert_int_equal(cid, 7);
    assert_string_equal(out[N - 1].name, "m1499");
    assert_true(arena.spilled > spilled);
    free(out);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scope_serves_the_parse),
        cmocka_unit_test(test_other_threads_untouched),
        cmocka_unit_test(test_spill),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
