/* cmd_alarm.c — the alarm command: alarm list (every raised alarm, per
 * member) and alarm disarm (deactivate each one, confirmed), through the
 * gateway's POST /v3/maintenance/alarm. */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "cmd_ops.h"
#include "commands.h"

/* The raised alarms (a new reference to the answer's array, maybe empty) or
 * NULL after a failure line. */
static json_t *alarm_get(cmd_session_t *s, const char *cmd)
{
    const ops_member_t *m = cmd_any_member(s);
    char err[512];
    json_t *j;
    if (!m) {
        cmd_fail(1, cmd, "no member answers");
        return NULL;
    }
    if (ops_call(&s->c, m->url, "/v3/maintenance/alarm", "{\"action\":\"GET\"}", 0, &j, err,
                 sizeof err)) {
        cmd_fail(1, cmd, "%s", err);
        return NULL;
    }
    json_t *a = json_object_get(j, "alarms");
    a = json_is_array(a) ? json_incref(a) : json_array();
    json_decref(j);
    return a;
}

/* One alarm as {member, id, alarm}. */
static json_t *alarm_json(const cmd_session_t *s, const json_t *a)
{
    char buf[32];
    uint64_t id = (uint64_t)ops_json_i64(a, "memberID");
    const char *what = json_string_value(json_object_get(a, "alarm"));
    char hex[24];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)id);
    return json_pack("{s:s,s:s,s:s}", "member", cmd_member_name(s, id, buf, sizeof buf), "id",
                     hex, "alarm", what ? what : "NONE");
}

static int alarm_list(cmd_session_t *s, const config_t *cfg)
{
    json_t *a = alarm_get(s, "alarm list"), *e;
    size_t i;
    if (!a)
        return 1;
    json_t *out = json_array();
    json_array_foreach(a, i, e)
        json_array_append_new(out, alarm_json(s, e));
    json_decref(a);
    if (cfg->write_out == WRITE_JSON)
        return cmd_json_out(out);
    if (json_array_size(out) == 0)
        printf("no alarms\n");
    else
        printf("%-20s %-16s %s\n", "MEMBER", "ID", "ALARM");
    json_array_foreach(out, i, e)
        printf("%-20s %-16s %s\n", json_string_value(json_object_get(e, "member")),
               json_string_value(json_object_get(e, "id")),
               json_string_value(json_object_get(e, "alarm")));
    json_decref(out);
    return fflush(stdout) ? 74 : 0;
}

static int alarm_disarm(cmd_session_t *s, const config_t *cfg)
{
    const char *cmd = "alarm disarm";
    json_t *a = alarm_get(s, cmd), *e, *out = json_array();
    const ops_member_t *m = cmd_any_member(s);
    size_t i;
    int rc = 0;
    if (!a)
        return 1;
    json_array_foreach(a, i, e) {
        char body[160], err[512];
        json_t *j, *row = alarm_json(s, e);
        const char *what = json_string_value(json_object_get(e, "alarm"));
        snprintf(body, sizeof body, "{\"action\":\"DEACTIVATE\",\"memberID\":\"%llu\",\"alarm\":\"%s\"}",
                 (unsigned long long)(uint64_t)ops_json_i64(e, "memberID"), what ? what : "NONE");
        bool ok = ops_call(&s->c, m->url, "/v3/maintenance/alarm", body, 0, &j, err, sizeof err) == 0;
        json_decref(ok ? j : NULL);
        json_object_set_new(row, "disarmed", json_boolean(ok));
        if (!ok) {
            json_object_set_new(row, "error", json_string(err));
            rc = 1;
        }
        if (cfg->write_out != WRITE_JSON) {
            if (ok)
                printf("%s: %s alarm disarmed\n", json_string_value(json_object_get(row, "member")),
                       what ? what : "NONE");
            else
                printf("%s: %s alarm NOT disarmed: %s\n",
                       json_string_value(json_object_get(row, "member")), what ? what : "NONE", err);
        }
        json_array_append_new(out, row);
    }
    if (cfg->write_out != WRITE_JSON && json_array_size(a) == 0)
        printf("no alarms to disarm\n");
    json_decref(a);
    if (cfg->write_out == WRITE_JSON) {
        int w = cmd_json_out(out);
        return w ? w : rc;
    }
    json_decref(out);
    return fflush(stdout) ? 74 : rc;
}

int cmd_alarm(config_t *cfg)
{
    const char *sub = cfg->n_args > 0 ? cfg->args[0] : "";
    bool list = strcmp(sub, "list") == 0;
    if (cfg->n_args != 1 || (!list && strcmp(sub, "disarm") != 0))
        return cmd_fail(EXIT_USAGE, "alarm", "usage: etcd-monitor alarm list|disarm "
                        "(see etcd-monitor help alarm)");
    int rc;
    if (!list && (rc = cmd_confirm(cfg, "alarm disarm", "disarm every alarm of the cluster")))
        return rc;
    static cmd_session_t s;         /* large: not on the stack */
    if ((rc = cmd_session_open(&s, cfg, list ? "alarm list" : "alarm disarm", true)))
        return rc;
    rc = list ? alarm_list(&s, cfg) : alarm_disarm(&s, cfg);
    cmd_session_close(&s);
    return rc;
}
