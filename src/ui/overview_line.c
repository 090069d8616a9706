/* overview_line.c — one cluster's line of the many-clusters overview, from its
 * latest poll (pure: no curses, unit-tested in test_overview.c). */
#include "overview.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "format.h"

void overview_line_from(overview_line_t *l, const cluster_snapshot_t *s)
{
    memset(l, 0, sizeof *l);
    l->polled = true;
    l->status = s->status;
    snprintf(l->leader, sizeof l->leader, "%s", s->leader_id ? s->leader_name : "");
    l->members_up = s->members_up;
    l->members_total = s->members_total;
    l->wal_p99_ms = s->wal_p99_ms;
    l->commit_p99_ms = s->backend_p99_ms;
    l->db_mb = s->db_size_mb.ok ? s->db_size_mb.v : NAN;
    l->quota_pct = NAN;
    for (int i = 0; i < s->n_members && i < CLUSTER_MAX_MEMBERS; i++) {
        double q = s->members[i].fig.quota_used_pct;
        if (isfinite(q) && (isnan(l->quota_pct) || q > l->quota_pct))
            l->quota_pct = q;
    }
    snprintf(l->firing, sizeof l->firing, "%s", s->alerts);
    for (const char *p = l->firing; *p;) {        /* count the space-separated names */
        p += strspn(p, " ");
        if (*p)
            l->n_firing++;
        p += strcspn(p, " ");
    }
}

#define OV_COLUMNS "%-20.20s %-7s %-16.16s %7s %8s %8s %10s %6s  %s"

size_t overview_header(char *out, size_t n)
{
    int w = snprintf(out, n, OV_COLUMNS, "CLUSTER", "STATUS", "LEADER", "UP", "WAL p99",
                     "COMMIT", "DB", "QUOTA", "FIRING ALERTS");
    return w < 0 ? 0 : ((size_t)w < n ? (size_t)w : n - 1);
}

size_t overview_line_format(char *out, size_t n, const char *name, const overview_line_t *l)
{
    char up[24] = "-", wal[FORMAT_BUF], commit[FORMAT_BUF], db[FORMAT_BUF], quota[FORMAT_BUF];
    char firing[600] = "";
    const char *status = "-", *leader = "-";
    if (l->polled) {
        status = cluster_status_name(l->status);
        leader = l->leader[0] ? l->leader : "none";
        snprintf(up, sizeof up, "%d/%d", l->members_up, l->members_total);
        if (l->n_firing)
            snprintf(firing, sizeof firing, "%d %s", l->n_firing, l->firing);
        else
            snprintf(firing, sizeof firing, "0");
    }
    format_latency_ms(wal, sizeof wal, l->wal_p99_ms, l->polled, 0);
    format_latency_ms(commit, sizeof commit, l->commit_p99_ms, l->polled, 0);
    format_percent(quota, sizeof quota, l->quota_pct, l->polled, 0);
    format_bytes(db, sizeof db, l->db_mb * 1024.0 * 1024.0, l->polled, 0);   /* MiB */
    int w = snprintf(out, n, OV_COLUMNS, name, status, leader, up, wal, commit, db, quota,
                     firing);
    return w < 0 ? 0 : ((size_t)w < n ? (size_t)w : n - 1);
}
