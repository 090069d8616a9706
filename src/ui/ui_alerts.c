/* ui_alerts.c — the alerts panel: firing then pending alerts (severity, rule,
 * member, silenced and for how long, value against threshold, since when),
 * each delivery channel's queue and failures, then the recent event timeline
 * newest first. One scrollable list; `a` gives it the arrow keys, which then
 * select an alert (its troubleshooting hint shows under it; x silences it). */
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

#define HINT_LINES  3               /* the selected alert's hint, wrapped */
#define HINT_INDENT 9

/* What a line of the list shows. */
typedef enum { L_ALERT, L_NONE, L_HINT, L_CHAN, L_SEP, L_EVENT, L_END } line_kind_t;

static int n_alert_lines(const ui_t *ui)
{
    return ui->n_shown_alerts > 0 ? ui->n_shown_alerts : 1;
}

static int n_chans(const ui_t *ui)
{
    return ui->delivery ? ui->delivery->n : 0;
}

/* The k-th line (k < HINT_LINES) of text word-wrapped to w cells into out;
 * false past its end. */
static bool wrap_line(const char *text, int w, int k, char *out, size_t size)
{
    const char *p = text;
    if (w < 10)
        w = 10;
    for (int i = 0;; i++) {
        while (*p == ' ')
            p++;
        if (!*p)
            return false;
        int n = (int)strlen(p);
        if (n > w) {
            n = w;
            while (n > 0 && p[n] != ' ')
                n--;
            if (n == 0)
                n = w;
        }
        if (i == k) {
            bool last = k == HINT_LINES - 1 && p[n];
            snprintf(out, size, "%.*s%s", n, p, last ? " ..." : "");
            return true;
        }
        p += n;
    }
}

/* The inner width of the panel (its lines are wrapped to it). */
static int inner_w(const ui_t *ui)
{
    return ui->lay.alerts.w > 2 ? ui->lay.alerts.w - 2 : 0;
}

/* How many hint lines follow the selected alert (alerts focused only). */
static int n_hint(const ui_t *ui)
{
    const alert_t *a = ui->alerts_focus ? ui_alerts_selected(ui) : NULL;
    const char *h = a ? rules_hint(a->rule) : NULL;
    char tmp[8];
    int n = 0;
    while (h && n < HINT_LINES &&
           wrap_line(h, inner_w(ui) - HINT_INDENT - 1, n, tmp, sizeof tmp))
        n++;
    return n;
}

/* The list, top to bottom: the alerts (the selected one's hint under it), one
 * line per delivery channel, a separator, the events. Line k is of kind
 * (returned) with index *idx in its kind. */
static line_kind_t list_line(const ui_t *ui, int k, int *idx)
{
    int na = n_alert_lines(ui), nh = n_hint(ui), nc = n_chans(ui);
    int sel = ui->alert_sel;
    if (k <= sel || nh == 0) {
        if (k < na) {
            *idx = k;
            return ui->n_shown_alerts > 0 ? L_ALERT : L_NONE;
        }
    } else if (k <= sel + nh) {
        *idx = k - sel - 1;
        return L_HINT;
    } else if (k < na + nh) {
        *idx = k - nh;
        return L_ALERT;
    }
    k -= na + nh;
    if (k < nc) {
        *idx = k;
        return L_CHAN;
    }
    k -= nc;
    *idx = k - 1;
    if (k == 0)
        return L_SEP;
    return k - 1 < ui_events_count(&ui->events, ui->events_shown) ? L_EVENT : L_END;
}

static int list_lines(const ui_t *ui)
{
    return n_alert_lines(ui) + n_hint(ui) + n_chans(ui) + 1 +
           ui_events_count(&ui->events, ui->events_shown);
}

static void draw_alert(const ui_canvas_t *c, int y, const alert_t *a, bool selected)
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
    double d = ui->shown->t > 0 && t0 > 0 ? ui->shown->t - t0 : NAN;
    ui_fmt_dur(ui, age, d < 0 ? 0 : d);

    int x = 1;
    if (selected)
        ui_put_attr(c, y, 0, 1, ui_attr(ui, THEME_TITLE) | A_REVERSE, ">");
    x += ui_put(c, y, x, 5, sev, a->severity == SEV_CRITICAL ? "CRIT " : "WARN ") + 1;
    x += ui_put(c, y, x, 8, firing ? sev : THEME_MUTED, firing ? "firing " : "pending") + 1;
    int n = ui_put(c, y, x, 30, firing ? THEME_NORMAL : THEME_MUTED, a->rule);
    x += (n < 26 ? 26 : n) + 1;
    n = ui_put(c, y, x, 14, THEME_NORMAL, a->member[0] ? a->member : "cluster");
    x += (n < 10 ? 10 : n) + 1;
    /* silenced (its notifications held back): how long still */
    double now = ui->now > 0 ? ui->now : ui->shown->t;
    double until = delivery_silenced_until(ui->delivery, a->rule, a->member, now);
    if (until > 0) {
        char left[FORMAT_BUF];
        x += ui_putf(c, y, x, -1, THEME_INFO, "silenced (%s left)", ui_fmt_dur(ui, left,
                     until - now)) + 1;
    }
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
    char title[160];
    snprintf(title, sizeof title, "Alerts: %d firing, %d pending %s events%s", firing, pending,
             ui_glyph_sep(ui), ui->alerts_focus ? " (Up/Down select, x silence, Esc done)" : "");
    ui_canvas_t in = ui_frame(c, title, ui->alerts_focus);

    int total = list_lines(ui);
    int first = ui->alerts_scroll;
    const alert_t *sel = ui->alerts_focus ? ui_alerts_selected(ui) : NULL;
    for (int y = 0; y < in.r.h && first + y < total; y++) {
        int idx = 0;
        line_kind_t kind = list_line(ui, first + y, &idx);
        if (kind == L_NONE) {
            ui_put(&in, y, 1, -1, ui->have_shown ? THEME_OK : THEME_MUTED,
                   ui->have_shown ? "no active alerts" : "no poll yet");
        } else if (kind == L_ALERT) {
            draw_alert(&in, y, &ui->shown_alerts[idx], sel == &ui->shown_alerts[idx]);
        } else if (kind == L_HINT) {
            char line[400];
            if (sel && wrap_line(rules_hint(sel->rule), in.r.w - HINT_INDENT - 1, idx, line,
                                 sizeof line)) {
                if (idx == 0)
                    ui_put(&in, y, 3, HINT_INDENT - 3, THEME_TITLE, "hint:");
                ui_put(&in, y, HINT_INDENT, -1, THEME_INFO, line);
            }
        } else if (kind == L_CHAN) {
            draw_chan(&in, y, &ui->delivery->ch[idx]);
        } else if (kind == L_SEP) {
            wattrset(in.win, ui_attr(ui, THEME_BORDER));
            mvwhline(in.win, in.r.y + y, in.r.x, ACS_HLINE, in.r.w);
            int ne = ui_events_count(&ui->events, ui->events_shown);
            char t[64];
            snprintf(t, sizeof t, " events (%d) ", ne);
            ui_put(&in, y, 2, -1, THEME_TITLE, t);
        } else {
            const ui_event_t *e = ui_events_get(&ui->events, ui->events_shown, idx);
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

const alert_t *ui_alerts_selected(const ui_t *ui)
{
    if (ui->n_shown_alerts <= 0 || ui->alert_sel < 0 || ui->alert_sel >= ui->n_shown_alerts)
        return NULL;
    return &ui->shown_alerts[ui->alert_sel];
}

void ui_alerts_follow(ui_t *ui)
{
    for (int i = 0; i < ui->n_shown_alerts; i++)
        if (strcmp(ui->shown_alerts[i].rule, ui->sel_rule) == 0 &&
            strcmp(ui->shown_alerts[i].member, ui->sel_member) == 0) {
            ui->alert_sel = i;
            return;
        }
    if (ui->alert_sel >= ui->n_shown_alerts)
        ui->alert_sel = ui->n_shown_alerts - 1;
    if (ui->alert_sel < 0)
        ui->alert_sel = 0;
    const alert_t *a = ui_alerts_selected(ui);
    ui_copy(ui->sel_rule, sizeof ui->sel_rule, a ? a->rule : "");
    ui_copy(ui->sel_member, sizeof ui->sel_member, a ? a->member : "");
}

void ui_alerts_move(ui_t *ui, int delta)
{
    int n = ui->n_shown_alerts;
    int h = ui->lay.alerts.h > 2 ? ui->lay.alerts.h - 2 : 1;
    ui->dirty |= UI_DIRTY_ALERTS;
    /* Past the last alert (or scrolled away from the selection): scroll. */
    if (n == 0 || (delta > 0 && ui->alert_sel >= n - 1) ||
        (delta < 0 && ui->alerts_scroll > ui->alert_sel)) {
        ui->alerts_scroll += delta;
        return;
    }
    ui->alert_sel += delta;
    if (ui->alert_sel < 0)
        ui->alert_sel = 0;
    if (ui->alert_sel >= n)
        ui->alert_sel = n - 1;
    const alert_t *a = ui_alerts_selected(ui);
    ui_copy(ui->sel_rule, sizeof ui->sel_rule, a ? a->rule : "");
    ui_copy(ui->sel_member, sizeof ui->sel_member, a ? a->member : "");
    int last = ui->alert_sel + n_hint(ui);     /* the selection with its hint in view */
    if (ui->alert_sel < ui->alerts_scroll)
        ui->alerts_scroll = ui->alert_sel;
    if (last >= ui->alerts_scroll + h)
        ui->alerts_scroll = last - h + 1;
}
