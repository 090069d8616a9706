/* ssh_route.h — send every HTTP request to its member through an SSH tunnel:
 * maps "host:port" of a URL to the tunnel's loopback port as a libcurl
 * CONNECT_TO list, so TLS still verifies the member's real name. */
#ifndef EM_SSH_ROUTE_H
#define EM_SSH_ROUTE_H

#include <curl/curl.h>
#include "tunnel.h"

#define SSH_ROUTE_MAX 64

typedef struct {
    tunnel_t          *tunnel;               /* not owned */
    int                n;
    char               hostport[SSH_ROUTE_MAX][272];
    struct curl_slist *list[SSH_ROUTE_MAX];  /* owned */
    struct curl_slist *blocked[SSH_ROUTE_MAX]; /* owned: fail-closed lists */
    int                n_blocked;
} ssh_route_t;

void ssh_route_init(ssh_route_t *r, tunnel_t *t);
void ssh_route_free(ssh_route_t *r);
/* An http_route_fn: the CONNECT_TO list for url (forwarding it on first use).
 * When the URL cannot be forwarded it fails closed: the request is pointed at
 * a port nothing listens on, never sent around the tunnel. */
struct curl_slist *ssh_route_for(void *ctx, const char *url);
/* Split "scheme://host:port/..." into host (brackets kept off) and port
 * (default 80/443 by scheme). Returns 0 or -1 (pure; unit-tested). */
int ssh_route_split(const char *url, char *host, size_t hostlen, int *port);

#endif
