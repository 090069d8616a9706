/* window.h — fixed-capacity rings of compact scrape points per member, and the
 * PromQL range functions over them (pure, no allocation after series_init).
 *
 * Semantics are Prometheus 2.x's (Debian ships 2.42): a range [t - r, t] holds
 * the points whose timestamps, in whole milliseconds, fall inside it, both ends
 * included; rate()/increase() extrapolate exactly like extrapolatedRate(),
 * including the counter-reset correction and the zero-point limit;
 * histogram_quantile() is applied to the per-bucket rate(); deriv() and
 * predict_linear() use Prometheus' least-squares linearRegression(). */
#ifndef EM_WINDOW_H
#define EM_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sample.h"
#include "util.h"

/* Counters (monotonic, resets handled). */
enum {
    WC_LEADER_CHANGES, WC_PROPOSALS_COMMITTED, WC_PROPOSALS_APPLIED, WC_PROPOSALS_FAILED,
    WC_SLOW_APPLIES, WC_SLOW_READ_INDEXES, WC_HEARTBEAT_FAILURES, WC_CPU_SECONDS,
    WC_GRPC_TOTAL,      /* grpc_server_handled_total, all codes */
    WC_GRPC_FAILED,     /* codes that mean the server failed: Unknown, FailedPrecondition,
                           ResourceExhausted, Internal, Unavailable, DataLoss,
                           DeadlineExceeded (as etcd's mixin counts them) */
    WC_COUNT
};
/* Gauges (instant values). */
enum {
    WG_DB_SIZE, WG_DB_SIZE_IN_USE, WG_QUOTA, WG_PROPOSALS_PENDING, WG_RSS, WG_OPEN_FDS,
    WG_WATCHERS, WG_RAFT_INDEX, WG_RAFT_APPLIED_INDEX, WG_RAFT_TERM, WG_IS_LEADER,
    WG_HAS_LEADER,
    WG_PROBE_READ_MS,   /* client-observed read latency of this poll's probe */
    WG_PROBE_WRITE_MS,
    WG_COUNT
};
/* Histograms (cumulative buckets; the bucket layout is kept once per series). */
enum { WH_WAL_FSYNC, WH_BACKEND_COMMIT, WH_PEER_RTT, WH_COUNT };

#define WINDOW_HIST_BUCKETS 24

/* One scrape, compactly. Validity is one bit per field. */
typedef struct {
    int64_t  t_ms;                       /* scrape time, Unix milliseconds */
    uint32_t counter_ok, gauge_ok, hist_ok;
    double   counter[WC_COUNT];
    double   gauge[WG_COUNT];
    double   hcum[WH_COUNT][WINDOW_HIST_BUCKETS];
} point_t;

/* A member's history: the newest cap points, oldest forgotten first. Stored as
 * compressed chunks of CHUNK_POINTS points (chunk.h) in a region reserved once,
 * plus an uncompressed head of the newest points; a range of one value is
 * decoded on demand into scratch arrays owned by the series. */
struct chunk_hdr;
typedef struct {
    int      cap, n;                     /* n = visible points, at most cap */
    int      hn[WH_COUNT];               /* buckets in each histogram's layout */
    double   hle[WH_COUNT][WINDOW_HIST_BUCKETS];
    int64_t  hist_since[WH_COUNT];       /* histogram k's older points are dropped */
    point_t *head;                       /* newest points, uncompressed */
    int      head_n;
    struct chunk_hdr *hdr;               /* chunk slots, a ring of nch_cap */
    uint8_t *data;                       /* nch_cap * CHUNK_MAX_BYTES, reserved */
    size_t  *used;                       /* bytes written in each slot */
    int64_t *times;                      /* each slot's point times, decoded once */
    int      nch_cap, ch_first, ch_n;
    int64_t  pushed;                     /* points ever stored: the next point's number */
    uint32_t gen;                        /* changes when the ring is cleared */
    int64_t *scr_t;                      /* cap decoded times and values */
    double  *scr_v;
    point_t *scr_p;                      /* one decoded point (series_at) */
} series_t;

/* Memory and values of a ring (series_usage() adds to each field). */
typedef struct {
    long held_bytes;     /* everything the ring holds in memory */
    long samples;        /* values stored (known counters, gauges, buckets) */
    long chunk_bytes;    /* compressed chunks only (data + headers) */
    long chunk_samples;  /* the values in those */
    long window_bytes;   /* the windows' incremental state over the ring (slide.h) */
} ring_usage_t;

/* Allocate a ring of cap points (the only allocation). 0 or -1. */
int  series_init(series_t *s, int cap) WARN_UNUSED_RESULT;
void series_free(series_t *s);
void series_clear(series_t *s);
/* Append a point. hist layouts (le bounds) come with the point: when a
 * histogram's layout differs from the stored one, that histogram's history is
 * dropped (marked not ok in older points) and the new layout kept. */
void series_push(series_t *s, const point_t *p, const hist_t *layouts[WH_COUNT]);
/* Build a point from a member sample (status fields override /metrics ones). */
void point_from_sample(point_t *p, int64_t t_ms, const member_sample_t *m,
                       double probe_read_ms, double probe_write_ms);
/* i-th point from the oldest (0) to the newest (n-1), decoded whole into the
 * series' scratch (valid until the next call; for tests and tools — the PromQL
 * functions read single values with series_values()). */
const point_t *series_at(const series_t *s, int i);
/* Add the ring's memory and values to *u. */
void series_usage(const series_t *s, ring_usage_t *u);
/* Known values of stream k (chunk.h's stream numbers) at the visible points
 * with t0 <= t <= t1, oldest first, decoded into the series' scratch (*ts, *vs
 * valid until the next call); returns how many. */
int series_values(const series_t *s, int k, int64_t t0, int64_t t1, const int64_t **ts,
                  const double **vs);

/* Points by number: the k-th point ever stored is number k - 1 (pushed counts
 * them). Visible are [series_begin(), s->pushed); still stored (readable) are
 * [series_stored_begin(), s->pushed). */
int64_t series_begin(const series_t *s);
int64_t series_stored_begin(const series_t *s);
/* Where stored point a lies: its time, and either the head point (p) or the
 * chunk (h, src, its point index i; p NULL). Its values are not masked by
 * hist_since. */
typedef struct {
    int64_t t_ms;
    const point_t *p;
    const struct chunk_hdr *h;
    const uint8_t *src;
    int i;
} series_loc_t;
void series_locate(const series_t *s, int64_t a, series_loc_t *loc);

/* What Prometheus' extrapolatedRate() reads of a range's samples: their number,
 * the first and last, and last - first plus each counter reset's correction
 * added in order (result). */
typedef struct {
    int     n;
    int64_t first_t, last_t;
    double  first_v, result;
} rate_input_t;
/* extrapolatedRate() at t over range r from its input (n >= 2). */
double promql_extrapolate(const rate_input_t *in, int64_t t, int64_t r, bool is_counter,
                          bool is_rate);
/* rate() (is_rate) or increase() of counter stream k (chunk.h's numbering). */
bool promql_stream_rate(const series_t *s, int k, int64_t t_ms, int64_t range_ms, bool is_rate,
                        double *out) WARN_UNUSED_RESULT;
/* Prometheus' linearRegression() (Kahan-Neumaier sums, exact-zero slope for
 * a constant value), fed the points in order in one or more runs. */
typedef struct {
    double  n, init_y;
    double  sum_x, c_x, sum_y, c_y, sum_xy, c_xy, sum_x2, c_x2;
    bool    const_y, from_first;
    int64_t intercept_t;   /* x = seconds since it (the first point's when from_first) */
} linreg_t;
void linreg_init(linreg_t *l, bool from_first, int64_t intercept_t);
void linreg_add(linreg_t *l, const int64_t *ts, const double *vs, int count);
/* False when fewer than 2 points were added. */
bool linreg_result(const linreg_t *l, double *slope, double *intercept) WARN_UNUSED_RESULT;
/* Prometheus' quantile() of n values sorted by promql_value_key(); false
 * when n is 0. */
bool promql_quantile_sorted(double q, const double *sorted, int n, double *out);
/* A key whose unsigned order is the order quantile() sorts in (NaN lowest). */
uint64_t promql_value_key(double v);

/* PromQL at evaluation time t_ms over range_ms. Each returns true and sets
 * *out, or false when PromQL would return no value (fewer than 2 points, ...). */
bool promql_increase(const series_t *s, int counter, int64_t t_ms, int64_t range_ms, double *out) WARN_UNUSED_RESULT;
bool promql_rate(const series_t *s, int counter, int64_t t_ms, int64_t range_ms, double *out) WARN_UNUSED_RESULT;
/* rate(h_bucket[range]) per bucket, as a histogram to take several quantiles
 * from with hist_quantile() (histogram.h). */
bool promql_hist_rate(const series_t *s, int hist, int64_t t_ms, int64_t range_ms, hist_t *out) WARN_UNUSED_RESULT;
/* The bucket rates of histogram hist, rate(ctx, k, &v) giving bucket stream
 * k's (false: none), as a histogram over the stored layout; false when no
 * bucket had a rate. */
typedef bool (*promql_rate_fn)(const void *ctx, int k, double *v);
bool promql_hist_collect(const series_t *s, int hist, promql_rate_fn rate, const void *ctx,
                         hist_t *out) WARN_UNUSED_RESULT;
/* histogram_quantile(q, rate(h_bucket[range])) */
bool promql_hist_quantile(const series_t *s, int hist, double q, int64_t t_ms,
                          int64_t range_ms, double *out) WARN_UNUSED_RESULT;
/* deriv(g[range]) per second; predict_linear(g[range], ahead_s). */
bool promql_deriv(const series_t *s, int gauge, int64_t t_ms, int64_t range_ms, double *out) WARN_UNUSED_RESULT;
bool promql_predict_linear(const series_t *s, int gauge, int64_t t_ms, int64_t range_ms,
                           double ahead_s, double *out) WARN_UNUSED_RESULT;
/* max_over_time / min_over_time / last value in range. */
bool promql_max_over_time(const series_t *s, int gauge, int64_t t_ms, int64_t range_ms, double *out) WARN_UNUSED_RESULT;
bool promql_last(const series_t *s, int gauge, int64_t t_ms, int64_t range_ms, double *out) WARN_UNUSED_RESULT;
/* quantile_over_time(q, g[range]) — used for probe latencies (raw observations). */
bool promql_quantile_over_time(const series_t *s, int gauge, double q, int64_t t_ms,
                               int64_t range_ms, double *out) WARN_UNUSED_RESULT;

#endif
