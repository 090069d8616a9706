/* fuzz_config.c — libFuzzer target: the YAML config file loader
 * (config_file.c through config_load, as `--config FILE` runs it) on
 * arbitrary bytes.
 *
 * The loader reads a path, so each input is written to one temporary file,
 * unlinked at once and named through /proc/self/fd (nothing is left behind,
 * even after a crash). The environment is cleared so that only the file
 * counts. Checks beyond "no crash": an error is one non-empty line, and an
 * accepted file gives a configuration within the documented bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int file_fd = -1;
static char file_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/fuzz_config.XXXXXX", dir && *dir ? dir : "/tmp");
    file_fd = mkstemp(tmpl);
    if (file_fd < 0) {
        perror("fuzz_config: mkstemp");
        abort();
    }
    unlink(tmpl);
    snprintf(file_path, sizeof file_path, "/proc/self/fd/%d", file_fd);
    clearenv();
    return 0;
}

static void check_config(const config_t *c)
{
    if (c->n_endpoints < 1 || c->n_endpoints > CONFIG_MAX_ENDPOINTS ||
        c->n_members < 0 || c->n_members > CONFIG_MAX_ENDPOINTS ||
        c->n_rule_overrides < 0 || c->n_rule_overrides > CONFIG_MAX_RULE_OVERRIDES ||
        c->n_windows < 1 || c->n_windows > FIG_MAX_WINDOWS)
        abort();
    for (int i = 0; i < c->n_endpoints; i++)
        if (c->endpoints[i] == NULL || c->endpoints[i][0] == '\0')
            abort();
    for (int i = 0; i < c->n_members; i++)
        if (c->members[i].endpoint == NULL)
            abort();
    for (int i = 1; i < c->n_windows; i++)
        if (!(c->window_ms[i - 1] < c->window_ms[i]))
            abort();
    for (int i = 0; i < c->n_rule_overrides; i++)
        if (memchr(c->rule_overrides[i].rule, '\0', sizeof c->rule_overrides[i].rule) == NULL)
            abort();
    if (c->interval_ms < 1000 || c->interval_ms > 300 * 1000)
        abort();
    /* clusters: each named (a directory-safe name), with endpoints of its own */
    if (c->n_clusters < 0 || c->n_clusters > CONFIG_MAX_CLUSTERS ||
        (c->n_clusters && c->endpoints_given))
        abort();
    for (int i = 0; i < c->n_clusters; i++) {
        const config_cluster_t *k = &c->clusters[i];
        if (!k->name[0] || k->name[0] == '.' || strchr(k->name, '/') || !k->own ||
            k->own->n_endpoints < 1 || k->own->n_endpoints > CONFIG_MAX_ENDPOINTS)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ftruncate(file_fd, 0) != 0 || pwrite(file_fd, data, size, 0) != (ssize_t)size)
        abort();
    char *argv[] = { "etcd-monitor", "--config", file_path, NULL };
    config_t cfg;
    char err[512];
    memset(err, 0x5A, sizeof err);
    config_result_t r = config_load(&cfg, NULL, 3, argv, err, sizeof err);
    if (r == CONFIG_OK) {
        check_config(&cfg);
        config_free(&cfg);
    } else if (r == CONFIG_ERROR) {
        const char *nul = memchr(err, '\0', sizeof err);
        if (nul == NULL || nul == err || memchr(err, '\n', (size_t)(nul - err)) != NULL)
            abort();
    } else {
        abort();     /* no --help or --version in the file */
    }
    return 0;
}
