/* status_report.h — what `etcd-monitor status` prints: the members of one
 * snapshot as a table (the columns of etcdctl endpoint status -w table, then
 * HEALTH, FRAGMENTATION and RAFT LAG) or as JSON (an array with one object per
 * member, keys named as etcdctl's where it has them). Pure formatting of a
 * const snapshot; a value that is not known is "-" in the table and null in
 * JSON, never 0. */
#ifndef EM_STATUS_REPORT_H
#define EM_STATUS_REPORT_H

#include <stdio.h>
#include "cluster.h"
#include "util.h"

/* Write the table (a row per member, in snapshot order). 0, or -1 when f
 * failed. */
int status_report_table(FILE *f, const cluster_snapshot_t *snap) WARN_UNUSED_RESULT;
/* Write the JSON array, one object per member:
 *   Endpoint, member_id, version, dbSize, dbSizeInUse, leader, isLeader,
 *   isLearner, raftTerm, raftIndex, raftAppliedIndex, errors (array of
 *   strings), health, fragmentationPct, raftLag.
 * Numbers are exact (uint64 IDs too). 0, or -1 when f failed. */
int status_report_json(FILE *f, const cluster_snapshot_t *snap) WARN_UNUSED_RESULT;
/* SI size as etcdctl (go-humanize) writes it: "9 B", "37 kB", "1.2 MB". */
void status_report_bytes(char *out, size_t cap, uint64_t bytes);

#endif
