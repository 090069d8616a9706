/* test_logwatch.c — etcd log line classification on real etcd 3.4.23 output
 * (zap JSON and the default capnslog text), edge cases, and the tail -F file
 * follower (append, partial and long lines, truncation, rotation, late
 * creation, deletion, reads bounded per call). Run from the repository root (tests/data/logs).
 *
 * The samples are verbatim lines picked from runs of /usr/bin/etcd 3.4.23 on
 * loopback: fdatasync delayed by 1.3 s with strace fault injection (slow
 * fdatasync, slow applies), `etcdctl compact` and `defrag`, a 1 MB quota
 * filled up (NOSPACE), and the leader of a 3-member cluster killed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logwatch.h"

#define N_ LOG_NONE
#define FS LOG_SLOW_FDATASYNC
#define AP LOG_SLOW_APPLY
#define LC LOG_LEADER_CHANGED
#define LL LOG_LEADER_LOST
#define CP LOG_COMPACTION
#define DF LOG_DEFRAG
#define AL LOG_ALARM

/* Classify every line of a sample file and compare with the expected kinds. */
static void check_sample(const char *path, const log_kind_t *want, int n_want)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    int i = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        size_t len = strcspn(line, "\n");
        assert_true(i < n_want);
        log_kind_t got = logwatch_classify(line, len);
        if (got != want[i])
            fail_msg("%s line %d: got %s, want %s: %.120s", path, i + 1,
                     logwatch_kind_name(got), logwatch_kind_name(want[i]), line);
        i++;
    }
    fclose(f);
    assert_int_equal(i, n_want);
}

static void test_zap_sample(void **state)
{
    (void)state;
    static const log_kind_t want[] = {
        N_, N_,         /* starting an etcd server (1300 bytes), enabled backend quota */
        LC, LC,         /* became leader, elected leader */
        FS, FS,         /* slow fdatasync */
        N_,             /* waiting for ReadIndex response took too long */
        AP, AP,         /* apply request took too long: put, read-only range */
        N_,             /* trace[...] put */
        AP,             /* apply request took too long: compaction */
        N_, CP,         /* compact tree index, finished scheduled compaction */
        N_, DF, N_, N_, /* starting defragment, defragmenting, defragmented, finished defragment */
        AL,             /* alarm raised NOSPACE */
        N_,             /* established TCP streaming connection */
        LL, LL,         /* raft.node: X lost leader Y */
        LC, LC, LC,     /* elected leader, became leader, elected leader */
        N_, N_, N_,     /* leadership transfer starting / skipped; not leader / failed */
    };
    check_sample("tests/data/logs/etcd-3.4-zap.log", want, (int)(sizeof want / sizeof want[0]));
}

static void test_capnslog_sample(void **state)
{
    (void)state;
    static const log_kind_t want[] = {
        N_, N_,         /* [WARNING] Deprecated flag, etcd Version */
        LC, LC, LC,     /* became leader, elected leader x2 */
        N_,             /* waiting for ReadIndex response took too long, retrying */
        FS, FS,         /* wal: sync duration of 1.3s, expected less than 1s */
        AP, AP,         /* read-only range request ... took too long (2.5s) to execute */
        N_, CP,         /* store.index: compact 5, finished scheduled compaction */
        N_, DF,         /* starting to defragment, finished defragmenting */
        AL,             /* alarm NOSPACE raised by peer */
        N_,             /* rafthttp: lost the TCP streaming connection */
        LL, LL,         /* raft.node: X lost leader Y at term 3 */
        LC, LC,         /* became leader, elected leader */
        N_, N_, N_,     /* starts leadership transfer, skipped ..., failed to transfer
                           (leader transfer took too long) */
    };
    check_sample("tests/data/logs/etcd-3.4-capnslog.log", want, (int)(sizeof want / sizeof want[0]));
}

static log_kind_t cls(const char *s)
{
    return logwatch_classify(s, strlen(s));
}

static void test_edge_cases(void **state)
{
    (void)state;
    assert_int_equal(logwatch_classify(NULL, 10), LOG_NONE);
    assert_int_equal(logwatch_classify("slow fdatasync", 0), LOG_NONE);
    assert_int_equal(cls(""), LOG_NONE);
    /* the length is what counts, not a NUL */
    const char buf[] = "xx slow fdatasync";
    assert_int_equal(logwatch_classify(buf, 10), LOG_NONE);
    assert_int_equal(logwatch_classify(buf, sizeof buf - 1), LOG_SLOW_FDATASYNC);
    /* zap: only the message counts, not other fields */
    assert_int_equal(cls("{\"level\":\"warn\",\"msg\":\"request failed\",\"error\":\"etcdserver: no leader\"}"),
                     LOG_NONE);
    assert_int_equal(cls("{\"level\":\"warn\",\"msg\":\"apply request took too long\","
                         "\"request\":\"alarm:<action:ACTIVATE alarm:NOSPACE > \"}"), LOG_SLOW_APPLY);
    assert_int_equal(cls("{\"msg\":\"enabled backend quota\",\"note\":\"alarm raised\"}"), LOG_NONE);
    /* escaped quotes inside the message; an unterminated message */
    assert_int_equal(cls("{\"msg\":\"a \\\"quoted\\\" slow fdatasync\",\"took\":\"1s\"}"), LOG_SLOW_FDATASYNC);
    assert_int_equal(cls("{\"msg\":\"x\\\"\",\"took\":\"slow fdatasync\"}"), LOG_NONE);
    assert_int_equal(cls("{\"level\":\"warn\",\"msg\":\"slow fdat"), LOG_NONE);
    assert_int_equal(cls("{\"level\":\"warn\",\"msg\":\"slow fdatasync"), LOG_SLOW_FDATASYNC);
    assert_int_equal(cls("{\"msg\":\"\\"), LOG_NONE);
    /* journald prefixes (journalctl -o short) */
    assert_int_equal(cls("Nov 23 15:55:36 cp1 etcd[812]: {\"level\":\"info\",\"msg\":\"raft.node: "
                         "19c6 lost leader 3eba at term 3\"}"), LOG_LEADER_LOST);
    assert_int_equal(cls("Nov 23 15:53:20 cp1 etcd[812]: 2026-11-23 15:53:20.067108 W | wal: sync "
                         "duration of 1.3s, expected less than 1s"), LOG_SLOW_FDATASYNC);
    /* 3.5 wording and raft's "changed leader" */
    assert_int_equal(cls("{\"msg\":\"leader changed\"}"), LOG_LEADER_CHANGED);
    assert_int_equal(cls("raft2026/11/23 15:55:17 INFO: raft.node: a changed leader from b to c at term 4"),
                     LOG_LEADER_CHANGED);
    assert_int_equal(cls("etcdserver: no leader"), LOG_LEADER_LOST);
    assert_int_equal(cls("became follower at term 3"), LOG_NONE);
    /* near misses */
    assert_int_equal(cls("sync duration of 10ms"), LOG_NONE);
    assert_int_equal(cls("leader transfer took too long"), LOG_NONE);
    assert_int_equal(cls("starting to defragment the storage backend..."), LOG_NONE);
    assert_int_equal(cls("alarm disarmed"), LOG_NONE);
    /* names */
    assert_string_equal(logwatch_kind_name(LOG_NONE), "none");
    assert_string_equal(logwatch_kind_name(LOG_SLOW_FDATASYNC), "slow_fdatasync");
    assert_string_equal(logwatch_kind_name(LOG_ALARM), "alarm");
    assert_string_equal(logwatch_kind_name(LOG_KIND_COUNT), "unknown");
    assert_string_equal(logwatch_kind_name((log_kind_t)-1), "unknown");
    for (int k = 0; k < LOG_KIND_COUNT; k++)
        assert_string_not_equal(logwatch_kind_name((log_kind_t)k), "unknown");
}

/* ---- file follower ---- */

typedef struct {
    char dir[64];
    char path[128];
} tmp_t;

static int setup_tmp(void **state)
{
    tmp_t *t = calloc(1, sizeof *t);
    if (t == NULL)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/test_logwatch.XXXXXX");
    if (mkdtemp(t->dir) == NULL) {
        free(t);
        return -1;
    }
    snprintf(t->path, sizeof t->path, "%s/etcd.log", t->dir);
    *state = t;
    return 0;
}

static int teardown_tmp(void **state)
{
    tmp_t *t = *state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    int rc = system(cmd);
    free(t);
    return rc == 0 ? 0 : -1;
}

/* Append s to path (creating it). */
static void append(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
    close(fd);
}

static char lines[8][512];

static int rd(logwatch_t *w, int max)
{
    memset(lines, 0, sizeof lines);
    return logwatch_read_lines(w, lines, max);
}

static void test_follow_from_end(void **state)
{
    tmp_t *t = *state;
    char err[256] = "";
    append(t->path, "old line 1\nold line 2\n");
    logwatch_t *w = logwatch_open_file(t->path, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(rd(w, 8), 0);                 /* existing content is skipped */
    append(t->path, "new 1\nnew 2\r\npartial");
    assert_int_equal(rd(w, 8), 2);
    assert_string_equal(lines[0], "new 1");
    assert_string_equal(lines[1], "new 2");        /* CR dropped */
    assert_int_equal(rd(w, 8), 0);                 /* "partial" waits for its newline */
    append(t->path, " done\n");
    assert_int_equal(rd(w, 8), 1);
    assert_string_equal(lines[0], "partial done");
    /* more lines than max: the rest comes with the next call */
    append(t->path, "a\nb\nc\nd\ne\n");
    assert_int_equal(rd(w, 3), 3);
    assert_string_equal(lines[2], "c");
    assert_int_equal(rd(w, 8), 2);
    assert_string_equal(lines[0], "d");
    assert_string_equal(lines[1], "e");
    assert_int_equal(logwatch_read_lines(w, lines, 0), 0);
    assert_int_equal(logwatch_read_lines(NULL, lines, 4), 0);
    logwatch_close(w);
    logwatch_close(NULL);
}

static void test_long_line_cut(void **state)
{
    tmp_t *t = *state;
    char err[256] = "";
    logwatch_t *w = logwatch_open_file(t->path, err, sizeof err);
    assert_non_null(w);
    char big[3000];
    memset(big, 'x', sizeof big - 2);
    big[0] = 'A';
    big[sizeof big - 2] = '\n';
    big[sizeof big - 1] = '\0';
    append(t->path, big);
    append(t->path, "after\n");
    assert_int_equal(rd(w, 8), 2);
    assert_int_equal(strlen(lines[0]), 511);
    assert_int_equal(lines[0][0], 'A');
    assert_string_equal(lines[1], "after");
    /* a long line arriving in pieces */
    append(t->path, "B");
    for (int i = 0; i < 40; i++) {
        char chunk[101];
        memset(chunk, 'y', 100);
        chunk[100] = '\0';
        append(t->path, chunk);
        int n = rd(w, 8);
        assert_true(n <= 1);
        if (n == 1) {
            assert_int_equal(lines[0][0], 'B');
            assert_int_equal(strlen(lines[0]), 511);
        }
    }
    append(t->path, "\nnext\n");
    assert_int_equal(rd(w, 8), 1);
    assert_string_equal(lines[0], "next");
    logwatch_close(w);
}

/* A long line whose 511th byte is a CR reads the same whether it arrives
 * whole or in pieces: cut to 511 bytes, then the CR dropped (found by
 * fuzz_logline; whole, it used to keep the CR). */
static void test_long_line_cr_at_cut(void **state)
{
    tmp_t *t = *state;
    char err[256] = "", line[600], want[512];
    memset(line, 'x', 510);
    line[510] = '\r';
    memset(line + 511, 'y', 40);
    strcpy(line + 551, "\r\n");
    memset(want, 'x', 510);
    want[510] = '\0';
    logwatch_t *w = logwatch_open_file(t->path, err, sizeof err);
    assert_non_null(w);
    append(t->path, line);                           /* whole */
    assert_int_equal(rd(w, 8), 1);
    assert_string_equal(lines[0], want);
    line[300] = '\0';                                /* in pieces: cut before its end */
    append(t->path, line);
    assert_int_equal(rd(w, 8), 0);
    line[300] = 'x';
    line[520] = '\0';
    append(t->path, line + 300);
    assert_int_equal(rd(w, 8), 1);
    assert_string_equal(lines[0], want);
    line[520] = 'y';
    append(t->path, line + 520);
    append(t->path, "next\n");
    assert_int_equal(rd(w, 8), 1);
    assert_string_equal(lines[0], "next");
    logwatch_close(w);
}

static void test_created_later_and_truncated(void **state)
{
    tmp_t *t = *state;
    char err[256] = "";
    logwatch_t *w = logwatch_open_file(t->path, err, sizeof err);   /* does not exist yet */
    assert_non_null(w);
    assert_int_equal(rd(w, 8), 0);
    append(t->path, "first\nsecond\n");                /* created: read from its start */
    assert_int_equal(rd(w, 8), 2);
    assert_string_equal(lines[0], "first");
    /* truncated (copytruncate rotation), then written again */
    assert_int_equal(truncate(t->path, 0), 0);
    assert_int_equal(rd(w, 8), 0);
    append(t->path, "x\n");
    assert_int_equal(rd(w, 8), 1);
    assert_string_equal(lines[0], "x");
    logwatch_close(w);
}

static void test_rotated(void **state)
{
    tmp_t *t = *state;
    char err[256] = "", old[160];
    snprintf(old, sizeof old, "%s.1", t->path);
    append(t->path, "before start\n");
    logwatch_t *w = logwatch_open_file(t->path, err, sizeof err);
    assert_non_null(w);
    append(t->path, "last of old\nunfinished");
    assert_int_equal(rename(t->path, old), 0);         /* logrotate: rename, create */
    append(old, " but written late\n");                /* still written through the old fd */
    assert_int_equal(rd(w, 8), 2);
    assert_string_equal(lines[0], "last of old");
    assert_string_equal(lines[1], "unfinished but written late");
    append(t->path, "new file 1\n");
    assert_int_equal(rd(w, 8), 1);
    assert_string_equal(lines[0], "new file 1");
    /* rotation with an unfinished last line: it is not lost */
    append(t->path, "no newline");
    assert_int_equal(rename(t->path, old), 0);
    append(t->path, "third file\n");
    assert_int_equal(rd(w, 8), 2);
    assert_string_equal(lines[0], "no newline");
    assert_string_equal(lines[1], "third file");
    /* deleted and recreated (the inode may even be reused) */
    assert_int_equal(unlink(t->path), 0);
    assert_int_equal(rd(w, 8), 0);
    append(t->path, "fourth\n");
    assert_int_equal(rd(w, 8), 1);
    assert_string_equal(lines[0], "fourth");
    logwatch_close(w);
}

/* Each read is bounded (64 KiB, max lines), so an endless or fast-growing file
 * cannot hold the caller; logwatch_more() says when to come back. (Without the
 * bound this test hangs: the alarm ends it.) */
static void test_bounded_read(void **state)
{
    tmp_t *t = *state;
    char err[256] = "";
    alarm(10);
    logwatch_t *w = logwatch_open_file(t->path, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(rd(w, 8), 0);
    assert_false(logwatch_more(w));                /* at the end: nothing more */
    /* more lines than max: the rest is left for the next call */
    for (int i = 0; i < 20; i++)
        append(t->path, "line\n");
    assert_int_equal(rd(w, 8), 8);
    assert_true(logwatch_more(w));
    assert_int_equal(rd(w, 8), 8);
    assert_int_equal(rd(w, 8), 4);
    assert_false(logwatch_more(w));
    /* a 200 KiB line: at most 64 KiB read per call, so its end (and the next
     * line) come only with the fourth call */
    static char big[200 * 1024 + 1];
    memset(big, 'x', sizeof big - 1);
    big[0] = 'A';
    append(t->path, big);
    append(t->path, "\nend\n");
    assert_int_equal(rd(w, 8), 1);                 /* the line, cut */
    assert_int_equal(lines[0][0], 'A');
    assert_true(logwatch_more(w));
    int calls = 1, n = 0;
    while (n == 0 && calls < 20) {
        n = rd(w, 8);
        calls++;
        if (n == 0)
            assert_true(logwatch_more(w));         /* stopped on the bound, not the end */
    }
    assert_int_equal(n, 1);
    assert_string_equal(lines[0], "end");
    assert_true(calls >= 4);
    assert_false(logwatch_more(w));
    logwatch_close(w);
    /* endless sources: every call returns, and there is always more */
    const char *endless[] = { "/dev/zero", "/dev/urandom" };
    for (size_t k = 0; k < 2; k++) {
        w = logwatch_open_file(endless[k], err, sizeof err);
        assert_non_null(w);
        for (int i = 0; i < 50; i++) {
            assert_true(rd(w, 8) <= 8);
            assert_true(logwatch_more(w));
        }
        logwatch_close(w);
    }
    assert_false(logwatch_more(NULL));
    alarm(0);
}

static void test_open_errors(void **state)
{
    tmp_t *t = *state;
    char err[256] = "";
    assert_null(logwatch_open_file(NULL, err, sizeof err));
    assert_string_equal(err, "log file: no path given");
    assert_null(logwatch_open_file("", err, sizeof err));
    char longp[5000];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    assert_null(logwatch_open_file(longp, err, sizeof err));
    assert_string_equal(err, "log file: path too long");
    /* a directory that does not exist yet is fine (tail -F) */
    char p[200];
    snprintf(p, sizeof p, "%s/later/etcd.log", t->dir);
    logwatch_t *w = logwatch_open_file(p, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(rd(w, 8), 0);
    logwatch_close(w);
    /* a directory is not a log file */
    assert_null(logwatch_open_file(t->dir, err, sizeof err));
    assert_non_null(strstr(err, "Is a directory"));
    /* a path through a regular file cannot work */
    append(t->path, "x\n");
    snprintf(p, sizeof p, "%s/sub", t->path);
    assert_null(logwatch_open_file(p, err, sizeof err));
    assert_non_null(strstr(err, "Not a directory"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zap_sample),
        cmocka_unit_test(test_capnslog_sample),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test_setup_teardown(test_follow_from_end, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_long_line_cut, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_long_line_cr_at_cut, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_created_later_and_truncated, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_rotated, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bounded_read, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_open_errors, setup_tmp, teardown_tmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
