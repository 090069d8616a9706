/* console.h — the headless text output: the seed's banner, one line per poll,
 * events and notices. Plain stdio, no terminal control. */
#ifndef EM_CONSOLE_H
#define EM_CONSOLE_H

#include <stdio.h>
#include "cluster.h"
#include "config.h"
#include "rules.h"

void console_banner(FILE *out, const config_t *cfg, const rules_t *rules,
                    const char *workdir);
void console_poll(FILE *out, const cluster_snapshot_t *s);
/* The same lines, each starting "[name] " (many clusters); name NULL = none. */
void console_poll_named(FILE *out, const char *name, const cluster_snapshot_t *s);

#endif
