/* main.c — pick the command, read its options and run it:
 *
 *   etcd-monitor [COMMAND] [options]
 *
 * A first argument that is not an option names the command (command.h);
 * without one the command is monitor, so every invocation of the single-command
 * etcd-monitor still works unchanged. */
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include "command.h"
#include "config.h"

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");   /* CSV numbers always use '.' */

    const command_t *cmd = command_default();
    bool named = argc > 1 && argv[1][0] != '-';
    if (named && !(cmd = command_find(argv[1]))) {
        command_unknown(argv[1]);
        return EXIT_USAGE;
    }
    if (!cmd->run)                          /* help [COMMAND]: no options */
        return command_help_run(argc - named, argv + named);

    config_t cfg;
    char err[512];
    const config_cmd_t scope = { cmd->name, cmd->mask };
    switch (config_load(&cfg, &scope, argc - named, argv + named, err, sizeof(err))) {
    case CONFIG_HELP:
        if (named)
            command_help(stdout, cmd);
        else
            command_usage(stdout);
        return 0;
    case CONFIG_EXIT:
        return 0;
    case CONFIG_ERROR:
        fprintf(stderr, "etcd-monitor: %s\n", err);
        return EXIT_USAGE;
    default:
        break;
    }
    config_scrub_argv(argc, argv);
    if (cfg.warnings)
        fprintf(stderr, "etcd-monitor: warning: %s\n", cfg.warnings);
    int rc = cmd->run(&cfg);
    config_free(&cfg);
    return rc;
}
