/* rules.c — the alert rule engine: evaluates the built-in rules once per poll
 * for every scope instance (the cluster, each member, each member with an
 * alarm), moves each alert through inactive -> pending -> firing -> resolved,
 * and formats the alerts.log line of a transition. Pure: no I/O.
 *
 * Unknown figures: a rule whose input is unknown is not active, so it never
 * fires on an unknown. A pending alert whose input becomes unknown is dropped
 * silently. A firing alert whose input becomes unknown because its member (or,
 * for a cluster-wide rule, every member) does not answer keeps firing with its
 * last value: an unreachable member is not a fixed one, and resolving it would
 * only make the alert flap. Any other unknown resolves it (e.g. no fsync at all
 * in the window means nothing was slow). */
#include "rules.h"
#include "format.h"
#include "rules_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_NO_LEADER_TIMEOUT_S 60.0

/* One rule as configured for this session. */
typedef struct {
    bool   on;          /* enabled and at least as severe as the level asks */
    double threshold;
    double for_s;
} rule_rt_t;

/* One tracked (pending or firing) alert. */
typedef struct {
    alert_t a;
    int     rule;       /* index in the built-in table */
    bool    seen;       /* its instance was evaluated this poll */
} slot_t;

struct rules {
    int        n_rules;
    rule_rt_t *rt;
    int        n;                          /* slots in use */
    slot_t     slots[RULES_MAX_ALERTS];    /* sorted as rules_active() lists them */
    alert_t    view[RULES_MAX_ALERTS];
};

/* Transitions being written by one rules_eval() call. */
typedef struct {
    alert_transition_t *out;
    int                 cap, n;
    double              t;
} emit_t;

/* ---- configuration ---------------------------------------------------------- */

/* The threshold of rule def before overrides, from the table or the config. */
static double rules_threshold_of(const rule_def_t *def, const rules_config_t *rc)
{
    int lv = rc->level == LEVEL_CRITICAL ? 2 : rc->level == LEVEL_INFO ? 0 : 1;
    switch (def->thr_src) {
    case THR_MAX_LATENCY_MS: return rc->thresholds.max_latency_ms;
    case THR_MAX_DB_MB: return rc->thresholds.max_database_size_mb;
    case THR_MIN_NODES: return rc->thresholds.min_available_nodes;
    case THR_LEADER_CHANGES_PER_HOUR: return rc->thresholds.max_leader_changes_per_hour;
    case THR_ERROR_RATE_PCT: return rc->thresholds.max_error_rate * 100.0;
    case THR_MIN_FREE_PCT: return rc->thresholds.min_disk_space_percent;
    case THR_NO_LEADER_TIMEOUT:
        return rc->no_leader_timeout_s > 0 ? rc->no_leader_timeout_s
                                           : DEFAULT_NO_LEADER_TIMEOUT_S;
    case THR_TABLE:
    case THR_FIXED:
    default:
        return def->threshold[lv];
    }
}

/* Apply the overrides to rt; 0, or -1 with a one-line err. */
static int rules_apply_overrides(rule_rt_t *rt, const rules_config_t *rc, char *err,
                                 size_t errlen)
{
    if (rc->n_overrides < 0 || rc->n_overrides > RULES_MAX_OVERRIDES) {
        snprintf(err, errlen, "rules: more than %d rule overrides", RULES_MAX_OVERRIDES);
        return -1;
    }
    for (int k = 0; k < rc->n_overrides; k++) {
        const rule_override_t *o = &rc->overrides[k];
        char name[sizeof o->rule];
        snprintf(name, sizeof name, "%s", o->rule);   /* NUL-terminated copy */
        int i = rules_builtin_find(name);
        if (i < 0) {
            snprintf(err, errlen, "rules: unknown rule \"%s\"", name);
            return -1;
        }
        if (o->has_threshold) {
            if (!rules_builtin_adjustable(i)) {
                snprintf(err, errlen, "rules: %s has no threshold to override", name);
                return -1;
            }
            if (!isfinite(o->threshold)) {
                snprintf(err, errlen, "rules: %s: the threshold is not a number", name);
                return -1;
            }
            rt[i].threshold = o->threshold;
        }
        if (o->has_for) {
            if (!isfinite(o->for_s) || o->for_s < 0) {
                snprintf(err, errlen, "rules: %s: `for` must be 0 or more seconds", name);
                return -1;
            }
            rt[i].for_s = o->for_s;
        }
        if (o->has_enabled && !o->enabled)
            rt[i].on = false;
    }
    return 0;
}

rules_t *rules_new(const rules_config_t *rc, char *err, size_t errlen)
{
    char scratch[160];
    if (!err || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    err[0] = '\0';
    if (!rc) {
        snprintf(err, errlen, "rules: no configuration");
        return NULL;
    }
    rules_t *r = calloc(1, sizeof *r);
    if (r)
        r->rt = calloc((size_t)rules_builtin_count(), sizeof *r->rt);
    if (!r || !r->rt) {
        snprintf(err, errlen, "rules: out of memory");
        rules_free(r);
        return NULL;
    }
    r->n_rules = rules_builtin_count();
    severity_t least = rc->level == LEVEL_CRITICAL ? SEV_CRITICAL : SEV_WARNING;
    for (int i = 0; i < r->n_rules; i++) {
        const rule_def_t *def = rules_builtin_def(i);
        r->rt[i].on = def->severity >= least;
        r->rt[i].threshold = rules_threshold_of(def, rc);
        r->rt[i].for_s = def->for_s;
    }
    if (rules_apply_overrides(r->rt, rc, err, errlen)) {
        rules_free(r);
        return NULL;
    }
    return r;
}

void rules_free(rules_t *r)
{
    if (!r)
        return;
    free(r->rt);
    free(r);
}

/* ---- evaluation ------------------------------------------------------------- */

/* The window of snap a rule reads (-1 if none): the first, the largest, or the
 * one nearest to range_ms (a tie goes to the longer window, the calmer one). */
static int rules_pick_window(const cluster_snapshot_t *snap, int64_t range_ms, int64_t *len)
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

static bool rules_compare(rule_cmp_t cmp, double v, double thr)
{
    switch (cmp) {
    case CMP_GE: return v >= thr;
    case CMP_LT: return v < thr;
    case CMP_GT:
    default: return v > thr;
    }
}

static slot_t *rules_find(rules_t *r, int rule, const char *member)
{
    for (int i = 0; i < r->n; i++)
        if (r->slots[i].rule == rule && r->slots[i].a.state != ALERT_INACTIVE &&
            strcmp(r->slots[i].a.member, member) == 0)
            return &r->slots[i];
    return NULL;
}

static void rules_emit(emit_t *em, transition_kind_t kind, const alert_t *a)
{
    if (em->n >= em->cap || !em->out)
        return;
    em->out[em->n].kind = kind;
    em->out[em->n].t = em->t;
    em->out[em->n].alert = *a;
    em->n++;
}

/* End an alert: RESOLVED when it fired, silently when it was only pending. */
static void rules_end(slot_t *s, emit_t *em)
{
    bool fired = s->a.state == ALERT_FIRING;
    s->a.state = ALERT_INACTIVE;
    if (fired)
        rules_emit(em, TRANS_RESOLVED, &s->a);
}

/* One instance's outcome this poll: the state machine of its alert. blind
 * means the input is unknown because nothing could be seen (member down). */
static void rules_step(rules_t *r, int rule, const char *member, rule_in_t res, double value,
                       double thr, bool blind, emit_t *em)
{
    const rule_def_t *def = rules_builtin_def(rule);
    const rule_rt_t *rt = &r->rt[rule];
    bool cond = res == IN_VALUE && !isnan(value) && rules_compare(def->cmp, value, thr);
    slot_t *s = rules_find(r, rule, member);

    if (s)
        s->seen = true;
    if (!cond) {
        if (!s)
            return;
        if (res == IN_UNKNOWN && blind && s->a.state == ALERT_FIRING)
            return;                                  /* hold: see the top comment */
        if (res == IN_VALUE && !isnan(value)) {
            s->a.value = value;
            s->a.threshold = thr;
        }
        rules_end(s, em);
        return;
    }
    if (!s) {
        if (r->n >= RULES_MAX_ALERTS)
            return;                                  /* table full: not tracked */
        s = &r->slots[r->n++];
        memset(s, 0, sizeof *s);
        s->rule = rule;
        s->seen = true;
        snprintf(s->a.rule, sizeof s->a.rule, "%s", def->name);
        snprintf(s->a.member, sizeof s->a.member, "%s", member);
        snprintf(s->a.unit, sizeof s->a.unit, "%s", def->unit);
        s->a.severity = def->severity;
        s->a.value = value;
        s->a.threshold = thr;
        s->a.active_since = em->t;
        if (rt->for_s <= 0) {
            s->a.state = ALERT_FIRING;
            s->a.firing_since = em->t;
            rules_emit(em, TRANS_FIRING, &s->a);
        } else {
            s->a.state = ALERT_PENDING;
            rules_emit(em, TRANS_PENDING, &s->a);
        }
        return;
    }
    s->a.value = value;
    s->a.threshold = thr;
    if (s->a.state == ALERT_PENDING && em->t - s->a.active_since >= rt->for_s) {
        s->a.state = ALERT_FIRING;
        s->a.firing_since = em->t;
        rules_emit(em, TRANS_FIRING, &s->a);
    }
}

/* Evaluate one instance of a rule and step its alert. */
static void rules_instance(rules_t *r, int rule, const char *member, const rule_input_t *in,
                           bool blind, emit_t *em)
{
    const rule_def_t *def = rules_builtin_def(rule);
    double value = NAN, thr = r->rt[rule].threshold;
    rule_in_t res = IN_UNKNOWN;
    if (!(blind && def->scope == SCOPE_MEMBER && !def->while_down))
        res = def->eval(in, &value, &thr);
    rules_step(r, rule, member, res, value, thr, blind, em);
}

/* The name an alarm's member is shown under: its name, else its ID in hex. */
static void rules_alarm_member(const cluster_snapshot_t *snap, uint64_t id, char *out,
                               size_t cap)
{
    for (int i = 0; i < snap->n_members && i < CLUSTER_MAX_MEMBERS; i++)
        if (id && snap->members[i].id == id && snap->members[i].name[0]) {
            snprintf(out, cap, "%s", snap->members[i].name);
            return;
        }
    if (id)
        snprintf(out, cap, "%016" PRIx64, id);
    else
        out[0] = '\0';
}

/* Every instance of one rule. */
static void rules_eval_rule(rules_t *r, int rule, const cluster_snapshot_t *snap, emit_t *em)
{
    const rule_def_t *def = rules_builtin_def(rule);
    rule_input_t in = { .snap = snap, .w = -1 };
    in.w = rules_pick_window(snap, def->range_ms, &in.window_ms);

    switch (def->scope) {
    case SCOPE_CLUSTER:
        rules_instance(r, rule, "", &in, snap->members_up == 0, em);
        break;
    case SCOPE_MEMBER:
        for (int i = 0; i < snap->n_members && i < CLUSTER_MAX_MEMBERS; i++) {
            const member_view_t *m = &snap->members[i];
            in.m = m;
            rules_instance(r, rule, m->name[0] ? m->name : m->endpoint, &in, !m->sample.up, em);
        }
        break;
    case SCOPE_ALARM: {
        int n = snap->n_alarms < CLUSTER_MAX_ALARMS ? snap->n_alarms : CLUSTER_MAX_ALARMS;
        for (int i = 0; i < n; i++) {
            uint64_t id = snap->alarms[i].member_id;
            bool dup = false;
            for (int j = 0; j < i; j++)
                dup |= snap->alarms[j].member_id == id;
            if (dup)
                continue;
            char name[64];
            rules_alarm_member(snap, id, name, sizeof name);
            in.alarm_member = id;
            rules_instance(r, rule, name, &in, false, em);
        }
        break;
    }
    }
}

/* Order of rules_active(): firing first, most severe first, then table order
 * and member name. */
static int rules_slot_cmp(const void *pa, const void *pb)
{
    const slot_t *a = pa, *b = pb;
    if (a->a.state != b->a.state)
        return a->a.state == ALERT_FIRING ? -1 : 1;
    if (a->a.severity != b->a.severity)
        return a->a.severity > b->a.severity ? -1 : 1;
    if (a->rule != b->rule)
        return a->rule < b->rule ? -1 : 1;
    return strcmp(a->a.member, b->a.member);
}

int rules_eval(rules_t *r, const cluster_snapshot_t *snap, alert_transition_t *out, int cap)
{
    if (!r || !snap)
        return 0;
    emit_t em = { out, cap > 0 ? cap : 0, 0, snap->t };

    for (int i = 0; i < r->n; i++)
        r->slots[i].seen = false;
    for (int rule = 0; rule < r->n_rules; rule++)
        if (r->rt[rule].on)
            rules_eval_rule(r, rule, snap, &em);
    /* Instances gone from the snapshot (a member removed, an alarm cleared). */
    for (int i = 0; i < r->n; i++)
        if (!r->slots[i].seen && r->slots[i].a.state != ALERT_INACTIVE)
            rules_end(&r->slots[i], &em);

    int kept = 0;
    for (int i = 0; i < r->n; i++)
        if (r->slots[i].a.state != ALERT_INACTIVE)
            r->slots[kept++] = r->slots[i];
    r->n = kept;
    qsort(r->slots, (size_t)r->n, sizeof r->slots[0], rules_slot_cmp);
    for (int i = 0; i < r->n; i++)
        r->view[i] = r->slots[i].a;
    return em.n;
}

/* ---- queries ------------------------------------------------------------- */

double rules_threshold(const rules_t *r, const char *rule)
{
    int i = rules_builtin_find(rule);
    if (i < 0 || !r->rt[i].on)
        return NAN;
    return r->rt[i].threshold;
}

int rules_active(const rules_t *r, const alert_t **list)
{
    if (list)
        *list = r ? r->view : NULL;
    return r ? r->n : 0;
}

health_status_t rules_status(const rules_t *r)
{
    health_status_t st = STATUS_HEALTHY;
    for (int i = 0; r && i < r->n; i++) {
        if (r->view[i].state != ALERT_FIRING)
            continue;
        if (r->view[i].severity == SEV_CRITICAL)
            return STATUS_ALERT;
        st = STATUS_WARNING;
    }
    return st;
}

void rules_firing_names(const rules_t *r, char *out, size_t cap)
{
    size_t used = 0;
    if (!out || cap == 0)
        return;
    out[0] = '\0';
    for (int i = 0; r && i < r->n; i++) {
        if (r->slots[i].a.state != ALERT_FIRING)
            continue;
        bool dup = false;
        for (int j = 0; j < i && !dup; j++)
            dup = r->slots[j].rule == r->slots[i].rule && r->slots[j].a.state == ALERT_FIRING;
        if (dup)
            continue;
        const char *name = r->slots[i].a.rule;
        size_t need = strlen(name) + (used ? 1 : 0);
        if (used + need >= cap)
            break;                                  /* only whole names */
        snprintf(out + used, cap - used, "%s%s", used ? " " : "", name);
        used += need;
    }
}

/* ---- alerts.log ------------------------------------------------------------ */

/* A figure for the log: whole numbers bare, others with 3 significant digits
 * (one decimal from 100 up), "inf" or "unknown". */
static void rules_fmt_num(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "%s", "unknown");
    else if (isinf(v))
        snprintf(buf, n, "%s", v > 0 ? "inf" : "-inf");
    else if (v == 0)
        snprintf(buf, n, "%s", "0");
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, n, "%.0f", v);
    else if (fabs(v) >= 100)
        snprintf(buf, n, "%.1f", v);
    else
        snprintf(buf, n, "%.3g", v);
}

/* Copy a field keeping the line grep-friendly: blanks and controls become '_',
 * an empty field becomes "-". */
static void rules_fmt_field(const char *s, char *buf, size_t n)
{
    size_t o = 0;
    for (; *s && o + 1 < n; s++) {
        unsigned char c = (unsigned char)*s;
        buf[o++] = (c <= ' ' || c == 0x7f) ? '_' : (char)c;
    }
    if (o == 0 && n > 1)
        buf[o++] = '-';
    if (n > 0)
        buf[o] = '\0';
}

size_t rules_format_transition(const alert_transition_t *tr, char *out, size_t cap)
{
    static const char *const kinds[] = { "PENDING", "FIRING", "RESOLVED" };
    char ts[48], member[72], unit[16], value[48], thr[48];

    if (!out || cap == 0)
        return 0;
    out[0] = '\0';
    if (!tr || (unsigned)tr->kind > TRANS_RESOLVED)
        return 0;
    format_timestamp(ts, sizeof ts, tr->t, true, 0);
    rules_fmt_field(tr->alert.member, member, sizeof member);
    rules_fmt_field(tr->alert.unit, unit, sizeof unit);
    rules_fmt_num(tr->alert.value, value, sizeof value);
    rules_fmt_num(tr->alert.threshold, thr, sizeof thr);
    int n = snprintf(out, cap, "%s %s %s %s member=%s value=%s threshold=%s unit=%s\n", ts,
                     kinds[tr->kind], tr->alert.severity == SEV_CRITICAL ? "critical" : "warning",
                     tr->alert.rule, member, value, thr, unit);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return 0;
    }
    return (size_t)n;
}
