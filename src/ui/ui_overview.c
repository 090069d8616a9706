/* ui_overview.c — the many-clusters overview screen (overview.h): one line per
 * cluster on the dashboard's terminal; Enter shows the chosen cluster's normal
 * dashboard (the same ui_t, fed that cluster's polls), Esc there comes back.
 * Two outputs: output_overview (the screen: keys, drawing) and one
 * output_overview_feed per cluster (its polls). */
#include "overview.h"
#include "ui.h"
#include "ui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "signals.h"

/* A cluster's latest poll, kept by pointer for drilling in: the snapshot,
 * alerts and histories belong to its engine, which outlives the outputs. */
typedef struct {
    overview_line_t          line;
    const cluster_snapshot_t *snap;
    const alert_t            *active;
    int                       n_active;
    const history_set_t      *hist;
    const char               *dir;     /* its workspace (E exports there), borrowed */
} ov_cluster_t;

struct overview {
    ui_t              *ui;
    loop_t            *loop;
    const char *const *names;
    int                n;
    ov_cluster_t      *c;
    int                sel;           /* the highlighted line */
    int                shown;         /* the cluster on the dashboard, -1 = the overview */
    bool               dirty;
};

static void *ov_open(const output_env_t *env, void *arg, char *err, size_t errlen)
{
    const overview_arg_t *a = arg;
    overview_t *ov = calloc(1, sizeof *ov);
    if (ov)
        ov->c = calloc((size_t)a->n, sizeof *ov->c);
    if (!ov || !ov->c) {
        free(ov);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!(ov->ui = ui_output_start(env, err, errlen))) {
        free(ov->c);
        free(ov);
        return NULL;
    }
    ui_set_esc_leaves(ov->ui, true);
    ov->names = a->names;
    ov->n = a->n;
    ov->shown = -1;
    ov->dirty = true;
    ov->loop = env->loop;
    return ov;
}

/* Show cluster i's dashboard (once it has been polled). */
static void ov_enter(overview_t *ov, int i, double now)
{
    const ov_cluster_t *c = &ov->c[i];
    if (!c->snap)
        return;
    ov->shown = i;
    if (c->dir)
        snprintf(ov->ui->export_dir, sizeof ov->ui->export_dir, "%s", c->dir);
    ui_set_cluster_name(ov->ui, ov->names[i]);
    ui_update(ov->ui, c->snap, c->active, c->n_active, c->hist);
    ui_notice(ov->ui, now, 5.0, "cluster %s (Esc: all clusters)", ov->names[i]);
    ov->ui->repaint = true;
}

static void ov_draw(overview_t *ov)
{
    char line[1024];
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    erase();
    attron(A_BOLD);
    snprintf(line, sizeof line, "etcd-monitor: %d clusters   Up/Down choose, Enter its "
             "dashboard (Esc back), r poll now, q quit", ov->n);
    mvaddnstr(0, 0, line, cols);
    overview_header(line, sizeof line);
    mvaddnstr(2, 0, line, cols);
    attroff(A_BOLD);
    int first = ov->sel >= rows - 4 ? ov->sel - (rows - 4) + 1 : 0;
    for (int i = first, y = 3; i < ov->n && y < rows; i++, y++) {
        overview_line_format(line, sizeof line, ov->names[i], &ov->c[i].line);
        attr_t at = (i == ov->sel ? A_REVERSE : 0) |
                    (ov->c[i].line.polled && ov->c[i].line.status != STATUS_HEALTHY ? A_BOLD : 0);
        attron(at);
        mvaddnstr(y, 0, line, cols);
        attroff(at);
    }
    wnoutrefresh(stdscr);
    doupdate();
    ov->dirty = false;
}

/* The overview's keys (the dashboard's are its own while it is shown). */
static unsigned ov_keys(overview_t *ov, double now)
{
    unsigned act = OUTPUT_ACT_NONE;
    for (int k = 0; k < 512 && ov->shown < 0; k++) {     /* bounded, as the dashboard */
        int ch = wgetch(ov->ui->input);
        if (ch == ERR)
            break;
        ov->dirty = true;
        if ((ch == KEY_UP || ch == 'k') && ov->sel > 0)
            ov->sel--;
        else if ((ch == KEY_DOWN || ch == 'j') && ov->sel < ov->n - 1)
            ov->sel++;
        else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
            ov_enter(ov, ov->sel, now);
        else if (ch == 'q')
            act |= OUTPUT_ACT_QUIT;
        else if (ch == 'r')
            act |= OUTPUT_ACT_POLL_NOW;
        else if (ch == ('l' & 0x1f))
            clearok(curscr, TRUE);
    }
    return act;
}

static unsigned ov_tick(void *o, double now)
{
    overview_t *ov = o;
    unsigned act = OUTPUT_ACT_NONE;
    if (signals_take_resize()) {
        ui_handle_resize(ov->ui);
        ov->dirty = true;
    }
    if (ov->shown < 0) {
        act = ov_keys(ov, now);
        if (ov->shown < 0) {
            if (ov->dirty)
                ov_draw(ov);
            return act;
        }
    }
    unsigned in = ui_handle_input(ov->ui, now);
    if (in & UI_ACT_QUIT)
        act |= OUTPUT_ACT_QUIT;
    if (in & UI_ACT_POLL_NOW)
        act |= OUTPUT_ACT_POLL_NOW;
    if (in & UI_ACT_BACK) {
        ov->shown = -1;
        clearok(curscr, TRUE);
        ov_draw(ov);
        return act;
    }
    ui_render(ov->ui, now);
    return act;
}

static int ov_next_tick_ms(void *o, double now)
{
    const overview_t *ov = o;
    return ov->shown < 0 ? -1 : ui_next_tick_ms(ov->ui, now);    /* the list has no clock */
}

static void ov_close(void *o, double t)
{
    (void)t;
    overview_t *ov = o;
    ui_output_stop(ov->ui, ov->loop);
    free(ov->c);
    free(ov);
}

const output_ops_t output_overview = {
    .name = "overview",
    .open = ov_open,
    .tick = ov_tick,
    .next_tick_ms = ov_next_tick_ms,
    .close = ov_close,
};

static void *feed_open(const output_env_t *env, void *arg, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    const overview_feed_t *f = arg;
    f->ov->c[f->idx].dir = env->workspace_dir;
    return arg;
}

static void feed_poll(void *o, const poll_view_t *pv)
{
    const overview_feed_t *f = o;
    overview_t *ov = f->ov;
    ov_cluster_t *c = &ov->c[f->idx];
    overview_line_from(&c->line, pv->snap);
    c->snap = pv->snap;
    c->active = pv->active;
    c->n_active = pv->n_active;
    c->hist = pv->hist;
    if (ov->shown == f->idx)
        ui_update(ov->ui, c->snap, c->active, c->n_active, c->hist);
    else
        ov->dirty = true;
}

static void feed_close(void *o, double t)
{
    (void)o, (void)t;                     /* the feed is the monitor's; the overview may be gone */
}

const output_ops_t output_overview_feed = {
    .name = "overview-feed",
    .open = feed_open,
    .on_poll = feed_poll,
    .close = feed_close,
};
