/* cmd_snapshot.c — the snapshot command:
 *   snapshot status FILE   read a snapshot (or backend) file directly, as
 *                          etcdctl snapshot status (bbolt.h)
 *   snapshot save FILE     stream one member's snapshot (--endpoints picks it,
 *                          default the leader) into FILE, atomically */
#include <stdio.h>
#include <jansson.h>
#include <string.h>

#include "cmd_ops.h"
#include "commands.h"
#include "ops_snapshot.h"

/* snapshot status FILE */
static int snapshot_status(config_t *cfg, const char *path)
{
    bbolt_status_t st;
    char why[512];
    if (ops_snapshot_status(path, &st, why, sizeof why))
        return cmd_fail(1, "snapshot status", "%s", why);
    if (ops_snapshot_print(stdout, &st, cfg->write_out == WRITE_JSON) || fflush(stdout))
        return cmd_fail(74, "snapshot status", "cannot write the report");
    return 0;
}

/* The member to save from: the one named by the only --endpoints entry, or
 * the leader. */
static const ops_member_t *snapshot_source(cmd_session_t *s, const config_t *cfg)
{
    if (cfg->endpoints_given && cfg->n_endpoints == 1) {
        const ops_member_t *m = ops_member_find(&s->c, cfg->endpoints[0]);
        if (m)
            return m;
    }
    return s->c.leader >= 0 ? &s->c.m[s->c.leader] : NULL;
}

/* snapshot save FILE */
static int snapshot_save(config_t *cfg, const char *path)
{
    static cmd_session_t s;         /* large: not on the stack */
    char err[512];
    ops_saved_t out;
    int rc = cmd_session_open(&s, cfg, "snapshot save", true);
    if (rc)
        return rc;
    const ops_member_t *m = snapshot_source(&s, cfg);
    if (!m) {
        cmd_session_close(&s);
        return cmd_fail(1, "snapshot save", "no leader to save from (name a member with "
                        "--endpoints)");
    }
    if (ops_snapshot_save(&s.c, m, path, cmd_tty(2), &out, err, sizeof err)) {
        cmd_session_close(&s);
        return cmd_fail(1, "snapshot save", "%s", err);
    }
    if (cfg->write_out == WRITE_JSON) {
        json_t *j = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:f}", "path", path, "member", m->name,
                              "size", (json_int_t)out.bytes, "revision",
                              (json_int_t)out.st.revision, "hash", (json_int_t)out.st.hash,
                              "totalKey", (json_int_t)out.st.total_keys, "seconds", out.seconds);
        if (j)
            (void)json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        putchar('\n');
        json_decref(j);
    }
    else
        printf("Snapshot saved at %s from %s: %lld bytes, revision %lld, %.3fs\n", path,
               m->name, (long long)out.bytes, (long long)out.st.revision, out.seconds);
    cmd_session_close(&s);
    return fflush(stdout) ? 74 : 0;
}

int cmd_snapshot(config_t *cfg)
{
    const char *sub = cfg->n_args > 0 ? cfg->args[0] : "";
    if (cfg->n_args != 2 || (strcmp(sub, "status") != 0 && strcmp(sub, "save") != 0))
        return cmd_fail(EXIT_USAGE, "snapshot", "usage: etcd-monitor snapshot status|save FILE "
                        "(see etcd-monitor help snapshot)");
    if (strcmp(sub, "status") == 0)
        return snapshot_status(cfg, cfg->args[1]);
    return snapshot_save(cfg, cfg->args[1]);
}
