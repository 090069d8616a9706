/* config_alerts.c — the alert delivery settings (config_alerts.h): one
 * `alerts:` entry's keys, their checks and defaults, the quick flags and the
 * silences. Errors never hold a value: URLs, keys and passwords are secrets. */
#include "config.h"
#include "config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *const type_names[CHAN_TYPE_COUNT] = {
    "console", "webhook", "slack", "pagerduty", "alertmanager", "email"
};

/* The keys of an entry; the bit of key i is 1u << i. */
enum {
    K_TYPE, K_NAME, K_URL, K_WEBHOOK_URL, K_CHANNEL, K_USERNAME, K_PASSWORD, K_PASSWORD_FILE,
    K_SMTP_SERVER, K_SMTP_PORT, K_SMTP_TLS, K_FROM, K_TO, K_INTEGRATION_KEY,
    K_INTEGRATION_KEY_FILE, K_HEADERS, K_CA_FILE, K_MIN_SEVERITY, K_SEND_RESOLVED,
    K_GROUP_WINDOW, K_RATE_LIMIT, K_TIMEOUT, K_QUEUE_SIZE, K_REPEAT_INTERVAL, K_COUNT
};
static const char *const key_names[K_COUNT] = {
    "type", "name", "url", "webhook_url", "channel", "username", "password", "password_file",
    "smtp_server", "smtp_port", "smtp_tls", "from", "to", "integration_key",
    "integration_key_file", "headers", "ca_file", "min_severity", "send_resolved",
    "group_window", "rate_limit", "timeout", "queue_size", "repeat_interval"
};
#define B(k) (1u << (k))
#define COMMON (B(K_TYPE) | B(K_NAME) | B(K_CA_FILE) | B(K_MIN_SEVERITY) | B(K_SEND_RESOLVED) | \
                B(K_GROUP_WINDOW) | B(K_RATE_LIMIT) | B(K_TIMEOUT) | B(K_QUEUE_SIZE))
/* The keys each type takes. */
static const uint32_t type_keys[CHAN_TYPE_COUNT] = {
    [CHAN_CONSOLE] = COMMON,
    [CHAN_WEBHOOK] = COMMON | B(K_URL) | B(K_HEADERS),
    [CHAN_SLACK] = COMMON | B(K_WEBHOOK_URL) | B(K_URL) | B(K_CHANNEL) | B(K_USERNAME),
    [CHAN_PAGERDUTY] = COMMON | B(K_INTEGRATION_KEY) | B(K_INTEGRATION_KEY_FILE) | B(K_URL),
    [CHAN_ALERTMANAGER] = COMMON | B(K_URL) | B(K_HEADERS) | B(K_REPEAT_INTERVAL),
    [CHAN_EMAIL] = COMMON | B(K_SMTP_SERVER) | B(K_SMTP_PORT) | B(K_SMTP_TLS) | B(K_FROM) |
                   B(K_TO) | B(K_USERNAME) | B(K_PASSWORD) | B(K_PASSWORD_FILE),
};

int alerts_type_find(const char *name)
{
    for (int t = 0; t < CHAN_TYPE_COUNT; t++)
        if (strcmp(type_names[t], name) == 0)
            return t;
    return -1;
}

const char *alerts_type_name(chan_type_t t)
{
    return (unsigned)t < CHAN_TYPE_COUNT ? type_names[t] : "?";
}

config_channel_t *alerts_channel_new(config_alerts_t *a, chan_type_t type)
{
    if (a->n >= ALERTS_MAX_CHANNELS)
        return NULL;
    config_channel_t *c = &a->ch[a->n++];
    memset(c, 0, sizeof *c);
    c->type = type;
    c->smtp_tls = -1;
    c->min_severity = 1;
    c->send_resolved = true;
    c->group_ms = 5000;
    c->rate_limit = 20;
    c->timeout_ms = 10000;
    c->queue_size = 100;
    c->repeat_ms = 60000;
    return c;
}

/* Printable, no CR/LF or other control bytes (the value may reach a header). */
static bool is_clean(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

static int store(char **field, const char *v, char *why, size_t whylen)
{
    if (!*v) {
        snprintf(why, whylen, "is empty");
        return SET_BAD;
    }
    if (!is_clean(v)) {
        snprintf(why, whylen, "holds control characters (CR, LF, ...)");
        return SET_BAD;
    }
    char *copy = strdup(v);
    if (!copy) {
        snprintf(why, whylen, "cannot be stored (out of memory)");
        return SET_BAD;
    }
    if (*field)
        explicit_bzero(*field, strlen(*field));
    free(*field);
    *field = copy;
    return SET_OK;
}

static int store_url(char **field, const char *v, char *why, size_t whylen)
{
    if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
        snprintf(why, whylen, "must be an http:// or https:// URL");
        return SET_BAD;
    }
    char host[256];
    alerts_url_host(v, host, sizeof host);
    if (!host[0]) {
        snprintf(why, whylen, "has no host");
        return SET_BAD;
    }
    return store(field, v, why, whylen);
}

static int store_file(char **field, const char *v, char *why, size_t whylen)
{
    if (*v && access(v, R_OK) != 0) {
        snprintf(why, whylen, "cannot be read: %s", strerror(errno));
        return SET_BAD;
    }
    return store(field, v, why, whylen);
}

static int store_int(int *field, const char *v, long lo, long hi, char *why, size_t whylen)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!isdigit((unsigned char)*v) || *end || errno || n < lo || n > hi) {
        snprintf(why, whylen, "must be a whole number from %ld to %ld", lo, hi);
        return SET_BAD;
    }
    *field = (int)n;
    return SET_OK;
}

static int store_duration(int64_t *field, const char *v, int64_t lo, int64_t hi,
                          const char *range, char *why, size_t whylen)
{
    int64_t ms;
    if (config_parse_duration(v, 1000, &ms) != 0 || ms < lo || ms > hi) {
        snprintf(why, whylen, "must be a duration from %s", range);
        return SET_BAD;
    }
    *field = ms;
    return SET_OK;
}

static int store_bool(bool *field, const char *v, char *why, size_t whylen)
{
    if (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0)
        *field = true;
    else if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
             strcasecmp(v, "off") == 0)
        *field = false;
    else {
        snprintf(why, whylen, "is not a boolean (true or false)");
        return SET_BAD;
    }
    return SET_OK;
}

/* An address for SMTP: something@something, no spaces, angle brackets or controls. */
static bool is_address(const char *v)
{
    const char *at = strchr(v, '@');
    if (!at || at == v || !at[1] || strlen(v) > 254)
        return false;
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == ',' || *p == 0x7f)
            return false;
    return true;
}

static int set_key(config_channel_t *c, int k, const char *v, char *why, size_t whylen)
{
    switch (k) {
    case K_TYPE: {
        int t = alerts_type_find(v);
        if (t < 0) {
            snprintf(why, whylen, "is not a channel type (console, slack, email, pagerduty, "
                     "webhook, alertmanager)");
            return SET_BAD;
        }
        c->type = (chan_type_t)t;
        return SET_OK;
    }
    case K_NAME: return store(&c->name, v, why, whylen);
    case K_URL:
    case K_WEBHOOK_URL: return store_url(&c->url, v, why, whylen);
    case K_CHANNEL: return store(&c->channel, v, why, whylen);
    case K_USERNAME: return store(&c->username, v, why, whylen);
    case K_PASSWORD: return store(&c->password, v, why, whylen);
    case K_PASSWORD_FILE: return store_file(&c->password_file, v, why, whylen);
    case K_SMTP_SERVER: return store(&c->smtp_server, v, why, whylen);
    case K_SMTP_PORT: return store_int(&c->smtp_port, v, 1, 65535, why, whylen);
    case K_SMTP_TLS:
        if (strcmp(v, "starttls") == 0) c->smtp_tls = SMTP_TLS_STARTTLS;
        else if (strcmp(v, "tls") == 0) c->smtp_tls = SMTP_TLS_TLS;
        else if (strcmp(v, "none") == 0) c->smtp_tls = SMTP_TLS_NONE;
        else {
            snprintf(why, whylen, "must be starttls, tls or none");
            return SET_BAD;
        }
        return SET_OK;
    case K_FROM:
        if (!is_address(v)) {
            snprintf(why, whylen, "is not a mail address");
            return SET_BAD;
        }
        return store(&c->from, v, why, whylen);
    case K_TO:
        if (!is_address(v)) {
            snprintf(why, whylen, "is not a mail address");
            return SET_BAD;
        }
        if (c->n_to >= ALERTS_MAX_TO) {
            snprintf(why, whylen, "has more than %d addresses", ALERTS_MAX_TO);
            return SET_BAD;
        }
        c->to[c->n_to] = NULL;
        if (store(&c->to[c->n_to], v, why, whylen))
            return SET_BAD;
        c->n_to++;
        return SET_OK;
    case K_INTEGRATION_KEY: return store(&c->integration_key, v, why, whylen);
    case K_INTEGRATION_KEY_FILE: return store_file(&c->integration_key_file, v, why, whylen);
    case K_CA_FILE: return store_file(&c->ca_file, v, why, whylen);
    case K_MIN_SEVERITY:
        if (strcmp(v, "warning") == 0) c->min_severity = 1;
        else if (strcmp(v, "critical") == 0) c->min_severity = 2;
        else {
            snprintf(why, whylen, "must be warning or critical");
            return SET_BAD;
        }
        return SET_OK;
    case K_SEND_RESOLVED: return store_bool(&c->send_resolved, v, why, whylen);
    case K_GROUP_WINDOW:
        return store_duration(&c->group_ms, v, 0, 3600000, "0 to 1h", why, whylen);
    case K_RATE_LIMIT: return store_int(&c->rate_limit, v, 0, 100000, why, whylen);
    case K_TIMEOUT:
        return store_duration(&c->timeout_ms, v, 100, 300000, "100ms to 5m", why, whylen);
    case K_QUEUE_SIZE: return store_int(&c->queue_size, v, 1, 10000, why, whylen);
    case K_REPEAT_INTERVAL:
        return store_duration(&c->repeat_ms, v, 1000, 3600000, "1s to 1h", why, whylen);
    default:
        snprintf(why, whylen, "is not a channel key");
        return SET_BAD;
    }
}

int alerts_channel_set(config_channel_t *c, const char *key, const char *value,
                       char *why, size_t whylen)
{
    for (int k = 0; k < K_COUNT; k++) {
        if (strcmp(key_names[k], key) != 0)
            continue;
        if (k == K_HEADERS) {
            snprintf(why, whylen, "must be a mapping of header names to values");
            return SET_BAD;
        }
        if ((c->keys & B(k)) && k != K_TO) {
            snprintf(why, whylen, "is given twice");
            return SET_BAD;
        }
        c->keys |= B(k);
        return set_key(c, k, value, why, whylen);
    }
    snprintf(why, whylen, "is not a channel key (see etcd-monitor(1), ALERT DELIVERY)");
    return SET_BAD;
}

int alerts_channel_header(config_channel_t *c, const char *name, const char *value,
                          char *why, size_t whylen)
{
    c->keys |= B(K_HEADERS);
    if (!*name || strlen(name) > 64) {
        snprintf(why, whylen, "a header name must be 1 to 64 characters");
        return SET_BAD;
    }
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') {
            snprintf(why, whylen, "a header name may hold letters, digits, - and _ only");
            return SET_BAD;
        }
    if (!is_clean(value) || strlen(value) > 4096) {
        snprintf(why, whylen, "a header value must be printable and at most 4096 bytes");
        return SET_BAD;
    }
    if (c->n_headers >= ALERTS_MAX_HEADERS) {
        snprintf(why, whylen, "more than %d headers", ALERTS_MAX_HEADERS);
        return SET_BAD;
    }
    size_t n = strlen(name) + strlen(value) + 3;
    char *h = malloc(n);
    if (!h) {
        snprintf(why, whylen, "out of memory");
        return SET_BAD;
    }
    snprintf(h, n, "%s: %s", name, value);
    c->headers[c->n_headers++] = h;
    return SET_OK;
}

int alerts_channel_check(const config_channel_t *c, char *why, size_t whylen)
{
    if (!(c->keys & B(K_TYPE)) && c->line) {
        snprintf(why, whylen, "has no type");
        return SET_BAD;
    }
    uint32_t extra = c->keys & ~type_keys[c->type];
    for (int k = 0; extra && k < K_COUNT; k++)
        if (extra & B(k)) {
            snprintf(why, whylen, "%s is not a key of a %s channel", key_names[k],
                     type_names[c->type]);
            return SET_BAD;
        }
    const char *missing = NULL;
    switch (c->type) {
    case CHAN_WEBHOOK:
    case CHAN_ALERTMANAGER:
        if (!c->url) missing = "url";
        break;
    case CHAN_SLACK:
        if (!c->url) missing = "webhook_url";
        break;
    case CHAN_PAGERDUTY:
        if (!c->integration_key && !c->integration_key_file)
            missing = "integration_key or integration_key_file";
        break;
    case CHAN_EMAIL:
        if (!c->smtp_server) missing = "smtp_server";
        else if (!c->from) missing = "from";
        else if (c->n_to == 0) missing = "to";
        else if ((c->password || c->password_file) && !c->username) missing = "username";
        break;
    default:
        break;
    }
    if (missing) {
        snprintf(why, whylen, "the %s channel needs %s", type_names[c->type], missing);
        return SET_BAD;
    }
    if (c->type == CHAN_EMAIL && (c->password || c->password_file) &&
        c->smtp_tls == SMTP_TLS_NONE) {
        snprintf(why, whylen, "smtp_tls: none would send the password unencrypted: "
                 "use starttls or tls");
        return SET_BAD;
    }
    if (c->password && c->password_file) {
        snprintf(why, whylen, "give password or password_file, not both");
        return SET_BAD;
    }
    if (c->integration_key && c->integration_key_file) {
        snprintf(why, whylen, "give integration_key or integration_key_file, not both");
        return SET_BAD;
    }
    return SET_OK;
}

int alerts_silence_parse(const char *v, config_silence_t *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    const char *colon = strrchr(v, ':');
    if (!colon || colon == v) {
        snprintf(why, whylen, "must be RULE[@MEMBER]:DURATION");
        return SET_BAD;
    }
    if (config_parse_duration(colon + 1, 1000, &out->duration_ms) != 0 ||
        out->duration_ms <= 0) {
        snprintf(why, whylen, "has no valid duration after the colon (e.g. 30m)");
        return SET_BAD;
    }
    size_t head = (size_t)(colon - v);
    const char *at = memchr(v, '@', head);
    size_t rlen = at ? (size_t)(at - v) : head;
    size_t mlen = at ? head - rlen - 1 : 0;
    if (rlen == 0 || rlen >= sizeof out->rule || mlen >= sizeof out->member ||
        (at && mlen == 0)) {
        snprintf(why, whylen, "must be RULE[@MEMBER]:DURATION");
        return SET_BAD;
    }
    memcpy(out->rule, v, rlen);
    if (at)
        memcpy(out->member, at + 1, mlen);
    if (!is_clean(out->rule) || !is_clean(out->member)) {
        snprintf(why, whylen, "holds control characters");
        return SET_BAD;
    }
    return SET_OK;
}

static void wipe_free(char **s)
{
    if (*s) {
        explicit_bzero(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

void alerts_free(config_alerts_t *a)
{
    for (int i = 0; i < a->n && i < ALERTS_MAX_CHANNELS; i++) {
        config_channel_t *c = &a->ch[i];
        char **all[] = { &c->name, &c->url, &c->channel, &c->username, &c->password,
                         &c->password_file, &c->smtp_server, &c->from, &c->integration_key,
                         &c->integration_key_file, &c->ca_file };
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            wipe_free(all[k]);
        for (int k = 0; k < c->n_to; k++)
            wipe_free(&c->to[k]);
        for (int k = 0; k < c->n_headers; k++)
            wipe_free(&c->headers[k]);
    }
    memset(a, 0, sizeof *a);
}

void alerts_url_host(const char *url, char *out, size_t outlen)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *at = NULL;
    size_t n = strcspn(p, "/?#");
    for (size_t i = 0; i < n; i++)
        if (p[i] == '@')
            at = p + i;               /* user:password@ is never shown */
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* A flag: one channel of type with url. */
static int flag_channel(config_t *cfg, chan_type_t type, const char *v, char *why,
                        size_t whylen)
{
    config_channel_t *c = alerts_channel_new(&cfg->alerts, type);
    if (!c) {
        snprintf(why, whylen, "more than %d alert channels", ALERTS_MAX_CHANNELS);
        return SET_HIDE;
    }
    c->keys = B(K_TYPE) | B(K_URL);
    if (store_url(&c->url, v, why, whylen) != SET_OK) {
        cfg->alerts.n--;
        return SET_HIDE;
    }
    return SET_OK;
}

int alerts_set_notify_webhook(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return flag_channel(cfg, CHAN_WEBHOOK, v, why, whylen);
}

int alerts_set_alertmanager(config_t *cfg, const char *v, char *why, size_t whylen)
{
    return flag_channel(cfg, CHAN_ALERTMANAGER, v, why, whylen);
}

int alerts_set_silence(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_alerts_t *a = &cfg->alerts;
    if (a->n_silences >= ALERTS_MAX_SILENCES) {
        snprintf(why, whylen, "more than %d silences", ALERTS_MAX_SILENCES);
        return SET_BAD;
    }
    if (alerts_silence_parse(v, &a->silences[a->n_silences], why, whylen) != SET_OK)
        return SET_BAD;
    a->n_silences++;
    return SET_OK;
}
