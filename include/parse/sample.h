/* sample.h — per-member sample types shared by collectors, stats and outputs.
 *
 * Every figure carries a validity flag so that "unknown" is never shown as 0.
 * Samples are plain values: no pointers, freely copied. */
#ifndef EM_SAMPLE_H
#define EM_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

/* A number that may be unknown: ok is false when the member did not report it. */
typedef struct {
    double v;
    bool   ok;
} mval_t;

#define HIST_MAX_BUCKETS 40

/* One Prometheus histogram: cumulative bucket counts sorted by upper bound (le),
 * the last bound being +Inf when the exposition had it. */
typedef struct {
    int    n;
    double le[HIST_MAX_BUCKETS];
    double cum[HIST_MAX_BUCKETS];
    double sum;
    double count;
    bool   ok;
} hist_t;

/* gRPC status codes, in their numeric order (grpc_code label values). */
enum grpc_code {
    GRPC_OK, GRPC_CANCELED, GRPC_UNKNOWN, GRPC_INVALID_ARGUMENT, GRPC_DEADLINE_EXCEEDED,
    GRPC_NOT_FOUND, GRPC_ALREADY_EXISTS, GRPC_PERMISSION_DENIED, GRPC_RESOURCE_EXHAUSTED,
    GRPC_FAILED_PRECONDITION, GRPC_ABORTED, GRPC_OUT_OF_RANGE, GRPC_UNIMPLEMENTED,
    GRPC_INTERNAL, GRPC_UNAVAILABLE, GRPC_DATA_LOSS, GRPC_UNAUTHENTICATED,
    GRPC_CODE_COUNT
};

/* What one /metrics scrape of one member says (see metrics.h for the families). */
typedef struct {
    mval_t db_size;              /* etcd_mvcc_db_total_size_in_bytes */
    mval_t db_size_in_use;       /* etcd_mvcc_db_total_size_in_use_in_bytes */
    mval_t quota;                /* etcd_server_quota_backend_bytes */
    mval_t has_leader;           /* etcd_server_has_leader */
    mval_t is_leader;            /* etcd_server_is_leader */
    mval_t leader_changes;       /* etcd_server_leader_changes_seen_total */
    mval_t proposals_committed;  /* etcd_server_proposals_committed_total */
    mval_t proposals_applied;    /* etcd_server_proposals_applied_total */
    mval_t proposals_pending;    /* etcd_server_proposals_pending */
    mval_t proposals_failed;     /* etcd_server_proposals_failed_total */
    mval_t slow_applies;         /* etcd_server_slow_apply_total */
    mval_t slow_read_indexes;    /* etcd_server_slow_read_indexes_total */
    mval_t heartbeat_failures;   /* etcd_server_heartbeat_send_failures_total */
    mval_t watch_streams;        /* etcd_debugging_mvcc_watch_stream_total */
    mval_t watchers;             /* etcd_debugging_mvcc_watcher_total */
    mval_t rss;                  /* process_resident_memory_bytes */
    mval_t cpu_seconds;          /* process_cpu_seconds_total */
    mval_t open_fds;             /* process_open_fds */
    double grpc_handled[GRPC_CODE_COUNT]; /* grpc_server_handled_total summed by grpc_code */
    bool   grpc_ok;
    hist_t wal_fsync;            /* etcd_disk_wal_fsync_duration_seconds */
    hist_t backend_commit;       /* etcd_disk_backend_commit_duration_seconds */
    hist_t peer_rtt;             /* etcd_network_peer_round_trip_time_seconds, summed over To */
    char   server_version[32];   /* etcd_server_version{server_version=...}; "" if unknown */
} metrics_sample_t;

/* What POST /v3/maintenance/status says (int64 fields arrive as JSON strings,
 * zero-valued fields are omitted, so an absent field means 0 once ok is true). */
typedef struct {
    bool     ok;
    uint64_t cluster_id, member_id, leader_id;
    uint64_t raft_term, raft_index, raft_applied_index, revision;
    int64_t  db_size, db_size_in_use;
    bool     is_learner;
    char     version[32];
    char     errors[128];        /* joined "errors" array, "" when none */
} status_sample_t;

/* One member as seen by one poll. */
typedef struct {
    double           t;          /* wall-clock time of the poll start, seconds */
    bool             up;         /* answered /metrics or status this poll */
    char             error[200]; /* why it is down or degraded, "" when fine */
    bool             metrics_ok;
    bool             health_ok;  /* /health said {"health":"true"} */
    double           probe_read_ms;  /* linearizable read probe latency, NAN if none */
    double           probe_write_ms; /* write probe latency (--probe-write), NAN if none */
    metrics_sample_t m;
    status_sample_t  s;
} member_sample_t;

#endif
