/* session.c — session counters, the closing summary and the exit status. */
#include "session.h"

#include <string.h>
#include "csvrow.h"

void session_init(session_t *s, double start_wall)
{
    memset(s, 0, sizeof(*s));
    s->start_wall = start_wall;
    s->final_status = STATUS_HEALTHY;
}

void session_record(session_t *s, const cluster_snapshot_t *snap)
{
    s->iterations++;
    s->final_status = snap->status;
    snprintf(s->final_alerts, sizeof(s->final_alerts), "%s", snap->alerts);
    if (!snap->alerts[0])
        return;
    s->alert_polls++;
    char ts[40];
    csvrow_timestamp(snap->t, ts, sizeof(ts));
    int slot = (int)((s->alert_polls - 1) % SESSION_RECENT);
    snprintf(s->recent[slot], sizeof(s->recent[slot]), "%s: %s - %s", ts,
             cluster_status_name(snap->status), snap->alerts);
    if (s->n_recent < SESSION_RECENT)
        s->n_recent++;
}

void session_summary(const session_t *s, const workspace_t *w, double end_wall, FILE *out)
{
    double secs = end_wall - s->start_wall;
    if (secs < 0)
        secs = 0;
    fprintf(out, "\n===============================================\n"
                 "MONITORING SESSION COMPLETE\n"
                 "===============================================\n\n");
    fprintf(out, "Session Summary:\n");
    fprintf(out, "  Duration: %ld minutes (%.0f s)\n", (long)(secs / 60), secs);
    fprintf(out, "  Iterations: %ld\n", s->iterations);
    fprintf(out, "  Total alerts: %ld\n", s->alert_polls);
    fprintf(out, "  Final status: %s%s%s\n\n", cluster_status_name(s->final_status),
            s->final_alerts[0] ? " - " : "", s->final_alerts);
    fprintf(out, "Generated files:\n");
    fprintf(out, "  Metrics log: %s\n", w->path[WS_METRICS]);
    fprintf(out, "  Members log: %s\n", w->path[WS_MEMBERS]);
    fprintf(out, "  Alerts log: %s\n", w->path[WS_ALERTS]);
    fprintf(out, "  Session log: %s\n\n", w->path[WS_LOG]);
    if (s->n_recent > 0) {
        fprintf(out, "Recent alerts:\n");
        long first = s->alert_polls - s->n_recent;
        for (long i = first; i < s->alert_polls; i++)
            fprintf(out, "  %s\n", s->recent[i % SESSION_RECENT]);
        fprintf(out, "\n");
    }
    fprintf(out, "To analyze historical data:\n");
    fprintf(out, "  sort %s | head -20\n", w->path[WS_METRICS]);
    fprintf(out, "  grep ALERT %s\n", w->path[WS_ALERTS]);
}

int session_exit_code(const session_t *s)
{
    return (int)s->final_status;
}
