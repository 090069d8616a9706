/* cmd_status.c — the status command: one poll of every member, the statistics
 * and the alert rules run once on it (as the monitor does on each poll), then
 * a table or JSON on stdout (status_report.h). The exit status is what fires,
 * as the monitor's: 0 nothing (or info only), 1 a warning, 2 a critical alert. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "commands.h"
#include "config.h"
#include "engine.h"
#include "status_report.h"

/* Run one poll to its end through the engine (stats and rules included). The
 * collector ends every request before the interval is up; limit_s bounds the
 * whole anyway. False when it did not end. */
static bool status_poll(engine_t *e, double limit_s)
{
    double start = loop_mono();
    (void)engine_start_poll(e);
    while (!engine_take_poll(e)) {
        if (loop_mono() - start > limit_s) {
            collector_abort(e->col);
            return false;
        }
        (void)engine_pump(e);
        loop_run_once(e->loop, 100);
    }
    return true;
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
    static engine_t eng;

    signal(SIGPIPE, SIG_IGN);            /* `status | head`: a write error, not a death */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "etcd-monitor: cannot initialise libcurl\n");
        return 70;
    }
    int rc = engine_open(&eng, cfg, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "etcd-monitor: %s\n", err);
        curl_global_cleanup();
        return rc;
    }
    config_forget_password(cfg);         /* auth has its own copy (secmem.h) */
    double limit_s = (cfg->interval_ms + cfg->dial_timeout_ms) / 1000.0 + 2.0;
    if (!status_poll(&eng, limit_s)) {
        fprintf(stderr, "etcd-monitor: status: the poll did not end within %.0fs\n", limit_s);
        rc = 2;
        goto out;
    }
    const cluster_snapshot_t *snap = eng.snap;
    int w = cfg->write_out == WRITE_JSON ? status_report_json(stdout, snap)
                                         : status_report_table(stdout, snap);
    if (fflush(stdout) != 0 || w != 0) {
        fprintf(stderr, "etcd-monitor: status: cannot write the report: %s\n", strerror(errno));
        rc = 74;                         /* EX_IOERR */
        goto out;
    }
    if (snap->source_error[0])           /* --prometheus: why the table is empty */
        fprintf(stderr, "etcd-monitor: %s\n", snap->source_error);
    status_say_firing(eng.rules);
    rc = (int)snap->status;              /* HEALTHY 0, WARNING 1, ALERT 2 */
out:
    engine_close(&eng);
    curl_global_cleanup();
    return rc;
}
