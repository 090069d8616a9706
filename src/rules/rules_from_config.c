/* rules_from_config.c — the rule engine's configuration from the run
 * configuration: level, thresholds, interval, windows and the config file's
 * rules: overrides (durations in ms become seconds). */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "rules.h"

void rules_config_from(const config_t *cfg, rules_config_t *rc)
{
    memset(rc, 0, sizeof(*rc));
    rc->level = cfg->alert_level;
    rc->thresholds = cfg->thresholds;
    rc->no_leader_timeout_s = cfg->no_leader_timeout_ms / 1000.0;
    rc->interval_s = cfg->interval_ms / 1000.0;
    rc->n_windows = cfg->n_windows;
    memcpy(rc->window_ms, cfg->window_ms, sizeof(rc->window_ms));
    for (int i = 0; i < cfg->n_rule_overrides && i < RULES_MAX_OVERRIDES; i++) {
        const config_rule_t *o = &cfg->rule_overrides[i];
        rule_override_t *r = &rc->overrides[rc->n_overrides++];
        snprintf(r->rule, sizeof(r->rule), "%s", o->rule);
        r->has_for = o->has_for;
        r->for_s = o->for_ms / 1000.0;
        r->has_threshold = o->has_threshold;
        r->threshold = o->threshold;
        r->has_enabled = o->has_enabled;
        r->enabled = o->enabled;
        r->has_warning = o->has_warning;
        r->warning = o->warning;
        r->has_critical = o->has_critical;
        r->critical = o->critical;
        r->has_min_obs = o->has_min_obs;
        r->min_obs = o->min_obs;
        r->has_keep = o->has_keep;
        r->keep_s = o->keep_ms / 1000.0;
    }
}
