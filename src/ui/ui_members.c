/* ui_members.c — the members table: one row per member, columns chosen by
 * layout_choose_columns() as the terminal narrows (all of them in wide mode),
 * sortable, with the selected row that the panels below describe. */
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>

#define CELL_BUF 260  /* a cell's text: endpoints are up to 255 bytes */

typedef void (*cell_fn)(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role);

typedef struct {
    layout_column_t col;      /* label, min width, priority, flags */
    bool            right;    /* numbers are right-aligned */
    int             sort;     /* the sort order it stands for, -1 = none */
    cell_fn         cell;
} member_column_t;

/* Sort orders: by name ascending, everything else worst first (unknown last). */
typedef double (*sort_key_fn)(const ui_t *ui, const member_view_t *m);

typedef struct {
    const char *name;
    sort_key_fn key;          /* NULL: by name */
} member_sort_t;

enum { S_NAME, S_STATUS, S_DB, S_FRAG, S_QUOTA, S_LAG, S_WAL, S_COMMIT, S_RTT, S_LDR, S_RSS };

const window_figures_t *ui_member_window(const ui_t *ui, const member_view_t *m)
{
    int w = ui->window;
    if (w >= ui->shown->n_windows)
        w = ui->shown->n_windows - 1;
    if (w < 0)
        w = 0;
    return &m->fig.w[w];
}

static bool member_is_leader(const ui_t *ui, const member_view_t *m)
{
    uint64_t lid = ui->shown->leader_id;
    if (lid == 0)
        return false;
    return m->id == lid || (m->sample.s.ok && m->sample.s.member_id == lid);
}

const char *ui_member_role(const ui_t *ui, const member_view_t *m, theme_role_t *role)
{
    if (member_is_leader(ui, m)) {
        *role = THEME_LEADER;
        return ui->utf8 ? "\u2605 leader" : "* leader";
    }
    if (m->is_learner) {
        *role = THEME_LEARNER;
        return "learner";
    }
    *role = THEME_NORMAL;
    return "follower";
}

void ui_member_status(const ui_t *ui, const member_view_t *m, char *out, size_t size,
                      theme_role_t *role)
{
    (void)ui;
    const member_sample_t *s = &m->sample;
    if (!s->up) {
        ui_copy(out, size, s->error[0] ? s->error : "down");
        *role = THEME_DOWN;
    } else if (s->error[0]) {
        ui_copy(out, size, s->error);
        *role = THEME_WARNING;
    } else {
        ui_copy(out, size, "up");
        *role = THEME_OK;
    }
}

/* ---- cells ---- */

static void cell_name(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    (void)ui;
    ui_copy(out, CELL_BUF, m->name);
    *role = m->sample.up ? THEME_NORMAL : THEME_DOWN;
}

static void cell_endpoint(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    (void)ui;
    const char *e = m->endpoint;
    if (strncmp(e, "http://", 7) == 0)
        e += 7;                           /* https:// stays: it says something */
    ui_copy(out, CELL_BUF, e);
    *role = THEME_MUTED;
}

static void cell_role(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    ui_copy(out, CELL_BUF, ui_member_role(ui, m, role));
}

static void cell_status(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    ui_member_status(ui, m, out, CELL_BUF, role);
}

/* A value known only while the member answers. */
static bool live(const member_view_t *m)
{
    return m->sample.up;
}

static void cell_db(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    bool ok = live(m) && m->iv.db_size.ok;
    ui_fmt_bytes(ui, out, m->iv.db_size.v, ok);
    *role = ok ? THEME_NORMAL : THEME_MUTED;
}

static void cell_inuse(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    bool ok = live(m) && m->iv.db_size_in_use.ok;
    ui_fmt_bytes(ui, out, m->iv.db_size_in_use.v, ok);
    *role = ok ? THEME_NORMAL : THEME_MUTED;
}

static void cell_frag(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    bool ok = live(m) && m->iv.fragmentation_pct.ok;
    double v = ok ? m->iv.fragmentation_pct.v : NAN;
    ui_fmt_pct(ui, out, v, ok);
    *role = ui_role_for(v, UI_THR_FRAG_PCT, THEME_NORMAL);
}

static void cell_quota(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    double v = live(m) ? m->fig.quota_used_pct : NAN;
    ui_fmt_pct(ui, out, v, true);
    *role = ui_role_for(v, UI_THR_QUOTA_PCT, THEME_NORMAL);
}

static void cell_index(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    bool ok = live(m) && m->sample.s.ok;
    if (ok)
        snprintf(out, CELL_BUF, "%llu", (unsigned long long)m->sample.s.raft_index);
    else
        format_unknown(out, FORMAT_BUF, ui->fmt);
    *role = ok ? THEME_NORMAL : THEME_MUTED;
}

static void cell_lag(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    double v = live(m) ? m->fig.apply_lag : NAN;
    ui_fmt_count(ui, out, v, true);
    *role = ui_role_for(v, UI_THR_APPLY_LAG, THEME_NORMAL);
}

static void cell_behind(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    double v = live(m) ? m->fig.raft_index_lag : NAN;
    ui_fmt_count(ui, out, v, true);
    *role = ui_role_for(v, UI_THR_APPLY_LAG, THEME_NORMAL);
}

static void cell_wal(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    double v = live(m) ? ui_member_window(ui, m)->wal_p99 : NAN;
    ui_fmt_ms(ui, out, v);
    *role = ui_role_for(v, UI_THR_WAL_MS, THEME_NORMAL);
}

static void cell_commit(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    double v = live(m) ? ui_member_window(ui, m)->backend_p99 : NAN;
    ui_fmt_ms(ui, out, v);
    *role = ui_role_for(v, UI_THR_BACKEND_MS, THEME_NORMAL);
}

static void cell_rtt(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    double v = live(m) ? ui_member_window(ui, m)->peer_rtt_p99 : NAN;
    ui_fmt_ms(ui, out, v);
    *role = ui_role_for(v, UI_THR_PEER_MS, THEME_NORMAL);
}

static void cell_ldr(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    double v = ui_member_window(ui, m)->leader_changes;
    ui_fmt_count(ui, out, v, true);
    *role = ui_role_for(v, UI_THR_LEADER_CHG, THEME_NORMAL);
}

static void cell_rss(const ui_t *ui, const member_view_t *m, char *out, theme_role_t *role)
{
    bool ok = live(m) && m->sample.m.rss.ok;
    ui_fmt_bytes(ui, out, m->sample.m.rss.v, ok);
    *role = ok ? THEME_NORMAL : THEME_MUTED;
}

/* Priorities: what an operator needs first is kept longest. */
#define C(label, w, prio, flags, right, sort, fn) \
    { { label, w, prio, flags }, right, sort, fn }
static const member_column_t columns[] = {
    C("name", 6, 100, LAYOUT_COL_KEEP, false, S_NAME, cell_name),
    C("endpoint", 15, 25, LAYOUT_COL_GROW, false, -1, cell_endpoint),
    C("role", 8, 98, LAYOUT_COL_KEEP, false, -1, cell_role),
    C("status", 18, 97, LAYOUT_COL_KEEP, false, S_STATUS, cell_status),
    C("db size", 9, 80, 0, true, S_DB, cell_db),
    C("in use", 9, 30, 0, true, -1, cell_inuse),
    C("frag", 6, 60, 0, true, S_FRAG, cell_frag),
    C("quota", 6, 75, 0, true, S_QUOTA, cell_quota),
    C("raft idx", 9, 15, LAYOUT_COL_WIDE, true, -1, cell_index),
    C("apply lag", 9, 50, 0, true, S_LAG, cell_lag),
    C("behind", 6, 10, LAYOUT_COL_WIDE, true, -1, cell_behind),
    C("wal p99", 8, 90, 0, true, S_WAL, cell_wal),
    C("commit p99", 10, 85, 0, true, S_COMMIT, cell_commit),
    C("rtt p99", 8, 45, 0, true, S_RTT, cell_rtt),
    C("ldr chg", 7, 70, 0, true, S_LDR, cell_ldr),
    C("rss", 9, 20, LAYOUT_COL_WIDE, true, S_RSS, cell_rss),
};
#undef C
#define N_COLUMNS ((int)(sizeof columns / sizeof columns[0]))

static bool choose(const ui_t *ui, int width, layout_columns_t *lc);

/* ---- sorting ---- */

static double key_status(const ui_t *ui, const member_view_t *m)
{
    (void)ui;
    return !m->sample.up ? 2.0 : m->sample.error[0] ? 1.0 : 0.0;
}
static double key_db(const ui_t *ui, const member_view_t *m)
{
    (void)ui;
    return live(m) && m->iv.db_size.ok ? m->iv.db_size.v : NAN;
}
static double key_frag(const ui_t *ui, const member_view_t *m)
{
    (void)ui;
    return live(m) && m->iv.fragmentation_pct.ok ? m->iv.fragmentation_pct.v : NAN;
}
static double key_quota(const ui_t *ui, const member_view_t *m)
{
    (void)ui;
    return live(m) ? m->fig.quota_used_pct : NAN;
}
static double key_lag(const ui_t *ui, const member_view_t *m)
{
    (void)ui;
    return live(m) ? m->fig.apply_lag : NAN;
}
static double key_wal(const ui_t *ui, const member_view_t *m)
{
    return live(m) ? ui_member_window(ui, m)->wal_p99 : NAN;
}
static double key_commit(const ui_t *ui, const member_view_t *m)
{
    return live(m) ? ui_member_window(ui, m)->backend_p99 : NAN;
}
static double key_rtt(const ui_t *ui, const member_view_t *m)
{
    return live(m) ? ui_member_window(ui, m)->peer_rtt_p99 : NAN;
}
static double key_ldr(const ui_t *ui, const member_view_t *m)
{
    return ui_member_window(ui, m)->leader_changes;
}
static double key_rss(const ui_t *ui, const member_view_t *m)
{
    (void)ui;
    return live(m) && m->sample.m.rss.ok ? m->sample.m.rss.v : NAN;
}

static const member_sort_t sorts[UI_SORT_COUNT] = {
    [S_NAME] = { "name", NULL },           [S_STATUS] = { "status", key_status },
    [S_DB] = { "db size", key_db },        [S_FRAG] = { "frag", key_frag },
    [S_QUOTA] = { "quota", key_quota },    [S_LAG] = { "apply lag", key_lag },
    [S_WAL] = { "wal p99", key_wal },      [S_COMMIT] = { "commit p99", key_commit },
    [S_RTT] = { "rtt p99", key_rtt },      [S_LDR] = { "ldr chg", key_ldr },
    [S_RSS] = { "rss", key_rss },
};

const char *ui_sort_name(int sort)
{
    return sort >= 0 && sort < UI_SORT_COUNT ? sorts[sort].name : "?";
}

/* a before b? (the merge sort below is stable; n <= CLUSTER_MAX_MEMBERS) */
static bool before(const ui_t *ui, const member_view_t *a, const member_view_t *b)
{
    const member_sort_t *s = &sorts[ui->sort >= 0 && ui->sort < UI_SORT_COUNT ? ui->sort : 0];
    if (s->key) {
        double ka = s->key(ui, a), kb = s->key(ui, b);
        bool na = !isfinite(ka), nb = !isfinite(kb);
        if (na != nb)
            return nb;                    /* unknown last */
        if (!na && ka != kb)
            return ka > kb;               /* worst first */
    }
    return strcmp(a->name, b->name) < 0;
}

int ui_members_order(const ui_t *ui, int *order)
{
    int n = ui->have_shown ? ui->shown->n_members : 0;
    if (n > CLUSTER_MAX_MEMBERS)
        n = CLUSTER_MAX_MEMBERS;
    /* The rows that pass the / filter, then a bottom-up merge sort: n log n
     * compares (1,000 members sort in ~10,000, on every redraw and key press),
     * stable, ties keep the member order. */
    int tmp[CLUSTER_MAX_MEMBERS];
    int *src = order, *dst = tmp;
    int kept = 0;
    for (int i = 0; i < n; i++)
        if (ui_filter_member(ui, &ui->shown->members[i]))
            order[kept++] = i;
    n = kept;
    for (int w = 1; w < n; w *= 2) {
        for (int lo = 0; lo < n; lo += 2 * w) {
            int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                dst[k++] = before(ui, &ui->shown->members[src[b]], &ui->shown->members[src[a]])
                               ? src[b++] : src[a++];
            while (a < mid)
                dst[k++] = src[a++];
            while (b < hi)
                dst[k++] = src[b++];
        }
        int *t = src;
        src = dst;
        dst = t;
    }
    if (src != order)
        memcpy(order, src, sizeof(order[0]) * (size_t)n);
    return n;
}

int ui_members_selected(const ui_t *ui)
{
    int order[CLUSTER_MAX_MEMBERS];
    int n = ui_members_order(ui, order);
    if (n == 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (ui->selected[0] && strcmp(ui->shown->members[order[i]].name, ui->selected) == 0)
            return order[i];
    return order[0];
}

/* Position of the selected member in table order (0 when none). */
static int selected_pos(const ui_t *ui, const int *order, int n)
{
    int sel = ui_members_selected(ui);
    for (int i = 0; i < n; i++)
        if (order[i] == sel)
            return i;
    return 0;
}

void ui_members_move(ui_t *ui, int delta)
{
    int order[CLUSTER_MAX_MEMBERS];
    int n = ui_members_order(ui, order);
    if (n == 0)
        return;
    int p = selected_pos(ui, order, n) + delta;
    p = p < 0 ? 0 : p >= n ? n - 1 : p;
    snprintf(ui->selected, sizeof ui->selected, "%s", ui->shown->members[order[p]].name);
    ui->dirty |= UI_DIRTY_MEMBERS | UI_DIRTY_PANELS | UI_DIRTY_VIEW;
}

void ui_members_follow(ui_t *ui)
{
    int order[CLUSTER_MAX_MEMBERS];
    int n = ui_members_order(ui, order);
    int rows = ui->lay.member_rows > 0 ? ui->lay.member_rows : 1;
    int p = selected_pos(ui, order, n);
    if (p < ui->member_scroll)
        ui->member_scroll = p;
    if (p >= ui->member_scroll + rows)
        ui->member_scroll = p - rows + 1;
    if (ui->member_scroll > n - rows)
        ui->member_scroll = n - rows;
    if (ui->member_scroll < 0)
        ui->member_scroll = 0;

    layout_columns_t lc;
    int width = ui->lay.members.w - 2;
    int max = 0;
    if (choose(ui, width, &lc)) {
        /* the least scrolling that shows the last column */
        while (max < lc.n - 2 && lc.used - (lc.x[1 + max] - lc.x[1]) > width)
            max++;
    }
    if (ui->member_hscroll > max)
        ui->member_hscroll = max;
    if (ui->member_hscroll < 0)
        ui->member_hscroll = 0;
}

/* ---- drawing ---- */

/* The columns for a table width cells wide: the name and status columns are
 * as wide as their longest text (within reason), so a down member's reason
 * shows in full and a healthy table leaves room for more figures. In wide mode every column is laid out and,
 * when they do not fit, the table scrolls sideways behind the name column
 * (returns true then). */
static bool choose(const ui_t *ui, int width, layout_columns_t *lc)
{
    layout_column_t cols[N_COLUMNS];
    int longest = 4, status = 6;
    for (int i = 0; ui->have_shown && i < ui->shown->n_members; i++) {
        int n = ui_cells(ui->shown->members[i].name);
        if (n > longest)
            longest = n;
        char s[CELL_BUF];
        theme_role_t role;
        ui_member_status(ui, &ui->shown->members[i], s, sizeof s, &role);
        n = ui_cells(s);
        if (n > status)
            status = n;
    }
    for (int i = 0; i < N_COLUMNS; i++) {
        cols[i] = columns[i].col;
        if (columns[i].cell == cell_status)
            cols[i].min_width = status > 24 ? 24 : status;
        /* room for the label and the sort marker */
        int label = (int)strlen(cols[i].name) + (columns[i].sort >= 0 ? 1 : 0);
        if (cols[i].min_width < label)
            cols[i].min_width = label;
    }
    cols[0].min_width = longest > 20 ? 20 : longest < 6 ? 6 : longest;
    layout_choose_columns(cols, N_COLUMNS, width, ui->wide, lc);
    if (!ui->wide || lc->n == N_COLUMNS)
        return false;
    int total = (N_COLUMNS - 1) * LAYOUT_COL_GAP;
    for (int i = 0; i < N_COLUMNS; i++)
        total += cols[i].min_width;
    layout_choose_columns(cols, N_COLUMNS, total, true, lc);
    return true;
}

/* Where column i of lc shows in a table width cells wide with hs columns
 * scrolled out of sight behind the name column (which never scrolls): *x and
 * *w, false when it is not shown. A column is shown whole or not at all. */
static bool visible(const layout_columns_t *lc, int i, bool scrolling, int hs, int width, int *x,
                    int *w)
{
    *x = lc->x[i];
    *w = lc->w[i];
    if (scrolling && i > 0 && lc->n > 1) {
        if (i <= hs)
            return false;
        *x -= lc->x[1 + hs] - lc->x[1];
    }
    if (*x + *w > width)
        return i == 0 && (*w = width - *x) > 0;
    return *w > 0;
}

/* Columns that the width (or the wide toggle) left out. */
static int hidden_columns(const layout_columns_t *lc)
{
    return N_COLUMNS - lc->n;
}

static void draw_cell(const ui_canvas_t *c, int y, int x, int w, const member_column_t *col,
                      const char *text, theme_role_t role)
{
    if (col->right)
        ui_put_right(c, y, x, w, role, text);
    else
        ui_put(c, y, x, w, role, text);
}

static void members_draw(const ui_canvas_t *c)
{
    const ui_t *ui = c->ui;
    ui_fill(c, THEME_NORMAL);
    if (c->r.h < 2)
        return;
    ui_canvas_t t = ui_sub(c, 0, 1, c->r.h, c->r.w - 2);
    layout_columns_t lc;
    bool scrolling = choose(ui, t.r.w, &lc);
    int vx[LAYOUT_MAX_COLUMNS], vw[LAYOUT_MAX_COLUMNS];
    bool vis[LAYOUT_MAX_COLUMNS];
    int n_vis = 0;
    for (int i = 0; i < lc.n; i++) {
        vis[i] = visible(&lc, i, scrolling, ui->member_hscroll, t.r.w, &vx[i], &vw[i]);
        n_vis += vis[i];
    }

    /* column labels, the sort column marked */
    for (int i = 0; i < lc.n; i++) {
        if (!vis[i])
            continue;
        const member_column_t *col = &columns[lc.index[i]];
        char label[48];
        if (col->sort == ui->sort)
            snprintf(label, sizeof label, "%s%s", col->col.name,
                     ui->sort == S_NAME ? ui_glyph_up(ui) : ui_glyph_down(ui));
        else
            snprintf(label, sizeof label, "%s", col->col.name);
        draw_cell(&t, 0, vx[i], vw[i], col, label,
                  col->sort == ui->sort ? THEME_KEY : THEME_TITLE);
    }

    int order[CLUSTER_MAX_MEMBERS];
    int n = ui_members_order(ui, order);
    int rows = c->r.h - 2;
    int sel = ui_members_selected(ui);
    if (n == 0)
        ui_put(&t, 1, 0, -1, THEME_MUTED, ui->have_shown ? "no members" : "waiting for the first poll...");
    for (int r = 0; r < rows && ui->member_scroll + r < n; r++) {
        const member_view_t *m = &ui->shown->members[order[ui->member_scroll + r]];
        bool selected = order[ui->member_scroll + r] == sel;
        if (selected) {
            ui_canvas_t row = ui_sub(c, 1 + r, 0, 1, c->r.w);
            ui_fill(&row, THEME_SELECTION);
        }
        for (int i = 0; i < lc.n; i++) {
            if (!vis[i])
                continue;
            const member_column_t *col = &columns[lc.index[i]];
            char text[CELL_BUF];
            theme_role_t role = THEME_NORMAL;
            col->cell(ui, m, text, &role);
            draw_cell(&t, 1 + r, vx[i], vw[i], col, text, selected ? THEME_SELECTION : role);
        }
    }

    /* the bottom rule says what does not fit */
    int y = c->r.h - 1;
    wattrset(c->win, ui_attr(ui, THEME_BORDER));
    mvwhline(c->win, c->r.y + y, c->r.x, ACS_HLINE, c->r.w);
    char note[96] = "";
    int below = n - ui->member_scroll - rows, above = ui->member_scroll;
    int hid = scrolling ? N_COLUMNS - n_vis : hidden_columns(&lc);
    size_t k = 0;
    if (above > 0)
        k += (size_t)snprintf(note + k, sizeof note - k, " %d more %s", above, ui_glyph_up(ui));
    if (below > 0 && k < sizeof note)
        k += (size_t)snprintf(note + k, sizeof note - k, " %d more %s", below, ui_glyph_down(ui));
    if (scrolling && k < sizeof note)
        k += (size_t)snprintf(note + k, sizeof note - k, " wide: %d of %d columns, Left/Right scroll",
                              n_vis, N_COLUMNS);
    else if (hid > 0 && k < sizeof note)
        k += (size_t)snprintf(note + k, sizeof note - k, " %d columns hidden (v: wide)", hid);
    else if (ui->wide && k < sizeof note)
        k += (size_t)snprintf(note + k, sizeof note - k, " wide (v: narrow)");
    if (k > 0 && k < sizeof note - 1) {
        note[k++] = ' ';
        note[k] = '\0';
        ui_put_right(c, y, 0, c->r.w - 2, THEME_MUTED, note);
    }
}

/* A click: on a row selects that member, on a column label sorts by it. */
static void members_click(ui_t *ui, rect_t r, int row, int col)
{
    if (row == 0) {
        layout_columns_t lc;
        bool scrolling = choose(ui, r.w - 2, &lc);
        for (int i = 0; i < lc.n; i++) {
            const member_column_t *c = &columns[lc.index[i]];
            int x, w;
            if (!visible(&lc, i, scrolling, ui->member_hscroll, r.w - 2, &x, &w))
                continue;
            if (col - 1 >= x && col - 1 < x + w && c->sort >= 0) {
                ui->sort = c->sort;
                ui->dirty |= UI_DIRTY_MEMBERS | UI_DIRTY_FOOTER;
            }
        }
        return;
    }
    int order[CLUSTER_MAX_MEMBERS];
    int n = ui_members_order(ui, order);
    int k = ui->member_scroll + row - 1;
    if (row >= r.h - 1 || k < 0 || k >= n)
        return;
    snprintf(ui->selected, sizeof ui->selected, "%s", ui->shown->members[order[k]].name);
    ui->alerts_focus = false;
    ui->dirty |= UI_DIRTY_MEMBERS | UI_DIRTY_PANELS | UI_DIRTY_ALERTS;
}

const ui_panel_t ui_panel_members = {
    .name = "members",
    .dirty = UI_DIRTY_MEMBERS,
    .rect_offset = offsetof(layout_t, members),
    .draw = members_draw,
    .click = members_click,
};
