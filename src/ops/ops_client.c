/* ops_client.c — gateway requests for the operator actions (ops_client.h):
 * synchronous calls with authentication and one retry on a refused token,
 * asynchronous requests, the member list with each member's status. */
#include "endpoint.h"
#include "text.h"
#include "ops_client.h"
#include "collector.h"

#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

enum { OPS_AUTH_KIND = 99 };

/* The http callback: the authenticate request, or one of ours. */
static void ops_on_done(http_req_t *r, void *ctx)
{
    ops_client_t *c = ctx;
    if (c->auth && auth_owns(c->auth, r)) {
        c->auth_done = true;
        return;
    }
    ops_req_t *q = (ops_req_t *)r;
    q->finished = true;
    if (q->done)
        q->done(q, q->ctx);
}

int ops_client_open(ops_client_t *c, const config_t *cfg, loop_t *loop, http_route_fn route,
                    void *route_ctx, char *err, size_t errlen)
{
    memset(c, 0, offsetof(ops_client_t, m));
    c->cfg = cfg;
    c->loop = loop;
    c->leader = -1;
    c->timeout_ms = 30000;
    if (http_init(&c->http, loop, ops_on_done, c) != 0) {
        snprintf(err, errlen, "cannot initialise libcurl");
        return -1;
    }
    if (route)
        http_set_route(&c->http, route, route_ctx);
    if (cfg->key_file && !cfg->cert_file) {
        snprintf(err, errlen, "--key needs --cert (the client certificate of that key)");
        return -1;
    }
    c->tls_default = collector_default_tls(cfg);
    http_set_tls(&c->http, &(http_tls_t){ .ca_file = cfg->ca_file, .cert_file = cfg->cert_file,
                                          .key_file = cfg->key_file,
                                          .insecure = cfg->insecure_skip_verify });
    if (cfg->user && *cfg->user &&
        !(c->auth = auth_new(cfg->user, cfg->password, cfg->password_file, cfg->max_body_bytes,
                             OPS_AUTH_KIND, err, errlen)))
        return -1;
    return 0;
}

void ops_client_close(ops_client_t *c)
{
    if (c->auth)
        auth_free(c->auth, &c->http);
    c->auth = NULL;
    http_cleanup(&c->http);
}

int ops_auth(ops_client_t *c, const char *base, char *err, size_t errlen)
{
    if (!c->auth || auth_state(c->auth) == AUTH_READY || auth_state(c->auth) == AUTH_UNUSED)
        return 0;
    c->auth_done = false;
    if (auth_start(c->auth, &c->http, base, loop_mono(), c->timeout_ms,
                   c->cfg->dial_timeout_ms) != 0) {
        snprintf(err, errlen, "etcd authentication could not start");
        return -1;
    }
    while (!c->auth_done)
        loop_run_once(c->loop, 100);
    event_list_t ev = { 0 };
    switch (auth_finish(c->auth, loop_mono(), &ev)) {
    case AUTH_GOT_TOKEN:
        if (http_set_token(&c->http, auth_token(c->auth)) != 0) {
            snprintf(err, errlen, "etcd authentication: unusable token");
            return -1;
        }
        return 0;
    case AUTH_NOT_NEEDED:
        http_clear_token(&c->http);
        return 0;
    default:
        snprintf(err, errlen, "etcd authentication failed: %s", auth_error(c->auth));
        return -1;
    }
}

int ops_req_init(ops_req_t *q, size_t max_body, ops_done_fn done, void *ctx)
{
    memset(q, 0, sizeof *q);
    if (http_req_init(&q->r, max_body, NULL, 0) != 0)
        return -1;
    q->done = done;
    q->ctx = ctx;
    return 0;
}

int ops_req_start(ops_client_t *c, ops_req_t *q, const char *url, const char *body,
                  long timeout_ms)
{
    q->finished = false;
    return http_start(&c->http, &q->r, url, body, timeout_ms ? timeout_ms : c->timeout_ms,
                      c->cfg->dial_timeout_ms);
}

void ops_req_free(ops_client_t *c, ops_req_t *q)
{
    http_req_free(&c->http, &q->r);
}

const char *ops_req_error(const ops_req_t *q, char *buf, size_t len)
{
    const http_req_t *r = &q->r;
    buf[0] = '\0';
    if (r->result != CURLE_OK)
        return http_req_error(r, buf, len);
    if (r->status != 200)
        auth_error_message(r->status, r->body.data ? r->body.data : "", r->body.len, buf, len);
    return buf;
}

int ops_call(ops_client_t *c, const char *base, const char *path, const char *body,
             long timeout_ms, json_t **out, char *err, size_t errlen)
{
    char url[512];
    ops_req_t q;
    *out = NULL;
    if (ops_auth(c, base, err, errlen))
        return -1;
    if (ops_req_init(&q, c->cfg->max_body_bytes, NULL, NULL)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(url, sizeof url, "%s%s", base, path);
    int rc = -1;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (ops_req_start(c, &q, url, body ? body : "{}", timeout_ms) != 0) {
            snprintf(err, errlen, "%s: %s", base, q.r.errbuf);
            break;
        }
        while (!q.finished)
            loop_run_once(c->loop, 100);
        const char *b = q.r.body.data ? q.r.body.data : "";
        if (q.r.result == CURLE_OK && q.r.status != 200 && c->auth && attempt == 0 &&
            auth_classify(q.r.status, b, q.r.body.len) == AUTH_RESP_TOKEN) {
            http_clear_token(&c->http);
            auth_token_rejected(c->auth);
            if (ops_auth(c, base, err, errlen))
                break;
            continue;
        }
        char why[256];
        if (ops_req_error(&q, why, sizeof why)[0]) {
            snprintf(err, errlen, "%s: %s", base, why);
            break;
        }
        json_error_t je;
        if (!(*out = json_loadb(b, q.r.body.len, 0, &je))) {
            snprintf(err, errlen, "%s: the answer is not JSON (%s)", base, je.text);
            break;
        }
        rc = 0;
        break;
    }
    ops_req_free(c, &q);
    return rc;
}

int64_t ops_json_i64(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        return (int64_t)json_integer_value(v);
    if (json_is_string(v))
        return (int64_t)strtoull(json_string_value(v), NULL, 10);
    return 0;
}

int ops_member_status(ops_client_t *c, ops_member_t *m)
{
    json_t *j;
    char err[256];
    m->up = false;
    if (ops_call(c, m->url, "/v3/maintenance/status", "{}", 5000, &j, err, sizeof err)) {
        snprintf(m->error, sizeof m->error, "%s", err);
        return -1;
    }
    json_t *h = json_object_get(j, "header");
    m->up = true;
    m->error[0] = '\0';
    if (!m->id)
        m->id = (uint64_t)ops_json_i64(h, "member_id");
    m->leader_id = (uint64_t)ops_json_i64(j, "leader");
    m->leader = m->id && m->leader_id == m->id;
    m->raft_term = (uint64_t)ops_json_i64(j, "raftTerm");
    m->raft_index = (uint64_t)ops_json_i64(j, "raftIndex");
    m->raft_applied = (uint64_t)ops_json_i64(j, "raftAppliedIndex");
    m->revision = ops_json_i64(h, "revision");
    m->db_size = ops_json_i64(j, "dbSize");
    m->db_in_use = ops_json_i64(j, "dbSizeInUse");
    json_decref(j);
    return 0;
}

/* An endpoint or client URL in its one spelling (endpoint.h); 0 or -1. */
static int ops_normalize(const ops_client_t *c, const char *in, char *out, size_t cap)
{
    return endpoint_normalize(in, c->tls_default ? ENDPOINT_HTTPS : ENDPOINT_CHECK, out, cap,
                              NULL, 0);
}

/* Fill c->m from a member list answer. */
static void ops_members_from(ops_client_t *c, json_t *j)
{
    json_t *arr = json_object_get(j, "members"), *e;
    size_t i;
    c->cluster_id = (uint64_t)ops_json_i64(json_object_get(j, "header"), "cluster_id");
    c->n = 0;
    json_array_foreach(arr, i, e) {
        if (c->n >= CLUSTER_MAX_MEMBERS)
            break;
        ops_member_t *m = &c->m[c->n++];
        memset(m, 0, sizeof *m);
        m->id = (uint64_t)ops_json_i64(e, "ID");
        (void)text_clean(m->name, sizeof m->name,
                         json_string_value(json_object_get(e, "name")));   /* NULL is "" */
        m->learner = json_is_true(json_object_get(e, "isLearner"));
        const char *u = json_string_value(json_array_get(json_object_get(e, "clientURLs"), 0));
        if (!u || ops_normalize(c, u, m->url, sizeof m->url) != 0)
            m->url[0] = '\0';
        if (!m->name[0])
            snprintf(m->name, sizeof m->name, "%016llx", (unsigned long long)m->id);
    }
}

int ops_cluster_refresh(ops_client_t *c, char *err, size_t errlen)
{
    const config_t *cfg = c->cfg;
    char first_err[256] = "no endpoint";
    bool listed = false;
    for (int i = 0; i < cfg->n_endpoints && !listed; i++) {
        char base[256], e[256];
        json_t *j;
        if (ops_normalize(c, cfg->endpoints[i], base, sizeof base)) {
            snprintf(err, errlen, "bad endpoint \"%s\"", cfg->endpoints[i]);
            return -1;
        }
        if (ops_call(c, base, "/v3/cluster/member/list", "{}", 5000, &j, e, sizeof e)) {
            if (i == 0)
                snprintf(first_err, sizeof first_err, "%s", e);
            continue;
        }
        ops_members_from(c, j);
        json_decref(j);
        listed = c->n > 0;
    }
    if (!listed) {
        snprintf(err, errlen, "cannot reach the cluster: %s", first_err);
        return -1;
    }
    if (cfg->no_discover) {                     /* only the given endpoints */
        int k = 0;
        for (int i = 0; i < c->n; i++) {
            bool given = false;
            for (int e = 0; e < cfg->n_endpoints && !given; e++) {
                char u[256];
                given = ops_normalize(c, cfg->endpoints[e], u, sizeof u) == 0 && strcmp(u, c->m[i].url) == 0;
            }
            if (given)
                c->m[k++] = c->m[i];
        }
        c->n = k;
    }
    c->leader = -1;
    for (int i = 0; i < c->n; i++) {
        if (!c->m[i].url[0]) {
            snprintf(c->m[i].error, sizeof c->m[i].error, "no client URL (not started yet)");
            continue;
        }
        (void)ops_member_status(c, &c->m[i]);
        if (c->m[i].leader)
            c->leader = i;
    }
    return 0;
}

ops_member_t *ops_member_find(ops_client_t *c, const char *what)
{
    char u[256];
    bool url = ops_normalize(c, what, u, sizeof u) == 0;
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->m[i].name, what) == 0 || (url && strcmp(c->m[i].url, u) == 0))
            return &c->m[i];
    char hex[32];
    for (int i = 0; i < c->n; i++) {
        snprintf(hex, sizeof hex, "%llx", (unsigned long long)c->m[i].id);
        if (strcasecmp(hex, what) == 0)
            return &c->m[i];
    }
    return NULL;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *ops_b64(const void *p, size_t n)
{
    const unsigned char *b = p;
    char *o = malloc(4 * ((n + 2) / 3) + 1), *w = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)b[i] << 16 | (i + 1 < n ? (unsigned)b[i + 1] << 8 : 0) |
                     (i + 2 < n ? b[i + 2] : 0);
        *w++ = B64[v >> 18 & 63];
        *w++ = B64[v >> 12 & 63];
        *w++ = i + 1 < n ? B64[v >> 6 & 63] : '=';
        *w++ = i + 2 < n ? B64[v & 63] : '=';
    }
    *w = '\0';
    return o;
}

long ops_unb64(const char *s, size_t len, unsigned char *out)
{
    unsigned v = 0;
    int bits = 0;
    long n = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        const char *p;
        if (ch == '=')
            break;
        if (ch == '\n' || ch == '\r')
            continue;
        if (!ch || !(p = strchr(B64, ch)))
            return -1;
        v = v << 6 | (unsigned)(p - B64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(v >> bits);
        }
    }
    return n;
}
