/* ops_client.h — the operator actions' way to the cluster: gRPC-gateway JSON
 * requests on the loop's multi handle, with the monitor's TLS settings, the
 * etcd auth token (authenticated on first use, again once when etcd refuses
 * it) and its SSH routing; the member list with each member's status; and
 * asynchronous requests (ops_req_t) for loads such as the benchmark. */
#ifndef EM_OPS_CLIENT_H
#define EM_OPS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "auth.h"
#include "cluster.h"
#include "config.h"
#include "http.h"
#include "loop.h"

/* One member as the member list and its status answer describe it. */
typedef struct {
    char     name[64];
    char     url[256];           /* client URL used ("" when it has none) */
    uint64_t id;
    bool     learner;
    bool     up;                 /* answered its status request */
    char     error[256];         /* why not, when !up */
    bool     leader;
    uint64_t leader_id, raft_term, raft_index, raft_applied;
    int64_t  revision, db_size, db_in_use;
    bool     nospace;            /* a NOSPACE alarm is raised on it */
} ops_member_t;

struct ops_req;
typedef void (*ops_done_fn)(struct ops_req *q, void *ctx);
/* An asynchronous request: r first, so the http callback finds it. */
typedef struct ops_req {
    http_req_t  r;
    ops_done_fn done;
    void       *ctx;
    bool        finished;
} ops_req_t;

typedef struct {
    const config_t *cfg;
    loop_t         *loop;        /* borrowed */
    http_t          http;
    auth_t         *auth;        /* NULL without --user */
    bool            auth_done;
    bool            tls_default;
    long            timeout_ms;  /* per request */
    int             n;
    int             leader;      /* index into m, -1 when none */
    uint64_t        cluster_id;
    /* Last: ops_client_open() clears what is before it, and only the n used
     * are written (656 KB at CLUSTER_MAX_MEMBERS: keep it off the stack). */
    ops_member_t    m[CLUSTER_MAX_MEMBERS];
} ops_client_t;

/* Set up on loop (which must outlive c) with cfg's TLS and auth; route (may
 * be NULL) sends requests through SSH tunnels. 0, or -1 with err. */
int  ops_client_open(ops_client_t *c, const config_t *cfg, loop_t *loop, http_route_fn route,
                     void *route_ctx, char *err, size_t errlen) WARN_UNUSED_RESULT;
void ops_client_close(ops_client_t *c);

/* POST body (JSON text) to base + path and wait; *out gets the parsed answer
 * (the caller frees it). 0, or -1 with one line in err (etcd's own message
 * when it gave one). timeout_ms 0 = the client's. */
int  ops_call(ops_client_t *c, const char *base, const char *path, const char *body,
              long timeout_ms, json_t **out, char *err, size_t errlen) WARN_UNUSED_RESULT;
/* The member list (from the first endpoint that answers) and every member's
 * status into c->m, c->leader. 0, or -1 when no endpoint answered. */
int  ops_cluster_refresh(ops_client_t *c, char *err, size_t errlen) WARN_UNUSED_RESULT;
/* One member's status into *m (m->url set). 0, or -1 with m->error. */
int  ops_member_status(ops_client_t *c, ops_member_t *m);
/* The member whose client URL (normalized) or name is what; NULL if none. */
ops_member_t *ops_member_find(ops_client_t *c, const char *what);

/* Authenticate if --user was given and no token is held yet; 0 or -1. */
int  ops_auth(ops_client_t *c, const char *base, char *err, size_t errlen) WARN_UNUSED_RESULT;
/* Start q (initialised with ops_req_init) as POST body to url; done runs when
 * it ends. 0 or -1. */
int  ops_req_init(ops_req_t *q, size_t max_body, ops_done_fn done, void *ctx) WARN_UNUSED_RESULT;
int  ops_req_start(ops_client_t *c, ops_req_t *q, const char *url, const char *body,
                   long timeout_ms) WARN_UNUSED_RESULT;
void ops_req_free(ops_client_t *c, ops_req_t *q);
/* etcd's error text of a finished request ("" when it succeeded). */
const char *ops_req_error(const ops_req_t *q, char *buf, size_t len);

/* Base64 of n bytes into a new string (caller frees); NULL when out of memory. */
char *ops_b64(const void *p, size_t n);
/* Decode base64 text; returns the decoded length or -1. out needs len*3/4+3. */
long ops_unb64(const char *s, size_t len, unsigned char *out);
/* A JSON int64 that the gateway sends as a string (or number); 0 when absent. */
int64_t ops_json_i64(const json_t *o, const char *key);

#endif
