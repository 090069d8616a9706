/* ops_snapshot.c — snapshot save (streamed, SHA-256 checked, atomic) and
 * snapshot status of a file (ops_snapshot.h). */
#include "ops_snapshot.h"
#include "digest.h"
#include "loop_xfer.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int ops_snapshot_status(const char *path, bbolt_status_t *st, char *why, size_t whylen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size == 0) {
        snprintf(why, whylen, "%s: %s", path, S_ISREG(sb.st_mode) ? "empty file" : "not a file");
        close(fd);
        return -1;
    }
    void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char w[200];
    int r = bbolt_status(p, (size_t)sb.st_size, st, w, sizeof w);
    munmap(p, (size_t)sb.st_size);
    if (r)
        snprintf(why, whylen, "%s: %s", path, w);
    return r;
}

int ops_snapshot_print(FILE *f, const bbolt_status_t *st, bool json)
{
    if (json)
        return fprintf(f, "{\"hash\":%u,\"revision\":%lld,\"totalKey\":%lld,\"totalSize\":%lld}\n",
                       st->hash, (long long)st->revision, (long long)st->total_keys,
                       (long long)st->total_size) < 0 ? -1 : 0;
    char size[32];
    /* etcdctl's humanize.Bytes: SI units, e.g. "29 kB" */
    double v = (double)st->total_size;
    static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
    int u = 0;
    while (v >= 1000 && u < 4) {
        v /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(size, sizeof size, "%lld B", (long long)st->total_size);
    else
        snprintf(size, sizeof size, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
    char hash[16], rev[24], keys[24];
    snprintf(hash, sizeof hash, "%x", st->hash);
    snprintf(rev, sizeof rev, "%lld", (long long)st->revision);
    snprintf(keys, sizeof keys, "%lld", (long long)st->total_keys);
    return fprintf(f,
                   "+----------+----------+------------+------------+\n"
                   "|   HASH   | REVISION | TOTAL KEYS | TOTAL SIZE |\n"
                   "+----------+----------+------------+------------+\n"
                   "| %8s | %8s | %10s | %10s |\n"
                   "+----------+----------+------------+------------+\n",
                   hash, rev, keys, size) < 0 ? -1 : 0;
}

/* The state of one streaming save. */
typedef struct {
    int            fd;
    char          *line;          /* the JSON line being received */
    size_t         n, cap;
    unsigned char *blob;          /* decode buffer */
    size_t         blob_cap;
    sha256_t       sha;
    unsigned char  tail[32];      /* the last 32 bytes so far: not hashed (yet) */
    size_t         tail_n;
    int64_t        bytes;
    char           err[256];
    bool           progress;
    double         last_shown;
} save_t;

/* Hash everything but the last 32 bytes seen, which may be etcd's SHA-256. */
static void save_hash(save_t *s, const unsigned char *p, size_t n)
{
    unsigned char both[64];
    while (n > 0) {
        size_t take = n < 32 ? n : 32;
        memcpy(both, s->tail, s->tail_n);
        memcpy(both + s->tail_n, p, take);
        size_t all = s->tail_n + take;
        size_t out = all > 32 ? all - 32 : 0;
        sha256_update(&s->sha, both, out);
        memcpy(s->tail, both + out, all - out);
        s->tail_n = all - out;
        p += take;
        n -= take;
    }
}

/* One complete JSON line of the stream: write its blob. */
static int save_line(save_t *s, const char *l, size_t n)
{
    json_error_t je;
    json_t *j = json_loadb(l, n, 0, &je);
    if (!j) {
        snprintf(s->err, sizeof s->err, "a snapshot chunk is not JSON (%s)", je.text);
        return -1;
    }
    json_t *e = json_object_get(j, "error");
    if (e) {
        const char *msg = json_string_value(json_object_get(e, "message"));
        snprintf(s->err, sizeof s->err, "the member failed the snapshot: %s", msg ? msg : "?");
        json_decref(j);
        return -1;
    }
    const char *b = json_string_value(json_object_get(json_object_get(j, "result"), "blob"));
    size_t bl = b ? strlen(b) : 0;
    if (bl / 4 * 3 + 3 > s->blob_cap) {
        unsigned char *nb = realloc(s->blob, bl / 4 * 3 + 3);
        if (!nb) {
            json_decref(j);
            snprintf(s->err, sizeof s->err, "out of memory");
            return -1;
        }
        s->blob = nb;
        s->blob_cap = bl / 4 * 3 + 3;
    }
    long dn = b ? ops_unb64(b, bl, s->blob) : 0;
    json_decref(j);
    if (dn < 0) {
        snprintf(s->err, sizeof s->err, "a snapshot chunk is not base64");
        return -1;
    }
    for (size_t off = 0; off < (size_t)dn;) {
        ssize_t w = write(s->fd, s->blob + off, (size_t)dn - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            snprintf(s->err, sizeof s->err, "cannot write: %s", strerror(errno));
            return -1;
        }
        off += (size_t)w;
    }
    save_hash(s, s->blob, (size_t)dn);
    s->bytes += dn;
    if (s->progress && loop_mono() - s->last_shown > 0.2) {
        s->last_shown = loop_mono();
        fprintf(stderr, "\rsnapshot: %.1f MiB received", (double)s->bytes / 1048576.0);
    }
    return 0;
}

/* libcurl's write callback: split the stream into lines. */
static size_t save_write(char *p, size_t size, size_t nmemb, void *userp)
{
    save_t *s = userp;
    size_t n = size * nmemb;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            if (s->n && save_line(s, s->line, s->n))
                return 0;
            s->n = 0;
            continue;
        }
        if (s->n == s->cap) {
            size_t nc = s->cap ? s->cap * 2 : 65536;
            char *nl = nc <= (256u << 20) ? realloc(s->line, nc) : NULL;
            if (!nl) {
                snprintf(s->err, sizeof s->err, "a snapshot chunk is too large");
                return 0;
            }
            s->line = nl;
            s->cap = nc;
        }
        s->line[s->n++] = p[i];
    }
    return n;
}

/* fsync the directory holding path, so the rename is durable. */
static void sync_dir(const char *path)
{
    char *d = strdup(path);
    if (!d)
        return;
    int fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(d);
}

int ops_snapshot_save(ops_client_t *c, const ops_member_t *m, const char *path, bool progress,
                      ops_saved_t *out, char *err, size_t errlen)
{
    char part[4096], url[512];
    save_t s = { .fd = -1, .progress = progress };
    ops_req_t q;
    int rc = -1;
    memset(out, 0, sizeof *out);
    if (snprintf(part, sizeof part, "%s.part", path) >= (int)sizeof part) {
        snprintf(err, errlen, "file name too long");
        return -1;
    }
    if (ops_auth(c, m->url, err, errlen))
        return -1;
    if ((s.fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        snprintf(err, errlen, "cannot create %s: %s", part, strerror(errno));
        return -1;
    }
    sha256_init(&s.sha);
    if (ops_req_init(&q, 4096, NULL, NULL)) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    double t0 = loop_mono();
    snprintf(url, sizeof url, "%s/v3/maintenance/snapshot", m->url);
    if (ops_req_start(c, &q, url, "{}", 24L * 3600 * 1000) != 0) {
        snprintf(err, errlen, "%s: %s", m->url, q.r.errbuf);
        goto out_req;
    }
    /* Stream into the file instead of the capped body buffer. */
    loop_transfer_remove(c->loop, q.r.easy);
    curl_easy_setopt(q.r.easy, CURLOPT_WRITEFUNCTION, save_write);
    curl_easy_setopt(q.r.easy, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(q.r.easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)0);
    if (loop_transfer_add(c->loop, q.r.easy, &q.r.xfer) != 0) {
        q.r.active = false;
        c->http.active--;
        snprintf(err, errlen, "cannot start the transfer");
        goto out_req;
    }
    while (!q.finished)
        loop_run_once(c->loop, 100);
    if (progress)
        fprintf(stderr, "\r%40s\r", "");
    if (s.err[0]) {
        snprintf(err, errlen, "%s: %s", m->name, s.err);
        goto out_req;
    }
    if (q.r.result != CURLE_OK || q.r.status != 200) {
        char why[256];
        if (q.r.result == CURLE_OK && s.n) {    /* an error answer arrives as one line */
            json_t *j = json_loadb(s.line, s.n, 0, NULL);
            const char *msg = json_string_value(json_object_get(j, "message"));
            if (!msg)
                msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
            snprintf(why, sizeof why, "HTTP %ld: %s", q.r.status, msg ? msg : "error");
            json_decref(j);
        } else {
            ops_req_error(&q, why, sizeof why);
        }
        snprintf(err, errlen, "%s: the snapshot stream failed: %s", m->name, why);
        goto out_req;
    }
    if (s.n && save_line(&s, s.line, s.n)) {
        snprintf(err, errlen, "%s: %s", m->name, s.err);
        goto out_req;
    }
    unsigned char sum[32];
    sha256_final(&s.sha, sum);
    if (s.bytes < 512 + 32 || s.tail_n != 32 || memcmp(sum, s.tail, 32) != 0) {
        snprintf(err, errlen, "%s: the snapshot is incomplete or damaged (its SHA-256 does not "
                 "match, %lld bytes received)", m->name, (long long)s.bytes);
        goto out_req;
    }
    if (fsync(s.fd) != 0 || close(s.fd) != 0) {
        s.fd = -1;
        snprintf(err, errlen, "cannot write %s: %s", part, strerror(errno));
        goto out_req;
    }
    s.fd = -1;
    char why[256];
    if (ops_snapshot_status(part, &out->st, why, sizeof why)) {
        snprintf(err, errlen, "the saved snapshot does not read back: %s", why);
        goto out_req;
    }
    if (rename(part, path) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", part, path, strerror(errno));
        goto out_req;
    }
    sync_dir(path);
    out->bytes = s.bytes;
    out->seconds = loop_mono() - t0;
    rc = 0;
out_req:
    ops_req_free(c, &q);
out:
    if (s.fd >= 0)
        close(s.fd);
    if (rc)
        unlink(part);
    free(s.line);
    free(s.blob);
    return rc;
}
