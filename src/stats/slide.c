/* slide.c — a window sliding over a member's ring (see slide.h).
 *
 * Per value stream, the points in range are those numbered [first_a, hi.a)
 * whose value is known (n of them): each slide_advance() takes in the points
 * up to the evaluation time through the cursor hi, then drops the first point
 * while it is out of range (too old, no longer visible in the ring, or before
 * the histogram's layout change), reading the next known one through the
 * cursor lo. A counter reset (a value below the one before it) and a change
 * of value are counted when the later point of the pair comes in and
 * uncounted when the earlier one leaves; the first SLIDE_RESETS resets'
 * corrections (the value before the reset, which Prometheus adds) are kept
 * in order so that increase()'s float sum is Prometheus' own. */
#include "slide.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"

/* A read position: the next point's number, and the chunk stream reader when
 * it is positioned at that point (dec_at == a). */
typedef struct {
    int64_t a, dec_at;
    chunk_reader_t r;
} slide_cursor_t;

struct slide_stream {
    slide_cursor_t lo, hi;       /* lo: after the first point; hi: next to take in */
    int64_t first_a, first_t, last_t;
    double  first_v, last_v;
    int     n;                   /* known values in range */
    int     nres, nchg;          /* resets, changes of value in range */
    int     res_n;               /* corrections kept: the oldest res_n of nres */
    double  res[SLIDE_RESETS];
    double *sorted;              /* the n values by promql_value_key(), or NULL */
    int64_t *rt;                 /* or the n points in order, at [r0, r0 + n) of cap */
    double  *rv;
    int      r0;
};

/* The streams whose values in range are kept sorted (quantile_over_time),
 * and those whose points in range are kept in order (deriv, predict_linear). */
static bool stream_sorted(int k)
{
    return k == chunk_stream_gauge(WG_PROBE_READ_MS) || k == chunk_stream_gauge(WG_PROBE_WRITE_MS);
}

static bool stream_ordered(int k)
{
    return k == chunk_stream_gauge(WG_DB_SIZE);
}

int slide_init(slide_t *w, int64_t range_ms, int cap)
{
    memset(w, 0, sizeof *w);
    w->range_ms = range_ms;
    w->cap = cap;
    w->t_ms = INT64_MIN;
    w->st = calloc(CHUNK_STREAMS, sizeof *w->st);
    if (!w->st || cap <= 0)
        goto fail;
    /* Never read before written, so not cleared (calloc would touch every
     * page): only the pages the range fills become resident. */
    for (int k = 0; k < CHUNK_STREAMS; k++) {
        slide_stream_t *x = &w->st[k];
        if (stream_sorted(k) && !(x->sorted = malloc((size_t)cap * sizeof(double))))
            goto fail;
        if (stream_ordered(k) && (!(x->rt = malloc((size_t)cap * sizeof(int64_t))) ||
                                  !(x->rv = malloc((size_t)cap * sizeof(double)))))
            goto fail;
    }
    return 0;
fail:
    slide_free(w);
    return -1;
}

void slide_free(slide_t *w)
{
    if (w->st)
        for (int k = 0; k < CHUNK_STREAMS; k++) {
            free(w->st[k].sorted);
            free(w->st[k].rt);
            free(w->st[k].rv);
        }
    free(w->st);
    memset(w, 0, sizeof *w);
}

void slide_usage(const slide_t *w, ring_usage_t *u)
{
    if (!w->st)
        return;
    u->window_bytes += (long)(sizeof(slide_stream_t) * CHUNK_STREAMS);
    for (int k = 0; k < CHUNK_STREAMS; k++) {
        const slide_stream_t *x = &w->st[k];
        u->window_bytes += (x->sorted ? (long)sizeof(double) * w->cap : 0) +
                           (x->rt ? (long)(sizeof(int64_t) + sizeof(double)) * w->cap : 0);
    }
}

/* Can the range be evaluated incrementally? (Otherwise PromQL gives nothing
 * or the state is missing: the from-scratch functions answer.) */
static bool slide_fast(const slide_t *w)
{
    return w->st && w->cap > 0 && w->range_ms > 0 && w->t_ms != INT64_MIN && w->t_ms >= INT64_MIN + w->range_ms &&
           w->t_ms != INT64_MAX;
}

/* Stream k's value at the point loc (numbered c->a); moves c past it. */
static bool cursor_take(slide_cursor_t *c, const series_loc_t *loc, int k, double *v)
{
    int64_t a = c->a++;
    if (loc->p) {
        c->dec_at = -1;
        return chunk_point_get(loc->p, k, v);
    }
    if (c->dec_at != a) {
        double skip;
        chunk_reader_init(&c->r, loc->h, loc->src, k);
        for (int i = 0; i < loc->i; i++)
            (void)chunk_reader_next(&c->r, &skip);
    }
    bool ok = chunk_reader_next(&c->r, v);
    c->dec_at = loc->i + 1 < loc->h->n ? a + 1 : -1;
    return ok;
}

/* Keep v in a[0..n) sorted by key: n + 1 values. */
static void sorted_insert(double *a, int n, double v)
{
    uint64_t key = promql_value_key(v);
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (promql_value_key(a[mid]) <= key)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(a + lo + 1, a + lo, sizeof(double) * (size_t)(n - lo));
    a[lo] = v;
}

/* Take one value of v's bits out of a[0..n). */
static void sorted_remove(double *a, int n, double v)
{
    uint64_t key = promql_value_key(v);
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (promql_value_key(a[mid]) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Equal keys: one value, or NaNs (told apart by their bits). */
    while (lo < n - 1 && memcmp(&a[lo], &v, sizeof v) != 0)
        lo++;
    memmove(a + lo, a + lo + 1, sizeof(double) * (size_t)(n - lo - 1));
}

/* Take in point a (time t, value v) after the last one in range. */
static void stream_take(slide_stream_t *x, int cap, int64_t a, int64_t t, double v)
{
    if (x->n == 0) {
        x->first_a = a;
        x->first_t = t;
        x->first_v = v;
        x->lo = x->hi;
    } else {
        if (v < x->last_v) {
            if (x->nres == x->res_n && x->res_n < SLIDE_RESETS)
                x->res[x->res_n++] = x->last_v;
            x->nres++;
        }
        if (v != x->last_v)
            x->nchg++;
    }
    if (x->sorted)
        sorted_insert(x->sorted, x->n, v);
    if (x->rt) {
        /* Back to the front when the dropped points outnumber the kept ones
         * (so only about twice the range's pages are ever touched) or the
         * end is reached: each point moves once per drop, amortized. */
        if (x->r0 > x->n || x->r0 + x->n == cap) {
            memmove(x->rt, x->rt + x->r0, sizeof(int64_t) * (size_t)x->n);
            memmove(x->rv, x->rv + x->r0, sizeof(double) * (size_t)x->n);
            x->r0 = 0;
        }
        x->rt[x->r0 + x->n] = t;
        x->rv[x->r0 + x->n] = v;
    }
    x->last_t = t;
    x->last_v = v;
    x->n++;
}

/* Drop the first point in range; the next known one becomes the first. */
static void stream_drop(slide_stream_t *x, const series_t *s, int k)
{
    double v0 = x->first_v;
    if (x->sorted)
        sorted_remove(x->sorted, x->n, v0);
    if (x->rt)
        x->r0++;
    if (--x->n == 0) {
        x->lo = x->hi;
        return;
    }
    for (;;) {
        series_loc_t loc;
        int64_t a = x->lo.a;
        series_locate(s, a, &loc);
        if (cursor_take(&x->lo, &loc, k, &x->first_v)) {
            x->first_a = a;
            x->first_t = loc.t_ms;
            break;
        }
    }
    if (x->first_v < v0) {
        x->nres--;
        if (x->res_n > 0) {
            memmove(x->res, x->res + 1, sizeof(double) * (size_t)(x->res_n - 1));
            x->res_n--;
        }
    }
    if (x->first_v != v0)
        x->nchg--;
}

/* Empty the range; the next point to take in is a. */
static void stream_restart(slide_stream_t *x, int64_t a)
{
    x->n = x->nres = x->nchg = x->res_n = x->r0 = 0;
    x->hi.a = a;
    x->hi.dec_at = -1;
    x->lo = x->hi;
}

void slide_advance(slide_t *w, const series_t *s, int64_t t_ms)
{
    bool fresh = s->gen != w->gen || s->pushed < w->pushed || t_ms < w->t_ms;
    if (s->cap > w->cap)
        w->cap = 0;   /* no room for the range: from scratch from now on */
    w->t_ms = t_ms;
    w->gen = s->gen;
    w->pushed = s->pushed;
    if (!slide_fast(w)) {
        w->pushed = INT64_MAX;   /* start afresh next time */
        return;
    }
    int64_t vis0 = series_begin(s), st0 = series_stored_begin(s);
    int64_t start = t_ms - w->range_ms;
    for (int k = 0; k < CHUNK_STREAMS; k++) {
        slide_stream_t *x = &w->st[k];
        int hk = k - chunk_stream_hist(0, 0);
        int64_t since = hk >= 0 ? s->hist_since[hk / WINDOW_HIST_BUCKETS] : INT64_MIN;
        /* Afresh when the points the state needs have left the ring. */
        if (fresh || (x->n > 0 ? x->first_a : x->hi.a) < st0)
            stream_restart(x, vis0);
        /* First the points no longer visible, so that the range never holds
         * more than the ring's cap (the sorted values' room). */
        while (x->n > 0 && x->first_a < vis0)
            stream_drop(x, s, k);
        if (x->hi.a < vis0)
            stream_restart(x, vis0);
        while (x->hi.a < s->pushed) {
            series_loc_t loc;
            int64_t a = x->hi.a;
            double v;
            series_locate(s, a, &loc);
            if (loc.t_ms > t_ms)
                break;
            if (cursor_take(&x->hi, &loc, k, &v))
                stream_take(x, w->cap, a, loc.t_ms, v);
        }
        while (x->n > 0 && (x->first_t < start || x->first_t < since))
            stream_drop(x, s, k);
    }
}

/* extrapolatedRate() of counter stream k: from the state when it holds every
 * reset's correction, else from scratch. */
static bool stream_rate(const slide_t *w, const series_t *s, int k, bool is_rate, double *out)
{
    if (!slide_fast(w) || w->st[k].nres != w->st[k].res_n)
        return promql_stream_rate(s, k, w->t_ms, w->range_ms, is_rate, out);
    const slide_stream_t *x = &w->st[k];
    if (x->n < 2)
        return false;
    rate_input_t in = { x->n, x->first_t, x->last_t, x->first_v, x->last_v - x->first_v };
    for (int i = 0; i < x->res_n; i++)
        in.result += x->res[i];
    *out = promql_extrapolate(&in, w->t_ms, w->range_ms, true, is_rate);
    return true;
}

bool slide_increase(const slide_t *w, const series_t *s, int counter, double *out)
{
    if (counter < 0 || counter >= WC_COUNT)
        return false;
    return stream_rate(w, s, chunk_stream_counter(counter), false, out);
}

bool slide_rate(const slide_t *w, const series_t *s, int counter, double *out)
{
    if (counter < 0 || counter >= WC_COUNT)
        return false;
    return stream_rate(w, s, chunk_stream_counter(counter), true, out);
}

/* The window and ring a bucket's rate() reads. */
typedef struct {
    const slide_t *w;
    const series_t *s;
} slide_ctx_t;

static bool slide_bucket_rate(const void *ctx, int k, double *out)
{
    const slide_ctx_t *c = ctx;
    return stream_rate(c->w, c->s, k, true, out);
}

bool slide_hist_rate(const slide_t *w, const series_t *s, int hist, hist_t *out)
{
    slide_ctx_t c = { w, s };
    return promql_hist_collect(s, hist, slide_bucket_rate, &c, out);
}

/* linearRegression() of a gauge over the range: Prometheus' exact-zero
 * slope when no value in range differs from the one before it; else its
 * sums over the points kept in order. False when neither applies (the
 * caller recomputes from scratch). */
static bool stream_linreg(const slide_t *w, int gauge, bool from_first, double *slope,
                          double *intercept)
{
    const slide_stream_t *x = &w->st[chunk_stream_gauge(gauge)];
    if (x->nchg == 0) {
        *slope = isinf(x->first_v) ? NAN : 0;
        *intercept = isinf(x->first_v) ? NAN : x->first_v;
        return true;
    }
    if (!x->rt)
        return false;
    linreg_t l;
    linreg_init(&l, from_first, w->t_ms);
    linreg_add(&l, x->rt + x->r0, x->rv + x->r0, x->n);
    return linreg_result(&l, slope, intercept);
}

/* Fewer than 2 values in range: PromQL gives nothing. */
static bool stream_few(const slide_t *w, int gauge)
{
    return w->st[chunk_stream_gauge(gauge)].n < 2;
}

bool slide_deriv(const slide_t *w, const series_t *s, int gauge, double *out)
{
    double slope, intercept;
    if (gauge < 0 || gauge >= WG_COUNT || !slide_fast(w))
        return promql_deriv(s, gauge, w->t_ms, w->range_ms, out);
    if (stream_few(w, gauge))
        return false;
    if (!stream_linreg(w, gauge, true, &slope, &intercept))
        return promql_deriv(s, gauge, w->t_ms, w->range_ms, out);
    *out = slope;
    return true;
}

bool slide_predict_linear(const slide_t *w, const series_t *s, int gauge, double ahead_s,
                          double *out)
{
    double slope, intercept;
    if (gauge < 0 || gauge >= WG_COUNT || !slide_fast(w))
        return promql_predict_linear(s, gauge, w->t_ms, w->range_ms, ahead_s, out);
    if (stream_few(w, gauge))
        return false;
    if (!stream_linreg(w, gauge, false, &slope, &intercept))
        return promql_predict_linear(s, gauge, w->t_ms, w->range_ms, ahead_s, out);
    *out = slope * ahead_s + intercept;
    return true;
}

bool slide_last(const slide_t *w, const series_t *s, int gauge, double *out)
{
    if (gauge < 0 || gauge >= WG_COUNT || !slide_fast(w))
        return promql_last(s, gauge, w->t_ms, w->range_ms, out);
    const slide_stream_t *x = &w->st[chunk_stream_gauge(gauge)];
    if (x->n == 0)
        return false;
    *out = x->last_v;
    return true;
}

bool slide_quantile_over_time(const slide_t *w, const series_t *s, int gauge, double q,
                              double *out)
{
    if (gauge < 0 || gauge >= WG_COUNT || !slide_fast(w) ||
        !w->st[chunk_stream_gauge(gauge)].sorted)
        return promql_quantile_over_time(s, gauge, q, w->t_ms, w->range_ms, out);
    const slide_stream_t *x = &w->st[chunk_stream_gauge(gauge)];
    return promql_quantile_sorted(q, x->sorted, x->n, out);
}
