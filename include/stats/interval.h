/* interval.h — one member's figures over the interval since its previous good
 * scrape (pure): latency quantiles over the histogram increase, exactly as
 * PromQL's histogram_quantile(q, increase(...)) would give, and counter deltas. */
#ifndef EM_INTERVAL_H
#define EM_INTERVAL_H

#include <stdbool.h>
#include "sample.h"

/* Latencies in milliseconds; NAN means unknown (no scrape pair, no observations). */
typedef struct {
    double seconds;              /* length of the interval, 0 for the first scrape */
    double wal_p50_ms, wal_p95_ms, wal_p99_ms;
    double backend_p50_ms, backend_p95_ms, backend_p99_ms;
    double peer_rtt_p99_ms;
    /* Observations behind those quantiles: the increase of each histogram's
     * count over the interval (NAN unknown). */
    double wal_n, backend_n, peer_rtt_n;
    mval_t leader_changes;       /* increase over the interval */
    mval_t slow_ops;             /* increase of slow applies + slow read indexes */
    mval_t proposals_failed;     /* increase */
    mval_t db_size;              /* bytes, status answer preferred over /metrics */
    mval_t db_size_in_use;
    mval_t fragmentation_pct;    /* (size - in use) * 100 / size */
} member_interval_t;

/* Derive the interval figures. prev may be NULL (first scrape: deltas unknown).
 * st may be NULL or !ok (sizes then come from /metrics). */
void interval_derive(const metrics_sample_t *prev, double prev_t,
                     const metrics_sample_t *cur, double cur_t,
                     const status_sample_t *st, member_interval_t *out);

/* Quantile q of the increase of h between two scrapes, in ms (NAN if none). */
double interval_quantile_ms(double q, const hist_t *prev, const hist_t *cur);

/* Observations of h between two scrapes: the increase of its +Inf bucket (NAN if none). */
double interval_observations(const hist_t *prev, const hist_t *cur);

#endif
