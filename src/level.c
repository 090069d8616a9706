/* level.c — the seed's HEALTHY / WARNING / ALERT rules for one poll. */
#include "level.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

level_thresholds_t level_thresholds(alert_level_t level)
{
    level_thresholds_t t = { .wal_ms = 10, .backend_ms = 25, .fragmentation = 30,
                             .fragmentation_min_db_mb = LEVEL_FRAGMENTATION_MIN_DB_MB,
                             .leader_changes = 2 };
    if (level == LEVEL_CRITICAL) {
        t.wal_ms = 20;
        t.backend_ms = 50;
        t.fragmentation = 60;
    } else if (level == LEVEL_INFO) {
        t.wal_ms = 5;
        t.backend_ms = 15;
        t.fragmentation = 20;
    }
    return t;
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
    for (int i = 0; i < s->n_members; i++) {
        const member_interval_t *iv = &s->members[i].iv;
        if (s->members[i].sample.up && iv->fragmentation_pct.ok && iv->db_size.ok &&
            iv->fragmentation_pct.v > lt->fragmentation &&
            iv->db_size.v >= lt->fragmentation_min_db_mb * 1048576.0) {
            level_raise(s, STATUS_WARNING, "HIGH_FRAGMENTATION");
            break;
        }
    }
    if (s->leader_changes.ok && s->leader_changes.v > lt->leader_changes)
        level_raise(s, STATUS_WARNING, "LEADER_INSTABILITY");
    if (th && s->db_size_mb.ok && s->db_size_mb.v > th->max_database_size_mb)
        level_raise(s, STATUS_WARNING, "DB_SIZE_HIGH");
}
