/* promsource.c — a Prometheus source: builds its fixed set of PromQL queries
 * once, sends them each poll on the loop, keeps their parsed answers (see
 * promsource.h; promsource_fill.c turns them into the snapshot). */
#include "promsource_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ps_win_fig[PS_WIN_FIGS] = {
    "wal_p50", "wal_p95", "wal_p99", "backend_p50", "backend_p95", "backend_p99",
    "peer_rtt_p99", "wal_n", "backend_n", "peer_rtt_n"
};

/* The families the scrape reads (metrics_extract), as one __name__ regex. */
#define PS_RAW_NAMES                                                                      \
    "etcd_(debugging_)?mvcc_db_total_size_in(_use_in)?_bytes|"                            \
    "etcd_server_(quota_backend_bytes|has_leader|is_leader|leader_changes_seen_total|"    \
    "proposals_(committed|applied|failed)_total|proposals_pending|slow_apply_total|"      \
    "slow_read_indexes_total|heartbeat_send_failures_total|version|id)|"                  \
    "etcd_debugging_mvcc_(watch_stream|watcher)_total|"                                   \
    "process_(resident_memory_bytes|cpu_seconds_total|open_fds)|"                         \
    "etcd_disk_(wal_fsync|backend_commit)_duration_seconds_(bucket|sum|count)"

#define PS_WAL "etcd_disk_wal_fsync_duration_seconds"
#define PS_BACKEND "etcd_disk_backend_commit_duration_seconds"
#define PS_RTT "etcd_network_peer_round_trip_time_seconds"

/* Series kept per answer, per member of the cap. */
static const int ps_series_per_member[PQ_WIN0 + 1] = {
    [PQ_UP] = 2, [PQ_RAW] = 160, [PQ_GRPC] = 24, [PQ_RTT] = 48, [PQ_WIN0] = PS_WIN_FIGS + 2
};

/* A growing string for a query; NULL when out of memory. */
typedef struct {
    char  *p;
    size_t len, cap;
    bool   oom;
} ps_str_t;

__attribute__((format(printf, 2, 3)))
static void ps_add(ps_str_t *s, const char *fmt, ...)
{
    if (s->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(s->p ? s->p + s->len : NULL, s->p ? s->cap - s->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            s->oom = true;
            return;
        }
        if (s->p && (size_t)n < s->cap - s->len) {
            s->len += (size_t)n;
            return;
        }
        size_t want = s->len + (size_t)n + 256;
        char *q = realloc(s->p, want);
        if (!q) {
            s->oom = true;
            return;
        }
        s->p = q;
        s->cap = want;
    }
}

/* Selector with one more matcher ("{job=\"etcd\",__name__=~\"...\"}"). */
static void ps_sel(ps_str_t *s, const char *inner, const char *extra)
{
    ps_add(s, "{%s%s%s}", inner, inner[0] && extra[0] ? "," : "", extra);
}

/* One histogram_quantile (or the count's increase when q < 0) of a window,
 * tagged em_fig=fig. */
static void ps_win_term(ps_str_t *s, const char *inner, const char *hist, double q,
                        const char *range, const char *fig)
{
    if (s->len)
        ps_add(s, " or ");
    ps_add(s, "label_replace(");
    if (q >= 0) {
        ps_add(s, "histogram_quantile(%g, sum by (instance, le) (rate(%s_bucket", q, hist);
        ps_sel(s, inner, "");
        ps_add(s, "[%s])))", range);
    } else {
        ps_add(s, "sum by (instance) (increase(%s_count", hist);
        ps_sel(s, inner, "");
        ps_add(s, "[%s]))", range);
    }
    ps_add(s, ", \"em_fig\", \"%s\", \"\", \"\")", fig);
}

/* Query i's PromQL (owned by the caller), NULL when out of memory. */
static char *ps_build_query(const promsource_t *p, int i)
{
    ps_str_t s = { 0 };
    const char *in = p->inner;
    if (i == PQ_UP) {
        ps_add(&s, "up");
        ps_sel(&s, in, "");
    } else if (i == PQ_RAW) {
        ps_sel(&s, in, "__name__=~\"" PS_RAW_NAMES "\"");
    } else if (i == PQ_GRPC) {
        ps_add(&s, "sum by (instance, grpc_code) (grpc_server_handled_total");
        ps_sel(&s, in, "");
        ps_add(&s, ")");
    } else if (i == PQ_RTT) {
        ps_add(&s, "sum by (instance, le) (" PS_RTT "_bucket");
        ps_sel(&s, in, "");
        ps_add(&s, ")");
    } else {
        char range[32];
        snprintf(range, sizeof range, "%" PRId64 "ms", p->cfg.window_ms[i - PQ_WIN0]);
        static const struct {
            const char *hist;
            double      q;
        } terms[PS_WIN_FIGS] = { { PS_WAL, 0.5 }, { PS_WAL, 0.95 }, { PS_WAL, 0.99 },
                                 { PS_BACKEND, 0.5 }, { PS_BACKEND, 0.95 },
                                 { PS_BACKEND, 0.99 }, { PS_RTT, 0.99 }, { PS_WAL, -1 },
                                 { PS_BACKEND, -1 }, { PS_RTT, -1 } };
        for (int t = 0; t < PS_WIN_FIGS; t++)
            ps_win_term(&s, in, terms[t].hist, terms[t].q, range, ps_win_fig[t]);
    }
    if (s.oom) {
        free(s.p);
        return NULL;
    }
    return s.p;
}

/* base + "/api/v1/query?query=" + the percent-encoded PromQL; NULL on OOM. */
static char *ps_build_url(const char *base, const char *q)
{
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    size_t cap = bl + 32 + 3 * strlen(q);
    char *u = malloc(cap);
    if (!u)
        return NULL;
    size_t n = (size_t)snprintf(u, cap, "%.*s/api/v1/query?query=", (int)bl, base);
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)q; *c; c++) {
        if (isalnum(*c) || *c == '-' || *c == '_' || *c == '.' || *c == '~') {
            u[n++] = (char)*c;
        } else {
            u[n++] = '%';
            u[n++] = hex[*c >> 4];
            u[n++] = hex[*c & 15];
        }
    }
    u[n] = '\0';
    return u;
}

static void ps_on_done(http_req_t *r, void *ctx);

promsource_t *promsource_new(const promsource_config_t *pc, loop_t *loop, char *err,
                             size_t errlen)
{
    promsource_t *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->cfg = *pc;
    if (p->cfg.n_windows > FIG_MAX_WINDOWS)
        p->cfg.n_windows = FIG_MAX_WINDOWS;
    char why[160];
    if (promapi_selector_inner(pc->selector, p->inner, sizeof p->inner, why, sizeof why) != 0) {
        snprintf(err, errlen, "--prometheus-selector: %s", why);
        free(p);
        return NULL;
    }
    if (http_init(&p->http, loop, ps_on_done, p) != 0) {
        snprintf(err, errlen, "cannot initialise libcurl");
        free(p);
        return NULL;
    }
    http_set_tls(&p->http, &pc->tls);
    http_set_proxy_env(&p->http, pc->use_proxy_env);
    buf_init(&p->expo, 1u << 20);
    p->n_q = PQ_WIN0 + p->cfg.n_windows;
    for (int i = 0; i < p->n_q; i++) {
        int per = ps_series_per_member[i < PQ_WIN0 ? i : PQ_WIN0];
        p->res[i].cap = per * CLUSTER_MAX_MEMBERS;
        p->res[i].s = calloc((size_t)p->res[i].cap, sizeof(promapi_series_t));
        p->query[i] = ps_build_query(p, i);
        p->url[i] = p->query[i] ? ps_build_url(pc->url, p->query[i]) : NULL;
        if (!p->res[i].s || !p->url[i] ||
            http_req_init(&p->req[i], pc->max_body, p, i) != 0) {
            snprintf(err, errlen, "out of memory");
            p->n_q = i + 1;
            promsource_free(p);
            return NULL;
        }
    }
    return p;
}

void promsource_free(promsource_t *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_q; i++) {
        http_req_free(&p->http, &p->req[i]);
        free(p->res[i].s);
        free(p->query[i]);
        free(p->url[i]);
    }
    http_cleanup(&p->http);
    buf_free(&p->expo);
    free(p);
}

const char *promsource_query(const promsource_t *p, int i)
{
    return i >= 0 && i < p->n_q ? p->query[i] : NULL;
}

/* Why answer r failed, in err ("prometheus: connection refused"); Prometheus'
 * own error text when its body says one (a 400 or 422 carries it). */
static void ps_fail(promsource_t *p, int i, http_req_t *r)
{
    char why[160];
    promapi_result_t none = { .cap = 0 };
    if (r->result == CURLE_OK && r->status >= 400 && r->body.len > 0 &&
        promapi_parse(r->body.data, r->body.len, NULL, 0, &none, why, sizeof why) != 0 &&
        strncmp(why, "prometheus: bad JSON", 20) != 0 &&
        strncmp(why, "prometheus: answer", 18) != 0) {
        snprintf(p->err[i], sizeof p->err[i], "%.140s (HTTP %ld)", why, r->status);
        return;
    }
    snprintf(p->err[i], sizeof p->err[i], "prometheus: %.140s", http_req_error(r, why, sizeof why));
}

void promsource_answer(promsource_t *p, int i, const char *body, size_t len)
{
    static const char *const keys[PQ_WIN0 + 1][PROMAPI_MAX_KEYS] = {
        [PQ_UP] = { "instance" },
        [PQ_RAW] = { "instance", "le", "server_version", "server_id" },
        [PQ_GRPC] = { "instance", "grpc_code" },
        [PQ_RTT] = { "instance", "le" },
        [PQ_WIN0] = { "instance", "em_fig" },
    };
    static const int n_keys[PQ_WIN0 + 1] = { 1, 4, 2, 2, 2 };
    int k = i < PQ_WIN0 ? i : PQ_WIN0;
    char why[160];
    p->ok[i] = false;
    if (promapi_parse(body, len, keys[k], n_keys[k], &p->res[i], why, sizeof why) != 0)
        snprintf(p->err[i], sizeof p->err[i], "%s", why);
    else if (p->res[i].type != PROMAPI_VECTOR)
        snprintf(p->err[i], sizeof p->err[i], "prometheus: answer is not an instant vector");
    else
        p->ok[i] = true;
}

static void ps_on_done(http_req_t *r, void *ctx)
{
    promsource_t *p = ctx;
    p->last_end = loop_mono();
    if (r->result != CURLE_OK || r->status < 200 || r->status > 299)
        ps_fail(p, r->kind, r);
    else
        promsource_answer(p, r->kind, r->body.data ? r->body.data : "", r->body.len);
}

bool promsource_start_poll(promsource_t *p, double wall, double mono)
{
    if (p->in_flight)
        return false;
    p->in_flight = true;
    p->poll_wall = wall;
    p->poll_mono = p->last_end = mono;
    p->iteration++;
    for (int i = 0; i < p->n_q; i++) {
        p->ok[i] = false;
        p->err[i][0] = '\0';
        p->res[i].n = 0;
        if (http_start(&p->http, &p->req[i], p->url[i], NULL, p->cfg.timeout_ms,
                       p->cfg.connect_timeout_ms) != 0)
            snprintf(p->err[i], sizeof p->err[i], "prometheus: cannot start request: %s",
                     p->req[i].errbuf);
    }
    return true;
}

bool promsource_in_flight(const promsource_t *p)
{
    return p->in_flight;
}

bool promsource_take_snapshot(promsource_t *p, cluster_snapshot_t *snap)
{
    if (!p->in_flight || p->http.active > 0)
        return false;
    promsource_fill(p, snap);
    p->in_flight = false;
    return true;
}

void promsource_abort(promsource_t *p)
{
    for (int i = 0; i < p->n_q; i++)
        http_cancel(&p->http, &p->req[i]);
    p->in_flight = false;
}

void promsource_counters(const promsource_t *p, long *connects, long *transfers)
{
    *connects = p->http.connects;
    *transfers = p->http.transfers;
}
