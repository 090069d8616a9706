/* chan_pagerduty.c — PagerDuty Events API v2: one event per transition,
 * "trigger" when an alert fires and "resolve" when it resolves, with the same
 * dedup_key per alert and member (etcd-monitor/<cluster>/<rule>/<member>).
 * The integration (routing) key comes from integration_key or the first line
 * of integration_key_file and is never logged. */
#include "chan_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PD_URL "https://events.pagerduty.com/v2/enqueue"

typedef struct {
    char key[128];
} pd_t;

static int pd_open(notify_chan_t *c, char *err, size_t errlen)
{
    pd_t *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "alerts: out of memory");
        return -1;
    }
    if (c->cfg->integration_key_file) {
        FILE *f = fopen(c->cfg->integration_key_file, "r");
        if (!f || !fgets(p->key, sizeof p->key, f)) {
            snprintf(err, errlen, "alerts: pagerduty integration_key_file cannot be read: %s",
                     f ? "empty" : strerror(errno));
            if (f)
                fclose(f);
            free(p);
            return -1;
        }
        fclose(f);
        p->key[strcspn(p->key, "\r\n")] = '\0';
    } else {
        snprintf(p->key, sizeof p->key, "%s", c->cfg->integration_key);
    }
    if (!p->key[0] || strlen(p->key) >= sizeof p->key - 1) {
        explicit_bzero(p, sizeof *p);
        free(p);
        snprintf(err, errlen, "alerts: the pagerduty integration key is empty or too long");
        return -1;
    }
    c->priv = p;
    return 0;
}

static char *pd_body(const pd_t *p, const notify_event_t *e, long suppressed)
{
    char key[300], title[300], ts[40];
    notify_dedup_key(e, key, sizeof key);
    json_t *root = json_object();
    json_object_set_new(root, "routing_key", json_string(p->key));
    json_object_set_new(root, "dedup_key", json_string(key));
    if (e->kind == TRANS_RESOLVED) {
        json_object_set_new(root, "event_action", json_string("resolve"));
        return chan_json_dump(root);
    }
    json_object_set_new(root, "event_action", json_string("trigger"));
    notify_fmt_title(e, title, sizeof title);
    notify_fmt_time(e->alert.firing_since > 0 ? e->alert.firing_since : e->t, ts, sizeof ts);
    json_t *details = chan_json_annotations(e);
    json_object_set_new(details, "rule", json_string(e->alert.rule));
    json_object_set_new(details, "member", json_string(e->alert.member));
    json_object_set_new(details, "cluster", json_string(e->cluster_id));
    if (suppressed > 0) {
        char more[80];
        snprintf(more, sizeof more, "%ld more suppressed", suppressed);
        json_object_set_new(details, "suppressed", json_string(more));
    }
    json_t *payload = json_object();
    json_object_set_new(payload, "summary", json_string(title));
    json_object_set_new(payload, "source",
                        json_string(e->instance[0] ? e->instance
                                    : e->alert.member[0] ? e->alert.member : "etcd cluster"));
    json_object_set_new(payload, "severity", json_string(notify_sev_name(e->alert.severity)));
    json_object_set_new(payload, "timestamp", json_string(ts));
    json_object_set_new(payload, "component", json_string("etcd"));
    json_object_set_new(payload, "group", json_string(e->cluster_id[0] ? e->cluster_id
                                                                       : "unknown"));
    json_object_set_new(payload, "class", json_string(e->alert.rule));
    json_object_set_new(payload, "custom_details", details);
    json_object_set_new(root, "payload", payload);
    json_object_set_new(root, "client", json_string("etcd-monitor"));
    return chan_json_dump(root);
}

static void pd_build(notify_chan_t *c, const notify_event_t *ev, int n, long suppressed,
                     double now_wall)
{
    (void)now_wall;
    const pd_t *p = c->priv;
    for (int i = 0; i < n; i++) {
        notify_req_t *r = chan_json_req(c, c->cfg->url ? c->cfg->url : PD_URL,
                                        pd_body(p, &ev[i], i == 0 ? suppressed : 0));
        if (r)
            notify_req_describe(r, &ev[i], 1);
        notify_chan_push(c, r);
    }
}

static void pd_close(notify_chan_t *c)
{
    if (c->priv)
        explicit_bzero(c->priv, sizeof(pd_t));
    free(c->priv);
    c->priv = NULL;
}

const chan_ops_t chan_pagerduty_ops = {
    .type = "pagerduty",
    .open = pd_open,
    .build = pd_build,
    .close = pd_close,
};
