/* test_buf.c — capped growable buffer: growth, cap, overflow, reset reuse. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"

static void test_append_and_terminate(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 1000);
    assert_null(b.data);
    assert_int_equal(buf_append(&b, "hello", 5), 0);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "hello");
    assert_int_equal(buf_append(&b, ", world", 7), 0);
    assert_int_equal(b.len, 12);
    assert_string_equal(b.data, "hello, world");
    assert_false(b.overflow);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_fill_to_cap_exactly(void **state)
{
    (void)state;
    char chunk[100];
    memset(chunk, 'x', sizeof chunk);
    buf_t b;
    buf_init(&b, 1000);
    size_t prev_cap = 0;
    int reallocs = 0;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(buf_append(&b, chunk, sizeof chunk), 0);
        assert_true(b.cap >= b.len + 1);
        assert_true(b.cap <= b.max + 1);           /* never past max + NUL */
        if (b.cap != prev_cap) {
            /* growth doubles (or is clamped to the cap) */
            if (prev_cap != 0)
                assert_true(b.cap == prev_cap * 2 || b.cap == b.max + 1);
            prev_cap = b.cap;
            reallocs++;
        }
        assert_int_equal(b.data[b.len], '\0');
    }
    assert_int_equal(b.len, 1000);
    assert_int_equal(b.cap, 1001);
    assert_true(reallocs <= 4);                    /* 256, 512, 1001 */
    assert_int_equal(strlen(b.data), 1000);
    assert_false(b.overflow);
    buf_free(&b);
}

static void test_overflow_refused_and_sticky(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 10);
    assert_int_equal(buf_append(&b, "0123456", 7), 0);
    /* 4 more would make 11 > 10: refused, nothing appended */
    assert_int_equal(buf_append(&b, "abcd", 4), -1);
    assert_true(b.overflow);
    assert_int_equal(b.len, 7);
    assert_string_equal(b.data, "0123456");
    /* a later append that would fit is refused too: no hole in the body */
    assert_int_equal(buf_append(&b, "ab", 2), -1);
    assert_int_equal(b.len, 7);
    assert_true(b.cap <= 11);
    buf_free(&b);
}

static void test_single_append_over_cap(void **state)
{
    (void)state;
    char big[65];
    memset(big, 'y', sizeof big);
    buf_t b;
    buf_init(&b, 64);
    assert_int_equal(buf_append(&b, big, 65), -1);
    assert_true(b.overflow);
    assert_int_equal(b.len, 0);
    buf_reset(&b);
    assert_int_equal(buf_append(&b, big, 64), 0);
    assert_int_equal(b.len, 64);
    assert_int_equal(b.cap, 65);
    buf_free(&b);

    buf_t z;
    buf_init(&z, 0);
    assert_int_equal(buf_append(&z, "a", 1), -1);
    assert_true(z.overflow);
    buf_free(&z);
}

static void test_reset_keeps_memory(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 4096);
    char chunk[700];
    memset(chunk, 'z', sizeof chunk);
    assert_int_equal(buf_append(&b, chunk, sizeof chunk), 0);
    char *data = b.data;
    size_t cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    assert_string_equal(b.data, "");
    /* refilling to the same size reuses the allocation */
    assert_int_equal(buf_append(&b, "abc", 3), 0);
    assert_int_equal(buf_append(&b, chunk, sizeof chunk - 3), 0);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    assert_int_equal(b.len, 700);
    assert_memory_equal(b.data, "abczzz", 6);
    assert_int_equal(b.data[700], '\0');

    /* reset also clears the overflow flag */
    b.max = 700;
    assert_int_equal(buf_append(&b, "q", 1), -1);
    assert_true(b.overflow);
    buf_reset(&b);
    assert_false(b.overflow);
    assert_int_equal(buf_append(&b, "q", 1), 0);
    assert_string_equal(b.data, "q");
    buf_free(&b);
}

static void test_binary_bytes(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 100);
    const char bin[] = { 'a', '\0', 'b' };
    assert_int_equal(buf_append(&b, bin, 3), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, bin, 3);
    assert_int_equal(b.data[3], '\0');
    assert_int_equal(buf_append(&b, NULL, 0), 0);
    assert_int_equal(b.len, 3);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_terminate),
        cmocka_unit_test(test_fill_to_cap_exactly),
        cmocka_unit_test(test_overflow_refused_and_sticky),
        cmocka_unit_test(test_single_append_over_cap),
        cmocka_unit_test(test_reset_keeps_memory),
        cmocka_unit_test(test_binary_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
