/* ui.h — the interactive ncurses dashboard (one output among others).
 *
 * Reads only: the const snapshot of the latest poll, the active alerts and the
 * histories (const data the stats engine fills). Never includes curl, never touches files
 * (but the two the export key E writes, ui_export.c), never
 * blocks: the event loop owns the waiting (it polls ui_input_fd() together with
 * the network) and calls in here. Signals are turned into calls by the loop. */
#ifndef EM_UI_H
#define EM_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cluster.h"
#include "rules.h"
#include "history.h"
#include "output.h"
#include "util.h"

/* What the loop should do after input (bitmask). */
enum {
    UI_ACT_NONE     = 0,
    UI_ACT_QUIT     = 1 << 0,   /* q */
    UI_ACT_POLL_NOW = 1 << 1,   /* r: poll at once */
    UI_ACT_CONTROL  = 1 << 2,   /* a request for the other outputs: ui_take_control() */
    UI_ACT_REPLAY   = 1 << 3,   /* a replay key: ui_take_replay() */
    UI_ACT_BACK     = 1 << 4,   /* Esc on the main view, with ui_set_esc_leaves() */
};

/* The replay keys' requests (ui_take_replay). */
typedef enum {
    UI_REPLAY_NONE, UI_REPLAY_PLAY, UI_REPLAY_BACK, UI_REPLAY_FORWARD, UI_REPLAY_SLOWER,
    UI_REPLAY_FASTER, UI_REPLAY_START, UI_REPLAY_END
} ui_replay_cmd_t;

typedef struct {
    const char *theme;          /* name of a built-in theme or a path; NULL = default */
    bool        no_color;       /* NO_COLOR is set */
    int         interval_ms;
    double      duration_s;     /* 0 = until stopped */
    bool        insecure;       /* TLS verification was turned off: shown in the header */
    const char *export_dir;     /* where E writes its two files (copied); NULL = "." */
    const rules_t *rules;       /* the run's alert rules, for the graphs' threshold lines
                                   (borrowed, outlives the ui); NULL = the thresholds of
                                   the alerts seen */
} ui_config_t;

typedef struct ui ui_t;

/* Start curses on the terminal (stdin/stdout). NULL with a one-line err. */
ui_t *ui_open(const ui_config_t *cfg, char *err, size_t errlen) WARN_UNUSED_RESULT;
/* Restore the terminal exactly as it was. */
void ui_close(ui_t *ui);
/* The descriptor the loop waits on for keys and mouse (stdin). */
int ui_input_fd(const ui_t *ui);
/* Read every pending key/mouse event; returns UI_ACT_* bits. */
unsigned ui_handle_input(ui_t *ui, double now);
/* The terminal was resized (SIGWINCH seen by the loop). */
void ui_handle_resize(ui_t *ui);
/* A poll completed: take the new state (copied; nothing is kept by pointer
 * except hist, which must outlive the ui). */
void ui_update(ui_t *ui, const cluster_snapshot_t *snap, const alert_t *alerts,
               int n_alerts, const history_set_t *hist);
/* Alert delivery's live status (NULL: none configured); kept by pointer, it
 * must outlive the ui. Read at every render: a change redraws the alerts. */
void ui_set_delivery(ui_t *ui, const delivery_status_t *d);
/* Esc on the main view (nothing left to close) gives UI_ACT_BACK: the
 * many-clusters overview (ui_overview.c) goes back to its list. */
void ui_set_esc_leaves(ui_t *ui, bool on);
/* Name the cluster shown (many clusters): the header's first fact; "" for none. */
void ui_set_cluster_name(ui_t *ui, const char *name);
/* The request behind UI_ACT_CONTROL (a silence toggle); false when none. */
bool ui_take_control(ui_t *ui, output_ctl_t *out);
/* What became of it: handled by how many outputs, and their reply. */
void ui_control_done(ui_t *ui, double now, int handled, const char *reply);
/* Draw what changed (ncurses diff output); cheap when nothing did. now drives
 * the "age of the last poll" clock in the header. */
void ui_render(ui_t *ui, double now);
/* Milliseconds until the UI next wants to redraw on its own (clock), or -1. */
int ui_next_tick_ms(const ui_t *ui, double now);

/* Replay mode (the replay command): the header's second row says label
 * (REPLAY, the recorded time, speed) instead of the freshness facts, and
 * Space, Left/Right, [ ], g/G become the replay keys (UI_ACT_REPLAY). */
void ui_replay_label(ui_t *ui, const char *label);
/* The request behind UI_ACT_REPLAY (UI_REPLAY_NONE when none). */
ui_replay_cmd_t ui_take_replay(ui_t *ui);
/* Replace the timeline of events with these (oldest first), as at the
 * cursor; call before ui_update. */
void ui_replay_events(ui_t *ui, const double *t, const char *const *text, int n);

/* The dashboard's terminal for an output (ui_output.c): ui_open() with the
 * run's settings, its input registered on env->loop (to wake it), the crash
 * hook set; NULL with err. ui_output_stop() undoes it. */
ui_t *ui_output_start(const output_env_t *env, char *err, size_t errlen);
void  ui_output_stop(ui_t *ui, loop_t *loop);

/* The dashboard as an output (ui_output.c); wall-clock times in its calls. */
extern const output_ops_t output_dashboard;

/* Crash path: put the terminal back (termios, cursor, alternate screen) using
 * only async-signal-safe calls. Safe to call when no UI is open. */
void ui_crash_restore(void);

#endif
