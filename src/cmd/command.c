/* command.c — the command table and the help generated from it and from the
 * option table (config_usage, filtered by each command's CMD_* bit). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "commands.h"
#include "config.h"

static const command_t commands[] = {
    { "monitor",
      "watch the cluster live: a dashboard, or CSV files (the default)",
      "usage: etcd-monitor [monitor] [options]\n"
      "\n"
      "Poll every member of the cluster each --interval and show what it sees on a\n"
      "full-screen dashboard (plain lines when the output is not a terminal), while\n"
      "writing every poll to CSV files and logs; --headless writes the files only.\n"
      "It runs until --duration is up, or SIGINT or SIGTERM, then prints a summary.\n"
      "Exit status: the final poll's, 0 healthy, 1 a warning alert fires, 2 a\n"
      "critical one; 64 for a usage or configuration error.\n",
      CMD_MONITOR, cmd_monitor_or_benchmark },
    { "status",
      "one row per member after one poll, as etcdctl endpoint status",
      "usage: etcd-monitor status [options]\n"
      "\n"
      "Poll every member once (the member list names them, so one endpoint is\n"
      "enough, as etcdctl endpoint status --cluster), evaluate the alert rules on\n"
      "that poll, and print one row per member: ENDPOINT, ID, VERSION, DB SIZE,\n"
      "IS LEADER, IS LEARNER, RAFT TERM, RAFT INDEX, RAFT APPLIED INDEX, ERRORS,\n"
      "HEALTH, FRAGMENTATION and RAFT LAG (entries behind the leader). An unknown\n"
      "value is shown as -, never as 0; a member that does not answer gets a row\n"
      "with its error. -w json prints an array with one object per member.\n"
      "Exit status: 0 when no alert fires, 1 when a warning alert fires, 2 when a\n"
      "critical one does (as the monitor's); 64 for a usage error.\n",
      CMD_STATUS, cmd_status },
    { "serve",
      "daemon: poll headless, serve the HTTP API and /metrics",
      "usage: etcd-monitor serve [options]\n"
      "\n"
      "The daemon form of monitor: no dashboard, no --duration, the HTTP API and the\n"
      "Prometheus exporter on --api-host:--api-port (127.0.0.1:8080 unless given),\n"
      "the workspace files as monitor writes them, and one line per event on stderr\n"
      "(alerts, members lost and back, notices). It runs until SIGINT or SIGTERM.\n"
      "Exit status: 0 once stopped by a signal; 64 for a usage or configuration\n"
      "error (such as a port it cannot listen on).\n",
      CMD_SERVE, cmd_serve },
    { "snapshot",
      "save a member's snapshot, or read a snapshot file's status",
      "usage: etcd-monitor snapshot status FILE [-w table|json]\n"
      "       etcd-monitor snapshot save FILE [options]\n"
      "\n"
      "status reads the snapshot (or a member's backend db file) directly and prints\n"
      "its hash, revision, total keys and total size, as etcdctl snapshot status\n"
      "does; a truncated or damaged file is refused with the reason. save streams\n"
      "the snapshot of one member (the one --endpoints names, else the leader) into\n"
      "FILE.part, checks the SHA-256 etcd appends, syncs it and renames it to FILE;\n"
      "on any failure FILE.part is removed. Exit status 0, 1 on failure, 64 for a\n"
      "usage error.\n",
      CMD_SNAPSHOT, cmd_snapshot },
    { "benchmark",
      "put a measured write, read or mixed load on the cluster",
      "usage: etcd-monitor benchmark [--type write|read|mixed] [--ops N] [options]\n"
      "\n"
      "Run --ops operations with --clients requests in flight over --conns kept-alive\n"
      "connections: writes to the leader, reads over the members (mixed: --read-ratio\n"
      "reads). Prints the seed's \"=== Benchmark Results ===\" report with exact\n"
      "latencies. Keys go under /etcd-monitor/benchmark/PID/ and are deleted at the\n"
      "end unless --keep. It asks on a terminal and needs --yes off one (64\n"
      "otherwise). Exit status 0, 1 when operations failed.\n",
      CMD_BENCHMARK, cmd_benchmark },
    { "disk-test",
      "time write + fdatasync in a directory, as etcd's fio check",
      "usage: etcd-monitor disk-test --directory DIR [--size 22m] [--block-size 2300]\n"
      "\n"
      "Write --size bytes into a new file in DIR, --block-size bytes at a time, each\n"
      "write followed by fdatasync (etcd's fio recipe), then remove the file. Prints\n"
      "the fdatasync p50, p90, p99, p99.9 and max (exact, from every sample), the\n"
      "writes per second and a verdict against etcd's 10 ms p99 guidance. Exit\n"
      "status 0 within it, 2 beyond it, 1 when the test cannot run (a missing\n"
      "directory, one it cannot write), 64 for a usage error.\n",
      CMD_DISKTEST, cmd_disk_test },
    { "replay",
      "a recorded session on the dashboard, as it was then",
      "usage: etcd-monitor replay DIR [--check | --dump-at TIME] [--theme NAME]\n"
      "\n"
      "Open the dashboard on the session recorded in the workspace DIR (its\n"
      "metrics.csv, members.csv, alerts.log and monitoring.log), every panel as it\n"
      "was at a time cursor: Space plays or pauses, Left/Right step one poll, [ and ]\n"
      "change the speed (up to 100x), g and G go to the start and the end. Malformed\n"
      "or truncated rows are skipped and counted. --check loads and reports;\n"
      "--dump-at TIME prints that poll's members as status does. Exit status 0, 1\n"
      "when the session cannot be read, 64 for a usage error.\n",
      CMD_REPLAY, cmd_replay },
    { "alarm",
      "list the cluster's alarms (NOSPACE, CORRUPT), or disarm them",
      "usage: etcd-monitor alarm list [-w table|json]\n"
      "       etcd-monitor alarm disarm [--yes] [options]\n"
      "\n"
      "list prints every raised alarm with its member (\"no alarms\" when none is).\n"
      "disarm deactivates each raised alarm, one line per alarm and member; it asks\n"
      "on a terminal and needs --yes off one (64 otherwise). A NOSPACE alarm comes\n"
      "back unless space was freed first (compact, then defrag --cluster).\n"
      "Exit status 0, 1 on failure, 64 for a usage error.\n",
      CMD_ALARM, cmd_alarm },
    { "get",
      "print a key (or every key under a prefix), binary-safe",
      "usage: etcd-monitor get KEY [--prefix] [--limit N] [-w table|json]\n"
      "\n"
      "Print KEY's value (--prefix: every key starting with KEY, at most --limit)\n"
      "with its modification revision. A key or value that is not printable UTF-8\n"
      "is shown as \"(base64) \" and its base64; -w json gives every key and value in\n"
      "base64 with their revisions. Exit status 0, 1 when there is no such key or\n"
      "on failure, 64 for a usage error.\n",
      CMD_GET, cmd_get },
    { "put",
      "write a key",
      "usage: etcd-monitor put KEY VALUE [--yes]\n"
      "\n"
      "Write VALUE (bytes as given) to KEY and print the new revision. It asks on a\n"
      "terminal and needs --yes off one (64 otherwise). Exit status 0, 1 on failure.\n",
      CMD_PUT, cmd_put },
    { "del",
      "delete a key, or every key under a prefix",
      "usage: etcd-monitor del KEY [--prefix] [--yes]\n"
      "\n"
      "Delete KEY (--prefix: every key starting with KEY) and print how many keys\n"
      "went. It asks on a terminal and needs --yes off one (64 otherwise). Exit\n"
      "status 0, 1 on failure.\n",
      CMD_DEL, cmd_del },
    { "compact",
      "drop the key history before a revision",
      "usage: etcd-monitor compact [--revision N | --retain N] [--physical] [--yes]\n"
      "\n"
      "Compact the key history to --revision (default: the current revision), or\n"
      "keep the last --retain revisions; --physical waits until the backend has\n"
      "applied it. Prints one line per member with its db size after. It asks on a\n"
      "terminal and needs --yes off one (64 otherwise). Exit status 0, 1 on failure.\n",
      CMD_COMPACT, cmd_compact },
    { "defrag",
      "defragment a member, or every member one at a time",
      "usage: etcd-monitor defrag [--cluster] [--force] [--dry-run] [--yes]\n"
      "\n"
      "Defragment the member --endpoints names, or with --cluster every member one at\n"
      "a time: followers first, the leader last, each only once the previous one is\n"
      "healthy and caught up again. Refused when the cluster has no member to spare\n"
      "(a member down) unless --force; --dry-run prints the plan. One line per\n"
      "member: db size and fragmentation before and after. It asks on a terminal\n"
      "and needs --yes off one (64 otherwise). Exit status 0, 1 on failure.\n",
      CMD_DEFRAG, cmd_defrag },
    { "move-leader",
      "hand the leadership to another member",
      "usage: etcd-monitor move-leader MEMBER [--yes]\n"
      "\n"
      "Ask the leader to hand the leadership to MEMBER (a name, client URL or id)\n"
      "and wait until it has. It asks on a terminal and needs --yes off one (64\n"
      "otherwise). Exit status 0, 1 on failure.\n",
      CMD_MOVELEADER, cmd_move_leader },
    { "help",
      "list the commands, or show one command's usage and options",
      "usage: etcd-monitor help [COMMAND]\n"
      "\n"
      "Without COMMAND, list the commands; with it, print COMMAND's usage and the\n"
      "options that apply to it (etcd-monitor COMMAND --help does the same).\n",
      0, NULL },
};

const command_t *command_table(size_t *n)
{
    *n = sizeof commands / sizeof commands[0];
    return commands;
}

const command_t *command_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

const command_t *command_default(void)
{
    return &commands[0];
}

void command_unknown(const char *name)
{
    char shown[48];
    size_t o = 0;
    /* Printable and short: the name comes straight from the command line. */
    for (const char *p = name; *p && o + 4 < sizeof shown; p++)
        shown[o++] = isprint((unsigned char)*p) ? *p : '?';
    if (name[o] && o + 4 >= sizeof shown) {
        memcpy(shown + o, "...", 3);
        o += 3;
    }
    shown[o] = '\0';
    fprintf(stderr, "etcd-monitor: unknown command '%s' (see etcd-monitor help)\n", shown);
}

/* The commands with their summaries. */
static void command_list(FILE *f)
{
    fprintf(f, "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
}

void command_usage(FILE *f)
{
    const command_t *def = command_default();
    fprintf(f, "usage: etcd-monitor [COMMAND] [options]\n\n"
               "Watch a live etcd cluster in the terminal, or write CSV files with "
               "--headless.\n\n");
    command_list(f);
    fprintf(f, "\nWithout a COMMAND, etcd-monitor runs %s; its options follow\n"
               "(etcd-monitor help COMMAND shows those of another command).\n\nOptions:\n",
            def->name);
    config_usage(f, def->mask);
}

void command_help(FILE *f, const command_t *c)
{
    fputs(c->usage, f);
    if (!c->mask)
        return;
    fprintf(f, "\nOptions:\n");
    config_usage(f, c->mask);
}

int command_help_run(int argc, char **argv)
{
    const command_t *c;
    if (argc > 2) {
        fprintf(stderr, "etcd-monitor: help takes one command name (usage: etcd-monitor "
                        "help [COMMAND])\n");
        return EXIT_USAGE;
    }
    if (argc < 2) {
        fprintf(stdout, "usage: etcd-monitor [COMMAND] [options]\n\n");
        command_list(stdout);
        fprintf(stdout, "\nWithout a COMMAND, etcd-monitor runs %s. etcd-monitor help "
                        "COMMAND shows a\ncommand's usage and options.\n",
                command_default()->name);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        c = command_find("help");
    } else if (argv[1][0] == '-') {
        fprintf(stderr, "etcd-monitor: options do not apply to `help` (usage: etcd-monitor "
                        "help [COMMAND])\n");
        return EXIT_USAGE;
    } else if (!(c = command_find(argv[1]))) {
        command_unknown(argv[1]);
        return EXIT_USAGE;
    }
    command_help(stdout, c);
    return 0;
}
