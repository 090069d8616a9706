/* Unit tests: the workspace — owner-only modes, cleaned log/alert/CSV text from
 * hostile members, and the exit accounting of lines the disk refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session.h"
#include "workspace.h"

#define EVIL_OSC "\x1b]0;pwned\x07\x1b[2J"
#define EVIL_CSV "a\nb,c\"d"

typedef struct {
    char dir[64];
    char ws[128];
} tmp_t;

static int setup(void **state)
{
    tmp_t *t = calloc(1, sizeof *t);
    if (t == NULL)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/test_workspace.XXXXXX");
    if (mkdtemp(t->dir) == NULL) {
        free(t);
        return -1;
    }
    snprintf(t->ws, sizeof t->ws, "%s/a/b", t->dir);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tmp_t *t = *state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    assert_int_equal(system(cmd), 0);
    free(t);
    return 0;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

static int count_char(const char *s, char c)
{
    int n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

/* New directories 0700, files 0600 under the usual umask 022; the umask may
 * still take more away. */
static void test_owner_only_modes(void **state)
{
    tmp_t *t = *state;
    static workspace_t w;
    char err[256], p[256];
    mode_t old = umask(022);
    int rc = workspace_open(&w, t->ws, 0, err, sizeof err);
    umask(old);
    assert_int_equal(rc, 0);
    snprintf(p, sizeof p, "%s/a", t->dir);
    assert_int_equal(mode_of(p), 0700);
    assert_int_equal(mode_of(t->ws), 0700);
    for (int i = 0; i < WS_FILES; i++)
        assert_int_equal(mode_of(w.path[i]), 0600);
    workspace_close(&w);

    /* umask 0477: the directory keeps write and search (0300), so it works
     * without root too; the files are 0200. */
    snprintf(p, sizeof p, "%s/strict", t->dir);
    old = umask(0477);
    rc = workspace_open(&w, p, 0, err, sizeof err);
    umask(old);
    assert_int_equal(rc, 0);
    assert_int_equal(mode_of(p), 0300);
    assert_int_equal(mode_of(w.path[WS_METRICS]), 0200);
    workspace_close(&w);
    assert_int_equal(chmod(p, 0700), 0);
}

/* Member names from the network reach monitoring.log, alerts.log and the CSVs
 * as plain one-line text. */
static void test_hostile_text_cleaned(void **state)
{
    tmp_t *t = *state;
    static workspace_t w;
    static cluster_snapshot_t s;
    char err[256];
    assert_int_equal(workspace_open(&w, t->ws, 0, err, sizeof err), 0);
    workspace_log(&w, 1795442709.5, "member %s discovered (%s)", EVIL_OSC, EVIL_CSV);
    const char alert[] = "2026-11-23T14:05:09.500Z FIRING warning MemberUnreachable member="
                         EVIL_OSC " value=1 threshold=0 unit=\n";
    workspace_alert(&w, alert, sizeof alert - 1);

    memset(&s, 0, sizeof s);
    s.t = 1795442709.5;
    s.wal_p99_ms = s.backend_p99_ms = NAN;
    s.n_members = 2;
    snprintf(s.members[0].name, sizeof s.members[0].name, "%s", EVIL_OSC);
    snprintf(s.members[1].name, sizeof s.members[1].name, "%s", EVIL_CSV);
    for (int i = 0; i < 2; i++) {
        member_view_t *m = &s.members[i];
        m->iv.wal_p50_ms = m->iv.wal_p95_ms = m->iv.wal_p99_ms = NAN;
        m->iv.backend_p50_ms = m->iv.backend_p95_ms = m->iv.backend_p99_ms = NAN;
        m->iv.peer_rtt_p99_ms = NAN;
        m->disk_free_pct = NAN;
        m->log_slow = -1;
        m->iv.db_size = (mval_t){ 1e308, true };
    }
    snprintf(s.leader_name, sizeof s.leader_name, "%s", EVIL_CSV);
    s.db_size_mb = (mval_t){ 1e308 / 1048576.0, true };
    s.events.n = 1;
    snprintf(s.events.line[0], sizeof s.events.line[0], "member %s is up", EVIL_OSC);
    workspace_write_poll(&w, &s);
    workspace_close(&w);

    char p[256];
    snprintf(p, sizeof p, "%s/monitoring.log", t->ws);
    const char *log = slurp(p);
    assert_null(strchr(log, '\x1b'));
    assert_null(strchr(log, '\x07'));
    assert_int_equal(count_char(log, '\n'), 2);
    assert_non_null(strstr(log, " member \\x1b]0;pwned\\x07\\x1b[2J discovered (a\\nb,c\"d)\n"));
    assert_non_null(strstr(log, " member \\x1b]0;pwned\\x07\\x1b[2J is up\n"));

    snprintf(p, sizeof p, "%s/alerts.log", t->ws);
    const char *al = slurp(p);
    assert_null(strchr(al, '\x1b'));
    assert_int_equal(count_char(al, '\n'), 1);
    assert_non_null(strstr(al, "member=\\x1b]0;pwned\\x07\\x1b[2J value=1"));

    snprintf(p, sizeof p, "%s/members.csv", t->ws);
    const char *mem = slurp(p);
    assert_null(strchr(mem, '\x1b'));
    assert_int_equal(count_char(mem, '\n'), 3);      /* header + one row per member */
    assert_non_null(strstr(mem, "Z,\\x1b]0;pwned\\x07\\x1b[2J,"));
    assert_non_null(strstr(mem, "Z,\"a\\nb,c\"\"d\","));
    assert_non_null(strstr(mem, ",1e+308,"));

    snprintf(p, sizeof p, "%s/metrics.csv", t->ws);
    const char *met = slurp(p);
    assert_int_equal(count_char(met, '\n'), 2);      /* the 1e308 row is there */
    assert_non_null(strstr(met, ",\"a\\nb,c\"\"d\","));
}

/* What the child saw at exit. */
typedef struct {
    size_t missing;
    size_t unwritten[WS_FILES];
    int    err[WS_FILES];
    char   report[512];
    char   summary[4096];
} finish_t;

static void set_fsize(rlim_t soft)
{
    struct rlimit rl;
    getrlimit(RLIMIT_FSIZE, &rl);
    rl.rlim_cur = soft;
    setrlimit(RLIMIT_FSIZE, &rl);
}

/* Write 5 polls of 2 members with members.csv (and the others) past a file-size
 * limit that is lifted before exit (lift) or not. */
static void child_finish(const char *dir, finish_t *r, bool lift)
{
    static workspace_t w;
    static cluster_snapshot_t s;
    static session_t sess;
    char err[256];
    signal(SIGXFSZ, SIG_IGN);
    if (workspace_open(&w, dir, 0, err, sizeof err) != 0)
        _exit(3);
    set_fsize(1000);
    memset(&s, 0, sizeof s);
    s.wal_p99_ms = s.backend_p99_ms = NAN;
    s.n_members = 2;
    for (int i = 0; i < 2; i++) {
        member_view_t *m = &s.members[i];
        snprintf(m->name, sizeof m->name, "m%d", i + 1);
        m->iv.wal_p50_ms = m->iv.wal_p95_ms = m->iv.wal_p99_ms = NAN;
        m->iv.backend_p50_ms = m->iv.backend_p95_ms = m->iv.backend_p99_ms = NAN;
        m->iv.peer_rtt_p99_ms = NAN;
        m->disk_free_pct = NAN;
        m->log_slow = -1;
    }
    for (int poll = 1; poll <= 5; poll++) {
        s.t = 1795442709.0 + poll;
        s.iteration = poll;
        workspace_write_poll(&w, &s);
    }
    if (lift)
        set_fsize(RLIM_INFINITY);
    FILE *rep = fmemopen(r->report, sizeof r->report - 1, "w");
    r->missing = workspace_finish(&w, 300, rep);
    fclose(rep);
    for (int i = 0; i < WS_FILES; i++) {
        r->unwritten[i] = w.unwritten[i];
        r->err[i] = w.missing_errno[i];
    }
    session_init(&sess, 0);
    FILE *sum = fmemopen(r->summary, sizeof r->summary - 1, "w");
    session_summary(&sess, &w, 1, sum);
    fclose(sum);
    workspace_close(&w);
    _exit(0);
}

static finish_t *run_finish(const char *dir, bool lift)
{
    finish_t *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(r != MAP_FAILED);
    memset(r, 0, sizeof *r);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        child_finish(dir, r, lift);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    return r;
}

/* Still refused at exit: counted per file, said on the report stream and in the
 * summary, never silently dropped. */
static void test_finish_counts_unwritten(void **state)
{
    tmp_t *t = *state;
    finish_t *r = run_finish(t->ws, false);
    char p[256];
    snprintf(p, sizeof p, "%s/members.csv", t->ws);
    const char *mem = slurp(p);
    size_t on_disk = (size_t)count_char(mem, '\n');   /* header included */
    assert_true(on_disk < 11);
    assert_int_equal(r->unwritten[WS_MEMBERS], 11 - on_disk);
    assert_int_equal(r->err[WS_MEMBERS], EFBIG);
    assert_true(r->missing >= r->unwritten[WS_MEMBERS]);
    char want[512];
    snprintf(want, sizeof want, "etcd-monitor: %s: %zu lines not written at exit (%s)\n", p,
             r->unwritten[WS_MEMBERS], strerror(EFBIG));
    assert_non_null(strstr(r->report, want));
    snprintf(want, sizeof want, "  Members log: %s (INCOMPLETE: %zu lines not written at exit",
             p, r->unwritten[WS_MEMBERS]);
    assert_non_null(strstr(r->summary, want));
    munmap(r, sizeof *r);
}

/* Room again before exit: the last try writes everything, nothing reported. */
static void test_finish_writes_backlog(void **state)
{
    tmp_t *t = *state;
    finish_t *r = run_finish(t->ws, true);
    assert_int_equal(r->missing, 0);
    assert_string_equal(r->report, "");
    assert_null(strstr(r->summary, "INCOMPLETE"));
    char p[256];
    snprintf(p, sizeof p, "%s/members.csv", t->ws);
    assert_int_equal(count_char(slurp(p), '\n'), 11);
    snprintf(p, sizeof p, "%s/metrics.csv", t->ws);
    assert_int_equal(count_char(slurp(p), '\n'), 6);
    munmap(r, sizeof *r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_owner_only_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_text_cleaned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finish_counts_unwritten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finish_writes_backlog, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
