/* ui_draw.c — drawing helpers shared by the dashboard panels: clipped and
 * sanitized text, frames, sparklines and graphs coloured by threshold, and the
 * number formatting with the locale's flags. Draws into a canvas (a window and
 * a rectangle on it); never reads input, never refreshes. */
#include "ui_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

attr_t ui_attr(const ui_t *ui, theme_role_t role)
{
    if (role < 0 || role >= THEME_ROLE_COUNT)
        role = THEME_NORMAL;
    return ui->attr[role];
}

void ui_fill(const ui_canvas_t *c, theme_role_t role)
{
    if (c->r.w <= 0 || c->r.h <= 0)
        return;
    wattrset(c->win, ui_attr(c->ui, role));
    for (int y = 0; y < c->r.h; y++)
        mvwhline(c->win, c->r.y + y, c->r.x, ' ', c->r.w);
}

/* Bidirectional overrides, isolates, marks and the line/paragraph separators:
 * zero-width, yet they reorder or break what the terminal shows after them. */
static bool ui_is_bidi_control(wchar_t wc)
{
    return (wc >= 0x200e && wc <= 0x200f) || (wc >= 0x2028 && wc <= 0x202e) ||
           (wc >= 0x2066 && wc <= 0x2069) || wc == 0x061c;
}

/* Copy s into out, at most room cells, replacing control characters (C0, DEL,
 * C1, bidirectional controls) and undecodable bytes with '?' (names and errors
 * come from the network: nothing may reach the terminal as an escape or
 * reorder the screen). Returns the cells taken. */
static int sanitize(const char *s, int room, bool utf8, char *out, size_t size)
{
    size_t o = 0;
    int cells = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    while (*s && cells < room && o + 8 < size) {
        unsigned char b = (unsigned char)*s;
        if (b < 0x80 || !utf8) {
            out[o++] = (b < 0x20 || b == 0x7f || b >= 0x80) ? '?' : (char)b;
            s++;
            cells++;
            continue;
        }
        wchar_t wc;
        size_t n = mbrtowc(&wc, s, strlen(s), &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
            memset(&st, 0, sizeof st);
            out[o++] = '?';
            s++;
            cells++;
            continue;
        }
        int w = wcwidth(wc);
        if (w < 0 || ui_is_bidi_control(wc) || (wc >= 0x80 && wc <= 0x9f)) {
            out[o++] = '?';
            s += n;
            cells++;
            continue;
        }
        if (cells + w > room)
            break;
        memcpy(out + o, s, n);
        o += n;
        s += n;
        cells += w;
    }
    out[o] = '\0';
    return cells;
}

void ui_copy(char *out, size_t size, const char *s)
{
    if (size == 0)
        return;
    size_t n = strlen(s);
    if (n >= size)
        n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

int ui_cells(const char *s)
{
    char tmp[1024];
    return sanitize(s, 1 << 20, true, tmp, sizeof tmp);
}

int ui_put(const ui_canvas_t *c, int y, int x, int maxw, theme_role_t role, const char *s)
{
    return ui_put_attr(c, y, x, maxw, ui_attr(c->ui, role), s);
}

int ui_put_attr(const ui_canvas_t *c, int y, int x, int maxw, attr_t attr, const char *s)
{
    if (!s || y < 0 || y >= c->r.h || x < 0 || x >= c->r.w)
        return 0;
    int room = c->r.w - x;
    if (maxw >= 0 && maxw < room)
        room = maxw;
    if (room <= 0)
        return 0;
    char buf[1024];
    int cells = sanitize(s, room, c->ui->utf8, buf, sizeof buf);
    wattrset(c->win, attr);
    mvwaddstr(c->win, c->r.y + y, c->r.x + x, buf);
    return cells;
}

int ui_putf(const ui_canvas_t *c, int y, int x, int maxw, theme_role_t role, const char *fmt,
            ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return ui_put(c, y, x, maxw, role, buf);
}

int ui_put_right(const ui_canvas_t *c, int y, int x, int w, theme_role_t role, const char *s)
{
    int n = ui_cells(s);
    if (n >= w)
        return ui_put(c, y, x, w, role, s);
    return ui_put(c, y, x + w - n, n, role, s);
}

ui_canvas_t ui_sub(const ui_canvas_t *c, int y, int x, int h, int w)
{
    ui_canvas_t s = *c;
    if (y < 0)
        y = 0;
    if (x < 0)
        x = 0;
    if (x > c->r.w)
        x = c->r.w;
    if (y > c->r.h)
        y = c->r.h;
    if (w > c->r.w - x)
        w = c->r.w - x;
    if (h > c->r.h - y)
        h = c->r.h - y;
    s.r.x = c->r.x + x;
    s.r.y = c->r.y + y;
    s.r.w = w > 0 ? w : 0;
    s.r.h = h > 0 ? h : 0;
    return s;
}

ui_canvas_t ui_frame(const ui_canvas_t *c, const char *title, bool focused)
{
    WINDOW *win = c->win;
    rect_t r = c->r;
    if (r.w < 2 || r.h < 2)
        return ui_sub(c, 0, 0, 0, 0);
    theme_role_t border = focused ? THEME_KEY : THEME_BORDER;
    wattrset(win, ui_attr(c->ui, border));
    mvwhline(win, r.y, r.x + 1, ACS_HLINE, r.w - 2);
    mvwhline(win, r.y + r.h - 1, r.x + 1, ACS_HLINE, r.w - 2);
    mvwvline(win, r.y + 1, r.x, ACS_VLINE, r.h - 2);
    mvwvline(win, r.y + 1, r.x + r.w - 1, ACS_VLINE, r.h - 2);
    mvwaddch(win, r.y, r.x, ACS_ULCORNER);
    mvwaddch(win, r.y, r.x + r.w - 1, ACS_URCORNER);
    mvwaddch(win, r.y + r.h - 1, r.x, ACS_LLCORNER);
    mvwaddch(win, r.y + r.h - 1, r.x + r.w - 1, ACS_LRCORNER);
    if (title && *title && r.w > 6) {
        ui_put(c, 0, 1, 1, border, " ");
        int n = ui_put(c, 0, 2, r.w - 5, focused ? THEME_KEY : THEME_TITLE, title);
        ui_put(c, 0, 2 + n, 1, border, " ");
    }
    return ui_sub(c, 1, 1, r.h - 2, r.w - 2);
}

theme_role_t ui_role_for(double v, ui_thr_t thr, theme_role_t ok_role)
{
    switch (sparkline_class(v, thr.warn, thr.crit)) {
    case SPARK_UNKNOWN:
        return THEME_MUTED;
    case SPARK_CRITICAL:
        return THEME_CRITICAL;
    case SPARK_WARNING:
        return THEME_WARNING;
    default:
        return ok_role;
    }
}

static theme_role_t spark_role(double v, ui_thr_t thr)
{
    switch (sparkline_class(v, thr.warn, thr.crit)) {
    case SPARK_CRITICAL:
        return THEME_SPARK_CRITICAL;
    case SPARK_WARNING:
        return THEME_SPARK_WARNING;
    default:
        return THEME_SPARKLINE;
    }
}

/* Squeeze n values into at most slots points, keeping each bucket's largest
 * finite value (NAN when the bucket has none). Returns the points written. */
static int resample(const double *in, int n, double *out, int slots)
{
    if (n <= slots) {
        memcpy(out, in, (size_t)n * sizeof *in);
        return n;
    }
    for (int i = 0; i < slots; i++) {
        int a = (int)((long)i * n / slots), b = (int)((long)(i + 1) * n / slots);
        double m = NAN;
        for (int k = a; k < b; k++)
            if (isfinite(in[k]) && (isnan(m) || in[k] > m))
                m = in[k];
        out[i] = m;
    }
    return slots;
}

void ui_spark(const ui_canvas_t *c, int y, int x, int w, const double *values, int n,
              ui_thr_t thr, bool floor_zero)
{
    if (w > c->r.w - x)
        w = c->r.w - x;
    if (w <= 0 || y < 0 || y >= c->r.h || n <= 0)
        return;
    if (w > 512)
        w = 512;
    const ui_t *ui = c->ui;
    spark_opts_t o = { .style = sparkline_pick_style(ui->utf8, ui->braille),
                       .floor_zero = floor_zero, .min_span = 0, .pad = true };
    int ppc = o.style == SPARK_BRAILLE ? 2 : 1;
    double pts[1024];
    int np = resample(values, n, pts, w * ppc);
    spark_cell_t cells[512];
    int nc = sparkline_cells(pts, (size_t)np, w, o, cells, 512);
    for (int i = 0; i < nc; i++)
        ui_put(c, y, x + i, 1, spark_role(cells[i].value, thr), cells[i].glyph);
}

void ui_graph(const ui_canvas_t *c, int y, int x, int h, int w, const double *values, int n,
              ui_thr_t thr, bool floor_zero)
{
    static const char *const eighths[9] = { " ", "\u2581", "\u2582", "\u2583", "\u2584",
                                            "\u2585", "\u2586", "\u2587", "\u2588" };
    if (w > c->r.w - x)
        w = c->r.w - x;
    if (h > c->r.h - y)
        h = c->r.h - y;
    if (w <= 0 || h <= 0 || n <= 0)
        return;
    if (w > 512)
        w = 512;
    double pts[512];
    int np = resample(values, n, pts, w);
    double lo = NAN, hi = NAN;
    for (int i = 0; i < np; i++) {
        if (!isfinite(pts[i]))
            continue;
        if (isnan(lo) || pts[i] < lo)
            lo = pts[i];
        if (isnan(hi) || pts[i] > hi)
            hi = pts[i];
    }
    if (isnan(lo))
        return;
    if (floor_zero && lo > 0)
        lo = 0;
    double span = hi - lo;
    int off = w - np;                     /* newest at the right edge */
    for (int i = 0; i < np; i++) {
        if (!isfinite(pts[i]))
            continue;
        /* eighths of the full height; a known value always shows a sliver */
        int level = span > 0 ? (int)lround((pts[i] - lo) / span * (h * 8 - 1)) + 1 : 1;
        theme_role_t role = spark_role(pts[i], thr);
        for (int r = 0; r < h; r++) {
            int fill = level - r * 8;
            if (fill <= 0)
                break;
            if (fill > 8)
                fill = 8;
            const char *g = c->ui->utf8 ? eighths[fill] : fill >= 4 ? "#" : ".";
            ui_put(c, y + h - 1 - r, x + off + i, 1, role, g);
        }
    }
}

void ui_window_label(int64_t ms, char *out, size_t size)
{
    if (ms <= 0)
        snprintf(out, size, "-");
    else if (ms % 3600000 == 0)
        snprintf(out, size, "%lldh", (long long)(ms / 3600000));
    else if (ms % 60000 == 0 && ms >= 3600000)
        snprintf(out, size, "%lldh%02lldm", (long long)(ms / 3600000),
                 (long long)(ms % 3600000 / 60000));
    else if (ms % 60000 == 0)
        snprintf(out, size, "%lldm", (long long)(ms / 60000));
    else if (ms % 1000 == 0)
        snprintf(out, size, "%llds", (long long)(ms / 1000));
    else
        snprintf(out, size, "%lldms", (long long)ms);
}

int64_t ui_window_ms(const ui_t *ui)
{
    const cluster_snapshot_t *s = ui->shown;
    if (!ui->have_shown || s->n_windows <= 0)
        return 0;
    int w = ui->window < s->n_windows ? ui->window : s->n_windows - 1;
    return s->window_ms[w];
}

int ui_history(const ui_t *ui, int member, history_fig_t fig, double *out, int max)
{
    if (member < 0 || member >= ui->shown->n_members || fig < 0 || fig >= HIST_COUNT)
        return 0;
    int64_t wms = ui_window_ms(ui);
    int interval = ui->cfg.interval_ms > 0 ? ui->cfg.interval_ms : 1000;
    int want = wms > 0 ? (int)(wms / interval) + 1 : STATS_HISTORY;
    if (want > max)
        want = max;
    if (want > STATS_HISTORY)
        want = STATS_HISTORY;
    if (!ui->hist)
        return 0;
    /* up to the shown poll: a paused screen is one moment, sparklines included */
    return history_copy_until(ui->hist, ui->shown->members[member].name, fig, ui->shown->t, out,
                              want);
}

const char *ui_fmt_ms(const ui_t *ui, char *out, double ms)
{
    format_latency_ms(out, FORMAT_BUF, ms, true, ui->fmt);
    return out;
}

const char *ui_fmt_bytes(const ui_t *ui, char *out, double v, bool ok)
{
    format_bytes(out, FORMAT_BUF, v, ok, ui->fmt);
    return out;
}

const char *ui_fmt_pct(const ui_t *ui, char *out, double v, bool ok)
{
    format_percent(out, FORMAT_BUF, v, ok, ui->fmt);
    return out;
}

const char *ui_fmt_rate(const ui_t *ui, char *out, double v)
{
    format_rate(out, FORMAT_BUF, v, true, ui->fmt);
    return out;
}

const char *ui_fmt_count(const ui_t *ui, char *out, double v, bool ok)
{
    format_count(out, FORMAT_BUF, v, ok, ui->fmt);
    return out;
}

const char *ui_fmt_dur(const ui_t *ui, char *out, double s)
{
    format_duration(out, FORMAT_BUF, s, true, ui->fmt);
    return out;
}

const char *ui_fmt_clock(char *out, double t)
{
    char ts[FORMAT_BUF];
    if (format_timestamp(ts, sizeof ts, t, t > 0, 0) == FORMAT_TIMESTAMP_WIDTH) {
        memcpy(out, ts + 11, 8);
        out[8] = '\0';
    } else {
        snprintf(out, FORMAT_BUF, "--:--:--");
    }
    return out;
}

const char *ui_glyph_star(const ui_t *ui)
{
    return ui->utf8 ? "\u2605" : "*";
}

const char *ui_glyph_sep(const ui_t *ui)
{
    return ui->utf8 ? "\u00b7" : "|";
}

const char *ui_glyph_down(const ui_t *ui)
{
    return ui->utf8 ? "\u25bc" : "v";
}

const char *ui_glyph_up(const ui_t *ui)
{
    return ui->utf8 ? "\u25b2" : "^";
}


ui_canvas_t ui_member_frame(const ui_canvas_t *c, const char *what, int member)
{
    const ui_t *ui = c->ui;
    char title[160], win[16];
    ui_window_label(ui_window_ms(ui), win, sizeof win);
    if (member >= 0)
        snprintf(title, sizeof title, "%s %s %s %s %s", what, ui_glyph_sep(ui),
                 ui->shown->members[member].name, ui_glyph_sep(ui), win);
    else
        snprintf(title, sizeof title, "%s", what);
    return ui_frame(c, title, false);
}

void ui_fig_rows_draw(const ui_canvas_t *c, const ui_fig_row_t *rows, int n, int member)
{
    const ui_t *ui = c->ui;
    if (member < 0) {
        ui_put(c, 0, 1, -1, THEME_MUTED, ui->have_shown ? "no member selected" : "waiting...");
        return;
    }
    const member_view_t *m = &ui->shown->members[member];
    int shown = n < c->r.h ? n : c->r.h;
    char val[16][96];
    theme_role_t role[16];
    int lw = 0, vw = 0;
    if (shown > 16)
        shown = 16;
    /* the value column is as wide as the values that have a sparkline after
       them; longer values of rows without one run into the sparkline column */
    for (int i = 0; i < shown; i++) {
        role[i] = THEME_NORMAL;
        rows[i].value(ui, m, val[i], sizeof val[i], &role[i]);
        int a = ui_cells(rows[i].label), b = ui_cells(val[i]);
        lw = a > lw ? a : lw;
        if (rows[i].hist >= 0 && b > vw)
            vw = b;
    }
    if (vw < 8)
        vw = 8;
    int x_val = 1 + lw + 1;
    if (x_val + vw > c->r.w - 1)
        vw = c->r.w - 1 - x_val;
    int x_spark = x_val + vw + 2;
    int sw = c->r.w - x_spark - 1;
    double h[STATS_HISTORY];
    for (int i = 0; i < shown; i++) {
        ui_put(c, i, 1, lw, THEME_MUTED, rows[i].label);
        if (ui_cells(val[i]) <= vw)
            ui_put_right(c, i, x_val, vw, role[i], val[i]);
        else
            ui_put(c, i, x_val, c->r.w - 1 - x_val, role[i], val[i]);
        if (rows[i].hist >= 0 && sw >= 4) {
            int k = ui_history(ui, member, (history_fig_t)rows[i].hist, h, STATS_HISTORY);
            ui_spark(c, i, x_spark, sw, h, k, rows[i].thr, rows[i].floor_zero);
        }
    }
}
