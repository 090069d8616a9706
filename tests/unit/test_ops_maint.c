/* test_ops_maint.c — the maintenance commands' pure pieces: printable
 * UTF-8, the base64 marker, prefix range ends, fragmentation, the margin
 * and the rolling defrag order (leader last, down members left out). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ops_maint.h"

static void test_printable(void **state)
{
    (void)state;
    assert_true(ops_printable((const unsigned char *)"hello /x", 8));
    assert_true(ops_printable((const unsigned char *)"caf\xc3\xa9", 5));
    assert_false(ops_printable((const unsigned char *)"a\nb", 3));
    assert_false(ops_printable((const unsigned char *)"\xff\xfe", 2));
    assert_false(ops_printable((const unsigned char *)"\xc3", 1));          /* cut */
    assert_false(ops_printable((const unsigned char *)"\xc2\x85", 2));      /* C1 */
    assert_false(ops_printable((const unsigned char *)"\xed\xa0\x80", 3));  /* surrogate */
    char *s = ops_show_bytes((const unsigned char *)"\x01\xff", 2);
    assert_string_equal(s, OPS_B64_MARK "Af8=");
    free(s);
    s = ops_show_bytes((const unsigned char *)"ok", 2);
    assert_string_equal(s, "ok");
    free(s);
}

static void test_prefix_end(void **state)
{
    (void)state;
    unsigned char out[8];
    size_t n;
    ops_prefix_end((const unsigned char *)"/a", 2, out, &n);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "/b", 2);
    ops_prefix_end((const unsigned char *)"a\xff", 2, out, &n);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], 'b');
    ops_prefix_end((const unsigned char *)"\xff", 1, out, &n);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], 0);
    assert_true(ops_frag_pct(100, 25) > 74.9 && ops_frag_pct(100, 25) < 75.1);
    assert_true(ops_frag_pct(0, 0) == 0);
}

static void test_margin_order(void **state)
{
    (void)state;
    static ops_client_t c;
    int order[CLUSTER_MAX_MEMBERS];
    memset(&c, 0, sizeof c);
    c.n = 3;
    for (int i = 0; i < 3; i++)
        c.m[i].up = true;
    c.leader = 0;
    assert_int_equal(ops_margin(&c), 1);
    assert_int_equal(ops_defrag_order(&c, order), 3);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 0);                   /* the leader last */
    c.m[2].up = false;
    assert_int_equal(ops_margin(&c), 0);             /* 3 members, one down */
    assert_int_equal(ops_defrag_order(&c, order), 2);
    assert_int_equal(order[1], 0);
    c.n = 5;
    c.m[3].up = c.m[4].up = true;
    assert_int_equal(ops_margin(&c), 1);             /* 5 members, one down */
    c.m[4].learner = true;                           /* learners do not vote */
    assert_int_equal(ops_margin(&c), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_printable),
        cmocka_unit_test(test_prefix_end),
        cmocka_unit_test(test_margin_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
