/* logwatch.h — classify etcd log lines into counters and events (pure), and
 * follow a local log file (tail -F semantics, non-blocking). */
#ifndef EM_LOGWATCH_H
#define EM_LOGWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util.h"

typedef enum {
    LOG_NONE = 0,
    LOG_SLOW_FDATASYNC,       /* "slow fdatasync", "sync duration ... expected less than" */
    LOG_SLOW_APPLY,           /* "apply request took too long" */
    LOG_LEADER_CHANGED,       /* "leader changed", "elected leader", "became leader" */
    LOG_LEADER_LOST,          /* "lost leader", "no leader" */
    LOG_COMPACTION,           /* "finished scheduled compaction" ... */
    LOG_DEFRAG,               /* "defragmenting", "finished defragmenting" */
    LOG_ALARM,                /* "alarm raised" / NOSPACE */
    LOG_KIND_COUNT
} log_kind_t;

/* Counters since the start of the session. */
typedef struct {
    uint64_t count[LOG_KIND_COUNT];
} log_counts_t;

/* What kind of line this is (etcd 3.4/3.5 zap JSON or capnslog text). */
log_kind_t logwatch_classify(const char *line, size_t len);
const char *logwatch_kind_name(log_kind_t k);

typedef struct logwatch logwatch_t;
/* Follow path from its current end (created later is fine; rotation handled). */
logwatch_t *logwatch_open_file(const char *path, char *err, size_t errlen);
void logwatch_close(logwatch_t *w);
/* Read what has been appended (non-blocking); take up to max complete lines.
 * Each call reads at most 64 KiB: an endless file (/dev/zero, /dev/urandom)
 * or a fast-growing one is read a bounded piece at a time. */
int logwatch_read_lines(logwatch_t *w, char (*lines)[512], int max) WARN_UNUSED_RESULT;
/* Did the last logwatch_read_lines() stop on its bound (max lines or 64 KiB)
 * rather than at the end of what there is? Then call it again soon. */
bool logwatch_more(const logwatch_t *w);

#endif
