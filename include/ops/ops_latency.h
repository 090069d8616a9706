/* ops_latency.h — exact latency statistics from every sample (pure,
 * unit-tested): percentiles by nearest rank over the sorted samples, and the
 * benchmark's latency distribution buckets. */
#ifndef EM_OPS_LATENCY_H
#define EM_OPS_LATENCY_H

#include <stddef.h>

#define OPS_LAT_BUCKETS 7

typedef struct {
    size_t n;
    double min, max, avg;
    double p50, p90, p95, p99, p999;
    long   bucket[OPS_LAT_BUCKETS];   /* <1ms 1-5 5-10 10-50 50-100 100-500 >500 */
} ops_lat_t;

/* The bucket labels: "<1ms", "1-5ms", ... ">500ms". */
extern const char *const ops_lat_bucket_name[OPS_LAT_BUCKETS];

/* Sort ms[0..n) in place and summarise it (n 0: all zero). */
void ops_lat_summarise(double *ms, size_t n, ops_lat_t *out);
/* The nearest-rank p-th percentile (0 < p <= 100) of sorted[0..n). */
double ops_lat_percentile(const double *sorted, size_t n, double p);

#endif
