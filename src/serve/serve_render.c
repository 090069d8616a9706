/* serve_render.c — the cluster documents of the API from one poll (pure):
 * /api/v1/cluster/status, /leader, /members, /health (per endpoint) and the
 * verdict of /health; the leader-change history they report. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "serve_internal.h"
#include "serve_json.h"

void leader_hist_update(leader_hist_t *h, const cluster_snapshot_t *s)
{
    uint64_t id = s->leader_id;
    if (!id)
        return;                                /* no leader now: the next one is the change */
    if (h->primed && id != h->last_id) {
        leader_change_t *c = &h->ring[h->total % SERVE_LEADER_HIST];
        memset(c, 0, sizeof *c);
        c->t = s->t;
        c->from_id = h->last_id;
        snprintf(c->from, sizeof c->from, "%s", h->last_name);
        c->to_id = id;
        snprintf(c->to, sizeof c->to, "%s", s->leader_name);
        c->term = s->raft_term;
        h->total++;
        if (h->n < SERVE_LEADER_HIST)
            h->n++;
    }
    h->primed = true;
    h->last_id = id;
    snprintf(h->last_name, sizeof h->last_name, "%s", s->leader_name);
}

/* "up", "degraded" (answered, with a problem) or "down". */
static const char *member_state(const member_view_t *m)
{
    if (!m->sample.up)
        return "down";
    return m->sample.error[0] ? "degraded" : "up";
}

static int member_is_leader(const cluster_snapshot_t *s, const member_view_t *m)
{
    if (m->id && s->leader_id)
        return m->id == s->leader_id;
    if (m->sample.up && m->sample.metrics_ok && m->sample.m.is_leader.ok)
        return m->sample.m.is_leader.v == 1;
    return -1;
}

/* One member as cluster/status and cluster/members show it. */
static void member_json(buf_t *b, const cluster_snapshot_t *s, const member_view_t *m)
{
    const member_sample_t *sm = &m->sample;
    bool st = sm->up && sm->s.ok, f = true;
    sbuf_puts(b, "{");
    js_key(b, &f, "id");            js_id(b, m->id ? m->id : st ? sm->s.member_id : 0);
    js_key(b, &f, "name");          js_str(b, m->name);
    js_key(b, &f, "endpoint");      js_str(b, m->endpoint);
    js_key(b, &f, "status");        js_str(b, member_state(m));
    js_key(b, &f, "reason");        js_str_or_null(b, sm->error);
    js_key(b, &f, "healthy");       js_bool(b, sm->up && sm->health_ok);
    js_key(b, &f, "isLeader");      js_bool(b, member_is_leader(s, m));
    js_key(b, &f, "isLearner");     js_bool(b, st ? sm->s.is_learner : m->in_member_list ? m->is_learner : -1);
    js_key(b, &f, "version");
    js_str_or_null(b, st && sm->s.version[0] ? sm->s.version : sm->up ? sm->m.server_version : "");
    js_key(b, &f, "dbSize");        js_mval(b, sm->up ? m->iv.db_size : (mval_t){ 0, false });
    js_key(b, &f, "dbSizeInUse");   js_mval(b, sm->up ? m->iv.db_size_in_use : (mval_t){ 0, false });
    js_key(b, &f, "raftTerm");      js_num(b, st ? (double)sm->s.raft_term : NAN);
    js_key(b, &f, "raftIndex");     js_num(b, st ? (double)sm->s.raft_index : NAN);
    js_key(b, &f, "raftAppliedIndex"); js_num(b, st ? (double)sm->s.raft_applied_index : NAN);
    js_key(b, &f, "raftIndexLag");  js_num(b, sm->up ? m->fig.raft_index_lag : NAN);
    js_key(b, &f, "probeReadMs");   js_num(b, sm->probe_read_ms);
    js_key(b, &f, "errors");        js_str_or_null(b, st ? sm->s.errors : "");
    sbuf_puts(b, "}");
}

static void members_array(buf_t *b, const cluster_snapshot_t *s)
{
    sbuf_puts(b, "[");
    for (int i = 0; i < s->n_members; i++) {
        if (i)
            sbuf_puts(b, ",");
        member_json(b, s, &s->members[i]);
    }
    sbuf_puts(b, "]");
}

static const char *member_name_by_id(const cluster_snapshot_t *s, uint64_t id)
{
    for (int i = 0; id && i < s->n_members; i++)
        if (s->members[i].id == id)
            return s->members[i].name;
    return NULL;
}

static void leader_obj(buf_t *b, const cluster_snapshot_t *s)
{
    if (!s->leader_id) {
        sbuf_puts(b, "null");
        return;
    }
    bool f = true;
    const char *ep = NULL;
    for (int i = 0; i < s->n_members; i++)
        if (s->members[i].id == s->leader_id)
            ep = s->members[i].endpoint;
    sbuf_puts(b, "{");
    js_key(b, &f, "id");       js_id(b, s->leader_id);
    js_key(b, &f, "name");     js_str_or_null(b, s->leader_name);
    js_key(b, &f, "endpoint"); js_str(b, ep);
    sbuf_puts(b, "}");
}

static void quorum_obj(buf_t *b, const cluster_snapshot_t *s)
{
    int need = s->voters / 2 + 1;
    bool f = true;
    sbuf_puts(b, "{");
    js_key(b, &f, "voters");    sbuf_printf(b, "%d", s->voters);
    js_key(b, &f, "votersUp");  sbuf_printf(b, "%d", s->voters_up);
    js_key(b, &f, "needed");    sbuf_printf(b, "%d", need);
    js_key(b, &f, "hasQuorum"); js_bool(b, s->voters > 0 ? s->voters_up >= need : -1);
    sbuf_puts(b, "}");
}

static void leader_changes_obj(buf_t *b, const serve_view_t *v)
{
    const leader_hist_t *h = v->leaders;
    bool f = true;
    sbuf_puts(b, "{");
    js_key(b, &f, "observed"); sbuf_printf(b, "%ld", h->total);
    js_key(b, &f, "reported"); js_mval(b, v->snap->leader_changes);
    js_key(b, &f, "history");
    sbuf_puts(b, "[");
    for (int k = 0; k < h->n; k++) {
        long idx = (h->total - h->n + k) % SERVE_LEADER_HIST;
        const leader_change_t *c = &h->ring[idx];
        bool g = true;
        sbuf_puts(b, k ? ",{" : "{");
        js_key(b, &g, "time");     js_time(b, c->t);
        js_key(b, &g, "fromId");   js_id(b, c->from_id);
        js_key(b, &g, "from");     js_str_or_null(b, c->from);
        js_key(b, &g, "toId");     js_id(b, c->to_id);
        js_key(b, &g, "to");       js_str_or_null(b, c->to);
        js_key(b, &g, "raftTerm"); js_num(b, c->term ? (double)c->term : NAN);
        sbuf_puts(b, "}");
    }
    sbuf_puts(b, "]}");
}

static void alarms_array(buf_t *b, const cluster_snapshot_t *s)
{
    sbuf_puts(b, "[");
    for (int i = 0; i < s->n_alarms; i++) {
        bool f = true;
        sbuf_puts(b, i ? ",{" : "{");
        js_key(b, &f, "alarm");    js_str(b, s->alarms[i].alarm);
        js_key(b, &f, "memberId"); js_id(b, s->alarms[i].member_id);
        js_key(b, &f, "member");   js_str(b, member_name_by_id(s, s->alarms[i].member_id));
        sbuf_puts(b, "}");
    }
    sbuf_puts(b, "]");
}

void render_status(buf_t *out, const serve_view_t *v)
{
    const cluster_snapshot_t *s = v->snap;
    bool f = true;
    buf_reset(out);
    sbuf_puts(out, "{");
    js_key(out, &f, "timestamp");   js_time(out, s->t);
    js_key(out, &f, "healthy");     js_bool(out, s->status == STATUS_HEALTHY);
    js_key(out, &f, "status");      js_str(out, cluster_status_name(s->status));
    js_key(out, &f, "clusterId");   js_id(out, s->cluster_id);
    js_key(out, &f, "leaderId");    js_id(out, s->leader_id);
    js_key(out, &f, "leaderName");  js_str_or_null(out, s->leader_id ? s->leader_name : "");
    js_key(out, &f, "leader");      leader_obj(out, s);
    js_key(out, &f, "raftTerm");    js_num(out, s->raft_term ? (double)s->raft_term : NAN);
    js_key(out, &f, "version");     js_str_or_null(out, s->version);
    js_key(out, &f, "quorum");      quorum_obj(out, s);
    js_key(out, &f, "membersUp");   sbuf_printf(out, "%d", s->members_up);
    js_key(out, &f, "membersTotal"); sbuf_printf(out, "%d", s->members_total);
    js_key(out, &f, "members");     members_array(out, s);
    js_key(out, &f, "alarms");      alarms_array(out, s);
    js_key(out, &f, "leaderChanges"); leader_changes_obj(out, v);
    js_key(out, &f, "firingAlerts"); js_str_or_null(out, s->alerts);
    js_key(out, &f, "authError");   js_str_or_null(out, s->auth_error);
    js_key(out, &f, "sourceError"); js_str_or_null(out, s->source_error); /* --prometheus */
    js_key(out, &f, "poll");
    sbuf_printf(out, "{\"iteration\":%ld,\"durationSeconds\":", s->iteration);
    js_num(out, s->poll_ms / 1000.0);
    sbuf_puts(out, "}}");
}

void render_leader(buf_t *out, const serve_view_t *v)
{
    const cluster_snapshot_t *s = v->snap;
    bool f = true;
    buf_reset(out);
    sbuf_puts(out, "{");
    js_key(out, &f, "timestamp");  js_time(out, s->t);
    js_key(out, &f, "hasLeader");  js_bool(out, s->leader_id != 0);
    js_key(out, &f, "leaderId");   js_id(out, s->leader_id);
    js_key(out, &f, "leaderName"); js_str_or_null(out, s->leader_id ? s->leader_name : "");
    js_key(out, &f, "leader");     leader_obj(out, s);
    js_key(out, &f, "raftTerm");   js_num(out, s->raft_term ? (double)s->raft_term : NAN);
    js_key(out, &f, "noLeaderSeconds"); js_num(out, s->no_leader_s);
    js_key(out, &f, "splitView");  js_bool(out, s->split_view);
    js_key(out, &f, "leaderChanges"); leader_changes_obj(out, v);
    sbuf_puts(out, "}");
}

void render_members(buf_t *out, const serve_view_t *v)
{
    const cluster_snapshot_t *s = v->snap;
    bool f = true;
    buf_reset(out);
    sbuf_puts(out, "{");
    js_key(out, &f, "timestamp"); js_time(out, s->t);
    js_key(out, &f, "clusterId"); js_id(out, s->cluster_id);
    js_key(out, &f, "membersUp"); sbuf_printf(out, "%d", s->members_up);
    js_key(out, &f, "membersTotal"); sbuf_printf(out, "%d", s->members_total);
    js_key(out, &f, "members");   members_array(out, s);
    sbuf_puts(out, "}");
}

/* As `etcdctl endpoint health --cluster -w json`: one entry per endpoint. */
void render_health_endpoints(buf_t *out, const serve_view_t *v)
{
    const cluster_snapshot_t *s = v->snap;
    buf_reset(out);
    sbuf_puts(out, "[");
    for (int i = 0; i < s->n_members; i++) {
        const member_view_t *m = &s->members[i];
        const member_sample_t *sm = &m->sample;
        bool f = true, healthy = sm->up && sm->health_ok;
        sbuf_puts(out, i ? ",{" : "{");
        js_key(out, &f, "endpoint"); js_str(out, m->endpoint);
        js_key(out, &f, "name");     js_str(out, m->name);
        js_key(out, &f, "health");   js_bool(out, healthy);
        js_key(out, &f, "took");
        if (isfinite(sm->probe_read_ms))
            sbuf_printf(out, "\"%.3fms\"", sm->probe_read_ms);
        else
            sbuf_puts(out, "null");
        js_key(out, &f, "tookSeconds"); js_num(out, sm->probe_read_ms / 1000.0);
        js_key(out, &f, "error");
        js_str_or_null(out, sm->error[0] ? sm->error : healthy ? "" : sm->up ? "unhealthy" : "");
        sbuf_puts(out, "}");
    }
    sbuf_puts(out, "]");
}

/* Add one reason (a JSON string) to the array being built in out. */
static void reason_add(char *out, size_t n, size_t *used, const char *text)
{
    buf_t b;
    buf_init(&b, 512);
    js_str(&b, text);
    if (b.len && *used + b.len + 2 < n) {
        if (*used > 1)
            out[(*used)++] = ',';
        memcpy(out + *used, b.data, b.len);
        *used += b.len;
        out[*used] = '\0';
    }
    buf_free(&b);
}

bool render_health_reasons(const serve_view_t *v, char *out, size_t n)
{
    const cluster_snapshot_t *s = v->snap;
    char line[300];
    size_t used = 1;
    snprintf(out, n, "[");
    int need = s->voters / 2 + 1;
    if (s->members_up == 0)
        reason_add(out, n, &used, "no member answered the last poll");
    if (s->voters > 0 && s->voters_up < need) {
        snprintf(line, sizeof line, "quorum lost: %d of %d voting members up (%d needed)",
                 s->voters_up, s->voters, need);
        reason_add(out, n, &used, line);
    }
    if (!s->leader_id && s->members_up > 0)
        reason_add(out, n, &used, "no leader");
    for (int i = 0; i < v->n_active; i++) {
        const alert_t *a = &v->active[i];
        if (a->state != ALERT_FIRING || a->severity != SEV_CRITICAL)
            continue;
        snprintf(line, sizeof line, "critical alert firing: %s%s%s", a->rule,
                 a->member[0] ? " on " : "", a->member);
        reason_add(out, n, &used, line);
    }
    if (used + 2 <= n) {
        out[used++] = ']';
        out[used] = '\0';
    }
    return used == 2;
}
