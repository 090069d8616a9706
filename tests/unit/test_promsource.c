/* test_promsource.c — the Prometheus source without a network: the queries it
 * builds from a selector and windows, and Prometheus' answers (canned, in the
 * form Prometheus 2.42 writes them) into the snapshot: members from up, raw
 * families through the scrape's extractor (label values with quotes survive
 * the round trip), ids, the leader, window figures in ms, and the clear states
 * (a failed window query, Prometheus down, an empty up) with empty fields. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "promsource_internal.h"
#include "testutil.h"

static const int64_t windows[2] = { 10000, 60000 };

static promsource_t *source(loop_t *loop, const char *sel)
{
    promsource_config_t pc = { .url = "http://127.0.0.1:1/", .selector = sel, .n_windows = 2,
                               .window_ms = windows, .timeout_ms = 800,
                               .connect_timeout_ms = 500, .max_body = 1 << 20 };
    char err[200];
    promsource_t *p = promsource_new(&pc, loop, err, sizeof err);
    assert_non_null(p);
    return p;
}

static void test_queries(void **state)
{
    (void)state;
    loop_t *loop = loop_new();
    assert_non_null(loop);
    promsource_t *p = source(loop, "{job=\"etcd\"}");
    assert_string_equal(promsource_query(p, PQ_UP), "up{job=\"etcd\"}");
    assert_true(strncmp(promsource_query(p, PQ_RAW), "{job=\"etcd\",__name__=~\"", 23) == 0);
    assert_string_equal(promsource_query(p, PQ_GRPC),
                        "sum by (instance, grpc_code) (grpc_server_handled_total{job=\"etcd\"})");
    const char *w0 = promsource_query(p, PQ_WIN0);
    assert_non_null(strstr(w0, "label_replace(histogram_quantile(0.99, sum by (instance, le) "
                               "(rate(etcd_disk_wal_fsync_duration_seconds_bucket{job=\"etcd\"}"
                               "[10000ms]))), \"em_fig\", \"wal_p99\", \"\", \"\")"));
    assert_non_null(strstr(w0, "sum by (instance) (increase(etcd_disk_wal_fsync_duration_"
                               "seconds_count{job=\"etcd\"}[10000ms]))"));
    assert_non_null(strstr(promsource_query(p, PQ_WIN0 + 1), "[60000ms]"));
    assert_null(promsource_query(p, PQ_WIN0 + 2));     /* two windows, no more */

    const char *matrix = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
                         "\"result\":[]}}";
    promsource_answer(p, PQ_UP, matrix, strlen(matrix));
    assert_false(p->ok[PQ_UP]);
    assert_string_equal(p->err[PQ_UP], "prometheus: answer is not an instant vector");
    promsource_answer(p, PQ_UP, "<html>", 6);
    assert_false(p->ok[PQ_UP]);
    assert_true(strncmp(p->err[PQ_UP], "prometheus: bad JSON at line 1", 30) == 0);
    promsource_free(p);

    p = source(loop, "{ }");
    assert_string_equal(promsource_query(p, PQ_UP), "up{}");
    assert_true(strncmp(promsource_query(p, PQ_RAW), "{__name__=~\"", 12) == 0);
    promsource_free(p);

    promsource_config_t bad = { .url = "http://x", .selector = "job", .n_windows = 0 };
    char err[200];
    assert_null(promsource_new(&bad, loop, err, sizeof err));
    assert_string_equal(err, "--prometheus-selector: must be a label selector in braces, "
                             "e.g. {job=\"etcd\"}");
    loop_free(loop);
}

/* Answer i of p is body (a success), or failed with why (body NULL). */
static void answer(promsource_t *p, int i, const char *body, const char *why)
{
    p->err[i][0] = '\0';
    if (!body) {
        p->ok[i] = false;
        snprintf(p->err[i], sizeof p->err[i], "%s", why);
        return;
    }
    promsource_answer(p, i, body, strlen(body));
    assert_true(p->ok[i]);
}

#define VEC(series) "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" \
    series "]}}"
#define S(metric, v) "{\"metric\":{" metric "},\"value\":[1796526400.5,\"" v "\"]}"

static bool has_event(const cluster_snapshot_t *s, const char *line)
{
    for (int i = 0; i < s->events.n; i++)
        if (strcmp(s->events.line[i], line) == 0)
            return true;
    return false;
}

static void test_fill(void **state)
{
    (void)state;
    loop_t *loop = loop_new();
    assert_non_null(loop);
    promsource_t *p = source(loop, "{job=\"etcd\"}");
    p->poll_wall = 1796526400.0;
    answer(p, PQ_UP, VEC(S("\"__name__\":\"up\",\"instance\":\"b:2\"", "0") ","
                         S("\"__name__\":\"up\",\"instance\":\"a:1\"", "1")), NULL);
    answer(p, PQ_RAW, VEC(
        S("\"__name__\":\"etcd_mvcc_db_total_size_in_bytes\",\"instance\":\"a:1\"", "4096") ","
        S("\"__name__\":\"etcd_server_id\",\"instance\":\"a:1\",\"server_id\":\"ff\"", "1") ","
        S("\"__name__\":\"etcd_server_is_leader\",\"instance\":\"a:1\"", "1") ","
        S("\"__name__\":\"etcd_server_has_leader\",\"instance\":\"a:1\"", "1") ","
        S("\"__name__\":\"etcd_server_version\",\"instance\":\"a:1\","
          "\"server_version\":\"3.4.23\\\"x\\\\\"", "1") ","
        S("\"__name__\":\"etcd_disk_wal_fsync_duration_seconds_bucket\",\"instance\":\"a:1\","
          "\"le\":\"+Inf\"", "6") ","
        S("\"__name__\":\"etcd_disk_wal_fsync_duration_seconds_bucket\",\"instance\":\"a:1\","
          "\"le\":\"0.001\"", "5") ","
        S("\"__name__\":\"etcd_disk_wal_fsync_duration_seconds_count\",\"instance\":\"a:1\"",
          "6") ","
        S("\"__name__\":\"process_open_fds\",\"instance\":\"b:2\"", "NaN")), NULL);
    answer(p, PQ_GRPC, VEC(S("\"instance\":\"a:1\",\"grpc_code\":\"OK\"", "10") ","
                           S("\"instance\":\"a:1\",\"grpc_code\":\"Unavailable\"", "2")), NULL);
    answer(p, PQ_RTT, VEC(S("\"instance\":\"a:1\",\"le\":\"0.1\"", "3") ","
                          S("\"instance\":\"a:1\",\"le\":\"+Inf\"", "3")), NULL);
    answer(p, PQ_WIN0, VEC(S("\"instance\":\"a:1\",\"em_fig\":\"wal_p99\"", "0.00099") ","
                           S("\"instance\":\"a:1\",\"em_fig\":\"wal_n\"", "6") ","
                           S("\"instance\":\"a:1\",\"em_fig\":\"backend_p99\"", "NaN")), NULL);
    answer(p, PQ_WIN0 + 1, NULL, "prometheus: timeout after 0.8s");

    cluster_snapshot_t *s = calloc(1, sizeof *s);
    assert_non_null(s);
    promsource_fill(p, s);
    assert_int_equal(s->n_members, 2);
    const member_view_t *a = &s->members[0], *b = &s->members[1];
    assert_string_equal(a->name, "a:1");                 /* sorted by instance */
    assert_true(a->sample.up && a->sample.metrics_ok && a->sample.health_ok);
    assert_string_equal(a->sample.error, "");
    assert_int_equal(a->id, 0xff);
    assert_true(a->sample.m.db_size.ok);
    assert_float_equal(a->sample.m.db_size.v, 4096, 0);
    assert_true(a->iv.db_size.ok);
    assert_string_equal(a->sample.m.server_version, "3.4.23\"x\\");
    assert_float_equal(a->sample.m.grpc_handled[GRPC_OK], 10, 0);
    assert_float_equal(a->sample.m.grpc_handled[GRPC_UNAVAILABLE], 2, 0);
    assert_int_equal(a->sample.m.wal_fsync.n, 2);
    assert_float_equal(a->sample.m.wal_fsync.cum[0], 5, 0);
    assert_int_equal(a->sample.m.peer_rtt.n, 2);
    assert_false(a->sample.m.backend_commit.ok);          /* not in the answer: unknown */
    assert_false(a->sample.s.ok);                         /* no status call */
    assert_true(a->ext.on);
    assert_float_equal(a->ext.w[0].wal_p99, 0.99, 1e-9);  /* seconds to ms */
    assert_float_equal(a->ext.w[0].wal_n, 6, 0);
    assert_true(isnan(a->ext.w[0].backend_p99));
    assert_true(isnan(a->ext.w[0].wal_p50));
    assert_true(isnan(a->ext.w[1].wal_p99));              /* its query failed */

    assert_string_equal(b->name, "b:2");
    assert_false(b->sample.up);
    assert_false(b->sample.metrics_ok);
    assert_string_equal(b->sample.error, "prometheus: target down (up=0)");
    assert_false(b->iv.db_size.ok);
    assert_true(b->ext.on && isnan(b->ext.w[0].wal_p99));

    assert_int_equal(s->leader_id, 0xff);
    assert_string_equal(s->leader_name, "a:1");
    assert_int_equal(s->members_up, 1);
    assert_string_equal(s->source_error, "prometheus: timeout after 0.8s");
    assert_true(has_event(s, "member a:1 is up"));
    assert_true(has_event(s, "member b:2 is down: prometheus: target down (up=0)"));
    assert_true(has_event(s, "prometheus: timeout after 0.8s"));

    /* Prometheus down: the known members stay, down, with the reason. */
    for (int i = 0; i < p->n_q; i++)
        answer(p, i, NULL, "prometheus: connection refused");
    p->poll_wall += 1;
    promsource_fill(p, s);
    assert_int_equal(s->n_members, 2);
    assert_string_equal(s->source_error, "prometheus: connection refused");
    for (int i = 0; i < 2; i++) {
        assert_false(s->members[i].sample.up);
        assert_string_equal(s->members[i].sample.error, "prometheus: connection refused");
        assert_false(s->members[i].iv.db_size.ok);
        assert_true(isnan(s->members[i].ext.w[0].wal_p99));
    }
    assert_int_equal(s->leader_id, 0);
    assert_true(has_event(s, "member a:1 is down: prometheus: connection refused"));
    assert_true(has_event(s, "prometheus: connection refused"));

    /* Back, but the selector matches nothing: no members, said. */
    answer(p, PQ_UP, VEC(), NULL);
    promsource_fill(p, s);
    assert_int_equal(s->n_members, 0);
    assert_string_equal(s->source_error, "prometheus: no series match up{job=\"etcd\"}");
    assert_true(has_event(s, "member a:1 left prometheus' answer"));
    assert_false(s->db_size_mb.ok);
    assert_true(isnan(s->wal_p99_ms));

    /* Series without an instance label cannot be members: said, not silent. */
    for (int i = PQ_RAW; i < p->n_q; i++)
        answer(p, i, VEC(), NULL);
    answer(p, PQ_UP, VEC(S("\"__name__\":\"up\",\"job\":\"etcd\"", "1")), NULL);
    promsource_fill(p, s);
    assert_int_equal(s->n_members, 0);
    assert_string_equal(s->source_error,
                        "prometheus: no series of up{job=\"etcd\"} has an instance label");
    free(s);
    promsource_free(p);
    loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queries),
        cmocka_unit_test(test_fill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
