/* Unit tests: the seed's status rules and the cluster summary. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "level.h"

static cluster_snapshot_t snap;

/* Three healthy voters, m1 leading, tiny db. */
static int setup(void **state)
{
    (void)state;
    memset(&snap, 0, sizeof(snap));
    snap.n_members = 3;
    for (int i = 0; i < 3; i++) {
        member_view_t *m = &snap.members[i];
        snprintf(m->name, sizeof(m->name), "m%d", i + 1);
        m->id = (uint64_t)(i + 1);
        m->sample.up = true;
        m->sample.s.ok = true;
        m->sample.s.member_id = m->id;
        m->sample.s.leader_id = 1;
        m->sample.s.raft_term = 2 + (uint64_t)i;
        m->iv.wal_p99_ms = 1.0 + i;
        m->iv.backend_p99_ms = NAN;
        m->iv.db_size = (mval_t){ 2 * 1048576.0, true };
        m->iv.fragmentation_pct = (mval_t){ 10.0 * i, true };
        m->iv.leader_changes = (mval_t){ 0, true };
    }
    cluster_summarize(&snap);
    return 0;
}

static void evaluate(alert_level_t lvl)
{
    level_thresholds_t lt = level_thresholds(lvl);
    thresholds_t th = { .max_database_size_mb = 8192 };
    level_evaluate(&snap, &lt, &th);
}

static void test_summary(void **state)
{
    (void)state;
    assert_int_equal(snap.members_up, 3);
    assert_int_equal(snap.voters, 3);
    assert_int_equal(snap.leader_id, 1);
    assert_string_equal(snap.leader_name, "m1");
    assert_int_equal(snap.raft_term, 4);
    assert_float_equal(snap.wal_p99_ms, 3.0, 1e-9);       /* worst member */
    assert_true(isnan(snap.backend_p99_ms));               /* unknown everywhere */
    assert_float_equal(snap.db_size_mb.v, 2.0, 1e-9);
    assert_float_equal(snap.fragmentation_pct.v, 20.0, 1e-9);
}

static void test_healthy(void **state)
{
    (void)state;
    evaluate(LEVEL_WARNING);
    assert_int_equal(snap.status, STATUS_HEALTHY);
    assert_string_equal(snap.alerts, "");
}

static void test_levels_change_thresholds(void **state)
{
    (void)state;
    snap.members[0].iv.wal_p99_ms = 12;        /* > 10 (warning), < 20 (critical) */
    cluster_summarize(&snap);
    evaluate(LEVEL_CRITICAL);
    assert_int_equal(snap.status, STATUS_HEALTHY);
    evaluate(LEVEL_WARNING);
    assert_int_equal(snap.status, STATUS_ALERT);
    assert_non_null(strstr(snap.alerts, "WAL_FSYNC_SLOW"));
    /* fragmentation 25% on a 2 MB db: below the db-size floor, no alert */
    snap.members[0].iv.wal_p99_ms = 1;
    snap.members[2].iv.fragmentation_pct.v = 25;
    cluster_summarize(&snap);
    evaluate(LEVEL_INFO);
    assert_int_equal(snap.status, STATUS_HEALTHY);
    /* on a 200 MB db: 20% is not above info's 20%, 25% is */
    snap.members[2].iv.db_size.v = 200 * 1048576.0;
    snap.members[2].iv.fragmentation_pct.v = 20;
    evaluate(LEVEL_INFO);
    assert_int_equal(snap.status, STATUS_HEALTHY);
    snap.members[2].iv.fragmentation_pct.v = 25;
    evaluate(LEVEL_INFO);
    assert_int_equal(snap.status, STATUS_WARNING);
    assert_string_equal(snap.alerts, "HIGH_FRAGMENTATION");
    /* a down member's last figures do not count */
    snap.members[2].sample.up = false;
    cluster_summarize(&snap);
    evaluate(LEVEL_INFO);
    assert_string_equal(snap.alerts, "MEMBER_DOWN");
}

static void test_member_down_and_quorum(void **state)
{
    (void)state;
    snap.members[2].sample.up = false;
    cluster_summarize(&snap);
    evaluate(LEVEL_WARNING);
    assert_int_equal(snap.status, STATUS_WARNING);
    assert_string_equal(snap.alerts, "MEMBER_DOWN");
    snap.members[1].sample.up = false;
    cluster_summarize(&snap);
    evaluate(LEVEL_WARNING);
    assert_int_equal(snap.status, STATUS_ALERT);
    assert_non_null(strstr(snap.alerts, "QUORUM_LOST"));
    assert_non_null(strstr(snap.alerts, "MEMBER_DOWN"));
}

static void test_learner_not_a_voter(void **state)
{
    (void)state;
    snap.members[2].is_learner = true;
    snap.members[2].sample.up = false;
    snap.members[1].sample.up = false;
    cluster_summarize(&snap);
    assert_int_equal(snap.voters, 2);
    assert_int_equal(snap.voters_up, 1);
    evaluate(LEVEL_WARNING);
    assert_non_null(strstr(snap.alerts, "QUORUM_LOST"));   /* 1 of 2 voters */
}

static void test_no_leader_alarm_leader_changes(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++)
        snap.members[i].sample.s.leader_id = 0;
    snap.members[1].iv.leader_changes.v = 3;
    snap.n_alarms = 1;
    snprintf(snap.alarms[0].alarm, sizeof(snap.alarms[0].alarm), "NOSPACE");
    cluster_summarize(&snap);
    evaluate(LEVEL_WARNING);
    assert_int_equal(snap.status, STATUS_ALERT);
    assert_non_null(strstr(snap.alerts, "NO_LEADER"));
    assert_non_null(strstr(snap.alerts, "ALARM_NOSPACE"));
    assert_non_null(strstr(snap.alerts, "LEADER_INSTABILITY"));
}

static void test_unreachable(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++)
        snap.members[i].sample.up = false;
    cluster_summarize(&snap);
    evaluate(LEVEL_WARNING);
    assert_int_equal(snap.status, STATUS_ALERT);
    assert_string_equal(snap.alerts, "CLUSTER_UNREACHABLE");
    assert_false(snap.db_size_mb.ok);                      /* nothing known, not 0 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_summary, setup),
        cmocka_unit_test_setup(test_healthy, setup),
        cmocka_unit_test_setup(test_levels_change_thresholds, setup),
        cmocka_unit_test_setup(test_member_down_and_quorum, setup),
        cmocka_unit_test_setup(test_learner_not_a_voter, setup),
        cmocka_unit_test_setup(test_no_leader_alarm_leader_changes, setup),
        cmocka_unit_test_setup(test_unreachable, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
