/* test_prom.c — Prometheus text parser: syntax, escapes, floats, timestamps,
 * errors with their line/column, the want() filter and the label helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "testutil.h"

#define MAX_RECS 64

/* One sample as the callback saw it; label slices point into the test body. */
typedef struct {
    char         name[64];
    int          nlabels;
    prom_label_t labels[PROM_MAX_LABELS];
    double       value;
    bool         has_ts;
    int64_t      ts;
} rec_t;

typedef struct {
    int   n;
    rec_t r[MAX_RECS];
    int   want_calls;
    char  wanted[32];     /* the only family want_one() accepts */
} recs_t;

static void record(const prom_sample_t *s, void *ctx)
{
    recs_t *rs = ctx;
    assert_true(rs->n < MAX_RECS);
    rec_t *r = &rs->r[rs->n++];
    assert_true(s->name_len < sizeof r->name);
    memcpy(r->name, s->name, s->name_len);
    r->name[s->name_len] = '\0';
    r->nlabels = s->nlabels;
    memcpy(r->labels, s->labels, (size_t)s->nlabels * sizeof s->labels[0]);
    r->value = s->value;
    r->has_ts = s->has_timestamp;
    r->ts = s->timestamp_ms;
}

static int parse_str(const char *body, recs_t *rs, prom_error_t *err)
{
    memset(rs, 0, sizeof *rs);
    return prom_parse(body, strlen(body), NULL, record, rs, err);
}

static bool label_is(const rec_t *r, int i, const char *name, const char *raw)
{
    return i < r->nlabels && r->labels[i].name_len == strlen(name) &&
           !memcmp(r->labels[i].name, name, strlen(name)) &&
           r->labels[i].value_len == strlen(raw) && !memcmp(r->labels[i].value, raw, strlen(raw));
}

static void test_basic_exposition(void **state)
{
    (void)state;
    const char *body =
        "# HELP etcd_server_has_leader Whether or not a leader exists. 1 is existence, 0 is not.\n"
        "# TYPE etcd_server_has_leader gauge\n"
        "etcd_server_has_leader 1\n"
        "\n"
        "   \t\n"
        "# a free comment with \"quotes\" and {braces}\n"
        "#no space after hash is a comment too\n"
        "#\n"
        "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Range\"} 51\n"
        "  some:recording_rule:rate5m{a_b=\"c\"} 0.25\n";
    recs_t rs;
    prom_error_t err;
    assert_int_equal(parse_str(body, &rs, &err), 0);
    assert_int_equal(rs.n, 3);
    assert_string_equal(rs.r[0].name, "etcd_server_has_leader");
    assert_int_equal(rs.r[0].nlabels, 0);
    assert_true(rs.r[0].value == 1.0);
    assert_false(rs.r[0].has_ts);
    assert_string_equal(rs.r[1].name, "grpc_server_handled_total");
    assert_int_equal(rs.r[1].nlabels, 2);
    assert_true(label_is(&rs.r[1], 0, "grpc_code", "OK"));
    assert_true(label_is(&rs.r[1], 1, "grpc_method", "Range"));
    assert_true(rs.r[1].value == 51.0);
    assert_string_equal(rs.r[2].name, "some:recording_rule:rate5m");
    assert_true(rs.r[2].value == 0.25);
}

static void test_help_and_type_forms(void **state)
{
    (void)state;
    const char *body =
        "# HELP a escaped \\\\ backslash and \\n newline and \\x other\n"
        "# HELP b\n"
        "#\tHELP\tc\ttabs\n"
        "# TYPE a counter\n"
        "# TYPE b gauge \t\n"
        "# TYPE c histogram\n"
        "# TYPE d summary\n"
        "# TYPE e untyped\n"
        "# HELPER is just a comment\n"
        "# TYPE\n"
        "# HELP u caf\xc3\xa9 \xe2\x82\xac\n"
        "a 1\n";
    recs_t rs;
    prom_error_t err;
    assert_int_equal(parse_str(body, &rs, &err), 0);
    assert_int_equal(rs.n, 1);
    assert_string_equal(rs.r[0].name, "a");
}

static void test_spaces_and_commas(void **state)
{
    (void)state;
    const char *body =
        "m1{a=\"1\",} 1\n"                              /* trailing comma */
        "m2 { a = \"1\" , b=\"2\" , } \t 2 \t\n"         /* blanks everywhere */
        "m3{} 3\n"                                       /* empty label set */
        "m4{a=\"1\"}4\n"                                 /* value glued to '}' */
        "m5{a=\"1\" b=\"2\"} 5\n"                        /* Prometheus tolerates a missing comma */
        "m6{a=\"\"} 6";                                  /* empty value, no final newline */
    recs_t rs;
    prom_error_t err;
    assert_int_equal(parse_str(body, &rs, &err), 0);
    assert_int_equal(rs.n, 6);
    assert_int_equal(rs.r[0].nlabels, 1);
    assert_true(label_is(&rs.r[0], 0, "a", "1"));
    assert_int_equal(rs.r[1].nlabels, 2);
    assert_true(label_is(&rs.r[1], 1, "b", "2"));
    assert_true(rs.r[1].value == 2.0);
    assert_int_equal(rs.r[2].nlabels, 0);
    assert_true(rs.r[3].value == 4.0);
    assert_int_equal(rs.r[4].nlabels, 2);
    assert_true(label_is(&rs.r[4], 1, "b", "2"));
    assert_true(label_is(&rs.r[5], 0, "a", ""));
    assert_true(rs.r[5].value == 6.0);
}

static void test_special_values(void **state)
{
    (void)state;
    const char *body =
        "a +Inf\nb -Inf\nc Inf\nd inf\ne INF\nf NaN\ng nan\nh -infinity\n"
        "i 1e3\nj 1E-3\nk .5\nl 5.\nm -0\nn +2.5e+2\no 007\np 1e-400\n";
    recs_t rs;
    prom_error_t err;
    assert_int_equal(parse_str(body, &rs, &err), 0);
    assert_int_equal(rs.n, 16);
    assert_true(isinf(rs.r[0].value) && rs.r[0].value > 0);
    assert_true(isinf(rs.r[1].value) && rs.r[1].value < 0);
    assert_true(isinf(rs.r[2].value) && rs.r[2].value > 0);
    assert_true(isinf(rs.r[3].value) && rs.r[3].value > 0);
    assert_true(isinf(rs.r[4].value) && rs.r[4].value > 0);
    assert_true(isnan(rs.r[5].value));
    assert_true(isnan(rs.r[6].value));
    assert_true(isinf(rs.r[7].value) && rs.r[7].value < 0);
    assert_true(rs.r[8].value == 1000.0);
    assert_true(rs.r[9].value == 0.001);
    assert_true(rs.r[10].value == 0.5);
    assert_true(rs.r[11].value == 5.0);
    assert_true(rs.r[12].value == 0.0 && signbit(rs.r[12].value));
    assert_true(rs.r[13].value == 250.0);
    assert_true(rs.r[14].value == 7.0);
    assert_true(rs.r[15].value == 0.0);
}

static void test_timestamps(void **state)
{
    (void)state;
    const char *body =
        "a 1 1700000000123\n"
        "b{x=\"y\"} 2 -5\n"
        "c 3\t+42 \n"
        "d 4 9223372036854775807\n"
        "e 5 -9223372036854775808\n";
    recs_t rs;
    prom_error_t err;
    assert_int_equal(parse_str(body, &rs, &err), 0);
    assert_int_equal(rs.n, 5);
    assert_true(rs.r[0].has_ts);
    assert_true(rs.r[0].ts == INT64_C(1700000000123));
    assert_true(rs.r[1].ts == -5);
    assert_true(rs.r[2].ts == 42);
    assert_true(rs.r[3].ts == INT64_MAX);
    assert_true(rs.r[4].ts == INT64_MIN);
}

static void test_label_escapes(void **state)
{
    (void)state;
    /* raw value: a\"b\\c\nd\xe  -> resolved: a"b\c<LF>d\xe */
    const char *body = "m{v=\"a\\\"b\\\\c\\nd\\xe\",plain=\"p\",n=\"\\\\n\"} 1\n";
    recs_t rs;
    prom_error_t err;
    assert_int_equal(parse_str(body, &rs, &err), 0);
    assert_int_equal(rs.n, 1);
    rec_t *r = &rs.r[0];
    prom_sample_t s = { .name = r->name, .name_len = strlen(r->name), .labels = r->labels,
                        .nlabels = r->nlabels };
    const prom_label_t *v = prom_label_find(&s, "v");
    assert_non_null(v);
    assert_true(v->escaped);
    assert_int_equal(v->value_len, strlen("a\\\"b\\\\c\\nd\\xe"));
    assert_memory_equal(v->value, "a\\\"b\\\\c\\nd\\xe", v->value_len);
    assert_true(prom_label_equals(v, "a\"b\\c\nd\\xe"));
    assert_false(prom_label_equals(v, "a\"b\\c\nd\\xe!"));
    assert_false(prom_label_equals(v, "a\"b\\c\nd\\x"));
    assert_false(prom_label_equals(v, "a\\\"b\\\\c\\nd\\xe"));   /* raw text is not the value */
    const prom_label_t *p = prom_label_find(&s, "plain");
    assert_non_null(p);
    assert_false(p->escaped);
    assert_true(prom_label_equals(p, "p"));
    assert_false(prom_label_equals(p, "pp"));
    assert_false(prom_label_equals(p, ""));
    const prom_label_t *n = prom_label_find(&s, "n");   /* \\n is backslash + 'n' */
    assert_non_null(n);
    assert_true(prom_label_equals(n, "\\n"));
    assert_false(prom_label_equals(n, "\n"));
    assert_null(prom_label_find(&s, "missing"));
    assert_null(prom_label_find(&s, "pla"));
}

static void test_utf8_label_value(void **state)
{
    (void)state;
    recs_t rs;
    prom_error_t err;
    assert_int_equal(parse_str("m{city=\"K\xc3\xb6ln \xf0\x9f\x8c\x8d\"} 1\n", &rs, &err), 0);
    assert_int_equal(rs.n, 1);
    prom_sample_t s = { .labels = rs.r[0].labels, .nlabels = rs.r[0].nlabels };
    assert_true(prom_label_equals(prom_label_find(&s, "city"), "K\xc3\xb6ln \xf0\x9f\x8c\x8d"));
}

static void test_max_labels(void **state)
{
    (void)state;
    char body[1024];
    int n = snprintf(body, sizeof body, "m{");
    for (int i = 0; i < PROM_MAX_LABELS; i++)
        n += snprintf(body + n, sizeof body - (size_t)n, "l%02d=\"%d\",", i, i);
    snprintf(body + n, sizeof body - (size_t)n, "} 7\n");
    recs_t rs;
    prom_error_t err;
    assert_int_equal(parse_str(body, &rs, &err), 0);
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.r[0].nlabels, PROM_MAX_LABELS);
    assert_true(label_is(&rs.r[0], PROM_MAX_LABELS - 1, "l31", "31"));

    /* one more label: error at that label's name */
    n = snprintf(body, sizeof body, "m{");
    for (int i = 0; i <= PROM_MAX_LABELS; i++)
        n += snprintf(body + n, sizeof body - (size_t)n, "l%02d=\"%d\",", i, i);
    snprintf(body + n, sizeof body - (size_t)n, "} 7\n");
    const char *extra = strstr(body, "l32=");
    assert_int_equal(parse_str(body, &rs, &err), -1);
    assert_int_equal(rs.n, 0);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, (int)(extra - body) + 1);
    assert_non_null(strstr(err.msg, "too many labels"));
}

/* Each malformed body, where its error is, and a word of the message. */
static const struct {
    const char *body;
    int         line, col;
    const char *msg;
} bad_cases[] = {
    { "1foo 1\n", 1, 1, "metric name" },
    { "foo-bar 1\n", 1, 4, "metric name" },
    { "{a=\"b\"} 1\n", 1, 1, "metric name" },
    { "foo{1a=\"x\"} 1\n", 1, 5, "expected label name" },
    { "foo{,} 1\n", 1, 5, "expected label name" },
    { "foo{a=\"1\",,} 1\n", 1, 11, "expected label name" },
    { "foo{a \"1\"} 1\n", 1, 7, "expected '=' after label name" },
    { "foo{a-b=\"1\"} 1\n", 1, 6, "expected '=' after label name" },
    { "foo{a=1} 1\n", 1, 7, "expected '\"'" },
    { "foo{a=\"1} 1\n", 1, 7, "unterminated label value" },
    { "foo{a=\"1\\", 1, 7, "unterminated label value" },
    { "foo{a=\"1\\\n\"} 1\n", 1, 7, "unterminated label value" },   /* backslash-newline */
    { "foo{a=\"1\nb\"} 1\n", 1, 7, "unterminated label value" },      /* raw newline */
    { "foo{a=\"1\"", 1, 10, "unterminated label set" },
    { "foo{a=\"1\";b=\"2\"} 1\n", 1, 10, "expected ',' or '}'" },
    { "foo{a=\"1\",b=\"2\",a=\"3\"} 1\n", 1, 17, "duplicate label name" },
    { "foo\n", 1, 4, "missing value" },
    { "foo", 1, 4, "missing value" },
    { "foo{a=\"b\"}   \n", 1, 14, "missing value" },
    { "foo 1.2.3\n", 1, 5, "invalid value" },
    { "foo 0x10\n", 1, 5, "invalid value" },
    { "foo 1_000\n", 1, 5, "invalid value" },
    { "foo 1e\n", 1, 5, "invalid value" },
    { "foo +NaN\n", 1, 5, "invalid value" },
    { "foo .\n", 1, 5, "invalid value" },
    { "foo 1\r\n", 1, 5, "invalid value" },
    { "foo 1e309\n", 1, 5, "out of range" },
    { "foo -1.8e308\n", 1, 5, "out of range" },
    { "foo 1{a=\"b\"}\n", 1, 6, "after value" },
    { "foo 1 abc\n", 1, 7, "invalid timestamp" },
    { "foo 1 1.5\n", 1, 7, "invalid timestamp" },
    { "foo 1 9223372036854775808\n", 1, 7, "out of range" },
    { "foo 1 2 3\n", 1, 9, "junk after timestamp" },
    { "foo 1 2 \t#c\n", 1, 10, "junk after timestamp" },
    { "# TYPE foo gauges\n", 1, 12, "unknown metric type" },
    { "# TYPE foo Counter\n", 1, 12, "unknown metric type" },
    { "# TYPE foo\n", 1, 11, "missing metric type" },
    { "# TYPE foo counter x\n", 1, 20, "junk after metric type" },
    { "# HELP 1foo x\n", 1, 8, "expected metric name after HELP" },
    { "# HELP \n", 1, 8, "expected metric name after HELP" },
    { "# TYPE  \n", 1, 9, "expected metric name after TYPE" },
    { "# HELP foo\xff bad\n", 1, 11, "metric name" },
    { "# HELP foo bad \xc3\x28 utf8\n", 1, 16, "UTF-8" },
    { "m{a=\"\xed\xa0\x80\"} 1\n", 1, 6, "UTF-8" },   /* surrogate */
    { "m{a=\"\xc0\xaf\"} 1\n", 1, 6, "UTF-8" },       /* overlong */
    { "ok 1\n# fine\n\nbad{a=\"1\" 2\n", 4, 11, "expected ',' or '}'" },
};

static void test_errors_line_col(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        recs_t rs;
        prom_error_t err;
        int rc = parse_str(bad_cases[i].body, &rs, &err);
        if (rc != -1 || err.line != bad_cases[i].line || err.col != bad_cases[i].col ||
            !strstr(err.msg, bad_cases[i].msg)) {
            print_error("case %zu \"%s\": rc=%d line=%d col=%d msg=\"%s\"\n", i,
                        bad_cases[i].body, rc, err.line, err.col, err.msg);
            fail();
        }
        assert_true(strlen(err.msg) > 0 && strchr(err.msg, '\n') == NULL);
    }
}

/* NUL bytes are errors wherever they are, reported at their own position. */
static void test_nul_bytes(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        size_t      len;
        int         line, col;
    } cases[] = {
        { "ok 1\nbar{a=\"x\0y\"} 2\n", 20, 2, 9 },
        { "# hi\0there\n", 11, 1, 5 },
        { "# HELP foo a\0b\n", 15, 1, 13 },
        { "ok 1\n\0", 6, 2, 1 },
        { "foo\0 1\n", 7, 1, 4 },
        { "foo 1\0\n", 7, 1, 6 },
        { "foo 1 5\0\n", 9, 1, 8 },
        { "foo{a\0=\"1\"} 1\n", 14, 1, 6 },
        { "foo{a=\"\\\0\"} 1\n", 14, 1, 9 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        recs_t rs;
        prom_error_t err;
        memset(&rs, 0, sizeof rs);
        int rc = prom_parse(cases[i].body, cases[i].len, NULL, record, &rs, &err);
        if (rc != -1 || err.line != cases[i].line || err.col != cases[i].col ||
            !strstr(err.msg, "NUL")) {
            print_error("NUL case %zu: rc=%d line=%d col=%d msg=\"%s\"\n", i, rc, err.line,
                        err.col, err.msg);
            fail();
        }
    }
}

static void test_stops_at_first_error(void **state)
{
    (void)state;
    recs_t rs;
    prom_error_t err;
    assert_int_equal(parse_str("a 1\nb 2\nc{ 3\nd 4\ne x\n", &rs, &err), -1);
    assert_int_equal(rs.n, 2);   /* a and b, nothing after the broken line */
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 4);
}

static bool want_one(const char *name, size_t len, void *ctx)
{
    recs_t *rs = ctx;
    rs->want_calls++;
    return len == strlen(rs->wanted) && !memcmp(name, rs->wanted, len);
}

static void test_want_filter(void **state)
{
    (void)state;
    const char *body =
        "# TYPE skip_me counter\n"
        "skip_me{a=\"1\"} 1e308 5\n"
        "take_me{b=\"2\"} 2.5\n"
        "skip_me_too 3\n"
        "take_me 4 -1\n";
    recs_t rs;
    memset(&rs, 0, sizeof rs);
    strcpy(rs.wanted, "take_me");
    prom_error_t err;
    assert_int_equal(prom_parse(body, strlen(body), want_one, record, &rs, &err), 0);
    assert_int_equal(rs.want_calls, 4);
    assert_int_equal(rs.n, 2);
    assert_string_equal(rs.r[0].name, "take_me");
    assert_true(label_is(&rs.r[0], 0, "b", "2"));
    assert_true(rs.r[0].value == 2.5);
    assert_string_equal(rs.r[1].name, "take_me");
    assert_true(rs.r[1].value == 4.0);
    assert_true(rs.r[1].has_ts && rs.r[1].ts == -1);

    /* unwanted lines are still validated: bad label, bad value, overflow */
    static const char *const broken[] = {
        "skip_me{a=\"1\" 1\n", "skip_me 1..2\n", "skip_me 1 2 3\n", "skip_me 9e999\n",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        memset(&rs, 0, sizeof rs);
        strcpy(rs.wanted, "take_me");
        assert_int_equal(prom_parse(broken[i], strlen(broken[i]), want_one, record, &rs, &err), -1);
        assert_int_equal(rs.n, 0);
        assert_int_equal(err.line, 1);
    }
}

/* prom_scan's pick for the test: "skip_*" and "*_skip" skipped, "sum_*" taken
 * unless zero. */
static int pick_test(const char *name, size_t len, void *ctx)
{
    (void)ctx;
    if (len >= 5 && (!memcmp(name, "skip_", 5) || !memcmp(name + len - 5, "_skip", 5)))
        return PROM_SKIP;
    if (len >= 4 && !memcmp(name, "sum_", 4))
        return PROM_TAKE_NONZERO;
    return PROM_TAKE;
}

/* prom_scan passes over skipped lines and zero "NAME{...} 0" lines unread,
 * but still refuses a NUL byte or a line without a metric name, and still
 * validates what it takes (line numbers stay right). */
static void test_scan_skips(void **state)
{
    (void)state;
    const char *body =
        "# HELP skip_me junk \xff here is not checked\n"
        "skip_me{a=\"1\" 1..2 this line is broken but skipped\n"
        "sum_x{code=\"OK\"} 0\n"
        "sum_x{code=\"OK\"}  0  \n"
        "sum_x{code=\"Bad\"} 7\n"
        "sum_x{code=\"Ts\"} 5 0\n"
        "sum_x 0\n"
        "take_me 2.5\n"
        "take_me_skip{a=\"1\" 1..2 skipped: a longer name is picked anew\n"
        "take_me 3\n"
        "x_skip 1..2\n"
        "x_skip2 4\n";
    recs_t rs;
    memset(&rs, 0, sizeof rs);
    prom_error_t err;
    assert_int_equal(prom_scan(body, strlen(body), pick_test, record, &rs, &err), 0);
    assert_int_equal(rs.n, 6);
    assert_true(rs.r[0].value == 7.0);
    assert_true(rs.r[1].value == 5.0 && rs.r[1].has_ts && rs.r[1].ts == 0);
    assert_true(rs.r[2].value == 0.0);              /* no labels: parsed as usual */
    assert_string_equal(rs.r[3].name, "take_me");
    assert_string_equal(rs.r[4].name, "take_me");
    assert_true(rs.r[4].value == 3.0);
    assert_string_equal(rs.r[5].name, "x_skip2");   /* a shorter name's pick is not reused */
    assert_true(rs.r[5].value == 4.0);

    static const struct { const char *body; int line; } broken[] = {
        { "skip_me 1\nskip_me \0 2\n", 2 },           /* NUL in a skipped line */
        { "# comment \0\n", 1 },                       /* NUL in a comment */
        { "take_me 1\n{a=\"1\"} 2\n", 2 },             /* no metric name */
        { "sum_x{a=\"1\"} 0\nsum_x{a=\"1\" 3\n", 2 },  /* a taken line is validated */
        { "skip_me 1\n\ntake_me 1..2\n", 3 },
        { "take_me 1\ntake_me", 2 },                  /* the same name, then the end */
        { "take_me 1\ntake_me$ 2\n", 2 },            /* the same name, then junk */
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        memset(&rs, 0, sizeof rs);
        size_t len = strlen(broken[i].body);
        if (i < 2)
            len += strlen(broken[i].body + len + 1) + 1;  /* past the NUL */
        assert_int_equal(prom_scan(broken[i].body, len, pick_test, record, &rs, &err), -1);
        assert_int_equal(err.line, broken[i].line);
    }
}

static void test_null_callback_and_err(void **state)
{
    (void)state;
    const char *good = "a 1\n";
    const char *bad = "a\n";
    assert_int_equal(prom_parse(good, strlen(good), NULL, NULL, NULL, NULL), 0);
    assert_int_equal(prom_parse(bad, strlen(bad), NULL, NULL, NULL, NULL), -1);
    prom_error_t err;
    assert_int_equal(prom_parse("", 0, NULL, NULL, NULL, &err), 0);
    assert_int_equal(prom_parse(NULL, 0, NULL, NULL, NULL, &err), 0);
}

/* The parser reads only [buf, buf+len): a body cut in the middle of a token
 * must not see what follows. */
static void test_length_is_respected(void **state)
{
    (void)state;
    const char *text = "a 12345\nb 1";
    recs_t rs;
    memset(&rs, 0, sizeof rs);
    prom_error_t err;
    assert_int_equal(prom_parse(text, 4, NULL, record, &rs, &err), 0);
    assert_int_equal(rs.n, 1);
    assert_true(rs.r[0].value == 12.0);
    memset(&rs, 0, sizeof rs);
    assert_int_equal(prom_parse(text, 3, NULL, record, &rs, &err), 0);
    assert_true(rs.r[0].value == 1.0);
    assert_int_equal(prom_parse("a{b=\"c\"} 1", 7, NULL, record, &rs, &err), -1);
    assert_non_null(strstr(err.msg, "unterminated"));
}

/* A signed value cut short at the end of an unterminated body ("n +na"): the
 * NaN check must look only at the bytes left in the token. The body is an
 * exactly-sized heap copy, so ASan (make unit-san) sees a read past its end. */
static void test_unterminated_body_end(void **state)
{
    (void)state;
    static const char *const bodies[] = { "n +na", "n -na", "n +n", "n +in", "n +inf", "n na" };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        size_t len = strlen(bodies[i]);
        char *body = test_memdup_exact(bodies[i], len);
        recs_t rs;
        memset(&rs, 0, sizeof rs);
        prom_error_t err;
        int rc = prom_parse(body, len, NULL, record, &rs, &err);
        if (strcmp(bodies[i], "n +inf") == 0) {
            assert_int_equal(rc, 0);
            assert_true(isinf(rs.r[0].value) && rs.r[0].value > 0);
        } else {
            assert_int_equal(rc, -1);
            assert_int_equal(err.line, 1);
            assert_int_equal(err.col, 3);
            assert_non_null(strstr(err.msg, "invalid value"));
        }
        double v = 42.0;
        assert_int_equal(prom_parse_float(body + 2, len - 2, &v), rc);
        free(body);
    }
}

static void test_parse_float(void **state)
{
    (void)state;
    double v;
    assert_int_equal(prom_parse_float("12345", 2, &v), 0);
    assert_true(v == 12.0);
    assert_int_equal(prom_parse_float("0.1", 3, &v), 0);
    assert_true(v == 0.1);
    assert_int_equal(prom_parse_float("2.147483648e+09", 15, &v), 0);
    assert_true(v == 2147483648.0);
    /* 17 significant digits: beyond the fast path */
    assert_int_equal(prom_parse_float("0.43914204799999995", 19, &v), 0);
    assert_true(v == 0.43914204799999995);
    assert_int_equal(prom_parse_float("1.7976931348623157e308", 22, &v), 0);
    assert_true(v == 1.7976931348623157e308);
    assert_int_equal(prom_parse_float("2.2250738585072014e-308", 23, &v), 0);
    assert_true(v == 2.2250738585072014e-308);
    assert_int_equal(prom_parse_float("4.9406564584124654e-324", 23, &v), 0);
    assert_true(v == 4.9406564584124654e-324);
    /* 2^53 + 1 is a tie: rounds to even */
    assert_int_equal(prom_parse_float("9007199254740993", 16, &v), 0);
    assert_true(v == 9007199254740992.0);
    assert_int_equal(prom_parse_float("123456789012345678901234567890", 30, &v), 0);
    assert_true(v == 1.2345678901234568e29);
    assert_int_equal(prom_parse_float("-INFINITY", 9, &v), 0);
    assert_true(isinf(v) && v < 0);
    assert_int_equal(prom_parse_float("nAn", 3, &v), 0);
    assert_true(isnan(v));

    v = 42.0;
    assert_int_equal(prom_parse_float("", 0, &v), -1);
    assert_int_equal(prom_parse_float("1e400", 5, &v), -1);
    assert_int_equal(prom_parse_float("infinit", 7, &v), -1);
    assert_int_equal(prom_parse_float("-nan", 4, &v), -1);
    assert_int_equal(prom_parse_float(" 1", 2, &v), -1);
    assert_int_equal(prom_parse_float("1 ", 2, &v), -1);
    assert_int_equal(prom_parse_float("0x1p3", 5, &v), -1);
    assert_true(v == 42.0);   /* untouched on error */
}

/* Ties just above and below 2^53+1 decided by a digit far past the 780 kept:
 * the sticky digit must carry it. */
static void test_parse_float_long_mantissa(void **state)
{
    (void)state;
    static char buf[2048];
    size_t n = 0;
    n += (size_t)snprintf(buf, sizeof buf, "9007199254740993.");
    memset(buf + n, '0', 1500);
    n += 1500;
    double v;
    assert_int_equal(prom_parse_float(buf, n, &v), 0);
    assert_true(v == 9007199254740992.0);   /* exact tie: even */
    buf[n++] = '1';
    assert_int_equal(prom_parse_float(buf, n, &v), 0);
    assert_true(v == 9007199254740994.0);   /* a hair above the tie: up */

    /* many leading zeros then an ordinary number */
    n = (size_t)snprintf(buf, sizeof buf, "0.");
    memset(buf + n, '0', 1000);
    n += 1000;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "15e1001");
    assert_int_equal(prom_parse_float(buf, n, &v), 0);
    assert_true(v == 1.5);
}

/* Random decimals printed with %.17g must come back bit-identical. */
static void test_parse_float_round_trip(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15u;
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        uint64_t bits = x;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d))
            continue;
        int n = snprintf(buf, sizeof buf, (i & 1) ? "%.17g" : "%.15g", d);
        double want = strtod(buf, NULL);
        double got;
        assert_int_equal(prom_parse_float(buf, (size_t)n, &got), 0);
        if (memcmp(&got, &want, sizeof got) != 0) {
            print_error("round trip of %s: got %.17g want %.17g\n", buf, got, want);
            fail();
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_exposition),
        cmocka_unit_test(test_help_and_type_forms),
        cmocka_unit_test(test_spaces_and_commas),
        cmocka_unit_test(test_special_values),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_label_escapes),
        cmocka_unit_test(test_utf8_label_value),
        cmocka_unit_test(test_max_labels),
        cmocka_unit_test(test_errors_line_col),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_stops_at_first_error),
        cmocka_unit_test(test_want_filter),
        cmocka_unit_test(test_null_callback_and_err),
        cmocka_unit_test(test_length_is_respected),
        cmocka_unit_test(test_unterminated_body_end),
        cmocka_unit_test(test_scan_skips),
        cmocka_unit_test(test_parse_float),
        cmocka_unit_test(test_parse_float_long_mantissa),
        cmocka_unit_test(test_parse_float_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
