/* session_rows.c — recorded rows back into the monitor's types: a metrics.csv
 * row and its members.csv rows into a cluster_snapshot_t, and the rows before
 * a poll into the sparkline histories. The columns are csvrow.c's; an empty
 * field is unknown (NAN / !ok), never 0. */
#include "session_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* members.csv columns (CSVROW_MEMBERS_HEADER order). */
enum {
    MC_TS, MC_MEMBER, MC_ENDPOINT, MC_UP, MC_ERROR, MC_IS_LEADER, MC_LEADER_ID, MC_TERM,
    MC_INDEX, MC_APPLIED, MC_DB, MC_DB_IN_USE, MC_FRAG, MC_QUOTA, MC_LEADER_CHANGES,
    MC_COMMITTED, MC_APPLIED_TOTAL, MC_PENDING, MC_FAILED, MC_WAL50, MC_WAL95, MC_WAL99,
    MC_BE50, MC_BE95, MC_BE99, MC_PEER99, MC_RSS, MC_FDS, MC_MEMBER_ID, MC_LEARNER, MC_HEALTH,
    MC_VERSION, MC_SLOW_APPLIES, MC_SLOW_READS, MC_HB_FAIL, MC_CPU, MC_WATCHERS, MC_INTERVAL,
    MC_PROBE_R, MC_PROBE_W, MC_APPLY_LAG, MC_INDEX_LAG, MC_QUOTA_PCT, MC_W1_WAL, MC_W1_BE,
    MC_W1_PEER, MC_W1_READ, MC_W1_WRITE, MC_W1_LEADER, MC_W1_FAILED, MC_W1_GRPC, MC_GROWTH,
    MC_ETA, MC_DISK_FREE, MC_LOG_SLOW, MC_HOST_MEM, MC_COUNT
};

/* metrics.csv columns. */
enum {
    XC_TS, XC_DB_MB, XC_FRAG, XC_LEADER_CHANGES, XC_SLOW, XC_WAL, XC_BACKEND, XC_STATUS, XC_UP,
    XC_TOTAL, XC_LEADER_ID, XC_LEADER_NAME, XC_TERM, XC_ALARMS, XC_ALERTS, XC_EVENTS, XC_POLL_MS,
    XC_BENCH_OPS, XC_BENCH_P99,
    XC_COUNT
};

int session_row_fields(int fd, const session_row_t *r, char *buf, size_t cap, char **f, int max)
{
    if (r->len + 1 > cap)
        return -1;
    ssize_t got = pread(fd, buf, r->len, (off_t)r->off);
    if (got != (ssize_t)r->len)
        return -1;
    buf[r->len] = '\0';
    int n = 0;
    char *p = buf;
    for (;;) {
        if (n >= max)
            return -1;
        if (*p == '"') {                   /* quoted: "" is one quote */
            char *w = p, *q = p + 1;
            f[n++] = w;
            for (;;) {
                if (*q == '\0')
                    return -1;
                if (*q == '"' && q[1] == '"') {
                    *w++ = '"';
                    q += 2;
                } else if (*q == '"') {
                    q++;
                    break;
                } else {
                    *w++ = *q++;
                }
            }
            *w = '\0';
            p = q;
            if (*p == '\0')
                break;
            if (*p != ',')
                return -1;
            p++;
        } else {
            f[n++] = p;
            char *c = strchr(p, ',');
            if (!c)
                break;
            *c = '\0';
            p = c + 1;
        }
    }
    return n;
}

static double num(const char *s)
{
    if (!*s)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    return *end ? NAN : v;
}

static mval_t mv(const char *s)
{
    double v = num(s);
    return (mval_t){ isnan(v) ? 0 : v, !isnan(v) };
}

/* A recorded number as an integer: 0 when unknown, clamped to the type's
 * range (a cast of an out-of-range double is undefined). */
static int64_t to_i64(mval_t v)
{
    if (!v.ok || isnan(v.v))
        return 0;
    if (v.v >= 9.2e18)
        return INT64_MAX;
    if (v.v <= -9.2e18)
        return INT64_MIN;
    return (int64_t)v.v;
}

static int to_int(double v, int unknown)
{
    if (isnan(v))
        return unknown;
    return v >= INT_MAX ? INT_MAX : v <= INT_MIN ? INT_MIN : (int)v;
}

static uint64_t hex(const char *s)
{
    return *s ? strtoull(s, NULL, 16) : 0;
}

static void copy(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s);
}

/* One members.csv row into m. */
static void member_fill(member_view_t *m, char **f, int n_windows)
{
    memset(m, 0, sizeof *m);
    member_sample_t *sm = &m->sample;
    status_sample_t *st = &sm->s;
    metrics_sample_t *mm = &sm->m;
    member_interval_t *iv = &m->iv;
    copy(m->name, sizeof m->name, f[MC_MEMBER]);
    copy(m->endpoint, sizeof m->endpoint, f[MC_ENDPOINT]);
    sm->up = strcmp(f[MC_UP], "1") == 0;
    copy(sm->error, sizeof sm->error, f[MC_ERROR]);
    sm->health_ok = strcmp(f[MC_HEALTH], "1") == 0;
    st->ok = f[MC_TERM][0] != '\0';
    st->leader_id = hex(f[MC_LEADER_ID]);
    st->member_id = m->id = hex(f[MC_MEMBER_ID]);
    st->raft_term = (uint64_t)strtoull(f[MC_TERM], NULL, 10);
    st->raft_index = (uint64_t)strtoull(f[MC_INDEX], NULL, 10);
    st->raft_applied_index = (uint64_t)strtoull(f[MC_APPLIED], NULL, 10);
    m->is_learner = st->is_learner = strcmp(f[MC_LEARNER], "1") == 0;
    m->in_member_list = m->id != 0;
    copy(st->version, sizeof st->version, f[MC_VERSION]);
    copy(mm->server_version, sizeof mm->server_version, f[MC_VERSION]);
    mm->is_leader = mv(f[MC_IS_LEADER]);
    iv->db_size = mv(f[MC_DB]);
    iv->db_size_in_use = mv(f[MC_DB_IN_USE]);
    st->db_size = to_i64(iv->db_size);
    st->db_size_in_use = to_i64(iv->db_size_in_use);
    mm->db_size = iv->db_size;
    mm->db_size_in_use = iv->db_size_in_use;
    iv->fragmentation_pct = mv(f[MC_FRAG]);
    mm->quota = mv(f[MC_QUOTA]);
    mm->leader_changes = mv(f[MC_LEADER_CHANGES]);
    mm->proposals_committed = mv(f[MC_COMMITTED]);
    mm->proposals_applied = mv(f[MC_APPLIED_TOTAL]);
    mm->proposals_pending = mv(f[MC_PENDING]);
    mm->proposals_failed = mv(f[MC_FAILED]);
    iv->wal_p50_ms = num(f[MC_WAL50]);
    iv->wal_p95_ms = num(f[MC_WAL95]);
    iv->wal_p99_ms = num(f[MC_WAL99]);
    iv->backend_p50_ms = num(f[MC_BE50]);
    iv->backend_p95_ms = num(f[MC_BE95]);
    iv->backend_p99_ms = num(f[MC_BE99]);
    iv->peer_rtt_p99_ms = num(f[MC_PEER99]);
    iv->wal_n = iv->backend_n = iv->peer_rtt_n = NAN;
    mm->rss = mv(f[MC_RSS]);
    mm->open_fds = mv(f[MC_FDS]);
    mm->slow_applies = mv(f[MC_SLOW_APPLIES]);
    mm->slow_read_indexes = mv(f[MC_SLOW_READS]);
    mm->heartbeat_failures = mv(f[MC_HB_FAIL]);
    mm->cpu_seconds = mv(f[MC_CPU]);
    mm->watchers = mv(f[MC_WATCHERS]);
    sm->metrics_ok = mm->rss.ok || mm->db_size.ok;
    double sec = num(f[MC_INTERVAL]);
    iv->seconds = isnan(sec) ? 0 : sec;
    member_figures_t *fg = &m->fig;
    fg->probe_read_ms = sm->probe_read_ms = num(f[MC_PROBE_R]);
    fg->probe_write_ms = sm->probe_write_ms = num(f[MC_PROBE_W]);
    fg->apply_lag = num(f[MC_APPLY_LAG]);
    fg->raft_index_lag = num(f[MC_INDEX_LAG]);
    fg->quota_used_pct = num(f[MC_QUOTA_PCT]);
    for (int w = 0; w < FIG_MAX_WINDOWS; w++) {
        window_figures_t *x = &fg->w[w];
        double *d = (double *)x;          /* every field a double: all unknown */
        for (size_t k = 0; k < sizeof *x / sizeof(double); k++)
            d[k] = NAN;
    }
    window_figures_t *w1 = &fg->w[0];
    w1->wal_p99 = num(f[MC_W1_WAL]);
    w1->backend_p99 = num(f[MC_W1_BE]);
    w1->peer_rtt_p99 = num(f[MC_W1_PEER]);
    w1->read_p99 = num(f[MC_W1_READ]);
    w1->write_p99 = num(f[MC_W1_WRITE]);
    w1->leader_changes = num(f[MC_W1_LEADER]);
    w1->proposals_failed_rate = num(f[MC_W1_FAILED]);
    w1->grpc_failed_ratio = num(f[MC_W1_GRPC]);
    window_figures_t *wl = &fg->w[n_windows > 0 ? n_windows - 1 : 0];
    double g = num(f[MC_GROWTH]);
    wl->db_growth_per_s = isnan(g) ? NAN : g / 3600.0;
    wl->quota_eta_s = strcmp(f[MC_ETA], "inf") == 0 ? INFINITY : num(f[MC_ETA]);
    m->disk_free_pct = num(f[MC_DISK_FREE]);
    m->log_slow = to_int(num(f[MC_LOG_SLOW]), -1);
    double hm = num(f[MC_HOST_MEM]);
    m->host_mem_bytes = isnan(hm) ? 0 : hm;
}

/* The metrics row into the cluster-wide part of out. */
static void cluster_fill(cluster_snapshot_t *out, char **f)
{
    out->db_size_mb = mv(f[XC_DB_MB]);
    out->fragmentation_pct = mv(f[XC_FRAG]);
    out->leader_changes = mv(f[XC_LEADER_CHANGES]);
    out->slow_ops = mv(f[XC_SLOW]);
    out->wal_p99_ms = num(f[XC_WAL]);
    out->backend_p99_ms = num(f[XC_BACKEND]);
    out->status = strcmp(f[XC_STATUS], "ALERT") == 0     ? STATUS_ALERT
                  : strcmp(f[XC_STATUS], "WARNING") == 0 ? STATUS_WARNING
                                                         : STATUS_HEALTHY;
    out->members_up = to_int(num(f[XC_UP]), 0);
    out->members_total = to_int(num(f[XC_TOTAL]), 0);
    out->leader_id = hex(f[XC_LEADER_ID]);
    copy(out->leader_name, sizeof out->leader_name, f[XC_LEADER_NAME]);
    out->raft_term = (uint64_t)strtoull(f[XC_TERM], NULL, 10);
    char *save = NULL;
    for (char *a = strtok_r(f[XC_ALARMS], " ", &save); a && out->n_alarms < CLUSTER_MAX_ALARMS;
         a = strtok_r(NULL, " ", &save)) {
        char *c = strrchr(a, ':');
        status_alarm_t *al = &out->alarms[out->n_alarms++];
        if (c)
            *c++ = '\0';
        copy(al->alarm, sizeof al->alarm, a);
        al->member_id = c ? hex(c) : 0;
    }
    copy(out->alerts, sizeof out->alerts, f[XC_ALERTS]);
    copy(out->alert_events, sizeof out->alert_events, f[XC_EVENTS]);
    double pm = num(f[XC_POLL_MS]);
    out->poll_ms = isnan(pm) ? 0 : pm;
    out->ops.backup_age_s = NAN;
    out->ops.bench_ops_per_s = num(f[XC_BENCH_OPS]);
    out->ops.bench_p99_ms = num(f[XC_BENCH_P99]);
}

int session_snapshot(session_t *s, long i, cluster_snapshot_t *out)
{
    if (i < 0 || i >= s->n_polls)
        return -1;
    static char buf[CSVROW_MAX_READ];
    char *f[SESSION_MAX_FIELDS];
    const session_poll_t *p = &s->polls[i];
    cluster_snapshot_reset(out);            /* each member row below is filled whole */
    if (session_row_fields(s->fd_metrics, &p->row, buf, sizeof buf, f, SESSION_MAX_FIELDS) !=
        XC_COUNT)
        return -1;
    out->t = p->row.t;
    out->iteration = i + 1;
    out->n_windows = 1;
    out->window_ms[0] = 60000;
    out->wal_p99_ms = out->backend_p99_ms = NAN;
    cluster_fill(out, f);
    for (uint32_t k = 0; k < p->mem_n && s->fd_members >= 0; k++) {
        if (session_row_fields(s->fd_members, &s->mem[p->mem_first + k], buf, sizeof buf, f,
                               SESSION_MAX_FIELDS) != MC_COUNT)
            continue;
        member_view_t *m = &out->members[out->n_members++];
        member_fill(m, f, out->n_windows);
        if (!m->is_learner) {
            out->voters++;
            out->voters_up += m->sample.up;
        }
        if (!out->version[0] && m->sample.s.version[0])
            copy(out->version, sizeof out->version, m->sample.s.version);
    }
    /* the monitoring.log lines since the previous poll */
    double from = i > 0 ? s->polls[i - 1].row.t : -1e300;
    long lo = 0, hi = s->n_events;          /* the first event after from */
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (s->events[mid].t <= from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (long e = lo; e < s->n_events && s->events[e].t <= out->t; e++) {
        const session_event_t *ev = &s->events[e];
        if (strncmp(ev->line, "alert ", 6) != 0)
            events_add(&out->events, "%s", ev->line);
    }
    return 0;
}

/* Counter increase between two rows (NAN across a gap or a reset). */
static double delta(mval_t cur, mval_t prev)
{
    return cur.ok && prev.ok && cur.v >= prev.v ? cur.v - prev.v : NAN;
}

/* Each history slot's previous row (for counter increases), valid for the
 * session and set session_history() filled last. */
static member_view_t prev[CLUSTER_MAX_MEMBERS];
static bool have_prev[CLUSTER_MAX_MEMBERS];
static const session_t *prev_of;

int session_history(session_t *s, long i, history_set_t *out)
{
    if (i < 0 || i >= s->n_polls) {
        history_free(out);
        s->hist_next = 0;
        return -1;
    }
    bool same = prev_of == s && s->hist_out == out && s->hist_next > 0;
    if (same && i == s->hist_next - 1)
        return 0;                      /* the same poll again */
    long from = i;
    if (!same || i != s->hist_next) {  /* not the next poll: rebuild */
        history_free(out);
        memset(have_prev, 0, sizeof have_prev);
        from = i - HIST_FINE_CAP + 1 > 0 ? i - HIST_FINE_CAP + 1 : 0;
    }
    prev_of = s;
    s->hist_out = out;
    s->hist_next = i + 1;
    static char buf[CSVROW_MAX_READ];
    char *f[SESSION_MAX_FIELDS];
    for (long k = from; k <= i; k++) {
        const session_poll_t *p = &s->polls[k];
        for (uint32_t r = 0; r < p->mem_n && s->fd_members >= 0; r++) {
            if (session_row_fields(s->fd_members, &s->mem[p->mem_first + r], buf, sizeof buf, f,
                                   SESSION_MAX_FIELDS) != MC_COUNT)
                continue;
            member_view_t m;
            member_fill(&m, f, 1);
            member_history_t *h = history_member(out, m.name);
            int slot = -1;
            for (int j = 0; h && j < CLUSTER_MAX_MEMBERS && slot < 0; j++)
                if (out->m[j] == h)
                    slot = j;
            if (slot < 0)
                continue;
            const member_view_t *pv = have_prev[slot] ? &prev[slot] : NULL;
            const metrics_sample_t *mm = &m.sample.m;
            double sec = m.iv.seconds > 0 ? m.iv.seconds : NAN;
            mval_t none = { 0, false };
            double v[HIST_COUNT] = {
                [HIST_WAL_P99] = m.iv.wal_p99_ms,
                [HIST_BACKEND_P99] = m.iv.backend_p99_ms,
                [HIST_PEER_RTT_P99] = m.iv.peer_rtt_p99_ms,
                [HIST_READ_MS] = m.fig.probe_read_ms,
                [HIST_WRITE_MS] = m.fig.probe_write_ms,
                [HIST_DB_SIZE] = m.iv.db_size.ok ? m.iv.db_size.v : NAN,
                [HIST_DB_IN_USE] = m.iv.db_size_in_use.ok ? m.iv.db_size_in_use.v : NAN,
                [HIST_FRAGMENTATION] =
                    m.iv.fragmentation_pct.ok ? m.iv.fragmentation_pct.v : NAN,
                [HIST_PROPOSALS_COMMITTED_RATE] =
                    delta(mm->proposals_committed,
                          pv ? pv->sample.m.proposals_committed : none) / sec,
                [HIST_PROPOSALS_FAILED_RATE] = m.fig.w[0].proposals_failed_rate,
                [HIST_PROPOSALS_PENDING] =
                    mm->proposals_pending.ok ? mm->proposals_pending.v : NAN,
                [HIST_LEADER_CHANGES] =
                    delta(mm->leader_changes, pv ? pv->sample.m.leader_changes : none),
                [HIST_SLOW_APPLIES] =
                    delta(mm->slow_applies, pv ? pv->sample.m.slow_applies : none),
                [HIST_RSS] = mm->rss.ok ? mm->rss.v : NAN,
            };
            for (int fi = 0; fi < HIST_COUNT; fi++)
                v[fi] = m.sample.up ? v[fi] : NAN;
            history_push(h, p->row.t, v);
            prev[slot] = m;
            have_prev[slot] = true;
        }
    }
    return 0;
}
