/* workspace.h — the session's output directory and its four files:
 * metrics.csv, members.csv, alerts.log, monitoring.log. Every line goes out
 * whole (csvfile.h); a write failure is reported once and the lines wait in
 * memory until the disk takes them again. */
#ifndef EM_WORKSPACE_H
#define EM_WORKSPACE_H

#include <stdbool.h>
#include "cluster.h"
#include "csvfile.h"

enum { WS_METRICS, WS_MEMBERS, WS_ALERTS, WS_LOG, WS_FILES };

typedef struct {
    char      dir[512];
    char      path[WS_FILES][600];
    csvfile_t f[WS_FILES];
    /* One-line notices about the files themselves (write failed / resumed),
     * for the caller to show on stderr or the screen. */
    event_list_t notices;
} workspace_t;

/* Create workdir (or .work/etcd-realtime/<YYYYmmdd_HHMMSS> when NULL) and open
 * the files. Returns 0, or -1 with one line in err. */
int  workspace_open(workspace_t *w, const char *workdir, double now, char *err, size_t errlen);
/* One timestamped line in monitoring.log. */
void workspace_log(workspace_t *w, double now, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Write one poll: a metrics.csv row, a members.csv row per member, and the
 * snapshot's events in monitoring.log. */
void workspace_write_poll(workspace_t *w, const cluster_snapshot_t *s);
/* Append one whole line (ending in '\n') to alerts.log. */
void workspace_alert(workspace_t *w, const char *line, size_t len);
void workspace_close(workspace_t *w);

#endif
