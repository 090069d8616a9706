/* ssh_route.c — CONNECT_TO lists that send requests through an SSH tunnel. */
#include "ssh_route.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

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

int ssh_route_key(const char *url, char *key, size_t cap)
{
    /* A URL (the collector's, always with a scheme), keyed as config_hostport()
     * keys the members: entries. */
    return strstr(url, "://") ? config_hostport(url, key, cap) : -1;
}

/* The tunnel for a host:port: its own binding, else the default. */
static tunnel_t *ssh_route_pick(const ssh_route_t *r, const char *key)
{
    for (int i = 0; i < r->n_bound; i++)
        if (strcmp(r->bound_hostport[i], key) == 0)
            return r->bound[i];
    return r->tunnel;
}

int ssh_route_bind(ssh_route_t *r, const char *url, tunnel_t *t)
{
    char key[272];
    if (ssh_route_key(url, key, sizeof key) != 0 || r->n_bound >= SSH_ROUTE_MAX)
        return -1;
    for (int i = 0; i < r->n_bound; i++)
        if (strcmp(r->bound_hostport[i], key) == 0) {
            r->bound[i] = t;
            return 0;
        }
    snprintf(r->bound_hostport[r->n_bound], sizeof r->bound_hostport[0], "%s", key);
    r->bound[r->n_bound++] = t;
    return 0;
}

tunnel_t *ssh_route_tunnel(const ssh_route_t *r, const char *url)
{
    char key[272];
    if (ssh_route_key(url, key, sizeof key) != 0)
        return r->tunnel;
    return ssh_route_pick(r, key);
}

struct curl_slist *ssh_route_for(void *ctx, const char *url)
{
    ssh_route_t *r = ctx;
    char host[256];
    int port;
    if (ssh_route_split(url, host, sizeof(host), &port) != 0)
        return ssh_route_block(r, "", 0);
    char key[272];
    if (ssh_route_key(url, key, sizeof key) != 0)
        return ssh_route_block(r, "", 0);
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->hostport[i], key) == 0)
            return r->list[i];
    tunnel_t *t = ssh_route_pick(r, key);
    if (t == NULL)
        return NULL;
    if (r->n >= SSH_ROUTE_MAX)
        return ssh_route_block(r, host, port);
    int lport = tunnel_forward(t, host, port);
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
