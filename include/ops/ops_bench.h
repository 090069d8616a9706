/* ops_bench.h — the benchmark load: --clients requests in flight over at most
 * --conns kept-alive connections, writes (puts) to the leader, reads (ranges)
 * spread over the members, mixed by --read-ratio, an optional --rate limit;
 * every latency kept; keys under a prefix, deleted at the end unless --keep. */
#ifndef EM_OPS_BENCH_H
#define EM_OPS_BENCH_H

#include <stdbool.h>
#include <stdio.h>
#include "config.h"
#include "ops_client.h"
#include "ops_latency.h"

typedef struct {
    bench_type_t type;
    long         total, ok, failed;
    long         writes_ok, reads_ok;
    double       seconds;
    ops_lat_t    lat;            /* ms, of every operation (failed ones too) */
    char         first_error[256];
    int64_t      rev_before, rev_after;
} ops_bench_result_t;

/* Run the load of o under prefix. 0 (failed operations are counted, not
 * fatal), or -1 with err when it cannot run at all. */
int ops_bench_run(ops_client_t *c, const config_ops_t *o, const char *prefix, bool progress,
                  ops_bench_result_t *res, char *err, size_t errlen) WARN_UNUSED_RESULT;
/* Delete every key under prefix. 0 or -1. */
int ops_bench_cleanup(ops_client_t *c, const char *prefix, char *err, size_t errlen)
    WARN_UNUSED_RESULT;
/* The seed's "=== Benchmark Results ===" report. */
void ops_bench_print(FILE *f, const ops_bench_result_t *r);

#endif
