/* overview.h — the many-clusters overview: one line per cluster (status,
 * leader, members up, worst WAL fsync and backend commit p99, db size, quota
 * used, firing alerts). The line's figures and text are pure (overview_line.c,
 * unit-tested); the screen is ui_overview.c: Up/Down choose a cluster, Enter
 * shows its normal dashboard, Esc there comes back. */
#ifndef EM_OVERVIEW_H
#define EM_OVERVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include "cluster.h"
#include "output.h"
#include "util.h"

/* One cluster's line, taken from its latest poll. */
typedef struct {
    bool            polled;          /* false until the first poll completed */
    health_status_t status;
    char            leader[64];      /* "" = no leader */
    int             members_up, members_total;
    double          wal_p99_ms, commit_p99_ms;   /* the cluster's worst; NAN unknown */
    double          db_mb;           /* worst member's db size, MiB; NAN unknown */
    double          quota_pct;       /* worst member's db size / quota; NAN unknown */
    int             n_firing;        /* firing alerts */
    char            firing[512];     /* their names, space-separated */
} overview_line_t;

/* The line's figures from a poll. */
void overview_line_from(overview_line_t *l, const cluster_snapshot_t *s);
/* The column heads, aligned with overview_line_format(). */
size_t overview_header(char *out, size_t n);
/* "prod  ALERT  etcd-1  2/3  4.20ms  12.0ms  20.5 MiB  41.0%  2 EtcdNoQuorum ..."
 * in fixed columns (unknown figures are "-", never 0), cut to n - 1 bytes. */
size_t overview_line_format(char *out, size_t n, const char *name, const overview_line_t *l);

/* ---- the screen (ui_overview.c) ---- */

typedef struct overview overview_t;
/* output_overview's arg: the clusters' names (borrowed, they outlive it). */
typedef struct {
    const char *const *names;
    int                n;
} overview_arg_t;
/* The overview screen: takes the terminal, ticks (keys, drawing); QUIT and
 * POLL_NOW as the dashboard. Its state is the overview_t the feeds need. */
extern const output_ops_t output_overview;
/* One cluster's feed: its polls reach the overview (and the dashboard when that
 * cluster is shown). arg: an overview_feed_t (borrowed). */
typedef struct {
    overview_t *ov;
    int         idx;
} overview_feed_t;
extern const output_ops_t output_overview_feed;

#endif
