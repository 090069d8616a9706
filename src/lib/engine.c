/* engine.c — the monitoring core: build the pipeline, run each completed poll
 * through it (see engine.h). */
#include "engine.h"

#include <stdio.h>
#include <string.h>

/* The rule engine's configuration from the run configuration. */
static void engine_rules_config(const config_t *cfg, rules_config_t *rc)
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

int engine_open(engine_t *e, const config_t *cfg, char *err, size_t errlen)
{
    memset(e, 0, sizeof(*e));
    e->cfg = cfg;
    int rc = EXIT_USAGE;
    rules_config_t rcfg;
    engine_rules_config(cfg, &rcfg);
    if (!(e->loop = loop_new())) {
        snprintf(err, errlen, "cannot initialise libcurl");
        rc = 70;
        goto fail;
    }
    if (!(e->rules = rules_new(&rcfg, err, errlen)))
        goto fail;
    if (!(e->col = collector_new(cfg, e->loop, err, errlen)))
        goto fail;
    if (!(e->stats = stats_new(cfg->n_windows, cfg->window_ms, cfg->interval_ms))) {
        snprintf(err, errlen, "out of memory");
        rc = 70;
        goto fail;
    }
    if (!(e->remote = remote_open(cfg, e->col, err, errlen)))
        goto fail;
    return 0;
fail:
    engine_close(e);
    return rc;
}

bool engine_start_poll(engine_t *e)
{
    return collector_start_poll(e->col, loop_wall(), loop_mono());
}

bool engine_take_poll(engine_t *e)
{
    if (!collector_take_snapshot(e->col, &e->snap))
        return false;
    remote_poll(e->remote, &e->snap);
    stats_update(e->stats, &e->snap);
    e->n_trans = rules_eval(e->rules, &e->snap, e->trans, ENGINE_MAX_TRANSITIONS);
    e->snap.status = rules_status(e->rules);
    rules_firing_names(e->rules, e->snap.alerts, sizeof(e->snap.alerts));
    e->have_snap = true;
    return true;
}

void engine_close(engine_t *e)
{
    /* The tunnels go after the collector's last requests. */
    collector_free(e->col);
    e->col = NULL;
    remote_close(e->remote);
    e->remote = NULL;
    stats_free(e->stats);
    e->stats = NULL;
    rules_free(e->rules);
    e->rules = NULL;
    loop_free(e->loop);
    e->loop = NULL;
}
