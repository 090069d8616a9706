/* console.c — headless text output (stdout), one line per poll. Names, events
 * and alert names may carry text from the network: printed cleaned (text.h). */
#include "console.h"
#include "format.h"
#include "text.h"

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
    else if (fabs(v) < 1e12)
        snprintf(b, n, "%.2fms", v);
    else
        snprintf(b, n, "%.3gms", v);
    return b;
}

/* "12.34MB", "1.2e+301MB" (never cut: %f of a huge value has hundreds of
 * digits), or "-" when unknown. */
static void fmt_num(char *b, size_t n, mval_t v, int decimals, const char *unit)
{
    if (!v.ok || isnan(v.v))
        snprintf(b, n, "-");
    else if (fabs(v.v) < 1e12)
        snprintf(b, n, "%.*f%s", decimals, v.v, unit);
    else
        snprintf(b, n, "%.3g%s", v.v, unit);
}

void console_poll(FILE *out, const cluster_snapshot_t *s)
{
    console_poll_named(out, NULL, s);
}

void console_poll_named(FILE *out, const char *name, const cluster_snapshot_t *s)
{
    char ts[40], wal[32], be[32], db[32], frag[32];
    format_timestamp(ts, sizeof(ts), s->t, true, 0);
    fmt_num(db, sizeof(db), s->db_size_mb, 2, "MB");
    fmt_num(frag, sizeof(frag), s->fragmentation_pct, 1, "%");
    char clean[4 * CLUSTER_EVENT_LEN], leader[4 * sizeof(s->leader_name)];
    char alerts[2 * sizeof(s->alerts)];
    for (int i = 0; i < s->events.n; i++) {
        text_clean(clean, sizeof(clean), s->events.line[i]);
        fprintf(out, "%s%s%s%s event: %s\n", name ? "[" : "", name ? name : "",
                name ? "] " : "", ts, clean);
    }
    text_clean(leader, sizeof(leader), s->leader_name[0] ? s->leader_name : "-");
    text_clean(alerts, sizeof(alerts), s->alerts);
    fprintf(out, "%s%s%s%s #%ld %-7s members %d/%d leader %s db %s frag %s wal p99 %s backend p99 %s%s%s\n",
            name ? "[" : "", name ? name : "", name ? "] " : "", ts, s->iteration,
            cluster_status_name(s->status), s->members_up, s->members_total,
            leader, db, frag,
            fmt_ms(wal, sizeof(wal), s->wal_p99_ms), fmt_ms(be, sizeof(be), s->backend_p99_ms),
            alerts[0] ? " alerts: " : "", alerts);
    fflush(out);
}
