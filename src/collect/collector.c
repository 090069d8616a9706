/* collector.c — one poll cycle over every member through the loop's shared
 * multi handle: members, requests, and what each answer means. */
#include "collector_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"
#include "promsource.h"

const char *const rk_what[RK_COUNT] = {
    "metrics", "status", "health", "read probe", "write probe", "member list", "alarms"
};
const char *const rk_feature[RK_COUNT] = {
    "/metrics", "maintenance status", "/health", "read probe (range)", "write probe (put)",
    "member list (discovery)", "alarm list"
};

bool collector_default_tls(const config_t *cfg)
{
    return (cfg->ca_file || cfg->cert_file) && !cfg->insecure_transport;
}

unsigned collector_endpoint_flags(const config_t *cfg)
{
    return ENDPOINT_CHECK | (collector_default_tls(cfg) ? ENDPOINT_HTTPS : 0u);
}

/* Normalize configured endpoint i of list (n items) named flag; 0, or -1 with
 * err naming the flag (the input is never echoed: it may hold credentials). */
static int collector_config_url(const config_t *cfg, const char *flag, char *const *list, int n,
                                int i, char *out, size_t cap, char *err, size_t errlen)
{
    char why[128];
    if (endpoint_normalize(list[i], collector_endpoint_flags(cfg), out, cap, why,
                           sizeof why) == ENDPOINT_OK)
        return 0;
    if (n > 1)
        snprintf(err, errlen, "%s: item %d of %d: %s", flag, i + 1, n, why);
    else
        snprintf(err, errlen, "%s: %s", flag, why);
    return -1;
}

int collector_check_endpoints(const config_t *cfg, char *err, size_t errlen)
{
    char url[ENDPOINT_URL_LEN];
    const char *flag = cfg->endpoints_given || cfg->n_members == 0 ? "--endpoints"
                                                                     : "members: endpoint";
    if (cfg->n_endpoints > ENDPOINT_MAX) {
        snprintf(err, errlen, "%s: %d endpoints (at most %d)", flag, cfg->n_endpoints,
                 ENDPOINT_MAX);
        return -1;
    }
    for (int i = 0; i < cfg->n_endpoints; i++)
        if (collector_config_url(cfg, flag, cfg->endpoints, cfg->n_endpoints, i, url,
                                 sizeof url, err, errlen) != 0)
            return -1;
    for (int i = 0; i < cfg->n_metrics_endpoints; i++)
        if (cfg->metrics_endpoints[i] &&
            collector_config_url(cfg, "--metrics-endpoints", cfg->metrics_endpoints,
                                 cfg->n_metrics_endpoints, i, url, sizeof url, err, errlen) != 0)
            return -1;
    return 0;
}

/* Set the client URL and every request's URL; /metrics comes from the
 * member's --metrics-endpoints URL when it has one (and never gets the token:
 * that listener does no auth and is often plain HTTP). */
void member_set_url(member_t *mb, const char *url)
{
    static const char *const paths[RK_COUNT] = {
        "/metrics", "/v3/maintenance/status", "/health", "/v3/kv/range", "/v3/kv/put",
        "/v3/cluster/member/list", "/v3/maintenance/alarm"
    };
    snprintf(mb->url, sizeof(mb->url), "%s", url);
    for (int k = 0; k < RK_COUNT; k++)
        snprintf(mb->req_url[k], sizeof(mb->req_url[k]), "%s%s",
                 k == RK_METRICS && mb->metrics_base[0] ? mb->metrics_base : url, paths[k]);
    mb->req[RK_METRICS].no_auth = mb->metrics_base[0] != '\0';
}

/* The http sink of /metrics: one received piece into the member's stream. */
static void collector_metrics_piece(void *ctx, const char *p, size_t n)
{
    metrics_stream_feed(ctx, p, n);
}

#define CONNS_PER_MEMBER 5   /* metrics, status, health, the read and write probes */

member_t *collector_add_member(collector_t *c, const char *url, const char *name,
                                      const char *metrics_base)
{
    if (c->n >= CLUSTER_MAX_MEMBERS)
        return NULL;
    member_t *mb = calloc(1, sizeof(*mb));
    if (!mb)
        return NULL;
    for (int k = 0; k < RK_COUNT; k++) {
        if (http_req_init(&mb->req[k], c->cfg->max_body_bytes, mb, k) != 0) {
            for (int j = 0; j <= k; j++)
                http_req_free(&c->http, &mb->req[j]);
            free(mb);
            return NULL;
        }
    }
    /* /metrics is scanned as it arrives, never kept: no 150 kB copy per member. */
    if (!(mb->metrics = metrics_stream_new(c->cfg->max_body_bytes))) {
        for (int k = 0; k < RK_COUNT; k++)
            http_req_free(&c->http, &mb->req[k]);
        free(mb);
        return NULL;
    }
    mb->req[RK_METRICS].sink = collector_metrics_piece;
    mb->req[RK_METRICS].sink_ctx = mb->metrics;
    mb->req[RK_METRICS].gzip = c->cfg->metrics_gzip;   /* 150 kB, a tenth gzipped */
    snprintf(mb->metrics_base, sizeof(mb->metrics_base), "%s", metrics_base ? metrics_base : "");
    member_set_url(mb, url);
    /* Every request's handle set up now, not at its first poll (the alarm list
     * goes to whichever member answers first): steady polls allocate nothing. */
    for (int k = 0; k < RK_COUNT; k++)
        if (mb->url[0])
            (void)http_prepare(&c->http, &mb->req[k], mb->req_url[k], rk_is_api(k));
    /* Named by host:port until the member list names it. */
    if (name && *name)
        snprintf(mb->name, sizeof(mb->name), "%s", name);
    else if (endpoint_hostport(url, mb->name, sizeof(mb->name)) != 0)
        snprintf(mb->name, sizeof(mb->name), "%.63s", url);
    mb->was_up = -1;
    c->m[c->n++] = mb;
    return mb;
}

void collector_reserve_connections(collector_t *c)
{
    char why[240];
    loop_reserve_connections(c->loop, c->n * CONNS_PER_MEMBER + 16, why, sizeof why);
    if (why[0] && !c->told_fds) {
        events_add(&c->events, "connections: %s", why);
        c->told_fds = true;
    }
}

void collector_remove_member(collector_t *c, int i)
{
    member_t *mb = c->m[i];
    for (int k = 0; k < RK_COUNT; k++)
        http_req_free(&c->http, &mb->req[k]);
    metrics_stream_free(mb->metrics);
    free(mb);
    memmove(&c->m[i], &c->m[i + 1], (size_t)(c->n - i - 1) * sizeof(c->m[0]));
    c->n--;
    if (c->list_from >= c->n)
        c->list_from = 0;
}

static void collector_on_done(http_req_t *r, void *ctx);
static void collector_parse(collector_t *c, member_t *mb, int kind, const char *body, size_t len,
                            double took_s);

/* --prometheus: the members are Prometheus' targets, read by a promsource
 * with the collector's TLS files, timeouts and body cap. */
static collector_t *collector_new_prometheus(collector_t *c, char *err, size_t errlen)
{
    const config_t *cfg = c->cfg;
    promsource_config_t pc = {
        .url = cfg->prometheus_url,
        .selector = cfg->prometheus_selector ? cfg->prometheus_selector : "{job=\"etcd\"}",
        .n_windows = cfg->n_windows, .window_ms = cfg->window_ms,
        .timeout_ms = c->timeout_ms, .connect_timeout_ms = cfg->dial_timeout_ms,
        .max_body = cfg->max_body_bytes,
        .tls = { .ca_file = cfg->ca_file, .cert_file = cfg->cert_file,
                 .key_file = cfg->key_file, .insecure = cfg->insecure_skip_verify },
        .use_proxy_env = cfg->use_proxy_env,
    };
    if (!(c->prom = promsource_new(&pc, c->loop, err, errlen))) {
        collector_free(c);
        return NULL;
    }
    return c;
}

collector_t *collector_new(const config_t *cfg, loop_t *loop, char *err, size_t errlen)
{
    collector_t *c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->cfg = cfg;
    c->loop = loop;
    if (http_init(&c->http, loop, collector_on_done, c) != 0) {
        snprintf(err, errlen, "cannot initialise libcurl");
        free(c);
        return NULL;
    }
    if (json_arena_init(&c->arena) != 0) {
        snprintf(err, errlen, "out of memory");
        collector_free(c);
        return NULL;
    }
    c->tls_default = collector_default_tls(cfg);
    if (cfg->key_file && !cfg->cert_file) {
        snprintf(err, errlen, "--key needs --cert (the client certificate of that key)");
        collector_free(c);
        return NULL;
    }
    if (cfg->n_metrics_endpoints > cfg->n_endpoints) {
        snprintf(err, errlen, "--metrics-endpoints lists %d URLs for %d endpoints (one per "
                 "endpoint, in the same order)", cfg->n_metrics_endpoints, cfg->n_endpoints);
        collector_free(c);
        return NULL;
    }
    http_set_tls(&c->http, &(http_tls_t){ .ca_file = cfg->ca_file, .cert_file = cfg->cert_file,
                                          .key_file = cfg->key_file,
                                          .insecure = cfg->insecure_skip_verify });
    if (cfg->user && *cfg->user &&
        !(c->auth = auth_new(cfg->user, cfg->password, cfg->password_file, cfg->max_body_bytes,
                             RK_AUTH, err, errlen))) {
        collector_free(c);
        return NULL;
    }
    /* Every request ends before the next poll is due: a hung member never
     * delays the others and never makes requests pile up. */
    long iv = cfg->interval_ms;
    c->timeout_ms = iv - (iv / 5 > 200 ? iv / 5 : 200);
    if (c->timeout_ms < 300)
        c->timeout_ms = 300;
    c->endpoint_flags = collector_endpoint_flags(cfg);
    http_set_proxy_env(&c->http, cfg->use_proxy_env);
    if (cfg->prometheus_url)
        return collector_new_prometheus(c, err, errlen);
    if (collector_check_endpoints(cfg, err, errlen) != 0) {
        collector_free(c);
        return NULL;
    }
    for (int i = 0; i < cfg->n_endpoints; i++) {
        char url[ENDPOINT_URL_LEN], murl[ENDPOINT_URL_LEN] = "";
        if (endpoint_normalize(cfg->endpoints[i], c->endpoint_flags, url, sizeof url, NULL, 0) != 0 ||
            (i < cfg->n_metrics_endpoints && cfg->metrics_endpoints[i] &&
             endpoint_normalize(cfg->metrics_endpoints[i], c->endpoint_flags, murl, sizeof murl,
                                NULL, 0) != 0)) {
            snprintf(err, errlen, "bad endpoint");   /* collector_check_endpoints said OK */
            collector_free(c);
            return NULL;
        }
        bool dup = false;
        for (int j = 0; j < c->n; j++)
            dup |= strcmp(c->m[j]->url, url) == 0;
        member_t *mb = dup ? NULL : collector_add_member(c, url, NULL, murl);
        if (!dup && !mb) {
            snprintf(err, errlen, "too many endpoints (at most %d)", CLUSTER_MAX_MEMBERS);
            collector_free(c);
            return NULL;
        }
        const config_member_t *cm = config_member_for(cfg, url);
        if (mb && cm && cm->ssh_target)
            mb->pinned = true;
    }
    collector_reserve_connections(c);
    return c;
}

void collector_free(collector_t *c)
{
    if (!c)
        return;
    while (c->n > 0)
        collector_remove_member(c, c->n - 1);
    auth_free(c->auth, &c->http);
    http_cleanup(&c->http);
    json_arena_free(&c->arena);
    promsource_free(c->prom);
    free(c);
}

/* Record a request's failure as one line on its member. */
void member_fail(member_t *mb, int kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(mb->err[kind], sizeof(mb->err[kind]), fmt, ap);
    va_end(ap);
}

/* Milliseconds left before the poll's deadline (never more than the timeout). */
long collector_time_left_ms(const collector_t *c)
{
    double left = (c->poll_deadline - c->now) * 1000.0;
    if (left > (double)c->timeout_ms)
        return c->timeout_ms;
    return left > 0 ? (long)left : 0;
}

/* Send request kind of mb now, with timeout_ms. */
void collector_send(collector_t *c, member_t *mb, int kind, long timeout_ms)
{
    if (kind == RK_METRICS)
        metrics_stream_begin(mb->metrics);       /* read as it arrives (collector_parse) */
    if (http_start(&c->http, &mb->req[kind], mb->req_url[kind], mb->post[kind], timeout_ms,
                   c->cfg->dial_timeout_ms) != 0)
        member_fail(mb, kind, "cannot start request: %s", mb->req[kind].errbuf);
}

/* The alarms, every poll, from the first voting member whose read probe answers: one
 * small request, sent when a fresh answer shows the member and our token good
 * (the maintenance status checks no token) — an alarm list asked with a token
 * that just expired costs etcd 3.4 an "Unknown" failure in its own error
 * counters, which the error-rate rules would then report. */
static void collector_ask_alarms(collector_t *c, member_t *mb)
{
    static const char body[] = "{\"action\":\"GET\"}";
    if (c->alarms_asked || mb->is_learner || mb->denied[RK_ALARMS] ||
        mb->hold_until[RK_ALARMS] > c->now)
        return;                                 /* a learner serves no alarm list */
    long left = collector_time_left_ms(c);
    if (left < LATE_START_MIN_MS)
        return;
    c->alarms_asked = true;
    mb->post[RK_ALARMS] = body;
    if (c->auth && auth_state(c->auth) == AUTH_IN_FLIGHT)
        mb->waiting[RK_ALARMS] = true;          /* sent with the new token */
    else
        collector_send(c, mb, RK_ALARMS, left);
}

/* One request finished: parse its body into the member's sample in flight. */
static void collector_on_done(http_req_t *r, void *ctx)
{
    collector_t *c = ctx;
    c->now = c->last_end = loop_mono();
    if (r->kind == RK_AUTH) {
        if (auth_owns(c->auth, r))
            collector_on_auth_done(c);
        return;
    }
    if (c->draining)
        return;
    member_t *mb = r->owner;
    char why[160];
    http_req_error(r, why, sizeof(why));
    if (why[0]) {
        /* A refusal's body is read for etcd's error (its JSON in the arena too). */
        json_arena_enter(&c->arena);
        bool auth = r->result == CURLE_OK && collector_auth_answer(c, mb, r);
        json_arena_leave(&c->arena);
        if (auth)
            return;
        snprintf(mb->cause[r->kind], sizeof(mb->cause[r->kind]), "%.127s", why);
        member_fail(mb, r->kind, "%s: %s", rk_what[r->kind], why);
        return;
    }
    if (!r->auth_gen && c->token_only_until[r->kind] > 0)
        collector_tokenless_ok(c, r->kind);
    if (r->auth_gen && rk_is_api(r->kind))
        collector_token_ok(c, mb, r->kind);
    const char *body = r->body.data ? r->body.data : "";
    size_t len = r->body.len;
    json_arena_enter(&c->arena);
    collector_parse(c, mb, r->kind, body, len, r->total_s - r->connect_s);
    json_arena_leave(&c->arena);
}

/* An answer's body into the member's sample in flight (JSON parses inside the
 * collector's arena); took_s is the transfer less connecting. */
static void collector_parse(collector_t *c, member_t *mb, int kind, const char *body, size_t len,
                            double took_s)
{
    char why[160];
    switch (kind) {
    case RK_METRICS: {
        prom_error_t pe;
        (void)body;                              /* streamed: the body is not kept */
        (void)len;
        if (metrics_stream_end(mb->metrics, &mb->cur.m, &pe) == 0)
            mb->cur.metrics_ok = true;
        else
            member_fail(mb, RK_METRICS, "malformed /metrics at line %d col %d: %s",
                        pe.line, pe.col, pe.msg);
        break;
    }
    case RK_STATUS:
        if (status_parse_maintenance(body, len, &mb->cur.s, why, sizeof(why)) != 0) {
            member_fail(mb, RK_STATUS, "malformed %s", why);
            break;
        }
        if (mb->cur.s.member_id)
            mb->id = mb->cur.s.member_id;
        break;
    case RK_HEALTH: {
        int h = status_parse_health(body, len, why, sizeof(why));
        if (h < 0)
            member_fail(mb, RK_HEALTH, "malformed %s", why);
        else if (h == 0)
            member_fail(mb, RK_HEALTH, "%s", why);
        mb->cur.health_ok = h == 1;
        break;
    }
    case RK_PROBE_READ:
        /* Client-observed latency from libcurl's microsecond timers: the whole
         * transfer less connecting (0 on a kept-alive connection); never below
         * what the answer really took. */
        mb->cur.probe_read_ms = took_s * 1000.0;
        collector_ask_alarms(c, mb);             /* the member and our token are good */
        break;
    case RK_PROBE_WRITE:
        mb->cur.probe_write_ms = took_s * 1000.0;
        break;
    case RK_MEMBERS: {
        int n = 0;
        uint64_t cid = 0;
        if (status_parse_member_list(body, len, c->list, CLUSTER_MAX_MEMBERS + 1, &n, &cid,
                                     why, sizeof(why)) == 0) {
            c->list_ok = true;
            c->n_list = n;
            collector_list_normalize(c);
            c->cluster_id = cid;
            if (!c->cfg->no_discover)
                collector_add_listed(c, true);
        } else {
            member_fail(mb, RK_MEMBERS, "malformed %s", why);
        }
        break;
    }
    case RK_ALARMS: {
        int n = 0;
        if (status_parse_alarms(body, len, c->alarms, CLUSTER_MAX_ALARMS, &n,
                                why, sizeof(why)) == 0) {
            c->alarms_ok = true;
            c->n_alarms = n;
        } else {
            member_fail(mb, RK_ALARMS, "malformed %s", why);
        }
        break;
    }
    default:
        break;
    }
}

/* Start one request of this poll: not at all when etcd denied it to the user
 * on this member, when etcd wants a token we do not have, or while this member
 * refuses fresh tokens for it; later when it needs the token that an
 * authenticate in flight will bring. */
static void collector_start_req(collector_t *c, member_t *mb, int kind, const char *post)
{
    mb->post[kind] = post;
    if (mb->denied[kind] || collector_held(c, mb, kind))
        return;
    if (rk_is_api(kind) && c->auth && auth_state(c->auth) == AUTH_IN_FLIGHT) {
        mb->waiting[kind] = true;
        return;
    }
    if (collector_tokenless(c, kind))
        return;
    collector_send(c, mb, kind, c->timeout_ms);
}

/* Ask one member for its metrics, status, read probe (and write probe, health). */
void collector_start_member(collector_t *c, member_t *mb)
{
    if (!mb->url[0])
        return;                          /* listed but not started: nothing to ask */
    collector_start_req(c, mb, RK_METRICS, NULL);
    collector_start_req(c, mb, RK_STATUS, "{}");
    /* /health only when the last poll's own answers could not tell (see
     * collector_health): etcd's verdict, and its reason, when not healthy. */
    mb->health_asked = !mb->health_known || mb->is_learner;
    if (mb->health_asked)
        collector_start_req(c, mb, RK_HEALTH, NULL);
    collector_start_req(c, mb, RK_PROBE_READ,
                        mb->is_learner ? PROBE_READ_BODY_LEARNER : PROBE_READ_BODY);
    /* Only members the member list has named: the key carries the name, and a
     * stray endpoint outside the cluster is never written to. */
    if (c->cfg->probe_write && mb->in_list) {
        /* The value is the poll's wall-clock time: small, and useful when read. */
        char val[32], v64[48];
        int n = snprintf(val, sizeof(val), "%.3f", mb->cur.t);
        b64_encode((const unsigned char *)val, (size_t)n, v64, sizeof(v64));
        member_probe_key(c, mb);
        snprintf(mb->probe_body, sizeof(mb->probe_body), "{\"key\":\"%s\",\"value\":\"%s\"}",
                 mb->probe_key, v64);
        collector_start_req(c, mb, RK_PROBE_WRITE, mb->probe_body);
    }
}

bool collector_start_poll(collector_t *c, double wall, double mono)
{
    if (c->prom)
        return promsource_start_poll(c->prom, wall, mono);
    if (c->in_flight)
        return false;
    c->in_flight = true;
    c->poll_wall = wall;
    c->poll_mono = mono;
    c->now = c->last_end = mono;
    c->poll_deadline = mono + c->timeout_ms / 1000.0;
    c->iteration++;
    /* The member list and alarms on their own grid; half an interval of slack,
     * so a poll that starts a few ms early is not skipped. */
    double hci = c->cfg->health_check_interval_ms / 1000.0;
    bool health_due = mono + c->cfg->interval_ms / 2000.0 >= c->next_health_mono;
    if (health_due) {
        c->next_health_mono = c->next_health_mono > 0 ? c->next_health_mono + hci : mono + hci;
        if (c->next_health_mono <= mono)
            c->next_health_mono = mono + hci;
    }
    /* The alarm list is kept until the next successful read (alarms_ok stays). */
    c->list_ok = false;
    c->list_asked = false;

    int asked = -1;
    for (int i = 0; i < c->n; i++) {
        member_t *mb = c->m[i];
        memset(&mb->cur, 0, sizeof(mb->cur));
        mb->cur.probe_read_ms = mb->cur.probe_write_ms = NAN;
        memset(mb->err, 0, sizeof(mb->err));
        memset(mb->cause, 0, sizeof(mb->cause));
        memset(mb->waiting, 0, sizeof(mb->waiting));
        memset(mb->retried, 0, sizeof(mb->retried));
        mb->cur.t = wall;
    }
    /* A token first (a single authenticate, whose answer the API calls wait for). */
    c->auth_tries = 0;
    if (c->auth && auth_can_start(c->auth, mono))
        collector_auth_start(c);
    for (int i = 0; i < c->n; i++)
        collector_start_member(c, c->m[i]);
    if (health_due && c->n > 0) {
        /* Ask one member for the member list and alarms; rotate when it fails. */
        for (int tries = 0; tries < c->n && asked < 0; tries++) {
            int i = (c->list_from + tries) % c->n;
            const member_t *m = c->m[i];
            if (m->url[0] && !m->denied[RK_MEMBERS] && m->hold_until[RK_MEMBERS] <= mono)
                asked = i;
        }
        if (asked >= 0) {
            c->list_from = asked;
            c->list_asked = true;
            collector_start_req(c, c->m[asked], RK_MEMBERS, "{}");
        }
    }
    /* The alarms every poll (one small request to one member): a NOSPACE shows
     * at the next poll, not a health-check interval later. */
    c->alarms_asked = false;                       /* asked by collector_ask_alarms() */
    return true;
}

bool collector_in_flight(const collector_t *c)
{
    if (c->prom)
        return promsource_in_flight(c->prom);
    return c->in_flight;
}

bool collector_take_snapshot(collector_t *c, cluster_snapshot_t *snap)
{
    if (c->prom)
        return promsource_take_snapshot(c->prom, snap);
    if (!c->in_flight || c->http.active > 0)
        return false;
    collector_complete(c, snap);
    return true;
}

void collector_abort(collector_t *c)
{
    if (c->prom)
        promsource_abort(c->prom);
    for (int i = 0; i < c->n; i++)
        for (int k = 0; k < RK_COUNT; k++)
            http_cancel(&c->http, &c->m[i]->req[k]);
    if (c->auth)
        auth_cancel(c->auth, &c->http);
    for (int i = 0; i < c->n; i++)
        memset(c->m[i]->waiting, 0, sizeof(c->m[i]->waiting));
    c->in_flight = false;
}

void collector_set_route(collector_t *c, http_route_fn fn, void *ctx)
{
    http_set_route(&c->http, fn, ctx);
}

void collector_counters(const collector_t *c, long *connects, long *transfers)
{
    if (c->prom) {
        promsource_counters(c->prom, connects, transfers);
        return;
    }
    *connects = c->http.connects;
    *transfers = c->http.transfers;
}
