/* engine.h — the monitoring core shared by the etcd-monitor command and the
 * library: the loop, the collector, the SSH side (remote), the statistics and
 * the rules, run as one pipeline
 *   poll -> parse -> sample -> stats -> rules
 * Outputs (files, screen, notifiers) are not here: the caller reads the
 * engine's const snapshot and transitions after each completed poll. */
#ifndef EM_ENGINE_H
#define EM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include "cluster.h"
#include "collector.h"
#include "config.h"
#include "loop.h"
#include "remote.h"
#include "rules.h"
#include "stats.h"

/* Alert transitions kept from one poll: every member's alerts at once. */
#define ENGINE_MAX_TRANSITIONS RULES_MAX_ALERTS

typedef struct {
    const config_t    *cfg;            /* borrowed; outlives the engine */
    loop_t            *loop;           /* owned unless given to engine_open_on() */
    bool               own_loop;
    collector_t       *col;            /* owned */
    remote_t          *remote;         /* owned */
    stats_t           *stats;          /* owned */
    rules_t           *rules;          /* owned */
    cluster_snapshot_t *snap;          /* owned (calloc'd, 4.6 MB at most, only the members
                                          used are touched): the latest completed poll, with
                                          figures and status */
    bool               have_snap;
    alert_transition_t *trans;         /* owned (ENGINE_MAX_TRANSITIONS, calloc'd): the latest
                                          poll's transitions */
    int                n_trans;
    cluster_ops_t      ops_in;         /* set by the caller; copied into each poll's snapshot
                                          before the rules run (NAN benchmark = none) */
} engine_t;

/* Build every part for cfg. 0, or EXIT_USAGE (a configuration the engine
 * cannot run: err says which flag or key) or 70 (out of resources), with a
 * one-line err. curl_global_init() must have been called. On failure nothing
 * is left to free. */
int  engine_open(engine_t *e, const config_t *cfg, char *err, size_t errlen) WARN_UNUSED_RESULT;
/* The same on loop, shared with other engines (many clusters, one loop):
 * borrowed, it must outlive the engine. */
int  engine_open_on(engine_t *e, const config_t *cfg, loop_t *loop, char *err, size_t errlen)
    WARN_UNUSED_RESULT;
/* Start a poll now; false while the previous one is still in flight. */
bool engine_start_poll(engine_t *e);
/* When the poll in flight has completed: run it through remote figures, stats
 * and rules into e->snap and e->trans, and return true. */
bool engine_take_poll(engine_t *e);
/* Read the followed logs a bounded piece (call every loop turn); true when
 * more is waiting: come back within REMOTE_PUMP_AGAIN_MS. */
bool engine_pump(engine_t *e);
void engine_close(engine_t *e);

#endif
