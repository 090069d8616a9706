/* ui_header.c — the two header rows: what the cluster is (members, quorum,
 * leader, term, version, id), how fresh the picture is (interval, age of the
 * last complete poll, window), and on the right the overall status and the
 * markers an operator must not miss (no leader, split view, alarms, PAUSED,
 * INSECURE). */
#include "ui_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

double ui_data_age(const ui_t *ui, double now)
{
    if (!ui->have_shown || ui->shown->t <= 0)
        return NAN;
    double age = now - (ui->shown->t + ui->shown->poll_ms / 1000.0);
    if (fabs(age) > 1e7)                  /* now is not a wall-clock time */
        return NAN;
    return age < 0 ? 0 : age;
}

/* Badges drawn right to left from x_end; returns the new x_end. */
static int badge(const ui_canvas_t *c, int y, int x_end, theme_role_t role, bool reverse,
                 const char *text)
{
    int n = ui_cells(text) + 2;
    int x = x_end - n;
    if (x < c->r.w / 3)                   /* keep room for the facts on the left */
        return x_end;
    char b[96];
    snprintf(b, sizeof b, " %s ", text);
    ui_put_attr(c, y, x, n, ui_attr(c->ui, role) | (reverse ? A_REVERSE | A_BOLD : A_BOLD), b);
    return x - 1;
}

static theme_role_t status_role(health_status_t s)
{
    return s == STATUS_ALERT ? THEME_CRITICAL : s == STATUS_WARNING ? THEME_WARNING : THEME_OK;
}

/* Facts joined by separators, as many whole ones as fit in w cells (the
 * first ones matter most). */
typedef struct {
    char text[8][96];
    int  n;
} facts_t;

static void facts_add(facts_t *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void facts_add(facts_t *f, const char *fmt, ...)
{
    if (f->n >= 8)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text[f->n++], sizeof f->text[0], fmt, ap);
    va_end(ap);
}

static void facts_draw(const ui_canvas_t *c, int y, int w, const facts_t *f)
{
    const char *sep = ui_glyph_sep(c->ui);
    int x = 1;
    for (int i = 0; i < f->n; i++) {
        int need = ui_cells(f->text[i]) + (i ? 3 : 0);
        if (x + need > w)
            break;
        if (i) {
            ui_put(c, y, x + 1, 1, THEME_HEADER, sep);
            x += 3;
        }
        x += ui_put(c, y, x, -1, THEME_HEADER, f->text[i]);
    }
}

/* Row 0: the cluster. */
static void cluster_facts(const ui_t *ui, facts_t *f)
{
    const cluster_snapshot_t *s = ui->shown;
    if (ui->cluster_name[0])
        facts_add(f, "[%.60s]", ui->cluster_name);
    if (!ui->have_shown) {
        facts_add(f, "etcd-monitor");
        facts_add(f, "waiting for the first poll...");
        return;
    }
    facts_add(f, "%d/%d members up", s->members_up, s->members_total);
    facts_add(f, "quorum %d/%d voters (need %d)", s->voters_up, s->voters, s->voters / 2 + 1);
    if (s->leader_id)
        facts_add(f, "leader %.60s", s->leader_name[0] ? s->leader_name : "?");
    else
        facts_add(f, "no leader");
    facts_add(f, "term %" PRIu64, s->raft_term);
    if (s->version[0])
        facts_add(f, "etcd %.30s", s->version);
    if (s->cluster_id)
        facts_add(f, "cluster %016" PRIx64, s->cluster_id);
}

/* Row 1: freshness. */
static void freshness(const ui_t *ui, facts_t *f)
{
    const cluster_snapshot_t *s = ui->shown;
    char every[16], age[FORMAT_BUF], took[FORMAT_BUF], win[16];
    ui_window_label(ui->cfg.interval_ms, every, sizeof every);
    ui_window_label(ui_window_ms(ui), win, sizeof win);
    if (ui->replay[0]) {
        facts_add(f, "%s", ui->replay);
        facts_add(f, "poll #%ld", s->iteration);
        return;
    }
    if (!ui->have_shown) {
        facts_add(f, "poll every %s", every);
        return;
    }
    double a = ui_data_age(ui, ui->now);
    if (isnan(a))
        format_unknown(age, sizeof age, ui->fmt);
    else
        snprintf(age, sizeof age, "%.0fs", floor(a));
    ui_fmt_ms(ui, took, s->poll_ms);
    facts_add(f, "last poll %s ago", age);
    facts_add(f, "window %s", win);
    facts_add(f, "every %s", every);
    facts_add(f, "took %s", took);
    facts_add(f, "poll #%ld", s->iteration);
}

static void header_draw(const ui_canvas_t *c)
{
    const ui_t *ui = c->ui;
    const cluster_snapshot_t *s = ui->shown;
    ui_fill(c, THEME_HEADER);

    /* row 0: status badge on the right, facts on the left */
    int x0 = c->r.w - 1;
    if (ui->have_shown)
        x0 = badge(c, 0, x0, status_role(s->status), true, cluster_status_name(s->status));
    facts_t f = { .n = 0 };
    cluster_facts(ui, &f);
    facts_draw(c, 0, x0, &f);

    /* row 1: markers on the right, freshness on the left */
    int x1 = c->r.w - 1;
    if (ui->cfg.insecure)
        x1 = badge(c, 1, x1, THEME_CRITICAL, true, "INSECURE");
    if (ui->replay[0])
        x1 = badge(c, 1, x1, THEME_WARNING, true, "REPLAY");
    if (ui->paused)
        x1 = badge(c, 1, x1, THEME_WARNING, true, "PAUSED");
    if (ui->have_shown) {
        for (int i = s->n_alarms - 1; i >= 0; i--) {
            char a[48];
            snprintf(a, sizeof a, "ALARM %s", s->alarms[i].alarm);
            x1 = badge(c, 1, x1, THEME_CRITICAL, true, a);
        }
        if (s->split_view)
            x1 = badge(c, 1, x1, THEME_WARNING, true, "SPLIT VIEW");
        if (s->source_error[0]) {          /* --prometheus: down, empty, failing */
            char t[64];
            snprintf(t, sizeof t, "%.60s", s->source_error);
            x1 = badge(c, 1, x1, THEME_CRITICAL, true, t);
        }
        if (!s->leader_id && s->members_up > 0) {
            char d[FORMAT_BUF], t[64];
            ui_fmt_dur(ui, d, s->no_leader_s);
            snprintf(t, sizeof t, "NO LEADER %s", d);
            x1 = badge(c, 1, x1, THEME_CRITICAL, true, t);
        }
    }
    f.n = 0;
    freshness(ui, &f);
    facts_draw(c, 1, x1, &f);
}

const ui_panel_t ui_panel_header = {
    .name = "header",
    .dirty = UI_DIRTY_HEADER,
    .rect_offset = offsetof(layout_t, header),
    .draw = header_draw,
    .click = NULL,
};
