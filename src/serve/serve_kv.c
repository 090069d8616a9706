/* serve_kv.c — POST /api/v1/etcdctl/get and /put: the HTTP thread queues a
 * request in one of a few slots and suspends its connection; the loop (woken
 * through a pipe) sends it to a member's gateway, /v3/kv/range or /v3/kv/put,
 * with the monitor's TLS settings and etcd credentials (a token of its own,
 * from --user), then stores the answer and resumes the connection.
 *
 * A slot: FREE -submit-> QUEUED -loop-> RUNNING -answer-> DONE -release-> FREE
 * (the HTTP thread releases it once the request is over; a slot released
 * while RUNNING is freed by the loop when the transfer ends). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>
#include <jansson.h>

#include "auth.h"
#include "http.h"
#include "serve_internal.h"
#include "serve_json.h"

typedef enum { SLOT_FREE, SLOT_QUEUED, SLOT_WAIT_AUTH, SLOT_RUNNING, SLOT_DONE } slot_state_t;

typedef struct {
    slot_state_t st;
    bool         released;           /* the HTTP side is done with it */
    kv_op_t      op;
    struct MHD_Connection *conn;
    char        *key, *val;          /* owned copies */
    size_t       klen, vlen;
    unsigned     status;
    char        *resp;               /* owned JSON answer */
    bool         retried;            /* sent again after a refused token */
    http_req_t   req;                /* loop side */
    buf_t        post;               /* the gateway request's body */
    char         member[256];        /* the endpoint asked */
} kv_slot_t;

#define KV_AUTH_KIND 99

struct serve_kv {
    const config_t *cfg;
    loop_t         *loop;
    http_t          http;
    pthread_mutex_t mu;              /* guards st, released, status, resp */
    kv_slot_t       slot[SERVE_KV_SLOTS];
    int             wake[2];         /* HTTP thread -> loop */
    char            ep[CLUSTER_MAX_MEMBERS][256];   /* loop only: up members, leader first */
    int             n_ep;
    auth_t         *auth;            /* NULL without --user */
};

static void slot_clear(kv_slot_t *s)
{
    free(s->key);
    free(s->val);
    free(s->resp);
    s->key = s->val = s->resp = NULL;
    s->st = SLOT_FREE;
    s->released = false;
    s->retried = false;
    s->conn = NULL;
}

/* Loop thread: store the answer and resume the connection (or free a slot
 * whose request is already over). resp is taken over. */
static void slot_finish(serve_kv_t *kv, kv_slot_t *s, unsigned status, char *resp)
{
    pthread_mutex_lock(&kv->mu);
    if (s->released) {
        free(resp);
        slot_clear(s);
        pthread_mutex_unlock(&kv->mu);
        return;
    }
    s->status = status;
    s->resp = resp;
    s->st = SLOT_DONE;
    struct MHD_Connection *conn = s->conn;
    pthread_mutex_unlock(&kv->mu);
    MHD_resume_connection(conn);
}

static char *error_json(unsigned status, const char *status_text, const char *msg)
{
    json_t *j = json_pack("{s:{s:i,s:s,s:s}}", "error", "code", (int)status, "status",
                          status_text, "message", msg);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return s;
}

static void slot_fail(serve_kv_t *kv, kv_slot_t *s, unsigned status, const char *msg)
{
    const char *text = status == 503 ? "Service Unavailable" : status == 403 ? "Forbidden"
                     : status == 504 ? "Gateway Timeout" : "Bad Gateway";
    slot_finish(kv, s, status, error_json(status, text, msg));
}

/* Loop thread: send s to the first member that answered the last poll. */
static void slot_send(serve_kv_t *kv, kv_slot_t *s)
{
    if (kv->n_ep == 0) {
        slot_fail(kv, s, 503, "no member answered the last poll");
        return;
    }
    char url[300];
    snprintf(s->member, sizeof s->member, "%s", kv->ep[0]);
    snprintf(url, sizeof url, "%s%s", s->member, s->op == KV_PUT ? "/v3/kv/put" : "/v3/kv/range");
    buf_reset(&s->post);
    sbuf_puts(&s->post, "{\"key\":\"");
    serve_b64_encode(&s->post, (const unsigned char *)s->key, s->klen);
    if (s->op == KV_PUT) {
        sbuf_puts(&s->post, "\",\"value\":\"");
        serve_b64_encode(&s->post, (const unsigned char *)s->val, s->vlen);
    }
    sbuf_puts(&s->post, "\"}");
    if (s->post.overflow) {
        slot_fail(kv, s, 502, "request too large");
        return;
    }
    pthread_mutex_lock(&kv->mu);
    s->st = SLOT_RUNNING;
    pthread_mutex_unlock(&kv->mu);
    long timeout = kv->cfg->dial_timeout_ms * 2L;
    if (http_start(&kv->http, &s->req, url, s->post.data, timeout, kv->cfg->dial_timeout_ms) != 0)
        slot_fail(kv, s, 502, s->req.errbuf[0] ? s->req.errbuf : "cannot start the request");
}

/* Loop thread: start (or keep waiting for) the token, then the slots. */
static void kv_pump(serve_kv_t *kv)
{
    kv_slot_t *go[SERVE_KV_SLOTS];
    int n = 0;
    pthread_mutex_lock(&kv->mu);
    for (int i = 0; i < SERVE_KV_SLOTS; i++)
        if (kv->slot[i].st == SLOT_QUEUED || kv->slot[i].st == SLOT_WAIT_AUTH) {
            kv->slot[i].st = SLOT_WAIT_AUTH;
            go[n++] = &kv->slot[i];
        }
    pthread_mutex_unlock(&kv->mu);
    if (!n)
        return;
    if (kv->auth && (auth_state(kv->auth) == AUTH_NEED || auth_state(kv->auth) == AUTH_IN_FLIGHT)) {
        double now = loop_wall();
        if (auth_state(kv->auth) == AUTH_IN_FLIGHT)
            return;
        if (kv->n_ep && auth_can_start(kv->auth, now) &&
            auth_start(kv->auth, &kv->http, kv->ep[0], now, kv->cfg->dial_timeout_ms * 2L,
                       kv->cfg->dial_timeout_ms) == 0)
            return;                  /* the slots go when the token is in */
        const char *why = auth_error(kv->auth);
        for (int i = 0; i < n; i++)
            slot_fail(kv, go[i], 502, *why ? why : "etcd authentication is not possible now");
        return;
    }
    for (int i = 0; i < n; i++)
        slot_send(kv, go[i]);
}

static void on_wake(void *ctx, int fd, short revents)
{
    char drain[64];
    (void)revents;
    while (read(fd, drain, sizeof drain) > 0)
        ;
    kv_pump(ctx);
}

/* A string field of the gateway's JSON that holds an int64 ("123"), as a number. */
static json_t *gw_int(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (json_is_string(v))
        return json_integer(strtoll(json_string_value(v), NULL, 10));
    if (json_is_integer(v))
        return json_integer(json_integer_value(v));
    return json_integer(0);          /* the gateway omits zero fields */
}

/* The gateway answered 200: our answer. */
static char *kv_result(kv_slot_t *s, const char *body, size_t len, unsigned *status)
{
    json_error_t je;
    json_t *in = json_loadb(body, len, 0, &je), *out = json_object();
    *status = 200;
    json_object_set_new(out, "key", json_stringn(s->key, s->klen));
    if (!json_object_get(out, "key"))
        json_object_set_new(out, "key", json_null());
    json_object_set_new(out, "member", json_string(s->member));
    json_object_set_new(out, "revision", gw_int(json_object_get(in, "header"), "revision"));
    if (s->op == KV_GET) {
        json_t *kvs = json_object_get(in, "kvs"), *e = json_array_get(kvs, 0);
        json_object_set_new(out, "found", json_boolean(e != NULL));
        json_object_set_new(out, "value", json_null());
        if (e) {
            const char *b = json_string_value(json_object_get(e, "value"));
            size_t bl = b ? strlen(b) : 0;
            unsigned char *raw = malloc(bl * 3 / 4 + 4);
            long rl = raw ? serve_b64_decode(b ? b : "", bl, raw) : -1;
            json_t *str = rl >= 0 ? json_stringn((const char *)raw, (size_t)rl) : NULL;
            if (str)
                json_object_set_new(out, "value", str);
            else if (b)
                json_object_set_new(out, "valueBase64", json_string(b));
            free(raw);
            json_object_set_new(out, "createRevision", gw_int(e, "create_revision"));
            json_object_set_new(out, "modRevision", gw_int(e, "mod_revision"));
            json_object_set_new(out, "version", gw_int(e, "version"));
        }
    }
    json_decref(in);
    char *r = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return r;
}

static void on_done(http_req_t *r, void *ctx)
{
    serve_kv_t *kv = ctx;
    if (kv->auth && auth_owns(kv->auth, r)) {
        event_list_t ev = { 0 };
        if (auth_finish(kv->auth, loop_wall(), &ev) == AUTH_GOT_TOKEN) {
            if (http_set_token(&kv->http, auth_token(kv->auth)) != 0)
                http_clear_token(&kv->http);
        }
        kv_pump(kv);                 /* the waiting slots go, or fail with the reason */
        return;
    }
    kv_slot_t *s = r->owner;
    char why[300];
    if (r->status == 200) {
        unsigned st;
        char *resp = kv_result(s, r->body.data ? r->body.data : "", r->body.len, &st);
        slot_finish(kv, s, st, resp);
        return;
    }
    if (r->status == 0) {
        slot_fail(kv, s, r->result == CURLE_OPERATION_TIMEDOUT ? 504 : 502,
                  http_req_error(r, why, sizeof why));
        return;
    }
    auth_resp_t ar = auth_classify(r->status, r->body.data, r->body.len);
    if (ar == AUTH_RESP_TOKEN && kv->auth && !s->retried) {
        s->retried = true;
        http_clear_token(&kv->http);
        auth_token_rejected(kv->auth);
        pthread_mutex_lock(&kv->mu);
        s->st = SLOT_QUEUED;
        pthread_mutex_unlock(&kv->mu);
        kv_pump(kv);
        return;
    }
    char msg[200];
    auth_error_message(r->status, r->body.data, r->body.len, msg, sizeof msg);
    snprintf(why, sizeof why, "etcd: %s", msg);
    slot_fail(kv, s, ar == AUTH_RESP_DENIED ? 403 : 502, why);
}

serve_kv_t *serve_kv_new(const config_t *cfg, loop_t *loop, char *err, size_t errlen)
{
    serve_kv_t *kv = calloc(1, sizeof *kv);
    if (!kv) {
        snprintf(err, errlen, "API: out of memory");
        return NULL;
    }
    kv->cfg = cfg;
    kv->loop = loop;
    kv->wake[0] = kv->wake[1] = -1;
    pthread_mutex_init(&kv->mu, NULL);
    if (http_init(&kv->http, loop, on_done, kv) != 0) {
        snprintf(err, errlen, "API: cannot initialise libcurl");
        free(kv);
        return NULL;
    }
    http_set_tls(&kv->http, &(http_tls_t){ .ca_file = cfg->ca_file, .cert_file = cfg->cert_file,
                                           .key_file = cfg->key_file,
                                           .insecure = cfg->insecure_skip_verify });
    for (int i = 0; i < SERVE_KV_SLOTS; i++) {
        buf_init(&kv->slot[i].post, SERVE_BODY_MAX * 2);
        if (http_req_init(&kv->slot[i].req, cfg->max_body_bytes, &kv->slot[i], i) != 0)
            goto fail;
    }
    if (cfg->user && *cfg->user &&
        !(kv->auth = auth_new(cfg->user, cfg->password, cfg->password_file, cfg->max_body_bytes,
                              KV_AUTH_KIND, err, errlen)))
        goto fail_quiet;
    if (pipe(kv->wake) != 0 || fcntl(kv->wake[0], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(kv->wake[1], F_SETFL, O_NONBLOCK) != 0 ||
        loop_fd_add(loop, kv->wake[0], LOOP_IN, on_wake, kv) != 0)
        goto fail;
    return kv;
fail:
    snprintf(err, errlen, "API: cannot set up the key endpoints");
fail_quiet:
    serve_kv_free(kv);
    return NULL;
}

void serve_kv_stop(serve_kv_t *kv)
{
    if (!kv)
        return;
    for (int i = 0; i < SERVE_KV_SLOTS; i++) {
        kv_slot_t *s = &kv->slot[i];
        pthread_mutex_lock(&kv->mu);
        slot_state_t st = s->st;
        pthread_mutex_unlock(&kv->mu);
        if (st == SLOT_RUNNING)
            http_cancel(&kv->http, &s->req);
        if (st != SLOT_FREE && st != SLOT_DONE)
            slot_fail(kv, s, 503, "etcd-monitor is stopping");
    }
}

void serve_kv_free(serve_kv_t *kv)
{
    if (!kv)
        return;
    if (kv->wake[0] >= 0) {
        loop_fd_remove(kv->loop, kv->wake[0]);
        close(kv->wake[0]);
        close(kv->wake[1]);
    }
    if (kv->auth)
        auth_free(kv->auth, &kv->http);
    for (int i = 0; i < SERVE_KV_SLOTS; i++) {
        http_req_free(&kv->http, &kv->slot[i].req);
        buf_free(&kv->slot[i].post);
    }
    http_cleanup(&kv->http);
    /* MHD has stopped (its requests released their slots): what is left. */
    for (int i = 0; i < SERVE_KV_SLOTS; i++)
        slot_clear(&kv->slot[i]);
    pthread_mutex_destroy(&kv->mu);
    free(kv);
}

void serve_kv_endpoints(serve_kv_t *kv, const cluster_snapshot_t *s)
{
    kv->n_ep = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < s->n_members && kv->n_ep < CLUSTER_MAX_MEMBERS; i++) {
            const member_view_t *m = &s->members[i];
            bool leader = m->id && m->id == s->leader_id;
            if (!m->sample.up || !m->endpoint[0] || leader != (pass == 0))
                continue;
            bool scheme = strstr(m->endpoint, "://") != NULL;
            snprintf(kv->ep[kv->n_ep++], sizeof kv->ep[0], "%s%s", scheme ? "" : "http://",
                     m->endpoint);
        }
}

int serve_kv_submit(serve_kv_t *kv, struct MHD_Connection *conn, kv_op_t op, const char *key,
                    size_t klen, const char *value, size_t vlen)
{
    int slot = -1;
    pthread_mutex_lock(&kv->mu);
    for (int i = 0; i < SERVE_KV_SLOTS && slot < 0; i++)
        if (kv->slot[i].st == SLOT_FREE)
            slot = i;
    if (slot >= 0) {
        kv_slot_t *s = &kv->slot[slot];
        s->key = malloc(klen + 1);
        s->val = malloc(vlen + 1);
        if (!s->key || !s->val) {
            slot_clear(s);
            pthread_mutex_unlock(&kv->mu);
            return -1;
        }
        memcpy(s->key, key, klen);
        s->key[klen] = '\0';
        if (value)
            memcpy(s->val, value, vlen);
        s->val[vlen] = '\0';
        s->klen = klen;
        s->vlen = vlen;
        s->op = op;
        s->conn = conn;
        s->st = SLOT_QUEUED;
        MHD_suspend_connection(conn);
    }
    pthread_mutex_unlock(&kv->mu);
    if (slot >= 0 && write(kv->wake[1], "k", 1) < 0) {
        /* the pipe is full: the loop has a wake-up pending already */
    }
    return slot;
}

bool serve_kv_take(serve_kv_t *kv, int slot, unsigned *status, char **body)
{
    bool ready = false;
    pthread_mutex_lock(&kv->mu);
    kv_slot_t *s = &kv->slot[slot];
    if (s->st == SLOT_DONE) {
        *status = s->status;
        *body = s->resp;
        s->resp = NULL;
        ready = true;
    }
    pthread_mutex_unlock(&kv->mu);
    return ready;
}

void serve_kv_release(serve_kv_t *kv, int slot)
{
    pthread_mutex_lock(&kv->mu);
    kv_slot_t *s = &kv->slot[slot];
    if (s->st == SLOT_RUNNING || s->st == SLOT_WAIT_AUTH)
        s->released = true;          /* the loop frees it when the transfer ends */
    else
        slot_clear(s);
    pthread_mutex_unlock(&kv->mu);
}
