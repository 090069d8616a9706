/* sparkline.h — trend glyphs from an array of doubles (pure, no curses).
 *
 * The input is oldest-first. NAN (or ±Inf) is a gap and renders as a space.
 * When there are more points than fit, the most recent ones are kept and the
 * newest is always in the rightmost cell written. The scale runs from the
 * minimum to the maximum of the visible points (or from 0 with floor_zero).
 *
 *   SPARK_BLOCKS   one point per cell, 8 levels: ▁▂▃▄▅▆▇█
 *   SPARK_BRAILLE  two points per cell (left, right column), 4 levels each,
 *                  bars filled from the bottom: ⣀⣤⣶⣿
 *   SPARK_ASCII    one point per cell, 6 levels: _.-=^#  (non-UTF-8 locales) */
#ifndef EM_SPARKLINE_H
#define EM_SPARKLINE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { SPARK_BLOCKS = 0, SPARK_BRAILLE, SPARK_ASCII } spark_style_t;

typedef struct {
    spark_style_t style;
    bool   floor_zero; /* scale from min(0, data minimum) instead of the minimum */
    double min_span;   /* smallest max - min of the scale, so that noise on a flat
                          series is not blown up to full height; 0 = none */
    bool   pad;        /* left-pad with spaces to exactly width cells */
} spark_opts_t;

/* One rendered cell, for callers that colour cell by cell. */
typedef struct {
    char   glyph[5];   /* UTF-8 (or ASCII), NUL-terminated; " " for a gap */
    double value;      /* the largest point drawn in the cell; NAN for a gap */
} spark_cell_t;

/* Bytes of output buffer that always suffice for width cells, NUL included. */
#define SPARKLINE_BUF(width) ((size_t)(width) * 3u + 1u)

typedef enum {
    SPARK_UNKNOWN = -1, /* value is NAN: neither ok nor bad */
    SPARK_OK = 0,
    SPARK_WARNING = 1,
    SPARK_CRITICAL = 2
} spark_class_t;

/* Render values[0..n) into out (size bytes, NUL-terminated). Returns the cells
 * written (at most width; exactly width with opts.pad), or -1 when size is too
 * small (out is then "" when size > 0). width <= 0 writes "" and returns 0. A
 * flat series (max == min) sits on the lowest level. */
int sparkline_render(const double *values, size_t n, int width, spark_opts_t opts,
                     char *out, size_t size);

/* The same, cell by cell into cells[0..max_cells). Returns the cells written,
 * or -1 when max_cells is smaller than that. */
int sparkline_cells(const double *values, size_t n, int width, spark_opts_t opts,
                    spark_cell_t *cells, int max_cells);

/* Threshold class of value. Normally higher is worse: >= critical is critical,
 * else >= warning is warning. When warning > critical lower is worse (e.g. free
 * disk %): <= critical is critical, else <= warning is warning. A NAN threshold
 * is disabled; a NAN value is SPARK_UNKNOWN. */
spark_class_t sparkline_class(double value, double warning, double critical);

/* The style to use given the facts: ASCII unless utf8; Braille when asked. */
spark_style_t sparkline_pick_style(bool utf8, bool prefer_braille);

#endif
