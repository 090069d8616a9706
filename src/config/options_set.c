/* options_set.c — the setters of the option table's rows: each checks one
 * value (from a flag, the environment or the config file) and stores it in the
 * config_t, or says in one phrase why it cannot. */
#include "config.h"
#include "config_internal.h"
#include "promapi.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define KIB ((uint64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)

/* --interval / interval: seconds, 1 to 300, to the millisecond: a bare number
 * (which may have a fraction, "2.5") or a duration ("1500ms", "1m"). Less
 * than 1s is refused: the requests of a poll must end before the next. */
int option_set_interval(config_t *cfg, const char *v, char *why, size_t whylen)
{
    int64_t ms = 0;
    option_num_t st = option_parse_duration(v, 1000, &ms);
    if (st == NUM_BAD) {
        snprintf(why, whylen, "is not a number of seconds");
        return SET_BAD;
    }
    if (st == NUM_RANGE || ms < 1000 || ms > 300 * 1000) {
        snprintf(why, whylen, "is out of range (1 to 300 seconds)");
        return SET_BAD;
    }
    cfg->interval_ms = (int)ms;
    return SET_OK;
}

/* --metrics-interval / METRICS_INTERVAL / metrics_interval: same field, a duration. */
int option_set_metrics_interval(config_t *cfg, const char *v, char *why, size_t whylen)
{
    int64_t ms = 0;
    if (option_duration_in_range(v, 1000, 1000, 300 * 1000, "1s to 300s", &ms, why, whylen))
        return SET_BAD;
    cfg->interval_ms = (int)ms;
    return SET_OK;
}

int option_set_duration(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_duration_in_range(v, 60 * 1000, 0, 30 * OPTION_DAY_MS, "0 to 30 days",
                             &cfg->duration_ms, why, whylen);
}

int option_set_alert_level(config_t *cfg, const char *v, char *why, size_t whylen)
{
    if (strcasecmp(v, "critical") == 0) cfg->alert_level = LEVEL_CRITICAL;
    else if (strcasecmp(v, "warning") == 0) cfg->alert_level = LEVEL_WARNING;
    else if (strcasecmp(v, "info") == 0) cfg->alert_level = LEVEL_INFO;
    else {
        snprintf(why, whylen, "is not an alert level (critical, warning or info)");
        return SET_BAD;
    }
    return SET_OK;
}

int option_set_dial_timeout(config_t *cfg, const char *v, char *why, size_t whylen)
{
    int64_t ms = 0;
    if (option_duration_in_range(v, 1000, 100, 60 * 1000, "100ms to 60s", &ms, why, whylen))
        return SET_BAD;
    cfg->dial_timeout_ms = (int)ms;
    return SET_OK;
}

int option_set_health_interval(config_t *cfg, const char *v, char *why, size_t whylen)
{
    int64_t ms = 0;
    if (option_duration_in_range(v, 1000, 1000, OPTION_DAY_MS, "1s to 24h", &ms, why, whylen))
        return SET_BAD;
    cfg->health_check_interval_ms = (int)ms;
    return SET_OK;
}

/* --max-body-size: bytes with an optional K, M or G (binary) suffix, 4K..1G. */
int option_set_max_body(config_t *cfg, const char *v, char *why, size_t whylen)
{
    char digits[32];
    size_t len = strlen(v);
    uint64_t mult = 1, n = 0;

    if (len > 0 && strchr("kKmMgG", v[len - 1])) {
        char s = (char)toupper((unsigned char)v[len - 1]);
        mult = s == 'K' ? KIB : s == 'M' ? MIB : GIB;
        len--;
    }
    if (len == 0 || len >= sizeof digits) {
        snprintf(why, whylen, len == 0 ? "is not a size (e.g. 16M)" : "is out of range (4K to 1G)");
        return SET_BAD;
    }
    memcpy(digits, v, len);
    digits[len] = '\0';
    option_num_t st = option_parse_u64(digits, &n);
    if (st == NUM_BAD) {
        snprintf(why, whylen, "is not a size (e.g. 16M)");
        return SET_BAD;
    }
    if (st == NUM_RANGE || n > GIB / mult || n * mult < 4 * KIB) {
        snprintf(why, whylen, "is out of range (4K to 1G)");
        return SET_BAD;
    }
    cfg->max_body_bytes = (size_t)(n * mult);
    return SET_OK;
}

int option_set_max_latency(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_number_in_range(v, 0, true, 1e12, "greater than 0",
                           &cfg->thresholds.max_latency_ms, why, whylen);
}

int option_set_max_db(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_number_in_range(v, 0, true, 1e12, "greater than 0",
                           &cfg->thresholds.max_database_size_mb, why, whylen);
}

int option_set_min_nodes(config_t *cfg, const char *v, char *why, size_t whylen)
{
    uint64_t n = 0;
    option_num_t st = option_parse_u64(v, &n);
    if (st == NUM_BAD) {
        snprintf(why, whylen, "is not a whole number");
        return SET_BAD;
    }
    if (st == NUM_RANGE || n > 1000) {
        snprintf(why, whylen, "is out of range (0 to 1000)");
        return SET_BAD;
    }
    cfg->thresholds.min_available_nodes = (int)n;
    return SET_OK;
}

int option_set_leader_changes(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_number_in_range(v, 0, false, 1e9, "0 or more",
                           &cfg->thresholds.max_leader_changes_per_hour, why, whylen);
}

int option_set_error_rate(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_number_in_range(v, 0, false, 1, "0 to 1",
                           &cfg->thresholds.max_error_rate, why, whylen);
}

int option_set_disk_percent(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_number_in_range(v, 0, false, 100, "0 to 100",
                           &cfg->thresholds.min_disk_space_percent, why, whylen);
}

/* Replace an owned string field by a copy of v (which must not be empty). */
int option_store_string(char **field, const char *v, char *why, size_t whylen)
{
    char *copy;
    if (*v == '\0') {
        snprintf(why, whylen, "is empty");
        return SET_BAD;
    }
    if (!(copy = strdup(v))) {
        snprintf(why, whylen, "cannot be stored (out of memory)");
        return SET_BAD;
    }
    free(*field);
    *field = copy;
    return SET_OK;
}

int option_set_config(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_string(&cfg->config_path, v, why, whylen);
}

int option_set_workdir(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_string(&cfg->workdir, v, why, whylen);
}

int option_set_headless(config_t *cfg, const char *v, char *why, size_t whylen)
{
    (void)v; (void)why; (void)whylen;
    cfg->headless = true;
    return SET_OK;
}


/* --probe-write (v NULL) or probe_write: true|false. */
int option_set_probe_write(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_parse_bool(v, &cfg->probe_write, why, whylen);
}

/* --metrics-gzip (v NULL) or metrics_gzip: true|false. */
int option_set_metrics_gzip(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_parse_bool(v, &cfg->metrics_gzip, why, whylen);
}

/* A key prefix for the write probe: printable, no spaces, 1 to 128 bytes. */
int option_set_probe_prefix(config_t *cfg, const char *v, char *why, size_t whylen)
{
    size_t n = strlen(v);
    if (n == 0 || n > 128) {
        snprintf(why, whylen, "must be 1 to 128 bytes");
        return SET_BAD;
    }
    for (const char *p = v; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            snprintf(why, whylen, "must be printable with no spaces");
            return SET_BAD;
        }
    }
    return option_store_string(&cfg->probe_prefix, v, why, whylen);
}

/* --prometheus URL: an http or https base URL (its /api/v1/query is asked). */
int option_set_prometheus(config_t *cfg, const char *v, char *why, size_t whylen)
{
    size_t n = strlen(v);
    if ((strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) || n > 400) {
        snprintf(why, whylen, "must be an http:// or https:// URL of at most 400 bytes");
        return SET_BAD;
    }
    for (const char *p = v; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '?' || *p == '#' || *p == '@') {
            snprintf(why, whylen, "must be a base URL without spaces, user, query or fragment");
            return SET_BAD;
        }
    }
    return option_store_string(&cfg->prometheus_url, v, why, whylen);
}

/* --prometheus-selector: a PromQL label selector in braces. */
int option_set_prometheus_selector(config_t *cfg, const char *v, char *why, size_t whylen)
{
    char inner[PROMAPI_SELECTOR_LEN];
    if (promapi_selector_inner(v, inner, sizeof inner, why, whylen) != 0)
        return SET_BAD;
    return option_store_string(&cfg->prometheus_selector, v, why, whylen);
}

int option_set_theme(config_t *cfg, const char *v, char *why, size_t whylen)
{
    if (!*v) {
        snprintf(why, whylen, "is empty");
        return SET_BAD;
    }
    return option_store_string(&cfg->theme, v, why, whylen);
}

/* A file that must be readable now (certificates, keys, password file). */
int option_store_readable(char **field, const char *v, char *why, size_t whylen)
{
    if (*v && access(v, R_OK) != 0) {
        snprintf(why, whylen, "cannot be read: %s", strerror(errno));
        return SET_BAD;
    }
    return option_store_string(field, v, why, whylen);
}

int option_set_ca_file(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_readable(&cfg->ca_file, v, why, whylen);
}

int option_set_cert_file(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_readable(&cfg->cert_file, v, why, whylen);
}

int option_set_key_file(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_readable(&cfg->key_file, v, why, whylen);
}

int option_set_insecure_skip(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_parse_bool(v, &cfg->insecure_skip_verify, why, whylen);
}

int option_set_insecure_transport(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_parse_bool(v, &cfg->insecure_transport, why, whylen);
}

/* Replace a secret, wiping the old copy. */
static int store_secret(char **field, const char *v, size_t len, char *why, size_t whylen)
{
    char *copy = strndup(v, len);
    if (!copy) {
        snprintf(why, whylen, "cannot be stored (out of memory)");
        return SET_HIDE;
    }
    if (*field) {
        explicit_bzero(*field, strlen(*field));
        free(*field);
    }
    *field = copy;
    return SET_OK;
}

/* --user NAME[:PASSWORD] / ETCDCTL_USER / auth.user (as etcdctl). */
int option_set_user(config_t *cfg, const char *v, char *why, size_t whylen)
{
    const char *colon = strchr(v, ':');
    size_t nlen = colon ? (size_t)(colon - v) : strlen(v);
    if (nlen == 0) {
        snprintf(why, whylen, "has an empty user name");
        return SET_HIDE;
    }
    char *name = strndup(v, nlen);
    if (!name) {
        snprintf(why, whylen, "cannot be stored (out of memory)");
        return SET_HIDE;
    }
    free(cfg->user);
    cfg->user = name;
    if (colon)
        return store_secret(&cfg->password, colon + 1, strlen(colon + 1), why, whylen);
    return SET_OK;
}

/* --password / ETCDCTL_PASSWORD / auth.password: never echoed. */
int option_set_password(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return store_secret(&cfg->password, v, strlen(v), why, whylen);
}

int option_set_password_file(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_readable(&cfg->password_file, v, why, whylen);
}

/* Check an SSH target [USER@]HOST[:PORT] (--ssh, members[].ssh): a host and
 * the port 1..65535. */
int option_check_ssh_target(const char *v, char *why, size_t whylen)
{
    const char *host = strchr(v, '@') ? strchr(v, '@') + 1 : v;
    if (!*host || *host == ':') {
        snprintf(why, whylen, "has no host");
        return SET_BAD;
    }
    const char *colon = strrchr(host, ':');
    if (colon && host[0] != '[') {
        char *end;
        errno = 0;
        long port = strtol(colon + 1, &end, 10);
        if (errno || *end || port < 1 || port > 65535) {
            snprintf(why, whylen, "has a bad port (1 to 65535)");
            return SET_BAD;
        }
    }
    return SET_OK;
}

/* --ssh [USER@]HOST[:PORT]: a bastion. */
int option_set_ssh(config_t *cfg, const char *v, char *why, size_t whylen)
{
    if (option_check_ssh_target(v, why, whylen) != SET_OK)
        return SET_BAD;
    return option_store_string(&cfg->ssh_target, v, why, whylen);
}

int option_set_ssh_key(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_readable(&cfg->ssh_key, v, why, whylen);
}

int option_set_ssh_known_hosts(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_string(&cfg->ssh_known_hosts, v, why, whylen);
}

int option_set_ssh_accept_new(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_parse_bool(v, &cfg->ssh_accept_new, why, whylen);
}

int option_set_log_source(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_parse_bool(v, &cfg->log_source, why, whylen);
}

int option_set_log_command(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_string(&cfg->log_command, v, why, whylen);
}

int option_set_log_file(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_string(&cfg->log_file, v, why, whylen);
}

int option_set_data_dir(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_store_string(&cfg->data_dir, v, why, whylen);
}

/* --no-discover (v NULL) or no_discover: true|false. */
int option_set_no_discover(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_parse_bool(v, &cfg->no_discover, why, whylen);
}

/* --no-leader-timeout / no_leader_timeout: 1s to 1h, bare number = seconds. */
int option_set_no_leader_timeout(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return option_duration_in_range(v, 1000, 1000, 3600 * 1000, "1s to 1h",
                             &cfg->no_leader_timeout_ms, why, whylen);
}

/* --windows / windows: up to FIG_MAX_WINDOWS durations, comma-separated,
 * each 10s to 4h, in increasing order; bare numbers are seconds. */
int option_set_windows(config_t *cfg, const char *v, char *why, size_t whylen)
{
    int64_t ms[FIG_MAX_WINDOWS];
    int n = 0;
    const char *p = v;
    for (;;) {
        size_t len = strcspn(p, ",");
        const char *b = p, *e = p + len;
        char item[64], shown[96];
        while (b < e && (*b == ' ' || *b == '\t')) b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
        if (b == e) {
            snprintf(why, whylen, p == v && p[len] == '\0' ? "is empty" : "has an empty item");
            return SET_BAD;
        }
        if (n == FIG_MAX_WINDOWS) {
            snprintf(why, whylen, "has more than %d windows", FIG_MAX_WINDOWS);
            return SET_BAD;
        }
        snprintf(item, sizeof item, "%.*s", (int)(e - b), b);
        option_num_t st = (size_t)(e - b) < sizeof item ? option_parse_duration(item, 1000, &ms[n])
                                                        : NUM_BAD;
        bool alone = strchr(v, ',') == NULL;
        config_quote(shown, sizeof shown, item);
        if (st == NUM_BAD) {
            if (alone)
                snprintf(why, whylen, "is not a duration");
            else
                snprintf(why, whylen, "has %s, which is not a duration", shown);
            return SET_BAD;
        }
        if (st == NUM_RANGE || ms[n] < 10 * 1000 || ms[n] > 4 * 3600 * 1000) {
            if (alone)
                snprintf(why, whylen, "is out of range (10s to 4h)");
            else
                snprintf(why, whylen, "has %s, out of range (10s to 4h)", shown);
            return SET_BAD;
        }
        if (n > 0 && ms[n] <= ms[n - 1]) {
            snprintf(why, whylen, "is not in increasing order");
            return SET_BAD;
        }
        n++;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    cfg->n_windows = n;
    memcpy(cfg->window_ms, ms, sizeof ms[0] * (size_t)n);
    return SET_OK;
}

/* --write-out / -w (status): table or json, as etcdctl's -w. */
int option_set_write_out(config_t *cfg, const char *v, char *why, size_t whylen)
{
    if (strcmp(v, "table") == 0)
        cfg->write_out = WRITE_TABLE;
    else if (strcmp(v, "json") == 0)
        cfg->write_out = WRITE_JSON;
    else {
        snprintf(why, whylen, "is not an output format (table or json)");
        return SET_BAD;
    }
    return SET_OK;
}
