/* test_config.c — options, environment, the YAML config file, the duration
 * parser, endpoint validation, usage and the man page against the option table.
 * Run from the repository root (paths under tests/data and man/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "command.h"
#include "testutil.h"
#include "config_internal.h"
#include "csvrow.h"

static const char *const env_vars[] = {
    "ENDPOINTS", "ETCDCTL_ENDPOINTS", "HEALTH_CHECK_INTERVAL", "METRICS_INTERVAL",
};

static int clear_env(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++)
        unsetenv(env_vars[i]);
    return 0;
}

/* Run config_load on a NULL-terminated argument list (argv[0] is added). */
static config_result_t load_args(config_t *cfg, char *err, size_t errlen,
                                 const char *const *args)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"etcd-monitor";
    for (; *args && argc < 63; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return config_load(cfg, NULL, argc, argv, err, errlen);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Load and require CONFIG_OK, showing the error otherwise. */
static void load_ok(config_t *cfg, const char *const *args)
{
    char err[512] = "";
    config_result_t r = load_args(cfg, err, sizeof err, args);
    if (r != CONFIG_OK)
        fail_msg("config_load: result %d: %s", (int)r, err);
}

/* Load and require CONFIG_ERROR with exactly the message want. */
static void load_err(const char *const *args, const char *want)
{
    config_t cfg;
    char err[512] = "";
    config_result_t r = load_args(&cfg, err, sizeof err, args);
    if (r != CONFIG_ERROR)
        fail_msg("expected an error \"%s\", got result %d", want, (int)r);
    assert_string_equal(err, want);
    assert_null(strchr(err, '\n'));
    config_free(&cfg);     /* harmless after an error */
}

/* Write text to a new temporary file; returns its malloc'ed path. */
static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/test_config_XXXXXX");
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

/* Load a config file given as text; returns the result, err filled. The
 * temp path in err is replaced by "F" so messages can be compared exactly. */
static config_result_t load_text(config_t *cfg, const char *text, char *err, size_t errlen)
{
    char *path = write_temp(text);
    config_result_t r = load_args(cfg, err, errlen, ARGS("--config", path));
    size_t pl = strlen(path);
    if (strncmp(err, path, pl) == 0) {
        err[0] = 'F';
        memmove(err + 1, err + pl, strlen(err + pl) + 1);
    }
    unlink(path);
    free(path);
    return r;
}

static void text_err(const char *text, const char *want)
{
    config_t cfg;
    char err[512] = "";
    config_result_t r = load_text(&cfg, text, err, sizeof err);
    if (r != CONFIG_ERROR)
        fail_msg("expected an error \"%s\", got result %d", want, (int)r);
    assert_string_equal(err, want);
    config_free(&cfg);
}

/* ---- defaults ------------------------------------------------------------ */

static void test_defaults(void **state)
{
    (void)state;
    config_t cfg;
    load_ok(&cfg, (const char *const[]){ NULL });
    assert_int_equal(cfg.n_endpoints, 1);
    assert_string_equal(cfg.endpoints[0], "127.0.0.1:2379");
    assert_int_equal(cfg.interval_ms, 5000);
    assert_int_equal(cfg.write_out, WRITE_TABLE);
    assert_int_equal(cfg.duration_ms, 0);
    assert_int_equal(cfg.alert_level, LEVEL_WARNING);
    assert_int_equal(cfg.dial_timeout_ms, 5000);
    assert_int_equal(cfg.health_check_interval_ms, 30000);
    assert_int_equal(cfg.max_body_bytes, 16u << 20);
    assert_true(cfg.thresholds.max_latency_ms == 100);
    assert_true(cfg.thresholds.max_database_size_mb == 8192);
    assert_int_equal(cfg.thresholds.min_available_nodes, 2);
    assert_true(cfg.thresholds.max_leader_changes_per_hour == 3);
    assert_true(cfg.thresholds.max_error_rate == 0.05);
    assert_true(cfg.thresholds.min_disk_space_percent == 10);
    assert_null(cfg.config_path);
    assert_null(cfg.workdir);
    assert_false(cfg.headless);
    assert_false(cfg.no_discover);
    assert_null(cfg.ignored_keys);
    assert_int_equal(cfg.no_leader_timeout_ms, 60000);
    assert_int_equal(cfg.n_windows, 4);
    assert_int_equal(cfg.window_ms[0], 60000);
    assert_int_equal(cfg.window_ms[1], 5 * 60000);
    assert_int_equal(cfg.window_ms[2], 15 * 60000);
    assert_int_equal(cfg.window_ms[3], 60 * 60000);
    assert_int_equal(cfg.n_rule_overrides, 0);
    assert_false(cfg.endpoints_given);
    assert_int_equal(cfg.n_members, 0);
    assert_int_equal(cfg.n_metrics_endpoints, 0);
    config_free(&cfg);
    assert_int_equal(cfg.n_endpoints, 0);
    config_free(&cfg);     /* idempotent */
}

/* ---- every flag, good values --------------------------------------------- */

static void test_flags_good(void **state)
{
    (void)state;
    config_t c;

    load_ok(&c, ARGS("--endpoints", "http://a:1,https://[::1]:2379/, b.example:65535"));
    assert_int_equal(c.n_endpoints, 3);
    assert_string_equal(c.endpoints[0], "http://a:1");
    assert_string_equal(c.endpoints[1], "https://[::1]:2379/");
    assert_string_equal(c.endpoints[2], "b.example:65535");
    config_free(&c);

    load_ok(&c, ARGS("--interval", "10"));
    assert_int_equal(c.interval_ms, 10000);
    config_free(&c);
    load_ok(&c, ARGS("--interval=1m"));
    assert_int_equal(c.interval_ms, 60000);
    config_free(&c);
    load_ok(&c, ARGS("--interval", "1500ms"));
    assert_int_equal(c.interval_ms, 1500);
    config_free(&c);
    load_ok(&c, ARGS("--interval", "300"));
    assert_int_equal(c.interval_ms, 300000);
    config_free(&c);
    /* Seconds to the millisecond, as the help and man page say. */
    load_ok(&c, ARGS("--interval", "2.5"));
    assert_int_equal(c.interval_ms, 2500);
    config_free(&c);
    load_ok(&c, ARGS("--interval", "1.0005"));
    assert_int_equal(c.interval_ms, 1000);
    config_free(&c);
    load_ok(&c, ARGS("--interval=1s"));
    assert_int_equal(c.interval_ms, 1000);
    config_free(&c);
    load_ok(&c, ARGS("--write-out", "json"));
    assert_int_equal(c.write_out, WRITE_JSON);
    config_free(&c);
    load_ok(&c, ARGS("--write-out=json", "-w", "table"));
    assert_int_equal(c.write_out, WRITE_TABLE);
    config_free(&c);

    load_ok(&c, ARGS("--metrics-interval", "2"));
    assert_int_equal(c.interval_ms, 2000);
    config_free(&c);
    load_ok(&c, ARGS("--metrics-interval=1.5s"));
    assert_int_equal(c.interval_ms, 1500);
    config_free(&c);

    load_ok(&c, ARGS("--duration", "15"));
    assert_int_equal(c.duration_ms, 15 * 60000);
    config_free(&c);
    load_ok(&c, ARGS("--duration=30s"));
    assert_int_equal(c.duration_ms, 30000);
    config_free(&c);
    load_ok(&c, ARGS("--duration", "1h"));
    assert_int_equal(c.duration_ms, 3600000);
    config_free(&c);
    load_ok(&c, ARGS("--duration", "720h"));      /* 30 days, the maximum */
    assert_int_equal(c.duration_ms, (int64_t)30 * 24 * 3600 * 1000);
    config_free(&c);
    load_ok(&c, ARGS("--duration", "0"));
    assert_int_equal(c.duration_ms, 0);
    config_free(&c);

    load_ok(&c, ARGS("--alert-threshold", "info"));
    assert_int_equal(c.alert_level, LEVEL_INFO);
    config_free(&c);
    load_ok(&c, ARGS("--alert-threshold=critical"));
    assert_int_equal(c.alert_level, LEVEL_CRITICAL);
    config_free(&c);
    load_ok(&c, ARGS("--alert-threshold", "WARNING"));
    assert_int_equal(c.alert_level, LEVEL_WARNING);
    config_free(&c);

    load_ok(&c, ARGS("--dial-timeout", "100ms"));
    assert_int_equal(c.dial_timeout_ms, 100);
    config_free(&c);
    load_ok(&c, ARGS("--dial-timeout=60"));
    assert_int_equal(c.dial_timeout_ms, 60000);
    config_free(&c);

    load_ok(&c, ARGS("--health-check-interval", "24h"));
    assert_int_equal(c.health_check_interval_ms, 24 * 3600 * 1000);
    config_free(&c);
    load_ok(&c, ARGS("--health-check-interval=45"));
    assert_int_equal(c.health_check_interval_ms, 45000);
    config_free(&c);

    load_ok(&c, ARGS("--max-body-size", "4K"));
    assert_int_equal(c.max_body_bytes, 4096);
    config_free(&c);
    load_ok(&c, ARGS("--max-body-size=1G"));
    assert_int_equal(c.max_body_bytes, 1u << 30);
    config_free(&c);
    load_ok(&c, ARGS("--max-body-size", "65536"));
    assert_int_equal(c.max_body_bytes, 65536);
    config_free(&c);
    load_ok(&c, ARGS("--max-body-size", "2m"));
    assert_int_equal(c.max_body_bytes, 2u << 20);
    config_free(&c);

    load_ok(&c, ARGS("--max-latency-ms", "250.5"));
    assert_true(c.thresholds.max_latency_ms == 250.5);
    config_free(&c);
    load_ok(&c, ARGS("--max-latency-ms", "0.001"));
    assert_true(c.thresholds.max_latency_ms == 0.001);
    config_free(&c);
    load_ok(&c, ARGS("--max-latency-ms", "000012.50"));
    assert_true(c.thresholds.max_latency_ms == 12.5);
    config_free(&c);
    load_ok(&c, ARGS("--max-db-size-mb=1024"));
    assert_true(c.thresholds.max_database_size_mb == 1024);
    config_free(&c);

    load_ok(&c, ARGS("--windows", "30s, 2m,10m,4h"));
    assert_int_equal(c.n_windows, 4);
    assert_int_equal(c.window_ms[0], 30000);
    assert_int_equal(c.window_ms[1], 120000);
    assert_int_equal(c.window_ms[2], 600000);
    assert_int_equal(c.window_ms[3], 4 * 3600000);
    config_free(&c);
    load_ok(&c, ARGS("--windows=10"));                 /* one window, bare = seconds */
    assert_int_equal(c.n_windows, 1);
    assert_int_equal(c.window_ms[0], 10000);
    config_free(&c);

    load_ok(&c, ARGS("--no-leader-timeout", "90"));
    assert_int_equal(c.no_leader_timeout_ms, 90000);
    config_free(&c);
    load_ok(&c, ARGS("--no-leader-timeout=1h"));
    assert_int_equal(c.no_leader_timeout_ms, 3600000);
    config_free(&c);

    load_ok(&c, ARGS("--config", "tests/data/config-empty.yaml"));
    assert_string_equal(c.config_path, "tests/data/config-empty.yaml");
    config_free(&c);
    load_ok(&c, ARGS("--config=tests/data/config-empty.yaml"));
    assert_string_equal(c.config_path, "tests/data/config-empty.yaml");
    config_free(&c);

    load_ok(&c, ARGS("--workdir", "/tmp/em"));
    assert_string_equal(c.workdir, "/tmp/em");
    config_free(&c);
    load_ok(&c, ARGS("--workdir=out dir"));
    assert_string_equal(c.workdir, "out dir");
    config_free(&c);

    load_ok(&c, ARGS("--headless", "--no-discover", "--probe-write", "--probe-prefix", "/p/",
                     "--theme", "light", "--metrics-gzip"));
    assert_true(c.probe_write);
    assert_true(c.metrics_gzip);
    assert_string_equal(c.probe_prefix, "/p/");
    assert_string_equal(c.theme, "light");
    assert_true(c.headless);
    assert_true(c.no_discover);
    config_free(&c);
}

/* Later repeats win; --interval and --metrics-interval set the same field. */
static void test_flags_repeat(void **state)
{
    (void)state;
    config_t c;
    load_ok(&c, ARGS("--interval", "10", "--interval=20"));
    assert_int_equal(c.interval_ms, 20000);
    config_free(&c);
    load_ok(&c, ARGS("--interval", "10", "--metrics-interval", "3s"));
    assert_int_equal(c.interval_ms, 3000);
    config_free(&c);
    load_ok(&c, ARGS("--endpoints", "a:1,b:2", "--endpoints", "c:3"));
    assert_int_equal(c.n_endpoints, 1);
    assert_string_equal(c.endpoints[0], "c:3");
    config_free(&c);
    load_ok(&c, ARGS("--workdir", "x", "--workdir", "y"));
    assert_string_equal(c.workdir, "y");
    config_free(&c);
    load_ok(&c, ARGS("--alert-threshold", "info", "--alert-threshold=critical"));
    assert_int_equal(c.alert_level, LEVEL_CRITICAL);
    config_free(&c);
}

/* ---- every flag, bad values: one line naming the flag and the value ------- */

static void test_flags_bad(void **state)
{
    (void)state;
    static const struct { const char *args[4]; const char *want; } cases[] = {
        { { "--endpoints", "" }, "--endpoints: missing value" },
        { { "--notify-webhook", "ftp://h/secret" },
          "--notify-webhook: the value must be an http:// or https:// URL" },
        { { "--alertmanager", "http:///x" }, "--alertmanager: the value has no host" },
        { { "--silence", "MemberUnreachable" },
          "--silence: \"MemberUnreachable\" must be RULE[@MEMBER]:DURATION" },
        { { "--silence", "QuorumLost:soon" },
          "--silence: \"QuorumLost:soon\" has no valid duration after the colon (e.g. 30m)" },
        { { "--endpoints", "a:1,,b:2" }, "--endpoints: \"a:1,,b:2\" has an empty item" },
        { { "--endpoints=ftp://x:1" },
          "--endpoints: \"ftp://x:1\" is not a valid endpoint: unsupported scheme (use http:// or https://)" },
        { { "--endpoints", "a:1,b" },
          "--endpoints: \"a:1,b\" has a bad endpoint \"b\": no port (use host:port)" },
        { { "--interval", "0" }, "--interval: \"0\" is out of range (1 to 300 seconds)" },
        { { "--interval=301" }, "--interval: \"301\" is out of range (1 to 300 seconds)" },
        { { "--interval", "500ms" }, "--interval: \"500ms\" is out of range (1 to 300 seconds)" },
        { { "--interval", "abc" }, "--interval: \"abc\" is not a number of seconds" },
        { { "--interval", "999ms" }, "--interval: \"999ms\" is out of range (1 to 300 seconds)" },
        { { "--interval", "0.5" }, "--interval: \"0.5\" is out of range (1 to 300 seconds)" },
        { { "--interval", "300.001" },
          "--interval: \"300.001\" is out of range (1 to 300 seconds)" },
        { { "--interval", "1.5x" }, "--interval: \"1.5x\" is not a number of seconds" },
        { { "--interval", "-1" }, "--interval: \"-1\" is not a number of seconds" },
        { { "--interval", "99999999999999999999" },
          "--interval: \"99999999999999999999\" is out of range (1 to 300 seconds)" },
        { { "--metrics-interval", "0s" }, "--metrics-interval: \"0s\" is out of range (1s to 300s)" },
        { { "--metrics-interval=5x" }, "--metrics-interval: \"5x\" is not a duration" },
        { { "--duration", "-1" }, "--duration: \"-1\" is not a duration" },
        { { "--duration", "43201" }, "--duration: \"43201\" is out of range (0 to 30 days)" },
        { { "--duration=721h" }, "--duration: \"721h\" is out of range (0 to 30 days)" },
        { { "--alert-threshold", "debug" },
          "--alert-threshold: \"debug\" is not an alert level (critical, warning or info)" },
        { { "--dial-timeout", "50ms" }, "--dial-timeout: \"50ms\" is out of range (100ms to 60s)" },
        { { "--dial-timeout=61" }, "--dial-timeout: \"61\" is out of range (100ms to 60s)" },
        { { "--health-check-interval", "25h" },
          "--health-check-interval: \"25h\" is out of range (1s to 24h)" },
        { { "--health-check-interval", "soon" },
          "--health-check-interval: \"soon\" is not a duration" },
        { { "--max-body-size", "1K" }, "--max-body-size: \"1K\" is out of range (4K to 1G)" },
        { { "--max-body-size", "2G" }, "--max-body-size: \"2G\" is out of range (4K to 1G)" },
        { { "--max-body-size", "1.5M" }, "--max-body-size: \"1.5M\" is not a size (e.g. 16M)" },
        { { "--max-body-size=12X" }, "--max-body-size: \"12X\" is not a size (e.g. 16M)" },
        { { "--max-latency-ms", "0" }, "--max-latency-ms: \"0\" is out of range (greater than 0)" },
        { { "--max-latency-ms", "-5" }, "--max-latency-ms: \"-5\" is not a number" },
        { { "--max-latency-ms", "inf" }, "--max-latency-ms: \"inf\" is not a number" },
        { { "--max-latency-ms", "1." }, "--max-latency-ms: \"1.\" is not a number" },
        { { "--max-latency-ms", "1e3" }, "--max-latency-ms: \"1e3\" is not a number" },
        { { "--max-db-size-mb", "0" }, "--max-db-size-mb: \"0\" is out of range (greater than 0)" },
        { { "--max-db-size-mb=lots" }, "--max-db-size-mb: \"lots\" is not a number" },
        { { "--windows", "1m,5m,15m,1h,4h" },
          "--windows: \"1m,5m,15m,1h,4h\" has more than 4 windows" },
        { { "--windows", "5m,1m" }, "--windows: \"5m,1m\" is not in increasing order" },
        { { "--windows", "1m,1m" }, "--windows: \"1m,1m\" is not in increasing order" },
        { { "--windows", "1m,,5m" }, "--windows: \"1m,,5m\" has an empty item" },
        { { "--windows", "1m,5x" }, "--windows: \"1m,5x\" has \"5x\", which is not a duration" },
        { { "--windows", "5s" }, "--windows: \"5s\" is out of range (10s to 4h)" },
        { { "--windows", "1m,5h" }, "--windows: \"1m,5h\" has \"5h\", out of range (10s to 4h)" },
        { { "--windows=soon" }, "--windows: \"soon\" is not a duration" },
        { { "--windows", " " }, "--windows: \" \" is empty" },
        { { "--no-leader-timeout", "0" },
          "--no-leader-timeout: \"0\" is out of range (1s to 1h)" },
        { { "--no-leader-timeout=61m" },
          "--no-leader-timeout: \"61m\" is out of range (1s to 1h)" },
        { { "--no-leader-timeout", "never" },
          "--no-leader-timeout: \"never\" is not a duration" },
        { { "--config", "tests/data/no-such-file.yaml" },
          "--config: \"tests/data/no-such-file.yaml\" cannot be read: No such file or directory" },
        { { "--config", "tests/data" }, "--config: \"tests/data\" cannot be read: Is a directory" },
        { { "--workdir" }, "--workdir: missing value" },
        { { "--workdir=" }, "--workdir: missing value" },
        { { "--headless=yes" },
          "--headless: \"yes\" is not accepted (the option takes no value)" },
        { { "--no-discover=false" },
          "--no-discover: \"false\" is not accepted (the option takes no value)" },
        { { "--probe-write=1" },
          "--probe-write: \"1\" is not accepted (the option takes no value)" },
        { { "--metrics-gzip=yes" },
          "--metrics-gzip: \"yes\" is not accepted (the option takes no value)" },
        { { "--probe-prefix", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/" },
          "--probe-prefix: \"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"... "
          "must be 1 to 128 bytes" },
        { { "--probe-prefix", "/a b/" },
          "--probe-prefix: \"/a b/\" must be printable with no spaces" },
        { { "--theme" }, "--theme: missing value" },
        { { "--write-out", "yaml" },
          "--write-out: \"yaml\" is not an output format (table or json)" },
        { { "-w" }, "--write-out: missing value" },
        { { "--cacert", "/nonexistent/ca.pem" },
          "--cacert: \"/nonexistent/ca.pem\" cannot be read: No such file or directory" },
        { { "--cert", "/nonexistent/c.pem" },
          "--cert: \"/nonexistent/c.pem\" cannot be read: No such file or directory" },
        { { "--key", "/nonexistent/k.pem" },
          "--key: \"/nonexistent/k.pem\" cannot be read: No such file or directory" },
        { { "--insecure-skip-tls-verify=1" },
          "--insecure-skip-tls-verify: \"1\" is not accepted (the option takes no value)" },
        { { "--insecure-skip-verify=1" },
          "--insecure-skip-verify: \"1\" is not accepted (the option takes no value)" },
        { { "--insecure-transport=1" },
          "--insecure-transport: \"1\" is not accepted (the option takes no value)" },
        { { "--metrics-endpoints", "a:1,,b:2" }, "--metrics-endpoints: \"a:1,,b:2\" has an empty item" },
        { { "--prometheus", "ftp://x" },
          "--prometheus: \"ftp://x\" must be an http:// or https:// URL of at most 400 bytes" },
        { { "--prometheus-selector", "{job=etcd}" },
          "--prometheus-selector: \"{job=etcd}\" expected a quoted value at character 6" },
        { { "--user", ":pw" }, "--user: the value has an empty user name" },
        { { "--password" }, "--password: missing value" },
        { { "--password-file", "/nonexistent/pw" },
          "--password-file: \"/nonexistent/pw\" cannot be read: No such file or directory" },
        { { "--ssh", "root@" }, "--ssh: \"root@\" has no host" },
        { { "--ssh", "bastion:99999" }, "--ssh: \"bastion:99999\" has a bad port (1 to 65535)" },
        { { "--ssh-key", "/nonexistent/id" },
          "--ssh-key: \"/nonexistent/id\" cannot be read: No such file or directory" },
        { { "--ssh-known-hosts" }, "--ssh-known-hosts: missing value" },
        { { "--ssh-accept-new=1" },
          "--ssh-accept-new: \"1\" is not accepted (the option takes no value)" },
        { { "--log-source=1" }, "--log-source: \"1\" is not accepted (the option takes no value)" },
        { { "--log-command" }, "--log-command: missing value" },
        { { "--log-file" }, "--log-file: missing value" },
        { { "--data-dir" }, "--data-dir: missing value" },
        { { "--api-port", "65536" },
          "--api-port: \"65536\" is not a port (1 to 65535, or 0: any free port)" },
        { { "--api-host", "a b" }, "--api-host: \"a b\" is not a host name or address" },
        { { "--api-token-file", "/nonexistent/t" },
          "--api-token-file: \"/nonexistent/t\" cannot be read: No such file or directory" },
        { { "--api-allow-writes=1" },
          "--api-allow-writes: \"1\" is not accepted (the option takes no value)" },
        { { "--api-cert", "/nonexistent/c" },
          "--api-cert: \"/nonexistent/c\" cannot be read: No such file or directory" },
        { { "--api-key", "/nonexistent/k" },
          "--api-key: \"/nonexistent/k\" cannot be read: No such file or directory" },
        { { "--api-timeout", "0" }, "--api-timeout: \"0\" is out of range (1s to 5m)" },
        { { "--api-max-connections", "5" },
          "--api-max-connections: \"5\" is out of range (16 to 60000)" },
        { { "--version=2" }, "--version: \"2\" is not accepted (the option takes no value)" },
        { { "--use-proxy-env=1" },
          "--use-proxy-env: \"1\" is not accepted (the option takes no value)" },
        { { "--help=me" }, "--help: \"me\" is not accepted (the option takes no value)" },
        { { "--yes=1" }, "--yes: \"1\" is not accepted (the option takes no value)" },
        { { "--type", "delete" },
          "--type: \"delete\" is not a benchmark type (write, read or mixed)" },
        { { "--ops", "0" }, "--ops: \"0\" is out of range (1 to 100000000)" },
        { { "--run-benchmark=1" },
          "--run-benchmark: \"1\" is not accepted (the option takes no value)" },
        { { "--benchmark-type", "x" },
          "--benchmark-type: \"x\" is not a benchmark type (write, read or mixed)" },
        { { "--benchmark-ops", "1e3" }, "--benchmark-ops: \"1e3\" is not a whole number" },
        { { "--backup-dir", "" }, "--backup-dir: missing value" },
        { { "--backup-interval", "0" },
          "--backup-interval: \"0\" is out of range (1s to 30 days)" },
        { { "--backup-keep", "0" }, "--backup-keep: \"0\" is out of range (1 to 1000)" },
        { { "--clients", "1001" }, "--clients: \"1001\" is out of range (1 to 1000)" },
        { { "--conns", "many" }, "--conns: \"many\" is not a whole number" },
        { { "--key-size", "2k" }, "--key-size: \"2k\" is out of range (1 to 1K)" },
        { { "--value-size", "2m" }, "--value-size: \"2m\" is out of range (0 to 1M)" },
        { { "--key-space", "0" }, "--key-space: \"0\" is out of range (1 to 100000000)" },
        { { "--read-ratio", "1.5" }, "--read-ratio: \"1.5\" is out of range (0 to 1)" },
        { { "--keep=no" }, "--keep: \"no\" is not accepted (the option takes no value)" },
        { { "--directory" }, "--directory: missing value" },
        { { "--check=no" }, "--check: \"no\" is not accepted (the option takes no value)" },
        { { "--dump-at" }, "--dump-at: missing value" },
        { { "--rate", "-5" }, "--rate: \"-5\" is not a number" },
        { { "--size", "1k" }, "--size: \"1k\" is out of range (4K to 64G)" },
        { { "--size", "big" }, "--size: \"big\" is not a size (e.g. 22m)" },
        { { "--block-size", "0" }, "--block-size: \"0\" is out of range (1 to 64M)" },
        { { "--prefix=1" }, "--prefix: \"1\" is not accepted (the option takes no value)" },
        { { "--limit" }, "--limit: missing value" },
        { { "--revision" }, "--revision: missing value" },
        { { "--retain" }, "--retain: missing value" },
        { { "--physical=1" }, "--physical: \"1\" is not accepted (the option takes no value)" },
        { { "--cluster=1" }, "--cluster: \"1\" is not accepted (the option takes no value)" },
        { { "--force=1" }, "--force: \"1\" is not accepted (the option takes no value)" },
        { { "--dry-run=1" }, "--dry-run: \"1\" is not accepted (the option takes no value)" },
        { { "--intervall", "5" }, "unknown option --intervall (see --help)" },
        { { "--intervall=5" }, "unknown option --intervall (see --help)" },
        { { "-x" }, "unknown option -x (see --help)" },
        { { "-interval" }, "unknown option -interval (see --help)" },
        { { "extra" }, "unexpected argument \"extra\" (see --help)" },
        { { "--", "extra" }, "unexpected argument \"extra\" (see --help)" },
        { { "--interval", "--headless" }, "--interval: missing value" },
        { { "--interval", "5\n6" }, "--interval: \"5\\x0a6\" is not a number of seconds" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        load_err(cases[i].args, cases[i].want);
}

/* Every flag of the table appears in at least one bad case above. */
static void test_flags_bad_cover_table(void **state)
{
    (void)state;
    size_t n;
    const option_t *tab = config_options(&n);
    static const char *const covered[] = {
        "endpoints", "interval", "metrics-interval", "duration", "alert-threshold",
        "dial-timeout", "health-check-interval", "max-body-size", "max-latency-ms",
        "max-db-size-mb", "windows", "no-leader-timeout", "config", "workdir", "headless",
        "no-discover", "probe-write", "probe-prefix", "metrics-gzip", "theme", "cacert", "cert", "key",
        "insecure-skip-tls-verify", "insecure-skip-verify", "insecure-transport",
        "use-proxy-env", "metrics-endpoints", "user", "password", "password-file", "ssh", "ssh-key",
        "prometheus", "prometheus-selector",
        "ssh-known-hosts", "ssh-accept-new", "log-source", "log-command", "log-file",
        "data-dir", "write-out", "version", "help", "notify-webhook", "alertmanager", "silence",
        "api-port", "api-host", "api-token-file", "api-allow-writes", "api-cert", "api-key",
        "api-timeout", "api-max-connections",
        "yes", "type", "ops", "run-benchmark", "benchmark-type", "benchmark-ops", "clients",
        "conns", "key-size", "value-size", "key-space", "rate", "read-ratio", "keep",
        "directory", "size", "block-size", "check", "dump-at", "prefix", "limit", "revision", "retain",
        "physical", "cluster", "force", "dry-run", "backup-dir", "backup-interval", "backup-keep",
    };
    size_t flags = 0;
    for (size_t k = 0; k < n; k++) {
        if (!tab[k].flag)
            continue;
        bool found = false;
        for (size_t j = 0; j < sizeof covered / sizeof covered[0]; j++)
            found = found || strcmp(covered[j], tab[k].flag) == 0;
        if (!found)
            fail_msg("flag --%s has no bad-value test", tab[k].flag);
        flags++;
    }
    assert_int_equal(flags, sizeof covered / sizeof covered[0]);
}

/* ---- --help and --version ------------------------------------------------ */

/* Run config_load with stdout captured; returns the output (malloc'ed). */
static char *capture(const char *const *args, config_result_t *r)
{
    config_t cfg;
    char err[256] = "";
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stdout);
    int saved = dup(1);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), 1) >= 0);
    *r = load_args(&cfg, err, sizeof err, args);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    if (*r == CONFIG_OK)
        config_free(&cfg);
    long len = ftell(tmp);
    assert_true(len >= 0);
    char *out = calloc(1, (size_t)len + 1);
    assert_non_null(out);
    rewind(tmp);
    assert_int_equal(fread(out, 1, (size_t)len, tmp), (size_t)len);
    fclose(tmp);
    return out;
}

static void test_help_version(void **state)
{
    (void)state;
    config_result_t r;
    char *out = capture(ARGS("--version"), &r);
    assert_int_equal(r, CONFIG_EXIT);
    assert_string_equal(out, "etcd-monitor " EM_VERSION "\n");
    assert_string_equal(EM_VERSION, "0.1.0");
    free(out);

    /* --help: the caller prints the command's help (command.c). */
    out = capture(ARGS("--help"), &r);
    assert_int_equal(r, CONFIG_HELP);
    assert_string_equal(out, "");
    free(out);

    out = capture(ARGS("-h"), &r);
    assert_int_equal(r, CONFIG_HELP);
    free(out);

    /* --help works even when the config file, environment or a value is bad. */
    setenv("METRICS_INTERVAL", "bogus", 1);
    out = capture(ARGS("--config", "tests/data/config-unknown-key.yaml", "--interval", "0",
                       "--help"), &r);
    assert_int_equal(r, CONFIG_HELP);
    free(out);
    unsetenv("METRICS_INTERVAL");

    /* ...but a syntax error before it is reported. */
    out = capture(ARGS("--bogus", "--help"), &r);
    assert_int_equal(r, CONFIG_ERROR);
    assert_string_equal(out, "");
    free(out);
}

/* Usage lists every flag in table order, with env and file keys, in 79 columns. */
static void test_usage(void **state)
{
    (void)state;
    size_t n, len = 0;
    const option_t *tab = config_options(&n);
    FILE *f = tmpfile();
    assert_non_null(f);
    config_usage(f, CMD_ALL);
    long sz = ftell(f);
    char *out = calloc(1, (size_t)sz + 1);
    assert_non_null(out);
    rewind(f);
    assert_int_equal(fread(out, 1, (size_t)sz, f), (size_t)sz);
    fclose(f);

    const char *pos = out;
    for (size_t k = 0; k < n; k++) {
        char want[96];
        if (tab[k].flag)
            snprintf(want, sizeof want, "--%s%s", tab[k].flag, tab[k].kind == OPT_VALUE ? " " : "");
        else
            snprintf(want, sizeof want, "%s", tab[k].key);
        const char *at = strstr(pos, want);
        if (!at)
            fail_msg("usage: %s missing or out of table order", want);
        pos = at + strlen(want);
    }
    for (const char *p = out; *p; p++) {
        len = *p == '\n' ? 0 : len + 1;
        assert_true(len <= 79);
    }
    assert_non_null(strstr(out, "ENDPOINTS"));
    assert_non_null(strstr(out, "ETCDCTL_ENDPOINTS"));
    assert_non_null(strstr(out, "METRICS_INTERVAL"));
    assert_non_null(strstr(out, "HEALTH_CHECK_INTERVAL"));
    assert_non_null(strstr(out, "Precedence: flags > environment > config file > defaults"));
    free(out);
}

/* config_usage(cmds) as a malloc'ed string, after a '\n' (every line of it
 * then starts after one). */
static char *usage_for(unsigned cmds)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    config_usage(f, cmds);
    long sz = ftell(f);
    char *out = calloc(1, (size_t)sz + 2);
    assert_non_null(out);
    rewind(f);
    out[0] = '\n';
    assert_int_equal(fread(out + 1, 1, (size_t)sz, f), (size_t)sz);
    fclose(f);
    return out;
}

/* Each command's usage lists exactly the flags whose cmds include it. */
static void test_usage_by_command(void **state)
{
    (void)state;
    static const unsigned cmd[] = { CMD_MONITOR, CMD_STATUS, CMD_SERVE };
    size_t n;
    const option_t *tab = config_options(&n);
    for (size_t c = 0; c < sizeof cmd / sizeof cmd[0]; c++) {
        char *out = usage_for(cmd[c]);
        for (size_t k = 0; k < n; k++) {
            char want[96];
            if (!tab[k].flag)
                continue;
            /* An item starts a line: "  --flag" or "  -c, --flag". */
            if (tab[k].short_name)
                snprintf(want, sizeof want, "\n  -%c, --%s", tab[k].short_name, tab[k].flag);
            else
                snprintf(want, sizeof want, "\n  --%s", tab[k].flag);
            bool listed = false;
            for (const char *p = out; (p = strstr(p, want)); p++)
                listed = listed || p[strlen(want)] == ' ' || p[strlen(want)] == '\n';
            if (listed != ((tab[k].cmds & cmd[c]) != 0))
                fail_msg("usage for %#x: --%s %s", cmd[c], tab[k].flag,
                         listed ? "listed but does not apply" : "applies but is missing");
        }
        free(out);
    }
    char *out = usage_for(CMD_STATUS);
    assert_null(strstr(out, "--theme"));
    assert_null(strstr(out, "--headless"));
    assert_non_null(strstr(out, "-w, --write-out FORMAT"));
    assert_non_null(strstr(out, "--endpoints LIST"));
    free(out);
    out = usage_for(CMD_MONITOR);
    assert_null(strstr(out, "--write-out"));
    assert_non_null(strstr(out, "--theme NAME|FILE"));
    free(out);
}

/* Every flag applies to at least one command; the connection, TLS, auth and
 * SSH flags to all of them; the dashboard and workspace ones to monitor only. */
static void test_option_commands(void **state)
{
    (void)state;
    size_t n;
    const option_t *tab = config_options(&n);
    static const char *const everywhere[] = {
        "endpoints", "dial-timeout", "max-body-size", "config", "no-discover", "cacert", "cert",
        "key", "insecure-skip-tls-verify", "insecure-transport", "metrics-endpoints", "user",
        "password", "password-file", "ssh", "ssh-key", "ssh-known-hosts", "ssh-accept-new",
        "alert-threshold", "version", "help",
    };
    static const char *const monitor_only[] = { "duration", "headless", "theme" };
    /* monitor and its daemon form, serve */
    static const char *const watch[] = {
        "interval", "metrics-interval", "health-check-interval", "windows",
        "no-leader-timeout", "workdir", "log-source", "log-command", "log-file",
        "data-dir", "probe-write", "probe-prefix", "metrics-gzip", "api-port", "api-host", "api-token-file",
        "api-allow-writes", "api-cert", "api-key", "api-timeout", "api-max-connections",
        "backup-dir", "backup-interval", "backup-keep",
    };
    for (size_t k = 0; k < n; k++) {
        assert_true(tab[k].cmds != 0);
        assert_int_equal(tab[k].cmds & ~CMD_ALL, 0);
        if (!tab[k].flag)
            assert_int_equal(tab[k].cmds, CMD_ALL);   /* the file is shared */
        for (size_t i = 0; tab[k].flag && i < sizeof everywhere / sizeof everywhere[0]; i++)
            if (strcmp(tab[k].flag, everywhere[i]) == 0 && tab[k].cmds != CMD_ALL)
                fail_msg("--%s should apply to every command", tab[k].flag);
        for (size_t i = 0; tab[k].flag && i < sizeof monitor_only / sizeof monitor_only[0]; i++)
            if (strcmp(tab[k].flag, monitor_only[i]) == 0 &&
                (tab[k].cmds & ~(unsigned)CMD_REPLAY) != CMD_MONITOR)   /* theme: replay too */
                fail_msg("--%s should apply to monitor only", tab[k].flag);
        for (size_t i = 0; tab[k].flag && i < sizeof watch / sizeof watch[0]; i++)
            if (strcmp(tab[k].flag, watch[i]) == 0 && tab[k].cmds != CMD_WATCH)
                fail_msg("--%s should apply to monitor and serve", tab[k].flag);
        if (tab[k].flag && strcmp(tab[k].flag, "write-out") == 0)
            assert_int_equal(tab[k].cmds, CMD_STATUS | CMD_OPS);
    }
}

/* Load argv (argv[0] = the command name) for the command name/mask. */
static config_result_t load_for(config_t *cfg, const char *name, unsigned mask, char *err,
                                size_t errlen, const char *const *args)
{
    char *argv[16];
    int argc = 0;
    const config_cmd_t cmd = { name, mask };
    argv[argc++] = (char *)name;
    for (; *args && argc < 15; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return config_load(cfg, &cmd, argc, argv, err, errlen);
}

/* Commands with arguments (CMD_WITH_ARGS) keep them in order, flags
 * anywhere; "--" makes the rest arguments; other commands refuse them. */
static void test_positional_args(void **state)
{
    (void)state;
    config_t cfg;
    char err[256];
    static const char *const a1[] = { "status", "--endpoints", "a:1", "f.db", "-w", "json",
                                      NULL };
    assert_int_equal(load_for(&cfg, "snapshot", CMD_SNAPSHOT, err, sizeof err, a1), CONFIG_OK);
    assert_int_equal(cfg.n_args, 2);
    assert_string_equal(cfg.args[0], "status");
    assert_string_equal(cfg.args[1], "f.db");
    assert_int_equal(cfg.write_out, WRITE_JSON);
    config_free(&cfg);
    static const char *const a2[] = { "save", "--", "-w", "--x", NULL };
    assert_int_equal(load_for(&cfg, "snapshot", CMD_SNAPSHOT, err, sizeof err, a2), CONFIG_OK);
    assert_int_equal(cfg.n_args, 3);
    assert_string_equal(cfg.args[1], "-w");
    assert_string_equal(cfg.args[2], "--x");
    config_free(&cfg);
    static const char *const a3[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", NULL };
    assert_int_equal(load_for(&cfg, "snapshot", CMD_SNAPSHOT, err, sizeof err, a3), CONFIG_ERROR);
    assert_string_equal(err, "too many arguments (see etcd-monitor help snapshot)");
    static const char *const a4[] = { "x", NULL };
    assert_int_equal(load_for(&cfg, "status", CMD_STATUS, err, sizeof err, a4), CONFIG_ERROR);
    assert_string_equal(err, "unexpected argument \"x\" (see --help)");
}

/* A flag that does not apply to the command is refused in one line. */
static void test_command_mask(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        unsigned mask;
        const char *args[4];
        const char *want;
    } bad[] = {
        { "status", CMD_STATUS, { "--theme", "mono" },
          "--theme does not apply to `status` (see etcd-monitor help status)" },
        { "status", CMD_STATUS, { "--theme=mono" },
          "--theme does not apply to `status` (see etcd-monitor help status)" },
        { "status", CMD_STATUS, { "--endpoints", "a:1", "--headless" },
          "--headless does not apply to `status` (see etcd-monitor help status)" },
        { "status", CMD_STATUS, { "--duration", "bogus" },
          "--duration does not apply to `status` (see etcd-monitor help status)" },
        { "monitor", CMD_MONITOR, { "-w", "json" },
          "-w does not apply to `monitor` (see etcd-monitor help monitor)" },
        { "monitor", CMD_MONITOR, { "--write-out=json" },
          "--write-out does not apply to `monitor` (see etcd-monitor help monitor)" },
        { "status", CMD_STATUS, { "--bogus" }, "unknown option --bogus (see --help)" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        config_t c;
        char err[512] = "";
        config_result_t r = load_for(&c, bad[i].name, bad[i].mask, err, sizeof err, bad[i].args);
        if (r != CONFIG_ERROR)
            fail_msg("case %zu: expected an error, got %d", i, (int)r);
        assert_string_equal(err, bad[i].want);
        config_free(&c);
    }

    config_t c;
    char err[512] = "";
    assert_int_equal(load_for(&c, "status", CMD_STATUS, err, sizeof err,
                              ARGS("--endpoints", "a:1", "-w", "json", "--user", "u:p")),
                     CONFIG_OK);
    assert_int_equal(c.write_out, WRITE_JSON);
    assert_string_equal(c.user, "u");
    config_free(&c);
    assert_int_equal(load_for(&c, "status", CMD_STATUS, err, sizeof err, ARGS("--help")),
                     CONFIG_HELP);
    assert_int_equal(load_for(&c, "monitor", CMD_MONITOR, err, sizeof err,
                              ARGS("--theme", "mono", "--headless")), CONFIG_OK);
    config_free(&c);
    /* A config file is shared by the commands: its monitor-only keys are fine. */
    char *path = write_temp("theme: mono\nworkdir: /tmp/x\ninterval: 2\n");
    assert_int_equal(load_for(&c, "status", CMD_STATUS, err, sizeof err,
                              ARGS("--config", path)), CONFIG_OK);
    assert_string_equal(c.theme, "mono");
    config_free(&c);
    unlink(path);
    free(path);
}

/* ---- precedence: flags > environment > config file > defaults ------------ */

static void test_precedence(void **state)
{
    (void)state;
    config_t c;
    char *path = write_temp("endpoints: [file-host:2379]\n"
                            "interval: 20\n"
                            "health_check_interval: 40s\n");

    load_ok(&c, ARGS("--config", path));                      /* file > defaults */
    assert_int_equal(c.n_endpoints, 1);
    assert_string_equal(c.endpoints[0], "file-host:2379");
    assert_int_equal(c.interval_ms, 20000);
    assert_int_equal(c.health_check_interval_ms, 40000);
    assert_int_equal(c.dial_timeout_ms, 5000);                /* not in the file */
    config_free(&c);

    setenv("ETCDCTL_ENDPOINTS", "etcdctl-host:2379", 1);       /* env > file */
    setenv("METRICS_INTERVAL", "30", 1);
    load_ok(&c, ARGS("--config", path));
    assert_string_equal(c.endpoints[0], "etcdctl-host:2379");
    assert_int_equal(c.interval_ms, 30000);
    assert_int_equal(c.health_check_interval_ms, 40000);
    config_free(&c);

    setenv("ENDPOINTS", "env-a:2379,env-b:2379", 1);          /* ENDPOINTS > ETCDCTL_ */
    setenv("HEALTH_CHECK_INTERVAL", "2m", 1);
    load_ok(&c, ARGS("--config", path));
    assert_int_equal(c.n_endpoints, 2);
    assert_string_equal(c.endpoints[0], "env-a:2379");
    assert_string_equal(c.endpoints[1], "env-b:2379");
    assert_int_equal(c.health_check_interval_ms, 120000);
    config_free(&c);

    load_ok(&c, ARGS("--endpoints", "flag-host:2379", "--config", path, "--interval", "40"));
    assert_int_equal(c.n_endpoints, 1);                       /* flags > env */
    assert_string_equal(c.endpoints[0], "flag-host:2379");
    assert_int_equal(c.interval_ms, 40000);
    assert_int_equal(c.health_check_interval_ms, 120000);
    config_free(&c);

    load_ok(&c, ARGS("--metrics-interval", "4s"));             /* env > defaults, no file */
    assert_string_equal(c.endpoints[0], "env-a:2379");
    assert_int_equal(c.interval_ms, 4000);
    config_free(&c);

    setenv("ENDPOINTS", "", 1);                                /* empty = unset */
    load_ok(&c, (const char *const[]){ NULL });
    assert_string_equal(c.endpoints[0], "etcdctl-host:2379");
    config_free(&c);

    clear_env(NULL);
    unlink(path);
    free(path);
}

static void test_env_bad(void **state)
{
    (void)state;
    setenv("METRICS_INTERVAL", "abc", 1);
    load_err((const char *const[]){ NULL }, "METRICS_INTERVAL: \"abc\" is not a duration");
    /* A good flag does not hide a bad environment value. */
    load_err(ARGS("--interval", "5"), "METRICS_INTERVAL: \"abc\" is not a duration");
    clear_env(NULL);

    setenv("HEALTH_CHECK_INTERVAL", "0", 1);
    load_err((const char *const[]){ NULL },
             "HEALTH_CHECK_INTERVAL: \"0\" is out of range (1s to 24h)");
    clear_env(NULL);

    setenv("ENDPOINTS", "ftp://x:1", 1);
    load_err((const char *const[]){ NULL },
             "ENDPOINTS: \"ftp://x:1\" is not a valid endpoint: unsupported scheme (use http:// or https://)");
    clear_env(NULL);

    setenv("ETCDCTL_ENDPOINTS", "a:1,", 1);
    load_err((const char *const[]){ NULL }, "ETCDCTL_ENDPOINTS: \"a:1,\" has an empty item");
    clear_env(NULL);
}

/* ---- the config file ----------------------------------------------------- */

/* The seed's config.yaml unchanged: everything in it is understood, and its
 * placeholder TLS paths get a clear error naming the file, line and key. */
static void test_seed_config(void **state)
{
    (void)state;
    load_err(ARGS("--config", "tests/data/config-seed.yaml"),
             "tests/data/config-seed.yaml:11: tls.cert_file: \"/path/to/cert.pem\" cannot be "
             "read: No such file or directory");

    /* The same file with readable TLS files in place of the placeholders. */
    char *text = test_slurp("tests/data/config-seed.yaml", NULL);
    char *p;
    while ((p = strstr(text, "/path/to/")))
        memcpy(p, "/dev/null", 9), memmove(p + 9, strchr(p, '\n'), strlen(strchr(p, '\n')) + 1);
    char *path = write_temp(text);
    config_t c;
    load_ok(&c, ARGS("--config", path));
    assert_int_equal(c.n_endpoints, 3);
    assert_string_equal(c.endpoints[0], "localhost:2379");
    assert_string_equal(c.endpoints[1], "localhost:22379");
    assert_string_equal(c.endpoints[2], "localhost:32379");
    assert_int_equal(c.dial_timeout_ms, 5000);
    assert_int_equal(c.health_check_interval_ms, 30000);
    assert_int_equal(c.interval_ms, 10000);
    assert_int_equal(c.duration_ms, 0);
    assert_true(c.thresholds.max_latency_ms == 100);
    assert_true(c.thresholds.max_database_size_mb == 8192);
    assert_int_equal(c.thresholds.min_available_nodes, 2);
    assert_true(c.thresholds.max_leader_changes_per_hour == 3);
    assert_true(c.thresholds.max_error_rate == 0.05);
    assert_true(c.thresholds.min_disk_space_percent == 10.0);
    assert_string_equal(c.cert_file, "/dev/null");
    assert_string_equal(c.key_file, "/dev/null");
    assert_string_equal(c.ca_file, "/dev/null");
    assert_false(c.insecure_skip_verify);
    /* every block is used now (benchmark: the scheduled benchmark) */
    assert_null(c.ignored_keys);
    assert_true(c.ops.bench_enabled);
    assert_int_equal(c.ops.bench_interval_ms, 3600000);
    assert_string_equal(c.api.host, "0.0.0.0");          /* seed 004's api: block as written */
    assert_true(c.api.on);
    assert_int_equal(c.api.port, 8080);
    assert_int_equal(c.alerts.n, 2);
    assert_int_equal(c.alerts.ch[0].type, CHAN_SLACK);
    assert_string_equal(c.alerts.ch[0].channel, "#etcd-alerts");
    assert_int_equal(c.alerts.ch[1].type, CHAN_EMAIL);
    assert_int_equal(c.alerts.ch[1].n_to, 2);
    assert_int_equal(c.alerts.ch[1].smtp_port, 587);
    config_free(&c);
    unlink(path);
    free(path);
    free(text);
}

/* Lay args out one after the other as the kernel does (in area, size cap),
 * argv pointing into it; returns the bytes used. */
static size_t lay_out(char *area, size_t cap, char **argv, const char *const *args)
{
    size_t used = 0;
    int i = 0;
    memset(area, 'Z', cap);
    for (; args[i]; i++) {
        size_t l = strlen(args[i]) + 1;
        assert_true(used + l <= cap);
        memcpy(area + used, args[i], l);
        argv[i] = area + used;
        used += l;
    }
    argv[i] = NULL;
    return used;
}

/* Bytes [0, len) of area hold secret s anywhere? */
static bool area_has(const char *area, size_t len, const char *s)
{
    size_t sl = strlen(s);
    for (size_t i = 0; i + sl <= len; i++)
        if (memcmp(area + i, s, sl) == 0)
            return true;
    return false;
}

/* config_scrub_argv: every secret shows as the same mask, whatever its length,
 * in argv and in the title area; its bytes are gone. */
static void scrub_check(void)
{
    char area[512], *argv[16];
    size_t len = lay_out(area, sizeof area, argv,
                         ARGS("etcd-monitor", "--user", "root:s3cretpassword",
                              "--password=hunter2hunter2", "--password", "pwpwpwpwpwpw",
                              "--user=bob:xyzxyzxyz", "--endpoints", "h:1", "--user", "nopw"));
    config_scrub_argv(11, argv);
    assert_string_equal(argv[0], "etcd-monitor");
    assert_string_equal(argv[1], "--user");
    assert_string_equal(argv[2], "root:********");
    assert_string_equal(argv[3], "--password=********");
    assert_string_equal(argv[4], "--password");
    assert_string_equal(argv[5], "********");
    assert_string_equal(argv[6], "--user=bob:********");
    assert_string_equal(argv[8], "h:1");
    assert_string_equal(argv[10], "nopw");
    for (int i = 0; i < 11; i++)          /* the title: argv points into the area */
        assert_true(argv[i] >= area && argv[i] < area + len);
    assert_false(area_has(area, len, "s3cret"));
    assert_false(area_has(area, len, "hunter2"));
    assert_false(area_has(area, len, "pwpw"));
    assert_false(area_has(area, len, "xyz"));
    assert_int_equal(area[len - 1], '\0');  /* the tail is zeroed, the area unchanged */
    assert_int_equal(area[len], 'Z');

    /* Secrets of 1 and 12 bytes read the same. */
    char *a1[5], *a2[5], b1[128], b2[128];
    lay_out(b1, sizeof b1, a1, ARGS("em", "--password", "abcdefghijkl", "--headless"));
    lay_out(b2, sizeof b2, a2, ARGS("em", "--password=x", "--endpoints", "h:1"));
    config_scrub_argv(4, a1);
    config_scrub_argv(4, a2);
    assert_string_equal(a1[2], "********");
    assert_string_equal(a1[3], "--headless");
    assert_string_equal(a2[1], "--password=********");
    /* A short secret leaves no room for the whole title: the arguments that do
     * not fit are dropped (empty), never shown in part. */
    assert_string_equal(a2[2], "");
    assert_string_equal(a2[3], "");
    assert_false(area_has(b2, 30, "--password=x"));

    /* Arguments not laid out together: each rewritten in its own storage. */
    char s0[] = "em", s1[] = "--password", s2[] = "0123456789", s3[] = "--user=u:ab";
    char *sv[] = { s0, s2, s1, s3, NULL };   /* out of memory order on purpose */
    char *tmp = sv[1]; sv[1] = sv[2]; sv[2] = tmp;
    config_scrub_argv(4, sv);
    assert_string_equal(sv[2], "********");
    assert_string_equal(s2, "********");
    assert_null(strstr(sv[3], "ab"));
    assert_null(memchr(s3, 'b', sizeof s3));
}

/* Secrets: --user NAME:PASSWORD splits, a bad value is never echoed, argv is
 * scrubbed, and a readable config file holding a password gets a warning. */
static void test_secrets(void **state)
{
    (void)state;
    config_t c;
    load_ok(&c, ARGS("--user", "root:s3cret"));
    assert_string_equal(c.user, "root");
    assert_string_equal(c.password, "s3cret");
    config_free(&c);
    load_err(ARGS("--user", ":s3cret"), "--user: the value has an empty user name");
    scrub_check();
    char *path = write_temp("auth:\n  user: root\n  password: s3cret\n");
    chmod(path, 0644);
    load_ok(&c, ARGS("--config", path));
    assert_non_null(c.warnings);
    assert_non_null(strstr(c.warnings, "holds a password and other users can read it"));
    assert_null(strstr(c.warnings, "s3cret"));
    config_free(&c);
    chmod(path, 0600);
    load_ok(&c, ARGS("--config", path));
    assert_null(c.warnings);
    config_free(&c);
    unlink(path);
    free(path);
}

static void test_full_config(void **state)
{
    (void)state;
    config_t c;
    load_ok(&c, ARGS("--config", "tests/data/config-full.yaml"));
    assert_int_equal(c.n_endpoints, 2);
    assert_string_equal(c.endpoints[0], "http://10.0.0.1:2379");
    assert_string_equal(c.endpoints[1], "https://10.0.0.2:2379/");
    assert_int_equal(c.interval_ms, 7000);
    assert_int_equal(c.duration_ms, 90 * 60000);
    assert_int_equal(c.alert_level, LEVEL_CRITICAL);
    assert_int_equal(c.dial_timeout_ms, 1500);
    assert_int_equal(c.health_check_interval_ms, 120000);
    assert_int_equal(c.max_body_bytes, 4u << 20);
    assert_string_equal(c.workdir, "/tmp/em-work");
    assert_true(c.no_discover);
    assert_false(c.headless);
    assert_true(c.thresholds.max_database_size_mb == 2048.5);
    assert_true(c.thresholds.max_latency_ms == 250);
    assert_int_equal(c.thresholds.min_available_nodes, 3);
    assert_true(c.thresholds.max_leader_changes_per_hour == 6);
    assert_true(c.thresholds.max_error_rate == 0.1);
    assert_true(c.thresholds.min_disk_space_percent == 20);
    assert_int_equal(c.n_windows, 4);
    assert_int_equal(c.window_ms[0], 30000);
    assert_int_equal(c.window_ms[1], 120000);
    assert_int_equal(c.window_ms[2], 600000);
    assert_int_equal(c.window_ms[3], 1800000);
    assert_int_equal(c.no_leader_timeout_ms, 45000);
    assert_int_equal(c.n_rule_overrides, 4);
    const config_rule_t *r = c.rule_overrides;
    assert_string_equal(r[0].rule, "EtcdNoLeader");
    assert_true(r[0].has_for && !r[0].has_threshold && !r[0].has_enabled);
    assert_int_equal(r[0].for_ms, 30000);
    assert_string_equal(r[1].rule, "SeedWalFsyncSlow");
    assert_true(!r[1].has_for && r[1].has_threshold && !r[1].has_enabled);
    assert_true(r[1].threshold == 40);
    assert_string_equal(r[2].rule, "EtcdSplitView");
    assert_true(!r[2].has_for && !r[2].has_threshold && r[2].has_enabled);
    assert_false(r[2].enabled);
    assert_string_equal(r[3].rule, "EtcdHighFsyncDurations");
    assert_true(r[3].has_for && r[3].has_threshold && r[3].has_enabled);
    assert_int_equal(r[3].for_ms, 300000);
    assert_true(r[3].threshold == 400);
    assert_true(r[3].enabled);
    assert_null(c.ignored_keys);                  /* every key used */
    config_free(&c);

    load_ok(&c, ARGS("--config", "tests/data/config-empty.yaml"));
    assert_int_equal(c.interval_ms, 5000);
    assert_null(c.ignored_keys);
    config_free(&c);
}

static void test_file_errors(void **state)
{
    (void)state;
    load_err(ARGS("--config", "tests/data/config-unknown-key.yaml"),
             "tests/data/config-unknown-key.yaml:4: unknown key \"intervall\"");
    load_err(ARGS("--config", "tests/data/config-bad-type.yaml"),
             "tests/data/config-bad-type.yaml:4: health_check_interval: "
             "expected a single value, found a mapping");
    load_err(ARGS("--config", "tests/data/config-bad-duration.yaml"),
             "tests/data/config-bad-duration.yaml:12: dial_timeout: \"abc\" is not a duration");
    load_err(ARGS("--config", "tests/data/config-bad-threshold.yaml"),
             "tests/data/config-bad-threshold.yaml:3: alert_thresholds.max_error_rate: "
             "\"lots\" is not a number");
    load_err(ARGS("--config", "tests/data/config-not-mapping.yaml"),
             "tests/data/config-not-mapping.yaml:1: the top level must be a mapping of keys, "
             "found a list");

    text_err("interval: 5\n\ninterval: 6\n", "F:3: duplicate key \"interval\"");
    text_err("alert_thresholds:\n  max_latency_ms: 1\n  max_latency: 2\n",
             "F:3: unknown key \"alert_thresholds.max_latency\"");
    text_err("alert_thresholds.max_latency_ms: 5\n",
             "F:1: unknown key \"alert_thresholds.max_latency_ms\"");
    text_err("alert_thresholds: 5\n", "F:1: alert_thresholds: expected a mapping, found a value");
    text_err("endpoints:\n  - a:1\n  - b:2\n  - ftp://c:3\n",
             "F:4: endpoints: \"ftp://c:3\" is not a valid endpoint: "
             "unsupported scheme (use http:// or https://)");
    text_err("endpoints:\n  - a:1\n  - [b:2]\n",
             "F:3: endpoints: expected an endpoint, found a list");
    text_err("endpoints: []\n", "F:1: endpoints: the list is empty");
    text_err("endpoints: \"a:1,,b:2\"\n", "F:1: endpoints: \"a:1,,b:2\" has an empty item");
    text_err("endpoints:\n  key: a:1\n", "F:2: endpoints: expected a list or a value, found a mapping");
    text_err("interval: [5]\n", "F:1: interval: expected a single value, found a list");
    text_err("interval: 0\n", "F:1: interval: \"0\" is out of range (1 to 300 seconds)");
    text_err("dial_timeout:\n", "F:1: dial_timeout: missing value");
    text_err("no_discover: maybe\n", "F:1: no_discover: \"maybe\" is not a boolean (true or false)");
    text_err("x: &a 5s\ndial_timeout: *a\n", "F:1: unknown key \"x\"");
    text_err("dial_timeout: *a\n", "F:1: dial_timeout: expected a single value, found an alias");
    text_err("interval: 5\n---\ninterval: 6\n", "F:2: only one YAML document is allowed");
    text_err("interval: 5\n\tdial_timeout: 5s\n",
             "F:2: found a tab character that violates indentation while scanning a plain scalar");
    text_err("interval: 5\nendpoints: \"a:1\n",
             "F:3: found unexpected end of stream while scanning a quoted scalar");
    text_err("endpoints: [a:1\n", "F:2: did not find expected ',' or ']' while parsing a flow sequence");
    text_err("duration: \"5\\0\"\n", "F:1: duration: the value contains a NUL byte");
    text_err("max_body_size: 16X\n", "F:1: max_body_size: \"16X\" is not a size (e.g. 16M)");
    text_err("? [a, b]\n: 1\n", "F:1: keys must be plain names, found a list");
    text_err("headless: true\n", "F:1: unknown key \"headless\"");
    text_err("config: other.yaml\n", "F:1: unknown key \"config\"");

    /* Accepted files: comments only, an empty document, null blocks, bools. */
    config_t c;
    char err[256] = "";
    assert_int_equal(load_text(&c, "# nothing here\n", err, sizeof err), CONFIG_OK);
    config_free(&c);
    assert_int_equal(load_text(&c, "---\n", err, sizeof err), CONFIG_OK);
    config_free(&c);
    assert_int_equal(load_text(&c, "tls:\napi: ~\nbenchmark: ~\nno_discover: no\n", err,
                               sizeof err), CONFIG_OK);
    assert_null(c.ignored_keys);                  /* tls, api, benchmark are used blocks now */
    assert_false(c.no_discover);
    config_free(&c);
    assert_int_equal(load_text(&c, "alert_thresholds:\n  max_error_rate: 1\n", err, sizeof err),
                     CONFIG_OK);
    assert_null(c.ignored_keys);                  /* used by ErrorRateHigh */
    assert_true(c.thresholds.max_error_rate == 1);
    config_free(&c);
}

/* "benchmark: [[...]]" with the value's lists nested `levels` deep (malloc'ed). */
static char *nested_lists(int levels)
{
    char *s = malloc((size_t)levels * 2 + 16);
    assert_non_null(s);
    char *p = s + sprintf(s, "benchmark: ");
    memset(p, '[', (size_t)levels);
    memset(p + levels, ']', (size_t)levels);
    strcpy(p + 2 * levels, "\n");
    return s;
}

/* Lists and mappings nest at most 64 deep (the top-level mapping is the first
 * level): deeper is one error line naming the file and the line, found at
 * once even for 80,000 levels (libyaml alone took seconds over those). */
static void test_file_nesting(void **state)
{
    (void)state;
    config_t c;
    char err[512] = "";
    /* 63 levels pass the depth check (benchmark: is a used block now, so the
     * value itself is refused for not being a mapping, not for its depth). */
    char *text = nested_lists(63);
    if (load_text(&c, text, err, sizeof err) == CONFIG_OK)
        config_free(&c);
    assert_null(strstr(err, "nested more than"));
    free(text);

    /* With no block accepted whole any more (benchmark: is used), a deep value
     * is refused at its first level: one line, at once. */
    text = nested_lists(64);
    text_err(text, "F:1: benchmark: expected a mapping, found a list");
    free(text);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    text = nested_lists(80000);
    text_err(text, "F:1: benchmark: expected a mapping, found a list");
    free(text);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (secs > 2.0)
        fail_msg("80,000 nested lists took %.1f s to reject", secs);

    /* Block style: the line of the mapping that goes one level too deep (k63:). */
    size_t cap = 80 * 70, used = 0;
    text = malloc(cap);
    assert_non_null(text);
    used += (size_t)snprintf(text, cap, "benchmark:\n");
    for (int i = 0; i < 70; i++)
        used += (size_t)snprintf(text + used, cap - used, "%*sk%d:\n", i + 1, "", i);
    assert_int_equal(load_text(&c, text, err, sizeof err), CONFIG_ERROR);
    assert_non_null(strstr(err, "F:2:"));
    free(text);

    /* The limit is per path, not a running total. */
    err[0] = '\0';
    if (load_text(&c, "benchmark: [[1], [2], {a: [3]}, {b: [[4]]}]\n", err, sizeof err) ==
        CONFIG_OK)
        config_free(&c);
    assert_null(strstr(err, "nested more than"));
}

/* The rules: block, windows as a YAML list and no_leader_timeout: good values
 * and one-line errors naming the file and line. */
static void test_file_rules(void **state)
{
    (void)state;
    config_t c;
    char err[512] = "";

    assert_int_equal(load_text(&c, "rules:\n  EtcdMembersDown: {for: 0}\n"
                                   "  ErrorRateHigh:\n    threshold: 2.5\n"
                                   "windows:\n  - 1m\n  - 1h\n"
                                   "no_leader_timeout: 2m\n", err, sizeof err), CONFIG_OK);
    assert_int_equal(c.n_rule_overrides, 2);
    assert_string_equal(c.rule_overrides[0].rule, "EtcdMembersDown");
    assert_true(c.rule_overrides[0].has_for);
    assert_int_equal(c.rule_overrides[0].for_ms, 0);
    assert_true(c.rule_overrides[1].threshold == 2.5);
    assert_int_equal(c.n_windows, 2);
    assert_int_equal(c.window_ms[0], 60000);
    assert_int_equal(c.window_ms[1], 3600000);
    assert_int_equal(c.no_leader_timeout_ms, 120000);
    assert_null(c.ignored_keys);
    config_free(&c);
    assert_int_equal(c.n_rule_overrides, 0);

    assert_int_equal(load_text(&c, "rules:\nwindows: \"1m, 2m\"\n", err, sizeof err), CONFIG_OK);
    assert_int_equal(c.n_rule_overrides, 0);
    assert_int_equal(c.n_windows, 2);
    config_free(&c);

    /* A flag still wins over the file. */
    char *path = write_temp("windows: [1m, 5m]\nno_leader_timeout: 2m\n");
    load_ok(&c, ARGS("--config", path, "--windows", "15m", "--no-leader-timeout", "10s"));
    assert_int_equal(c.n_windows, 1);
    assert_int_equal(c.window_ms[0], 900000);
    assert_int_equal(c.no_leader_timeout_ms, 10000);
    config_free(&c);
    unlink(path);
    free(path);

    load_err(ARGS("--config", "tests/data/config-unknown-rule.yaml"),
             "tests/data/config-unknown-rule.yaml:6: rules: unknown rule \"EtcdNoLeaders\" "
             "(see etcd-monitor(1), RULES)");
    text_err("rules:\n  EtcdNoLeader:\n    for: 1m\n    fr: 2m\n",
             "F:4: unknown key \"rules.EtcdNoLeader.fr\"");
    text_err("rules:\n  EtcdNoLeader:\n    for.x: 1m\n",
             "F:3: unknown key \"rules.EtcdNoLeader.for.x\"");
    text_err("rules:\n  EtcdNoLeader:\n    for: 1m\n  EtcdNoLeader:\n    for: 2m\n",
             "F:4: duplicate key \"rules.EtcdNoLeader\"");
    text_err("rules:\n  EtcdNoLeader:\n    for: 1m\n    for: 2m\n",
             "F:4: duplicate key \"rules.EtcdNoLeader.for\"");
    text_err("rules:\n  EtcdNoLeader:\n    for: soon\n",
             "F:3: rules.EtcdNoLeader.for: \"soon\" is not a duration");
    text_err("rules:\n  EtcdNoLeader:\n    for: 25h\n",
             "F:3: rules.EtcdNoLeader.for: \"25h\" is out of range (0 to 24h)");
    text_err("rules:\n  EtcdNoLeader:\n    threshold: -1\n",
             "F:3: rules.EtcdNoLeader.threshold: \"-1\" is not a number");
    text_err("rules:\n  EtcdNoLeader:\n    enabled: perhaps\n",
             "F:3: rules.EtcdNoLeader.enabled: \"perhaps\" is not a boolean (true or false)");
    text_err("rules:\n  EtcdNoLeader:\n    enabled: [no]\n",
             "F:3: rules.EtcdNoLeader.enabled: expected a single value, found a list");
    text_err("rules:\n  EtcdSplitView:\n    threshold: 2\n",
             "F:3: rules.EtcdSplitView.threshold: EtcdSplitView has no threshold to override");
    text_err("rules:\n  EtcdNoLeader: 30s\n",
             "F:2: rules.EtcdNoLeader: expected a mapping, found a value");
    text_err("rules: [EtcdNoLeader]\n", "F:1: rules: expected a mapping, found a list");
    text_err("rules:\n  [a]: 1\n", "F:2: keys must be plain names, found a list");
    text_err("rules: {}\nrules: {}\n", "F:2: duplicate key \"rules\"");
    text_err("rules.NAME.for: 5s\n", "F:1: unknown key \"rules.NAME.for\"");
    text_err("alert_thresholds:\n  rules: {}\n", "F:2: unknown key \"alert_thresholds.rules\"");

    text_err("windows:\n  - 1m\n  - 5x\n", "F:3: windows: \"5x\" is not a duration");
    text_err("windows:\n  - 1m\n  - [5m]\n", "F:3: windows: expected a single value, found a list");
    text_err("windows:\n  - 5m\n  - 1m\n",
             "F:2: windows: \"5m,1m\" is not in increasing order");
    text_err("windows: [1m, 2m, 3m, 4m, 5m]\n",
             "F:1: windows: \"1m,2m,3m,4m,5m\" has more than 4 windows");
    text_err("windows: []\n", "F:1: windows: the list is empty");
    text_err("no_leader_timeout: 0s\n", "F:1: no_leader_timeout: \"0s\" is out of range (1s to 1h)");
}

/* ---- the members: list --------------------------------------------------- */

static const char members_yaml[] =
    "members:\n"
    "  - endpoint: https://10.0.0.11:2379\n"
    "    metrics_endpoint: http://10.0.0.11:2381\n"
    "    ssh: core@10.0.0.11:22\n"
    "    log_command: crictl logs -f --tail 0 abc\n"
    "    data_dir: /var/lib/etcd\n"
    "  - endpoint: 10.0.0.12:2379\n"
    "    ssh:\n"
    "      host: core@10.0.0.12:22\n"
    "      key_file: /dev/null\n"
    "      known_hosts: /tmp/known_hosts\n"
    "      accept_new: false\n"
    "  - endpoint: \"[::1]:2379\"\n"
    "    metrics_endpoint: http://[::1]:2381\n";

/* A full members: list (string and mapping ssh); its endpoints are polled
 * when none are given, with their metrics URLs at the same positions. */
static void test_members_good(void **state)
{
    (void)state;
    config_t c;
    char err[512] = "";
    assert_int_equal(load_text(&c, members_yaml, err, sizeof err), CONFIG_OK);
    assert_int_equal(c.n_members, 3);
    const config_member_t *m = c.members;
    assert_string_equal(m[0].endpoint, "https://10.0.0.11:2379");
    assert_string_equal(m[0].metrics_endpoint, "http://10.0.0.11:2381");
    assert_string_equal(m[0].ssh_target, "core@10.0.0.11:22");
    assert_null(m[0].ssh_key);
    assert_null(m[0].ssh_known_hosts);
    assert_int_equal(m[0].ssh_accept_new, -1);
    assert_string_equal(m[0].log_command, "crictl logs -f --tail 0 abc");
    assert_string_equal(m[0].data_dir, "/var/lib/etcd");
    assert_string_equal(m[1].endpoint, "10.0.0.12:2379");
    assert_null(m[1].metrics_endpoint);
    assert_string_equal(m[1].ssh_target, "core@10.0.0.12:22");
    assert_string_equal(m[1].ssh_key, "/dev/null");
    assert_string_equal(m[1].ssh_known_hosts, "/tmp/known_hosts");
    assert_int_equal(m[1].ssh_accept_new, 0);
    assert_null(m[1].log_command);
    assert_null(m[1].data_dir);
    assert_string_equal(m[2].endpoint, "[::1]:2379");
    assert_null(m[2].ssh_target);

    assert_false(c.endpoints_given);
    assert_int_equal(c.n_endpoints, 3);
    assert_string_equal(c.endpoints[0], "https://10.0.0.11:2379");
    assert_string_equal(c.endpoints[1], "10.0.0.12:2379");
    assert_string_equal(c.endpoints[2], "[::1]:2379");
    assert_int_equal(c.n_metrics_endpoints, 3);
    assert_string_equal(c.metrics_endpoints[0], "http://10.0.0.11:2381");
    assert_null(c.metrics_endpoints[1]);               /* its client URL */
    assert_string_equal(c.metrics_endpoints[2], "http://[::1]:2381");
    assert_null(c.ignored_keys);
    config_free(&c);
    assert_int_equal(c.n_members, 0);

    /* null is no list; accept_new true; the default endpoint is not "given". */
    assert_int_equal(load_text(&c, "members: ~\n", err, sizeof err), CONFIG_OK);
    assert_int_equal(c.n_members, 0);
    assert_false(c.endpoints_given);
    assert_string_equal(c.endpoints[0], "127.0.0.1:2379");
    config_free(&c);
    assert_int_equal(load_text(&c, "members:\n  - endpoint: a:1\n"
                                   "    ssh: {host: h, accept_new: yes}\n", err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(c.members[0].ssh_accept_new, 1);
    assert_string_equal(c.members[0].ssh_target, "h");
    assert_int_equal(c.n_metrics_endpoints, 0);
    config_free(&c);
}

/* Given endpoints (flag, environment or the file's endpoints) keep priority;
 * the members: entries still attach to them by host:port. */
static void test_members_given_endpoints(void **state)
{
    (void)state;
    config_t c;
    char *path = write_temp(members_yaml);

    load_ok(&c, ARGS("--config", path, "--endpoints", "other:2379,http://10.0.0.11:2379/"));
    assert_true(c.endpoints_given);
    assert_int_equal(c.n_endpoints, 2);
    assert_string_equal(c.endpoints[0], "other:2379");
    assert_null(config_member_for(&c, c.endpoints[0]));
    assert_ptr_equal(config_member_for(&c, c.endpoints[1]), &c.members[0]);
    assert_int_equal(c.n_metrics_endpoints, 2);        /* filled at the right index */
    assert_null(c.metrics_endpoints[0]);
    assert_string_equal(c.metrics_endpoints[1], "http://10.0.0.11:2381");
    config_free(&c);

    /* --metrics-endpoints entries win; later positions still get the member's. */
    load_ok(&c, ARGS("--config", path, "--endpoints", "https://10.0.0.11:2379,b:1,[::1]:2379",
                     "--metrics-endpoints", "http://m:9"));
    assert_int_equal(c.n_metrics_endpoints, 3);
    assert_string_equal(c.metrics_endpoints[0], "http://m:9");
    assert_null(c.metrics_endpoints[1]);
    assert_string_equal(c.metrics_endpoints[2], "http://[::1]:2381");
    config_free(&c);

    setenv("ENDPOINTS", "10.0.0.12:2379", 1);
    load_ok(&c, ARGS("--config", path));
    assert_true(c.endpoints_given);
    assert_int_equal(c.n_endpoints, 1);
    assert_ptr_equal(config_member_for(&c, c.endpoints[0]), &c.members[1]);
    assert_int_equal(c.n_metrics_endpoints, 0);
    config_free(&c);
    clear_env(NULL);
    unlink(path);
    free(path);

    char err[512] = "";
    assert_int_equal(load_text(&c, "endpoints: [x:1]\nmembers:\n  - endpoint: y:1\n",
                               err, sizeof err), CONFIG_OK);
    assert_true(c.endpoints_given);
    assert_int_equal(c.n_endpoints, 1);
    assert_string_equal(c.endpoints[0], "x:1");
    config_free(&c);
    load_ok(&c, ARGS("--endpoints", "x:1"));
    assert_true(c.endpoints_given);
    config_free(&c);
}

/* config_member_for compares host:port whatever the URL's form. */
static void test_member_for(void **state)
{
    (void)state;
    config_t c;
    memset(&c, 0, sizeof c);
    c.members[0].endpoint = (char *)"10.0.0.1:2379";
    c.members[1].endpoint = (char *)"https://Etcd-B.example:2379/";
    c.members[2].endpoint = (char *)"[::1]:2379";
    c.members[3].endpoint = (char *)"http://web:80";
    c.members[4].endpoint = (char *)"tls:443";
    c.n_members = 5;
    static const struct { const char *url; int want; } cases[] = {
        { "10.0.0.1:2379", 0 },
        { "http://10.0.0.1:2379", 0 },
        { "https://10.0.0.1:2379/", 0 },
        { "HTTP://10.0.0.1:02379/v3/kv/range", 0 },
        { "10.0.0.1:2380", -1 },
        { "10.0.0.10:2379", -1 },
        { "etcd-b.example:2379", 1 },
        { "http://ETCD-B.EXAMPLE:2379", 1 },
        { "[::1]:2379", 2 },
        { "https://[0:0::1]:2379/", 2 },
        { "[::2]:2379", -1 },
        { "http://web", 3 },
        { "https://tls/", 4 },
        { "web", -1 },
        { "ftp://10.0.0.1:2379", -1 },
        { "10.0.0.1:", -1 },
        { "10.0.0.1:99999", -1 },
        { "10.0.0.1:2379x", -1 },
        { "", -1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const config_member_t *m = config_member_for(&c, cases[i].url);
        int got = m ? (int)(m - c.members) : -1;
        if (got != cases[i].want)
            fail_msg("config_member_for(\"%s\"): %d, want %d", cases[i].url, got,
                     cases[i].want);
    }
    assert_null(config_member_for(NULL, "10.0.0.1:2379"));
    assert_null(config_member_for(&c, NULL));
}

/* Every bad members: input: one line "F:line: members[N].key: problem". */
static void test_members_bad(void **state)
{
    (void)state;
    static const struct { const char *text, *want; } cases[] = {
        { "members: x\n", "F:1: members: expected a list, found a value" },
        { "members:\n  key: 1\n", "F:2: members: expected a list, found a mapping" },
        { "members: []\n", "F:1: members: the list is empty" },
        { "members: ~\nmembers: ~\n", "F:2: duplicate key \"members\"" },
        { "members:\n  - a:1\n", "F:2: members[0]: expected a mapping, found a value" },
        { "members:\n  - endpoint: a:1\n  - [b:1]\n",
          "F:3: members[1]: expected a mapping, found a list" },
        { "members:\n  - endpoint: a:1\n    port: 5\n",
          "F:3: members[0]: unknown key \"port\"" },
        { "members:\n  - endpoint: a:1\n    key_file: /dev/null\n",
          "F:3: members[0]: unknown key \"key_file\"" },
        { "members:\n  - endpoint: a:1\n    ssh.host: h\n",
          "F:3: members[0]: unknown key \"ssh.host\"" },
        { "members:\n  - endpoint: a:1\n    ssh:\n      host: h\n      port: 22\n",
          "F:5: members[0].ssh: unknown key \"port\"" },
        { "members:\n  - endpoint: a:1\n    ssh:\n      ssh: h\n",
          "F:4: members[0].ssh: unknown key \"ssh\"" },
        { "members:\n  - [a]: 1\n", "F:2: members[0]: keys must be plain names, found a list" },
        { "members:\n  - endpoint: a:1\n    endpoint: b:1\n",
          "F:3: members[0].endpoint: duplicate key" },
        { "members:\n  - endpoint: a:1\n    ssh: h\n    ssh: {host: h}\n",
          "F:4: members[0].ssh: duplicate key" },
        { "members:\n  - endpoint: a:1\n    ssh: {host: h, host: i}\n",
          "F:3: members[0].ssh.host: duplicate key" },
        { "members:\n  - endpoint: a:1\n  - data_dir: /x\n", "F:3: members[1]: no endpoint" },
        { "members:\n  - {}\n", "F:2: members[0]: no endpoint" },
        { "members:\n  - endpoint: ftp://a:1\n",
          "F:2: members[0].endpoint: \"ftp://a:1\" is not a valid endpoint: "
          "unsupported scheme (use http:// or https://)" },
        { "members:\n  - endpoint: a\n",
          "F:2: members[0].endpoint: \"a\" is not a valid endpoint: no port (use host:port)" },
        { "members:\n  - endpoint: https://root:hunter2@a:1\n",
          "F:2: members[0].endpoint: the value is not a valid endpoint: "
          "credentials (user:password@) are not allowed" },
        { "members:\n  - endpoint: a:1\n    metrics_endpoint: http://a:1/metrics\n",
          "F:3: members[0].metrics_endpoint: \"http://a:1/metrics\" is not a valid endpoint: "
          "a path is not allowed (only a trailing /)" },
        { "members:\n  - endpoint: 10.0.0.1:2379\n  - endpoint: http://10.0.0.1:2379/\n",
          "F:3: members[1].endpoint: \"http://10.0.0.1:2379/\" has the same host:port as "
          "members[0]" },
        { "members:\n  - endpoint: a:1\n  - endpoint: b:1\n  - endpoint: https://A:01\n",
          "F:4: members[2].endpoint: \"https://A:01\" has the same host:port as members[0]" },
        { "members:\n  - endpoint: a:1\n    ssh: root@\n",
          "F:3: members[0].ssh: \"root@\" has no host" },
        { "members:\n  - endpoint: a:1\n    ssh: \"\"\n",
          "F:3: members[0].ssh: \"\" has no host" },
        { "members:\n  - endpoint: a:1\n    ssh: h:99999\n",
          "F:3: members[0].ssh: \"h:99999\" has a bad port (1 to 65535)" },
        { "members:\n  - endpoint: a:1\n    ssh:\n      host: h:0\n",
          "F:4: members[0].ssh.host: \"h:0\" has a bad port (1 to 65535)" },
        { "members:\n  - endpoint: a:1\n    ssh: ~\n", "F:3: members[0].ssh: missing value" },
        { "members:\n  - endpoint: a:1\n    ssh: {}\n", "F:3: members[0].ssh: no host" },
        { "members:\n  - endpoint: a:1\n    ssh:\n      key_file: /dev/null\n",
          "F:3: members[0].ssh: no host" },
        { "members:\n  - endpoint: a:1\n    ssh: [h]\n",
          "F:3: members[0].ssh: expected a single value, found a list" },
        { "members:\n  - endpoint: a:1\n    ssh:\n      host: h\n"
          "      key_file: /nonexistent/id\n",
          "F:5: members[0].ssh.key_file: \"/nonexistent/id\" cannot be read: "
          "No such file or directory" },
        { "members:\n  - endpoint: a:1\n    ssh:\n      host: h\n      accept_new: perhaps\n",
          "F:5: members[0].ssh.accept_new: \"perhaps\" is not a boolean (true or false)" },
        { "members:\n  - endpoint: a:1\n    ssh: {host: h, known_hosts: [x]}\n",
          "F:3: members[0].ssh.known_hosts: expected a single value, found a list" },
        { "members:\n  - endpoint: a:1\n    log_command: \"\"\n",
          "F:3: members[0].log_command: \"\" is empty" },
        { "members:\n  - endpoint: a:1\n    data_dir: {a: b}\n",
          "F:3: members[0].data_dir: expected a single value, found a mapping" },
        { "members:\n  - endpoint: [a:1]\n",
          "F:2: members[0].endpoint: expected a single value, found a list" },
        { "members:\n  - endpoint: *x\n",
          "F:2: members[0].endpoint: expected a single value, found an alias" },
        { "members:\n  - endpoint:\n", "F:2: members[0].endpoint: missing value" },
        { "members:\n  - endpoint: \"a:1\\0\"\n",
          "F:2: members[0].endpoint: the value contains a NUL byte" },
        { "members:\n  - endpoint: a:1\n    log_command: \"tail\\0x\"\n",
          "F:3: members[0].log_command: the value contains a NUL byte" },
        { "members[].endpoint: a:1\n", "F:1: unknown key \"members[].endpoint\"" },
        { "ssh:\n  members: []\n", "F:2: unknown key \"ssh.members\"" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        text_err(cases[i].text, cases[i].want);

    /* At most CONFIG_MAX_ENDPOINTS entries. */
    char text[CONFIG_MAX_ENDPOINTS * 32 + 64] = "members:\n", want[128];
    for (int i = 0; i <= CONFIG_MAX_ENDPOINTS; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "  - endpoint: h%d:1\n", i);
    snprintf(want, sizeof want, "F:%d: members[%d]: too many members (at most 1000)",
             CONFIG_MAX_ENDPOINTS + 2, CONFIG_MAX_ENDPOINTS);
    text_err(text, want);
    *strrchr(text, '-') = '\0';                      /* exactly the maximum: fine */
    *strrchr(text, '\n') = '\0';
    config_t c;
    char err[512] = "";
    assert_int_equal(load_text(&c, text, err, sizeof err), CONFIG_OK);
    assert_int_equal(c.n_members, CONFIG_MAX_ENDPOINTS);
    assert_int_equal(c.n_endpoints, CONFIG_MAX_ENDPOINTS);
    snprintf(want, sizeof want, "h%d:1", CONFIG_MAX_ENDPOINTS - 1);
    assert_string_equal(c.endpoints[CONFIG_MAX_ENDPOINTS - 1], want);
    config_free(&c);
}

/* Errors never print the value of a password, token or secret, at any depth. */
static void test_file_secrets(void **state)
{
    (void)state;
    config_t c;
    char err[512] = "";
    load_err(ARGS("--config", "tests/data/config-secret.yaml"),
             "tests/data/config-secret.yaml:2: alerts[0]: the email channel needs smtp_server");

    static const char *const texts[] = {
        "alerts:\n  - password: \"hunter2\n",                 /* unterminated quote */
        "alerts:\n  - token: hunter2\n    : bad\n",
        "alert_thresholds:\n  api_token: hunter2\n",
        "endpoints: https://root:hunter2@db:2379\n",
        "endpoints:\n  - https://root:hunter2@db:2379\n",
        "members:\n  - endpoint: https://root:hunter2@db:2379\n",
        "members:\n  - endpoint: a:1\n    metrics_endpoint: http://u:hunter2@db:1\n",
        "secret: hunter2\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        assert_int_equal(load_text(&c, texts[i], err, sizeof err), CONFIG_ERROR);
        if (strstr(err, "hunter2"))
            fail_msg("secret leaked: %s", err);
        config_free(&c);
    }
    load_err(ARGS("--endpoints", "https://root:hunter2@db:2379"),
             "--endpoints: the value has an endpoint with credentials (user:password@) are not allowed");
}

/* ---- duration parser ----------------------------------------------------- */

static void test_parse_duration(void **state)
{
    (void)state;
    static const struct { const char *s; int64_t unit; int rc; int64_t ms; } cases[] = {
        { "500ms", 1000, 0, 500 },
        { "5s", 1000, 0, 5000 },
        { "2m", 1000, 0, 120000 },
        { "1h", 1000, 0, 3600000 },
        { "1.5s", 1000, 0, 1500 },
        { "0.25m", 1000, 0, 15000 },
        { ".5s", 1000, 0, 500 },
        { "1h30m", 1000, 0, 5400000 },
        { "1m0.5s", 1000, 0, 60500 },
        { "5", 1000, 0, 5000 },
        { "5", 60000, 0, 300000 },
        { "1.5", 60000, 0, 90000 },
        { "0", 1000, 0, 0 },
        { "0s", 1000, 0, 0 },
        { "0.5ms", 1000, 0, 0 },                       /* below 1 ms: dropped */
        { "9223372036854775807ms", 1000, 0, INT64_MAX },
        { "5", 0, -1, 0 },                            /* unit required */
        { "", 1000, -1, 0 },
        { "-5s", 1000, -1, 0 },
        { "+5s", 1000, -1, 0 },
        { " 5s", 1000, -1, 0 },
        { "5s ", 1000, -1, 0 },
        { "5 s", 1000, -1, 0 },
        { "5x", 1000, -1, 0 },
        { "5S", 1000, -1, 0 },
        { "5d", 1000, -1, 0 },
        { "5us", 1000, -1, 0 },
        { "s", 1000, -1, 0 },
        { ".s", 1000, -1, 0 },
        { "5sx", 1000, -1, 0 },
        { "5s5", 1000, -1, 0 },
        { "1.2.3s", 1000, -1, 0 },
        { "abc", 1000, -1, 0 },
        { "0x10s", 1000, -1, 0 },
        { "9223372036854775808ms", 1000, -1, 0 },
        { "99999999999999999999s", 1000, -1, 0 },
        { "2562047788015216h", 1000, -1, 0 },
        { "9223372036854775807", 1000, -1, 0 },
        { "5000000h5000000h", 1000, 0, 36000000000000 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t ms = -7;
        int rc = config_parse_duration(cases[i].s, cases[i].unit, &ms);
        if (rc != cases[i].rc)
            fail_msg("\"%s\" (unit %lld): rc %d, want %d", cases[i].s,
                     (long long)cases[i].unit, rc, cases[i].rc);
        if (rc == 0 && ms != cases[i].ms)
            fail_msg("\"%s\": %lld ms, want %lld", cases[i].s, (long long)ms,
                     (long long)cases[i].ms);
        if (rc != 0)
            assert_int_equal(ms, -7);                  /* untouched on error */
    }
    int64_t ms;
    assert_int_equal(config_parse_duration(NULL, 1000, &ms), -1);
}

/* ---- endpoint validation ------------------------------------------------- */

static void test_endpoints(void **state)
{
    (void)state;
    static const struct { const char *ep; const char *problem; } cases[] = {
        { "127.0.0.1:2379", NULL },
        { "localhost:2379", NULL },
        { "http://localhost:2379", NULL },
        { "https://etcd.example.com:2379", NULL },
        { "HTTPS://etcd:1", NULL },
        { "x:2379/", NULL },
        { "[::1]:2379", NULL },
        { "http://[::1]:2379/", NULL },
        { "https://[fe80::1]:65535", NULL },
        { "my_host-1.local:1", NULL },
        { "localhost", "no port (use host:port)" },
        { "localhost:", "no port (use host:port)" },
        { "http://localhost", "no port (use host:port)" },
        { "localhost:0", "port out of range (1 to 65535)" },
        { "localhost:65536", "port out of range (1 to 65535)" },
        { "localhost:123456", "port out of range (1 to 65535)" },
        { "localhost:12ab", "bad port" },
        { "ftp://x:1", "unsupported scheme (use http:// or https://)" },
        { "unix:///tmp/etcd.sock", "unsupported scheme (use http:// or https://)" },
        { "://x:1", "unsupported scheme (use http:// or https://)" },
        { "http://x:1/v3", "a path is not allowed (only a trailing /)" },
        { "http://x:1//", "a path is not allowed (only a trailing /)" },
        { "http://x:1/?a=b", "a query string is not allowed" },
        { "x:1?a=b", "a query string is not allowed" },
        { "::1:2379", "IPv6 address without brackets (use [::1]:2379)" },
        { "fe80::1:2379", "IPv6 address without brackets (use [::1]:2379)" },
        { "[::1]", "no port (use host:port)" },
        { "[::1:2379", "bad IPv6 address (use [::1]:2379)" },
        { "[zz::1]:1", "bad IPv6 address (use [::1]:2379)" },
        { "[]:1", "bad IPv6 address (use [::1]:2379)" },
        { "http://:2379", "no host" },
        { "x y:1", "bad character in the host name" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        config_t c;
        char err[512] = "", want[512];
        config_result_t r = load_args(&c, err, sizeof err, ARGS("--endpoints", cases[i].ep));
        if (!cases[i].problem) {
            if (r != CONFIG_OK)
                fail_msg("\"%s\" rejected: %s", cases[i].ep, err);
            assert_int_equal(c.n_endpoints, 1);
            assert_string_equal(c.endpoints[0], cases[i].ep);
            config_free(&c);
            continue;
        }
        if (r != CONFIG_ERROR)
            fail_msg("\"%s\" accepted", cases[i].ep);
        snprintf(want, sizeof want, "--endpoints: \"%s\" is not a valid endpoint: %s",
                 cases[i].ep, cases[i].problem);
        assert_string_equal(err, want);
    }

    /* At most CONFIG_MAX_ENDPOINTS. */
    char list[CONFIG_MAX_ENDPOINTS * 16] = "";
    for (int i = 0; i < CONFIG_MAX_ENDPOINTS; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%sh%d:1", i ? "," : "", i);
    config_t c;
    load_ok(&c, ARGS("--endpoints", list));
    assert_int_equal(c.n_endpoints, CONFIG_MAX_ENDPOINTS);
    char want[64];
    snprintf(want, sizeof want, "h%d:1", CONFIG_MAX_ENDPOINTS - 1);
    assert_string_equal(c.endpoints[CONFIG_MAX_ENDPOINTS - 1], want);
    config_free(&c);
    snprintf(list + strlen(list), sizeof list - strlen(list), ",h%d:1", CONFIG_MAX_ENDPOINTS);
    char err[512];
    assert_int_equal(load_args(&c, err, sizeof err, ARGS("--endpoints", list)), CONFIG_ERROR);
    snprintf(want, sizeof want, "has %d endpoints (at most 1000)", CONFIG_MAX_ENDPOINTS + 1);
    assert_non_null(strstr(err, want));
    assert_int_equal(strncmp(err, "--endpoints: \"h0:1,h1:1", 22), 0);
}

/* head, then n endpoints NAME0:PORT ... : comma-separated, or as YAML list
 * items ("  - h0:1\n") when yaml; a new string. */
static char *endpoint_items(int n, const char *head, const char *name, int port, bool yaml)
{
    size_t cap = (size_t)n * 24 + 64, len = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    len += (size_t)snprintf(b, cap, "%s", head);
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(b + len, cap - len, "%s%s%d:%d%s",
                                yaml ? "  - " : i ? "," : "", name, i, port, yaml ? "\n" : "");
    return b;
}

/* The one limit, 1000: accepted at 1000, refused at 1001 with one line saying
 * so, for --endpoints, --metrics-endpoints and the file's endpoints: (list and
 * string) and members: (test_members_bad). */
static void test_endpoint_limit(void **state)
{
    (void)state;
    assert_int_equal(CONFIG_MAX_ENDPOINTS, 1000);
    assert_int_equal(ENDPOINT_MAX, 1000);
    char *ok = endpoint_items(1000, "", "h", 1, false);
    char *over = endpoint_items(1001, "", "h", 1, false);
    char *mok = endpoint_items(1000, "", "m", 2381, false);
    char *mover = endpoint_items(1001, "", "m", 2381, false);
    char err[512];
    config_t c;

    load_ok(&c, ARGS("--endpoints", ok, "--metrics-endpoints", mok));
    assert_int_equal(c.n_endpoints, 1000);
    assert_int_equal(c.n_metrics_endpoints, 1000);
    assert_string_equal(c.metrics_endpoints[999], "m999:2381");
    config_free(&c);
    assert_int_equal(load_args(&c, err, sizeof err, ARGS("--endpoints", over)), CONFIG_ERROR);
    assert_non_null(strstr(err, "has 1001 endpoints (at most 1000)"));
    assert_null(strchr(err, '\n'));
    assert_int_equal(load_args(&c, err, sizeof err,
                               ARGS("--endpoints", ok, "--metrics-endpoints", mover)),
                     CONFIG_ERROR);
    assert_int_equal(strncmp(err, "--metrics-endpoints: ", 21), 0);
    assert_non_null(strstr(err, "has 1001 endpoints (at most 1000)"));

    /* The file: endpoints as a list and as one string. */
    char *list = endpoint_items(1000, "endpoints:\n", "h", 1, true);
    assert_int_equal(load_text(&c, list, err, sizeof err), CONFIG_OK);
    assert_int_equal(c.n_endpoints, 1000);
    config_free(&c);
    free(list);
    list = endpoint_items(1001, "endpoints:\n", "h", 1, true);
    text_err(list, "F:1002: endpoints: too many endpoints (at most 1000)");
    free(list);
    char *str = malloc(strlen(over) + 32);
    assert_non_null(str);
    sprintf(str, "endpoints: \"%s\"\n", over);
    assert_int_equal(load_text(&c, str, err, sizeof err), CONFIG_ERROR);
    assert_non_null(strstr(err, "has 1001 endpoints (at most 1000)"));
    free(str);
    free(ok);
    free(over);
    free(mok);
    free(mover);
}

/* ---- the man page follows the table -------------------------------------- */

static void test_man_page(void **state)
{
    (void)state;
    char *man = test_slurp("man/etcd-monitor.1", NULL);
    size_t n, next = 0;
    const option_t *tab = config_options(&n);

    assert_non_null(strstr(man, "\"etcd-monitor " EM_VERSION "\""));
    const char *opts = strstr(man, "\n.SH OPTIONS\n");
    assert_non_null(opts);
    const char *end = strstr(opts + 1, "\n.SH ");
    assert_non_null(end);

    /* Each ".TP" item line in OPTIONS names the next flag of the table. */
    for (const char *p = opts; p && p < end; p = strstr(p + 1, "\n.TP\n")) {
        if (strncmp(p, "\n.TP\n", 5) != 0)
            continue;
        const char *item = p + 5;
        while (next < n && !tab[next].flag)
            next++;
        if (next == n)
            fail_msg("man page lists more options than the table");
        char want[96];
        snprintf(want, sizeof want, "\\-\\-%s", tab[next].flag);
        for (char *d = want + 4; *d; d++)
            if (*d == '-') {                 /* "no-discover" is written no\-discover */
                memmove(d + 1, d, strlen(d) + 1);
                *d++ = '\\';
            }
        const char *eol = strchr(item, '\n');
        const char *at = strstr(item, want);
        if (!at || at > eol)
            fail_msg("man OPTIONS: expected --%s, found %.*s", tab[next].flag,
                     (int)(eol - item), item);
        char after = at[strlen(want)];
        assert_true(after == ' ' || after == '\n' || after == '"');
        next++;
    }
    while (next < n && !tab[next].flag)
        next++;
    if (next != n)
        fail_msg("man OPTIONS: --%s and later flags missing", tab[next].flag);

    /* Each command of the table is a ".TP" item of COMMANDS, in table order. */
    size_t n_cmd;
    const command_t *cmds = command_table(&n_cmd);
    const char *sec = strstr(man, "\n.SH COMMANDS\n");
    if (!sec)
        fail_msg("man page: no COMMANDS section");
    const char *sec_end = strstr(sec + 1, "\n.SH ");
    const char *at = sec;
    for (size_t c = 0; c < n_cmd; c++) {
        char want[64];
        const char *b = NULL, *bi = NULL;
        snprintf(want, sizeof want, "\n.TP\n.B %s\n", cmds[c].name);
        b = strstr(at, want);
        snprintf(want, sizeof want, "\n.TP\n.BI %s ", cmds[c].name);
        bi = strstr(at, want);
        const char *item = b && (!bi || b < bi) ? b : bi;
        if (!item || item > sec_end)
            fail_msg("man COMMANDS: %s missing or out of table order", cmds[c].name);
        at = item + 1;
    }

    for (size_t k = 0; k < n; k++) {
        for (int e = 0; e < 2; e++)
            if (tab[k].env[e] && !strstr(man, tab[k].env[e]))
                fail_msg("man page: %s not documented", tab[k].env[e]);
        if (tab[k].key) {
            char key[96];
            const char *dot = strrchr(tab[k].key, '.');
            snprintf(key, sizeof key, "%s", dot ? dot + 1 : tab[k].key);
            if (!strstr(man, key))
                fail_msg("man page: file key %s not documented", tab[k].key);
        }
    }
    free(man);
}

/* The columns of header (comma-separated, one line) appear in order as words on
 * the ".B" and ".BR" lines of the man page subsection ".SS sec". */
static void check_man_columns(const char *man, const char *sec, const char *header)
{
    char heading[64];
    snprintf(heading, sizeof heading, "\n.SS %s\n", sec);
    const char *start = strstr(man, heading);
    if (!start) {
        fail_msg("man page: no %s", sec);
        return;
    }
    const char *end = strstr(start + 1, "\n.S");
    if (!end)
        end = start + strlen(start);

    char words[4096] = " ";                    /* " w1 w2 ... " from the macro lines */
    for (const char *l = start; l && l < end; l = strchr(l + 1, '\n')) {
        const char *line = l + 1, *eol = strchr(line, '\n');
        if (strncmp(line, ".B ", 3) != 0 && strncmp(line, ".BR ", 4) != 0)
            continue;
        for (const char *c = strchr(line, ' '); c && c < eol; c++) {
            size_t u = strlen(words);
            if (u + 2 >= sizeof words)
                fail_msg("man page: %s too long for the test", sec);
            char ch = (*c == '"' || *c == ',') ? ' ' : *c;
            if (ch != ' ' || words[u - 1] != ' ')
                words[u] = ch, words[u + 1] = '\0';
        }
        if (words[strlen(words) - 1] != ' ')
            strcat(words, " ");
    }
    const char *pos = words;
    for (const char *col = header; *col && *col != '\n';) {
        size_t len = strcspn(col, ",\n");
        char want[96];
        snprintf(want, sizeof want, " %.*s ", (int)len, col);
        const char *at = strstr(pos, want);
        if (!at)
            fail_msg("man page %s: column %.*s missing or out of order", sec, (int)len, col);
        pos = at + strlen(want) - 1;
        col += len + (col[len] == ',');
    }
}

/* The man page documents every CSV column, in the order the files have them. */
static void test_man_page_columns(void **state)
{
    (void)state;
    char *man = test_slurp("man/etcd-monitor.1", NULL);
    static const char seed_prefix[] = "timestamp,db_size_mb,fragmentation_pct,leader_changes,"
                                      "slow_ops,wal_latency_ms,backend_latency_ms,status,";
    assert_int_equal(strncmp(CSVROW_METRICS_HEADER, seed_prefix, strlen(seed_prefix)), 0);
    check_man_columns(man, "metrics.csv", CSVROW_METRICS_HEADER);
    check_man_columns(man, "members.csv", CSVROW_MEMBERS_HEADER);
    free(man);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, clear_env),
        cmocka_unit_test_setup(test_flags_good, clear_env),
        cmocka_unit_test_setup(test_flags_repeat, clear_env),
        cmocka_unit_test_setup(test_flags_bad, clear_env),
        cmocka_unit_test_setup(test_flags_bad_cover_table, clear_env),
        cmocka_unit_test_setup(test_help_version, clear_env),
        cmocka_unit_test_setup(test_usage, clear_env),
        cmocka_unit_test_setup(test_usage_by_command, clear_env),
        cmocka_unit_test_setup(test_option_commands, clear_env),
        cmocka_unit_test_setup(test_command_mask, clear_env),
        cmocka_unit_test_setup(test_positional_args, clear_env),
        cmocka_unit_test_setup(test_precedence, clear_env),
        cmocka_unit_test_setup(test_env_bad, clear_env),
        cmocka_unit_test_setup(test_seed_config, clear_env),
        cmocka_unit_test_setup(test_secrets, clear_env),
        cmocka_unit_test_setup(test_full_config, clear_env),
        cmocka_unit_test_setup(test_file_errors, clear_env),
        cmocka_unit_test_setup(test_file_nesting, clear_env),
        cmocka_unit_test_setup(test_file_rules, clear_env),
        cmocka_unit_test_setup(test_file_secrets, clear_env),
        cmocka_unit_test_setup(test_members_good, clear_env),
        cmocka_unit_test_setup(test_members_given_endpoints, clear_env),
        cmocka_unit_test_setup(test_member_for, clear_env),
        cmocka_unit_test_setup(test_members_bad, clear_env),
        cmocka_unit_test_setup(test_parse_duration, clear_env),
        cmocka_unit_test_setup(test_endpoints, clear_env),
        cmocka_unit_test_setup(test_endpoint_limit, clear_env),
        cmocka_unit_test_setup(test_man_page, clear_env),
        cmocka_unit_test_setup(test_man_page_columns, clear_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
