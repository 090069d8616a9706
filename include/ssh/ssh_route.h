/* ssh_route.h — send each HTTP request to its member through the right SSH
 * tunnel: maps "host:port" of a URL to a tunnel's loopback port as a libcurl
 * CONNECT_TO list, so TLS still verifies the member's real name. A host:port
 * bound to a member's own tunnel goes through it; any other goes through the
 * default tunnel (--ssh), or directly when there is none. */
#ifndef EM_SSH_ROUTE_H
#define EM_SSH_ROUTE_H

#include <curl/curl.h>
#include "endpoint.h"
#include "tunnel.h"
#include "util.h"

#define SSH_ROUTE_MAX 64

typedef struct {
    tunnel_t          *tunnel;               /* default; not owned; NULL = direct */
    int                n_bound;
    char               bound_hostport[SSH_ROUTE_MAX][ENDPOINT_KEY_LEN]; /* endpoint_hostport() */
    tunnel_t          *bound[SSH_ROUTE_MAX]; /* not owned */
    int                n;
    char               hostport[SSH_ROUTE_MAX][ENDPOINT_KEY_LEN];
    struct curl_slist *list[SSH_ROUTE_MAX];  /* owned; NULL = direct */
    struct curl_slist *blocked[SSH_ROUTE_MAX]; /* owned: fail-closed lists */
    int                n_blocked;
} ssh_route_t;

void ssh_route_init(ssh_route_t *r, tunnel_t *t);
/* Send requests for url's host:port through t (a member's own tunnel). -1 when
 * the URL is malformed or the table is full. */
int ssh_route_bind(ssh_route_t *r, const char *url, tunnel_t *t) WARN_UNUSED_RESULT;
/* The tunnel requests for url go through, NULL when they go directly. */
tunnel_t *ssh_route_tunnel(const ssh_route_t *r, const char *url);
void ssh_route_free(ssh_route_t *r);
/* An http_route_fn: the CONNECT_TO list for url (forwarding it on first use),
 * NULL for a direct request. When the URL cannot be forwarded it fails closed: the request is pointed at
 * a port nothing listens on, never sent around the tunnel. */
struct curl_slist *ssh_route_for(void *ctx, const char *url);
#endif
