/* ui.c — the dashboard's lifecycle: open and close curses, read input and
 * hand keys to the key table, follow the terminal's size, take snapshots,
 * draw what changed, and put the terminal back on a crash.
 *
 * Drawing goes to stdscr through per-panel canvases; ui_render() redraws only
 * the panels marked dirty and ends with wnoutrefresh + doupdate, so curses
 * sends only the cells that changed. Input is read from a 1x1 pad: wgetch()
 * on a pad never repaints anything behind our back. Nothing here blocks and
 * the only I/O is the terminal (and the theme file named at start-up). */
#include "ui_internal.h"

#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

/* The one mutable global: what ui_crash_restore() needs when called from a
 * signal handler, where the ui_t is out of reach. ui_open() fills it (saved
 * termios, and the terminfo strings that reset attributes, disable mouse
 * reporting and keypad mode, show the cursor and leave the alternate screen,
 * concatenated) and arms it; ui_close() disarms it. Only plain bytes and a
 * struct termios: the crash path needs no allocation and no curses. */
static struct {
    volatile sig_atomic_t armed;
    int                   fd;         /* the terminal curses drives */
    struct termios        tio;        /* the modes before ui_open */
    size_t                len;
    char                  seq[512];   /* written as is by ui_crash_restore */
} crash;

void ui_crash_restore(void)
{
    if (!crash.armed)
        return;
    crash.armed = 0;
    size_t off = 0;
    while (off < crash.len) {
        ssize_t w = write(crash.fd, crash.seq + off, crash.len - off);
        if (w > 0)
            off += (size_t)w;
        else if (w < 0 && errno == EINTR)
            continue;
        else
            break;
    }
    tcsetattr(crash.fd, TCSANOW, &crash.tio);
}

/* Append a terminfo string (if the terminal has it) to the crash sequence. */
static void crash_add_cap(const char *cap)
{
    char *s = tigetstr(cap);
    if (!s || s == (char *)-1)
        return;
    size_t n = strlen(s);
    if (crash.len + n < sizeof crash.seq) {
        memcpy(crash.seq + crash.len, s, n);
        crash.len += n;
    }
}

static void crash_add(const char *s)
{
    size_t n = strlen(s);
    if (crash.len + n < sizeof crash.seq) {
        memcpy(crash.seq + crash.len, s, n);
        crash.len += n;
    }
}

/* ---- the main view's panels, top to bottom ---- */

static const ui_panel_t *const main_panels[] = {
    &ui_panel_header, &ui_panel_members, &ui_panel_latency, &ui_panel_database,
    &ui_panel_raft,   &ui_panel_alerts,  &ui_panel_footer,
};
#define N_MAIN ((int)(sizeof main_panels / sizeof main_panels[0]))

static rect_t panel_rect(const ui_t *ui, const ui_panel_t *p)
{
    rect_t r;
    memcpy(&r, (const char *)&ui->lay + p->rect_offset, sizeof r);
    return r;
}

/* ---- theme ---- */

static attr_t curses_attrs(unsigned a)
{
    attr_t r = A_NORMAL;
    if (a & THEME_ATTR_BOLD)
        r |= A_BOLD;
    if (a & THEME_ATTR_DIM)
        r |= A_DIM;
    if (a & THEME_ATTR_UNDERLINE)
        r |= A_UNDERLINE;
    if (a & THEME_ATTR_REVERSE)
        r |= A_REVERSE;
    if (a & THEME_ATTR_STANDOUT)
        r |= A_STANDOUT;
    if (a & THEME_ATTR_BLINK)
        r |= A_BLINK;
#ifdef A_ITALIC
    if (a & THEME_ATTR_ITALIC)
        r |= A_ITALIC;
#endif
    return r;
}

void ui_theme_apply(ui_t *ui)
{
    const char *const *names = theme_builtin_names();
    theme_t t;
    if (ui->theme_idx < 0 && ui->has_custom) {
        t = ui->custom;
        snprintf(ui->theme_name, sizeof ui->theme_name, "%s", ui->custom_name);
    } else {
        if (ui->theme_idx < 0)
            ui->theme_idx = 0;
        t = *theme_builtin(names[ui->theme_idx]);
        snprintf(ui->theme_name, sizeof ui->theme_name, "%s", names[ui->theme_idx]);
    }
    theme_degrade(&t, ui->colors ? COLORS : 0, ui->cfg.no_color || !ui->colors);
    if (!ui->colors && strcmp(ui->theme_name, "mono") != 0) { /* why it looks mono */
        size_t k = strlen(ui->theme_name);
        snprintf(ui->theme_name + k, sizeof ui->theme_name - k, " (no colour)");
    }
    for (int i = 0; i < THEME_ROLE_COUNT; i++) {
        attr_t a = curses_attrs(t.role[i].attr);
        if (ui->colors) {
            int fg = t.role[i].fg, bg = t.role[i].bg;
            if (!ui->default_colors) {
                fg = fg < 0 ? COLOR_WHITE : fg;
                bg = bg < 0 ? COLOR_BLACK : bg;
            }
            if (fg >= COLORS)
                fg = -1;
            if (bg >= COLORS)
                bg = -1;
            init_pair((short)(i + 1), (short)fg, (short)bg);
            a |= COLOR_PAIR(i + 1);
        }
        ui->attr[i] = a;
    }
    ui->repaint = true;                   /* same cells, new colours: resend all */
    ui->dirty = UI_DIRTY_ALL;
}

void ui_theme_next(ui_t *ui)
{
    const char *const *names = theme_builtin_names();
    int n = 0;
    while (names[n])
        n++;
    if (ui->theme_idx < 0)
        ui->theme_idx = 0;
    else if (ui->theme_idx + 1 < n)
        ui->theme_idx++;
    else
        ui->theme_idx = ui->has_custom ? -1 : 0;
    if (ui->notice_sticky) {              /* the fallback note has been seen */
        ui->notice[0] = '\0';
        ui->notice_sticky = false;
    }
    ui_theme_apply(ui);
}

/* Resolve cfg->theme: a built-in name, else a file; unknown -> default and a
 * note in the footer that stays until the theme is changed. */
static void theme_init(ui_t *ui)
{
    const char *arg = ui->theme_arg[0] ? ui->theme_arg : "default";
    const char *const *names = theme_builtin_names();
    ui->theme_idx = 0;
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], arg) == 0) {
            ui->theme_idx = i;
            return;
        }
    char err[256];
    if (theme_load(arg, &ui->custom, err, sizeof err) == 0) {
        const char *base = strrchr(arg, '/');
        base = base ? base + 1 : arg;
        snprintf(ui->custom_name, sizeof ui->custom_name, "%.63s", base);
        char *dot = strrchr(ui->custom_name, '.');
        if (dot && strcmp(dot, ".theme") == 0)
            *dot = '\0';
        ui->has_custom = true;
        ui->theme_idx = -1;
        return;
    }
    size_t n = strlen(arg);
    const char *why = strncmp(err, arg, n) == 0 && err[n] == ':' ? err + n + 1 : err;
    while (*why == ' ')
        why++;
    snprintf(ui->notice, sizeof ui->notice, "theme \"%.40s\" unusable, using default: %.80s", arg,
             why);
    ui->notice_sticky = true;
}

/* ---- open / close ---- */

/* Free ui's memory (not its terminal). */
static void ui_free_mem(ui_t *ui)
{
    free(ui->latest);
    free(ui->shown);
    free(ui);
}

ui_t *ui_open(const ui_config_t *cfg, char *err, size_t errlen)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(err, errlen, "the dashboard needs a terminal on stdin and stdout");
        return NULL;
    }
    const char *term = getenv("TERM");
    if (!term || !*term) {
        snprintf(err, errlen, "TERM is not set: cannot drive the terminal");
        return NULL;
    }
    ui_t *ui = calloc(1, sizeof *ui);
    if (ui && (!(ui->latest = cluster_snapshot_new()) || !(ui->shown = cluster_snapshot_new()))) {
        ui_free_mem(ui);
        ui = NULL;
    }
    if (!ui) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ui->cfg = *cfg;
    if (cfg->theme)
        snprintf(ui->theme_arg, sizeof ui->theme_arg, "%s", cfg->theme);
    ui->cfg.theme = ui->theme_arg;
    if (cfg->export_dir)
        snprintf(ui->export_dir, sizeof ui->export_dir, "%s", cfg->export_dir);
    ui->cfg.export_dir = ui->export_dir;
    const char *cs = nl_langinfo(CODESET);
    ui->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
    ui->fmt = ui->utf8 ? FORMAT_UTF8 : 0;

    crash.fd = STDOUT_FILENO;
    if (tcgetattr(crash.fd, &crash.tio) != 0) {
        snprintf(err, errlen, "cannot read the terminal modes: %s", strerror(errno));
        ui_free_mem(ui);
        return NULL;
    }
    ui->screen = newterm(NULL, stdout, stdin);
    if (!ui->screen) {
        snprintf(err, errlen, "cannot use terminal type \"%.60s\"", term);
        ui_free_mem(ui);
        return NULL;
    }
    set_term(ui->screen);

    /* the crash sequence: attributes off, mouse and keypad off, cursor on,
       alternate screen left */
    crash.len = 0;
    crash_add_cap("sgr0");
    char *km = tigetstr("kmous");
    bool can_mouse = km && km != (char *)-1 && *km;
    if (can_mouse)
        crash_add("\033[?1000l\033[?1002l\033[?1006l");
    crash_add_cap("rmkx");
    crash_add_cap("cnorm");
    crash_add_cap("rmcup");
    crash.armed = 1;

    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    leaveok(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    ui->input = newpad(1, 1);
    if (ui->input) {
        keypad(ui->input, TRUE);
        nodelay(ui->input, TRUE);
    }
    if (can_mouse) {
        mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
        ui->mouse = true;
    }

    ui->colors = false;
    if (!cfg->no_color && has_colors() && start_color() == OK) {
        ui->default_colors = use_default_colors() == OK;
        ui->colors = COLOR_PAIRS > THEME_ROLE_COUNT + 1;
    }
    theme_init(ui);
    ui_theme_apply(ui);

    ui->events_shown = 0;
    ui_relayout(ui);
    ui->repaint = true;
    ui->dirty = UI_DIRTY_ALL;
    ui_render(ui, 0);
    return ui;
}

void ui_close(ui_t *ui)
{
    if (!ui)
        return;
    if (ui->mouse)
        mousemask(0, NULL);
    if (ui->input)
        delwin(ui->input);
    endwin();
    delscreen(ui->screen);
    tcsetattr(crash.fd, TCSANOW, &crash.tio);
    crash.armed = 0;
    ui_free_mem(ui);
}

int ui_input_fd(const ui_t *ui)
{
    (void)ui;
    return STDIN_FILENO;
}

/* ---- geometry ---- */

/* The layout for the terminal's size and the members shown (pure, cheap:
 * done for every frame that draws). Returns true when it changed. */
static bool layout_now(ui_t *ui)
{
    layout_t l;
    layout_opts_t o = { LAYOUT_AUTO };
    layout_compute(COLS, LINES, ui->have_shown ? ui->shown->n_members : 0, o, &l);
    bool changed = ui->cols != COLS || ui->rows != LINES || memcmp(&l, &ui->lay, sizeof l) != 0;
    ui->cols = COLS;
    ui->rows = LINES;
    ui->lay = l;
    return changed;
}

void ui_relayout(ui_t *ui)
{
    layout_now(ui);
    ui->dirty = UI_DIRTY_ALL;
}

void ui_handle_resize(ui_t *ui)
{
    if (!ui)
        return;
    struct winsize ws;
    if (ioctl(crash.fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
        resizeterm(ws.ws_row, ws.ws_col);
    } else {
        endwin();
        refresh();
    }
    ui_relayout(ui);
    ui->repaint = true;
    ui_render(ui, ui->now);
}

/* ---- input ---- */

void ui_click(ui_t *ui, int y, int x)
{
    if (ui->view != UI_VIEW_MAIN || ui->lay.too_small)
        return;
    for (int i = 0; i < N_MAIN; i++) {
        rect_t r = panel_rect(ui, main_panels[i]);
        if (main_panels[i]->click && y >= r.y && y < r.y + r.h && x >= r.x && x < r.x + r.w) {
            if (main_panels[i] != &ui_panel_alerts && ui->alerts_focus) {
                ui->alerts_focus = false;
                ui->dirty |= UI_DIRTY_ALERTS | UI_DIRTY_FOOTER;
            }
            main_panels[i]->click(ui, r, y - r.y, x - r.x);
        }
    }
}

unsigned ui_handle_input(ui_t *ui, double now)
{
    if (!ui || !ui->input)
        return UI_ACT_NONE;
    unsigned act = UI_ACT_NONE;
    for (int i = 0; i < 512; i++) {       /* bounded: a paste cannot hold us */
        int ch = wgetch(ui->input);
        if (ch == ERR)
            break;
        act |= ui_keys_dispatch(ui, ch, now);
        if (act & (UI_ACT_QUIT | UI_ACT_CONTROL | UI_ACT_REPLAY | UI_ACT_BACK))
            return act;                   /* a request is taken before the next key */
    }
    ui_render(ui, now);
    return act;
}

void ui_set_esc_leaves(ui_t *ui, bool on)
{
    ui->esc_leaves = on;
}

void ui_set_cluster_name(ui_t *ui, const char *name)
{
    snprintf(ui->cluster_name, sizeof ui->cluster_name, "%s", name ? name : "");
    ui->dirty = UI_DIRTY_ALL;
}

void ui_notice(ui_t *ui, double now, double seconds, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ui->notice, sizeof ui->notice, fmt, ap);
    va_end(ap);
    ui->notice_sticky = false;
    ui->notice_until = now + seconds;
    ui->dirty |= UI_DIRTY_FOOTER | UI_DIRTY_VIEW;
}

/* ---- data ---- */

/* Show the latest data (on every update while live, and on resume). */
static void show_latest(ui_t *ui)
{
    if (!ui->have_latest)
        return;
    int before = ui->have_shown ? ui->shown->n_members : -1;
    cluster_snapshot_copy(ui->shown, ui->latest);
    ui_filter_alerts(ui, ui->latest_alerts, ui->n_latest_alerts);
    ui->events_shown = ui->events.total;
    ui->have_shown = true;
    ui_alerts_follow(ui);
    if (ui->window >= ui->shown->n_windows)
        ui->window = 0;
    if (before != ui->shown->n_members)
        ui_relayout(ui);
    ui->dirty = UI_DIRTY_ALL;
}

void ui_set_paused(ui_t *ui, bool paused)
{
    if (paused == ui->paused)
        return;
    ui->paused = paused;
    if (!paused)
        show_latest(ui);
    ui->dirty = UI_DIRTY_ALL;
}

/* The poll's alert transitions ("FIRING:Rule@member ...") as timeline lines
 * "alert firing: Rule on member". */
static void push_alert_events(ui_t *ui, const cluster_snapshot_t *snap)
{
    const char *p = snap->alert_events;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0)
            break;
        char tok[256], line[CLUSTER_EVENT_LEN];
        snprintf(tok, sizeof tok, "%.*s", (int)(n < 255 ? n : 255), p);
        p += n;
        char *rule = strchr(tok, ':');
        if (!rule)
            continue;
        *rule++ = '\0';
        char *member = strchr(rule, '@');
        if (member)
            *member++ = '\0';
        for (char *k = tok; *k; k++)
            *k = (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k);
        snprintf(line, sizeof line, "alert %.20s: %.60s%s%.64s", tok, rule,
                 member ? " on " : "", member ? member : "");
        ui_events_push(&ui->events, snap->t, line);
    }
}

void ui_replay_label(ui_t *ui, const char *label)
{
    if (ui && strcmp(ui->replay, label) != 0) {
        snprintf(ui->replay, sizeof ui->replay, "%s", label);
        ui->dirty |= UI_DIRTY_HEADER | UI_DIRTY_FOOTER;
    }
}

ui_replay_cmd_t ui_take_replay(ui_t *ui)
{
    if (!ui)
        return UI_REPLAY_NONE;
    ui_replay_cmd_t c = ui->replay_cmd;
    ui->replay_cmd = UI_REPLAY_NONE;
    return c;
}

void ui_replay_events(ui_t *ui, const double *t, const char *const *text, int n)
{
    if (!ui)
        return;
    ui->events.total = 0;
    for (int i = 0; i < n; i++)
        ui_events_push(&ui->events, t[i], text[i]);
    ui->events_shown = ui->events.total;
    ui->dirty |= UI_DIRTY_ALERTS;
}

void ui_set_delivery(ui_t *ui, const delivery_status_t *d)
{
    if (ui && ui->delivery != d) {
        ui->delivery = d;
        ui->dirty |= UI_DIRTY_ALERTS;
    }
}

bool ui_take_control(ui_t *ui, output_ctl_t *out)
{
    if (!ui || !ui->has_ctl)
        return false;
    *out = ui->ctl;
    ui->has_ctl = false;
    return true;
}

void ui_control_done(ui_t *ui, double now, int handled, const char *reply)
{
    if (!ui)
        return;
    if (handled > 0)
        ui_notice(ui, now, 5, "%s", reply);
    else
        ui_notice(ui, now, 5, "nothing to silence: no alert delivery is configured");
    ui->dirty |= UI_DIRTY_ALERTS;
}

void ui_update(ui_t *ui, const cluster_snapshot_t *snap, const alert_t *alerts,
               int n_alerts, const history_set_t *hist)
{
    if (!ui || !snap)
        return;
    cluster_snapshot_copy(ui->latest, snap);
    if (n_alerts < 0 || !alerts)
        n_alerts = 0;
    if (n_alerts > RULES_MAX_ALERTS)
        n_alerts = RULES_MAX_ALERTS;
    memcpy(ui->latest_alerts, alerts ? alerts : ui->latest_alerts,
           (size_t)n_alerts * sizeof *alerts);
    ui->n_latest_alerts = n_alerts;
    ui->have_latest = true;
    ui->hist = hist;
    spans_update(&ui->spans, ui->latest_alerts, n_alerts, snap->t);
    for (int i = 0; i < snap->events.n && i < CLUSTER_MAX_EVENTS; i++)
        ui_events_push(&ui->events, snap->t, snap->events.line[i]);
    push_alert_events(ui, snap);
    if (!ui->paused)
        show_latest(ui);
}

/* ---- drawing ---- */

static void draw_too_small(ui_t *ui)
{
    ui_canvas_t c = { stdscr, { 0, 0, ui->cols, ui->rows }, ui };
    ui_fill(&c, THEME_NORMAL);
    char now[64];
    snprintf(now, sizeof now, "now %dx%d", ui->cols, ui->rows);
    const char *msg = "terminal too small (need 80x24)";
    int y = ui->rows / 2 - 1;
    int w = ui_cells(msg);
    ui_put(&c, y < 0 ? 0 : y, w < ui->cols ? (ui->cols - w) / 2 : 0, -1, THEME_WARNING, msg);
    w = ui_cells(now);
    ui_put(&c, y + 1, w < ui->cols ? (ui->cols - w) / 2 : 0, -1, THEME_MUTED, now);
    const char *q = "q: quit";
    ui_put(&c, y + 2, (ui->cols - 7) / 2 > 0 ? (ui->cols - 7) / 2 : 0, -1, THEME_MUTED, q);
}

/* Keep scroll offsets inside what there is to scroll. */
static void clamp_scrolls(ui_t *ui)
{
    ui_members_follow(ui);
    int ma = ui_alerts_max_scroll(ui, ui->lay.alerts.h);
    if (ui->alerts_scroll > ma)
        ui->alerts_scroll = ma;
    if (ui->alerts_scroll < 0)
        ui->alerts_scroll = 0;
    int mh = ui_help_lines(ui) - (ui->rows - 4);
    if (ui->help_scroll > mh)
        ui->help_scroll = mh;
    if (ui->help_scroll < 0)
        ui->help_scroll = 0;
}

void ui_render(ui_t *ui, double now)
{
    if (!ui)
        return;
    ui->now = now;
    if (ui->notice[0] && !ui->notice_sticky && now >= ui->notice_until) {
        ui->notice[0] = '\0';
        ui->dirty |= UI_DIRTY_FOOTER | UI_DIRTY_VIEW;
    }
    double age = ui_data_age(ui, now);
    long clock = isnan(age) ? -1 : (long)age;
    if (clock != ui->clock_shown) {
        ui->clock_shown = clock;
        ui->dirty |= UI_DIRTY_HEADER | UI_DIRTY_VIEW;
    }
    if (ui->delivery && ui->delivery->gen != ui->delivery_gen) {
        ui->delivery_gen = ui->delivery->gen;
        ui->dirty |= UI_DIRTY_ALERTS;
    }
    if (ui->repaint) {
        clearok(curscr, TRUE);
        ui->dirty = UI_DIRTY_ALL;
        ui->repaint = false;
    }
    if (!ui->dirty)
        return;
    if (layout_now(ui))
        ui->dirty = UI_DIRTY_ALL;

    if (ui->lay.too_small) {
        draw_too_small(ui);
    } else if (ui->view == UI_VIEW_MAIN) {
        clamp_scrolls(ui);
        for (int i = 0; i < N_MAIN; i++) {
            const ui_panel_t *p = main_panels[i];
            if (!(ui->dirty & p->dirty))
                continue;
            ui_canvas_t c = { stdscr, panel_rect(ui, p), ui };
            p->draw(&c);
        }
    } else if (ui->dirty) {
        clamp_scrolls(ui);
        ui_canvas_t c = { stdscr, { 0, 0, ui->cols, ui->rows }, ui };
        if (ui->view == UI_VIEW_DETAIL)
            ui_detail_draw(&c);
        else if (ui->view == UI_VIEW_GRAPH)
            ui_graph_draw(&c);
        else
            ui_help_draw(&c);
    }
    ui->dirty = 0;
    wnoutrefresh(stdscr);
    doupdate();
}

int ui_next_tick_ms(const ui_t *ui, double now)
{
    if (!ui)
        return -1;
    int ms = 1000;
    double age = ui_data_age(ui, now);
    if (!isnan(age)) {
        /* just after the header's age turns the next whole second */
        ms = (int)ceil((1.0 - (age - floor(age))) * 1000.0) + 5;
    }
    if (ui->notice[0] && !ui->notice_sticky) {
        int n = (int)ceil((ui->notice_until - now) * 1000.0);
        if (n < ms)
            ms = n;
    }
    return ms < 10 ? 10 : ms > 1000 ? 1000 : ms;
}
