/* options.c — the option table and everything driven by it: defaults, the
 * environment, argv and the generated usage text. The YAML file is read by
 * config_file.c through the same table and setters.
 *
 * Precedence: defaults < config file < environment < flags. */
#include "config.h"
#include "config_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#define XSTR(x) STR(x)
#define STR(x) #x

#define KIB ((uint64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define DAY_MS ((int64_t)24 * 3600 * 1000)

typedef enum { NUM_OK, NUM_BAD, NUM_RANGE } num_status_t;

/* ---- number and duration parsing ---------------------------------------- */

/* Parse a string of decimal digits (nothing else) into *out. */
static num_status_t parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    bool overflow = false;
    if (!isdigit((unsigned char)*s))
        return NUM_BAD;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            overflow = true;
        else
            v = v * 10 + d;
    }
    if (*s != '\0')
        return NUM_BAD;
    if (overflow)
        return NUM_RANGE;
    *out = v;
    return NUM_OK;
}

/* Parse a plain decimal "12", "0.05", "10.0" (no sign, exponent, hex, inf),
 * independent of the locale. Digits past the 19th significant one are dropped. */
static num_status_t parse_decimal(const char *s, double *out)
{
    const char *p = s;
    uint64_t mant = 0;
    size_t int_digits = 0, frac_digits = 0, kept = 0;
    int scale = 0;               /* decimal exponent applied to mant */

    for (; isdigit((unsigned char)*p); p++, int_digits++) {
        if (kept < 19) {
            mant = mant * 10 + (uint64_t)(*p - '0');
            kept += mant != 0;
        } else {
            scale++;
        }
    }
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++, frac_digits++) {
            if (kept < 19) {
                mant = mant * 10 + (uint64_t)(*p - '0');
                kept += mant != 0;
                scale--;
            }
        }
        if (frac_digits == 0)
            return NUM_BAD;
    }
    if (int_digits == 0 || *p != '\0')
        return NUM_BAD;
    if (scale > 290)
        return NUM_RANGE;
    double v = (double)mant;
    double ten = 1;
    for (int i = 0; i < (scale < 0 ? -scale : scale); i++)
        ten *= 10;
    v = scale < 0 ? v / ten : v * ten;
    if (!isfinite(v))
        return NUM_RANGE;
    *out = v;
    return NUM_OK;
}

/* Parse a duration: one or more <number><unit> parts ("1h30m", "1.5s", "500ms")
 * or a bare number in unit_ms (when unit_ms > 0). Fractions of a millisecond
 * are dropped. NUM_RANGE when the result does not fit an int64. */
static num_status_t duration_parse(const char *s, int64_t unit_ms, int64_t *ms)
{
    const char *p = s;
    uint64_t total = 0;
    bool overflow = false;

    if (!s || *s == '\0')
        return NUM_BAD;
    while (*p) {
        const char *seg = p;    /* a bare number must be the whole string */
        uint64_t ip = 0, frac = 0, frac_den = 1;
        size_t nd = 0;
        for (; isdigit((unsigned char)*p); p++, nd++) {
            unsigned d = (unsigned)(*p - '0');
            if (ip > (UINT64_MAX - d) / 10)
                overflow = true;
            else
                ip = ip * 10 + d;
        }
        if (*p == '.') {
            p++;
            for (; isdigit((unsigned char)*p); p++, nd++) {
                if (frac_den < 1000000) {   /* keep six digits: far below 1 ms */
                    frac = frac * 10 + (uint64_t)(*p - '0');
                    frac_den *= 10;
                }
            }
        }
        if (nd == 0)
            return NUM_BAD;

        uint64_t unit;
        if (p[0] == 'm' && p[1] == 's') { unit = 1; p += 2; }
        else if (*p == 's') { unit = 1000; p++; }
        else if (*p == 'm') { unit = 60 * 1000; p++; }
        else if (*p == 'h') { unit = 3600 * 1000; p++; }
        else if (*p == '\0' && seg == s && unit_ms > 0) unit = (uint64_t)unit_ms;
        else
            return NUM_BAD;

        if (ip != 0 && unit > UINT64_MAX / ip)
            overflow = true;
        else {
            uint64_t part = ip * unit;
            uint64_t fpart = unit <= UINT64_MAX / 1000000 ? frac * unit / frac_den : 0;
            if (part > UINT64_MAX - fpart || total > UINT64_MAX - part - fpart)
                overflow = true;
            else
                total += part + fpart;
        }
    }
    if (overflow || total > (uint64_t)INT64_MAX)
        return NUM_RANGE;
    *ms = (int64_t)total;
    return NUM_OK;
}

int config_parse_duration(const char *s, int64_t default_unit_ms, int64_t *ms)
{
    int64_t v;
    if (!ms || duration_parse(s, default_unit_ms, &v) != NUM_OK)
        return -1;
    *ms = v;
    return 0;
}

/* Parse a duration and check lo <= ms <= hi; range names the range for why. */
static int duration_in_range(const char *v, int64_t unit_ms, int64_t lo, int64_t hi,
                             const char *range, int64_t *out, char *why, size_t whylen)
{
    int64_t ms = 0;
    num_status_t st = duration_parse(v, unit_ms, &ms);
    if (st == NUM_BAD) {
        snprintf(why, whylen, "is not a duration");
        return SET_BAD;
    }
    if (st == NUM_RANGE || ms < lo || ms > hi) {
        snprintf(why, whylen, "is out of range (%s)", range);
        return SET_BAD;
    }
    *out = ms;
    return SET_OK;
}

/* Parse a plain decimal and check lo <= v <= hi (lo excluded when lo_open). */
static int number_in_range(const char *v, double lo, bool lo_open, double hi,
                           const char *range, double *out, char *why, size_t whylen)
{
    double d = 0;
    num_status_t st = parse_decimal(v, &d);
    if (st == NUM_BAD) {
        snprintf(why, whylen, "is not a number");
        return SET_BAD;
    }
    if (st == NUM_RANGE || d < lo || (lo_open && d <= lo) || d > hi) {
        snprintf(why, whylen, "is out of range (%s)", range);
        return SET_BAD;
    }
    *out = d;
    return SET_OK;
}

/* ---- endpoints ----------------------------------------------------------- */

static bool is_host_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

/* Parse the "[addr]" at p into buf; returns the character after ']', or NULL. */
static const char *ipv6_bracketed(const char *p, unsigned char buf[16])
{
    const char *rb = strchr(p, ']');
    char addr[INET6_ADDRSTRLEN + 1];
    size_t hl = rb ? (size_t)(rb - p - 1) : 0;
    if (*p != '[' || !rb || hl == 0 || hl >= sizeof addr)
        return NULL;
    memcpy(addr, p + 1, hl);
    addr[hl] = '\0';
    return inet_pton(AF_INET6, addr, buf) == 1 ? rb + 1 : NULL;
}

/* Check one endpoint; on failure why gets the problem, e.g. "no port (use host:port)". */
int config_check_endpoint(const char *ep, char *why, size_t whylen)
{
    const char *p = ep, *port;

    if (*ep == '\0') {
        snprintf(why, whylen, "empty");
        return SET_BAD;
    }
    if (strchr(ep, '@')) {
        snprintf(why, whylen, "credentials (user:password@) are not allowed");
        return SET_HIDE;
    }
    const char *sep = strstr(ep, "://");
    if (sep) {
        size_t sl = (size_t)(sep - ep);
        if (!(sl == 4 && strncasecmp(ep, "http", 4) == 0) &&
            !(sl == 5 && strncasecmp(ep, "https", 5) == 0)) {
            snprintf(why, whylen, "unsupported scheme (use http:// or https://)");
            return SET_BAD;
        }
        p = sep + 3;
    }
    if (*p == '[') {
        unsigned char buf[16];
        const char *after = ipv6_bracketed(p, buf);
        if (!after) {
            snprintf(why, whylen, "bad IPv6 address (use [::1]:2379)");
            return SET_BAD;
        }
        if (*after != ':') {
            snprintf(why, whylen, "no port (use host:port)");
            return SET_BAD;
        }
        port = after + 1;
    } else {
        const char *h = p;
        for (; *h && !strchr(":/?#", *h); h++) {
            if (!is_host_char(*h)) {
                snprintf(why, whylen, "bad character in the host name");
                return SET_BAD;
            }
        }
        if (h == p) {
            snprintf(why, whylen, *h == ':' && h[1] == ':'
                     ? "IPv6 address without brackets (use [::1]:2379)" : "no host");
            return SET_BAD;
        }
        if (*h != ':') {
            snprintf(why, whylen, "no port (use host:port)");
            return SET_BAD;
        }
        port = h + 1;
        if (strchr(port, ':') && !strpbrk(port, "/?#")) {
            snprintf(why, whylen, "IPv6 address without brackets (use [::1]:2379)");
            return SET_BAD;
        }
    }

    const char *q = port;
    unsigned long v = 0;
    size_t nd = 0;
    for (; isdigit((unsigned char)*q); q++, nd++)
        if (nd < 6)
            v = v * 10 + (unsigned long)(*q - '0');
    if (nd == 0) {
        snprintf(why, whylen, "no port (use host:port)");
        return SET_BAD;
    }
    if (nd > 5 || v < 1 || v > 65535) {
        snprintf(why, whylen, "port out of range (1 to 65535)");
        return SET_BAD;
    }
    if (*q == '\0' || (q[0] == '/' && q[1] == '\0'))
        return SET_OK;
    if (strchr(q, '?'))
        snprintf(why, whylen, "a query string is not allowed");
    else if (*q == '/')
        snprintf(why, whylen, "a path is not allowed (only a trailing /)");
    else
        snprintf(why, whylen, "bad port");
    return SET_BAD;
}

void config_endpoints_replace(config_t *cfg, char **items, int n)
{
    for (int i = 0; i < cfg->n_endpoints; i++) {
        free(cfg->endpoints[i]);
        cfg->endpoints[i] = NULL;
    }
    for (int i = 0; i < n; i++)
        cfg->endpoints[i] = items[i];
    cfg->n_endpoints = n;
}

/* The host:port of an endpoint or URL for comparing members: the host in
 * lower case (IPv6 in its canonical [a::b] form), the port as a number, any
 * path dropped: "HTTP://Etcd-1:02379/" -> "etcd-1:2379". Without a port, the
 * scheme's (80, 443); without either, or unparsable, returns -1. */
int config_hostport(const char *url, char *out, size_t outlen)
{
    const char *p = url, *sep = strstr(url, "://");
    char host[256];
    unsigned long port = 0;
    unsigned char buf[16];

    if (sep) {
        size_t sl = (size_t)(sep - url);
        if (sl == 4 && strncasecmp(url, "http", 4) == 0)
            port = 80;
        else if (sl == 5 && strncasecmp(url, "https", 5) == 0)
            port = 443;
        else
            return -1;
        p = sep + 3;
    }
    if (*p == '[') {
        const char *after = ipv6_bracketed(p, buf);
        if (!after || !inet_ntop(AF_INET6, buf, host + 1, sizeof host - 2))
            return -1;
        host[0] = '[';
        strcat(host, "]");
        p = after;
    } else {
        size_t hl = strcspn(p, ":/?#");
        if (hl == 0 || hl >= sizeof host)
            return -1;
        for (size_t i = 0; i < hl; i++)
            host[i] = (char)tolower((unsigned char)p[i]);
        host[hl] = '\0';
        p += hl;
    }
    if (*p == ':') {
        char *end = (char *)p + 1;
        port = isdigit((unsigned char)*end) ? strtoul(p + 1, &end, 10) : 0;
        if (port > 65535 || (*end != '\0' && !strchr("/?#", *end)))
            port = 0;
    }
    int n = snprintf(out, outlen, "%s:%lu", host, port);
    return port == 0 || n < 0 || (size_t)n >= outlen ? -1 : 0;
}

const config_member_t *config_member_for(const config_t *cfg, const char *url)
{
    char want[300], have[300];
    if (!cfg || !url || config_hostport(url, want, sizeof want) != 0)
        return NULL;
    for (int i = 0; i < cfg->n_members; i++) {
        const char *ep = cfg->members[i].endpoint;
        if (ep && config_hostport(ep, have, sizeof have) == 0 && strcmp(have, want) == 0)
            return &cfg->members[i];
    }
    return NULL;
}

/* Split and check a comma-separated endpoint list (spaces around items
 * trimmed) into items (caller-provided, CONFIG_MAX_ENDPOINTS); *n_out items,
 * owned by the caller on SET_OK. */
static int endpoint_list(const char *v, char **items, int *n_out, char *why, size_t whylen)
{
    int n = 0, rc = SET_OK;
    size_t commas = 0;

    for (const char *c = v; *c; c++)
        commas += *c == ',';
    if (commas + 1 > CONFIG_MAX_ENDPOINTS) {
        snprintf(why, whylen, "has more than %d endpoints", CONFIG_MAX_ENDPOINTS);
        return SET_BAD;
    }
    const char *p = v;
    for (;;) {
        size_t len = strcspn(p, ",");
        const char *b = p, *e = p + len;
        while (b < e && (*b == ' ' || *b == '\t')) b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
        if (b == e) {
            snprintf(why, whylen, commas ? "has an empty item" : "is empty");
            rc = SET_BAD;
            break;
        }
        char *item = strndup(b, (size_t)(e - b));
        char problem[128];
        if (!item) {
            snprintf(why, whylen, "cannot be stored (out of memory)");
            rc = SET_BAD;
            break;
        }
        int r = config_check_endpoint(item, problem, sizeof problem);
        if (r != SET_OK) {
            char shown[96];
            if (r == SET_HIDE)
                snprintf(why, whylen, "has an endpoint with %s", problem);
            else if (commas == 0)
                snprintf(why, whylen, "is not a valid endpoint: %s", problem);
            else {
                config_quote(shown, sizeof shown, item);
                snprintf(why, whylen, "has a bad endpoint %s: %s", shown, problem);
            }
            free(item);
            rc = r;
            break;
        }
        items[n++] = item;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    if (rc != SET_OK) {
        while (n > 0)
            free(items[--n]);
        return rc;
    }
    *n_out = n;
    return SET_OK;
}

/* --endpoints / ENDPOINTS / endpoints: the whole list replaces the previous one. */
static int set_endpoints(config_t *cfg, const char *v, char *why, size_t whylen)
{
    char *items[CONFIG_MAX_ENDPOINTS];
    int n = 0;
    int rc = endpoint_list(v, items, &n, why, whylen);
    if (rc == SET_OK) {
        config_endpoints_replace(cfg, items, n);
        cfg->endpoints_given = true;
    }
    return rc;
}

/* --metrics-endpoints / metrics_endpoints: /metrics URLs in member order
 * (etcd's --listen-metrics-urls), replacing the previous list. */
static int set_metrics_endpoints(config_t *cfg, const char *v, char *why, size_t whylen)
{
    char *items[CONFIG_MAX_ENDPOINTS];
    int n = 0;
    int rc = endpoint_list(v, items, &n, why, whylen);
    if (rc != SET_OK)
        return rc;
    for (int i = 0; i < cfg->n_metrics_endpoints; i++) {
        free(cfg->metrics_endpoints[i]);
        cfg->metrics_endpoints[i] = NULL;
    }
    for (int i = 0; i < n; i++)
        cfg->metrics_endpoints[i] = items[i];
    cfg->n_metrics_endpoints = n;
    return SET_OK;
}

/* ---- setters ------------------------------------------------------------- */

/* --interval / interval: whole seconds 1..300, or a duration with a unit. */
static int set_interval(config_t *cfg, const char *v, char *why, size_t whylen)
{
    uint64_t secs = 0;
    int64_t ms = 0;
    num_status_t st = parse_u64(v, &secs);
    if (st == NUM_BAD) {
        st = duration_parse(v, 0, &ms);
        if (st == NUM_BAD) {
            snprintf(why, whylen, "is not a number of seconds");
            return SET_BAD;
        }
    } else if (st == NUM_OK) {
        ms = secs <= 300 ? (int64_t)secs * 1000 : -1;
    }
    if (st == NUM_RANGE || ms < 1000 || ms > 300 * 1000) {
        snprintf(why, whylen, "is out of range (1 to 300 seconds)");
        return SET_BAD;
    }
    cfg->interval_ms = (int)ms;
    return SET_OK;
}

/* --metrics-interval / METRICS_INTERVAL / metrics_interval: same field, a duration. */
static int set_metrics_interval(config_t *cfg, const char *v, char *why, size_t whylen)
{
    int64_t ms = 0;
    if (duration_in_range(v, 1000, 1000, 300 * 1000, "1s to 300s", &ms, why, whylen))
        return SET_BAD;
    cfg->interval_ms = (int)ms;
    return SET_OK;
}

static int set_duration(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return duration_in_range(v, 60 * 1000, 0, 30 * DAY_MS, "0 to 30 days",
                             &cfg->duration_ms, why, whylen);
}

static int set_alert_level(config_t *cfg, const char *v, char *why, size_t whylen)
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

static int set_dial_timeout(config_t *cfg, const char *v, char *why, size_t whylen)
{
    int64_t ms = 0;
    if (duration_in_range(v, 1000, 100, 60 * 1000, "100ms to 60s", &ms, why, whylen))
        return SET_BAD;
    cfg->dial_timeout_ms = (int)ms;
    return SET_OK;
}

static int set_health_interval(config_t *cfg, const char *v, char *why, size_t whylen)
{
    int64_t ms = 0;
    if (duration_in_range(v, 1000, 1000, DAY_MS, "1s to 24h", &ms, why, whylen))
        return SET_BAD;
    cfg->health_check_interval_ms = (int)ms;
    return SET_OK;
}

/* --max-body-size: bytes with an optional K, M or G (binary) suffix, 4K..1G. */
static int set_max_body(config_t *cfg, const char *v, char *why, size_t whylen)
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
    num_status_t st = parse_u64(digits, &n);
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

static int set_max_latency(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return number_in_range(v, 0, true, 1e12, "greater than 0",
                           &cfg->thresholds.max_latency_ms, why, whylen);
}

static int set_max_db(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return number_in_range(v, 0, true, 1e12, "greater than 0",
                           &cfg->thresholds.max_database_size_mb, why, whylen);
}

static int set_min_nodes(config_t *cfg, const char *v, char *why, size_t whylen)
{
    uint64_t n = 0;
    num_status_t st = parse_u64(v, &n);
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

static int set_leader_changes(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return number_in_range(v, 0, false, 1e9, "0 or more",
                           &cfg->thresholds.max_leader_changes_per_hour, why, whylen);
}

static int set_error_rate(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return number_in_range(v, 0, false, 1, "0 to 1",
                           &cfg->thresholds.max_error_rate, why, whylen);
}

static int set_disk_percent(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return number_in_range(v, 0, false, 100, "0 to 100",
                           &cfg->thresholds.min_disk_space_percent, why, whylen);
}

/* Replace an owned string field by a copy of v (which must not be empty). */
static int set_string(char **field, const char *v, char *why, size_t whylen)
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

static int set_config(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return set_string(&cfg->config_path, v, why, whylen);
}

static int set_workdir(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return set_string(&cfg->workdir, v, why, whylen);
}

static int set_headless(config_t *cfg, const char *v, char *why, size_t whylen)
{
    (void)v; (void)why; (void)whylen;
    cfg->headless = true;
    return SET_OK;
}

/* true|false (also yes/no, on/off; NULL = a switch given as a flag = true). */
static int parse_bool(const char *v, bool *out, char *why, size_t whylen)
{
    if (!v || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
        strcasecmp(v, "on") == 0)
        *out = true;
    else if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
             strcasecmp(v, "off") == 0)
        *out = false;
    else {
        snprintf(why, whylen, "is not a boolean (true or false)");
        return SET_BAD;
    }
    return SET_OK;
}

/* --probe-write (v NULL) or probe_write: true|false. */
static int set_probe_write(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return parse_bool(v, &cfg->probe_write, why, whylen);
}

/* A key prefix for the write probe: printable, no spaces, 1 to 128 bytes. */
static int set_probe_prefix(config_t *cfg, const char *v, char *why, size_t whylen)
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
    return set_string(&cfg->probe_prefix, v, why, whylen);
}

static int set_theme(config_t *cfg, const char *v, char *why, size_t whylen)
{
    if (!*v) {
        snprintf(why, whylen, "is empty");
        return SET_BAD;
    }
    return set_string(&cfg->theme, v, why, whylen);
}

/* A file that must be readable now (certificates, keys, password file). */
static int set_readable_file(char **field, const char *v, char *why, size_t whylen)
{
    if (*v && access(v, R_OK) != 0) {
        snprintf(why, whylen, "cannot be read: %s", strerror(errno));
        return SET_BAD;
    }
    return set_string(field, v, why, whylen);
}

static int set_ca_file(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return set_readable_file(&cfg->ca_file, v, why, whylen);
}

static int set_cert_file(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return set_readable_file(&cfg->cert_file, v, why, whylen);
}

static int set_key_file(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return set_readable_file(&cfg->key_file, v, why, whylen);
}

static int set_insecure_skip(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return parse_bool(v, &cfg->insecure_skip_verify, why, whylen);
}

static int set_insecure_transport(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return parse_bool(v, &cfg->insecure_transport, why, whylen);
}

/* Replace a secret, wiping the old copy. */
static int set_secret(char **field, const char *v, size_t len, char *why, size_t whylen)
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
static int set_user(config_t *cfg, const char *v, char *why, size_t whylen)
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
        return set_secret(&cfg->password, colon + 1, strlen(colon + 1), why, whylen);
    return SET_OK;
}

/* --password / ETCDCTL_PASSWORD / auth.password: never echoed. */
static int set_password(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return set_secret(&cfg->password, v, strlen(v), why, whylen);
}

static int set_password_file(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return set_readable_file(&cfg->password_file, v, why, whylen);
}

/* Check an SSH target [USER@]HOST[:PORT] (--ssh, members[].ssh): a host and
 * the port 1..65535. */
static int ssh_target_check(const char *v, char *why, size_t whylen)
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
static int set_ssh(config_t *cfg, const char *v, char *why, size_t whylen)
{
    if (ssh_target_check(v, why, whylen) != SET_OK)
        return SET_BAD;
    return set_string(&cfg->ssh_target, v, why, whylen);
}

static int set_ssh_key(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return set_readable_file(&cfg->ssh_key, v, why, whylen);
}

static int set_ssh_known_hosts(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return set_string(&cfg->ssh_known_hosts, v, why, whylen);
}

static int set_ssh_accept_new(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return parse_bool(v, &cfg->ssh_accept_new, why, whylen);
}

static int set_log_source(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return parse_bool(v, &cfg->log_source, why, whylen);
}

static int set_log_command(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return set_string(&cfg->log_command, v, why, whylen);
}

static int set_log_file(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return set_string(&cfg->log_file, v, why, whylen);
}

static int set_data_dir(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return set_string(&cfg->data_dir, v, why, whylen);
}

/* --no-discover (v NULL) or no_discover: true|false. */
static int set_no_discover(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return parse_bool(v, &cfg->no_discover, why, whylen);
}

/* --no-leader-timeout / no_leader_timeout: 1s to 1h, bare number = seconds. */
static int set_no_leader_timeout(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return duration_in_range(v, 1000, 1000, 3600 * 1000, "1s to 1h",
                             &cfg->no_leader_timeout_ms, why, whylen);
}

/* --windows / windows: up to FIG_MAX_WINDOWS durations, comma-separated,
 * each 10s to 4h, in increasing order; bare numbers are seconds. */
static int set_windows(config_t *cfg, const char *v, char *why, size_t whylen)
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
        num_status_t st = (size_t)(e - b) < sizeof item ? duration_parse(item, 1000, &ms[n])
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

/* The rules: entry being read: config_file.c appends it, then applies its
 * fields through the rules.NAME.* rows below. */
static config_rule_t *rule_current(config_t *cfg, char *why, size_t whylen)
{
    if (cfg->n_rule_overrides <= 0 || cfg->n_rule_overrides > CONFIG_MAX_RULE_OVERRIDES) {
        snprintf(why, whylen, "is only valid inside the rules: block");
        return NULL;
    }
    return &cfg->rule_overrides[cfg->n_rule_overrides - 1];
}

/* rules.NAME.for: how long the condition must hold, 0 to 24h, bare = seconds. */
static int set_rule_for(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_rule_t *r = rule_current(cfg, why, whylen);
    if (!r || duration_in_range(v, 1000, 0, DAY_MS, "0 to 24h", &r->for_ms, why, whylen))
        return SET_BAD;
    r->has_for = true;
    return SET_OK;
}

/* rules.NAME.threshold: a plain decimal, 0 or more, in the rule's unit. */
static int set_rule_threshold(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_rule_t *r = rule_current(cfg, why, whylen);
    if (!r || number_in_range(v, 0, false, 1e12, "0 or more", &r->threshold, why, whylen))
        return SET_BAD;
    r->has_threshold = true;
    return SET_OK;
}

/* rules.NAME.enabled: true or false. */
static int set_rule_enabled(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_rule_t *r = rule_current(cfg, why, whylen);
    if (!r || parse_bool(v, &r->enabled, why, whylen))
        return SET_BAD;
    r->has_enabled = true;
    return SET_OK;
}

/* The members: entry being read: config_file.c appends it, then applies its
 * keys through the members[].* rows below. */
static config_member_t *member_current(config_t *cfg, char *why, size_t whylen)
{
    if (cfg->n_members <= 0 || cfg->n_members > CONFIG_MAX_ENDPOINTS) {
        snprintf(why, whylen, "is only valid inside the members: list");
        return NULL;
    }
    return &cfg->members[cfg->n_members - 1];
}

/* Store a URL of a members: entry, checked like an item of endpoints. */
static int member_url(char **field, const char *v, char *why, size_t whylen)
{
    char problem[128];
    int r = config_check_endpoint(v, problem, sizeof problem);
    if (r != SET_OK) {
        snprintf(why, whylen, "is not a valid endpoint: %s", problem);
        return r;
    }
    return set_string(field, v, why, whylen);
}

/* Store an SSH target of a members: entry, checked like --ssh. */
static int member_ssh(char **field, const char *v, char *why, size_t whylen)
{
    if (ssh_target_check(v, why, whylen) != SET_OK)
        return SET_BAD;
    return set_string(field, v, why, whylen);
}

typedef int (*member_store_fn)(char **field, const char *v, char *why, size_t whylen);

/* Store v through store in the string field at offset off of the current
 * members: entry. */
static int member_field(config_t *cfg, size_t off, member_store_fn store, const char *v,
                        char *why, size_t whylen)
{
    config_member_t *m = member_current(cfg, why, whylen);
    return m ? store((char **)(void *)((char *)m + off), v, why, whylen) : SET_BAD;
}

/* members[].endpoint: required; no two entries with the same host:port. */
static int set_member_endpoint(config_t *cfg, const char *v, char *why, size_t whylen)
{
    int r = member_field(cfg, offsetof(config_member_t, endpoint), member_url, v, why, whylen);
    const config_member_t *same = r == SET_OK ? config_member_for(cfg, v) : NULL;
    if (same && same != &cfg->members[cfg->n_members - 1]) {
        snprintf(why, whylen, "has the same host:port as members[%d]",
                 (int)(same - cfg->members));
        return SET_BAD;
    }
    return r;
}

/* Define setter name of a members[] row: the value goes to field f through store. */
#define MEMBER_SETTER(name, f, store)                                                  \
    static int name(config_t *cfg, const char *v, char *why, size_t whylen)            \
    {                                                                                  \
        return member_field(cfg, offsetof(config_member_t, f), store, v, why, whylen); \
    }
MEMBER_SETTER(set_member_metrics, metrics_endpoint, member_url)
MEMBER_SETTER(set_member_ssh, ssh_target, member_ssh)          /* ssh: or ssh.host */
MEMBER_SETTER(set_member_ssh_key, ssh_key, set_readable_file)
MEMBER_SETTER(set_member_known_hosts, ssh_known_hosts, set_string)
MEMBER_SETTER(set_member_log_command, log_command, set_string)
MEMBER_SETTER(set_member_data_dir, data_dir, set_string)
#undef MEMBER_SETTER

/* members[].ssh.accept_new: true or false. */
static int set_member_accept_new(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_member_t *m = member_current(cfg, why, whylen);
    bool b = false;
    if (!m || parse_bool(v, &b, why, whylen) != SET_OK)
        return SET_BAD;
    m->ssh_accept_new = b;
    return SET_OK;
}

/* ---- the table ----------------------------------------------------------- */

static const option_t options[] = {
    { "endpoints", 0, OPT_VALUE, "LIST", { "ENDPOINTS", "ETCDCTL_ENDPOINTS" }, "endpoints",
      "127.0.0.1:2379",
      "etcd members, comma-separated: host:port, http://host:port or "
      "https://host:port, [::1]:2379 for IPv6; at most " XSTR(CONFIG_MAX_ENDPOINTS),
      set_endpoints, OPT_LIST },
    { "interval", 0, OPT_VALUE, "SECONDS", { NULL, NULL }, "interval", "5",
      "seconds between polls, 1 to 300; 10s or 1m also work",
      set_interval, 0 },
    { "metrics-interval", 0, OPT_VALUE, "DURATION", { "METRICS_INTERVAL", NULL },
      "metrics_interval", NULL,
      "the poll interval as a duration, 1s to 300s, bare number = seconds; "
      "same setting as --interval",
      set_metrics_interval, 0 },
    { "duration", 0, OPT_VALUE, "DURATION", { NULL, NULL }, "duration", "0",
      "stop after this long: bare number = minutes, or 30s, 2m, 1h; "
      "0 = until stopped; at most 30 days",
      set_duration, 0 },
    { "alert-threshold", 0, OPT_VALUE, "LEVEL", { NULL, NULL }, "alert_threshold", "warning",
      "how sensitive the alert rules are: critical (fewest alerts), "
      "warning or info (most alerts)",
      set_alert_level, 0 },
    { "dial-timeout", 0, OPT_VALUE, "DURATION", { NULL, NULL }, "dial_timeout", "5s",
      "connect timeout per request, 100ms to 60s; bare number = seconds",
      set_dial_timeout, 0 },
    { "health-check-interval", 0, OPT_VALUE, "DURATION", { "HEALTH_CHECK_INTERVAL", NULL },
      "health_check_interval", "30s",
      "how often to re-read the member list and alarms, 1s to 24h; "
      "bare number = seconds",
      set_health_interval, 0 },
    { "max-body-size", 0, OPT_VALUE, "BYTES", { NULL, NULL }, "max_body_size", "16M",
      "largest response body accepted, 4K to 1G; suffix K, M or G = KiB, MiB, GiB",
      set_max_body, 0 },
    { "max-latency-ms", 0, OPT_VALUE, "N", { NULL, NULL }, "alert_thresholds.max_latency_ms",
      "100", "request latency alert threshold in milliseconds, greater than 0",
      set_max_latency, 0 },
    { "max-db-size-mb", 0, OPT_VALUE, "N", { NULL, NULL },
      "alert_thresholds.max_database_size_mb", "8192",
      "database size alert threshold in MiB, greater than 0",
      set_max_db, 0 },
    { "windows", 0, OPT_VALUE, "LIST", { NULL, NULL }, "windows", "1m,5m,15m,1h",
      "the sliding windows of the statistics and rules: at most "
      XSTR(FIG_MAX_WINDOWS) " durations, comma-separated, increasing, each 10s to 4h",
      set_windows, OPT_LIST },
    { "no-leader-timeout", 0, OPT_VALUE, "DURATION", { NULL, NULL }, "no_leader_timeout", "60s",
      "how long the cluster may be without a leader before EtcdNoLeader fires, "
      "1s to 1h; bare number = seconds",
      set_no_leader_timeout, 0 },
    { "config", 0, OPT_VALUE, "FILE", { NULL, NULL }, NULL, NULL,
      "read settings from this YAML file",
      set_config, OPT_CONFIG },
    { "workdir", 0, OPT_VALUE, "DIR", { NULL, NULL }, "workdir", NULL,
      "write the CSV files and logs here instead of "
      ".work/etcd-realtime/YYYYmmdd_HHMMSS",
      set_workdir, 0 },
    { "headless", 0, OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "no terminal interface: poll and write the CSV files only",
      set_headless, 0 },
    { "no-discover", 0, OPT_NOARG, NULL, { NULL, NULL }, "no_discover", NULL,
      "poll only the given endpoints; do not add members from the member list",
      set_no_discover, 0 },
    { "cacert", 0, OPT_VALUE, "FILE", { "ETCDCTL_CACERT", NULL }, "tls.ca_file", NULL,
      "verify the members' certificates with this CA bundle; with it every endpoint "
      "given without a scheme uses https",
      set_ca_file, 0 },
    { "cert", 0, OPT_VALUE, "FILE", { "ETCDCTL_CERT", NULL }, "tls.cert_file", NULL,
      "client certificate (PEM) for members that demand one",
      set_cert_file, 0 },
    { "key", 0, OPT_VALUE, "FILE", { "ETCDCTL_KEY", NULL }, "tls.key_file", NULL,
      "private key (PEM) of the client certificate",
      set_key_file, 0 },
    { "insecure-skip-tls-verify", 0, OPT_NOARG, NULL, { "ETCDCTL_INSECURE_SKIP_TLS_VERIFY", NULL },
      "tls.insecure_skip_verify", NULL,
      "do NOT verify the members' certificates or names (shown in the header and "
      "logged); alias --insecure-skip-verify",
      set_insecure_skip, 0 },
    { "insecure-skip-verify", 0, OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "same as --insecure-skip-tls-verify",
      set_insecure_skip, 0 },
    { "insecure-transport", 0, OPT_NOARG, NULL, { NULL, NULL }, "tls.insecure_transport", NULL,
      "keep plain http for endpoints given without a scheme even when TLS files "
      "are set",
      set_insecure_transport, 0 },
    { "use-proxy-env", 0, OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "let member traffic go through the proxy that http_proxy, https_proxy or "
      "ALL_PROXY names (by default it never does: it carries the etcd token and password)",
      config_set_use_proxy_env, 0 },
    { "metrics-endpoints", 0, OPT_VALUE, "LIST", { NULL, NULL }, "metrics_endpoints", NULL,
      "scrape /metrics from these URLs instead of the client URLs (etcd's "
      "--listen-metrics-urls), in the order of --endpoints",
      set_metrics_endpoints, OPT_LIST },
    { "user", 0, OPT_VALUE, "NAME[:PASSWORD]", { "ETCDCTL_USER", NULL }, "auth.user", NULL,
      "etcd user name (and password) for clusters with auth enabled",
      set_user, 0 },
    { "password", 0, OPT_VALUE, "PASSWORD", { "ETCDCTL_PASSWORD", NULL }, "auth.password", NULL,
      "etcd password (prefer --password-file or the environment: a flag is seen by "
      "other users until it is scrubbed)",
      set_password, 0 },
    { "password-file", 0, OPT_VALUE, "FILE", { NULL, NULL }, "auth.password_file", NULL,
      "read the etcd password from the first line of FILE",
      set_password_file, 0 },
    { "ssh", 0, OPT_VALUE, "[USER@]HOST[:PORT]", { NULL, NULL }, "ssh.host", NULL,
      "reach the members through an SSH tunnel via this host (host key checked "
      "against known_hosts; ssh-agent, then --ssh-key)",
      set_ssh, 0 },
    { "ssh-key", 0, OPT_VALUE, "FILE", { NULL, NULL }, "ssh.key_file", NULL,
      "private key for SSH, tried after ssh-agent",
      set_ssh_key, 0 },
    { "ssh-known-hosts", 0, OPT_VALUE, "FILE", { NULL, NULL }, "ssh.known_hosts", NULL,
      "known_hosts file to check the SSH host key against (default ~/.ssh/known_hosts)",
      set_ssh_known_hosts, 0 },
    { "ssh-accept-new", 0, OPT_NOARG, NULL, { NULL, NULL }, "ssh.accept_new", NULL,
      "accept an unknown SSH host key (never a changed one), without writing it down",
      set_ssh_accept_new, 0 },
    { "log-source", 0, OPT_NOARG, NULL, { NULL, NULL }, "ssh.log_source", NULL,
      "watch each member's etcd log over SSH with --log-command",
      set_log_source, 0 },
    { "log-command", 0, OPT_VALUE, "CMD", { NULL, NULL }, "ssh.log_command",
      "journalctl -u etcd -f -o cat",
      "read-only command that follows etcd's log on a member host",
      set_log_command, 0 },
    { "log-file", 0, OPT_VALUE, "PATH", { NULL, NULL }, "log_file", NULL,
      "follow a local etcd log file instead",
      set_log_file, 0 },
    { "data-dir", 0, OPT_VALUE, "PATH", { NULL, NULL }, "ssh.data_dir", "/var/lib/etcd",
      "etcd's data directory on the member hosts, for the disk space figure (df -P)",
      set_data_dir, 0 },
    { "probe-write", 0, OPT_NOARG, NULL, { NULL, NULL }, "probe_write", NULL,
      "also time one write per member per poll (a key under --probe-prefix, "
      "deleted on exit)",
      set_probe_write, 0 },
    { "probe-prefix", 0, OPT_VALUE, "PREFIX", { NULL, NULL }, "probe_prefix",
      "/etcd-monitor/probe/",
      "key prefix of the write probe; the key is PREFIX followed by the member name",
      set_probe_prefix, 0 },
    { "theme", 0, OPT_VALUE, "NAME|FILE", { NULL, NULL }, "theme", NULL,
      "dashboard colours: default, light, solarized, mono, or a .theme file "
      "(NO_COLOR forces mono)",
      set_theme, 0 },
    { "version", 0, OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "print the version and exit",
      NULL, OPT_VERSION },
    { "help", 'h', OPT_NOARG, NULL, { NULL, NULL }, NULL, NULL,
      "print this help and exit",
      NULL, OPT_HELP },
    /* Config-file keys without a flag. */
    { NULL, 0, OPT_VALUE, "N", { NULL, NULL }, "alert_thresholds.min_available_nodes", "2",
      "members that must be up, 0 to 1000", set_min_nodes, 0 },
    { NULL, 0, OPT_VALUE, "N", { NULL, NULL },
      "alert_thresholds.max_leader_changes_per_hour", "3",
      "leader changes per hour, 0 or more", set_leader_changes, 0 },
    { NULL, 0, OPT_VALUE, "RATE", { NULL, NULL }, "alert_thresholds.max_error_rate", "0.05",
      "failed requests per request, 0 to 1", set_error_rate, 0 },
    { NULL, 0, OPT_VALUE, "PERCENT", { NULL, NULL },
      "alert_thresholds.min_disk_space_percent", "10",
      "free backend quota in percent, 0 to 100", set_disk_percent, 0 },
    { NULL, 0, OPT_BLOCK, NULL, { NULL, NULL }, "rules", NULL,
      "per-rule overrides: a mapping from rule names (see the man page, RULES) "
      "to the keys below", NULL, 0 },
    { NULL, 0, OPT_VALUE, "DURATION", { NULL, NULL }, "rules.NAME.for", NULL,
      "how long the condition must hold before the alert fires, 0 to 24h",
      set_rule_for, 0 },
    { NULL, 0, OPT_VALUE, "N", { NULL, NULL }, "rules.NAME.threshold", NULL,
      "replaces the rule's threshold, in its unit", set_rule_threshold, 0 },
    { NULL, 0, OPT_VALUE, "BOOL", { NULL, NULL }, "rules.NAME.enabled", NULL,
      "false turns the rule off", set_rule_enabled, 0 },
    { NULL, 0, OPT_BLOCK, NULL, { NULL, NULL }, "members", NULL,
      "per-member settings: a list of mappings with the keys below, at most "
      XSTR(CONFIG_MAX_ENDPOINTS) "; their endpoints are polled when no endpoints are given",
      NULL, 0 },
    { NULL, 0, OPT_VALUE, "URL", { NULL, NULL }, "members[].endpoint", NULL,
      "the member's client URL (required): the entry applies to the member, "
      "given or discovered, with the same host:port", set_member_endpoint, 0 },
    { NULL, 0, OPT_VALUE, "URL", { NULL, NULL }, "members[].metrics_endpoint", NULL,
      "its /metrics URL, where --metrics-endpoints has none", set_member_metrics, 0 },
    { NULL, 0, OPT_VALUE, "[USER@]HOST[:PORT]", { NULL, NULL }, "members[].ssh", NULL,
      "the member's own host for SSH (through --ssh when that is set too), or a "
      "mapping of host and the keys below", set_member_ssh, 0 },
    { NULL, 0, OPT_VALUE, "[USER@]HOST[:PORT]", { NULL, NULL }, "members[].ssh.host", NULL,
      "the same, inside the mapping (required there)", set_member_ssh, 0 },
    { NULL, 0, OPT_VALUE, "FILE", { NULL, NULL }, "members[].ssh.key_file", NULL,
      "replaces --ssh-key for this member", set_member_ssh_key, 0 },
    { NULL, 0, OPT_VALUE, "FILE", { NULL, NULL }, "members[].ssh.known_hosts", NULL,
      "replaces --ssh-known-hosts for this member", set_member_known_hosts, 0 },
    { NULL, 0, OPT_VALUE, "BOOL", { NULL, NULL }, "members[].ssh.accept_new", NULL,
      "replaces --ssh-accept-new for this member", set_member_accept_new, 0 },
    { NULL, 0, OPT_VALUE, "CMD", { NULL, NULL }, "members[].log_command", NULL,
      "replaces --log-command for this member", set_member_log_command, 0 },
    { NULL, 0, OPT_VALUE, "PATH", { NULL, NULL }, "members[].data_dir", NULL,
      "replaces --data-dir for this member", set_member_data_dir, 0 },
    { NULL, 0, OPT_BLOCK, NULL, { NULL, NULL }, "api", NULL,
      "API server settings", NULL, OPT_UNUSED },
    { NULL, 0, OPT_BLOCK, NULL, { NULL, NULL }, "alerts", NULL,
      "alerting channels", NULL, OPT_UNUSED },
    { NULL, 0, OPT_BLOCK, NULL, { NULL, NULL }, "benchmark", NULL,
      "benchmark settings", NULL, OPT_UNUSED },
};

const char *const config_nested_blocks[] = { "alert_thresholds", "tls", "auth", "ssh", NULL };

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

/* ---- errors -------------------------------------------------------------- */

void config_quote(char *dst, size_t n, const char *s)
{
    enum { MAX_SHOWN = 60 };
    size_t o = 0, shown = 0;
    if (n == 0)
        return;
#define PUT(c) do { if (o + 1 < n) dst[o++] = (c); } while (0)
    PUT('"');
    for (; *s && shown < MAX_SHOWN; s++, shown++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            PUT('\\');
            PUT((char)c);
        } else if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            PUT('\\'); PUT('x'); PUT(hex[c >> 4]); PUT(hex[c & 15]);
        } else {
            PUT((char)c);
        }
    }
    PUT('"');
    if (*s) { PUT('.'); PUT('.'); PUT('.'); }
#undef PUT
    dst[o] = '\0';
}

int config_apply(config_t *cfg, const option_t *opt, const char *where, const char *name,
                 const char *value, bool hide, char *err, size_t errlen)
{
    char why[256] = "", shown[256];
    int r = opt->set(cfg, value, why, sizeof why);
    if (r == SET_OK)
        return 0;
    if (!why[0])
        snprintf(why, sizeof why, "is not valid");
    if (hide || r == SET_HIDE || !value)
        snprintf(shown, sizeof shown, "the value");
    else
        config_quote(shown, sizeof shown, value);
    snprintf(err, errlen, "%s%s%s: %s %s", where ? where : "", where ? ": " : "", name,
             shown, why);
    return -1;
}

/* ---- argv ---------------------------------------------------------------- */

/* Decode the option at argv[*i] (and its value, maybe argv[*i + 1]), moving *i
 * past it. Returns 1 with *opt and *value set, 0 at the end, -1 with err set. */
static int args_next(int argc, char **argv, int *i, const option_t **opt,
                     const char **value, char *err, size_t errlen)
{
    char shown[128];
    size_t n;
    const option_t *tab = config_options(&n);

    if (*i >= argc)
        return 0;
    const char *arg = argv[*i];
    if (strcmp(arg, "--") == 0) {
        if (*i + 1 >= argc)
            return 0;
        config_quote(shown, sizeof shown, argv[*i + 1]);
        snprintf(err, errlen, "unexpected argument %s (see --help)", shown);
        return -1;
    }
    *opt = NULL;
    *value = NULL;
    const char *eq = NULL;
    if (arg[0] == '-' && arg[1] == '-') {
        const char *name = arg + 2;
        eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (size_t k = 0; k < n; k++)
            if (tab[k].flag && strlen(tab[k].flag) == len &&
                strncmp(tab[k].flag, name, len) == 0)
                *opt = &tab[k];
        if (!*opt) {
            char flag[96];
            snprintf(flag, sizeof flag, "%.*s", (int)(len < 80 ? len + 2 : 82), arg);
            config_quote(shown, sizeof shown, flag);
            shown[strlen(shown) - 1] = '\0';   /* print it bare: --intervall */
            snprintf(err, errlen, "unknown option %s (see --help)", shown + 1);
            return -1;
        }
    } else if (arg[0] == '-' && arg[1] != '\0') {
        for (size_t k = 0; k < n; k++)
            if (tab[k].short_name && arg[1] == tab[k].short_name && arg[2] == '\0')
                *opt = &tab[k];
        if (!*opt) {
            config_quote(shown, sizeof shown, arg);
            shown[strlen(shown) - 1] = '\0';
            snprintf(err, errlen, "unknown option %s (see --help)", shown + 1);
            return -1;
        }
    } else {
        config_quote(shown, sizeof shown, arg);
        snprintf(err, errlen, "unexpected argument %s (see --help)", shown);
        return -1;
    }
    (*i)++;

    if ((*opt)->kind == OPT_NOARG) {
        if (eq) {
            config_quote(shown, sizeof shown, eq + 1);
            snprintf(err, errlen, "--%s: %s is not accepted (the option takes no value)",
                     (*opt)->flag, shown);
            return -1;
        }
        return 1;
    }
    if (eq) {
        *value = eq + 1;
    } else if (*i < argc && !(argv[*i][0] == '-' && argv[*i][1] == '-' && argv[*i][2])) {
        *value = argv[(*i)++];
    } else {
        snprintf(err, errlen, "--%s: missing value", (*opt)->flag);
        return -1;
    }
    if (**value == '\0') {
        snprintf(err, errlen, "--%s: missing value", (*opt)->flag);
        return -1;
    }
    return 1;
}

/* ---- config_load / config_free ------------------------------------------- */

/* Apply every row's default through its setter: the table is the one source. */
static int apply_defaults(config_t *cfg, char *err, size_t errlen)
{
    size_t n;
    const option_t *tab = config_options(&n);
    for (size_t k = 0; k < n; k++) {
        if (!tab[k].def || !tab[k].set)
            continue;
        char name[96];
        snprintf(name, sizeof name, "internal error: default of %s",
                 tab[k].flag ? tab[k].flag : tab[k].key);
        if (config_apply(cfg, &tab[k], NULL, name, tab[k].def, false, err, errlen))
            return -1;
    }
    cfg->endpoints_given = false;      /* the default endpoint is not "given" */
    return 0;
}

/* Environment variables: for each row the first non-empty variable wins. */
static int apply_env(config_t *cfg, char *err, size_t errlen)
{
    size_t n;
    const option_t *tab = config_options(&n);
    for (size_t k = 0; k < n; k++) {
        for (int e = 0; e < 2 && tab[k].env[e]; e++) {
            const char *v = getenv(tab[k].env[e]);
            if (!v || *v == '\0')
                continue;
            if (config_apply(cfg, &tab[k], NULL, tab[k].env[e], v, false, err, errlen))
                return -1;
            break;
        }
    }
    return 0;
}

/* Replace cfg's endpoints by copies of the members: entries' endpoints, in file order. */
static int members_endpoints(config_t *cfg)
{
    char *items[CONFIG_MAX_ENDPOINTS];
    for (int i = 0; i < cfg->n_members; i++) {
        if (!(items[i] = strdup(cfg->members[i].endpoint))) {
            while (i > 0)
                free(items[--i]);
            return -1;
        }
    }
    config_endpoints_replace(cfg, items, cfg->n_members);
    return 0;
}

/* After the flags: poll the members: entries' endpoints when no endpoints were
 * given, and give each endpoint without a metrics URL at its position (from
 * --metrics-endpoints) its entry's metrics_endpoint, leaving NULL in between.
 * Returns 0, or -1 when out of memory. */
static int members_finalize(config_t *cfg)
{
    if (!cfg->endpoints_given && cfg->n_members > 0 && members_endpoints(cfg))
        return -1;
    for (int i = 0; i < cfg->n_endpoints; i++) {
        const config_member_t *m = config_member_for(cfg, cfg->endpoints[i]);
        if (!m || !m->metrics_endpoint ||
            (i < cfg->n_metrics_endpoints && cfg->metrics_endpoints[i]))
            continue;
        if (!(cfg->metrics_endpoints[i] = strdup(m->metrics_endpoint)))
            return -1;
        if (cfg->n_metrics_endpoints <= i)
            cfg->n_metrics_endpoints = i + 1;
    }
    return 0;
}

config_result_t config_load(config_t *cfg, int argc, char **argv, char *err, size_t errlen)
{
    char scratch[512];
    const char *config_path = NULL;
    const option_t *opt;
    const char *value;
    int i, r;

    if (!err || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    err[0] = '\0';
    memset(cfg, 0, sizeof *cfg);
    if (apply_defaults(cfg, err, errlen))
        goto fail;

    /* Pass 1: syntax of every argument; --help, --version and --config. */
    for (i = 1; (r = args_next(argc, argv, &i, &opt, &value, err, errlen)) != 0;) {
        if (r < 0)
            goto fail;
        if (opt->attrs & OPT_HELP) {
            config_usage(stdout);
            config_free(cfg);
            return CONFIG_EXIT;
        }
        if (opt->attrs & OPT_VERSION) {
            printf("etcd-monitor %s\n", EM_VERSION);
            config_free(cfg);
            return CONFIG_EXIT;
        }
        if (opt->attrs & OPT_CONFIG)
            config_path = value;
    }
    if (config_path) {
        if (set_config(cfg, config_path, err, errlen) ||
            config_file_load(cfg, config_path, err, errlen))
            goto fail;
    }
    if (apply_env(cfg, err, errlen))
        goto fail;

    /* Pass 2: the flags' values, in order, so later repeats win. */
    for (i = 1; (r = args_next(argc, argv, &i, &opt, &value, err, errlen)) > 0;) {
        char name[64];
        if (opt->attrs & OPT_CONFIG)
            continue;
        snprintf(name, sizeof name, "--%s", opt->flag);
        if (config_apply(cfg, opt, NULL, name, value, false, err, errlen))
            goto fail;
    }
    if (r < 0)
        goto fail;
    if (members_finalize(cfg)) {
        snprintf(err, errlen, "members: out of memory");
        goto fail;
    }
    return CONFIG_OK;

fail:
    config_free(cfg);
    return CONFIG_ERROR;
}

/* Fill a secret's bytes in place with '*' (the process title shows argv). */
static void scrub(char *p)
{
    for (; *p; p++)
        *p = '*';
}

void config_scrub_argv(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (strcmp(a, "--password") == 0 && i + 1 < argc)
            scrub(argv[++i]);
        else if (strncmp(a, "--password=", 11) == 0)
            scrub(a + 11);
        else if (strcmp(a, "--user") == 0 && i + 1 < argc && strchr(argv[i + 1], ':'))
            scrub(strchr(argv[++i], ':') + 1);
        else if (strncmp(a, "--user=", 7) == 0 && strchr(a, ':'))
            scrub(strchr(a, ':') + 1);
    }
}

void config_members_free(config_t *cfg)
{
    for (int i = 0; i < cfg->n_members && i < CONFIG_MAX_ENDPOINTS; i++) {
        config_member_t *m = &cfg->members[i];
        free(m->endpoint);
        free(m->metrics_endpoint);
        free(m->ssh_target);
        free(m->ssh_key);
        free(m->ssh_known_hosts);
        free(m->log_command);
        free(m->data_dir);
        memset(m, 0, sizeof *m);
    }
    cfg->n_members = 0;
}

/* Free everything cfg owns and leave it zeroed (calling it twice is harmless). */
void config_free(config_t *cfg)
{
    if (!cfg)
        return;
    config_members_free(cfg);
    for (int i = 0; i < cfg->n_endpoints && i < CONFIG_MAX_ENDPOINTS; i++)
        free(cfg->endpoints[i]);
    free(cfg->config_path);
    free(cfg->workdir);
    free(cfg->ignored_keys);
    free(cfg->probe_prefix);
    free(cfg->theme);
    free(cfg->ca_file);
    free(cfg->cert_file);
    free(cfg->key_file);
    for (int i = 0; i < cfg->n_metrics_endpoints && i < CONFIG_MAX_ENDPOINTS; i++)
        free(cfg->metrics_endpoints[i]);     /* NULL entries too */
    free(cfg->user);
    if (cfg->password)
        explicit_bzero(cfg->password, strlen(cfg->password));
    free(cfg->password);
    free(cfg->password_file);
    free(cfg->ssh_target);
    free(cfg->ssh_key);
    free(cfg->ssh_known_hosts);
    free(cfg->log_command);
    free(cfg->log_file);
    free(cfg->data_dir);
    free(cfg->warnings);
    memset(cfg, 0, sizeof *cfg);
}

/* ---- usage --------------------------------------------------------------- */

/* Print left, then text word-wrapped into a column starting at COL. */
static void usage_item(FILE *f, const char *left, const char *text)
{
    enum { COL = 30, WIDTH = 79 };
    int col = fprintf(f, "%s", left);
    if (col > COL - 2) {
        fputc('\n', f);
        col = 0;
    }
    fprintf(f, "%*s", COL - col, "");
    col = COL;
    bool line_start = true;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        int w = (int)strcspn(p, " ");
        if (!line_start && col + 1 + w > WIDTH) {
            fprintf(f, "\n%*s", COL, "");
            col = COL;
            line_start = true;
        }
        if (!line_start) {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, (size_t)w, f);
        col += w;
        p += w;
        line_start = false;
    }
    fputc('\n', f);
}

/* The help text of a row followed by its default, environment and file key. */
static void usage_text(const option_t *o, char *buf, size_t n)
{
    size_t len = (size_t)snprintf(buf, n, "%s", o->help);
    const char *sep = " (";
#define ADD(...) do { if (len < n) len += (size_t)snprintf(buf + len, n - len, __VA_ARGS__); } while (0)
    if (o->def) { ADD("%sdefault %s", sep, o->def); sep = "; "; }
    if (o->env[0]) {
        ADD("%senv %s", sep, o->env[0]);
        if (o->env[1])
            ADD(", then %s", o->env[1]);
        sep = "; ";
    }
    if (o->key && o->flag) { ADD("%sfile key %s", sep, o->key); sep = "; "; }
    if ((o->attrs & OPT_UNUSED) && o->kind != OPT_BLOCK) { ADD("%snot used yet", sep); sep = "; "; }
    if (sep[0] == ';')
        ADD(")");
#undef ADD
}

void config_usage(FILE *f)
{
    size_t n;
    const option_t *tab = config_options(&n);
    char left[96], text[512];

    fprintf(f, "usage: etcd-monitor [options]\n\n"
               "Watch a live etcd cluster in the terminal, or write CSV files with "
               "--headless.\n\nOptions:\n");
    for (size_t k = 0; k < n; k++) {
        const option_t *o = &tab[k];
        if (!o->flag)
            continue;
        int l = o->short_name ? snprintf(left, sizeof left, "  -%c, --%s", o->short_name, o->flag)
                              : snprintf(left, sizeof left, "  --%s", o->flag);
        if (o->kind == OPT_VALUE)
            snprintf(left + l, sizeof left - (size_t)l, " %s", o->metavar);
        usage_text(o, text, sizeof text);
        usage_item(f, left, text);
    }
    fprintf(f, "\nConfig file keys without a flag:\n");
    for (size_t k = 0; k < n; k++) {
        const option_t *o = &tab[k];
        if (o->flag || (o->kind == OPT_BLOCK && (o->attrs & OPT_UNUSED)))
            continue;
        snprintf(left, sizeof left, "  %s", o->key);
        usage_text(o, text, sizeof text);
        usage_item(f, left, text);
    }
    fprintf(f, "\nAccepted but not used yet, whole blocks:");
    for (size_t k = 0, first = 1; k < n; k++)
        if (tab[k].kind == OPT_BLOCK && (tab[k].attrs & OPT_UNUSED)) {
            fprintf(f, "%s %s", first ? "" : ",", tab[k].key);
            first = 0;
        }
    fprintf(f, ".\n\nPrecedence: flags > environment > config file > defaults.\n"
               "Durations: 500ms, 5s, 2m, 1h, 1.5s, 1h30m.\n");
}
