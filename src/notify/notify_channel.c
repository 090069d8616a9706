/* notify_channel.c — one channel's delivery machinery, type-independent:
 * filters (severity, send_resolved), the group window, the rate limit with its
 * "N more suppressed" count, the bounded queue, one request at a time on the
 * loop, retries with backoff and jitter (Retry-After on 429). Logs name the
 * channel by type and host only. */
#include "notify_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DROP_LOG_EVERY_S 10.0

static const chan_ops_t *chan_ops_for(chan_type_t t)
{
    switch (t) {
    case CHAN_WEBHOOK: return &chan_webhook_ops;
    case CHAN_ALERTMANAGER: return &chan_alertmanager_ops;
    case CHAN_SLACK: return &chan_slack_ops;
    case CHAN_PAGERDUTY: return &chan_pagerduty_ops;
    case CHAN_EMAIL: return &chan_email_ops;
    default: return NULL;
    }
}

/* "slack (hooks.slack.com)" or "ops-mail: email (smtp.example.com:587)". */
static void chan_label(notify_chan_t *c)
{
    const config_channel_t *cfg = c->cfg;
    char host[128] = "";
    if (cfg->type == CHAN_EMAIL)
        snprintf(host, sizeof host, "%s:%d", cfg->smtp_server, cfg->smtp_port);
    else if (cfg->url)
        alerts_url_host(cfg->url, host, sizeof host);
    else if (cfg->type == CHAN_PAGERDUTY)
        snprintf(host, sizeof host, "events.pagerduty.com");
    char name[64] = "";
    if (cfg->name)
        notify_clean(cfg->name, name, sizeof name);
    snprintf(c->st.label, sizeof c->st.label, "%s%s%s (%s)", name, name[0] ? ": " : "",
             alerts_type_name(cfg->type), host);
}

int notify_chan_open(notify_chan_t *c, struct notify *owner, loop_t *loop,
                     const config_channel_t *cfg, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->owner = owner;
    c->loop = loop;
    c->ops = chan_ops_for(cfg->type);
    c->tokens = cfg->rate_limit;
    c->retry_after = -1;
    chan_label(c);
    if (!c->ops) {
        snprintf(err, errlen, "alerts: %s channels are not supported yet",
                 alerts_type_name(cfg->type));
        return -1;
    }
    if (notify_queue_init(&c->q, cfg->queue_size) != 0) {
        snprintf(err, errlen, "alerts: out of memory");
        return -1;
    }
    if (c->ops->open && c->ops->open(c, err, errlen) != 0) {
        notify_queue_free(&c->q);
        return -1;
    }
    return 0;
}

void notify_chan_event(notify_chan_t *c, const notify_event_t *e, double now)
{
    if ((int)e->alert.severity < c->cfg->min_severity)
        return;
    if (e->kind == TRANS_RESOLVED && !c->cfg->send_resolved)
        return;
    if (c->n_group == NOTIFY_GROUP_MAX)
        notify_chan_tick(c, now, true);      /* a full group goes now */
    if (c->n_group == 0)
        c->group_due = now + c->cfg->group_ms / 1000.0;
    c->group[c->n_group++] = *e;
}

void notify_chan_push(notify_chan_t *c, notify_req_t *r)
{
    if (!r) {
        c->st.failed++;
        notify_say(c->owner, NOTICE_WARN, "notify: %s: a message could not be built "
                   "(out of memory)", c->st.label);
        return;
    }
    notify_req_t *old = notify_queue_push(&c->q, r);
    if (c->q.max_depth > c->st.max_depth)
        c->st.max_depth = c->q.max_depth;
    if (!old)
        return;
    notify_req_free(old);
    c->st.dropped++;
    c->drops_unlogged++;
    double now = loop_mono();
    if (now - c->last_drop_log >= DROP_LOG_EVERY_S) {
        notify_say(c->owner, NOTICE_WARN, "notify: %s: queue full (%d): dropped %ld oldest "
                   "message(s) (%ld in all)", c->st.label, c->q.cap, c->drops_unlogged,
                   c->st.dropped);
        c->last_drop_log = now;
        c->drops_unlogged = 0;
    }
}

/* Refill the rate limit's tokens (rate_limit per minute, burst rate_limit). */
static void chan_refill(notify_chan_t *c, double now)
{
    int limit = c->cfg->rate_limit;
    if (limit <= 0)
        return;
    if (c->tokens_t > 0)
        c->tokens += (now - c->tokens_t) * limit / 60.0;
    if (c->tokens > limit)
        c->tokens = limit;
    c->tokens_t = now;
}

/* The group is due: one message, unless the rate limit holds it back. */
static void chan_flush_group(notify_chan_t *c, double now)
{
    int n = c->n_group;
    c->n_group = 0;
    if (n == 0)
        return;
    if (c->cfg->rate_limit > 0) {
        chan_refill(c, now);
        if (c->tokens < 1.0) {
            c->held += n;
            c->st.suppressed += n;
            notify_say(c->owner, NOTICE_LOG, "notify: %s: rate limit (%d/min): %d "
                       "transition(s) suppressed", c->st.label, c->cfg->rate_limit, n);
            return;
        }
        c->tokens -= 1.0;
    }
    c->ops->build(c, c->group, n, c->held, loop_wall());
    c->held = 0;
}

static const char *chan_reason(notify_chan_t *c, char *buf, size_t n)
{
    const char *why = c->ops->explain ? c->ops->explain(c, c->result, c->status) : NULL;
    if (why) {
        snprintf(buf, n, "%s", why);
        return buf;
    }
    if (c->result != CURLE_OK) {
        /* libcurl's text names hosts, never paths or keys; TLS details help. */
        bool tls = c->result == CURLE_PEER_FAILED_VERIFICATION ||
                   c->result == CURLE_SSL_CONNECT_ERROR || c->result == CURLE_SSL_CACERT_BADFILE;
        snprintf(buf, n, "%s%s%s", curl_easy_strerror(c->result), tls && c->errbuf[0] ? ": " : "",
                 tls ? c->errbuf : "");
        if (c->cfg->url && strstr(buf, c->cfg->url))
            snprintf(buf, n, "%s", curl_easy_strerror(c->result));
        return buf;
    }
    snprintf(buf, n, "%s %ld", c->cur->smtp ? "SMTP reply" : "HTTP status", c->status);
    return buf;
}

/* The attempt in flight has ended: done, retry later, or give up. */
static void chan_finish(notify_chan_t *c, double now, bool closing)
{
    notify_req_t *r = c->cur;
    char reason[CURL_ERROR_SIZE + 64];
    c->finished = false;
    r->tries++;
    notify_verdict_t v = notify_verdict(r->smtp, c->result, c->status);
    if (v == NV_OK) {
        c->st.sent++;
        c->cur = NULL;
        notify_req_free(r);
        return;
    }
    chan_reason(c, reason, sizeof reason);
    if (v == NV_RETRY && r->tries < NOTIFY_MAX_TRIES) {
        double delay = notify_backoff_s(r->tries, (double)rand() / ((double)RAND_MAX + 1.0));
        if (c->status == 429 && c->retry_after >= 0)
            delay = c->retry_after;
        r->not_before = now + delay;
        c->st.retried++;
        notify_say(c->owner, NOTICE_LOG, "notify: %s: %s: attempt %d failed (%s); retry in "
                   "%.1f s%s", c->st.label, r->what, r->tries, reason, delay,
                   closing ? " (exiting)" : "");
        return;
    }
    c->st.failed++;
    notify_say(c->owner, NOTICE_WARN, "notify: %s: %s not delivered after %d attempt(s): %s",
               c->st.label, r->what, r->tries, reason);
    c->cur = NULL;
    notify_req_free(r);
}

void notify_chan_tick(notify_chan_t *c, double now, bool flush)
{
    if (c->finished)
        chan_finish(c, now, flush);
    if (c->n_group > 0 && (flush || now >= c->group_due))
        chan_flush_group(c, now);
    if (c->active)
        return;
    if (!c->cur)
        c->cur = notify_queue_pop(&c->q);
    if (!c->cur || now < c->cur->not_before)
        return;
    if (notify_xfer_start(c, c->cur) != 0) {
        c->st.failed++;
        notify_say(c->owner, NOTICE_WARN, "notify: %s: %s not sent: %s", c->st.label,
                   c->cur->what, c->errbuf);
        notify_req_free(c->cur);
        c->cur = NULL;
    }
}

double notify_chan_due(const notify_chan_t *c, double now)
{
    if (c->finished)
        return 0;
    double due = -1;
    if (c->n_group > 0)
        due = fmax(c->group_due - now, 0);
    if (!c->active) {
        double d = -1;
        if (c->cur)
            d = fmax(c->cur->not_before - now, 0);
        else if (c->q.n > 0)
            d = 0;
        if (d >= 0 && (due < 0 || d < due))
            due = d;
    }
    return due;
}

bool notify_chan_busy(const notify_chan_t *c)
{
    return c->n_group > 0 || c->cur || c->q.n > 0 || c->active || c->finished;
}

void notify_chan_close(notify_chan_t *c)
{
    notify_xfer_abort(c);
    long left = c->q.n + (c->cur ? 1 : 0);
    if (c->n_group > 0)
        left++;
    if (left > 0) {
        c->st.dropped += left;
        notify_say(c->owner, NOTICE_WARN, "notify: %s: %ld message(s) not delivered at exit",
                   c->st.label, left);
    }
    notify_req_free(c->cur);
    c->cur = NULL;
    notify_queue_free(&c->q);
    if (c->easy)
        curl_easy_cleanup(c->easy);
    c->easy = NULL;
    if (c->ops && c->ops->close)
        c->ops->close(c);
}
