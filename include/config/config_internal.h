/* config_internal.h — what options.c (the option table, argv, environment) and
 * config_file.c (the YAML file) share. Not part of the public contract. */
#ifndef EM_CONFIG_INTERNAL_H
#define EM_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"

typedef enum {
    OPT_NOARG,      /* a switch: --headless */
    OPT_VALUE,      /* takes one value: --interval 5 or --interval=5 */
    OPT_BLOCK       /* a config-file block: rules and members are read by config_file.c
                       through their "rules.NAME.*" / "members[].*" rows, the others
                       accepted whole, contents not read */
} option_kind_t;

enum {
    OPT_UNUSED  = 1u << 0,  /* file key accepted but not used yet: listed in ignored_keys */
    OPT_HELP    = 1u << 1,
    OPT_VERSION = 1u << 2,
    OPT_CONFIG  = 1u << 3,  /* --config: read before everything else */
    OPT_LIST    = 1u << 4   /* file key may also be a YAML sequence (endpoints) */
};

/* Setter results: SET_OK, or a reason in why. SET_HIDE asks the caller not to
 * echo the value (it may hold a credential). */
enum { SET_OK = 0, SET_BAD = -1, SET_HIDE = -2 };

/* Apply one value (NULL for a switch given as a flag) to cfg. On failure write
 * the reason, without the value, to why: e.g. "is out of range (1 to 300 seconds)". */
typedef int (*option_set_fn)(config_t *cfg, const char *value, char *why, size_t whylen);

/* One row of the option table: flag, environment, file key, default and help. */
typedef struct {
    const char   *flag;       /* long name without "--"; NULL for file-only keys */
    char          short_name; /* 'h' or 0 */
    option_kind_t kind;
    const char   *metavar;    /* "SECONDS" for usage and the man page */
    const char   *env[2];     /* environment variables, first set one wins */
    const char   *key;        /* config-file key, "alert_thresholds.x" nested; or NULL */
    const char   *def;        /* default, applied through set; NULL = none */
    const char   *help;
    option_set_fn set;
    unsigned      attrs;      /* OPT_* bits */
} option_t;

/* Config-file blocks whose keys are rows "block.key" (NULL-terminated). */
extern const char *const config_nested_blocks[];

/* The option table, in usage and man-page order. */
const option_t *config_options(size_t *n);
/* The row whose file key is key, or NULL. */
const option_t *config_option_by_key(const char *key);

/* --use-proxy-env (config_net.c). */
int config_set_use_proxy_env(config_t *cfg, const char *v, char *why, size_t whylen);

/* Validate one endpoint ("host:port", "http(s)://host:port", "[::1]:2379").
 * Returns SET_OK, or SET_BAD/SET_HIDE with the reason in why. */
int config_check_endpoint(const char *ep, char *why, size_t whylen);
/* Replace cfg's endpoints by items[0..n), taking ownership of the strings
 * (the caller sets endpoints_given). */
void config_endpoints_replace(config_t *cfg, char **items, int n);
/* Free the members: list's strings and empty it (n_members = 0). */
void config_members_free(config_t *cfg);

/* Apply value through opt->set; on failure write one line to err:
 * "[where: ]name: \"value\" reason" (the value left out when hide is set or
 * the setter asks for it). Returns 0 or -1. */
int config_apply(config_t *cfg, const option_t *opt, const char *where, const char *name,
                 const char *value, bool hide, char *err, size_t errlen);

/* Copy s into dst (size n) as a printable, quoted, length-capped string. */
void config_quote(char *dst, size_t n, const char *s);

/* Read the YAML file at path into cfg (over the defaults) and set
 * cfg->ignored_keys. Returns 0, or -1 with "path:line: ..." in err. */
int config_file_load(config_t *cfg, const char *path, char *err, size_t errlen);

#endif
