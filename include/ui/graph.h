/* graph.h — the full-screen history graph as pure math (no curses): a time
 * span of points (history_range) binned into plot columns and drawn as
 * Braille dots (2 x 4 a cell) or ASCII (one a cell) into a cell buffer, the
 * value scale, alert thresholds as rows, firing spans as shaded columns, the
 * time axis labels and the span's min/avg/max. The UI turns cells into glyphs
 * and colours (ui_graph.c). */
#ifndef EM_GRAPH_H
#define EM_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include "history.h"

#define GRAPH_MAX_W 512            /* plot cells across */
#define GRAPH_MAX_H 128            /* plot cells down */

typedef enum { GRAPH_BRAILLE = 0, GRAPH_ASCII } graph_style_t;

/* Cell flags. */
enum {
    GCELL_PLOT = 1u << 0,          /* some dot of the series */
    GCELL_WARN = 1u << 1,          /* the warning threshold's row */
    GCELL_CRIT = 1u << 2,          /* the critical threshold's row */
    GCELL_SHADE = 1u << 3,         /* an alert fired during the column's time */
};

typedef struct {
    unsigned char dots;            /* Braille dot bits (U+2800 + dots); ASCII: 1 = plotted */
    unsigned char flags;
} graph_cell_t;

/* A time span during which an alert fired (seconds). */
typedef struct {
    double from, to;
} graph_span_t;

typedef struct {
    graph_style_t style;
    int    w, h;                   /* cells */
    double from, to;               /* the time span across */
    double lo, hi;                 /* the value at the bottom and top edges */
    int    warn_row, crit_row;     /* the threshold rows, -1 = none or off the scale */
    graph_cell_t c[GRAPH_MAX_H][GRAPH_MAX_W];
} graph_t;

/* The span's minimum, mean and maximum of p[0..n) (NAN points left out; all
 * NAN when there is none). The mean weighs each point (poll or step) equally. */
void graph_stats(const hist_point_t *p, int n, double *min, double *avg, double *max);

/* A scale [*lo, *hi] for the points: from their minimum (0 with floor_zero and
 * no negative value) to their maximum, widened to take in each finite
 * threshold thr[0..n_thr) up to 4 times the data's top (farther ones would
 * flatten the plot: they are left off the scale), then rounded outward to
 * 1, 2, 2.5 or 5 times a power of ten. A flat or empty series gets a span. */
void graph_scale(const hist_point_t *p, int n, bool floor_zero, const double *thr, int n_thr,
                 double *lo, double *hi);

/* The dot row of v on a scale [lo, hi] dots high (0 = top), -1 off the
 * scale or NAN. */
int graph_dot_row(double v, double lo, double hi, int dots);

/* Start a graph w x h cells (clamped to the maxima) over [from, to] on the
 * scale [lo, hi]: every cell empty. */
void graph_init(graph_t *g, graph_style_t style, int w, int h, double from, double to,
                double lo, double hi);

/* Plot p[0..n) (oldest first): each dot column takes the min..max of the
 * points that fall in its time (joined to the column before, so the line is
 * unbroken); a column without a point holds the one before when that one is
 * at most hold_s older; NAN points are gaps. */
void graph_plot(graph_t *g, const hist_point_t *p, int n, double hold_s);

/* Draw a threshold (flag GCELL_WARN or GCELL_CRIT) as the row of v; returns
 * the row, -1 when v is NAN or off the scale. */
int graph_threshold(graph_t *g, double v, unsigned flag);

/* Shade the columns whose time overlaps one of the spans; returns how many. */
int graph_shade(graph_t *g, const graph_span_t *s, int n);

/* A cell's glyph (UTF-8 or ASCII, NUL-terminated) into out[8]: its dots, else
 * the threshold line (┄ / ━, ASCII - / =), else a space. */
const char *graph_glyph(const graph_t *g, const graph_cell_t *c, char out[8]);

/* The seconds between time-axis ticks for a span over w cells: the smallest
 * of 1 s .. 12 h that leaves room for every label. */
double graph_tick_step(double span_s, int w);
/* The time axis as w ASCII characters (+ NUL; cap must be > w): "HH:MM" (or
 * "HH:MM:SS" below a minute's step) labels, UTC, starting at the column of
 * their tick, none cut at the right edge. Returns the labels written. */
int graph_time_axis(double from, double to, int w, char *out, size_t cap);

#endif
