/* commands.h — the entry functions of the commands (command.h's table), each
 * taking the loaded configuration (owned by the caller) and returning the exit
 * status. */
#ifndef EM_COMMANDS_H
#define EM_COMMANDS_H

#include "config.h"

/* Watch the cluster until stopped (the default command). */
int cmd_monitor(config_t *cfg);
/* Poll every member once and print one row per member; 0, 1 or 2 as the
 * alert rules say. */
int cmd_status(config_t *cfg);
/* monitor's daemon form: headless, the API on, no duration, events on stderr;
 * 0 once stopped by a signal. */
int cmd_serve(config_t *cfg);
/* The operator commands (src/ops/): 0, 1 on failure, 64 on a usage error or a
 * change refused off a terminal without --yes. */
int cmd_snapshot(config_t *cfg);
int cmd_disk_test(config_t *cfg);
int cmd_benchmark(config_t *cfg);
/* The default command: monitor, or the benchmark with --run-benchmark. */
int cmd_monitor_or_benchmark(config_t *cfg);
int cmd_defrag(config_t *cfg);
int cmd_compact(config_t *cfg);
int cmd_alarm(config_t *cfg);
int cmd_get(config_t *cfg);
int cmd_put(config_t *cfg);
int cmd_del(config_t *cfg);
int cmd_move_leader(config_t *cfg);
/* A recorded session on the dashboard (or --check / --dump-at); 0, 1 when it
 * cannot be read, 64 on a usage error. */
int cmd_replay(config_t *cfg);

#endif
