/* bench_ring.c — memory and CPU of the stats engine's history rings.
 *
 * Feeds recorded samples (the captured etcd 3.4 leader/follower /metrics bodies,
 * advanced every poll as a busy member's counters and histograms advance) for 5
 * members straight into stats_update() with one 1 h window at 1 s, until the
 * window is full (FILL polls) and then until the ring has written each of its
 * chunk slots once (RING_FULL polls: its memory's full size, 120 polls later;
 * the first use of the last slot is about 12 KiB per member), then EXTRA more
 * polls (BENCH_RING_POLLS, default 100000). Prints bytes per stored sample
 * (series_usage()), the RSS once the window and the ring are full, its
 * growth over the extra polls, and the CPU per poll. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_proc.h"

#include "metrics.h"
#include "stats.h"
#include "window.h"

#define MEMBERS 5
#define WINDOW_MS (3600 * 1000LL)
#define FILL 3700
#define HIST_FULL (86400 + 3840)   /* past the histories' 24 h tier, and the ring full */
#define RING_FULL 3840   /* 32 chunks of 120 points: the 31 slots of a 3603-point ring used */

static cluster_snapshot_t snap;
static metrics_sample_t base[2];

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static double rnd(void)   /* uniform in [0, 1) */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static int load(const char *path, metrics_sample_t *m)
{
    FILE *f = fopen(path, "rb");
    static char buf[1 << 20];
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    prom_error_t err;
    return metrics_extract(buf, n, m, &err);
}

/* n observations, log-normal around median_s, into histogram h's buckets. */
static void observe(hist_t *h, int n, double median_s)
{
    for (int i = 0; i < n; i++) {
        double x = median_s * exp((rnd() + rnd() + rnd() - 1.5) * 1.2);
        for (int b = 0; b < h->n; b++)
            if (x <= h->le[b])
                h->cum[b] += 1;
        h->count += 1;
        h->sum += x;
    }
}

/* Advance member i's sample by one busy second. */
static void member_step(member_sample_t *s, int i, long poll)
{
    metrics_sample_t *m = &s->m;
    double w = 40 + floor(rnd() * 80);
    m->proposals_committed.v += w;
    m->proposals_applied.v += w;
    if (rnd() < 0.001)
        m->proposals_failed.v += 1;
    if (rnd() < 0.002)
        m->slow_applies.v += 1;
    m->cpu_seconds.v += floor(rnd() * 5) / 100;
    m->grpc_handled[GRPC_OK] += w * 3;
    if (rnd() < 0.01)
        m->grpc_handled[GRPC_UNAVAILABLE] += 1;
    m->db_size.v += rnd() < 0.3 ? 4096 : 0;
    m->db_size_in_use.v = m->db_size.v * 0.8;
    m->rss.v = 60e6 + floor(rnd() * 64) * 4096;
    m->open_fds.v = 40 + floor(rnd() * 3);
    observe(&m->wal_fsync, (int)w / 4, 0.002);
    observe(&m->backend_commit, (int)w / 8, 0.008);
    observe(&m->peer_rtt, 2, 0.0005);
    if (poll % 50000 == 49999 && i == 0)            /* a restart: counters reset */
        *m = base[0];
    s->s.raft_index += (uint64_t)w;
    s->s.raft_applied_index = s->s.raft_index - (rnd() < 0.1);
    s->s.db_size = (int64_t)m->db_size.v;
    s->s.db_size_in_use = (int64_t)m->db_size_in_use.v;
    s->probe_read_ms = round((0.8 + rnd() * rnd() * 4) * 1000) / 1000;
    s->probe_write_ms = NAN;
}

static void poll_once(stats_t *st, long poll)
{
    snap.t = 1.7e9 + (double)poll + floor(rnd() * 40 - 20) / 1000;  /* +-20 ms jitter */
    for (int i = 0; i < MEMBERS; i++) {
        member_step(&snap.members[i].sample, i, poll);
        snap.members[i].sample.t = snap.t;
    }
    stats_update(st, &snap);
}

int main(void)
{
    if (load("tests/data/etcd-3.4-leader.metrics", &base[0]) != 0 ||
        load("tests/data/etcd-3.4-follower.metrics", &base[1]) != 0) {
        fprintf(stderr, "bench-ring: cannot load tests/data/etcd-3.4-*.metrics\n");
        return 1;
    }
    const char *e = getenv("BENCH_RING_POLLS");
    long extra = e ? atol(e) : 100000;
    snap.n_members = MEMBERS;
    for (int i = 0; i < MEMBERS; i++) {
        member_view_t *m = &snap.members[i];
        snprintf(m->name, sizeof m->name, "etcd-%d", i);
        m->sample.up = m->sample.metrics_ok = m->sample.health_ok = true;
        m->sample.m = base[i == 0 ? 0 : 1];
        m->sample.s.ok = true;
        m->sample.s.member_id = (uint64_t)i + 1;
        m->sample.s.leader_id = 1;
        m->sample.s.raft_term = 2;
    }
    snap.leader_id = 1;
    int64_t windows[] = { WINDOW_MS };
    long rss0 = rss_kb();
    stats_t *st = stats_new(1, windows, 1000);
    if (!st)
        return 1;
    double c0 = cpu_s();
    for (long p = 0; p < FILL; p++)
        poll_once(st, p);
    double c1 = cpu_s();
    long rss_full = rss_kb();
    for (long p = FILL; p < RING_FULL; p++)
        poll_once(st, p);
    long rss_ring = rss_kb();
    /* The figure histories' coarsest tier (60 s steps for 24 h) is allocated
     * on the first poll and its pages touched as it fills: run past 24 h, then
     * measure the growth of everything full. */
    for (long p = RING_FULL; p < HIST_FULL; p++)
        poll_once(st, p);
    long rss_hist = rss_kb();
    double c2 = cpu_s();
    for (long p = HIST_FULL; p < HIST_FULL + extra; p++)
        poll_once(st, p);
    double c3 = cpu_s();
    long rss_end = rss_kb();

    printf("ring: %d members, window 1h at 1s, %d fill polls + %ld polls\n", MEMBERS, HIST_FULL,
           extra);
    ring_usage_t u;
    stats_ring_usage(st, &u);
    printf("ring: %.2f bytes per stored sample in compressed chunks (%ld bytes, %ld samples)\n",
           u.chunk_samples ? (double)u.chunk_bytes / (double)u.chunk_samples : 0.0,
           u.chunk_bytes, u.chunk_samples);
    printf("ring: %.2f bytes per stored sample, all the rings hold (%ld bytes, %ld samples)\n",
           u.samples ? (double)u.held_bytes / (double)u.samples : 0.0, u.held_bytes, u.samples);
    printf("ring: the window's incremental state reserves %ld bytes (%.0f per member)\n",
           u.window_bytes, (double)u.window_bytes / MEMBERS);
    printf("ring: rss before %ld KiB, window full %ld KiB (%.2f MiB), ring full %ld KiB, "
           "figure histories full (24 h, %d polls) %ld KiB (%.2f MiB), after %ld more polls "
           "%ld KiB: growth %ld KiB\n", rss0, rss_full, rss_full / 1024.0, rss_ring, HIST_FULL,
           rss_hist, rss_hist / 1024.0, extra, rss_end, rss_end - rss_hist);
    double full_ms = extra ? (c3 - c2) * 1000 / (double)extra : 0;
    printf("ring: cpu per poll (push + window evaluation): fill %.3f ms, full window %.3f ms "
           "(%.4f ms per member-poll)\n", (c1 - c0) * 1000 / FILL, full_ms, full_ms / MEMBERS);
    stats_free(st);
    return 0;
}
