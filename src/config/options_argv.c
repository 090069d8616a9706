/* options_argv.c — config_load(): defaults, the config file, the environment
 * and argv applied through the option table, in that order of precedence
 * (defaults < config file < environment < flags), each flag checked against
 * the command it is given to; error lines; config_free(). */
#include "config.h"
#include "config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors -------------------------------------------------------------- */

void config_quote(char *dst, size_t n, const char *s)
{
    enum { MAX_SHOWN = 60 };
    size_t o = 0, shown = 0;
    if (n == 0)
        return;
#define PUT(c) do { if (o + 1 < n) dst[o++] = (c); } while (0)
    PUT('"');
    for (; *s && shown < MAX_SHOWN; s++, shown++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            PUT('\\');
            PUT((char)c);
        } else if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            PUT('\\'); PUT('x'); PUT(hex[c >> 4]); PUT(hex[c & 15]);
        } else {
            PUT((char)c);
        }
    }
    PUT('"');
    if (*s) { PUT('.'); PUT('.'); PUT('.'); }
#undef PUT
    dst[o] = '\0';
}

int config_apply(config_t *cfg, const option_t *opt, const char *where, const char *name,
                 const char *value, bool hide, char *err, size_t errlen)
{
    char why[256] = "", shown[256];
    int r = opt->set(cfg, value, why, sizeof why);
    if (r == SET_OK)
        return 0;
    if (!why[0])
        snprintf(why, sizeof why, "is not valid");
    if (hide || r == SET_HIDE || !value)
        snprintf(shown, sizeof shown, "the value");
    else
        config_quote(shown, sizeof shown, value);
    snprintf(err, errlen, "%s%s%s: %s %s", where ? where : "", where ? ": " : "", name,
             shown, why);
    return -1;
}

/* ---- argv ---------------------------------------------------------------- */

/* Decode the option at argv[*i] (and its value, maybe argv[*i + 1]), moving *i
 * past it. Returns 1 with *opt and *value set, 0 at the end, -1 with err set.
 * With rest (a command taking arguments: *rest false at the start) an argument
 * that is not an option, and every one after "--", gives 2 with *value = it. */
static int args_next(int argc, char **argv, int *i, const option_t **opt,
                     const char **value, bool *rest, char *err, size_t errlen)
{
    char shown[128];
    size_t n;
    const option_t *tab = config_options(&n);

    if (*i >= argc)
        return 0;
    const char *arg = argv[*i];
    if (rest && !*rest && strcmp(arg, "--") == 0) {
        *rest = true;                  /* everything after "--" is an argument */
        if (++*i >= argc)
            return 0;
        arg = argv[*i];
    }
    if (rest && (*rest || arg[0] != '-' || arg[1] == '\0')) {
        (*i)++;
        *opt = NULL;
        *value = arg;
        return 2;
    }
    if (strcmp(arg, "--") == 0) {
        if (*i + 1 >= argc)
            return 0;
        config_quote(shown, sizeof shown, argv[*i + 1]);
        snprintf(err, errlen, "unexpected argument %s (see --help)", shown);
        return -1;
    }
    *opt = NULL;
    *value = NULL;
    const char *eq = NULL;
    if (arg[0] == '-' && arg[1] == '-') {
        const char *name = arg + 2;
        eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (size_t k = 0; k < n; k++)
            if (tab[k].flag && strlen(tab[k].flag) == len &&
                strncmp(tab[k].flag, name, len) == 0)
                *opt = &tab[k];
        if (!*opt) {
            char flag[96];
            snprintf(flag, sizeof flag, "%.*s", (int)(len < 80 ? len + 2 : 82), arg);
            config_quote(shown, sizeof shown, flag);
            shown[strlen(shown) - 1] = '\0';   /* print it bare: --intervall */
            snprintf(err, errlen, "unknown option %s (see --help)", shown + 1);
            return -1;
        }
    } else if (arg[0] == '-' && arg[1] != '\0') {
        for (size_t k = 0; k < n; k++)
            if (tab[k].short_name && arg[1] == tab[k].short_name && arg[2] == '\0')
                *opt = &tab[k];
        if (!*opt) {
            config_quote(shown, sizeof shown, arg);
            shown[strlen(shown) - 1] = '\0';
            snprintf(err, errlen, "unknown option %s (see --help)", shown + 1);
            return -1;
        }
    } else {
        config_quote(shown, sizeof shown, arg);
        snprintf(err, errlen, "unexpected argument %s (see --help)", shown);
        return -1;
    }
    (*i)++;

    if ((*opt)->kind == OPT_NOARG) {
        if (eq) {
            config_quote(shown, sizeof shown, eq + 1);
            snprintf(err, errlen, "--%s: %s is not accepted (the option takes no value)",
                     (*opt)->flag, shown);
            return -1;
        }
        return 1;
    }
    if (eq) {
        *value = eq + 1;
    } else if (*i < argc && !(argv[*i][0] == '-' && argv[*i][1] == '-' && argv[*i][2])) {
        *value = argv[(*i)++];
    } else {
        snprintf(err, errlen, "--%s: missing value", (*opt)->flag);
        return -1;
    }
    if (**value == '\0') {
        snprintf(err, errlen, "--%s: missing value", (*opt)->flag);
        return -1;
    }
    return 1;
}

/* ---- config_load / config_free ------------------------------------------- */

/* Apply every row's default through its setter: the table is the one source. */
static int apply_defaults(config_t *cfg, char *err, size_t errlen)
{
    size_t n;
    const option_t *tab = config_options(&n);
    for (size_t k = 0; k < n; k++) {
        if (!tab[k].def || !tab[k].set)
            continue;
        char name[96];
        snprintf(name, sizeof name, "internal error: default of %s",
                 tab[k].flag ? tab[k].flag : tab[k].key);
        if (config_apply(cfg, &tab[k], NULL, name, tab[k].def, false, err, errlen))
            return -1;
    }
    cfg->endpoints_given = false;      /* the default endpoint is not "given" */
    return 0;
}

/* Environment variables: for each row the first non-empty variable wins. */
static int apply_env(config_t *cfg, char *err, size_t errlen)
{
    size_t n;
    const option_t *tab = config_options(&n);
    for (size_t k = 0; k < n; k++) {
        for (int e = 0; e < 2 && tab[k].env[e]; e++) {
            const char *v = getenv(tab[k].env[e]);
            if (!v || *v == '\0')
                continue;
            if (config_apply(cfg, &tab[k], NULL, tab[k].env[e], v, false, err, errlen))
                return -1;
            break;
        }
    }
    return 0;
}

/* Replace cfg's endpoints by copies of the members: entries' endpoints, in file order. */
static int members_endpoints(config_t *cfg)
{
    char *items[CONFIG_MAX_ENDPOINTS];
    for (int i = 0; i < cfg->n_members; i++) {
        if (!(items[i] = strdup(cfg->members[i].endpoint))) {
            while (i > 0)
                free(items[--i]);
            return -1;
        }
    }
    config_endpoints_replace(cfg, items, cfg->n_members);
    return 0;
}

/* After the flags: poll the members: entries' endpoints when no endpoints were
 * given, and give each endpoint without a metrics URL at its position (from
 * --metrics-endpoints) its entry's metrics_endpoint, leaving NULL in between.
 * Returns 0, or -1 when out of memory. */
int config_members_finalize(config_t *cfg)
{
    if (!cfg->endpoints_given && cfg->n_members > 0 && members_endpoints(cfg))
        return -1;
    for (int i = 0; i < cfg->n_endpoints; i++) {
        const config_member_t *m = config_member_for(cfg, cfg->endpoints[i]);
        if (!m || !m->metrics_endpoint ||
            (i < cfg->n_metrics_endpoints && cfg->metrics_endpoints[i]))
            continue;
        if (!(cfg->metrics_endpoints[i] = strdup(m->metrics_endpoint)))
            return -1;
        if (cfg->n_metrics_endpoints <= i)
            cfg->n_metrics_endpoints = i + 1;
    }
    return 0;
}

/* The flag at arg as written, without any "=value" ("--theme", "-w"), for a
 * message; cmd's name says where it does not apply. */
static void not_for_command(const char *arg, const config_cmd_t *cmd, char *err, size_t errlen)
{
    char shown[128];
    config_quote(shown, sizeof shown, arg);
    shown[strcspn(shown, "=")] = '\0';
    if (shown[strlen(shown) - 1] == '"')
        shown[strlen(shown) - 1] = '\0';
    snprintf(err, errlen, "%s does not apply to `%s` (see etcd-monitor help %s)", shown + 1,
             cmd->name, cmd->name);
}

config_result_t config_load(config_t *cfg, const config_cmd_t *cmd, int argc, char **argv,
                            char *err, size_t errlen)
{
    char scratch[512];
    const char *config_path = NULL;
    const option_t *opt;
    const char *value;
    int i, r;

    if (!err || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    err[0] = '\0';
    memset(cfg, 0, sizeof *cfg);
    if (apply_defaults(cfg, err, errlen))
        goto fail;

    /* Pass 1: syntax of every argument, and whether it applies to the
     * command; --help, --version and --config. */
    bool takes_args = cmd && (cmd->mask & CMD_WITH_ARGS), rest = false;
    for (i = 1;;) {
        const char *arg = i < argc ? argv[i] : NULL;
        if ((r = args_next(argc, argv, &i, &opt, &value, takes_args ? &rest : NULL, err,
                           errlen)) == 0)
            break;
        if (r < 0)
            goto fail;
        if (r == 2) {
            if (cfg->n_args >= CONFIG_MAX_ARGS) {
                snprintf(err, errlen, "too many arguments (see etcd-monitor help %s)", cmd->name);
                goto fail;
            }
            cfg->args[cfg->n_args++] = value;
            continue;
        }
        if (cmd && !(opt->cmds & cmd->mask)) {
            not_for_command(arg, cmd, err, errlen);
            goto fail;
        }
        if (opt->attrs & (OPT_HELP | OPT_VERSION)) {
            if (opt->attrs & OPT_VERSION)
                printf("etcd-monitor %s\n", EM_VERSION);
            config_free(cfg);
            return opt->attrs & OPT_HELP ? CONFIG_HELP : CONFIG_EXIT;
        }
        if (opt->attrs & OPT_CONFIG)
            config_path = value;
    }
    if (config_path) {
        if (option_set_config(cfg, config_path, err, errlen) ||
            config_file_load(cfg, config_path, err, errlen))
            goto fail;
    }
    if (apply_env(cfg, err, errlen))
        goto fail;

    /* Pass 2: the flags' values, in order, so later repeats win. */
    rest = false;
    for (i = 1; (r = args_next(argc, argv, &i, &opt, &value, takes_args ? &rest : NULL, err,
                               errlen)) > 0;) {
        char name[64];
        if (r == 2)
            continue;                  /* arguments were taken in pass 1 */
        if (opt->attrs & OPT_CONFIG)
            continue;
        snprintf(name, sizeof name, "--%s", opt->flag);
        if (config_apply(cfg, opt, NULL, name, value, false, err, errlen))
            goto fail;
    }
    if (r < 0)
        goto fail;
    if (config_members_finalize(cfg)) {
        snprintf(err, errlen, "members: out of memory");
        goto fail;
    }
    if (config_clusters_finalize(cfg, cmd, err, errlen))
        goto fail;
    return CONFIG_OK;

fail:
    config_free(cfg);
    return CONFIG_ERROR;
}

void config_members_free(config_t *cfg)
{
    for (int i = 0; i < cfg->n_members && i < CONFIG_MAX_ENDPOINTS; i++) {
        config_member_t *m = &cfg->members[i];
        free(m->endpoint);
        free(m->metrics_endpoint);
        free(m->ssh_target);
        free(m->ssh_key);
        free(m->ssh_known_hosts);
        free(m->log_command);
        free(m->data_dir);
        memset(m, 0, sizeof *m);
    }
    cfg->n_members = 0;
}

/* Free everything cfg owns and leave it zeroed (calling it twice is harmless). */
void config_forget_password(config_t *cfg)
{
    if (!cfg->password)
        return;
    explicit_bzero(cfg->password, strlen(cfg->password));
    free(cfg->password);
    cfg->password = NULL;
}

void config_free(config_t *cfg)
{
    if (!cfg)
        return;
    config_members_free(cfg);
    config_clusters_free(cfg);
    for (int i = 0; i < cfg->n_endpoints && i < CONFIG_MAX_ENDPOINTS; i++)
        free(cfg->endpoints[i]);
    free(cfg->config_path);
    free(cfg->workdir);
    free(cfg->ignored_keys);
    free(cfg->probe_prefix);
    free(cfg->prometheus_url);
    free(cfg->prometheus_selector);
    free(cfg->theme);
    free(cfg->ca_file);
    free(cfg->cert_file);
    free(cfg->key_file);
    for (int i = 0; i < cfg->n_metrics_endpoints && i < CONFIG_MAX_ENDPOINTS; i++)
        free(cfg->metrics_endpoints[i]);     /* NULL entries too */
    free(cfg->user);
    if (cfg->password)
        explicit_bzero(cfg->password, strlen(cfg->password));
    free(cfg->password);
    free(cfg->password_file);
    free(cfg->ssh_target);
    free(cfg->ssh_key);
    free(cfg->ssh_known_hosts);
    free(cfg->log_command);
    free(cfg->log_file);
    free(cfg->data_dir);
    free(cfg->warnings);
    free(cfg->ops.directory);
    free(cfg->ops.backup_dir);
    free(cfg->ops.dump_at);
    alerts_free(&cfg->alerts);
    api_config_free(&cfg->api);
    memset(cfg, 0, sizeof *cfg);
}
