/* serve_http.c — the API's HTTP side on libmicrohttpd's own thread: routes,
 * methods, limits, errors, and the answers, copied under the mutex from the
 * documents the loop published after the last completed poll (never waiting
 * for a poll). The two key endpoints hand their request to the loop
 * (serve_kv.c) and suspend the connection until it answers. */
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <jansson.h>

#include "serve_internal.h"
#include "serve_json.h"

typedef enum {
    R_INDEX, R_HEALTH, R_METRICS, R_STATUS, R_LEADER, R_MEMBERS, R_CLUSTER_HEALTH,
    R_CURRENT, R_LATENCY, R_ALERTS, R_KV_GET, R_KV_PUT, R_NONE
} route_id_t;

static const struct {
    const char *path;
    route_id_t  id;
    int         doc;                 /* DOC_*, -1 when built per request */
} routes[] = {
    { "/",                        R_INDEX,          -1 },
    { "/health",                  R_HEALTH,         -1 },
    { "/metrics",                 R_METRICS,        DOC_METRICS },
    { "/api/v1/cluster/status",   R_STATUS,         DOC_STATUS },
    { "/api/v1/cluster/leader",   R_LEADER,         DOC_LEADER },
    { "/api/v1/cluster/members",  R_MEMBERS,        DOC_MEMBERS },
    { "/api/v1/cluster/health",   R_CLUSTER_HEALTH, DOC_HEALTH_EP },
    { "/api/v1/metrics/current",  R_CURRENT,        DOC_CURRENT },
    { "/api/v1/metrics/latency",  R_LATENCY,        DOC_LATENCY },
    { "/api/v1/alerts",           R_ALERTS,         DOC_ALERTS },
    { "/api/v1/etcdctl/get",      R_KV_GET,         -1 },
    { "/api/v1/etcdctl/put",      R_KV_PUT,         -1 },
};

/* One request's state (MHD's con_cls), freed when MHD says it is over. */
typedef struct {
    int     route;                   /* index into routes[], -1 unknown */
    buf_t   body;                    /* POST body, capped at SERVE_BODY_MAX */
    int     kv_slot;                 /* -1 until handed to the loop */
    bool    received;                /* the whole request is in */
} req_t;

static double mono_now(void)
{
    return loop_mono();
}

/* ---- answers ------------------------------------------------------------- */

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *ctype,
                              const char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static const char *reason_phrase(unsigned status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default:  return "Error";
    }
}

/* The one error shape: {"error":{"code":N,"status":"...","message":"..."}}. */
static enum MHD_Result answer_error(struct MHD_Connection *c, unsigned status,
                                    const char *message, const char *allow)
{
    char body[1024];
    buf_t b;
    buf_init(&b, sizeof body - 1);
    sbuf_printf(&b, "{\"error\":{\"code\":%u,\"status\":\"%s\",\"message\":", status,
                reason_phrase(status));
    js_str(&b, message);
    sbuf_puts(&b, "}}\n");
    snprintf(body, sizeof body, "%s", b.len ? b.data : "{}");
    buf_free(&b);
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body,
                                                             MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    if (status == 401)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* A published document, copied while the mutex is held. */
static enum MHD_Result answer_doc(serve_t *sv, struct MHD_Connection *c, int doc)
{
    const char *ctype = doc == DOC_METRICS ? "text/plain; version=0.0.4; charset=utf-8"
                                           : "application/json";
    pthread_mutex_lock(&sv->mu);
    const serve_pub_t *p = &sv->pub[sv->front];
    if (!p->have) {
        pthread_mutex_unlock(&sv->mu);
        return answer_error(c, 503, "no poll has completed yet", NULL);
    }
    enum MHD_Result ret = answer(c, 200, ctype, p->doc[doc].data ? p->doc[doc].data : "",
                                 p->doc[doc].len);
    pthread_mutex_unlock(&sv->mu);
    return ret;
}

/* GET /health: 200 when polling works and no critical alert fires, else 503
 * with the reasons. Built now: the last poll's age counts too. */
static enum MHD_Result answer_health(serve_t *sv, struct MHD_Connection *c)
{
    char body[SERVE_REASONS_LEN + 512], ts[40] = "null";
    bool ok;
    pthread_mutex_lock(&sv->mu);
    const serve_pub_t *p = &sv->pub[sv->front];
    double age = p->have ? mono_now() - p->mono : NAN;
    if (!p->have) {
        ok = false;
        snprintf(body, sizeof body, "{\"status\":\"unavailable\",\"healthy\":false,"
                 "\"timestamp\":null,\"lastPollAgeSeconds\":null,\"membersUp\":null,"
                 "\"membersTotal\":null,\"reasons\":[\"no poll has completed yet\"]}\n");
    } else {
        char reasons[SERVE_REASONS_LEN + 128];
        snprintf(reasons, sizeof reasons, "%s", p->reasons);
        if (age > sv->stale_after_s) {
            size_t n = strlen(reasons);
            if (n >= 1 && n + 80 < sizeof reasons)
                snprintf(reasons + n - 1, sizeof reasons - n + 1,
                         "%s\"no poll has completed for %.0f s\"]", n > 2 ? "," : "", age);
        }
        ok = strcmp(reasons, "[]") == 0;
        serve_time(p->wall, ts + 1, sizeof ts - 2);
        ts[0] = '"';
        size_t tl = strlen(ts);
        ts[tl] = '"';
        ts[tl + 1] = '\0';
        snprintf(body, sizeof body, "{\"status\":\"%s\",\"healthy\":%s,\"timestamp\":%s,"
                 "\"lastPollAgeSeconds\":%.3f,\"membersUp\":%d,\"membersTotal\":%d,"
                 "\"reasons\":%s}\n", ok ? "ok" : "unavailable", ok ? "true" : "false", ts,
                 age, p->members_up, p->members_total, reasons);
    }
    pthread_mutex_unlock(&sv->mu);
    return answer(c, ok ? 200 : 503, "application/json", body, strlen(body));
}

static enum MHD_Result answer_index(struct MHD_Connection *c)
{
    buf_t b;
    buf_init(&b, 4096);
    sbuf_puts(&b, "{\"name\":\"etcd-monitor\",\"version\":\"" EM_VERSION "\",\"endpoints\":[");
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        sbuf_printf(&b, "%s\"%s %s\"", i ? "," : "",
                    routes[i].id == R_KV_GET || routes[i].id == R_KV_PUT ? "POST" : "GET",
                    routes[i].path);
    sbuf_puts(&b, "]}\n");
    enum MHD_Result r = answer(c, 200, "application/json", b.data, b.len);
    buf_free(&b);
    return r;
}

/* ---- the key endpoints ------------------------------------------------------ */

/* Is the request allowed to reach route (token, writes)? 0, or the answer's
 * status with its message. */
static unsigned kv_allowed(serve_t *sv, struct MHD_Connection *c, route_id_t id,
                           const char **msg)
{
    if (!sv->token) {
        *msg = "key access is off: start etcd-monitor with --api-token-file FILE "
               "(and --api-allow-writes for put)";
        return 403;
    }
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_AUTHORIZATION);
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) {
        *msg = "this endpoint needs \"Authorization: Bearer TOKEN\"";
        return 401;
    }
    const char *tok = auth + 7;
    while (*tok == ' ')
        tok++;
    if (!serve_secret_equal(tok, strlen(tok), sv->token, sv->token_len)) {
        *msg = "the bearer token is not the one of --api-token-file";
        return 401;
    }
    if (id == R_KV_PUT && !sv->allow_writes) {
        *msg = "writes are off: start etcd-monitor with --api-allow-writes";
        return 403;
    }
    return 0;
}

/* The body is in: parse it and hand it to the loop (the connection waits). */
static enum MHD_Result kv_submit(serve_t *sv, struct MHD_Connection *c, req_t *rq)
{
    json_error_t jerr;
    route_id_t id = routes[rq->route].id;
    json_t *j = json_loadb(rq->body.data ? rq->body.data : "", rq->body.len,
                           JSON_REJECT_DUPLICATES, &jerr);
    const char *key = NULL, *val = NULL;
    size_t klen = 0, vlen = 0;
    const char *bad = NULL;
    if (!j || !json_is_object(j))
        bad = "the body must be a JSON object: {\"key\": \"...\", \"value\": \"...\"}";
    else if (!json_is_string(json_object_get(j, "key")) ||
             !(klen = json_string_length(json_object_get(j, "key"))))
        bad = "\"key\" must be a non-empty string";
    else if (id == R_KV_PUT && !json_is_string(json_object_get(j, "value")))
        bad = "\"value\" must be a string";
    if (bad) {
        json_decref(j);
        return answer_error(c, 400, bad, NULL);
    }
    key = json_string_value(json_object_get(j, "key"));
    if (id == R_KV_PUT) {
        val = json_string_value(json_object_get(j, "value"));
        vlen = json_string_length(json_object_get(j, "value"));
    }
    rq->kv_slot = serve_kv_submit(sv->kv, c, id == R_KV_PUT ? KV_PUT : KV_GET, key, klen,
                                  val, vlen);
    json_decref(j);
    if (rq->kv_slot < 0)
        return answer_error(c, 503, "too many key requests in flight; try again", NULL);
    return MHD_YES;                  /* suspended by serve_kv_submit */
}

/* ---- MHD callbacks ---------------------------------------------------------- */

static int route_find(const char *url)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strcmp(url, routes[i].path) == 0)
            return (int)i;
    return -1;
}

static void *conn_guard(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* The first call of a request: route, method, size and access checks. Returns
 * MHD_YES to go on reading, or the answer queued. */
static enum MHD_Result request_start(serve_t *sv, struct MHD_Connection *c, req_t *rq,
                                     const char *method, bool *answered)
{
    *answered = true;
    if (rq->route < 0)
        return answer_error(c, 404, "no such endpoint (GET / lists them)", NULL);
    route_id_t id = routes[rq->route].id;
    bool is_kv = id == R_KV_GET || id == R_KV_PUT;
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (is_kv && strcmp(method, "POST") != 0)
        return answer_error(c, 405, "use POST", "POST");
    if (!is_kv && !get)
        return answer_error(c, 405, "use GET or HEAD", "GET, HEAD");
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > SERVE_BODY_MAX)
        return answer_error(c, 413, "request bodies are limited to 64 KiB", NULL);
    if (is_kv) {
        const char *msg = NULL;
        unsigned st = kv_allowed(sv, c, id, &msg);
        if (st)
            return answer_error(c, st, msg, NULL);
    }
    *answered = false;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    serve_t *sv = cls;
    req_t *rq = *con_cls;
    (void)version;
    if (!rq) {                                   /* headers are in */
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        rq->route = route_find(url);
        rq->kv_slot = -1;
        buf_init(&rq->body, SERVE_BODY_MAX);
        *con_cls = rq;
        bool answered;
        enum MHD_Result r = request_start(sv, c, rq, method, &answered);
        if (answered || r != MHD_YES)
            return r;
        return MHD_YES;
    }
    if (*upload_size) {                          /* a piece of the body */
        (void)buf_append(&rq->body, upload, *upload_size);   /* overflow is flagged */
        *upload_size = 0;
        return MHD_YES;
    }
    if (!rq->received) {                         /* the whole request is in */
        rq->received = true;
        guard_busy(sv->guard, conn_guard(c), true, mono_now());
        if (rq->body.overflow)
            return answer_error(c, 413, "request bodies are limited to 64 KiB", NULL);
        route_id_t id = routes[rq->route].id;
        switch (id) {
        case R_INDEX:  return answer_index(c);
        case R_HEALTH: return answer_health(sv, c);
        case R_KV_GET:
        case R_KV_PUT: return kv_submit(sv, c, rq);
        default:       return answer_doc(sv, c, routes[rq->route].doc);
        }
    }
    if (rq->kv_slot >= 0) {                      /* resumed: the loop has answered */
        unsigned status = 500;
        char *body = NULL;
        if (!serve_kv_take(sv->kv, rq->kv_slot, &status, &body))
            return MHD_YES;                      /* not yet (spurious call) */
        enum MHD_Result r = answer(c, status, "application/json", body ? body : "{}",
                                   body ? strlen(body) : 2);
        free(body);
        return r;
    }
    return MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    serve_t *sv = cls;
    req_t *rq = *con_cls;
    (void)toe;
    guard_busy(sv->guard, conn_guard(c), false, mono_now());
    if (!rq)
        return;
    if (rq->kv_slot >= 0)
        serve_kv_release(sv->kv, rq->kv_slot);
    buf_free(&rq->body);
    free(rq);
    *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    serve_t *sv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? guard_started(sv->guard, ci->connect_fd, mono_now()) : NULL;
    } else {
        guard_closed(sv->guard, *socket_context);
        *socket_context = NULL;
    }
}

/* ---- start and stop ------------------------------------------------------------ */

/* Enough descriptors for max connections (each also dup()ed by the guard) and
 * the monitor's own: raise the soft limit within the hard one, or lower max. */
static int fd_budget(int want)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)want * 2 + 256;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return want;
    if (rl.rlim_cur < need) {
        rlim_t to = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
        struct rlimit nl = { to, rl.rlim_max };
        if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
            rl.rlim_cur = to;
    }
    if (rl.rlim_cur < need)
        want = rl.rlim_cur > 512 ? (int)((rl.rlim_cur - 256) / 2) : 128;
    return want;
}

int serve_http_start(serve_t *sv, char *err, size_t errlen)
{
    const config_api_t *api = &sv->cfg->api;
    const char *host = api->host ? api->host : API_DEFAULT_HOST;
    char port[8];
    snprintf(port, sizeof port, "%d", api->port);
    struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
                              .ai_socktype = SOCK_STREAM }, *ai = NULL;
    int gr = getaddrinfo(host, port, &hints, &ai);
    if (gr != 0 || !ai) {
        snprintf(err, errlen, "--api-host %s: %s", host, gai_strerror(gr));
        return -1;
    }
    sv->max_conns = fd_budget(api->max_connections > 0 ? api->max_connections : 4096);
    double timeout_s = (api->timeout_ms > 0 ? api->timeout_ms : 10000) / 1000.0;
    sv->guard = guard_new(sv->max_conns, timeout_s);
    if (!sv->guard) {
        freeaddrinfo(ai);
        snprintf(err, errlen, "API: out of memory");
        return -1;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (sv->tls_cert)
        flags |= MHD_USE_TLS;
    int per_ip = sv->max_conns / 4 > 16 ? sv->max_conns / 4 : 16;
    struct MHD_OptionItem tls_opts[] = {
        { MHD_OPTION_HTTPS_MEM_CERT, 0, sv->tls_cert },
        { MHD_OPTION_HTTPS_MEM_KEY, 0, sv->tls_key },
        { MHD_OPTION_END, 0, NULL },
    };
    sv->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, sv,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)sv->max_conns,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)ceil(timeout_s),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, sv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, sv,
        MHD_OPTION_ARRAY, sv->tls_cert ? tls_opts : &tls_opts[2],
        MHD_OPTION_END);
    int saved = errno;
    freeaddrinfo(ai);
    if (!sv->mhd) {
        snprintf(err, errlen, "API: cannot listen on %s port %d%s%s", host, api->port,
                 saved ? ": " : "", saved ? strerror(saved) : "");
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(sv->mhd, MHD_DAEMON_INFO_BIND_PORT);
    sv->port = di ? di->port : api->port;
    bool v6 = strchr(host, ':') != NULL;
    snprintf(sv->url, sizeof sv->url, "%s://%s%s%s:%d", sv->tls_cert ? "https" : "http",
             v6 ? "[" : "", host, v6 ? "]" : "", sv->port);
    return 0;
}

void serve_http_stop(serve_t *sv)
{
    if (sv->mhd) {
        MHD_stop_daemon(sv->mhd);
        sv->mhd = NULL;
    }
    guard_free(sv->guard);
    sv->guard = NULL;
}
