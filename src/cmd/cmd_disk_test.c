/* cmd_disk_test.c — the disk-test command: etcd's fio recipe (write +
 * fdatasync of --block-size bytes until --size) in --directory, with exact
 * fdatasync percentiles and a verdict against etcd's 10 ms p99 guidance. */
#include <stdio.h>
#include <jansson.h>

#include "cmd_ops.h"
#include "commands.h"
#include "ops_disktest.h"

#define DISK_P99_LIMIT_MS 10.0

int cmd_disk_test(config_t *cfg)
{
    const config_ops_t *o = &cfg->ops;
    ops_disktest_t r;
    char err[512];
    if (!o->directory)
        return cmd_fail(EXIT_USAGE, "disk-test", "give --directory DIR (a directory on the disk "
                        "of etcd's data directory)");
    if (cfg->n_args)
        return cmd_fail(EXIT_USAGE, "disk-test", "takes no arguments");
    if (ops_disktest_run(o->directory, o->dt_size, o->dt_block, cmd_tty(2), &r, err, sizeof err))
        return cmd_fail(1, "disk-test", "%s", err);
    bool ok = r.sync.p99 < DISK_P99_LIMIT_MS;
    int rc = ok ? 0 : 2;
    if (cfg->write_out == WRITE_JSON) {
        json_t *j = json_pack("{s:s,s:I,s:I,s:i,s:f,s:f,s:{s:f,s:f,s:f,s:f,s:f,s:f,s:f},s:f,s:b}",
                              "directory", o->directory, "writes", (json_int_t)r.writes,
                              "bytes", (json_int_t)r.bytes, "blockSize", o->dt_block,
                              "seconds", r.seconds, "writesPerSecond", r.writes_per_s,
                              "fdatasyncMs", "p50", r.sync.p50, "p90", r.sync.p90,
                              "p99", r.sync.p99, "p99.9", r.sync.p999, "max", r.sync.max,
                              "min", r.sync.min, "avg", r.sync.avg,
                              "limitP99Ms", DISK_P99_LIMIT_MS, "ok", ok);
        if (!j || json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) ||
            putchar('\n') < 0)
            rc = 74;
        json_decref(j);
    } else {
        printf("=== Disk Test (write + fdatasync, etcd's fio recipe) ===\n"
               "Directory:        %s\n"
               "Writes:           %ld x %d bytes (%lld bytes)\n"
               "Duration:         %.3fs\n"
               "Writes/sec:       %.1f\n"
               "\nfdatasync latency:\n"
               "  P50:            %.3f ms\n"
               "  P90:            %.3f ms\n"
               "  P99:            %.3f ms\n"
               "  P99.9:          %.3f ms\n"
               "  Max:            %.3f ms\n"
               "\nVerdict:          %s: fdatasync p99 %.3f ms %s etcd's %.0f ms guidance\n",
               o->directory, r.writes, o->dt_block, (long long)r.bytes, r.seconds,
               r.writes_per_s, r.sync.p50, r.sync.p90, r.sync.p99, r.sync.p999, r.sync.max,
               ok ? "OK" : "TOO SLOW", r.sync.p99, ok ? "is within" : "exceeds",
               DISK_P99_LIMIT_MS);
    }
    return fflush(stdout) ? 74 : rc;
}
