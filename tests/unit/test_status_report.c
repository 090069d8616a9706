/* Unit tests: `etcd-monitor status` output (status_report.c) from a fixture
 * snapshot: a leader, a follower with a status error and lag, a member that is
 * down, and one that answered /metrics only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "cluster.h"
#include "status_report.h"

#define ID_LEADER   UINT64_C(0x6ba555538d6d0b27)
#define ID_FOLLOWER UINT64_C(0xf080e07587cf98b7)    /* above INT64_MAX */
#define ID_DOWN     UINT64_C(0x1b243a3063a65850)

static cluster_snapshot_t snap;

/* A member that answered everything, with the status answer of leader. */
static void member_up(member_view_t *m, const char *ep, uint64_t id, uint64_t leader)
{
    snprintf(m->endpoint, sizeof m->endpoint, "%s", ep);
    m->id = id;
    m->in_member_list = true;
    m->sample.up = true;
    m->sample.metrics_ok = true;
    m->sample.health_ok = true;
    m->sample.s.ok = true;
    m->sample.s.member_id = id;
    m->sample.s.leader_id = leader;
    m->sample.s.raft_term = 2;
    m->sample.s.raft_index = 8;
    m->sample.s.raft_applied_index = 8;
    snprintf(m->sample.s.version, sizeof m->sample.s.version, "3.4.23");
    m->iv.db_size = (mval_t){ 36864, true };
    m->iv.db_size_in_use = (mval_t){ 24576, true };
    m->iv.fragmentation_pct = (mval_t){ 100.0 / 3, true };
    m->fig.raft_index_lag = 0;
    m->disk_free_pct = NAN;
}

static int setup(void **state)
{
    (void)state;
    memset(&snap, 0, sizeof snap);
    snap.n_members = 4;
    member_up(&snap.members[0], "http://127.0.0.1:2379", ID_LEADER, ID_LEADER);
    member_up(&snap.members[1], "http://127.0.0.1:22379", ID_FOLLOWER, ID_LEADER);
    snap.members[1].sample.s.raft_index = 5;
    snap.members[1].sample.s.raft_applied_index = 4;
    snap.members[1].fig.raft_index_lag = 3;
    snprintf(snap.members[1].sample.s.errors, sizeof snap.members[1].sample.s.errors,
             "memberID:1 alarm:NOSPACE");

    /* Down: known from the member list only; stale figures must not show. */
    member_view_t *d = &snap.members[2];
    snprintf(d->endpoint, sizeof d->endpoint, "http://127.0.0.1:32379");
    d->id = ID_DOWN;
    d->in_member_list = true;
    d->is_learner = true;
    d->sample.s.raft_term = 99;
    d->iv.db_size = (mval_t){ 1e6, true };
    d->fig.raft_index_lag = 7;
    snprintf(d->sample.error, sizeof d->sample.error, "connection refused");

    /* /metrics only: no id, version and leadership from the metrics; an error
     * with a quote, a control character and a byte that is not UTF-8. */
    member_view_t *p = &snap.members[3];
    snprintf(p->endpoint, sizeof p->endpoint, "http://10.0.0.4:2379");
    p->sample.up = true;
    p->sample.metrics_ok = true;
    p->sample.m.is_leader = (mval_t){ 0, true };
    snprintf(p->sample.m.server_version, sizeof p->sample.m.server_version, "3.4.22");
    p->iv.db_size = (mval_t){ 20480, true };
    p->fig.raft_index_lag = NAN;
    snprintf(p->sample.error, sizeof p->sample.error, "status: \"bad\"\tanswer \xff");
    return 0;
}

/* What fn writes for snap, malloc'ed. */
static char *capture(int (*fn)(FILE *, const cluster_snapshot_t *), const cluster_snapshot_t *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(fn(f, s), 0);
    fclose(f);
    return buf;
}

/* Cell c (0-based) of a table line "| a | b |", trimmed, into out. */
static void cell(const char *line, int c, char *out, size_t cap)
{
    const char *p = line;
    for (int i = 0; i <= c; i++) {
        p = strchr(p, '|');
        assert_non_null(p);
        p++;
    }
    size_t n = strcspn(p, "|");
    while (n && p[0] == ' ') { p++; n--; }
    while (n && p[n - 1] == ' ')
        n--;
    snprintf(out, cap, "%.*s", (int)n, p);
}

/* Line i (0-based) of text into out. */
static void line_of(const char *text, int i, char *out, size_t cap)
{
    for (; i > 0 && text; i--)
        text = strchr(text, '\n') ? strchr(text, '\n') + 1 : NULL;
    assert_non_null(text);
    snprintf(out, cap, "%.*s", (int)strcspn(text, "\n"), text);
}

static void test_table(void **state)
{
    (void)state;
    static const char *const head[] = {
        "ENDPOINT", "ID", "VERSION", "DB SIZE", "IS LEADER", "IS LEARNER", "RAFT TERM",
        "RAFT INDEX", "RAFT APPLIED INDEX", "ERRORS", "HEALTH", "FRAGMENTATION", "RAFT LAG"
    };
    static const char *const want[4][13] = {
        { "http://127.0.0.1:2379", "6ba555538d6d0b27", "3.4.23", "37 kB", "true", "false", "2",
          "8", "8", "", "true", "33.3%", "0" },
        { "http://127.0.0.1:22379", "f080e07587cf98b7", "3.4.23", "37 kB", "false", "false",
          "2", "5", "4", "memberID:1 alarm:NOSPACE", "true", "33.3%", "3" },
        { "http://127.0.0.1:32379", "1b243a3063a65850", "-", "-", "-", "true", "-", "-", "-",
          "connection refused", "false", "-", "-" },
        { "http://10.0.0.4:2379", "-", "3.4.22", "20 kB", "false", "-", "-", "-", "-",
          "status: \"bad\"?answer \xff", "false", "-", "-" },
    };
    char *out = capture(status_report_table, &snap);
    char line[1024], got[512];
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 3 + 1 + 4);              /* rules, heading, a row per member */
    line_of(out, 0, line, sizeof line);
    size_t width = strlen(line);
    assert_int_equal(line[0], '+');
    for (int i = 1; i < lines; i++) {                /* aligned: every line as wide */
        char l[1024];
        line_of(out, i, l, sizeof l);
        assert_int_equal(strlen(l), width);
    }
    line_of(out, 1, line, sizeof line);
    for (int c = 0; c < 13; c++) {
        cell(line, c, got, sizeof got);
        assert_string_equal(got, head[c]);
    }
    assert_non_null(strstr(line, "|        ENDPOINT        |"));   /* centred as etcdctl */
    int leaders = 0;
    for (int r = 0; r < 4; r++) {
        line_of(out, 3 + r, line, sizeof line);
        for (int c = 0; c < 13; c++) {
            cell(line, c, got, sizeof got);
            if (strcmp(got, want[r][c]) != 0)
                fail_msg("row %d, %s: \"%s\", want \"%s\"", r, head[c], got, want[r][c]);
        }
        cell(line, 4, got, sizeof got);
        leaders += strcmp(got, "true") == 0;
    }
    assert_int_equal(leaders, 1);
    line_of(out, 3, line, sizeof line);
    assert_non_null(strstr(line, "|   37 kB |"));                     /* cells to the right */
    free(out);
}

static void test_table_empty(void **state)
{
    (void)state;
    cluster_snapshot_t *empty = calloc(1, sizeof *empty);
    assert_non_null(empty);
    char *out = capture(status_report_table, empty);
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 4);
    free(out);
    out = capture(status_report_json, empty);
    assert_string_equal(out, "[]\n");
    free(out);
    free(empty);
}

static void test_json(void **state)
{
    (void)state;
    char *out = capture(status_report_json, &snap);
    json_error_t jerr;
    json_t *root = json_loads(out, JSON_DECODE_INT_AS_REAL, &jerr);
    if (!root)
        fail_msg("JSON does not parse: %s at %d:%d\n%s", jerr.text, jerr.line, jerr.column, out);
    assert_true(json_is_array(root));
    assert_int_equal(json_array_size(root), 4);
    /* IDs are exact, also above 2^63 (jansson reads them as reals). */
    assert_non_null(strstr(out, "\"member_id\":7756699750558927655,"));
    assert_non_null(strstr(out, "\"member_id\":17330098161515993271,"));
    assert_non_null(strstr(out, "\"leader\":7756699750558927655,"));

    json_t *m = json_array_get(root, 0);
    assert_string_equal(json_string_value(json_object_get(m, "Endpoint")), "http://127.0.0.1:2379");
    assert_string_equal(json_string_value(json_object_get(m, "version")), "3.4.23");
    assert_true(json_is_true(json_object_get(m, "isLeader")));
    assert_true(json_is_false(json_object_get(m, "isLearner")));
    assert_float_equal(json_number_value(json_object_get(m, "raftTerm")), 2, 0);
    assert_float_equal(json_number_value(json_object_get(m, "raftIndex")), 8, 0);
    assert_float_equal(json_number_value(json_object_get(m, "raftAppliedIndex")), 8, 0);
    assert_float_equal(json_number_value(json_object_get(m, "dbSize")), 36864, 0);
    assert_float_equal(json_number_value(json_object_get(m, "dbSizeInUse")), 24576, 0);
    assert_float_equal(json_number_value(json_object_get(m, "fragmentationPct")), 33.33, 1e-9);
    assert_float_equal(json_number_value(json_object_get(m, "raftLag")), 0, 0);
    assert_true(json_is_true(json_object_get(m, "health")));
    assert_int_equal(json_array_size(json_object_get(m, "errors")), 0);

    m = json_array_get(root, 1);
    assert_true(json_is_false(json_object_get(m, "isLeader")));
    assert_float_equal(json_number_value(json_object_get(m, "raftLag")), 3, 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "errors"), 0)),
                        "memberID:1 alarm:NOSPACE");

    /* Down: what is not known is null, never 0; its error is there. */
    m = json_array_get(root, 2);
    static const char *const unknown[] = { "version", "dbSize", "dbSizeInUse", "leader",
                                           "isLeader", "raftTerm", "raftIndex",
                                           "raftAppliedIndex", "fragmentationPct", "raftLag" };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        if (!json_is_null(json_object_get(m, unknown[i])))
            fail_msg("down member: %s is not null", unknown[i]);
    assert_true(json_is_true(json_object_get(m, "isLearner")));     /* the member list's */
    assert_true(json_is_false(json_object_get(m, "health")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "errors"), 0)),
                        "connection refused");

    /* /metrics only. */
    m = json_array_get(root, 3);
    assert_true(json_is_null(json_object_get(m, "member_id")));
    assert_string_equal(json_string_value(json_object_get(m, "version")), "3.4.22");
    assert_true(json_is_false(json_object_get(m, "isLeader")));
    assert_true(json_is_null(json_object_get(m, "isLearner")));
    assert_true(json_is_null(json_object_get(m, "raftTerm")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "errors"), 0)),
                        "status: \"bad\"\tanswer \xef\xbf\xbd");
    json_decref(root);
    free(out);
}

static void test_bytes(void **state)
{
    (void)state;
    static const struct { uint64_t v; const char *want; } cases[] = {
        { 0, "0 B" }, { 9, "9 B" }, { 10, "10 B" }, { 999, "999 B" }, { 1000, "1.0 kB" },
        { 20480, "20 kB" }, { 36864, "37 kB" }, { 999999, "1000 kB" }, { 1234567, "1.2 MB" },
        { UINT64_C(8589934592), "8.6 GB" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32];
        status_report_bytes(out, sizeof out, cases[i].v);
        assert_string_equal(out, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_table, setup),
        cmocka_unit_test_setup(test_table_empty, setup),
        cmocka_unit_test_setup(test_json, setup),
        cmocka_unit_test_setup(test_bytes, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
