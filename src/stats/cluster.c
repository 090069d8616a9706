/* cluster.c — cluster-wide figures of one snapshot: quorum, leader, worst values. */
#include "cluster.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cluster_status_name(health_status_t s)
{
    switch (s) {
    case STATUS_HEALTHY: return "HEALTHY";
    case STATUS_WARNING: return "WARNING";
    default:             return "ALERT";
    }
}

cluster_snapshot_t *cluster_snapshot_new(void)
{
    return calloc(1, sizeof(cluster_snapshot_t));
}

void cluster_snapshot_reset(cluster_snapshot_t *s)
{
    memset(s, 0, offsetof(cluster_snapshot_t, members));
}

void cluster_snapshot_copy(cluster_snapshot_t *dst, const cluster_snapshot_t *src)
{
    if (dst == src)
        return;
    int n = src->n_members < 0 ? 0 : src->n_members;
    if (n > CLUSTER_MAX_MEMBERS)
        n = CLUSTER_MAX_MEMBERS;
    memcpy(dst, src, offsetof(cluster_snapshot_t, members));
    memcpy(dst->members, src->members, sizeof(src->members[0]) * (size_t)n);
}

void events_add(event_list_t *e, const char *fmt, ...)
{
    if (e->n >= CLUSTER_MAX_EVENTS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->line[e->n++], CLUSTER_EVENT_LEN, fmt, ap);
    va_end(ap);
}

/* Keep the larger of two maybe-unknown values. */
static void worst_mval(mval_t *acc, mval_t v, double scale)
{
    if (!v.ok)
        return;
    v.v *= scale;
    if (!acc->ok || v.v > acc->v)
        *acc = v;
}

static void worst_ms(double *acc, double v)
{
    if (!isnan(v) && (isnan(*acc) || v > *acc))
        *acc = v;
}

void cluster_summarize(cluster_snapshot_t *s)
{
    uint64_t leaders[CLUSTER_MAX_MEMBERS];
    int votes[CLUSTER_MAX_MEMBERS];
    int n_leaders = 0;

    s->members_total = s->n_members;
    s->members_up = s->voters = s->voters_up = 0;
    s->raft_term = 0;
    s->leader_id = 0;
    s->leader_name[0] = '\0';
    s->db_size_mb = s->fragmentation_pct = s->leader_changes = s->slow_ops = (mval_t){ 0, false };
    s->wal_p99_ms = s->backend_p99_ms = NAN;

    /* Once the member list is known, only its non-learners vote; polled
     * endpoints outside it (a proxy, a stray address) do not. */
    bool listed = false;
    for (int i = 0; i < s->n_members; i++)
        listed |= s->members[i].in_member_list;
    for (int i = 0; i < s->n_members; i++) {
        const member_view_t *m = &s->members[i];
        const member_sample_t *sm = &m->sample;
        bool voter = !m->is_learner && (!listed || m->in_member_list);
        if (voter)
            s->voters++;
        if (!sm->up)
            continue;
        s->members_up++;
        if (voter)
            s->voters_up++;
        if (sm->s.ok) {
            if (sm->s.raft_term > s->raft_term)
                s->raft_term = sm->s.raft_term;
            if (!s->version[0] && sm->s.version[0])
                snprintf(s->version, sizeof(s->version), "%s", sm->s.version);
            if (!s->cluster_id)
                s->cluster_id = sm->s.cluster_id;
            if (sm->s.leader_id) {
                int j = 0;
                while (j < n_leaders && leaders[j] != sm->s.leader_id)
                    j++;
                if (j == n_leaders) {
                    leaders[n_leaders] = sm->s.leader_id;
                    votes[n_leaders++] = 0;
                }
                votes[j]++;
            }
        }
        if (!s->version[0] && sm->m.server_version[0])
            snprintf(s->version, sizeof(s->version), "%s", sm->m.server_version);
        worst_mval(&s->db_size_mb, m->iv.db_size, 1.0 / (1024.0 * 1024.0));
        worst_mval(&s->fragmentation_pct, m->iv.fragmentation_pct, 1.0);
        worst_mval(&s->leader_changes, m->iv.leader_changes, 1.0);
        worst_mval(&s->slow_ops, m->iv.slow_ops, 1.0);
        worst_ms(&s->wal_p99_ms, m->iv.wal_p99_ms);
        worst_ms(&s->backend_p99_ms, m->iv.backend_p99_ms);
    }
    /* The leader most reachable members agree on. */
    int best = -1;
    for (int j = 0; j < n_leaders; j++)
        if (best < 0 || votes[j] > votes[best])
            best = j;
    if (best >= 0) {
        s->leader_id = leaders[best];
        for (int i = 0; i < s->n_members; i++)
            if (s->members[i].id == s->leader_id)
                snprintf(s->leader_name, sizeof(s->leader_name), "%s", s->members[i].name);
    }
}
