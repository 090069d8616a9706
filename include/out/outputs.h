/* outputs.h — the ops tables of the outputs in src/out/ (see output.h):
 *   output_files    metrics.csv, members.csv, alerts.log, monitoring.log
 *                   (arg: the open workspace_t, owned by the caller)
 *   output_console  the headless text: banner, one line per poll, notices on stderr
 *   output_summary  the closing summary on stdout (arg: summary_arg_t)
 *   output_cluster_console  one of many clusters' lines, "[name] ..." (arg: its name) */
#ifndef EM_OUTPUTS_H
#define EM_OUTPUTS_H

#include "output.h"
#include "session.h"
#include "workspace.h"

extern const output_ops_t output_files;
extern const output_ops_t output_console;
extern const output_ops_t output_summary;
extern const output_ops_t output_cluster_console;

typedef struct {
    const session_t   *sess;
    const workspace_t *ws;
} summary_arg_t;

#endif
