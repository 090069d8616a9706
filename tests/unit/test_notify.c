/* test_notify.c — the pure parts of alert delivery: the retry policy
 * (verdicts, backoff with jitter, Retry-After), the bounded queue, header-safe
 * text, the dedup key, and the alerts: settings (channel checks, silences,
 * hosts of URLs for logs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "notify_internal.h"

static void test_verdict(void **state)
{
    (void)state;
    assert_int_equal(notify_verdict(false, CURLE_OK, 200), NV_OK);
    assert_int_equal(notify_verdict(false, CURLE_OK, 202), NV_OK);
    assert_int_equal(notify_verdict(false, CURLE_OK, 500), NV_RETRY);
    assert_int_equal(notify_verdict(false, CURLE_OK, 503), NV_RETRY);
    assert_int_equal(notify_verdict(false, CURLE_OK, 429), NV_RETRY);
    assert_int_equal(notify_verdict(false, CURLE_OK, 400), NV_FAIL);
    assert_int_equal(notify_verdict(false, CURLE_OK, 404), NV_FAIL);
    assert_int_equal(notify_verdict(false, CURLE_OK, 301), NV_FAIL);
    assert_int_equal(notify_verdict(false, CURLE_COULDNT_CONNECT, 0), NV_RETRY);
    assert_int_equal(notify_verdict(false, CURLE_OPERATION_TIMEDOUT, 0), NV_RETRY);
    assert_int_equal(notify_verdict(false, CURLE_PEER_FAILED_VERIFICATION, 0), NV_FAIL);
    assert_int_equal(notify_verdict(true, CURLE_OK, 250), NV_OK);
    assert_int_equal(notify_verdict(true, CURLE_LOGIN_DENIED, 535), NV_FAIL);
    assert_int_equal(notify_verdict(true, CURLE_USE_SSL_FAILED, 0), NV_FAIL);
    assert_int_equal(notify_verdict(true, CURLE_SEND_ERROR, 451), NV_RETRY);
    assert_int_equal(notify_verdict(true, CURLE_SEND_ERROR, 550), NV_FAIL);
    assert_int_equal(notify_verdict(true, CURLE_COULDNT_CONNECT, 0), NV_RETRY);
}

static void test_backoff(void **state)
{
    (void)state;
    assert_true(fabs(notify_backoff_s(1, 0.5) - 1.0) < 1e-9);
    assert_true(fabs(notify_backoff_s(2, 0.5) - 2.0) < 1e-9);
    assert_true(fabs(notify_backoff_s(3, 0.0) - 2.0) < 1e-9);   /* 4 s * 0.5 */
    assert_true(notify_backoff_s(3, 0.999) < 6.0);
    assert_true(fabs(notify_backoff_s(20, 0.5) - 60.0) < 1e-9); /* capped */
    for (int t = 1; t < 10; t++)
        for (double u = 0; u < 1; u += 0.1) {
            double d = notify_backoff_s(t, u);
            assert_true(d >= 0.5 && d <= 90.0);
        }
}

static void test_retry_after(void **state)
{
    (void)state;
    assert_true(notify_retry_after_s("2", 0) == 2.0);
    assert_true(notify_retry_after_s(" 120 \r\n", 0) == 120.0);
    assert_true(notify_retry_after_s("99999", 0) == 3600.0);
    assert_true(notify_retry_after_s("", 0) < 0);
    assert_true(notify_retry_after_s(NULL, 0) < 0);
    assert_true(notify_retry_after_s("soon", 0) < 0);
    assert_true(notify_retry_after_s("2x", 0) < 0);
    /* Sun, 06 Nov 1994 08:49:37 GMT = 784111777 */
    assert_true(notify_retry_after_s("Sun, 06 Nov 1994 08:49:37 GMT", 784111770.0) == 7.0);
    assert_true(notify_retry_after_s("Sun, 06 Nov 1994 08:49:37 GMT", 784111800.0) == 0.0);
    assert_true(notify_retry_after_s("Sun, 06 Foo 1994 08:49:37 GMT", 0) < 0);
}

static notify_req_t *req(const char *tag)
{
    notify_req_t *r = notify_req_new("http://h/", strdup(tag));
    assert_non_null(r);
    return r;
}

static void test_queue(void **state)
{
    (void)state;
    notify_queue_t q;
    assert_int_equal(notify_queue_init(&q, 3), 0);
    assert_null(notify_queue_push(&q, req("a")));
    assert_null(notify_queue_push(&q, req("b")));
    assert_null(notify_queue_push(&q, req("c")));
    notify_req_t *old = notify_queue_push(&q, req("d"));     /* full: the oldest goes */
    assert_non_null(old);
    assert_string_equal(old->body, "a");
    notify_req_free(old);
    assert_int_equal(q.max_depth, 3);
    notify_req_t *r = notify_queue_pop(&q);
    assert_string_equal(r->body, "b");
    notify_req_free(r);
    assert_null(notify_queue_push(&q, req("e")));
    const char *want[] = { "c", "d", "e" };
    for (int i = 0; i < 3; i++) {
        r = notify_queue_pop(&q);
        assert_string_equal(r->body, want[i]);
        notify_req_free(r);
    }
    assert_null(notify_queue_pop(&q));
    assert_null(notify_queue_push(&q, req("left")));
    notify_queue_free(&q);                 /* frees what is left */
}

static void test_clean_and_headers(void **state)
{
    (void)state;
    char out[16];
    notify_clean("a\r\nBcc: x@y\tz", out, sizeof out);
    assert_string_equal(out, "a  Bcc: x@y z");
    notify_clean("0123456789abcdefghij", out, sizeof out);
    assert_string_equal(out, "0123456789abcde");
    notify_clean("abcdefghijklm\xc3\xa9z", out, sizeof out);     /* no half character */
    assert_string_equal(out, "abcdefghijklm");
    notify_req_t *r = req("{}");
    assert_int_equal(notify_req_header(r, "Subject", "hi\r\nX-Evil: 1"), 0);
    assert_string_equal(r->headers->data, "Subject: hi  X-Evil: 1");
    notify_req_free(r);
}

static void test_event_text(void **state)
{
    (void)state;
    notify_event_t e;
    memset(&e, 0, sizeof e);
    e.kind = TRANS_FIRING;
    e.t = 1700000000.25;
    snprintf(e.alert.rule, sizeof e.alert.rule, "EtcdHighFsyncDurations");
    snprintf(e.alert.member, sizeof e.alert.member, "m2");
    snprintf(e.alert.unit, sizeof e.alert.unit, "ms");
    snprintf(e.cluster_id, sizeof e.cluster_id, "af0a652ad8568e7f");
    e.alert.severity = SEV_WARNING;
    e.alert.value = 612.5;
    e.alert.threshold = 500;
    e.alert.firing_since = 1700000000.25;
    e.hint = rules_hint(e.alert.rule);
    assert_non_null(e.hint);
    char buf[2000];
    notify_fmt_title(&e, buf, sizeof buf);
    assert_string_equal(buf, "EtcdHighFsyncDurations on m2: value 612 ms, threshold 500 ms");
    notify_fmt_details(&e, buf, sizeof buf);
    assert_non_null(strstr(buf, "Since: 2023-11-14T22:13:20.250Z\n"));
    assert_non_null(strstr(buf, "Cluster: af0a652ad8568e7f\n"));
    assert_non_null(strstr(buf, "Troubleshooting: Check disk I/O"));
    notify_dedup_key(&e, buf, sizeof buf);
    assert_string_equal(buf, "etcd-monitor/af0a652ad8568e7f/EtcdHighFsyncDurations/m2");
    notify_fmt_time(0.999, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.999Z");
    /* Every built-in rule has a hint. */
    for (int i = 0; i < rules_builtin_count(); i++)
        assert_non_null(rules_hint(rules_builtin_name(i)));
}

static void test_alerts_config(void **state)
{
    (void)state;
    config_alerts_t a;
    char why[256];
    memset(&a, 0, sizeof a);
    config_channel_t *c = alerts_channel_new(&a, CHAN_CONSOLE);
    c->line = 1;
    assert_int_equal(alerts_channel_set(c, "type", "email", why, sizeof why), 0);
    assert_int_equal(alerts_channel_set(c, "smtp_server", "mail.example.com", why, sizeof why), 0);
    assert_int_equal(alerts_channel_set(c, "from", "a@b", why, sizeof why), 0);
    assert_int_equal(alerts_channel_set(c, "to", "c@d", why, sizeof why), 0);
    assert_int_equal(alerts_channel_set(c, "to", "e@f", why, sizeof why), 0);
    assert_int_equal(alerts_channel_set(c, "to", "bad\r\nRCPT", why, sizeof why), -1);
    assert_int_equal(alerts_channel_set(c, "username", "u", why, sizeof why), 0);
    assert_int_equal(alerts_channel_set(c, "password", "hunter2", why, sizeof why), 0);
    assert_int_equal(alerts_channel_set(c, "smtp_tls", "none", why, sizeof why), 0);
    assert_int_equal(alerts_channel_check(c, why, sizeof why), -1);
    assert_non_null(strstr(why, "unencrypted"));
    assert_null(strstr(why, "hunter2"));
    assert_int_equal(alerts_channel_set(c, "url", "http://x/", why, sizeof why), 0);
    c->smtp_tls = SMTP_TLS_STARTTLS;
    assert_int_equal(alerts_channel_check(c, why, sizeof why), -1);
    assert_string_equal(why, "url is not a key of a email channel");
    assert_int_equal(alerts_channel_set(c, "type", "slack", why, sizeof why), -1);   /* twice */
    assert_int_equal(alerts_channel_set(c, "nope", "x", why, sizeof why), -1);
    assert_int_equal(alerts_channel_set(c, "group_window", "2h", why, sizeof why), -1);
    assert_int_equal(alerts_channel_set(c, "min_severity", "info", why, sizeof why), -1);
    config_channel_t *w = alerts_channel_new(&a, CHAN_WEBHOOK);
    assert_int_equal(alerts_channel_header(w, "X-Ok", "v", why, sizeof why), 0);
    assert_int_equal(alerts_channel_header(w, "X-Bad", "v\r\nX-Evil: 1", why, sizeof why), -1);
    assert_int_equal(alerts_channel_header(w, "X Bad", "v", why, sizeof why), -1);
    assert_int_equal(alerts_channel_check(w, why, sizeof why), -1);
    assert_string_equal(why, "the webhook channel needs url");
    alerts_free(&a);
    assert_int_equal(a.n, 0);

    config_silence_t s;
    assert_int_equal(alerts_silence_parse("EtcdNoLeader:30m", &s, why, sizeof why), 0);
    assert_string_equal(s.rule, "EtcdNoLeader");
    assert_string_equal(s.member, "");
    assert_true(s.duration_ms == 1800000);
    assert_int_equal(alerts_silence_parse("MemberUnreachable@m2:1h", &s, why, sizeof why), 0);
    assert_string_equal(s.member, "m2");
    assert_int_equal(alerts_silence_parse("X@:1h", &s, why, sizeof why), -1);
    assert_int_equal(alerts_silence_parse(":1h", &s, why, sizeof why), -1);
    assert_int_equal(alerts_silence_parse("X:0s", &s, why, sizeof why), -1);

    char host[64];
    alerts_url_host("https://hooks.slack.com/services/T0/B0/SECRET", host, sizeof host);
    assert_string_equal(host, "hooks.slack.com");
    alerts_url_host("http://user:pw@127.0.0.1:9093/api?x=1", host, sizeof host);
    assert_string_equal(host, "127.0.0.1:9093");
    alerts_url_host("http://[::1]:80?k=SECRET", host, sizeof host);
    assert_string_equal(host, "[::1]:80");
}

/* The silence table: --silence entries and the dashboard's toggle share it. */
static void test_silences(void **state)
{
    (void)state;
    delivery_status_t d;
    memset(&d, 0, sizeof d);
    snprintf(d.silences[0].rule, sizeof d.silences[0].rule, "QuorumLost");
    d.silences[0].until = 100;                         /* --silence QuorumLost, every member */
    d.n_silences = 1;
    assert_true(delivery_silenced_until(&d, "QuorumLost", "", 50) == 100);
    assert_true(delivery_silenced_until(&d, "QuorumLost", "m1", 50) == 100);
    assert_true(delivery_silenced_until(&d, "QuorumLost", "", 100) == 0);   /* over */
    assert_true(delivery_silenced_until(&d, "MemberUnreachable", "m1", 50) == 0);
    assert_true(delivery_silenced_until(NULL, "QuorumLost", "", 50) == 0);

    output_ctl_t c = { .kind = OUTPUT_CTL_SILENCE_TOGGLE, .seconds = 3600 };
    snprintf(c.rule, sizeof c.rule, "MemberUnreachable");
    snprintf(c.member, sizeof c.member, "m2");
    char reply[200];
    unsigned long gen = d.gen;
    assert_int_equal(notify_silence_toggle(&d, &c, 10, reply, sizeof reply), 1);
    assert_non_null(strstr(reply, "MemberUnreachable@m2 silenced for 3600 s"));
    assert_true(d.gen != gen);
    assert_true(delivery_silenced_until(&d, "MemberUnreachable", "m2", 20) == 3610);
    assert_true(delivery_silenced_until(&d, "MemberUnreachable", "m3", 20) == 0);
    assert_true(d.silences[1].from_ui);
    /* again: lifted */
    assert_int_equal(notify_silence_toggle(&d, &c, 20, reply, sizeof reply), 1);
    assert_non_null(strstr(reply, "silence of MemberUnreachable@m2 lifted"));
    assert_true(delivery_silenced_until(&d, "MemberUnreachable", "m2", 21) == 0);
    /* the ended slot is reused */
    assert_int_equal(notify_silence_toggle(&d, &c, 30, reply, sizeof reply), 1);
    assert_int_equal(d.n_silences, 2);
    /* toggling an alert covered by a rule-wide --silence lifts that one */
    snprintf(c.rule, sizeof c.rule, "QuorumLost");
    c.member[0] = '\0';
    assert_int_equal(notify_silence_toggle(&d, &c, 40, reply, sizeof reply), 1);
    assert_true(delivery_silenced_until(&d, "QuorumLost", "", 41) == 0);
    /* a full table refuses */
    d.n_silences = DELIVERY_MAX_SILENCES;
    for (int i = 0; i < DELIVERY_MAX_SILENCES; i++)
        d.silences[i].until = 1e9;
    snprintf(c.rule, sizeof c.rule, "NoLeader");
    assert_int_equal(notify_silence_toggle(&d, &c, 50, reply, sizeof reply), -1);
    assert_non_null(strstr(reply, "too many silences"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdict),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_queue),
        cmocka_unit_test(test_clean_and_headers),
        cmocka_unit_test(test_event_text),
        cmocka_unit_test(test_alerts_config),
        cmocka_unit_test(test_silences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
