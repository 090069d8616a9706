/* test_rules.c — the alert rule engine and every built-in rule: inactive below
 * the threshold, pending then firing exactly when `for` has elapsed, firing
 * without new transitions, resolving once, never firing on unknown figures;
 * overrides, levels, member removal, status, names and the alerts.log line.
 * Snapshots are built by hand. Run from the repository root (reads man/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "rules.h"
#include "testutil.h"

#define MIB  1048576.0
#define T0   1000000000.0          /* 2001-09-09T01:46:40Z */
#define MAXT 512

enum { M1, M2, M3 };               /* member indexes; names m1, m2, m3; IDs 1, 2, 3 */

/* ---- snapshots and engines ------------------------------------------------ */

static void figures_unknown(member_figures_t *f)
{
    for (int w = 0; w < FIG_MAX_WINDOWS; w++) {
        double *d = (double *)&f->w[w];
        for (size_t k = 0; k < sizeof f->w[w] / sizeof(double); k++)
            d[k] = NAN;
    }
    f->apply_lag = f->raft_index_lag = f->quota_used_pct = NAN;
    f->probe_read_ms = f->probe_write_ms = NAN;
    f->fragmentation_trend = TREND_UNKNOWN;
}

/* Three voters, all up, m1 leading; every figure unknown, nothing alarming.
 * Windows 1m, 5m, 15m, 1h. */
static void snap_init(cluster_snapshot_t *s)
{
    static const int64_t win[] = { 60000, 300000, 900000, 3600000 };
    memset(s, 0, sizeof *s);
    s->t = T0;
    s->n_members = 3;
    for (int i = 0; i < 3; i++) {
        member_view_t *m = &s->members[i];
        snprintf(m->name, sizeof m->name, "m%d", i + 1);
        snprintf(m->endpoint, sizeof m->endpoint, "http://10.0.0.%d:2379", i + 1);
        m->id = (uint64_t)(i + 1);
        m->in_member_list = true;
        m->sample.up = true;
        m->disk_free_pct = NAN;                     /* no df -P: unknown, not 0 % */
        m->log_slow = -1;
        m->iv.wal_p50_ms = m->iv.wal_p95_ms = m->iv.wal_p99_ms = NAN;
        m->iv.backend_p50_ms = m->iv.backend_p95_ms = m->iv.backend_p99_ms = NAN;
        m->iv.peer_rtt_p99_ms = NAN;
        figures_unknown(&m->fig);
        /* Every quantile rests on plenty of observations unless a test says
         * otherwise (min_observations is tested on its own). */
        m->iv.wal_n = m->iv.backend_n = m->iv.peer_rtt_n = 1000;
        for (int w = 0; w < FIG_MAX_WINDOWS; w++)
            m->fig.w[w].wal_n = m->fig.w[w].backend_n = m->fig.w[w].peer_rtt_n = 1000;
    }
    s->members_up = s->members_total = s->voters = s->voters_up = 3;
    s->leader_id = 1;
    s->n_windows = 4;
    memcpy(s->window_ms, win, sizeof win);
    s->wal_p99_ms = s->backend_p99_ms = NAN;
    s->no_leader_s = 0;
}

/* The defaults of config.c: level warning, seed alert_thresholds. */
static void rc_init(rules_config_t *rc)
{
    memset(rc, 0, sizeof *rc);
    rc->level = LEVEL_WARNING;
    rc->thresholds = (thresholds_t){ .max_latency_ms = 100, .max_database_size_mb = 8192,
                                     .min_available_nodes = 2,
                                     .max_leader_changes_per_hour = 3, .max_error_rate = 0.05,
                                     .min_disk_space_percent = 10 };
    rc->no_leader_timeout_s = 60;
    rc->n_windows = 4;
    rc->window_ms[0] = 60000;
    rc->window_ms[1] = 300000;
    rc->window_ms[2] = 900000;
    rc->window_ms[3] = 3600000;
}

static rules_t *engine(const rules_config_t *rc)
{
    char err[256] = "";
    rules_t *r = rules_new(rc, err, sizeof err);
    if (!r)
        fail_msg("rules_new: %s", err);
    return r;
}

static rules_t *engine_default(void)
{
    rules_config_t rc;
    rc_init(&rc);
    return engine(&rc);
}

static void add_override(rules_config_t *rc, const char *rule, rule_override_t o)
{
    snprintf(o.rule, sizeof o.rule, "%s", rule);
    rc->overrides[rc->n_overrides++] = o;
}

/* Seed 004's latency rules off: the engine tests below drive the seed's WAL
 * check, and these would fire beside it on the same figures. */
static void quiet_production(rules_config_t *rc)
{
    add_override(rc, "WalFsyncP99High", (rule_override_t){ .has_enabled = true });
    add_override(rc, "BackendCommitP99High", (rule_override_t){ .has_enabled = true });
}

static rules_t *engine_seed(void)
{
    rules_config_t rc;
    rc_init(&rc);
    quiet_production(&rc);
    return engine(&rc);
}

/* The transitions of one poll at time t. */
typedef struct {
    alert_transition_t tr[MAXT];
    int n;
} polled_t;

static void poll_at(rules_t *r, cluster_snapshot_t *s, double t, polled_t *p)
{
    s->t = t;
    p->n = rules_eval(r, s, p->tr, MAXT);
    assert_true(p->n >= 0 && p->n <= MAXT);
}

/* Transitions of rule (for member, NULL = any) in p; *last gets the last one. */
static int count_of(const polled_t *p, const char *rule, const char *member,
                    const alert_transition_t **last)
{
    int n = 0;
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->tr[i].alert.rule, rule) == 0 &&
            (!member || strcmp(p->tr[i].alert.member, member) == 0)) {
            n++;
            if (last)
                *last = &p->tr[i];
        }
    return n;
}

/* The active (pending or firing) alert of rule for member, or NULL. */
static const alert_t *active_of(const rules_t *r, const char *rule, const char *member)
{
    const alert_t *list;
    int n = rules_active(r, &list);
    for (int i = 0; i < n; i++)
        if (strcmp(list[i].rule, rule) == 0 && strcmp(list[i].member, member) == 0)
            return &list[i];
    return NULL;
}

static int active_count(const rules_t *r, const char *rule)
{
    const alert_t *list;
    int n = rules_active(r, &list), k = 0;
    for (int i = 0; i < n; i++)
        k += strcmp(list[i].rule, rule) == 0;
    return k;
}

/* ---- one case per built-in rule ------------------------------------------- */

typedef enum { MODE_OK, MODE_BAD, MODE_UNKNOWN } fig_mode_t;

typedef struct {
    const char *rule;
    const char *member;        /* "" for a cluster-wide alert */
    severity_t  sev;
    double      for_s;
    double      value, threshold;  /* expected in the alert under MODE_BAD */
    const char *unit;
    bool        can_be_unknown;
    void      (*set)(cluster_snapshot_t *s, fig_mode_t m);
} rule_case_t;

/* The figure for a mode: ok, bad, or unknown (NAN). */
static double pick(fig_mode_t m, double ok, double bad)
{
    return m == MODE_OK ? ok : m == MODE_BAD ? bad : NAN;
}

static mval_t mv(double v)
{
    return (mval_t){ isnan(v) ? 0 : v, !isnan(v) };
}

static member_view_t *m2(cluster_snapshot_t *s)
{
    return &s->members[M2];
}

static void set_seed_wal(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->iv.wal_p99_ms = pick(m, 9, 12);
}

static void set_seed_backend(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->iv.backend_p99_ms = pick(m, 20, 30);
}

static void set_seed_frag(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->iv.db_size = mv(200 * MIB);
    m2(s)->iv.fragmentation_pct = mv(pick(m, 25, 40));
}

static void set_seed_leader(cluster_snapshot_t *s, fig_mode_t m)
{
    for (int i = 0; i < 3; i++)
        s->members[i].iv.leader_changes = mv(pick(m, 2, i == M2 ? 3 : 1));
}

static void set_request_latency(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.w[0].read_p99 = pick(m, 90, 150);
}

static void set_db_size(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->iv.db_size = mv(pick(m, 8000, 9000) * MIB);
}

static void set_members_low(cluster_snapshot_t *s, fig_mode_t m)
{
    if (m == MODE_UNKNOWN) {            /* no member known yet */
        s->n_members = 0;
        s->members_up = s->members_total = s->voters = s->voters_up = 0;
        return;
    }
    s->members_up = m == MODE_OK ? 2 : 1;
}

static void set_leader_per_hour(cluster_snapshot_t *s, fig_mode_t m)
{
    for (int i = 0; i < 3; i++)
        s->members[i].fig.w[3].leader_changes = pick(m, 3, i == M2 ? 5 : 0);
}

static void set_error_rate(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.w[1].grpc_failed_ratio = pick(m, 0.04, 0.08);
}

static void set_quota_free(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.quota_used_pct = pick(m, 80, 95);
}

static void set_member_down(cluster_snapshot_t *s, fig_mode_t m)
{
    bool down = m == MODE_BAD;
    m2(s)->sample.up = !down;
    s->members_up = down ? 2 : 3;
    s->voters_up = down ? 2 : 3;
}

static void set_insufficient(cluster_snapshot_t *s, fig_mode_t m)
{
    if (m == MODE_UNKNOWN) {
        s->voters = s->voters_up = 0;
        return;
    }
    s->voters_up = m == MODE_OK ? 2 : 1;
}

static void set_no_leader(cluster_snapshot_t *s, fig_mode_t m)
{
    s->no_leader_s = pick(m, 60, 75);
    s->leader_id = m == MODE_OK ? 1 : 0;
}

static void set_leader_changes_15m(cluster_snapshot_t *s, fig_mode_t m)
{
    for (int i = 0; i < 3; i++)
        s->members[i].fig.w[2].leader_changes = pick(m, 3, i == M2 ? 4 : 1);
}

static void set_grpc_warning(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.w[1].grpc_failed_ratio = pick(m, 0.009, 0.02);
}

static void set_grpc_critical(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.w[1].grpc_failed_ratio = pick(m, 0.045, 0.06);
}

static void set_peer_rtt(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.w[1].peer_rtt_p99 = pick(m, 150, 200);
}

static void set_failed_proposals(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.w[2].proposals_failed_rate = pick(m, 5, 6);
}

static void set_fsync_warning(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.w[1].wal_p99 = pick(m, 500, 600);
}

static void set_fsync_critical(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.w[1].wal_p99 = pick(m, 1000, 1500);
}

static void set_commit(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.w[1].backend_p99 = pick(m, 250, 300);
}

static void set_quota_used(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.quota_used_pct = pick(m, 95, 96);
}

static void set_growth(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.w[3].quota_eta_s = pick(m, 14400, 3600);
}

static void set_in_use_ratio(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->iv.db_size = mv(400 * MIB);
    m2(s)->iv.db_size_in_use = mv(pick(m, 200, 150) * MIB);
}

static void set_alarm(cluster_snapshot_t *s, fig_mode_t m)
{
    s->n_alarms = m == MODE_BAD ? 1 : 0;
    s->alarms[0].member_id = 2;
    snprintf(s->alarms[0].alarm, sizeof s->alarms[0].alarm, "NOSPACE");
}

static void set_split_view(cluster_snapshot_t *s, fig_mode_t m)
{
    s->split_view = m == MODE_BAD;
}

static void set_auth_failed(cluster_snapshot_t *s, fig_mode_t m)
{
    snprintf(s->auth_error, sizeof s->auth_error, "%s",
             m == MODE_BAD ? "authentication failed, invalid user ID or password" : "");
}

static void set_prometheus_unavailable(cluster_snapshot_t *s, fig_mode_t m)
{
    snprintf(s->source_error, sizeof s->source_error, "%s",
             m == MODE_BAD ? "prometheus: connection refused" : "");
}

static void set_backup_failed(cluster_snapshot_t *s, fig_mode_t m)
{
    s->ops.backup_on = true;
    s->ops.backup_interval_s = 60;
    s->ops.backup_age_s = m == MODE_BAD ? 200 : 30;
}

static void set_disk_free(cluster_snapshot_t *s, fig_mode_t m)
{
    s->members[1].disk_free_pct = pick(m, 50, 4);
}

static void set_prod_wal(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->iv.wal_p99_ms = pick(m, 9.5, 12);          /* above 10, below the critical 100 */
    m2(s)->iv.backend_p99_ms = 5;                     /* keep the seed backend check quiet */
}

static void set_prod_backend(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->iv.backend_p99_ms = pick(m, 24, 26);       /* the seed check: above 25 too */
}

static void set_quota_usage(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.quota_used_pct = pick(m, 80, 85);
}

static void set_proposal_failure(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->fig.w[1].proposals_committed_rate = pick(m, 99, 98);
    m2(s)->fig.w[1].proposals_failed_rate = pick(m, 1, 2);
}

static void set_disk_used(cluster_snapshot_t *s, fig_mode_t m)
{
    s->members[1].disk_free_pct = pick(m, 20, 15);
}

static void set_memory(cluster_snapshot_t *s, fig_mode_t m)
{
    m2(s)->host_mem_bytes = m == MODE_UNKNOWN ? 0 : 1000 * MIB;
    m2(s)->sample.m.rss = mv(pick(m, 800, 850) * MIB);
}

static const rule_case_t cases[] = {
    { "WalFsyncP99High", "m2", SEV_WARNING, 0, 12, 10, "ms", true, set_prod_wal },
    { "BackendCommitP99High", "m2", SEV_WARNING, 0, 26, 25, "ms", true, set_prod_backend },
    { "DatabaseQuotaUsageHigh", "m2", SEV_WARNING, 0, 85, 80, "%", true, set_quota_usage },
    { "ProposalFailureRateHigh", "m2", SEV_WARNING, 0, 2, 1, "%", true, set_proposal_failure },
    { "DiskUsageHigh", "m2", SEV_WARNING, 0, 85, 80, "%", true, set_disk_used },
    { "MemoryUsageHigh", "m2", SEV_WARNING, 0, 85, 80, "%", true, set_memory },
    { "SeedWalFsyncSlow", "m2", SEV_CRITICAL, 0, 12, 10, "ms", true, set_seed_wal },
    { "SeedBackendCommitSlow", "m2", SEV_CRITICAL, 0, 30, 25, "ms", true, set_seed_backend },
    { "SeedHighFragmentation", "m2", SEV_WARNING, 0, 40, 30, "%", true, set_seed_frag },
    { "SeedLeaderInstability", "", SEV_WARNING, 0, 3, 2, "changes", true, set_seed_leader },
    { "RequestLatencyHigh", "m2", SEV_WARNING, 0, 150, 100, "ms", true, set_request_latency },
    { "DatabaseSizeHigh", "m2", SEV_WARNING, 0, 9000, 8192, "MiB", true, set_db_size },
    { "AvailableMembersLow", "", SEV_CRITICAL, 0, 1, 2, "members", true, set_members_low },
    { "LeaderChangesPerHourHigh", "", SEV_WARNING, 0, 5, 3, "/h", true, set_leader_per_hour },
    { "ErrorRateHigh", "m2", SEV_WARNING, 0, 8, 5, "%", true, set_error_rate },
    { "QuotaSpaceLow", "m2", SEV_WARNING, 0, 5, 10, "%", true, set_quota_free },
    { "MemberUnreachable", "m2", SEV_WARNING, 0, 1, 0, "", false, set_member_down },
    { "QuorumLost", "", SEV_CRITICAL, 0, 1, 2, "members", true, set_insufficient },
    { "EtcdMembersDown", "m2", SEV_CRITICAL, 600, 1, 0, "", false, set_member_down },
    { "EtcdInsufficientMembers", "", SEV_CRITICAL, 180, 1, 2, "members", true,
      set_insufficient },
    { "EtcdNoLeader", "", SEV_CRITICAL, 0, 75, 60, "s", true, set_no_leader },
    { "EtcdHighNumberOfLeaderChanges", "", SEV_WARNING, 300, 4, 4, "changes", true,
      set_leader_changes_15m },
    { "EtcdHighNumberOfFailedGRPCRequests", "m2", SEV_WARNING, 600, 2, 1, "%", true,
      set_grpc_warning },
    { "EtcdHighNumberOfFailedGRPCRequestsCritical", "m2", SEV_CRITICAL, 300, 6, 5, "%", true,
      set_grpc_critical },
    { "EtcdMemberCommunicationSlow", "m2", SEV_WARNING, 600, 200, 150, "ms", true,
      set_peer_rtt },
    { "EtcdHighNumberOfFailedProposals", "m2", SEV_WARNING, 900, 6, 5, "/s", true,
      set_failed_proposals },
    { "EtcdHighFsyncDurations", "m2", SEV_WARNING, 600, 600, 500, "ms", true,
      set_fsync_warning },
    { "EtcdHighFsyncDurationsCritical", "m2", SEV_CRITICAL, 600, 1500, 1000, "ms", true,
      set_fsync_critical },
    { "EtcdHighCommitDurations", "m2", SEV_WARNING, 600, 300, 250, "ms", true, set_commit },
    { "EtcdDatabaseQuotaLowSpace", "m2", SEV_CRITICAL, 600, 96, 95, "%", true, set_quota_used },
    { "EtcdExcessiveDatabaseGrowth", "m2", SEV_WARNING, 600, 3600, 14400, "s", true,
      set_growth },
    { "EtcdDatabaseHighFragmentationRatio", "m2", SEV_WARNING, 600, 0.375, 0.5, "ratio", true,
      set_in_use_ratio },
    { "EtcdAlarm", "m2", SEV_CRITICAL, 0, 1, 0, "alarms", false, set_alarm },
    { "EtcdSplitView", "", SEV_WARNING, 0, 1, 0, "", false, set_split_view },
    { "DiskSpaceLow", "m2", SEV_WARNING, 0, 4, 10, "%", true, set_disk_free },
    { "AuthFailed", "", SEV_WARNING, 0, 1, 0, "", false, set_auth_failed },
    { "BackupFailed", "", SEV_CRITICAL, 0, 1, 0, "", false, set_backup_failed },
    { "PrometheusUnavailable", "", SEV_CRITICAL, 0, 1, 0, "", false,
      set_prometheus_unavailable },
};
#define N_CASES ((int)(sizeof cases / sizeof cases[0]))

static void check_alert(const alert_t *a, const rule_case_t *c, alert_state_t st)
{
    assert_non_null(a);
    assert_string_equal(a->rule, c->rule);
    assert_string_equal(a->member, c->member);
    assert_int_equal(a->severity, c->sev);
    assert_int_equal(a->state, st);
    assert_float_equal(a->value, c->value, 1e-9);
    assert_float_equal(a->threshold, c->threshold, 1e-9);
    assert_string_equal(a->unit, c->unit);
}

/* One rule's whole life: below the threshold, pending, firing exactly when
 * `for` has elapsed, steady, resolved once, then quiet. */
static void lifecycle(const rule_case_t *c)
{
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    const alert_transition_t *tr = NULL;
    rules_t *r = engine_default();

    snap_init(&s);
    c->set(&s, MODE_OK);
    for (int k = 0; k < 3; k++) {
        poll_at(r, &s, T0 + 5 * k, &p);
        assert_int_equal(count_of(&p, c->rule, NULL, NULL), 0);
        assert_int_equal(active_count(r, c->rule), 0);
    }

    double t1 = T0 + 100;
    c->set(&s, MODE_BAD);
    poll_at(r, &s, t1, &p);
    assert_int_equal(count_of(&p, c->rule, NULL, &tr), 1);
    if (c->for_s > 0) {
        assert_int_equal(tr->kind, TRANS_PENDING);
        check_alert(&tr->alert, c, ALERT_PENDING);
        check_alert(active_of(r, c->rule, c->member), c, ALERT_PENDING);
        assert_true(active_of(r, c->rule, c->member)->active_since == t1);
        assert_true(active_of(r, c->rule, c->member)->firing_since == 0);
        /* still pending one poll before `for` has elapsed */
        poll_at(r, &s, t1 + c->for_s - 5, &p);
        assert_int_equal(count_of(&p, c->rule, NULL, NULL), 0);
        assert_int_equal(active_of(r, c->rule, c->member)->state, ALERT_PENDING);
        poll_at(r, &s, t1 + c->for_s - 0.001, &p);
        assert_int_equal(count_of(&p, c->rule, NULL, NULL), 0);
        /* exactly at `for` */
        poll_at(r, &s, t1 + c->for_s, &p);
        assert_int_equal(count_of(&p, c->rule, NULL, &tr), 1);
    }
    assert_int_equal(tr->kind, TRANS_FIRING);
    assert_true(tr->t == t1 + c->for_s);
    check_alert(&tr->alert, c, ALERT_FIRING);
    const alert_t *a = active_of(r, c->rule, c->member);
    check_alert(a, c, ALERT_FIRING);
    assert_true(a->active_since == t1);
    assert_true(a->firing_since == t1 + c->for_s);
    assert_int_equal(active_count(r, c->rule), 1);

    /* stays firing, no new transition */
    double t2 = t1 + c->for_s;
    for (int k = 1; k <= 3; k++) {
        poll_at(r, &s, t2 + 5 * k, &p);
        assert_int_equal(count_of(&p, c->rule, NULL, NULL), 0);
        check_alert(active_of(r, c->rule, c->member), c, ALERT_FIRING);
    }

    /* resolves once */
    c->set(&s, MODE_OK);
    poll_at(r, &s, t2 + 20, &p);
    assert_int_equal(count_of(&p, c->rule, NULL, &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    assert_string_equal(tr->alert.member, c->member);
    assert_int_equal(tr->alert.state, ALERT_INACTIVE);
    assert_true(tr->alert.firing_since == t2);
    assert_int_equal(active_count(r, c->rule), 0);
    poll_at(r, &s, t2 + 25, &p);
    assert_int_equal(count_of(&p, c->rule, NULL, NULL), 0);
    assert_int_equal(active_count(r, c->rule), 0);
    rules_free(r);

    /* an unknown input never fires, however long it lasts */
    if (!c->can_be_unknown)
        return;
    r = engine_default();
    snap_init(&s);
    c->set(&s, MODE_UNKNOWN);
    for (double t = T0; t <= T0 + c->for_s + 7200; t += 600) {
        poll_at(r, &s, t, &p);
        assert_int_equal(count_of(&p, c->rule, NULL, NULL), 0);
        assert_int_equal(active_count(r, c->rule), 0);
    }
    rules_free(r);
}

static void test_every_rule_lifecycle(void **state)
{
    (void)state;
    for (int i = 0; i < N_CASES; i++) {
        print_message("  %s\n", cases[i].rule);
        lifecycle(&cases[i]);
    }
}

/* The cases above cover every built-in rule, and only those. */
static void test_cases_cover_table(void **state)
{
    (void)state;
    int n = rules_builtin_count();
    assert_int_equal(n, N_CASES);
    for (int i = 0; i < n; i++) {
        const char *name = rules_builtin_name(i);
        const char *sum = rules_builtin_summary(i);
        assert_non_null(name);
        assert_non_null(sum);
        assert_true(strlen(sum) > 20);
        assert_true(strlen(name) < sizeof(((alert_t *)0)->rule));
        bool found = false;
        for (int k = 0; k < N_CASES; k++)
            found |= strcmp(cases[k].rule, name) == 0;
        if (!found)
            fail_msg("built-in rule %s has no test case", name);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(rules_builtin_name(j), name);
    }
    assert_null(rules_builtin_name(n));
    assert_null(rules_builtin_name(-1));
    assert_null(rules_builtin_summary(n));
}

/* ---- engine semantics ------------------------------------------------------ */

/* Pending, then the condition clears: back to inactive without a line; when
 * it comes back the `for` timer starts again. */
static void test_pending_clears_silently(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    rules_t *r = engine_default();
    snap_init(&s);

    set_fsync_warning(&s, MODE_BAD);
    poll_at(r, &s, T0, &p);
    assert_int_equal(count_of(&p, "EtcdHighFsyncDurations", "m2", NULL), 1);
    set_fsync_warning(&s, MODE_OK);
    poll_at(r, &s, T0 + 300, &p);
    assert_int_equal(p.n, 0);
    assert_int_equal(active_count(r, "EtcdHighFsyncDurations"), 0);

    set_fsync_warning(&s, MODE_BAD);
    poll_at(r, &s, T0 + 400, &p);
    assert_int_equal(count_of(&p, "EtcdHighFsyncDurations", "m2", NULL), 1);
    assert_int_equal(p.tr[0].kind, TRANS_PENDING);
    poll_at(r, &s, T0 + 600, &p);                 /* 600 s after the first pending */
    assert_int_equal(p.n, 0);
    poll_at(r, &s, T0 + 1000, &p);                /* 600 s after the second */
    assert_int_equal(count_of(&p, "EtcdHighFsyncDurations", "m2", NULL), 1);
    assert_int_equal(p.tr[0].kind, TRANS_FIRING);
    rules_free(r);
}

/* Value and threshold follow the figures while the alert is active. */
static void test_value_updates(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    rules_t *r = engine_default();
    snap_init(&s);

    s.members[M1].iv.wal_p99_ms = 15;
    poll_at(r, &s, T0, &p);
    s.members[M1].iv.wal_p99_ms = 42;
    poll_at(r, &s, T0 + 5, &p);
    assert_int_equal(p.n, 0);
    const alert_t *a = active_of(r, "SeedWalFsyncSlow", "m1");
    assert_non_null(a);
    assert_float_equal(a->value, 42, 1e-9);

    /* the quorum threshold moves with the voters */
    s.voters = 5;
    s.voters_up = 2;
    poll_at(r, &s, T0 + 10, &p);
    a = active_of(r, "EtcdInsufficientMembers", "");
    assert_non_null(a);
    assert_float_equal(a->threshold, 3, 1e-9);
    s.voters = 7;
    poll_at(r, &s, T0 + 15, &p);
    a = active_of(r, "EtcdInsufficientMembers", "");
    assert_float_equal(a->threshold, 4, 1e-9);

    /* the resolved line carries the figure that ended it */
    s.members[M1].iv.wal_p99_ms = 3;
    poll_at(r, &s, T0 + 20, &p);
    const alert_transition_t *tr = NULL;
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m1", &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    assert_float_equal(tr->alert.value, 3, 1e-9);
    rules_free(r);
}

/* A member that leaves the snapshot: its firing alerts resolve once, its
 * pending ones go silently. */
static void test_member_removed(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    const alert_transition_t *tr = NULL;
    rules_t *r = engine_seed();
    snap_init(&s);

    s.members[M3].iv.wal_p99_ms = 30;              /* fires at once */
    s.members[M3].fig.w[1].wal_p99 = 700;          /* pending for 10m */
    poll_at(r, &s, T0, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m3", NULL), 1);
    assert_int_equal(active_of(r, "EtcdHighFsyncDurations", "m3")->state, ALERT_PENDING);

    s.n_members = 2;                               /* m3 removed */
    s.members_up = s.members_total = s.voters = s.voters_up = 2;
    poll_at(r, &s, T0 + 5, &p);
    assert_int_equal(p.n, 1);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m3", &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    assert_int_equal(count_of(&p, "EtcdHighFsyncDurations", NULL, NULL), 0);
    assert_int_equal(rules_active(r, NULL), 0);
    poll_at(r, &s, T0 + 10, &p);
    assert_int_equal(p.n, 0);
    rules_free(r);
}

/* Disk space comes from the member's host over SSH, not from etcd: it is
 * evaluated for a member that does not answer (a full disk is a common
 * reason), and per member. */
static void test_disk_free_while_down(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    const alert_transition_t *tr = NULL;
    rules_t *r = engine_default();
    snap_init(&s);
    s.members[M2].sample.up = false;
    s.members_up = s.voters_up = 2;
    s.members[M2].disk_free_pct = 3;
    s.members[0].disk_free_pct = 60;
    poll_at(r, &s, T0, &p);
    assert_int_equal(count_of(&p, "DiskSpaceLow", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_FIRING);
    assert_float_equal(tr->alert.value, 3, 1e-9);
    assert_int_equal(count_of(&p, "DiskSpaceLow", NULL, NULL), 1);   /* m1 has room */
    s.members[M2].disk_free_pct = 30;
    poll_at(r, &s, T0 + 5, &p);
    assert_int_equal(count_of(&p, "DiskSpaceLow", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    rules_free(r);
}

/* A firing alert of a member that stops answering keeps firing (no RESOLVED
 * for a member we cannot see); an unknown figure of a member that answers
 * resolves it. */
static void test_unknown_while_firing(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    const alert_transition_t *tr = NULL;
    rules_t *r = engine_seed();
    snap_init(&s);

    s.members[M2].iv.wal_p99_ms = 30;
    poll_at(r, &s, T0, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m2", NULL), 1);

    s.members[M2].sample.up = false;               /* down: figures unknown */
    s.members[M2].iv.wal_p99_ms = NAN;
    s.members_up = s.voters_up = 2;
    poll_at(r, &s, T0 + 5, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", NULL, NULL), 0);
    assert_int_equal(count_of(&p, "EtcdMembersDown", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_PENDING);
    assert_int_equal(count_of(&p, "MemberUnreachable", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_FIRING);                /* at once */
    const alert_t *a = active_of(r, "SeedWalFsyncSlow", "m2");
    assert_non_null(a);
    assert_int_equal(a->state, ALERT_FIRING);
    assert_float_equal(a->value, 30, 1e-9);        /* the last value seen */
    assert_int_equal(rules_status(r), STATUS_ALERT);

    /* even stale figures of a down member are not read */
    s.members[M2].iv.wal_p99_ms = 1;
    poll_at(r, &s, T0 + 10, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", NULL, NULL), 0);

    /* back up with a fine figure: resolved, and the pending down alert dropped */
    s.members[M2].sample.up = true;
    s.members_up = s.voters_up = 3;
    s.members[M2].iv.wal_p99_ms = 2;
    poll_at(r, &s, T0 + 15, &p);
    assert_int_equal(p.n, 2);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    assert_int_equal(count_of(&p, "MemberUnreachable", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    assert_int_equal(rules_active(r, NULL), 0);

    /* up, firing, then the figure becomes unknown (no fsync at all): resolved */
    s.members[M2].iv.wal_p99_ms = 30;
    poll_at(r, &s, T0 + 20, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m2", NULL), 1);
    s.members[M2].iv.wal_p99_ms = NAN;
    poll_at(r, &s, T0 + 25, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    assert_float_equal(tr->alert.value, 30, 1e-9);
    rules_free(r);
}

/* Side conditions and special figures. */
static void test_rule_details(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    rules_t *r = engine_default();

    /* fragmentation on a small db never fires, however fragmented */
    snap_init(&s);
    s.members[M1].iv.db_size = mv(50 * MIB);
    s.members[M1].iv.fragmentation_pct = mv(90);
    s.members[M1].iv.db_size_in_use = mv(5 * MIB);
    poll_at(r, &s, T0, &p);
    poll_at(r, &s, T0 + 3600, &p);
    assert_int_equal(active_count(r, "SeedHighFragmentation"), 0);
    assert_int_equal(active_count(r, "EtcdDatabaseHighFragmentationRatio"), 0);
    /* db size unknown: fragmentation unknown too */
    s.members[M1].iv.db_size = mv(NAN);
    poll_at(r, &s, T0 + 3605, &p);
    assert_int_equal(active_count(r, "SeedHighFragmentation"), 0);

    /* a database that does not grow: quota ETA infinite, never fires */
    snap_init(&s);
    s.members[M1].fig.w[3].quota_eta_s = INFINITY;
    poll_at(r, &s, T0 + 4000, &p);
    poll_at(r, &s, T0 + 8000, &p);
    assert_int_equal(active_count(r, "EtcdExcessiveDatabaseGrowth"), 0);
    rules_free(r);

    /* leader changes per hour need a largest window of at least 15m */
    r = engine_default();
    snap_init(&s);
    s.n_windows = 3;
    s.window_ms[0] = 60000;
    s.window_ms[1] = 300000;
    s.window_ms[2] = 600000;
    for (int i = 0; i < 3; i++)
        s.members[i].fig.w[2].leader_changes = 50;
    poll_at(r, &s, T0, &p);
    assert_int_equal(active_count(r, "LeaderChangesPerHourHigh"), 0);
    s.window_ms[2] = 900000;                       /* 15m: 50 changes = 200 per hour */
    poll_at(r, &s, T0 + 5, &p);
    const alert_t *a = active_of(r, "LeaderChangesPerHourHigh", "");
    assert_non_null(a);
    assert_float_equal(a->value, 200, 1e-9);
    rules_free(r);

    /* no windows in the snapshot: window rules are unknown, not zero */
    r = engine_default();
    snap_init(&s);
    s.n_windows = 0;
    for (int i = 0; i < 3; i++)
        memset(s.members[i].fig.w, 0, sizeof s.members[i].fig.w);
    poll_at(r, &s, T0, &p);
    assert_int_equal(p.n, 0);
    rules_free(r);

    /* the 5m rules read the window nearest to 5m: 4m, not 10m */
    r = engine_default();
    snap_init(&s);
    s.window_ms[0] = 60000;
    s.window_ms[1] = 240000;
    s.window_ms[2] = 600000;
    s.window_ms[3] = 1800000;
    s.members[M1].fig.w[1].grpc_failed_ratio = 0.5;
    s.members[M1].fig.w[2].grpc_failed_ratio = 0;
    poll_at(r, &s, T0, &p);
    assert_non_null(active_of(r, "ErrorRateHigh", "m1"));
    rules_free(r);

    /* alarms: one alert per member; an unknown member is shown by its ID */
    r = engine_default();
    snap_init(&s);
    s.n_alarms = 3;
    s.alarms[0] = (status_alarm_t){ .member_id = 3, .alarm = "NOSPACE" };
    s.alarms[1] = (status_alarm_t){ .member_id = 0xabc, .alarm = "CORRUPT" };
    s.alarms[2] = (status_alarm_t){ .member_id = 3, .alarm = "CORRUPT" };
    poll_at(r, &s, T0, &p);
    assert_int_equal(count_of(&p, "EtcdAlarm", NULL, NULL), 2);
    a = active_of(r, "EtcdAlarm", "m3");
    assert_non_null(a);
    assert_float_equal(a->value, 2, 1e-9);
    assert_non_null(active_of(r, "EtcdAlarm", "0000000000000abc"));
    s.n_alarms = 1;                                 /* the 0xabc alarm cleared */
    const alert_transition_t *tr = NULL;
    poll_at(r, &s, T0 + 5, &p);
    assert_int_equal(count_of(&p, "EtcdAlarm", NULL, &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    assert_string_equal(tr->alert.member, "0000000000000abc");
    rules_free(r);
}

/* ---- overrides and levels -------------------------------------------------- */

static void test_override_for(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    rules_config_t rc;
    rc_init(&rc);
    add_override(&rc, "EtcdNoLeader", (rule_override_t){ .has_for = true, .for_s = 30 });
    add_override(&rc, "EtcdMembersDown", (rule_override_t){ .has_for = true, .for_s = 0 });
    rules_t *r = engine(&rc);
    snap_init(&s);

    set_no_leader(&s, MODE_BAD);
    set_member_down(&s, MODE_BAD);
    poll_at(r, &s, T0, &p);
    const alert_transition_t *tr = NULL;
    assert_int_equal(count_of(&p, "EtcdNoLeader", "", &tr), 1);
    assert_int_equal(tr->kind, TRANS_PENDING);
    assert_int_equal(count_of(&p, "EtcdMembersDown", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_FIRING);       /* for 0: straight to firing */
    poll_at(r, &s, T0 + 29, &p);
    assert_int_equal(count_of(&p, "EtcdNoLeader", NULL, NULL), 0);
    poll_at(r, &s, T0 + 30, &p);
    assert_int_equal(count_of(&p, "EtcdNoLeader", "", &tr), 1);
    assert_int_equal(tr->kind, TRANS_FIRING);
    rules_free(r);
}

static void test_override_threshold(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    rules_config_t rc;
    rc_init(&rc);
    quiet_production(&rc);
    add_override(&rc, "SeedWalFsyncSlow", (rule_override_t){ .has_threshold = true,
                                                             .threshold = 40 });
    add_override(&rc, "EtcdNoLeader", (rule_override_t){ .has_threshold = true,
                                                         .threshold = 120 });
    rules_t *r = engine(&rc);
    snap_init(&s);

    s.members[M1].iv.wal_p99_ms = 30;              /* above the level's 10, below 40 */
    s.no_leader_s = 100;                           /* above the timeout's 60, below 120 */
    s.leader_id = 0;
    poll_at(r, &s, T0, &p);
    assert_int_equal(p.n, 0);
    s.members[M1].iv.wal_p99_ms = 45;
    s.no_leader_s = 125;
    poll_at(r, &s, T0 + 5, &p);
    assert_int_equal(p.n, 2);
    const alert_t *a = active_of(r, "SeedWalFsyncSlow", "m1");
    assert_non_null(a);
    assert_float_equal(a->threshold, 40, 1e-9);
    assert_float_equal(active_of(r, "EtcdNoLeader", "")->threshold, 120, 1e-9);
    rules_free(r);

    /* no_leader_timeout sets EtcdNoLeader's threshold */
    rc_init(&rc);
    rc.no_leader_timeout_s = 10;
    r = engine(&rc);
    snap_init(&s);
    s.leader_id = 0;
    s.no_leader_s = 11;
    poll_at(r, &s, T0, &p);
    assert_float_equal(active_of(r, "EtcdNoLeader", "")->threshold, 10, 1e-9);
    rules_free(r);

    /* the alert_thresholds feed their rules */
    rc_init(&rc);
    rc.thresholds.max_latency_ms = 200;
    rc.thresholds.max_error_rate = 0.2;
    rc.thresholds.min_available_nodes = 3;
    rc.thresholds.min_disk_space_percent = 50;
    rc.thresholds.max_database_size_mb = 100;
    rc.thresholds.max_leader_changes_per_hour = 10;
    r = engine(&rc);
    snap_init(&s);
    s.members[M1].fig.w[0].read_p99 = 150;         /* below 200 */
    s.members[M1].fig.w[1].grpc_failed_ratio = 0.1;  /* below 20 % */
    s.members[M1].fig.quota_used_pct = 60;         /* 40 % free, below 50 */
    s.members[M1].iv.db_size = mv(150 * MIB);      /* above 100 MiB */
    s.members[M1].fig.w[3].leader_changes = 8;     /* below 10 per hour */
    s.members_up = 2;                              /* below 3 */
    poll_at(r, &s, T0, &p);
    assert_null(active_of(r, "RequestLatencyHigh", "m1"));
    assert_null(active_of(r, "ErrorRateHigh", "m1"));
    assert_null(active_of(r, "LeaderChangesPerHourHigh", ""));
    assert_float_equal(active_of(r, "QuotaSpaceLow", "m1")->threshold, 50, 1e-9);
    assert_float_equal(active_of(r, "DatabaseSizeHigh", "m1")->value, 150, 1e-9);
    assert_float_equal(active_of(r, "AvailableMembersLow", "")->threshold, 3, 1e-9);
    rules_free(r);
}

static void test_override_disabled(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    rules_config_t rc;
    rc_init(&rc);
    add_override(&rc, "EtcdSplitView", (rule_override_t){ .has_enabled = true, .enabled = false });
    add_override(&rc, "EtcdAlarm", (rule_override_t){ .has_enabled = true, .enabled = true });
    rules_t *r = engine(&rc);
    snap_init(&s);
    set_split_view(&s, MODE_BAD);
    set_alarm(&s, MODE_BAD);
    poll_at(r, &s, T0, &p);
    poll_at(r, &s, T0 + 3600, &p);
    assert_int_equal(active_count(r, "EtcdSplitView"), 0);
    assert_int_equal(active_count(r, "EtcdAlarm"), 1);
    rules_free(r);
}

static void check_rejected(const rules_config_t *rc, const char *want)
{
    char err[256] = "";
    rules_t *r = rules_new(rc, err, sizeof err);
    assert_null(r);
    assert_string_equal(err, want);
}

static void test_override_rejected(void **state)
{
    (void)state;
    rules_config_t rc;
    rc_init(&rc);
    add_override(&rc, "EtcdNoLeader", (rule_override_t){ .has_for = true, .for_s = 5 });
    add_override(&rc, "EtcdNoLeaderr", (rule_override_t){ .has_for = true, .for_s = 5 });
    check_rejected(&rc, "rules: unknown rule \"EtcdNoLeaderr\"");

    rc_init(&rc);
    add_override(&rc, "", (rule_override_t){ .has_enabled = true });
    check_rejected(&rc, "rules: unknown rule \"\"");

    rc_init(&rc);
    add_override(&rc, "EtcdSplitView", (rule_override_t){ .has_threshold = true,
                                                          .threshold = 1 });
    check_rejected(&rc, "rules: EtcdSplitView has no threshold to override");

    rc_init(&rc);
    add_override(&rc, "EtcdNoLeader", (rule_override_t){ .has_for = true, .for_s = -1 });
    check_rejected(&rc, "rules: EtcdNoLeader: `for` must be 0 or more seconds");

    rc_init(&rc);
    add_override(&rc, "EtcdNoLeader", (rule_override_t){ .has_threshold = true,
                                                         .threshold = NAN });
    check_rejected(&rc, "rules: EtcdNoLeader: the threshold is not a number");

    rc_init(&rc);
    rc.n_overrides = RULES_MAX_OVERRIDES + 1;
    check_rejected(&rc, "rules: more than 64 rule overrides");

    /* a NULL err buffer is allowed */
    rc_init(&rc);
    add_override(&rc, "Nope", (rule_override_t){ .has_for = true });
    assert_null(rules_new(&rc, NULL, 0));
}

/* Level critical evaluates only critical rules and uses the critical seed
 * thresholds; info the most sensitive ones. */
static void test_levels(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    rules_config_t rc;
    static const struct { alert_level_t lvl; double wal, backend, frag; } seeds[] = {
        { LEVEL_CRITICAL, 20, 50, 60 }, { LEVEL_WARNING, 10, 25, 30 }, { LEVEL_INFO, 5, 15, 20 },
    };
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        rc_init(&rc);
        quiet_production(&rc);
        rc.level = seeds[k].lvl;
        rules_t *r = engine(&rc);
        snap_init(&s);
        /* just at the level's thresholds: nothing */
        s.members[M1].iv.wal_p99_ms = seeds[k].wal;
        s.members[M1].iv.backend_p99_ms = seeds[k].backend;
        s.members[M1].iv.db_size = mv(200 * MIB);
        s.members[M1].iv.fragmentation_pct = mv(seeds[k].frag);
        poll_at(r, &s, T0, &p);
        assert_int_equal(p.n, 0);
        /* just above */
        s.members[M1].iv.wal_p99_ms = seeds[k].wal + 0.5;
        s.members[M1].iv.backend_p99_ms = seeds[k].backend + 0.5;
        s.members[M1].iv.fragmentation_pct = mv(seeds[k].frag + 0.5);
        s.split_view = true;
        poll_at(r, &s, T0 + 5, &p);
        assert_float_equal(active_of(r, "SeedWalFsyncSlow", "m1")->threshold, seeds[k].wal, 0);
        assert_float_equal(active_of(r, "SeedBackendCommitSlow", "m1")->threshold,
                           seeds[k].backend, 0);
        /* the seed checks stay on at every level, fragmentation included */
        assert_float_equal(active_of(r, "SeedHighFragmentation", "m1")->threshold,
                           seeds[k].frag, 0);
        assert_int_equal(rules_threshold(r, "SeedHighFragmentation") == seeds[k].frag, 1);
        if (seeds[k].lvl == LEVEL_CRITICAL) {
            assert_int_equal(p.n, 3);               /* other warnings hidden */
            assert_null(active_of(r, "EtcdSplitView", ""));
        } else {
            assert_int_equal(p.n, 4);
            assert_non_null(active_of(r, "EtcdSplitView", ""));
        }
        assert_int_equal(rules_status(r), STATUS_ALERT);
        rules_free(r);
    }

    /* level critical: a warning rule never fires, even for a long time; the
     * two-level fsync rule reports only its critical level (600 ms > 100), and
     * the seed's WAL check (its interval unknown) judges the shortest window
     * that has the p99, 5m: 600 ms > 20 */
    rc_init(&rc);
    rc.level = LEVEL_CRITICAL;
    rules_t *r = engine(&rc);
    snap_init(&s);
    set_fsync_warning(&s, MODE_BAD);
    set_split_view(&s, MODE_BAD);
    for (double t = T0; t < T0 + 7200; t += 300)
        poll_at(r, &s, t, &p);
    const alert_t *list;
    assert_int_equal(rules_active(r, &list), 2);
    assert_string_equal(list[0].rule, "SeedWalFsyncSlow");
    assert_string_equal(list[1].rule, "WalFsyncP99High");
    assert_int_equal(list[1].severity, SEV_CRITICAL);
    assert_int_equal(rules_status(r), STATUS_ALERT);
    assert_true(isnan(rules_threshold_sev(r, "WalFsyncP99High", SEV_WARNING)));
    assert_float_equal(rules_threshold_sev(r, "WalFsyncP99High", SEV_CRITICAL), 100, 0);
    rules_free(r);
}

/* Issue 11: at level critical a 160 MB database at 76 % fragmentation reads
 * WARNING (the seed's fragmentation check, threshold 60), and an unreachable
 * member is reported: the level chooses the seed thresholds, it does not
 * switch the seed checks off. */
static void test_level_critical_keeps_seed_checks(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    const alert_transition_t *tr = NULL;
    rules_config_t rc;
    rc_init(&rc);
    rc.level = LEVEL_CRITICAL;
    rules_t *r = engine(&rc);
    snap_init(&s);
    s.members[M1].iv.db_size = mv(160e6);
    s.members[M1].iv.db_size_in_use = mv(160e6 * 0.24);
    s.members[M1].iv.fragmentation_pct = mv(76);
    poll_at(r, &s, T0, &p);
    assert_int_equal(count_of(&p, "SeedHighFragmentation", "m1", &tr), 1);
    assert_int_equal(tr->kind, TRANS_FIRING);
    assert_float_equal(tr->alert.threshold, 60, 0);
    assert_int_equal(rules_status(r), STATUS_WARNING);
    for (int i = 0; i < 3; i++)
        s.members[i].iv.leader_changes = mv(i == M1 ? 3 : 0);
    set_member_down(&s, MODE_BAD);
    poll_at(r, &s, T0 + 5, &p);
    assert_int_equal(count_of(&p, "SeedLeaderInstability", "", NULL), 1);
    assert_int_equal(count_of(&p, "MemberUnreachable", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_FIRING);
    assert_int_equal(rules_status(r), STATUS_WARNING);
    rules_free(r);
}


/* ---- issue 11: min_observations, keep_firing_for, two levels -------------- */

/* A quantile is judged over the shortest span with at least min_observations:
 * the interval, then 1m, 5m ...; with none, the rule is unknown. */
static void test_min_observations_span(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    const alert_transition_t *tr = NULL;
    rules_config_t rc;
    rc_init(&rc);
    quiet_production(&rc);
    rules_t *r = engine(&rc);
    member_view_t *m = &s.members[M2];
    snap_init(&s);

    /* 2 fsyncs in the interval, one slow: p99 42 ms is not judged; 1m has 19
     * (one short), 5m has 64 and a fine p99: nothing fires */
    m->iv.wal_p99_ms = 42;
    m->iv.wal_n = 2;
    m->fig.w[0].wal_p99 = 30;
    m->fig.w[0].wal_n = 19;
    m->fig.w[1].wal_p99 = 8;
    m->fig.w[1].wal_n = 64;
    poll_at(r, &s, T0, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", NULL, NULL), 0);

    /* 1m reaches 20: its 30 ms is judged, and the alert says what it rests on */
    m->fig.w[0].wal_n = 20;
    poll_at(r, &s, T0 + 1, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_FIRING);
    assert_float_equal(tr->alert.value, 30, 0);
    assert_float_equal(tr->alert.observations, 20, 0);
    assert_true(tr->alert.span_ms == 60000);

    /* the interval itself has enough: it wins over every window */
    m->iv.wal_n = 25;
    m->iv.seconds = 1;
    m->iv.wal_p99_ms = 4;
    poll_at(r, &s, T0 + 2, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    assert_float_equal(tr->alert.value, 4, 0);
    assert_true(tr->alert.span_ms == 1000);

    /* no span has enough: unknown, never fires however slow */
    m->iv.wal_p99_ms = 900;
    m->iv.wal_n = 1;
    for (int w = 0; w < FIG_MAX_WINDOWS; w++) {
        m->fig.w[w].wal_p99 = 900;
        m->fig.w[w].wal_n = 15;
    }
    poll_at(r, &s, T0 + 3, &p);
    assert_int_equal(active_count(r, "SeedWalFsyncSlow"), 0);
    assert_int_equal(active_count(r, "EtcdHighFsyncDurations"), 0);
    rules_free(r);

    /* min_observations: 1 judges the single interval fsync; the mixin rule
     * (default 20, `for` 0 here) starts at its own window (5m), never at the
     * interval, and goes to longer windows when that one is too thin */
    rc_init(&rc);
    quiet_production(&rc);
    add_override(&rc, "SeedWalFsyncSlow", (rule_override_t){ .has_min_obs = true,
                                                             .min_obs = 1 });
    add_override(&rc, "EtcdHighFsyncDurations", (rule_override_t){ .has_for = true });
    r = engine(&rc);
    snap_init(&s);
    m->iv.wal_p99_ms = 600;
    m->iv.wal_n = 1;
    m->fig.w[0].wal_p99 = 600;
    m->fig.w[1].wal_p99 = 8;
    poll_at(r, &s, T0, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m2", NULL), 1);
    assert_int_equal(count_of(&p, "EtcdHighFsyncDurations", NULL, NULL), 0);
    m->fig.w[1].wal_n = 3;                        /* 5m too thin: 15m, then 1h */
    m->fig.w[2].wal_p99 = 700;
    poll_at(r, &s, T0 + 1, &p);
    assert_int_equal(count_of(&p, "EtcdHighFsyncDurations", "m2", &tr), 1);
    assert_float_equal(tr->alert.value, 700, 0);
    assert_true(tr->alert.span_ms == 900000);
    rules_free(r);

    /* min_observations only for quantile rules, and 1 or more */
    rc_init(&rc);
    add_override(&rc, "EtcdNoLeader", (rule_override_t){ .has_min_obs = true, .min_obs = 5 });
    assert_null(rules_new(&rc, NULL, 0));
    rc_init(&rc);
    add_override(&rc, "SeedWalFsyncSlow", (rule_override_t){ .has_min_obs = true });
    assert_null(rules_new(&rc, NULL, 0));
}

/* keep_firing_for: a firing alert resolves only once its condition has been
 * false that long; a true poll in between starts the hold again. Pending
 * alerts are not held. The default is 2 poll intervals. */
static void test_keep_firing_for(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    const alert_transition_t *tr = NULL;
    rules_config_t rc;
    rc_init(&rc);
    quiet_production(&rc);
    rc.interval_s = 1;                           /* default hold: 2 s */
    rules_t *r = engine(&rc);
    member_view_t *m = &s.members[M2];
    snap_init(&s);

    m->iv.wal_p99_ms = 15;
    poll_at(r, &s, T0, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m2", NULL), 1);
    /* noisy: false, true, false, false ... */
    m->iv.wal_p99_ms = 8;
    poll_at(r, &s, T0 + 1, &p);
    assert_int_equal(p.n, 0);
    m->iv.wal_p99_ms = 16;
    poll_at(r, &s, T0 + 2, &p);
    assert_int_equal(p.n, 0);
    m->iv.wal_p99_ms = 7;
    poll_at(r, &s, T0 + 3, &p);
    assert_int_equal(p.n, 0);
    assert_int_equal(active_of(r, "SeedWalFsyncSlow", "m2")->state, ALERT_FIRING);
    assert_float_equal(active_of(r, "SeedWalFsyncSlow", "m2")->value, 7, 0);
    assert_true(active_of(r, "SeedWalFsyncSlow", "m2")->false_since == T0 + 3);
    poll_at(r, &s, T0 + 4, &p);
    assert_int_equal(p.n, 0);
    assert_int_equal(rules_status(r), STATUS_ALERT);
    /* false for 2 s: resolved */
    poll_at(r, &s, T0 + 5, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    assert_int_equal(rules_status(r), STATUS_HEALTHY);
    /* unknown (no fsync) is false too: held, then resolved */
    m->iv.wal_p99_ms = 15;
    poll_at(r, &s, T0 + 6, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m2", NULL), 1);
    m->iv.wal_p99_ms = NAN;
    poll_at(r, &s, T0 + 7, &p);
    assert_int_equal(p.n, 0);
    poll_at(r, &s, T0 + 9, &p);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    /* a pending alert is dropped at once, not held */
    set_fsync_warning(&s, MODE_BAD);
    poll_at(r, &s, T0 + 10, &p);
    assert_int_equal(active_of(r, "EtcdHighFsyncDurations", "m2")->state, ALERT_PENDING);
    set_fsync_warning(&s, MODE_OK);
    poll_at(r, &s, T0 + 11, &p);
    assert_null(active_of(r, "EtcdHighFsyncDurations", "m2"));
    rules_free(r);

    /* configured per rule: 0 resolves at the first false poll, 10s holds 10 s */
    rc_init(&rc);
    quiet_production(&rc);
    rc.interval_s = 1;
    add_override(&rc, "SeedWalFsyncSlow", (rule_override_t){ .has_keep = true, .keep_s = 0 });
    add_override(&rc, "SeedBackendCommitSlow", (rule_override_t){ .has_keep = true,
                                                                  .keep_s = 10 });
    r = engine(&rc);
    snap_init(&s);
    m->iv.wal_p99_ms = 15;
    m->iv.backend_p99_ms = 30;
    poll_at(r, &s, T0, &p);
    assert_int_equal(p.n, 2);
    m->iv.wal_p99_ms = m->iv.backend_p99_ms = 1;
    poll_at(r, &s, T0 + 1, &p);
    assert_int_equal(p.n, 1);
    assert_int_equal(count_of(&p, "SeedWalFsyncSlow", "m2", NULL), 1);
    poll_at(r, &s, T0 + 10.9, &p);
    assert_int_equal(p.n, 0);
    poll_at(r, &s, T0 + 11, &p);
    assert_int_equal(count_of(&p, "SeedBackendCommitSlow", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    rules_free(r);
    rc_init(&rc);
    add_override(&rc, "SeedWalFsyncSlow", (rule_override_t){ .has_keep = true, .keep_s = -1 });
    assert_null(rules_new(&rc, NULL, 0));
}

/* A two-level rule: one alert per level, each with its own threshold; the
 * warning and critical thresholds can be set, and a level added. */
static void test_two_levels(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    const alert_transition_t *tr = NULL;
    rules_t *r = engine_default();
    member_view_t *m = &s.members[M2];
    snap_init(&s);

    assert_float_equal(rules_threshold_sev(r, "WalFsyncP99High", SEV_WARNING), 10, 0);
    assert_float_equal(rules_threshold_sev(r, "WalFsyncP99High", SEV_CRITICAL), 100, 0);
    assert_float_equal(rules_threshold_sev(r, "BackendCommitP99High", SEV_CRITICAL), 250, 0);
    assert_float_equal(rules_threshold_sev(r, "DatabaseQuotaUsageHigh", SEV_CRITICAL), 90, 0);
    assert_float_equal(rules_threshold(r, "LeaderChangesPerHourHigh"), 3, 0);
    assert_true(isnan(rules_threshold_sev(r, "LeaderChangesPerHourHigh", SEV_CRITICAL)));
    m->fig.quota_used_pct = 85;
    poll_at(r, &s, T0, &p);
    assert_int_equal(count_of(&p, "DatabaseQuotaUsageHigh", "m2", &tr), 1);
    assert_int_equal(tr->alert.severity, SEV_WARNING);
    assert_int_equal(rules_status(r), STATUS_WARNING);
    m->fig.quota_used_pct = 91;
    poll_at(r, &s, T0 + 5, &p);
    assert_int_equal(count_of(&p, "DatabaseQuotaUsageHigh", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_FIRING);
    assert_int_equal(tr->alert.severity, SEV_CRITICAL);
    assert_float_equal(tr->alert.threshold, 90, 0);
    assert_int_equal(active_count(r, "DatabaseQuotaUsageHigh"), 2);
    assert_int_equal(rules_status(r), STATUS_ALERT);
    m->fig.quota_used_pct = 85;
    poll_at(r, &s, T0 + 10, &p);
    assert_int_equal(count_of(&p, "DatabaseQuotaUsageHigh", "m2", &tr), 1);
    assert_int_equal(tr->kind, TRANS_RESOLVED);
    assert_int_equal(tr->alert.severity, SEV_CRITICAL);
    assert_int_equal(rules_status(r), STATUS_WARNING);
    rules_free(r);

    rules_config_t rc;
    rc_init(&rc);
    add_override(&rc, "DatabaseQuotaUsageHigh", (rule_override_t){
        .has_warning = true, .warning = 70, .has_critical = true, .critical = 75 });
    add_override(&rc, "ProposalFailureRateHigh", (rule_override_t){ .has_critical = true,
                                                                    .critical = 5 });
    add_override(&rc, "LeaderChangesPerHourHigh", (rule_override_t){ .has_threshold = true,
                                                                     .threshold = 6 });
    r = engine(&rc);
    assert_float_equal(rules_threshold_sev(r, "DatabaseQuotaUsageHigh", SEV_WARNING), 70, 0);
    assert_float_equal(rules_threshold_sev(r, "DatabaseQuotaUsageHigh", SEV_CRITICAL), 75, 0);
    assert_float_equal(rules_threshold_sev(r, "ProposalFailureRateHigh", SEV_CRITICAL), 5, 0);
    assert_float_equal(rules_threshold(r, "LeaderChangesPerHourHigh"), 6, 0);
    rules_free(r);
    rc_init(&rc);
    add_override(&rc, "EtcdAlarm", (rule_override_t){ .has_critical = true, .critical = 2 });
    assert_null(rules_new(&rc, NULL, 0));
}

/* ---- queries ------------------------------------------------------------- */

static void test_status_and_order(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    rules_t *r = engine_seed();
    snap_init(&s);

    poll_at(r, &s, T0, &p);
    assert_int_equal(rules_status(r), STATUS_HEALTHY);
    char names[512];
    rules_firing_names(r, names, sizeof names);
    assert_string_equal(names, "");

    /* pending only: still healthy (m2's last interval was fine) */
    set_fsync_critical(&s, MODE_BAD);                /* critical and warning pending */
    s.members[M2].iv.wal_p99_ms = 2;
    poll_at(r, &s, T0 + 5, &p);
    assert_int_equal(rules_active(r, NULL), 2);
    assert_int_equal(rules_status(r), STATUS_HEALTHY);
    rules_firing_names(r, names, sizeof names);
    assert_string_equal(names, "");

    /* a warning fires */
    s.split_view = true;
    poll_at(r, &s, T0 + 10, &p);
    assert_int_equal(rules_status(r), STATUS_WARNING);
    rules_firing_names(r, names, sizeof names);
    assert_string_equal(names, "EtcdSplitView");

    /* criticals fire, on two members for one rule: the name appears once */
    s.members[M1].iv.wal_p99_ms = 30;
    s.members[M3].iv.wal_p99_ms = 31;
    poll_at(r, &s, T0 + 15, &p);
    assert_int_equal(rules_status(r), STATUS_ALERT);
    rules_firing_names(r, names, sizeof names);
    assert_string_equal(names, "SeedWalFsyncSlow EtcdSplitView");

    /* firing first, most severe first, then pending */
    const alert_t *list;
    int n = rules_active(r, &list);
    assert_int_equal(n, 5);
    assert_string_equal(list[0].rule, "SeedWalFsyncSlow");
    assert_string_equal(list[0].member, "m1");
    assert_string_equal(list[1].rule, "SeedWalFsyncSlow");
    assert_string_equal(list[1].member, "m3");
    assert_string_equal(list[2].rule, "EtcdSplitView");
    assert_int_equal(list[2].state, ALERT_FIRING);
    assert_string_equal(list[3].rule, "EtcdHighFsyncDurationsCritical");
    assert_int_equal(list[3].state, ALERT_PENDING);
    assert_string_equal(list[4].rule, "EtcdHighFsyncDurations");
    assert_int_equal(list[4].state, ALERT_PENDING);

    /* only whole names fit */
    char small[24];
    rules_firing_names(r, small, sizeof small);
    assert_string_equal(small, "SeedWalFsyncSlow");
    rules_firing_names(r, small, 5);
    assert_string_equal(small, "");
    rules_firing_names(r, names, 0);                /* harmless */

    /* the 10-minute fsync rules fire: their names join */
    poll_at(r, &s, T0 + 605, &p);
    assert_int_equal(count_of(&p, "EtcdHighFsyncDurationsCritical", "m2", NULL), 1);
    rules_firing_names(r, names, sizeof names);
    assert_string_equal(names, "SeedWalFsyncSlow EtcdHighFsyncDurationsCritical "
                               "EtcdHighFsyncDurations EtcdSplitView");

    /* everything clears */
    snap_init(&s);
    poll_at(r, &s, T0 + 610, &p);
    assert_int_equal(p.n, 5);
    for (int i = 0; i < p.n; i++)
        assert_int_equal(p.tr[i].kind, TRANS_RESOLVED);
    assert_int_equal(rules_status(r), STATUS_HEALTHY);
    rules_firing_names(r, names, sizeof names);
    assert_string_equal(names, "");
    rules_free(r);
}

/* The out array's capacity bounds the transitions reported, not the states. */
static void test_transition_cap(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    alert_transition_t tr[1];
    rules_t *r = engine_seed();
    snap_init(&s);
    for (int i = 0; i < 3; i++)
        s.members[i].iv.wal_p99_ms = 30;
    assert_int_equal(rules_eval(r, &s, tr, 1), 1);
    assert_int_equal(rules_active(r, NULL), 3);
    assert_int_equal(rules_eval(r, &s, NULL, 0), 0);
    assert_int_equal(rules_active(r, NULL), 3);
    rules_free(r);
    rules_free(NULL);
}

/* ---- alerts.log ------------------------------------------------------------ */

static void test_format(void **state)
{
    (void)state;
    char line[256];
    alert_transition_t tr = {
        .kind = TRANS_FIRING,
        .t = 1795442709.125,                        /* 2026-11-23T14:05:09.125Z */
        .alert = { .rule = "EtcdNoLeader", .member = "", .severity = SEV_CRITICAL,
                   .state = ALERT_FIRING, .value = 75, .threshold = 60, .unit = "s" },
    };
    const char *want = "2026-11-23T14:05:09.125Z FIRING critical EtcdNoLeader member=- "
                       "value=75 threshold=60 unit=s\n";
    assert_int_equal(rules_format_transition(&tr, line, sizeof line), strlen(want));
    assert_string_equal(line, want);

    tr.kind = TRANS_PENDING;
    tr.t = 1795442709.5;
    tr.alert = (alert_t){ .rule = "EtcdHighFsyncDurations", .member = "etcd 2",
                          .severity = SEV_WARNING, .state = ALERT_PENDING, .value = 612.345,
                          .threshold = 500, .unit = "ms" };
    rules_format_transition(&tr, line, sizeof line);
    assert_string_equal(line, "2026-11-23T14:05:09.500Z PENDING warning EtcdHighFsyncDurations "
                              "member=etcd_2 value=612.3 threshold=500 unit=ms\n");

    tr.kind = TRANS_RESOLVED;
    tr.alert = (alert_t){ .rule = "EtcdDatabaseHighFragmentationRatio", .member = "m1",
                          .severity = SEV_WARNING, .value = 0.41234, .threshold = 0.5,
                          .unit = "ratio" };
    rules_format_transition(&tr, line, sizeof line);
    assert_string_equal(line, "2026-11-23T14:05:09.500Z RESOLVED warning "
                              "EtcdDatabaseHighFragmentationRatio member=m1 value=0.412 "
                              "threshold=0.5 unit=ratio\n");

    tr.alert = (alert_t){ .rule = "EtcdSplitView", .severity = SEV_WARNING, .value = 1,
                          .threshold = 0, .unit = "" };
    rules_format_transition(&tr, line, sizeof line);
    assert_string_equal(line, "2026-11-23T14:05:09.500Z RESOLVED warning EtcdSplitView "
                              "member=- value=1 threshold=0 unit=-\n");

    tr.alert.value = INFINITY;
    tr.alert.threshold = NAN;
    rules_format_transition(&tr, line, sizeof line);
    assert_non_null(strstr(line, " value=inf threshold=unknown "));

    /* A huge value stays short and exact; a hostile member name is escaped (C1,
     * bidi override, invalid UTF-8), never copied raw. */
    tr.alert.value = 1e308;
    tr.alert.threshold = 123456789012345678.0;
    snprintf(tr.alert.member, sizeof tr.alert.member, "a\xc2\x9b" "b\xe2\x80\xae" "c\xff");
    rules_format_transition(&tr, line, sizeof line);
    assert_non_null(strstr(line, " value=1e+308 threshold=1.23457e+17 "));
    assert_non_null(strstr(line, " member=a\\u009bb\\u202ec\xef\xbf\xbd "));

    /* one byte short: nothing */
    size_t len = strlen(line);
    assert_int_equal(rules_format_transition(&tr, line, len), 0);
    assert_string_equal(line, "");
    assert_int_equal(rules_format_transition(&tr, line, len + 1), len);
    assert_int_equal(rules_format_transition(&tr, line, 0), 0);
}

/* Transitions from the engine format to one line each, and the log is
 * grep-friendly: exactly 8 space-separated fields. */
static void test_format_from_engine(void **state)
{
    (void)state;
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    char line[256];
    rules_t *r = engine_default();
    snap_init(&s);
    set_no_leader(&s, MODE_BAD);
    set_member_down(&s, MODE_BAD);
    poll_at(r, &s, T0, &p);
    assert_int_equal(p.n, 3);      /* EtcdNoLeader, MemberUnreachable, EtcdMembersDown */
    for (int i = 0; i < p.n; i++) {
        size_t n = rules_format_transition(&p.tr[i], line, sizeof line);
        assert_true(n > 0);
        assert_int_equal(line[n - 1], '\n');
        assert_true(strchr(line, '\n') == line + n - 1);     /* one line */
        int fields = 1;
        for (size_t k = 0; k + 1 < n; k++)
            fields += line[k] == ' ';
        assert_int_equal(fields, 8);
    }
    rules_format_transition(&p.tr[0], line, sizeof line);
    assert_string_equal(line, "2001-09-09T01:46:40.000Z FIRING warning MemberUnreachable "
                              "member=m2 value=1 threshold=0 unit=-\n");
    rules_format_transition(&p.tr[1], line, sizeof line);
    assert_string_equal(line, "2001-09-09T01:46:40.000Z PENDING critical EtcdMembersDown "
                              "member=m2 value=1 threshold=0 unit=-\n");
    rules_format_transition(&p.tr[2], line, sizeof line);
    assert_string_equal(line, "2001-09-09T01:46:40.000Z FIRING critical EtcdNoLeader "
                              "member=- value=75 threshold=60 unit=s\n");
    rules_free(r);
}

/* ---- config and documentation ---------------------------------------------- */

/* The config file's rules: block, copied as the caller will, builds an engine
 * whose overrides take effect. */
static void test_from_config(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    char *argv[] = { (char *)"etcd-monitor", (char *)"--config",
                     (char *)"tests/data/config-full.yaml", NULL };
    if (config_load(&cfg, NULL, 3, argv, err, sizeof err) != CONFIG_OK)
        fail_msg("config_load: %s", err);

    rules_config_t rc;
    memset(&rc, 0, sizeof rc);
    rc.level = cfg.alert_level;
    rc.thresholds = cfg.thresholds;
    rc.no_leader_timeout_s = (double)cfg.no_leader_timeout_ms / 1000.0;
    rc.n_windows = cfg.n_windows;
    memcpy(rc.window_ms, cfg.window_ms, sizeof rc.window_ms);
    rc.n_overrides = cfg.n_rule_overrides;
    for (int i = 0; i < cfg.n_rule_overrides; i++) {
        const config_rule_t *o = &cfg.rule_overrides[i];
        rule_override_t *d = &rc.overrides[i];
        snprintf(d->rule, sizeof d->rule, "%s", o->rule);
        d->has_for = o->has_for;
        d->has_threshold = o->has_threshold;
        d->has_enabled = o->has_enabled;
        d->for_s = (double)o->for_ms / 1000.0;
        d->threshold = o->threshold;
        d->enabled = o->enabled;
    }
    config_free(&cfg);
    rules_t *r = engine(&rc);

    /* level critical (from the file); EtcdNoLeader: timeout 45s, for 30s */
    static cluster_snapshot_t s;    /* 4.6 MB: not on the stack */
    polled_t p;
    snap_init(&s);
    s.leader_id = 0;
    s.no_leader_s = 46;
    s.members[M1].iv.wal_p99_ms = 35;               /* SeedWalFsyncSlow threshold 40 */
    poll_at(r, &s, T0, &p);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.tr[0].kind, TRANS_PENDING);
    assert_float_equal(p.tr[0].alert.threshold, 45, 1e-9);
    poll_at(r, &s, T0 + 30, &p);
    assert_int_equal(count_of(&p, "EtcdNoLeader", "", NULL), 1);
    assert_int_equal(p.tr[0].kind, TRANS_FIRING);
    rules_free(r);
}

/* The rules: block's warning / critical / min_observations / keep_firing_for keys
 * reach the config, and the errors name the key. */
static void test_config_new_keys(void **state)
{
    (void)state;
    static const char *const good =
        "rules:\n"
        "  WalFsyncP99High:\n    warning: 15\n    critical: 150\n"
        "    min_observations: 50\n    keep_firing_for: 30s\n";
    static const char *const bad[][2] = {
        { "rules:\n  EtcdNoLeader:\n    min_observations: 5\n", "judges no latency quantile" },
        { "rules:\n  EtcdAlarm:\n    critical: 2\n", "has no threshold to override" },
        { "rules:\n  WalFsyncP99High:\n    min_observations: 0\n", "out of range" },
        { "rules:\n  WalFsyncP99High:\n    keep_firing_for: 25h\n", "out of range" },
        { "rules:\n  WalFsyncP99High:\n    warning: 1\n    warning: 2\n", "duplicate" },
    };
    char path[] = "/tmp/test_rules_cfg_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char *argv[] = { (char *)"etcd-monitor", (char *)"--config", path, NULL };
    config_t cfg;
    char err[256] = "";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(good, f);
    fclose(f);
    if (config_load(&cfg, NULL, 3, argv, err, sizeof err) != CONFIG_OK)
        fail_msg("config_load: %s", err);
    assert_int_equal(cfg.n_rule_overrides, 1);
    const config_rule_t *o = &cfg.rule_overrides[0];
    assert_true(o->has_warning && o->has_critical && o->has_min_obs && o->has_keep);
    assert_float_equal(o->warning, 15, 0);
    assert_float_equal(o->critical, 150, 0);
    assert_int_equal(o->min_obs, 50);
    assert_true(o->keep_ms == 30000);
    config_free(&cfg);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(bad[k][0], f);
        fclose(f);
        err[0] = '\0';
        assert_int_not_equal(config_load(&cfg, NULL, 3, argv, err, sizeof err), CONFIG_OK);
        if (!strstr(err, bad[k][1]))
            fail_msg("%s: error \"%s\" lacks \"%s\"", bad[k][0], err, bad[k][1]);
    }
    unlink(path);
}

/* The man page's RULES section lists every built-in rule as a .TP item. */
static void test_man_page_rules(void **state)
{
    (void)state;
    char *man = test_slurp("man/etcd-monitor.1", NULL);
    const char *sec = strstr(man, "\n.SH RULES\n");
    assert_non_null(sec);
    const char *end = strstr(sec + 1, "\n.SH ");
    assert_non_null(end);
    for (int i = 0; i < rules_builtin_count(); i++) {
        char item[96];
        snprintf(item, sizeof item, "\n.TP\n.B %s\n", rules_builtin_name(i));
        const char *at = strstr(sec, item);
        if (!at || at > end)
            fail_msg("man page RULES: %s missing", rules_builtin_name(i));
    }
    const char *files = strstr(man, "\n.SS alerts.log\n");
    assert_non_null(files);
    assert_non_null(strstr(files, "FIRING"));
    assert_non_null(strstr(files, "RESOLVED"));
    assert_non_null(strstr(files, "PENDING"));
    free(man);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases_cover_table),
        cmocka_unit_test(test_every_rule_lifecycle),
        cmocka_unit_test(test_pending_clears_silently),
        cmocka_unit_test(test_value_updates),
        cmocka_unit_test(test_member_removed),
        cmocka_unit_test(test_unknown_while_firing),
        cmocka_unit_test(test_disk_free_while_down),
        cmocka_unit_test(test_rule_details),
        cmocka_unit_test(test_override_for),
        cmocka_unit_test(test_override_threshold),
        cmocka_unit_test(test_override_disabled),
        cmocka_unit_test(test_override_rejected),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_level_critical_keeps_seed_checks),
        cmocka_unit_test(test_min_observations_span),
        cmocka_unit_test(test_keep_firing_for),
        cmocka_unit_test(test_two_levels),
        cmocka_unit_test(test_config_new_keys),
        cmocka_unit_test(test_status_and_order),
        cmocka_unit_test(test_transition_cap),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_from_engine),
        cmocka_unit_test(test_from_config),
        cmocka_unit_test(test_man_page_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
