/* ui_detail.c — the member detail view (Enter on a member): every figure of
 * that member in a facts box, and larger graphs of its histories over the
 * window, placed by layout_detail_compute(). Esc goes back. */
#include "ui_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char  *label;
    char         value[64];
    theme_role_t role;
} fact_t;

#define MAX_FACTS 48

/* Append one fact. */
static void fact(fact_t *f, int *n, const char *label, theme_role_t role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void fact(fact_t *f, int *n, const char *label, theme_role_t role, const char *fmt, ...)
{
    if (*n >= MAX_FACTS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f[*n].value, sizeof f[*n].value, fmt, ap);
    va_end(ap);
    f[*n].label = label;
    f[*n].role = role;
    (*n)++;
}

/* "p50 / p95 / p99" in one value, coloured by the p99. */
static void triple(const ui_t *ui, fact_t *f, int *n, const char *label, double a, double b,
                   double c, ui_thr_t thr)
{
    char x[FORMAT_BUF], y[FORMAT_BUF], z[FORMAT_BUF];
    fact(f, n, label, ui_role_for(c, thr, THEME_NORMAL), "%s %s %s", ui_fmt_ms(ui, x, a),
         ui_fmt_ms(ui, y, b), ui_fmt_ms(ui, z, c));
}

/* A bucket bound in ms, short: "8", "0.5", "inf". */
static void basis_bound(char *b, size_t n, double v)
{
    if (isinf(v))
        snprintf(b, n, "inf");
    else
        snprintf(b, n, "%g", v);
}

/* What a p99 rests on: "p99 15.7ms (n=64, bucket 8-16ms)"; "p99 -" unknown. */
static void basis(const ui_t *ui, fact_t *f, int *n, const char *label, double p99, double obs,
                  double lo, double hi, ui_thr_t thr)
{
    char v[FORMAT_BUF], l[24], h[24];
    if (isnan(p99) || isnan(obs)) {
        fact(f, n, label, THEME_MUTED, "p99 %s (n=%s)", ui_fmt_ms(ui, v, p99),
             isnan(obs) ? "?" : "0");
        return;
    }
    basis_bound(l, sizeof l, lo);
    basis_bound(h, sizeof h, hi);
    fact(f, n, label, ui_role_for(p99, thr, THEME_NORMAL), "p99 %s (n=%.0f, bucket %s-%sms)",
         ui_fmt_ms(ui, v, p99), obs, l, h);
}

/* Every figure of member m, most important first. */
static int facts(const ui_t *ui, const member_view_t *m, fact_t *f)
{
    int n = 0;
    const member_sample_t *s = &m->sample;
    const metrics_sample_t *mm = &s->m;
    const window_figures_t *w = ui_member_window(ui, m);
    char a[FORMAT_BUF], b[FORMAT_BUF], st[128];
    theme_role_t role;
    bool up = s->up;

    ui_member_status(ui, m, st, sizeof st, &role);
    fact(f, &n, "status", role, "%s", st);
    const char *r = ui_member_role(ui, m, &role);
    fact(f, &n, "role", role, "%s", r);
    fact(f, &n, "endpoint", THEME_NORMAL, "%s",
         strncmp(m->endpoint, "http://", 7) == 0 ? m->endpoint + 7 : m->endpoint);
    if (m->id)
        fact(f, &n, "id", THEME_NORMAL, "%016" PRIx64, m->id);
    else
        fact(f, &n, "id", THEME_MUTED, "%s", ui->utf8 ? "\u2014" : "-");
    const char *ver = s->s.version[0] ? s->s.version : mm->server_version;
    fact(f, &n, "version", ver[0] ? THEME_NORMAL : THEME_MUTED, "%s",
         ver[0] ? ver : (ui->utf8 ? "\u2014" : "-"));
    triple(ui, f, &n, "WAL p50/95/99", w->wal_p50, w->wal_p95, w->wal_p99, UI_THR_WAL_MS);
    triple(ui, f, &n, "commit 50/95/99", w->backend_p50, w->backend_p95, w->backend_p99,
           UI_THR_BACKEND_MS);
    fact(f, &n, "peer rtt p99", ui_role_for(w->peer_rtt_p99, UI_THR_PEER_MS, THEME_NORMAL), "%s",
         ui_fmt_ms(ui, a, w->peer_rtt_p99));
    /* the observations and bucket behind each p99 (alerts judge a quantile
     * only on min_observations) */
    basis(ui, f, &n, "WAL basis", w->wal_p99, w->wal_n, w->wal_p99_lo, w->wal_p99_hi,
          UI_THR_WAL_MS);
    basis(ui, f, &n, "commit basis", w->backend_p99, w->backend_n, w->backend_p99_lo,
          w->backend_p99_hi, UI_THR_BACKEND_MS);
    basis(ui, f, &n, "peer rtt basis", w->peer_rtt_p99, w->peer_rtt_n, w->peer_rtt_p99_lo,
          w->peer_rtt_p99_hi, UI_THR_PEER_MS);
    triple(ui, f, &n, "read p50/95/99", w->read_p50, w->read_p95, w->read_p99, UI_THR_PROBE_MS);
    triple(ui, f, &n, "write 50/95/99", w->write_p50, w->write_p95, w->write_p99,
           UI_THR_PROBE_MS);
    bool dbok = up && m->iv.db_size.ok;
    fact(f, &n, "db size", dbok ? THEME_NORMAL : THEME_MUTED, "%s",
         ui_fmt_bytes(ui, a, m->iv.db_size.v, dbok));
    bool iuok = up && m->iv.db_size_in_use.ok;
    fact(f, &n, "db in use", iuok ? THEME_NORMAL : THEME_MUTED, "%s",
         ui_fmt_bytes(ui, a, m->iv.db_size_in_use.v, iuok));
    double frag = up && m->iv.fragmentation_pct.ok ? m->iv.fragmentation_pct.v : NAN;
    fact(f, &n, "fragmentation", ui_role_for(frag, UI_THR_FRAG_PCT, THEME_NORMAL), "%s",
         ui_fmt_pct(ui, a, frag, true));
    double q = up ? m->fig.quota_used_pct : NAN;
    fact(f, &n, "quota used", ui_role_for(q, UI_THR_QUOTA_PCT, THEME_NORMAL), "%s of %s",
         ui_fmt_pct(ui, a, q, true), ui_fmt_bytes(ui, b, mm->quota.v, up && mm->quota.ok));
    fact(f, &n, "db growth", THEME_NORMAL, "%s/h",
         ui_fmt_bytes(ui, a, w->db_growth_per_s * 3600.0, isfinite(w->db_growth_per_s)));
    if (isinf(w->quota_eta_s) && w->quota_eta_s > 0)
        fact(f, &n, "time to quota", THEME_OK, "not growing");
    else
        fact(f, &n, "time to quota", ui_role_for(w->quota_eta_s, UI_THR_QUOTA_ETA_S, THEME_NORMAL),
             "%s", ui_fmt_dur(ui, a, w->quota_eta_s));
    if (!isnan(m->disk_free_pct))        /* df -P on the member's host, up or not */
        fact(f, &n, "host disk free", ui_role_for(m->disk_free_pct, UI_THR_DISK_FREE,
                                                  THEME_NORMAL), "%s",
             ui_fmt_pct(ui, a, m->disk_free_pct, true));
    if (up && s->s.ok) {
        fact(f, &n, "raft term", THEME_NORMAL, "%" PRIu64, s->s.raft_term);
        fact(f, &n, "raft index", THEME_NORMAL, "%" PRIu64 " (applied %" PRIu64 ")",
             s->s.raft_index, s->s.raft_applied_index);
        fact(f, &n, "revision", THEME_NORMAL, "%" PRIu64, s->s.revision);
    }
    fact(f, &n, "apply lag", ui_role_for(up ? m->fig.apply_lag : NAN, UI_THR_APPLY_LAG, THEME_NORMAL),
         "%s", ui_fmt_count(ui, a, up ? m->fig.apply_lag : NAN, true));
    fact(f, &n, "behind leader", ui_role_for(up ? m->fig.raft_index_lag : NAN, UI_THR_APPLY_LAG,
                                             THEME_NORMAL),
         "%s", ui_fmt_count(ui, a, up ? m->fig.raft_index_lag : NAN, true));
    fact(f, &n, "committed", THEME_NORMAL, "%s", ui_fmt_rate(ui, a, w->proposals_committed_rate));
    fact(f, &n, "applied", THEME_NORMAL, "%s", ui_fmt_rate(ui, a, w->proposals_applied_rate));
    fact(f, &n, "failed", ui_role_for(w->proposals_failed_rate, UI_THR_FAILED_RATE, THEME_NORMAL),
         "%s", ui_fmt_rate(ui, a, w->proposals_failed_rate));
    fact(f, &n, "pending", THEME_NORMAL, "%s",
         ui_fmt_count(ui, a, mm->proposals_pending.v, up && mm->proposals_pending.ok));
    fact(f, &n, "leader changes", ui_role_for(w->leader_changes, UI_THR_LEADER_CHG, THEME_NORMAL),
         "%s", ui_fmt_count(ui, a, w->leader_changes, true));
    fact(f, &n, "slow applies", ui_role_for(w->slow_applies, UI_THR_SLOW, THEME_NORMAL), "%s",
         ui_fmt_count(ui, a, w->slow_applies, true));
    fact(f, &n, "slow read idx", THEME_NORMAL, "%s",
         ui_fmt_count(ui, a, w->slow_read_indexes, true));
    fact(f, &n, "grpc", THEME_NORMAL, "%s, %s failed", ui_fmt_rate(ui, a, w->grpc_rate),
         ui_fmt_pct(ui, b, w->grpc_failed_ratio * 100.0, isfinite(w->grpc_failed_ratio)));
    fact(f, &n, "heartbeat fails", THEME_NORMAL, "%s",
         ui_fmt_count(ui, a, mm->heartbeat_failures.v, up && mm->heartbeat_failures.ok));
    fact(f, &n, "watchers", THEME_NORMAL, "%s in %s streams",
         ui_fmt_count(ui, a, mm->watchers.v, up && mm->watchers.ok),
         ui_fmt_count(ui, b, mm->watch_streams.v, up && mm->watch_streams.ok));
    fact(f, &n, "cpu", THEME_NORMAL, "%.2f cores", isfinite(w->cpu_rate) ? w->cpu_rate : 0.0);
    if (!isfinite(w->cpu_rate))
        snprintf(f[n - 1].value, sizeof f[n - 1].value, "%s", ui->utf8 ? "\u2014" : "-");
    fact(f, &n, "rss", THEME_NORMAL, "%s", ui_fmt_bytes(ui, a, mm->rss.v, up && mm->rss.ok));
    fact(f, &n, "open fds", THEME_NORMAL, "%s",
         ui_fmt_count(ui, a, mm->open_fds.v, up && mm->open_fds.ok));
    if (s->s.ok && s->s.errors[0])
        fact(f, &n, "errors", THEME_CRITICAL, "%s", s->s.errors);
    return n;
}

static void draw_graph(const ui_canvas_t *c, const ui_gfig_t *g, int member, bool selected)
{
    const ui_t *ui = c->ui;
    double h[STATS_HISTORY];
    int n = ui_history(ui, member, g->hist, h, STATS_HISTORY);
    double last = NAN, max = NAN, min = NAN;
    for (int i = 0; i < n; i++) {
        if (!isfinite(h[i]))
            continue;
        last = h[i];
        max = isnan(max) || h[i] > max ? h[i] : max;
        min = isnan(min) || h[i] < min ? h[i] : min;
    }
    char a[FORMAT_BUF], b[FORMAT_BUF], d[FORMAT_BUF], win[16], title[160];
    ui_window_label(ui_window_ms(ui), win, sizeof win);
    snprintf(title, sizeof title, "%s %s now %s %s min %s max %s %s %s", g->title,
             ui_glyph_sep(ui), ui_gfmt(ui, g->fmt, last, a), ui_glyph_sep(ui),
             ui_gfmt(ui, g->fmt, min, d), ui_gfmt(ui, g->fmt, max, b), ui_glyph_sep(ui), win);
    ui_canvas_t in = ui_frame(c, title, selected);
    if (n == 0 || isnan(last)) {
        ui_put(&in, in.r.h / 2, 1, -1, THEME_MUTED, "no data yet");
        return;
    }
    ui_graph(&in, 0, 0, in.r.h, in.r.w, h, n, g->thr, g->floor_zero);
}

/* Facts in as many columns as the box holds, top to bottom. */
static void draw_info(const ui_canvas_t *c, const member_view_t *m)
{
    const ui_t *ui = c->ui;
    theme_role_t role;
    const char *r = ui_member_role(ui, m, &role);
    char title[128];
    snprintf(title, sizeof title, "%s %s %s", m->name, ui_glyph_sep(ui), r);
    ui_canvas_t in = ui_frame(c, title, false);
    fact_t f[MAX_FACTS];
    int n = facts(ui, m, f);
    int colw = 38;
    int ncols = in.r.w / colw > 0 ? in.r.w / colw : 1;
    if (ncols == 1)
        colw = in.r.w;
    int shown = 0;
    for (int i = 0; i < n; i++) {
        int col = i / (in.r.h > 0 ? in.r.h : 1), row = i % (in.r.h > 0 ? in.r.h : 1);
        if (col >= ncols)
            break;
        int x = col * colw + 1;
        int lw = 16;
        ui_put(&in, row, x, lw - 1, THEME_MUTED, f[i].label);
        ui_put(&in, row, x + lw, colw - lw - 1, f[i].role, f[i].value);
        shown++;
    }
    if (shown < n)
        ui_put_right(c, c->r.h - 1, 1, c->r.w - 3, THEME_MUTED, " more: make the terminal larger ");
}

void ui_detail_draw(const ui_canvas_t *c)
{
    const ui_t *ui = c->ui;
    layout_detail_t d;
    int n_figs;
    const ui_gfig_t *figs = ui_graph_figs(&n_figs);
    layout_detail_compute(c->r.w, c->r.h, UI_DETAIL_GRAPHS, &d);
    ui_fill(c, THEME_NORMAL);
    ui_canvas_t hc = ui_sub(c, d.header.y, d.header.x, d.header.h, d.header.w);
    ui_panel_header.draw(&hc);
    ui_canvas_t fc = ui_sub(c, d.footer.y, d.footer.x, d.footer.h, d.footer.w);
    ui_panel_footer.draw(&fc);
    int member = ui_members_selected(ui);
    if (member < 0) {
        ui_put(c, d.info.y + 1, 2, -1, THEME_MUTED, "no member to show (Esc: back)");
        return;
    }
    const member_view_t *m = &ui->shown->members[member];
    ui_canvas_t ic = ui_sub(c, d.info.y, d.info.x, d.info.h, d.info.w);
    draw_info(&ic, m);
    for (int i = 0; i < d.n_graphs; i++) {
        ui_canvas_t gc = ui_sub(c, d.graph[i].y, d.graph[i].x, d.graph[i].h, d.graph[i].w);
        draw_graph(&gc, &figs[i], member, i == ui->detail_sel);
    }
}
