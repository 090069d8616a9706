/* output.h — every output (CSV files, console, dashboard, session summary,
 * later the exporter and the notifiers) behind one const ops table, as bmon's
 * out_* modules are. The monitor builds the list from the configuration and
 * hands each completed poll to every output in order; outputs read const data
 * only and never reach back into the pipeline.
 *
 * Per poll, in this order: on_transition() once per alert transition (with its
 * alerts.log line), then on_poll(). on_notice() carries the session's own
 * notices (write failures, stopping, ...). Interactive outputs also get tick()
 * every loop turn and say when they next want one (next_tick_ms). */
#ifndef EM_OUTPUT_H
#define EM_OUTPUT_H

#include <stddef.h>
#include "cluster.h"
#include "config.h"
#include "delivery.h"
#include "history.h"
#include "loop.h"
#include "rules.h"

typedef enum {
    NOTICE_LOG,                    /* monitoring.log only */
    NOTICE_WARN,                   /* also said on stderr when there is no dashboard */
} notice_kind_t;

/* What tick() asks of the monitor (bitmask). */
enum {
    OUTPUT_ACT_NONE     = 0,
    OUTPUT_ACT_QUIT     = 1 << 0,
    OUTPUT_ACT_POLL_NOW = 1 << 1,
};

/* One completed poll, as every output sees it (all borrowed, const). */
typedef struct {
    const cluster_snapshot_t *snap;
    const alert_t            *active;    /* firing and pending alerts */
    int                       n_active;
    const history_set_t      *hist;      /* sparkline histories */
    const char               *trend;     /* this poll's trend report line, "" = none */
    /* Alert delivery's live state (channels, silences), NULL without alert
     * delivery. Owned by the monitor, valid until the outputs close: an output
     * may keep the pointer and read it again later (it changes between polls). */
    const delivery_status_t  *delivery;
} poll_view_t;

/* A request of an interactive output to the others, through the monitor
 * (output_env_t.control): control, never data. */
typedef enum {
    OUTPUT_CTL_SILENCE_TOGGLE,     /* silence rule@member for seconds, or lift its silences */
} output_ctl_kind_t;

typedef struct {
    output_ctl_kind_t kind;
    char              rule[48];
    char              member[64];  /* "" = a cluster-wide alert */
    double            seconds;
} output_ctl_t;

/* What every output may use (borrowed; outlives the outputs). */
typedef struct {
    const config_t *cfg;
    const rules_t  *rules;
    loop_t         *loop;
    const char     *workspace_dir;
    /* Raise a notice of the output's own (monitoring.log; stderr too for
     * NOTICE_WARN when there is no dashboard); NULL when nobody listens.
     * Outputs already closed no longer receive it. */
    void          (*notice)(void *ctx, notice_kind_t kind, const char *line);
    void           *notice_ctx;
    /* Ask the other outputs for ctl (e.g. a silence from the dashboard): how
     * many handled it, with a one-line reply for the asker; NULL when nobody
     * listens. */
    int           (*control)(void *ctx, const output_ctl_t *ctl, char *reply, size_t n);
    void           *control_ctx;
} output_env_t;

typedef struct output_ops {
    const char *name;
    /* The output's state, or NULL with a one-line err. arg is the output's own
     * (e.g. the workspace for the files output). */
    void    *(*open)(const output_env_t *env, void *arg, char *err, size_t errlen);
    void     (*on_transition)(void *o, const alert_transition_t *tr, const char *line);
    void     (*on_poll)(void *o, const poll_view_t *pv);
    void     (*on_notice)(void *o, double t, notice_kind_t kind, const char *line);
    unsigned (*tick)(void *o, double now);           /* optional: OUTPUT_ACT_* */
    int      (*next_tick_ms)(void *o, double now);   /* optional: -1 = none */
    /* optional: a control request; 1 handled (reply says what was done), 0 not */
    int      (*on_control)(void *o, const output_ctl_t *ctl, char *reply, size_t n);
    void     (*close)(void *o, double t);            /* frees the state */
} output_ops_t;

#define OUTPUT_MAX 8

typedef struct {
    const output_ops_t *ops[OUTPUT_MAX];
    void               *state[OUTPUT_MAX];
    int                 n;
} output_list_t;

/* Open ops and append it; -1 with err when it cannot open or the list is full. */
int  outputs_open(output_list_t *l, const output_ops_t *ops, const output_env_t *env,
                  void *arg, char *err, size_t errlen) WARN_UNUSED_RESULT;
void outputs_transition(const output_list_t *l, const alert_transition_t *tr, const char *line);
void outputs_poll(const output_list_t *l, const poll_view_t *pv);
void outputs_notice(const output_list_t *l, double t, notice_kind_t kind, const char *line);
unsigned outputs_tick(const output_list_t *l, double now);
/* Hand ctl to every output that takes control requests; how many handled it
 * (reply: the last one's words, "" when none). */
int  outputs_control(const output_list_t *l, const output_ctl_t *ctl, char *reply, size_t n);
/* The soonest next_tick_ms of any output, or -1. */
int  outputs_next_tick_ms(const output_list_t *l, double now);
/* Close every output, in the order they were opened; each leaves the list
 * before its close runs (notices raised then reach only the later ones). */
void outputs_close(output_list_t *l, double t);

#endif
