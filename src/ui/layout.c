/* layout.c — window rectangles and table columns (see layout.h). */
#include "layout.h"

#include <string.h>

static rect_t rect(int x, int y, int w, int h)
{
    rect_t r = { x, y, w, h };
    return r;
}

static bool too_small(int cols, int rows, rect_t *note)
{
    if (cols >= LAYOUT_MIN_COLS && rows >= LAYOUT_MIN_ROWS)
        return false;
    *note = (cols > 0 && rows > 0) ? rect(0, 0, cols, rows) : rect(0, 0, 0, 0);
    return true;
}

/* Panel bands an arrangement needs, stacked vertically. */
static int bands(layout_arrangement_t a)
{
    return a == LAYOUT_THREE ? 1 : a == LAYOUT_TWO_ONE ? 2 : 3;
}

/* Whether every panel of arrangement a gets LAYOUT_PANEL_MIN_W columns. */
static bool width_fits(layout_arrangement_t a, int cols)
{
    int across = a == LAYOUT_THREE ? 3 : a == LAYOUT_TWO_ONE ? 2 : 1;
    return cols >= across * LAYOUT_PANEL_MIN_W;
}

/* Rows left for the members table once the panels and alerts have their minimum. */
static int members_room(layout_arrangement_t a, int body)
{
    return body - bands(a) * LAYOUT_PANEL_MIN_H - LAYOUT_ALERTS_MIN_H;
}

/* The automatic choice: by width, then more horizontal while the members table
 * would be cut short. */
static layout_arrangement_t choose(int cols, int body, int want_members)
{
    layout_arrangement_t a =
        cols >= 120 ? LAYOUT_THREE : cols >= 100 ? LAYOUT_TWO_ONE : LAYOUT_STACK;
    while (a != LAYOUT_THREE && members_room(a, body) < want_members) {
        layout_arrangement_t next = a == LAYOUT_STACK ? LAYOUT_TWO_ONE : LAYOUT_THREE;
        if (!width_fits(next, cols))
            break;
        a = next;
    }
    return a;
}

void layout_compute(int cols, int rows, int n_members, layout_opts_t opts, layout_t *out)
{
    memset(out, 0, sizeof *out);
    out->too_small = too_small(cols, rows, &out->note);
    if (out->too_small)
        return;

    int body = rows - LAYOUT_HEADER_H - LAYOUT_FOOTER_H;
    int want = (n_members > 0 ? n_members : 1) + 2;
    layout_arrangement_t a = opts.arrangement;
    if (a != LAYOUT_THREE && a != LAYOUT_TWO_ONE && a != LAYOUT_STACK)
        a = LAYOUT_AUTO;
    if (a != LAYOUT_AUTO &&
        (!width_fits(a, cols) || members_room(a, body) < LAYOUT_MEMBERS_MIN_H))
        a = LAYOUT_AUTO;
    if (a == LAYOUT_AUTO)
        a = choose(cols, body, want);
    out->arrangement = a;

    /* heights: members first (up to want), panels up to their preferred height,
       the rest to alerts */
    int k = bands(a);
    int room = members_room(a, body);
    int mh = want < room ? want : room;
    if (mh < LAYOUT_MEMBERS_MIN_H)
        mh = LAYOUT_MEMBERS_MIN_H;
    int rest = body - mh - k * LAYOUT_PANEL_MIN_H - LAYOUT_ALERTS_MIN_H;
    int grow = rest / k;
    if (grow > LAYOUT_PANEL_PREF_H - LAYOUT_PANEL_MIN_H)
        grow = LAYOUT_PANEL_PREF_H - LAYOUT_PANEL_MIN_H;
    int ph = LAYOUT_PANEL_MIN_H + grow;
    int ah = LAYOUT_ALERTS_MIN_H + rest - grow * k;

    int y = 0;
    out->header = rect(0, y, cols, LAYOUT_HEADER_H);
    y += LAYOUT_HEADER_H;
    out->members = rect(0, y, cols, mh);
    out->member_rows = mh - 2;
    y += mh;
    if (a == LAYOUT_THREE) {
        int w = cols / 3;
        out->latency = rect(0, y, w, ph);
        out->database = rect(w, y, w, ph);
        out->raft = rect(2 * w, y, cols - 2 * w, ph);
    } else if (a == LAYOUT_TWO_ONE) {
        int w = cols / 2;
        out->latency = rect(0, y, w, ph);
        out->database = rect(w, y, cols - w, ph);
        out->raft = rect(0, y + ph, cols, ph);
    } else {
        out->latency = rect(0, y, cols, ph);
        out->database = rect(0, y + ph, cols, ph);
        out->raft = rect(0, y + 2 * ph, cols, ph);
    }
    y += k * ph;
    out->alerts = rect(0, y, cols, ah);
    y += ah;
    out->footer = rect(0, y, cols, LAYOUT_FOOTER_H);
}

/* Lay n graphs out in area: one or two columns of equal rows, as many as fit. */
static int place_graphs(rect_t area, int n, rect_t *g)
{
    if (n > LAYOUT_MAX_GRAPHS)
        n = LAYOUT_MAX_GRAPHS;
    if (n <= 0 || area.w <= 0 || area.h < LAYOUT_GRAPH_MIN_H)
        return 0;
    int across = (n >= 2 && area.w >= 2 * LAYOUT_GRAPH_MIN_W) ? 2 : 1;
    int max_rows = area.h / LAYOUT_GRAPH_MIN_H;
    if (n > max_rows * across)
        n = max_rows * across;
    int nrows = (n + across - 1) / across;
    int h = area.h / nrows;
    for (int i = 0; i < n; i++) {
        int r = i / across, c = i % across;
        int y = area.y + r * h;
        int gh = (r == nrows - 1) ? area.h - r * h : h;
        int left = area.w / 2;
        if (across == 1 || (i == n - 1 && c == 0))
            g[i] = rect(area.x, y, area.w, gh);  /* alone on its row: full width */
        else if (c == 0)
            g[i] = rect(area.x, y, left, gh);
        else
            g[i] = rect(area.x + left, y, area.w - left, gh);
    }
    return n;
}

void layout_detail_compute(int cols, int rows, int n_graphs, layout_detail_t *out)
{
    memset(out, 0, sizeof *out);
    out->too_small = too_small(cols, rows, &out->note);
    if (out->too_small)
        return;
    int body_y = LAYOUT_HEADER_H;
    int body_h = rows - LAYOUT_HEADER_H - LAYOUT_FOOTER_H;
    rect_t area;
    out->header = rect(0, 0, cols, LAYOUT_HEADER_H);
    out->footer = rect(0, rows - LAYOUT_FOOTER_H, cols, LAYOUT_FOOTER_H);
    if (cols >= 120) {
        out->info = rect(0, body_y, LAYOUT_INFO_W, body_h);
        area = rect(LAYOUT_INFO_W, body_y, cols - LAYOUT_INFO_W, body_h);
    } else {
        out->info = rect(0, body_y, cols, LAYOUT_INFO_H);
        area = rect(0, body_y + LAYOUT_INFO_H, cols, body_h - LAYOUT_INFO_H);
    }
    out->n_graphs = place_graphs(area, n_graphs, out->graph);
}

/* Total width of the chosen columns at their minimum, gaps included. */
static int span_of(const layout_column_t *cols, const bool *keep, int n)
{
    int total = 0, k = 0;
    for (int i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        total += cols[i].min_width > 0 ? cols[i].min_width : 1;
        k++;
    }
    return k > 0 ? total + (k - 1) * LAYOUT_COL_GAP : 0;
}

int layout_choose_columns(const layout_column_t *cols, int n_cols, int width, bool wide,
                          layout_columns_t *out)
{
    bool keep[LAYOUT_MAX_COLUMNS];

    memset(out, 0, sizeof *out);
    if (n_cols < 0 || n_cols > LAYOUT_MAX_COLUMNS || (n_cols > 0 && cols == NULL))
        return -1;
    if (width < 0)
        width = 0;
    for (int i = 0; i < n_cols; i++)
        keep[i] = wide || !(cols[i].flags & LAYOUT_COL_WIDE);

    /* drop the lowest priority (the later one on ties) until it fits */
    while (span_of(cols, keep, n_cols) > width) {
        int drop = -1;
        for (int i = 0; i < n_cols; i++) {
            if (!keep[i] || (cols[i].flags & LAYOUT_COL_KEEP))
                continue;
            if (drop < 0 || cols[i].priority <= cols[drop].priority)
                drop = i;
        }
        if (drop < 0)
            break;
        keep[drop] = false;
    }

    /* place them; narrow the column crossing the edge, leave out the rest */
    int x = 0, grow = -1;
    for (int i = 0; i < n_cols; i++) {
        if (!keep[i])
            continue;
        int gap = out->n > 0 ? LAYOUT_COL_GAP : 0;
        int w = cols[i].min_width > 0 ? cols[i].min_width : 1;
        if (x + gap >= width)
            break;
        if (x + gap + w > width)
            w = width - x - gap;
        out->index[out->n] = i;
        out->x[out->n] = x + gap;
        out->w[out->n] = w;
        if (grow < 0 && (cols[i].flags & LAYOUT_COL_GROW))
            grow = out->n;
        x += gap + w;
        out->n++;
    }
    if (grow >= 0 && x < width) {
        int extra = width - x;
        out->w[grow] += extra;
        for (int j = grow + 1; j < out->n; j++)
            out->x[j] += extra;
        x = width;
    }
    out->used = x;
    return out->n;
}
