/* etcd_monitor.c — the public C API (etcd_monitor.h) over the engine. */
#include "etcd_monitor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include "engine.h"

struct em_monitor {
    config_t cfg;
    engine_t eng;
    bool     stop;
};

const char *em_version(void)
{
    return "etcd-monitor " EM_VERSION;
}

em_monitor_t *em_open(int argc, char **argv, char *err, size_t errlen)
{
    em_monitor_t *m = calloc(1, sizeof(*m));
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* The monitor's options (no workspace is written: the library has no outputs). */
    const config_cmd_t scope = { "monitor", CMD_MONITOR };
    switch (config_load(&m->cfg, &scope, argc, argv, err, errlen)) {
    case CONFIG_OK:
        break;
    case CONFIG_EXIT:
    case CONFIG_HELP:
        snprintf(err, errlen, "--help or --version asks for nothing to monitor");
        /* fall through */
    default:
        config_free(&m->cfg);
        free(m);
        return NULL;
    }
    if (m->cfg.n_clusters > 0) {          /* one em_monitor_t is one cluster */
        snprintf(err, errlen, "%s: clusters: is not for the library: open one monitor per "
                 "cluster", m->cfg.config_path ? m->cfg.config_path : "--config");
        config_free(&m->cfg);
        free(m);
        return NULL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        snprintf(err, errlen, "cannot initialise libcurl");
        config_free(&m->cfg);
        free(m);
        return NULL;
    }
    if (engine_open(&m->eng, &m->cfg, err, errlen) != 0) {
        curl_global_cleanup();
        config_free(&m->cfg);
        free(m);
        return NULL;
    }
    config_forget_password(&m->cfg);   /* auth has its own copy (secmem.h) */
    return m;
}

int em_poll(em_monitor_t *m, int timeout_ms)
{
    double deadline = loop_mono() + timeout_ms / 1000.0;
    if (!collector_in_flight(m->eng.col))
        engine_start_poll(&m->eng);
    while (!engine_take_poll(&m->eng)) {
        double left = deadline - loop_mono();
        if (left <= 0) {
            collector_abort(m->eng.col);
            return -1;
        }
        int ms = left > 0.1 ? 100 : (int)(left * 1000.0) + 1;
        if (engine_pump(&m->eng) && ms > REMOTE_PUMP_AGAIN_MS)
            ms = REMOTE_PUMP_AGAIN_MS;
        loop_run_once(m->eng.loop, ms);
    }
    return 0;
}

long em_run(em_monitor_t *m, double seconds, void (*on_poll)(em_monitor_t *m, void *ctx),
            void *ctx)
{
    const double interval = m->cfg.interval_ms / 1000.0;
    double start = loop_mono(), next = start;
    double end = seconds > 0 ? start + seconds : INFINITY;
    long polls = 0;
    m->stop = false;
    for (;;) {
        double now = loop_mono();
        bool ending = m->stop || now >= end;
        if (!ending && now >= next && engine_start_poll(&m->eng)) {
            next += interval;
            if (next <= now)
                next = now + interval;
        }
        if (engine_take_poll(&m->eng)) {
            polls++;
            if (on_poll)
                on_poll(m, ctx);
            continue;
        }
        if (ending && !collector_in_flight(m->eng.col))
            return polls;
        double until = ending ? 0.1 : fmin(next, end) - loop_mono();
        int ms = (int)ceil(fmin(fmax(until, 0.0), 1.0) * 1000.0);
        if (engine_pump(&m->eng) && ms > REMOTE_PUMP_AGAIN_MS)
            ms = REMOTE_PUMP_AGAIN_MS;
        loop_run_once(m->eng.loop, ms);
    }
}

void em_stop(em_monitor_t *m)
{
    m->stop = true;
}

int em_cluster(const em_monitor_t *m, em_cluster_t *out)
{
    if (!m->eng.have_snap)
        return -1;
    const cluster_snapshot_t *s = m->eng.snap;
    memset(out, 0, sizeof(*out));
    out->t = s->t;
    out->poll_ms = s->poll_ms;
    out->iteration = s->iteration;
    out->members_total = s->members_total;
    out->members_up = s->members_up;
    out->voters = s->voters;
    out->voters_up = s->voters_up;
    out->has_quorum = s->voters > 0 && s->voters_up > s->voters / 2;
    out->cluster_id = s->cluster_id;
    out->leader_id = s->leader_id;
    snprintf(out->leader_name, sizeof(out->leader_name), "%s", s->leader_name);
    out->raft_term = s->raft_term;
    snprintf(out->version, sizeof(out->version), "%s", s->version);
    out->alarms = s->n_alarms;
    out->status = (int)s->status;
    return 0;
}

int em_member_count(const em_monitor_t *m)
{
    return m->eng.have_snap ? m->eng.snap->n_members : 0;
}

static double em_opt(mval_t v)
{
    return v.ok ? v.v : NAN;
}

int em_member(const em_monitor_t *m, int i, em_member_t *out)
{
    if (!m->eng.have_snap || i < 0 || i >= m->eng.snap->n_members)
        return -1;
    const member_view_t *v = &m->eng.snap->members[i];
    const member_sample_t *sm = &v->sample;
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", v->name);
    snprintf(out->endpoint, sizeof(out->endpoint), "%s", v->endpoint);
    snprintf(out->error, sizeof(out->error), "%s", sm->error);
    out->id = v->id;
    out->up = sm->up;
    out->is_leader = v->id && v->id == m->eng.snap->leader_id;
    out->is_learner = v->is_learner;
    out->db_size_bytes = em_opt(v->iv.db_size);
    out->db_in_use_bytes = em_opt(v->iv.db_size_in_use);
    out->fragmentation_pct = em_opt(v->iv.fragmentation_pct);
    out->quota_used_pct = v->fig.quota_used_pct;
    if (sm->s.ok) {
        out->raft_term = sm->s.raft_term;
        out->raft_index = sm->s.raft_index;
        out->raft_applied_index = sm->s.raft_applied_index;
    }
    out->wal_fsync_p99_ms = m->eng.snap->n_windows > 0 ? v->fig.w[0].wal_p99 : NAN;
    out->backend_commit_p99_ms = m->eng.snap->n_windows > 0 ? v->fig.w[0].backend_p99 : NAN;
    out->read_probe_ms = sm->probe_read_ms;
    return 0;
}

int em_alerts(const em_monitor_t *m, em_alert_t *out, int cap)
{
    const alert_t *list = NULL;
    int n = rules_active(m->eng.rules, &list), k = 0;
    for (int i = 0; i < n && k < cap; i++) {
        const alert_t *a = &list[i];
        em_alert_t *o = &out[k++];
        memset(o, 0, sizeof(*o));
        snprintf(o->rule, sizeof(o->rule), "%s", a->rule);
        snprintf(o->member, sizeof(o->member), "%s", a->member);
        snprintf(o->unit, sizeof(o->unit), "%s", a->unit);
        o->severity = (int)a->severity;
        o->firing = a->state == ALERT_FIRING;
        o->value = a->value;
        o->threshold = a->threshold;
        o->since = a->active_since;
    }
    return k;
}

void em_close(em_monitor_t *m)
{
    if (!m)
        return;
    collector_delete_probe_keys(m->eng.col, 2000);
    engine_close(&m->eng);
    config_free(&m->cfg);
    curl_global_cleanup();
    free(m);
}
