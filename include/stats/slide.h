/* slide.h — one window sliding over one member's ring (window.h): the PromQL
 * range functions the stats engine evaluates every poll, with results
 * identical to window.h's promql_*() recomputed from scratch, reading per
 * poll only the points that enter or leave the range.
 *
 * For every value stream the window keeps two forward-only read positions in
 * the ring (the first point in range, the next point to take in), the first
 * and last values, the number of values, the counter resets in range (the
 * oldest SLIDE_RESETS corrections, in order) and the number of changes of
 * value; the probe latencies also keep their values in range sorted, the DB
 * size its points in range in order. So rate(), increase(), the histogram
 * rates, last_over_time() and quantile_over_time() cost the same for any
 * range. deriv()/predict_linear() sum the kept points again each time
 * (Prometheus' compensated sums depend on every point relative to a moving
 * origin) unless the value is constant over the range. Where the state cannot
 * give Prometheus' exact float (more resets in range than kept, a gauge
 * without kept points), the function is recomputed from scratch. */
#ifndef EM_SLIDE_H
#define EM_SLIDE_H

#include <stdbool.h>
#include <stdint.h>
#include "histogram.h"
#include "window.h"
#include "util.h"

#define SLIDE_RESETS 4

typedef struct slide_stream slide_stream_t;

typedef struct {
    int64_t  range_ms;
    int      cap;                /* the most points a range holds (the rings' cap) */
    int64_t  t_ms;               /* the last evaluation time (INT64_MIN: none) */
    int64_t  pushed;             /* the series' pushed count then */
    uint32_t gen;                /* the series' generation it follows */
    slide_stream_t *st;          /* one per value stream (chunk.h) */
} slide_t;

/* Allocate the window's state for range_ms over rings of cap points (the only
 * allocation). 0 or -1. */
int  slide_init(slide_t *w, int64_t range_ms, int cap) WARN_UNUSED_RESULT;
void slide_free(slide_t *w);
/* Add the memory the window's state reserves to u->window_bytes. */
void slide_usage(const slide_t *w, ring_usage_t *u);
/* Move the window to end at t_ms (the series may have grown or been cleared
 * since; an earlier t_ms than the last one starts the window afresh). */
void slide_advance(slide_t *w, const series_t *s, int64_t t_ms);

/* The PromQL functions at the window's last slide_advance(); as window.h's. */
bool slide_increase(const slide_t *w, const series_t *s, int counter, double *out) WARN_UNUSED_RESULT;
bool slide_rate(const slide_t *w, const series_t *s, int counter, double *out) WARN_UNUSED_RESULT;
bool slide_hist_rate(const slide_t *w, const series_t *s, int hist, hist_t *out) WARN_UNUSED_RESULT;
bool slide_deriv(const slide_t *w, const series_t *s, int gauge, double *out) WARN_UNUSED_RESULT;
bool slide_predict_linear(const slide_t *w, const series_t *s, int gauge, double ahead_s,
                          double *out) WARN_UNUSED_RESULT;
bool slide_last(const slide_t *w, const series_t *s, int gauge, double *out) WARN_UNUSED_RESULT;
bool slide_quantile_over_time(const slide_t *w, const series_t *s, int gauge, double q,
                              double *out) WARN_UNUSED_RESULT;

#endif
