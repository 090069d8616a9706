/* serve_log.c — the daemon's log (`etcd-monitor serve`): one line per event
 * on stderr, each with its RFC 3339 time: start, alert transitions, the
 * poll's events (members lost and back, leader changes, ...) and notices.
 * Nothing per quiet poll. */
#include <stdio.h>
#include <string.h>

#include "serve.h"
#include "serve_internal.h"

static void log_line(double t, const char *what, const char *line)
{
    char ts[40];
    size_t n = strcspn(line, "\n");
    serve_time(t, ts, sizeof ts);
    fprintf(stderr, "%s %s %.*s\n", ts, what, (int)n, line);
    fflush(stderr);
}

static void *slog_open(const output_env_t *env, void *arg, char *err, size_t errlen)
{
    char line[400];
    (void)arg;
    (void)err;
    (void)errlen;
    char from[240];
    if (env->cfg->prometheus_url)                /* the URL may name a host: not logged */
        snprintf(from, sizeof from, "members from prometheus, selector %.200s",
                 env->cfg->prometheus_selector);
    else
        snprintf(from, sizeof from, "%d endpoint(s)", env->cfg->n_endpoints);
    snprintf(line, sizeof line, "etcd-monitor %s serving: %s, interval %gs, workspace %s",
             EM_VERSION, from, env->cfg->interval_ms / 1000.0,
             env->workspace_dir ? env->workspace_dir : "-");
    log_line(loop_wall(), "start", line);
    if (env->cfg->insecure_skip_verify)
        log_line(loop_wall(), "warning", "INSECURE: TLS certificate verification is off "
                 "(--insecure-skip-tls-verify)");
    return (void *)env->cfg;
}

static void slog_transition(void *o, const alert_transition_t *tr, const char *line)
{
    (void)o;
    log_line(tr->t, "alert", line);
}

static void slog_poll(void *o, const poll_view_t *pv)
{
    (void)o;
    const event_list_t *ev = &pv->snap->events;
    for (int i = 0; i < ev->n; i++)
        log_line(pv->snap->t, "event", ev->line[i]);
}

static void slog_notice(void *o, double t, notice_kind_t kind, const char *line)
{
    (void)o;
    log_line(t, kind == NOTICE_WARN ? "warning" : "notice", line);
}

static void slog_close(void *o, double t)
{
    (void)o;
    log_line(t, "stop", "etcd-monitor stopped");
}

const output_ops_t output_serve_log = {
    .name = "serve-log",
    .open = slog_open,
    .on_transition = slog_transition,
    .on_poll = slog_poll,
    .on_notice = slog_notice,
    .close = slog_close,
};
