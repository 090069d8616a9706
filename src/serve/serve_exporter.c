/* serve_exporter.c — GET /metrics: the monitor's figures in the Prometheus
 * text format (pure). Names follow Prometheus conventions: the etcd_monitor_
 * prefix, base units (seconds, bytes, ratios 0..1), _total for counters, HELP
 * and TYPE for every family. An unknown figure is left out, never written as
 * 0. Latency quantiles carry window and q labels (quantile is reserved for
 * summaries). Rendered into the caller's buffer, which keeps its allocation
 * from poll to poll. */
#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include "serve_internal.h"

#define MEMBER_LABEL 320

typedef struct {
    buf_t                    *b;
    const serve_view_t       *v;
    char                      lab[CLUSTER_MAX_MEMBERS][MEMBER_LABEL]; /* member="..." */
    char                      win[FIG_MAX_WINDOWS][16];
} exp_t;

static void family(exp_t *e, const char *name, const char *type, const char *help)
{
    sbuf_printf(e->b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void value(buf_t *b, double v)
{
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        sbuf_printf(b, " %.0f\n", v);
    else if (fabs(v) >= 1e6)
        sbuf_printf(b, " %.3f\n", v);           /* timestamps: to the millisecond */
    else
        sbuf_printf(b, " %.9g\n", v);
}

/* name{labels} v, left out when v is unknown. */
static void sample(exp_t *e, const char *name, const char *labels, double v)
{
    if (!isfinite(v))
        return;
    sbuf_puts(e->b, name);
    if (labels && *labels) {
        sbuf_puts(e->b, "{");
        sbuf_puts(e->b, labels);
        sbuf_puts(e->b, "}");
    }
    value(e->b, v);
}

/* One per-member gauge or counter family from a getter. */
typedef double (*member_fn)(const cluster_snapshot_t *s, const member_view_t *m);

static void per_member(exp_t *e, const char *name, const char *type, const char *help,
                       member_fn fn)
{
    const cluster_snapshot_t *s = e->v->snap;
    family(e, name, type, help);
    for (int i = 0; i < s->n_members; i++)
        sample(e, name, e->lab[i], fn(s, &s->members[i]));
}

static double mvv(const member_view_t *m, mval_t x)
{
    return m->sample.up && x.ok ? x.v : NAN;
}

#define GETTER(fname, expr) \
    static double fname(const cluster_snapshot_t *s, const member_view_t *m) \
    { (void)s; return (expr); }

GETTER(g_up, m->sample.up ? 1 : 0)
GETTER(g_healthy, m->sample.up && m->sample.health_ok ? 1 : 0)
GETTER(g_leader, !m->sample.up ? NAN : m->id && s->leader_id ? (m->id == s->leader_id)
       : mvv(m, m->sample.m.is_leader))
GETTER(g_learner, m->sample.up && m->sample.s.ok ? (m->sample.s.is_learner ? 1 : 0)
       : m->in_member_list ? (m->is_learner ? 1 : 0) : NAN)
GETTER(g_db, mvv(m, m->iv.db_size))
GETTER(g_db_use, mvv(m, m->iv.db_size_in_use))
GETTER(g_frag, mvv(m, m->iv.fragmentation_pct) / 100.0)
GETTER(g_quota, mvv(m, m->sample.m.quota))
GETTER(g_quota_ratio, m->sample.up ? m->fig.quota_used_pct / 100.0 : NAN)
GETTER(g_raft_index, m->sample.up && m->sample.s.ok ? (double)m->sample.s.raft_index : NAN)
GETTER(g_raft_applied, m->sample.up && m->sample.s.ok ? (double)m->sample.s.raft_applied_index : NAN)
GETTER(g_raft_term, m->sample.up && m->sample.s.ok ? (double)m->sample.s.raft_term : NAN)
GETTER(g_raft_lag, m->sample.up ? fmax(m->fig.raft_index_lag, 0) : NAN)
GETTER(g_apply_lag, m->sample.up ? m->fig.apply_lag : NAN)
GETTER(g_leader_changes, mvv(m, m->sample.m.leader_changes))
GETTER(g_committed, mvv(m, m->sample.m.proposals_committed))
GETTER(g_applied, mvv(m, m->sample.m.proposals_applied))
GETTER(g_pending, mvv(m, m->sample.m.proposals_pending))
GETTER(g_failed, mvv(m, m->sample.m.proposals_failed))
GETTER(g_watchers, mvv(m, m->sample.m.watchers))
GETTER(g_streams, mvv(m, m->sample.m.watch_streams))
GETTER(g_probe_read, m->sample.probe_read_ms / 1000.0)
GETTER(g_probe_write, m->sample.probe_write_ms / 1000.0)
GETTER(g_disk_free, m->disk_free_pct / 100.0)

/* A latency family per window and quantile, from the window figures (ms). */
static void latency_family(exp_t *e, const char *name, const char *help, size_t off50,
                           size_t off95, size_t off99)
{
    const cluster_snapshot_t *s = e->v->snap;
    static const char *const qs[3] = { "0.5", "0.95", "0.99" };
    const size_t offs[3] = { off50, off95, off99 };
    char labels[MEMBER_LABEL + 64];
    family(e, name, "gauge", help);
    for (int i = 0; i < s->n_members; i++) {
        const member_view_t *m = &s->members[i];
        if (!m->sample.up)
            continue;
        for (int k = 0; k < s->n_windows && k < FIG_MAX_WINDOWS; k++) {
            for (int q = 0; q < 3; q++) {
                if (offs[q] == (size_t)-1)
                    continue;
                double ms = *(const double *)((const char *)&m->fig.w[k] + offs[q]);
                snprintf(labels, sizeof labels, "%s,window=\"%s\",q=\"%s\"", e->lab[i],
                         e->win[k], qs[q]);
                sample(e, name, labels, ms / 1000.0);
            }
        }
    }
}

#define WOFF(f) offsetof(window_figures_t, f)

static void cluster_families(exp_t *e)
{
    const serve_view_t *v = e->v;
    const cluster_snapshot_t *s = v->snap;
    char labels[128];
    family(e, "etcd_monitor_build_info", "gauge",
           "etcd-monitor's version, always 1.");
    snprintf(labels, sizeof labels, "version=\"%s\"", v->version);
    sample(e, "etcd_monitor_build_info", labels, 1);
    family(e, "etcd_monitor_polls_total", "counter", "Polls of the cluster completed.");
    sample(e, "etcd_monitor_polls_total", NULL, (double)v->polls);
    family(e, "etcd_monitor_poll_duration_seconds", "gauge",
           "How long the last poll of every member took.");
    sample(e, "etcd_monitor_poll_duration_seconds", NULL, s->poll_ms / 1000.0);
    family(e, "etcd_monitor_last_poll_timestamp_seconds", "gauge",
           "When the last completed poll started (Unix time).");
    sample(e, "etcd_monitor_last_poll_timestamp_seconds", NULL, s->t);
    family(e, "etcd_monitor_cluster_members", "gauge",
           "Members of the cluster (member list, or the polled set).");
    sample(e, "etcd_monitor_cluster_members", NULL, s->members_total);
    family(e, "etcd_monitor_cluster_members_up", "gauge", "Members that answered the last poll.");
    sample(e, "etcd_monitor_cluster_members_up", NULL, s->members_up);
    family(e, "etcd_monitor_cluster_voters", "gauge", "Voting members (not learners).");
    sample(e, "etcd_monitor_cluster_voters", NULL, s->voters);
    family(e, "etcd_monitor_cluster_voters_up", "gauge", "Voting members that answered.");
    sample(e, "etcd_monitor_cluster_voters_up", NULL, s->voters_up);
    family(e, "etcd_monitor_cluster_has_quorum", "gauge",
           "1 when a majority of the voting members answered.");
    sample(e, "etcd_monitor_cluster_has_quorum", NULL,
           s->voters > 0 ? (s->voters_up >= s->voters / 2 + 1) : NAN);
    family(e, "etcd_monitor_cluster_has_leader", "gauge", "1 when a leader was seen.");
    sample(e, "etcd_monitor_cluster_has_leader", NULL, s->leader_id ? 1 : 0);
    family(e, "etcd_monitor_cluster_no_leader_seconds", "gauge",
           "How long no leader has been seen, 0 when there is one.");
    sample(e, "etcd_monitor_cluster_no_leader_seconds", NULL, s->no_leader_s);
    family(e, "etcd_monitor_cluster_raft_term", "gauge", "Highest raft term seen.");
    sample(e, "etcd_monitor_cluster_raft_term", NULL, s->raft_term ? (double)s->raft_term : NAN);
    family(e, "etcd_monitor_cluster_health_status", "gauge",
           "The rules' verdict: 0 healthy, 1 a warning alert fires, 2 a critical one.");
    sample(e, "etcd_monitor_cluster_health_status", NULL, (double)s->status);
    family(e, "etcd_monitor_leader_changes_observed_total", "counter",
           "Leader changes this monitor has seen between polls.");
    sample(e, "etcd_monitor_leader_changes_observed_total", NULL, (double)v->leaders->total);
    family(e, "etcd_monitor_cluster_alarm", "gauge",
           "An active etcd alarm (NOSPACE, CORRUPT, ...), 1 per alarm and member.");
    for (int i = 0; i < s->n_alarms; i++) {
        buf_t *b = e->b;
        sbuf_puts(b, "etcd_monitor_cluster_alarm{alarm=\"");
        sbuf_escape_label(b, s->alarms[i].alarm);
        sbuf_printf(b, "\",member_id=\"%016llx\"} 1\n", (unsigned long long)s->alarms[i].member_id);
    }
}

/* The pending and firing alerts, as Prometheus' own ALERTS series. */
static void alert_families(exp_t *e)
{
    const serve_view_t *v = e->v;
    family(e, "etcd_monitor_alerts", "gauge",
           "Pending and firing alerts of the monitor's rules, 1 each (as ALERTS).");
    for (int i = 0; i < v->n_active; i++) {
        const alert_t *a = &v->active[i];
        buf_t *b = e->b;
        sbuf_puts(b, "etcd_monitor_alerts{alertname=\"");
        sbuf_escape_label(b, a->rule);
        sbuf_printf(b, "\",alertstate=\"%s\",severity=\"%s\",member=\"",
                    a->state == ALERT_FIRING ? "firing" : "pending",
                    a->severity == SEV_CRITICAL ? "critical" : "warning");
        sbuf_escape_label(b, a->member);
        sbuf_puts(b, "\"} 1\n");
    }
    family(e, "etcd_monitor_alerts_firing", "gauge", "Firing alerts by severity.");
    for (int sev = SEV_WARNING; sev <= SEV_CRITICAL; sev++) {
        int n = 0;
        for (int i = 0; i < v->n_active; i++)
            n += v->active[i].state == ALERT_FIRING && (int)v->active[i].severity == sev;
        sample(e, "etcd_monitor_alerts_firing",
               sev == SEV_CRITICAL ? "severity=\"critical\"" : "severity=\"warning\"", n);
    }
}

/* Alert delivery per channel (type and host only, never the URL's path):
 * queue depth and size, and what became of the notifications. */
static void delivery_families(exp_t *e)
{
    const delivery_status_t *d = e->v->delivery;
    if (!d || d->n == 0)
        return;
    static const struct { const char *name, *type, *help; size_t off; } fam[] = {
        { "etcd_monitor_notifications_sent_total", "counter",
          "Notifications delivered, by channel.", offsetof(delivery_chan_t, sent) },
        { "etcd_monitor_notifications_retried_total", "counter",
          "Notification attempts retried, by channel.", offsetof(delivery_chan_t, retried) },
        { "etcd_monitor_notifications_failed_total", "counter",
          "Notifications given up (4xx, or retries exhausted), by channel.",
          offsetof(delivery_chan_t, failed) },
        { "etcd_monitor_notifications_dropped_total", "counter",
          "Notifications dropped from a full queue, by channel.",
          offsetof(delivery_chan_t, dropped) },
    };
    /* Each channel's label once; the buffer is kept (no allocation per render). */
    static char lab[DELIVERY_MAX_CHANNELS][200];
    static buf_t lb;
    if (!lb.max)
        buf_init(&lb, sizeof lab[0] - 16);
    int n = d->n < DELIVERY_MAX_CHANNELS ? d->n : DELIVERY_MAX_CHANNELS;
    for (int i = 0; i < n; i++) {
        buf_reset(&lb);
        sbuf_escape_label(&lb, d->ch[i].label);
        snprintf(lab[i], sizeof lab[i], "channel=\"%s\"", lb.len ? lb.data : "");
    }
    family(e, "etcd_monitor_notification_queue_length", "gauge",
           "Notifications waiting or in flight, by channel.");
    for (int i = 0; i < n; i++)
        sample(e, "etcd_monitor_notification_queue_length", lab[i], d->ch[i].queued);
    for (size_t f = 0; f < sizeof fam / sizeof fam[0]; f++) {
        family(e, fam[f].name, fam[f].type, fam[f].help);
        for (int i = 0; i < n; i++) {
            long v;
            memcpy(&v, (const char *)&d->ch[i] + fam[f].off, sizeof v);
            sample(e, fam[f].name, lab[i], (double)v);
        }
    }
}

static void member_families(exp_t *e)
{
    const cluster_snapshot_t *s = e->v->snap;
    family(e, "etcd_monitor_member_info", "gauge",
           "A member: its name, client URL, id and version, always 1.");
    for (int i = 0; i < s->n_members; i++) {
        const member_view_t *m = &s->members[i];
        buf_t *b = e->b;
        const char *ver = m->sample.s.ok && m->sample.s.version[0] ? m->sample.s.version
                                                                  : m->sample.m.server_version;
        sbuf_printf(b, "etcd_monitor_member_info{%s,endpoint=\"", e->lab[i]);
        sbuf_escape_label(b, m->endpoint);
        sbuf_printf(b, "\",id=\"%016llx\",version=\"", (unsigned long long)m->id);
        sbuf_escape_label(b, ver);
        sbuf_puts(b, "\"} 1\n");
    }
    per_member(e, "etcd_monitor_member_up", "gauge",
               "1 when the member answered the last poll.", g_up);
    per_member(e, "etcd_monitor_member_healthy", "gauge",
               "1 when the member answered and its /health said true.", g_healthy);
    per_member(e, "etcd_monitor_member_is_leader", "gauge", "1 for the leader.", g_leader);
    per_member(e, "etcd_monitor_member_is_learner", "gauge", "1 for a learner.", g_learner);
    latency_family(e, "etcd_monitor_member_wal_fsync_duration_seconds",
                   "WAL fsync latency quantile over the window (histogram_quantile of rate).",
                   WOFF(wal_p50), WOFF(wal_p95), WOFF(wal_p99));
    latency_family(e, "etcd_monitor_member_backend_commit_duration_seconds",
                   "Backend commit latency quantile over the window.",
                   WOFF(backend_p50), WOFF(backend_p95), WOFF(backend_p99));
    latency_family(e, "etcd_monitor_member_peer_round_trip_time_seconds",
                   "Peer round-trip time quantile over the window.",
                   (size_t)-1, (size_t)-1, WOFF(peer_rtt_p99));
    latency_family(e, "etcd_monitor_member_read_probe_duration_seconds",
                   "Linearizable read probe latency quantile over the window.",
                   WOFF(read_p50), WOFF(read_p95), WOFF(read_p99));
    latency_family(e, "etcd_monitor_member_write_probe_duration_seconds",
                   "Write probe latency quantile over the window (--probe-write).",
                   WOFF(write_p50), WOFF(write_p95), WOFF(write_p99));
    per_member(e, "etcd_monitor_member_last_read_probe_duration_seconds", "gauge",
               "The last poll's linearizable read probe latency.", g_probe_read);
    per_member(e, "etcd_monitor_member_last_write_probe_duration_seconds", "gauge",
               "The last poll's write probe latency (--probe-write).", g_probe_write);
    per_member(e, "etcd_monitor_member_db_size_bytes", "gauge",
               "Backend database size.", g_db);
    per_member(e, "etcd_monitor_member_db_size_in_use_bytes", "gauge",
               "Backend database size in use.", g_db_use);
    per_member(e, "etcd_monitor_member_db_fragmentation_ratio", "gauge",
               "(size - in use) / size of the backend database.", g_frag);
    per_member(e, "etcd_monitor_member_db_quota_bytes", "gauge",
               "Backend quota (etcd_server_quota_backend_bytes).", g_quota);
    per_member(e, "etcd_monitor_member_db_quota_used_ratio", "gauge",
               "Database size / quota.", g_quota_ratio);
    per_member(e, "etcd_monitor_member_raft_term", "gauge", "Raft term.", g_raft_term);
    per_member(e, "etcd_monitor_member_raft_index", "gauge", "Raft index.", g_raft_index);
    per_member(e, "etcd_monitor_member_raft_applied_index", "gauge", "Raft applied index.",
               g_raft_applied);
    per_member(e, "etcd_monitor_member_raft_index_lag", "gauge",
               "Entries behind the leader's raft index.", g_raft_lag);
    per_member(e, "etcd_monitor_member_raft_apply_lag", "gauge",
               "Raft index minus applied index.", g_apply_lag);
    per_member(e, "etcd_monitor_member_leader_changes_seen_total", "counter",
               "Leader changes the member has seen (etcd_server_leader_changes_seen_total).",
               g_leader_changes);
    per_member(e, "etcd_monitor_member_proposals_committed_total", "counter",
               "Raft proposals committed.", g_committed);
    per_member(e, "etcd_monitor_member_proposals_applied_total", "counter",
               "Raft proposals applied.", g_applied);
    per_member(e, "etcd_monitor_member_proposals_failed_total", "counter",
               "Raft proposals failed.", g_failed);
    per_member(e, "etcd_monitor_member_proposals_pending", "gauge",
               "Raft proposals pending.", g_pending);
    per_member(e, "etcd_monitor_member_watchers", "gauge", "Watchers.", g_watchers);
    per_member(e, "etcd_monitor_member_watch_streams", "gauge", "Watch streams.", g_streams);
    per_member(e, "etcd_monitor_member_disk_free_ratio", "gauge",
               "Free space of the data directory's file system (over SSH).", g_disk_free);
}

void exporter_render(buf_t *out, const serve_view_t *v)
{
    static exp_t e;                     /* loop thread only; too large for the stack */
    const cluster_snapshot_t *s = v->snap;
    buf_reset(out);
    e.b = out;
    e.v = v;
    static buf_t lb;                    /* kept: no allocation once grown */
    if (!lb.max)
        buf_init(&lb, MEMBER_LABEL - 16);
    for (int i = 0; i < s->n_members && i < CLUSTER_MAX_MEMBERS; i++) {
        const member_view_t *m = &s->members[i];
        buf_reset(&lb);
        sbuf_escape_label(&lb, m->name[0] ? m->name : m->endpoint);
        snprintf(e.lab[i], MEMBER_LABEL, "member=\"%s\"", lb.len ? lb.data : "");
    }
    for (int k = 0; k < s->n_windows && k < FIG_MAX_WINDOWS; k++)
        serve_window_name(s->window_ms[k], e.win[k], sizeof e.win[k]);
    cluster_families(&e);
    member_families(&e);
    alert_families(&e);
    delivery_families(&e);
}
