/* history.h — short histories of each member's headline figures, for the
 * dashboard's sparklines and graphs: plain const data that the stats engine
 * fills each poll and every reader copies from (pure, no allocation). */
#ifndef EM_HISTORY_H
#define EM_HISTORY_H

#include <stdbool.h>
#include "cluster.h"

/* Figures kept per poll for sparklines (oldest first). */
typedef enum {
    HIST_WAL_P99, HIST_BACKEND_P99, HIST_PEER_RTT_P99, HIST_READ_MS, HIST_WRITE_MS,
    HIST_DB_SIZE, HIST_DB_IN_USE, HIST_FRAGMENTATION, HIST_PROPOSALS_COMMITTED_RATE,
    HIST_PROPOSALS_FAILED_RATE, HIST_PROPOSALS_PENDING, HIST_LEADER_CHANGES,
    HIST_SLOW_APPLIES, HIST_RSS, HIST_COUNT
} history_fig_t;

#define STATS_HISTORY 512          /* polls kept per figure for sparklines */

/* One member's ring of figures; NAN = a gap (member down, figure unknown). */
typedef struct {
    char   name[64];
    bool   used;
    int    head, n;
    double v[HIST_COUNT][STATS_HISTORY];
} member_history_t;

typedef struct {
    member_history_t m[CLUSTER_MAX_MEMBERS];
} history_set_t;

/* Copy up to max values of a member's figure (oldest first) into out; the count. */
int history_copy(const history_set_t *h, const char *member, history_fig_t fig, double *out,
                 int max);

#endif
