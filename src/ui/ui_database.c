/* ui_database.c — the database panel for the selected member: size, in use,
 * fragmentation, quota used, growth per hour and per day, time to quota. */
#include "ui_internal.h"

#include <stdio.h>

static void v_size(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                   theme_role_t *role)
{
    (void)size;
    bool ok = m->sample.up && m->iv.db_size.ok;
    ui_fmt_bytes(ui, out, m->iv.db_size.v, ok);
    *role = ok ? THEME_NORMAL : THEME_MUTED;
}

static void v_inuse(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                    theme_role_t *role)
{
    (void)size;
    bool ok = m->sample.up && m->iv.db_size_in_use.ok;
    ui_fmt_bytes(ui, out, m->iv.db_size_in_use.v, ok);
    *role = ok ? THEME_NORMAL : THEME_MUTED;
}

static void v_frag(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                   theme_role_t *role)
{
    static const char *const trend[] = { "", " stable", " rising", " falling" };
    bool ok = m->sample.up && m->iv.fragmentation_pct.ok;
    double v = ok ? m->iv.fragmentation_pct.v : NAN;
    char p[FORMAT_BUF];
    int t = m->fig.fragmentation_trend;
    snprintf(out, size, "%s%s", ui_fmt_pct(ui, p, v, ok), ok && t > 0 && t < 4 ? trend[t] : "");
    *role = ui_role_for(v, UI_THR_FRAG_PCT, THEME_NORMAL);
}

static void v_quota(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                    theme_role_t *role)
{
    double v = m->sample.up ? m->fig.quota_used_pct : NAN;
    char p[FORMAT_BUF], q[FORMAT_BUF];
    ui_fmt_pct(ui, p, v, true);
    if (isfinite(v) && m->sample.m.quota.ok)
        snprintf(out, size, "%s of %s", p, ui_fmt_bytes(ui, q, m->sample.m.quota.v, true));
    else
        snprintf(out, size, "%s", p);
    *role = ui_role_for(v, UI_THR_QUOTA_PCT, THEME_NORMAL);
}

static void v_growth(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                     theme_role_t *role)
{
    double g = ui_member_window(ui, m)->db_growth_per_s;
    char h[FORMAT_BUF], d[FORMAT_BUF];
    if (!isfinite(g)) {
        format_unknown(out, size, ui->fmt);
        *role = THEME_MUTED;
        return;
    }
    ui_fmt_bytes(ui, h, g * 3600.0, true);
    ui_fmt_bytes(ui, d, g * 86400.0, true);
    snprintf(out, size, "%s%s/h %s%s/d", g > 0 ? "+" : "", h, g > 0 ? "+" : "", d);
    *role = THEME_NORMAL;
}

static void v_eta(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                  theme_role_t *role)
{
    double eta = ui_member_window(ui, m)->quota_eta_s;
    if (isinf(eta) && eta > 0) {
        snprintf(out, size, "not growing");
        *role = THEME_OK;
        return;
    }
    char d[FORMAT_BUF];
    snprintf(out, size, "%s", ui_fmt_dur(ui, d, eta));
    *role = ui_role_for(eta, UI_THR_QUOTA_ETA_S, THEME_NORMAL);
}

/* Most telling first: rows that do not fit the panel's height are left out. */
static const ui_fig_row_t rows[] = {
    { "size", v_size, HIST_DB_SIZE, UI_THR_INIT_NONE, false },
    { "quota", v_quota, -1, UI_THR_INIT_NONE, false },
    { "frag", v_frag, HIST_FRAGMENTATION, UI_THR_INIT_FRAG_PCT, true },
    { "growth", v_growth, -1, UI_THR_INIT_NONE, false },
    { "to quota", v_eta, -1, UI_THR_INIT_NONE, false },
    { "in use", v_inuse, HIST_DB_IN_USE, UI_THR_INIT_NONE, false },
};

static void database_draw(const ui_canvas_t *c)
{
    ui_fill(c, THEME_NORMAL);
    int member = ui_members_selected(c->ui);
    ui_canvas_t in = ui_member_frame(c, "Database", member);
    ui_fig_rows_draw(&in, rows, (int)(sizeof rows / sizeof rows[0]), member);
}

const ui_panel_t ui_panel_database = {
    .name = "database",
    .dirty = UI_DIRTY_DATABASE,
    .rect_offset = offsetof(layout_t, database),
    .draw = database_draw,
    .click = NULL,
};
