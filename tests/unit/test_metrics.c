/* test_metrics.c — metrics_extract() on real etcd 3.4 captures and on small
 * hand-written bodies: values, histogram order and summing, gRPC codes, the
 * debugging-name fallback, all-or-nothing, unknown-stays-unknown. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "testutil.h"

static int extract_str(const char *body, metrics_sample_t *m, prom_error_t *err)
{
    return metrics_extract(body, strlen(body), m, err);
}

static void assert_mval(mval_t v, double want)
{
    if (!v.ok || v.v != want) {
        print_error("mval: ok=%d v=%.17g, want %.17g\n", v.ok, v.v, want);
        fail();
    }
}

/* Check a histogram's bounds and cumulative counts against expected arrays. */
static void assert_hist(const hist_t *h, int n, const double *le, const double *cum)
{
    assert_true(h->ok);
    assert_int_equal(h->n, n);
    for (int i = 0; i < n; i++) {
        if (h->le[i] != le[i] || h->cum[i] != cum[i]) {
            print_error("bucket %d: le=%g cum=%g, want le=%g cum=%g\n", i, h->le[i], h->cum[i],
                        le[i], cum[i]);
            fail();
        }
    }
}

static const double disk_le[15] = {
    0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512,
    1.024, 2.048, 4.096, 8.192, INFINITY,
};
static const double rtt_le[17] = {
    0.0001, 0.0002, 0.0004, 0.0008, 0.0016, 0.0032, 0.0064, 0.0128, 0.0256,
    0.0512, 0.1024, 0.2048, 0.4096, 0.8192, 1.6384, 3.2768, INFINITY,
};

/* Expected values below were read from the capture with grep, not computed by
 * the code under test. */
static void test_real_leader(void **state)
{
    (void)state;
    size_t len;
    char *body = test_slurp_exact("tests/data/etcd-3.4-leader.metrics", &len);
    assert_non_null(body);
    metrics_sample_t m;
    prom_error_t err;
    assert_int_equal(metrics_extract(body, len, &m, &err), 0);

    assert_mval(m.db_size, 122880);
    assert_mval(m.db_size_in_use, 122880);
    assert_mval(m.quota, 2147483648.0);
    assert_mval(m.has_leader, 1);
    assert_mval(m.is_leader, 1);
    assert_mval(m.leader_changes, 1);
    assert_mval(m.proposals_committed, 308);
    assert_mval(m.proposals_applied, 308);
    assert_mval(m.proposals_pending, 0);
    assert_mval(m.proposals_failed, 0);
    assert_mval(m.slow_applies, 0);
    assert_mval(m.slow_read_indexes, 0);
    assert_mval(m.heartbeat_failures, 0);
    assert_mval(m.watch_streams, 0);
    assert_mval(m.watchers, 0);
    assert_mval(m.rss, 48799744);
    assert_mval(m.cpu_seconds, 1.57);
    assert_mval(m.open_fds, 33);
    assert_string_equal(m.server_version, "3.4.23");

    /* 51 Range + 1 Status, everything else 0 */
    assert_true(m.grpc_ok);
    assert_true(m.grpc_handled[GRPC_OK] == 52);
    for (int i = 1; i < GRPC_CODE_COUNT; i++)
        assert_true(m.grpc_handled[i] == 0);

    static const double wal_cum[15] = { 174, 299, 307, 308, 308, 308, 308, 308,
                                        308, 308, 308, 308, 308, 308, 308 };
    assert_hist(&m.wal_fsync, 15, disk_le, wal_cum);
    assert_true(m.wal_fsync.sum == 0.3215393419999996);
    assert_true(m.wal_fsync.count == 308);
    assert_true(isinf(m.wal_fsync.le[14]));

    static const double commit_cum[15] = { 16, 97, 161, 185, 186, 186, 186, 186,
                                           186, 186, 186, 186, 186, 186, 186 };
    assert_hist(&m.backend_commit, 15, disk_le, commit_cum);
    assert_true(m.backend_commit.sum == 0.43914204799999995);
    assert_true(m.backend_commit.count == 186);

    /* two peers (To=1af8..., To=6fe1...), 1+1 at 0.0004 and 2+2 from 0.0008 */
    static const double rtt_cum[17] = { 0, 0, 2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4 };
    assert_hist(&m.peer_rtt, 17, rtt_le, rtt_cum);
    assert_true(m.peer_rtt.sum == 0.0 + 0.0007973749999999999 + 0.000729735);
    assert_true(m.peer_rtt.count == 4);
    free(body);
}

static void test_real_follower(void **state)
{
    (void)state;
    size_t len;
    char *body = test_slurp_exact("tests/data/etcd-3.4-follower.metrics", &len);
    assert_non_null(body);
    metrics_sample_t m;
    prom_error_t err;
    assert_int_equal(metrics_extract(body, len, &m, &err), 0);

    assert_mval(m.is_leader, 0);
    assert_mval(m.has_leader, 1);
    assert_mval(m.db_size, 122880);
    assert_mval(m.proposals_committed, 308);
    assert_mval(m.rss, 54460416);
    assert_mval(m.cpu_seconds, 1.82);
    assert_mval(m.open_fds, 32);
    assert_string_equal(m.server_version, "3.4.23");

    /* 300 Put + 1 Range + 1 Status OK, one Range OutOfRange */
    assert_true(m.grpc_ok);
    assert_true(m.grpc_handled[GRPC_OK] == 302);
    assert_true(m.grpc_handled[GRPC_OUT_OF_RANGE] == 1);
    assert_true(m.grpc_handled[GRPC_UNAVAILABLE] == 0);

    static const double wal_cum[15] = { 263, 303, 307, 307, 307, 307, 307, 307,
                                        307, 307, 307, 307, 307, 307, 307 };
    assert_hist(&m.wal_fsync, 15, disk_le, wal_cum);
    assert_true(m.wal_fsync.sum == 0.23072515399999996);
    assert_true(m.wal_fsync.count == 307);

    static const double rtt_cum[17] = { 0, 2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4 };
    assert_hist(&m.peer_rtt, 17, rtt_le, rtt_cum);
    assert_true(m.peer_rtt.count == 4);
    free(body);
}

/* Counting every sample of the captures with want=NULL matches grep's count
 * of sample lines (non-comment, non-blank). */
static void count_cb(const prom_sample_t *s, void *ctx)
{
    (void)s;
    (*(int *)ctx)++;
}

static void test_real_sample_counts(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        int         samples;
    } files[] = {
        { "tests/data/etcd-3.4-leader.metrics", 1290 },
        { "tests/data/etcd-3.4-follower.metrics", 1289 },
    };
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        char *body = test_slurp_exact(files[i].path, &len);
        assert_non_null(body);
        int n = 0;
        prom_error_t err;
        assert_int_equal(prom_parse(body, len, NULL, count_cb, &n, &err), 0);
        assert_int_equal(n, files[i].samples);
        free(body);
    }
}

static void test_peer_rtt_sums_over_peers(void **state)
{
    (void)state;
    /* peer B lists its buckets out of order and has one bound peer A lacks */
    const char *body =
        "# TYPE etcd_network_peer_round_trip_time_seconds histogram\n"
        "etcd_network_peer_round_trip_time_seconds_bucket{To=\"a\",le=\"0.001\"} 1\n"
        "etcd_network_peer_round_trip_time_seconds_bucket{To=\"a\",le=\"0.01\"} 3\n"
        "etcd_network_peer_round_trip_time_seconds_bucket{To=\"a\",le=\"+Inf\"} 4\n"
        "etcd_network_peer_round_trip_time_seconds_sum{To=\"a\"} 0.5\n"
        "etcd_network_peer_round_trip_time_seconds_count{To=\"a\"} 4\n"
        "etcd_network_peer_round_trip_time_seconds_bucket{le=\"+Inf\",To=\"b\"} 20\n"
        "etcd_network_peer_round_trip_time_seconds_bucket{le=\"0.01\",To=\"b\"} 15\n"
        "etcd_network_peer_round_trip_time_seconds_bucket{le=\"0.005\",To=\"b\"} 12\n"
        "etcd_network_peer_round_trip_time_seconds_bucket{le=\"0.001\",To=\"b\"} 10\n"
        "etcd_network_peer_round_trip_time_seconds_sum{To=\"b\"} 1.25\n"
        "etcd_network_peer_round_trip_time_seconds_count{To=\"b\"} 20\n";
    metrics_sample_t m;
    prom_error_t err;
    assert_int_equal(extract_str(body, &m, &err), 0);
    static const double le[4] = { 0.001, 0.005, 0.01, INFINITY };
    static const double cum[4] = { 11, 12, 18, 24 };
    assert_hist(&m.peer_rtt, 4, le, cum);
    assert_true(m.peer_rtt.sum == 1.75);
    assert_true(m.peer_rtt.count == 24);
    assert_false(m.wal_fsync.ok);
    assert_false(m.backend_commit.ok);
}

static void test_histogram_without_inf(void **state)
{
    (void)state;
    const char *body =
        "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"1\"} 5\n"
        "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.5\"} 2\n";
    metrics_sample_t m;
    prom_error_t err;
    assert_int_equal(extract_str(body, &m, &err), 0);
    static const double le[2] = { 0.5, 1 };
    static const double cum[2] = { 2, 5 };
    assert_hist(&m.wal_fsync, 2, le, cum);
    assert_false(isinf(m.wal_fsync.le[1]));   /* last bound is 1, no +Inf invented */
    assert_true(m.wal_fsync.count == 0);   /* no _count line: nothing invented */
}

static void test_too_many_buckets(void **state)
{
    (void)state;
    static char body[16384];
    size_t n = 0;
    for (int i = 0; i <= HIST_MAX_BUCKETS; i++)   /* one bound too many */
        n += (size_t)snprintf(body + n, sizeof body - n,
                              "etcd_disk_backend_commit_duration_seconds_bucket{le=\"%d\"} %d\n",
                              i + 1, i);
    for (int i = 0; i < HIST_MAX_BUCKETS; i++)    /* exactly the maximum */
        n += (size_t)snprintf(body + n, sizeof body - n,
                              "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"%d\"} %d\n",
                              i + 1, i);
    snprintf(body + n, sizeof body - n, "etcd_server_has_leader 1\n");
    metrics_sample_t m;
    prom_error_t err;
    assert_int_equal(extract_str(body, &m, &err), 0);   /* not a parse error */
    assert_false(m.backend_commit.ok);
    assert_int_equal(m.backend_commit.n, 0);
    assert_true(m.wal_fsync.ok);
    assert_int_equal(m.wal_fsync.n, HIST_MAX_BUCKETS);
    assert_true(m.wal_fsync.le[HIST_MAX_BUCKETS - 1] == HIST_MAX_BUCKETS);
    assert_mval(m.has_leader, 1);
}

static void test_bad_le_marks_histogram_unknown(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.1\"} 1\n"
        "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"fast\"} 2\n",
        "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.1\"} 1\n"
        "etcd_disk_wal_fsync_duration_seconds_bucket{x=\"1\"} 2\n",
        "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"NaN\"} 2\n",
        "etcd_disk_wal_fsync_duration_seconds_sum 2\n"
        "etcd_disk_wal_fsync_duration_seconds_count 2\n",   /* no buckets at all */
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        metrics_sample_t m;
        prom_error_t err;
        assert_int_equal(extract_str(bodies[i], &m, &err), 0);
        assert_false(m.wal_fsync.ok);
        assert_int_equal(m.wal_fsync.n, 0);
    }
}

static void test_grpc_code_sums(void **state)
{
    (void)state;
    const char *body =
        "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Put\"} 10\n"
        "grpc_server_handled_total{grpc_method=\"Range\",grpc_code=\"OK\"} 5\n"
        "grpc_server_handled_total{grpc_code=\"Unavailable\",grpc_method=\"Put\"} 2\n"
        "grpc_server_handled_total{grpc_code=\"Unavailable\",grpc_method=\"Txn\"} 3\n"
        "grpc_server_handled_total{grpc_code=\"Unauthenticated\",grpc_method=\"Txn\"} 7\n"
        "grpc_server_handled_total{grpc_code=\"DeadlineExceeded\",grpc_method=\"Txn\"} 1\n"
        "grpc_server_handled_total{grpc_code=\"DataLoss\",grpc_method=\"Txn\"} 4\n"
        "grpc_server_handled_total{grpc_code=\"Canceled\",grpc_method=\"Watch\"} 6\n"
        "grpc_server_handled_total{grpc_code=\"FailedPrecondition\",grpc_method=\"Txn\"} 8\n"
        "grpc_server_handled_total{grpc_code=\"Bogus\",grpc_method=\"Txn\"} 100\n"
        "grpc_server_handled_total{grpc_method=\"Txn\"} 1000\n"
        "grpc_server_started_total{grpc_code=\"OK\"} 99999\n";
    metrics_sample_t m;
    prom_error_t err;
    assert_int_equal(extract_str(body, &m, &err), 0);
    assert_true(m.grpc_ok);
    double want[GRPC_CODE_COUNT] = { 0 };
    want[GRPC_OK] = 15;
    want[GRPC_UNAVAILABLE] = 5;
    want[GRPC_UNAUTHENTICATED] = 7;
    want[GRPC_DEADLINE_EXCEEDED] = 1;
    want[GRPC_DATA_LOSS] = 4;
    want[GRPC_CANCELED] = 6;
    want[GRPC_FAILED_PRECONDITION] = 8;
    for (int i = 0; i < GRPC_CODE_COUNT; i++) {
        if (m.grpc_handled[i] != want[i]) {
            print_error("grpc code %d: %g, want %g\n", i, m.grpc_handled[i], want[i]);
            fail();
        }
    }
}

/* Every code name lands in its own slot. */
static void test_grpc_every_code(void **state)
{
    (void)state;
    static const char *const names[GRPC_CODE_COUNT] = {
        "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
        "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
        "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss",
        "Unauthenticated",
    };
    static char body[4096];
    size_t n = 0;
    for (int i = 0; i < GRPC_CODE_COUNT; i++)
        n += (size_t)snprintf(body + n, sizeof body - n,
                              "grpc_server_handled_total{grpc_code=\"%s\"} %d\n", names[i],
                              i + 1);
    metrics_sample_t m;
    prom_error_t err;
    assert_int_equal(extract_str(body, &m, &err), 0);
    for (int i = 0; i < GRPC_CODE_COUNT; i++)
        assert_true(m.grpc_handled[i] == i + 1);
}

static void test_db_size_fallback(void **state)
{
    (void)state;
    metrics_sample_t m;
    prom_error_t err;
    /* only the debugging name: used */
    assert_int_equal(extract_str("etcd_debugging_mvcc_db_total_size_in_bytes 4096\n"
                                 "etcd_debugging_mvcc_db_total_size_in_use_in_bytes 2048\n",
                                 &m, &err), 0);
    assert_mval(m.db_size, 4096);
    assert_mval(m.db_size_in_use, 2048);
    /* both: the stable name wins whichever comes first */
    assert_int_equal(extract_str("etcd_debugging_mvcc_db_total_size_in_bytes 4096\n"
                                 "etcd_mvcc_db_total_size_in_bytes 8192\n", &m, &err), 0);
    assert_mval(m.db_size, 8192);
    assert_false(m.db_size_in_use.ok);
    assert_int_equal(extract_str("etcd_mvcc_db_total_size_in_bytes 8192\n"
                                 "etcd_debugging_mvcc_db_total_size_in_bytes 4096\n", &m, &err), 0);
    assert_mval(m.db_size, 8192);
}

static void test_all_or_nothing(void **state)
{
    (void)state;
    size_t len;
    char *good = test_slurp_exact("tests/data/etcd-3.4-leader.metrics", &len);
    assert_non_null(good);
    metrics_sample_t m, before;
    prom_error_t err;
    assert_int_equal(metrics_extract(good, len, &m, &err), 0);
    memcpy(&before, &m, sizeof m);

    /* a body whose first lines are valid and would change m */
    const char *bad =
        "etcd_server_is_leader 0\n"
        "etcd_mvcc_db_total_size_in_bytes 1\n"
        "grpc_server_handled_total{grpc_code=\"OK\"} 1000\n"
        "etcd_server_version{server_version=\"9.9.9\"} 1\n"
        "etcd_server_has_leader{a=\"1\" 0\n";
    assert_int_equal(extract_str(bad, &m, &err), -1);
    assert_int_equal(err.line, 5);
    assert_int_equal(err.col, 30);
    assert_memory_equal(&m, &before, sizeof m);

    /* the real body cut in the middle of a label value */
    const char *cut = strstr(good, "grpc_code=\"Unavailable\"");
    assert_non_null(cut);
    assert_int_equal(metrics_extract(good, (size_t)(cut - good) + 13, &m, &err), -1);
    assert_memory_equal(&m, &before, sizeof m);
    free(good);
}

static void test_unknown_stays_unknown(void **state)
{
    (void)state;
    metrics_sample_t m;
    memset(&m, 0xA5, sizeof m);
    prom_error_t err;
    assert_int_equal(extract_str("# only one family\netcd_server_has_leader 1\n"
                                 "some_other_metric 5\n", &m, &err), 0);
    assert_mval(m.has_leader, 1);
    mval_t *all[] = {
        &m.db_size, &m.db_size_in_use, &m.quota, &m.is_leader, &m.leader_changes,
        &m.proposals_committed, &m.proposals_applied, &m.proposals_pending,
        &m.proposals_failed, &m.slow_applies, &m.slow_read_indexes, &m.heartbeat_failures,
        &m.watch_streams, &m.watchers, &m.rss, &m.cpu_seconds, &m.open_fds,
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        assert_false(all[i]->ok);
    assert_false(m.grpc_ok);
    assert_false(m.wal_fsync.ok);
    assert_false(m.backend_commit.ok);
    assert_false(m.peer_rtt.ok);
    assert_string_equal(m.server_version, "");

    /* an empty body is valid and knows nothing */
    assert_int_equal(metrics_extract("", 0, &m, &err), 0);
    assert_false(m.has_leader.ok);
}

/* Special values are kept as reported: NaN stays NaN (known but not a number). */
static void test_special_values_kept(void **state)
{
    (void)state;
    metrics_sample_t m;
    prom_error_t err;
    assert_int_equal(extract_str("etcd_server_proposals_pending NaN\n"
                                 "etcd_server_quota_backend_bytes +Inf\n", &m, &err), 0);
    assert_true(m.proposals_pending.ok && isnan(m.proposals_pending.v));
    assert_true(m.quota.ok && isinf(m.quota.v));
}

static void test_server_version_sanitised(void **state)
{
    (void)state;
    metrics_sample_t m;
    prom_error_t err;
    /* escapes resolved; a control byte (ESC, newline) never reaches the terminal */
    assert_int_equal(extract_str("etcd_server_version{server_version=\"3.5\\n\x1b[2J\"} 1\n",
                                 &m, &err), 0);
    assert_string_equal(m.server_version, "3.5??[2J");
    /* too long: cut to 31 bytes, never inside a UTF-8 sequence */
    assert_int_equal(extract_str("etcd_server_version{server_version="
                                 "\"123456789012345678901234567890\xc3\xa9xyz\"} 1\n", &m, &err), 0);
    assert_string_equal(m.server_version, "123456789012345678901234567890");
    assert_int_equal(extract_str("etcd_server_version{server_version="
                                 "\"12345678901234567890123456789\xc3\xa9xyz\"} 1\n", &m, &err), 0);
    assert_string_equal(m.server_version, "12345678901234567890123456789\xc3\xa9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_leader),
        cmocka_unit_test(test_real_follower),
        cmocka_unit_test(test_real_sample_counts),
        cmocka_unit_test(test_peer_rtt_sums_over_peers),
        cmocka_unit_test(test_histogram_without_inf),
        cmocka_unit_test(test_too_many_buckets),
        cmocka_unit_test(test_bad_le_marks_histogram_unknown),
        cmocka_unit_test(test_grpc_code_sums),
        cmocka_unit_test(test_grpc_every_code),
        cmocka_unit_test(test_db_size_fallback),
        cmocka_unit_test(test_all_or_nothing),
        cmocka_unit_test(test_unknown_stays_unknown),
        cmocka_unit_test(test_special_values_kept),
        cmocka_unit_test(test_server_version_sanitised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
