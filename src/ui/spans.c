/* spans.c — alert firing spans from the active alerts of each poll (see spans.h). */
#include "spans.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The open span of rule@member, NULL when there is none. */
static alert_span_t *spans_open(spans_t *sp, const char *rule, const char *member)
{
    for (int i = 0; i < sp->n; i++)
        if (sp->s[i].open && strcmp(sp->s[i].rule, rule) == 0 &&
            strcmp(sp->s[i].member, member) == 0)
            return &sp->s[i];
    return NULL;
}

/* A free entry: a new one, else the oldest closed span's (the list is full of
 * open ones only when SPANS_MAX alerts fire at once: the oldest is reused). */
static alert_span_t *spans_new(spans_t *sp)
{
    if (sp->n < SPANS_MAX)
        return &sp->s[sp->n++];
    int oldest = 0;
    for (int i = 1; i < sp->n; i++) {
        bool better = sp->s[oldest].open && !sp->s[i].open;
        bool same = sp->s[oldest].open == sp->s[i].open;
        if (better || (same && sp->s[i].to < sp->s[oldest].to))
            oldest = i;
    }
    memmove(&sp->s[oldest], &sp->s[oldest + 1], (size_t)(sp->n - oldest - 1) * sizeof sp->s[0]);
    return &sp->s[sp->n - 1];
}

void spans_update(spans_t *sp, const alert_t *alerts, int n, double t)
{
    if (t < sp->t)
        sp->n = 0;
    sp->t = t;
    for (int i = 0; i < sp->n; i++)
        if (sp->s[i].open) {
            bool still = false;
            for (int k = 0; k < n && !still; k++)
                still = alerts[k].state == ALERT_FIRING &&
                        strcmp(alerts[k].rule, sp->s[i].rule) == 0 &&
                        strcmp(alerts[k].member, sp->s[i].member) == 0;
            sp->s[i].open = still;
        }
    for (int k = 0; k < n; k++) {
        const alert_t *a = &alerts[k];
        if (a->state != ALERT_FIRING)
            continue;
        alert_span_t *s = spans_open(sp, a->rule, a->member);
        if (!s) {
            s = spans_new(sp);
            snprintf(s->rule, sizeof s->rule, "%s", a->rule);
            snprintf(s->member, sizeof s->member, "%s", a->member);
            s->from = a->firing_since > 0 && a->firing_since <= t ? a->firing_since : t;
            s->open = true;
        }
        s->to = t;
        s->threshold = a->threshold;
        s->severity = a->severity;
    }
}

double spans_threshold(const spans_t *sp, const char *rule, severity_t sev)
{
    double v = NAN, newest = -INFINITY;
    for (int i = 0; rule && i < sp->n; i++)
        if (strcmp(sp->s[i].rule, rule) == 0 && sp->s[i].severity == sev &&
            sp->s[i].to > newest) {
            newest = sp->s[i].to;
            v = sp->s[i].threshold;
        }
    return v;
}

int spans_find(const spans_t *sp, const char *member, const char *const *rules, int n_rules,
               double from, double to, graph_span_t *out, int max)
{
    int n = 0;
    for (int i = 0; i < sp->n && n < max; i++) {
        const alert_span_t *s = &sp->s[i];
        if (s->to < from || s->from > to || (s->member[0] && strcmp(s->member, member) != 0))
            continue;
        bool ours = false;
        for (int r = 0; r < n_rules && !ours; r++)
            ours = strcmp(rules[r], s->rule) == 0;
        if (ours)
            out[n++] = (graph_span_t){ s->from, s->to };
    }
    return n;
}
