/* test_graph.c — the history graph's pure parts: min/avg/max, the scale,
 * dot rows, Braille and ASCII plotting with held and missing points, the
 * threshold row, span shading, the time axis; the alert spans kept from the
 * active alerts; the `/` filter's match. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "filter.h"
#include "graph.h"
#include "spans.h"

static graph_t g;                  /* large: not on the stack */

static hist_point_t pt(double t, double v)
{
    return (hist_point_t){ t, v, v, v };
}

static void test_stats(void **state)
{
    (void)state;
    hist_point_t p[] = { pt(0, 4), pt(1, NAN), { 2, 1, 2, 9 }, pt(3, 3) };
    double mn, avg, mx;
    graph_stats(p, 4, &mn, &avg, &mx);
    assert_float_equal(mn, 1, 0);
    assert_float_equal(mx, 9, 0);
    assert_float_equal(avg, 3, 1e-12);              /* (4 + 2 + 3) / 3 */
    graph_stats(p + 1, 1, &mn, &avg, &mx);
    assert_true(isnan(mn) && isnan(avg) && isnan(mx));
}

static void test_scale(void **state)
{
    (void)state;
    hist_point_t p[] = { pt(0, 3), pt(1, 17) };
    double lo, hi;
    graph_scale(p, 2, true, NULL, 0, &lo, &hi);
    assert_float_equal(lo, 0, 0);
    assert_float_equal(hi, 20, 1e-9);               /* step 5 */
    graph_scale(p, 2, false, NULL, 0, &lo, &hi);    /* 14 / 4 = 3.5 -> step 5 */
    assert_float_equal(lo, 0, 1e-9);
    assert_float_equal(hi, 20, 1e-9);
    hist_point_t q[] = { pt(0, 1020), pt(1, 1030) };
    graph_scale(q, 2, false, NULL, 0, &lo, &hi);    /* 2.5 / step -> 2.5 */
    assert_true(lo <= 1020 && lo > 1010);
    assert_true(hi >= 1030 && hi < 1040);
    /* a threshold within 4x the top widens the scale; a far one does not */
    double thr[] = { 50, 500 };
    graph_scale(p, 2, true, thr, 2, &lo, &hi);
    assert_float_equal(hi, 60, 1e-9);               /* 0..50: step 20 */
    /* flat and empty series still get a span */
    hist_point_t f[] = { pt(0, 7), pt(1, 7) };
    graph_scale(f, 2, false, NULL, 0, &lo, &hi);
    assert_true(lo <= 7 && hi > 7);
    graph_scale(NULL, 0, true, NULL, 0, &lo, &hi);
    assert_float_equal(lo, 0, 0);
    assert_true(hi > 0);
}

static void test_dot_row(void **state)
{
    (void)state;
    assert_int_equal(graph_dot_row(0, 0, 10, 40), 39);
    assert_int_equal(graph_dot_row(10, 0, 10, 40), 0);
    assert_int_equal(graph_dot_row(5, 0, 10, 41), 20);
    assert_int_equal(graph_dot_row(11, 0, 10, 40), -1);
    assert_int_equal(graph_dot_row(NAN, 0, 10, 40), -1);
}

/* Count the plotted dots of a column of cells (Braille bits). */
static int col_dots(int x)
{
    int n = 0;
    for (int y = 0; y < g.h; y++)
        n += __builtin_popcount(g.c[y][x].dots);
    return n;
}

static void test_plot_braille(void **state)
{
    (void)state;
    /* 4 cells = 8 dot columns over 8 s, 2 rows = 8 dot rows, scale 0..7 */
    graph_init(&g, GRAPH_BRAILLE, 4, 2, 0, 8, 0, 7);
    hist_point_t p[] = { pt(0, 0), pt(1, 0), pt(2, 7), pt(3, 7), pt(4, NAN), pt(6, 3) };
    graph_plot(&g, p, 6, 1.0);
    char s[8];
    /* cell 0: both dot columns at 0 = the bottom row's dots 7 and 8 */
    assert_int_equal(g.c[1][0].dots, 0x40 | 0x80);
    assert_int_equal(g.c[0][0].dots, 0);
    assert_string_equal(graph_glyph(&g, &g.c[1][0], s), "\xe2\xa3\x80");   /* ⣀ */
    /* dot column 2 jumps to 7: joined from 0, so all 8 dots of that column */
    assert_int_equal(col_dots(1), 8 + 1);   /* column 2: 8, column 3: the top dot */
    /* t=4 is a gap, t=5 has no point and the gap is not held: column 2 empty */
    assert_int_equal(col_dots(2), 0);
    /* t=6 and t=7 (held for 1 s) at 3 */
    assert_int_equal(col_dots(3), 2);
    assert_true(g.c[0][3].flags & GCELL_PLOT || g.c[1][3].flags & GCELL_PLOT);
}

static void test_plot_ascii_hold(void **state)
{
    (void)state;
    /* 60 cells over 60 s with a point every 10 s: held between them */
    graph_init(&g, GRAPH_ASCII, 60, 5, 0, 60, 0, 4);
    hist_point_t p[7];
    for (int i = 0; i < 7; i++)
        p[i] = pt(i * 10, 2);
    graph_plot(&g, p, 7, 10.0);
    char s[8];
    for (int x = 0; x < 60; x++) {
        assert_int_equal(g.c[2][x].dots, 1);
        assert_string_equal(graph_glyph(&g, &g.c[2][x], s), "*");
    }
    /* without holding, only the columns with a point */
    graph_init(&g, GRAPH_ASCII, 60, 5, 0, 60, 0, 4);
    graph_plot(&g, p, 7, 0.0);
    int plotted = 0;
    for (int x = 0; x < 60; x++)
        plotted += g.c[2][x].dots;
    assert_int_equal(plotted, 7);            /* t=60 lands in the last column */
}

static void test_threshold_and_shade(void **state)
{
    (void)state;
    graph_init(&g, GRAPH_BRAILLE, 10, 5, 100, 200, 0, 100);
    assert_int_equal(graph_threshold(&g, 50, GCELL_WARN), 2);       /* dot row 10 of 20 */
    assert_int_equal(graph_threshold(&g, 100, GCELL_CRIT), 0);
    assert_int_equal(graph_threshold(&g, 150, GCELL_CRIT), -1);     /* off the scale */
    assert_int_equal(g.warn_row, 2);
    assert_int_equal(g.crit_row, 0);
    char s[8];
    assert_string_equal(graph_glyph(&g, &g.c[2][5], s), "\xe2\x94\x84");   /* ┄ */
    assert_string_equal(graph_glyph(&g, &g.c[0][5], s), "\xe2\x94\x81");   /* ━ */
    assert_string_equal(graph_glyph(&g, &g.c[1][5], s), " ");
    /* a span from 130 to 150: columns 3 and 4 (10 s each) and the one it ends in */
    graph_span_t sp[] = { { 130, 150 } };
    assert_int_equal(graph_shade(&g, sp, 1), 3);
    assert_false(g.c[0][2].flags & GCELL_SHADE);
    assert_true(g.c[0][3].flags & GCELL_SHADE);
    assert_true(g.c[4][5].flags & GCELL_SHADE);
    assert_false(g.c[0][6].flags & GCELL_SHADE);
    graph_init(&g, GRAPH_ASCII, 10, 5, 100, 200, 0, 100);
    graph_threshold(&g, 50, GCELL_WARN);
    assert_string_equal(graph_glyph(&g, &g.c[4 - 2][0], s), "-");
}

static void test_time_axis(void **state)
{
    (void)state;
    char out[256];
    /* 1 minute over 80 cells: 10 s steps with seconds; 2023-11-14 22:13:20 UTC */
    double t0 = 1700000000.0;
    assert_float_equal(graph_tick_step(60, 80), 10, 0);
    int n = graph_time_axis(t0, t0 + 60, 80, out, sizeof out);
    assert_int_equal((int)strlen(out), 80);
    assert_int_equal(n, 6);                         /* 22:14:20 would be cut */
    assert_memory_equal(out, "22:13:20", 8);
    assert_non_null(strstr(out, "22:13:30"));
    assert_null(strstr(out, "22:14:30"));
    /* 24 h over 100 cells: whole hours, HH:MM */
    double step = graph_tick_step(86400, 100);
    assert_true(step >= 3600);
    n = graph_time_axis(t0, t0 + 86400, 100, out, sizeof out);
    assert_true(n >= 2 && n <= 100 / 7);
    assert_non_null(strstr(out, ":00"));
    assert_null(strstr(out, "22:13"));
    /* never past the width */
    n = graph_time_axis(t0, t0 + 3600, 12, out, sizeof out);
    assert_int_equal((int)strlen(out), 12);
    assert_true(n <= 2);
}

static alert_t firing(const char *rule, const char *member, double since)
{
    alert_t a;
    memset(&a, 0, sizeof a);
    snprintf(a.rule, sizeof a.rule, "%s", rule);
    snprintf(a.member, sizeof a.member, "%s", member);
    a.state = ALERT_FIRING;
    a.firing_since = since;
    a.threshold = 500;
    a.severity = SEV_WARNING;
    return a;
}

static void test_spans(void **state)
{
    (void)state;
    static spans_t sp;
    alert_t a[2] = { firing("EtcdHighFsyncDurations", "m1", 95), firing("Other", "m2", 99) };
    spans_update(&sp, a, 2, 100);
    spans_update(&sp, a, 1, 110);          /* Other resolved */
    spans_update(&sp, NULL, 0, 120);       /* fsync resolved */
    a[0].firing_since = 195;
    spans_update(&sp, a, 1, 200);          /* fsync fires again (new span) */
    const char *rules[] = { "EtcdHighFsyncDurations", "EtcdHighFsyncDurationsCritical" };
    graph_span_t out[8];
    int n = spans_find(&sp, "m1", rules, 2, 0, 300, out, 8);
    assert_int_equal(n, 2);
    assert_float_equal(out[0].from, 95, 0);
    assert_float_equal(out[0].to, 110, 0);
    assert_float_equal(out[1].to, 200, 0);
    assert_int_equal(spans_find(&sp, "m2", rules, 2, 0, 300, out, 8), 0);
    assert_float_equal(spans_threshold(&sp, "EtcdHighFsyncDurations", SEV_WARNING), 500, 0);
    assert_true(isnan(spans_threshold(&sp, "EtcdHighFsyncDurations", SEV_CRITICAL)));
    assert_true(isnan(spans_threshold(&sp, "EtcdHighCommitDurations", SEV_WARNING)));
    assert_int_equal(spans_find(&sp, "m1", rules, 2, 150, 190, out, 8), 0);
    /* bounded: many alerts, never more than SPANS_MAX kept */
    for (int i = 0; i < 3 * SPANS_MAX; i++) {
        char r[16];
        snprintf(r, sizeof r, "R%d", i);
        alert_t b = firing(r, "m1", 300 + i);
        spans_update(&sp, &b, 1, 300 + i);
    }
    assert_true(sp.n <= SPANS_MAX);
    /* time going back (replay) starts again */
    spans_update(&sp, NULL, 0, 50);
    assert_int_equal(sp.n, 0);
}

static void test_filter(void **state)
{
    (void)state;
    const char *row[] = { "etcd-1", "https://10.0.0.1:2379", "up" };
    assert_true(filter_match("", row, 3));
    assert_true(filter_match("ETCD-1", row, 3));
    assert_true(filter_match("10.0.0", row, 3));
    assert_true(filter_match("UP", row, 3));
    assert_false(filter_match("etcd-2", row, 3));
    const char *gap[] = { NULL, "down" };
    assert_true(filter_match("own", gap, 2));
    assert_false(filter_match("x", gap, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_dot_row),
        cmocka_unit_test(test_plot_braille),
        cmocka_unit_test(test_plot_ascii_hold),
        cmocka_unit_test(test_threshold_and_shade),
        cmocka_unit_test(test_time_axis),
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
