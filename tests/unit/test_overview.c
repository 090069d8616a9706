/* test_overview.c — the many-clusters overview's line (overview_line.c): the
 * figures taken from a poll (worst quota of the members, firing alerts
 * counted), fixed columns, unknown figures shown as "-" (never 0), a cluster
 * not polled yet, a long line cut to the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "overview.h"

static cluster_snapshot_t *snap_new(void)
{
    cluster_snapshot_t *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->status = STATUS_ALERT;
    s->leader_id = 7;
    snprintf(s->leader_name, sizeof s->leader_name, "etcd-2");
    s->members_up = 2;
    s->members_total = 3;
    s->n_members = 3;
    s->wal_p99_ms = 4.2;
    s->backend_p99_ms = 12.0;
    s->db_size_mb = (mval_t){ 20.5, true };
    s->members[0].fig.quota_used_pct = 12.5;
    s->members[1].fig.quota_used_pct = NAN;          /* down: unknown */
    s->members[2].fig.quota_used_pct = 41.0;
    snprintf(s->alerts, sizeof s->alerts, "EtcdMembersDown  EtcdHighCommitDuration");
    return s;
}

/* The whitespace-separated fields of line, joined by single spaces. */
static void fields(const char *line, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = line; *p && o + 1 < n;) {
        if (*p == ' ') {
            while (*p == ' ')
                p++;
            if (*p && o)
                out[o++] = ' ';
            continue;
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
}

static void test_line_from_poll(void **state)
{
    (void)state;
    cluster_snapshot_t *s = snap_new();
    overview_line_t l;
    overview_line_from(&l, s);
    assert_true(l.polled);
    assert_int_equal(l.n_firing, 2);
    assert_true(l.quota_pct == 41.0);                  /* the worst known member */
    char line[256], f[256];
    overview_line_format(line, sizeof line, "prod-eu", &l);
    fields(line, f, sizeof f);
    assert_string_equal(f, "prod-eu ALERT etcd-2 2/3 4.20ms 12.0ms 20.5 MiB 41.0% "
                           "2 EtcdMembersDown EtcdHighCommitDuration");

    /* The columns line up with the header's. */
    char head[256];
    overview_header(head, sizeof head);
    assert_int_equal(strstr(head, "STATUS") - head, strstr(line, "ALERT") - line);
    assert_int_equal(strstr(head, "QUOTA") - head, strstr(line, "41.0%") - line);

    /* No leader, nothing known, no alert: "none", "-" (never 0), "0". */
    s->leader_id = 0;
    s->status = STATUS_WARNING;
    s->wal_p99_ms = s->backend_p99_ms = NAN;
    s->db_size_mb.ok = false;
    for (int i = 0; i < 3; i++)
        s->members[i].fig.quota_used_pct = NAN;
    s->alerts[0] = '\0';
    overview_line_from(&l, s);
    overview_line_format(line, sizeof line, "b", &l);
    fields(line, f, sizeof f);
    assert_string_equal(f, "b WARNING none 2/3 - - - - 0");
    free(s);
}

static void test_line_not_polled(void **state)
{
    (void)state;
    overview_line_t l;
    memset(&l, 0, sizeof l);
    l.wal_p99_ms = l.commit_p99_ms = l.db_mb = l.quota_pct = NAN;
    char line[256], f[256];
    overview_line_format(line, sizeof line, "staging", &l);
    fields(line, f, sizeof f);
    assert_string_equal(f, "staging - - - - - - -");

    /* Cut to the buffer, still terminated; a long name keeps its column. */
    char small[16];
    assert_int_equal(overview_line_format(small, sizeof small, "a-very-long-cluster-name-x", &l),
                     15);
    assert_string_equal(small, "a-very-long-clu");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_from_poll),
        cmocka_unit_test(test_line_not_polled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
