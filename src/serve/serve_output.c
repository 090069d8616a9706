/* serve_output.c — the API as an output. open() listens (MHD's thread, see
 * serve_http.c); each on_poll() renders every document of the poll into the
 * back half of a double buffer and swaps it to the front under the mutex
 * (the HTTP thread copies answers from the front under the same mutex, so
 * the back half is never read while it is written); close() stops it. A
 * loop timer sweeps connections whose request is late (serve_guard.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"
#include "serve_internal.h"

#define SWEEP_S 0.5

bool serve_wanted(const config_t *cfg)
{
    return cfg->api.on || cfg->api.daemon;
}

void serve_pub_init(serve_pub_t *p)
{
    memset(p, 0, sizeof *p);
    for (int i = 0; i < DOC_COUNT; i++)
        buf_init(&p->doc[i], SERVE_DOC_MAX);
    snprintf(p->reasons, sizeof p->reasons, "[]");
}

void serve_pub_free(serve_pub_t *p)
{
    for (int i = 0; i < DOC_COUNT; i++)
        buf_free(&p->doc[i]);
}

int serve_render(serve_pub_t *p, const serve_view_t *v)
{
    render_status(&p->doc[DOC_STATUS], v);
    render_leader(&p->doc[DOC_LEADER], v);
    render_members(&p->doc[DOC_MEMBERS], v);
    render_health_endpoints(&p->doc[DOC_HEALTH_EP], v);
    render_current(&p->doc[DOC_CURRENT], v);
    render_latency(&p->doc[DOC_LATENCY], v);
    render_alerts(&p->doc[DOC_ALERTS], v);
    exporter_render(&p->doc[DOC_METRICS], v);
    int rc = 0;
    for (int i = 0; i < DOC_COUNT; i++) {
        if (i != DOC_METRICS)
            (void)buf_append(&p->doc[i], "\n", 1);
        rc |= p->doc[i].overflow ? -1 : 0;
    }
    p->healthy = render_health_reasons(v, p->reasons, sizeof p->reasons);
    p->members_up = v->snap->members_up;
    p->members_total = v->snap->members_total;
    p->wall = v->snap->t;
    p->have = true;
    return rc;
}

/* Read a whole small file (a PEM, a token) into a malloc'ed string. */
static char *slurp(const char *path, size_t max, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *s = calloc(1, max + 1);
    size_t n = s ? fread(s, 1, max + 1, f) : 0;
    fclose(f);
    if (!s || n > max) {
        snprintf(err, errlen, "%s: %s", path, s ? "too large" : "out of memory");
        free(s);
        return NULL;
    }
    return s;
}

static void wipe_free(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
    free(s);
}

/* The token: the first line of --api-token-file, without its line end. */
static int load_token(serve_t *sv, const char *path, char *err, size_t errlen)
{
    char e[300];
    char *s = slurp(path, 4096, e, sizeof e);
    if (!s) {
        snprintf(err, errlen, "--api-token-file %s", e);
        return -1;
    }
    s[strcspn(s, "\r\n")] = '\0';
    sv->token_len = strlen(s);
    if (sv->token_len < 16) {
        wipe_free(s);
        snprintf(err, errlen, "--api-token-file %s: the token (its first line) must have "
                 "16 characters or more", path);
        return -1;
    }
    sv->token = s;
    return 0;
}

static void sweep_fire(void *ctx, double now)
{
    serve_t *sv = ctx;
    sv->cut += guard_sweep(sv->guard, loop_mono());
    loop_timer_arm(&sv->sweep, now + SWEEP_S);
}

static void serve_close(void *o, double t);

static void *serve_open(const output_env_t *env, void *arg, char *err, size_t errlen)
{
    const config_api_t *api = &env->cfg->api;
    (void)arg;
    if (api->allow_writes && !api->token_file) {
        snprintf(err, errlen, "--api-allow-writes needs --api-token-file (writes are only "
                 "taken with a bearer token)");
        return NULL;
    }
    if (!api->cert_file != !api->key_file) {
        snprintf(err, errlen, "--api-cert and --api-key go together");
        return NULL;
    }
    serve_t *sv = calloc(1, sizeof *sv);
    if (!sv) {
        snprintf(err, errlen, "API: out of memory");
        return NULL;
    }
    sv->cfg = env->cfg;
    sv->loop = env->loop;
    sv->notice = env->notice;
    sv->notice_ctx = env->notice_ctx;
    pthread_mutex_init(&sv->mu, NULL);
    serve_pub_init(&sv->pub[0]);
    serve_pub_init(&sv->pub[1]);
    double iv = env->cfg->interval_ms / 1000.0;
    sv->stale_after_s = 3 * iv + 2 * env->cfg->dial_timeout_ms / 1000.0 + 5;
    sv->allow_writes = api->allow_writes;
    char e[300];
    if (api->token_file && load_token(sv, api->token_file, err, errlen) != 0)
        goto fail;
    if (api->cert_file) {
        if (!(sv->tls_cert = slurp(api->cert_file, 1 << 20, e, sizeof e)) ||
            !(sv->tls_key = slurp(api->key_file, 1 << 20, e, sizeof e))) {
            snprintf(err, errlen, "API TLS: %s", e);
            goto fail;
        }
    }
    if (!(sv->kv = serve_kv_new(env->cfg, env->loop, err, errlen)))
        goto fail;
    if (serve_http_start(sv, err, errlen) != 0)
        goto fail;
    sv->sweep = (loop_timer_t){ .fire = sweep_fire, .ctx = sv };
    if (loop_timer_add(env->loop, &sv->sweep) != 0) {
        snprintf(err, errlen, "API: no loop timer left");
        goto fail;
    }
    loop_timer_arm(&sv->sweep, loop_mono() + SWEEP_S);
    if (env->notice) {
        char line[600];
        snprintf(line, sizeof line, "API listening on %s (port %d; %d connections at most; "
                 "key endpoints %s)", sv->url, sv->port, sv->max_conns,
                 !sv->token ? "off" : sv->allow_writes ? "on, writes allowed" : "on, read-only");
        env->notice(env->notice_ctx, env->cfg->api.daemon || env->cfg->headless ? NOTICE_WARN
                                                                                : NOTICE_LOG,
                    line);
    }
    return sv;
fail:
    serve_close(sv, 0);
    return NULL;
}

static void serve_on_poll(void *o, const poll_view_t *pv)
{
    serve_t *sv = o;
    leader_hist_update(&sv->leaders, pv->snap);
    serve_view_t v = { .snap = pv->snap, .active = pv->active, .n_active = pv->n_active,
                       .leaders = &sv->leaders, .polls = pv->snap->iteration,
                       .version = EM_VERSION, .probe_write = sv->cfg->probe_write,
                       .delivery = pv->delivery };
    serve_pub_t *back = &sv->pub[1 - sv->front];   /* only the loop writes front */
    if (serve_render(back, &v) != 0 && !sv->said_cap) {  /* cut short at SERVE_DOC_MAX */
        sv->said_cap = true;
        if (sv->notice)
            sv->notice(sv->notice_ctx, NOTICE_WARN, "API: a document reached its size cap "
                       "and is cut short");
    }
    back->mono = loop_mono();
    pthread_mutex_lock(&sv->mu);
    sv->front = 1 - sv->front;
    pthread_mutex_unlock(&sv->mu);
    serve_kv_endpoints(sv->kv, pv->snap);
}

static void serve_close(void *o, double t)
{
    serve_t *sv = o;
    (void)t;
    if (!sv)
        return;
    if (sv->sweep.fire)
        loop_timer_remove(sv->loop, &sv->sweep);
    serve_kv_stop(sv->kv);
    serve_http_stop(sv);
    serve_kv_free(sv->kv);
    serve_pub_free(&sv->pub[0]);
    serve_pub_free(&sv->pub[1]);
    if (sv->token)
        explicit_bzero(sv->token, sv->token_len);
    free(sv->token);
    free(sv->tls_cert);
    wipe_free(sv->tls_key);
    pthread_mutex_destroy(&sv->mu);
    free(sv);
}

const output_ops_t output_serve = {
    .name = "api",
    .open = serve_open,
    .on_poll = serve_on_poll,
    .close = serve_close,
};
