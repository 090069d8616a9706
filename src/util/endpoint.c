/* endpoint.c — parse, check and normalize etcd endpoints and URLs (pure). */
#include "endpoint.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool is_host_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

/* Say why in why (may be NULL) and return rc. */
static int endpoint_refuse(int rc, char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int endpoint_refuse(int rc, char *why, size_t whylen, const char *fmt, ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* The scheme of in: sets *https and returns the rest, or returns in when there
 * is no "://" (*has = false); NULL for another scheme. */
static const char *endpoint_scheme(const char *in, bool *https, bool *has)
{
    const char *sep = strstr(in, "://");
    *has = sep != NULL;
    if (!sep)
        return in;
    size_t sl = (size_t)(sep - in);
    if (sl == 4 && strncasecmp(in, "http", 4) == 0)
        *https = false;
    else if (sl == 5 && strncasecmp(in, "https", 5) == 0)
        *https = true;
    else
        return NULL;
    return sep + 3;
}

/* "[v6]" at p into ep (canonical); returns the character after ']', or NULL. */
static const char *endpoint_ipv6(const char *p, endpoint_t *ep)
{
    const char *rb = strchr(p, ']');
    char addr[INET6_ADDRSTRLEN + 1];
    unsigned char bin[16];
    size_t hl = rb ? (size_t)(rb - p - 1) : 0;
    if (!rb || hl == 0 || hl >= sizeof addr)
        return NULL;
    memcpy(addr, p + 1, hl);
    addr[hl] = '\0';
    if (inet_pton(AF_INET6, addr, bin) != 1 ||
        !inet_ntop(AF_INET6, bin, ep->host, sizeof ep->host))
        return NULL;
    ep->ipv6 = true;
    return rb + 1;
}

/* The port at p (after ':'): sets *port and returns the character after it,
 * or NULL with why. */
static const char *endpoint_port(const char *p, int *port, char *why, size_t whylen)
{
    unsigned long v = 0;
    size_t nd = 0;
    for (; isdigit((unsigned char)*p); p++, nd++)
        if (nd < 6)
            v = v * 10 + (unsigned long)(*p - '0');
    if (nd == 0) {
        endpoint_refuse(ENDPOINT_BAD, why, whylen, *p && !strchr("/?#", *p) ? "bad port"
                                                                        : "no port (use host:port)");
        return NULL;
    }
    if (nd > 5 || v < 1 || v > 65535) {
        endpoint_refuse(ENDPOINT_BAD, why, whylen, "port out of range (1 to 65535)");
        return NULL;
    }
    *port = (int)v;
    return p;
}

int endpoint_parse(const char *in, unsigned flags, endpoint_t *ep, char *why, size_t whylen)
{
    bool has_scheme = false;
    memset(ep, 0, sizeof *ep);
    ep->https = (flags & ENDPOINT_HTTPS) != 0;
    if (!in || !*in)
        return endpoint_refuse(ENDPOINT_BAD, why, whylen, "empty");
    const char *p = endpoint_scheme(in, &ep->https, &has_scheme);
    if (!p)
        return endpoint_refuse(ENDPOINT_BAD, why, whylen,
                               "unsupported scheme (use http:// or https://)");
    /* Credentials anywhere in the authority (or anywhere at all when no path
     * is allowed): user:password@host, or host:port@otherhost. */
    size_t auth_len = (flags & ENDPOINT_ANY_PATH) ? strcspn(p, "/?#") : strlen(p);
    if (memchr(p, '@', auth_len))
        return endpoint_refuse(ENDPOINT_SECRET, why, whylen,
                               "credentials (user:password@) are not allowed");
    if (!has_scheme && (flags & ENDPOINT_NEED_SCHEME))
        return endpoint_refuse(ENDPOINT_BAD, why, whylen, "no scheme (use http:// or https://)");
    const char *after;
    if (*p == '[') {
        if (!(after = endpoint_ipv6(p, ep)))
            return endpoint_refuse(ENDPOINT_BAD, why, whylen, "bad IPv6 address (use [::1]:2379)");
    } else {
        size_t hl = strcspn(p, ":/?#");
        if (hl == 0)
            return endpoint_refuse(ENDPOINT_BAD, why, whylen, p[0] == ':' && p[1] == ':'
                                   ? "IPv6 address without brackets (use [::1]:2379)" : "no host");
        for (size_t i = 0; i < hl; i++)
            if (!is_host_char(p[i]))
                return endpoint_refuse(ENDPOINT_BAD, why, whylen, "bad character in the host name");
        if (hl > ENDPOINT_HOST_MAX)
            return endpoint_refuse(ENDPOINT_BAD, why, whylen,
                                   "host too long (%zu characters, at most %d)", hl,
                                   ENDPOINT_HOST_MAX);
        for (size_t i = 0; i < hl; i++)
            ep->host[i] = (char)tolower((unsigned char)p[i]);
        ep->host[hl] = '\0';
        after = p + hl;
        /* "::1:2379" or "fe80::1:2379": more colons before any path. */
        if (*after == ':' && memchr(after + 1, ':', strcspn(after + 1, "/?#")))
            return endpoint_refuse(ENDPOINT_BAD, why, whylen,
                                   "IPv6 address without brackets (use [::1]:2379)");
    }
    if (*after == ':') {
        if (!(after = endpoint_port(after + 1, &ep->port, why, whylen)))
            return ENDPOINT_BAD;
    } else if (has_scheme && (flags & ENDPOINT_PORT_DEFAULT) && (!*after || strchr("/?#", *after))) {
        ep->port = ep->https ? 443 : 80;
    } else if (!*after || strchr("/?#", *after)) {
        return endpoint_refuse(ENDPOINT_BAD, why, whylen, "no port (use host:port)");
    } else {
        return endpoint_refuse(ENDPOINT_BAD, why, whylen, "bad character in the host name");
    }
    if (*after != '\0' && *after != '/' && *after != '?' && *after != '#')
        return endpoint_refuse(ENDPOINT_BAD, why, whylen, "bad port");
    if (*after == '\0' || (flags & ENDPOINT_ANY_PATH))
        return ENDPOINT_OK;
    if (strcmp(after, "/") == 0)
        return ENDPOINT_OK;
    if (strchr(after, '?'))
        return endpoint_refuse(ENDPOINT_BAD, why, whylen, "a query string is not allowed");
    if (strchr(after, '#'))
        return endpoint_refuse(ENDPOINT_BAD, why, whylen, "a fragment is not allowed");
    return endpoint_refuse(ENDPOINT_BAD, why, whylen, "a path is not allowed (only a trailing /)");
}

int endpoint_url(const endpoint_t *ep, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s://%s%s%s:%d", ep->https ? "https" : "http",
                     ep->ipv6 ? "[" : "", ep->host, ep->ipv6 ? "]" : "", ep->port);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int endpoint_key(const endpoint_t *ep, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s%s%s:%d", ep->ipv6 ? "[" : "", ep->host, ep->ipv6 ? "]" : "",
                     ep->port);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int endpoint_normalize(const char *in, unsigned flags, char *out, size_t cap,
                       char *why, size_t whylen)
{
    endpoint_t ep;
    int rc = endpoint_parse(in, flags, &ep, why, whylen);
    if (rc != ENDPOINT_OK)
        return rc;
    if (endpoint_url(&ep, out, cap) != 0)
        return endpoint_refuse(ENDPOINT_BAD, why, whylen, "too long");
    return ENDPOINT_OK;
}

int endpoint_hostport(const char *in, char *out, size_t cap)
{
    endpoint_t ep;
    if (endpoint_parse(in, ENDPOINT_ANY_PATH | ENDPOINT_PORT_DEFAULT, &ep, NULL, 0) != ENDPOINT_OK)
        return -1;
    return endpoint_key(&ep, out, cap);
}
