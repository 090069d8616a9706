/* collector_snapshot.c — a finished poll into the snapshot: each member's
 * one-line reason, up/down events, the leader, the interval figures. */
#include "collector_internal.h"
#include "text.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Join a member's request errors into its one-line reason. */
static void member_reason(const member_t *mb, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    if (!mb->url[0]) {
        if (mb->refused[0])
            snprintf(out, len, "client URL refused: %s", mb->refused);
        else
            snprintf(out, len, "not started");
        return;
    }
    /* When the calls failed the same way (refused, timeout), say it once. */
    if (mb->cause[RK_METRICS][0] && strcmp(mb->cause[RK_METRICS], mb->cause[RK_STATUS]) == 0) {
        snprintf(out, len, "%s", mb->cause[RK_METRICS]);
        return;
    }
    const char *same = NULL, *tls = NULL;
    bool uniform = true, down = !mb->cur.metrics_ok && !mb->cur.s.ok;
    for (int k = 0; k < RK_COUNT; k++) {
        if (!mb->err[k][0])
            continue;
        const char *cause = mb->cause[k];
        if (!cause[0] || (same && strcmp(same, cause) != 0))
            uniform = false;
        if (cause[0] && !same)
            same = cause;
        if (!tls && strncmp(cause, "TLS:", 4) == 0)
            tls = cause;
    }
    /* Down for one reason: that reason. Up, with some calls failing for one
     * reason: "status, health: reason". */
    if (same && uniform && down) {
        snprintf(out, len, "%s", same);
        return;
    }
    if (same && uniform) {
        for (int k = 0; k < RK_COUNT && used + 1 < len; k++) {
            if (!mb->err[k][0])
                continue;
            int n = snprintf(out + used, len - used, "%s%s", used ? ", " : "", rk_what[k]);
            if (n < 0)
                break;
            used += (size_t)n < len - used ? (size_t)n : len - used - 1;
        }
        if (used + 1 < len)
            snprintf(out + used, len - used, ": %s", same);
        return;
    }
    /* A member that answered nothing and refused TLS: the TLS reason is the one
     * to read (others are the same refusal seen as a reset connection). */
    if (tls && down) {
        snprintf(out, len, "%s", tls);
        return;
    }
    for (int k = 0; k < RK_COUNT && used + 1 < len; k++) {
        if (!mb->err[k][0])
            continue;
        int n = snprintf(out + used, len - used, "%s%s", used ? "; " : "", mb->err[k]);
        if (n < 0)
            break;
        used += (size_t)n < len - used ? (size_t)n : len - used - 1;
    }
}

/* The authentication problem of this poll into the snapshot (AuthFailed):
 * only credentials that were given and fail. A cluster that wants a token when
 * no --user was given is said once as an event instead; the figures that need
 * no token keep coming. */
static void collector_auth_snapshot(const collector_t *c, cluster_snapshot_t *s)
{
    if (c->auth)
        snprintf(s->auth_error, sizeof(s->auth_error), "%s", auth_error(c->auth));
}

/* With no status answer at all (denied, or not allowed without a token), the
 * leader is the one member whose /metrics says etcd_server_is_leader 1. */
void collector_leader_from_metrics(cluster_snapshot_t *s)
{
    int found = -1, n = 0;
    for (int i = 0; i < s->n_members; i++) {
        const member_sample_t *sm = &s->members[i].sample;
        if (sm->s.ok)
            return;
        if (sm->up && sm->metrics_ok && sm->m.is_leader.ok && sm->m.is_leader.v == 1 &&
            s->members[i].id) {
            found = i;
            n++;
        }
    }
    if (s->leader_id || n != 1)
        return;
    s->leader_id = s->members[found].id;
    snprintf(s->leader_name, sizeof(s->leader_name), "%s", s->members[found].name);
}

/* The member's health without asking /health. etcd 3.4's /health is "true"
 * when the member knows no alarm, has a leader and answers a quorum read; the
 * maintenance status lists the alarms and the missing leader in its "errors",
 * and the read probe is a linearizable (quorum) read. So a voting member whose
 * status names a leader and no error, and whose read probe answered, is
 * healthy; anything else asks /health at the next poll for etcd's own verdict
 * and reason. Learners are always asked (their probe is a serializable read),
 * and so is every member while the cluster's alarm list names any alarm (etcd's
 * /health is cluster-wide about alarms, whatever this member's status says). */
static void collector_health(const collector_t *c, member_t *mb)
{
    const member_sample_t *cur = &mb->cur;
    bool alarmed = c->alarms_ok && c->n_alarms > 0;
    bool healthy = !mb->is_learner && !alarmed && cur->s.ok && cur->s.leader_id != 0 &&
                   cur->s.errors[0] == '\0' && !isnan(cur->probe_read_ms) &&
                   !mb->err[RK_PROBE_READ][0];
    if (!mb->health_asked)
        mb->cur.health_ok = healthy;
    /* etcd said "false" where our reading says healthy: keep asking it. */
    mb->health_known = healthy && mb->cur.health_ok;
}

/* The poll in flight has finished: turn members into the snapshot. */
void collector_complete(collector_t *c, cluster_snapshot_t *s)
{
    for (int i = 0; i < c->n; i++)
        if (c->m[i]->cur.s.ok && c->m[i]->cur.s.member_id) {
            /* A pinned member's first answer: the member list can now be matched
             * to it (its name, and discovery that waited for it), next poll. */
            if (c->m[i]->pinned && !c->m[i]->id)
                c->next_health_mono = 0;
            c->m[i]->id = c->m[i]->cur.s.member_id;
        }
    /* Two addresses of one member (localhost and 127.0.0.1): keep the first. */
    for (int i = c->n - 1; i > 0; i--)
        for (int j = 0; j < i; j++)
            if (c->m[i]->id && c->m[i]->id == c->m[j]->id) {
                collector_remove_member(c, i);
                break;
            }
    if (c->list_ok) {
        if (!c->cfg->no_discover)
            collector_add_listed(c, false);
        collector_apply_list(c);
    } else if (c->list_asked && c->n > 0) {
        /* No member list this time: the next member is asked at the next poll,
         * not a whole health-check interval later. */
        c->list_from = (c->list_from + 1) % c->n;
        c->next_health_mono = 0;
    }

    cluster_snapshot_reset(s);       /* members[] are overwritten up to n_members */
    s->t = c->poll_wall;
    /* From the first request's start to the last transfer's end. */
    s->poll_ms = c->last_end > c->poll_mono ? (c->last_end - c->poll_mono) * 1000.0 : 0;
    s->iteration = c->iteration;
    s->cluster_id = c->cluster_id;
    s->wal_p99_ms = s->backend_p99_ms = NAN;
    if (c->alarms_ok) {
        s->n_alarms = c->n_alarms;
        memcpy(s->alarms, c->alarms, sizeof(s->alarms[0]) * (size_t)c->n_alarms);
    }
    for (int i = 0; i < c->n && s->n_members < CLUSTER_MAX_MEMBERS; i++) {
        member_t *mb = c->m[i];
        member_sample_t *cur = &mb->cur;
        collector_health(c, mb);
        cur->up = cur->metrics_ok || cur->s.ok;
        member_reason(mb, cur->error, sizeof(cur->error));
        char raw[sizeof(cur->error)];                /* parts may quote a body */
        memcpy(raw, cur->error, sizeof raw);
        (void)text_clean(cur->error, sizeof(cur->error), raw);
        if (cur->metrics_ok) {
            interval_derive(mb->has_prev ? &mb->prev_m : NULL, mb->prev_t, &cur->m,
                            cur->t, &cur->s, &mb->iv);
            mb->prev_m = cur->m;
            mb->prev_t = cur->t;
            mb->has_prev = true;
        } else {
            interval_derive(NULL, 0, NULL, cur->t, &cur->s, &mb->iv);
        }
        int up = cur->up ? 1 : 0;
        if (up != mb->was_up) {
            if (up)
                events_add(&c->events, "member %s (%s) is up", mb->name, mb->url);
            else
                events_add(&c->events, "member %s (%s) is down: %s", mb->name,
                                mb->url[0] ? mb->url : "-", cur->error);
            mb->was_up = up;
        }
        member_view_t *v = &s->members[s->n_members++];
        snprintf(v->name, sizeof(v->name), "%s", mb->name);
        snprintf(v->endpoint, sizeof(v->endpoint), "%s", mb->url);
        v->id = mb->id;
        v->is_learner = mb->is_learner;
        v->in_member_list = mb->in_list;
        v->sample = *cur;
        v->iv = mb->iv;
        v->disk_free_pct = NAN;
        v->log_slow = -1;
    }
    collector_auth_snapshot(c, s);
    s->events = c->events;
    c->events.n = 0;
    cluster_summarize(s);
    collector_leader_from_metrics(s);
    c->in_flight = false;
}

