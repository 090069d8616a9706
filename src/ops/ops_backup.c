/* ops_backup.c — scheduled backups on a worker thread that reports through a
 * pipe registered on the caller's loop (ops_backup.h). */
#include "ops_backup.h"
#include "ops_client.h"
#include "ops_snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BACKUP_PREFIX "etcd-snapshot-"
#define BACKUP_SUFFIX ".db"

struct backup {
    const config_t *cfg;
    loop_t         *loop;          /* the caller's */
    loop_timer_t    timer;
    int             pipe[2];       /* worker -> loop: one byte per finished attempt */
    double          interval_s;
    /* the worker's own (used only by the worker while running) */
    loop_t         *wloop;
    ops_client_t    c;
    bool            client_open;
    pthread_t       thread;
    bool            running;
    double          job_wall;      /* wall-clock start of the attempt (its file name) */
    backup_result_t job;           /* written by the worker, read after the join */
    /* the caller's side */
    bool            have_result, skipped;
    backup_result_t result;
    double          last_good;     /* monotonic; the start until one succeeds */
    bool            failed;
};

void backup_file_name(double t, char *buf, size_t len)
{
    time_t s = (time_t)t;
    struct tm tm;
    char stamp[32] = "unknown";
    if (gmtime_r(&s, &tm))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(buf, len, BACKUP_PREFIX "%s" BACKUP_SUFFIX, stamp);
}

bool backup_is_ours(const char *name)
{
    size_t n = strlen(name), p = strlen(BACKUP_PREFIX), s = strlen(BACKUP_SUFFIX);
    return n > p + s && strncmp(name, BACKUP_PREFIX, p) == 0 &&
           strcmp(name + n - s, BACKUP_SUFFIX) == 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int backup_prune(const char *dir, int keep)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!backup_is_ours(de->d_name))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn)
                break;
            names = nn;
            cap = nc;
        }
        if (!(names[n] = strdup(de->d_name)))
            break;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    int deleted = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + (size_t)keep < n) {
            char path[4096];
            if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) < (int)sizeof path &&
                unlink(path) == 0)
                deleted++;
        }
        free(names[i]);
    }
    free(names);
    return deleted;
}

/* The worker: one backup from a member that answers (the leader first). */
static void *backup_worker(void *arg)
{
    backup_t *b = arg;
    backup_result_t *r = &b->job;
    char err[512];
    memset(r, 0, sizeof *r);
    const ops_member_t *m = NULL;
    if (mkdir(b->cfg->ops.backup_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(r->err, sizeof r->err, "cannot create %s: %s", b->cfg->ops.backup_dir,
                 strerror(errno));
        goto done;
    }
    if (ops_cluster_refresh(&b->c, err, sizeof err) == 0) {
        if (b->c.leader >= 0 && b->c.m[b->c.leader].up && b->c.m[b->c.leader].url[0])
            m = &b->c.m[b->c.leader];
        for (int i = 0; !m && i < b->c.n; i++)
            if (b->c.m[i].up && b->c.m[i].url[0])
                m = &b->c.m[i];
        if (!m)
            snprintf(err, sizeof err, "no member answers");
    }
    if (m) {
        char name[64];
        ops_saved_t saved;
        backup_file_name(b->job_wall, name, sizeof name);
        snprintf(r->member, sizeof r->member, "%s", m->name);
        if (snprintf(r->path, sizeof r->path, "%s/%s", b->cfg->ops.backup_dir, name) >=
            (int)sizeof r->path)
            snprintf(err, sizeof err, "--backup-dir is too long");
        else if (ops_snapshot_save(&b->c, m, r->path, false, &saved, err, sizeof err) == 0) {
            r->ok = true;
            r->bytes = saved.bytes;
            r->revision = saved.st.revision;
            r->seconds = saved.seconds;
            int d = backup_prune(b->cfg->ops.backup_dir, b->cfg->ops.backup_keep);
            r->deleted = d > 0 ? d : 0;
        }
    }
    if (!r->ok)
        snprintf(r->err, sizeof r->err, "%s", err);
done:;
    char one = 1;
    while (write(b->pipe[1], &one, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* The worker said it is done: join it and keep its result. */
static void backup_on_pipe(void *ctx, int fd, short revents)
{
    (void)revents;
    backup_t *b = ctx;
    char buf[16];
    while (read(fd, buf, sizeof buf) > 0)
        ;
    if (!b->running)
        return;
    pthread_join(b->thread, NULL);
    b->running = false;
    b->result = b->job;
    b->have_result = true;
    b->failed = !b->job.ok;
    if (b->job.ok)
        b->last_good = loop_mono();
}

/* Start a worker with every signal blocked (the caller's thread handles them). */
static int backup_start(backup_t *b)
{
    sigset_t all, old;
    sigfillset(&all);
    b->job_wall = loop_wall();
    if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0)
        return -1;
    int rc = pthread_create(&b->thread, NULL, backup_worker, b);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -1;
    b->running = true;
    return 0;
}

/* The schedule's timer: start a backup unless one still runs. */
static void backup_on_timer(void *ctx, double now)
{
    backup_t *b = ctx;
    loop_timer_arm(&b->timer, now + b->interval_s);
    if (b->running) {
        b->skipped = true;
        return;
    }
    if (backup_start(b) != 0) {
        memset(&b->result, 0, sizeof b->result);
        snprintf(b->result.err, sizeof b->result.err, "cannot start a thread: %s",
                 strerror(errno));
        b->have_result = true;
        b->failed = true;
    }
}

int backup_open(backup_t **out, const config_t *cfg, loop_t *loop, char *err, size_t errlen)
{
    *out = NULL;
    if (!cfg->ops.backup_dir)
        return 0;
    backup_t *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    b->cfg = cfg;
    b->loop = loop;
    b->pipe[0] = b->pipe[1] = -1;
    b->interval_s = cfg->ops.backup_interval_ms / 1000.0;
    b->last_good = loop_mono();
    b->timer = (loop_timer_t){ .fire = backup_on_timer, .ctx = b };
    if (pipe(b->pipe) != 0 || fcntl(b->pipe[0], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(b->pipe[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(b->pipe[1], F_SETFD, FD_CLOEXEC) != 0) {
        snprintf(err, errlen, "backups: cannot make a pipe: %s", strerror(errno));
        goto fail;
    }
    if (!(b->wloop = loop_new())) {
        snprintf(err, errlen, "backups: cannot initialise libcurl");
        goto fail;
    }
    if (ops_client_open(&b->c, cfg, b->wloop, NULL, NULL, err, errlen) != 0)
        goto fail;
    b->client_open = true;
    if (loop_fd_add(loop, b->pipe[0], LOOP_IN, backup_on_pipe, b) != 0) {
        snprintf(err, errlen, "backups: too many file descriptors on the loop");
        goto fail;
    }
    if (loop_timer_add(loop, &b->timer) != 0) {
        loop_fd_remove(loop, b->pipe[0]);
        snprintf(err, errlen, "backups: too many timers on the loop");
        goto fail;
    }
    loop_timer_arm(&b->timer, loop_mono());
    *out = b;
    return 0;
fail:
    backup_close(b, 0);
    return -1;
}

bool backup_take(backup_t *b, backup_result_t *r)
{
    if (!b || !b->have_result)
        return false;
    *r = b->result;
    b->have_result = false;
    return true;
}

bool backup_take_skipped(backup_t *b)
{
    if (!b || !b->skipped)
        return false;
    b->skipped = false;
    return true;
}

void backup_figures(const backup_t *b, double now_mono, cluster_ops_t *o)
{
    o->backup_on = b != NULL;
    o->backup_age_s = b ? now_mono - b->last_good : NAN;
    o->backup_interval_s = b ? b->interval_s : 0;
    o->backup_failed = b && b->failed;
}

void backup_close(backup_t *b, int wait_ms)
{
    if (!b)
        return;
    if (b->timer.fire && b->pipe[0] >= 0) {
        loop_timer_remove(b->loop, &b->timer);
        loop_fd_remove(b->loop, b->pipe[0]);
    }
    bool abandoned = false;
    if (b->running) {
        /* wait for its byte (bounded), then join */
        fd_set rd;
        struct timeval tv = { .tv_sec = wait_ms / 1000, .tv_usec = (wait_ms % 1000) * 1000 };
        FD_ZERO(&rd);
        FD_SET(b->pipe[0], &rd);
        int n;
        while ((n = select(b->pipe[0] + 1, &rd, NULL, NULL, &tv)) < 0 && errno == EINTR)
            ;
        if (n > 0) {
            pthread_join(b->thread, NULL);
            b->running = false;
        } else {
            pthread_detach(b->thread);
            abandoned = true;          /* the process exits: leave its state alone */
        }
    }
    if (abandoned)
        return;
    if (b->client_open)
        ops_client_close(&b->c);
    if (b->wloop)
        loop_free(b->wloop);
    if (b->pipe[0] >= 0)
        close(b->pipe[0]);
    if (b->pipe[1] >= 0)
        close(b->pipe[1]);
    free(b);
}
