/* csvfile.h — append whole lines to a file, never a torn one.
 *
 * Each line goes out in one write() on an O_APPEND descriptor. A short or failed
 * write is cut back (ftruncate) to the last whole line, the line is kept in a
 * capped in-memory backlog, the error is reported once (through the returned
 * status), and the backlog is retried in order before each later line. */
#ifndef EM_CSVFILE_H
#define EM_CSVFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "util.h"

#define CSVFILE_BACKLOG_MAX (8u << 20)  /* bytes of lines kept while the disk refuses */

typedef struct {
    int     fd;
    char   *path;          /* owned */
    off_t   good_size;     /* size after the last whole line */
    char   *backlog;       /* owned; lines not yet written */
    size_t  backlog_len;
    size_t  backlog_cap;
    size_t  backlog_lines; /* lines in the backlog (a header counts as one) */
    size_t  dropped;       /* lines lost because the backlog was full */
    int     last_errno;    /* 0 while writing works */
} csvfile_t;

/* What the last csvfile_append() did, for the caller to log once per change. */
typedef enum {
    CSVFILE_WRITTEN = 0,   /* line (and any backlog) is on disk */
    CSVFILE_FAILED,        /* writing just started failing: report last_errno once */
    CSVFILE_STILL_FAILING, /* still failing: already reported */
    CSVFILE_RESUMED        /* the backlog was written after a failure: report once */
} csvfile_status_t;

/* Open (create, append) path, created with mode 0600 (owner only; the umask may
 * take more away); if the file is new or empty, header is written first.
 * Returns 0, or -1 with errno set. */
int csvfile_open(csvfile_t *f, const char *path, const char *header) WARN_UNUSED_RESULT;
/* Append one line (must end in '\n'). */
csvfile_status_t csvfile_append(csvfile_t *f, const char *line, size_t len);
/* Append nlines whole lines at once (one write; all kept or queued together;
 * a backlog overflow counts nlines dropped). */
csvfile_status_t csvfile_append_lines(csvfile_t *f, const char *line, size_t len, size_t nlines);
/* Try to write the backlog now, without a new line (e.g. the last try at exit);
 * the status as for csvfile_append(). With no backlog nothing is written and
 * the status says whether the last write failed (CSVFILE_STILL_FAILING). */
csvfile_status_t csvfile_retry(csvfile_t *f);
void csvfile_close(csvfile_t *f);

/* Append a CSV field to dst (cap bytes, NUL-terminated), quoting when the value
 * has a comma, quote, CR or LF. Returns the new length, or cap when truncated. */
size_t csv_field(char *dst, size_t len, size_t cap, const char *value);

#endif
