/* buf.c — growable byte buffer with a hard cap (see buf.h).
 *
 * The allocation doubles as it grows but never beyond max + 1 bytes (the
 * bytes plus a terminating NUL). Once an append has been refused because of
 * the cap, the buffer refuses every later append until buf_reset(): a body
 * with a hole in the middle must never look whole. */
#include "buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BUF_MIN_ALLOC 256

void buf_init(buf_t *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->overflow = false;
}

void buf_reset(buf_t *b)
{
    b->len = 0;
    b->overflow = false;
    if (b->data != NULL)
        b->data[0] = '\0';
}

void buf_free(buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->overflow = false;
}

/* Make room for need bytes (need <= limit): double from the current size,
 * clamped to limit, the largest allocation the cap allows. */
static int buf_grow(buf_t *b, size_t need, size_t limit)
{
    size_t ncap = b->cap > 0 ? b->cap : BUF_MIN_ALLOC;
    while (ncap < need)
        ncap = ncap > limit / 2 ? limit : ncap * 2;
    if (ncap > limit)
        ncap = limit;
    char *p = realloc(b->data, ncap);
    if (p == NULL) {
        errno = ENOMEM;
        return -1;
    }
    b->data = p;
    b->cap = ncap;
    return 0;
}

int buf_append(buf_t *b, const void *p, size_t n)
{
    if (b->overflow)
        return -1;
    if (n > b->max - b->len || b->len + n == SIZE_MAX) {
        b->overflow = true;
        return -1;
    }
    size_t need = b->len + n + 1;
    size_t limit = b->max < SIZE_MAX ? b->max + 1 : SIZE_MAX;
    if (need > b->cap && buf_grow(b, need, limit) != 0)
        return -1;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}
