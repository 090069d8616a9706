/* cmd_kv.c — get, put and del: one key (or a prefix) through the gateway's
 * /v3/kv/range, /v3/kv/put and /v3/kv/deleterange, binary-safe: a key or
 * value is shown as text when it is printable UTF-8, else as base64 after a
 * marker; -w json gives them base64 with their revisions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cmd_ops.h"
#include "commands.h"
#include "ops_maint.h"

/* Gateway field in either spelling (proto name or JSON name). */
static int64_t kv_i64(const json_t *o, const char *a, const char *b)
{
    return json_object_get(o, a) ? ops_json_i64(o, a) : ops_json_i64(o, b);
}

/* A string field, "" when absent (etcd leaves out empty values). */
static const char *kv_str(const json_t *o, const char *field)
{
    const char *s = json_string_value(json_object_get(o, field));
    return s ? s : "";
}

/* A request body {"key":..[,"range_end":..]} for args[0] (--prefix: every
 * key under it), with extra members from more (may be NULL, stolen). */
static char *kv_body(const config_t *cfg, json_t *more)
{
    const char *k = cfg->args[0];
    size_t n = strlen(k), en;
    unsigned char *end = malloc(n + 1);
    char *kb = ops_b64(k, n), *eb = NULL, *out = NULL;
    json_t *j = json_object();
    if (end && kb && j) {
        json_object_set_new(j, "key", json_string(kb));
        if (cfg->ops.prefix) {
            ops_prefix_end((const unsigned char *)k, n, end, &en);
            if ((eb = ops_b64(end, en)))
                json_object_set_new(j, "range_end", json_string(eb));
        }
        if (more)
            json_object_update(j, more);
        out = json_dumps(j, JSON_COMPACT);
    }
    json_decref(more);
    json_decref(j);
    free(end);
    free(kb);
    free(eb);
    return out;
}

/* The decoded bytes of a base64 field (a new string, *n its length). */
static unsigned char *kv_bytes(const json_t *o, const char *field, size_t *n)
{
    const char *s = json_string_value(json_object_get(o, field));
    size_t len = s ? strlen(s) : 0;
    unsigned char *b = malloc(len * 3 / 4 + 4);
    long got = b && s ? ops_unb64(s, len, b) : 0;
    *n = got > 0 ? (size_t)got : 0;
    return b;
}

/* Send body to path on the leader (else any member); 0, or 1 after a line. */
static int kv_call(cmd_session_t *s, const char *cmd, const char *path, char *body, json_t **j)
{
    char err[512];
    const ops_member_t *m = cmd_any_member(s);
    *j = NULL;
    if (!body) {
        free(body);
        return cmd_fail(70, cmd, "out of memory");
    }
    if (!m) {
        free(body);
        return cmd_fail(1, cmd, "no member answers");
    }
    int rc = ops_call(&s->c, m->url, path, body, 0, j, err, sizeof err);
    free(body);
    return rc ? cmd_fail(1, cmd, "%s", err) : 0;
}

static int kv_get(cmd_session_t *s, const config_t *cfg)
{
    json_t *more = cfg->ops.limit ? json_pack("{s:I}", "limit", (json_int_t)cfg->ops.limit) : NULL;
    json_t *j, *kv;
    size_t i;
    int rc = kv_call(s, "get", "/v3/kv/range", kv_body(cfg, more), &j);
    if (rc)
        return rc;
    json_t *kvs = json_object_get(j, "kvs");
    int64_t rev = ops_json_i64(json_object_get(j, "header"), "revision");
    if (cfg->write_out == WRITE_JSON) {
        json_t *out = json_pack("{s:I,s:I,s:b,s:[]}", "revision", (json_int_t)rev, "count",
                                (json_int_t)ops_json_i64(j, "count"), "more",
                                json_is_true(json_object_get(j, "more")), "kvs");
        json_array_foreach(kvs, i, kv)
            json_array_append_new(json_object_get(out, "kvs"), json_pack(
                "{s:s,s:s,s:I,s:I,s:I}", "key", kv_str(kv, "key"), "value", kv_str(kv, "value"),
                "createRevision", (json_int_t)kv_i64(kv, "create_revision", "createRevision"),
                "modRevision", (json_int_t)kv_i64(kv, "mod_revision", "modRevision"),
                "version", (json_int_t)ops_json_i64(kv, "version")));
        json_decref(j);
        return cmd_json_out(out);
    }
    if (json_array_size(kvs) > 0)
        printf("%-12s %s\n", "MOD REV", "KEY = VALUE");
    json_array_foreach(kvs, i, kv) {
        size_t kn, vn;
        unsigned char *kb = kv_bytes(kv, "key", &kn), *vb = kv_bytes(kv, "value", &vn);
        char *ks = kb ? ops_show_bytes(kb, kn) : NULL, *vs = vb ? ops_show_bytes(vb, vn) : NULL;
        if (ks && vs)
            printf("%-12lld %s = %s\n", (long long)kv_i64(kv, "mod_revision", "modRevision"),
                   ks, vs);
        free(kb), free(vb), free(ks), free(vs);
    }
    if (json_array_size(kvs) == 0)
        fprintf(stderr, "etcd-monitor: get: no such key\n");
    rc = json_array_size(kvs) == 0 ? 1 : 0;
    json_decref(j);
    return fflush(stdout) ? 74 : rc;
}

static int kv_put(cmd_session_t *s, const config_t *cfg)
{
    const char *v = cfg->args[1];
    char *vb = ops_b64(v, strlen(v));
    json_t *j;
    if (!vb)
        return cmd_fail(70, "put", "out of memory");
    int rc = kv_call(s, "put", "/v3/kv/put", kv_body(cfg, json_pack("{s:s}", "value", vb)), &j);
    free(vb);
    if (rc)
        return rc;
    int64_t rev = ops_json_i64(json_object_get(j, "header"), "revision");
    json_decref(j);
    if (cfg->write_out == WRITE_JSON)
        return cmd_json_out(json_pack("{s:s,s:I}", "key", cfg->args[0], "revision",
                                      (json_int_t)rev));
    printf("OK: put at revision %lld\n", (long long)rev);
    return fflush(stdout) ? 74 : 0;
}

static int kv_del(cmd_session_t *s, const config_t *cfg)
{
    json_t *j;
    int rc = kv_call(s, "del", "/v3/kv/deleterange", kv_body(cfg, NULL), &j);
    if (rc)
        return rc;
    int64_t rev = ops_json_i64(json_object_get(j, "header"), "revision");
    int64_t n = ops_json_i64(j, "deleted");
    json_decref(j);
    if (cfg->write_out == WRITE_JSON)
        return cmd_json_out(json_pack("{s:I,s:I}", "deleted", (json_int_t)n, "revision",
                                      (json_int_t)rev));
    printf("deleted %lld key%s (revision %lld)\n", (long long)n, n == 1 ? "" : "s",
           (long long)rev);
    return fflush(stdout) ? 74 : 0;
}

/* The shared frame: arguments, confirmation (writes), session, the verb. */
static int kv_run(config_t *cfg, const char *cmd, int nargs, const char *usage,
                  int (*verb)(cmd_session_t *, const config_t *), const char *confirm)
{
    static cmd_session_t s;         /* large: not on the stack */
    int rc;
    if (cfg->n_args != nargs || !cfg->args[0][0])
        return cmd_fail(EXIT_USAGE, cmd, "usage: etcd-monitor %s (see etcd-monitor help %s)",
                        usage, cmd);
    if (confirm) {
        char what[256];
        snprintf(what, sizeof what, "%s %s %.200s", confirm,
                 cfg->ops.prefix ? "every key under" : "the key", cfg->args[0]);
        if ((rc = cmd_confirm(cfg, cmd, what)))
            return rc;
    }
    if ((rc = cmd_session_open(&s, cfg, cmd, true)))
        return rc;
    rc = verb(&s, cfg);
    cmd_session_close(&s);
    return rc;
}

int cmd_get(config_t *cfg)
{
    return kv_run(cfg, "get", 1, "get KEY [--prefix] [--limit N]", kv_get, NULL);
}

int cmd_put(config_t *cfg)
{
    return kv_run(cfg, "put", 2, "put KEY VALUE", kv_put, "write");
}

int cmd_del(config_t *cfg)
{
    return kv_run(cfg, "del", 1, "del KEY [--prefix]", kv_del, "delete");
}
