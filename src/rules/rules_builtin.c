/* rules_builtin.c — the table of built-in alert rules and their evaluation
 * functions. Each function reads one figure of the snapshot (NAN = unknown)
 * and the engine (rules.c) compares it with the rule's threshold. */
#include "rules_internal.h"

#include <math.h>
#include <string.h>

#define MIB            1048576.0
#define MIN_DB_BYTES   (100 * MIB)   /* fragmentation only matters on a db this big */
#define MINUTE_MS      ((int64_t)60 * 1000)
#define ALL(x)         { (x), (x), (x) }

/* A known figure, or IN_UNKNOWN. */
static rule_in_t figure(double v, double *value)
{
    *value = v;
    return isnan(v) ? IN_UNKNOWN : IN_VALUE;
}

static double mval(mval_t v)
{
    return v.ok ? v.v : NAN;
}

/* The rule's window figures of the member, NULL when the rule has no window. */
static const window_figures_t *win(const rule_input_t *in)
{
    return in->w >= 0 ? &in->m->fig.w[in->w] : NULL;
}

/* The largest of one figure over the members that answered; NAN if none knows it. */
static double max_over_up(const cluster_snapshot_t *s, double (*get)(const member_view_t *, int),
                          int w)
{
    double best = NAN;
    for (int i = 0; i < s->n_members; i++) {
        if (!s->members[i].sample.up)
            continue;
        double v = get(&s->members[i], w);
        if (!isnan(v) && (isnan(best) || v > best))
            best = v;
    }
    return best;
}

static double get_iv_leader_changes(const member_view_t *m, int w)
{
    (void)w;
    return mval(m->iv.leader_changes);
}

static double get_win_leader_changes(const member_view_t *m, int w)
{
    return m->fig.w[w].leader_changes;
}

/* ---- seed levels (per interval) ------------------------------------------ */

/* Fragmentation in percent, only on a database of at least 100 MiB. */
static rule_in_t eval_iv_fragmentation(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    double db = mval(in->m->iv.db_size);
    rule_in_t r = figure(mval(in->m->iv.fragmentation_pct), value);
    if (r == IN_UNKNOWN || isnan(db))
        return IN_UNKNOWN;
    return db >= MIN_DB_BYTES ? IN_VALUE : IN_EXCLUDED;
}

/* The most leader changes any reachable member saw during its last interval. */
static rule_in_t eval_iv_leader_changes(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    return figure(max_over_up(in->snap, get_iv_leader_changes, -1), value);
}

/* ---- the config file's alert_thresholds ---------------------------------- */

static rule_in_t eval_read_p99(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    const window_figures_t *f = win(in);
    return figure(f ? f->read_p99 : NAN, value);
}

static rule_in_t eval_db_mib(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    return figure(mval(in->m->iv.db_size) / MIB, value);
}

/* Members that answered; unknown before any member is known. */
static rule_in_t eval_members_up(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    if (in->snap->n_members == 0)
        return IN_UNKNOWN;
    *value = in->snap->members_up;
    return IN_VALUE;
}

/* Leader changes over the largest window, per hour; only meaningful (and so
 * only evaluated) when that window is at least 15 minutes long. */
static rule_in_t eval_leader_changes_per_hour(const rule_input_t *in, double *value,
                                              double *thr)
{
    (void)thr;
    if (in->w < 0 || in->window_ms < 15 * MINUTE_MS)
        return IN_UNKNOWN;
    double n = max_over_up(in->snap, get_win_leader_changes, in->w);
    return figure(n * (3600.0 * 1000.0) / (double)in->window_ms, value);
}

/* Share of gRPC requests that failed on the server side, in percent. */
static rule_in_t eval_grpc_failed_pct(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    const window_figures_t *f = win(in);
    return figure(f ? f->grpc_failed_ratio * 100.0 : NAN, value);
}

static rule_in_t eval_quota_free_pct(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    return figure(100.0 - in->m->fig.quota_used_pct, value);
}

/* ---- etcd's mixin ---------------------------------------------------------- */

/* 1 while the member does not answer (evaluated for members that are down). */
static rule_in_t eval_member_down(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    *value = in->m->sample.up ? 0 : 1;
    return IN_VALUE;
}

/* Voters that answered, against the quorum of the voters. */
static rule_in_t eval_voters_up(const rule_input_t *in, double *value, double *thr)
{
    if (in->snap->voters <= 0)
        return IN_UNKNOWN;
    *thr = in->snap->voters / 2 + 1;
    *value = in->snap->voters_up;
    return IN_VALUE;
}

static rule_in_t eval_no_leader(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    return figure(in->snap->no_leader_s, value);
}

static rule_in_t eval_win_leader_changes(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    if (in->w < 0)
        return IN_UNKNOWN;
    return figure(max_over_up(in->snap, get_win_leader_changes, in->w), value);
}

static rule_in_t eval_failed_proposals(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    const window_figures_t *f = win(in);
    return figure(f ? f->proposals_failed_rate : NAN, value);
}

static rule_in_t eval_quota_used_pct(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    return figure(in->m->fig.quota_used_pct, value);
}

/* Seconds until the db reaches its quota at the current growth (INFINITY when
 * it is not growing, which never fires). */
static rule_in_t eval_quota_eta(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    const window_figures_t *f = win(in);
    return figure(f ? f->quota_eta_s : NAN, value);
}

/* Size in use / file size, only when more than 100 MiB is in use. */
static rule_in_t eval_in_use_ratio(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    double size = mval(in->m->iv.db_size), used = mval(in->m->iv.db_size_in_use);
    if (isnan(size) || isnan(used) || size <= 0)
        return IN_UNKNOWN;
    *value = used / size;
    return used > MIN_DB_BYTES ? IN_VALUE : IN_EXCLUDED;
}

/* Active alarms raised on one member. */
static rule_in_t eval_alarms(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    int n = 0;
    for (int i = 0; i < in->snap->n_alarms && i < CLUSTER_MAX_ALARMS; i++)
        n += in->snap->alarms[i].member_id == in->alarm_member;
    *value = n;
    return IN_VALUE;
}

static rule_in_t eval_split_view(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    *value = in->snap->split_view ? 1 : 0;
    return IN_VALUE;
}

/* Free space on the member host's data filesystem (df -P over SSH); known
 * while etcd is down too (a full disk is a common reason it is). */
static rule_in_t eval_disk_free(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    if (isnan(in->m->disk_free_pct))
        return IN_UNKNOWN;
    *value = in->m->disk_free_pct;
    return IN_VALUE;
}

/* The monitor cannot authenticate to etcd (wrong password, user gone). */
static rule_in_t eval_auth_failed(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    *value = in->snap->auth_error[0] ? 1 : 0;
    return IN_VALUE;
}

/* --prometheus: the source fails, times out or matches no series. */
static rule_in_t eval_prometheus_unavailable(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    *value = in->snap->source_error[0] ? 1 : 0;
    return IN_VALUE;
}

/* The scheduled backup failed, or the newest one is older than two intervals;
 * unknown without scheduled backups. */
static rule_in_t eval_backup_failed(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    const cluster_ops_t *o = &in->snap->ops;
    if (!o->backup_on)
        return IN_UNKNOWN;
    *value = o->backup_failed || o->backup_age_s > 2 * o->backup_interval_s ? 1 : 0;
    return IN_VALUE;
}

/* ---- production thresholds (seed 004) ----------------------------------- */

/* Failed raft proposals in percent of all (failed + committed) over the
 * window; unknown while there was no proposal at all. */
static rule_in_t eval_proposal_failure_pct(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    const window_figures_t *f = win(in);
    if (!f || isnan(f->proposals_failed_rate) || isnan(f->proposals_committed_rate))
        return IN_UNKNOWN;
    double all = f->proposals_failed_rate + f->proposals_committed_rate;
    if (all <= 0)
        return IN_UNKNOWN;
    *value = f->proposals_failed_rate * 100.0 / all;
    return IN_VALUE;
}

/* Used space of the member host's data filesystem in percent (df -P over SSH). */
static rule_in_t eval_disk_used(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    return figure(100.0 - in->m->disk_free_pct, value);
}

/* The member's resident memory in percent of its host's memory; unknown
 * while the host's memory is not known (never guessed). */
static rule_in_t eval_memory_pct(const rule_input_t *in, double *value, double *thr)
{
    (void)thr;
    double rss = mval(in->m->sample.m.rss), host = in->m->host_mem_bytes;
    if (isnan(rss) || !(host > 0) || !isfinite(host))
        return IN_UNKNOWN;
    *value = rss * 100.0 / host;
    return IN_VALUE;
}

/* ---- the table ------------------------------------------------------------ */

static const rule_def_t builtin[] = {
    /* The seed's checks: on at every level, thresholds by --alert-threshold (info,
     * warning, critical); the seed's status (ALERT = critical, WARNING = warning). */
    { "SeedWalFsyncSlow", SEV_CRITICAL, SCOPE_MEMBER, CMP_GT, THR_TABLE, { 5, 10, 20 }, 0,
      RANGE_NONE, false, "ms",
      "WAL fsync p99 (over the poll interval, or the shortest window with enough "
      "fsyncs) is too slow: the member's disk struggles to persist writes", NULL,
      Q_WAL_P99, RF_SEED | RF_INTERVAL, 0 },
    { "SeedBackendCommitSlow", SEV_CRITICAL, SCOPE_MEMBER, CMP_GT, THR_TABLE, { 15, 25, 50 }, 0,
      RANGE_NONE, false, "ms",
      "backend commit p99 (over the poll interval, or the shortest window with enough "
      "commits) is too slow: the member's disk struggles to commit the database", NULL,
      Q_BACKEND_P99, RF_SEED | RF_INTERVAL, 0 },
    { "SeedHighFragmentation", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_TABLE, { 20, 30, 60 }, 0,
      RANGE_NONE, false, "%",
      "a large share of a database of 100 MiB or more is free pages: "
      "defragment the member", eval_iv_fragmentation, Q_NONE, RF_SEED, 0 },
    { "SeedLeaderInstability", SEV_WARNING, SCOPE_CLUSTER, CMP_GT, THR_TABLE, ALL(2), 0,
      RANGE_NONE, false, "changes",
      "the leader changed several times within one poll interval", eval_iv_leader_changes,
      Q_NONE, RF_SEED, 0 },

    /* Seed 004's production thresholds: two levels (warning, critical). */
    { "WalFsyncP99High", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(10), 0,
      RANGE_NONE, false, "ms",
      "WAL fsync p99 above 10 ms (warning) or 100 ms (critical), over the poll interval "
      "or the shortest window with enough fsyncs", NULL, Q_WAL_P99, RF_TWO | RF_INTERVAL, 100 },
    { "BackendCommitP99High", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(25), 0,
      RANGE_NONE, false, "ms",
      "backend commit p99 above 25 ms (warning) or 250 ms (critical), over the poll "
      "interval or the shortest window with enough commits", NULL, Q_BACKEND_P99,
      RF_TWO | RF_INTERVAL, 250 },
    { "DatabaseQuotaUsageHigh", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(80), 0,
      RANGE_NONE, false, "%",
      "the database uses more than 80% (warning) or 90% (critical) of its quota",
      eval_quota_used_pct, Q_NONE, RF_TWO, 90 },
    { "ProposalFailureRateHigh", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(1), 0,
      5 * MINUTE_MS, false, "%",
      "more than 1% of the member's raft proposals failed (of failed and committed, "
      "over the window nearest to 5m)", eval_proposal_failure_pct, Q_NONE, RF_TWO, NAN },
    { "DiskUsageHigh", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(80), 0,
      RANGE_NONE, true, "%",
      "the member host's data filesystem (df -P over SSH) is more than 80% used",
      eval_disk_used, Q_NONE, RF_TWO, NAN },
    { "MemoryUsageHigh", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(80), 0,
      RANGE_NONE, false, "%",
      "the member's resident memory is more than 80% of its host's memory (unknown "
      "while the host's memory is not known)", eval_memory_pct, Q_NONE, RF_TWO, NAN },

    /* The config file's alert_thresholds. */
    { "RequestLatencyHigh", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_MAX_LATENCY_MS, ALL(0), 0,
      RANGE_FIRST, false, "ms",
      "read requests to the member are slow (probe p99 over the first window)",
      eval_read_p99, Q_NONE, 0, 0 },
    { "DatabaseSizeHigh", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_MAX_DB_MB, ALL(0), 0,
      RANGE_NONE, false, "MiB",
      "the member's database file is larger than configured", eval_db_mib, Q_NONE, 0, 0 },
    { "AvailableMembersLow", SEV_CRITICAL, SCOPE_CLUSTER, CMP_LT, THR_MIN_NODES, ALL(0), 0,
      RANGE_NONE, false, "members",
      "fewer members answer than the configured minimum", eval_members_up, Q_NONE, 0, 0 },
    { "LeaderChangesPerHourHigh", SEV_WARNING, SCOPE_CLUSTER, CMP_GT,
      THR_LEADER_CHANGES_PER_HOUR, ALL(0), 0, RANGE_LARGEST, false, "/h",
      "leader elections per hour (over the largest window, at least 15m) are "
      "above the configured rate", eval_leader_changes_per_hour, Q_NONE, RF_TWO, NAN },
    { "ErrorRateHigh", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_ERROR_RATE_PCT, ALL(0), 0,
      5 * MINUTE_MS, false, "%",
      "the share of gRPC requests the member failed is above the configured rate",
      eval_grpc_failed_pct, Q_NONE, 0, 0 },
    { "QuotaSpaceLow", SEV_WARNING, SCOPE_MEMBER, CMP_LT, THR_MIN_FREE_PCT, ALL(0), 0,
      RANGE_NONE, false, "%",
      "little of the member's backend quota is left before etcd refuses writes (NOSPACE)",
      eval_quota_free_pct, Q_NONE, 0, 0 },

    /* etcd's own mixin (contrib/mixin). */
    /* Immediate companions of the mixin's slow-to-fire rules: an operator sees a
     * member go down, or quorum go, on the very next poll. */
    { "MemberUnreachable", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_FIXED, ALL(0), 0,
      RANGE_NONE, true, "",
      "the member did not answer this poll (see its error)", eval_member_down, Q_NONE,
      RF_ALWAYS, 0 },
    { "QuorumLost", SEV_CRITICAL, SCOPE_CLUSTER, CMP_LT, THR_FIXED, ALL(0), 0,
      RANGE_NONE, false, "members",
      "fewer voting members answer than a quorum needs: writes fail now", eval_voters_up,
      Q_NONE, 0, 0 },
    { "EtcdMembersDown", SEV_CRITICAL, SCOPE_MEMBER, CMP_GT, THR_FIXED, ALL(0), 600,
      RANGE_NONE, true, "",
      "the member has not answered for 10 minutes", eval_member_down, Q_NONE, 0, 0 },
    { "EtcdInsufficientMembers", SEV_CRITICAL, SCOPE_CLUSTER, CMP_LT, THR_FIXED, ALL(0), 180,
      RANGE_NONE, false, "members",
      "fewer voting members answer than a quorum needs: the cluster cannot "
      "accept writes", eval_voters_up, Q_NONE, 0, 0 },
    { "EtcdNoLeader", SEV_CRITICAL, SCOPE_CLUSTER, CMP_GT, THR_NO_LEADER_TIMEOUT, ALL(0), 0,
      RANGE_NONE, false, "s",
      "no member has seen a leader for longer than no_leader_timeout: the "
      "cluster cannot serve writes", eval_no_leader, Q_NONE, 0, 0 },
    { "EtcdHighNumberOfLeaderChanges", SEV_WARNING, SCOPE_CLUSTER, CMP_GE, THR_TABLE, ALL(4), 300,
      15 * MINUTE_MS, false, "changes",
      "frequent leader elections over about 15 minutes: look for overloaded "
      "members, slow disks or network trouble", eval_win_leader_changes, Q_NONE, 0, 0 },
    { "EtcdHighNumberOfFailedGRPCRequests", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(1),
      600, 5 * MINUTE_MS, false, "%",
      "more than 1% of the member's gRPC requests fail on the server side",
      eval_grpc_failed_pct, Q_NONE, 0, 0 },
    { "EtcdHighNumberOfFailedGRPCRequestsCritical", SEV_CRITICAL, SCOPE_MEMBER, CMP_GT, THR_TABLE,
      ALL(5), 300, 5 * MINUTE_MS, false, "%",
      "more than 5% of the member's gRPC requests fail on the server side",
      eval_grpc_failed_pct, Q_NONE, 0, 0 },
    { "EtcdMemberCommunicationSlow", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(150), 600,
      5 * MINUTE_MS, false, "ms",
      "round trips from the member to its peers are slow (p99): network "
      "trouble between members", NULL, Q_PEER_RTT_P99, 0, 0 },
    { "EtcdHighNumberOfFailedProposals", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(5), 900,
      15 * MINUTE_MS, false, "/s",
      "raft proposals keep failing on the member (leader elections or lost "
      "quorum)", eval_failed_proposals, Q_NONE, 0, 0 },
    { "EtcdHighFsyncDurations", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(500), 600,
      5 * MINUTE_MS, false, "ms",
      "WAL fsync p99 is above 0.5 s: the member's disk is too slow for etcd",
      NULL, Q_WAL_P99, 0, 0 },
    { "EtcdHighFsyncDurationsCritical", SEV_CRITICAL, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(1000),
      600, 5 * MINUTE_MS, false, "ms",
      "WAL fsync p99 is above 1 s: the member's disk is far too slow and "
      "leader elections are likely", NULL, Q_WAL_P99, 0, 0 },
    { "EtcdHighCommitDurations", SEV_WARNING, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(250), 600,
      5 * MINUTE_MS, false, "ms",
      "backend commit p99 is above 0.25 s: the member's disk is too slow", NULL,
      Q_BACKEND_P99, 0, 0 },
    { "EtcdDatabaseQuotaLowSpace", SEV_CRITICAL, SCOPE_MEMBER, CMP_GT, THR_TABLE, ALL(95), 600,
      RANGE_NONE, false, "%",
      "the database uses more than 95% of its quota: compact and defragment "
      "before etcd raises NOSPACE", eval_quota_used_pct, Q_NONE, 0, 0 },
    { "EtcdExcessiveDatabaseGrowth", SEV_WARNING, SCOPE_MEMBER, CMP_LT, THR_TABLE, ALL(14400),
      600, RANGE_LARGEST, false, "s",
      "at its current growth (over the largest window) the database reaches "
      "its quota within 4 hours", eval_quota_eta, Q_NONE, 0, 0 },
    { "EtcdDatabaseHighFragmentationRatio", SEV_WARNING, SCOPE_MEMBER, CMP_LT, THR_TABLE,
      ALL(0.5), 600, RANGE_NONE, false, "ratio",
      "less than half of the database file is in use (over 100 MiB in use): "
      "defragment to reclaim the space", eval_in_use_ratio, Q_NONE, 0, 0 },
    { "EtcdAlarm", SEV_CRITICAL, SCOPE_ALARM, CMP_GT, THR_FIXED, ALL(0), 0,
      RANGE_NONE, false, "alarms",
      "an etcd alarm (NOSPACE, CORRUPT) is active: see etcdctl alarm list",
      eval_alarms, Q_NONE, 0, 0 },
    { "EtcdSplitView", SEV_WARNING, SCOPE_CLUSTER, CMP_GT, THR_FIXED, ALL(0), 0,
      RANGE_NONE, false, "",
      "reachable members disagree on the leader or the term: possible network "
      "partition", eval_split_view, Q_NONE, 0, 0 },
    { "DiskSpaceLow", SEV_WARNING, SCOPE_MEMBER, CMP_LT, THR_MIN_FREE_PCT, ALL(0), 0,
      RANGE_NONE, true, "%",
      "the member host's data filesystem (df -P of --data-dir over SSH) has less free "
      "space than min_disk_space_percent", eval_disk_free, Q_NONE, 0, 0 },
    /* The monitor's own access: the figures that need etcd auth are missing. */
    { "AuthFailed", SEV_WARNING, SCOPE_CLUSTER, CMP_GT, THR_FIXED, ALL(0), 0,
      RANGE_NONE, false, "",
      "etcd-monitor cannot authenticate to etcd (see monitoring.log): status, probes "
      "and the member list are missing until it can", eval_auth_failed, Q_NONE, 0, 0 },
    { "BackupFailed", SEV_CRITICAL, SCOPE_CLUSTER, CMP_GT, THR_FIXED, ALL(0), 0,
      RANGE_NONE, false, "",
      "the latest scheduled backup failed, or the newest one is older than two "
      "--backup-interval (see monitoring.log)", eval_backup_failed, Q_NONE, 0, 0 },
    { "PrometheusUnavailable", SEV_CRITICAL, SCOPE_CLUSTER, CMP_GT, THR_FIXED, ALL(0), 0,
      RANGE_NONE, false, "",
      "with --prometheus: Prometheus is unreachable, times out, answers an error or "
      "matches no series (see monitoring.log); the figures it gives are missing",
      eval_prometheus_unavailable, Q_NONE, 0, 0 },
};

#define N_BUILTIN ((int)(sizeof builtin / sizeof builtin[0]))

int rules_builtin_count(void)
{
    return N_BUILTIN;
}

const rule_def_t *rules_builtin_def(int i)
{
    return i >= 0 && i < N_BUILTIN ? &builtin[i] : NULL;
}

const char *rules_builtin_name(int i)
{
    return i >= 0 && i < N_BUILTIN ? builtin[i].name : NULL;
}

const char *rules_builtin_summary(int i)
{
    return i >= 0 && i < N_BUILTIN ? builtin[i].summary : NULL;
}

int rules_builtin_find(const char *name)
{
    for (int i = 0; name && i < N_BUILTIN; i++)
        if (strcmp(builtin[i].name, name) == 0)
            return i;
    return -1;
}

bool rules_builtin_adjustable(int i)
{
    return i >= 0 && i < N_BUILTIN && builtin[i].thr_src != THR_FIXED;
}

bool rules_builtin_quantile(int i)
{
    return i >= 0 && i < N_BUILTIN && builtin[i].quant != Q_NONE;
}
