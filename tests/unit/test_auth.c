/* Unit tests: the pure parts of secure access — etcd answers classified for
 * authentication, the authenticate body and token, the backoff schedule, the
 * password file, TLS failures in an operator's words, and the scheme rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "auth.h"
#include "collector.h"
#include "endpoint.h"
#include "http.h"

/* Bodies as etcd 3.4's gRPC gateway sends them (captured from etcd 3.4.23). */
#define BODY_INVALID_TOKEN \
    "{\"error\":\"etcdserver: invalid auth token\",\"message\":\"etcdserver: invalid auth token\",\"code\":16}"
#define BODY_USER_EMPTY \
    "{\"error\":\"etcdserver: user name is empty\",\"message\":\"etcdserver: user name is empty\",\"code\":3}"
#define BODY_DENIED \
    "{\"error\":\"etcdserver: permission denied\",\"message\":\"etcdserver: permission denied\",\"code\":7}"
#define BODY_BAD_PASSWORD \
    "{\"error\":\"etcdserver: authentication failed, invalid user ID or password\"," \
    "\"message\":\"etcdserver: authentication failed, invalid user ID or password\",\"code\":3}"
#define BODY_NOT_ENABLED \
    "{\"error\":\"etcdserver: authentication is not enabled\"," \
    "\"message\":\"etcdserver: authentication is not enabled\",\"code\":9}"
#define BODY_OLD_REVISION \
    "{\"error\":\"etcdserver: revision of auth store is old\"," \
    "\"message\":\"etcdserver: revision of auth store is old\",\"code\":3}"
#define BODY_NO_LEADER \
    "{\"error\":\"etcdserver: no leader\",\"message\":\"etcdserver: no leader\",\"code\":14}"
#define BODY_TOKEN \
    "{\"header\":{\"cluster_id\":\"7801232528081817440\",\"member_id\":\"13458989633860879742\"," \
    "\"revision\":\"1\",\"raft_term\":\"2\"},\"token\":\"VuQqiDNLCzkvjCaj.14\"}"

static auth_resp_t classify(long status, const char *body)
{
    return auth_classify(status, body, strlen(body));
}

static void test_classify(void **state)
{
    (void)state;
    assert_int_equal(classify(401, BODY_INVALID_TOKEN), AUTH_RESP_TOKEN);
    assert_int_equal(classify(400, BODY_USER_EMPTY), AUTH_RESP_TOKEN);
    assert_int_equal(classify(400, BODY_OLD_REVISION), AUTH_RESP_TOKEN);
    assert_int_equal(classify(403, BODY_DENIED), AUTH_RESP_DENIED);
    assert_int_equal(classify(400, BODY_BAD_PASSWORD), AUTH_RESP_BAD_CREDENTIALS);
    assert_int_equal(classify(400, BODY_NOT_ENABLED), AUTH_RESP_NOT_ENABLED);
    /* Not about auth: other gateway errors, successes, unrelated statuses. */
    assert_int_equal(classify(503, BODY_NO_LEADER), AUTH_RESP_NONE);
    assert_int_equal(classify(200, BODY_TOKEN), AUTH_RESP_NONE);
    assert_int_equal(classify(200, BODY_DENIED), AUTH_RESP_NONE);   /* 2xx is never a failure */
    assert_int_equal(classify(500, "internal error"), AUTH_RESP_NONE);
    assert_int_equal(classify(404, ""), AUTH_RESP_NONE);
    /* Only etcd's own answers count: a proxy's bare 401 or 403, or words
     * without the gateway's JSON, are ordinary failures of that member. */
    assert_int_equal(classify(401, "Unauthorized"), AUTH_RESP_NONE);
    assert_int_equal(classify(403, "Forbidden"), AUTH_RESP_NONE);
    assert_int_equal(classify(403, ""), AUTH_RESP_NONE);
    assert_int_equal(classify(403, "etcdserver: permission denied"), AUTH_RESP_NONE);
    assert_int_equal(classify(401, "invalid auth token"), AUTH_RESP_NONE);
    /* Denied: etcd's message and gRPC code 7 together. */
    assert_int_equal(classify(403, "{\"code\":7,\"message\":\"x\"}"), AUTH_RESP_NONE);
    assert_int_equal(classify(403, "{\"error\":\"etcdserver: permission denied\"}"), AUTH_RESP_NONE);
    assert_int_equal(classify(400, "{\"code\":16,\"message\":\"x\"}"), AUTH_RESP_TOKEN);
    /* Not NUL-terminated: only len bytes are read. */
    char buf[sizeof(BODY_DENIED) + 16];
    memcpy(buf, BODY_DENIED, strlen(BODY_DENIED));
    memset(buf + strlen(BODY_DENIED), 'x', sizeof(buf) - strlen(BODY_DENIED));
    assert_int_equal(auth_classify(403, buf, strlen(BODY_DENIED)), AUTH_RESP_DENIED);
    assert_int_equal(auth_classify(403, buf, strlen(BODY_DENIED) - 1), AUTH_RESP_NONE);
}

static void test_error_message(void **state)
{
    (void)state;
    char m[AUTH_ERROR_LEN];
    auth_error_message(400, BODY_BAD_PASSWORD, strlen(BODY_BAD_PASSWORD), m, sizeof(m));
    assert_string_equal(m, "etcdserver: authentication failed, invalid user ID or password");
    auth_error_message(502, "<html>bad gateway</html>", 24, m, sizeof(m));
    assert_string_equal(m, "HTTP 502");
    /* Only fixed phrases: never the answer's own text (it may echo the
     * request, so the password), whatever it holds. */
    const char *nl = "{\"message\":\"two\\nlines\"}";
    auth_error_message(400, nl, strlen(nl), m, sizeof(m));
    assert_string_equal(m, "HTTP 400");
    const char *echo = "{\"error\":\"bad request: {\\\"name\\\":\\\"root\\\",\\\"password\\\":"
                       "\\\"S3cret\\\"}\",\"code\":3,\"message\":\"bad request\"}";
    auth_error_message(400, echo, strlen(echo), m, sizeof(m));
    assert_string_equal(m, "HTTP 400");
    const char *tok = "{\"error\":\"etcdserver: invalid auth token\",\"code\":16,"
                      "\"message\":\"etcdserver: invalid auth token abc.123\"}";
    auth_error_message(401, tok, strlen(tok), m, sizeof(m));
    assert_string_equal(m, "etcdserver: invalid auth token");
}

static void test_build_body(void **state)
{
    (void)state;
    char out[256];
    assert_int_equal(auth_build_body("root", "pw", out, sizeof(out)), 0);
    assert_string_equal(out, "{\"name\":\"root\",\"password\":\"pw\"}");
    assert_int_equal(auth_build_body("a\"b", "c\\d\ne\x01", out, sizeof(out)), 0);
    assert_string_equal(out, "{\"name\":\"a\\\"b\",\"password\":\"c\\\\d\\u000ae\\u0001\"}");
    /* UTF-8 passes through unchanged. */
    assert_int_equal(auth_build_body("r\xc3\xa9my", "p\xe2\x82\xac", out, sizeof(out)), 0);
    assert_string_equal(out, "{\"name\":\"r\xc3\xa9my\",\"password\":\"p\xe2\x82\xac\"}");
    /* Too small: refused, and nothing of the password is left behind. */
    char small[24];
    memset(small, 'z', sizeof(small));
    assert_int_equal(auth_build_body("root", "secretsecret", small, sizeof(small)), -1);
    for (size_t i = 0; i < sizeof(small); i++)
        assert_int_equal(small[i], 0);
    /* Exactly fitting: the last byte is the NUL. */
    const char *want = "{\"name\":\"u\",\"password\":\"p\"}";
    char exact[28];
    assert_int_equal(strlen(want) + 1, sizeof(exact));
    assert_int_equal(auth_build_body("u", "p", exact, sizeof(exact)), 0);
    assert_string_equal(exact, want);
    assert_int_equal(auth_build_body("u", "p", exact, sizeof(exact) - 1), -1);
}

static void test_parse_token(void **state)
{
    (void)state;
    char tok[128], why[128];
    assert_int_equal(auth_parse_token(BODY_TOKEN, strlen(BODY_TOKEN), tok, sizeof(tok), why,
                                      sizeof(why)), 0);
    assert_string_equal(tok, "VuQqiDNLCzkvjCaj.14");
    const char *jwt = "{\"token\":\"eyJhbGciOiJSUzI1NiJ9.eyJ1c2VybmFtZSI6InJvb3QifQ.c2ln-_\"}";
    assert_int_equal(auth_parse_token(jwt, strlen(jwt), tok, sizeof(tok), why, sizeof(why)), 0);
    assert_string_equal(tok, "eyJhbGciOiJSUzI1NiJ9.eyJ1c2VybmFtZSI6InJvb3QifQ.c2ln-_");

    assert_int_equal(auth_parse_token("nope", 4, tok, sizeof(tok), why, sizeof(why)), -1);
    assert_string_equal(why, "malformed answer (not JSON)");
    const char *none = "{\"header\":{}}";
    assert_int_equal(auth_parse_token(none, strlen(none), tok, sizeof(tok), why, sizeof(why)), -1);
    assert_string_equal(why, "the answer has no token");
    const char *empty = "{\"token\":\"\"}";
    assert_int_equal(auth_parse_token(empty, strlen(empty), tok, sizeof(tok), why, sizeof(why)), -1);
    /* A token that would split or inject a header line is refused, and not echoed. */
    const char *inj = "{\"token\":\"abc\\r\\nX-Evil: 1\"}";
    assert_int_equal(auth_parse_token(inj, strlen(inj), tok, sizeof(tok), why, sizeof(why)), -1);
    assert_null(strstr(why, "abc"));
    const char *sp = "{\"token\":\"a b\"}";
    assert_int_equal(auth_parse_token(sp, strlen(sp), tok, sizeof(tok), why, sizeof(why)), -1);
    /* Longer than the caller's buffer. */
    char tiny[8];
    assert_int_equal(auth_parse_token(BODY_TOKEN, strlen(BODY_TOKEN), tiny, sizeof(tiny), why,
                                      sizeof(why)), -1);
}

static void test_backoff(void **state)
{
    (void)state;
    const double want[] = { 0, 1, 2, 4, 8, 16, 32, 60, 60, 60 };
    for (int i = 0; i < (int)(sizeof(want) / sizeof(want[0])); i++)
        assert_true(auth_backoff_s(i) == want[i]);
    assert_true(auth_backoff_s(1000) == 60);
    assert_true(auth_backoff_s(-3) == 0);
    /* In a 60-second run at one poll a second, a wrong password is tried at
     * t = 0, 1, 3, 7, 15, 31: six attempts for sixty polls. */
    double t = 0;
    int attempts = 0;
    for (int failures = 0; t < 60; ) {
        attempts++;
        failures++;
        t += auth_backoff_s(failures);
    }
    assert_int_equal(attempts, 6);
}

static char tmp_path[64];

static void write_tmp(const char *content, size_t len)
{
    snprintf(tmp_path, sizeof(tmp_path), "/tmp/em-test-auth.XXXXXX");
    int fd = mkstemp(tmp_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    close(fd);
}

static void test_password_file(void **state)
{
    (void)state;
    char pw[32], why[256];
    write_tmp("s3cret\nsecond line\n", 19);
    assert_int_equal(auth_read_password_file(tmp_path, pw, sizeof(pw), why, sizeof(why)), 0);
    assert_string_equal(pw, "s3cret");
    unlink(tmp_path);

    write_tmp("crlf pass\r\n", 11);                 /* spaces are part of it; CR is not */
    assert_int_equal(auth_read_password_file(tmp_path, pw, sizeof(pw), why, sizeof(why)), 0);
    assert_string_equal(pw, "crlf pass");
    unlink(tmp_path);

    write_tmp("no newline", 10);
    assert_int_equal(auth_read_password_file(tmp_path, pw, sizeof(pw), why, sizeof(why)), 0);
    assert_string_equal(pw, "no newline");
    unlink(tmp_path);

    write_tmp("\nsecond", 7);
    assert_int_equal(auth_read_password_file(tmp_path, pw, sizeof(pw), why, sizeof(why)), -1);
    assert_non_null(strstr(why, "is empty"));
    unlink(tmp_path);

    write_tmp("0123456789012345678901234567890123456789\n", 41);
    assert_int_equal(auth_read_password_file(tmp_path, pw, sizeof(pw), why, sizeof(why)), -1);
    assert_non_null(strstr(why, "longer than 31 bytes"));
    assert_null(strstr(why, "0123"));               /* the password is never echoed */
    for (size_t i = 0; i < sizeof(pw); i++)
        assert_int_equal(pw[i], 0);
    unlink(tmp_path);

    assert_int_equal(auth_read_password_file("/nonexistent/pw", pw, sizeof(pw), why,
                                             sizeof(why)), -1);
    assert_non_null(strstr(why, "cannot read /nonexistent/pw"));
}

static void test_auth_new(void **state)
{
    (void)state;
    char err[256];
    auth_t *a = auth_new("root", NULL, NULL, 1 << 20, 99, err, sizeof(err));
    assert_null(a);
    assert_non_null(strstr(err, "--user root needs a password"));
    a = auth_new("", "pw", NULL, 1 << 20, 99, err, sizeof(err));
    assert_null(a);

    a = auth_new("root", "pw", NULL, 1 << 20, 99, err, sizeof(err));
    assert_non_null(a);
    assert_int_equal(auth_state(a), AUTH_NEED);
    assert_true(auth_can_start(a, 0));
    assert_string_equal(auth_token(a), "");
    assert_string_equal(auth_error(a), "");
    assert_string_equal(auth_user(a), "root");
    assert_int_equal(auth_attempts(a), 0);
    http_t h;
    loop_t *loop = loop_new();
    assert_non_null(loop);
    assert_int_equal(http_init(&h, loop, NULL, NULL), 0);
    auth_free(a, &h);

    write_tmp("from-file\n", 10);
    a = auth_new("root", NULL, tmp_path, 1 << 20, 99, err, sizeof(err));
    assert_non_null(a);
    auth_free(a, &h);
    unlink(tmp_path);
    http_cleanup(&h);
    loop_free(loop);
}

static void test_token_header(void **state)
{
    (void)state;
    http_t h;
    loop_t *loop = loop_new();
    assert_non_null(loop);
    assert_int_equal(http_init(&h, loop, NULL, NULL), 0);
    assert_int_equal(http_token_gen(&h), 0);
    assert_int_equal(http_set_token(&h, "VuQqiDNLCzkvjCaj.14"), 0);
    unsigned g1 = http_token_gen(&h);
    assert_true(g1 != 0);
    assert_string_equal(h.auth_hdr, "Authorization: VuQqiDNLCzkvjCaj.14");
    assert_int_equal(http_set_token(&h, "next.15"), 0);
    assert_true(http_token_gen(&h) != g1);
    assert_int_equal(http_set_token(&h, "bad\r\nX: y"), -1);
    assert_int_equal(http_token_gen(&h), 0);          /* refused: no token at all */
    assert_string_equal(h.auth_hdr, "");
    assert_int_equal(http_set_token(&h, NULL), 0);
    assert_int_equal(http_token_gen(&h), 0);
    http_cleanup(&h);
    loop_free(loop);
}

static const char *tls(CURLcode rc, long verify, const char *errbuf, bool client_cert,
                       bool requested, char *buf, size_t len)
{
    http_tls_diag_t d = { .result = rc, .verify_result = verify, .errbuf = errbuf,
                          .https = true, .client_cert = client_cert,
                          .cert_requested = requested };
    return http_tls_reason(&d, buf, len);
}

/* Error texts as libcurl 7.88 with OpenSSL 3.0 writes them against etcd 3.4. */
static void test_tls_reason(void **state)
{
    (void)state;
    char b[160];
    assert_string_equal(tls(CURLE_PEER_FAILED_VERIFICATION, 20,
                            "SSL certificate problem: unable to get local issuer certificate",
                            true, false, b, sizeof(b)),
                        "TLS: certificate not trusted (unknown CA)");
    assert_string_equal(tls(CURLE_PEER_FAILED_VERIFICATION, 18,
                            "SSL certificate problem: self-signed certificate", false, false, b,
                            sizeof(b)),
                        "TLS: certificate not trusted (unknown CA)");
    assert_string_equal(tls(CURLE_PEER_FAILED_VERIFICATION, 10,
                            "SSL certificate problem: certificate has expired", true, false, b,
                            sizeof(b)),
                        "TLS: certificate expired");
    assert_string_equal(tls(CURLE_PEER_FAILED_VERIFICATION, 1,
                            "SSL: no alternative certificate subject name matches target host "
                            "name '127.0.0.1'", true, false, b, sizeof(b)),
                        "TLS: certificate is for another host (not 127.0.0.1)");
    assert_string_equal(tls(CURLE_PEER_FAILED_VERIFICATION, 9, "", true, false, b, sizeof(b)),
                        "TLS: certificate not yet valid");
    /* No client certificate: the member's alert, or (TLS 1.3 race) the
     * connection dying after it asked for one. */
    assert_string_equal(tls(CURLE_RECV_ERROR, 0,
                            "OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000412:SSL routines::"
                            "sslv3 alert bad certificate, errno 0", false, true, b, sizeof(b)),
                        "TLS: the member demands a client certificate");
    assert_string_equal(tls(CURLE_SEND_ERROR, 0,
                            "getpeername() failed with errno 107: Transport endpoint is not "
                            "connected", false, true, b, sizeof(b)),
                        "TLS: the member demands a client certificate");
    assert_string_equal(tls(CURLE_SEND_ERROR, 0, "Send failure: Broken pipe", false, true, b,
                            sizeof(b)),
                        "TLS: the member demands a client certificate");
    assert_string_equal(tls(CURLE_SSL_CONNECT_ERROR, 0,
                            "OpenSSL/3.0.19: error:0A000412:SSL routines::sslv3 alert bad "
                            "certificate", false, true, b, sizeof(b)),
                        "TLS: the member demands a client certificate");
    assert_string_equal(tls(CURLE_HTTP2, 0, "Error in the HTTP2 framing layer", false, true, b,
                            sizeof(b)),
                        "TLS: the member demands a client certificate");
    assert_string_equal(tls(CURLE_RECV_ERROR, 0, "tlsv13 alert certificate required", false,
                            false, b, sizeof(b)),
                        "TLS: the member demands a client certificate");
    /* With a client certificate the member refuses. */
    assert_string_equal(tls(CURLE_RECV_ERROR, 0,
                            "OpenSSL SSL_read: error:0A000412:SSL routines::sslv3 alert bad "
                            "certificate, errno 0", true, true, b, sizeof(b)),
                        "TLS: the member refused our client certificate");
    assert_string_equal(tls(CURLE_RECV_ERROR, 0, "sslv3 alert unknown ca", true, true, b,
                            sizeof(b)),
                        "TLS: the member does not trust our client certificate (unknown CA)");
    assert_string_equal(tls(CURLE_SEND_ERROR, 0, "Send failure: Broken pipe", true, true, b,
                            sizeof(b)),
                        "TLS: the member refused our client certificate");
    /* A reset with no certificate request in this handshake (a kept-alive
     * connection, a member without client-cert auth) is a reset. */
    assert_null(tls(CURLE_RECV_ERROR, 0, "Connection reset by peer", false, false, b, sizeof(b)));
    assert_null(tls(CURLE_SEND_ERROR, 0, "Send failure: Broken pipe", true, false, b, sizeof(b)));
    /* Once an answer arrived the handshake was fine: a later reset is a reset. */
    http_tls_diag_t late = { .result = CURLE_RECV_ERROR, .errbuf = "Connection reset by peer",
                             .https = true, .client_cert = true, .cert_requested = true,
                             .got_response = true };
    assert_null(http_tls_reason(&late, b, sizeof(b)));
    /* https against a plain listener. */
    assert_string_equal(tls(CURLE_SSL_CONNECT_ERROR, 1,
                            "OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number",
                            false, false, b, sizeof(b)),
                        "TLS: the member does not speak TLS here (plain http?)");
    /* Our own files. */
    assert_string_equal(tls(CURLE_SSL_CACERT_BADFILE, 0, "error setting certificate file: /x",
                            false, false, b, sizeof(b)),
                        "TLS: cannot read the CA file (error setting certificate file: /x)");
    assert_non_null(strstr(tls(CURLE_SSL_CERTPROBLEM, 0, "could not load PEM client certificate",
                               true, false, b, sizeof(b)),
                           "TLS: cannot use our client certificate"));
    /* Not TLS at all. */
    assert_null(tls(CURLE_OK, 0, "", false, false, b, sizeof(b)));
    assert_null(tls(CURLE_COULDNT_CONNECT, 0, "Failed to connect", false, false, b, sizeof(b)));
    assert_null(tls(CURLE_OPERATION_TIMEDOUT, 0, "timeout", false, true, b, sizeof(b)));
    http_tls_diag_t plain = { .result = CURLE_RECV_ERROR, .errbuf = "alert bad certificate" };
    assert_null(http_tls_reason(&plain, b, sizeof(b)));
}

static void test_scheme(void **state)
{
    (void)state;
    char u[ENDPOINT_URL_LEN];
    assert_int_equal(endpoint_normalize("127.0.0.1:2379", ENDPOINT_HTTPS, u, sizeof(u), NULL, 0), 0);
    assert_string_equal(u, "https://127.0.0.1:2379");
    assert_int_equal(endpoint_normalize("127.0.0.1:2379", 0, u, sizeof(u), NULL, 0), 0);
    assert_string_equal(u, "http://127.0.0.1:2379");
    /* An explicit scheme always wins. */
    assert_int_equal(endpoint_normalize("http://10.0.0.1:2381/", ENDPOINT_HTTPS, u, sizeof(u),
                                        NULL, 0), 0);
    assert_string_equal(u, "http://10.0.0.1:2381");
    assert_int_equal(endpoint_normalize("[::1]:2379", ENDPOINT_HTTPS, u, sizeof(u), NULL, 0), 0);
    assert_string_equal(u, "https://[::1]:2379");

    config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    assert_false(collector_default_tls(&cfg));
    char ca[] = "/etc/kubernetes/pki/etcd/ca.crt", cert[] = "client.crt";
    cfg.ca_file = ca;
    assert_true(collector_default_tls(&cfg));
    cfg.ca_file = NULL;
    cfg.cert_file = cert;
    assert_true(collector_default_tls(&cfg));
    cfg.insecure_transport = true;
    assert_false(collector_default_tls(&cfg));
    cfg.insecure_transport = false;
    cfg.insecure_skip_verify = true;               /* no verification is not "no TLS" */
    assert_true(collector_default_tls(&cfg));
    assert_int_equal(collector_endpoint_flags(&cfg), ENDPOINT_CHECK | ENDPOINT_HTTPS);
    cfg.cert_file = NULL;
    assert_int_equal(collector_endpoint_flags(&cfg), ENDPOINT_CHECK);
}

/* Endpoints are checked before anything is created, the flag named, the
 * value never echoed (it may hold credentials). */
static void test_check_endpoints(void **state)
{
    (void)state;
    config_t cfg;
    char err[256], host[320], ok[] = "127.0.0.1:2379", creds[] = "http://u:secret@h:1";
    memset(&cfg, 0, sizeof(cfg));
    memset(host, 'a', 300);
    snprintf(host + 300, sizeof host - 300, ":2379");
    cfg.endpoints[0] = host;
    cfg.n_endpoints = 1;
    cfg.endpoints_given = true;
    assert_int_equal(collector_check_endpoints(&cfg, err, sizeof err), -1);
    assert_string_equal(err, "--endpoints: host too long (300 characters, at most 253)");
    cfg.endpoints[0] = ok;
    cfg.endpoints[1] = creds;
    cfg.n_endpoints = 2;
    assert_int_equal(collector_check_endpoints(&cfg, err, sizeof err), -1);
    assert_string_equal(err, "--endpoints: item 2 of 2: credentials (user:password@) are not allowed");
    assert_null(strstr(err, "secret"));
    cfg.n_endpoints = 1;
    assert_int_equal(collector_check_endpoints(&cfg, err, sizeof err), 0);
    char bad_metrics[] = "http://h:1/metrics";
    cfg.metrics_endpoints[0] = bad_metrics;
    cfg.n_metrics_endpoints = 1;
    assert_int_equal(collector_check_endpoints(&cfg, err, sizeof err), -1);
    assert_string_equal(err, "--metrics-endpoints: a path is not allowed (only a trailing /)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_error_message),
        cmocka_unit_test(test_build_body),
        cmocka_unit_test(test_parse_token),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_password_file),
        cmocka_unit_test(test_auth_new),
        cmocka_unit_test(test_token_header),
        cmocka_unit_test(test_tls_reason),
        cmocka_unit_test(test_scheme),
        cmocka_unit_test(test_check_endpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
