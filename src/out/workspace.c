/* workspace.c — the session directory and its whole-line output files. */
#include "workspace.h"
#include "format.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "csvrow.h"

static const char *const ws_names[WS_FILES] = {
    "metrics.csv", "members.csv", "alerts.log", "monitoring.log"
};

/* mkdir -p for a relative or absolute path. */
static int ws_mkdirs(const char *path)
{
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int workspace_open(workspace_t *w, const char *workdir, double now, char *err, size_t errlen)
{
    memset(w, 0, sizeof(*w));
    for (int i = 0; i < WS_FILES; i++)
        w->f[i].fd = -1;
    if (workdir) {
        if (strlen(workdir) >= sizeof(w->dir) - 1) {
            snprintf(err, errlen, "--workdir: path too long");
            return -1;
        }
        snprintf(w->dir, sizeof(w->dir), "%s", workdir);
    } else {
        time_t t = (time_t)now;
        struct tm tm;
        localtime_r(&t, &tm);
        char stamp[32];
        strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm);
        snprintf(w->dir, sizeof(w->dir), ".work/etcd-realtime/%s", stamp);
        /* Two sessions started in the same second get their own directories. */
        struct stat st;
        for (int n = 2; stat(w->dir, &st) == 0 && n < 100; n++)
            snprintf(w->dir, sizeof(w->dir), ".work/etcd-realtime/%s-%d", stamp, n);
    }
    if (ws_mkdirs(w->dir) != 0) {
        snprintf(err, errlen, "cannot create workspace %s: %s", w->dir, strerror(errno));
        return -1;
    }
    const char *headers[WS_FILES] = { CSVROW_METRICS_HEADER, CSVROW_MEMBERS_HEADER, NULL, NULL };
    /* A copy of dir: gcc -O1 with sanitizers takes w->dir and w->path[i] for
     * overlapping snprintf arguments (-Werror=restrict). */
    char dir[sizeof(w->dir)];
    memcpy(dir, w->dir, sizeof(dir));
    for (int i = 0; i < WS_FILES; i++) {
        snprintf(w->path[i], sizeof(w->path[i]), "%s/%s", dir, ws_names[i]);
        if (csvfile_open(&w->f[i], w->path[i], headers[i]) != 0) {
            snprintf(err, errlen, "cannot open %s: %s", w->path[i], strerror(errno));
            workspace_close(w);
            return -1;
        }
    }
    return 0;
}

/* Append a line and turn a change of the file's health into one notice. */
static void ws_append(workspace_t *w, int i, const char *line, size_t len)
{
    csvfile_t *f = &w->f[i];
    switch (csvfile_append(f, line, len)) {
    case CSVFILE_FAILED:
        events_add(&w->notices, "%s: write failed: %s (lines kept in memory, retried each poll)",
                   w->path[i], strerror(f->last_errno));
        break;
    case CSVFILE_RESUMED:
        if (f->dropped)
            events_add(&w->notices, "%s: writing resumed; %zu lines were lost (memory cap)",
                       w->path[i], f->dropped);
        else
            events_add(&w->notices, "%s: writing resumed; no line lost", w->path[i]);
        f->dropped = 0;
        break;
    default:
        break;
    }
}

void workspace_log(workspace_t *w, double now, const char *fmt, ...)
{
    char line[1024];
    format_timestamp(line, sizeof(line), now, true, 0);
    size_t n = strlen(line);
    line[n++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    n += (size_t)m < sizeof(line) - n - 1 ? (size_t)m : sizeof(line) - n - 2;
    /* One entry is one line, whatever the message held. */
    for (size_t i = 0; i < n; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    line[n++] = '\n';
    ws_append(w, WS_LOG, line, n);
}

void workspace_write_poll(workspace_t *w, const cluster_snapshot_t *s)
{
    char row[CSVROW_MAX];
    size_t n = csvrow_metrics(s, row, sizeof(row));
    if (n)
        ws_append(w, WS_METRICS, row, n);
    for (int i = 0; i < s->n_members; i++) {
        n = csvrow_member(s, &s->members[i], row, sizeof(row));
        if (n)
            ws_append(w, WS_MEMBERS, row, n);
    }
    for (int i = 0; i < s->events.n; i++)
        workspace_log(w, s->t, "%s", s->events.line[i]);
}

void workspace_alert(workspace_t *w, const char *line, size_t len)
{
    ws_append(w, WS_ALERTS, line, len);
}

void workspace_close(workspace_t *w)
{
    for (int i = 0; i < WS_FILES; i++)
        if (w->f[i].fd >= 0)
            csvfile_close(&w->f[i]);
}
