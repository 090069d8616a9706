/* out_summary.c — the seed's "MONITORING SESSION COMPLETE" block on stdout
 * when the session ends (after the dashboard has given the terminal back). */
#include "outputs.h"

#include <stdio.h>

static void *summary_open(const output_env_t *env, void *arg, char *err, size_t errlen)
{
    (void)env;
    (void)err;
    (void)errlen;
    return arg;
}

static void summary_close(void *o, double t)
{
    const summary_arg_t *a = o;
    session_summary(a->sess, a->ws, t, stdout);
}

const output_ops_t output_summary = {
    .name = "summary",
    .open = summary_open,
    .close = summary_close,
};
