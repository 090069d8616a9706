/* options_table.c — the option table: every flag, environment variable and
 * config-file key with its default, help text and setter, in usage and
 * man-page order. The single source of the option names. */
#include "config.h"
#include "config_internal.h"

#include <string.h>

#define XSTR(x) STR(x)
#define STR(x) #x

static const option_t options[] = {
    { "endpoints", 0, OPT_VALUE, "LIST", { "ENDPOINTS", "ETCDCTL_ENDPOINTS" }, "endpoints",
      "127.0.0.1:2379",
      "etcd members, comma-separated: host:port, http://host:port or "
      "https://host:port, [::1]:2379 for IPv6; at most " XSTR(CONFIG_MAX_ENDPOINTS),
      option_set_endpoints, OPT_LIST, CMD_ALL },
    { "interval", 0, OPT_VALUE, "SECONDS", { NULL, NULL }, "interval", "5",
      "seconds between polls, 1 to 300, to the millisecond: 2.5, 1500ms, 10s or "
      "1m also work; less than 1s is refused",
      option_set_interval, 0, CMD_WATCH },
    { "metrics-interval", 0, OPT_VALUE, "DURATION", { "METRICS_INTERVAL", NULL },
      "metrics_interval", NULL,
      "the poll interval as a duration, 1s to 300s, bare number = seconds; "
      "same setting as --interval",
      option_set_metrics_interval, 0, CMD_WATCH },
    { "duration", 0, OPT_VALUE, "DURATION", { NULL, NULL }, "duration", "0",
      "stop after this long: bare number = minutes, or 30s, 2m, 1h; "
      "0 = until stopped; at most 30 days",
      option_set_duration, 0, CMD_MONITOR },
    { "alert-threshold", 0, OPT_VALUE, "LEVEL", { NULL, NULL }, "alert_threshold", "warning",
      "how sensitive the alert rules are: critical (fewest alerts), "
      "warning or info (most alerts)",
      option_set_alert_level, 0, CMD_ALL },
    { "dial-timeout", 0, OPT_VALUE, "DURATION", { NULL, NULL }, "dial_timeout", "5s",
      "connect timeout per request, 100ms to 60s; bare number = seconds",
      option_set_dial_timeout, 0, CMD_ALL },
    { "health-check-interval", 0, OPT_VALUE, "DURATION", { "HEALTH_CHECK_INTERVAL", NULL },
      "health_check_interval", "30s",
      "how often to re-read the member list (the alarms: every poll), 1s to 24h; "
      "bare number = seconds",
      option_set_health_interval, 0, CMD_WATCH },
    { "max-body-size", 0, OPT_VALUE, "BYTES", { NULL, NULL }, "max_body_size", "16M",
      "largest response body accepted, 4K to 1G; suffix K, M or G = KiB, MiB, GiB",
      option_set_max_body, 0, CMD_ALL },
    { "max-latency-ms", 0, OPT_VALUE, "N", { NULL, NULL }, "alert_thresholds.max_latency_ms",
      "100", "request latency alert threshold in milliseconds, greater than 0",
      option_set_max_latency, 0, CMD_ALL },
    { "max-db-size-mb", 0, OPT_VALUE, "N", { NULL, NULL },
      "alert_thresholds.max_database_size_mb", "8192",
      "database size alert threshold in MiB, greater than 0",
      option_set_max_db, 0, CMD_ALL },
    { "windows", 0, OPT_VALUE, "LIST", { NULL, NULL }, "windows", "1m,5m,15m,1h",
      "the sliding windows of the statistics and rules: at most "
      XSTR(FIG_MAX_WINDOWS) " durations, comma-separated, increasing, each 10s to 4h",
      option_set_windows, OPT_LIST, CMD_WATCH },
    { "no-leader-timeout", 0, OPT_VALUE, "DURATION", { NULL, NULL }, "no_leader_timeout", "60s",
      "how long the cluster may be without a leader before EtcdNoLeader fires, "
      "1s to 1h; bare number = seconds",
      option_set_no_leader_timeout, 0, CMD_WATCH },
    { "config", 0, OPT_VALUE, "FILE", { NULL, NULL }, NULL, NULL,
      "read settings from this YAML file",
      option_set_config, OPT_CONFIG, CMD_ALL },
    { "workdir", 0, OPT_VALUE, "DIR", { NULL, NULL }, "workdir", NULL,
      "write the CSV files and logs here instead of "
      ".work/etcd-realtime/YYYYmmdd_HHMMSS",
      option_set_workdir, 0, CMD_WATCH },
    { "headless", 0, OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "no terminal interface: poll and write the CSV files only",
      option_set_headless, 0, CMD_MONITOR },
    { "no-discover", 0, OPT_NOARG, NULL, { NULL, NULL }, "no_discover", NULL,
      "poll only the given endpoints; do not add members from the member list",
      option_set_no_discover, 0, CMD_ALL },
    { "cacert", 0, OPT_VALUE, "FILE", { "ETCDCTL_CACERT", NULL }, "tls.ca_file", NULL,
      "verify the members' certificates with this CA bundle; with it every endpoint "
      "given without a scheme uses https",
      option_set_ca_file, 0, CMD_ALL },
    { "cert", 0, OPT_VALUE, "FILE", { "ETCDCTL_CERT", NULL }, "tls.cert_file", NULL,
      "client certificate (PEM) for members that demand one",
      option_set_cert_file, 0, CMD_ALL },
    { "key", 0, OPT_VALUE, "FILE", { "ETCDCTL_KEY", NULL }, "tls.key_file", NULL,
      "private key (PEM) of the client certificate",
      option_set_key_file, 0, CMD_ALL },
    { "insecure-skip-tls-verify", 0, OPT_NOARG, NULL, { "ETCDCTL_INSECURE_SKIP_TLS_VERIFY", NULL },
      "tls.insecure_skip_verify", NULL,
      "do NOT verify the members' certificates or names (shown in the header and "
      "logged); alias --insecure-skip-verify",
      option_set_insecure_skip, 0, CMD_ALL },
    { "insecure-skip-verify", 0, OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "same as --insecure-skip-tls-verify",
      option_set_insecure_skip, 0, CMD_ALL },
    { "insecure-transport", 0, OPT_NOARG, NULL, { NULL, NULL }, "tls.insecure_transport", NULL,
      "keep plain http for endpoints given without a scheme even when TLS files "
      "are set",
      option_set_insecure_transport, 0, CMD_ALL },
    { "use-proxy-env", 0, OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "let member traffic go through the proxy that http_proxy, https_proxy or "
      "ALL_PROXY names (by default it never does: it carries the etcd token and password)",
      config_set_use_proxy_env, 0, CMD_ALL },
    { "metrics-endpoints", 0, OPT_VALUE, "LIST", { NULL, NULL }, "metrics_endpoints", NULL,
      "scrape /metrics from these URLs instead of the client URLs (etcd's "
      "--listen-metrics-urls), in the order of --endpoints",
      option_set_metrics_endpoints, OPT_LIST, CMD_ALL },
    { "user", 0, OPT_VALUE, "NAME[:PASSWORD]", { "ETCDCTL_USER", NULL }, "auth.user", NULL,
      "etcd user name (and password) for clusters with auth enabled",
      option_set_user, 0, CMD_ALL },
    { "password", 0, OPT_VALUE, "PASSWORD", { "ETCDCTL_PASSWORD", NULL }, "auth.password", NULL,
      "etcd password (prefer --password-file or the environment: a flag is seen by "
      "other users until it is scrubbed)",
      option_set_password, 0, CMD_ALL },
    { "password-file", 0, OPT_VALUE, "FILE", { NULL, NULL }, "auth.password_file", NULL,
      "read the etcd password from the first line of FILE",
      option_set_password_file, 0, CMD_ALL },
    { "ssh", 0, OPT_VALUE, "[USER@]HOST[:PORT]", { NULL, NULL }, "ssh.host", NULL,
      "reach the members through an SSH tunnel via this host (host key checked "
      "against known_hosts; ssh-agent, then --ssh-key)",
      option_set_ssh, 0, CMD_ALL },
    { "ssh-key", 0, OPT_VALUE, "FILE", { NULL, NULL }, "ssh.key_file", NULL,
      "private key for SSH, tried after ssh-agent",
      option_set_ssh_key, 0, CMD_ALL },
    { "ssh-known-hosts", 0, OPT_VALUE, "FILE", { NULL, NULL }, "ssh.known_hosts", NULL,
      "known_hosts file to check the SSH host key against (default ~/.ssh/known_hosts)",
      option_set_ssh_known_hosts, 0, CMD_ALL },
    { "ssh-accept-new", 0, OPT_NOARG, NULL, { NULL, NULL }, "ssh.accept_new", NULL,
      "accept an unknown SSH host key (never a changed one), without writing it down",
      option_set_ssh_accept_new, 0, CMD_ALL },
    { "log-source", 0, OPT_NOARG, NULL, { NULL, NULL }, "ssh.log_source", NULL,
      "watch each member's etcd log over SSH with --log-command",
      option_set_log_source, 0, CMD_WATCH },
    { "log-command", 0, OPT_VALUE, "CMD", { NULL, NULL }, "ssh.log_command",
      "journalctl -u etcd -f -o cat",
      "read-only command that follows etcd's log on a member host",
      option_set_log_command, 0, CMD_WATCH },
    { "log-file", 0, OPT_VALUE, "PATH", { NULL, NULL }, "log_file", NULL,
      "follow a local etcd log file instead",
      option_set_log_file, 0, CMD_WATCH },
    { "data-dir", 0, OPT_VALUE, "PATH", { NULL, NULL }, "ssh.data_dir", "/var/lib/etcd",
      "etcd's data directory on the member hosts, for the disk space figure (df -P)",
      option_set_data_dir, 0, CMD_WATCH },
    { "probe-write", 0, OPT_NOARG, NULL, { NULL, NULL }, "probe_write", NULL,
      "also time one write per member per poll (a key under --probe-prefix, "
      "deleted on exit)",
      option_set_probe_write, 0, CMD_WATCH },
    { "probe-prefix", 0, OPT_VALUE, "PREFIX", { NULL, NULL }, "probe_prefix",
      "/etcd-monitor/probe/",
      "key prefix of the write probe; the key is PREFIX followed by the member name",
      option_set_probe_prefix, 0, CMD_WATCH },
    { "theme", 0, OPT_VALUE, "NAME|FILE", { NULL, NULL }, "theme", NULL,
      "dashboard colours: default, light, solarized, mono, or a .theme file "
      "(NO_COLOR forces mono)",
      option_set_theme, 0, CMD_MONITOR },
    { "write-out", 'w', OPT_VALUE, "FORMAT", { NULL, NULL }, NULL, "table",
      "how status and the operator commands print their result: table, or json "
      "(status: an array with one object per member)",
      option_set_write_out, 0, CMD_STATUS | CMD_OPS },
    { "version", 0, OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "print the version and exit",
      NULL, OPT_VERSION, CMD_ALL },
    { "help", 'h', OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "print this help and exit",
      NULL, OPT_HELP, CMD_ALL },
    /* Alert delivery (config_alerts.c). */
    { "notify-webhook", 0, OPT_VALUE, "URL", { NULL, NULL }, NULL, NULL,
      "also POST alert transitions to URL as an Alertmanager-style webhook (repeatable)",
      alerts_set_notify_webhook, 0, CMD_WATCH },
    { "alertmanager", 0, OPT_VALUE, "URL", { NULL, NULL }, NULL, NULL,
      "also send alerts to the Alertmanager at URL (repeatable)",
      alerts_set_alertmanager, 0, CMD_WATCH },
    { "silence", 0, OPT_VALUE, "RULE[@MEMBER]:DURATION", { NULL, NULL }, NULL, NULL,
      "send no notification for that alert for DURATION from the start (repeatable)",
      alerts_set_silence, 0, CMD_WATCH },
    /* The HTTP API and Prometheus exporter (config_api.c, src/serve/). */
    { "api-port", 0, OPT_VALUE, "PORT", { "API_PORT", NULL }, "api.port", NULL,
      "serve the HTTP API and /metrics on this port (the serve command: 8080 "
      "when none is given)",
      api_set_port, 0, CMD_WATCH },
    { "api-host", 0, OPT_VALUE, "HOST", { "API_HOST", NULL }, "api.host", API_DEFAULT_HOST,
      "address the API listens on; 0.0.0.0 or :: for every interface",
      api_set_host, 0, CMD_WATCH },
    { "api-token-file", 0, OPT_VALUE, "FILE", { NULL, NULL }, "api.token_file", NULL,
      "enable POST /api/v1/etcdctl/get (and put) for requests with "
      "\"Authorization: Bearer\" and the first line of FILE",
      api_set_token_file, 0, CMD_WATCH },
    { "api-allow-writes", 0, OPT_NOARG, NULL, { NULL, NULL }, "api.allow_writes", NULL,
      "also enable POST /api/v1/etcdctl/put (needs --api-token-file)",
      api_set_allow_writes, 0, CMD_WATCH },
    { "api-cert", 0, OPT_VALUE, "FILE", { NULL, NULL }, "api.cert_file", NULL,
      "serve the API over HTTPS with this certificate (PEM), with --api-key",
      api_set_cert, 0, CMD_WATCH },
    { "api-key", 0, OPT_VALUE, "FILE", { NULL, NULL }, "api.key_file", NULL,
      "private key (PEM) of --api-cert",
      api_set_key, 0, CMD_WATCH },
    { "api-timeout", 0, OPT_VALUE, "DURATION", { NULL, NULL }, "api.timeout", "10s",
      "a request must arrive in full within this long of the connection (or the "
      "previous answer), 1s to 5m; idle connections are closed after it too",
      api_set_timeout, 0, CMD_WATCH },
    { "api-max-connections", 0, OPT_VALUE, "N", { NULL, NULL }, "api.max_connections",
      "4096", "connections the API holds at once, 16 to 60000 (a quarter per client "
      "address)",
      api_set_max_connections, 0, CMD_WATCH },
    /* Operator actions (src/ops/). */
    { "yes", 0, OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "change the cluster without asking (needed off a terminal)",
      option_set_yes, 0, CMD_BENCHMARK | CMD_MONITOR },
    { "type", 0, OPT_VALUE, "TYPE", { NULL, NULL }, NULL, "write",
      "benchmark load: write, read or mixed",
      option_set_bench_type, 0, CMD_BENCHMARK },
    { "ops", 0, OPT_VALUE, "N", { NULL, NULL }, NULL, "10000",
      "benchmark operations in all", option_set_bench_ops, 0, CMD_BENCHMARK },
    { "run-benchmark", 0, OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "run the benchmark instead of monitoring (as etcd-monitor benchmark)",
      option_set_run_benchmark, 0, CMD_MONITOR },
    { "benchmark-type", 0, OPT_VALUE, "TYPE", { NULL, NULL }, NULL, NULL,
      "the same as --type", option_set_bench_type, 0, CMD_MONITOR | CMD_BENCHMARK },
    { "benchmark-ops", 0, OPT_VALUE, "N", { NULL, NULL }, NULL, NULL,
      "the same as --ops", option_set_bench_ops, 0, CMD_MONITOR | CMD_BENCHMARK },
    { "clients", 0, OPT_VALUE, "N", { NULL, NULL }, NULL, "16",
      "benchmark requests in flight at once, 1 to 1000", option_set_clients, 0, CMD_MONITOR | CMD_BENCHMARK },
    { "conns", 0, OPT_VALUE, "N", { NULL, NULL }, NULL, "16",
      "kept-alive connections the benchmark's clients share, 1 to 1000",
      option_set_conns, 0, CMD_MONITOR | CMD_BENCHMARK },
    { "key-size", 0, OPT_VALUE, "BYTES", { NULL, NULL }, NULL, "8",
      "bytes of each benchmark key after the prefix, 1 to 1K", option_set_key_size, 0, CMD_MONITOR | CMD_BENCHMARK },
    { "value-size", 0, OPT_VALUE, "BYTES", { NULL, NULL }, NULL, "256",
      "bytes of each benchmark value, 0 to 1M", option_set_value_size, 0, CMD_MONITOR | CMD_BENCHMARK },
    { "key-space", 0, OPT_VALUE, "N", { NULL, NULL }, NULL, "1000",
      "distinct benchmark keys", option_set_key_space, 0, CMD_MONITOR | CMD_BENCHMARK },
    { "rate", 0, OPT_VALUE, "OPS", { NULL, NULL }, NULL, "0",
      "benchmark operations per second at most; 0 = as fast as they go",
      option_set_rate, 0, CMD_MONITOR | CMD_BENCHMARK },
    { "read-ratio", 0, OPT_VALUE, "RATIO", { NULL, NULL }, NULL, "0.7",
      "share of reads in a mixed benchmark, 0 to 1", option_set_read_ratio, 0, CMD_MONITOR | CMD_BENCHMARK },
    { "keep", 0, OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "leave the benchmark's keys in place (they are deleted at the end)",
      option_set_keep, 0, CMD_MONITOR | CMD_BENCHMARK },
    { "directory", 0, OPT_VALUE, "DIR", { NULL, NULL }, NULL, NULL,
      "disk-test: the directory to test (etcd's data directory's disk)",
      option_set_directory, 0, CMD_DISKTEST },
    { "size", 0, OPT_VALUE, "BYTES", { NULL, NULL }, NULL, "22m",
      "disk-test: bytes written in all, 4K to 64G; suffix k, m or g",
      option_set_dt_size, 0, CMD_DISKTEST },
    { "block-size", 0, OPT_VALUE, "BYTES", { NULL, NULL }, NULL, "2300",
      "disk-test: bytes per write, each followed by fdatasync",
      option_set_dt_block, 0, CMD_DISKTEST },
    /* Config-file keys without a flag. */
    { NULL, 0, OPT_VALUE, "N", { NULL, NULL }, "alert_thresholds.min_available_nodes", "2",
      "members that must be up, 0 to 1000", option_set_min_nodes, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "N", { NULL, NULL },
      "alert_thresholds.max_leader_changes_per_hour", "3",
      "leader changes per hour, 0 or more", option_set_leader_changes, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "RATE", { NULL, NULL }, "alert_thresholds.max_error_rate", "0.05",
      "failed requests per request, 0 to 1", option_set_error_rate, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "PERCENT", { NULL, NULL },
      "alert_thresholds.min_disk_space_percent", "10",
      "free backend quota in percent, 0 to 100", option_set_disk_percent, 0, CMD_ALL },
    { NULL, 0, OPT_BLOCK, NULL, { NULL, NULL }, "rules", NULL,
      "per-rule overrides: a mapping from rule names (see the man page, RULES) "
      "to the keys below", NULL, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "DURATION", { NULL, NULL }, "rules.NAME.for", NULL,
      "how long the condition must hold before the alert fires, 0 to 24h",
      option_set_rule_for, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "N", { NULL, NULL }, "rules.NAME.threshold", NULL,
      "replaces the rule's threshold, in its unit", option_set_rule_threshold, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "BOOL", { NULL, NULL }, "rules.NAME.enabled", NULL,
      "false turns the rule off", option_set_rule_enabled, 0, CMD_ALL },
    { NULL, 0, OPT_BLOCK, NULL, { NULL, NULL }, "members", NULL,
      "per-member settings: a list of mappings with the keys below, at most "
      XSTR(CONFIG_MAX_ENDPOINTS) "; their endpoints are polled when no endpoints are given",
      NULL, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "URL", { NULL, NULL }, "members[].endpoint", NULL,
      "the member's client URL (required): the entry applies to the member, "
      "given or discovered, with the same host:port", option_set_member_endpoint, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "URL", { NULL, NULL }, "members[].metrics_endpoint", NULL,
      "its /metrics URL, where --metrics-endpoints has none", option_set_member_metrics, 0,
      CMD_ALL },
    { NULL, 0, OPT_VALUE, "[USER@]HOST[:PORT]", { NULL, NULL }, "members[].ssh", NULL,
      "the member's own host for SSH (through --ssh when that is set too), or a "
      "mapping of host and the keys below", option_set_member_ssh, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "[USER@]HOST[:PORT]", { NULL, NULL }, "members[].ssh.host", NULL,
      "the same, inside the mapping (required there)", option_set_member_ssh, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "FILE", { NULL, NULL }, "members[].ssh.key_file", NULL,
      "replaces --ssh-key for this member", option_set_member_ssh_key, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "FILE", { NULL, NULL }, "members[].ssh.known_hosts", NULL,
      "replaces --ssh-known-hosts for this member", option_set_member_known_hosts, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "BOOL", { NULL, NULL }, "members[].ssh.accept_new", NULL,
      "replaces --ssh-accept-new for this member", option_set_member_accept_new, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "CMD", { NULL, NULL }, "members[].log_command", NULL,
      "replaces --log-command for this member", option_set_member_log_command, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "PATH", { NULL, NULL }, "members[].data_dir", NULL,
      "replaces --data-dir for this member", option_set_member_data_dir, 0, CMD_ALL },
    /* two-level thresholds, min_observations, keep_firing_for (before the unused
     * blocks, which usage lists last) */
    { NULL, 0, OPT_VALUE, "N", { NULL, NULL }, "rules.NAME.warning", NULL,
      "the warning level's threshold, in the rule's unit (turns that level on)",
      option_set_rule_warning, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "N", { NULL, NULL }, "rules.NAME.critical", NULL,
      "the critical level's threshold, in the rule's unit (turns that level on)",
      option_set_rule_critical, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "N", { NULL, NULL }, "rules.NAME.min_observations", NULL,
      "observations a latency quantile must rest on before it is judged, 1 or more "
      "(default 20)", option_set_rule_min_obs, 0, CMD_ALL },
    { NULL, 0, OPT_VALUE, "DURATION", { NULL, NULL }, "rules.NAME.keep_firing_for", NULL,
      "how long a firing alert's condition must be false before it resolves, 0 to 24h "
      "(default 2 poll intervals)", option_set_rule_keep, 0, CMD_ALL },
    { NULL, 0, OPT_BLOCK, NULL, { NULL, NULL }, "alerts", NULL,
      "alert delivery channels: a list of mappings (type: console, slack, email, "
      "pagerduty, webhook, alertmanager; see the man page, ALERT DELIVERY)", NULL, 0, CMD_ALL },
    { NULL, 0, OPT_BLOCK, NULL, { NULL, NULL }, "benchmark", NULL,
      "benchmark settings", NULL, OPT_UNUSED, CMD_ALL },
};

const char *const config_nested_blocks[] = { "alert_thresholds", "tls", "auth", "ssh", "api", NULL };

const option_t *config_options(size_t *n)
{
    *n = sizeof options / sizeof options[0];
    return options;
}

const option_t *config_option_by_key(const char *key)
{
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (options[i].key && strcmp(options[i].key, key) == 0)
            return &options[i];
    return NULL;
}
