/* test_metrics_stream.c — metrics_stream_* (the collector reads /metrics as it
 * arrives) gives exactly metrics_extract's answer over the whole body, for
 * every way the body can be cut into pieces: the same sample bytes, or the same
 * error at the same line and column. Each piece lives in its own exactly-sized
 * heap block, so a read past a piece is an ASan report. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "testutil.h"

/* Feed body in pieces of `step` bytes (0: sizes cycling 1..97). */
static int stream_in_pieces(metrics_stream_t *ms, const char *body, size_t len, size_t step,
                            metrics_sample_t *m, prom_error_t *err)
{
    metrics_stream_begin(ms);
    size_t cyc = 1;
    for (size_t at = 0; at < len;) {
        size_t n = step ? step : cyc;
        cyc = cyc % 97 + 1;
        if (n > len - at)
            n = len - at;
        char *piece = malloc(n);
        assert_non_null(piece);
        memcpy(piece, body + at, n);
        metrics_stream_feed(ms, piece, n);
        free(piece);
        at += n;
    }
    return metrics_stream_end(ms, m, err);
}

/* Every piece size from 1 to max_step, a cycling mix, and some big ones. */
static void assert_same_as_whole(const char *body, size_t len, size_t max_step)
{
    metrics_stream_t *ms = metrics_stream_new(1 << 20);
    assert_non_null(ms);
    metrics_sample_t want, got;
    prom_error_t werr, gerr;
    memset(&want, 0x5A, sizeof want);
    int wrc = metrics_extract(body, len, &want, &werr);
    size_t steps[] = { 0, 4096, 16384, 65536, len ? len : 1 };
    for (size_t i = 0; i < max_step + sizeof steps / sizeof steps[0]; i++) {
        size_t step = i < max_step ? i + 1 : steps[i - max_step];
        memset(&got, 0x5A, sizeof got);
        int grc = stream_in_pieces(ms, body, len, step, &got, &gerr);
        if (grc != wrc || memcmp(&got, &want, sizeof got) != 0 ||
            (wrc && (gerr.line != werr.line || gerr.col != werr.col ||
                     strcmp(gerr.msg, werr.msg) != 0))) {
            print_error("pieces of %zu: rc %d (want %d), error %d:%d %s (want %d:%d %s)\n",
                        step, grc, wrc, gerr.line, gerr.col, gerr.msg, werr.line, werr.col,
                        werr.msg);
            fail();
        }
    }
    metrics_stream_free(ms);
}

static void test_real_bodies(void **state)
{
    (void)state;
    const char *files[] = { "tests/data/etcd-3.4-leader.metrics",
                            "tests/data/etcd-3.4-follower.metrics" };
    for (size_t f = 0; f < 2; f++) {
        size_t len;
        char *body = test_slurp_exact(files[f], &len);
        assert_non_null(body);
        metrics_sample_t m;
        prom_error_t err;
        assert_int_equal(metrics_extract(body, len, &m, &err), 0);
        assert_true(m.wal_fsync.ok && m.db_size.ok);   /* a real answer, not an empty one */
        assert_same_as_whole(body, len, 300);
        /* cut mid-label and mid-line: an error or a shorter sample, the same either way */
        const char *cut = strstr(body, "grpc_code=\"Unavailable\"");
        assert_non_null(cut);
        assert_same_as_whole(body, (size_t)(cut - body) + 13, 40);
        assert_same_as_whole(body, (size_t)(cut - body) - 40, 40);
        free(body);
    }
}

static void test_errors_at_the_same_place(void **state)
{
    (void)state;
    static const char *bodies[] = {
        "etcd_server_is_leader 0\netcd_mvcc_db_total_size_in_bytes 1\n"
        "etcd_server_has_leader{a=\"1\" 0\n",
        "# HELP x y\nunused_family{a=\"b\"} 1\nunused_family{a=\"c\"} 2\n9bad 1\n",
        "etcd_server_is_leader abc\n",
        "  etcd_server_is_leader\t1  \n\n\netcd_server_has_leader 1 12x\n",
        "etcd_server_is_leader 1\netcd_server_has_leader 1",          /* no final newline */
        "etcd_server_is_leader 1\r\n",
        "\n\n\n",
        "",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        size_t len = strlen(bodies[i]);
        assert_same_as_whole(bodies[i], len, len + 1);
    }
    /* a NUL byte in a skipped line, then in a taken one */
    static const char nul1[] = "etcd_server_is_leader 1\nunused_family 1\0 2\netcd_server_has_leader 1\n";
    static const char nul2[] = "unused_family 1\netcd_server_is_leader 1\0\n";
    assert_same_as_whole(nul1, sizeof nul1 - 1, sizeof nul1);
    assert_same_as_whole(nul2, sizeof nul2 - 1, sizeof nul2);
}

/* The previous line's name is remembered across pieces, also when it is too
 * long to keep (then looked up again). */
static void test_name_cache_across_pieces(void **state)
{
    (void)state;
    char body[4096];
    char longname[200];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    int n = snprintf(body, sizeof body,
                     "grpc_server_handled_total{grpc_code=\"OK\"} 3\n"
                     "grpc_server_handled_total{grpc_code=\"OK\"} 4\n"
                     "grpc_server_handled_total{grpc_code=\"Unavailable\"} 0\n"
                     "grpc_server_handled_total{grpc_code=\"Unavailable\"} 2\n"
                     "%s 1\n%s 2\n%s{a=\"b\" 3\n", longname, longname, longname);
    assert_true(n > 0 && (size_t)n < sizeof body);
    assert_same_as_whole(body, (size_t)n, (size_t)n);
    metrics_sample_t m;
    prom_error_t err;
    assert_int_equal(metrics_extract(body, (size_t)n, &m, &err), 0);   /* the long name is skipped */
}

/* A line past the stream's cap is an error at that line; the next body is
 * read afresh. */
static void test_line_cap_and_reuse(void **state)
{
    (void)state;
    metrics_stream_t *ms = metrics_stream_new(64);
    assert_non_null(ms);
    char body[512];
    int n = snprintf(body, sizeof body, "etcd_server_is_leader 1\n"
                     "etcd_server_has_leader{a=\"%0100d\"} 1\n", 7);
    metrics_sample_t m;
    memset(&m, 0, sizeof m);
    prom_error_t err;
    assert_int_equal(stream_in_pieces(ms, body, (size_t)n, 10, &m, &err), -1);
    assert_int_equal(err.line, 2);
    assert_string_equal(err.msg, "line longer than 64 bytes");
    assert_false(m.is_leader.ok);                       /* all or nothing */

    const char *good = "etcd_server_is_leader 1\netcd_server_has_leader 1\n";
    assert_int_equal(stream_in_pieces(ms, good, strlen(good), 5, &m, &err), 0);
    assert_true(m.is_leader.ok && m.is_leader.v == 1 && m.has_leader.ok);
    assert_int_equal(err.line, 0);
    metrics_stream_free(ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_bodies),
        cmocka_unit_test(test_errors_at_the_same_place),
        cmocka_unit_test(test_name_cache_across_pieces),
        cmocka_unit_test(test_line_cap_and_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
