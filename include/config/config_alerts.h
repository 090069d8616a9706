/* config_alerts.h — the alert delivery settings: the config file's `alerts:`
 * list of channels (seed 004's format accepted verbatim), the quick flags
 * --notify-webhook and --alertmanager (one channel each, repeatable) and the
 * --silence list. Stored in config_t.alerts; read by the notify layer.
 * Strings owned; secrets (password, keys, URLs) wiped on free and never echoed
 * in an error. */
#ifndef EM_CONFIG_ALERTS_H
#define EM_CONFIG_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ALERTS_MAX_CHANNELS 16
#define ALERTS_MAX_TO       16      /* email recipients per channel */
#define ALERTS_MAX_HEADERS  16      /* extra HTTP headers per channel */
#define ALERTS_MAX_SILENCES 32

typedef enum {
    CHAN_CONSOLE = 0,               /* stderr and alerts.log: nothing to send */
    CHAN_WEBHOOK,
    CHAN_SLACK,
    CHAN_PAGERDUTY,
    CHAN_ALERTMANAGER,
    CHAN_EMAIL,
    CHAN_TYPE_COUNT
} chan_type_t;

typedef enum { SMTP_TLS_STARTTLS = 0, SMTP_TLS_TLS, SMTP_TLS_NONE } smtp_tls_t;

/* One channel (one entry of `alerts:` or one flag). */
typedef struct {
    chan_type_t type;
    unsigned long line;            /* line in the config file, 0 for a flag */
    uint32_t    keys;              /* which keys were given (duplicate check) */
    char       *name;              /* optional label for logs; NULL = the type */
    char       *url;               /* webhook url, slack webhook_url, pagerduty and
                                      alertmanager url (secret: logged by host only) */
    char       *channel;           /* slack */
    char       *username;          /* slack, email (SMTP login) */
    char       *password;          /* email */
    char       *password_file;     /* email: first line is the password */
    char       *smtp_server;
    int         smtp_port;         /* 0 = by smtp_tls: 465 for tls, else 587 */
    int         smtp_tls;          /* smtp_tls_t; -1 = not given (tls on 465, else starttls) */
    char       *from;
    char       *to[ALERTS_MAX_TO];
    int         n_to;
    char       *integration_key;   /* pagerduty */
    char       *integration_key_file;
    char       *headers[ALERTS_MAX_HEADERS];   /* "Name: value" (webhook, alertmanager) */
    int         n_headers;
    char       *ca_file;           /* TLS CA for this channel; NULL = the system's */
    int         min_severity;      /* 1 warning (default), 2 critical */
    bool        send_resolved;     /* default true */
    int64_t     group_ms;          /* group_window, default 5s */
    int         rate_limit;        /* messages per minute, 0 = no limit; default 20 */
    int64_t     timeout_ms;        /* per request, default 10s */
    int         queue_size;        /* default 100 */
    int64_t     repeat_ms;         /* alertmanager: re-send firing alerts, default 1m */
} config_channel_t;

/* --silence RULE[@MEMBER]:DURATION */
typedef struct {
    char    rule[48];
    char    member[64];            /* "" = every member */
    int64_t duration_ms;
} config_silence_t;

typedef struct {
    config_channel_t ch[ALERTS_MAX_CHANNELS];
    int              n;
    config_silence_t silences[ALERTS_MAX_SILENCES];
    int              n_silences;
} config_alerts_t;

/* Append a channel of type with the defaults; NULL when the list is full. */
config_channel_t *alerts_channel_new(config_alerts_t *a, chan_type_t type);
/* The type called name ("slack" ...), or -1. */
int  alerts_type_find(const char *name);
const char *alerts_type_name(chan_type_t t);
/* Set one key of an entry (type included; "to" appends; "headers" is set with
 * alerts_channel_header). SET_OK (0) or -1 with the reason in why, which never
 * holds the value. */
int  alerts_channel_set(config_channel_t *c, const char *key, const char *value,
                        char *why, size_t whylen);
/* Add one "headers:" pair. */
int  alerts_channel_header(config_channel_t *c, const char *name, const char *value,
                           char *why, size_t whylen);
/* After the entry's last key: required keys present, keys fit the type. */
int  alerts_channel_check(const config_channel_t *c, char *why, size_t whylen);
/* Parse RULE[@MEMBER]:DURATION. */
int  alerts_silence_parse(const char *v, config_silence_t *out, char *why, size_t whylen);
/* Free (and wipe the secrets of) everything a holds; leaves it empty. */
void alerts_free(config_alerts_t *a);
/* A URL's host[:port] for logs ("" when it has none): never the path or query. */
void alerts_url_host(const char *url, char *out, size_t outlen);

#endif
