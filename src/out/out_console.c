/* out_console.c — the headless text output: the seed's banner when it opens,
 * one line per poll on stdout, warnings on stderr. */
#include "outputs.h"

#include <stdio.h>
#include "console.h"

static void *console_open(const output_env_t *env, void *arg, char *err, size_t errlen)
{
    (void)arg;
    (void)err;
    (void)errlen;
    if (env->cfg->insecure_skip_verify)
        fprintf(stderr, "etcd-monitor: INSECURE: TLS certificate verification is off "
                "(--insecure-skip-tls-verify)\n");
    console_banner(stdout, env->cfg, env->rules, env->workspace_dir);
    return stdout;
}

static void console_on_poll(void *o, const poll_view_t *pv)
{
    console_poll(o, pv->snap);
}

static void console_notice(void *o, double t, notice_kind_t kind, const char *line)
{
    (void)o;
    (void)t;
    if (kind == NOTICE_WARN)
        fprintf(stderr, "etcd-monitor: %s\n", line);
}

const output_ops_t output_console = {
    .name = "console",
    .open = console_open,
    .on_poll = console_on_poll,
    .on_notice = console_notice,
};

/* One of many clusters (arg: its name, borrowed): no banner of its own (the
 * monitor prints one for the run), its lines and warnings start "[name] ". */
static void *cluster_console_open(const output_env_t *env, void *arg, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    printf("[%s] %d endpoint(s), workspace %s\n", (const char *)arg, env->cfg->n_endpoints,
           env->workspace_dir);
    fflush(stdout);
    return arg;
}

static void cluster_console_on_poll(void *o, const poll_view_t *pv)
{
    console_poll_named(stdout, o, pv->snap);
}

static void cluster_console_notice(void *o, double t, notice_kind_t kind, const char *line)
{
    (void)t;
    if (kind == NOTICE_WARN)
        fprintf(stderr, "etcd-monitor: [%s] %s\n", (const char *)o, line);
}

const output_ops_t output_cluster_console = {
    .name = "cluster-console",
    .open = cluster_console_open,
    .on_poll = cluster_console_on_poll,
    .on_notice = cluster_console_notice,
};
