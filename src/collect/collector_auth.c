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
            http_clear_token(&c->http);     /* auth_parse_token checked it already */
        break;
    case AUTH_UNREACHABLE:
        c->auth_from = (c->auth_from + 1) % (c->n > 0 ? c->n : 1);
        if (collector_auth_start(c))
            return;                             /* still waiting, on another member */
        http_clear_token(&c->http);
        break;
    case AUTH_REFUSED:                          /* the next attempt asks another member */
        c->auth_from = (c->auth_from + 1) % (c->n > 0 ? c->n : 1);
        http_clear_token(&c->http);
        break;
    default:                                    /* auth off: no token */
        http_clear_token(&c->http);
        break;
    }
    collector_release_waiting(c);
}

/* Is kind held on mb (it refuses fresh tokens for it)? Then its error says so
 * for this poll, and it is not sent. */
bool collector_held(collector_t *c, member_t *mb, int kind)
{
    if (!rk_is_api(kind) || mb->hold_until[kind] <= c->now)
        return false;
    snprintf(mb->cause[kind], sizeof(mb->cause[kind]), "etcd refuses fresh tokens: %s",
             mb->token_reason);
    member_fail(mb, kind, "%s: %s (asked again in %.0fs)", rk_what[kind], mb->cause[kind],
                mb->hold_until[kind] - c->now);
    return true;
}

/* mb accepted the token for kind: whatever it refused before is over. */
void collector_token_ok(collector_t *c, member_t *mb, int kind)
{
    mb->refused_gen[kind] = 0;
    if (mb->fresh_refusals[kind] > 0) {
        events_add(&c->events, "auth: member %s accepts the token for %s again", mb->name,
                   rk_feature[kind]);
        mb->fresh_refusals[kind] = 0;
        mb->hold_until[kind] = 0;
    }
}

/* mb refused a fresh token for kind (one obtained after it refused the last,
 * with nothing accepted in between): renewing again would not help (a lagging
 * or misbehaving member) and would storm the cluster with authentications.
 * The call is held on this member, longer each time; the others go on with the
 * token they accept. */
static void collector_token_hold(collector_t *c, member_t *mb, int kind, const char *reason)
{
    int n = ++mb->fresh_refusals[kind];
    double hold = TOKEN_HOLD_S;
    for (int i = 1; i < n && hold < TOKEN_HOLD_MAX_S; i++)
        hold *= 2;
    if (hold > TOKEN_HOLD_MAX_S)
        hold = TOKEN_HOLD_MAX_S;
    mb->hold_until[kind] = c->now + hold;
    snprintf(mb->token_reason, sizeof(mb->token_reason), "%s", reason);
    if (n == 1)
        events_add(&c->events, "auth: member %s refuses fresh tokens for %s (%s): asked "
                   "again in %.0fs, then less and less often", mb->name, rk_feature[kind],
                   reason, hold);
    snprintf(mb->cause[kind], sizeof(mb->cause[kind]), "etcd refuses fresh tokens: %s", reason);
    member_fail(mb, kind, "%s: %s", rk_what[kind], mb->cause[kind]);
}

/* etcd's reason for refusing a token, short: "invalid auth token". */
static void collector_token_reason(const http_req_t *r, char *out, size_t cap)
{
    char msg[AUTH_ERROR_LEN];
    auth_error_message(r->status, r->body.data ? r->body.data : "", r->body.len, msg, sizeof msg);
    const char *m = strncmp(msg, "etcdserver: ", 12) == 0 ? msg + 12 : msg;
    snprintf(out, cap, "%.47s", m);
}

/* An answer that is about etcd authentication: deal with it and return true
 * (the member is not at fault), or return false for any other failure.
 * A denied permission (etcd's own answer, not a proxy's 403): the call is not
 * asked of this member any more, said once per call. A refused token: one
 * authenticate for everybody (auth.h), at most once per AUTH_RENEW_GAP_S, and
 * this request is sent again once, in this poll, when the new token arrives;
 * a member that refuses the fresh token too is held (collector_token_hold). */
bool collector_auth_answer(collector_t *c, member_t *mb, http_req_t *r)
{
    int k = r->kind;
    const char *body = r->body.data ? r->body.data : "";
    char msg[AUTH_ERROR_LEN];
    if (!rk_is_api(k))                          /* a 401/403 there is not etcd's auth */
        return false;
    switch (auth_classify(r->status, body, r->body.len)) {
    case AUTH_RESP_DENIED:
        mb->denied[k] = true;
        if (!c->told_denied[k]) {
            c->told_denied[k] = true;
            events_add(&c->events, "auth: %s denied to %s (permission denied): not asked "
                       "any more%s (member %s)", rk_feature[k],
                       c->auth ? auth_user(c->auth) : "anonymous requests",
                       k == RK_STATUS ? "; figures come from /metrics" : "", mb->name);
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
    unsigned cur = http_token_gen(&c->http);
    if (r->auth_gen && r->auth_gen == cur) {
        /* The token in use is refused here. */
        char reason[48];
        collector_token_reason(r, reason, sizeof reason);
        if (mb->refused_gen[k] && mb->refused_gen[k] != cur) {
            collector_token_hold(c, mb, k, reason);
            mb->refused_gen[k] = cur;
            return true;
        }
        mb->refused_gen[k] = cur;
        if (!auth_renew_allowed(c->auth, c->now)) {
            snprintf(mb->cause[k], sizeof(mb->cause[k]), "etcd refused the token: %s", reason);
            member_fail(mb, k, "%s: %s", rk_what[k], mb->cause[k]);
            return true;
        }
        http_clear_token(&c->http);         /* nobody uses it any more */
        auth_token_rejected(c->auth);
    } else if (!r->auth_gen && auth_state(c->auth) == AUTH_UNUSED) {
        /* Auth was off and now wants a token. */
        if (!auth_renew_allowed(c->auth, c->now))
            return true;
        auth_token_rejected(c->auth);
    }
    if (mb->retried[k])                         /* once per poll, whatever happens */
        return true;
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

