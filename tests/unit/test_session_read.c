/* Unit tests: the recorded-session reader (session_read.h) — rows written by
 * csvrow.c read back into the snapshot, alerts.log into active alerts,
 * malformed and truncated rows skipped and counted, histories filled. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "csvrow.h"
#include "session_read.h"

static char dir[] = "/tmp/test_session_XXXXXX";

static void put(const char *name, const char *text, const char *mode)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, mode);
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Poll k (t = 1765000000 + k) with members m1..m3, m3 down when down3. */
static void write_poll(int k, bool down3)
{
    static cluster_snapshot_t s;
    memset(&s, 0, sizeof s);
    s.t = 1765000000.0 + k;
    s.poll_ms = 9.5;
    s.n_members = 3;
    s.members_up = down3 ? 2 : 3;
    s.members_total = 3;
    s.leader_id = 0xb5d5;
    snprintf(s.leader_name, sizeof s.leader_name, "m1");
    s.raft_term = 2;
    s.status = down3 ? STATUS_WARNING : STATUS_HEALTHY;
    s.wal_p99_ms = s.backend_p99_ms = NAN;
    snprintf(s.alerts, sizeof s.alerts, "%s", down3 ? "MemberUnreachable" : "");
    for (int m = 0; m < 3; m++) {
        member_view_t *v = &s.members[m];
        snprintf(v->name, sizeof v->name, "m%d", m + 1);
        snprintf(v->endpoint, sizeof v->endpoint, "http://127.0.0.1:%d", 2379 + m);
        v->id = 0xb5d5 + (uint64_t)m;
        v->sample.up = !(down3 && m == 2);
        if (!v->sample.up)
            snprintf(v->sample.error, sizeof v->sample.error, "connect: refused, \"x\"");
        v->sample.s.ok = v->sample.up;
        v->sample.s.raft_term = 2;
        v->sample.s.raft_index = 100 + (uint64_t)k;
        v->iv.wal_p99_ms = 1.5 + k;
        v->iv.backend_p99_ms = v->iv.peer_rtt_p99_ms = NAN;
        v->iv.db_size = (mval_t){ 1000.0 * (k + 1), true };
        v->fig.probe_read_ms = v->fig.probe_write_ms = NAN;
        v->fig.apply_lag = v->fig.raft_index_lag = v->fig.quota_used_pct = NAN;
        v->disk_free_pct = NAN;
        v->log_slow = -1;
    }
    char row[CSVROW_MAX];
    size_t n = csvrow_metrics(&s, row, sizeof row);
    assert_true(n > 0);
    put("metrics.csv", row, "a");
    for (int m = 0; m < 3; m++) {
        n = csvrow_member(&s, &s.members[m], row, sizeof row);
        assert_true(n > 0);
        put("members.csv", row, "a");
    }
}

static void make_session(void)
{
    assert_non_null(mkdtemp(dir));
    put("metrics.csv", CSVROW_METRICS_HEADER, "w");
    put("members.csv", CSVROW_MEMBERS_HEADER, "w");
    for (int k = 0; k < 6; k++)
        write_poll(k, k >= 3);
    put("alerts.log",
        "2025-12-06T05:46:43.000Z FIRING warning MemberUnreachable member=m3 value=1 "
        "threshold=0 unit=-\n"
        "garbage line\n", "w");
    put("monitoring.log", "2025-12-06T05:46:43.000Z member m3 is down: refused\n", "w");
}

static void cleanup(void)
{
    const char *f[] = { "metrics.csv", "members.csv", "alerts.log", "monitoring.log" };
    char p[256];
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, f[i]);
        unlink(p);
    }
    rmdir(dir);
    memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);   /* the template again */
}

static void test_good(void **state)
{
    (void)state;
    make_session();
    char err[256];
    session_t *s = session_open(dir, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(session_polls(s), 6);
    assert_int_equal(session_skipped(s).alerts, 1);     /* the garbage line */
    assert_int_equal(session_skipped(s).metrics, 0);
    assert_true(session_time(s, 1) - session_time(s, 0) == 1.0);
    assert_int_equal(session_find(s, session_time(s, 4) + 0.5), 4);
    static cluster_snapshot_t snap;
    assert_int_equal(session_snapshot(s, 2, &snap), 0);
    assert_int_equal(snap.n_members, 3);
    assert_true(snap.members[2].sample.up);
    assert_int_equal(snap.status, STATUS_HEALTHY);
    assert_true(fabs(snap.members[0].iv.wal_p99_ms - 3.5) < 1e-9);
    assert_true(isnan(snap.members[0].iv.backend_p99_ms));       /* unknown stays unknown */
    assert_int_equal(session_snapshot(s, 3, &snap), 0);
    assert_false(snap.members[2].sample.up);
    assert_string_equal(snap.members[2].sample.error, "connect: refused, \"x\"");
    assert_string_equal(snap.leader_name, "m1");
    assert_int_equal(snap.members_up, 2);
    assert_int_equal(snap.events.n, 1);
    static alert_t a[8];
    assert_int_equal(session_alerts(s, 2, a, 8), 0);
    assert_int_equal(session_alerts(s, 3, a, 8), 1);
    assert_string_equal(a[0].rule, "MemberUnreachable");
    assert_string_equal(a[0].member, "m3");
    assert_int_equal(a[0].state, ALERT_FIRING);
    session_event_t ev[8];
    assert_int_equal(session_events(s, 2, ev, 8), 0);
    assert_int_equal(session_events(s, 5, ev, 8), 2);
    static history_set_t h;
    assert_int_equal(session_history(s, 4, &h), 0);
    double v[16];
    assert_int_equal(history_copy(&h, "m1", HIST_WAL_P99, v, 16), 5);
    assert_true(fabs(v[4] - 5.5) < 1e-9);
    assert_int_equal(history_copy(&h, "m3", HIST_WAL_P99, v, 16), 5);
    assert_true(isnan(v[4]));                                    /* down: a gap */
    /* played forward (3 then 4: one push) it is the same as rebuilt at 4 */
    static history_set_t g;
    double w[16];
    assert_int_equal(session_history(s, 3, &g), 0);
    assert_int_equal(history_copy(&g, "m1", HIST_WAL_P99, w, 16), 4);
    assert_int_equal(session_history(s, 4, &g), 0);
    for (int f = 0; f < HIST_COUNT; f++) {
        int n = history_copy(&h, "m1", (history_fig_t)f, v, 16);
        assert_int_equal(history_copy(&g, "m1", (history_fig_t)f, w, 16), n);
        for (int k = 0; k < n; k++)
            assert_true((isnan(v[k]) && isnan(w[k])) || v[k] == w[k]);
    }
    history_free(&g);
    history_free(&h);
    session_close(s);
    cleanup();
}

static void test_bad_rows(void **state)
{
    (void)state;
    make_session();
    put("metrics.csv", "not,a,row\n", "a");
    put("metrics.csv", "2025-12-06T05:46:59.000Z,\"open quote\n", "a");
    put("members.csv", "2025-13-06T05:46:59.000Z", "a");          /* truncated, bad month */
    put("metrics.csv", "2025-12-06T05:47:00.000Z,1.00,0.00,", "a");  /* truncated */
    char err[256];
    session_t *s = session_open(dir, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(session_polls(s), 6);
    assert_int_equal(session_skipped(s).metrics, 3);
    assert_int_equal(session_skipped(s).members, 1);
    assert_int_equal(session_skipped_total(s), 5);
    session_close(s);
    /* not a session: the header differs, or nothing is there */
    put("metrics.csv", "a,b\n", "w");
    assert_null(session_open(dir, err, sizeof err));
    assert_non_null(strstr(err, "not an etcd-monitor session"));
    cleanup();
    assert_null(session_open("/nonexistent-session", err, sizeof err));
}

static void test_time(void **state)
{
    (void)state;
    double t;
    assert_true(session_parse_time("1970-01-01T00:00:01.500Z", 24, &t));
    assert_true(t == 1.5);
    assert_true(session_parse_time("2000-03-01T00:00:00Z", 20, &t));
    assert_true(t == 951868800.0);
    assert_false(session_parse_time("2000-03-01T00:00:00", 19, &t));
    assert_false(session_parse_time("2000-03-01 00:00:00Z", 20, &t));
    assert_false(session_parse_time("", 0, &t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
