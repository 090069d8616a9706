/* test_endpoint.c — the one endpoint parser: what is refused and why, the
 * normalized URL, the host:port key, and the flags (scheme default, request
 * URLs, default ports). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "endpoint.h"

/* Normalize in under flags; the result or "ERR:<why>" / "SECRET:<why>". */
static const char *norm(const char *in, unsigned flags)
{
    static char out[512];
    char url[ENDPOINT_URL_LEN], why[128] = "";
    int rc = endpoint_normalize(in, flags, url, sizeof url, why, sizeof why);
    if (rc == ENDPOINT_OK)
        snprintf(out, sizeof out, "%s", url);
    else
        snprintf(out, sizeof out, "%s:%s", rc == ENDPOINT_SECRET ? "SECRET" : "ERR", why);
    return out;
}

static void test_valid(void **state)
{
    (void)state;
    assert_string_equal(norm("127.0.0.1:2379", 0), "http://127.0.0.1:2379");
    assert_string_equal(norm("127.0.0.1:2379", ENDPOINT_HTTPS), "https://127.0.0.1:2379");
    /* An explicit scheme always wins; case folded; one trailing / dropped. */
    assert_string_equal(norm("http://10.0.0.1:2381/", ENDPOINT_HTTPS), "http://10.0.0.1:2381");
    assert_string_equal(norm("HTTPS://Etcd-1:2379", 0), "https://etcd-1:2379");
    assert_string_equal(norm("HTTPS://Etcd-1:2379/", 0), "https://etcd-1:2379");
    assert_string_equal(norm("etcd_1.example.com:02379", 0), "http://etcd_1.example.com:2379");
    assert_string_equal(norm("h:1", 0), "http://h:1");
    assert_string_equal(norm("h:65535", 0), "http://h:65535");
    /* IPv6: bracketed, canonical. */
    assert_string_equal(norm("[::1]:2379", 0), "http://[::1]:2379");
    assert_string_equal(norm("[::1]:2379", ENDPOINT_HTTPS), "https://[::1]:2379");
    assert_string_equal(norm("http://[0:0::1]:2379/", 0), "http://[::1]:2379");
    assert_string_equal(norm("https://[FE80:0::A]:2379", 0), "https://[fe80::a]:2379");
}

static void test_refused(void **state)
{
    (void)state;
    assert_string_equal(norm("", 0), "ERR:empty");
    assert_string_equal(norm("ftp://x:1", 0), "ERR:unsupported scheme (use http:// or https://)");
    assert_string_equal(norm("unix://x:1", 0), "ERR:unsupported scheme (use http:// or https://)");
    assert_string_equal(norm("http://", 0), "ERR:no host");
    assert_string_equal(norm("http://:2379", 0), "ERR:no host");
    assert_string_equal(norm("h", 0), "ERR:no port (use host:port)");
    assert_string_equal(norm("http://h", 0), "ERR:no port (use host:port)");
    assert_string_equal(norm("http://h/", 0), "ERR:no port (use host:port)");
    assert_string_equal(norm("h:", 0), "ERR:no port (use host:port)");
    assert_string_equal(norm("h:0", 0), "ERR:port out of range (1 to 65535)");
    assert_string_equal(norm("h:65536", 0), "ERR:port out of range (1 to 65535)");
    assert_string_equal(norm("h:1234567", 0), "ERR:port out of range (1 to 65535)");
    assert_string_equal(norm("h:x", 0), "ERR:bad port");
    assert_string_equal(norm("h:12x", 0), "ERR:bad port");
    assert_string_equal(norm("h:+1", 0), "ERR:bad port");
    assert_string_equal(norm("h o:1", 0), "ERR:bad character in the host name");
    assert_string_equal(norm("h%41:1", 0), "ERR:bad character in the host name");
    assert_string_equal(norm("h\n:1", 0), "ERR:bad character in the host name");
    /* Credentials: refused as secrets (the caller never shows the input). */
    assert_string_equal(norm("http://u:p@127.0.0.1:2379", 0),
                        "SECRET:credentials (user:password@) are not allowed");
    assert_string_equal(norm("http://127.0.0.1:1@127.0.0.1:2", 0),
                        "SECRET:credentials (user:password@) are not allowed");
    assert_string_equal(norm("u@h:1", 0), "SECRET:credentials (user:password@) are not allowed");
    /* Nothing after host:port but one "/". */
    assert_string_equal(norm("http://h:1/path", 0), "ERR:a path is not allowed (only a trailing /)");
    assert_string_equal(norm("http://h:1//", 0), "ERR:a path is not allowed (only a trailing /)");
    assert_string_equal(norm("http://h:1/path?q=1", 0), "ERR:a query string is not allowed");
    assert_string_equal(norm("http://h:1?q=1", 0), "ERR:a query string is not allowed");
    assert_string_equal(norm("http://h:1#f", 0), "ERR:a fragment is not allowed");
    /* IPv6 without brackets, or not an address. */
    assert_string_equal(norm("::1:2379", 0), "ERR:IPv6 address without brackets (use [::1]:2379)");
    assert_string_equal(norm("fe80::1:2379", 0), "ERR:IPv6 address without brackets (use [::1]:2379)");
    assert_string_equal(norm("[::1]", 0), "ERR:no port (use host:port)");
    assert_string_equal(norm("[::g]:1", 0), "ERR:bad IPv6 address (use [::1]:2379)");
    assert_string_equal(norm("[]:1", 0), "ERR:bad IPv6 address (use [::1]:2379)");
    assert_string_equal(norm("[::1:1", 0), "ERR:bad IPv6 address (use [::1]:2379)");
    assert_string_equal(norm("[fe80::1%25eth0]:1", 0), "ERR:bad IPv6 address (use [::1]:2379)");
    assert_string_equal(norm("[::1]x:1", 0), "ERR:bad character in the host name");
    /* NEED_SCHEME */
    assert_string_equal(norm("h:1", ENDPOINT_NEED_SCHEME), "ERR:no scheme (use http:// or https://)");
}

/* The host length cap, with the numbers in the reason. */
static void test_host_length(void **state)
{
    (void)state;
    char in[400], want[128];
    memset(in, 'a', ENDPOINT_HOST_MAX);
    snprintf(in + ENDPOINT_HOST_MAX, sizeof in - ENDPOINT_HOST_MAX, ":2379");
    const char *got = norm(in, ENDPOINT_HTTPS);
    assert_int_equal(strncmp(got, "https://aaa", 11), 0);
    assert_int_equal(strlen(got), strlen("https://") + ENDPOINT_HOST_MAX + 5);
    memset(in, 'a', 300);
    snprintf(in + 300, sizeof in - 300, ":2379");
    snprintf(want, sizeof want, "ERR:host too long (300 characters, at most %d)", ENDPOINT_HOST_MAX);
    assert_string_equal(norm(in, 0), want);
    /* The longest URL fits ENDPOINT_URL_LEN (IPv6 is far shorter). */
    char url[ENDPOINT_URL_LEN];
    endpoint_t ep;
    memset(in, 'b', ENDPOINT_HOST_MAX);
    snprintf(in + ENDPOINT_HOST_MAX, sizeof in - ENDPOINT_HOST_MAX, ":65535");
    assert_int_equal(endpoint_parse(in, ENDPOINT_HTTPS, &ep, NULL, 0), ENDPOINT_OK);
    assert_int_equal(endpoint_url(&ep, url, sizeof url), 0);
    assert_int_equal(strlen(url), strlen("https://") + ENDPOINT_HOST_MAX + strlen(":65535"));
    assert_int_equal(endpoint_url(&ep, url, strlen(url)), -1);
}

static void test_parts_and_key(void **state)
{
    (void)state;
    endpoint_t ep;
    char key[ENDPOINT_KEY_LEN], why[128];
    assert_int_equal(endpoint_parse("HTTPS://[0:0::1]:2379/", 0, &ep, why, sizeof why), ENDPOINT_OK);
    assert_true(ep.https);
    assert_true(ep.ipv6);
    assert_string_equal(ep.host, "::1");
    assert_int_equal(ep.port, 2379);
    assert_int_equal(endpoint_key(&ep, key, sizeof key), 0);
    assert_string_equal(key, "[::1]:2379");
    assert_int_equal(endpoint_key(&ep, key, 5), -1);
    assert_int_equal(endpoint_parse("Etcd-1:2379", 0, &ep, why, sizeof why), ENDPOINT_OK);
    assert_false(ep.https);
    assert_false(ep.ipv6);
    assert_string_equal(ep.host, "etcd-1");
}

/* Request URLs and members: entries keyed the same way (SSH routing, matching). */
static void test_hostport(void **state)
{
    (void)state;
    char k[ENDPOINT_KEY_LEN];
    assert_int_equal(endpoint_hostport("HTTPS://Etcd-1:2379/metrics", k, sizeof k), 0);
    assert_string_equal(k, "etcd-1:2379");
    assert_int_equal(endpoint_hostport("http://h:2379/v3/kv/range?x=1#f", k, sizeof k), 0);
    assert_string_equal(k, "h:2379");
    assert_int_equal(endpoint_hostport("http://[0:0::1]:2379", k, sizeof k), 0);
    assert_string_equal(k, "[::1]:2379");
    assert_int_equal(endpoint_hostport("http://[FE80:0::A]:2379", k, sizeof k), 0);
    assert_string_equal(k, "[fe80::a]:2379");
    assert_int_equal(endpoint_hostport("https://etcd-1", k, sizeof k), 0);
    assert_string_equal(k, "etcd-1:443");
    assert_int_equal(endpoint_hostport("http://etcd-1/metrics", k, sizeof k), 0);
    assert_string_equal(k, "etcd-1:80");
    assert_int_equal(endpoint_hostport("Etcd-1:02379", k, sizeof k), 0);
    assert_string_equal(k, "etcd-1:2379");
    assert_int_equal(endpoint_hostport("etcd-1", k, sizeof k), -1);
    assert_int_equal(endpoint_hostport("http://u:p@h:1/", k, sizeof k), -1);
    assert_int_equal(endpoint_hostport("http://h:1x/", k, sizeof k), -1);
    assert_int_equal(endpoint_hostport("garbage", k, sizeof k), -1);
    /* With ENDPOINT_ANY_PATH an @ in the path is no userinfo. */
    endpoint_t ep;
    assert_int_equal(endpoint_parse("http://h:1/a@b", ENDPOINT_ANY_PATH, &ep, NULL, 0), ENDPOINT_OK);
    assert_string_equal(ep.host, "h");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_host_length),
        cmocka_unit_test(test_parts_and_key),
        cmocka_unit_test(test_hostport),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
