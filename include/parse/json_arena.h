/* json_arena.h — jansson's allocations during a parse from a kept buffer.
 *
 * The gateway answers of every poll are small JSON documents that jansson
 * builds and frees again within one status_parse_*() call: some twenty mallocs
 * each. Inside json_arena_enter() ... json_arena_leave() on one thread those
 * allocations are carved from the arena's buffer (frees of them do nothing)
 * and the whole buffer is reused at leave; past its size, or on any other
 * thread or outside the scope, jansson allocates as before. Nothing jansson
 * allocates inside the scope may outlive it (status_json.c frees every
 * document before returning). */
#ifndef EM_JSON_ARENA_H
#define EM_JSON_ARENA_H

#include <stddef.h>
#include "util.h"

#define JSON_ARENA_SIZE (64 * 1024)

typedef struct {
    char  *buf;                        /* owned; JSON_ARENA_SIZE bytes */
    size_t used;
    long   spilled;                    /* allocations that did not fit (went to malloc) */
} json_arena_t;

/* Route jansson's allocator through the arena hooks (once per process; the
 * allocator found then still serves everything outside a scope). Call before
 * any other thread uses jansson. Returns 0, or -1 when the buffer cannot be
 * allocated (the arena then stays unused: jansson allocates as before). */
int  json_arena_init(json_arena_t *a) WARN_UNUSED_RESULT;
void json_arena_free(json_arena_t *a);
/* Serve this thread's jansson allocations from a until json_arena_leave(). */
void json_arena_enter(json_arena_t *a);
void json_arena_leave(json_arena_t *a);

#endif
