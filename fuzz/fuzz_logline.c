/* fuzz_logline.c — libFuzzer target: etcd log lines (logwatch.c) on arbitrary
 * bytes: the classification of the whole input and of each of its lines, and
 * the file follower reading the input as it is appended to a log file in
 * pieces, then rotated.
 *
 * Lines are copied into exactly-sized heap buffers (no NUL after them), so a
 * read past a line is an ASan report. The follower must return exactly the
 * input's lines, each cut to 511 bytes without a trailing CR, however the
 * appends split them; the last, unfinished line comes when the file rotates.
 * The first byte of the input chooses the split and how many lines are taken
 * per call. */
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logwatch.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SLOT 512              /* logwatch_read_lines' line slots */
#define FOLLOW_MAX 8192       /* inputs up to this size are followed too */

static char dir[512], path[600], old_path[620];

static void remove_files(void)
{
    unlink(path);
    unlink(old_path);
}

static void cleanup(void)
{
    remove_files();
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fuzz_logline.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("fuzz_logline: mkdtemp");
        abort();
    }
    snprintf(path, sizeof path, "%s/etcd.log", dir);
    snprintf(old_path, sizeof old_path, "%s/etcd.log.1", dir);
    atexit(cleanup);
    return 0;
}

static void check_kind(log_kind_t k)
{
    if ((int)k < 0 || k >= LOG_KIND_COUNT || strcmp(logwatch_kind_name(k), "unknown") == 0)
        abort();
}

/* Classify s[0..n) from an exactly-sized copy. */
static void classify(const uint8_t *s, size_t n)
{
    char *copy = malloc(n > 0 ? n : 1);
    if (copy == NULL)
        return;
    memcpy(copy, s, n);
    check_kind(logwatch_classify(copy, n));
    free(copy);
}

/* The line the follower must give for s[0..n): cut to SLOT - 1 bytes, then
 * without a trailing CR. */
static void expect_line(const uint8_t *s, size_t n, const char *got)
{
    if (n > SLOT - 1)
        n = SLOT - 1;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (memcmp(got, s, n) != 0 || got[n] != '\0')
        abort();
}

typedef struct {
    const uint8_t *text;      /* the whole log text */
    size_t         len;
    size_t         next;      /* where the next expected line starts */
    int            lines;
} follow_t;

/* Check the n lines just read against the text's next lines. */
static void follow_check(follow_t *f, char (*lines)[SLOT], int n, bool at_rotation)
{
    for (int i = 0; i < n; i++) {
        if (f->next >= f->len)
            abort();     /* more lines than the text has */
        const uint8_t *s = f->text + f->next;
        const uint8_t *nl = memchr(s, '\n', f->len - f->next);
        size_t len = nl ? (size_t)(nl - s) : f->len - f->next;
        if (nl == NULL && !at_rotation && len < SLOT - 1)
            abort();     /* an unfinished short line before the rotation */
        expect_line(s, len, lines[i]);
        f->next += len + (nl != NULL);
        f->lines++;
    }
}

static void follow(const uint8_t *text, size_t len, uint8_t seed)
{
    remove_files();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        abort();
    char err[256];
    logwatch_t *w = logwatch_open_file(path, err, sizeof err);
    if (w == NULL)
        abort();
    static char lines[8][SLOT];
    int max = 1 + seed % 8;
    uint32_t rnd = seed * 2654435761u + 1;
    follow_t f = { text, len, 0, 0 };
    size_t off = 0;
    while (off < len) {
        rnd = rnd * 1103515245u + 12345u;
        size_t piece = 1 + (rnd >> 16) % 700;
        if (piece > len - off)
            piece = len - off;
        if (write(fd, text + off, piece) != (ssize_t)piece)
            abort();
        off += piece;
        int n;
        while ((n = logwatch_read_lines(w, lines, max)) > 0)
            follow_check(&f, lines, n, false);
    }
    /* Rotation: the old file's unfinished line is completed and returned. */
    close(fd);
    if (rename(path, old_path) != 0)
        abort();
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        abort();
    int n;
    while ((n = logwatch_read_lines(w, lines, max)) > 0)
        follow_check(&f, lines, n, true);
    if (f.next != f.len)
        abort();     /* a line was lost */
    close(fd);
    logwatch_close(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t *text = data + 1;
    size_t len = size - 1;
    classify(text, len);
    for (size_t start = 0; start < len;) {
        const uint8_t *nl = memchr(text + start, '\n', len - start);
        size_t n = nl ? (size_t)(nl - (text + start)) : len - start;
        classify(text + start, n);
        start += n + 1;
    }
    if (len <= FOLLOW_MAX)
        follow(text, len, data[0]);
    return 0;
}
