/* cmd_benchmark.c — the benchmark command (and the seed's --run-benchmark
 * spelling of it): a confirmed load on the cluster, the seed's "=== Benchmark
 * Results ===" report (or -w json), the keys deleted unless --keep. */
#include <stdio.h>
#include <unistd.h>
#include <jansson.h>

#include "cmd_ops.h"
#include "commands.h"
#include "ops_bench.h"

int cmd_monitor_or_benchmark(config_t *cfg)
{
    return cfg->ops.run_benchmark ? cmd_benchmark(cfg) : cmd_monitor(cfg);
}

int cmd_benchmark(config_t *cfg)
{
    const char *cmd = "benchmark";
    const config_ops_t *o = &cfg->ops;
    char prefix[96], what[200], err[512];
    ops_bench_result_t r;
    static cmd_session_t s;         /* large: not on the stack */
    snprintf(prefix, sizeof prefix, "/etcd-monitor/benchmark/%ld/", (long)getpid());
    snprintf(what, sizeof what, "run %ld %s operations on the cluster under %s", o->bench_ops,
             o->bench_type == BENCH_WRITE ? "write" : o->bench_type == BENCH_READ ? "read" : "mixed",
             prefix);
    int rc = cmd_confirm(cfg, cmd, what);
    if (rc)
        return rc;
    if ((rc = cmd_session_open(&s, cfg, cmd, true)))
        return rc;
    if (s.c.leader < 0) {
        cmd_session_close(&s);
        return cmd_fail(1, cmd, "the cluster has no leader");
    }
    ops_member_t *ld = &s.c.m[s.c.leader];
    int64_t rev0 = ld->revision;
    if (ops_bench_run(&s.c, o, prefix, cmd_tty(2), &r, err, sizeof err)) {
        char e2[256];
        if (!o->keep && ops_bench_cleanup(&s.c, prefix, e2, sizeof e2))
            fprintf(stderr, "etcd-monitor: benchmark: keys left under %s\n", prefix);
        cmd_session_close(&s);
        return cmd_fail(1, cmd, "%s", err);
    }
    r.rev_before = rev0;
    r.rev_after = ops_member_status(&s.c, ld) == 0 ? ld->revision : 0;
    if (!o->keep && ops_bench_cleanup(&s.c, prefix, err, sizeof err))
        fprintf(stderr, "etcd-monitor: benchmark: the keys under %s were not deleted: %s\n",
                prefix, err);
    if (cfg->write_out == WRITE_JSON) {
        json_t *j = json_pack("{s:s,s:f,s:I,s:I,s:I,s:I,s:I,s:f,s:{s:f,s:f,s:f,s:f,s:f,s:f},"
                              "s:I,s:I,s:s,s:b}",
                              "type", o->bench_type == BENCH_WRITE ? "write" :
                                      o->bench_type == BENCH_READ ? "read" : "mixed",
                              "seconds", r.seconds, "total", (json_int_t)r.total,
                              "successful", (json_int_t)r.ok, "failed", (json_int_t)r.failed,
                              "writesOk", (json_int_t)r.writes_ok, "readsOk",
                              (json_int_t)r.reads_ok, "opsPerSecond",
                              r.seconds > 0 ? (double)r.total / r.seconds : 0.0,
                              "latencyMs", "avg", r.lat.avg, "p50", r.lat.p50, "p95", r.lat.p95,
                              "p99", r.lat.p99, "min", r.lat.min, "max", r.lat.max,
                              "revisionBefore", (json_int_t)r.rev_before, "revisionAfter",
                              (json_int_t)r.rev_after, "prefix", prefix, "kept", o->keep);
        if (j)
            (void)json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        putchar('\n');
        json_decref(j);
    } else {
        ops_bench_print(stdout, &r);
    }
    if (r.failed)
        fprintf(stderr, "etcd-monitor: benchmark: %ld operations failed, the first: %s\n",
                r.failed, r.first_error);
    cmd_session_close(&s);
    return fflush(stdout) ? 74 : (r.failed ? 1 : 0);
}
