/* rules_span.c — which span of the snapshot a rule reads: the window nearest to
 * its range, and for a quantile rule the shortest span (the poll interval, then
 * the windows from its own range up) whose quantile rests on enough
 * observations, so that one or two fsyncs in an interval never decide an alert. */
#include "rules_internal.h"

#include <math.h>
#include <stdlib.h>

/* The window of snap a rule reads (-1 if none): the first, the largest, or the
 * one nearest to range_ms (a tie goes to the longer window, the calmer one). */
int rules_pick_window(const cluster_snapshot_t *snap, int64_t range_ms, int64_t *len)
{
    int n = snap->n_windows < FIG_MAX_WINDOWS ? snap->n_windows : FIG_MAX_WINDOWS;
    int best = -1;
    *len = 0;
    if (range_ms == RANGE_NONE || n <= 0)
        return -1;
    for (int i = 0; i < n; i++) {
        int64_t w = snap->window_ms[i];
        if (w <= 0)
            continue;
        if (best < 0) {
            best = i;
            if (range_ms == RANGE_FIRST)
                break;
            continue;
        }
        int64_t b = snap->window_ms[best];
        if (range_ms == RANGE_LARGEST) {
            if (w > b)
                best = i;
        } else {
            int64_t dw = llabs(w - range_ms), db = llabs(b - range_ms);
            if (dw < db || (dw == db && w > b))
                best = i;
        }
    }
    if (best >= 0)
        *len = snap->window_ms[best];
    return best;
}

/* The quantile q of member m over window w (-1: the interval) and its count. */
static void rules_q_at(rule_quant_t q, const member_view_t *m, int w, double *v, double *n)
{
    const window_figures_t *f = w >= 0 ? &m->fig.w[w] : NULL;
    switch (q) {
    case Q_WAL_P99:
        *v = f ? f->wal_p99 : m->iv.wal_p99_ms;
        *n = f ? f->wal_n : m->iv.wal_n;
        break;
    case Q_BACKEND_P99:
        *v = f ? f->backend_p99 : m->iv.backend_p99_ms;
        *n = f ? f->backend_n : m->iv.backend_n;
        break;
    case Q_PEER_RTT_P99:
        *v = f ? f->peer_rtt_p99 : m->iv.peer_rtt_p99_ms;
        *n = f ? f->peer_rtt_n : m->iv.peer_rtt_n;
        break;
    case Q_NONE:
    default:
        *v = *n = NAN;
    }
}

/* Whether a span's quantile can be judged: known, on at least min_obs observations. */
static bool rules_q_enough(double v, double n, int min_obs)
{
    return !isnan(v) && !isnan(n) && n >= (double)min_obs - 1e-9;
}

rule_in_t rules_quantile(const rule_def_t *def, const cluster_snapshot_t *snap,
                         const member_view_t *m, int min_obs, double *value,
                         rule_basis_t *basis)
{
    double v, n;
    *value = NAN;
    basis->w = -1;
    basis->span_ms = 0;
    basis->n = NAN;
    if (def->flags & RF_INTERVAL) {
        rules_q_at(def->quant, m, -1, &v, &n);
        if (rules_q_enough(v, n, min_obs)) {
            *value = v;
            basis->n = n;
            basis->span_ms = (int64_t)llround(m->iv.seconds * 1000.0);
            return IN_VALUE;
        }
    }
    /* The windows from the rule's own range up, shortest first. */
    int64_t from = 0;
    if (!(def->flags & RF_INTERVAL) && rules_pick_window(snap, def->range_ms, &from) < 0)
        return IN_UNKNOWN;
    int nw = snap->n_windows < FIG_MAX_WINDOWS ? snap->n_windows : FIG_MAX_WINDOWS;
    bool used[FIG_MAX_WINDOWS] = { false };
    for (;;) {
        int best = -1;
        for (int i = 0; i < nw; i++)
            if (!used[i] && snap->window_ms[i] >= from && snap->window_ms[i] > 0 &&
                (best < 0 || snap->window_ms[i] < snap->window_ms[best]))
                best = i;
        if (best < 0)
            return IN_UNKNOWN;
        used[best] = true;
        rules_q_at(def->quant, m, best, &v, &n);
        if (rules_q_enough(v, n, min_obs)) {
            *value = v;
            basis->w = best;
            basis->span_ms = snap->window_ms[best];
            basis->n = n;
            return IN_VALUE;
        }
    }
}
