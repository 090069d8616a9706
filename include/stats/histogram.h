/* histogram.h — PromQL histogram and counter math (pure).
 *
 * hist_increase() is PromQL's increase() between two scrapes of a cumulative
 * histogram (a bucket that went down was reset, so its increase is its new
 * value); hist_quantile() is PromQL's histogram_quantile() rule for rule. */
#ifndef EM_HISTOGRAM_H
#define EM_HISTOGRAM_H

#include <stdbool.h>
#include "sample.h"
#include "util.h"

/* Per-bucket increase from prev to cur (same le layout expected; buckets are
 * matched by le). Returns false (out->ok = false) when either is unknown. */
bool hist_increase(const hist_t *prev, const hist_t *cur, hist_t *out) WARN_UNUSED_RESULT;

/* histogram_quantile(q, h): NAN when there is no answer (fewer than 2 buckets,
 * no +Inf bucket, zero observations); see histogram.c for each rule. */
double hist_quantile(double q, const hist_t *h);

/* The same, also setting the bounds of the bucket the quantile was
 * interpolated in (lo = 0 below the first bound, hi = +Inf above the last
 * finite one); both NAN when there is no answer. lo or hi may be NULL. */
double hist_quantile_bucket(double q, const hist_t *h, double *lo, double *hi);

/* Observations of h: its +Inf bucket (NAN without one). */
double hist_observations(const hist_t *h);

/* increase() of a counter between two scrapes, a decrease meaning a reset. */
double counter_increase(double prev, double cur);

#endif
