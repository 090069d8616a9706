/* Unit tests: metrics.csv / members.csv rows and URL normalization. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "collector.h"
#include "csvrow.h"
#include "format.h"

static const char SEED_HEADER[] =
    "timestamp,db_size_mb,fragmentation_pct,leader_changes,slow_ops,wal_latency_ms,"
    "backend_latency_ms,status";
static const char MEMBERS_REQUIRED[] =
    "timestamp,member,endpoint,up,error,is_leader,leader_id,raft_term,raft_index,"
    "raft_applied_index,db_size_bytes,db_size_in_use_bytes,fragmentation_pct,quota_bytes,"
    "leader_changes_total,proposals_committed_total,proposals_applied_total,"
    "proposals_pending,proposals_failed_total,wal_fsync_p50_ms,wal_fsync_p95_ms,"
    "wal_fsync_p99_ms,backend_commit_p50_ms,backend_commit_p95_ms,backend_commit_p99_ms,"
    "peer_rtt_p99_ms,rss_bytes,open_fds";

static int count_fields(const char *line)
{
    int n = 1;
    bool q = false;
    for (const char *p = line; *p && *p != '\n'; p++) {
        if (*p == '"')
            q = !q;
        else if (*p == ',' && !q)
            n++;
    }
    return n;
}

/* The n-th (0-based) field of a CSV line without quoted commas. */
static void field(const char *line, int n, char *out, size_t cap)
{
    const char *p = line;
    for (int i = 0; i < n && p; i++) {
        p = strchr(p, ',');
        if (p)
            p++;
    }
    size_t len = p ? strcspn(p, ",\n") : 0;
    snprintf(out, cap, "%.*s", (int)len, p ? p : "");
}

static void test_headers(void **state)
{
    (void)state;
    assert_memory_equal(CSVROW_METRICS_HEADER, SEED_HEADER, strlen(SEED_HEADER));
    assert_memory_equal(CSVROW_MEMBERS_HEADER, MEMBERS_REQUIRED, strlen(MEMBERS_REQUIRED));
}

static void test_timestamp(void **state)
{
    (void)state;
    char ts[40];
    format_timestamp(ts, sizeof(ts), 1795442709.1234, true, 0);
    assert_string_equal(ts, "2026-11-23T14:05:09.123Z");
    format_timestamp(ts, sizeof(ts), 1795442709.123, true, 0);      /* .123 is .12299... in binary */
    assert_string_equal(ts, "2026-11-23T14:05:09.123Z");
    format_timestamp(ts, sizeof(ts), 1795442709.9996, true, 0);     /* rounds into the next second */
    assert_string_equal(ts, "2026-11-23T14:05:10.000Z");
}

static void test_metrics_row_unknown_is_empty(void **state)
{
    (void)state;
    static cluster_snapshot_t s;
    memset(&s, 0, sizeof(s));
    s.t = 1795442709.5;
    s.wal_p99_ms = NAN;
    s.backend_p99_ms = 4.25;
    s.db_size_mb = (mval_t){ 1.5, true };
    s.status = STATUS_WARNING;
    s.members_up = 2;
    s.members_total = 3;
    snprintf(s.alerts, sizeof(s.alerts), "MEMBER_DOWN");
    char row[CSVROW_MAX];
    size_t n = csvrow_metrics(&s, row, sizeof(row));
    assert_true(n > 0);
    assert_int_equal(row[n - 1], '\n');
    assert_int_equal(count_fields(row), count_fields(CSVROW_METRICS_HEADER));
    char f[64];
    field(row, 1, f, sizeof(f));
    assert_string_equal(f, "1.50");
    field(row, 2, f, sizeof(f));
    assert_string_equal(f, "");        /* fragmentation unknown */
    field(row, 5, f, sizeof(f));
    assert_string_equal(f, "");        /* wal unknown: empty, never 0 */
    field(row, 6, f, sizeof(f));
    assert_string_equal(f, "4.250");
    field(row, 7, f, sizeof(f));
    assert_string_equal(f, "WARNING");
    /* no scheduled benchmark ended: its two columns (the last) are empty */
    s.ops.bench_ops_per_s = s.ops.bench_p99_ms = NAN;
    n = csvrow_metrics(&s, row, sizeof(row));
    assert_true(n > 0);
    int nf = count_fields(CSVROW_METRICS_HEADER);
    field(CSVROW_METRICS_HEADER, nf - 2, f, sizeof(f));
    assert_string_equal(f, "bench_ops_per_s");
    field(CSVROW_METRICS_HEADER, nf - 1, f, sizeof(f));
    assert_string_equal(f, "bench_p99_ms");
    field(row, nf - 2, f, sizeof(f));
    assert_string_equal(f, "");
    field(row, nf - 1, f, sizeof(f));
    assert_string_equal(f, "");
    /* one ended: ops/s and p99 */
    s.ops.bench_ops_per_s = 812.34;
    s.ops.bench_p99_ms = 7.5;
    n = csvrow_metrics(&s, row, sizeof(row));
    assert_true(n > 0);
    field(row, nf - 2, f, sizeof(f));
    assert_string_equal(f, "812.3");
    field(row, nf - 1, f, sizeof(f));
    assert_string_equal(f, "7.500");
}

/* A snapshot of one member, m1, whose figures are all unknown. */
static member_view_t *one_member(cluster_snapshot_t *s)
{
    memset(s, 0, sizeof(*s));
    member_view_t *m = &s->members[0];
    s->n_members = 1;
    snprintf(m->name, sizeof(m->name), "m1");
    snprintf(m->endpoint, sizeof(m->endpoint), "http://127.0.0.1:2379");
    m->iv.wal_p50_ms = m->iv.wal_p95_ms = m->iv.wal_p99_ms = NAN;
    m->iv.backend_p50_ms = m->iv.backend_p95_ms = m->iv.backend_p99_ms = NAN;
    m->iv.peer_rtt_p99_ms = NAN;
    m->disk_free_pct = NAN;
    m->log_slow = -1;
    return m;
}

static void test_member_row_quotes_error(void **state)
{
    (void)state;
    static cluster_snapshot_t s;
    member_view_t *m = one_member(&s);
    snprintf(m->sample.error, sizeof(m->sample.error), "metrics: HTTP 500, \"oops\"");
    char row[CSVROW_MAX];
    size_t n = csvrow_member(&s, m, row, sizeof(row));
    assert_true(n > 0);
    assert_non_null(strstr(row, ",\"metrics: HTTP 500, \"\"oops\"\"\","));
    assert_int_equal(count_fields(row), count_fields(CSVROW_MEMBERS_HEADER));
    /* A buffer too small gives no row at all rather than a torn one. */
    assert_int_equal(csvrow_member(&s, m, row, 40), 0);
}

/* The host figures (df -P, followed log, the host's memory) are the last three
 * fields: empty when not watched, the values when known. */
static void test_member_row_host_figures(void **state)
{
    (void)state;
    static cluster_snapshot_t s;
    member_view_t *m = one_member(&s);
    char row[CSVROW_MAX];
    size_t n = csvrow_member(&s, m, row, sizeof(row));
    assert_true(n > 2);
    assert_string_equal(row + n - 4, ",,,\n");
    m->disk_free_pct = 42.5;
    m->log_slow = 0;
    m->host_mem_bytes = 8589934592.0;
    n = csvrow_member(&s, m, row, sizeof(row));
    assert_true(n > 20);
    assert_string_equal(row + n - 20, ",42.50,0,8589934592\n");
    assert_int_equal(count_fields(row), count_fields(CSVROW_MEMBERS_HEADER));
}

/* Names, endpoints and errors come from the network: in the row they are plain
 * text (no control character, one line) and quoted by RFC 4180 when they hold a
 * comma or a quote. */
static void test_member_row_hostile_text(void **state)
{
    (void)state;
    static cluster_snapshot_t s;
    member_view_t *m = one_member(&s);
    snprintf(m->name, sizeof(m->name), "\x1b]0;pwned\x07\x1b[2J");
    snprintf(m->endpoint, sizeof(m->endpoint), "http://a\nb,c\"d:2379");
    snprintf(m->sample.error, sizeof(m->sample.error), "bad \xc2\x9b" "2J \xff\r\n");
    char row[CSVROW_MAX];
    size_t n = csvrow_member(&s, m, row, sizeof(row));
    assert_true(n > 0);
    assert_ptr_equal(strchr(row, '\n'), row + n - 1);       /* one line */
    for (size_t i = 0; i + 1 < n; i++)
        assert_true((unsigned char)row[i] >= 0x20 && row[i] != 0x7f);
    assert_non_null(strstr(row, ",\\x1b]0;pwned\\x07\\x1b[2J,"));
    assert_non_null(strstr(row, ",\"http://a\\nb,c\"\"d:2379\","));
    assert_non_null(strstr(row, ",bad \\u009b2J \xef\xbf\xbd\\r\\n,"));
    assert_int_equal(count_fields(row), count_fields(CSVROW_MEMBERS_HEADER));

    static cluster_snapshot_t c;
    memset(&c, 0, sizeof(c));
    c.wal_p99_ms = c.backend_p99_ms = NAN;
    snprintf(c.leader_name, sizeof(c.leader_name), "a\nb,c\"d");
    n = csvrow_metrics(&c, row, sizeof(row));
    assert_true(n > 0);
    assert_ptr_equal(strchr(row, '\n'), row + n - 1);
    assert_non_null(strstr(row, ",\"a\\nb,c\"\"d\","));
    assert_int_equal(count_fields(row), count_fields(CSVROW_METRICS_HEADER));
}

/* 1e308 and friends: bounded, readable numbers, and the row is written. */
static void test_rows_extreme_values(void **state)
{
    (void)state;
    static cluster_snapshot_t s;
    member_view_t *m = one_member(&s);
    m->iv.db_size = (mval_t){ 1e308, true };
    m->iv.db_size_in_use = (mval_t){ 1e-308, true };
    m->iv.fragmentation_pct = (mval_t){ NAN, true };
    m->sample.m.quota = (mval_t){ INFINITY, true };
    m->sample.m.leader_changes = (mval_t){ -INFINITY, true };
    m->sample.m.proposals_committed = (mval_t){ 1.2345678901234567e300, true };
    m->sample.m.proposals_applied = (mval_t){ 999999999999999.0, true };
    m->sample.m.proposals_pending = (mval_t){ -DBL_MAX, true };
    m->sample.m.rss = (mval_t){ 0.1 + 0.2, true };
    m->iv.wal_p99_ms = 1e308;
    char row[CSVROW_MAX], f[64];
    size_t n = csvrow_member(&s, m, row, sizeof(row));
    assert_true(n > 0);
    assert_int_equal(count_fields(row), count_fields(CSVROW_MEMBERS_HEADER));
    field(row, 10, f, sizeof f);
    assert_string_equal(f, "1e+308");                   /* db_size_bytes */
    field(row, 11, f, sizeof f);
    assert_string_equal(f, "0");                        /* 1e-308 with 0 decimals */
    field(row, 12, f, sizeof f);
    assert_string_equal(f, "");                         /* NaN: unknown */
    field(row, 13, f, sizeof f);
    assert_string_equal(f, "inf");
    field(row, 14, f, sizeof f);
    assert_string_equal(f, "-inf");
    field(row, 15, f, sizeof f);
    assert_string_equal(f, "1.2345678901234567e+300"); /* %.15g would not read back */
    field(row, 16, f, sizeof f);
    assert_string_equal(f, "999999999999999");
    field(row, 17, f, sizeof f);
    assert_string_equal(f, "-1.7976931348623157e+308");
    field(row, 21, f, sizeof f);
    assert_string_equal(f, "1e+308");                   /* wal_fsync_p99_ms */

    static cluster_snapshot_t c;
    memset(&c, 0, sizeof(c));
    c.db_size_mb = (mval_t){ 1e308 / 1048576.0, true };
    c.fragmentation_pct = (mval_t){ -1e308, true };
    c.wal_p99_ms = INFINITY;
    c.backend_p99_ms = 1e-308;
    n = csvrow_metrics(&c, row, sizeof(row));
    assert_true(n > 0);
    assert_true(n < 400);
    field(row, 2, f, sizeof f);
    assert_string_equal(f, "-1e+308");
    field(row, 5, f, sizeof f);
    assert_string_equal(f, "inf");
    field(row, 6, f, sizeof f);
    assert_string_equal(f, "0.000");
}

/* Whole numbers are written without printf: byte for byte what "%.*f" prints,
 * -0 and the largest below 1e15 included; ids as "%016" PRIx64. */
static void test_member_row_whole_numbers(void **state)
{
    (void)state;
    static cluster_snapshot_t s;
    member_view_t *m = one_member(&s);
    static const double vals[] = { 0.0, -0.0, 1.0, -1.0, 7.0, 10.0, 100.0, 123456789.0,
                                   -987654321.0, 4294967296.0, 999999999999999.0,
                                   -999999999999999.0, 0.5, -2.25, 1e-7 };
    static const struct { int col, decimals; } cols[] = {
        { 10, 0 }, { 12, 2 }, { 37, 3 },   /* db_size_bytes, fragmentation_pct, interval_s */
    };
    char row[CSVROW_MAX], f[64], want[64];
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        m->iv.db_size = (mval_t){ vals[i], true };
        m->iv.fragmentation_pct = (mval_t){ vals[i], true };
        m->iv.seconds = vals[i];
        m->id = (uint64_t)0xab << (8 * (i % 8));
        size_t n = csvrow_member(&s, m, row, sizeof(row));
        assert_true(n > 0);
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
            field(row, cols[c].col, f, sizeof f);
            if (cols[c].col == 37 && !(vals[i] > 0)) {
                assert_string_equal(f, "");           /* interval_s: only when > 0 */
                continue;
            }
            snprintf(want, sizeof want, "%.*f", cols[c].decimals, vals[i]);
            assert_string_equal(f, want);
        }
        field(row, 28, f, sizeof f);                  /* member_id */
        snprintf(want, sizeof want, "%016" PRIx64, m->id);
        assert_string_equal(f, want);
    }
}

#define WORST (-1.2345678901234567e+308)

/* Every field of the row at its longest: it still fits in CSVROW_MAX. */
static void test_rows_worst_case_fit(void **state)
{
    (void)state;
    static cluster_snapshot_t s;
    member_view_t *m = one_member(&s);
    const mval_t w = { WORST, true };
    member_sample_t *sm = &m->sample;
    memset(m->name, '"', sizeof(m->name) - 1);
    memset(m->endpoint, '"', sizeof(m->endpoint) - 1);
    memset(sm->error, '"', sizeof(sm->error) - 1);
    memset(sm->s.version, '"', sizeof(sm->s.version) - 1);
    sm->up = sm->health_ok = m->is_learner = true;
    sm->s.ok = true;
    sm->s.leader_id = sm->s.member_id = m->id = UINT64_MAX;
    sm->s.raft_term = sm->s.raft_index = sm->s.raft_applied_index = UINT64_MAX;
    m->iv.db_size = m->iv.db_size_in_use = m->iv.fragmentation_pct = w;
    metrics_sample_t *mm = &sm->m;
    mm->quota = mm->leader_changes = mm->proposals_committed = mm->proposals_applied = w;
    mm->proposals_pending = mm->proposals_failed = mm->rss = mm->open_fds = w;
    mm->slow_applies = mm->slow_read_indexes = mm->heartbeat_failures = w;
    mm->cpu_seconds = mm->watchers = mm->is_leader = w;
    m->iv.wal_p50_ms = m->iv.wal_p95_ms = m->iv.wal_p99_ms = WORST;
    m->iv.backend_p50_ms = m->iv.backend_p95_ms = m->iv.backend_p99_ms = WORST;
    m->iv.peer_rtt_p99_ms = WORST;
    m->iv.seconds = -WORST;
    member_figures_t *fg = &m->fig;
    fg->probe_read_ms = fg->probe_write_ms = fg->apply_lag = fg->raft_index_lag = WORST;
    fg->quota_used_pct = WORST;
    s.n_windows = 1;
    window_figures_t *w1 = &fg->w[0];
    w1->wal_p99 = w1->backend_p99 = w1->peer_rtt_p99 = w1->read_p99 = w1->write_p99 = WORST;
    w1->leader_changes = w1->proposals_failed_rate = w1->grpc_failed_ratio = WORST;
    w1->db_growth_per_s = WORST / 3600.0;
    w1->quota_eta_s = WORST;
    m->disk_free_pct = WORST;
    m->log_slow = INT_MAX;
    m->host_mem_bytes = WORST;
    s.t = 1795442709.5;
    char row[CSVROW_MAX];
    size_t n = csvrow_member(&s, m, row, sizeof(row));
    assert_true(n > 0);
    assert_int_equal(count_fields(row), count_fields(CSVROW_MEMBERS_HEADER));
    assert_true(count_fields(CSVROW_MEMBERS_HEADER) <= CSVROW_FIELDS);

    s.db_size_mb = s.fragmentation_pct = s.leader_changes = s.slow_ops = w;
    s.wal_p99_ms = s.backend_p99_ms = WORST;
    s.status = STATUS_WARNING;
    s.members_up = s.members_total = INT_MIN;
    s.leader_id = s.raft_term = UINT64_MAX;
    memset(s.leader_name, '"', sizeof(s.leader_name) - 1);
    s.n_alarms = CLUSTER_MAX_ALARMS;
    for (int i = 0; i < s.n_alarms; i++) {
        memset(s.alarms[i].alarm, '"', sizeof(s.alarms[i].alarm) - 1);
        s.alarms[i].member_id = UINT64_MAX;
    }
    memset(s.alerts, '"', sizeof(s.alerts) - 1);
    memset(s.alert_events, '"', sizeof(s.alert_events) - 1);
    s.poll_ms = WORST;
    n = csvrow_metrics(&s, row, sizeof(row));
    assert_true(n > 0);
    assert_int_equal(count_fields(row), count_fields(CSVROW_METRICS_HEADER));
    assert_true(count_fields(CSVROW_METRICS_HEADER) <= CSVROW_FIELDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_timestamp),
        cmocka_unit_test(test_metrics_row_unknown_is_empty),
        cmocka_unit_test(test_member_row_quotes_error),
        cmocka_unit_test(test_member_row_host_figures),
        cmocka_unit_test(test_member_row_hostile_text),
        cmocka_unit_test(test_rows_extreme_values),
        cmocka_unit_test(test_member_row_whole_numbers),
        cmocka_unit_test(test_rows_worst_case_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
