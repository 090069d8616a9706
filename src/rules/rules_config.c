/* rules_config.c — how each built-in rule runs this session: its thresholds
 * per severity (from the table, the --alert-threshold level, alert_thresholds
 * and the `rules:` overrides), `for`, keep_firing_for and min_observations. */
#include "rules_engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_NO_LEADER_TIMEOUT_S 60.0

/* The warning (or only) threshold of rule def before overrides. */
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

/* A threshold override: finite, else a one-line err. */
static int rules_check_thr(const char *name, const char *key, double v, char *err,
                           size_t errlen)
{
    if (isfinite(v))
        return 0;
    snprintf(err, errlen, "rules: %s: the %s is not a number", name, key);
    return -1;
}

/* Apply one override to rt (rule i); 0, or -1 with a one-line err. */
static int rules_apply_one(rule_rt_t *rt, int i, const rule_override_t *o, const char *name,
                           char *err, size_t errlen)
{
    const rule_def_t *def = rules_builtin_def(i);
    bool thr = o->has_threshold || o->has_warning || o->has_critical;
    if (thr && !rules_builtin_adjustable(i)) {
        snprintf(err, errlen, "rules: %s has no threshold to override", name);
        return -1;
    }
    if (o->has_threshold) {
        if (rules_check_thr(name, "threshold", o->threshold, err, errlen))
            return -1;
        rt->thr[(def->flags & RF_TWO) ? 0 : def->severity - 1] = o->threshold;
    }
    if (o->has_warning) {
        if (rules_check_thr(name, "warning threshold", o->warning, err, errlen))
            return -1;
        rt->thr[SEV_WARNING - 1] = o->warning;
    }
    if (o->has_critical) {
        if (rules_check_thr(name, "critical threshold", o->critical, err, errlen))
            return -1;
        rt->thr[SEV_CRITICAL - 1] = o->critical;
    }
    if (o->has_for) {
        if (!isfinite(o->for_s) || o->for_s < 0) {
            snprintf(err, errlen, "rules: %s: `for` must be 0 or more seconds", name);
            return -1;
        }
        rt->for_s = o->for_s;
    }
    if (o->has_keep) {
        if (!isfinite(o->keep_s) || o->keep_s < 0) {
            snprintf(err, errlen, "rules: %s: keep_firing_for must be 0 or more seconds", name);
            return -1;
        }
        rt->keep_s = o->keep_s;
    }
    if (o->has_min_obs) {
        if (!rules_builtin_quantile(i)) {
            snprintf(err, errlen, "rules: %s judges no latency quantile: min_observations "
                     "does not apply", name);
            return -1;
        }
        if (o->min_obs < 1) {
            snprintf(err, errlen, "rules: %s: min_observations must be 1 or more", name);
            return -1;
        }
        rt->min_obs = o->min_obs;
    }
    if (o->has_enabled && !o->enabled)
        rt->on = false;
    return 0;
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
        if (rules_apply_one(&rt[i], i, o, name, err, errlen))
            return -1;
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
    double keep = rc->interval_s > 0 && isfinite(rc->interval_s)
                      ? RULES_DEFAULT_KEEP_IVS * rc->interval_s : 0;
    for (int i = 0; i < r->n_rules; i++) {
        const rule_def_t *def = rules_builtin_def(i);
        rule_rt_t *rt = &r->rt[i];
        rt->on = true;
        rt->thr[0] = rt->thr[1] = NAN;
        if (def->flags & RF_TWO) {
            rt->thr[0] = rules_threshold_of(def, rc);
            rt->thr[1] = def->crit;
        } else {
            rt->thr[def->severity - 1] = rules_threshold_of(def, rc);
        }
        rt->for_s = def->for_s;
        rt->keep_s = keep;
        rt->min_obs = RULES_DEFAULT_MIN_OBS;
    }
    if (rules_apply_overrides(r->rt, rc, err, errlen)) {
        rules_free(r);
        return NULL;
    }
    /* The level: the lowest severity reported, except for the seed checks (the
     * level chose their thresholds) and MemberUnreachable. */
    for (int i = 0; i < r->n_rules && rc->level == LEVEL_CRITICAL; i++)
        if (!(rules_builtin_def(i)->flags & (RF_SEED | RF_ALWAYS)))
            r->rt[i].thr[SEV_WARNING - 1] = NAN;
    for (int i = 0; i < r->n_rules; i++)
        if (isnan(r->rt[i].thr[0]) && isnan(r->rt[i].thr[1]))
            r->rt[i].on = false;
    return r;
}

void rules_free(rules_t *r)
{
    if (!r)
        return;
    free(r->rt);
    free(r);
}

double rules_threshold_sev(const rules_t *r, const char *rule, severity_t sev)
{
    int i = rules_builtin_find(rule);
    if (!r || i < 0 || !r->rt[i].on || (sev != SEV_WARNING && sev != SEV_CRITICAL))
        return NAN;
    return r->rt[i].thr[sev - 1];
}

double rules_threshold(const rules_t *r, const char *rule)
{
    double w = rules_threshold_sev(r, rule, SEV_WARNING);
    return isnan(w) ? rules_threshold_sev(r, rule, SEV_CRITICAL) : w;
}
