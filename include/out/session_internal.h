/* session_internal.h — what session_read.c (index, logs) and session_rows.c
 * (rows parsed into snapshots and histories) share. */
#ifndef EM_SESSION_INTERNAL_H
#define EM_SESSION_INTERNAL_H

#include <stdint.h>
#include "csvrow.h"
#include "session_read.h"

/* One indexed row: its time and where it is in its file. */
typedef struct {
    double   t;
    uint64_t off;
    uint32_t len;          /* without the newline */
} session_row_t;

/* One poll: its metrics.csv row and its members.csv rows [mem_first, +mem_n). */
typedef struct {
    session_row_t row;
    uint32_t      mem_first;
    uint16_t      mem_n;
} session_poll_t;

/* A logged line (monitoring.log, or an alerts.log transition). */
typedef struct {
    double t;
    size_t off;            /* into the owning text */
    /* alerts.log: the transition parsed */
    char   kind;           /* 'P' pending, 'F' firing, 'R' resolved; 0 = a log line */
} session_line_t;

struct session {
    int             fd_metrics, fd_members;
    int             metrics_fields, members_fields;
    session_poll_t *polls;
    long            n_polls;
    session_row_t  *mem;
    long            n_mem;
    /* alerts.log (raw text kept) and monitoring.log lines merged by time */
    char           *alerts_text, *log_text, *event_text;
    session_line_t *alerts;
    long            n_alerts;
    session_event_t *events;
    long            n_events;
    session_skipped_t skipped;
    /* session_history: the set it filled last and the poll after the last one
     * pushed into it (0 = none), so that the next poll is one push */
    const history_set_t *hist_out;
    long            hist_next;
};

#define SESSION_MAX_FIELDS 64
#define CSVROW_MAX_READ (CSVROW_MAX + 1)

/* Read row r of fd into buf (cap >= r->len + 1) and split it into fields
 * (RFC 4180 unquoted in place); the field count, -1 on a read error. */
int session_row_fields(int fd, const session_row_t *r, char *buf, size_t cap,
                       char **f, int max);

#endif
