/* session.h — what a monitoring session has seen so far, and its closing
 * summary (the seed's "MONITORING SESSION COMPLETE" block) and exit status. */
#ifndef EM_SESSION_H
#define EM_SESSION_H

#include <stdbool.h>
#include <stdio.h>
#include "cluster.h"
#include "workspace.h"

#define SESSION_RECENT 5

typedef struct {
    double          start_wall;
    long            iterations;     /* completed polls */
    long            alert_polls;    /* polls with at least one firing alert */
    long            alerts_fired;   /* FIRING transitions (seed: Total alerts) */
    int             recent_alerts[10]; /* the seed's alert frequency over the last 10 polls */
    health_status_t final_status;
    char            final_alerts[512];
    char            trend[240];     /* the latest trend report line, "" before the first */
    long            n_lines;        /* alert lines seen; the last SESSION_RECENT are kept */
    char            recent[SESSION_RECENT][600];
} session_t;

void session_init(session_t *s, double start_wall);
/* Account for one completed poll. */
void session_record(session_t *s, const cluster_snapshot_t *snap);
/* Account for one alerts.log line (a transition); fired says it is a FIRING one. */
void session_alert_line(session_t *s, const char *line, bool fired);
/* Keep the latest trend report for the summary. */
void session_trend(session_t *s, const char *line);
/* "alerts in the last 10 samples: N/10" — the seed's alert frequency. */
int  session_alert_frequency(const session_t *s);
/* Print the closing summary. */
void session_summary(const session_t *s, const workspace_t *w, double end_wall, FILE *out);
/* 0 healthy, 1 warnings, 2 critical: the final poll's status. */
int  session_exit_code(const session_t *s);

#endif
