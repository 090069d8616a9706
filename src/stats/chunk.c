/* chunk.c — Gorilla compression of a run of scrape points (see chunk.h). */
#include "chunk.h"

#include <math.h>
#include <string.h>

/* Bit writer, most significant bit first. */
typedef struct {
    uint8_t *p;
    size_t   len;
    uint64_t acc;
    int      nacc;
} bw_t;

static void bw_put(bw_t *w, uint64_t v, int n)
{
    if (n > 32) {
        bw_put(w, v >> 32, n - 32);
        n = 32;
    }
    w->acc = (w->acc << n) | (v & ((UINT64_C(1) << n) - 1));
    w->nacc += n;
    while (w->nacc >= 8) {
        w->p[w->len++] = (uint8_t)(w->acc >> (w->nacc - 8));
        w->nacc -= 8;
    }
}

/* Pad the stream to a whole byte. */
static void bw_flush(bw_t *w)
{
    if (w->nacc > 0)
        w->p[w->len++] = (uint8_t)(w->acc << (8 - w->nacc));
    w->nacc = 0;
    w->acc = 0;
}

/* The state of one value stream, kept by the encoder and the reader alike
 * (chunk.h): the previous known value, and when it and the one before were
 * whole numbers, the step between them; the reader's bit position over a
 * buffer with at least 8 bytes of slack after its streams. */
typedef chunk_reader_t val_t;

static uint64_t br_get(val_t *r, int n)
{
    if (n == 0)
        return 0;
    if (n > 56) {
        uint64_t hi = br_get(r, n - 32);
        return (hi << 32) | br_get(r, 32);
    }
    uint64_t w;
    memcpy(&w, r->p + (r->pos >> 3), sizeof w);
    w = __builtin_bswap64(w) << (r->pos & 7);
    r->pos += (size_t)n;
    return w >> (64 - n);
}

static int clz64(uint64_t x) { return __builtin_clzll(x); }
static int ctz64(uint64_t x) { return __builtin_ctzll(x); }

static uint64_t dbits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static double bits_d(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

bool chunk_point_get(const point_t *p, int k, double *v)
{
    if (k < WC_COUNT) {
        if (!(p->counter_ok & (1u << k)))
            return false;
        *v = p->counter[k];
        return true;
    }
    k -= WC_COUNT;
    if (k < WG_COUNT) {
        if (!(p->gauge_ok & (1u << k)))
            return false;
        *v = p->gauge[k];
        return true;
    }
    k -= WG_COUNT;
    int h = k / WINDOW_HIST_BUCKETS;
    if (!(p->hist_ok & (1u << h)))
        return false;
    *v = p->hcum[h][k % WINDOW_HIST_BUCKETS];
    return true;
}

void chunk_point_set(point_t *p, int k, double v)
{
    if (k < WC_COUNT) {
        p->counter_ok |= 1u << k;
        p->counter[k] = v;
        return;
    }
    k -= WC_COUNT;
    if (k < WG_COUNT) {
        p->gauge_ok |= 1u << k;
        p->gauge[k] = v;
        return;
    }
    k -= WG_COUNT;
    int h = k / WINDOW_HIST_BUCKETS;
    p->hist_ok |= 1u << h;
    p->hcum[h][k % WINDOW_HIST_BUCKETS] = v;
}

/* Delta-of-delta classes, as Prometheus' XOR chunk: '0', '10'+14 bits,
 * '110'+17, '1110'+20, '1111'+64 (two's complement). */
static bool fits(int64_t v, int bits)
{
    int64_t lim = INT64_C(1) << (bits - 1);
    return v >= -lim && v < lim;
}

static void ts_put(bw_t *w, int64_t dod)
{
    if (dod == 0)
        bw_put(w, 0, 1);
    else if (fits(dod, 14))
        bw_put(w, 2, 2), bw_put(w, (uint64_t)dod, 14);
    else if (fits(dod, 17))
        bw_put(w, 6, 3), bw_put(w, (uint64_t)dod, 17);
    else if (fits(dod, 20))
        bw_put(w, 14, 4), bw_put(w, (uint64_t)dod, 20);
    else
        bw_put(w, 15, 4), bw_put(w, (uint64_t)dod, 64);
}

static uint64_t sign_extend(uint64_t v, int bits)
{
    uint64_t m = UINT64_C(1) << (bits - 1);
    return (v ^ m) - m;
}

static uint64_t ts_get(val_t *r)
{
    int bits;
    if (!br_get(r, 1))
        return 0;
    if (!br_get(r, 1))
        bits = 14;
    else if (!br_get(r, 1))
        bits = 17;
    else if (!br_get(r, 1))
        bits = 20;
    else
        return br_get(r, 64);
    return sign_extend(br_get(r, bits), bits);
}

void chunk_times(const chunk_hdr_t *h, const uint8_t *src, int64_t *ts)
{
    val_t r = { .p = src + h->off[0] };
    uint64_t t = (uint64_t)h->t_first, delta = 0;
    ts[0] = h->t_first;
    for (int i = 1; i < h->n; i++) {
        delta += ts_get(&r);   /* unsigned: wraps like the encoder */
        t += delta;
        ts[i] = (int64_t)t;
    }
}

/* v as a whole number exactly representable both ways (not -0). */
static bool whole(double v, int64_t *i)
{
    if (!(v > -9007199254740992.0 && v < 9007199254740992.0) || v != floor(v) ||
        (v == 0 && signbit(v)))
        return false;
    *i = (int64_t)v;
    return true;
}

/* After each known value: remember it and its step. */
static void val_keep(val_t *x, uint64_t b, bool is_int, int64_t i)
{
    x->step = x->prev_int && is_int ? i - x->prev_i : 0;
    x->prev = b;
    x->prev_int = is_int;
    x->prev_i = i;
}

/* Gorilla's XOR of b against the previous value (not equal to it). */
static void xor_put(bw_t *w, val_t *x, uint64_t d)
{
    int lead = clz64(d), trail = ctz64(d);
    if (lead > 31)
        lead = 31;
    if (x->lead >= 0 && lead >= x->lead && trail >= x->trail) {
        bw_put(w, 2, 2);
        bw_put(w, d >> x->trail, 64 - x->lead - x->trail);
        return;
    }
    int sig = 64 - lead - trail;
    bw_put(w, 6, 3);
    bw_put(w, (uint64_t)lead, 5);
    bw_put(w, (uint64_t)(sig & 63), 6);   /* 64 is written as 0 */
    bw_put(w, d >> trail, sig);
    x->lead = lead;
    x->trail = trail;
}

/* Two code tables. After a whole number: '0' same step, '10' + 8-bit,
 * '110' + 14-bit, '1110' + 24-bit change of step (delta-of-delta, as the
 * timestamps), '11110' + 64 raw bits, '11111' unknown. Otherwise (Gorilla):
 * '0' same bits, '10' XOR in the current window, '110' + window + XOR,
 * '111' unknown. */
static void val_put(bw_t *w, val_t *x, bool ok, double v)
{
    int64_t i = 0;
    uint64_t b = dbits(v);
    bool is_int = ok && whole(v, &i);
    if (x->prev_int) {
        if (!ok) {
            bw_put(w, 31, 5);
            return;
        }
        int64_t dod = is_int ? i - x->prev_i - x->step : 0;
        if (!is_int || !fits(dod, 24))
            bw_put(w, 30, 5), bw_put(w, b, 64);
        else if (dod == 0)
            bw_put(w, 0, 1);
        else if (fits(dod, 8))
            bw_put(w, 2, 2), bw_put(w, (uint64_t)dod, 8);
        else if (fits(dod, 14))
            bw_put(w, 6, 3), bw_put(w, (uint64_t)dod, 14);
        else
            bw_put(w, 14, 4), bw_put(w, (uint64_t)dod, 24);
    } else {
        if (!ok) {
            bw_put(w, 7, 3);
            return;
        }
        if (b == x->prev)
            bw_put(w, 0, 1);
        else
            xor_put(w, x, b ^ x->prev);
    }
    val_keep(x, b, is_int, i);
}

/* Next value: false when unknown at this point. */
static bool val_get(val_t *r, double *v)
{
    val_t *x = r;
    uint64_t b;
    if (x->prev_int) {
        int64_t dod;
        if (!br_get(r, 1))
            dod = 0;
        else if (!br_get(r, 1))
            dod = (int64_t)sign_extend(br_get(r, 8), 8);
        else if (!br_get(r, 1))
            dod = (int64_t)sign_extend(br_get(r, 14), 14);
        else if (!br_get(r, 1))
            dod = (int64_t)sign_extend(br_get(r, 24), 24);
        else if (br_get(r, 1))
            return false;
        else {
            b = br_get(r, 64);
            goto done;
        }
        b = dbits((double)(x->prev_i + x->step + dod));
    } else if (!br_get(r, 1)) {
        b = x->prev;
    } else if (!br_get(r, 1)) {
        b = x->prev ^ (br_get(r, 64 - x->lead - x->trail) << x->trail);
    } else if (!br_get(r, 1)) {
        x->lead = (int)br_get(r, 5);
        int sig = (int)br_get(r, 6);
        if (sig == 0)
            sig = 64;
        x->trail = 64 - x->lead - sig;
        b = x->prev ^ (br_get(r, sig) << x->trail);
    } else {
        return false;
    }
done:;
    int64_t i = 0;
    *v = bits_d(b);
    bool is_int = whole(*v, &i);
    val_keep(x, b, is_int, i);
    return true;
}

void chunk_reader_init(chunk_reader_t *r, const chunk_hdr_t *h, const uint8_t *src, int k)
{
    *r = (chunk_reader_t){ .p = src + h->off[1 + k], .lead = -1 };
}

bool chunk_reader_next(chunk_reader_t *r, double *v)
{
    return val_get(r, v);
}

size_t chunk_encode(const point_t *pts, int n, uint8_t *dst, chunk_hdr_t *h)
{
    bw_t w = { dst, 0, 0, 0 };
    h->n = n;
    h->t_first = pts[0].t_ms;
    h->t_last = pts[n - 1].t_ms;
    h->off[0] = 0;
    uint64_t delta = 0;
    for (int i = 1; i < n; i++) {
        uint64_t d = (uint64_t)pts[i].t_ms - (uint64_t)pts[i - 1].t_ms;
        ts_put(&w, (int64_t)(d - delta));
        delta = d;
    }
    bw_flush(&w);
    for (int k = 0; k < CHUNK_STREAMS; k++) {
        h->off[1 + k] = (uint32_t)w.len;
        val_t x = { .lead = -1 };
        for (int i = 0; i < n; i++) {
            double v = 0;
            bool ok = chunk_point_get(&pts[i], k, &v);
            val_put(&w, &x, ok, v);
        }
        bw_flush(&w);
    }
    h->off[CHUNK_STREAMS + 1] = (uint32_t)w.len;
    memset(dst + w.len, 0, 8);   /* read slack */
    return w.len + 8;
}

int chunk_decode(const chunk_hdr_t *h, const uint8_t *src, const int64_t *t, int k, int from,
                 int64_t t0, int64_t t1, int64_t t_since, int64_t *ts, double *vs)
{
    val_t r;
    chunk_reader_init(&r, h, src, k);
    int m = 0;
    if (t0 < t_since)
        t0 = t_since;
    for (int i = 0; i < h->n && t[i] <= t1; i++) {
        double v;
        if (!val_get(&r, &v) || i < from || t[i] < t0)
            continue;
        ts[m] = t[i];
        vs[m] = v;
        m++;
    }
    return m;
}

void chunk_decode_point(const chunk_hdr_t *h, const uint8_t *src, int i, point_t *out)
{
    int64_t t[CHUNK_POINTS];
    chunk_times(h, src, t);
    memset(out, 0, sizeof *out);
    out->t_ms = t[i];
    for (int k = 0; k < CHUNK_STREAMS; k++) {
        val_t r;
        chunk_reader_init(&r, h, src, k);
        double v = 0;
        bool ok = false;
        for (int j = 0; j <= i; j++)
            ok = val_get(&r, &v);
        if (ok)
            chunk_point_set(out, k, v);
    }
}
