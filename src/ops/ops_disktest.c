/* ops_disktest.c — write + fdatasync latency test (ops_disktest.h). */
#include "ops_disktest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ops_disktest_run(const char *dir, int64_t size, int block, bool progress,
                     ops_disktest_t *out, char *err, size_t errlen)
{
    struct stat sb;
    memset(out, 0, sizeof *out);
    if (stat(dir, &sb) != 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "%s: not a directory", dir);
        return -1;
    }
    char path[4096];
    if (snprintf(path, sizeof path, "%s/etcd-monitor-disk-test.XXXXXX", dir) >= (int)sizeof path) {
        snprintf(err, errlen, "%s: path too long", dir);
        return -1;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write in %s: %s", dir, strerror(errno));
        return -1;
    }
    long n = (long)(size / block);
    if (n < 1)
        n = 1;
    double *ms = malloc((size_t)n * sizeof *ms);
    char *buf = malloc((size_t)block);
    int rc = -1;
    if (!ms || !buf) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (int i = 0; i < block; i++)              /* not all zeros: no compression shortcuts */
        buf[i] = (char)(rand() & 0xff);
    double t0 = now_s(), shown = t0;
    for (long i = 0; i < n; i++) {
        for (ssize_t off = 0; off < block;) {
            ssize_t w = write(fd, buf + off, (size_t)(block - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                snprintf(err, errlen, "write in %s: %s", dir, strerror(errno));
                goto out;
            }
            off += w;
        }
        double a = now_s();
        if (fdatasync(fd) != 0) {
            snprintf(err, errlen, "fdatasync in %s: %s", dir, strerror(errno));
            goto out;
        }
        double b = now_s();
        ms[i] = (b - a) * 1000.0;
        if (progress && b - shown > 0.25) {
            shown = b;
            fprintf(stderr, "\rdisk-test: %ld of %ld writes", i + 1, n);
        }
    }
    out->seconds = now_s() - t0;
    if (progress)
        fprintf(stderr, "\r%40s\r", "");
    out->writes = n;
    out->bytes = (int64_t)n * block;
    out->writes_per_s = out->seconds > 0 ? (double)n / out->seconds : 0;
    ops_lat_summarise(ms, (size_t)n, &out->sync);
    rc = 0;
out:
    close(fd);
    unlink(path);
    free(ms);
    free(buf);
    return rc;
}
