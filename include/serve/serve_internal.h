/* serve_internal.h — what the serve layer's files share: the documents one
 * poll is rendered into (serve_render.c, serve_exporter.c), the published
 * double buffer the HTTP thread reads (serve_output.c, serve_http.c), the
 * slowloris guard (serve_guard.c) and the key endpoints (serve_kv.c). */
#ifndef EM_SERVE_INTERNAL_H
#define EM_SERVE_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "loop.h"
#include "cluster.h"
#include "config.h"
#include "delivery.h"
#include "output.h"
#include "rules.h"
#include "util.h"

#define SERVE_BODY_MAX      (64 * 1024)  /* request bodies at most 64 KiB */
#define SERVE_DOC_MAX       (64u << 20)  /* a rendered document's hard cap */
#define SERVE_LEADER_HIST   32           /* leader changes kept for cluster/status */
#define SERVE_REASONS_LEN   2048         /* /health's reasons, a JSON array */
#define SERVE_KV_SLOTS      8            /* key requests in flight at once */

/* ---- text into a buf_t ---------------------------------------------------- */

void sbuf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_puts(buf_t *b, const char *s);
/* A Prometheus label value or a JSON string body, escaped. */
void sbuf_escape_label(buf_t *b, const char *s);
/* "1m", "5m", "1h", "90s": a window's length as its label. */
void serve_window_name(int64_t ms, char *out, size_t n);
/* RFC 3339 UTC with milliseconds ("2025-10-11T10:30:00.000Z"). */
void serve_time(double wall, char *out, size_t n);

/* ---- what one poll is rendered from ---------------------------------------- */

typedef struct {
    double   t;                      /* wall time the change was seen */
    uint64_t from_id, to_id;         /* 0 = none */
    char     from[64], to[64];       /* member names, "" unknown */
    uint64_t term;                   /* the new leader's term */
} leader_change_t;

/* The leader changes seen by this monitor (oldest dropped past the ring). */
typedef struct {
    leader_change_t ring[SERVE_LEADER_HIST];
    int             n;               /* kept (<= SERVE_LEADER_HIST) */
    long            total;           /* seen since the start */
    uint64_t        last_id;         /* the leader of the previous poll, 0 = none */
    char            last_name[64];
    bool            primed;          /* a leader has been seen once */
} leader_hist_t;

/* Update h from a poll's leader (pure; unit-tested). */
void leader_hist_update(leader_hist_t *h, const cluster_snapshot_t *s);

typedef struct {
    const cluster_snapshot_t *snap;
    const alert_t            *active;      /* pending and firing */
    int                       n_active;
    const leader_hist_t      *leaders;
    long                      polls;       /* completed polls */
    const char               *version;     /* EM_VERSION */
    bool                      probe_write; /* write latencies are measured */
    const delivery_status_t  *delivery;    /* alert delivery's channels, NULL without */
} serve_view_t;

/* ---- the documents of one poll --------------------------------------------- */

typedef enum {
    DOC_STATUS, DOC_LEADER, DOC_MEMBERS, DOC_HEALTH_EP, DOC_CURRENT, DOC_LATENCY,
    DOC_ALERTS, DOC_METRICS, DOC_COUNT
} doc_id_t;

typedef struct {
    buf_t  doc[DOC_COUNT];           /* kept across polls: steady state allocates nothing */
    bool   have;                     /* a poll has been rendered */
    double mono;                     /* when it was published (loop_mono) */
    double wall;                     /* the poll's time */
    bool   healthy;                  /* polling works, quorum, no critical alert */
    char   reasons[SERVE_REASONS_LEN]; /* why not, a JSON array ("[]") */
    int    members_up, members_total;
} serve_pub_t;

void serve_pub_init(serve_pub_t *p);
void serve_pub_free(serve_pub_t *p);
/* Render every document of v into p (loop thread; p is not readable by the
 * HTTP thread meanwhile). Returns 0, or -1 when a document hit its cap. */
int  serve_render(serve_pub_t *p, const serve_view_t *v) WARN_UNUSED_RESULT;
/* The parts: JSON documents (serve_render.c, serve_render_metrics.c) and the
 * Prometheus text (serve_exporter.c). Each resets and fills out. */
void render_status(buf_t *out, const serve_view_t *v);
void render_leader(buf_t *out, const serve_view_t *v);
void render_members(buf_t *out, const serve_view_t *v);
void render_health_endpoints(buf_t *out, const serve_view_t *v);
void render_current(buf_t *out, const serve_view_t *v);
void render_latency(buf_t *out, const serve_view_t *v);
void render_alerts(buf_t *out, const serve_view_t *v);
void exporter_render(buf_t *out, const serve_view_t *v);
/* /health's verdict of a poll: healthy, and the reasons as a JSON array. */
bool render_health_reasons(const serve_view_t *v, char *out, size_t n);

/* ---- the slowloris guard (serve_guard.c) ----------------------------------- */

typedef struct guard guard_t;
guard_t *guard_new(int max_conns, double timeout_s);
void     guard_free(guard_t *g);
/* MHD's connection notifications (MHD thread). */
void    *guard_started(guard_t *g, int fd, double now);
void     guard_closed(guard_t *g, void *entry);
/* A request was received in full (no deadline while it is answered) / answered. */
void     guard_busy(guard_t *g, void *entry, bool busy, double now);
/* Cut every connection whose request has not arrived in time (any thread).
 * Returns how many were cut. */
int      guard_sweep(guard_t *g, double now);

/* ---- the key endpoints (serve_kv.c) ------------------------------------------ */

typedef enum { KV_GET, KV_PUT } kv_op_t;
typedef struct serve_kv serve_kv_t;
struct MHD_Connection;
/* On the loop (TLS and auth settings from cfg). NULL with err. */
serve_kv_t *serve_kv_new(const config_t *cfg, loop_t *loop, char *err, size_t errlen);
/* Cancel everything in flight, answering 503 (loop thread, before MHD stops). */
void        serve_kv_stop(serve_kv_t *kv);
/* Free (after MHD has stopped). */
void        serve_kv_free(serve_kv_t *kv);
/* The endpoints to use for the next requests (loop thread, after each poll). */
void        serve_kv_endpoints(serve_kv_t *kv, const cluster_snapshot_t *s);
/* HTTP thread: queue a request and suspend conn; its slot, or -1 when all are
 * busy. key and value are copied. */
int         serve_kv_submit(serve_kv_t *kv, struct MHD_Connection *conn, kv_op_t op,
                            const char *key, size_t klen, const char *value, size_t vlen);
/* HTTP thread, once conn is resumed: the answer (status, malloc'ed JSON body
 * handed to the caller), true when ready. */
bool        serve_kv_take(serve_kv_t *kv, int slot, unsigned *status, char **body);
/* HTTP thread: the request is over (answered or its client gone). */
void        serve_kv_release(serve_kv_t *kv, int slot);

/* base64 (RFC 4648), for the gateway's bytes fields (pure). */
void   serve_b64_encode(buf_t *out, const unsigned char *p, size_t n);
/* Decode into out (n*3/4+3 bytes room); its length, or -1 when malformed. */
long   serve_b64_decode(const char *s, size_t n, unsigned char *out);

/* ---- the server (serve_output.c owns it, serve_http.c runs MHD) -------------- */

typedef struct serve {
    const config_t    *cfg;
    loop_t            *loop;
    pthread_mutex_t    mu;            /* guards front and reading pub[front] */
    serve_pub_t        pub[2];
    int                front;         /* the one the HTTP thread reads */
    double             stale_after_s; /* /health: no poll for this long is a failure */
    char              *token;         /* owned, wiped; NULL = key endpoints off */
    size_t             token_len;
    bool               allow_writes;
    guard_t           *guard;
    serve_kv_t        *kv;
    struct MHD_Daemon *mhd;
    int                max_conns;
    int                port;          /* the port bound */
    char               url[300];      /* http(s)://host:port */
    char              *tls_cert, *tls_key; /* PEM, owned (the key wiped) */
    loop_timer_t       sweep;
    leader_hist_t      leaders;
    long               cut;           /* connections cut by the guard */
    bool               said_cap;      /* the size-cap notice was raised */
    void             (*notice)(void *ctx, notice_kind_t kind, const char *line);
    void              *notice_ctx;
} serve_t;

/* Listen and start MHD's thread (fd limit raised as needed). 0, or -1 with err. */
int  serve_http_start(serve_t *sv, char *err, size_t errlen) WARN_UNUSED_RESULT;
void serve_http_stop(serve_t *sv);

/* Constant-time comparison of two secrets (lengths may differ). */
bool serve_secret_equal(const char *a, size_t alen, const char *b, size_t blen);

#endif
