/* ui_events.c — the dashboard's own ring of recent event lines (leader
 * changes, members down and up, alarms) with the time of the poll that saw
 * them, so the alerts panel can show a timeline longer than one poll. */
#include "ui_internal.h"

#include <stdio.h>

void ui_events_push(ui_events_t *ev, double t, const char *line)
{
    ui_event_t *e = &ev->e[ev->total % UI_EVENTS_MAX];
    e->t = t;
    snprintf(e->line, sizeof e->line, "%s", line ? line : "");
    ev->total++;
}

/* Lines still in the ring among the first upto pushed. */
int ui_events_count(const ui_events_t *ev, long upto)
{
    if (upto > ev->total)
        upto = ev->total;
    long oldest = ev->total > UI_EVENTS_MAX ? ev->total - UI_EVENTS_MAX : 0;
    return upto > oldest ? (int)(upto - oldest) : 0;
}

const ui_event_t *ui_events_get(const ui_events_t *ev, long upto, int k)
{
    if (k < 0 || k >= ui_events_count(ev, upto))
        return NULL;
    if (upto > ev->total)
        upto = ev->total;
    return &ev->e[(upto - 1 - k) % UI_EVENTS_MAX];
}
