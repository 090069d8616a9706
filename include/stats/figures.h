/* figures.h — the statistics of one member over the sliding windows, as the
 * stats engine computes them each poll and every output reads them (pure data).
 * Every double is NAN when unknown (never 0 for "unknown"). */
#ifndef EM_FIGURES_H
#define EM_FIGURES_H

#include <stdbool.h>
#include <stdint.h>

#define FIG_MAX_WINDOWS 4           /* default 1m, 5m, 15m, 1h (configurable) */

typedef struct {
    /* latency quantiles in ms: histogram_quantile(q, rate(bucket[w])) */
    double wal_p50, wal_p95, wal_p99;
    double backend_p50, backend_p95, backend_p99;
    double peer_rtt_p99;
    /* what those quantiles rest on: observations in the window
     * (increase(count[w])), and the bounds (ms) of the bucket each p99 was
     * interpolated in (hi = INFINITY above the last finite bound) */
    double wal_n, backend_n, peer_rtt_n;
    double wal_p99_lo, wal_p99_hi, backend_p99_lo, backend_p99_hi;
    double peer_rtt_p99_lo, peer_rtt_p99_hi;
    /* probe latencies in ms: quantile_over_time over the client-observed values */
    double read_p50, read_p95, read_p99;
    double write_p50, write_p95, write_p99;
    /* increase(x[w]) */
    double leader_changes;
    double slow_applies;
    double slow_read_indexes;
    /* rate(x[w]) per second */
    double proposals_committed_rate;
    double proposals_applied_rate;
    double proposals_failed_rate;
    double grpc_rate;
    double grpc_failed_ratio;       /* rate(failed) / rate(total), 0..1 */
    double cpu_rate;                /* cores */
    /* trends */
    double db_growth_per_s;         /* deriv(db_size[w]) bytes/s */
    double quota_eta_s;             /* seconds until db size reaches the quota at the
                                       least-squares rate; INFINITY when not growing */
} window_figures_t;

typedef enum { TREND_UNKNOWN = 0, TREND_STABLE, TREND_RISING, TREND_FALLING } trend_t;

typedef struct {
    window_figures_t w[FIG_MAX_WINDOWS];
    double apply_lag;               /* raft index - raft applied index (entries) */
    double raft_index_lag;          /* leader's raft index - this member's */
    double quota_used_pct;          /* db size / quota * 100 */
    double probe_read_ms;           /* this poll's probe latencies */
    double probe_write_ms;
    trend_t fragmentation_trend;    /* the seed's trend analysis */
} member_figures_t;

/* Window latency figures a source computed itself (promsource.c: Prometheus'
 * histogram_quantile over rate(...[w]) and increase(_count[w])), in ms and
 * observations; NAN unknown. */
typedef struct {
    double wal_p50, wal_p95, wal_p99;
    double backend_p50, backend_p95, backend_p99;
    double peer_rtt_p99;
    double wal_n, backend_n, peer_rtt_n;
} ext_latency_t;

/* When on, the stats engine takes these instead of computing the same figures
 * over its own ring (see stats.c). */
typedef struct {
    bool          on;
    ext_latency_t w[FIG_MAX_WINDOWS];
} ext_figures_t;

#endif
