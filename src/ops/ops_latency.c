/* ops_latency.c — exact percentiles and distribution buckets (ops_latency.h). */
#include "ops_latency.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const ops_lat_bucket_name[OPS_LAT_BUCKETS] = {
    "<1ms", "1-5ms", "5-10ms", "10-50ms", "50-100ms", "100-500ms", ">500ms"
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double ops_lat_percentile(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    double rank = ceil(p / 100.0 * (double)n - 1e-9);
    size_t i = rank < 1 ? 0 : (size_t)rank - 1;
    return sorted[i < n ? i : n - 1];
}

void ops_lat_summarise(double *ms, size_t n, ops_lat_t *out)
{
    static const double upper[OPS_LAT_BUCKETS - 1] = { 1, 5, 10, 50, 100, 500 };
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n == 0)
        return;
    qsort(ms, n, sizeof *ms, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += ms[i];
        int b = 0;
        while (b < OPS_LAT_BUCKETS - 1 && ms[i] >= upper[b])
            b++;
        out->bucket[b]++;
    }
    out->min = ms[0];
    out->max = ms[n - 1];
    out->avg = sum / (double)n;
    out->p50 = ops_lat_percentile(ms, n, 50);
    out->p90 = ops_lat_percentile(ms, n, 90);
    out->p95 = ops_lat_percentile(ms, n, 95);
    out->p99 = ops_lat_percentile(ms, n, 99);
    out->p999 = ops_lat_percentile(ms, n, 99.9);
}
