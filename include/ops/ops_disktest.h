/* ops_disktest.h — etcd's disk check (its fio recipe): sequential writes of
 * block-size bytes, each followed by fdatasync, into a file in the directory;
 * every fdatasync timed, the file removed at the end. */
#ifndef EM_OPS_DISKTEST_H
#define EM_OPS_DISKTEST_H

#include <stdbool.h>
#include <stdint.h>
#include "ops_latency.h"
#include "util.h"

typedef struct {
    long      writes;
    int64_t   bytes;
    double    seconds;
    double    writes_per_s;
    ops_lat_t sync;            /* fdatasync latency, ms */
} ops_disktest_t;

/* Run the test in dir. 0, or -1 with the reason (a missing directory, one we
 * cannot write, a failed write or fdatasync). progress: a line on stderr. */
int ops_disktest_run(const char *dir, int64_t size, int block, bool progress,
                     ops_disktest_t *out, char *err, size_t errlen) WARN_UNUSED_RESULT;

#endif
