/* ops_schedbench.c — the scheduled benchmark on a worker thread that reports
 * through a pipe registered on the caller's loop (ops_schedbench.h). */
#include "ops_schedbench.h"
#include "ops_bench.h"
#include "ops_client.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#define SCHEDBENCH_DEFAULT_OPS 100

struct schedbench {
    const config_t     *cfg;
    loop_t             *loop;          /* the caller's */
    loop_timer_t        timer;
    int                 pipe[2];       /* worker -> loop: one byte per finished run */
    double              interval_s;
    char                prefix[96];
    config_ops_t        load;          /* the load of each run */
    /* the worker's own (used only by the worker while running) */
    loop_t             *wloop;
    ops_client_t        c;
    bool                client_open;
    pthread_t           thread;
    bool                running;
    schedbench_result_t job;           /* written by the worker, read after the join */
    /* the caller's side */
    bool                have_result, skipped;
    schedbench_result_t result;
};

/* The worker: one run against the leader, then its keys deleted. */
static void *schedbench_worker(void *arg)
{
    schedbench_t *s = arg;
    schedbench_result_t *r = &s->job;
    char err[512] = "";
    memset(r, 0, sizeof *r);
    if (ops_cluster_refresh(&s->c, err, sizeof err) != 0) {
        snprintf(r->err, sizeof r->err, "%s", err);
    } else if (s->c.leader < 0 || !s->c.m[s->c.leader].up || !s->c.m[s->c.leader].url[0]) {
        snprintf(r->err, sizeof r->err, "the cluster has no leader to write to");
    } else {
        ops_bench_result_t br;
        if (ops_bench_run(&s->c, &s->load, s->prefix, false, &br, err, sizeof err) != 0) {
            snprintf(r->err, sizeof r->err, "%s", err);
        } else {
            r->ok = true;
            r->total = br.total;
            r->failed = br.failed;
            r->seconds = br.seconds;
            r->ops_per_s = br.seconds > 0 ? (double)br.total / br.seconds : 0;
            r->p99_ms = br.lat.p99;
            r->avg_ms = br.lat.avg;
            snprintf(r->first_error, sizeof r->first_error, "%s", br.first_error);
        }
        /* its keys go, whether the load completed or not */
        if (ops_bench_cleanup(&s->c, s->prefix, err, sizeof err) != 0)
            snprintf(r->cleanup_err, sizeof r->cleanup_err, "%s", err);
    }
    char one = 1;
    while (write(s->pipe[1], &one, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* The worker said it is done: join it and keep its result. */
static void schedbench_on_pipe(void *ctx, int fd, short revents)
{
    (void)revents;
    schedbench_t *s = ctx;
    char buf[16];
    while (read(fd, buf, sizeof buf) > 0)
        ;
    if (!s->running)
        return;
    pthread_join(s->thread, NULL);
    s->running = false;
    s->result = s->job;
    s->have_result = true;
}

/* Start a worker with every signal blocked (the caller's thread handles them). */
static int schedbench_start(schedbench_t *s)
{
    sigset_t all, old;
    sigfillset(&all);
    if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0)
        return -1;
    int rc = pthread_create(&s->thread, NULL, schedbench_worker, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -1;
    s->running = true;
    return 0;
}

/* The schedule's timer: start a run unless one still runs. */
static void schedbench_on_timer(void *ctx, double now)
{
    schedbench_t *s = ctx;
    loop_timer_arm(&s->timer, now + s->interval_s);
    if (s->running) {
        s->skipped = true;
        return;
    }
    if (schedbench_start(s) != 0) {
        memset(&s->result, 0, sizeof s->result);
        snprintf(s->result.err, sizeof s->result.err, "cannot start a thread: %s",
                 strerror(errno));
        s->have_result = true;
    }
}

/* The load of each run: benchmark.ops puts, a few clients, small keys and values. */
static void schedbench_load(const config_t *cfg, config_ops_t *o)
{
    *o = cfg->ops;
    o->bench_type = BENCH_WRITE;
    o->bench_ops = cfg->ops.bench_sched_ops > 0 ? cfg->ops.bench_sched_ops
                                                : SCHEDBENCH_DEFAULT_OPS;
    o->clients = SCHEDBENCH_CLIENTS;
    o->conns = SCHEDBENCH_CLIENTS;
    o->key_size = 8;
    o->value_size = 256;
    o->key_space = o->bench_ops;
    o->rate = 0;
    o->keep = false;
}

int schedbench_open(schedbench_t **out, const config_t *cfg, loop_t *loop, char *err,
                    size_t errlen)
{
    *out = NULL;
    if (!cfg->ops.bench_enabled)
        return 0;
    schedbench_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->cfg = cfg;
    s->loop = loop;
    s->pipe[0] = s->pipe[1] = -1;
    s->interval_s = (cfg->ops.bench_interval_ms > 0 ? cfg->ops.bench_interval_ms : 3600000) /
                    1000.0;
    snprintf(s->prefix, sizeof s->prefix, "/etcd-monitor/benchmark/scheduled/%ld/",
             (long)getpid());
    schedbench_load(cfg, &s->load);
    s->timer = (loop_timer_t){ .fire = schedbench_on_timer, .ctx = s };
    if (pipe(s->pipe) != 0 || fcntl(s->pipe[0], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(s->pipe[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(s->pipe[1], F_SETFD, FD_CLOEXEC) != 0) {
        snprintf(err, errlen, "benchmark: cannot make a pipe: %s", strerror(errno));
        goto fail;
    }
    if (!(s->wloop = loop_new())) {
        snprintf(err, errlen, "benchmark: cannot initialise libcurl");
        goto fail;
    }
    if (ops_client_open(&s->c, cfg, s->wloop, NULL, NULL, err, errlen) != 0)
        goto fail;
    s->client_open = true;
    if (loop_fd_add(loop, s->pipe[0], LOOP_IN, schedbench_on_pipe, s) != 0) {
        snprintf(err, errlen, "benchmark: too many file descriptors on the loop");
        goto fail;
    }
    if (loop_timer_add(loop, &s->timer) != 0) {
        loop_fd_remove(loop, s->pipe[0]);
        snprintf(err, errlen, "benchmark: too many timers on the loop");
        goto fail;
    }
    loop_timer_arm(&s->timer, loop_mono());
    *out = s;
    return 0;
fail:
    s->timer.fire = NULL;              /* not on the loop */
    schedbench_close(s, 0);
    return -1;
}

bool schedbench_take(schedbench_t *s, schedbench_result_t *r)
{
    if (!s || !s->have_result)
        return false;
    *r = s->result;
    s->have_result = false;
    return true;
}

bool schedbench_take_skipped(schedbench_t *s)
{
    if (!s || !s->skipped)
        return false;
    s->skipped = false;
    return true;
}

const char *schedbench_prefix(const schedbench_t *s)
{
    return s ? s->prefix : "";
}

void schedbench_close(schedbench_t *s, int wait_ms)
{
    if (!s)
        return;
    if (s->timer.fire && s->pipe[0] >= 0) {
        loop_timer_remove(s->loop, &s->timer);
        loop_fd_remove(s->loop, s->pipe[0]);
    }
    bool abandoned = false;
    if (s->running) {
        /* wait for its byte (bounded), then join */
        fd_set rd;
        struct timeval tv = { .tv_sec = wait_ms / 1000, .tv_usec = (wait_ms % 1000) * 1000 };
        FD_ZERO(&rd);
        FD_SET(s->pipe[0], &rd);
        int n;
        while ((n = select(s->pipe[0] + 1, &rd, NULL, NULL, &tv)) < 0 && errno == EINTR)
            ;
        if (n > 0) {
            pthread_join(s->thread, NULL);
            s->running = false;
        } else {
            pthread_detach(s->thread);
            abandoned = true;          /* the process exits: leave its state alone */
        }
    }
    if (abandoned)
        return;
    if (s->client_open)
        ops_client_close(&s->c);
    if (s->wloop)
        loop_free(s->wloop);
    if (s->pipe[0] >= 0)
        close(s->pipe[0]);
    if (s->pipe[1] >= 0)
        close(s->pipe[1]);
    free(s);
}
