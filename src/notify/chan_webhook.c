/* chan_webhook.c — the generic webhook: one POST per group with the
 * Alertmanager webhook payload (version "4": status, alerts[] with labels,
 * annotations, startsAt, endsAt), so receivers written for Alertmanager work
 * unchanged; optional extra headers. The shared alert object is also what the
 * alertmanager channel posts. */
#include "chan_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZERO_TIME "0001-01-01T00:00:00Z"

static void set_str(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, json_string(v ? v : ""));
}

json_t *chan_json_labels(const notify_event_t *e)
{
    json_t *l = json_object();
    set_str(l, "alertname", e->alert.rule);
    set_str(l, "severity", notify_sev_name(e->alert.severity));
    set_str(l, "cluster", e->cluster_id[0] ? e->cluster_id : "unknown");
    set_str(l, "member", e->alert.member[0] ? e->alert.member : "");
    set_str(l, "instance", e->instance);
    set_str(l, "source", "etcd-monitor");
    /* Alertmanager drops empty labels; keep the object tidy for everyone. */
    if (!e->alert.member[0])
        json_object_del(l, "member");
    if (!e->instance[0])
        json_object_del(l, "instance");
    return l;
}

json_t *chan_json_annotations(const notify_event_t *e)
{
    char title[300], details[2400], v[64], t[64], since[40];
    notify_fmt_title(e, title, sizeof title);
    notify_fmt_details(e, details, sizeof details);
    notify_fmt_value(&e->alert, e->alert.value, v, sizeof v);
    notify_fmt_value(&e->alert, e->alert.threshold, t, sizeof t);
    double s = e->alert.firing_since > 0 ? e->alert.firing_since : e->t;
    notify_fmt_time(s, since, sizeof since);
    json_t *a = json_object();
    set_str(a, "summary", title);
    set_str(a, "description", details);
    set_str(a, "runbook", e->hint ? e->hint : "");
    set_str(a, "value", v);
    set_str(a, "threshold", t);
    set_str(a, "since", since);
    return a;
}

/* startsAt / endsAt of e: a firing alert ends at ends_firing ("" = the zero
 * time, as Alertmanager's webhook says "not resolved"). */
void chan_json_times(json_t *o, const notify_event_t *e, const char *ends_firing)
{
    char ts[40];
    double s = e->alert.firing_since > 0 ? e->alert.firing_since : e->t;
    notify_fmt_time(s, ts, sizeof ts);
    set_str(o, "startsAt", ts);
    if (e->kind == TRANS_RESOLVED) {
        notify_fmt_time(e->t, ts, sizeof ts);
        set_str(o, "endsAt", ts);
    } else {
        set_str(o, "endsAt", ends_firing && ends_firing[0] ? ends_firing : ZERO_TIME);
    }
}

/* 16 hex digits of FNV-1a over the alert's identity. */
static void fingerprint(const notify_event_t *e, char *out, size_t n)
{
    char key[300];
    notify_dedup_key(e, key, sizeof key);
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    snprintf(out, n, "%016llx", (unsigned long long)h);
}

char *chan_json_dump(json_t *root)
{
    char *s = root ? json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(root);
    return s;
}

/* The Alertmanager webhook payload of a group. */
static char *webhook_body(const notify_event_t *ev, int n, long suppressed)
{
    json_t *alerts = json_array();
    bool firing = false;
    for (int i = 0; i < n; i++) {
        const notify_event_t *e = &ev[i];
        json_t *a = json_object();
        char fp[24];
        set_str(a, "status", e->kind == TRANS_RESOLVED ? "resolved" : "firing");
        json_object_set_new(a, "labels", chan_json_labels(e));
        json_object_set_new(a, "annotations", chan_json_annotations(e));
        chan_json_times(a, e, NULL);
        set_str(a, "generatorURL", "");
        fingerprint(e, fp, sizeof fp);
        set_str(a, "fingerprint", fp);
        json_array_append_new(alerts, a);
        firing |= e->kind == TRANS_FIRING;
    }
    json_t *root = json_object();
    const char *cluster = n > 0 && ev[0].cluster_id[0] ? ev[0].cluster_id : "unknown";
    char key[80];
    snprintf(key, sizeof key, "{}:{cluster=\"%s\"}", cluster);
    set_str(root, "version", "4");
    set_str(root, "groupKey", key);
    json_object_set_new(root, "truncatedAlerts", json_integer(0));
    set_str(root, "status", firing ? "firing" : "resolved");
    set_str(root, "receiver", "etcd-monitor");
    json_t *gl = json_object();
    set_str(gl, "cluster", cluster);
    json_object_set_new(root, "groupLabels", gl);
    json_t *cl = json_object();
    set_str(cl, "cluster", cluster);
    set_str(cl, "source", "etcd-monitor");
    json_object_set_new(root, "commonLabels", cl);
    json_t *ca = json_object();
    if (suppressed > 0) {
        char line[80];
        snprintf(line, sizeof line, "%ld more suppressed", suppressed);
        set_str(ca, "suppressed", line);
    }
    json_object_set_new(root, "commonAnnotations", ca);
    set_str(root, "externalURL", "");
    json_object_set_new(root, "alerts", alerts);
    return chan_json_dump(root);
}

/* A request to url with the JSON body and the channel's extra headers. */
notify_req_t *chan_json_req(notify_chan_t *c, const char *url, char *body)
{
    notify_req_t *r = notify_req_new(url, body);
    if (!r)
        return NULL;
    if (notify_req_header(r, "Content-Type", "application/json") != 0)
        goto fail;
    for (int i = 0; i < c->cfg->n_headers; i++) {
        struct curl_slist *l = curl_slist_append(r->headers, c->cfg->headers[i]);
        if (!l)
            goto fail;
        r->headers = l;
    }
    return r;
fail:
    notify_req_free(r);
    return NULL;
}

static void webhook_build(notify_chan_t *c, const notify_event_t *ev, int n, long suppressed,
                          double now_wall)
{
    (void)now_wall;
    notify_req_t *r = chan_json_req(c, c->cfg->url, webhook_body(ev, n, suppressed));
    if (r)
        notify_req_describe(r, ev, n);
    notify_chan_push(c, r);
}

const chan_ops_t chan_webhook_ops = {
    .type = "webhook",
    .build = webhook_build,
};
