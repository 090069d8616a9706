/* ui_help.c — the help screen (? or F1): every key of the key table with its
 * help text, then what the screen shows (sort orders, themes, glyphs,
 * colours). Generated, never written by hand, so it cannot drift. */
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    char         key[24];
    char         text[200];
    theme_role_t role;
} help_line_t;

#define HELP_MAX 64

static void add(help_line_t *l, int *n, const char *key, theme_role_t role, const char *text)
{
    if (*n >= HELP_MAX)
        return;
    snprintf(l[*n].key, sizeof l[*n].key, "%s", key);
    snprintf(l[*n].text, sizeof l[*n].text, "%s", text);
    l[*n].role = role;
    (*n)++;
}

/* All lines of the help screen. */
static int build(const ui_t *ui, help_line_t *l)
{
    int n = 0, nk;
    const ui_key_t *keys = ui_keys_table(&nk);
    char b[200];
    add(l, &n, "", THEME_TITLE, "Keys");
    if (ui->replay[0]) {                  /* replay mode: its keys first */
        int nr;
        const ui_key_t *rk = ui_keys_replay_table(&nr);
        for (int i = 0; i < nr; i++)
            add(l, &n, rk[i].name, THEME_HELP, rk[i].help);
    }
    for (int i = 0; i < nk; i++)
        if (!keys[i].hidden)
            add(l, &n, keys[i].name, THEME_HELP, keys[i].help);
    add(l, &n, "", THEME_HELP, "");
    add(l, &n, "", THEME_TITLE, "What the screen shows");
    size_t k = (size_t)snprintf(b, sizeof b, "sort orders (s):");
    for (int i = 0; i < UI_SORT_COUNT && k < sizeof b; i++)
        k += (size_t)snprintf(b + k, sizeof b - k, "%s %s", i ? "," : "", ui_sort_name(i));
    add(l, &n, "", THEME_HELP, b);
    k = (size_t)snprintf(b, sizeof b, "themes (t):");
    const char *const *names = theme_builtin_names();
    for (int i = 0; names[i] && k < sizeof b; i++)
        k += (size_t)snprintf(b + k, sizeof b - k, "%s %s", i ? "," : "", names[i]);
    if (ui->has_custom && k < sizeof b)
        snprintf(b + k, sizeof b - k, ", %s (file)", ui->custom_name);
    add(l, &n, "", THEME_HELP, b);
    snprintf(b, sizeof b, "role: %s leader, follower, learner; status: up, or why the member is down",
             ui_glyph_star(ui));
    add(l, &n, "", THEME_HELP, b);
    snprintf(b, sizeof b, "%s means unknown (never shown as 0); the panels below the table describe "
             "the selected member", ui->utf8 ? "\u2014" : "-");
    add(l, &n, "", THEME_HELP, b);
    add(l, &n, "", THEME_OK, "ok: within the display thresholds");
    add(l, &n, "", THEME_WARNING,
        "warning: past e.g. WAL p99 10ms, commit p99 25ms, fragmentation 30%, quota 80%");
    add(l, &n, "", THEME_CRITICAL,
        "critical: past e.g. WAL p99 20ms, commit p99 50ms, fragmentation 60%, quota 95%");
    add(l, &n, "", THEME_HELP,
        "alerts come from the rule engine; colours are only a reading aid");
    add(l, &n, "", THEME_HELP,
        "latency and rates are over the chosen window; sparklines show the per-poll values");
    add(l, &n, "", THEME_HELP, "while paused the picture stays still; the age in the header keeps counting");
    return n;
}

int ui_help_lines(const ui_t *ui)
{
    help_line_t l[HELP_MAX];
    return build(ui, l);
}

void ui_help_draw(const ui_canvas_t *c)
{
    const ui_t *ui = c->ui;
    ui_fill(c, THEME_NORMAL);
    ui_canvas_t top = ui_sub(c, 0, 0, 1, c->r.w);
    ui_fill(&top, THEME_HEADER);
    ui_put(&top, 0, 1, -1, THEME_HEADER, "etcd-monitor help");
    ui_canvas_t foot = ui_sub(c, c->r.h - 1, 0, 1, c->r.w);
    ui_panel_footer.draw(&foot);

    ui_canvas_t body = ui_sub(c, 1, 0, c->r.h - 2, c->r.w);
    ui_canvas_t in = ui_frame(&body, "Help", true);
    help_line_t l[HELP_MAX];
    int n = build(ui, l);
    for (int y = 0; y < in.r.h && ui->help_scroll + y < n; y++) {
        const help_line_t *h = &l[ui->help_scroll + y];
        if (h->key[0]) {
            ui_put(&in, y, 2, 12, THEME_KEY, h->key);
            ui_put(&in, y, 16, -1, h->role, h->text);
        } else {
            ui_put(&in, y, 2, -1, h->role, h->text);
        }
    }
    if (ui->help_scroll + in.r.h < n)
        ui_put_right(&body, body.r.h - 1, 1, body.r.w - 3, THEME_MUTED, " more: Down ");
}
