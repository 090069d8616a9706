/* config_internal.h — what the options_*.c files (the option table, its
 * setters, argv and environment, usage) and config_file.c (the YAML file)
 * share. Not part of the public contract. */
#ifndef EM_CONFIG_INTERNAL_H
#define EM_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "util.h"

#define OPTION_DAY_MS ((int64_t)24 * 3600 * 1000)

typedef enum {
    OPT_NOARG,      /* a switch: --headless */
    OPT_VALUE,      /* takes one value: --interval 5 or --interval=5 */
    OPT_BLOCK       /* a config-file block: rules and members are read by config_file.c
                       through their "rules.NAME.*" / "members[].*" rows, the others
                       accepted whole, contents not read */
} option_kind_t;

enum {
    OPT_UNUSED  = 1u << 0,  /* file key accepted but not used yet: listed in ignored_keys */
    OPT_HELP    = 1u << 1,
    OPT_VERSION = 1u << 2,
    OPT_CONFIG  = 1u << 3,  /* --config: read before everything else */
    OPT_LIST    = 1u << 4   /* file key may also be a YAML sequence (endpoints) */
};

/* Setter results: SET_OK, or a reason in why. SET_HIDE asks the caller not to
 * echo the value (it may hold a credential). */
enum { SET_OK = 0, SET_BAD = -1, SET_HIDE = -2 };

/* Apply one value (NULL for a switch given as a flag) to cfg. On failure write
 * the reason, without the value, to why: e.g. "is out of range (1 to 300 seconds)". */
typedef int (*option_set_fn)(config_t *cfg, const char *value, char *why, size_t whylen);

/* One row of the option table: flag, environment, file key, default and help. */
typedef struct {
    const char   *flag;       /* long name without "--"; NULL for file-only keys */
    char          short_name; /* 'h' or 0 */
    option_kind_t kind;
    const char   *metavar;    /* "SECONDS" for usage and the man page */
    const char   *env[2];     /* environment variables, first set one wins */
    const char   *key;        /* config-file key, "alert_thresholds.x" nested; or NULL */
    const char   *def;        /* default, applied through set; NULL = none */
    const char   *help;
    option_set_fn set;
    unsigned      attrs;      /* OPT_* bits */
    unsigned      cmds;       /* CMD_* bits: the commands the flag applies to */
} option_t;

/* Config-file blocks whose keys are rows "block.key" (NULL-terminated). */
extern const char *const config_nested_blocks[];

/* The option table, in usage and man-page order. */
const option_t *config_options(size_t *n);
/* The row whose file key is key, or NULL. */
const option_t *config_option_by_key(const char *key);

/* --use-proxy-env (config_net.c). */
int config_set_use_proxy_env(config_t *cfg, const char *v, char *why, size_t whylen);

/* Validate one endpoint ("host:port", "http(s)://host:port", "[::1]:2379").
 * Returns SET_OK, or SET_BAD/SET_HIDE with the reason in why. */
int config_check_endpoint(const char *ep, char *why, size_t whylen) WARN_UNUSED_RESULT;
/* Replace cfg's endpoints by items[0..n), taking ownership of the strings
 * (the caller sets endpoints_given). */
void config_endpoints_replace(config_t *cfg, char **items, int n);
/* Free the members: list's strings and empty it (n_members = 0). */
void config_members_free(config_t *cfg);
/* After the flags: poll the members: entries' endpoints when none were given,
 * and fill metrics URLs from the entries (options_argv.c). 0, or -1 out of memory. */
int config_members_finalize(config_t *cfg);
/* After the flags: finish each clusters: entry (its members) and refuse what
 * cannot go with clusters: (config_clusters.c). 0, or -1 with one line in err. */
int config_clusters_finalize(config_t *cfg, const config_cmd_t *cmd, char *err, size_t errlen);
void config_clusters_free(config_t *cfg);

/* Apply value through opt->set; on failure write one line to err:
 * "[where: ]name: \"value\" reason" (the value left out when hide is set or
 * the setter asks for it). Returns 0 or -1. */
int config_apply(config_t *cfg, const option_t *opt, const char *where, const char *name,
                 const char *value, bool hide, char *err, size_t errlen) WARN_UNUSED_RESULT;

/* Copy s into dst (size n) as a printable, quoted, length-capped string. */
void config_quote(char *dst, size_t n, const char *s);

/* ---- value parsing (options_number.c) ---- */

typedef enum { NUM_OK, NUM_BAD, NUM_RANGE } option_num_t;

/* A string of decimal digits (nothing else). */
option_num_t option_parse_u64(const char *s, uint64_t *out);
/* A duration: one or more <number><unit> parts ("1h30m", "1.5s", "500ms"), or
 * a bare number in unit_ms (when unit_ms > 0); fractions of a ms dropped. */
option_num_t option_parse_duration(const char *s, int64_t unit_ms, int64_t *ms);
/* A duration within lo..hi ms; range names the range for why ("1s to 24h"). */
int option_duration_in_range(const char *v, int64_t unit_ms, int64_t lo, int64_t hi,
                             const char *range, int64_t *out, char *why, size_t whylen) WARN_UNUSED_RESULT;
/* A plain decimal within lo..hi (lo excluded when lo_open). */
int option_number_in_range(const char *v, double lo, bool lo_open, double hi,
                           const char *range, double *out, char *why, size_t whylen) WARN_UNUSED_RESULT;
/* true|false, yes|no, on|off; NULL (a switch given as a flag) is true. */
int option_parse_bool(const char *v, bool *out, char *why, size_t whylen) WARN_UNUSED_RESULT;

/* ---- storing values (options_set.c) ---- */

/* Replace an owned string by a copy of v (not empty). */
int option_store_string(char **field, const char *v, char *why, size_t whylen) WARN_UNUSED_RESULT;
/* The same for a file that must be readable now. */
int option_store_readable(char **field, const char *v, char *why, size_t whylen) WARN_UNUSED_RESULT;
/* Check an SSH target [USER@]HOST[:PORT]. */
int option_check_ssh_target(const char *v, char *why, size_t whylen) WARN_UNUSED_RESULT;

/* The setters of the table's rows (options_set.c, options_endpoint.c,
 * options_blocks.c), each an option_set_fn. */
#define OPTION_SETTER(name) int name(config_t *cfg, const char *v, char *why, size_t whylen)
OPTION_SETTER(option_set_alert_level);
OPTION_SETTER(option_set_ca_file);
OPTION_SETTER(option_set_cert_file);
OPTION_SETTER(option_set_config);
OPTION_SETTER(option_set_data_dir);
OPTION_SETTER(option_set_dial_timeout);
OPTION_SETTER(option_set_disk_percent);
OPTION_SETTER(option_set_duration);
OPTION_SETTER(option_set_endpoints);
OPTION_SETTER(option_set_error_rate);
OPTION_SETTER(option_set_headless);
OPTION_SETTER(option_set_health_interval);
OPTION_SETTER(option_set_insecure_skip);
OPTION_SETTER(option_set_insecure_transport);
OPTION_SETTER(option_set_interval);
OPTION_SETTER(option_set_key_file);
OPTION_SETTER(option_set_leader_changes);
OPTION_SETTER(option_set_log_command);
OPTION_SETTER(option_set_log_file);
OPTION_SETTER(option_set_log_source);
OPTION_SETTER(option_set_max_body);
OPTION_SETTER(option_set_max_db);
OPTION_SETTER(option_set_max_latency);
OPTION_SETTER(option_set_member_accept_new);
OPTION_SETTER(option_set_member_data_dir);
OPTION_SETTER(option_set_member_endpoint);
OPTION_SETTER(option_set_member_known_hosts);
OPTION_SETTER(option_set_member_log_command);
OPTION_SETTER(option_set_member_metrics);
OPTION_SETTER(option_set_member_ssh);
OPTION_SETTER(option_set_member_ssh_key);
OPTION_SETTER(option_set_metrics_endpoints);
OPTION_SETTER(option_set_metrics_interval);
OPTION_SETTER(option_set_min_nodes);
OPTION_SETTER(option_set_no_discover);
OPTION_SETTER(option_set_no_leader_timeout);
OPTION_SETTER(option_set_password);
OPTION_SETTER(option_set_password_file);
OPTION_SETTER(option_set_probe_prefix);
OPTION_SETTER(option_set_prometheus);
OPTION_SETTER(option_set_prometheus_selector);
OPTION_SETTER(option_set_probe_write);
OPTION_SETTER(option_set_metrics_gzip);
OPTION_SETTER(option_set_rule_enabled);
OPTION_SETTER(option_set_rule_warning);
OPTION_SETTER(option_set_rule_critical);
OPTION_SETTER(option_set_rule_min_obs);
OPTION_SETTER(option_set_rule_keep);
OPTION_SETTER(option_set_rule_for);
OPTION_SETTER(option_set_rule_threshold);
OPTION_SETTER(option_set_ssh);
OPTION_SETTER(option_set_ssh_accept_new);
OPTION_SETTER(option_set_ssh_key);
OPTION_SETTER(option_set_ssh_known_hosts);
OPTION_SETTER(option_set_theme);
OPTION_SETTER(option_set_user);
OPTION_SETTER(option_set_windows);
OPTION_SETTER(option_set_workdir);
OPTION_SETTER(option_set_write_out);
#undef OPTION_SETTER

/* Read the YAML file at path into cfg (over the defaults) and set
 * cfg->ignored_keys. Returns 0, or -1 with "path:line: ..." in err. */
int config_file_load(config_t *cfg, const char *path, char *err, size_t errlen) WARN_UNUSED_RESULT;

/* Setters of the alert delivery flags (config_alerts.c). */
int alerts_set_notify_webhook(config_t *cfg, const char *v, char *why, size_t whylen);
int alerts_set_alertmanager(config_t *cfg, const char *v, char *why, size_t whylen);
int alerts_set_silence(config_t *cfg, const char *v, char *why, size_t whylen);

/* Setters of the API server's flags (config_api.c). */
int api_set_host(config_t *cfg, const char *v, char *why, size_t whylen);
int api_set_port(config_t *cfg, const char *v, char *why, size_t whylen);
int api_set_token_file(config_t *cfg, const char *v, char *why, size_t whylen);
int api_set_allow_writes(config_t *cfg, const char *v, char *why, size_t whylen);
int api_set_cert(config_t *cfg, const char *v, char *why, size_t whylen);
int api_set_key(config_t *cfg, const char *v, char *why, size_t whylen);
int api_set_timeout(config_t *cfg, const char *v, char *why, size_t whylen);
int api_set_max_connections(config_t *cfg, const char *v, char *why, size_t whylen);
/* Setters of the operator actions' flags (options_ops.c). */
#define OPS_SETTER(name) int name(config_t *cfg, const char *v, char *why, size_t whylen)
OPS_SETTER(option_set_yes);
/* the schedules of monitor and serve (options_sched.c) */
OPS_SETTER(option_set_backup_dir);
OPS_SETTER(option_set_backup_interval);
OPS_SETTER(option_set_backup_keep);
OPS_SETTER(option_set_bench_enabled);
OPS_SETTER(option_set_bench_interval);
OPS_SETTER(option_set_bench_sched_ops);
OPS_SETTER(option_set_run_benchmark);
OPS_SETTER(option_set_keep);
OPS_SETTER(option_set_cluster);
OPS_SETTER(option_set_force);
OPS_SETTER(option_set_dry_run);
OPS_SETTER(option_set_physical);
OPS_SETTER(option_set_prefix);
OPS_SETTER(option_set_bench_ops);
OPS_SETTER(option_set_clients);
OPS_SETTER(option_set_conns);
OPS_SETTER(option_set_key_space);
OPS_SETTER(option_set_revision);
OPS_SETTER(option_set_retain);
OPS_SETTER(option_set_limit);
OPS_SETTER(option_set_key_size);
OPS_SETTER(option_set_value_size);
OPS_SETTER(option_set_bench_type);
OPS_SETTER(option_set_rate);
OPS_SETTER(option_set_read_ratio);
OPS_SETTER(option_set_directory);
OPS_SETTER(option_set_check);
OPS_SETTER(option_set_dump_at);
OPS_SETTER(option_set_dt_size);
OPS_SETTER(option_set_dt_block);
#undef OPS_SETTER

#endif
