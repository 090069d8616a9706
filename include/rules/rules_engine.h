/* rules_engine.h — the rule engine's state, shared by rules.c (evaluation and
 * queries) and rules_config.c (how each rule runs this session). Private. */
#ifndef EM_RULES_ENGINE_H
#define EM_RULES_ENGINE_H

#include <stdbool.h>
#include "rules_internal.h"

/* One rule as configured for this session. */
typedef struct {
    bool   on;          /* enabled, with at least one level reported */
    double thr[2];      /* threshold by severity - 1 (warning, critical); NAN = level off */
    double for_s;
    double keep_s;      /* keep_firing_for */
    int    min_obs;     /* min_observations (quantile rules) */
} rule_rt_t;

/* One tracked (pending or firing) alert: rule, member and severity. */
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

#endif
