/* chan_alertmanager.c — alerts straight into an Alertmanager: POST
 * <url>/api/v2/alerts with labels alertname, severity, cluster, member,
 * instance and annotations summary, description, runbook. A firing alert is
 * sent with endsAt four repeat intervals ahead and re-sent every
 * repeat_interval, so it never expires while it fires (and does expire if the
 * monitor dies); a resolved one is sent with endsAt = when it resolved. */
#include "chan_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char  *url;                      /* .../api/v2/alerts */
    double next_repeat;              /* monotonic */
} am_t;

static int am_open(notify_chan_t *c, char *err, size_t errlen)
{
    const char *base = c->cfg->url;
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    static const char path[] = "/api/v2/alerts";
    bool has = n >= sizeof path - 1 && memcmp(base + n - (sizeof path - 1), path,
                                              sizeof path - 1) == 0;
    am_t *a = calloc(1, sizeof *a);
    if (a)
        a->url = malloc(n + sizeof path);
    if (!a || !a->url) {
        free(a);
        snprintf(err, errlen, "alerts: out of memory");
        return -1;
    }
    memcpy(a->url, base, n);
    snprintf(a->url + n, sizeof path, "%s", has ? "" : path);
    c->priv = a;
    return 0;
}

/* The alerts as Alertmanager's API takes them; firing ones end at ends. */
static char *am_body(const notify_event_t *ev, int n, const char *ends)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *a = json_object();
        json_object_set_new(a, "labels", chan_json_labels(&ev[i]));
        json_object_set_new(a, "annotations", chan_json_annotations(&ev[i]));
        chan_json_times(a, &ev[i], ends);
        json_object_set_new(a, "generatorURL", json_string(""));
        json_array_append_new(arr, a);
    }
    return chan_json_dump(arr);
}

static void am_send(notify_chan_t *c, const notify_event_t *ev, int n, double now_wall)
{
    am_t *a = c->priv;
    char ends[40];
    a->next_repeat = loop_mono() + c->cfg->repeat_ms / 1000.0;
    notify_fmt_time(now_wall + 4.0 * c->cfg->repeat_ms / 1000.0, ends, sizeof ends);
    notify_req_t *r = chan_json_req(c, a->url, am_body(ev, n, ends));
    if (r)
        notify_req_describe(r, ev, n);
    notify_chan_push(c, r);
}

static void am_build(notify_chan_t *c, const notify_event_t *ev, int n, long suppressed,
                     double now_wall)
{
    (void)suppressed;                 /* Alertmanager has its own view of every alert */
    am_send(c, ev, n, now_wall);
}

/* Re-send the firing alerts every repeat_interval (not while a send waits). */
static void am_firing(notify_chan_t *c, const notify_event_t *ev, int n, double now_wall)
{
    am_t *a = c->priv;
    double now = loop_mono();
    if (now < a->next_repeat || n == 0 || c->q.n > 0 || c->cur)
        return;
    notify_event_t sel[NOTIFY_GROUP_MAX];
    int k = 0;
    for (int i = 0; i < n; i++)
        if ((int)ev[i].alert.severity >= c->cfg->min_severity)
            sel[k++] = ev[i];
    if (k > 0)
        am_send(c, sel, k, now_wall);
}

static void am_close(notify_chan_t *c)
{
    am_t *a = c->priv;
    if (a)
        free(a->url);
    free(a);
    c->priv = NULL;
}

const chan_ops_t chan_alertmanager_ops = {
    .type = "alertmanager",
    .open = am_open,
    .build = am_build,
    .firing = am_firing,
    .close = am_close,
};
