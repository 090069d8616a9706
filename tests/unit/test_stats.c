/* Unit tests: the stats engine — window figures from the rings, leader changes
 * as events, time without a leader, split view, lags, histories. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "stats.h"

static cluster_snapshot_t snap;
static const int64_t WINDOWS[] = { 10000, 60000 };

/* Three members answering, m1 leading; counters growing with time k. */
static void poll_fill(double t, int k, uint64_t leader)
{
    memset(&snap, 0, sizeof(snap));
    snap.t = t;
    snap.n_members = 3;
    for (int i = 0; i < 3; i++) {
        member_view_t *m = &snap.members[i];
        snprintf(m->name, sizeof(m->name), "m%d", i + 1);
        m->id = (uint64_t)(i + 1);
        member_sample_t *s = &m->sample;
        s->up = true;
        s->metrics_ok = true;
        s->probe_read_ms = 2.0 + i;
        s->probe_write_ms = NAN;
        s->s.ok = true;
        s->s.member_id = m->id;
        s->s.leader_id = leader;
        s->s.raft_term = 2;
        s->s.raft_index = 100 + (uint64_t)k * 10 + (uint64_t)i;   /* m3 is ahead... */
        s->s.raft_applied_index = 100 + (uint64_t)k * 10;
        s->s.db_size = 1000000 + k * 1000;
        s->s.db_size_in_use = 500000;
        s->m.leader_changes = (mval_t){ 1, true };
        s->m.proposals_committed = (mval_t){ 10.0 * k, true };
        s->m.quota = (mval_t){ 2000000, true };
        m->iv.db_size = (mval_t){ (double)s->s.db_size, true };
        m->iv.db_size_in_use = (mval_t){ 500000, true };
        m->iv.fragmentation_pct = (mval_t){ 50, true };
        m->iv.wal_p99_ms = NAN;
        m->iv.backend_p99_ms = m->iv.peer_rtt_p99_ms = NAN;
    }
    cluster_summarize(&snap);
}

static bool has_event(const char *needle)
{
    for (int i = 0; i < snap.events.n; i++)
        if (strstr(snap.events.line[i], needle))
            return true;
    return false;
}

static void test_windows_and_lags(void **state)
{
    (void)state;
    stats_t *st = stats_new(2, WINDOWS, 1000);
    assert_non_null(st);
    for (int k = 0; k <= 10; k++) {
        poll_fill(1000.0 + k, k, 1);
        stats_update(st, &snap);
    }
    assert_int_equal(snap.n_windows, 2);
    assert_int_equal(snap.window_ms[1], 60000);
    const member_figures_t *f = &snap.members[0].fig;
    /* 10 commits per second exactly, samples on both edges of [t-10s, t] */
    assert_float_equal(f->w[0].proposals_committed_rate, 10.0, 1e-9);
    /* db grows 1000 bytes per second: deriv is exact on a line */
    assert_float_equal(f->w[0].db_growth_per_s, 1000.0, 1e-6);
    /* quota 2,000,000 and size 1,010,000 at t: 990 s to go */
    assert_float_equal(f->w[0].quota_eta_s, 990.0, 1e-6);
    /* probe: constant 2 ms for m1 */
    assert_float_equal(f->w[0].read_p99, 2.0, 1e-9);
    assert_true(isnan(f->w[0].write_p99));             /* never probed: unknown */
    assert_true(isnan(f->w[0].wal_p99));               /* no histogram: unknown */
    /* lags: m3's index is 2 ahead of its applied index; leader m1 is 2 behind m3 */
    assert_float_equal(snap.members[2].fig.apply_lag, 2, 1e-9);
    assert_float_equal(snap.members[2].fig.raft_index_lag, -2, 1e-9);
    assert_float_equal(snap.members[0].fig.raft_index_lag, 0, 1e-9);
    assert_float_equal(snap.members[0].fig.quota_used_pct, 1010000 * 100.0 / 2000000, 1e-9);
    /* history: 11 polls of m2's read latency, oldest first */
    double h[STATS_HISTORY];
    assert_int_equal(stats_history(st, "m2", HIST_READ_MS, h, STATS_HISTORY), 11);
    assert_float_equal(h[0], 3.0, 1e-9);
    assert_int_equal(stats_history(st, "nobody", HIST_READ_MS, h, STATS_HISTORY), 0);
    stats_free(st);
}

/* Bit-identical, or both NaN. */
static void assert_same(double a, double b, const char *what, int k)
{
    if ((isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0)
        return;
    fail_msg("%s at poll %d: stats %.17g, from scratch %.17g", what, k, a, b);
}

/* The engine's incrementally slid windows give, poll after poll, what the
 * from-scratch PromQL functions give over a ring fed the same points: with
 * jittered times, a counter reset, polls with the member down, varying probes. */
static void test_windows_match_from_scratch(void **state)
{
    (void)state;
    stats_t *st = stats_new(2, WINDOWS, 1000);
    assert_non_null(st);
    series_t ref;
    assert_int_equal(series_init(&ref, 60000 / 1000 + 3), 0);   /* the engine's ring cap */
    double t = 1000.0;
    for (int k = 0; k < 400; k++) {
        t += 1.0 + (k % 7) * 0.013 + (k % 50 == 49 ? 20 : 0);
        poll_fill(t, k < 200 ? k : k - 200, 1);                 /* a reset at 200 */
        member_sample_t *ms = &snap.members[0].sample;
        ms->up = k % 31 < 28;
        ms->probe_read_ms = 1.0 + (k * 37 % 11) * 0.25;
        ms->s.db_size += (k % 13) * 4096;
        snap.members[0].iv.db_size.v = (double)ms->s.db_size;
        stats_update(st, &snap);
        int64_t t_ms = (int64_t)llround(t * 1000.0);
        if (ms->up) {
            point_t p;
            const hist_t *layouts[WH_COUNT] = { &ms->m.wal_fsync, &ms->m.backend_commit,
                                                &ms->m.peer_rtt };
            point_from_sample(&p, t_ms, ms, ms->probe_read_ms, ms->probe_write_ms);
            series_push(&ref, &p, layouts);
        }
        for (int w = 0; w < 2; w++) {
            const window_figures_t *f = &snap.members[0].fig.w[w];
            double v;
            int64_t r = WINDOWS[w];
            bool ok = promql_rate(&ref, WC_PROPOSALS_COMMITTED, t_ms, r, &v);
            assert_same(f->proposals_committed_rate, ok ? v : NAN, "rate", k);
            ok = promql_increase(&ref, WC_LEADER_CHANGES, t_ms, r, &v);
            assert_same(f->leader_changes, ok ? v : NAN, "increase", k);
            ok = promql_deriv(&ref, WG_DB_SIZE, t_ms, r, &v);
            assert_same(f->db_growth_per_s, ok ? v : NAN, "deriv", k);
            ok = promql_quantile_over_time(&ref, WG_PROBE_READ_MS, 0.95, t_ms, r, &v);
            assert_same(f->read_p95, ok ? v : NAN, "quantile_over_time", k);
        }
    }
    series_free(&ref);
    stats_free(st);
}

static void test_leader_change_event_and_no_leader(void **state)
{
    (void)state;
    stats_t *st = stats_new(2, WINDOWS, 1000);
    poll_fill(100, 0, 1);
    stats_update(st, &snap);
    assert_int_equal(snap.events.n, 0);
    assert_float_equal(snap.no_leader_s, 0, 1e-9);
    /* election in progress: nobody has a leader — said once */
    poll_fill(101, 1, 0);
    stats_update(st, &snap);
    assert_true(has_event("leader m1 lost"));
    poll_fill(104, 2, 0);
    stats_update(st, &snap);
    assert_int_equal(snap.events.n, 0);
    assert_float_equal(snap.no_leader_s, 3.0, 1e-9);
    /* m2 wins: old -> new */
    poll_fill(105, 3, 2);
    stats_update(st, &snap);
    assert_true(has_event("leader changed from m1 to m2"));
    assert_int_equal(snap.events.n, 1);
    assert_float_equal(snap.no_leader_s, 0, 1e-9);
    /* direct hand-over m2 -> m3 */
    poll_fill(106, 4, 3);
    stats_update(st, &snap);
    assert_true(has_event("leader changed from m2 to m3 (term 2)"));
    /* lost and the same member elected again */
    poll_fill(107, 5, 0);
    stats_update(st, &snap);
    poll_fill(108, 6, 3);
    stats_update(st, &snap);
    assert_true(has_event("leader m3 re-elected"));
    stats_free(st);
}

static void test_split_view(void **state)
{
    (void)state;
    stats_t *st = stats_new(2, WINDOWS, 1000);
    poll_fill(100, 0, 1);
    snap.members[2].sample.s.leader_id = 3;           /* m3 thinks it leads */
    stats_update(st, &snap);
    assert_true(snap.split_view);
    assert_true(has_event("split view"));
    poll_fill(101, 1, 1);
    stats_update(st, &snap);
    assert_false(snap.split_view);
    stats_free(st);
}

static void test_member_gone_and_back(void **state)
{
    (void)state;
    stats_t *st = stats_new(2, WINDOWS, 1000);
    for (int k = 0; k < 3; k++) {
        poll_fill(100 + k, k, 1);
        stats_update(st, &snap);
    }
    /* m3 leaves the snapshot: its ring is freed; it comes back with no history */
    poll_fill(103, 3, 1);
    snap.n_members = 2;
    stats_update(st, &snap);
    double h[8];
    assert_int_equal(stats_history(st, "m3", HIST_READ_MS, h, 8), 0);
    poll_fill(104, 4, 1);
    stats_update(st, &snap);
    assert_int_equal(stats_history(st, "m3", HIST_READ_MS, h, 8), 1);
    assert_true(isnan(snap.members[2].fig.w[0].proposals_committed_rate)); /* one point */
    /* a member that is down contributes no point and a gap in its history */
    poll_fill(105, 5, 1);
    snap.members[1].sample.up = false;
    stats_update(st, &snap);
    int n = stats_history(st, "m2", HIST_READ_MS, h, 8);
    assert_true(isnan(h[n - 1]));
    stats_free(st);
}

static void test_trend_report(void **state)
{
    (void)state;
    stats_t *st = stats_new(2, WINDOWS, 1000);
    char line[200];
    for (int k = 0; k < 10; k++) {
        poll_fill(100 + k, k, 1);
        for (int i = 0; i < 3; i++)
            snap.members[i].iv.fragmentation_pct.v = k < 9 ? 20 : 40;   /* jump at the end */
        stats_update(st, &snap);
        int r = stats_trend_report(st, &snap, line, sizeof(line));
        assert_int_equal(r, k == 9 ? 1 : 0);
    }
    assert_string_equal(line, "trend (last 10 samples): fragmentation increasing (~40%)");
    stats_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows_and_lags),
        cmocka_unit_test(test_windows_match_from_scratch),
        cmocka_unit_test(test_leader_change_event_and_no_leader),
        cmocka_unit_test(test_split_view),
        cmocka_unit_test(test_member_gone_and_back),
        cmocka_unit_test(test_trend_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
