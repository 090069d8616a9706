/* test_serve.c — the serve layer's pure parts: JSON writers (unknown = null),
 * the exporter's text (HELP/TYPE, units, unknown figures left out, label
 * escaping), /health's verdict, the leader history, base64 and the
 * constant-time comparison. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "serve_internal.h"
#include "serve_json.h"

static void snap_one(cluster_snapshot_t *s)
{
    memset(s, 0, sizeof *s);
    s->t = 1760000000.25;
    s->n_members = 1;
    s->members_up = s->members_total = s->voters = s->voters_up = 1;
    s->leader_id = 1;
    s->n_windows = 1;
    s->window_ms[0] = 60000;
    member_view_t *m = &s->members[0];
    snprintf(m->name, sizeof m->name, "m\"1\\x");
    snprintf(m->endpoint, sizeof m->endpoint, "http://127.0.0.1:2379");
    m->id = 1;
    m->sample.up = true;
    m->iv.db_size = (mval_t){ 4096, true };
    m->fig.w[0].wal_p99 = 5;                 /* ms */
    m->fig.w[0].wal_p50 = NAN;
    m->fig.w[0].wal_p95 = NAN;
    m->fig.w[0].read_p99 = NAN;
    m->sample.probe_read_ms = NAN;
    m->sample.probe_write_ms = NAN;
    m->disk_free_pct = NAN;
    m->fig.quota_used_pct = NAN;
    m->fig.raft_index_lag = NAN;
    m->fig.apply_lag = NAN;
    for (int k = 0; k < FIG_MAX_WINDOWS; k++) {
        window_figures_t *w = &m->fig.w[k];
        if (k)
            memset(w, 0, sizeof *w);
        w->backend_p50 = w->backend_p95 = w->backend_p99 = w->peer_rtt_p99 = NAN;
        w->read_p50 = w->read_p95 = w->write_p50 = w->write_p95 = w->write_p99 = NAN;
    }
}

static void test_json_writers(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 4096);
    js_num(&b, NAN); sbuf_puts(&b, ",");
    js_num(&b, INFINITY); sbuf_puts(&b, ",");
    js_num(&b, 10485760); sbuf_puts(&b, ",");
    js_num(&b, 1.5); sbuf_puts(&b, ",");
    js_mval(&b, (mval_t){ 0, false }); sbuf_puts(&b, ",");
    js_str(&b, "a\"b\\\n\x01"); sbuf_puts(&b, ",");
    js_str_or_null(&b, ""); sbuf_puts(&b, ",");
    js_id(&b, 0x8e9e05c52164694dULL);
    assert_string_equal(b.data, "null,null,10485760,1.5,null,\"a\\\"b\\\\\\n\\u0001\",null,"
                                "\"8e9e05c52164694d\"");
    buf_free(&b);
}

static void test_exporter(void **state)
{
    (void)state;
    static cluster_snapshot_t s;
    leader_hist_t lh = { 0 };
    snap_one(&s);
    alert_t a = { .state = ALERT_FIRING, .severity = SEV_CRITICAL };
    snprintf(a.rule, sizeof a.rule, "QuorumLost");
    serve_view_t v = { .snap = &s, .active = &a, .n_active = 1, .leaders = &lh, .polls = 3,
                       .version = "t" };
    buf_t b;
    buf_init(&b, 1 << 20);
    exporter_render(&b, &v);
    const char *t = b.data;
    assert_non_null(strstr(t, "# HELP etcd_monitor_member_up "));
    assert_non_null(strstr(t, "# TYPE etcd_monitor_polls_total counter\netcd_monitor_polls_total 3\n"));
    /* the member label escaped; ms -> seconds; unknown quantiles left out */
    assert_non_null(strstr(t, "etcd_monitor_member_up{member=\"m\\\"1\\\\x\"} 1\n"));
    assert_non_null(strstr(t, "etcd_monitor_member_wal_fsync_duration_seconds{member=\"m\\\"1\\\\x\","
                              "window=\"1m\",q=\"0.99\"} 0.005\n"));
    assert_null(strstr(t, "q=\"0.5\"} "));
    assert_null(strstr(t, "NaN"));
    assert_null(strstr(t, "etcd_monitor_member_last_read_probe_duration_seconds{"));
    assert_non_null(strstr(t, "etcd_monitor_member_db_size_bytes{member=\"m\\\"1\\\\x\"} 4096\n"));
    assert_non_null(strstr(t, "etcd_monitor_alerts{alertname=\"QuorumLost\",alertstate=\"firing\","
                              "severity=\"critical\",member=\"\"} 1\n"));
    assert_non_null(strstr(t, "etcd_monitor_last_poll_timestamp_seconds 1760000000.250\n"));
    /* the same poll rendered again: the same text, no growth */
    size_t len = b.len, cap = b.cap;
    exporter_render(&b, &v);
    assert_int_equal(b.len, len);
    assert_int_equal(b.cap, cap);
    buf_free(&b);
}

static void test_health_reasons(void **state)
{
    (void)state;
    static cluster_snapshot_t s;
    leader_hist_t lh = { 0 };
    char r[SERVE_REASONS_LEN];
    snap_one(&s);
    serve_view_t v = { .snap = &s, .leaders = &lh };
    assert_true(render_health_reasons(&v, r, sizeof r));
    assert_string_equal(r, "[]");
    s.voters = 3;
    s.voters_up = 1;
    s.leader_id = 0;
    alert_t a = { .state = ALERT_FIRING, .severity = SEV_CRITICAL };
    snprintf(a.rule, sizeof a.rule, "EtcdNoLeader");
    v.active = &a;
    v.n_active = 1;
    assert_false(render_health_reasons(&v, r, sizeof r));
    assert_string_equal(r, "[\"quorum lost: 1 of 3 voting members up (2 needed)\",\"no leader\","
                           "\"critical alert firing: EtcdNoLeader\"]");
}

static void test_leader_hist(void **state)
{
    (void)state;
    static cluster_snapshot_t s;
    leader_hist_t h = { 0 };
    snap_one(&s);
    leader_hist_update(&h, &s);               /* first leader: not a change */
    assert_int_equal(h.total, 0);
    s.leader_id = 0;
    leader_hist_update(&h, &s);               /* none for a while */
    s.leader_id = 2;
    snprintf(s.leader_name, sizeof s.leader_name, "m2");
    s.t += 5;
    leader_hist_update(&h, &s);
    assert_int_equal(h.total, 1);
    assert_int_equal(h.ring[0].from_id, 1);
    assert_int_equal(h.ring[0].to_id, 2);
    assert_string_equal(h.ring[0].to, "m2");
    for (int i = 0; i < 40; i++) {
        s.leader_id = 3 + (uint64_t)(i % 2);
        leader_hist_update(&h, &s);
    }
    assert_int_equal(h.total, 41);
    assert_int_equal(h.n, SERVE_LEADER_HIST);
}

static void test_b64_secret(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 64);
    serve_b64_encode(&b, (const unsigned char *)"/config/app", 11);
    assert_string_equal(b.data, "L2NvbmZpZy9hcHA=");
    unsigned char out[32];
    assert_int_equal(serve_b64_decode(b.data, b.len, out), 11);
    assert_memory_equal(out, "/config/app", 11);
    assert_int_equal(serve_b64_decode("abc", 3, out), -1);
    assert_int_equal(serve_b64_decode("a=bc", 4, out), -1);
    assert_int_equal(serve_b64_decode("", 0, out), 0);
    buf_free(&b);
    assert_true(serve_secret_equal("abcdef", 6, "abcdef", 6));
    assert_false(serve_secret_equal("abcdef", 6, "abcdeg", 6));
    assert_false(serve_secret_equal("abcdef", 6, "abcdefg", 7));
    assert_false(serve_secret_equal("", 0, "", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_writers),
        cmocka_unit_test(test_exporter),
        cmocka_unit_test(test_health_reasons),
        cmocka_unit_test(test_leader_hist),
        cmocka_unit_test(test_b64_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
