/* collector.c — one poll cycle over every member through one curl multi handle. */
#include "collector.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "http.h"
#include "metrics.h"
#include "status.h"

enum { RK_METRICS, RK_STATUS, RK_HEALTH, RK_PROBE_READ, RK_PROBE_WRITE, RK_MEMBERS, RK_ALARMS,
       RK_COUNT, RK_AUTH = RK_COUNT };

static const char *const rk_what[RK_COUNT] = {
    "metrics", "status", "health", "read probe", "write probe", "member list", "alarms"
};
/* What a denied call takes away, for the one event that says so. */
static const char *const rk_feature[RK_COUNT] = {
    "/metrics", "maintenance status", "/health", "read probe (range)", "write probe (put)",
    "member list (discovery)", "alarm list"
};

/* The gateway calls (/v3/...): they carry the etcd token and wait for it. */
static bool rk_is_api(int kind)
{
    return kind != RK_METRICS && kind != RK_HEALTH;
}

/* Shortest time worth giving a request that starts late in a poll. */
#define LATE_START_MIN_MS 100

/* The read probe: one linearizable range read of a key nobody writes
 * ("/etcd-monitor/probe/absent", base64). */
#define PROBE_READ_BODY "{\"key\":\"L2V0Y2QtbW9uaXRvci9wcm9iZS9hYnNlbnQ=\"}"
/* A learner refuses linearizable reads ("rpc not supported for learner"): it
 * gets the same read, serializable. */
#define PROBE_READ_BODY_LEARNER \
    "{\"key\":\"L2V0Y2QtbW9uaXRvci9wcm9iZS9hYnNlbnQ=\",\"serializable\":true}"

typedef struct {
    char             name[64];
    char             url[256];           /* normalized client URL; "" = not started */
    char             metrics_base[256];  /* --metrics-endpoints URL; "" = the client URL */
    char             req_url[RK_COUNT][300];
    const char      *post[RK_COUNT];     /* this poll's body of each request (borrowed) */
    bool             waiting[RK_COUNT];  /* held until the authenticate in flight ends */
    bool             retried[RK_COUNT];  /* sent again this poll after a token refusal */
    uint64_t         id;
    bool             is_learner;
    bool             in_list;
    bool             pinned;             /* a members: entry with its own SSH host:
                                            never replaced by the URL the member list
                                            gives (that one would bypass the tunnel) */
    http_req_t       req[RK_COUNT];
    member_sample_t  cur;                /* filled during the poll in flight */
    char             err[RK_COUNT][160]; /* each request's failure, self-describing */
    char             cause[RK_COUNT][128]; /* transport cause alone, to say it once */
    char             probe_key[256];     /* write probe key, base64 (empty = none) */
    char             probe_body[640];    /* its /v3/kv/put body */
    metrics_sample_t prev_m;             /* last good /metrics, for deltas */
    double           prev_t;
    bool             has_prev;
    int              was_up;             /* -1 unknown, 0 down, 1 up */
    member_interval_t iv;
} member_t;

struct collector {
    const config_t *cfg;
    http_t          http;
    member_t       *m[CLUSTER_MAX_MEMBERS];
    int             n;
    bool            in_flight;
    double          poll_wall, poll_mono;
    long            iteration;
    double          next_health_mono;
    long            timeout_ms;
    int             list_from;           /* member asked for the member list */
    bool            list_asked;          /* asked this poll */
    bool            list_ok;
    status_member_t list[CLUSTER_MAX_MEMBERS];
    int             n_list;
    uint64_t        cluster_id;
    bool            alarms_ok;
    status_alarm_t  alarms[CLUSTER_MAX_ALARMS];
    int             n_alarms;
    event_list_t    events;              /* gathered until the poll completes */
    double          now;                 /* monotonic time of the current step */
    double          poll_deadline;       /* monotonic: the poll's requests end by then */
    bool            tls_default;         /* bare host:port endpoints use https */
    auth_t         *auth;                /* NULL without --user */
    int             auth_from;           /* member asked to authenticate */
    int             auth_tries;          /* members asked this poll */
    bool            auth_required;       /* no --user, and etcd wants a token */
    bool            denied[RK_COUNT];    /* the user may not: never asked again */
    char            told_held[256];      /* the pinned member discovery last waited for */
    double          token_only_until[RK_COUNT]; /* refused without a token: not sent
                                           without one before then (monotonic) */
};

/* Without a token, a call etcd refused for lack of one is asked again only this
 * often: each refusal is a failed gRPC request in the member's own metrics. */
#define TOKENLESS_RETRY_S 60.0

bool collector_default_tls(const config_t *cfg)
{
    return (cfg->ca_file || cfg->cert_file) && !cfg->insecure_transport;
}

int collector_normalize_url(const char *in, char *out, size_t outlen)
{
    return collector_normalize_endpoint(in, false, out, outlen);
}

int collector_normalize_endpoint(const char *in, bool tls, char *out, size_t outlen)
{
    const char *scheme = tls ? "https" : "http";
    const char *rest = in;
    if (strncasecmp(in, "http://", 7) == 0) {
        scheme = "http";
        rest = in + 7;
    } else if (strncasecmp(in, "https://", 8) == 0) {
        scheme = "https";
        rest = in + 8;
    } else if (strstr(in, "://")) {
        return -1;
    }
    size_t len = strlen(rest);
    while (len > 0 && rest[len - 1] == '/')
        len--;
    if (len == 0)
        return -1;
    int n = snprintf(out, outlen, "%s://%.*s", scheme, (int)len, rest);
    if (n < 0 || (size_t)n >= outlen)
        return -1;
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return 0;
}

/* Standard base64 of n bytes into out (cap bytes); "" when it does not fit. */
static void b64_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t need = (n + 2) / 3 * 4 + 1, o = 0;
    if (need > cap) {
        if (cap)
            out[0] = '\0';
        return;
    }
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[o] = '\0';
}

/* The write probe's key for a member: the prefix followed by its name. */
static void member_probe_key(const collector_t *c, member_t *mb)
{
    char key[200];
    snprintf(key, sizeof(key), "%s%s", c->cfg->probe_prefix ? c->cfg->probe_prefix
                                                            : "/etcd-monitor/probe/", mb->name);
    b64_encode((const unsigned char *)key, strlen(key), mb->probe_key, sizeof(mb->probe_key));
}

/* Host:port part of a URL, used as a name until the member list names it. */
static void collector_url_hostport(const char *url, char *out, size_t len)
{
    const char *p = strstr(url, "://");
    snprintf(out, len, "%s", p ? p + 3 : url);
}

/* Set the client URL and every request's URL; /metrics comes from the
 * member's --metrics-endpoints URL when it has one (and never gets the token:
 * that listener does no auth and is often plain HTTP). */
static void member_set_url(member_t *mb, const char *url)
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

static member_t *collector_add_member(collector_t *c, const char *url, const char *name,
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
    snprintf(mb->metrics_base, sizeof(mb->metrics_base), "%s", metrics_base ? metrics_base : "");
    member_set_url(mb, url);
    if (name && *name)
        snprintf(mb->name, sizeof(mb->name), "%s", name);
    else
        collector_url_hostport(url, mb->name, sizeof(mb->name));
    mb->was_up = -1;
    c->m[c->n++] = mb;
    return mb;
}

static void collector_remove_member(collector_t *c, int i)
{
    member_t *mb = c->m[i];
    for (int k = 0; k < RK_COUNT; k++)
        http_req_free(&c->http, &mb->req[k]);
    free(mb);
    memmove(&c->m[i], &c->m[i + 1], (size_t)(c->n - i - 1) * sizeof(c->m[0]));
    c->n--;
    if (c->list_from >= c->n)
        c->list_from = 0;
}

collector_t *collector_new(const config_t *cfg, char *err, size_t errlen)
{
    collector_t *c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->cfg = cfg;
    if (http_init(&c->http) != 0) {
        snprintf(err, errlen, "cannot initialise libcurl");
        free(c);
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
    for (int i = 0; i < cfg->n_endpoints; i++) {
        char url[256], murl[256] = "";
        if (collector_normalize_endpoint(cfg->endpoints[i], c->tls_default, url, sizeof(url)) != 0) {
            snprintf(err, errlen, "bad endpoint \"%s\"", cfg->endpoints[i]);
            collector_free(c);
            return NULL;
        }
        if (i < cfg->n_metrics_endpoints && cfg->metrics_endpoints[i] &&
            collector_normalize_endpoint(cfg->metrics_endpoints[i], c->tls_default, murl,
                                         sizeof(murl)) != 0) {
            snprintf(err, errlen, "bad metrics endpoint \"%s\"", cfg->metrics_endpoints[i]);
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
    free(c);
}

/* Find the member-list entry for a polled member, by id or by client URL. */
static const status_member_t *collector_list_entry(const collector_t *c, const member_t *mb)
{
    for (int i = 0; i < c->n_list; i++) {
        const status_member_t *e = &c->list[i];
        if (mb->id && e->id == mb->id)
            return e;
        for (int u = 0; u < e->n_client_urls; u++) {
            char url[256];
            if (collector_normalize_endpoint(e->client_urls[u], c->tls_default, url,
                                             sizeof(url)) == 0 &&
                strcmp(url, mb->url) == 0)
                return e;
        }
    }
    return NULL;
}

/* Record a request's failure as one line on its member. */
static void member_fail(member_t *mb, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void member_fail(member_t *mb, int kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(mb->err[kind], sizeof(mb->err[kind]), fmt, ap);
    va_end(ap);
}

static void collector_start_member(collector_t *c, member_t *mb);
static void collector_add_listed(collector_t *c, bool start_now);

/* Milliseconds left before the poll's deadline (never more than the timeout). */
static long collector_time_left_ms(const collector_t *c)
{
    double left = (c->poll_deadline - c->now) * 1000.0;
    if (left > (double)c->timeout_ms)
        return c->timeout_ms;
    return left > 0 ? (long)left : 0;
}

/* Send request kind of mb now, with timeout_ms. */
static void collector_send(collector_t *c, member_t *mb, int kind, long timeout_ms)
{
    if (http_start(&c->http, &mb->req[kind], mb->req_url[kind], mb->post[kind], timeout_ms,
                   c->cfg->dial_timeout_ms) != 0)
        member_fail(mb, kind, "cannot start request: %s", mb->req[kind].errbuf);
}

/* Would kind go out without the token etcd wants for it? Then it is not sent. */
static bool collector_tokenless(const collector_t *c, int kind)
{
    return http_token_gen(&c->http) == 0 && c->now < c->token_only_until[kind];
}

/* Ask the next member that has a URL to authenticate us; false when none could
 * be asked (each member at most once per poll). */
static bool collector_auth_start(collector_t *c)
{
    while (c->n > 0 && c->auth_tries < c->n) {
        member_t *mb = c->m[c->auth_from % c->n];
        c->auth_tries++;
        long left = collector_time_left_ms(c);
        if (mb->url[0] && left >= LATE_START_MIN_MS &&
            auth_start(c->auth, &c->http, mb->url, c->now, left, c->cfg->dial_timeout_ms) == 0)
            return true;
        c->auth_from = (c->auth_from + 1) % c->n;
    }
    return false;
}

/* The authenticate in flight has ended: send what waited for it (with the new
 * token, or without one when there is none to have). */
static void collector_release_waiting(collector_t *c)
{
    long left = collector_time_left_ms(c);
    for (int i = 0; i < c->n; i++) {
        member_t *mb = c->m[i];
        for (int k = 0; k < RK_COUNT; k++) {
            if (!mb->waiting[k])
                continue;
            mb->waiting[k] = false;
            if (collector_tokenless(c, k))
                continue;                       /* no token came: auth_error says why */
            if (left >= LATE_START_MIN_MS)
                collector_send(c, mb, k, left);
            else
                member_fail(mb, k, "%s: not sent: etcd authentication took the whole poll",
                            rk_what[k]);
        }
    }
}

/* The authenticate request finished. */
static void collector_on_auth_done(collector_t *c)
{
    switch (auth_finish(c->auth, c->now, &c->events)) {
    case AUTH_GOT_TOKEN:
        if (http_set_token(&c->http, auth_token(c->auth)) != 0)
            http_set_token(&c->http, NULL);     /* auth_parse_token checked it already */
        break;
    case AUTH_UNREACHABLE:
        c->auth_from = (c->auth_from + 1) % (c->n > 0 ? c->n : 1);
        if (collector_auth_start(c))
            return;                             /* still waiting, on another member */
        http_set_token(&c->http, NULL);
        break;
    default:                                    /* auth off, or refused: no token */
        http_set_token(&c->http, NULL);
        break;
    }
    collector_release_waiting(c);
}

/* An answer that is about etcd authentication: deal with it and return true
 * (the member is not at fault), or return false for any other failure.
 * A refused token: one authenticate for everybody (auth.h), and this request
 * is sent again once, in this poll, when the new token arrives. A denied
 * permission: the feature is marked unavailable, once, and never asked again. */
static bool collector_auth_answer(collector_t *c, member_t *mb, http_req_t *r)
{
    int k = r->kind;
    const char *body = r->body.data ? r->body.data : "";
    char msg[AUTH_ERROR_LEN];
    if (!rk_is_api(k))                          /* a 401/403 there is not etcd's auth */
        return false;
    switch (auth_classify(r->status, body, r->body.len)) {
    case AUTH_RESP_DENIED:
        if (!c->denied[k]) {
            c->denied[k] = true;
            events_add(&c->events, "auth: %s denied to %s (permission denied): not asked "
                       "any more%s", rk_feature[k],
                       c->auth ? auth_user(c->auth) : "anonymous requests",
                       k == RK_STATUS ? "; figures come from /metrics" : "");
        }
        return true;
    case AUTH_RESP_TOKEN:
        break;
    default:
        return false;
    }
    if (!r->auth_gen)                           /* refused for want of a token */
        c->token_only_until[k] = c->now + TOKENLESS_RETRY_S;
    if (!c->auth) {
        if (!c->auth_required) {
            auth_error_message(r->status, body, r->body.len, msg, sizeof(msg));
            events_add(&c->events, "auth: the cluster requires authentication (%.80s): "
                       "give --user", msg);
        }
        c->auth_required = true;
        return true;
    }
    /* The token this request carried is refused: nobody uses it any more. */
    if ((r->auth_gen && r->auth_gen == http_token_gen(&c->http)) ||
        (!r->auth_gen && auth_state(c->auth) == AUTH_UNUSED)) {
        http_set_token(&c->http, NULL);
        auth_token_rejected(c->auth);
    }
    if (mb->retried[k]) {                       /* once per poll, whatever happens */
        if (r->auth_gen)
            member_fail(mb, k, "%s: etcd refused a fresh token", rk_what[k]);
        return true;
    }
    if (auth_can_start(c->auth, c->now))
        collector_auth_start(c);
    switch (auth_state(c->auth)) {
    case AUTH_IN_FLIGHT:
        mb->retried[k] = mb->waiting[k] = true;
        break;
    case AUTH_READY:                            /* renewed since this one started */
        mb->retried[k] = true;
        if (collector_time_left_ms(c) >= LATE_START_MIN_MS)
            collector_send(c, mb, k, collector_time_left_ms(c));
        break;
    default:                                    /* backing off: auth_error says why */
        break;
    }
    return true;
}

/* A call etcd once refused without a token answered without one: auth is off
 * again (said when nothing needs a token any more and no --user was given). */
static void collector_tokenless_ok(collector_t *c, int kind)
{
    c->token_only_until[kind] = 0;
    for (int k = 0; k < RK_COUNT; k++)
        if (c->token_only_until[k] > 0)
            return;
    if (c->auth_required) {
        c->auth_required = false;
        events_add(&c->events, "auth: the cluster no longer requires authentication");
    }
}

/* One request finished: parse its body into the member's sample in flight. */
static void collector_on_done(http_req_t *r, void *ctx)
{
    collector_t *c = ctx;
    if (r->kind == RK_AUTH) {
        if (auth_owns(c->auth, r))
            collector_on_auth_done(c);
        return;
    }
    member_t *mb = r->owner;
    char why[160];
    http_req_error(r, why, sizeof(why));
    if (why[0]) {
        if (r->result == CURLE_OK && collector_auth_answer(c, mb, r))
            return;
        snprintf(mb->cause[r->kind], sizeof(mb->cause[r->kind]), "%.127s", why);
        member_fail(mb, r->kind, "%s: %s", rk_what[r->kind], why);
        return;
    }
    if (!r->auth_gen && c->token_only_until[r->kind] > 0)
        collector_tokenless_ok(c, r->kind);
    const char *body = r->body.data ? r->body.data : "";
    size_t len = r->body.len;
    switch (r->kind) {
    case RK_METRICS: {
        prom_error_t pe;
        if (metrics_extract(body, len, &mb->cur.m, &pe) == 0)
            mb->cur.metrics_ok = true;
        else
            member_fail(mb, RK_METRICS, "malformed /metrics at line %d col %d: %s",
                        pe.line, pe.col, pe.msg);
        break;
    }
    case RK_STATUS:
        if (status_parse_maintenance(body, len, &mb->cur.s, why, sizeof(why)) != 0)
            member_fail(mb, RK_STATUS, "malformed %s", why);
        else if (mb->cur.s.member_id)
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
        /* Client-observed latency, less connection set-up (kept alive anyway). */
        mb->cur.probe_read_ms = (r->total_s - r->pretransfer_s) * 1000.0;
        break;
    case RK_PROBE_WRITE:
        mb->cur.probe_write_ms = (r->total_s - r->pretransfer_s) * 1000.0;
        break;
    case RK_MEMBERS: {
        int n = 0;
        uint64_t cid = 0;
        if (status_parse_member_list(body, len, c->list, CLUSTER_MAX_MEMBERS, &n, &cid,
                                     why, sizeof(why)) == 0) {
            c->list_ok = true;
            c->n_list = n;
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

/* Start one request of this poll: not at all when the user may not make it (or
 * etcd wants a token we do not have), later when it needs the token that an
 * authenticate in flight will bring. */
static void collector_start_req(collector_t *c, member_t *mb, int kind, const char *post)
{
    mb->post[kind] = post;
    if (c->denied[kind])
        return;
    if (rk_is_api(kind) && c->auth && auth_state(c->auth) == AUTH_IN_FLIGHT) {
        mb->waiting[kind] = true;
        return;
    }
    if (collector_tokenless(c, kind))
        return;
    collector_send(c, mb, kind, c->timeout_ms);
}

/* Ask one member for its metrics, status and health. */
static void collector_start_member(collector_t *c, member_t *mb)
{
    if (!mb->url[0])
        return;                          /* listed but not started: nothing to ask */
    collector_start_req(c, mb, RK_METRICS, NULL);
    collector_start_req(c, mb, RK_STATUS, "{}");
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
    if (c->in_flight)
        return false;
    c->in_flight = true;
    c->poll_wall = wall;
    c->poll_mono = mono;
    c->now = mono;
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
            if (c->m[i]->url[0])
                asked = i;
        }
        if (asked >= 0) {
            c->list_from = asked;
            c->list_asked = true;
            collector_start_req(c, c->m[asked], RK_MEMBERS, "{}");
            collector_start_req(c, c->m[asked], RK_ALARMS, "{\"action\":\"GET\"}");
        }
    }
    return true;
}

bool collector_in_flight(const collector_t *c)
{
    return c->in_flight;
}

/* A pinned member (reached through its own SSH host) that has not answered yet:
 * the member list cannot be matched to it (no id), and any entry might be it
 * under another URL, which must not be polled around its tunnel. */
static const member_t *collector_unmatched_pinned(const collector_t *c)
{
    for (int j = 0; j < c->n; j++)
        if (c->m[j]->pinned && !c->m[j]->id)
            return c->m[j];
    return NULL;
}

/* The /metrics URL a members: entry gives a discovered member, "" when none. */
static void collector_listed_metrics(const collector_t *c, const char *url, char *murl,
                                     size_t cap)
{
    const config_member_t *cm = url[0] ? config_member_for(c->cfg, url) : NULL;
    murl[0] = '\0';
    if (cm && cm->metrics_endpoint &&
        collector_normalize_endpoint(cm->metrics_endpoint, c->tls_default, murl, cap) != 0)
        murl[0] = '\0';
}

/* Add members that the member list names and we do not poll yet. During a poll
 * their requests start at once, so discovery never costs a poll. */
static void collector_add_listed(collector_t *c, bool start_now)
{
    const member_t *held = collector_unmatched_pinned(c);
    if (held) {
        if (strcmp(c->told_held, held->url) != 0)
            events_add(&c->events, "discovery waits for %s (%s): through its own SSH host it "
                       "has not answered yet, and the member list may name it under "
                       "another URL", held->name, held->url);
        snprintf(c->told_held, sizeof c->told_held, "%s", held->url);
        return;
    }
    for (int i = 0; i < c->n_list; i++) {
        const status_member_t *e = &c->list[i];
        bool have = false;
        for (int j = 0; j < c->n && !have; j++)
            have = collector_list_entry(c, c->m[j]) == e ||
                   (c->m[j]->id && c->m[j]->id == e->id);
        if (have)
            continue;
        char url[256] = "";
        if (e->n_client_urls > 0 &&
            collector_normalize_endpoint(e->client_urls[0], c->tls_default, url, sizeof(url)) != 0)
            url[0] = '\0';
        char name[64], murl[256];
        if (e->name[0])
            snprintf(name, sizeof(name), "%s", e->name);
        else
            snprintf(name, sizeof(name), "%016" PRIx64, e->id);
        collector_listed_metrics(c, url, murl, sizeof murl);
        member_t *mb = collector_add_member(c, url, name, murl);
        if (!mb)
            continue;
        mb->id = e->id;
        mb->is_learner = e->is_learner;
        if (c->iteration > 1)
            events_add(&c->events, "member %s discovered (%s)", name,
                       url[0] ? url : "not started");
        mb->cur.probe_read_ms = mb->cur.probe_write_ms = NAN;
        if (start_now && url[0]) {
            mb->cur.t = c->poll_wall;
            collector_start_member(c, mb);
        }
    }
}

/* Apply a fresh member list at the end of a poll: names, ids, learners, and
 * (with discovery) drop members the cluster no longer has. */
static void collector_apply_list(collector_t *c)
{
    for (int j = 0; j < c->n; j++) {
        member_t *mb = c->m[j];
        const status_member_t *e = collector_list_entry(c, mb);
        mb->in_list = e != NULL;
        if (!e)
            continue;
        mb->id = e->id;
        mb->is_learner = e->is_learner;
        if (e->name[0])
            snprintf(mb->name, sizeof(mb->name), "%s", e->name);
        /* A member that was not started when first listed now has a URL. */
        if (!mb->url[0] && e->n_client_urls > 0) {
            char url[256];
            if (collector_normalize_endpoint(e->client_urls[0], c->tls_default, url,
                                             sizeof(url)) == 0)
                member_set_url(mb, url);
        }
    }
    if (!c->cfg->no_discover) {
        for (int j = c->n - 1; j >= 0; j--) {
            /* A pinned member without an id cannot be matched yet: kept. */
            if (!c->m[j]->in_list && !(c->m[j]->pinned && !c->m[j]->id)) {
                events_add(&c->events, "member %s (%s) is no longer in the member list",
                           c->m[j]->name, c->m[j]->url[0] ? c->m[j]->url : "-");
                collector_remove_member(c, j);
            }
        }
    }
}

/* Join a member's request errors into its one-line reason. */
static void member_reason(const member_t *mb, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    if (!mb->url[0]) {
        snprintf(out, len, "not started");
        return;
    }
    /* When the calls failed the same way (refused, timeout), say it once. */
    if (mb->cause[RK_METRICS][0] && strcmp(mb->cause[RK_METRICS], mb->cause[RK_STATUS]) == 0) {
        snprintf(out, len, "%s", mb->cause[RK_METRICS]);
        return;
    }
    const char *same = NULL, *tls = NULL;
    bool uniform = true, down = !mb->cur.metrics_ok && !mb->cur.s.ok;
    for (int k = 0; k < RK_COUNT; k++) {
        if (!mb->err[k][0])
            continue;
        const char *cause = mb->cause[k];
        if (!cause[0] || (same && strcmp(same, cause) != 0))
            uniform = false;
        if (cause[0] && !same)
            same = cause;
        if (!tls && strncmp(cause, "TLS:", 4) == 0)
            tls = cause;
    }
    /* Down for one reason: that reason. Up, with some calls failing for one
     * reason: "status, health: reason". */
    if (same && uniform && down) {
        snprintf(out, len, "%s", same);
        return;
    }
    if (same && uniform) {
        for (int k = 0; k < RK_COUNT && used + 1 < len; k++) {
            if (!mb->err[k][0])
                continue;
            int n = snprintf(out + used, len - used, "%s%s", used ? ", " : "", rk_what[k]);
            if (n < 0)
                break;
            used += (size_t)n < len - used ? (size_t)n : len - used - 1;
        }
        if (used + 1 < len)
            snprintf(out + used, len - used, ": %s", same);
        return;
    }
    /* A member that answered nothing and refused TLS: the TLS reason is the one
     * to read (others are the same refusal seen as a reset connection). */
    if (tls && down) {
        snprintf(out, len, "%s", tls);
        return;
    }
    for (int k = 0; k < RK_COUNT && used + 1 < len; k++) {
        if (!mb->err[k][0])
            continue;
        int n = snprintf(out + used, len - used, "%s%s", used ? "; " : "", mb->err[k]);
        if (n < 0)
            break;
        used += (size_t)n < len - used ? (size_t)n : len - used - 1;
    }
}

/* The authentication problem of this poll into the snapshot (AuthFailed):
 * only credentials that were given and fail. A cluster that wants a token when
 * no --user was given is said once as an event instead; the figures that need
 * no token keep coming. */
static void collector_auth_snapshot(const collector_t *c, cluster_snapshot_t *s)
{
    if (c->auth)
        snprintf(s->auth_error, sizeof(s->auth_error), "%s", auth_error(c->auth));
}

/* With no status answer at all (denied, or not allowed without a token), the
 * leader is the one member whose /metrics says etcd_server_is_leader 1. */
static void collector_leader_from_metrics(cluster_snapshot_t *s)
{
    int found = -1, n = 0;
    for (int i = 0; i < s->n_members; i++) {
        const member_sample_t *sm = &s->members[i].sample;
        if (sm->s.ok)
            return;
        if (sm->up && sm->metrics_ok && sm->m.is_leader.ok && sm->m.is_leader.v == 1 &&
            s->members[i].id) {
            found = i;
            n++;
        }
    }
    if (s->leader_id || n != 1)
        return;
    s->leader_id = s->members[found].id;
    snprintf(s->leader_name, sizeof(s->leader_name), "%s", s->members[found].name);
}

/* The poll in flight has finished: turn members into the snapshot. */
static void collector_complete(collector_t *c, double mono, cluster_snapshot_t *s)
{
    for (int i = 0; i < c->n; i++)
        if (c->m[i]->cur.s.ok && c->m[i]->cur.s.member_id) {
            /* A pinned member's first answer: the member list can now be matched
             * to it (its name, and discovery that waited for it), next poll. */
            if (c->m[i]->pinned && !c->m[i]->id)
                c->next_health_mono = 0;
            c->m[i]->id = c->m[i]->cur.s.member_id;
        }
    /* Two addresses of one member (localhost and 127.0.0.1): keep the first. */
    for (int i = c->n - 1; i > 0; i--)
        for (int j = 0; j < i; j++)
            if (c->m[i]->id && c->m[i]->id == c->m[j]->id) {
                collector_remove_member(c, i);
                break;
            }
    if (c->list_ok) {
        if (!c->cfg->no_discover)
            collector_add_listed(c, false);
        collector_apply_list(c);
    } else if (c->list_asked && c->n > 0) {
        /* No member list this time: the next member is asked at the next poll,
         * not a whole health-check interval later. */
        c->list_from = (c->list_from + 1) % c->n;
        c->next_health_mono = 0;
    }

    memset(s, 0, sizeof(*s));
    s->t = c->poll_wall;
    s->poll_ms = (mono - c->poll_mono) * 1000.0;
    s->iteration = c->iteration;
    s->cluster_id = c->cluster_id;
    s->wal_p99_ms = s->backend_p99_ms = NAN;
    if (c->alarms_ok) {
        s->n_alarms = c->n_alarms;
        memcpy(s->alarms, c->alarms, sizeof(s->alarms[0]) * (size_t)c->n_alarms);
    }
    for (int i = 0; i < c->n && s->n_members < CLUSTER_MAX_MEMBERS; i++) {
        member_t *mb = c->m[i];
        member_sample_t *cur = &mb->cur;
        cur->up = cur->metrics_ok || cur->s.ok;
        member_reason(mb, cur->error, sizeof(cur->error));
        if (cur->metrics_ok) {
            interval_derive(mb->has_prev ? &mb->prev_m : NULL, mb->prev_t, &cur->m,
                            cur->t, &cur->s, &mb->iv);
            mb->prev_m = cur->m;
            mb->prev_t = cur->t;
            mb->has_prev = true;
        } else {
            interval_derive(NULL, 0, NULL, cur->t, &cur->s, &mb->iv);
        }
        int up = cur->up ? 1 : 0;
        if (up != mb->was_up) {
            if (up)
                events_add(&c->events, "member %s (%s) is up", mb->name, mb->url);
            else
                events_add(&c->events, "member %s (%s) is down: %s", mb->name,
                                mb->url[0] ? mb->url : "-", cur->error);
            mb->was_up = up;
        }
        member_view_t *v = &s->members[s->n_members++];
        snprintf(v->name, sizeof(v->name), "%s", mb->name);
        snprintf(v->endpoint, sizeof(v->endpoint), "%s", mb->url);
        v->id = mb->id;
        v->is_learner = mb->is_learner;
        v->in_member_list = mb->in_list;
        v->sample = *cur;
        v->iv = mb->iv;
        v->disk_free_pct = NAN;
        v->log_slow = -1;
    }
    collector_auth_snapshot(c, s);
    s->events = c->events;
    c->events.n = 0;
    cluster_summarize(s);
    collector_leader_from_metrics(s);
    c->in_flight = false;
}

bool collector_step(collector_t *c, double mono, cluster_snapshot_t *snap)
{
    c->now = mono;
    http_perform(&c->http, collector_on_done, c);
    if (!c->in_flight || c->http.active > 0)
        return false;
    collector_complete(c, mono, snap);
    return true;
}

int collector_wait(collector_t *c, struct curl_waitfd *extra, unsigned n, int timeout_ms)
{
    return http_wait(&c->http, extra, n, timeout_ms);
}

void collector_abort(collector_t *c)
{
    for (int i = 0; i < c->n; i++)
        for (int k = 0; k < RK_COUNT; k++)
            http_cancel(&c->http, &c->m[i]->req[k]);
    if (c->auth)
        auth_cancel(c->auth, &c->http);
    for (int i = 0; i < c->n; i++)
        memset(c->m[i]->waiting, 0, sizeof(c->m[i]->waiting));
    c->in_flight = false;
}

/* Exit-time completions: only the authenticate needs handling. */
static void collector_on_exit_done(http_req_t *r, void *ctx)
{
    collector_t *c = ctx;
    if (r->kind == RK_AUTH && auth_owns(c->auth, r))
        collector_on_auth_done(c);
}

/* Run the multi handle until nothing is in flight (each request ends by its
 * own timeout, so this is bounded). */
static void collector_drain(collector_t *c)
{
    while (c->http.active > 0) {
        http_wait(&c->http, NULL, 0, 100);
        http_perform(&c->http, collector_on_exit_done, c);
    }
}

void collector_delete_probe_keys(collector_t *c, int timeout_ms)
{
    if (!c->cfg->probe_write || c->denied[RK_PROBE_WRITE])
        return;
    collector_abort(c);
    /* Our keys only (another monitor may share the prefix), each through its
     * own member. A token that expired since the last poll is renewed once. */
    c->poll_deadline = c->now + timeout_ms / 1000.0;
    for (int round = 0; round < 2; round++) {
        int started = 0;
        bool refused = false;
        for (int i = 0; i < c->n; i++) {
            member_t *mb = c->m[i];
            if (!mb->url[0] || !mb->probe_key[0])
                continue;
            snprintf(mb->probe_body, sizeof(mb->probe_body), "{\"key\":\"%s\"}", mb->probe_key);
            char url[300];
            snprintf(url, sizeof(url), "%s/v3/kv/deleterange", mb->url);
            if (http_start(&c->http, &mb->req[RK_PROBE_WRITE], url, mb->probe_body, timeout_ms,
                           c->cfg->dial_timeout_ms) == 0)
                started++;
        }
        collector_drain(c);
        for (int i = 0; i < c->n; i++) {
            member_t *mb = c->m[i];
            http_req_t *r = &mb->req[RK_PROBE_WRITE];
            if (!mb->url[0] || !mb->probe_key[0] || r->result != CURLE_OK)
                continue;
            if (r->status >= 200 && r->status <= 299)
                mb->probe_key[0] = '\0';       /* deleted */
            else if (auth_classify(r->status, r->body.data, r->body.len) == AUTH_RESP_TOKEN)
                refused = true;
        }
        if (started == 0 || !refused || !c->auth)
            break;
        http_set_token(&c->http, NULL);
        auth_token_rejected(c->auth);
        c->auth_tries = 0;
        if (!collector_auth_start(c))
            break;
        collector_drain(c);
        if (auth_state(c->auth) != AUTH_READY)
            break;
    }
}

void collector_set_route(collector_t *c, http_route_fn fn, void *ctx)
{
    http_set_route(&c->http, fn, ctx);
}

void collector_counters(const collector_t *c, long *connects, long *transfers)
{
    *connects = c->http.connects;
    *transfers = c->http.transfers;
}
