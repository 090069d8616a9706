/* promsource_internal.h — what promsource.c (queries, transfers) and
 * promsource_fill.c (answers into the snapshot) share. Only src/collect/. */
#ifndef EM_PROMSOURCE_INTERNAL_H
#define EM_PROMSOURCE_INTERNAL_H

#include "buf.h"
#include "collector_internal.h"
#include "promapi.h"
#include "promsource.h"

enum { PQ_UP, PQ_RAW, PQ_GRPC, PQ_RTT, PQ_WIN0, PQ_MAX = PQ_WIN0 + FIG_MAX_WINDOWS };

/* The window query's figures, in ext_latency_t's field order (em_fig label). */
#define PS_WIN_FIGS 10
extern const char *const ps_win_fig[PS_WIN_FIGS];

/* One instance (member) as this source knows it across polls. */
typedef struct {
    char              instance[PROMAPI_LABEL_LEN];
    uint64_t          id;               /* etcd_server_id's server_id, 0 unknown */
    metrics_sample_t  prev_m;           /* the previous poll's raw values, for deltas */
    double            prev_t;
    bool              has_prev;
    member_interval_t iv;
    int               was_up;           /* -1 unknown, 0 down, 1 up */
} ps_member_t;

struct promsource {
    promsource_config_t cfg;            /* strings borrowed */
    char                inner[PROMAPI_SELECTOR_LEN]; /* the selector without braces */
    http_t              http;
    http_req_t          req[PQ_MAX];
    char               *query[PQ_MAX];  /* owned: each query's PromQL */
    char               *url[PQ_MAX];    /* owned: its request URL */
    int                 n_q;
    bool                in_flight;
    double              poll_wall, poll_mono, last_end;
    long                iteration;
    promapi_result_t    res[PQ_MAX];    /* each answer (series owned here) */
    bool                ok[PQ_MAX];
    char                err[PQ_MAX][160]; /* why a query failed: "prometheus: ..." */
    ps_member_t         m[CLUSTER_MAX_MEMBERS];
    int                 n;
    ps_member_t         keep[CLUSTER_MAX_MEMBERS]; /* ps_sync_members' scratch (2.8 MB at
                                           the most members: not on the stack) */
    char                told[160];      /* the source_error last said as an event */
    buf_t               expo;           /* one instance's families as exposition text */
};

/* Answer i's body (len bytes) into p->res[i] and p->ok[i], or p->err[i] says
 * why not (promsource.c). */
void promsource_answer(promsource_t *p, int i, const char *body, size_t len);
/* The finished poll's answers into *s (promsource_fill.c). */
void promsource_fill(promsource_t *p, cluster_snapshot_t *s);

#endif
