/* options_blocks.c — the setters of the config file's rules: and members:
 * rows ("rules.NAME.for", "members[].ssh.key_file"): config_file.c appends an
 * entry, then applies each of its keys through these. */
#include "config.h"
#include "config_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* The rules: entry being read: config_file.c appends it, then applies its
 * fields through the rules.NAME.* rows below. */
static config_rule_t *rule_current(config_t *cfg, char *why, size_t whylen)
{
    if (cfg->n_rule_overrides <= 0 || cfg->n_rule_overrides > CONFIG_MAX_RULE_OVERRIDES) {
        snprintf(why, whylen, "is only valid inside the rules: block");
        return NULL;
    }
    return &cfg->rule_overrides[cfg->n_rule_overrides - 1];
}

/* rules.NAME.for: how long the condition must hold, 0 to 24h, bare = seconds. */
int option_set_rule_for(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_rule_t *r = rule_current(cfg, why, whylen);
    if (!r || option_duration_in_range(v, 1000, 0, OPTION_DAY_MS, "0 to 24h", &r->for_ms,
                                       why, whylen))
        return SET_BAD;
    r->has_for = true;
    return SET_OK;
}

/* rules.NAME.threshold: a plain decimal, 0 or more, in the rule's unit. */
int option_set_rule_threshold(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_rule_t *r = rule_current(cfg, why, whylen);
    if (!r || option_number_in_range(v, 0, false, 1e12, "0 or more", &r->threshold, why, whylen))
        return SET_BAD;
    r->has_threshold = true;
    return SET_OK;
}

/* rules.NAME.enabled: true or false. */
int option_set_rule_enabled(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_rule_t *r = rule_current(cfg, why, whylen);
    if (!r || option_parse_bool(v, &r->enabled, why, whylen))
        return SET_BAD;
    r->has_enabled = true;
    return SET_OK;
}

/* rules.NAME.warning: the warning level's threshold, 0 or more, in the rule's unit. */
int option_set_rule_warning(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_rule_t *r = rule_current(cfg, why, whylen);
    if (!r || option_number_in_range(v, 0, false, 1e12, "0 or more", &r->warning, why, whylen))
        return SET_BAD;
    r->has_warning = true;
    return SET_OK;
}

/* rules.NAME.critical: the critical level's threshold, likewise. */
int option_set_rule_critical(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_rule_t *r = rule_current(cfg, why, whylen);
    if (!r || option_number_in_range(v, 0, false, 1e12, "0 or more", &r->critical, why, whylen))
        return SET_BAD;
    r->has_critical = true;
    return SET_OK;
}

/* rules.NAME.min_observations: a whole number, 1 to 1000000. */
int option_set_rule_min_obs(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_rule_t *r = rule_current(cfg, why, whylen);
    uint64_t n = 0;
    if (!r)
        return SET_BAD;
    option_num_t st = option_parse_u64(v, &n);
    if (st == NUM_BAD) {
        snprintf(why, whylen, "is not a whole number");
        return SET_BAD;
    }
    if (st == NUM_RANGE || n < 1 || n > 1000000) {
        snprintf(why, whylen, "is out of range (1 to 1000000)");
        return SET_BAD;
    }
    r->min_obs = (int)n;
    r->has_min_obs = true;
    return SET_OK;
}

/* rules.NAME.keep_firing_for: 0 to 24h, bare = seconds. */
int option_set_rule_keep(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_rule_t *r = rule_current(cfg, why, whylen);
    if (!r || option_duration_in_range(v, 1000, 0, OPTION_DAY_MS, "0 to 24h", &r->keep_ms,
                                       why, whylen))
        return SET_BAD;
    r->has_keep = true;
    return SET_OK;
}

/* The members: entry being read: config_file.c appends it, then applies its
 * keys through the members[].* rows below. */
static config_member_t *member_current(config_t *cfg, char *why, size_t whylen)
{
    if (cfg->n_members <= 0 || cfg->n_members > CONFIG_MAX_ENDPOINTS) {
        snprintf(why, whylen, "is only valid inside the members: list");
        return NULL;
    }
    return &cfg->members[cfg->n_members - 1];
}

/* Store a URL of a members: entry, checked like an item of endpoints. */
static int member_url(char **field, const char *v, char *why, size_t whylen)
{
    char problem[128];
    int r = config_check_endpoint(v, problem, sizeof problem);
    if (r != SET_OK) {
        snprintf(why, whylen, "is not a valid endpoint: %s", problem);
        return r;
    }
    return option_store_string(field, v, why, whylen);
}

/* Store an SSH target of a members: entry, checked like --ssh. */
static int member_ssh(char **field, const char *v, char *why, size_t whylen)
{
    if (option_check_ssh_target(v, why, whylen) != SET_OK)
        return SET_BAD;
    return option_store_string(field, v, why, whylen);
}

typedef int (*member_store_fn)(char **field, const char *v, char *why, size_t whylen);

/* Store v through store in the string field at offset off of the current
 * members: entry. */
static int member_field(config_t *cfg, size_t off, member_store_fn store, const char *v,
                        char *why, size_t whylen)
{
    config_member_t *m = member_current(cfg, why, whylen);
    return m ? store((char **)(void *)((char *)m + off), v, why, whylen) : SET_BAD;
}

/* members[].endpoint: required; no two entries with the same host:port. */
int option_set_member_endpoint(config_t *cfg, const char *v, char *why, size_t whylen)
{
    int r = member_field(cfg, offsetof(config_member_t, endpoint), member_url, v, why, whylen);
    const config_member_t *same = r == SET_OK ? config_member_for(cfg, v) : NULL;
    if (same && same != &cfg->members[cfg->n_members - 1]) {
        snprintf(why, whylen, "has the same host:port as members[%d]",
                 (int)(same - cfg->members));
        return SET_BAD;
    }
    return r;
}

/* Define setter name of a members[] row: the value goes to field f through store. */
#define MEMBER_SETTER(name, f, store)                                                  \
    int name(config_t *cfg, const char *v, char *why, size_t whylen)                   \
    {                                                                                  \
        return member_field(cfg, offsetof(config_member_t, f), store, v, why, whylen); \
    }
MEMBER_SETTER(option_set_member_metrics, metrics_endpoint, member_url)
MEMBER_SETTER(option_set_member_ssh, ssh_target, member_ssh)          /* ssh: or ssh.host */
MEMBER_SETTER(option_set_member_ssh_key, ssh_key, option_store_readable)
MEMBER_SETTER(option_set_member_known_hosts, ssh_known_hosts, option_store_string)
MEMBER_SETTER(option_set_member_log_command, log_command, option_store_string)
MEMBER_SETTER(option_set_member_data_dir, data_dir, option_store_string)
#undef MEMBER_SETTER

/* members[].ssh.accept_new: true or false. */
int option_set_member_accept_new(config_t *cfg, const char *v, char *why, size_t whylen)
{
    config_member_t *m = member_current(cfg, why, whylen);
    bool b = false;
    if (!m || option_parse_bool(v, &b, why, whylen) != SET_OK)
        return SET_BAD;
    m->ssh_accept_new = b;
    return SET_OK;
}
