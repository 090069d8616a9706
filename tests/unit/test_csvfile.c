/* test_csvfile.c — whole lines only, on real write failures (no mocks).
 *
 * A forked child lowers its own RLIMIT_FSIZE (with SIGXFSZ ignored) so that the
 * kernel really refuses part of a write, then raises it back; the child records
 * what it saw in shared memory and the parent checks it and the file itself. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csvfile.h"
#include "testutil.h"

#define HEADER "time,member,value\n"          /* 18 bytes */
#define MAX_STEPS 8

/* What the child saw, step by step. */
typedef struct {
    int    reached;                 /* steps completed (for a clear failure) */
    int    open_rc;
    int    status[MAX_STEPS];
    int    err[MAX_STEPS];          /* last_errno after each step */
    long   size[MAX_STEPS];         /* file size after each step */
    size_t backlog[MAX_STEPS];
    size_t dropped;
} report_t;

typedef struct {
    char dir[64];
    char path[96];
} tmp_t;

static int setup(void **state)
{
    tmp_t *t = calloc(1, sizeof *t);
    if (t == NULL)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/test_csvfile.XXXXXX");
    if (mkdtemp(t->dir) == NULL) {
        free(t);
        return -1;
    }
    snprintf(t->path, sizeof t->path, "%s/out.csv", t->dir);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tmp_t *t = *state;
    unlink(t->path);
    rmdir(t->dir);
    free(t);
    return 0;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void set_fsize(rlim_t soft)
{
    struct rlimit rl;
    getrlimit(RLIMIT_FSIZE, &rl);
    rl.rlim_cur = soft;
    setrlimit(RLIMIT_FSIZE, &rl);
}

static void restore_fsize(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_FSIZE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_FSIZE, &rl);
}

/* Run fn(path, report) in a child process; returns the shared report. */
static report_t *run_child(const char *path, void (*fn)(const char *, report_t *))
{
    report_t *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(r != MAP_FAILED);
    memset(r, 0, sizeof *r);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        fn(path, r);
        _exit(0);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    return r;
}

static void record(csvfile_t *f, const char *path, report_t *r, csvfile_status_t s)
{
    int i = r->reached;
    r->status[i] = (int)s;
    r->err[i] = f->last_errno;
    r->size[i] = file_size(path);
    r->backlog[i] = f->backlog_len;
    r->dropped = f->dropped;
    r->reached = i + 1;
}

/* Five 20-byte lines. */
static const char *const LINES[] = {
    "1.000,m0,aaaaaaaaa1\n", "2.000,m0,aaaaaaaaa2\n", "3.000,m0,aaaaaaaaa3\n",
    "4.000,m0,aaaaaaaaa4\n", "5.000,m0,aaaaaaaaa5\n",
};
#define LINE_LEN 20
#define HDR_LEN 18

/* The file may hold the header, one line and half of the next. */
static void child_short_write(const char *path, report_t *r)
{
    csvfile_t f;
    set_fsize(HDR_LEN + LINE_LEN + LINE_LEN / 2);
    r->open_rc = csvfile_open(&f, path, HEADER);
    if (r->open_rc != 0)
        return;
    record(&f, path, r, csvfile_append(&f, LINES[0], LINE_LEN)); /* fits */
    record(&f, path, r, csvfile_append(&f, LINES[1], LINE_LEN)); /* half fits */
    record(&f, path, r, csvfile_append(&f, LINES[2], LINE_LEN)); /* backlog half fits */
    restore_fsize();
    record(&f, path, r, csvfile_append(&f, LINES[3], LINE_LEN));
    record(&f, path, r, csvfile_append(&f, LINES[4], LINE_LEN));
    csvfile_close(&f);
}

static void test_short_write_keeps_whole_lines(void **state)
{
    tmp_t *t = *state;
    report_t *r = run_child(t->path, child_short_write);
    assert_int_equal(r->open_rc, 0);
    assert_int_equal(r->reached, 5);

    assert_int_equal(r->status[0], CSVFILE_WRITTEN);
    assert_int_equal(r->size[0], HDR_LEN + LINE_LEN);

    /* the half line written by the kernel was cut back: whole lines only */
    assert_int_equal(r->status[1], CSVFILE_FAILED);
    assert_int_equal(r->err[1], EFBIG);
    assert_int_equal(r->size[1], HDR_LEN + LINE_LEN);
    assert_int_equal(r->backlog[1], LINE_LEN);

    assert_int_equal(r->status[2], CSVFILE_STILL_FAILING);
    assert_int_equal(r->err[2], EFBIG);
    assert_int_equal(r->size[2], HDR_LEN + LINE_LEN);
    assert_int_equal(r->backlog[2], 2 * LINE_LEN);

    /* room again: the backlog goes out first, in order, then the new line */
    assert_int_equal(r->status[3], CSVFILE_RESUMED);
    assert_int_equal(r->err[3], 0);
    assert_int_equal(r->backlog[3], 0);
    assert_int_equal(r->size[3], HDR_LEN + 4 * LINE_LEN);
    assert_int_equal(r->status[4], CSVFILE_WRITTEN);
    assert_int_equal(r->dropped, 0);

    size_t len = 0;
    char *got = test_slurp(t->path, &len);
    assert_non_null(got);
    char want[256];
    snprintf(want, sizeof want, "%s%s%s%s%s%s", HEADER, LINES[0], LINES[1], LINES[2],
             LINES[3], LINES[4]);
    assert_string_equal(got, want);
    free(got);
    munmap(r, sizeof *r);
}

/* No room even for the header: it waits in the backlog like a line. */
static void child_header_refused(const char *path, report_t *r)
{
    csvfile_t f;
    set_fsize(0);
    r->open_rc = csvfile_open(&f, path, HEADER);
    if (r->open_rc != 0)
        return;
    record(&f, path, r, csvfile_append(&f, LINES[0], LINE_LEN));
    restore_fsize();
    record(&f, path, r, csvfile_append(&f, LINES[1], LINE_LEN));
    csvfile_close(&f);
}

static void test_header_waits_when_refused(void **state)
{
    tmp_t *t = *state;
    report_t *r = run_child(t->path, child_header_refused);
    assert_int_equal(r->open_rc, 0);
    assert_int_equal(r->reached, 2);
    assert_int_equal(r->status[0], CSVFILE_FAILED);
    assert_int_equal(r->size[0], 0);
    assert_int_equal(r->backlog[0], HDR_LEN + LINE_LEN);
    assert_int_equal(r->status[1], CSVFILE_RESUMED);

    size_t len = 0;
    char *got = test_slurp(t->path, &len);
    assert_non_null(got);
    char want[128];
    snprintf(want, sizeof want, "%s%s%s", HEADER, LINES[0], LINES[1]);
    assert_string_equal(got, want);
    free(got);
    munmap(r, sizeof *r);
}

/* Three lines in one append (a poll's members.csv rows): a short write keeps
 * none of them in the file, all three wait together, and go out whole, in
 * order, once there is room. */
static void child_lines_batch(const char *path, report_t *r)
{
    csvfile_t f;
    set_fsize(HDR_LEN + LINE_LEN + LINE_LEN / 2);
    r->open_rc = csvfile_open(&f, path, HEADER);
    if (r->open_rc != 0)
        return;
    char three[3 * LINE_LEN];
    for (int i = 0; i < 3; i++)
        memcpy(three + i * LINE_LEN, LINES[i], LINE_LEN);
    record(&f, path, r, csvfile_append_lines(&f, three, sizeof three, 3)); /* 1.5 lines fit */
    restore_fsize();
    record(&f, path, r, csvfile_append(&f, LINES[3], LINE_LEN));
    csvfile_close(&f);
}

static void test_lines_batch_all_or_nothing(void **state)
{
    tmp_t *t = *state;
    report_t *r = run_child(t->path, child_lines_batch);
    assert_int_equal(r->open_rc, 0);
    assert_int_equal(r->reached, 2);
    assert_int_equal(r->status[0], CSVFILE_FAILED);
    assert_int_equal(r->size[0], HDR_LEN);            /* the written line and a half cut back */
    assert_int_equal(r->backlog[0], 3 * LINE_LEN);
    assert_int_equal(r->status[1], CSVFILE_RESUMED);
    assert_int_equal(r->dropped, 0);
    size_t len = 0;
    char *got = test_slurp(t->path, &len);
    assert_non_null(got);
    char want[256];
    snprintf(want, sizeof want, "%s%s%s%s%s", HEADER, LINES[0], LINES[1], LINES[2], LINES[3]);
    assert_string_equal(got, want);
    free(got);
    munmap(r, sizeof *r);
}

/* A batch that does not fit the backlog counts every one of its lines lost. */
static void child_lines_dropped(const char *path, report_t *r)
{
    csvfile_t f;
    r->open_rc = csvfile_open(&f, path, HEADER);
    if (r->open_rc != 0)
        return;
    char *big = malloc(CSVFILE_BACKLOG_MAX);
    if (!big)
        return;
    memset(big, 'b', CSVFILE_BACKLOG_MAX);
    for (size_t i = 0; i < 4; i++)
        big[(i + 1) * (CSVFILE_BACKLOG_MAX / 4) - 1] = '\n';
    set_fsize(HDR_LEN);
    record(&f, path, r, csvfile_append(&f, LINES[0], LINE_LEN));    /* kept */
    record(&f, path, r, csvfile_append_lines(&f, big, CSVFILE_BACKLOG_MAX, 4)); /* no room */
    restore_fsize();
    record(&f, path, r, csvfile_retry(&f));
    csvfile_close(&f);
    free(big);
}

static void test_lines_batch_dropped_counts_lines(void **state)
{
    tmp_t *t = *state;
    report_t *r = run_child(t->path, child_lines_dropped);
    assert_int_equal(r->open_rc, 0);
    assert_int_equal(r->reached, 3);
    assert_int_equal(r->backlog[1], LINE_LEN);
    assert_int_equal(r->dropped, 4);
    assert_int_equal(r->status[2], CSVFILE_RESUMED);
    assert_int_equal(r->size[2], HDR_LEN + LINE_LEN);
    munmap(r, sizeof *r);
}

#define BIG_LINE 65536
#define BIG_FIT ((int)(CSVFILE_BACKLOG_MAX / BIG_LINE)) /* 128 lines fill the backlog */

/* Nothing fits: the backlog fills to its cap, the lines after it are counted
 * as dropped, and once the limit is lifted the kept ones all go out. */
static void child_backlog_cap(const char *path, report_t *r)
{
    char *line = malloc(BIG_LINE);
    if (line == NULL)
        return;
    csvfile_t f;
    r->open_rc = csvfile_open(&f, path, HEADER);
    if (r->open_rc != 0) {
        free(line);
        return;
    }
    set_fsize(HDR_LEN);
    int failing = 0;
    for (int i = 0; i < BIG_FIT + 2; i++) {
        memset(line, 'a' + i % 26, BIG_LINE - 1);
        line[BIG_LINE - 1] = '\n';
        csvfile_status_t s = csvfile_append(&f, line, BIG_LINE);
        if (s == (i == 0 ? CSVFILE_FAILED : CSVFILE_STILL_FAILING))
            failing++;
    }
    record(&f, path, r, (csvfile_status_t)failing);
    restore_fsize();
    memset(line, 'Z', BIG_LINE - 1);
    record(&f, path, r, csvfile_append(&f, line, BIG_LINE));
    csvfile_close(&f);
    free(line);
}

static void test_backlog_cap_counts_dropped(void **state)
{
    tmp_t *t = *state;
    report_t *r = run_child(t->path, child_backlog_cap);
    assert_int_equal(r->open_rc, 0);
    assert_int_equal(r->reached, 2);
    assert_int_equal(r->status[0], BIG_FIT + 2);   /* FAILED once, then STILL_FAILING */
    assert_int_equal(r->backlog[0], CSVFILE_BACKLOG_MAX);
    assert_int_equal(r->size[0], HDR_LEN);
    assert_int_equal(r->status[1], CSVFILE_RESUMED);
    assert_int_equal(r->dropped, 2);
    assert_int_equal(r->backlog[1], 0);

    size_t len = 0;
    char *got = test_slurp(t->path, &len);
    assert_non_null(got);
    assert_int_equal(len, HDR_LEN + (BIG_FIT + 1) * (size_t)BIG_LINE);
    /* kept lines in order: 'a', 'b', ... then the last one, 'Z' */
    for (int i = 0; i < BIG_FIT; i++) {
        const char *l = got + HDR_LEN + (size_t)i * BIG_LINE;
        assert_int_equal(l[0], 'a' + i % 26);
        assert_int_equal(l[BIG_LINE - 2], 'a' + i % 26);
        assert_int_equal(l[BIG_LINE - 1], '\n');
    }
    assert_int_equal(got[HDR_LEN + (size_t)BIG_FIT * BIG_LINE], 'Z');
    free(got);
    munmap(r, sizeof *r);
}

static void test_header_only_when_empty(void **state)
{
    tmp_t *t = *state;
    csvfile_t f;
    /* a new file: created 0600 (owner only) even with no umask, header first */
    mode_t old = umask(0);
    int rc = csvfile_open(&f, t->path, HEADER);
    umask(old);
    assert_int_equal(rc, 0);
    struct stat st;
    assert_int_equal(stat(t->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(f.good_size, HDR_LEN);
    csvfile_close(&f);
    assert_int_equal(f.fd, -1);

    /* an existing empty file gets the header too */
    assert_int_equal(truncate(t->path, 0), 0);
    assert_int_equal(csvfile_open(&f, t->path, HEADER), 0);
    assert_int_equal(csvfile_append(&f, LINES[0], LINE_LEN), CSVFILE_WRITTEN);
    csvfile_close(&f);

    /* reopening a non-empty file appends without a second header */
    assert_int_equal(csvfile_open(&f, t->path, HEADER), 0);
    assert_int_equal(f.good_size, HDR_LEN + LINE_LEN);
    assert_int_equal(csvfile_append(&f, LINES[1], LINE_LEN), CSVFILE_WRITTEN);
    assert_int_equal(f.good_size, HDR_LEN + 2 * LINE_LEN);
    /* a line without its '\n' gets one */
    assert_int_equal(csvfile_append(&f, "x,y", 3), CSVFILE_WRITTEN);
    csvfile_close(&f);

    size_t len = 0;
    char *got = test_slurp(t->path, &len);
    assert_non_null(got);
    char want[128];
    snprintf(want, sizeof want, "%s%s%sx,y\n", HEADER, LINES[0], LINES[1]);
    assert_string_equal(got, want);
    free(got);
}

/* A stricter umask still takes its bits away. */
static void test_mode_follows_stricter_umask(void **state)
{
    tmp_t *t = *state;
    csvfile_t f;
    static const mode_t masks[][2] = { { 022, 0600 }, { 077, 0600 }, { 0277, 0400 } };
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        unlink(t->path);
        mode_t old = umask(masks[i][0]);
        int rc = csvfile_open(&f, t->path, HEADER);
        umask(old);
        assert_int_equal(rc, 0);
        struct stat st;
        assert_int_equal(stat(t->path, &st), 0);
        assert_int_equal(st.st_mode & 0777, masks[i][1]);
        csvfile_close(&f);
    }
}

/* csvfile_retry() writes the backlog without a new line; backlog_lines counts it. */
static void child_retry(const char *path, report_t *r)
{
    csvfile_t f;
    r->open_rc = csvfile_open(&f, path, HEADER);
    if (r->open_rc != 0)
        return;
    set_fsize(HDR_LEN + LINE_LEN);
    record(&f, path, r, csvfile_append(&f, LINES[0], LINE_LEN));
    record(&f, path, r, csvfile_append(&f, LINES[1], LINE_LEN));
    record(&f, path, r, csvfile_append(&f, LINES[2], LINE_LEN));
    size_t waiting = f.backlog_lines;                   /* 2 lines waiting */
    record(&f, path, r, csvfile_retry(&f));             /* still refused */
    size_t still = f.backlog_lines;
    restore_fsize();
    record(&f, path, r, csvfile_retry(&f));             /* room again */
    record(&f, path, r, csvfile_retry(&f));             /* nothing left to do */
    r->backlog[MAX_STEPS - 2] = waiting;
    r->backlog[MAX_STEPS - 1] = still;
    r->err[MAX_STEPS - 1] = (int)f.backlog_lines;
    csvfile_close(&f);
}

static void test_retry_writes_backlog(void **state)
{
    tmp_t *t = *state;
    report_t *r = run_child(t->path, child_retry);
    assert_int_equal(r->reached, 6);
    assert_int_equal(r->status[0], CSVFILE_WRITTEN);
    assert_int_equal(r->status[1], CSVFILE_FAILED);
    assert_int_equal(r->status[2], CSVFILE_STILL_FAILING);
    assert_int_equal(r->backlog[MAX_STEPS - 2], 2);
    assert_int_equal(r->status[3], CSVFILE_STILL_FAILING);
    assert_int_equal(r->err[3], EFBIG);
    assert_int_equal(r->backlog[MAX_STEPS - 1], 2);
    assert_int_equal(r->size[3], HDR_LEN + LINE_LEN);
    assert_int_equal(r->status[4], CSVFILE_RESUMED);
    assert_int_equal(r->size[4], HDR_LEN + 3 * LINE_LEN);
    assert_int_equal(r->backlog[4], 0);
    assert_int_equal(r->status[5], CSVFILE_WRITTEN);
    assert_int_equal(r->err[MAX_STEPS - 1], 0);
    munmap(r, sizeof *r);
}

static void test_no_header_for_log_files(void **state)
{
    tmp_t *t = *state;
    csvfile_t f;
    assert_int_equal(csvfile_open(&f, t->path, NULL), 0);
    assert_int_equal(csvfile_append(&f, "a\n", 2), CSVFILE_WRITTEN);
    csvfile_close(&f);
    size_t len = 0;
    char *got = test_slurp(t->path, &len);
    assert_non_null(got);
    assert_string_equal(got, "a\n");
    free(got);
}

static void test_open_fails(void **state)
{
    (void)state;
    csvfile_t f;
    errno = 0;
    assert_int_equal(csvfile_open(&f, "/nonexistent-dir/x.csv", HEADER), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(f.fd, -1);
    assert_null(f.path);
}

static void test_field_plain_and_quoted(void **state)
{
    (void)state;
    char b[64] = "";
    size_t n = 0;
    n = csv_field(b, n, sizeof b, "abc");
    assert_int_equal(n, 3);
    assert_string_equal(b, "abc");
    b[n++] = ',';
    b[n] = '\0';
    n = csv_field(b, n, sizeof b, "a,b");
    assert_string_equal(b, "abc,\"a,b\"");
    assert_int_equal(n, strlen(b));

    n = csv_field(b, 0, sizeof b, "say \"hi\"");
    assert_string_equal(b, "\"say \"\"hi\"\"\"");
    assert_int_equal(n, 12);
    n = csv_field(b, 0, sizeof b, "two\nlines");
    assert_string_equal(b, "\"two\nlines\"");
    n = csv_field(b, 0, sizeof b, "cr\r");
    assert_string_equal(b, "\"cr\r\"");
    n = csv_field(b, 0, sizeof b, "\"");
    assert_string_equal(b, "\"\"\"\"");
    assert_int_equal(n, 4);
    n = csv_field(b, 0, sizeof b, "");
    assert_int_equal(n, 0);
    assert_string_equal(b, "");
    n = csv_field(b, 0, sizeof b, NULL);
    assert_int_equal(n, 0);
    /* spaces and semicolons need no quotes */
    n = csv_field(b, 0, sizeof b, "a b;c");
    assert_string_equal(b, "a b;c");
}

static void test_field_truncation(void **state)
{
    (void)state;
    char b[6] = "xy";
    /* "abc" needs 3 + NUL: 2 + 4 = 6 fits exactly */
    assert_int_equal(csv_field(b, 2, sizeof b, "abc"), 5);
    assert_string_equal(b, "xyabc");

    char c[6] = "xy";
    memset(c + 3, '#', 3);
    /* "abcd" needs 4 + NUL: too long; dst stays "xy" */
    assert_int_equal(csv_field(c, 2, sizeof c, "abcd"), sizeof c);
    assert_string_equal(c, "xy");

    char d[8] = "xy";
    /* "a,b" would fit unquoted (3) but quoted it is 5 + NUL = 6 > 7 - 2 */
    assert_int_equal(csv_field(d, 2, 7, "a,b"), 7);
    assert_string_equal(d, "xy");
    assert_int_equal(csv_field(d, 2, 8, "a,b"), 7);
    assert_string_equal(d, "xy\"a,b\"");

    /* already full: nothing touched */
    char e[4] = "abc";
    assert_int_equal(csv_field(e, 4, 4, "z"), 4);
    assert_memory_equal(e, "abc", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_short_write_keeps_whole_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_waits_when_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backlog_cap_counts_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_batch_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_batch_dropped_counts_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_only_when_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_header_for_log_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode_follows_stricter_umask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_writes_backlog, setup, teardown),
        cmocka_unit_test(test_open_fails),
        cmocka_unit_test(test_field_plain_and_quoted),
        cmocka_unit_test(test_field_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
