/* promql.c — PromQL range functions over a member's ring of points (window.h).
 *
 * Each function is a port of Prometheus 2.42's promql/functions.go, checked
 * against a real Prometheus by tests/integration/test_promql_parity.sh:
 *  - a range [t - r, t] holds the points with t - r <= T <= t (integer ms,
 *    both ends included, as in Prometheus 2.x);
 *  - a point whose validity bit for the field is clear is skipped, exactly as
 *    if the series had no sample at that time;
 *  - rate()/increase() are extrapolatedRate(); histogram_quantile() takes the
 *    rate() of each bucket (each bucket is its own series) and hands them to
 *    hist_quantile(), the port of bucketQuantile();
 *  - deriv()/predict_linear() are linearRegression() with its Kahan-Neumaier
 *    compensated sums (kahanSumInc) and its exact-zero slope for constant y.
 * The parity test tells these apart: with the range start excluded, or with
 * plain sums (on a gauge near 1e15), Prometheus 2.42 disagrees.
 * Each function reads one value's samples in range, decoded by series_values()
 * into the series' scratch. Nothing here allocates. */
#include "window.h"

#include <math.h>
#include <string.h>

#include "chunk.h"
#include "histogram.h"

/* Which number of a point a function reads. */
typedef enum { FK_COUNTER, FK_GAUGE, FK_HIST } field_kind_t;
typedef struct {
    field_kind_t kind;
    int idx;    /* WC_*, WG_* or WH_* */
    int bucket; /* bucket index for FK_HIST */
} field_t;

/* quantile_over_time() sorts up to this many values in a stack buffer
 * (32 KiB); a larger range is answered by an exact selection instead. */
#define QUANTILE_SORT_MAX 4096

static bool field_valid(field_t f)
{
    switch (f.kind) {
    case FK_COUNTER: return f.idx >= 0 && f.idx < WC_COUNT;
    case FK_GAUGE: return f.idx >= 0 && f.idx < WG_COUNT;
    case FK_HIST:
        return f.idx >= 0 && f.idx < WH_COUNT && f.bucket >= 0 &&
               f.bucket < WINDOW_HIST_BUCKETS;
    }
    return false;
}

/* The field's stream in the series (chunk.h's numbering). */
static int field_stream(field_t f)
{
    switch (f.kind) {
    case FK_COUNTER: return chunk_stream_counter(f.idx);
    case FK_GAUGE: return chunk_stream_gauge(f.idx);
    case FK_HIST: return chunk_stream_hist(f.idx, f.bucket);
    }
    return -1;
}

/* The known values of f in [t - r, t], both ends included, oldest first, in the
 * series' scratch; their number (0 for a range that is not positive: PromQL
 * rejects those). */
static int range_values_k(const series_t *s, int k, int64_t t, int64_t r, const int64_t **ts,
                          const double **vs)
{
    *ts = NULL;
    *vs = NULL;
    if (s == NULL || s->n <= 0 || r <= 0 || t < INT64_MIN + r || t == INT64_MAX)
        return 0;
    return series_values(s, k, t - r, t, ts, vs);
}

static int range_values(const series_t *s, field_t f, int64_t t, int64_t r, const int64_t **ts,
                        const double **vs)
{
    *ts = NULL;
    *vs = NULL;
    return field_valid(f) ? range_values_k(s, field_stream(f), t, r, ts, vs) : 0;
}

/* Go's time.Duration.Seconds() for a whole number of milliseconds: whole
 * seconds plus the fraction, rounded separately as Go does. */
static double range_seconds(int64_t r)
{
    return (double)(r / 1000) + (double)(r % 1000) / 1000.0;
}

double promql_extrapolate(const rate_input_t *in, int64_t t, int64_t r, bool is_counter,
                          bool is_rate)
{
    int64_t first_t = in->first_t, last_t = in->last_t;
    double first_v = in->first_v, result = in->result;
    int64_t range_start = t - r, range_end = t;
    double duration_to_start = (double)(first_t - range_start) / 1000;
    double duration_to_end = (double)(range_end - last_t) / 1000;
    double sampled_interval = (double)(last_t - first_t) / 1000;
    double avg_between = sampled_interval / (double)(in->n - 1);

    if (is_counter && result > 0 && first_v >= 0) {
        /* Counters cannot go below zero: do not extrapolate past the point
         * where the counter would have been 0. */
        double duration_to_zero = sampled_interval * (first_v / result);
        if (duration_to_zero < duration_to_start)
            duration_to_start = duration_to_zero;
    }

    double threshold = avg_between * 1.1;
    double extrapolate_to = sampled_interval;
    if (duration_to_start < threshold)
        extrapolate_to += duration_to_start;
    else
        extrapolate_to += avg_between / 2;
    if (duration_to_end < threshold)
        extrapolate_to += duration_to_end;
    else
        extrapolate_to += avg_between / 2;

    double factor = extrapolate_to / sampled_interval;
    if (is_rate)
        factor /= range_seconds(r);
    return result * factor;
}

/* Prometheus' extrapolatedRate(): increase() (is_rate false) or rate() of
 * stream k's values in [t - r, t]; false when fewer than 2 points are in range. */
static bool stream_rate(const series_t *s, int k, int64_t t, int64_t r, bool is_counter,
                        bool is_rate, double *out)
{
    const int64_t *ts;
    const double *vs;
    int n = range_values_k(s, k, t, r, &ts, &vs);
    if (n < 2)
        return false;
    rate_input_t in = { n, ts[0], ts[n - 1], vs[0], 0 };
    /* Same operation order as Prometheus: last - first, then each reset. */
    in.result = vs[n - 1] - vs[0];
    double prev = vs[0];
    for (int i = 0; i < n; i++) {
        if (is_counter && vs[i] < prev)
            in.result += prev;
        prev = vs[i];
    }
    *out = promql_extrapolate(&in, t, r, is_counter, is_rate);
    return true;
}

/* extrapolated_rate() of field f. */
static bool extrapolated_rate(const series_t *s, field_t f, int64_t t, int64_t r,
                              bool is_counter, bool is_rate, double *out)
{
    if (!field_valid(f))
        return false;
    return stream_rate(s, field_stream(f), t, r, is_counter, is_rate, out);
}

bool promql_stream_rate(const series_t *s, int k, int64_t t_ms, int64_t range_ms, bool is_rate,
                        double *out)
{
    return stream_rate(s, k, t_ms, range_ms, true, is_rate, out);
}

bool promql_increase(const series_t *s, int counter, int64_t t_ms, int64_t range_ms, double *out)
{
    field_t f = { FK_COUNTER, counter, 0 };
    return extrapolated_rate(s, f, t_ms, range_ms, true, false, out);
}

bool promql_rate(const series_t *s, int counter, int64_t t_ms, int64_t range_ms, double *out)
{
    field_t f = { FK_COUNTER, counter, 0 };
    return extrapolated_rate(s, f, t_ms, range_ms, true, true, out);
}

/* rate(h_bucket[r]) as a histogram: every bucket's rate() on its own
 * (extrapolation can differ per bucket through the zero-point limit), over the
 * stored le layout. False when no bucket had a rate. */
bool promql_hist_collect(const series_t *s, int hist, promql_rate_fn rate, const void *ctx,
                         hist_t *out)
{
    if (s == NULL || hist < 0 || hist >= WH_COUNT || s->hn[hist] <= 0)
        return false;
    memset(out, 0, sizeof *out);
    for (int b = 0; b < s->hn[hist]; b++) {
        double v;
        if (!rate(ctx, chunk_stream_hist(hist, b), &v))
            continue;
        out->le[out->n] = s->hle[hist][b];
        out->cum[out->n] = v;
        out->n++;
    }
    out->ok = out->n > 0;
    return out->ok;
}

/* The range a from-scratch rate() reads. */
typedef struct {
    const series_t *s;
    int64_t t, r;
} range_ctx_t;

static bool range_rate(const void *ctx, int k, double *out)
{
    const range_ctx_t *c = ctx;
    return stream_rate(c->s, k, c->t, c->r, true, true, out);
}

bool promql_hist_rate(const series_t *s, int hist, int64_t t_ms, int64_t range_ms, hist_t *out)
{
    range_ctx_t c = { s, t_ms, range_ms };
    return promql_hist_collect(s, hist, range_rate, &c, out);
}

/* histogram_quantile(q, rate(h_bucket[r])). Like Prometheus, a histogram
 * whose buckets have rates but no answer (zero observations, no +Inf bucket)
 * yields true with *out = NAN; false means no buckets had a rate. */
bool promql_hist_quantile(const series_t *s, int hist, double q, int64_t t_ms,
                          int64_t range_ms, double *out)
{
    hist_t h;
    if (!promql_hist_rate(s, hist, t_ms, range_ms, &h))
        return false;
    *out = hist_quantile(q, &h);
    return true;
}

/* Go's kahanSumInc(): Neumaier's compensated add of inc to (*sum, *c). */
static void kahan_inc(double inc, double *sum, double *c)
{
    double t = *sum + inc;
    if (fabs(*sum) >= fabs(inc))
        *c += (*sum - t) + inc;
    else
        *c += (inc - t) + *sum;
    *sum = t;
}

void linreg_init(linreg_t *l, bool from_first, int64_t intercept_t)
{
    memset(l, 0, sizeof *l);
    l->from_first = from_first;
    l->intercept_t = intercept_t;
    l->const_y = true;
}

/* Prometheus' linearRegression() loop over count more points, x being
 * seconds since the intercept time. (The sums live in a local copy: vs
 * could alias *l, which would keep them out of registers.) */
void linreg_add(linreg_t *l, const int64_t *ts, const double *vs, int count)
{
    linreg_t a = *l;
    for (int i = 0; i < count; i++) {
        double v = vs[i];
        if (a.n == 0) {
            a.init_y = v;
            if (a.from_first)
                a.intercept_t = ts[i];
        } else if (a.const_y && v != a.init_y) {
            a.const_y = false;
        }
        a.n += 1.0;
        double x = (double)(ts[i] - a.intercept_t) / 1e3;
        kahan_inc(x, &a.sum_x, &a.c_x);
        kahan_inc(v, &a.sum_y, &a.c_y);
        kahan_inc(x * v, &a.sum_xy, &a.c_xy);
        kahan_inc(x * x, &a.sum_x2, &a.c_x2);
    }
    *l = a;
}

bool linreg_result(const linreg_t *l, double *slope, double *intercept)
{
    if (l->n < 2)
        return false;
    if (l->const_y) {
        if (isinf(l->init_y)) {
            *slope = *intercept = NAN;
            return true;
        }
        *slope = 0;
        *intercept = l->init_y;
        return true;
    }
    double n = l->n;
    double sum_x = l->sum_x + l->c_x, sum_y = l->sum_y + l->c_y;
    double sum_xy = l->sum_xy + l->c_xy, sum_x2 = l->sum_x2 + l->c_x2;
    double cov_xy = sum_xy - sum_x * sum_y / n;
    double var_x = sum_x2 - sum_x * sum_x / n;
    *slope = cov_xy / var_x;
    *intercept = sum_y / n - *slope * sum_x / n;
    return true;
}

/* Prometheus' linearRegression() over the points of f in [t - r, t], x being
 * seconds since intercept_t (or since the first point in range when
 * from_first). False when fewer than 2 points are in range. */
static bool linear_regression(const series_t *s, field_t f, int64_t t, int64_t r,
                              bool from_first, int64_t intercept_t, double *slope,
                              double *intercept)
{
    const int64_t *ts;
    const double *vs;
    int count = range_values(s, f, t, r, &ts, &vs);
    linreg_t l;
    linreg_init(&l, from_first, intercept_t);
    linreg_add(&l, ts, vs, count);
    return linreg_result(&l, slope, intercept);
}

bool promql_deriv(const series_t *s, int gauge, int64_t t_ms, int64_t range_ms, double *out)
{
    field_t f = { FK_GAUGE, gauge, 0 };
    double slope, intercept;
    if (!linear_regression(s, f, t_ms, range_ms, true, 0, &slope, &intercept))
        return false;
    *out = slope;
    return true;
}

bool promql_predict_linear(const series_t *s, int gauge, int64_t t_ms, int64_t range_ms,
                           double ahead_s, double *out)
{
    field_t f = { FK_GAUGE, gauge, 0 };
    double slope, intercept;
    if (!linear_regression(s, f, t_ms, range_ms, false, t_ms, &slope, &intercept))
        return false;
    *out = slope * ahead_s + intercept;
    return true;
}

bool promql_max_over_time(const series_t *s, int gauge, int64_t t_ms, int64_t range_ms,
                          double *out)
{
    field_t f = { FK_GAUGE, gauge, 0 };
    const int64_t *ts;
    const double *vs;
    int n = range_values(s, f, t_ms, range_ms, &ts, &vs);
    bool any = false;
    double max = 0;
    for (int i = 0; i < n; i++) {
        double v = vs[i];
        /* Go: max starts at the first value; a NaN max is replaced. */
        if (!any || v > max || isnan(max))
            max = v;
        any = true;
    }
    if (any)
        *out = max;
    return any;
}

/* last_over_time(): the newest sample in range. */
bool promql_last(const series_t *s, int gauge, int64_t t_ms, int64_t range_ms, double *out)
{
    field_t f = { FK_GAUGE, gauge, 0 };
    const int64_t *ts;
    const double *vs;
    int n = range_values(s, f, t_ms, range_ms, &ts, &vs);
    if (n == 0)
        return false;
    *out = vs[n - 1];
    return true;
}

/* Prometheus' sort order for quantile(): NaN first, then ascending. */
static bool value_less(double a, double b)
{
    return (isnan(a) && !isnan(b)) || a < b;
}

/* Restore the max-heap property of a[0..n) below root. */
static void heap_sift_down(double *a, int n, int root)
{
    for (;;) {
        int c = 2 * root + 1;
        if (c >= n)
            return;
        if (c + 1 < n && value_less(a[c], a[c + 1]))
            c++;
        if (!value_less(a[root], a[c]))
            return;
        double tmp = a[root];
        a[root] = a[c];
        a[c] = tmp;
        root = c;
    }
}

/* In-place heapsort by value_less: no allocation, O(n log n) always. */
static void values_sort(double *a, int n)
{
    for (int root = n / 2 - 1; root >= 0; root--)
        heap_sift_down(a, n, root);
    for (int end = n - 1; end > 0; end--) {
        double tmp = a[0];
        a[0] = a[end];
        a[end] = tmp;
        heap_sift_down(a, end, 0);
    }
}

uint64_t promql_value_key(double v)
{
    if (isnan(v))
        return 0;
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return (b >> 63) ? ~b : b | (UINT64_C(1) << 63);
}

/* The k-th smallest (0-based) of vs[0..n), found without a copy by bisecting
 * the key space: 64 counting passes. */
static double values_select(const double *vs, int n, int k)
{
    uint64_t klo = 0, khi = UINT64_MAX;
    while (klo < khi) {
        uint64_t mid = klo + (khi - klo) / 2;
        int count = 0;
        for (int i = 0; i < n; i++)
            if (promql_value_key(vs[i]) <= mid)
                count++;
        if (count >= k + 1)
            khi = mid;
        else
            klo = mid + 1;
    }
    for (int i = 0; i < n; i++)
        if (promql_value_key(vs[i]) == klo)
            return vs[i];
    return NAN;
}

/* Prometheus' quantile() of n > 0 values, the i-th smallest given by
 * sorted[i] or, without sorted, by values_select() over vs: rank q*(n-1),
 * linear interpolation between its two neighbours; q < 0 is -Inf and q > 1
 * is +Inf. */
static double quantile_of(double q, const double *sorted, const double *vs, int n)
{
    if (isnan(q))
        return NAN;
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    double rank = q * (double)(n - 1);
    double lower = fmax(0, floor(rank));
    double upper = fmin((double)(n - 1), lower + 1);
    double weight = rank - floor(rank);
    double vlo = sorted ? sorted[(int)lower] : values_select(vs, n, (int)lower);
    double vup = sorted ? sorted[(int)upper] : values_select(vs, n, (int)upper);
    return vlo * (1 - weight) + vup * weight;
}

bool promql_quantile_sorted(double q, const double *sorted, int n, double *out)
{
    if (n <= 0)
        return false;
    *out = quantile_of(q, sorted, NULL, n);
    return true;
}

/* quantile_over_time(q, g[r]): Prometheus' quantile() of the range's values.
 * Up to QUANTILE_SORT_MAX values are sorted in a stack buffer; more are
 * answered exactly by values_select(). */
bool promql_quantile_over_time(const series_t *s, int gauge, double q, int64_t t_ms,
                               int64_t range_ms, double *out)
{
    field_t f = { FK_GAUGE, gauge, 0 };
    const int64_t *ts;
    const double *vs;
    int n = range_values(s, f, t_ms, range_ms, &ts, &vs);
    if (n == 0)
        return false;
    if (n <= QUANTILE_SORT_MAX && !isnan(q) && q >= 0 && q <= 1) {
        double buf[QUANTILE_SORT_MAX];
        memcpy(buf, vs, sizeof(double) * (size_t)n);
        values_sort(buf, n);
        *out = quantile_of(q, buf, NULL, n);
    } else {
        *out = quantile_of(q, NULL, vs, n);
    }
    return true;
}
