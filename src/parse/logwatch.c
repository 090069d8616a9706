/* logwatch.c — etcd log lines: what kind of event a line reports (pure), and a
 * follower of a local log file with tail -F semantics (see logwatch.h).
 *
 * Classification looks at the message only: for a zap JSON line that is the
 * "msg" value (so a request or error field quoting "no leader" or NOSPACE does
 * not count), for anything else (capnslog text, journald prefixes) the whole
 * line. Lines are (pointer, length): they need not be NUL-terminated. */
#include "logwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define LW_LINE   512            /* the caller's line slots: 511 bytes + NUL */
#define LW_BUF    16384          /* bytes read ahead of the caller */
#define LW_READ_MAX 65536        /* bytes read per logwatch_read_lines() call: an
                                    endless file (/dev/zero) must not hold it */
#define LW_PATH   4096

/* Does s[0..n) contain needle? (bounded: s need not be NUL-terminated) */
static bool lw_has(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    if (m > n)
        return false;
    for (size_t i = 0; i + m <= n; i++)
        if (s[i] == needle[0] && memcmp(s + i, needle, m) == 0)
            return true;
    return false;
}

/* Find the "msg" value of a zap JSON line; its escapes are left as they are
 * (matching needs none). An unterminated value runs to the end of the line. */
static bool lw_zap_msg(const char *s, size_t n, const char **msg, size_t *mlen)
{
    static const char key[] = "\"msg\":\"";
    const size_t k = sizeof key - 1;
    for (size_t i = 0; i + k <= n; i++) {
        if (s[i] != '"' || memcmp(s + i, key, k) != 0)
            continue;
        size_t start = i + k, j = start;
        while (j < n && s[j] != '"')
            j += s[j] == '\\' ? 2 : 1;
        *msg = s + start;
        *mlen = (j < n ? j : n) - start;
        return true;
    }
    return false;
}

/* The kind of one message text (zap "msg" value or a whole text line). */
static log_kind_t lw_classify_text(const char *m, size_t n)
{
    if (lw_has(m, n, "slow fdatasync") ||
        (lw_has(m, n, "sync duration of") && lw_has(m, n, "expected less than")))
        return LOG_SLOW_FDATASYNC;
    /* zap: "apply request took too long"; capnslog 3.4: `read-only range
     * request "..." with result "..." took too long (2.5s) to execute` */
    if (lw_has(m, n, "apply request took too long") ||
        lw_has(m, n, "apply entries took too long") ||
        (lw_has(m, n, "request ") && lw_has(m, n, " took too long (") &&
         lw_has(m, n, " to execute")))
        return LOG_SLOW_APPLY;
    /* "raft.node: X lost leader Y at term 3" comes before the new election */
    if (lw_has(m, n, "lost leader") || lw_has(m, n, "no leader"))
        return LOG_LEADER_LOST;
    if (lw_has(m, n, "leader changed") || lw_has(m, n, "changed leader") ||
        lw_has(m, n, "elected leader") || lw_has(m, n, "became leader"))
        return LOG_LEADER_CHANGED;
    if (lw_has(m, n, "finished scheduled compaction"))
        return LOG_COMPACTION;
    /* zap "defragmenting" / capnslog "finished defragmenting the storage
     * backend": one line per defragmentation in either format */
    if (lw_has(m, n, "defragmenting"))
        return LOG_DEFRAG;
    if (lw_has(m, n, "alarm raised") || lw_has(m, n, "NOSPACE") ||
        (lw_has(m, n, "alarm ") && lw_has(m, n, " raised")))
        return LOG_ALARM;
    return LOG_NONE;
}

log_kind_t logwatch_classify(const char *line, size_t len)
{
    if (line == NULL || len == 0)
        return LOG_NONE;
    const char *msg;
    size_t mlen;
    if (lw_zap_msg(line, len, &msg, &mlen))
        return lw_classify_text(msg, mlen);
    return lw_classify_text(line, len);
}

const char *logwatch_kind_name(log_kind_t k)
{
    static const char *const names[LOG_KIND_COUNT] = {
        [LOG_NONE] = "none",
        [LOG_SLOW_FDATASYNC] = "slow_fdatasync",
        [LOG_SLOW_APPLY] = "slow_apply",
        [LOG_LEADER_CHANGED] = "leader_changed",
        [LOG_LEADER_LOST] = "leader_lost",
        [LOG_COMPACTION] = "compaction",
        [LOG_DEFRAG] = "defrag",
        [LOG_ALARM] = "alarm",
    };
    if ((int)k < 0 || k >= LOG_KIND_COUNT)
        return "unknown";
    return names[k];
}

/* ---- file follower ---------------------------------------------------- */

struct logwatch {
    char   path[LW_PATH];
    int    fd;              /* -1 while the file does not exist (or cannot be opened) */
    dev_t  dev;             /* identity of the open file, to notice a replacement */
    ino_t  ino;
    off_t  off;             /* bytes read from fd so far */
    char   buf[LW_BUF];     /* buf[head..len) is read, not yet returned */
    size_t head;
    size_t len;
    bool   skipping;        /* dropping the rest of a line longer than a slot */
    bool   more;            /* the last read stopped on its bound, not at the end */
};

/* Open path (read-only, non-blocking) and remember which file it is. */
static int lw_open(logwatch_t *w)
{
    int fd = open(w->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    int e = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (e != 0) {
        close(fd);
        errno = e;
        return -1;
    }
    w->fd = fd;
    w->dev = st.st_dev;
    w->ino = st.st_ino;
    w->off = 0;
    return 0;
}

logwatch_t *logwatch_open_file(const char *path, char *err, size_t errlen)
{
    if (path == NULL || path[0] == '\0' || strlen(path) >= LW_PATH) {
        snprintf(err, errlen, "log file: %s", path == NULL || path[0] == '\0' ?
                 "no path given" : "path too long");
        return NULL;
    }
    logwatch_t *w = calloc(1, sizeof *w);
    if (w == NULL) {
        snprintf(err, errlen, "log file %s: out of memory", path);
        return NULL;
    }
    memcpy(w->path, path, strlen(path) + 1);
    w->fd = -1;
    if (lw_open(w) == 0) {
        /* follow from the current end, like tail -F -n 0 */
        off_t end = lseek(w->fd, 0, SEEK_END);
        w->off = end > 0 ? end : 0;
    } else if (errno != ENOENT) {
        /* a missing file (or directory) is fine: it may be created later */
        snprintf(err, errlen, "log file %s: %s", path, strerror(errno));
        free(w);
        return NULL;
    }
    return w;
}

void logwatch_close(logwatch_t *w)
{
    if (w == NULL)
        return;
    if (w->fd >= 0)
        close(w->fd);
    free(w);
}

/* Move the unreturned bytes to the front of the buffer (before a read). */
static void lw_compact(logwatch_t *w)
{
    if (w->head == 0)
        return;
    memmove(w->buf, w->buf + w->head, w->len - w->head);
    w->len -= w->head;
    w->head = 0;
}

/* Copy s[0..n) into a line slot: cut to LW_LINE - 1 bytes, then no trailing
 * CR (cut first, so a long line reads the same whether its end was in the
 * buffer or not). */
static void lw_put(char *out, const char *s, size_t n)
{
    if (n > LW_LINE - 1)
        n = LW_LINE - 1;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Take one complete line from the buffer into out; false when there is none.
 * A line longer than a slot is returned cut, its rest dropped. */
static bool lw_take(logwatch_t *w, char *out)
{
    for (;;) {
        const char *p = w->buf + w->head;
        size_t avail = w->len - w->head;
        const char *nl = memchr(p, '\n', avail);
        if (nl != NULL) {
            size_t n = (size_t)(nl - p);
            bool was_skipping = w->skipping;
            if (!was_skipping)
                lw_put(out, p, n);
            w->skipping = false;
            w->head += n + 1;
            if (was_skipping)
                continue;          /* that was the tail of a cut line */
            return true;
        }
        if (w->skipping) {
            w->head = w->len = 0;
            return false;
        }
        if (avail >= LW_LINE - 1) {
            lw_put(out, p, LW_LINE - 1);
            w->head = w->len = 0;
            w->skipping = true;
            return true;
        }
        return false;
    }
}

/* At the end of the open file: has it been truncated, replaced (rotated), or
 * has the file appeared? Switch to the new content and return true, or false
 * when there is simply nothing new. A partial last line of the old content is
 * completed, so it is returned rather than lost. */
static bool lw_switch(logwatch_t *w)
{
    if (w->fd < 0)
        return lw_open(w) == 0;
    struct stat fst, pst;
    bool have_f = fstat(w->fd, &fst) == 0;
    if (have_f && S_ISREG(fst.st_mode) && fst.st_size < w->off) {
        if (lseek(w->fd, 0, SEEK_SET) != 0)
            return false;
        w->off = 0;                /* truncated: read it again from the start */
    } else if (stat(w->path, &pst) != 0) {
        return false;              /* gone: keep the old file until a new one appears */
    } else if (have_f && fst.st_nlink > 0 && pst.st_dev == w->dev && pst.st_ino == w->ino) {
        return false;              /* the same file, nothing new */
    } else {
        /* renamed away or deleted (a recreated file may even reuse the inode) */
        close(w->fd);
        w->fd = -1;
        if (lw_open(w) != 0)
            return false;
    }
    if (w->skipping) {
        w->skipping = false;
        w->head = w->len = 0;
    } else if (w->len > w->head) {
        lw_compact(w);
        w->buf[w->len++] = '\n';   /* room: an unfinished line is < LW_LINE - 1 bytes */
    }
    return true;
}

/* Bounded: at most max lines and LW_READ_MAX bytes read per call, so that an
 * endless or fast-growing file cannot hold the caller; logwatch_more() then
 * says there is more to read. */
int logwatch_read_lines(logwatch_t *w, char (*lines)[512], int max)
{
    if (w == NULL || lines == NULL || max <= 0)
        return 0;
    int n = 0;
    int switches = 0;              /* bound: a file rotating under us cannot spin us */
    size_t budget = LW_READ_MAX;   /* bytes this call may still read */
    w->more = false;
    while (n < max) {
        if (lw_take(w, lines[n])) {
            n++;
            continue;
        }
        if (w->fd < 0) {
            if (switches++ > 0 || !lw_switch(w))
                break;
            continue;
        }
        if (budget == 0) {
            w->more = true;        /* the rest is read by the next call */
            break;
        }
        lw_compact(w);
        size_t room = sizeof w->buf - w->len;
        ssize_t r = read(w->fd, w->buf + w->len, room < budget ? room : budget);
        if (r > 0) {
            w->len += (size_t)r;
            w->off += r;
            budget -= (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            break;                 /* a FIFO with nothing in it */
        /* end of file (or a read error): look for truncation or rotation */
        if (switches++ > 2 || !lw_switch(w))
            break;
    }
    if (n == max)
        w->more = true;            /* lines may be waiting in the buffer or the file */
    return n;
}

bool logwatch_more(const logwatch_t *w)
{
    return w != NULL && w->more;
}
