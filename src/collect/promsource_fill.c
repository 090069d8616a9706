/* promsource_fill.c — a Prometheus source's answers into the snapshot: the
 * members (one per instance of up), their raw families through the scrape's
 * own extractor, the window latencies, and the source's state. */
#include "promsource_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"
#include "text.h"

/* Append v as exposition text ("NaN", "+Inf", or a round-tripping number). */
static void ps_expo_value(buf_t *b, double v)
{
    char t[40];
    if (isnan(v))
        snprintf(t, sizeof t, " NaN\n");
    else if (isinf(v))
        snprintf(t, sizeof t, " %cInf\n", v > 0 ? '+' : '-');
    else
        snprintf(t, sizeof t, " %.17g\n", v);
    (void)buf_append(b, t, strlen(t));
}

/* Append one label (name="value", escaped) after sep. */
static void ps_expo_label(buf_t *b, const char *sep, const char *name, const char *v)
{
    (void)buf_append(b, sep, strlen(sep));
    (void)buf_append(b, name, strlen(name));
    (void)buf_append(b, "=\"", 2);
    for (const char *c = v; *c; c++) {
        if (*c == '\\' || *c == '"')
            (void)buf_append(b, "\\", 1);
        (void)buf_append(b, c, 1);
    }
    (void)buf_append(b, "\"", 1);
}

/* The series of answer r for instance inst as exposition lines: name (the
 * series' own, or fixed when the answer is aggregated) and the label of key
 * index k1 / k2 (0 = none) named n1 / n2. */
static void ps_expo_add(buf_t *b, const promapi_result_t *r, const char *inst, const char *fixed,
                        int k1, const char *n1, int k2, const char *n2)
{
    for (int i = 0; i < r->n; i++) {
        const promapi_series_t *s = &r->s[i];
        if (strcmp(s->label[0], inst) != 0)
            continue;
        const char *name = fixed ? fixed : s->name;
        if (!name[0])
            continue;
        (void)buf_append(b, name, strlen(name));
        const char *sep = "{";
        if (k1 && s->label[k1][0]) {
            ps_expo_label(b, sep, n1, s->label[k1]);
            sep = ",";
        }
        if (k2 && s->label[k2][0]) {
            ps_expo_label(b, sep, n2, s->label[k2]);
            sep = ",";
        }
        if (sep[0] == ',')
            (void)buf_append(b, "}", 1);
        ps_expo_value(b, s->v);
    }
}

/* One instance's raw families from the answers into m, through the same
 * extractor as a /metrics scrape. 0, or -1 with why. */
static int ps_member_metrics(promsource_t *p, const char *inst, metrics_sample_t *m, char *why,
                             size_t whylen)
{
    if (!p->ok[PQ_RAW]) {
        snprintf(why, whylen, "%s", p->err[PQ_RAW]);
        return -1;
    }
    buf_t *b = &p->expo;
    buf_reset(b);
    ps_expo_add(b, &p->res[PQ_RAW], inst, NULL, 1, "le", 2, "server_version");
    if (p->ok[PQ_GRPC])
        ps_expo_add(b, &p->res[PQ_GRPC], inst, "grpc_server_handled_total", 1, "grpc_code", 0,
                    NULL);
    if (p->ok[PQ_RTT])
        ps_expo_add(b, &p->res[PQ_RTT], inst,
                    "etcd_network_peer_round_trip_time_seconds_bucket", 1, "le", 0, NULL);
    if (b->overflow) {
        snprintf(why, whylen, "prometheus: %.60s: over %zu bytes of series", inst, b->max);
        return -1;
    }
    if (b->len == 0) {
        snprintf(why, whylen, "prometheus: no etcd series for this target");
        return -1;
    }
    prom_error_t pe;
    if (metrics_extract(b->data, b->len, m, &pe) != 0) {
        snprintf(why, whylen, "prometheus: series unreadable: %s", pe.msg);
        return -1;
    }
    return 0;
}

/* etcd_server_id's server_id label of inst (hex), 0 when none. */
static uint64_t ps_member_id(const promsource_t *p, const char *inst)
{
    const promapi_result_t *r = &p->res[PQ_RAW];
    for (int i = 0; p->ok[PQ_RAW] && i < r->n; i++)
        if (strcmp(r->s[i].name, "etcd_server_id") == 0 && strcmp(r->s[i].label[0], inst) == 0)
            return strtoull(r->s[i].label[3], NULL, 16);
    return 0;
}

/* The window answers for inst into x: Prometheus' figures, NAN where it has
 * none or the window's query failed (never the ring's: the windows are
 * Prometheus'). */
static void ps_member_windows(const promsource_t *p, const char *inst, ext_figures_t *x)
{
    x->on = true;
    for (int w = 0; w < FIG_MAX_WINDOWS; w++) {
        double *f = (double *)&x->w[w];
        for (int k = 0; k < PS_WIN_FIGS; k++)
            f[k] = NAN;
        int q = PQ_WIN0 + w;
        if (w >= p->cfg.n_windows || !p->ok[q])
            continue;
        const promapi_result_t *r = &p->res[q];
        for (int i = 0; i < r->n; i++) {
            if (strcmp(r->s[i].label[0], inst) != 0)
                continue;
            for (int k = 0; k < PS_WIN_FIGS; k++)
                if (strcmp(r->s[i].label[1], ps_win_fig[k]) == 0)
                    f[k] = r->s[i].v * (k < 7 ? 1000.0 : 1.0);   /* quantiles in ms */
        }
    }
}

static int ps_cmp_instance(const void *a, const void *b)
{
    return strcmp(((const ps_member_t *)a)->instance, ((const ps_member_t *)b)->instance);
}

/* The members are the instances of the up answer (sorted); known ones keep
 * their history, gone ones leave with an event. */
static void ps_sync_members(promsource_t *p, event_list_t *ev)
{
    const promapi_result_t *r = &p->res[PQ_UP];
    ps_member_t *keep = p->keep;
    int n = 0;
    for (int i = 0; i < r->n && n < CLUSTER_MAX_MEMBERS; i++) {
        const char *inst = r->s[i].label[0];
        bool dup = false;
        for (int j = 0; j < n; j++)
            dup |= strcmp(keep[j].instance, inst) == 0;
        if (dup || !inst[0])
            continue;
        int found = -1;
        for (int j = 0; j < p->n && found < 0; j++)
            if (strcmp(p->m[j].instance, inst) == 0)
                found = j;
        if (found >= 0) {
            keep[n] = p->m[found];
        } else {
            memset(&keep[n], 0, sizeof keep[n]);
            snprintf(keep[n].instance, sizeof keep[n].instance, "%s", inst);
            keep[n].was_up = -1;
        }
        n++;
    }
    for (int j = 0; j < p->n; j++) {
        bool stays = false;
        for (int i = 0; i < n; i++)
            stays |= strcmp(keep[i].instance, p->m[j].instance) == 0;
        if (!stays)
            events_add(ev, "member %s left prometheus' answer", p->m[j].instance);
    }
    qsort(keep, (size_t)n, sizeof keep[0], ps_cmp_instance);
    memcpy(p->m, keep, sizeof keep[0] * (size_t)n);
    p->n = n;
}

/* up's value for inst (NAN when absent). */
static double ps_up(const promsource_t *p, const char *inst)
{
    const promapi_result_t *r = &p->res[PQ_UP];
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->s[i].label[0], inst) == 0)
            return r->s[i].v;
    return NAN;
}

/* The source's state this poll: "" when every query answered. */
static void ps_state(const promsource_t *p, char *out, size_t cap)
{
    out[0] = '\0';
    if (!p->ok[PQ_UP]) {
        snprintf(out, cap, "%s", p->err[PQ_UP]);
        return;
    }
    if (p->res[PQ_UP].n == 0) {
        snprintf(out, cap, "prometheus: no series match up{%.120s}", p->inner);
        return;
    }
    if (p->res[PQ_UP].n > CLUSTER_MAX_MEMBERS) {
        snprintf(out, cap, "prometheus: %d targets match, the first %d are shown",
                 p->res[PQ_UP].n, CLUSTER_MAX_MEMBERS);
        return;
    }
    for (int i = PQ_RAW; i < p->n_q; i++)
        if (!p->ok[i]) {
            snprintf(out, cap, "%s", p->err[i]);
            return;
        }
}

/* One member's sample from the answers (or down for why). */
static void ps_fill_member(promsource_t *p, ps_member_t *pm, const char *src_err,
                           member_view_t *v)
{
    member_sample_t *cur = &v->sample;
    memset(v, 0, sizeof *v);
    cur->t = p->poll_wall;
    cur->probe_read_ms = cur->probe_write_ms = NAN;
    v->disk_free_pct = NAN;
    v->log_slow = -1;
    double up = p->ok[PQ_UP] ? ps_up(p, pm->instance) : NAN;
    if (!p->ok[PQ_UP])
        snprintf(cur->error, sizeof cur->error, "%s", src_err);
    else if (up != 1)
        snprintf(cur->error, sizeof cur->error, "prometheus: target down (up=%g)", up);
    else {
        cur->up = true;
        char why[160];
        if (ps_member_metrics(p, pm->instance, &cur->m, why, sizeof why) == 0)
            cur->metrics_ok = true;
        else
            snprintf(cur->error, sizeof cur->error, "%s", why);
        uint64_t id = ps_member_id(p, pm->instance);
        if (id)
            pm->id = id;
        /* etcd's /health is not in Prometheus: a target that is up and
         * has a leader counts as healthy (the man page says so). */
        cur->health_ok = cur->metrics_ok && cur->m.has_leader.ok && cur->m.has_leader.v == 1;
    }
    ps_member_windows(p, pm->instance, &v->ext);
    if (cur->metrics_ok) {
        interval_derive(pm->has_prev ? &pm->prev_m : NULL, pm->prev_t, &cur->m, cur->t, NULL,
                        &pm->iv);
        pm->prev_m = cur->m;
        pm->prev_t = cur->t;
        pm->has_prev = true;
    } else {
        interval_derive(NULL, 0, NULL, cur->t, NULL, &pm->iv);
    }
    char raw[sizeof cur->error];
    memcpy(raw, cur->error, sizeof raw);
    (void)text_clean(cur->error, sizeof cur->error, raw);
    (void)text_clean(v->name, sizeof v->name, pm->instance);
    (void)text_clean(v->endpoint, sizeof v->endpoint, pm->instance);
    v->id = pm->id;
    v->iv = pm->iv;
}

void promsource_fill(promsource_t *p, cluster_snapshot_t *s)
{
    cluster_snapshot_reset(s);           /* members[] are written up to n_members */
    s->t = p->poll_wall;
    s->poll_ms = p->last_end > p->poll_mono ? (p->last_end - p->poll_mono) * 1000.0 : 0;
    s->iteration = p->iteration;
    char raw[sizeof s->source_error];      /* may quote Prometheus' answer */
    ps_state(p, raw, sizeof raw);
    if (p->ok[PQ_UP]) {
        ps_sync_members(p, &s->events);
        if (p->n == 0 && !raw[0])
            snprintf(raw, sizeof raw, "prometheus: no series of up{%.100s} has an instance label",
                     p->inner);
    }
    (void)text_clean(s->source_error, sizeof s->source_error, raw);
    for (int i = 0; i < p->n; i++) {
        ps_member_t *pm = &p->m[i];
        member_view_t *v = &s->members[s->n_members++];
        ps_fill_member(p, pm, s->source_error, v);
        int up = v->sample.up ? 1 : 0;
        if (up != pm->was_up) {
            if (up)
                events_add(&s->events, "member %s is up", v->name);
            else
                events_add(&s->events, "member %s is down: %s", v->name, v->sample.error);
            pm->was_up = up;
        }
    }
    if (strcmp(s->source_error, p->told) != 0) {
        if (s->source_error[0])
            events_add(&s->events, "%s", s->source_error);
        else
            events_add(&s->events, "prometheus: answering again");
        snprintf(p->told, sizeof p->told, "%s", s->source_error);
    }
    cluster_summarize(s);
    collector_leader_from_metrics(s);
}
