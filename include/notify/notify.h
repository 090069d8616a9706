/* notify.h — alert delivery: one output (output.h) that sends the rule
 * engine's FIRING and RESOLVED transitions to the channels of the
 * configuration (config_alerts.h: webhook, Slack, PagerDuty, Alertmanager,
 * email) on the loop's shared libcurl multi handle, never on the poll path.
 * Each channel has a bounded queue, retries with backoff, a group window and a
 * rate limit; at exit the queues get a bounded flush.
 *
 * output_notify         arg: a notify_stats_t the output fills at close (and
 *                       its live status while it runs, when live is set)
 * output_notify_summary arg: the same notify_stats_t; prints the delivery
 *                       lines after the session summary (open it after
 *                       output_summary) */
#ifndef EM_NOTIFY_H
#define EM_NOTIFY_H

#include <stdbool.h>
#include "config.h"
#include "delivery.h"
#include "output.h"

/* What one channel did in the session. */
typedef struct {
    char label[160];               /* "slack (hooks.slack.com)": never a secret */
    long sent;                     /* messages delivered */
    long retried;                  /* attempts that were retried */
    long failed;                   /* messages given up */
    long dropped;                  /* dropped from a full queue or at exit */
    long suppressed;               /* transitions held back by the rate limit */
    int  max_depth;                /* deepest the queue got */
} notify_chan_stats_t;

typedef struct {
    int                 n;
    notify_chan_stats_t ch[ALERTS_MAX_CHANNELS];
    long                silenced;  /* transitions stopped by a silence */
    delivery_status_t  *live;      /* the caller's, or NULL: kept current while the
                                      output runs (queues, counters, silences) */
} notify_stats_t;

/* Whether the configuration has a channel that sends anything. */
bool notify_wanted(const config_t *cfg);

extern const output_ops_t output_notify;
extern const output_ops_t output_notify_summary;

#endif
