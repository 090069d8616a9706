/* rules.c — the alert rule engine: evaluates the built-in rules once per poll
 * for every scope instance (the cluster, each member, each member with an
 * alarm) and each of the rule's levels (warning, critical), moves each alert
 * through inactive -> pending -> firing -> resolved, and formats the alerts.log
 * line of a transition. Pure: no I/O.
 *
 * Hysteresis (Prometheus' keep_firing_for): a firing alert whose condition
 * stops holding keeps firing until it has been false for keep_firing_for.
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
#include "rules_engine.h"
#include "text.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Transitions being written by one rules_eval() call. */
typedef struct {
    alert_transition_t *out;
    int                 cap, n;
    double              t;
} emit_t;

/* What one instance's evaluation gave. */
typedef struct {
    rule_in_t    res;
    double       value;
    double       thr;       /* a threshold the evaluation computed (quorum), or NAN */
    rule_basis_t basis;     /* quantile rules */
    bool         blind;     /* unknown because nothing could be seen (member down) */
} outcome_t;

/* ---- evaluation ------------------------------------------------------------- */

static bool rules_compare(rule_cmp_t cmp, double v, double thr)
{
    switch (cmp) {
    case CMP_GE: return v >= thr;
    case CMP_LT: return v < thr;
    case CMP_GT:
    default: return v > thr;
    }
}

static slot_t *rules_find(rules_t *r, int rule, const char *member, severity_t sev)
{
    for (int i = 0; i < r->n; i++)
        if (r->slots[i].rule == rule && r->slots[i].a.severity == sev &&
            r->slots[i].a.state != ALERT_INACTIVE && strcmp(r->slots[i].a.member, member) == 0)
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

/* The latest figure of an alert (and what a quantile rested on). */
static void rules_note(slot_t *s, const outcome_t *o, double thr)
{
    s->a.value = o->value;
    s->a.threshold = thr;
    s->a.observations = o->res == IN_VALUE ? o->basis.n : NAN;
    s->a.span_ms = o->res == IN_VALUE && !isnan(o->basis.n) ? o->basis.span_ms : 0;
}

/* A tracked alert whose condition does not hold this poll. */
static void rules_step_false(const rule_rt_t *rt, slot_t *s, const outcome_t *o, double thr,
                             emit_t *em)
{
    if (o->res == IN_UNKNOWN && o->blind && s->a.state == ALERT_FIRING)
        return;                                  /* hold: see the top comment */
    if (o->res == IN_VALUE && !isnan(o->value))
        rules_note(s, o, thr);
    if (s->a.state == ALERT_FIRING && rt->keep_s > 0) {
        if (s->a.false_since == 0)
            s->a.false_since = em->t;
        if (em->t - s->a.false_since < rt->keep_s - 1e-6)
            return;                              /* keep_firing_for */
    }
    rules_end(s, em);
}

/* One level of one instance this poll: the state machine of its alert. */
static void rules_step(rules_t *r, int rule, const char *member, severity_t sev,
                       const outcome_t *o, double thr, emit_t *em)
{
    const rule_def_t *def = rules_builtin_def(rule);
    const rule_rt_t *rt = &r->rt[rule];
    bool cond = o->res == IN_VALUE && !isnan(o->value) && !isnan(thr) &&
                rules_compare(def->cmp, o->value, thr);
    slot_t *s = rules_find(r, rule, member, sev);

    if (s)
        s->seen = true;
    if (!cond) {
        if (s)
            rules_step_false(rt, s, o, thr, em);
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
        s->a.severity = sev;
        rules_note(s, o, thr);
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
    rules_note(s, o, thr);
    s->a.false_since = 0;
    if (s->a.state == ALERT_PENDING && em->t - s->a.active_since >= rt->for_s) {
        s->a.state = ALERT_FIRING;
        s->a.firing_since = em->t;
        rules_emit(em, TRANS_FIRING, &s->a);
    }
}

/* Evaluate one instance of a rule and step the alert of each of its levels. */
static void rules_instance(rules_t *r, int rule, const char *member, const rule_input_t *in,
                           bool blind, emit_t *em)
{
    const rule_def_t *def = rules_builtin_def(rule);
    const rule_rt_t *rt = &r->rt[rule];
    outcome_t o = { IN_UNKNOWN, NAN, NAN, { -1, 0, NAN }, blind };
    if (!(blind && def->scope == SCOPE_MEMBER && !def->while_down)) {
        if (def->quant != Q_NONE && in->m) {
            o.res = rules_quantile(def, in->snap, in->m, rt->min_obs, &o.value, &o.basis);
        } else if (def->eval) {
            double thr = NAN;
            o.res = def->eval(in, &o.value, &thr);
            o.thr = thr;
        }
    }
    for (int sev = SEV_CRITICAL; sev >= SEV_WARNING; sev--) {
        double thr = rt->thr[sev - 1];
        if (isnan(thr))
            continue;
        if (!isnan(o.thr))
            thr = o.thr;                         /* computed by the rule (quorum) */
        rules_step(r, rule, member, (severity_t)sev, &o, thr, em);
    }
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
    else if (fabs(v) >= 1e15)                /* bounded: 1e+308 is 6 characters */
        snprintf(buf, n, "%.6g", v);
    else if (v == floor(v))
        snprintf(buf, n, "%.0f", v);
    else if (fabs(v) >= 100)
        snprintf(buf, n, "%.1f", v);
    else
        snprintf(buf, n, "%.3g", v);
}

/* Copy a field keeping the line grep-friendly: blanks and controls become '_',
 * an empty field becomes "-". */
static void rules_fmt_field(const char *raw, char *buf, size_t n)
{
    char clean[256];
    text_clean(clean, sizeof clean, raw);      /* C1, invalid UTF-8, bidi: escaped */
    const char *s = clean;
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
