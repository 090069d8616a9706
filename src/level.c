/* level.c — the seed's HEALTHY / WARNING / ALERT rules for one poll. */
#include "level.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

level_thresholds_t level_thresholds(alert_level_t level)
{
    switch (level) {
    case LEVEL_CRITICAL: return (level_thresholds_t){ 20, 50, 60, 2 };
    case LEVEL_INFO:     return (level_thresholds_t){ 5, 15, 20, 2 };
    default:             return (level_thresholds_t){ 10, 25, 30, 2 };
    }
}

/* Raise the status to at least lvl and append the alert's name. */
static void level_raise(cluster_snapshot_t *s, health_status_t lvl, const char *name)
{
    if (lvl > s->status)
        s->status = lvl;
    size_t used = strlen(s->alerts);
    if (used + strlen(name) + 2 < sizeof(s->alerts))
        snprintf(s->alerts + used, sizeof(s->alerts) - used, "%s%s", used ? " " : "", name);
}

void level_evaluate(cluster_snapshot_t *s, const level_thresholds_t *lt,
                    const thresholds_t *th)
{
    s->status = STATUS_HEALTHY;
    s->alerts[0] = '\0';

    if (s->n_members > 0 && s->members_up == 0) {
        level_raise(s, STATUS_ALERT, "CLUSTER_UNREACHABLE");
        return;
    }
    if (s->voters > 0 && s->voters_up < s->voters / 2 + 1)
        level_raise(s, STATUS_ALERT, "QUORUM_LOST");
    if (s->members_up > 0 && s->leader_id == 0)
        level_raise(s, STATUS_ALERT, "NO_LEADER");
    for (int i = 0; i < s->n_alarms; i++) {
        char name[40];
        snprintf(name, sizeof(name), "ALARM_%s", s->alarms[i].alarm);
        if (!strstr(s->alerts, name))
            level_raise(s, STATUS_ALERT, name);
    }
    if (!isnan(s->wal_p99_ms) && s->wal_p99_ms > lt->wal_ms)
        level_raise(s, STATUS_ALERT, "WAL_FSYNC_SLOW");
    if (!isnan(s->backend_p99_ms) && s->backend_p99_ms > lt->backend_ms)
        level_raise(s, STATUS_ALERT, "BACKEND_COMMIT_SLOW");
    if (s->members_up < s->members_total)
        level_raise(s, STATUS_WARNING, "MEMBER_DOWN");
    if (s->fragmentation_pct.ok && s->fragmentation_pct.v > lt->fragmentation)
        level_raise(s, STATUS_WARNING, "HIGH_FRAGMENTATION");
    if (s->leader_changes.ok && s->leader_changes.v > lt->leader_changes)
        level_raise(s, STATUS_WARNING, "LEADER_INSTABILITY");
    if (th && s->db_size_mb.ok && s->db_size_mb.v > th->max_database_size_mb)
        level_raise(s, STATUS_WARNING, "DB_SIZE_HIGH");
}
