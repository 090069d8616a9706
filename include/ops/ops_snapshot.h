/* ops_snapshot.h — snapshots: save one member's backend through the gateway's
 * streaming POST /v3/maintenance/snapshot, and read a snapshot file's status
 * (bbolt.h) as etcdctl snapshot status does. */
#ifndef EM_OPS_SNAPSHOT_H
#define EM_OPS_SNAPSHOT_H

#include <stdbool.h>
#include <stdio.h>
#include "bbolt.h"
#include "ops_client.h"

/* The status of the snapshot (or backend) file at path. 0, or -1 with the
 * reason in why ("truncated: ...", "cannot open ...: ..."). */
int ops_snapshot_status(const char *path, bbolt_status_t *st, char *why, size_t whylen)
    WARN_UNUSED_RESULT;
/* Print st as etcdctl does: a table (HASH, REVISION, TOTAL KEYS, TOTAL SIZE) or
 * its JSON line {"hash":..,"revision":..,"totalKey":..,"totalSize":..}. */
int ops_snapshot_print(FILE *f, const bbolt_status_t *st, bool json);

typedef struct {
    int64_t bytes;             /* file size, SHA-256 included */
    double  seconds;
    bbolt_status_t st;         /* of the saved file */
} ops_saved_t;

/* Stream member m's snapshot into path.part, check etcd's SHA-256, fsync,
 * rename to path (then fsync the directory). progress: a line on stderr as it
 * goes. On any failure path.part is removed and path left untouched. 0, or -1
 * with err. */
int ops_snapshot_save(ops_client_t *c, const ops_member_t *m, const char *path, bool progress,
                      ops_saved_t *out, char *err, size_t errlen) WARN_UNUSED_RESULT;

#endif
