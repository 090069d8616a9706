/* cmd_defrag.c — defrag [--cluster] [--force] [--dry-run]: one member (the
 * --endpoints one) or a rolling defrag of every member, followers first and
 * the leader last, one at a time, each only once the previous one answers
 * again and its raft applied index is back within the lag it had before.
 * Refused when the cluster has no member to spare, unless --force. One line
 * per member with its db size and fragmentation before and after. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "cmd_ops.h"
#include "commands.h"
#include "format.h"
#include "ops_maint.h"

#define DEFRAG_LAG_SLACK   100      /* raft entries above the lag seen before */
#define DEFRAG_WAIT_MS     60000    /* for a member to be healthy and caught up */
#define DEFRAG_TIMEOUT_MS  600000   /* one defragment request */

static double defrag_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Raft entries member m's applied index is behind the leader's index (0 when
 * it is the leader or either is unknown). */
static int64_t defrag_lag(const ops_client_t *c, const ops_member_t *m)
{
    if (c->leader < 0 || !m->up)
        return 0;
    int64_t d = (int64_t)c->m[c->leader].raft_index - (int64_t)m->raft_applied;
    return d > 0 ? d : 0;
}

/* Re-read the cluster until the member with id answers and is within
 * max_lag of the leader; 0, or -1 with err after DEFRAG_WAIT_MS. */
static int defrag_wait(ops_client_t *c, uint64_t id, int64_t max_lag, char *err, size_t errlen)
{
    double until = defrag_now() + DEFRAG_WAIT_MS / 1000.0;
    char e[256] = "";
    for (;;) {
        if (ops_cluster_refresh(c, e, sizeof e) == 0 && c->leader >= 0) {
            for (int i = 0; i < c->n; i++)
                if (c->m[i].id == id && c->m[i].up && defrag_lag(c, &c->m[i]) <= max_lag)
                    return 0;
            snprintf(e, sizeof e, "not back or not caught up");
        }
        if (defrag_now() > until) {
            snprintf(err, errlen, "not healthy and caught up after %d s (%s)",
                     DEFRAG_WAIT_MS / 1000, e);
            return -1;
        }
        struct timespec ts = { 0, 200 * 1000000L };
        nanosleep(&ts, NULL);
    }
}

/* The table line (or JSON object) of one member. */
static void defrag_row(json_t *arr, bool json, const char *name, const char *role,
                       const ops_member_t *b, const ops_member_t *a, double secs,
                       const char *result)
{
    char sb[32], sa[32];
    double fb = ops_frag_pct(b->db_size, b->db_in_use);
    double fa = a ? ops_frag_pct(a->db_size, a->db_in_use) : 0;
    if (json) {
        json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:I,s:f,s:I,s:I,s:f,s:f,s:s}",
            "member", name, "role", role, "dbSizeBefore", (json_int_t)b->db_size,
            "dbSizeInUseBefore", (json_int_t)b->db_in_use, "fragmentationBefore", fb,
            "dbSizeAfter", (json_int_t)(a ? a->db_size : 0), "dbSizeInUseAfter",
            (json_int_t)(a ? a->db_in_use : 0), "fragmentationAfter", fa, "seconds", secs,
            "result", result));
        return;
    }
    (void)format_bytes(sb, sizeof sb, (double)b->db_size, b->up, 0);
    (void)format_bytes(sa, sizeof sa, a ? (double)a->db_size : 0, a && a->up, 0);
    printf("%-16s %-8s %10s %6.1f%% %10s %6.1f%% %7.2fs  %s\n", name, role, sb, fb,
           a ? sa : "-", fa, secs, result);
    fflush(stdout);
}

/* Defragment c->m[idx]; its row. 0, or 1 on failure. */
static int defrag_one(cmd_session_t *s, int idx, int64_t max_lag, bool wait, json_t *arr,
                      bool json)
{
    ops_client_t *c = &s->c;
    ops_member_t before = c->m[idx];
    const char *role = idx == c->leader ? "leader" : before.learner ? "learner" : "follower";
    char err[512], result[600];
    json_t *j;
    if (cmd_tty(2))
        fprintf(stderr, "defragmenting %s (%s)...\n", before.name, role);
    double t0 = defrag_now();
    int rc = ops_call(c, before.url, "/v3/maintenance/defragment", "{}", DEFRAG_TIMEOUT_MS, &j,
                      err, sizeof err);
    json_decref(rc ? NULL : j);
    if (rc) {
        snprintf(result, sizeof result, "FAILED: %s", err);
        defrag_row(arr, json, before.name, role, &before, NULL, defrag_now() - t0, result);
        return 1;
    }
    if (wait && defrag_wait(c, before.id, max_lag, err, sizeof err)) {
        snprintf(result, sizeof result, "defragmented, then %s", err);
        defrag_row(arr, json, before.name, role, &before, NULL, defrag_now() - t0, result);
        return 1;
    }
    ops_member_t after = before;
    (void)ops_member_status(c, &after);
    defrag_row(arr, json, before.name, role, &before, &after, defrag_now() - t0, "ok");
    return 0;
}

/* --dry-run: the plan, one line per member in order. */
static int defrag_plan(const ops_client_t *c, const int *order, int n, int margin, bool json)
{
    json_t *arr = json_array();
    if (!json)
        printf("%-5s %-16s %-8s %10s %10s %7s\n", "ORDER", "MEMBER", "ROLE", "DB SIZE",
               "IN USE", "FRAG");
    for (int k = 0; k < n; k++) {
        const ops_member_t *m = &c->m[order[k]];
        const char *role = order[k] == c->leader ? "leader" : m->learner ? "learner" : "follower";
        char db[32], use[32];
        double f = ops_frag_pct(m->db_size, m->db_in_use);
        if (json) {
            json_array_append_new(arr, json_pack("{s:i,s:s,s:s,s:I,s:I,s:f}", "order", k + 1,
                "member", m->name, "role", role, "dbSize", (json_int_t)m->db_size,
                "dbSizeInUse", (json_int_t)m->db_in_use, "fragmentation", f));
            continue;
        }
        (void)format_bytes(db, sizeof db, (double)m->db_size, true, 0);
        (void)format_bytes(use, sizeof use, (double)m->db_in_use, true, 0);
        printf("%-5d %-16s %-8s %10s %10s %6.1f%%\n", k + 1, m->name, role, db, use, f);
    }
    if (json)
        return cmd_json_out(json_pack("{s:b,s:i,s:o}", "dryRun", 1, "margin", margin,
                                      "plan", arr));
    json_decref(arr);
    printf("margin: %d member%s to spare%s\n", margin, margin == 1 ? "" : "s",
           margin < 1 ? " (refused without --force)" : "");
    return fflush(stdout) ? 74 : 0;
}

int cmd_defrag(config_t *cfg)
{
    const char *cmd = "defrag";
    const config_ops_t *o = &cfg->ops;
    static cmd_session_t s;         /* large: not on the stack */
    int rc, order[CLUSTER_MAX_MEMBERS], n = 0;
    if (cfg->n_args)
        return cmd_fail(EXIT_USAGE, cmd, "unexpected argument \"%.80s\" (see etcd-monitor help "
                        "defrag)", cfg->args[0]);
    if (!o->cluster && cfg->n_endpoints != 1)
        return cmd_fail(EXIT_USAGE, cmd, "name one member with --endpoints, or give --cluster");
    if (!o->dry_run && (rc = cmd_confirm(cfg, cmd, o->cluster ?
            "defragment every member, one at a time, the leader last" :
            "defragment the member --endpoints names (it stalls while it runs)")))
        return rc;
    if ((rc = cmd_session_open(&s, cfg, cmd, true)))
        return rc;
    ops_client_t *c = &s.c;
    int margin = ops_margin(c), down = 0;
    for (int i = 0; i < c->n; i++)
        down += !c->m[i].up;
    if (o->cluster) {
        n = ops_defrag_order(c, order);
    } else {
        ops_member_t *m = ops_member_find(c, cfg->endpoints[0]);
        if (!m || !m->up) {
            cmd_session_close(&s);
            return cmd_fail(1, cmd, "%s: %s", cfg->endpoints[0], m ? m->error :
                            "not a member of the cluster");
        }
        order[n++] = (int)(m - c->m);
    }
    if (o->dry_run) {
        rc = defrag_plan(c, order, n, margin, cfg->write_out == WRITE_JSON);
        cmd_session_close(&s);
        return rc;
    }
    if (margin < 1 && !o->force) {
        cmd_session_close(&s);
        return cmd_fail(1, cmd, "refused: the cluster has no member to spare (%d down; "
                        "defragmenting one stalls it and may lose quorum); --force runs it "
                        "anyway", down);
    }
    int64_t lag0 = 0;
    for (int i = 0; i < c->n; i++)
        if (defrag_lag(c, &c->m[i]) > lag0)
            lag0 = defrag_lag(c, &c->m[i]);
    bool json = cfg->write_out == WRITE_JSON;
    json_t *arr = json_array();
    uint64_t ids[CLUSTER_MAX_MEMBERS];
    for (int k = 0; k < n; k++)
        ids[k] = c->m[order[k]].id;
    if (!json)
        printf("%-16s %-8s %10s %7s %10s %7s %8s  %s\n", "MEMBER", "ROLE", "DB BEFORE", "FRAG",
               "DB AFTER", "FRAG", "TOOK", "RESULT");
    rc = 0;
    for (int k = 0; k < n && !rc; k++) {
        int idx = -1;                           /* the list is re-read between members */
        for (int i = 0; i < c->n; i++)
            if (c->m[i].id == ids[k])
                idx = i;
        if (idx < 0 || !c->m[idx].up) {
            rc = cmd_fail(1, cmd, "member %016llx is gone or down: stopped",
                          (unsigned long long)ids[k]);
            break;
        }
        rc = defrag_one(&s, idx, lag0 + DEFRAG_LAG_SLACK, n > 1, arr, json);
    }
    for (int i = 0; i < c->n && !json && o->cluster; i++)
        if (!c->m[i].up)
            printf("%-16s %-8s %s\n", c->m[i].name, "-", "skipped: down");
    if (json) {
        int w = cmd_json_out(json_pack("{s:o}", "members", arr));
        rc = w ? w : rc;
    } else {
        json_decref(arr);
    }
    cmd_session_close(&s);
    return rc ? rc : fflush(stdout) ? 74 : 0;
}
