/* rules_internal.h — what the rule engine (rules.c) and the table of built-in
 * rules (rules_builtin.c) share; config_file.c also uses the name look-ups to
 * check a config file's `rules:` block. Not part of the public contract. */
#ifndef EM_RULES_INTERNAL_H
#define EM_RULES_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "rules.h"

/* What one rule instance is about: the whole cluster, one member, or the
 * alarms raised on one member. */
typedef enum { SCOPE_CLUSTER, SCOPE_MEMBER, SCOPE_ALARM } rule_scope_t;

/* How the rule's figure is compared with its threshold. */
typedef enum { CMP_GT, CMP_GE, CMP_LT } rule_cmp_t;

/* Where the threshold comes from. THR_TABLE and the config sources can be
 * replaced by a `threshold:` override; THR_FIXED cannot (yes/no rules, and the
 * quorum, which the evaluation computes). */
typedef enum {
    THR_TABLE,                 /* the table's value for the --alert-threshold level */
    THR_FIXED,                 /* the table's value, not adjustable */
    THR_MAX_LATENCY_MS,        /* alert_thresholds.max_latency_ms */
    THR_MAX_DB_MB,             /* alert_thresholds.max_database_size_mb */
    THR_MIN_NODES,             /* alert_thresholds.min_available_nodes */
    THR_LEADER_CHANGES_PER_HOUR, /* alert_thresholds.max_leader_changes_per_hour */
    THR_ERROR_RATE_PCT,        /* alert_thresholds.max_error_rate, as a percentage */
    THR_MIN_FREE_PCT,          /* alert_thresholds.min_disk_space_percent */
    THR_NO_LEADER_TIMEOUT      /* no_leader_timeout, seconds */
} rule_thr_src_t;

/* The window a rule reads its figures from: none, the first or the largest
 * configured one, or (a positive value) the one nearest to that many ms. */
#define RANGE_NONE     ((int64_t)0)
#define RANGE_FIRST    ((int64_t)-1)
#define RANGE_LARGEST  ((int64_t)-2)

/* What the engine hands an evaluation function for one instance. */
typedef struct {
    const cluster_snapshot_t *snap;
    const member_view_t      *m;          /* SCOPE_MEMBER: the member */
    uint64_t                  alarm_member; /* SCOPE_ALARM: the member ID */
    int                       w;          /* window index, -1 when the rule has none */
    int64_t                   window_ms;  /* its length */
} rule_input_t;

/* The outcome of an evaluation function. */
typedef enum {
    IN_UNKNOWN,      /* an input is unknown: the rule is not active */
    IN_EXCLUDED,     /* a side condition rules the alert out (e.g. a small db) */
    IN_VALUE         /* *value is the figure to compare with the threshold */
} rule_in_t;

/* Set *value; may also set *threshold when the rule computes it (quorum). */
typedef rule_in_t (*rule_eval_fn)(const rule_input_t *in, double *value, double *threshold);

/* One row of the table of built-in rules. */
typedef struct {
    const char     *name;
    severity_t      severity;
    rule_scope_t    scope;
    rule_cmp_t      cmp;
    rule_thr_src_t  thr_src;
    double          threshold[3];  /* by alert level: info, warning, critical */
    double          for_s;         /* default `for`, seconds */
    int64_t         range_ms;      /* RANGE_* or the wanted window length */
    bool            while_down;    /* evaluated for a member that does not answer */
    const char     *unit;
    const char     *summary;
    rule_eval_fn    eval;
} rule_def_t;

/* The row of built-in rule i (0 <= i < rules_builtin_count()). */
const rule_def_t *rules_builtin_def(int i);
/* The index of the built-in rule called name, or -1. */
int rules_builtin_find(const char *name);
/* Whether a `threshold:` override makes sense for rule i. */
bool rules_builtin_adjustable(int i);

#endif
