/* test_clusters.c — the config file's clusters: list (config_clusters.c):
 * valid entries and each cluster's view, bad names, duplicates, entries
 * without endpoints, keys that are not per cluster, combinations refused;
 * every error names the file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "etcd_monitor.h"
#include "testutil.h"

/* Load text as --config (plus extra flags, NULL-terminated) for cmd (NULL =
 * every command); the file's path in err becomes "F". */
static config_result_t load_for(config_t *cfg, const config_cmd_t *cmd, const char *text,
                                const char *extra, char *err, size_t errlen)
{
    char path[] = "/tmp/em-clusters-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char *argv[] = { (char *)"etcd-monitor", (char *)"--config", path, (char *)extra, NULL };
    config_result_t r = config_load(cfg, cmd, extra ? 4 : 3, argv, err, errlen);
    size_t pl = strlen(path);
    if (strncmp(err, path, pl) == 0) {
        err[0] = 'F';
        memmove(err + 1, err + pl, strlen(err + pl) + 1);
    }
    unlink(path);
    return r;
}

static void text_err(const char *text, const char *extra, const char *want)
{
    static const config_cmd_t monitor = { "monitor", CMD_MONITOR };
    config_t cfg;
    char err[512] = "";
    config_result_t r = load_for(&cfg, &monitor, text, extra, err, sizeof err);
    if (r != CONFIG_ERROR)
        fail_msg("expected \"%s\", got result %d", want, (int)r);
    assert_string_equal(err, want);
    config_free(&cfg);
}

static const char two_clusters[] =
    "interval: 2\n"
    "tls:\n  ca_file: /dev/null\n"
    "auth:\n  user: top\n  password: toppw\n"
    "clusters:\n"
    "  - name: prod-eu.1\n"
    "    endpoints: [https://10.0.0.1:2379, https://10.0.0.2:2379]\n"
    "    auth:\n      user: eu\n"
    "    ssh:\n      host: core@bastion-eu\n"
    "  - name: staging_2\n"
    "    members:\n"
    "      - endpoint: 10.1.0.1:2379\n"
    "        metrics_endpoint: http://10.1.0.1:2381\n"
    "      - endpoint: 10.1.0.2:2379\n"
    "    tls: {cert_file: /dev/null, key_file: /dev/null}\n";

static void test_clusters_valid(void **state)
{
    (void)state;
    config_t c;
    char err[512] = "";
    if (load_for(&c, NULL, two_clusters, NULL, err, sizeof err) != CONFIG_OK)
        fail_msg("%s", err);
    assert_int_equal(c.n_clusters, 2);
    assert_string_equal(c.clusters[0].name, "prod-eu.1");
    assert_int_equal(c.clusters[0].line, 8);
    assert_string_equal(c.clusters[1].name, "staging_2");
    assert_int_equal(c.clusters[1].line, 14);
    /* The top level keeps its defaults' endpoint, not given. */
    assert_false(c.endpoints_given);

    config_t v;
    char dir[] = "/w/prod-eu.1";
    config_cluster_view(&c, 0, dir, &v);
    assert_int_equal(v.n_endpoints, 2);
    assert_string_equal(v.endpoints[1], "https://10.0.0.2:2379");
    assert_int_equal(v.interval_ms, 2000);                 /* the top level's */
    assert_string_equal(v.ca_file, "/dev/null");            /* inherited */
    assert_string_equal(v.user, "eu");                      /* auth is one setting: */
    assert_null(v.password);                                /* not the top's password */
    assert_string_equal(v.ssh_target, "core@bastion-eu");
    assert_string_equal(v.workdir, dir);
    assert_int_equal(v.n_clusters, 0);

    config_cluster_view(&c, 1, dir, &v);
    assert_int_equal(v.n_endpoints, 2);                     /* the members' endpoints */
    assert_string_equal(v.endpoints[0], "10.1.0.1:2379");
    assert_string_equal(v.metrics_endpoints[0], "http://10.1.0.1:2381");
    assert_int_equal(v.n_members, 2);
    assert_string_equal(v.cert_file, "/dev/null");
    assert_string_equal(v.user, "top");
    assert_string_equal(v.password, "toppw");
    assert_null(v.ssh_target);
    config_free(&c);
    assert_null(c.clusters);
}

/* A cluster read through Prometheus: its selector, its URL or the top level's;
 * a scraped cluster beside it is scraped whatever --prometheus says. */
static void test_clusters_prometheus(void **state)
{
    (void)state;
    static const char text[] =
        "clusters:\n"
        "  - name: fleet-a\n"
        "    prometheus_selector: '{job=\"etcd-a\"}'\n"
        "  - name: fleet-b\n"
        "    prometheus: http://127.0.0.2:9090\n"
        "    prometheus_selector: '{job=\"etcd-b\"}'\n"
        "  - name: direct\n"
        "    endpoints: 10.0.0.1:2379\n";
    config_t c, v;
    char err[512] = "", dir[] = "/w/x";
    if (load_for(&c, NULL, text, "--prometheus=http://127.0.0.1:9090", err, sizeof err) !=
        CONFIG_OK)
        fail_msg("%s", err);
    assert_int_equal(c.n_clusters, 3);
    config_cluster_view(&c, 0, dir, &v);
    assert_string_equal(v.prometheus_url, "http://127.0.0.1:9090");
    assert_string_equal(v.prometheus_selector, "{job=\"etcd-a\"}");
    config_cluster_view(&c, 1, dir, &v);
    assert_string_equal(v.prometheus_url, "http://127.0.0.2:9090");
    assert_string_equal(v.prometheus_selector, "{job=\"etcd-b\"}");
    config_cluster_view(&c, 2, dir, &v);
    assert_null(v.prometheus_url);
    assert_null(v.prometheus_selector);
    assert_int_equal(v.n_endpoints, 1);
    config_free(&c);
}

static void test_clusters_bad(void **state)
{
    (void)state;
    static const struct { const char *text, *extra, *want; } cases[] = {
        { "clusters: x\n", NULL, "F:1: clusters: expected a list, found a value" },
        { "clusters: []\n", NULL, "F:1: clusters: the list is empty" },
        { "clusters:\n  - a\n", NULL, "F:2: clusters[0]: expected a mapping, found a value" },
        { "clusters:\n  - endpoints: a:1\n", NULL, "F:2: clusters[0]: no name" },
        { "clusters:\n  - name: a\n    endpoints: a:1\n  - name: b\n", NULL,
          "F:4: clusters[1] (b): no endpoints (give endpoints or members, or a prometheus_selector)" },
        { "clusters:\n  - name: a\n    tls: {ca_file: /dev/null}\n", NULL,
          "F:2: clusters[0] (a): no endpoints (give endpoints or members, or a prometheus_selector)" },
        { "clusters:\n  - name: a\n    endpoints: a:1\n  - name: b\n    endpoints: b:1\n"
          "  - name: A\n    endpoints: c:1\n", NULL,
          "F:6: clusters[2].name: \"A\" is taken by clusters[0] (line 2; names are compared "
          "ignoring case)" },
        { "clusters:\n  - name: a\n    name: b\n", NULL,
          "F:3: clusters[0]: duplicate key \"name\"" },
        { "clusters:\n  - name: ../etc\n", NULL,
          "F:2: clusters[0].name: \"../etc\" is not a valid name (1 to 63 of A-Z a-z 0-9 . _ -, "
          "not starting with . or -: it names the cluster's workspace directory)" },
        { "clusters:\n  - name: .hidden\n", NULL,
          "F:2: clusters[0].name: \".hidden\" is not a valid name (1 to 63 of A-Z a-z 0-9 . _ "
          "-, not starting with . or -: it names the cluster's workspace directory)" },
        { "clusters:\n  - name: \"a b\"\n", NULL,
          "F:2: clusters[0].name: \"a b\" is not a valid name (1 to 63 of A-Z a-z 0-9 . _ -, "
          "not starting with . or -: it names the cluster's workspace directory)" },
        { "clusters:\n  - name: \"\"\n", NULL,
          "F:2: clusters[0].name: \"\" is not a valid name (1 to 63 of A-Z a-z 0-9 . _ -, "
          "not starting with . or -: it names the cluster's workspace directory)" },
        { "clusters:\n  - name: ~\n", NULL,
          "F:2: clusters[0].name: expected a name, found nothing" },
        { "clusters:\n  - name: [a]\n", NULL,
          "F:2: clusters[0].name: expected a name, found a list" },
        { "clusters:\n  - name: a\n    interval: 5\n", NULL,
          "F:3: clusters[0]: \"interval\" is not a per-cluster key (every cluster takes the "
          "top level's; a cluster has endpoints, metrics_endpoints, members, tls, auth, ssh, "
          "prometheus, prometheus_selector)" },
        { "clusters:\n  - name: a\n    colour: red\n", NULL,
          "F:3: clusters[0]: unknown key \"colour\"" },
        /* read through Prometheus: a selector instead of endpoints, a URL somewhere */
        { "clusters:\n  - name: a\n    endpoints: a:1\n    prometheus_selector: '{job=\"a\"}'\n",
          NULL, "F:2: clusters[0] (a): endpoints or members and a prometheus_selector: a "
          "cluster is scraped or read through Prometheus, not both" },
        { "clusters:\n  - name: a\n    endpoints: a:1\n    prometheus: http://127.0.0.1:9090\n",
          NULL, "F:2: clusters[0] (a): prometheus without a prometheus_selector" },
        { "clusters:\n  - name: a\n    prometheus_selector: '{job=\"a\"}'\n", NULL,
          "F:2: clusters[0] (a): prometheus_selector needs a Prometheus (its prometheus: URL, "
          "or --prometheus)" },

        /* the shared block code, with its lines, inside an entry */
        { "clusters:\n  - name: a\n    endpoints:\n      - a:1\n      - ftp://b:1\n", NULL,
          "F:5: endpoints: \"ftp://b:1\" is not a valid endpoint: unsupported scheme "
          "(use http:// or https://)" },
        { "clusters:\n  - name: a\n    endpoints: a:1\n    tls:\n      ca_file: /nonexistent\n",
          NULL, "F:5: tls.ca_file: \"/nonexistent\" cannot be read: No such file or directory" },
        { "clusters:\n  - name: a\n    endpoints: a:1\n    tls: {}\n    tls: {}\n", NULL,
          "F:5: duplicate key \"tls\"" },
        { "clusters:\n  - name: a\n    members:\n      - endpoint: a:1\n        port: 1\n", NULL,
          "F:5: members[0]: unknown key \"port\"" },
        /* refused combinations */
        { "clusters:\n  - name: a\n    endpoints: a:1\n", "--endpoints=b:1",
          "F: clusters: cannot be combined with endpoints (--endpoints, ENDPOINTS, "
          "ETCDCTL_ENDPOINTS, the endpoints key): each cluster names its own" },
        { "endpoints: b:1\nclusters:\n  - name: a\n    endpoints: a:1\n", NULL,
          "F: clusters: cannot be combined with endpoints (--endpoints, ENDPOINTS, "
          "ETCDCTL_ENDPOINTS, the endpoints key): each cluster names its own" },
        { "clusters:\n  - name: a\n    endpoints: a:1\n", "--api-port=0",
          "F: clusters: cannot be combined with the API server (--api-port, api:), not yet" },
        { "clusters:\n  - name: a\n    endpoints: a:1\n",
          "--notify-webhook=http://127.0.0.1:9/x",
          "F: clusters: cannot be combined with alert delivery channels (alerts:, "
          "--notify-webhook, --alertmanager), not yet" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        text_err(cases[i].text, cases[i].extra, cases[i].want);

    /* Another command than monitor refuses the file. */
    static const config_cmd_t status = { "status", CMD_STATUS };
    config_t c;
    char err[512] = "";
    assert_int_equal(load_for(&c, &status, "clusters:\n  - name: a\n    endpoints: a:1\n", NULL,
                              err, sizeof err), CONFIG_ERROR);
    assert_string_equal(err, "F: clusters: applies to `monitor` only (`status` works on one "
                        "cluster: use a file without clusters:)");
    /* replay polls nothing: it takes the file (its theme), clusters and all */
    static const config_cmd_t replay = { "replay", CMD_REPLAY };
    assert_int_equal(load_for(&c, &replay, "clusters:\n  - name: a\n    endpoints: a:1\n", NULL,
                              err, sizeof err), CONFIG_OK);
    config_free(&c);

    /* At most CONFIG_MAX_CLUSTERS. */
    char text[CONFIG_MAX_CLUSTERS * 48 + 32] = "clusters:\n", want[96];
    for (int i = 0; i <= CONFIG_MAX_CLUSTERS; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "  - {name: c%d, endpoints: a:1}\n", i);
    snprintf(want, sizeof want, "F:%d: clusters: more than %d clusters",
             CONFIG_MAX_CLUSTERS + 2, CONFIG_MAX_CLUSTERS);
    text_err(text, NULL, want);
}

/* The library's monitor is one cluster: a file with clusters: is refused. */
static void test_clusters_library(void **state)
{
    (void)state;
    char path[] = "/tmp/em-clusters-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] = "clusters:\n  - name: a\n    endpoints: a:1\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char *argv[] = { (char *)"prog", (char *)"--config", path, NULL };
    char err[512] = "", want[600];
    assert_null(em_open(3, argv, err, sizeof err));
    snprintf(want, sizeof want, "%s: clusters: is not for the library: open one monitor per "
             "cluster", path);
    assert_string_equal(err, want);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clusters_valid),
        cmocka_unit_test(test_clusters_prometheus),
        cmocka_unit_test(test_clusters_bad),
        cmocka_unit_test(test_clusters_library),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
