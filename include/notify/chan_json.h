/* chan_json.h — JSON pieces the HTTP channels share (chan_webhook.c): the
 * Alertmanager-style labels, annotations and times of an alert, and a JSON
 * request with the channel's headers. */
#ifndef EM_CHAN_JSON_H
#define EM_CHAN_JSON_H

#include <jansson.h>
#include "notify_internal.h"

/* alertname, severity, cluster, member, instance, source. */
json_t *chan_json_labels(const notify_event_t *e);
/* summary, description, runbook (the hint), value, threshold, since. */
json_t *chan_json_annotations(const notify_event_t *e);
/* startsAt/endsAt into o; a firing alert ends at ends_firing (NULL = zero time). */
void chan_json_times(json_t *o, const notify_event_t *e, const char *ends_firing);
/* Compact JSON text of root (consumed); NULL on failure. Caller frees. */
char *chan_json_dump(json_t *root);
/* A POST of body (taken) to url with Content-Type and the channel's headers. */
notify_req_t *chan_json_req(notify_chan_t *c, const char *url, char *body);

#endif
