/* cmd_ops.c — the operator commands' session, confirmation and failure line
 * (cmd_ops.h). */
#include "cmd_ops.h"
#include "collector_internal.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <curl/curl.h>

bool cmd_tty(int fd)
{
    return isatty(fd) == 1;
}

int cmd_fail(int rc, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "etcd-monitor: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return rc;
}

int cmd_session_open(cmd_session_t *s, const config_t *cfg, const char *cmd, bool members)
{
    char err[512];
    memset(s, 0, offsetof(cmd_session_t, c));
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return cmd_fail(70, cmd, "cannot initialise libcurl");
    s->curl = true;
    int rc = engine_open(&s->eng, cfg, err, sizeof err);
    if (rc != 0) {
        cmd_session_close(s);
        return cmd_fail(rc, cmd, "%s", err);
    }
    s->engine = true;
    /* The collector's router: requests go through the SSH tunnels it set up. */
    http_t *ch = &s->eng.col->http;
    if (ops_client_open(&s->c, cfg, s->eng.loop, ch->route, ch->route_ctx, err, sizeof err)) {
        cmd_session_close(s);
        return cmd_fail(EXIT_USAGE, cmd, "%s", err);
    }
    s->client = true;
    if (members && ops_cluster_refresh(&s->c, err, sizeof err)) {
        cmd_session_close(s);
        return cmd_fail(1, cmd, "%s", err);
    }
    return 0;
}

void cmd_session_close(cmd_session_t *s)
{
    if (s->client)
        ops_client_close(&s->c);
    if (s->engine)
        engine_close(&s->eng);
    if (s->curl)
        curl_global_cleanup();
    s->client = s->engine = s->curl = false;
}

int cmd_confirm(const config_t *cfg, const char *cmd, const char *what)
{
    if (cfg->ops.yes)
        return 0;
    if (!cmd_tty(0) || !cmd_tty(2))
        return cmd_fail(EXIT_USAGE, cmd, "would %s: give --yes to run it off a terminal",
                        what);
    fprintf(stderr, "etcd-monitor: %s: %s? [y/N] ", cmd, what);
    fflush(stderr);
    char line[32];
    if (!fgets(line, sizeof line, stdin))
        line[0] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0)
        return 0;
    return cmd_fail(1, cmd, "cancelled: nothing changed");
}

const ops_member_t *cmd_any_member(const cmd_session_t *s)
{
    if (s->c.leader >= 0 && s->c.m[s->c.leader].up)
        return &s->c.m[s->c.leader];
    for (int i = 0; i < s->c.n; i++)
        if (s->c.m[i].up)
            return &s->c.m[i];
    return NULL;
}

const char *cmd_member_name(const cmd_session_t *s, uint64_t id, char *buf, size_t len)
{
    for (int i = 0; i < s->c.n; i++)
        if (s->c.m[i].id == id)
            return s->c.m[i].name;
    snprintf(buf, len, "%016llx", (unsigned long long)id);
    return buf;
}

int cmd_json_out(json_t *j)
{
    if (!j)
        return cmd_fail(70, "json", "out of memory");
    int rc = json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(j);
    putchar('\n');
    return rc || fflush(stdout) ? 74 : 0;
}
