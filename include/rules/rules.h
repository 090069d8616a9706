/* rules.h — the alert rule engine: every rule is evaluated each poll against
 * the snapshot (members, interval figures, window figures, cluster health) and
 * moves through inactive -> pending -> firing -> resolved. An alert fires once,
 * stays firing while its condition holds, and resolves once. Pure: no I/O. */
#ifndef EM_RULES_H
#define EM_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cluster.h"
#include "config.h"
#include "util.h"

typedef enum { SEV_WARNING = 1, SEV_CRITICAL = 2 } severity_t;
typedef enum { ALERT_INACTIVE = 0, ALERT_PENDING, ALERT_FIRING } alert_state_t;

/* Active (pending or firing) alerts tracked: a few per member at the most
 * members (arrays of it are calloc'd or static; only those in use are touched). */
#define RULES_MAX_ALERTS (4 * CLUSTER_MAX_MEMBERS)
#define RULES_MAX_OVERRIDES 64

typedef struct {
    char          rule[48];        /* rule name, e.g. "EtcdHighFsyncDurations" */
    char          member[64];      /* member name; "" for a cluster-wide alert */
    severity_t    severity;
    alert_state_t state;
    double        value;           /* the figure that tripped it (latest) */
    double        threshold;
    char          unit[8];         /* "ms", "%", "/s", "" ... */
    double        active_since;    /* wall time the condition became true */
    double        firing_since;    /* wall time it fired, 0 while pending */
    double        false_since;     /* firing, condition false since (keep_firing_for); 0 */
    double        observations;    /* a quantile rule's basis: observations, NAN otherwise */
    int64_t       span_ms;         /* ... over this span (ms); 0 otherwise */
} alert_t;

typedef enum { TRANS_PENDING, TRANS_FIRING, TRANS_RESOLVED } transition_kind_t;

typedef struct {
    transition_kind_t kind;
    double            t;
    alert_t           alert;       /* state as of the transition */
} alert_transition_t;

/* A per-rule override from the config file's `rules:` block. */
typedef struct {
    char   rule[48];
    bool   has_for, has_threshold, has_enabled;
    double for_s;
    double threshold;
    bool   enabled;
    bool   has_warning, has_critical, has_min_obs, has_keep;
    double warning, critical;      /* the thresholds of each level */
    int    min_obs;                /* min_observations (quantile rules), >= 1 */
    double keep_s;                 /* keep_firing_for, seconds */
} rule_override_t;

typedef struct {
    alert_level_t   level;         /* --alert-threshold: the seed checks' thresholds (they
                                      stay on at every level) and, for the other rules,
                                      the lowest severity reported (critical hides warnings) */
    double          interval_s;    /* poll interval: keep_firing_for defaults to 2 of them
                                      (0: no default hold) */
    thresholds_t    thresholds;    /* config alert_thresholds */
    double          no_leader_timeout_s;   /* default 60 */
    int             n_windows;     /* windows of the snapshot's figures ... */
    int64_t         window_ms[FIG_MAX_WINDOWS];
    int             n_overrides;
    rule_override_t overrides[RULES_MAX_OVERRIDES];
} rules_config_t;

typedef struct rules rules_t;

/* The engine's configuration from the run configuration (level, thresholds,
 * windows, the rules: overrides). */
void rules_config_from(const config_t *cfg, rules_config_t *rc);
/* NULL with a one-line err when an override names an unknown rule. */
rules_t *rules_new(const rules_config_t *rc, char *err, size_t errlen) WARN_UNUSED_RESULT;
void rules_free(rules_t *r);
/* Evaluate every rule at snap->t; append transitions to out (at most cap),
 * return how many. */
int rules_eval(rules_t *r, const cluster_snapshot_t *snap, alert_transition_t *out, int cap);
/* The threshold rule name uses in this run (level and overrides applied; the
 * warning one of a two-level rule), NAN for an unknown or disabled rule. */
double rules_threshold(const rules_t *r, const char *rule);
/* The same for one severity; NAN when that level is off. */
double rules_threshold_sev(const rules_t *r, const char *rule, severity_t sev);
/* Pending and firing alerts, firing first, most severe first. */
int rules_active(const rules_t *r, const alert_t **list);
/* ALERT if a critical alert fires, WARNING if a warning fires, else HEALTHY. */
health_status_t rules_status(const rules_t *r);
/* Space-separated names of the firing alerts (for metrics.csv), "" if none. */
void rules_firing_names(const rules_t *r, char *out, size_t cap);
/* One alerts.log line (with '\n'): RFC 3339 time, state, severity, rule,
 * member, value, threshold. Returns its length, 0 if it did not fit. */
size_t rules_format_transition(const alert_transition_t *tr, char *out, size_t cap);
/* Names and one-line descriptions of the built-in rules, for --help-rules/man. */
int rules_builtin_count(void);
const char *rules_builtin_name(int i);
const char *rules_builtin_summary(int i);
/* The troubleshooting hint and the one-line description of a built-in rule
 * (by name), NULL for an unknown one (rules_hints.c). */
const char *rules_hint(const char *rule);
const char *rules_summary(const char *rule);

#endif
