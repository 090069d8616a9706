/* config.h — run configuration: defaults < config file < environment < flags.
 *
 * config_load() fills a config_t from argv, the environment and an optional
 * YAML file (the seed's config.yaml is accepted unchanged). The option table in
 * options_table.c is the single source of flag names, help text and man page
 * order. */
#ifndef EM_CONFIG_H
#define EM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "endpoint.h"         /* ENDPOINT_MAX */
#include "figures.h"          /* FIG_MAX_WINDOWS */
#include "util.h"
#include "config_alerts.h"    /* alerts: channels, --silence */
#include "config_api.h"       /* api: the HTTP API server */

#define EM_VERSION "0.1.0"    /* printed by --version as "etcd-monitor 0.1.0" */
#define CONFIG_MAX_ENDPOINTS ENDPOINT_MAX   /* the one limit: --help and the man page say it */
#define EXIT_USAGE 64          /* usage or configuration error (sysexits EX_USAGE) */
#define CONFIG_MAX_RULE_OVERRIDES 64   /* entries of the `rules:` block (RULES_MAX_OVERRIDES) */

typedef enum { LEVEL_INFO = 0, LEVEL_WARNING = 1, LEVEL_CRITICAL = 2 } alert_level_t;

/* The commands (include/cmd/command.h), one bit each: the option table says for
 * every flag which commands it applies to, and config_load() refuses a flag
 * that does not apply to the command being run. */
#define CMD_MONITOR (1u << 0)
#define CMD_STATUS  (1u << 1)
#define CMD_SERVE   (1u << 2)
/* The commands that run the monitoring loop (monitor, and serve: its daemon form). */
#define CMD_WATCH   (CMD_MONITOR | CMD_SERVE)
/* Operator actions (src/ops/, issue 13). */
#define CMD_SNAPSHOT    (1u << 3)
#define CMD_DISKTEST    (1u << 4)
#define CMD_BENCHMARK   (1u << 5)
#define CMD_DEFRAG      (1u << 6)
#define CMD_COMPACT     (1u << 7)
#define CMD_ALARM       (1u << 8)
#define CMD_GET         (1u << 9)
#define CMD_PUT         (1u << 10)
#define CMD_DEL         (1u << 11)
#define CMD_MOVELEADER  (1u << 12)
/* A recorded session on the dashboard (issue 15). */
#define CMD_REPLAY      (1u << 13)
/* The operator commands in the command table so far. */
#define CMD_OPS     (CMD_SNAPSHOT | CMD_DISKTEST | CMD_BENCHMARK | CMD_DEFRAG | CMD_COMPACT | \
                     CMD_ALARM | CMD_GET | CMD_PUT | CMD_DEL | CMD_MOVELEADER)
/* The commands that change the cluster: they ask on a terminal or need --yes. */
#define CMD_WRITES  (CMD_BENCHMARK | CMD_DEFRAG | CMD_COMPACT | CMD_ALARM | \
                     CMD_PUT | CMD_DEL | CMD_MOVELEADER)
/* The commands that take positional arguments (config_t.args). */
#define CMD_WITH_ARGS (CMD_REPLAY | CMD_SNAPSHOT | CMD_ALARM | CMD_GET | CMD_PUT | CMD_DEL | CMD_MOVELEADER)
#define CONFIG_MAX_ARGS 8
#define CMD_ALL     (CMD_MONITOR | CMD_STATUS | CMD_SERVE | CMD_OPS | CMD_REPLAY)

/* The command config_load() reads the options of: its name, for messages
 * ("--theme does not apply to `status`"), and its CMD_* bit. */
typedef struct {
    const char *name;
    unsigned    mask;
} config_cmd_t;

/* --write-out (status): how the result is printed. */
typedef enum { WRITE_TABLE = 0, WRITE_JSON = 1 } write_format_t;

/* The operator actions' settings (src/ops/). */
typedef enum { BENCH_WRITE = 0, BENCH_READ = 1, BENCH_MIXED = 2 } bench_type_t;
typedef struct {
    bool         yes;                   /* --yes: change the cluster without asking */
    /* benchmark (also the seed's --run-benchmark spelling, in monitor) */
    bool         run_benchmark;         /* --run-benchmark */
    bench_type_t bench_type;            /* --type / --benchmark-type */
    long         bench_ops;             /* --ops / --benchmark-ops */
    int          clients, conns;        /* --clients, --conns */
    int          key_size, value_size;  /* --key-size, --value-size */
    long         key_space;             /* --key-space */
    double       rate;                  /* --rate ops/s, 0 = unlimited */
    double       read_ratio;            /* --read-ratio 0..1 (mixed) */
    bool         keep;                  /* --keep: leave the benchmark's keys */
    /* disk-test */
    char        *directory;             /* owned; --directory */
    /* replay */
    bool         check;                 /* --check: load the session, report, exit */
    char        *dump_at;               /* owned; --dump-at TIME: print that poll's table */
    int64_t      dt_size;               /* --size bytes */
    int          dt_block;              /* --block-size bytes */
    /* maintenance */
    bool         cluster;               /* defrag --cluster */
    bool         force;                 /* --force */
    bool         dry_run;               /* --dry-run */
    int64_t      revision;              /* compact --revision, 0 = none */
    int64_t      retain;                /* compact --retain, 0 = none */
    bool         physical;              /* compact --physical */
    bool         prefix;                /* get --prefix */
    long         limit;                 /* get --limit, 0 = none */
    /* scheduled in monitor and serve (backup:, benchmark:) */
    char        *backup_dir;            /* owned; --backup-dir, NULL = no backups */
    int64_t      backup_interval_ms;    /* --backup-interval */
    int          backup_keep;           /* --backup-keep: the newest N are kept */
    bool         bench_enabled;         /* benchmark.enabled */
    int64_t      bench_interval_ms;     /* benchmark.interval */
    long         bench_sched_ops;       /* benchmark.ops */
} config_ops_t;

/* The seed's alert_thresholds block (config.yaml) and matching flags. */
typedef struct {
    double max_latency_ms;              /* --max-latency-ms, request latency p99 */
    double max_database_size_mb;        /* --max-db-size-mb */
    int    min_available_nodes;
    double max_leader_changes_per_hour;
    double max_error_rate;              /* 0..1 */
    double min_disk_space_percent;
} thresholds_t;

/* One entry of the config file's `rules:` block, e.g. "EtcdNoLeader: {for: 30s}".
 * The caller copies it into rules.h's rule_override_t (for_ms / 1000 = for_s);
 * the rule name has been checked against the built-in rules. */
typedef struct {
    char    rule[48];
    bool    has_for, has_threshold, has_enabled;
    int64_t for_ms;
    double  threshold;                  /* in the rule's unit (man page, RULES) */
    bool    enabled;
    bool    has_warning, has_critical, has_min_obs, has_keep;
    double  warning, critical;          /* each level's threshold, in the rule's unit */
    int     min_obs;                    /* min_observations, 1 or more */
    int64_t keep_ms;                    /* keep_firing_for */
} config_rule_t;

/* One entry of the config file's `members:` list: settings for the member whose
 * client URL has the same host:port as `endpoint` (configured or discovered).
 * Strings owned; NULL (or -1) means the cluster-wide value applies. */
typedef struct {
    char *endpoint;           /* client URL as given (required) */
    char *metrics_endpoint;   /* its /metrics URL (etcd's --listen-metrics-urls); NULL = endpoint */
    char *ssh_target;         /* ssh: [USER@]HOST[:PORT] of the member's own host; NULL = none.
                                 With --ssh as well, it is reached through that bastion. */
    char *ssh_key;            /* NULL = --ssh-key */
    char *ssh_known_hosts;    /* NULL = --ssh-known-hosts */
    int   ssh_accept_new;     /* -1 = --ssh-accept-new, else 0 or 1 */
    char *log_command;        /* NULL = --log-command */
    char *data_dir;           /* NULL = --data-dir */
} config_member_t;

typedef struct {
    char         *endpoints[CONFIG_MAX_ENDPOINTS]; /* owned strings, as given */
    int           n_endpoints;
    int           interval_ms;          /* --interval (s, 1..300) / --metrics-interval */
    int64_t       duration_ms;          /* --duration; 0 = until stopped */
    alert_level_t alert_level;          /* --alert-threshold */
    int           dial_timeout_ms;      /* --dial-timeout, default 5s */
    int           health_check_interval_ms; /* default 30s */
    size_t        max_body_bytes;       /* --max-body-size, default 16 MiB */
    thresholds_t  thresholds;
    char         *config_path;          /* owned, NULL when none */
    char         *workdir;              /* owned, NULL = .work/etcd-realtime/<stamp> */
    bool          headless;
    bool          no_discover;
    /* Keys of the config file that are accepted but not used yet, reported once
     * at start-up (e.g. "api", "alerts", "tls"). Owned, comma-separated, or NULL. */
    char         *ignored_keys;
    int64_t       no_leader_timeout_ms; /* --no-leader-timeout, default 60s */
    int           n_windows;            /* --windows, default 1m,5m,15m,1h */
    int64_t       window_ms[FIG_MAX_WINDOWS]; /* increasing */
    bool          probe_write;          /* --probe-write: time one put per member per poll */
    bool          metrics_gzip;         /* --metrics-gzip: ask for /metrics gzipped */
    char         *probe_prefix;         /* owned; --probe-prefix, default /etcd-monitor/probe/ */
    char         *theme;                /* owned; --theme NAME|PATH, NULL = default */
    /* Secure access (TLS, etcd auth, SSH). Strings owned; password wiped on free. */
    char         *ca_file, *cert_file, *key_file;   /* --cacert, --cert, --key / tls: */
    bool          insecure_skip_verify;  /* --insecure-skip-tls-verify: explicit opt-out */
    bool          insecure_transport;    /* --insecure-transport: plain http allowed with TLS files */
    bool          use_proxy_env;         /* --use-proxy-env: member traffic may go through the
                                            proxy http_proxy/https_proxy/ALL_PROXY name */
    char         *metrics_endpoints[CONFIG_MAX_ENDPOINTS]; /* --metrics-endpoints, in member order;
                                             an entry may be NULL (that endpoint's client URL) */
    int           n_metrics_endpoints;
    char         *prometheus_url;        /* owned; --prometheus: read figures from it, NULL = scrape */
    char         *prometheus_selector;   /* owned; --prometheus-selector, default {job="etcd"} */
    bool          endpoints_given;       /* endpoints came from a flag, the environment or the
                                            file's endpoints key (not the default; false when
                                            they were taken from the members: list) */
    config_member_t members[CONFIG_MAX_ENDPOINTS]; /* the file's members: list, in file order;
                                             when endpoints are not given, they are the
                                             members' endpoints, and an endpoint without a
                                             --metrics-endpoints entry gets its entry's
                                             metrics_endpoint */
    int           n_members;
    char         *user;                  /* --user NAME (the :PASSWORD part moved to password) */
    char         *password;              /* --password / ETCDCTL_PASSWORD / auth.password */
    char         *password_file;         /* --password-file: first line is the password */
    char         *ssh_target;            /* --ssh [USER@]HOST[:PORT] */
    char         *ssh_key;               /* --ssh-key FILE (after ssh-agent) */
    char         *ssh_known_hosts;       /* --ssh-known-hosts, default ~/.ssh/known_hosts */
    bool          ssh_accept_new;        /* --ssh-accept-new: trust an unknown (never a changed) key */
    bool          log_source;            /* --log-source: watch the members' logs over SSH */
    char         *log_command;           /* --log-command, default journalctl -u etcd -f -o cat */
    char         *log_file;              /* --log-file PATH: tail a local log */
    char         *data_dir;              /* --data-dir, for df -P over SSH; default /var/lib/etcd */
    char         *warnings;              /* owned; start-up warnings (one per line) or NULL */
    write_format_t write_out;           /* --write-out / -w (status): table or json */
    int           n_rule_overrides;     /* the `rules:` block, in file order */
    config_rule_t rule_overrides[CONFIG_MAX_RULE_OVERRIDES];
    config_alerts_t alerts;              /* alerts: channels, --notify-webhook, --alertmanager,
                                            --silence (config_alerts.h) */
    config_api_t  api;                   /* --api-*, api: (config_api.h) */
    config_ops_t  ops;                   /* operator actions' flags */
    const char   *args[CONFIG_MAX_ARGS]; /* positional arguments (CMD_WITH_ARGS commands),
                                            borrowed from argv */
    int           n_args;
    struct config_cluster *clusters;     /* owned; the file's clusters: list (monitor), in
                                            file order; NULL = one cluster, this config's */
    int           n_clusters;
} config_t;

typedef enum {
    CONFIG_OK = 0,      /* run */
    CONFIG_EXIT = 1,    /* --version printed: exit 0 */
    CONFIG_ERROR = 2,   /* err holds one line naming the flag/key: exit EXIT_USAGE */
    CONFIG_HELP = 3     /* --help or -h: the caller prints the command's help, exit 0 */
} config_result_t;

/* Fill cfg from defaults, the file named by --config, the environment (envp
 * style lookup through getenv) and argv (argv[0], the program or command name,
 * is not read). A flag that does not apply to cmd is an error; cmd NULL lets
 * every flag apply. On CONFIG_ERROR err holds one line; on CONFIG_EXIT and
 * CONFIG_HELP cfg holds nothing to free. */
config_result_t config_load(config_t *cfg, const config_cmd_t *cmd, int argc, char **argv,
                            char *err, size_t errlen) WARN_UNUSED_RESULT;
void config_free(config_t *cfg);
/* Wipe and free the password once the auth module holds its own copy on a page
 * of its own (secmem.h): the heap copy is not kept for the whole run. */
void config_forget_password(config_t *cfg);

/* Parse "500ms", "5s", "2m", "1h" (or a bare number in default_unit_ms units).
 * Returns 0 and sets *ms, or -1 when malformed, negative or overflowing. */
int config_parse_duration(const char *s, int64_t default_unit_ms, int64_t *ms) WARN_UNUSED_RESULT;

/* Hide secrets given on the command line (--password VALUE, --user
 * NAME:PASSWORD) from the process title: their bytes are wiped and each shows
 * as the fixed mask "********", whatever its length. argv then holds the
 * title's arguments (a trailing one may be dropped, empty, when a secret
 * shorter than the mask leaves no room); call it once options are read. */
void config_scrub_argv(int argc, char **argv);
/* The members: entry whose endpoint has the same host:port as url ("h:p",
 * "http://h:p", "https://h:p/", "[::1]:2379"; host case-insensitive, IPv6
 * compared canonically, no port = the scheme's 80 or 443), or NULL. */
const config_member_t *config_member_for(const config_t *cfg, const char *url);

/* ---- many clusters: the config file's clusters: list (README, "Many clusters") ----
 * Each entry names a cluster and may set the keys a cluster has of its own:
 * endpoints, metrics_endpoints, members, tls, auth and ssh (read by the same code
 * as at the top level), or instead of endpoints a prometheus_selector (and its
 * own prometheus URL). Everything else (interval, thresholds, rules, windows,
 * ...) is the top level's. */
#define CONFIG_MAX_CLUSTERS 64
#define CONFIG_CLUSTER_NAME_MAX 64     /* a name's bytes, with the NUL */
typedef struct config_cluster {
    char          name[CONFIG_CLUSTER_NAME_MAX]; /* [A-Za-z0-9._-], not starting with '.'
                                                    or '-': its workspace subdirectory;
                                                    unique, ignoring case */
    unsigned long line;                 /* of the entry, in the config file */
    config_t     *own;                  /* owned: only the entry's keys are set */
    /* own->prometheus_selector set: the cluster is read through Prometheus
     * (own->prometheus_url, else the top level's --prometheus). */
} config_cluster_t;

/* Build cluster i's configuration into view: top's, with the cluster's
 * endpoints, metrics endpoints and members in place of top's, and each TLS,
 * auth (user, password and password file together) and SSH setting the entry
 * gives in place of top's; workdir as given (borrowed). view borrows every
 * string from top and the entry: never config_free() it; it lives while top does. */
void config_cluster_view(const config_t *top, int i, char *workdir, config_t *view);

/* Print the options that apply to any command in cmds (generated from the
 * option table), then the config-file keys, to f. */
#include <stdio.h>
void config_usage(FILE *f, unsigned cmds);

#endif
