/* main.c — read the configuration and run the command. */
#include <locale.h>
#include <stdio.h>
#include "commands.h"
#include "config.h"

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");   /* CSV numbers always use '.' */

    config_t cfg;
    char err[512];
    switch (config_load(&cfg, argc, argv, err, sizeof(err))) {
    case CONFIG_EXIT:
        config_free(&cfg);
        return 0;
    case CONFIG_ERROR:
        fprintf(stderr, "etcd-monitor: %s\n", err);
        config_free(&cfg);
        return EXIT_USAGE;
    default:
        break;
    }
    config_scrub_argv(argc, argv);
    if (cfg.warnings)
        fprintf(stderr, "etcd-monitor: warning: %s\n", cfg.warnings);
    int rc = cmd_monitor(&cfg);
    config_free(&cfg);
    return rc;
}
