/* ops_bench.c — the benchmark load and its report (ops_bench.h). */
#include "ops_bench.h"
#include "loop_xfer.h"

#include <stdlib.h>
#include <string.h>

typedef struct bench bench_t;
typedef struct {
    ops_req_t q;
    bench_t  *b;
    bool      busy, is_write;
    char     *body;             /* owned: the request body in flight */
} bench_client_t;

struct bench {
    ops_client_t        *c;
    const config_ops_t  *o;
    const char          *prefix;
    char                *value_b64;
    long                 issued, done;
    double              *ms;
    ops_bench_result_t  *res;
    int                  read_rr;    /* next member for a read */
};

static const char *const type_name[] = { "write", "read", "mixed" };

/* A finished operation: count it and keep its latency. */
static void bench_done(ops_req_t *q, void *ctx)
{
    bench_client_t *bc = ctx;
    bench_t *b = bc->b;
    bool ok = q->r.result == CURLE_OK && q->r.status == 200;
    b->ms[b->done++] = q->r.total_s * 1000.0;
    if (ok) {
        b->res->ok++;
        if (bc->is_write)
            b->res->writes_ok++;
        else
            b->res->reads_ok++;
    } else {
        b->res->failed++;
        if (!b->res->first_error[0])
            ops_req_error(q, b->res->first_error, sizeof b->res->first_error);
    }
    bc->busy = false;
}

/* The key of operation i: prefix + key-size characters from i mod key-space. */
static void bench_key(const bench_t *b, long i, char *out, size_t cap)
{
    char digits[32], key[1100];
    long k = i % b->o->key_space;
    int dn = snprintf(digits, sizeof digits, "%ld", k);
    int ks = b->o->key_size;
    for (int j = 0; j < ks; j++)      /* right-aligned, zero-padded, cut to key-size */
        key[j] = j < ks - dn ? '0' : digits[dn - (ks - j)];
    key[ks] = '\0';
    snprintf(out, cap, "%s%s", b->prefix, key);
}

/* Start operation number b->issued on client bc. */
static int bench_start(bench_t *b, bench_client_t *bc)
{
    char key[1200], url[600];
    const ops_client_t *c = b->c;
    bool write = b->o->bench_type == BENCH_WRITE ||
                 (b->o->bench_type == BENCH_MIXED &&
                  (double)rand() / ((double)RAND_MAX + 1.0) >= b->o->read_ratio);
    bench_key(b, b->issued, key, sizeof key);
    char *k64 = ops_b64(key, strlen(key));
    if (!k64)
        return -1;
    const ops_member_t *m = &c->m[c->leader];
    size_t need = strlen(k64) + (write ? strlen(b->value_b64) : 0) + 32;
    free(bc->body);                     /* the previous operation's, ended */
    if (!(bc->body = malloc(need))) {
        free(k64);
        return -1;
    }
    if (write) {
        snprintf(url, sizeof url, "%s/v3/kv/put", m->url);
        snprintf(bc->body, need, "{\"key\":\"%s\",\"value\":\"%s\"}", k64, b->value_b64);
    } else {
        for (int t = 0; t < c->n; t++) {  /* reads round-robin over the members that answered */
            const ops_member_t *r = &c->m[(b->read_rr + t) % c->n];
            if (r->up) {
                m = r;
                b->read_rr = (b->read_rr + t + 1) % c->n;
                break;
            }
        }
        snprintf(url, sizeof url, "%s/v3/kv/range", m->url);
        snprintf(bc->body, need, "{\"key\":\"%s\"}", k64);
    }
    free(k64);
    bc->is_write = write;
    if (ops_req_start(b->c, &bc->q, url, bc->body, 0))
        return -1;
    bc->busy = true;
    b->issued++;
    return 0;
}

int ops_bench_run(ops_client_t *c, const config_ops_t *o, const char *prefix, bool progress,
                  ops_bench_result_t *res, char *err, size_t errlen)
{
    bench_t b = { .c = c, .o = o, .prefix = prefix, .res = res };
    memset(res, 0, sizeof *res);
    res->type = o->bench_type;
    if (c->leader < 0) {
        snprintf(err, errlen, "the cluster has no leader to write to");
        return -1;
    }
    int nc = o->clients;
    bench_client_t *cl = calloc((size_t)nc, sizeof *cl);
    char *val = malloc((size_t)o->value_size + 1);
    b.ms = malloc((size_t)o->bench_ops * sizeof *b.ms);
    int rc = -1, inited = 0;
    if (!cl || !val || !b.ms) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    memset(val, 'v', (size_t)o->value_size);
    if (!(b.value_b64 = ops_b64(val, (size_t)o->value_size))) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (ops_auth(c, c->m[c->leader].url, err, errlen))
        goto out;
    for (; inited < nc; inited++) {
        cl[inited].b = &b;
        if (ops_req_init(&cl[inited].q, 1 << 20, bench_done, &cl[inited])) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
    }
    curl_multi_setopt(loop_multi(c->loop), CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->conns);
    double t0 = loop_mono(), shown = t0;
    while (b.done < o->bench_ops) {
        double now = loop_mono();
        for (int i = 0; i < nc && b.issued < o->bench_ops; i++) {
            if (cl[i].busy)
                continue;
            if (o->rate > 0 && now < t0 + (double)b.issued / o->rate)
                break;
            if (bench_start(&b, &cl[i])) {
                snprintf(err, errlen, "cannot start a request: %s", cl[i].q.r.errbuf);
                goto out;
            }
        }
        loop_run_once(c->loop, o->rate > 0 ? 2 : 50);
        if (progress && loop_mono() - shown > 0.25) {
            shown = loop_mono();
            fprintf(stderr, "\rbenchmark: %ld of %ld", b.done, o->bench_ops);
        }
    }
    res->seconds = loop_mono() - t0;
    if (progress)
        fprintf(stderr, "\r%40s\r", "");
    res->total = b.done;
    ops_lat_summarise(b.ms, (size_t)b.done, &res->lat);
    rc = 0;
out:
    for (int i = 0; i < inited; i++) {
        ops_req_free(c, &cl[i].q);
        free(cl[i].body);
    }
    curl_multi_setopt(loop_multi(c->loop), CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
    free(cl);
    free(val);
    free(b.value_b64);
    free(b.ms);
    return rc;
}

int ops_bench_cleanup(ops_client_t *c, const char *prefix, char *err, size_t errlen)
{
    size_t n = strlen(prefix);
    char *end = strdup(prefix);
    if (!end || n == 0) {
        free(end);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    end[n - 1]++;                        /* the range end: the prefix's successor */
    char *k = ops_b64(prefix, n), *e = ops_b64(end, n);
    char body[1024];
    json_t *j = NULL;
    int r = -1;
    if (k && e) {
        snprintf(body, sizeof body, "{\"key\":\"%s\",\"range_end\":\"%s\"}", k, e);
        r = ops_call(c, c->m[c->leader].url, "/v3/kv/deleterange", body, 0, &j, err, errlen);
    }
    json_decref(j);
    free(end);
    free(k);
    free(e);
    return r;
}

void ops_bench_print(FILE *f, const ops_bench_result_t *r)
{
    double tp = r->seconds > 0 ? (double)r->total / r->seconds : 0;
    fprintf(f, "=== Benchmark Results ===\n"
               "Type:             %s\n"
               "Duration:         %.3fs\n"
               "Total Operations: %ld\n"
               "Successful:       %ld\n"
               "Failed:           %ld\n"
               "Throughput:       %.2f ops/sec\n"
               "\n"
               "Latency:\n"
               "  Average:        %.2f ms\n"
               "  P50:            %.2f ms\n"
               "  P95:            %.2f ms\n"
               "  P99:            %.2f ms\n"
               "  Min:            %.2f ms\n"
               "  Max:            %.2f ms\n"
               "\n"
               "Latency Distribution:\n",
            type_name[r->type], r->seconds, r->total, r->ok, r->failed, tp, r->lat.avg,
            r->lat.p50, r->lat.p95, r->lat.p99, r->lat.min, r->lat.max);
    for (int i = 0; i < OPS_LAT_BUCKETS; i++)
        fprintf(f, "  %-13s: %6ld (%.2f%%)\n", ops_lat_bucket_name[i], r->lat.bucket[i],
                r->total ? 100.0 * (double)r->lat.bucket[i] / (double)r->total : 0.0);
}
