/* histogram.c — PromQL histogram_quantile() and increase() on scraped histograms.
 *
 * hist_quantile() is a line-by-line port of Prometheus' bucketQuantile()
 * (promql/quantile.go) so that the figures match what Grafana shows for the
 * same series: same sort, same coalescing of equal bounds, same forced
 * monotonicity, same sort.Search and the same interpolation arithmetic. */
#include "histogram.h"

#include <math.h>
#include <string.h>

typedef struct {
    double upper;
    double count;
} bucket_t;

/* Sort buckets by upper bound (insertion sort: n <= HIST_MAX_BUCKETS, and a
 * stable order keeps the result independent of the input order). */
static void buckets_sort(bucket_t *b, int n)
{
    for (int i = 1; i < n; i++) {
        bucket_t x = b[i];
        int j = i - 1;
        while (j >= 0 && x.upper < b[j].upper) {
            b[j + 1] = b[j];
            j--;
        }
        b[j + 1] = x;
    }
}

/* Prometheus' coalesceBuckets(): buckets with the same upper bound (which
 * happens when series are aggregated) are merged by summing their counts.
 * Returns the new number of buckets. */
static int buckets_coalesce(bucket_t *b, int n)
{
    bucket_t last = b[0];
    int i = 0;
    for (int k = 1; k < n; k++) {
        if (b[k].upper == last.upper) {
            last.count += b[k].count;
        } else {
            b[i++] = last;
            last = b[k];
        }
    }
    b[i] = last;
    return i + 1;
}

/* Prometheus' ensureMonotonic(): a cumulative count lower than an earlier one
 * (scrapes racing with observations) is raised to the running maximum. */
static void buckets_ensure_monotonic(bucket_t *b, int n)
{
    double max = -INFINITY;
    for (int i = 0; i < n; i++) {
        if (b[i].count > max)
            max = b[i].count;
        else if (b[i].count < max)
            b[i].count = max;
    }
}

/* Go's sort.Search(n, func(i) bool { return b[i].count >= rank }): the
 * smallest index in [0, n) for which the predicate holds, or n. */
static int buckets_search(const bucket_t *b, int n, double rank)
{
    int i = 0, j = n;
    while (i < j) {
        int h = (int)((unsigned)(i + j) >> 1);
        if (!(b[h].count >= rank))
            i = h + 1;
        else
            j = h;
    }
    return i;
}

/* hist_quantile(), also giving the bounds of the bucket the rank fell in
 * (lo = 0 for the first bucket, hi = +Inf past the last finite bound). */
static double hist_quantile_at(double q, const hist_t *h, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (isnan(q))
        return NAN;
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    if (h == NULL || !h->ok || h->n <= 0)
        return NAN;

    bucket_t b[HIST_MAX_BUCKETS];
    int n = h->n < HIST_MAX_BUCKETS ? h->n : HIST_MAX_BUCKETS;
    for (int i = 0; i < n; i++) {
        b[i].upper = h->le[i];
        b[i].count = h->cum[i];
    }
    buckets_sort(b, n);
    if (!(isinf(b[n - 1].upper) && b[n - 1].upper > 0))
        return NAN;

    n = buckets_coalesce(b, n);
    buckets_ensure_monotonic(b, n);

    if (n < 2)
        return NAN;
    double observations = b[n - 1].count;
    if (observations == 0)
        return NAN;
    double rank = q * observations;
    int k = buckets_search(b, n - 1, rank);

    if (k == n - 1) {
        *lo = b[n - 2].upper;
        *hi = INFINITY;
        return b[n - 2].upper;
    }
    if (k == 0 && b[0].upper <= 0) {
        *lo = *hi = b[0].upper;
        return b[0].upper;
    }

    double start = 0;
    double end = b[k].upper;
    double count = b[k].count;
    if (k > 0) {
        start = b[k - 1].upper;
        count -= b[k - 1].count;
        rank -= b[k - 1].count;
    }
    *lo = start;
    *hi = end;
    return start + (end - start) * (rank / count);
}

double hist_quantile(double q, const hist_t *h)
{
    double lo, hi;
    return hist_quantile_at(q, h, &lo, &hi);
}

double hist_quantile_bucket(double q, const hist_t *h, double *lo, double *hi)
{
    double l, u;
    double v = hist_quantile_at(q, h, &l, &u);
    if (lo)
        *lo = l;
    if (hi)
        *hi = u;
    return v;
}

double hist_observations(const hist_t *h)
{
    if (h == NULL || !h->ok || h->n <= 0)
        return NAN;
    double top = h->cum[0], le = h->le[0];
    for (int i = 1; i < h->n && i < HIST_MAX_BUCKETS; i++)
        if (h->le[i] > le) {
            le = h->le[i];
            top = h->cum[i];
        }
    return isinf(le) && le > 0 ? top : NAN;
}

double counter_increase(double prev, double cur)
{
    return cur >= prev ? cur - prev : cur;
}

/* Index of the bucket of h whose bound is le and that is not used yet, or -1. */
static int hist_find_le(const hist_t *h, double le, const bool *used)
{
    for (int i = 0; i < h->n; i++)
        if (!used[i] && h->le[i] == le)
            return i;
    return -1;
}

bool hist_increase(const hist_t *prev, const hist_t *cur, hist_t *out)
{
    hist_t r;
    memset(&r, 0, sizeof r);
    *out = r;
    if (prev == NULL || cur == NULL || !prev->ok || !cur->ok)
        return false;
    if (prev->n != cur->n || cur->n < 0 || cur->n > HIST_MAX_BUCKETS)
        return false;

    bool used[HIST_MAX_BUCKETS] = { false };
    r.n = cur->n;
    for (int i = 0; i < cur->n; i++) {
        int j = hist_find_le(prev, cur->le[i], used);
        if (j < 0)
            return false; /* a bound only one side has: no made-up numbers */
        used[j] = true;
        r.le[i] = cur->le[i];
        r.cum[i] = counter_increase(prev->cum[j], cur->cum[i]);
    }
    r.sum = counter_increase(prev->sum, cur->sum);
    r.count = counter_increase(prev->count, cur->count);
    r.ok = true;
    *out = r;
    return true;
}
