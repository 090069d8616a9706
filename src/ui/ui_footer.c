/* ui_footer.c — the status line: the main keys with the state they control
 * (window, sort, theme) and, on the right, the current notice (theme fallback,
 * "polling now"). */
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>

/* One "key label" hint, whole or not at all; returns the new x (past the
 * edge once one did not fit, so that the later ones are left out too). */
static int hint(const ui_canvas_t *c, int x, const char *key, const char *label)
{
    if (x + ui_cells(key) + 1 + ui_cells(label) > c->r.w)
        return c->r.w + 1;
    x += ui_put(c, 0, x, -1, THEME_KEY, key);
    x += ui_put(c, 0, x, -1, THEME_FOOTER, " ");
    x += ui_put(c, 0, x, -1, THEME_FOOTER, label);
    x += ui_put(c, 0, x, -1, THEME_FOOTER, "  ");
    return x;
}

/* The / filter: its prompt while it is typed, else what it hides (first, so
 * that it is never left out); returns the x after it. */
static int filter_draw(const ui_canvas_t *c, int x)
{
    const ui_t *ui = c->ui;
    if (ui->filter_edit) {
        x += ui_put(c, 0, x, -1, THEME_KEY, "/");
        x += ui_put(c, 0, x, -1, THEME_FOOTER, ui->filter);
        x += ui_put(c, 0, x, -1, THEME_KEY, "_");
        return x + ui_put(c, 0, x, -1, THEME_FOOTER, "  filter: Enter keeps, Esc clears  ");
    }
    if (!ui->filter[0])
        return x;
    int order[CLUSTER_MAX_MEMBERS];
    int shown = ui_members_order(ui, order);
    int hidden_m = (ui->have_shown ? ui->shown->n_members : 0) - shown;
    int hidden_a = ui->n_shown_all - ui->n_shown_alerts;
    char b[160];
    snprintf(b, sizeof b, "filter \"%s\": %d member%s, %d alert%s hidden", ui->filter, hidden_m,
             hidden_m == 1 ? "" : "s", hidden_a, hidden_a == 1 ? "" : "s");
    x += ui_put(c, 0, x, -1, THEME_WARNING, b);
    return x + ui_put(c, 0, x, -1, THEME_FOOTER, "  ");
}

static void footer_draw(const ui_canvas_t *c)
{
    const ui_t *ui = c->ui;
    ui_fill(c, THEME_FOOTER);
    char win[16], sort[48], theme[96];
    ui_window_label(ui_window_ms(ui), win, sizeof win);
    snprintf(sort, sizeof sort, "sort:%s", ui_sort_name(ui->sort));
    snprintf(theme, sizeof theme, "theme:%s", ui->theme_name);

    /* the notice is drawn first on the right; the hints stop before it, but
       the ones that show state (up to the theme) keep their room */
    int room = c->r.w;
    if (ui->notice[0]) {
        int n = ui_cells(ui->notice);
        int max = c->r.w - 64 > 20 ? c->r.w - 64 : 20;
        if (n > max)
            n = max;
        room = c->r.w - n - 3;
        ui_put(c, 0, room + 2, n, THEME_WARNING, ui->notice);
    }
    ui_canvas_t h = ui_sub(c, 0, 0, 1, room);
    int x = 1;
    if (ui->view == UI_VIEW_HELP) {
        x = hint(&h, x, "Esc", "back");
        x = hint(&h, x, "Up/Down", "scroll");
        hint(&h, x, "q", "quit");
        return;
    }
    if (ui->view == UI_VIEW_DETAIL) {
        x = hint(&h, x, "Esc", "back");
        x = hint(&h, x, "Up/Down", "member");
        x = hint(&h, x, "Left/Right", "graph");
        x = hint(&h, x, "Enter", "full screen");
        x = hint(&h, x, "w", win);
        x = hint(&h, x, "p", ui->paused ? "resume" : "pause");
        x = hint(&h, x, "?", "help");
        x = hint(&h, x, "t", theme);
        hint(&h, x, "q", "quit");
        return;
    }
    x = filter_draw(&h, x);
    if (ui->filter_edit)
        return;
    x = hint(&h, x, "?", "help");
    x = hint(&h, x, "q", "quit");
    x = hint(&h, x, "p", ui->paused ? "resume" : "pause");
    x = hint(&h, x, "w", win);
    x = hint(&h, x, "s", sort);
    x = hint(&h, x, "t", theme);
    x = hint(&h, x, "Enter", "detail");
    x = hint(&h, x, "a", ui->alerts_focus ? "members" : "alerts");
    x = hint(&h, x, "v", ui->wide ? "narrow" : "wide");
    hint(&h, x, "r", "poll now");
}

const ui_panel_t ui_panel_footer = {
    .name = "footer",
    .dirty = UI_DIRTY_FOOTER,
    .rect_offset = offsetof(layout_t, footer),
    .draw = footer_draw,
    .click = NULL,
};
