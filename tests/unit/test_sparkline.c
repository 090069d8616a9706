/* test_sparkline.c — glyph ramps, gaps, scaling, right alignment, thresholds. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sparkline.h"

#define B1 "\xe2\x96\x81"
#define B2 "\xe2\x96\x82"
#define B3 "\xe2\x96\x83"
#define B4 "\xe2\x96\x84"
#define B5 "\xe2\x96\x85"
#define B6 "\xe2\x96\x86"
#define B7 "\xe2\x96\x87"
#define B8 "\xe2\x96\x88"
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const spark_opts_t blocks = { SPARK_BLOCKS, false, 0, false };
static const spark_opts_t ascii = { SPARK_ASCII, false, 0, false };
static const spark_opts_t braille = { SPARK_BRAILLE, false, 0, false };

/* Render and compare with want; also check the returned cell count. */
static void expect(const double *v, size_t n, int width, spark_opts_t o, const char *want,
                   int want_cells)
{
    char buf[1024];
    memset(buf, 'X', sizeof buf);
    int cells = sparkline_render(v, n, width, o, buf, sizeof buf);
    if (strcmp(buf, want) != 0)
        fail_msg("got \"%s\", want \"%s\"", buf, want);
    assert_int_equal(cells, want_cells);
}

static int count_cells(const char *s)
{
    int n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static void test_block_ramp(void **state)
{
    (void)state;
    const double v[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
    expect(v, N_OF(v), 8, blocks, B1 B2 B3 B4 B5 B6 B7 B8, 8);
    /* the scale follows the data: the same shape at any offset and unit */
    const double w[] = { 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007 };
    expect(w, N_OF(w), 8, blocks, B1 B2 B3 B4 B5 B6 B7 B8, 8);
    const double neg[] = { -7, 0 };
    expect(neg, N_OF(neg), 8, blocks, B1 B8, 2);
}

static void test_ascii_ramp(void **state)
{
    (void)state;
    const double v[] = { 0, 1, 2, 3, 4, 5 };
    expect(v, N_OF(v), 6, ascii, "_.-=^#", 6);
    const double g[] = { 0, NAN, 5 };
    expect(g, N_OF(g), 6, ascii, "_ #", 3);
}

static void test_gaps(void **state)
{
    (void)state;
    const double v[] = { 1, NAN, 3, INFINITY, -INFINITY, 2 };
    expect(v, N_OF(v), 10, blocks, B1 " " B8 "  " B5, 6);
    const double all_nan[] = { NAN, NAN, NAN };
    expect(all_nan, N_OF(all_nan), 10, blocks, "   ", 3);
    expect(all_nan, N_OF(all_nan), 10, braille, "  ", 2);
}

static void test_keeps_most_recent(void **state)
{
    (void)state;
    double v[20];
    for (int i = 0; i < 20; i++)
        v[i] = i;
    v[0] = 1e9; /* an old spike that scrolled out must not flatten the scale */
    expect(v, N_OF(v), 5, blocks, B1 B3 B5 B7 B8, 5);
    expect(v, N_OF(v), 5, ascii, "_.=^#", 5);
}

static void test_floor_zero_and_flat(void **state)
{
    (void)state;
    spark_opts_t fz = blocks;
    fz.floor_zero = true;
    const double flat[] = { 5, 5, 5 };
    expect(flat, N_OF(flat), 8, blocks, B1 B1 B1, 3);
    expect(flat, N_OF(flat), 8, fz, B8 B8 B8, 3);
    const double two[] = { 2, 4 };
    expect(two, N_OF(two), 8, blocks, B1 B8, 2);
    expect(two, N_OF(two), 8, fz, B5 B8, 2);
    const double zeros[] = { 0, 0 };
    expect(zeros, N_OF(zeros), 8, fz, B1 B1, 2);
}

static void test_min_span(void **state)
{
    (void)state;
    const double noise[] = { 10.0, 10.001 };
    expect(noise, N_OF(noise), 8, blocks, B1 B8, 2);
    spark_opts_t o = blocks;
    o.min_span = 1.0;
    expect(noise, N_OF(noise), 8, o, B1 B1, 2);
    const double big[] = { 0, 10 };
    expect(big, N_OF(big), 8, o, B1 B8, 2); /* larger spans are unaffected */
}

static void test_pad(void **state)
{
    (void)state;
    spark_opts_t o = blocks;
    o.pad = true;
    const double v[] = { 1, 2 };
    expect(v, N_OF(v), 5, o, "   " B1 B8, 5);
    expect(v, N_OF(v), 5, blocks, B1 B8, 2);
    expect(v, 0, 4, o, "    ", 4);
    expect(NULL, 0, 3, blocks, "", 0);
    expect(v, N_OF(v), 0, o, "", 0);
    expect(v, N_OF(v), -3, blocks, "", 0);
}

static void test_braille(void **state)
{
    (void)state;
    /* levels 0,1,2,3: left 0 (dot 7) + right 1 (dots 8,6) = U+28E0;
       left 2 (dots 7,3,2) + right 3 (dots 8,6,5,4) = U+28FE */
    const double v[] = { 0, 1, 2, 3 };
    expect(v, N_OF(v), 2, braille, "\xe2\xa3\xa0\xe2\xa3\xbe", 2);
    /* both columns at the same level: the documented ramp ⣀⣤⣶⣿ */
    const double pairs[] = { 0, 0, 1, 1, 2, 2, 3, 3 };
    expect(pairs, N_OF(pairs), 4, braille,
           "\xe2\xa3\x80\xe2\xa3\xa4\xe2\xa3\xb6\xe2\xa3\xbf", 4);
    /* odd count: the newest point is in the right column of the last cell, the
       first cell's left column is empty (U+2880 = dot 8 only) */
    const double odd[] = { 0, 3, 3 };
    expect(odd, N_OF(odd), 5, braille, "\xe2\xa2\x80\xe2\xa3\xbf", 2);
    /* a gap in one column leaves that column empty (U+2840 = dot 7 only) */
    const double gap[] = { 0, NAN, 3, 3 };
    expect(gap, N_OF(gap), 5, braille, "\xe2\xa1\x80\xe2\xa3\xbf", 2);
    /* more points than 2 per cell: the last 2*width are kept */
    const double many[] = { 100, -100, 0, 0, 3, 3 };
    expect(many, N_OF(many), 2, braille, "\xe2\xa3\x80\xe2\xa3\xbf", 2);
}

static void test_buffer_size(void **state)
{
    (void)state;
    const double v[] = { 1, 2, 3 };
    char buf[16];
    memset(buf, 'X', sizeof buf);
    assert_int_equal(sparkline_render(v, 3, 3, blocks, buf, 9), -1); /* needs 10 */
    assert_string_equal(buf, "");
    assert_int_equal(sparkline_render(v, 3, 3, blocks, buf, 10), 3);
    assert_int_equal(sparkline_render(v, 3, 3, ascii, buf, 4), 3);
    assert_string_equal(buf, "_=#");
    assert_int_equal(sparkline_render(v, 3, 3, ascii, buf, 0), -1);
}

static void test_cells_api(void **state)
{
    (void)state;
    const double v[] = { 1, 7, NAN, NAN, 4, 2 };
    spark_cell_t c[8];
    assert_int_equal(sparkline_cells(v, N_OF(v), 3, braille, c, 8), 3);
    assert_true(c[0].value == 7.0); /* the larger of the pair */
    assert_true(isnan(c[1].value));
    assert_string_equal(c[1].glyph, " ");
    assert_true(c[2].value == 4.0);
    /* glyphs equal the string rendering */
    char buf[64], joined[64] = "";
    sparkline_render(v, N_OF(v), 3, braille, buf, sizeof buf);
    for (int i = 0; i < 3; i++)
        strcat(joined, c[i].glyph);
    assert_string_equal(joined, buf);
    /* pad cells are gaps */
    spark_opts_t o = blocks;
    o.pad = true;
    assert_int_equal(sparkline_cells(v, 2, 4, o, c, 8), 4);
    assert_true(isnan(c[0].value) && isnan(c[1].value));
    assert_true(c[3].value == 7.0);
    assert_string_equal(c[3].glyph, B8);
    assert_int_equal(sparkline_cells(v, 2, 4, o, c, 3), -1);
}

/* Deterministic pseudo-random series, NANs sprinkled in. */
static double lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (double)(*s >> 8) / (double)(1u << 24);
}

static void test_property_sweep(void **state)
{
    (void)state;
    const spark_opts_t styles[] = { blocks, ascii, braille };
    uint32_t seed = 12345;
    double v[120];
    for (size_t n = 0; n <= N_OF(v); n += 7) {
        for (size_t i = 0; i < n; i++)
            v[i] = lcg(&seed) < 0.1 ? NAN : lcg(&seed) * 1000.0 - 300.0;
        if (n >= 2) {
            v[n - 2] = -1e6; /* the one before is the minimum */
            v[n - 1] = 1e6;  /* newest is the maximum */
        }
        for (int width = 0; width <= 45; width++) {
            for (size_t s = 0; s < N_OF(styles); s++) {
                for (int pad = 0; pad <= 1; pad++) {
                    spark_opts_t o = styles[s];
                    o.pad = pad;
                    char buf[SPARKLINE_BUF(45)];
                    int cells = sparkline_render(v, n, width, o, buf, SPARKLINE_BUF(width));
                    int ppc = o.style == SPARK_BRAILLE ? 2 : 1;
                    int need = (int)((n + (size_t)ppc - 1) / (size_t)ppc);
                    int want = pad ? width : (need < width ? need : width);
                    assert_int_equal(cells, want);
                    assert_int_equal(count_cells(buf), want);
                    if (n >= 2 && width * ppc >= 2) {
                        /* the newest point (the max) is the full glyph at the right end */
                        size_t len = strlen(buf);
                        const char *full = o.style == SPARK_BLOCKS ? B8
                                           : o.style == SPARK_ASCII ? "#"
                                                                    : "\xe2\xa3\xbf";
                        assert_true(len >= strlen(full));
                        if (o.style == SPARK_BRAILLE) {
                            const unsigned char *u = (const unsigned char *)buf + len - 3;
                            unsigned cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) |
                                          (u[2] & 0x3Fu);
                            assert_true(cp >= 0x2800 && cp <= 0x28FF);
                            /* right column full: dots 8,6,5,4 */
                            assert_int_equal((cp - 0x2800) & 0xB8u, 0xB8u);
                        }
                        else
                            assert_string_equal(buf + len - strlen(full), full);
                    }
                }
            }
        }
    }
}

static void test_class(void **state)
{
    (void)state;
    /* higher is worse */
    assert_int_equal(sparkline_class(5, 10, 20), SPARK_OK);
    assert_int_equal(sparkline_class(10, 10, 20), SPARK_WARNING);
    assert_int_equal(sparkline_class(19.9, 10, 20), SPARK_WARNING);
    assert_int_equal(sparkline_class(20, 10, 20), SPARK_CRITICAL);
    assert_int_equal(sparkline_class(1e9, 10, 20), SPARK_CRITICAL);
    /* lower is worse (warning above critical), e.g. free disk percent */
    assert_int_equal(sparkline_class(50, 20, 10), SPARK_OK);
    assert_int_equal(sparkline_class(20, 20, 10), SPARK_WARNING);
    assert_int_equal(sparkline_class(10, 20, 10), SPARK_CRITICAL);
    assert_int_equal(sparkline_class(-1, 20, 10), SPARK_CRITICAL);
    /* equal thresholds: straight to critical */
    assert_int_equal(sparkline_class(10, 10, 10), SPARK_CRITICAL);
    assert_int_equal(sparkline_class(9, 10, 10), SPARK_OK);
    /* disabled thresholds and unknown values */
    assert_int_equal(sparkline_class(1e9, NAN, NAN), SPARK_OK);
    assert_int_equal(sparkline_class(15, 10, NAN), SPARK_WARNING);
    assert_int_equal(sparkline_class(15, NAN, 12), SPARK_CRITICAL);
    assert_int_equal(sparkline_class(NAN, 10, 20), SPARK_UNKNOWN);
}

static void test_pick_style(void **state)
{
    (void)state;
    assert_int_equal(sparkline_pick_style(false, false), SPARK_ASCII);
    assert_int_equal(sparkline_pick_style(false, true), SPARK_ASCII);
    assert_int_equal(sparkline_pick_style(true, false), SPARK_BLOCKS);
    assert_int_equal(sparkline_pick_style(true, true), SPARK_BRAILLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_ramp),       cmocka_unit_test(test_ascii_ramp),
        cmocka_unit_test(test_gaps),             cmocka_unit_test(test_keeps_most_recent),
        cmocka_unit_test(test_floor_zero_and_flat), cmocka_unit_test(test_min_span),
        cmocka_unit_test(test_pad),              cmocka_unit_test(test_braille),
        cmocka_unit_test(test_buffer_size),      cmocka_unit_test(test_cells_api),
        cmocka_unit_test(test_property_sweep),   cmocka_unit_test(test_class),
        cmocka_unit_test(test_pick_style),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
