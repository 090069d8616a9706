/* collector_internal.h — what the collector's files share: the member and
 * collector state, and the functions one file calls in another. Only
 * src/collect/ includes this.
 *   collector.c           lifecycle, members, the poll cycle, request dispatch
 *   collector_auth.c      etcd authentication: one renewal, waiting requests
 *   collector_discovery.c the member list: matching, discovery, removal
 *   collector_probe.c     the write probe's keys and their deletion at exit
 *   collector_snapshot.c  a finished poll into the snapshot (reasons, events) */
#ifndef EM_COLLECTOR_INTERNAL_H
#define EM_COLLECTOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "auth.h"
#include "collector.h"
#include "endpoint.h"
#include "http.h"
#include "json_arena.h"
#include "metrics.h"
#include "status.h"
#include "util.h"

enum { RK_METRICS, RK_STATUS, RK_HEALTH, RK_PROBE_READ, RK_PROBE_WRITE, RK_MEMBERS, RK_ALARMS,
       RK_COUNT, RK_AUTH = RK_COUNT };

/* What each request is, in an error line; what a denied call takes away. */
extern const char *const rk_what[RK_COUNT];
extern const char *const rk_feature[RK_COUNT];

/* The gateway calls (/v3/...): they carry the etcd token and wait for it. */
static inline bool rk_is_api(int kind)
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

/* A member that refuses tokens the others accept: its calls of that kind are
 * not sent for this long after the first fresh token it refuses (then twice
 * as long each time, up to TOKEN_HOLD_MAX_S). */
#define TOKEN_HOLD_S     10.0
#define TOKEN_HOLD_MAX_S 300.0

typedef struct {
    char             name[64];
    char             url[ENDPOINT_URL_LEN];          /* normalized client URL; "" = not started */
    char             metrics_base[ENDPOINT_URL_LEN]; /* --metrics-endpoints URL; "" = the client URL */
    char             req_url[RK_COUNT][ENDPOINT_URL_LEN + 32];
    char             refused[128];       /* why its listed client URL is not polled ("" = none) */
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
    metrics_stream_t *metrics;            /* owned: /metrics scanned as it arrives */
    member_sample_t  cur;                /* filled during the poll in flight */
    char             err[RK_COUNT][160]; /* each request's failure, self-describing */
    char             cause[RK_COUNT][128]; /* transport cause alone, to say it once */
    bool             denied[RK_COUNT];   /* etcd said permission denied: not asked again */
    /* Tokens this member refuses (collector_auth.c): per call, the token
     * generation last refused (0 once one is accepted), how many fresh tokens it
     * refused in a row, and until when that call is not sent. */
    unsigned         refused_gen[RK_COUNT];
    int              fresh_refusals[RK_COUNT];
    double           hold_until[RK_COUNT];
    char             token_reason[48];   /* etcd's reason ("invalid auth token") */
    char             probe_key[256];     /* write probe key, base64 (empty = none) */
    char             probe_body[640];    /* its /v3/kv/put body */
    metrics_sample_t prev_m;             /* last good /metrics, for deltas */
    double           prev_t;
    bool             has_prev;
    int              was_up;             /* -1 unknown, 0 down, 1 up */
    bool             health_asked;       /* /health was sent this poll */
    bool             health_known;       /* the last poll's status and read probe showed it
                                            healthy: /health is not asked (collector_snapshot.c) */
    member_interval_t iv;
} member_t;

struct collector {
    const config_t *cfg;
    loop_t         *loop;                /* borrowed: runs every transfer */
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
    status_member_t list[CLUSTER_MAX_MEMBERS + 1]; /* one more: to know it is over the cap;
                                           client URLs normalized where they can be */
    bool            list_have[CLUSTER_MAX_MEMBERS + 1]; /* scratch: entries polled already */
    int             n_list;
    uint64_t        cluster_id;
    bool            alarms_ok;
    bool            alarms_asked;        /* this poll (the alarms are read every poll) */
    status_alarm_t  alarms[CLUSTER_MAX_ALARMS];
    int             n_alarms;
    event_list_t    events;              /* gathered until the poll completes */
    double          now;                 /* monotonic time of the current step */
    double          last_end;            /* monotonic: when the poll's last transfer ended */
    bool            draining;            /* exit-time: only the authenticate is handled */
    double          poll_deadline;       /* monotonic: the poll's requests end by then */
    bool            tls_default;         /* bare host:port endpoints use https */
    auth_t         *auth;                /* NULL without --user */
    int             auth_from;           /* member asked to authenticate */
    int             auth_tries;          /* members asked this poll */
    bool            auth_required;       /* no --user, and etcd wants a token */
    bool            told_denied[RK_COUNT]; /* a member denied it: said once */
    bool            told_cap;            /* the member list is over ENDPOINT_MAX: said */
    bool            told_fds;            /* too few open files for the connections: said */
    unsigned        endpoint_flags;      /* endpoint_parse() flags of every endpoint */
    char            told_held[ENDPOINT_URL_LEN];      /* the pinned member discovery last waited for */
    double          token_only_until[RK_COUNT]; /* refused without a token: not sent
                                           without one before then (monotonic) */
    json_arena_t    arena;               /* the answers' JSON parses: no malloc per poll */
    struct promsource *prom;             /* --prometheus: the poll is its queries (owned) */
};

/* Without a token, a call etcd refused for lack of one is asked again only this
 * often: each refusal is a failed gRPC request in the member's own metrics. */
#define TOKENLESS_RETRY_S 60.0

void member_set_url(member_t *mb, const char *url);
member_t *collector_add_member(collector_t *c, const char *url, const char *name,
                               const char *metrics_base) WARN_UNUSED_RESULT;
void collector_remove_member(collector_t *c, int i);
void member_fail(member_t *mb, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
long collector_time_left_ms(const collector_t *c);
void collector_send(collector_t *c, member_t *mb, int kind, long timeout_ms);
void collector_start_member(collector_t *c, member_t *mb);
bool collector_tokenless(const collector_t *c, int kind);
bool collector_auth_start(collector_t *c);
void collector_on_auth_done(collector_t *c);
bool collector_auth_answer(collector_t *c, member_t *mb, http_req_t *r);
void collector_tokenless_ok(collector_t *c, int kind);
void collector_token_ok(collector_t *c, member_t *mb, int kind);
bool collector_held(collector_t *c, member_t *mb, int kind);
/* Normalize the member list's client URLs in place (those that pass the
 * endpoint check; the others stay as they are, to be refused with a reason). */
void collector_list_normalize(collector_t *c);
void collector_add_listed(collector_t *c, bool start_now);
/* Connections for all members' requests of a poll: a poll asks each member up
 * to CONNS_PER_MEMBER things at once, each on its own connection kept open for
 * the next poll. Said once in the events when the open-file limit is too low. */
void collector_reserve_connections(collector_t *c);
void collector_apply_list(collector_t *c);
void collector_complete(collector_t *c, cluster_snapshot_t *s);
/* With no status answer: the leader is the one member whose metrics say
 * etcd_server_is_leader 1 (also the Prometheus source's way). */
void collector_leader_from_metrics(cluster_snapshot_t *s);
void b64_encode(const unsigned char *in, size_t n, char *out, size_t cap);
void member_probe_key(const collector_t *c, member_t *mb);

#endif
