/* console.c — headless text output (stdout), one line per poll. */
#include "console.h"
#include "format.h"

#include <math.h>
#include <time.h>

static const char *level_name(alert_level_t l)
{
    return l == LEVEL_CRITICAL ? "critical" : l == LEVEL_INFO ? "info" : "warning";
}

/* A seed threshold for the banner: "20ms", or "off" when the rule is disabled. */
static const char *banner_thr(char *b, size_t n, double v, const char *unit)
{
    if (isnan(v))
        snprintf(b, n, "off");
    else
        snprintf(b, n, "%g%s", v, unit);
    return b;
}

void console_banner(FILE *out, const config_t *cfg, const rules_t *rules,
                    const char *workdir)
{
    time_t now = time(NULL);
    char started[64];
    strftime(started, sizeof(started), "%a %b %e %H:%M:%S %Z %Y", localtime(&now));
    fprintf(out, "ETCD Real-time Performance Monitor\n"
                 "=================================\n");
    fprintf(out, "Started: %s\n", started);
    if (cfg->duration_ms >= 60000 && cfg->duration_ms % 60000 == 0)
        fprintf(out, "Interval: %gs | Duration: %gm\n", cfg->interval_ms / 1000.0,
                cfg->duration_ms / 60000.0);
    else if (cfg->duration_ms > 0)
        fprintf(out, "Interval: %gs | Duration: %gs\n", cfg->interval_ms / 1000.0,
                cfg->duration_ms / 1000.0);
    else
        fprintf(out, "Interval: %gs | Duration: Continuous\n", cfg->interval_ms / 1000.0);
    fprintf(out, "Alert Threshold: %s\n", level_name(cfg->alert_level));
    fprintf(out, "Workspace: %s\n\n", workdir);
    char wal[32], be[32], frag[32];
    fprintf(out, "Alert thresholds: WAL=%s, Backend=%s, Fragmentation=%s\n\n",
            banner_thr(wal, sizeof wal, rules_threshold(rules, "SeedWalFsyncSlow"), "ms"),
            banner_thr(be, sizeof be, rules_threshold(rules, "SeedBackendCommitSlow"), "ms"),
            banner_thr(frag, sizeof frag, rules_threshold(rules, "SeedHighFragmentation"), "%"));
    fflush(out);
}

/* "12.3ms" or "-" when unknown. */
static const char *fmt_ms(char *b, size_t n, double v)
{
    if (isnan(v))
        snprintf(b, n, "-");
    else
        snprintf(b, n, "%.2fms", v);
    return b;
}

void console_poll(FILE *out, const cluster_snapshot_t *s)
{
    char ts[40], wal[32], be[32], db[32], frag[32];
    format_timestamp(ts, sizeof(ts), s->t, true, 0);
    if (s->db_size_mb.ok)
        snprintf(db, sizeof(db), "%.2fMB", s->db_size_mb.v);
    else
        snprintf(db, sizeof(db), "-");
    if (s->fragmentation_pct.ok)
        snprintf(frag, sizeof(frag), "%.1f%%", s->fragmentation_pct.v);
    else
        snprintf(frag, sizeof(frag), "-");
    for (int i = 0; i < s->events.n; i++)
        fprintf(out, "%s event: %s\n", ts, s->events.line[i]);
    fprintf(out, "%s #%ld %-7s members %d/%d leader %s db %s frag %s wal p99 %s backend p99 %s%s%s\n",
            ts, s->iteration, cluster_status_name(s->status), s->members_up, s->members_total,
            s->leader_name[0] ? s->leader_name : "-", db, frag,
            fmt_ms(wal, sizeof(wal), s->wal_p99_ms), fmt_ms(be, sizeof(be), s->backend_p99_ms),
            s->alerts[0] ? " alerts: " : "", s->alerts);
    fflush(out);
}
