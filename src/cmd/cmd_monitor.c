/* cmd_monitor.c — the monitor command (the default): signals and the one event loop:
 * poll -> parse -> sample -> stats -> rules -> outputs (CSV, logs, console or UI).
 * Signal handlers only set flags (and poke the self-pipe so the loop wakes at
 * once); all work happens in the loop. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "collector.h"
#include "commands.h"
#include "config.h"
#include "console.h"
#include "remote.h"
#include "rules.h"
#include "session.h"
#include "stats.h"
#include "ui.h"
#include "workspace.h"

static volatile sig_atomic_t stop_requests;
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t resize_requested;
static int wake_pipe[2] = { -1, -1 };

static void on_stop_signal(int sig)
{
    int saved = errno;
    stop_requests++;
    stop_signal = sig;
    if (wake_pipe[1] >= 0)
        (void)!write(wake_pipe[1], "", 1);
    errno = saved;
}

static void on_winch(int sig)
{
    (void)sig;
    int saved = errno;
    resize_requested = 1;
    if (wake_pipe[1] >= 0)
        (void)!write(wake_pipe[1], "", 1);
    errno = saved;
}

/* A crash: put the terminal back (async-signal-safe), then let the default
 * action (core dump, sanitizer report) happen. */
static void on_crash(int sig)
{
    ui_crash_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static double clock_now(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int signals_setup(void)
{
    if (pipe(wake_pipe) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(wake_pipe[i], F_SETFL, fcntl(wake_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGXFSZ, &sa, NULL);   /* a file-size limit is an EFBIG, not a death */
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_winch;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGWINCH, &sa, NULL);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    return 0;
}

typedef struct {
    const config_t    *cfg;
    remote_t          *remote;
    collector_t       *col;
    stats_t           *stats;
    rules_t           *rules;
    ui_t              *ui;             /* NULL when headless */
    workspace_t       *ws;
    session_t         *sess;
    cluster_snapshot_t snap;           /* the latest completed poll */
    alert_transition_t trans[64];
} app_t;

/* Report workspace notices (write failed / resumed) on stderr (headless) and in
 * the log. Logging may raise a notice of its own (the log is failing too): that
 * one is reported on the next call. */
static void app_notices(app_t *a)
{
    event_list_t notices = a->ws->notices;
    a->ws->notices.n = 0;
    for (int i = 0; i < notices.n; i++) {
        if (!a->ui)
            fprintf(stderr, "etcd-monitor: %s\n", notices.line[i]);
        workspace_log(a->ws, clock_now(CLOCK_REALTIME), "%s", notices.line[i]);
    }
}

/* Turn this poll's rule transitions into alerts.log lines and the CSV field. */
static void app_transitions(app_t *a, int n)
{
    static const char *const kind[] = { "PENDING", "FIRING", "RESOLVED" };
    size_t used = 0;
    a->snap.alert_events[0] = '\0';
    for (int i = 0; i < n; i++) {
        const alert_transition_t *tr = &a->trans[i];
        char line[600];
        size_t len = rules_format_transition(tr, line, sizeof(line));
        if (len) {
            workspace_alert(a->ws, line, len);
            session_alert_line(a->sess, line, tr->kind == TRANS_FIRING);
        }
        int w = snprintf(a->snap.alert_events + used, sizeof(a->snap.alert_events) - used,
                         "%s%s:%s%s%s", used ? " " : "", kind[tr->kind], tr->alert.rule,
                         tr->alert.member[0] ? "@" : "", tr->alert.member);
        if (w > 0 && (size_t)w < sizeof(a->snap.alert_events) - used)
            used += (size_t)w;
    }
}

/* A poll has completed: statistics, rules, then every output. */
static void app_on_poll(app_t *a)
{
    remote_poll(a->remote, &a->snap);
    stats_update(a->stats, &a->snap);
    int n = rules_eval(a->rules, &a->snap, a->trans, (int)(sizeof(a->trans) / sizeof(a->trans[0])));
    a->snap.status = rules_status(a->rules);
    rules_firing_names(a->rules, a->snap.alerts, sizeof(a->snap.alerts));
    app_transitions(a, n);
    workspace_write_poll(a->ws, &a->snap);
    session_record(a->sess, &a->snap);
    char trend[200], line[240];
    if (stats_trend_report(a->stats, &a->snap, trend, sizeof(trend))) {
        snprintf(line, sizeof(line), "%s; alerts in the last 10 samples: %d/10", trend,
                 session_alert_frequency(a->sess));
        workspace_log(a->ws, a->snap.t, "%s", line);
        session_trend(a->sess, line);
    }
    if (a->ui) {
        const alert_t *active = NULL;
        int n_active = rules_active(a->rules, &active);
        ui_update(a->ui, &a->snap, active, n_active, a->stats);
    } else {
        console_poll(stdout, &a->snap);
    }
    app_notices(a);
}

/* The event loop: schedules polls on a monotonic clock; waits on the network,
 * the wake pipe and (with the UI) the keyboard together; ends on a signal, on
 * `q`, or when the duration is up, finishing the poll in flight (whose requests
 * all end before the interval). */
static void app_run(app_t *a)
{
    const double interval = a->cfg->interval_ms / 1000.0;
    const double start = clock_now(CLOCK_MONOTONIC);
    const double end = a->cfg->duration_ms > 0 ? start + a->cfg->duration_ms / 1000.0 : INFINITY;
    double next_poll = start;
    bool stopping = false;
    struct curl_waitfd wfd[2] = { { .fd = wake_pipe[0], .events = CURL_WAIT_POLLIN } };
    unsigned n_wfd = 1;
    if (a->ui) {
        wfd[1] = (struct curl_waitfd){ .fd = ui_input_fd(a->ui), .events = CURL_WAIT_POLLIN };
        n_wfd = 2;
    }

    for (;;) {
        double now = clock_now(CLOCK_MONOTONIC);
        if (stop_requests && !stopping) {
            stopping = true;
            workspace_log(a->ws, clock_now(CLOCK_REALTIME), "stopping on %s",
                          strsignal(stop_signal));
        }
        if (stop_requests > 1) {           /* a second Ctrl-C: do not wait */
            collector_abort(a->col);
            break;
        }
        if (!stopping && now >= end) {
            stopping = true;
            workspace_log(a->ws, clock_now(CLOCK_REALTIME), "duration reached");
        }
        if (a->ui) {
            if (resize_requested) {
                resize_requested = 0;
                ui_handle_resize(a->ui);
            }
            unsigned act = ui_handle_input(a->ui, clock_now(CLOCK_REALTIME));
            if ((act & UI_ACT_QUIT) && !stopping) {
                stopping = true;
                workspace_log(a->ws, clock_now(CLOCK_REALTIME), "stopping: quit from the dashboard");
            }
            if ((act & UI_ACT_POLL_NOW) && !collector_in_flight(a->col))
                next_poll = now;
        }
        if (!stopping && now >= next_poll) {
            if (!collector_start_poll(a->col, clock_now(CLOCK_REALTIME), now))
                workspace_log(a->ws, clock_now(CLOCK_REALTIME),
                              "poll skipped: the previous one is still running");
            next_poll += interval;
            if (next_poll <= now)          /* we were stopped or starved: no catch-up burst */
                next_poll = now + interval;
        }
        if (collector_step(a->col, clock_now(CLOCK_MONOTONIC), &a->snap))
            app_on_poll(a);
        if (a->ui)
            ui_render(a->ui, clock_now(CLOCK_REALTIME));
        if (stopping && !collector_in_flight(a->col))
            break;
        double until = stopping ? 0.1 : fmin(next_poll, end) - clock_now(CLOCK_MONOTONIC);
        int timeout_ms = (int)ceil(fmin(fmax(until, 0.0), 1.0) * 1000.0);
        if (a->ui) {
            int tick = ui_next_tick_ms(a->ui, clock_now(CLOCK_REALTIME));
            if (tick >= 0 && tick < timeout_ms)
                timeout_ms = tick;
        }
        collector_wait(a->col, wfd, n_wfd, timeout_ms);
        char drain[64];
        while (read(wake_pipe[0], drain, sizeof(drain)) > 0)
            ;
    }
}

/* The rule engine's configuration from the run configuration. */
static void rules_config_fill(const config_t *cfg, rules_config_t *rc)
{
    memset(rc, 0, sizeof(*rc));
    rc->level = cfg->alert_level;
    rc->thresholds = cfg->thresholds;
    rc->no_leader_timeout_s = cfg->no_leader_timeout_ms / 1000.0;
    rc->n_windows = cfg->n_windows;
    memcpy(rc->window_ms, cfg->window_ms, sizeof(rc->window_ms));
    for (int i = 0; i < cfg->n_rule_overrides && i < RULES_MAX_OVERRIDES; i++) {
        const config_rule_t *o = &cfg->rule_overrides[i];
        rule_override_t *r = &rc->overrides[rc->n_overrides++];
        snprintf(r->rule, sizeof(r->rule), "%s", o->rule);
        r->has_for = o->has_for;
        r->for_s = o->for_ms / 1000.0;
        r->has_threshold = o->has_threshold;
        r->threshold = o->threshold;
        r->has_enabled = o->has_enabled;
        r->enabled = o->enabled;
    }
}

/* Monitor the cluster (dashboard or headless) until stopped; the exit status. */
int cmd_monitor(config_t *cfg)
{
    char err[512];
    if (signals_setup() != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "etcd-monitor: cannot initialise: %s\n", strerror(errno));
        return 70;
    }

    static workspace_t ws;
    static session_t sess;
    static app_t app;
    int rc = 70;
    collector_t *col = NULL;
    stats_t *stats = NULL;
    rules_t *rules = NULL;
    rules_config_t rcfg;
    rules_config_fill(cfg, &rcfg);
    if (!(rules = rules_new(&rcfg, err, sizeof(err)))) {
        fprintf(stderr, "etcd-monitor: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }
    if (workspace_open(&ws, cfg->workdir, clock_now(CLOCK_REALTIME), err, sizeof(err)) != 0) {
        fprintf(stderr, "etcd-monitor: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }
    if (!(col = collector_new(cfg, err, sizeof(err)))) {
        fprintf(stderr, "etcd-monitor: %s\n", err);
        rc = EXIT_USAGE;
        goto out_ws;
    }
    if (!(stats = stats_new(cfg->n_windows, cfg->window_ms, cfg->interval_ms))) {
        fprintf(stderr, "etcd-monitor: out of memory\n");
        goto out_ws;
    }
    app = (app_t){ .cfg = cfg, .col = col, .stats = stats, .rules = rules, .ws = &ws,
                   .sess = &sess };
    if (!(app.remote = remote_open(cfg, col, err, sizeof(err)))) {
        fprintf(stderr, "etcd-monitor: %s\n", err);
        rc = EXIT_USAGE;
        goto out_ws;
    }

    double t0 = clock_now(CLOCK_REALTIME);
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
    /* TLS verification off is an explicit opt-out: said in the log, on stderr
     * (headless) and in the dashboard's header. */
    if (cfg->insecure_skip_verify)
        workspace_log(&ws, t0, "INSECURE: TLS certificate verification is off "
                      "(--insecure-skip-tls-verify): members' certificates and names are not checked");
    /* The dashboard when stdout is a terminal; plain text otherwise. */
    if (!cfg->headless && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO)) {
        ui_config_t uc = { .theme = cfg->theme, .no_color = getenv("NO_COLOR") != NULL,
                           .interval_ms = cfg->interval_ms, .duration_s = cfg->duration_ms / 1000.0,
                           .insecure = cfg->insecure_skip_verify };
        app.ui = ui_open(&uc, err, sizeof(err));
        if (!app.ui) {
            fprintf(stderr, "etcd-monitor: %s (use --headless)\n", err);
            rc = EXIT_USAGE;
            goto out_ws;
        }
    } else {
        if (cfg->insecure_skip_verify)
            fprintf(stderr, "etcd-monitor: INSECURE: TLS certificate verification is off "
                    "(--insecure-skip-tls-verify)\n");
        console_banner(stdout, cfg, rules, ws.dir);
    }
    app_notices(&app);

    app_run(&app);

    if (app.ui) {
        ui_close(app.ui);
        app.ui = NULL;
    }
    collector_delete_probe_keys(col, 2000);
    double t1 = clock_now(CLOCK_REALTIME);
    long connects, transfers;
    collector_counters(col, &connects, &transfers);
    workspace_log(&ws, t1, "session ended after %ld polls (%ld transfers over %ld connections)",
                  sess.iterations, transfers, connects);
    const log_counts_t *lc = remote_log_counts(app.remote);
    if (lc) {
        char line[400];
        size_t used = 0;
        for (int k = LOG_NONE + 1; k < LOG_KIND_COUNT && used < sizeof line; k++)
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%s %llu",
                                     used ? ", " : "", logwatch_kind_name((log_kind_t)k),
                                     (unsigned long long)lc->count[k]);
        workspace_log(&ws, t1, "log lines seen: %s", line);
    }
    app_notices(&app);
    /* Lines the disk still refuses get a last try of up to 2 s; what never
     * reached its file is counted on stderr and in the summary, and the exit
     * status is then EX_SOFTWARE (70) whatever the cluster's state. */
    size_t missing = workspace_finish(&ws, 2000, stderr);
    session_summary(&sess, &ws, t1, stdout);
    rc = missing > 0 ? EX_SOFTWARE : session_exit_code(&sess);
out_ws:
    /* The tunnel goes after the collector's last requests (probe-key deletion). */
    collector_free(col);
    col = NULL;
    remote_close(app.remote);
    workspace_close(&ws);
out:
    stats_free(stats);
    collector_free(col);
    rules_free(rules);
    curl_global_cleanup();
    return rc;
}
