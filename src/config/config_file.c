/* config_file.c — read the YAML config file (libyaml event API) into a config_t
 * through the option table's keys and setters. Errors are one line,
 * "path:line: ...", and never echo the value of a password/token/secret key. */
#include "config.h"
#include "config_internal.h"
#include "config_yaml.h"
#include "rules_internal.h"     /* rule names, for the rules: block */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define THRESHOLDS_KEY "alert_thresholds"
#define RULES_KEY "rules"
#define MEMBERS_KEY "members"
#define ALERTS_KEY "alerts"
#define CLUSTERS_KEY "clusters"
#define MEMBER_ROWS_MAX 16       /* more than the members[].* rows of the table */
#define LIST_MAX 1024            /* a YAML list joined with commas, as a flag takes it */
#define DEPTH_MAX 64             /* lists and mappings nested deeper are an error: no key
                                    needs it, and libyaml slows down with depth */


unsigned long yf_line(const yaml_event_t *ev)
{
    return (unsigned long)ev->start_mark.line + 1;
}

/* Write "path:line: <message>" to the error buffer; returns -1. */
int yf_error(yfile_t *y, unsigned long line, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(y->err, y->errlen, "%s:%lu: %s", y->path, line, msg);
    return -1;
}

/* Move to the next event; a YAML syntax error becomes "path:line: problem",
 * and so does nesting deeper than DEPTH_MAX. */
int yf_next(yfile_t *y)
{
    if (y->have_ev) {
        yaml_event_delete(&y->ev);
        y->have_ev = false;
    }
    if (yaml_parser_parse(&y->parser, &y->ev)) {
        y->have_ev = true;
        if (y->ev.type == YAML_SEQUENCE_START_EVENT || y->ev.type == YAML_MAPPING_START_EVENT) {
            if (++y->depth > DEPTH_MAX)
                return yf_error(y, yf_line(&y->ev),
                                "lists and mappings nested more than %d levels deep", DEPTH_MAX);
        } else if (y->ev.type == YAML_SEQUENCE_END_EVENT || y->ev.type == YAML_MAPPING_END_EVENT) {
            y->depth--;
        }
        return 0;
    }
    yaml_parser_t *p = &y->parser;
    unsigned long line = (unsigned long)(p->error == YAML_READER_ERROR ? p->mark.line
                                                                        : p->problem_mark.line) + 1;
    if (p->error == YAML_MEMORY_ERROR)
        return yf_error(y, line, "out of memory");
    if (p->context)
        return yf_error(y, line, "%s %s", p->problem ? p->problem : "invalid YAML", p->context);
    return yf_error(y, line, "%s", p->problem ? p->problem : "invalid YAML");
}

/* Skip the node that starts at the current event (a whole block for a collection). */
static int yf_skip(yfile_t *y)
{
    int depth = 0;
    for (;;) {
        switch (y->ev.type) {
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            depth++;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        default:
            break;
        }
        if (depth == 0)
            return 0;
        if (yf_next(y))
            return -1;
    }
}

bool yf_is_null(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* A key whose value must never be printed: its last part names a credential. */
static bool key_is_secret(const char *key)
{
    static const char *const words[] = { "password", "token", "secret" };
    const char *last = strrchr(key, '.');
    last = last ? last + 1 : key;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t wl = strlen(words[i]);
        for (const char *p = last; strlen(p) >= wl; p++)
            if (strncasecmp(p, words[i], wl) == 0)
                return true;
    }
    return false;
}

const char *yf_kind(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_MAPPING_START_EVENT: return "a mapping";
    case YAML_SEQUENCE_START_EVENT: return "a list";
    case YAML_ALIAS_EVENT: return "an alias";
    default: return "a value";
    }
}

/* The current event must be a non-null scalar without NUL bytes. */
static int yf_check_scalar(yfile_t *y, const char *key, const char *want)
{
    if (y->ev.type != YAML_SCALAR_EVENT)
        return yf_error(y, yf_line(&y->ev), "%s: expected %s, found %s", key, want,
                        yf_kind(&y->ev));
    if (yf_is_null(&y->ev))
        return yf_error(y, yf_line(&y->ev), "%s: missing value", key);
    if (strlen((const char *)y->ev.data.scalar.value) != y->ev.data.scalar.length)
        return yf_error(y, yf_line(&y->ev), "%s: the value contains a NUL byte", key);
    return 0;
}

/* Apply the current event, which must be a scalar (want names the expected
 * kind), as the value of key through opt; errors name key and the line. */
static int yf_apply_scalar(yfile_t *y, const option_t *opt, const char *key, const char *want,
                           bool hide)
{
    char where[512];
    if (yf_check_scalar(y, key, want))
        return -1;
    snprintf(where, sizeof where, "%s:%lu", y->path, yf_line(&y->ev));
    return config_apply(y->cfg, opt, where, key, (const char *)y->ev.data.scalar.value, hide,
                        y->err, y->errlen);
}

/* endpoints as a YAML list: each item checked, with its own line on error. */
static int yf_endpoint_list(yfile_t *y, const char *key)
{
    char *items[CONFIG_MAX_ENDPOINTS];
    int n = 0;
    unsigned long start = yf_line(&y->ev);

    for (;;) {
        if (yf_next(y))
            goto fail;
        if (y->ev.type == YAML_SEQUENCE_END_EVENT)
            break;
        if (yf_check_scalar(y, key, "an endpoint"))
            goto fail;
        const char *v = (const char *)y->ev.data.scalar.value;
        char problem[128], shown[96];
        int r = config_check_endpoint(v, problem, sizeof problem);
        if (r == SET_HIDE) {
            yf_error(y, yf_line(&y->ev), "%s: an endpoint has %s", key, problem);
            goto fail;
        }
        if (r != SET_OK) {
            config_quote(shown, sizeof shown, v);
            yf_error(y, yf_line(&y->ev), "%s: %s is not a valid endpoint: %s", key, shown,
                     problem);
            goto fail;
        }
        if (n == CONFIG_MAX_ENDPOINTS) {
            yf_error(y, yf_line(&y->ev), "%s: too many endpoints (at most %d)", key,
                     CONFIG_MAX_ENDPOINTS);
            goto fail;
        }
        if (!(items[n] = strdup(v))) {
            yf_error(y, yf_line(&y->ev), "out of memory");
            goto fail;
        }
        n++;
    }
    if (n == 0) {
        yf_error(y, start, "%s: the list is empty", key);
        goto fail;
    }
    config_endpoints_replace(y->cfg, items, n);
    y->cfg->endpoints_given = true;
    return 0;
fail:
    while (n > 0)
        free(items[--n]);
    return -1;
}

/* A list value other than endpoints (windows): each item is checked alone,
 * with its own line on error, then the items joined with commas are applied
 * as the flag would take them. */
static int yf_joined_list(yfile_t *y, const option_t *opt, const char *key)
{
    char joined[LIST_MAX] = "", where[512], start[512];
    size_t used = 0;

    snprintf(start, sizeof start, "%s:%lu", y->path, yf_line(&y->ev));
    for (;;) {
        if (yf_next(y))
            return -1;
        if (y->ev.type == YAML_SEQUENCE_END_EVENT)
            break;
        if (yf_check_scalar(y, key, "a single value"))
            return -1;
        const char *v = (const char *)y->ev.data.scalar.value;
        snprintf(where, sizeof where, "%s:%lu", y->path, yf_line(&y->ev));
        if (config_apply(y->cfg, opt, where, key, v, false, y->err, y->errlen))
            return -1;
        size_t len = strlen(v);
        if (used + len + 2 > sizeof joined)
            return yf_error(y, yf_line(&y->ev), "%s: the list is too long", key);
        used += (size_t)snprintf(joined + used, sizeof joined - used, "%s%s", used ? "," : "", v);
    }
    if (used == 0) {
        snprintf(y->err, y->errlen, "%s: %s: the list is empty", start, key);
        return -1;
    }
    return config_apply(y->cfg, opt, start, key, joined, false, y->err, y->errlen);
}

int yf_next_key(yfile_t *y, const char *what)
{
    if (yf_next(y))
        return -1;
    if (y->ev.type == YAML_MAPPING_END_EVENT)
        return 1;
    if (y->ev.type != YAML_SCALAR_EVENT)
        return yf_error(y, yf_line(&y->ev), "%skeys must be plain names, found %s", what,
                        yf_kind(&y->ev));
    return 0;
}

/* One field ("for: 30s") of the rules: entry just appended; the value is
 * applied through the option table's rules.NAME.<field> row. */
static int yf_rule_field(yfile_t *y, const char *rule, int idx)
{
    char field[128], key[256], row[160], shown[160];
    unsigned long line = yf_line(&y->ev);
    config_rule_t *r = &y->cfg->rule_overrides[y->cfg->n_rule_overrides - 1];

    if (y->ev.type != YAML_SCALAR_EVENT)
        return yf_error(y, line, "keys must be plain names, found %s", yf_kind(&y->ev));
    snprintf(field, sizeof field, "%s", (const char *)y->ev.data.scalar.value);
    snprintf(key, sizeof key, RULES_KEY ".%s.%s", rule, field);
    snprintf(row, sizeof row, RULES_KEY ".NAME.%s", field);
    const option_t *opt = strchr(field, '.') ? NULL : config_option_by_key(row);
    if (!opt) {
        config_quote(shown, sizeof shown, key);
        return yf_error(y, line, "unknown key %s", shown);
    }
    bool dup = (strcmp(field, "for") == 0 && r->has_for) ||
               (strcmp(field, "threshold") == 0 && r->has_threshold) ||
               (strcmp(field, "enabled") == 0 && r->has_enabled) ||
               (strcmp(field, "warning") == 0 && r->has_warning) ||
               (strcmp(field, "critical") == 0 && r->has_critical) ||
               (strcmp(field, "min_observations") == 0 && r->has_min_obs) ||
               (strcmp(field, "keep_firing_for") == 0 && r->has_keep);
    if (dup)
        return yf_error(y, line, "duplicate key \"%s\"", key);
    bool thr = strcmp(field, "threshold") == 0 || strcmp(field, "warning") == 0 ||
               strcmp(field, "critical") == 0;
    if (thr && !rules_builtin_adjustable(idx))
        return yf_error(y, line, "%s: %s has no threshold to override", key, rule);
    if (strcmp(field, "min_observations") == 0 && !rules_builtin_quantile(idx))
        return yf_error(y, line, "%s: %s judges no latency quantile", key, rule);
    if (yf_next(y))
        return -1;
    return yf_apply_scalar(y, opt, key, "a single value", false);
}

/* The rules: block: a mapping from built-in rule names to mappings of
 * for / threshold / warning / critical / min_observations / keep_firing_for /
 * enabled, stored in cfg->rule_overrides. */
static int yf_rules(yfile_t *y)
{
    char shown[128];
    if (y->ev.type == YAML_SCALAR_EVENT && yf_is_null(&y->ev))
        return 0;
    if (y->ev.type != YAML_MAPPING_START_EVENT)
        return yf_error(y, yf_line(&y->ev), RULES_KEY ": expected a mapping, found %s",
                        yf_kind(&y->ev));
    for (;;) {
        int end = yf_next_key(y, "");
        if (end)
            return end > 0 ? 0 : -1;
        unsigned long line = yf_line(&y->ev);
        const char *name = (const char *)y->ev.data.scalar.value;
        int idx = rules_builtin_find(name);
        if (idx < 0) {
            config_quote(shown, sizeof shown, name);
            return yf_error(y, line, RULES_KEY ": unknown rule %s (see etcd-monitor(1), RULES)",
                            shown);
        }
        char rule[48];
        snprintf(rule, sizeof rule, "%s", name);
        for (int k = 0; k < y->cfg->n_rule_overrides; k++)
            if (strcmp(y->cfg->rule_overrides[k].rule, rule) == 0)
                return yf_error(y, line, "duplicate key \"" RULES_KEY ".%s\"", rule);
        if (y->cfg->n_rule_overrides >= CONFIG_MAX_RULE_OVERRIDES)
            return yf_error(y, line, RULES_KEY ": more than %d rules",
                            CONFIG_MAX_RULE_OVERRIDES);
        config_rule_t *r = &y->cfg->rule_overrides[y->cfg->n_rule_overrides++];
        memset(r, 0, sizeof *r);
        snprintf(r->rule, sizeof r->rule, "%s", rule);

        if (yf_next(y))
            return -1;
        if (y->ev.type != YAML_MAPPING_START_EVENT)
            return yf_error(y, yf_line(&y->ev), RULES_KEY ".%s: expected a mapping, found %s",
                            rule, yf_kind(&y->ev));
        for (;;) {
            if (yf_next(y))
                return -1;
            if (y->ev.type == YAML_MAPPING_END_EVENT)
                break;
            if (yf_rule_field(y, rule, idx))
                return -1;
        }
    }
}

static int yf_member_map(yfile_t *y, const char *row_prefix, const char *name_prefix);

/* members[N].ssh given as a mapping (the current event): host is required;
 * line is the one of the ssh key. */
static int yf_member_ssh(yfile_t *y, const char *name, unsigned long line)
{
    char prefix[176];
    snprintf(prefix, sizeof prefix, "%s.", name);
    if (yf_member_map(y, MEMBERS_KEY "[].ssh.", prefix))
        return -1;
    if (!y->cfg->members[y->cfg->n_members - 1].ssh_target)
        return yf_error(y, line, "%s: no host", name);
    return 0;
}

/* One key (the current event) and its value in a members: entry or its ssh
 * mapping: the row is row_prefix + key, the name in errors name_prefix + key.
 * seen holds the rows given before in the same mapping. */
static int yf_member_key(yfile_t *y, const char *row_prefix, const char *name_prefix,
                         const option_t **seen, int *n_seen)
{
    char row[160], name[160], shown[128];
    unsigned long line = yf_line(&y->ev);
    int plen = (int)strlen(name_prefix) - 1;          /* without the trailing dot */

    if (y->ev.type != YAML_SCALAR_EVENT)
        return yf_error(y, line, "%.*s: keys must be plain names, found %s", plen, name_prefix,
                        yf_kind(&y->ev));
    const char *field = (const char *)y->ev.data.scalar.value;
    snprintf(row, sizeof row, "%s%s", row_prefix, field);
    const option_t *opt = strpbrk(field, ".[]") ? NULL : config_option_by_key(row);
    if (!opt) {
        config_quote(shown, sizeof shown, field);
        return yf_error(y, line, "%.*s: unknown key %s", plen, name_prefix, shown);
    }
    snprintf(name, sizeof name, "%s%s", name_prefix, field);
    for (int k = 0; k < *n_seen; k++)
        if (seen[k] == opt)
            return yf_error(y, line, "%s: duplicate key", name);
    if (*n_seen < MEMBER_ROWS_MAX)
        seen[(*n_seen)++] = opt;
    if (yf_next(y))
        return -1;
    if (strcmp(opt->key, MEMBERS_KEY "[].ssh") == 0 && y->ev.type == YAML_MAPPING_START_EVENT)
        return yf_member_ssh(y, name, line);
    return yf_apply_scalar(y, opt, name, "a single value", false);
}

/* The keys of a mapping (its start is the current event) up to its end. */
static int yf_member_map(yfile_t *y, const char *row_prefix, const char *name_prefix)
{
    const option_t *seen[MEMBER_ROWS_MAX];
    int n_seen = 0;
    for (;;) {
        if (yf_next(y))
            return -1;
        if (y->ev.type == YAML_MAPPING_END_EVENT)
            return 0;
        if (yf_member_key(y, row_prefix, name_prefix, seen, &n_seen))
            return -1;
    }
}

/* One entry (the current event) of the members: list, appended to cfg->members. */
static int yf_member(yfile_t *y)
{
    config_t *cfg = y->cfg;
    int idx = cfg->n_members;
    unsigned long line = yf_line(&y->ev);
    char name[32];

    snprintf(name, sizeof name, MEMBERS_KEY "[%d]", idx);
    if (idx >= CONFIG_MAX_ENDPOINTS)
        return yf_error(y, line, "%s: too many members (at most %d)", name,
                        CONFIG_MAX_ENDPOINTS);
    if (y->ev.type != YAML_MAPPING_START_EVENT)
        return yf_error(y, line, "%s: expected a mapping, found %s", name, yf_kind(&y->ev));
    config_member_t *m = &cfg->members[cfg->n_members++];
    memset(m, 0, sizeof *m);
    m->ssh_accept_new = -1;
    strcat(name, ".");
    if (yf_member_map(y, MEMBERS_KEY "[].", name))
        return -1;
    if (!m->endpoint)
        return yf_error(y, line, MEMBERS_KEY "[%d]: no endpoint", idx);
    return 0;
}

/* The members: block: a list of per-member mappings into cfg->members, in file
 * order; null means none. */
static int yf_members(yfile_t *y)
{
    unsigned long line = yf_line(&y->ev);
    config_members_free(y->cfg);
    if (y->ev.type == YAML_SCALAR_EVENT && yf_is_null(&y->ev))
        return 0;
    if (y->ev.type != YAML_SEQUENCE_START_EVENT)
        return yf_error(y, line, MEMBERS_KEY ": expected a list, found %s", yf_kind(&y->ev));
    for (;;) {
        if (yf_next(y))
            return -1;
        if (y->ev.type == YAML_SEQUENCE_END_EVENT)
            break;
        if (yf_member(y))
            return -1;
    }
    if (y->cfg->n_members == 0)
        return yf_error(y, line, MEMBERS_KEY ": the list is empty");
    return 0;
}

/* One key of an alerts: entry (the current event) and its value: a scalar, a
 * list for "to", a mapping for "headers". Values never appear in errors. */
static int yf_alert_key(yfile_t *y, config_channel_t *c, int idx)
{
    char key[64], why[256], shown[96];
    unsigned long line = yf_line(&y->ev);
    if (y->ev.type != YAML_SCALAR_EVENT)
        return yf_error(y, line, ALERTS_KEY "[%d]: keys must be plain names, found %s", idx,
                        yf_kind(&y->ev));
    if (y->ev.data.scalar.length >= sizeof key) {
        config_quote(shown, sizeof shown, (const char *)y->ev.data.scalar.value);
        return yf_error(y, line, ALERTS_KEY "[%d]: unknown key %s", idx, shown);
    }
    snprintf(key, sizeof key, "%s", (const char *)y->ev.data.scalar.value);
    if (yf_next(y))
        return -1;
    line = yf_line(&y->ev);
    if (strcmp(key, "headers") == 0) {
        if (y->ev.type != YAML_MAPPING_START_EVENT)
            return yf_error(y, line, ALERTS_KEY "[%d].headers: expected a mapping, found %s",
                            idx, yf_kind(&y->ev));
        for (;;) {
            char name[80];
            if (yf_next(y))
                return -1;
            if (y->ev.type == YAML_MAPPING_END_EVENT)
                return 0;
            if (yf_check_scalar(y, ALERTS_KEY ".headers", "a header name"))
                return -1;
            snprintf(name, sizeof name, "%s", (const char *)y->ev.data.scalar.value);
            if (yf_next(y) || yf_check_scalar(y, ALERTS_KEY ".headers", "a header value"))
                return -1;
            if (alerts_channel_header(c, name, (const char *)y->ev.data.scalar.value, why,
                                      sizeof why))
                return yf_error(y, yf_line(&y->ev), ALERTS_KEY "[%d].headers: %s", idx, why);
        }
    }
    if (strcmp(key, "to") == 0 && y->ev.type == YAML_SEQUENCE_START_EVENT) {
        for (;;) {
            if (yf_next(y))
                return -1;
            if (y->ev.type == YAML_SEQUENCE_END_EVENT)
                return 0;
            if (yf_check_scalar(y, ALERTS_KEY ".to", "an address"))
                return -1;
            if (alerts_channel_set(c, key, (const char *)y->ev.data.scalar.value, why,
                                   sizeof why))
                return yf_error(y, yf_line(&y->ev), ALERTS_KEY "[%d].to: an address %s", idx,
                                why);
        }
    }
    if (y->ev.type != YAML_SCALAR_EVENT)
        return yf_error(y, line, ALERTS_KEY "[%d].%s: expected a single value, found %s", idx,
                        key, yf_kind(&y->ev));
    if (yf_is_null(&y->ev))
        return yf_error(y, line, ALERTS_KEY "[%d].%s: missing value", idx, key);
    if (strlen((const char *)y->ev.data.scalar.value) != y->ev.data.scalar.length)
        return yf_error(y, line, ALERTS_KEY "[%d].%s: the value contains a NUL byte", idx, key);
    if (alerts_channel_set(c, key, (const char *)y->ev.data.scalar.value, why, sizeof why)) {
        if (strstr(why, "not a channel key")) {
            config_quote(shown, sizeof shown, key);
            return yf_error(y, line, ALERTS_KEY "[%d]: unknown key %s", idx, shown);
        }
        return yf_error(y, line, ALERTS_KEY "[%d].%s: the value %s", idx, key, why);
    }
    return 0;
}

/* The alerts: block: a list of channel mappings into cfg->alerts (seed 004's
 * format: type plus the type's keys); null means none. */
static int yf_alerts(yfile_t *y)
{
    char why[256];
    if (y->ev.type == YAML_SCALAR_EVENT && yf_is_null(&y->ev))
        return 0;
    if (y->ev.type != YAML_SEQUENCE_START_EVENT)
        return yf_error(y, yf_line(&y->ev), ALERTS_KEY ": expected a list, found %s",
                        yf_kind(&y->ev));
    for (int idx = 0;; idx++) {
        if (yf_next(y))
            return -1;
        if (y->ev.type == YAML_SEQUENCE_END_EVENT)
            return 0;
        unsigned long line = yf_line(&y->ev);
        if (y->ev.type != YAML_MAPPING_START_EVENT)
            return yf_error(y, line, ALERTS_KEY "[%d]: expected a mapping, found %s", idx,
                            yf_kind(&y->ev));
        config_channel_t *c = alerts_channel_new(&y->cfg->alerts, CHAN_CONSOLE);
        if (!c)
            return yf_error(y, line, ALERTS_KEY ": more than %d channels", ALERTS_MAX_CHANNELS);
        c->line = line;
        for (;;) {
            if (yf_next(y))
                return -1;
            if (y->ev.type == YAML_MAPPING_END_EVENT)
                break;
            if (yf_alert_key(y, c, idx))
                return -1;
        }
        if (alerts_channel_check(c, why, sizeof why))
            return yf_error(y, line, ALERTS_KEY "[%d]: %s", idx, why);
    }
}

/* The value (current event) of a known key: blocks skipped, scalars applied. */
static int yf_value(yfile_t *y, const option_t *opt, const char *key)
{
    if (strcmp(key, RULES_KEY) == 0)
        return yf_rules(y);
    if (strcmp(key, MEMBERS_KEY) == 0)
        return yf_members(y);
    if (strcmp(key, ALERTS_KEY) == 0)
        return yf_alerts(y);
    if (strcmp(key, CLUSTERS_KEY) == 0)
        return yf_clusters(y);
    if (opt->kind == OPT_BLOCK)
        return yf_skip(y);
    if ((opt->attrs & OPT_LIST) && y->ev.type == YAML_SEQUENCE_START_EVENT)
        return strcmp(key, "endpoints") == 0 ? yf_endpoint_list(y, key)
                                             : yf_joined_list(y, opt, key);
    return yf_apply_scalar(y, opt, key,
                           (opt->attrs & OPT_LIST) ? "a list or a value" : "a single value",
                           key_is_secret(key));
}

/* Read one "key: value" pair of a mapping whose keys are prefix + key.
 * Returns 1 when the mapping ended, 0 after a pair, -1 on error. */
static int yf_pair_at(yfile_t *y, const char *prefix);
static int yf_pair(yfile_t *y, const char *prefix)
{
    if (yf_next(y))
        return -1;
    if (y->ev.type == YAML_MAPPING_END_EVENT)
        return 1;
    return yf_pair_at(y, prefix);
}

int yf_key(yfile_t *y)
{
    return yf_pair_at(y, "");
}

/* The pair whose key is the current event (see yf_pair). */
static int yf_pair_at(yfile_t *y, const char *prefix)
{
    char key[256], shown[128];

    if (y->ev.type != YAML_SCALAR_EVENT)
        return yf_error(y, yf_line(&y->ev), "keys must be plain names, found %s",
                        yf_kind(&y->ev));
    unsigned long line = yf_line(&y->ev);
    snprintf(key, sizeof key, "%s%s", prefix, (const char *)y->ev.data.scalar.value);

    /* Nested blocks (alert_thresholds, tls, auth, ssh): their keys are block.key. */
    for (int b = 0; !prefix[0] && config_nested_blocks[b]; b++) {
        if (strcmp(key, config_nested_blocks[b]) != 0)
            continue;
        if (y->seen_block[b])
            return yf_error(y, line, "duplicate key \"%s\"", key);
        y->seen_block[b] = true;
        if (yf_next(y))
            return -1;
        if (y->ev.type == YAML_SCALAR_EVENT && yf_is_null(&y->ev))
            return 0;
        if (y->ev.type != YAML_MAPPING_START_EVENT)
            return yf_error(y, yf_line(&y->ev), "%s: expected a mapping, found %s", key,
                            yf_kind(&y->ev));
        char sub[sizeof key + 1];
        snprintf(sub, sizeof sub, "%s.", key);
        int r;
        while ((r = yf_pair(y, sub)) == 0)
            ;
        return r < 0 ? -1 : 0;
    }

    const option_t *opt = config_option_by_key(key);
    /* A top-level key never contains a dot; "a.b" only exists nested. */
    if (!prefix[0] && strchr(key, '.'))
        opt = NULL;
    if (!opt) {
        config_quote(shown, sizeof shown, key);
        return yf_error(y, line, "unknown key %s", shown);
    }
    size_t row = (size_t)(opt - y->tab);
    if (y->seen[row])
        return yf_error(y, line, "duplicate key \"%s\"", key);
    y->seen[row] = true;
    if (strcmp(key, "auth.password") == 0)
        y->secret_seen = true;
    if (yf_next(y))
        return -1;
    return yf_value(y, opt, key);
}

/* Parse the stream: nothing, or one document whose root is a mapping. */
static int yf_stream(yfile_t *y)
{
    if (yf_next(y))                       /* STREAM-START */
        return -1;
    if (yf_next(y))
        return -1;
    if (y->ev.type == YAML_STREAM_END_EVENT)
        return 0;                         /* empty file, or comments only */
    if (yf_next(y))                       /* past DOCUMENT-START: the root node */
        return -1;
    if (y->ev.type == YAML_MAPPING_START_EVENT) {
        int r;
        while ((r = yf_pair(y, "")) == 0)
            ;
        if (r < 0)
            return -1;
    } else if (!(y->ev.type == YAML_SCALAR_EVENT && yf_is_null(&y->ev))) {
        return yf_error(y, yf_line(&y->ev), "the top level must be a mapping of keys, found %s",
                        yf_kind(&y->ev));
    }
    if (yf_next(y))                       /* DOCUMENT-END */
        return -1;
    if (yf_next(y))
        return -1;
    if (y->ev.type != YAML_STREAM_END_EVENT)
        return yf_error(y, yf_line(&y->ev), "only one YAML document is allowed");
    return 0;
}

/* Build cfg->ignored_keys: the unused blocks first, then single keys, in table order. */
static int yf_ignored_keys(yfile_t *y)
{
    size_t len = 0;
    for (size_t k = 0; k < y->n_tab; k++)
        if (y->seen[k] && (y->tab[k].attrs & OPT_UNUSED))
            len += strlen(y->tab[k].key) + 1;
    free(y->cfg->ignored_keys);
    y->cfg->ignored_keys = NULL;
    if (len == 0)
        return 0;
    char *s = malloc(len);
    if (!s)
        return yf_error(y, 1, "out of memory");
    s[0] = '\0';
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < y->n_tab; k++) {
            const option_t *o = &y->tab[k];
            if (!y->seen[k] || !(o->attrs & OPT_UNUSED) || (o->kind == OPT_BLOCK) != (pass == 0))
                continue;
            if (s[0])
                strcat(s, ",");
            strcat(s, o->key);
        }
    y->cfg->ignored_keys = s;
    return 0;
}

int config_file_load(config_t *cfg, const char *path, char *err, size_t errlen)
{
    yfile_t y;
    struct stat st;
    char shown[128];
    int rc = -1;

    memset(&y, 0, sizeof y);
    y.path = path;
    y.cfg = cfg;
    y.err = err;
    y.errlen = errlen;
    y.tab = config_options(&y.n_tab);

    FILE *f = fopen(path, "rb");
    int e = 0;
    if (!f || fstat(fileno(f), &st) != 0)
        e = errno;
    else if (S_ISDIR(st.st_mode))
        e = EISDIR;
    if (e) {
        config_quote(shown, sizeof shown, path);
        snprintf(err, errlen, "--config: %s cannot be read: %s", shown, strerror(e));
        if (f)
            fclose(f);
        return -1;
    }
    if (!(y.seen = calloc(y.n_tab, sizeof *y.seen)) || !yaml_parser_initialize(&y.parser)) {
        snprintf(err, errlen, "%s: out of memory", path);
        free(y.seen);
        fclose(f);
        return -1;
    }
    yaml_parser_set_input_file(&y.parser, f);
    if (yf_stream(&y) == 0 && yf_ignored_keys(&y) == 0)
        rc = 0;
    /* A password in a file other users can read is worth a warning (not an error:
     * the operator may be mid-incident). */
    if (rc == 0 && y.secret_seen && (st.st_mode & 077)) {
        char line[600];
        snprintf(line, sizeof line, "%s holds a password and other users can read it "
                 "(mode %03o): chmod 600 it", path, (unsigned)(st.st_mode & 0777));
        free(cfg->warnings);
        cfg->warnings = strdup(line);
    }
    if (y.have_ev)
        yaml_event_delete(&y.ev);
    yaml_parser_delete(&y.parser);
    free(y.seen);
    fclose(f);
    return rc;
}
