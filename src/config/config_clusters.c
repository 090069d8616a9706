/* config_clusters.c — the config file's clusters: list: one entry per cluster,
 * its name and the keys a cluster has of its own (endpoints, metrics_endpoints,
 * members, tls, auth, ssh, and for a cluster read through Prometheus its
 * prometheus_selector and prometheus URL), read by config_file.c's own code into a config_t of
 * the entry's; then the checks after the flags, and each cluster's view (its
 * keys over the top level's). Errors are "path:line: clusters[N]...". */
#include "config.h"
#include "config_internal.h"
#include "config_yaml.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CLUSTERS_KEY "clusters"

/* The keys an entry may hold besides name: those a cluster has of its own. */
static const char *const cluster_keys[] = {
    "endpoints", "metrics_endpoints", "members", "tls", "auth", "ssh",
    "prometheus", "prometheus_selector", NULL
};

/* A name safe as one directory name: [A-Za-z0-9._-], not starting with '.' or
 * '-' (no "..", no hidden directory, no option look-alike). */
static bool cluster_name_ok(const char *s, size_t len)
{
    if (len == 0 || len >= CONFIG_CLUSTER_NAME_MAX || strlen(s) != len || s[0] == '.' ||
        s[0] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* The entry's name: (its value is the next event). */
static int cluster_name(yfile_t *y, config_t *top, config_cluster_t *c, int idx)
{
    char shown[96];
    unsigned long line = yf_line(&y->ev);
    if (c->name[0])
        return yf_error(y, line, CLUSTERS_KEY "[%d]: duplicate key \"name\"", idx);
    if (yf_next(y))
        return -1;
    if (y->ev.type != YAML_SCALAR_EVENT || yf_is_null(&y->ev))
        return yf_error(y, yf_line(&y->ev), CLUSTERS_KEY "[%d].name: expected a name, found %s",
                        idx, y->ev.type == YAML_SCALAR_EVENT ? "nothing" : yf_kind(&y->ev));
    const char *v = (const char *)y->ev.data.scalar.value;
    if (!cluster_name_ok(v, y->ev.data.scalar.length)) {
        config_quote(shown, sizeof shown, v);
        return yf_error(y, yf_line(&y->ev), CLUSTERS_KEY "[%d].name: %s is not a valid name "
                        "(1 to %d of A-Z a-z 0-9 . _ -, not starting with . or -: it names "
                        "the cluster's workspace directory)", idx, shown,
                        CONFIG_CLUSTER_NAME_MAX - 1);
    }
    for (int k = 0; k < idx; k++)
        if (strcasecmp(top->clusters[k].name, v) == 0)
            return yf_error(y, yf_line(&y->ev), CLUSTERS_KEY "[%d].name: \"%s\" is taken by "
                            CLUSTERS_KEY "[%d] (line %lu; names are compared ignoring case)",
                            idx, v, k, top->clusters[k].line);
    snprintf(c->name, sizeof c->name, "%s", v);
    return 0;
}

/* The keys of one entry (its mapping start is the current event); y->cfg is
 * the entry's own config meanwhile. */
static int cluster_keys_read(yfile_t *y, config_t *top, config_cluster_t *c, int idx)
{
    char shown[96], what[32];
    snprintf(what, sizeof what, CLUSTERS_KEY "[%d]: ", idx);
    for (;;) {
        int r = yf_next_key(y, what);
        if (r)
            return r > 0 ? 0 : -1;
        unsigned long line = yf_line(&y->ev);
        const char *key = (const char *)y->ev.data.scalar.value;
        if (strcmp(key, "name") == 0) {
            if (cluster_name(y, top, c, idx))
                return -1;
            continue;
        }
        bool own = false;
        for (int k = 0; cluster_keys[k]; k++)
            own = own || strcmp(key, cluster_keys[k]) == 0;
        if (own) {
            if (yf_key(y))
                return -1;
            continue;
        }
        config_quote(shown, sizeof shown, key);
        bool top_key = config_option_by_key(key) != NULL;
        for (int b = 0; config_nested_blocks[b]; b++)
            top_key = top_key || strcmp(key, config_nested_blocks[b]) == 0;
        if (top_key)
            return yf_error(y, line, CLUSTERS_KEY "[%d]: %s is not a per-cluster key (every "
                            "cluster takes the top level's; a cluster has endpoints, "
                            "metrics_endpoints, members, tls, auth, ssh, prometheus, "
                            "prometheus_selector)", idx, shown);
        return yf_error(y, line, CLUSTERS_KEY "[%d]: unknown key %s", idx, shown);
    }
}

/* One entry (the current event), appended to top->clusters. */
static int yf_cluster(yfile_t *y, config_t *top)
{
    int idx = top->n_clusters;
    unsigned long line = yf_line(&y->ev);
    if (idx >= CONFIG_MAX_CLUSTERS)
        return yf_error(y, line, CLUSTERS_KEY ": more than %d clusters", CONFIG_MAX_CLUSTERS);
    if (y->ev.type != YAML_MAPPING_START_EVENT)
        return yf_error(y, line, CLUSTERS_KEY "[%d]: expected a mapping, found %s", idx,
                        yf_kind(&y->ev));
    config_cluster_t *c = &top->clusters[top->n_clusters++];
    c->line = line;
    bool *seen = calloc(y->n_tab, sizeof *seen);
    if (!seen || !(c->own = calloc(1, sizeof *c->own))) {
        free(seen);
        return yf_error(y, line, "out of memory");
    }
    /* Read the entry with the top level's code, into the entry's own config. */
    bool *top_seen = y->seen, top_blocks[sizeof y->seen_block];
    memcpy(top_blocks, y->seen_block, sizeof top_blocks);
    memset(y->seen_block, 0, sizeof y->seen_block);
    y->cfg = c->own;
    y->seen = seen;
    int r = cluster_keys_read(y, top, c, idx);
    y->cfg = top;
    y->seen = top_seen;
    memcpy(y->seen_block, top_blocks, sizeof top_blocks);
    free(seen);
    if (r)
        return -1;
    if (!c->name[0])
        return yf_error(y, line, CLUSTERS_KEY "[%d]: no name", idx);
    bool scraped = c->own->endpoints_given || c->own->n_members > 0;
    if (!scraped && !c->own->prometheus_selector)
        return yf_error(y, line, CLUSTERS_KEY "[%d] (%s): no endpoints (give endpoints or "
                        "members, or a prometheus_selector)", idx, c->name);
    if (scraped && c->own->prometheus_selector)
        return yf_error(y, line, CLUSTERS_KEY "[%d] (%s): endpoints or members and a "
                        "prometheus_selector: a cluster is scraped or read through "
                        "Prometheus, not both", idx, c->name);
    if (!c->own->prometheus_selector && c->own->prometheus_url)
        return yf_error(y, line, CLUSTERS_KEY "[%d] (%s): prometheus without a "
                        "prometheus_selector", idx, c->name);
    return 0;
}

int yf_clusters(yfile_t *y)
{
    config_t *top = y->cfg;
    unsigned long line = yf_line(&y->ev);
    if (y->ev.type == YAML_SCALAR_EVENT && yf_is_null(&y->ev))
        return 0;
    if (y->ev.type != YAML_SEQUENCE_START_EVENT)
        return yf_error(y, line, CLUSTERS_KEY ": expected a list, found %s", yf_kind(&y->ev));
    if (!(top->clusters = calloc(CONFIG_MAX_CLUSTERS, sizeof *top->clusters)))
        return yf_error(y, line, "out of memory");
    for (;;) {
        if (yf_next(y))
            return -1;
        if (y->ev.type == YAML_SEQUENCE_END_EVENT)
            break;
        if (yf_cluster(y, top))
            return -1;
    }
    if (top->n_clusters == 0)
        return yf_error(y, line, CLUSTERS_KEY ": the list is empty");
    return 0;
}

int config_clusters_finalize(config_t *cfg, const config_cmd_t *cmd, char *err, size_t errlen)
{
    if (cfg->n_clusters == 0)
        return 0;
    const char *path = cfg->config_path ? cfg->config_path : "--config";
    const char *no = NULL;
    bool channels = false;
    for (int i = 0; i < cfg->alerts.n; i++)
        channels = channels || cfg->alerts.ch[i].type != CHAN_CONSOLE;
    if (cmd && (cmd->mask & (CMD_STATUS | CMD_SERVE | CMD_OPS))) {   /* replay polls nothing */
        snprintf(err, errlen, "%s: clusters: applies to `monitor` only (`%s` works on one "
                 "cluster: use a file without clusters:)", path, cmd->name);
        return -1;
    }
    if (cfg->endpoints_given)
        no = "endpoints (--endpoints, ENDPOINTS, ETCDCTL_ENDPOINTS, the endpoints key): "
             "each cluster names its own";
    else if (cfg->n_members > 0)
        no = "a top-level members: list: give each cluster its members";
    else if (cfg->n_metrics_endpoints > 0)
        no = "--metrics-endpoints: give each cluster its metrics_endpoints";
    else if (cfg->api.on)
        no = "the API server (--api-port, api:), not yet";
    else if (channels)
        no = "alert delivery channels (alerts:, --notify-webhook, --alertmanager), not yet";
    else if (cfg->ops.backup_dir || cfg->ops.bench_enabled || cfg->ops.run_benchmark)
        no = "scheduled backups and benchmarks, not yet";
    else if (cfg->log_file)
        no = "--log-file (one local log for which cluster?)";
    if (no) {
        snprintf(err, errlen, "%s: clusters: cannot be combined with %s", path, no);
        return -1;
    }
    for (int i = 0; i < cfg->n_clusters; i++) {
        const config_cluster_t *c = &cfg->clusters[i];
        if (c->own->prometheus_selector && !c->own->prometheus_url && !cfg->prometheus_url) {
            snprintf(err, errlen, "%s:%lu: clusters[%d] (%s): prometheus_selector needs a "
                     "Prometheus (its prometheus: URL, or --prometheus)", path, c->line, i,
                     c->name);
            return -1;
        }
    }
    for (int i = 0; i < cfg->n_clusters; i++)
        if (config_members_finalize(cfg->clusters[i].own)) {
            snprintf(err, errlen, "clusters: out of memory");
            return -1;
        }
    return 0;
}

void config_clusters_free(config_t *cfg)
{
    for (int i = 0; cfg->clusters && i < cfg->n_clusters; i++) {
        config_free(cfg->clusters[i].own);
        free(cfg->clusters[i].own);
    }
    free(cfg->clusters);
    cfg->clusters = NULL;
    cfg->n_clusters = 0;
}

/* Take the entry's value of a string setting when it gives one. */
#define OVERRIDE(field) do { if (own->field) view->field = own->field; } while (0)

void config_cluster_view(const config_t *top, int i, char *workdir, config_t *view)
{
    const config_t *own = top->clusters[i].own;
    *view = *top;
    memcpy(view->endpoints, own->endpoints, sizeof view->endpoints);
    view->n_endpoints = own->n_endpoints;
    view->endpoints_given = own->endpoints_given;
    memcpy(view->metrics_endpoints, own->metrics_endpoints, sizeof view->metrics_endpoints);
    view->n_metrics_endpoints = own->n_metrics_endpoints;
    memcpy(view->members, own->members, sizeof view->members);
    view->n_members = own->n_members;
    OVERRIDE(ca_file);
    OVERRIDE(cert_file);
    OVERRIDE(key_file);
    view->insecure_skip_verify = top->insecure_skip_verify || own->insecure_skip_verify;
    view->insecure_transport = top->insecure_transport || own->insecure_transport;
    if (own->user || own->password || own->password_file) {   /* auth is one setting */
        view->user = own->user;
        view->password = own->password;
        view->password_file = own->password_file;
    }
    OVERRIDE(ssh_target);
    OVERRIDE(ssh_key);
    OVERRIDE(ssh_known_hosts);
    view->ssh_accept_new = top->ssh_accept_new || own->ssh_accept_new;
    view->log_source = top->log_source || own->log_source;
    OVERRIDE(log_command);
    OVERRIDE(data_dir);
    /* Read through Prometheus only when the entry gives its selector (the URL
     * its own or the top level's); otherwise scraped, whatever --prometheus says. */
    view->prometheus_selector = own->prometheus_selector;
    view->prometheus_url = own->prometheus_selector
                               ? (own->prometheus_url ? own->prometheus_url : top->prometheus_url)
                               : NULL;
    view->workdir = workdir;
    view->ignored_keys = NULL;
    view->warnings = NULL;
    view->clusters = NULL;
    view->n_clusters = 0;
}
