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

typedef struct {
    const config_t    *cfg;
    engine_t          *eng;            /* loop, collector, remote, stats, rules */
    workspace_t       *ws;
    session_t         *sess;
    backup_t          *backup;         /* scheduled backups; NULL when off */
    schedbench_t      *bench;          /* the scheduled benchmark; NULL when off */
    output_list_t      outs;
    bool               interactive;    /* the dashboard is one of the outputs */
    char             (*lines)[600];    /* app_lines: each transition's alerts.log line */
    notify_stats_t     notify;         /* alert delivery counters, for the summary */
    delivery_status_t  delivery;       /* its live status, for the dashboard */
    bool               delivering;     /* the notify output is open */
    bool               stopping;
    double             next_poll;      /* monotonic */
    double             end;            /* monotonic; INFINITY without --duration */
} app_t;

/* Out of app_t, whose set-up writes it whole: 2.4 MB at RULES_MAX_ALERTS,
 * only the lines of a poll's transitions are touched. */
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
static void app_output_notice(void *ctx, notice_kind_t kind, const char *line)
{
    app_t *a = ctx;
    outputs_notice(&a->outs, loop_wall(), kind, line);
}

/* An output's control request (output_env_t.control): to every output. */
static int app_output_control(void *ctx, const output_ctl_t *ctl, char *reply, size_t n)
{
    app_t *a = ctx;
    return outputs_control(&a->outs, ctl, reply, n);
}

/* Report workspace notices (write failed / resumed) through the outputs.
 * Logging may raise a notice of its own (the log is failing too): that one is
 * reported on the next call. */
static void app_notices(app_t *a)
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
        size_t len = rules_format_transition(tr, a->lines[i], sizeof(a->lines[i]));
        if (!len)
            a->lines[i][0] = '\0';
        else
            session_alert_line(a->sess, a->lines[i], tr->kind == TRANS_FIRING);
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
        if (a->lines[i][0])
            outputs_transition(&a->outs, &e->trans[i], a->lines[i]);
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

/* The event loop: polls on a monotonic schedule; the loop core waits on the
 * network, the signal self-pipe and (with the dashboard) the keyboard
 * together; the followed logs are read a bounded piece per turn (so an endless
 * log cannot hold the loop); ends on a signal, on `q`, or when the duration is up, finishing
 * the poll in flight (whose requests all end before the interval). */
static void app_run(app_t *a)
{
    const double start = loop_mono();
    a->end = a->cfg->duration_ms > 0 ? start + a->cfg->duration_ms / 1000.0 : INFINITY;
    a->next_poll = start;
    for (;;) {
        double now = loop_mono();
        if (signals_stop_count() && !a->stopping) {
            a->stopping = true;
            app_say(a, NOTICE_LOG, "stopping on %s", strsignal(signals_last()));
        }
        if (signals_stop_count() > 1) {     /* a second Ctrl-C: do not wait */
            collector_abort(a->eng->col);
            break;
        }
        if (!a->stopping && now >= a->end) {
            a->stopping = true;
            app_say(a, NOTICE_LOG, "duration reached");
        }
        app_schedule(a, now);
        app_ops(a);
        if (engine_take_poll(a->eng))
            app_on_poll(a);
        bool log_backlog = engine_pump(a->eng);     /* more waiting = back soon */
        unsigned act = outputs_tick(&a->outs, loop_wall());
        if ((act & OUTPUT_ACT_QUIT) && !a->stopping) {
            a->stopping = true;
            app_say(a, NOTICE_LOG, "stopping: quit from the dashboard");
        }
        if ((act & OUTPUT_ACT_POLL_NOW) && !collector_in_flight(a->eng->col)) {
            a->next_poll = loop_mono();
            continue;
        }
        if (a->stopping && !collector_in_flight(a->eng->col))
            break;
        double until = a->stopping ? 0.1 : fmin(a->next_poll, a->end) - loop_mono();
        int timeout_ms = (int)ceil(fmin(fmax(until, 0.0), 1.0) * 1000.0);
        int tick = outputs_next_tick_ms(&a->outs, loop_wall());
        if (tick >= 0 && tick < timeout_ms)
            timeout_ms = tick;
        if (log_backlog && timeout_ms > REMOTE_PUMP_AGAIN_MS)
            timeout_ms = REMOTE_PUMP_AGAIN_MS;
        loop_run_once(a->eng->loop, timeout_ms);
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
static void app_log_end(app_t *a)
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

/* Monitor the cluster (dashboard or headless) until stopped; the exit status.
 * The engine is built first, so a configuration it refuses leaves no session
 * folder behind. */
int cmd_monitor(config_t *cfg)
{
    char err[512];
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
                   .bench = bench, .lines = app_lines };

    double t0 = loop_wall();
    session_init(&sess, t0);
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

    app_run(&app);

    backup_close(backup, 5000);          /* a backup in progress: up to 5 s to finish */
    backup = app.backup = NULL;
    schedbench_close(bench, 5000);       /* a run in progress: up to 5 s (its keys go) */
    bench = app.bench = NULL;
    collector_delete_probe_keys(eng.col, 2000);
    app_log_end(&app);
    app_notices(&app);
    /* In order: the dashboard gives the terminal back; the files get their
     * last try (up to 2 s) and say on stderr what never reached them; the
     * summary is printed (marking incomplete files). */
    outputs_close(&app.outs, loop_wall());
    /* Notices raised by the last writes: monitoring.log and stderr. */
    for (int i = 0; i < ws.notices.n; i++) {
        fprintf(stderr, "etcd-monitor: %s\n", ws.notices.line[i]);
        workspace_log(&ws, loop_wall(), "%s", ws.notices.line[i]);
    }
    ws.notices.n = 0;
    /* Lines that never reached their file: EX_SOFTWARE, whatever the cluster's state. */
    rc = workspace_missing(&ws) > 0 ? EX_SOFTWARE : session_exit_code(&sess);
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
