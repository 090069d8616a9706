/* csvrow.h — the CSV headers and rows of metrics.csv and members.csv (pure). */
#ifndef EM_CSVROW_H
#define EM_CSVROW_H

#include <stddef.h>
#include "cluster.h"

#define CSVROW_MAX 4096

extern const char CSVROW_METRICS_HEADER[];
extern const char CSVROW_MEMBERS_HEADER[];

/* Format one row (ending in '\n') into out; returns its length, 0 if it did not fit. */
size_t csvrow_metrics(const cluster_snapshot_t *s, char *out, size_t cap);
size_t csvrow_member(const cluster_snapshot_t *s, const member_view_t *m, char *out, size_t cap);
/* Timestamps are format_timestamp() (format.h): RFC 3339 UTC with milliseconds. */

#endif
