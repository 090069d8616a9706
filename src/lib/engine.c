/* engine.c — the monitoring core: build the pipeline, run each completed poll
 * through it (see engine.h). */
#include "engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int engine_open(engine_t *e, const config_t *cfg, char *err, size_t errlen)
{
    return engine_open_on(e, cfg, NULL, err, errlen);
}

int engine_open_on(engine_t *e, const config_t *cfg, loop_t *loop, char *err, size_t errlen)
{
    memset(e, 0, sizeof(*e));
    e->cfg = cfg;
    e->loop = loop;
    e->own_loop = !loop;
    e->ops_in = (cluster_ops_t){ .backup_age_s = NAN, .bench_ops_per_s = NAN,
                                 .bench_p99_ms = NAN };
    int rc = EXIT_USAGE;
    rules_config_t rcfg;
    rules_config_from(cfg, &rcfg);
    if (!(e->snap = cluster_snapshot_new()) ||
        !(e->trans = calloc(ENGINE_MAX_TRANSITIONS, sizeof(*e->trans)))) {
        snprintf(err, errlen, "out of memory");
        rc = 70;
        goto fail;
    }
    if (e->own_loop && !(e->loop = loop_new())) {
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
    if (!collector_take_snapshot(e->col, e->snap))
        return false;
    e->snap->ops = e->ops_in;
    remote_poll(e->remote, e->snap);
    stats_update(e->stats, e->snap);
    e->n_trans = rules_eval(e->rules, e->snap, e->trans, ENGINE_MAX_TRANSITIONS);
    e->snap->status = rules_status(e->rules);
    rules_firing_names(e->rules, e->snap->alerts, sizeof(e->snap->alerts));
    e->have_snap = true;
    return true;
}

bool engine_pump(engine_t *e)
{
    return remote_pump(e->remote);
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
    if (e->own_loop)
        loop_free(e->loop);
    e->loop = NULL;
    free(e->snap);
    e->snap = NULL;
    free(e->trans);
    e->trans = NULL;
    e->n_trans = 0;
    e->have_snap = false;
}
