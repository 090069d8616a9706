/* notify_internal.h — what the parts of the notify layer share: the event a
 * channel formats, the request it queues, the queue, the retry policy, the
 * transfer on the loop, and the channel with its ops. */
#ifndef EM_NOTIFY_INTERNAL_H
#define EM_NOTIFY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <curl/curl.h>
#include "config.h"
#include "loop_xfer.h"
#include "notify.h"
#include "output.h"
#include "rules.h"

#define NOTIFY_GROUP_MAX   64        /* transitions in one message */
#define NOTIFY_MAX_TRIES   6         /* attempts per message */
#define NOTIFY_FLUSH_S     5.0       /* the exit flush */
#define NOTIFY_SUBJECT_MAX 200       /* an email subject, bytes */

/* One transition as delivered (or one firing alert, re-sent). */
typedef struct {
    transition_kind_t kind;          /* TRANS_FIRING or TRANS_RESOLVED */
    double            t;             /* wall time of the transition */
    alert_t           alert;
    char              instance[256]; /* the member's client URL; "" cluster-wide */
    char              cluster_id[24];/* hex; "" unknown */
    const char       *hint;          /* static troubleshooting text, or NULL */
    const char       *summary;       /* static rule description, or NULL */
} notify_event_t;

/* One message to send: an HTTP POST or one SMTP mail. Owned by its queue,
 * then by the channel while in flight. */
typedef struct notify_req {
    char   *url;                     /* owned */
    char   *body;                    /* owned, NUL-terminated */
    size_t  len;
    struct curl_slist *headers;      /* owned (HTTP) */
    struct curl_slist *rcpt;         /* owned (SMTP) */
    bool    smtp;
    int     tries;                   /* attempts made */
    double  not_before;              /* monotonic; retry time */
    char    what[96];                /* for logs: "FIRING MemberUnreachable@m2 (+1)" */
} notify_req_t;

/* notify_req.c: body is taken (freed with the request); NULL on no memory. */
notify_req_t *notify_req_new(const char *url, char *body);
void notify_req_free(notify_req_t *r);
/* Add "Name: value": the value is cleaned of CR, LF and controls and capped. */
int  notify_req_header(notify_req_t *r, const char *name, const char *value) WARN_UNUSED_RESULT;
/* "FIRING Rule@member (+N)" for logs. */
void notify_req_describe(notify_req_t *r, const notify_event_t *ev, int n);

/* notify_queue.c: a bounded FIFO; on overflow the oldest goes. */
typedef struct {
    notify_req_t **slot;
    int            cap, head, n;
    int            max_depth;
} notify_queue_t;
int  notify_queue_init(notify_queue_t *q, int cap) WARN_UNUSED_RESULT;
void notify_queue_free(notify_queue_t *q);
/* Append r; returns the oldest request dropped to make room (caller frees), or NULL. */
notify_req_t *notify_queue_push(notify_queue_t *q, notify_req_t *r);
notify_req_t *notify_queue_pop(notify_queue_t *q);

/* notify_retry.c: what a finished attempt means (pure). */
typedef enum { NV_OK, NV_RETRY, NV_FAIL } notify_verdict_t;
notify_verdict_t notify_verdict(bool smtp, CURLcode rc, long status);
/* Delay before attempt tries+1 (tries >= 1): 1 s doubling to 60 s, times a
 * jitter factor 0.5 + u (u in [0, 1)). */
double notify_backoff_s(int tries, double u);
/* A Retry-After value (seconds, or an HTTP date) as seconds from now_wall,
 * capped to 1 h; -1 when absent or malformed. */
double notify_retry_after_s(const char *value, double now_wall);

/* notify_format.c: text pieces every channel uses (pure). */
void notify_fmt_time(double wall, char *out, size_t n);          /* RFC 3339, ms, UTC */
void notify_fmt_value(const alert_t *a, double v, char *out, size_t n);  /* "12.3 ms" */
const char *notify_kind_name(transition_kind_t k);               /* FIRING / RESOLVED */
const char *notify_sev_name(severity_t s);                       /* critical / warning */
/* "MemberUnreachable on m2: value 1, threshold 0" */
void notify_fmt_title(const notify_event_t *e, char *out, size_t n);
/* Several lines: value, threshold, since, cluster, description, hint (LF-separated). */
void notify_fmt_details(const notify_event_t *e, char *out, size_t n);
/* Copy s without CR, LF, other controls, capped to n - 1 bytes (on a UTF-8 boundary). */
void notify_clean(const char *s, char *out, size_t n);
/* "etcd-monitor/<cluster>/<rule>/<member>": stable per alert and member. */
void notify_dedup_key(const notify_event_t *e, char *out, size_t n);

struct notify;
struct notify_chan;

/* What a channel type does; build() queues the requests of one message. */
typedef struct {
    const char *type;
    /* Read key files, check settings; -1 with err. */
    int  (*open)(struct notify_chan *c, char *err, size_t errlen);
    /* Queue the request(s) of one message: n events, suppressed = transitions
     * held back by the rate limit since the last message. */
    void (*build)(struct notify_chan *c, const notify_event_t *ev, int n, long suppressed,
                  double now_wall);
    /* Optional: the firing alerts, every poll (Alertmanager re-sends them). */
    void (*firing)(struct notify_chan *c, const notify_event_t *ev, int n, double now_wall);
    /* Optional: protocol options of a request's easy handle (SMTP). */
    void (*setup)(struct notify_chan *c, CURL *easy, const notify_req_t *r);
    /* Optional: a failure in the operator's words (e.g. no STARTTLS offered). */
    const char *(*explain)(struct notify_chan *c, CURLcode rc, long status);
    void (*close)(struct notify_chan *c);
} chan_ops_t;

extern const chan_ops_t chan_webhook_ops, chan_slack_ops, chan_pagerduty_ops,
                        chan_alertmanager_ops, chan_email_ops;

/* One channel: its group, rate limit, queue and the transfer in flight. */
typedef struct notify_chan {
    loop_xfer_t             lx;      /* the loop calls back through this (keep first) */
    const config_channel_t *cfg;
    const chan_ops_t       *ops;
    struct notify          *owner;
    loop_t                 *loop;
    notify_chan_stats_t     st;      /* label and counters */
    notify_event_t          group[NOTIFY_GROUP_MAX];
    int                     n_group;
    double                  group_due;     /* monotonic, when n_group > 0 */
    double                  tokens;        /* rate limit: messages left */
    double                  tokens_t;      /* monotonic, last refill */
    long                    held;          /* suppressed since the last message */
    notify_queue_t          q;
    notify_req_t           *cur;     /* in flight or waiting for its retry */
    CURL                   *easy;    /* owned; reused */
    bool                    active;  /* cur's transfer is on the loop */
    bool                    finished;/* it ended; not yet handled */
    CURLcode                result;
    long                    status;
    double                  retry_after;   /* seconds, -1 none */
    size_t                  up_off;  /* SMTP upload position */
    char                    errbuf[CURL_ERROR_SIZE];
    double                  last_drop_log; /* monotonic */
    long                    drops_unlogged;
    void                   *priv;    /* the type's own state (owned through ops->close) */
} notify_chan_t;

/* notify_channel.c */
int  notify_chan_open(notify_chan_t *c, struct notify *owner, loop_t *loop,
                      const config_channel_t *cfg, char *err, size_t errlen) WARN_UNUSED_RESULT;
/* A transition for this channel (filters: severity, send_resolved). */
void notify_chan_event(notify_chan_t *c, const notify_event_t *e, double now);
/* Queue a built request (drops the oldest on overflow, counted and logged). */
void notify_chan_push(notify_chan_t *c, notify_req_t *r);
/* Move the channel along: group due, next request, retries. flush: groups now. */
void notify_chan_tick(notify_chan_t *c, double now, bool flush);
/* Seconds until the channel next needs a tick (0 = now), or -1. */
double notify_chan_due(const notify_chan_t *c, double now);
/* Anything queued, waiting or in flight. */
bool notify_chan_busy(const notify_chan_t *c);
/* Stop: abort the transfer, count what is left as dropped, free. */
void notify_chan_close(notify_chan_t *c);

/* notify_xfer.c: start r on the channel's easy handle; -1 when it cannot. */
int  notify_xfer_start(notify_chan_t *c, notify_req_t *r) WARN_UNUSED_RESULT;
void notify_xfer_abort(notify_chan_t *c);

/* notify_silence.c: a dashboard's OUTPUT_CTL_SILENCE_TOGGLE on d at wall time
 * now: lifts every silence covering ctl's alert, else adds one for
 * ctl->seconds. 1 done, -1 when the table is full; reply says which. */
int  notify_silence_toggle(delivery_status_t *d, const output_ctl_t *ctl, double now,
                           char *reply, size_t n);

/* notify_output.c: a notice from the layer (monitoring.log; stderr for WARN). */
void notify_say(struct notify *n, notice_kind_t kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
