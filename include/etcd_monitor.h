/* etcd_monitor.h — the etcd-monitor library (libetcdmonitor.a): poll an etcd
 * cluster from a C program and read what the monitor saw, with the same
 * collector, PromQL-exact statistics and alert rules as the etcd-monitor
 * command. Link with `pkg-config --cflags --libs etcd-monitor`.
 *
 *   em_monitor_t *m = em_open(argc, argv, err, sizeof err);  // etcd-monitor's options
 *   if (em_poll(m, 5000) == 0) { em_cluster_t c; em_cluster(m, &c); ... }
 *   em_close(m);
 *
 * Every figure that is unknown is NAN (doubles) or 0 (ids), never a guess.
 * The library writes no files and prints nothing; it is single-threaded: call
 * it from one thread. Ownership: em_open() allocates, em_close() frees; every
 * em_* reader copies into caller memory. */
#ifndef ETCD_MONITOR_H
#define ETCD_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EM_API_VERSION 1

typedef struct em_monitor em_monitor_t;

typedef struct {
    char     name[64];
    char     endpoint[256];
    uint64_t id;                      /* 0 until known */
    bool     up;
    bool     is_leader;
    bool     is_learner;
    char     error[200];              /* why it is down or a call failed; "" when fine */
    double   db_size_bytes;           /* NAN when unknown */
    double   db_in_use_bytes;
    double   fragmentation_pct;
    double   quota_used_pct;
    uint64_t raft_term, raft_index, raft_applied_index;   /* 0 when unknown */
    double   wal_fsync_p99_ms;        /* over the first window (default 1m) */
    double   backend_commit_p99_ms;
    double   read_probe_ms;           /* this poll's linearizable read */
} em_member_t;

typedef struct {
    double   t;                       /* wall-clock start of the poll, seconds */
    double   poll_ms;
    long     iteration;               /* polls so far */
    int      members_total, members_up, voters, voters_up;
    bool     has_quorum;
    uint64_t cluster_id, leader_id;   /* 0 = none */
    char     leader_name[64];
    uint64_t raft_term;
    char     version[32];
    int      alarms;                  /* active alarms (NOSPACE, CORRUPT) */
    int      status;                  /* 0 healthy, 1 warning, 2 critical */
} em_cluster_t;

typedef struct {
    char   rule[48];
    char   member[64];                /* "" for a cluster-wide alert */
    int    severity;                  /* 1 warning, 2 critical */
    bool   firing;                    /* false: pending */
    double value, threshold;
    char   unit[8];
    double since;                     /* wall-clock time the condition became true */
} em_alert_t;

/* A monitor configured exactly as `etcd-monitor` with these arguments
 * (argv[0] is the program name; --endpoints, TLS, auth, SSH, --config ...).
 * NULL with a one-line err. */
em_monitor_t *em_open(int argc, char **argv, char *err, size_t errlen);
/* Poll every member once, waiting at most timeout_ms; 0 when the poll
 * completed (members may still be down: see em_member), -1 on timeout. */
int  em_poll(em_monitor_t *m, int timeout_ms);
/* Poll at the configured interval for seconds (0 = until em_stop()), calling
 * on_poll after each completed poll (NULL: none). Returns the polls made. */
long em_run(em_monitor_t *m, double seconds, void (*on_poll)(em_monitor_t *m, void *ctx),
            void *ctx);
/* Make em_run() return after the poll in flight (from on_poll, say). */
void em_stop(em_monitor_t *m);
/* The latest completed poll: -1 before the first one. */
int  em_cluster(const em_monitor_t *m, em_cluster_t *out);
int  em_member_count(const em_monitor_t *m);
int  em_member(const em_monitor_t *m, int i, em_member_t *out);
/* Firing and pending alerts into out (at most cap); the number copied. */
int  em_alerts(const em_monitor_t *m, em_alert_t *out, int cap);
void em_close(em_monitor_t *m);
/* "etcd-monitor 0.1.0" */
const char *em_version(void);

#ifdef __cplusplus
}
#endif

#endif
