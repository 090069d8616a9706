/* ssh_route.c — CONNECT_TO lists that send requests through an SSH tunnel. */
#include "ssh_route.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ssh_route_init(ssh_route_t *r, tunnel_t *t)
{
    memset(r, 0, sizeof(*r));
    r->tunnel = t;
}

void ssh_route_free(ssh_route_t *r)
{
    for (int i = 0; i < r->n; i++)
        curl_slist_free_all(r->list[i]);
    for (int i = 0; i < r->n_blocked; i++)
        curl_slist_free_all(r->blocked[i]);
    r->n = r->n_blocked = 0;
}

int ssh_route_split(const char *url, char *host, size_t hostlen, int *port)
{
    const char *p = strstr(url, "://");
    if (!p)
        return -1;
    bool https = strncmp(url, "https", 5) == 0;
    p += 3;
    size_t hl;
    const char *after;
    if (*p == '[') {                              /* [v6]:port */
        const char *close = strchr(p, ']');
        if (!close)
            return -1;
        hl = (size_t)(close - p - 1);
        p++;
        after = close + 1;
    } else {
        hl = strcspn(p, ":/");
        after = p + hl;
    }
    if (hl == 0 || hl >= hostlen)
        return -1;
    memcpy(host, p, hl);
    host[hl] = '\0';
    *port = https ? 443 : 80;
    if (*after == ':') {
        char *end;
        long v = strtol(after + 1, &end, 10);
        if (end == after + 1 || v < 1 || v > 65535 || (*end && *end != '/'))
            return -1;
        *port = (int)v;
    }
    return 0;
}

/* A list sending host:port to 127.0.0.1:1, where nothing listens: fail closed. */
static struct curl_slist *ssh_route_block(ssh_route_t *r, const char *host, int port)
{
    if (r->n_blocked >= SSH_ROUTE_MAX)
        return r->blocked[SSH_ROUTE_MAX - 1];
    char entry[400];
    snprintf(entry, sizeof(entry), "%s%s%s:%d:127.0.0.1:1", strchr(host, ':') ? "[" : "",
             host, strchr(host, ':') ? "]" : "", port);
    struct curl_slist *l = curl_slist_append(NULL, entry);
    if (l)
        r->blocked[r->n_blocked++] = l;
    return l;
}

struct curl_slist *ssh_route_for(void *ctx, const char *url)
{
    ssh_route_t *r = ctx;
    char host[256];
    int port;
    if (ssh_route_split(url, host, sizeof(host), &port) != 0)
        return ssh_route_block(r, "", 0);
    char key[272];
    snprintf(key, sizeof(key), "%s:%d", host, port);
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->hostport[i], key) == 0)
            return r->list[i];
    if (r->n >= SSH_ROUTE_MAX)
        return ssh_route_block(r, host, port);
    int lport = tunnel_forward(r->tunnel, host, port);
    if (lport <= 0)
        return ssh_route_block(r, host, port);
    /* CONNECT_TO wants IPv6 hosts in brackets on the left side. */
    char entry[400];
    if (strchr(host, ':'))
        snprintf(entry, sizeof(entry), "[%s]:%d:127.0.0.1:%d", host, port, lport);
    else
        snprintf(entry, sizeof(entry), "%s:%d:127.0.0.1:%d", host, port, lport);
    struct curl_slist *l = curl_slist_append(NULL, entry);
    if (!l)
        return ssh_route_block(r, host, port);
    snprintf(r->hostport[r->n], sizeof(r->hostport[0]), "%s", key);
    r->list[r->n++] = l;
    return l;
}
