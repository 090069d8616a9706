/* serve_render_metrics.c — the figure documents of the API from one poll
 * (pure): /api/v1/metrics/current (seed 004's fields and names, latencies in
 * milliseconds), /api/v1/metrics/latency (every window) and /api/v1/alerts. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "serve_internal.h"
#include "serve_json.h"

/* The larger of a and b, either possibly unknown (NAN). */
static double worst(double a, double b)
{
    if (!isfinite(a))
        return b;
    if (!isfinite(b))
        return a;
    return a > b ? a : b;
}

static double mv(const member_view_t *m, mval_t x)
{
    return m->sample.up && x.ok ? x.v : NAN;
}

/* A counter of the leader when it answered, else the largest one reported. */
static double leader_or_max(const cluster_snapshot_t *s, size_t off)
{
    double best = NAN;
    for (int i = 0; i < s->n_members; i++) {
        const member_view_t *m = &s->members[i];
        double x = mv(m, *(const mval_t *)((const char *)&m->sample.m + off));
        if (isfinite(x) && m->id && m->id == s->leader_id)
            return x;
        best = worst(best, x);
    }
    return best;
}

#define SAMPLE_OFF(field) offsetof(metrics_sample_t, field)

static void member_current(buf_t *b, const member_view_t *m)
{
    const member_sample_t *sm = &m->sample;
    const window_figures_t *w = &m->fig.w[0];
    bool f = true, up = sm->up;
    sbuf_puts(b, "{");
    js_key(b, &f, "name");               js_str(b, m->name);
    js_key(b, &f, "endpoint");           js_str(b, m->endpoint);
    js_key(b, &f, "up");                 js_bool(b, up);
    js_key(b, &f, "readLatencyP50");     js_num(b, up ? w->read_p50 : NAN);
    js_key(b, &f, "readLatencyP95");     js_num(b, up ? w->read_p95 : NAN);
    js_key(b, &f, "readLatencyP99");     js_num(b, up ? w->read_p99 : NAN);
    js_key(b, &f, "writeLatencyP50");    js_num(b, up ? w->write_p50 : NAN);
    js_key(b, &f, "writeLatencyP95");    js_num(b, up ? w->write_p95 : NAN);
    js_key(b, &f, "writeLatencyP99");    js_num(b, up ? w->write_p99 : NAN);
    js_key(b, &f, "probeReadMs");        js_num(b, sm->probe_read_ms);
    js_key(b, &f, "probeWriteMs");       js_num(b, sm->probe_write_ms);
    js_key(b, &f, "walFsyncP99Ms");      js_num(b, up ? w->wal_p99 : NAN);
    js_key(b, &f, "backendCommitP99Ms"); js_num(b, up ? w->backend_p99 : NAN);
    js_key(b, &f, "dbSize");             js_mval(b, up ? m->iv.db_size : (mval_t){ 0, false });
    js_key(b, &f, "dbSizeInUse");        js_mval(b, up ? m->iv.db_size_in_use : (mval_t){ 0, false });
    js_key(b, &f, "dbQuota");            js_num(b, mv(m, sm->m.quota));
    js_key(b, &f, "quotaUsedPercent");   js_num(b, up ? m->fig.quota_used_pct : NAN);
    js_key(b, &f, "fragmentationPercent");
    js_mval(b, up ? m->iv.fragmentation_pct : (mval_t){ 0, false });
    js_key(b, &f, "proposalCommitted");  js_num(b, mv(m, sm->m.proposals_committed));
    js_key(b, &f, "proposalApplied");    js_num(b, mv(m, sm->m.proposals_applied));
    js_key(b, &f, "proposalPending");    js_num(b, mv(m, sm->m.proposals_pending));
    js_key(b, &f, "proposalFailed");     js_num(b, mv(m, sm->m.proposals_failed));
    js_key(b, &f, "leaderChanges");      js_num(b, mv(m, sm->m.leader_changes));
    js_key(b, &f, "watchStreams");       js_num(b, mv(m, sm->m.watch_streams));
    js_key(b, &f, "watchers");           js_num(b, mv(m, sm->m.watchers));
    js_key(b, &f, "grpcRequestsPerSecond"); js_num(b, up ? w->grpc_rate : NAN);
    js_key(b, &f, "residentMemoryBytes"); js_num(b, mv(m, sm->m.rss));
    js_key(b, &f, "openFds");            js_num(b, mv(m, sm->m.open_fds));
    sbuf_puts(b, "}");
}

void render_current(buf_t *out, const serve_view_t *v)
{
    const cluster_snapshot_t *s = v->snap;
    double q[6] = { NAN, NAN, NAN, NAN, NAN, NAN }, db = NAN, in_use = NAN;
    for (int i = 0; i < s->n_members; i++) {
        const member_view_t *m = &s->members[i];
        if (!m->sample.up)
            continue;
        const window_figures_t *w = &m->fig.w[0];
        const double mq[6] = { w->read_p50, w->read_p95, w->read_p99,
                               w->write_p50, w->write_p95, w->write_p99 };
        for (int k = 0; k < 6; k++)
            q[k] = worst(q[k], mq[k]);
        db = worst(db, mv(m, m->iv.db_size));
        in_use = worst(in_use, mv(m, m->iv.db_size_in_use));
    }
    static const char *const qname[6] = { "readLatencyP50", "readLatencyP95", "readLatencyP99",
                                          "writeLatencyP50", "writeLatencyP95",
                                          "writeLatencyP99" };
    char win[16] = "";
    if (s->n_windows > 0)
        serve_window_name(s->window_ms[0], win, sizeof win);
    bool f = true;
    buf_reset(out);
    sbuf_puts(out, "{");
    js_key(out, &f, "timestamp"); js_time(out, s->t);
    for (int k = 0; k < 6; k++) {
        js_key(out, &f, qname[k]);
        js_num(out, q[k]);
    }
    js_key(out, &f, "dbSize");            js_num(out, db);
    js_key(out, &f, "dbSizeInUse");       js_num(out, in_use);
    js_key(out, &f, "proposalCommitted"); js_num(out, leader_or_max(s, SAMPLE_OFF(proposals_committed)));
    js_key(out, &f, "proposalApplied");   js_num(out, leader_or_max(s, SAMPLE_OFF(proposals_applied)));
    js_key(out, &f, "proposalPending");   js_num(out, leader_or_max(s, SAMPLE_OFF(proposals_pending)));
    js_key(out, &f, "proposalFailed");    js_num(out, leader_or_max(s, SAMPLE_OFF(proposals_failed)));
    js_key(out, &f, "leaderChanges");     js_mval(out, s->leader_changes);
    js_key(out, &f, "walFsyncP99Ms");     js_num(out, s->wal_p99_ms);
    js_key(out, &f, "backendCommitP99Ms"); js_num(out, s->backend_p99_ms);
    js_key(out, &f, "latencyUnit");       js_str(out, "ms");
    js_key(out, &f, "latencyWindow");     js_str_or_null(out, win);
    js_key(out, &f, "writeLatencyMeasured"); js_bool(out, v->probe_write);
    js_key(out, &f, "benchmark");          /* the latest scheduled one; null when none */
    if (s->ops.bench_last_at > 0) {
        bool g = true;
        sbuf_puts(out, "{");
        js_key(out, &g, "opsPerSec"); js_num(out, s->ops.bench_last_ops_per_s);
        js_key(out, &g, "p99Ms");     js_num(out, s->ops.bench_last_p99_ms);
        js_key(out, &g, "at");        js_time(out, s->ops.bench_last_at);
        sbuf_puts(out, "}");
    } else {
        sbuf_puts(out, "null");
    }
    js_key(out, &f, "members");
    sbuf_puts(out, "[");
    for (int i = 0; i < s->n_members; i++) {
        if (i)
            sbuf_puts(out, ",");
        member_current(out, &s->members[i]);
    }
    sbuf_puts(out, "]}");
}

/* {p50, p95, p99} and, for a histogram's quantiles, the observations (has_n). */
static void quantiles(buf_t *b, double p50, double p95, double p99, bool has_n, double n)
{
    bool f = true;
    sbuf_puts(b, "{");
    js_key(b, &f, "p50"); js_num(b, p50);
    js_key(b, &f, "p95"); js_num(b, p95);
    js_key(b, &f, "p99"); js_num(b, p99);
    if (has_n) {
        js_key(b, &f, "observations");
        js_num(b, n);
    }
    sbuf_puts(b, "}");
}

void render_latency(buf_t *out, const serve_view_t *v)
{
    const cluster_snapshot_t *s = v->snap;
    bool f = true;
    buf_reset(out);
    sbuf_puts(out, "{");
    js_key(out, &f, "timestamp"); js_time(out, s->t);
    js_key(out, &f, "unit");      js_str(out, "ms");
    js_key(out, &f, "members");
    sbuf_puts(out, "[");
    for (int i = 0; i < s->n_members; i++) {
        const member_view_t *m = &s->members[i];
        bool g = true, up = m->sample.up;
        sbuf_puts(out, i ? ",{" : "{");
        js_key(out, &g, "name");         js_str(out, m->name);
        js_key(out, &g, "endpoint");     js_str(out, m->endpoint);
        js_key(out, &g, "up");           js_bool(out, up);
        js_key(out, &g, "probeReadMs");  js_num(out, m->sample.probe_read_ms);
        js_key(out, &g, "probeWriteMs"); js_num(out, m->sample.probe_write_ms);
        js_key(out, &g, "windows");
        sbuf_puts(out, "[");
        for (int k = 0; k < s->n_windows; k++) {
            const window_figures_t *w = &m->fig.w[k];
            char win[16];
            bool h = true;
            serve_window_name(s->window_ms[k], win, sizeof win);
            sbuf_puts(out, k ? ",{" : "{");
            js_key(out, &h, "window"); js_str(out, win);
            if (up) {
                js_key(out, &h, "read");  quantiles(out, w->read_p50, w->read_p95, w->read_p99, false, NAN);
                js_key(out, &h, "write"); quantiles(out, w->write_p50, w->write_p95, w->write_p99, false, NAN);
                js_key(out, &h, "walFsync");
                quantiles(out, w->wal_p50, w->wal_p95, w->wal_p99, true, w->wal_n);
                js_key(out, &h, "backendCommit");
                quantiles(out, w->backend_p50, w->backend_p95, w->backend_p99, true, w->backend_n);
                js_key(out, &h, "peerRoundTripP99"); js_num(out, w->peer_rtt_p99);
            } else {
                js_key(out, &h, "read");  sbuf_puts(out, "null");
                js_key(out, &h, "write"); sbuf_puts(out, "null");
                js_key(out, &h, "walFsync"); sbuf_puts(out, "null");
                js_key(out, &h, "backendCommit"); sbuf_puts(out, "null");
                js_key(out, &h, "peerRoundTripP99"); sbuf_puts(out, "null");
            }
            sbuf_puts(out, "}");
        }
        sbuf_puts(out, "]}");
    }
    sbuf_puts(out, "]}");
}

static void alert_json(buf_t *b, const alert_t *a)
{
    bool f = true;
    const char *summary = rules_summary(a->rule), *hint = rules_hint(a->rule);
    sbuf_puts(b, "{");
    js_key(b, &f, "alertname");   js_str(b, a->rule);
    js_key(b, &f, "severity");    js_str(b, a->severity == SEV_CRITICAL ? "critical" : "warning");
    js_key(b, &f, "state");       js_str(b, a->state == ALERT_FIRING ? "firing" : "pending");
    js_key(b, &f, "member");      js_str_or_null(b, a->member);
    js_key(b, &f, "value");       js_num(b, a->value);
    js_key(b, &f, "threshold");   js_num(b, a->threshold);
    js_key(b, &f, "unit");        js_str(b, a->unit);
    js_key(b, &f, "activeSince"); js_time(b, a->active_since);
    js_key(b, &f, "firingSince"); js_time(b, a->firing_since);
    js_key(b, &f, "observations"); js_num(b, a->observations);
    js_key(b, &f, "summary");     js_str(b, summary);
    js_key(b, &f, "hint");        js_str(b, hint);
    sbuf_puts(b, "}");
}

void render_alerts(buf_t *out, const serve_view_t *v)
{
    bool f = true;
    buf_reset(out);
    sbuf_puts(out, "{");
    js_key(out, &f, "timestamp"); js_time(out, v->snap->t);
    for (int pass = 0; pass < 2; pass++) {
        alert_state_t want = pass == 0 ? ALERT_FIRING : ALERT_PENDING;
        int n = 0;
        js_key(out, &f, pass == 0 ? "firing" : "pending");
        sbuf_puts(out, "[");
        for (int i = 0; i < v->n_active; i++) {
            if (v->active[i].state != want)
                continue;
            if (n++)
                sbuf_puts(out, ",");
            alert_json(out, &v->active[i]);
        }
        sbuf_puts(out, "]");
    }
    sbuf_puts(out, "}");
}
