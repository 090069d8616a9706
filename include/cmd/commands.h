/* commands.h — the commands of etcd-monitor, each an entry function taking the
 * loaded configuration (owned by the caller) and returning the exit status. */
#ifndef EM_COMMANDS_H
#define EM_COMMANDS_H

#include "config.h"

int cmd_monitor(config_t *cfg);

#endif
