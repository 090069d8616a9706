/* notify_output.c — alert delivery as an output (output.h): transitions are
 * gathered as they come, completed with the poll's cluster id and member URLs
 * in on_poll, filtered by the silences (--silence, and the dashboard's through
 * on_control), and handed to every channel; tick() moves the channels along on
 * the loop and keeps the live status (delivery.h) current; close() gives the
 * queues a bounded flush. */
#include "notify_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#include "signals.h"

#define STATUS_LOG_EVERY_S 60.0

typedef struct notify {
    const config_t *cfg;
    loop_t         *loop;
    void          (*notice)(void *ctx, notice_kind_t kind, const char *line);
    void           *notice_ctx;
    notify_stats_t *stats;           /* the caller's; filled at close */
    notify_chan_t   ch[ALERTS_MAX_CHANNELS];
    int             n;
    notify_event_t  pending[NOTIFY_GROUP_MAX];   /* this poll's transitions */
    int             n_pending;
    notify_event_t  firing[NOTIFY_GROUP_MAX];    /* this poll's firing alerts */
    delivery_status_t *ds;           /* the live status: the caller's or own */
    delivery_status_t own;
    bool            started;         /* the start lines are logged */
    double          next_status;     /* monotonic */
} notify_t;

void notify_say(notify_t *n, notice_kind_t kind, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n->notice)
        n->notice(n->notice_ctx, kind, line);
}

bool notify_wanted(const config_t *cfg)
{
    for (int i = 0; i < cfg->alerts.n; i++)
        if (cfg->alerts.ch[i].type != CHAN_CONSOLE)
            return true;
    return false;
}

static void *notify_open(const output_env_t *env, void *arg, char *err, size_t errlen)
{
    const config_alerts_t *a = &env->cfg->alerts;
    for (int i = 0; i < a->n_silences; i++)
        if (!rules_hint(a->silences[i].rule)) {
            char shown[64];
            notify_clean(a->silences[i].rule, shown, sizeof shown);
            snprintf(err, errlen, "--silence: unknown rule \"%s\" (see etcd-monitor(1), RULES)",
                     shown);
            return NULL;
        }
    notify_t *n = calloc(1, sizeof *n);
    if (!n) {
        snprintf(err, errlen, "alerts: out of memory");
        return NULL;
    }
    n->cfg = env->cfg;
    n->loop = env->loop;
    n->notice = env->notice;
    n->notice_ctx = env->notice_ctx;
    n->stats = arg;
    n->ds = n->stats && n->stats->live ? n->stats->live : &n->own;
    memset(n->ds, 0, sizeof *n->ds);
    double now = loop_wall();
    for (int i = 0; i < a->n_silences && i < DELIVERY_MAX_SILENCES; i++) {
        delivery_silence_t *s = &n->ds->silences[n->ds->n_silences++];
        snprintf(s->rule, sizeof s->rule, "%s", a->silences[i].rule);
        snprintf(s->member, sizeof s->member, "%s", a->silences[i].member);
        s->until = now + a->silences[i].duration_ms / 1000.0;
    }
    for (int i = 0; i < a->n; i++) {
        if (a->ch[i].type == CHAN_CONSOLE)
            continue;
        notify_chan_t *c = &n->ch[n->n];
        if (notify_chan_open(c, n, n->loop, &a->ch[i], err, errlen) != 0) {
            for (int k = 0; k < n->n; k++)
                notify_chan_close(&n->ch[k]);
            free(n);
            return NULL;
        }
        n->n++;
    }
    n->next_status = loop_mono() + STATUS_LOG_EVERY_S;
    return n;
}

/* The channels and silences, once every output is open (monitoring.log too). */
static void notify_log_start(notify_t *n)
{
    const config_alerts_t *a = &n->cfg->alerts;
    char list[1200] = "";
    size_t used = 0;
    n->started = true;
    for (int k = 0; k < n->n && used < sizeof list; k++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "",
                                 n->ch[k].st.label);
    notify_say(n, NOTICE_LOG, "notify: %d channel(s): %s", n->n, list);
    for (int i = 0; i < a->n_silences; i++)
        notify_say(n, NOTICE_LOG, "notify: %s%s%s silenced for %.0f s", a->silences[i].rule,
                   a->silences[i].member[0] ? "@" : "", a->silences[i].member,
                   a->silences[i].duration_ms / 1000.0);
}

static bool notify_silenced(const notify_t *n, const alert_t *al, double now)
{
    return delivery_silenced_until(n->ds, al->rule, al->member, now) > 0;
}

/* The channels' queues and counters into the live status (gen moves when
 * anything changed, so a dashboard redraws only then). */
static void notify_publish(notify_t *n, bool changed)
{
    delivery_status_t *d = n->ds;
    d->n = n->n < DELIVERY_MAX_CHANNELS ? n->n : DELIVERY_MAX_CHANNELS;
    for (int k = 0; k < d->n; k++) {
        const notify_chan_t *c = &n->ch[k];
        delivery_chan_t now = { .queued = c->q.n + (c->cur ? 1 : 0), .cap = c->q.cap,
                                .sent = c->st.sent, .retried = c->st.retried,
                                .failed = c->st.failed, .dropped = c->st.dropped,
                                .suppressed = c->st.suppressed };
        snprintf(now.label, sizeof now.label, "%s", c->st.label);
        if (memcmp(&now, &d->ch[k], sizeof now) != 0) {
            d->ch[k] = now;
            changed = true;
        }
    }
    if (changed)
        d->gen++;
}

/* Gather FIRING and RESOLVED (of an alert that fired); completed in on_poll. */
static void notify_transition(void *o, const alert_transition_t *tr, const char *line)
{
    notify_t *n = o;
    (void)line;
    if (tr->kind == TRANS_PENDING || n->n_pending == NOTIFY_GROUP_MAX)
        return;
    if (tr->kind == TRANS_RESOLVED && tr->alert.firing_since <= 0)
        return;                               /* pending that never fired */
    notify_event_t *e = &n->pending[n->n_pending++];
    memset(e, 0, sizeof *e);
    e->kind = tr->kind;
    e->t = tr->t;
    e->alert = tr->alert;
    e->hint = rules_hint(tr->alert.rule);
    e->summary = rules_summary(tr->alert.rule);
}

/* The cluster id and the member's URL, from the poll's snapshot. */
static void notify_complete(notify_event_t *e, const cluster_snapshot_t *s)
{
    if (s->cluster_id)
        snprintf(e->cluster_id, sizeof e->cluster_id, "%" PRIx64, s->cluster_id);
    for (int i = 0; e->alert.member[0] && i < s->n_members; i++)
        if (strcmp(s->members[i].name, e->alert.member) == 0)
            snprintf(e->instance, sizeof e->instance, "%s", s->members[i].endpoint);
}

static void notify_poll(void *o, const poll_view_t *pv)
{
    notify_t *n = o;
    double now = loop_mono(), wall = loop_wall();
    long silenced = n->ds->silenced;
    for (int i = 0; i < n->n_pending; i++) {
        notify_event_t *e = &n->pending[i];
        if (notify_silenced(n, &e->alert, wall)) {
            n->ds->silenced++;
            notify_say(n, NOTICE_LOG, "notify: %s %s%s%s silenced", notify_kind_name(e->kind),
                       e->alert.rule, e->alert.member[0] ? "@" : "", e->alert.member);
            continue;
        }
        notify_complete(e, pv->snap);
        for (int k = 0; k < n->n; k++)
            notify_chan_event(&n->ch[k], e, now);
    }
    n->n_pending = 0;
    /* The firing alerts, for the channels that re-send them. */
    notify_event_t *firing = n->firing;
    int nf = 0;
    for (int i = 0; i < pv->n_active && nf < NOTIFY_GROUP_MAX; i++) {
        const alert_t *al = &pv->active[i];
        if (al->state != ALERT_FIRING || notify_silenced(n, al, wall))
            continue;
        notify_event_t *e = &firing[nf++];
        memset(e, 0, sizeof *e);
        e->kind = TRANS_FIRING;
        e->t = al->firing_since;
        e->alert = *al;
        e->hint = rules_hint(al->rule);
        e->summary = rules_summary(al->rule);
        notify_complete(e, pv->snap);
    }
    for (int k = 0; k < n->n; k++)
        if (n->ch[k].ops->firing)
            n->ch[k].ops->firing(&n->ch[k], firing, nf, wall);
    notify_publish(n, silenced != n->ds->silenced);
}

/* A silence toggled from the dashboard: the same table --silence fills. */
static int notify_control(void *o, const output_ctl_t *ctl, char *reply, size_t len)
{
    notify_t *n = o;
    if (ctl->kind != OUTPUT_CTL_SILENCE_TOGGLE)
        return 0;
    if (!rules_hint(ctl->rule)) {
        snprintf(reply, len, "cannot silence: unknown rule");
        return 1;
    }
    int rc = notify_silence_toggle(n->ds, ctl, loop_wall(), reply, len);
    char clean[300];
    notify_clean(reply, clean, sizeof clean);
    notify_say(n, rc > 0 ? NOTICE_LOG : NOTICE_WARN, "notify: %s (from the dashboard)", clean);
    return 1;
}

/* Every minute while something waits: each busy channel's queue in the log. */
static void notify_status(notify_t *n, double now)
{
    if (now < n->next_status)
        return;
    n->next_status = now + STATUS_LOG_EVERY_S;
    for (int k = 0; k < n->n; k++) {
        notify_chan_t *c = &n->ch[k];
        if (c->q.n > 0 || c->cur)
            notify_say(n, NOTICE_LOG, "notify: %s: queue %d/%d, %ld sent, %ld retried, "
                       "%ld failed, %ld dropped", c->st.label, c->q.n + (c->cur ? 1 : 0),
                       c->q.cap, c->st.sent, c->st.retried, c->st.failed, c->st.dropped);
    }
}

static unsigned notify_tick(void *o, double wall)
{
    notify_t *n = o;
    (void)wall;
    double now = loop_mono();
    if (!n->started)
        notify_log_start(n);
    for (int k = 0; k < n->n; k++)
        notify_chan_tick(&n->ch[k], now, false);
    notify_status(n, now);
    notify_publish(n, false);
    return OUTPUT_ACT_NONE;
}

static int notify_next_tick_ms(void *o, double wall)
{
    notify_t *n = o;
    (void)wall;
    double now = loop_mono(), best = -1;
    for (int k = 0; k < n->n; k++) {
        double d = notify_chan_due(&n->ch[k], now);
        if (d >= 0 && (best < 0 || d < best))
            best = d;
    }
    return best < 0 ? -1 : (int)ceil(best * 1000.0);
}

/* The bounded flush: up to NOTIFY_FLUSH_S for what is queued (a second stop
 * signal cuts it short), then whatever is left is counted as dropped. */
static void notify_close(void *o, double t)
{
    notify_t *n = o;
    (void)t;
    double deadline = loop_mono() + NOTIFY_FLUSH_S;
    for (;;) {
        double now = loop_mono();
        bool busy = false;
        for (int k = 0; k < n->n; k++) {
            notify_chan_tick(&n->ch[k], now, true);
            busy |= notify_chan_busy(&n->ch[k]);
        }
        if (!busy || now >= deadline || signals_stop_count() > 1)
            break;
        int ms = notify_next_tick_ms(n, 0);
        int left = (int)ceil((deadline - now) * 1000.0);
        loop_run_once(n->loop, ms < 0 || ms > left ? left : (ms > 100 ? 100 : ms));
    }
    if (n->stats) {
        delivery_status_t *live = n->stats->live;
        memset(n->stats, 0, sizeof *n->stats);
        n->stats->live = live;
    }
    for (int k = 0; k < n->n; k++) {
        notify_chan_t *c = &n->ch[k];
        notify_chan_close(c);
        notify_say(n, NOTICE_LOG, "notify: %s: %ld sent, %ld retried, %ld failed, %ld dropped, "
                   "%ld suppressed, queue at most %d", c->st.label, c->st.sent, c->st.retried,
                   c->st.failed, c->st.dropped, c->st.suppressed, c->st.max_depth);
        if (n->stats)
            n->stats->ch[n->stats->n++] = c->st;
    }
    if (n->stats)
        n->stats->silenced = n->ds->silenced;
    n->ds->n = 0;                             /* nothing is delivered any more */
    n->ds->gen++;
    free(n);
}

const output_ops_t output_notify = {
    .name = "notify",
    .open = notify_open,
    .on_transition = notify_transition,
    .on_poll = notify_poll,
    .tick = notify_tick,
    .next_tick_ms = notify_next_tick_ms,
    .on_control = notify_control,
    .close = notify_close,
};

/* ---- the delivery lines after the session summary ------------------------ */

static void *notify_summary_open(const output_env_t *env, void *arg, char *err, size_t errlen)
{
    (void)env;
    (void)err;
    (void)errlen;
    return arg;
}

static void notify_summary_close(void *o, double t)
{
    const notify_stats_t *s = o;
    (void)t;
    if (s->n == 0)
        return;
    printf("Alert delivery:\n");
    for (int k = 0; k < s->n; k++) {
        const notify_chan_stats_t *c = &s->ch[k];
        printf("  %s: %ld sent, %ld retried, %ld failed, %ld dropped, %ld suppressed\n",
               c->label, c->sent, c->retried, c->failed, c->dropped, c->suppressed);
    }
    if (s->silenced)
        printf("  silenced transitions: %ld\n", s->silenced);
    printf("\n");
    fflush(stdout);
}

const output_ops_t output_notify_summary = {
    .name = "notify-summary",
    .open = notify_summary_open,
    .close = notify_summary_close,
};
