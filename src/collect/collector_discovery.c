/* collector_discovery.c — the member list: which polled member an entry is,
 * members discovered and started within the poll, members gone. */
#include "collector_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void collector_list_normalize(collector_t *c)
{
    for (int i = 0; i < c->n_list; i++) {
        status_member_t *e = &c->list[i];
        for (int u = 0; u < e->n_client_urls; u++) {
            char url[ENDPOINT_URL_LEN];
            if (endpoint_normalize(e->client_urls[u], c->endpoint_flags, url, sizeof(url),
                                   NULL, 0) == ENDPOINT_OK && strlen(url) < sizeof(e->client_urls[u]))
                memcpy(e->client_urls[u], url, strlen(url) + 1);
        }
    }
}

/* Find the member-list entry for a polled member, by id or by client URL
 * (mb->url is normalized, and so are the list's URLs that can be: a plain
 * compare, no parsing in this n x n search). */
static const status_member_t *collector_list_entry(const collector_t *c, const member_t *mb)
{
    for (int i = 0; i < c->n_list; i++) {
        const status_member_t *e = &c->list[i];
        if (mb->id && e->id == mb->id)
            return e;
        for (int u = 0; u < e->n_client_urls && mb->url[0]; u++)
            if (strcmp(e->client_urls[u], mb->url) == 0)
                return e;
    }
    return NULL;
}

/* A pinned member (reached through its own SSH host) that has not answered yet:
 * the member list cannot be matched to it (no id), and any entry might be it
 * under another URL, which must not be polled around its tunnel. */
static const member_t *collector_unmatched_pinned(const collector_t *c)
{
    for (int j = 0; j < c->n; j++)
        if (c->m[j]->pinned && !c->m[j]->id)
            return c->m[j];
    return NULL;
}

/* The /metrics URL a members: entry gives a discovered member, "" when none. */
static void collector_listed_metrics(const collector_t *c, const char *url, char *murl,
                                     size_t cap)
{
    const config_member_t *cm = url[0] ? config_member_for(c->cfg, url) : NULL;
    murl[0] = '\0';
    if (cm && cm->metrics_endpoint &&
        endpoint_normalize(cm->metrics_endpoint, c->endpoint_flags, murl, cap, NULL, 0) != 0)
        murl[0] = '\0';
}

/* The client URL of a member-list entry, checked exactly as --endpoints are:
 * the first of its URLs that passes into url, or "" with why the first one is
 * refused in why ("" too when it lists none: not started yet). */
static void collector_listed_url(const collector_t *c, const status_member_t *e, char *url,
                                 size_t cap, char *why, size_t whylen)
{
    url[0] = why[0] = '\0';
    for (int u = e->n_client_urls - 1; u >= 0; u--) {
        char w[128], got[ENDPOINT_URL_LEN];
        if (endpoint_normalize(e->client_urls[u], c->endpoint_flags, got, sizeof got, w,
                               sizeof w) == ENDPOINT_OK)
            snprintf(url, cap, "%s", got);
        else if (u == 0 || !why[0])
            snprintf(why, whylen, "%s", w);
    }
    if (url[0])
        why[0] = '\0';
}

/* Record on mb why its listed URL is refused: an event when the reason is new
 * (the URL itself is never shown: it may hold credentials). */
static void collector_refuse_url(collector_t *c, member_t *mb, const char *why)
{
    if (strcmp(mb->refused, why) == 0)
        return;
    snprintf(mb->refused, sizeof(mb->refused), "%s", why);
    if (why[0])
        events_add(&c->events, "discovery: member %s is not polled: its client URL is refused: %s",
                   mb->name, why);
}

/* Add members that the member list names and we do not poll yet. During a poll
 * their requests start at once, so discovery never costs a poll. */
void collector_add_listed(collector_t *c, bool start_now)
{
    const member_t *held = collector_unmatched_pinned(c);
    if (held) {
        if (strcmp(c->told_held, held->url) != 0)
            events_add(&c->events, "discovery waits for %s (%s): through its own SSH host it "
                       "has not answered yet, and the member list may name it under "
                       "another URL", held->name, held->url);
        snprintf(c->told_held, sizeof c->told_held, "%s", held->url);
        return;
    }
    /* Entries the members polled now match (once each: not n x n x n). A
     * member added below matches its own entry or an earlier one, and by id. */
    memset(c->list_have, 0, sizeof(c->list_have[0]) * (size_t)c->n_list);
    for (int j = 0; j < c->n; j++) {
        const status_member_t *e = collector_list_entry(c, c->m[j]);
        if (e)
            c->list_have[e - c->list] = true;
    }
    for (int i = 0; i < c->n_list; i++) {
        const status_member_t *e = &c->list[i];
        bool have = c->list_have[i];
        for (int j = 0; j < c->n && !have; j++)
            have = c->m[j]->id && c->m[j]->id == e->id;
        if (have)
            continue;
        char url[ENDPOINT_URL_LEN], why[128];
        collector_listed_url(c, e, url, sizeof url, why, sizeof why);
        char name[64], murl[ENDPOINT_URL_LEN];
        if (e->name[0])
            snprintf(name, sizeof(name), "%s", e->name);
        else
            snprintf(name, sizeof(name), "%016" PRIx64, e->id);
        if (c->n >= CLUSTER_MAX_MEMBERS) {
            if (!c->told_cap)
                events_add(&c->events, "discovery: the member list names more members than "
                           "the %d that can be monitored: the others are not polled",
                           CLUSTER_MAX_MEMBERS);
            c->told_cap = true;
            break;
        }
        collector_listed_metrics(c, url, murl, sizeof murl);
        member_t *mb = collector_add_member(c, url, name, murl);
        if (!mb)
            continue;
        mb->id = e->id;
        mb->is_learner = e->is_learner;
        if (c->iteration > 1 && !why[0])
            events_add(&c->events, "member %s discovered (%s)", name,
                       url[0] ? url : "not started");
        collector_refuse_url(c, mb, why);
        mb->cur.probe_read_ms = mb->cur.probe_write_ms = NAN;
        if (start_now && url[0]) {
            mb->cur.t = c->poll_wall;
            collector_start_member(c, mb);
        }
    }
    collector_reserve_connections(c);
}

/* Apply a fresh member list at the end of a poll: names, ids, learners, and
 * (with discovery) drop members the cluster no longer has. */
void collector_apply_list(collector_t *c)
{
    for (int j = 0; j < c->n; j++) {
        member_t *mb = c->m[j];
        const status_member_t *e = collector_list_entry(c, mb);
        mb->in_list = e != NULL;
        if (!e)
            continue;
        mb->id = e->id;
        mb->is_learner = e->is_learner;
        if (e->name[0])
            snprintf(mb->name, sizeof(mb->name), "%s", e->name);
        /* A member that was not started when first listed now has a URL (or
         * one that is refused, said once). */
        if (!mb->url[0]) {
            char url[ENDPOINT_URL_LEN], why[128];
            collector_listed_url(c, e, url, sizeof url, why, sizeof why);
            collector_refuse_url(c, mb, why);
            if (url[0])
                member_set_url(mb, url);
        }
    }
    if (!c->cfg->no_discover) {
        for (int j = c->n - 1; j >= 0; j--) {
            /* A pinned member without an id cannot be matched yet: kept. */
            if (!c->m[j]->in_list && !(c->m[j]->pinned && !c->m[j]->id)) {
                events_add(&c->events, "member %s (%s) is no longer in the member list",
                           c->m[j]->name, c->m[j]->url[0] ? c->m[j]->url : "-");
                collector_remove_member(c, j);
            }
        }
    }
}

