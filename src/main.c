/* main.c — start-up, signals and the one event loop: poll -> parse -> sample ->
 * rules -> outputs. Signal handlers only set flags (and poke the self-pipe so
 * the loop wakes at once); all work happens in the loop. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "collector.h"
#include "config.h"
#include "console.h"
#include "level.h"
#include "session.h"
#include "workspace.h"

static volatile sig_atomic_t stop_requests;
static volatile sig_atomic_t stop_signal;
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
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGXFSZ, &sa, NULL);   /* a file-size limit is an EFBIG, not a death */
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    return 0;
}

/* Report workspace notices (write failed / resumed) on stderr and in the log.
 * Logging may raise a notice of its own (the log is failing too): that one is
 * reported on the next call. */
static void report_notices(workspace_t *ws)
{
    event_list_t notices = ws->notices;
    ws->notices.n = 0;
    for (int i = 0; i < notices.n; i++) {
        fprintf(stderr, "etcd-monitor: %s\n", notices.line[i]);
        workspace_log(ws, clock_now(CLOCK_REALTIME), "%s", notices.line[i]);
    }
}

typedef struct {
    const config_t    *cfg;
    collector_t       *col;
    workspace_t       *ws;
    session_t         *sess;
    level_thresholds_t lt;
    cluster_snapshot_t snap;   /* the latest completed poll */
} app_t;

/* A poll has completed: apply the rules and hand the snapshot to the outputs. */
static void app_on_poll(app_t *a)
{
    level_evaluate(&a->snap, &a->lt, &a->cfg->thresholds);
    workspace_write_poll(a->ws, &a->snap);
    session_record(a->sess, &a->snap);
    console_poll(stdout, &a->snap);
    report_notices(a->ws);
}

/* The event loop: schedules polls on a monotonic clock, waits on the network
 * and the wake pipe together, and ends on a signal or when the duration is up
 * (finishing the poll in flight, whose requests all end before the interval). */
static void app_run(app_t *a)
{
    const double interval = a->cfg->interval_ms / 1000.0;
    const double start = clock_now(CLOCK_MONOTONIC);
    const double end = a->cfg->duration_ms > 0 ? start + a->cfg->duration_ms / 1000.0 : INFINITY;
    double next_poll = start;
    bool stopping = false;
    struct curl_waitfd wfd = { .fd = wake_pipe[0], .events = CURL_WAIT_POLLIN };

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
        if (stopping && !collector_in_flight(a->col))
            break;
        double until = stopping ? 0.1 : fmin(next_poll, end) - clock_now(CLOCK_MONOTONIC);
        int timeout_ms = (int)ceil(fmin(fmax(until, 0.0), 1.0) * 1000.0);
        collector_wait(a->col, &wfd, 1, timeout_ms);
        char drain[64];
        while (read(wake_pipe[0], drain, sizeof(drain)) > 0)
            ;
    }
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");   /* CSV numbers always use '.' */

    config_t cfg;
    char err[512];
    switch (config_load(&cfg, argc, argv, err, sizeof(err))) {
    case CONFIG_EXIT:
        config_free(&cfg);
        return 0;
    case CONFIG_ERROR:
        fprintf(stderr, "etcd-monitor: %s\n", err);
        config_free(&cfg);
        return EXIT_USAGE;
    default:
        break;
    }
    if (signals_setup() != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "etcd-monitor: cannot initialise: %s\n", strerror(errno));
        config_free(&cfg);
        return 70;
    }

    static workspace_t ws;
    static session_t sess;
    static app_t app;
    int rc = 70;
    if (workspace_open(&ws, cfg.workdir, clock_now(CLOCK_REALTIME), err, sizeof(err)) != 0) {
        fprintf(stderr, "etcd-monitor: %s\n", err);
        rc = EXIT_USAGE;
        goto out_config;
    }
    collector_t *col = collector_new(&cfg, err, sizeof(err));
    if (!col) {
        fprintf(stderr, "etcd-monitor: %s\n", err);
        rc = EXIT_USAGE;
        goto out_ws;
    }
    app.cfg = &cfg;
    app.col = col;
    app.ws = &ws;
    app.sess = &sess;
    app.lt = level_thresholds(cfg.alert_level);

    double t0 = clock_now(CLOCK_REALTIME);
    session_init(&sess, t0);
    workspace_log(&ws, t0, "etcd-monitor %s started: %d endpoint(s), interval %gs, %s",
                  EM_VERSION, cfg.n_endpoints, cfg.interval_ms / 1000.0,
                  cfg.no_discover ? "no discovery" : "discovery via member list");
    if (cfg.ignored_keys) {
        fprintf(stderr, "etcd-monitor: %s: keys not used yet, ignored: %s\n",
                cfg.config_path, cfg.ignored_keys);
        workspace_log(&ws, t0, "config %s: keys not used yet, ignored: %s", cfg.config_path,
                      cfg.ignored_keys);
    }
    console_banner(stdout, &cfg, &app.lt, ws.dir);
    report_notices(&ws);

    app_run(&app);

    double t1 = clock_now(CLOCK_REALTIME);
    long connects, transfers;
    collector_counters(col, &connects, &transfers);
    workspace_log(&ws, t1, "session ended after %ld polls (%ld transfers over %ld connections)",
                  sess.iterations, transfers, connects);
    session_summary(&sess, &ws, t1, stdout);
    report_notices(&ws);
    rc = session_exit_code(&sess);
    collector_free(col);
out_ws:
    workspace_close(&ws);
out_config:
    config_free(&cfg);
    curl_global_cleanup();
    return rc;
}
