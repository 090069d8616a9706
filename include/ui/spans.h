/* spans.h — when each alert fired, as time spans (pure, no curses), for the
 * history graph's shading. Built from the active alerts the dashboard gets
 * each poll: a span opens when an alert is seen firing (from its
 * firing_since) and closes at the last poll it was still firing. Bounded:
 * SPANS_MAX spans, the oldest closed one forgotten first. */
#ifndef EM_SPANS_H
#define EM_SPANS_H

#include <stdbool.h>
#include "graph.h"
#include "rules.h"

#define SPANS_MAX 256

typedef struct {
    char   rule[48];
    char   member[64];             /* "" = cluster-wide */
    double from, to;               /* fired at, last seen firing */
    severity_t severity;
    double threshold;              /* the rule's threshold as the alert said */
    bool   open;                   /* still firing at the last update */
} alert_span_t;

typedef struct {
    alert_span_t s[SPANS_MAX];
    int          n;
    double       t;                /* the last update's time */
} spans_t;

/* Take one poll's active alerts at time t. Time going backwards (a replay
 * moved back) starts the list again. */
void spans_update(spans_t *sp, const alert_t *alerts, int n, double t);

/* The spans of the given rules (names rules[0..n_rules)) on member, or
 * cluster-wide, that overlap [from, to], into out[0..max); the count. */
int spans_find(const spans_t *sp, const char *member, const char *const *rules, int n_rules,
               double from, double to, graph_span_t *out, int max);

/* The threshold the newest span of rule at severity sev was held to, NAN
 * when none is kept (the graph's threshold line when the rules themselves
 * are not at hand, as in a replay). */
double spans_threshold(const spans_t *sp, const char *rule, severity_t sev);

#endif
