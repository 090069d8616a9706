/* session_read.h — a recorded session read back (the replay command): the
 * workspace's metrics.csv and members.csv indexed compactly (per poll: its
 * time and file offsets, ~40 bytes), rows parsed on demand with pread, and
 * alerts.log / monitoring.log held as lines with their times. A row that is
 * malformed (wrong field count, bad timestamp, out of order) or truncated (no
 * final newline) is skipped and counted, never fatal. No curses, no network. */
#ifndef EM_SESSION_READ_H
#define EM_SESSION_READ_H

#include <stdbool.h>
#include <stddef.h>
#include "cluster.h"
#include "history.h"
#include "rules.h"
#include "util.h"

typedef struct session session_t;

/* Rows skipped while indexing, per file. */
typedef struct {
    long metrics, members, alerts, log;
} session_skipped_t;

/* Index the session in dir. NULL with a one-line err when metrics.csv is
 * missing, unreadable or not an etcd-monitor metrics file. */
session_t *session_open(const char *dir, char *err, size_t errlen) WARN_UNUSED_RESULT;
void session_close(session_t *s);

/* Polls indexed (0..n-1, in time order). */
long session_polls(const session_t *s);
double session_time(const session_t *s, long i);
session_skipped_t session_skipped(const session_t *s);
long session_skipped_total(const session_t *s);
/* The last poll at or before t (0 when t is before the first). */
long session_find(const session_t *s, double t);

/* Poll i as the monitor's snapshot then (members from members.csv; events:
 * the monitoring.log lines since the previous poll). 0, or -1 on a read
 * error or a row gone bad since indexing. */
int session_snapshot(session_t *s, long i, cluster_snapshot_t *out) WARN_UNUSED_RESULT;
/* The figure histories as they were at poll i: rebuilt from up to
 * HIST_FINE_CAP polls ending at i, or, when the previous call filled the same
 * set up to poll i - 1 (playing forward), that set with poll i pushed (so a
 * replay played through keeps its 10 s and 60 s aggregates). 0, or -1 when i
 * is out of range. */
int session_history(session_t *s, long i, history_set_t *out) WARN_UNUSED_RESULT;
/* The alerts active (pending or firing) at poll i's time, from alerts.log;
 * the count (at most max). */
int session_alerts(const session_t *s, long i, alert_t *out, int max);

/* One logged line: monitoring.log lines and alerts.log transitions (as the
 * dashboard's timeline says them: "alert firing: Rule on member"). */
typedef struct {
    double      t;
    const char *line;      /* NUL-terminated, owned by the session */
} session_event_t;

/* The last up to max events at or before poll i's time, oldest first; the
 * count. */
int session_events(const session_t *s, long i, session_event_t *out, int max);

/* "2026-12-06T01:02:22.044Z" (or without milliseconds) to epoch seconds;
 * false when it is not one. */
bool session_parse_time(const char *p, size_t n, double *out);

#endif
