/* monitor_app.h — what cmd_monitor.c (one cluster) and cmd_clusters.c (many
 * clusters on the same loop) share: one cluster's run state and the loop that
 * drives one or many of them. Not part of the public contract. */
#ifndef EM_MONITOR_APP_H
#define EM_MONITOR_APP_H

#include <stdbool.h>
#include "config.h"
#include "delivery.h"
#include "engine.h"
#include "notify.h"
#include "ops_backup.h"
#include "ops_schedbench.h"
#include "output.h"
#include "session.h"
#include "workspace.h"

/* One cluster being monitored: its engine, workspace, session and outputs. */
typedef struct {
    const config_t    *cfg;
    engine_t          *eng;            /* loop, collector, remote, stats, rules */
    workspace_t       *ws;
    session_t         *sess;
    backup_t          *backup;         /* scheduled backups; NULL when off */
    schedbench_t      *bench;          /* the scheduled benchmark; NULL when off */
    output_list_t      outs;
    bool               interactive;    /* the dashboard is one of the outputs */
    notify_stats_t     notify;         /* alert delivery counters, for the summary */
    delivery_status_t  delivery;       /* its live status, for the dashboard */
    bool               delivering;     /* the notify output is open */
    bool               stopping;
    double             next_poll;      /* monotonic */
    double             end;            /* monotonic; INFINITY without --duration */
} app_t;

/* Run apps[0..n) (their engines on one loop) until stopped: a signal, the
 * duration, or a quit from an interactive output, of theirs or of shared (the
 * run's own outputs, e.g. the many-clusters overview; NULL = none). */
void app_run(app_t *const *apps, int n, const output_list_t *shared);
/* An output's notice and control request (output_env_t), for ctx an app_t. */
void app_output_notice(void *ctx, notice_kind_t kind, const char *line);
int  app_output_control(void *ctx, const output_ctl_t *ctl, char *reply, size_t n);
/* Report workspace notices (write failed / resumed) through the outputs. */
void app_notices(app_t *a);
/* The session's closing lines in monitoring.log (polls, connections, logs). */
void app_log_end(app_t *a);
/* After the run: the probe keys go, the closing lines are logged. */
void app_finish(app_t *a);
/* Close the outputs (the summary prints), then report the files' last notices. */
void app_close(app_t *a);
/* The exit status once the outputs have closed: EX_SOFTWARE when lines never
 * reached their file, else the cluster's final status (0, 1, 2). */
int  app_exit_code(app_t *a);

/* Many clusters (cmd_clusters.c): cfg->n_clusters > 0. */
int cmd_monitor_clusters(config_t *cfg);

#endif
