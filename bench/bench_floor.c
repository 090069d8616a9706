/* bench_floor.c — the "floor" for the monitor's polling cost (bench/scale.sh): a
 * plain libcurl multi program that makes the same HTTP requests per poll as the
 * monitor, over kept-alive connections, and parses nothing (the bodies are counted
 * and dropped). What it costs is what any poller of these endpoints must pay.
 *
 *   bench-floor [--interval-ms MS] [--seconds S] [--timeout-ms MS]
 *               [--read none|lines|extract] [--socket] [--buffer-size BYTES]
 *               (--each 'EVERY METHOD PATH [BODY]' | --one 'EVERY METHOD PATH [BODY]')...
 *               BASE-URL...
 *
 * --each: sent to every member every EVERY-th poll (1 = every poll);
 * --one:  sent to one member every EVERY-th poll (the next member each time), like
 *         the monitor's alarm list and member list.
 * --read: what is done with each GET /metrics body (see READ_* below; default none).
 * --socket: drive libcurl through curl_multi_socket_action() over epoll instead of
 *         curl_multi_perform()/curl_multi_poll(); --buffer-size: CURLOPT_BUFFERSIZE.
 *         Both are there to test whether the floor itself could be cheaper (at 300
 *         members it costs the same either way).
 * POST bodies go with "Content-Type: application/json", as the monitor sends them.
 * Polls start on a grid of MS (default 1000) for S seconds (default 10; 0 = until
 * SIGTERM/SIGINT). One line per poll on stdout:
 *   poll N ms M transfers T failed F
 * (M = milliseconds from the poll's start to its last answer) and at the end:
 *   floor: P polls, T transfers, F failed, C connections, B body bytes, L late,
 *          N lines counted, X extracts failed
 * A late poll is one not finished when the next was due (the next then waits). */
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>

#include "metrics.h"

#define MAX_REQS 16

struct reqdef {
    long every;          /* polls between two sends */
    int one;             /* to one member per send (rotating) */
    char method[8];
    char *path;
    char *body;          /* NULL: none */
};

struct xfer {
    CURL *e;
    int active;
    int metrics;                  /* a GET /metrics: read as --read says */
    metrics_stream_t *ms;         /* --read extract */
};

/* --read: what is done with each /metrics body as it arrives. none: dropped
 * (the floor); lines: its newlines counted with memchr (reading every byte once,
 * the least any parser does); extract: the monitor's own scan (metrics_stream,
 * the families it uses folded into a sample, nothing kept). */
enum { READ_NONE, READ_LINES, READ_EXTRACT };
static int read_mode;
static unsigned long long lines_seen, extract_failed;

static struct reqdef defs[MAX_REQS];
static int ndefs;
static volatile sig_atomic_t stop;
static unsigned long long body_bytes;
static long bufsize;                  /* --buffer-size: CURLOPT_BUFFERSIZE (0: libcurl default) */

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t drop_body(char *p, size_t size, size_t n, void *ctx)
{
    struct xfer *x = ctx;
    body_bytes += size * n;
    if (x->metrics && read_mode == READ_LINES) {
        const char *q = p, *end = p + size * n;
        while ((q = memchr(q, '\n', (size_t)(end - q)))) {
            lines_seen++;
            q++;
        }
    } else if (x->metrics && read_mode == READ_EXTRACT) {
        metrics_stream_feed(x->ms, p, size * n);
    }
    return size * n;
}

static void die(const char *msg, const char *what)
{
    fprintf(stderr, "bench-floor: %s%s%s\n", msg, what ? ": " : "", what ? what : "");
    exit(2);
}

/* 'EVERY METHOD PATH [BODY]' (BODY is the rest of the line, spaces kept). */
static void parse_def(const char *spec, int one)
{
    if (ndefs >= MAX_REQS)
        die("too many requests", spec);
    struct reqdef *d = &defs[ndefs];
    char *end;
    d->every = strtol(spec, &end, 10);
    if (end == spec || d->every < 1 || *end != ' ')
        die("want 'EVERY METHOD PATH [BODY]' with EVERY >= 1", spec);
    const char *m = end + strspn(end, " ");
    size_t ml = strcspn(m, " ");
    if (!(ml == 3 && !strncmp(m, "GET", 3)) && !(ml == 4 && !strncmp(m, "POST", 4)))
        die("METHOD must be GET or POST", spec);
    memcpy(d->method, m, ml);
    d->method[ml] = '\0';
    const char *p = m + ml + strspn(m + ml, " ");
    size_t pl = strcspn(p, " ");
    if (pl == 0 || p[0] != '/')
        die("PATH must start with /", spec);
    d->path = strndup(p, pl);
    const char *b = p + pl;
    if (*b == ' ')
        b++;
    d->body = *b ? strdup(b) : (strcmp(d->method, "POST") ? NULL : strdup(""));
    d->one = one;
    ndefs++;
}

static CURL *make_easy(const char *base, const struct reqdef *d, struct curl_slist *json)
{
    CURL *e = curl_easy_init();
    if (!e)
        die("curl_easy_init failed", NULL);
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, d->path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, drop_body);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "bench-floor");
    if (bufsize > 0)
        curl_easy_setopt(e, CURLOPT_BUFFERSIZE, bufsize);
    if (d->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, d->body);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, json);
    }
    return e;
}

/* --socket: libcurl's event-driven API (curl_multi_socket_action over epoll),
 * the way the monitor's loop drives its transfers. */
static int use_socket, epfd = -1;
static double curl_due = -1;          /* mono ms when curl wants a timeout call; <0 none */

static int sock_cb(CURL *e, curl_socket_t s, int what, void *up, void *sp)
{
    (void)e; (void)up;
    struct epoll_event ev = { .events = 0, .data.fd = s };
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, s, NULL);
        return 0;
    }
    if (what & CURL_POLL_IN)
        ev.events |= EPOLLIN;
    if (what & CURL_POLL_OUT)
        ev.events |= EPOLLOUT;
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, s, &ev) != 0)
        epoll_ctl(epfd, EPOLL_CTL_ADD, s, &ev);
    (void)sp;
    return 0;
}

static int timer_cb(CURLM *m, long ms, void *up)
{
    (void)m; (void)up;
    curl_due = ms < 0 ? -1 : mono_ms() + (double)ms;
    return 0;
}

/* Wait up to wait_ms (or until curl's timer), then hand curl what is ready. */
static void socket_wait(CURLM *multi, int wait_ms)
{
    int still;
    if (curl_due >= 0) {
        double left = curl_due - mono_ms();
        if (left < wait_ms)
            wait_ms = left > 0 ? (int)left + 1 : 0;
    }
    struct epoll_event ev[256];
    int n = epoll_wait(epfd, ev, 256, wait_ms);
    for (int i = 0; i < n; i++) {
        int what = 0;
        if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
            what |= CURL_CSELECT_IN;
        if (ev[i].events & EPOLLOUT)
            what |= CURL_CSELECT_OUT;
        if (ev[i].events & EPOLLERR)
            what |= CURL_CSELECT_ERR;
        curl_multi_socket_action(multi, ev[i].data.fd, what, &still);
    }
    if (curl_due >= 0 && mono_ms() >= curl_due) {
        curl_due = -1;
        curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &still);
    }
}

int main(int argc, char **argv)
{
    long interval = 1000, seconds = 10, timeout = -1;
    int nbase = 0;
    char **base = calloc((size_t)argc, sizeof *base);
    if (!base)
        die("out of memory", NULL);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--interval-ms") && i + 1 < argc)
            interval = atol(argv[++i]);
        else if (!strcmp(a, "--seconds") && i + 1 < argc)
            seconds = atol(argv[++i]);
        else if (!strcmp(a, "--timeout-ms") && i + 1 < argc)
            timeout = atol(argv[++i]);
        else if (!strcmp(a, "--each") && i + 1 < argc)
            parse_def(argv[++i], 0);
        else if (!strcmp(a, "--buffer-size") && i + 1 < argc)
            bufsize = atol(argv[++i]);
        else if (!strcmp(a, "--read") && i + 1 < argc) {
            const char *m = argv[++i];
            read_mode = !strcmp(m, "none") ? READ_NONE : !strcmp(m, "lines") ? READ_LINES
                      : !strcmp(m, "extract") ? READ_EXTRACT : -1;
            if (read_mode < 0)
                die("--read wants none, lines or extract", m);
        } else if (!strcmp(a, "--socket"))
            use_socket = 1;
        else if (!strcmp(a, "--one") && i + 1 < argc)
            parse_def(argv[++i], 1);
        else if (!strncmp(a, "http://", 7))
            base[nbase++] = argv[i];
        else
            die("unknown argument (see the comment at the top of bench/bench_floor.c)", a);
    }
    if (nbase == 0 || ndefs == 0 || interval < 10 || seconds < 0)
        die("want --each/--one requests and at least one http:// base URL", NULL);
    if (timeout < 0)
        timeout = interval - (interval / 5 > 200 ? interval / 5 : 200); /* as the monitor */
    if (timeout < 300)
        timeout = 300;

    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    if (use_socket) {
        if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
            die("epoll_create1 failed", strerror(errno));
        curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
        curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    }
    /* Every connection kept alive: one per transfer that can be in flight at once. */
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)nbase * ndefs + 16);
    struct curl_slist *json = curl_slist_append(NULL, "Content-Type: application/json");
    struct xfer *x = calloc((size_t)nbase * (size_t)ndefs, sizeof *x);
    if (!x || !json)
        die("out of memory", NULL);
    for (int m = 0; m < nbase; m++)
        for (int d = 0; d < ndefs; d++) {
            x[m * ndefs + d].e = make_easy(base[m], &defs[d], json);
            curl_easy_setopt(x[m * ndefs + d].e, CURLOPT_TIMEOUT_MS, timeout);
            curl_easy_setopt(x[m * ndefs + d].e, CURLOPT_PRIVATE, &x[m * ndefs + d]);
            curl_easy_setopt(x[m * ndefs + d].e, CURLOPT_WRITEDATA, &x[m * ndefs + d]);
            x[m * ndefs + d].metrics = !strcmp(defs[d].method, "GET") && !strcmp(defs[d].path, "/metrics");
            if (x[m * ndefs + d].metrics && read_mode == READ_EXTRACT &&
                !(x[m * ndefs + d].ms = metrics_stream_new(64 << 20)))
                die("out of memory", NULL);
        }

    unsigned long polls = 0, transfers = 0, failed = 0, late = 0;
    long connects = 0;
    double start = mono_ms(), next = start;
    int rot[MAX_REQS] = {0};
    while (!stop && (seconds == 0 || next - start < seconds * 1000.0)) {
        double now = mono_ms();
        if (now < next) {
            int numfds;
            if (use_socket)
                socket_wait(multi, (int)(next - now) + 1);
            else
                curl_multi_poll(multi, NULL, 0, (int)(next - now) + 1, &numfds);
            continue;
        }
        double t0 = mono_ms();
        int running = 0;
        unsigned long pt = 0, pf = 0;
        for (int d = 0; d < ndefs; d++) {
            if (polls % (unsigned long)defs[d].every)
                continue;
            for (int m = 0; m < nbase; m++) {
                if (defs[d].one && m != rot[d] % nbase)
                    continue;
                struct xfer *t = &x[m * ndefs + d];
                if (t->ms)
                    metrics_stream_begin(t->ms);
                curl_multi_add_handle(multi, t->e);
                t->active = 1;
                running++;
            }
            if (defs[d].one)
                rot[d]++;
        }
        while (running > 0 && !stop) {
            int numfds, still;
            if (!use_socket)
                curl_multi_perform(multi, &still);
            CURLMsg *msg;
            int left;
            while ((msg = curl_multi_info_read(multi, &left))) {
                if (msg->msg != CURLMSG_DONE)
                    continue;
                struct xfer *t;
                long code = 0, nc = 0;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
                curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
                curl_easy_getinfo(msg->easy_handle, CURLINFO_NUM_CONNECTS, &nc);
                connects += nc;
                pt++;
                if (msg->data.result != CURLE_OK || code < 200 || code > 299)
                    pf++;
                else if (t->ms) {
                    metrics_sample_t ms;
                    prom_error_t pe;
                    if (metrics_stream_end(t->ms, &ms, &pe) != 0 || !ms.wal_fsync.ok)
                        extract_failed++;
                }
                curl_multi_remove_handle(multi, msg->easy_handle);
                t->active = 0;
                running--;
            }
            if (running > 0 && use_socket)
                socket_wait(multi, 100);
            else if (running > 0)
                curl_multi_poll(multi, NULL, 0, 100, &numfds);
        }
        double took = mono_ms() - t0;
        polls++;
        transfers += pt;
        failed += pf;
        printf("poll %lu ms %.1f transfers %lu failed %lu\n", polls, took, pt, pf);
        fflush(stdout);
        next += (double)interval;
        if (mono_ms() > next) {
            late++;
            while (next < mono_ms())
                next += (double)interval;
        }
    }
    printf("floor: %lu polls, %lu transfers, %lu failed, %ld connections, %llu body bytes, "
           "%lu late, %llu lines counted, %llu extracts failed\n", polls, transfers, failed,
           connects, body_bytes, late, lines_seen, extract_failed);
    for (int i = 0; i < nbase * ndefs; i++) {
        if (x[i].active)
            curl_multi_remove_handle(multi, x[i].e);
        curl_easy_cleanup(x[i].e);
        metrics_stream_free(x[i].ms);
    }
    curl_multi_cleanup(multi);
    curl_slist_free_all(json);
    for (int d = 0; d < ndefs; d++) {
        free(defs[d].path);
        free(defs[d].body);
    }
    free(x);
    free(base);
    curl_global_cleanup();
    return 0;
}
