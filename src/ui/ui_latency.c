/* ui_latency.c — the latency panel for the selected member: WAL fsync and
 * backend commit p50/p95/p99 over the chosen window, peer round trip and the
 * read/write probes, each with a p99 trend sparkline coloured by threshold. */
#include "ui_internal.h"

#include <stdint.h>
#include <stdio.h>

#define NONE SIZE_MAX

typedef struct {
    const char   *label;
    size_t        q[3];           /* offsets of p50, p95, p99 in window_figures_t */
    history_fig_t hist;           /* the trend */
    ui_thr_t      thr;
} lat_row_t;

#define Q(a, b, c) { offsetof(window_figures_t, a), offsetof(window_figures_t, b), \
                     offsetof(window_figures_t, c) }
static const lat_row_t rows[] = {
    { "WAL", Q(wal_p50, wal_p95, wal_p99), HIST_WAL_P99, UI_THR_INIT_WAL_MS },
    { "commit", Q(backend_p50, backend_p95, backend_p99), HIST_BACKEND_P99,
      UI_THR_INIT_BACKEND_MS },
    { "peer", { NONE, NONE, offsetof(window_figures_t, peer_rtt_p99) }, HIST_PEER_RTT_P99,
      UI_THR_INIT_PEER_MS },
    { "read", Q(read_p50, read_p95, read_p99), HIST_READ_MS, UI_THR_INIT_PROBE_MS },
    { "write", Q(write_p50, write_p95, write_p99), HIST_WRITE_MS, UI_THR_INIT_PROBE_MS },
};
#undef Q
#define N_ROWS ((int)(sizeof rows / sizeof rows[0]))

static double quantile(const window_figures_t *w, size_t off)
{
    if (off == NONE)
        return NAN;
    return *(const double *)(const void *)((const char *)w + off);
}

static void latency_draw(const ui_canvas_t *c)
{
    const ui_t *ui = c->ui;
    ui_fill(c, THEME_NORMAL);
    int member = ui_members_selected(ui);
    ui_canvas_t in = ui_member_frame(c, "Latency", member);
    if (member < 0) {
        ui_put(&in, 0, 1, -1, THEME_MUTED, ui->have_shown ? "no member" : "waiting...");
        return;
    }
    const member_view_t *m = &ui->shown->members[member];
    const window_figures_t *w = ui_member_window(ui, m);
    static const char *const qname[3] = { "p50", "p95", "p99" };

    /* columns: label, then p50 p95 p99 (only p99 when narrow), then the trend */
    const int lw = 6, qw = 7;
    int first = in.r.w >= 1 + lw + 3 * (qw + 1) + 6 ? 0 : in.r.w >= 1 + lw + 2 * (qw + 1) + 6 ? 1 : 2;
    int x_trend = 1 + lw + (3 - first) * (qw + 1) + 1;
    int sw = in.r.w - x_trend - 1;
    for (int q = first; q < 3; q++)
        ui_put_right(&in, 0, 1 + lw + (q - first) * (qw + 1), qw, THEME_TITLE, qname[q]);
    if (sw >= 4)
        ui_put(&in, 0, x_trend, sw, THEME_TITLE, sw >= 9 ? "p99 trend" : "trend");

    double h[STATS_HISTORY];
    for (int i = 0; i < N_ROWS && 1 + i < in.r.h; i++) {
        const lat_row_t *r = &rows[i];
        ui_put(&in, 1 + i, 1, lw, THEME_MUTED, r->label);
        for (int q = first; q < 3; q++) {
            if (r->q[q] == NONE)
                continue;
            char v[FORMAT_BUF];
            double x = quantile(w, r->q[q]);
            ui_put_right(&in, 1 + i, 1 + lw + (q - first) * (qw + 1), qw,
                         ui_role_for(x, r->thr, THEME_NORMAL), ui_fmt_ms(ui, v, x));
        }
        if (sw >= 4) {
            int n = ui_history(ui, member, r->hist, h, STATS_HISTORY);
            ui_spark(&in, 1 + i, x_trend, sw, h, n, r->thr, true);
        }
    }
}

const ui_panel_t ui_panel_latency = {
    .name = "latency",
    .dirty = UI_DIRTY_LATENCY,
    .rect_offset = offsetof(layout_t, latency),
    .draw = latency_draw,
    .click = NULL,
};
