/* window.c — per-member ring of compact scrape points (see window.h).
 *
 * The ring is allocated once by series_init(); pushing never allocates. Points
 * are kept in push order, which is time order: a point not newer than the
 * newest stored one is ignored, as Prometheus' TSDB rejects out-of-order and
 * duplicate-timestamp samples (the first one written wins). Histogram bucket
 * bounds are stored once per series; a point carries only the cumulative
 * counts, valid for the layout stored at the time it was pushed. */
#include "window.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int series_init(series_t *s, int cap)
{
    memset(s, 0, sizeof *s);
    if (cap <= 0)
        return -1;
    s->pts = calloc((size_t)cap, sizeof *s->pts);
    if (s->pts == NULL)
        return -1;
    s->cap = cap;
    return 0;
}

void series_free(series_t *s)
{
    free(s->pts);
    memset(s, 0, sizeof *s);
}

/* Forget every point and every stored layout; the ring stays allocated. */
void series_clear(series_t *s)
{
    s->head = 0;
    s->n = 0;
    memset(s->hn, 0, sizeof s->hn);
    memset(s->hle, 0, sizeof s->hle);
}

/* Slot in pts of the i-th point from the oldest (0 <= i < n). */
static int ring_slot(const series_t *s, int i)
{
    int k = s->head - s->n + i;
    return k < 0 ? k + s->cap : k;
}

const point_t *series_at(const series_t *s, int i)
{
    if (i < 0 || i >= s->n)
        return NULL;
    return &s->pts[ring_slot(s, i)];
}

static int bits_count(uint32_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

void series_usage(const series_t *s, long *bytes, long *samples)
{
    *bytes += (long)s->cap * (long)sizeof(point_t);
    for (int i = 0; i < s->n; i++) {
        const point_t *p = series_at(s, i);
        *samples += bits_count(p->counter_ok) + bits_count(p->gauge_ok);
        for (int k = 0; k < WH_COUNT; k++)
            if (p->hist_ok & (1u << k))
                *samples += s->hn[k];
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

/* Drop histogram k's history: its bit is cleared in every stored point. */
static void hist_forget(series_t *s, int k)
{
    for (int i = 0; i < s->n; i++)
        s->pts[ring_slot(s, i)].hist_ok &= ~(1u << k);
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
    if (s->n > 0 && p->t_ms <= series_at(s, s->n - 1)->t_ms)
        return;
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
            hist_forget(s, k);
            s->hn[k] = h->n;
            memset(s->hle[k], 0, sizeof s->hle[k]);
            memcpy(s->hle[k], h->le, sizeof(double) * (size_t)h->n);
        }
    }
    s->pts[s->head] = q;
    s->head = (s->head + 1) % s->cap;
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
