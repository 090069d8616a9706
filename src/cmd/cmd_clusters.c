/* cmd_clusters.c — monitor with the config file's clusters: list: one engine
 * per cluster (its own collector, stats, rules, outputs and workspace
 * subdirectory WORKDIR/<name>/ with the usual files), all on ONE event loop
 * (one curl multi handle) driven by app_run(). On a terminal the overview
 * (ui_overview.c) shows one line per cluster and each cluster's dashboard on
 * Enter; headless, each cluster prints "[name] ..." lines. The exit status is
 * the worst cluster's: 70 (lines missing from a file) > 2 > 1 > 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>

#include "commands.h"
#include "config.h"
#include "monitor_app.h"
#include "outputs.h"
#include "overview.h"
#include "signals.h"

/* One cluster's run: everything its app_t points to. */
typedef struct {
    app_t           app;
    engine_t        eng;
    workspace_t     ws;
    session_t       sess;
    config_t        view;          /* its configuration (config_cluster_view) */
    summary_arg_t   sum;
    overview_feed_t feed;
    char            dir[600];      /* its workspace: WORKDIR/<name> */
    bool            eng_open, ws_open;
} cluster_run_t;

typedef struct {
    config_t      *cfg;
    loop_t        *loop;
    cluster_run_t *runs;
    app_t        **apps;
    const char   **names;
    int            n;
    output_list_t  shared;         /* the overview, on a terminal */
} clusters_t;

/* Each cluster's outputs: its overview feed (on a terminal) or its console
 * lines, its workspace files, its closing summary. */
static int cluster_outputs(clusters_t *cs, cluster_run_t *r, int i, char *err, size_t errlen)
{
    app_t *a = &r->app;
    output_env_t env = { .cfg = a->cfg, .rules = r->eng.rules, .loop = cs->loop,
                         .workspace_dir = r->ws.dir, .notice = app_output_notice,
                         .notice_ctx = a, .control = app_output_control, .control_ctx = a };
    r->sum = (summary_arg_t){ .sess = &r->sess, .ws = &r->ws };
    if (cs->shared.n) {
        r->feed = (overview_feed_t){ .ov = cs->shared.state[0], .idx = i };
        if (outputs_open(&a->outs, &output_overview_feed, &env, &r->feed, err, errlen) != 0)
            return -1;
    } else if (outputs_open(&a->outs, &output_cluster_console, &env, (void *)cs->names[i], err,
                            errlen) != 0) {
        return -1;
    }
    return outputs_open(&a->outs, &output_files, &env, &r->ws, err, errlen) != 0 ||
           outputs_open(&a->outs, &output_summary, &env, &r->sum, err, errlen) != 0 ? -1 : 0;
}

/* Engines first (a configuration one refuses leaves no folder behind), then
 * the overview or the banner, then each cluster's workspace and outputs. */
static int clusters_open(clusters_t *cs, char *err, size_t errlen)
{
    config_t *cfg = cs->cfg;
    char root[512], why[512];
    double t0 = loop_wall();
    if (workspace_name(root, sizeof root, cfg->workdir, t0, err, errlen) != 0)
        return EXIT_USAGE;
    for (int i = 0; i < cs->n; i++) {
        cluster_run_t *r = &cs->runs[i];
        cs->names[i] = cfg->clusters[i].name;
        snprintf(r->dir, sizeof r->dir, "%s/%s", root, cs->names[i]);
        config_cluster_view(cfg, i, r->dir, &r->view);
        int rc = engine_open_on(&r->eng, &r->view, cs->loop, why, sizeof why);
        if (rc != 0) {
            snprintf(err, errlen, "cluster %s: %s", cs->names[i], why);
            return rc;
        }
        r->eng_open = true;
        r->app = (app_t){ .cfg = &r->view, .eng = &r->eng, .ws = &r->ws, .sess = &r->sess };
        cs->apps[i] = &r->app;
    }
    if (signals_setup(cs->loop) != 0) {
        snprintf(err, errlen, "cannot initialise: %s", strerror(errno));
        return 70;
    }
    bool interactive = !cfg->headless && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
    if (interactive) {
        overview_arg_t oa = { .names = cs->names, .n = cs->n };
        output_env_t env = { .cfg = cfg, .loop = cs->loop, .workspace_dir = root };
        if (outputs_open(&cs->shared, &output_overview, &env, &oa, err, errlen) != 0) {
            size_t len = strlen(err);
            snprintf(err + len, errlen - len, " (use --headless)");
            return EXIT_USAGE;
        }
    } else {
        printf("ETCD Real-time Performance Monitor: %d clusters, interval %gs, workspace %s\n",
               cs->n, cfg->interval_ms / 1000.0, root);
    }
    for (int i = 0; i < cs->n; i++) {
        cluster_run_t *r = &cs->runs[i];
        if (workspace_open(&r->ws, r->dir, t0, err, errlen) != 0)
            return EXIT_USAGE;
        r->ws_open = true;
        session_init(&r->sess, t0);
        if (r->view.prometheus_url)
            workspace_log(&r->ws, t0, "etcd-monitor %s started: cluster %s (%d of %d), members "
                          "from prometheus, selector %s, interval %gs", EM_VERSION,
                          cs->names[i], i + 1, cs->n, r->view.prometheus_selector,
                          cfg->interval_ms / 1000.0);
        else
            workspace_log(&r->ws, t0, "etcd-monitor %s started: cluster %s (%d of %d), %d "
                          "endpoint(s), interval %gs, %s", EM_VERSION, cs->names[i], i + 1,
                          cs->n, r->view.n_endpoints, cfg->interval_ms / 1000.0,
                          cfg->no_discover ? "no discovery" : "discovery via member list");
        if (r->view.insecure_skip_verify)
            workspace_log(&r->ws, t0, "INSECURE: TLS certificate verification is off: "
                          "members' certificates and names are not checked");
        if (cluster_outputs(cs, r, i, why, sizeof why) != 0) {
            snprintf(err, errlen, "cluster %s: %s", cs->names[i], why);
            return EXIT_USAGE;
        }
    }
    return 0;
}

/* Every part that authenticates holds its own copy now (secmem.h): wipe the
 * configuration's, the top level's and each cluster's. */
static void clusters_forget_passwords(clusters_t *cs)
{
    for (int i = 0; i < cs->n; i++) {
        cs->runs[i].view.password = NULL;
        config_forget_password(cs->cfg->clusters[i].own);
    }
    config_forget_password(cs->cfg);
}

static void clusters_close(clusters_t *cs)
{
    outputs_close(&cs->shared, loop_wall());
    for (int i = 0; i < cs->n; i++) {
        cluster_run_t *r = &cs->runs[i];
        if (r->app.outs.n)
            outputs_close(&r->app.outs, loop_wall());
        if (r->eng_open)
            engine_close(&r->eng);
        if (r->ws_open)
            workspace_close(&r->ws);
    }
    signals_close(cs->loop);
}

int cmd_monitor_clusters(config_t *cfg)
{
    char err[640];
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "etcd-monitor: cannot initialise libcurl\n");
        return 70;
    }
    clusters_t cs = { .cfg = cfg, .n = cfg->n_clusters };
    cs.runs = calloc((size_t)cs.n, sizeof *cs.runs);
    cs.apps = calloc((size_t)cs.n, sizeof *cs.apps);
    cs.names = calloc((size_t)cs.n, sizeof *cs.names);
    int rc = 70;
    if (!cs.runs || !cs.apps || !cs.names || !(cs.loop = loop_new())) {
        fprintf(stderr, "etcd-monitor: out of memory\n");
        goto out;
    }
    if ((rc = clusters_open(&cs, err, sizeof err)) != 0) {
        clusters_close(&cs);
        fprintf(stderr, "etcd-monitor: %s\n", err);
        goto out;
    }
    clusters_forget_passwords(&cs);
    for (int i = 0; i < cs.n; i++)
        app_notices(cs.apps[i]);

    app_run(cs.apps, cs.n, &cs.shared);

    for (int i = 0; i < cs.n; i++)
        app_finish(cs.apps[i]);
    outputs_close(&cs.shared, loop_wall());     /* the terminal back before the summaries */
    rc = 0;
    for (int i = 0; i < cs.n; i++) {
        printf("\nCluster %s (%s):", cs.names[i], cs.runs[i].ws.dir);
        app_close(cs.apps[i]);
        int one = app_exit_code(cs.apps[i]);
        if (one > rc)                           /* the worst: 70 > 2 > 1 > 0 */
            rc = one;
    }
    printf("\nClusters:");
    for (int i = 0; i < cs.n; i++)
        printf(" %s %s (%d)%s", cs.names[i], cluster_status_name(cs.runs[i].sess.final_status),
               app_exit_code(cs.apps[i]), i + 1 < cs.n ? "," : "");
    printf("; exit status %d, the worst\n", rc);
    clusters_close(&cs);
out:
    if (cs.loop)
        loop_free(cs.loop);
    free(cs.runs);
    free(cs.apps);
    free(cs.names);
    curl_global_cleanup();
    return rc;
}
