/* chan_slack.c — Slack incoming webhooks: one message per group, with a
 * plain "text" (notifications, old clients) and Block Kit "blocks": a header,
 * one section per transition (rule, severity, member, value, threshold, since,
 * cluster, hint) and a context line for "N more suppressed". The webhook URL's
 * path is its secret: only hooks.slack.com is ever logged. */
#include "chan_json.h"

#include <stdio.h>
#include <string.h>

#define SLACK_SECTIONS_MAX 40        /* Slack allows 50 blocks per message */
#define SLACK_SECTION_TEXT 2900      /* of 3000 characters */

static json_t *slack_text(const char *type, const char *text)
{
    return json_pack("{s:s, s:s}", "type", type, "text", text);
}

static char *slack_body(const notify_chan_t *c, const notify_event_t *ev, int n, long suppressed)
{
    int firing = 0;
    for (int i = 0; i < n; i++)
        firing += ev[i].kind == TRANS_FIRING;
    char head[160], text[600];
    const char *cluster = n > 0 && ev[0].cluster_id[0] ? ev[0].cluster_id : "unknown";
    snprintf(head, sizeof head, "etcd cluster %s: %d firing, %d resolved", cluster, firing,
             n - firing);
    char title[300];
    notify_fmt_title(&ev[0], title, sizeof title);
    snprintf(text, sizeof text, "%s %s%s", notify_kind_name(ev[0].kind), title,
             n > 1 ? " (and more)" : "");
    json_t *blocks = json_array();
    json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "header", "text",
                                            slack_text("plain_text", head)));
    for (int i = 0; i < n && i < SLACK_SECTIONS_MAX; i++) {
        const notify_event_t *e = &ev[i];
        char details[2400], sec[SLACK_SECTION_TEXT];
        notify_fmt_title(e, title, sizeof title);
        notify_fmt_details(e, details, sizeof details);
        snprintf(sec, sizeof sec, "*%s* %s %s\n%s", notify_kind_name(e->kind),
                 e->kind == TRANS_FIRING ? (e->alert.severity == SEV_CRITICAL ? ":red_circle:"
                                                                              : ":warning:")
                                         : ":white_check_mark:",
                 title, details);
        json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "section", "text",
                                                slack_text("mrkdwn", sec)));
    }
    char more[120] = "";
    if (n > SLACK_SECTIONS_MAX)
        snprintf(more, sizeof more, "%d more transitions in this group. ", n - SLACK_SECTIONS_MAX);
    if (suppressed > 0)
        snprintf(more + strlen(more), sizeof more - strlen(more),
                 "%ld more suppressed by the rate limit.", suppressed);
    if (more[0]) {
        json_t *els = json_array();
        json_array_append_new(els, slack_text("mrkdwn", more));
        json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "context", "elements", els));
    }
    json_t *root = json_object();
    if (c->cfg->channel)
        json_object_set_new(root, "channel", json_string(c->cfg->channel));
    json_object_set_new(root, "username",
                        json_string(c->cfg->username ? c->cfg->username : "etcd-monitor"));
    json_object_set_new(root, "text", json_string(text));
    json_object_set_new(root, "blocks", blocks);
    return chan_json_dump(root);
}

static void slack_build(notify_chan_t *c, const notify_event_t *ev, int n, long suppressed,
                        double now_wall)
{
    (void)now_wall;
    notify_req_t *r = chan_json_req(c, c->cfg->url, slack_body(c, ev, n, suppressed));
    if (r)
        notify_req_describe(r, ev, n);
    notify_chan_push(c, r);
}

const chan_ops_t chan_slack_ops = {
    .type = "slack",
    .build = slack_build,
};
