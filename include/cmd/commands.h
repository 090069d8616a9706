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

#endif
