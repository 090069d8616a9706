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

/* The latency quantile a quantile rule judges (the engine reads it itself:
 * over the shortest span, from the rule's own, with min_observations). */
typedef enum { Q_NONE = 0, Q_WAL_P99, Q_BACKEND_P99, Q_PEER_RTT_P99 } rule_quant_t;

/* Rule flags. */
enum {
    RF_SEED     = 1u << 0,  /* a seed check: on at every --alert-threshold level, which
                               chooses its threshold (threshold[] by level) */
    RF_ALWAYS   = 1u << 1,  /* reported at every level (MemberUnreachable) */
    RF_INTERVAL = 1u << 2,  /* a quantile rule whose spans start with the poll interval */
    RF_TWO      = 1u << 3   /* two levels: threshold[] / thr_src is the warning one,
                               crit the critical one */
};

/* What the engine hands an evaluation function for one instance. */
typedef struct {
    const cluster_snapshot_t *snap;
    const member_view_t      *m;          /* SCOPE_MEMBER: the member */
    uint64_t                  alarm_member; /* SCOPE_ALARM: the member ID */
    int                       w;          /* window index, -1 when the rule has none */
    int64_t                   window_ms;  /* its length */
} rule_input_t;

/* The span a quantile rule's value was judged over, and its basis. */
typedef struct {
    int     w;             /* window index, -1 for the poll interval */
    int64_t span_ms;       /* its length (the interval's, for -1) */
    double  n;             /* observations in it */
} rule_basis_t;

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
    rule_eval_fn    eval;          /* NULL for a quantile rule (quant) */
    rule_quant_t    quant;
    unsigned        flags;         /* RF_* */
    double          crit;          /* RF_TWO: the default critical threshold */
} rule_def_t;

#define RULES_DEFAULT_MIN_OBS   20  /* observations a quantile must rest on */
#define RULES_DEFAULT_KEEP_IVS  2   /* keep_firing_for, in poll intervals */

/* A quantile rule's figure for one member: over the first of its spans (the
 * interval when RF_INTERVAL, then the windows from its own range up, shortest
 * first) with at least min_obs observations. IN_UNKNOWN when none has them. */
rule_in_t rules_quantile(const rule_def_t *def, const cluster_snapshot_t *snap,
                         const member_view_t *m, int min_obs, double *value,
                         rule_basis_t *basis);
/* The window of snap a rule reads (-1 if none): see rules_span.c. */
int rules_pick_window(const cluster_snapshot_t *snap, int64_t range_ms, int64_t *len);

/* The row of built-in rule i (0 <= i < rules_builtin_count()). */
const rule_def_t *rules_builtin_def(int i);
/* The index of the built-in rule called name, or -1. */
int rules_builtin_find(const char *name);
/* Whether a `threshold:` (`warning:`, `critical:`) override makes sense for rule i. */
bool rules_builtin_adjustable(int i);
/* Whether rule i judges a latency quantile (min_observations applies). */
bool rules_builtin_quantile(int i);

#endif
