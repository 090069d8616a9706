/* stats.c — window figures, lags, trends and cluster health for each poll. */
#include "stats.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "histogram.h"
#include "slide.h"
#include "window.h"

/* One member's history: its ring of scrapes and its sparkline figures. */
typedef struct {
    char     key[64];              /* member name */
    bool     used;
    bool     seen_this_poll;
    series_t series;
    slide_t  slide[FIG_MAX_WINDOWS];   /* each window's state over series */
    member_history_t *h;           /* its rings in stats.hist, NULL when out of memory */
    double   frag_recent[10];      /* the seed's trend analysis: last 10 samples */
    int      frag_n;
} track_t;

struct stats {
    int      n_windows;
    int64_t  window_ms[FIG_MAX_WINDOWS];
    int      ring_cap;
    track_t  tracks[CLUSTER_MAX_MEMBERS];
    int      n_tracks;             /* slots in use are below it (so a poll of 5 members
                                      touches 5 tracks, not CLUSTER_MAX_MEMBERS) */
    history_set_t hist;            /* the tracks' figure histories (by name) */
    uint64_t last_leader;          /* the last leader seen (0 = none yet) */
    bool     leader_lost;          /* no leader since last_leader */
    double   no_leader_since;      /* wall time the leader was lost, 0 when one is */
    long     polls;
};

stats_t *stats_new(int n_windows, const int64_t *window_ms, int interval_ms)
{
    stats_t *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    int64_t longest = 0;
    st->n_windows = n_windows < FIG_MAX_WINDOWS ? n_windows : FIG_MAX_WINDOWS;
    for (int i = 0; i < st->n_windows; i++) {
        st->window_ms[i] = window_ms[i];
        if (window_ms[i] > longest)
            longest = window_ms[i];
    }
    /* Enough points for the longest window plus a margin for jitter. */
    st->ring_cap = (int)(longest / (interval_ms > 0 ? interval_ms : 1000)) + 3;
    return st;
}

/* A track's ring and window states. */
static void track_free(track_t *t)
{
    series_free(&t->series);
    for (int w = 0; w < FIG_MAX_WINDOWS; w++)
        slide_free(&t->slide[w]);
}

void stats_free(stats_t *st)
{
    if (!st)
        return;
    for (int i = 0; i < st->n_tracks; i++)
        if (st->tracks[i].used)
            track_free(&st->tracks[i]);
    history_free(&st->hist);
    free(st);
}

void stats_ring_usage(const stats_t *st, ring_usage_t *u)
{
    memset(u, 0, sizeof *u);
    for (int i = 0; i < st->n_tracks; i++)
        if (st->tracks[i].used) {
            series_usage(&st->tracks[i].series, u);
            for (int w = 0; w < st->n_windows; w++)
                slide_usage(&st->tracks[i].slide[w], u);
        }
}

/* The track of a member, created on first sight; NULL when out of memory.
 * hint: where it probably is (its index in the snapshot: tracks are made in
 * member order, so a lookup is one compare, not a scan of 1,000 names). */
static track_t *stats_track(stats_t *st, const char *name, int hint)
{
    if (hint >= 0 && hint < st->n_tracks && st->tracks[hint].used &&
        strcmp(st->tracks[hint].key, name) == 0)
        return &st->tracks[hint];
    track_t *free_slot = NULL;
    for (int i = 0; i < st->n_tracks; i++) {
        track_t *t = &st->tracks[i];
        if (t->used && strcmp(t->key, name) == 0)
            return t;
        if (!t->used && !free_slot)
            free_slot = t;
    }
    if (!free_slot && st->n_tracks < CLUSTER_MAX_MEMBERS)
        free_slot = &st->tracks[st->n_tracks++];
    if (!free_slot)
        return NULL;
    memset(free_slot, 0, sizeof(*free_slot));
    if (series_init(&free_slot->series, st->ring_cap) != 0)
        return NULL;
    for (int w = 0; w < st->n_windows; w++)
        if (slide_init(&free_slot->slide[w], st->window_ms[w], st->ring_cap) != 0) {
            track_free(free_slot);
            return NULL;
        }
    snprintf(free_slot->key, sizeof(free_slot->key), "%s", name);
    free_slot->used = true;
    free_slot->h = history_member(&st->hist, name);   /* NULL: no graphs, figures go on */
    return free_slot;
}

static double opt(bool ok, double v)
{
    return ok ? v : NAN;
}

/* Every figure of a window unknown. */
static void stats_window_unknown(window_figures_t *f)
{
    double *d = (double *)f;
    for (size_t i = 0; i < sizeof(*f) / sizeof(double); i++)
        d[i] = NAN;
}

/* Fill one window's figures from a member's ring. */
static void stats_window(const series_t *s, slide_t *sl, int64_t t, window_figures_t *f)
{
    double v;
    int64_t w = sl->range_ms;
    slide_advance(sl, s, t);
    hist_t wal, be, rtt;   /* each histogram's bucket rates, computed once */
    bool has_wal = slide_hist_rate(sl, s, WH_WAL_FSYNC, &wal);
    bool has_be = slide_hist_rate(sl, s, WH_BACKEND_COMMIT, &be);
    bool has_rtt = slide_hist_rate(sl, s, WH_PEER_RTT, &rtt);
#define Q(field, ok, h, q) f->field = (ok) ? hist_quantile(q, &(h)) * 1000.0 : NAN
    Q(wal_p50, has_wal, wal, 0.50);
    Q(wal_p95, has_wal, wal, 0.95);
    Q(wal_p99, has_wal, wal, 0.99);
    Q(backend_p50, has_be, be, 0.50);
    Q(backend_p95, has_be, be, 0.95);
    Q(backend_p99, has_be, be, 0.99);
    Q(peer_rtt_p99, has_rtt, rtt, 0.99);
#undef Q
    /* The basis of each p99: observations over the window (rate * range is
     * increase()) and its bucket. */
    double range_s = (double)w / 1000.0;
#define B(field, ok, h, n, lo, hi)                                                             \
    do {                                                                                       \
        f->n = f->lo = f->hi = NAN;                                                            \
        if (ok) {                                                                              \
            f->n = hist_observations(&(h)) * range_s;                                          \
            hist_quantile_bucket(0.99, &(h), &f->lo, &f->hi);                                  \
            f->lo *= 1000.0;                                                                   \
            f->hi *= 1000.0;                                                                   \
        }                                                                                      \
    } while (0)
    B(wal_p99, has_wal, wal, wal_n, wal_p99_lo, wal_p99_hi);
    B(backend_p99, has_be, be, backend_n, backend_p99_lo, backend_p99_hi);
    B(peer_rtt_p99, has_rtt, rtt, peer_rtt_n, peer_rtt_p99_lo, peer_rtt_p99_hi);
#undef B
#define G(field, gauge, q) f->field = slide_quantile_over_time(sl, s, gauge, q, &v) ? v : NAN
    G(read_p50, WG_PROBE_READ_MS, 0.50);
    G(read_p95, WG_PROBE_READ_MS, 0.95);
    G(read_p99, WG_PROBE_READ_MS, 0.99);
    G(write_p50, WG_PROBE_WRITE_MS, 0.50);
    G(write_p95, WG_PROBE_WRITE_MS, 0.95);
    G(write_p99, WG_PROBE_WRITE_MS, 0.99);
#undef G
#define I(field, ctr) f->field = slide_increase(sl, s, ctr, &v) ? v : NAN
#define R(field, ctr) f->field = slide_rate(sl, s, ctr, &v) ? v : NAN
    I(leader_changes, WC_LEADER_CHANGES);
    I(slow_applies, WC_SLOW_APPLIES);
    I(slow_read_indexes, WC_SLOW_READ_INDEXES);
    R(proposals_committed_rate, WC_PROPOSALS_COMMITTED);
    R(proposals_applied_rate, WC_PROPOSALS_APPLIED);
    R(proposals_failed_rate, WC_PROPOSALS_FAILED);
    R(grpc_rate, WC_GRPC_TOTAL);
    R(cpu_rate, WC_CPU_SECONDS);
#undef I
#undef R
    double failed;
    if (slide_rate(sl, s, WC_GRPC_FAILED, &failed) && !isnan(f->grpc_rate))
        f->grpc_failed_ratio = f->grpc_rate > 0 ? failed / f->grpc_rate : 0;
    else
        f->grpc_failed_ratio = NAN;
    f->db_growth_per_s = slide_deriv(sl, s, WG_DB_SIZE, &v) ? v : NAN;
    /* Time to quota: where the least-squares line over the window meets it. */
    f->quota_eta_s = NAN;
    double size, quota;
    if (!isnan(f->db_growth_per_s) && slide_last(sl, s, WG_DB_SIZE, &size) &&
        slide_last(sl, s, WG_QUOTA, &quota) && quota > 0) {
        double now_fit;
        if (f->db_growth_per_s <= 0)
            f->quota_eta_s = INFINITY;
        else if (slide_predict_linear(sl, s, WG_DB_SIZE, 0, &now_fit))
            f->quota_eta_s = fmax(0.0, (quota - now_fit) / f->db_growth_per_s);
    }
}

/* The bounds (ms) of the bucket of layout h that value v (ms) lies in: what
 * histogram_quantile interpolated in. NAN when unknown. */
static void stats_ext_bucket(double v, const hist_t *h, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (isnan(v) || !h->ok)
        return;
    for (int i = 0; i < h->n; i++)
        if (h->le[i] * 1000.0 >= v) {
            *lo = i > 0 ? h->le[i - 1] * 1000.0 : 0;
            *hi = h->le[i] * 1000.0;
            return;
        }
}

/* A source's own window latencies (Prometheus' answers) replace the ring's. */
static void stats_window_ext(const ext_latency_t *x, const metrics_sample_t *m,
                             window_figures_t *f)
{
    f->wal_p50 = x->wal_p50;
    f->wal_p95 = x->wal_p95;
    f->wal_p99 = x->wal_p99;
    f->backend_p50 = x->backend_p50;
    f->backend_p95 = x->backend_p95;
    f->backend_p99 = x->backend_p99;
    f->peer_rtt_p99 = x->peer_rtt_p99;
    f->wal_n = x->wal_n;
    f->backend_n = x->backend_n;
    f->peer_rtt_n = x->peer_rtt_n;
    stats_ext_bucket(f->wal_p99, &m->wal_fsync, &f->wal_p99_lo, &f->wal_p99_hi);
    stats_ext_bucket(f->backend_p99, &m->backend_commit, &f->backend_p99_lo, &f->backend_p99_hi);
    stats_ext_bucket(f->peer_rtt_p99, &m->peer_rtt, &f->peer_rtt_p99_lo, &f->peer_rtt_p99_hi);
}

/* Append this poll's headline figures (at t, seconds) to the member's histories. */
static void stats_history_push(track_t *tr, const member_view_t *m, double t)
{
    const window_figures_t *w0 = &m->fig.w[0];
    const metrics_sample_t *mm = &m->sample.m;
    double v[HIST_COUNT] = {
        [HIST_WAL_P99] = m->iv.wal_p99_ms,
        [HIST_BACKEND_P99] = m->iv.backend_p99_ms,
        [HIST_PEER_RTT_P99] = m->iv.peer_rtt_p99_ms,
        [HIST_READ_MS] = m->fig.probe_read_ms,
        [HIST_WRITE_MS] = m->fig.probe_write_ms,
        [HIST_DB_SIZE] = opt(m->iv.db_size.ok, m->iv.db_size.v),
        [HIST_DB_IN_USE] = opt(m->iv.db_size_in_use.ok, m->iv.db_size_in_use.v),
        [HIST_FRAGMENTATION] = opt(m->iv.fragmentation_pct.ok, m->iv.fragmentation_pct.v),
        [HIST_PROPOSALS_COMMITTED_RATE] = w0->proposals_committed_rate,
        [HIST_PROPOSALS_FAILED_RATE] = w0->proposals_failed_rate,
        [HIST_PROPOSALS_PENDING] = opt(mm->proposals_pending.ok, mm->proposals_pending.v),
        [HIST_LEADER_CHANGES] = opt(m->iv.leader_changes.ok, m->iv.leader_changes.v),
        [HIST_SLOW_APPLIES] = opt(m->iv.slow_ops.ok, m->iv.slow_ops.v),
        [HIST_RSS] = opt(mm->rss.ok, mm->rss.v),
    };
    if (!tr->h)
        return;
    for (int f = 0; f < HIST_COUNT; f++)
        v[f] = m->sample.up ? v[f] : NAN;
    history_push(tr->h, t, v);
}

/* The seed's fragmentation trend: the current value against the mean of the
 * last 10 samples, more than 5 points apart = rising/falling. */
static trend_t stats_frag_trend(track_t *tr, const member_view_t *m)
{
    if (!m->iv.fragmentation_pct.ok)
        return TREND_UNKNOWN;
    double cur = m->iv.fragmentation_pct.v;
    trend_t t = TREND_UNKNOWN;
    if (tr->frag_n > 0) {
        int n = tr->frag_n < 10 ? tr->frag_n : 10;
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += tr->frag_recent[i];
        double d = cur - sum / n;
        t = d > 5 ? TREND_RISING : d < -5 ? TREND_FALLING : TREND_STABLE;
    }
    tr->frag_recent[tr->frag_n % 10] = cur;
    tr->frag_n++;
    return t;
}

/* The name of member id in the snapshot, or its id in hex. */
static void stats_member_name(const cluster_snapshot_t *snap, uint64_t id, char *out, size_t len)
{
    snprintf(out, len, "%016" PRIx64, id);
    for (int i = 0; i < snap->n_members; i++)
        if (id && snap->members[i].id == id)
            snprintf(out, len, "%s", snap->members[i].name);
}

/* Leader changes as events, the time without a leader, and a split view. */
static void stats_health(stats_t *st, cluster_snapshot_t *snap)
{
    uint64_t seen[CLUSTER_MAX_MEMBERS];
    int n_seen = 0;
    for (int i = 0; i < snap->n_members; i++) {
        const member_sample_t *sm = &snap->members[i].sample;
        if (!sm->up || !sm->s.ok || !sm->s.leader_id)
            continue;
        bool dup = false;
        for (int j = 0; j < n_seen; j++)
            dup |= seen[j] == sm->s.leader_id;
        if (!dup)
            seen[n_seen++] = sm->s.leader_id;
    }
    snap->split_view = n_seen > 1;
    if (snap->split_view)
        events_add(&snap->events, "split view: reachable members report %d different leaders",
                   n_seen);

    uint64_t now_leader = snap->leader_id;
    if (now_leader) {
        st->no_leader_since = 0;
    } else if (st->no_leader_since == 0 && snap->members_up > 0) {
        st->no_leader_since = snap->t;
    }
    snap->no_leader_s = now_leader || st->no_leader_since == 0 ? 0 : snap->t - st->no_leader_since;

    /* One event when the leader is lost, one when a (new) leader is elected:
     * "from" is always the last leader seen, so a change reads old -> new. */
    char from[64], to[64];
    stats_member_name(snap, st->last_leader, from, sizeof(from));
    stats_member_name(snap, now_leader, to, sizeof(to));
    if (!now_leader && snap->members_up > 0 && st->last_leader && !st->leader_lost) {
        events_add(&snap->events, "leader %s lost: no member sees a leader", from);
        st->leader_lost = true;
    } else if (now_leader && st->polls > 0 && (now_leader != st->last_leader || st->leader_lost)) {
        if (now_leader != st->last_leader)
            events_add(&snap->events, "leader changed from %s to %s (term %" PRIu64 ")",
                       st->last_leader ? from : "none", to, snap->raft_term);
        else
            events_add(&snap->events, "leader %s re-elected (term %" PRIu64 ")", to,
                       snap->raft_term);
    }
    if (now_leader) {
        st->last_leader = now_leader;
        st->leader_lost = false;
    }
}

void stats_update(stats_t *st, cluster_snapshot_t *snap)
{
    int64_t t_ms = (int64_t)llround(snap->t * 1000.0);
    snap->n_windows = st->n_windows;
    memcpy(snap->window_ms, st->window_ms, sizeof(snap->window_ms));
    for (int i = 0; i < st->n_tracks; i++)
        st->tracks[i].seen_this_poll = false;

    uint64_t leader_index = 0;
    for (int i = 0; i < snap->n_members; i++) {
        const member_sample_t *sm = &snap->members[i].sample;
        if (sm->up && sm->s.ok && sm->s.member_id && sm->s.member_id == snap->leader_id)
            leader_index = sm->s.raft_index;
    }

    for (int i = 0; i < snap->n_members; i++) {
        member_view_t *m = &snap->members[i];
        member_figures_t *fig = &m->fig;
        fig->probe_read_ms = m->sample.probe_read_ms;
        fig->probe_write_ms = m->sample.probe_write_ms;
        track_t *tr = stats_track(st, m->name, i);
        if (!tr) {                     /* no ring: everything unknown, never 0 */
            for (int w = 0; w < FIG_MAX_WINDOWS; w++)
                stats_window_unknown(&fig->w[w]);
            fig->apply_lag = fig->raft_index_lag = fig->quota_used_pct = NAN;
            fig->fragmentation_trend = TREND_UNKNOWN;
            continue;
        }
        tr->seen_this_poll = true;
        if (m->sample.up) {
            point_t p;
            const hist_t *layouts[WH_COUNT] = { &m->sample.m.wal_fsync,
                                                &m->sample.m.backend_commit,
                                                &m->sample.m.peer_rtt };
            point_from_sample(&p, t_ms, &m->sample, fig->probe_read_ms, fig->probe_write_ms);
            series_push(&tr->series, &p, layouts);
        }
        for (int w = 0; w < st->n_windows; w++) {
            stats_window(&tr->series, &tr->slide[w], t_ms, &fig->w[w]);
            if (m->ext.on)
                stats_window_ext(&m->ext.w[w], &m->sample.m, &fig->w[w]);
        }
        const status_sample_t *s = &m->sample.s;
        fig->apply_lag = m->sample.up && s->ok ? (double)s->raft_index - (double)s->raft_applied_index
                                               : NAN;
        fig->raft_index_lag = m->sample.up && s->ok && leader_index
                                  ? (double)leader_index - (double)s->raft_index : NAN;
        const metrics_sample_t *mm = &m->sample.m;
        fig->quota_used_pct = m->iv.db_size.ok && mm->quota.ok && mm->quota.v > 0
                                  ? m->iv.db_size.v * 100.0 / mm->quota.v : NAN;
        fig->fragmentation_trend = stats_frag_trend(tr, m);
        stats_history_push(tr, m, snap->t);
    }
    /* Members gone from the cluster free their rings. */
    for (int i = 0; i < st->n_tracks; i++) {
        track_t *tr = &st->tracks[i];
        if (tr->used && !tr->seen_this_poll) {
            track_free(tr);
            tr->used = false;
            history_release(&st->hist, tr->key);
            tr->h = NULL;
        }
    }
    stats_health(st, snap);
    st->polls++;
}

int stats_history(const stats_t *st, const char *member, history_fig_t fig, double *out, int max)
{
    return history_copy(&st->hist, member, fig, out, max);
}

const history_set_t *stats_histories(const stats_t *st)
{
    return &st->hist;
}

int stats_trend_report(const stats_t *st, const cluster_snapshot_t *snap, char *out, size_t cap)
{
    if (st->polls == 0 || st->polls % 10 != 0)
        return 0;
    static const char *const names[] = { "unknown", "stable", "increasing", "decreasing" };
    trend_t worst = TREND_UNKNOWN;
    double frag = NAN;
    for (int i = 0; i < snap->n_members; i++) {
        const member_view_t *m = &snap->members[i];
        if (!m->iv.fragmentation_pct.ok)
            continue;
        if (isnan(frag) || m->iv.fragmentation_pct.v > frag) {
            frag = m->iv.fragmentation_pct.v;
            worst = m->fig.fragmentation_trend;
        }
    }
    if (isnan(frag))
        snprintf(out, cap, "trend (last 10 samples): fragmentation unknown");
    else
        snprintf(out, cap, "trend (last 10 samples): fragmentation %s (~%.0f%%)", names[worst], frag);
    return 1;
}
