/* cmd_move_leader.c — move-leader MEMBER (name, client URL or id): the
 * gateway's POST /v3/maintenance/transfer-leadership with targetID, sent to
 * the leader; then waits (up to 10 s) until the member list shows it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <jansson.h>

#include "cmd_ops.h"
#include "commands.h"

/* The member named what, or whose id (hex, or decimal) it is. */
static ops_member_t *move_target(cmd_session_t *s, const char *what)
{
    ops_member_t *m = ops_member_find(&s->c, what);
    char *end;
    uint64_t id = strtoull(what, &end, 10);
    for (int i = 0; !m && !*end && i < s->c.n; i++)
        if (s->c.m[i].id == id)
            m = &s->c.m[i];
    return m;
}

int cmd_move_leader(config_t *cfg)
{
    const char *cmd = "move-leader";
    char err[512], body[96], from[64];
    static cmd_session_t s;         /* large: not on the stack */
    json_t *j;
    int rc;
    if (cfg->n_args != 1)
        return cmd_fail(EXIT_USAGE, cmd, "usage: etcd-monitor move-leader MEMBER (see "
                        "etcd-monitor help move-leader)");
    char what[160];
    snprintf(what, sizeof what, "move the leadership to %.100s", cfg->args[0]);
    if ((rc = cmd_confirm(cfg, cmd, what)))
        return rc;
    if ((rc = cmd_session_open(&s, cfg, cmd, true)))
        return rc;
    ops_member_t *t = move_target(&s, cfg->args[0]);
    rc = 1;
    if (!t)
        cmd_fail(1, cmd, "no member \"%.100s\" (a name, client URL or id)", cfg->args[0]);
    else if (t->learner)
        cmd_fail(1, cmd, "%s is a learner: it cannot lead", t->name);
    else if (!t->up)
        cmd_fail(1, cmd, "%s does not answer: %s", t->name, t->error);
    else if (s.c.leader < 0)
        cmd_fail(1, cmd, "the cluster has no leader");
    else
        rc = 0;
    if (rc) {
        cmd_session_close(&s);
        return rc;
    }
    uint64_t tid = t->id;
    char tname[64];
    snprintf(tname, sizeof tname, "%s", t->name);
    snprintf(from, sizeof from, "%s", s.c.m[s.c.leader].name);
    if (t->leader) {
        if (cfg->write_out == WRITE_JSON)
            rc = cmd_json_out(json_pack("{s:s,s:s,s:b}", "from", from, "to", tname, "moved", 0));
        else
            printf("%s is already the leader: nothing to do\n", tname);
        cmd_session_close(&s);
        return rc ? rc : fflush(stdout) ? 74 : 0;
    }
    snprintf(body, sizeof body, "{\"targetID\":\"%" PRIu64 "\"}", tid);
    if (ops_call(&s.c, s.c.m[s.c.leader].url, "/v3/maintenance/transfer-leadership", body, 0,
                 &j, err, sizeof err)) {
        cmd_session_close(&s);
        return cmd_fail(1, cmd, "%s", err);
    }
    json_decref(j);
    bool moved = false;
    for (int k = 0; k < 50 && !moved; k++) {
        if (ops_cluster_refresh(&s.c, err, sizeof err) == 0 && s.c.leader >= 0)
            moved = s.c.m[s.c.leader].id == tid;
        if (!moved)
            loop_run_once(s.c.loop, 200);
    }
    if (!moved) {
        cmd_session_close(&s);
        return cmd_fail(1, cmd, "etcd accepted the transfer but %s is not the leader after 10 s",
                        tname);
    }
    uint64_t term = s.c.m[s.c.leader].raft_term;
    if (cfg->write_out == WRITE_JSON)
        rc = cmd_json_out(json_pack("{s:s,s:s,s:b,s:I}", "from", from, "to", tname, "moved", 1,
                                    "term", (json_int_t)term));
    else
        printf("leadership moved from %s to %s (term %" PRIu64 ")\n", from, tname, term);
    cmd_session_close(&s);
    return rc ? rc : fflush(stdout) ? 74 : 0;
}
