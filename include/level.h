/* level.h — the seed's status rules: HEALTHY / WARNING / ALERT for one poll,
 * with the alert names that caused it (pure). */
#ifndef EM_LEVEL_H
#define EM_LEVEL_H

#include "cluster.h"
#include "config.h"

typedef struct {
    double wal_ms;           /* WAL fsync p99 above this: ALERT */
    double backend_ms;       /* backend commit p99 above this: ALERT */
    double fragmentation;    /* percent above this: WARNING ... */
    double fragmentation_min_db_mb; /* ... on a member whose db is at least this big */
    double leader_changes;   /* changes in one interval above this: WARNING */
} level_thresholds_t;

/* The seed's three levels: critical 20/50/60, warning 10/25/30, info 5/15/20.
 * Fragmentation only counts on a db of 100 MB or more, as in etcd's own mixin:
 * a few free pages in a tiny db are not worth an operator's attention. */
#define LEVEL_FRAGMENTATION_MIN_DB_MB 100.0
level_thresholds_t level_thresholds(alert_level_t level);
/* Set s->status and s->alerts from the snapshot's figures. */
void level_evaluate(cluster_snapshot_t *s, const level_thresholds_t *lt,
                    const thresholds_t *th);

#endif
