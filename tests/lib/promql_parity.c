/* promql_parity.c — data and expected answers for test_promql_parity.sh.
 *
 *   promql-parity BASE_MS DATA.om RAW.txt > cases.tsv
 *
 * Generates a deterministic pseudo-random set of series starting at BASE_MS
 * (Unix ms) with irregular millisecond timestamps: two counters (one with
 * gaps), each reset once in the middle; four gauges (a drifting one, a gappy
 * noisy one, a constant, and one near 1e15 whose regression is numerically
 * ill-conditioned, so that plain and compensated sums disagree); and a
 * 12-bucket histogram whose buckets grow at different, drifting rates and
 * start at zero. They are written as OpenMetrics text (for promtool's
 * backfill) and pushed into a series_t; then, for each (expression, time)
 * case, our answer is printed as "EXPR<TAB>RFC3339-TIME<TAB>VALUE" with VALUE
 * "none" when we return no value. RAW.txt lists em_probe_ms's raw samples
 * ("seconds value") so the test can check the backfill kept every timestamp. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "histogram.h"
#include "slide.h"
#include "window.h"

#define NPTS 1500
#define NBUCKETS 12

/* Bucket bounds as the exposition spells them (le label values). */
static const char *const le_text[NBUCKETS] = {
    "0.001", "0.002", "0.004", "0.008", "0.016", "0.032",
    "0.064", "0.128", "0.256", "0.512", "1.024", "+Inf",
};

/* One generated scrape: what is written and what is pushed. */
typedef struct {
    int64_t t_ms;
    double proposals, gappy_total, db, probe, big, konst;
    double bucket[NBUCKETS];
    bool has_gappy_total, has_probe;
} gen_t;

/* xorshift64*: deterministic, seed fixed. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

/* Uniform in [0, 1). */
static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* The value a printed "%.17g" reads back as (exact: %.17g round-trips). */
static double as_written(double v)
{
    char b[64];
    snprintf(b, sizeof b, "%.17g", v);
    return strtod(b, NULL);
}

/* Timestamp text in seconds with 3 decimals. */
static void ts_text(int64_t ms, char *b, size_t n)
{
    snprintf(b, n, "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
}

/* The Unix ms promtool stores for the timestamp text of ms: it parses the
 * seconds as a float64 and truncates seconds*1000 to an integer. */
static int64_t ts_as_stored(int64_t ms)
{
    char b[40];
    ts_text(ms, b, sizeof b);
    return (int64_t)(strtod(b, NULL) * 1000);
}

/* Next timestamp at or after want whose text promtool reads back exactly. */
static int64_t ts_round_trip(int64_t want)
{
    while (ts_as_stored(want) != want)
        want++;
    return want;
}

static void generate(gen_t *g, int64_t base_ms)
{
    uint64_t rs = UINT64_C(0x9e3779b97f4a7c15);
    double proposals = 2.5, gappy = 1, db = 5e6, big_noise = 0;
    double cum[NBUCKETS] = { 0 };
    int64_t t = base_ms + 1234;
    for (int i = 0; i < NPTS; i++) {
        if (i > 0) {
            int64_t step = 700 + (int64_t)(rng_unit(&rs) * 750); /* 0.7..1.45 s */
            if (i % 97 == 0)
                step += 4000 + (int64_t)(rng_unit(&rs) * 5000); /* a missed scrape or more */
            t += step;
        }
        t = ts_round_trip(t);
        gen_t *p = &g[i];
        memset(p, 0, sizeof *p);
        p->t_ms = t;
        if (i == NPTS / 2) { /* the member restarted: counters start over */
            proposals = 3;
            gappy = 0;
            memset(cum, 0, sizeof cum);
        } else if (i > 0) {
            proposals += floor(rng_unit(&rs) * 40);
            if (rng_unit(&rs) < 0.3)
                gappy += floor(rng_unit(&rs) * 3);
        }
        p->proposals = proposals;
        p->gappy_total = gappy;
        p->has_gappy_total = rng_unit(&rs) < 0.5;
        db += 1000 + (rng_unit(&rs) - 0.3) * 20000;
        p->db = as_written(db);
        p->probe = as_written(0.2 + 3 * pow(rng_unit(&rs), 4) + (i / 300) * 0.5);
        p->has_probe = rng_unit(&rs) < 0.7;
        big_noise = (rng_unit(&rs) - 0.5) * 80;
        p->big = as_written(1e15 + 250.0 * (double)(t - base_ms) / 1000 + big_noise);
        p->konst = 8589934592.0;

        /* observations: latency distribution drifts up over time, and the
         * low buckets only start filling after a while */
        int obs = (int)(rng_unit(&rs) * 30);
        double centre = -9 + 5.0 * i / NPTS;
        for (int k = 0; k < obs; k++) {
            double lat = exp2(centre + (rng_unit(&rs) + rng_unit(&rs) + rng_unit(&rs) - 1.5) * 3);
            for (int b = 0; b < NBUCKETS; b++)
                if (b == NBUCKETS - 1 || lat <= strtod(le_text[b], NULL))
                    cum[b] += 1;
        }
        memcpy(p->bucket, cum, sizeof cum);
    }
}

/* Write one sample line. */
static void om_line(FILE *f, const char *name, const char *labels, double v, int64_t ms)
{
    char ts[40];
    ts_text(ms, ts, sizeof ts);
    fprintf(f, "%s%s %.17g %s\n", name, labels, v, ts);
}

static int write_openmetrics(const char *path, const gen_t *g)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    fprintf(f, "# TYPE em_proposals counter\n");
    for (int i = 0; i < NPTS; i++)
        om_line(f, "em_proposals_total", "", g[i].proposals, g[i].t_ms);
    fprintf(f, "# TYPE em_gappy counter\n");
    for (int i = 0; i < NPTS; i++)
        if (g[i].has_gappy_total)
            om_line(f, "em_gappy_total", "", g[i].gappy_total, g[i].t_ms);
    fprintf(f, "# TYPE em_db_bytes gauge\n");
    for (int i = 0; i < NPTS; i++)
        om_line(f, "em_db_bytes", "", g[i].db, g[i].t_ms);
    fprintf(f, "# TYPE em_probe_ms gauge\n");
    for (int i = 0; i < NPTS; i++)
        if (g[i].has_probe)
            om_line(f, "em_probe_ms", "", g[i].probe, g[i].t_ms);
    fprintf(f, "# TYPE em_big gauge\n");
    for (int i = 0; i < NPTS; i++)
        om_line(f, "em_big", "", g[i].big, g[i].t_ms);
    fprintf(f, "# TYPE em_const gauge\n");
    for (int i = 0; i < NPTS; i++)
        om_line(f, "em_const", "", g[i].konst, g[i].t_ms);
    fprintf(f, "# TYPE em_fsync_seconds histogram\n");
    for (int b = 0; b < NBUCKETS; b++) {
        char labels[40];
        snprintf(labels, sizeof labels, "{le=\"%s\"}", le_text[b]);
        for (int i = 0; i < NPTS; i++)
            om_line(f, "em_fsync_seconds_bucket", labels, g[i].bucket[b], g[i].t_ms);
    }
    fprintf(f, "# EOF\n");
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

static int write_raw(const char *path, const gen_t *g)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    for (int i = 0; i < NPTS; i++) {
        if (!g[i].has_probe)
            continue;
        char ts[40];
        ts_text(g[i].t_ms, ts, sizeof ts);
        fprintf(f, "%s %.17g\n", ts, g[i].probe);
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* Push every generated scrape into s, with the histogram's layout. */
static void fill_series(series_t *s, const gen_t *g, hist_t *layout)
{
    memset(layout, 0, sizeof *layout);
    layout->n = NBUCKETS;
    layout->ok = true;
    for (int b = 0; b < NBUCKETS; b++)
        layout->le[b] = strtod(le_text[b], NULL);
    const hist_t *layouts[WH_COUNT] = { [WH_WAL_FSYNC] = layout };
    for (int i = 0; i < NPTS; i++) {
        point_t p;
        memset(&p, 0, sizeof p);
        p.t_ms = g[i].t_ms;
        p.counter[WC_PROPOSALS_COMMITTED] = g[i].proposals;
        p.counter_ok |= 1u << WC_PROPOSALS_COMMITTED;
        if (g[i].has_gappy_total) {
            p.counter[WC_SLOW_APPLIES] = g[i].gappy_total;
            p.counter_ok |= 1u << WC_SLOW_APPLIES;
        }
        p.gauge[WG_DB_SIZE] = g[i].db;
        p.gauge[WG_RSS] = g[i].big;
        p.gauge[WG_QUOTA] = g[i].konst;
        p.gauge_ok |= 1u << WG_DB_SIZE | 1u << WG_RSS | 1u << WG_QUOTA;
        if (g[i].has_probe) {
            p.gauge[WG_PROBE_READ_MS] = g[i].probe;
            p.gauge_ok |= 1u << WG_PROBE_READ_MS;
        }
        memcpy(p.hcum[WH_WAL_FSYNC], g[i].bucket, sizeof g[i].bucket);
        p.hist_ok |= 1u << WH_WAL_FSYNC;
        series_push(s, &p, layouts);
    }
}

/* Print one case line. */
static void emit(const char *expr, int64_t t_ms, bool ok, double v)
{
    time_t sec = (time_t)(t_ms / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    printf("%s\t%s.%03dZ\t", expr, when, (int)(t_ms % 1000));
    if (!ok)
        printf("none\n");
    else if (isnan(v))
        printf("NaN\n");
    else if (isinf(v))
        printf("%s\n", v > 0 ? "+Inf" : "-Inf");
    else
        printf("%.17g\n", v);
}

/* The stats engine's incremental window (slide.h) over [t - r, t], slid
 * there from the first point one point at a time. */
static slide_t sl;
static void slide_to(const series_t *s, const gen_t *g, int64_t t, int64_t r)
{
    slide_free(&sl);
    if (slide_init(&sl, r, NPTS) != 0)
        exit(1);
    for (int i = 0; i < NPTS && g[i].t_ms < t; i++)
        slide_advance(&sl, s, g[i].t_ms);
    slide_advance(&sl, s, t);
}

/* The incremental answer must be the from-scratch one, bit for bit. */
static void agree(const char *expr, bool ok, double v, bool sok, double sv)
{
    if (ok == sok && (!ok || (isnan(v) && isnan(sv)) || memcmp(&v, &sv, sizeof v) == 0))
        return;
    fprintf(stderr, "promql-parity: slide.c disagrees on %s: %.17g (%s) against %.17g (%s)\n",
            expr, sv, sok ? "value" : "none", v, ok ? "value" : "none");
    exit(1);
}

/* histogram_quantile() of the slide's bucket rates. */
static bool slide_hist_quantile(const series_t *s, int hist, double q, double *out)
{
    hist_t h;
    if (!slide_hist_rate(&sl, s, hist, &h))
        return false;
    *out = hist_quantile(q, &h);
    return true;
}

/* Every function at evaluation time t over range r (and where the stats
 * engine evaluates it incrementally, the same through sl, at t over r). */
static void emit_all(const series_t *s, int64_t t, int64_t r)
{
    char e[160];
    double v, sv;
    bool ok;
#define EMIT(call, ...)                                    \
    do {                                                   \
        snprintf(e, sizeof e, __VA_ARGS__);                \
        ok = (call);                                       \
        emit(e, t, ok, v);                                 \
    } while (0)
#define EMIT2(call, scall, ...)                            \
    do {                                                   \
        snprintf(e, sizeof e, __VA_ARGS__);                \
        ok = (call);                                       \
        bool sok = (scall);                                \
        agree(e, ok, v, sok, sv);                          \
        emit(e, t, ok, v);                                 \
    } while (0)
    EMIT2(promql_increase(s, WC_PROPOSALS_COMMITTED, t, r, &v),
          slide_increase(&sl, s, WC_PROPOSALS_COMMITTED, &sv),
          "increase(em_proposals_total[%" PRId64 "ms])", r);
    EMIT2(promql_rate(s, WC_PROPOSALS_COMMITTED, t, r, &v),
          slide_rate(&sl, s, WC_PROPOSALS_COMMITTED, &sv),
          "rate(em_proposals_total[%" PRId64 "ms])", r);
    EMIT2(promql_increase(s, WC_SLOW_APPLIES, t, r, &v),
          slide_increase(&sl, s, WC_SLOW_APPLIES, &sv),
          "increase(em_gappy_total[%" PRId64 "ms])", r);
    EMIT2(promql_rate(s, WC_SLOW_APPLIES, t, r, &v), slide_rate(&sl, s, WC_SLOW_APPLIES, &sv),
          "rate(em_gappy_total[%" PRId64 "ms])", r);
    static const double hq[] = { 0.5, 0.95, 0.99 };
    for (size_t i = 0; i < sizeof hq / sizeof hq[0]; i++)
        EMIT2(promql_hist_quantile(s, WH_WAL_FSYNC, hq[i], t, r, &v),
              slide_hist_quantile(s, WH_WAL_FSYNC, hq[i], &sv),
              "histogram_quantile(%g, rate(em_fsync_seconds_bucket[%" PRId64 "ms]))", hq[i], r);
    EMIT2(promql_deriv(s, WG_DB_SIZE, t, r, &v), slide_deriv(&sl, s, WG_DB_SIZE, &sv),
          "deriv(em_db_bytes[%" PRId64 "ms])", r);
    EMIT2(promql_deriv(s, WG_RSS, t, r, &v), slide_deriv(&sl, s, WG_RSS, &sv),
          "deriv(em_big[%" PRId64 "ms])", r);
    EMIT2(promql_deriv(s, WG_QUOTA, t, r, &v), slide_deriv(&sl, s, WG_QUOTA, &sv),
          "deriv(em_const[%" PRId64 "ms])", r);
    EMIT2(promql_deriv(s, WG_PROBE_READ_MS, t, r, &v), slide_deriv(&sl, s, WG_PROBE_READ_MS, &sv),
          "deriv(em_probe_ms[%" PRId64 "ms])", r);
    EMIT2(promql_predict_linear(s, WG_DB_SIZE, t, r, 600, &v),
          slide_predict_linear(&sl, s, WG_DB_SIZE, 600, &sv),
          "predict_linear(em_db_bytes[%" PRId64 "ms], 600)", r);
    EMIT2(promql_predict_linear(s, WG_RSS, t, r, 60, &v),
          slide_predict_linear(&sl, s, WG_RSS, 60, &sv),
          "predict_linear(em_big[%" PRId64 "ms], 60)", r);
    EMIT2(promql_predict_linear(s, WG_QUOTA, t, r, 3600, &v),
          slide_predict_linear(&sl, s, WG_QUOTA, 3600, &sv),
          "predict_linear(em_const[%" PRId64 "ms], 3600)", r);
    EMIT2(promql_predict_linear(s, WG_PROBE_READ_MS, t, r, -30, &v),
          slide_predict_linear(&sl, s, WG_PROBE_READ_MS, -30, &sv),
          "predict_linear(em_probe_ms[%" PRId64 "ms], -30)", r);
    EMIT(promql_max_over_time(s, WG_PROBE_READ_MS, t, r, &v),
         "max_over_time(em_probe_ms[%" PRId64 "ms])", r);
    EMIT(promql_max_over_time(s, WG_DB_SIZE, t, r, &v),
         "max_over_time(em_db_bytes[%" PRId64 "ms])", r);
    EMIT2(promql_last(s, WG_PROBE_READ_MS, t, r, &v), slide_last(&sl, s, WG_PROBE_READ_MS, &sv),
         "last_over_time(em_probe_ms[%" PRId64 "ms])", r);
    static const double qq[] = { 0, 0.25, 0.5, 0.9, 0.99, 1, -0.5, 1.5 };
    for (size_t i = 0; i < sizeof qq / sizeof qq[0]; i++)
        EMIT2(promql_quantile_over_time(s, WG_PROBE_READ_MS, qq[i], t, r, &v),
              slide_quantile_over_time(&sl, s, WG_PROBE_READ_MS, qq[i], &sv),
             "quantile_over_time(%g, em_probe_ms[%" PRId64 "ms])", qq[i], r);
#undef EMIT
#undef EMIT2
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s BASE_MS DATA.om RAW.txt > cases.tsv\n", argv[0]);
        return 2;
    }
    int64_t base = strtoll(argv[1], NULL, 10);
    static gen_t g[NPTS];
    generate(g, base);
    if (write_openmetrics(argv[2], g) != 0 || write_raw(argv[3], g) != 0)
        return 1;

    static series_t s;
    if (series_init(&s, NPTS) != 0)
        return 1;
    hist_t layout;
    fill_series(&s, g, &layout);

    const int64_t first = g[0].t_ms, last = g[NPTS - 1].t_ms;
    const int mid = NPTS / 2;
    struct { int64_t t, r; } cases[] = {
        /* ranges starting before the first sample: zero-point limit, and the
         * low buckets starting at 0 */
        { first + 20000, 60000 }, { first + 45500, 300000 }, { first + 5000, 10000 },
        /* a sample exactly on the range start, and on the range end */
        { g[100].t_ms + 30000, 30000 }, { g[200].t_ms + 90500, 90500 },
        { g[300].t_ms, 60000 }, { g[400].t_ms, 10000 },
        /* both ends on samples */
        { g[520].t_ms, g[520].t_ms - g[500].t_ms },
        /* spanning the reset */
        { g[mid].t_ms + 5000, 30000 }, { g[mid + 10].t_ms + 123, 120000 },
        { g[mid + 200].t_ms, 600000 },
        /* ending inside a long gap (half-interval extrapolation at the end) */
        { g[97 * 3].t_ms - 1, 45000 }, { g[97 * 5].t_ms - 2000, 20000 },
        /* ordinary points in between */
        { first + 700000, 300000 }, { first + 912345, 60000 }, { first + 1100000, 1234 },
        { last - 1, 300000 }, { last, 600000 },
        /* one point in range, and none */
        { g[600].t_ms + 50, 100 }, { last + 700000, 300000 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        slide_to(&s, g, cases[i].t, cases[i].r);
        emit_all(&s, cases[i].t, cases[i].r);
    }
    slide_free(&sl);
    series_free(&s);
    return 0;
}
