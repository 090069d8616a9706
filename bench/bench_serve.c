/* bench_serve.c — the exporter's and the API's render time per poll for 5
 * and 32 members (CLUSTER_MAX_MEMBERS, the snapshot's most), on synthetic
 * snapshots with every figure known, and the buffer growth after warm-up
 * (steady state must not grow: the buffers are reused). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve_internal.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill(cluster_snapshot_t *s, int n)
{
    memset(s, 0, sizeof *s);
    s->t = 1760000000.5;
    s->n_members = n;
    s->members_up = s->members_total = s->voters = s->voters_up = n;
    s->leader_id = 1;
    s->raft_term = 7;
    s->n_windows = 4;
    const int64_t w[4] = { 60000, 300000, 900000, 3600000 };
    memcpy(s->window_ms, w, sizeof w);
    for (int i = 0; i < n; i++) {
        member_view_t *m = &s->members[i];
        snprintf(m->name, sizeof m->name, "member-%02d", i);
        snprintf(m->endpoint, sizeof m->endpoint, "https://10.0.0.%d:2379", i + 1);
        m->id = (uint64_t)i + 1;
        m->sample.up = m->sample.metrics_ok = m->sample.health_ok = true;
        m->sample.s.ok = true;
        m->sample.s.raft_index = 123456789;
        m->sample.probe_read_ms = 1.25;
        m->sample.probe_write_ms = 2.5;
        m->iv.db_size = (mval_t){ 104857600, true };
        m->iv.db_size_in_use = (mval_t){ 83886080, true };
        m->iv.fragmentation_pct = (mval_t){ 20, true };
        m->sample.m.quota = (mval_t){ 8589934592.0, true };
        m->sample.m.proposals_committed = (mval_t){ 1e6 + i, true };
        m->sample.m.proposals_applied = (mval_t){ 1e6 + i, true };
        m->fig.quota_used_pct = 1.2;
        m->fig.raft_index_lag = 3;
        m->disk_free_pct = NAN;
        for (int k = 0; k < 4; k++) {
            window_figures_t *f = &m->fig.w[k];
            f->wal_p50 = 0.8; f->wal_p95 = 2.1; f->wal_p99 = 4.2;
            f->backend_p50 = 1.1; f->backend_p95 = 3.3; f->backend_p99 = 9.9;
            f->peer_rtt_p99 = 0.7;
            f->read_p50 = 1.2; f->read_p95 = 1.9; f->read_p99 = 2.9;
            f->write_p50 = 2.2; f->write_p95 = 3.9; f->write_p99 = 5.9;
        }
    }
}

int main(void)
{
    static cluster_snapshot_t snap;
    static serve_pub_t pub;
    leader_hist_t lh = { 0 };
    alert_t alerts[4] = { 0 };
    snprintf(alerts[0].rule, sizeof alerts[0].rule, "EtcdHighFsyncDurations");
    alerts[0].state = ALERT_FIRING;
    alerts[0].severity = SEV_WARNING;
    const int sizes[2] = { 5, 32 };
    for (int si = 0; si < 2; si++) {
        int n = sizes[si];
        fill(&snap, n);
        serve_pub_init(&pub);
        serve_view_t v = { .snap = &snap, .active = alerts, .n_active = 1, .leaders = &lh,
                           .polls = 1, .version = "bench", .probe_write = true };
        buf_t *m = &pub.doc[DOC_METRICS];
        for (int i = 0; i < 20; i++)                 /* warm-up: buffers reach their size */
            if (serve_render(&pub, &v) != 0)
                return 1;
        size_t caps[DOC_COUNT];
        for (int d = 0; d < DOC_COUNT; d++)
            caps[d] = pub.doc[d].cap;
        const int iters = n > 8 ? 500 : 2000;
        double t0 = now_s();
        for (int i = 0; i < iters; i++)
            exporter_render(m, &v);
        double t_exp = (now_s() - t0) / iters;
        t0 = now_s();
        for (int i = 0; i < iters; i++)
            if (serve_render(&pub, &v) != 0)
                return 1;
        double t_all = (now_s() - t0) / iters;
        int grew = 0;
        for (int d = 0; d < DOC_COUNT; d++)
            grew += pub.doc[d].cap != caps[d];
        printf("%2d members: /metrics %6zu bytes, %7.1f us per render; all documents "
               "%7.1f us per poll; buffers grown after warm-up: %d\n",
               n, m->len, t_exp * 1e6, t_all * 1e6, grew);
        serve_pub_free(&pub);
    }
    return 0;
}
