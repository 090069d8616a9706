/* ui_graph.c — the full-screen history graph of one figure of one member
 * (Enter on a detail graph, or o): the plot across the whole width (graph.c
 * does the math into a cell buffer; this file only draws it), the value and
 * time axes, min/avg/max over the span, the alert rules' thresholds as lines
 * and the spans when those alerts fired shaded (and marked on a strip under
 * the time axis). + and - zoom through 1m .. 24h; the span ends at the shown
 * poll, so a paused or replayed screen graphs its own moment. */
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>
#include "graph.h"

#define NO_RULES { NULL }
static const ui_gfig_t figs[] = {
    { "WAL fsync p99", HIST_WAL_P99, UI_GFMT_MS, UI_THR_INIT_WAL_MS, true,
      { "WalFsyncP99High", "SeedWalFsyncSlow", "EtcdHighFsyncDurations",
        "EtcdHighFsyncDurationsCritical" }, 1 },
    { "backend commit p99", HIST_BACKEND_P99, UI_GFMT_MS, UI_THR_INIT_BACKEND_MS, true,
      { "BackendCommitP99High", "SeedBackendCommitSlow", "EtcdHighCommitDurations" }, 1 },
    { "peer round trip p99", HIST_PEER_RTT_P99, UI_GFMT_MS, UI_THR_INIT_PEER_MS, true,
      { "EtcdMemberCommunicationSlow" }, 1 },
    { "read probe", HIST_READ_MS, UI_GFMT_MS, UI_THR_INIT_PROBE_MS, true,
      { "RequestLatencyHigh" }, 1 },
    { "db size", HIST_DB_SIZE, UI_GFMT_BYTES, UI_THR_INIT_NONE, false, { "DatabaseSizeHigh" },
      1048576.0 },
    { "fragmentation", HIST_FRAGMENTATION, UI_GFMT_PCT, UI_THR_INIT_FRAG_PCT, true,
      { "SeedHighFragmentation" }, 1 },
    { "proposals committed", HIST_PROPOSALS_COMMITTED_RATE, UI_GFMT_RATE, UI_THR_INIT_NONE,
      true, NO_RULES, 1 },
    { "rss", HIST_RSS, UI_GFMT_BYTES, UI_THR_INIT_NONE, false, NO_RULES, 1 },
    /* graph view only (the detail view shows the first UI_DETAIL_GRAPHS) */
    { "write probe", HIST_WRITE_MS, UI_GFMT_MS, UI_THR_INIT_PROBE_MS, true, NO_RULES, 1 },
    { "db in use", HIST_DB_IN_USE, UI_GFMT_BYTES, UI_THR_INIT_NONE, false, NO_RULES, 1 },
    { "proposals failed", HIST_PROPOSALS_FAILED_RATE, UI_GFMT_RATE, UI_THR_INIT_FAILED_RATE, true,
      { "EtcdHighNumberOfFailedProposals" }, 1 },
    { "proposals pending", HIST_PROPOSALS_PENDING, UI_GFMT_COUNT, UI_THR_INIT_PENDING, true,
      NO_RULES, 1 },
    { "leader changes", HIST_LEADER_CHANGES, UI_GFMT_COUNT, UI_THR_INIT_LEADER_CHG, true,
      { "SeedLeaderInstability" }, 1 },
    { "slow applies", HIST_SLOW_APPLIES, UI_GFMT_COUNT, UI_THR_INIT_SLOW, true, NO_RULES, 1 },
};
#define N_FIGS ((int)(sizeof figs / sizeof figs[0]))

/* The zoom spans (+ narrows, - widens). */
static const int zoom_s[] = { 60, 300, 900, 3600, 6 * 3600, 24 * 3600 };
#define N_ZOOM ((int)(sizeof zoom_s / sizeof zoom_s[0]))
#define ZOOM_DEFAULT 2

#define Y_LABEL_W 10               /* the value axis' labels, left of the plot */

/* The zoom in use: ui->graph_zoom counts steps from the default (15m). */
static int zoom_index(const ui_t *ui)
{
    int z = ZOOM_DEFAULT + ui->graph_zoom;
    return z < 0 ? 0 : z >= N_ZOOM ? N_ZOOM - 1 : z;
}

const ui_gfig_t *ui_graph_figs(int *n)
{
    *n = N_FIGS;
    return figs;
}

const char *ui_gfmt(const ui_t *ui, ui_gfmt_t f, double v, char *out)
{
    switch (f) {
    case UI_GFMT_MS:
        return ui_fmt_ms(ui, out, v);
    case UI_GFMT_BYTES:
        return ui_fmt_bytes(ui, out, v, isfinite(v));
    case UI_GFMT_PCT:
        return ui_fmt_pct(ui, out, v, isfinite(v));
    case UI_GFMT_COUNT:
        return ui_fmt_count(ui, out, v, isfinite(v));
    default:
        return ui_fmt_rate(ui, out, v);
    }
}

void ui_graph_open(ui_t *ui, int fig, double now)
{
    if (ui_members_selected(ui) < 0) {
        ui_notice(ui, now, 3, "no member to graph yet");
        return;
    }
    if (ui->view != UI_VIEW_GRAPH)
        ui->graph_return = ui->view == UI_VIEW_HELP ? UI_VIEW_MAIN : ui->view;
    ui->graph_fig = fig >= 0 && fig < N_FIGS ? fig : 0;
    ui->view = UI_VIEW_GRAPH;
    ui->dirty = UI_DIRTY_ALL;
}

bool ui_graph_key(ui_t *ui, int key, double now)
{
    (void)now;
    int z = zoom_index(ui);
    switch (key) {
    case '+':
    case '=':
        z = z > 0 ? z - 1 : 0;
        break;
    case '-':
    case '_':
        z = z + 1 < N_ZOOM ? z + 1 : N_ZOOM - 1;
        break;
    case KEY_DOWN:
    case 'j':
        ui->graph_fig = (ui->graph_fig + 1) % N_FIGS;
        break;
    case KEY_UP:
    case 'k':
        ui->graph_fig = (ui->graph_fig + N_FIGS - 1) % N_FIGS;
        break;
    case '\t':
        ui_members_move(ui, 1);
        break;
    case KEY_BTAB:
        ui_members_move(ui, -1);
        break;
    case 27:
    case 'q':
    case KEY_BACKSPACE:
    case 127:
        ui->view = ui->graph_return;
        break;
    default:
        return false;
    }
    ui->graph_zoom = z - ZOOM_DEFAULT;
    ui->dirty = UI_DIRTY_ALL;
    return true;
}

/* The figure's alert thresholds (warning, critical) in its unit: its first
 * rule's in this run, else what that rule's alerts seen said; NAN = none. */
static void thresholds(const ui_t *ui, const ui_gfig_t *f, double thr[2])
{
    static const severity_t sev[2] = { SEV_WARNING, SEV_CRITICAL };
    for (int i = 0; i < 2; i++) {
        thr[i] = NAN;
        if (!f->rules[0])
            continue;
        thr[i] = ui->cfg.rules ? rules_threshold_sev(ui->cfg.rules, f->rules[0], sev[i])
                               : spans_threshold(&ui->spans, f->rules[0], sev[i]);
        thr[i] *= f->thr_scale;
    }
    if (thr[0] == thr[1])              /* a one-level rule: one line */
        thr[1] = NAN;
}

/* How many rules f names. */
static int n_rules(const ui_gfig_t *f)
{
    int n = 0;
    while (n < UI_GFIG_RULES && f->rules[n])
        n++;
    return n;
}

/* "1m", "15m", "6h" for a zoom span. */
static void span_label(int s, char *out, size_t n)
{
    ui_window_label((int64_t)s * 1000, out, n);
}

/* The title row and the legend row. */
static void draw_heads(const ui_canvas_t *c, const ui_gfig_t *f, const member_view_t *m,
                       const hist_point_t *p, int n, int step, const double thr[2], int shaded)
{
    const ui_t *ui = c->ui;
    double mn, avg, mx;
    graph_stats(p, n, &mn, &avg, &mx);
    char a[FORMAT_BUF], b[FORMAT_BUF], d[FORMAT_BUF], e[FORMAT_BUF], span[16], res[48];
    span_label(zoom_s[zoom_index(ui)], span, sizeof span);
    if (step > 0)
        snprintf(res, sizeof res, "%d s min/avg/max a point", step);
    else
        snprintf(res, sizeof res, "every poll");
    const char *sep = ui_glyph_sep(ui);
    double last = n > 0 ? p[n - 1].avg : NAN;
    ui_putf(c, 0, 1, -1, THEME_TITLE, "%s %s %s %s span %s (%s) %s now %s %s min %s avg %s max %s",
            f->title, sep, m->name, sep, span, res, sep, ui_gfmt(ui, f->fmt, last, a), sep,
            ui_gfmt(ui, f->fmt, mn, b), ui_gfmt(ui, f->fmt, avg, d), ui_gfmt(ui, f->fmt, mx, e));
    int x = 1;
    static const char *const lvl[2] = { "warning", "critical" };
    for (int i = 0; i < 2; i++) {
        if (isnan(thr[i]))
            continue;
        char line[96];
        snprintf(line, sizeof line, "%s %s %s (%s)  ", ui->utf8 ? (i ? "\u2501" : "\u2504")
                 : (i ? "=" : "-"), lvl[i], ui_gfmt(ui, f->fmt, thr[i], a), f->rules[0]);
        x += ui_put(c, 1, x, -1, i ? THEME_SPARK_CRITICAL : THEME_SPARK_WARNING, line);
    }
    if (!f->rules[0])
        x += ui_put(c, 1, x, -1, THEME_MUTED, "no alert rule on this figure  ");
    ui_putf(c, 1, x, -1, shaded ? THEME_CRITICAL : THEME_MUTED, "alerts fired: %d column%s shaded",
            shaded, shaded == 1 ? "" : "s");
}

/* The plot cells, shaded columns in reverse video. */
static void draw_cells(const ui_canvas_t *c, const graph_t *g, int y0, int x0)
{
    const ui_t *ui = c->ui;
    char s[8];
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++) {
            const graph_cell_t *cell = &g->c[y][x];
            theme_role_t role = cell->dots                  ? THEME_SPARKLINE
                                : cell->flags & GCELL_CRIT ? THEME_SPARK_CRITICAL
                                : cell->flags & GCELL_WARN ? THEME_SPARK_WARNING
                                                           : THEME_NORMAL;
            attr_t at = ui_attr(ui, role);
            if (cell->flags & GCELL_SHADE)
                at = ui_attr(ui, THEME_CRITICAL) | A_REVERSE;
            ui_put_attr(c, y0 + y, x0 + x, 1, at, graph_glyph(g, cell, s));
        }
}

void ui_graph_draw(const ui_canvas_t *c)
{
    static graph_t g;                          /* 128 KiB: not on the stack */
    static hist_point_t pts[HIST_RANGE_MAX];
    const ui_t *ui = c->ui;
    ui_fill(c, THEME_NORMAL);
    int member = ui_members_selected(ui);
    const ui_gfig_t *f = &figs[ui->graph_fig >= 0 && ui->graph_fig < N_FIGS ? ui->graph_fig : 0];
    int footer_y = c->r.h - 1;
    ui_putf(c, footer_y, 1, -1, THEME_FOOTER,
            "+/- zoom (1m 5m 15m 1h 6h 24h)  Up/Down figure  Tab member  Esc/q back%s",
            ui->replay[0] ? "  (replay: the recorded polls before the cursor, up to 960 after "
                            "a jump)" : "");
    if (member < 0 || !ui->have_shown) {
        ui_put(c, 2, 2, -1, THEME_MUTED, "no member to graph (Esc: back)");
        return;
    }
    const member_view_t *m = &ui->shown->members[member];
    int span = zoom_s[zoom_index(ui)];
    double to = ui->shown->t, from = to - span;
    int step = 0, n = history_range(ui->hist, m->name, f->hist, from, to, pts,
                                     (int)(sizeof pts / sizeof pts[0]), &step);
    double thr[2];
    thresholds(ui, f, thr);
    double lo, hi;
    graph_scale(pts, n, f->floor_zero, thr, 2, &lo, &hi);
    int pw = c->r.w - Y_LABEL_W - 2, ph = c->r.h - 6;
    if (pw < 10 || ph < 3) {
        ui_put(c, 2, 2, -1, THEME_WARNING, "terminal too small for the graph");
        return;
    }
    graph_init(&g, ui->utf8 ? GRAPH_BRAILLE : GRAPH_ASCII, pw, ph, from, to, lo, hi);
    pw = g.w;
    ph = g.h;
    double interval = ui->cfg.interval_ms > 0 ? ui->cfg.interval_ms / 1000.0 : 1.0;
    graph_plot(&g, pts, n, (step > 0 ? step : interval) * 2.5);
    graph_threshold(&g, thr[0], GCELL_WARN);
    graph_threshold(&g, thr[1], GCELL_CRIT);
    graph_span_t spans[64];
    int ns = spans_find(&ui->spans, m->name, f->rules, n_rules(f), from, to, spans, 64);
    int shaded = graph_shade(&g, spans, ns);
    draw_heads(c, f, m, pts, n, step, thr, shaded);

    int y0 = 2, x0 = Y_LABEL_W + 1;
    char a[FORMAT_BUF];
    ui_put_right(c, y0, 0, Y_LABEL_W, THEME_MUTED, ui_gfmt(ui, f->fmt, hi, a));
    ui_put_right(c, y0 + ph / 2, 0, Y_LABEL_W, THEME_MUTED,
                 ui_gfmt(ui, f->fmt, hi - (hi - lo) * (ph / 2) / (ph > 1 ? ph - 1 : 1), a));
    ui_put_right(c, y0 + ph - 1, 0, Y_LABEL_W, THEME_MUTED, ui_gfmt(ui, f->fmt, lo, a));
    for (int y = 0; y < ph; y++)
        ui_put(c, y0 + y, x0 - 1, 1, THEME_BORDER, ui->utf8 ? "\u2502" : "|");
    draw_cells(c, &g, y0, x0);
    if (n == 0)
        ui_put(c, y0 + ph / 2, x0 + 2, -1, THEME_MUTED, "no data in this span yet");

    char axis[GRAPH_MAX_W + 1];
    graph_time_axis(from, to, pw, axis, sizeof axis);
    ui_put(c, y0 + ph, x0, pw, THEME_MUTED, axis);
    ui_put(c, y0 + ph + 1, 0, Y_LABEL_W, THEME_MUTED, "  alerts");
    for (int x = 0; x < pw; x++)
        if (g.c[0][x].flags & GCELL_SHADE)
            ui_put(c, y0 + ph + 1, x0 + x, 1, THEME_CRITICAL, ui->utf8 ? "\u2588" : "#");
}
