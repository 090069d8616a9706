/* collector_auth.c — etcd authentication in the poll cycle: one authenticate
 * for everybody, requests that wait for its token, refusals and denials. */
#include "collector_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Would kind go out without the token etcd wants for it? Then it is not sent. */
bool collector_tokenless(const collector_t *c, int kind)
{
    return http_token_gen(&c->http) == 0 && c->now < c->token_only_until[kind];
}

/* Ask the next member that has a URL to authenticate us; false when none could
 * be asked (each member at most once per poll). */
bool collector_auth_start(collector_t *c)
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
void collector_on_auth_done(collector_t *c)
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
bool collector_auth_answer(collector_t *c, member_t *mb, http_req_t *r)
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
void collector_tokenless_ok(collector_t *c, int kind)
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

