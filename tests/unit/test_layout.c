/* test_layout.c — every terminal size from 80x24 to 250x80 and every member
 * count 1..9: windows inside the screen, non-empty, never overlapping, tiling
 * it exactly; below 80x24 only the note. Detail view and column chooser too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "layout.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool inside(rect_t r, int cols, int rows)
{
    return r.x >= 0 && r.y >= 0 && r.w > 0 && r.h > 0 && r.x + r.w <= cols &&
           r.y + r.h <= rows;
}

static bool overlap(rect_t a, rect_t b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static bool is_zero(rect_t r)
{
    return r.x == 0 && r.y == 0 && r.w == 0 && r.h == 0;
}

/* All rects inside, non-empty, pairwise disjoint; returns their total area. */
static long check_rects(const rect_t *r, size_t n, int cols, int rows, const char *what)
{
    long area = 0;
    for (size_t i = 0; i < n; i++) {
        if (!inside(r[i], cols, rows))
            fail_msg("%s %dx%d: rect %zu (%d,%d %dx%d) outside or empty", what, cols, rows, i,
                     r[i].x, r[i].y, r[i].w, r[i].h);
        for (size_t j = 0; j < i; j++)
            if (overlap(r[i], r[j]))
                fail_msg("%s %dx%d: rects %zu and %zu overlap", what, cols, rows, j, i);
        area += (long)r[i].w * r[i].h;
    }
    return area;
}

/* Every property of one main-view layout. */
static void check_main(int cols, int rows, int n, layout_opts_t o)
{
    layout_t l;
    memset(&l, 0x5a, sizeof l);
    layout_compute(cols, rows, n, o, &l);
    assert_false(l.too_small);
    assert_true(is_zero(l.note));
    rect_t r[] = { l.header, l.members, l.latency, l.database, l.raft, l.alerts, l.footer };
    long area = check_rects(r, N_OF(r), cols, rows, "main");
    assert_int_equal(area, (long)cols * rows); /* tiles the screen: no holes */

    /* header on top, footer at the bottom, both full width */
    assert_true(l.header.x == 0 && l.header.y == 0 && l.header.w == cols);
    assert_int_equal(l.header.h, LAYOUT_HEADER_H);
    assert_true(l.footer.y == rows - 1 && l.footer.h == 1 && l.footer.w == cols);
    /* members right under the header, alerts right above the footer */
    assert_int_equal(l.members.y, LAYOUT_HEADER_H);
    assert_int_equal(l.members.w, cols);
    assert_int_equal(l.alerts.y + l.alerts.h, l.footer.y);
    assert_int_equal(l.member_rows, l.members.h - 2);

    /* minimums */
    assert_true(l.members.h >= LAYOUT_MEMBERS_MIN_H && l.members.h <= n + 2);
    assert_true(l.alerts.h >= LAYOUT_ALERTS_MIN_H);
    const rect_t p[] = { l.latency, l.database, l.raft };
    for (size_t i = 0; i < N_OF(p); i++) {
        assert_true(p[i].h >= LAYOUT_PANEL_MIN_H && p[i].h <= LAYOUT_PANEL_PREF_H);
        assert_true(p[i].w >= LAYOUT_PANEL_MIN_W);
        assert_int_equal(p[i].h, l.latency.h); /* bands share one height */
    }
    /* the members table is cut short only when the panels are at their minimum */
    if (l.members.h < n + 2)
        assert_true(l.latency.h == LAYOUT_PANEL_MIN_H && l.alerts.h == LAYOUT_ALERTS_MIN_H);
    /* leftover goes to alerts once members and panels have what they want (while
       panels grow, alerts only get the rows that do not divide among the bands) */
    int bands = l.arrangement == LAYOUT_THREE ? 1 : l.arrangement == LAYOUT_TWO_ONE ? 2 : 3;
    if (l.alerts.h > LAYOUT_ALERTS_MIN_H)
        assert_int_equal(l.members.h, n + 2);
    if (l.latency.h < LAYOUT_PANEL_PREF_H)
        assert_true(l.alerts.h - LAYOUT_ALERTS_MIN_H < bands);

    /* geometry matches the arrangement */
    switch (l.arrangement) {
    case LAYOUT_THREE:
        assert_true(l.latency.y == l.database.y && l.database.y == l.raft.y);
        assert_true(l.latency.x < l.database.x && l.database.x < l.raft.x);
        break;
    case LAYOUT_TWO_ONE:
        assert_true(l.latency.y == l.database.y && l.raft.y > l.latency.y);
        assert_int_equal(l.raft.w, cols);
        break;
    case LAYOUT_STACK:
        assert_true(l.latency.y < l.database.y && l.database.y < l.raft.y);
        assert_true(l.latency.w == cols && l.database.w == cols && l.raft.w == cols);
        break;
    default:
        fail_msg("arrangement %d", (int)l.arrangement);
    }
    /* from 80x24 up every arrangement fits, so a forced one is always honoured */
    if (o.arrangement != LAYOUT_AUTO)
        assert_int_equal(l.arrangement, o.arrangement);
}

static void test_every_size(void **state)
{
    (void)state;
    const layout_arrangement_t arr[] = { LAYOUT_AUTO, LAYOUT_THREE, LAYOUT_TWO_ONE,
                                         LAYOUT_STACK };
    for (int cols = 80; cols <= 250; cols++)
        for (int rows = 24; rows <= 80; rows++)
            for (int n = 1; n <= 9; n++)
                for (size_t a = 0; a < N_OF(arr); a++) {
                    layout_opts_t o = { arr[a] };
                    check_main(cols, rows, n, o);
                }
}

static void test_too_small(void **state)
{
    (void)state;
    for (int cols = -2; cols <= 300; cols++) {
        for (int rows = -2; rows <= 100; rows++) {
            if (cols >= 80 && rows >= 24)
                continue;
            layout_t l;
            layout_compute(cols, rows, 3, (layout_opts_t){ LAYOUT_AUTO }, &l);
            assert_true(l.too_small);
            if (cols > 0 && rows > 0) {
                assert_true(l.note.x == 0 && l.note.y == 0 && l.note.w == cols &&
                            l.note.h == rows);
            } else {
                assert_true(is_zero(l.note));
            }
            rect_t r[] = { l.header, l.members, l.latency, l.database, l.raft, l.alerts,
                           l.footer };
            for (size_t i = 0; i < N_OF(r); i++)
                assert_true(is_zero(r[i]));
            layout_detail_t d;
            layout_detail_compute(cols, rows, 4, &d);
            assert_true(d.too_small);
            assert_int_equal(d.n_graphs, 0);
        }
    }
}

static void test_arrangement_choice(void **state)
{
    (void)state;
    layout_t l;
    layout_opts_t autom = { LAYOUT_AUTO };
    layout_compute(200, 60, 3, autom, &l);   /* wide: three across */
    assert_int_equal(l.arrangement, LAYOUT_THREE);
    assert_int_equal(l.members.h, 5);
    layout_compute(110, 50, 3, autom, &l);   /* medium: 2+1 */
    assert_int_equal(l.arrangement, LAYOUT_TWO_ONE);
    layout_compute(90, 60, 3, autom, &l);    /* narrow and tall: stacked */
    assert_int_equal(l.arrangement, LAYOUT_STACK);
    /* narrow and short: stacking would cut the members table, so 2+1 */
    layout_compute(80, 24, 3, autom, &l);
    assert_int_equal(l.arrangement, LAYOUT_TWO_ONE);
    assert_int_equal(l.members.h, 5);
    /* nine members at 80x24: three across keeps all of them visible */
    layout_compute(80, 24, 9, autom, &l);
    assert_int_equal(l.arrangement, LAYOUT_THREE);
    assert_int_equal(l.member_rows, 9);
    /* a huge cluster is capped, panels keep their minimum */
    layout_compute(80, 24, 50, autom, &l);
    assert_int_equal(l.members.h, 24 - 3 - LAYOUT_PANEL_MIN_H - LAYOUT_ALERTS_MIN_H);
    assert_int_equal(l.latency.h, LAYOUT_PANEL_MIN_H);
    /* zero or negative members still get a one-line table ("no members") */
    layout_compute(120, 40, 0, autom, &l);
    assert_int_equal(l.members.h, 3);
    layout_compute(120, 40, -5, autom, &l);
    assert_int_equal(l.members.h, 3);
    /* tall terminal: panels at preferred height, the rest is alerts */
    layout_compute(200, 80, 3, autom, &l);
    assert_int_equal(l.latency.h, LAYOUT_PANEL_PREF_H);
    assert_int_equal(l.alerts.h, 80 - 3 - 5 - LAYOUT_PANEL_PREF_H);
    /* a forced arrangement that cannot fit falls back to the automatic one */
    layout_opts_t bogus = { (layout_arrangement_t)42 };
    layout_compute(200, 60, 3, bogus, &l);
    assert_int_equal(l.arrangement, LAYOUT_THREE);
}

static void test_detail_every_size(void **state)
{
    (void)state;
    for (int cols = 80; cols <= 250; cols++) {
        for (int rows = 24; rows <= 80; rows++) {
            for (int n = 0; n <= LAYOUT_MAX_GRAPHS + 2; n++) {
                layout_detail_t d;
                memset(&d, 0x5a, sizeof d);
                layout_detail_compute(cols, rows, n, &d);
                assert_false(d.too_small);
                assert_true(d.n_graphs >= 0 && d.n_graphs <= n &&
                            d.n_graphs <= LAYOUT_MAX_GRAPHS);
                rect_t r[3 + LAYOUT_MAX_GRAPHS];
                size_t k = 0;
                r[k++] = d.header;
                r[k++] = d.info;
                r[k++] = d.footer;
                for (int i = 0; i < d.n_graphs; i++) {
                    assert_true(d.graph[i].h >= LAYOUT_GRAPH_MIN_H);
                    r[k++] = d.graph[i];
                }
                check_rects(r, k, cols, rows, "detail");
                assert_true(d.header.y == 0 && d.header.x == 0 && d.header.w == cols);
                assert_int_equal(d.footer.y, rows - 1);
                /* at least two graphs always fit, and all of them on a big screen */
                if (n >= 2)
                    assert_true(d.n_graphs >= 2);
                if (n > 0 && cols >= 140 && rows >= 40)
                    assert_int_equal(d.n_graphs, n < LAYOUT_MAX_GRAPHS ? n : LAYOUT_MAX_GRAPHS);
                for (int i = d.n_graphs; i < LAYOUT_MAX_GRAPHS; i++)
                    assert_true(is_zero(d.graph[i]));
            }
        }
    }
}

static void test_detail_shapes(void **state)
{
    (void)state;
    layout_detail_t d;
    layout_detail_compute(160, 50, 3, &d); /* info left, 2 columns, odd last spans */
    assert_int_equal(d.info.w, LAYOUT_INFO_W);
    assert_int_equal(d.n_graphs, 3);
    assert_int_equal(d.graph[0].y, d.graph[1].y);
    assert_int_equal(d.graph[2].w, 160 - LAYOUT_INFO_W);
    layout_detail_compute(90, 40, 4, &d); /* info on top, one column */
    assert_int_equal(d.info.w, 90);
    assert_int_equal(d.info.h, LAYOUT_INFO_H);
    assert_int_equal(d.n_graphs, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(d.graph[i].w, 90);
    layout_detail_compute(80, 24, 8, &d);  /* only what fits */
    assert_int_equal(d.n_graphs, (24 - 3 - LAYOUT_INFO_H) / LAYOUT_GRAPH_MIN_H);
}

/* A members table like the UI's. */
static const layout_column_t table[] = {
    { "NAME", 12, 100, LAYOUT_COL_KEEP },
    { "ROLE", 8, 100, LAYOUT_COL_KEEP },
    { "UP", 4, 100, LAYOUT_COL_KEEP },
    { "ENDPOINT", 20, 50, LAYOUT_COL_GROW },
    { "ID", 16, 15, LAYOUT_COL_WIDE },
    { "VERSION", 8, 20, 0 },
    { "DB SIZE", 9, 80, 0 },
    { "P99", 8, 90, 0 },
    { "TERM", 6, 30, 0 },
    { "INDEX", 10, 60, 0 },
    { "ERRORS", 6, 40, 0 },
    { "CLIENT URLS", 30, 10, LAYOUT_COL_WIDE },
};
#define N_TABLE ((int)N_OF(table))

static bool chosen(const layout_columns_t *c, int idx)
{
    for (int i = 0; i < c->n; i++)
        if (c->index[i] == idx)
            return true;
    return false;
}

static void test_columns_sweep(void **state)
{
    (void)state;
    for (int wide = 0; wide <= 1; wide++) {
        int prev_n = 0;
        for (int width = 0; width <= 300; width++) {
            layout_columns_t c;
            int n = layout_choose_columns(table, N_TABLE, width, wide, &c);
            assert_int_equal(n, c.n);
            assert_true(n >= prev_n); /* more room never shows fewer columns */
            prev_n = n;
            assert_true(c.used <= width);
            for (int i = 0; i < n; i++) {
                assert_true(c.w[i] >= 1);
                assert_true(c.x[i] + c.w[i] <= width); /* nothing passes the edge */
                if (i > 0) {
                    assert_true(c.index[i] > c.index[i - 1]); /* table order */
                    assert_true(c.x[i] >= c.x[i - 1] + c.w[i - 1] + LAYOUT_COL_GAP);
                }
                if (!wide)
                    assert_false(table[c.index[i]].flags & LAYOUT_COL_WIDE);
            }
            /* the kept columns appear whenever they fit */
            if (width >= 12 + 1 + 8 + 1 + 4)
                assert_true(chosen(&c, 0) && chosen(&c, 1) && chosen(&c, 2));
            if (width >= 1)
                assert_true(chosen(&c, 0));
            /* priority order: no hidden column outranks a shown one */
            for (int i = 0; i < N_TABLE; i++) {
                if (chosen(&c, i) || (table[i].flags & LAYOUT_COL_KEEP))
                    continue;
                if (!wide && (table[i].flags & LAYOUT_COL_WIDE))
                    continue;
                for (int j = 0; j < N_TABLE; j++)
                    if (chosen(&c, j) && !(table[j].flags & LAYOUT_COL_KEEP))
                        assert_true(table[j].priority >= table[i].priority);
            }
            /* the GROW column takes the spare width */
            if (chosen(&c, 3) && width > 0)
                assert_int_equal(c.used, width);
        }
    }
}

static void test_columns_examples(void **state)
{
    (void)state;
    layout_columns_t c;
    int all = 0, narrow = 0;
    for (int i = 0; i < N_TABLE; i++) {
        all += table[i].min_width + (i ? 1 : 0);
        if (!(table[i].flags & LAYOUT_COL_WIDE))
            narrow += table[i].min_width + (narrow ? 1 : 0);
    }
    /* wide shows everything when it fits, the endpoint taking the slack */
    assert_int_equal(layout_choose_columns(table, N_TABLE, all, true, &c), N_TABLE);
    assert_int_equal(c.used, all);
    assert_int_equal(layout_choose_columns(table, N_TABLE, all + 10, true, &c), N_TABLE);
    assert_int_equal(c.w[3], 20 + 10);
    assert_int_equal(c.x[4], c.x[3] + 30 + 1);
    /* one cell short: the lowest priority (CLIENT URLS) goes first */
    assert_int_equal(layout_choose_columns(table, N_TABLE, all - 1, true, &c), N_TABLE - 1);
    assert_false(chosen(&c, 11));
    /* not wide: the wide-only columns stay hidden however wide */
    assert_int_equal(layout_choose_columns(table, N_TABLE, 1000, false, &c), N_TABLE - 2);
    assert_false(chosen(&c, 4) || chosen(&c, 11));
    assert_int_equal(layout_choose_columns(table, N_TABLE, narrow, false, &c), N_TABLE - 2);
    /* 80 columns: NAME ROLE UP ENDPOINT DBSIZE P99 INDEX = 12+8+4+20+9+8+10+6 gaps = 77
       (ERRORS at 40 would need 7 more, so it goes along with TERM and VERSION) */
    assert_int_equal(layout_choose_columns(table, N_TABLE, 80, false, &c), 7);
    const int want80[] = { 0, 1, 2, 3, 6, 7, 9 };
    for (int i = 0; i < 7; i++)
        assert_int_equal(c.index[i], want80[i]);
    assert_int_equal(c.used, 80);
    assert_int_equal(c.w[3], 23);
    /* too narrow for the kept columns: the one crossing the edge is narrowed */
    assert_int_equal(layout_choose_columns(table, N_TABLE, 16, false, &c), 2);
    assert_true(c.w[0] == 12 && c.x[1] == 13 && c.w[1] == 3);
    assert_int_equal(layout_choose_columns(table, N_TABLE, 13, false, &c), 1);
    assert_int_equal(c.w[0], 12);
    assert_int_equal(layout_choose_columns(table, N_TABLE, 5, false, &c), 1);
    assert_int_equal(c.w[0], 5);
    assert_int_equal(layout_choose_columns(table, N_TABLE, 0, false, &c), 0);
    /* ties: the later column goes first */
    const layout_column_t tie[] = { { "A", 5, 1, 0 }, { "B", 5, 1, 0 } };
    assert_int_equal(layout_choose_columns(tie, 2, 8, false, &c), 1);
    assert_int_equal(c.index[0], 0);
    /* bad input */
    assert_int_equal(layout_choose_columns(table, -1, 80, false, &c), -1);
    assert_int_equal(layout_choose_columns(table, LAYOUT_MAX_COLUMNS + 1, 80, false, &c), -1);
    assert_int_equal(c.n, 0);
    assert_int_equal(layout_choose_columns(NULL, 0, 80, false, &c), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_size),        cmocka_unit_test(test_too_small),
        cmocka_unit_test(test_arrangement_choice), cmocka_unit_test(test_detail_every_size),
        cmocka_unit_test(test_detail_shapes),     cmocka_unit_test(test_columns_sweep),
        cmocka_unit_test(test_columns_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
