/* ops_schedbench.h — the scheduled benchmark for monitor and serve (config
 * benchmark: {enabled, interval, ops}): every interval (the first one now) a
 * small bounded write load (ops_bench_run: benchmark.ops puts, a few clients)
 * under its own prefix, /etcd-monitor/benchmark/scheduled/PID/, whose keys are
 * deleted after (ops_bench_cleanup).
 *
 * Design: the same as the scheduled backups (ops_backup.h). The load is
 * blocking (it turns its own loop until every operation ended), so each run is
 * on a worker thread with its own loop_t and ops client — made at open, on the
 * caller's thread, then used only by the worker. The worker reports back by
 * writing one byte to a pipe registered with loop_fd_add() on the caller's
 * loop, whose callback joins it; a timer on the caller's loop starts the next
 * one. Requests go straight to the members (not through SSH tunnels). */
#ifndef EM_OPS_SCHEDBENCH_H
#define EM_OPS_SCHEDBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "loop.h"

typedef struct schedbench schedbench_t;

/* The clients (requests in flight) of each scheduled run. */
#define SCHEDBENCH_CLIENTS 4

/* One finished run. */
typedef struct {
    bool   ok;                  /* the load ran (failed operations are counted) */
    long   total, failed;
    double seconds;
    double ops_per_s;           /* total / seconds */
    double p99_ms, avg_ms;
    char   first_error[256];    /* of a failed operation ("" when none) */
    char   err[600];            /* why it could not run (!ok) */
    char   cleanup_err[300];    /* why its keys could not be deleted ("" when they were) */
} schedbench_result_t;

/* Schedule the benchmark on loop per cfg->ops (the first run now). *out is
 * NULL when benchmark.enabled is false. 0, or -1 with err. Call before the
 * password is forgotten (the worker's client authenticates with its own copy). */
int  schedbench_open(schedbench_t **out, const config_t *cfg, loop_t *loop, char *err,
                     size_t errlen) WARN_UNUSED_RESULT;
/* A finished run not yet taken: true once per run. */
bool schedbench_take(schedbench_t *s, schedbench_result_t *r);
/* A run was due while the previous one still ran: true once each. */
bool schedbench_take_skipped(schedbench_t *s);
/* The key prefix of this process's runs. */
const char *schedbench_prefix(const schedbench_t *s);
/* Stop scheduling; wait up to wait_ms for a run in progress (then leave it to
 * the process's exit). Frees s. */
void schedbench_close(schedbench_t *s, int wait_ms);

#endif
