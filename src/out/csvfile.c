/* csvfile.c — append whole lines to a CSV or log file (see csvfile.h).
 *
 * Promise: a SIGKILL or a full disk never leaves a torn line, and a line that
 * could not be written is kept (in a capped backlog) and written later, in
 * order. How:
 *  - every line (or the whole backlog) goes out in one write() on an O_APPEND
 *    descriptor, so a kill between writes leaves only whole lines;
 *  - good_size is the file size after the last whole line we wrote (fstat);
 *    when a write falls short the file is cut back to good_size with
 *    ftruncate() and the line stays queued;
 *  - the backlog is written all or nothing: lines may hold quoted newlines, so
 *    a newline in the bytes that went out is not proof of a record end.
 * One writer per file is assumed (the workspace directory is ours). */
#include "csvfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CSVFILE_BACKLOG_MIN 4096

/* Cut the file back to good_size, retrying on EINTR. */
static int csvfile_cut(csvfile_t *f)
{
    while (ftruncate(f->fd, f->good_size) != 0) {
        if (errno != EINTR)
            return -1;
    }
    return 0;
}

/* Before writing while failing: make sure no torn bytes of an earlier failed
 * write (whose cut failed too) are left past good_size. */
static int csvfile_repair(csvfile_t *f)
{
    struct stat st;
    if (fstat(f->fd, &st) != 0)
        return -1;
    if (st.st_size > f->good_size)
        return csvfile_cut(f);
    f->good_size = st.st_size; /* shrunk behind our back: trust the file */
    return 0;
}

/* Write n bytes of whole lines at the end of the file, all or nothing.
 * Returns 0, or -1 with errno set and the file cut back to good_size. */
static int csvfile_write(csvfile_t *f, const char *p, size_t n)
{
    if ((f->last_errno != 0 || f->backlog_len > 0) && csvfile_repair(f) != 0)
        return -1;
    size_t off = 0;
    int err = 0;
    while (off < n) {
        ssize_t w = write(f->fd, p + off, n - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        if (w == 0) {
            err = ENOSPC;
            break;
        }
        /* A short write (disk full, file size limit, signal): go on with the
         * rest, which either completes the line or tells us why it cannot. */
        off += (size_t)w;
    }
    if (off == n) {
        struct stat st;
        if (fstat(f->fd, &st) == 0)
            f->good_size = st.st_size;
        else
            f->good_size += (off_t)n;
        return 0;
    }
    if (off > 0)
        (void)csvfile_cut(f); /* if this fails too, csvfile_repair() retries it */
    errno = err;
    return -1;
}

/* Keep nlines lines for later, adding the final '\n' if missing; lines that
 * do not fit under CSVFILE_BACKLOG_MAX (or in memory) are counted in dropped. */
static void csvfile_queue(csvfile_t *f, const char *line, size_t len, size_t nlines)
{
    bool add_nl = len == 0 || line[len - 1] != '\n';
    size_t need = len + (add_nl ? 1 : 0);
    if (need > CSVFILE_BACKLOG_MAX - f->backlog_len) {
        f->dropped += nlines;
        return;
    }
    if (f->backlog_len + need > f->backlog_cap) {
        size_t ncap = f->backlog_cap > 0 ? f->backlog_cap : CSVFILE_BACKLOG_MIN;
        while (ncap < f->backlog_len + need)
            ncap *= 2;
        if (ncap > CSVFILE_BACKLOG_MAX)
            ncap = CSVFILE_BACKLOG_MAX;
        char *p = realloc(f->backlog, ncap);
        if (p == NULL) {
            f->dropped += nlines;
            return;
        }
        f->backlog = p;
        f->backlog_cap = ncap;
    }
    if (len > 0)
        memcpy(f->backlog + f->backlog_len, line, len);
    f->backlog_len += len;
    if (add_nl)
        f->backlog[f->backlog_len++] = '\n';
    f->backlog_lines += nlines;
}

/* Write the whole backlog in one go; on success it is emptied. */
static int csvfile_flush(csvfile_t *f)
{
    if (f->backlog_len == 0)
        return 0;
    if (csvfile_write(f, f->backlog, f->backlog_len) != 0)
        return -1;
    f->backlog_len = 0;
    f->backlog_lines = 0;
    return 0;
}

int csvfile_open(csvfile_t *f, const char *path, const char *header)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->path = strdup(path);
    if (f->path == NULL)
        return -1;
    int fd;
    do
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600); /* owner only */
    while (fd < 0 && errno == EINTR);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        free(f->path);
        f->path = NULL;
        errno = e;
        return -1;
    }
    f->fd = fd;
    f->good_size = st.st_size;
    if (st.st_size == 0 && header != NULL && header[0] != '\0') {
        size_t hl = strlen(header);
        /* A disk already full: the header waits in the backlog like any line
         * and the first append reports the failure. */
        if (header[hl - 1] == '\n') {
            if (csvfile_write(f, header, hl) != 0)
                csvfile_queue(f, header, hl, 1);
        } else {
            csvfile_queue(f, header, hl, 1); /* adds the '\n' */
            (void)csvfile_flush(f);
        }
    }
    return 0;
}

csvfile_status_t csvfile_append(csvfile_t *f, const char *line, size_t len)
{
    return csvfile_append_lines(f, line, len, 1);
}

csvfile_status_t csvfile_append_lines(csvfile_t *f, const char *line, size_t len, size_t nlines)
{
    bool was_failing = f->last_errno != 0;
    int err = 0;
    if (f->backlog_len > 0 && csvfile_flush(f) != 0) {
        err = errno;
        csvfile_queue(f, line, len, nlines);
    } else if (len > 0 && line[len - 1] == '\n') {
        if (csvfile_write(f, line, len) != 0) {
            err = errno;
            csvfile_queue(f, line, len, nlines);
        }
    } else {
        csvfile_queue(f, line, len, nlines); /* adds the missing '\n' */
        if (csvfile_flush(f) != 0)
            err = errno;
    }
    if (err != 0) {
        f->last_errno = err;
        return was_failing ? CSVFILE_STILL_FAILING : CSVFILE_FAILED;
    }
    f->last_errno = 0;
    return was_failing ? CSVFILE_RESUMED : CSVFILE_WRITTEN;
}

csvfile_status_t csvfile_retry(csvfile_t *f)
{
    if (f->backlog_len == 0)
        return f->last_errno != 0 ? CSVFILE_STILL_FAILING : CSVFILE_WRITTEN;
    bool was_failing = f->last_errno != 0;
    if (csvfile_flush(f) != 0) {
        f->last_errno = errno;
        return was_failing ? CSVFILE_STILL_FAILING : CSVFILE_FAILED;
    }
    f->last_errno = 0;
    return was_failing ? CSVFILE_RESUMED : CSVFILE_WRITTEN;
}

void csvfile_close(csvfile_t *f)
{
    if (f->fd >= 0) {
        (void)csvfile_flush(f); /* last chance for lines kept in memory */
        close(f->fd);
    }
    f->fd = -1;
    free(f->path);
    f->path = NULL;
    free(f->backlog);
    f->backlog = NULL;
    f->backlog_len = 0;
    f->backlog_lines = 0;
    f->backlog_cap = 0;
}

size_t csv_field(char *dst, size_t len, size_t cap, const char *value)
{
    if (len >= cap)
        return cap;
    if (value == NULL)
        value = "";
    size_t vlen = strlen(value);
    bool quote = strpbrk(value, ",\"\r\n") != NULL;
    size_t out = vlen;
    if (quote) {
        out += 2;
        for (const char *q = value; *q; q++)
            if (*q == '"')
                out++;
    }
    if (out >= cap - len) { /* no room for the field and its NUL */
        dst[len] = '\0';
        return cap;
    }
    char *d = dst + len;
    if (!quote) {
        memcpy(d, value, vlen);
        d += vlen;
    } else {
        *d++ = '"';
        for (const char *q = value; *q; q++) {
            if (*q == '"')
                *d++ = '"';
            *d++ = *q;
        }
        *d++ = '"';
    }
    *d = '\0';
    return len + out;
}
