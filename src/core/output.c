/* output.c — the list of outputs and the fan-out of each event (see output.h). */
#include "output.h"

#include <stdio.h>
#include <string.h>

int outputs_open(output_list_t *l, const output_ops_t *ops, const output_env_t *env,
                 void *arg, char *err, size_t errlen)
{
    if (l->n >= OUTPUT_MAX) {
        snprintf(err, errlen, "too many outputs (at most %d)", OUTPUT_MAX);
        return -1;
    }
    void *o = ops->open(env, arg, err, errlen);
    if (!o)
        return -1;
    l->ops[l->n] = ops;
    l->state[l->n++] = o;
    return 0;
}

void outputs_transition(const output_list_t *l, const alert_transition_t *tr, const char *line)
{
    for (int i = 0; i < l->n; i++)
        if (l->ops[i]->on_transition)
            l->ops[i]->on_transition(l->state[i], tr, line);
}

void outputs_poll(const output_list_t *l, const poll_view_t *pv)
{
    for (int i = 0; i < l->n; i++)
        if (l->ops[i]->on_poll)
            l->ops[i]->on_poll(l->state[i], pv);
}

void outputs_notice(const output_list_t *l, double t, notice_kind_t kind, const char *line)
{
    for (int i = 0; i < l->n; i++)
        if (l->ops[i]->on_notice)
            l->ops[i]->on_notice(l->state[i], t, kind, line);
}

unsigned outputs_tick(const output_list_t *l, double now)
{
    unsigned act = OUTPUT_ACT_NONE;
    for (int i = 0; i < l->n; i++)
        if (l->ops[i]->tick)
            act |= l->ops[i]->tick(l->state[i], now);
    return act;
}

int outputs_control(const output_list_t *l, const output_ctl_t *ctl, char *reply, size_t n)
{
    int handled = 0;
    if (n)
        reply[0] = '\0';
    for (int i = 0; i < l->n; i++)
        if (l->ops[i]->on_control)
            handled += l->ops[i]->on_control(l->state[i], ctl, reply, n) > 0;
    return handled;
}

int outputs_next_tick_ms(const output_list_t *l, double now)
{
    int best = -1;
    for (int i = 0; i < l->n; i++) {
        if (!l->ops[i]->next_tick_ms)
            continue;
        int t = l->ops[i]->next_tick_ms(l->state[i], now);
        if (t >= 0 && (best < 0 || t < best))
            best = t;
    }
    return best;
}

void outputs_close(output_list_t *l, double t)
{
    while (l->n > 0) {
        const output_ops_t *ops = l->ops[0];
        void *state = l->state[0];
        l->n--;
        memmove(&l->ops[0], &l->ops[1], (size_t)l->n * sizeof l->ops[0]);
        memmove(&l->state[0], &l->state[1], (size_t)l->n * sizeof l->state[0]);
        if (ops->close)
            ops->close(state, t);
    }
}
