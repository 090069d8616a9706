/* command.h — the commands of etcd-monitor as one table (as tmux has): each
 * with its name, a one-line summary, its usage, the CMD_* bit that selects
 * the options applying to it (the option table's cmds column), and its entry
 * function. main() takes the command from the first argument (none: monitor);
 * `help` and --help are generated from this table and the option table. */
#ifndef EM_COMMAND_H
#define EM_COMMAND_H

#include <stddef.h>
#include <stdio.h>
#include "config.h"

typedef struct {
    const char *name;           /* "status" */
    const char *summary;        /* one line for `etcd-monitor help` */
    const char *usage;          /* synopsis, a blank line, what it does (wrapped) */
    unsigned    mask;           /* its CMD_* bit; 0 for help, which reads no options */
    int       (*run)(config_t *cfg);   /* the exit status; NULL for help: main runs
                                          command_help_run() on its arguments instead */
} command_t;

/* The commands, in help order; *n gets their number. */
const command_t *command_table(size_t *n);
/* The command named name, or NULL. */
const command_t *command_find(const char *name);
/* The command run when none is named: monitor. */
const command_t *command_default(void);
/* "etcd-monitor: unknown command 'x' (see etcd-monitor help)" on stderr. */
void command_unknown(const char *name);

/* etcd-monitor --help: the general usage, the commands, the default
 * command's options. */
void command_usage(FILE *f);
/* etcd-monitor help COMMAND (and COMMAND --help): c's usage and the options
 * that apply to it. */
void command_help(FILE *f, const command_t *c);
/* The help command: argv[0] is "help", argv[1] an optional command name.
 * Returns the exit status (EXIT_USAGE for an unknown command). */
int command_help_run(int argc, char **argv);

#endif
