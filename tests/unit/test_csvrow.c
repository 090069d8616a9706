/* Unit tests: metrics.csv / members.csv rows and URL normalization. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
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

/* The host figures (df -P, followed log) are the last two fields: empty when
 * not watched, the values when known. */
static void test_member_row_host_figures(void **state)
{
    (void)state;
    static cluster_snapshot_t s;
    member_view_t *m = one_member(&s);
    char row[CSVROW_MAX];
    size_t n = csvrow_member(&s, m, row, sizeof(row));
    assert_true(n > 2);
    assert_string_equal(row + n - 3, ",,\n");
    m->disk_free_pct = 42.5;
    m->log_slow = 0;
    n = csvrow_member(&s, m, row, sizeof(row));
    assert_true(n > 9);
    assert_string_equal(row + n - 9, ",42.50,0\n");
    assert_int_equal(count_fields(row), count_fields(CSVROW_MEMBERS_HEADER));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_timestamp),
        cmocka_unit_test(test_metrics_row_unknown_is_empty),
        cmocka_unit_test(test_member_row_quotes_error),
        cmocka_unit_test(test_member_row_host_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
