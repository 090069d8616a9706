/* Unit tests: the cluster-wide summary of a snapshot (quorum, leader, worst values). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cluster.h"

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

/* Members down: not counted up, their figures not among the worst values. */
static void test_down_members(void **state)
{
    (void)state;
    snap.members[0].iv.wal_p99_ms = 50;            /* stale figure of a down member */
    snap.members[0].sample.up = false;
    snap.members[1].sample.up = false;
    cluster_summarize(&snap);
    assert_int_equal(snap.members_up, 1);
    assert_int_equal(snap.voters_up, 1);
    assert_float_equal(snap.wal_p99_ms, 3.0, 1e-9);
    for (int i = 0; i < 3; i++)
        snap.members[i].sample.up = false;
    cluster_summarize(&snap);
    assert_int_equal(snap.members_up, 0);
    assert_false(snap.db_size_mb.ok);               /* nothing known, not 0 */
    assert_int_equal(snap.leader_id, 0);
}

/* Polled endpoints outside the member list do not vote. */
static void test_unlisted_endpoints_do_not_vote(void **state)
{
    (void)state;
    snap.members[0].in_member_list = true;
    snap.members[1].in_member_list = true;
    snap.members[2].in_member_list = false;        /* a stray address, say */
    cluster_summarize(&snap);
    assert_int_equal(snap.voters, 2);
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




static void test_learner_not_a_voter(void **state)
{
    (void)state;
    snap.members[2].is_learner = true;
    snap.members[2].sample.up = false;
    snap.members[1].sample.up = false;
    cluster_summarize(&snap);
    assert_int_equal(snap.voters, 2);
    assert_int_equal(snap.voters_up, 1);                   /* 1 of 2 voters: no quorum */
}



int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_summary, setup),
        cmocka_unit_test_setup(test_down_members, setup),
        cmocka_unit_test_setup(test_unlisted_endpoints_do_not_vote, setup),
        cmocka_unit_test_setup(test_learner_not_a_voter, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
