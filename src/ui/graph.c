/* graph.c — the history graph's math and cells (see graph.h): binning into
 * dot columns, the scale, thresholds, shaded spans, glyphs, the time axis. */
#include "graph.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void graph_stats(const hist_point_t *p, int n, double *min, double *avg, double *max)
{
    double mn = INFINITY, mx = -INFINITY, sum = 0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(p[i].avg))
            continue;
        mn = p[i].min < mn ? p[i].min : mn;
        mx = p[i].max > mx ? p[i].max : mx;
        sum += p[i].avg;
        k++;
    }
    *min = k ? mn : NAN;
    *max = k ? mx : NAN;
    *avg = k ? sum / k : NAN;
}

/* The smallest of 1, 2, 2.5, 5 times a power of ten that is >= v > 0. */
static double nice_up(double v)
{
    static const double m[] = { 1, 2, 2.5, 5, 10 };
    double p = pow(10, floor(log10(v)));
    for (int i = 0; i < 5; i++)
        if (m[i] * p >= v * (1 - 1e-9))
            return m[i] * p;
    return 10 * p;
}

void graph_scale(const hist_point_t *p, int n, bool floor_zero, const double *thr, int n_thr,
                 double *lo, double *hi)
{
    double mn, avg, mx;
    graph_stats(p, n, &mn, &avg, &mx);
    if (isnan(mn)) {                   /* no data: the thresholds alone, or 0..1 */
        mn = 0;
        mx = 0;
        for (int i = 0; i < n_thr; i++)
            if (isfinite(thr[i]) && thr[i] > mx)
                mx = thr[i];
    }
    double top = mx;
    for (int i = 0; i < n_thr; i++) {
        if (!isfinite(thr[i]))
            continue;
        bool near = top > 0 ? thr[i] <= 4 * top : thr[i] <= 0 || mx == 0;
        if (near) {
            mx = thr[i] > mx ? thr[i] : mx;
            mn = thr[i] < mn ? thr[i] : mn;
        }
    }
    if (floor_zero && mn > 0)
        mn = 0;
    if (!(mx > mn))
        mx = mn + (mn != 0 ? fabs(mn) * 0.5 : 1);
    double step = nice_up((mx - mn) / 4);
    *lo = floor(mn / step + 1e-9) * step;
    *hi = ceil(mx / step - 1e-9) * step;
    if (!(*hi > *lo))
        *hi = *lo + step;
}

int graph_dot_row(double v, double lo, double hi, int dots)
{
    if (!isfinite(v) || !(hi > lo) || dots <= 0)
        return -1;
    double eps = (hi - lo) * 1e-9;
    if (v < lo - eps || v > hi + eps)
        return -1;
    int r = dots - 1 - (int)floor((v - lo) / (hi - lo) * (dots - 1) + 0.5);
    return r < 0 ? 0 : r >= dots ? dots - 1 : r;
}

void graph_init(graph_t *g, graph_style_t style, int w, int h, double from, double to,
                double lo, double hi)
{
    g->style = style;
    g->w = w < 0 ? 0 : w > GRAPH_MAX_W ? GRAPH_MAX_W : w;
    g->h = h < 0 ? 0 : h > GRAPH_MAX_H ? GRAPH_MAX_H : h;
    g->from = from;
    g->to = to > from ? to : from + 1;
    g->lo = lo;
    g->hi = hi;
    g->warn_row = g->crit_row = -1;
    memset(g->c, 0, sizeof g->c);
}

/* Dots per cell across and down. */
static int dots_x(const graph_t *g)
{
    return g->style == GRAPH_BRAILLE ? 2 : 1;
}

static int dots_y(const graph_t *g)
{
    return g->style == GRAPH_BRAILLE ? 4 : 1;
}

/* Set dot (x, y) of the plot (dot coordinates, 0,0 = top left). */
static void set_dot(graph_t *g, int x, int y)
{
    static const unsigned char bit[2][4] = { { 0x01, 0x02, 0x04, 0x40 },
                                             { 0x08, 0x10, 0x20, 0x80 } };
    graph_cell_t *c = &g->c[y / dots_y(g)][x / dots_x(g)];
    c->dots |= g->style == GRAPH_BRAILLE ? bit[x % 2][y % 4] : 1;
    c->flags |= GCELL_PLOT;
}

void graph_plot(graph_t *g, const hist_point_t *p, int n, double hold_s)
{
    int cols = g->w * dots_x(g), rows = g->h * dots_y(g);
    if (cols <= 0 || rows <= 0)
        return;
    double dt = (g->to - g->from) / cols;
    double last_t = NAN, last_v = NAN;     /* the newest finite point seen */
    double prev_end = NAN;                 /* the column before's last value */
    int i = 0;
    while (i < n && p[i].t < g->from)      /* before the span: only for holding */
        if (isfinite(p[i].avg)) {
            last_t = p[i].t;
            last_v = p[i++].avg;
        } else {
            last_t = last_v = NAN;
            i++;
        }
    for (int x = 0; x < cols; x++) {
        double c0 = g->from + x * dt, c1 = x == cols - 1 ? g->to + 1e-9 : c0 + dt;
        double mn = INFINITY, mx = -INFINITY;
        bool any = false, gap = false;
        for (; i < n && p[i].t < c1; i++) {
            if (!isfinite(p[i].avg)) {
                gap = true;
                last_t = last_v = NAN;
                continue;
            }
            any = true;
            mn = p[i].min < mn ? p[i].min : mn;
            mx = p[i].max > mx ? p[i].max : mx;
            last_t = p[i].t;
            last_v = p[i].avg;
        }
        if (!any && !gap && isfinite(last_v) && c0 - last_t <= hold_s) {
            mn = mx = last_v;
            any = true;
        }
        if (!any) {
            prev_end = NAN;
            continue;
        }
        double top = isfinite(prev_end) && prev_end > mx ? prev_end : mx;
        double bot = isfinite(prev_end) && prev_end < mn ? prev_end : mn;
        int r0 = graph_dot_row(top > g->hi ? g->hi : top, g->lo, g->hi, rows);
        int r1 = graph_dot_row(bot < g->lo ? g->lo : bot, g->lo, g->hi, rows);
        for (int r = r0; r0 >= 0 && r1 >= 0 && r <= r1; r++)
            set_dot(g, x, r);
        prev_end = last_v;
    }
}

int graph_threshold(graph_t *g, double v, unsigned flag)
{
    int row = graph_dot_row(v, g->lo, g->hi, g->h * dots_y(g));
    if (row < 0)
        return -1;
    row /= dots_y(g);
    for (int x = 0; x < g->w; x++)
        g->c[row][x].flags |= (unsigned char)flag;
    if (flag & GCELL_CRIT)
        g->crit_row = row;
    else
        g->warn_row = row;
    return row;
}

int graph_shade(graph_t *g, const graph_span_t *s, int n)
{
    double cw = (g->to - g->from) / (g->w > 0 ? g->w : 1);
    int shaded = 0;
    for (int x = 0; x < g->w; x++) {
        double c0 = g->from + x * cw, c1 = c0 + cw;
        bool on = false;
        for (int k = 0; k < n && !on; k++)
            on = s[k].from < c1 && s[k].to >= c0;
        if (!on)
            continue;
        shaded++;
        for (int y = 0; y < g->h; y++)
            g->c[y][x].flags |= GCELL_SHADE;
    }
    return shaded;
}

const char *graph_glyph(const graph_t *g, const graph_cell_t *c, char out[8])
{
    bool utf8 = g->style == GRAPH_BRAILLE;
    if (c->dots && utf8) {
        out[0] = (char)0xE2;
        out[1] = (char)(0xA0 | (c->dots >> 6));
        out[2] = (char)(0x80 | (c->dots & 0x3F));
        out[3] = '\0';
    } else if (c->dots) {
        snprintf(out, 8, "*");
    } else if (c->flags & GCELL_CRIT) {
        snprintf(out, 8, "%s", utf8 ? "\u2501" : "=");
    } else if (c->flags & GCELL_WARN) {
        snprintf(out, 8, "%s", utf8 ? "\u2504" : "-");
    } else {
        snprintf(out, 8, " ");
    }
    return out;
}

double graph_tick_step(double span_s, int w)
{
    static const double steps[] = { 1,   2,    5,    10,   15,    30,    60,    120,   300,
                                    600, 900,  1800, 3600, 7200,  10800, 21600, 43200 };
    int n = (int)(sizeof steps / sizeof steps[0]);
    for (int i = 0; i < n; i++) {
        int lw = steps[i] < 60 ? 8 : 5;
        if (span_s / steps[i] * (lw + 2) <= w)
            return steps[i];
    }
    return steps[n - 1];
}

int graph_time_axis(double from, double to, int w, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    int width = w < 0 ? 0 : (size_t)w < cap ? w : (int)cap - 1;
    memset(out, ' ', (size_t)width);
    out[width] = '\0';
    if (!(to > from) || width <= 0)
        return 0;
    double step = graph_tick_step(to - from, width);
    int lw = step < 60 ? 8 : 5, next = 0, labels = 0;
    for (double t = ceil(from / step) * step; t <= to; t += step) {
        int col = (int)floor((t - from) / (to - from) * width);
        if (col < next || col + lw > width)
            continue;
        time_t tt = (time_t)t;
        struct tm tm;
        char s[16];
        if (!gmtime_r(&tt, &tm))
            continue;
        snprintf(s, sizeof s, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
        memcpy(out + col, s, (size_t)lw);
        next = col + lw + 1;
        labels++;
    }
    return labels;
}
