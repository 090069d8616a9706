/* collector_probe.c — the write probe's keys (base64 of prefix+name)
 * and their deletion at the end of the session. */
#include "collector_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Standard base64 of n bytes into out (cap bytes); "" when it does not fit. */
void b64_encode(const unsigned char *in, size_t n, char *out, size_t cap)
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
void member_probe_key(const collector_t *c, member_t *mb)
{
    char key[200];
    snprintf(key, sizeof(key), "%s%s", c->cfg->probe_prefix ? c->cfg->probe_prefix
                                                            : "/etcd-monitor/probe/", mb->name);
    b64_encode((const unsigned char *)key, strlen(key), mb->probe_key, sizeof(mb->probe_key));
}

/* Run the loop until nothing of ours is in flight (each request ends by its
 * own timeout, so this is bounded); only the authenticate is handled. */
static void collector_drain(collector_t *c)
{
    c->draining = true;
    while (c->http.active > 0)
        loop_run_once(c->loop, 100);
    c->draining = false;
}

void collector_delete_probe_keys(collector_t *c, int timeout_ms)
{
    if (!c->cfg->probe_write)
        return;
    collector_abort(c);
    /* Our keys only (another monitor may share the prefix), each through its
     * own member. A token that expired since the last poll is renewed once. */
    c->now = loop_mono();
    c->poll_deadline = c->now + timeout_ms / 1000.0;
    for (int round = 0; round < 2; round++) {
        int started = 0;
        bool refused = false;
        for (int i = 0; i < c->n; i++) {
            member_t *mb = c->m[i];
            if (!mb->url[0] || !mb->probe_key[0] || mb->denied[RK_PROBE_WRITE])
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
        http_clear_token(&c->http);
        auth_token_rejected(c->auth);
        c->auth_tries = 0;
        if (!collector_auth_start(c))
            break;
        collector_drain(c);
        if (auth_state(c->auth) != AUTH_READY)
            break;
    }
}

