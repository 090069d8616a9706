/* ui_keys.c — every key binding in one table (keys, name, help text,
 * handler). ui_keys_dispatch() runs them; the help screen is generated from
 * the same table, so what it lists is what the keys do. */
#include "ui_internal.h"

#include <string.h>

#define CTRL(c) ((c) & 0x1f)
#define KEY_ESC 27

static unsigned k_quit(ui_t *ui, int key, double now)
{
    (void)ui, (void)key, (void)now;
    return UI_ACT_QUIT;
}

static unsigned k_help(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    if (ui->view == UI_VIEW_HELP) {
        ui->view = ui->help_return;
    } else {
        ui->help_return = ui->view;
        ui->view = UI_VIEW_HELP;
        ui->help_scroll = 0;
    }
    ui->dirty = UI_DIRTY_ALL;
    return UI_ACT_NONE;
}

static unsigned k_pause(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    ui_set_paused(ui, !ui->paused);
    return UI_ACT_NONE;
}

/* Cycle the window by step among the snapshot's windows. */
static unsigned window_step(ui_t *ui, int step, double now)
{
    int n = ui->shown->n_windows;
    if (!ui->have_shown || n <= 0) {
        ui_notice(ui, now, 3, "no windows before the first poll");
        return UI_ACT_NONE;
    }
    ui->window = ((ui->window + step) % n + n) % n;
    ui->dirty = UI_DIRTY_ALL;
    return UI_ACT_NONE;
}

static unsigned k_window_next(ui_t *ui, int key, double now)
{
    (void)key;
    return window_step(ui, 1, now);
}

static unsigned k_window_prev(ui_t *ui, int key, double now)
{
    (void)key;
    return window_step(ui, -1, now);
}

/* Up/down by delta lines: the help text, the focused alerts list (one line:
 * the alert selection), or the member selection. */
static void step_lines(ui_t *ui, int delta)
{
    if (ui->view == UI_VIEW_HELP) {
        ui->help_scroll += delta;
        ui->dirty |= UI_DIRTY_VIEW;
    } else if (ui->view == UI_VIEW_MAIN && ui->alerts_focus && (delta == 1 || delta == -1)) {
        ui_alerts_move(ui, delta);
    } else if (ui->view == UI_VIEW_MAIN && ui->alerts_focus) {
        ui->alerts_scroll += delta;
        ui->dirty |= UI_DIRTY_ALERTS;
    } else {
        ui_members_move(ui, delta);
    }
}

/* A page: the visible height of what moves. */
static int page(const ui_t *ui)
{
    if (ui->view == UI_VIEW_HELP)
        return ui->rows > 4 ? ui->rows - 4 : 1;
    if (ui->alerts_focus)
        return ui->lay.alerts.h > 3 ? ui->lay.alerts.h - 3 : 1;
    return ui->lay.member_rows > 1 ? ui->lay.member_rows : 1;
}

static unsigned k_down(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    step_lines(ui, 1);
    return UI_ACT_NONE;
}

static unsigned k_up(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    step_lines(ui, -1);
    return UI_ACT_NONE;
}

static unsigned k_page_down(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    step_lines(ui, page(ui));
    return UI_ACT_NONE;
}

static unsigned k_page_up(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    step_lines(ui, -page(ui));
    return UI_ACT_NONE;
}

static unsigned k_home(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    step_lines(ui, -100000);
    return UI_ACT_NONE;
}

static unsigned k_end(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    step_lines(ui, 100000);
    return UI_ACT_NONE;
}

static unsigned k_enter(ui_t *ui, int key, double now)
{
    (void)key;
    if (ui->view == UI_VIEW_DETAIL) {
        ui_graph_open(ui, ui->detail_sel, now);
        return UI_ACT_NONE;
    }
    if (ui->view != UI_VIEW_MAIN || ui->alerts_focus)
        return UI_ACT_NONE;
    if (ui_members_selected(ui) < 0) {
        ui_notice(ui, now, 3, "no member to show yet");
        return UI_ACT_NONE;
    }
    ui->view = UI_VIEW_DETAIL;
    ui->dirty = UI_DIRTY_ALL;
    return UI_ACT_NONE;
}

static unsigned k_back(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    if (ui->view == UI_VIEW_HELP)
        ui->view = ui->help_return;
    else if (ui->view == UI_VIEW_DETAIL)
        ui->view = UI_VIEW_MAIN;
    else if (ui->filter[0] && !ui->alerts_focus)
        return ui_filter_key(ui, KEY_ESC, now);
    else if (ui->esc_leaves && !ui->alerts_focus)
        return UI_ACT_BACK;                  /* the many-clusters overview takes it */
    else
        ui->alerts_focus = false;
    ui->dirty = UI_DIRTY_ALL;
    return UI_ACT_NONE;
}

static unsigned k_sort(ui_t *ui, int key, double now)
{
    (void)now;
    int step = key == 'S' ? UI_SORT_COUNT - 1 : 1;
    ui->sort = (ui->sort + step) % UI_SORT_COUNT;
    ui->dirty |= UI_DIRTY_MEMBERS | UI_DIRTY_FOOTER;
    return UI_ACT_NONE;
}

static unsigned k_theme(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    ui_theme_next(ui);
    return UI_ACT_NONE;
}

static unsigned k_wide(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    ui->wide = !ui->wide;
    ui->dirty |= UI_DIRTY_MEMBERS | UI_DIRTY_FOOTER;
    return UI_ACT_NONE;
}

/* Sideways in the wide members table. */
static unsigned hscroll(ui_t *ui, int delta, double now)
{
    if (ui->view == UI_VIEW_DETAIL) {        /* the details: select a graph */
        ui->detail_sel = (ui->detail_sel + delta + UI_DETAIL_GRAPHS) % UI_DETAIL_GRAPHS;
        ui->dirty |= UI_DIRTY_VIEW;
        return UI_ACT_NONE;
    }
    if (!ui->wide || ui->view != UI_VIEW_MAIN) {
        ui_notice(ui, now, 3, "Left/Right scroll the wide table (v)");
        return UI_ACT_NONE;
    }
    ui->member_hscroll += delta;
    ui->dirty |= UI_DIRTY_MEMBERS;
    return UI_ACT_NONE;
}

static unsigned k_left(ui_t *ui, int key, double now)
{
    (void)key;
    return hscroll(ui, -1, now);
}

static unsigned k_right(ui_t *ui, int key, double now)
{
    (void)key;
    return hscroll(ui, 1, now);
}

static unsigned k_alerts(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    if (ui->view != UI_VIEW_MAIN) {
        ui->view = UI_VIEW_MAIN;
        ui->alerts_focus = true;
    } else {
        ui->alerts_focus = !ui->alerts_focus;
    }
    ui->dirty = UI_DIRTY_ALL;
    return UI_ACT_NONE;
}

/* Silence the selected alert's notifications for an hour, or lift it: a
 * request the monitor hands to alert delivery (ui_take_control). */
static unsigned k_silence(ui_t *ui, int key, double now)
{
    (void)key;
    const alert_t *a = ui_alerts_selected(ui);
    if (ui->view != UI_VIEW_MAIN || !ui->alerts_focus) {
        ui_notice(ui, now, 4, "x silences the selected alert: a focuses the alerts list");
        return UI_ACT_NONE;
    }
    if (!a) {
        ui_notice(ui, now, 3, "no alert to silence");
        return UI_ACT_NONE;
    }
    if (!ui->delivery) {
        ui_notice(ui, now, 5, "nothing to silence: no alert delivery is configured");
        return UI_ACT_NONE;
    }
    memset(&ui->ctl, 0, sizeof ui->ctl);
    ui->ctl.kind = OUTPUT_CTL_SILENCE_TOGGLE;
    ui_copy(ui->ctl.rule, sizeof ui->ctl.rule, a->rule);
    ui_copy(ui->ctl.member, sizeof ui->ctl.member, a->member);
    ui->ctl.seconds = DELIVERY_UI_SILENCE_S;
    ui->has_ctl = true;
    return UI_ACT_CONTROL;
}

static unsigned k_poll(ui_t *ui, int key, double now)
{
    (void)key;
    ui_notice(ui, now, 2, "polling now");
    return UI_ACT_POLL_NOW;
}

static unsigned k_graph(ui_t *ui, int key, double now)
{
    (void)key;
    ui_graph_open(ui, ui->view == UI_VIEW_DETAIL ? ui->detail_sel : 0, now);
    return UI_ACT_NONE;
}

static unsigned k_filter(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    ui_filter_open(ui);
    return UI_ACT_NONE;
}

static unsigned k_export(ui_t *ui, int key, double now)
{
    (void)key;
    ui_export(ui, now);
    return UI_ACT_NONE;
}

static unsigned k_repaint(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    ui->repaint = true;
    return UI_ACT_NONE;
}

static unsigned k_braille(ui_t *ui, int key, double now)
{
    (void)key;
    if (!ui->utf8) {
        ui_notice(ui, now, 3, "Braille needs a UTF-8 locale");
        return UI_ACT_NONE;
    }
    ui->braille = !ui->braille;
    ui->dirty = UI_DIRTY_ALL;
    return UI_ACT_NONE;
}

/* curses saw a resize itself (its own SIGWINCH handler, or the KEY_RESIZE
 * that resizeterm() queues): relayout unless ui_handle_resize() already did. */
static unsigned k_resize(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    if (COLS != ui->cols || LINES != ui->rows) {
        ui_relayout(ui);
        ui->repaint = true;
    }
    return UI_ACT_NONE;
}

static unsigned k_mouse(ui_t *ui, int key, double now)
{
    (void)key, (void)now;
    MEVENT ev;
    while (getmouse(&ev) == OK) {
        if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED))
            ui_click(ui, ev.y, ev.x);
    }
    return UI_ACT_NONE;
}

/* Replay mode: the key asks the replay command (ui_take_replay). */
static unsigned k_replay(ui_t *ui, int key, double now)
{
    (void)now;
    ui->replay_cmd = key == ' ' || key == 'p'   ? UI_REPLAY_PLAY
                     : key == KEY_LEFT          ? UI_REPLAY_BACK
                     : key == KEY_RIGHT         ? UI_REPLAY_FORWARD
                     : key == '['               ? UI_REPLAY_SLOWER
                     : key == ']'               ? UI_REPLAY_FASTER
                     : key == 'g' || key == KEY_HOME ? UI_REPLAY_START
                                                : UI_REPLAY_END;
    return UI_ACT_REPLAY;
}

/* Taken before the main table in replay mode (listed on the help screen). */
static const ui_key_t replay_keys[] = {
    { { ' ', 'p' }, "Space p", "replay: play / pause", k_replay, false },
    { { KEY_LEFT }, "Left", "replay: one poll back", k_replay, false },
    { { KEY_RIGHT }, "Right", "replay: one poll forward", k_replay, false },
    { { '[' }, "[", "replay: slower", k_replay, false },
    { { ']' }, "]", "replay: faster (up to 100x)", k_replay, false },
    { { 'g', KEY_HOME }, "g Home", "replay: to the start", k_replay, false },
    { { 'G', KEY_END }, "G End", "replay: to the end", k_replay, false },
};

const ui_key_t *ui_keys_replay_table(int *n)
{
    *n = (int)(sizeof replay_keys / sizeof replay_keys[0]);
    return replay_keys;
}

static const ui_key_t keys[] = {
    { { '?', KEY_F(1) }, "? F1", "help: this screen (again to close)", k_help, false },
    { { 'q', 'Q' }, "q", "quit", k_quit, false },
    { { 'p', ' ' }, "p Space", "pause / resume the display (polling and CSV continue)", k_pause,
      false },
    { { 'w' }, "w", "next statistics window (1m, 5m, 15m, 1h ...)", k_window_next, false },
    { { 'W' }, "W", "previous statistics window", k_window_prev, false },
    { { KEY_DOWN, 'j' }, "Down j", "next member (alerts focused: next alert, then scroll)",
      k_down, false },
    { { KEY_UP, 'k' }, "Up k", "previous member (alerts focused: previous alert)", k_up,
      false },
    { { KEY_NPAGE }, "PgDn", "a page down", k_page_down, false },
    { { KEY_PPAGE }, "PgUp", "a page up", k_page_up, false },
    { { KEY_HOME, 'g' }, "Home g", "first member / top of the list", k_home, false },
    { { KEY_END, 'G' }, "End G", "last member / end of the list", k_end, false },
    { { '\r', '\n', KEY_ENTER }, "Enter", "details of the selected member; in the details: "
      "full-screen graph of the selected figure (Left/Right select it)", k_enter, false },
    { { 'o' }, "o", "full-screen history graph of the selected member's figure (+/- zoom "
      "1m..24h, Up/Down figure, Tab member, Esc/q back)", k_graph, false },
    { { '/' }, "/", "filter the members table and the alerts list (name, endpoint, status; "
      "Enter keeps, Esc clears)", k_filter, false },
    { { KEY_ESC, KEY_BACKSPACE, 127 }, "Esc", "back (close details, help, alerts focus)", k_back,
      false },
    { { 's' }, "s", "sort members by the next column (S: previous)", k_sort, false },
    { { 'S' }, "S", "sort members by the previous column", k_sort, true },
    { { 't' }, "t", "next colour theme", k_theme, false },
    { { 'v' }, "v", "wide table: every column (scrolls sideways when it does not fit)", k_wide,
      false },
    { { KEY_LEFT, 'h' }, "Left h", "wide table: scroll left (details: previous graph)", k_left,
      false },
    { { KEY_RIGHT, 'l' }, "Right l", "wide table: scroll right (details: next graph)", k_right,
      false },
    { { 'a' }, "a", "focus the alerts list (Up/Down select an alert, its hint below; a or "
      "Esc to leave)", k_alerts, false },
    { { 'x' }, "x", "alerts focused: silence the selected alert's notifications for 1 h "
      "(again: lift)", k_silence, false },
    { { 'r' }, "r", "poll the cluster now", k_poll, false },
    { { 'b' }, "b", "sparklines: blocks / Braille (twice the history)", k_braille, false },
    { { 'E' }, "E", "export the screen (text) and its figures (JSON) to the workspace, or "
      "the replayed session's directory (else the current one)", k_export, false },
    { { CTRL('l') }, "Ctrl-L", "repaint the whole screen", k_repaint, false },
    { { KEY_MOUSE }, "click", "select a member row; click a column name to sort by it",
      k_mouse, false },
    { { KEY_RESIZE }, "", "", k_resize, true },
};

const ui_key_t *ui_keys_table(int *n)
{
    *n = (int)(sizeof keys / sizeof keys[0]);
    return keys;
}

unsigned ui_keys_dispatch(ui_t *ui, int key, double now)
{
    int n;
    const ui_key_t *t;
    if (ui->filter_edit && key != KEY_RESIZE && key != KEY_MOUSE)
        return ui_filter_key(ui, key, now);
    if (ui->view == UI_VIEW_GRAPH && ui_graph_key(ui, key, now))
        return UI_ACT_NONE;
    if (ui->replay[0] && ui->view == UI_VIEW_MAIN) {
        t = ui_keys_replay_table(&n);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 3 && t[i].keys[k]; k++)
                if (t[i].keys[k] == key)
                    return t[i].fn(ui, key, now);
    }
    t = ui_keys_table(&n);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3 && t[i].keys[k]; k++)
            if (t[i].keys[k] == key)
                return t[i].fn(ui, key, now);
    ui_notice(ui, now, 3, "unbound key: ? lists the keys");
    return UI_ACT_NONE;
}
