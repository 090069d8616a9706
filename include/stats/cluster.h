/* cluster.h — what one poll saw: the const snapshot every output reads
 * (CSV, monitoring log, dashboard, later exporter and notifiers). Plain values:
 * no pointers, no curl, no curses. Filled by the collector, then by the rules. */
#ifndef EM_CLUSTER_H
#define EM_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>
#include "endpoint.h"
#include "figures.h"
#include "interval.h"
#include "sample.h"
#include "status.h"

#define CLUSTER_MAX_MEMBERS ENDPOINT_MAX   /* the one limit (endpoint.h) */
#define CLUSTER_MAX_ALARMS  16
#define CLUSTER_MAX_EVENTS  32
#define CLUSTER_EVENT_LEN   200

/* Things worth a monitoring.log line, gathered during a poll. */
typedef struct {
    int  n;
    char line[CLUSTER_MAX_EVENTS][CLUSTER_EVENT_LEN];
} event_list_t;

/* The scheduled operator actions' plain figures: the monitor sets them (from
 * its backup and benchmark schedules) and the engine copies them into the
 * snapshot before the rules run. */
typedef struct {
    bool   backup_on;          /* a backup directory and interval are set */
    double backup_age_s;       /* since the newest good backup (since the start while
                                  there is none); NAN when off */
    double backup_interval_s;
    bool   backup_failed;      /* the latest attempt failed */
    /* the scheduled benchmark that ended since the previous poll; NAN when none */
    double bench_ops_per_s, bench_p99_ms;
    /* the latest scheduled benchmark that completed (the API); at 0 when none */
    double bench_last_ops_per_s, bench_last_p99_ms, bench_last_at;
} cluster_ops_t;

typedef enum { STATUS_HEALTHY = 0, STATUS_WARNING = 1, STATUS_ALERT = 2 } health_status_t;

typedef struct {
    char              name[64];      /* member name, or host:port until known */
    char              endpoint[ENDPOINT_URL_LEN]; /* client URL polled */
    uint64_t          id;            /* 0 until known */
    bool              is_learner;
    bool              in_member_list;
    member_sample_t   sample;
    member_interval_t iv;            /* since the previous scrape */
    member_figures_t  fig;           /* over the sliding windows (stats engine) */
    ext_figures_t     ext;           /* window latencies from a Prometheus source; off
                                        for the own scrape */
    /* From the member's host over SSH (remote.c); unknown when not watched. */
    double            disk_free_pct; /* df -P of its data directory; NAN unknown */
    int               log_slow;      /* slow-operation lines in its log this poll; -1 unknown */
    double            host_mem_bytes; /* the host's memory (MemTotal over SSH, with df -P);
                                         unknown unless > 0 (MemoryUsageHigh stays unknown) */
} member_view_t;

typedef struct {
    double          t;               /* wall-clock start of the poll, seconds */
    double          poll_ms;         /* how long the poll took */
    long            iteration;       /* 1-based poll number */
    int             n_members;
    int             members_up;
    int             members_total;   /* member list size (or polled set) */
    int             voters;          /* non-learners */
    int             voters_up;
    uint64_t        cluster_id;
    uint64_t        leader_id;       /* 0 = no leader seen */
    char            leader_name[64];
    uint64_t        raft_term;       /* highest term seen */
    char            version[32];
    int             n_alarms;
    status_alarm_t  alarms[CLUSTER_MAX_ALARMS];
    /* cluster-wide worst values (the seed's metrics.csv columns) */
    mval_t          db_size_mb, fragmentation_pct, leader_changes, slow_ops;
    double          wal_p99_ms, backend_p99_ms;   /* NAN when unknown */
    /* sliding windows and cluster health (stats engine) */
    int             n_windows;
    int64_t         window_ms[FIG_MAX_WINDOWS];
    bool            split_view;      /* reachable members disagree on leader or term */
    double          no_leader_s;     /* how long no leader has been seen, 0 when one is */
    /* status from the rules */
    health_status_t status;
    char            alerts[512];     /* firing alert names (space-separated), "" when none */
    char            alert_events[512]; /* this poll's transitions: "FIRING:Rule@member ..." */
    char            auth_error[160];  /* etcd authentication problem (collector), "" when none */
    char            source_error[160]; /* the Prometheus source's problem this poll
                                          ("prometheus: connection refused ..."), "" when none */
    cluster_ops_t   ops;             /* scheduled backups and benchmark (the monitor's) */
    event_list_t    events;
    /* Last, so that a copy or a reset touches only the n_members used
     * (cluster_snapshot_copy/_reset): at CLUSTER_MAX_MEMBERS it is 4.6 MB, kept
     * in calloc'd or static memory whose untouched pages cost nothing; never
     * on a stack, never copied whole. */
    member_view_t   members[CLUSTER_MAX_MEMBERS];
} cluster_snapshot_t;

const char *cluster_status_name(health_status_t s);
/* A zeroed snapshot on the heap (free() it), NULL when out of memory. */
cluster_snapshot_t *cluster_snapshot_new(void);
/* Zero s: everything before members[] (n_members = 0); the members stay as
 * they are, unused. */
void cluster_snapshot_reset(cluster_snapshot_t *s);
/* dst = src, copying only src's n_members members (dst's others are left). */
void cluster_snapshot_copy(cluster_snapshot_t *dst, const cluster_snapshot_t *src);
/* Add an event line (dropped silently past CLUSTER_MAX_EVENTS). */
void events_add(event_list_t *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Fill the cluster-wide figures (worst values, quorum, leader) from members[]. */
void cluster_summarize(cluster_snapshot_t *s);

#endif
