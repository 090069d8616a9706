/* cmd_monitor.c — the monitor command (the default): builds the pipeline
 *   poll -> parse -> sample -> stats -> rules -> outputs
 * on the one event loop (src/core/loop.c) and runs it until stopped. The
 * outputs (dashboard or console, the workspace files, the closing summary)
 * are chosen here from the configuration and fed through output.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <curl/curl.h>

#include "commands.h"
#include "config.h"
#include "engine.h"
#include "monitor_app.h"
#include "notify.h"
#include "ops_backup.h"
#include "ops_schedbench.h"
#include "output.h"
#include "outputs.h"
#include "serve.h"
#include "session.h"
#include "signals.h"
#include "ui.h"
#include "workspace.h"


/* Each transition's alerts.log line, formatted and written within one
 * app_on_poll() (so one scratch serves every app). Not in app_t, whose set-up
 * writes it whole: 2.4 MB at ENGINE_MAX_TRANSITIONS, of which only a poll's
 * transitions are touched. */
static char app_lines[ENGINE_MAX_TRANSITIONS][600];

/* One notice to every output (monitoring.log; stderr too when kind says so). */
static void app_say(app_t *a, notice_kind_t kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void app_say(app_t *a, notice_kind_t kind, const char *fmt, ...)
{
    char line[CLUSTER_EVENT_LEN * 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    outputs_notice(&a->outs, loop_wall(), kind, line);
}

/* An output's own notice (output_env_t.notice). */
void app_output_notice(void *ctx, notice_kind_t kind, const char *line)
{
    app_t *a = ctx;
    outputs_notice(&a->outs, loop_wall(), kind, line);
}

/* An output's control request (output_env_t.control): to every output. */
int app_output_control(void *ctx, const output_ctl_t *ctl, char *reply, size_t n)
{
    app_t *a = ctx;
    return outputs_control(&a->outs, ctl, reply, n);
}

/* Report workspace notices (write failed / resumed) through the outputs.
 * Logging may raise a notice of its own (the log is failing too): that one is
 * reported on the next call. */
void app_notices(app_t *a)
{
    event_list_t notices = a->ws->notices;
    a->ws->notices.n = 0;
    for (int i = 0; i < notices.n; i++)
        outputs_notice(&a->outs, loop_wall(), NOTICE_WARN, notices.line[i]);
}

/* This poll's rule transitions: their alerts.log lines, the session's count,
 * and the CSV field (in the snapshot). */
static void app_transitions(app_t *a)
{
    static const char *const kind[] = { "PENDING", "FIRING", "RESOLVED" };
    cluster_snapshot_t *snap = a->eng->snap;
    size_t used = 0;
    snap->alert_events[0] = '\0';
    for (int i = 0; i < a->eng->n_trans; i++) {
        const alert_transition_t *tr = &a->eng->trans[i];
        size_t len = rules_format_transition(tr, app_lines[i], sizeof(app_lines[i]));
        if (!len)
            app_lines[i][0] = '\0';
        else
            session_alert_line(a->sess, app_lines[i], tr->kind == TRANS_FIRING);
        int w = snprintf(snap->alert_events + used, sizeof(snap->alert_events) - used,
                         "%s%s:%s%s%s", used ? " " : "", kind[tr->kind], tr->alert.rule,
                         tr->alert.member[0] ? "@" : "", tr->alert.member);
        if (w > 0 && (size_t)w < sizeof(snap->alert_events) - used)
            used += (size_t)w;
    }
}

/* A poll has completed (the engine ran it through stats and rules): the
 * session's accounting, then every output. */
static void app_on_poll(app_t *a)
{
    engine_t *e = a->eng;
    /* a benchmark's figures go into one poll's row only */
    e->ops_in.bench_ops_per_s = e->ops_in.bench_p99_ms = NAN;
    app_transitions(a);
    session_record(a->sess, e->snap);
    char trend[200], line[240] = "";
    if (stats_trend_report(e->stats, e->snap, trend, sizeof(trend))) {
        snprintf(line, sizeof(line), "%s; alerts in the last 10 samples: %d/10", trend,
                 session_alert_frequency(a->sess));
        session_trend(a->sess, line);
    }
    for (int i = 0; i < e->n_trans; i++)
        if (app_lines[i][0])
            outputs_transition(&a->outs, &e->trans[i], app_lines[i]);
    poll_view_t pv = { .snap = e->snap, .hist = stats_histories(e->stats), .trend = line,
                       .delivery = a->delivering ? &a->delivery : NULL };
    pv.n_active = rules_active(e->rules, &pv.active);
    outputs_poll(&a->outs, &pv);
    app_notices(a);
}

/* The scheduled benchmark: log a finished run; its figures go into the next
 * poll's snapshot (metrics.csv, the API). */
static void app_bench(app_t *a)
{
    schedbench_result_t r;
    if (schedbench_take_skipped(a->bench))
        app_say(a, NOTICE_LOG, "benchmark skipped: the previous one is still running");
    if (!schedbench_take(a->bench, &r))
        return;
    if (r.ok) {
        app_say(a, NOTICE_LOG, "benchmark: %ld writes in %.3f s: %.1f ops/s, p99 %.2f ms, "
                "avg %.2f ms, %ld failed%s%s", r.total, r.seconds, r.ops_per_s, r.p99_ms,
                r.avg_ms, r.failed, r.first_error[0] ? ": " : "", r.first_error);
        a->eng->ops_in.bench_ops_per_s = r.ops_per_s;
        a->eng->ops_in.bench_p99_ms = r.p99_ms;
        a->eng->ops_in.bench_last_ops_per_s = r.ops_per_s;
        a->eng->ops_in.bench_last_p99_ms = r.p99_ms;
        a->eng->ops_in.bench_last_at = loop_wall();
    } else {
        app_say(a, NOTICE_WARN, "benchmark failed: %s", r.err);
    }
    if (r.cleanup_err[0])
        app_say(a, NOTICE_WARN, "benchmark: keys left under %s: %s",
                schedbench_prefix(a->bench), r.cleanup_err);
}

/* Scheduled operator actions: log what finished, then hand their plain
 * figures to the engine for the next poll's rules. */
static void app_ops(app_t *a)
{
    backup_result_t r;
    if (backup_take_skipped(a->backup))
        app_say(a, NOTICE_LOG, "backup skipped: the previous one is still running");
    if (backup_take(a->backup, &r)) {
        if (r.ok)
            app_say(a, NOTICE_LOG, "backup saved: %s (%lld bytes, revision %lld, %.2f s, "
                    "from %s; %d older deleted)", r.path, (long long)r.bytes,
                    (long long)r.revision, r.seconds, r.member, r.deleted);
        else
            app_say(a, NOTICE_WARN, "backup failed: %s", r.err);
    }
    backup_figures(a->backup, loop_mono(), &a->eng->ops_in);
    app_bench(a);
}

/* Start a poll when one is due (never two at once; no catch-up burst). */
static void app_schedule(app_t *a, double now)
{
    if (a->stopping || now < a->next_poll)
        return;
    if (!engine_start_poll(a->eng))
        app_say(a, NOTICE_LOG, "poll skipped: the previous one is still running");
    const double interval = a->cfg->interval_ms / 1000.0;
    a->next_poll += interval;
    if (a->next_poll <= now)               /* we were stopped or starved */
        a->next_poll = now + interval;
}

/* Every app stops (once), saying why. */
static void app_stop_all(app_t *const *apps, int n, const char *why)
{
    for (int i = 0; i < n; i++)
        if (!apps[i]->stopping) {
            apps[i]->stopping = true;
            app_say(apps[i], NOTICE_LOG, "%s", why);
        }
}

/* The event loop: polls on a monotonic schedule (each cluster its own); the
 * loop core waits on the network, the signal self-pipe and (with the
 * dashboard) the keyboard together; the followed logs are read a bounded
 * piece per turn (so an endless log cannot hold the loop); ends on a signal,
 * on `q`, or when the duration is up, finishing the polls in flight (whose
 * requests all end before the interval). */
void app_run(app_t *const *apps, int n, const output_list_t *shared)
{
    const double start = loop_mono();
    const double end = apps[0]->cfg->duration_ms > 0
                       ? start + apps[0]->cfg->duration_ms / 1000.0 : INFINITY;
    loop_t *loop = apps[0]->eng->loop;
    /* Many clusters: their first polls spread over one interval, so their
     * requests do not all leave in the same instant, every interval. */
    for (int i = 0; i < n; i++) {
        apps[i]->end = end;
        apps[i]->next_poll = start + apps[i]->cfg->interval_ms / 1000.0 * i / n;
    }
    for (;;) {
        double now = loop_mono();
        if (signals_stop_count() && !apps[0]->stopping) {
            char why[64];
            snprintf(why, sizeof why, "stopping on %s", strsignal(signals_last()));
            app_stop_all(apps, n, why);
        }
        if (signals_stop_count() > 1) {     /* a second Ctrl-C: do not wait */
            for (int i = 0; i < n; i++)
                collector_abort(apps[i]->eng->col);
            break;
        }
        if (!apps[0]->stopping && now >= end)
            app_stop_all(apps, n, "duration reached");
        bool log_backlog = false, in_flight = false, again = false;
        unsigned act = shared ? outputs_tick(shared, loop_wall()) : OUTPUT_ACT_NONE;
        for (int i = 0; i < n; i++) {
            app_t *a = apps[i];
            app_schedule(a, now);
            app_ops(a);
            if (engine_take_poll(a->eng))
                app_on_poll(a);
            log_backlog |= engine_pump(a->eng);     /* more waiting = back soon */
            act |= outputs_tick(&a->outs, loop_wall());
        }
        if ((act & OUTPUT_ACT_QUIT) && !apps[0]->stopping)
            app_stop_all(apps, n, "stopping: quit from the dashboard");
        for (int i = 0; i < n; i++) {
            bool busy = collector_in_flight(apps[i]->eng->col);
            in_flight |= busy;
            if ((act & OUTPUT_ACT_POLL_NOW) && !busy) {
                apps[i]->next_poll = loop_mono();
                again = true;
            }
        }
        if (again)
            continue;
        if (apps[0]->stopping && !in_flight)
            break;
        double next = end;
        for (int i = 0; i < n; i++)
            next = fmin(next, apps[i]->next_poll);
        double until = apps[0]->stopping ? 0.1 : next - loop_mono();
        int timeout_ms = (int)ceil(fmin(fmax(until, 0.0), 1.0) * 1000.0);
        for (int i = 0; i <= n; i++) {
            const output_list_t *l = i < n ? &apps[i]->outs : shared;
            int tick = l ? outputs_next_tick_ms(l, loop_wall()) : -1;
            if (tick >= 0 && tick < timeout_ms)
                timeout_ms = tick;
        }
        if (log_backlog && timeout_ms > REMOTE_PUMP_AGAIN_MS)
            timeout_ms = REMOTE_PUMP_AGAIN_MS;
        loop_run_once(loop, timeout_ms);
    }
}

/* The outputs of this run, in order: the dashboard (on a terminal, unless
 * --headless) or the console, alert delivery (when channels are configured),
 * the workspace files, the closing summary (then the delivery lines). */
static int app_open_outputs(app_t *a, summary_arg_t *sum, char *err, size_t errlen)
{
    const config_t *cfg = a->cfg;
    output_env_t env = { .cfg = cfg, .rules = a->eng->rules, .loop = a->eng->loop,
                         .workspace_dir = a->ws->dir, .notice = app_output_notice,
                         .notice_ctx = a, .control = app_output_control, .control_ctx = a };
    a->interactive = !cfg->headless && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
    if (cfg->api.daemon) {                  /* serve: one line per event on stderr */
        if (outputs_open(&a->outs, &output_serve_log, &env, NULL, err, errlen) != 0)
            return -1;
    } else if (a->interactive) {
        if (outputs_open(&a->outs, &output_dashboard, &env, NULL, err, errlen) != 0) {
            size_t n = strlen(err);
            snprintf(err + n, errlen - n, " (use --headless)");
            return -1;
        }
    } else if (outputs_open(&a->outs, &output_console, &env, NULL, err, errlen) != 0) {
        return -1;
    }
    /* Alert delivery closes (its bounded flush) while monitoring.log is open;
     * its lines follow the summary. */
    bool notify = notify_wanted(cfg);
    a->notify.live = &a->delivery;
    a->delivering = notify;
    if ((notify && outputs_open(&a->outs, &output_notify, &env, &a->notify, err, errlen) != 0) ||
        outputs_open(&a->outs, &output_files, &env, a->ws, err, errlen) != 0 ||
        (serve_wanted(cfg) && outputs_open(&a->outs, &output_serve, &env, NULL, err, errlen) != 0) ||
        outputs_open(&a->outs, &output_summary, &env, sum, err, errlen) != 0 ||
        (notify &&
         outputs_open(&a->outs, &output_notify_summary, &env, &a->notify, err, errlen) != 0))
        return -1;
    return 0;
}

/* The session's closing lines in monitoring.log (polls, connections, logs). */
void app_log_end(app_t *a)
{
    long connects, transfers;
    collector_counters(a->eng->col, &connects, &transfers);
    app_say(a, NOTICE_LOG, "session ended after %ld polls (%ld transfers over %ld connections)",
            a->sess->iterations, transfers, connects);
    const log_counts_t *lc = remote_log_counts(a->eng->remote);
    if (lc) {
        char line[400];
        size_t used = 0;
        for (int k = LOG_NONE + 1; k < LOG_KIND_COUNT && used < sizeof line; k++)
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%s %llu",
                                     used ? ", " : "", logwatch_kind_name((log_kind_t)k),
                                     (unsigned long long)lc->count[k]);
        app_say(a, NOTICE_LOG, "log lines seen: %s", line);
    }
}

void app_finish(app_t *a)
{
    collector_delete_probe_keys(a->eng->col, 2000);
    app_log_end(a);
    app_notices(a);
}

void app_close(app_t *a)
{
    /* In order: the dashboard gives the terminal back; the files get their
     * last try (up to 2 s) and say on stderr what never reached them; the
     * summary is printed (marking incomplete files). */
    outputs_close(&a->outs, loop_wall());
    /* Notices raised by the last writes: monitoring.log and stderr. */
    workspace_t *ws = a->ws;
    for (int i = 0; i < ws->notices.n; i++) {
        fprintf(stderr, "etcd-monitor: %s\n", ws->notices.line[i]);
        workspace_log(ws, loop_wall(), "%s", ws->notices.line[i]);
    }
    ws->notices.n = 0;
}

int app_exit_code(app_t *a)
{
    /* Lines that never reached their file: EX_SOFTWARE, whatever the cluster's state. */
    return workspace_missing(a->ws) > 0 ? EX_SOFTWARE : session_exit_code(a->sess);
}

/* Monitor the cluster (dashboard or headless) until stopped; the exit status.
 * The engine is built first, so a configuration it refuses leaves no session
 * folder behind. */
int cmd_monitor(config_t *cfg)
{
    char err[512];
    if (cfg->n_clusters > 0)
        return cmd_monitor_clusters(cfg);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "etcd-monitor: cannot initialise libcurl\n");
        return 70;
    }
    static engine_t eng;
    static workspace_t ws;
    static session_t sess;
    static app_t app;
    int rc = engine_open(&eng, cfg, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "etcd-monitor: %s\n", err);
        curl_global_cleanup();
        return rc;
    }
    static backup_t *backup;              /* its client keeps its own copy of the password */
    if (backup_open(&backup, cfg, eng.loop, err, sizeof(err)) != 0) {
        fprintf(stderr, "etcd-monitor: %s\n", err);
        engine_close(&eng);
        curl_global_cleanup();
        return 70;
    }
    static schedbench_t *bench;           /* the same */
    if (schedbench_open(&bench, cfg, eng.loop, err, sizeof(err)) != 0) {
        fprintf(stderr, "etcd-monitor: %s\n", err);
        backup_close(backup, 0);
        engine_close(&eng);
        curl_global_cleanup();
        return 70;
    }
    rc = 70;
    bool ws_open = false;
    if (signals_setup(eng.loop) != 0) {
        fprintf(stderr, "etcd-monitor: cannot initialise: %s\n", strerror(errno));
        goto out;
    }
    if (workspace_open(&ws, cfg->workdir, loop_wall(), err, sizeof(err)) != 0) {
        fprintf(stderr, "etcd-monitor: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }
    ws_open = true;
    app = (app_t){ .cfg = cfg, .eng = &eng, .ws = &ws, .sess = &sess, .backup = backup,
                   .bench = bench };

    double t0 = loop_wall();
    session_init(&sess, t0);
    if (cfg->prometheus_url)
        workspace_log(&ws, t0, "etcd-monitor %s started: members from prometheus, selector %s, "
                      "interval %gs", EM_VERSION, cfg->prometheus_selector,
                      cfg->interval_ms / 1000.0);
    else
        workspace_log(&ws, t0, "etcd-monitor %s started: %d endpoint(s), interval %gs, %s",
                      EM_VERSION, cfg->n_endpoints, cfg->interval_ms / 1000.0,
                      cfg->no_discover ? "no discovery" : "discovery via member list");
    if (cfg->ignored_keys) {
        fprintf(stderr, "etcd-monitor: %s: keys not used yet, ignored: %s\n",
                cfg->config_path, cfg->ignored_keys);
        workspace_log(&ws, t0, "config %s: keys not used yet, ignored: %s", cfg->config_path,
                      cfg->ignored_keys);
    }
    if (bench)
        workspace_log(&ws, t0, "scheduled benchmark: %ld writes every %gs under %s",
                      cfg->ops.bench_sched_ops, cfg->ops.bench_interval_ms / 1000.0,
                      schedbench_prefix(bench));
    /* TLS verification off is an explicit opt-out: said in the log, on stderr
     * (headless) and in the dashboard's header. */
    if (cfg->insecure_skip_verify)
        workspace_log(&ws, t0, "INSECURE: TLS certificate verification is off "
                      "(--insecure-skip-tls-verify): members' certificates and names are not checked");
    summary_arg_t sum = { .sess = &sess, .ws = &ws };
    if (app_open_outputs(&app, &sum, err, sizeof(err)) != 0) {
        outputs_close(&app.outs, loop_wall());
        fprintf(stderr, "etcd-monitor: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }
    /* Every part that authenticates (the engine, backups, the API's key
     * endpoints) holds its own copy now, on pages of its own (secmem.h). */
    config_forget_password(cfg);
    app_notices(&app);

    app_t *one = &app;
    app_run(&one, 1, NULL);

    backup_close(backup, 5000);          /* a backup in progress: up to 5 s to finish */
    backup = app.backup = NULL;
    schedbench_close(bench, 5000);       /* a run in progress: up to 5 s (its keys go) */
    bench = app.bench = NULL;
    app_finish(&app);
    app_close(&app);
    rc = app_exit_code(&app);
out:
    backup_close(backup, 0);
    schedbench_close(bench, 0);
    signals_close(eng.loop);
    engine_close(&eng);
    if (ws_open)
        workspace_close(&ws);
    curl_global_cleanup();
    return rc;
}

/* The daemon form: headless, the API on (port 8080 unless given), until a
 * signal; the cluster's state is the API's to report, so 0 once stopped. */
int cmd_serve(config_t *cfg)
{
    cfg->headless = true;
    cfg->duration_ms = 0;
    cfg->api.daemon = true;
    if (!cfg->api.on) {
        cfg->api.on = true;
        cfg->api.port = API_DAEMON_PORT;
    }
    int rc = cmd_monitor(cfg);
    return rc == 1 || rc == 2 ? 0 : rc;
}
