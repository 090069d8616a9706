/* cmd_status.c — the status command: one poll of every member, the statistics
 * and the alert rules run once on it (as the monitor does on each poll), then
 * a table or JSON on stdout (status_report.h). The exit status is what fires,
 * as the monitor's: 0 nothing (or info only), 1 a warning, 2 a critical alert. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>

#include "collector.h"
#include "commands.h"
#include "config.h"
#include "remote.h"
#include "rules.h"
#include "stats.h"
#include "status_report.h"

static double clock_now(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run one poll to its end. The collector ends every request before the
 * interval is up; limit_s bounds the whole anyway. False when it did not end. */
static bool status_poll(collector_t *col, cluster_snapshot_t *snap, double limit_s)
{
    double start = clock_now(CLOCK_MONOTONIC);
    collector_start_poll(col, clock_now(CLOCK_REALTIME), start);
    for (;;) {
        double now = clock_now(CLOCK_MONOTONIC);
        if (collector_step(col, now, snap))
            return true;
        if (now - start > limit_s) {
            collector_abort(col);
            return false;
        }
        collector_wait(col, NULL, 0, 100);
    }
}

/* The firing alerts on one stderr line, so that a non-zero exit says why:
 * "etcd-monitor: firing: MemberUnreachable@m3 (warning), ...". */
static void status_say_firing(const rules_t *rules)
{
    const alert_t *a = NULL;
    int n = rules_active(rules, &a), shown = 0;
    for (int i = 0; i < n; i++) {
        if (a[i].state != ALERT_FIRING)
            continue;
        fprintf(stderr, "%s%s%s%s (%s)", shown++ ? ", " : "etcd-monitor: firing: ", a[i].rule,
                a[i].member[0] ? "@" : "", a[i].member,
                a[i].severity == SEV_CRITICAL ? "critical" : "warning");
    }
    if (shown)
        fputc('\n', stderr);
}

int cmd_status(config_t *cfg)
{
    char err[512];
    int rc = 70;
    collector_t *col = NULL;
    remote_t *remote = NULL;
    stats_t *stats = NULL;
    rules_t *rules = NULL;
    cluster_snapshot_t *snap = calloc(1, sizeof(*snap));
    rules_config_t rcfg;

    signal(SIGPIPE, SIG_IGN);            /* `status | head`: a write error, not a death */
    if (!snap || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "etcd-monitor: cannot initialise: %s\n", strerror(errno ? errno : ENOMEM));
        free(snap);
        return rc;
    }
    rules_config_from(cfg, &rcfg);
    if (!(rules = rules_new(&rcfg, err, sizeof(err))) ||
        !(col = collector_new(cfg, err, sizeof(err))) ||
        !(remote = remote_open(cfg, col, err, sizeof(err)))) {
        fprintf(stderr, "etcd-monitor: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }
    if (!(stats = stats_new(cfg->n_windows, cfg->window_ms, cfg->interval_ms))) {
        fprintf(stderr, "etcd-monitor: out of memory\n");
        goto out;
    }
    double limit_s = (cfg->interval_ms + cfg->dial_timeout_ms) / 1000.0 + 2.0;
    if (!status_poll(col, snap, limit_s)) {
        fprintf(stderr, "etcd-monitor: status: the poll did not end within %.0fs\n", limit_s);
        rc = 2;
        goto out;
    }
    remote_poll(remote, snap);
    stats_update(stats, snap);
    alert_transition_t trans[64];
    rules_eval(rules, snap, trans, (int)(sizeof(trans) / sizeof(trans[0])));
    snap->status = rules_status(rules);

    int w = cfg->write_out == WRITE_JSON ? status_report_json(stdout, snap)
                                         : status_report_table(stdout, snap);
    if (fflush(stdout) != 0 || w != 0) {
        fprintf(stderr, "etcd-monitor: status: cannot write the report: %s\n", strerror(errno));
        rc = 74;                         /* EX_IOERR */
        goto out;
    }
    status_say_firing(rules);
    rc = (int)snap->status;              /* HEALTHY 0, WARNING 1, ALERT 2 */
out:
    /* The tunnels go after the collector's last requests. */
    collector_free(col);
    remote_close(remote);
    stats_free(stats);
    rules_free(rules);
    curl_global_cleanup();
    free(snap);
    return rc;
}
