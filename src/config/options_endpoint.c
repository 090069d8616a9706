/* options_endpoint.c — endpoints as the options give them: checking one
 * ("host:port", "https://h:p/", "[::1]:2379"), the comma-separated lists of
 * --endpoints and --metrics-endpoints, and the one host:port spelling that the
 * members: entries are matched by. */
#include "config.h"
#include "config_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
int option_set_endpoints(config_t *cfg, const char *v, char *why, size_t whylen)
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
int option_set_metrics_endpoints(config_t *cfg, const char *v, char *why, size_t whylen)
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
