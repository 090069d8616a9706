/* test_slide.c — windows sliding over a ring (slide_*) give, after every
 * poll, exactly what window.h's promql_*() recompute from scratch: long random
 * sequences with counter resets (also more than slide.h keeps), gaps in time
 * and in values, duplicate and out-of-order points, histogram layout changes,
 * constant and infinite gauges, NaN and repeated probe values, evaluation
 * times that skip, repeat or go back, cleared rings and windows longer than
 * the ring. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "slide.h"
#include "window.h"

static uint64_t rng;
static double rnd(void)   /* uniform in [0, 1) */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* Identical results: both absent, or both present with the same bits (any NaN
 * matches any NaN). */
static int64_t cur_range;
static double res_a, res_b;   /* the two results, read after both calls */
static void same_as(bool ok_a, bool ok_b, const char *what, long poll)
{
    double a = res_a, b = res_b;
    if (ok_a != ok_b)
        fail_msg("%s at poll %ld: slide %s, from scratch %s", what, poll, ok_a ? "a value" : "none",
                 ok_b ? "a value" : "none");
    if (!ok_a || (isnan(a) && isnan(b)))
        return;
    if (memcmp(&a, &b, sizeof a) != 0)
        fail_msg("%s at poll %ld (range %lld ms): slide %.17g, from scratch %.17g", what, poll,
                 (long long)cur_range, a, b);
}

/* Every function stats.c evaluates, slide against from scratch. */
static void compare(const slide_t *w, const series_t *s, long poll)
{
    int64_t t = w->t_ms, r = w->range_ms;
    cur_range = r;
    for (int c = 0; c < WC_COUNT; c++) {
        same_as(slide_rate(w, s, c, &res_a), promql_rate(s, c, t, r, &res_b), "rate", poll);
        same_as(slide_increase(w, s, c, &res_a), promql_increase(s, c, t, r, &res_b), "increase", poll);
    }
    for (int h = 0; h < WH_COUNT; h++) {
        hist_t ha, hb;
        bool oka = slide_hist_rate(w, s, h, &ha), okb = promql_hist_rate(s, h, t, r, &hb);
        assert_int_equal(oka, okb);
        if (!oka)
            continue;
        assert_int_equal(ha.n, hb.n);
        for (int i = 0; i < ha.n; i++) {
            res_a = ha.le[i], res_b = hb.le[i];
            same_as(true, true, "hist le", poll);
            res_a = ha.cum[i], res_b = hb.cum[i];
            same_as(true, true, "hist rate", poll);
        }
    }
    static const int gauges[] = { WG_DB_SIZE, WG_QUOTA, WG_PROBE_READ_MS, WG_PROBE_WRITE_MS };
    static const double qs[] = { 0, 0.5, 0.95, 0.99, 1, -1, 2, NAN };
    for (size_t i = 0; i < sizeof gauges / sizeof gauges[0]; i++) {
        int g = gauges[i];
        same_as(slide_last(w, s, g, &res_a), promql_last(s, g, t, r, &res_b), "last", poll);
        same_as(slide_deriv(w, s, g, &res_a), promql_deriv(s, g, t, r, &res_b), "deriv", poll);
        same_as(slide_predict_linear(w, s, g, 600, &res_a), promql_predict_linear(s, g, t, r, 600, &res_b),
                "predict_linear", poll);
        for (size_t q = 0; q < sizeof qs / sizeof qs[0]; q++)
            same_as(slide_quantile_over_time(w, s, g, qs[q], &res_a),
                    promql_quantile_over_time(s, g, qs[q], t, r, &res_b), g == WG_PROBE_READ_MS ? "quantile read" : "quantile", poll);
    }
}

/* A layout of n buckets, the last +Inf. */
static hist_t layout(int n, double first)
{
    hist_t h;
    memset(&h, 0, sizeof h);
    h.n = n;
    h.ok = true;
    for (int i = 0; i < n; i++)
        h.le[i] = i == n - 1 ? INFINITY : first * ldexp(1, i);
    return h;
}

/* The random process: counters that grow, sometimes reset (now and then many
 * times in a row), sometimes unknown; a db size that stays constant for long
 * stretches, now and then infinite or NaN; probe latencies from a small set
 * of values (repeats) with NaNs; a histogram whose layout changes. */
typedef struct {
    int64_t t;
    point_t p;
    hist_t  lay[WH_COUNT];
    int     reset_burst;
    bool    db_moving;
} gen_t;

static void gen_step(gen_t *g)
{
    double u = rnd();
    if (u < 0.01)
        g->t += 20000 + (int64_t)(rnd() * 400000);           /* a gap */
    else if (u < 0.02)
        g->t -= (int64_t)(rnd() * 3000);                     /* duplicate / out of order */
    else
        g->t += 1000 + (int64_t)(rnd() * 60) - 30;           /* jitter */
    point_t *p = &g->p;
    p->t_ms = g->t;
    if (rnd() < 0.01)
        g->reset_burst = 3 + (int)(rnd() * 10);
    for (int c = 0; c < WC_COUNT; c++) {
        bool reset = g->reset_burst > 0 ? rnd() < 0.7 : rnd() < 0.01;
        if (reset)
            p->counter[c] = rnd() < 0.5 ? 0 : floor(p->counter[c] * rnd());
        else
            p->counter[c] += c % 2 ? floor(rnd() * 50) : rnd() * 0.37;
        if (rnd() < 0.03)
            p->counter_ok &= ~(1u << c);
        else
            p->counter_ok |= 1u << c;
    }
    if (g->reset_burst > 0)
        g->reset_burst--;
    if (rnd() < 0.01)
        g->db_moving = !g->db_moving;
    double *db = &p->gauge[WG_DB_SIZE];
    if (isnan(*db) || isinf(*db))
        *db = 1e6;
    if (g->db_moving)
        *db += floor(rnd() * 3) * 4096 + (rnd() < 0.1 ? 0.5 : 0);
    u = rnd();
    if (u < 0.002)
        *db = INFINITY;
    else if (u < 0.004)
        *db = NAN;
    if (rnd() < 0.005)
        p->gauge[WG_QUOTA] = rnd() < 0.5 ? 2e9 : 8e9;
    static const double probe[] = { 0.8, 1.25, 1.25, 3.5, 0, 1e-3 };
    u = rnd();
    p->gauge[WG_PROBE_READ_MS] = u < 0.02 ? NAN : u < 0.04 ? -NAN : probe[(int)(rnd() * 6)];
    p->gauge[WG_PROBE_WRITE_MS] = rnd() * 10;
    p->gauge_ok = 0;
    for (int k = 0; k < WG_COUNT; k++)
        if (rnd() < 0.97)
            p->gauge_ok |= 1u << k;
    if (rnd() < 0.003)
        g->lay[WH_WAL_FSYNC] = layout(2 + (int)(rnd() * 6), rnd() < 0.5 ? 0.001 : 0.002);
    if (rnd() < 0.003)
        g->lay[WH_PEER_RTT].ok = !g->lay[WH_PEER_RTT].ok;   /* comes and goes */
    p->hist_ok = 0;
    for (int h = 0; h < WH_COUNT; h++) {
        if (rnd() < 0.03)
            continue;
        p->hist_ok |= 1u << h;
        bool reset = rnd() < 0.005;
        double acc = 0;
        for (int b = 0; b < WINDOW_HIST_BUCKETS; b++) {
            acc += floor(rnd() * 4);
            p->hcum[h][b] = reset ? floor(p->hcum[h][b] * rnd()) : p->hcum[h][b] + acc;
        }
    }
}

#define RANGES 4

/* polls pushes into a ring of cap points, evaluating RANGES windows (the
 * longest longer than the ring) after most of them, comparing all. */
static void run(uint64_t seed, int cap, long polls)
{
    rng = seed;
    static const int64_t ranges[RANGES] = { 1500, 30000, 250000, 900000 };
    series_t s;
    slide_t w[RANGES];
    gen_t g;
    memset(&g, 0, sizeof g);
    g.t = 1700000000000LL;
    g.p.gauge[WG_DB_SIZE] = 1e6;
    g.p.gauge[WG_QUOTA] = 2e9;
    g.lay[WH_WAL_FSYNC] = layout(5, 0.001);
    g.lay[WH_BACKEND_COMMIT] = layout(WINDOW_HIST_BUCKETS, 0.001);
    g.lay[WH_PEER_RTT] = layout(3, 0.0001);
    assert_int_equal(series_init(&s, cap), 0);
    for (int i = 0; i < RANGES; i++)
        assert_int_equal(slide_init(&w[i], ranges[i], cap), 0);
    for (long poll = 0; poll < polls; poll++) {
        gen_step(&g);
        const hist_t *lays[WH_COUNT] = { &g.lay[0], &g.lay[1], &g.lay[2] };
        series_push(&s, &g.p, lays);
        if (rnd() < 0.0005)
            series_clear(&s);
        double u = rnd();
        if (u < 0.1)
            continue;                                        /* no evaluation */
        int64_t t = g.t;
        if (u < 0.12)
            t -= (int64_t)(rnd() * 5000);                    /* earlier (may go back) */
        else if (u < 0.14)
            t += (int64_t)(rnd() * 5000);                    /* ahead of the newest */
        for (int i = 0; i < RANGES; i++) {
            slide_advance(&w[i], &s, t);
            compare(&w[i], &s, poll);
        }
    }
    for (int i = 0; i < RANGES; i++)
        slide_free(&w[i]);
    series_free(&s);
}

static void test_random_small_ring(void **state)
{
    (void)state;
    run(0x9e3779b97f4a7c15ULL, 40, 4000);
}

static void test_random_long_ring(void **state)
{
    (void)state;
    run(0x2545f4914f6cdd1dULL, 300, 2000);
}

/* Many resets in range: more than slide.h keeps, then fewer again. */
static void test_reset_overflow(void **state)
{
    (void)state;
    series_t s;
    slide_t w;
    assert_int_equal(series_init(&s, 500), 0);
    assert_int_equal(slide_init(&w, 100000, 500), 0);
    double v = 0;
    for (int i = 0; i < 400; i++) {
        point_t p;
        memset(&p, 0, sizeof p);
        p.t_ms = 1000LL * i;
        v = (i >= 150 && i < 170) ? (i % 2 ? 0 : 7.25) : v + 1.1;
        p.counter[WC_PROPOSALS_COMMITTED] = v;
        p.counter_ok = 1u << WC_PROPOSALS_COMMITTED;
        series_push(&s, &p, NULL);
        slide_advance(&w, &s, p.t_ms);
        compare(&w, &s, i);
    }
    double a;
    assert_true(slide_increase(&w, &s, WC_PROPOSALS_COMMITTED, &a));
    assert_false(isnan(a));
    slide_free(&w);
    series_free(&s);
}

/* One point a second into a ring of cap, counters and gauges growing. */
static void push_n(series_t *s, int64_t *t, int n)
{
    for (int i = 0; i < n; i++) {
        point_t p;
        memset(&p, 0, sizeof p);
        *t += 1000;
        p.t_ms = *t;
        p.counter[WC_PROPOSALS_COMMITTED] = (double)(*t / 700);
        p.counter_ok = 1u << WC_PROPOSALS_COMMITTED;
        p.gauge[WG_DB_SIZE] = (double)(*t / 3000);
        p.gauge[WG_PROBE_READ_MS] = (double)(*t % 7000) / 1000;
        p.gauge_ok = 1u << WG_DB_SIZE | 1u << WG_PROBE_READ_MS;
        series_push(s, &p, NULL);
    }
}

/* Evaluations far apart (more pushes in between than the ring holds), a
 * window given less room than the ring, evaluation times PromQL has no range
 * for: still the from-scratch answers. */
static void test_edges(void **state)
{
    (void)state;
    series_t s;
    slide_t w, small, odd;
    int64_t t = 1700000000000LL;
    assert_int_equal(series_init(&s, 40), 0);
    assert_int_equal(slide_init(&w, 30000, 40), 0);
    assert_int_equal(slide_init(&small, 30000, 10), 0);
    assert_int_equal(slide_init(&odd, 30000, 40), 0);
    long poll = 0;
    static const int gaps[] = { 1, 1, 30, 60, 1, 300, 1, 119, 121, 1 };
    for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
        push_n(&s, &t, gaps[i]);
        slide_advance(&w, &s, t);
        compare(&w, &s, poll);
        slide_advance(&small, &s, t);
        compare(&small, &s, poll);
        slide_advance(&odd, &s, i % 2 ? INT64_MAX : t);
        compare(&odd, &s, poll++);
    }
    slide_advance(&odd, &s, INT64_MIN + 100);
    compare(&odd, &s, poll++);
    slide_advance(&odd, &s, t);
    compare(&odd, &s, poll++);
    double a;
    assert_true(slide_rate(&w, &s, WC_PROPOSALS_COMMITTED, &a));
    assert_false(slide_rate(&w, &s, -1, &a));
    assert_false(slide_increase(&w, &s, WC_COUNT, &a));
    slide_free(&w);
    slide_free(&small);
    slide_free(&odd);
    series_free(&s);
}

/* A window that was never advanced answers like PromQL at no time: nothing. */
static void test_not_advanced(void **state)
{
    (void)state;
    series_t s;
    slide_t w;
    assert_int_equal(series_init(&s, 10), 0);
    assert_int_equal(slide_init(&w, 5000, 10), 0);
    double a;
    assert_false(slide_rate(&w, &s, WC_PROPOSALS_COMMITTED, &a));
    assert_false(slide_last(&w, &s, WG_DB_SIZE, &a));
    assert_false(slide_quantile_over_time(&w, &s, WG_PROBE_READ_MS, 0.5, &a));
    slide_free(&w);
    assert_int_equal(slide_init(&w, 5000, 0), -1);
    slide_free(&w);   /* harmless after a failed init */
    series_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_small_ring),
        cmocka_unit_test(test_random_long_ring),
        cmocka_unit_test(test_reset_overflow),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_not_advanced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
