/* workspace.c — the session directory and its whole-line output files.
 * Text from the network reaches these files only through text_clean() (text.h):
 * log lines and alert lines here, CSV fields in csvrow.c. */
#include "workspace.h"
#include "format.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "csvrow.h"
#include "text.h"

static const char *const ws_names[WS_FILES] = {
    "metrics.csv", "members.csv", "alerts.log", "monitoring.log"
};

/* mkdir -p for a relative or absolute path; new directories are 0700 (owner
 * only; the umask may take more away). */
static int ws_mkdirs(const char *path)
{
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int workspace_name(char *dir, size_t size, const char *workdir, double now, char *err,
                   size_t errlen)
{
    if (workdir) {
        if (strlen(workdir) >= size - 1) {
            snprintf(err, errlen, "--workdir: path too long");
            return -1;
        }
        snprintf(dir, size, "%s", workdir);
        return 0;
    }
    time_t t = (time_t)now;
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm);
    snprintf(dir, size, ".work/etcd-realtime/%s", stamp);
    /* Two sessions started in the same second get their own directories. */
    struct stat st;
    for (int n = 2; stat(dir, &st) == 0 && n < 100; n++)
        snprintf(dir, size, ".work/etcd-realtime/%s-%d", stamp, n);
    return 0;
}

#define WS_BATCH (8 * CSVROW_MAX)

int workspace_open(workspace_t *w, const char *workdir, double now, char *err, size_t errlen)
{
    memset(w, 0, sizeof(*w));
    for (int i = 0; i < WS_FILES; i++)
        w->f[i].fd = -1;
    if (workspace_name(w->dir, sizeof(w->dir), workdir, now, err, errlen) != 0)
        return -1;
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
    /* Room for several members.csv rows of the worst size (without it, a
     * write a row). */
    if ((w->batch = malloc(WS_BATCH)))
        w->batch_cap = WS_BATCH;
    return 0;
}

/* Append nlines lines and turn a change of the file's health into one notice. */
static void ws_append_lines(workspace_t *w, int i, const char *line, size_t len, size_t nlines)
{
    csvfile_t *f = &w->f[i];
    switch (csvfile_append_lines(f, line, len, nlines)) {
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
        w->lost[i] += f->dropped;
        f->dropped = 0;
        break;
    default:
        break;
    }
}

static void ws_append(workspace_t *w, int i, const char *line, size_t len)
{
    ws_append_lines(w, i, line, len, 1);
}

void workspace_log(workspace_t *w, double now, const char *fmt, ...)
{
    char msg[1024], line[1024 + 64];
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    format_timestamp(line, sizeof(line), now, true, 0);
    size_t n = strlen(line);
    line[n++] = ' ';
    /* One entry is one line of plain text, whatever the message held (member
     * names and errors come from the network). */
    n += text_clean(line + n, sizeof(line) - n - 1, msg);
    line[n++] = '\n';
    ws_append(w, WS_LOG, line, n);
}

void workspace_write_poll(workspace_t *w, const cluster_snapshot_t *s)
{
    char row[CSVROW_MAX];
    size_t n = csvrow_metrics(s, row, sizeof(row));
    if (n)
        ws_append(w, WS_METRICS, row, n);
    else /* cannot happen (CSVROW_MAX is the worst case), but never silently */
        workspace_log(w, s->t, "%s: the row of poll %ld did not fit in %zu bytes: skipped",
                      w->path[WS_METRICS], s->iteration, sizeof(row));
    /* The members' rows go out together, WS_BATCH bytes at a time: one write()
     * (and one fstat) for many rows, not one per member. */
    size_t used = 0, rows = 0;
    for (int i = 0; i < s->n_members; i++) {
        char *dst = row;
        if (w->batch) {                          /* WS_BATCH holds several worst-case rows */
            if (w->batch_cap - used < sizeof(row)) {
                ws_append_lines(w, WS_MEMBERS, w->batch, used, rows);
                used = rows = 0;
            }
            dst = w->batch + used;
        }
        n = csvrow_member(s, &s->members[i], dst, sizeof(row));
        if (!n)
            workspace_log(w, s->t, "%s: the row of member %s in poll %ld did not fit in "
                          "%zu bytes: skipped", w->path[WS_MEMBERS], s->members[i].name,
                          s->iteration, sizeof(row));
        else if (dst == row)
            ws_append(w, WS_MEMBERS, row, n);
        else {
            used += n;
            rows++;
        }
    }
    if (rows)
        ws_append_lines(w, WS_MEMBERS, w->batch, used, rows);
    for (int i = 0; i < s->events.n; i++)
        workspace_log(w, s->t, "%s", s->events.line[i]);
}

void workspace_alert(workspace_t *w, const char *line, size_t len)
{
    char clean[2048];
    if (len > 0 && line[len - 1] == '\n')
        len--;
    size_t n = text_clean_n(clean, sizeof(clean) - 1, line, len);
    clean[n++] = '\n';
    ws_append(w, WS_ALERTS, clean, n);
}

/* Sleep about ms milliseconds (a signal may cut it short). */
static void ws_nap(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static double ws_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

size_t workspace_finish(workspace_t *w, int wait_ms, FILE *report)
{
    double deadline = ws_monotonic() + wait_ms / 1000.0;
    for (;;) {
        bool pending = false;
        for (int i = 0; i < WS_FILES; i++) {
            if (w->f[i].fd < 0 || w->f[i].backlog_len == 0)
                continue;
            (void)csvfile_retry(&w->f[i]);
            pending |= w->f[i].backlog_len > 0;
        }
        if (!pending || ws_monotonic() >= deadline)
            break;
        ws_nap(100);
    }
    size_t total = 0;
    for (int i = 0; i < WS_FILES; i++) {
        csvfile_t *f = &w->f[i];
        w->unwritten[i] = f->fd >= 0 ? f->backlog_lines : 0;
        w->lost[i] += f->dropped;
        f->dropped = 0;
        w->missing_errno[i] = f->last_errno;
        total += w->unwritten[i] + w->lost[i];
    }
    for (int i = 0; i < WS_FILES && total > 0; i++) {
        char why[200];
        if (!workspace_missing_text(w, i, why, sizeof(why)))
            continue;
        if (report)
            fprintf(report, "etcd-monitor: %s: %s\n", w->path[i], why);
        /* Said in the log too, when the log itself still takes lines. */
        if (i != WS_LOG && w->f[WS_LOG].backlog_len == 0 && w->f[WS_LOG].last_errno == 0) {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            workspace_log(w, (double)now.tv_sec + now.tv_nsec / 1e9, "%s: %s", w->path[i], why);
        }
    }
    if (report)
        fflush(report);
    return total;
}

static const char *ws_reason(int err)
{
    return err ? strerror(err) : "write refused";
}

size_t workspace_missing(const workspace_t *w)
{
    size_t total = 0;
    for (int i = 0; i < WS_FILES; i++)
        total += w->unwritten[i] + w->lost[i];
    return total;
}

bool workspace_missing_text(const workspace_t *w, int i, char *out, size_t size)
{
    out[0] = '\0';
    if (w->unwritten[i] > 0 && w->lost[i] > 0)
        snprintf(out, size, "%zu lines not written at exit (%s); %zu lost earlier (memory cap)",
                 w->unwritten[i], ws_reason(w->missing_errno[i]), w->lost[i]);
    else if (w->unwritten[i] > 0)
        snprintf(out, size, "%zu lines not written at exit (%s)", w->unwritten[i],
                 ws_reason(w->missing_errno[i]));
    else if (w->lost[i] > 0)
        snprintf(out, size, "%zu lines lost during the session (memory cap)", w->lost[i]);
    return out[0] != '\0';
}

void workspace_close(workspace_t *w)
{
    for (int i = 0; i < WS_FILES; i++)
        if (w->f[i].fd >= 0)
            csvfile_close(&w->f[i]);
    free(w->batch);
    w->batch = NULL;
    w->batch_cap = 0;
}
