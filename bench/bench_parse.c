/* bench_parse.c — throughput of metrics_extract() on the captured etcd bodies.
 *
 * For every tests/data/etcd-3.4-*.metrics (or the files given as arguments),
 * runs metrics_extract() back to back for about two seconds and prints
 *   parse: X MB/s, Y samples/s, Z scrapes/s (file: NAME, N bytes)
 * then one total line; then the same totals for two other passes over the same
 * bodies, for comparison (bench/run.sh prints the ratios):
 *   full parse: ... prom_parse() handing every sample to a callback (what a
 *               general Prometheus text parser does)
 *   stream: ...     metrics_stream over 16 KiB pieces, as libcurl hands a body
 *               over (the monitor's own path: no copy of the body)
 *   memchr: ...     a newline count with memchr(): the ceiling of any line parser
 * Samples per body are counted once with prom_parse(). */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics.h"
#include "prom.h"

#define BENCH_SECONDS 2.0
#define DEFAULT_GLOB  "tests/data/etcd-3.4-*.metrics"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *load_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc(n > 0 ? (size_t)n : 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    *len = n > 0 ? (size_t)n : 0;
    return buf;
}

static void count_sample(const prom_sample_t *s, void *ctx)
{
    (void)s;
    (*(long *)ctx)++;
}

static void print_rate(const char *pass, double bytes, double samples, double scrapes,
                       double secs, const char *what)
{
    printf("%s: %.1f MB/s, ", pass, bytes / secs / 1e6);
    if (samples >= 0)                   /* the newline count sees no samples */
        printf("%.0f samples/s, ", samples / secs);
    printf("%.0f scrapes/s (%s)\n", scrapes / secs, what);
}

enum pass { PASS_EXTRACT, PASS_FULL, PASS_STREAM, PASS_MEMCHR, PASS_COUNT };
static const char *const pass_name[PASS_COUNT] = { "parse", "full parse", "stream", "memchr" };
#define STREAM_PIECE 16384                 /* libcurl's default receive buffer */
static metrics_stream_t *stream;

/* One pass of kind p over body; returns something derived from it (kept live). */
static double pass_run(enum pass p, const char *body, size_t len)
{
    prom_error_t err;
    if (p == PASS_EXTRACT) {
        metrics_sample_t m;
        return metrics_extract(body, len, &m, &err) == 0 ? m.db_size.v : -1;
    }
    if (p == PASS_FULL) {
        long n = 0;
        return prom_parse(body, len, NULL, count_sample, &n, &err) == 0 ? (double)n : -1;
    }
    if (p == PASS_STREAM) {
        metrics_sample_t m;
        metrics_stream_begin(stream);
        for (size_t at = 0; at < len; at += STREAM_PIECE)
            metrics_stream_feed(stream, body + at, len - at < STREAM_PIECE ? len - at : STREAM_PIECE);
        return metrics_stream_end(stream, &m, &err) == 0 ? m.db_size.v : -1;
    }
    size_t lines = 0;
    for (const char *q = body, *e = body + len; q < e; lines++) {
        const char *nl = memchr(q, '\n', (size_t)(e - q));
        if (!nl)
            break;
        q = nl + 1;
    }
    return (double)lines;
}

struct totals {
    double bytes, samples, scrapes, secs;
};

/* Time one body under each pass; adds its work to the totals. Returns -1 if it
 * does not parse. */
static int bench_file(const char *path, struct totals tot[PASS_COUNT], double *size)
{
    size_t len;
    char *body = load_file(path, &len);
    if (!body) {
        fprintf(stderr, "bench-parse: cannot read %s\n", path);
        return -1;
    }
    long samples = 0;
    prom_error_t err;
    if (prom_parse(body, len, NULL, count_sample, &samples, &err) != 0) {
        fprintf(stderr, "bench-parse: %s:%d:%d: %s\n", path, err.line, err.col, err.msg);
        free(body);
        return -1;
    }
    for (int p = 0; p < PASS_COUNT; p++) {
        volatile double sink = 0;
        long scrapes = 0;
        double t0 = now_seconds(), t;
        do {
            double r = pass_run((enum pass)p, body, len);
            if (r < 0) {
                fprintf(stderr, "bench-parse: %s: %s failed\n", path, pass_name[p]);
                free(body);
                return -1;
            }
            sink += r;
            scrapes++;
            t = now_seconds() - t0;
        } while (t < (p == PASS_EXTRACT ? BENCH_SECONDS : BENCH_SECONDS / 2));
        (void)sink;
        if (p == PASS_EXTRACT) {
            const char *base = strrchr(path, '/');
            char what[512];
            snprintf(what, sizeof what, "file: %s, %zu bytes", base ? base + 1 : path, len);
            print_rate("parse", (double)len * (double)scrapes, (double)samples * (double)scrapes,
                       (double)scrapes, t, what);
        }
        tot[p].bytes += (double)len * (double)scrapes;
        tot[p].samples += (double)samples * (double)scrapes;
        tot[p].scrapes += (double)scrapes;
        tot[p].secs += t;
    }
    *size += (double)len;
    free(body);
    return 0;
}

int main(int argc, char **argv)
{
    glob_t g;
    memset(&g, 0, sizeof g);
    char **files = argv + 1;
    size_t nfiles = (size_t)(argc - 1);
    if (nfiles == 0) {
        if (glob(DEFAULT_GLOB, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
            fprintf(stderr, "bench-parse: no %s (run from the repository root)\n", DEFAULT_GLOB);
            return 1;
        }
        files = g.gl_pathv;
        nfiles = g.gl_pathc;
    }
    if (!(stream = metrics_stream_new(1 << 20))) {
        fprintf(stderr, "bench-parse: out of memory\n");
        return 1;
    }
    struct totals tot[PASS_COUNT] = {{0}};
    double total_size = 0;
    int rc = 0;
    for (size_t i = 0; i < nfiles; i++)
        if (bench_file(files[i], tot, &total_size) != 0)
            rc = 1;
    for (int p = 0; p < PASS_COUNT && tot[p].secs > 0; p++) {
        char what[160];
        snprintf(what, sizeof what, "total: %zu files, %.0f bytes%s", nfiles, total_size,
                 p == PASS_FULL ? "; prom_parse, every sample" :
                 p == PASS_STREAM ? "; metrics_stream, 16 KiB pieces" :
                 p == PASS_MEMCHR ? "; newline count, the ceiling" : "");
        print_rate(pass_name[p], tot[p].bytes, p == PASS_MEMCHR ? -1 : tot[p].samples, tot[p].scrapes, tot[p].secs,
                   what);
    }
    if (nfiles && files == g.gl_pathv)
        globfree(&g);
    metrics_stream_free(stream);
    return rc;
}
