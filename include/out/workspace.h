/* workspace.h — the session's output directory and its four files:
 * metrics.csv, members.csv, alerts.log, monitoring.log. Every line goes out
 * whole (csvfile.h); a write failure is reported once and the lines wait in
 * memory until the disk takes them again. */
#ifndef EM_WORKSPACE_H
#define EM_WORKSPACE_H

#include <stdbool.h>
#include <stdio.h>
#include "cluster.h"
#include "csvfile.h"
#include "util.h"

enum { WS_METRICS, WS_MEMBERS, WS_ALERTS, WS_LOG, WS_FILES };

typedef struct {
    char      dir[512];
    char      path[WS_FILES][600];
    csvfile_t f[WS_FILES];
    /* One-line notices about the files themselves (write failed / resumed),
     * for the caller to show on stderr or the screen. */
    event_list_t notices;
    size_t    lost[WS_FILES];          /* lines dropped past the memory cap so far */
    /* Set by workspace_finish(): lines still refused at exit, and why. */
    size_t    unwritten[WS_FILES];
    int       missing_errno[WS_FILES];
    char     *batch;                   /* owned: a poll's members.csv rows, written at
                                          once (NULL: one write a row) */
    size_t    batch_cap;
} workspace_t;

/* Create workdir (or .work/etcd-realtime/<YYYYmmdd_HHMMSS> when NULL; new
 * directories 0700, files 0600, less if the umask says so) and open the files.
 * Returns 0, or -1 with one line in err. */
int  workspace_open(workspace_t *w, const char *workdir, double now, char *err, size_t errlen) WARN_UNUSED_RESULT;
/* The directory workspace_open() would use: workdir, or a new
 * .work/etcd-realtime/<stamp>[-N] (many clusters: the parent of their own). */
int  workspace_name(char *dir, size_t size, const char *workdir, double now, char *err,
                    size_t errlen) WARN_UNUSED_RESULT;
/* One timestamped line in monitoring.log; the message is cleaned (text.h). */
void workspace_log(workspace_t *w, double now, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Write one poll: a metrics.csv row, a members.csv row per member, and the
 * snapshot's events in monitoring.log. */
void workspace_write_poll(workspace_t *w, const cluster_snapshot_t *s);
/* Append one whole line (ending in '\n') to alerts.log, cleaned (text.h). */
void workspace_alert(workspace_t *w, const char *line, size_t len);
/* At exit, before the summary: retry the lines the disk refused for up to
 * wait_ms, then count per file what never reached it: still refused
 * (unwritten[]) or dropped past the memory cap during the session (lost[]).
 * Each incomplete file gets one line on report ("etcd-monitor: PATH: N lines
 * not written at exit (REASON)"; NULL: none) and in monitoring.log when that
 * still takes lines. Returns the total; non-zero means incomplete files. */
size_t workspace_finish(workspace_t *w, int wait_ms, FILE *report);
/* After workspace_finish(): lines missing from all files together (0 = complete). */
size_t workspace_missing(const workspace_t *w);
/* After workspace_finish(): what file i misses, in words; false when complete. */
bool workspace_missing_text(const workspace_t *w, int i, char *out, size_t size);
void workspace_close(workspace_t *w);

#endif
