/* ssh_route.c — CONNECT_TO lists that send requests through an SSH tunnel. */
#include "ssh_route.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "endpoint.h"

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

/* The key of a URL in both tables: endpoint_hostport()'s spelling, for URLs
 * with a scheme only (the collector's always have one). 0 or -1. */
static int ssh_route_key(const char *url, char *key, size_t cap)
{
    endpoint_t ep;
    if (endpoint_parse(url, ENDPOINT_NEED_SCHEME | ENDPOINT_PORT_DEFAULT | ENDPOINT_ANY_PATH, &ep,
                       NULL, 0) != ENDPOINT_OK)
        return -1;
    return endpoint_key(&ep, key, cap);
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
    char key[ENDPOINT_KEY_LEN];
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
    char key[ENDPOINT_KEY_LEN];
    if (ssh_route_key(url, key, sizeof key) != 0)
        return r->tunnel;
    return ssh_route_pick(r, key);
}

struct curl_slist *ssh_route_for(void *ctx, const char *url)
{
    ssh_route_t *r = ctx;
    endpoint_t ep;
    char key[ENDPOINT_KEY_LEN];
    if (endpoint_parse(url, ENDPOINT_NEED_SCHEME | ENDPOINT_PORT_DEFAULT | ENDPOINT_ANY_PATH, &ep,
                       NULL, 0) != ENDPOINT_OK || endpoint_key(&ep, key, sizeof key) != 0)
        return ssh_route_block(r, "", 0);
    const char *host = ep.host;
    int port = ep.port;
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
