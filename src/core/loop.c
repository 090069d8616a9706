/* loop.c — the one event loop: the shared libcurl multi handle, registered
 * fds and timers (see loop.h). */
#include "loop_xfer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

_Static_assert(LOOP_IN == CURL_WAIT_POLLIN && LOOP_PRI == CURL_WAIT_POLLPRI &&
               LOOP_OUT == CURL_WAIT_POLLOUT, "LOOP_* are curl's CURL_WAIT_POLL* bits");

typedef struct {
    int        fd;
    short      events;
    loop_fd_fn fn;
    void      *ctx;
} loop_fd_t;

/* A finished transfer read from curl, waiting for its done() call. */
typedef struct {
    CURL    *easy;                        /* NULL: stopped meanwhile, no done() */
    CURLcode result;
} loop_done_t;

struct loop {
    CURLM        *multi;                  /* owned */
    int           conns;                  /* connections reserved (curl's cache size) */
    loop_done_t  *done;                   /* owned: the finished transfers of one turn */
    int           n_done, cap_done, next_done;
    loop_fd_t     fds[LOOP_MAX_FDS];
    int           n_fds;
    loop_timer_t *timers[LOOP_MAX_TIMERS];
    int           n_timers;
};

double loop_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double loop_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

loop_t *loop_new(void)
{
    loop_t *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    if (!(l->multi = curl_multi_init())) {
        free(l);
        return NULL;
    }
    l->conns = 256;
    curl_multi_setopt(l->multi, CURLMOPT_MAXCONNECTS, (long)l->conns);
    return l;
}

int loop_reserve_connections(loop_t *l, int n, char *why, size_t whylen)
{
    if (why && whylen)
        why[0] = '\0';
    if (n <= l->conns)
        return n;
    struct rlimit rl;
    rlim_t need = (rlim_t)n + LOOP_FD_RESERVE;
    int allowed = n;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rlim_t to = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
        struct rlimit nl = { to, rl.rlim_max };
        if (to > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &nl) == 0)
            rl.rlim_cur = to;
        if (rl.rlim_cur < need) {
            allowed = rl.rlim_cur > 2 * LOOP_FD_RESERVE ? (int)(rl.rlim_cur - LOOP_FD_RESERVE)
                                                         : (int)(rl.rlim_cur / 2);
            if (why && whylen)
                snprintf(why, whylen, "the open-file limit (%llu, hard %llu) allows %d "
                         "connections, not the %d wanted: requests wait their turn "
                         "(raise it: ulimit -n %llu)", (unsigned long long)rl.rlim_cur,
                         (unsigned long long)rl.rlim_max, allowed, n,
                         (unsigned long long)need);
            curl_multi_setopt(l->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)allowed);
        }
    }
    if (allowed > l->conns) {
        l->conns = allowed;
        curl_multi_setopt(l->multi, CURLMOPT_MAXCONNECTS, (long)allowed);
    }
    return allowed;
}

void loop_free(loop_t *l)
{
    if (!l)
        return;
    curl_multi_cleanup(l->multi);
    free(l->done);
    free(l);
}

CURLM *loop_multi(loop_t *l)
{
    return l->multi;
}

int loop_transfer_add(loop_t *l, CURL *easy, loop_xfer_t *x)
{
    curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
    return curl_multi_add_handle(l->multi, easy) == CURLM_OK ? 0 : -1;
}

void loop_transfer_remove(loop_t *l, CURL *easy)
{
    curl_multi_remove_handle(l->multi, easy);
    /* Stopped from a done() callback while its own end waits in this turn's
     * batch: its done() is not called (as curl drops the unread message). */
    for (int i = l->next_done + 1; i < l->n_done; i++)
        if (l->done[i].easy == easy)
            l->done[i].easy = NULL;
}

int loop_fd_add(loop_t *l, int fd, short events, loop_fd_fn fn, void *ctx)
{
    if (fd < 0 || l->n_fds >= LOOP_MAX_FDS)
        return -1;
    l->fds[l->n_fds++] = (loop_fd_t){ .fd = fd, .events = events, .fn = fn, .ctx = ctx };
    return 0;
}

void loop_fd_remove(loop_t *l, int fd)
{
    for (int i = 0; i < l->n_fds; i++)
        if (l->fds[i].fd == fd) {
            memmove(&l->fds[i], &l->fds[i + 1], (size_t)(l->n_fds - i - 1) * sizeof(l->fds[0]));
            l->n_fds--;
            return;
        }
}

int loop_timer_add(loop_t *l, loop_timer_t *t)
{
    if (l->n_timers >= LOOP_MAX_TIMERS)
        return -1;
    l->timers[l->n_timers++] = t;
    return 0;
}

void loop_timer_remove(loop_t *l, loop_timer_t *t)
{
    for (int i = 0; i < l->n_timers; i++)
        if (l->timers[i] == t) {
            memmove(&l->timers[i], &l->timers[i + 1],
                    (size_t)(l->n_timers - i - 1) * sizeof(l->timers[0]));
            l->n_timers--;
            return;
        }
}

void loop_timer_arm(loop_timer_t *t, double due)
{
    t->due = due;
    t->armed = true;
}

/* Remove a finished transfer and call its done(). */
static void loop_transfer_end(loop_t *l, CURL *easy, CURLcode result)
{
    loop_xfer_t *x = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
    curl_multi_remove_handle(l->multi, easy);
    if (x && x->done)
        x->done(x, result);
}

/* Move every transfer along and call done() for each one that ended. All
 * ends are read first: libcurl (7.88) walks its queue of unread messages at
 * each curl_multi_remove_handle(), so removing while thousands wait costs
 * n x n (a fifth of the CPU with 1,000 members). */
static void loop_transfers_dispatch(loop_t *l)
{
    int running = 0;
    curl_multi_perform(l->multi, &running);
    CURLMsg *msg;
    int left;
    l->n_done = 0;
    l->next_done = -1;
    while ((msg = curl_multi_info_read(l->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        if (l->n_done == l->cap_done) {
            int cap = l->cap_done ? 2 * l->cap_done : 256;
            loop_done_t *d = realloc(l->done, sizeof(*d) * (size_t)cap);
            if (!d) {                     /* no room: this one now, the slow way */
                loop_transfer_end(l, msg->easy_handle, msg->data.result);
                continue;
            }
            l->done = d;
            l->cap_done = cap;
        }
        l->done[l->n_done++] = (loop_done_t){ msg->easy_handle, msg->data.result };
    }
    for (l->next_done = 0; l->next_done < l->n_done; l->next_done++) {
        loop_done_t d = l->done[l->next_done];
        if (d.easy)
            loop_transfer_end(l, d.easy, d.result);
    }
    l->n_done = 0;
    l->next_done = -1;
}

/* Fire every armed timer that is due (a timer may re-arm itself). */
static void loop_timers_dispatch(loop_t *l)
{
    double now = loop_mono();
    for (int i = 0; i < l->n_timers; i++) {
        loop_timer_t *t = l->timers[i];
        if (t->armed && t->due <= now) {
            t->armed = false;
            t->fire(t->ctx, now);
        }
    }
}

void loop_run_once(loop_t *l, int timeout_ms)
{
    double now = loop_mono();
    for (int i = 0; i < l->n_timers; i++) {
        const loop_timer_t *t = l->timers[i];
        if (!t->armed)
            continue;
        double ms = ceil((t->due - now) * 1000.0);
        if (ms < timeout_ms)
            timeout_ms = ms > 0 ? (int)ms : 0;
    }
    if (timeout_ms < 0)
        timeout_ms = 0;
    struct curl_waitfd wfd[LOOP_MAX_FDS];
    int n = l->n_fds;
    for (int i = 0; i < n; i++)
        wfd[i] = (struct curl_waitfd){ .fd = l->fds[i].fd, .events = l->fds[i].events };
    int numfds = 0;
    if (curl_multi_poll(l->multi, wfd, (unsigned)n, timeout_ms, &numfds) != CURLM_OK)
        numfds = 0;
    loop_transfers_dispatch(l);
    /* Callbacks may add or remove fds: match by fd, not by position. */
    for (int i = 0; i < n; i++) {
        if (!wfd[i].revents)
            continue;
        for (int j = 0; j < l->n_fds; j++)
            if (l->fds[j].fd == wfd[i].fd) {
                l->fds[j].fn(l->fds[j].ctx, wfd[i].fd, wfd[i].revents);
                break;
            }
    }
    loop_timers_dispatch(l);
}
