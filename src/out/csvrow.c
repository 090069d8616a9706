/* csvrow.c — metrics.csv and members.csv rows: unknown is an empty field, never 0. */
#include "csvrow.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csvfile.h"
#include "format.h"
#include "text.h"

const char CSVROW_METRICS_HEADER[] =
    "timestamp,db_size_mb,fragmentation_pct,leader_changes,slow_ops,wal_latency_ms,"
    "backend_latency_ms,status,members_up,members_total,leader_id,leader_name,raft_term,"
    "alarms,alerts,alert_events,poll_ms,bench_ops_per_s,bench_p99_ms\n";

const char CSVROW_MEMBERS_HEADER[] =
    "timestamp,member,endpoint,up,error,is_leader,leader_id,raft_term,raft_index,"
    "raft_applied_index,db_size_bytes,db_size_in_use_bytes,fragmentation_pct,quota_bytes,"
    "leader_changes_total,proposals_committed_total,proposals_applied_total,"
    "proposals_pending,proposals_failed_total,wal_fsync_p50_ms,wal_fsync_p95_ms,"
    "wal_fsync_p99_ms,backend_commit_p50_ms,backend_commit_p95_ms,backend_commit_p99_ms,"
    "peer_rtt_p99_ms,rss_bytes,open_fds,member_id,is_learner,health,version,"
    "slow_applies_total,slow_read_indexes_total,heartbeat_failures_total,"
    "cpu_seconds_total,watchers,interval_s,probe_read_ms,probe_write_ms,apply_lag,"
    "raft_index_lag,quota_used_pct,w1_wal_fsync_p99_ms,w1_backend_commit_p99_ms,"
    "w1_peer_rtt_p99_ms,w1_read_p99_ms,w1_write_p99_ms,w1_leader_changes,"
    "w1_proposals_failed_per_s,w1_grpc_failed_ratio,db_growth_bytes_per_h,quota_eta_s,"
    "disk_free_pct,log_slow_ops,host_mem_bytes\n";

/* A row under construction: appends stop (and len becomes 0) once it overflows. */
typedef struct {
    char  *p;
    size_t len, cap;
    bool   full;
} row_t;

__attribute__((format(printf, 2, 3)))
static void row_add(row_t *r, const char *fmt, ...)
{
    if (r->full)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->p + r->len, r->cap - r->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= r->cap - r->len)
        r->full = true;
    else
        r->len += (size_t)n;
}

/* Append the n bytes at s, as row_add() would (their NUL must fit too). */
static void row_put(row_t *r, const char *s, size_t n)
{
    if (r->full)
        return;
    if (n >= r->cap - r->len) {
        r->full = true;
        return;
    }
    memcpy(r->p + r->len, s, n);
    r->len += n;
    r->p[r->len] = '\0';
}

/* ",%016" PRIx64 of a member id, or "," alone for none (0). */
static void row_id(row_t *r, uint64_t id)
{
    if (!id) {
        row_put(r, ",", 1);
        return;
    }
    char b[17];
    b[0] = ',';
    for (int i = 16; i > 0; i--, id >>= 4)
        b[i] = "0123456789abcdef"[id & 15];
    row_put(r, b, sizeof b);
}

/* ",%.*f" of a whole v, |v| < 1e15, decimals 0..6: its digits, then a point and
 * decimals zeros ("-0" for -0.0, as printf), without printf's cost: most of a
 * members.csv row is counters and byte counts, one row per member a poll. */
static void row_whole(row_t *r, double v, int decimals)
{
    char b[32], *e = b + sizeof b, *q = e;
    for (int i = 0; i < decimals; i++)
        *--q = '0';
    if (decimals > 0)
        *--q = '.';
    uint64_t u = (uint64_t)fabs(v);
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (signbit(v))
        *--q = '-';
    *--q = ',';
    row_put(r, q, (size_t)(e - q));
}

/* ",value" with decimals places, or "," alone when unknown. Bounded: from 1e15
 * on (where %f would print up to 309 digits) the shortest of %.15g/%.17g that
 * reads back as v, e.g. "1e+308"; infinities are "inf" and "-inf". At most
 * CSVROW_NUM_MAX bytes with the comma. */
static void row_num(row_t *r, bool ok, double v, int decimals)
{
    if (!ok || isnan(v)) {
        row_put(r, ",", 1);
    } else if (isinf(v)) {
        row_add(r, ",%s", v > 0 ? "inf" : "-inf");
    } else if (fabs(v) < 1e15) {
        decimals = decimals < 0 ? 0 : decimals > 6 ? 6 : decimals;
        if ((double)(int64_t)v == v)
            row_whole(r, v, decimals);
        else
            row_add(r, ",%.*f", decimals, v);
    } else {
        char b[32];
        snprintf(b, sizeof b, "%.15g", v);
        if (strtod(b, NULL) != v)
            snprintf(b, sizeof b, "%.17g", v);
        row_add(r, ",%s", b);
    }
}

static void row_mval(row_t *r, mval_t v, int decimals)
{
    row_num(r, v.ok, v.v, decimals);
}

static void row_ms(row_t *r, double v)
{
    row_num(r, !isnan(v), v, 3);
}

/* ",field": s cleaned (text.h: no control characters, valid UTF-8, at most
 * CSVROW_FIELD_MAX - 1 bytes), then quoted as RFC 4180 asks. */
static void row_text(row_t *r, const char *s)
{
    if (r->full)
        return;
    char clean[CSVROW_FIELD_MAX];
    text_clean(clean, sizeof clean, s);
    s = clean;
    if (r->len + 1 >= r->cap) {
        r->full = true;
        return;
    }
    r->p[r->len++] = ',';
    r->p[r->len] = '\0';
    size_t n = csv_field(r->p, r->len, r->cap, s);
    if (n >= r->cap)
        r->full = true;
    else
        r->len = n;
}

static size_t row_end(row_t *r)
{
    row_put(r, "\n", 1);
    return r->full ? 0 : r->len;
}

size_t csvrow_metrics(const cluster_snapshot_t *s, char *out, size_t cap)
{
    row_t r = { out, 0, cap, cap == 0 };
    char ts[40];
    format_timestamp(ts, sizeof(ts), s->t, true, 0);
    row_add(&r, "%s", ts);
    row_mval(&r, s->db_size_mb, 2);
    row_mval(&r, s->fragmentation_pct, 2);
    row_mval(&r, s->leader_changes, 0);
    row_mval(&r, s->slow_ops, 0);
    row_ms(&r, s->wal_p99_ms);
    row_ms(&r, s->backend_p99_ms);
    row_add(&r, ",%s,%d,%d", cluster_status_name(s->status), s->members_up, s->members_total);
    if (s->leader_id)
        row_add(&r, ",%016" PRIx64, s->leader_id);
    else
        row_add(&r, ",");
    row_text(&r, s->leader_name);
    row_num(&r, s->raft_term > 0, (double)s->raft_term, 0);
    char alarms[256] = "";
    for (int i = 0; i < s->n_alarms; i++) {
        size_t u = strlen(alarms);
        snprintf(alarms + u, sizeof(alarms) - u, "%s%s:%016" PRIx64, u ? " " : "",
                 s->alarms[i].alarm, s->alarms[i].member_id);
    }
    row_text(&r, alarms);
    row_text(&r, s->alerts);
    row_text(&r, s->alert_events);
    row_num(&r, true, s->poll_ms, 1);
    /* the scheduled benchmark that ended since the previous poll (empty: none) */
    row_num(&r, !isnan(s->ops.bench_ops_per_s), s->ops.bench_ops_per_s, 1);
    row_ms(&r, s->ops.bench_p99_ms);
    return row_end(&r);
}

size_t csvrow_member(const cluster_snapshot_t *s, const member_view_t *m, char *out, size_t cap)
{
    const member_sample_t *sm = &m->sample;
    const metrics_sample_t *mm = &sm->m;
    const status_sample_t *st = &sm->s;
    const member_interval_t *iv = &m->iv;
    row_t r = { out, 0, cap, cap == 0 };
    char ts[40];
    format_timestamp(ts, sizeof(ts), s->t, true, 0);
    row_put(&r, ts, strlen(ts));
    row_text(&r, m->name);
    row_text(&r, m->endpoint);
    row_put(&r, sm->up ? ",1" : ",0", 2);
    row_text(&r, sm->error);
    /* is_leader: the status answer says it exactly; /metrics as a fallback. */
    if (st->ok)
        row_put(&r, st->leader_id && st->leader_id == st->member_id ? ",1" : ",0", 2);
    else
        row_mval(&r, mm->is_leader, 0);
    row_id(&r, st->ok ? st->leader_id : 0);
    row_num(&r, st->ok, (double)st->raft_term, 0);
    row_num(&r, st->ok, (double)st->raft_index, 0);
    row_num(&r, st->ok, (double)st->raft_applied_index, 0);
    row_mval(&r, iv->db_size, 0);
    row_mval(&r, iv->db_size_in_use, 0);
    row_mval(&r, iv->fragmentation_pct, 2);
    row_mval(&r, mm->quota, 0);
    row_mval(&r, mm->leader_changes, 0);
    row_mval(&r, mm->proposals_committed, 0);
    row_mval(&r, mm->proposals_applied, 0);
    row_mval(&r, mm->proposals_pending, 0);
    row_mval(&r, mm->proposals_failed, 0);
    row_ms(&r, iv->wal_p50_ms);
    row_ms(&r, iv->wal_p95_ms);
    row_ms(&r, iv->wal_p99_ms);
    row_ms(&r, iv->backend_p50_ms);
    row_ms(&r, iv->backend_p95_ms);
    row_ms(&r, iv->backend_p99_ms);
    row_ms(&r, iv->peer_rtt_p99_ms);
    row_mval(&r, mm->rss, 0);
    row_mval(&r, mm->open_fds, 0);
    row_id(&r, m->id);
    row_put(&r, m->is_learner ? ",1" : ",0", 2);
    row_put(&r, sm->health_ok ? ",1" : ",0", 2);
    row_text(&r, st->version[0] ? st->version : mm->server_version);
    row_mval(&r, mm->slow_applies, 0);
    row_mval(&r, mm->slow_read_indexes, 0);
    row_mval(&r, mm->heartbeat_failures, 0);
    row_mval(&r, mm->cpu_seconds, 2);
    row_mval(&r, mm->watchers, 0);
    row_num(&r, iv->seconds > 0, iv->seconds, 3);
    const member_figures_t *fg = &m->fig;
    row_ms(&r, fg->probe_read_ms);
    row_ms(&r, fg->probe_write_ms);
    row_num(&r, !isnan(fg->apply_lag), fg->apply_lag, 0);
    row_num(&r, !isnan(fg->raft_index_lag), fg->raft_index_lag, 0);
    row_num(&r, !isnan(fg->quota_used_pct), fg->quota_used_pct, 3);
    /* w1_: the first (shortest) window; growth and time to quota: the longest. */
    const window_figures_t *w1 = &fg->w[0];
    const window_figures_t *wl = &fg->w[s->n_windows > 0 ? s->n_windows - 1 : 0];
    bool have = s->n_windows > 0;
    row_ms(&r, have ? w1->wal_p99 : NAN);
    row_ms(&r, have ? w1->backend_p99 : NAN);
    row_ms(&r, have ? w1->peer_rtt_p99 : NAN);
    row_ms(&r, have ? w1->read_p99 : NAN);
    row_ms(&r, have ? w1->write_p99 : NAN);
    row_num(&r, have && !isnan(w1->leader_changes), w1->leader_changes, 3);
    row_num(&r, have && !isnan(w1->proposals_failed_rate), w1->proposals_failed_rate, 6);
    row_num(&r, have && !isnan(w1->grpc_failed_ratio), w1->grpc_failed_ratio, 6);
    row_num(&r, have && !isnan(wl->db_growth_per_s), wl->db_growth_per_s * 3600.0, 0);
    /* INFINITY (not growing) is written as "inf". */
    if (have && isinf(wl->quota_eta_s))
        row_add(&r, ",inf");
    else
        row_num(&r, have && !isnan(wl->quota_eta_s), wl->quota_eta_s, 0);
    /* From the member's host over SSH: df -P and the followed log. */
    row_num(&r, !isnan(m->disk_free_pct), m->disk_free_pct, 2);
    row_num(&r, m->log_slow >= 0, (double)m->log_slow, 0);
    row_num(&r, m->host_mem_bytes > 0, m->host_mem_bytes, 0);
    return row_end(&r);
}
