/* history.h — each member's headline figures over the last 24 hours, for the
 * dashboard's sparklines and history graphs, at several resolutions (as bmon
 * keeps several): one point per poll for the newest HIST_FINE_CAP polls (16
 * min at a 1 s interval: the 15m graph and the sparklines), then min/avg/max
 * aggregates of 10 s for 1 h and of 60 s for 24 h (a graph is at most a few
 * hundred dots wide: 360 points for 1 h or 6 h, 1440 for 24 h). Values are
 * floats (a graph needs no more than 7 digits).
 *
 * Memory follows the members actually seen, not the member limit: a member's
 * rings are allocated on its first push (history_member) and freed when it
 * leaves (history_release). The stats engine fills one set each poll; readers
 * (the UI, through poll_view_t) only read it as const data. */
#ifndef EM_HISTORY_H
#define EM_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include "cluster.h"

/* Figures kept per poll (oldest first). */
typedef enum {
    HIST_WAL_P99, HIST_BACKEND_P99, HIST_PEER_RTT_P99, HIST_READ_MS, HIST_WRITE_MS,
    HIST_DB_SIZE, HIST_DB_IN_USE, HIST_FRAGMENTATION, HIST_PROPOSALS_COMMITTED_RATE,
    HIST_PROPOSALS_FAILED_RATE, HIST_PROPOSALS_PENDING, HIST_LEADER_CHANGES,
    HIST_SLOW_APPLIES, HIST_RSS, HIST_COUNT
} history_fig_t;

#define STATS_HISTORY 512          /* polls a sparkline copies at most */

#define HIST_TIERS 3               /* tier 0: every poll; 1, 2: aggregates */
#define HIST_FINE_CAP 960          /* polls in tier 0 (16 min at 1 s) */
#define HIST_MID_STEP_S 10         /* tier 1: 10 s aggregates ... */
#define HIST_MID_CAP 360           /* ... for 1 h */
#define HIST_COARSE_STEP_S 60      /* tier 2: 60 s aggregates ... */
#define HIST_COARSE_CAP 1440       /* ... for 24 h */
/* Points history_range() can return at most (the largest tier and a step
 * being filled). */
#define HIST_RANGE_MAX (HIST_COARSE_CAP + 1)
_Static_assert(HIST_RANGE_MAX >= HIST_FINE_CAP && HIST_RANGE_MAX >= HIST_MID_CAP + 1,
               "HIST_RANGE_MAX covers every tier");

/* One point read back: its time (the poll's, or the start of the aggregate's
 * step) and the figure's min/avg/max over it (all equal in tier 0); NAN = a
 * gap (member down, figure unknown). */
typedef struct {
    double t, min, avg, max;
} hist_point_t;

/* An aggregate step being filled (one per coarse tier and figure). */
typedef struct {
    double sum, min, max;
    int    n;
} hist_acc_t;

/* A ring of aggregates: per slot its step's start time and min/avg/max. */
typedef struct {
    int     step_s, cap, head, n;
    double *t;                     /* [cap] */
    float  *v;                     /* [HIST_COUNT][cap][3]: min, avg, max */
    double  acc_t;                 /* start of the step being filled, NAN = none */
    hist_acc_t acc[HIST_COUNT];
} hist_tier_t;

/* One member's rings (allocated by history_member, owned by the set). */
typedef struct {
    char        name[64];
    int         head, n;           /* tier 0 */
    double      t[HIST_FINE_CAP];
    float       v[HIST_COUNT][HIST_FINE_CAP];
    hist_tier_t tier[HIST_TIERS - 1];
} member_history_t;

typedef struct {
    member_history_t *m[CLUSTER_MAX_MEMBERS];   /* NULL = free slot */
} history_set_t;

/* A member's rings, allocated (empty) on first use; NULL when out of memory
 * or every slot is taken. */
member_history_t *history_member(history_set_t *h, const char *name);
/* Forget a member (frees its rings). */
void history_release(history_set_t *h, const char *name);
/* Free every member's rings (the set itself is the caller's). */
void history_free(history_set_t *h);
/* Append one poll at time t (seconds) of every figure (NAN = unknown). */
void history_push(member_history_t *mh, double t, const double v[HIST_COUNT]);

/* Copy up to max values of a member's figure, the newest polls (oldest
 * first), into out; the count. */
int history_copy(const history_set_t *h, const char *member, history_fig_t fig, double *out,
                 int max);
/* The same for the newest polls at or before until (seconds): a paused or
 * replayed screen's moment. */
int history_copy_until(const history_set_t *h, const char *member, history_fig_t fig,
                       double until, double *out, int max);
/* A member's figure between from and to (seconds), from the finest tier that
 * reaches back to from (else the coarsest), oldest first, at most max points
 * (the newest kept); the count. *step_s says the tier's resolution (0 = one
 * point per poll). A coarse tier's step still being filled is included. */
int history_range(const history_set_t *h, const char *member, history_fig_t fig, double from,
                  double to, hist_point_t *out, int max, int *step_s);
/* Bytes allocated for the rings of the members in use. */
size_t history_bytes(const history_set_t *h);

#endif
