/* ui_alerts.c — the alerts panel: firing then pending alerts (severity, rule,
 * member, value against threshold, since when), each delivery channel's queue
 * and failures, then the recent event timeline newest first. One scrollable
 * list; `a` gives it the arrow keys. */
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>

/* A value with its unit, through the formatter that suits the unit. */
static void fmt_value(const ui_t *ui, double v, const char *unit, char *out, size_t size)
{
    char b[FORMAT_BUF];
    if (!isfinite(v))
        format_unknown(out, size, ui->fmt);
    else if (strcmp(unit, "ms") == 0)
        snprintf(out, size, "%s", ui_fmt_ms(ui, b, v));
    else if (strcmp(unit, "%") == 0)
        snprintf(out, size, "%s", ui_fmt_pct(ui, b, v, true));
    else if (strcmp(unit, "/s") == 0)
        snprintf(out, size, "%s", ui_fmt_rate(ui, b, v));
    else if (strcmp(unit, "s") == 0)
        snprintf(out, size, "%s", ui_fmt_dur(ui, b, v));
    else if (strcmp(unit, "B") == 0 || strcmp(unit, "bytes") == 0)
        snprintf(out, size, "%s", ui_fmt_bytes(ui, b, v, true));
    else
        snprintf(out, size, "%g%s%s", v, unit[0] ? " " : "", unit);
}

/* Where an event line goes in colour, by what it says. */
static theme_role_t event_role(const char *line)
{
    if (strncmp(line, "alert ", 6) == 0)
        return strncmp(line + 6, "firing", 6) == 0     ? THEME_WARNING
               : strncmp(line + 6, "resolved", 8) == 0 ? THEME_OK
                                                       : THEME_MUTED;
    if (strstr(line, "alarm") || strstr(line, "ALARM") || strstr(line, "no leader"))
        return THEME_CRITICAL;
    if (strstr(line, " down") || strstr(line, "unreachable") || strstr(line, "lost"))
        return THEME_DOWN;
    if (strstr(line, "leader"))
        return THEME_WARNING;
    if (strstr(line, " up") || strstr(line, "back") || strstr(line, "resolved"))
        return THEME_OK;
    return THEME_NORMAL;
}

static int n_chans(const ui_t *ui)
{
    return ui->delivery ? ui->delivery->n : 0;
}

/* Lines of the list: the alerts, one line per delivery channel, a separator,
 * the events. */
static int list_lines(const ui_t *ui)
{
    int a = ui->n_shown_alerts > 0 ? ui->n_shown_alerts : 1;
    return a + n_chans(ui) + 1 + ui_events_count(&ui->events, ui->events_shown);
}

static void draw_alert(const ui_canvas_t *c, int y, const alert_t *a)
{
    const ui_t *ui = c->ui;
    bool firing = a->state == ALERT_FIRING;
    theme_role_t sev = !firing ? THEME_INFO : a->severity == SEV_CRITICAL ? THEME_CRITICAL
                                                                          : THEME_WARNING;
    char val[FORMAT_BUF + 8], thr[FORMAT_BUF + 8], since[FORMAT_BUF], age[FORMAT_BUF];
    fmt_value(ui, a->value, a->unit, val, sizeof val);
    fmt_value(ui, a->threshold, a->unit, thr, sizeof thr);
    double t0 = firing ? a->firing_since : a->active_since;
    ui_fmt_clock(since, t0);
    double d = ui->shown.t > 0 && t0 > 0 ? ui->shown.t - t0 : NAN;
    ui_fmt_dur(ui, age, d < 0 ? 0 : d);

    int x = 1;
    x += ui_put(c, y, x, 5, sev, a->severity == SEV_CRITICAL ? "CRIT " : "WARN ") + 1;
    x += ui_put(c, y, x, 8, firing ? sev : THEME_MUTED, firing ? "firing " : "pending") + 1;
    int n = ui_put(c, y, x, 30, firing ? THEME_NORMAL : THEME_MUTED, a->rule);
    x += (n < 26 ? 26 : n) + 1;
    n = ui_put(c, y, x, 14, THEME_NORMAL, a->member[0] ? a->member : "cluster");
    x += (n < 10 ? 10 : n) + 1;
    char vt[128];
    snprintf(vt, sizeof vt, "%s (limit %s)", val, thr);
    n = ui_put(c, y, x, 30, sev, vt);
    x += (n < 24 ? 24 : n) + 1;
    ui_putf(c, y, x, -1, THEME_MUTED, "%s %s (%s)", firing ? "since" : "pending since", since,
            age);
}

/* One channel's delivery state: queue, sent, retries, failures, drops. */
static void draw_chan(const ui_canvas_t *c, int y, const delivery_chan_t *ch)
{
    theme_role_t role = ch->failed || ch->dropped ? THEME_WARNING
                        : ch->queued             ? THEME_INFO
                                                 : THEME_MUTED;
    char line[400];
    snprintf(line, sizeof line, "delivery %s: queue %d/%d, %ld sent, %ld retried, %ld failed, "
             "%ld dropped%s", ch->label, ch->queued, ch->cap, ch->sent, ch->retried, ch->failed,
             ch->dropped, ch->suppressed ? ", some suppressed (rate limit)" : "");
    ui_put(c, y, 1, -1, role, line);
}

static void alerts_draw(const ui_canvas_t *c)
{
    const ui_t *ui = c->ui;
    ui_fill(c, THEME_NORMAL);
    int firing = 0, pending = 0;
    for (int i = 0; i < ui->n_shown_alerts; i++) {
        if (ui->shown_alerts[i].state == ALERT_FIRING)
            firing++;
        else
            pending++;
    }
    char title[128];
    snprintf(title, sizeof title, "Alerts: %d firing, %d pending %s events%s", firing, pending,
             ui_glyph_sep(ui), ui->alerts_focus ? " (Up/Down scroll, Esc done)" : "");
    ui_canvas_t in = ui_frame(c, title, ui->alerts_focus);

    int total = list_lines(ui);
    int first = ui->alerts_scroll;
    int n_alerts = ui->n_shown_alerts > 0 ? ui->n_shown_alerts : 1;
    int nc = n_chans(ui);
    for (int y = 0; y < in.r.h && first + y < total; y++) {
        int k = first + y;
        if (k >= n_alerts && k < n_alerts + nc) {
            draw_chan(&in, y, &ui->delivery->ch[k - n_alerts]);
            continue;
        }
        if (k >= n_alerts)
            k -= nc;
        if (k < n_alerts) {
            if (ui->n_shown_alerts == 0)
                ui_put(&in, y, 1, -1, ui->have_shown ? THEME_OK : THEME_MUTED,
                       ui->have_shown ? "no active alerts" : "no poll yet");
            else
                draw_alert(&in, y, &ui->shown_alerts[k]);
        } else if (k == n_alerts) {
            wattrset(in.win, ui_attr(ui, THEME_BORDER));
            mvwhline(in.win, in.r.y + y, in.r.x, ACS_HLINE, in.r.w);
            int ne = ui_events_count(&ui->events, ui->events_shown);
            char t[64];
            snprintf(t, sizeof t, " events (%d) ", ne);
            ui_put(&in, y, 2, -1, THEME_TITLE, t);
        } else {
            const ui_event_t *e = ui_events_get(&ui->events, ui->events_shown, k - n_alerts - 1);
            if (!e)
                break;
            char clock[FORMAT_BUF];
            ui_put(&in, y, 1, 8, THEME_MUTED, ui_fmt_clock(clock, e->t));
            ui_put(&in, y, 11, -1, event_role(e->line), e->line);
        }
    }
    if (total > first + in.r.h)
        ui_put_right(c, c->r.h - 1, 1, c->r.w - 3, THEME_MUTED, ui->utf8 ? " more \u25bc " : " more v ");
    if (first > 0)
        ui_put_right(c, 0, 1, c->r.w - 3, THEME_MUTED, ui->utf8 ? " \u25b2 " : " ^ ");
}

static void alerts_click(ui_t *ui, rect_t r, int row, int col)
{
    (void)r;
    (void)row;
    (void)col;
    ui->alerts_focus = true;
    ui->dirty |= UI_DIRTY_ALERTS | UI_DIRTY_MEMBERS | UI_DIRTY_FOOTER;
}

const ui_panel_t ui_panel_alerts = {
    .name = "alerts",
    .dirty = UI_DIRTY_ALERTS,
    .rect_offset = offsetof(layout_t, alerts),
    .draw = alerts_draw,
    .click = alerts_click,
};

int ui_alerts_max_scroll(const ui_t *ui, int h)
{
    int inner = h - 2 > 0 ? h - 2 : 0;
    int m = list_lines(ui) - inner;
    return m > 0 ? m : 0;
}
