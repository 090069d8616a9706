/* notify_req.c — one message to send (an HTTP POST or a mail) and its
 * headers, which never carry CR, LF or other control bytes. */
#include "notify_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

notify_req_t *notify_req_new(const char *url, char *body)
{
    notify_req_t *r = calloc(1, sizeof *r);
    if (!r || !body || !(r->url = strdup(url))) {
        free(body);
        free(r);
        return NULL;
    }
    r->body = body;
    r->len = strlen(body);
    return r;
}

void notify_req_free(notify_req_t *r)
{
    if (!r)
        return;
    free(r->url);
    free(r->body);
    curl_slist_free_all(r->headers);
    curl_slist_free_all(r->rcpt);
    free(r);
}

int notify_req_header(notify_req_t *r, const char *name, const char *value)
{
    char clean[4200], line[4300];
    notify_clean(value, clean, sizeof clean);
    snprintf(line, sizeof line, "%s: %s", name, clean);
    struct curl_slist *l = curl_slist_append(r->headers, line);
    if (!l)
        return -1;
    r->headers = l;
    return 0;
}

void notify_req_describe(notify_req_t *r, const notify_event_t *ev, int n)
{
    if (n <= 0) {
        snprintf(r->what, sizeof r->what, "a message");
        return;
    }
    char rule[128];
    snprintf(rule, sizeof rule, "%s%s%s", ev[0].alert.rule, ev[0].alert.member[0] ? "@" : "",
             ev[0].alert.member);
    if (n > 1)
        snprintf(r->what, sizeof r->what, "%s %.60s (+%d)", notify_kind_name(ev[0].kind), rule,
                 n - 1);
    else
        snprintf(r->what, sizeof r->what, "%s %.80s", notify_kind_name(ev[0].kind), rule);
}
