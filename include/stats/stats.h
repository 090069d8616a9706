/* stats.h — the statistics engine: keeps every member's recent scrapes in a
 * fixed ring and, each poll, fills the snapshot's window figures (PromQL-exact),
 * lags, trends and cluster health (leader changes as events, time without a
 * leader, split view). Also keeps short histories of headline figures for the
 * dashboard's sparklines. Pure: no I/O. */
#ifndef EM_STATS_H
#define EM_STATS_H

#include <stdint.h>
#include "cluster.h"
#include "history.h"
#include "window.h"
#include "util.h"

typedef struct stats stats_t;

/* windows: durations in ms (at most FIG_MAX_WINDOWS); interval_ms sizes the rings. */
stats_t *stats_new(int n_windows, const int64_t *window_ms, int interval_ms) WARN_UNUSED_RESULT;
void stats_free(stats_t *st);
/* Memory held by every member's history ring and the values stored there. */
void stats_ring_usage(const stats_t *st, ring_usage_t *u);
/* Take one completed poll: update the rings and fill snap's figures and health. */
void stats_update(stats_t *st, cluster_snapshot_t *snap);
/* Copy up to max values of a member's figure history (oldest first); NAN = gap.
 * Returns the count. member is the member's name in the snapshot. */
int stats_history(const stats_t *st, const char *member, history_fig_t fig, double *out, int max);
/* Every member's histories, as const data updated by each stats_update(). */
const history_set_t *stats_histories(const stats_t *st);
/* Fragmentation trend report of the seed (every 10 samples): fills out with one
 * line and returns 1 when this poll is a report poll, else 0. */
int stats_trend_report(const stats_t *st, const cluster_snapshot_t *snap, char *out, size_t cap);

#endif
