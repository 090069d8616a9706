/* test_promapi.c — Prometheus' query API answers (promapi.c): vectors and
 * matrices as Prometheus 2.42 writes them, its error answers, NaN/±Inf value
 * strings, bodies over the caps, truncated and hostile bodies; and the
 * --prometheus-selector check. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promapi.h"
#include "testutil.h"

static const char *const keys[] = { "instance", "le" };

/* Parse s (an exactly-sized copy: ASan sees a read past it) into res. */
static int parse(const char *s, promapi_result_t *res, promapi_series_t *buf, int cap, char *err,
                 size_t errlen)
{
    res->s = buf;
    res->cap = cap;
    char *copy = test_memdup_exact(s, strlen(s));
    int rc = promapi_parse(copy, strlen(s), keys, 2, res, err, errlen);
    free(copy);
    return rc;
}

/* A vector answer as Prometheus 2.42 writes it (captured from up{job="etcd"}). */
static void test_vector(void **state)
{
    (void)state;
    promapi_series_t s[8];
    promapi_result_t r;
    char err[200];
    const char *body =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        "{\"metric\":{\"__name__\":\"up\",\"instance\":\"127.0.0.1:29541\",\"job\":\"etcd\"},"
        "\"value\":[1796526400.542,\"1\"]},"
        "{\"metric\":{\"__name__\":\"up\",\"instance\":\"127.0.0.1:29543\",\"job\":\"etcd\"},"
        "\"value\":[1796526400.542,\"0\"]}]}}";
    assert_int_equal(parse(body, &r, s, 8, err, sizeof err), 0);
    assert_int_equal(r.type, PROMAPI_VECTOR);
    assert_int_equal(r.n, 2);
    assert_string_equal(s[0].name, "up");
    assert_string_equal(s[0].label[0], "127.0.0.1:29541");
    assert_string_equal(s[0].label[1], "");            /* absent label */
    assert_float_equal(s[0].v, 1, 0);
    assert_float_equal(s[0].t, 1796526400.542, 1e-6);
    assert_int_equal(s[0].points, 1);
    assert_string_equal(s[1].label[0], "127.0.0.1:29543");
    assert_float_equal(s[1].v, 0, 0);
}

/* NaN and the infinities arrive as strings; an empty result is no series. */
static void test_special_values_and_empty(void **state)
{
    (void)state;
    promapi_series_t s[4];
    promapi_result_t r;
    char err[200];
    const char *body =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        "{\"metric\":{\"instance\":\"a\",\"le\":\"+Inf\"},\"value\":[1,\"NaN\"]},"
        "{\"metric\":{\"instance\":\"b\"},\"value\":[1,\"+Inf\"]},"
        "{\"metric\":{\"instance\":\"c\"},\"value\":[1,\"-Inf\"]},"
        "{\"metric\":{},\"value\":[1,\"1.5e-3\"]}]}}";
    assert_int_equal(parse(body, &r, s, 4, err, sizeof err), 0);
    assert_int_equal(r.n, 4);
    assert_true(isnan(s[0].v));
    assert_string_equal(s[0].label[1], "+Inf");
    assert_true(isinf(s[1].v) && s[1].v > 0);
    assert_true(isinf(s[2].v) && s[2].v < 0);
    assert_float_equal(s[3].v, 0.0015, 1e-12);
    assert_string_equal(s[3].name, "");
    assert_int_equal(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
                           "\"result\":[]}}", &r, s, 4, err, sizeof err), 0);
    assert_int_equal(r.n, 0);
}

/* A matrix keeps each series' last point and its count; a scalar is one value. */
static void test_matrix_and_scalar(void **state)
{
    (void)state;
    promapi_series_t s[4];
    promapi_result_t r;
    char err[200];
    const char *body =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
        "{\"metric\":{\"instance\":\"a\"},\"values\":[[10,\"1\"],[11,\"2\"],[12,\"4\"]]},"
        "{\"metric\":{\"instance\":\"b\"},\"values\":[]}]}}";
    assert_int_equal(parse(body, &r, s, 4, err, sizeof err), 0);
    assert_int_equal(r.type, PROMAPI_MATRIX);
    assert_int_equal(r.n, 2);
    assert_int_equal(s[0].points, 3);
    assert_float_equal(s[0].v, 4, 0);
    assert_float_equal(s[0].t, 12, 0);
    assert_int_equal(s[1].points, 0);
    assert_true(isnan(s[1].v));                  /* no point: unknown, not 0 */
    assert_int_equal(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
                           "\"result\":[5,\"0.25\"]}}", &r, s, 4, err, sizeof err), 0);
    assert_int_equal(r.type, PROMAPI_SCALAR);
    assert_int_equal(r.n, 1);
    assert_float_equal(s[0].v, 0.25, 0);
}

/* Prometheus' own error answer (HTTP 400 body) says its type and text. */
static void test_error_answer(void **state)
{
    (void)state;
    promapi_series_t s[2];
    promapi_result_t r;
    char err[200];
    const char *body = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
                       "\"invalid parameter \\\"query\\\": 1:7: parse error: unexpected \\\"(\\\"\"}";
    assert_int_equal(parse(body, &r, s, 2, err, sizeof err), -1);
    assert_string_equal(err, "prometheus: bad_data: invalid parameter \"query\": 1:7: parse "
                             "error: unexpected \"(\"");
    assert_int_equal(r.n, 0);
    assert_int_equal(parse("{\"status\":\"error\",\"error\":\"a\\nb\"}", &r, s, 2, err,
                           sizeof err), -1);
    assert_string_equal(err, "prometheus: error: a b");      /* one line */
}

/* Over the caps and malformed: an error that says what, and nothing kept. */
static void test_caps_and_bad_bodies(void **state)
{
    (void)state;
    promapi_series_t s[2];
    promapi_result_t r;
    char err[200];
    const char *three =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        "{\"metric\":{},\"value\":[1,\"1\"]},{\"metric\":{},\"value\":[1,\"1\"]},"
        "{\"metric\":{},\"value\":[1,\"1\"]}]}}";
    assert_int_equal(parse(three, &r, s, 2, err, sizeof err), -1);
    assert_string_equal(err, "prometheus: 3 series in the answer, at most 2 kept");
    assert_int_equal(r.n, 0);

    char big[600];
    snprintf(big, sizeof big, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
             "\"result\":[{\"metric\":{\"instance\":\"%0200d\"},\"value\":[1,\"1\"]}]}}", 7);
    assert_int_equal(parse(big, &r, s, 2, err, sizeof err), -1);
    assert_string_equal(err, "prometheus: result 1: label instance is not a string of at most "
                             "127 bytes");

    static const struct {
        const char *body, *want;
    } bad[] = {
        { "", "prometheus: bad JSON at line 1 column 0: '[' or '{' expected near end of file" },
        { "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\"",
          NULL },
        { "[]", "prometheus: answer is not a JSON object" },
        { "{\"data\":{}}", "prometheus: answer without a status" },
        { "{\"status\":\"success\"}", "prometheus: answer without data.resultType/result" },
        { "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"a\"]}}",
          "prometheus: result type string not handled" },
        { "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
          "[{\"metric\":{},\"value\":[1,\"one\"]}]}}", "prometheus: result 1: bad value" },
        { "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
          "[{\"metric\":{},\"value\":[1,2]}]}}", "prometheus: result 1: bad value" },
        { "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
          "[{\"metric\":{\"le\":7},\"value\":[1,\"2\"]}]}}",
          "prometheus: result 1: label le is not a string of at most 127 bytes" },
        { "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":"
          "[{\"metric\":{},\"values\":[[1,\"2\"],[2]]}]}}", "prometheus: result 1: bad point 2" },
        { "{\"status\":\"success\",\"status\":\"error\"}", NULL },   /* duplicate key */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(bad[i].body, &r, s, 2, err, sizeof err), -1);
        if (bad[i].want)
            assert_string_equal(err, bad[i].want);
        else
            assert_true(strncmp(err, "prometheus: bad JSON at line 1", 30) == 0);
        assert_int_equal(r.n, 0);
        assert_null(strchr(err, '\n'));
    }
}

/* A large real-sized answer (4,000 series) parses whole; one byte less does not. */
static void test_large_and_truncated(void **state)
{
    (void)state;
    size_t cap = 4000 * 96 + 200, n = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    n += (size_t)snprintf(b + n, cap - n, "{\"status\":\"success\",\"data\":{\"resultType\":"
                          "\"vector\",\"result\":[");
    for (int i = 0; i < 4000; i++)
        n += (size_t)snprintf(b + n, cap - n, "%s{\"metric\":{\"instance\":\"h%d:2379\","
                              "\"le\":\"0.001\"},\"value\":[1.5,\"%d\"]}", i ? "," : "", i, i);
    n += (size_t)snprintf(b + n, cap - n, "]}}");
    promapi_series_t *s = calloc(4000, sizeof *s);
    assert_non_null(s);
    promapi_result_t r = { .s = s, .cap = 4000 };
    char err[200];
    assert_int_equal(promapi_parse(b, n, keys, 2, &r, err, sizeof err), 0);
    assert_int_equal(r.n, 4000);
    assert_string_equal(s[3999].label[0], "h3999:2379");
    assert_float_equal(s[3999].v, 3999, 0);
    assert_int_equal(promapi_parse(b, n - 1, keys, 2, &r, err, sizeof err), -1);
    assert_int_equal(r.n, 0);
    free(s);
    free(b);
}

static void test_selector(void **state)
{
    (void)state;
    char in[PROMAPI_SELECTOR_LEN], why[160];
    assert_int_equal(promapi_selector_inner("{job=\"etcd\"}", in, sizeof in, why, sizeof why), 0);
    assert_string_equal(in, "job=\"etcd\"");
    assert_int_equal(promapi_selector_inner(" { job=~\"etcd.*\" , cluster!='a,}' , } ", in,
                                            sizeof in, why, sizeof why), 0);
    assert_string_equal(in, " job=~\"etcd.*\" , cluster!='a,}'");
    assert_int_equal(promapi_selector_inner("{}", in, sizeof in, why, sizeof why), 0);
    assert_string_equal(in, "");
    static const struct {
        const char *sel, *why;
    } bad[] = {
        { "job=\"etcd\"", "must be a label selector in braces, e.g. {job=\"etcd\"}" },
        { "{job=etcd}", "expected a quoted value at character 6" },
        { "{job==\"x\"}", "expected a quoted value at character 6" },
        { "{job\"x\"}", "expected =, !=, =~ or !~ at character 5" },
        { "{1a=\"x\"}", "expected a label name at character 2" },
        { "{a=\"x\" b=\"y\"}", "expected , or } at character 8" },
        { "{a=\"x\\\"}", "unterminated quoted value" },
        { "{a=\"x\"} or up", "text after the closing brace" },
        { "{a=\"x\"", "expected , or } at character 7" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(promapi_selector_inner(bad[i].sel, in, sizeof in, why, sizeof why), -1);
        assert_string_equal(why, bad[i].why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector),
        cmocka_unit_test(test_special_values_and_empty),
        cmocka_unit_test(test_matrix_and_scalar),
        cmocka_unit_test(test_error_answer),
        cmocka_unit_test(test_caps_and_bad_bodies),
        cmocka_unit_test(test_large_and_truncated),
        cmocka_unit_test(test_selector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
