/* test_window.c — the ring of points (series_*) and point_from_sample(). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "window.h"

/* A point at t_ms with counter WC_PROPOSALS_COMMITTED = v and, when hist is
 * true, histogram WH_WAL_FSYNC with cumulative counts v, v+1, ... */
static point_t pt(int64_t t_ms, double v, bool hist)
{
    point_t p;
    memset(&p, 0, sizeof p);
    p.t_ms = t_ms;
    p.counter[WC_PROPOSALS_COMMITTED] = v;
    p.counter_ok = 1u << WC_PROPOSALS_COMMITTED;
    if (hist) {
        for (int b = 0; b < WINDOW_HIST_BUCKETS; b++)
            p.hcum[WH_WAL_FSYNC][b] = v + b;
        p.hist_ok = 1u << WH_WAL_FSYNC;
    }
    return p;
}

/* A layout of n buckets: bounds first, first*2, ..., the last +Inf. */
static hist_t layout(int n, double first)
{
    hist_t h;
    memset(&h, 0, sizeof h);
    h.n = n;
    h.ok = true;
    for (int i = 0; i < n; i++)
        h.le[i] = i == n - 1 ? INFINITY : first * ldexp(1, i);
    return h;
}

static void test_init_rejects_bad_cap(void **state)
{
    (void)state;
    series_t s;
    assert_int_equal(series_init(&s, 0), -1);
    assert_int_equal(series_init(&s, -3), -1);
    assert_null(s.head);
    series_free(&s); /* harmless on a failed init */
    assert_int_equal(series_init(&s, 4), 0);
    assert_int_equal(s.cap, 4);
    assert_int_equal(s.n, 0);
    assert_null(series_at(&s, 0));
    series_free(&s);
    assert_null(s.head);
}

/* cap 5, 12 pushes at t = 1..12 s: the ring keeps 8..12, oldest first. */
static void test_wrap_around(void **state)
{
    (void)state;
    series_t s;
    assert_int_equal(series_init(&s, 5), 0);
    for (int i = 1; i <= 12; i++) {
        point_t p = pt(i * 1000, i * 10.0, false);
        series_push(&s, &p, NULL);
        assert_int_equal(s.n, i < 5 ? i : 5);
        /* the newest is always last */
        assert_int_equal(series_at(&s, s.n - 1)->t_ms, i * 1000);
    }
    for (int i = 0; i < 5; i++) {
        const point_t *p = series_at(&s, i);
        assert_non_null(p);
        assert_int_equal(p->t_ms, (8 + i) * 1000);
        assert_true(p->counter[WC_PROPOSALS_COMMITTED] == (8 + i) * 10.0);
    }
    assert_null(series_at(&s, 5));
    assert_null(series_at(&s, -1));
    series_clear(&s);
    assert_int_equal(s.n, 0);
    assert_null(series_at(&s, 0));
    point_t p = pt(500, 1, false); /* after a clear, any time is new */
    series_push(&s, &p, NULL);
    assert_int_equal(s.n, 1);
    assert_int_equal(series_at(&s, 0)->t_ms, 500);
    series_free(&s);
}

/* Like Prometheus' TSDB: a duplicate timestamp keeps the first sample, an
 * older one is rejected. */
static void test_not_newer_is_ignored(void **state)
{
    (void)state;
    series_t s;
    assert_int_equal(series_init(&s, 4), 0);
    point_t a = pt(2000, 1, false), dup = pt(2000, 2, false), old = pt(1999, 3, false);
    series_push(&s, &a, NULL);
    series_push(&s, &dup, NULL);
    series_push(&s, &old, NULL);
    assert_int_equal(s.n, 1);
    assert_true(series_at(&s, 0)->counter[WC_PROPOSALS_COMMITTED] == 1);
    series_free(&s);
}

static void test_layout_kept_and_changed(void **state)
{
    (void)state;
    series_t s;
    assert_int_equal(series_init(&s, 8), 0);
    hist_t a = layout(4, 0.001);
    const hist_t *la[WH_COUNT] = { [WH_WAL_FSYNC] = &a };
    for (int i = 0; i < 3; i++) {
        point_t p = pt(1000 * (i + 1), i, true);
        series_push(&s, &p, la);
    }
    assert_int_equal(s.hn[WH_WAL_FSYNC], 4);
    assert_true(s.hle[WH_WAL_FSYNC][0] == 0.001 && isinf(s.hle[WH_WAL_FSYNC][3]));
    for (int i = 0; i < 3; i++)
        assert_true(series_at(&s, i)->hist_ok & (1u << WH_WAL_FSYNC));

    /* same bounds again (another hist_t object): history kept */
    hist_t a2 = layout(4, 0.001);
    const hist_t *la2[WH_COUNT] = { [WH_WAL_FSYNC] = &a2 };
    point_t p4 = pt(4000, 4, true);
    series_push(&s, &p4, la2);
    for (int i = 0; i < 4; i++)
        assert_true(series_at(&s, i)->hist_ok & (1u << WH_WAL_FSYNC));

    /* more buckets: the older history of that histogram is dropped, the
     * counters and the point's other fields stay */
    hist_t b = layout(6, 0.001);
    const hist_t *lb[WH_COUNT] = { [WH_WAL_FSYNC] = &b };
    point_t p5 = pt(5000, 5, true);
    series_push(&s, &p5, lb);
    assert_int_equal(s.n, 5);
    assert_int_equal(s.hn[WH_WAL_FSYNC], 6);
    for (int i = 0; i < 4; i++) {
        assert_false(series_at(&s, i)->hist_ok & (1u << WH_WAL_FSYNC));
        assert_true(series_at(&s, i)->counter_ok & (1u << WC_PROPOSALS_COMMITTED));
    }
    assert_true(series_at(&s, 4)->hist_ok & (1u << WH_WAL_FSYNC));

    /* same count, different bounds: dropped again */
    hist_t c = layout(6, 0.002);
    const hist_t *lc[WH_COUNT] = { [WH_WAL_FSYNC] = &c };
    point_t p6 = pt(6000, 6, true);
    series_push(&s, &p6, lc);
    assert_false(series_at(&s, 4)->hist_ok & (1u << WH_WAL_FSYNC));
    assert_true(series_at(&s, 5)->hist_ok & (1u << WH_WAL_FSYNC));
    assert_true(s.hle[WH_WAL_FSYNC][0] == 0.002);
    series_free(&s);
}

/* A histogram without a usable layout is not stored; nor is one with more
 * buckets than a point holds (truncating would change its quantiles). */
static void test_unusable_layout(void **state)
{
    (void)state;
    series_t s;
    assert_int_equal(series_init(&s, 8), 0);
    hist_t a = layout(4, 0.001);
    const hist_t *la[WH_COUNT] = { [WH_WAL_FSYNC] = &a };
    point_t p1 = pt(1000, 1, true);
    series_push(&s, &p1, la);

    point_t p2 = pt(2000, 2, true);
    series_push(&s, &p2, NULL); /* no layouts at all */
    hist_t big = layout(WINDOW_HIST_BUCKETS + 1, 0.001);
    const hist_t *lbig[WH_COUNT] = { [WH_WAL_FSYNC] = &big };
    point_t p3 = pt(3000, 3, true);
    series_push(&s, &p3, lbig);
    hist_t unknown = layout(4, 0.001);
    unknown.ok = false;
    const hist_t *lu[WH_COUNT] = { [WH_WAL_FSYNC] = &unknown };
    point_t p4 = pt(4000, 4, true);
    series_push(&s, &p4, lu);

    assert_int_equal(s.n, 4);
    assert_true(series_at(&s, 0)->hist_ok & (1u << WH_WAL_FSYNC)); /* kept */
    for (int i = 1; i < 4; i++)
        assert_false(series_at(&s, i)->hist_ok & (1u << WH_WAL_FSYNC));
    assert_int_equal(s.hn[WH_WAL_FSYNC], 4); /* stored layout unchanged */
    series_free(&s);
}

/* A member sample with every figure known. */
static member_sample_t full_sample(void)
{
    member_sample_t m;
    memset(&m, 0, sizeof m);
    m.up = m.metrics_ok = true;
    metrics_sample_t *x = &m.m;
#define SET(f, val) (x->f.v = (val), x->f.ok = true)
    SET(db_size, 1000);
    SET(db_size_in_use, 800);
    SET(quota, 2e9);
    SET(has_leader, 1);
    SET(is_leader, 0);
    SET(leader_changes, 3);
    SET(proposals_committed, 100);
    SET(proposals_applied, 99);
    SET(proposals_pending, 2);
    SET(proposals_failed, 1);
    SET(slow_applies, 4);
    SET(slow_read_indexes, 5);
    SET(heartbeat_failures, 6);
    SET(watchers, 7);
    SET(rss, 5e7);
    SET(cpu_seconds, 12.5);
    SET(open_fds, 42);
#undef SET
    for (int c = 0; c < GRPC_CODE_COUNT; c++)
        x->grpc_handled[c] = (double)(1 << c); /* code c counts 2^c */
    x->grpc_ok = true;
    x->wal_fsync = layout(3, 0.001);
    x->wal_fsync.cum[0] = 1, x->wal_fsync.cum[1] = 2, x->wal_fsync.cum[2] = 3;
    m.s.ok = true;
    m.s.db_size = 4096;
    m.s.db_size_in_use = 2048;
    m.s.raft_index = 77;
    m.s.raft_applied_index = 76;
    m.s.raft_term = 9;
    return m;
}

static void test_point_from_sample(void **state)
{
    (void)state;
    member_sample_t m = full_sample();
    point_t p;
    point_from_sample(&p, 1234567, &m, 1.5, NAN);
    assert_int_equal(p.t_ms, 1234567);
    assert_int_equal(p.counter_ok, (1u << WC_COUNT) - 1);
    assert_true(p.counter[WC_LEADER_CHANGES] == 3);
    assert_true(p.counter[WC_PROPOSALS_COMMITTED] == 100);
    assert_true(p.counter[WC_PROPOSALS_APPLIED] == 99);
    assert_true(p.counter[WC_PROPOSALS_FAILED] == 1);
    assert_true(p.counter[WC_SLOW_APPLIES] == 4);
    assert_true(p.counter[WC_SLOW_READ_INDEXES] == 5);
    assert_true(p.counter[WC_HEARTBEAT_FAILURES] == 6);
    assert_true(p.counter[WC_CPU_SECONDS] == 12.5);
    /* all 17 codes: 2^17 - 1 */
    assert_true(p.counter[WC_GRPC_TOTAL] == 131071);
    /* Unknown 2^2 + DeadlineExceeded 2^4 + ResourceExhausted 2^8 +
     * FailedPrecondition 2^9 + Internal 2^13 + Unavailable 2^14 +
     * DataLoss 2^15 = 4 + 16 + 256 + 512 + 8192 + 16384 + 32768 = 58132 */
    assert_true(p.counter[WC_GRPC_FAILED] == 58132);

    /* every gauge but the write probe (NaN) */
    assert_int_equal(p.gauge_ok, ((1u << WG_COUNT) - 1) & ~(1u << WG_PROBE_WRITE_MS));
    assert_true(p.gauge[WG_DB_SIZE] == 4096); /* status wins */
    assert_true(p.gauge[WG_DB_SIZE_IN_USE] == 2048);
    assert_true(p.gauge[WG_QUOTA] == 2e9);
    assert_true(p.gauge[WG_PROPOSALS_PENDING] == 2);
    assert_true(p.gauge[WG_RSS] == 5e7);
    assert_true(p.gauge[WG_OPEN_FDS] == 42);
    assert_true(p.gauge[WG_WATCHERS] == 7);
    assert_true(p.gauge[WG_RAFT_INDEX] == 77);
    assert_true(p.gauge[WG_RAFT_APPLIED_INDEX] == 76);
    assert_true(p.gauge[WG_RAFT_TERM] == 9);
    assert_true(p.gauge[WG_IS_LEADER] == 0);
    assert_true(p.gauge[WG_HAS_LEADER] == 1);
    assert_true(p.gauge[WG_PROBE_READ_MS] == 1.5);

    assert_int_equal(p.hist_ok, 1u << WH_WAL_FSYNC);
    assert_true(p.hcum[WH_WAL_FSYNC][0] == 1 && p.hcum[WH_WAL_FSYNC][2] == 3);
}

/* Without status: db sizes from /metrics, no raft figures. */
static void test_point_without_status(void **state)
{
    (void)state;
    member_sample_t m = full_sample();
    m.s.ok = false;
    point_t p;
    point_from_sample(&p, 1, &m, NAN, 3);
    assert_true(p.gauge[WG_DB_SIZE] == 1000);
    assert_true(p.gauge[WG_DB_SIZE_IN_USE] == 800);
    assert_false(p.gauge_ok & (1u << WG_RAFT_INDEX));
    assert_false(p.gauge_ok & (1u << WG_RAFT_APPLIED_INDEX));
    assert_false(p.gauge_ok & (1u << WG_RAFT_TERM));
    assert_false(p.gauge_ok & (1u << WG_PROBE_READ_MS));
    assert_true(p.gauge_ok & (1u << WG_PROBE_WRITE_MS));
    assert_true(p.gauge[WG_PROBE_WRITE_MS] == 3);
}

/* /metrics failed: only status and probe figures are known; a figure absent
 * from /metrics (ok false) is unknown, never 0. */
static void test_point_without_metrics(void **state)
{
    (void)state;
    member_sample_t m = full_sample();
    m.metrics_ok = false;
    point_t p;
    point_from_sample(&p, 1, &m, 2, NAN);
    assert_int_equal(p.counter_ok, 0);
    assert_int_equal(p.hist_ok, 0);
    assert_int_equal(p.gauge_ok, 1u << WG_DB_SIZE | 1u << WG_DB_SIZE_IN_USE |
                                     1u << WG_RAFT_INDEX | 1u << WG_RAFT_APPLIED_INDEX |
                                     1u << WG_RAFT_TERM | 1u << WG_PROBE_READ_MS);

    m = full_sample();
    m.m.rss.ok = false;
    m.m.grpc_ok = false;
    m.m.wal_fsync.ok = false;
    point_from_sample(&p, 1, &m, NAN, NAN);
    assert_false(p.gauge_ok & (1u << WG_RSS));
    assert_false(p.counter_ok & (1u << WC_GRPC_TOTAL));
    assert_false(p.counter_ok & (1u << WC_GRPC_FAILED));
    assert_int_equal(p.hist_ok, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_rejects_bad_cap),
        cmocka_unit_test(test_wrap_around),
        cmocka_unit_test(test_not_newer_is_ignored),
        cmocka_unit_test(test_layout_kept_and_changed),
        cmocka_unit_test(test_unusable_layout),
        cmocka_unit_test(test_point_from_sample),
        cmocka_unit_test(test_point_without_status),
        cmocka_unit_test(test_point_without_metrics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
