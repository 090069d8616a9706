/* ui_output.c — the dashboard as an output: opens curses, wakes the loop on a
 * key (its input fd is registered there), takes each poll, and on every loop
 * turn follows the terminal's size, reads keys and draws what changed. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include "signals.h"

typedef struct {
    ui_t   *ui;
    loop_t *loop;
    int   (*control)(void *ctx, const output_ctl_t *ctl, char *reply, size_t n);
    void   *control_ctx;
} dashboard_t;

/* Keys are read in tick(); the fd is registered only to wake the loop. */
static void dashboard_wake(void *ctx, int fd, short revents)
{
    (void)ctx;
    (void)fd;
    (void)revents;
}

ui_t *ui_output_start(const output_env_t *env, char *err, size_t errlen)
{
    const config_t *cfg = env->cfg;
    ui_config_t uc = { .theme = cfg->theme, .no_color = getenv("NO_COLOR") != NULL,
                       .interval_ms = cfg->interval_ms, .duration_s = cfg->duration_ms / 1000.0,
                       .insecure = cfg->insecure_skip_verify,
                       .export_dir = env->workspace_dir, .rules = env->rules };
    ui_t *ui = ui_open(&uc, err, errlen);
    if (!ui)
        return NULL;
    if (loop_fd_add(env->loop, ui_input_fd(ui), LOOP_IN, dashboard_wake, NULL) != 0) {
        ui_close(ui);
        snprintf(err, errlen, "cannot watch the terminal's input");
        return NULL;
    }
    signals_set_crash_hook(ui_crash_restore);
    return ui;
}

void ui_output_stop(ui_t *ui, loop_t *loop)
{
    loop_fd_remove(loop, ui_input_fd(ui));
    ui_close(ui);
    signals_set_crash_hook(ui_crash_restore);   /* harmless with no UI open */
}

static void *dashboard_open(const output_env_t *env, void *arg, char *err, size_t errlen)
{
    (void)arg;
    dashboard_t *d = calloc(1, sizeof(*d));
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!(d->ui = ui_output_start(env, err, errlen))) {
        free(d);
        return NULL;
    }
    d->loop = env->loop;
    d->control = env->control;
    d->control_ctx = env->control_ctx;
    return d;
}

static void dashboard_poll(void *o, const poll_view_t *pv)
{
    dashboard_t *d = o;
    ui_set_delivery(d->ui, pv->delivery);
    ui_update(d->ui, pv->snap, pv->active, pv->n_active, pv->hist);
}

static unsigned dashboard_tick(void *o, double now)
{
    dashboard_t *d = o;
    if (signals_take_resize())
        ui_handle_resize(d->ui);
    unsigned in = ui_handle_input(d->ui, now), act = OUTPUT_ACT_NONE;
    if (in & UI_ACT_QUIT)
        act |= OUTPUT_ACT_QUIT;
    if (in & UI_ACT_POLL_NOW)
        act |= OUTPUT_ACT_POLL_NOW;
    output_ctl_t ctl;
    if ((in & UI_ACT_CONTROL) && ui_take_control(d->ui, &ctl)) {
        char reply[300] = "";
        int handled = d->control ? d->control(d->control_ctx, &ctl, reply, sizeof reply) : 0;
        ui_control_done(d->ui, now, handled, reply);
    }
    ui_render(d->ui, now);
    return act;
}

static int dashboard_next_tick_ms(void *o, double now)
{
    const dashboard_t *d = o;
    return ui_next_tick_ms(d->ui, now);
}

static void dashboard_close(void *o, double t)
{
    (void)t;
    dashboard_t *d = o;
    ui_output_stop(d->ui, d->loop);
    free(d);
}

const output_ops_t output_dashboard = {
    .name = "dashboard",
    .open = dashboard_open,
    .on_poll = dashboard_poll,
    .tick = dashboard_tick,
    .next_tick_ms = dashboard_next_tick_ms,
    .close = dashboard_close,
};
