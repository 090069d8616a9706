/* ui_filter.c — the `/` filter of the members table and the alerts list: a
 * prompt in the footer takes the text (Enter keeps it, Esc clears it); rows
 * whose name, endpoint or status (alerts: rule, member, state, severity) do
 * not contain it, ignoring case, are hidden, and the footer says how many. */
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>
#include "filter.h"

bool ui_filter_member(const ui_t *ui, const member_view_t *m)
{
    if (!ui->filter[0])
        return true;
    char status[160];
    theme_role_t role;
    ui_member_status(ui, m, status, sizeof status, &role);
    const char *f[] = { m->name, m->endpoint, status };
    return filter_match(ui->filter, f, 3);
}

static bool alert_passes(const ui_t *ui, const alert_t *a)
{
    const char *f[] = { a->rule, a->member, a->state == ALERT_FIRING ? "firing" : "pending",
                        a->severity == SEV_CRITICAL ? "critical" : "warning" };
    return filter_match(ui->filter, f, 4);
}

void ui_filter_alerts(ui_t *ui, const alert_t *alerts, int n)
{
    if (alerts != ui->shown_all)
        memmove(ui->shown_all, alerts, (size_t)n * sizeof *alerts);
    ui->n_shown_all = n;
    ui->n_shown_alerts = 0;
    for (int i = 0; i < n; i++)
        if (alert_passes(ui, &ui->shown_all[i]))
            ui->shown_alerts[ui->n_shown_alerts++] = ui->shown_all[i];
}

/* The filter changed: the rows shown again, the selection kept when it can be. */
static void filter_changed(ui_t *ui)
{
    ui_filter_alerts(ui, ui->shown_all, ui->n_shown_all);
    ui_alerts_follow(ui);
    ui->member_scroll = 0;
    ui->alerts_scroll = 0;
    ui->dirty = UI_DIRTY_ALL;
}

void ui_filter_open(ui_t *ui)
{
    ui->filter_edit = true;
    if (ui->view != UI_VIEW_MAIN)
        ui->view = UI_VIEW_MAIN;
    ui->dirty = UI_DIRTY_ALL;
}

unsigned ui_filter_key(ui_t *ui, int key, double now)
{
    (void)now;
    size_t len = strlen(ui->filter);
    if (key == 27) {                       /* Esc: no filter */
        ui->filter[0] = '\0';
        ui->filter_edit = false;
    } else if (key == '\r' || key == '\n' || key == KEY_ENTER) {
        ui->filter_edit = false;
    } else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        if (len > 0)
            ui->filter[len - 1] = '\0';
    } else if (key >= 32 && key < 127 && len + 1 < sizeof ui->filter) {
        ui->filter[len] = (char)key;
        ui->filter[len + 1] = '\0';
    } else {
        return UI_ACT_NONE;
    }
    filter_changed(ui);
    return UI_ACT_NONE;
}
