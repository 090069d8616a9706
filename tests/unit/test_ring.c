/* test_ring.c — the compressed rings (chunk.c, window.c) keep every point bit
 * for bit, and every PromQL function answers exactly as the uncompressed ring
 * did (hashes of the answers recorded from commit 816bd1e's plain ring). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "window.h"

static uint64_t rng;
static uint64_t rnd64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double rnd(void) { return (double)(rnd64() >> 11) / 9007199254740992.0; }

static double bits_d(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* An awkward value: NaN (two payloads), infinities, -0, random bits, tiny. */
static double odd_value(void)
{
    switch (rnd64() % 8) {
    case 0: return NAN;
    case 1: return bits_d(UINT64_C(0x7ff0000000000001));   /* a signalling NaN */
    case 2: return INFINITY;
    case 3: return -INFINITY;
    case 4: return -0.0;
    case 5: return bits_d(rnd64());
    case 6: return 5e-324;
    default: return 1e308;
    }
}

/* A generated history: etcd-like counters and histograms (slow growth, resets,
 * repeats), gauges, probe latencies, a sprinkle of odd values and unknowns. */
typedef struct {
    double c[WC_COUNT], g[WG_COUNT], h[WH_COUNT][WINDOW_HIST_BUCKETS];
    int64_t t;
    bool odd;     /* odd values and unknowns allowed */
} gen_t;

static void gen_next(gen_t *g, point_t *p)
{
    memset(p, 0, sizeof *p);
    g->t += 1000 + (int64_t)(rnd64() % 61) - 30 + (rnd64() % 50 == 0 ? 4000 : 0);
    if (rnd64() % 200 == 0)
        g->t += (int64_t)(rnd64() % 100000000);   /* a long gap: 64-bit dod */
    p->t_ms = g->t;
    for (int k = 0; k < WC_COUNT; k++) {
        if (rnd64() % 300 == 0)
            g->c[k] = 0;                          /* counter reset */
        else if (rnd64() % 3)
            g->c[k] += (double)(rnd64() % (k == 0 ? 2 : 500));
        if (k == WC_CPU_SECONDS)
            g->c[k] += rnd() * 0.01;
        p->counter[k] = g->odd && rnd64() % 97 == 0 ? odd_value() : g->c[k];
        if (!g->odd || rnd64() % 23)
            p->counter_ok |= 1u << k;
    }
    for (int k = 0; k < WG_COUNT; k++) {
        if (k == WG_PROBE_READ_MS)
            g->g[k] = round((0.5 + rnd() * 3) * 1000) / 1000;
        else if (k == WG_RSS)
            g->g[k] = 1e15 + (double)(rnd64() % 1000);
        else if (rnd64() % 4 == 0)
            g->g[k] += (double)(rnd64() % 8192) - 2048;
        p->gauge[k] = g->odd && rnd64() % 89 == 0 ? odd_value() : g->g[k];
        if (!g->odd || rnd64() % 19)
            p->gauge_ok |= 1u << k;
    }
    for (int k = 0; k < WH_COUNT; k++) {
        double obs = (double)(rnd64() % 40);
        bool reset = rnd64() % 500 == 0;
        for (int b = 0; b < WINDOW_HIST_BUCKETS; b++) {
            if (reset)
                g->h[k][b] = 0;
            else if (b >= 4)
                g->h[k][b] += b >= 10 ? obs : floor(obs * b / 10);
            p->hcum[k][b] = g->odd && rnd64() % 211 == 0 ? odd_value() : g->h[k][b];
        }
        if (!g->odd || rnd64() % 31)
            p->hist_ok |= 1u << k;
    }
}

/* Histogram layouts: 24 buckets; layout 1 differs in its first bound. */
static hist_t lay[2];
static const hist_t *lays[2][WH_COUNT];

static void layouts_init(void)
{
    for (int l = 0; l < 2; l++) {
        memset(&lay[l], 0, sizeof lay[l]);
        lay[l].n = WINDOW_HIST_BUCKETS;
        lay[l].ok = true;
        for (int b = 0; b < WINDOW_HIST_BUCKETS; b++)
            lay[l].le[b] = b == WINDOW_HIST_BUCKETS - 1 ? INFINITY : (l + 1) * 0.0005 * ldexp(1, b);
        for (int k = 0; k < WH_COUNT; k++)
            lays[l][k] = &lay[l];
    }
}

/* Same bits, or both unknown. */
static bool same(bool oka, double a, bool okb, double b)
{
    return oka == okb && (!oka || memcmp(&a, &b, sizeof a) == 0);
}

#define MAXP 6000
static point_t ref[MAXP];

/* Push n generated points into a ring of cap; after each push (or each 331st
 * for long runs) every visible point equals the pushed one, bit for bit. */
static void roundtrip(uint64_t seed, int cap, int n, bool odd)
{
    layouts_init();
    rng = seed;
    gen_t g;
    memset(&g, 0, sizeof g);
    g.t = 1700000000000LL;
    g.odd = odd;
    series_t s;
    assert_int_equal(series_init(&s, cap), 0);
    for (int i = 0; i < n; i++) {
        gen_next(&g, &ref[i]);
        series_push(&s, &ref[i], lays[0]);
        int vis = i + 1 < cap ? i + 1 : cap;
        assert_int_equal(s.n, vis);
        if (i % 331 != 0 && i != n - 1 && n > 400)
            continue;
        for (int j = 0; j < vis; j++) {
            const point_t *a = &ref[i + 1 - vis + j], *b = series_at(&s, j);
            assert_true(a->t_ms == b->t_ms);
            for (int k = 0; k < WC_COUNT; k++)
                assert_true(same(a->counter_ok >> k & 1, a->counter[k], b->counter_ok >> k & 1,
                                 b->counter[k]));
            for (int k = 0; k < WG_COUNT; k++)
                assert_true(same(a->gauge_ok >> k & 1, a->gauge[k], b->gauge_ok >> k & 1,
                                 b->gauge[k]));
            for (int k = 0; k < WH_COUNT; k++)
                for (int x = 0; x < WINDOW_HIST_BUCKETS; x++)
                    assert_true(same(a->hist_ok >> k & 1, a->hcum[k][x], b->hist_ok >> k & 1,
                                     b->hcum[k][x]));
        }
    }
    series_free(&s);
}

static void test_roundtrip_etcd_like(void **state)
{
    (void)state;
    roundtrip(0x1234567, 3603, 5000, false);
    roundtrip(0x7654321, 5, 300, false);
    roundtrip(0x55aa, 121, 1000, false);
}

static void test_roundtrip_odd(void **state)
{
    (void)state;
    roundtrip(0xdeadbeef, 1000, 4000, true);
    roundtrip(0xfeed, 1, 400, true);
    roundtrip(0xbeef, 240, 2000, true);
}

/* FNV-1a over the answers' bits (and whether there was one). A NaN answer
 * counts as one NaN: when both operands of an addition are NaN, which payload
 * comes out depends on the order the compiler gave the operands (x86 SSE keeps
 * the first), not on the data — Prometheus prints every NaN as NaN. */
static void fold(uint64_t *h, bool ok, double v)
{
    uint64_t b = 0;
    if (ok && isnan(v))
        b = UINT64_C(0x7ff8000000000000);
    else if (ok)
        memcpy(&b, &v, sizeof b);
    else
        b = UINT64_C(0x5bd1e995);
    for (int i = 0; i < 8; i++) {
        *h ^= (b >> (8 * i)) & 0xff;
        *h *= UINT64_C(1099511628211);
    }
}

enum { F_INC, F_RATE, F_HQ, F_DERIV, F_PRED, F_MAX, F_LAST, F_QOT, F_COUNT };

/* Every function at many times and ranges over a ring that wraps, with a
 * histogram layout change half way; answers folded into one hash each. */
static void promql_hashes(uint64_t seed, bool odd, uint64_t out[F_COUNT])
{
    layouts_init();
    rng = seed;
    gen_t g;
    memset(&g, 0, sizeof g);
    g.t = 1700000000000LL;
    g.odd = odd;
    series_t s;
    assert_int_equal(series_init(&s, 700), 0);
    for (int f = 0; f < F_COUNT; f++)
        out[f] = UINT64_C(14695981039346656037);
    static const int64_t ranges[] = { 1, 999, 1000, 2500, 60000, 300000, 900000, 3600000 };
    for (int i = 0; i < 1500; i++) {
        point_t p;
        gen_next(&g, &p);
        series_push(&s, &p, lays[i >= 800 && i < 1200 ? 1 : 0]);
        if (i % 7 != 0)
            continue;
        int64_t ts[3] = { p.t_ms, p.t_ms + 500, p.t_ms - 1500 };
        for (int a = 0; a < 3; a++)
            for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
                int64_t t = ts[a], w = ranges[r];
                double v = 0;
                bool ok;
                for (int k = 0; k < WC_COUNT; k++) {
                    ok = promql_increase(&s, k, t, w, &v);
                    fold(&out[F_INC], ok, v);
                    ok = promql_rate(&s, k, t, w, &v);
                    fold(&out[F_RATE], ok, v);
                }
                static const double qs[] = { 0.5, 0.9, 0.99, 0, 1 };
                for (int k = 0; k < WH_COUNT; k++)
                    for (int q = 0; q < 5; q++) {
                        ok = promql_hist_quantile(&s, k, qs[q], t, w, &v);
                        fold(&out[F_HQ], ok, v);
                    }
                for (int k = 0; k < WG_COUNT; k++) {
                    ok = promql_deriv(&s, k, t, w, &v);
                    fold(&out[F_DERIV], ok, v);
                    ok = promql_predict_linear(&s, k, t, w, 600, &v);
                    fold(&out[F_PRED], ok, v);
                    ok = promql_max_over_time(&s, k, t, w, &v);
                    fold(&out[F_MAX], ok, v);
                    ok = promql_last(&s, k, t, w, &v);
                    fold(&out[F_LAST], ok, v);
                    ok = promql_quantile_over_time(&s, k, qs[(k + i) % 5], t, w, &v);
                    fold(&out[F_QOT], ok, v);
                }
            }
    }
    series_free(&s);
}

/* How many functions answer otherwise than recorded (each printed). */
static int check_hashes(uint64_t seed, bool odd, const uint64_t want[F_COUNT])
{
    static const char *const names[F_COUNT] = { "increase", "rate", "histogram_quantile",
        "deriv", "predict_linear", "max_over_time", "last", "quantile_over_time" };
    uint64_t got[F_COUNT];
    promql_hashes(seed, odd, got);
    int bad = 0;
    for (int f = 0; f < F_COUNT; f++)
        if (got[f] != want[f]) {
            fprintf(stderr, "seed 0x%llx %s: hash 0x%016llx, recorded 0x%016llx\n",
                    (unsigned long long)seed, names[f],
                    (unsigned long long)got[f], (unsigned long long)want[f]);
            bad++;
        }
    return bad;
}

/* Recorded with this file built against commit 816bd1e (the plain ring). */
static const uint64_t want_etcd[F_COUNT] = {
    UINT64_C(0xdce0c048a4bc18ec), UINT64_C(0xba6cdf7e79899278), UINT64_C(0x9845d6ec0ea0a445),
    UINT64_C(0x26746d7eb7ed986c), UINT64_C(0x3cb9b7cc020623dc), UINT64_C(0x7a6662f97361cd2d),
    UINT64_C(0x84cd21b19c3f77e7), UINT64_C(0x4dcf5a17a6a35329),
};
static const uint64_t want_odd[F_COUNT] = {
    UINT64_C(0xe58e96ca46b96d9e), UINT64_C(0xbd9d5f99f9dcd5af), UINT64_C(0x1ca914fe03d2023f),
    UINT64_C(0xc280fa03ddf5d381), UINT64_C(0xb8b475d2e079ecf7), UINT64_C(0xafc5ab4f1e919a52),
    UINT64_C(0xc6b632370afb76dc), UINT64_C(0x3f6adda45ed58268),
};

static void test_promql_same_as_plain_ring(void **state)
{
    (void)state;
    int bad = check_hashes(0xabcdef, false, want_etcd);
    bad += check_hashes(0x13579, true, want_odd);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_etcd_like),
        cmocka_unit_test(test_roundtrip_odd),
        cmocka_unit_test(test_promql_same_as_plain_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
