/* endpoint.h — the one place that reads etcd endpoints and URLs (pure string
 * code, no network): parse and validate, normalize, and the host:port key.
 *
 * An endpoint is "host:port", "http://host:port" or "https://host:port", a
 * trailing "/" allowed, IPv6 addresses in brackets ("[::1]:2379"). Refused:
 * other schemes, user:password@ (never echoed back), a path beyond "/", a query
 * or fragment, a missing or out-of-range port, a host over ENDPOINT_HOST_MAX
 * characters or with characters a host name cannot have. Every endpoint the
 * monitor polls, whether given (--endpoints, --metrics-endpoints, members:) or
 * discovered (the member list), goes through endpoint_parse() with the same
 * flags (ENDPOINT_CHECK).
 *
 * Normalized form: "scheme://host:port" in lower case, an IPv6 address in its
 * canonical form ("http://[fe80::a]:2379"). Key: "host:port" in the same
 * spelling ("[::1]:2379"): two URLs of one member compare equal as keys. */
#ifndef EM_ENDPOINT_H
#define EM_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

/* The most endpoints (given or discovered members) one session monitors: the
 * limit of --endpoints, of the members: list and of the member set. */
#define ENDPOINT_MAX       1000
#define ENDPOINT_HOST_MAX  253   /* longest host name (DNS) */
/* "https://" "[" host "]" ":65535" and the NUL. */
#define ENDPOINT_URL_LEN   (8 + 2 + ENDPOINT_HOST_MAX + 6 + 1)
#define ENDPOINT_KEY_LEN   (2 + ENDPOINT_HOST_MAX + 6 + 1)

/* Flags of endpoint_parse(). */
enum {
    ENDPOINT_HTTPS        = 1u << 0,  /* a bare host:port means https (else http) */
    ENDPOINT_NEED_SCHEME  = 1u << 1,  /* refuse a bare host:port */
    ENDPOINT_PORT_DEFAULT = 1u << 2,  /* no port: the scheme's (80, 443) */
    ENDPOINT_ANY_PATH     = 1u << 3,  /* a request URL: path, query, fragment ignored */
};
/* What a polled endpoint must be (with ENDPOINT_HTTPS as the TLS default says). */
#define ENDPOINT_CHECK 0u

/* endpoint_parse() results. */
enum {
    ENDPOINT_OK = 0,
    ENDPOINT_BAD = -1,                /* why says what is wrong */
    ENDPOINT_SECRET = -2              /* it holds credentials: never show the input */
};

typedef struct {
    bool https;
    bool ipv6;                        /* host is an IPv6 address (bracketed in URLs) */
    char host[ENDPOINT_HOST_MAX + 1]; /* lower case; IPv6 canonical, no brackets */
    int  port;                        /* 1..65535 */
} endpoint_t;

/* Parse and check in (flags: ENDPOINT_*). ENDPOINT_OK with *ep filled, or
 * ENDPOINT_BAD / ENDPOINT_SECRET with one phrase in why ("no port (use
 * host:port)", "host too long (300 characters, at most 253)"). */
int endpoint_parse(const char *in, unsigned flags, endpoint_t *ep, char *why, size_t whylen);
/* "scheme://host:port" of ep into out; 0, or -1 when it does not fit. */
int endpoint_url(const endpoint_t *ep, char *out, size_t cap);
/* "host:port" of ep ("[::1]:2379" for IPv6); 0, or -1 when it does not fit. */
int endpoint_key(const endpoint_t *ep, char *out, size_t cap);
/* endpoint_parse() then endpoint_url(); why may be NULL. */
int endpoint_normalize(const char *in, unsigned flags, char *out, size_t cap,
                       char *why, size_t whylen);
/* The key of an endpoint or a request URL however spelled: any path is
 * dropped, no port = the scheme's ("HTTPS://Etcd-1/metrics" -> "etcd-1:443").
 * 0, or -1 when it is not an endpoint. */
int endpoint_hostport(const char *in, char *out, size_t cap);

#endif
