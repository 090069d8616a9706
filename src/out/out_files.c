/* out_files.c — the workspace files as an output: alerts.log lines per
 * transition, metrics.csv and members.csv rows per poll, the trend report and
 * every notice in monitoring.log. The workspace itself is opened and closed by
 * the caller (other parts log into it before and after the outputs run). */
#include "outputs.h"

#include <string.h>

static void *files_open(const output_env_t *env, void *arg, char *err, size_t errlen)
{
    (void)env;
    (void)err;
    (void)errlen;
    return arg;
}

static void files_transition(void *o, const alert_transition_t *tr, const char *line)
{
    (void)tr;
    workspace_alert(o, line, strlen(line));
}

static void files_poll(void *o, const poll_view_t *pv)
{
    workspace_write_poll(o, pv->snap);
    if (pv->trend && pv->trend[0])
        workspace_log(o, pv->snap->t, "%s", pv->trend);
}

static void files_notice(void *o, double t, notice_kind_t kind, const char *line)
{
    (void)kind;
    workspace_log(o, t, "%s", line);
}

/* The session ends: the lines the disk refused get a last try of up to 2 s;
 * what never reached its file is said on stderr (workspace_finish). */
static void files_close(void *o, double t)
{
    (void)t;
    (void)workspace_finish(o, 2000, stderr);
}

const output_ops_t output_files = {
    .name = "files",
    .open = files_open,
    .on_transition = files_transition,
    .on_poll = files_poll,
    .on_notice = files_notice,
    .close = files_close,
};
