/* ui_raft.c — the raft panel for the selected member: proposals committed,
 * applied, pending and failed, leader changes and slow applies over the
 * window, and where its log stands. */
#include "ui_internal.h"

#include <stdio.h>

static void v_committed(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                        theme_role_t *role)
{
    (void)size;
    double v = ui_member_window(ui, m)->proposals_committed_rate;
    ui_fmt_rate(ui, out, v);
    *role = isfinite(v) ? THEME_NORMAL : THEME_MUTED;
}

static void v_applied(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                      theme_role_t *role)
{
    (void)size;
    double v = ui_member_window(ui, m)->proposals_applied_rate;
    ui_fmt_rate(ui, out, v);
    *role = isfinite(v) ? THEME_NORMAL : THEME_MUTED;
}

static void v_pending(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                      theme_role_t *role)
{
    (void)size;
    bool ok = m->sample.up && m->sample.m.proposals_pending.ok;
    double v = ok ? m->sample.m.proposals_pending.v : NAN;
    ui_fmt_count(ui, out, v, ok);
    *role = ui_role_for(v, UI_THR_PENDING, THEME_NORMAL);
}

static void v_failed(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                     theme_role_t *role)
{
    (void)size;
    double v = ui_member_window(ui, m)->proposals_failed_rate;
    ui_fmt_rate(ui, out, v);
    *role = ui_role_for(v, UI_THR_FAILED_RATE, THEME_NORMAL);
}

/* "3 in 5m" for an increase over the window. */
static void in_window(const ui_t *ui, double v, char *out, size_t size)
{
    char n[FORMAT_BUF], w[16];
    ui_fmt_count(ui, n, v, true);
    ui_window_label(ui_window_ms(ui), w, sizeof w);
    snprintf(out, size, "%s in %s", n, w);
}

static void v_leader(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                     theme_role_t *role)
{
    double v = ui_member_window(ui, m)->leader_changes;
    in_window(ui, v, out, size);
    *role = ui_role_for(v, UI_THR_LEADER_CHG, THEME_NORMAL);
}

static void v_slow(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                   theme_role_t *role)
{
    double v = ui_member_window(ui, m)->slow_applies;
    in_window(ui, v, out, size);
    *role = ui_role_for(v, UI_THR_SLOW, THEME_NORMAL);
}

static void v_index(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                    theme_role_t *role)
{
    const status_sample_t *s = &m->sample.s;
    if (!m->sample.up || !s->ok) {
        format_unknown(out, size, ui->fmt);
        *role = THEME_MUTED;
        return;
    }
    snprintf(out, size, "%llu term %llu", (unsigned long long)s->raft_index,
             (unsigned long long)s->raft_term);
    *role = THEME_NORMAL;
}

static const ui_fig_row_t rows[] = {
    { "committed", v_committed, HIST_PROPOSALS_COMMITTED_RATE, UI_THR_INIT_NONE, true },
    { "pending", v_pending, HIST_PROPOSALS_PENDING, UI_THR_INIT_PENDING, true },
    { "failed", v_failed, HIST_PROPOSALS_FAILED_RATE, UI_THR_INIT_FAILED_RATE, true },
    { "leader chg", v_leader, HIST_LEADER_CHANGES, UI_THR_INIT_NONE, true },
    { "slow apply", v_slow, HIST_SLOW_APPLIES, UI_THR_INIT_NONE, true },
    { "applied", v_applied, -1, UI_THR_INIT_NONE, false },
    { "index", v_index, -1, UI_THR_INIT_NONE, false },
};

static void raft_draw(const ui_canvas_t *c)
{
    ui_fill(c, THEME_NORMAL);
    int member = ui_members_selected(c->ui);
    ui_canvas_t in = ui_member_frame(c, "Raft", member);
    ui_fig_rows_draw(&in, rows, (int)(sizeof rows / sizeof rows[0]), member);
}

const ui_panel_t ui_panel_raft = {
    .name = "raft",
    .dirty = UI_DIRTY_RAFT,
    .rect_offset = offsetof(layout_t, raft),
    .draw = raft_draw,
    .click = NULL,
};
