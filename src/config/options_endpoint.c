/* options_endpoint.c — endpoints as the options give them: checking one
 * ("host:port", "https://h:p/", "[::1]:2379"), the comma-separated lists of
 * --endpoints and --metrics-endpoints, and the one host:port spelling that the
 * members: entries are matched by. */
#include "config.h"
#include "config_internal.h"
#include "endpoint.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Check one endpoint as every polled endpoint is checked (endpoint.h); on
 * failure why gets the problem, e.g. "no port (use host:port)", and an endpoint
 * with credentials is SET_HIDE (its text is never echoed). */
int config_check_endpoint(const char *ep, char *why, size_t whylen)
{
    endpoint_t e;
    switch (endpoint_parse(ep, ENDPOINT_CHECK, &e, why, whylen)) {
    case ENDPOINT_OK:
        return SET_OK;
    case ENDPOINT_SECRET:
        return SET_HIDE;
    default:
        return SET_BAD;
    }
}

void config_endpoints_replace(config_t *cfg, char **items, int n)
{
    for (int i = 0; i < cfg->n_endpoints; i++) {
        free(cfg->endpoints[i]);
        cfg->endpoints[i] = NULL;
    }
    for (int i = 0; i < n; i++)
        cfg->endpoints[i] = items[i];
    cfg->n_endpoints = n;
}

const config_member_t *config_member_for(const config_t *cfg, const char *url)
{
    char want[300], have[300];
    if (!cfg || !url || endpoint_hostport(url, want, sizeof want) != 0)
        return NULL;
    for (int i = 0; i < cfg->n_members; i++) {
        const char *ep = cfg->members[i].endpoint;
        if (ep && endpoint_hostport(ep, have, sizeof have) == 0 && strcmp(have, want) == 0)
            return &cfg->members[i];
    }
    return NULL;
}

/* Split and check a comma-separated endpoint list (spaces around items
 * trimmed) into items (caller-provided, CONFIG_MAX_ENDPOINTS); *n_out items,
 * owned by the caller on SET_OK. */
static int endpoint_list(const char *v, char **items, int *n_out, char *why, size_t whylen)
{
    int n = 0, rc = SET_OK;
    size_t commas = 0;

    for (const char *c = v; *c; c++)
        commas += *c == ',';
    if (commas + 1 > CONFIG_MAX_ENDPOINTS) {
        snprintf(why, whylen, "has %zu endpoints (at most %d)", commas + 1,
                 CONFIG_MAX_ENDPOINTS);
        return SET_BAD;
    }
    const char *p = v;
    for (;;) {
        size_t len = strcspn(p, ",");
        const char *b = p, *e = p + len;
        while (b < e && (*b == ' ' || *b == '\t')) b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
        if (b == e) {
            snprintf(why, whylen, commas ? "has an empty item" : "is empty");
            rc = SET_BAD;
            break;
        }
        char *item = strndup(b, (size_t)(e - b));
        char problem[128];
        if (!item) {
            snprintf(why, whylen, "cannot be stored (out of memory)");
            rc = SET_BAD;
            break;
        }
        int r = config_check_endpoint(item, problem, sizeof problem);
        if (r != SET_OK) {
            char shown[96];
            if (r == SET_HIDE)
                snprintf(why, whylen, "has an endpoint with %s", problem);
            else if (commas == 0)
                snprintf(why, whylen, "is not a valid endpoint: %s", problem);
            else {
                config_quote(shown, sizeof shown, item);
                snprintf(why, whylen, "has a bad endpoint %s: %s", shown, problem);
            }
            free(item);
            rc = r;
            break;
        }
        items[n++] = item;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    if (rc != SET_OK) {
        while (n > 0)
            free(items[--n]);
        return rc;
    }
    *n_out = n;
    return SET_OK;
}

/* --endpoints / ENDPOINTS / endpoints: the whole list replaces the previous one. */
int option_set_endpoints(config_t *cfg, const char *v, char *why, size_t whylen)
{
    char *items[CONFIG_MAX_ENDPOINTS];
    int n = 0;
    int rc = endpoint_list(v, items, &n, why, whylen);
    if (rc == SET_OK) {
        config_endpoints_replace(cfg, items, n);
        cfg->endpoints_given = true;
    }
    return rc;
}

/* --metrics-endpoints / metrics_endpoints: /metrics URLs in member order
 * (etcd's --listen-metrics-urls), replacing the previous list. */
int option_set_metrics_endpoints(config_t *cfg, const char *v, char *why, size_t whylen)
{
    char *items[CONFIG_MAX_ENDPOINTS];
    int n = 0;
    int rc = endpoint_list(v, items, &n, why, whylen);
    if (rc != SET_OK)
        return rc;
    for (int i = 0; i < cfg->n_metrics_endpoints; i++) {
        free(cfg->metrics_endpoints[i]);
        cfg->metrics_endpoints[i] = NULL;
    }
    for (int i = 0; i < n; i++)
        cfg->metrics_endpoints[i] = items[i];
    cfg->n_metrics_endpoints = n;
    return SET_OK;
}
