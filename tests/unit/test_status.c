/* test_status.c — gRPC-gateway JSON parsing, on answers captured from a real
 * etcd 3.4.23 cluster (tests/data, files named *-3.4*.json) and on malformed variants. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "testutil.h"

/* Identities in the captured cluster (m0 was the leader). */
#define CLUSTER 17606796453617027350ULL
#define M0 18353566228356669833ULL
#define M1 11079857318998835639ULL
#define M2 2512698864566819725ULL
#define M3 18280928212785718224ULL /* the learner */

/* Read tests/data/name (found next to this source file, or under
 * $EM_TEST_DATA). The caller frees. */
static char *load(const char *name, size_t *len)
{
    char path[512];
    const char *dir = getenv("EM_TEST_DATA");
    if (dir != NULL) {
        snprintf(path, sizeof path, "%s/%s", dir, name);
    } else {
        const char *src = __FILE__;
        const char *slash = strrchr(src, '/');
        int dl = slash != NULL ? (int)(slash - src) : 1;
        snprintf(path, sizeof path, "%.*s/../data/%s", dl, slash != NULL ? src : ".", name);
    }
    return test_slurp(path, len);
}

static int parse_status_str(const char *json, status_sample_t *s, char *err, size_t errlen)
{
    return status_parse_maintenance(json, strlen(json), s, err, errlen);
}

static void test_status_leader(void **state)
{
    (void)state;
    size_t len;
    char *body = load("status-3.4-leader.json", &len);
    status_sample_t s;
    memset(&s, 0, sizeof s);
    char err[160] = "";
    assert_int_equal(status_parse_maintenance(body, len, &s, err, sizeof err), 0);
    assert_true(s.ok);
    assert_true(s.cluster_id == CLUSTER);
    assert_true(s.member_id == M0);
    assert_true(s.leader_id == M0);
    assert_int_equal(s.revision, 3);
    assert_int_equal(s.raft_term, 2);
    assert_int_equal(s.raft_index, 10);
    assert_int_equal(s.raft_applied_index, 10);
    assert_int_equal(s.db_size, 20480);
    assert_int_equal(s.db_size_in_use, 16384);
    assert_string_equal(s.version, "3.4.23");
    assert_string_equal(s.errors, "");
    assert_false(s.is_learner);
    free(body);
}

static void test_status_follower_and_learner(void **state)
{
    (void)state;
    size_t len;
    char err[160] = "";
    status_sample_t s;
    char *body = load("status-3.4-follower.json", &len);
    assert_int_equal(status_parse_maintenance(body, len, &s, err, sizeof err), 0);
    assert_true(s.member_id == M2);
    assert_true(s.leader_id == M0);
    assert_false(s.is_learner);
    free(body);

    body = load("status-3.4-learner.json", &len);
    assert_int_equal(status_parse_maintenance(body, len, &s, err, sizeof err), 0);
    assert_true(s.member_id == M3);
    assert_true(s.leader_id == M0);
    assert_int_equal(s.raft_index, 14);
    assert_int_equal(s.raft_applied_index, 14);
    assert_true(s.is_learner);
    free(body);
}

static void test_status_nospace_errors(void **state)
{
    (void)state;
    size_t len;
    char err[160] = "";
    status_sample_t s;
    char *body = load("status-3.4-nospace.json", &len);
    assert_int_equal(status_parse_maintenance(body, len, &s, err, sizeof err), 0);
    assert_int_equal(s.db_size, 3522560);
    assert_int_equal(s.db_size_in_use, 2924544);
    assert_int_equal(s.revision, 27);
    assert_int_equal(s.raft_index, 41);
    /* etcd's trailing blank is dropped */
    assert_string_equal(s.errors, "memberID:18353566228356669833 alarm:NOSPACE");
    free(body);
}

static void test_status_zero_fields_omitted(void **state)
{
    (void)state;
    status_sample_t s;
    memset(&s, 0x5a, sizeof s);
    char err[160] = "";
    assert_int_equal(parse_status_str("{\"header\":{}}", &s, err, sizeof err), 0);
    assert_true(s.ok);
    assert_int_equal(s.cluster_id, 0);
    assert_int_equal(s.member_id, 0);
    assert_int_equal(s.db_size, 0);
    assert_int_equal(s.raft_term, 0);
    assert_string_equal(s.version, "");
    assert_string_equal(s.errors, "");
    assert_false(s.is_learner);
    /* header.raft_term stands in for an absent raftTerm; JSON integers work */
    assert_int_equal(parse_status_str("{\"header\":{\"raft_term\":\"7\",\"revision\":9},"
                                      "\"dbSize\":4096,\"leader\":\"18446744073709551615\"}",
                                      &s, err, sizeof err), 0);
    assert_int_equal(s.raft_term, 7);
    assert_int_equal(s.revision, 9);
    assert_int_equal(s.db_size, 4096);
    assert_true(s.leader_id == UINT64_MAX);
}

static void test_status_errors_joined_and_capped(void **state)
{
    (void)state;
    status_sample_t s;
    char err[160] = "";
    assert_int_equal(parse_status_str("{\"header\":{},\"errors\":[\"a \",\" b\",\"\",\"c\"]}",
                                      &s, err, sizeof err), 0);
    assert_string_equal(s.errors, "a; b; c");

    char json[1024];
    char longs[200];
    memset(longs, 'x', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    snprintf(json, sizeof json, "{\"header\":{},\"errors\":[\"first\",\"%s\",\"third\"]}", longs);
    assert_int_equal(parse_status_str(json, &s, err, sizeof err), 0);
    assert_int_equal(strlen(s.errors), sizeof s.errors - 1);
    assert_memory_equal(s.errors, "first; xxx", 10);

    /* the cut never splits a UTF-8 character: "first; " + 119 x leaves
     * room for 120 bytes, and the 2-byte e-acute would need 121 */
    memset(longs, 'x', 119);
    snprintf(longs + 119, sizeof longs - 119, "\xc3\xa9yz");
    snprintf(json, sizeof json, "{\"header\":{},\"errors\":[\"first\",\"%s\"]}", longs);
    assert_int_equal(parse_status_str(json, &s, err, sizeof err), 0);
    assert_int_equal(strlen(s.errors), 7 + 119);
    assert_int_equal(s.errors[7 + 118], 'x');
}

/* Each malformed answer: -1, the reason expected, out untouched. */
static void expect_status_error(const char *json, const char *reason)
{
    status_sample_t s, before;
    memset(&s, 0xab, sizeof s);
    before = s;
    char err[160] = "";
    assert_int_equal(parse_status_str(json, &s, err, sizeof err), -1);
    if (strstr(err, reason) == NULL)
        fail_msg("for %s: err \"%s\" lacks \"%s\"", json, err, reason);
    assert_null(strchr(err, '\n'));
    assert_memory_equal(&s, &before, sizeof s);
}

static void test_status_malformed(void **state)
{
    (void)state;
    size_t len;
    char *body = load("status-3.4-leader.json", &len);
    status_sample_t s;
    memset(&s, 0xab, sizeof s);
    status_sample_t before = s;
    char err[160] = "";
    /* truncated JSON */
    assert_int_equal(status_parse_maintenance(body, len / 2, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "status: bad JSON"));
    assert_memory_equal(&s, &before, sizeof s);
    free(body);

    expect_status_error("{\"header\":{},\"dbSize\":{\"x\":1}}",
                        "status: dbSize: not an integer string");
    expect_status_error("{\"header\":{},\"dbSize\":-5}", "status: dbSize: negative");
    expect_status_error("{\"header\":{},\"dbSize\":\"-5\"}", "status: dbSize: not an integer string");
    expect_status_error("{\"header\":{},\"dbSize\":\"12a\"}", "status: dbSize: not an integer string");
    expect_status_error("{\"header\":{},\"dbSize\":\"\"}", "status: dbSize: not an integer string");
    expect_status_error("{\"header\":{},\"dbSize\":\" 12\"}", "status: dbSize: not an integer string");
    expect_status_error("{\"header\":{},\"dbSize\":1.5}", "status: dbSize: not an integer string");
    expect_status_error("{\"header\":{},\"dbSize\":\"9223372036854775808\"}",
                        "status: dbSize: out of range");
    expect_status_error("{\"header\":{},\"leader\":\"18446744073709551616\"}",
                        "status: leader: out of range");
    expect_status_error("{\"header\":{},\"leader\":\"99999999999999999999999\"}",
                        "status: leader: out of range");
    expect_status_error("{\"header\":{},\"dbSize\":99999999999999999999999}", "status: bad JSON");
    expect_status_error("{\"header\":{\"member_id\":true}}",
                        "status: header.member_id: not an integer string");
    expect_status_error("{\"version\":\"3.4.23\"}", "status: missing header");
    expect_status_error("{\"header\":[]}", "status: header: not an object");
    expect_status_error("{\"header\":{},\"version\":\"0123456789012345678901234567890123\"}",
                        "status: version: string too long");
    expect_status_error("{\"header\":{},\"version\":3}", "status: version: not a string");
    expect_status_error("{\"header\":{},\"errors\":\"x\"}", "status: errors: not an array");
    expect_status_error("{\"header\":{},\"errors\":[\"x\",1]}", "status: errors[1]: not a string");
    expect_status_error("{\"header\":{},\"isLearner\":\"true\"}", "status: isLearner: not a boolean");
    expect_status_error("[1,2]", "status: not a JSON object");
    expect_status_error("", "status: empty answer");
    expect_status_error("{\"header\":{},\"dbSize\":\"1\",\"dbSize\":\"2\"}", "status: bad JSON");
    expect_status_error("{\"error\":\"etcdserver: request timed out\",\"code\":14,"
                        "\"message\":\"etcdserver: request timed out\"}",
                        "status: etcd error (code 14): etcdserver: request timed out");
    /* a NULL or zero-sized err buffer is fine */
    assert_int_equal(parse_status_str("{", &s, NULL, 0), -1);
}

static void test_member_list(void **state)
{
    (void)state;
    size_t len;
    char *body = load("member-list-3.4.json", &len);
    status_member_t m[8];
    int n = -1;
    uint64_t cid = 0;
    char err[160] = "";
    assert_int_equal(status_parse_member_list(body, len, m, 8, &n, &cid, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_true(cid == CLUSTER);
    assert_true(m[0].id == M2);
    assert_string_equal(m[0].name, "m2");
    assert_int_equal(m[0].n_client_urls, 1);
    assert_string_equal(m[0].client_urls[0], "http://127.0.0.1:42075");
    assert_false(m[0].is_learner);
    assert_true(m[1].id == M1);
    assert_string_equal(m[1].name, "m1");
    assert_string_equal(m[1].client_urls[0], "http://127.0.0.1:42073");
    assert_true(m[2].id == M0);
    assert_string_equal(m[2].name, "m0");
    assert_string_equal(m[2].client_urls[0], "http://127.0.0.1:42071");

    /* max 2: the first two only */
    n = -1;
    assert_int_equal(status_parse_member_list(body, len, m, 2, &n, &cid, err, sizeof err), 0);
    assert_int_equal(n, 2);
    free(body);
}

static void test_member_list_learners(void **state)
{
    (void)state;
    size_t len;
    status_member_t m[8];
    int n = -1;
    uint64_t cid = 0;
    char err[160] = "";
    /* added with `member add --learner`, not started yet: no name, no URLs */
    char *body = load("member-list-3.4-unstarted-learner.json", &len);
    assert_int_equal(status_parse_member_list(body, len, m, 8, &n, &cid, err, sizeof err), 0);
    assert_int_equal(n, 4);
    assert_true(m[2].id == M3);
    assert_string_equal(m[2].name, "");
    assert_int_equal(m[2].n_client_urls, 0);
    assert_true(m[2].is_learner);
    assert_false(m[3].is_learner);
    free(body);

    body = load("member-list-3.4-learner.json", &len);
    assert_int_equal(status_parse_member_list(body, len, m, 8, &n, &cid, err, sizeof err), 0);
    assert_int_equal(n, 4);
    assert_string_equal(m[2].name, "m3");
    assert_int_equal(m[2].n_client_urls, 1);
    assert_string_equal(m[2].client_urls[0], "http://127.0.0.1:42077");
    assert_true(m[2].is_learner);
    free(body);
}

static void test_member_list_urls_capped(void **state)
{
    (void)state;
    const char *json = "{\"header\":{\"cluster_id\":\"1\"},\"members\":[{\"ID\":\"2\",\"name\":\"a\","
                       "\"clientURLs\":[\"u1\",\"u2\",\"u3\",\"u4\",\"u5\"]}]}";
    status_member_t m[1];
    int n = 0;
    uint64_t cid = 0;
    char err[160] = "";
    assert_int_equal(status_parse_member_list(json, strlen(json), m, 1, &n, &cid, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].n_client_urls, STATUS_MAX_URLS);
    assert_string_equal(m[0].client_urls[3], "u4");
    assert_true(cid == 1);
    /* no members field: an empty list */
    json = "{\"header\":{\"cluster_id\":\"1\"}}";
    n = -1;
    assert_int_equal(status_parse_member_list(json, strlen(json), m, 1, &n, &cid, err, sizeof err), 0);
    assert_int_equal(n, 0);
}

static void expect_list_error(const char *json, const char *reason)
{
    status_member_t m[4], before[4];
    memset(m, 0xcd, sizeof m);
    memcpy(before, m, sizeof m);
    int n = 77;
    uint64_t cid = 88;
    char err[160] = "";
    assert_int_equal(status_parse_member_list(json, strlen(json), m, 4, &n, &cid, err, sizeof err), -1);
    if (strstr(err, reason) == NULL)
        fail_msg("for %s: err \"%s\" lacks \"%s\"", json, err, reason);
    assert_memory_equal(m, before, sizeof m);
    assert_int_equal(n, 77);
    assert_true(cid == 88);
}

static void test_member_list_malformed(void **state)
{
    (void)state;
    expect_list_error("{\"header\":{},\"members\":{}}", "member list: members: not an array");
    expect_list_error("{\"members\":[]}", "member list: missing header");
    expect_list_error("{\"header\":{},\"members\":[{\"ID\":\"1\"},{\"ID\":\"x\"}]}",
                      "member list: members[1].ID: not an integer string");
    expect_list_error("{\"header\":{},\"members\":[{\"ID\":\"1\"},7]}",
                      "member list: members[1]: not an object");
    expect_list_error("{\"header\":{},\"members\":[{\"ID\":\"1\",\"clientURLs\":\"u\"}]}",
                      "member list: members[0].clientURLs: not an array");
    expect_list_error("{\"header\":{},\"members\":[{\"ID\":\"1\",\"clientURLs\":[1]}]}",
                      "member list: members[0].clientURLs[0]: not a string");
    expect_list_error("{\"header\":{},\"members\":[{\"name\":"
                      "\"0123456789012345678901234567890123456789012345678901234567890123\"}]}",
                      "member list: members[0].name: string too long");
    expect_list_error("{\"header\":{\"cluster_id\":\"-1\"}}",
                      "member list: header.cluster_id: not an integer string");
    expect_list_error("{\"header\":{},\"members\":[", "member list: bad JSON");
}

static void test_alarms(void **state)
{
    (void)state;
    size_t len;
    status_alarm_t a[4];
    int n = -1;
    char err[160] = "";
    char *body = load("alarm-none-3.4.json", &len);
    assert_int_equal(status_parse_alarms(body, len, a, 4, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(body);

    body = load("alarm-nospace-3.4.json", &len);
    assert_int_equal(status_parse_alarms(body, len, a, 4, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_true(a[0].member_id == M0);
    assert_string_equal(a[0].alarm, "NOSPACE");
    free(body);

    /* the enum as a number; NONE entries are no alarms */
    const char *json = "{\"alarms\":[{\"memberID\":\"5\",\"alarm\":2},{\"memberID\":\"6\"},"
                       "{\"memberID\":\"7\",\"alarm\":\"NOSPACE\"},{\"memberID\":\"8\",\"alarm\":1}]}";
    assert_int_equal(status_parse_alarms(json, strlen(json), a, 2, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(a[0].member_id, 5);
    assert_string_equal(a[0].alarm, "CORRUPT");
    assert_int_equal(a[1].member_id, 7);
    assert_string_equal(a[1].alarm, "NOSPACE");
}

static void test_alarms_malformed(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        { "{\"alarms\":{}}", "alarms: alarms: not an array" },
        { "{\"alarms\":[{\"memberID\":\"z\",\"alarm\":\"NOSPACE\"}]}",
          "alarms: alarms[0].memberID: not an integer string" },
        { "{\"alarms\":[{\"memberID\":\"1\",\"alarm\":\"A_VERY_LONG_ALARM_NAME\"}]}",
          "alarms: alarms[0].alarm: string too long" },
        { "{\"alarms\":[{\"memberID\":\"1\",\"alarm\":[]}]}", "alarms: alarms[0].alarm: not a string" },
        { "{\"alarms\":[\"NOSPACE\"]}", "alarms: alarms[0]: not an object" },
        { "{\"alarms\":[", "alarms: bad JSON" },
        { "{\"code\":14,\"message\":\"unavailable\"}", "alarms: etcd error (code 14): unavailable" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        status_alarm_t a[2], before[2];
        memset(a, 0xee, sizeof a);
        memcpy(before, a, sizeof a);
        int n = 99;
        char err[160] = "";
        assert_int_equal(status_parse_alarms(bad[i][0], strlen(bad[i][0]), a, 2, &n, err,
                                             sizeof err), -1);
        if (strstr(err, bad[i][1]) == NULL)
            fail_msg("for %s: err \"%s\" lacks \"%s\"", bad[i][0], err, bad[i][1]);
        assert_memory_equal(a, before, sizeof a);
        assert_int_equal(n, 99);
    }
}

static void test_health(void **state)
{
    (void)state;
    size_t len;
    char err[160] = "";
    char *body = load("health-3.4.json", &len);
    assert_int_equal(status_parse_health(body, len, err, sizeof err), 1);
    free(body);
    /* a member with the NOSPACE alarm says false (and a newline after) */
    body = load("health-3.4-nospace.json", &len);
    assert_int_equal(status_parse_health(body, len, err, sizeof err), 0);
    free(body);

    const char *j = "{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}";
    assert_int_equal(status_parse_health(j, strlen(j), err, sizeof err), 0);
    assert_string_equal(err, "health: false: RAFT NO LEADER");
    j = "{\"health\":\"true\",\"reason\":\"\"}";
    assert_int_equal(status_parse_health(j, strlen(j), err, sizeof err), 1);
    j = "{\"health\":true}";
    assert_int_equal(status_parse_health(j, strlen(j), err, sizeof err), 1);

    j = "{\"health\":\"maybe\"}";
    assert_int_equal(status_parse_health(j, strlen(j), err, sizeof err), -1);
    assert_string_equal(err, "health: health: not \"true\" or \"false\"");
    j = "{}";
    assert_int_equal(status_parse_health(j, strlen(j), err, sizeof err), -1);
    assert_string_equal(err, "health: missing health");
    j = "{\"health\":\"tr";
    assert_int_equal(status_parse_health(j, strlen(j), err, sizeof err), -1);
    assert_non_null(strstr(err, "health: bad JSON"));
    j = "<html>502</html>";
    assert_int_equal(status_parse_health(j, strlen(j), err, sizeof err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_leader),
        cmocka_unit_test(test_status_follower_and_learner),
        cmocka_unit_test(test_status_nospace_errors),
        cmocka_unit_test(test_status_zero_fields_omitted),
        cmocka_unit_test(test_status_errors_joined_and_capped),
        cmocka_unit_test(test_status_malformed),
        cmocka_unit_test(test_member_list),
        cmocka_unit_test(test_member_list_learners),
        cmocka_unit_test(test_member_list_urls_capped),
        cmocka_unit_test(test_member_list_malformed),
        cmocka_unit_test(test_alarms),
        cmocka_unit_test(test_alarms_malformed),
        cmocka_unit_test(test_health),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
