/* Unit tests: text_clean() — control characters, C1, invalid UTF-8, length cap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "text.h"

static void check(const char *in, const char *want)
{
    char out[256];
    size_t n = text_clean(out, sizeof out, in);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
    assert_int_equal(text_is_clean(in), strcmp(in, want) == 0);
}

static void test_plain_kept(void **state)
{
    (void)state;
    check("", "");
    check("etcd-1 (10.0.0.1:2379) is up", "etcd-1 (10.0.0.1:2379) is up");
    check("a,b \"c\" ~!@#$%^&*()_+{}|:<>?", "a,b \"c\" ~!@#$%^&*()_+{}|:<>?");
    check("back\\slash", "back\\slash");                       /* kept as it is */
    check("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    check("\xc2\xa0nbsp \xc2\xb5s", "\xc2\xa0nbsp \xc2\xb5s");   /* U+00A0, U+00B5: printable */
    char out[8];
    assert_int_equal(text_clean(out, sizeof out, NULL), 0);
    assert_string_equal(out, "");
}

static void test_c0_and_del_escaped(void **state)
{
    (void)state;
    check("a\nb", "a\\nb");
    check("a\r\nb\tc", "a\\r\\nb\\tc");
    check("\x1b]0;pwned\x07\x1b[2J", "\\x1b]0;pwned\\x07\\x1b[2J");
    check("\x01\x1f\x7f", "\\x01\\x1f\\x7f");
    check("a\nb,c\"d", "a\\nb,c\"d");
    char out[32];
    size_t n = text_clean_n(out, sizeof out, "a\0b", 3);     /* a NUL inside the bytes */
    assert_string_equal(out, "a\\x00b");
    assert_int_equal(n, 6);
}

static void test_c1_and_bidi_escaped(void **state)
{
    (void)state;
    check("\xc2\x9b" "2J", "\\u009b2J");                       /* U+009B CSI */
    check("\xc2\x80\xc2\x9f", "\\u0080\\u009f");
    check("x\xe2\x80\xaey", "x\\u202ey");                        /* U+202E RLO */
    check("\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029");          /* line/paragraph separators */
    check("\xe2\x81\xa6\xe2\x81\xa9", "\\u2066\\u2069");          /* isolates */
    check("\xe2\x80\xa7\xe2\x81\xaa", "\xe2\x80\xa7\xe2\x81\xaa"); /* neighbours kept */
}

static void test_invalid_utf8_replaced(void **state)
{
    (void)state;
#define FFFD "\xef\xbf\xbd"
    check("\x9b" "2J", FFFD "2J");                             /* a raw C1 byte */
    check("a\xff" "b", "a" FFFD "b");
    check("\xc3", FFFD);                                       /* truncated sequence */
    check("\xc3(", FFFD "(");
    check("\xc0\xaf", FFFD FFFD);                              /* overlong '/' */
    check("\xe0\x80\xaf", FFFD FFFD FFFD);                     /* overlong, 3 bytes */
    check("\xed\xa0\x80", FFFD FFFD FFFD);                     /* UTF-16 surrogate */
    check("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);            /* above U+10FFFF */
    check("\xe2\x82", FFFD FFFD);
#undef FFFD
}

/* The cap never cuts an escape or a UTF-8 sequence, and always leaves a NUL. */
static void test_length_cap(void **state)
{
    (void)state;
    char out[8];
    memset(out, '#', sizeof out);
    assert_int_equal(text_clean(out, sizeof out, "abcdefghij"), 7);
    assert_string_equal(out, "abcdefg");
    assert_int_equal(text_clean(out, sizeof out, "abcdef\n"), 6);  /* "\\n" and NUL need 3 */
    assert_string_equal(out, "abcdef");
    assert_int_equal(text_clean(out, sizeof out, "abcde\n"), 7);
    assert_string_equal(out, "abcde\\n");
    assert_int_equal(text_clean(out, sizeof out, "abcd\x1b"), 4);   /* "\\x1b" and NUL need 5 */
    assert_string_equal(out, "abcd");
    assert_int_equal(text_clean(out, 7, "abc\x1b"), 3);
    assert_int_equal(text_clean(out, sizeof out, "abc\x1bz"), 7);
    assert_string_equal(out, "abc\\x1b");
    assert_int_equal(text_clean(out, sizeof out, "abcde\xe2\x82\xac"), 5); /* the euro sign whole or not */
    assert_string_equal(out, "abcde");
    assert_int_equal(text_clean(out, 1, "abc"), 0);
    assert_string_equal(out, "");
    assert_int_equal(text_clean(out, 0, "abc"), 0);
    /* Worst case growth is 4x (every byte a \xNN escape). */
    char big[4 * 64 + 1], in[65];
    memset(in, 0x1b, 64);
    in[64] = '\0';
    assert_int_equal(text_clean(big, sizeof big, in), 4 * 64);
}

/* Whatever goes in, what comes out has no byte below 0x20, no DEL, and is valid UTF-8. */
static void test_fuzz_output_safe(void **state)
{
    (void)state;
    uint32_t x = 12345;
    for (int round = 0; round < 2000; round++) {
        unsigned char in[48];
        size_t len = (size_t)(round % 48);
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            in[i] = (unsigned char)(x >> 16);
        }
        char out[4 * 48 + 1];
        size_t n = text_clean_n(out, sizeof out, (const char *)in, len);
        assert_int_equal(strlen(out), n);
        for (size_t i = 0; i < n; i++) {
            unsigned char b = (unsigned char)out[i];
            assert_true(b >= 0x20 && b != 0x7f);
            if (b >= 0x80) { /* a whole valid sequence, not a C1 control */
                assert_true(b >= 0xc2 && b <= 0xf4);
                size_t k = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
                assert_true(i + k <= n);
                for (size_t j = 1; j < k; j++)
                    assert_int_equal((unsigned char)out[i + j] & 0xc0, 0x80);
                assert_false(b == 0xc2 && (unsigned char)out[i + 1] < 0xa0);
                i += k - 1;
            }
        }
        assert_true(text_is_clean(out));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_kept),
        cmocka_unit_test(test_c0_and_del_escaped),
        cmocka_unit_test(test_c1_and_bidi_escaped),
        cmocka_unit_test(test_invalid_utf8_replaced),
        cmocka_unit_test(test_length_cap),
        cmocka_unit_test(test_fuzz_output_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
