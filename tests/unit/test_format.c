/* test_format.c — human formatting: exact strings, unknown markers, width bounds. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "format.h"

#define KIB 1024.0
#define MIB (1024.0 * KIB)
#define GIB (1024.0 * MIB)

typedef int (*fmt_fn)(char *, size_t, double, bool, unsigned);

typedef struct {
    double      v;
    const char *want;
} case_t;

/* Run fn over a case table with the given flags, comparing string and cells. */
static void check_cases(fmt_fn fn, const case_t *c, size_t n, unsigned flags)
{
    for (size_t i = 0; i < n; i++) {
        char buf[FORMAT_BUF];
        memset(buf, 'X', sizeof buf);
        int cells = fn(buf, sizeof buf, c[i].v, true, flags);
        if (strcmp(buf, c[i].want) != 0)
            fail_msg("value %.17g: got \"%s\", want \"%s\"", c[i].v, buf, c[i].want);
        assert_int_equal(cells, format_cells(c[i].want));
    }
}

static const fmt_fn all_fns[] = { format_bytes, format_duration, format_latency_ms,
                                  format_percent, format_rate, format_count,
                                  format_timestamp };
static const int all_widths[] = { FORMAT_BYTES_WIDTH, FORMAT_DURATION_WIDTH,
                                  FORMAT_LATENCY_WIDTH, FORMAT_PERCENT_WIDTH,
                                  FORMAT_RATE_WIDTH, FORMAT_COUNT_WIDTH,
                                  FORMAT_TIMESTAMP_WIDTH };
#define N_FNS (sizeof all_fns / sizeof all_fns[0])

static void test_unknown_is_never_zero(void **state)
{
    (void)state;
    const double bad[] = { NAN, INFINITY, -INFINITY };
    for (size_t f = 0; f < N_FNS; f++) {
        char buf[FORMAT_BUF];
        /* valid == false wins over a perfectly good value, 0 included */
        assert_int_equal(all_fns[f](buf, sizeof buf, 0.0, false, FORMAT_UTF8), 1);
        assert_string_equal(buf, "\xe2\x80\x94");
        assert_int_equal(all_fns[f](buf, sizeof buf, 42.0, false, 0), 1);
        assert_string_equal(buf, "-");
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            assert_int_equal(all_fns[f](buf, sizeof buf, bad[b], true, FORMAT_UTF8), 1);
            assert_string_equal(buf, "\xe2\x80\x94");
            assert_int_equal(all_fns[f](buf, sizeof buf, bad[b], true, 0), 1);
            assert_string_equal(buf, "-");
        }
    }
    char buf[8];
    assert_int_equal(format_unknown(buf, sizeof buf, FORMAT_UTF8), 1);
    assert_string_equal(buf, "\xe2\x80\x94");
    assert_int_equal(format_unknown(buf, sizeof buf, 0), 1);
    assert_string_equal(buf, "-");
}

static void test_bytes(void **state)
{
    (void)state;
    const case_t c[] = {
        { 0, "0 B" },
        { 512, "512 B" },
        { 1023, "1023 B" },
        { 1023.6, "1.00 KiB" },
        { 1024, "1.00 KiB" },
        { 1536, "1.50 KiB" },
        { 99.96 * KIB, "100 KiB" },
        { 1023 * KIB, "1023 KiB" },
        { 1023.7 * KIB, "1.00 MiB" },
        { 20 * MIB, "20.0 MiB" },
        { 123.4 * MIB, "123 MiB" },
        { 8 * GIB, "8.00 GiB" },
        { 2 * 1024 * GIB, "2.00 TiB" },
        { -1536, "-1.50 KiB" },
        { -0.3, "0 B" },
        { -3, "-3 B" },
        { 0x1p80, "1.00 YiB" },
        { 0x1p90, ">999 YiB" },
        { -0x1p90, "<-999 YiB" },
    };
    check_cases(format_bytes, c, sizeof c / sizeof c[0], FORMAT_UTF8);
    check_cases(format_bytes, c, sizeof c / sizeof c[0], 0);
}

static void test_duration(void **state)
{
    (void)state;
    const case_t utf8[] = {
        { 0, "0s" },
        { 1e-9, "<1\xc2\xb5s" },
        { 850e-6, "850\xc2\xb5s" },
        { 999.6e-6, "1.00ms" },
        { 1.234e-3, "1.23ms" },
        { 12.3e-3, "12.3ms" },
        { 0.1234, "123ms" },
        { 0.9996, "1.00s" },
        { 1.2, "1.20s" },
        { 12.34, "12.3s" },
        { 59.96, "1m00s" },
        { 185, "3m05s" },
        { 3599.6, "1h00m" },
        { 7800, "2h10m" },
        { 86399.9, "1d00h" },
        { 4 * 86400 + 3 * 3600, "4d03h" },
        { 365 * 86400.0, "365d" },
        { 1e12, ">99999d" },
        { -2.5, "-2.50s" },
        { -1e12, "<-99999d" },
    };
    check_cases(format_duration, utf8, sizeof utf8 / sizeof utf8[0], FORMAT_UTF8);
    const case_t ascii[] = {
        { 850e-6, "850us" },
        { 1e-9, "<1us" },
        { 12.3e-3, "12.3ms" },
    };
    check_cases(format_duration, ascii, sizeof ascii / sizeof ascii[0], 0);
}

static void test_latency(void **state)
{
    (void)state;
    const case_t c[] = {
        { 0, "0.00ms" },
        { 0.001, "<0.01ms" },
        { 0.42, "0.42ms" },
        { 12.34, "12.3ms" },
        { 850, "850ms" },
        { 999.6, "1.00s" },
        { 1200, "1.20s" },
        { 185000, "3m05s" },
        { -3.5, "-3.50ms" },
    };
    check_cases(format_latency_ms, c, sizeof c / sizeof c[0], FORMAT_UTF8);
}

static void test_percent(void **state)
{
    (void)state;
    const case_t c[] = {
        { 37.5, "37.5%" },
        { 0, "0.0%" },
        { -0.01, "0.0%" },
        { 99.94, "99.9%" },
        { 99.96, "100%" },
        { 100, "100%" },
        { 250, "250%" },
        { -5, "-5.0%" },
        { 1e9, ">9999%" },
        { -1e9, "<-999%" },
    };
    check_cases(format_percent, c, sizeof c / sizeof c[0], 0);
}

static void test_rate(void **state)
{
    (void)state;
    const case_t c[] = {
        { 0, "0/s" },
        { 1.2, "1.2/s" },
        { 1, "1/s" },
        { 9.96, "10/s" },
        { 45, "45/s" },
        { 1234, "1.23k/s" },
        { 0.05, "3/m" },
        { 3.0 / 3600, "3/h" },
        { 0.5 / 3600, "0.5/h" },
        { 1e-9, "<0.1/h" },
        { -2, "-2/s" },
        { -1e-9, "<0.1/h" },
    };
    check_cases(format_rate, c, sizeof c / sizeof c[0], 0);
}

static void test_count(void **state)
{
    (void)state;
    const case_t c[] = {
        { 0, "0" },
        { 7, "7" },
        { 999, "999" },
        { 999.5, "1.00k" },
        { 1234, "1.23k" },
        { 12345, "12.3k" },
        { 123456, "123k" },
        { 999999, "1.00M" },
        { 4.56e6, "4.56M" },
        { 7.89e9, "7.89G" },
        { 1e30, ">999E" },
        { -1e30, "<-999E" },
        { -1500, "-1.50k" },
        { -0.4, "0" },
    };
    check_cases(format_count, c, sizeof c / sizeof c[0], 0);
}

static void test_timestamp(void **state)
{
    (void)state;
    const case_t c[] = {
        { 0, "1970-01-01T00:00:00.000Z" },
        { 1795442709.123, "2026-11-23T14:05:09.123Z" },
        { 1795442709.9996, "2026-11-23T14:05:10.000Z" },
        { 951782400.5, "2000-02-29T00:00:00.500Z" },
        { -0.5, "1969-12-31T23:59:59.500Z" },
        { -62167219200.0, "0000-01-01T00:00:00.000Z" },
        { 253402300799.999, "9999-12-31T23:59:59.999Z" },
    };
    check_cases(format_timestamp, c, sizeof c / sizeof c[0], 0);
    char buf[FORMAT_BUF];
    assert_int_equal(format_timestamp(buf, sizeof buf, 253402300800.0, true, 0), 1);
    assert_string_equal(buf, "-");
    assert_int_equal(format_timestamp(buf, sizeof buf, -1e15, true, FORMAT_UTF8), 1);
    assert_string_equal(buf, "\xe2\x80\x94");
}

/* Sweep magnitudes from 1e-12 to 1e30 (both signs, with in-between mantissas)
 * through every formatter: the documented width holds, FORMAT_BUF suffices and
 * nothing valid renders as the unknown marker. */
static void test_width_bounds(void **state)
{
    (void)state;
    const double mant[] = { 1.0, 0.9995, 0.99996, 1.5, 2.345, 5.0, 9.9949, 9.996 };
    for (size_t f = 0; f < N_FNS; f++) {
        for (int e = -12; e <= 30; e++) {
            for (size_t m = 0; m < sizeof mant / sizeof mant[0]; m++) {
                for (int sign = -1; sign <= 1; sign += 2) {
                    double v = sign * mant[m] * pow(10.0, e);
                    for (unsigned flags = 0; flags <= FORMAT_UTF8; flags++) {
                        char buf[FORMAT_BUF];
                        int cells = all_fns[f](buf, sizeof buf, v, true, flags);
                        assert_true(cells >= 1);
                        assert_int_equal(cells, format_cells(buf));
                        if (cells > all_widths[f])
                            fail_msg("fn %zu value %g: \"%s\" is %d cells > %d", f, v, buf,
                                     cells, all_widths[f]);
                        if (all_fns[f] != format_timestamp || (v > -6.2e10 && v < 2.5e11))
                            assert_true(strcmp(buf, "-") != 0 &&
                                        strcmp(buf, "\xe2\x80\x94") != 0);
                    }
                }
            }
        }
    }
}

static void test_small_buffer(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'X', sizeof buf);
    assert_int_equal(format_bytes(buf, 5, 1536, true, 0), -1); /* "1.50 KiB" needs 9 */
    assert_string_equal(buf, "");
    assert_int_equal(format_timestamp(buf, sizeof buf, 0, true, 0), -1);
    assert_string_equal(buf, "");
    assert_int_equal(format_unknown(buf, 0, 0), -1);
    assert_int_equal(format_unknown(buf, 3, FORMAT_UTF8), -1); /* "—" is 3 bytes + NUL */
    assert_int_equal(format_unknown(buf, 4, FORMAT_UTF8), 1);
    /* exactly enough */
    assert_int_equal(format_bytes(buf, 6, 512, true, 0), 5);
    assert_string_equal(buf, "512 B");
}

static void test_cells(void **state)
{
    (void)state;
    assert_int_equal(format_cells(""), 0);
    assert_int_equal(format_cells("abc"), 3);
    assert_int_equal(format_cells("850\xc2\xb5s"), 5);
    assert_int_equal(format_cells("\xe2\x96\x81\xe2\x96\x88"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_is_never_zero),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_latency),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_timestamp),
        cmocka_unit_test(test_width_bounds),
        cmocka_unit_test(test_small_buffer),
        cmocka_unit_test(test_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
