/* csvrow.h — the CSV headers and rows of metrics.csv and members.csv (pure). */
#ifndef EM_CSVROW_H
#define EM_CSVROW_H

#include <stddef.h>
#include "cluster.h"

/* The worst case bounds the row: every field a number of at most CSVROW_NUM_MAX
 * bytes with its comma (row_num: %f below 1e15, %.17g above, "inf"), except at
 * most CSVROW_TEXT_FIELDS text fields of CSVROW_FIELD_MAX - 1 cleaned bytes each,
 * every byte a quote (doubled) plus the two around it and the comma. A row that
 * still does not fit is refused whole (0), never cut. */
#define CSVROW_FIELDS      64
#define CSVROW_NUM_MAX     25
#define CSVROW_TEXT_FIELDS 4
#define CSVROW_FIELD_MAX   1024
#define CSVROW_MAX (CSVROW_FIELDS * CSVROW_NUM_MAX + \
                    CSVROW_TEXT_FIELDS * (2 * (CSVROW_FIELD_MAX - 1) + 3) + 2)

extern const char CSVROW_METRICS_HEADER[];
extern const char CSVROW_MEMBERS_HEADER[];

/* Format one row (ending in '\n') into out; returns its length, 0 if it did not fit. */
size_t csvrow_metrics(const cluster_snapshot_t *s, char *out, size_t cap);
size_t csvrow_member(const cluster_snapshot_t *s, const member_view_t *m, char *out, size_t cap);
/* Timestamps are format_timestamp() (format.h): RFC 3339 UTC with milliseconds. */

#endif
