/* ui_internal.h — what the dashboard's files share: the ui state, the panel
 * and key classes, the drawing helpers. Only src/ui*.c include this (it pulls
 * in curses); everything else sees include/ui.h.
 *
 * Shape (htop/tmux style):
 *   ui.c          lifecycle, input dispatch, resize, render loop, crash restore
 *   ui_keys.c     the key table (key, name, help, handler): the one place keys live
 *   ui_draw.c     shared drawing helpers (clipped text, frames, sparklines, colours)
 *   ui_events.c   the ring of recent event lines shown in the alerts panel
 *   ui_<panel>.c  one const ui_panel_t each, drawing from the ui's values
 *
 * Panels never change the state they draw; key handlers change state and mark
 * what must be redrawn (UI_DIRTY_*); ui_render() redraws only dirty panels and
 * lets curses send only the cells that changed. */
#ifndef EM_UI_INTERNAL_H
#define EM_UI_INTERNAL_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cluster.h"
#include "format.h"
#include "layout.h"
#include "rules.h"
#include "sparkline.h"
#include "history.h"
#include "spans.h"
#include "theme.h"
#include "ui.h"

/* ---- display thresholds (colouring only; the alert rules decide alerts) ----
 * The seed's warning / critical levels where it has them, else etcd's guidance. */
typedef struct {
    double warn, crit;       /* NAN disables; warn > crit means lower is worse */
} ui_thr_t;

/* Brace initialisers (for const tables) and values (for expressions). */
#define UI_THR_INIT_NONE        { NAN, NAN }
#define UI_THR_INIT_WAL_MS      { 10.0, 20.0 }     /* WAL fsync p99 */
#define UI_THR_INIT_BACKEND_MS  { 25.0, 50.0 }     /* backend commit p99 */
#define UI_THR_INIT_PEER_MS     { 50.0, 150.0 }    /* peer round trip p99 */
#define UI_THR_INIT_PROBE_MS    { 100.0, 500.0 }   /* read / write probe */
#define UI_THR_INIT_FRAG_PCT    { 30.0, 60.0 }     /* fragmentation */
#define UI_THR_INIT_QUOTA_PCT   { 80.0, 95.0 }     /* db size / quota */
#define UI_THR_INIT_APPLY_LAG   { 100.0, 5000.0 }  /* entries committed, not applied */
#define UI_THR_INIT_LEADER_CHG  { 1.0, 3.0 }       /* leader changes in the window */
#define UI_THR_INIT_PENDING     { 100.0, 1000.0 }  /* proposals pending */
#define UI_THR_INIT_FAILED_RATE { 0.01, 1.0 }      /* failed proposals per second */
#define UI_THR_INIT_SLOW        { 1.0, 10.0 }      /* slow applies in the window */
#define UI_THR_INIT_QUOTA_ETA_S { 7 * 86400.0, 86400.0 } /* time to quota: lower is worse */
#define UI_THR_INIT_DISK_FREE   { 20.0, 10.0 }     /* host disk free %: lower is worse */

#define UI_THR_NONE        ((ui_thr_t)UI_THR_INIT_NONE)
#define UI_THR_WAL_MS      ((ui_thr_t)UI_THR_INIT_WAL_MS)
#define UI_THR_BACKEND_MS  ((ui_thr_t)UI_THR_INIT_BACKEND_MS)
#define UI_THR_PEER_MS     ((ui_thr_t)UI_THR_INIT_PEER_MS)
#define UI_THR_PROBE_MS    ((ui_thr_t)UI_THR_INIT_PROBE_MS)
#define UI_THR_FRAG_PCT    ((ui_thr_t)UI_THR_INIT_FRAG_PCT)
#define UI_THR_QUOTA_PCT   ((ui_thr_t)UI_THR_INIT_QUOTA_PCT)
#define UI_THR_APPLY_LAG   ((ui_thr_t)UI_THR_INIT_APPLY_LAG)
#define UI_THR_LEADER_CHG  ((ui_thr_t)UI_THR_INIT_LEADER_CHG)
#define UI_THR_PENDING     ((ui_thr_t)UI_THR_INIT_PENDING)
#define UI_THR_FAILED_RATE ((ui_thr_t)UI_THR_INIT_FAILED_RATE)
#define UI_THR_SLOW        ((ui_thr_t)UI_THR_INIT_SLOW)
#define UI_THR_QUOTA_ETA_S ((ui_thr_t)UI_THR_INIT_QUOTA_ETA_S)
#define UI_THR_DISK_FREE   ((ui_thr_t)UI_THR_INIT_DISK_FREE)

/* ---- state ---- */

typedef enum { UI_VIEW_MAIN = 0, UI_VIEW_DETAIL, UI_VIEW_HELP, UI_VIEW_GRAPH } ui_view_t;

/* What must be redrawn (bits). */
enum {
    UI_DIRTY_HEADER   = 1u << 0,
    UI_DIRTY_MEMBERS  = 1u << 1,
    UI_DIRTY_LATENCY  = 1u << 2,
    UI_DIRTY_DATABASE = 1u << 3,
    UI_DIRTY_RAFT     = 1u << 4,
    UI_DIRTY_ALERTS   = 1u << 5,
    UI_DIRTY_FOOTER   = 1u << 6,
    UI_DIRTY_VIEW     = 1u << 7,    /* the detail / help / too-small screens */
    UI_DIRTY_PANELS   = UI_DIRTY_LATENCY | UI_DIRTY_DATABASE | UI_DIRTY_RAFT,
    UI_DIRTY_ALL      = 0xFFu
};

/* The ring of recent snapshot event lines, with their poll times. */
#define UI_EVENTS_MAX 200
typedef struct {
    double t;
    char   line[CLUSTER_EVENT_LEN];
} ui_event_t;

typedef struct {
    ui_event_t e[UI_EVENTS_MAX];
    long       total;               /* lines ever pushed; the newest is total - 1 */
} ui_events_t;

/* Sort orders of the members table (ui_members.c owns the table). */
#define UI_SORT_COUNT 11

struct ui {
    ui_config_t  cfg;
    char         theme_arg[256];    /* cfg.theme copied */
    SCREEN      *screen;
    WINDOW      *input;             /* a 1x1 pad: wgetch on it never repaints */
    bool         utf8;              /* nl_langinfo(CODESET) is UTF-8 */
    unsigned     fmt;               /* FORMAT_UTF8 or 0 */
    bool         braille;           /* sparklines in Braille (two points a cell) */
    bool         mouse;

    /* theme */
    int          theme_idx;         /* into the built-in names, or -1: the custom file */
    bool         has_custom;
    theme_t      custom;
    char         custom_name[64];
    char         theme_name[64];    /* shown in the footer */
    bool         colors;            /* start_color() worked and NO_COLOR is unset */
    bool         default_colors;    /* use_default_colors() worked: -1 is allowed */
    attr_t       attr[THEME_ROLE_COUNT];
    short        pair[THEME_ROLE_COUNT];

    /* data: latest is what the loop gave, shown is what is on screen (they
     * differ only while paused); both calloc'd at open, copied with
     * cluster_snapshot_copy() (only the members used) */
    cluster_snapshot_t *latest, *shown;
    bool         have_latest, have_shown;
    alert_t      latest_alerts[RULES_MAX_ALERTS], shown_alerts[RULES_MAX_ALERTS];
    int          n_latest_alerts, n_shown_alerts;
    const history_set_t *hist;  /* the stats engine's histories (const data) */
    alert_t      shown_all[RULES_MAX_ALERTS];   /* shown_alerts before the / filter */
    int          n_shown_all;
    spans_t      spans;             /* when alerts fired, for the graph's shading */
    ui_events_t  events;
    long         events_shown;      /* lines pushed before this are on screen */
    const delivery_status_t *delivery;  /* alert delivery's live status, NULL = none */
    unsigned long delivery_gen;     /* its gen as last drawn */

    /* view state */
    ui_view_t    view, help_return;
    bool         paused, wide, alerts_focus;
    bool         esc_leaves;        /* ui_set_esc_leaves() */
    char         cluster_name[64];  /* ui_set_cluster_name(): "" with one cluster */
    int          window;            /* index into shown.window_ms */
    int          sort;              /* 0..UI_SORT_COUNT-1 */
    char         selected[64];      /* member name; "" = the first row */
    int          member_scroll;     /* first member row shown */
    int          member_hscroll;    /* wide table: columns scrolled behind the name */
    int          alerts_scroll;     /* first alerts-panel line shown */
    int          alert_sel;         /* selected alert (alerts focused), index in shown_alerts */
    char         sel_rule[48], sel_member[64];  /* ... which it follows across polls */
    bool         has_ctl;           /* ctl waits for ui_take_control() */
    output_ctl_t ctl;
    int          help_scroll;
    char         replay[96];        /* replay mode's header label, "" when live */
    ui_replay_cmd_t replay_cmd;     /* waits for ui_take_replay() */
    char         export_dir[1024];  /* cfg.export_dir copied; "" = the current directory */
    /* the history graph (ui_graph.c) and the / filter (ui_filter.c) */
    ui_view_t    graph_return;      /* the view Esc goes back to */
    int          graph_fig;         /* index into ui_graph_figs() */
    int          graph_zoom;        /* index into the zoom spans (1m .. 24h) */
    int          detail_sel;        /* the detail view's selected graph (Enter opens it) */
    char         filter[64];        /* "" = none */
    bool         filter_edit;       /* the prompt takes the keys */

    /* geometry and redraw */
    int          cols, rows;
    layout_t     lay;
    unsigned     dirty;
    bool         repaint;           /* next render clears the terminal (resize, ^L) */
    long         clock_shown;       /* the header's age, in whole seconds, as drawn */
    char         notice[160];       /* footer message (theme fallback, "polling...") */
    bool         notice_sticky;     /* stays until replaced */
    double       notice_until;
    double       now;               /* the last render time */
};

/* ---- panels: const class tables ---- */

typedef struct {
    WINDOW     *win;
    rect_t      r;                  /* where on win; drawing is clipped to it */
    const ui_t *ui;
} ui_canvas_t;

typedef struct {
    const char *name;
    unsigned    dirty;              /* the UI_DIRTY_* bit that asks for a redraw */
    size_t      rect_offset;        /* offsetof(layout_t, <rect>) */
    void      (*draw)(const ui_canvas_t *c);
    /* A click at (row, col) inside the panel's rectangle; NULL = ignored. */
    void      (*click)(ui_t *ui, rect_t r, int row, int col);
} ui_panel_t;

extern const ui_panel_t ui_panel_header, ui_panel_members, ui_panel_latency,
    ui_panel_database, ui_panel_raft, ui_panel_alerts, ui_panel_footer;

/* How far the alerts list can scroll in a panel h rows high (frame included). */
int ui_alerts_max_scroll(const ui_t *ui, int h);
/* The selected alert (alerts focused or not), NULL when there is none. */
const alert_t *ui_alerts_selected(const ui_t *ui);
/* Move the alert selection by delta (clamped), the list following it. */
void ui_alerts_move(ui_t *ui, int delta);
/* ui_export.c: E writes the screen (text) and its figures (JSON) into
 * export_dir, else the current directory; the footer says where. */
void ui_export(ui_t *ui, double now);
/* Find the selected alert again after new data (by rule and member). */
void ui_alerts_follow(ui_t *ui);

/* Seconds since the shown poll completed at now (NAN before the first poll or
 * when now is not on the snapshot's clock). */
double ui_data_age(const ui_t *ui, double now);

/* Full-screen views (whole terminal, no layout_t). */
void ui_detail_draw(const ui_canvas_t *c);
void ui_graph_draw(const ui_canvas_t *c);
void ui_help_draw(const ui_canvas_t *c);
/* The help screen's lines (for scrolling bounds). */
int ui_help_lines(const ui_t *ui);

/* ---- keys: one table (ui_keys.c) ---- */

typedef unsigned (*ui_key_fn)(ui_t *ui, int key, double now);

typedef struct {
    int         keys[3];            /* curses key codes; 0 ends the list */
    const char *name;               /* as shown on the help screen: "w", "Enter" */
    const char *help;               /* one line */
    ui_key_fn   fn;
    bool        hidden;             /* not listed (resize, mouse plumbing) */
} ui_key_t;

const ui_key_t *ui_keys_table(int *n);
/* The replay mode's keys (taken first when ui->replay is set). */
const ui_key_t *ui_keys_replay_table(int *n);
/* Run the binding of key; returns UI_ACT_* bits. */
unsigned ui_keys_dispatch(ui_t *ui, int key, double now);

/* ---- lifecycle helpers shared with the key handlers (ui.c) ---- */

void ui_relayout(ui_t *ui);
void ui_theme_apply(ui_t *ui);      /* builds colour pairs for ui->theme_idx */
void ui_theme_next(ui_t *ui);
void ui_set_paused(ui_t *ui, bool paused);
/* A click at screen (y, x): handed to the panel under it. */
void ui_click(ui_t *ui, int y, int x);
void ui_notice(ui_t *ui, double now, double seconds, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- members (ui_members.c) ---- */

/* The shown members in table order; returns the count. */
int ui_members_order(const ui_t *ui, int *order);
/* Index in shown.members of the selected member, -1 when there is none. */
int ui_members_selected(const ui_t *ui);
/* Move the selection by delta rows in table order (clamped). */
void ui_members_move(ui_t *ui, int delta);
/* Scroll the table so that the selected row is visible (before drawing). */
void ui_members_follow(ui_t *ui);
const char *ui_sort_name(int sort);
/* "★ leader" / "follower" / "learner" with its role colour. */
const char *ui_member_role(const ui_t *ui, const member_view_t *m, theme_role_t *role);
/* "up", or why it is down or degraded (the sample's error text). */
void ui_member_status(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                      theme_role_t *role);
/* The member's figures over the selected window. */
const window_figures_t *ui_member_window(const ui_t *ui, const member_view_t *m);

/* ---- history graphs (ui_graph.c) ---- */

/* How a figure's values are written. */
typedef enum { UI_GFMT_MS, UI_GFMT_BYTES, UI_GFMT_PCT, UI_GFMT_RATE, UI_GFMT_COUNT } ui_gfmt_t;

#define UI_GFIG_RULES 4
/* A figure that can be graphed: its history, format, display thresholds and
 * the alert rules about it (NULL-terminated; the first one's warning and
 * critical thresholds are drawn, times thr_scale into the figure's unit; the
 * spans of all of them are shaded). */
typedef struct {
    const char   *title;
    history_fig_t hist;
    ui_gfmt_t     fmt;
    ui_thr_t      thr;
    bool          floor_zero;
    const char   *rules[UI_GFIG_RULES];
    double        thr_scale;
} ui_gfig_t;

/* The graphable figures; the detail view shows the first UI_DETAIL_GRAPHS. */
#define UI_DETAIL_GRAPHS 8
const ui_gfig_t *ui_graph_figs(int *n);
const char *ui_gfmt(const ui_t *ui, ui_gfmt_t f, double v, char *out);
/* Open the graph of figure fig of the selected member (from the current view). */
void ui_graph_open(ui_t *ui, int fig, double now);
/* The graph view's own keys (+ - Up Down Tab Esc q); true when key was one. */
bool ui_graph_key(ui_t *ui, int key, double now);

/* ---- the / filter (ui_filter.c) ---- */

/* Whether the member / alert passes the filter. */
bool ui_filter_member(const ui_t *ui, const member_view_t *m);
/* Copy alerts[0..n) to shown_all and the ones that pass to shown_alerts. */
void ui_filter_alerts(ui_t *ui, const alert_t *alerts, int n);
/* Keys while the prompt is open (all of them); returns UI_ACT_* bits. */
unsigned ui_filter_key(ui_t *ui, int key, double now);
/* Open the prompt. */
void ui_filter_open(ui_t *ui);

/* ---- events ring (ui_events.c) ---- */

void ui_events_push(ui_events_t *ev, double t, const char *line);
/* The k-th newest line (0 = newest) among the first `upto` lines pushed;
 * NULL past the end. */
const ui_event_t *ui_events_get(const ui_events_t *ev, long upto, int k);
int ui_events_count(const ui_events_t *ev, long upto);

/* ---- drawing helpers (ui_draw.c) ---- */

attr_t ui_attr(const ui_t *ui, theme_role_t role);
void ui_fill(const ui_canvas_t *c, theme_role_t role);
/* Text at (y, x) relative to the canvas, at most maxw cells (-1 = to the
 * edge), clipped to the canvas; control bytes and invalid UTF-8 show as '?'.
 * Returns the cells written. */
int ui_put(const ui_canvas_t *c, int y, int x, int maxw, theme_role_t role, const char *s);
/* The same with curses attributes of the caller's choosing (badges). */
int ui_put_attr(const ui_canvas_t *c, int y, int x, int maxw, attr_t attr, const char *s);
int ui_putf(const ui_canvas_t *c, int y, int x, int maxw, theme_role_t role, const char *fmt,
            ...) __attribute__((format(printf, 6, 7)));
/* Right-aligned in the w cells starting at x. */
int ui_put_right(const ui_canvas_t *c, int y, int x, int w, theme_role_t role, const char *s);
/* Copy a string, truncating (no format warnings for plain copies). */
void ui_copy(char *out, size_t size, const char *s);
/* Terminal cells of s as ui_put draws it. */
int ui_cells(const char *s);
/* A frame around the canvas with a title; returns the inner canvas. */
ui_canvas_t ui_frame(const ui_canvas_t *c, const char *title, bool focused);
ui_canvas_t ui_sub(const ui_canvas_t *c, int y, int x, int h, int w);
/* A one-row sparkline of values[0..n) squeezed into w cells (max per cell,
 * so a spike is never lost), coloured by thr. */
void ui_spark(const ui_canvas_t *c, int y, int x, int w, const double *values, int n,
              ui_thr_t thr, bool floor_zero);
/* A graph h rows high of values over w cells (detail view). */
void ui_graph(const ui_canvas_t *c, int y, int x, int h, int w, const double *values, int n,
              ui_thr_t thr, bool floor_zero);
/* The role for a value against thresholds (NAN: muted, else ok/warn/crit or normal). */
theme_role_t ui_role_for(double v, ui_thr_t thr, theme_role_t ok_role);
/* "1m", "5m", "1h30m" for a window length. */
void ui_window_label(int64_t ms, char *out, size_t size);
/* The selected window's length and label ("" / 0 before the first poll). */
int64_t ui_window_ms(const ui_t *ui);
/* A member's history for fig over the selected window (oldest first); count. */
int ui_history(const ui_t *ui, int member, history_fig_t fig, double *out, int max);
/* Number formatting with the ui's flags; each returns out. */
const char *ui_fmt_ms(const ui_t *ui, char *out, double ms);
const char *ui_fmt_bytes(const ui_t *ui, char *out, double v, bool ok);
const char *ui_fmt_pct(const ui_t *ui, char *out, double v, bool ok);
const char *ui_fmt_rate(const ui_t *ui, char *out, double v);
const char *ui_fmt_count(const ui_t *ui, char *out, double v, bool ok);
const char *ui_fmt_dur(const ui_t *ui, char *out, double s);
/* "14:05:09" (UTC, as in the logs) for an epoch time. */
const char *ui_fmt_clock(char *out, double t);
/* Glyphs that depend on the locale. */
const char *ui_glyph_star(const ui_t *ui);   /* ★ or * */
const char *ui_glyph_sep(const ui_t *ui);    /* · or | */
const char *ui_glyph_down(const ui_t *ui);   /* ▼ or v */
const char *ui_glyph_up(const ui_t *ui);     /* ▲ or ^ */

/* A figure row of the database and raft panels: label, value, sparkline of
 * the member's history over the window. Panels are const tables of these. */
typedef void (*ui_value_fn)(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                            theme_role_t *role);
typedef struct {
    const char *label;
    ui_value_fn value;
    int         hist;               /* history_fig_t, -1 = no sparkline */
    ui_thr_t    thr;                /* sparkline colours */
    bool        floor_zero;         /* sparkline scale starts at 0 */
} ui_fig_row_t;

/* Rows top to bottom while they fit; sparklines aligned after the values. */
void ui_fig_rows_draw(const ui_canvas_t *c, const ui_fig_row_t *rows, int n, int member);
/* A panel frame titled "<what> · <member> · <window>"; returns the inside. */
ui_canvas_t ui_member_frame(const ui_canvas_t *c, const char *what, int member);

#endif
