/* cmd_replay.c — the replay command: a recorded session (session_read.h) on
 * the dashboard, a time cursor over its polls (play/pause, step, speed, start,
 * end); or, headless, --check (load and report) and --dump-at (one poll's
 * members as the status table). */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "format.h"
#include "session_read.h"
#include "status_report.h"
#include "ui.h"

static const double speeds[] = { 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100 };
#define N_SPEEDS ((int)(sizeof speeds / sizeof speeds[0]))
#define REPLAY_EVENTS 200

static volatile sig_atomic_t stop_flag, winch_flag;

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void on_winch(int sig)
{
    (void)sig;
    winch_flag = 1;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* TIME: RFC 3339 (as the files write it) or a 1-based poll number. */
static long replay_pick(const session_t *s, const char *v)
{
    double t;
    if (session_parse_time(v, strlen(v), &t))
        return session_find(s, t);
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 1 || n > session_polls(s))
        return -1;
    return n - 1;
}

static void replay_say_skipped(const session_t *s, FILE *f)
{
    session_skipped_t k = session_skipped(s);
    long total = session_skipped_total(s);
    if (total > 0)
        fprintf(f, "etcd-monitor: replay: %ld malformed or truncated row(s) skipped "
                   "(metrics.csv %ld, members.csv %ld, alerts.log %ld, monitoring.log %ld)\n",
                total, k.metrics, k.members, k.alerts, k.log);
}

static int replay_dump(session_t *s, long i)
{
    static cluster_snapshot_t snap;
    static alert_t alerts[RULES_MAX_ALERTS];
    if (session_snapshot(s, i, &snap) != 0) {
        fprintf(stderr, "etcd-monitor: replay: cannot read poll %ld\n", i + 1);
        return 1;
    }
    char ts[40];
    format_timestamp(ts, sizeof ts, snap.t, true, 0);
    printf("REPLAY %s poll %ld/%ld status %s members up %d/%d\n", ts, i + 1, session_polls(s),
           cluster_status_name(snap.status), snap.members_up, snap.members_total);
    int n = session_alerts(s, i, alerts, RULES_MAX_ALERTS);
    for (int k = 0; k < n; k++)
        printf("alert %s %s%s%s\n", alerts[k].state == ALERT_FIRING ? "firing" : "pending",
               alerts[k].rule, alerts[k].member[0] ? "@" : "", alerts[k].member);
    if (status_report_table(stdout, &snap) != 0 || fflush(stdout) != 0)
        return 74;
    return 0;
}

/* The figure histories of the poll shown (the recorded polls before it);
 * freed when the dashboard closes. */
static history_set_t replay_hist;

/* Show poll i on the dashboard, as it was then. */
static void replay_show(ui_t *ui, session_t *s, long i, int speed, bool playing)
{
    static cluster_snapshot_t snap;
    history_set_t *hist = &replay_hist;
    static alert_t alerts[RULES_MAX_ALERTS];
    static session_event_t ev[REPLAY_EVENTS];
    double et[REPLAY_EVENTS];
    const char *el[REPLAY_EVENTS];
    if (session_snapshot(s, i, &snap) != 0 || session_history(s, i, hist) != 0)
        return;
    int na = session_alerts(s, i, alerts, RULES_MAX_ALERTS);
    int ne = session_events(s, i, ev, REPLAY_EVENTS);
    for (int k = 0; k < ne; k++) {
        et[k] = ev[k].t;
        el[k] = ev[k].line;
    }
    ui_replay_events(ui, et, el, ne);
    snap.events.n = 0;                 /* the timeline above has them */
    snap.alert_events[0] = '\0';
    char ts[40], label[96];
    format_timestamp(ts, sizeof ts, snap.t, true, 0);
    int k = snprintf(label, sizeof label, "REPLAY %s %gx %s %ld/%ld", ts, speeds[speed],
                     playing ? "playing" : "paused", i + 1, session_polls(s));
    if (session_skipped_total(s) > 0 && k > 0 && (size_t)k < sizeof label)
        snprintf(label + k, sizeof label - (size_t)k, " skipped %ld", session_skipped_total(s));
    ui_replay_label(ui, label);
    ui_update(ui, &snap, alerts, na, hist);
}

static int replay_ui(const config_t *cfg, session_t *s)
{
    long n = session_polls(s);
    double span = session_time(s, n - 1) - session_time(s, 0);
    int interval_ms = n > 1 ? (int)(span * 1000.0 / (double)(n - 1)) : 1000;
    ui_config_t uc = { .theme = cfg->theme, .no_color = getenv("NO_COLOR") != NULL,
                       .interval_ms = interval_ms > 0 ? interval_ms : 1000,
                       .export_dir = cfg->args[0] };
    char err[256];
    ui_t *ui = ui_open(&uc, err, sizeof err);
    if (!ui) {
        fprintf(stderr, "etcd-monitor: replay: %s\n", err);
        return 1;
    }
    struct sigaction sa = { .sa_handler = on_stop };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_winch;
    sigaction(SIGWINCH, &sa, NULL);
    long cur = 0;
    int speed = 2;
    bool playing = false;
    double vt = session_time(s, 0), last = mono();
    replay_show(ui, s, cur, speed, playing);
    while (!stop_flag) {
        double now_wall = session_time(s, cur);
        ui_render(ui, now_wall);
        struct pollfd pfd = { ui_input_fd(ui), POLLIN, 0 };
        int wait = playing ? 20 : 500;
        if (poll(&pfd, 1, wait) < 0 && errno != EINTR)
            break;
        if (winch_flag) {
            winch_flag = 0;
            ui_handle_resize(ui);
        }
        double m = mono();
        long was = cur;
        bool was_playing = playing;
        int was_speed = speed;
        if (playing) {
            vt += (m - last) * speeds[speed];
            cur = session_find(s, vt);
            if (cur >= n - 1)
                playing = false;
        }
        last = m;
        unsigned act = ui_handle_input(ui, now_wall);
        if (act & UI_ACT_QUIT)
            break;
        if (act & UI_ACT_REPLAY) {
            switch (ui_take_replay(ui)) {
            case UI_REPLAY_PLAY:
                playing = !playing && cur < n - 1;
                vt = session_time(s, cur);
                break;
            case UI_REPLAY_BACK:
                cur = cur > 0 ? cur - 1 : 0;
                playing = false;
                break;
            case UI_REPLAY_FORWARD:
                cur = cur + 1 < n ? cur + 1 : n - 1;
                playing = false;
                break;
            case UI_REPLAY_SLOWER:
                speed = speed > 0 ? speed - 1 : 0;
                break;
            case UI_REPLAY_FASTER:
                speed = speed + 1 < N_SPEEDS ? speed + 1 : N_SPEEDS - 1;
                break;
            case UI_REPLAY_START:
                cur = 0;
                vt = session_time(s, cur);
                break;
            case UI_REPLAY_END:
                cur = n - 1;
                playing = false;
                break;
            case UI_REPLAY_NONE:
                break;
            }
            if (!playing)
                vt = session_time(s, cur);
        }
        if (cur != was || playing != was_playing || speed != was_speed)
            replay_show(ui, s, cur, speed, playing);
    }
    ui_close(ui);
    history_free(&replay_hist);
    replay_say_skipped(s, stderr);
    return 0;
}

int cmd_replay(config_t *cfg)
{
    if (cfg->n_args != 1) {
        fprintf(stderr, "etcd-monitor: replay takes one session directory (usage: etcd-monitor "
                        "replay DIR [--check | --dump-at TIME])\n");
        return EXIT_USAGE;
    }
    char err[512];
    session_t *s = session_open(cfg->args[0], err, sizeof err);
    if (!s) {
        fprintf(stderr, "etcd-monitor: replay: %s\n", err);
        return 1;
    }
    int rc = 0;
    if (cfg->ops.check) {
        long n = session_polls(s);
        char a[40], b[40];
        format_timestamp(a, sizeof a, session_time(s, 0), true, 0);
        format_timestamp(b, sizeof b, session_time(s, n - 1), true, 0);
        printf("replay: %ld polls from %s to %s, %ld row(s) skipped\n", n, a, b,
               session_skipped_total(s));
        replay_say_skipped(s, stderr);
    } else if (cfg->ops.dump_at) {
        long i = replay_pick(s, cfg->ops.dump_at);
        if (i < 0) {
            fprintf(stderr, "etcd-monitor: replay: --dump-at: \"%.60s\" is neither a time nor "
                            "a poll number (1 to %ld)\n", cfg->ops.dump_at, session_polls(s));
            rc = EXIT_USAGE;
        } else {
            replay_say_skipped(s, stderr);
            rc = replay_dump(s, i);
        }
    } else {
        rc = replay_ui(cfg, s);
    }
    session_close(s);
    return rc;
}
