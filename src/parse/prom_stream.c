/* prom_stream.c — prom_scan over a body that arrives in pieces (see prom.h).
 *
 * Whole lines are scanned straight from each piece (prom_scan_part); only the
 * unfinished line at a piece's end is copied, to be completed by the next. The
 * carry buffer keeps its allocation, so steady-state polling allocates
 * nothing. */
#include "prom.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

void prom_stream_init(prom_stream_t *st, size_t max_line, prom_pick_fn pick,
                      prom_sample_fn on_sample, void *ctx)
{
    memset(st, 0, sizeof *st);
    buf_init(&st->carry, max_line);
    st->pick = pick;
    st->on_sample = on_sample;
    st->ctx = ctx;
    prom_stream_begin(st);
}

void prom_stream_free(prom_stream_t *st)
{
    buf_free(&st->carry);
}

void prom_stream_begin(prom_stream_t *st)
{
    buf_reset(&st->carry);
    st->failed = false;
    memset(&st->err, 0, sizeof st->err);
    st->part.line = 1;
    st->part.last = NULL;
    st->part.last_len = 0;
    st->part.last_pick = 0;
}

/* Scan whole lines; remember the first error. */
static bool stream_part(prom_stream_t *st, const char *p, size_t n)
{
    if (prom_scan_part(&st->part, p, n, st->pick, st->on_sample, st->ctx, &st->err) == 0)
        return true;
    st->failed = true;
    return false;
}

/* Keep [p, p+n) for the next piece; a line past the cap is an error. */
static void stream_carry(prom_stream_t *st, const char *p, size_t n)
{
    if (buf_append(&st->carry, p, n) == 0)
        return;
    st->failed = true;
    st->err.line = st->part.line;
    st->err.col = st->carry.len + 1 > INT_MAX ? INT_MAX : (int)(st->carry.len + 1);
    snprintf(st->err.msg, sizeof st->err.msg, st->carry.overflow
             ? "line longer than %zu bytes" : "out of memory for a line of %zu bytes",
             st->carry.max);
}

/* The last newline of [p, p+n) (near the end of a piece of lines), or NULL. */
static const char *last_newline(const char *p, size_t n)
{
    while (n > 0)
        if (p[--n] == '\n')
            return p + n;
    return NULL;
}

void prom_stream_feed(prom_stream_t *st, const char *p, size_t n)
{
    if (st->failed || n == 0)
        return;
    if (st->carry.len) {                       /* finish the line the last piece began */
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) + 1 : n;
        stream_carry(st, p, take);
        if (st->failed || !nl)
            return;
        p += take;
        n -= take;
        if (!stream_part(st, st->carry.data, st->carry.len))
            return;
        buf_reset(&st->carry);
    }
    const char *last = last_newline(p, n);
    size_t whole = last ? (size_t)(last - p) + 1 : 0;
    if (whole && !stream_part(st, p, whole))
        return;
    if (n > whole)
        stream_carry(st, p + whole, n - whole);
}

int prom_stream_end(prom_stream_t *st, prom_error_t *err)
{
    if (!st->failed && st->carry.len && stream_part(st, st->carry.data, st->carry.len))
        buf_reset(&st->carry);
    if (err)
        *err = st->err;
    if (st->failed)
        return -1;
    if (err) {
        err->line = 0;
        err->col = 0;
        err->msg[0] = '\0';
    }
    return 0;
}
