/* chunk.h — a fixed run of scrape points compressed the way Prometheus' TSDB
 * compresses chunks: delta-of-delta timestamps and XOR-encoded floats (Gorilla),
 * one bit stream per value (column) so a single figure decodes on its own.
 *
 * A value stream codes each point's value after a whole number as the change of
 * step (delta-of-delta, like the timestamps: '0' for a counter growing as fast
 * as before or a constant), after anything else as Gorilla's XOR against the
 * previous value ('0' when equal); an unknown value costs 3 or 5 bits. Values
 * round-trip bit for bit (NaN payloads, -0, infinities). */
#ifndef EM_CHUNK_H
#define EM_CHUNK_H

#include <stddef.h>
#include <stdint.h>
#include "window.h"

#define CHUNK_POINTS  120
/* Streams: counters, gauges, then each histogram's buckets. */
#define CHUNK_STREAMS (WC_COUNT + WG_COUNT + WH_COUNT * WINDOW_HIST_BUCKETS)
/* Worst case: 68 bits per timestamp, 77 per value, byte padding, read slack. */
#define CHUNK_MAX_BYTES \
    ((size_t)CHUNK_POINTS * (9 + 10 * CHUNK_STREAMS) + CHUNK_STREAMS + 1 + 16)

/* Where each stream lies in the chunk's bytes (off[0] the timestamps, off[1 + k]
 * value stream k, off[CHUNK_STREAMS + 1] the end). */
typedef struct chunk_hdr {
    int      n;
    int64_t  t_first, t_last;
    uint32_t off[CHUNK_STREAMS + 2];
} chunk_hdr_t;

/* Stream index of counter k, gauge k, bucket b of histogram k. */
static inline int chunk_stream_counter(int k) { return k; }
static inline int chunk_stream_gauge(int k) { return WC_COUNT + k; }
static inline int chunk_stream_hist(int k, int b)
{
    return WC_COUNT + WG_COUNT + k * WINDOW_HIST_BUCKETS + b;
}

/* Value of stream k in p: false when p has none. Set it (known) in p. */
bool chunk_point_get(const point_t *p, int k, double *v);
void chunk_point_set(point_t *p, int k, double v);

/* Compress pts[0..n) (1 <= n <= CHUNK_POINTS, times increasing) into dst
 * (CHUNK_MAX_BYTES) and describe it in *h. Returns the bytes used. */
size_t chunk_encode(const point_t *pts, int n, uint8_t *dst, chunk_hdr_t *h);

/* The chunk's point times into t[0..n). */
void chunk_times(const chunk_hdr_t *h, const uint8_t *src, int64_t *t);
/* Stream k's known values at points [from, n) whose time is in [t0, t1] and
 * not before t_since, appended to ts/vs; returns how many. t = chunk_times(). */
int chunk_decode(const chunk_hdr_t *h, const uint8_t *src, const int64_t *t, int k, int from,
                 int64_t t0, int64_t t1, int64_t t_since, int64_t *ts, double *vs);

/* A reader of one value stream of a chunk, point after point: the bit
 * position and the decoder's state (previous value, step, XOR window). */
typedef struct {
    const uint8_t *p;
    size_t   pos;                        /* in bits */
    uint64_t prev;
    int64_t  prev_i, step;
    int      lead, trail;                /* XOR window; lead < 0 before the first */
    bool     prev_int;
} chunk_reader_t;

/* Start reading stream k of the chunk at its first point. */
void chunk_reader_init(chunk_reader_t *r, const chunk_hdr_t *h, const uint8_t *src, int k);
/* The next point's value: false when it has none (the point is still read). */
bool chunk_reader_next(chunk_reader_t *r, double *v);

/* Point i of the chunk, whole (unknown values 0). */
void chunk_decode_point(const chunk_hdr_t *h, const uint8_t *src, int i, point_t *out);

#endif
