/* window.c — per-member ring of compressed scrape points (see window.h).
 *
 * The ring is allocated once by series_init(); pushing never allocates: the
 * newest points wait uncompressed in the head, a full head is compressed into
 * the next chunk slot (chunk.c), the oldest chunk is dropped once the newest
 * cap points no longer need it. Points
 * are kept in push order, which is time order: a point not newer than the
 * newest stored one is ignored, as Prometheus' TSDB rejects out-of-order and
 * duplicate-timestamp samples (the first one written wins). Histogram bucket
 * bounds are stored once per series; a point carries only the cumulative
 * counts, valid for the layout stored at the time it was pushed (a new layout
 * drops the older points of that histogram through hist_since). */
#include "window.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "chunk.h"

/* Unused pages of a chunk slot go back to the system: every page the old
 * chunk touched (including the one its last byte is on) past the new one's,
 * but never a page the next slot shares. */
static void slot_trim(uint8_t *slot, size_t keep, size_t had)
{
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = ((uintptr_t)slot + keep + pg - 1) & ~(pg - 1);
    uintptr_t to = ((uintptr_t)slot + had + pg - 1) & ~(pg - 1);
    uintptr_t end = ((uintptr_t)slot + CHUNK_MAX_BYTES) & ~(pg - 1);
    if (to > end)
        to = end;
    if (to > from)
        madvise((void *)from, to - from, MADV_DONTNEED);
}

int series_init(series_t *s, int cap)
{
    memset(s, 0, sizeof *s);
    if (cap <= 0)
        return -1;
    s->cap = cap;
    /* Enough slots: a seal keeps at most ceil((cap - 1) / CHUNK_POINTS). */
    s->nch_cap = cap > 1 ? (cap - 2) / CHUNK_POINTS + 1 : 1;
    s->head = calloc(CHUNK_POINTS, sizeof *s->head);
    s->hdr = calloc((size_t)s->nch_cap, sizeof *s->hdr);
    s->used = calloc((size_t)s->nch_cap, sizeof *s->used);
    s->times = calloc((size_t)s->nch_cap * CHUNK_POINTS, sizeof *s->times);
    /* Scratch, written before read: not cleared, so that only the pages a
     * from-scratch evaluation uses become resident. */
    s->scr_t = malloc((size_t)cap * sizeof *s->scr_t);
    s->scr_v = malloc((size_t)cap * sizeof *s->scr_v);
    s->scr_p = calloc(1, sizeof *s->scr_p);
    /* Reserved for the worst case; only the pages chunks fill are resident. */
    void *d = mmap(NULL, (size_t)s->nch_cap * CHUNK_MAX_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    s->data = d == MAP_FAILED ? NULL : d;
    if (!s->head || !s->hdr || !s->used || !s->times || !s->scr_t || !s->scr_v || !s->scr_p || !s->data) {
        series_free(s);
        return -1;
    }
    series_clear(s);
    return 0;
}

void series_free(series_t *s)
{
    free(s->head);
    free(s->hdr);
    free(s->used);
    free(s->times);
    free(s->scr_t);
    free(s->scr_v);
    free(s->scr_p);
    if (s->data)
        munmap(s->data, (size_t)s->nch_cap * CHUNK_MAX_BYTES);
    memset(s, 0, sizeof *s);
}

/* Forget every point and every stored layout; the ring stays allocated. */
void series_clear(series_t *s)
{
    s->gen++;
    s->n = 0;
    s->head_n = 0;
    s->ch_first = s->ch_n = 0;
    memset(s->hn, 0, sizeof s->hn);
    memset(s->hle, 0, sizeof s->hle);
    for (int k = 0; k < WH_COUNT; k++)
        s->hist_since[k] = INT64_MIN;
}

/* Points stored (chunks are always full), and the oldest ones not visible. */
static int series_stored(const series_t *s)
{
    return s->ch_n * CHUNK_POINTS + s->head_n;
}

static int series_skip(const series_t *s)
{
    return series_stored(s) - s->n;
}

static int slot_of(const series_t *s, int c)
{
    return (s->ch_first + c) % s->nch_cap;
}

/* Drop histogram k's points older than t (the bits of older points read as
 * clear). */
static void point_mask(const series_t *s, point_t *p)
{
    for (int k = 0; k < WH_COUNT; k++)
        if (p->t_ms < s->hist_since[k])
            p->hist_ok &= ~(1u << k);
}

int64_t series_begin(const series_t *s)
{
    return s->pushed - s->n;
}

int64_t series_stored_begin(const series_t *s)
{
    return s->pushed - series_stored(s);
}

void series_locate(const series_t *s, int64_t a, series_loc_t *loc)
{
    int j = (int)(a - series_stored_begin(s));
    if (j >= s->ch_n * CHUNK_POINTS) {
        loc->p = &s->head[j - s->ch_n * CHUNK_POINTS];
        loc->t_ms = loc->p->t_ms;
        return;
    }
    int slot = slot_of(s, j / CHUNK_POINTS);
    loc->p = NULL;
    loc->h = &s->hdr[slot];
    loc->src = s->data + (size_t)slot * CHUNK_MAX_BYTES;
    loc->i = j % CHUNK_POINTS;
    loc->t_ms = s->times[(size_t)slot * CHUNK_POINTS + (size_t)loc->i];
}

const point_t *series_at(const series_t *s, int i)
{
    if (i < 0 || i >= s->n)
        return NULL;
    int j = series_skip(s) + i;
    if (j < s->ch_n * CHUNK_POINTS) {
        int slot = slot_of(s, j / CHUNK_POINTS);
        chunk_decode_point(&s->hdr[slot], s->data + (size_t)slot * CHUNK_MAX_BYTES,
                           j % CHUNK_POINTS, s->scr_p);
    } else {
        *s->scr_p = s->head[j - s->ch_n * CHUNK_POINTS];
    }
    point_mask(s, s->scr_p);
    return s->scr_p;
}

int series_values(const series_t *s, int k, int64_t t0, int64_t t1, const int64_t **ts,
                  const double **vs)
{
    *ts = s->scr_t;
    *vs = s->scr_v;
    if (k < 0 || k >= CHUNK_STREAMS || s->n <= 0)
        return 0;
    int hk = k - chunk_stream_hist(0, 0);
    int64_t since = hk >= 0 ? s->hist_since[hk / WINDOW_HIST_BUCKETS] : INT64_MIN;
    int skip = series_skip(s), m = 0;
    for (int c = 0; c < s->ch_n; c++) {
        int base = c * CHUNK_POINTS, slot = slot_of(s, c);
        const chunk_hdr_t *h = &s->hdr[slot];
        if (base + CHUNK_POINTS <= skip || h->t_last < t0 || h->t_last < since)
            continue;
        if (h->t_first > t1)
            return m;
        m += chunk_decode(h, s->data + (size_t)slot * CHUNK_MAX_BYTES,
                          s->times + (size_t)slot * CHUNK_POINTS, k,
                          skip > base ? skip - base : 0, t0, t1, since, s->scr_t + m,
                          s->scr_v + m);
    }
    int base = s->ch_n * CHUNK_POINTS;
    for (int j = skip > base ? skip - base : 0; j < s->head_n; j++) {
        const point_t *p = &s->head[j];
        if (p->t_ms > t1)
            break;
        double v;
        if (p->t_ms < t0 || p->t_ms < since || !chunk_point_get(p, k, &v))
            continue;
        s->scr_t[m] = p->t_ms;
        s->scr_v[m] = v;
        m++;
    }
    return m;
}

static int bits_count(uint32_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

void series_usage(const series_t *s, ring_usage_t *u)
{
    long pg = sysconf(_SC_PAGESIZE);
    u->held_bytes += (long)sizeof(point_t) * (CHUNK_POINTS + 1) +
                     (long)(sizeof(chunk_hdr_t) + sizeof(size_t) +
                            sizeof(int64_t) * CHUNK_POINTS) * s->nch_cap +
                     (long)(sizeof(int64_t) + sizeof(double)) * s->cap;
    for (int i = 0; i < s->n; i++) {
        const point_t *p = series_at(s, i);
        long v = bits_count(p->counter_ok) + bits_count(p->gauge_ok);
        for (int k = 0; k < WH_COUNT; k++)
            if (p->hist_ok & (1u << k))
                v += s->hn[k];
        u->samples += v;
        if (series_skip(s) + i < s->ch_n * CHUNK_POINTS)
            u->chunk_samples += v;
    }
    for (int c = 0; c < s->ch_n; c++) {
        long b = (long)s->used[slot_of(s, c)];
        u->chunk_bytes += b + (long)sizeof(chunk_hdr_t);
        u->held_bytes += (b + pg - 1) / pg * pg;
    }
}

/* Two bucket bounds are the same bound (NaN matches NaN, so that a layout
 * compares equal to itself). */
static bool le_same(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* Does the layout h equal the one stored for histogram k? */
static bool layout_same(const series_t *s, int k, const hist_t *h)
{
    if (s->hn[k] != h->n)
        return false;
    for (int i = 0; i < h->n; i++)
        if (!le_same(s->hle[k][i], h->le[i]))
            return false;
    return true;
}

/* The head is full: compress it into a chunk slot, first dropping the oldest
 * chunks that the next point leaves out of the newest cap. */
static void series_seal(series_t *s)
{
    while (s->ch_n > 0 && (series_stored(s) + 1 - CHUNK_POINTS >= s->cap ||
                           s->ch_n == s->nch_cap)) {
        s->ch_first = (s->ch_first + 1) % s->nch_cap;
        s->ch_n--;
    }
    int slot = slot_of(s, s->ch_n);
    uint8_t *dst = s->data + (size_t)slot * CHUNK_MAX_BYTES;
    size_t had = s->used[slot];
    s->used[slot] = chunk_encode(s->head, s->head_n, dst, &s->hdr[slot]);
    slot_trim(dst, s->used[slot], had);
    chunk_times(&s->hdr[slot], dst, s->times + (size_t)slot * CHUNK_POINTS);
    s->ch_n++;
    s->head_n = 0;
}

/* Append p. For each histogram the point has (its hist_ok bit), layouts[k]
 * gives its le bounds: a missing, unknown or oversized (> WINDOW_HIST_BUCKETS)
 * layout makes the histogram unknown in this point; a layout that differs from
 * the stored one drops the histogram's older history and becomes the stored
 * layout. A point whose time is not after the newest stored point's is
 * ignored (Prometheus keeps the first sample of a timestamp and rejects
 * out-of-order ones). */
void series_push(series_t *s, const point_t *p, const hist_t *layouts[WH_COUNT])
{
    if (s->cap <= 0)
        return;
    if (s->n > 0) {
        int64_t last = s->head_n > 0 ? s->head[s->head_n - 1].t_ms
                                     : s->hdr[slot_of(s, s->ch_n - 1)].t_last;
        if (p->t_ms <= last)
            return;
    }
    point_t q = *p;
    for (int k = 0; k < WH_COUNT; k++) {
        if (!(q.hist_ok & (1u << k)))
            continue;
        const hist_t *h = layouts ? layouts[k] : NULL;
        if (h == NULL || !h->ok || h->n <= 0 || h->n > WINDOW_HIST_BUCKETS) {
            q.hist_ok &= ~(1u << k);
            continue;
        }
        if (!layout_same(s, k, h)) {
            s->hist_since[k] = q.t_ms;
            s->hn[k] = h->n;
            memset(s->hle[k], 0, sizeof s->hle[k]);
            memcpy(s->hle[k], h->le, sizeof(double) * (size_t)h->n);
        }
    }
    if (s->head_n == CHUNK_POINTS)
        series_seal(s);
    s->head[s->head_n++] = q;
    s->pushed++;
    if (s->n < s->cap)
        s->n++;
}

/* Store v as counter/gauge field k of a bit set when it is known. */
static void put(double *dst, uint32_t *bits, int k, bool ok, double v)
{
    if (!ok)
        return;
    dst[k] = v;
    *bits |= 1u << k;
}

/* gRPC codes that mean the server failed (etcd mixin's error ratio). */
static const int grpc_failed_codes[] = {
    GRPC_UNKNOWN, GRPC_FAILED_PRECONDITION, GRPC_RESOURCE_EXHAUSTED, GRPC_INTERNAL,
    GRPC_UNAVAILABLE, GRPC_DATA_LOSS, GRPC_DEADLINE_EXCEEDED,
};

/* Copy histogram h's cumulative counts as histogram k of p when it is known
 * and fits (an oversized histogram stays unknown rather than truncated: a
 * truncated bucket list would give quantiles Prometheus does not). */
static void put_hist(point_t *p, int k, const hist_t *h)
{
    if (!h->ok || h->n <= 0 || h->n > WINDOW_HIST_BUCKETS)
        return;
    memcpy(p->hcum[k], h->cum, sizeof(double) * (size_t)h->n);
    p->hist_ok |= 1u << k;
}

void point_from_sample(point_t *p, int64_t t_ms, const member_sample_t *m,
                       double probe_read_ms, double probe_write_ms)
{
    memset(p, 0, sizeof *p);
    p->t_ms = t_ms;
    const metrics_sample_t *x = &m->m;
    const status_sample_t *st = &m->s;
    bool mo = m->metrics_ok;

    put(p->counter, &p->counter_ok, WC_LEADER_CHANGES, mo && x->leader_changes.ok,
        x->leader_changes.v);
    put(p->counter, &p->counter_ok, WC_PROPOSALS_COMMITTED, mo && x->proposals_committed.ok,
        x->proposals_committed.v);
    put(p->counter, &p->counter_ok, WC_PROPOSALS_APPLIED, mo && x->proposals_applied.ok,
        x->proposals_applied.v);
    put(p->counter, &p->counter_ok, WC_PROPOSALS_FAILED, mo && x->proposals_failed.ok,
        x->proposals_failed.v);
    put(p->counter, &p->counter_ok, WC_SLOW_APPLIES, mo && x->slow_applies.ok,
        x->slow_applies.v);
    put(p->counter, &p->counter_ok, WC_SLOW_READ_INDEXES, mo && x->slow_read_indexes.ok,
        x->slow_read_indexes.v);
    put(p->counter, &p->counter_ok, WC_HEARTBEAT_FAILURES, mo && x->heartbeat_failures.ok,
        x->heartbeat_failures.v);
    put(p->counter, &p->counter_ok, WC_CPU_SECONDS, mo && x->cpu_seconds.ok, x->cpu_seconds.v);
    if (mo && x->grpc_ok) {
        double total = 0, failed = 0;
        for (int c = 0; c < GRPC_CODE_COUNT; c++)
            total += x->grpc_handled[c];
        for (size_t i = 0; i < sizeof grpc_failed_codes / sizeof grpc_failed_codes[0]; i++)
            failed += x->grpc_handled[grpc_failed_codes[i]];
        put(p->counter, &p->counter_ok, WC_GRPC_TOTAL, true, total);
        put(p->counter, &p->counter_ok, WC_GRPC_FAILED, true, failed);
    }

    /* db sizes: the status answer when there is one, else /metrics. */
    if (st->ok) {
        put(p->gauge, &p->gauge_ok, WG_DB_SIZE, true, (double)st->db_size);
        put(p->gauge, &p->gauge_ok, WG_DB_SIZE_IN_USE, true, (double)st->db_size_in_use);
    } else {
        put(p->gauge, &p->gauge_ok, WG_DB_SIZE, mo && x->db_size.ok, x->db_size.v);
        put(p->gauge, &p->gauge_ok, WG_DB_SIZE_IN_USE, mo && x->db_size_in_use.ok,
            x->db_size_in_use.v);
    }
    put(p->gauge, &p->gauge_ok, WG_QUOTA, mo && x->quota.ok, x->quota.v);
    put(p->gauge, &p->gauge_ok, WG_PROPOSALS_PENDING, mo && x->proposals_pending.ok,
        x->proposals_pending.v);
    put(p->gauge, &p->gauge_ok, WG_RSS, mo && x->rss.ok, x->rss.v);
    put(p->gauge, &p->gauge_ok, WG_OPEN_FDS, mo && x->open_fds.ok, x->open_fds.v);
    put(p->gauge, &p->gauge_ok, WG_WATCHERS, mo && x->watchers.ok, x->watchers.v);
    put(p->gauge, &p->gauge_ok, WG_RAFT_INDEX, st->ok, (double)st->raft_index);
    put(p->gauge, &p->gauge_ok, WG_RAFT_APPLIED_INDEX, st->ok, (double)st->raft_applied_index);
    put(p->gauge, &p->gauge_ok, WG_RAFT_TERM, st->ok, (double)st->raft_term);
    put(p->gauge, &p->gauge_ok, WG_IS_LEADER, mo && x->is_leader.ok, x->is_leader.v);
    put(p->gauge, &p->gauge_ok, WG_HAS_LEADER, mo && x->has_leader.ok, x->has_leader.v);
    put(p->gauge, &p->gauge_ok, WG_PROBE_READ_MS, !isnan(probe_read_ms), probe_read_ms);
    put(p->gauge, &p->gauge_ok, WG_PROBE_WRITE_MS, !isnan(probe_write_ms), probe_write_ms);

    if (mo) {
        put_hist(p, WH_WAL_FSYNC, &x->wal_fsync);
        put_hist(p, WH_BACKEND_COMMIT, &x->backend_commit);
        put_hist(p, WH_PEER_RTT, &x->peer_rtt);
    }
}
