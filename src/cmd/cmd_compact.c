/* cmd_compact.c — compact [--revision N | --retain N] [--physical]: drop the
 * key history before a revision (default the current one; --retain N keeps
 * the last N) through the gateway's POST /v3/kv/compaction, then one line per
 * member with its db size after. */
#include <stdio.h>
#include <jansson.h>

#include "cmd_ops.h"
#include "commands.h"
#include "format.h"
#include "ops_maint.h"

/* One line per member after the compaction (or their JSON objects). */
static void compact_report(cmd_session_t *s, int64_t target, json_t *arr, bool json)
{
    for (int i = 0; i < s->c.n; i++) {
        const ops_member_t *m = &s->c.m[i];
        char db[32], use[32];
        if (json) {
            json_array_append_new(arr, json_pack("{s:s,s:b,s:I,s:I,s:s}", "member", m->name,
                                                 "up", m->up, "dbSize", (json_int_t)m->db_size,
                                                 "dbSizeInUse", (json_int_t)m->db_in_use,
                                                 "error", m->error));
            continue;
        }
        if (!m->up) {
            printf("%s: not reached: %s\n", m->name, m->error);
            continue;
        }
        (void)format_bytes(db, sizeof db, (double)m->db_size, true, 0);
        (void)format_bytes(use, sizeof use, (double)m->db_in_use, true, 0);
        printf("%s: compacted to revision %lld, db %s, %s in use (%.0f%% fragmented)\n",
               m->name, (long long)target, db, use, ops_frag_pct(m->db_size, m->db_in_use));
    }
}

int cmd_compact(config_t *cfg)
{
    const char *cmd = "compact";
    const config_ops_t *o = &cfg->ops;
    char err[512], body[128];
    static cmd_session_t s;         /* large: not on the stack */
    json_t *j;
    int rc;
    if (cfg->n_args)
        return cmd_fail(EXIT_USAGE, cmd, "unexpected argument \"%.80s\" (see etcd-monitor help "
                        "compact)", cfg->args[0]);
    if (o->revision && o->retain)
        return cmd_fail(EXIT_USAGE, cmd, "give --revision or --retain, not both");
    if ((rc = cmd_confirm(cfg, cmd, "compact the key history (older revisions are lost)")))
        return rc;
    if ((rc = cmd_session_open(&s, cfg, cmd, true)))
        return rc;
    const ops_member_t *m = cmd_any_member(&s);
    if (!m) {
        cmd_session_close(&s);
        return cmd_fail(1, cmd, "no member answers");
    }
    int64_t cur = m->revision;
    int64_t target = o->revision ? o->revision : o->retain ? cur - o->retain : cur;
    if (target < 1 || target > cur) {
        cmd_session_close(&s);
        return cmd_fail(1, cmd, "revision %lld is out of range (the current revision is %lld)",
                        (long long)target, (long long)cur);
    }
    snprintf(body, sizeof body, "{\"revision\":\"%lld\",\"physical\":%s}", (long long)target,
             o->physical ? "true" : "false");
    if (ops_call(&s.c, m->url, "/v3/kv/compaction", body, o->physical ? 300000 : 0, &j, err,
                 sizeof err)) {
        cmd_session_close(&s);
        return cmd_fail(1, cmd, "%s", err);
    }
    json_decref(j);
    for (int i = 0; i < s.c.n; i++)
        if (s.c.m[i].url[0])
            (void)ops_member_status(&s.c, &s.c.m[i]);
    if (cfg->write_out == WRITE_JSON) {
        json_t *arr = json_array();
        compact_report(&s, target, arr, true);
        rc = cmd_json_out(json_pack("{s:I,s:I,s:b,s:o}", "revision", (json_int_t)target,
                                    "current", (json_int_t)cur, "physical", o->physical,
                                    "members", arr));
    } else {
        compact_report(&s, target, NULL, false);
        rc = fflush(stdout) ? 74 : 0;
    }
    cmd_session_close(&s);
    return rc;
}
