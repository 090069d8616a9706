/* buf.h — a growable byte buffer with a hard cap, for anything read from the
 * network. The owner of a buf_t frees it with buf_free(); buf_reset() keeps the
 * allocation so steady-state polling allocates nothing. */
#ifndef EM_BUF_H
#define EM_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char  *data;     /* always NUL-terminated when len > 0 or after buf_reset */
    size_t len;
    size_t cap;      /* allocated bytes */
    size_t max;      /* hard limit on len */
    bool   overflow; /* an append was refused because of max */
} buf_t;

void buf_init(buf_t *b, size_t max);
void buf_reset(buf_t *b);
void buf_free(buf_t *b);
/* Append n bytes; returns 0, or -1 (and sets overflow) past max or on ENOMEM. */
int  buf_append(buf_t *b, const void *p, size_t n);

#endif
