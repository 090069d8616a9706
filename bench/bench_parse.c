/* bench_parse.c — throughput of metrics_extract() on the captured etcd bodies.
 *
 * For every tests/data/etcd-3.4-*.metrics (or the files given as arguments),
 * runs metrics_extract() back to back for about two seconds and prints
 *   parse: X MB/s, Y samples/s, Z scrapes/s (file: NAME, N bytes)
 * then one total line. Samples per body are counted once with prom_parse(). */
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

static void print_rate(double bytes, double samples, double scrapes, double secs,
                       const char *what)
{
    printf("parse: %.1f MB/s, %.0f samples/s, %.0f scrapes/s (%s)\n", bytes / secs / 1e6,
           samples / secs, scrapes / secs, what);
}

/* Time one body; adds its work to the totals. Returns -1 if it does not parse. */
static int bench_file(const char *path, double *tot_bytes, double *tot_samples,
                      double *tot_scrapes, double *tot_secs)
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
    metrics_sample_t m;
    volatile double sink = 0;
    long scrapes = 0;
    double t0 = now_seconds(), t;
    do {
        if (metrics_extract(body, len, &m, &err) != 0) {
            fprintf(stderr, "bench-parse: %s: extract failed\n", path);
            free(body);
            return -1;
        }
        sink += m.db_size.v;
        scrapes++;
        t = now_seconds() - t0;
    } while (t < BENCH_SECONDS);
    (void)sink;

    const char *base = strrchr(path, '/');
    char what[512];
    snprintf(what, sizeof what, "file: %s, %zu bytes", base ? base + 1 : path, len);
    print_rate((double)len * (double)scrapes, (double)samples * (double)scrapes,
               (double)scrapes, t, what);
    *tot_bytes += (double)len * (double)scrapes;
    *tot_samples += (double)samples * (double)scrapes;
    *tot_scrapes += (double)scrapes;
    *tot_secs += t;
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
    double bytes = 0, samples = 0, scrapes = 0, secs = 0, total_size = 0;
    int rc = 0;
    for (size_t i = 0; i < nfiles; i++) {
        double b0 = bytes, s0 = scrapes;
        if (bench_file(files[i], &bytes, &samples, &scrapes, &secs) != 0)
            rc = 1;
        else
            total_size += (bytes - b0) / (scrapes - s0);
    }
    if (secs > 0) {
        char what[128];
        snprintf(what, sizeof what, "total: %zu files, %.0f bytes", nfiles, total_size);
        print_rate(bytes, samples, scrapes, secs, what);
    }
    if (nfiles && files == g.gl_pathv)
        globfree(&g);
    return rc;
}
