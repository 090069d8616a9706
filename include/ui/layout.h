/* layout.h — where each dashboard window goes, as pure functions of the
 * terminal size (no curses), so that "windows never overlap at any size" is a
 * unit test rather than a hope.
 *
 * Main view, top to bottom:
 *
 *   header   LAYOUT_HEADER_H rows
 *   members  the members table: n_members + 2 rows (column header, one row per
 *            member, border), capped so the panels below keep their minimum
 *   panels   latency, database and raft, in one of three arrangements:
 *              LAYOUT_THREE    side by side (one band)
 *              LAYOUT_TWO_ONE  latency | database, then raft (two bands)
 *              LAYOUT_STACK    one above the other (three bands)
 *            each band grows from LAYOUT_PANEL_MIN_H up to LAYOUT_PANEL_PREF_H
 *   alerts   everything left over (at least LAYOUT_ALERTS_MIN_H)
 *   footer   the status line, the last row
 *
 * The arrangement follows the width (>= 120 columns: three, >= 100: 2+1, else
 * stacked); when that would cut the members table short, a more horizontal one
 * that still fits (each panel >= LAYOUT_PANEL_MIN_W wide) is used instead.
 * Below LAYOUT_MIN_COLS x LAYOUT_MIN_ROWS only a note rectangle is given. */
#ifndef EM_LAYOUT_H
#define EM_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_MIN_COLS     80
#define LAYOUT_MIN_ROWS     24
#define LAYOUT_HEADER_H     2
#define LAYOUT_FOOTER_H     1
#define LAYOUT_MEMBERS_MIN_H 3   /* column header, one member, border */
#define LAYOUT_PANEL_MIN_H  5
#define LAYOUT_PANEL_PREF_H 8
#define LAYOUT_PANEL_MIN_W  26
#define LAYOUT_ALERTS_MIN_H 3

typedef struct {
    int x, y, w, h;
} rect_t;

typedef enum {
    LAYOUT_AUTO = 0,
    LAYOUT_THREE,
    LAYOUT_TWO_ONE,
    LAYOUT_STACK
} layout_arrangement_t;

typedef struct {
    /* LAYOUT_AUTO, or an arrangement the user asked for; it is used when it
     * fits the width and the height (with the members table at its minimum),
     * otherwise the automatic choice is. */
    layout_arrangement_t arrangement;
} layout_opts_t;

typedef struct {
    bool   too_small;    /* below 80x24: only note is set, the rest are zero */
    rect_t note;         /* the whole screen when too_small */
    layout_arrangement_t arrangement;
    rect_t header, members, latency, database, raft, alerts, footer;
    int    member_rows;  /* member lines that fit: members.h - 2 */
} layout_t;

/* Lay out the main view for a cols x rows terminal and n_members members.
 * Always fills *out (every rect zero except those in use). */
void layout_compute(int cols, int rows, int n_members, layout_opts_t opts, layout_t *out);

/* ---- member detail view: header, facts box, big graphs, footer ----
 * From 120 columns the facts box is a LAYOUT_INFO_W wide column on the left,
 * below that it is a LAYOUT_INFO_H high band on top. Graphs fill the rest in
 * one column, or two when the area is at least 2 * LAYOUT_GRAPH_MIN_W wide (an
 * odd last graph then spans both); each is at least LAYOUT_GRAPH_MIN_H high,
 * and graphs that do not fit are left out (n_graphs says how many fit). */
#define LAYOUT_MAX_GRAPHS  8
#define LAYOUT_INFO_W      40
#define LAYOUT_INFO_H      8
#define LAYOUT_GRAPH_MIN_W 50
#define LAYOUT_GRAPH_MIN_H 5

typedef struct {
    bool   too_small;
    rect_t note;
    rect_t header, info, footer;
    rect_t graph[LAYOUT_MAX_GRAPHS];
    int    n_graphs;     /* graphs laid out, <= the number asked for */
} layout_detail_t;

void layout_detail_compute(int cols, int rows, int n_graphs, layout_detail_t *out);

/* ---- members table columns ---- */
#define LAYOUT_MAX_COLUMNS 32
#define LAYOUT_COL_GAP     1        /* blank cells between two columns */

enum {
    LAYOUT_COL_KEEP = 1u << 0,  /* never dropped (name, role, up) */
    LAYOUT_COL_WIDE = 1u << 1,  /* shown only in wide mode */
    LAYOUT_COL_GROW = 1u << 2   /* takes the width left over (first such column) */
};

typedef struct {
    const char *name;       /* header label; not used for the choice */
    int         min_width;  /* cells, >= 1 */
    int         priority;   /* higher is kept longer; ties drop the later column */
    unsigned    flags;      /* LAYOUT_COL_* */
} layout_column_t;

typedef struct {
    int n;                          /* columns chosen */
    int index[LAYOUT_MAX_COLUMNS];  /* into the caller's table, in table order */
    int x[LAYOUT_MAX_COLUMNS];      /* offset from the table's left edge */
    int w[LAYOUT_MAX_COLUMNS];      /* width given to the column */
    int used;                       /* cells from 0 to the end of the last column */
} layout_columns_t;

/* Choose the columns of a table width cells wide. Without wide, LAYOUT_COL_WIDE
 * columns are left out. While the rest do not fit (min widths plus gaps), the
 * lowest-priority column that is not LAYOUT_COL_KEEP is dropped. If the kept
 * columns alone are too wide, the one crossing the edge is narrowed and any
 * after it left out, so nothing ever passes width. Spare width goes to the
 * first chosen LAYOUT_COL_GROW column. Returns the number chosen, or -1 when
 * n_cols is out of 0..LAYOUT_MAX_COLUMNS (out->n is then 0). */
int layout_choose_columns(const layout_column_t *cols, int n_cols, int width, bool wide,
                          layout_columns_t *out);

#endif
