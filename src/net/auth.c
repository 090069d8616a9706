/* auth.c — etcd authentication: the token, its renewal and the backoff.
 *
 * Secrets: the auth_t (password, authenticate body, token) lives on a secmem
 * block (secmem.h): out of core dumps where MADV_DONTDUMP exists, wiped when
 * freed; the body is wiped after each authenticate, the token when replaced.
 * Not covered: libcurl's and jansson's own copies (see secmem.h). No text of
 * an authenticate answer is ever shown: only the fixed phrases of
 * auth_error_message(). */
#include "auth.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include "secmem.h"

#define AUTH_BODY_MAX (6 * (AUTH_SECRET_MAX + 256) + 64)   /* worst-case escaping */

struct auth {
    char         user[256];
    char         password[AUTH_SECRET_MAX];   /* wiped on free */
    char         body[AUTH_BODY_MAX];         /* the request in flight; wiped after it */
    char         token[HTTP_TOKEN_MAX + 1];   /* wiped when replaced */
    char         url[320];
    char         error[AUTH_ERROR_LEN];
    auth_state_t state;
    int          failures;                    /* consecutive failed authenticates */
    double       retry_at;                    /* monotonic: no authenticate before */
    double       last_start;                  /* monotonic: the last authenticate sent */
    bool         started;                     /* one was sent */
    long         attempts, tokens;
    bool         told_unused;                 /* "auth not enabled" said once */
    http_req_t   req;
};

/* ---- pure helpers ----------------------------------------------------------- */

/* Case-insensitive search for s in the first len bytes of p. */
static bool mem_icontains(const char *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    if (!p || n == 0 || n > len)
        return false;
    for (size_t i = 0; i + n <= len; i++)
        if (strncasecmp(p + i, s, n) == 0)
            return true;
    return false;
}

/* The gateway's error body: {"error":"...","message":"...","code":N}. Fills
 * msg (may stay "") and *code (-1 when absent); small bodies only. */
static void auth_gateway_error(const char *body, size_t len, char *msg, size_t cap, int *code)
{
    *code = -1;
    if (cap)
        msg[0] = '\0';
    if (!body || len == 0 || len > 65536)
        return;
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return;
    }
    json_t *c = json_object_get(root, "code");
    if (json_is_integer(c))
        *code = (int)json_integer_value(c);
    const char *m = json_string_value(json_object_get(root, "message"));
    if (!m)
        m = json_string_value(json_object_get(root, "error"));
    if (m && cap) {
        size_t o = 0;
        for (const char *p = m; *p && o + 1 < cap; p++)     /* one printable line */
            msg[o++] = (*p >= ' ' && *p != 0x7f) ? *p : ' ';
        msg[o] = '\0';
    }
    json_decref(root);
}

/* etcd's own messages that may be shown (no answer text ever is): a phrase
 * to find in the gateway's message, and the line shown for it. */
static const struct { const char *find, *show; } auth_phrases[] = {
    { "authentication is not enabled", "etcdserver: authentication is not enabled" },
    { "invalid user ID or password", "etcdserver: authentication failed, invalid user ID or password" },
    { "authentication failed", "etcdserver: authentication failed" },
    { "invalid auth token", "etcdserver: invalid auth token" },
    { "revision of auth store is old", "etcdserver: revision of auth store is old" },
    { "user name is empty", "etcdserver: user name is empty" },
    { "permission denied", "etcdserver: permission denied" },
    { "no leader", "etcdserver: no leader" },
    { "leader changed", "etcdserver: leader changed" },
    { "request timed out", "etcdserver: request timed out" },
    { "too many requests", "etcdserver: too many requests" },
    { "not capable", "etcdserver: not capable" },
};

/* The shown line of the first known phrase in t (tl bytes), or NULL. */
static const char *auth_known_phrase(const char *t, size_t tl)
{
    for (size_t i = 0; i < sizeof(auth_phrases) / sizeof(auth_phrases[0]); i++)
        if (mem_icontains(t, tl, auth_phrases[i].find))
            return auth_phrases[i].show;
    return NULL;
}

/* Only etcd's own answers count: the gateway's JSON error with its gRPC code.
 * A proxy's bare 401 or 403 (or any other text) is an ordinary failure. */
auth_resp_t auth_classify(long http_status, const char *body, size_t len)
{
    if (http_status >= 200 && http_status <= 299)
        return AUTH_RESP_NONE;
    char msg[256];
    int code;
    auth_gateway_error(body, len, msg, sizeof(msg), &code);
    size_t ml = strlen(msg);
    if (code < 0 && !msg[0])
        return AUTH_RESP_NONE;                  /* not the gateway's error body */
    if (mem_icontains(msg, ml, "authentication is not enabled"))
        return AUTH_RESP_NOT_ENABLED;
    if (mem_icontains(msg, ml, "invalid user ID or password"))
        return AUTH_RESP_BAD_CREDENTIALS;
    if (mem_icontains(msg, ml, "invalid auth token") || mem_icontains(msg, ml, "user name is empty") ||
        mem_icontains(msg, ml, "revision of auth store is old") || code == 16)
        return AUTH_RESP_TOKEN;
    if (code == 7 && mem_icontains(msg, ml, "permission denied"))
        return AUTH_RESP_DENIED;
    return AUTH_RESP_NONE;
}

/* Append s as the inside of a JSON string; false when it does not fit. */
static bool json_escape_into(const char *s, char *out, size_t cap, size_t *o)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char tmp[8];
        size_t n;
        if (*p == '"' || *p == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)*p;
            n = 2;
        } else if (*p < 0x20 || *p == 0x7f) {
            n = (size_t)snprintf(tmp, sizeof(tmp), "\\u%04x", *p);
        } else {
            tmp[0] = (char)*p;
            n = 1;
        }
        if (*o + n >= cap)
            return false;
        memcpy(out + *o, tmp, n);
        *o += n;
        explicit_bzero(tmp, sizeof(tmp));
    }
    return true;
}

int auth_build_body(const char *user, const char *password, char *out, size_t cap)
{
    size_t o = 0;
    static const char a[] = "{\"name\":\"", b[] = "\",\"password\":\"", z[] = "\"}";
    if (cap < sizeof(a) + sizeof(b) + sizeof(z))
        goto toolong;
    memcpy(out, a, sizeof(a) - 1);
    o = sizeof(a) - 1;
    if (!json_escape_into(user, out, cap, &o) || o + sizeof(b) >= cap)
        goto toolong;
    memcpy(out + o, b, sizeof(b) - 1);
    o += sizeof(b) - 1;
    if (!json_escape_into(password, out, cap, &o) || o + sizeof(z) > cap)
        goto toolong;
    memcpy(out + o, z, sizeof(z));              /* with its NUL */
    return 0;
toolong:
    explicit_bzero(out, cap);
    return -1;
}

int auth_parse_token(const char *body, size_t len, char *token, size_t cap,
                     char *why, size_t whylen)
{
    json_error_t jerr;
    json_t *root = body && len ? json_loadb(body, len, 0, &jerr) : NULL;
    const char *t = json_string_value(json_object_get(root, "token"));
    int rc = -1;
    if (!root)
        snprintf(why, whylen, "malformed answer (not JSON)");
    else if (!t || !*t)
        snprintf(why, whylen, "the answer has no token");
    else if (strlen(t) >= cap || strlen(t) > HTTP_TOKEN_MAX)
        snprintf(why, whylen, "the token is longer than %d bytes", HTTP_TOKEN_MAX);
    else {
        rc = 0;
        for (const char *p = t; *p; p++)        /* it goes into a header as is */
            if (*p <= ' ' || *p > '~')
                rc = -1;
        if (rc == 0)
            snprintf(token, cap, "%s", t);
        else
            snprintf(why, whylen, "the token holds bytes a header cannot carry");
    }
    json_decref(root);
    return rc;
}

void auth_error_message(long http_status, const char *body, size_t len, char *out, size_t cap)
{
    int code;
    char msg[256];
    auth_gateway_error(body, len, msg, sizeof(msg), &code);
    const char *known = msg[0] ? auth_known_phrase(msg, strlen(msg)) : NULL;
    if (known)
        snprintf(out, cap, "%s", known);
    else
        snprintf(out, cap, "HTTP %ld", http_status);
    explicit_bzero(msg, sizeof(msg));
}

double auth_backoff_s(int failures)
{
    if (failures < 1)
        return 0;
    double d = 1;
    for (int i = 1; i < failures && d < 60; i++)
        d *= 2;
    return d > 60 ? 60 : d;
}

int auth_read_password_file(const char *path, char *out, size_t cap, char *why, size_t whylen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    size_t n = 0;
    int ch, rc = 0;
    bool too_long = false;
    while ((ch = getc(f)) != EOF && ch != '\n') {
        if (n + 1 >= cap) {
            too_long = true;
            break;
        }
        out[n++] = (char)ch;
    }
    if (ferror(f)) {
        snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    if (n > 0 && out[n - 1] == '\r')
        n--;
    out[n] = '\0';
    if (rc == 0 && too_long) {
        snprintf(why, whylen, "%s: the password (first line) is longer than %zu bytes", path, cap - 1);
        rc = -1;
    } else if (rc == 0 && n == 0) {
        snprintf(why, whylen, "%s: the first line (the password) is empty", path);
        rc = -1;
    }
    if (rc != 0)
        explicit_bzero(out, cap);
    return rc;
}

/* ---- the state machine -------------------------------------------------------- */

auth_t *auth_new(const char *user, const char *password, const char *password_file,
                 size_t max_body, int req_kind, char *err, size_t errlen)
{
    if (!user || !*user) {
        snprintf(err, errlen, "no etcd user name");
        return NULL;
    }
    if (strlen(user) >= sizeof(((auth_t *)0)->user)) {
        snprintf(err, errlen, "the etcd user name is too long");
        return NULL;
    }
    auth_t *a = secmem_alloc(sizeof(*a));
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(a->user, sizeof(a->user), "%s", user);
    char why[256];
    if (password && *password) {
        if (strlen(password) >= sizeof(a->password)) {
            snprintf(err, errlen, "the etcd password is longer than %d bytes", AUTH_SECRET_MAX - 1);
            goto fail;
        }
        snprintf(a->password, sizeof(a->password), "%s", password);
    } else if (password_file && *password_file) {
        if (auth_read_password_file(password_file, a->password, sizeof(a->password),
                                    why, sizeof(why)) != 0) {
            snprintf(err, errlen, "--password-file: %s", why);
            goto fail;
        }
    } else {
        snprintf(err, errlen, "--user %s needs a password: --password-file FILE, ETCDCTL_PASSWORD "
                 "or --user NAME:PASSWORD", a->user);
        goto fail;
    }
    if (http_req_init(&a->req, max_body < 65536 ? max_body : 65536, NULL, req_kind) != 0) {
        snprintf(err, errlen, "cannot initialise libcurl");
        goto fail;
    }
    a->req.no_auth = true;
    a->state = AUTH_NEED;
    return a;
fail:
    secmem_free(a, sizeof(*a));
    return NULL;
}

void auth_free(auth_t *a, http_t *h)
{
    if (!a)
        return;
    http_req_free(h, &a->req);
    secmem_free(a, sizeof(*a));                 /* wiped, then unmapped */
}

auth_state_t auth_state(const auth_t *a)
{
    return a->state;
}

bool auth_can_start(const auth_t *a, double now)
{
    return a->state == AUTH_NEED && now >= a->retry_at;
}

bool auth_renew_allowed(const auth_t *a, double now)
{
    return !a->started || now >= a->last_start + AUTH_RENEW_GAP_S;
}

int auth_start(auth_t *a, http_t *h, const char *base_url, double now, long timeout_ms,
               long connect_timeout_ms)
{
    if (!auth_can_start(a, now))
        return -1;
    if (auth_build_body(a->user, a->password, a->body, sizeof(a->body)) != 0)
        return -1;
    snprintf(a->url, sizeof(a->url), "%s/v3/auth/authenticate", base_url);
    if (http_start(h, &a->req, a->url, a->body, timeout_ms, connect_timeout_ms) != 0) {
        explicit_bzero(a->body, sizeof(a->body));
        return -1;
    }
    a->attempts++;
    a->started = true;
    a->last_start = now;
    a->state = AUTH_IN_FLIGHT;
    return 0;
}

bool auth_owns(const auth_t *a, const http_req_t *r)
{
    return a && r == &a->req;
}

/* Record a problem (an event when it starts or changes). */
static void auth_set_error(auth_t *a, event_list_t *ev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void auth_set_error(auth_t *a, event_list_t *ev, const char *fmt, ...)
{
    char e[AUTH_ERROR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e, sizeof(e), fmt, ap);
    va_end(ap);
    if (strcmp(e, a->error) == 0)
        return;
    snprintf(a->error, sizeof(a->error), "%s", e);
    events_add(ev, "auth: %s; retrying with a backoff of up to 60s", e);
}

/* A problem has ended. */
static void auth_clear_error(auth_t *a, event_list_t *ev, const char *how)
{
    if (!a->error[0])
        return;
    events_add(ev, "auth: %s: the authentication problem is over", how);
    a->error[0] = '\0';
}

/* Count a failure and push the next attempt back. */
static void auth_fail(auth_t *a, double now)
{
    a->failures++;
    a->retry_at = now + auth_backoff_s(a->failures);
    a->state = AUTH_NEED;
}

auth_outcome_t auth_finish(auth_t *a, double now, event_list_t *ev)
{
    http_req_t *r = &a->req;
    explicit_bzero(a->body, sizeof(a->body));
    a->state = AUTH_NEED;
    if (r->result != CURLE_OK)
        return AUTH_UNREACHABLE;       /* the member is down: its own error says so */
    const char *body = r->body.data ? r->body.data : "";
    char why[160], msg[AUTH_ERROR_LEN];
    if (r->status >= 200 && r->status <= 299) {
        explicit_bzero(a->token, sizeof(a->token));
        if (auth_parse_token(body, r->body.len, a->token, sizeof(a->token), why, sizeof(why)) == 0) {
            a->state = AUTH_READY;
            a->failures = 0;
            a->retry_at = 0;
            a->tokens++;
            explicit_bzero(r->body.data, r->body.len);   /* the answer held the token */
            if (a->error[0])
                auth_clear_error(a, ev, "authenticated");
            else if (a->tokens == 1)
                events_add(ev, "auth: authenticated as user %s", a->user);
            else
                events_add(ev, "auth: token renewed for user %s (authentication #%ld)",
                           a->user, a->tokens);
            return AUTH_GOT_TOKEN;
        }
        auth_fail(a, now);
        if (a->failures >= 3 || a->error[0])
            auth_set_error(a, ev, "cannot authenticate as user %s: %s", a->user, why);
        return AUTH_REFUSED;
    }
    switch (auth_classify(r->status, body, r->body.len)) {
    case AUTH_RESP_NOT_ENABLED:
        a->state = AUTH_UNUSED;
        a->failures = 0;
        a->retry_at = 0;
        auth_clear_error(a, ev, "authentication is off on the cluster");
        if (!a->told_unused)
            events_add(ev, "auth: authentication is not enabled on the cluster; requests go "
                       "without a token");
        a->told_unused = true;
        return AUTH_NOT_NEEDED;
    case AUTH_RESP_BAD_CREDENTIALS:
        auth_fail(a, now);
        auth_set_error(a, ev, "authentication as user %s failed: wrong user name or password",
                       a->user);
        return AUTH_REFUSED;
    default:
        auth_fail(a, now);
        auth_error_message(r->status, body, r->body.len, msg, sizeof(msg));
        /* A busy or leaderless cluster refuses now and then: a problem from the third. */
        if (a->failures >= 3 || a->error[0])
            auth_set_error(a, ev, "cannot authenticate as user %s: %s", a->user, msg);
        return AUTH_REFUSED;
    }
}

void auth_token_rejected(auth_t *a)
{
    if (a->state == AUTH_READY || a->state == AUTH_UNUSED) {
        explicit_bzero(a->token, sizeof(a->token));
        a->state = AUTH_NEED;
    }
}

void auth_cancel(auth_t *a, http_t *h)
{
    if (a->state != AUTH_IN_FLIGHT)
        return;
    http_cancel(h, &a->req);
    explicit_bzero(a->body, sizeof(a->body));
    a->state = AUTH_NEED;
}

const char *auth_token(const auth_t *a)
{
    return a->state == AUTH_READY ? a->token : "";
}

const char *auth_error(const auth_t *a)
{
    return a->error;
}

const char *auth_user(const auth_t *a)
{
    return a->user;
}

long auth_attempts(const auth_t *a)
{
    return a->attempts;
}
