/* ops_backup.h — scheduled backups for monitor and serve (--backup-dir,
 * --backup-interval, --backup-keep): every interval a snapshot is saved as
 * DIR/etcd-snapshot-<RFC3339 UTC>.db (streamed into .part, SHA-256 checked,
 * renamed: ops_snapshot_save) and the oldest files of that naming beyond
 * --backup-keep are deleted.
 *
 * Design: the save code is blocking (it turns its own loop until the stream
 * ends), so each backup runs on a worker thread with its own loop_t and
 * ops client — made at open, on the caller's thread, then used only by the
 * worker. The worker touches nothing of the caller's loop; it reports back by
 * writing one byte to a pipe registered with loop_fd_add(), whose callback
 * joins it. A timer on the caller's loop starts the next one. Requests go
 * straight to the members (not through SSH tunnels). */
#ifndef EM_OPS_BACKUP_H
#define EM_OPS_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cluster.h"
#include "config.h"
#include "loop.h"

typedef struct backup backup_t;

/* One finished attempt. */
typedef struct {
    bool    ok;
    char    path[1024];         /* the file written (ok) */
    char    member[64];         /* the member it came from */
    int64_t bytes, revision;
    double  seconds;
    int     deleted;            /* older backups deleted (ok) */
    char    err[600];           /* why it failed (!ok) */
} backup_result_t;

/* Schedule backups on loop per cfg->ops (the first one now). *out is NULL when
 * no --backup-dir is set. 0, or -1 with err. Call before the password is
 * forgotten (the worker's client authenticates with its own copy). */
int  backup_open(backup_t **out, const config_t *cfg, loop_t *loop, char *err, size_t errlen)
    WARN_UNUSED_RESULT;
/* A finished attempt not yet taken: true once per attempt. */
bool backup_take(backup_t *b, backup_result_t *r);
/* A scheduled backup was due while the previous one still ran: true once each. */
bool backup_take_skipped(backup_t *b);
/* The figures BackupFailed reads (backup_on false when b is NULL). */
void backup_figures(const backup_t *b, double now_mono, cluster_ops_t *o);
/* Stop scheduling; wait up to wait_ms for a backup in progress (then leave it
 * to the process's exit: its .part file stays). Frees b. */
void backup_close(backup_t *b, int wait_ms);

/* The backup file name for wall-clock time t: etcd-snapshot-2024-05-01T12:00:00Z.db. */
void backup_file_name(double t, char *buf, size_t len);
/* Whether name is one of ours (etcd-snapshot-*.db, no .part). */
bool backup_is_ours(const char *name);
/* Delete the oldest of our files in dir beyond keep (names sort by time).
 * The number deleted, or -1 when dir cannot be read. */
int  backup_prune(const char *dir, int keep);

#endif
