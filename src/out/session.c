/* session.c — session counters, the closing summary and the exit status.
 * Alert lines, alert names and the trend line may carry member names from the
 * network: they are kept cleaned (text.h), as they are printed to stdout. */
#include "session.h"

#include <string.h>
#include "text.h"

void session_init(session_t *s, double start_wall)
{
    memset(s, 0, sizeof(*s));
    s->start_wall = start_wall;
    s->final_status = STATUS_HEALTHY;
}

void session_record(session_t *s, const cluster_snapshot_t *snap)
{
    s->final_status = snap->status;
    text_clean(s->final_alerts, sizeof(s->final_alerts), snap->alerts);
    s->recent_alerts[s->iterations % 10] = snap->alerts[0] != '\0';
    s->iterations++;
    if (snap->alerts[0])
        s->alert_polls++;
}

void session_alert_line(session_t *s, const char *line, bool fired)
{
    size_t len = strcspn(line, "\n");
    text_clean_n(s->recent[s->n_lines % SESSION_RECENT], sizeof(s->recent[0]), line, len);
    s->n_lines++;
    if (fired)
        s->alerts_fired++;
}

void session_trend(session_t *s, const char *line)
{
    text_clean(s->trend, sizeof(s->trend), line);
}

int session_alert_frequency(const session_t *s)
{
    int n = 0;
    for (int i = 0; i < 10; i++)
        n += s->recent_alerts[i];
    return n;
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
    fprintf(out, "  Total alerts: %ld (polls with alerts firing: %ld)\n", s->alerts_fired,
            s->alert_polls);
    fprintf(out, "  Final status: %s%s%s\n\n", cluster_status_name(s->final_status),
            s->final_alerts[0] ? " - " : "", s->final_alerts);
    if (s->trend[0])
        fprintf(out, "Trend analysis:\n  %s\n\n", s->trend);
    static const char *const label[WS_FILES] = { "Metrics log", "Members log", "Alerts log",
                                                 "Session log" };
    fprintf(out, "Generated files:\n");
    for (int i = 0; i < WS_FILES; i++) {
        char why[200];
        if (workspace_missing_text(w, i, why, sizeof(why)))
            fprintf(out, "  %s: %s (INCOMPLETE: %s)\n", label[i], w->path[i], why);
        else
            fprintf(out, "  %s: %s\n", label[i], w->path[i]);
    }
    fprintf(out, "\n");
    if (s->n_lines > 0) {
        fprintf(out, "Recent alerts:\n");
        long first = s->n_lines > SESSION_RECENT ? s->n_lines - SESSION_RECENT : 0;
        for (long i = first; i < s->n_lines; i++)
            fprintf(out, "  %s\n", s->recent[i % SESSION_RECENT]);
        fprintf(out, "\n");
    }
    fprintf(out, "To analyze historical data:\n");
    fprintf(out, "  sort %s | head -20\n", w->path[WS_METRICS]);
    fprintf(out, "  grep FIRING %s\n", w->path[WS_ALERTS]);
}

int session_exit_code(const session_t *s)
{
    return (int)s->final_status;
}
